// SPDX-License-Identifier: MIT
/* What the test commands share: dispatch, session set-up and report, and the test server. */
#include "cmd/test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "fabric/cuda.h"
#include "ctl/server.h"
#include "host/env.h"
#include "host/provider-missing.h"
#include "host/host.h"
#include "ui/cli.h"
#include "ui/parse.h"
#include "util.h"

/* The test a client asks for: every command that registers one can be served. */
static const struct test_entry *find_test(const char *name)
{
	size_t i;

	for (i = 0; cmd_table[i]; i++)
		if (cmd_table[i]->test && !strcmp(cmd_table[i]->test->name, name))
			return cmd_table[i]->test;
	return NULL;
}

int test_stop(struct test_stop *st, int code, const char *fmt, ...)
{
	va_list ap;

	if (st->code)
		return st->code;
	va_start(ap, fmt);
	vsnprintf(st->error, sizeof(st->error), fmt, ap);
	va_end(ap);
	st->code = code;
	return code;
}

int test_render_stop(struct out *o, const struct test_stop *st)
{
	if (st->error[0])
		out_error(o, "%s", st->error);
	if (st->code == EXIT_FAIL)
		out_fail(o);
	return st->code;
}

int test_validate_peer(struct ctx *ctx)
{
	const struct opts *o = &ctx->opt;

	if (o->loopback && (ctx->host || o->exec_cmd))
		return cli_usage_error(ctx, "--loopback runs both ends here: no HOST or --exec");
	if (o->exec_cmd && ctx->host)
		return cli_usage_error(ctx, "give either HOST or --exec, not both");
	if (o->bind_addr && (ctx->host || o->exec_cmd || o->loopback))
		return cli_usage_error(ctx, "--bind is where a server listens: it does nothing with "
				       "%s", ctx->host ? "HOST (a client)" :
				       o->exec_cmd ? "--exec (a client)" : "--loopback");
	if (!o->port && (ctx->host || o->exec_cmd))
		return cli_usage_error(ctx, "invalid value '0' for -P/--port: 0 (any free port) is "
				       "for a server; a client needs the port its server named");
	return 0;
}

void test_hello(struct msg_hello *h, const struct ctx *ctx, const char *test,
		const size_t *default_sizes, size_t ndefault, long default_iters,
		long default_warmup)
{
	const struct opts *o = &ctx->opt;

	memset(h, 0, sizeof(*h));
	str_copy(h->test, sizeof(h->test), test);
	str_copy(h->provider, sizeof(h->provider), o->provider);
	if (o->fabric)
		str_copy(h->fabric, sizeof(h->fabric), o->fabric);
	if (o->nsizes) {
		memcpy(h->sizes, o->sizes, o->nsizes * sizeof(size_t));
		h->nsizes = o->nsizes;
	} else {
		memcpy(h->sizes, default_sizes, ndefault * sizeof(size_t));
		h->nsizes = ndefault;
	}
	h->iterations = o->iterations > 0 ? o->iterations : default_iters;
	h->warmup = o->warmup >= 0 ? o->warmup : default_warmup;
	h->verify = o->verify;
	h->timeout_sec = o->timeout_sec;
	if (!o->mem || fab_mem_parse(o->mem, &h->mem))
		h->mem = (struct fab_mem_spec){ .kind = FAB_MEM_HOST, .device = -1 };
}

/* cuInit takes seconds on a node with many GPUs, more while their driver loads. */
#define CUDA_PROBE_SEC 60.0

uint64_t test_mem_caps(const struct msg_hello *h)
{
	return h->mem.kind == FAB_MEM_CUDA ? FI_HMEM : 0;
}

int test_mem_check(const struct fab_mem_spec *m, char *err, size_t errlen)
{
	char why[384];

	if (m->kind != FAB_MEM_CUDA)
		return 0;
	/* In a child: this process forks test halves that use CUDA themselves (cuda_probe). */
	if (cuda_probe(m->device, CUDA_PROBE_SEC, why, sizeof(why)) >= 0)
		return 0;
	snprintf(err, errlen, "--mem %s%s", !strncmp(why, "cuda:", 5) ? "" : "cuda: ", why);
	return -1;
}

/* The efa provider: where GPU memory must reach the NIC itself for NCCL to use it. */
static bool is_efa(const struct fab_ep *ep)
{
	return !strncmp(fab_provider_name(ep), "efa", 3);
}

