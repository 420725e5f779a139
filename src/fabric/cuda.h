/* SPDX-License-Identifier: MIT */
/*
 * The CUDA driver, loaded at run time: efadiag builds and runs without CUDA, and only --mem cuda
 * and info's GPU facts need libcuda.so.1. The few driver API functions used are looked up with
 * dlsym and declared here, so no CUDA header is needed to build.
 */
#ifndef EFADIAG_FABRIC_CUDA_H
#define EFADIAG_FABRIC_CUDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CUDA_MAX_DEVICES 64

/* One GPU as the driver names it. */
struct cuda_device {
	int ordinal;
	char name[128];
	char pci[32];	     /* "0000:53:00.0", lower case, as sysfs names it */
	bool dmabuf;	     /* CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED */
	bool gpudirect_rdma; /* CU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_SUPPORTED */
};

/*
 * Loads libcuda.so.1 and initialises the driver (once per process; later calls give the first
 * answer). 0, or -1 with err saying what is missing: the library, a function, or cuInit's
 * error ("cuInit: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected").
 */
int cuda_load(char *err, size_t errlen);
/* Whether libcuda.so.1 could be opened at all (cuInit may still have failed). */
bool cuda_library_found(void);
/* The driver's CUDA version as cuDriverGetVersion gives it (13000 for 13.0), 0 when unknown. */
int cuda_driver_version(void);
/*
 * Whether GPU ordinal (-1: any GPU) can be used, asked in a child process: CUDA must not be
 * initialised in a process that forks a child which uses it too (--loopback's server half, a
 * persistent server's test), and libfabric initialises CUDA with its first fi_getinfo. The
 * number of GPUs, or -1 with err (what is missing, or no such GPU). Waits at most timeout_sec.
 */
int cuda_probe(int ordinal, double timeout_sec, char *err, size_t errlen);
/* GPUs the driver shows, or -1 with err. */
int cuda_device_count(char *err, size_t errlen);
/* Facts about GPU ordinal: 0, or -1 with err. */
int cuda_device_info(int ordinal, struct cuda_device *d, char *err, size_t errlen);
/* The ordinal of the GPU at PCI address pci ("0000:53:00.0", any case), -1 when none. */
int cuda_ordinal_of_pci(const char *pci);

/*
 * Makes GPU ordinal's primary context current on the calling thread, the context every
 * allocation, copy and dma-buf export here uses (the one the CUDA runtime inside libfabric
 * uses too). Cheap after the first call per thread. 0, or -1 with err.
 */
int cuda_bind(int ordinal, char *err, size_t errlen);

/* Device memory of GPU ordinal: 0 and *ptr (a unified virtual address), or -1 with err. */
int cuda_alloc(int ordinal, size_t size, void **ptr, char *err, size_t errlen);
void cuda_free(int ordinal, void *ptr);
/* Copies between host and device memory (synchronous): 0, or -1 with err. */
int cuda_to_device(int ordinal, void *dst, const void *src, size_t len, char *err, size_t errlen);
int cuda_to_host(int ordinal, void *dst, const void *src, size_t len, char *err, size_t errlen);
/*
 * A dma-buf file descriptor for [ptr, ptr + len) (cuMemGetHandleForAddressRange), exported
 * from the host page holding ptr: *fd and *offset, ptr's offset into it. -1 with err when
 * the driver cannot export one. The caller closes *fd.
 */
int cuda_dmabuf_fd(int ordinal, void *ptr, size_t len, int *fd, uint64_t *offset, char *err,
		   size_t errlen);

#endif
