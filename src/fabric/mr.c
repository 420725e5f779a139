// SPDX-License-Identifier: MIT
/* Registration of test buffers with an endpoint's domain, and the RMA keys peers exchange. */
#include "fabric/mr.h"

#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

static int reg_fail(struct fab_ep *ep, const char *call, int ret)
{
	snprintf(ep->err_text, sizeof(ep->err_text), "%s: %s (%d)", call, fi_strerror(-ret), ret);
	ep->err_class = FAB_ERR_OTHER;
	return ret;
}

int fab_buf_register(struct fab_buf *b, struct fab_ep *ep)
{
	/* Keys we choose (no FI_MR_PROV_KEY) must differ between regions of one domain. */
	static uint64_t next_key = 1;
	uint64_t mode = (uint64_t)ep->info->domain_attr->mr_mode;
	struct iovec iov = { .iov_base = b->base, .iov_len = b->size };
	struct fi_mr_attr attr = { .mr_iov = &iov, .iov_count = 1, .iface = FI_HMEM_SYSTEM };
	int ret;

	b->owner_abandoned = &ep->abandoned;
	if (b->mr)
		return 0;
	/* Registration only where the provider asks for it (efa: FI_MR_LOCAL) or for RMA. */
	if (!(mode & FI_MR_LOCAL) && !(ep->caps & FI_RMA))
		return 0;
	attr.access = FI_SEND | FI_RECV;
	if (ep->caps & FI_RMA)
		attr.access |= FI_READ | FI_WRITE | FI_REMOTE_READ | FI_REMOTE_WRITE;
	attr.requested_key = __atomic_fetch_add(&next_key, 1, __ATOMIC_RELAXED);
	ret = fi_mr_regattr(ep->domain, &attr, 0, &b->mr);
	if (ret) {
		b->mr = NULL;
		return reg_fail(ep, "fi_mr_regattr", ret);
	}
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
