// SPDX-License-Identifier: MIT
/*
 * Environment variables that decide whether libfabric starts at all. The efa provider reads
 * its variables when libfabric loads the providers, in the first fi_getinfo, whatever provider
 * is asked for, and calls abort() on some of them (prov/efa/src/efa_env.c and
 * efa_fork_support.c in libfabric 2.x): the rules below follow those conditions.
 */
#include "config.h"

#include "host/env.h"

#include <infiniband/verbs.h>
#include <rdma/fabric.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const char *env_get(char **env, const char *name)
{
	size_t len = strlen(name);

	for (; env && *env; env++)
		if (!strncmp(*env, name, len) && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

bool host_env_true(const char *v)
{
	return v && (!strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
		     !strcasecmp(v, "on"));
}

/* As the efa provider decides: FI_EFA_FORK_SAFE read as a boolean, the others set at all. */
static bool fork_support_requested(char **env)
{
	return host_env_true(env_get(env, "FI_EFA_FORK_SAFE")) ||
	       env_get(env, "RDMAV_FORK_SAFE") || env_get(env, "IBV_FORK_SAFE");
}

void host_env_runtime(char **env, struct env_runtime *rt)
{
	rt->lf_version = fi_version();
	rt->fork_unneeded = false;
	/* Asked only when it matters: the answer is rdma-core's, the one libfabric gets. */
#if HAVE_DECL_IBV_IS_FORK_INITIALIZED
	if (host_env_true(env_get(env, "FI_EFA_USE_HUGE_PAGE")) && fork_support_requested(env))
		rt->fork_unneeded = ibv_is_fork_initialized() == IBV_FORK_UNNEEDED;
#endif
}

/* A rule: when the variable is fatal, on which libfabric, and what to say. */
struct env_rule {
	const char *name;
	uint32_t fatal_since; /* FI_VERSION; below it the variable is only noted */
	/* Fatal for this value (NULL: whenever set, any value, even empty). */
	bool (*fatal_value)(const char *value, char **env, const struct env_runtime *rt);
	const char *why;	  /* from fatal_since on, when fatal */
	const char *why_before; /* before fatal_since (NULL: not worth a note) */
};

/* libfabric reads it with strtol into an int, and aborts at 0 or below. */
static bool credits_not_positive(const char *v, char **env, const struct env_runtime *rt)
{
	(void)env;
	(void)rt;
	return (int)strtol(v, NULL, 0) <= 0;
}

static bool is_empty(const char *v, char **env, const struct env_runtime *rt)
{
	(void)env;
	(void)rt;
	return !*v;
}

/* Huge pages and rdma-core's fork support together, where the kernel still needs the latter. */
static bool huge_with_fork(const char *v, char **env, const struct env_runtime *rt)
{
	return host_env_true(v) && fork_support_requested(env) && !rt->fork_unneeded;
}

#define ABORTS_WHEN_SET "the efa provider aborts when it is set (libfabric >= 1.20): unset it"

static const struct env_rule env_rules[] = {
	{ "FI_EFA_MTU_SIZE", FI_VERSION(1, 20), NULL, ABORTS_WHEN_SET,
	  "deprecated, and fatal from libfabric 1.20: unset it" },
	{ "FI_EFA_TX_IOV_LIMIT", FI_VERSION(1, 20), NULL, ABORTS_WHEN_SET,
	  "deprecated, and fatal from libfabric 1.20: unset it" },
	{ "FI_EFA_RX_IOV_LIMIT", FI_VERSION(1, 20), NULL, ABORTS_WHEN_SET,
	  "deprecated, and fatal from libfabric 1.20: unset it" },
	{ "FI_EFA_TX_MIN_CREDITS", 0, credits_not_positive,
	  "the efa provider aborts when it is 0 or less (it would deadlock): unset it or set a "
	  "positive number", NULL },
	{ "FI_EFA_IFACE", FI_VERSION(2, 0), is_empty,
	  "the efa provider aborts when it is empty (libfabric >= 2.0): unset it, or name the "
	  "devices, or set it to 'all'", NULL },
	{ "FI_EFA_USE_HUGE_PAGE", 0, huge_with_fork,
	  "the efa provider aborts with hugepages and fork support together (FI_EFA_FORK_SAFE=1, "
	  "or RDMAV_FORK_SAFE or IBV_FORK_SAFE set to anything) where the kernel needs "
	  "rdma-core's fork support: set FI_EFA_USE_HUGE_PAGE=0 or unset the fork-safe "
	  "variables", NULL },
};

static bool is_fabric_var(const char *entry)
{
	return !strncmp(entry, "FI_", 3) || !strncmp(entry, "RDMAV_", 6) ||
	       !strncmp(entry, "IBV_", 4);
}

/* Applies the rules to one variable. */
static void judge(struct env_finding *f, const char *value, char **env,
		  const struct env_runtime *rt)
{
	size_t i;

	for (i = 0; i < sizeof(env_rules) / sizeof(env_rules[0]); i++) {
		const struct env_rule *r = &env_rules[i];

		if (strcmp(r->name, f->name))
			continue;
		if (r->fatal_value && !r->fatal_value(value, env, rt))
			return;
		if (rt->lf_version >= r->fatal_since) {
			f->severity = 2;
			f->why = r->why;
		} else if (r->why_before) {
			f->severity = 1;
			f->why = r->why_before;
		}
		return;
	}
}

size_t host_env_scan(char **env, const struct env_runtime *rt, struct env_finding *out,
		     size_t max)
{
	size_t n = 0, nl;
	char **e;

	for (e = env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		struct env_finding f = { .severity = 0, .why = "" };

		if (!eq || !is_fabric_var(*e))
			continue;
		nl = (size_t)(eq - *e);
		if (nl >= sizeof(f.name))
			nl = sizeof(f.name) - 1;
		memcpy(f.name, *e, nl);
		f.name[nl] = '\0';
		str_copy(f.value, sizeof(f.value), eq + 1);
		judge(&f, eq + 1, env, rt);
		if (n < max)
			out[n] = f;
		n++;
	}
	return n;
}

bool host_env_fatal(char **env, const struct env_runtime *rt, char *msg, size_t len)
{
	struct env_finding f[64];
	size_t n, i, used = 0;
	bool fatal = false;

	n = host_env_scan(env, rt, f, 64);
	if (len)
		msg[0] = '\0';
	for (i = 0; i < n && i < 64; i++) {
		if (f[i].severity != 2)
			continue;
		fatal = true;
		if (used < len)
			used += (size_t)snprintf(msg + used, len - used, "%s%s=%s: %s",
						 used ? "; " : "", f[i].name, f[i].value, f[i].why);
	}
	return fatal;
}

bool host_fi_provider_allows(const char *fi_provider, const char *prov)
{
	char list[512], core[64];
	bool exclude;
	char *tok, *save = NULL;
	bool listed = false;

	if (!fi_provider || !*fi_provider)
		return true;
	/* "tcp;ofi_rxm" is selected by naming its core provider, "tcp". */
	str_copy(core, sizeof(core), prov);
	core[strcspn(core, ";")] = '\0';
	exclude = fi_provider[0] == '^';
	str_copy(list, sizeof(list), fi_provider + (exclude ? 1 : 0));
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, core) || !strcmp(tok, prov))
			listed = true;
	return exclude ? !listed : listed;
}
