/* SPDX-License-Identifier: MIT */
/*
 * A test session: the control channel plus a fabric endpoint with the peer's address in it,
 * set up the same way for every test by a handshake (hello, ready, addr). It prints nothing:
 * what went wrong is in s->err, and the command reports it.
 */
#ifndef EFADIAG_CTL_SESSION_H
#define EFADIAG_CTL_SESSION_H

#include "ctl/oob.h"
#include "ctl/proto.h"
#include "fabric/endpoint.h"

/* Where a client's session setup stopped, for the diagnosis. */
enum session_phase {
	PHASE_NONE,
	PHASE_CONTROL,	/* the control path: no connection, or no answer on it */
	PHASE_ENDPOINT, /* opening the endpoint or exchanging addresses */
};

/* How a client reaches its server, and the choices for its own endpoint. */
struct session_target {
	const char *host; /* TCP to host:port ... */
	int port;
	const char *exec_cmd; /* ... or 'CMD efadiag serve --stdio' ... */
	/* ... or a child process running this function on its end of a socketpair (--loopback) */
	int (*loopback)(int fd, void *arg);
	void *loopback_arg;
	const char *token;
	char *const *domains; /* -d for our endpoint, may be empty */
	size_t ndomains;
	/* How long the server may take to answer the hello, its start and endpoint included;
	 * 0: two timeouts */
	double ready_within_sec;
};

/* What a server accepts. */
struct session_policy {
	const char *token;    /* required when set */
	const char *provider; /* when set, clients of another provider are refused */
	double timeout_sec;   /* for the client's hello */
};

struct session {
	double hard_deadline; /* no wait of the setup goes past it; 0: none */
	enum session_phase failed_phase;
	struct oob oob;
	struct fab_ep ep;
	fi_addr_t peer;		/* the peer's endpoint in ep's AV */
	struct msg_hello hello; /* the test and its parameters, as both ends agreed them */
	struct ep_addr remote;	/* the peer's endpoint as it described it */
	char remote_version[32];
	const char *ep_choice; /* how our domain was chosen, for -v */
	char err[512];	       /* why the setup failed */
	char fix[256];	       /* client: what to do about it, when that is known ("" else) */
};

void session_init(struct session *s);
/* A deadline one timeout from now, within the hard deadline. */
double session_deadline(const struct session *s);

/*
 * Client: opens the control channel, the endpoint (caps, max_peers), sends the hello (h, with
 * our version, token and address added), and inserts the server's address. 0, or -1 with
 * s->err and s->failed_phase saying why, and s->fix what to do where that is known (a
 * refused token, a busy server, another provider, a -t too short for the handshake, a peer
 * command that writes to stdout).
 */
int session_client_start(struct session *s, const struct session_target *t,
			 const struct msg_hello *h, uint64_t caps, double hard_deadline);
/* Closes the endpoint and the channel (an --exec or loopback child is reaped). */
void session_end(struct session *s);

/*
 * Server, on a connected s->oob: receives the hello and checks it against the policy. 0, or
 * -1 with s->err (a refusal is sent to the client already).
 */
int session_server_hello(struct session *s, const struct session_policy *pol);
/*
 * Server: opens the endpoint with caps on one of domains (or by the client's subnet), inserts
 * the client's address, answers ready and takes the client's address when it comes after.
 * 0, or -1 with s->err (the client is told).
 */
int session_server_accept(struct session *s, uint64_t caps, char *const *domains,
			  size_t ndomains);
/* Refuses the client with this reason: s->err, and an error message to the client. Returns -1. */
int session_refuse(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
