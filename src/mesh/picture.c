// SPDX-License-Identifier: MIT
/* The pair matrix as SVG and as an HTML page: see picture.h. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "mesh/picture.h"

/* Bandwidth bins, as shares of the healthy level (MESH_CELL_L0 .. L4; below: L5). */
static const double bins[] = { 0.95, 0.85, 0.70, 0.50, 0.25 };

static const struct {
	const char *colour, *label;
} cells[MESH_CELL_COUNT] = {
	[MESH_CELL_L0] = { "#1a9850", NULL },
	[MESH_CELL_L1] = { "#91cf60", NULL },
	[MESH_CELL_L2] = { "#d9ef8b", NULL },
	[MESH_CELL_L3] = { "#fee08b", NULL },
	[MESH_CELL_L4] = { "#fc8d59", NULL },
	[MESH_CELL_L5] = { "#b2182b", NULL },
	[MESH_CELL_LAT] = { "#2166ac", "slow by latency (bandwidth fine)" },
	[MESH_CELL_FAILED] = { "#000000", "blocked, one way, size limited, lossy" },
	[MESH_CELL_ERROR] = { "#8c510a", "error, or a rank did not report" },
	[MESH_CELL_MISSED] = { "#bdbdbd", "not measured (a rank missed its slot)" },
	[MESH_CELL_NONE] = { "#ffffff", "not scheduled (--pairs K)" },
	[MESH_CELL_SELF] = { "#f0f0f0", "self" },
};

/* Layout, in pixels. */
#define MATRIX_PX 960.0	 /* the matrix's side, cells shrinking to fit ... */
#define CELL_MAX_PX 28.0 /* ... up to this size, ... */
#define CELL_MIN_PX 1.0	 /* ... down to this: 1,024 nodes are 1,024 px */
#define FONT_PX 11
#define LABEL_PITCH_PX 13.0 /* labels at least this far apart: every k-th rank */
#define LABEL_CHARS 32	    /* a longer name is cut */
#define CHAR_PX 6.7	    /* a character's width, estimated (sans-serif at FONT_PX) */
#define STRIP_PX 8	    /* the bad node strip beside the labels */
#define LEGEND_PX 330
#define TOOLTIPS_UP_TO 64 /* a <title> per pair up to this many ranks */
#define WORST_PAIRS 50	  /* the HTML page's table */

enum mesh_cell mesh_picture_cell(const struct mesh_result *p, const struct mesh_verdict *v)
{
	double ref = v ? v->ref_gbps : 0, ratio;
	size_t i;

	if (p->missed)
		return MESH_CELL_MISSED;
	switch (p->status) {
	case MESH_OK:
	case MESH_SLOW:
		break;
	case MESH_ERROR:
	case MESH_CONTROL_UNREACHABLE:
		return MESH_CELL_ERROR;
	default:
		return MESH_CELL_FAILED;
	}
	if (p->status == MESH_SLOW && v && v->slow_below_gbps > 0 && p->bw_gbps >= v->slow_below_gbps)
		return MESH_CELL_LAT;
	if (ref <= 0)
		return p->status == MESH_OK ? MESH_CELL_L0 : MESH_CELL_L5;
	ratio = p->bw_gbps / ref;
	for (i = 0; i < sizeof(bins) / sizeof(bins[0]); i++)
		if (ratio >= bins[i])
			return (enum mesh_cell)i;
	return MESH_CELL_L5;
}

const char *mesh_picture_colour(enum mesh_cell c)
{
	return c < MESH_CELL_COUNT ? cells[c].colour : "#ffffff";
}

/* --- text ------------------------------------------------------------------------------------ */

/* The length of the UTF-8 sequence at s (1 to 4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/*
	 * Well-formed sequences only (the Unicode standard's table 3-7), and no character XML
	 * forbids: overlong forms, surrogates (U+D800..DFFF), code points above U+10FFFF, and
	 * U+FFFE/U+FFFF make an XML parser reject the whole file.
	 */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xef && s[1] == 0xbf && (s[2] & 0xfe) == 0xbe) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

