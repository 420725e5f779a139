// SPDX-License-Identifier: MIT
/* efadiag pingpong: one-way latency per message size, client, server or loopback. */
#include <errno.h>
#include <rdma/fi_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/common-options.h"
#include "ui/cli.h"
#include "ui/out.h"
#include "ui/parse.h"
#include "ctl/session.h"
#include "measure/latstats.h"
#include "util.h"

/* fi_pingpong's default sizes, so results compare one to one. */
static const size_t default_sizes[] = { 64, 256, 1024, 4096, 65536, 1048576 };
#define DEFAULT_ITERATIONS 1000
#define DEFAULT_WARMUP 10
/* Percentiles come from at most this many samples per size (see struct lat_acc). */
#define SAMPLE_CAP 1000000
/* The server waits this much longer than the client, so the client times out first. */
#define SERVER_GRACE_SEC 2.0

static const struct out_col result_cols[] = {
	{ "bytes", "BYTES", OUT_INT, 0, 0 },
	{ "iterations", "ITERS", OUT_INT, 0, 0 },
	{ "lat_min_usec", "MIN(us)", OUT_DBL, 2, 0 },
	{ "lat_avg_usec", "AVG(us)", OUT_DBL, 2, 0 },
	{ "lat_p50_usec", "P50(us)", OUT_DBL, 2, 0 },
	{ "lat_p99_usec", "P99(us)", OUT_DBL, 2, 0 },
	{ "lat_max_usec", "MAX(us)", OUT_DBL, 2, 0 },
	{ "mb_per_sec", "MB/s", OUT_DBL, 2, 0 },
};

#define NCOLS (sizeof(result_cols) / sizeof(result_cols[0]))

enum { FROM_CLIENT = 0x5a, FROM_SERVER = 0xa5 };

/* One side's state while a size runs. */
struct pp_side {
	struct fab *fab;
	struct fi_context2 send_ctx, recv_ctx[2];
	size_t max;   /* tx at [0, max), rx slot k at [(1 + k) max, (2 + k) max) */
	int watch_fd; /* the control channel: readable means the peer has something to say */
	bool tsc;     /* time round trips with the TSC (see struct lap_timer) */
};

/* Payload pattern: differs per iteration and per direction, so stale data is caught too. */
static void fill(unsigned char *p, size_t n, long iter, int dir)
{
	size_t j;

	for (j = 0; j < n; j++)
		p[j] = (unsigned char)(j * 131 + (size_t)iter * 7 + (size_t)dir);
}

static long check(const unsigned char *p, size_t n, long iter, int dir)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (p[j] != (unsigned char)(j * 131 + (size_t)iter * 7 + (size_t)dir))
			return (long)j;
	return -1;
}

static unsigned char *tx(struct pp_side *s)
{
	return (unsigned char *)s->fab->buf;
}

/* Message i is received into slot i % 2: the next receive is posted before this one is done. */
static unsigned char *rx(struct pp_side *s, long i)
{
	return (unsigned char *)s->fab->buf + (size_t)(1 + i % 2) * s->max;
}

static int post_recv(struct pp_side *s, size_t size, long i, double deadline)
{
	return fab_post_recv(s->fab, (size_t)(1 + i % 2) * s->max, size, &s->recv_ctx[i % 2],
			     deadline);
}

/* Sends size bytes and, when the send produces a completion, leaves it to reap_send. */
static int send_msg(struct pp_side *s, size_t size, bool *pending, double deadline)
{
	return fab_post_send(s->fab, 0, size, &s->send_ctx, pending, deadline);
}

static int reap_send(struct pp_side *s, bool *pending, double deadline)
{
	struct fab_comp c;
	int ret;

	if (!*pending)
		return 0;
	ret = fab_wait(s->fab, &s->send_ctx, &c, deadline, -1);
	*pending = false;
	return ret;
}

static int wait_recv(struct pp_side *s, size_t size, long i, double deadline)
{
	struct fab_comp c;
	int ret = fab_wait(s->fab, &s->recv_ctx[i % 2], &c, deadline, s->watch_fd);

	if (!ret && c.len != size) {
		snprintf(s->fab->err_text, sizeof(s->fab->err_text), "received %zu bytes, expected "
			 "%zu", c.len, size);
		return -FI_EIO;
	}
	return ret;
}

