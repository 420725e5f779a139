/* SPDX-License-Identifier: MIT */
/* The environment libfabric reads: variables that make a provider abort, and FI_PROVIDER. */
#ifndef EFADIAG_HOST_ENV_H
#define EFADIAG_HOST_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What decides whether a variable is fatal besides its value. */
struct env_runtime {
	uint32_t lf_version; /* FI_VERSION(major, minor) of the libfabric loaded */
	bool fork_unneeded;  /* the kernel keeps registered memory across fork (rdma-core says) */
};

/* The runtime facts of this process: fi_version(), and rdma-core's fork status when needed. */
void host_env_runtime(char **env, struct env_runtime *rt);

/* A known-fatal or notable environment variable, found by host_env_scan. */
struct env_finding {
	char name[64];
	char value[128];
	int severity; /* 0 info, 1 warn, 2 fail: the efa provider aborts inside fi_getinfo */
	const char *why;
};

/*
 * Scans FI_*, RDMAV_* and IBV_* variables in env (NULL-terminated). Returns how many were
 * found; at most max are stored.
 */
size_t host_env_scan(char **env, const struct env_runtime *rt, struct env_finding *out,
		     size_t max);
/*
 * Whether env holds a variable that makes the efa provider abort() inside the first
 * fi_getinfo, whatever provider is asked for (every provider is loaded then). When it does,
 * msg gets "NAME=VALUE: why, and the fix", the detail the environment check shows.
 */
bool host_env_fatal(char **env, const struct env_runtime *rt, char *msg, size_t len);
/* "1", "yes", "true", "on" (any case): how libfabric reads a boolean variable. */
bool host_env_true(const char *v);
/* Whether FI_PROVIDER (NULL when unset) lets the provider prov through. */
bool host_fi_provider_allows(const char *fi_provider, const char *prov);

#endif
