// SPDX-License-Identifier: MIT
/* Test sessions: the handshake both ends of every test share, and the server's accept loop. */
#include "ctl/session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <rdma/fi_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ui/cli.h"
#include "ui/out.h"
#include "ui/parse.h"
#include "util.h"

static const struct test_entry *const tests[] = { &test_pingpong, &test_sgcheck, &test_bw, NULL };

static const struct test_entry *find_test(const char *name)
{
	size_t i;

	for (i = 0; tests[i]; i++)
		if (!strcmp(tests[i]->name, name))
			return tests[i];
	return NULL;
}

void session_params(struct test_params *p, const struct ctx *ctx, const char *test,
		    const size_t *default_sizes, size_t ndefault, long default_iters,
		    long default_warmup)
{
	const struct opts *o = &ctx->opt;

	memset(p, 0, sizeof(*p));
	str_copy(p->test, sizeof(p->test), test);
	str_copy(p->provider, sizeof(p->provider), o->provider);
	if (o->nsizes) {
		memcpy(p->sizes, o->sizes, o->nsizes * sizeof(size_t));
		p->nsizes = o->nsizes;
	} else {
		memcpy(p->sizes, default_sizes, ndefault * sizeof(size_t));
		p->nsizes = ndefault;
	}
	p->iterations = o->iterations > 0 ? o->iterations : default_iters;
	p->warmup = o->warmup >= 0 ? o->warmup : default_warmup;
	p->verify = o->verify;
	p->timeout_sec = o->timeout_sec;
}

size_t session_max_size(const struct test_params *p)
{
	size_t i, m = 1;

	for (i = 0; i < p->nsizes; i++)
		if (p->sizes[i] > m)
			m = p->sizes[i];
	return m;
}

double session_deadline(const struct session *s)
{
	double d = now_sec() + s->p.timeout_sec;

	return s->hard_deadline > 0 && s->hard_deadline < d ? s->hard_deadline : d;
}

/* For a wait that includes the peer opening its endpoint: two timeouts, within the cap. */
static double slow_deadline(const struct session *s)
{
	double d = now_sec() + 2 * s->p.timeout_sec;

	return s->hard_deadline > 0 && s->hard_deadline < d ? s->hard_deadline : d;
}

static cJSON *params_to_json(const struct test_params *p)
{
	cJSON *j = cJSON_CreateObject(), *sizes;
	size_t i;

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "test", p->test);
	cJSON_AddStringToObject(j, "provider", p->provider);
	sizes = cJSON_AddArrayToObject(j, "sizes");
	for (i = 0; sizes && i < p->nsizes; i++)
		cJSON_AddItemToArray(sizes, cJSON_CreateNumber((double)p->sizes[i]));
	cJSON_AddNumberToObject(j, "iterations", (double)p->iterations);
	cJSON_AddNumberToObject(j, "warmup", (double)p->warmup);
	cJSON_AddBoolToObject(j, "verify", p->verify);
	cJSON_AddNumberToObject(j, "timeout_sec", p->timeout_sec);
	cJSON_AddStringToObject(j, "efadiag_version", efadiag_version());
	if (p->extra) {
		const cJSON *e;

		cJSON_ArrayForEach(e, p->extra)
			cJSON_AddItemToObject(j, e->string, cJSON_Duplicate(e, 1));
	}
	return j;
}

static int json_long(const cJSON *j, const char *key, long min, long max, long *out,
		     char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble ||
	    v->valuedouble < (double)min || v->valuedouble > (double)max) {
		snprintf(err, errlen, "'%s' must be a whole number from %ld to %ld", key, min, max);
		return -1;
	}
	*out = (long)v->valuedouble;
	return 0;
}

