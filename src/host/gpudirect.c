// SPDX-License-Identifier: MIT
/* GPUDirect RDMA paths on NVIDIA GPU instances: peer memory (device/p2p) or dma-buf. */
#include "host/gpudirect.h"

#include <errno.h>
#include <stdarg.h>
#include <rdma/fabric.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "host/sysfs.h"
#include "util.h"

/* The kernel that can import a dma-buf into an RDMA memory registration (ib_umem_dmabuf). */
#define DMABUF_KERNEL_MAJOR 5
#define DMABUF_KERNEL_MINOR 12
/* The libfabric whose efa provider registers through dma-buf (FI_MR_DMABUF). */
#define DMABUF_LIBFABRIC FI_VERSION(1, 20)

bool gpudirect_parse_kernel(const char *release, int *major, int *minor)
{
	char *end;
	long a, b;

	a = strtol(release, &end, 10);
	if (end == release || *end != '.' || a < 0 || a > 1000)
		return false;
	release = end + 1;
	b = strtol(release, &end, 10);
	if (end == release || b < 0 || b > 1000)
		return false;
	*major = (int)a;
	*minor = (int)b;
	return true;
}

static void collect_nvidia(struct gpudirect_host *g)
{
	char taint[64];

	/* The driver names itself: "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64 ...". */
	if (!sysfs_read(g->nvidia_version, sizeof(g->nvidia_version),
			"/proc/driver/nvidia/version")) {
		g->nvidia = strstr(g->nvidia_version, "Open Kernel Module") ? NVIDIA_OPEN :
									   NVIDIA_PROPRIETARY;
		return;
	}
	g->nvidia_version[0] = '\0';
	/* Without /proc (some containers): the proprietary module taints the kernel with 'P'. */
	if (sysfs_read(taint, sizeof(taint), "/sys/module/nvidia/taint"))
		return;
	g->nvidia = strchr(taint, 'P') ? NVIDIA_PROPRIETARY : NVIDIA_OPEN;
}

void gpudirect_collect(struct gpudirect_host *g)
{
	struct utsname u;

	memset(g, 0, sizeof(*g));
	g->kernel_major = g->kernel_minor = -1;
	collect_nvidia(g);
	/* osrelease rather than uname(), so a sysroot describes another machine's kernel too. */
	if (sysfs_read(g->kernel_release, sizeof(g->kernel_release),
		       "/proc/sys/kernel/osrelease") && sysfs_is_real_root() && !uname(&u))
		sysfs_printable(g->kernel_release, sizeof(g->kernel_release), u.release,
				strlen(u.release));
	if (!gpudirect_parse_kernel(g->kernel_release, &g->kernel_major, &g->kernel_minor))
		g->kernel_major = g->kernel_minor = -1;
	g->libfabric = fi_version();
}

enum p2p_kind gpudirect_p2p_kind(const char *p2p, int read_err)
{
	if (read_err == -ENOENT || read_err == -ENOTDIR)
		return P2P_NONE;
	if (read_err)
		return P2P_UNREADABLE;
	if (!p2p[0])
		return P2P_NONE;
	/* efa_p2p_provider_string(): "NVIDIA" (nvidia_p2p_* directly) or "NVIDIA peermem". */
	if (!strncmp(p2p, "NVIDIA", 6) && (p2p[6] == '\0' || p2p[6] == ' '))
		return P2P_NVIDIA;
	return P2P_OTHER;
}

enum p2p_kind gpudirect_dev_kind(const char *p2p, int p2p_err, const char *gdr, int gdr_err)
{
	if (p2p_err != -ENOENT && p2p_err != -ENOTDIR)
		return gpudirect_p2p_kind(p2p, p2p_err);
	if (gdr_err == -ENOENT || gdr_err == -ENOTDIR)
		return P2P_NO_FILE;
	if (gdr_err)
		return P2P_UNREADABLE;
	/*
	 * amzn-drivers efa 1.9.0 to 1.14.0 wrote "1" whenever built with GDR support; 1.14.1 to
	 * 2.5.x write "1" only while the nvidia_p2p_* symbols resolve, else "0"
	 * (kernel/linux/efa/src/efa_sysfs.c gdr_show()). Nothing else was ever written there.
	 */
	if (!strcmp(gdr, "1"))
		return P2P_NVIDIA;
	if (!strcmp(gdr, "0"))
		return P2P_NONE;
	return P2P_OTHER;
}

struct dmabuf_path gpudirect_dmabuf(const struct gpudirect_host *g)
{
	struct dmabuf_path d;

	d.open_module = g->nvidia == NVIDIA_OPEN;
	d.kernel = g->kernel_major > DMABUF_KERNEL_MAJOR ||
		   (g->kernel_major == DMABUF_KERNEL_MAJOR && g->kernel_minor >= DMABUF_KERNEL_MINOR);
	d.libfabric = g->libfabric >= DMABUF_LIBFABRIC;
	d.cuda = g->cuda_dmabuf != CUDA_DMABUF_NO;
	d.available = d.open_module && d.kernel && d.libfabric && d.cuda;
	return d;
}

/* Appends to buf at *used, bounded. */
static void add(char *buf, size_t len, size_t *used, const char *fmt, ...) PRINTF_LIKE(4, 5);
static void add(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n < len - *used ? (size_t)n : len - *used - 1;
}

