// SPDX-License-Identifier: MIT
/* efadiag sg-check: does fabric traffic cross each way between two nodes? Verdict and fix. */
#include "cmd/sgcheck.h"

#include <errno.h>
#include <rdma/fi_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/common-options.h"
#include "cmd/test.h"
#include "cmd/test-counters.h"
#include "fabric/mr.h"
#include "measure/probe.h"
#include "ui/cli.h"
#include "ui/out.h"
#include "util.h"

/* Shares of --timeout, which sg-check takes as its total budget. */
#define SETUP_SHARE 0.6	 /* control path, endpoints, addresses */
#define WINDOW_SHARE 0.85 /* probes end here; the rest is for exchanging results */
#define SERVER_GRACE_SEC 1.0
/* How long the probe's last sends get to complete before the endpoints close. */
#define DRAIN_SEC 0.5

static const struct out_col dir_cols[] = {
	{ "direction", "DIRECTION", OUT_STR, 0, 0 },
	{ "status", "STATUS", OUT_STR, 0, 0 },
	/* delivered/sent of each probe size */
	{ "small", "64 B", OUT_STR, 0, 0 },
	{ "large", "64 KiB", OUT_STR, 0, 0 },
	{ "elapsed_ms", "ELAPSED(ms)", OUT_DBL, 1, 0 },
	{ "error", "ERROR", OUT_STR, 0, 0 },
};

/* What a run found; rendered once at the end. */
struct sg_outcome {
	bool probed; /* the probes ran: to and from say how */
	struct dir_result to, from;
	/* Without probes: the verdict word, why, and the fix. */
	const char *verdict;
	char why[512];
	char remedy[512];
	const char *me, *peer; /* how the two ends are named */
	bool loopback;
	/* The device's own count of peers that stopped answering, during the probes. */
	uint64_t unresponsive_events;
	double window_sec; /* how long the probes had; 0 before they ran */
	double budget_sec; /* -t */
};

/*
 * One node's probe machinery: the session's endpoint, a second one, a buffer for each, and
 * the sending endpoints of the extra paths (see PROBE_PATHS) with theirs.
 */
struct sg_side {
	struct fab_ep ep2;
	fi_addr_t peer2; /* the peer's second endpoint, in ep2's AV */
	struct fab_buf buf1, buf2;
	struct fab_ep xtx[PROBE_PATHS - 1];
	struct fab_buf xbuf[PROBE_PATHS - 1];
	fi_addr_t xpeer[PROBE_PATHS - 1]; /* the peer's receiving endpoint, in xtx's AVs */
	size_t nx;			  /* extra paths open */
	struct probe_side probe;
	size_t large; /* the large probe's bytes (see large_probe) */
};

static int no_probe(struct sg_outcome *r, const char *verdict, const char *why,
		    const char *remedy)
{
	r->probed = false;
	r->verdict = verdict;
	str_copy(r->why, sizeof(r->why), why);
	str_copy(r->remedy, sizeof(r->remedy), remedy);
	return EXIT_ERROR;
}

/* One direction's facts, the same in the table row and in the JSON "directions" object. */
static void set_direction_fields(cJSON *o, const struct dir_result *d)
{
	out_set_str(o, "status", "%s", sg_dir_status_str(d->status));
	out_set_bool(o, "small_received", d->small);
	out_set_bool(o, "large_received", d->large);
	out_set_num(o, "small_sent", (double)d->sent[PROBE_S]);
	out_set_num(o, "small_delivered", (double)d->delivered[PROBE_S]);
	out_set_num(o, "large_sent", (double)d->sent[PROBE_L]);
	out_set_num(o, "large_delivered", (double)d->delivered[PROBE_L]);
	out_set_num(o, "elapsed_ms", d->elapsed_ms);
	if (d->error[0])
		out_set_str(o, "error", "%s", d->error);
}

static void add_direction(struct out_table *t, cJSON *dirs, const char *key, const char *label,
			  const struct dir_result *d)
{
	cJSON *row = out_table_row(t), *obj = cJSON_CreateObject();

	out_set_str(row, "direction", "%s", label);
	set_direction_fields(row, d);
	out_set_str(row, "small", "%ld/%ld", d->delivered[PROBE_S], d->sent[PROBE_S]);
	out_set_str(row, "large", "%ld/%ld", d->delivered[PROBE_L], d->sent[PROBE_L]);
	if (!obj)
		return;
	set_direction_fields(obj, d);
	cJSON_AddItemToObject(dirs, key, obj);
}

