// SPDX-License-Identifier: MIT
/* efadiag sg-check: does fabric traffic cross each way between two nodes? Verdict and fix. */
#include <errno.h>
#include <rdma/fi_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/common-options.h"
#include "ui/cli.h"
#include "ui/out.h"
#include "measure/probe.h"
#include "ctl/session.h"
#include "util.h"

/* Shares of --timeout, which sg-check takes as its total budget. */
#define SETUP_SHARE 0.6	 /* control path, endpoints, addresses */
#define WINDOW_SHARE 0.85 /* probes end here; the rest is for exchanging results */
#define SERVER_GRACE_SEC 1.0

enum dir_status { DIR_OK, DIR_TIMEOUT, DIR_ERROR };

/* What one direction did, from the sender's and the receiver's reports. */
struct dir_result {
	enum dir_status status;
	bool small, large;
	double elapsed_ms;
	char error[512];
	bool provider_error; /* an error other than unreachable: verdict "error" */
};

struct verdict {
	const char *name; /* pass, blocked, one_way, control_unreachable, error */
	int code;
	char line[512];
	char remedy[1024];
};

static const struct out_col dir_cols[] = {
	{ "direction", "DIRECTION", OUT_STR, 0, 0 },
	{ "status", "STATUS", OUT_STR, 0, 0 },
	{ "small_received", "64B", OUT_BOOL, 0, 0 },
	{ "large_received", "64KiB", OUT_BOOL, 0, 0 },
	{ "elapsed_ms", "ELAPSED(ms)", OUT_DBL, 1, 0 },
	{ "error", "ERROR", OUT_STR, 0, 0 },
};

static const char *dir_status_str(enum dir_status s)
{
	return s == DIR_OK ? "ok" : s == DIR_TIMEOUT ? "timeout" : "error";
}

/* A side's report of its probe, sent over the control channel. */
static cJSON *report(const struct probe_side *p, double window_sec)
{
	cJSON *j = cJSON_CreateObject();

	if (!j)
		return NULL;
	cJSON_AddBoolToObject(j, "small_received", p->got_small);
	cJSON_AddBoolToObject(j, "large_received", p->got_large);
	cJSON_AddNumberToObject(j, "elapsed_ms", p->got_both_at ? (p->got_both_at - p->start) * 1e3 :
								   window_sec * 1e3);
	cJSON_AddBoolToObject(j, "sent", probe_sent(p));
	if (p->send_err) {
		cJSON_AddStringToObject(j, "send_error", p->send_err_text);
		cJSON_AddBoolToObject(j, "send_unreachable", p->send_class == FAB_ERR_UNREACHABLE);
	}
	return j;
}

/*
 * One direction's result: the receiver says whether the probes arrived, the sender says
 * how its sends ended. recv is the receiving side's report, send the sending side's.
 */
static void direction(struct dir_result *d, const cJSON *recv, const cJSON *send)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(send, "send_error");
	const cJSON *unreach = cJSON_GetObjectItemCaseSensitive(send, "send_unreachable");
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(recv, "elapsed_ms");

	memset(d, 0, sizeof(*d));
	d->small = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(recv, "small_received"));
	d->large = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(recv, "large_received"));
	d->elapsed_ms = cJSON_IsNumber(ms) ? ms->valuedouble : 0;
	if (d->small && d->large) {
		d->status = DIR_OK;
		return;
	}
	if (cJSON_IsString(err)) {
		d->status = DIR_ERROR;
		str_copy(d->error, sizeof(d->error), err->valuestring);
		d->provider_error = !cJSON_IsTrue(unreach);
		return;
	}
	d->status = DIR_TIMEOUT;
	if (d->small != d->large)
		snprintf(d->error, sizeof(d->error), "only the %s probe arrived",
			 d->small ? "64-byte" : "64 KiB");
}

