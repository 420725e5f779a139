// SPDX-License-Identifier: MIT
/* efadiag bw: bandwidth per domain and in aggregate, send or RMA, one thread per domain. */
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <rdma/fi_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fabric_info.h"
#include "host.h"
#include "lane.h"
#include "out.h"
#include "parse.h"
#include "session.h"
#include "util.h"

#define DEFAULT_WINDOW 64
/* Enough bytes per size for a stable number, few enough for a quick sweep. */
#define AUTO_BYTES ((size_t)256 << 20)
#define AUTO_MIN 64
#define AUTO_MAX 100000
#define MAX_COUNT 1000000000L
/* A domain below this share of the median of its siblings is flagged. */
#define WEAK_SHARE 0.8
#define PEER_GRACE_SEC 2.0

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

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* The bw options both ends agree on, carried in the hello. */
struct bw_cfg {
	enum lane_op op;
	bool reverse, bidir, verify;
	unsigned window;
	size_t nlanes;
	double stall_sec;
};

struct bw {
	struct ctx *ctx;
	struct session *s;
	struct bw_cfg cfg;
	bool server;
	struct lane lanes[LANE_MAX];
	char peer_domains[LANE_MAX][64];
	/* uint64 keys mapped from raw keys (FI_MR_RAW), to unmap at the end */
	uint64_t mapped_key[LANE_MAX];
	bool mapped[LANE_MAX];
};

static const size_t default_sizes[] = { 4096, 8192, 16384, 32768, 65536, 131072, 262144,
					524288, 1048576, 2097152, 4194304, 8388608 };

static const char *op_str(enum lane_op op)
{
	return op == LANE_SEND ? "send" : op == LANE_WRITE ? "write" : "read";
}

static enum lane_op op_parse(const char *s)
{
	return !strcmp(s, "write") ? LANE_WRITE : !strcmp(s, "read") ? LANE_READ : LANE_SEND;
}

/* Read and write are asked for separately: some devices offer RDMA read only (p4d). */
static uint64_t caps_for(enum lane_op op)
{
	return op == LANE_SEND  ? FI_MSG :
	       op == LANE_WRITE ? FI_MSG | FI_RMA | FI_WRITE | FI_REMOTE_WRITE :
				  FI_MSG | FI_RMA | FI_READ | FI_REMOTE_READ;
}

/* --- roles ---------------------------------------------------------------------------------- */

/* What this side does for a size: data flows sender -> receiver; read is driven by the reader. */
static void job_for(const struct bw *b, size_t size, long count, struct lane_job *j)
{
	bool client = !b->server;
	bool sends = b->cfg.bidir || (client ? !b->cfg.reverse : b->cfg.reverse);
	bool receives = b->cfg.bidir || (client ? b->cfg.reverse : !b->cfg.reverse);

	memset(j, 0, sizeof(*j));
	j->op = b->cfg.op;
	j->size = size;
	j->count = count;
	j->window = b->cfg.window;
	j->verify = b->cfg.verify;
	j->stall_sec = b->cfg.stall_sec;
	/* Test hook, as for pingpong: lets the suite show that --verify catches corruption. */
	j->corrupt_offset = -1;
	if (getenv("EFADIAG_TEST_CORRUPT_OFFSET") && *getenv("EFADIAG_TEST_CORRUPT_OFFSET"))
		j->corrupt_offset = atol(getenv("EFADIAG_TEST_CORRUPT_OFFSET"));
	switch (b->cfg.op) {
	case LANE_SEND:
		j->initiate = sends;
		j->receive = receives;
		break;
	case LANE_WRITE:
		j->initiate = sends;
		j->passive = receives;
		break;
	case LANE_READ:
		j->initiate = receives;
		j->passive = sends;
		break;
	}
}

/* --- hello ---------------------------------------------------------------------------------- */

static int bw_check_hello(const cJSON *hello, const struct test_params *p, uint64_t *caps,
			  size_t *buf_size, char *err, size_t errlen)
{
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(hello, "op");
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(hello, "window");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(hello, "lanes");

	if (!cJSON_IsString(op) || (strcmp(op->valuestring, "send") && strcmp(op->valuestring, "write") &&
				    strcmp(op->valuestring, "read"))) {
		snprintf(err, errlen, "'op' must be send, write or read");
		return -1;
	}
	if (!cJSON_IsNumber(w) || w->valuedouble < 1 || w->valuedouble > LANE_MAX_WINDOW) {
		snprintf(err, errlen, "'window' must be from 1 to %d", LANE_MAX_WINDOW);
		return -1;
	}
	if (!cJSON_IsNumber(n) || n->valuedouble < 1 || n->valuedouble > LANE_MAX) {
		snprintf(err, errlen, "'lanes' must be from 1 to %d", LANE_MAX);
		return -1;
	}
	*caps = caps_for(op_parse(op->valuestring));
	*buf_size = lane_buf_size(session_max_size(p), (unsigned)w->valuedouble, p->verify);
	return 0;
}

