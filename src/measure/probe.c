// SPDX-License-Identifier: MIT
/* Reachability probes: the machinery sg-check uses to test each direction on its own. */
#include "measure/probe.h"

#include <rdma/fi_errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

size_t probe_buf_size(size_t large)
{
	return PROBE_RECVS * large;
}

static int post_one_recv(struct probe_side *p, int k)
{
	/* Receives are posted once and reposted as they complete: no wait to time out on. */
	return fab_post_recv(p->rx, p->rxbuf, (size_t)k * p->large, p->large, &p->rctx[k],
			     now_sec() + 1);
}

static void try_send(struct probe_side *p, int k, double now)
{
	size_t len = k ? p->large : p->small;
	int ret;

	ret = fab_post_send_once(p->tx, p->peer, p->txbuf, 0, len, &p->sctx[k]);
	if (ret == -FI_EAGAIN) {
		p->retry_at[k] = now + 0.001;
		return;
	}
	if (ret) {
		p->send_err = -ret;
		p->send_class = p->tx->err_class;
		str_copy(p->send_err_text, sizeof(p->send_err_text), p->tx->err_text);
		p->retry_at[k] = now + PROBE_RETRY_SEC;
		return;
	}
	p->send_posted[k] = true;
	p->retry_at[k] = 0;
}

int probe_start(struct probe_side *p, struct fab_ep *tx, struct fab_buf *txbuf, fi_addr_t peer,
		struct fab_ep *rx, struct fab_buf *rxbuf, size_t large, double now)
{
	int k, ret;

	memset(p, 0, sizeof(*p));
	p->tx = tx;
	p->txbuf = txbuf;
	p->peer = peer;
	p->rx = rx;
	p->rxbuf = rxbuf;
	p->small = PROBE_SMALL;
	p->large = large;
	p->start = now;
	for (k = 0; k < PROBE_RECVS; k++) {
		ret = post_one_recv(p, k);
		if (ret)
			return ret;
	}
	/* A recognisable payload, so a stray message is not taken for a probe. */
	memset(fab_buf_at(txbuf, 0), 0xef, large);
	try_send(p, 0, now);
	try_send(p, 1, now);
	return 0;
}

static int recv_slot(const struct probe_side *p, void *context)
{
	int k;

	for (k = 0; k < PROBE_RECVS; k++)
		if (context == &p->rctx[k])
			return k;
	return -1;
}

static void on_send_completion(struct probe_side *p, const struct fab_comp *c, double now)
{
	int k = c->context == &p->sctx[0] ? 0 : c->context == &p->sctx[1] ? 1 : -1;

	if (k < 0)
		return;
	p->send_posted[k] = false;
	if (!c->err) {
		p->send_ok[k] = true;
		return;
	}
	p->send_err = c->err;
	p->send_class = p->tx->err_class;
	str_copy(p->send_err_text, sizeof(p->send_err_text), p->tx->err_text);
	/* An unreachable error may clear (a rule added meanwhile): try again while time is left. */
	p->retry_at[k] = now + PROBE_RETRY_SEC;
}

static int on_recv_completion(struct probe_side *p, const struct fab_comp *c, double now)
{
	int k = recv_slot(p, c->context);

	if (k < 0)
		return 0;
	/* A receive error is not a probe: the slot is only posted again. */
	if (!c->err && c->len == p->small)
		p->got_small = true;
	else if (!c->err && c->len == p->large)
		p->got_large = true;
	if (p->got_small && p->got_large && !p->got_both_at)
		p->got_both_at = now;
	return post_one_recv(p, k);
}

int probe_step(struct probe_side *p, double now)
{
	struct fab_comp c;
	int k, ret, rounds;

	/* A few completions per step: the caller interleaves steps with other work. */
	for (rounds = 0; rounds < 8; rounds++) {
		ret = fab_poll(p->tx, &c);
		if (ret < 0)
			return ret;
		if (ret > 0)
			on_send_completion(p, &c, now);
		ret = fab_poll(p->rx, &c);
		if (ret < 0)
			return ret;
		if (ret > 0) {
			ret = on_recv_completion(p, &c, now);
			if (ret)
				return ret;
		}
	}
	for (k = 0; k < 2; k++)
		if (!p->send_ok[k] && !p->send_posted[k] && p->retry_at[k] && now >= p->retry_at[k])
			try_send(p, k, now);
	return 0;
}

bool probe_received(const struct probe_side *p)
{
	return p->got_small && p->got_large;
}

bool probe_sent(const struct probe_side *p)
{
	return p->send_ok[0] && p->send_ok[1];
}

int probe_run(struct probe_side *p, double window_end)
{
	int ret;

	while (now_sec() < window_end) {
		ret = probe_step(p, now_sec());
		if (ret)
			return ret;
		if (probe_received(p) && probe_sent(p))
			break;
	}
	return 0;
}

void probe_stop(struct probe_side *p, double deadline)
{
	int k;

	if (!p->rx || !p->tx)
		return;
	for (k = 0; k < PROBE_RECVS; k++)
		fab_cancel(p->rx, &p->rctx[k]);
	fab_drain(p->rx, deadline);
	fab_drain(p->tx, deadline);
}
