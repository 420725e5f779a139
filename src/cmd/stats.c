// SPDX-License-Identifier: MIT
/*
 * efadiag stats: the EFA hardware counters, as a snapshot or as rates every interval (like
 * vmstat), for people, as JSON Lines, as a Prometheus textfile or served over HTTP; with health
 * checks.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/stats.h"
#include "host/sysfs.h"
#include "ui/cli.h"
#include "ui/out.h"
#include "ui/parse.h"
#include "util.h"

/* The reads of a sample are waited for at most this long, and -t when that is shorter. */
#define READ_WAIT_MIN_SEC 1.0

static volatile sig_atomic_t stop_signal;

/*
 * A stream into a pipe whose reader stopped reading blocks in write(2): the signal interrupts
 * that write, but the rest of the record would block again, for ever. The pipe's end is
 * made non-blocking (fstat and fcntl are async-signal-safe), so what does not fit fails at
 * once and the run ends, exit 3, saying standard output could not be written. Only a pipe:
 * a terminal is shared with the shell, which must not inherit O_NONBLOCK.
 */
static void on_stop(int sig)
{
	struct stat st;
	int fl;

	stop_signal = sig;
	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    (fl = fcntl(STDOUT_FILENO, F_GETFL)) >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK);
}

static int stats_validate(struct ctx *ctx)
{
	struct opts *o = &ctx->opt;

	if (o->listen && o->prom)
		return cli_usage_error(ctx, "--listen and --prom: choose one (the HTTP endpoint, "
					    "or the textfile for node_exporter)");
	/* Served until a signal: a scrape decides when the counters are read, not a count. */
	if (o->listen && o->count > 0)
		return cli_usage_error(ctx, "--listen serves until SIGINT or SIGTERM: --count has "
					    "no meaning with it");
	/* Like iostat: a count alone samples every second. */
	if (o->count > 0 && o->interval_sec == 0)
		o->interval_sec = 1;
	/* Records are JSON Lines, one a line, whatever the layout of a single document. */
	if (o->pretty && o->interval_sec > 0)
		return cli_usage_error(ctx, "--pretty: stats --interval writes JSON Lines, one "
					    "record a line; leave --pretty out (or pipe to jq .)");
	if (o->prom && !strcmp(o->prom, "-") && o->json)
		return cli_usage_error(ctx, "--prom - and --json both print on standard output: "
					    "use --prom FILE with --json");
	return EXIT_OK;
}

static double wall_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

void stats_take_sample(struct stats_run *r, double wait_sec)
{
	struct hwc_sample *spare = r->prev;
	size_t i;
	double t;

	r->prev = r->cur;
	r->cur = spare;
	hwc_read(r->set, r->cur, wait_sec);
	/* One time per sample: every device's rate over the same interval_sec the record shows. */
	t = now_sec();
	for (i = 0; i < r->n; i++)
		if (!r->cur[i].err)
			r->cur[i].t = t;
	r->cur_wall = wall_now();
}

static bool prom_to_stdout(const struct ctx *ctx)
{
	return ctx->opt.prom && !strcmp(ctx->opt.prom, "-");
}

