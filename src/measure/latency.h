/* SPDX-License-Identifier: MIT */
/*
 * Latency: round trips of one message size between an endpoint and a peer. One side pings and
 * times, the other echoes. Knows nothing of sessions or output: endpoint, peer and parameters
 * in, a result struct out.
 */
#ifndef EFADIAG_MEASURE_LATENCY_H
#define EFADIAG_MEASURE_LATENCY_H

#include <stdbool.h>
#include <stddef.h>

#include "fabric/buffer.h"
#include "fabric/endpoint.h"
#include "measure/latstats.h"

/*
 * Message slots of max_size in a latency buffer: one to send from and two to receive into, so
 * the next receive is always posted before anything can arrive for it (efa-direct has no
 * buffer for unexpected messages).
 */
#define LAT_BUF_SLOTS 3

struct lat_params {
	size_t size;	  /* bytes per message */
	size_t max_size;  /* the buffer's slot size (the largest size of the run) */
	long iterations;  /* measured round trips */
	long warmup;	  /* unmeasured round trips first */
	bool verify;	  /* fill and check every payload */
	double timeout_sec; /* no wait is longer */
	int watch_fd;	  /* >= 0: its becoming readable interrupts a wait (-FI_EINTR) */
	bool tsc;	  /* time with the TSC (see struct lap_timer) */
	long corrupt_offset; /* test hook: the echo flips this byte of each reply (-1: never) */
	/*
	 * The pinging side calls it every LAT_PROGRESS_EVERY round trips, if set (a progress
	 * line for people): off the measured laps but for one call in that many.
	 */
	void (*progress)(void *arg, long done, long total);
	void *progress_arg;
};

#define LAT_PROGRESS_EVERY 256

struct lat_result {
	int err;	  /* 0, -FI_ETIMEDOUT, -FI_EINTR (watch_fd), -FI_ENOMEM, or a fabric error */
	long iteration;	  /* where it stopped: messages done before the failure */
	long bad_offset;  /* --verify: first differing byte, -1 when none */
	enum fab_err_class err_class;
	char err_text[512];
	/* The pinging side's measurements: one-way latency is half a round trip. */
	struct lat_stats rt_usec;
	double window_sec; /* the measured round trips' wall time */
};

size_t lat_buf_size(size_t max_size);
/* Fills the pattern the other side checks: differs per iteration and direction. */
void lat_fill(unsigned char *p, size_t n, long iter, int dir);
long lat_check(const unsigned char *p, size_t n, long iter, int dir);

/* The measuring side: sends, waits for the echo, times each round trip. 0 or r->err. */
int lat_ping(struct fab_ep *ep, fi_addr_t peer, struct fab_buf *buf, const struct lat_params *p,
	     struct lat_result *r);
/*
 * The echoing side: posts its first receives, calls ready (which tells the pinging side to
 * start; nonzero: stop with that error), then answers every message. 0 or r->err.
 */
int lat_echo(struct fab_ep *ep, fi_addr_t peer, struct fab_buf *buf, const struct lat_params *p,
	     int (*ready)(void *arg), void *arg, struct lat_result *r);

#endif
