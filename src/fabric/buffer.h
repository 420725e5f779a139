/* SPDX-License-Identifier: MIT */
/* Test buffers: allocated and registered on their own, so they can later be device memory. */
#ifndef EFADIAG_FABRIC_BUFFER_H
#define EFADIAG_FABRIC_BUFFER_H

#include <rdma/fabric.h>
#include <rdma/fi_domain.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabric/endpoint.h"

#define FAB_RKEY_RAW_MAX 256

/* Where a buffer's memory lives. Only host memory today; device memory is the next kind. */
enum fab_mem {
	FAB_MEM_HOST,
};

struct fab_buf {
	void *base;
	size_t size;
	enum fab_mem mem;
	struct fid_mr *mr; /* NULL when the provider needs no registration for the endpoint */
	void *desc;	   /* the MR's descriptor for posts, or NULL */
};

/* What a peer needs to address one of our buffers with RMA: sent over the control channel. */
struct fab_rkey {
	uint64_t addr;			     /* where the region starts, as the peer must name it */
	uint64_t key;			     /* the key, when the provider has 64-bit keys */
	unsigned char raw[FAB_RKEY_RAW_MAX]; /* the raw key (FI_MR_RAW), raw_len bytes */
	size_t raw_len;
	uint64_t raw_base;
};

/* A peer's region as our endpoint addresses it (a raw key mapped to a 64-bit one). */
struct fab_remote {
	uint64_t addr;
	uint64_t key;
	struct fid_domain *mapped_in; /* set when the key was mapped: unmapped by release */
};

/*
 * Allocates size bytes of zeroed memory. From 2 MiB on it is aligned to, and asks for,
 * transparent huge pages. 0, or -FI_ENOMEM.
 */
int fab_buf_alloc(struct fab_buf *b, enum fab_mem mem, size_t size);
/*
 * Registers the buffer with ep's domain when the provider asks for it (FI_MR_LOCAL) or the
 * endpoint does RMA; binds it to the endpoint when the provider wants that (FI_MR_ENDPOINT).
 * 0, or a negative error with ep->err_text saying which call failed.
 */
int fab_buf_register(struct fab_buf *b, struct fab_ep *ep);
/* Closes the registration and frees the memory; safe twice. Before fab_close of its endpoint. */
void fab_buf_free(struct fab_buf *b);

static inline unsigned char *fab_buf_at(const struct fab_buf *b, size_t off)
{
	return (unsigned char *)b->base + off;
}

/* Describes a registered buffer for the peer's RMA: 0, or -1 when it cannot be described. */
int fab_buf_rkey(const struct fab_buf *b, const struct fab_ep *ep, struct fab_rkey *k);
/* The peer's description, usable by ep: 0, or a negative error in ep->err_text. */
int fab_remote_from_rkey(struct fab_ep *ep, const struct fab_rkey *k, struct fab_remote *r);
/* Unmaps a mapped key; safe twice and on an unmapped one. Before fab_close of the endpoint. */
void fab_remote_release(struct fab_remote *r);

#endif
