// SPDX-License-Identifier: MIT
/* The circle method: rank m - 1 stays put, the others turn one place per round. */
#include "mesh/schedule.h"

#include <stdint.h>
#include <stdlib.h>

/* Participants: n, or n + 1 with a bye when n is odd. */
static int slots(int n)
{
	return n % 2 ? n + 1 : n;
}

int mesh_rounds(int n, int k)
{
	int all = n < 2 ? 0 : slots(n) - 1;

	return k > 0 && k < all ? k : all;
}

/* Rounds round q spread evenly over the schedule: round floor(j R / q) for j < min(q, R). */
static int spread_round(int n, int q, int j)
{
	int all = mesh_rounds(n, 0), k = mesh_rounds(n, q);

	if (j < 0 || j >= k)
		return -1;
	return (int)((long long)j * all / k);
}

/* The spread round at or below r: j = ceil(r k / R); r is one when it maps back. */
static int is_spread_round(int n, int q, int r)
{
	int all = mesh_rounds(n, 0), k = mesh_rounds(n, q), j;

	if (r < 0 || r >= all || k <= 0)
		return 0;
	j = (int)(((long long)r * k + all - 1) / all);
	return j < k && spread_round(n, q, j) == r;
}

int mesh_quick_rounds(int n)
{
	return mesh_rounds(n, MESH_QUICK_ROUNDS);
}

/*
 * Round floor(j * R / Q) of the R: in round r a rank on the circle meets the one at 2r less
 * its own place, so rounds R / Q apart give partners 2R / Q apart, spread over the whole
 * allocation rather than its neighbours. Where R <= Q, every round.
 */
int mesh_quick_round(int n, int j)
{
	return spread_round(n, MESH_QUICK_ROUNDS, j);
}

int mesh_is_quick_round(int n, int r)
{
	return is_spread_round(n, MESH_QUICK_ROUNDS, r);
}

int mesh_sched_rounds(int n, int sched)
{
	return mesh_rounds(n, sched < 0 ? -sched : sched);
}

int mesh_sched_round(int n, int sched, int r)
{
	if (sched < 0)
		return spread_round(n, -sched, r);
	return r >= 0 && r < mesh_sched_rounds(n, sched) ? r : -1;
}

int mesh_sched_runs(int n, int sched, int r)
{
	if (sched < 0)
		return is_spread_round(n, -sched, r);
	return r >= 0 && r < mesh_sched_rounds(n, sched);
}

/* Pair i of round r, by slot; pair 0 is the fixed slot against slot r. */
static void pair_of(int m, int r, int i, int *x, int *y)
{
	if (i == 0) {
		*x = m - 1;
		*y = r;
		return;
	}
	*x = (r + i) % (m - 1);
	*y = (r - i + m - 1) % (m - 1);
}

/*
 * In round r slot x meets the slot at 2r - x (mod m - 1), and slot r, where that is itself,
 * meets the fixed slot m - 1 (see pair_of): O(1), so --quick's partners are cheap to find.
 */
int mesh_partner(int n, int r, int rank)
{
	int m = slots(n), y;

	if (n < 2 || r < 0 || r >= m - 1 || rank < 0 || rank >= n)
		return -1;
	if (rank == m - 1)
		y = r;
	else if (rank == r)
		y = m - 1;
	else
		y = ((2 * r - rank) % (m - 1) + (m - 1)) % (m - 1);
	return y < n ? y : -1;
}

int mesh_round_pairs(int n, int r, struct mesh_pair *out)
{
	int m = slots(n), i, x, y, k = 0;

	if (n < 2 || r < 0 || r >= m - 1)
		return 0;
	for (i = 0; i < m / 2; i++) {
		pair_of(m, r, i, &x, &y);
		if (x >= n || y >= n)
			continue; /* the bye */
		out[k].a = x < y ? x : y;
		out[k].b = x < y ? y : x;
		k++;
	}
	return k;
}

/*
 * First fit, with a bit per rank and round: a pair takes the first round where neither rank
 * is busy. O(pairs x rounds / 64) at worst, where a scan of the pairs placed before made it
 * quadratic in the suspects (tens of thousands at 4,096 nodes with 1 % of links bad).
 */
int mesh_pack_rounds(const struct mesh_pair *pairs, int n, int max_rounds, int *round)
{
	int ranks = 0, words, i, used = 0;
	uint64_t *busy;

	for (i = 0; i < n; i++)
		if (pairs[i].a + 1 > ranks || pairs[i].b + 1 > ranks)
			ranks = (pairs[i].a > pairs[i].b ? pairs[i].a : pairs[i].b) + 1;
	if (max_rounds < 0)
		max_rounds = 0;
	words = (max_rounds + 63) / 64;
	busy = calloc((size_t)ranks * (size_t)words + 1, sizeof(*busy));
	if (!busy)
		return -1;
	for (i = 0; i < n; i++) {
		const uint64_t *ba = busy + (size_t)pairs[i].a * (size_t)words;
		const uint64_t *bb = busy + (size_t)pairs[i].b * (size_t)words;
		int w, r = -1;

		round[i] = -1;
		if (pairs[i].a < 0 || pairs[i].b < 0 || pairs[i].a == pairs[i].b)
			continue;
		for (w = 0; w < words && r < 0; w++) {
			uint64_t free_bits = ~(ba[w] | bb[w]);

			if (free_bits)
				r = w * 64 + __builtin_ctzll(free_bits);
		}
		if (r < 0 || r >= max_rounds)
			continue;
		busy[(size_t)pairs[i].a * (size_t)words + (size_t)(r / 64)] |= 1ull << (r % 64);
		busy[(size_t)pairs[i].b * (size_t)words + (size_t)(r / 64)] |= 1ull << (r % 64);
		round[i] = r;
		if (r + 1 > used)
			used = r + 1;
	}
	free(busy);
	return used;
}