/* The server's check of a hello: every value within the documented bounds. */
static int params_from_json(const cJSON *j, struct test_params *p, char *err, size_t errlen)
{
	const cJSON *test = cJSON_GetObjectItemCaseSensitive(j, "test");
	const cJSON *prov = cJSON_GetObjectItemCaseSensitive(j, "provider");
	const cJSON *sizes = cJSON_GetObjectItemCaseSensitive(j, "sizes");
	const cJSON *verify = cJSON_GetObjectItemCaseSensitive(j, "verify");
	const cJSON *timeout = cJSON_GetObjectItemCaseSensitive(j, "timeout_sec");
	const cJSON *e;

	memset(p, 0, sizeof(*p));
	if (!cJSON_IsString(test) || !find_test(test->valuestring)) {
		snprintf(err, errlen, "unknown test '%s'",
			 cJSON_IsString(test) ? test->valuestring : "(none)");
		return -1;
	}
	str_copy(p->test, sizeof(p->test), test->valuestring);
	if (!cJSON_IsString(prov) || !prov->valuestring[0] ||
	    strlen(prov->valuestring) >= sizeof(p->provider)) {
		snprintf(err, errlen, "missing or invalid provider name");
		return -1;
	}
	str_copy(p->provider, sizeof(p->provider), prov->valuestring);
	if (!cJSON_IsArray(sizes) || cJSON_GetArraySize(sizes) < 1 ||
	    cJSON_GetArraySize(sizes) > EFADIAG_MAX_SIZES) {
		snprintf(err, errlen, "'sizes' must list 1 to %d sizes", EFADIAG_MAX_SIZES);
		return -1;
	}
	cJSON_ArrayForEach(e, sizes) {
		if (!cJSON_IsNumber(e) || e->valuedouble < 1 ||
		    e->valuedouble > (double)PARSE_MAX_MSG_SIZE ||
		    e->valuedouble != (double)(size_t)e->valuedouble) {
			snprintf(err, errlen, "message sizes must be whole numbers from 1 to %zu",
				 PARSE_MAX_MSG_SIZE);
			return -1;
		}
		p->sizes[p->nsizes++] = (size_t)e->valuedouble;
	}
	if (json_long(j, "iterations", 1, SESSION_MAX_ITERATIONS, &p->iterations, err, errlen) ||
	    json_long(j, "warmup", 0, SESSION_MAX_WARMUP, &p->warmup, err, errlen))
		return -1;
	p->verify = cJSON_IsTrue(verify);
	if (!cJSON_IsNumber(timeout) || !(timeout->valuedouble >= 0.001) ||
	    timeout->valuedouble > 86400) {
		snprintf(err, errlen, "'timeout_sec' must be from 0.001 to 86400");
		return -1;
	}
	p->timeout_sec = timeout->valuedouble;
	return 0;
}

int session_check_hello(const cJSON *hello, char *err, size_t errlen)
{
	struct test_params p;
	const struct test_entry *t;
	uint64_t caps = FI_MSG;
	size_t buf = 0;

	if (params_from_json(hello, &p, err, errlen))
		return -1;
	t = find_test(p.test);
	return t->check_hello ? t->check_hello(hello, &p, &caps, &buf, err, errlen) : 0;
}

/* The text form of an IP fabric address ("192.0.2.3"), so the peer can match its subnet. */
static void addr_ip_text(const struct fab *f, const void *addr, size_t len, char *buf,
			 size_t buflen)
{
	struct sockaddr_storage ss;

	buf[0] = '\0';
	if (!fab_addr_sockaddr(f, addr, len, &ss))
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, (socklen_t)buflen);
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, buf,
			  (socklen_t)buflen);
}

bool session_ip_from_text(const char *text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		ss->ss_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		return true;
	}
	return false;
}

/* Adds our fabric address (hex, and as IP text when it is one) to a hello or ready. */
int session_add_address(struct fab *f, cJSON *j)
{
	char addr[FAB_ADDR_MAX], hex[2 * FAB_ADDR_MAX + 1], ip[64];
	size_t len = sizeof(addr);
	int ret;

	ret = fab_getname(f, addr, &len);
	if (ret)
		return ret;
	fab_addr_to_hex(addr, len, hex, sizeof(hex));
	cJSON_AddStringToObject(j, "addr", hex);
	addr_ip_text(f, addr, len, ip, sizeof(ip));
	if (ip[0])
		cJSON_AddStringToObject(j, "ip", ip);
	cJSON_AddStringToObject(j, "domain", fab_domain_name(f));
	cJSON_AddStringToObject(j, "fabric", fab_fabric_name(f));
	cJSON_AddStringToObject(j, "provider_full", fab_provider_name(f));
	return 0;
}

static int add_own_address(struct session *s, cJSON *j)
{
	return session_add_address(&s->fab, j);
}

