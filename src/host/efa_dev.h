/* SPDX-License-Identifier: MIT */
/* EFA devices: found in sysfs by PCI id, with their port, PCI, NUMA, uverbs and efadv facts. */
#ifndef EFADIAG_EFA_DEV_H
#define EFADIAG_EFA_DEV_H

#include <stdbool.h>
#include <stddef.h>

#define EFA_PCI_VENDOR 0x1d0f

struct efa_dev {
	char name[64];	     /* rdma device, e.g. rdmap16s27 */
	char pci[32];	     /* PCI address, e.g. 0000:10:1b.0 */
	long pci_device;     /* 0xefa0 ... 0xefa4 */
	long numa_node;	     /* -1 when the platform does not say */
	char port_state[32]; /* "ACTIVE", "DOWN", ... of port 1 */
	char link_rate[64];  /* "100 Gb/sec (4X EDR)" */
	char p2p[128];	     /* GPUDirect peer-memory provider, "" when none */
	char uverbs[32];     /* uverbs0, "" when no verbs device is bound */
	int uverbs_err;	     /* 0 when /dev/infiniband/uverbsN opened, else a negative errno */
	/* efadv: only on a real device with rdma-core's libefa */
	bool efadv_queried;
	bool rdma_read;
	bool rdma_write;
	bool rnr_retry;
	unsigned int max_rdma_size;
};

/* True for the PCI device ids EFA devices have. */
bool efa_dev_pci_id_is_efa(long vendor, long device);
/* Scans /sys/class/infiniband (below EFADIAG_SYSROOT). Returns the count; *devs is malloc'd. */
size_t efa_dev_scan(struct efa_dev **devs);
/* The device an efa domain sits on: "rdmap16s27-rdm" -> the entry named "rdmap16s27". */
const struct efa_dev *efa_dev_for_domain(const struct efa_dev *devs, size_t n, const char *domain);
/* The efa kernel driver's version, or "" when not known. */
void efa_driver_version(char *buf, size_t len);

#endif
