/* SPDX-License-Identifier: MIT */
/* efadiag mesh: the state of one rank's run, shared by the command and its report. */
#ifndef EFADIAG_CMD_MESH_H
#define EFADIAG_CMD_MESH_H

#include "ctl/pmix.h"
#include "efadiag.h"
#include "mesh/judge.h"
#include "mesh/pair.h"
#include "mesh/retest.h"
#include "mesh/wire.h"

struct mesh_run {
	struct ctx *ctx;
	struct boot boot;
	struct mesh_fabric fab;
	struct mesh_params params;
	char provider[64];
	char host[MESH_HOST_MAX];
	int rounds;
	double budget; /* seconds per round: the pair budget */
	double t0;     /* round 0 starts (now_sec clock) */
	double rounds_sec; /* measured wall time of the rounds */
	int retest_rounds;
	size_t retest_pairs;
	/*
	 * The schedule (mesh_sched_rounds: all, --pairs K, --quick) and its first rounds; with
	 * fewer than all, the suspects' rounds after them (rounds counts both).
	 */
	bool quick;
	int sched, first_rounds, widen_rounds;
	size_t widen_pairs;
	bool fence_ok;
	char fence_err[256];
	/* Per rank. */
	struct mesh_card *cards;
	bool *have_card;
	/* This rank's view of its pairs. */
	struct mesh_side *sides;
	int nsides;
	/* Rank 0: every rank's report, the pairs merged, the verdict. */
	bool *reported;
	struct mesh_side **all_sides;
	int *nall;
	struct mesh_result *pairs; /* room for pairs_room (mesh_results_new) */
	size_t npairs, pairs_room;
	struct mesh_verdict verdict;
};

/* Rank 0's report: nodes, pairs, bad nodes, NICs and links, remedy, estimate. Exit code. */
int mesh_report(struct mesh_run *m);

/* --- shared by mesh.c and mesh-retest.c --------------------------------------------------- */

#define MESH_KEY_RETEST "efadiag.mesh.retest"
#define MESH_KEY_RETEST_SIDES "efadiag.mesh.retest.sides"
/* A schedule starts this long after rank 0 publishes it. */
#define MESH_START_LEAD_SEC 0.5

/* An error on this rank, reported with its rank and host: returns EXIT_ERROR. */
int mesh_fail(struct mesh_run *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Wall-clock seconds: what ranks on different nodes agree on (the start of a schedule). */
double mesh_wall_sec(void);
/* This rank's side of the pair with peer in a slot; side_round names it in the results. */
void mesh_run_pair(struct mesh_run *m, int side_round, int peer, const struct mesh_slot *slot,
		   struct mesh_side *side);
/* The side of round among a rank's n sides (in round order, as a rank runs them), or NULL. */
const struct mesh_side *mesh_find_side(const struct mesh_side *sides, int n, int round);

/* The retest: suspect pairs measured again, in rounds of their own after the others. */
struct mesh_retest {
	struct mesh_retest_set set; /* pairs and rounds (index on rank 0 only) */
	double start_wall;
};

/* Rank 0: the plan as text (free it), t filled; NULL when out of memory. */
char *mesh_retest_plan(struct mesh_run *m, struct mesh_retest *t);
/* A set's pairs and rounds as plan text (free it), starting soon (*start_wall); NULL: no memory. */
char *mesh_plan_text(const struct mesh_retest_set *set, double *start_wall);
/* Another rank: rank 0's plan, checked (ranks and rounds in range). 0, or -1. */
int mesh_retest_parse(const char *s, struct mesh_retest *t, int n);
/*
 * Every rank: its pairs of a plan in the plan's slots (their sides numbered from m->rounds),
 * results published under key. 0 or an exit code.
 */
int mesh_retest_run(struct mesh_run *m, struct mesh_retest *t, const char *key,
		    struct mesh_side *out, int *nout);
/*
 * Rank 0, --quick: the suspects' rounds (published under key) merged into m->pairs as pairs
 * of rounds m->rounds + r. 0 or an exit code.
 */
int mesh_widen_apply(struct mesh_run *m, const struct mesh_retest *t, const char *key,
		     struct mesh_side *mine, int nmine);
/* Rank 0: the retested pairs merged and applied, and the mesh judged again. 0 or a code. */
int mesh_retest_apply(struct mesh_run *m, const struct mesh_retest *t, struct mesh_side *mine,
		      int nmine);

#endif