static void cfg_from_hello(struct bw_cfg *c, const cJSON *h, const struct test_params *p)
{
	c->op = op_parse(cJSON_GetObjectItemCaseSensitive(h, "op")->valuestring);
	c->window = (unsigned)cJSON_GetObjectItemCaseSensitive(h, "window")->valuedouble;
	c->nlanes = (size_t)cJSON_GetObjectItemCaseSensitive(h, "lanes")->valuedouble;
	c->reverse = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "reverse"));
	c->bidir = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "bidir"));
	c->verify = p->verify;
	c->stall_sec = p->timeout_sec;
}

/* --- lane setup ----------------------------------------------------------------------------- */

static int open_lane(struct bw *b, size_t i, char *domain, const struct sockaddr *peer,
		     size_t max_size)
{
	struct fab_open_args fa = { .provider = b->s->p.provider, .domains = domain ? &domain : NULL,
				    .ndomains = domain ? 1 : 0, .peer = peer,
				    .caps = caps_for(b->cfg.op),
				    .buf_size = lane_buf_size(max_size, b->cfg.window, b->cfg.verify) };

	if (fab_open(&b->lanes[i].fab, &fa)) {
		out_error(b->ctx->out, "domain %s: %s", domain ? domain : "(any)",
			  b->lanes[i].fab.err_text);
		return -1;
	}
	return 0;
}

static cJSON *lane_addresses(struct bw *b)
{
	cJSON *msg = cJSON_CreateObject(), *arr = msg ? cJSON_AddArrayToObject(msg, "lanes") : NULL;
	size_t i;

	if (!arr) {
		cJSON_Delete(msg);
		return NULL;
	}
	for (i = 1; i < b->cfg.nlanes; i++) {
		cJSON *a = cJSON_CreateObject();

		if (!a || session_add_address(&b->lanes[i].fab, a)) {
			cJSON_Delete(a);
			cJSON_Delete(msg);
			return NULL;
		}
		cJSON_AddItemToArray(arr, a);
	}
	return msg;
}

static int insert_lane_addresses(struct bw *b, const cJSON *msg)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(msg, "lanes"), *a;
	char err[256];
	size_t i = 1;

	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != b->cfg.nlanes - 1) {
		out_error(b->ctx->out, "the peer sent %d lane addresses, %zu expected",
			  cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0, b->cfg.nlanes - 1);
		return -1;
	}
	cJSON_ArrayForEach(a, arr) {
		const cJSON *dom = cJSON_GetObjectItemCaseSensitive(a, "domain");

		if (session_insert_address(&b->lanes[i].fab, a, err, sizeof(err))) {
			out_error(b->ctx->out, "lane %zu: %s", i, err);
			return -1;
		}
		str_copy(b->peer_domains[i], sizeof(b->peer_domains[i]),
			 cJSON_IsString(dom) ? dom->valuestring : "?");
		i++;
	}
	return 0;
}

/* Describes our registered memory for the peer's RMA, per lane (raw keys as hex). */
static cJSON *mr_message(struct bw *b)
{
	cJSON *msg = cJSON_CreateObject(), *arr = msg ? cJSON_AddArrayToObject(msg, "lanes") : NULL;
	size_t i;

	for (i = 0; arr && i < b->cfg.nlanes; i++) {
		struct fab *f = &b->lanes[i].fab;
		cJSON *m = cJSON_CreateObject();
		uint64_t addr, key;
		char text[32];

		if (!m)
			break;
		cJSON_AddItemToArray(arr, m);
		if (f->info->domain_attr->mr_mode & FI_MR_RAW) {
			unsigned char raw[256];
			char hex[2 * sizeof(raw) + 1];
			size_t ks = sizeof(raw);
			uint64_t base = 0;

			if (fi_mr_raw_attr(f->mr, &base, raw, &ks, 0))
				continue;
			fab_addr_to_hex(raw, ks, hex, sizeof(hex));
			cJSON_AddStringToObject(m, "raw_key", hex);
			snprintf(text, sizeof(text), "%llu", (unsigned long long)base);
			cJSON_AddStringToObject(m, "base", text);
		}
		if (lane_describe_mr(&b->lanes[i], &addr, &key))
			continue;
		/* 64-bit values as strings: JSON numbers lose precision past 2^53. */
		snprintf(text, sizeof(text), "%llu", (unsigned long long)addr);
		cJSON_AddStringToObject(m, "addr", text);
		snprintf(text, sizeof(text), "%llu", (unsigned long long)key);
		cJSON_AddStringToObject(m, "key", text);
	}
	return msg;
}

