// SPDX-License-Identifier: MIT
/* Registration of test buffers with an endpoint's domain, and the RMA keys peers exchange. */
#include "fabric/mr.h"

#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fabric/cuda.h"

static int reg_fail(struct fab_ep *ep, const char *call, int ret)
{
	snprintf(ep->err_text, sizeof(ep->err_text), "%s: %s (%d)", call, fi_strerror(-ret), ret);
	ep->err_class = FAB_ERR_OTHER;
	return ret;
}

/* FI_MR_DMABUF and struct fi_mr_dmabuf came with libfabric 1.20. */
#if defined(FI_MR_DMABUF) && FI_VERSION_GE(FI_VERSION(FI_MAJOR_VERSION, FI_MINOR_VERSION), \
					   FI_VERSION(1, 20))
#define HAVE_FI_MR_DMABUF 1
#endif

/*
 * GPU memory through a dma-buf: the driver exports the range as a file descriptor and the
 * provider hands it to the kernel (ib_umem_dmabuf), with no NVIDIA peer-memory module. 0, or
 * a negative error with b->mr_note saying why not.
 */
/*
 * FI_HMEM_DEVICE_ONLY for GPU memory (cuMemAlloc's is the device's alone): without it shm
 * never uses CUDA IPC, a device-to-device copy, and stages every message through host
 * memory instead (fi_mr(3); fabtests sets it the same way).
 */
static uint64_t device_only_flag(const struct fab_buf *b)
{
#ifdef FI_HMEM_DEVICE_ONLY
	return b->mem == FAB_MEM_CUDA ? FI_HMEM_DEVICE_ONLY : 0;
#else
	(void)b;
	return 0;
#endif
}

static int register_dmabuf(struct fab_buf *b, struct fab_ep *ep, struct fi_mr_attr *attr)
{
#ifdef HAVE_FI_MR_DMABUF
	struct fi_mr_dmabuf dmabuf;
	struct cuda_device dev;
	uint64_t offset;
	char err[200];
	int fd, ret;

	if (fi_version() < FI_VERSION(1, 20)) {
		snprintf(b->mr_note, sizeof(b->mr_note), "dma-buf: libfabric %u.%u loaded, 1.20+ "
			 "needed", FI_MAJOR(fi_version()), FI_MINOR(fi_version()));
		return -FI_ENOSYS;
	}
	if (cuda_device_info(b->device, &dev, err, sizeof(err)) || !dev.dmabuf) {
		snprintf(b->mr_note, sizeof(b->mr_note), "dma-buf: GPU %d does not support it "
			 "(CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED is 0: the proprietary NVIDIA "
			 "kernel module, or a kernel without dma-buf)", b->device);
		return -FI_ENOSYS;
	}
	if (cuda_dmabuf_fd(b->device, b->base, b->size, &fd, &offset, err, sizeof(err))) {
		snprintf(b->mr_note, sizeof(b->mr_note), "dma-buf: %s", err);
		return -FI_ENOSYS;
	}
	dmabuf = (struct fi_mr_dmabuf){ .fd = fd, .offset = offset, .len = b->size,
					.base_addr = (char *)b->base - offset };
	attr->dmabuf = &dmabuf;
	ret = fi_mr_regattr(ep->domain, attr, FI_MR_DMABUF | device_only_flag(b), &b->mr);
	/* The registration holds its own reference to the dma-buf. */
	close(fd);
	if (ret) {
		b->mr = NULL;
		snprintf(b->mr_note, sizeof(b->mr_note), "dma-buf: fi_mr_regattr(FI_MR_DMABUF): "
			 "%s (%d)", fi_strerror(-ret), ret);
	}
	return ret;
#else
	(void)ep;
	(void)attr;
	snprintf(b->mr_note, sizeof(b->mr_note), "dma-buf: efadiag was built against libfabric "
		 "%d.%d, without FI_MR_DMABUF (1.20+)", FI_MAJOR_VERSION, FI_MINOR_VERSION);
	return -FI_ENOSYS;
#endif
}

