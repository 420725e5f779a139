/* SPDX-License-Identifier: MIT */
/* A test session: control channel plus fabric endpoint, set up the same way for every test. */
#ifndef EFADIAG_SESSION_H
#define EFADIAG_SESSION_H

#include "efadiag.h"
#include "fabric/endpoint.h"
#include "ctl/oob.h"

/* Bounds the server enforces on what a client asks for (documented in efadiag(1)). */
#define SESSION_MAX_ITERATIONS 100000000L
#define SESSION_MAX_WARMUP 1000000L
/*
 * Message slots of the largest size in a session endpoint's buffer: one to send from and two
 * to receive into, so pingpong can keep the next receive posted before anything can arrive
 * for it (efa-direct has no buffer for unexpected messages).
 */
#define SESSION_BUF_SLOTS 3

/* What a client asks the server to run: carried in the hello. */
struct test_params {
	char test[16];
	char provider[64];
	size_t sizes[EFADIAG_MAX_SIZES];
	size_t nsizes;
	long iterations;
	long warmup;
	bool verify;
	double timeout_sec;
	/* Client side: overrides for the endpoint, and test-specific hello keys (owned by caller). */
	uint64_t caps;
	size_t buf_size;
	const cJSON *extra;
};

/* Where a client's session setup stopped, for the diagnosis. */
enum session_phase {
	PHASE_NONE,
	PHASE_CONTROL,	/* the control path: no connection, or no answer on it */
	PHASE_ENDPOINT, /* opening the endpoint or exchanging addresses */
};

struct session {
	struct ctx *ctx;
	double hard_deadline; /* no wait of the setup goes past it; 0: none */
	enum session_phase failed_phase;
	struct oob oob;
	struct fab fab;
	struct test_params p;
	bool server;
	cJSON *hello; /* server: the client's hello, for test-specific keys */
	char peer_domain[64];
	char peer_fabric[64];
	char peer_version[32];
};

/* A test the server can run. */
struct test_entry {
	const char *name;
	uint64_t caps;
	/* The server's half of the test, after the handshake; returns an exit code. */
	int (*serve)(struct session *s);
	/* Optional: checks the test's own hello keys and sizes the endpoint from them. */
	int (*check_hello)(const cJSON *hello, const struct test_params *p, uint64_t *caps,
			   size_t *buf_size, char *err, size_t errlen);
};

extern const struct test_entry test_pingpong;
extern const struct test_entry test_sgcheck;
extern const struct test_entry test_bw;

/* Fills params from the command line options, with the test's default sizes/iterations. */
void session_params(struct test_params *p, const struct ctx *ctx, const char *test,
		    const size_t *default_sizes, size_t ndefault, long default_iters,
		    long default_warmup);
size_t session_max_size(const struct test_params *p);
double session_deadline(const struct session *s);

/*
 * Client: opens the control channel (TCP to ctx->host or --exec), its endpoint, sends the hello,
 * and inserts the server's address. Returns 0 or an exit code (message already reported).
 */
int session_client_start(struct session *s, struct ctx *ctx, const struct test_params *p,
			 double hard_deadline);
/* Our fabric address into a control message; the peer's out of one into f's AV. */
int session_add_address(struct fab *f, cJSON *j);
int session_insert_address(struct fab *f, const cJSON *j, char *err, size_t errlen);
/*
 * The option checks every test command shares: --loopback excludes HOST and --exec, and HOST
 * excludes --exec. Returns 0 or EXIT_USAGE (reported).
 */
int session_validate_peer(struct ctx *ctx);
/* Every test command's dispatch: --loopback, a client (HOST or --exec), or a server of test. */
int session_run_test(struct ctx *ctx, const char *test, int (*loopback)(struct ctx *),
		     int (*client)(struct ctx *));

/* The server's whole check of a hello, without a network: 0, or -1 and why (fuzzing, tests). */
int session_check_hello(const cJSON *hello, char *err, size_t errlen);
/* Serves the one client on the connected socket fd (a --loopback server thread). */
int session_serve_fd(struct ctx *ctx, int fd, const char *only_test);
bool session_ip_from_text(const char *text, struct sockaddr_storage *ss);
/* Server: serves clients of only_test (NULL: any test), one at a time; --persist loops. */
int session_serve(struct ctx *ctx, const char *only_test);
void session_end(struct session *s);

/* Names the peer and the two domains in the JSON document and for people. */
void session_describe(struct session *s);

#endif
