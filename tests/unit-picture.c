// SPDX-License-Identifier: MIT
/*
 * Unit tests of mesh's picture (src/mesh/picture.c): the pair matrix as SVG and the HTML page,
 * rendered from results judged by the real mesh_judge. A small mesh checks order, colours,
 * marks, escaping and the nesting of every tag; 1,024 nodes check that the file stays small.
 *
 *   unit-picture             the tests (TAP)
 *   unit-picture --write DIR also leaves small.svg, small.html, big.svg and big.html in DIR
 *                            (tests/mesh-picture.sh parses them and has Chromium draw one)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mesh/judge.h"
#include "mesh/picture.h"
#include "tap.h"

/* The small mesh: six nodes named out of order, one named to need escaping; node2 is dead. */
#define SMALL_N 6
#define DEAD_RANK 1
static const char *const small_names[SMALL_N] = { "node10", "node2", "a<b&\"c", "node1",
						  "node3", "node20" };

struct mesh {
	int n;
	struct mesh_result *p;
	size_t np, room;
	bool *reported;
	const char **names;
	char **owned; /* names made here */
	struct mesh_verdict v;
};

/* splitmix64, for noise that is the same on every machine. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* n ranks, every pair (or with pairs > 0, each rank with its next pairs ranks) healthy. */
static void mesh_init(struct mesh *m, int n, int pairs, double noise)
{
	uint64_t seed = 42;
	int a, b;

	memset(m, 0, sizeof(*m));
	m->n = n;
	m->room = (size_t)n * (size_t)(n - 1) / 2;
	m->p = mesh_results_new(m->room, 1);
	m->reported = malloc((size_t)n * sizeof(bool));
	if (!m->p || !m->reported)
		abort();
	for (a = 0; a < n; a++)
		m->reported[a] = true;
	for (a = 0; a < n; a++)
		for (b = a + 1; b < n; b++) {
			struct mesh_result *q;
			double u = (double)(rnd(&seed) >> 11) / 9007199254740992.0;

			if (pairs > 0 && b - a > pairs && n - (b - a) > pairs)
				continue;
			q = &m->p[m->np++];
			q->a = a;
			q->b = b;
			q->round = (int)(m->np % (size_t)(n - 1));
			q->status = MESH_OK;
			q->bw_gbps = q->ab_gbps = q->ba_gbps = (float)(100 * (1 - noise * u));
			q->round_bw_gbps = q->bw_gbps;
			q->lat_avg_usec = q->lat_p50_usec = 15;
			q->nlanes = 1;
			q->lane_gbps[0] = q->bw_gbps;
		}
}

static void mesh_names(struct mesh *m, const char *const *names)
{
	int r;

	m->names = calloc((size_t)m->n, sizeof(char *));
	m->owned = calloc((size_t)m->n, sizeof(char *));
	if (!m->names || !m->owned)
		abort();
	for (r = 0; r < m->n; r++) {
		if (names) {
			m->names[r] = names[r];
			continue;
		}
		/* Ranks placed out of name order: rank r on node (r * 37) % n. */
		m->owned[r] = malloc(32);
		if (!m->owned[r])
			abort();
		snprintf(m->owned[r], 32, "ip-10-0-%d-%d", (r * 37 % m->n) / 256,
			 (r * 37 % m->n) % 256);
		m->names[r] = m->owned[r];
	}
}

static void kill_rank(struct mesh *m, int rank)
{
	size_t k;

	for (k = 0; k < m->np; k++)
		if (m->p[k].a == rank || m->p[k].b == rank) {
			m->p[k].status = MESH_BLOCKED;
			m->p[k].bw_gbps = m->p[k].ab_gbps = m->p[k].ba_gbps = 0;
			m->p[k].lane_gbps[0] = 0;
			m->p[k].lat_avg_usec = m->p[k].lat_p50_usec = -1;
			mesh_set_detail(&m->p[k], "nothing crossed either way");
		}
}

static struct mesh_result *pair(struct mesh *m, int a, int b)
{
	size_t k;

	for (k = 0; k < m->np; k++)
		if (m->p[k].a == a && m->p[k].b == b)
			return &m->p[k];
	abort();
}

