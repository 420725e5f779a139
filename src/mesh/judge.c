// SPDX-License-Identifier: MIT
/* Pair statuses from both sides' views, and the bad nodes, NICs and links from their pattern. */
#include "mesh/judge.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Bandwidth is judged against the healthy level of the allocation, in logarithms (a slow
 * pair is a share of the level, and noise multiplies): the level and spread come from the
 * upper quartile of the pairs (robust while up to half of them are bad, as a weak node's are
 * in a mesh of four). A pair is slow when it is both far outside that spread (as many robust
 * standard deviations as the false-alarm budget asks for the number of pairs judged, never
 * fewer than MIN_SIGMAS) and clearly below the level (BW_DROP): the first alone flags a
 * steady fabric's noise, the second alone a noisy one's. Below BW_FLOOR of the level a pair
 * is slow however noisy the fabric is.
 */
#define MIN_SIGMAS 3.0
#define BW_DROP 0.5
#define BW_FLOOR 0.1
/* Healthy pairs a run that cross the suspect line (retested, then cleared). */
#define SUSPECTS_PER_RUN 4.0
/*
 * A node or a NIC is slow when the median of its pairs (NIC pairs) is below this share of
 * the level, and outside the spread of such a median: the 80 % line bw --all-domains draws
 * for a NIC against its peers. The median over many partners is far steadier than one pair,
 * so a node at 60 % is found on a fabric whose pairs spread by 25 %.
 */
#define NODE_DROP 0.8
/*
 * A node with a slow NIC whose pairs as a whole are below this share of the level is slow
 * itself: between a node at 60 % and one NIC of four at 40 % (its pairs at 85 %).
 */
#define NODE_NIC_DROP 0.75
/*
 * A node's median is judged from this many partners up: below, a median says little (of three
 * pairs, the middle one), and a node bad with most partners is found by that rule.
 */
#define NODE_MEDIAN_MIN 5
/* A node bad with some of its partners, not all, needs this many bad pairs (bad_with_most). */
#define NODE_BAD_PAIRS 3
/* The quantiles of a standard normal variable that the level and spread are read from. */
#define Z75 0.6744897501960817
#define Z90 1.2815515655446004
/* A median of m normal figures spreads sqrt(pi / 2) times as widely as their mean. */
#define MEDIAN_EFFICIENCY 1.2533141373155001
/*
 * A node's or NIC's median is read from at most about this many of its pairs (those of every
 * k-th round: a rank meets one partner a round): its spread is then a twelfth of one pair's.
 */
#define RANK_SAMPLE 200
/* From this many figures up, the level is their median (see level_of). */
#define LEVEL_FROM_MEDIAN 16
/* Quantiles are read from at most this many figures (every k-th pair): plenty, and fast. */
#define SAMPLE_MAX (1u << 18)
/* A round's level is read from at most this many of its pairs. */
#define ROUND_SAMPLE 256
/*
 * Latency (p50) is slow above lat_factor times the median (--lat-factor, default 3) and
 * outside the spread as bandwidth is, judged only while the pairs' MAD is at most
 * LAT_MAX_SPREAD of the median: where latencies spread as widely as that (an oversubscribed
 * host), an outlier means nothing.
 */
#define MAD_TO_SIGMA 1.4826
#define LAT_MAX_SPREAD 0.5
/* Retested pairs of a suspect node or NIC that all pass clear it (a passing disturbance). */

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

struct mesh_result *mesh_results_new(size_t n, int lanes)
{
	struct mesh_result *p;
	float *pool;
	size_t i;

	if (lanes < 0)
		lanes = 0;
	if (lanes > MESH_MAX_LANES)
		lanes = MESH_MAX_LANES;
	if (n > (SIZE_MAX / 2) / (sizeof(*p) + (size_t)lanes * sizeof(float)))
		return NULL;
	p = calloc(1, (n + 1) * sizeof(*p) + n * (size_t)lanes * sizeof(float));
	if (!p)
		return NULL;
	pool = (float *)(p + n + 1);
	for (i = 0; i < n; i++) {
		p[i].lane_gbps = lanes ? pool + i * (size_t)lanes : NULL;
		p[i].lane_cap = (unsigned char)lanes;
	}
	return p;
}

void mesh_results_free(struct mesh_result *p, size_t n)
{
	size_t i;

	for (i = 0; p && i < n; i++)
		free(p[i].detail);
	free(p);
}

const char *mesh_detail(const struct mesh_result *p)
{
	return p->detail ? p->detail : "";
}

void mesh_set_detail(struct mesh_result *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->detail && !(p->detail = malloc(MESH_DETAIL_MAX)))
		return;
	va_start(ap, fmt);
	vsnprintf(p->detail, MESH_DETAIL_MAX, fmt, ap);
	va_end(ap);
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
	float *lanes = out->lane_gbps;
	unsigned char cap = out->lane_cap;
	char *detail = out->detail;
	int i, n;

	memset(out, 0, sizeof(*out));
	out->lane_gbps = lanes;
	out->lane_cap = lanes ? cap : 0;
	out->detail = detail;
	if (detail)
		detail[0] = 0;
	out->a = a;
	out->b = b;
	out->round = round;
	out->lat_avg_usec = -1;
	out->lat_p50_usec = -1;
	if (!ping) {
		/* The pinging side's view is the measurement: without it, nothing to judge. */
		out->status = MESH_CONTROL_UNREACHABLE;
		mesh_set_detail(out, "rank %d did not report its side", sa ? b : a);
		return;
	}
	if ((sa && sa->missed) || (sb && sb->missed)) {
		const struct mesh_side *s = sa && sa->missed ? sa : sb;

		/* Not measured: an error, never size_limited or blocked from a phase not run. */
		out->status = MESH_ERROR;
		out->missed = true;
		mesh_set_detail(out, "rank %d %s", s == sa ? a : b, s->err);
		return;
	}
	if ((sa && !sa->ran) || (sb && !sb->ran)) {
		const struct mesh_side *s = sa && !sa->ran ? sa : sb;

		out->status = MESH_ERROR;
		mesh_set_detail(out, "%s", s->err[0] ? s->err : "not run");
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
	if (n > out->lane_cap)
		n = out->lane_cap;
	out->nlanes = (unsigned char)n;
	for (i = 0; i < n; i++)
		out->lane_gbps[i] = sa->rx_gbps[i] < sb->rx_gbps[i] ? sa->rx_gbps[i] : sb->rx_gbps[i];
	if (out->status == MESH_OK && (!sa || !sb))
		mesh_set_detail(out, "rank %d did not report its side", sa ? b : a);
	else if (out->status == MESH_OK && out->bw_gbps <= 0)
		out->status = MESH_SIZE_LIMITED;
	if (out->status == MESH_SIZE_LIMITED)
		mesh_set_detail(out, "small messages cross, no large one did (%.3g Gbit/s a->b, "
				"%.3g b->a)", out->ab_gbps, out->ba_gbps);
	else if (out->status != MESH_OK)
		mesh_set_detail(out, "%ld of %ld round trips, %ld pings received%s%s",
				ping->lat_done, ping->lat_total, echo ? echo->lat_done : 0,
				ping->err[0] ? ": " : "", ping->err);
}

