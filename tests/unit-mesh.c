// SPDX-License-Identifier: MIT
/*
 * Unit tests of mesh's pure parts: the schedule (src/mesh/schedule.c), the merge of both
 * sides' views and the judgement with its localisation (src/mesh/judge.c), and the text the
 * ranks exchange through PMIx (src/mesh/wire.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/judge.h"
#include "mesh/retest.h"
#include "mesh/schedule.h"
#include "mesh/wire.h"
#include "tap.h"
#include "util.h"

/* --- schedule ------------------------------------------------------------------------------ */

/* Every pair meets exactly once, rounds are disjoint, partners agree, odd n has one bye each. */
static void schedule_complete(int n)
{
	int rounds = mesh_rounds(n, 0), r, k, np;
	int *met = calloc((size_t)n * n, sizeof(int)), *byes = calloc((size_t)n, sizeof(int));
	struct mesh_pair pairs[64];
	bool good = true, disjoint = true, agree = true;

	for (r = 0; r < rounds; r++) {
		int *seen = calloc((size_t)n, sizeof(int));

		np = mesh_round_pairs(n, r, pairs);
		if (np != n / 2)
			good = false;
		for (k = 0; k < np; k++) {
			if (seen[pairs[k].a]++ || seen[pairs[k].b]++)
				disjoint = false;
			met[pairs[k].a * n + pairs[k].b]++;
			if (mesh_partner(n, r, pairs[k].a) != pairs[k].b ||
			    mesh_partner(n, r, pairs[k].b) != pairs[k].a)
				agree = false;
		}
		for (k = 0; k < n; k++)
			if (mesh_partner(n, r, k) < 0)
				byes[k]++;
		free(seen);
	}
	for (r = 0; r < n; r++)
		for (k = r + 1; k < n; k++)
			if (met[r * n + k] != 1)
				good = false;
	for (k = 0; k < n; k++)
		if (byes[k] != (n % 2 ? 1 : 0))
			good = false;
	is_int(rounds, n % 2 ? n : n - 1, "schedule: N - 1 rounds (N with a bye when odd)");
	ok(good, "schedule n=%d: every pair meets exactly once, N/2 pairs a round", n);
	ok(disjoint, "schedule n=%d: a rank is in one pair per round", n);
	ok(agree, "schedule n=%d: mesh_partner agrees with the round's pairs", n);
	free(met);
	free(byes);
}

static void test_schedule(void)
{
	int n;

	for (n = 2; n <= 9; n++)
		schedule_complete(n);
	is_int(mesh_rounds(1, 0), 0, "schedule: one rank, no rounds");
	is_int(mesh_rounds(64, 4), 4, "schedule: --pairs 4 runs 4 rounds");
	is_int(mesh_rounds(4, 10), 3, "schedule: --pairs above N - 1 runs N - 1");
	is_int(mesh_partner(4, 3, 0), -1, "schedule: no round past the last");
	{
		struct mesh_pair sus[] = { { 0, 1 }, { 0, 3 }, { 1, 2 }, { 0, 2 }, { 4, 5 } };
		int round[5];

		is_int(mesh_pack_rounds(sus, 5, 2, round), 2, "retest: suspects packed in 2 rounds");
		ok(round[0] == 0 && round[1] == 1 && round[2] == 1 && round[3] == -1 && round[4] == 0,
		   "retest: disjoint pairs per round, one that does not fit is left out");
	}
}

/* --- merge --------------------------------------------------------------------------------- */

static struct mesh_side side(bool pinger, long done, long total, double rx)
{
	struct mesh_side s = { .pinger = pinger, .ran = true, .lat_done = done, .lat_total = total,
			       .lat_avg_usec = 10, .lat_p50_usec = 9, .nlanes = 1 };

	s.rx_gbps[0] = rx;
	return s;
}

static void test_merge(void)
{
	struct mesh_side a, b;
	float lanes[MESH_MAX_LANES];
	struct mesh_result r = { .lane_gbps = lanes, .lane_cap = MESH_MAX_LANES };

	a = side(true, 100, 100, 5);
	b = side(false, 110, 110, 4);
	mesh_merge(0, 1, 0, &a, &b, &r);
	is_str(mesh_status_str(r.status), "ok", "merge: both ways fine is ok");
	ok(r.bw_gbps == 4 && r.ab_gbps == 4 && r.ba_gbps == 5, "merge: bw is the slower direction");
	a = side(true, 0, 100, 0);
	b = side(false, 0, 110, 0);
	mesh_merge(0, 1, 0, &a, &b, &r);
	is_str(mesh_status_str(r.status), "blocked", "merge: nothing either way is blocked");
	b = side(false, 1, 110, 0);
	mesh_merge(0, 1, 0, &a, &b, &r);
	is_str(mesh_status_str(r.status), "one_way", "merge: pings in, no answer out is one_way");
	a = side(true, 40, 100, 0);
	mesh_merge(0, 1, 0, &a, &b, &r);
	is_str(mesh_status_str(r.status), "lossy", "merge: some round trips is lossy");
	a = side(true, 100, 100, 0);
	b = side(false, 110, 110, 0);
	mesh_merge(0, 1, 0, &a, &b, &r);
	is_str(mesh_status_str(r.status), "size_limited",
	       "merge: latency fine, no bandwidth message is size_limited");
	b = side(false, 110, 110, 5);
	mesh_merge(0, 1, 0, NULL, &b, &r);
	is_str(mesh_status_str(r.status), "control_unreachable",
	       "merge: the pinging rank's view missing is control_unreachable");
	ok(r.lane_gbps == lanes && r.detail && strstr(r.detail, "did not report"),
	   "merge: the pair keeps its lane storage, and says why");
	/* A rank starved of CPU reached the bandwidth phase late: nothing crossed from it. */
	a = side(true, 100, 100, 0);
	b = side(false, 110, 110, 0);
	b.missed = true;
	str_copy(b.err, sizeof(b.err), "reached the bandwidth phase 1.2 s late");
	mesh_merge(0, 1, 0, &a, &b, &r);
	is_str(mesh_status_str(r.status), "error",
	       "merge: a side that missed its phase is error, not size_limited");
	ok(r.missed && r.detail && !strcmp(r.detail, "rank 1 reached the bandwidth phase 1.2 s late"),
	   "merge: the pair is marked not measured, naming the late rank");
	a.missed = true;
	b.missed = false;
	str_copy(a.err, sizeof(a.err), "reached the slot 3 s late");
	a.ran = false;
	mesh_merge(0, 1, 0, &a, &b, &r);
	ok(r.missed && r.status == MESH_ERROR && strstr(r.detail, "rank 0 reached the slot"),
	   "merge: a rank that reached the slot late: not measured");
	free(r.detail);
}

