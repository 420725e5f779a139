// SPDX-License-Identifier: MIT
/* bw's report: rows from both sides' lane timings, failures named, the per-domain verdict. */
#include <rdma/fi_errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/bw.h"
#include "host/host.h"
#include "ui/parse.h"
#include "util.h"

/* A domain below this share of the median of its siblings is flagged. */
#define WEAK_SHARE 0.8

static const struct out_col domain_cols[] = {
	{ "domain", "DOMAIN", OUT_STR, 0, 0 },
	{ "peer_domain", "PEER", OUT_STR, 0, 0 },
	{ "bw_gbps", "BW(Gbit/s)", OUT_DBL, 3, 0 },
	{ "msg_rate_mps", "RATE(Mmsg/s)", OUT_DBL, 4, 0 },
	{ "weak", "BELOW 80% OF MEDIAN", OUT_BOOL, 0, 0 },
};

double bw_lane_elapsed(const struct bw *b, size_t i, const cJSON *peer)
{
	const cJSON *pl = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(peer, "lanes"), (int)i);
	const cJSON *pe = cJSON_GetObjectItemCaseSensitive(pl, "elapsed");
	double mine = b->lanes[i].job.initiate || b->lanes[i].job.receive ? b->lanes[i].elapsed : 0;
	double theirs = cJSON_IsNumber(pe) ? pe->valuedouble : 0;

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

int bw_lane_failures(struct bw *b, size_t size, const cJSON *peer)
{
	char sz[32], hint[160];
	size_t i;

	size_str(size, sz, sizeof(sz));
	snprintf(hint, sizeof(hint), "run 'efadiag sg-check %s' to check both directions",
		 b->ctx->host ? b->ctx->host : "--exec ...");
	for (i = 0; i < b->cfg.nlanes; i++) {
		const cJSON *pl = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(peer, "lanes"),
						     (int)i);
		const cJSON *perr = cJSON_GetObjectItemCaseSensitive(pl, "err");
		const cJSON *ptext = cJSON_GetObjectItemCaseSensitive(pl, "err_text");
		const cJSON *pbad = cJSON_GetObjectItemCaseSensitive(pl, "bad_offset");
		struct lane *l = &b->lanes[i];
		const char *dom = fab_domain_name(&l->fab);
		int perr_v = cJSON_IsNumber(perr) ? (int)perr->valuedouble : 0;

		if (l->bad_offset >= 0 || (cJSON_IsNumber(pbad) && pbad->valuedouble >= 0)) {
			out_error(b->ctx->out, "--verify: payload differs at size %s on domain %s, offset "
				  "%ld (%s side)", sz, dom, l->bad_offset >= 0 ? l->bad_offset :
				  (long)pbad->valuedouble, l->bad_offset >= 0 ? "this" : "peer's");
			return EXIT_FAIL;
		}
		if (l->err == -FI_ETIMEDOUT || perr_v == -FI_ETIMEDOUT) {
			/* Both sides' counts: which end stopped seeing completions says the direction. */
			out_error(b->ctx->out, "the fabric stopped delivering %s at size %s on domain %s "
				  "(this side: %s; peer: %s): %s", data_direction(b), sz, dom,
				  l->err_text[0] ? l->err_text : "finished",
				  cJSON_IsString(ptext) ? ptext->valuestring : "finished", hint);
			return EXIT_FAIL;
		}
		if (l->err || perr_v) {
			out_error(b->ctx->out, "size %s, domain %s: %s", sz, dom, l->err ? l->err_text :
				  cJSON_IsString(ptext) ? ptext->valuestring : "peer failed");
			return l->fab.err_class == FAB_ERR_UNREACHABLE ? EXIT_FAIL : EXIT_ERROR;
		}
	}
	return 0;
}