void mesh_picture_escape(FILE *f, const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t chars = 0;

	while (*u) {
		size_t n = utf8_len(u);

		if (max && chars == max) {
			fputs("...", f);
			return;
		}
		chars++;
		if (n > 1) {
			fwrite(u, 1, n, f);
			u += n;
			continue;
		}
		switch (*u) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			/* XML 1.0 allows tab, newline and carriage return of the controls. */
			fputc(!n || (*u < 0x20 && *u != '\t' && *u != '\n') || *u == 0x7f ? '?' : *u,
			      f);
		}
		u++;
	}
}

static const char *name_of(const struct mesh_picture *p, int rank, char *buf, size_t len)
{
	const char *s = p->names && rank >= 0 && rank < p->n ? p->names[rank] : NULL;

	if (s && *s)
		return s;
	snprintf(buf, len, "rank %d", rank);
	return buf;
}

struct ordered {
	const char *name;
	int rank;
};

static int by_name(const void *x, const void *y)
{
	const struct ordered *a = x, *b = y;
	int c = name_cmp(a->name, b->name);

	return c ? c : (a->rank > b->rank) - (a->rank < b->rank);
}

int mesh_picture_order(const struct mesh_picture *p, int *order)
{
	struct ordered *o = malloc(((size_t)p->n + 1) * sizeof(*o));
	int r;

	if (!o)
		return -1;
	for (r = 0; r < p->n; r++) {
		o[r].name = p->names && p->names[r] ? p->names[r] : "";
		o[r].rank = r;
	}
	qsort(o, (size_t)p->n, sizeof(*o), by_name);
	for (r = 0; r < p->n; r++)
		order[r] = o[r].rank;
	free(o);
	return 0;
}

void mesh_picture_title(const struct mesh_picture *p, char *buf, size_t len)
{
	const struct mesh_verdict *v = p->v;
	size_t bad = v ? v->nbad_pairs : 0;

	if (!v)
		snprintf(buf, len, "efadiag mesh: %d ranks, no verdict", p->n);
	else if (v->unmeasurable)
		snprintf(buf, len, "efadiag mesh: ERROR: could not measure: %s", v->why);
	else if (v->pass)
		snprintf(buf, len, "efadiag mesh: OK: %zu pair%s of %d ranks; median %.3f Gbit/s, "
			 "median p50 %.2f us", p->npairs, p->npairs == 1 ? "" : "s", p->n,
			 v->median_gbps, v->median_lat_usec);
	else
		snprintf(buf, len, "efadiag mesh: FAIL: %s: %zu bad node%s, %zu bad NIC%s, %zu bad "
			 "link%s (%zu of %zu pairs not ok)", v->nnodes ? "bad_nodes" : v->nnics ?
			 "bad_nics" : v->nlinks ? "bad_links" : "pairs", v->nnodes,
			 v->nnodes == 1 ? "" : "s", v->nnics, v->nnics == 1 ? "" : "s", v->nlinks,
			 v->nlinks == 1 ? "" : "s", bad, p->npairs);
}

/* --- the matrix ------------------------------------------------------------------------------ */

struct layout {
	int n, step;	    /* ranks; a label every step-th row */
	double cell;	    /* a cell's side, px */
	double left, top;   /* the matrix's corner */
	double width, height;
	int *order, *pos;   /* row -> rank, rank -> row */
	unsigned char *cls; /* n * n cells, row-major in picture order */
	size_t count[MESH_CELL_COUNT];
	enum mesh_cell bg;  /* the commonest: the background */
	bool *bad;	    /* per row: a bad node's or NIC's (labelled whatever the step) */
};

static void layout_free(struct layout *l)
{
	free(l->order);
	free(l->pos);
	free(l->cls);
	free(l->bad);
}

