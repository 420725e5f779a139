// SPDX-License-Identifier: MIT
/* The version string and the order of names: what every layer shares, without main's file. */
#include "config.h"

#include "common.h"

#include <stdlib.h>
#include <string.h>

const char *efadiag_version(void)
{
	return PACKAGE_VERSION;
}

const char *env_node_name(void)
{
	const char *given = getenv("EFADIAG_NODE_NAME"), *slurm = getenv("SLURMD_NODENAME");

	if (given && *given)
		return given;
	return slurm && *slurm ? slurm : NULL;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int name_cmp(const char *a, const char *b)
{
	int zeros = 0; /* the first difference in leading zeros, to break a tie of values */

	while (*a && *b) {
		if (is_digit(*a) && is_digit(*b)) {
			const char *da, *db;
			size_t la, lb;

			/* Leading zeros do not change a value; more of them come first. */
			for (da = a; *da == '0'; da++)
				;
			for (db = b; *db == '0'; db++)
				;
			if (!zeros && da - a != db - b)
				zeros = da - a > db - b ? -1 : 1;
			for (la = 0; is_digit(da[la]); la++)
				;
			for (lb = 0; is_digit(db[lb]); lb++)
				;
			/* The longer run of significant digits is the larger number. */
			if (la != lb)
				return la < lb ? -1 : 1;
			if (la && memcmp(da, db, la))
				return memcmp(da, db, la) < 0 ? -1 : 1;
			a = da + la;
			b = db + lb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	if (*a || *b)
		return *a ? 1 : -1;
	return zeros;
}