int session_insert_address(struct fab *f, const cJSON *j, char *err, size_t errlen)
{
	const cJSON *hex = cJSON_GetObjectItemCaseSensitive(j, "addr");
	unsigned char addr[FAB_ADDR_MAX];
	size_t len = sizeof(addr);

	if (!cJSON_IsString(hex) || fab_addr_from_hex(hex->valuestring, addr, &len)) {
		snprintf(err, errlen, "missing or malformed fabric address");
		return -FI_EINVAL;
	}
	if (fab_insert_peer(f, addr, len)) {
		snprintf(err, errlen, "%s", f->err_text);
		return -FI_EINVAL;
	}
	return 0;
}

/* Inserts the peer's address from a hello or ready; remembers its domain for the report. */
static int insert_peer_address(struct session *s, const cJSON *j, char *err, size_t errlen)
{
	const cJSON *dom = cJSON_GetObjectItemCaseSensitive(j, "domain");
	const cJSON *fab = cJSON_GetObjectItemCaseSensitive(j, "fabric");
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "efadiag_version");

	if (cJSON_IsString(dom))
		str_copy(s->peer_domain, sizeof(s->peer_domain), dom->valuestring);
	if (cJSON_IsString(fab))
		str_copy(s->peer_fabric, sizeof(s->peer_fabric), fab->valuestring);
	if (cJSON_IsString(ver))
		str_copy(s->peer_version, sizeof(s->peer_version), ver->valuestring);
	return session_insert_address(&s->fab, j, err, errlen);
}

void session_describe(struct session *s)
{
	cJSON *root = out_root(s->ctx->out), *peer, *local;

	cJSON_DeleteItemFromObjectCaseSensitive(root, "provider");
	cJSON_AddStringToObject(root, "provider", fab_provider_name(&s->fab));
	local = cJSON_AddObjectToObject(root, "local");
	if (local) {
		cJSON_AddStringToObject(local, "domain", fab_domain_name(&s->fab));
		cJSON_AddStringToObject(local, "fabric", fab_fabric_name(&s->fab));
	}
	peer = cJSON_AddObjectToObject(root, "peer");
	if (peer) {
		cJSON_AddStringToObject(peer, "control", s->oob.peer);
		cJSON_AddStringToObject(peer, "domain", s->peer_domain);
		cJSON_AddStringToObject(peer, "fabric", s->peer_fabric);
		cJSON_AddStringToObject(peer, "efadiag_version", s->peer_version);
	}
	out_text(s->ctx->out, "%s %s: %s (%s) <-> %s (%s) via %s\n", s->p.test,
		 fab_provider_name(&s->fab), fab_domain_name(&s->fab), fab_fabric_name(&s->fab),
		 s->peer_domain, s->peer_fabric, s->oob.peer);
}

static int control_unreachable(struct session *s, int port)
{
	if (s->ctx->opt.exec_cmd)
		out_error(s->ctx->out, "control channel: %s", s->oob.err);
	else
		out_error(s->ctx->out, "%s (is 'efadiag serve' running there, and TCP port %d "
			  "open? --exec 'ssh %s' needs no open port)", s->oob.err, port,
			  s->ctx->host);
	return EXIT_ERROR;
}

static int client_open_endpoint(struct session *s, const struct sockaddr *peer)
{
	const struct opts *o = &s->ctx->opt;
	const struct test_entry *t = find_test(s->p.test);
	struct fab_open_args fa = { .provider = s->p.provider, .domains = o->domains,
				    .ndomains = o->ndomains, .peer = peer,
				    .caps = s->p.caps ? s->p.caps : t ? t->caps : FI_MSG,
				    .buf_size = s->p.buf_size ? s->p.buf_size :
							       SESSION_BUF_SLOTS * session_max_size(&s->p) };

	if (fab_open(&s->fab, &fa)) {
		out_error(s->ctx->out, "%s", s->fab.err_text);
		return EXIT_ERROR;
	}
	if (o->verbose)
		out_note(s->ctx->out, "efadiag: %s: endpoint on %s %s (%s), %s\n", s->p.test,
			 fab_provider_name(&s->fab), fab_domain_name(&s->fab),
			 fab_fabric_name(&s->fab), peer ? "chosen by the peer's subnet" :
			 o->ndomains ? "chosen by -d" : "first non-loopback domain");
	return 0;
}