static int layout_new(const struct mesh_picture *p, struct layout *l)
{
	const struct mesh_verdict *v = p->v;
	size_t n = p->n > 0 ? (size_t)p->n : 0, i, maxlen = 4;
	int r, k;

	memset(l, 0, sizeof(*l));
	l->n = (int)n;
	l->order = malloc((n + 1) * sizeof(int));
	l->pos = malloc((n + 1) * sizeof(int));
	l->cls = malloc(n * n + 1);
	l->bad = calloc(n + 1, sizeof(bool));
	if (!l->order || !l->pos || !l->cls || !l->bad || mesh_picture_order(p, l->order)) {
		layout_free(l);
		return -1;
	}
	for (r = 0; r < l->n; r++)
		l->pos[l->order[r]] = r;
	memset(l->cls, MESH_CELL_NONE, n * n);
	for (i = 0; i < n; i++)
		l->cls[i * n + i] = MESH_CELL_SELF;
	for (i = 0; i < p->npairs; i++) {
		const struct mesh_result *q = &p->pairs[i];
		unsigned char c;
		size_t a, b;

		if (q->a < 0 || q->b < 0 || q->a >= l->n || q->b >= l->n || q->a == q->b)
			continue;
		c = (unsigned char)mesh_picture_cell(q, v);
		a = (size_t)l->pos[q->a];
		b = (size_t)l->pos[q->b];
		l->cls[a * n + b] = l->cls[b * n + a] = c;
	}
	for (i = 0; i < n * n; i++)
		l->count[l->cls[i]]++;
	l->bg = MESH_CELL_NONE;
	for (k = 0; k < MESH_CELL_COUNT; k++)
		if (l->count[k] > l->count[l->bg])
			l->bg = (enum mesh_cell)k;
	for (i = 0; v && i < v->nnodes; i++)
		if (v->nodes[i].rank >= 0 && v->nodes[i].rank < l->n)
			l->bad[l->pos[v->nodes[i].rank]] = true;
	for (i = 0; v && i < v->nnics; i++)
		if (v->nics[i].rank >= 0 && v->nics[i].rank < l->n)
			l->bad[l->pos[v->nics[i].rank]] = true;
	for (r = 0; r < l->n; r++) {
		char buf[32];
		size_t len = strlen(name_of(p, r, buf, sizeof(buf)));

		if (len > maxlen)
			maxlen = len;
	}
	if (maxlen > LABEL_CHARS)
		maxlen = LABEL_CHARS + 3;
	l->cell = n ? MATRIX_PX / (double)n : CELL_MAX_PX;
	l->cell = l->cell > CELL_MAX_PX ? CELL_MAX_PX : l->cell < CELL_MIN_PX ? CELL_MIN_PX : l->cell;
	l->step = (int)ceil(LABEL_PITCH_PX / l->cell);
	/* On whole pixels, so that a cell of a whole size is drawn sharp. */
	l->left = ceil(10 + (double)maxlen * CHAR_PX + 6 + STRIP_PX + 4);
	l->top = ceil(56 + (double)maxlen * CHAR_PX + 6 + STRIP_PX + 4);
	l->width = l->left + l->cell * (double)n + 24 + LEGEND_PX;
	l->height = l->top + l->cell * (double)n + 20;
	if (l->height < l->top + 480)
		l->height = l->top + 480;
	return 0;
}

/* The cells of colour c, a run of a row at a time: one path. */
static void draw_runs(FILE *f, const struct layout *l, enum mesh_cell c)
{
	size_t n = (size_t)l->n, runs = 0;
	int i, j;

	fprintf(f, "<path class=\"cell-%d\" fill=\"%s\" d=\"", (int)c, cells[c].colour);
	for (i = 0; i < l->n; i++) {
		const unsigned char *row = &l->cls[(size_t)i * n];

		for (j = 0; j < l->n;) {
			int k = j;

			if (row[j] != c) {
				j++;
				continue;
			}
			while (k < l->n && row[k] == c)
				k++;
			fprintf(f, "M%d %dh%dv1h-%dz", j, i, k - j, k - j);
			if (++runs % 32 == 0)
				fputc('\n', f);
			j = k;
		}
	}
	fputs("\"/>\n", f);
}

static void pair_tip(FILE *f, const struct mesh_picture *p, const struct mesh_result *q)
{
	char ba[32], bb[32];

	fputs("<title>", f);
	mesh_picture_escape(f, name_of(p, q->a, ba, sizeof(ba)), 0);
	fputs(" - ", f);
	mesh_picture_escape(f, name_of(p, q->b, bb, sizeof(bb)), 0);
	fprintf(f, " (ranks %d-%d): %s, %.3f Gbit/s", q->a, q->b, mesh_status_str(q->status),
		q->bw_gbps);
	if (q->lat_avg_usec >= 0)
		fprintf(f, ", %.2f us", q->lat_avg_usec);
	if (*mesh_detail(q)) {
		fputs("; ", f);
		mesh_picture_escape(f, mesh_detail(q), 0);
	}
	fputs("</title>", f);
}

