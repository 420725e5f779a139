// SPDX-License-Identifier: MIT
/*
 * Settings that decide whether libfabric starts at all. The efa provider reads its variables
 * when libfabric loads the providers, in the first fi_getinfo, whatever provider is asked for,
 * and calls abort() on some of them (prov/efa/src/efa_env.c and efa_fork_support.c in
 * libfabric 2.x; prov/efa/src/rdm/rxr_env.c in 1.18): the rules below follow those conditions,
 * version by version. Variables the provider reads with fi_param_get() can also be set in
 * libfabric.conf (libfabric 1.18 and later); those it reads with getenv() cannot.
 */
#include "config.h"

#include "host/env.h"

#include <errno.h>
#include <fcntl.h>
#include <infiniband/verbs.h>
#include <rdma/fabric.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/sysfs.h"
#include "util.h"

/* libfabric reads libfabric.conf from 1.18 on (src/var.c, load_conf(), v1.18.0). */
#define CONF_SINCE FI_VERSION(1, 18)
/* The largest libfabric library efadiag looks through for its libfabric.conf path. */
#define LIB_MAX_BYTES (256u << 20)

static const char *env_get(char **env, const char *name)
{
	size_t len = strlen(name);

	for (; env && *env; env++)
		if (!strncmp(*env, name, len) && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

int host_env_bool(const char *v)
{
	/* libfabric's fi_parse_bool() (src/var.c, v2.6.0): these words, nothing else. */
	if (!v)
		return -1;
	if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") ||
	    !strcasecmp(v, "off"))
		return 0;
	if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "on"))
		return 1;
	return -1;
}

bool host_env_true(const char *v)
{
	return host_env_bool(v) == 1;
}

static const struct lf_conf_entry *conf_find(const struct env_runtime *rt, const char *name)
{
	size_t i;

	/* The first entry of a name wins, as find_conf_entry() walks its list from the head. */
	for (i = 0; i < rt->nconf && i < LF_CONF_MAX; i++)
		if (!strcmp(rt->conf[i].name, name))
			return &rt->conf[i];
	return NULL;
}

/* fi_param_get() (src/var.c, v2.6.0): the environment, unless unset or FI_PREFER_SYSCONFIG. */
static const char *param_get(char **env, const struct env_runtime *rt, const char *name,
			     bool *from_conf, bool prefer_conf)
{
	const char *v = env_get(env, name);
	const struct lf_conf_entry *c = rt->lf_version >= CONF_SINCE ? conf_find(rt, name) : NULL;

	if (from_conf)
		*from_conf = false;
	if ((!v || prefer_conf) && c) {
		if (from_conf)
			*from_conf = true;
		return c->value;
	}
	return v;
}

const char *host_env_param(char **env, const struct env_runtime *rt, const char *name,
			   bool *from_conf)
{
	/* FI_PREFER_SYSCONFIG is itself a core parameter, read the same way, conf second. */
	bool prefer = host_env_true(param_get(env, rt, "FI_PREFER_SYSCONFIG", NULL, false));

	return param_get(env, rt, name, from_conf, prefer);
}

size_t host_lf_conf_parse(const char *text, struct lf_conf_entry *out, size_t max)
{
	size_t n = 0;

	while (text && *text) {
		const char *nl = strchr(text, '\n'), *eq;
		size_t len = nl ? (size_t)(nl - text) : strlen(text), nlen;

		eq = memchr(text, '=', len);
		/* load_conf(): a line without '=' is skipped; the name is not trimmed. */
		if (eq) {
			nlen = (size_t)(eq - text);
			if (n < max) {
				struct lf_conf_entry *e = &out[n];
				size_t vlen = len - nlen - 1;

				if (nlen >= sizeof(e->name))
					nlen = sizeof(e->name) - 1;
				memcpy(e->name, text, nlen);
				e->name[nlen] = '\0';
				if (vlen >= sizeof(e->value))
					vlen = sizeof(e->value) - 1;
				memcpy(e->value, eq + 1, vlen);
				e->value[vlen] = '\0';
			}
			n++;
		}
		text = nl ? nl + 1 : text + len;
	}
	return n;
}