/* A size's row from its round trips: one-way latency is half a round trip. */
static void add_row(struct out_table *t, size_t size, struct lap_timer *tm)
{
	struct lat_stats rt;
	cJSON *row = out_table_row(t);

	lap_timer_done(tm, &rt);
	out_set_num(row, "bytes", (double)size);
	out_set_num(row, "iterations", (double)rt.n);
	out_set_num(row, "lat_min_usec", rt.min / 2);
	out_set_num(row, "lat_avg_usec", rt.avg / 2);
	out_set_num(row, "lat_p50_usec", rt.p50 / 2);
	out_set_num(row, "lat_p99_usec", rt.p99 / 2);
	out_set_num(row, "lat_max_usec", rt.max / 2);
	/* Both directions' bytes over the measured time, as fi_pingpong counts them. */
	out_set_num(row, "mb_per_sec", tm->win_sec > 0 ?
		    2.0 * (double)size * (double)rt.n / tm->win_sec / 1e6 : 0);
}

static void verdict_ok(struct out *o, struct out_table *t)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(out_root(o), "results");
	const cJSON *first = cJSON_GetArrayItem(rows, 0);
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(first, "bytes");
	const cJSON *avg = cJSON_GetObjectItemCaseSensitive(first, "lat_avg_usec");
	const cJSON *p99 = cJSON_GetObjectItemCaseSensitive(first, "lat_p99_usec");

	out_table_end(t);
	if (cJSON_IsNumber(b) && cJSON_IsNumber(avg) && cJSON_IsNumber(p99))
		out_verdict(o, "OK: %d size%s; %.0f B one-way latency avg %.2f us, p99 %.2f us",
			    cJSON_GetArraySize(rows), cJSON_GetArraySize(rows) == 1 ? "" : "s", b->valuedouble, avg->valuedouble,
			    p99->valuedouble);
}

/* A failed run shows the sizes that completed, and no empty table. */
static void end_results(struct out *o, struct out_table *t, int code)
{
	if (code == EXIT_OK) {
		verdict_ok(o, t);
		return;
	}
	if (out_table_rows(t))
		out_table_end(t);
	else
		out_table_discard(t);
	if (code == EXIT_FAIL)
		out_fail(o);
}

/*
 * Test hook: EFADIAG_TEST_CORRUPT_OFFSET=N makes a server flip byte N of every reply, so the
 * suite can show that --verify catches a corrupted payload. Unset in normal use.
 */
static long corrupt_offset(void)
{
	const char *v = getenv("EFADIAG_TEST_CORRUPT_OFFSET");

	return v && *v ? atol(v) : -1;
}

/* --- client ------------------------------------------------------------------------------ */

/* Asks the server what it received, to say which direction stopped delivering. */
static void diagnose_stall(struct session *s, size_t size, long iter, const char *what)
{
	struct out *o = s->ctx->out;
	cJSON *msg = cJSON_CreateObject(), *res = NULL;
	const cJSON *got;
	double deadline = now_sec() + (s->p.timeout_sec < 2 ? s->p.timeout_sec : 2);
	char hint[256];

	snprintf(hint, sizeof(hint), "run 'efadiag sg-check %s' to check both directions",
		 s->ctx->host ? s->ctx->host : "--exec ...");
	cJSON_AddStringToObject(msg, "phase", "abort");
	if (oob_send(&s->oob, OOB_SYNC, msg, deadline) ||
	    oob_expect(&s->oob, OOB_RESULT, &res, deadline)) {
		out_error(o, "%s at size %zu, iteration %ld; the server did not say what it "
			  "received (%s): %s", what, size, iter, s->oob.err, hint);
		out_fail(o);
		cJSON_Delete(msg);
		return;
	}
	got = cJSON_GetObjectItemCaseSensitive(res, "received");
	if (!cJSON_IsNumber(got) || got->valuedouble < (double)iter + 1)
		out_error(o, "%s at size %zu, iteration %ld: client -> server is not delivering "
			  "(the server received %ld of %ld messages): %s", what, size, iter,
			  cJSON_IsNumber(got) ? (long)got->valuedouble : 0L, iter + 1, hint);
	else
		out_error(o, "%s at size %zu, iteration %ld: server -> client is not delivering "
			  "(the server received message %ld and replied; nothing came back): %s",
			  what, size, iter, iter, hint);
	cJSON_Delete(res);
	cJSON_Delete(msg);
}

