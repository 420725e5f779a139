// SPDX-License-Identifier: MIT
/* efadiag mesh's report on rank 0: nodes, pairs, what is bad and why, the remedy, the estimate. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/mesh.h"
#include "cmd/test.h"
#include "mesh/picture.h"
#include "mesh/schedule.h"
#include "ui/out.h"
#include "util.h"

/* All pairs up to this many ranks; above it, the worst pairs. */
#define ALL_PAIRS_UP_TO 16
#define WORST_PAIRS 20

static const struct out_col node_cols[] = {
	{ "rank", "RANK", OUT_INT, 0, 0 },
	{ "host", "HOST", OUT_STR, 0, 0 },
	{ "domains", "DOMAINS", OUT_STR, 0, 0 },
};

static const struct out_col pair_cols[] = {
	{ "a", "A", OUT_INT, 0, 0 },
	{ "b", "B", OUT_INT, 0, 0 },
	{ "host_a", "HOST A", OUT_STR, 0, 0 },
	{ "host_b", "HOST B", OUT_STR, 0, 0 },
	{ "round", "ROUND", OUT_INT, 0, OUT_JSON_ONLY },
	/* The table shows the statistic the judge and the closing line use: p50 (vocabulary.md). */
	{ "lat_avg_usec", "AVG(us)", OUT_DBL, 2, OUT_JSON_ONLY },
	{ "lat_p50_usec", "P50(us)", OUT_DBL, 2, 0 },
	{ "bw_gbps", "BW(Gbit/s)", OUT_DBL, 3, 0 },
	{ "bw_ab_gbps", "A->B", OUT_DBL, 3, OUT_JSON_ONLY },
	{ "bw_ba_gbps", "B->A", OUT_DBL, 3, OUT_JSON_ONLY },
	{ "status", "STATUS", OUT_STR, 0, 0 },
	{ "detail", "DETAIL", OUT_STR, 0, 0 },
};

static const struct out_col bad_node_cols[] = {
	{ "rank", "RANK", OUT_INT, 0, 0 },
	{ "host", "HOST", OUT_STR, 0, 0 },
	{ "reason", "REASON", OUT_STR, 0, 0 },
};

static const struct out_col bad_nic_cols[] = {
	{ "rank", "RANK", OUT_INT, 0, 0 },
	{ "host", "HOST", OUT_STR, 0, 0 },
	{ "domain", "DOMAIN", OUT_STR, 0, 0 },
	{ "reason", "REASON", OUT_STR, 0, 0 },
};

static const struct out_col bad_link_cols[] = {
	{ "a", "A", OUT_INT, 0, 0 },
	{ "b", "B", OUT_INT, 0, 0 },
	{ "host_a", "HOST A", OUT_STR, 0, 0 },
	{ "host_b", "HOST B", OUT_STR, 0, 0 },
	{ "reason", "REASON", OUT_STR, 0, 0 },
};

#define NCOLS(c) (sizeof(c) / sizeof((c)[0]))

static const char *host_of(const struct mesh_run *m, int rank)
{
	return m->cards[rank].host[0] ? m->cards[rank].host : "?";
}

static void render_nodes(struct mesh_run *m)
{
	struct out_table *t = out_table_new(m->ctx->out, "nodes", NULL, node_cols, NCOLS(node_cols));
	int r, i;

	for (r = 0; r < m->boot.size; r++) {
		cJSON *row = out_table_row(t), *doms = cJSON_AddArrayToObject(row, "domains");

		out_set_num(row, "rank", r);
		out_set_str(row, "host", "%s", host_of(m, r));
		for (i = 0; doms && i < m->cards[r].nnics; i++)
			cJSON_AddItemToArray(doms, cJSON_CreateString(m->cards[r].nics[i].domain));
	}
	out_table_end(t);
}

static int worse(const void *x, const void *y)
{
	const struct mesh_result *a = x, *b = y;

	if ((a->status != MESH_OK) != (b->status != MESH_OK))
		return a->status != MESH_OK ? -1 : 1;
	return a->bw_gbps < b->bw_gbps ? -1 : a->bw_gbps > b->bw_gbps;
}