/*
 * Client handshake. Over TCP we know the server's IP, so we open our endpoint first (on the
 * domain whose subnet holds it) and put our address in the hello. Through --exec we do not:
 * the server opens first, and its ready tells us where it is; our address follows in a sync.
 */
int session_client_start(struct session *s, struct ctx *ctx, const struct test_params *p,
			 double hard_deadline)
{
	const struct opts *o = &ctx->opt;
	struct sockaddr_storage server_ip;
	const struct sockaddr *peer = NULL;
	cJSON *hello, *ready = NULL, *addr_msg;
	const cJSON *ip;
	char err[256];
	int ret;

	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->p = *p;
	s->hard_deadline = hard_deadline;
	s->failed_phase = PHASE_CONTROL;
	oob_init(&s->oob);
	if (ctx->loop_fd > 0) {
		s->oob.rfd = s->oob.wfd = ctx->loop_fd;
		str_copy(s->oob.peer, sizeof(s->oob.peer), "loopback");
		ret = 0;
	} else if (o->exec_cmd) {
		ret = oob_exec(&s->oob, o->exec_cmd, "serve --stdio");
	} else {
		ret = oob_connect(&s->oob, ctx->host, o->port, session_deadline(s));
	}
	if (ret)
		return control_unreachable(s, o->port);

	hello = params_to_json(p);
	if (!hello) {
		out_error(ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	if (o->token)
		cJSON_AddStringToObject(hello, "token", o->token);
	if (s->oob.have_peer_addr) {
		s->failed_phase = PHASE_ENDPOINT;
		ret = client_open_endpoint(s, (struct sockaddr *)&s->oob.peer_addr);
		if (!ret && add_own_address(s, hello)) {
			out_error(ctx->out, "%s", s->fab.err_text);
			ret = EXIT_ERROR;
		}
		if (ret) {
			cJSON_Delete(hello);
			return ret;
		}
	}
	ret = oob_send(&s->oob, OOB_HELLO, hello, session_deadline(s));
	cJSON_Delete(hello);
	if (ret) {
		/* The server may have refused us before reading (busy): its reason is waiting. */
		cJSON *m = NULL;

		if (oob_expect(&s->oob, OOB_READY, &m, now_sec() + 0.5) == -ECANCELED)
			ret = -ECANCELED;
		cJSON_Delete(m);
	}
	/* The server opens its endpoint before answering: allow for that on top of a wait. */
	if (!ret)
		ret = oob_expect(&s->oob, OOB_READY, &ready, slow_deadline(s));
	if (ret == -ECONNRESET)
		oob_explain_child_exit(&s->oob, 1.0);
	/* No answer at all, or a hang-up, is the control path; a refusal is the server's word. */
	s->failed_phase = ret && ret != -ECANCELED && ret != -EPROTO ? PHASE_CONTROL :
								       PHASE_ENDPOINT;
	if (ret == -ETIMEDOUT)
		snprintf(s->oob.err, sizeof(s->oob.err), "%s accepted the control connection but "
			 "did not answer before the timeout (not efadiag, or stuck?)", s->oob.peer);
	if (ret) {
		out_error(ctx->out, "%s", s->oob.err);
		return EXIT_ERROR;
	}
	if (!s->fab.ep) {
		ip = cJSON_GetObjectItemCaseSensitive(ready, "ip");
		if (cJSON_IsString(ip) && session_ip_from_text(ip->valuestring, &server_ip))
			peer = (struct sockaddr *)&server_ip;
		ret = client_open_endpoint(s, peer);
		if (ret) {
			cJSON_Delete(ready);
			return ret;
		}
	}
	ret = insert_peer_address(s, ready, err, sizeof(err));
	cJSON_Delete(ready);
	if (ret) {
		out_error(ctx->out, "server's ready message: %s", err);
		return EXIT_ERROR;
	}
	s->failed_phase = PHASE_NONE;
	if (s->oob.have_peer_addr)
		return 0;
	s->failed_phase = PHASE_ENDPOINT;
	addr_msg = cJSON_CreateObject();
	if (!addr_msg || add_own_address(s, addr_msg)) {
		cJSON_Delete(addr_msg);
		out_error(ctx->out, "%s", s->fab.err_text);
		return EXIT_ERROR;
	}
	cJSON_AddStringToObject(addr_msg, "phase", "addr");
	ret = oob_send(&s->oob, OOB_SYNC, addr_msg, session_deadline(s));
	cJSON_Delete(addr_msg);
	if (ret) {
		out_error(ctx->out, "%s", s->oob.err);
		return EXIT_ERROR;
	}
	s->failed_phase = PHASE_NONE;
	return 0;
}

void session_end(struct session *s)
{
	fab_close(&s->fab);
	oob_close(&s->oob);
}

/* Compares in constant time, so the time taken says nothing about how much matched. */
static bool token_matches(const cJSON *hello, const char *want)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(hello, "token");
	size_t i, n, wn = strlen(want);
	unsigned char diff = 0;

	if (!cJSON_IsString(t))
		return false;
	n = strlen(t->valuestring);
	diff |= (unsigned char)(n != wn);
	for (i = 0; i < wn; i++)
		diff |= (unsigned char)(want[i] ^ (i < n ? t->valuestring[i] : 0));
	return diff == 0;
}

/* Handshake on the server: hello in, checks, endpoint, ready out. 0, or an exit code. */
static int server_handshake(struct session *s, const char *only_test, const struct test_entry **t)
{
	const struct opts *o = &s->ctx->opt;
	struct fab_open_args fa = { .domains = o->domains, .ndomains = o->ndomains };
	struct sockaddr_storage client_ip;
	cJSON *hello = NULL, *ready;
	const cJSON *ip;
	const char *ssh;
	char err[256], ssh_ip[64];
	bool addr_later;
	int ret;

	/* A client that connects and says nothing is dropped after the timeout. */
	ret = oob_expect(&s->oob, OOB_HELLO, &hello, now_sec() + o->timeout_sec);
	if (ret) {
		out_error(s->ctx->out, "client %s: %s", s->oob.peer, s->oob.err);
		if (ret == -EPROTO)
			oob_send_error(&s->oob, s->oob.err, now_sec() + 1);
		return EXIT_ERROR;
	}
	if (o->token && !token_matches(hello, o->token)) {
		/* Said plainly to the client; neither token is ever printed. */
		snprintf(err, sizeof(err), "refused: this server requires a token (--token or "
			 "EFADIAG_TOKEN) and the client's %s",
			 cJSON_GetObjectItemCaseSensitive(hello, "token") ? "does not match" :
									    "was missing");
		cJSON_Delete(hello);
		out_error(s->ctx->out, "client %s: %s", s->oob.peer, err);
		oob_send_error(&s->oob, err, now_sec() + 1);
		return EXIT_ERROR;
	}
	if (params_from_json(hello, &s->p, err, sizeof(err)) ||
	    (only_test && strcmp(s->p.test, only_test) &&
	     snprintf(err, sizeof(err), "this server runs only %s; start 'efadiag serve' for %s",
		      only_test, s->p.test)) ||
	    (o->provider_set && strcmp(o->provider, s->p.provider) &&
	     snprintf(err, sizeof(err), "provider mismatch: this server uses %s, the client asked "
		      "for %s", o->provider, s->p.provider))) {
		cJSON_Delete(hello);
		out_error(s->ctx->out, "client %s: %s", s->oob.peer, err);
		oob_send_error(&s->oob, err, now_sec() + 1);
		return EXIT_ERROR;
	}
	*t = find_test(s->p.test);
	fa.provider = s->p.provider;
	fa.caps = (*t)->caps;
	fa.buf_size = SESSION_BUF_SLOTS * session_max_size(&s->p);
	if ((*t)->check_hello &&
	    (*t)->check_hello(hello, &s->p, &fa.caps, &fa.buf_size, err, sizeof(err)))
		goto refuse;
	ip = cJSON_GetObjectItemCaseSensitive(hello, "ip");
	ssh = getenv("SSH_CLIENT");
	if (cJSON_IsString(ip) && session_ip_from_text(ip->valuestring, &client_ip))
		fa.peer = (struct sockaddr *)&client_ip;
	else if (s->oob.have_peer_addr)
		fa.peer = (struct sockaddr *)&s->oob.peer_addr;
	else if (ssh && sscanf(ssh, "%63s", ssh_ip) == 1 && session_ip_from_text(ssh_ip, &client_ip))
		fa.peer = (struct sockaddr *)&client_ip; /* --exec 'ssh ...': ssh says who called */
	ret = fab_open(&s->fab, &fa);
	if (ret) {
		snprintf(err, sizeof(err), "server: %s", s->fab.err_text);
		goto refuse;
	}
	/* Through --exec the client's address comes after our ready (see session_client_start). */
	addr_later = !cJSON_GetObjectItemCaseSensitive(hello, "addr");
	if (!addr_later && insert_peer_address(s, hello, err, sizeof(err)))
		goto refuse;
	s->hello = hello; /* kept for the test's own keys; serve_client deletes it */
	hello = NULL;
	ready = cJSON_CreateObject();
	if (!ready || add_own_address(s, ready)) {
		cJSON_Delete(ready);
		out_error(s->ctx->out, "%s", s->fab.err_text);
		return EXIT_ERROR;
	}
	cJSON_AddStringToObject(ready, "efadiag_version", efadiag_version());
	ret = oob_send(&s->oob, OOB_READY, ready, session_deadline(s));
	cJSON_Delete(ready);
	if (!ret && addr_later)
		ret = oob_expect(&s->oob, OOB_SYNC, &hello, slow_deadline(s));
	if (ret) {
		out_error(s->ctx->out, "client %s: %s", s->oob.peer, s->oob.err);
		return EXIT_ERROR;
	}
	if (addr_later && insert_peer_address(s, hello, err, sizeof(err)))
		goto refuse;
	cJSON_Delete(hello);
	return 0;
refuse:
	cJSON_Delete(hello);
	out_error(s->ctx->out, "client %s: %s", s->oob.peer, err);
	oob_send_error(&s->oob, err, now_sec() + 1);
	return EXIT_ERROR;
}

/* Serves the client already on s->oob: handshake, then the test's server half. */
static int serve_client(struct ctx *ctx, struct oob *oob, const char *only_test)
{
	const struct test_entry *t = NULL;
	struct session s;
	int code;

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.server = true;
	s.oob = *oob;
	s.p.timeout_sec = ctx->opt.timeout_sec;
	code = server_handshake(&s, only_test, &t);
	if (!code) {
		if (!ctx->opt.quiet)
			fprintf(stderr, "efadiag: serving %s over %s (%s) for %s\n", s.p.test,
				fab_provider_name(&s.fab), fab_domain_name(&s.fab), s.oob.peer);
		session_describe(&s);
		code = t->serve(&s);
	}
	fab_close(&s.fab);
	cJSON_Delete(s.hello);
	*oob = s.oob;
	return code;
}

/* Swaps in a fresh output document for the next client, for --persist's JSON lines. */
static void next_document(struct ctx *ctx, const char *test)
{
	out_free(ctx->out);
	ctx->out = out_new(test, ctx->opt.json, ctx->opt.quiet);
	out_set_compact(ctx->out, ctx->opt.persist);
}

/*
 * While one client is served, others get a clear "busy" at once instead of waiting unseen in
 * the listen queue until they time out: a thread answers them on the listening socket.
 */
struct busy {
	pthread_t thread;
	int lfd;
	int stop[2]; /* a pipe: written to end the thread */
	bool running, quiet;
	char serving[160];
};

static void drain(int fd, double deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];

	while (now_sec() < deadline && poll(&p, 1, 100) >= 0)
		if (p.revents && read(fd, buf, sizeof(buf)) <= 0 && errno != EAGAIN)
			break;
}

