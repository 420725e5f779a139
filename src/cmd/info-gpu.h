/* SPDX-License-Identifier: MIT */
/* info on GPU nodes: the GPUs, their nearest EFA devices, CUDA, and what GPUDirect can use. */
#ifndef EFADIAG_CMD_INFO_GPU_H
#define EFADIAG_CMD_INFO_GPU_H

#include <stdbool.h>
#include <stddef.h>

#include "fabric/cuda.h"
#include "host/efa_dev.h"
#include "host/gpudirect.h"
#include "host/pcitopo.h"
#include "ui/out.h"

struct info_gpu {
	struct pci_node gpus[PCITOPO_MAX_GPUS]; /* NVIDIA GPUs on the PCI bus */
	size_t ngpus;
	struct cuda_device cuda[CUDA_MAX_DEVICES]; /* as the CUDA driver numbers them */
	int ncuda;				   /* -1: CUDA not usable (cuda_err says why) */
	bool cuda_library;			   /* libcuda.so.1 could be opened */
	char cuda_err[384];
	int fi_hmem; /* the provider offers FI_HMEM: 1, 0, or -1 not asked */
};

/*
 * Collects GPUs (sysfs), CUDA (the driver, loaded here) and whether provider offers FI_HMEM
 * (asked only when ask_hmem: its listing went well). After any fork of info's.
 */
void info_gpu_collect(struct info_gpu *gi, const char *provider, bool ask_hmem);
/* Whether there is anything to say: GPUs on the bus, or CUDA showing some. */
bool info_gpu_present(const struct info_gpu *gi);
/* What the CUDA driver says of dma-buf on all its GPUs, for the gpudirect check. */
enum cuda_dmabuf info_gpu_dmabuf(const struct info_gpu *gi);
/*
 * The "gpus" table (each GPU's nearest EFA devices on the PCIe tree) and the "gpudirect"
 * record (CUDA, the NVIDIA module, dma-buf, FI_HMEM, and path: the gpudirect check's).
 */
void info_gpu_emit(struct out *o, const struct info_gpu *gi, const struct efa_dev *devs,
		   size_t ndevs, const struct gpudirect_host *g, const char *path);

#endif