static void judge(struct verdict *v, const struct dir_result *to, const struct dir_result *from,
		  const char *me, const char *peer)
{
	const char *sender, *receiver;

	memset(v, 0, sizeof(*v));
	if (to->status == DIR_OK && from->status == DIR_OK) {
		v->name = "pass";
		v->code = EXIT_OK;
		snprintf(v->line, sizeof(v->line), "PASS: fabric traffic crosses both ways between "
			 "%s and %s", me, peer);
		return;
	}
	if ((to->status != DIR_OK && to->provider_error) ||
	    (from->status != DIR_OK && from->provider_error)) {
		v->name = "error";
		v->code = EXIT_ERROR;
		snprintf(v->line, sizeof(v->line), "ERROR: the provider failed: %s",
			 to->provider_error ? to->error : from->error);
		snprintf(v->remedy, sizeof(v->remedy), "This is not a firewall symptom: check "
			 "'efadiag info' on both nodes (devices, FI_* variables, libfabric version).");
		return;
	}
	if (to->status != DIR_OK && from->status != DIR_OK) {
		v->name = "blocked";
		v->code = EXIT_FAIL;
		snprintf(v->line, sizeof(v->line), "BLOCKED: no fabric traffic crosses between %s and "
			 "%s (the control path works)", me, peer);
		snprintf(v->remedy, sizeof(v->remedy), "Add to the security group of BOTH nodes an "
			 "inbound rule and an outbound rule allowing All traffic with the security group "
			 "itself as source and destination (the self-referencing rule), and keep the "
			 "nodes in the same subnet and Availability Zone: EFA traffic is not routable.");
		return;
	}
	v->name = "one_way";
	v->code = EXIT_FAIL;
	/* The failing direction's sender lacks the outbound rule or its receiver the inbound. */
	sender = to->status != DIR_OK ? me : peer;
	receiver = to->status != DIR_OK ? peer : me;
	snprintf(v->line, sizeof(v->line), "ONE-WAY: %s -> %s is dropped, %s -> %s works", sender,
		 receiver, receiver, sender);
	snprintf(v->remedy, sizeof(v->remedy), "Most likely missing: the inbound All-traffic rule "
		 "(source: the security group itself) on %s's security group, or the outbound "
		 "All-traffic rule (destination: the security group itself) on %s's. Add both rules "
		 "to the security group of both nodes.", receiver, sender);
}

/* One direction's facts, the same in the table row and in the JSON "directions" object. */
static void set_direction_fields(cJSON *o, const struct dir_result *d)
{
	out_set_str(o, "status", "%s", dir_status_str(d->status));
	out_set_bool(o, "small_received", d->small);
	out_set_bool(o, "large_received", d->large);
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
	if (!obj)
		return;
	set_direction_fields(obj, d);
	cJSON_AddItemToObject(dirs, key, obj);
}

/* Prints the directions table, the verdict line and the remedy; returns the exit code. */
static int emit(struct out *o, const struct dir_result *to, const struct dir_result *from,
		const char *me, const char *peer)
{
	struct verdict v;
	cJSON *root = out_root(o), *dirs;
	struct out_table *t;
	char l1[128], l2[128];

	judge(&v, to, from, me, peer);
	cJSON_DeleteItemFromObjectCaseSensitive(root, "verdict");
	cJSON_AddStringToObject(root, "verdict", v.name);
	dirs = cJSON_AddObjectToObject(root, "directions");
	/* The table is for people; the JSON directions object is what scripts read. */
	t = out_table_new(o, "direction_rows", NULL, dir_cols, sizeof(dir_cols) / sizeof(dir_cols[0]));
	snprintf(l1, sizeof(l1), "%s -> %s", me, peer);
	snprintf(l2, sizeof(l2), "%s -> %s", peer, me);
	add_direction(t, dirs, "to_peer", l1, to);
	add_direction(t, dirs, "from_peer", l2, from);
	out_table_end(t);
	cJSON_DeleteItemFromObjectCaseSensitive(root, "direction_rows");
	out_verdict(o, "%s", v.line);
	if (v.remedy[0]) {
		cJSON_AddStringToObject(root, "remedy", v.remedy);
		out_text(o, "Fix: %s\n", v.remedy);
	}
	if (v.code == EXIT_FAIL)
		out_fail(o);
	else if (v.code == EXIT_ERROR)
		out_error(o, "%s", v.line);
	return v.code;
}

/* A verdict without probes: the control path or the setup failed. */
static int emit_no_probe(struct out *o, const char *verdict, const char *why, const char *remedy)
{
	cJSON *root = out_root(o), *dirs, *d;
	const char *keys[] = { "to_peer", "from_peer" };
	size_t i;

	cJSON_AddStringToObject(root, "verdict", verdict);
	dirs = cJSON_AddObjectToObject(root, "directions");
	for (i = 0; dirs && i < 2; i++) {
		d = cJSON_AddObjectToObject(dirs, keys[i]);
		if (!d)
			continue;
		cJSON_AddStringToObject(d, "status", "error");
		cJSON_AddNumberToObject(d, "elapsed_ms", 0);
		cJSON_AddStringToObject(d, "error", why);
	}
	cJSON_AddStringToObject(root, "remedy", remedy);
	/* The session reports its own failures; a failure after it is reported here. */
	if (!out_has_error(o))
		out_error(o, "%s", why);
	out_verdict(o, "%s: %s", !strcmp(verdict, "error") ? "ERROR" : "CONTROL UNREACHABLE", why);
	out_text(o, "Fix: %s\n", remedy);
	return EXIT_ERROR;
}