static void draw_tooltips(FILE *f, const struct mesh_picture *p, const struct layout *l)
{
	size_t i;

	if (l->n > TOOLTIPS_UP_TO)
		return;
	fputs("<g class=\"tips\" fill=\"#000000\" fill-opacity=\"0\">\n", f);
	for (i = 0; i < p->npairs; i++) {
		const struct mesh_result *q = &p->pairs[i];
		int a, b;

		if (q->a < 0 || q->b < 0 || q->a >= l->n || q->b >= l->n || q->a == q->b)
			continue;
		a = l->pos[q->a];
		b = l->pos[q->b];
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"1\" height=\"1\">", b, a);
		pair_tip(f, p, q);
		fprintf(f, "</rect><rect x=\"%d\" y=\"%d\" width=\"1\" height=\"1\">", a, b);
		pair_tip(f, p, q);
		fputs("</rect>\n", f);
	}
	fputs("</g>\n", f);
}

static void draw_labels(FILE *f, const struct mesh_picture *p, const struct layout *l)
{
	bool *busy = calloc((size_t)l->n + 1, sizeof(bool));
	int i, k;

	/* A bad row is always labelled; the regular labels near it give way. */
	for (i = 0; busy && i < l->n; i++)
		if (l->bad[i])
			for (k = i - l->step + 1; k < i + l->step; k++)
				if (k >= 0 && k < l->n)
					busy[k] = true;
	fprintf(f, "<g class=\"labels\" font-family=\"sans-serif\" font-size=\"%d\">\n", FONT_PX);
	for (i = 0; i < l->n; i++) {
		double mid = (i + 0.5) * l->cell;
		int rank = l->order[i];
		char buf[32];

		if (!l->bad[i] && (i % l->step || (busy && busy[i])))
			continue;
		fprintf(f, "<text class=\"row%s\" data-rank=\"%d\" x=\"%.1f\" y=\"%.2f\" "
			"text-anchor=\"end\" dominant-baseline=\"central\"%s>", l->bad[i] ? " bad" : "",
			rank, l->left - STRIP_PX - 6, l->top + mid,
			l->bad[i] ? " fill=\"" MESH_PICTURE_BAD_NODE "\" font-weight=\"bold\"" : "");
		mesh_picture_escape(f, name_of(p, rank, buf, sizeof(buf)), LABEL_CHARS);
		fprintf(f, "</text>\n<text class=\"col%s\" data-rank=\"%d\" transform=\"translate(%.2f "
			"%.1f) rotate(-90)\" dominant-baseline=\"central\"%s>", l->bad[i] ? " bad" : "",
			rank, l->left + mid, l->top - STRIP_PX - 6,
			l->bad[i] ? " fill=\"" MESH_PICTURE_BAD_NODE "\" font-weight=\"bold\"" : "");
		mesh_picture_escape(f, name_of(p, rank, buf, sizeof(buf)), LABEL_CHARS);
		fputs("</text>\n", f);
	}
	fputs("</g>\n", f);
	free(busy);
}

