// SPDX-License-Identifier: MIT
/* The GPU nearest a domain's NIC (bw, mesh with --mem cuda). */
#include "config.h"

#include "fabric/gpu-near.h"

#include <stdlib.h>

#include "fabric/cuda.h"
#include "host/efa_dev.h"
#include "util.h"

int gpu_nearest_domain(const char *domain, struct gpu_near *g)
{
	struct pci_node gpus[PCITOPO_MAX_GPUS], nic;
	struct efa_dev *devs = NULL;
	const struct efa_dev *dev;
	size_t ngpus, ndevs = efa_dev_scan(&devs);
	int near, ordinal = -1;

	*g = (struct gpu_near){ .link = PCI_LINK_UNKNOWN, .steps = -1 };
	dev = efa_dev_for_domain(devs, ndevs, domain);
	if (dev && !pcitopo_node(dev->pci, &nic)) {
		str_copy(g->nic_pci, sizeof(g->nic_pci), dev->pci);
		ngpus = pcitopo_gpus(gpus, PCITOPO_MAX_GPUS);
		near = pcitopo_nearest(&nic, gpus, ngpus);
		if (near >= 0) {
			ordinal = cuda_ordinal_of_pci(gpus[near].pci);
			g->link = pcitopo_link(&nic, &gpus[near], &g->steps);
		}
	}
	free(devs);
	return ordinal;
}
