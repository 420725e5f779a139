// SPDX-License-Identifier: MIT
/* Host facts that decide whether EFA can work: instance type, limits, hugepages, libraries. */
#include "host/host.h"

#include <dlfcn.h>
#include <rdma/fabric.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "host/efa_dev.h"
#include "host/sysfs.h"
#include "util.h"

struct instance_type {
	const char *name;
	int efa_devices;
	bool gpu;
	int gbps; /* the instance's network bandwidth, Gbit/s */
};

/* Maximum EFA devices per instance type, from the EC2 documentation. */
static const struct instance_type instance_types[] = {
	{ "p4d.24xlarge", 4, true, 400 },	  { "p4de.24xlarge", 4, true, 400 },
	{ "p5.4xlarge", 1, true, 100 },	  { "p5.48xlarge", 32, true, 3200 },
	{ "p5e.48xlarge", 32, true, 3200 },	  { "p5en.48xlarge", 16, true, 3200 },
	{ "p6-b200.48xlarge", 8, true, 3200 },  { "p6-b300.48xlarge", 16, true, 6400 },
	{ "trn1.32xlarge", 8, false, 800 },	  { "trn1n.32xlarge", 16, false, 1600 },
	{ "trn2.48xlarge", 16, false, 3200 },	  { "g6e.48xlarge", 4, true, 400 },
	{ "hpc7a.96xlarge", 2, false, 300 },	  { "hpc6id.32xlarge", 2, false, 200 },
	{ "g5.8xlarge", 1, true, 25 },	  { "g5.48xlarge", 1, true, 100 },
	{ "g6.8xlarge", 1, true, 25 },	  { "g6.48xlarge", 1, true, 100 },
	{ "c5n.9xlarge", 1, false, 50 },	  { "c5n.18xlarge", 1, false, 100 },
	{ "hpc6a.48xlarge", 1, false, 100 },	  { "hpc7g.16xlarge", 1, false, 200 },
	{ "p3dn.24xlarge", 1, true, 100 },
};

static const struct instance_type *find_type(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(instance_types) / sizeof(instance_types[0]); i++)
		if (!strcmp(instance_types[i].name, name))
			return &instance_types[i];
	return NULL;
}

static void libfabric_location(struct host_facts *h)
{
	uint32_t v = fi_version();
	Dl_info info;

	snprintf(h->libfabric_version, sizeof(h->libfabric_version), "%u.%u", FI_MAJOR(v),
		 FI_MINOR(v));
	/* The library that really got loaded, which is what LD_LIBRARY_PATH mix-ups change. */
	if (dladdr((void *)fi_getinfo, &info) && info.dli_fname) {
		char *real = realpath(info.dli_fname, NULL);

		str_copy(h->libfabric_path, sizeof(h->libfabric_path), real ? real : info.dli_fname);
		free(real);
	}
}

void host_collect(struct host_facts *h)
{
	const struct instance_type *t;
	struct rlimit rl;

	memset(h, 0, sizeof(*h));
	h->expected_efa_devices = -1;
	h->instance_type_err = sysfs_read(h->instance_type, sizeof(h->instance_type),
					  "/sys/devices/virtual/dmi/id/product_name");
	/* Non-EC2 machines put a model name here; only a known type sets expectations. */
	t = find_type(h->instance_type);
	if (t) {
		h->expected_efa_devices = t->efa_devices;
		h->gpu_instance = t->gpu;
		h->line_rate_gbps = t->gbps;
	}
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0)
		h->memlock_bytes = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur;
	h->hugepages_err = sysfs_read_long(&h->hugepages_total,
					   "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
	if (h->hugepages_err)
		h->hugepages_total = -1;
	if (sysfs_read_long(&h->hugepages_free,
			    "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"))
		h->hugepages_free = -1;
	h->ptrace_scope_err = sysfs_read_long(&h->ptrace_scope, "/proc/sys/kernel/yama/ptrace_scope");
	if (h->ptrace_scope_err)
		h->ptrace_scope = -1;
	libfabric_location(h);
	efa_driver_version(h->efa_driver_version, sizeof(h->efa_driver_version));
}

bool host_env_true(const char *v)
{
	return v && (!strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
		     !strcasecmp(v, "on"));
}

/* Variables the efa provider refuses, and why. */
struct env_rule {
	const char *name;
	uint32_t fatal_since; /* FI_VERSION; 0: always just noted */
	const char *why;
};

static const struct env_rule env_rules[] = {
	{ "FI_EFA_MTU_SIZE", FI_VERSION(1, 20),
	  "the efa provider aborts when it is set (libfabric >= 1.20): unset it" },
	{ "FI_EFA_TX_IOV_LIMIT", FI_VERSION(1, 20),
	  "the efa provider aborts when it is set (libfabric >= 1.20): unset it" },
	{ "FI_EFA_RX_IOV_LIMIT", FI_VERSION(1, 20),
	  "the efa provider aborts when it is set (libfabric >= 1.20): unset it" },
};

static const char *fork_safe_vars[] = { "FI_EFA_FORK_SAFE", "RDMAV_FORK_SAFE", "IBV_FORK_SAFE" };

static bool is_fabric_var(const char *entry)
{
	return !strncmp(entry, "FI_", 3) || !strncmp(entry, "RDMAV_", 6) ||
	       !strncmp(entry, "IBV_", 4);
}

static const char *env_get(char **env, const char *name)
{
	size_t len = strlen(name);

	for (; env && *env; env++)
		if (!strncmp(*env, name, len) && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

size_t host_env_scan(char **env, uint32_t lf_version, struct env_finding *out, size_t max)
{
	bool huge = host_env_true(env_get(env, "FI_EFA_USE_HUGE_PAGE"));
	bool fork_safe = false;
	size_t n = 0, i;
	char **e;

	for (i = 0; i < sizeof(fork_safe_vars) / sizeof(fork_safe_vars[0]); i++)
		fork_safe |= host_env_true(env_get(env, fork_safe_vars[i]));

	for (e = env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		struct env_finding f = { .severity = 0, .why = "" };
		size_t nl;

		if (!eq || !is_fabric_var(*e))
			continue;
		nl = (size_t)(eq - *e);
		if (nl >= sizeof(f.name))
			nl = sizeof(f.name) - 1;
		memcpy(f.name, *e, nl);
		f.name[nl] = '\0';
		str_copy(f.value, sizeof(f.value), eq + 1);
		for (i = 0; i < sizeof(env_rules) / sizeof(env_rules[0]); i++) {
			if (strcmp(env_rules[i].name, f.name))
				continue;
			f.severity = lf_version >= env_rules[i].fatal_since ? 2 : 1;
			f.why = f.severity == 2 ? env_rules[i].why :
						  "deprecated, and fatal from libfabric 1.20: unset it";
		}
		if (!strcmp(f.name, "FI_EFA_USE_HUGE_PAGE") && huge && fork_safe) {
			f.severity = 2;
			f.why = "the efa provider aborts with hugepages and fork support together: "
				"set FI_EFA_USE_HUGE_PAGE=0 or drop the fork-safe variable";
		}
		if (n < max)
			out[n] = f;
		n++;
	}
	return n;
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
