// SPDX-License-Identifier: MIT
/* Bandwidth lanes: keep a window of operations in flight on one endpoint, on a thread of its own. */
#include "measure/lanes.h"

#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Without --verify every operation uses one buffer: contents do not matter, memory does. */
#define VERIFY_BUDGET ((size_t)32 << 20)

static unsigned slots_for(size_t size, unsigned window, bool verify)
{
	size_t n;

	if (!verify)
		return 1;
	n = VERIFY_BUDGET / (size ? size : 1);
	if (n < 1)
		n = 1;
	return n < window ? (unsigned)n : window;
}

size_t lane_buf_size(size_t max_size, unsigned window, bool verify)
{
	/* tx slots, then rx slots */
	return 2 * (size_t)slots_for(max_size, window, verify) * max_size;
}

/*
 * The buffer's halves: what we send from (and serve to readers) in the first, what we receive
 * (and what writers write into) in the second. Both ends size it alike, so the same offsets
 * address the peer's buffer: writes in both directions at once never touch a slot being sent.
 */
static size_t rx_off(const struct lane *l, unsigned slot)
{
	return l->buf->size / 2 + (size_t)slot * l->job.size;
}

/* Message pattern: the first 8 bytes carry the sequence number, the rest follow from it. */
static void fill(unsigned char *p, size_t n, uint64_t seq)
{
	size_t j;

	for (j = 0; j < n; j++)
		p[j] = j < 8 && n >= 8 ? (unsigned char)(seq >> (8 * j)) :
			(unsigned char)(j * 7 + seq * 13);
}

static long check(const unsigned char *p, size_t n)
{
	uint64_t seq = 0;
	size_t j;

	if (n >= 8)
		for (j = 0; j < 8; j++)
			seq |= (uint64_t)p[j] << (8 * j);
	for (j = n >= 8 ? 8 : 0; j < n; j++)
		if (p[j] != (unsigned char)(j * 7 + seq * 13))
			return (long)j;
	return -1;
}

struct lane_ctx {
	struct fi_context2 ctx; /* first: libfabric's scratch space */
	int is_rx;
	int readback; /* --verify of writes: reading the peer's slot back */
	int posted;   /* in flight: a receive the drain has to cancel */
	unsigned slot;
};

/* A lane's contexts: a window of sends, a window of receives, the read-backs. */
#define READBACKS 64
#define NCTX (2 * LANE_MAX_WINDOW + READBACKS)

/*
 * Before the thread ends, its operations end: receives are cancelled, sends and RMA given a
 * moment to complete (a slowed peer may still take them). Bounded: a stopped peer never will.
 */
#define DRAIN_SEC 0.5

static void drain(struct lane *l)
{
	unsigned i;

	for (i = 0; i < NCTX; i++)
		if (l->ctx[i].posted && l->ctx[i].is_rx)
			fab_cancel(l->ep, &l->ctx[i]);
	fab_drain(l->ep, now_sec() + (l->job.drain_sec > 0 ? l->job.drain_sec : DRAIN_SEC));
	for (i = 0; i < NCTX; i++)
		l->ctx[i].posted = 0;
}

static int post_one(struct lane *l, struct lane_ctx *c, uint64_t seq)
{
	struct lane_job *j = &l->job;
	size_t txoff = (size_t)c->slot * j->size, rxoff = rx_off(l, c->slot);

	if (c->is_rx)
		return fab_post_recv(l->ep, l->buf, rxoff, j->size, c, now_sec() + j->stall_sec);
	if (j->verify && j->op != LANE_READ) {
		unsigned char *p = fab_buf_stage(l->buf, txoff);

		fill(p, j->size, seq);
		if (j->corrupt_offset >= 0 && (size_t)j->corrupt_offset < j->size)
			p[j->corrupt_offset] ^= 0xff;
		if (fab_buf_commit(l->buf, txoff, j->size))
			return -FI_EIO;
	}
	switch (j->op) {
	case LANE_SEND:
		return fab_post_send_once(l->ep, l->peer, l->buf, txoff, j->size, c);
	case LANE_WRITE:
		/* Slot k goes to the peer's slot k: no two writes in flight share a target. */
		return fab_post_write_once(l->ep, l->peer, l->buf, txoff, j->size, &l->remote,
					   rx_off(l, c->slot), c);
	default:
		return fab_post_read_once(l->ep, l->peer, l->buf, rxoff, j->size, &l->remote, txoff,
					  c);
	}
}

