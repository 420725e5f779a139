/* SPDX-License-Identifier: MIT */
/*
 * GPUDirect RDMA on NVIDIA GPU instances: which path the EFA devices have to GPU memory.
 * Two exist. Peer memory: the efa driver calls nvidia_p2p_* (directly, "NVIDIA", or through
 * the efa_nv_peermem shim, "NVIDIA peermem") and says so in each device's device/p2p (efa
 * driver 2.6.0 and later) or device/gdr, "1" or "0" (1.9.0 to 2.5.x); the in-tree kernel
 * driver has neither file and no peer memory.
 * dma-buf: libfabric registers GPU memory through a dma-buf file descriptor, which needs the
 * NVIDIA open kernel module, a kernel with RDMA dma-buf import (5.12) and libfabric 1.20.
 */
#ifndef EFADIAG_GPUDIRECT_H
#define EFADIAG_GPUDIRECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/checks.h"

/* What a device/p2p (or, before it, device/gdr) file says. */
enum p2p_kind {
	P2P_NONE,	/* empty, or gdr "0": no peer-memory provider resolved */
	P2P_NVIDIA,	/* "NVIDIA" or "NVIDIA peermem", or gdr "1" */
	P2P_OTHER,	/* "NEURON", or anything else: no use to an NVIDIA GPU */
	P2P_UNREADABLE, /* there, but could not be read */
	P2P_NO_FILE,	/* neither device/p2p nor device/gdr: a driver without peer memory */
	P2P_KINDS
};

enum nvidia_module { NVIDIA_NOT_LOADED, NVIDIA_PROPRIETARY, NVIDIA_OPEN };

enum cuda_dmabuf {
	CUDA_DMABUF_UNKNOWN, /* CUDA not loaded, or not asked */
	CUDA_DMABUF_YES,     /* every GPU exports dma-buf */
	CUDA_DMABUF_NO,	     /* a GPU does not */
};

struct gpudirect_host {
	enum nvidia_module nvidia;
	char nvidia_version[128];  /* /proc/driver/nvidia/version's first line, printable */
	int kernel_major;	   /* -1 when unknown */
	int kernel_minor;
	char kernel_release[64];   /* "6.1.0-18-amd64", "" when unknown */
	uint32_t libfabric;	   /* FI_VERSION of the runtime */
	/* What the CUDA driver says of dma-buf export (CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED):
	 * set by the caller that asked it. */
	enum cuda_dmabuf cuda_dmabuf;
};

/* Facts below EFADIAG_SYSROOT (/proc/driver/nvidia, /sys/module/nvidia, osrelease). */
void gpudirect_collect(struct gpudirect_host *g);
/* Classifies device/p2p's text; read_err is sysfs_read's result for it. */
enum p2p_kind gpudirect_p2p_kind(const char *p2p, int read_err);
/*
 * Classifies a device by device/p2p, or where that file is absent by device/gdr (gdr_err is
 * sysfs_read's result for it): P2P_NO_FILE when neither is there.
 */
enum p2p_kind gpudirect_dev_kind(const char *p2p, int p2p_err, const char *gdr, int gdr_err);
/* "6.1.0-18-amd64" -> 6, 1; false when it does not start with MAJOR.MINOR. */
bool gpudirect_parse_kernel(const char *release, int *major, int *minor);

/* The dma-buf path's requirements, each true or false, and whether all are met. */
struct dmabuf_path {
	bool open_module;
	bool kernel;
	bool libfabric;
	bool cuda;	/* the CUDA driver does not deny it (cuda_dmabuf is not CUDA_DMABUF_NO) */
	bool available;
};
struct dmabuf_path gpudirect_dmabuf(const struct gpudirect_host *g);

/* The verdict for the gpudirect check. */
struct gpudirect_verdict {
	enum check_status status;
	const char *path; /* "dmabuf", "peer_memory", "none" or "unknown" */
	char detail[768];
	const char *remedy; /* what to do when not pass (docs/vocabulary.md), else NULL */
};
/*
 * Judges n devices whose device/p2p read as kinds[] (texts in p2p[], names in names[]) on an
 * NVIDIA GPU instance: pass when every device has an NVIDIA peer-memory provider or dma-buf
 * is available, fail when neither, warn when what is missing could not be read. Devices whose
 * driver reports no peer memory at all (P2P_NO_FILE) are judged by dma-buf alone.
 */
struct gpudirect_verdict gpudirect_judge(const struct gpudirect_host *g, size_t n,
					 const enum p2p_kind *kinds, const char *const *p2p,
					 const char *const *names);

#endif
