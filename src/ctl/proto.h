/* SPDX-License-Identifier: MIT */
/*
 * The control protocol: every message two efadiag processes exchange, as a typed struct with
 * its encoder and decoder here and nowhere else. docs/protocol.md describes the conversation.
 */
#ifndef EFADIAG_CTL_PROTO_H
#define EFADIAG_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/oob.h"
#include "efadiag.h"
#include "fabric/buffer.h"
#include "fabric/endpoint.h"

/* Bounds a receiver enforces on what its peer asks for (documented in efadiag(1)). */
#define PROTO_MAX_MSG_SIZE ((size_t)1 << 30)
#define PROTO_MAX_ITERATIONS 100000000L
#define PROTO_MAX_WARMUP 1000000L
#define PROTO_MAX_COUNT 1000000000L /* bw operations per size */
#define PROTO_MAX_WINDOW 1024
#define PROTO_MAX_LANES 32
#define PROTO_TEXT_MAX 512

/* The message kinds; the value is the frame's type byte. */
enum msg_kind {
	MSG_HELLO = 1,	 /* client: the test and its parameters, maybe its fabric address */
	MSG_READY,	 /* server: accepted; its fabric address */
	MSG_ADDR,	 /* client, through --exec: its fabric address, after the ready */
	MSG_ERROR,	 /* either side: why the test is over */
	MSG_BYE,	 /* client: done */
	MSG_GO,		 /* server: receives posted, the client may start */
	MSG_PP_SIZE,	 /* pingpong client: run this size next */
	MSG_PP_ABORT,	 /* pingpong client: a size stalled; say what you received */
	MSG_PP_RECEIVED, /* pingpong server: how many messages of the size arrived */
	MSG_PP_ROW,	 /* pingpong client: the size's measurements, for the server to print */
	MSG_BW_LANES,	 /* bw, both ways: the fabric addresses of lanes 1.. */
	MSG_BW_MR,	 /* bw RMA, both ways: each lane's memory region */
	MSG_BW_SIZE,	 /* bw client: run this size for this many operations */
	MSG_BW_REPORT,	 /* bw, both ways: how each lane's part went */
	MSG_SG_SETUP,	 /* sg-check, both ways: the address of the second endpoint */
	MSG_SG_PROBE,	 /* sg-check client: probe now, for this long */
	MSG_SG_REPORT,	 /* sg-check, both ways: what this side received and how its sends ended */
	MSG_KIND_MAX,
};

/* A fabric endpoint as its peer needs to know it. */
struct ep_addr {
	unsigned char raw[FAB_ADDR_MAX]; /* what fi_getname gave */
	size_t len;
	char ip[64]; /* the same address as IP text, for IP providers ("" otherwise) */
	char domain[64];
	char fabric[64];
	char provider[64];
};

/* The bw options both ends must agree on. */
struct bw_hello {
	char op[8];	 /* send, write or read */
	unsigned window; /* operations in flight per lane */
	unsigned lanes;	 /* endpoints, one per domain */
	bool reverse, bidir;
};

struct msg_hello {
	char test[16];
	char provider[64];
	/* --fabric; "" for the provider's own (a peer from before --fabric sends none) */
	char fabric[64];
	size_t sizes[EFADIAG_MAX_SIZES];
	size_t nsizes;
	long iterations;
	long warmup;
	bool verify;
	double timeout_sec;
	char version[32];
	bool has_token;
	char token[257];
	bool has_addr; /* over TCP the client opens first and sends its address here */
	struct ep_addr addr;
	struct bw_hello bw; /* test "bw" only */
	struct fab_mem_spec mem; /* where both ends' test buffers live */
};

struct msg_ready {
	struct ep_addr addr;
	char version[32];
};

struct msg_text {
	char text[PROTO_TEXT_MAX];
	/* MSG_ERROR, optional: a word for what the peer can do about it (PROTO_REASON_...) */
	char reason[16];
};

/* The reasons a server gives for refusing a client, so the client can say what to do. */
#define PROTO_REASON_TOKEN "token"	 /* the token was missing or did not match */
#define PROTO_REASON_BUSY "busy"	 /* another client's test is running */
#define PROTO_REASON_PROVIDER "provider" /* the client's provider is not the server's */

