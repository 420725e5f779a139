/* SPDX-License-Identifier: MIT */
/* Test buffers: allocated on their own, so they can later be device memory (fabric/mr.h registers). */
#ifndef EFADIAG_FABRIC_BUFFER_H
#define EFADIAG_FABRIC_BUFFER_H

#include <rdma/fabric.h>
#include <rdma/fi_domain.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	/* Set by registration to its endpoint's "abandoned" flag: memory that operations still
	 * in flight may touch is never freed (see fab_close_endpoint). */
	const bool *owner_abandoned;
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
 * Closes the registration and frees the memory; safe twice. After fab_close_endpoint and
 * before fab_close of its endpoint. Memory of an abandoned endpoint is left alone.
 */
void fab_buf_free(struct fab_buf *b);

static inline unsigned char *fab_buf_at(const struct fab_buf *b, size_t off)
{
	return (unsigned char *)b->base + off;
}

#endif
