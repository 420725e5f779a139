/* SPDX-License-Identifier: MIT */
/* Reachability probes: a small and a large message one way, with retries, never blocking. */
#ifndef EFADIAG_PROBE_H
#define EFADIAG_PROBE_H

#include <rdma/fabric.h>
#include <stdbool.h>

#include "fabric/buffer.h"
#include "fabric/endpoint.h"

#define PROBE_RECVS 4
#define PROBE_SMALL 64
/* Above every provider's inject size and EFA's MTU (about 8 KiB): the large probe. */
#define PROBE_LARGE 65536
/* After a failed send, try again this much later (while the window lasts). */
#define PROBE_RETRY_SEC 0.2

/*
 * One node's part of a probe: sends to its peer on tx, receives the peer's probes on rx.
 * Separate endpoints per direction, so state created by one direction (a connection, a
 * stateful firewall entry) cannot carry the other.
 */
struct probe_side {
	struct fab_ep *tx, *rx;
	struct fab_buf *txbuf, *rxbuf;
	fi_addr_t peer; /* the peer's receiving endpoint, in tx's AV */
	size_t small, large;
	struct fi_context2 rctx[PROBE_RECVS], sctx[2];
	bool send_posted[2], send_ok[2];
	double retry_at[2];
	bool got_small, got_large;
	double start, got_both_at;
	/* The last send error, when a send failed. */
	int send_err;
	enum fab_err_class send_class;
	char send_err_text[512];
};

/* Buffer bytes each endpoint of a probe needs. */
size_t probe_buf_size(size_t large);
/* Posts the receives and the first sends. 0, or a negative libfabric error (fatal). */
int probe_start(struct probe_side *p, struct fab_ep *tx, struct fab_buf *txbuf, fi_addr_t peer,
		struct fab_ep *rx, struct fab_buf *rxbuf, size_t large, double now);
/* Advances without blocking: completions, retries. 0, or a fatal negative error. */
int probe_step(struct probe_side *p, double now);
/* This side received both probes. */
bool probe_received(const struct probe_side *p);
/* Our sends completed without error. */
bool probe_sent(const struct probe_side *p);
/* Steps until this side has sent and received both probes, or the window closes. 0 or fatal. */
int probe_run(struct probe_side *p, double window_end);
/*
 * Ends the probe's operations before its endpoints close: cancels the receives and lets the
 * sends complete, until the deadline. Safe on a probe that never started.
 */
void probe_stop(struct probe_side *p, double deadline);

#endif
