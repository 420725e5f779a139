// SPDX-License-Identifier: MIT
/* The control channel's transport: frames over TCP or pipes, every read and write with a deadline. */
#include "ctl/oob.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* The --exec child, for the signal handler: there is at most one at a time. */
static volatile pid_t live_child = -1;

void oob_kill_child_on_signal(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	pid_t pid = live_child;
	int i;

	if (pid <= 0)
		return;
	/*
	 * Only async-signal-safe calls: kill, waitpid, nanosleep (so not reaped(), which reads
	 * the clock through a helper). The whole group goes.
	 */
	kill(-pid, SIGTERM);
	for (i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

void oob_init(struct oob *o)
{
	memset(o, 0, sizeof(*o));
	o->rfd = o->wfd = -1;
	o->child = -1;
}

static int remaining_ms(double deadline)
{
	double left = deadline - now_sec();

	if (deadline < 0)
		return -1;
	if (left <= 0)
		return 0;
	return left > 86400 ? 86400000 : (int)(left * 1000) + 1;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Waits for fd to be ready for events; 0, or -ETIMEDOUT / -errno. */
static int wait_fd(int fd, short events, double deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	for (;;) {
		n = poll(&p, 1, remaining_ms(deadline));
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static void peer_name(struct oob *o, const struct sockaddr *sa, socklen_t len)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	memcpy(&o->peer_addr, sa, len < sizeof(o->peer_addr) ? len : sizeof(o->peer_addr));
	o->have_peer_addr = true;
	/* An IPv4 client of our dual-stack socket shows as ::ffff:a.b.c.d: name it as IPv4. */
	if (sa->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&o->peer_addr;
		uint16_t port = s6->sin6_port;
		struct in_addr a4;

		memcpy(&a4, &s6->sin6_addr.s6_addr[12], 4);
		memset(&o->peer_addr, 0, sizeof(o->peer_addr));
		s4->sin_family = AF_INET;
		s4->sin_port = port;
		s4->sin_addr = a4;
		sa = (const struct sockaddr *)s4;
		len = sizeof(*s4);
	}
	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV))
		str_copy(o->peer, sizeof(o->peer), "?");
	else
		snprintf(o->peer, sizeof(o->peer), strchr(host, ':') ? "[%s]:%s" : "%s:%s", host,
			 serv);
}

int oob_connect(struct oob *o, const char *host, int port, double deadline)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC };
	struct addrinfo *res = NULL, *ai;
	char serv[16];
	int fd = -1, ret, last = -ECONNREFUSED;

	snprintf(serv, sizeof(serv), "%d", port);
	ret = getaddrinfo(host, serv, &hints, &res);
	if (ret) {
		snprintf(o->err, sizeof(o->err), "cannot resolve '%s': %s", host, gai_strerror(ret));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int soerr = 0, one = 1;
		socklen_t sl = sizeof(soerr);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		set_nonblock(fd);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
			last = -errno;
			close(fd);
			fd = -1;
			continue;
		}
		ret = wait_fd(fd, POLLOUT, deadline);
		if (!ret && !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) && !soerr) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			peer_name(o, ai->ai_addr, ai->ai_addrlen);
			break;
		}
		last = ret ? ret : -soerr;
		close(fd);
		fd = -1;
		if (last == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(o->err, sizeof(o->err), "cannot connect to %s port %d: %s", host, port,
			 last == -ETIMEDOUT ? "no answer before the timeout" : strerror(-last));
		return last;
	}
	o->rfd = o->wfd = fd;
	return 0;
}

/* Listens on one address only (--bind): a numeric IPv4 or IPv6 address of this node. */
static int listen_on(const char *addr, int port, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int fd, one = 1, e, rc;

	rc = getaddrinfo(addr, NULL, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "--bind %s: %s", addr, gai_strerror(rc));
		return -EINVAL;
	}
	if (ai->ai_family == AF_INET6)
		((struct sockaddr_in6 *)ai->ai_addr)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ai->ai_addr)->sin_port = htons((uint16_t)port);
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "socket: %s", strerror(e));
		freeaddrinfo(ai);
		return -e;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* An IPv6 address is that address only, not the IPv4 ones too. */
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 8)) {
		e = errno;
		snprintf(err, errlen, "cannot listen on %s port %d: %s%s", addr, port, strerror(e),
			 e == EADDRNOTAVAIL ? " (--bind takes an address of this node)" : "");
		close(fd);
		freeaddrinfo(ai);
		return -e;
	}
	freeaddrinfo(ai);
	set_nonblock(fd);
	return fd;
}