/* A verdict without probes: the control path or the setup failed. */
static int render_no_probe(struct out *o, const struct sg_outcome *r)
{
	cJSON *root = out_root(o), *dirs, *d;
	const char *keys[] = { "to_peer", "from_peer" };
	size_t i;

	cJSON_AddStringToObject(root, "verdict", r->verdict);
	dirs = cJSON_AddObjectToObject(root, "directions");
	for (i = 0; dirs && i < 2; i++) {
		d = cJSON_AddObjectToObject(dirs, keys[i]);
		if (!d)
			continue;
		cJSON_AddStringToObject(d, "status", "error");
		cJSON_AddNumberToObject(d, "elapsed_ms", 0);
		cJSON_AddStringToObject(d, "error", r->why);
	}
	cJSON_AddStringToObject(root, "remedy", r->remedy);
	out_error(o, "%s", r->why);
	out_verdict(o, "ERROR: %s%s", !strcmp(r->verdict, "error") ? "" : "control_unreachable: ",
		    r->why);
	out_text(o, "Fix: %s\n", r->remedy);
	return EXIT_ERROR;
}

/* The directions table, the verdict line and the remedy; returns the exit code. */
static int render(struct out *o, const struct sg_outcome *r)
{
	struct out_col cols[sizeof(dir_cols) / sizeof(dir_cols[0])];
	cJSON *root = out_root(o), *dirs, *bytes;
	char l1[128], l2[128], large[32];
	struct sg_verdict v;
	struct out_table *t;

	if (!r->probed)
		return render_no_probe(o, r);
	/* The large column is headed by its size: 64KiB, or the fabric's limit (efa-direct). */
	memcpy(cols, dir_cols, sizeof(cols));
	cols[3].head = sg_size_words(r->to.large_bytes, large, sizeof(large), " ");
	bytes = cJSON_AddObjectToObject(root, "probe_bytes");
	if (bytes) {
		cJSON_AddNumberToObject(bytes, "small", PROBE_SMALL);
		cJSON_AddNumberToObject(bytes, "large", (double)r->to.large_bytes);
	}
	sg_judge(&v, &r->to, &r->from, r->me, r->peer);
	sg_distrust_short_window(&v, r->window_sec, r->budget_sec);
	if (v.code != EXIT_OK && r->unresponsive_events) {
		size_t used = strlen(v.line);

		snprintf(v.line + used, sizeof(v.line) - used,
			 "; the EFA device itself counted %llu unresponsive_remote_events during the "
			 "test: it saw the peer stop answering",
			 (unsigned long long)r->unresponsive_events);
	}
	cJSON_AddStringToObject(root, "verdict", v.name);
	dirs = cJSON_AddObjectToObject(root, "directions");
	/* The table is for people; the JSON directions object is what scripts read. */
	t = out_table_new(o, NULL, NULL, cols, sizeof(cols) / sizeof(cols[0]));
	snprintf(l1, sizeof(l1), "%s -> %s", r->me, r->peer);
	snprintf(l2, sizeof(l2), "%s -> %s", r->peer, r->me);
	add_direction(t, dirs, "to_peer", l1, &r->to);
	add_direction(t, dirs, "from_peer", l2, &r->from);
	out_table_end(t);
	out_verdict(o, "%s", v.line);
	out_fix(o, v.remedy);
	if (v.code != EXIT_OK && r->loopback)
		out_text(o, "A failure here is local: the device or provider does not deliver to "
			 "itself. Check 'efadiag info'.\n");
	if (v.code == EXIT_FAIL)
		out_fail(o);
	else if (v.code == EXIT_ERROR)
		out_error(o, "%s", v.line);
	return v.code;
}

/* A side's report of its probe, for the peer. */
static void report_of(const struct probe_side *p, double window_sec, struct msg *m)
{
	struct msg_sg_report *r = &m->u.sg_report;

	memset(m, 0, sizeof(*m));
	m->kind = MSG_SG_REPORT;
	r->small_received = p->delivered[PROBE_S] > 0;
	r->large_received = p->delivered[PROBE_L] > 0;
	r->elapsed_ms = p->got_all_at ? (p->got_all_at - p->start) * 1e3 : window_sec * 1e3;
	r->sent = probe_sent(p);
	r->sent_count[PROBE_S] = p->sent[PROBE_S];
	r->sent_count[PROBE_L] = p->sent[PROBE_L];
	r->delivered_count[PROBE_S] = p->delivered[PROBE_S];
	r->delivered_count[PROBE_L] = p->delivered[PROBE_L];
	r->has_send_error = p->send_err != 0;
	if (r->has_send_error) {
		str_copy(r->send_error, sizeof(r->send_error), p->send_err_text);
		r->send_unreachable = p->send_class == FAB_ERR_UNREACHABLE;
	}
}