/* --- judgement ----------------------------------------------------------------------------- */

/* All pairs of n ranks healthy: bw around 2 Gbit/s, latency around 10 us. */
static size_t healthy(int n, struct mesh_result *p)
{
	size_t k = 0;
	int a, b;

	for (a = 0; a < n; a++)
		for (b = a + 1; b < n; b++, k++) {
			float *lanes = p[k].lane_gbps;
			unsigned char cap = p[k].lane_cap;
			char *detail = p[k].detail;

			/* Zeroed, with its storage kept (mesh_results_new gave it). */
			memset(&p[k], 0, sizeof(p[k]));
			p[k].lane_gbps = lanes;
			p[k].lane_cap = cap;
			p[k].detail = detail;
			if (detail)
				detail[0] = 0;
			p[k].a = a;
			p[k].b = b;
			p[k].status = MESH_OK;
			p[k].bw_gbps = 2.0 + 0.01 * (double)(k % 5);
			p[k].lat_avg_usec = p[k].lat_p50_usec = 10 + 0.1 * (double)(k % 3);
			p[k].nlanes = 1;
			p[k].lane_gbps[0] = p[k].bw_gbps;
		}
	return k;
}

static const bool all_reported[16] = { true, true, true, true, true, true, true, true,
				       true, true, true, true, true, true, true, true };

static void judge(int n, const bool *rep, struct mesh_result *p, size_t np,
		  const struct mesh_limits *lim, struct mesh_verdict *v)
{
	static const struct mesh_limits none = { .lat_factor = 3 };

	if (mesh_judge(n, rep, p, np, lim ? lim : &none, v))
		abort();
}

static void set_node(struct mesh_result *p, size_t np, int rank, enum mesh_status st, double bw)
{
	size_t k;

	for (k = 0; k < np; k++)
		if (p[k].a == rank || p[k].b == rank) {
			p[k].status = st;
			p[k].bw_gbps = p[k].lane_gbps[0] = bw;
		}
}

static struct mesh_result *find(struct mesh_result *p, size_t np, int a, int b)
{
	size_t k;

	for (k = 0; k < np; k++)
		if (p[k].a == a && p[k].b == b)
			return &p[k];
	return NULL;
}

/* --- --quick, --pairs K: the spread rounds and the suspects' rounds ---------------------- */

/* The pairs of schedule sched's first rounds for n ranks, healthy as healthy() makes them. */
static size_t sched_pairs(int n, int sched, struct mesh_result *p)
{
	struct mesh_pair round[600];
	int r, k, np, rounds = mesh_sched_rounds(n, sched);
	size_t m = 0, j;

	for (r = 0; r < rounds; r++) {
		np = mesh_round_pairs(n, mesh_sched_round(n, sched, r), round);
		for (k = 0; k < np; k++, m++) {
			p[m].a = round[k].a;
			p[m].b = round[k].b;
			p[m].round = r;
		}
	}
	for (j = 0; j < m; j++) {
		p[j].retested = p[j].confirmed = p[j].missed = false;
		p[j].status = MESH_OK;
		p[j].bw_gbps = 2.0 + 0.01 * (double)(j % 5);
		p[j].lat_avg_usec = p[j].lat_p50_usec = 10 + 0.1 * (double)(j % 3);
		p[j].nlanes = 1;
		p[j].lane_gbps[0] = p[j].bw_gbps;
	}
	return m;
}

