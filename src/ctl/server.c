// SPDX-License-Identifier: MIT
/*
 * The server's accept loop, the thread that answers "busy" while a client is served, and the
 * child process a persistent server runs each test in.
 */
#include "ctl/server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/proto.h"
#include "util.h"

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
	struct pollfd p[2] = { { .fd = b->lfd, .events = POLLIN },
			       { .fd = b->stop[0], .events = POLLIN } };

	for (;;) {
		struct oob o;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		oob_init(&o);
		if (oob_accept(&o, b->lfd, now_sec()))
			continue;
		/* Said before any token check: so it names nothing, not even whom we serve. */
		proto_send_refusal(&o, PROTO_REASON_BUSY, "busy: this server is running another "
				   "test; try again when it is done", now_sec() + 1);
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

/*
 * A persistent server runs each client's test in a child process: whatever the test meets
 * (a provider crashing in fi_close under packet loss, a hung peer), the server survives it,
 * says how the test ended and takes the next client. The parent answers "busy" meanwhile.
 */
static int serve_in_child(struct oob *oob, int lfd, bool quiet,
			  const struct server_calls *calls, void *arg)
{
	struct busy busy;
	char peer[sizeof(oob->peer)];
	int status = 0;
	pid_t pid, ppid = getpid();

	memset(&busy, 0, sizeof(busy));
	str_copy(peer, sizeof(peer), oob->peer);
	/* Buffered output would be written twice, by both processes. */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		/* No process to spare: serve here, as a one-shot server does. */
		int code;

		busy_start(&busy, lfd, peer, quiet);
		code = calls->serve(oob, arg);
		busy_stop(&busy);
		oob_close(oob);
		return code;
	}
	if (pid == 0) {
		/* The test must not outlive the server (killed, or stopped by its supervisor). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != ppid)
			_exit(EXIT_ERROR);
		close(lfd);
		exit(calls->serve(oob, arg));
	}
	/* The child holds the connection now: when it dies, the client sees it close. */
	oob_close(oob);
	busy_start(&busy, lfd, peer, quiet);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	busy_stop(&busy);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (calls->lost)
		calls->lost(peer, WIFSIGNALED(status) ? WTERMSIG(status) : 0, arg);
	return EXIT_ERROR;
}

int server_loop(int lfd, bool persist, bool quiet, const struct server_calls *calls, void *arg)
{
	struct busy busy;
	struct oob oob;
	int code = 0;

	memset(&busy, 0, sizeof(busy));
	do {
		oob_init(&oob);
		/* Waiting for a client is the one open-ended wait: that is what a server does. */
		if (oob_accept(&oob, lfd, -1))
			continue;
		if (persist) {
			code = serve_in_child(&oob, lfd, quiet, calls, arg);
			continue;
		}
		busy_start(&busy, lfd, oob.peer, quiet);
		code = calls->serve(&oob, arg);
		busy_stop(&busy);
		oob_close(&oob);
	} while (persist || code == SERVER_IGNORED);
	return code;
}