/* The peer spoke on the control channel mid-size: an error report or a hang-up. */
static int peer_interrupted(struct session *s)
{
	cJSON *m = NULL;
	int ret = oob_expect(&s->oob, OOB_RESULT, &m, now_sec() + 1);

	cJSON_Delete(m);
	if (ret == -ECONNRESET) {
		out_error(s->ctx->out, "the peer closed the control connection mid-test (killed?)");
		return EXIT_ERROR;
	}
	out_error(s->ctx->out, "%s", s->oob.err);
	return EXIT_FAIL;
}

/* The client side of a failed fabric wait: says what happened and returns the exit code. */
static int client_fabric_failure(struct session *s, int ret, size_t size, long iter)
{
	if (ret == -FI_ETIMEDOUT) {
		char what[96];

		snprintf(what, sizeof(what), "no reply within %.3g s", s->p.timeout_sec);
		diagnose_stall(s, size, iter, what);
		return EXIT_FAIL;
	}
	if (ret == -FI_EINTR)
		return peer_interrupted(s);
	if (s->fab.err_class == FAB_ERR_UNREACHABLE) {
		out_error(s->ctx->out, "peer unreachable at size %zu: %s: run 'efadiag sg-check'",
			  size, s->fab.err_text);
		return EXIT_FAIL;
	}
	out_error(s->ctx->out, "at size %zu, iteration %ld: %s", size, iter, s->fab.err_text);
	return EXIT_ERROR;
}

static int client_size(struct session *s, struct pp_side *side, size_t size,
		       struct out_table *t)
{
	long total = s->p.warmup + s->p.iterations, i, bad;
	double within = FAB_WITHIN(s->p.timeout_sec);
	struct lap_timer tm;
	cJSON *sync = cJSON_CreateObject(), *reply = NULL;
	bool pending = false;
	int ret;