/* Runs our probe until both halves are done or the window closes. */
static int run_probe(struct probe_side *p, struct probe_side *other, double window_end)
{
	int ret = 0;

	while (now_sec() < window_end) {
		double now = now_sec();

		ret = probe_step(p, now);
		if (!ret && other)
			ret = probe_step(other, now);
		if (ret)
			return ret;
		if (probe_received(p) && probe_sent(p) &&
		    (!other || (probe_received(other) && probe_sent(other))))
			break;
	}
	return 0;
}

/* Waits for the peer's report while our endpoints keep progressing (sends may be in flight). */
static int exchange_reports(struct session *s, struct fab *other, const struct probe_side *p,
			    double window_sec, double deadline, cJSON **peer_report)
{
	cJSON *mine = report(p, window_sec);
	int ret;

	*peer_report = NULL;
	ret = oob_send(&s->oob, OOB_RESULT, mine, deadline);
	cJSON_Delete(mine);
	if (ret)
		return ret;
	s->fab.buddy = other;
	fab_progress_until_readable(&s->fab, s->oob.rfd, deadline);
	s->fab.buddy = NULL;
	return oob_expect(&s->oob, OOB_RESULT, peer_report, deadline);
}

/* The second endpoint of each side, for the direction the peer sends in. */
static int open_second(struct session *s, struct fab *f2, char *err, size_t errlen)
{
	char *domain = (char *)fab_domain_name(&s->fab);
	struct fab_open_args fa = { .provider = fab_provider_name(&s->fab), .domains = &domain,
				    .ndomains = 1, .caps = FI_MSG,
				    .buf_size = probe_buf_size(PROBE_LARGE) };

	if (fab_open(f2, &fa)) {
		snprintf(err, errlen, "second endpoint: %s", f2->err_text);
		return -1;
	}
	return 0;
}

static const char *peer_label(const struct ctx *ctx)
{
	return ctx->host ? ctx->host : ctx->opt.exec_cmd ? "peer" : "client";
}