static void quick_schedule(int n)
{
	int all = mesh_rounds(n, 0), q = mesh_quick_rounds(n), j, r, count = 0, spread = 1;
	int prev = -1, rank, distinct = 1;

	ok(q == (all < MESH_QUICK_ROUNDS ? all : MESH_QUICK_ROUNDS),
	   "quick n=%d: %d rounds, min(6, N - 1)", n, q);
	for (j = 0; j < q; j++) {
		r = mesh_quick_round(n, j);
		if (r <= prev || r >= all || (prev >= 0 && r - prev < all / q))
			spread = 0;
		prev = r;
	}
	for (r = 0; r < all; r++)
		count += mesh_is_quick_round(n, r);
	ok(spread && count == q, "quick n=%d: %d distinct rounds, %d or more apart, and "
	   "mesh_is_quick_round says so of them alone", n, q, all / q);
	/* Every rank meets distinct partners (a bye at most once). */
	for (rank = 0; rank < n; rank++) {
		int seen[MESH_QUICK_ROUNDS], ns = 0, byes = 0, k;

		for (j = 0; j < q; j++) {
			int p = mesh_partner(n, mesh_quick_round(n, j), rank);

			if (p < 0) {
				byes++;
				continue;
			}
			for (k = 0; k < ns; k++)
				if (seen[k] == p)
					distinct = 0;
			seen[ns++] = p;
		}
		if (byes > 1)
			distinct = 0;
	}
	ok(distinct, "quick n=%d: every rank meets %d distinct partners (one bye at most)", n, q);
}

static void test_quick(void)
{
	int n = 64, k, r;
	size_t room = 2000, np, i;
	struct mesh_result *p = mesh_results_new(room, 1);
	struct mesh_retest_set t = { 0 };
	struct mesh_verdict v;
	unsigned char met[64][64];
	bool fresh = true, disjoint = true, clean = true;
	int partners = 0, dead = 10, controls_short = 0;

	if (!p)
		abort();
	quick_schedule(4);
	quick_schedule(9);
	quick_schedule(64);
	quick_schedule(1001);
	is_int(mesh_sched_rounds(64, 4), 4, "sched: --pairs 4 runs 4 rounds");
	ok(mesh_sched_runs(64, 4, 3) && !mesh_sched_runs(64, 4, 4) && mesh_sched_round(64, 4, 2) == 2,
	   "sched: --pairs K runs the first K rounds of the circle");
	is_int(mesh_sched_rounds(64, MESH_SCHED_QUICK), 6, "sched: --quick runs 6 of 63");

	/* Healthy: nothing suspect, no suspects' rounds. */
	np = sched_pairs(n, MESH_SCHED_QUICK, p);
	is_int((int)np, 6 * 32, "quick n=64: 6 rounds of 32 pairs");
	{
		bool rep[64];

		for (r = 0; r < n; r++)
			rep[r] = true;
		judge(n, rep, p, np, NULL, &v);
		if (mesh_widen_select(n, MESH_SCHED_QUICK, rep, p, np, &v, &t))
			abort();
		ok(v.pass && t.npairs == 0 && t.nrounds == 0,
		   "quick n=64 healthy: passes, no suspects' rounds");
		mesh_retest_set_free(&t);
		mesh_verdict_free(&v);
	}

	/* A dead node: named from 6 partners, then 5 fresh ones, none measured before. */
	{
		bool rep[64];

		for (r = 0; r < n; r++)
			rep[r] = true;
		set_node(p, np, dead, MESH_BLOCKED, 0);
		if (mesh_judge(n, rep, p, np, &(struct mesh_limits){ .lat_factor = 3 }, &v))
			abort();
		ok(v.nnodes == 1 && v.nodes[0].rank == dead, "quick n=64: the dead node named from "
		   "its 6 partners (%zu named)", v.nnodes);
		if (mesh_widen_select(n, MESH_SCHED_QUICK, rep, p, np, &v, &t))
			abort();
		memset(met, 0, sizeof(met));
		for (i = 0; i < np; i++)
			met[p[i].a][p[i].b] = 1;
		for (i = 0; i < t.npairs; i++) {
			const struct mesh_pair *w = &t.pairs[i];

			if (met[w->a][w->b] || t.round[i] < 0 || t.round[i] >= t.nrounds)
				fresh = false;
			met[w->a][w->b] = 1;
			if (!t.control[i] && (w->a == dead || w->b == dead))
				partners++;
			if (t.control[i] && (w->a == dead || w->b == dead))
				clean = false;
		}
		for (r = 0; r < t.nrounds; r++) {
			int seen[64] = { 0 }, ctl = 0, sus = 0;

			for (i = 0; i < t.npairs; i++)
				if (t.round[i] == r) {
					if (seen[t.pairs[i].a]++ || seen[t.pairs[i].b]++)
						disjoint = false;
					ctl += t.control[i];
					sus += !t.control[i];
				}
			if (ctl < (sus > MESH_WIDEN_CONTROLS ? sus : MESH_WIDEN_CONTROLS))
				controls_short++;
		}
		is_int(partners, MESH_WIDEN_PARTNERS, "quick: the dead node meets 5 fresh partners");
		is_int(t.nrounds, MESH_WIDEN_PARTNERS, "quick: in as many rounds");
		ok(fresh && disjoint, "quick: every suspects' pair is new, each rank in one a round");
		ok(clean && !controls_short, "quick: each round has %d fresh control pairs or more, "
		   "no suspect among them", MESH_WIDEN_CONTROLS);
		mesh_retest_set_free(&t);
		mesh_verdict_free(&v);
		/* All pairs ran: nothing is left to meet. */
		np = healthy(16, p);
		set_node(p, np, 3, MESH_BLOCKED, 0);
		judge(16, all_reported, p, np, NULL, &v);
		if (mesh_widen_select(16, 0, all_reported, p, np, &v, &t))
			abort();
		ok(t.npairs == 0 && t.nrounds == 0, "all pairs: no suspects' rounds");
		mesh_retest_set_free(&t);
		mesh_verdict_free(&v);
	}

	/*
	 * --pairs 3 on 16 nodes: two bad links of one node, its third pair fine: no bad node
	 * (two bad pairs of three were a bad node), two suspect links, and the node meets
	 * fresh partners in the suspects' rounds.
	 */
	np = sched_pairs(16, 3, p);
	k = 0;
	for (i = 0; i < np && k < 2; i++)
		if (p[i].a == 5 || p[i].b == 5) {
			p[i].bw_gbps = p[i].lane_gbps[0] = 0.1;
			k++;
		}
	judge(16, all_reported, p, np, NULL, &v);
	ok(v.nnodes == 0 && v.nbad_pairs == 2, "--pairs 3: two bad links meeting at a node of "
	   "three partners make no bad node (%zu named, %zu bad pairs)", v.nnodes, v.nbad_pairs);
	if (mesh_widen_select(16, 3, all_reported, p, np, &v, &t))
		abort();
	partners = 0;
	for (i = 0; i < t.npairs; i++)
		partners += !t.control[i] && (t.pairs[i].a == 5 || t.pairs[i].b == 5);
	is_int(partners, MESH_WIDEN_PARTNERS, "--pairs 3: that node meets fresh partners");
	mesh_retest_set_free(&t);
	mesh_verdict_free(&v);
	mesh_results_free(p, room);
}

