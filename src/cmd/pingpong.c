// SPDX-License-Identifier: MIT
/* efadiag pingpong: one-way latency per message size, client, server or loopback. */
#include <errno.h>
#include <rdma/fi_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/common-options.h"
#include "cmd/test.h"
#include "cmd/test-counters.h"
#include "fabric/mr.h"
#include "measure/latency.h"
#include "ui/cli.h"
#include "ui/out.h"
#include "ui/parse.h"
#include "util.h"

/* fi_pingpong's default sizes, so results compare one to one. */
static const size_t default_sizes[] = { 64, 256, 1024, 4096, 65536, 1048576 };
#define DEFAULT_ITERATIONS 1000
#define DEFAULT_WARMUP 10
/* The server waits this much longer than the client, so the client times out first. */
#define SERVER_GRACE_SEC 2.0

static const struct out_col result_cols[] = {
	{ "bytes", "SIZE", OUT_SIZE, 0, 0 },
	{ "iterations", "ITERS", OUT_INT, 0, 0 },
	{ "lat_min_usec", "MIN(us)", OUT_DBL, 2, 0 },
	{ "lat_avg_usec", "AVG(us)", OUT_DBL, 2, 0 },
	{ "lat_p50_usec", "P50(us)", OUT_DBL, 2, 0 },
	{ "lat_p99_usec", "P99(us)", OUT_DBL, 2, 0 },
	{ "lat_max_usec", "MAX(us)", OUT_DBL, 2, 0 },
	/* The contract's rate in MB/s for scripts, in Gbit/s for people (docs/vocabulary.md). */
	{ "mb_per_sec", "MB/s", OUT_DBL, 2, OUT_JSON_ONLY },
	{ "bw_gbps", "BW(Gbit/s)", OUT_DBL, 3, 0 },
};

#define NCOLS (sizeof(result_cols) / sizeof(result_cols[0]))
/* Sizes in messages for people: 64 B, 4 KiB, 1 MiB. */
#define SIZE_TEXT(n) size_text((n), (char[32]){ 0 }, 32)

/* What a run found, on either side; rendered once at the end. */
struct pp_report {
	struct msg_pp_row rows[EFADIAG_MAX_SIZES];
	size_t nrows;
	struct test_stop stop;
	struct test_gdr gdr;
	struct out_table *t; /* the results, printed row by row as sizes are measured */
};

/* Widest latency and rate the columns are laid out for (1 s one-way, 100 GB/s). */
#define WIDEST_USEC 999999.99
#define WIDEST_MB_PER_SEC 99999.99

static void set_row_fields(cJSON *row, const struct msg_pp_row *r)
{
	out_set_num(row, "bytes", (double)r->bytes);
	out_set_num(row, "iterations", (double)r->iterations);
	out_set_num(row, "lat_min_usec", r->lat_min_usec);
	out_set_num(row, "lat_avg_usec", r->lat_avg_usec);
	out_set_num(row, "lat_p50_usec", r->lat_p50_usec);
	out_set_num(row, "lat_p99_usec", r->lat_p99_usec);
	out_set_num(row, "lat_max_usec", r->lat_max_usec);
	out_set_num(row, "mb_per_sec", r->mb_per_sec);
	out_set_num(row, "bw_gbps", r->mb_per_sec * 8e-3);
}

/*
 * The results table, before the first size runs: people see each size's row as soon as it is
 * measured (a 1M size over tcp takes a while), in columns as wide as the sizes to run, the
 * iterations and the widest latency foreseen make them.
 */
static void rows_begin(struct out *o, struct pp_report *rep, const struct msg_hello *h)
{
	struct msg_pp_row widest = {
		.iterations = h->iterations,
		.lat_min_usec = WIDEST_USEC, .lat_avg_usec = WIDEST_USEC,
		.lat_p50_usec = WIDEST_USEC, .lat_p99_usec = WIDEST_USEC,
		.lat_max_usec = WIDEST_USEC, .mb_per_sec = WIDEST_MB_PER_SEC,
	};
	cJSON *w = cJSON_CreateObject();

	widest.bytes = size_text_widest(h->sizes, h->nsizes);
	if (w)
		set_row_fields(w, &widest);
	rep->t = out_table_new(o, "results", NULL, result_cols, NCOLS);
	out_table_stream(rep->t, w);
	cJSON_Delete(w);
}

