// SPDX-License-Identifier: MIT
/* The PCIe tree from sysfs: device paths, GPUs, and the GPU nearest to a NIC. */
#include "host/pcitopo.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "host/sysfs.h"
#include "util.h"

#define NVIDIA_PCI_VENDOR 0x10de
/* PCI classes 0x0300 (VGA) and 0x0302 (3D controller: the data-centre GPUs). */
#define CLASS_DISPLAY_VGA 0x0300
#define CLASS_DISPLAY_3D 0x0302

int pcitopo_node(const char *pci, struct pci_node *n)
{
	char link[PATH_MAX], real[PATH_MAX], root[PATH_MAX];
	const char *sysroot = sysfs_root();
	size_t rl = 0;

	memset(n, 0, sizeof(*n));
	str_copy(n->pci, sizeof(n->pci), pci);
	n->numa_node = -1;
	if (!pci[0] || strchr(pci, '/') || !sysfs_path(link, sizeof(link), "/sys/bus/pci/devices/%s",
						   pci))
		return -EINVAL;
	if (!realpath(link, real))
		return -errno;
	/* The path as the node sees it: the sysroot's own resolved prefix taken off. */
	if (sysroot[0]) {
		if (!realpath(sysroot, root))
			return -errno;
		rl = strlen(root);
		if (strncmp(real, root, rl) || real[rl] != '/')
			return -EXDEV;
	}
	/* A tree without the symlink (a plain directory) says nothing about the topology. */
	if (strncmp(real + rl, "/sys/devices/", 13))
		return -ENOLINK;
	sysfs_printable(n->path, sizeof(n->path), real + rl, strlen(real + rl));
	if (sysfs_read_long(&n->numa_node, "/sys/bus/pci/devices/%s/numa_node", pci))
		n->numa_node = -1;
	return 0;
}

static int by_address(const void *a, const void *b)
{
	return strcmp(((const struct pci_node *)a)->pci, ((const struct pci_node *)b)->pci);
}

size_t pcitopo_gpus(struct pci_node *gpus, size_t max)
{
	char dir[PATH_MAX];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	if (!sysfs_path(dir, sizeof(dir), "/sys/bus/pci/devices"))
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		long vendor, class;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(gpus[0].pci))
			continue;
		if (sysfs_read_long(&vendor, "/sys/bus/pci/devices/%s/vendor", e->d_name) ||
		    vendor != NVIDIA_PCI_VENDOR ||
		    sysfs_read_long(&class, "/sys/bus/pci/devices/%s/class", e->d_name) ||
		    ((class >> 8) != CLASS_DISPLAY_3D && (class >> 8) != CLASS_DISPLAY_VGA))
			continue;
		/* Listed even when its path is not known: the GPU is there. */
		pcitopo_node(e->d_name, &gpus[n]);
		str_copy(gpus[n].pci, sizeof(gpus[n].pci), e->d_name);
		n++;
	}
	closedir(d);
	qsort(gpus, n, sizeof(gpus[0]), by_address);
	return n;
}

/* Path components: "/sys/devices/pci0000:50/0000:50:01.1" has 4. */
static size_t components(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
		n += *p == '/' && p[1] && p[1] != '/';
	return n;
}

/* Whole components a and b share from the start. */
static size_t shared(const char *a, const char *b)
{
	size_t n = 0, i;

	for (i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/' && i > 0)
			n++;
	/* The last one counts when it ends in both at the same place. */
	if (i > 0 && (a[i] == '/' || !a[i]) && (b[i] == '/' || !b[i]))
		n++;
	return n;
}

/* "/sys/devices/pci0000:50" is the host bridge: 3 components; a root port is the 4th. */
#define HOST_BRIDGE_DEPTH 3

enum pci_link pcitopo_link(const struct pci_node *a, const struct pci_node *b, int *steps)
{
	size_t common, ca, cb;

	*steps = -1;
	if (!a->path[0] || !b->path[0])
		return PCI_LINK_UNKNOWN;
	common = shared(a->path, b->path);
	ca = components(a->path);
	cb = components(b->path);
	/* Steps on the tree from one device up to their common ancestor and down to the other. */
	*steps = (int)(ca - common) + (int)(cb - common);
	if (common < HOST_BRIDGE_DEPTH)
		return PCI_LINK_SYS;
	if (common == HOST_BRIDGE_DEPTH)
		return PCI_LINK_PHB;
	/* Below one switch: each device at most a downstream port away from it. */
	if (common > HOST_BRIDGE_DEPTH + 1 && ca - common <= 2 && cb - common <= 2)
		return PCI_LINK_PIX;
	return PCI_LINK_PXB;
}

const char *pcitopo_link_str(enum pci_link l)
{
	static const char *const names[] = { [PCI_LINK_UNKNOWN] = "unknown", [PCI_LINK_PIX] = "PIX",
					     [PCI_LINK_PXB] = "PXB", [PCI_LINK_PHB] = "PHB",
					     [PCI_LINK_SYS] = "SYS" };

	return (unsigned)l < sizeof(names) / sizeof(names[0]) ? names[l] : "unknown";
}

int pcitopo_nearest(const struct pci_node *nic, const struct pci_node *gpus, size_t n)
{
	size_t i, best_shared = 0;
	int best = -1;

	if (!nic->path[0])
		return -1;
	for (i = 0; i < n; i++) {
		size_t s;

		if (!gpus[i].path[0])
			continue;
		s = shared(nic->path, gpus[i].path);
		/* gpus is in address order: on a tie the first found, the lower address, stays. */
		if (best < 0 || s > best_shared) {
			best = (int)i;
			best_shared = s;
		}
	}
	return best;
}
