/* SPDX-License-Identifier: MIT */
/*
 * A rank's fabric for mesh and the measurement of one pair in one round's slot: latency over
 * one endpoint per NIC, then bandwidth both ways over every NIC pair at once (a lane per NIC,
 * as bw --all-domains --bidir). Every phase has its place in the slot, so a pair that does
 * not complete ends with its slot, and no rank waits on another outside the fabric.
 */
#ifndef EFADIAG_MESH_PAIR_H
#define EFADIAG_MESH_PAIR_H

#include "fabric/buffer.h"
#include "fabric/endpoint.h"
#include "measure/lanes.h"
#include "mesh/judge.h"
#include "mesh/wire.h"

/*
 * Per NIC, two endpoints: latency and bandwidth. Separate, so a bandwidth message left in
 * flight by a failed pair can never complete into a later pair's latency wait.
 */
struct mesh_nic_eps {
	struct fab_ep lat, bw;
	struct fab_buf latbuf, bwbuf;
	fi_addr_t *lat_peer, *bw_peer; /* per rank; FI_ADDR_NOTAVAIL when unknown */
};

struct mesh_fabric {
	int nranks, nnics;
	/*
	 * The open failed on the choice of fabric (--fabric one this provider lacks, or lacks
	 * directed receives in): the same software fails alike on every rank, so it is the
	 * run's error, not this node's.
	 */
	bool fabric_refused;
	struct mesh_nic_eps nic[MESH_MAX_LANES];
	/* Every lane run so far: kept until the endpoints close (see lane_free). */
	struct lane **lanes;
	size_t nlanes, lanes_cap;
};

/* What a pair runs: latency round trips, then bandwidth messages with a window in flight. */
struct mesh_params {
	long iterations, warmup;
	size_t bw_size;
	unsigned window;
	struct fab_mem_spec mem; /* --mem: where both buffers of every NIC live */
	const char *fabric;	 /* --fabric: NULL for the provider's own */
};

/* The moments of one round's slot, on this process's monotonic clock (now_sec). */
struct mesh_slot {
	double start, ping_at, lat_end, bw_start, bw_end, bw_stop, end;
};

/*
 * Opens both endpoints on every domain (domains given, else the provider's non-loopback
 * ones), each with an AV for nranks peers. A fabric whose messages are shorter than
 * p->bw_size (efa-direct) lowers it to what the fabric takes. 0, or -1 with err.
 */
int mesh_fabric_open(struct mesh_fabric *f, const char *provider, char *const *domains,
		     size_t ndomains, int nranks, struct mesh_params *p, char *err,
		     size_t errlen);
/* This rank's card: its domains and endpoint addresses (host set by the caller). */
int mesh_fabric_card(struct mesh_fabric *f, struct mesh_card *card, char *err, size_t errlen);
/* Inserts rank's addresses from its card. 0, or -1 with err. */
int mesh_fabric_insert(struct mesh_fabric *f, int rank, const struct mesh_card *c, char *err,
		       size_t errlen);
void mesh_fabric_close(struct mesh_fabric *f);

/* The slot of round r: rounds of budget seconds from t0. */
void mesh_slot_plan(double t0, double budget, int round, struct mesh_slot *s);
/* Measures the pair with peer in this slot; side says what this rank saw. */
void mesh_measure(struct mesh_fabric *f, int peer, int nlanes, const struct mesh_slot *s,
		  const struct mesh_params *p, struct mesh_side *side);

#endif