struct msg_pp_row {
	size_t bytes;
	long iterations;
	double lat_min_usec, lat_avg_usec, lat_p50_usec, lat_p99_usec, lat_max_usec;
	double mb_per_sec;
};

struct msg_bw_lanes {
	size_t n;
	struct ep_addr lanes[PROTO_MAX_LANES];
};

struct msg_bw_mr {
	size_t n;
	struct fab_rkey keys[PROTO_MAX_LANES];
};

struct msg_bw_size {
	size_t bytes;
	long count;
	bool warmup; /* a warmup or calibration run: not a result */
};

/* How one lane's part of a size went, on one side. */
struct lane_report {
	double elapsed; /* seconds of the active part; 0 for a passive RMA target */
	int err;	/* 0, -FI_ETIMEDOUT for a stall, or another negative error */
	long bad_offset; /* --verify: first differing byte, -1 when none */
	char err_text[PROTO_TEXT_MAX];
};

struct msg_bw_report {
	size_t n;
	struct lane_report lanes[PROTO_MAX_LANES];
};

/* One side's half of an sg-check probe. */
struct msg_sg_report {
	bool small_received, large_received;
	double elapsed_ms; /* until both arrived, or the whole window */
	bool sent;	   /* both our sends completed without error */
	bool has_send_error;
	char send_error[PROTO_TEXT_MAX];
	bool send_unreachable; /* the send error says the peer cannot be reached */
	/* Per probe size (small, large): what this side's sends the provider took, and what of
	 * the peer's arrived. An older peer sends none: derived from the bools above. */
	long sent_count[2], delivered_count[2];
};

struct msg {
	enum msg_kind kind;
	union {
		struct msg_hello hello;
		struct msg_ready ready;
		struct ep_addr addr;	  /* MSG_ADDR, MSG_SG_SETUP */
		struct msg_text error;	  /* MSG_ERROR */
		size_t pp_size;		  /* MSG_PP_SIZE: bytes */
		long pp_received;	  /* MSG_PP_RECEIVED */
		struct msg_pp_row pp_row;
		struct msg_bw_lanes bw_lanes;
		struct msg_bw_mr bw_mr;
		struct msg_bw_size bw_size;
		struct msg_bw_report bw_report;
		double sg_window_ms; /* MSG_SG_PROBE */
		struct msg_sg_report sg_report;
	} u;
};

const char *proto_kind_str(int kind);

/* Our endpoint's address as the peer needs it; the peer's into our AV. 0 or a negative error. */
int proto_addr_of(struct fab_ep *ep, struct ep_addr *a);
int proto_insert_addr(struct fab_ep *ep, const struct ep_addr *a, fi_addr_t *peer);
/* The IP text of an address (from ep_addr.ip) as a sockaddr, for the domain choice. */
bool proto_ip_from_text(const char *text, struct sockaddr_storage *ss);

/*
 * Send and receive one message before the deadline. 0, or a negative errno with o->err saying
 * why: -ETIMEDOUT, -ECONNRESET (the peer closed), -EPROTO (not our protocol, or a malformed
 * or out-of-bounds message: named), -ECANCELED (proto_expect: the peer sent MSG_ERROR; o->err
 * is "peer reports: ...").
 */
int proto_send(struct oob *o, const struct msg *m, double deadline);
/* A message without fields: MSG_BYE, MSG_GO, MSG_PP_ABORT. */
int proto_send_kind(struct oob *o, enum msg_kind kind, double deadline);
int proto_recv(struct oob *o, struct msg *m, double deadline);
int proto_expect(struct oob *o, enum msg_kind want, struct msg *m, double deadline);
/* Sends MSG_ERROR, best effort. */
void proto_send_error(struct oob *o, const char *text, double deadline);
/* The same with a reason (PROTO_REASON_...), for a refusal the client can act on. */
void proto_send_refusal(struct oob *o, const char *reason, const char *text, double deadline);

/* The codec without a channel, for the fuzzer and the unit tests. */
char *proto_encode(const struct msg *m); /* JSON text to free(), NULL when out of memory */
int proto_decode(int kind, const char *body, size_t len, struct msg *m, char *err, size_t errlen);

#endif
