// SPDX-License-Identifier: MIT
/* efadiag bw: bandwidth per domain and in aggregate, send or RMA, one thread per domain. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/bw.h"
#include "cmd/common-options.h"
#include "cmd/test.h"
#include "cmd/test-counters.h"
#include "fabric/discover.h"
#include "host/host.h"
#include "host/sysfs.h"
#include "ui/cli.h"
#include "ui/parse.h"
#include "util.h"

#define DEFAULT_WINDOW 64
/* Enough bytes per size for a stable number, few enough for a quick sweep. */
#define AUTO_BYTES ((size_t)256 << 20)
#define AUTO_MIN 64
#define AUTO_MAX 100000
#define PEER_GRACE_SEC 2.0
/*
 * After this side's lanes end (count done, or -t without a completion), the peer's report is
 * due within -t and this: its lanes end by the same rule. With the lanes' own -t before it and
 * the drain of their operations after it, a stopped peer or fabric ends bw within
 * 2 x -t + 2 s (documented in the man page).
 */
#define REPORT_GRACE_SEC 1.0

static const size_t default_sizes[] = { 4096, 8192, 16384, 32768, 65536, 131072, 262144,
					524288, 1048576, 2097152, 4194304, 8388608 };

static enum lane_op op_parse(const char *s)
{
	return !strcmp(s, "write") ? LANE_WRITE : !strcmp(s, "read") ? LANE_READ : LANE_SEND;
}

static void cfg_from_hello(struct bw_cfg *c, const struct msg_hello *h)
{
	c->op = op_parse(h->bw.op);
	c->window = h->bw.window;
	c->nlanes = h->bw.lanes;
	c->reverse = h->bw.reverse;
	c->bidir = h->bw.bidir;
	c->verify = h->verify;
	c->stall_sec = h->timeout_sec;
}

/* --- roles ---------------------------------------------------------------------------------- */