/* The row just measured (rep->rows' last), shown now. */
static void show_row(struct pp_report *rep)
{
	if (!rep->t || !rep->nrows)
		return;
	set_row_fields(out_table_row(rep->t), &rep->rows[rep->nrows - 1]);
	out_table_row_done(rep->t);
}

/* A size's row from its round trips: one-way latency is half a round trip. */
static void add_row(struct pp_report *rep, size_t size, const struct lat_result *r)
{
	struct msg_pp_row *row = &rep->rows[rep->nrows++];

	row->bytes = size;
	row->iterations = (long)r->rt_usec.n;
	row->lat_min_usec = r->rt_usec.min / 2;
	row->lat_avg_usec = r->rt_usec.avg / 2;
	row->lat_p50_usec = r->rt_usec.p50 / 2;
	row->lat_p99_usec = r->rt_usec.p99 / 2;
	row->lat_max_usec = r->rt_usec.max / 2;
	/* Both directions' bytes over the measured time, as fi_pingpong counts them. */
	row->mb_per_sec = r->window_sec > 0 ?
				  2.0 * (double)size * (double)r->rt_usec.n / r->window_sec / 1e6 : 0;
}

/* The table of the sizes that completed, then the verdict or what stopped the run. */
static int render(struct out *o, struct pp_report *rep)
{
	struct out_table *t = rep->t;
	const struct msg_pp_row *first = &rep->rows[0];
	size_t k;

	/* A run that stopped before its sizes: the table, if any, is made here. */
	if (!t) {
		t = out_table_new(o, "results", NULL, result_cols, NCOLS);
		for (k = 0; k < rep->nrows; k++)
			set_row_fields(out_table_row(t), &rep->rows[k]);
	}
	rep->t = NULL;
	/* A failed run shows the sizes that completed, and no empty table. */
	if (rep->nrows || rep->stop.code == EXIT_OK)
		out_table_end(t);
	else
		out_table_discard(t);
	if (rep->stop.code == EXIT_OK && rep->nrows && rep->gdr.missing)
		return test_gdr_render(o, &rep->gdr);
	if (rep->stop.code == EXIT_OK && rep->nrows)
		/* The table's P50 and P99 columns of the first size: latency's headline is p50. */
		out_verdict(o, "OK: %zu size%s; %s one-way latency p50 %.2f us, p99 %.2f us",
			    rep->nrows, rep->nrows == 1 ? "" : "s", SIZE_TEXT(first->bytes),
			    first->lat_p50_usec, first->lat_p99_usec);
	return test_render_stop(o, &rep->stop);
}

static struct lat_params params_for(const struct msg_hello *h, size_t size)
{
	const char *corrupt = getenv("EFADIAG_TEST_CORRUPT_OFFSET");

	return (struct lat_params){
		.size = size,
		.max_size = test_max_size(h),
		.iterations = h->iterations,
		.warmup = h->warmup,
		.verify = h->verify,
		.timeout_sec = h->timeout_sec,
		.watch_fd = -1,
		/*
		 * Test hook: EFADIAG_TEST_CORRUPT_OFFSET=N makes a server flip byte N of every
		 * reply, so the suite can show that --verify catches a corrupted payload.
		 */
		.corrupt_offset = corrupt && *corrupt ? atol(corrupt) : -1,
	};
}

/* --- client ------------------------------------------------------------------------------ */

/* Asks the server what it received, to say which direction stopped delivering. */
static int diagnose_stall(struct ctx *ctx, struct session *s, struct pp_report *rep,
			  size_t size, long iter, const char *what)
{
	struct msg m;
	double deadline = now_sec() + (s->hello.timeout_sec < 2 ? s->hello.timeout_sec : 2);
	char hint[256];

	test_sgcheck_hint(ctx, hint, sizeof(hint));
	if (proto_send_kind(&s->oob, MSG_PP_ABORT, deadline) ||
	    proto_expect(&s->oob, MSG_PP_RECEIVED, &m, deadline))
		return test_stop(&rep->stop, EXIT_FAIL, "%s at size %s, iteration %ld; the server did not say "
			    "what it received (%s): %s", what, SIZE_TEXT(size), iter, s->oob.err, hint);
	if (m.u.pp_received < iter + 1)
		return test_stop(&rep->stop, EXIT_FAIL, "%s at size %s, iteration %ld: client -> server is not "
			    "delivering (the server received %ld of %ld messages): %s", what, SIZE_TEXT(size),
			    iter, m.u.pp_received, iter + 1, hint);
	return test_stop(&rep->stop, EXIT_FAIL, "%s at size %s, iteration %ld: server -> client is not "
		    "delivering (the server received message %ld and replied; nothing came back): "
		    "%s", what, SIZE_TEXT(size), iter, iter, hint);
}