static int take_mr_message(struct bw *b, const cJSON *msg)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(msg, "lanes"), *m;
	size_t i = 0;

	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != b->cfg.nlanes) {
		out_error(b->ctx->out, "the peer described %d memory regions, %zu expected",
			  cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0, b->cfg.nlanes);
		return -1;
	}
	cJSON_ArrayForEach(m, arr) {
		const cJSON *addr = cJSON_GetObjectItemCaseSensitive(m, "addr");
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(m, "key");
		const cJSON *raw = cJSON_GetObjectItemCaseSensitive(m, "raw_key");
		const cJSON *base = cJSON_GetObjectItemCaseSensitive(m, "base");
		struct lane_remote *r = &b->lanes[i].remote;
		struct fab *f = &b->lanes[i].fab;

		if (!cJSON_IsString(addr) || !cJSON_IsString(key)) {
			out_error(b->ctx->out, "lane %zu: the peer's memory region has no key", i);
			return -1;
		}
		r->addr = strtoull(addr->valuestring, NULL, 10);
		r->key = strtoull(key->valuestring, NULL, 10);
		if ((f->info->domain_attr->mr_mode & FI_MR_RAW) && cJSON_IsString(raw) &&
		    cJSON_IsString(base)) {
			unsigned char rk[256];
			size_t ks = sizeof(rk);

			if (fab_addr_from_hex(raw->valuestring, rk, &ks) ||
			    fi_mr_map_raw(f->domain, strtoull(base->valuestring, NULL, 10), rk, ks,
					  &r->key, 0)) {
				out_error(b->ctx->out, "lane %zu: fi_mr_map_raw of the peer's key failed", i);
				return -1;
			}
			b->mapped[i] = true;
			b->mapped_key[i] = r->key;
		}
		r->have = true;
		i++;
	}
	return 0;
}

/* --- one size ------------------------------------------------------------------------------- */

static cJSON *lane_results(struct bw *b)
{
	cJSON *msg = cJSON_CreateObject(), *arr = msg ? cJSON_AddArrayToObject(msg, "lanes") : NULL;
	size_t i;

	for (i = 0; arr && i < b->cfg.nlanes; i++) {
		struct lane *l = &b->lanes[i];
		cJSON *r = cJSON_CreateObject();

		if (!r)
			break;
		cJSON_AddNumberToObject(r, "elapsed", l->job.passive && !l->job.initiate &&
							      !l->job.receive ? 0 : l->elapsed);
		cJSON_AddNumberToObject(r, "err", l->err);
		cJSON_AddNumberToObject(r, "bad_offset", (double)l->bad_offset);
		if (l->err_text[0])
			cJSON_AddStringToObject(r, "err_text", l->err_text);
		cJSON_AddItemToArray(arr, r);
	}
	return msg;
}

static void progress_line(struct bw *b, size_t size, long count, double t0)
{
	char sz[32];
	long done = 0, want = 0;
	size_t i;

	for (i = 0; i < b->cfg.nlanes; i++) {
		done += lane_progress(&b->lanes[i]);
		want += (b->lanes[i].job.initiate || b->lanes[i].job.receive) ? count : 0;
	}
	fprintf(stderr, "\rbw %s: %3.0f%%  %.3f Gbit/s   ", size_str(size, sz, sizeof(sz)),
		want ? 100.0 * (double)done / (double)want : 100.0,
		(double)done * (double)size * 8 / (now_sec() - t0) / 1e9 /
			(b->cfg.bidir ? 2 : 1));
}

/*
 * Runs one size on every lane at once, on both sides. The client has asked for it already
 * (sync sent) when start is called on the server, and the reverse. Returns 0, or an exit code.
 */
