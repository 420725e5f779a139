// SPDX-License-Identifier: MIT
/* Which pairs the retest measures again, in how many rounds, and what their figures change. */
#include "mesh/retest.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int add(struct mesh_retest_set *t, const struct mesh_result *pairs, size_t i,
	       unsigned char *chosen)
{
	if (chosen[i])
		return 0;
	chosen[i] = 1;
	t->pairs[t->npairs] = (struct mesh_pair){ pairs[i].a, pairs[i].b };
	t->index[t->npairs++] = i;
	return 1;
}

/*
 * A suspect rank's partners for the retest: up to MESH_RETEST_PARTNERS of its pairs whose
 * other rank reported and is no suspect, starting at a place that depends on the rank, so
 * that the suspects of one allocation do not all queue for the same partners.
 */
static void pick_partners(int r, const struct mesh_result *pairs, const size_t *start,
			  const uint32_t *idx, const bool *reported, const unsigned char *suspect,
			  unsigned char *chosen, struct mesh_retest_set *t)
{
	size_t deg = start[r + 1] - start[r], k, from, got = 0;

	if (!deg)
		return;
	from = ((size_t)r * 2654435761u) % deg;
	for (k = 0; k < deg && got < MESH_RETEST_PARTNERS; k++) {
		size_t i = idx[start[r] + (from + k) % deg];
		int other = pairs[i].a == r ? pairs[i].b : pairs[i].a;

		if (!reported[other] || suspect[other])
			continue;
		got += (size_t)add(t, pairs, i, chosen);
	}
}

/*
 * Up to MESH_RETEST_CONTROLS pairs that passed per retest round, among the ranks the round
 * leaves idle, tried from a place that moves with the round (a bounded number of tries).
 */
static int add_controls(int n, const struct mesh_result *pairs, size_t npairs,
			unsigned char *chosen, struct mesh_retest_set *t)
{
	int *stamp = malloc(((size_t)n + 1) * sizeof(*stamp)), r;
	size_t suspects = t->npairs, k;

	if (!stamp)
		return -1;
	/* No room needed: every pair is chosen once at most, and the arrays hold them all. */
	for (r = 0; r < n; r++)
		stamp[r] = -1;
	for (r = 0; r < t->nrounds && npairs; r++) {
		size_t from = ((size_t)r * 2654435761u) % npairs, tries, got = 0;

		for (k = 0; k < suspects; k++)
			if (t->round[k] == r)
				stamp[t->pairs[k].a] = stamp[t->pairs[k].b] = r;
		for (tries = 0; tries < 64 * MESH_RETEST_CONTROLS && got < MESH_RETEST_CONTROLS &&
				tries < npairs;
		     tries++) {
			size_t i = (from + tries * 7919) % npairs;
			const struct mesh_result *p = &pairs[i];

			if (p->status != MESH_OK || chosen[i] || stamp[p->a] == r || stamp[p->b] == r)
				continue;
			stamp[p->a] = stamp[p->b] = r;
			chosen[i] = 1;
			t->pairs[t->npairs] = (struct mesh_pair){ p->a, p->b };
			t->round[t->npairs] = r;
			t->control[t->npairs] = true;
			t->index[t->npairs++] = i;
			got++;
		}
	}
	free(stamp);
	return 0;
}

int mesh_retest_select(int n, const bool *reported, const struct mesh_result *pairs,
		       size_t npairs, const struct mesh_verdict *v, int max_rounds,
		       struct mesh_retest_set *t)
{
	unsigned char *suspect = calloc((size_t)n + 1, 1), *chosen = calloc(npairs + 1, 1);
	size_t *start = calloc((size_t)n + 2, sizeof(*start)), i, cap;
	uint32_t *idx = NULL;
	int r, ret = -1;

