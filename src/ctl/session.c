// SPDX-License-Identifier: MIT
/* Test sessions: the handshake both ends of every test share, and nothing else. */
#include "ctl/session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fabric/discover.h"
#include "util.h"

void session_init(struct session *s)
{
	memset(s, 0, sizeof(*s));
	oob_init(&s->oob);
	s->peer = FI_ADDR_UNSPEC;
}

static double capped(const struct session *s, double d)
{
	return s->hard_deadline > 0 && s->hard_deadline < d ? s->hard_deadline : d;
}

double session_deadline(const struct session *s)
{
	return capped(s, now_sec() + s->hello.timeout_sec);
}

/* For a wait that includes the peer opening its endpoint: two timeouts, within the cap. */
static double slow_deadline(const struct session *s)
{
	return capped(s, now_sec() + 2 * s->hello.timeout_sec);
}

static int fail(struct session *s, enum session_phase phase, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct session *s, enum session_phase phase, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	s->failed_phase = phase;
	return -1;
}

static int open_endpoint(struct session *s, uint64_t caps, char *const *domains, size_t n,
			 const struct sockaddr *peer)
{
	struct fab_open_args fa = { .provider = s->hello.provider, .domains = domains,
				    .ndomains = n, .peer = peer, .caps = caps,
				    .fabric = s->hello.fabric };

	if (fab_open(&s->ep, &fa))
		return fail(s, PHASE_ENDPOINT, "%s", s->ep.err_text);
	s->ep_choice = n ? "chosen by -d" : peer ? "chosen by the peer's subnet" :
						   "first non-loopback domain";
	return 0;
}

/* The peer's endpoint from a ready, hello or addr: into our AV, and remembered for the report. */
static int take_remote(struct session *s, const struct ep_addr *a)
{
	s->remote = *a;
	if (proto_insert_addr(&s->ep, a, &s->peer))
		return fail(s, PHASE_ENDPOINT, "the peer's fabric address: %s", s->ep.err_text);
	return 0;
}

static int open_channel(struct session *s, const struct session_target *t)
{
	int ret;

	if (t->loopback)
		ret = oob_fork(&s->oob, t->loopback, t->loopback_arg);
	else if (t->exec_cmd)
		ret = oob_exec(&s->oob, t->exec_cmd, "serve --stdio");
	else
		ret = oob_connect(&s->oob, t->host, t->port, session_deadline(s));
	if (!ret)
		return 0;
	if (t->loopback)
		return fail(s, PHASE_CONTROL, "cannot start the loopback server: %s",
			    s->oob.err[0] ? s->oob.err : strerror(-ret));
	if (t->exec_cmd)
		return fail(s, PHASE_CONTROL, "control channel: %s",
			    s->oob.err[0] ? s->oob.err : strerror(-ret));
	return fail(s, PHASE_CONTROL, "%s (is 'efadiag serve' running there, and TCP port %d "
		    "open? --exec 'ssh %s' needs no open port)", s->oob.err, t->port, t->host);
}

/*
 * Below this -t, a peer that does not answer the handshake most likely had no time to: it
 * starts (--exec: a shell, maybe ssh, then efadiag) and opens its fabric endpoint before its
 * ready, which takes 0.3 to 0.5 s on an idle node and more on a busy one.
 */
#define HANDSHAKE_TYPICAL_SEC 2.0

/*
 * No ready before the deadline: a budget too short for the handshake, or a stuck peer. waited:
 * how long we waited, which is more than -t where the peer's endpoint opening is allowed for.
 */
