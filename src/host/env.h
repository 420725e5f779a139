/* SPDX-License-Identifier: MIT */
/* What libfabric reads: variables that make a provider abort, libfabric.conf, FI_PROVIDER. */
#ifndef EFADIAG_HOST_ENV_H
#define EFADIAG_HOST_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One NAME=VALUE line of libfabric.conf. */
struct lf_conf_entry {
	char name[64];
	char value[128];
};

#define LF_CONF_MAX 64

/* What decides whether a variable is fatal besides its value. */
struct env_runtime {
	uint32_t lf_version; /* FI_VERSION(major, minor) of the libfabric loaded */
	bool fork_unneeded;  /* the kernel keeps registered memory across fork (rdma-core says) */
	/* RDMA read on the first EFA device (the one the efa provider asks): 1, 0, -1 unknown. */
	int rdma_read;
	/* libfabric.conf as the loaded libfabric reads it (1.18 and later): its path, "" none. */
	char conf_path[512];
	int conf_err;	     /* 0 when read, else why not (-ENOENT: the file is not there) */
	size_t nconf;
	struct lf_conf_entry conf[LF_CONF_MAX];
};

/*
 * The runtime facts of this process: fi_version(), libfabric.conf of the library at
 * libfabric_path (NULL: none), and rdma-core's fork status when needed. rdma_read is left
 * unknown: the caller that knows the devices sets it.
 */
void host_env_runtime(char **env, const char *libfabric_path, struct env_runtime *rt);
/*
 * Parses libfabric.conf's text as libfabric's load_conf() does (src/var.c): NAME=VALUE per
 * line, the name everything before the first '=', untrimmed. Returns the entries found; at
 * most max are stored.
 */
size_t host_lf_conf_parse(const char *text, struct lf_conf_entry *out, size_t max);
/*
 * The path of libfabric.conf compiled into the libfabric at path (SYSCONFDIR
 * "/libfabric.conf"), found in the library's own bytes; false when it names none.
 */
bool host_lf_conf_path(const char *libfabric_path, char *buf, size_t len);

/* A known-fatal or notable setting, found by host_env_scan. */
struct env_finding {
	char name[64];
	char value[128];
	int severity; /* 0 info, 1 warn, 2 fail: the efa provider aborts */
	bool at_load; /* it aborts when the providers load: in any first fi_getinfo */
	bool from_conf; /* the value is libfabric.conf's, not the environment's */
	const char *why;
};

/*
 * Scans FI_*, RDMAV_* and IBV_* variables in env (NULL-terminated) and libfabric.conf's
 * entries that libfabric would use. Returns how many were found; at most max are stored.
 */
size_t host_env_scan(char **env, const struct env_runtime *rt, struct env_finding *out,
		     size_t max);
/*
 * Whether a setting makes the efa provider abort() inside the first fi_getinfo, whatever
 * provider is asked for (every provider is loaded then), or, with endpoint, also when an efa
 * endpoint opens. When one does, msg gets "NAME=VALUE: why, and the fix", the detail the
 * environment check shows.
 */
bool host_env_fatal(char **env, const struct env_runtime *rt, bool endpoint, char *msg,
		    size_t len);
/*
 * The value libfabric's fi_param_get() gives the variable name: the environment's, or
 * libfabric.conf's where the environment has none or FI_PREFER_SYSCONFIG is true (1.18 and
 * later). NULL when unset; *from_conf (may be NULL) says where it came from.
 */
const char *host_env_param(char **env, const struct env_runtime *rt, const char *name,
			   bool *from_conf);
/* "1", "yes", "true", "on" (any case): how libfabric reads a boolean variable as true. */
bool host_env_true(const char *v);
/* libfabric's fi_parse_bool(): 1, 0, or -1 for anything else. */
int host_env_bool(const char *v);
/* Whether FI_PROVIDER (NULL when unset) lets the provider prov through. */
bool host_fi_provider_allows(const char *fi_provider, const char *prov);

#endif