	t->npairs = 0;
	t->nrounds = 0;
	cap = npairs + 1;
	t->pairs = malloc(cap * sizeof(*t->pairs));
	t->round = malloc(cap * sizeof(*t->round));
	t->index = malloc(cap * sizeof(*t->index));
	t->control = calloc(cap, sizeof(*t->control));
	idx = malloc((2 * npairs + 1) * sizeof(*idx));
	if (!suspect || !chosen || !start || !idx || !t->pairs || !t->round || !t->index ||
	    !t->control || npairs >= UINT32_MAX)
		goto out;
	/* 1: a suspect NIC's rank, 2: a suspect node. */
	for (i = 0; i < v->nnics; i++)
		suspect[v->nics[i].rank] = 1;
	for (i = 0; i < v->nnodes; i++)
		suspect[v->nodes[i].rank] = 2;
	/* The pairs of each suspect rank (the others' are not needed). */
	for (i = 0; i < npairs; i++) {
		start[pairs[i].a + 1] += suspect[pairs[i].a] != 0;
		start[pairs[i].b + 1] += suspect[pairs[i].b] != 0;
	}
	for (r = 0; r < n; r++)
		start[r + 1] += start[r];
	for (i = 0; i < npairs; i++) {
		if (suspect[pairs[i].a])
			idx[start[pairs[i].a]++] = (uint32_t)i;
		if (suspect[pairs[i].b])
			idx[start[pairs[i].b]++] = (uint32_t)i;
	}
	for (r = n; r > 0; r--)
		start[r] = start[r - 1];
	start[0] = 0;
	/* Suspect nodes and NICs first, each against partners that passed. */
	for (r = 0; r < n; r++)
		if (suspect[r] && reported[r])
			pick_partners(r, pairs, start, idx, reported, suspect, chosen, t);
	/* Then every other bad pair itself: a link is named only when its retest confirms it. */
	for (i = 0; i < npairs; i++) {
		const struct mesh_result *p = &pairs[i];

		/* A pair of a suspect node is its node's, retested through its partners. */
		if (p->status == MESH_OK || !reported[p->a] || !reported[p->b] ||
		    suspect[p->a] == 2 || suspect[p->b] == 2)
			continue;
		add(t, pairs, i, chosen);
	}
	if (t->npairs > INT32_MAX)
		goto out;
	t->nrounds = mesh_pack_rounds(t->pairs, (int)t->npairs, max_rounds, t->round);
	if (t->nrounds < 0 || add_controls(n, pairs, npairs, chosen, t))
		goto out;
	ret = 0;
out:
	if (ret)
		mesh_retest_set_free(t);
	free(suspect);
	free(chosen);
	free(start);
	free(idx);
	return ret;
}

void mesh_retest_set_free(struct mesh_retest_set *t)
{
	free(t->pairs);
	free(t->round);
	free(t->index);
	free(t->control);
	t->control = NULL;
	t->pairs = NULL;
	t->round = NULL;
	t->index = NULL;
	t->npairs = 0;
	t->nrounds = 0;
}

int mesh_retest_merge(struct mesh_result *pairs, const struct mesh_retest_set *t,
		      const struct mesh_result *res, const struct mesh_verdict *v)
{
	struct mesh_result *ctl = mesh_results_new(t->npairs, 0);
	struct mesh_verdict vr = *v;
	double *level;
	size_t k, m = 0, suspects = 0;
	int last = -1;

	if (!ctl)
		return -1;
	/*
	 * The retest confirms against a budget over the pairs retested, not the looser line
	 * that made them suspects; never above half the level (BW_DROP in judge.c). The budget
	 * is ten times tighter than the nodes' (a healthy suspect confirmed once in 10,000
	 * runs): a pair's noise has a heavier low tail than the normal one the line assumes
	 * (the slower of two directions), and the simulation's healthy runs at 25 % noise saw
	 * one false link in about 1,000 at the nodes' budget.
	 */
	for (k = 0; k < t->npairs; k++)
		suspects += t->round[k] >= 0 && !(t->control && t->control[k]);
	vr.pair_drop = exp(-fmax(log(2.0), mesh_sigmas_for(10 * suspects) * v->spread));
	/*
	 * Each retest round's level from its controls alone (the suspects are no measure of
	 * it); a round without two measured controls is judged against the allocation's level.
	 */
	for (k = 0; k < t->npairs; k++)
		if (t->control && t->control[k] && t->round[k] >= 0 && res[k].round >= 0) {
			ctl[m] = res[k];
			if (res[k].round > last)
				last = res[k].round;
			ctl[m].lane_gbps = NULL;
			ctl[m].nlanes = ctl[m].lane_cap = 0;
			ctl[m++].detail = NULL;
		}
	level = mesh_round_level(ctl, m);
	mesh_results_free(ctl, 0);
	if (!level)
		return -1;
	for (k = 0; k < t->npairs; k++) {
		int r = res[k].round;
		double l = -1;

		if (t->round[k] < 0 || r < 0 || (t->control && t->control[k]))
			continue;
		if (r <= last)
			l = level[r];
		mesh_apply_retest(&pairs[t->index[k]], &res[k], &vr, l >= 0 ? l : v->ref_gbps);
	}
	free(level);
	return 0;
}

