// SPDX-License-Identifier: MIT
/*
 * efadiag stats --listen: /metrics (the exposition stats-prom.c renders for --prom too) and
 * /healthz over HTTP, served by libmicrohttpd until SIGINT or SIGTERM.
 *
 * Threads. libmicrohttpd's one polling thread answers every request and never waits: a scrape
 * that finds the last reading fresh (younger than the devices' lifespan, or -i when longer) is
 * answered from it at once; otherwise its connection is suspended and the main thread, which
 * alone reads the counters, is woken. That one reading (bounded by -t: hwcounters.c's reader
 * threads) then resumes every scrape that waited for it. So any number of scrapers cost one
 * reading per cache time, a hung device costs a scrape -t at most, and /healthz, bad requests
 * and slow clients are handled meanwhile by the polling thread. Connections are bounded in
 * number (in all and per client address), in header memory and in idle time.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/stats.h"
#include "ui/out.h"

#ifdef HAVE_MICROHTTPD

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "ui/parse.h"
#include "util.h"

/*
 * Access handlers return enum MHD_Result from libmicrohttpd 0.9.71 (MHD_VERSION 0x00097002) on,
 * int before: the idiom of GNUnet's gnunet_mhd_compat.h, which most users of the library copy.
 */
#if MHD_VERSION >= 0x00097002
typedef enum MHD_Result mhd_result;
#else
typedef int mhd_result;
#endif

/* Far above what a few Prometheus servers need; low enough that a flood stays cheap. */
#define LISTEN_MAX_CONNECTIONS 128u
/* One client address cannot take every connection (slow clients, a runaway script). */
#define LISTEN_MAX_PER_CLIENT 64u
/* A connection that sends nothing for this long is closed (keep-alive between scrapes too). */
#define LISTEN_IDLE_SEC 10u
/* Request line and headers of one request: more is answered 431 and closed by the library. */
#define LISTEN_HEADER_BYTES ((size_t)32 * 1024)
#define LISTEN_BACKLOG 128
/*
 * The cache time when no lifespan file could be read: the one the efa driver asks of ib_core,
 * RDMA_HW_STATS_DEFAULT_LIFESPAN (amzn-drivers efa_linux_3.1.0 kernel/linux/efa/src/
 * efa_verbs.c, efa_alloc_hw_port_stats), which Linux's include/rdma/ib_verbs.h defines as 10 ms.
 */