/* --- statistics ------------------------------------------------------------------------------ */

static void swap_dbl(double *x, size_t i, size_t j)
{
	double t = x[i];

	x[i] = x[j];
	x[j] = t;
}

/*
 * Reorders x[0..n) so that x[k] is the value a sort would put there, smaller ones before it
 * and larger after (Hoare's selection, median of three pivots): O(n), where a sort of the
 * 8.4 million pairs of 4,096 nodes would take a second by itself.
 */
static double select_kth(double *x, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (hi > lo) {
		size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		double pivot;

		if (x[mid] < x[lo])
			swap_dbl(x, mid, lo);
		if (x[hi] < x[lo])
			swap_dbl(x, hi, lo);
		if (x[hi] < x[mid])
			swap_dbl(x, hi, mid);
		pivot = x[mid];
		while (i <= j) {
			while (x[i] < pivot)
				i++;
			while (x[j] > pivot)
				j--;
			if (i <= j) {
				swap_dbl(x, i, j);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return x[k];
}

/* The smallest of x[from..n): after select_kth(k = from - 1), the next value up. */
static double min_from(const double *x, size_t from, size_t n)
{
	double m = x[from];
	size_t i;

	for (i = from + 1; i < n; i++)
		if (x[i] < m)
			m = x[i];
	return m;
}

double mesh_median(double *x, size_t n)
{
	double hi;

	if (!n)
		return 0;
	hi = select_kth(x, n, n / 2);
	if (n % 2)
		return hi;
	/* Both middles: the largest below the upper one. */
	select_kth(x, n / 2, n / 2 - 1);
	return (x[n / 2 - 1] + hi) / 2;
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

/* The value at quantile q of x[0..n) (reordered), interpolated between neighbours. */
static double quantile(double *x, size_t n, double q)
{
	double pos = q * (double)(n - 1), lo;
	size_t k = (size_t)pos;

	if (!n)
		return 0;
	lo = select_kth(x, n, k);
	if (k + 1 >= n)
		return lo;
	return lo + (pos - (double)k) * (min_from(x, k + 1, n) - lo);
}

double mesh_normal_quantile(double q)
{
	double lo = 0, hi = 40;
	int i;

	if (q >= 0.5)
		return 0;
	/* Bisection on the tail, 0.5 erfc(z / sqrt 2) = q: 60 halvings pin z far below 1e-9. */
	for (i = 0; i < 60; i++) {
		double mid = (lo + hi) / 2;

		if (0.5 * erfc(mid / sqrt(2)) > q)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/*
 * How many standard deviations a figure must fall below the level to be called slow when
 * count figures are judged: one healthy run in MESH_FALSE_ALARM_RUNS has any of them past it
 * (a Bonferroni bound; each kind of figure gets its own budget).
 */
double mesh_sigmas_for(size_t count)
{
	double z = mesh_normal_quantile(1.0 / (MESH_FALSE_ALARM_RUNS * (double)(count ? count : 1)));

	return z > MIN_SIGMAS ? z : MIN_SIGMAS;
}

static bool measured(const struct mesh_result *p)
{
	return p->status == MESH_OK || p->status == MESH_SLOW;
}

/* The figure a pair's round-mates are judged against: what it did in the round. */
static double round_bw(const struct mesh_result *p)
{
	return p->retested ? p->round_bw_gbps : p->bw_gbps;
}

/*
 * The level and spread of positive figures x[0..n), in logarithms. The spread is the wider of
 * two robust estimates: from every figure (1.4826 MAD), and from the upper part alone (the
 * upper quartile to the 90th percentile, or the upper half's MAD for few figures), which bad
 * figures do not reach. The level is the median where the figures are many (a bad node's
 * pairs are a small share of them), and for few (a mesh of four, where a weak node's pairs
 * are half) the upper quartile less its distance from the median under normal noise.
 * x is overwritten.
 */
static void level_of(double *x, size_t n, double *level, double *spread)
{
	double q75, q90, mad, med, mad_all;
	size_t i, half;

	*level = *spread = 0;
	if (!n)
		return;
	for (i = 0; i < n; i++)
		x[i] = log(x[i] > 1e-12 ? x[i] : 1e-12);
	med = mesh_median(x, n);
	mad_all = mesh_mad(x, n, med);
	q75 = quantile(x, n, 0.75);
	q90 = n >= 8 ? quantile(x, n, 0.90) : q75;
	/* The upper half (from the middle element up) around its median. */
	select_kth(x, n, n / 2);
	half = n - n / 2;
	for (i = n / 2; i < n; i++)
		x[i] = fabs(x[i] - q75);
	mad = mesh_median(x + n / 2, half);
	/* The upper half of a normal sample spreads 0.41 sigma about its median (its MAD). */
	*spread = fmax((q90 - q75) / (Z90 - Z75), mad / 0.41);
	if (n >= LEVEL_FROM_MEDIAN)
		*spread = fmax(*spread, MAD_TO_SIGMA * mad_all);
	if (n < 4)
		*spread = 0; /* too few to tell noise from fault: the drop rules alone */
	*level = n >= LEVEL_FROM_MEDIAN ? med : q75 - Z75 * *spread;
}

/* Every stride-th figure of the measured pairs, into x (room for SAMPLE_MAX + 1). */
static size_t sample_bw(const struct mesh_result *pairs, size_t npairs, double *x, bool all)
{
	size_t i, n = 0, stride = npairs / SAMPLE_MAX + 1;

	for (i = 0; i < npairs; i += stride)
		if (pairs[i].status == MESH_OK || (all && measured(&pairs[i])))
			x[n++] = pairs[i].bw_gbps;
	return n;
}

/* Median and spread of the healthy pairs' bandwidth and latency, and the thresholds. */
static int thresholds(int n, const struct mesh_result *pairs, size_t npairs,
		      const struct mesh_limits *lim, struct mesh_verdict *v)
{
	size_t room = (npairs < SAMPLE_MAX ? npairs : SAMPLE_MAX) + 2;
	double *bw = malloc(room * sizeof(*bw)), *lat = malloc(room * sizeof(*lat));
	double level, spread, cut;
	size_t i, nb, nl = 0, stride = npairs / SAMPLE_MAX + 1;

	if (!bw || !lat) {
		free(bw);
		free(lat);
		return -1;
	}
	nb = sample_bw(pairs, npairs, bw, false);
	for (i = 0; i < npairs; i += stride)
		if (pairs[i].status == MESH_OK && pairs[i].lat_p50_usec >= 0)
			lat[nl++] = pairs[i].lat_p50_usec;
	v->median_gbps = mesh_median(bw, nb);
	v->mad_gbps = mesh_mad(bw, nb, v->median_gbps);
	level_of(bw, nb, &level, &spread);
	v->ref_gbps = nb ? exp(level) : 0;
	v->spread = spread;
	v->ref_mad_gbps = v->ref_gbps * spread / MAD_TO_SIGMA;
	/*
	 * A pair is a suspect at a looser line than a node or NIC is a culprit: a few healthy
	 * pairs a run cross it (SUSPECTS_PER_RUN), and the retest, judged against a line from
	 * the budget over the pairs retested (mesh_retest_merge), confirms only a real fault.
	 */
	v->pair_sigmas = fmax(MIN_SIGMAS, mesh_normal_quantile(SUSPECTS_PER_RUN /
								(double)(npairs ? npairs : 1)));
	v->node_sigmas = mesh_sigmas_for((size_t)n);
	v->median_lat_usec = mesh_median(lat, nl);
	v->mad_lat_usec = mesh_mad(lat, nl, v->median_lat_usec);
	free(bw);
	free(lat);
	v->floor_gbps = v->ref_gbps * BW_FLOOR;
	v->min_gbps = lim->min_gbps;
	cut = fmax(-log(BW_DROP), v->pair_sigmas * spread);
	v->pair_drop = exp(-cut);
	v->slow_below_gbps = fmax(v->floor_gbps, v->ref_gbps * v->pair_drop);
	if (lim->min_gbps > v->slow_below_gbps)
		v->slow_below_gbps = lim->min_gbps;
	v->lat_relative = nl && lim->lat_factor > 0 &&
			  v->mad_lat_usec <= v->median_lat_usec * LAT_MAX_SPREAD;
	v->slow_above_usec = v->lat_relative ?
				     fmax(v->median_lat_usec * lim->lat_factor,
					  v->median_lat_usec + v->pair_sigmas * MAD_TO_SIGMA *
									v->mad_lat_usec) :
				     0;
	if (lim->max_lat_usec > 0 && (!v->slow_above_usec || lim->max_lat_usec < v->slow_above_usec))
		v->slow_above_usec = lim->max_lat_usec;
	return 0;
}

/*
 * The level a pair is judged against: the allocation's, or its round's where that is lower
 * (the pairs of a round run at the same moment, so what slows the whole host or fabric then,
 * another job or a shared CPU, slows them all, and a round-mate at full speed shows the
 * pair's own fault). round_level < 0: no round-mate measured at the same moment (a partner
 * that did not report, a retest round of one pair): the allocation's level, and only a drop
 * below BW_FLOOR of it counts.
 */
static double pair_level(const struct mesh_verdict *v, double round_level)
{
	return round_level >= 0 && round_level < v->ref_gbps ? round_level : v->ref_gbps;
}

/* Why a measured pair is slow against v and its round's level, into why; false: it is not. */
static bool slow_why(const struct mesh_result *p, const struct mesh_verdict *v,
		     double round_level, char *why, size_t len)
{
	double level = pair_level(v, round_level);
	double below = fmax(level * v->pair_drop, v->floor_gbps);

	if (p->bw_gbps < v->min_gbps || p->bw_gbps < v->floor_gbps ||
	    (round_level >= 0 && p->bw_gbps < below)) {
		snprintf(why, len, "%.3f Gbit/s, below %.3f (healthy pairs %.3f%s)", p->bw_gbps,
			 fmax(below, v->min_gbps), v->ref_gbps,
			 level < v->ref_gbps ? ", its round slower" : "");
		return true;
	}
	if (v->slow_above_usec > 0 && p->lat_p50_usec > v->slow_above_usec) {
		snprintf(why, len, "latency p50 %.2f us, above %.2f (median %.2f)", p->lat_p50_usec,
			 v->slow_above_usec, v->median_lat_usec);
		return true;
	}
	return false;
}

static void mark_slow(struct mesh_result *p, const struct mesh_verdict *v, double round_level)
{
	char why[MESH_DETAIL_MAX];

	if (p->status != MESH_OK || p->retested)
		return;
	if (slow_why(p, v, round_level, why, sizeof(why))) {
		p->status = MESH_SLOW;
		mesh_set_detail(p, "%s", why);
	}
}

/* --- the index: pairs by round and by rank ------------------------------------------------- */

/* Pair indices grouped by a key (round or rank), as offsets into one array: CSR. */
struct groups {
	size_t ngroups;
	size_t *start; /* ngroups + 1 */
	uint32_t *idx;
};

static void groups_free(struct groups *g)
{
	free(g->start);
	free(g->idx);
	g->start = NULL;
	g->idx = NULL;
}

/*
 * The pairs of each round (rounds < 0 left out). Pairs merged round by round (as rank 0
 * merges them) are grouped already: then the groups are ranges, and no index is built.
 */
static int by_round(const struct mesh_result *pairs, size_t npairs, struct groups *g)
{
	size_t i, rounds = 0, cap = 64;
	bool sorted = true;

	memset(g, 0, sizeof(*g));
	if (npairs >= UINT32_MAX)
		return -1;
	/* One pass while the rounds come in order: each new round's first pair starts it. */
	g->start = calloc(cap + 2, sizeof(*g->start));
	if (!g->start)
		return -1;
	for (i = 0; i < npairs && sorted; i++) {
		int r = pairs[i].round;

		if (r < 0 || (size_t)r + 1 < rounds) {
			sorted = false;
			break;
		}
		while ((size_t)r + 1 > rounds) {
			if (rounds + 2 > cap) {
				size_t *st = realloc(g->start, (2 * cap + 2) * sizeof(*st));

				if (!st) {
					groups_free(g);
					return -1;
				}
				g->start = st;
				cap *= 2;
			}
			g->start[rounds++] = i;
		}
	}
	if (sorted) {
		g->start[rounds] = npairs;
		g->ngroups = rounds;
		return 0;
	}
	/* Out of order: count, then place each pair through an index. */
	groups_free(g);
	for (i = 0, rounds = 0; i < npairs; i++)
		if (pairs[i].round >= 0 && (size_t)pairs[i].round + 1 > rounds)
			rounds = (size_t)pairs[i].round + 1;
	g->ngroups = rounds;
	g->start = calloc(rounds + 2, sizeof(*g->start));
	g->idx = malloc((npairs + 1) * sizeof(*g->idx));
	if (!g->start || !g->idx) {
		groups_free(g);
		return -1;
	}
	for (i = 0; i < npairs; i++)
		if (pairs[i].round >= 0)
			g->start[pairs[i].round + 1]++;
	for (i = 0; i < rounds; i++)
		g->start[i + 1] += g->start[i];
	for (i = 0; i < npairs; i++)
		if (pairs[i].round >= 0)
			g->idx[g->start[pairs[i].round]++] = (uint32_t)i;
	/* The fill moved each start to the next group's: move them back. */
	for (i = rounds; i > 0; i--)
		g->start[i] = g->start[i - 1];
	g->start[0] = 0;
	return 0;
}

/* The k-th pair of the grouping (its index, or k itself where the pairs are in order). */
static size_t group_at(const struct groups *g, size_t k)
{
	return g->idx ? g->idx[k] : k;
}

/*
 * Per rank, room for one figure from each of its pairs, as offsets into one array. Filled in
 * the pairs' order, which is the schedule's: a rank meets one partner per round, so each
 * rank's slots fill in sequence and the pass streams through memory, where reading each
 * rank's pairs through an index jumps across all of them (seconds at 4,096 nodes).
 */
struct slots {
	int n;
	size_t *start, *fill;
	float *val;
	double *scratch; /* room for the most pairs of one rank */
};

static void slots_free(struct slots *s)
{
	free(s->start);
	free(s->fill);
	free(s->val);
	free(s->scratch);
	memset(s, 0, sizeof(*s));
}

/* A growing list of pair indices. */
struct idxlist {
	uint32_t *v;
	size_t n, cap;
};

static int idx_push(struct idxlist *l, size_t i)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (uint32_t)i;
	return 0;
}

/* Room per rank for the figures of the sampled pairs. */
static int slots_new(int n, const struct mesh_result *pairs, const struct idxlist *sample,
		     struct slots *s)
{
	size_t i, most = 0;
	int r;

	s->n = n;
	s->start = calloc((size_t)n + 2, sizeof(*s->start));
	s->fill = calloc((size_t)n + 1, sizeof(*s->fill));
	s->val = malloc((2 * sample->n + 1) * sizeof(*s->val));
	if (!s->start || !s->fill || !s->val)
		goto fail;
	for (i = 0; i < sample->n; i++) {
		const struct mesh_result *p = &pairs[sample->v[i]];

		s->start[p->a + 1]++;
		s->start[p->b + 1]++;
	}
	for (r = 0; r < n; r++) {
		if (s->start[r + 1] > most)
			most = s->start[r + 1];
		s->start[r + 1] += s->start[r];
	}
	s->scratch = malloc((most + 1) * sizeof(*s->scratch));
	if (!s->scratch)
		goto fail;
	return 0;
fail:
	slots_free(s);
	return -1;
}

static void slots_clear(struct slots *s)
{
	memset(s->fill, 0, (size_t)s->n * sizeof(*s->fill));
}

static void slots_put(struct slots *s, int r, double x)
{
	s->val[s->start[r] + s->fill[r]++] = (float)x;
}

/* The median of rank r's figures (0 when none). */
static double slots_median(const struct slots *s, int r)
{
	size_t k, m = s->fill[r];

	for (k = 0; k < m; k++)
		s->scratch[k] = s->val[s->start[r] + k];
	return mesh_median(s->scratch, m);
}

/*
 * The level of each round: the median of the upper half of its measured pairs (robust while
 * half of them are bad), brought down to the median by the allocation's spread where the
 * round is large enough for that to mean something; -1 where a round has one measured pair.
 */
static double *levels_of_rounds(const struct mesh_result *pairs, const struct groups *gp,
				double spread)
{
	const struct groups g = *gp;
	double *level = NULL, *x = NULL;
	size_t r, k, most = 0;

	for (r = 0; r < g.ngroups; r++)
		if (g.start[r + 1] - g.start[r] > most)
			most = g.start[r + 1] - g.start[r];
	level = malloc((g.ngroups + 1) * sizeof(*level));
	x = malloc((most + 1) * sizeof(*x));
	if (!level || !x) {
		free(level);
		level = NULL;
		goto out;
	}
	for (r = 0; r < g.ngroups; r++) {
		size_t m = 0, step = (g.start[r + 1] - g.start[r]) / ROUND_SAMPLE + 1;

		for (k = g.start[r]; k < g.start[r + 1]; k += step)
			if (measured(&pairs[group_at(&g, k)]))
				x[m++] = round_bw(&pairs[group_at(&g, k)]);
		if (m < 2) {
			level[r] = -1;
			continue;
		}
		select_kth(x, m, m / 2);
		level[r] = mesh_median(x + m / 2, m - m / 2);
		if (m >= 8)
			level[r] *= exp(-Z75 * spread);
	}
out:
	free(x);
	return level;
}

double *mesh_round_level(const struct mesh_result *pairs, size_t npairs)
{
	struct groups g = { 0 };
	double *level;

	if (by_round(pairs, npairs, &g))
		return NULL;
	level = levels_of_rounds(pairs, &g, 0);
	groups_free(&g);
	return level;
}

/* --- localisation -------------------------------------------------------------------------- */

/* Per rank and NIC index: bad or not; per NIC index, the allocation's level of it. */
struct nic_state {
	int lanes;
	unsigned char *bad; /* n * lanes */
	double level[MESH_MAX_LANES], spread[MESH_MAX_LANES];
};

static bool nic_bad(const struct nic_state *s, int rank, int lane)
{
	return lane < s->lanes && s->bad[(size_t)rank * (size_t)s->lanes + (size_t)lane];
}

/* How many of rank's NICs are bad. */
static int nics_of(const struct nic_state *s, int rank)
{
	int l, k = 0;

	for (l = 0; l < s->lanes; l++)
		k += nic_bad(s, rank, l);
	return k;
}

/* The factor the pair's round was slowed by against the allocation (1: not slowed). */
static double round_factor(const struct mesh_result *p, const struct mesh_verdict *v,
			   const double *rlevel)
{
	double l = p->round >= 0 && rlevel ? pair_level(v, rlevel[p->round]) : v->ref_gbps;

	return v->ref_gbps > 0 && l > 0 ? l / v->ref_gbps : 1;
}

/* Lane l of pair p well below its NIC index's level (its round's slowing allowed for). */
static bool lane_weak(const struct mesh_result *p, int l, const struct nic_state *s, double f)
{
	return l < p->nlanes && p->lane_gbps[l] < s->level[l] * f * NODE_DROP;
}

/* A bad pair whose every weak NIC pair ends on a bad NIC: the NIC explains it. */
static bool explained_by_nic(const struct mesh_result *p, const struct nic_state *s, double f)
{
	int l, weak = 0;

	if (p->status == MESH_OK || !s->lanes || p->nlanes < 2)
		return false;
	for (l = 0; l < p->nlanes; l++) {
		if (!lane_weak(p, l, s, f))
			continue;
		if (!nic_bad(s, p->a, l) && !nic_bad(s, p->b, l))
			return false;
		weak++;
	}
	return weak > 0;
}

/*
 * Each NIC index's level across the allocation, and each rank's NIC against it: the median,
 * over the rank's partners, of its NIC pair's figure against that level. A NIC is judged
 * against the same NIC of every other node (the pairs of one index run NIC i to NIC i), so a
 * weak NIC shows even where the node's other NICs are no better than it. (The median of the
 * ratios, then its logarithm: the same as the median of the logarithms, for one log a rank.)
 */
static int find_nics(int n, const bool *reported, const struct mesh_result *pairs,
		     size_t npairs, const struct idxlist *sample, struct slots *sl,
		     const double *rlevel, struct mesh_verdict *v, struct nic_state *s)
{
	size_t room = (npairs < SAMPLE_MAX ? npairs : SAMPLE_MAX) + 2, i;
	size_t stride = npairs / SAMPLE_MAX + 1;
	double *x = NULL;
	int l, r;

	for (i = 0; i < npairs; i += stride)
		if (measured(&pairs[i]) && pairs[i].nlanes >= 2 && pairs[i].nlanes > s->lanes)
			s->lanes = pairs[i].nlanes;
	if (!s->lanes)
		return 0;
	v->nic_sigmas = mesh_sigmas_for((size_t)n * (size_t)s->lanes);
	s->bad = calloc((size_t)n * (size_t)s->lanes, 1);
	x = malloc(room * sizeof(*x));
	if (!s->bad || !x) {
		free(x);
		return -1;
	}
	for (l = 0; l < s->lanes; l++) {
		size_t m = 0;

		for (i = 0; i < npairs; i += stride)
			if (measured(&pairs[i]) && pairs[i].nlanes > l && pairs[i].nlanes >= 2)
				x[m++] = pairs[i].lane_gbps[l] / round_factor(&pairs[i], v, rlevel);
		level_of(x, m, &s->level[l], &s->spread[l]);
		s->level[l] = m ? exp(s->level[l]) : 0;
	}
	free(x);
	for (l = 0; l < s->lanes; l++) {
		if (s->level[l] <= 0)
			continue;
		slots_clear(sl);
		for (i = 0; i < sample->n; i++) {
			const struct mesh_result *p = &pairs[sample->v[i]];
			double ratio;

			if (!measured(p) || p->nlanes <= l || p->nlanes < 2)
				continue;
			ratio = p->lane_gbps[l] / (s->level[l] * round_factor(p, v, rlevel));
			slots_put(sl, p->a, ratio);
			slots_put(sl, p->b, ratio);
		}
		for (r = 0; r < n; r++) {
			size_t m = sl->fill[r];
			double med, cut;

			if (!reported[r] || m < 2)
				continue;
			med = log(fmax(slots_median(sl, r), 1e-12));
			cut = fmax(-log(NODE_DROP),
				   v->nic_sigmas * s->spread[l] * MEDIAN_EFFICIENCY / sqrt((double)m));
			if (med >= -cut)
				continue;
			s->bad[(size_t)r * (size_t)s->lanes + (size_t)l] = 1;
			v->nics[v->nnics].rank = r;
			v->nics[v->nnics].lane = l;
			snprintf(v->nics[v->nnics].reason, sizeof(v->nics[0].reason),
				 "slow with %zu partners: median %.3f Gbit/s per NIC pair against "
				 "%.3f of NIC %d across the allocation (below %.0f %%)", m,
				 s->level[l] * exp(med), s->level[l], l, 100 * exp(-cut));
			v->nnics++;
		}
	}
	return 0;
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

static void add_node(struct mesh_verdict *v, unsigned char *bad, int rank, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_node(struct mesh_verdict *v, unsigned char *bad, int rank, const char *fmt, ...)
{
	va_list ap;

	v->nodes[v->nnodes].rank = rank;
	va_start(ap, fmt);
	vsnprintf(v->nodes[v->nnodes].reason, sizeof(v->nodes[0].reason), fmt, ap);
	va_end(ap);
	v->nnodes++;
	bad[rank] = 1;
}

/*
 * A retested pair of a suspect still weak: not ok, or below NODE_DROP of the level (of its
 * NIC index's level for lane >= 0).
 */
static bool retest_weak(const struct mesh_result *p, const struct mesh_verdict *v,
			const struct nic_state *s, int lane)
{
	if (!measured(p) || p->status == MESH_SLOW)
		return true;
	if (lane >= 0)
		return lane_weak(p, lane, s, 1);
	return p->bw_gbps < v->ref_gbps * NODE_DROP;
}

/* The pairs measured again, by index: few, so a suspect's are found by a scan of them. */
struct retested {
	uint32_t *idx;
	size_t n;
};

/*
 * After the retest, a suspect node or NIC is cleared when most of its retested pairs (with
 * partners that are not themselves bad) passed: what the rounds saw did not last. One weak
 * retest pair of a healthy suspect on a noisy fabric does not keep it, two of five do not
 * clear a node at 60 %.
 */
static bool cleared(int r, int lane, const struct mesh_result *pairs, const struct retested *rt,
		    const struct mesh_verdict *v, const struct nic_state *s,
		    const unsigned char *bad)
{
	size_t k, nret = 0, weak = 0;

	for (k = 0; k < rt->n; k++) {
		const struct mesh_result *p = &pairs[rt->idx[k]];
		int other = p->a == r ? p->b : p->a;

		if ((p->a != r && p->b != r) || (bad && bad[other]))
			continue;
		weak += retest_weak(p, v, s, lane);
		nret++;
	}
	return nret > 0 && weak * 2 < nret;
}

/*
 * A node bad with most of its partners: with more than half of them, two at least, where it
 * met every other rank (all pairs: at 4 ranks, 2 of 3); where it met only some (--pairs K,
 * --quick's first rounds), with every one of them or NODE_BAD_PAIRS at least. Independent bad
 * pairs, not two: with few partners two bad links of 1 % that meet at one node would
 * otherwise make it bad with two of three. (From 7 ranks up, all pairs give more than 5
 * partners, and the half is 3 or more anyway.)
 */
static bool bad_with_most(int nbad, int partners, bool met_all)
{
	if (nbad < 2 || nbad * 2 <= partners)
		return false;
	return met_all || nbad >= partners || nbad >= NODE_BAD_PAIRS;
}

/*
 * A node is bad when it did not report; when it is bad with most partners (bad_with_most) that
 * a bad NIC does not explain; or when its median pair is slow against the level (its round's
 * slowing allowed for), beyond what the spread of such a median allows.
 */
static int find_nodes(int n, const bool *reported, struct mesh_result *pairs,
		      const struct idxlist *sample, const struct idxlist *badp, const int *with,
		      struct slots *sl, const struct retested *rt, const double *rlevel,
		      const struct nic_state *s, const struct mesh_limits *lim,
		      struct mesh_verdict *v, unsigned char *bad)
{
	int *nbad = calloc((size_t)n + 1, sizeof(*nbad));
	int *others = calloc((size_t)n + 1, sizeof(*others));
	int (*count)[MESH_ERROR + 1] = calloc((size_t)n + 1, sizeof(*count));
	double *bw_sum = calloc((size_t)n + 1, sizeof(*bw_sum));
	unsigned char *worst = calloc((size_t)n + 1, 1);
	size_t i;
	int r;

	if (!nbad || !others || !count || !bw_sum || !worst) {
		free(others);
		free(worst);
		free(nbad);
		free(count);
		free(bw_sum);
		return -1;
	}
	/* The bad pairs counted from their list. */
	for (i = 0; i < badp->n; i++) {
		const struct mesh_result *p = &pairs[badp->v[i]];

		if (!reported[p->a] || !reported[p->b] ||
		    explained_by_nic(p, s, round_factor(p, v, rlevel)))
			continue;
		nbad[p->a]++;
		nbad[p->b]++;
		count[p->a][p->status]++;
		count[p->b][p->status]++;
		bw_sum[p->a] += p->bw_gbps;
		bw_sum[p->b] += p->bw_gbps;
	}
	/*
	 * A node bad with every partner (two at least) explains its pairs: they do not count
	 * against its partners, so a dead node in a mesh of four and one pair lost to load do
	 * not make its partner a bad node too.
	 */
	for (r = 0; r < n; r++)
		worst[r] = reported[r] && nbad[r] >= 2 && nbad[r] == with[r];
	for (i = 0; i < badp->n; i++) {
		const struct mesh_result *p = &pairs[badp->v[i]];

		if (!reported[p->a] || !reported[p->b] || worst[p->a] == worst[p->b])
			continue;
		if (explained_by_nic(p, s, round_factor(p, v, rlevel)))
			continue;
		r = worst[p->a] ? p->b : p->a;
		nbad[r]--;
		count[r][p->status]--;
		bw_sum[r] -= p->bw_gbps;
		others[r]++;
	}
	/*
	 * The medians from the sampled pairs, but those with a node bad with every partner
	 * (which would pull a partner's median of few pairs down).
	 */
	slots_clear(sl);
	for (i = 0; i < sample->n; i++) {
		const struct mesh_result *p = &pairs[sample->v[i]];
		double ratio;

		if (!reported[p->a] || !reported[p->b] || !measured(p) || v->ref_gbps <= 0)
			continue;
		ratio = p->bw_gbps / (v->ref_gbps * round_factor(p, v, rlevel));
		if (!worst[p->b])
			slots_put(sl, p->a, ratio);
		if (!worst[p->a])
			slots_put(sl, p->b, ratio);
	}
	for (r = 0; r < n; r++) {
		size_t m = sl->fill[r];
		double med = 0, cut = 0;
		char what[128];

		if (!reported[r]) {
			add_node(v, bad, r, "did not report its results within the budget (stopped, "
				 "hung or dead)");
			continue;
		}
		if (m >= NODE_MEDIAN_MIN) {
			med = log(fmax(slots_median(sl, r), 1e-12));
			cut = fmax(-log(NODE_DROP),
				   v->node_sigmas * v->spread * MEDIAN_EFFICIENCY / sqrt((double)m));
		}
		if (bad_with_most(nbad[r], with[r] - others[r], with[r] >= n - 1)) {
			if (lim->after_retest && cleared(r, -1, pairs, rt, v, s, NULL))
				continue;
			status_counts(count[r], what, sizeof(what));
			add_node(v, bad, r, "bad with %d of %d partners (%s); mean %.3f Gbit/s against "
				 "%.3f of healthy pairs", nbad[r], with[r] - others[r], what,
				 bw_sum[r] / nbad[r], v->ref_gbps);
		} else if (m >= NODE_MEDIAN_MIN && med < -cut &&
			   !(nics_of(s, r) && med >= log(NODE_NIC_DROP))) {
			/* (A node with a slow NIC is slowed by it: below 75 % it is slow itself.) */
			if (lim->after_retest && cleared(r, -1, pairs, rt, v, s, NULL))
				continue;
			add_node(v, bad, r, "slow with %zu partners: median %.3f Gbit/s against "
				 "%.3f of healthy pairs (below %.0f %%)", m, v->ref_gbps * exp(med),
				 v->ref_gbps, 100 * exp(-cut));
		} else if (m >= NODE_MEDIAN_MIN && med < log(NODE_NIC_DROP) && nics_of(s, r)) {
			/*
			 * A NIC found slow on a node whose pairs as a whole are below 75 % too: the
			 * node is slow (one NIC of four at 40 % leaves its pairs at 85 %), and its
			 * NIC the one of them that crossed the line first on a noisy fabric.
			 */
			if (lim->after_retest && cleared(r, -1, pairs, rt, v, s, NULL))
				continue;
			add_node(v, bad, r, "slow with %zu partners: median %.3f Gbit/s against "
				 "%.3f of healthy pairs (below 75 %%), its NICs with it", m,
				 v->ref_gbps * exp(med), v->ref_gbps);
		}
	}
	free(nbad);
	free(others);
	free(worst);
	free(count);
	free(bw_sum);
	return 0;
}

/*
 * The NICs of a bad node are its node's fault; a NIC cleared on retest is none; two NICs or
 * more of one node slow are the node slow (its own median missed it on a noisy fabric).
 */
static void prune_nics(struct mesh_verdict *v, struct nic_state *s, unsigned char *bad,
		       const struct mesh_result *pairs, const struct retested *rt,
		       const struct mesh_limits *lim)
{
	size_t i, k = 0;

	for (i = 0; i < v->nnics; i++) {
		int r = v->nics[i].rank, l, slow = 0;

		if (bad[r] || (lim->after_retest && cleared(r, v->nics[i].lane, pairs, rt, v, s,
							     bad)))
			continue;
		for (l = 0; l < s->lanes; l++)
			slow += nic_bad(s, r, l);
		if (slow >= 2)
			add_node(v, bad, r, "%d of its %d NICs slow against the same NICs of the "
				 "allocation (%s)", slow, s->lanes, v->nics[i].reason);
	}
	for (i = 0; i < v->nnics; i++) {
		int r = v->nics[i].rank, l = v->nics[i].lane;

		if (bad[r] || (lim->after_retest && cleared(r, l, pairs, rt, v, s, bad))) {
			s->bad[(size_t)r * (size_t)s->lanes + (size_t)l] = 0;
			continue;
		}
		v->nics[k++] = v->nics[i];
	}
	v->nnics = k;
}

static int add_link(struct mesh_verdict *v, const struct mesh_result *p)
{
	if (v->nlinks == v->links_cap) {
		size_t cap = v->links_cap ? 2 * v->links_cap : 16;
		struct mesh_bad_link *l = realloc(v->links, cap * sizeof(*l));

		if (!l)
			return -1;
		v->links = l;
		v->links_cap = cap;
	}
	v->links[v->nlinks].a = p->a;
	v->links[v->nlinks].b = p->b;
	snprintf(v->links[v->nlinks].reason, sizeof(v->links[0].reason), "%s: %s",
		 mesh_status_str(p->status), mesh_detail(p));
	v->nlinks++;
	return 0;
}

/* Bad pairs that no bad node or NIC explains; after the retest, only those it confirmed. */
static int find_links(const bool *reported, struct mesh_result *pairs, const struct idxlist *badp,
		      const double *rlevel, const struct nic_state *s, const unsigned char *bad,
		      const struct mesh_limits *lim, struct mesh_verdict *v)
{
	size_t i;

	v->nbad_pairs = badp->n;
	for (i = 0; i < badp->n; i++) {
		const struct mesh_result *p = &pairs[badp->v[i]];

		if (!reported[p->a] || !reported[p->b] || bad[p->a] || bad[p->b] ||
		    explained_by_nic(p, s, round_factor(p, v, rlevel)) ||
		    (lim->after_retest && !p->confirmed))
			continue;
		if (add_link(v, p))
			return -1;
	}
	return 0;
}

/*
 * Most of the allocation bad at once is not a fault of most nodes: the run could not
 * measure (ranks starved of CPU missed their slots, another job filled the fabric). Absolute
 * limits (--min-gbps) are the operator's own line, and may fail every node.
 */
static void check_measurable(int n, const bool *reported, const struct mesh_result *pairs,
			     size_t npairs, const struct idxlist *badp,
			     const struct mesh_limits *lim, struct mesh_verdict *v,
			     const unsigned char *bad)
{
	int count[MESH_ERROR + 1] = { 0 }, r, nrep = 0, nbad = 0;
	size_t i, notok = 0, judged = 0;
	char what[128];

	if (lim->min_gbps > 0 || n < 4)
		return;
	for (r = 0; r < n; r++) {
		nrep += reported[r];
		nbad += reported[r] && bad[r];
	}
	/* The pairs no bad node explains, among those of the nodes not bad. */
	for (i = 0; i < npairs; i++)
		judged += reported[pairs[i].a] && reported[pairs[i].b] && !bad[pairs[i].a] &&
			  !bad[pairs[i].b];
	for (i = 0; i < badp->n; i++) {
		const struct mesh_result *p = &pairs[badp->v[i]];

		if (!reported[p->a] || !reported[p->b])
			continue;
		count[p->status]++;
		notok += !bad[p->a] && !bad[p->b];
	}
	if (nbad * 2 <= nrep && notok * 2 <= judged)
		return;
	status_counts(count, what, sizeof(what));
	v->unmeasurable = true;
	snprintf(v->why, sizeof(v->why), "%d of %d reporting nodes bad, and %zu of the other nodes' "
		 "%zu pairs (all bad pairs: %s): more than half of an allocation bad at once is no fault of some "
		 "nodes but a run that could not measure (ranks starved of CPU, slots missed, a "
		 "shared fabric)", nbad, nrep, notok, judged, what);
}

int mesh_judge(int n, const bool *reported, struct mesh_result *pairs, size_t npairs,
	       const struct mesh_limits *lim, struct mesh_verdict *v)
{
	struct idxlist sample = { 0 }, badp = { 0 }, ret = { 0 };
	struct groups g = { 0 };
	struct nic_state s = { 0 };
	struct slots sl = { 0 };
	struct retested rt;
	unsigned char *bad = NULL;
	double *rlevel = NULL;
	int *with = NULL, stride;
	size_t i, first_missed = 0;
	int ret_code = -1;

	memset(v, 0, sizeof(*v));
	v->nodes = calloc((size_t)n + 1, sizeof(*v->nodes));
	v->nics = calloc((size_t)n * MESH_MAX_LANES + 1, sizeof(*v->nics));
	bad = calloc((size_t)n + 1, 1);
	with = calloc((size_t)n + 1, sizeof(*with));
	if (!v->nodes || !v->nics || !bad || !with || npairs >= UINT32_MAX ||
	    thresholds(n, pairs, npairs, lim, v) || by_round(pairs, npairs, &g))
		goto out;
	rlevel = levels_of_rounds(pairs, &g, v->spread);
	if (!rlevel)
		goto out;
	/*
	 * The one pass over every pair: each marked slow or not, the partners of each rank
	 * counted, and the few lists the rest works from: the bad pairs, the retested ones, and
	 * the pairs of every stride-th round, from which nodes' and NICs' medians are read (a
	 * rank meets one partner a round, so each rank has about RANK_SAMPLE of them).
	 */
	stride = (int)(g.ngroups / RANK_SAMPLE) + 1;
	for (i = 0; i < npairs; i++) {
		struct mesh_result *p = &pairs[i];

		if (p->a < 0 || p->a >= n || p->b < 0 || p->b >= n)
			continue;
		if (p->missed) {
			/* No evidence either way: neither a bad pair nor a partner's good one. */
			if (!v->nmissed++)
				first_missed = i;
			continue;
		}
		mark_slow(p, v, p->round >= 0 ? rlevel[p->round] : -1);
		if (reported[p->a] && reported[p->b]) {
			with[p->a]++;
			with[p->b]++;
		}
		if ((p->status != MESH_OK && idx_push(&badp, i)) ||
		    (p->retested && idx_push(&ret, i)) ||
		    ((p->round < 0 || p->round % stride == 0) && idx_push(&sample, i)))
			goto out;
	}
	/* Rounds slowed as a whole: load, their pairs judged against the round. */
	for (i = 0; i < g.ngroups; i++)
		v->loaded_rounds += rlevel[i] >= 0 && rlevel[i] < v->ref_gbps * BW_DROP;
	rt.idx = ret.v;
	rt.n = ret.n;
	if (slots_new(n, pairs, &sample, &sl) ||
	    find_nics(n, reported, pairs, npairs, &sample, &sl, rlevel, v, &s) ||
	    find_nodes(n, reported, pairs, &sample, &badp, with, &sl, &rt, rlevel, &s, lim, v,
		       bad))
		goto out;
	prune_nics(v, &s, bad, pairs, &rt, lim);
	if (find_links(reported, pairs, &badp, rlevel, &s, bad, lim, v))
		goto out;
	check_measurable(n, reported, pairs, npairs, &badp, lim, v, bad);
	if (!v->unmeasurable && v->nmissed && !v->nnodes && !v->nlinks && !v->nnics) {
		const struct mesh_result *p = &pairs[first_missed];

		v->unmeasurable = true;
		snprintf(v->why, sizeof(v->why), "%zu pair%s not measured: ranks missed their "
			 "slots' time (starved of CPU, or stopped), e.g. %d-%d: %.120s", v->nmissed,
			 v->nmissed == 1 ? "" : "s", p->a, p->b, mesh_detail(p));
	}
	if (v->unmeasurable) {
		/* No culprit from a run that could not measure. */
		v->nnodes = v->nnics = v->nlinks = 0;
	}
	v->pass = !v->unmeasurable && !v->nnodes && !v->nlinks && !v->nnics &&
		  (lim->after_retest || !v->nbad_pairs);
	ret_code = 0;
out:
	if (ret_code)
		mesh_verdict_free(v);
	free(rlevel);
	free(bad);
	free(with);
	free(s.bad);
	free(sample.v);
	free(badp.v);
	free(ret.v);
	groups_free(&g);
	slots_free(&sl);
	return ret_code;
}

void mesh_verdict_free(struct mesh_verdict *v)
{
	free(v->nodes);
	free(v->links);
	free(v->nics);
	v->nodes = NULL;
	v->links = NULL;
	v->nics = NULL;
	v->links_cap = 0;
}

/* The retest's status and figures in place of the pair's; it keeps its round and storage. */
static void take_retest(struct mesh_result *pair, const struct mesh_result *retest,
			enum mesh_status st)
{
	int l;

	pair->status = st;
	pair->missed = false;
	pair->lat_avg_usec = retest->lat_avg_usec;
	pair->lat_p50_usec = retest->lat_p50_usec;
	pair->ab_gbps = retest->ab_gbps;
	pair->ba_gbps = retest->ba_gbps;
	pair->bw_gbps = retest->bw_gbps;
	pair->nlanes = retest->nlanes < pair->lane_cap ? retest->nlanes : pair->lane_cap;
	for (l = 0; l < pair->nlanes; l++)
		pair->lane_gbps[l] = retest->lane_gbps[l];
}

void mesh_apply_retest(struct mesh_result *pair, const struct mesh_result *retest,
		       const struct mesh_verdict *v, double round_level)
{
	char was[MESH_DETAIL_MAX], why[MESH_DETAIL_MAX];
	enum mesh_status st = retest->status, first = pair->status;

	why[0] = 0;

	str_copy(was, sizeof(was), mesh_detail(pair));
	pair->retested = true;
	pair->round_bw_gbps = pair->bw_gbps;
	if (retest->missed) {
		/* A retest a rank could not keep the time of tells nothing: the pair stands. */
		pair->confirmed = false;
		mesh_set_detail(pair, "%.100s%snot measured on retest (%.80s)", was,
				was[0] ? "; " : "", mesh_detail(retest));
		return;
	}
	if (st == MESH_OK && slow_why(retest, v, round_level, why, sizeof(why)))
		st = MESH_SLOW;
	if (pair->missed) {
		/* Not measured in its round: the retest is its one measurement, unconfirmed. */
		pair->confirmed = false;
		take_retest(pair, retest, st);
		mesh_set_detail(pair, "%s on retest (not measured in its round: %.100s)",
				st == MESH_SLOW && why[0] ? why : mesh_status_str(st), was);
		return;
	}
	pair->confirmed = first != MESH_OK && st != MESH_OK;
	if (st == MESH_OK || first == MESH_OK) {
		/*
		 * The retest's figures stand (a pair that passed in its round and is retested
		 * as a suspect node's or NIC's partner takes the retest's status too).
		 */
		take_retest(pair, retest, st);
		if (st == MESH_OK)
			mesh_set_detail(pair, "ok on retest (first %s%s%.120s)",
					mesh_status_str(first), was[0] ? ": " : "", was);
		else if (st == MESH_SLOW)
			mesh_set_detail(pair, "%.120s (on retest; ok in its round)",
					why[0] ? why : "slow");
		else
			mesh_set_detail(pair, "%s on retest (ok in its round)", mesh_status_str(st));
		return;
	}
	mesh_set_detail(pair, "%.150s%sconfirmed on retest (%s)", was, was[0] ? "; " : "",
			mesh_status_str(st));
}