static void pair_row(struct mesh_run *m, struct out_table *t, const struct mesh_result *p)
{
	cJSON *row = out_table_row(t);

	out_set_num(row, "a", p->a);
	out_set_num(row, "b", p->b);
	out_set_str(row, "host_a", "%s", host_of(m, p->a));
	out_set_str(row, "host_b", "%s", host_of(m, p->b));
	out_set_num(row, "round", p->round + 1);
	if (p->lat_avg_usec >= 0) {
		out_set_num(row, "lat_avg_usec", p->lat_avg_usec);
		out_set_num(row, "lat_p50_usec", p->lat_p50_usec);
	} else {
		cJSON_AddNullToObject(row, "lat_avg_usec");
		cJSON_AddNullToObject(row, "lat_p50_usec");
	}
	out_set_num(row, "bw_gbps", p->bw_gbps);
	out_set_num(row, "bw_ab_gbps", p->ab_gbps);
	out_set_num(row, "bw_ba_gbps", p->ba_gbps);
	out_set_str(row, "status", "%s", mesh_status_str(p->status));
	out_set_str(row, "detail", "%s", mesh_detail(p));
}

/* Every pair in JSON; for people every pair of a small mesh, else the worst. */
static void render_pairs(struct mesh_run *m)
{
	struct out *o = m->ctx->out;
	bool all = m->boot.size <= ALL_PAIRS_UP_TO || out_is_json(o);
	struct mesh_result *sorted = malloc((m->npairs + 1) * sizeof(*sorted));
	size_t k, n = m->npairs;
	struct out_table *t;

	if (!sorted)
		return;
	memcpy(sorted, m->pairs, m->npairs * sizeof(*sorted));
	if (!all) {
		qsort(sorted, n, sizeof(*sorted), worse);
		n = n < WORST_PAIRS ? n : WORST_PAIRS;
	}
	t = out_table_new(o, "pairs", all ? "Pairs:" : "Worst pairs:", pair_cols, NCOLS(pair_cols));
	for (k = 0; k < n; k++)
		pair_row(m, t, &sorted[k]);
	out_table_end(t);
	free(sorted);
}

static void render_bad(struct mesh_run *m)
{
	const struct mesh_verdict *v = &m->verdict;
	struct out *o = m->ctx->out;
	struct out_table *t;
	size_t i;

	t = out_table_new(o, "bad_nodes", "Bad nodes:", bad_node_cols, NCOLS(bad_node_cols));
	for (i = 0; i < v->nnodes; i++) {
		cJSON *row = out_table_row(t);

		out_set_num(row, "rank", v->nodes[i].rank);
		out_set_str(row, "host", "%s", host_of(m, v->nodes[i].rank));
		out_set_str(row, "reason", "%s", v->nodes[i].reason);
	}
	v->nnodes ? out_table_end(t) : out_table_discard(t);
	t = out_table_new(o, "bad_nics", "Bad NICs:", bad_nic_cols, NCOLS(bad_nic_cols));
	for (i = 0; i < v->nnics; i++) {
		const struct mesh_card *c = &m->cards[v->nics[i].rank];
		cJSON *row = out_table_row(t);

		out_set_num(row, "rank", v->nics[i].rank);
		out_set_str(row, "host", "%s", host_of(m, v->nics[i].rank));
		out_set_str(row, "domain", "%s", v->nics[i].lane < c->nnics ?
						   c->nics[v->nics[i].lane].domain : "?");
		out_set_str(row, "reason", "%s", v->nics[i].reason);
	}
	v->nnics ? out_table_end(t) : out_table_discard(t);
	t = out_table_new(o, "bad_links", "Bad links:", bad_link_cols, NCOLS(bad_link_cols));
	for (i = 0; i < v->nlinks; i++) {
		cJSON *row = out_table_row(t);

		out_set_num(row, "a", v->links[i].a);
		out_set_num(row, "b", v->links[i].b);
		out_set_str(row, "host_a", "%s", host_of(m, v->links[i].a));
		out_set_str(row, "host_b", "%s", host_of(m, v->links[i].b));
		out_set_str(row, "reason", "%s", v->links[i].reason);
	}
	v->nlinks ? out_table_end(t) : out_table_discard(t);
}

/*
 * The commands that take a bad node out of service, printed, never run: Slurm's drain where
 * Slurm launched us, Kubernetes' cordon in a pod, both otherwise. After the closing line: one
 * Fix: line (the JSON remedy, a string as everywhere), then the commands, indented; in JSON
 * they are remedy_commands (docs/vocabulary.md).
 */
