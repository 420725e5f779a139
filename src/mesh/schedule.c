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

int mesh_partner(int n, int r, int rank)
{
	int m = slots(n), i, x, y;

	if (n < 2 || r < 0 || r >= m - 1 || rank < 0 || rank >= n)
		return -1;
	for (i = 0; i < m / 2; i++) {
		pair_of(m, r, i, &x, &y);
		if (x == rank)
			return y < n ? y : -1;
		if (y == rank)
			return x < n ? x : -1;
	}
	return -1;
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