static void explain_no_answer(struct session *s, const struct session_target *t, double waited)
{
	double budget = s->hello.timeout_sec;
	char within[64];

	/* A peer that does not answer will not be waited for again: no grace when it ends. */
	s->oob.stuck = true;
	/*
	 * Say the wait it was: bw waits two -t, sg-check only its share of its -t budget. The
	 * wait is measured, and a loaded machine stretches it: 1.5 tells one -t from two.
	 */
	if (waited > budget * 1.5)
		snprintf(within, sizeof(within), "%.2g s (2 x -t %.3g s)", waited, budget);
	else if (waited < budget * 0.95)
		snprintf(within, sizeof(within), "%.2g s (its share of -t %.3g s)", waited, budget);
	else
		snprintf(within, sizeof(within), "-t %.3g s", budget);
	if (budget < HANDSHAKE_TYPICAL_SEC || waited < HANDSHAKE_TYPICAL_SEC) {
		snprintf(s->oob.err, sizeof(s->oob.err), "%s did not answer within %s, "
			 "which is likely too short for the handshake (the peer %sopens its fabric "
			 "endpoint before it answers)", s->oob.peer, within,
			 t->exec_cmd ? "starts and " : "");
		snprintf(s->fix, sizeof(s->fix), "Run again with a larger -t (e.g. -t 5); if the "
			 "peer still does not answer, it is not efadiag or it is stuck.");
		return;
	}
	snprintf(s->oob.err, sizeof(s->oob.err), "%s %s but did not answer within %s: "
		 "not efadiag, or stuck?", s->oob.peer,
		 t->exec_cmd ? "started" : "accepted the control connection", within);
}

/* The server refused us for a reason it named: say what to do about it. */
static void advise_on_refusal(struct session *s, const char *reason)
{
	if (!strcmp(reason, PROTO_REASON_TOKEN))
		str_copy(s->fix, sizeof(s->fix), "Pass the server's token: --token SECRET, or "
			 "EFADIAG_TOKEN=SECRET in the environment (the same secret on both nodes).");
	else if (!strcmp(reason, PROTO_REASON_BUSY))
		str_copy(s->fix, sizeof(s->fix), "Retry when the other test is done (the server "
			 "runs one test at a time), or start another server on another port (-P).");
	else if (!strcmp(reason, PROTO_REASON_PROVIDER))
		str_copy(s->fix, sizeof(s->fix), "Use the same -p on both ends (the server's, or "
			 "start the server without -p: it then follows its clients).");
}

/* The peer wrote something that is not our protocol (oob says what): say where it came from. */
static void advise_on_foreign_bytes(struct session *s, const struct session_target *t)
{
	if (t->exec_cmd)
		str_copy(s->fix, sizeof(s->fix), "Make the command print nothing on stdout before "
			 "it runs efadiag: in the peer's shell start-up files (~/.bashrc, "
			 "~/.profile), print banners only in interactive shells or to stderr (>&2).");
	else if (t->host)
		snprintf(s->fix, sizeof(s->fix), "Something other than efadiag listens on TCP "
			 "port %d of %s: start 'efadiag serve' there, or give its port with -P.",
			 t->port, t->host);
}

/*
 * Client handshake. Over TCP we know the server's IP, so we open our endpoint first (on the
 * domain whose subnet holds it) and put our address in the hello; in loopback the server is
 * on this node and follows our choice. Through --exec we know nothing of the server: it
 * opens first, its ready tells us where it is, and our address follows in an addr message.
 */