static void render_remedy(struct mesh_run *m)
{
	const struct mesh_verdict *v = &m->verdict;
	bool slurm = getenv("SLURM_JOB_ID") != NULL, k8s = getenv("KUBERNETES_SERVICE_HOST") != NULL;
	cJSON *list = cJSON_AddArrayToObject(out_root(m->ctx->out), "remedy_commands");
	char cmd[512], fix[256];
	size_t i, n = v->nnodes + v->nnics;

	if (!n)
		return;
	snprintf(fix, sizeof(fix), "take the %s out of service with the command%s below (efadiag "
		 "runs none)", n == 1 ? "bad node" : "bad nodes", slurm != k8s && n == 1 ? "" : "s");
	cJSON_AddStringToObject(out_root(m->ctx->out), "remedy", fix);
	out_text(m->ctx->out, "Fix: %s:\n", fix);
	for (i = 0; i < v->nnodes + v->nnics; i++) {
		int rank = i < v->nnodes ? v->nodes[i].rank : v->nics[i - v->nnodes].rank;
		const char *why = i < v->nnodes ? "bad node" : "bad NIC";

		if (slurm || !k8s) {
			snprintf(cmd, sizeof(cmd), "scontrol update NodeName=%s State=DRAIN "
				 "Reason=\"efadiag mesh: %s\"", host_of(m, rank), why);
			out_text(m->ctx->out, "  %s\n", cmd);
			cJSON_AddItemToArray(list, cJSON_CreateString(cmd));
		}
		if (k8s || !slurm) {
			snprintf(cmd, sizeof(cmd), "kubectl cordon $(kubectl get pod %s -o "
				 "jsonpath='{.spec.nodeName}')", host_of(m, rank));
			out_text(m->ctx->out, "  %s\n", cmd);
			cJSON_AddItemToArray(list, cJSON_CreateString(cmd));
		}
	}
}

/* Rounds cost what a round cost here: N - 1 of them for all pairs, K with --pairs K. */
static void render_estimate(struct mesh_run *m)
{
	static const int sizes[] = { 16, 256, 1024 };
	/* rounds_sec timed the first rounds only (the suspects' and the retest's come after). */
	double per_round = m->first_rounds ? m->rounds_sec / m->first_rounds : 0;
	cJSON *est = cJSON_AddArrayToObject(out_root(m->ctx->out), "estimate");
	char line[256];
	size_t i, used;
	long k = m->ctx->opt.mesh_pairs;

	cJSON_AddNumberToObject(out_root(m->ctx->out), "round_sec", per_round);
	used = (size_t)snprintf(line, sizeof(line), "Estimate at %.3g s per round:", per_round);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int rounds = m->quick ? mesh_quick_rounds(sizes[i]) :
			     k > 0 && k < sizes[i] - 1 ? (int)k : sizes[i] - 1;
		cJSON *e = cJSON_CreateObject();

		cJSON_AddNumberToObject(e, "nodes", sizes[i]);
		cJSON_AddNumberToObject(e, "rounds", rounds);
		cJSON_AddNumberToObject(e, "wall_sec", rounds * per_round);
		cJSON_AddItemToArray(est, e);
		if (used < sizeof(line))
			used += (size_t)snprintf(line + used, sizeof(line) - used, "%s %d nodes %.0f s",
						 i ? "," : "", sizes[i], rounds * per_round);
	}
	out_text(m->ctx->out, "%s%s\n", line,
		 m->quick ? " (--quick's first rounds; its suspects' rounds come on top)" :
		 k > 0	  ? "" :
			    " (--pairs K runs K rounds, --quick 6 and a few for suspects)");
}

/* How the pairs were chosen: "all_pairs", "pairs" (--pairs K) or "quick". */
static const char *mode_of(const struct mesh_run *m)
{
	if (m->quick)
		return "quick";
	return m->first_rounds < mesh_rounds(m->boot.size, 0) ? "pairs" : "all_pairs";
}

/*
 * What a run of fewer than all pairs does not prove: a link is judged only where its pair
 * was measured. Said in text; JSON has pairs_measured and pairs_total.
 */
static void render_coverage(struct mesh_run *m)
{
	size_t total = (size_t)m->boot.size * (size_t)(m->boot.size - 1) / 2;

	cJSON_AddNumberToObject(out_root(m->ctx->out), "pairs_measured", (double)m->npairs);
	cJSON_AddNumberToObject(out_root(m->ctx->out), "pairs_total", (double)total);
	if (m->npairs >= total)
		return;
	out_text(m->ctx->out, "Note: %s measured %zu of the %zu pairs (%.1f %%): every bad node and "
		 "NIC is found, a bad link only where its pair was measured; all pairs "
		 "(--pairs all) clear every link\n", m->quick ? "--quick" : "--pairs K",
		 m->npairs, total, 100.0 * (double)m->npairs / (double)total);
}