/* --- the suspects' rounds (--quick, --pairs K) ---------------------------------------- */

/*
 * The circle rounds schedule sched did not run, those midway between two of its rounds first
 * (their partners lie farthest from the ones already met), then the rest in order. Returns
 * how many, or -1 when out of memory.
 */
static int fresh_rounds(int n, int sched, int *out)
{
	int all = mesh_rounds(n, 0), q = mesh_sched_rounds(n, sched), k = 0, j, r;
	unsigned char *taken = calloc((size_t)all + 1, 1);

	if (!taken)
		return -1;
	for (j = 0; j < q && all > q; j++) {
		r = (int)((long long)(2 * j + 1) * all / (2 * q));
		if (r < all && !taken[r] && !mesh_sched_runs(n, sched, r)) {
			taken[r] = 1;
			out[k++] = r;
		}
	}
	for (r = 0; r < all && all > q; r++)
		if (!taken[r] && !mesh_sched_runs(n, sched, r)) {
			taken[r] = 1;
			out[k++] = r;
		}
	free(taken);
	return k;
}

static int widen_push(struct mesh_retest_set *t, size_t *cap, int a, int b, bool control)
{
	if (t->npairs == *cap) {
		size_t c = *cap ? 2 * *cap : 256;
		struct mesh_pair *p = realloc(t->pairs, c * sizeof(*p));
		int *r;
		size_t *ix;
		bool *ct;

		if (!p)
			return -1;
		t->pairs = p;
		r = realloc(t->round, c * sizeof(*r));
		if (!r)
			return -1;
		t->round = r;
		ix = realloc(t->index, c * sizeof(*ix));
		if (!ix)
			return -1;
		t->index = ix;
		ct = realloc(t->control, c * sizeof(*ct));
		if (!ct)
			return -1;
		t->control = ct;
		*cap = c;
	}
	t->pairs[t->npairs] = (struct mesh_pair){ a < b ? a : b, a < b ? b : a };
	t->round[t->npairs] = -1;
	t->index[t->npairs] = (size_t)-1;
	t->control[t->npairs++] = control;
	return 0;
}