bool host_lf_conf_path(const char *libfabric_path, char *buf, size_t len)
{
	static const char tail[] = "/libfabric.conf";
	struct stat st;
	size_t size, got = 0;
	char *lib, *p;
	bool found = false;
	int fd;

	if (!libfabric_path || !libfabric_path[0])
		return false;
	fd = open(libfabric_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > LIB_MAX_BYTES) {
		close(fd);
		return false;
	}
	size = (size_t)st.st_size;
	lib = malloc(size + 1);
	while (lib && got < size) {
		ssize_t r = read(fd, lib + got, size - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!lib)
		return false;
	lib[got] = '\0';
	/*
	 * src/var.c: DEFAULT_CONF_FILE_PATH is SYSCONFDIR "/libfabric.conf", a string constant in
	 * the library: the one NUL-terminated string that ends so and starts with '/'.
	 */
	for (p = lib; !found && (p = memmem(p, got - (size_t)(p - lib), tail, sizeof(tail)));
	     p += sizeof(tail) - 1) {
		char *start = p;

		while (start > lib && start[-1] >= ' ' && start[-1] < 0x7f)
			start--;
		if (start[0] == '/' && (start == lib || start[-1] == '\0') &&
		    (size_t)(p - start) + sizeof(tail) <= len) {
			memcpy(buf, start, (size_t)(p - start) + sizeof(tail));
			found = true;
		}
	}
	free(lib);
	return found;
}

/* libfabric.conf of the library at libfabric_path, read below the sysroot. */
static void load_conf(const char *libfabric_path, struct env_runtime *rt)
{
	char text[SYSFS_MAX_BYTES];

	rt->conf_path[0] = '\0';
	rt->conf_err = -ENOENT;
	rt->nconf = 0;
	if (rt->lf_version < CONF_SINCE ||
	    !host_lf_conf_path(libfabric_path, rt->conf_path, sizeof(rt->conf_path)))
		return;
	rt->conf_err = sysfs_read_raw(text, sizeof(text), "%s", rt->conf_path);
	if (!rt->conf_err)
		rt->nconf = host_lf_conf_parse(text, rt->conf, LF_CONF_MAX);
}

/* As the efa provider decides: FI_EFA_FORK_SAFE read as a boolean, the others set at all. */
static bool fork_support_requested(char **env, const struct env_runtime *rt)
{
	/* efa_fork_support.c: fork_safe by fi_param_get_bool, rdma-core's by getenv(). */
	return host_env_true(host_env_param(env, rt, "FI_EFA_FORK_SAFE", NULL)) ||
	       env_get(env, "RDMAV_FORK_SAFE") || env_get(env, "IBV_FORK_SAFE");
}

void host_env_runtime(char **env, const char *libfabric_path, struct env_runtime *rt)
{
	memset(rt, 0, sizeof(*rt));
	rt->lf_version = fi_version();
	rt->rdma_read = -1;
	load_conf(libfabric_path, rt);
	/* Asked only when it matters: the answer is rdma-core's, the one libfabric gets. */
#if HAVE_DECL_IBV_IS_FORK_INITIALIZED
	if (host_env_true(host_env_param(env, rt, "FI_EFA_USE_HUGE_PAGE", NULL)) &&
	    fork_support_requested(env, rt))
		rt->fork_unneeded = ibv_is_fork_initialized() == IBV_FORK_UNNEEDED;
#endif
}

/* A rule: where the variable is read, when it is fatal, on which libfabric, what to say. */
struct env_rule {
	const char *name;
	bool param;	      /* read with fi_param_get(): libfabric.conf sets it too */
	bool at_load;	      /* aborts when the providers load, else at an endpoint's opening */
	uint32_t fatal_since; /* FI_VERSION; below it the variable is only noted */
	uint32_t fatal_until; /* FI_VERSION from which it is no longer fatal; 0 never */
	/* Fatal for this value (NULL: whenever set, any value, even empty). */
	bool (*fatal_value)(const char *value, char **env, const struct env_runtime *rt);
	const char *why;	/* from fatal_since on (until fatal_until), when fatal */
	const char *why_other;	/* outside those versions (NULL: not worth a note) */
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
	return host_env_true(v) && fork_support_requested(env, rt) && !rt->fork_unneeded;
}

/*
 * efa_rdm_get_use_device_rdma() (prov/efa/src/rdm/efa_rdm_util.c, v1.18.0 to v2.6.0): a value
 * fi_param_get_bool() cannot parse aborts, and so does a true one when the first device has
 * no RDMA read. Before 1.18 (rxr_env.c) it was read as an int: nonzero without RDMA read.
 */
static bool device_rdma_fatal(const char *v, char **env, const struct env_runtime *rt)
{
	int b = host_env_bool(v);

	(void)env;
	if (rt->lf_version < FI_VERSION(1, 18))
		return (int)strtol(v, NULL, 0) != 0 && rt->rdma_read == 0;
	return b < 0 || (b == 1 && rt->rdma_read == 0);
}

#define ABORTS_WHEN_SET(since) \
	"the efa provider aborts when it is set, to anything (libfabric >= " since "): unset it"

static const struct env_rule env_rules[] = {
	/* v1.18.0 prov/efa/src/rdm/rxr_env.c rxr_env_param_get(): getenv(), abort(). */
	{ "FI_EFA_MTU_SIZE", false, true, FI_VERSION(1, 18), 0, NULL, ABORTS_WHEN_SET("1.18"),
	  "fatal from libfabric 1.18, which dropped it: unset it" },
	/* v1.19.0 prov/efa/src/efa_env.c: the IOV limits join it, getenv(), abort(). */
	{ "FI_EFA_TX_IOV_LIMIT", false, true, FI_VERSION(1, 19), 0, NULL, ABORTS_WHEN_SET("1.19"),
	  "fatal from libfabric 1.19, which dropped it: unset it" },
	{ "FI_EFA_RX_IOV_LIMIT", false, true, FI_VERSION(1, 19), 0, NULL, ABORTS_WHEN_SET("1.19"),
	  "fatal from libfabric 1.19, which dropped it: unset it" },
	/* rxr_init.c v1.14.0 to efa_env.c v1.19.0 abort; v1.20.0 only logs it, at info level. */
	{ "FI_EFA_SHM_MAX_MEDIUM_SIZE", false, true, FI_VERSION(1, 14), FI_VERSION(1, 20), NULL,
	  "the efa provider aborts when it is set, to anything (libfabric 1.14 to 1.19): unset it",
	  NULL },
	/* v1.18.0 rxr_env.c aborts; v1.17.0 warned and used its default instead. */
	{ "FI_EFA_TX_MIN_CREDITS", true, true, FI_VERSION(1, 18), 0, credits_not_positive,
	  "the efa provider aborts when it is 0 or less (it would deadlock): unset it or set a "
	  "positive number",
	  "0 or less: the efa provider ignores it and uses its default (fatal from libfabric "
	  "1.18): unset it" },
	{ "FI_EFA_IFACE", true, true, FI_VERSION(2, 0), 0, is_empty,
	  "the efa provider aborts when it is empty (libfabric >= 2.0): unset it, or name the "
	  "devices, or set it to 'all'", NULL },
	/* v1.19.0 prov/efa/src/efa_fork_support.c efa_fork_support_request_initialize(). */
	{ "FI_EFA_USE_HUGE_PAGE", true, true, FI_VERSION(1, 19), 0, huge_with_fork,
	  "the efa provider aborts with hugepages and fork support together (FI_EFA_FORK_SAFE=1, "
	  "or RDMAV_FORK_SAFE or IBV_FORK_SAFE set to anything) where the kernel needs "
	  "rdma-core's fork support: set FI_EFA_USE_HUGE_PAGE=0 or unset the fork-safe "
	  "variables", NULL },
	/* Read when an endpoint opens (and for FI_HMEM in fi_getinfo), not at load. */
	{ "FI_EFA_USE_DEVICE_RDMA", true, false, 0, 0, device_rdma_fatal,
	  "the efa provider aborts when an endpoint opens: it must be 0/false/no/off or "
	  "1/true/yes/on (libfabric >= 1.18), and may be true only on devices with RDMA read, "
	  "which the first EFA device here lacks: unset it", NULL },
};

static bool is_fabric_var(const char *entry)
{
	return !strncmp(entry, "FI_", 3) || !strncmp(entry, "RDMAV_", 6) ||
	       !strncmp(entry, "IBV_", 4);
}

static const struct env_rule *rule_for(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(env_rules) / sizeof(env_rules[0]); i++)
		if (!strcmp(env_rules[i].name, name))
			return &env_rules[i];
	return NULL;
}

