// SPDX-License-Identifier: MIT
/* bw's report: rows from both sides' lane timings, failures named, the per-domain verdict. */
#include <rdma/fi_errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/bw.h"
#include "cmd/test.h"
#include "fabric/cuda.h"
#include "ui/parse.h"
#include "util.h"

static const struct out_col result_cols[] = {
	{ "bytes", "BYTES", OUT_INT, 0, 0 },
	{ "iterations", "ITERS", OUT_INT, 0, 0 },
	{ "bw_gbps", "BW(Gbit/s)", OUT_DBL, 3, 0 },
	{ "msg_rate_mps", "RATE(Mmsg/s)", OUT_DBL, 4, 0 },
};

static const struct out_col domain_cols[] = {
	{ "domain", "DOMAIN", OUT_STR, 0, 0 },
	{ "peer_domain", "PEER", OUT_STR, 0, 0 },
	{ "bw_gbps", "BW(Gbit/s)", OUT_DBL, 3, 0 },
	{ "msg_rate_mps", "RATE(Mmsg/s)", OUT_DBL, 4, 0 },
	{ "weak", "BELOW 80% OF MEDIAN", OUT_BOOL, 0, 0 },
};

static const struct out_col pair_cols[] = {
	{ "domain", "DOMAIN", OUT_STR, 0, 0 },
	{ "nic_pci", "NIC", OUT_STR, 0, 0 },
	{ "gpu", "GPU", OUT_INT, 0, 0 },
	{ "gpu_pci", "GPU PCI", OUT_STR, 0, 0 },
	{ "link", "LINK", OUT_STR, 0, 0 },
	{ "registration", "REGISTERED", OUT_STR, 0, 0 },
};

double bw_lane_elapsed(const struct bw *b, size_t i, const struct msg_bw_report *peer)
{
	const struct lane *l = &b->lanes[i];
	double mine = l->job.initiate || l->job.receive ? l->res.elapsed : 0;
	double theirs = i < peer->n ? peer->lanes[i].elapsed : 0;

	return mine > theirs ? mine : theirs;
}

/* Where the data goes, in the client's words, for messages. */
static const char *data_direction(const struct bw *b)
{
	if (b->cfg.bidir)
		return "in both directions";
	if (b->server)
		return b->cfg.reverse ? "from this server to the client" : "from the client to this server";
	return b->cfg.reverse ? "from the server to this node" : "from this node to the server";
}

int bw_lane_failures(struct bw *b, size_t size, const struct msg_bw_report *peer)
{
	struct bw_report *r = &b->rep;
	char sz[32], hint[160];
	size_t i;

	size_text(size, sz, sizeof(sz));
	test_sgcheck_hint(b->ctx, hint, sizeof(hint));
	for (i = 0; i < b->cfg.nlanes; i++) {
		static const struct lane_report none = { .bad_offset = -1 };
		const struct lane_report *pl = i < peer->n ? &peer->lanes[i] : &none;
		const struct lane_result *l = &b->lanes[i].res;
		const char *dom = r->domains[i];

		if (l->bad_offset >= 0 || pl->bad_offset >= 0)
			return test_stop(&r->stop, EXIT_FAIL, "--verify: payload differs at size %s on domain %s, "
				       "offset %ld (%s side)", sz, dom,
				       l->bad_offset >= 0 ? l->bad_offset : pl->bad_offset,
				       l->bad_offset >= 0 ? "this" : "peer's");
		if (l->err == -FI_ETIMEDOUT || pl->err == -FI_ETIMEDOUT)
			/* Both sides' counts: which end stopped seeing completions says the direction. */
			return test_stop(&r->stop, EXIT_FAIL, "the fabric stopped delivering %s at size %s on "
				       "domain %s (this side: %s; peer: %s): %s", data_direction(b), sz,
				       dom, l->err_text[0] ? l->err_text : "finished",
				       pl->err_text[0] ? pl->err_text : "finished", hint);
		if (l->err || pl->err)
			return test_stop(&r->stop, b->lanes[i].ep->err_class == FAB_ERR_UNREACHABLE ?
					  EXIT_FAIL : EXIT_ERROR, "size %s, domain %s: %s", sz, dom,
				       l->err ? l->err_text : pl->err_text[0] ? pl->err_text :
				       "peer failed");
	}
	return 0;
}

