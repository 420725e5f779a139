// SPDX-License-Identifier: MIT
/* info on GPU nodes: the GPUs, their nearest EFA devices, CUDA, and what GPUDirect can use. */
#include "cmd/info-gpu.h"

#include <rdma/fabric.h>
#include <stdio.h>
#include <string.h>

#include "fabric/discover.h"
#include "host/sysfs.h"
#include "util.h"

static const struct out_col gpu_cols[] = {
	{ "pci_address", "PCI", OUT_STR, 0, 0 },
	{ "numa_node", "NUMA", OUT_INT, 0, 0 },
	{ "cuda_device", "CUDA", OUT_INT, 0, 0 },
	{ "name", "NAME", OUT_STR, 0, 0 },
	{ "dmabuf_supported", "DMA-BUF", OUT_BOOL, 0, 0 },
	{ "nearest_efa", "NEAREST EFA", OUT_STR, 0, 0 },
	{ "link", "LINK", OUT_STR, 0, 0 },
};

static const struct out_col gpudirect_cols[] = {
	{ "path", "GPUDirect path", OUT_STR, 0, 0 },
	{ "cuda_library", "libcuda.so.1", OUT_STR, 0, 0 },
	{ "cuda_error", "CUDA error", OUT_STR, 0, 0 },
	{ "cuda_driver_version", "CUDA driver", OUT_STR, 0, 0 },
	{ "nvidia_module", "NVIDIA kernel module", OUT_STR, 0, 0 },
	{ "nvidia_driver", "NVIDIA driver", OUT_STR, 0, 0 },
	{ "dmabuf_supported", "GPUs export dma-buf", OUT_BOOL, 0, 0 },
	{ "fi_hmem", "provider offers FI_HMEM", OUT_BOOL, 0, 0 },
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

void info_gpu_collect(struct info_gpu *gi, const char *provider, bool ask_hmem)
{
	int i;

	memset(gi, 0, sizeof(*gi));
	gi->fi_hmem = -1;
	gi->ngpus = pcitopo_gpus(gi->gpus, PCITOPO_MAX_GPUS);
	gi->ncuda = cuda_device_count(gi->cuda_err, sizeof(gi->cuda_err));
	gi->cuda_library = cuda_library_found();
	for (i = 0; i < gi->ncuda; i++)
		cuda_device_info(i, &gi->cuda[i], NULL, 0);
	if (ask_hmem && info_gpu_present(gi))
		gi->fi_hmem = fabric_provider_has(provider, FI_MSG | FI_HMEM);
}

bool info_gpu_present(const struct info_gpu *gi)
{
	return gi->ngpus > 0 || gi->ncuda > 0;
}

enum cuda_dmabuf info_gpu_dmabuf(const struct info_gpu *gi)
{
	int i;

	if (gi->ncuda <= 0)
		return CUDA_DMABUF_UNKNOWN;
	for (i = 0; i < gi->ncuda; i++)
		if (!gi->cuda[i].dmabuf)
			return CUDA_DMABUF_NO;
	return CUDA_DMABUF_YES;
}

static const struct cuda_device *cuda_of(const struct info_gpu *gi, const char *pci)
{
	int i;

	for (i = 0; i < gi->ncuda; i++)
		if (!strcasecmp(gi->cuda[i].pci, pci))
			return &gi->cuda[i];
	return NULL;
}

/* The EFA devices nearest to gpu (all at the fewest steps), comma-separated; the link. */
static enum pci_link nearest_efa(const struct pci_node *gpu, const struct efa_dev *devs,
				 size_t ndevs, char *buf, size_t len)
{
	enum pci_link best_link = PCI_LINK_UNKNOWN, link;
	int best = -1, steps;
	size_t i, used = 0;
	struct pci_node nic;

	buf[0] = '\0';
	for (i = 0; i < ndevs; i++) {
		if (devs[i].id_err || pcitopo_node(devs[i].pci, &nic))
			continue;
		link = pcitopo_link(gpu, &nic, &steps);
		if (steps < 0 || (best >= 0 && steps > best))
			continue;
		if (steps < best || best < 0) {
			used = 0;
			buf[0] = '\0';
		}
		best = steps;
		best_link = link;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
						 devs[i].name);
	}
	return best_link;
}

