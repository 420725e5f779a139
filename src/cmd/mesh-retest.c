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
#include "mesh/retest.h"
#include "util.h"

/*
 * Rank 0: the suspects of the first judgement (mesh/retest.c: each suspect link itself, each
 * suspect node or NIC against partners that passed, in as many rounds as they need), as
 * text. A node bad with all its partners is retested too: a rank starved of CPU for a while
 * (another job on the node) looks like one.
 */
char *mesh_plan_text(const struct mesh_retest_set *set, double *start_wall)
{
	size_t k, len = 64 + 40 * (set->npairs + 1), used;
	char *s = malloc(len);

	if (!s)
		return NULL;
	*start_wall = mesh_wall_sec() + MESH_START_LEAD_SEC;
	used = (size_t)snprintf(s, len, "retest %.6f %d\n", *start_wall, set->nrounds);
	for (k = 0; k < set->npairs; k++)
		if (set->round[k] >= 0)
			used += (size_t)snprintf(s + used, len - used, "pair %d %d %d\n",
						 set->pairs[k].a, set->pairs[k].b, set->round[k]);
	return s;
}

char *mesh_retest_plan(struct mesh_run *m, struct mesh_retest *t)
{
	char *s;

	if (mesh_retest_select(m->boot.size, m->reported, m->pairs, m->npairs, &m->verdict,
			       MESH_RETEST_MAX_ROUNDS, &t->set))
		return NULL;
	s = mesh_plan_text(&t->set, &t->start_wall);
	if (!s)
		mesh_retest_set_free(&t->set);
	return s;
}

/* Another rank: rank 0's plan, checked (ranks and rounds in range). 0, or -1. */
int mesh_retest_parse(const char *s, struct mesh_retest *t, int n)
{
	const char *p = s;
	size_t lines = 0;
	int a, b, r, used;

	if (sscanf(p, "retest %lf %d\n%n", &t->start_wall, &t->set.nrounds, &used) != 2 ||
	    t->set.nrounds < 0 || t->set.nrounds > MESH_RETEST_MAX_ROUNDS)
		return -1;
	for (; *p; p++)
		lines += *p == '\n';
	p = s + used;
	t->set.pairs = calloc(lines + 1, sizeof(*t->set.pairs));
	t->set.round = calloc(lines + 1, sizeof(*t->set.round));
	if (!t->set.pairs || !t->set.round)
		return -1;
	while (sscanf(p, "pair %d %d %d\n%n", &a, &b, &r, &used) == 3 && t->set.npairs < lines) {
		if (a < 0 || b < 0 || a >= n || b >= n || a == b || r < 0 || r >= t->set.nrounds)
			return -1;
		t->set.pairs[t->set.npairs] = (struct mesh_pair){ a, b };
		t->set.round[t->set.npairs++] = r;
		p += used;
	}
	return 0;
}

/*
 * Every rank: its retest pairs, in the plan's slots, in round order (the plan lists them by
 * kind, suspects then controls, not by round); results published like the first. out has
 * room for one side per retest round (a rank is in one pair per round).
 */
int mesh_retest_run(struct mesh_run *m, struct mesh_retest *t, const char *key,
		    struct mesh_side *out, int *nout)
{
	double t0 = now_sec() + (t->start_wall - mesh_wall_sec());
	long *mine = malloc(((size_t)t->set.nrounds + 1) * sizeof(*mine));
	int me = m->boot.rank, r;
	size_t k;
	char *s;

	*nout = 0;
	if (!mine)
		return mesh_fail(m, "out of memory");
	for (r = 0; r < t->set.nrounds; r++)
		mine[r] = -1;
	for (k = 0; k < t->set.npairs; k++)
		if ((t->set.pairs[k].a == me || t->set.pairs[k].b == me) && t->set.round[k] >= 0 &&
		    t->set.round[k] < t->set.nrounds)
			mine[t->set.round[k]] = (long)k;
	for (r = 0; r < t->set.nrounds; r++) {
		const struct mesh_pair *pr;
		struct mesh_slot slot;
		int peer;

		if (mine[r] < 0)
			continue;
		pr = &t->set.pairs[mine[r]];
		peer = pr->a == me ? pr->b : pr->a;
		mesh_slot_plan(t0, m->budget, r, &slot);
		mesh_run_pair(m, m->rounds + r, peer, &slot, &out[(*nout)++]);
	}
	free(mine);
	while (now_sec() < t0 + m->budget * t->set.nrounds)
		usleep(10000);
	s = mesh_sides_encode(out, (size_t)*nout);
	if (!s || boot_put(&m->boot, key, s)) {
		free(s);
		return mesh_fail(m, "publishing the results of %s: %s", key, m->boot.err);
	}
	free(s);
	return 0;
}