static void *busy_main(void *arg)
{
	struct busy *b = arg;
	struct pollfd p[2] = { { .fd = b->lfd, .events = POLLIN }, { .fd = b->stop[0], .events = POLLIN } };

	for (;;) {
		struct oob o;
		char msg[256];

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		oob_init(&o);
		if (oob_accept(&o, b->lfd, now_sec()))
			continue;
		snprintf(msg, sizeof(msg), "busy: this server is running a test for %s; try again "
			 "when it is done", b->serving);
		oob_send_error(&o, msg, now_sec() + 1);
		/* Close only after the client's hello is read: unread data would turn our close
		 * into a reset that can destroy the message before the client reads it. */
		shutdown(o.wfd, SHUT_WR);
		drain(o.rfd, now_sec() + 1);
		if (!b->quiet)
			fprintf(stderr, "efadiag: serve: refused %s: busy with %s\n", o.peer, b->serving);
		oob_close(&o);
	}
	return NULL;
}

static void busy_start(struct busy *b, int lfd, const char *serving, bool quiet)
{
	b->lfd = lfd;
	b->quiet = quiet;
	str_copy(b->serving, sizeof(b->serving), serving);
	b->running = !pipe2(b->stop, O_CLOEXEC) &&
		     !pthread_create(&b->thread, NULL, busy_main, b);
}