/* Lateness is no evidence: an allocation whose only trouble is missed slots could not measure. */
static void test_missed(void)
{
	struct mesh_result *p = mesh_results_new(6, 1), *q;
	struct mesh_result retest = { 0 };
	struct mesh_verdict v;
	size_t np = healthy(4, p);

	q = find(p, np, 1, 2);
	q->status = MESH_ERROR;
	q->missed = true;
	q->bw_gbps = 0;
	mesh_set_detail(q, "rank 2 reached the bandwidth phase 1.2 s late");
	q = find(p, np, 1, 3);
	q->status = MESH_ERROR;
	q->missed = true;
	q->bw_gbps = 0;
	mesh_set_detail(q, "rank 1 reached the slot 3 s late");
	judge(4, all_reported, p, np, NULL, &v);
	ok(v.unmeasurable && !v.pass && v.nnodes == 0 && v.nlinks == 0 && v.nmissed == 2,
	   "missed: two pairs not measured, the rest ok: could not measure, no culprit");
	ok(strstr(v.why, "2 pairs not measured") && strstr(v.why, "1-2: rank 2 reached"),
	   "missed: the reason counts the pairs and quotes one");
	mesh_verdict_free(&v);

	/* The same with rank 3 dead: the measured pairs still name it. */
	set_node(p, np, 3, MESH_BLOCKED, 0);
	find(p, np, 1, 3)->missed = false;
	judge(4, all_reported, p, np, NULL, &v);
	ok(!v.unmeasurable && v.nnodes == 1 && v.nodes[0].rank == 3 && v.nmissed == 1,
	   "missed: a dead node among missed pairs is still named, from what was measured");
	mesh_verdict_free(&v);

	/* The retest: a missed pair measured ok is ok; a retest that missed changes nothing. */
	healthy(4, p);
	q = find(p, np, 1, 2);
	q->status = MESH_ERROR;
	q->missed = true;
	mesh_set_detail(q, "rank 2 reached the slot 2 s late");
	judge(4, all_reported, p, np, NULL, &v);
	retest.status = MESH_ERROR;
	retest.missed = true;
	retest.round = 0;
	mesh_apply_retest(q, &retest, &v, v.ref_gbps);
	ok(q->missed && !q->confirmed && strstr(mesh_detail(q), "not measured on retest"),
	   "missed: a retest that missed too leaves the pair not measured, unconfirmed");
	retest.status = MESH_OK;
	retest.missed = false;
	retest.bw_gbps = retest.ab_gbps = retest.ba_gbps = 2.01f;
	retest.lat_avg_usec = retest.lat_p50_usec = 10;
	mesh_apply_retest(q, &retest, &v, v.ref_gbps);
	ok(!q->missed && q->status == MESH_OK && q->bw_gbps > 2,
	   "missed: measured ok on retest, the pair is ok");
	mesh_verdict_free(&v);
	judge(4, all_reported, p, np, NULL, &v);
	ok(v.pass && !v.unmeasurable && v.nmissed == 0, "missed: then the allocation passes");
	mesh_verdict_free(&v);
	mesh_results_free(p, 6);
}

/* Pairs as measured on this 2-core test machine under load: healthy, and 5x apart. */
static void test_noisy(void)
{
	static const double bw[] = { 2.49, 1.05, 1.12, 2.33, 4.32, 5.67 };
	static const double lat[] = { 20, 45, 128, 70, 7, 8.5 };
	struct mesh_result *p = mesh_results_new(8, 2);
	struct mesh_verdict v;
	size_t np = healthy(4, p), k;

	for (k = 0; k < np; k++) {
		p[k].bw_gbps = p[k].lane_gbps[0] = bw[k];
		p[k].lat_p50_usec = lat[k];
	}
	judge(4, all_reported, p, np, NULL, &v);
	ok(v.pass, "judge: a noisy but healthy mesh passes (slow below %.3f, latency %s)",
	   v.slow_below_gbps, v.lat_relative ? "judged" : "not judged");
	mesh_verdict_free(&v);
	p[5].bw_gbps = p[5].lane_gbps[0] = 0.08;
	judge(4, all_reported, p, np, NULL, &v);
	ok(!v.pass && p[5].status == MESH_SLOW, "judge: 0.08 Gbit/s is slow on that noisy mesh");
	mesh_verdict_free(&v);
	mesh_results_free(p, 8);
}

