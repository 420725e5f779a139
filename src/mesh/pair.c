// SPDX-License-Identifier: MIT
/* Opening a rank's endpoints for mesh, and one pair's latency and bandwidth in its slot. */
#include "mesh/pair.h"

#include <rdma/fi_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fabric/discover.h"
#include "fabric/gpu-near.h"
#include "fabric/mr.h"
#include "measure/latency.h"
#include "util.h"

#define LAT_SIZE 64
/* The share of the slot each phase may use; the rest absorbs drains and clock skew. */
#define SLOT_PING_DELAY 0.02 /* the echoing side posts its receives first */
#define SLOT_LAT_END 0.25    /* a failed latency phase then settles for 0.5 s at most */
#define SLOT_BW_START 0.30
#define SLOT_BW_END 0.80  /* sending stops; what is in flight completes until the stop */
#define SLOT_BW_STOP 0.90
/* At the stop, operations still in flight (a weak peer) are left behind, not waited for. */
#define BW_DRAIN_SEC 0.05

static void sleep_until(double t)
{
	double d;

	while ((d = t - now_sec()) > 0) {
		struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };

		nanosleep(&ts, NULL);
	}
}

static int open_one(struct fab_ep *ep, const char *provider, char *domain, int nranks,
		    const struct mesh_params *p, size_t max_msg, char *err, size_t errlen)
{
	struct fab_open_args a = { .provider = provider, .domains = domain ? &domain : NULL,
				   .ndomains = domain ? 1 : 0,
				   .caps = FI_MSG | FI_DIRECTED_RECV,
				   .max_peers = (size_t)nranks + 1, .fabric = p->fabric,
				   .max_msg = max_msg };

	if (!fab_open(ep, &a))
		return 0;
	snprintf(err, errlen, "domain %s: %s", domain ? domain : "(any)", ep->err_text);
	return ep->no_fabric ? -2 : -1;
}

static int open_nic(struct mesh_fabric *f, struct mesh_nic_eps *n, const char *provider,
		    char *domain, struct mesh_params *p, char *err, size_t errlen)
{
	size_t bwsize;
	struct gpu_near g;
	char why[512];
	int r, near = -1;

	n->lat_peer = malloc((size_t)f->nranks * sizeof(fi_addr_t));
	n->bw_peer = malloc((size_t)f->nranks * sizeof(fi_addr_t));
	if (!n->lat_peer || !n->bw_peer) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (r = 0; r < f->nranks; r++)
		n->lat_peer[r] = n->bw_peer[r] = FI_ADDR_NOTAVAIL;
	r = open_one(&n->lat, provider, domain, f->nranks, p, LAT_SIZE, err, errlen);
	if (r) {
		f->fabric_refused = r == -2;
		return -1;
	}
	/*
	 * Never post more than the fabric takes: a fabric with a message limit below the
	 * bandwidth message (efa-direct's is the device's MTU, libfabric v2.1.0+
	 * prov/efa/src/efa_user_info.c; it has no directed receives, so mesh does not open it,
	 * but another may) gets messages of its limit. The ranks agree on the size where their
	 * fabrics' limit is the same.
	 */
	if (p->bw_size > n->lat.max_msg_size)
		p->bw_size = n->lat.max_msg_size;
	bwsize = lane_buf_size(p->bw_size, p->window, false);
	if (open_one(&n->bw, provider, domain, f->nranks, p, p->bw_size, err, errlen))
		return -1;
	/* --mem cuda: the GPU nearest this NIC, as bw --all-domains pairs them. */
	if (p->mem.kind == FAB_MEM_CUDA && p->mem.device < 0)
		near = gpu_nearest_domain(fab_domain_name(&n->lat), &g);
	if (fab_buf_alloc_mem(&n->latbuf, &p->mem, near, lat_buf_size(LAT_SIZE), why,
			      sizeof(why)) ||
	    fab_buf_alloc_mem(&n->bwbuf, &p->mem, near, bwsize, why, sizeof(why))) {
		snprintf(err, errlen, "domain %s: %s", fab_domain_name(&n->lat), why);
		return -1;
	}
	if (fab_buf_register(&n->latbuf, &n->lat) || fab_buf_register(&n->bwbuf, &n->bw)) {
		snprintf(err, errlen, "domain %s: %s", fab_domain_name(&n->lat),
			 n->lat.err_text[0] ? n->lat.err_text : n->bw.err_text);
		return -1;
	}
	return 0;
}

