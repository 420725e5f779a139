/* SPDX-License-Identifier: MIT */
/* Latency statistics over a run's samples: min, average, percentiles, max. */
#ifndef EFADIAG_STATS_H
#define EFADIAG_STATS_H

#include <stddef.h>

struct lat_stats {
	size_t n;
	double min, avg, p50, p99, max;
};

/* Sorts samples in place and summarises them; all zero when n is 0. */
void stats_compute(double *samples, size_t n, struct lat_stats *s);

/*
 * An accumulator for long runs: exact min/avg/max over every sample, percentiles over a
 * uniform reservoir of at most cap samples, so memory stays bounded whatever -I says.
 */
struct lat_acc {
	double *keep;
	size_t cap, kept;
	size_t n;
	double sum, min, max;
	unsigned long long rng;
};

int stats_acc_init(struct lat_acc *a, size_t cap);
void stats_acc_add(struct lat_acc *a, double x);
void stats_acc_done(struct lat_acc *a, struct lat_stats *s);
void stats_acc_free(struct lat_acc *a);

#endif
