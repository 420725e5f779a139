/* SPDX-License-Identifier: MIT */
/* efadiag stats: the state its modules share (sampling, report, Prometheus exposition). */
#ifndef EFADIAG_CMD_STATS_H
#define EFADIAG_CMD_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "efadiag.h"
#include "host/hwcounters.h"
#include "host/hwhealth.h"

/* One interval's increments of a device. */
struct stats_interval {
	uint64_t delta[HWC_MAX];
	bool valid[HWC_MAX];
	double seconds; /* 0: no interval (either end unread) */
};

struct stats_run {
	struct ctx *ctx;
	struct hwc_set *set;
	size_t n;			/* devices */
	struct hwc_sample *prev, *cur;	/* per device: the last two readings */
	struct hwc_window *window;	/* per device: from the first reading to the last */
	struct stats_interval *interval; /* per device: the last interval */
	bool snapshot;			/* no --interval: one reading, counted since load */
	double interval_sec;		/* the interval asked for (after the lifespan floor) */
	double cur_wall;		/* wall-clock time of the last reading */
	unsigned samples;		/* intervals reported so far */
	unsigned lines;			/* text lines since the header */
};

/* stats.c: reads every device once (at most wait_sec) into r->cur; r->prev gets the last one. */
void stats_take_sample(struct stats_run *r, double wait_sec);

/* stats-report.c: the devices and rates of the last reading, into the document. */
void stats_report_devices(struct stats_run *r);
/* The checks of the window so far, into the document (and printed, for people). */
int stats_report_checks(struct stats_run *r);
/* For people: one line per device for the last interval, the header as vmstat repeats it. */
void stats_print_interval(struct stats_run *r);
/* For people: the snapshot's counter tables. */
void stats_print_snapshot(struct stats_run *r);
/* For people: the closing summary's table (totals and average rates per device). */
void stats_print_summary(struct stats_run *r);

/* stats-prom.c: the Prometheus text exposition of the last reading, into a malloc'd string. */
char *stats_prom_render(const struct stats_run *r);
/* What stats --listen says about itself in each scrape, after the counters. */
struct stats_prom_exporter {
	unsigned long long scrapes; /* answers to /metrics, this one included */
	unsigned long long reads;   /* readings of the counters */
	double cache_sec;	    /* how long a reading is reused */
	double read_sec;	    /* how long the last reading took */
};

/* text (stats_prom_render's) followed by the exporter's own metrics, in a malloc'd string. */
char *stats_prom_with_exporter(const char *text, const struct stats_prom_exporter *e);
/*
 * Writes text to path atomically: a temporary file in the same directory, then rename, so
 * node_exporter's textfile collector never reads half a file. "-": stdout. Returns 0, or a
 * negative errno with why in msg.
 */
int stats_prom_write(const char *path, const char *text, char *msg, size_t len);

/*
 * stats-listen.c: --listen, serving /metrics and /healthz over HTTP until SIGINT or SIGTERM.
 * Returns EXIT_OK then, or EXIT_ERROR (efadiag built without libmicrohttpd, a port taken).
 */
int stats_listen(struct stats_run *r);
/* Whether this efadiag was built with libmicrohttpd (--listen needs it). */
bool stats_listen_available(void);

#endif