/* --verify of writes: read the peer's slots back and check them, the end-to-end proof. */
static int readback(struct lane *l, struct lane_ctx *rb, unsigned n)
{
	struct lane_job *j = &l->job;
	unsigned k;
	int ret;

	for (k = 0; k < n; k++) {
		/* Into our send slot k: the writes are done with it, and the peer may still be
		 * writing into our receive half (--bidir). */
		rb[k] = (struct lane_ctx){ .is_rx = 0, .readback = 1, .slot = k, .posted = 1 };
		do {
			ret = fab_post_read_once(l->ep, l->peer, l->buf, (size_t)k * j->size, j->size,
						 &l->remote, rx_off(l, k), &rb[k]);
			if (ret == -FI_EAGAIN) {
				struct fab_comp c;

				if (fab_poll(l->ep, &c) < 0)
					return -FI_EIO;
			}
		} while (ret == -FI_EAGAIN);
		if (ret)
			return (int)ret;
	}
	return 0;
}

/* The first byte of the slot at off that breaks the pattern, -1 when none (0: unreadable). */
static long check_at(struct lane *l, size_t off)
{
	const unsigned char *p = fab_buf_fetch(l->buf, off, l->job.size);

	return p ? check(p, l->job.size) : 0;
}

static void fail(struct lane *l, int err, const char *what)
{
	/* Once finished, the main thread reads the results: they must not change any more. */
	if (l->res.err || __atomic_load_n(&l->finished, __ATOMIC_ACQUIRE))
		return;
	l->res.err = err;
	snprintf(l->res.err_text, sizeof(l->res.err_text), "%s: %s", what,
		 l->ep->err_text[0] ? l->ep->err_text : fi_strerror(-err));
}