int oob_listen(const char *addr, int port, char *err, size_t errlen)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_ANY) };
	int fd, one = 1, zero = 0;

	if (addr)
		return listen_on(addr, port, err, errlen);
	/* One IPv6 socket serves both families; hosts without IPv6 fall back to IPv4. */
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, (struct sockaddr *)&a6, sizeof(a6))) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			snprintf(err, errlen, "socket: %s", strerror(errno));
			return -errno;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a4, sizeof(a4))) {
			int e = errno;

			snprintf(err, errlen, "cannot listen on port %d: %s", port, strerror(e));
			close(fd);
			return -e;
		}
	}
	if (listen(fd, 8)) {
		int e = errno;

		snprintf(err, errlen, "listen on port %d: %s", port, strerror(e));
		close(fd);
		return -e;
	}
	set_nonblock(fd);
	return fd;
}

int oob_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&ss)->sin6_port);
	if (ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&ss)->sin_port);
	return -1;
}

int oob_accept(struct oob *o, int lfd, double deadline)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd, ret, one = 1;

	for (;;) {
		ret = wait_fd(lfd, POLLIN, deadline);
		if (ret)
			return ret;
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd >= 0)
			break;
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			return -errno;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	peer_name(o, (struct sockaddr *)&ss, sl);
	o->rfd = o->wfd = fd;
	return 0;
}

int oob_exec(struct oob *o, const char *cmd, const char *serve_args)
{
	const char *bin = getenv("EFADIAG_PEER_BIN");
	int to_child[2], from_child[2];
	char *line;
	pid_t pid;

	if (!bin || !*bin)
		bin = "efadiag";
	/* exec: the shell becomes CMD, so the child we track is the launcher itself. */
	if (asprintf(&line, "exec %s %s %s", cmd, bin, serve_args) < 0)
		return -ENOMEM;
	if (pipe2(to_child, O_CLOEXEC)) {
		free(line);
		return -errno;
	}
	if (pipe2(from_child, O_CLOEXEC)) {
		int e = errno;

		close(to_child[0]);
		close(to_child[1]);
		free(line);
		return -e;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(to_child[0]);
		close(to_child[1]);
		close(from_child[0]);
		close(from_child[1]);
		free(line);
		return -e;
	}
	if (pid == 0) {
		/* The child: its stdin/stdout become the channel, stderr stays ours. Its own
		 * process group lets us end everything it starts, not just the launcher. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		dup2(to_child[0], 0);
		dup2(from_child[1], 1);
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid); /* also here: whichever runs first, the group exists before a kill */
	close(to_child[0]);
	close(from_child[1]);
	o->wfd = to_child[1];
	o->rfd = from_child[0];
	set_nonblock(o->wfd);
	set_nonblock(o->rfd);
	o->child = pid;
	live_child = pid;
	snprintf(o->peer, sizeof(o->peer), "'%s'", line + 5); /* without "exec " */
	free(line);
	return 0;
}

int oob_fork(struct oob *o, int (*child_main)(int fd, void *arg), void *arg)
{
	int sv[2], null_fd;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(o->err, sizeof(o->err), "socketpair: %s", strerror(errno));
		return -errno;
	}
	/* Whatever is buffered would otherwise be written twice, once by each process. */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		snprintf(o->err, sizeof(o->err), "fork: %s", strerror(e));
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (pid == 0) {
		/* The child: stdout belongs to the parent's report, so ours goes nowhere. */
		close(sv[0]);
		setpgid(0, 0);
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null_fd >= 0)
			dup2(null_fd, 1);
		set_nonblock(sv[1]);
		/* _exit: the parent's atexit handlers and stdio buffers are not ours to run. */
		_exit(child_main(sv[1], arg));
	}
	setpgid(pid, pid);
	close(sv[1]);
	set_nonblock(sv[0]);
	o->rfd = o->wfd = sv[0];
	o->child = pid;
	live_child = pid;
	str_copy(o->peer, sizeof(o->peer), "loopback");
	return 0;
}

int oob_stdio(struct oob *o)
{
	/*
	 * stdout carries the protocol. Anything else printed must not land in it: the client
	 * prints the results, so stdout itself goes to /dev/null; errors stay on stderr.
	 */
	int proto_out = dup(1), null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (proto_out < 0 || null_fd < 0 || dup2(null_fd, 1) < 0) {
		snprintf(o->err, sizeof(o->err), "serve --stdio: cannot set up stdout: %s",
			 strerror(errno));
		if (proto_out >= 0)
			close(proto_out);
		if (null_fd >= 0)
			close(null_fd);
		return -errno;
	}
	close(null_fd);
	o->rfd = 0;
	o->wfd = proto_out;
	str_copy(o->peer, sizeof(o->peer), "stdio");
	return 0;
}