static int run_size(struct bw *b, size_t size, long count, cJSON **peer_report)
{
	bool show = !b->ctx->opt.quiet && !b->ctx->opt.json && isatty(2) && !b->server;
	struct lane_job job;
	double t0 = now_sec(), next_show = t0 + 0.5, deadline;
	cJSON *mine;
	size_t i;
	int ret = 0;

	*peer_report = NULL;
	job_for(b, size, count, &job);
	for (i = 0; i < b->cfg.nlanes; i++)
		if (lane_start(&b->lanes[i], &job)) {
			out_error(b->ctx->out, "cannot start a thread for lane %zu", i);
			for (; i > 0; i--) {
				lane_stop(&b->lanes[i - 1]);
				lane_join(&b->lanes[i - 1]);
			}
			return EXIT_ERROR;
		}
	/* Each lane stalls out on its own within the timeout: this loop ends. */
	for (;;) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		bool all = true;

		for (i = 0; i < b->cfg.nlanes; i++)
			all &= lane_finished(&b->lanes[i]);
		if (all)
			break;
		if (show && now_sec() >= next_show) {
			progress_line(b, size, count, t0);
			next_show = now_sec() + 0.2;
		}
		nanosleep(&ts, NULL);
	}
	if (show && next_show > t0 + 0.5)
		fprintf(stderr, "\r%60s\r", "");
	/* Reports cross while the lanes keep progressing: the peer may still need us. */
	mine = lane_results(b);
	deadline = now_sec() + b->cfg.stall_sec + PEER_GRACE_SEC;
	ret = oob_send(&b->s->oob, OOB_RESULT, mine, deadline);
	cJSON_Delete(mine);
	if (!ret)
		ret = oob_expect(&b->s->oob, OOB_RESULT, peer_report,
				 now_sec() + 2 * b->cfg.stall_sec + PEER_GRACE_SEC);
	for (i = 0; i < b->cfg.nlanes; i++)
		lane_stop(&b->lanes[i]);
	for (i = 0; i < b->cfg.nlanes; i++)
		lane_join(&b->lanes[i]);
	if (ret) {
		out_error(b->ctx->out, "%s", ret == -ECONNRESET ?
			  "the peer closed the control connection mid-test (killed?)" : b->s->oob.err);
		return EXIT_ERROR;
	}
	return 0;
}

/* Lane i's elapsed time for the measurement: the later of the two sides' active parts. */
static double lane_elapsed(struct bw *b, size_t i, const cJSON *peer)
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

/* A failure on either side's lanes: says which and returns the exit code (0: none). */
static int lane_failures(struct bw *b, size_t size, const cJSON *peer)
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

/* --- client --------------------------------------------------------------------------------- */

static long auto_count(size_t size)
{
	size_t n = AUTO_BYTES / size;

	return n < AUTO_MIN ? AUTO_MIN : n > AUTO_MAX ? AUTO_MAX : (long)n;
}

/* Asks the server to run a size and runs it here; 0 and the peer's report, or an exit code. */
static int client_size(struct bw *b, size_t size, long count, bool warmup, cJSON **peer)
{
	cJSON *msg = cJSON_CreateObject(), *reply = NULL;
	int ret;

	if (!msg)
		return EXIT_ERROR;
	cJSON_AddStringToObject(msg, "phase", "size");
	cJSON_AddNumberToObject(msg, "bytes", (double)size);
	cJSON_AddNumberToObject(msg, "count", (double)count);
	cJSON_AddBoolToObject(msg, "warmup", warmup);
	ret = oob_send(&b->s->oob, OOB_SYNC, msg, session_deadline(b->s));
	cJSON_Delete(msg);
	if (!ret)
		ret = oob_expect(&b->s->oob, OOB_SYNC, &reply, session_deadline(b->s));
	cJSON_Delete(reply);
	if (ret) {
		out_error(b->ctx->out, "%s", b->s->oob.err);
		return EXIT_ERROR;
	}
	ret = run_size(b, size, count, peer);
	if (!ret)
		ret = lane_failures(b, size, *peer);
	return ret;
}

/* The slowest lane's time for the last run, from both sides' reports. */
static double run_elapsed(struct bw *b, const cJSON *peer)
{
	double e = 0, li;
	size_t i;

	for (i = 0; i < b->cfg.nlanes; i++) {
		li = lane_elapsed(b, i, peer);
		e = li > e ? li : e;
	}
	return e;
}

/*
 * Runs the warmup; with --duration, keeps growing the run until it lasts a tenth of the
 * duration (start-up costs distort a short one), and sets *count from the rate it shows.
 */
