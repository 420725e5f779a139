// SPDX-License-Identifier: MIT
/* Unit tests of src/measure/latstats.c: percentiles, the bounded accumulator and the lap timer's clocks. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "measure/latstats.h"
#include "tap.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts))
		;
}

static void test_percentiles(void)
{
	double v[100];
	struct lat_stats s;
	int i;

	/* 100 down to 1: sorting is part of the job. */
	for (i = 0; i < 100; i++)
		v[i] = 100 - i;
	lat_stats_compute(v, 100, &s);
	ok(s.n == 100 && s.min == 1 && s.max == 100, "min and max of 1..100");
	ok(s.avg == 50.5, "average of 1..100 is 50.5 (got %g)", s.avg);
	ok(s.p50 == 50 && s.p99 == 99, "nearest-rank p50 50, p99 99 (got %g, %g)", s.p50, s.p99);
	lat_stats_compute(v, 0, &s);
	ok(s.n == 0 && s.avg == 0, "no samples: all zero");
}

static void test_accumulator(void)
{
	struct lat_acc a;
	struct lat_stats s;
	int i;

	ok(lat_acc_init(&a, 10) == 0, "accumulator with room for 10 samples");
	for (i = 1; i <= 1000; i++)
		lat_acc_add(&a, i);
	ok(a.kept == 10, "keeps at most its capacity (kept %zu)", a.kept);
	lat_acc_done(&a, &s);
	ok(s.n == 1000 && s.min == 1 && s.max == 1000, "min, max and count are exact over all");
	ok(s.avg == 500.5, "average is exact over all 1000 (got %g)", s.avg);
	ok(s.p50 >= 1 && s.p50 <= 1000, "percentiles come from the samples seen");
	lat_acc_free(&a);
}

static void test_clocksource(void)
{
	char path[] = "/tmp/efadiag-unit-stats-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	if (!ok(fd >= 0, "temporary clocksource file"))
		return;
	f = fdopen(fd, "w");
	fputs("kvm-clock\n", f);
	fclose(f);
	ok(!lap_tsc_usable(path), "clocksource kvm-clock: TSC not used");
	f = fopen(path, "w");
	fputs("tsc\n", f);
	fclose(f);
#if defined(__x86_64__) || defined(__i386__)
	ok(lap_tsc_usable(path), "clocksource tsc on x86: TSC used");
#else
	ok(!lap_tsc_usable(path), "not x86: TSC never used");
#endif
	unlink(path);
	ok(!lap_tsc_usable(path), "no clocksource file: TSC not used");
}

/*
 * Laps of known length through a clock: two long warmup laps that must not count, then short
 * ones, which must come out in microseconds whatever the clock's tick.
 */
static void check_laps(bool tsc, const char *clock)
{
	struct lap_timer t;
	struct lat_stats s;
	int i;

	if (!ok(lap_timer_start(&t, 100, 2, tsc) == 0, "%s: timer starts", clock))
		return;
	for (i = 0; i < 2; i++) {
		sleep_ms(40);
		lap_timer_lap(&t);
	}
	for (i = 0; i < 5; i++) {
		sleep_ms(2);
		lap_timer_lap(&t);
	}
	lap_timer_done(&t, &s);
	ok(s.n == 5, "%s: 5 laps measured, warmup left out (got %zu)", clock, s.n);
	ok(s.min >= 2000, "%s: no lap shorter than the 2 ms slept (min %.0f us)", clock, s.min);
	ok(s.max < 30000, "%s: the 40 ms warmup laps are not among them (max %.0f us)", clock,
	   s.max);
	ok(s.avg >= s.min && s.avg <= s.max && s.p50 >= s.min && s.p99 <= s.max,
	   "%s: min <= avg, p50, p99 <= max", clock);
	ok(t.win_sec > 0.0099 && t.win_sec < 0.16 &&
		   s.avg * 5 / 1e6 > t.win_sec * 0.999 && s.avg * 5 / 1e6 < t.win_sec * 1.001,
	   "%s: the window (%.4f s) is the measured laps' sum", clock, t.win_sec);
	lap_timer_free(&t); /* a second free is harmless */
}

static void test_lap_timer(void)
{
	struct lap_timer t;
	struct lat_stats s;

	check_laps(false, "monotonic clock");
	if (lap_tsc_usable(LAP_CLOCKSOURCE))
		check_laps(true, "TSC");
	else
		printf("# SKIP TSC laps: the kernel does not keep time with the TSC here\n");

	ok(lap_timer_start(&t, 10, 0, false) == 0, "timer without warmup");
	lap_timer_done(&t, &s);
	ok(s.n == 0 && s.avg == 0 && t.win_sec == 0, "no laps: zeros, no division by zero");
}

int main(void)
{
	test_percentiles();
	test_accumulator();
	test_clocksource();
	test_lap_timer();
	return done_testing();
}