/* "dma-buf available (NVIDIA open kernel module, kernel 6.1, libfabric 1.22)" or what lacks. */
static void describe_dmabuf(const struct gpudirect_host *g, char *buf, size_t len)
{
	struct dmabuf_path d = gpudirect_dmabuf(g);
	size_t used = 0;
	const char *sep = "";

	if (d.available) {
		add(buf, len, &used, "dma-buf available (NVIDIA open kernel module, kernel %d.%d, "
		    "libfabric %u.%u)", g->kernel_major, g->kernel_minor, FI_MAJOR(g->libfabric),
		    FI_MINOR(g->libfabric));
		return;
	}
	add(buf, len, &used, "dma-buf not available: it needs ");
	if (!d.open_module) {
		add(buf, len, &used, "the NVIDIA open kernel module (%s)",
		    g->nvidia == NVIDIA_PROPRIETARY ? "the proprietary one is loaded" :
						      "no NVIDIA driver loaded");
		sep = ", ";
	}
	if (!d.kernel) {
		if (g->kernel_major < 0)
			add(buf, len, &used, "%skernel 5.12+ (version unknown)", sep);
		else
			add(buf, len, &used, "%skernel 5.12+ (this is %d.%d)", sep, g->kernel_major,
			    g->kernel_minor);
		sep = ", ";
	}
	if (!d.libfabric) {
		add(buf, len, &used, "%slibfabric 1.20+ (this is %u.%u)", sep,
		    FI_MAJOR(g->libfabric), FI_MINOR(g->libfabric));
		sep = ", ";
	}
	if (!d.cuda)
		add(buf, len, &used, "%sGPUs that export dma-buf (the CUDA driver says "
		    "CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED is 0)", sep);
}

struct gpudirect_verdict gpudirect_judge(const struct gpudirect_host *g, size_t n,
					 const enum p2p_kind *kinds, const char *const *p2p,
					 const char *const *names)
{
	struct gpudirect_verdict v = { .status = CHECK_PASS, .path = "peer_memory" };
	size_t count[P2P_KINDS] = { 0 }, i, first[P2P_KINDS] = { 0 };
	char dmabuf[384], lacking[256] = "";
	size_t used = 0, lack_i = n;

	for (i = 0; i < n; i++) {
		if (!count[kinds[i]])
			first[kinds[i]] = i;
		count[kinds[i]]++;
		if (kinds[i] != P2P_NVIDIA && lack_i == n)
			lack_i = i;
	}
	describe_dmabuf(g, dmabuf, sizeof(dmabuf));
	if (lack_i < n) {
		if (kinds[lack_i] == P2P_NONE)
			snprintf(lacking, sizeof(lacking), "%s has none", names[lack_i]);
		else if (kinds[lack_i] == P2P_UNREADABLE)
			snprintf(lacking, sizeof(lacking), "%s's device/p2p is %s", names[lack_i],
				 p2p[lack_i]);
		else if (kinds[lack_i] == P2P_NO_FILE)
			snprintf(lacking, sizeof(lacking), "%s has no device/p2p or device/gdr",
				 names[lack_i]);
		else
			snprintf(lacking, sizeof(lacking), "%s has '%s', not an NVIDIA provider",
				 names[lack_i], p2p[lack_i]);
	}
	if (count[P2P_NVIDIA] == n) {
		add(v.detail, sizeof(v.detail), &used, "peer memory: provider %s on all %zu "
		    "devices; %s", p2p[first[P2P_NVIDIA]], n, dmabuf);
		return v;
	}
	/*
	 * Neither file: the in-tree kernel driver (no peer memory at all), or an amzn-drivers
	 * efa before 1.9.0 or built without peer-memory support. dma-buf is the only path then.
	 */
	if (count[P2P_NO_FILE] == n) {
		if (gpudirect_dmabuf(g).available) {
			v.path = "dmabuf";
			add(v.detail, sizeof(v.detail), &used, "%s; no device/p2p or device/gdr "
			    "(the in-tree efa driver, which has no peer memory): judged by "
			    "dma-buf alone", dmabuf);
			return v;
		}
		v.status = CHECK_FAIL;
		v.path = "none";
		add(v.detail, sizeof(v.detail), &used, "no GPUDirect path: no device/p2p or "
		    "device/gdr (the in-tree efa driver, which has no peer memory), so dma-buf is "
		    "the only path, and %s; install the EFA installer's efa driver, or meet "
		    "dma-buf's needs", dmabuf);
		v.remedy = "install the EFA installer's efa driver, or meet dma-buf's needs (the "
			   "NVIDIA open kernel module, Linux 5.12+, libfabric 1.20+)";
		return v;
	}
	if (gpudirect_dmabuf(g).available) {
		v.path = "dmabuf";
		add(v.detail, sizeof(v.detail), &used, "%s; peer memory on %zu of %zu devices (%s)",
		    dmabuf, count[P2P_NVIDIA], n, lacking);
		return v;
	}
	/* Only unreadable files stand between this node and a pass: say so, do not guess. */
	if (count[P2P_NVIDIA] + count[P2P_UNREADABLE] == n) {
		v.status = CHECK_WARN;
		v.path = "unknown";
		add(v.detail, sizeof(v.detail), &used, "cannot tell: %zu of %zu devices' "
		    "device/p2p unreadable (%s): run as root; %s", count[P2P_UNREADABLE], n,
		    lacking, dmabuf);
		v.remedy = "run efadiag info as root";
		return v;
	}
	v.status = CHECK_FAIL;
	v.path = "none";
	add(v.detail, sizeof(v.detail), &used, "no GPUDirect path: peer memory on %zu of %zu "
	    "devices (%s), and %s; install the EFA driver with NVIDIA peer-memory support (EFA "
	    "installer) with the NVIDIA driver loaded, or use dma-buf", count[P2P_NVIDIA], n,
	    lacking, dmabuf);
	v.remedy = "install the EFA driver with NVIDIA peer-memory support (EFA installer) with "
		   "the NVIDIA driver loaded, or use dma-buf";
	return v;
}
