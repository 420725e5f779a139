/* SPDX-License-Identifier: MIT */
/* Reachability probes: small and large messages one way on several paths, never blocking. */
#ifndef EFADIAG_PROBE_H
#define EFADIAG_PROBE_H

#include <rdma/fabric.h>
#include <stdbool.h>

#include "fabric/buffer.h"
#include "fabric/endpoint.h"

#define PROBE_SMALL 64
/* Above every provider's inject size and EFA's MTU (about 8 KiB): the large probe. */
#define PROBE_LARGE 65536
/* After a failed send, try again this much later (while the window lasts). */
#define PROBE_RETRY_SEC 0.2
/*
 * Each direction is probed on this many paths: sending endpoints of their own towards the
 * same receiving endpoint. A path over a connection-based provider is one connection, whose
 * set-up a lossy network can hold back for seconds (TCP's SYN backoff: 1 s, 3 s, 7 s); a
 * blocked direction blocks every path, a lossy one rarely all of them. Both ends use the
 * same count: a receiver expects this many probes of each size.
 */
#define PROBE_PATHS 3
/*
 * Receives posted at once: one per probe the peer sends. A large probe that stops half-way
 * (an MTU black hole) holds the receive it was matched to; the small ones must still find one.
 */
#define PROBE_RECVS (2 * PROBE_PATHS)

enum probe_size { PROBE_S, PROBE_L };

/* One sending path: its own endpoint, the peer's receiving endpoint in its AV. */
struct probe_path {
	struct fab_ep *ep;
	struct fab_buf *buf;
	fi_addr_t peer;
	struct fi_context2 ctx[2];
	bool tried[2], posted[2], ok[2];
	double retry_at[2];
};

/*
 * One node's part of a probe: sends to its peer on its paths, receives the peer's probes on
 * rx. Separate endpoints per direction, so state created by one direction (a connection, a
 * stateful firewall entry) cannot carry the other.
 */
struct probe_side {
	struct probe_path path[PROBE_PATHS];
	size_t npaths;
	struct fab_ep *rx;
	struct fab_buf *rxbuf;
	size_t len[2]; /* bytes of a small and of a large probe */
	struct fi_context2 rctx[PROBE_RECVS];
	unsigned int sent[2];	   /* probes tried, per size (a retry is the same probe) */
	unsigned int delivered[2]; /* probes received, per size */
	double start, got_all_at;
	/* The last send error, when a send failed. */
	int send_err;
	enum fab_err_class send_class;
	char send_err_text[512];
};

/* Buffer bytes the receiving endpoint of a probe needs; a sending one needs large. */
size_t probe_buf_size(size_t large);
/* Posts the receives and the first sends on every path. 0, or a negative libfabric error. */
int probe_start(struct probe_side *p, const struct probe_path *paths, size_t npaths,
		struct fab_ep *rx, struct fab_buf *rxbuf, size_t large, double now);
/* Advances without blocking: completions, retries. 0, or a fatal negative error. */
int probe_step(struct probe_side *p, double now);
/* This side received every probe the peer sends (PROBE_PATHS of each size). */
bool probe_received(const struct probe_side *p);
/* Every send of ours completed without error. */
bool probe_sent(const struct probe_side *p);
/* Steps until this side has sent and received every probe, or the window closes. 0 or fatal. */
int probe_run(struct probe_side *p, double window_end);
/*
 * Ends the probe's operations before its endpoints close: cancels the receives and lets the
 * sends complete, until the deadline. Safe on a probe that never started.
 */
void probe_stop(struct probe_side *p, double deadline);

#endif
