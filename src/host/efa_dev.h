/* SPDX-License-Identifier: MIT */
/* EFA devices: found in sysfs by PCI id, with their port, PCI, NUMA, uverbs and efadv facts. */
#ifndef EFADIAG_EFA_DEV_H
#define EFADIAG_EFA_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EFA_PCI_VENDOR 0x1d0f

/* "unreadable (permission)" and such: longer than any value it stands for. */
#define EFA_DEV_TEXT 64

struct efa_dev {
	char dir[256];	     /* its directory in /sys/class/infiniband, as read (paths only) */
	char name[64];	     /* rdma device, e.g. rdmap16s27, printable (sysfs_printable) */
	int id_err;	     /* 0, or why vendor/device could not be read: EFA is unconfirmed */
	char pci[32];	     /* PCI address, e.g. 0000:10:1b.0 */
	long pci_device;     /* 0xefa0 ... 0xefa4 */
	long numa_node;	     /* -1 when the platform does not say */
	char port_state[EFA_DEV_TEXT]; /* "ACTIVE", "DOWN", ... of port 1; "" when absent */
	int port_err;	     /* 0, or why ports/1/state could not be read */
	char link_rate[64];  /* "100 Gb/sec (4X EDR)" */
	char p2p[128];	     /* GPUDirect peer-memory provider, "" when none */
	int p2p_err;	     /* 0, or why device/p2p could not be read (-ENOENT: no such file) */
	/*
	 * device/gdr, read only where device/p2p is absent: efa driver 1.9.0 to 2.5.x wrote "1"
	 * or "0" there for NVIDIA peer memory; 2.6.0 replaced it with device/p2p.
	 */
	char gdr[EFA_DEV_TEXT];
	int gdr_err;	     /* 0, or why device/gdr could not be read; -ENOENT when not read */
	char uverbs[EFA_DEV_TEXT]; /* uverbs0, "" when no verbs device is bound */
	int uverbs_err;	     /* 0 when /dev/infiniband/uverbsN opened, else a negative errno */
	/* efadv: only on a real device with rdma-core's libefa */
	bool efadv_queried;
	bool rdma_read;
	bool rdma_write;
	/*
	 * Whether rdma_write can be trusted: libefa before rdma-core 46 never sets the RDMA
	 * write bit, whatever the device can do, so a clear bit from it says nothing.
	 */
	bool rdma_write_known;
	bool rnr_retry;
	unsigned int max_rdma_size;
	int libefa_major;    /* the rdma-core release of the libefa that answered, 0 unknown */
};

/*
 * efadv_device_attr.device_caps bits. They are ABI: rdma-core numbers them once and never
 * changes them (providers/efa/efadv.h, rdma-core v44.0 to v64.0), so efadiag uses the values
 * whatever the headers it was built with define; rdma-core 44's headers lack RDMA write.
 */
#define EFA_CAP_RDMA_READ (1u << 0)
#define EFA_CAP_RNR_RETRY (1u << 1)
#define EFA_CAP_RDMA_WRITE (1u << 3)
/* The first rdma-core whose libefa reports RDMA write (providers/efa/verbs.c, v46.0). */
#define EFA_LIBEFA_RDMA_WRITE_SINCE 46

/*
 * Fills d's capabilities from efadv device_caps as libefa of rdma-core libefa_major (0 when
 * unknown) reported them.
 */
void efa_dev_set_caps(struct efa_dev *d, uint32_t caps, unsigned int max_rdma_size,
		      int libefa_major);
/* "libefa.so.1.2.44.0" -> 44: the rdma-core release in a libefa file name, 0 when none. */
int efa_dev_libefa_major(const char *path);
/* True for the PCI device ids EFA devices have. */
bool efa_dev_pci_id_is_efa(long vendor, long device);
/*
 * Scans /sys/class/infiniband (below EFADIAG_SYSROOT). Returns the count; *devs is malloc'd.
 * A device whose PCI vendor or device id cannot be read is listed too, with id_err set:
 * it may be an EFA device, and dropping it would make a short node look complete.
 */
size_t efa_dev_scan(struct efa_dev **devs);
/* The device an efa domain sits on: "rdmap16s27-rdm" -> the entry named "rdmap16s27". */
const struct efa_dev *efa_dev_for_domain(const struct efa_dev *devs, size_t n, const char *domain);
/* The efa kernel driver's version, or "" when not known. */
void efa_driver_version(char *buf, size_t len);

#endif