	if (!sync) {
		out_error(s->ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	cJSON_AddStringToObject(sync, "phase", "size");
	cJSON_AddNumberToObject(sync, "bytes", (double)size);
	ret = oob_send(&s->oob, OOB_SYNC, sync, session_deadline(s));
	cJSON_Delete(sync);
	if (!ret)
		ret = oob_expect(&s->oob, OOB_SYNC, &reply, session_deadline(s));
	cJSON_Delete(reply);
	if (ret) {
		out_error(s->ctx->out, "%s", s->oob.err);
		return ret == -ECANCELED ? EXIT_FAIL : EXIT_ERROR;
	}
	if (lap_timer_start(&tm, SAMPLE_CAP, s->p.warmup, side->tsc)) {
		out_error(s->ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	/*
	 * One clock read per round trip, none in the waits (relative deadlines): a round trip
	 * is the time between two arrivals. Receive i + 1 is posted while message i travels,
	 * off the measured path and still before its reply can exist: no message ever arrives
	 * unexpected, which efa-direct could not hold.
	 */
	ret = post_recv(side, size, 0, within);
	for (i = 0; !ret && i < total; i++) {
		if (s->p.verify)
			fill(tx(side), size, i, FROM_CLIENT);
		ret = send_msg(side, size, &pending, within);
		if (!ret && i + 1 < total)
			ret = post_recv(side, size, i + 1, within);
		if (!ret)
			ret = wait_recv(side, size, i, within);
		if (!ret) {
			lap_timer_lap(&tm);
			ret = reap_send(side, &pending, within);
		}
		if (ret)
			break;
		if (s->p.verify && (bad = check(rx(side, i), size, i, FROM_SERVER)) >= 0) {
			lap_timer_free(&tm);
			out_error(s->ctx->out, "--verify: payload from the server differs at size %zu,"
				  " iteration %ld, offset %ld", size, i, bad);
			return EXIT_FAIL;
		}
	}
	if (ret) {
		lap_timer_free(&tm);
		return client_fabric_failure(s, ret, size, i);
	}
	add_row(t, size, &tm);
	return EXIT_OK;
}

static int pingpong_client(struct ctx *ctx)
{
	struct test_params p;
	struct session s;
	struct pp_side side = { 0 };
	struct out_table *t;
	size_t k;
	int code;

	session_params(&p, ctx, "pingpong", default_sizes, 6, DEFAULT_ITERATIONS, DEFAULT_WARMUP);
	code = session_client_start(&s, ctx, &p, 0);
	if (code) {
		session_end(&s);
		return code;
	}
	session_describe(&s);
	side.fab = &s.fab;
	side.max = session_max_size(&p);
	side.watch_fd = s.oob.rfd;
	side.tsc = lap_tsc_usable(LAP_CLOCKSOURCE);
	t = out_table_new(ctx->out, "results", NULL, result_cols, NCOLS);
	for (k = 0; k < p.nsizes && !code; k++) {
		code = client_size(&s, &side, p.sizes[k], t);
		/* The server prints what we measured: it takes no timestamps of its own. */
		if (!code && oob_send(&s.oob, OOB_RESULT,
				      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
						out_root(ctx->out), "results"), (int)k),
				      session_deadline(&s))) {
			out_error(ctx->out, "%s", s.oob.err);
			code = EXIT_ERROR;
		}
	}
	if (!code)
		oob_send(&s.oob, OOB_BYE, NULL, session_deadline(&s));
	end_results(ctx->out, t, code);
	session_end(&s);
	return code;
}

/* --- server ------------------------------------------------------------------------------ */

/* The client interrupted a size: answer an abort with what we received, then stop. */
static int server_interrupted(struct session *s, long received)
{
	cJSON *m = NULL, *res;
	const cJSON *phase;
	int type, ret;

	ret = oob_recv(&s->oob, &type, &m, now_sec() + 1);
	if (ret) {
		out_error(s->ctx->out, "client %s disconnected mid-test", s->oob.peer);
		return EXIT_ERROR;
	}
	phase = cJSON_GetObjectItemCaseSensitive(m, "phase");
	if (type == OOB_SYNC && cJSON_IsString(phase) && !strcmp(phase->valuestring, "abort")) {
		res = cJSON_CreateObject();
		cJSON_AddNumberToObject(res, "received", (double)received);
		oob_send(&s->oob, OOB_RESULT, res, now_sec() + 1);
		cJSON_Delete(res);
		out_error(s->ctx->out, "the client gave up waiting (the fabric stopped delivering); "
			  "received %ld messages of this size", received);
	} else {
		out_error(s->ctx->out, "unexpected %s message from the client mid-test",
			  oob_type_str(type));
	}
	cJSON_Delete(m);
	return EXIT_FAIL;
}

/*
 * The server's half of one size: receive, reply. It takes no per-message timestamps (they
 * would slow the very thing measured); the client sends its row for the server to print.
 */
static int server_size(struct session *s, struct pp_side *side, size_t size)
{
	long total = s->p.warmup + s->p.iterations, i, bad;
	double within = FAB_WITHIN(s->p.timeout_sec + SERVER_GRACE_SEC);
	long corrupt = corrupt_offset();
	bool pending = false;
	int ret;

	/* Two receives are posted before the client is told to start, and stay two ahead. */
	ret = post_recv(side, size, 0, session_deadline(s));
	if (!ret && total > 1)
		ret = post_recv(side, size, 1, session_deadline(s));
	if (!ret)
		ret = oob_send(&s->oob, OOB_SYNC, NULL, session_deadline(s)) ? -FI_EIO : 0;
	for (i = 0; !ret && i < total; i++) {
		ret = wait_recv(side, size, i, within);
		if (ret)
			break;
		if (s->p.verify && (bad = check(rx(side, i), size, i, FROM_CLIENT)) >= 0) {
			char msg[160];

			snprintf(msg, sizeof(msg), "--verify: payload from the client differs at size "
				 "%zu, iteration %ld, offset %ld", size, i, bad);
			oob_send_error(&s->oob, msg, now_sec() + 1);
			out_error(s->ctx->out, "%s", msg);
			return EXIT_FAIL;
		}
		if (s->p.verify)
			fill(tx(side), size, i, FROM_SERVER);
		if (corrupt >= 0 && (size_t)corrupt < size)
			tx(side)[corrupt] ^= 0xff;
		/* Reply first; message i + 1 already has its receive, i + 2 gets this slot. */
		ret = send_msg(side, size, &pending, within);
		if (!ret && i + 2 < total)
			ret = post_recv(side, size, i + 2, within);
		if (!ret)
			ret = reap_send(side, &pending, within);
	}
	if (ret == -FI_EINTR)
		return server_interrupted(s, i);
	if (ret) {
		out_error(s->ctx->out, "at size %zu, iteration %ld: %s", size, i,
			  ret == -FI_ETIMEDOUT ? "nothing from the client before the timeout" :
						 s->fab.err_text);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* A result row the client measured: copied field by field, only the keys we know. */
static void add_client_row(struct out_table *t, const cJSON *m)
{
	cJSON *row = out_table_row(t);
	size_t c;

	for (c = 0; c < NCOLS; c++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, result_cols[c].key);

		if (cJSON_IsNumber(v))
			out_set_num(row, result_cols[c].key, v->valuedouble);
	}
}

static int pingpong_serve(struct session *s)
{
	struct pp_side side = { .fab = &s->fab, .max = session_max_size(&s->p),
				.watch_fd = s->oob.rfd };
	struct out_table *t = out_table_new(s->ctx->out, "results", NULL, result_cols, NCOLS);
	const cJSON *phase, *bytes;
	cJSON *m;
	int type, ret, code = EXIT_OK;

	for (;;) {
		double deadline = now_sec() + s->p.timeout_sec + SERVER_GRACE_SEC;

		/* Our last reply may still be leaving: progress the fabric until the client speaks. */
		fab_progress_until_readable(&s->fab, s->oob.rfd, deadline);
		ret = oob_recv(&s->oob, &type, &m, deadline);
		if (ret) {
			out_error(s->ctx->out, "client %s: %s", s->oob.peer, s->oob.err);
			code = EXIT_ERROR;
			break;
		}
		if (type == OOB_BYE) {
			cJSON_Delete(m);
			break;
		}
		if (type == OOB_RESULT) {
			add_client_row(t, m);
			cJSON_Delete(m);
			continue;
		}
		phase = cJSON_GetObjectItemCaseSensitive(m, "phase");
		bytes = cJSON_GetObjectItemCaseSensitive(m, "bytes");
		if (type != OOB_SYNC || !cJSON_IsString(phase) || strcmp(phase->valuestring, "size") ||
		    !cJSON_IsNumber(bytes) || bytes->valuedouble < 1 ||
		    bytes->valuedouble > (double)side.max) {
			cJSON_Delete(m);
			out_error(s->ctx->out, "client %s: unexpected %s message", s->oob.peer,
				  oob_type_str(type));
			oob_send_error(&s->oob, "unexpected message during pingpong", now_sec() + 1);
			code = EXIT_ERROR;
			break;
		}
		code = server_size(s, &side, (size_t)bytes->valuedouble);
		cJSON_Delete(m);
		if (code)
			break;
	}
	end_results(s->ctx->out, t, code);
	return code;
}

const struct test_entry test_pingpong = {
	.name = "pingpong",
	.caps = FI_MSG,
	.serve = pingpong_serve,
};

/* --- loopback ---------------------------------------------------------------------------- */

/* Both ends in this process on one domain: a node self-test that needs no peer. */
static int pingpong_loopback(struct ctx *ctx)
{
	struct test_params p;
	struct fab a, b;
	struct pp_side ca = { 0 }, cb = { 0 };
	struct fab_open_args fa = { .provider = ctx->opt.provider, .domains = ctx->opt.domains,
				    .ndomains = ctx->opt.ndomains, .caps = FI_MSG };
	unsigned char addr[FAB_ADDR_MAX];
	struct out_table *t = NULL;
	size_t k, len;
	int code = EXIT_OK;

	session_params(&p, ctx, "pingpong", default_sizes, 6, DEFAULT_ITERATIONS, DEFAULT_WARMUP);
	fa.buf_size = SESSION_BUF_SLOTS * session_max_size(&p);
	memset(&b, 0, sizeof(b));
	if (fab_open(&a, &fa) || fab_open(&b, &fa)) {
		out_error(ctx->out, "%s", a.err_text[0] ? a.err_text : b.err_text);
		code = EXIT_ERROR;
		goto out;
	}
	len = sizeof(addr);
	if (fab_getname(&b, addr, &len) || fab_insert_peer(&a, addr, len) ||
	    (len = sizeof(addr), fab_getname(&a, addr, &len)) || fab_insert_peer(&b, addr, len)) {
		out_error(ctx->out, "%s", a.err_text[0] ? a.err_text : b.err_text);
		code = EXIT_ERROR;
		goto out;
	}
	a.buddy = &b;
	b.buddy = &a;
	ca = (struct pp_side){ .fab = &a, .max = session_max_size(&p), .watch_fd = -1,
			       .tsc = lap_tsc_usable(LAP_CLOCKSOURCE) };
	cb = (struct pp_side){ .fab = &b, .max = session_max_size(&p), .watch_fd = -1 };
	cJSON_AddStringToObject(out_root(ctx->out), "provider", fab_provider_name(&a));
	cJSON_AddStringToObject(out_root(ctx->out), "mode", "loopback");
	out_text(ctx->out, "pingpong %s: loopback on %s (%s)\n", fab_provider_name(&a),
		 fab_domain_name(&a), fab_fabric_name(&a));
	t = out_table_new(ctx->out, "results", NULL, result_cols, NCOLS);
	for (k = 0; k < p.nsizes && code == EXIT_OK; k++) {
		size_t size = p.sizes[k];
		long total = p.warmup + p.iterations, i, bad = -1;
		double dl = FAB_WITHIN(p.timeout_sec);
		bool pa = false, pb = false;
		struct lap_timer tm;
		int ret = 0;

		if (lap_timer_start(&tm, SAMPLE_CAP, p.warmup, ca.tsc)) {
			out_error(ctx->out, "out of memory");
			code = EXIT_ERROR;
			break;
		}
		for (i = 0; i < total && !ret; i++) {
			if (p.verify)
				fill(tx(&ca), size, i, FROM_CLIENT);
			ret = post_recv(&cb, size, i, dl);
			if (!ret)
				ret = post_recv(&ca, size, i, dl);
			if (!ret)
				ret = send_msg(&ca, size, &pa, dl);
			if (!ret)
				ret = wait_recv(&cb, size, i, dl);
			if (!ret && p.verify && (bad = check(rx(&cb, i), size, i, FROM_CLIENT)) < 0)
				fill(tx(&cb), size, i, FROM_SERVER);
			if (!ret && bad < 0)
				ret = send_msg(&cb, size, &pb, dl);
			if (!ret && bad < 0)
				ret = wait_recv(&ca, size, i, dl);
			if (!ret && bad < 0)
				lap_timer_lap(&tm);
			if (!ret && bad < 0 && p.verify)
				bad = check(rx(&ca, i), size, i, FROM_SERVER);
			if (!ret)
				ret = reap_send(&ca, &pa, dl);
			if (!ret)
				ret = reap_send(&cb, &pb, dl);
			if (bad >= 0)
				break;
		}
		if (bad >= 0) {
			out_error(ctx->out, "--verify: payload differs at size %zu, iteration %ld, "
				  "offset %ld", size, i, bad);
			code = EXIT_FAIL;
		} else if (ret) {
			out_error(ctx->out, "loopback at size %zu, iteration %ld: %s: the local "
				  "device or provider is not delivering to itself", size, i - 1,
				  a.err_text[0] ? a.err_text : b.err_text[0] ? b.err_text :
				  "no completion before the timeout");
			code = ret == -FI_ETIMEDOUT || a.err_class == FAB_ERR_UNREACHABLE ?
				       EXIT_FAIL : EXIT_ERROR;
		} else {
			add_row(t, size, &tm);
		}
		lap_timer_free(&tm);
	}
	end_results(ctx->out, t, code);
out:
	fab_close(&a);
	fab_close(&b);
	return code;
}

static int pingpong_validate(struct ctx *ctx)
{
	return session_validate_peer(ctx);
}

static int pingpong_run(struct ctx *ctx)
{
	return session_run_test(ctx, "pingpong", pingpong_loopback, pingpong_client);
}

const struct cmd_entry cmd_pingpong = {
	.name = "pingpong",
	.summary = "one-way latency per message size (client with HOST or --exec, else server)",
	.usage = "[HOST]",
	.options = (const struct opt_def *const[]){ options_measure, options_peer, options_token,
						    NULL },
	.flags = CMD_HOST_OPTIONAL,
	.validate = pingpong_validate,
	.run = pingpong_run,
};