/* Writes the exposition of the last reading where --prom says; returns 0 or EXIT_ERROR. */
static int write_prom(struct stats_run *r)
{
	char msg[4200];
	char *text;
	int ret;

	if (!r->ctx->opt.prom)
		return 0;
	text = stats_prom_render(r);
	if (!text) {
		out_error(r->ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	ret = stats_prom_write(r->ctx->opt.prom, text, msg, sizeof(msg));
	free(text);
	if (ret) {
		out_error(r->ctx->out, "--prom: %s", msg);
		return EXIT_ERROR;
	}
	return 0;
}

static int snapshot(struct stats_run *r)
{
	size_t i;
	int code;

	stats_take_sample(r, r->ctx->opt.timeout_sec);
	for (i = 0; i < r->n; i++)
		hwc_window_since_load(&r->window[i], hwc_device(r->set, i), &r->cur[i]);
	if (write_prom(r))
		return EXIT_ERROR;
	stats_report_devices(r);
	if (!prom_to_stdout(r->ctx))
		stats_print_snapshot(r);
	code = stats_report_checks(r);
	return code;
}

/* The driver caches values for lifespan ms: sampling faster only reads the cache again. */
static void apply_lifespan_floor(struct stats_run *r)
{
	long most = -1;
	size_t i;
	int sc;

	for (i = 0; i < r->n; i++)
		for (sc = 0; sc < 2; sc++)
			if (r->cur[i].lifespan_ms[sc] > most)
				most = r->cur[i].lifespan_ms[sc];
	if (most > 0 && r->interval_sec * 1000 < (double)most) {
		r->interval_sec = (double)most / 1000;
		out_note(r->ctx->out,
			 "efadiag: stats: interval raised to %.3f s: the driver caches counters "
			 "for its lifespan (%ld ms), and reading faster returns the same values\n",
			 r->interval_sec, most);
	}
}

/* Sleeps until the monotonic time until, or a stop signal. */
static void sleep_until(double until)
{
	struct timespec ts;

	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
	while (!stop_signal && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void add_interval(struct stats_run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		r->interval[i].seconds =
			hwc_window_add(&r->window[i], hwc_device(r->set, i), &r->prev[i],
				       &r->cur[i], r->interval[i].delta, r->interval[i].valid);
	r->samples++;
}

/* The last record of a JSON stream that saw no interval: the first reading, as a snapshot. */
static int record_without_interval(struct stats_run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		hwc_window_since_load(&r->window[i], hwc_device(r->set, i), &r->cur[i]);
	r->snapshot = true;
	stats_report_devices(r);
	return stats_report_checks(r);
}

static int watch_loop(struct stats_run *r, double wait)
{
	long count = r->ctx->opt.count;
	double next = now_sec() + r->interval_sec;
	int code = EXIT_OK;

	while (!stop_signal && (count <= 0 || r->samples < (unsigned long)count)) {
		sleep_until(next);
		if (stop_signal)
			break;
		next += r->interval_sec;
		/* A sample that overran (a slow read) skips the ticks it missed, not the rate. */
		if (next < now_sec())
			next = now_sec() + r->interval_sec;
		stats_take_sample(r, wait);
		add_interval(r);
		if (write_prom(r))
			return EXIT_ERROR;
		if (out_is_json(r->ctx->out)) {
			stats_report_devices(r);
			code = out_stream_record(r->ctx->out, stats_report_checks(r));
			if (code == EXIT_ERROR)
				return code;
		} else if (!prom_to_stdout(r->ctx)) {
			stats_print_interval(r);
		}
	}
	return code;
}

static int watch(struct stats_run *r)
{
	struct sigaction sa, old_int, old_term;
	double wait;
	size_t i;
	int code;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop; /* no SA_RESTART: the sleep ends at once */
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	r->interval_sec = r->ctx->opt.interval_sec;
	wait = r->interval_sec > READ_WAIT_MIN_SEC ? r->interval_sec : READ_WAIT_MIN_SEC;
	if (wait > r->ctx->opt.timeout_sec)
		wait = r->ctx->opt.timeout_sec;
	stats_take_sample(r, wait);
	for (i = 0; i < r->n; i++)
		hwc_window_start(&r->window[i], &r->cur[i]);
	apply_lifespan_floor(r);
	code = write_prom(r);
	if (!code)
		code = watch_loop(r, wait);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (code == EXIT_ERROR)
		return code;
	if (out_is_json(r->ctx->out)) {
		if (!r->samples)
			code = out_stream_record(r->ctx->out, record_without_interval(r));
		out_stream_close(r->ctx->out);
		return code;
	}
	if (prom_to_stdout(r->ctx))
		return stats_report_checks(r);
	if (!r->samples)
		return record_without_interval(r);
	stats_print_summary(r);
	return stats_report_checks(r);
}

static bool run_alloc(struct stats_run *r)
{
	r->n = hwc_count(r->set);
	r->prev = calloc(r->n, sizeof(*r->prev));
	r->cur = calloc(r->n, sizeof(*r->cur));
	r->window = calloc(r->n, sizeof(*r->window));
	r->interval = calloc(r->n, sizeof(*r->interval));
	return r->prev && r->cur && r->window && r->interval;
}

static void run_free(struct stats_run *r)
{
	free(r->prev);
	free(r->cur);
	free(r->window);
	free(r->interval);
	hwc_close(r->set);
}

static int stats_run_cmd(struct ctx *ctx)
{
	struct stats_run r = { .ctx = ctx };
	char msg[1024];
	int code;

	if (prom_to_stdout(ctx))
		out_stdout_is_data(ctx->out);
	if (ctx->opt.listen && !stats_listen_available())
		return stats_listen(&r); /* says what to install */
	if (sysfs_root_check(msg, sizeof(msg))) {
		out_error(ctx->out, "%s", msg);
		return EXIT_ERROR;
	}
	if (hwc_open(&r.set, ctx->opt.domains, ctx->opt.ndomains, msg, sizeof(msg))) {
		out_error(ctx->out, "%s", msg);
		return EXIT_ERROR;
	}
	if (!run_alloc(&r)) {
		run_free(&r);
		out_error(ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	r.snapshot = ctx->opt.interval_sec == 0;
	if (ctx->opt.listen)
		code = stats_listen(&r);
	else
		code = r.snapshot ? snapshot(&r) : watch(&r);
	run_free(&r);
	return code;
}

/* --listen: checked here, so a bad address is a usage error before anything is read. */
static int parse_listen_opt(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	const char *why = NULL;
	char addr[256];
	int port;

	if (parse_listen(arg, addr, sizeof(addr), &port, &why))
		return cli_usage_error(ctx, "invalid value '%s' for --%s: %s", arg, d->name, why);
	ctx->opt.listen = arg;
	return 0;
}

static const struct opt_def stats_options[] = {
	{ .name = "interval", .letter = 'i', .arg = "SEC", OPT_SECONDS(interval_sec, 0.01, 86400),
	  .help = "sample every SEC seconds and print rates, until Ctrl-C or --count (with "
		  "--listen: read at most every SEC)" },
	{ .name = "count", .letter = 'c', .arg = "N", OPT_LONG(count, 1, 100000000),
	  .help = "stop after N intervals (alone: one every second)" },
	{ .name = "prom", .arg = "FILE",
	  OPT_NONEMPTY(prom, "needs a file name, or - for standard output"),
	  .help = "Prometheus textfile, written atomically every sample (- for stdout)" },
	{ .name = "listen", .arg = "[ADDR:]PORT", OPT_CUSTOM(parse_listen_opt),
	  .help = "serve /metrics (Prometheus) and /healthz over HTTP until SIGINT or SIGTERM" },
	OPT_END,
};

const struct cmd_entry cmd_stats = {
	.name = "stats",
	.summary = "EFA hardware counters: a snapshot, or rates every interval, with health checks",
	.usage = "",
	.options = (const struct opt_def *const[]){ stats_options, NULL },
	.validate = stats_validate,
	.timeout_help = "how long one sample's counter reads may take (default 5)",
	.unused_globals = "pP",
	.run = stats_run_cmd,
};