/* What this side does for a size: data flows sender -> receiver; read is driven by the reader. */
static void job_for(const struct bw *b, size_t size, long count, struct lane_job *j)
{
	const char *corrupt = getenv("EFADIAG_TEST_CORRUPT_OFFSET");
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
	j->corrupt_offset = corrupt && *corrupt ? atol(corrupt) : -1;
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

/* --- one size ------------------------------------------------------------------------------- */

static void lane_reports(const struct bw *b, struct msg *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->kind = MSG_BW_REPORT;
	m->u.bw_report.n = b->cfg.nlanes;
	for (i = 0; i < b->cfg.nlanes; i++) {
		const struct lane *l = &b->lanes[i];
		struct lane_report *r = &m->u.bw_report.lanes[i];

		/* A passive RMA target has no time of its own: the initiator's counts. */
		r->elapsed = l->job.passive && !l->job.initiate && !l->job.receive ? 0 :
											   l->res.elapsed;
		r->err = l->res.err;
		r->bad_offset = l->res.bad_offset;
		str_copy(r->err_text, sizeof(r->err_text), l->res.err_text);
	}
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
	fprintf(stderr, "\rbw %s: %3.0f%%  %.3f Gbit/s   ", size_text(size, sz, sizeof(sz)),
		want ? 100.0 * (double)done / (double)want : 100.0,
		(double)done * (double)size * 8 / (now_sec() - t0) / 1e9 /
			(b->cfg.bidir ? 2 : 1));
}

/*
 * Runs one size on every lane at once, on both sides, and swaps the sides' reports. The
 * client has asked for it already when this runs on the server, and the reverse. Returns 0
 * with the peer's report in *peer, or an exit code.
 */
static int run_size(struct bw *b, size_t size, long count, struct msg *peer)
{
	bool show = !b->ctx->opt.quiet && !b->ctx->opt.json && isatty(2) && !b->server;
	struct lane_job job;
	double t0 = now_sec(), next_show = t0 + 0.5, deadline;
	struct msg mine;
	size_t i;
	int ret = 0;

	job_for(b, size, count, &job);
	for (i = 0; i < b->cfg.nlanes; i++)
		if (lane_start(&b->lanes[i], &job)) {
			for (; i > 0; i--) {
				lane_stop(&b->lanes[i - 1]);
				lane_join(&b->lanes[i - 1]);
			}
			return test_stop(&b->rep.stop, EXIT_ERROR, "cannot start a thread for lane %zu", i);
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
	lane_reports(b, &mine);
	deadline = now_sec() + b->cfg.stall_sec + REPORT_GRACE_SEC;
	ret = proto_send(&b->s->oob, &mine, deadline);
	if (!ret)
		ret = proto_expect(&b->s->oob, MSG_BW_REPORT, peer, deadline);
	for (i = 0; i < b->cfg.nlanes; i++)
		lane_stop(&b->lanes[i]);
	for (i = 0; i < b->cfg.nlanes; i++)
		lane_join(&b->lanes[i]);
	if (ret == -ECONNRESET)
		return test_stop(&b->rep.stop, EXIT_ERROR, "the peer closed the control connection "
				 "mid-test (killed?)");
	if (ret == -ETIMEDOUT)
		return test_stop(&b->rep.stop, EXIT_ERROR, "the peer sent no report of size %s within "
				 "%.3g s of this side's end (stopped, or hung?)",
				 size_text(size, (char[32]){ 0 }, 32),
				 b->cfg.stall_sec + REPORT_GRACE_SEC);
	if (ret)
		return test_stop(&b->rep.stop, EXIT_ERROR, "%s", b->s->oob.err);
	return bw_lane_failures(b, size, &peer->u.bw_report);
}

/* --- client --------------------------------------------------------------------------------- */

static long auto_count(size_t size)
{
	size_t n = AUTO_BYTES / size;

	return n < AUTO_MIN ? AUTO_MIN : n > AUTO_MAX ? AUTO_MAX : (long)n;
}

/* Asks the server to run a size and runs it here; 0 and the peer's report, or an exit code. */
static int client_size(struct bw *b, size_t size, long count, bool warmup, struct msg *peer)
{
	struct msg m = { .kind = MSG_BW_SIZE,
			 .u.bw_size = { .bytes = size, .count = count, .warmup = warmup } };
	int ret;

	ret = proto_send(&b->s->oob, &m, session_deadline(b->s));
	if (!ret)
		ret = proto_expect(&b->s->oob, MSG_GO, &m, session_deadline(b->s));
	if (ret)
		return test_stop(&b->rep.stop, EXIT_ERROR, "%s", b->s->oob.err);
	return run_size(b, size, count, peer);
}

/* The slowest lane's time for the last run, from both sides' reports. */
static double run_elapsed(struct bw *b, const struct msg *peer)
{
	double e = 0, li;
	size_t i;

	for (i = 0; i < b->cfg.nlanes; i++) {
		li = bw_lane_elapsed(b, i, &peer->u.bw_report);
		e = li > e ? li : e;
	}
	return e;
}

/*
 * Runs the warmup; with --duration, keeps growing the run until it lasts a tenth of the
 * duration (start-up costs distort a short one), and sets *count from the rate it shows.
 */
static int warmup_and_calibrate(struct bw *b, size_t size, long w, double duration, long *count,
				struct msg *peer)
{
	double e = 0;
	int round, code;

	for (round = 0; round < 4; round++) {
		code = client_size(b, size, w, true, peer);
		if (code)
			return code;
		e = run_elapsed(b, peer);
		if (duration <= 0 || e >= duration / 10 || w >= PROTO_MAX_COUNT / 100)
			break;
		w = e > 0 && duration / 10 / e < 100 ? (long)((double)w * duration / 10 / e) + 1 :
						       w * 100;
	}
	if (duration > 0 && e > 0) {
		double c = (double)w / e * duration;

		*count = c < 1 ? 1 : c > PROTO_MAX_COUNT ? PROTO_MAX_COUNT : (long)c;
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

/* The hello of a bw client: its options, which the server must follow. */
static void bw_hello(struct msg_hello *h, struct ctx *ctx, const struct bw_cfg *cfg)
{
	test_hello(h, ctx, "bw", default_sizes, NCOLS(default_sizes), -1, -1);
	if (ctx->opt.iterations < 0)
		h->iterations = 1; /* the server's bound check; counts go per size */
	if (ctx->opt.warmup < 0)
		h->warmup = cfg->window;
	str_copy(h->bw.op, sizeof(h->bw.op), bw_op_str(cfg->op));
	h->bw.window = cfg->window;
	h->bw.lanes = (unsigned)cfg->nlanes;
	h->bw.reverse = cfg->reverse;
	h->bw.bidir = cfg->bidir;
}

/*
 * With --duration: a warmup slowed by start-up costs or a busy CPU calibrates too small a
 * count, and the run ends well short of the duration. Such a run is made again at the rate it
 * showed, so the run reported lasts about as long as asked. On a loaded node the rate of a
 * short run is no guide to the next (one run of 119 operations took 0.18 s, the next of 196
 * took 0.05 s), so a short run at least doubles the count and gets up to RERUN_MAX more
 * tries, not two; and no run is extrapolated more than RERUN_GROWTH_MAX times (a run of
 * 0.5 ms once asked for a count that took 20 times the duration).
 */
#define RERUN_MAX 8
#define RERUN_GROWTH_MIN 2.0
#define RERUN_GROWTH_MAX 100.0
static int rerun_short(struct bw *b, size_t size, double duration, long *count, struct msg *peer)
{
	int tries;

	for (tries = 0; duration > 0 && tries < RERUN_MAX; tries++) {
		double e = run_elapsed(b, peer), g, c;

		if (e <= 0 || e >= 0.8 * duration || *count >= PROTO_MAX_COUNT)
			break;
		g = duration / e;
		g = g < RERUN_GROWTH_MIN ? RERUN_GROWTH_MIN :
		    g > RERUN_GROWTH_MAX ? RERUN_GROWTH_MAX : g;
		c = (double)*count * g + 1;
		*count = c > PROTO_MAX_COUNT ? PROTO_MAX_COUNT : (long)c;
		if (client_size(b, size, *count, false, peer))
			return -1;
	}
	return 0;
}

/* The largest count any of the sizes runs by default. */
static long widest_auto_count(const size_t *sizes, size_t n)
{
	long most = 0;
	size_t k;

	for (k = 0; k < n; k++)
		most = auto_count(sizes[k]) > most ? auto_count(sizes[k]) : most;
	return most;
}

/* Every size: warmup (and calibration), then the measured run. */
static void client_sizes(struct bw *b, const struct msg_hello *h, struct msg *peer)
{
	const struct opts *o = &b->ctx->opt;
	size_t k;

	/* --duration calibrates counts as it goes: up to the protocol's bound. */
	bw_rows_begin(b, h->sizes, h->nsizes,
		      o->iterations > 0 ? o->iterations :
		      o->duration_sec > 0 ? PROTO_MAX_COUNT :
					    widest_auto_count(h->sizes, h->nsizes));

	for (k = 0; k < h->nsizes && !b->rep.stop.code; k++) {
		size_t size = h->sizes[k];
		long count = o->iterations > 0 ? o->iterations : auto_count(size);

		/* Warmup, which with --duration also calibrates the count. */
		if ((h->warmup > 0 || o->duration_sec > 0) &&
		    warmup_and_calibrate(b, size, h->warmup > 0 ? h->warmup : b->cfg.window,
					 o->duration_sec, &count, peer))
			break;
		if (!client_size(b, size, count, false, peer) &&
		    !rerun_short(b, size, o->duration_sec, &count, peer))
			bw_add_row(b, size, count, &peer->u.bw_report);
	}
}

static int bw_client(struct ctx *ctx, const struct session_target *t)
{
	struct bw *b = calloc(1, sizeof(*b));
	struct msg *peer = malloc(sizeof(*peer));
	struct session s;
	struct session_target lane0 = *t;
	struct msg_hello h;
	struct host_facts facts;
	char *names[LANE_MAX] = { 0 };
	struct test_counters tc = { 0 };
	char *domain;
	size_t nnames, k;
	int code = 0;

	if (!b || !peer) {
		free(b);
		free(peer);
		out_error(ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	session_init(&s);
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
		test_stop(&b->rep.stop, EXIT_ERROR, "--all-domains: provider %s has no domain here",
			ctx->opt.provider);
		goto out;
	}
	b->cfg.nlanes = nnames ? nnames : 1;
	bw_hello(&h, ctx, &b->cfg);
	/* Lane 0 goes through the session's handshake on the first of the domains. */
	if (nnames) {
		lane0.domains = names;
		lane0.ndomains = 1;
	}
	/* A session that cannot be set up is reported there: nothing else to render. */
	code = test_client_start(ctx, &s, &lane0, &h, bw_caps(b->cfg.op), 0);
	if (!code) {
		domain = (char *)fab_domain_name(&s.ep);
		if (nnames)
			test_counters_start(&tc, names, nnames);
		else
			test_counters_start(&tc, &domain, 1);
		if (!bw_client_lanes(b, names, test_max_size(&h)))
			client_sizes(b, &h, peer);
		if (!b->rep.stop.code)
			proto_send_kind(&s.oob, MSG_BYE, session_deadline(&s));
		/* The share of the line rate needs the instance type: learnt here, not while
		 * rendering. */
		host_collect(&facts);
		b->rep.line_rate_gbps = facts.line_rate_gbps;
		str_copy(b->rep.instance_type, sizeof(b->rep.instance_type), facts.instance_type);
	}
out:
	bw_close_lanes(b);
	session_end(&s);
	for (k = 0; k < LANE_MAX; k++)
		free(names[k]);
	if (!code) {
		test_counters_finish(&tc, ctx->out);
		code = bw_render(ctx->out, b);
		test_counters_print(&tc, ctx->out);
	}
	test_counters_free(&tc);
	free(b);
	free(peer);
	return code;
}

/* --- server --------------------------------------------------------------------------------- */

static int bw_serve(struct ctx *ctx, struct session *s)
{
	struct bw *b = calloc(1, sizeof(*b));
	struct msg *m = malloc(sizeof(*m));
	int code;

	if (!b || !m) {
		free(b);
		free(m);
		out_error(ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	b->ctx = ctx;
	b->s = s;
	b->server = true;
	cfg_from_hello(&b->cfg, &s->hello);
	/* The client's counts are its own (-I, the default, --duration): the widest we know. */
	if (!bw_server_lanes(b))
		bw_rows_begin(b, s->hello.sizes, s->hello.nsizes,
			      s->hello.iterations > widest_auto_count(s->hello.sizes, s->hello.nsizes) ?
			      s->hello.iterations :
			      widest_auto_count(s->hello.sizes, s->hello.nsizes));
	while (!b->rep.stop.code) {
		size_t bytes;
		long count;
		bool warmup;

		if (proto_recv(&s->oob, m, now_sec() + 2 * s->hello.timeout_sec + PEER_GRACE_SEC)) {
			test_stop(&b->rep.stop, EXIT_ERROR, "client %s: %s", s->oob.peer, s->oob.err);
			break;
		}
		if (m->kind == MSG_BYE)
			break;
		if (m->kind == MSG_BW_SIZE && m->u.bw_size.bytes > s->ep.max_msg_size) {
			test_stop(&b->rep.stop, EXIT_ERROR, "client %s asked for %zu-byte messages, "
				  "above fabric %s's max_msg_size (%zu)", s->oob.peer,
				  m->u.bw_size.bytes, fab_fabric_name(&s->ep), s->ep.max_msg_size);
			proto_send_error(&s->oob, b->rep.stop.error, now_sec() + 1);
			break;
		}
		if (m->kind != MSG_BW_SIZE || m->u.bw_size.bytes > test_max_size(&s->hello)) {
			test_stop(&b->rep.stop, EXIT_ERROR, "client %s: unexpected %s message", s->oob.peer,
				proto_kind_str(m->kind));
			proto_send_error(&s->oob, "unexpected message during bw", now_sec() + 1);
			break;
		}
		bytes = m->u.bw_size.bytes;
		count = m->u.bw_size.count;
		warmup = m->u.bw_size.warmup;
		/* Lanes run before the go, so our receives wait for the client's first sends. */
		if (proto_send_kind(&s->oob, MSG_GO, session_deadline(s))) {
			test_stop(&b->rep.stop, EXIT_ERROR, "%s", s->oob.err);
			break;
		}
		/* Warmup and calibration runs are not results: the client does not show them. */
		if (!run_size(b, bytes, count, m) && !warmup)
			bw_add_row(b, bytes, count, &m->u.bw_report);
	}
	bw_close_lanes(b);
	code = bw_render(ctx->out, b);
	free(b);
	free(m);
	return code;
}

static int bw_caps_for(const struct msg_hello *h, uint64_t *caps, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	*caps = bw_caps(op_parse(h->bw.op));
	return 0;
}

static const struct test_entry test_bw = {
	.name = "bw",
	.caps = bw_caps_for,
	.client = bw_client,
	.serve = bw_serve,
};

static int bw_validate(struct ctx *ctx)
{
	const struct opts *o = &ctx->opt;
	char msg[512];

	/* The share of the line rate comes from the instance type: a sysroot that is not there
	 * would quietly make it unknown. */
	if (sysfs_root_check(msg, sizeof(msg)))
		return cli_usage_error(ctx, "%s", msg);
	if (o->reverse && o->bidir)
		return cli_usage_error(ctx, "--reverse and --bidir exclude each other");
	if (o->all_domains && o->ndomains)
		return cli_usage_error(ctx, "--all-domains and -d exclude each other");
	if (o->duration_sec > 0 && o->iterations > 0)
		return cli_usage_error(ctx, "--duration and -I/--iterations exclude each other");
	return test_validate_peer(ctx);
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
	.options = (const struct opt_def *const[]){ options_measure, options_mem, options_fabric, options_peer, bw_options,
						    options_bind, options_token, options_deadline, NULL },
	.flags = CMD_HOST_OPTIONAL,
	.validate = bw_validate,
	.timeout_help = "how long to wait for the peer, and how long a domain may go without a "
			"completion before the run stops (default 5)",
	.usage_notes = "Defaults: -S 4k:8M (powers of two; sizes above the fabric's largest message "
		       "are left out); -I 256 MiB of data per size (64 to 100000 messages); "
		       "-w one window; -W 64.",
	.run = test_run,
	.test = &test_bw,
};
