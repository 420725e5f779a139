/* SPDX-License-Identifier: MIT */
/*
 * The picture of a mesh: the pair matrix as SVG (mesh --svg), and a self-contained HTML page
 * with the same image and tables of what is bad and the worst pairs (mesh --html). Ranks are
 * ordered by node name (name_cmp), each cell coloured by its pair's bandwidth against the
 * verdict's healthy level, failed, unreported, unmeasured and unscheduled pairs in colours of
 * their own; bad nodes' and NICs' rows and columns and bad links marked. Pure: results and
 * verdict in, text out to a FILE *.
 *
 * Size: cells of a row with the same colour are drawn as one run, one <path> per colour, over
 * a background of the commonest colour. Measured at 1,024 nodes (tests/unit-picture): 58 kB
 * with 4 % noise, 0.47 MB with 10 %; the worst case, every neighbouring cell a different
 * colour, one run per cell (about 10 bytes each: 10 MB).
 */
#ifndef EFADIAG_MESH_PICTURE_H
#define EFADIAG_MESH_PICTURE_H

#include <stdio.h>

#include "mesh/judge.h"

struct mesh_picture {
	int n;				/* ranks */
	const char *const *names;	/* node name of each rank (NULL or "": "rank R") */
	const struct mesh_result *pairs; /* measured pairs (a, b ranks below n) */
	size_t npairs;
	const struct mesh_verdict *v;
	const char *const *nic_names; /* the domain of each of v->nics, or NULL */
	const char *subtitle;	      /* a line under the title (provider, rounds), or NULL */
};

/* Colours of cells, in legend order. */
enum mesh_cell {
	MESH_CELL_L0, /* bandwidth at >= 95 % of the healthy level */
	MESH_CELL_L1, /* >= 85 % */
	MESH_CELL_L2, /* >= 70 % */
	MESH_CELL_L3, /* >= 50 % */
	MESH_CELL_L4, /* >= 25 % */
	MESH_CELL_L5, /* below 25 % */
	MESH_CELL_LAT,	   /* slow by its latency, bandwidth fine */
	MESH_CELL_FAILED,  /* blocked, one_way, size_limited, lossy */
	MESH_CELL_ERROR,   /* error, control_unreachable */
	MESH_CELL_MISSED,  /* not measured: a rank missed its slot */
	MESH_CELL_NONE,	   /* not scheduled (--pairs K) */
	MESH_CELL_SELF,	   /* the diagonal */
	MESH_CELL_COUNT,
};

/* The colour class of a pair under verdict v. */
enum mesh_cell mesh_picture_cell(const struct mesh_result *p, const struct mesh_verdict *v);
/* Its fill colour, "#rrggbb". */
const char *mesh_picture_colour(enum mesh_cell c);
/* The colour that marks a bad node's row and column (the strips beside the labels). */
#define MESH_PICTURE_BAD_NODE "#e41a1c"
#define MESH_PICTURE_BAD_NIC "#ff7f00"
#define MESH_PICTURE_BAD_LINK "#ff00ff"

/*
 * The ranks in picture order (by node name, natural order, then rank): order[i] is the rank
 * drawn in row and column i. 0, or -1 when out of memory.
 */
int mesh_picture_order(const struct mesh_picture *p, int *order);
/* The title line: the verdict as mesh's closing line says it (docs/vocabulary.md). */
void mesh_picture_title(const struct mesh_picture *p, char *buf, size_t len);

/* The SVG document; 0, or -1 when out of memory or f could not be written. */
int mesh_picture_svg(FILE *f, const struct mesh_picture *p);
/* The HTML page (well-formed XML too); 0 or -1. */
int mesh_picture_html(FILE *f, const struct mesh_picture *p);
/*
 * s as XML character data or attribute value: & < > " ' escaped, control characters and
 * bytes that are not UTF-8 as '?'; at most max characters (0: all), "..." after a cut.
 */
void mesh_picture_escape(FILE *f, const char *s, size_t max);

#endif
