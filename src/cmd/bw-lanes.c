// SPDX-License-Identifier: MIT
/*
 * bw's lanes: one endpoint per domain. Lane 0 uses the session's endpoint; the others are
 * opened here, their fabric addresses and then, for RMA, their memory regions swapped with the
 * peer over the control channel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/bw.h"
#include "cmd/test.h"
#include "fabric/cuda.h"
#include "fabric/gpu-near.h"
#include "fabric/discover.h"
#include "host/efa_dev.h"
#include "fabric/mr.h"
#include "util.h"

static struct fab_ep *lane_ep(struct bw *b, size_t i)
{
	return i ? &b->eps[i] : &b->s->ep;
}

static int open_lane(struct bw *b, size_t i, char *domain, const struct sockaddr *peer)
{
	struct fab_open_args fa = { .provider = b->s->hello.provider,
				    .domains = domain ? &domain : NULL, .ndomains = domain ? 1 : 0,
				    .peer = peer,
				    .caps = bw_caps(b->cfg.op) | test_mem_caps(&b->s->hello),
				    .fabric = b->s->hello.fabric,
				    .max_msg = test_max_size(&b->s->hello) };

	if (fab_open(&b->eps[i], &fa))
		return test_stop(&b->rep.stop, EXIT_ERROR, "domain %s: %s", domain ? domain : "(any)",
			       b->eps[i].err_text);
	return 0;
}

/* The GPU nearest the domain's NIC (fabric/gpu-near.h), into the lane's report. */
static int nearest_gpu(const char *domain, struct bw_lane_gpu *g)
{
	struct gpu_near near;
	int ordinal = gpu_nearest_domain(domain, &near);

	str_copy(g->nic_pci, sizeof(g->nic_pci), near.nic_pci);
	g->link = near.link;
	g->steps = near.steps;
	return ordinal;
}

/* Every lane's buffer, registered with its endpoint, and the lanes pointed at them. */
static int lane_buffers(struct bw *b, size_t max_size)
{
	size_t i, size = lane_buf_size(max_size, b->cfg.window, b->cfg.verify);
	const struct fab_mem_spec *mem = &b->s->hello.mem;
	char err[512];

	for (i = 0; i < b->cfg.nlanes; i++) {
		struct fab_ep *ep = lane_ep(b, i);
		struct bw_lane_gpu *g = &b->rep.gpu[i];
		int near = -1;

		b->lanes[i].ep = ep;
		b->lanes[i].buf = &b->bufs[i];
		str_copy(b->rep.domains[i], sizeof(b->rep.domains[i]), fab_domain_name(ep));
		*g = (struct bw_lane_gpu){ .gpu = -1, .steps = -1, .link = PCI_LINK_UNKNOWN };
		if (mem->kind == FAB_MEM_CUDA && mem->device < 0)
			near = nearest_gpu(fab_domain_name(ep), g);
		if (fab_buf_alloc_mem(&b->bufs[i], mem, near, size, err, sizeof(err)))
			return test_stop(&b->rep.stop, EXIT_ERROR, "domain %s: %s", fab_domain_name(ep),
					 err);
		if (fab_buf_register(&b->bufs[i], ep))
			return test_stop(&b->rep.stop, EXIT_ERROR, "domain %s: %s", fab_domain_name(ep),
				       ep->err_text);
		if (mem->kind == FAB_MEM_CUDA) {
			if (!b->rep.gdr.missing)
				test_gdr_judge(&b->rep.gdr, &b->bufs[i], ep);
			g->gpu = b->bufs[i].device;
			g->nearest = near >= 0;
			g->path = b->bufs[i].mr_path;
			str_copy(g->dmabuf_error, sizeof(g->dmabuf_error), b->bufs[i].mr_note);
		}
	}
	/* Lane 0 stands for the run; the pairs table names every lane's GPU. */
	test_describe_mem(b->ctx->out, out_root(b->ctx->out), &b->bufs[0], lane_ep(b, 0),
			  b->cfg.nlanes > 1 ? "lane 0 " : "");
	b->lanes[0].peer = b->s->peer;
	str_copy(b->rep.peer_domains[0], sizeof(b->rep.peer_domains[0]), b->s->remote.domain);
	b->rep.nlanes = b->cfg.nlanes;
	return 0;
}

