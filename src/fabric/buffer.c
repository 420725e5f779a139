// SPDX-License-Identifier: MIT
/* Test buffers: host memory (with huge pages for large ones) or a GPU's, through CUDA. */
#include "fabric/buffer.h"

#include <rdma/fi_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fabric/cuda.h"

#define HUGE_PAGE (2u << 20)

int fab_mem_parse(const char *s, struct fab_mem_spec *m)
{
	char *end;
	long n;

	if (!strcmp(s, "host")) {
		*m = (struct fab_mem_spec){ .kind = FAB_MEM_HOST, .device = -1 };
		return 0;
	}
	if (strncmp(s, "cuda", 4))
		return -1;
	*m = (struct fab_mem_spec){ .kind = FAB_MEM_CUDA, .device = -1 };
	if (!s[4])
		return 0;
	if (s[4] != ':' || s[5] < '0' || s[5] > '9')
		return -1;
	n = strtol(s + 5, &end, 10);
	if (*end || n < 0 || n >= CUDA_MAX_DEVICES)
		return -1;
	m->device = (int)n;
	return 0;
}

void fab_mem_name(enum fab_mem kind, int device, char *buf, size_t len)
{
	if (kind == FAB_MEM_CUDA && device >= 0)
		snprintf(buf, len, "cuda:%d", device);
	else
		snprintf(buf, len, "%s", kind == FAB_MEM_CUDA ? "cuda" : "host");
}

const char *fab_mr_path_name(enum fab_mr_path p)
{
	static const char *const names[] = { [FAB_MR_NONE] = "none", [FAB_MR_VA] = "va",
					     [FAB_MR_DMABUF] = "dmabuf" };

	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "unknown";
}

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

int fab_buf_alloc_mem(struct fab_buf *b, const struct fab_mem_spec *m, int nearest, size_t size,
		      char *err, size_t errlen)
{
	int ret;

	if (!m || m->kind == FAB_MEM_HOST) {
		ret = fab_buf_alloc(b, FAB_MEM_HOST, size);
		if (ret)
			snprintf(err, errlen, "cannot allocate %zu bytes of host memory", size);
		return ret;
	}
	memset(b, 0, sizeof(*b));
	b->mem = FAB_MEM_CUDA;
	b->device = m->device >= 0 ? m->device : nearest >= 0 ? nearest : 0;
	/*
	 * Whole 2 MiB pages: the driver then gives memory aligned to them, and a dma-buf export
	 * of the buffer (from its first to its last host page) stays inside the allocation.
	 */
	b->size = size ? size : 4096;
	if (cuda_alloc(b->device, (b->size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE, &b->base, err,
		       errlen)) {
		b->base = NULL;
		return -FI_ENOMEM;
	}
	b->shadow = calloc(1, b->size);
	if (!b->shadow || fab_buf_commit(b, 0, b->size)) {
		snprintf(err, errlen, "cannot clear the GPU buffer (host copy of %zu bytes)",
			 b->size);
		fab_buf_free(b);
		return -FI_ENOMEM;
	}
	return 0;
}

int fab_buf_bind_thread(const struct fab_buf *b, char *err, size_t errlen)
{
	if (b->mem != FAB_MEM_CUDA)
		return 0;
	return cuda_bind(b->device, err, errlen);
}

unsigned char *fab_buf_stage(struct fab_buf *b, size_t off)
{
	return (b->mem == FAB_MEM_CUDA ? b->shadow : (unsigned char *)b->base) + off;
}

int fab_buf_commit(struct fab_buf *b, size_t off, size_t len)
{
	if (b->mem != FAB_MEM_CUDA)
		return 0;
	return cuda_to_device(b->device, fab_buf_at(b, off), b->shadow + off, len, NULL, 0);
}

const unsigned char *fab_buf_fetch(struct fab_buf *b, size_t off, size_t len)
{
	if (b->mem != FAB_MEM_CUDA)
		return fab_buf_at(b, off);
	if (cuda_to_host(b->device, b->shadow + off, fab_buf_at(b, off), len, NULL, 0))
		return NULL;
	return b->shadow + off;
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
		free(b->shadow); /* host memory only the CPU uses */
		b->shadow = NULL;
		return;
	}
	if (b->mr)
		fi_close(&b->mr->fid);
	b->mr = NULL;
	b->desc = NULL;
	if (b->mem == FAB_MEM_CUDA)
		cuda_free(b->device, b->base);
	else
		free(b->base);
	b->base = NULL;
	free(b->shadow);
	b->shadow = NULL;
}