static void emit_gpus(struct out *o, const struct info_gpu *gi, const struct efa_dev *devs,
		      size_t ndevs)
{
	struct out_table *t = out_table_new(o, "gpus", "GPUs", gpu_cols, NCOLS(gpu_cols));
	size_t i;
	int c;

	for (i = 0; i < gi->ngpus; i++) {
		const struct cuda_device *cd = cuda_of(gi, gi->gpus[i].pci);
		cJSON *row = out_table_row(t), *near;
		char names[512], *tok, *save = NULL;
		enum pci_link link = nearest_efa(&gi->gpus[i], devs, ndevs, names, sizeof(names));

		out_set_str(row, "pci_address", "%s", gi->gpus[i].pci);
		if (gi->gpus[i].numa_node >= 0)
			out_set_num(row, "numa_node", (double)gi->gpus[i].numa_node);
		if (cd) {
			out_set_num(row, "cuda_device", cd->ordinal);
			out_set_str(row, "name", "%s", cd->name);
			out_set_bool(row, "dmabuf_supported", cd->dmabuf);
		}
		/* A list for scripts; people read it joined. */
		near = cJSON_AddArrayToObject(row, "nearest_efa");
		for (tok = strtok_r(names, ",", &save); near && tok; tok = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(near, cJSON_CreateString(tok));
		out_set_str(row, "link", "%s", pcitopo_link_str(link));
	}
	/*
	 * GPUs the driver shows that the bus does not (a container without /sys/bus/pci). Not
	 * under a sysroot: the driver describes this machine, the tree another.
	 */
	for (c = 0; sysfs_is_real_root() && c < gi->ncuda; c++) {
		cJSON *row;

		for (i = 0; i < gi->ngpus && strcasecmp(gi->gpus[i].pci, gi->cuda[c].pci); i++)
			;
		if (i < gi->ngpus)
			continue;
		row = out_table_row(t);
		out_set_str(row, "pci_address", "%s", gi->cuda[c].pci);
		out_set_num(row, "cuda_device", gi->cuda[c].ordinal);
		out_set_str(row, "name", "%s", gi->cuda[c].name);
		out_set_bool(row, "dmabuf_supported", gi->cuda[c].dmabuf);
		cJSON_AddArrayToObject(row, "nearest_efa");
		out_set_str(row, "link", "unknown");
	}
	out_table_end(t);
}

void info_gpu_emit(struct out *o, const struct info_gpu *gi, const struct efa_dev *devs,
		   size_t ndevs, const struct gpudirect_host *g, const char *path)
{
	cJSON *obj;
	int v = cuda_driver_version();

	if (!info_gpu_present(gi))
		return;
	emit_gpus(o, gi, devs, ndevs);
	obj = cJSON_CreateObject();
	if (!obj)
		return;
	out_set_str(obj, "path", "%s", path);
	out_set_str(obj, "cuda_library", "%s", gi->ncuda >= 0 ? "loaded" :
		    gi->cuda_library ? "loaded, failed" : "not found");
	if (gi->ncuda < 0)
		out_set_str(obj, "cuda_error", "%s", gi->cuda_err);
	if (v > 0)
		out_set_str(obj, "cuda_driver_version", "%d.%d", v / 1000, v % 1000 / 10);
	out_set_str(obj, "nvidia_module", "%s", g->nvidia == NVIDIA_OPEN ? "open" :
		    g->nvidia == NVIDIA_PROPRIETARY ? "proprietary" : "not loaded");
	if (g->nvidia_version[0])
		out_set_str(obj, "nvidia_driver", "%s", g->nvidia_version);
	if (info_gpu_dmabuf(gi) != CUDA_DMABUF_UNKNOWN)
		out_set_bool(obj, "dmabuf_supported", info_gpu_dmabuf(gi) == CUDA_DMABUF_YES);
	if (gi->fi_hmem >= 0)
		out_set_bool(obj, "fi_hmem", gi->fi_hmem);
	out_record(o, "gpudirect", "GPUDirect", gpudirect_cols, NCOLS(gpudirect_cols), obj);
}