static int lane_addresses(struct bw *b, struct msg *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->kind = MSG_BW_LANES;
	for (i = 1; i < b->cfg.nlanes; i++)
		if (proto_addr_of(&b->eps[i], &m->u.bw_lanes.lanes[m->u.bw_lanes.n++]))
			return test_stop(&b->rep.stop, EXIT_ERROR, "%s", b->eps[i].err_text);
	return 0;
}

static int insert_lane_addresses(struct bw *b, const struct msg *m)
{
	const struct msg_bw_lanes *l = &m->u.bw_lanes;
	size_t i;

	if (l->n != b->cfg.nlanes - 1)
		return test_stop(&b->rep.stop, EXIT_ERROR, "the peer sent %zu lane addresses, %zu expected",
			       l->n, b->cfg.nlanes - 1);
	for (i = 1; i < b->cfg.nlanes; i++) {
		if (proto_insert_addr(&b->eps[i], &l->lanes[i - 1], &b->lanes[i].peer))
			return test_stop(&b->rep.stop, EXIT_ERROR, "lane %zu: %s", i, b->eps[i].err_text);
		str_copy(b->rep.peer_domains[i], sizeof(b->rep.peer_domains[i]),
			 l->lanes[i - 1].domain);
	}
	return 0;
}

/* Describes our registered memory for the peer's RMA, per lane. */
static int mr_message(struct bw *b, struct msg *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->kind = MSG_BW_MR;
	for (i = 0; i < b->cfg.nlanes; i++, m->u.bw_mr.n++)
		if (fab_buf_rkey(&b->bufs[i], lane_ep(b, i), &m->u.bw_mr.keys[i]))
			return test_stop(&b->rep.stop, EXIT_ERROR, "lane %zu: the memory region on %s has no "
				       "key to give the peer", i, fab_domain_name(lane_ep(b, i)));
	return 0;
}

static int take_mr_message(struct bw *b, const struct msg *m)
{
	size_t i;

	if (m->u.bw_mr.n != b->cfg.nlanes)
		return test_stop(&b->rep.stop, EXIT_ERROR, "the peer described %zu memory regions, %zu "
			       "expected", m->u.bw_mr.n, b->cfg.nlanes);
	for (i = 0; i < b->cfg.nlanes; i++)
		if (fab_remote_from_rkey(lane_ep(b, i), &m->u.bw_mr.keys[i], &b->lanes[i].remote))
			return test_stop(&b->rep.stop, EXIT_ERROR, "lane %zu: %s", i,
				       lane_ep(b, i)->err_text);
	return 0;
}

/* Sends m and hands the peer's answer of the same kind to take: 0, or an exit code. */
static int swap_with_peer(struct bw *b, struct msg *m, double reply_deadline,
			  int (*take)(struct bw *, const struct msg *))
{
	enum msg_kind kind = m->kind;
	int ret;

	ret = proto_send(&b->s->oob, m, session_deadline(b->s));
	if (!ret)
		ret = proto_expect(&b->s->oob, kind, m, reply_deadline);
	if (ret)
		return test_stop(&b->rep.stop, EXIT_ERROR, "%s", b->s->oob.err);
	return take(b, m);
}

int bw_client_lanes(struct bw *b, char **names, size_t max_size)
{
	struct msg m;
	size_t i;

	for (i = 1; i < b->cfg.nlanes; i++)
		if (open_lane(b, i, names[i], NULL))
			return b->rep.stop.code;
	if (lane_buffers(b, max_size))
		return b->rep.stop.code;
	/* The server opens its lanes before answering: allow it a second timeout. */
	if (b->cfg.nlanes > 1 &&
	    (lane_addresses(b, &m) || swap_with_peer(b, &m, 2 * b->s->hello.timeout_sec + now_sec(),
						      insert_lane_addresses)))
		return b->rep.stop.code;
	if (b->cfg.op != LANE_SEND &&
	    (mr_message(b, &m) || swap_with_peer(b, &m, session_deadline(b->s), take_mr_message)))
		return b->rep.stop.code;
	return 0;
}

