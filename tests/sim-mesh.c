// SPDX-License-Identifier: MIT
/*
 * mesh's judgement at fleet scale, simulated: synthetic allocations of 16 to 4,096 nodes
 * with 1 or 4 NICs, bandwidth noise, transient dips and injected faults, fed through the real
 * code of rank 0 (mesh_merge, mesh_judge, mesh_retest_select, mesh_retest_merge, the circle
 * schedule and the retest packing, all from libefadiag.a), with the retest's pairs measured
 * again by the same model. It counts false culprits (a node, NIC or link named that is not
 * at fault) and the recall and precision of each fault kind.
 *
 *   sim-mesh                  the fast subset the test suite runs (TAP; fixed seeds)
 *   sim-mesh --table [-n N,N] [-l L,L] [-e NOISE,NOISE] [-k KIND,KIND] [-r RUNS] [-R BIGRUNS]
 *            [--quick | -K K]  the full table (bench/mesh-sim.sh): all pairs, or mesh --quick
 *                              (its spread rounds, the suspects' second phase, the retest),
 *                              or --pairs K (the first K rounds)
 *
 * The model: each NIC pair carries LANE_GBPS each way, times the slower NIC's and node's
 * factor, the link's, the round's; noise multiplies (log-normal: a pair-wide factor of
 * spread NOISE and a per-NIC-pair, per-direction one of half that). One pair in DIP_ODDS dips
 * to 5-40 % in its round and is fine when measured again. A dead node's NICs pass nothing.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mesh/judge.h"
#include "mesh/retest.h"
#include "mesh/schedule.h"
#include "tap.h"

#define LANE_GBPS 100.0
#define LAT_USEC 15.0
#define LAT_NOISE 0.05
#define DIP_ODDS 1000
#define SLOWED_ROUND_FACTOR 0.3

enum fault {
	F_HEALTHY,
	F_DEAD,	     /* a node whose NICs pass nothing */
	F_SLOW_NODE, /* a node at 40 % */
	F_SLOW_60,   /* a node at 60 % */
	F_SLOW_NIC,  /* one NIC of a node at 40 % */
	F_LINK,	     /* one link at 20 % */
	F_LINKS,     /* 1 % of links at 20 % */
	F_LATENCY,   /* a node with 5x the latency */
	F_TWO,	     /* a dead node and a node at 40 % */
	F_ROUND,     /* a round slowed as a whole (load) */
	F_COUNT,
};

static const char *const fault_names[] = {
	[F_HEALTHY] = "healthy", [F_DEAD] = "dead-node",    [F_SLOW_NODE] = "slow-node-40",
	[F_SLOW_60] = "slow-node-60", [F_SLOW_NIC] = "slow-nic-40", [F_LINK] = "link-20",
	[F_LINKS] = "links-1pct", [F_LATENCY] = "latency-5x", [F_TWO] = "two-nodes",
	[F_ROUND] = "slowed-round",
};

/* splitmix64: small, fast, and the same numbers on every machine for a seed. */
struct rng {
	uint64_t s;
	bool have;
	double spare;
};

static uint64_t next_u64(struct rng *g)
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(struct rng *g)
{
	return ((double)(next_u64(g) >> 11) + 0.5) / 9007199254740992.0;
}

