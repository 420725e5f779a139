/* SPDX-License-Identifier: MIT */
/* The server's accept loop: one client at a time, a clear "busy" for the others meanwhile. */
#ifndef EFADIAG_CTL_SERVER_H
#define EFADIAG_CTL_SERVER_H

#include <stdbool.h>

#include "ctl/oob.h"

/* What serve returns for a connection that was no client of a test (it failed the handshake). */
#define SERVER_IGNORED (-1)

/*
 * Accepts clients on the listening socket lfd and calls serve for each, one at a time; while
 * one is served, others get "busy" at once. One client (connections serve ignored do not
 * count), or (persist) until killed. Returns the last serve's result.
 */
int server_loop(int lfd, bool persist, bool quiet, int (*serve)(struct oob *o, void *arg),
		void *arg);

#endif
