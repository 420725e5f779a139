/* SPDX-License-Identifier: MIT */
/*
 * Where devices sit on the PCIe tree, and which GPU is nearest to a NIC: what NCCL reads to
 * pair them. A device's place is its path below /sys/devices, reached through the symlink
 * /sys/bus/pci/devices/ADDR ("/sys/devices/pci0000:50/0000:50:01.1/0000:51:00.0/.../ADDR");
 * two devices are the nearer the longer the part of their paths they share.
 */
#ifndef EFADIAG_PCITOPO_H
#define EFADIAG_PCITOPO_H

#include <stddef.h>

#define PCITOPO_PATH_MAX 512
#define PCITOPO_MAX_GPUS 64

/* A PCI device and its path on the tree. */
struct pci_node {
	char pci[32];			/* "0000:53:00.0" */
	char path[PCITOPO_PATH_MAX];	/* "/sys/devices/pci0000:50/...", "" when not known */
	long numa_node;			/* -1 when the platform does not say */
};

/* How two devices are connected, in NCCL's words. */
enum pci_link {
	PCI_LINK_UNKNOWN, /* a path is not known */
	PCI_LINK_PIX,	  /* below the same PCIe switch */
	PCI_LINK_PXB,	  /* across several bridges, not through the CPU */
	PCI_LINK_PHB,	  /* through one PCIe host bridge (root complex) */
	PCI_LINK_SYS,	  /* across root complexes: through the CPU's interconnect */
};

/* Fills n's path and NUMA node for the device at pci: 0, or a negative errno. */
int pcitopo_node(const char *pci, struct pci_node *n);
/* The NVIDIA GPUs (vendor 0x10de, display or 3D controller class), in address order. */
size_t pcitopo_gpus(struct pci_node *gpus, size_t max);
/*
 * The link between two devices, and in *steps the edges of the tree between them (up to
 * their common ancestor and down again; -1 when not known).
 */
enum pci_link pcitopo_link(const struct pci_node *a, const struct pci_node *b, int *steps);
const char *pcitopo_link_str(enum pci_link l);
/*
 * The index of the GPU nearest to nic among gpus[0..n): the longest shared path, then the
 * lower address. -1 when none has a known path, or nic has none.
 */
int pcitopo_nearest(const struct pci_node *nic, const struct pci_node *gpus, size_t n);

#endif
