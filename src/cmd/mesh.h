/* SPDX-License-Identifier: MIT */
/* efadiag mesh: the state of one rank's run, shared by the command and its report. */
#ifndef EFADIAG_CMD_MESH_H
#define EFADIAG_CMD_MESH_H

#include "ctl/pmix.h"
#include "efadiag.h"
#include "mesh/judge.h"
#include "mesh/pair.h"
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
	struct mesh_result *pairs;
	size_t npairs;
	struct mesh_verdict verdict;
};

/* Rank 0's report: nodes, pairs, bad nodes, NICs and links, remedy, estimate. Exit code. */
int mesh_report(struct mesh_run *m);

#endif