int mesh_widen_select(int n, int sched, const bool *reported, const struct mesh_result *pairs,
		      size_t npairs, const struct mesh_verdict *v, struct mesh_retest_set *t)
{
	unsigned char *suspect = calloc((size_t)n + 1, 1), *named = calloc((size_t)n + 1, 1);
	int *fresh = malloc(((size_t)n + 1) * sizeof(*fresh)), *list = NULL, *stamp = NULL;
	unsigned char *taken = NULL;
	int *nbad = calloc((size_t)n + 1, sizeof(*nbad));
	int nfresh, nsus = 0, r, k, j;
	unsigned char met[MESH_WIDEN_ALL_PAIRS_MAX][MESH_WIDEN_ALL_PAIRS_MAX];
	size_t i, cap = 0, nsuspect_pairs;
	int ret = -1;

	memset(t, 0, sizeof(*t));
	if (!suspect || !named || !fresh || !nbad)
		goto out;
	nfresh = fresh_rounds(n, sched, fresh);
	if (nfresh < 0)
		goto out;
	if (!nfresh) {
		ret = 0; /* every round ran: nothing left to meet */
		goto out;
	}
	for (i = 0; i < v->nnodes; i++)
		named[v->nodes[i].rank] = suspect[v->nodes[i].rank] = 1;
	for (i = 0; i < v->nnics; i++)
		suspect[v->nics[i].rank] = 1;
	/*
	 * A rank with two bad pairs or more that no named node explains: a bad node, or bad
	 * links that meet at it, which fresh partners tell apart. (One bad pair is a suspect
	 * link: the retest measures it again, and fresh partners would tell nothing more.)
	 */
	for (i = 0; i < npairs; i++) {
		const struct mesh_result *p = &pairs[i];

		if (p->status == MESH_OK || p->missed || named[p->a] || named[p->b])
			continue;
		nbad[p->a]++;
		nbad[p->b]++;
	}
	for (r = 0; r < n; r++)
		if (nbad[r] >= 2)
			suspect[r] = 1;
	list = malloc(((size_t)n + 1) * sizeof(*list));
	stamp = malloc(((size_t)n + 1) * sizeof(*stamp));
	if (!list || !stamp)
		goto out;
	for (r = 0; r < n; r++) {
		if (!reported[r])
			suspect[r] = 0; /* it sent nothing: it runs nothing now either */
		if (suspect[r])
			list[nsus++] = r;
	}
	/* Each suspect against fresh partners that are no suspects. */
	for (k = 0; k < nsus; k++) {
		int got = 0;

		for (j = 0; j < nfresh && got < MESH_WIDEN_PARTNERS; j++) {
			int p = mesh_partner(n, fresh[j], list[k]);

			if (p < 0 || !reported[p] || suspect[p])
				continue;
			if (widen_push(t, &cap, list[k], p, false))
				goto out;
			got++;
		}
	}
	/* Few suspects: every pair of them not met yet. */
	if (nsus >= 2 && nsus <= MESH_WIDEN_ALL_PAIRS_MAX) {
		memset(met, 0, sizeof(met));
		for (r = 0; r < n; r++)
			stamp[r] = -1;
		for (k = 0; k < nsus; k++)
			stamp[list[k]] = k;
		for (i = 0; i < npairs; i++)
			if (stamp[pairs[i].a] >= 0 && stamp[pairs[i].b] >= 0)
				met[stamp[pairs[i].a]][stamp[pairs[i].b]] =
					met[stamp[pairs[i].b]][stamp[pairs[i].a]] = 1;
		for (k = 0; k < nsus; k++)
			for (j = k + 1; j < nsus; j++)
				if (!met[k][j] && widen_push(t, &cap, list[k], list[j], false))
					goto out;
	}
	nsuspect_pairs = t->npairs;
	if (!nsuspect_pairs) {
		ret = 0;
		goto out;
	}
	if (nsuspect_pairs > INT32_MAX)
		goto out;
	t->nrounds = mesh_pack_rounds(t->pairs, (int)nsuspect_pairs, MESH_WIDEN_MAX_ROUNDS,
				      t->round);
	if (t->nrounds < 0)
		goto out;
	/*
	 * Each round's fresh pairs among the ranks it leaves idle, no suspect among them, from a
	 * circle round of its own that quick did not run (so each pair is new). With more rounds
	 * than fresh circle rounds, a circle round serves again: taken (a row of n per circle
	 * round) keeps a pair it gave from being given twice.
	 */
	taken = calloc((size_t)(t->nrounds < nfresh ? t->nrounds : nfresh) * (size_t)n + 1, 1);
	if (!taken)
		goto out;
	for (r = 0; r < n; r++)
		stamp[r] = -1;
	for (r = 0; r < t->nrounds; r++) {
		int c = fresh[nfresh - 1 - r % nfresh], want = 0, got = 0, x;
		unsigned char *given = taken + (size_t)(r % nfresh) * (size_t)n;

		for (i = 0; i < nsuspect_pairs; i++)
			if (t->round[i] == r) {
				stamp[t->pairs[i].a] = stamp[t->pairs[i].b] = r;
				want++;
			}
		if (want < MESH_WIDEN_CONTROLS)
			want = MESH_WIDEN_CONTROLS;
		for (k = 0; k < n && got < want; k++) {
			int p;

			x = (int)(((size_t)r * 2654435761u + (size_t)k) % (size_t)n);
			p = mesh_partner(n, c, x);
			if (p < 0 || suspect[x] || suspect[p] || !reported[x] || !reported[p] ||
			    stamp[x] == r || stamp[p] == r || given[x])
				continue;
			if (widen_push(t, &cap, x, p, true))
				goto out;
			stamp[x] = stamp[p] = r;
			given[x] = given[p] = 1;
			t->round[t->npairs - 1] = r;
			got++;
		}
	}
	ret = 0;
out:
	if (ret)
		mesh_retest_set_free(t);
	free(suspect);
	free(named);
	free(nbad);
	free(fresh);
	free(taken);
	free(list);
	free(stamp);
	return ret;
}