/* How the buffer was registered, as the provider really used it. */
static const char *registration_word(const struct fab_buf *b, const struct fab_ep *ep)
{
	/*
	 * efa refuses FI_OPT_CUDA_API_PERMITTED=false exactly when the device cannot register
	 * GPU memory (p2p_supported_by_device); its registration then skipped ibv_reg_mr and
	 * made up a key, and data moves by CUDA copies (libfabric v2.6.0
	 * prov/efa/src/rdm/efa_rdm_mr.c, efa_rdm_mr_reg_impl; efa_rdm_ep_fiops.c).
	 */
	if (b->mem == FAB_MEM_CUDA && ep->gdr == FAB_GDR_NO && is_efa(ep))
		return "cuda_copies";
	return fab_mr_path_name(b->mr_path);
}

void test_describe_mem(struct out *o, cJSON *at, const struct fab_buf *b,
		       const struct fab_ep *ep, const char *side)
{
	cJSON *mem = cJSON_AddObjectToObject(at, "memory");
	struct cuda_device d = { 0 };
	const char *reg = registration_word(b, ep);
	char name[16];

	if (!mem || !b->base)
		return;
	fab_mem_name(b->mem, b->device, name, sizeof(name));
	cJSON_AddStringToObject(mem, "type", b->mem == FAB_MEM_CUDA ? "cuda" : "host");
	cJSON_AddStringToObject(mem, "registration", reg);
	if (b->mem != FAB_MEM_CUDA)
		return;
	cJSON_AddStringToObject(mem, "gpudirect", fab_gdr_key(ep->gdr));
	cJSON_AddNumberToObject(mem, "gpu", b->device);
	if (!cuda_device_info(b->device, &d, NULL, 0)) {
		cJSON_AddStringToObject(mem, "gpu_name", d.name);
		cJSON_AddStringToObject(mem, "gpu_pci", d.pci);
	}
	if (b->mr_path != FAB_MR_DMABUF && b->mr_note[0])
		cJSON_AddStringToObject(mem, "dmabuf_error", b->mr_note);
	out_text(o, "%smemory: %s (%s, %s), registered %s%s%s; %s\n", side, name,
		 d.name[0] ? d.name : "?", d.pci[0] ? d.pci : "?",
		 !strcmp(reg, "cuda_copies") ? "with a key of the provider's own, not with the NIC" :
		 b->mr_path == FAB_MR_DMABUF ? "through dma-buf" :
		 b->mr_path == FAB_MR_VA ? "by virtual address (peer memory)" : "not at all",
		 b->mr_path != FAB_MR_DMABUF && b->mr_note[0] ? "; " : "",
		 b->mr_path != FAB_MR_DMABUF ? b->mr_note : "", fab_gdr_str(ep->gdr));
}

void test_gdr_judge(struct test_gdr *g, const struct fab_buf *b, const struct fab_ep *ep)
{
	memset(g, 0, sizeof(*g));
	if (b->mem != FAB_MEM_CUDA || !is_efa(ep) ||
	    (ep->gdr != FAB_GDR_NO && ep->gdr != FAB_GDR_NO_CUDA))
		return;
	g->missing = true;
	snprintf(g->line, sizeof(g->line), "FAIL: gpudirect: no GPUDirect RDMA on %s: %s. aws-ofi-nccl "
		 "forbids those copies (FI_OPT_CUDA_API_PERMITTED=false) and then does not use "
		 "this NIC for GPU memory", fab_domain_name(ep), fab_gdr_str(ep->gdr));
	/*
	 * libfabric decides peer to peer once, by registering a GPU buffer with the device
	 * through dma-buf, else ibv_reg_mr through NVIDIA's peer memory (v2.6.0
	 * prov/efa/src/efa_hmem.c, efa_hmem_info_check_p2p_support_cuda).
	 */
	snprintf(g->fix, sizeof(g->fix), ep->gdr == FAB_GDR_NO_CUDA ?
		 "libfabric could not load CUDA: install the NVIDIA driver's libcuda and check "
		 "'efadiag info' (gpu checks)." :
		 "The EFA device could not register GPU memory: load NVIDIA's peer-memory module "
		 "(modprobe nvidia_peermem), or use the NVIDIA open kernel module on Linux 5.12+ for "
		 "dma-buf; unset FI_HMEM_DISABLE_P2P. Then check 'efadiag info' (gpudirect).");
}

