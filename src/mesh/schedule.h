/* SPDX-License-Identifier: MIT */
/*
 * Which ranks meet in which round: the circle method. N ranks (one more, a bye, when N is
 * odd) meet every other rank in N - 1 rounds of N / 2 disjoint pairs, all pairs of a round at
 * once, so the wall time grows as O(N). --pairs K keeps the first K rounds: K partners each.
 */
#ifndef EFADIAG_MESH_SCHEDULE_H
#define EFADIAG_MESH_SCHEDULE_H

/* Two ranks that meet, a < b. */
struct mesh_pair {
	int a, b;
};

/* Rounds for n ranks with k partners each (k <= 0: every other rank). 0 when n < 2. */
int mesh_rounds(int n, int k);

/*
 * --quick: MESH_QUICK_ROUNDS rounds of the circle schedule spread evenly across its N - 1
 * (every rank meets that many partners far apart on the circle), or all of them where the
 * schedule has no more. Six: a node's median is judged from five partners up (judge.c), and
 * one round may be a rank's bye (odd N); a node bad with six of six is outvoted by nobody,
 * a link bad with one of six is outvoted by its nodes' five other partners.
 */
#define MESH_QUICK_ROUNDS 6
/* The rounds --quick runs for n ranks: MESH_QUICK_ROUNDS, or all of them where fewer. */
int mesh_quick_rounds(int n);
/* The circle schedule's round that quick round j (0 .. mesh_quick_rounds(n) - 1) runs. */
int mesh_quick_round(int n, int j);
/* Whether circle round r is one of the quick rounds for n ranks. */
int mesh_is_quick_round(int n, int r);

/*
 * A schedule: every round (0), the first K (K > 0: --pairs K), or -Q: Q rounds spread evenly
 * over the N - 1 (--quick is MESH_SCHED_QUICK; mesh's test hook EFADIAG_TEST_MESH_QUICK_ROUNDS
 * asks for fewer, so that four ranks leave a round for the suspects).
 */
#define MESH_SCHED_QUICK (-MESH_QUICK_ROUNDS)
/* The rounds schedule sched runs first for n ranks. */
int mesh_sched_rounds(int n, int sched);
/* The circle round that round r of schedule sched runs (-1: none). */
int mesh_sched_round(int n, int sched, int r);
/* Whether schedule sched runs circle round r among its first rounds for n ranks. */
int mesh_sched_runs(int n, int sched, int r);
/* The partner of rank in round r, or -1 when rank has the bye (odd n) or r is out of range. */
int mesh_partner(int n, int r, int rank);
/* The pairs of round r into out (room for n / 2); returns how many. Byes are left out. */
int mesh_round_pairs(int n, int r, struct mesh_pair *out);

/*
 * Retest rounds: pairs (suspects) packed greedily into at most max_rounds rounds of disjoint
 * pairs, in order. round[i] gets pair i's round, or -1 when it did not fit. Returns the
 * rounds used, or -1 when out of memory.
 */
int mesh_pack_rounds(const struct mesh_pair *pairs, int n, int max_rounds, int *round);

#endif