static void busy_stop(struct busy *b)
{
	if (!b->running)
		return;
	if (write(b->stop[1], "x", 1) != 1)
		pthread_cancel(b->thread);
	pthread_join(b->thread, NULL);
	close(b->stop[0]);
	close(b->stop[1]);
	b->running = false;
}

int session_validate_peer(struct ctx *ctx)
{
	const struct opts *o = &ctx->opt;

	if (o->loopback && (ctx->host || o->exec_cmd))
		return cli_usage_error(ctx, "--loopback runs both ends here: no HOST or --exec");
	if (o->exec_cmd && ctx->host)
		return cli_usage_error(ctx, "give either HOST or --exec, not both");
	if (!o->port && (ctx->host || o->exec_cmd))
		return cli_usage_error(ctx, "invalid value '0' for -P/--port: 0 (any free port) is "
				       "for a server; a client needs the port its server named");
	return 0;
}

int session_run_test(struct ctx *ctx, const char *test, int (*loopback)(struct ctx *),
		     int (*client)(struct ctx *))
{
	if (ctx->opt.loopback)
		return loopback(ctx);
	if (ctx->host || ctx->opt.exec_cmd)
		return client(ctx);
	return session_serve(ctx, test);
}

int session_serve_fd(struct ctx *ctx, int fd, const char *only_test)
{
	struct oob oob;

	oob_init(&oob);
	oob.rfd = oob.wfd = fd;
	str_copy(oob.peer, sizeof(oob.peer), "loopback");
	return serve_client(ctx, &oob, only_test);
}

