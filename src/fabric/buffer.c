// SPDX-License-Identifier: MIT
/* Test buffers: allocation, with huge pages for large ones. */
#include "fabric/buffer.h"

#include <rdma/fi_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE (2u << 20)

int fab_buf_alloc(struct fab_buf *b, enum fab_mem mem, size_t size)
{
	size_t align = size >= HUGE_PAGE ? HUGE_PAGE : 4096;

	memset(b, 0, sizeof(*b));
	b->mem = mem;
	b->size = size ? size : 4096;
	/*
	 * Large copies (shm's cross-memory attach, the kernel's page pinning for registration)
	 * walk 512 times fewer pages on huge pages. Only a hint: where THP is off it changes
	 * nothing.
	 */
	if (posix_memalign(&b->base, align, b->size)) {
		b->base = NULL;
		return -FI_ENOMEM;
	}
	if (align == HUGE_PAGE)
		madvise(b->base, b->size, MADV_HUGEPAGE);
	memset(b->base, 0, b->size);
	return 0;
}

void fab_buf_free(struct fab_buf *b)
{
	if (b->owner_abandoned && *b->owner_abandoned) {
		/* The provider may still write here: the process's exit reclaims it. Kept
		 * reachable, so a leak checker does not report what is left on purpose. */
		static void *abandoned[256];
		static size_t nabandoned;

		if (nabandoned < sizeof(abandoned) / sizeof(abandoned[0])) {
			abandoned[nabandoned++] = b->base;
			abandoned[nabandoned++] = b->mr;
		}
		b->mr = NULL;
		b->desc = NULL;
		b->base = NULL;
		return;
	}
	if (b->mr)
		fi_close(&b->mr->fid);
	b->mr = NULL;
	b->desc = NULL;
	free(b->base);
	b->base = NULL;
}
