/* SPDX-License-Identifier: MIT */
/*
 * The judgement: what each rank saw of a pair merged into the pair's status and figures, then
 * the allocation judged against itself (median and spread over its pairs, and the pair's
 * round-mates, plus optional absolute floors), and the bad pairs localised: a node bad with
 * most partners or slow against all of them, a NIC slow against the same NIC of the other
 * nodes, a link bad on its own and again on retest. Pure: figures in, verdict out.
 */
#ifndef EFADIAG_MESH_JUDGE_H
#define EFADIAG_MESH_JUDGE_H

#include <stdbool.h>
#include <stddef.h>

#define MESH_MAX_LANES 32

/* A pair's status: "ok", "slow", or the sg-check verdict word for what crossed. */
enum mesh_status {
	MESH_OK,
	MESH_SLOW,
	MESH_BLOCKED,	   /* nothing crossed either way */
	MESH_ONE_WAY,	   /* pings arrived, no answer came back */
	MESH_SIZE_LIMITED, /* small messages crossed, the bandwidth phase's large ones did not */
	MESH_LOSSY,	   /* some round trips completed, not all */
	MESH_CONTROL_UNREACHABLE, /* a rank did not report (stopped, hung, dead) */
	MESH_ERROR,
};

const char *mesh_status_str(enum mesh_status s);

/* What one rank saw of one pair, as it reports it to rank 0. */
struct mesh_side {
	int round, peer;
	bool pinger;	    /* this side pinged and timed the round trips */
	bool ran;	    /* false: skipped (partner absent, slot missed) */
	/*
	 * This rank could not keep its slot's time: it reached the slot or a phase of it late
	 * (starved of CPU, stopped). What the pair shows then is no measure of the network.
	 */
	bool missed;
	long lat_done;	    /* pinger: round trips completed; echo: messages received */
	long lat_total;	    /* round trips asked for */
	double lat_avg_usec; /* pinger: one-way average */
	double lat_p50_usec; /* pinger: one-way median, what the judgement uses */
	int nlanes;
	double rx_gbps[MESH_MAX_LANES]; /* data into this side, per NIC pair */
	char err[160];
};

/*
 * A pair, merged from both sides. Small on purpose: rank 0 holds one per pair, 8.4 million
 * of them at 4,096 nodes. Figures are floats (a few digits are all a verdict needs); the NIC
 * pairs' figures live in storage the caller gives (mesh_results_new), and the detail is
 * allocated only for a pair that has one to tell.
 */
struct mesh_result {
	int a, b, round;
	enum mesh_status status;
	float lat_avg_usec;	/* < 0: none */
	float lat_p50_usec;	/* < 0: none */
	float ab_gbps, ba_gbps;	/* a -> b and b -> a, every NIC pair together */
	float bw_gbps;		/* the slower direction */
	/*
	 * Measured again (mesh_apply_retest): its status stands, and its round-mates are still
	 * judged against what it did in their round (round_bw_gbps), not in the retest.
	 */
	float round_bw_gbps;
	bool retested;
	bool confirmed; /* bad in its round and bad again on retest: what names a link */
	bool missed;	/* a rank missed its slot's time: not measured, no evidence of a fault */
	unsigned char nlanes, lane_cap;
	float *lane_gbps; /* nlanes figures (room for lane_cap): per NIC pair, the slower way */
	char *detail;	  /* NULL (nothing to say), or MESH_DETAIL_MAX bytes of malloc'd text */
};

#define MESH_DETAIL_MAX 200

/*
 * n pairs, zeroed, each with room for lanes NIC pairs' figures, in one allocation: free with
 * mesh_results_free. NULL when out of memory.
 */
