// SPDX-License-Identifier: MIT
/* The circle method: rank m - 1 stays put, the others turn one place per round. */
#include "mesh/schedule.h"

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

/* Whether rank is already in a pair of round r among the first i pairs. */
static int busy(const struct mesh_pair *pairs, const int *round, int i, int r, int rank)
{
	int k;

	for (k = 0; k < i; k++)
		if (round[k] == r && (pairs[k].a == rank || pairs[k].b == rank))
			return 1;
	return 0;
}

int mesh_pack_rounds(const struct mesh_pair *pairs, int n, int max_rounds, int *round)
{
	int i, r, used = 0;

	for (i = 0; i < n; i++) {
		round[i] = -1;
		for (r = 0; r < max_rounds && round[i] < 0; r++)
			if (!busy(pairs, round, i, r, pairs[i].a) &&
			    !busy(pairs, round, i, r, pairs[i].b))
				round[i] = r;
		if (round[i] + 1 > used)
			used = round[i] + 1;
	}
	return used;
}
