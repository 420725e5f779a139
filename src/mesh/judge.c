// SPDX-License-Identifier: MIT
/* Pair statuses from both sides' views, and the bad nodes, NICs and links from their pattern. */
#include "mesh/judge.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Bandwidth is judged against the healthy level of the allocation: the median of its upper
 * half (robust while up to three pairs in four are bad, as a weak node's are in a mesh of
 * four), with the spread of that half. A pair is slow when it is both far outside that spread
 * (MAD_SIGMAS robust standard deviations, 1.4826 MAD) and clearly below the level
 * (BW_DROP): the first alone flags a steady fabric's noise, the second alone a noisy one's.
 * Below BW_FLOOR of the level a pair is slow however noisy the fabric is.
 */
#define MAD_SIGMAS 5.0
#define MAD_TO_SIGMA 1.4826
#define BW_DROP 0.5
#define BW_FLOOR 0.1
/* A NIC pair below this share of the median NIC pair is slow. */
#define BW_FACTOR (1.0 / 3.0)
/*
 * Latency (p50) is slow above lat_factor times the median (--lat-factor, default 3) and
 * MAD_SIGMAS out, judged only while the pairs' MAD is at most LAT_MAX_SPREAD of the median:
 * where latencies spread as widely as that (an oversubscribed host), an outlier means nothing.
 */
#define LAT_MAX_SPREAD 0.5

static const char *const status_names[] = {
	[MESH_OK] = "ok",
	[MESH_SLOW] = "slow",
	[MESH_BLOCKED] = "blocked",
	[MESH_ONE_WAY] = "one_way",
	[MESH_SIZE_LIMITED] = "size_limited",
	[MESH_LOSSY] = "lossy",
	[MESH_CONTROL_UNREACHABLE] = "control_unreachable",
	[MESH_ERROR] = "error",
};

const char *mesh_status_str(enum mesh_status s)
{
	return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) && status_names[s] ?
		       status_names[s] :
		       "unknown";
}

static double lanes_sum(const struct mesh_side *s)
{
	double t = 0;
	int i;

	for (i = 0; i < s->nlanes; i++)
		t += s->rx_gbps[i];
	return t;
}

/* What the pinging side's round trips, and the echoing side's receptions, say crossed. */
static enum mesh_status latency_status(const struct mesh_side *ping, const struct mesh_side *echo)
{
	if (ping->lat_done >= ping->lat_total && ping->lat_total > 0)
		return MESH_OK;
	if (ping->lat_done > 0)
		return MESH_LOSSY;
	return echo && echo->lat_done > 0 ? MESH_ONE_WAY : MESH_BLOCKED;
}

void mesh_merge(int a, int b, int round, const struct mesh_side *sa, const struct mesh_side *sb,
		struct mesh_result *out)
{
	const struct mesh_side *ping = sa && sa->pinger ? sa : sb && sb->pinger ? sb : NULL;
	const struct mesh_side *echo = ping == sa ? sb : sa;
	int i, n;