#define LISTEN_DEFAULT_LIFESPAN_MS 10
/* At a stop, requests under way get this long to be answered before connections are closed. */
#define LISTEN_DRAIN_SEC 2.0

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* One request, from its first call to its completion (the library's per-request pointer). */
struct scrape {
	struct MHD_Connection *conn;
	bool waited;	     /* suspended once, waiting for a reading */
	unsigned long gen;   /* the readings done when it started waiting */
	struct scrape *next; /* in listen.waiting */
};

struct listen {
	struct stats_run *r;
	struct MHD_Daemon *daemon;
	int wake; /* eventfd: a scrape wants a reading, or a signal came */
	char where[320];
	int port;
	pthread_mutex_t lock;
	/* under lock */
	char *text;	     /* the exposition of the last reading */
	double read_at;	     /* monotonic: when the last reading ended */
	double read_sec;     /* how long it took */
	double cache_sec;    /* how long a reading is served */
	unsigned long gen;   /* readings done */
	bool want;	     /* a reading is asked for (or under way) */
	bool stopping;
	struct scrape *waiting; /* suspended scrapes, resumed by the next reading */
	unsigned int live;	/* requests begun and not yet completed */
	unsigned long long requests, scrapes;
};

static volatile sig_atomic_t stop_signal;
/* The signal handler's way to the main thread's poll (a handler has no other argument). */
static int wake_fd = -1;

static void poke(int fd)
{
	uint64_t one = 1;
	ssize_t n = write(fd, &one, sizeof(one)); /* an eventfd: never blocks, never short */

	(void)n;
}

static void on_stop(int sig)
{
	int saved = errno;

	stop_signal = sig;
	if (wake_fd >= 0)
		poke(wake_fd);
	errno = saved;
}

/* The largest lifespan of the last reading, in seconds, and -i when that is longer. */
static double cache_time(const struct stats_run *r)
{
	long most = -1;
	double sec;
	size_t i;
	int sc;

	for (i = 0; i < r->n; i++)
		for (sc = 0; sc < 2; sc++)
			if (!r->cur[i].err && r->cur[i].lifespan_ms[sc] > most)
				most = r->cur[i].lifespan_ms[sc];
	sec = (double)(most >= 0 ? most : LISTEN_DEFAULT_LIFESPAN_MS) / 1000;
	return r->ctx->opt.interval_sec > sec ? r->ctx->opt.interval_sec : sec;
}

/* Resumes the scrapes of a list taken off listen.waiting; each may be freed once resumed. */
static void resume_all(struct scrape *s)
{
	while (s) {
		struct scrape *next = s->next;

		MHD_resume_connection(s->conn);
		s = next;
	}
}

/* Reads the counters (main thread only), publishes the exposition and resumes the waiters. */
static void read_counters(struct listen *l)
{
	double start = now_sec(), cache;
	struct scrape *woken;
	char *text;

	stats_take_sample(l->r, l->r->ctx->opt.timeout_sec);
	text = stats_prom_render(l->r);
	cache = cache_time(l->r);
	pthread_mutex_lock(&l->lock);
	if (text) { /* out of memory: the last exposition stays */
		free(l->text);
		l->text = text;
	}
	l->read_at = now_sec();
	l->read_sec = l->read_at - start;
	l->cache_sec = cache;
	l->gen++;
	l->want = false;
	woken = l->waiting;
	l->waiting = NULL;
	pthread_mutex_unlock(&l->lock);
	resume_all(woken);
}

static mhd_result answer(struct MHD_Connection *conn, unsigned int status, const char *body)
{
	struct MHD_Response *resp;
	mhd_result ret;

	resp = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO; /* the library closes the connection */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* body: malloc'd, handed to the library, which frees it once sent. */
static mhd_result answer_metrics(struct MHD_Connection *conn, char *body)
{
	struct MHD_Response *resp;
	mhd_result ret;

	resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, PROM_CONTENT_TYPE);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * /metrics: the last reading while it is fresh, or the one made after this scrape came (the
 * scrape waits for it, suspended). Runs on the polling thread and never blocks.
 */
static mhd_result metrics(struct listen *l, struct scrape *s)
{
	struct stats_prom_exporter e;
	bool stopping, new_reading;
	char *body;

	pthread_mutex_lock(&l->lock);
	stopping = l->stopping;
	new_reading = s->waited && s->gen != l->gen;
	/* A scrape that waited for the reading just made gets it, even while stopping. */
	if (l->text && (new_reading || (!stopping && now_sec() - l->read_at < l->cache_sec))) {
		e.scrapes = ++l->scrapes;
		e.reads = l->gen;
		e.cache_sec = l->cache_sec;
		e.read_sec = l->read_sec;
		/* Copied under the lock: the next reading frees the text. */
		body = stats_prom_with_exporter(l->text, &e);
		pthread_mutex_unlock(&l->lock);
		if (!body)
			return answer(s->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
		return answer_metrics(s->conn, body);
	}
	if (!stopping && !new_reading) {
		/*
		 * Suspended under the lock that the main thread takes the list under: it never
		 * resumes a connection before it was suspended.
		 */
		s->waited = true;
		s->gen = l->gen;
		s->next = l->waiting;
		l->waiting = s;
		if (!l->want) {
			l->want = true;
			poke(l->wake);
		}
		MHD_suspend_connection(s->conn);
		pthread_mutex_unlock(&l->lock);
		return MHD_YES;
	}
	pthread_mutex_unlock(&l->lock);
	return answer(s->conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		      stopping ? "efadiag is stopping\n" : "the counters could not be rendered\n");
}

/* Whether the request says a body follows (GET and HEAD take none here). */
static bool has_body(struct MHD_Connection *conn)
{
	const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (len && strcmp(len, "0")) ||
	       MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

static mhd_result on_request(void *cls, struct MHD_Connection *conn, const char *url,
			     const char *method, const char *version, const char *upload_data,
			     size_t *upload_size, void **req)
{
	struct listen *l = cls;
	struct scrape *s = *req;

	(void)version;
	(void)upload_data;
	if (!s) {
		/* The first call, headers read: what is refused is refused now, unread. */
		s = calloc(1, sizeof(*s));
		if (!s)
			return MHD_NO;
		s->conn = conn;
		*req = s;
		pthread_mutex_lock(&l->lock);
		l->requests++;
		l->live++;
		pthread_mutex_unlock(&l->lock);
		if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
			return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
		if (has_body(conn))
			/* 413 Content Too Large: its macro's name changed over versions. */
			return answer(conn, 413, "no request body here\n");
		if (strcmp(url, "/metrics") && strcmp(url, "/healthz"))
			return answer(conn, MHD_HTTP_NOT_FOUND,
				      "efadiag stats: /metrics (Prometheus) and /healthz\n");
		/*
		 * Answered at the next call, once the request is whole: an answer queued now
		 * would make the library close the connection after it (no keep-alive).
		 */
		return MHD_YES;
	}
	if (*upload_size) { /* not announced, yet sent: dropped */
		*upload_size = 0;
		return MHD_YES;
	}
	/* Alive and serving: what the devices say is in /metrics, never a reason to restart. */
	if (!strcmp(url, "/healthz"))
		return answer(conn, MHD_HTTP_OK, "ok\n");
	return metrics(l, s);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req,
			 enum MHD_RequestTerminationCode why)
{
	struct listen *l = cls;
	struct scrape *s = *req, **p;

	(void)conn;
	(void)why;
	if (!s)
		return;
	/* Only a suspended scrape is on the list, and those are not completed; to be sure. */
	pthread_mutex_lock(&l->lock);
	for (p = &l->waiting; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	l->live--;
	pthread_mutex_unlock(&l->lock);
	free(s);
	*req = NULL;
}

static void on_library_message(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("efadiag: stats: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* "http://ADDR:PORT/" for the address a socket is bound to. */
static void describe(int fd, char *where, size_t len, int *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";

	*port = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		return;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		*port = ntohs(a->sin6_port);
		snprintf(where, len, "http://[%s]:%d/", host, *port);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		*port = ntohs(a->sin_port);
		snprintf(where, len, "http://%s:%d/", host, *port);
	}
}

static int bound_socket(const struct sockaddr *sa, socklen_t len, bool dual_stack)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int on = 1, off = 0;

	if (fd < 0)
		return -errno;
	/* A restarted exporter gets its port back while old connections sit in TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (dual_stack)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, sa, len) || listen(fd, LISTEN_BACKLOG)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * The listening socket for [ADDR:]PORT: every address (IPv6 and IPv4 together, or IPv4 alone
 * where the kernel has no IPv6) when ADDR is empty, else the first address ADDR resolves to
 * that can be bound. Returns the socket, or -1 with why in msg.
 */
static int open_listener(const char *spec, char *msg, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV },
			*res = NULL, *ai;
	const char *why = NULL;
	char addr[256], port_s[16];
	int port, fd = -EADDRNOTAVAIL, rc;

	if (parse_listen(spec, addr, sizeof(addr), &port, &why)) { /* checked by the option */
		snprintf(msg, len, "--listen %s: %s", spec, why);
		return -1;
	}
	if (!addr[0]) {
		struct sockaddr_in6 any6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
					     .sin6_addr = IN6ADDR_ANY_INIT };
		struct sockaddr_in any4 = { .sin_family = AF_INET, .sin_port = htons(port),
					    .sin_addr.s_addr = htonl(INADDR_ANY) };

		fd = bound_socket((struct sockaddr *)&any6, sizeof(any6), true);
		if (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL)
			fd = bound_socket((struct sockaddr *)&any4, sizeof(any4), false);
	} else {
		snprintf(port_s, sizeof(port_s), "%d", port);
		rc = getaddrinfo(addr, port_s, &hints, &res);
		if (rc) {
			snprintf(msg, len, "--listen %s: %s: %s", spec, addr, gai_strerror(rc));
			return -1;
		}
		for (ai = res; ai; ai = ai->ai_next) {
			fd = bound_socket(ai->ai_addr, ai->ai_addrlen, false);
			if (fd >= 0)
				break;
		}
		freeaddrinfo(res);
	}
	if (fd < 0) {
		snprintf(msg, len, "cannot listen on %s: %s", spec, strerror(-fd));
		return -1;
	}
	return fd;
}

static struct MHD_Daemon *start_daemon(struct listen *l, int fd)
{
	unsigned int flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_ALLOW_SUSPEND_RESUME;
	struct MHD_Daemon *d;
	sigset_t stop, old;

	if (l->r->ctx->opt.verbose)
		flags |= MHD_USE_ERROR_LOG;
	/* Its thread takes no SIGINT or SIGTERM: they wake the main thread's poll. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	/* The logger first: the library warns about options that come before it. */
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, l,
			     MHD_OPTION_EXTERNAL_LOGGER, on_library_message, l,
			     MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
			     MHD_OPTION_CONNECTION_LIMIT, LISTEN_MAX_CONNECTIONS,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, LISTEN_MAX_PER_CLIENT,
			     MHD_OPTION_CONNECTION_TIMEOUT, LISTEN_IDLE_SEC,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, LISTEN_HEADER_BYTES,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
			     MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return d;
}

/* The main thread: a reading whenever a scrape asks for one, until SIGINT or SIGTERM. */
static void serve(struct listen *l)
{
	struct pollfd p = { .fd = l->wake, .events = POLLIN };
	uint64_t n;
	bool want;

	while (!stop_signal) {
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		if (read(l->wake, &n, sizeof(n)) < 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (stop_signal)
			break;
		pthread_mutex_lock(&l->lock);
		want = l->want;
		pthread_mutex_unlock(&l->lock);
		if (want)
			read_counters(l);
	}
}

/*
 * Stops serving: no new connection is taken, every scrape still waiting is resumed (answered
 * 503, or from the reading just made), and the requests under way get LISTEN_DRAIN_SEC to be
 * answered before the library closes every connection. Idle keep-alive connections hold no
 * request, so they do not make the stop wait.
 */
static void stop_daemon(struct listen *l)
{
	double until = now_sec() + LISTEN_DRAIN_SEC;
	struct scrape *left;
	MHD_socket quiet;
	unsigned int live;

	quiet = MHD_quiesce_daemon(l->daemon);
	pthread_mutex_lock(&l->lock);
	l->stopping = true;
	left = l->waiting;
	l->waiting = NULL;
	pthread_mutex_unlock(&l->lock);
	resume_all(left);
	do {
		pthread_mutex_lock(&l->lock);
		live = l->live;
		pthread_mutex_unlock(&l->lock);
		if (live)
			usleep(10000);
	} while (live && now_sec() < until);
	MHD_stop_daemon(l->daemon);
	l->daemon = NULL;
	/* A quiesced daemon leaves its listening socket to the caller, after the stop. */
	if (quiet != MHD_INVALID_SOCKET)
		close(quiet);
}

static void report(struct listen *l)
{
	struct out *out = l->r->ctx->out;
	cJSON *obj;

	out_note(out, "efadiag: stats: %s: %llu scrape%s of /metrics answered with %lu reading%s "
		      "of the counters\n", signal_abbrev(stop_signal) ? signal_abbrev(stop_signal) : "stopped",
		 l->scrapes, l->scrapes == 1 ? "" : "s", l->gen, l->gen == 1 ? "" : "s");
	if (!out_is_json(out))
		return;
	l->r->snapshot = true; /* the last reading's counters; no rates */
	stats_report_devices(l->r);
	obj = cJSON_AddObjectToObject(out_root(out), "listen");
	if (!obj)
		return;
	cJSON_AddStringToObject(obj, "url", l->where);
	cJSON_AddNumberToObject(obj, "port", l->port);
	cJSON_AddNumberToObject(obj, "requests", (double)l->requests);
	cJSON_AddNumberToObject(obj, "scrapes", (double)l->scrapes);
	cJSON_AddNumberToObject(obj, "reads", (double)l->gen);
	cJSON_AddNumberToObject(obj, "cache_sec", l->cache_sec);
}

int stats_listen(struct stats_run *r)
{
	struct listen l = { .r = r, .wake = -1 };
	struct sigaction sa, old_int, old_term;
	char msg[1200];
	bool served;
	int fd;

	pthread_mutex_init(&l.lock, NULL);
	fd = open_listener(r->ctx->opt.listen, msg, sizeof(msg));
	if (fd < 0) {
		out_error(r->ctx->out, "%s", msg);
		pthread_mutex_destroy(&l.lock);
		return EXIT_ERROR;
	}
	describe(fd, l.where, sizeof(l.where), &l.port);
	l.wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l.wake < 0) {
		out_error(r->ctx->out, "eventfd: %s", strerror(errno));
		close(fd);
		pthread_mutex_destroy(&l.lock);
		return EXIT_ERROR;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop; /* no SA_RESTART: poll ends at once */
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	wake_fd = l.wake;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	/* The first reading: the cache time, and an answer ready for the first scrape. */
	read_counters(&l);
	l.daemon = start_daemon(&l, fd);
	served = l.daemon != NULL;
	if (!served) {
		out_error(r->ctx->out, "libmicrohttpd could not start serving %s%s", l.where,
			  r->ctx->opt.verbose ? "" : " (-v says why)");
		close(fd);
	} else {
		out_note(r->ctx->out, "efadiag: stats: serving %smetrics and %shealthz (counters "
			 "read at most every %.3f s, each read bounded by %.3g s)\n", l.where,
			 l.where, l.cache_sec, r->ctx->opt.timeout_sec);
		serve(&l);
		stop_daemon(&l);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	wake_fd = -1;
	close(l.wake);
	if (served)
		report(&l);
	free(l.text);
	pthread_mutex_destroy(&l.lock);
	return served ? EXIT_OK : EXIT_ERROR;
}

bool stats_listen_available(void)
{
	return true;
}

#else /* !HAVE_MICROHTTPD */

int stats_listen(struct stats_run *r)
{
	out_error(r->ctx->out,
		  "this efadiag was built without libmicrohttpd, which --listen needs: install "
		  "libmicrohttpd-dev (Debian, Ubuntu) or libmicrohttpd-devel, then run configure "
		  "and make again (configure finds it with pkg-config libmicrohttpd); --prom FILE "
		  "writes a textfile for node_exporter instead");
	return EXIT_ERROR;
}

bool stats_listen_available(void)
{
	return false;
}

#endif
