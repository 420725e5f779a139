/* SPDX-License-Identifier: MIT */
/*
 * The retest, as rank 0 plans and applies it: which pairs are measured again after the
 * first judgement (every suspect link itself, every suspect node or NIC against partners
 * that passed), packed into as many rounds as they need, and their figures applied. Pure:
 * the command runs the rounds, the simulation (tests/sim-mesh.c) makes them up.
 */
#ifndef EFADIAG_MESH_RETEST_H
#define EFADIAG_MESH_RETEST_H

#include <stdbool.h>
#include <stddef.h>

#include "mesh/judge.h"
#include "mesh/schedule.h"

/* A suspect node or NIC is measured again against this many partners that passed. */
#define MESH_RETEST_PARTNERS 5
/*
 * At most this many retest rounds: the suspects of a sound allocation need a few (a node
 * meets one partner per round); one that needs more is mostly bad, which the judgement
 * calls a run that could not measure. Pairs that do not fit stay unconfirmed.
 */
#define MESH_RETEST_MAX_ROUNDS 128

/*
 * Each retest round also measures up to this many pairs that passed, among the ranks it
 * leaves idle: its controls. The suspects of a round are no measure of its level (with 1 %
 * of links bad, a round's suspects are mostly bad links), the controls are: a retest round
 * slowed as a whole (load) is judged against them.
 */
#define MESH_RETEST_CONTROLS 8

struct mesh_retest_set {
	size_t npairs;
	int nrounds;
	struct mesh_pair *pairs;
	int *round;    /* its retest round, from 0; -1: did not fit */
	size_t *index; /* the judged pair it measures again */
	bool *control; /* a control: its round's level, not applied */
};

/*
 * The suspects of verdict v among the pairs judged, packed into at most max_rounds rounds.
 * 0, or -1 when out of memory. Free with mesh_retest_set_free.
 */
int mesh_retest_select(int n, const bool *reported, const struct mesh_result *pairs,
		       size_t npairs, const struct mesh_verdict *v, int max_rounds,
		       struct mesh_retest_set *t);
void mesh_retest_set_free(struct mesh_retest_set *t);
/*
 * The retest's merged results (res[k] for t->pairs[k], its round the retest round) applied
 * to the pairs judged, each against its retest round's level. 0, or -1 when out of memory.
 * Judge again afterwards, with after_retest set.
 */
int mesh_retest_merge(struct mesh_result *pairs, const struct mesh_retest_set *t,
		      const struct mesh_result *res, const struct mesh_verdict *v);

/*
 * The suspects' rounds, after the first rounds of --quick or --pairs K and before the retest:
 * those few rounds name suspects (a node or NIC judged bad, a rank with two bad pairs or more
 * that no named node explains); each suspect then meets MESH_WIDEN_PARTNERS partners it has
 * not met, none a suspect (fresh, independent evidence: a bad node is bad with them too, a
 * node where two bad links meet is not), and, up to MESH_WIDEN_ALL_PAIRS_MAX suspects, every
 * suspect it has not met. Each round also carries fresh pairs among the ranks it leaves idle,
 * no fewer than its suspects' pairs (at least MESH_WIDEN_CONTROLS): the round's level, and
 * more links covered. All are new pairs, judged with the first rounds' before the retest.
 */
#define MESH_WIDEN_PARTNERS 5
#define MESH_WIDEN_ALL_PAIRS_MAX 8
#define MESH_WIDEN_CONTROLS 8
/* At most this many rounds (a suspect meets one partner a round); what does not fit is left. */
#define MESH_WIDEN_MAX_ROUNDS 32

/*
 * The suspects' rounds for n ranks that ran schedule sched (mesh_sched_rounds; pairs: those
 * rounds, judged into v), into t: pairs, round (-1: did not fit), control (a fresh pair among
 * idle ranks); t->index is not used. Every pair is one the first rounds did not measure. No
 * suspect, or no round of the circle left (all pairs ran): none. 0, or -1 when out of memory.
 */
int mesh_widen_select(int n, int sched, const bool *reported, const struct mesh_result *pairs,
		      size_t npairs, const struct mesh_verdict *v, struct mesh_retest_set *t);

#endif