int session_serve(struct ctx *ctx, const char *only_test)
{
	const char *name = only_test ? only_test : "serve";
	struct busy busy;
	struct oob oob;
	char err[256];
	int lfd, code = EXIT_OK;

	if (ctx->opt.stdio) {
		/*
		 * stdout carries the protocol. Anything else printed must not land in it: the
		 * client prints the results, so our tables go to /dev/null; errors stay on stderr.
		 */
		int proto_out = dup(1), null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (proto_out < 0 || null_fd < 0 || dup2(null_fd, 1) < 0) {
			out_error(ctx->out, "serve --stdio: cannot set up stdout: %s", strerror(errno));
			return EXIT_ERROR;
		}
		close(null_fd);
		oob_init(&oob);
		oob_stdio(&oob);
		oob.wfd = proto_out;
		ctx->opt.json = false;
		ctx->opt.quiet = true;
		next_document(ctx, name);
		code = serve_client(ctx, &oob, only_test);
		close(proto_out);
		return code;
	}
	memset(&busy, 0, sizeof(busy));
	lfd = oob_listen(ctx->opt.port, err, sizeof(err));
	if (lfd < 0) {
		out_error(ctx->out, "%s", err);
		return EXIT_ERROR;
	}
	/* -P 0: the kernel chose the port, and the caller needs it, so it is said even with -q. */
	if (!ctx->opt.port)
		fprintf(stderr, "efadiag: %s: waiting for a client on TCP port %d\n", name,
			oob_local_port(lfd));
	else
		out_note(ctx->out, "efadiag: %s: waiting for a client on TCP port %d\n", name,
			 ctx->opt.port);
	do {
		oob_init(&oob);
		/* Waiting for a client is the one open-ended wait: that is what a server does. */
		if (oob_accept(&oob, lfd, -1))
			continue;
		if (ctx->opt.persist)
			next_document(ctx, name);
		busy_start(&busy, lfd, oob.peer, ctx->opt.quiet);
		code = serve_client(ctx, &oob, only_test);
		busy_stop(&busy);
		oob_close(&oob);
		if (ctx->opt.persist) {
			/* One JSON document per client (JSON lines); people get a blank line. */
			code = out_finish(ctx->out, code);
			if (!ctx->opt.json)
				fflush(stdout);
		}
	} while (ctx->opt.persist);
	close(lfd);
	return code;
}
