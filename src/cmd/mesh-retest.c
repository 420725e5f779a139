// SPDX-License-Identifier: MIT
/*
 * efadiag mesh's retest: the suspect pairs of the first judgement measured again, in rounds
 * of their own after the others, so a passing disturbance is not reported as a bad link.
 * Rank 0 plans and publishes; every rank runs its part; rank 0 applies and judges again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/mesh.h"
#include "mesh/schedule.h"
#include "util.h"
/*
 * Rank 0: the suspects of the first judgement, packed into retest rounds, as text: every bad
 * pair but those of a rank that did not report (it would not come), as many as the rounds
 * hold. A node bad with all its partners is retested too: a rank starved of CPU for a while
 * (another job on the node) looks like one.
 */
char *mesh_retest_plan(struct mesh_run *m, struct mesh_retest *t)
{
	size_t i, len = 64 + 40 * (m->npairs + 1);
	char *s = malloc(len);
	int k, used;

	t->pairs = calloc(m->npairs + 1, sizeof(*t->pairs));
	t->round = calloc(m->npairs + 1, sizeof(*t->round));
	if (!s || !t->pairs || !t->round) {
		free(s);
		return NULL;
	}
	for (i = 0; i < m->npairs; i++) {
		const struct mesh_result *p = &m->pairs[i];

		if (p->status == MESH_OK || !m->reported[p->a] || !m->reported[p->b])
			continue;
		t->pairs[t->npairs++] = (struct mesh_pair){ p->a, p->b };
	}
	t->nrounds = mesh_pack_rounds(t->pairs, t->npairs, MESH_RETEST_ROUNDS, t->round);
	t->start_wall = mesh_wall_sec() + MESH_START_LEAD_SEC;
	used = snprintf(s, len, "retest %.6f %d\n", t->start_wall, t->nrounds);
	for (k = 0; k < t->npairs; k++)
		if (t->round[k] >= 0)
			used += snprintf(s + used, len - (size_t)used, "pair %d %d %d\n", t->pairs[k].a,
					 t->pairs[k].b, t->round[k]);
	return s;
}

/* Another rank: rank 0's plan, checked (ranks and rounds in range). 0, or -1. */
int mesh_retest_parse(const char *s, struct mesh_retest *t, int n)
{
	const char *p = s;
	int a, b, r, used;

	if (sscanf(p, "retest %lf %d\n%n", &t->start_wall, &t->nrounds, &used) != 2 ||
	    t->nrounds < 0 || t->nrounds > MESH_RETEST_ROUNDS)
		return -1;
	t->pairs = calloc((size_t)n + 1, sizeof(*t->pairs));
	t->round = calloc((size_t)n + 1, sizeof(*t->round));
	if (!t->pairs || !t->round)
		return -1;
	p += used;
	while (sscanf(p, "pair %d %d %d\n%n", &a, &b, &r, &used) == 3 && t->npairs < n) {
		if (a < 0 || b < 0 || a >= n || b >= n || a == b || r < 0 || r >= t->nrounds)
			return -1;
		t->pairs[t->npairs] = (struct mesh_pair){ a, b };
		t->round[t->npairs++] = r;
		p += used;
	}
	return 0;
}

/* Every rank: its retest pairs, in the plan's slots; results published like the first. */
int mesh_retest_run(struct mesh_run *m, struct mesh_retest *t, struct mesh_side *out, int *nout)
{
	double t0 = now_sec() + (t->start_wall - mesh_wall_sec());
	int k, me = m->boot.rank;
	char *s;

	*nout = 0;
	for (k = 0; k < t->npairs; k++) {
		struct mesh_slot slot;
		int peer = t->pairs[k].a == me ? t->pairs[k].b : t->pairs[k].b == me ? t->pairs[k].a :
										       -1;

		if (peer < 0 || t->round[k] < 0)
			continue;
		mesh_slot_plan(t0, m->budget, t->round[k], &slot);
		mesh_run_pair(m, m->rounds + t->round[k], peer, &slot, &out[(*nout)++]);
	}
	while (now_sec() < t0 + m->budget * t->nrounds)
		usleep(10000);
	s = mesh_sides_encode(out, (size_t)*nout);
	if (!s || boot_put(&m->boot, MESH_KEY_RETEST_SIDES, s)) {
		free(s);
		return mesh_fail(m, "publishing the retest: %s", m->boot.err);
	}
	free(s);
	return 0;
}

/* Rank 0: the retested pairs merged and applied, and the mesh judged again. */
int mesh_retest_apply(struct mesh_run *m, const struct mesh_retest *t, struct mesh_side *mine,
			int nmine)
{
	struct mesh_limits lim = { .min_gbps = m->ctx->opt.min_gbps,
				   .max_lat_usec = m->ctx->opt.max_lat_usec,
				   .lat_factor = m->ctx->opt.lat_factor };
	int n = m->boot.size, k, r;
	struct mesh_side **sides = calloc((size_t)n, sizeof(*sides));
	int *ns = calloc((size_t)n, sizeof(*ns));
	double deadline = now_sec() + m->budget + 2, *best;
	struct mesh_result *res = calloc((size_t)t->npairs + 1, sizeof(*res));
	size_t i;

	if (!sides || !ns || !res) {
		free(sides);
		free(ns);
		free(res);
		return mesh_fail(m, "out of memory");
	}
	sides[0] = mine;
	ns[0] = nmine;
	for (k = 0; k < t->npairs; k++) {
		int who[2] = { t->pairs[k].a, t->pairs[k].b };
		const struct mesh_side *sa = NULL, *sb = NULL;

		for (r = 0; r < 2; r++) {
			char *s = NULL;
			int w = who[r];

			if (sides[w] || w == 0)
				continue;
			sides[w] = calloc(MESH_RETEST_ROUNDS + 1, sizeof(**sides));
			if (sides[w] && !boot_get(&m->boot, w, MESH_KEY_RETEST_SIDES, deadline - now_sec(),
						  &s))
				ns[w] = mesh_sides_decode(s, sides[w], MESH_RETEST_ROUNDS + 1);
			if (ns[w] < 0)
				ns[w] = 0;
			free(s);
		}
		sa = mesh_find_side(sides[who[0]], ns[who[0]], m->rounds + t->round[k]);
		sb = mesh_find_side(sides[who[1]], ns[who[1]], m->rounds + t->round[k]);
		mesh_merge(who[0], who[1], t->round[k], sa, sb, &res[k]);
	}
	/* Judged like the first rounds: against the allocation and the retest round's mates. */
	best = mesh_round_best(res, (size_t)t->npairs);
	for (k = 0; best && k < t->npairs; k++)
		for (i = 0; i < m->npairs; i++)
			if (m->pairs[i].a == res[k].a && m->pairs[i].b == res[k].b && t->round[k] >= 0)
				mesh_apply_retest(&m->pairs[i], &res[k], &m->verdict,
						  best[t->round[k]]);
	free(best);
	free(res);
	for (r = 1; r < n; r++)
		free(sides[r]);
	free(sides);
	free(ns);
	mesh_verdict_free(&m->verdict);
	if (mesh_judge(m->boot.size, m->reported, m->pairs, m->npairs, &lim, &m->verdict))
		return mesh_fail(m, "out of memory");
	return 0;
}