/* A bad node's or NIC's strips beside its row and column, and its row and column outlined. */
static void mark_row(FILE *f, const struct mesh_picture *p, const struct layout *l, int rank,
		     const char *kind, const char *colour, const char *why)
{
	double at = l->pos[rank] * l->cell, side = l->cell * l->n;
	double thick = l->cell < 3 ? 3 : l->cell, off = (thick - l->cell) / 2;
	char buf[32];

	fprintf(f, "<g class=\"%s\" data-rank=\"%d\" shape-rendering=\"crispEdges\" "
		"data-host=\"", kind, rank);
	mesh_picture_escape(f, name_of(p, rank, buf, sizeof(buf)), 0);
	fputs("\"><title>", f);
	mesh_picture_escape(f, name_of(p, rank, buf, sizeof(buf)), 0);
	fprintf(f, " (rank %d): ", rank);
	mesh_picture_escape(f, why, 0);
	fprintf(f, "</title>\n<rect class=\"strip\" x=\"%.2f\" y=\"%.2f\" width=\"%d\" "
		"height=\"%.2f\" fill=\"%s\"/>", l->left - STRIP_PX - 2, l->top + at - off, STRIP_PX,
		thick, colour);
	fprintf(f, "<rect class=\"strip\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%d\" "
		"fill=\"%s\"/>\n", l->left + at - off, l->top - STRIP_PX - 2, thick, STRIP_PX, colour);
	fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
		"stroke=\"%s\" stroke-width=\"1.5\"/>", l->left, l->top + at - off, side, thick,
		colour);
	fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
		"stroke=\"%s\" stroke-width=\"1.5\"/></g>\n", l->left + at - off, l->top, thick, side,
		colour);
}

static void mark_bad(FILE *f, const struct mesh_picture *p, const struct layout *l)
{
	const struct mesh_verdict *v = p->v;
	double box = l->cell < 7 ? 7 : l->cell, off = (box - l->cell) / 2;
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->nnics; i++) {
		char why[400];

		if (v->nics[i].rank < 0 || v->nics[i].rank >= l->n)
			continue;
		snprintf(why, sizeof(why), "NIC %s: %s",
			 p->nic_names && p->nic_names[i] ? p->nic_names[i] : "?", v->nics[i].reason);
		mark_row(f, p, l, v->nics[i].rank, "bad-nic", MESH_PICTURE_BAD_NIC, why);
	}
	for (i = 0; i < v->nnodes; i++)
		if (v->nodes[i].rank >= 0 && v->nodes[i].rank < l->n)
			mark_row(f, p, l, v->nodes[i].rank, "bad-node", MESH_PICTURE_BAD_NODE,
				 v->nodes[i].reason);
	for (i = 0; i < v->nlinks; i++) {
		const struct mesh_bad_link *k = &v->links[i];
		char ba[32], bb[32];
		int a, b;

		if (k->a < 0 || k->b < 0 || k->a >= l->n || k->b >= l->n)
			continue;
		a = l->pos[k->a];
		b = l->pos[k->b];
		fprintf(f, "<g class=\"bad-link\" data-a=\"%d\" data-b=\"%d\"><title>", k->a, k->b);
		mesh_picture_escape(f, name_of(p, k->a, ba, sizeof(ba)), 0);
		fputs(" - ", f);
		mesh_picture_escape(f, name_of(p, k->b, bb, sizeof(bb)), 0);
		fputs(": ", f);
		mesh_picture_escape(f, k->reason, 0);
		fputs("</title>", f);
		fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
			"stroke=\"%s\" stroke-width=\"2\"/>", l->left + b * l->cell - off,
			l->top + a * l->cell - off, box, box, MESH_PICTURE_BAD_LINK);
		fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
			"stroke=\"%s\" stroke-width=\"2\"/></g>\n", l->left + a * l->cell - off,
			l->top + b * l->cell - off, box, box, MESH_PICTURE_BAD_LINK);
	}
}

static void legend_entry(FILE *f, double x, double *y, const char *colour, const char *stroke,
			 const char *fmt, ...) PRINTF_LIKE(6, 7);

static void legend_entry(FILE *f, double x, double *y, const char *colour, const char *stroke,
			 const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" fill=\"%s\" "
		"stroke=\"%s\" stroke-width=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">", x, *y, colour,
		stroke ? stroke : "#999999", stroke ? "2" : "0.5", x + 20, *y + 11);
	mesh_picture_escape(f, text, 0);
	fputs("</text>\n", f);
	*y += 19;
}

