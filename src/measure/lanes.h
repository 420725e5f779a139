/* SPDX-License-Identifier: MIT */
/* A bandwidth lane: one endpoint pair, a window of operations in flight, run on its own thread. */
#ifndef EFADIAG_LANE_H
#define EFADIAG_LANE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "fabric/buffer.h"
#include "fabric/endpoint.h"

#define LANE_MAX 32
#define LANE_MAX_WINDOW 1024

enum lane_op { LANE_SEND, LANE_WRITE, LANE_READ };

/* One size's work for a lane. */
struct lane_job {
	enum lane_op op;
	size_t size;
	long count;	  /* operations to complete in this role */
	unsigned window;  /* operations in flight at most */
	bool initiate;	  /* post sends / RMA (the data sender; the reader for read) */
	bool receive;	  /* post receives (send op, the data receiver) */
	bool passive;	  /* an RMA target: nothing to count, only progress */
	bool verify;
	double stall_sec; /* no completion for this long: the fabric stopped delivering */
	long corrupt_offset; /* test hook: flip this byte of what we send (-1: never) */
	double drain_sec; /* how long the end waits for operations in flight; 0: 0.5 s */
	/*
	 * Yield the CPU after a poll that found nothing: many lanes and ranks sharing few CPUs
	 * (mesh's ranks side by side on one host) then still progress the peer they wait for.
	 */
	bool yield;
};

/* How a lane's part of a size went. */
struct lane_result {
	double elapsed;	 /* seconds of the active part */
	int err;	 /* 0, -FI_ETIMEDOUT for a stall, or another negative error */
	long bad_offset; /* --verify: first differing byte, -1 when none */
	char err_text[512];
};

struct lane_ctx;

/*
 * A lane: an endpoint, its buffer and its peer, driven by a thread of its own. The endpoint,
 * buffer and remote region are the caller's; the lane only uses them while it runs. Its
 * operations' contexts are its own, kept until lane_free: an operation the drain could not
 * end still names one until its endpoint is closed.
 */
struct lane {
	struct fab_ep *ep;
	struct fab_buf *buf;
	fi_addr_t peer;
	struct fab_remote remote; /* the peer's buffer, for RMA */
	struct lane_job job;
	pthread_t thread;
	bool started;
	struct lane_ctx *ctx; /* the operations' contexts: window tx, window rx, read-backs */
	/* Written by the lane's thread, read by the main thread (progress line): atomics. */
	long done_tx, done_rx;
	int finished; /* the active part is over (or failed): set by the lane's thread */
	int stop;     /* set by the main thread: stop progressing and return */
	int quiesce;  /* set by the main thread: post nothing more, let what is posted complete */
	struct lane_result res; /* valid once finished */
};

/* Buffer bytes a lane needs for sizes up to max_size with this window and verify choice. */
size_t lane_buf_size(size_t max_size, unsigned window, bool verify);
int lane_start(struct lane *l, const struct lane_job *job);
bool lane_finished(const struct lane *l);
void lane_stop(struct lane *l);
/*
 * Stops posting and keeps progressing, so the operations in flight complete while the peer
 * still receives: a lane run for a time (mesh) ends with little left to drain.
 */
void lane_quiesce(struct lane *l);
/* Waits for the lane's thread, which has ended or cancelled its operations (bounded). */
void lane_join(struct lane *l);
/* Releases the lane's contexts: only after its endpoint is closed. */
void lane_free(struct lane *l);
long lane_progress(const struct lane *l);

#endif