int session_client_start(struct session *s, const struct session_target *t,
			 const struct msg_hello *h, uint64_t caps, double hard_deadline)
{
	struct sockaddr_storage server_ip;
	const struct sockaddr *peer = NULL;
	struct msg m = { .kind = MSG_HELLO }, reply;
	bool open_first;
	double waited;
	int ret;

	s->hello = *h;
	s->hard_deadline = hard_deadline;
	if (open_channel(s, t))
		return -1;
	open_first = s->oob.have_peer_addr || t->loopback;
	m.u.hello = *h;
	str_copy(m.u.hello.version, sizeof(m.u.hello.version), efadiag_version());
	if (t->token) {
		m.u.hello.has_token = true;
		str_copy(m.u.hello.token, sizeof(m.u.hello.token), t->token);
	}
	if (open_first) {
		if (open_endpoint(s, caps, t->domains, t->ndomains,
				  s->oob.have_peer_addr ? (struct sockaddr *)&s->oob.peer_addr : NULL))
			return -1;
		if (proto_addr_of(&s->ep, &m.u.hello.addr))
			return fail(s, PHASE_ENDPOINT, "%s", s->ep.err_text);
		m.u.hello.has_addr = true;
	}
	ret = proto_send(&s->oob, &m, session_deadline(s));
	/* The server may have refused us before reading (busy): its reason is waiting. */
	if (ret && proto_expect(&s->oob, MSG_READY, &reply, now_sec() + 0.5) == -ECANCELED)
		ret = -ECANCELED;
	/* The server opens its endpoint before answering: allow for that on top of a wait. */
	waited = now_sec();
	if (!ret)
		ret = proto_expect(&s->oob, MSG_READY, &reply,
				   t->ready_within_sec > 0 ?
					   capped(s, now_sec() + t->ready_within_sec) :
					   slow_deadline(s));
	waited = now_sec() - waited;
	if (ret == -ECONNRESET)
		oob_explain_child_exit(&s->oob, 1.0);
	if (ret == -ETIMEDOUT)
		explain_no_answer(s, t, waited);
	if (ret == -ECANCELED)
		advise_on_refusal(s, reply.u.error.reason);
	if (ret == -EPROTO && s->oob.foreign)
		advise_on_foreign_bytes(s, t);
	/* No answer at all, or a hang-up, is the control path; a refusal is the server's word. */
	if (ret)
		return fail(s, ret != -ECANCELED && ret != -EPROTO ? PHASE_CONTROL : PHASE_ENDPOINT,
			    "%s", s->oob.err);
	str_copy(s->remote_version, sizeof(s->remote_version), reply.u.ready.version);
	if (!open_first) {
		if (reply.u.ready.addr.ip[0] &&
		    proto_ip_from_text(reply.u.ready.addr.ip, &server_ip))
			peer = (struct sockaddr *)&server_ip;
		if (open_endpoint(s, caps, t->domains, t->ndomains, peer))
			return -1;
	}
	if (take_remote(s, &reply.u.ready.addr))
		return -1;
	if (!open_first) {
		m.kind = MSG_ADDR;
		if (proto_addr_of(&s->ep, &m.u.addr))
			return fail(s, PHASE_ENDPOINT, "%s", s->ep.err_text);
		if (proto_send(&s->oob, &m, session_deadline(s)))
			return fail(s, PHASE_CONTROL, "%s", s->oob.err);
	}
	s->failed_phase = PHASE_NONE;
	return 0;
}

void session_end(struct session *s)
{
	fab_close(&s->ep);
	oob_close(&s->oob);
}

/* The client is told the reason already in s->err. Returns -1. */
static int tell_client(struct session *s)
{
	proto_send_error(&s->oob, s->err, now_sec() + 1);
	return -1;
}

static int refuse_because(struct session *s, const char *reason, const char *fmt, va_list ap)
{
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	proto_send_refusal(&s->oob, reason, s->err, now_sec() + 1);
	return -1;
}