/*
 * A picture that could not be written: said on stderr, in a note before the closing line, and
 * in the document's picture_errors. The verdict and its exit code stand: a run that named a
 * bad node must still exit 1, whatever became of its picture.
 */
static void picture_failed(struct mesh_run *m, const char *opt, const char *path, const char *why)
{
	cJSON *root = out_root(m->ctx->out), *errs = cJSON_GetObjectItem(root, "picture_errors");
	char msg[4200];

	snprintf(msg, sizeof(msg), "--%s: cannot write %s: %s", opt, path, why);
	fprintf(stderr, "efadiag: mesh: %s\n", msg);
	out_text(m->ctx->out, "Note: %s; the verdict below stands\n", msg);
	if (!errs)
		errs = cJSON_AddArrayToObject(root, "picture_errors");
	if (errs)
		cJSON_AddItemToArray(errs, cJSON_CreateString(msg));
}

/*
 * One picture to path, through a file beside it renamed into place: a reader never sees half
 * of one; a failure is said (picture_failed).
 */
static void write_picture(struct mesh_run *m, const char *opt, const char *path, bool svg,
			 const struct mesh_picture *pic)
{
	char tmp[4096];
	FILE *f = NULL;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
		picture_failed(m, opt, path, "file name too long");
		return;
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		err = errno;
	if (!err) {
		errno = 0;
		if (svg ? mesh_picture_svg(f, pic) : mesh_picture_html(f, pic))
			err = errno ? errno : EIO;
	}
	if (f && fclose(f) && !err)
		err = errno;
	else if (!f && fd >= 0)
		close(fd);
	if (!err && rename(tmp, path))
		err = errno;
	if (err) {
		unlink(tmp);
		picture_failed(m, opt, path, strerror(err));
		return;
	}
}

/* --svg and --html: the pair matrix, whatever the verdict; a failure is a note (picture_failed). */
static void write_pictures(struct mesh_run *m)
{
	const struct mesh_verdict *v = &m->verdict;
	const struct opts *o = &m->ctx->opt;
	const char **names = NULL, **nics = NULL;
	cJSON *time = cJSON_GetObjectItem(out_root(m->ctx->out), "time");
	struct mesh_picture pic;
	char sub[512];
	size_t i;
	int r;

	if (!o->mesh_svg && !o->mesh_html)
		return;
	names = calloc((size_t)m->boot.size + 1, sizeof(*names));
	nics = calloc(v->nnics + 1, sizeof(*nics));
	if (!names || !nics) {
		free(names);
		free(nics);
		if (o->mesh_svg)
			picture_failed(m, "svg", o->mesh_svg, "out of memory");
		if (o->mesh_html)
			picture_failed(m, "html", o->mesh_html, "out of memory");
		return;
	}
	for (r = 0; r < m->boot.size; r++)
		names[r] = m->cards[r].host;
	for (i = 0; i < v->nnics; i++) {
		const struct mesh_card *c = &m->cards[v->nics[i].rank];

		nics[i] = v->nics[i].lane < c->nnics ? c->nics[v->nics[i].lane].domain : "?";
	}
	snprintf(sub, sizeof(sub), "%s; %d ranks; %d round%s of %.3g s, %d retest round%s%s%s",
		 m->provider, m->boot.size, m->rounds, m->rounds == 1 ? "" : "s", m->budget,
		 m->retest_rounds, m->retest_rounds == 1 ? "" : "s",
		 cJSON_IsString(time) ? "; " : "", cJSON_IsString(time) ? time->valuestring : "");
	pic = (struct mesh_picture){ .n = m->boot.size, .names = names, .pairs = m->pairs,
				     .npairs = m->npairs, .v = v, .nic_names = nics,
				     .subtitle = sub };
	if (o->mesh_svg)
		write_picture(m, "svg", o->mesh_svg, true, &pic);
	if (o->mesh_html)
		write_picture(m, "html", o->mesh_html, false, &pic);
	free(names);
	free(nics);
}