static void *lane_main(void *arg)
{
	struct lane *l = arg;
	struct lane_job *j = &l->job;
	unsigned nslots = slots_for(j->size, j->window, j->verify), w = j->window, i;
	unsigned inflight_tx = 0, inflight_rx = 0, readbacks = 0, readbacks_done = 0;
	struct lane_ctx *ctx = l->ctx, *rb = l->ctx + 2 * LANE_MAX_WINDOW;
	long posted_tx = 0, posted_rx = 0, done_tx = 0, done_rx = 0;
	struct lane_ctx **free_tx = calloc(w, sizeof(*free_tx)), **free_rx = calloc(w, sizeof(*free_rx));
	unsigned nfree_tx = 0, nfree_rx = 0;
	double start = now_sec(), last_progress;
	struct fab_comp c;
	int ret;

	l->res.bad_offset = -1;
	if (!free_tx || !free_rx) {
		fail(l, -FI_ENOMEM, "lane");
		goto out;
	}
	/* GPU memory: this thread posts, copies and progresses, so it needs the GPU's context. */
	if (fab_buf_bind_thread(l->buf, l->res.err_text, sizeof(l->res.err_text))) {
		l->res.err = -FI_EINVAL;
		goto out;
	}
	/* With --verify the window is bounded by the distinct buffers there is room for. */
	if (j->verify && w > nslots)
		w = nslots;
	for (i = 0; i < w; i++) {
		ctx[i] = (struct lane_ctx){ .is_rx = 0, .slot = i % nslots };
		ctx[w + i] = (struct lane_ctx){ .is_rx = 1, .slot = i % nslots };
		free_tx[nfree_tx++] = &ctx[i];
		free_rx[nfree_rx++] = &ctx[w + i];
	}
	/* A read target serves patterns the reader can check: slot k carries sequence k. */
	if (j->passive && j->op == LANE_READ && j->verify) {
		for (i = 0; i < nslots; i++)
			fill(fab_buf_stage(l->buf, (size_t)i * j->size), j->size, i);
		if (fab_buf_commit(l->buf, 0, (size_t)nslots * j->size)) {
			fail(l, -FI_EIO, "--verify: copying the read target's patterns to the GPU");
			goto out;
		}
	}
	start = last_progress = now_sec();
	for (;;) {
		double now;
		bool active = false, quiet;
		int got;

		/* Keep the window full. */
		quiet = __atomic_load_n(&l->quiesce, __ATOMIC_ACQUIRE);
		while (j->receive && posted_rx < j->count && nfree_rx && !quiet) {
			struct lane_ctx *rc = free_rx[nfree_rx - 1];

			ret = post_one(l, rc, 0);
			if (ret == -FI_EAGAIN || ret == -FI_ETIMEDOUT)
				break;
			if (ret) {
				fail(l, ret, "posting a receive");
				goto out;
			}
			nfree_rx--;
			rc->posted = 1;
			inflight_rx++;
			posted_rx++;
		}
		while (j->initiate && posted_tx < j->count && nfree_tx && !quiet) {
			struct lane_ctx *tc = free_tx[nfree_tx - 1];

			ret = post_one(l, tc, (uint64_t)posted_tx);
			if (ret == -FI_EAGAIN)
				break;
			if (ret) {
				fail(l, ret, j->op == LANE_SEND ? "fi_send" :
					     j->op == LANE_WRITE ? "fi_write" : "fi_read");
				goto out;
			}
			nfree_tx--;
			tc->posted = 1;
			inflight_tx++;
			posted_tx++;
		}
		/* Take what completed. */
		got = 0;
		while ((ret = fab_poll(l->ep, &c)) > 0) {
			got++;
			struct lane_ctx *lc = c.context;

			if (c.err) {
				if (__atomic_load_n(&l->finished, __ATOMIC_ACQUIRE))
					continue; /* after the count: nothing left to report */
				fail(l, -c.err, "completion");
				goto out;
			}
			/*
			 * Not one of ours: an earlier lane's operation on this endpoint, which its
			 * drain could not wait for (mesh runs a lane per pair on one endpoint).
			 */
			if (!lc || lc < l->ctx || lc >= l->ctx + NCTX)
				continue;
			lc->posted = 0;
			last_progress = now_sec();
			if (lc->readback) {
				long bad = check_at(l, (size_t)lc->slot * j->size);

				if (bad >= 0 && l->res.bad_offset < 0)
					l->res.bad_offset = bad;
				readbacks_done++;
				continue;
			}
			if (lc->is_rx) {
				inflight_rx--;
				free_rx[nfree_rx++] = lc;
				done_rx++;
				__atomic_store_n(&l->done_rx, done_rx, __ATOMIC_RELAXED);
				if (j->verify && l->res.bad_offset < 0) {
					long bad = check_at(l, rx_off(l, lc->slot));

					if (bad >= 0)
						l->res.bad_offset = bad;
				}
			} else {
				inflight_tx--;
				free_tx[nfree_tx++] = lc;
				done_tx++;
				__atomic_store_n(&l->done_tx, done_tx, __ATOMIC_RELAXED);
				if (j->verify && j->op == LANE_READ && l->res.bad_offset < 0) {
					long bad = check_at(l, rx_off(l, lc->slot));

					if (bad >= 0)
						l->res.bad_offset = bad;
				}
			}
		}
		/* Nothing came: let another runnable thread have the CPU (see lane_job.yield). */
		if (!got && j->yield)
			sched_yield();
		if (ret < 0) {
			if (__atomic_load_n(&l->finished, __ATOMIC_ACQUIRE))
				break;
			fail(l, ret, "fi_cq_read");
			goto out;
		}
		if (j->initiate && done_tx < j->count)
			active = true;
		if (j->receive && done_rx < j->count)
			active = true;
		if (!active && j->initiate && j->op == LANE_WRITE && j->verify && !readbacks) {
			readbacks = nslots < j->count ? nslots : (unsigned)j->count;
			if (readbacks > READBACKS)
				readbacks = READBACKS;
			ret = readback(l, rb, readbacks);
			if (ret) {
				fail(l, ret, "fi_read (--verify read-back)");
				goto out;
			}
		}
		if (readbacks_done < readbacks)
			active = true;
		now = now_sec();
		if (!active && !__atomic_load_n(&l->finished, __ATOMIC_ACQUIRE)) {
			/* Done counting; keep progressing (a peer may still need us) until stopped. */
			l->res.elapsed = now - start;
			__atomic_store_n(&l->finished, 1, __ATOMIC_RELEASE);
		}
		if (__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE))
			break;
		if (active && now - last_progress > j->stall_sec) {
			l->res.err = -FI_ETIMEDOUT;
			snprintf(l->res.err_text, sizeof(l->res.err_text), "no completion for %.3g s (sent %ld "
				 "of %ld, received %ld of %ld)", j->stall_sec, done_tx,
				 j->initiate ? j->count : 0, done_rx, j->receive ? j->count : 0);
			goto out;
		}
	}
	drain(l);
	free(free_tx);
	free(free_rx);
	return NULL;
