/* SPDX-License-Identifier: MIT */
/*
 * The judgement: what each rank saw of a pair merged into the pair's status and figures, then
 * the allocation judged against itself (median and MAD over its pairs, and the pair's
 * round-mates, plus optional absolute floors), and the bad pairs localised: a node bad with most partners, a NIC slow against
 * every partner, a link bad on its own. Pure: figures in, verdict out.
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
	long lat_done;	    /* pinger: round trips completed; echo: messages received */
	long lat_total;	    /* round trips asked for */
	double lat_avg_usec; /* pinger: one-way average */
	double lat_p50_usec; /* pinger: one-way median, what the judgement uses */
	int nlanes;
	double rx_gbps[MESH_MAX_LANES]; /* data into this side, per NIC pair */
	char err[160];
};

/* A pair, merged from both sides. */
struct mesh_result {
	int a, b, round;
	enum mesh_status status;
	double lat_avg_usec;		/* < 0: none */
	double lat_p50_usec;		/* < 0: none */
	double ab_gbps, ba_gbps;	/* a -> b and b -> a, every NIC pair together */
	double bw_gbps;			/* the slower direction */
	int nlanes;
	double lane_gbps[MESH_MAX_LANES]; /* per NIC pair, the slower direction */
	char detail[200];
	/*
	 * Measured again (mesh_apply_retest): its status stands, and its round-mates are still
	 * judged against what it did in their round (round_bw_gbps), not in the retest.
	 */
	bool retested;
	double round_bw_gbps;
};

/* Merges a's and b's sides (either may be NULL: that rank did not report). */
void mesh_merge(int a, int b, int round, const struct mesh_side *sa, const struct mesh_side *sb,
		struct mesh_result *out);

struct mesh_limits {
	double min_gbps;     /* 0: none */
	double max_lat_usec; /* 0: none */
	double lat_factor;   /* latency above this many medians is slow; 0: not judged relatively */
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
	 * Whether latency was judged against the allocation: not when its pairs spread as
	 * widely as their median (MAD above half of it: an oversubscribed or shared host),
	 * where an outlier means nothing; --max-lat-us still applies.
	 */
	bool lat_relative;
	struct mesh_bad_node *nodes;
	size_t nnodes;
	struct mesh_bad_link *links;
	size_t nlinks;
	struct mesh_bad_nic *nics;
	size_t nnics;
	size_t nbad_pairs;
	bool pass;
};

/*
 * Judges the pairs of n ranks (reported[r]: rank r sent its results): marks slow pairs, and
 * fills v (free it with mesh_verdict_free). 0, or -1 when out of memory.
 */
int mesh_judge(int n, const bool *reported, struct mesh_result *pairs, size_t npairs,
	       const struct mesh_limits *lim, struct mesh_verdict *v);
void mesh_verdict_free(struct mesh_verdict *v);

/*
 * A suspect pair measured again (retest, merged like any pair): one that is ok now (against
 * the thresholds of v) was a passing disturbance and becomes ok; one still bad is confirmed.
 * Judge again afterwards.
 */
void mesh_apply_retest(struct mesh_result *pair, const struct mesh_result *retest,
		       const struct mesh_verdict *v, double round_best);
/*
 * The best bandwidth of each round's measured pairs (indexed by round; -1 where a pair had no
 * measured round-mate): malloc'd, NULL when out of memory.
 */
double *mesh_round_best(const struct mesh_result *pairs, size_t npairs);

/* The median of n values (sorted in place), and the median absolute deviation from it. */
double mesh_median(double *x, size_t n);
double mesh_mad(const double *x, size_t n, double median);

#endif