int session_refuse(struct session *s, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = refuse_because(s, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

/* A refusal the client can act on: reason is a PROTO_REASON_ word it turns into advice. */
static int refuse_with(struct session *s, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse_with(struct session *s, const char *reason, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = refuse_because(s, reason, fmt, ap);
	va_end(ap);
	return ret;
}

/* The provider a name opens here; the name itself when this node has none by that name. */
static void resolve_provider(const char *name, char *out, size_t len)
{
	if (fabric_resolve_provider(name, out, len))
		str_copy(out, len, name);
}

/* "tcp (tcp;ofi_rxm)" for a name that opens something spelled otherwise, else the name. */
static const char *as_opened(const char *name, const char *opened, char *buf, size_t len)
{
	if (!strcasecmp(name, opened))
		return name;
	snprintf(buf, len, "%s (%s)", name, opened);
	return buf;
}

/*
 * Whether the client's provider is ours. Names are compared by what they open, not as typed:
 * "tcp", "TCP" and "tcp;ofi_rxm" are one provider on libfabric 1.x, while on 2.x "tcp" is
 * the tcp RDM provider, another one. The client's own, when it sent its endpoint, is what it
 * opened; otherwise its name is resolved here, where its test will run.
 */
static bool same_provider(const char *ours, const struct msg_hello *h, char *mine,
			  char *theirs, size_t len)
{
	resolve_provider(ours, mine, len);
	if (h->has_addr && h->addr.provider[0])
		str_copy(theirs, len, h->addr.provider);
	else
		resolve_provider(h->provider, theirs, len);
	return !strcasecmp(mine, theirs);
}

/* Compares in constant time, so the time taken says nothing about how much matched. */
static bool token_matches(const struct msg_hello *h, const char *want)
{
	size_t i, n, wn = strlen(want);
	unsigned char diff = 0;

	if (!h->has_token)
		return false;
	n = strlen(h->token);
	diff |= (unsigned char)(n != wn);
	for (i = 0; i < wn; i++)
		diff |= (unsigned char)(want[i] ^ (i < n ? h->token[i] : 0));
	return diff == 0;
}

int session_server_hello(struct session *s, const struct session_policy *pol)
{
	char mine[64], theirs[64], b1[160], b2[160];
	struct msg m;
	int ret;

	/* A client that connects and says nothing is dropped after the timeout. */
	ret = proto_expect(&s->oob, MSG_HELLO, &m, now_sec() + pol->timeout_sec);
	if (ret) {
		str_copy(s->err, sizeof(s->err), s->oob.err);
		if (ret == -EPROTO)
			proto_send_error(&s->oob, s->oob.err, now_sec() + 1);
		/*
		 * A client too slow to say hello (a loaded node) is told why it is dropped, so it
		 * names the server's -t rather than a connection that closed for no reason.
		 */
		if (ret == -ETIMEDOUT) {
			snprintf(b1, sizeof(b1), "the server waited %.3g s (its -t) for this client's "
				 "hello and gave up: a loaded client, or a larger -t on the server",
				 pol->timeout_sec);
			proto_send_error(&s->oob, b1, now_sec() + 1);
		}
		return -1;
	}
	s->hello = m.u.hello;
	/* Said plainly to the client; neither token is ever printed. */
	if (pol->token && !token_matches(&s->hello, pol->token))
		return refuse_with(s, PROTO_REASON_TOKEN, "refused: this server requires a token "
				   "(--token or EFADIAG_TOKEN) and the client's %s",
				   s->hello.has_token ? "does not match" : "was missing");
	if (pol->provider &&
	    !same_provider(pol->provider, &s->hello, mine, theirs, sizeof(mine)))
		return refuse_with(s, PROTO_REASON_PROVIDER, "provider mismatch: this server uses "
				   "%s, the client asked for %s",
				   as_opened(pol->provider, mine, b1, sizeof(b1)),
				   as_opened(s->hello.provider, theirs, b2, sizeof(b2)));
	str_copy(s->remote_version, sizeof(s->remote_version), s->hello.version);
	return 0;
}

int session_server_accept(struct session *s, uint64_t caps, char *const *domains,
			  size_t ndomains)
{
	struct sockaddr_storage client_ip;
	const struct sockaddr *peer = NULL;
	const char *ssh = getenv("SSH_CLIENT");
	struct msg m = { .kind = MSG_READY };
	char ssh_ip[64];

	if (s->hello.has_addr && s->hello.addr.ip[0] &&
	    proto_ip_from_text(s->hello.addr.ip, &client_ip))
		peer = (struct sockaddr *)&client_ip;
	else if (s->oob.have_peer_addr)
		peer = (struct sockaddr *)&s->oob.peer_addr;
	else if (ssh && sscanf(ssh, "%63s", ssh_ip) == 1 && proto_ip_from_text(ssh_ip, &client_ip))
		peer = (struct sockaddr *)&client_ip; /* --exec 'ssh ...': ssh says who called */
	if (open_endpoint(s, caps, domains, ndomains, peer)) {
		char why[sizeof(s->err)];

		str_copy(why, sizeof(why), s->err);
		return session_refuse(s, "server: %s", why);
	}
	/* Through --exec the client's address comes after our ready (see session_client_start). */
	if (s->hello.has_addr && take_remote(s, &s->hello.addr))
		return tell_client(s);
	if (proto_addr_of(&s->ep, &m.u.ready.addr))
		return fail(s, PHASE_ENDPOINT, "%s", s->ep.err_text);
	str_copy(m.u.ready.version, sizeof(m.u.ready.version), efadiag_version());
	if (proto_send(&s->oob, &m, session_deadline(s)))
		return fail(s, PHASE_CONTROL, "%s", s->oob.err);
	if (s->hello.has_addr)
		return 0;
	if (proto_expect(&s->oob, MSG_ADDR, &m, slow_deadline(s)))
		return fail(s, PHASE_CONTROL, "%s", s->oob.err);
	if (take_remote(s, &m.u.addr))
		return tell_client(s);
	return 0;
}