/* A whole round slowed (another job, a shared CPU) is no fault; one pair of a round is. */
static void test_rounds(void)
{
	struct mesh_result *p = mesh_results_new(8, 2);
	struct mesh_verdict v;
	size_t np = healthy(4, p), k;

	for (k = 0; k < np; k++)
		p[k].round = (int)k / 2;
	p[0].bw_gbps = p[1].bw_gbps = 0.4;
	judge(4, all_reported, p, np, NULL, &v);
	ok(v.pass, "judge: a round slowed as a whole (0.4 against 2 Gbit/s) passes");
	mesh_verdict_free(&v);
	p[2].bw_gbps = 0.4;
	judge(4, all_reported, p, np, NULL, &v);
	ok(!v.pass && p[2].status == MESH_SLOW && p[0].status == MESH_OK,
	   "judge: the same figure beside a round-mate at full speed is slow");
	mesh_verdict_free(&v);

	/* Round 0 slowed as a whole, one of its pairs fine on retest (at 6 Gbit/s, this
	 * time): its round-mate is still judged against what it did in their round. */
	np = healthy(4, p);
	for (k = 0; k < np; k++)
		p[k].round = (int)k / 2;
	p[0].bw_gbps = 0.4;
	p[1].bw_gbps = 0.3;
	judge(4, all_reported, p, np, NULL, &v);
	ok(v.pass, "judge: round 0 slowed as a whole passes");
	{
		struct mesh_result again = p[1];

		again.bw_gbps = 6;
		mesh_apply_retest(&p[1], &again, &v, -1);
	}
	mesh_verdict_free(&v);
	judge(4, all_reported, p, np, NULL, &v);
	ok(v.pass && p[0].status == MESH_OK && p[1].status == MESH_OK && p[1].retested,
	   "judge: after a retest, a round-mate is not compared with the retest's figure");
	mesh_verdict_free(&v);

	/* Alone in its round (its mate's partner did not report): only a gross drop counts. */
	np = healthy(4, p);
	for (k = 0; k < np; k++)
		p[k].round = (int)k / 2;
	p[0].bw_gbps = 0.5;
	p[1].status = MESH_CONTROL_UNREACHABLE;
	judge(4, all_reported, p, np, NULL, &v);
	ok(p[0].status == MESH_OK, "judge: alone in its round, a quarter of the level is not slow");
	mesh_verdict_free(&v);
	np = healthy(4, p);
	for (k = 0; k < np; k++)
		p[k].round = (int)k / 2;
	p[0].bw_gbps = 0.1;
	p[1].status = MESH_CONTROL_UNREACHABLE;
	judge(4, all_reported, p, np, NULL, &v);
	ok(p[0].status == MESH_SLOW, "judge: alone in its round, a twentieth of the level is slow");
	mesh_verdict_free(&v);
	mesh_results_free(p, 8);
}

