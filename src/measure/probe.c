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
	return fab_post_recv(p->rx, p->rxbuf, (size_t)k * p->len[PROBE_L], p->len[PROBE_L],
			     &p->rctx[k], now_sec() + 1);
}

static void note_send_error(struct probe_side *p, struct fab_ep *ep, int err)
{
	p->send_err = err;
	p->send_class = ep->err_class;
	str_copy(p->send_err_text, sizeof(p->send_err_text), ep->err_text);
}

static void try_send(struct probe_side *p, struct probe_path *pa, int k, double now)
{
	int ret;

	/*
	 * Counted when first tried, not when the provider takes it: a connection-based provider
	 * refuses sends (again) until its connection is up, which loss can hold back all window.
	 */
	if (!pa->tried[k])
		p->sent[k]++;
	pa->tried[k] = true;
	ret = fab_post_send_once(pa->ep, pa->peer, pa->buf, 0, p->len[k], &pa->ctx[k]);
	if (ret == -FI_EAGAIN) {
		pa->retry_at[k] = now + 0.001;
		return;
	}
	if (ret) {
		note_send_error(p, pa->ep, -ret);
		pa->retry_at[k] = now + PROBE_RETRY_SEC;
		return;
	}
	pa->posted[k] = true;
	pa->retry_at[k] = 0;
}

int probe_start(struct probe_side *p, const struct probe_path *paths, size_t npaths,
		struct fab_ep *rx, struct fab_buf *rxbuf, size_t large, double now)
{
	size_t i;
	int k, ret;

	memset(p, 0, sizeof(*p));
	p->npaths = npaths < PROBE_PATHS ? npaths : PROBE_PATHS;
	memcpy(p->path, paths, p->npaths * sizeof(*paths));
	p->rx = rx;
	p->rxbuf = rxbuf;
	p->len[PROBE_S] = PROBE_SMALL;
	p->len[PROBE_L] = large;
	p->start = now;
	for (k = 0; k < PROBE_RECVS; k++) {
		ret = post_one_recv(p, k);
		if (ret)
			return ret;
	}
	/*
	 * The small probe first on each path: where large packets vanish (an MTU black hole), an
	 * ordered provider holds everything behind the large one, and the small one must not be
	 * among it. A recognisable payload, so a stray message is not taken for a probe.
	 */
	for (i = 0; i < p->npaths; i++) {
		memset(fab_buf_at(p->path[i].buf, 0), 0xef, large);
		try_send(p, &p->path[i], PROBE_S, now);
		try_send(p, &p->path[i], PROBE_L, now);
	}
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

static void on_send_completion(struct probe_side *p, struct probe_path *pa, int k,
			       const struct fab_comp *c, double now)
{
	pa->posted[k] = false;
	if (!c->err) {
		pa->ok[k] = true;
		return;
	}
	note_send_error(p, pa->ep, c->err);
	/* An unreachable error may clear (a rule added meanwhile): try again while time is left. */
	pa->retry_at[k] = now + PROBE_RETRY_SEC;
}

static int on_recv_completion(struct probe_side *p, const struct fab_comp *c, double now)
{
	int k = recv_slot(p, c->context);

	if (k < 0)
		return 0;
	/* A receive error is not a probe: the slot is only posted again. */
	if (!c->err && c->len == p->len[PROBE_S])
		p->delivered[PROBE_S]++;
	else if (!c->err && c->len == p->len[PROBE_L])
		p->delivered[PROBE_L]++;
	if (probe_received(p) && !p->got_all_at)
		p->got_all_at = now;
	return post_one_recv(p, k);
}

static int poll_path(struct probe_side *p, struct probe_path *pa, double now)
{
	struct fab_comp c;
	int ret, k;

	ret = fab_poll(pa->ep, &c);
	if (ret <= 0)
		return ret;
	for (k = 0; k < 2; k++)
		if (c.context == &pa->ctx[k])
			on_send_completion(p, pa, k, &c, now);
	return 0;
}

int probe_step(struct probe_side *p, double now)
{
	struct fab_comp c;
	struct probe_path *pa;
	int k, ret, rounds;
	size_t i;

	/* A few completions per step: the caller interleaves steps with other work. */
	for (rounds = 0; rounds < 8; rounds++) {
		for (i = 0; i < p->npaths; i++) {
			ret = poll_path(p, &p->path[i], now);
			if (ret < 0)
				return ret;
		}
		ret = fab_poll(p->rx, &c);
		if (ret < 0)
			return ret;
		if (ret > 0) {
			ret = on_recv_completion(p, &c, now);
			if (ret)
				return ret;
		}
	}
	for (i = 0; i < p->npaths; i++) {
		pa = &p->path[i];
		for (k = 0; k < 2; k++)
			if (!pa->ok[k] && !pa->posted[k] && pa->retry_at[k] &&
			    now >= pa->retry_at[k])
				try_send(p, pa, k, now);
	}
	return 0;
}

bool probe_received(const struct probe_side *p)
{
	return p->delivered[PROBE_S] >= PROBE_PATHS && p->delivered[PROBE_L] >= PROBE_PATHS;
}

bool probe_sent(const struct probe_side *p)
{
	size_t i;

	for (i = 0; i < p->npaths; i++)
		if (!p->path[i].ok[PROBE_S] || !p->path[i].ok[PROBE_L])
			return false;
	return true;
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
	size_t i;
	int k;

	if (!p->rx)
		return;
	for (k = 0; k < PROBE_RECVS; k++)
		fab_cancel(p->rx, &p->rctx[k]);
	fab_drain(p->rx, deadline);
	for (i = 0; i < p->npaths; i++)
		fab_drain(p->path[i].ep, deadline);
}