/*
 * The large probe: 64 KiB, above every provider's inject size and EFA's MTU, or the largest
 * message the session's fabric takes where that is less. efa-direct takes messages up to the
 * device's MTU (libfabric v2.1.0..v2.6.0 prov/efa/src/efa_user_info.c,
 * efa_user_info_alter_direct) and the device fails a longer one: a 64 KiB probe there would
 * call a healthy path size_limited. Both ends open the same fabric, so both agree.
 */
static size_t large_probe(const struct fab_ep *ep)
{
	return ep->max_msg_size < PROBE_LARGE ? ep->max_msg_size : PROBE_LARGE;
}

/* The second endpoint, on the session's domain and fabric, and a probe buffer for each. */
static int side_open(struct sg_side *sd, struct session *s, char *err, size_t errlen)
{
	char *domain = (char *)fab_domain_name(&s->ep);
	struct fab_open_args fa = { .provider = fab_provider_name(&s->ep), .domains = &domain,
				    .ndomains = 1, .caps = FI_MSG, .fabric = s->hello.fabric };
	size_t size = probe_buf_size(PROBE_LARGE);

	sd->large = large_probe(&s->ep);
	fa.max_msg = sd->large;
	if (fab_open(&sd->ep2, &fa)) {
		snprintf(err, errlen, "second endpoint: %s", sd->ep2.err_text);
		return -1;
	}
	if (fab_buf_alloc(&sd->buf1, FAB_MEM_HOST, size) ||
	    fab_buf_alloc(&sd->buf2, FAB_MEM_HOST, size)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (fab_buf_register(&sd->buf1, &s->ep)) {
		snprintf(err, errlen, "%s", s->ep.err_text);
		return -1;
	}
	if (fab_buf_register(&sd->buf2, &sd->ep2)) {
		snprintf(err, errlen, "%s", sd->ep2.err_text);
		return -1;
	}
	return 0;
}

/* Extra path i: its endpoint, its send buffer, the peer's receiving endpoint in its AV. */
static int open_path(struct sg_side *sd, size_t i, const struct fab_open_args *fa,
		     const struct ep_addr *peer_rx)
{
	if (!fab_open(&sd->xtx[i], fa) &&
	    !fab_buf_alloc(&sd->xbuf[i], FAB_MEM_HOST, PROBE_LARGE) &&
	    !fab_buf_register(&sd->xbuf[i], &sd->xtx[i]) &&
	    !proto_insert_addr(&sd->xtx[i], peer_rx, &sd->xpeer[i]))
		return 0;
	fab_buf_free(&sd->xbuf[i]);
	fab_close(&sd->xtx[i]);
	return -1;
}

/*
 * The extra paths, on the session's provider and domain, towards the peer's receiving
 * endpoint. One that cannot be opened is left out: the probe runs on fewer paths, not on none.
 */
static void side_open_paths(struct sg_side *sd, struct session *s, const struct ep_addr *peer_rx)
{
	char *domain = (char *)fab_domain_name(&s->ep);
	struct fab_open_args fa = { .provider = fab_provider_name(&s->ep), .domains = &domain,
				    .ndomains = 1, .caps = FI_MSG, .fabric = s->hello.fabric,
				    .max_msg = sd->large };

	while (sd->nx < PROBE_PATHS - 1 && !open_path(sd, sd->nx, &fa, peer_rx))
		sd->nx++;
}

/* The paths to probe on: the first on tx (the endpoint the session or setup gave), then the extras. */
static size_t side_paths(struct sg_side *sd, struct probe_path *paths, struct fab_ep *tx,
			 struct fab_buf *txbuf, fi_addr_t peer)
{
	size_t i;

	memset(paths, 0, PROBE_PATHS * sizeof(*paths));
	paths[0] = (struct probe_path){ .ep = tx, .buf = txbuf, .peer = peer };
	for (i = 0; i < sd->nx; i++)
		paths[i + 1] = (struct probe_path){ .ep = &sd->xtx[i], .buf = &sd->xbuf[i],
						    .peer = sd->xpeer[i] };
	return sd->nx + 1;
}

/*
 * The probe's operations end first, then every endpoint (the session's too: its domain closes
 * with the session), and only then the memory those operations used.
 */
static void side_close(struct sg_side *sd, struct session *s, double deadline)
{
	size_t i;

	if (deadline > now_sec() + DRAIN_SEC)
		deadline = now_sec() + DRAIN_SEC;
	probe_stop(&sd->probe, deadline);
	for (i = 0; i < sd->nx; i++)
		fab_close_endpoint(&sd->xtx[i]);
	fab_close_endpoint(&sd->ep2);
	fab_close_endpoint(&s->ep);
	for (i = 0; i < sd->nx; i++) {
		fab_buf_free(&sd->xbuf[i]);
		fab_close(&sd->xtx[i]);
	}
	sd->nx = 0;
	fab_buf_free(&sd->buf1);
	fab_buf_free(&sd->buf2);
	fab_close(&sd->ep2);
}

/* Our second endpoint's address, as an sg-check setup message. */
static int setup_msg(struct sg_side *sd, struct msg *m, char *err, size_t errlen)
{
	m->kind = MSG_SG_SETUP;
	if (proto_addr_of(&sd->ep2, &m->u.addr)) {
		snprintf(err, errlen, "%s", sd->ep2.err_text);
		return -1;
	}
	return 0;
}

/* Sends our report (kept in *mine) and takes the peer's, while both endpoints keep progressing
 * (sends may be in flight). 0, or a negative errno with s->oob.err. */
static int exchange_reports(struct session *s, struct sg_side *sd, double window_sec,
			    double deadline, struct msg *mine, struct msg *peer)
{
	struct fab_ep *eps[2] = { &s->ep, &sd->ep2 };
	int ret;

	report_of(&sd->probe, window_sec, mine);
	ret = proto_send(&s->oob, mine, deadline);
	if (ret)
		return ret;
	fab_progress_until_readable(eps, 2, s->oob.rfd, deadline);
	return proto_expect(&s->oob, MSG_SG_REPORT, peer, deadline);
}

/* Both directions from the two reports. */
static void conclude(struct sg_outcome *r, const struct msg *mine, const struct msg *peer,
		     size_t large)
{
	sg_direction(&r->to, &peer->u.sg_report, &mine->u.sg_report);
	sg_direction(&r->from, &mine->u.sg_report, &peer->u.sg_report);
	r->to.large_bytes = r->from.large_bytes = large;
	r->probed = true;
}

static const char *peer_label(const struct ctx *ctx)
{
	return ctx->host ? ctx->host : ctx->opt.exec_cmd ? "peer" :
				       ctx->opt.loopback ? "loopback peer" : "client";
}

/* The client's probes: second endpoints, then probes both ways at once, then the reports. */
static void client_probe(struct ctx *ctx, struct session *s, struct sg_side *sd, double t0,
			 struct sg_outcome *r)
{
	double total = ctx->opt.timeout_sec, window_end, window_sec;
	struct probe_path paths[PROBE_PATHS];
	struct msg m, mine, peer;
	char err[512] = "", remedy[128];
	size_t npaths;
	int ret;

	if (side_open(sd, s, err, sizeof(err)) || setup_msg(sd, &m, err, sizeof(err))) {
		no_probe(r, "error", err, "Run 'efadiag info' on both nodes.");
		return;
	}
	ret = proto_send(&s->oob, &m, session_deadline(s));
	if (!ret)
		ret = proto_expect(&s->oob, MSG_SG_SETUP, &m, session_deadline(s));
	if (ret == -ETIMEDOUT) {
		/*
		 * The peer still opening its endpoints when -t ran out: a loaded node, or loss on
		 * the path slowing the provider's connection set-up. Nothing was probed, so
		 * nothing can be said of the path but that the budget was short.
		 */
		snprintf(err, sizeof(err), "the peer's probe endpoints were not ready within -t "
			 "%.3g s (%s): too short to tell whether traffic crosses", total, s->oob.err);
		snprintf(remedy, sizeof(remedy), "Run again with a larger -t (e.g. -t %.0f).",
			 total * 2 > 10 ? total * 2 : 10);
		no_probe(r, "error", err, remedy);
		return;
	}
	if (ret) {
		str_copy(err, sizeof(err), s->oob.err);
	} else if (proto_insert_addr(&sd->ep2, &m.u.addr, &sd->peer2)) {
		str_copy(err, sizeof(err), sd->ep2.err_text);
		ret = -EIO;
	}
	if (ret) {
		no_probe(r, "error", err, "Run 'efadiag info' on both nodes.");
		return;
	}
	/* After the setup exchange, while the server opens its own: not on the set-up's clock. */
	side_open_paths(sd, s, &s->remote);
	window_end = t0 + WINDOW_SHARE * total;
	window_sec = window_end - now_sec();
	if (window_sec < 0.05)
		window_sec = 0.05, window_end = now_sec() + window_sec;
	r->window_sec = window_sec;
	r->budget_sec = total;
	/* We send on the session's endpoint (and the extra paths') to the server's; it answers on
	 * the second ones. */
	npaths = side_paths(sd, paths, &s->ep, &sd->buf1, s->peer);
	ret = probe_start(&sd->probe, paths, npaths, &sd->ep2, &sd->buf2, sd->large, now_sec());
	m = (struct msg){ .kind = MSG_SG_PROBE, .u.sg_window_ms = window_sec * 1e3 };
	if (!ret)
		ret = proto_send(&s->oob, &m, window_end);
	if (!ret)
		ret = probe_run(&sd->probe, window_end);
	if (!ret)
		ret = exchange_reports(s, sd, window_sec, t0 + total, &mine, &peer);
	if (ret) {
		if (ret == -ECONNRESET)
			snprintf(err, sizeof(err), "the peer went away during the probe (%s)",
				 s->oob.err);
		else
			str_copy(err, sizeof(err), s->oob.err[0] ? s->oob.err : s->ep.err_text);
		no_probe(r, "error", err, "Check that efadiag still runs on the peer; run sg-check "
			 "again.");
		return;
	}
	conclude(r, &mine, &peer, sd->large);
	proto_send_kind(&s->oob, MSG_BYE, now_sec() + 0.5);
}

static int sgcheck_client(struct ctx *ctx, const struct session_target *t)
{
	static const size_t sizes[] = { PROBE_SMALL, PROBE_LARGE };
	double t0 = now_sec();
	struct sg_outcome r = { .me = "this node", .peer = peer_label(ctx),
				.loopback = ctx->opt.loopback };
	struct sg_side sd;
	struct test_counters tc = { 0 };
	struct msg_hello h;
	struct session s;
	char *domain;
	int code;

	memset(&sd, 0, sizeof(sd));
	test_hello(&h, ctx, "sg-check", sizes, 2, 1, 0);
	memcpy(h.sizes, sizes, sizeof(sizes));
	h.nsizes = 2;
	session_init(&s);
	if (session_client_start(&s, t, &h, FI_MSG, t0 + SETUP_SHARE * ctx->opt.timeout_sec)) {
		test_explain_start_failure(ctx, &s);
		if (s.failed_phase == PHASE_CONTROL) {
			/* A -t too short for the handshake, or no server to reach. */
			no_probe(&r, "control_unreachable", s.err, s.fix);
		} else {
			/* A refusal or a peer that is not efadiag: the session knows what to do. */
			no_probe(&r, "error", s.err, s.fix[0] ? s.fix : "Run 'efadiag info' on both "
				 "nodes to see why the endpoint could not be set up.");
		}
	} else {
		test_describe(ctx->out, &s);
		domain = (char *)fab_domain_name(&s.ep);
		test_counters_start(&tc, &domain, 1);
		client_probe(ctx, &s, &sd, t0, &r);
	}
	side_close(&sd, &s, t0 + ctx->opt.timeout_sec);
	/* A peer that outlives the budget (a hung --exec command) is stopped within the bound. */
	s.oob.close_by = t0 + ctx->opt.timeout_sec;
	session_end(&s);
	test_counters_finish(&tc, ctx->out);
	r.unresponsive_events = tc.unresponsive;
	code = render(ctx->out, &r);
	test_counters_print(&tc, ctx->out);
	test_counters_free(&tc);
	return code;
}

/* The server's half: mirrors the client, and prints the verdict from its own side. */
static int sgcheck_serve(struct ctx *ctx, struct session *s)
{
	double total = s->hello.timeout_sec, window_end, window_sec;
	struct sg_outcome r = { .me = "this node", .peer = "client" };
	struct probe_path paths[PROBE_PATHS];
	struct sg_side sd;
	struct ep_addr client_rx;
	struct msg m, mine, peer;
	char err[512] = "";
	size_t npaths = 0;
	int ret, code;

	memset(&sd, 0, sizeof(sd));
	ret = proto_expect(&s->oob, MSG_SG_SETUP, &m, now_sec() + total + SERVER_GRACE_SEC);
	if (!ret)
		client_rx = m.u.addr; /* m is reused for our own setup */
	if (!ret && side_open(&sd, s, err, sizeof(err)))
		ret = -EIO;
	if (!ret && proto_insert_addr(&sd.ep2, &m.u.addr, &sd.peer2)) {
		str_copy(err, sizeof(err), sd.ep2.err_text);
		ret = -EIO;
	}
	if (!ret && setup_msg(&sd, &m, err, sizeof(err)))
		ret = -EIO;
	if (!ret)
		ret = proto_send(&s->oob, &m, now_sec() + total);
	/* After our setup went out, while the client opens its own. */
	if (!ret)
		side_open_paths(&sd, s, &client_rx);
	if (!ret)
		ret = proto_expect(&s->oob, MSG_SG_PROBE, &m, now_sec() + total + SERVER_GRACE_SEC);
	if (ret) {
		if (err[0])
			proto_send_error(&s->oob, err, now_sec() + 1);
		out_error(ctx->out, "client %s: %s", s->oob.peer, err[0] ? err : s->oob.err);
		side_close(&sd, s, now_sec() + DRAIN_SEC);
		return EXIT_ERROR;
	}
	window_sec = m.u.sg_window_ms > 0 && m.u.sg_window_ms <= total * 1e3 ?
			     m.u.sg_window_ms / 1e3 : total;
	window_end = now_sec() + window_sec;
	r.window_sec = window_sec;
	r.budget_sec = total;
	npaths = side_paths(&sd, paths, &sd.ep2, &sd.buf2, sd.peer2);
	ret = probe_start(&sd.probe, paths, npaths, &s->ep, &sd.buf1, sd.large, now_sec());
	if (!ret)
		ret = probe_run(&sd.probe, window_end);
	if (!ret)
		ret = exchange_reports(s, &sd, window_sec,
				       window_end + 0.15 * total + SERVER_GRACE_SEC, &mine, &peer);
	if (ret) {
		out_error(ctx->out, "client %s: %s", s->oob.peer,
			  ret == -ECONNRESET ? "disconnected during the probe" :
			  s->oob.err[0] ? s->oob.err : s->ep.err_text);
		side_close(&sd, s, now_sec() + DRAIN_SEC);
		return EXIT_ERROR;
	}
	conclude(&r, &mine, &peer, sd.large);
	side_close(&sd, s, now_sec() + DRAIN_SEC);
	code = render(ctx->out, &r);
	return code;
}

/*
 * Every sg-check document has a verdict: where the run stopped before judging (a refused
 * command line, a server whose client went away), it is "error", with a remedy.
 */
static void sgcheck_complete(struct ctx *ctx, int code)
{
	cJSON *root = out_root(ctx->out);

	if (!root || cJSON_HasObjectItem(root, "verdict"))
		return;
	cJSON_AddStringToObject(root, "verdict", code == EXIT_OK ? "pass" : "error");
	if (code == EXIT_USAGE)
		cJSON_AddStringToObject(root, "remedy", "Correct the command line: see 'efadiag "
					"sg-check --help'.");
	else if (code != EXIT_OK)
		cJSON_AddStringToObject(root, "remedy", "The check did not run to its end: see the "
					"error, and run sg-check again.");
}

static const struct test_entry test_sgcheck = {
	.name = "sg-check",
	.client = sgcheck_client,
	.serve = sgcheck_serve,
};

const struct cmd_entry cmd_sgcheck = {
	.name = "sg-check",
	.summary = "check that fabric traffic crosses both ways (security group test), with the fix",
	.usage = "[HOST]",
	/* It sends fixed probes: sizes and counts are for the measuring commands only. */
	.options = (const struct opt_def *const[]){ options_fabric, options_peer, options_bind,
						    options_token, NULL },
	.flags = CMD_HOST_OPTIONAL,
	.validate = test_validate_peer,
	.timeout_help = "the whole run's budget: control path, endpoints, probes and results "
			"(default 5)",
	.run = test_run,
	.test = &test_sgcheck,
	.complete = sgcheck_complete,
};