	memset(out, 0, sizeof(*out));
	out->a = a;
	out->b = b;
	out->round = round;
	out->lat_avg_usec = -1;
	out->lat_p50_usec = -1;
	if (!ping) {
		/* The pinging side's view is the measurement: without it, nothing to judge. */
		out->status = MESH_CONTROL_UNREACHABLE;
		snprintf(out->detail, sizeof(out->detail), "rank %d did not report its side",
			 sa ? b : a);
		return;
	}
	if ((sa && !sa->ran) || (sb && !sb->ran)) {
		const struct mesh_side *s = sa && !sa->ran ? sa : sb;

		out->status = MESH_ERROR;
		snprintf(out->detail, sizeof(out->detail), "%s", s->err[0] ? s->err : "not run");
		return;
	}
	out->status = latency_status(ping, echo);
	out->lat_p50_usec = -1;
	if (out->status == MESH_OK || out->status == MESH_LOSSY) {
		out->lat_avg_usec = ping->lat_avg_usec;
		out->lat_p50_usec = ping->lat_p50_usec;
	}
	out->ab_gbps = sb ? lanes_sum(sb) : 0;
	out->ba_gbps = sa ? lanes_sum(sa) : 0;
	out->bw_gbps = out->ab_gbps < out->ba_gbps ? out->ab_gbps : out->ba_gbps;
	n = sa && sb ? (sa->nlanes < sb->nlanes ? sa->nlanes : sb->nlanes) : 0;
	out->nlanes = n;
	for (i = 0; i < n; i++)
		out->lane_gbps[i] = sa->rx_gbps[i] < sb->rx_gbps[i] ? sa->rx_gbps[i] : sb->rx_gbps[i];
	if (out->status == MESH_OK && (!sa || !sb))
		snprintf(out->detail, sizeof(out->detail), "rank %d did not report its side",
			 sa ? b : a);
	else if (out->status == MESH_OK && out->bw_gbps <= 0)
		out->status = MESH_SIZE_LIMITED;
	if (out->status == MESH_SIZE_LIMITED)
		snprintf(out->detail, sizeof(out->detail), "small messages cross, no large one did "
			 "(%.3g Gbit/s a->b, %.3g b->a)", out->ab_gbps, out->ba_gbps);
	else if (out->status != MESH_OK)
		snprintf(out->detail, sizeof(out->detail), "%ld of %ld round trips, %ld pings "
			 "received%s%s", ping->lat_done, ping->lat_total, echo ? echo->lat_done : 0,
			 ping->err[0] ? ": " : "", ping->err);
}