double bw_median(double *v, size_t n)
{
	size_t i, j;

	if (!n)
		return 0;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool bw_is_weak(const double *gbps, size_t n, size_t i)
{
	double others[LANE_MAX];
	size_t j, m = 0;

	/* Compared with the median of its siblings: the other domains, not itself. */
	for (j = 0; j < n && m < LANE_MAX; j++)
		if (j != i)
			others[m++] = gbps[j];
	return m > 0 && gbps[i] < BW_WEAK_SHARE * bw_median(others, m);
}

static void set_result_fields(cJSON *j, const struct bw_report *r, const struct bw_row *row);

void bw_add_row(struct bw *b, size_t size, long count, const struct msg_bw_report *peer)
{
	struct bw_report *r = &b->rep;
	struct bw_row *row;
	double factor = b->cfg.bidir ? 2 : 1;
	size_t i, n = b->cfg.nlanes;

	if (r->nrows >= EFADIAG_MAX_SIZES)
		return;
	row = &r->rows[r->nrows++];
	memset(row, 0, sizeof(*row));
	row->bytes = size;
	row->count = count;
	for (i = 0; i < n; i++) {
		double e = bw_lane_elapsed(b, i, peer);

		row->lane_gbps[i] = e > 0 ? factor * (double)size * (double)count * 8 / e / 1e9 : 0;
		row->lane_rate_mps[i] = e > 0 ? factor * (double)count / e / 1e6 : 0;
		row->gbps += row->lane_gbps[i];
		row->rate_mps += row->lane_rate_mps[i];
	}
	for (i = 0; n > 1 && i < n; i++)
		row->weak[i] = bw_is_weak(row->lane_gbps, n, i);
	if (row->gbps > r->peak_gbps) {
		r->peak_gbps = row->gbps;
		r->peak_size = size;
	}
	if (r->t) {
		set_result_fields(out_table_row(r->t), r, row);
		out_table_row_done(r->t);
	}
}

static void set_domain_fields(cJSON *d, const struct bw_report *r, const struct bw_row *row,
			      size_t i)
{
	out_set_str(d, "domain", "%s", r->domains[i]);
	out_set_str(d, "peer_domain", "%s", r->peer_domains[i]);
	out_set_num(d, "bw_gbps", row->lane_gbps[i]);
	out_set_num(d, "msg_rate_mps", row->lane_rate_mps[i]);
	out_set_bool(d, "weak", row->weak[i]);
	if (r->gpu[i].gpu >= 0)
		out_set_num(d, "gpu", r->gpu[i].gpu);
}

/*
 * With --mem cuda, which GPU each domain's buffer is on, how far it is from the NIC and how
 * the registration reached it: the pairs NCCL would use, and their GPUDirect path.
 */
static void pair_table(struct out *o, const struct bw_report *r)
{
	struct out_table *t;
	size_t i;

	if (!r->nlanes || r->gpu[0].gpu < 0)
		return;
	t = out_table_new(o, "gpu_nic_pairs", "GPU-NIC pairs:", pair_cols, NCOLS(pair_cols));
	for (i = 0; i < r->nlanes; i++) {
		const struct bw_lane_gpu *g = &r->gpu[i];
		cJSON *p = out_table_row(t);
		struct cuda_device d;

		out_set_str(p, "domain", "%s", r->domains[i]);
		out_set_str(p, "nic_pci", "%s", g->nic_pci[0] ? g->nic_pci : "-");
		out_set_num(p, "gpu", g->gpu);
		out_set_str(p, "gpu_pci", "%s", cuda_device_info(g->gpu, &d, NULL, 0) ? "-" : d.pci);
		out_set_str(p, "link", "%s", pcitopo_link_str(g->link));
		if (g->steps >= 0)
			out_set_num(p, "pci_steps", g->steps);
		out_set_bool(p, "nearest", g->nearest);
		out_set_str(p, "registration", "%s", fab_mr_path_name(g->path));
		if (g->path != FAB_MR_DMABUF && g->dmabuf_error[0])
			out_set_str(p, "dmabuf_error", "%s", g->dmabuf_error);
	}
	out_table_end(t);
}

/* A results row: the sum over the lanes, and with several the breakdown per domain. */
static void set_result_fields(cJSON *j, const struct bw_report *r, const struct bw_row *row)
{
	cJSON *doms;
	size_t i;

	out_set_num(j, "bytes", (double)row->bytes);
	out_set_num(j, "iterations", (double)row->count);
	out_set_num(j, "bw_gbps", row->gbps);
	out_set_num(j, "msg_rate_mps", row->rate_mps);
	if (r->nlanes < 2)
		return;
	out_set_num(j, "aggregate_gbps", row->gbps);
	doms = cJSON_AddArrayToObject(j, "domains");
	for (i = 0; doms && i < r->nlanes; i++) {
		cJSON *d = cJSON_CreateObject();

		if (!d)
			break;
		set_domain_fields(d, r, row, i);
		cJSON_AddItemToArray(doms, d);
	}
}

/* Widest rate the columns are laid out for: 10 Tbit/s, 10^4 Mmsg/s. */
#define WIDEST_GBPS 9999.999
#define WIDEST_MPS 9999.9999

void bw_rows_begin(struct bw *b, const size_t *sizes, size_t nsizes, long widest_count)
{
	struct bw_report *r = &b->rep;
	struct out *o = b->ctx->out;
	cJSON *w = cJSON_CreateObject();
	size_t k, max = 0;

	if (!b->server && !r->pairs_shown) {
		pair_table(o, r);
		r->pairs_shown = true;
	}
	for (k = 0; k < nsizes; k++)
		max = sizes[k] > max ? sizes[k] : max;
	if (w) {
		out_set_num(w, "bytes", (double)max);
		out_set_num(w, "iterations", (double)widest_count);
		out_set_num(w, "bw_gbps", WIDEST_GBPS);
		out_set_num(w, "msg_rate_mps", WIDEST_MPS);
	}
	r->t = out_table_new(o, "results", NULL, result_cols, NCOLS(result_cols));
	out_table_stream(r->t, w);
	cJSON_Delete(w);
}

static void render_rows(struct out *o, struct bw_report *r, bool show)
{
	struct out_table *t = r->t;
	size_t k;

	/* A run that stopped before its sizes: the table, if any, is made here. */
	if (!t) {
		t = out_table_new(o, "results", NULL, result_cols, NCOLS(result_cols));
		for (k = 0; k < r->nrows; k++)
			set_result_fields(out_table_row(t), r, &r->rows[k]);
	}
	r->t = NULL;
	if (show)
		out_table_end(t);
	else
		out_table_discard(t);
}

/* People get the per-domain table of the largest size, where NICs show their real rate. */
static void domain_table(struct out *o, const struct bw_report *r, const struct bw_row *row)
{
	struct out_table *t;
	char title[96], sz[32];
	size_t i;

	snprintf(title, sizeof(title), "Per domain at %s:", size_text(row->bytes, sz, sizeof(sz)));
	/* The JSON keeps the breakdown inside each result row; people get it once, here. */
	t = out_table_new(o, NULL, title, domain_cols, NCOLS(domain_cols));
	for (i = 0; i < r->nlanes; i++)
		set_domain_fields(out_table_row(t), r, row, i);
	out_table_end(t);
}

static int verdict(struct out *o, const struct bw_report *r)
{
	const struct bw_row *last = &r->rows[r->nrows - 1];
	cJSON *root = out_root(o);
	char sz[32], weak[256] = "";
	size_t i, used = 0;

	if (r->nlanes > 1) {
		domain_table(o, r, last);
		out_set_num(root, "aggregate_gbps", last->gbps);
	}
	for (i = 0; i < r->nlanes && used < sizeof(weak); i++)
		if (last->weak[i])
			used += (size_t)snprintf(weak + used, sizeof(weak) - used, "%s%s",
						 used ? ", " : "", r->domains[i]);
	if (r->line_rate_gbps > 0) {
		out_set_num(root, "line_rate_gbps", r->line_rate_gbps);
		out_set_num(root, "line_rate_share", r->peak_gbps / r->line_rate_gbps);
	}
	size_text(r->peak_size, sz, sizeof(sz));
	/* Numbers over CUDA copies say nothing of the NIC's path to GPU memory. */
	if (r->gdr.missing)
		return test_gdr_render(o, &r->gdr);
	if (weak[0]) {
		out_verdict(o, "FAIL: weak: %s below %.0f%% of the median of the other domains; peak %.3f "
			    "Gbit/s at %s", weak, BW_WEAK_SHARE * 100, r->peak_gbps, sz);
		out_set_str(root, "weak_domains", "%s", weak);
		out_fail(o);
		return EXIT_FAIL;
	}
	if (r->line_rate_gbps > 0)
		out_verdict(o, "OK: peak %.3f Gbit/s at %s, %.1f%% of %s's %d Gbit/s", r->peak_gbps,
			    sz, 100 * r->peak_gbps / r->line_rate_gbps, r->instance_type,
			    r->line_rate_gbps);
	else
		out_verdict(o, "OK: peak %.3f Gbit/s at %s over %zu domain%s", r->peak_gbps, sz,
			    r->nlanes, r->nlanes == 1 ? "" : "s");
	return EXIT_OK;
}

const char *bw_op_str(enum lane_op op)
{
	return op == LANE_SEND ? "send" : op == LANE_WRITE ? "write" : "read";
}

int bw_render(struct out *o, struct bw *b)
{
	struct bw_report *r = &b->rep;
	cJSON *root = out_root(o);

	/* The client says what it ran, once its lanes were up. */
	if (!b->server && r->nlanes) {
		cJSON_AddStringToObject(root, "op", bw_op_str(b->cfg.op));
		cJSON_AddStringToObject(root, "direction", b->cfg.bidir ? "bidir" :
					b->cfg.reverse ? "server_to_client" : "client_to_server");
		cJSON_AddNumberToObject(root, "window", b->cfg.window);
	}
	if (!b->server && !r->pairs_shown)
		pair_table(o, r);
	/* A failed run shows the sizes that completed, and no empty table. */
	render_rows(o, r, r->nrows > 0 || (r->stop.code == EXIT_OK && !b->server));
	if (r->stop.code == EXIT_OK)
		return b->server || !r->nrows ? EXIT_OK : verdict(o, r);
	return test_render_stop(o, &r->stop);
}