static int sgcheck_client(struct ctx *ctx)
{
	static const size_t sizes[] = { PROBE_SMALL, PROBE_LARGE };
	double t0 = now_sec(), total = ctx->opt.timeout_sec, window_end, window_sec;
	struct dir_result to, from;
	struct test_params p;
	struct probe_side side;
	struct session s;
	struct fab f2;
	cJSON *msg = NULL, *peer = NULL, *mine = NULL;
	char err[512], remedy[512];
	int code, ret;

	memset(&f2, 0, sizeof(f2));
	session_params(&p, ctx, "sg-check", sizes, 2, 1, 0);
	memcpy(p.sizes, sizes, sizeof(sizes));
	p.nsizes = 2;
	code = session_client_start(&s, ctx, &p, t0 + SETUP_SHARE * total);
	if (code) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(out_root(ctx->out), "error"), "message");

		str_copy(err, sizeof(err), cJSON_IsString(m) ? m->valuestring : "setup failed");
		if (s.failed_phase == PHASE_CONTROL) {
			snprintf(remedy, sizeof(remedy), ctx->opt.exec_cmd ?
				 "Check that '%s' reaches the peer and that efadiag is installed there." :
				 "Start 'efadiag serve' on %s and allow TCP port %d between the nodes, or "
				 "use --exec 'ssh %s', which needs no open port.",
				 ctx->opt.exec_cmd ? ctx->opt.exec_cmd : ctx->host, ctx->opt.port,
				 ctx->host ? ctx->host : "");
			code = emit_no_probe(ctx->out, "control_unreachable", err, remedy);
		} else {
			code = emit_no_probe(ctx->out, "error", err, "Run 'efadiag info' on both nodes "
					     "to see why the endpoint could not be set up.");
		}
		session_end(&s);
		return code;
	}
	session_describe(&s);
	/* Phase 2: a second endpoint each, for the direction the peer sends in. */
	ret = open_second(&s, &f2, err, sizeof(err));
	if (!ret && !(msg = cJSON_CreateObject()))
		ret = -1;
	if (!ret && session_add_address(&f2, msg))
		ret = -1;
	if (!ret) {
		cJSON_AddStringToObject(msg, "phase", "probe-setup");
		ret = oob_send(&s.oob, OOB_SYNC, msg, session_deadline(&s));
	}
	cJSON_Delete(msg);
	msg = NULL;
	if (!ret)
		ret = oob_expect(&s.oob, OOB_SYNC, &msg, session_deadline(&s));
	if (!ret)
		ret = session_insert_address(&f2, msg, err, sizeof(err));
	else if (!err[0] || ret != -1)
		str_copy(err, sizeof(err), s.oob.err);
	cJSON_Delete(msg);
	msg = NULL;
	if (ret) {
		code = emit_no_probe(ctx->out, "error", err, "Run 'efadiag info' on both nodes.");
		goto out;
	}
	/* Phase 3: probes both ways at once, on their own endpoints. */
	window_end = t0 + WINDOW_SHARE * total;
	window_sec = window_end - now_sec();
	if (window_sec < 0.05)
		window_sec = 0.05, window_end = now_sec() + window_sec;
	ret = probe_start(&side, &s.fab, &f2, PROBE_LARGE, now_sec());
	if (!ret && (msg = cJSON_CreateObject())) {
		cJSON_AddStringToObject(msg, "phase", "probe");
		cJSON_AddNumberToObject(msg, "window_ms", window_sec * 1e3);
		ret = oob_send(&s.oob, OOB_SYNC, msg, window_end);
		cJSON_Delete(msg);
		msg = NULL;
	}
	if (!ret)
		ret = run_probe(&side, NULL, window_end);
	if (!ret)
		ret = exchange_reports(&s, &f2, &side, window_sec, t0 + total, &peer);
	if (ret) {
		if (ret == -ECONNRESET)
			snprintf(err, sizeof(err), "the peer went away during the probe (%s)",
				 s.oob.err);
		else
			str_copy(err, sizeof(err), s.oob.err[0] ? s.oob.err : s.fab.err_text);
		code = emit_no_probe(ctx->out, "error", err, "Check that efadiag still runs on the "
				     "peer; run sg-check again.");
		goto out;
	}
	mine = report(&side, window_sec);
	direction(&to, peer, mine);
	direction(&from, mine, peer);
	code = emit(ctx->out, &to, &from, "this node", peer_label(ctx));
	oob_send(&s.oob, OOB_BYE, NULL, now_sec() + 0.5);
out:
	cJSON_Delete(mine);
	cJSON_Delete(peer);
	fab_close(&f2);
	session_end(&s);
	return code;
}

/* The server's half: mirrors the client, and prints the verdict from its own side. */
static int sgcheck_serve(struct session *s)
{
	double total = s->p.timeout_sec, window_end, window_sec;
	const cJSON *w;
	struct dir_result to, from;
	struct probe_side side;
	struct fab f2;
	cJSON *msg = NULL, *reply = NULL, *peer = NULL, *mine = NULL;
	char err[512] = "";
	int ret, code = EXIT_ERROR;

	memset(&f2, 0, sizeof(f2));
	ret = oob_expect(&s->oob, OOB_SYNC, &msg, now_sec() + total + SERVER_GRACE_SEC);
	if (!ret)
		ret = open_second(s, &f2, err, sizeof(err)) ? -EIO : 0;
	if (!ret)
		ret = session_insert_address(&f2, msg, err, sizeof(err)) ? -EIO : 0;
	cJSON_Delete(msg);
	msg = NULL;
	if (!ret && ((reply = cJSON_CreateObject()) == NULL || session_add_address(&f2, reply)))
		ret = -EIO;
	if (!ret)
		ret = oob_send(&s->oob, OOB_SYNC, reply, now_sec() + total);
	cJSON_Delete(reply);
	if (!ret)
		ret = oob_expect(&s->oob, OOB_SYNC, &msg, now_sec() + total + SERVER_GRACE_SEC);
	if (ret) {
		if (err[0])
			oob_send_error(&s->oob, err, now_sec() + 1);
		out_error(s->ctx->out, "client %s: %s", s->oob.peer, err[0] ? err : s->oob.err);
		goto out;
	}
	w = cJSON_GetObjectItemCaseSensitive(msg, "window_ms");
	window_sec = cJSON_IsNumber(w) && w->valuedouble > 0 && w->valuedouble <= total * 1e3 ?
			     w->valuedouble / 1e3 : total;
	window_end = now_sec() + window_sec;
	ret = probe_start(&side, &f2, &s->fab, PROBE_LARGE, now_sec());
	if (!ret)
		ret = run_probe(&side, NULL, window_end);
	if (!ret)
		ret = exchange_reports(s, &f2, &side, window_sec,
				       window_end + 0.15 * total + SERVER_GRACE_SEC, &peer);
	if (ret) {
		out_error(s->ctx->out, "client %s: %s", s->oob.peer,
			  ret == -ECONNRESET ? "disconnected during the probe" :
			  s->oob.err[0] ? s->oob.err : s->fab.err_text);
		goto out;
	}
	mine = report(&side, window_sec);
	direction(&to, peer, mine);
	direction(&from, mine, peer);
	code = emit(s->ctx->out, &to, &from, "this node", "client");
out:
	cJSON_Delete(msg);
	cJSON_Delete(mine);
	cJSON_Delete(peer);
	fab_close(&f2);
	return code;
}