int test_gdr_render(struct out *o, const struct test_gdr *g)
{
	if (!g->missing)
		return EXIT_OK;
	out_verdict(o, "%s", g->line);
	out_fix(o, g->fix);
	out_fail(o);
	return EXIT_FAIL;
}

size_t test_max_size(const struct msg_hello *h)
{
	size_t i, m = 1;

	for (i = 0; i < h->nsizes; i++)
		if (h->sizes[i] > m)
			m = h->sizes[i];
	return m;
}

void test_describe(struct out *o, const struct session *s)
{
	cJSON *root = out_root(o), *peer, *local;
	char max[128];

	cJSON_DeleteItemFromObjectCaseSensitive(root, "provider");
	cJSON_AddStringToObject(root, "provider", fab_provider_name(&s->ep));
	local = cJSON_AddObjectToObject(root, "local");
	if (local) {
		cJSON_AddStringToObject(local, "domain", fab_domain_name(&s->ep));
		cJSON_AddStringToObject(local, "fabric", fab_fabric_name(&s->ep));
	}
	peer = cJSON_AddObjectToObject(root, "peer");
	if (peer) {
		cJSON_AddStringToObject(peer, "control", s->oob.peer);
		cJSON_AddStringToObject(peer, "domain", s->remote.domain);
		cJSON_AddStringToObject(peer, "fabric", s->remote.fabric);
		cJSON_AddStringToObject(peer, "efadiag_version", s->remote_version);
	}
	test_describe_fabric(root, &s->ep);
	out_text(o, "%s %s: %s (%s) <-> %s (%s) via %s; %s\n", s->hello.test,
		 fab_provider_name(&s->ep), fab_domain_name(&s->ep), fab_fabric_name(&s->ep),
		 s->remote.domain, s->remote.fabric, s->oob.peer,
		 test_max_msg_str(&s->ep, max, sizeof(max)));
}

const char *test_max_msg_str(const struct fab_ep *ep, char *buf, size_t len)
{
	char size[32];

	/* Software providers say SIZE_MAX: no limit worth a number. */
	if (ep->max_msg_size >= ((size_t)1 << 62))
		snprintf(buf, len, "fabric %s, messages of any size", fab_fabric_name(ep));
	else
		snprintf(buf, len, "fabric %s, messages up to %s", fab_fabric_name(ep),
			 size_text(ep->max_msg_size, size, sizeof(size)));
	return buf;
}

void test_describe_fabric(cJSON *at, const struct fab_ep *ep)
{
	cJSON *fab;

	cJSON_DeleteItemFromObjectCaseSensitive(at, "fabric");
	fab = cJSON_AddObjectToObject(at, "fabric");
	if (!fab)
		return;
	cJSON_AddStringToObject(fab, "provider", fab_provider_name(ep));
	cJSON_AddStringToObject(fab, "name", fab_fabric_name(ep));
	cJSON_AddNumberToObject(fab, "max_msg_size", (double)ep->max_msg_size);
}

void test_sgcheck_hint(const struct ctx *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "run 'efadiag sg-check %s' to check both directions",
		 ctx->host ? ctx->host : ctx->opt.loopback ? "--loopback" : "--exec ...");
}

/*
 * The sizes the opened fabric takes. No provider may be sent more than its entry's
 * ep_attr->max_msg_size; on the efa provider's efa-direct fabric that is the device's MTU,
 * about 8 KiB, where FI_RMA is not asked for (libfabric v2.1.0..v2.6.0
 * prov/efa/src/efa_user_info.c, efa_user_info_alter_direct), and the device fails a longer
 * send (rdma-core providers/efa/efa_io_defs.h, EFA_IO_COMP_STATUS_LOCAL_ERROR_BAD_LENGTH). A
 * size the user named is refused (exit 2); a default one is left out, with a note, and the
 * document lists it in sizes_left_out. The hello's sizes are trimmed in place.
 */
