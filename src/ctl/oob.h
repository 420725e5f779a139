/* SPDX-License-Identifier: MIT */
/* The out-of-band control channel: framed JSON messages over TCP or a pair of fds. */
#ifndef EFADIAG_OOB_H
#define EFADIAG_OOB_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/*
 * A frame is a 12-byte header and a JSON object:
 *   "EFAD" magic, u8 protocol version, u8 message type, u16 zero, u32 payload length (network
 *   byte order), then the payload. A length above OOB_MAX_PAYLOAD is refused unread.
 */
#define OOB_MAGIC "EFAD"
#define OOB_VERSION 1
#define OOB_HEADER_LEN 12
#define OOB_MAX_PAYLOAD (64 * 1024)

enum oob_type {
	OOB_HELLO = 1, /* client: test, provider, sizes, iterations, its fabric address */
	OOB_READY,     /* server: accepted; its fabric address, provider, domain */
	OOB_ERROR,     /* either side: {message}; the test is over */
	OOB_SYNC,      /* a barrier between phases: {phase, ...} */
	OOB_RESULT,    /* measurements or what a side received */
	OOB_BYE,       /* the client is done */
	OOB_TYPE_MAX,
};

struct oob {
	int rfd, wfd;
	pid_t child; /* --exec: the peer process, reaped by oob_close */
	char peer[160];
	struct sockaddr_storage peer_addr; /* TCP: the peer's address, for domain choice */
	bool have_peer_addr;
	char err[256];
};

const char *oob_type_str(int type);

void oob_init(struct oob *o);
/* Connects to host:port (names resolved, IPv4 or IPv6), all attempts within the deadline. */
int oob_connect(struct oob *o, const char *host, int port, double deadline);
/* Listens on every address (IPv6 socket accepting IPv4 too, or IPv4 alone). Returns the fd. */
int oob_listen(int port, char *err, size_t errlen);
/* The port a listening socket is bound to (the one the kernel chose for port 0); -1 if unknown. */
int oob_local_port(int fd);
/* Accepts one client; deadline < 0 waits for as long as it takes. */
int oob_accept(struct oob *o, int lfd, double deadline);
/* Starts "CMD efadiag serve --stdio" through /bin/sh and talks over its stdin/stdout. */
int oob_exec(struct oob *o, const char *cmd, const char *serve_args);
/* Uses our own stdin/stdout (serve --stdio). */
void oob_stdio(struct oob *o);

/*
 * Send and receive one message before the deadline. Return 0, or a negative errno:
 * -ETIMEDOUT, -ECONNRESET (the peer closed), -EPROTO (not our protocol: o->err says how).
 * oob_recv's *payload is a cJSON object the caller deletes.
 */
int oob_send(struct oob *o, int type, const cJSON *payload, double deadline);
int oob_recv(struct oob *o, int *type, cJSON **payload, double deadline);
/* Receives a message of the wanted type; an OOB_ERROR from the peer becomes -ECANCELED. */
int oob_expect(struct oob *o, int want, cJSON **payload, double deadline);
/* Sends {message} as OOB_ERROR, best effort. */
void oob_send_error(struct oob *o, const char *msg, double deadline);
/*
 * When the channel closed because an --exec peer exited, appends why to o->err: the exit
 * status, and for 127 that efadiag was not found on the peer. Waits at most wait_sec.
 */
void oob_explain_child_exit(struct oob *o, double wait_sec);
/* Closes the channel; a child gets EOF, then SIGTERM, then SIGKILL, and is always reaped. */
void oob_close(struct oob *o);

/* From a signal handler: ends and reaps the --exec child, if one runs. */
void oob_kill_child_on_signal(void);

/* Decodes a header; exposed for the fuzzer and unit tests. Returns 0 or -EPROTO. */
int oob_parse_header(const unsigned char *h, int *type, uint32_t *len, char *err, size_t errlen);

#endif
