// SPDX-License-Identifier: MIT
/* Single-thread memcpy throughput for one message size: the limit of a one-copy transport. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoull(argv[1], NULL, 0) : 1 << 20;
	long iters = argc > 2 ? atol(argv[2]) : 2000, i;
	char *src = malloc(size), *dst = malloc(size);
	struct timespec a, b;
	double sec;

	if (!src || !dst || iters < 1)
		return 1;
	memset(src, 1, size);
	memset(dst, 2, size);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < iters; i++) {
		memcpy(dst, src, size);
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