static int fit_sizes(struct ctx *ctx, struct session *s, struct msg_hello *h)
{
	size_t max = s->ep.max_msg_size, i, n = 0;
	cJSON *left = NULL;
	char a[32], b[32], c[32];

	for (i = 0; i < h->nsizes; i++) {
		if (h->sizes[i] <= max) {
			h->sizes[n++] = h->sizes[i];
			continue;
		}
		if (ctx->opt.nsizes)
			return cli_usage_error(ctx, "message size %s is above what fabric %s of %s "
					       "takes: at most %s (its max_msg_size); give sizes up "
					       "to %s with -S", size_text(h->sizes[i], a, sizeof(a)),
					       fab_fabric_name(&s->ep), fab_provider_name(&s->ep),
					       size_text(max, b, sizeof(b)),
					       size_str(max, c, sizeof(c)));
		if (!left)
			left = cJSON_AddArrayToObject(out_root(ctx->out), "sizes_left_out");
		if (left)
			cJSON_AddItemToArray(left, cJSON_CreateNumber((double)h->sizes[i]));
	}
	if (n < h->nsizes)
		out_note(ctx->out, "efadiag: %s: fabric %s takes messages up to %s (max_msg_size): "
			 "%zu default size%s above it left out\n", h->test, fab_fabric_name(&s->ep),
			 size_text(max, b, sizeof(b)), h->nsizes - n, h->nsizes - n == 1 ? "" : "s");
	h->nsizes = n;
	s->hello.nsizes = n;
	memcpy(s->hello.sizes, h->sizes, n * sizeof(h->sizes[0]));
	return 0;
}

void test_explain_start_failure(const struct ctx *ctx, struct session *s)
{
	char cause[512];

	if (s->failed_phase == PHASE_CONTROL && !s->fix[0]) {
		/* The control connection never came up: what to start, or how to do without. */
		if (ctx->opt.loopback)
			/* The half this process started itself: no server or port to tell about. */
			str_copy(s->fix, sizeof(s->fix), "Run again with a larger -t (the loopback half "
				 "starts its own endpoint first, slowly on a loaded node); 'efadiag info' "
				 "checks this node.");
		else if (ctx->opt.exec_cmd)
			snprintf(s->fix, sizeof(s->fix), "Check that '%.150s' reaches the peer and "
				 "that efadiag is installed there.", ctx->opt.exec_cmd);
		else
			snprintf(s->fix, sizeof(s->fix), "Start 'efadiag serve' on %.60s and allow TCP "
				 "port %d between the nodes, or use --exec 'ssh %.60s', which needs "
				 "no open port.", ctx->host ? ctx->host : "the peer", ctx->opt.port,
				 ctx->host ? ctx->host : "HOST");
		return;
	}
	if (!s->ep.no_provider)
		return;
	host_provider_missing_here(s->hello.provider, cause, sizeof(cause));
	snprintf(s->err, sizeof(s->err), "provider %s offers no FI_EP_RDM endpoint on this node: "
		 "%s", s->hello.provider, cause);
	if (strcmp(s->hello.provider, "efa"))
		snprintf(s->fix, sizeof(s->fix), "Name a provider that 'fi_info -l' lists here; "
			 "'efadiag info -p %s' checks it.", s->hello.provider);
	else
		snprintf(s->fix, sizeof(s->fix), "Run 'efadiag info' for this node's checks. To test "
			 "without EFA, use a software provider: -p tcp (between nodes) or -p shm (on "
			 "one node).");
}

int test_client_start(struct ctx *ctx, struct session *s, const struct session_target *t,
		      struct msg_hello *h, uint64_t caps, double hard_deadline)
{
	char err[512];
	int code;

	session_init(s);
	/* Before any peer is started: a node without CUDA cannot run the test at all. */
	if (test_mem_check(&h->mem, err, sizeof(err))) {
		out_error(ctx->out, "%s", err);
		return EXIT_ERROR;
	}
	caps |= test_mem_caps(h);
	if (session_client_start(s, t, h, caps, hard_deadline)) {
		test_explain_start_failure(ctx, s);
		out_error(ctx->out, "%s", s->err);
		out_error_fix(ctx->out, s->fix);
		return EXIT_ERROR;
	}
	if (ctx->opt.verbose)
		out_note(ctx->out, "efadiag: %s: endpoint on %s %s (%s), %s\n", h->test,
			 fab_provider_name(&s->ep), fab_domain_name(&s->ep),
			 fab_fabric_name(&s->ep), s->ep_choice);
	test_describe(ctx->out, s);
	code = fit_sizes(ctx, s, h);
	return code;
}

/* --- the server ---------------------------------------------------------------------------- */