/* Marsaglia's polar method: two normals per pair of uniforms in the circle. */
static double normal(struct rng *g)
{
	double u, v, s;

	if (g->have) {
		g->have = false;
		return g->spare;
	}
	do {
		u = 2 * uniform(g) - 1;
		v = 2 * uniform(g) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	s = sqrt(-2 * log(s) / s);
	g->spare = v * s;
	g->have = true;
	return u * s;
}

/* One simulated allocation: the truth the judgement is scored against. */
struct alloc {
	int n, lanes;
	double noise;
	enum fault fault;
	double *node_f, *lat_f, *nic_f; /* per node; nic_f per node and NIC */
	bool *dead;
	unsigned char *link_bad; /* per pair (a, b), a < b: link_index */
	double *link_f;
	int slowed_round;
	struct rng g;
};

/* The schedule: every pair (0), --quick (SCHED_QUICK), or --pairs K (K > 0). */
#define SCHED_QUICK MESH_SCHED_QUICK

/* Pair (a, b)'s place among the n (n - 1) / 2, whatever the schedule. */
static size_t link_index(int n, int a, int b)
{
	size_t x = (size_t)(a < b ? a : b), y = (size_t)(a < b ? b : a);

	return x * (size_t)n - x * (x + 1) / 2 + (y - x - 1);
}

/* The pair (a, b) measured: both sides as each rank reports it. */
static void measure(struct alloc *A, int a, int b, int round, bool retest, struct mesh_side *sa,
		    struct mesh_side *sb)
{
	size_t pi = link_index(A->n, a, b);
	double common = exp(A->noise * normal(&A->g)), f = 1;
	bool dead = A->dead[a] || A->dead[b];
	int l;

	memset(sa, 0, sizeof(*sa));
	memset(sb, 0, sizeof(*sb));
	sa->round = sb->round = round;
	sa->peer = b;
	sb->peer = a;
	sa->pinger = true;
	sa->ran = sb->ran = true;
	sa->lat_total = 100;
	sb->lat_total = 110;
	sa->lat_done = dead ? 0 : 100;
	sb->lat_done = dead ? 0 : 110;
	sa->lat_p50_usec = LAT_USEC * fmax(A->lat_f[a], A->lat_f[b]) *
			   exp(LAT_NOISE * normal(&A->g));
	sa->lat_avg_usec = sa->lat_p50_usec * 1.05;
	sa->nlanes = sb->nlanes = A->lanes;
	f = fmin(A->node_f[a], A->node_f[b]);
	if (A->link_bad[pi])
		f *= A->link_f[pi];
	if (!retest && round == A->slowed_round)
		f *= SLOWED_ROUND_FACTOR;
	if (!retest && next_u64(&A->g) % DIP_ODDS == 0)
		f *= 0.05 + 0.35 * uniform(&A->g);
	for (l = 0; l < A->lanes; l++) {
		double nic = fmin(A->nic_f[a * A->lanes + l], A->nic_f[b * A->lanes + l]);
		double base = dead ? 0 : LANE_GBPS * f * nic * common;

		sa->rx_gbps[l] = base * exp(0.5 * A->noise * normal(&A->g));
		sb->rx_gbps[l] = base * exp(0.5 * A->noise * normal(&A->g));
	}
}

struct score {
	int runs, named, false_named, unmeasurable;
	int truths, found; /* faults injected, and named */
	int runs_with_false, max_false;
	double judge_sec_max, judge_sec_sum;
	int retest_rounds_max, rounds_max, widen_rounds_max;
	size_t retest_pairs_max;
	int met; /* bad links some pair measured (all of them with every pair) */
	int link_truths, found_links;
	char example[256]; /* one false culprit, for the report */
};

/* CPU time of this thread: what rank 0's judgement costs, whatever else runs on the machine. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int pick_other(struct alloc *A, int not)
{
	int r;

	do
		r = (int)(next_u64(&A->g) % (uint64_t)A->n);
	while (r == not);
	return r;
}

/* One run: the allocation built, measured, judged, retested, judged again, and scored. */
static int run_once(int n, int lanes, double noise, enum fault fault, int sched, uint64_t seed,
		    struct score *sc)
{
	struct alloc A = { .n = n, .lanes = lanes, .noise = noise, .fault = fault,
			   .slowed_round = -1, .g = { .s = seed } };
	int rounds = mesh_sched_rounds(n, sched), widen = rounds < mesh_rounds(n, 0);
	int r, k, np, bad1 = -1, bad2 = -1, nic_rank = -1;
	size_t nlinks = (size_t)n * (size_t)(n - 1) / 2, i = 0, truths = 0, named, found = 0;
	size_t room = (size_t)(rounds + (widen ? MESH_WIDEN_MAX_ROUNDS : 0)) *
			      ((size_t)n / 2 + 1) + 1, npairs = 0;
	struct mesh_pair *round = malloc(((size_t)n / 2 + 1) * sizeof(*round));
	struct mesh_result *pairs = mesh_results_new(room, lanes), *res = NULL;
	struct mesh_retest_set w = { 0 };
	bool *reported = malloc((size_t)n * sizeof(*reported));
	struct mesh_limits lim = { .lat_factor = 3 };
	struct mesh_retest_set t = { 0 };
	struct mesh_verdict v = { 0 };
	struct mesh_side sa, sb;
	size_t false_named = 0, nlink_truth = 0;
	double t0, judge_sec;
	int ret = -1;

	A.node_f = malloc((size_t)n * sizeof(double));
	A.lat_f = malloc((size_t)n * sizeof(double));
	A.nic_f = malloc((size_t)n * (size_t)lanes * sizeof(double));
	A.dead = calloc((size_t)n, sizeof(bool));
	A.link_bad = calloc(nlinks + 1, 1);
	A.link_f = calloc(nlinks + 1, sizeof(double));
	if (!round || !pairs || !reported || !A.node_f || !A.lat_f || !A.nic_f || !A.dead ||
	    !A.link_bad || !A.link_f)
		goto out;
	for (r = 0; r < n; r++) {
		A.node_f[r] = A.lat_f[r] = 1;
		reported[r] = true;
		for (k = 0; k < lanes; k++)
			A.nic_f[r * lanes + k] = 1;
	}
	switch (fault) {
	case F_DEAD:
		bad1 = (int)(next_u64(&A.g) % (uint64_t)n);
		A.dead[bad1] = true;
		break;
	case F_SLOW_NODE:
	case F_SLOW_60:
		bad1 = (int)(next_u64(&A.g) % (uint64_t)n);
		A.node_f[bad1] = fault == F_SLOW_NODE ? 0.4 : 0.6;
		break;
	case F_SLOW_NIC:
		nic_rank = (int)(next_u64(&A.g) % (uint64_t)n);
		A.nic_f[nic_rank * lanes + (int)(next_u64(&A.g) % (uint64_t)lanes)] = 0.4;
		break;
	case F_LATENCY:
		bad1 = (int)(next_u64(&A.g) % (uint64_t)n);
		A.lat_f[bad1] = 5;
		break;
	case F_TWO:
		bad1 = (int)(next_u64(&A.g) % (uint64_t)n);
		bad2 = pick_other(&A, bad1);
		A.dead[bad1] = true;
		A.node_f[bad2] = 0.4;
		break;
	case F_ROUND:
		A.slowed_round = (int)(next_u64(&A.g) % (uint64_t)rounds);
		break;
	case F_LINK:
		i = next_u64(&A.g) % nlinks;
		A.link_bad[i] = 1;
		A.link_f[i] = 0.2;
		nlink_truth = 1;
		break;
	case F_LINKS:
		for (i = 0; i < nlinks; i++)
			if (next_u64(&A.g) % 100 == 0) {
				A.link_bad[i] = 1;
				A.link_f[i] = 0.2;
				nlink_truth++;
			}
		break;
	default:
		break;
	}
	/* The rounds, in the circle method's order (quick: its spread rounds), as rank 0 merges. */
	for (r = 0; r < rounds; r++) {
		np = mesh_round_pairs(n, mesh_sched_round(n, sched, r), round);
		for (k = 0; k < np; k++, npairs++) {
			measure(&A, round[k].a, round[k].b, r, false, &sa, &sb);
			mesh_merge(round[k].a, round[k].b, r, &sa, &sb, &pairs[npairs]);
		}
	}
	/* Rank 0's work, timed: judge, (fewer rounds than all: the suspects' rounds, judge
	 * again), plan the retest, apply it, judge again. */
	t0 = now();
	if (mesh_judge(n, reported, pairs, npairs, &lim, &v))
		goto out;
	if (widen) {
		if (mesh_widen_select(n, sched, reported, pairs, npairs, &v, &w))
			goto out;
		judge_sec = now() - t0;
		for (i = 0; i < w.npairs; i++) {
			if (w.round[i] < 0)
				continue;
			measure(&A, w.pairs[i].a, w.pairs[i].b, rounds + w.round[i], false, &sa, &sb);
			mesh_merge(w.pairs[i].a, w.pairs[i].b, rounds + w.round[i], &sa, &sb,
				   &pairs[npairs++]);
		}
		t0 = now();
		mesh_verdict_free(&v);
		if (mesh_judge(n, reported, pairs, npairs, &lim, &v))
			goto out;
		judge_sec += now() - t0;
		if (rounds + w.nrounds > sc->rounds_max)
			sc->rounds_max = rounds + w.nrounds;
		if (w.nrounds > sc->widen_rounds_max)
			sc->widen_rounds_max = w.nrounds;
		t0 = now();
	} else {
		if (rounds > sc->rounds_max)
			sc->rounds_max = rounds;
		judge_sec = 0;
	}
	if (mesh_retest_select(n, reported, pairs, npairs, &v, MESH_RETEST_MAX_ROUNDS, &t))
		goto out;
	judge_sec += now() - t0;
	res = mesh_results_new(t.npairs, lanes);
	if (!res)
		goto out;
	for (i = 0; i < t.npairs; i++) {
		res[i].round = -1;
		if (t.round[i] < 0)
			continue;
		measure(&A, t.pairs[i].a, t.pairs[i].b, t.round[i], true, &sa, &sb);
		mesh_merge(t.pairs[i].a, t.pairs[i].b, t.round[i], &sa, &sb, &res[i]);
	}
	t0 = now();
	if (mesh_retest_merge(pairs, &t, res, &v))
		goto out;
	mesh_verdict_free(&v);
	lim.after_retest = true;
	if (mesh_judge(n, reported, pairs, npairs, &lim, &v))
		goto out;
	judge_sec += now() - t0;

	/* The score. */
	truths = (bad1 >= 0) + (bad2 >= 0) + (nic_rank >= 0) + nlink_truth;
	named = v.nnodes + v.nnics + v.nlinks;
	for (i = 0; i < v.nnodes; i++) {
		bool hit = v.nodes[i].rank == bad1 || v.nodes[i].rank == bad2 ||
			   (lanes == 1 && v.nodes[i].rank == nic_rank);

		found += hit;
		if (!hit && !false_named++)
			snprintf(sc->example, sizeof(sc->example), "node %d: %s", v.nodes[i].rank,
				 v.nodes[i].reason);
	}
	for (i = 0; i < v.nnics; i++) {
		bool hit = v.nics[i].rank == nic_rank &&
			   A.nic_f[v.nics[i].rank * lanes + v.nics[i].lane] < 1;

		found += hit;
		if (!hit && !false_named++)
			snprintf(sc->example, sizeof(sc->example), "NIC %d/%d: %s", v.nics[i].rank,
				 v.nics[i].lane, v.nics[i].reason);
	}
	for (i = 0; i < v.nlinks; i++) {
		bool hit = A.link_bad[link_index(n, v.links[i].a, v.links[i].b)];

		found += hit;
		sc->found_links += hit;
		if (!hit && !false_named++)
			snprintf(sc->example, sizeof(sc->example), "link %d-%d: %s", v.links[i].a,
				 v.links[i].b, v.links[i].reason);
	}
	/* The bad links measured at all (a pair met once, or twice: counted once). */
	for (i = 0; nlink_truth && i < npairs; i++)
		if (A.link_bad[link_index(n, pairs[i].a, pairs[i].b)] == 1) {
			A.link_bad[link_index(n, pairs[i].a, pairs[i].b)] = 2;
			sc->met++;
		}
	sc->runs++;
	sc->named += (int)named;
	sc->false_named += (int)false_named;
	sc->runs_with_false += false_named > 0;
	if ((int)false_named > sc->max_false)
		sc->max_false = (int)false_named;
	sc->unmeasurable += v.unmeasurable;
	if (v.unmeasurable && !sc->example[0])
		snprintf(sc->example, sizeof(sc->example), "could not measure: %s", v.why);
	sc->truths += (int)truths;
	sc->link_truths += (int)nlink_truth;
	sc->found += (int)found;
	if (judge_sec > sc->judge_sec_max)
		sc->judge_sec_max = judge_sec;
	sc->judge_sec_sum += judge_sec;
	if (t.nrounds > sc->retest_rounds_max)
		sc->retest_rounds_max = t.nrounds;
	if (t.npairs > sc->retest_pairs_max)
		sc->retest_pairs_max = t.npairs;
	ret = 0;
out:
	mesh_verdict_free(&v);
	mesh_results_free(res, t.npairs);
	mesh_retest_set_free(&t);
	mesh_retest_set_free(&w);
	mesh_results_free(pairs, room);
	free(round);
	free(reported);
	free(A.node_f);
	free(A.lat_f);
	free(A.nic_f);
	free(A.dead);
	free(A.link_bad);
	free(A.link_f);
	return ret;
}

static uint64_t case_seed(int n, int lanes, double noise, enum fault f, int run)
{
	return 0x5eed0000ull ^ ((uint64_t)n << 40) ^ ((uint64_t)lanes << 32) ^
	       ((uint64_t)(noise * 1000) << 20) ^ ((uint64_t)f << 16) ^ (uint64_t)run;
}

static int run_case(int n, int lanes, double noise, enum fault f, int sched, int runs,
		    struct score *sc)
{
	int k;

	memset(sc, 0, sizeof(*sc));
	for (k = 0; k < runs; k++)
		if (run_once(n, lanes, noise, f, sched, case_seed(n, lanes, noise, f, k), sc))
			return -1;
	return 0;
}

static double recall(const struct score *sc)
{
	return sc->truths ? (double)sc->found / sc->truths : 1;
}

static double precision(const struct score *sc)
{
	return sc->named ? (double)(sc->named - sc->false_named) / sc->named : 1;
}

/* The share of the bad links that some pair measured (1 where there were none). */
static double met_share(const struct score *sc)
{
	return sc->link_truths ? (double)sc->met / sc->link_truths : 1;
}

static void print_row(int n, int lanes, double noise, enum fault f, const struct score *sc)
{
	printf("%5d %2d %5.0f%% %-13s %5d %6d %6d %8.3f %6.3f %6.3f %5d %8.3f %4d %7zu %4d %4d "
	       "%6.3f  %s\n", n, lanes, noise * 100, fault_names[f], sc->runs, sc->runs_with_false,
	       sc->max_false, sc->runs ? (double)sc->false_named / sc->runs : 0, recall(sc),
	       precision(sc), sc->unmeasurable, sc->judge_sec_max, sc->retest_rounds_max,
	       sc->retest_pairs_max, sc->rounds_max, sc->widen_rounds_max, met_share(sc),
	       sc->example);
	fflush(stdout);
}

static const char *mode_str(int sched)
{
	static char buf[32];

	if (sched == SCHED_QUICK)
		return " --quick";
	if (!sched)
		return "";
	snprintf(buf, sizeof(buf), " --pairs %d", sched);
	return buf;
}

/* --- the test suite's subset --------------------------------------------------------------- */

struct tap_case {
	int n, lanes;
	double noise;
	enum fault f;
	int runs, sched;
};

#define Q SCHED_QUICK

static int tap(void)
{
	/*
	 * Sized for a loaded 2-core machine: many small runs, few large ones. Every case must
	 * name no false culprit; every fault case must find its fault every time.
	 */
	static const struct tap_case cases[] = {
		{ 16, 1, 0.10, F_HEALTHY, 40, 0 },   { 16, 4, 0.25, F_HEALTHY, 40, 0 },
		{ 64, 4, 0.10, F_HEALTHY, 10, 0 },   { 256, 1, 0.25, F_HEALTHY, 3, 0 },
		{ 1024, 1, 0.10, F_HEALTHY, 1, 0 },  { 16, 1, 0.10, F_DEAD, 20, 0 },
		{ 256, 1, 0.10, F_DEAD, 3, 0 },      { 1024, 1, 0.03, F_DEAD, 1, 0 },
		{ 16, 4, 0.10, F_SLOW_NODE, 20, 0 }, { 64, 1, 0.10, F_SLOW_60, 10, 0 },
		{ 16, 4, 0.10, F_SLOW_NIC, 20, 0 },  { 256, 4, 0.10, F_SLOW_NIC, 2, 0 },
		{ 64, 1, 0.10, F_LINK, 10, 0 },      { 256, 1, 0.10, F_LINKS, 2, 0 },
		{ 16, 1, 0.10, F_LATENCY, 20, 0 },   { 64, 4, 0.10, F_TWO, 10, 0 },
		{ 64, 1, 0.10, F_ROUND, 10, 0 },     { 16, 1, 0.10, F_ROUND, 20, 0 },
		/* mesh --quick: a few rounds, the suspects' second phase, the retest. */
		{ 64, 1, 0.10, F_HEALTHY, 100, Q },  { 64, 4, 0.25, F_HEALTHY, 40, Q },
		{ 256, 1, 0.10, F_HEALTHY, 40, Q },  { 256, 4, 0.25, F_HEALTHY, 20, Q },
		{ 64, 1, 0.10, F_DEAD, 40, Q },      { 256, 4, 0.10, F_DEAD, 20, Q },
		{ 64, 4, 0.10, F_SLOW_NODE, 40, Q }, { 256, 1, 0.10, F_SLOW_NODE, 20, Q },
		{ 64, 4, 0.10, F_SLOW_NIC, 40, Q },  { 256, 4, 0.10, F_SLOW_NIC, 20, Q },
		{ 64, 4, 0.10, F_TWO, 20, Q },	     { 256, 1, 0.10, F_LINK, 40, Q },
		{ 256, 1, 0.10, F_LINKS, 10, Q },    { 1024, 1, 0.10, F_LINKS, 2, Q },
		/*
		 * --pairs 3: two bad links of 1 % meeting at a node make no bad node, and a node
		 * at 40 % with one pair above the line is still found (its suspects' rounds).
		 */
		{ 256, 1, 0.10, F_LINKS, 10, 3 },    { 256, 1, 0.10, F_SLOW_NODE, 20, 3 },
	};

	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct tap_case *k = &cases[c];
		struct score sc;

		if (run_case(k->n, k->lanes, k->noise, k->f, k->sched, k->runs, &sc)) {
			ok(0, "sim %s n=%d: ran (out of memory?)", fault_names[k->f], k->n);
			continue;
		}
		if (!ok(sc.false_named == 0 && sc.unmeasurable == 0,
			"sim%s %s n=%d nics=%d noise=%.0f%%: no false culprit in %d runs "
			"(%d false, %d could not measure)", mode_str(k->sched), fault_names[k->f],
			k->n, k->lanes, k->noise * 100, k->runs, sc.false_named, sc.unmeasurable))
			printf("#   %s\n", sc.example);
		if ((k->f == F_LINK || k->f == F_LINKS) && k->sched) {
			/* Fewer rounds meet few links: every bad link met is named. */
			ok(sc.found_links == sc.met, "sim%s %s n=%d: named %d of the %d bad links met "
			   "(%d bad in all, recall %.3f)", mode_str(k->sched), fault_names[k->f], k->n,
			   sc.found_links, sc.met, sc.link_truths, recall(&sc));
		} else if (k->f != F_HEALTHY && k->f != F_ROUND) {
			ok(sc.found == sc.truths, "sim%s %s n=%d: found %d of %d", mode_str(k->sched),
			   fault_names[k->f], k->n, sc.found, sc.truths);
		}
		if (k->sched == SCHED_QUICK)
			printf("# quick n=%d %s: at most %d rounds (%d of them the suspects'), %d retest "
			       "rounds\n", k->n, fault_names[k->f], sc.rounds_max, sc.widen_rounds_max,
			       sc.retest_rounds_max);
		if (k->n == 1024)
			ok(sc.judge_sec_max < 0.5, "sim n=1024: rank 0's judgement and retest merge "
			   "in %.3f s of CPU (under 0.5 s; 4,096 nodes: bench/mesh-sim.sh)",
			   sc.judge_sec_max);
	}
	return done_testing();
}