static double median(double *v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bw_add_row(struct bw *b, struct out_table *t, size_t size, long count, const cJSON *peer)
{
	double gbps[LANE_MAX], sorted[LANE_MAX], rate = 0, total = 0, med;
	double factor = b->cfg.bidir ? 2 : 1;
	cJSON *row = out_table_row(t), *doms = NULL;
	size_t i, n = b->cfg.nlanes;

	for (i = 0; i < n; i++) {
		double e = bw_lane_elapsed(b, i, peer);

		gbps[i] = e > 0 ? factor * (double)size * (double)count * 8 / e / 1e9 : 0;
		total += gbps[i];
		rate += e > 0 ? factor * (double)count / e / 1e6 : 0;
	}
	out_set_num(row, "bytes", (double)size);
	out_set_num(row, "iterations", (double)count);
	out_set_num(row, "bw_gbps", total);
	out_set_num(row, "msg_rate_mps", rate);
	if (n < 2)
		return total;
	out_set_num(row, "aggregate_gbps", total);
	doms = cJSON_AddArrayToObject(row, "domains");
	for (i = 0; doms && i < n; i++) {
		cJSON *d = cJSON_CreateObject();
		double e = bw_lane_elapsed(b, i, peer);
		size_t j, m = 0;

		if (!d)
			break;
		/* Compared with the median of its siblings: the other domains, not itself. */
		for (j = 0; j < n; j++)
			if (j != i)
				sorted[m++] = gbps[j];
		med = median(sorted, m);
		out_set_str(d, "domain", "%s", fab_domain_name(&b->lanes[i].fab));
		out_set_str(d, "peer_domain", "%s", b->peer_domains[i]);
		out_set_num(d, "bw_gbps", gbps[i]);
		out_set_num(d, "msg_rate_mps", e > 0 ? factor * (double)count / e / 1e6 : 0);
		out_set_bool(d, "weak", gbps[i] < WEAK_SHARE * med);
		cJSON_AddItemToArray(doms, d);
	}
	return total;
}

/* People get the per-domain table of the largest size, where NICs show their real rate. */
static void domain_table(struct bw *b, const cJSON *row)
{
	const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(row, "bytes");
	char title[96], sz[32];

	snprintf(title, sizeof(title), "Per domain at %s:",
		 size_str(cJSON_IsNumber(bytes) ? (size_t)bytes->valuedouble : 0, sz, sizeof(sz)));
	/* The JSON keeps the breakdown inside each result row; people get it once, here. */
	out_print_rows(b->ctx->out, title, domain_cols, NCOLS(domain_cols),
		       cJSON_GetObjectItemCaseSensitive(row, "domains"));
}

static void verdict(struct bw *b, const cJSON *last, double peak, size_t peak_size)
{
	const cJSON *doms = cJSON_GetObjectItemCaseSensitive(last, "domains"), *d;
	struct host_facts h;
	char sz[32], weak[256] = "";
	size_t used = 0;

	host_collect(&h);
	cJSON_ArrayForEach(d, doms)
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "weak")) && used < sizeof(weak))
			used += (size_t)snprintf(weak + used, sizeof(weak) - used, "%s%s", used ? ", " : "",
						 cJSON_GetObjectItemCaseSensitive(d, "domain")->valuestring);
	if (cJSON_IsArray(doms))
		out_set_num(out_root(b->ctx->out), "aggregate_gbps",
			    cJSON_GetObjectItemCaseSensitive(last, "bw_gbps")->valuedouble);
	if (h.line_rate_gbps > 0) {
		out_set_num(out_root(b->ctx->out), "line_rate_gbps", h.line_rate_gbps);
		out_set_num(out_root(b->ctx->out), "line_rate_share", peak / h.line_rate_gbps);
	}
	if (weak[0]) {
		out_verdict(b->ctx->out, "WEAK: %s below %.0f%% of the median of the other domains; "
			    "peak %.3f Gbit/s at %s", weak, WEAK_SHARE * 100, peak,
			    size_str(peak_size, sz, sizeof(sz)));
		out_set_str(out_root(b->ctx->out), "weak_domains", "%s", weak);
		out_fail(b->ctx->out);
		return;
	}
	if (h.line_rate_gbps > 0)
		out_verdict(b->ctx->out, "OK: peak %.3f Gbit/s at %s, %.1f%% of %s's %d Gbit/s",
			    peak, size_str(peak_size, sz, sizeof(sz)), 100 * peak / h.line_rate_gbps,
			    h.instance_type, h.line_rate_gbps);
	else
		out_verdict(b->ctx->out, "OK: peak %.3f Gbit/s at %s over %zu domain%s", peak,
			    size_str(peak_size, sz, sizeof(sz)), b->cfg.nlanes,
			    b->cfg.nlanes == 1 ? "" : "s");
}

void bw_finish_report(struct bw *b, const cJSON *last, double peak, size_t peak_size)
{
	domain_table(b, last);
	verdict(b, last, peak, peak_size);
}