static int cmp_dbl(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

double mesh_median(double *x, size_t n)
{
	if (!n)
		return 0;
	qsort(x, n, sizeof(*x), cmp_dbl);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

double mesh_mad(const double *x, size_t n, double median)
{
	double *d = malloc((n ? n : 1) * sizeof(*d)), m;
	size_t i;

	if (!d)
		return 0;
	for (i = 0; i < n; i++)
		d[i] = fabs(x[i] - median);
	m = mesh_median(d, n);
	free(d);
	return m;
}

static bool measured(const struct mesh_result *p)
{
	return p->status == MESH_OK || p->status == MESH_SLOW;
}

/* Median and MAD of the healthy pairs' bandwidth and latency, and the thresholds from them. */
static int thresholds(const struct mesh_result *pairs, size_t npairs,
		      const struct mesh_limits *lim, struct mesh_verdict *v)
{
	double *bw = malloc((npairs + 1) * sizeof(*bw)), *lat = malloc((npairs + 1) * sizeof(*lat));
	size_t i, nb = 0, nl = 0;

	if (!bw || !lat) {
		free(bw);
		free(lat);
		return -1;
	}
	for (i = 0; i < npairs; i++) {
		if (pairs[i].status != MESH_OK)
			continue;
		bw[nb++] = pairs[i].bw_gbps;
		if (pairs[i].lat_p50_usec >= 0)
			lat[nl++] = pairs[i].lat_p50_usec;
	}
	v->median_gbps = mesh_median(bw, nb); /* sorts bw */
	v->mad_gbps = mesh_mad(bw, nb, v->median_gbps);
	/* The upper half: from the middle element up (both middles when nb is even). */
	v->ref_gbps = mesh_median(bw + nb / 2, nb - nb / 2);
	v->ref_mad_gbps = mesh_mad(bw + nb / 2, nb - nb / 2, v->ref_gbps);
	v->median_lat_usec = mesh_median(lat, nl);
	v->mad_lat_usec = mesh_mad(lat, nl, v->median_lat_usec);
	free(bw);
	free(lat);
	v->floor_gbps = v->ref_gbps * BW_FLOOR;
	v->min_gbps = lim->min_gbps;
	v->slow_below_gbps = fmax(v->floor_gbps,
				  fmin(v->ref_gbps * BW_DROP, v->ref_gbps - MAD_SIGMAS * MAD_TO_SIGMA *
										 v->ref_mad_gbps));
	if (lim->min_gbps > v->slow_below_gbps)
		v->slow_below_gbps = lim->min_gbps;
	v->lat_relative = nl && lim->lat_factor > 0 &&
			  v->mad_lat_usec <= v->median_lat_usec * LAT_MAX_SPREAD;
	v->slow_above_usec = v->lat_relative ?
				     fmax(v->median_lat_usec * lim->lat_factor,
					  v->median_lat_usec + MAD_SIGMAS * MAD_TO_SIGMA * v->mad_lat_usec) :
				     0;
	if (lim->max_lat_usec > 0 && (!v->slow_above_usec || lim->max_lat_usec < v->slow_above_usec))
		v->slow_above_usec = lim->max_lat_usec;
	return 0;
}

/*
 * Slow against the allocation, and against the best pair of its own round too: the pairs of
 * a round run at the same moment, so what slows the whole host or fabric then (another job,
 * a shared CPU) slows them all, and a round-mate at full speed shows the pair's own fault.
 * round_best < 0: no round-mate measured at the same moment (a partner that did not report,
 * a retest round of one pair), so only a drop below BW_FLOOR of the healthy level counts.
 */
static void mark_slow(struct mesh_result *p, const struct mesh_verdict *v, double round_best)
{
	bool round_slow = round_best >= 0 && p->bw_gbps < round_best * BW_DROP;

	if (p->status != MESH_OK || p->retested)
		return;
	if (p->bw_gbps < v->min_gbps ||
	    (p->bw_gbps < v->slow_below_gbps && (round_slow || p->bw_gbps < v->floor_gbps))) {
		p->status = MESH_SLOW;
		snprintf(p->detail, sizeof(p->detail), "%.3f Gbit/s, below %.3f (healthy pairs "
			 "%.3f)", p->bw_gbps, v->slow_below_gbps, v->ref_gbps);
	} else if (v->slow_above_usec > 0 && p->lat_p50_usec > v->slow_above_usec) {
		p->status = MESH_SLOW;
		snprintf(p->detail, sizeof(p->detail), "latency p50 %.2f us, above %.2f (median "
			 "%.2f)", p->lat_p50_usec, v->slow_above_usec, v->median_lat_usec);
	}
}

/* The best bandwidth among the measured pairs of each round (-1 where a pair is alone). */
double *mesh_round_best(const struct mesh_result *pairs, size_t npairs)
{
	int rounds = 0;
	size_t i, j;
	double *best;

	for (i = 0; i < npairs; i++)
		if (pairs[i].round + 1 > rounds)
			rounds = pairs[i].round + 1;
	best = malloc(((size_t)rounds + 1) * sizeof(*best));
	if (!best)
		return NULL;
	for (i = 0; i < (size_t)rounds + 1; i++)
		best[i] = -1;
	for (i = 0; i < npairs; i++) {
		const struct mesh_result *p = &pairs[i];
		double bw = p->retested ? p->round_bw_gbps : p->bw_gbps;
		int mates = 0;

		if (!measured(p) || p->round < 0)
			continue;
		for (j = 0; j < npairs; j++)
			mates += j != i && pairs[j].round == p->round && measured(&pairs[j]);
		if (mates && bw > best[p->round])
			best[p->round] = bw;
	}
	return best;
}

/* Lane i of pair p is slow against the median of every measured lane. */
static bool lane_slow(const struct mesh_result *p, int i, double lane_median)
{
	return i < p->nlanes && p->lane_gbps[i] < lane_median * BW_FACTOR;
}

/* One NIC slow against most partners while the pair's other NICs are not: a bad NIC. */
static int find_nics(int n, const bool *reported, const struct mesh_result *pairs, size_t npairs,
		     struct mesh_verdict *v, double *lane_median)
{
	double *all = malloc((npairs * MESH_MAX_LANES + 1) * sizeof(*all));
	size_t i, k = 0;
	int r, l;

	if (!all)
		return -1;
	for (i = 0; i < npairs; i++)
		for (l = 0; measured(&pairs[i]) && l < pairs[i].nlanes; l++)
			all[k++] = pairs[i].lane_gbps[l];
	*lane_median = mesh_median(all, k);
	free(all);
	for (r = 0; r < n; r++) {
		for (l = 0; reported[r] && l < MESH_MAX_LANES; l++) {
			int with = 0, slow = 0;
			double worst = -1;

			for (i = 0; i < npairs; i++) {
				const struct mesh_result *p = &pairs[i];

				if ((p->a != r && p->b != r) || !measured(p) || l >= p->nlanes ||
				    p->nlanes < 2)
					continue;
				with++;
				if (lane_slow(p, l, *lane_median)) {
					slow++;
					if (worst < 0 || p->lane_gbps[l] > worst)
						worst = p->lane_gbps[l];
				}
			}
			if (slow < 2 || slow * 2 <= with)
				continue;
			v->nics[v->nnics].rank = r;
			v->nics[v->nnics].lane = l;
			snprintf(v->nics[v->nnics].reason, sizeof(v->nics[0].reason),
				 "slow with %d of %d partners: at most %.3f Gbit/s against a median "
				 "of %.3f per NIC pair", slow, with, worst, *lane_median);
			v->nnics++;
		}
	}
	return 0;
}

static bool bad_nic(const struct mesh_verdict *v, int rank, int lane)
{
	size_t i;

	for (i = 0; i < v->nnics; i++)
		if (v->nics[i].rank == rank && v->nics[i].lane == lane)
			return true;
	return false;
}

/* A slow pair whose every slow lane ends on a bad NIC: the NIC explains it. */
static bool explained_by_nic(const struct mesh_result *p, const struct mesh_verdict *v,
			     double lane_median)
{
	int l, slow = 0;

	if (p->status != MESH_SLOW || !v->nnics)
		return false;
	for (l = 0; l < p->nlanes; l++) {
		if (!lane_slow(p, l, lane_median))
			continue;
		if (!bad_nic(v, p->a, l) && !bad_nic(v, p->b, l))
			return false;
		slow++;
	}
	return slow > 0;
}

static bool is_bad_node(const struct mesh_verdict *v, int rank)
{
	size_t i;

	for (i = 0; i < v->nnodes; i++)
		if (v->nodes[i].rank == rank)
			return true;
	return false;
}

/* Counts of each status among a rank's bad pairs, as "blocked x3, slow x1". */
static void status_counts(const int *count, char *s, size_t len)
{
	size_t used = 0;
	int k;

	s[0] = 0;
	for (k = MESH_SLOW; k <= MESH_ERROR; k++)
		if (count[k] && used < len)
			used += (size_t)snprintf(s + used, len - used, "%s%s x%d", used ? ", " : "",
						 mesh_status_str((enum mesh_status)k), count[k]);
}

static void find_nodes(int n, const bool *reported, const struct mesh_result *pairs,
		       size_t npairs, struct mesh_verdict *v, double lane_median)
{
	int r;
	size_t i;

	for (r = 0; r < n; r++) {
		int with = 0, bad = 0, count[MESH_ERROR + 1] = { 0 };
		double bw_sum = 0;
		char what[128];

		if (!reported[r]) {
			v->nodes[v->nnodes].rank = r;
			snprintf(v->nodes[v->nnodes].reason, sizeof(v->nodes[0].reason),
				 "did not report its results within the budget (stopped, hung or "
				 "dead)");
			v->nnodes++;
			continue;
		}
		for (i = 0; i < npairs; i++) {
			const struct mesh_result *p = &pairs[i];
			int other = p->a == r ? p->b : p->a;

			if ((p->a != r && p->b != r) || !reported[other])
				continue;
			with++;
			if (p->status == MESH_OK || explained_by_nic(p, v, lane_median))
				continue;
			bad++;
			count[p->status]++;
			bw_sum += p->bw_gbps;
		}
		if (bad < 2 || bad * 2 <= with)
			continue;
		status_counts(count, what, sizeof(what));
		v->nodes[v->nnodes].rank = r;
		snprintf(v->nodes[v->nnodes].reason, sizeof(v->nodes[0].reason),
			 "bad with %d of %d partners (%s); mean %.3f Gbit/s against %.3f of healthy "
			 "pairs", bad, with, what, bw_sum / bad, v->ref_gbps);
		v->nnodes++;
	}
}

static void find_links(const bool *reported, struct mesh_result *pairs, size_t npairs,
		       struct mesh_verdict *v, double lane_median)
{
	size_t i;

	for (i = 0; i < npairs; i++) {
		const struct mesh_result *p = &pairs[i];

		if (p->status == MESH_OK)
			continue;
		v->nbad_pairs++;
		if (!reported[p->a] || !reported[p->b] || is_bad_node(v, p->a) ||
		    is_bad_node(v, p->b) || explained_by_nic(p, v, lane_median))
			continue;
		v->links[v->nlinks].a = p->a;
		v->links[v->nlinks].b = p->b;
		snprintf(v->links[v->nlinks].reason, sizeof(v->links[0].reason), "%s: %s",
			 mesh_status_str(p->status), p->detail);
		v->nlinks++;
	}
}

int mesh_judge(int n, const bool *reported, struct mesh_result *pairs, size_t npairs,
	       const struct mesh_limits *lim, struct mesh_verdict *v)
{
	double lane_median = 0, *best;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->nodes = calloc((size_t)n + 1, sizeof(*v->nodes));
	v->links = calloc(npairs + 1, sizeof(*v->links));
	v->nics = calloc((size_t)n * MESH_MAX_LANES + 1, sizeof(*v->nics));
	if (!v->nodes || !v->links || !v->nics || thresholds(pairs, npairs, lim, v)) {
		mesh_verdict_free(v);
		return -1;
	}
	best = mesh_round_best(pairs, npairs);
	if (!best) {
		mesh_verdict_free(v);
		return -1;
	}
	for (i = 0; i < npairs; i++)
		mark_slow(&pairs[i], v, pairs[i].round >= 0 ? best[pairs[i].round] : -1);
	free(best);
	if (find_nics(n, reported, pairs, npairs, v, &lane_median)) {
		mesh_verdict_free(v);
		return -1;
	}
	find_nodes(n, reported, pairs, npairs, v, lane_median);
	find_links(reported, pairs, npairs, v, lane_median);
	v->pass = !v->nnodes && !v->nlinks && !v->nnics && !v->nbad_pairs;
	return 0;
}

void mesh_verdict_free(struct mesh_verdict *v)
{
	free(v->nodes);
	free(v->links);
	free(v->nics);
	v->nodes = NULL;
	v->links = NULL;
	v->nics = NULL;
}

void mesh_apply_retest(struct mesh_result *pair, const struct mesh_result *retest,
		       const struct mesh_verdict *v, double round_best)
{
	struct mesh_result r = *retest;
	char was[sizeof(pair->detail)];

	mark_slow(&r, v, round_best);
	str_copy(was, sizeof(was), pair->detail);
	pair->retested = true;
	pair->round_bw_gbps = pair->bw_gbps;
	if (r.status == MESH_OK) {
		r.round = pair->round;
		r.retested = true;
		r.round_bw_gbps = pair->bw_gbps;
		snprintf(r.detail, sizeof(r.detail), "ok on retest (first %s: %.120s)",
			 mesh_status_str(pair->status), was);
		*pair = r;
		return;
	}
	snprintf(pair->detail, sizeof(pair->detail), "%.150s; confirmed on retest (%s)", was,
		 mesh_status_str(r.status));
}