int mesh_report(struct mesh_run *m)
{
	const struct mesh_verdict *v = &m->verdict;
	struct out *o = m->ctx->out;
	cJSON *root = out_root(o);
	int pairs_per_round = m->boot.size / 2;

	char fabric[128] = "", words[120];

	if (m->fab.nnics)
		snprintf(fabric, sizeof(fabric), "; %s",
			 test_max_msg_str(&m->fab.nic[0].bw, words, sizeof(words)));
	out_text(o, "mesh %s: %d ranks, %d round%s of %d pair%s, %.3g s per round%s\n",
		 m->provider, m->boot.size, m->first_rounds, m->first_rounds == 1 ? "" : "s",
		 pairs_per_round, pairs_per_round == 1 ? "" : "s", m->budget, fabric);
	if (m->first_rounds < mesh_rounds(m->boot.size, 0))
		out_text(o, "%s: %d of the %d rounds%s; then %d round%s for suspects (%zu pairs: "
			 "each against fresh partners), %d retest round%s\n",
			 m->quick ? "--quick" : "--pairs K", m->first_rounds,
			 mesh_rounds(m->boot.size, 0), m->quick ? ", spread over the schedule" : "",
			 m->widen_rounds, m->widen_rounds == 1 ? "" : "s", m->widen_pairs,
			 m->retest_rounds, m->retest_rounds == 1 ? "" : "s");
	cJSON_AddStringToObject(root, "provider", m->provider);
	cJSON_AddNumberToObject(root, "ranks", m->boot.size);
	cJSON_AddStringToObject(root, "mode", mode_of(m));
	cJSON_AddNumberToObject(root, "rounds", m->rounds);
	cJSON_AddNumberToObject(root, "first_rounds", m->first_rounds);
	cJSON_AddNumberToObject(root, "suspect_rounds", m->widen_rounds);
	cJSON_AddNumberToObject(root, "suspect_pairs", (double)m->widen_pairs);
	cJSON_AddNumberToObject(root, "retest_rounds", m->retest_rounds);
	cJSON_AddNumberToObject(root, "retest_pairs", (double)m->retest_pairs);
	cJSON_AddNumberToObject(root, "pair_budget_sec", m->budget);
	cJSON_AddNumberToObject(root, "median_gbps", v->median_gbps);
	cJSON_AddNumberToObject(root, "healthy_gbps", v->ref_gbps);
	cJSON_AddNumberToObject(root, "median_lat_usec", v->median_lat_usec);
	cJSON_AddNumberToObject(root, "bw_spread", v->spread);
	cJSON_AddNumberToObject(root, "loaded_rounds", v->loaded_rounds);
	render_nodes(m);
	render_pairs(m);
	render_coverage(m);
	if (v->unmeasurable) {
		/* No culprit and no verdict from a run that could not measure: exit 3. */
		cJSON_AddStringToObject(root, "could_not_measure", v->why);
		render_estimate(m);
		write_pictures(m);
		out_error(o, "could not measure: %s", v->why);
		return EXIT_ERROR;
	}
	render_bad(m);
	cJSON_AddStringToObject(root, "verdict", v->pass ? "pass" : "fail");
	cJSON_AddNumberToObject(root, "slow_below_gbps", v->slow_below_gbps);
	if (v->slow_above_usec > 0)
		cJSON_AddNumberToObject(root, "slow_above_usec", v->slow_above_usec);
	cJSON_AddBoolToObject(root, "latency_judged_relative", v->lat_relative);
	/* Notes and the estimate first: the closing line and its fix end the output. */
	if (!v->lat_relative && v->median_lat_usec > 0 && m->ctx->opt.lat_factor > 0)
		out_text(o, "Note: latency not judged against the median: the pairs spread too widely "
			    "(MAD %.2f us of a median p50 %.2f us; an oversubscribed host?)\n",
			 v->mad_lat_usec, v->median_lat_usec);
	render_estimate(m);
	/* Before the closing line: a picture that cannot be written is a note, never the verdict. */
	write_pictures(m);
	/* The medians of the table's BW(Gbit/s) and P50(us) columns. */
	if (v->pass)
		out_verdict(o, "OK: %zu pair%s of %d ranks; median %.3f Gbit/s, median p50 %.2f us",
			    m->npairs, m->npairs == 1 ? "" : "s", m->boot.size, v->median_gbps,
			    v->median_lat_usec);
	else /* The reason word: the key of the first list that names a culprit. */
		out_verdict(o, "FAIL: %s: %zu bad node%s, %zu bad NIC%s, %zu bad link%s (%zu of %zu "
			    "pairs not ok)", v->nnodes ? "bad_nodes" : v->nnics ? "bad_nics" :
			    v->nlinks ? "bad_links" : "pairs", v->nnodes, v->nnodes == 1 ? "" : "s", v->nnics,
			    v->nnics == 1 ? "" : "s", v->nlinks, v->nlinks == 1 ? "" : "s",
			    v->nbad_pairs, m->npairs);
	render_remedy(m);
	if (v->pass)
		return EXIT_OK;
	out_fail(o);
	return EXIT_FAIL;
}
