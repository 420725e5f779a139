// SPDX-License-Identifier: MIT
/* Value parsers for the command line: strict, bounded, and saying what was wrong. */
#include "ui/parse.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int parse_long(const char *s, long min, long max, long *out, const char **why)
{
	char *end;
	long v;

	if (!s || !*s) {
		*why = "empty value";
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end) {
		*why = "not a whole number";
		return -1;
	}
	/* strtol clamps an overflow to LONG_MAX or LONG_MIN: too large or too small. */
	if ((errno == ERANGE && v == LONG_MAX) || v > max) {
		*why = max == LONG_MAX ? "too large" : "above the allowed maximum";
		return -1;
	}
	if (errno == ERANGE || v < min) {
		*why = min == 1 ? "must be at least 1" : min == 0 ? "must not be negative" :
								    "below the allowed minimum";
		return -1;
	}
	*out = v;
	return 0;
}

int parse_seconds(const char *s, double min, double max, double *out, const char **why)
{
	char *end;
	double v;

	if (!s || !*s) {
		*why = "empty value";
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	/* "s" is accepted as a unit because people write "5s". */
	if (end != s && *end == 's' && end[1] == '\0')
		end++;
	/* "inf" and "nan" are not durations; an overflow to infinity is just too large. */
	if (end == s || *end || isnan(v) || (isinf(v) && errno != ERANGE)) {
		*why = "not a number of seconds";
		return -1;
	}
	if (v > max) {
		*why = "above the allowed maximum";
		return -1;
	}
	if (v < 0 || (v == 0 && errno != ERANGE)) {
		*why = "must be greater than zero";
		return -1;
	}
	/* An underflow ("1e-400") is positive, only too small. */
	if (v < min || v == 0) {
		*why = "below the allowed minimum";
		return -1;
	}
	*out = v;
	return 0;
}

int parse_size(const char *s, size_t *out, const char **why)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !*s) {
		*why = "empty size";
		return -1;
	}
	if (*s < '0' || *s > '9') {
		*why = "not a size (expected a number with an optional k, M or G suffix)";
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE) {
		*why = "size too large (at most 1G)";
		return -1;
	}
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		*why = "unknown size suffix (use k, M or G)";
		return -1;
	}
	/* "4KiB" and "4KB" are common ways of writing the same thing. */
	if (shift && (!strcmp(end, "iB") || !strcmp(end, "B") || !strcmp(end, "b")))
		end += strlen(end);
	if (*end) {
		*why = "junk after the size";
		return -1;
	}
	if (v > (PARSE_MAX_MSG_SIZE >> shift)) {
		*why = "size too large (at most 1G)";
		return -1;
	}
	v <<= shift;
	if (v == 0) {
		*why = "size must be at least 1 byte";
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

static int is_pow2(size_t v)
{
	return v && !(v & (v - 1));
}

static int add_size(size_t *sizes, size_t max, size_t *n, size_t v, const char **why)
{
	if (*n >= max) {
		*why = "too many sizes";
		return -1;
	}
	sizes[(*n)++] = v;
	return 0;
}

/* "64:1M": every power of two from 64 to 1M. */
static int parse_size_range(const char *s, const char *colon, size_t *sizes, size_t max,
			    size_t *n, const char **why)
{
	char lo_text[32];
	size_t lo, hi, v;
	size_t len = (size_t)(colon - s);

	if (len >= sizeof(lo_text)) {
		*why = "range start too long";
		return -1;
	}
	memcpy(lo_text, s, len);
	lo_text[len] = '\0';
	if (parse_size(lo_text, &lo, why) || parse_size(colon + 1, &hi, why))
		return -1;
	if (!is_pow2(lo) || !is_pow2(hi)) {
		*why = "range ends must be powers of two";
		return -1;
	}
	if (lo > hi) {
		*why = "range start is above its end";
		return -1;
	}
	for (v = lo; v <= hi; v <<= 1)
		if (add_size(sizes, max, n, v, why))
			return -1;
	return 0;
}

int parse_size_list(const char *s, size_t *sizes, size_t max, size_t *n, const char **why)
{
	char item[64];
	const char *p = s, *comma, *colon;
	size_t len, v;

	*n = 0;
	if (!s || !*s) {
		*why = "empty size list";
		return -1;
	}
	if (!strcmp(s, "all"))
		return parse_size_range("1:8M", strchr("1:8M", ':'), sizes, max, n, why);
	for (;;) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0) {
			*why = "empty item in the size list";
			return -1;
		}
		if (len >= sizeof(item)) {
			*why = "size list item too long";
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		colon = strchr(item, ':');
		if (colon) {
			if (parse_size_range(item, colon, sizes, max, n, why))
				return -1;
		} else {
			if (parse_size(item, &v, why) || add_size(sizes, max, n, v, why))
				return -1;
		}
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

int parse_port(const char *s, int *out, const char **why)
{
	long v;

	/* 0 is valid: a server then listens on any free port (clients refuse it). */
	if (parse_long(s, 0, 65535, &v, why)) {
		if (*why && strcmp(*why, "empty value") && strcmp(*why, "not a whole number"))
			*why = "not a TCP port (0 to 65535)";
		return -1;
	}
	*out = (int)v;
	return 0;
}

int parse_listen(const char *s, char *addr, size_t len, int *port, const char **why)
{
	const char *colon, *host = s;
	size_t hostlen = 0;

	if (!s || !*s) {
		*why = "empty value";
		return -1;
	}
	if (s[0] == '[') {
		/* [IPv6]:PORT: the brackets keep the address's colons apart from the port's. */
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':') {
			*why = "an IPv6 address is written [ADDR]:PORT";
			return -1;
		}
		host = s + 1;
		hostlen = (size_t)(close - host);
		colon = close + 1;
		if (!hostlen) {
			*why = "empty address between [ and ]";
			return -1;
		}
	} else {
		colon = strrchr(s, ':');
		if (colon && memchr(s, ':', (size_t)(colon - s))) {
			*why = "an IPv6 address is written [ADDR]:PORT";
			return -1;
		}
		hostlen = colon ? (size_t)(colon - s) : 0;
	}
	if (hostlen >= len) {
		*why = "address too long";
		return -1;
	}
	if (parse_port(colon ? colon + 1 : s, port, why))
		return -1;
	memcpy(addr, host, hostlen);
	addr[hostlen] = '\0';
	return 0;
}

static bool name_listed(char *const *names, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len && !strncmp(names[i], name, len))
			return true;
	return false;
}

