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
#include "host/instance.h"
#include "host/sysfs.h"
#include "util.h"

void host_libfabric_path(char *buf, size_t len)
{
	Dl_info info;

	buf[0] = '\0';
	/* The library that really got loaded, which is what LD_LIBRARY_PATH mix-ups change. */
	if (dladdr((void *)fi_version, &info) && info.dli_fname) {
		char *real = realpath(info.dli_fname, NULL);

		str_copy(buf, len, real ? real : info.dli_fname);
		free(real);
	}
}

static void libfabric_location(struct host_facts *h)
{
	uint32_t v = fi_version();

	snprintf(h->libfabric_version, sizeof(h->libfabric_version), "%u.%u", FI_MAJOR(v),
		 FI_MINOR(v));
	host_libfabric_path(h->libfabric_path, sizeof(h->libfabric_path));
}

/* CAP_IPC_LOCK (capability 14) in CapEff of /proc/self/status: 1, 0, or -1 unknown. */
static int cap_ipc_lock(void)
{
	char buf[4096], *line;
	unsigned long long eff;

	if (sysfs_read_raw(buf, sizeof(buf), "/proc/self/status") < 0)
		return -1;
	line = strstr(buf, "\nCapEff:");
	if (!line || sscanf(line + 8, "%llx", &eff) != 1)
		return -1;
	return (eff >> 14) & 1;
}

/*
 * The locked-memory limit: getrlimit's, or in a fixture tree (EFADIAG_SYSROOT) the soft limit
 * its proc/self/limits names where it has one ("Max locked memory  unlimited  unlimited
 * bytes"), so a test shows an unlimited limit without the privilege to raise one. 0, or -1
 * when neither says.
 */
static int memlock_limit(uint64_t *bytes)
{
	struct rlimit rl;
	char buf[4096], soft[64];
	const char *line;

	if (!sysfs_is_real_root() && !sysfs_read_raw(buf, sizeof(buf), "/proc/self/limits") &&
	    (line = strstr(buf, "Max locked memory")) &&
	    sscanf(line + strlen("Max locked memory"), "%63s", soft) == 1) {
		if (!strcmp(soft, "unlimited")) {
			*bytes = UINT64_MAX;
			return 0;
		}
		*bytes = strtoull(soft, NULL, 10);
		return 0;
	}
	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return -1;
	*bytes = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur;
	return 0;
}

void host_collect(struct host_facts *h)
{
	const struct instance_type *t;

	memset(h, 0, sizeof(*h));
	h->expected_efa_devices = -1;
	h->instance_type_err = sysfs_read(h->instance_type, sizeof(h->instance_type),
					  "/sys/devices/virtual/dmi/id/product_name");
	/* Non-EC2 machines put a model name here; only a known type sets expectations. */
	t = instance_find(h->instance_type);
	if (t) {
		h->type = t;
		/* 0 in the table: no source gave the count, so none is expected. */
		h->expected_efa_devices = t->efa_devices ? t->efa_devices : -1;
		h->line_rate_gbps = t->line_rate_gbps;
	}
	memlock_limit(&h->memlock_bytes);
	h->cap_ipc_lock = cap_ipc_lock();
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
