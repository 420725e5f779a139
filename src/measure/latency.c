// SPDX-License-Identifier: MIT
/* Latency: the ping loop that times round trips, and the echo loop that answers them. */
#include "measure/latency.h"

#include <rdma/fi_errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Percentiles come from at most this many samples per size (see struct lat_acc). */
#define SAMPLE_CAP 1000000

enum { FROM_PING = 0x5a, FROM_ECHO = 0xa5 };

/* One side's state while a size runs. */
struct side {
	struct fab_ep *ep;
	struct fab_buf *buf;
	fi_addr_t peer;
	const struct lat_params *p;
	struct fi_context2 send_ctx, recv_ctx[2];
};

size_t lat_buf_size(size_t max_size)
{
	return LAT_BUF_SLOTS * max_size;
}

void lat_fill(unsigned char *p, size_t n, long iter, int dir)
{
	size_t j;

	for (j = 0; j < n; j++)
		p[j] = (unsigned char)(j * 131 + (size_t)iter * 7 + (size_t)dir);
}

long lat_check(const unsigned char *p, size_t n, long iter, int dir)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (p[j] != (unsigned char)(j * 131 + (size_t)iter * 7 + (size_t)dir))
			return (long)j;
	return -1;
}

/*
 * The payload to send, written through the buffer's host side (GPU memory is filled by a
 * copy), with the test hook's flipped byte. 0, or -FI_EIO when the copy failed.
 */
static int fill_tx(struct side *s, long iter, int dir, long corrupt_offset)
{
	unsigned char *p = fab_buf_stage(s->buf, 0);

	lat_fill(p, s->p->size, iter, dir);
	if (corrupt_offset >= 0 && (size_t)corrupt_offset < s->p->size)
		p[corrupt_offset] ^= 0xff;
	if (!fab_buf_commit(s->buf, 0, s->p->size))
		return 0;
	snprintf(s->ep->err_text, sizeof(s->ep->err_text), "--verify: copying the payload to the "
		 "GPU failed");
	s->ep->err_class = FAB_ERR_OTHER;
	return -FI_EIO;
}


/* Message i is received into slot i % 2: the next receive is posted before this one is done. */
static size_t rx_off(const struct side *s, long i)
{
	return (size_t)(1 + i % 2) * s->p->max_size;
}

/* The first byte of received message i that is not what dir sent, -1 when all are. */
static long check_rx(struct side *s, long i, int dir)
{
	const unsigned char *p = fab_buf_fetch(s->buf, rx_off(s, i), s->p->size);

	/* A copy back from the GPU that failed proves nothing: the first byte is called bad. */
	return p ? lat_check(p, s->p->size, i, dir) : 0;
}

static int post_recv(struct side *s, long i, double deadline)
{
	return fab_post_recv(s->ep, s->buf, rx_off(s, i), s->p->size, &s->recv_ctx[i % 2],
			     deadline);
}

/* Sends and, when the send produces a completion, leaves it to reap_send. */
static int send_msg(struct side *s, bool *pending, double deadline)
{
	return fab_post_send(s->ep, s->peer, s->buf, 0, s->p->size, &s->send_ctx, pending,
			     deadline);
}

static int reap_send(struct side *s, bool *pending, double deadline)
{
	struct fab_comp c;
	int ret;

	if (!*pending)
		return 0;
	ret = fab_wait(s->ep, &s->send_ctx, &c, deadline, -1);
	*pending = false;
	return ret;
}

static int wait_recv(struct side *s, long i, double deadline)
{
	struct fab_comp c;
	int ret = fab_wait(s->ep, &s->recv_ctx[i % 2], &c, deadline, s->p->watch_fd);

	if (!ret && c.len != s->p->size) {
		snprintf(s->ep->err_text, sizeof(s->ep->err_text), "received %zu bytes, expected "
			 "%zu", c.len, s->p->size);
		s->ep->err_class = FAB_ERR_OTHER;
		return -FI_EIO;
	}
	return ret;
}

/*
 * The operations a failed or cut-short size leaves in flight (a receive posted ahead, a send
 * to a peer that stopped) end here, before the caller closes the endpoint or reuses the
 * buffer: receives are cancelled, the rest gets a moment. Nothing to do after a clean size.
 */
#define SETTLE_SEC 0.5

static void settle(struct side *s)
{
	if (!s->ep->inflight)
		return;
	fab_cancel(s->ep, &s->recv_ctx[0]);
	fab_cancel(s->ep, &s->recv_ctx[1]);
	fab_drain(s->ep, now_sec() + SETTLE_SEC);
}

