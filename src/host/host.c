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
	if (dladdr((void *)fi_version, &info) && info.dli_fname) {
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
