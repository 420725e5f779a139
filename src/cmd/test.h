/* SPDX-License-Identifier: MIT */
/*
 * What the test commands (pingpong, bw, sg-check) share: the peer options, the dispatch to
 * loopback, client or server, the session set-up with its report, and the server that runs
 * whichever test a client asks for.
 */
#ifndef EFADIAG_CMD_TEST_H
#define EFADIAG_CMD_TEST_H

#include "ctl/session.h"
#include "efadiag.h"
#include "ui/out.h"

/* Why a run stopped: the exit code and the message, kept until the report is rendered. */
struct test_stop {
	int code; /* EXIT_OK while the run goes on */
	char error[1024];
};

/* Records why the run stops (the first reason stands); returns code. */
int test_stop(struct test_stop *st, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Renders a stop: the message as the error, and the status a failed check gives. The code. */
int test_render_stop(struct out *o, const struct test_stop *st);

/* A test, as its command registers it (cmd_entry.test) for both ends. */
struct test_entry {
	const char *name;
	/* The endpoint capabilities a hello needs; -1 and err when its test fields are wrong. */
	int (*caps)(const struct msg_hello *h, uint64_t *caps, char *err, size_t errlen);
	/* The client, reaching its server through t; returns an exit code. */
	int (*client)(struct ctx *ctx, const struct session_target *t);
	/* The server's half, after the handshake; returns an exit code. */
	int (*serve)(struct ctx *ctx, struct session *s);
};

/*
 * The option checks every test command shares: --loopback excludes HOST and --exec, and HOST
 * excludes --exec. Returns 0 or EXIT_USAGE (reported).
 */
int test_validate_peer(struct ctx *ctx);
/*
 * Refuses (exit 3, reported) before any fi_getinfo when the environment holds a variable that
 * makes a provider abort() inside it (see host/env.h): a message beats a core dump. 0 if none.
 */
int test_refuse_fatal_env(struct ctx *ctx);
/*
 * Every test command's run (its cmd_entry.run): --loopback, a client (HOST or --exec), or a
 * server of the command's test (cmd_entry.test).
 */
int test_run(struct ctx *ctx);

/* The hello from the command line, with the test's default sizes, iterations and warmup. */
void test_hello(struct msg_hello *h, const struct ctx *ctx, const char *test,
		const size_t *default_sizes, size_t ndefault, long default_iters,
		long default_warmup);
size_t test_max_size(const struct msg_hello *h);
/* FI_HMEM when the hello asks for GPU memory, else 0: added to the test's capabilities. */
uint64_t test_mem_caps(const struct msg_hello *h);
/* Whether this node can give the memory m names (CUDA loads, the GPU exists): 0, or -1 and err. */
int test_mem_check(const struct fab_mem_spec *m, char *err, size_t errlen);
/*
 * The test buffer's memory and how it was registered with ep: a "memory" object in at, and
 * for GPU memory a line for people, starting with side ("" or "domain X ").
 */
void test_describe_mem(struct out *o, cJSON *at, const struct fab_buf *b,
		       const struct fab_ep *ep, const char *side);

/* GPUDirect RDMA missing on a test of GPU memory over EFA: the verdict and the fix. */
struct test_gdr {
	bool missing;
	char line[768];
	char fix[512];
};

/* Whether b, on ep, is GPU memory the efa provider can move only through CUDA copies. */
void test_gdr_judge(struct test_gdr *g, const struct fab_buf *b, const struct fab_ep *ep);
/* After a measurement that passed: FAIL with the fix (EXIT_FAIL), or nothing (EXIT_OK). */
int test_gdr_render(struct out *o, const struct test_gdr *g);

/*
 * Client: the session to the server (see session_client_start); a failure is reported and
 * returned as EXIT_ERROR. On success the peer is described in the output, and h's sizes are
 * those the opened fabric takes: a named size above its max_msg_size is EXIT_USAGE, a default
 * one is left out with a note.
 */
int test_client_start(struct ctx *ctx, struct session *s, const struct session_target *t,
		      struct msg_hello *h, uint64_t caps, double hard_deadline);
/*
 * A session that could not start: s->fix says what to do when the control connection never
 * came up (start 'efadiag serve' and open the port, or --exec) and, where the endpoint found
 * no entry at all for its provider, s->err and s->fix in info's words (no EFA device,
 * /dev/infiniband, FI_PROVIDER, the wrong libfabric) and how to test without EFA.
 */
void test_explain_start_failure(const struct ctx *ctx, struct session *s);
/* Names the provider, both domains and the control path, in the document and for people. */
void test_describe(struct out *o, const struct session *s);
/*
 * The document's "fabric" object: {provider, name, max_msg_size} of the endpoint a test
 * opened, at at; and the words for people: "fabric efa, messages up to 8k".
 */
void test_describe_fabric(cJSON *at, const struct fab_ep *ep);
const char *test_max_msg_str(const struct fab_ep *ep, char *buf, size_t len);
/* "run 'efadiag sg-check HOST' to check both directions": the next step after a stall. */
void test_sgcheck_hint(const struct ctx *ctx, char *buf, size_t len);

/* Serves clients of only_test (NULL: any test): TCP, --persist or --stdio. An exit code. */
int test_serve(struct ctx *ctx, const char *only_test);

#endif