static void draw_legend(FILE *f, const struct mesh_picture *p, const struct layout *l)
{
	const struct mesh_verdict *v = p->v;
	double x = l->left + l->cell * l->n + 24, y = l->top, ref = v ? v->ref_gbps : 0;
	int c;

	fprintf(f, "<g class=\"legend\" font-family=\"sans-serif\" font-size=\"12\">\n"
		"<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">", x, y + 10);
	fputs("Bandwidth, the slower direction, of the</text>\n", f);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">", x, y + 26);
	if (ref > 0)
		fprintf(f, "healthy level %.3f Gbit/s: pairs", ref);
	else
		fputs("healthy level: none measured", f);
	fputs("</text>\n", f);
	y += 38;
	for (c = MESH_CELL_L0; c <= MESH_CELL_L5; c++) {
		double hi = c == MESH_CELL_L0 ? 0 : bins[c - 1], lo = c == MESH_CELL_L5 ? 0 : bins[c];

		if (c == MESH_CELL_L0)
			legend_entry(f, x, &y, cells[c].colour, NULL, ">= %.0f %% (>= %.3g Gbit/s): %zu",
				     lo * 100, lo * ref, l->count[c] / 2);
		else if (c == MESH_CELL_L5)
			legend_entry(f, x, &y, cells[c].colour, NULL, "< %.0f %% (< %.3g Gbit/s): %zu",
				     hi * 100, hi * ref, l->count[c] / 2);
		else
			legend_entry(f, x, &y, cells[c].colour, NULL, "%.0f-%.0f %% (%.3g-%.3g Gbit/s): "
				     "%zu", lo * 100, hi * 100, lo * ref, hi * ref, l->count[c] / 2);
	}
	for (c = MESH_CELL_LAT; c < MESH_CELL_SELF; c++)
		legend_entry(f, x, &y, cells[c].colour, NULL, "%s: %zu", cells[c].label,
			     l->count[c] / 2);
	y += 8;
	legend_entry(f, x, &y, MESH_PICTURE_BAD_NODE, NULL, "bad node (row and column): %zu",
		     v ? v->nnodes : 0);
	legend_entry(f, x, &y, MESH_PICTURE_BAD_NIC, NULL, "bad NIC (its node's row and column): %zu",
		     v ? v->nnics : 0);
	legend_entry(f, x, &y, "none", MESH_PICTURE_BAD_LINK, "bad link: %zu", v ? v->nlinks : 0);
	y += 8;
	if (v && v->slow_below_gbps > 0)
		legend_entry(f, x, &y, "none", "#ffffff", "slow below %.3f Gbit/s", v->slow_below_gbps);
	if (v && v->slow_above_usec > 0)
		legend_entry(f, x, &y, "none", "#ffffff", "slow above %.2f us one-way",
			     v->slow_above_usec);
	if (l->step > 1)
		legend_entry(f, x, &y, "none", "#ffffff", "labels: every %d%s rank by name, and the "
			     "bad", l->step, l->step == 2 ? "nd" : l->step == 3 ? "rd" : "th");
	fputs("</g>\n", f);
}

