// SPDX-License-Identifier: MIT
/* Latency statistics: sorting once gives every percentile. */
#include "measure/latstats.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile: the smallest sample with at least p% of samples at or below it. */
static double percentile(const double *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

void lat_stats_compute(double *samples, size_t n, struct lat_stats *s)
{
	double sum = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	qsort(samples, n, sizeof(*samples), cmp_double);
	for (i = 0; i < n; i++)
		sum += samples[i];
	s->n = n;
	s->min = samples[0];
	s->max = samples[n - 1];
	s->avg = sum / (double)n;
	s->p50 = percentile(samples, n, 50);
	s->p99 = percentile(samples, n, 99);
}

int lat_acc_init(struct lat_acc *a, size_t cap)
{
	memset(a, 0, sizeof(*a));
	a->cap = cap ? cap : 1;
	a->keep = malloc(a->cap * sizeof(*a->keep));
	a->rng = 0x9e3779b97f4a7c15ULL;
	return a->keep ? 0 : -1;
}

void lat_acc_add(struct lat_acc *a, double x)
{
	size_t j;

	if (!a->n || x < a->min)
		a->min = x;
	if (!a->n || x > a->max)
		a->max = x;
	a->sum += x;
	a->n++;
	if (a->kept < a->cap) {
		a->keep[a->kept++] = x;
		return;
	}
	/* Reservoir sampling (algorithm R) with a cheap LCG: each sample kept with cap/n. */
	a->rng = a->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	j = (size_t)((a->rng >> 11) % a->n);
	if (j < a->cap)
		a->keep[j] = x;
}

void lat_acc_done(struct lat_acc *a, struct lat_stats *s)
{
	lat_stats_compute(a->keep, a->kept, s);
	if (!a->n)
		return;
	s->n = a->n;
	s->min = a->min;
	s->max = a->max;
	s->avg = a->sum / (double)a->n;
}

void lat_acc_free(struct lat_acc *a)
{
	free(a->keep);
	a->keep = NULL;
}

bool lap_tsc_usable(const char *clocksource_path)
{
#if defined(__x86_64__) || defined(__i386__)
	char name[32] = "";
	FILE *f = fopen(clocksource_path, "r");

	if (!f)
		return false;
	if (!fgets(name, sizeof(name), f))
		name[0] = '\0';
	fclose(f);
	/* The kernel picks "tsc" only when it is invariant and in step across CPUs. */
	return !strcmp(name, "tsc\n") || !strcmp(name, "tsc");
#else
	(void)clocksource_path;
	return false;
#endif
}

int lap_timer_start(struct lap_timer *t, size_t cap, long warmup, bool use_tsc)
{
	memset(t, 0, sizeof(*t));
	if (lat_acc_init(&t->acc, cap))
		return -1;
	t->tsc = use_tsc;
	t->warmup = warmup > 0 ? warmup : 0;
	if (!t->warmup)
		lap_timer_mark(t);
	t->last = lap_ticks(t);
	return 0;
}

/*
 * Seconds and ticks read together: of three tries, the one whose two tick reads around the
 * clock read are nearest, so a preemption between the reads cannot skew the tick rate.
 */
static void clock_pair(const struct lap_timer *t, double *sec, uint64_t *ticks)
{
	uint64_t best = UINT64_MAX;
	int k;

	for (k = 0; k < 3; k++) {
		uint64_t a = lap_ticks(t);
		double s = now_sec();
		uint64_t b = lap_ticks(t);

		if (b - a < best) {
			best = b - a;
			*sec = s;
			*ticks = a + (b - a) / 2;
		}
	}
}

void lap_timer_mark(struct lap_timer *t)
{
	clock_pair(t, &t->win_start, &t->win_ticks);
}

void lap_timer_done(struct lap_timer *t, struct lat_stats *s)
{
	double sec_per_tick = 1e-9, scale;

	if (t->tsc) {
		double sec;
		uint64_t ticks;

		clock_pair(t, &sec, &ticks);
		sec_per_tick = ticks > t->win_ticks ?
				       (sec - t->win_start) / (double)(ticks - t->win_ticks) : 0;
	}
	t->win_sec = t->acc.sum * sec_per_tick;
	lat_acc_done(&t->acc, s);
	scale = sec_per_tick * 1e6;
	s->min *= scale;
	s->avg *= scale;
	s->p50 *= scale;
	s->p99 *= scale;
	s->max *= scale;
	lap_timer_free(t);
}

void lap_timer_free(struct lap_timer *t)
{
	lat_acc_free(&t->acc);
}