struct serve_args {
	struct ctx *ctx;
	const char *only_test;
	bool follow_client_domain; /* loopback: the same domain as the client, whatever -d says */
	/* A one-shot TCP server: a connection refused before its test does not use it up. */
	bool ignore_refused;
};

/*
 * The server's half of the handshake: the hello checked against our policy and the test's
 * needs, and the endpoint opened. The test to run, or NULL with s->err (the client is told).
 */
static const struct test_entry *accept_client(const struct serve_args *a, struct session *s)
{
	const struct opts *o = &a->ctx->opt;
	struct session_policy pol = { .token = o->token, .timeout_sec = o->timeout_sec,
				      .provider = o->provider_set ? o->provider : NULL };
	const struct test_entry *t;
	char err[512], *follow[1] = { NULL };
	uint64_t caps = FI_MSG;

	if (session_server_hello(s, &pol))
		return NULL;
	t = find_test(s->hello.test);
	if (!t)
		session_refuse(s, "unknown test '%s'", s->hello.test);
	else if (a->only_test && strcmp(t->name, a->only_test))
		session_refuse(s, "this server runs only %s; start 'efadiag serve' for %s",
			       a->only_test, t->name);
	else if (t->caps && t->caps(&s->hello, &caps, err, sizeof(err)))
		session_refuse(s, "%s", err);
	else if (test_mem_check(&s->hello.mem, err, sizeof(err)))
		session_refuse(s, "the server cannot use GPU memory: %s", err);
	else if (a->follow_client_domain && s->hello.has_addr) {
		follow[0] = s->hello.addr.domain;
		if (!session_server_accept(s, caps | test_mem_caps(&s->hello), follow, 1))
			return t;
	} else if (!session_server_accept(s, caps | test_mem_caps(&s->hello), o->domains,
					  o->ndomains)) {
		return t;
	}
	return NULL;
}

/* A connection that did not get as far as its test: reported, or for a one-shot server ignored. */
static int refused(const struct serve_args *a, const struct session *s)
{
	if (!a->ignore_refused) {
		out_error(a->ctx->out, "client %s: %s", s->oob.peer, s->err);
		return EXIT_ERROR;
	}
	/* A port scan, a health probe or a mistyped client must not use up the one test this
	 * server is for: one line for whoever watches, and wait on. */
	fprintf(stderr, "efadiag: %s: ignored a connection from %s: %s; still waiting for a "
		"client\n", a->only_test ? a->only_test : "serve", s->oob.peer, s->err);
	return SERVER_IGNORED;
}

/* Serves the client already on oob: handshake, then the test's server half. */
static int serve_client(struct oob *oob, void *arg)
{
	const struct serve_args *a = arg;
	struct ctx *ctx = a->ctx;
	const struct test_entry *t;
	struct session s;
	int code;

	session_init(&s);
	s.oob = *oob;
	s.hello.timeout_sec = ctx->opt.timeout_sec;
	t = accept_client(a, &s);
	if (!t) {
		code = refused(a, &s);
	} else {
		if (!ctx->opt.quiet)
			fprintf(stderr, "efadiag: serving %s over %s (%s) for %s\n", t->name,
				fab_provider_name(&s.ep), fab_domain_name(&s.ep), s.oob.peer);
		test_describe(ctx->out, &s);
		/* The test's own half reports its failures itself. */
		code = t->serve(ctx, &s);
	}
	fab_close(&s.ep);
	*oob = s.oob;
	/* One record per client served: JSON lines. */
	if (ctx->opt.persist && code != SERVER_IGNORED)
		code = out_stream_record(ctx->out, code);
	return code;
}

/* A persistent server's record for a test whose process died: the server goes on. */
static void serve_lost(const char *peer, int sig, void *arg)
{
	const struct serve_args *a = arg;

	if (sig)
		out_error(a->ctx->out, "the test for client %s ended by signal %d (%s); this server "
			  "goes on", peer, sig, strsignal(sig));
	else
		out_error(a->ctx->out, "the test for client %s ended abnormally; this server goes on",
			  peer);
	out_stream_record(a->ctx->out, EXIT_ERROR);
}

