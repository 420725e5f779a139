/* SPDX-License-Identifier: MIT */
/* The GPU a domain's test buffers go to with plain --mem cuda: the one nearest its NIC. */
#ifndef EFADIAG_GPU_NEAR_H
#define EFADIAG_GPU_NEAR_H

#include "host/pcitopo.h"

struct gpu_near {
	char nic_pci[32];   /* "" when the domain has no PCI device of its own */
	enum pci_link link; /* NIC to GPU */
	int steps;	    /* edges of the PCIe tree between them, -1 unknown */
};

/*
 * The CUDA ordinal of the GPU nearest the domain's NIC on the PCIe tree, as NCCL pairs them;
 * -1 (GPU 0) where the domain has no PCI device of its own (tcp, shm) or the tree does not
 * say. g says what was found.
 */
int gpu_nearest_domain(const char *domain, struct gpu_near *g);

#endif