int parse_name_list(const char *s, char **names, size_t max, size_t *n, const char **why)
{
	const char *p = s, *comma;
	size_t len;

	if (!s || !*s) {
		*why = "empty list";
		return -1;
	}
	for (;;) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0) {
			*why = "empty name in the list";
			return -1;
		}
		if (*n >= max) {
			*why = "too many names";
			return -1;
		}
		/* Each name is one endpoint (a bw lane): a name given twice would measure one
		 * device as two and hide that the other was never tested. */
		if (name_listed(names, *n, p, len)) {
			*why = "a name is given twice";
			return -1;
		}
		names[*n] = strndup(p, len);
		if (!names[*n]) {
			*why = "out of memory";
			return -1;
		}
		(*n)++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

const char *size_str(size_t bytes, char *buf, size_t len)
{
	static const char units[] = "kMG";
	size_t i;

	for (i = 3; i > 0; i--) {
		size_t unit = (size_t)1 << (10 * i);

		if (bytes >= unit && bytes % unit == 0) {
			snprintf(buf, len, "%zu%c", bytes / unit, units[i - 1]);
			return buf;
		}
	}
	snprintf(buf, len, "%zu", bytes);
	return buf;
}

const char *size_text(size_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB" };
	size_t i;

	for (i = 3; i > 0; i--) {
		size_t unit = (size_t)1 << (10 * i);

		if (bytes >= unit && bytes % unit == 0) {
			snprintf(buf, len, "%zu %s", bytes / unit, units[i - 1]);
			return buf;
		}
	}
	snprintf(buf, len, "%zu B", bytes);
	return buf;
}