/* A link slow in its round and again on retest, as mesh_apply_retest leaves it. */
static void slow_link(struct mesh_result *q, float gbps)
{
	q->status = MESH_SLOW;
	q->bw_gbps = q->ab_gbps = q->ba_gbps = q->round_bw_gbps = q->lane_gbps[0] = gbps;
	q->retested = q->confirmed = true;
	mesh_set_detail(q, "slow; confirmed on retest");
}

static void mesh_judge_now(struct mesh *m, bool after_retest)
{
	struct mesh_limits lim = { .lat_factor = 3, .after_retest = after_retest };

	if (mesh_judge(m->n, m->reported, m->p, m->np, &lim, &m->v))
		abort();
}

static void mesh_fini(struct mesh *m)
{
	int r;

	mesh_verdict_free(&m->v);
	mesh_results_free(m->p, m->room);
	for (r = 0; m->owned && r < m->n; r++)
		free(m->owned[r]);
	free(m->owned);
	free(m->names);
	free(m->reported);
}

static struct mesh_picture picture_of(struct mesh *m)
{
	return (struct mesh_picture){ .n = m->n, .names = m->names, .pairs = m->p,
				      .npairs = m->np, .v = &m->v,
				      .subtitle = "provider efa; test <fixture>" };
}

/* What svg (html: 0) renders, as a string (free it). */
static char *render(const struct mesh_picture *pic, bool svg, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int ret;

	if (!f)
		abort();
	ret = svg ? mesh_picture_svg(f, pic) : mesh_picture_html(f, pic);
	if (fclose(f) || ret) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	while (s && (s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

/*
 * Whether every tag of s is closed in order (<x>...</x>, <x/>), attribute values quoted and
 * free of '<', and no bare '&' or '<' in text: the nesting half of XML well-formedness (the
 * shell test has python3's parser check the rest). why says where it went wrong.
 */
static bool nested(const char *s, char *why, size_t len)
{
	char stack[64][32];
	int depth = 0;
	const char *t;

	for (t = s; *t; t++) {
		const char *name, *end;
		size_t nl;
		bool closing;

		if (*t == '&') {
			if (strncmp(t, "&amp;", 5) && strncmp(t, "&lt;", 4) && strncmp(t, "&gt;", 4) &&
			    strncmp(t, "&quot;", 6) && strncmp(t, "&#", 2)) {
				snprintf(why, len, "a bare & at %.20s", t);
				return false;
			}
			continue;
		}
		if (*t != '<')
			continue;
		if (t[1] == '?' || t[1] == '!') {
			t = strchr(t, '>');
			if (!t)
				break;
			continue;
		}
		closing = t[1] == '/';
		name = t + 1 + closing;
		for (end = name; *end && *end != ' ' && *end != '>' && *end != '/' && *end != '\n';
		     end++)
			;
		nl = (size_t)(end - name);
		if (!nl || nl >= sizeof(stack[0])) {
			snprintf(why, len, "a bad tag at %.20s", t);
			return false;
		}
		/* Through the tag, attribute values and all. */
		for (; *end && *end != '>'; end++)
			if (*end == '"') {
				const char *q = strchr(end + 1, '"');

				if (!q || memchr(end + 1, '<', (size_t)(q - end - 1))) {
					snprintf(why, len, "a broken attribute at %.30s", t);
					return false;
				}
				end = q;
			}
		if (!*end) {
			snprintf(why, len, "an unclosed tag at %.20s", t);
			return false;
		}
		if (closing) {
			if (!depth || strlen(stack[depth - 1]) != nl ||
			    strncmp(stack[depth - 1], name, nl)) {
				snprintf(why, len, "</%.*s> closes <%s>", (int)nl, name,
					 depth ? stack[depth - 1] : "(nothing)");
				return false;
			}
			depth--;
		} else if (end[-1] != '/') {
			if (depth == 64) {
				snprintf(why, len, "nested too deep");
				return false;
			}
			memcpy(stack[depth], name, nl);
			stack[depth++][nl] = 0;
		}
		t = end;
	}
	if (depth) {
		snprintf(why, len, "<%s> is never closed", stack[depth - 1]);
		return false;
	}
	return true;
}

static void small_mesh(struct mesh *m)
{
	mesh_init(m, SMALL_N, 0, 0.02);
	mesh_names(m, small_names);
	kill_rank(m, DEAD_RANK);
	/* One link slow, confirmed on retest: node10 - node20 at 10 %. */
	slow_link(pair(m, 0, 5), 10);
	mesh_judge_now(m, true);
}

static void test_cells(void)
{
	struct mesh_verdict v = { .ref_gbps = 100, .slow_below_gbps = 50 };
	struct mesh_result q = { .status = MESH_OK, .bw_gbps = 96 };

	is_int(mesh_picture_cell(&q, &v), MESH_CELL_L0, "cell: 96 % of the level is at level");
	q.bw_gbps = 90;
	is_int(mesh_picture_cell(&q, &v), MESH_CELL_L1, "cell: 90 % is the next bin");
	q.bw_gbps = 30;
	is_int(mesh_picture_cell(&q, &v), MESH_CELL_L4, "cell: 30 % is the 25-50 % bin");
	q.status = MESH_SLOW;
	q.bw_gbps = 5;
	is_int(mesh_picture_cell(&q, &v), MESH_CELL_L5, "cell: slow at 5 % is the lowest bin");
	q.bw_gbps = 99;
	is_int(mesh_picture_cell(&q, &v), MESH_CELL_LAT,
	       "cell: slow with its bandwidth above the threshold is slow by latency");
	q.status = MESH_ONE_WAY;
	is_int(mesh_picture_cell(&q, &v), MESH_CELL_FAILED, "cell: one_way is failed traffic");
	q.status = MESH_CONTROL_UNREACHABLE;
	is_int(mesh_picture_cell(&q, &v), MESH_CELL_ERROR, "cell: no report is an error");
	q.status = MESH_ERROR;
	q.missed = true;
	is_int(mesh_picture_cell(&q, &v), MESH_CELL_MISSED, "cell: a missed slot is not measured");
	ok(strcmp(mesh_picture_colour(MESH_CELL_FAILED), mesh_picture_colour(MESH_CELL_ERROR)) &&
	   strcmp(mesh_picture_colour(MESH_CELL_MISSED), mesh_picture_colour(MESH_CELL_NONE)) &&
	   strcmp(mesh_picture_colour(MESH_CELL_L0), MESH_PICTURE_BAD_NODE),
	   "cell: failed, error, not measured, not scheduled and bad node differ in colour");
}

static void test_escape(void)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	mesh_picture_escape(f, "a<b&\"c'>", 0);
	fputc('|', f);
	mesh_picture_escape(f, "x\001y\xff\xc3\xa9z", 0);
	fputc('|', f);
	mesh_picture_escape(f, "\xc3\xa9t\xc3\xa9-long", 3);
	fclose(f);
	is_str(buf, "a&lt;b&amp;&quot;c&#39;&gt;|x?y?\xc3\xa9z|\xc3\xa9t\xc3\xa9...",
	       "escape: markup escaped, controls and broken UTF-8 replaced, cut on a character");
	free(buf);
	/* Sequences of the right shape that are not characters XML takes, each byte a '?'. */
	buf = NULL;
	f = open_memstream(&buf, &n);
	mesh_picture_escape(f, "\xed\xa0\x80|\xe0\x80\xaf|\xf0\x80\x80\xaf|\xf4\x90\x80\x80|"
			       "\xef\xbf\xbe|\xf0\x9f\x98\x80\xe2\x82\xac", 0);
	fclose(f);
	is_str(buf, "???|???|????|????|???|\xf0\x9f\x98\x80\xe2\x82\xac",
	       "escape: surrogates, overlong forms, code points past U+10FFFF and U+FFFE replaced; "
	       "real 4- and 3-byte characters kept");
	free(buf);
}

static void test_small(void)
{
	struct mesh m;
	struct mesh_picture pic;
	int order[SMALL_N], want[SMALL_N] = { 2, 3, 1, 4, 0, 5 };
	char *svg, *html, why[128] = "";
	const char *run;

	small_mesh(&m);
	pic = picture_of(&m);
	ok(!m.v.pass && m.v.nnodes == 1 && m.v.nodes[0].rank == DEAD_RANK && m.v.nlinks == 1,
	   "small: the judgement names the dead node and the slow link (%zu nodes, %zu links)",
	   m.v.nnodes, m.v.nlinks);
	ok(!mesh_picture_order(&pic, order) && !memcmp(order, want, sizeof(want)),
	   "small: ranks in natural name order (a<b&\"c node1 node2 node3 node10 node20)");
	svg = render(&pic, true, NULL);
	ok(svg != NULL, "small: the SVG renders");
	ok(nested(svg, why, sizeof(why)), "small: the SVG's tags nest %s", why);
	ok(strstr(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns="
		       "\"http://www.w3.org/2000/svg\"") == svg,
	   "small: an SVG document with its namespace");
	ok(strstr(svg, "a&lt;b&amp;&quot;c") && !strstr(svg, "a<b") && !strstr(svg, "b&\"c") &&
	   strstr(svg, "test &lt;fixture&gt;"),
	   "small: the node name a<b&\"c and the subtitle are escaped");
	is_int(count(svg, "<g class=\"bad-node\""), 1, "small: one bad node marked");
	ok(strstr(svg, "<g class=\"bad-node\" data-rank=\"1\" shape-rendering=\"crispEdges\" "
		       "data-host=\"node2\">"),
	   "small: the bad node is rank 1, node2");
	ok(strstr(svg, "<g class=\"bad-link\" data-a=\"0\" data-b=\"5\">"),
	   "small: the bad link node10 - node20 is outlined");
	ok(strstr(svg, "FAIL: bad_nodes: 1 bad node, 0 bad NICs, 1 bad link"), "small: the title says the verdict");
	/* node2 is row 2: failed with every column but its own (2). */
	run = strstr(svg, "<path class=\"cell-7\" fill=\"#000000\" d=\"");
	ok(run && strstr(run, "M0 2h2v1h-2zM3 2h3v1h-3z") && strstr(run, "M2 0h1v1h-1z"),
	   "small: node2's row and column are black (blocked) runs");
	/* node10 (row 4) - node20 (row 5) at 10 %: the lowest bin, both halves. */
	run = strstr(svg, "<path class=\"cell-5\"");
	ok(run && strstr(run, "M5 4h1v1h-1z") && strstr(run, "M4 5h1v1h-1z"),
	   "small: the slow link's cells are in the lowest bin");
	ok(strstr(svg, "class=\"background cell-0\""), "small: the background is the healthy colour");
	is_int(count(svg, "<text class=\"row"), SMALL_N, "small: every row labelled at 6 ranks");
	ok(strstr(svg, "<text class=\"row bad\" data-rank=\"1\""), "small: the bad node's label marked");
	ok(strstr(svg, "blocked, one way, size limited, lossy: 5<") &&
	   strstr(svg, "&lt; 25 % (&lt; 24.8 Gbit/s): 1<") && strstr(svg, "(&gt;= 94.2 Gbit/s): 9<"),
	   "small: the legend counts the pairs of each colour, in Gbit/s");
	is_int(count(svg, "<title>"), 1 + 2 * m.np + 2, "small: a tooltip per cell, bad node, link");

	html = render(&pic, false, NULL);
	ok(html && nested(html, why, sizeof(why)), "small: the page's tags nest %s", why);
	ok(html && strstr(html, "<!DOCTYPE html>") && strstr(html, "<svg xmlns") &&
	   !strstr(html, "<?xml"), "small: the page holds the SVG inline");
	ok(html && !strstr(html, "src=") && !strstr(html, "href=") && !strstr(html, "url(") &&
	   !strstr(html, "@import"), "small: the page loads nothing from elsewhere");
	ok(html && strstr(html, "<tr class=\"bad-node\"><td>1</td><td>node2</td>"),
	   "small: the bad nodes' table names node2");
	ok(html && strstr(html, "<tr class=\"bad-link\"><td>0</td><td>node10</td><td>5</td>"
				"<td>node20</td>"), "small: the bad links' table names the link");
	ok(html && strstr(html, "<h2>Worst pairs</h2>") &&
	   strstr(html, "<td>a&lt;b&amp;&quot;c</td>") &&
	   strstr(html, "<td>nothing crossed either way</td>"),
	   "small: the worst pairs with their hosts (escaped) and detail");
	ok(html && strstr(html, "<td class=\"num\">10.000</td><td class=\"num\">10 %</td>"),
	   "small: the slow pair's Gbit/s and share of the healthy level");
	free(svg);
	free(html);
	mesh_fini(&m);
}

/* A bad NIC: its node's row and column in orange, its domain in the tooltip and the table. */
static void test_nic(void)
{
	struct mesh m;
	struct mesh_picture pic;
	struct mesh_verdict v;
	struct mesh_bad_nic nic = { .rank = 4, .lane = 1, .reason = "slow against NIC 1 of all" };
	const char *domains[] = { "rdmap16s27-rdm" };
	char *svg, *html;

	small_mesh(&m);
	v = m.v;
	v.nics = &nic;
	v.nnics = 1;
	pic = picture_of(&m);
	pic.v = &v;
	pic.nic_names = domains;
	svg = render(&pic, true, NULL);
	html = render(&pic, false, NULL);
	ok(svg && strstr(svg, "<g class=\"bad-nic\" data-rank=\"4\"") &&
	   strstr(svg, "node3 (rank 4): NIC rdmap16s27-rdm: slow against NIC 1 of all</title>") &&
	   strstr(svg, "fill=\"" MESH_PICTURE_BAD_NIC "\""),
	   "bad NIC: its node marked in orange, the domain and reason in its tooltip");
	ok(svg && strstr(svg, "<text class=\"row bad\" data-rank=\"4\""),
	   "bad NIC: its node's label marked");
	ok(html && strstr(html, "<tr class=\"bad-nic\"><td>4</td><td>node3</td>"
				"<td>rdmap16s27-rdm</td><td>slow against NIC 1 of all</td></tr>"),
	   "bad NIC: the page's table names node, domain and reason");
	free(svg);
	free(html);
	mesh_fini(&m);
}

static void test_partial(void)
{
	struct mesh m;
	struct mesh_picture pic;
	char *svg, why[128] = "";
	size_t k;

	/* --pairs 2 of 8: each rank with its 2 neighbours each side, the rest not scheduled. */
	mesh_init(&m, 8, 2, 0.02);
	mesh_names(&m, NULL);
	k = m.np;
	mesh_judge_now(&m, false);
	pic = picture_of(&m);
	svg = render(&pic, true, NULL);
	ok(svg && nested(svg, why, sizeof(why)), "pairs K: nests %s", why);
	ok(k == 16 && svg && strstr(svg, "not scheduled (--pairs K): 12<"),
	   "pairs K: 16 pairs measured, 12 not scheduled");
	ok(svg && strstr(svg, "OK: 16 pairs of 8 ranks"), "pairs K: the title says pass");
	ok(svg && count(svg, "<g class=\"bad-") == 0, "pairs K: nothing marked bad");
	free(svg);
	mesh_verdict_free(&m.v);

	/* Every pair missed its slot: could not measure. */
	for (k = 0; k < m.np; k++) {
		m.p[k].status = MESH_ERROR;
		m.p[k].missed = true;
	}
	mesh_judge_now(&m, false);
	svg = render(&pic, true, NULL);
	ok(m.v.unmeasurable && svg && strstr(svg, "ERROR: could not measure: ") &&
	   strstr(svg, "not measured (a rank missed its slot): 16<"),
	   "could not measure: said in the title, the pairs grey");
	free(svg);
	mesh_fini(&m);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* 1,024 nodes, noisy, a dead node, a slow link: the size of what a big run writes. */
static void big_mesh(struct mesh *m, double noise)
{
	mesh_init(m, 1024, 0, noise);
	mesh_names(m, NULL);
	kill_rank(m, 700);
	slow_link(pair(m, 3, 900), 20);
	mesh_judge_now(m, true);
}

static void test_big(void)
{
	struct mesh m;
	struct mesh_picture pic;
	char *svg, *html, why[128] = "";
	size_t len = 0, hlen = 0, k;
	uint64_t seed = 7;
	double t0, t1;

	big_mesh(&m, 0.04);
	pic = picture_of(&m);
	t0 = now();
	svg = render(&pic, true, &len);
	t1 = now();
	printf("# 1,024 nodes, 4 %% noise: SVG %zu bytes in %.3f s\n", len, t1 - t0);
	ok(svg && nested(svg, why, sizeof(why)), "1,024: nests %s", why);
	ok(m.v.nnodes == 1 && m.v.nodes[0].rank == 700 && svg &&
	   strstr(svg, "<g class=\"bad-node\" data-rank=\"700\""),
	   "1,024: the dead node is named and marked");
	ok(svg && strstr(svg, "<g class=\"bad-link\" data-a=\"3\" data-b=\"900\">"),
	   "1,024: the slow link is outlined");
	ok(len < 1000000, "1,024: a healthy-looking mesh's SVG is below 1 MB (%zu bytes)", len);
	ok(svg && count(svg, "<title>") < 10, "1,024: no per-cell tooltips at this size");
	ok(svg && count(svg, "<text class=\"row") >= 1024 / 13 &&
	   count(svg, "<text class=\"row") <= 1024 / 13 + 3,
	   "1,024: a label every 13th row (%zu)", count(svg, "<text class=\"row"));
	html = render(&pic, false, &hlen);
	ok(html && hlen > len && hlen < len + 100000 && strstr(html, "<td>700</td>"),
	   "1,024: the page is the SVG and tables of what is bad (%zu bytes)", hlen);
	free(svg);
	free(html);

	/* A noisier fabric (bandwidth spread over 10 %): many cells fall in the next bin. */
	mesh_fini(&m);
	big_mesh(&m, 0.10);
	pic = picture_of(&m);
	svg = render(&pic, true, &len);
	printf("# 1,024 nodes, 10 %% noise: SVG %zu bytes\n", len);
	ok(svg && len < 8000000, "1,024, 10 %% noise: below 8 MB (%zu bytes)", len);
	free(svg);

	/* The worst case: every pair's bandwidth random, neighbouring cells of different bins. */
	for (k = 0; k < m.np; k++) {
		double u = (double)(rnd(&seed) >> 11) / 9007199254740992.0;

		if (m.p[k].status == MESH_OK || m.p[k].status == MESH_SLOW)
			m.p[k].bw_gbps = (float)(m.v.ref_gbps * u);
	}
	t0 = now();
	svg = render(&pic, true, &len);
	t1 = now();
	printf("# 1,024 nodes, every pair random: SVG %zu bytes in %.3f s\n", len, t1 - t0);
	ok(svg && len < 1024ull * 1024 * 18, "1,024 worst case: below 18 bytes a cell (%zu bytes)",
	   len);
	free(svg);
	mesh_fini(&m);
}

static int write_file(const char *dir, const char *name, const struct mesh_picture *pic, bool svg)
{
	char path[4096];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	ret = svg ? mesh_picture_svg(f, pic) : mesh_picture_html(f, pic);
	if (fclose(f) || ret) {
		fprintf(stderr, "%s: not written\n", path);
		return 1;
	}
	return 0;
}

static int write_files(const char *dir)
{
	struct mesh m;
	struct mesh_picture pic;
	int ret;

	small_mesh(&m);
	pic = picture_of(&m);
	ret = write_file(dir, "small.svg", &pic, true) | write_file(dir, "small.html", &pic, false);
	mesh_fini(&m);
	big_mesh(&m, 0.04);
	pic = picture_of(&m);
	ret |= write_file(dir, "big.svg", &pic, true) | write_file(dir, "big.html", &pic, false);
	mesh_fini(&m);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write"))
		return write_files(argv[2]);
	test_cells();
	test_escape();
	test_small();
	test_nic();
	test_partial();
	test_big();
	return done_testing();
}