static void test_judge(void)
{
	struct mesh_result *p = mesh_results_new(64, 2);
	struct mesh_verdict v;
	struct mesh_limits lim = { .lat_factor = 3 };
	bool rep[4] = { true, false, true, true };
	size_t np;

	np = healthy(4, p);
	judge(4, all_reported, p, np, NULL, &v);
	ok(v.pass && !v.nnodes && !v.nlinks && !v.nnics, "judge: a healthy mesh passes");
	mesh_verdict_free(&v);

	np = healthy(4, p);
	set_node(p, np, 2, MESH_BLOCKED, 0);
	judge(4, all_reported, p, np, NULL, &v);
	ok(!v.pass && v.nnodes == 1 && v.nodes[0].rank == 2 && !v.nlinks,
	   "judge: blocked with every partner is a bad node (rank 2), and no link");
	ok(v.nnodes && strstr(v.nodes[0].reason, "3 of 3") && strstr(v.nodes[0].reason, "blocked"),
	   "judge: the node's evidence counts its bad pairs (%s)", v.nnodes ? v.nodes[0].reason : "");
	mesh_verdict_free(&v);

	/* All pairs of 4 ranks: bad with 2 of its 3 partners is a bad node, as it always was. */
	np = healthy(4, p);
	find(p, np, 0, 1)->status = MESH_BLOCKED;
	find(p, np, 0, 2)->status = MESH_BLOCKED;
	judge(4, all_reported, p, np, NULL, &v);
	ok(!v.pass && v.nnodes == 1 && v.nodes[0].rank == 0 && !v.nlinks,
	   "judge: all pairs of 4, blocked with 2 of 3 partners: a bad node (rank 0), no links");
	mesh_verdict_free(&v);

	np = healthy(6, p);
	find(p, np, 1, 3)->status = MESH_BLOCKED;
	judge(6, all_reported, p, np, NULL, &v);
	ok(!v.pass && !v.nnodes && v.nlinks == 1 && v.links[0].a == 1 && v.links[0].b == 3,
	   "judge: one bad pair is a bad link (1-3), no node");
	mesh_verdict_free(&v);

	np = healthy(4, p);
	set_node(p, np, 3, MESH_OK, 0.08);
	judge(4, all_reported, p, np, NULL, &v);
	ok(!v.pass && v.nnodes == 1 && v.nodes[0].rank == 3 && !v.nlinks,
	   "judge: slow with every partner (0.08 against 2 Gbit/s) is a bad node (rank 3)");
	ok(find(p, np, 0, 3)->status == MESH_SLOW && find(p, np, 0, 1)->status == MESH_OK,
	   "judge: its pairs are slow, the others ok");
	mesh_verdict_free(&v);

	np = healthy(4, p);
	judge(4, rep, p, np, NULL, &v);
	ok(!v.pass && v.nnodes == 1 && v.nodes[0].rank == 1 && !v.nlinks &&
		   strstr(v.nodes[0].reason, "did not report"),
	   "judge: a rank that did not report is a bad node, its pairs no links");
	mesh_verdict_free(&v);

	np = healthy(4, p);
	for (size_t k = 0; k < np; k++) {
		p[k].nlanes = 2;
		p[k].lane_gbps[0] = 1.0;
		p[k].lane_gbps[1] = p[k].a == 0 ? 0.05 : 1.0;
	}
	judge(4, all_reported, p, np, NULL, &v);
	ok(!v.pass && v.nnics == 1 && v.nics[0].rank == 0 && v.nics[0].lane == 1 && !v.nnodes &&
		   !v.nlinks,
	   "judge: one NIC slow against every partner is a bad NIC (rank 0, second NIC)");
	mesh_verdict_free(&v);

	np = healthy(4, p);
	set_node(p, np, 2, MESH_BLOCKED, 0);
	{
		struct mesh_result again = *find(p, np, 0, 2);

		judge(4, all_reported, p, np, NULL, &v);
		again.status = MESH_OK;
		again.bw_gbps = 2.0;
		mesh_apply_retest(find(p, np, 0, 2), &again, &v, -1);
		ok(find(p, np, 0, 2)->status == MESH_OK &&
			   strstr(find(p, np, 0, 2)->detail, "ok on retest (first blocked"),
		   "retest: a pair fine on retest is ok, and says what it was first");
		again.status = MESH_BLOCKED;
		mesh_apply_retest(find(p, np, 1, 2), &again, &v, -1);
		ok(find(p, np, 1, 2)->status == MESH_BLOCKED &&
			   strstr(find(p, np, 1, 2)->detail, "confirmed on retest"),
		   "retest: a pair bad again is confirmed");
		mesh_verdict_free(&v);
	}

	np = healthy(4, p);
	lim.min_gbps = 3;
	judge(4, all_reported, p, np, &lim, &v);
	ok(!v.pass && v.nnodes == 4, "judge: --min-gbps above every pair fails every node");
	mesh_verdict_free(&v);

	np = healthy(4, p);
	find(p, np, 0, 2)->lat_p50_usec = 100;
	judge(4, all_reported, p, np, NULL, &v);
	ok(!v.pass && v.nlinks == 1 && find(p, np, 0, 2)->status == MESH_SLOW && v.lat_relative,
	   "judge: latency 10x the median on a steady fabric is a slow link");
	mesh_verdict_free(&v);
	find(p, np, 0, 2)->status = MESH_OK;
	lim.min_gbps = 0;
	lim.lat_factor = 0;
	judge(4, all_reported, p, np, &lim, &v);
	ok(v.pass && !v.lat_relative, "judge: --lat-factor 0 leaves latency to --max-lat-us");
	mesh_verdict_free(&v);
	lim.lat_factor = 3;

	np = healthy(4, p);
	find(p, np, 0, 1)->lat_p50_usec = 400;
	find(p, np, 0, 2)->lat_p50_usec = 3000;
	find(p, np, 1, 2)->lat_p50_usec = 90;
	judge(4, all_reported, p, np, NULL, &v);
	ok(v.pass && !v.lat_relative,
	   "judge: latency spread as wide as its median is not judged relatively");
	mesh_verdict_free(&v);
	lim.min_gbps = 0;
	lim.max_lat_usec = 1000;
	judge(4, all_reported, p, np, &lim, &v);
	ok(!v.pass && find(p, np, 0, 2)->status == MESH_SLOW, "judge: --max-lat-us still applies");
	mesh_verdict_free(&v);
	mesh_results_free(p, 64);
}

/* --- fleet scale: budgets, NICs against their index, retest, could not measure ------------ */