static int warmup_and_calibrate(struct bw *b, size_t size, long w, double duration, long *count)
{
	cJSON *peer = NULL;
	double e = 0;
	int round, code;

	for (round = 0; round < 4; round++) {
		code = client_size(b, size, w, true, &peer);
		e = code ? 0 : run_elapsed(b, peer);
		cJSON_Delete(peer);
		peer = NULL;
		if (code)
			return code;
		if (duration <= 0 || e >= duration / 10 || w >= MAX_COUNT / 100)
			break;
		w = e > 0 && duration / 10 / e < 100 ? (long)((double)w * duration / 10 / e) + 1 :
						       w * 100;
	}
	if (duration > 0 && e > 0) {
		double c = (double)w / e * duration;

		*count = c < 1 ? 1 : c > MAX_COUNT ? MAX_COUNT : (long)c;
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

/* One result row: aggregate over lanes, with the per-domain breakdown when there are several. */
static double add_row(struct bw *b, struct out_table *t, size_t size, long count, const cJSON *peer)
{
	double gbps[LANE_MAX], sorted[LANE_MAX], rate = 0, total = 0, med;
	double factor = b->cfg.bidir ? 2 : 1;
	cJSON *row = out_table_row(t), *doms = NULL;
	size_t i, n = b->cfg.nlanes;

	for (i = 0; i < n; i++) {
		double e = lane_elapsed(b, i, peer);

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
		double e = lane_elapsed(b, i, peer);
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

/* The domains the client's lanes use: -d a,b or --all-domains; none for the default choice. */
static size_t client_domains(struct ctx *ctx, char **names)
{
	size_t i;

	if (ctx->opt.all_domains)
		return fabric_domain_names(ctx->opt.provider, names, LANE_MAX);
	for (i = 0; i < ctx->opt.ndomains && i < LANE_MAX; i++)
		names[i] = strdup(ctx->opt.domains[i]);
	return i;
}

static int setup_client_lanes(struct bw *b, char **names, size_t nnames, size_t max_size)
{
	cJSON *msg = NULL, *reply = NULL;
	size_t i;
	int ret;

	for (i = 1; i < b->cfg.nlanes; i++)
		if (open_lane(b, i, names[i], NULL, max_size))
			return EXIT_ERROR;
	(void)nnames;
	if (b->cfg.nlanes > 1) {
		msg = lane_addresses(b);
		cJSON_AddStringToObject(msg, "phase", "lanes");
		ret = oob_send(&b->s->oob, OOB_SYNC, msg, session_deadline(b->s));
		cJSON_Delete(msg);
		if (!ret)
			ret = oob_expect(&b->s->oob, OOB_SYNC, &reply, 2 * b->s->p.timeout_sec + now_sec());
		if (ret || insert_lane_addresses(b, reply)) {
			if (ret)
				out_error(b->ctx->out, "%s", b->s->oob.err);
			cJSON_Delete(reply);
			return EXIT_ERROR;
		}
		cJSON_Delete(reply);
		reply = NULL;
	}
	if (b->cfg.op == LANE_SEND)
		return 0;
	msg = mr_message(b);
	cJSON_AddStringToObject(msg, "phase", "mr");
	ret = oob_send(&b->s->oob, OOB_SYNC, msg, session_deadline(b->s));
	cJSON_Delete(msg);
	if (!ret)
		ret = oob_expect(&b->s->oob, OOB_SYNC, &reply, session_deadline(b->s));
	if (ret || take_mr_message(b, reply)) {
		if (ret)
			out_error(b->ctx->out, "%s", b->s->oob.err);
		cJSON_Delete(reply);
		return EXIT_ERROR;
	}
	cJSON_Delete(reply);
	return 0;
}

static void close_lanes(struct bw *b)
{
	size_t i;

	for (i = b->cfg.nlanes; i > 0; i--) {
		struct lane *l = &b->lanes[i - 1];

		if (b->mapped[i - 1] && l->fab.domain)
			fi_mr_unmap_key(l->fab.domain, b->mapped_key[i - 1]);
		lane_stop(l);
		lane_join(l);
		fab_close(&l->fab);
	}
}

static int bw_client(struct ctx *ctx)
{
	struct bw *b = calloc(1, sizeof(*b));
	struct session s;
	struct test_params p;
	struct out_table *t = NULL;
	char *names[LANE_MAX] = { 0 }, *saved_domain = NULL;
	size_t nnames, k, peak_size = 0, saved_n = ctx->opt.ndomains;
	cJSON *extra = cJSON_CreateObject(), *peer = NULL;
	double peak = 0;
	int code = EXIT_OK;

	if (!b || !extra) {
		free(b);
		cJSON_Delete(extra);
		out_error(ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	b->ctx = ctx;
	b->s = &s;
	b->cfg.op = op_parse(ctx->opt.op);
	b->cfg.reverse = ctx->opt.reverse;
	b->cfg.bidir = ctx->opt.bidir;
	b->cfg.verify = ctx->opt.verify;
	b->cfg.window = ctx->opt.window > 0 ? (unsigned)ctx->opt.window : DEFAULT_WINDOW;
	b->cfg.stall_sec = ctx->opt.timeout_sec;
	nnames = client_domains(ctx, names);
	if (ctx->opt.all_domains && !nnames) {
		out_error(ctx->out, "--all-domains: provider %s has no domain here", ctx->opt.provider);
		code = EXIT_ERROR;
		goto out;
	}
	b->cfg.nlanes = nnames ? nnames : 1;
	session_params(&p, ctx, "bw", default_sizes, NCOLS(default_sizes), -1, -1);
	if (ctx->opt.iterations < 0)
		p.iterations = 1; /* the server's bound check; counts go per size */
	if (ctx->opt.warmup < 0)
		p.warmup = b->cfg.window;
	p.caps = caps_for(b->cfg.op);
	p.buf_size = lane_buf_size(session_max_size(&p), b->cfg.window, b->cfg.verify);
	cJSON_AddStringToObject(extra, "op", op_str(b->cfg.op));
	cJSON_AddNumberToObject(extra, "window", b->cfg.window);
	cJSON_AddNumberToObject(extra, "lanes", (double)b->cfg.nlanes);
	cJSON_AddBoolToObject(extra, "reverse", b->cfg.reverse);
	cJSON_AddBoolToObject(extra, "bidir", b->cfg.bidir);
	p.extra = extra;
	/* Lane 0 goes through the session's handshake on the first of the domains. */
	if (nnames) {
		saved_domain = ctx->opt.ndomains ? ctx->opt.domains[0] : NULL;
		ctx->opt.domains[0] = names[0];
		ctx->opt.ndomains = 1;
	}
	code = session_client_start(&s, ctx, &p, 0);
	if (nnames) {
		ctx->opt.domains[0] = saved_domain;
		ctx->opt.ndomains = saved_n;
	}
	if (code) {
		if (b->cfg.op != LANE_SEND && strstr(s.fab.err_text, "fi_getinfo"))
			out_note(ctx->out, "efadiag: bw: provider %s offers no RMA here: --op %s is not "
				 "available (try --op send)\n", p.provider, op_str(b->cfg.op));
		session_end(&s);
		goto out;
	}
	session_describe(&s);
	b->lanes[0].fab = s.fab;
	memset(&s.fab, 0, sizeof(s.fab));
	str_copy(b->peer_domains[0], sizeof(b->peer_domains[0]), s.peer_domain);
	code = setup_client_lanes(b, names, nnames, session_max_size(&p));
	if (code)
		goto end;
	cJSON_AddStringToObject(out_root(ctx->out), "op", op_str(b->cfg.op));
	cJSON_AddStringToObject(out_root(ctx->out), "direction", b->cfg.bidir ? "bidir" :
						      b->cfg.reverse ? "server_to_client" : "client_to_server");
	cJSON_AddNumberToObject(out_root(ctx->out), "window", b->cfg.window);
	t = out_table_new(ctx->out, "results", NULL, result_cols, NCOLS(result_cols));
	for (k = 0; k < p.nsizes && !code; k++) {
		size_t size = p.sizes[k];
		long count = ctx->opt.iterations > 0 ? ctx->opt.iterations : auto_count(size);
		double gbps;

		/* Warmup, which with --duration also calibrates the count. */
		if (p.warmup > 0 || ctx->opt.duration_sec > 0) {
			code = warmup_and_calibrate(b, size, p.warmup > 0 ? p.warmup : b->cfg.window,
						    ctx->opt.duration_sec, &count);
			if (code)
				break;
		}
		code = client_size(b, size, count, false, &peer);
		if (code)
			break;
		gbps = add_row(b, t, size, count, peer);
		if (gbps > peak)
			peak = gbps, peak_size = size;
		cJSON_Delete(peer);
		peer = NULL;
	}
	cJSON_Delete(peer);
	if (!code) {
		const cJSON *rows = cJSON_GetObjectItemCaseSensitive(out_root(ctx->out), "results");
		const cJSON *last = cJSON_GetArrayItem(rows, cJSON_GetArraySize(rows) - 1);

		oob_send(&s.oob, OOB_BYE, NULL, session_deadline(&s));
		out_table_end(t);
		domain_table(b, last);
		verdict(b, last, peak, peak_size);
		if (cJSON_GetObjectItemCaseSensitive(out_root(ctx->out), "weak_domains"))
			code = EXIT_FAIL;
	} else if (t) {
		if (out_table_rows(t))
			out_table_end(t);
		else
			out_table_discard(t);
	}
end:
	close_lanes(b);
	session_end(&s);
out:
	for (k = 0; k < LANE_MAX; k++)
		free(names[k]);
	cJSON_Delete(extra);
	free(b);
	return code;
}

/* --- server --------------------------------------------------------------------------------- */

static int server_lanes(struct bw *b)
{
	cJSON *msg = NULL, *reply;
	const cJSON *arr, *a;
	char *names[LANE_MAX] = { 0 };
	size_t nnames = 0, i = 1;
	int ret, code = 0;

	if (b->cfg.nlanes > 1) {
		ret = oob_expect(&b->s->oob, OOB_SYNC, &msg, session_deadline(b->s));
		arr = cJSON_GetObjectItemCaseSensitive(msg, "lanes");
		if (ret || !cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != b->cfg.nlanes - 1) {
			out_error(b->ctx->out, "client %s: %s", b->s->oob.peer,
				  ret ? b->s->oob.err : "bad lanes message");
			cJSON_Delete(msg);
			return EXIT_ERROR;
		}
		/* Our domains, in order, for providers whose addresses say nothing of subnets. */
		if (b->ctx->opt.ndomains)
			for (; nnames < b->ctx->opt.ndomains && nnames < LANE_MAX; nnames++)
				names[nnames] = strdup(b->ctx->opt.domains[nnames]);
		else
			nnames = fabric_domain_names(b->s->p.provider, names, LANE_MAX);
		cJSON_ArrayForEach(a, arr) {
			struct sockaddr_storage ss;
			const cJSON *ip = cJSON_GetObjectItemCaseSensitive(a, "ip");
			const cJSON *dom = cJSON_GetObjectItemCaseSensitive(a, "domain");
			struct sockaddr *peer = NULL;
			char err[256];

			memset(&ss, 0, sizeof(ss));
			if (cJSON_IsString(ip) && session_ip_from_text(ip->valuestring, &ss))
				peer = (struct sockaddr *)&ss;
			/* Fewer domains than lanes: several endpoints share one (shm has one domain). */
			if ((!peer && !nnames) ||
			    open_lane(b, i, peer ? NULL : names[i % (nnames ? nnames : 1)], peer,
				      session_max_size(&b->s->p)) ||
			    session_insert_address(&b->lanes[i].fab, a, err, sizeof(err))) {
				if (!peer && !nnames)
					out_error(b->ctx->out, "provider %s has no domain here",
						  b->s->p.provider);
				code = EXIT_ERROR;
				break;
			}
			str_copy(b->peer_domains[i], sizeof(b->peer_domains[i]),
				 cJSON_IsString(dom) ? dom->valuestring : "?");
			i++;
		}
		cJSON_Delete(msg);
		for (i = 0; i < LANE_MAX; i++)
			free(names[i]);
		if (code) {
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(out_root(b->ctx->out), "error"), "message");

			oob_send_error(&b->s->oob, cJSON_IsString(m) ? m->valuestring : "lane setup failed",
				       now_sec() + 1);
			return code;
		}
		reply = lane_addresses(b);
		ret = oob_send(&b->s->oob, OOB_SYNC, reply, session_deadline(b->s));
		cJSON_Delete(reply);
		if (ret)
			return EXIT_ERROR;
	}
	if (b->cfg.op == LANE_SEND)
		return 0;
	ret = oob_expect(&b->s->oob, OOB_SYNC, &msg, session_deadline(b->s));
	if (ret || take_mr_message(b, msg)) {
		if (ret)
			out_error(b->ctx->out, "client %s: %s", b->s->oob.peer, b->s->oob.err);
		cJSON_Delete(msg);
		return EXIT_ERROR;
	}
	cJSON_Delete(msg);
	reply = mr_message(b);
	ret = oob_send(&b->s->oob, OOB_SYNC, reply, session_deadline(b->s));
	cJSON_Delete(reply);
	return ret ? EXIT_ERROR : 0;
}

static int bw_serve(struct session *s)
{
	struct bw *b = calloc(1, sizeof(*b));
	struct out_table *t;
	cJSON *m = NULL, *peer = NULL;
	int type, ret, code;

	if (!b) {
		out_error(s->ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	b->ctx = s->ctx;
	b->s = s;
	b->server = true;
	cfg_from_hello(&b->cfg, s->hello, &s->p);
	b->lanes[0].fab = s->fab;
	memset(&s->fab, 0, sizeof(s->fab));
	str_copy(b->peer_domains[0], sizeof(b->peer_domains[0]), s->peer_domain);
	code = server_lanes(b);
	t = out_table_new(s->ctx->out, "results", NULL, result_cols, NCOLS(result_cols));
	while (!code) {
		const cJSON *bytes, *count;

		ret = oob_recv(&s->oob, &type, &m, now_sec() + 2 * s->p.timeout_sec + PEER_GRACE_SEC);
		if (ret) {
			out_error(s->ctx->out, "client %s: %s", s->oob.peer, s->oob.err);
			code = EXIT_ERROR;
			break;
		}
		if (type == OOB_BYE)
			break;
		bytes = cJSON_GetObjectItemCaseSensitive(m, "bytes");
		count = cJSON_GetObjectItemCaseSensitive(m, "count");
		if (type != OOB_SYNC || !cJSON_IsNumber(bytes) || !cJSON_IsNumber(count) ||
		    bytes->valuedouble < 1 || bytes->valuedouble > (double)session_max_size(&s->p) ||
		    count->valuedouble < 1 || count->valuedouble > MAX_COUNT) {
			out_error(s->ctx->out, "client %s: unexpected %s message", s->oob.peer,
				  oob_type_str(type));
			oob_send_error(&s->oob, "unexpected message during bw", now_sec() + 1);
			code = EXIT_ERROR;
			break;
		}
		/* Lanes run before the go, so our receives wait for the client's first sends. */
		if (oob_send(&s->oob, OOB_SYNC, NULL, session_deadline(s))) {
			code = EXIT_ERROR;
			break;
		}
		code = run_size(b, (size_t)bytes->valuedouble, (long)count->valuedouble, &peer);
		if (!code)
			code = lane_failures(b, (size_t)bytes->valuedouble, peer);
		/* Warmup and calibration runs are not results: the client does not show them. */
		if (!code && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "warmup")))
			add_row(b, t, (size_t)bytes->valuedouble, (long)count->valuedouble, peer);
		cJSON_Delete(peer);
		peer = NULL;
		cJSON_Delete(m);
		m = NULL;
	}
	cJSON_Delete(m);
	if (out_table_rows(t))
		out_table_end(t);
	else
		out_table_discard(t);
	if (code == EXIT_FAIL)
		out_fail(s->ctx->out);
	close_lanes(b);
	free(b);
	return code;
}

const struct test_entry test_bw = {
	.name = "bw",
	.caps = FI_MSG,
	.serve = bw_serve,
	.check_hello = bw_check_hello,
};

/* --- loopback ------------------------------------------------------------------------------- */

struct loop_server {
	struct ctx ctx;
	int fd;
	int code;
};

static void *loop_server_main(void *arg)
{
	struct loop_server *ls = arg;

	ls->code = session_serve_fd(&ls->ctx, ls->fd, "bw");
	return NULL;
}

/*
 * Both ends in this process: the server half runs on a thread of its own and the two halves
 * speak the control protocol over a socket pair, so loopback runs exactly the code two nodes do.
 */
static int bw_loopback(struct ctx *ctx)
{
	struct loop_server ls;
	pthread_t thread;
	int sv[2], code;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv)) {
		out_error(ctx->out, "socketpair: %s", strerror(errno));
		return EXIT_ERROR;
	}
	memset(&ls, 0, sizeof(ls));
	ls.ctx = *ctx;
	ls.ctx.host = NULL;
	ls.ctx.opt.quiet = true;
	ls.ctx.opt.provider_set = false;
	ls.ctx.opt.ndomains = 0; /* the server follows the client's domains by subnet */
	/* The server half's document is never printed: the client reports. */
	ls.ctx.out = out_new("bw", true, true);
	ls.fd = sv[1];
	if (!ls.ctx.out || pthread_create(&thread, NULL, loop_server_main, &ls)) {
		out_free(ls.ctx.out);
		close(sv[0]);
		close(sv[1]);
		out_error(ctx->out, "cannot start the loopback server thread");
		return EXIT_ERROR;
	}
	cJSON_AddStringToObject(out_root(ctx->out), "mode", "loopback");
	ctx->loop_fd = sv[0];
	code = bw_client(ctx);
	ctx->loop_fd = 0;
	pthread_join(thread, NULL);
	close(sv[1]);
	out_free(ls.ctx.out);
	return code;
}

static int bw_validate(struct ctx *ctx)
{
	const struct opts *o = &ctx->opt;

	if (o->reverse && o->bidir)
		return cli_usage_error(ctx, "--reverse and --bidir exclude each other");
	if (o->all_domains && o->ndomains)
		return cli_usage_error(ctx, "--all-domains and -d exclude each other");
	if (o->duration_sec > 0 && o->iterations > 0)
		return cli_usage_error(ctx, "--duration and -I/--iterations exclude each other");
	return session_validate_peer(ctx);
}

static int bw_run(struct ctx *ctx)
{
	return session_run_test(ctx, "bw", bw_loopback, bw_client);
}

const struct cmd_entry cmd_bw = {
	.name = "bw",
	.summary = "bandwidth per domain and in aggregate (send, RMA write or read)",
	.usage = "[HOST]",
	.bit = CMDBIT_BW,
	.flags = CMD_HOST_OPTIONAL,
	.validate = bw_validate,
	.run = bw_run,
};
