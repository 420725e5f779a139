// SPDX-License-Identifier: MIT
/* efadiag bw: bandwidth per domain and in aggregate, send or RMA, one thread per domain. */
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/bw.h"
#include "cmd/common-options.h"
#include "ui/cli.h"
#include "fabric/discover.h"
#include "measure/lanes.h"
#include "ui/out.h"
#include "ui/parse.h"
#include "ctl/session.h"
#include "util.h"

#define DEFAULT_WINDOW 64
/* Enough bytes per size for a stable number, few enough for a quick sweep. */
#define AUTO_BYTES ((size_t)256 << 20)
#define AUTO_MIN 64
#define AUTO_MAX 100000
#define MAX_COUNT 1000000000L
#define PEER_GRACE_SEC 2.0

static const struct out_col result_cols[] = {
	{ "bytes", "BYTES", OUT_INT, 0, 0 },
	{ "iterations", "ITERS", OUT_INT, 0, 0 },
	{ "bw_gbps", "BW(Gbit/s)", OUT_DBL, 3, 0 },
	{ "msg_rate_mps", "RATE(Mmsg/s)", OUT_DBL, 4, 0 },
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
	*caps = bw_caps(op_parse(op->valuestring));
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
		ret = bw_lane_failures(b, size, *peer);
	return ret;
}

/* The slowest lane's time for the last run, from both sides' reports. */
static double run_elapsed(struct bw *b, const cJSON *peer)
{
	double e = 0, li;
	size_t i;

	for (i = 0; i < b->cfg.nlanes; i++) {
		li = bw_lane_elapsed(b, i, peer);
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
	p.caps = bw_caps(b->cfg.op);
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
		/* fab_open itself names a provider that lacks the RMA operation asked for. */
		session_end(&s);
		goto out;
	}
	session_describe(&s);
	b->lanes[0].fab = s.fab;
	memset(&s.fab, 0, sizeof(s.fab));
	str_copy(b->peer_domains[0], sizeof(b->peer_domains[0]), s.peer_domain);
	code = bw_client_lanes(b, names, session_max_size(&p));
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
		gbps = bw_add_row(b, t, size, count, peer);
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
		bw_finish_report(b, last, peak, peak_size);
		if (cJSON_GetObjectItemCaseSensitive(out_root(ctx->out), "weak_domains"))
			code = EXIT_FAIL;
	} else if (t) {
		if (out_table_rows(t))
			out_table_end(t);
		else
			out_table_discard(t);
	}
end:
	bw_close_lanes(b);
	session_end(&s);
out:
	for (k = 0; k < LANE_MAX; k++)
		free(names[k]);
	cJSON_Delete(extra);
	free(b);
	return code;
}

/* --- server --------------------------------------------------------------------------------- */

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
	code = bw_server_lanes(b);
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
			code = bw_lane_failures(b, (size_t)bytes->valuedouble, peer);
		/* Warmup and calibration runs are not results: the client does not show them. */
		if (!code && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "warmup")))
			bw_add_row(b, t, (size_t)bytes->valuedouble, (long)count->valuedouble, peer);
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
	bw_close_lanes(b);
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

static const char *const bw_ops[] = { "send", "write", "read", NULL };

static const struct opt_def bw_options[] = {
	{ .name = "window", .letter = 'W', .arg = "N", OPT_LONG(window, 1, 1024),
	  .help = "operations in flight per domain (default 64, at most 1024)" },
	{ .name = "op", .arg = "OP", OPT_WORD(op, bw_ops, "not an operation (send, write or read)"),
	  .help = "send (default), write or read (RMA)" },
	{ .name = "reverse", OPT_FLAG(reverse), .help = "data from server to client" },
	{ .name = "bidir", OPT_FLAG(bidir), .help = "data both ways at once" },
	{ .name = "duration", .arg = "SEC", OPT_SECONDS(duration_sec, 0.01, 3600),
	  .help = "run each size for about SEC seconds instead of -I iterations" },
	{ .name = "all-domains", OPT_FLAG(all_domains),
	  .help = "one endpoint and thread per domain of the provider, all at once" },
	OPT_END,
};

const struct cmd_entry cmd_bw = {
	.name = "bw",
	.summary = "bandwidth per domain and in aggregate (send, RMA write or read)",
	.usage = "[HOST]",
	.options = (const struct opt_def *const[]){ options_measure, options_peer, bw_options,
						    options_token, NULL },
	.flags = CMD_HOST_OPTIONAL,
	.validate = bw_validate,
	.run = bw_run,
};