static void test_scale(void)
{
	struct mesh_result *p = mesh_results_new(64, 4);
	struct mesh_limits lim = { .lat_factor = 3 };
	struct mesh_retest_set t = { 0 };
	struct mesh_verdict v;
	bool rep[16];
	size_t np, k, mine = 0;
	int r, others = 0;

	ok(fabs(mesh_normal_quantile(0.025) - 1.95996) < 1e-4 &&
		   fabs(mesh_normal_quantile(1e-9) - 5.99781) < 1e-3,
	   "budget: the normal quantiles (1.96 at 2.5 %%, 6.00 at 1e-9)");
	for (r = 0; r < 16; r++)
		rep[r] = true;

	/* Four NICs a node; rank 2's NIC 1 at 40 %: the pair's total is 85 %, never slow. */
	np = healthy(8, p);
	for (k = 0; k < np; k++) {
		p[k].nlanes = 4;
		for (r = 0; r < 4; r++)
			p[k].lane_gbps[r] = 0.5 + 0.005 * (double)((k + (size_t)r) % 3);
		if (p[k].a == 2 || p[k].b == 2)
			p[k].lane_gbps[1] *= 0.4;
		p[k].round = (int)k % 7;
	}
	judge(8, rep, p, np, NULL, &v);
	ok(v.nnics == 1 && v.nics[0].rank == 2 && v.nics[0].lane == 1 && !v.nnodes && !v.nlinks,
	   "judge: a NIC at 40 %% of the same NIC across the allocation is a bad NIC (%s)",
	   v.nnics ? v.nics[0].reason : "none");
	mesh_verdict_free(&v);

	/* Rank 5 blocked with every partner: its retest is five partners that passed. */
	np = healthy(8, p);
	set_node(p, np, 5, MESH_BLOCKED, 0);
	find(p, np, 1, 3)->status = MESH_SLOW;
	judge(8, rep, p, np, NULL, &v);
	ok(!mesh_retest_select(8, rep, p, np, &v, MESH_RETEST_MAX_ROUNDS, &t),
	   "retest: planned");
	for (k = 0; k < t.npairs; k++) {
		if (t.control[k])
			continue;
		if (t.pairs[k].a == 5 || t.pairs[k].b == 5)
			mine++;
		else if (t.pairs[k].a == 1 && t.pairs[k].b == 3)
			others++;
	}
	is_int(mine, MESH_RETEST_PARTNERS, "retest: a suspect node against five partners");
	is_int(others, 1, "retest: a suspect link is measured again itself");
	ok(t.nrounds >= MESH_RETEST_PARTNERS, "retest: as many rounds as the suspects need (%d)",
	   t.nrounds);
	mesh_retest_set_free(&t);
	mesh_verdict_free(&v);

	/* After the retest, a bad pair not measured again is no link. */
	np = healthy(8, p);
	find(p, np, 1, 3)->status = MESH_SLOW;
	lim.after_retest = true;
	judge(8, rep, p, np, &lim, &v);
	ok(!v.nlinks && v.pass, "judge: a bad pair the retest did not confirm is no link");
	mesh_verdict_free(&v);
	find(p, np, 1, 3)->status = MESH_SLOW;
	find(p, np, 1, 3)->retested = true;
	judge(8, rep, p, np, &lim, &v);
	ok(!v.nlinks, "judge: one bad on retest only (ok in its round) is no link");
	mesh_verdict_free(&v);
	find(p, np, 1, 3)->status = MESH_SLOW;
	find(p, np, 1, 3)->confirmed = true;
	judge(8, rep, p, np, &lim, &v);
	ok(v.nlinks == 1 && !v.pass, "judge: one confirmed on retest is a bad link");
	mesh_verdict_free(&v);
	lim.after_retest = false;

	/* Most of an allocation bad at once: could not measure, no culprit. */
	np = healthy(8, p);
	for (k = 0; k < np; k++)
		if (k % 4)
			p[k].status = MESH_ERROR;
	judge(8, rep, p, np, NULL, &v);
	ok(v.unmeasurable && !v.pass && !v.nnodes && !v.nlinks && strstr(v.why, "error x"),
	   "judge: most pairs bad at once is 'could not measure', no culprit (%s)", v.why);
	mesh_verdict_free(&v);
	mesh_results_free(p, 64);

	{
		/* More retest rounds than one word of bits: first fit still finds them. */
		struct mesh_pair star[100];
		int round[100];

		for (k = 0; k < 100; k++)
			star[k] = (struct mesh_pair){ 0, (int)k + 1 };
		is_int(mesh_pack_rounds(star, 100, 128, round), 100,
		       "retest: 100 suspects of one rank take 100 rounds");
		ok(round[99] == 99 && round[64] == 64, "retest: one per round, in order");
		is_int(mesh_pack_rounds(star, 100, 70, round), 70, "retest: at most max_rounds");
		ok(round[70] == -1, "retest: the rest do not fit");
	}
}

/* --- wire ---------------------------------------------------------------------------------- */

static void test_wire(void)
{
	struct mesh_card c = { .host = "node-7", .nnics = 2 }, d;
	struct mesh_side s[2] = { side(true, 100, 100, 1.5), side(false, 3, 110, 0) }, t[4];
	char *txt;

	str_copy(c.nics[0].domain, sizeof(c.nics[0].domain), "rdmap16s27-rdm");
	str_copy(c.nics[1].domain, sizeof(c.nics[1].domain), "rdmap32s27-rdm");
	c.nics[0].lat_len = c.nics[0].bw_len = c.nics[1].lat_len = c.nics[1].bw_len = 3;
	memcpy(c.nics[1].bw_addr, "\x01\xff\x00", 3);
	txt = mesh_card_encode(&c);
	ok(txt && !mesh_card_decode(txt, &d) && d.nnics == 2 && !strcmp(d.host, "node-7") &&
		   !strcmp(d.nics[1].domain, "rdmap32s27-rdm") && d.nics[1].bw_len == 3 &&
		   !memcmp(d.nics[1].bw_addr, "\x01\xff\x00", 3),
	   "wire: a card survives its text form");
	free(txt);
	ok(mesh_card_decode("host x\n", &d) < 0, "wire: a card without NICs is refused");
	ok(mesh_card_decode("host x\nnic a zz 00\n", &d) < 0, "wire: a bad address is refused");
	ok(mesh_card_decode("junk", &d) < 0, "wire: junk is no card");
	s[0].round = 2;
	s[0].peer = 5;
	str_copy(s[1].err, sizeof(s[1].err), "latency: no answer\twithin | the slot");
	txt = mesh_sides_encode(s, 2);
	ok(txt && mesh_sides_decode(txt, t, 4) == 2 && t[0].round == 2 && t[0].peer == 5 &&
		   t[0].pinger && t[0].lat_done == 100 && t[0].rx_gbps[0] == 1.5 && !t[1].pinger &&
		   t[1].lat_done == 3 && !strcmp(t[1].err, "latency: no answer within | the slot"),
	   "wire: sides survive their text form");
	ok(mesh_sides_decode(txt, t, 1) < 0, "wire: more sides than room is refused");
	free(txt);
	s[1].missed = true;
	txt = mesh_sides_encode(s, 2);
	ok(txt && mesh_sides_decode(txt, t, 4) == 2 && !t[0].missed && t[1].missed && t[1].ran,
	   "wire: a side that missed its slot's time says so");
	free(txt);
	ok(mesh_sides_decode("side 1 2 3\n", t, 4) < 0, "wire: a short record is refused");
	ok(mesh_sides_decode("side 0 1 1 1 5 5 1 1 99 |\n", t, 4) < 0,
	   "wire: more NICs than a rank has is refused");
	is_int(mesh_sides_decode("", t, 4), 0, "wire: no sides is none");
}