/* --- the full table ------------------------------------------------------------------------ */

/* A comma-separated list of numbers (or fault names) into out; returns how many. */
static int parse_list(const char *s, double *out, int max, bool faults)
{
	char buf[512], *tok, *save = NULL;
	int k = 0, f;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok && k < max; tok = strtok_r(NULL, ",", &save)) {
		if (!faults) {
			out[k++] = atof(tok);
			continue;
		}
		for (f = 0; f < F_COUNT; f++)
			if (!strcmp(tok, fault_names[f]))
				out[k++] = f;
	}
	return k;
}

int main(int argc, char **argv)
{
	double ns[16] = { 16, 64, 256, 1024, 4096 }, ls[4] = { 1, 4 }, es[8] = { 0.03, 0.10, 0.25 };
	double ks[F_COUNT];
	int nn = 5, nl = 2, ne = 3, nk = F_COUNT, runs = 100, big_runs = 10, i, a, b, c, d;
	int sched = 0;
	bool table = false;

	for (i = 0; i < F_COUNT; i++)
		ks[i] = i;
	if (argc < 2)
		return tap();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--table"))
			table = true;
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			nn = parse_list(argv[++i], ns, 16, false);
		else if (!strcmp(argv[i], "-l") && i + 1 < argc)
			nl = parse_list(argv[++i], ls, 4, false);
		else if (!strcmp(argv[i], "-e") && i + 1 < argc)
			ne = parse_list(argv[++i], es, 8, false);
		else if (!strcmp(argv[i], "-k") && i + 1 < argc)
			nk = parse_list(argv[++i], ks, F_COUNT, true);
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-R") && i + 1 < argc)
			big_runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--quick"))
			sched = SCHED_QUICK;
		else if (!strcmp(argv[i], "-K") && i + 1 < argc && atoi(argv[i + 1]) > 0)
			sched = atoi(argv[++i]);
		else
			break;
	}
	if (!table || i < argc) {
		fprintf(stderr, "usage: %s (no argument: the TAP subset) | --table [-n N,..] "
			"[-l NICS,..] [-e NOISE,..] [-k KIND,..] [-r RUNS] "
			"[-R RUNS_AT_1024_AND_UP] [--quick | -K K]\nkinds:", argv[0]);
		for (i = 0; i < F_COUNT; i++)
			fprintf(stderr, " %s", fault_names[i]);
		fprintf(stderr, "\n");
		return 2;
	}
	printf("# schedule: %s\n", sched == SCHED_QUICK ? "--quick" : sched ? "--pairs K" : "all pairs");
	if (sched > 0)
		printf("# K = %d\n", sched);
	printf("%5s %2s %6s %-13s %5s %6s %6s %8s %6s %6s %5s %8s %4s %7s %4s %4s %6s  %s\n", "N", "L",
	       "NOISE", "FAULT", "RUNS", "RUNS_F", "MAX_F", "FALSE/RN", "RECALL", "PREC", "UNMEA",
	       "JUDGE_CPU", "RTR", "RT_PRS", "RNDS", "WIDE", "MET", "EXAMPLE");
	for (a = 0; a < nn; a++)
		for (b = 0; b < nl; b++)
			for (c = 0; c < ne; c++)
				for (d = 0; d < nk; d++) {
					enum fault f = (enum fault)ks[d];
					struct score sc;

					if (f == F_SLOW_NIC && ls[b] < 2)
						continue; /* one NIC: that is a slow node */
					if (run_case((int)ns[a], (int)ls[b], es[c], f, sched,
						     ns[a] >= 1024 ? big_runs : runs, &sc)) {
						fprintf(stderr, "out of memory\n");
						return 1;
					}
					print_row((int)ns[a], (int)ls[b], es[c], f, &sc);
				}
	return 0;
}
