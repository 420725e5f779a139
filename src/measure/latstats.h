/* SPDX-License-Identifier: MIT */
/* Latency statistics over a run's samples: min, average, percentiles, max. */
#ifndef EFADIAG_LATSTATS_H
#define EFADIAG_LATSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

struct lat_stats {
	size_t n;
	double min, avg, p50, p99, max;
};

/* Sorts samples in place and summarises them; all zero when n is 0. */
void lat_stats_compute(double *samples, size_t n, struct lat_stats *s);

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

int lat_acc_init(struct lat_acc *a, size_t cap);
void lat_acc_add(struct lat_acc *a, double x);
void lat_acc_done(struct lat_acc *a, struct lat_stats *s);
void lat_acc_free(struct lat_acc *a);

/*
 * Lap timing for latency loops: one cheap clock read per lap. On x86 with an invariant TSC
 * (the kernel's clocksource is "tsc") that is rdtsc, about 10 ns here against 23 for
 * clock_gettime; elsewhere CLOCK_MONOTONIC in nanoseconds. Laps are kept in ticks; the TSC
 * rate is measured against the monotonic clock over the measured window itself, so no rate
 * is guessed and the laps' total is the window's wall time.
 */
struct lap_timer {
	struct lat_acc acc;
	bool tsc;	   /* ticks are TSC cycles, else nanoseconds */
	uint64_t last;	   /* ticks when the previous lap ended */
	long lap, warmup;  /* laps so far; the first warmup laps are not measured */
	double win_start;  /* now_sec() when the first measured lap began ... */
	uint64_t win_ticks; /* ... and the ticks then: together they give the tick rate */
	double win_sec;	   /* time the measured laps took, set by lap_timer_done */
};

#define LAP_CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/current_clocksource"

/* Whether rdtsc is a usable clock here: x86 and the kernel itself keeps time with the TSC. */
bool lap_tsc_usable(const char *clocksource_path);

static inline uint64_t lap_ticks(const struct lap_timer *t)
{
#if defined(__x86_64__) || defined(__i386__)
	if (t->tsc)
		return __rdtsc();
#endif
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Starts the first lap now. use_tsc false forces the portable clock. -1 when out of memory. */
int lap_timer_start(struct lap_timer *t, size_t cap, long warmup, bool use_tsc);

/* The measured window begins now (called when the warmup laps are over). */
void lap_timer_mark(struct lap_timer *t);

/* Ends the current lap and starts the next; only laps after the warmup ones are kept. */
static inline void lap_timer_lap(struct lap_timer *t)
{
	uint64_t now = lap_ticks(t);

	if (t->lap >= t->warmup)
		lat_acc_add(&t->acc, (double)(now - t->last));
	t->last = now;
	if (++t->lap == t->warmup)
		lap_timer_mark(t);
}

/* Lap statistics in microseconds, and the window in t->win_sec. Frees the samples. */
void lap_timer_done(struct lap_timer *t, struct lat_stats *s);
void lap_timer_free(struct lap_timer *t);

#endif