/*
 * The suspects' rounds over every size from 2 to 90 ranks and every kind of schedule, with
 * random bad pairs and unreported ranks (a fixed seed): each pair planned is fresh (never met
 * in the first rounds), planned once (a fresh circle round serving twice once gave a control
 * pair twice, at 12 and 14 ranks with --quick), between reported ranks, and no rank is in two
 * pairs of one round.
 */
static void test_widen_sweep(void)
{
	static const int scheds[] = { MESH_SCHED_QUICK, -2, -1, 1, 2, 3 };
	unsigned long long seed = 1;
	long planned = 0, wrong = 0;
	int n, si, trial;

	for (n = 2; n <= 90; n++)
		for (si = 0; si < (int)(sizeof(scheds) / sizeof(scheds[0])); si++)
			for (trial = 0; trial < 4; trial++) {
				int sched = scheds[si], rounds = mesh_sched_rounds(n, sched), r, i, k;
				size_t room = (size_t)rounds * (size_t)(n / 2 + 1) + 1, np = 0, j;
				struct mesh_pair *rp = malloc(sizeof(*rp) * (size_t)(n / 2 + 1));
				unsigned char *met = calloc((size_t)n * (size_t)n, 1);
				unsigned char *seen = calloc((size_t)n * (size_t)n, 1);
				struct mesh_result *pairs = mesh_results_new(room, 1);
				bool *rep = malloc((size_t)n);
				struct mesh_verdict v;
				struct mesh_retest_set t;

				if (!rp || !met || !seen || !pairs || !rep) {
					puts("Bail out! out of memory");
					exit(1);
				}
				for (i = 0; i < n; i++) {
					seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
					rep[i] = (seed >> 33) % 10 != 0;
				}
				for (r = 0; r < rounds; r++) {
					int c = mesh_sched_round(n, sched, r), np_r = mesh_round_pairs(n, c, rp);

					for (k = 0; k < np_r; k++) {
						struct mesh_result *q = &pairs[np++];

						seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
						q->a = rp[k].a;
						q->b = rp[k].b;
						q->round = r;
						q->status = (seed >> 33) % 4 == 0 ? MESH_SLOW : MESH_OK;
						met[rp[k].a * n + rp[k].b] = met[rp[k].b * n + rp[k].a] = 1;
					}
				}
				memset(&v, 0, sizeof(v));
				if (mesh_widen_select(n, sched, rep, pairs, np, &v, &t)) {
					wrong++;
					printf("# n=%d sched=%d: mesh_widen_select failed\n", n, sched);
					goto next;
				}
				for (j = 0; j < t.npairs; j++) {
					int a = t.pairs[j].a, b = t.pairs[j].b;

					if (t.round[j] < 0)
						continue;
					planned++;
					if (a < 0 || b < 0 || a >= n || b >= n || a == b || met[a * n + b] ||
					    seen[a * n + b] || !rep[a] || !rep[b]) {
						wrong++;
						printf("# n=%d sched=%d: pair %d-%d round %d (met %d, twice %d)\n", n,
						     sched, a, b, t.round[j],
						     a >= 0 && b >= 0 && a < n && b < n ? met[a * n + b] : -1,
						     a >= 0 && b >= 0 && a < n && b < n ? seen[a * n + b] : -1);
						continue;
					}
					seen[a * n + b] = seen[b * n + a] = 1;
				}
				for (r = 0; r < t.nrounds; r++) {
					memset(met, 0, (size_t)n);
					for (j = 0; j < t.npairs; j++)
						if (t.round[j] == r && (met[t.pairs[j].a]++ || met[t.pairs[j].b]++)) {
							wrong++;
							printf("# n=%d sched=%d: a rank twice in round %d\n", n, sched, r);
						}
				}
				mesh_retest_set_free(&t);
next:
				free(rp);
				free(met);
				free(seen);
				free(rep);
				mesh_results_free(pairs, room);
			}
	ok(wrong == 0 && planned > 0, "suspects' rounds, 2 to 90 ranks, every schedule: %ld pairs "
	   "planned, each fresh, once, between reported ranks, no rank twice a round (%ld wrong)",
	   planned, wrong);
}

int main(void)
{
	test_schedule();
	test_merge();
	test_missed();
	test_judge();
	test_noisy();
	test_rounds();
	test_scale();
	test_quick();
	test_widen_sweep();
	test_wire();
	return done_testing();
}