int fab_buf_register(struct fab_buf *b, struct fab_ep *ep)
{
	/* Keys we choose (no FI_MR_PROV_KEY) must differ between regions of one domain. */
	static uint64_t next_key = 1;
	uint64_t mode = (uint64_t)ep->info->domain_attr->mr_mode;
	struct iovec iov = { .iov_base = b->base, .iov_len = b->size };
	struct fi_mr_attr attr = { .mr_iov = &iov, .iov_count = 1, .iface = FI_HMEM_SYSTEM };
	char err[200];
	int ret;

	b->owner_abandoned = &ep->abandoned;
	if (b->mr)
		return 0;
	/*
	 * Registration only where the provider asks for it (efa: FI_MR_LOCAL) or for RMA; GPU
	 * memory always: the descriptor is what tells the provider the memory is CUDA's.
	 */
	if (b->mem == FAB_MEM_HOST && !(mode & FI_MR_LOCAL) && !(ep->caps & FI_RMA))
		return 0;
	attr.access = FI_SEND | FI_RECV;
	if (ep->caps & FI_RMA)
		attr.access |= FI_READ | FI_WRITE | FI_REMOTE_READ | FI_REMOTE_WRITE;
	attr.requested_key = __atomic_fetch_add(&next_key, 1, __ATOMIC_RELAXED);
	if (b->mem == FAB_MEM_CUDA) {
		attr.iface = FI_HMEM_CUDA;
		attr.device.cuda = b->device;
		/* The thread that registers needs the GPU's context (the export fails without). */
		if (fab_buf_bind_thread(b, err, sizeof(err)))
			return reg_fail(ep, err, -FI_EINVAL);
		/* dma-buf first, as aws-ofi-nccl does; the virtual address next. */
		ret = register_dmabuf(b, ep, &attr);
		if (!ret) {
			b->mr_path = FAB_MR_DMABUF;
			goto bind;
		}
		attr.mr_iov = &iov;
		attr.requested_key = __atomic_fetch_add(&next_key, 1, __ATOMIC_RELAXED);
	}
	ret = fi_mr_regattr(ep->domain, &attr, device_only_flag(b), &b->mr);
	if (ret) {
		b->mr = NULL;
		if (b->mem == FAB_MEM_CUDA) {
			snprintf(err, sizeof(err), "fi_mr_regattr(FI_HMEM_CUDA, GPU %d) by virtual "
				 "address", b->device);
			reg_fail(ep, err, ret);
			snprintf(ep->err_text + strlen(ep->err_text),
				 sizeof(ep->err_text) - strlen(ep->err_text), "; %s", b->mr_note);
			return ret;
		}
		return reg_fail(ep, "fi_mr_regattr", ret);
	}
	b->mr_path = FAB_MR_VA;
bind:
	if (mode & FI_MR_ENDPOINT) {
		ret = fi_mr_bind(b->mr, &ep->ep->fid, 0);
		if (ret)
			return reg_fail(ep, "fi_mr_bind", ret);
		ret = fi_mr_enable(b->mr);
		if (ret)
			return reg_fail(ep, "fi_mr_enable", ret);
	}
	b->desc = fi_mr_desc(b->mr);
	return 0;
}

int fab_buf_rkey(const struct fab_buf *b, const struct fab_ep *ep, struct fab_rkey *k)
{
	uint64_t mode = (uint64_t)ep->info->domain_attr->mr_mode;

	memset(k, 0, sizeof(*k));
	if (!b->mr)
		return -1;
	/* FI_MR_VIRT_ADDR: the peer names our memory by its virtual address, else by offset. */
	k->addr = (mode & FI_MR_VIRT_ADDR) ? (uint64_t)(uintptr_t)b->base : 0;
	if (mode & FI_MR_RAW) {
		k->raw_len = sizeof(k->raw);
		return fi_mr_raw_attr(b->mr, &k->raw_base, k->raw, &k->raw_len, 0) ? -1 : 0;
	}
	k->key = fi_mr_key(b->mr);
	return k->key == FI_KEY_NOTAVAIL ? -1 : 0;
}

int fab_remote_from_rkey(struct fab_ep *ep, const struct fab_rkey *k, struct fab_remote *r)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->addr = k->addr;
	r->key = k->key;
	if (!k->raw_len)
		return 0;
	if (!(ep->info->domain_attr->mr_mode & FI_MR_RAW))
		return reg_fail(ep, "the peer sent a raw key this domain cannot map", -FI_EINVAL);
	ret = fi_mr_map_raw(ep->domain, k->raw_base, (uint8_t *)k->raw, k->raw_len, &r->key, 0);
	if (ret)
		return reg_fail(ep, "fi_mr_map_raw", ret);
	r->mapped_in = ep->domain;
	return 0;
}

void fab_remote_release(struct fab_remote *r)
{
	if (r->mapped_in)
		fi_mr_unmap_key(r->mapped_in, r->key);
	r->mapped_in = NULL;
}