/* Applies the rule for f's variable to value. */
static void judge(struct env_finding *f, const char *value, char **env,
		  const struct env_runtime *rt)
{
	const struct env_rule *r = rule_for(f->name);
	bool in_versions;

	if (!r)
		return;
	f->at_load = r->at_load;
	if (r->fatal_value && !r->fatal_value(value, env, rt))
		return;
	in_versions = rt->lf_version >= r->fatal_since &&
		      (!r->fatal_until || rt->lf_version < r->fatal_until);
	if (in_versions) {
		f->severity = 2;
		f->why = r->why;
	} else if (r->why_other) {
		f->severity = 1;
		f->why = r->why_other;
	}
}

/* Whether the environment's NAME is the value libfabric uses (not libfabric.conf's instead). */
static bool env_value_used(char **env, const struct env_runtime *rt, const char *name)
{
	const struct env_rule *r = rule_for(name);
	bool from_conf = false;

	if (!r || !r->param)
		return true;
	host_env_param(env, rt, name, &from_conf);
	return !from_conf;
}

static void store(struct env_finding *out, size_t max, size_t *n, const struct env_finding *f)
{
	if (*n < max)
		out[*n] = *f;
	(*n)++;
}

size_t host_env_scan(char **env, const struct env_runtime *rt, struct env_finding *out,
		     size_t max)
{
	size_t n = 0, nl, i;
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
		/* Overridden by libfabric.conf (FI_PREFER_SYSCONFIG): listed, not judged. */
		if (env_value_used(env, rt, f.name))
			judge(&f, eq + 1, env, rt);
		store(out, max, &n, &f);
	}
	/* libfabric.conf's entries that libfabric uses for a variable the provider reads. */
	for (i = 0; rt->lf_version >= CONF_SINCE && i < rt->nconf && i < LF_CONF_MAX; i++) {
		const struct lf_conf_entry *c = &rt->conf[i];
		const struct env_rule *r = rule_for(c->name);
		struct env_finding f = { .severity = 0, .why = "", .from_conf = true };
		bool from_conf = false;

		if (!is_fabric_var(c->name) || conf_find(rt, c->name) != c)
			continue;
		host_env_param(env, rt, c->name, &from_conf);
		if (!from_conf)
			continue;
		str_copy(f.name, sizeof(f.name), c->name);
		str_copy(f.value, sizeof(f.value), c->value);
		if (r && r->param)
			judge(&f, c->value, env, rt);
		store(out, max, &n, &f);
	}
	return n;
}

bool host_env_fatal(char **env, const struct env_runtime *rt, bool endpoint, char *msg,
		    size_t len)
{
	struct env_finding f[64];
	size_t n, i, used = 0;
	bool fatal = false;

	n = host_env_scan(env, rt, f, 64);
	if (len)
		msg[0] = '\0';
	for (i = 0; i < n && i < 64; i++) {
		if (f[i].severity != 2 || (!f[i].at_load && !endpoint))
			continue;
		fatal = true;
		if (used < len)
			used += (size_t)snprintf(msg + used, len - used, "%s%s=%s%s: %s",
						 used ? "; " : "", f[i].name, f[i].value,
						 f[i].from_conf ? " (libfabric.conf)" : "",
						 f[i].why);
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
