// SPDX-License-Identifier: MIT
/* Which pairs the retest measures again, in how many rounds, and what their figures change. */
#include "mesh/retest.h"

#include <stdint.h>
#include <stdlib.h>

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
	idx = malloc((2 * npairs + 1) * sizeof(*idx));
	if (!suspect || !chosen || !start || !idx || !t->pairs || !t->round || !t->index ||
	    npairs >= UINT32_MAX)
		goto out;
	/* 1: a suspect NIC's rank, 2: a suspect node. */
	for (i = 0; i < v->nnics; i++)
		suspect[v->nics[i].rank] = 1;
	for (i = 0; i < v->nnodes; i++)
		suspect[v->nodes[i].rank] = 2;
	/* The pairs of each rank, as in the judgement's index. */
	for (i = 0; i < npairs; i++) {
		start[pairs[i].a + 1]++;
		start[pairs[i].b + 1]++;
	}
	for (r = 0; r < n; r++)
		start[r + 1] += start[r];
	for (i = 0; i < npairs; i++) {
		idx[start[pairs[i].a]++] = (uint32_t)i;
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
	if (t->nrounds < 0)
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
	t->pairs = NULL;
	t->round = NULL;
	t->index = NULL;
	t->npairs = 0;
	t->nrounds = 0;
}

int mesh_retest_merge(struct mesh_result *pairs, const struct mesh_retest_set *t,
		      const struct mesh_result *res, const struct mesh_verdict *v)
{
	/* Judged like the first rounds: against the allocation and the retest round's mates. */
	double *level = mesh_round_level(res, t->npairs);
	size_t k;

	if (!level)
		return -1;
	for (k = 0; k < t->npairs; k++)
		if (t->round[k] >= 0 && res[k].round >= 0)
			mesh_apply_retest(&pairs[t->index[k]], &res[k], v, level[res[k].round]);
	free(level);
	return 0;
}