static int render_svg(FILE *f, const struct mesh_picture *p, bool standalone)
{
	struct layout l;
	char title[512];
	int c;

	if (layout_new(p, &l))
		return -1;
	mesh_picture_title(p, title, sizeof(title));
	/* Wide enough for the title (bold, 16 px) and the subtitle line (12 px) too. */
	if (l.width < 20 + 9.5 * (double)strlen(title))
		l.width = 20 + 9.5 * (double)strlen(title);
	if (l.width < 20 + 6.8 * (double)(strlen(p->subtitle ? p->subtitle : "") + 80))
		l.width = 20 + 6.8 * (double)(strlen(p->subtitle ? p->subtitle : "") + 80);
	if (standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"efadiag-mesh\" "
		"width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" data-ranks=\"%d\" "
		"data-cell=\"%.3f\" data-left=\"%.2f\" data-top=\"%.2f\">\n",
		ceil(l.width), ceil(l.height), ceil(l.width), ceil(l.height), l.n, l.cell, l.left,
		l.top);
	fputs("<title>", f);
	mesh_picture_escape(f, title, 0);
	fprintf(f, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
		"<text class=\"title\" x=\"10\" y=\"22\" font-family=\"sans-serif\" font-size=\"16\" "
		"font-weight=\"bold\" fill=\"%s\">", p->v && p->v->pass ? "#000000" : "#b2182b");
	mesh_picture_escape(f, title, 0);
	fputs("</text>\n<text class=\"subtitle\" x=\"10\" y=\"42\" font-family=\"sans-serif\" "
	      "font-size=\"12\">", f);
	if (p->subtitle)
		mesh_picture_escape(f, p->subtitle, 0);
	fprintf(f, "%sranks ordered by node name; cell: the pair's bandwidth against the healthy "
		"level</text>\n", p->subtitle ? "; " : "");
	/* The cells: one user unit each, scaled; the commonest colour is the background. */
	fprintf(f, "<g class=\"matrix\" transform=\"translate(%.2f %.2f) scale(%.4f)\" "
		"shape-rendering=\"crispEdges\">\n<rect class=\"background cell-%d\" width=\"%d\" "
		"height=\"%d\" fill=\"%s\"/>\n", l.left, l.top, l.cell, (int)l.bg, l.n, l.n,
		cells[l.bg].colour);
	for (c = 0; c < MESH_CELL_COUNT; c++)
		if (c != (int)l.bg && l.count[c])
			draw_runs(f, &l, (enum mesh_cell)c);
	draw_tooltips(f, p, &l);
	fputs("</g>\n", f);
	fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
		"stroke=\"#666666\" stroke-width=\"1\"/>\n", l.left - 0.5, l.top - 0.5,
		l.cell * l.n + 1, l.cell * l.n + 1);
	draw_labels(f, p, &l);
	mark_bad(f, p, &l);
	draw_legend(f, p, &l);
	fputs("</svg>\n", f);
	layout_free(&l);
	return ferror(f) ? -1 : 0;
}

int mesh_picture_svg(FILE *f, const struct mesh_picture *p)
{
	return render_svg(f, p, true);
}

/* --- the page -------------------------------------------------------------------------------- */

static int worse(const void *x, const void *y)
{
	const struct mesh_result *a = *(const struct mesh_result *const *)x;
	const struct mesh_result *b = *(const struct mesh_result *const *)y;

	if ((a->status != MESH_OK) != (b->status != MESH_OK))
		return a->status != MESH_OK ? -1 : 1;
	if (a->bw_gbps != b->bw_gbps)
		return a->bw_gbps < b->bw_gbps ? -1 : 1;
	return a->a != b->a ? (a->a > b->a) - (a->a < b->a) : (a->b > b->b) - (a->b < b->b);
}

static void cell_text(FILE *f, const char *s)
{
	fputs("<td>", f);
	mesh_picture_escape(f, s, 0);
	fputs("</td>", f);
}

static void host_cells(FILE *f, const struct mesh_picture *p, int rank)
{
	char buf[32];

	fprintf(f, "<td>%d</td>", rank);
	cell_text(f, name_of(p, rank, buf, sizeof(buf)));
}

static void table_head(FILE *f, const char *title, const char *cols, size_t rows)
{
	fprintf(f, "<h2>%s</h2>\n", title);
	if (!rows)
		fputs("<p class=\"none\">(none)</p>\n", f);
	else
		fprintf(f, "<table>\n<tr>%s</tr>\n", cols);
}

static void html_bad(FILE *f, const struct mesh_picture *p)
{
	const struct mesh_verdict *v = p->v;
	size_t i;

	if (!v)
		return;
	table_head(f, "Bad nodes", "<th>rank</th><th>host</th><th>reason</th>", v->nnodes);
	for (i = 0; i < v->nnodes; i++) {
		fputs("<tr class=\"bad-node\">", f);
		host_cells(f, p, v->nodes[i].rank);
		cell_text(f, v->nodes[i].reason);
		fputs("</tr>\n", f);
	}
	if (v->nnodes)
		fputs("</table>\n", f);
	table_head(f, "Bad NICs", "<th>rank</th><th>host</th><th>domain</th><th>reason</th>",
		   v->nnics);
	for (i = 0; i < v->nnics; i++) {
		fputs("<tr class=\"bad-nic\">", f);
		host_cells(f, p, v->nics[i].rank);
		cell_text(f, p->nic_names && p->nic_names[i] ? p->nic_names[i] : "?");
		cell_text(f, v->nics[i].reason);
		fputs("</tr>\n", f);
	}
	if (v->nnics)
		fputs("</table>\n", f);
	table_head(f, "Bad links", "<th>a</th><th>host a</th><th>b</th><th>host b</th>"
		   "<th>reason</th>", v->nlinks);
	for (i = 0; i < v->nlinks; i++) {
		fputs("<tr class=\"bad-link\">", f);
		host_cells(f, p, v->links[i].a);
		host_cells(f, p, v->links[i].b);
		cell_text(f, v->links[i].reason);
		fputs("</tr>\n", f);
	}
	if (v->nlinks)
		fputs("</table>\n", f);
}