struct mesh_result *mesh_results_new(size_t n, int lanes);
void mesh_results_free(struct mesh_result *p, size_t n);
/* The pair's detail, "" when it has none. */
const char *mesh_detail(const struct mesh_result *p);
/* Sets the pair's detail (allocating it the first time); out of memory leaves it as it was. */
void mesh_set_detail(struct mesh_result *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Merges a's and b's sides (either may be NULL: that rank did not report) into out, which
 * keeps its lane storage and detail buffer (out must be zeroed or from mesh_results_new).
 */
void mesh_merge(int a, int b, int round, const struct mesh_side *sa, const struct mesh_side *sb,
		struct mesh_result *out);

struct mesh_limits {
	double min_gbps;     /* 0: none */
	double max_lat_usec; /* 0: none */
	double lat_factor;   /* latency above this many medians is slow; 0: not judged relatively */
	/*
	 * The judgement after the retest: a bad pair is a bad link only when its retest confirmed
	 * it, and a suspect node or NIC whose retest pairs passed is cleared.
	 */
	bool after_retest;
};

struct mesh_bad_node {
	int rank;
	char reason[256];
};

struct mesh_bad_link {
	int a, b;
	char reason[256];
};

struct mesh_bad_nic {
	int rank, lane;
	char reason[256];
};

struct mesh_verdict {
	double median_gbps, mad_gbps, median_lat_usec, mad_lat_usec;
	double ref_gbps, ref_mad_gbps; /* the healthy level: the upper half's median and MAD */
	double floor_gbps, min_gbps;   /* slow whatever the round: BW_FLOOR of it, --min-gbps */
	double slow_below_gbps, slow_above_usec; /* the thresholds applied (0: none) */
	/*
	 * The spread of the healthy pairs' bandwidth as a fraction (the robust standard deviation
	 * of its logarithm), and how many of those a pair, a node's or a NIC's median must fall
	 * below the level to be slow: each from the number of figures judged, so that a whole
	 * run of healthy figures raises a false alarm less than once in MESH_FALSE_ALARM_RUNS
	 * (a pair: a few suspects a run, which the retest clears).
	 */
	double spread, pair_sigmas, node_sigmas, nic_sigmas;
	double pair_drop; /* a pair below this share of its level is slow */
	/* Rounds whose pairs were slow together (load on the hosts), judged against themselves. */
	int loaded_rounds;
	/*
	 * Whether latency was judged against the allocation: not when its pairs spread as
	 * widely as their median (MAD above half of it: an oversubscribed or shared host),
	 * where an outlier means nothing; --max-lat-us still applies.
	 */
	bool lat_relative;
	/*
	 * Most of the allocation bad at once: not a fault of some nodes but a run that could not
	 * measure (ranks starved, every slot missed); why says what was seen. No culprit named.
	 */
	bool unmeasurable;
	char why[256];
	/*
	 * Pairs not measured because a rank missed its slot's time (mesh_result.missed): no
	 * evidence against anyone, and no pass either; with no culprit, the run could not measure.
	 */
	size_t nmissed;
	struct mesh_bad_node *nodes;
	size_t nnodes;
	struct mesh_bad_link *links;
	size_t nlinks, links_cap;
	struct mesh_bad_nic *nics;
	size_t nnics;
	size_t nbad_pairs;
	bool pass;
};

/* A run of healthy figures raises a false alarm (pair, node or NIC) less than once in this. */
#define MESH_FALSE_ALARM_RUNS 1000

/*
 * Judges the pairs of n ranks (reported[r]: rank r sent its results): marks slow pairs, and
 * fills v (free it with mesh_verdict_free). 0, or -1 when out of memory. Time and memory
 * grow with the pairs (a few index arrays), not with their square.
 */
int mesh_judge(int n, const bool *reported, struct mesh_result *pairs, size_t npairs,
	       const struct mesh_limits *lim, struct mesh_verdict *v);
void mesh_verdict_free(struct mesh_verdict *v);

/*
 * A suspect pair measured again (retest, merged like any pair): one that is ok now (against
 * the thresholds of v, and round_level, the level of its retest round; < 0: none) was a
 * passing disturbance and becomes ok; one still bad is confirmed. The pair keeps its lane
 * storage and detail buffer; retest is left as it was. Judge again afterwards.
 */
void mesh_apply_retest(struct mesh_result *pair, const struct mesh_result *retest,
		       const struct mesh_verdict *v, double round_level);
/*
 * The level of each round (indexed by round): the median of the upper half of its measured
 * pairs, -1 where a pair had no measured round-mate. malloc'd, NULL when out of memory.
 */
double *mesh_round_level(const struct mesh_result *pairs, size_t npairs);

/* The median of n values (reordered in place), and the median absolute deviation from it. */
double mesh_median(double *x, size_t n);
double mesh_mad(const double *x, size_t n, double median);
/* z such that a standard normal variable exceeds it with probability q (0 < q < 1). */
double mesh_normal_quantile(double q);
/*
 * How many standard deviations a figure must fall below its level to be called slow when
 * count figures are judged, so that a healthy run crosses it once in MESH_FALSE_ALARM_RUNS.
 */
double mesh_sigmas_for(size_t count);

#endif