/*
 * Rank 0: each planned pair's sides, gathered from the ranks (each rank's once, under key,
 * each wait bounded by what is left of one budget) and merged. res[k] for the plan's pair k
 * (its round the plan's; -1: not planned), or, compact, one after another for the planned
 * pairs only, at rounds base + the plan's. Returns the pairs merged, or -1 (out of memory).
 */
static long gather(struct mesh_run *m, const struct mesh_retest_set *set, const char *key,
		   struct mesh_side *mine, int nmine, bool compact, int base,
		   struct mesh_result *res)
{
	int n = m->boot.size, r, room = set->nrounds + 1;
	struct mesh_side **sides = calloc((size_t)n, sizeof(*sides));
	int *ns = calloc((size_t)n, sizeof(*ns));
	double deadline = now_sec() + m->budget + 2;
	long got = -1;
	size_t k, j = 0;

	if (!sides || !ns)
		goto out;
	sides[0] = mine;
	ns[0] = nmine;
	for (k = 0; k < set->npairs; k++) {
		int who[2] = { set->pairs[k].a, set->pairs[k].b };
		const struct mesh_side *sa, *sb;

		if (!compact)
			res[k].round = -1;
		if (set->round[k] < 0)
			continue;
		for (r = 0; r < 2; r++) {
			char *s = NULL;
			int w = who[r];

			if (sides[w] || w == 0)
				continue;
			sides[w] = calloc((size_t)room, sizeof(**sides));
			if (sides[w] && !boot_get(&m->boot, w, key, deadline - now_sec(), &s))
				ns[w] = mesh_sides_decode(s, sides[w], (size_t)room);
			if (ns[w] < 0)
				ns[w] = 0;
			free(s);
		}
		sa = mesh_find_side(sides[who[0]], ns[who[0]], m->rounds + set->round[k]);
		sb = mesh_find_side(sides[who[1]], ns[who[1]], m->rounds + set->round[k]);
		mesh_merge(who[0], who[1], base + set->round[k], sa, sb, &res[compact ? j : k]);
		j++;
	}
	got = (long)j;
out:
	for (r = 1; sides && r < n; r++)
		free(sides[r]);
	free(sides);
	free(ns);
	return got;
}

int mesh_widen_apply(struct mesh_run *m, const struct mesh_retest *t, const char *key,
		     struct mesh_side *mine, int nmine)
{
	long got;

	if (m->npairs + t->set.npairs > m->pairs_room)
		return mesh_fail(m, "the suspects' pairs do not fit (%zu + %zu of %zu)", m->npairs,
				 t->set.npairs, m->pairs_room);
	got = gather(m, &t->set, key, mine, nmine, true, m->rounds, m->pairs + m->npairs);
	if (got < 0)
		return mesh_fail(m, "out of memory");
	m->npairs += (size_t)got;
	m->widen_pairs = (size_t)got;
	return 0;
}

/* Rank 0: the retested pairs merged and applied, and the mesh judged again. */
int mesh_retest_apply(struct mesh_run *m, const struct mesh_retest *t, struct mesh_side *mine,
		      int nmine)
{
	struct mesh_limits lim = { .min_gbps = m->ctx->opt.min_gbps,
				   .max_lat_usec = m->ctx->opt.max_lat_usec,
				   .lat_factor = m->ctx->opt.lat_factor,
				   .after_retest = true };
	struct mesh_result *res = mesh_results_new(t->set.npairs, MESH_MAX_LANES);
	int code = 0;

	if (!res || gather(m, &t->set, MESH_KEY_RETEST_SIDES, mine, nmine, false, 0, res) < 0) {
		code = mesh_fail(m, "out of memory");
		goto out;
	}
	if (mesh_retest_merge(m->pairs, &t->set, res, &m->verdict)) {
		code = mesh_fail(m, "out of memory");
		goto out;
	}
	mesh_verdict_free(&m->verdict);
	if (mesh_judge(m->boot.size, m->reported, m->pairs, m->npairs, &lim, &m->verdict))
		code = mesh_fail(m, "out of memory");
out:
	mesh_results_free(res, t->set.npairs);
	return code;
}