/* The client side of a failed size: says what happened and returns the exit code. */
static int client_failure(struct ctx *ctx, struct session *s, struct pp_report *rep,
			  size_t size, const struct lat_result *r)
{
	struct msg m;

	if (r->err == -FI_ETIMEDOUT) {
		char what[96];

		snprintf(what, sizeof(what), "no reply within %.3g s", s->hello.timeout_sec);
		return diagnose_stall(ctx, s, rep, size, r->iteration, what);
	}
	if (r->err == -FI_EINTR) {
		/* The peer spoke on the control channel mid-size: an error report or a hang-up. */
		if (proto_expect(&s->oob, MSG_PP_RECEIVED, &m, now_sec() + 1) == -ECONNRESET)
			return test_stop(&rep->stop, EXIT_ERROR, "the peer closed the control connection "
				    "mid-test (killed?)");
		return test_stop(&rep->stop, EXIT_FAIL, "%s", s->oob.err);
	}
	if (r->err == -FI_ENOMEM)
		return test_stop(&rep->stop, EXIT_ERROR, "out of memory");
	if (r->err_class == FAB_ERR_UNREACHABLE)
		return test_stop(&rep->stop, EXIT_FAIL, "peer unreachable at size %s: %s: run 'efadiag "
			    "sg-check'", SIZE_TEXT(size), r->err_text);
	return test_stop(&rep->stop, EXIT_ERROR, "at size %s, iteration %ld: %s", SIZE_TEXT(size), r->iteration,
		    r->err_text);
}

/*
 * People at a terminal see a size that takes long (1 MiB over tcp, a slow fabric) count on
 * stderr, as bw shows its own: from 0.5 s into the size, every 0.2 s at most; cleared after.
 */
struct pp_progress {
	size_t size;
	double next;
	bool shown;
};

static void show_progress(void *arg, long done, long total)
{
	struct pp_progress *g = arg;
	double t = now_sec();
	char sz[32];

	if (t < g->next)
		return;
	fprintf(stderr, "\rpingpong %s: %3.0f%%  %ld of %ld round trips   ",
		size_text(g->size, sz, sizeof(sz)), 100.0 * (double)done / (double)total, done, total);
	g->next = t + 0.2;
	g->shown = true;
}

static int client_size(struct ctx *ctx, struct session *s, struct fab_buf *buf, size_t size,
		       struct pp_report *rep)
{
	struct lat_params p = params_for(&s->hello, size);
	struct msg m = { .kind = MSG_PP_SIZE, .u.pp_size = size };
	struct pp_progress g = { .size = size, .next = now_sec() + 0.5 };
	struct lat_result r;
	int ret;

	if (!ctx->opt.quiet && !ctx->opt.json && isatty(2)) {
		p.progress = show_progress;
		p.progress_arg = &g;
	}
	p.watch_fd = s->oob.rfd;
	p.tsc = lap_tsc_usable(LAP_CLOCKSOURCE);
	p.corrupt_offset = -1;
	ret = proto_send(&s->oob, &m, session_deadline(s));
	if (!ret)
		ret = proto_expect(&s->oob, MSG_GO, &m, session_deadline(s));
	if (ret)
		return test_stop(&rep->stop, ret == -ECANCELED ? EXIT_FAIL : EXIT_ERROR, "%s", s->oob.err);
	ret = lat_ping(&s->ep, s->peer, buf, &p, &r);
	if (g.shown)
		fprintf(stderr, "\r%60s\r", "");
	if (ret)
		return client_failure(ctx, s, rep, size, &r);
	if (r.bad_offset >= 0)
		return test_stop(&rep->stop, EXIT_FAIL, "--verify: payload from the server differs at size %s, "
			    "iteration %ld, offset %ld", SIZE_TEXT(size), r.iteration, r.bad_offset);
	add_row(rep, size, &r);
	show_row(rep);
	/* The server prints what we measured: it takes no timestamps of its own. */
	m = (struct msg){ .kind = MSG_PP_ROW, .u.pp_row = rep->rows[rep->nrows - 1] };
	if (proto_send(&s->oob, &m, session_deadline(s)))
		return test_stop(&rep->stop, EXIT_ERROR, "%s", s->oob.err);
	return EXIT_OK;
}