static void init_result(struct lat_result *r)
{
	memset(r, 0, sizeof(*r));
	r->bad_offset = -1;
}

/* The result of a failed wait or post: the endpoint says what happened. */
static int failed(struct lat_result *r, struct side *s, int err, long iter)
{
	r->err = err;
	r->iteration = iter;
	r->err_class = s->ep->err_class;
	str_copy(r->err_text, sizeof(r->err_text), s->ep->err_text);
	settle(s);
	return err;
}

int lat_ping(struct fab_ep *ep, fi_addr_t peer, struct fab_buf *buf, const struct lat_params *p,
	     struct lat_result *r)
{
	struct side s = { .ep = ep, .buf = buf, .peer = peer, .p = p };
	long total = p->warmup + p->iterations, i, bad;
	double within = FAB_WITHIN(p->timeout_sec);
	struct lap_timer tm;
	bool pending = false;
	int ret;

	init_result(r);
	if (lap_timer_start(&tm, SAMPLE_CAP, p->warmup, p->tsc))
		return failed(r, &s, -FI_ENOMEM, 0);
	/*
	 * One clock read per round trip, none in the waits (relative deadlines): a round trip
	 * is the time between two arrivals. Receive i + 1 is posted while message i travels,
	 * off the measured path and still before its reply can exist: no message ever arrives
	 * unexpected, which efa-direct could not hold.
	 */
	ret = post_recv(&s, 0, within);
	for (i = 0; !ret && i < total; i++) {
		ret = p->verify ? fill_tx(&s, i, FROM_PING, -1) : 0;
		if (!ret)
			ret = send_msg(&s, &pending, within);
		if (!ret && i + 1 < total)
			ret = post_recv(&s, i + 1, within);
		if (!ret)
			ret = wait_recv(&s, i, within);
		if (!ret) {
			lap_timer_lap(&tm);
			ret = reap_send(&s, &pending, within);
		}
		if (ret)
			break;
		if (p->progress && (i + 1) % LAT_PROGRESS_EVERY == 0)
			p->progress(p->progress_arg, i + 1, total);
		if (p->verify && (bad = check_rx(&s, i, FROM_ECHO)) >= 0) {
			lap_timer_free(&tm);
			r->bad_offset = bad;
			r->iteration = i;
			settle(&s);
			return 0;
		}
	}
	if (ret) {
		lap_timer_free(&tm);
		return failed(r, &s, ret, i);
	}
	lap_timer_done(&tm, &r->rt_usec);
	r->window_sec = tm.win_sec;
	r->iteration = total;
	return 0;
}

/*
 * Receive, reply. It takes no per-message timestamps (they would slow the very thing
 * measured); the pinging side measures for both.
 */
int lat_echo(struct fab_ep *ep, fi_addr_t peer, struct fab_buf *buf, const struct lat_params *p,
	     int (*ready)(void *arg), void *arg, struct lat_result *r)
{
	struct side s = { .ep = ep, .buf = buf, .peer = peer, .p = p };
	long total = p->warmup + p->iterations, i, bad;
	double within = FAB_WITHIN(p->timeout_sec), deadline = now_sec() + p->timeout_sec;
	bool pending = false;
	int ret;

	init_result(r);
	/* Two receives are posted before the pinging side may start, and stay two ahead. */
	ret = post_recv(&s, 0, deadline);
	if (!ret && total > 1)
		ret = post_recv(&s, 1, deadline);
	if (ret)
		return failed(r, &s, ret, 0);
	ret = ready(arg);
	if (ret) {
		r->err = ret;
		str_copy(r->err_text, sizeof(r->err_text), "the control channel failed");
		settle(&s);
		return ret;
	}
	for (i = 0; !ret && i < total; i++) {
		ret = wait_recv(&s, i, within);
		if (ret)
			break;
		if (p->verify && (bad = check_rx(&s, i, FROM_PING)) >= 0) {
			r->bad_offset = bad;
			r->iteration = i;
			settle(&s);
			return 0;
		}
		if (p->verify || p->corrupt_offset >= 0)
			ret = fill_tx(&s, i, FROM_ECHO, p->corrupt_offset);
		if (ret)
			break;
		/* Reply first; message i + 1 already has its receive, i + 2 gets this slot. */
		ret = send_msg(&s, &pending, within);
		if (!ret && i + 2 < total)
			ret = post_recv(&s, i + 2, within);
		if (!ret)
			ret = reap_send(&s, &pending, within);
	}
	if (ret)
		return failed(r, &s, ret, i);
	r->iteration = total;
	return 0;
}