static int html_worst(FILE *f, const struct mesh_picture *p)
{
	const struct mesh_result **w = malloc((p->npairs + 1) * sizeof(*w));
	double ref = p->v ? p->v->ref_gbps : 0;
	size_t i, n = p->npairs < WORST_PAIRS ? p->npairs : WORST_PAIRS;

	if (!w)
		return -1;
	for (i = 0; i < p->npairs; i++)
		w[i] = &p->pairs[i];
	qsort(w, p->npairs, sizeof(*w), worse);
	fprintf(f, "<h2>Worst pairs</h2>\n<p>The %zu worst of %zu pairs: not ok first, then the "
		"lowest bandwidth.</p>\n", n, p->npairs);
	if (n)
		fputs("<table>\n<tr><th>a</th><th>host a</th><th>b</th><th>host b</th>"
		      "<th>status</th><th>Gbit/s</th><th>of healthy</th><th>latency (us)</th>"
		      "<th>detail</th></tr>\n", f);
	for (i = 0; i < n; i++) {
		const struct mesh_result *q = w[i];
		enum mesh_cell c = mesh_picture_cell(q, p->v);

		fprintf(f, "<tr class=\"pair %s\">", mesh_status_str(q->status));
		host_cells(f, p, q->a);
		host_cells(f, p, q->b);
		fprintf(f, "<td><span class=\"sw\" style=\"background:%s\"></span>%s</td>"
			"<td class=\"num\">%.3f</td>", cells[c].colour, mesh_status_str(q->status),
			q->bw_gbps);
		if (ref > 0)
			fprintf(f, "<td class=\"num\">%.0f %%</td>", 100.0 * q->bw_gbps / ref);
		else
			fputs("<td></td>", f);
		if (q->lat_avg_usec >= 0)
			fprintf(f, "<td class=\"num\">%.2f</td>", q->lat_avg_usec);
		else
			fputs("<td></td>", f);
		cell_text(f, mesh_detail(q));
		fputs("</tr>\n", f);
	}
	if (n)
		fputs("</table>\n", f);
	free(w);
	return 0;
}

int mesh_picture_html(FILE *f, const struct mesh_picture *p)
{
	char title[512];

	mesh_picture_title(p, title, sizeof(title));
	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\"/>\n<title>", f);
	mesh_picture_escape(f, title, 0);
	fputs("</title>\n<style>\nbody { font-family: sans-serif; margin: 12px; }\n"
	      "h1 { font-size: 18px; margin: 0 0 4px 0; }\nh2 { font-size: 15px; margin: 18px 0 6px 0; }\n"
	      "table { border-collapse: collapse; font-size: 13px; }\n"
	      "td, th { border: 1px solid #cccccc; padding: 2px 6px; text-align: left; }\n"
	      "td.num { text-align: right; }\n"
	      ".sw { display: inline-block; width: 10px; height: 10px; margin-right: 4px; "
	      "border: 1px solid #999999; }\n"
	      ".matrix { overflow: auto; }\n</style>\n</head>\n<body>\n<h1>", f);
	mesh_picture_escape(f, title, 0);
	fputs("</h1>\n<p>", f);
	if (p->subtitle) {
		mesh_picture_escape(f, p->subtitle, 0);
		fputs(". ", f);
	}
	fputs("Each cell is a pair, ranks ordered by node name; hover a cell (small meshes), a "
	      "marked row or a marked link for its figures.</p>\n<div class=\"matrix\">\n", f);
	if (render_svg(f, p, false))
		return -1;
	fputs("</div>\n", f);
	html_bad(f, p);
	if (html_worst(f, p))
		return -1;
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}