/* The test buffer, in the memory the hello names, registered with ep: 0, or the stop's code. */
static int alloc_buffer(struct fab_buf *buf, const struct msg_hello *h, struct fab_ep *ep,
			struct pp_report *rep)
{
	size_t size = lat_buf_size(test_max_size(h));
	char err[512];

	if (fab_buf_alloc_mem(buf, &h->mem, -1, size, err, sizeof(err)))
		return test_stop(&rep->stop, EXIT_ERROR, "%s", err);
	if (fab_buf_register(buf, ep))
		return test_stop(&rep->stop, EXIT_ERROR, "%s", ep->err_text);
	return 0;
}

static int pingpong_client(struct ctx *ctx, const struct session_target *target)
{
	struct session_target t_ = *target, *t = &t_;
	struct pp_report *rep = calloc(1, sizeof(*rep));
	struct msg_hello h;
	struct session s;
	struct fab_buf buf = { 0 };
	struct test_counters tc;
	char *domain;
	size_t k;
	int code;

	if (!rep) {
		out_error(ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	test_hello(&h, ctx, "pingpong", default_sizes, 6, DEFAULT_ITERATIONS, DEFAULT_WARMUP);
	/* Its documented bound: the peer answers the hello, its start included, within one -t. */
	t->ready_within_sec = h.timeout_sec;
	code = test_client_start(ctx, &s, t, &h, FI_MSG, 0);
	if (code) {
		session_end(&s);
		free(rep);
		return code;
	}
	domain = (char *)fab_domain_name(&s.ep);
	test_counters_start(&tc, &domain, 1);
	if (alloc_buffer(&buf, &h, &s.ep, rep) == 0) {
		test_describe_mem(ctx->out, out_root(ctx->out), &buf, &s.ep, "");
		test_gdr_judge(&rep->gdr, &buf, &s.ep);
	}
	if (!rep->stop.code)
		rows_begin(ctx->out, rep, &h);
	for (k = 0; k < h.nsizes && !rep->stop.code; k++)
		client_size(ctx, &s, &buf, h.sizes[k], rep);
	if (!rep->stop.code)
		proto_send_kind(&s.oob, MSG_BYE, session_deadline(&s));
	/* The endpoint before the memory its operations used (fabric/endpoint.h). */
	fab_close_endpoint(&s.ep);
	fab_buf_free(&buf);
	session_end(&s);
	test_counters_finish(&tc, ctx->out);
	code = render(ctx->out, rep);
	test_counters_print(&tc, ctx->out);
	test_counters_free(&tc);
	free(rep);
	return code;
}

/* --- server ------------------------------------------------------------------------------ */

/* The client interrupted a size: answer an abort with what we received, then stop. */
static int server_interrupted(struct session *s, struct pp_report *rep, long received)
{
	struct msg m;

	if (proto_recv(&s->oob, &m, now_sec() + 1))
		return test_stop(&rep->stop, EXIT_ERROR, "client %s disconnected mid-test", s->oob.peer);
	if (m.kind != MSG_PP_ABORT)
		return test_stop(&rep->stop, EXIT_FAIL, "unexpected %s message from the client mid-test",
			    proto_kind_str(m.kind));
	m = (struct msg){ .kind = MSG_PP_RECEIVED, .u.pp_received = received };
	proto_send(&s->oob, &m, now_sec() + 1);
	return test_stop(&rep->stop, EXIT_FAIL, "the client gave up waiting (the fabric stopped delivering); "
		    "received %ld messages of this size", received);
}

static int send_go(void *arg)
{
	struct session *s = arg;

	return proto_send_kind(&s->oob, MSG_GO, session_deadline(s)) ? -FI_EIO : 0;
}

static int server_size(struct session *s, struct fab_buf *buf, size_t size,
		       struct pp_report *rep)
{
	struct lat_params p = params_for(&s->hello, size);
	struct lat_result r;

	p.watch_fd = s->oob.rfd;
	p.timeout_sec += SERVER_GRACE_SEC;
	if (lat_echo(&s->ep, s->peer, buf, &p, send_go, s, &r)) {
		if (r.err == -FI_EINTR)
			return server_interrupted(s, rep, r.iteration);
		return test_stop(&rep->stop, EXIT_FAIL, "at size %s, iteration %ld: %s", SIZE_TEXT(size), r.iteration,
			    r.err == -FI_ETIMEDOUT ? "nothing from the client before the timeout" :
						     r.err_text);
	}
	if (r.bad_offset >= 0) {
		test_stop(&rep->stop, EXIT_FAIL, "--verify: payload from the client differs at size %s, "
		     "iteration %ld, offset %ld", SIZE_TEXT(size), r.iteration, r.bad_offset);
		proto_send_error(&s->oob, rep->stop.error, now_sec() + 1);
	}
	return rep->stop.code;
}

static int pingpong_serve(struct ctx *ctx, struct session *s)
{
	size_t max = test_max_size(&s->hello);
	struct pp_report *rep = calloc(1, sizeof(*rep));
	struct fab_buf buf = { 0 };
	struct fab_ep *ep = &s->ep;
	struct msg m;
	int code;

	if (!rep) {
		out_error(ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	if (alloc_buffer(&buf, &s->hello, ep, rep) == 0) {
		test_describe_mem(ctx->out, out_root(ctx->out), &buf, ep, "");
		rows_begin(ctx->out, rep, &s->hello);
	}
	while (!rep->stop.code) {
		double deadline = now_sec() + s->hello.timeout_sec + SERVER_GRACE_SEC;

		/* Our last reply may still be leaving: progress the fabric until the client speaks. */
		fab_progress_until_readable(&ep, 1, s->oob.rfd, deadline);
		if (proto_recv(&s->oob, &m, deadline)) {
			test_stop(&rep->stop, EXIT_ERROR, "client %s: %s", s->oob.peer, s->oob.err);
			break;
		}
		if (m.kind == MSG_BYE)
			break;
		if (m.kind == MSG_PP_ROW && rep->nrows < EFADIAG_MAX_SIZES) {
			rep->rows[rep->nrows++] = m.u.pp_row;
			show_row(rep);
			continue;
		}
		/* Never post more than the fabric takes (efa-direct: the MTU; see fit_sizes). */
		if (m.kind == MSG_PP_SIZE && m.u.pp_size > ep->max_msg_size) {
			test_stop(&rep->stop, EXIT_ERROR, "client %s asked for %zu-byte messages, "
				  "above fabric %s's max_msg_size (%zu)", s->oob.peer, m.u.pp_size,
				  fab_fabric_name(ep), ep->max_msg_size);
			proto_send_error(&s->oob, rep->stop.error, now_sec() + 1);
			break;
		}
		if (m.kind != MSG_PP_SIZE || m.u.pp_size > max) {
			test_stop(&rep->stop, EXIT_ERROR, "client %s: unexpected %s message", s->oob.peer,
			     proto_kind_str(m.kind));
			proto_send_error(&s->oob, "unexpected message during pingpong", now_sec() + 1);
			break;
		}
		server_size(s, &buf, m.u.pp_size, rep);
	}
	/* The endpoint before the memory its operations used; the session closes the rest. */
	fab_close_endpoint(ep);
	fab_buf_free(&buf);
	code = render(ctx->out, rep);
	free(rep);
	return code;
}

static const struct test_entry test_pingpong = {
	.name = "pingpong",
	.client = pingpong_client,
	.serve = pingpong_serve,
};

const struct cmd_entry cmd_pingpong = {
	.name = "pingpong",
	.summary = "one-way latency per message size (client with HOST or --exec, else server)",
	.usage = "[HOST]",
	.options = (const struct opt_def *const[]){ options_measure, options_mem, options_fabric, options_peer,
						    options_bind, options_token, options_deadline, NULL },
	.flags = CMD_HOST_OPTIONAL,
	.validate = test_validate_peer,
	.timeout_help = "how long to wait for the peer (its start and handshake included) and "
			"for each message before the fabric is called stalled (default 5)",
	.usage_notes = "Defaults: -S 64,256,1k,4k,64k,1M (sizes above the fabric's largest message "
		       "are left out); -I 1000; -w 10.",
	.run = test_run,
	.test = &test_pingpong,
};