out:
	/* A failure also finishes the lane: the main thread must not wait for it. */
	if (!__atomic_load_n(&l->finished, __ATOMIC_ACQUIRE)) {
		l->res.elapsed = now_sec() - start;
		__atomic_store_n(&l->finished, 1, __ATOMIC_RELEASE);
	}
	drain(l);
	free(free_tx);
	free(free_rx);
	return NULL;
}

int lane_start(struct lane *l, const struct lane_job *job)
{
	l->job = *job;
	if (l->job.window < 1)
		l->job.window = 1;
	if (l->job.window > LANE_MAX_WINDOW)
		l->job.window = LANE_MAX_WINDOW;
	__atomic_store_n(&l->done_tx, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&l->done_rx, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&l->stop, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&l->quiesce, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&l->finished, 0, __ATOMIC_RELEASE);
	memset(&l->res, 0, sizeof(l->res));
	l->res.bad_offset = -1;
	/* Allocated once, for the largest window: every size's run reuses them. */
	if (!l->ctx)
		l->ctx = calloc(NCTX, sizeof(*l->ctx));
	if (!l->ctx || pthread_create(&l->thread, NULL, lane_main, l))
		return -1;
	l->started = true;
	return 0;
}

bool lane_finished(const struct lane *l)
{
	return __atomic_load_n(&l->finished, __ATOMIC_ACQUIRE);
}

void lane_quiesce(struct lane *l)
{
	__atomic_store_n(&l->quiesce, 1, __ATOMIC_RELEASE);
}

void lane_stop(struct lane *l)
{
	__atomic_store_n(&l->stop, 1, __ATOMIC_RELEASE);
}

void lane_join(struct lane *l)
{
	if (l->started)
		pthread_join(l->thread, NULL);
	l->started = false;
}

void lane_free(struct lane *l)
{
	/*
	 * An abandoned endpoint's operations still name these: left to the process's exit,
	 * kept reachable so a leak checker does not report what is left on purpose (mesh
	 * leaves one lane's per pair with a peer that stopped taking its messages).
	 */
	static void *kept[1024];
	static size_t nkept;

	if (l->ep && l->ep->abandoned) {
		if (nkept < sizeof(kept) / sizeof(kept[0]))
			kept[nkept++] = l->ctx;
	} else {
		free(l->ctx);
	}
	l->ctx = NULL;
}

long lane_progress(const struct lane *l)
{
	return __atomic_load_n(&l->done_rx, __ATOMIC_RELAXED) +
	       __atomic_load_n(&l->done_tx, __ATOMIC_RELAXED);
}