/* The server's lanes 1.., on the domains matching the client's lane addresses. */
static int open_server_lanes(struct bw *b, const struct msg_bw_lanes *l)
{
	char *names[LANE_MAX] = { 0 };
	size_t nnames = 0, i;
	int code = 0;

	/* Our domains, in order, for providers whose addresses say nothing of subnets. */
	if (b->ctx->opt.ndomains)
		for (; nnames < b->ctx->opt.ndomains && nnames < LANE_MAX; nnames++)
			names[nnames] = strdup(b->ctx->opt.domains[nnames]);
	else
		nnames = fabric_domain_names(b->s->hello.provider, names, LANE_MAX);
	for (i = 1; i < b->cfg.nlanes && !code; i++) {
		struct sockaddr_storage ss;
		const struct sockaddr *peer = NULL;

		if (l->lanes[i - 1].ip[0] && proto_ip_from_text(l->lanes[i - 1].ip, &ss))
			peer = (struct sockaddr *)&ss;
		/* Fewer domains than lanes: several endpoints share one (shm has one domain). */
		if (!peer && !nnames)
			code = test_stop(&b->rep.stop, EXIT_ERROR, "provider %s has no domain here",
				       b->s->hello.provider);
		else
			code = open_lane(b, i, peer ? NULL : names[i % nnames], peer);
	}
	for (i = 0; i < LANE_MAX; i++)
		free(names[i]);
	return code;
}

int bw_server_lanes(struct bw *b)
{
	struct msg m;

	if (b->cfg.nlanes > 1) {
		if (proto_expect(&b->s->oob, MSG_BW_LANES, &m, session_deadline(b->s)))
			return test_stop(&b->rep.stop, EXIT_ERROR, "client %s: %s", b->s->oob.peer,
				       b->s->oob.err);
		if (m.u.bw_lanes.n != b->cfg.nlanes - 1)
			return test_stop(&b->rep.stop, EXIT_ERROR, "client %s: bad lanes message",
				       b->s->oob.peer);
		if (open_server_lanes(b, &m.u.bw_lanes) ||
		    lane_buffers(b, test_max_size(&b->s->hello)) || insert_lane_addresses(b, &m) ||
		    lane_addresses(b, &m)) {
			proto_send_error(&b->s->oob, b->rep.stop.error, now_sec() + 1);
			return b->rep.stop.code;
		}
		if (proto_send(&b->s->oob, &m, session_deadline(b->s)))
			return test_stop(&b->rep.stop, EXIT_ERROR, "%s", b->s->oob.err);
	} else if (lane_buffers(b, test_max_size(&b->s->hello))) {
		proto_send_error(&b->s->oob, b->rep.stop.error, now_sec() + 1);
		return b->rep.stop.code;
	}
	if (b->cfg.op == LANE_SEND)
		return 0;
	if (proto_expect(&b->s->oob, MSG_BW_MR, &m, session_deadline(b->s)))
		return test_stop(&b->rep.stop, EXIT_ERROR, "client %s: %s", b->s->oob.peer, b->s->oob.err);
	if (take_mr_message(b, &m) || mr_message(b, &m)) {
		proto_send_error(&b->s->oob, b->rep.stop.error, now_sec() + 1);
		return b->rep.stop.code;
	}
	if (proto_send(&b->s->oob, &m, session_deadline(b->s)))
		return test_stop(&b->rep.stop, EXIT_ERROR, "%s", b->s->oob.err);
	return 0;
}

void bw_close_lanes(struct bw *b)
{
	size_t i;

	/* Each lane's thread ends its operations (cancel, drain) before it returns. */
	for (i = 0; i < b->cfg.nlanes; i++)
		lane_stop(&b->lanes[i]);
	for (i = 0; i < b->cfg.nlanes; i++)
		lane_join(&b->lanes[i]);
	/* Then the endpoints, before the memory their operations used; lane 0's is the
	 * session's, whose domain closes with the session. */
	for (i = b->cfg.nlanes; i > 0; i--) {
		fab_remote_release(&b->lanes[i - 1].remote);
		fab_close_endpoint(lane_ep(b, i - 1));
	}
	for (i = b->cfg.nlanes; i > 0; i--) {
		fab_buf_free(&b->bufs[i - 1]);
		lane_free(&b->lanes[i - 1]);
		if (i > 1)
			fab_close(&b->eps[i - 1]);
	}
}
