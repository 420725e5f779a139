// SPDX-License-Identifier: MIT
/*
 * Single-thread memcpy throughput for one message size: the limit of a one-copy transport.
 * Messages cycle through a working set larger than the caches (default 256 MiB), as a
 * transport's fresh data does; copying one cache-hot buffer again and again would measure
 * the L2 cache instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoull(argv[1], NULL, 0) : 1 << 20;
	long iters = argc > 2 ? atol(argv[2]) : 2000, i;
	size_t set = argc > 3 ? strtoull(argv[3], NULL, 0) : (size_t)256 << 20;
	size_t slots = set / size ? set / size : 1;
	char *src = malloc(slots * size), *dst = malloc(slots * size);
	struct timespec a, b;
	double sec;

	if (!src || !dst || iters < 1)
		return 1;
	memset(src, 1, slots * size);
	memset(dst, 2, slots * size);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < iters; i++) {
		size_t k = (size_t)i % slots;

		memcpy(dst + k * size, src + k * size, size);
		/* Keep the compiler from dropping copies whose result nobody reads. */
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	sec = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
	printf("%.3f\n", (double)size * (double)iters * 8 / sec / 1e9); /* Gbit/s */
	free(src);
	free(dst);
	return 0;
}