const struct test_entry test_sgcheck = {
	.name = "sg-check",
	.caps = FI_MSG,
	.serve = sgcheck_serve,
};

/* Both ends here: A1 -> B1 and B2 -> A2, separating a broken local device from the network. */
static int sgcheck_loopback(struct ctx *ctx)
{
	struct fab f[4];
	struct fab_open_args fa = { .provider = ctx->opt.provider, .domains = ctx->opt.domains,
				    .ndomains = ctx->opt.ndomains, .caps = FI_MSG,
				    .buf_size = probe_buf_size(PROBE_LARGE) };
	unsigned char addr[FAB_ADDR_MAX];
	struct probe_side a, b;
	struct dir_result to, from;
	cJSON *ra = NULL, *rb = NULL;
	double t0 = now_sec(), window = WINDOW_SHARE * ctx->opt.timeout_sec;
	size_t len;
	int i, code = EXIT_ERROR, ret = 0;

	memset(f, 0, sizeof(f));
	for (i = 0; i < 4 && !ret; i++)
		ret = fab_open(&f[i], &fa);
	/* f[0] sends to f[1]; f[3] sends to f[2]. */
	for (i = 0; i < 4 && !ret; i += 3) {
		len = sizeof(addr);
		ret = fab_getname(&f[i == 0 ? 1 : 2], addr, &len);
		if (!ret)
			ret = fab_insert_peer(&f[i], addr, len);
	}
	if (ret) {
		for (i = 0; i < 4; i++)
			if (f[i].err_text[0])
				break;
		out_error(ctx->out, "%s", i < 4 ? f[i].err_text : "endpoint setup failed");
		goto out;
	}
	cJSON_AddStringToObject(out_root(ctx->out), "provider", fab_provider_name(&f[0]));
	cJSON_AddStringToObject(out_root(ctx->out), "mode", "loopback");
	out_text(ctx->out, "sg-check %s: loopback on %s (%s)\n", fab_provider_name(&f[0]),
		 fab_domain_name(&f[0]), fab_fabric_name(&f[0]));
	ret = probe_start(&a, &f[0], &f[2], PROBE_LARGE, now_sec());
	if (!ret)
		ret = probe_start(&b, &f[3], &f[1], PROBE_LARGE, now_sec());
	if (!ret)
		ret = run_probe(&a, &b, t0 + window);
	if (ret) {
		out_error(ctx->out, "%s", f[0].err_text[0] ? f[0].err_text : f[3].err_text);
		goto out;
	}
	ra = report(&a, window);
	rb = report(&b, window);
	direction(&to, rb, ra);
	direction(&from, ra, rb);
	code = emit(ctx->out, &to, &from, "endpoint A", "endpoint B");
	if (code != EXIT_OK)
		out_text(ctx->out, "A failure here is local: the device or provider does not deliver "
			 "to itself. Check 'efadiag info'.\n");
out:
	cJSON_Delete(ra);
	cJSON_Delete(rb);
	for (i = 3; i >= 0; i--)
		fab_close(&f[i]);
	return code;
}

static int sgcheck_validate(struct ctx *ctx)
{
	return session_validate_peer(ctx);
}

static int sgcheck_run(struct ctx *ctx)
{
	return session_run_test(ctx, "sg-check", sgcheck_loopback, sgcheck_client);
}

const struct cmd_entry cmd_sgcheck = {
	.name = "sg-check",
	.summary = "check that fabric traffic crosses both ways (security group test), with the fix",
	.usage = "[HOST]",
	/* It sends fixed probes: sizes and counts are for the measuring commands only. */
	.options = (const struct opt_def *const[]){ options_peer, options_token, NULL },
	.flags = CMD_HOST_OPTIONAL,
	.validate = sgcheck_validate,
	.run = sgcheck_run,
};