int test_serve(struct ctx *ctx, const char *only_test)
{
	static const struct server_calls calls = { .serve = serve_client, .lost = serve_lost };
	const char *name = only_test ? only_test : "serve";
	struct serve_args a = { .ctx = ctx, .only_test = only_test };
	struct oob oob;
	char err[256];
	int lfd, code;

	if (ctx->opt.stdio) {
		oob_init(&oob);
		if (oob_stdio(&oob)) {
			out_error(ctx->out, "%s", oob.err);
			return EXIT_ERROR;
		}
		/* The client prints the results; our document is not wanted anywhere. */
		out_free(ctx->out);
		ctx->opt.json = false;
		ctx->opt.quiet = true;
		ctx->out = out_new(name, false, true);
		code = serve_client(&oob, &a);
		oob_close(&oob);
		return code;
	}
	/* Over TCP anyone may connect: only a client that gets to its test uses a server up. */
	a.ignore_refused = !ctx->opt.persist;
	lfd = oob_listen(ctx->opt.bind_addr, ctx->opt.port, err, sizeof(err));
	if (lfd < 0) {
		out_error(ctx->out, "%s", err);
		return EXIT_ERROR;
	}
	/* -P 0: the kernel chose the port, and the caller needs it, so it is said even with -q. */
	if (!ctx->opt.port)
		fprintf(stderr, "efadiag: %s: waiting for a client on TCP port %d%s%s\n", name,
			oob_local_port(lfd), ctx->opt.bind_addr ? " of " : "",
			ctx->opt.bind_addr ? ctx->opt.bind_addr : "");
	else
		out_note(ctx->out, "efadiag: %s: waiting for a client on TCP port %d%s%s\n", name,
			 ctx->opt.port, ctx->opt.bind_addr ? " of " : "",
			 ctx->opt.bind_addr ? ctx->opt.bind_addr : "");
	code = server_loop(lfd, ctx->opt.persist, ctx->opt.quiet, &calls, &a);
	close(lfd);
	return code;
}

/* --- dispatch ------------------------------------------------------------------------------ */

/* The server half of --loopback, in its child process: one client on fd, then exit. */
static int loopback_child(int fd, void *arg)
{
	struct serve_args a = *(struct serve_args *)arg;
	struct ctx child = *a.ctx;
	struct oob oob;
	int code;

	child.host = NULL;
	child.opt.quiet = true;
	child.opt.persist = false;
	child.opt.provider_set = false;
	/* Its document is never printed (stdout is /dev/null here): the client reports. */
	child.out = out_new(a.only_test, true, true);
	/* The client says what went wrong (a refusal reaches it): said here too, it is said twice. */
	out_errors_unsaid(child.out);
	a.ctx = &child;
	a.follow_client_domain = true;
	oob_init(&oob);
	oob.rfd = oob.wfd = fd;
	str_copy(oob.peer, sizeof(oob.peer), "loopback");
	code = serve_client(&oob, &a);
	oob_close(&oob);
	out_free(child.out);
	return code;
}

extern char **environ;

int test_refuse_fatal_env(struct ctx *ctx)
{
	struct env_runtime rt;
	char why[768], lib[1024];
	/* An efa endpoint will open: what aborts then counts too (RDMA read itself unknown). */
	bool efa = !ctx->opt.provider_set || !strcmp(ctx->opt.provider, "efa");

	host_libfabric_path(lib, sizeof(lib));
	host_env_runtime(environ, lib, &rt);
	if (!host_env_fatal(environ, &rt, efa, why, sizeof(why)))
		return 0;
	out_error(ctx->out, "libfabric would abort on this environment: %s", why);
	return EXIT_ERROR;
}

int test_run(struct ctx *ctx)
{
	const struct test_entry *t = ctx->cmd->test;
	struct serve_args loop = { .ctx = ctx, .only_test = t->name };
	struct session_target target = { .host = ctx->host, .port = ctx->opt.port,
					 .exec_cmd = ctx->opt.exec_cmd, .token = ctx->opt.token,
					 .domains = ctx->opt.domains,
					 .ndomains = ctx->opt.ndomains };

	if (test_refuse_fatal_env(ctx))
		return EXIT_ERROR;
	if (ctx->opt.loopback) {
		/* Both ends on this node, in two processes: what two nodes do, minus the wire. */
		target.loopback = loopback_child;
		target.loopback_arg = &loop;
		cJSON_AddStringToObject(out_root(ctx->out), "mode", "loopback");
		return t->client(ctx, &target);
	}
	if (ctx->host || ctx->opt.exec_cmd)
		return t->client(ctx, &target);
	return test_serve(ctx, t->name);
}
