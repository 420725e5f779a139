/* SPDX-License-Identifier: MIT */
/* The server's accept loop: one client at a time, a clear "busy" for the others meanwhile. */
#ifndef EFADIAG_CTL_SERVER_H
#define EFADIAG_CTL_SERVER_H

#include <stdbool.h>

#include "ctl/oob.h"

/* What serve returns for a connection that was no client of a test (it failed the handshake). */
#define SERVER_IGNORED (-1)

/* What the server does with a client. */
struct server_calls {
	/* Serves the client on o; returns an exit code. */
	int (*serve)(struct oob *o, void *arg);
	/* persist: the child serving peer died of signal sig (0: another abnormal end). */
	void (*lost)(const char *peer, int sig, void *arg);
};

/*
 * Accepts clients on the listening socket lfd and serves each, one at a time; while one is
 * served, others get "busy" at once. One client (connections serve ignored do not
 * count), or (persist) until killed, each in a child
 * process of its own, so that nothing a test meets can end the server. Returns the last
 * serve's result (EXIT_ERROR for a child that did not exit normally).
 */
int server_loop(int lfd, bool persist, bool quiet, const struct server_calls *calls, void *arg);

#endif
