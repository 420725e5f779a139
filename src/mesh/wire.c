// SPDX-License-Identifier: MIT
/* The text forms of a rank's card and of its results, one record per line. */
#include "mesh/wire.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A growing string; on failure s is freed and NULL. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!b->s)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			free(b->s);
			b->s = NULL;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *t = realloc(b->s, b->cap * 2 + (size_t)n);

		if (!t) {
			free(b->s);
			b->s = NULL;
			return;
		}
		b->s = t;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

static struct sbuf sb_new(void)
{
	struct sbuf b = { .s = malloc(1024), .cap = 1024 };

	if (b.s)
		b.s[0] = 0;
	return b;
}

/* Spaces and newlines would split a record: names never have them, messages may. */
static void clean(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

char *mesh_card_encode(const struct mesh_card *c)
{
	struct sbuf b = sb_new();
	char lat[2 * FAB_ADDR_MAX + 1], bw[2 * FAB_ADDR_MAX + 1];
	int i;

	sb_add(&b, "host %s\n", c->host);
	for (i = 0; i < c->nnics; i++) {
		fab_addr_to_hex(c->nics[i].lat_addr, c->nics[i].lat_len, lat, sizeof(lat));
		fab_addr_to_hex(c->nics[i].bw_addr, c->nics[i].bw_len, bw, sizeof(bw));
		sb_add(&b, "nic %s %s %s\n", c->nics[i].domain, lat, bw);
	}
	return b.s;
}

/* The next line of *s into line (truncated to len); false at the end. */
static bool next_line(const char **s, char *line, size_t len)
{
	const char *e;
	size_t n;

	if (!**s)
		return false;
	e = strchr(*s, '\n');
	n = e ? (size_t)(e - *s) : strlen(*s);
	str_copy(line, n + 1 < len ? n + 1 : len, *s);
	*s += n + (e ? 1 : 0);
	return true;
}

int mesh_card_decode(const char *s, struct mesh_card *c)
{
	char line[2048], dom[MESH_DOMAIN_MAX], lat[2 * FAB_ADDR_MAX + 1], bw[2 * FAB_ADDR_MAX + 1];
	bool host = false;

	memset(c, 0, sizeof(*c));
	while (next_line(&s, line, sizeof(line))) {
		struct mesh_nic *n = &c->nics[c->nnics];

		if (!strncmp(line, "host ", 5) && strlen(line + 5) && !host) {
			str_copy(c->host, sizeof(c->host), line + 5);
			host = true;
		} else if (sscanf(line, "nic %127s %512s %512s", dom, lat, bw) == 3 &&
			   c->nnics < MESH_MAX_LANES) {
			str_copy(n->domain, sizeof(n->domain), dom);
			n->lat_len = sizeof(n->lat_addr);
			n->bw_len = sizeof(n->bw_addr);
			if (fab_addr_from_hex(lat, n->lat_addr, &n->lat_len) ||
			    fab_addr_from_hex(bw, n->bw_addr, &n->bw_len))
				return -1;
			c->nnics++;
		} else {
			return -1;
		}
	}
	return host && c->nnics ? 0 : -1;
}

char *mesh_sides_encode(const struct mesh_side *sides, size_t n)
{
	struct sbuf b = sb_new();
	char err[sizeof(sides->err)];
	size_t k;
	int i;

	for (k = 0; k < n; k++) {
		const struct mesh_side *d = &sides[k];

		/* The fourth field: 1 ran, 2 missed its slot's time. */
		sb_add(&b, "side %d %d %d %d %ld %ld %.6g %.6g %d", d->round, d->peer, d->pinger,
		       (int)d->ran | (int)d->missed << 1, d->lat_done, d->lat_total, d->lat_avg_usec, d->lat_p50_usec, d->nlanes);
		for (i = 0; i < d->nlanes; i++)
			sb_add(&b, " %.6g", d->rx_gbps[i]);
		str_copy(err, sizeof(err), d->err);
		clean(err);
		sb_add(&b, " |%s\n", err);
	}
	return b.s;
}

int mesh_sides_decode(const char *s, struct mesh_side *sides, size_t max)
{
	char line[4096];
	size_t n = 0;

	while (next_line(&s, line, sizeof(line))) {
		struct mesh_side *d = &sides[n];
		int pinger, ran, used, i;
		const char *p, *bar;

		if (n >= max)
			return -1;
		memset(d, 0, sizeof(*d));
		if (sscanf(line, "side %d %d %d %d %ld %ld %lg %lg %d%n", &d->round, &d->peer,
			   &pinger, &ran, &d->lat_done, &d->lat_total, &d->lat_avg_usec,
			   &d->lat_p50_usec, &d->nlanes, &used) != 9 ||
		    d->nlanes < 0 || d->nlanes > MESH_MAX_LANES)
			return -1;
		d->pinger = pinger;
		d->ran = ran & 1;
		d->missed = (ran & 2) != 0;
		p = line + used;
		for (i = 0; i < d->nlanes; i++) {
			if (sscanf(p, " %lg%n", &d->rx_gbps[i], &used) != 1)
				return -1;
			p += used;
		}
		bar = strchr(p, '|');
		if (!bar)
			return -1;
		str_copy(d->err, sizeof(d->err), bar + 1);
		n++;
	}
	return (int)n;
}
