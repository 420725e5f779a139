/* SPDX-License-Identifier: MIT */
/* Test buffers in host or GPU memory, allocated on their own (fabric/mr.h registers them). */
#ifndef EFADIAG_FABRIC_BUFFER_H
#define EFADIAG_FABRIC_BUFFER_H

#include <rdma/fabric.h>
#include <rdma/fi_domain.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAB_RKEY_RAW_MAX 256

/* Where a buffer's memory lives. */
enum fab_mem {
	FAB_MEM_HOST,
	FAB_MEM_CUDA, /* a GPU's memory, through the CUDA driver (fabric/cuda.h) */
};

/* --mem's value: host, cuda, cuda:N. */
struct fab_mem_spec {
	enum fab_mem kind;
	int device; /* cuda:N; -1 for plain "cuda": the GPU nearest the NIC, else GPU 0 */
};

/* How a registration reached the memory: what --mem cuda results report. */
enum fab_mr_path {
	FAB_MR_NONE,   /* not registered: the provider needs no registration for this use */
	FAB_MR_VA,     /* by virtual address (host memory, or GPU memory through peer memory) */
	FAB_MR_DMABUF, /* GPU memory through a dma-buf file descriptor (FI_MR_DMABUF) */
};

struct fab_buf {
	void *base;
	size_t size;
	enum fab_mem mem;
	int device;		   /* the GPU, for FAB_MEM_CUDA */
	unsigned char *shadow;	   /* host copy of GPU memory, for filling and checking payloads */
	enum fab_mr_path mr_path;  /* set by registration */
	char mr_note[256];	   /* why dma-buf was not used, when it was tried and failed */
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
 * Allocates size bytes of zeroed host memory. From 2 MiB on it is aligned to, and asks for,
 * transparent huge pages. 0, or -FI_ENOMEM.
 */
int fab_buf_alloc(struct fab_buf *b, enum fab_mem mem, size_t size);
/*
 * Allocates size zeroed bytes where m says (NULL: host). For plain "cuda" (m->device -1) the
 * GPU is nearest, the one the caller found nearest to the NIC, or GPU 0 when that is -1. 0, or a negative error with err saying what is missing (CUDA not there, no such
 * GPU, out of memory).
 */
int fab_buf_alloc_mem(struct fab_buf *b, const struct fab_mem_spec *m, int nearest, size_t size,
		      char *err, size_t errlen);
/* "host", "cuda:0". */
void fab_mem_name(enum fab_mem kind, int device, char *buf, size_t len);
/* Parses --mem's value: 0, or -1 when it is none of host, cuda, cuda:N (N 0 to 63). */
int fab_mem_parse(const char *s, struct fab_mem_spec *m);
/* "dmabuf", "va" or "none". */
const char *fab_mr_path_name(enum fab_mr_path p);
/*
 * Makes the buffer's memory usable from the calling thread: for GPU memory, its CUDA context
 * current (a thread without one cannot register, copy or export a dma-buf). 0, or -1.
 */
int fab_buf_bind_thread(const struct fab_buf *b, char *err, size_t errlen);
/*
 * Payloads in memory the CPU may not touch: fab_buf_stage gives a host pointer to write off..
 * into, fab_buf_commit copies len staged bytes from off to the buffer, fab_buf_fetch copies
 * len bytes at off to the host and gives a pointer to them (NULL when the copy failed). For
 * host memory the pointer is the buffer itself and commit does nothing.
 */
unsigned char *fab_buf_stage(struct fab_buf *b, size_t off);
int fab_buf_commit(struct fab_buf *b, size_t off, size_t len);
const unsigned char *fab_buf_fetch(struct fab_buf *b, size_t off, size_t len);
/*
 * Closes the registration and frees the memory; safe twice. After fab_close_endpoint and
 * before fab_close of its endpoint. Memory of an abandoned endpoint is left alone.
 */
void fab_buf_free(struct fab_buf *b);

/* An address in the buffer, for posts; the CPU may touch it only in host memory. */
static inline unsigned char *fab_buf_at(const struct fab_buf *b, size_t off)
{
	return (unsigned char *)b->base + off;
}

#endif