static int write_all(struct oob *o, const void *buf, size_t len, double deadline)
{
	const char *p = buf;
	ssize_t n;
	int ret;

	while (len) {
		n = write(o->wfd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			snprintf(o->err, sizeof(o->err), "control channel to %s closed: %s", o->peer,
				 strerror(errno));
			return -ECONNRESET;
		}
		ret = wait_fd(o->wfd, POLLOUT, deadline);
		if (ret) {
			snprintf(o->err, sizeof(o->err), "control channel to %s: %s", o->peer,
				 ret == -ETIMEDOUT ? "peer stopped reading (timeout)" :
						     strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int read_all(struct oob *o, void *buf, size_t len, double deadline)
{
	char *p = buf;
	ssize_t n;
	int ret;

	while (len) {
		n = read(o->rfd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0) {
			snprintf(o->err, sizeof(o->err), "control channel: %s closed the connection",
				 o->peer);
			return -ECONNRESET;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			snprintf(o->err, sizeof(o->err), "control channel from %s: %s", o->peer,
				 strerror(errno));
			return -ECONNRESET;
		}
		ret = wait_fd(o->rfd, POLLIN, deadline);
		if (ret) {
			snprintf(o->err, sizeof(o->err), "control channel: no message from %s "
				 "before the timeout", o->peer);
			return ret;
		}
	}
	return 0;
}

int oob_parse_header(const unsigned char *h, int *type, uint32_t *len, char *err, size_t errlen)
{
	if (memcmp(h, OOB_MAGIC, 4)) {
		snprintf(err, errlen, "not an efadiag peer (bad magic %02x%02x%02x%02x)", h[0], h[1],
			 h[2], h[3]);
		return -EPROTO;
	}
	if (h[4] != OOB_VERSION) {
		snprintf(err, errlen, "peer speaks control protocol version %u, this efadiag "
			 "speaks %u: use the same efadiag version on both nodes", h[4], OOB_VERSION);
		return -EPROTO;
	}
	*type = h[5];
	*len = (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 | (uint32_t)h[10] << 8 | h[11];
	if (*len > OOB_MAX_PAYLOAD) {
		snprintf(err, errlen, "control message of %u bytes exceeds the %u-byte limit", *len,
			 OOB_MAX_PAYLOAD);
		return -EPROTO;
	}
	return 0;
}

int oob_send_frame(struct oob *o, int type, const void *body, size_t len, double deadline)
{
	unsigned char h[OOB_HEADER_LEN] = { 'E', 'F', 'A', 'D', OOB_VERSION, 0, 0, 0 };
	int ret;

	if (len > OOB_MAX_PAYLOAD) {
		snprintf(o->err, sizeof(o->err), "control message too large (%zu bytes)", len);
		return -EMSGSIZE;
	}
	h[5] = (unsigned char)type;
	h[8] = (unsigned char)(len >> 24);
	h[9] = (unsigned char)(len >> 16);
	h[10] = (unsigned char)(len >> 8);
	h[11] = (unsigned char)len;
	ret = write_all(o, h, sizeof(h), deadline);
	if (!ret)
		ret = write_all(o, body, len, deadline);
	return ret;
}

/*
 * Text for people from bytes that were not meant as text: printable ASCII as it is, the rest
 * escaped as in C ("\n", "\x1b"), so a terminal shows it and nothing in it acts on the terminal.
 */
static void escape_bytes(const unsigned char *b, size_t n, char *out, size_t len)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < n && used + 5 < len; i++) {
		unsigned char c = b[i];

		if (c == '\n' || c == '\r' || c == '\t')
			used += (size_t)snprintf(out + used, len - used, "\\%c",
						 c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
		else if (c == '"' || c == '\\')
			used += (size_t)snprintf(out + used, len - used, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			used += (size_t)snprintf(out + used, len - used, "%c", c);
		else
			used += (size_t)snprintf(out + used, len - used, "\\x%02x", c);
	}
}

/*
 * The peer sent something that is not a frame (h: its first bytes). What it was says most:
 * a login banner from the --exec command's shell, an HTTP or SSH server on the port. Reads
 * what else came with it (briefly: it is only for the message) and quotes its start.
 */
static void describe_foreign(struct oob *o, const unsigned char *h, double deadline)
{
	unsigned char b[48], *magic;
	char text[160];
	size_t n = OOB_HEADER_LEN;
	double end = now_sec() + 0.1;
	ssize_t r;

	memcpy(b, h, n);
	if (deadline >= 0 && deadline < end)
		end = deadline;
	while (n < sizeof(b) && !wait_fd(o->rfd, POLLIN, end)) {
		r = read(o->rfd, b + n, sizeof(b) - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	/* The banner ends where efadiag's first frame begins, when that came in the same read. */
	magic = memmem(b, n, OOB_MAGIC, 4);
	if (magic)
		n = (size_t)(magic - b);
	escape_bytes(b, n, text, sizeof(text));
	o->foreign = true;
	if (o->child > 0)
		snprintf(o->err, sizeof(o->err), "not an efadiag peer (bad magic %02x%02x%02x%02x): "
			 "the command wrote \"%s%s\" to stdout before efadiag started", h[0], h[1],
			 h[2], h[3], text, !magic && n == sizeof(b) ? "..." : "");
	else
		snprintf(o->err, sizeof(o->err), "not an efadiag peer (bad magic %02x%02x%02x%02x): "
			 "%s sent \"%s%s\"", h[0], h[1], h[2], h[3], o->peer, text,
			 n == sizeof(b) ? "..." : "");
}

int oob_recv_frame(struct oob *o, int *type, char **body, size_t *len, double deadline)
{
	unsigned char h[OOB_HEADER_LEN];
	uint32_t n;
	int ret;

	*body = NULL;
	*len = 0;
	ret = read_all(o, h, sizeof(h), deadline);
	if (ret)
		return ret;
	ret = oob_parse_header(h, type, &n, o->err, sizeof(o->err));
	if (ret && memcmp(h, OOB_MAGIC, 4))
		describe_foreign(o, h, deadline);
	if (ret)
		return ret;
	*body = malloc(n + 1);
	if (!*body)
		return -ENOMEM;
	ret = read_all(o, *body, n, deadline);
	if (ret) {
		free(*body);
		*body = NULL;
		return ret;
	}
	(*body)[n] = '\0';
	*len = n;
	return 0;
}

/* Waits up to wait_sec for pid to end: true once reaped, with *status (when asked) saying how. */
static bool reaped(pid_t pid, double wait_sec, int *status)
{
	double end = now_sec() + wait_sec;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int st = 0;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid) {
			if (status)
				*status = st;
			return true;
		}
		/* Reaped elsewhere already: it is gone, but how it ended is not known. */
		if (r < 0 && errno == ECHILD)
			return !status;
		if (r < 0 || now_sec() >= end)
			return false;
		nanosleep(&ts, NULL);
	}
}

void oob_explain_child_exit(struct oob *o, double wait_sec)
{
	size_t len = strlen(o->err);
	int status;

	if (o->child <= 0 || !reaped(o->child, wait_sec, &status))
		return;
	o->child = -1; /* reaped here */
	live_child = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(o->err + len, sizeof(o->err) - len, "; the peer command exited with status "
			 "127: efadiag not found there (install it, or set EFADIAG_PEER_BIN)");
	else if (WIFEXITED(status))
		snprintf(o->err + len, sizeof(o->err) - len, "; the peer command exited with status "
			 "%d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(o->err + len, sizeof(o->err) - len, "; the peer command was killed by "
			 "signal %d", WTERMSIG(status));
}

/* How long one of oob_close's waits may last: wait_sec, cut to what close_by leaves. */
static double child_wait(const struct oob *o, double wait_sec)
{
	double left = o->close_by > 0 ? o->close_by - now_sec() : wait_sec;

	if (left < OOB_CHILD_MIN_WAIT_SEC)
		left = OOB_CHILD_MIN_WAIT_SEC;
	return left < wait_sec ? left : wait_sec;
}

void oob_close(struct oob *o)
{
	if (o->rfd > 2)
		close(o->rfd);
	if (o->wfd > 2 && o->wfd != o->rfd)
		close(o->wfd);
	o->rfd = o->wfd = -1;
	if (o->child > 0) {
		/* EOF first, so a remote peer can finish cleanly; then ask, then insist. A peer
		 * that stopped answering gets no time for the EOF it would not read either. */
		if (!reaped(o->child, o->stuck ? 0 : child_wait(o, 2.0), NULL)) {
			kill(-o->child, SIGTERM);
			if (!reaped(o->child, child_wait(o, 1.0), NULL)) {
				kill(-o->child, SIGKILL);
				waitpid(o->child, NULL, 0);
			}
		}
		o->child = -1;
		live_child = -1;
	}
}