int mesh_fabric_open(struct mesh_fabric *f, const char *provider, char *const *domains,
		     size_t ndomains, int nranks, struct mesh_params *p, char *err,
		     size_t errlen)
{
	char *names[MESH_MAX_LANES] = { 0 };
	size_t n, i;
	int ret = 0;

	memset(f, 0, sizeof(*f));
	f->nranks = nranks;
	if (ndomains) {
		n = ndomains < MESH_MAX_LANES ? ndomains : MESH_MAX_LANES;
		for (i = 0; i < n; i++)
			names[i] = strdup(domains[i]);
	} else {
		n = fabric_domain_names(provider, names, MESH_MAX_LANES);
	}
	/* No NIC but loopback: the provider's own choice, so one node still runs. */
	for (i = 0; i < (n ? n : 1) && !ret; i++) {
		ret = open_nic(f, &f->nic[i], provider, n ? names[i] : NULL, p, err, errlen);
		f->nnics++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	return ret;
}

int mesh_fabric_card(struct mesh_fabric *f, struct mesh_card *card, char *err, size_t errlen)
{
	int i;

	card->nnics = f->nnics;
	for (i = 0; i < f->nnics; i++) {
		struct mesh_nic *c = &card->nics[i];

		str_copy(c->domain, sizeof(c->domain), fab_domain_name(&f->nic[i].lat));
		c->lat_len = sizeof(c->lat_addr);
		c->bw_len = sizeof(c->bw_addr);
		if (fab_getname(&f->nic[i].lat, c->lat_addr, &c->lat_len) ||
		    fab_getname(&f->nic[i].bw, c->bw_addr, &c->bw_len)) {
			snprintf(err, errlen, "fi_getname: %s", f->nic[i].lat.err_text);
			return -1;
		}
	}
	return 0;
}

int mesh_fabric_insert(struct mesh_fabric *f, int rank, const struct mesh_card *c, char *err,
		       size_t errlen)
{
	int i;

	for (i = 0; i < f->nnics && i < c->nnics; i++) {
		struct mesh_nic_eps *n = &f->nic[i];

		if (fab_insert_peer(&n->lat, c->nics[i].lat_addr, c->nics[i].lat_len,
				    &n->lat_peer[rank]) ||
		    fab_insert_peer(&n->bw, c->nics[i].bw_addr, c->nics[i].bw_len,
				    &n->bw_peer[rank])) {
			snprintf(err, errlen, "rank %d's %s: %s", rank, c->nics[i].domain,
				 n->lat.err_text[0] ? n->lat.err_text : n->bw.err_text);
			return -1;
		}
	}
	return 0;
}

void mesh_fabric_close(struct mesh_fabric *f)
{
	size_t i;
	int k;

	/* Endpoints first, then what their operations used (fabric/endpoint.h), then the rest. */
	for (k = 0; k < f->nnics; k++) {
		fab_close_endpoint(&f->nic[k].lat);
		fab_close_endpoint(&f->nic[k].bw);
	}
	for (i = 0; i < f->nlanes; i++) {
		lane_free(f->lanes[i]);
		free(f->lanes[i]);
	}
	free(f->lanes);
	f->lanes = NULL;
	f->nlanes = f->lanes_cap = 0;
	for (k = 0; k < f->nnics; k++) {
		fab_buf_free(&f->nic[k].latbuf);
		fab_buf_free(&f->nic[k].bwbuf);
		fab_close(&f->nic[k].lat);
		fab_close(&f->nic[k].bw);
		free(f->nic[k].lat_peer);
		free(f->nic[k].bw_peer);
		f->nic[k].lat_peer = f->nic[k].bw_peer = NULL;
	}
	f->nnics = 0;
}

void mesh_slot_plan(double t0, double budget, int round, struct mesh_slot *s)
{
	s->start = t0 + budget * round;
	s->ping_at = s->start + budget * SLOT_PING_DELAY;
	s->lat_end = s->start + budget * SLOT_LAT_END;
	s->bw_start = s->start + budget * SLOT_BW_START;
	s->bw_end = s->start + budget * SLOT_BW_END;
	s->bw_stop = s->start + budget * SLOT_BW_STOP;
	s->end = s->start + budget;
}

static int no_wait(void *arg)
{
	(void)arg;
	return 0;
}

/* Latency on the first NIC: the lower rank pings and times, the other echoes. */
static void measure_latency(struct mesh_fabric *f, int peer, const struct mesh_slot *s,
			    const struct mesh_params *p, struct mesh_side *side)
{
	struct mesh_nic_eps *n = &f->nic[0];
	struct lat_params lp = { .size = LAT_SIZE, .max_size = LAT_SIZE,
				 .iterations = p->iterations, .warmup = p->warmup,
				 .watch_fd = -1, .corrupt_offset = -1 };
	struct lat_result r;

	side->lat_total = p->iterations + p->warmup;
	n->lat.recv_from = n->lat_peer[peer];
	sleep_until(side->pinger ? s->ping_at : s->start);
	/* Half the phase gone before it started here: its round trips measure this rank's CPU. */
	if (now_sec() - s->ping_at > (s->lat_end - s->ping_at) / 2) {
		side->missed = true;
		snprintf(side->err, sizeof(side->err), "reached the latency phase %.3g s late",
			 now_sec() - s->ping_at);
	}
	lp.timeout_sec = s->lat_end - now_sec();
	if (lp.timeout_sec < 0.01)
		lp.timeout_sec = 0.01;
	if (side->pinger) {
		lat_ping(&n->lat, n->lat_peer[peer], &n->latbuf, &lp, &r);
		side->lat_done = r.err ? (r.iteration > p->warmup ? r.iteration - p->warmup : 0) :
					 (long)r.rt_usec.n;
		side->lat_total = p->iterations;
		side->lat_avg_usec = r.err ? 0 : r.rt_usec.avg / 2;
		side->lat_p50_usec = r.err ? 0 : r.rt_usec.p50 / 2;
	} else {
		lat_echo(&n->lat, n->lat_peer[peer], &n->latbuf, &lp, no_wait, NULL, &r);
		side->lat_done = r.iteration;
	}
	if (r.err && !side->missed)
		snprintf(side->err, sizeof(side->err), "latency: %s",
			 r.err == -FI_ETIMEDOUT ? "no answer within the slot" : r.err_text);
}

/* A lane of its own memory: a running lane's thread holds its address. */
static struct lane *new_lane(struct mesh_fabric *f)
{
	if (f->nlanes == f->lanes_cap) {
		size_t cap = f->lanes_cap ? 2 * f->lanes_cap : 64;
		struct lane **l = realloc(f->lanes, cap * sizeof(*l));

		if (!l)
			return NULL;
		f->lanes = l;
		f->lanes_cap = cap;
	}
	f->lanes[f->nlanes] = calloc(1, sizeof(struct lane));
	return f->lanes[f->nlanes] ? f->lanes[f->nlanes++] : NULL;
}

/*
 * Bandwidth: every NIC pair at once, both ways, for the phase's share of the slot. The rate
 * is what arrived here over that time; the peer reports the other direction.
 */
static void measure_bandwidth(struct mesh_fabric *f, int peer, int nlanes,
			      const struct mesh_slot *s, const struct mesh_params *p,
			      struct mesh_side *side)
{
	struct lane *lanes[MESH_MAX_LANES] = { 0 };
	struct lane_job job = { .op = LANE_SEND, .size = p->bw_size, .count = 1L << 40,
				.window = p->window, .initiate = true, .receive = true,
				.corrupt_offset = -1, .drain_sec = BW_DRAIN_SEC, .yield = true };
	double t0, t1;
	int i;

	job.stall_sec = s->bw_end - s->bw_start + 1;
	side->nlanes = nlanes;
	sleep_until(s->bw_start);
	t0 = now_sec();
	/*
	 * Half the phase gone before this rank started sending: the peer's figure, and a
	 * "size_limited" from no large message arriving, would measure this rank's CPU.
	 */
	if (t0 - s->bw_start > (s->bw_end - s->bw_start) / 2 && !side->missed) {
		side->missed = true;
		snprintf(side->err, sizeof(side->err), "reached the bandwidth phase %.3g s late",
			 t0 - s->bw_start);
	}
	for (i = 0; i < nlanes; i++) {
		struct mesh_nic_eps *n = &f->nic[i];
		struct lane *l = new_lane(f);

		if (!l)
			break;
		l->ep = &n->bw;
		l->buf = &n->bwbuf;
		l->peer = n->bw_peer[peer];
		n->bw.recv_from = n->bw_peer[peer];
		if (lane_start(l, &job))
			break;
		lanes[i] = l;
	}
	sleep_until(s->bw_end);
	t1 = now_sec();
	for (i = 0; i < nlanes && lanes[i]; i++) {
		long rx = __atomic_load_n(&lanes[i]->done_rx, __ATOMIC_RELAXED);

		side->rx_gbps[i] = t1 > t0 ? (double)rx * (double)p->bw_size * 8 / (t1 - t0) / 1e9 : 0;
		lane_quiesce(lanes[i]);
	}
	sleep_until(s->bw_stop);
	for (i = 0; i < nlanes && lanes[i]; i++)
		lane_stop(lanes[i]);
	for (i = 0; i < nlanes && lanes[i]; i++) {
		lane_join(lanes[i]);
		if (lanes[i]->res.err && !side->err[0])
			snprintf(side->err, sizeof(side->err), "bandwidth on %s: %s",
				 fab_domain_name(lanes[i]->ep), lanes[i]->res.err_text);
	}
}

void mesh_measure(struct mesh_fabric *f, int peer, int nlanes, const struct mesh_slot *s,
		  const struct mesh_params *p, struct mesh_side *side)
{
	side->ran = true;
	measure_latency(f, peer, s, p, side);
	/* Nothing crossed: the bandwidth phase would only queue messages that never leave. */
	if (side->lat_done == 0) {
		side->nlanes = nlanes;
		return;
	}
	measure_bandwidth(f, peer, nlanes > MESH_MAX_LANES ? MESH_MAX_LANES : nlanes, s, p, side);
}
