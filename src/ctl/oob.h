/* SPDX-License-Identifier: MIT */
/* The out-of-band control channel: frames over TCP, an --exec child's pipes, or a socketpair. */
#ifndef EFADIAG_OOB_H
#define EFADIAG_OOB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/*
 * A frame is a 12-byte header and a payload (a JSON object, see ctl/proto.h):
 *   "EFAD" magic, u8 protocol version, u8 message type, u16 zero, u32 payload length (network
 *   byte order), then the payload. A length above OOB_MAX_PAYLOAD is refused unread.
 */
#define OOB_MAGIC "EFAD"
/* Bumped with every change to the messages of ctl/proto.h: both ends must speak the same. */
#define OOB_VERSION 2
#define OOB_HEADER_LEN 12
#define OOB_MAX_PAYLOAD (64 * 1024)

struct oob {
	int rfd, wfd;
	pid_t child; /* --exec: the peer process, reaped by oob_close */
	/* When set (> 0): oob_close's waits for the child end by then, short of a minimum each, so
	 * a command with a bound on its run time keeps it (see OOB_CHILD_MIN_WAIT_SEC). */
	double close_by;
	char peer[160];
	struct sockaddr_storage peer_addr; /* TCP: the peer's address, for domain choice */
	bool have_peer_addr;
	bool foreign; /* the peer sent bytes that are not a frame: err quotes their start */
	bool stuck;   /* the peer stopped answering: oob_close ends a child without waiting */
	char err[256];
};

void oob_init(struct oob *o);
/* Connects to host:port (names resolved, IPv4 or IPv6), all attempts within the deadline. */
int oob_connect(struct oob *o, const char *host, int port, double deadline);
/*
 * Listens on every address (IPv6 socket accepting IPv4 too, or IPv4 alone), or with addr (a
 * numeric IPv4 or IPv6 address, --bind) on that one only. Returns the fd, or a negative errno
 * with err set.
 */
int oob_listen(const char *addr, int port, char *err, size_t errlen);
/* The port a listening socket is bound to (the one the kernel chose for port 0); -1 if unknown. */
int oob_local_port(int fd);
/* Accepts one client; deadline < 0 waits for as long as it takes. */
int oob_accept(struct oob *o, int lfd, double deadline);
/* Starts "CMD efadiag serve --stdio" through /bin/sh and talks over its stdin/stdout. */
int oob_exec(struct oob *o, const char *cmd, const char *serve_args);
/*
 * Runs child_main(fd) in a child process on one end of a socketpair and talks over the other
 * (--loopback). The child's stdout goes to /dev/null; its exit status is child_main's result.
 */
int oob_fork(struct oob *o, int (*child_main)(int fd, void *arg), void *arg);
/* Uses our own stdin/stdout (serve --stdio); anything else printed to stdout is discarded. */
int oob_stdio(struct oob *o);

/*
 * Send and receive one frame before the deadline. Return 0, or a negative errno with o->err
 * saying why: -ETIMEDOUT, -ECONNRESET (the peer closed), -EPROTO (not our protocol). A
 * received body is NUL-terminated, *len bytes long, and the caller frees it.
 */
int oob_send_frame(struct oob *o, int type, const void *body, size_t len, double deadline);
int oob_recv_frame(struct oob *o, int *type, char **body, size_t *len, double deadline);
/*
 * When the channel closed because an --exec peer exited, appends why to o->err: the exit
 * status, and for 127 that efadiag was not found on the peer. Waits at most wait_sec.
 */
void oob_explain_child_exit(struct oob *o, double wait_sec);
/* What each of oob_close's two waits (after EOF, after SIGTERM) is given even past close_by. */
#define OOB_CHILD_MIN_WAIT_SEC 0.2
/* Closes the channel; a child gets EOF, then SIGTERM, then SIGKILL, and is always reaped. */
void oob_close(struct oob *o);

/* From a signal handler: ends and reaps the --exec child, if one runs. */
void oob_kill_child_on_signal(void);

/* Decodes a header; exposed for the fuzzer and unit tests. Returns 0 or -EPROTO. */
int oob_parse_header(const unsigned char *h, int *type, uint32_t *len, char *err, size_t errlen);

#endif
