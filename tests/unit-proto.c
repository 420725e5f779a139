// SPDX-License-Identifier: MIT
/*
 * Unit tests of the control protocol's codec in src/ctl/proto.c: every message kind encodes
 * and decodes back to the same fields, and the decoders refuse what is out of bounds, naming
 * the message and the field.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/proto.h"
#include "tap.h"

/* Quotes, a backslash, a newline, a tab, a control byte and multi-byte UTF-8 (é, ✓, 😀). */
#define TRICKY "say \"hi\" \\ back\nslash\ttab \x01 caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"

static struct msg in, out; /* static: a struct msg is large */
static char err[512];

/* Encodes m, decodes it back into *o as kind m->kind: 0 or the decoder's error. */
static int roundtrip(const struct msg *m, struct msg *o)
{
	char *text = proto_encode(m);
	int ret;

	if (!text) {
		snprintf(err, sizeof(err), "proto_encode returned NULL");
		return -ENOMEM;
	}
	err[0] = '\0';
	ret = proto_decode((int)m->kind, text, strlen(text), o, err, sizeof(err));
	if (ret)
		printf("#   encoded: %s\n#   error: %s\n", text, err);
	free(text);
	return ret;
}

#define roundtrips(m, o, name)                                                                \
	do {                                                                                  \
		int r_ = roundtrip((m), (o));                                                 \
		if (!ok(r_ == 0 && (o)->kind == (m)->kind, "%s", name))                       \
			printf("#   returned %d, kind %d, error '%s'\n", r_, (int)(o)->kind, err); \
	} while (0)

/* A decoder that refuses returns -EPROTO and names the message and the field in its error. */
static void refuses_(int kind, const char *body, size_t len, const char *want_msg,
		     const char *want_field, const char *name)
{
	char e[512] = "stale";
	int r = proto_decode(kind, body, len, &out, e, sizeof(e));

	if (!ok(r == -EPROTO && strstr(e, want_msg) && strstr(e, want_field), "%s", name))
		printf("#   returned %d, error '%s', want '%s' and '%s'\n#   body: %.200s\n", r, e,
		       want_msg, want_field, body ? body : "(null)");
}

#define refuses(kind, body, msgname, field, name)                                             \
	refuses_((kind), (body), strlen(body), "malformed " msgname " message", (field), (name))

/* Decodes a hand-written body: 0 or the error (printed). */
static int decodes(int kind, const char *body)
{
	int r;

	err[0] = '\0';
	r = proto_decode(kind, body, strlen(body), &out, err, sizeof(err));
	if (r)
		printf("#   error: %s\n", err);
	return r;
}

/* --- JSON bodies for the refusals: a valid base with one field replaced or removed --------- */

static const char *hello_base =
	"{\"test\":\"pingpong\",\"provider\":\"tcp\",\"sizes\":[64,4096],\"iterations\":10,"
	"\"warmup\":1,\"verify\":false,\"timeout_sec\":5,\"efadiag_version\":\"2.0\"}";
static const char *bw_hello_base =
	"{\"test\":\"bw\",\"provider\":\"tcp\",\"sizes\":[65536],\"iterations\":10,"
	"\"warmup\":1,\"timeout_sec\":5,\"efadiag_version\":\"2.0\",\"op\":\"write\","
	"\"window\":64,\"lanes\":2,\"reverse\":false,\"bidir\":false}";

/* base with key set to the JSON value (NULL: removed); a string to free(). */
static char *with(const char *base, const char *key, const char *value)
{
	cJSON *j = cJSON_Parse(base);
	char *text;

	if (!j)
		abort();
	cJSON_DeleteItemFromObjectCaseSensitive(j, key);
	if (value) {
		cJSON *v = cJSON_Parse(value);

		if (!v)
			abort();
		cJSON_AddItemToObject(j, key, v);
	}
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!text)
		abort();
	return text;
}

/* A JSON string value of n copies of c, quoted; to free(). */
static char *long_str(size_t n, char c)
{
	char *s = malloc(n + 3);

	if (!s)
		abort();
	s[0] = '"';
	memset(s + 1, c, n);
	s[n + 1] = '"';
	s[n + 2] = '\0';
	return s;
}

static void hello_refuses(const char *base, const char *key, const char *value, const char *field,
			  const char *name)
{
	char *body = with(base, key, value);

	refuses(MSG_HELLO, body, "hello", field, name);
	free(body);
}

static void hello_accepts(const char *base, const char *key, const char *value, const char *name)
{
	char *body = with(base, key, value);

	is_int(decodes(MSG_HELLO, body), 0, name);
	free(body);
}

/* --- fixtures ----------------------------------------------------------------------------- */

static void fill_addr(struct ep_addr *a, unsigned seed, size_t len, const char *ip)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < len; i++)
		a->raw[i] = (unsigned char)(i * 7 + seed * 13 + 1);
	a->len = len;
	snprintf(a->ip, sizeof(a->ip), "%s", ip);
	snprintf(a->domain, sizeof(a->domain), "rdmap%us27-rdm", seed);
	snprintf(a->fabric, sizeof(a->fabric), "efa-direct \"%u\"", seed);
	snprintf(a->provider, sizeof(a->provider), "efa;ofi_rxm \xc3\xa9%u", seed);
}

static int same_addr(const struct ep_addr *a, const struct ep_addr *b)
{
	return a->len == b->len && !memcmp(a->raw, b->raw, a->len) && !strcmp(a->ip, b->ip) &&
	       !strcmp(a->domain, b->domain) && !strcmp(a->fabric, b->fabric) &&
	       !strcmp(a->provider, b->provider);
}

#define is_addr(got, want, name)                                                              \
	do {                                                                                  \
		if (!ok(same_addr((got), (want)), "%s", name))                                \
			printf("#   got len %zu ip '%s' domain '%s' fabric '%s' provider '%s'\n", \
			       (got)->len, (got)->ip, (got)->domain, (got)->fabric,            \
			       (got)->provider);                                              \
	} while (0)

/* --- round trips, one kind after another -------------------------------------------------- */

static void test_hello(void)
{
	struct msg_hello *h = &in.u.hello, *g = &out.u.hello;
	size_t i;

	memset(&in, 0, sizeof(in));
	in.kind = MSG_HELLO;
	snprintf(h->test, sizeof(h->test), "pingpong");
	snprintf(h->provider, sizeof(h->provider), "efa");
	h->sizes[0] = 1;
	h->sizes[1] = 4096;
	h->sizes[2] = 123457;
	h->sizes[3] = PROTO_MAX_MSG_SIZE;
	h->nsizes = 4;
	h->iterations = PROTO_MAX_ITERATIONS;
	h->warmup = PROTO_MAX_WARMUP;
	h->verify = true;
	h->timeout_sec = 0.125;
	snprintf(h->version, sizeof(h->version), "2.0.1-\"rc\" \xc3\xa9");
	h->has_token = true;
	snprintf(h->token, sizeof(h->token), "%s", TRICKY);
	h->has_addr = true;
	fill_addr(&h->addr, 3, 32, "192.0.2.17");
	h->mem = (struct fab_mem_spec){ .kind = FAB_MEM_CUDA, .device = 3 };
	roundtrips(&in, &out, "hello (pingpong, token, endpoint with ip) round trips");
	ok(g->mem.kind == FAB_MEM_CUDA && g->mem.device == 3, "hello mem cuda:3");
	is_str(g->test, "pingpong", "hello test");
	is_str(g->provider, "efa", "hello provider");
	is_int(g->nsizes, 4, "hello nsizes");
	is_int(g->sizes[0], 1, "hello sizes[0]");
	is_int(g->sizes[1], 4096, "hello sizes[1]");
	is_int(g->sizes[2], 123457, "hello sizes[2]");
	is_int(g->sizes[3], PROTO_MAX_MSG_SIZE, "hello sizes[3] is the 1 GiB maximum");
	is_int(g->iterations, PROTO_MAX_ITERATIONS, "hello iterations");
	is_int(g->warmup, PROTO_MAX_WARMUP, "hello warmup");
	ok(g->verify == true, "hello verify");
	ok(g->timeout_sec == 0.125, "hello timeout_sec (%g)", g->timeout_sec);
	is_str(g->version, "2.0.1-\"rc\" \xc3\xa9", "hello version with quotes and unicode");
	ok(g->has_token, "hello has_token");
	is_str(g->token, TRICKY, "hello token with quotes, escapes and unicode");
	ok(g->has_addr, "hello has_addr");
	is_addr(&g->addr, &h->addr, "hello endpoint with ip");
	is_str(g->addr.ip, "192.0.2.17", "hello endpoint ip");

	/* bw: 64 sizes, the bw fields at their maxima, no token, no endpoint. */
	memset(&in, 0, sizeof(in));
	in.kind = MSG_HELLO;
	snprintf(h->test, sizeof(h->test), "bw");
	snprintf(h->provider, sizeof(h->provider), "tcp;ofi_rxm");
	for (i = 0; i < EFADIAG_MAX_SIZES; i++)
		h->sizes[i] = ((size_t)1 << (i % 30)) + i;
	h->nsizes = EFADIAG_MAX_SIZES;
	h->iterations = 1;
	h->warmup = 0;
	h->verify = false;
	h->timeout_sec = 86400;
	snprintf(h->bw.op, sizeof(h->bw.op), "read");
	h->bw.window = PROTO_MAX_WINDOW;
	h->bw.lanes = PROTO_MAX_LANES;
	h->bw.reverse = true;
	h->bw.bidir = false;
	roundtrips(&in, &out, "hello (bw, read, 64 sizes) round trips");
	is_str(g->test, "bw", "bw hello test");
	ok(g->mem.kind == FAB_MEM_HOST, "a hello without mem is host memory");
	is_str(g->provider, "tcp;ofi_rxm", "bw hello provider");
	is_int(g->nsizes, EFADIAG_MAX_SIZES, "bw hello has all 64 sizes");
	for (i = 0; i < EFADIAG_MAX_SIZES && g->sizes[i] == h->sizes[i]; i++)
		;
	is_int(i, EFADIAG_MAX_SIZES, "bw hello: every size survives");
	is_int(g->iterations, 1, "bw hello iterations");
	is_int(g->warmup, 0, "bw hello warmup 0");
	ok(!g->verify, "bw hello verify false");
	ok(g->timeout_sec == 86400, "bw hello timeout_sec 86400 (%g)", g->timeout_sec);
	is_str(g->version, "", "bw hello empty version");
	ok(!g->has_token, "bw hello without a token");
	is_str(g->token, "", "bw hello token empty");
	ok(!g->has_addr, "bw hello without an endpoint");
	is_str(g->bw.op, "read", "bw hello op");
	is_int(g->bw.window, PROTO_MAX_WINDOW, "bw hello window");
	is_int(g->bw.lanes, PROTO_MAX_LANES, "bw hello lanes");
	ok(g->bw.reverse && !g->bw.bidir, "bw hello reverse true, bidir false");

	/* bw write, bidir, window and lanes at 1, an endpoint without ip, an empty token. */
	memset(&in, 0, sizeof(in));
	in.kind = MSG_HELLO;
	snprintf(h->test, sizeof(h->test), "bw");
	snprintf(h->provider, sizeof(h->provider), "efa");
	h->sizes[0] = 8;
	h->nsizes = 1;
	h->iterations = 77;
	h->warmup = 5;
	h->timeout_sec = 2.5;
	h->has_token = true;
	h->has_addr = true;
	fill_addr(&h->addr, 9, FAB_ADDR_MAX, "");
	snprintf(h->bw.op, sizeof(h->bw.op), "write");
	h->bw.window = 1;
	h->bw.lanes = 1;
	h->bw.bidir = true;
	roundtrips(&in, &out, "hello (bw, write, bidir, endpoint without ip) round trips");
	ok(g->has_token, "an empty token is still a token");
	is_str(g->token, "", "empty token");
	ok(g->has_addr, "bw hello has_addr");
	is_addr(&g->addr, &h->addr, "bw hello endpoint of 256 raw bytes without ip");
	is_str(g->addr.ip, "", "bw hello endpoint ip empty");
	is_str(g->bw.op, "write", "bw hello op write");
	is_int(g->bw.window, 1, "bw hello window 1");
	is_int(g->bw.lanes, 1, "bw hello lanes 1");
	ok(!g->bw.reverse && g->bw.bidir, "bw hello reverse false, bidir true");
	is_int(g->iterations, 77, "bw hello iterations 77");
	is_int(g->warmup, 5, "bw hello warmup 5");

	/* send, the remaining op. */
	snprintf(h->bw.op, sizeof(h->bw.op), "send");
	roundtrips(&in, &out, "hello (bw, send) round trips");
	is_str(g->bw.op, "send", "bw hello op send");

	/* A pingpong hello carries no bw fields: they decode as zero. */
	memset(&in, 0, sizeof(in));
	in.kind = MSG_HELLO;
	snprintf(h->test, sizeof(h->test), "sg-check");
	snprintf(h->provider, sizeof(h->provider), "efa");
	h->sizes[0] = 64;
	h->nsizes = 1;
	h->iterations = 1;
	h->timeout_sec = 1;
	snprintf(h->bw.op, sizeof(h->bw.op), "read");
	h->bw.window = 9;
	roundtrips(&in, &out, "hello (sg-check) round trips");
	is_str(g->test, "sg-check", "sg-check hello test");
	is_str(g->bw.op, "", "a non-bw hello carries no op");
	is_int(g->bw.window, 0, "a non-bw hello carries no window");
}

static void test_ready_addr_setup(void)
{
	memset(&in, 0, sizeof(in));
	in.kind = MSG_READY;
	fill_addr(&in.u.ready.addr, 1, FAB_ADDR_MAX, "fe80::1:2:3:4");
	snprintf(in.u.ready.version, sizeof(in.u.ready.version), "2.0 \"beta\" \xe2\x9c\x93");
	roundtrips(&in, &out, "ready round trips");
	is_addr(&out.u.ready.addr, &in.u.ready.addr, "ready endpoint (256 bytes, IPv6 ip)");
	is_int(out.u.ready.addr.len, FAB_ADDR_MAX, "ready endpoint length");
	ok(out.u.ready.addr.raw[0] == in.u.ready.addr.raw[0] &&
		   out.u.ready.addr.raw[FAB_ADDR_MAX - 1] == in.u.ready.addr.raw[FAB_ADDR_MAX - 1],
	   "ready endpoint first and last raw bytes");
	is_str(out.u.ready.addr.ip, "fe80::1:2:3:4", "ready endpoint ip");
	is_str(out.u.ready.version, "2.0 \"beta\" \xe2\x9c\x93", "ready version");

	memset(&in, 0, sizeof(in));
	in.kind = MSG_ADDR;
	fill_addr(&in.u.addr, 2, 1, "");
	roundtrips(&in, &out, "addr round trips");
	is_addr(&out.u.addr, &in.u.addr, "addr endpoint of one byte without ip");
	is_int(out.u.addr.len, 1, "addr endpoint length 1");
	is_str(out.u.addr.ip, "", "addr endpoint ip empty");
	is_str(out.u.addr.domain, "rdmap2s27-rdm", "addr endpoint domain");
	is_str(out.u.addr.fabric, "efa-direct \"2\"", "addr endpoint fabric with quotes");
	is_str(out.u.addr.provider, "efa;ofi_rxm \xc3\xa9" "2", "addr endpoint provider");

	memset(&in, 0, sizeof(in));
	in.kind = MSG_ADDR;
	fill_addr(&in.u.addr, 4, 16, "10.1.2.3");
	roundtrips(&in, &out, "addr with ip round trips");
	is_addr(&out.u.addr, &in.u.addr, "addr endpoint with ip");
	is_str(out.u.addr.ip, "10.1.2.3", "addr endpoint ip");

	memset(&in, 0, sizeof(in));
	in.kind = MSG_SG_SETUP;
	fill_addr(&in.u.addr, 5, 48, "2001:db8::5");
	roundtrips(&in, &out, "sg-check setup round trips");
	is_addr(&out.u.addr, &in.u.addr, "sg-check setup endpoint");
	is_str(out.u.addr.ip, "2001:db8::5", "sg-check setup endpoint ip");

	memset(&in, 0, sizeof(in));
	in.kind = MSG_SG_SETUP;
	fill_addr(&in.u.addr, 6, 24, "");
	roundtrips(&in, &out, "sg-check setup without ip round trips");
	is_addr(&out.u.addr, &in.u.addr, "sg-check setup endpoint without ip");
}

static void test_error_and_empty(void)
{
	static const enum msg_kind empty[] = { MSG_BYE, MSG_GO, MSG_PP_ABORT };
	size_t i;

	memset(&in, 0, sizeof(in));
	in.kind = MSG_ERROR;
	snprintf(in.u.error.text, sizeof(in.u.error.text), "peer says: %s", TRICKY);
	roundtrips(&in, &out, "error round trips");
	is_str(out.u.error.text, in.u.error.text, "error text with quotes, escapes and unicode");

	memset(&in, 0, sizeof(in));
	in.kind = MSG_ERROR;
	memset(in.u.error.text, 'x', PROTO_TEXT_MAX - 1);
	roundtrips(&in, &out, "error of 511 characters round trips");
	is_int(strlen(out.u.error.text), PROTO_TEXT_MAX - 1, "error of 511 characters kept whole");

	/* A refusal's reason travels with it; without one, or one too long, there is none. */
	memset(&in, 0, sizeof(in));
	in.kind = MSG_ERROR;
	snprintf(in.u.error.text, sizeof(in.u.error.text), "busy: try again");
	snprintf(in.u.error.reason, sizeof(in.u.error.reason), "%s", PROTO_REASON_BUSY);
	roundtrips(&in, &out, "error with a reason round trips");
	is_str(out.u.error.reason, PROTO_REASON_BUSY, "the reason is kept");
	ok(decodes(MSG_ERROR, "{\"message\":\"x\"}") == 0 && !out.u.error.reason[0],
	   "an error without a reason (an older peer) has none");
	ok(decodes(MSG_ERROR, "{\"message\":\"x\",\"reason\":\"0123456789abcdefXYZ\"}") == 0 &&
		   !out.u.error.reason[0] && !strcmp(out.u.error.text, "x"),
	   "an overlong reason is left out, the message kept");
	ok(decodes(MSG_ERROR, "{\"message\":\"x\",\"reason\":7}") == 0 && !out.u.error.reason[0],
	   "a reason that is not a string is left out");

	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		char *text, name[96];

		memset(&in, 0, sizeof(in));
		in.kind = empty[i];
		text = proto_encode(&in);
		snprintf(name, sizeof(name), "%s encodes as {}", proto_kind_str(empty[i]));
		is_str(text, "{}", name);
		free(text);
		snprintf(name, sizeof(name), "%s round trips", proto_kind_str(empty[i]));
		roundtrips(&in, &out, name);
	}
}

static void test_pingpong(void)
{
	struct msg_pp_row *r = &in.u.pp_row, *g = &out.u.pp_row;

	memset(&in, 0, sizeof(in));
	in.kind = MSG_PP_SIZE;
	in.u.pp_size = PROTO_MAX_MSG_SIZE;
	roundtrips(&in, &out, "pingpong size round trips");
	is_int(out.u.pp_size, PROTO_MAX_MSG_SIZE, "pingpong size 1 GiB");
	in.u.pp_size = 1;
	roundtrips(&in, &out, "pingpong size 1 round trips");
	is_int(out.u.pp_size, 1, "pingpong size 1");

	memset(&in, 0, sizeof(in));
	in.kind = MSG_PP_RECEIVED;
	in.u.pp_received = PROTO_MAX_ITERATIONS + PROTO_MAX_WARMUP;
	roundtrips(&in, &out, "pingpong received round trips");
	is_int(out.u.pp_received, PROTO_MAX_ITERATIONS + PROTO_MAX_WARMUP,
	       "pingpong received at its maximum");
	in.u.pp_received = 0;
	roundtrips(&in, &out, "pingpong received 0 round trips");
	is_int(out.u.pp_received, 0, "pingpong received 0");

	memset(&in, 0, sizeof(in));
	in.kind = MSG_PP_ROW;
	r->bytes = 65536;
	r->iterations = 12345;
	r->lat_min_usec = 0.1;
	r->lat_avg_usec = 2.718281828459045;
	r->lat_p50_usec = 1.0 / 3.0;
	r->lat_p99_usec = 17.0625;
	r->lat_max_usec = 123456.789;
	r->mb_per_sec = 12345.6789e3;
	roundtrips(&in, &out, "pingpong row round trips");
	is_int(g->bytes, 65536, "pingpong row bytes");
	is_int(g->iterations, 12345, "pingpong row iterations");
	ok(g->lat_min_usec == 0.1, "pingpong row lat_min_usec exact (%.17g)", g->lat_min_usec);
	ok(g->lat_avg_usec == 2.718281828459045, "pingpong row lat_avg_usec exact (%.17g)",
	   g->lat_avg_usec);
	ok(g->lat_p50_usec == 1.0 / 3.0, "pingpong row lat_p50_usec exact (%.17g)", g->lat_p50_usec);
	ok(g->lat_p99_usec == 17.0625, "pingpong row lat_p99_usec (%.17g)", g->lat_p99_usec);
	ok(g->lat_max_usec == 123456.789, "pingpong row lat_max_usec (%.17g)", g->lat_max_usec);
	ok(g->mb_per_sec == 12345.6789e3, "pingpong row mb_per_sec (%.17g)", g->mb_per_sec);
}

static void test_bw(void)
{
	size_t i, good;

	/* 32 lanes of addresses, every other one with an ip. */
	memset(&in, 0, sizeof(in));
	in.kind = MSG_BW_LANES;
	in.u.bw_lanes.n = PROTO_MAX_LANES;
	for (i = 0; i < PROTO_MAX_LANES; i++) {
		char ip[64];

		ip[0] = '\0';
		if (i % 2 == 0)
			snprintf(ip, sizeof(ip), "10.0.%zu.%zu", i, i + 100);
		fill_addr(&in.u.bw_lanes.lanes[i], (unsigned)i, 1 + i * 7, ip);
	}
	roundtrips(&in, &out, "bw lanes (32) round trips");
	is_int(out.u.bw_lanes.n, PROTO_MAX_LANES, "bw lanes count 32");
	for (good = 0; good < PROTO_MAX_LANES &&
		       same_addr(&out.u.bw_lanes.lanes[good], &in.u.bw_lanes.lanes[good]);
	     good++)
		;
	is_int(good, PROTO_MAX_LANES, "bw lanes: every lane's address survives");
	is_str(out.u.bw_lanes.lanes[31].domain, "rdmap31s27-rdm", "bw lanes: lane 31 domain");
	is_str(out.u.bw_lanes.lanes[30].ip, "10.0.30.130", "bw lanes: lane 30 ip");
	is_str(out.u.bw_lanes.lanes[31].ip, "", "bw lanes: lane 31 without ip");

	memset(&in, 0, sizeof(in));
	in.kind = MSG_BW_LANES;
	roundtrips(&in, &out, "bw lanes with no lanes round trips");
	is_int(out.u.bw_lanes.n, 0, "bw lanes count 0");

	/* 32 memory keys: 64-bit values near 2^64, raw keys on every third. */
	memset(&in, 0, sizeof(in));
	in.kind = MSG_BW_MR;
	in.u.bw_mr.n = PROTO_MAX_LANES;
	for (i = 0; i < PROTO_MAX_LANES; i++) {
		struct fab_rkey *k = &in.u.bw_mr.keys[i];
		size_t b;

		k->addr = UINT64_MAX - i;
		k->key = i == 0 ? UINT64_MAX : ((uint64_t)1 << 63) + 0x0123456789abcdefULL * i;
		if (i % 3 == 0) {
			k->raw_len = i == 0 ? FAB_RKEY_RAW_MAX : 8 + i;
			for (b = 0; b < k->raw_len; b++)
				k->raw[b] = (unsigned char)(b * 31 + i);
			k->raw_base = UINT64_MAX - 1000 * i;
		}
	}
	in.u.bw_mr.keys[1].key = 0;
	in.u.bw_mr.keys[1].addr = 0;
	roundtrips(&in, &out, "bw memory regions (32) round trips");
	is_int(out.u.bw_mr.n, PROTO_MAX_LANES, "bw mr count 32");
	ok(out.u.bw_mr.keys[0].key == UINT64_MAX, "bw mr key 2^64-1 exact (%llu)",
	   (unsigned long long)out.u.bw_mr.keys[0].key);
	ok(out.u.bw_mr.keys[0].addr == UINT64_MAX, "bw mr addr 2^64-1 exact (%llu)",
	   (unsigned long long)out.u.bw_mr.keys[0].addr);
	ok(out.u.bw_mr.keys[1].key == 0 && out.u.bw_mr.keys[1].addr == 0, "bw mr key and addr 0");
	ok(out.u.bw_mr.keys[2].key == ((uint64_t)1 << 63) + 0x0123456789abcdefULL * 2,
	   "bw mr key above 2^63 exact (%llu)", (unsigned long long)out.u.bw_mr.keys[2].key);
	is_int(out.u.bw_mr.keys[0].raw_len, FAB_RKEY_RAW_MAX, "bw mr raw key of 256 bytes");
	ok(!memcmp(out.u.bw_mr.keys[0].raw, in.u.bw_mr.keys[0].raw, FAB_RKEY_RAW_MAX),
	   "bw mr raw key bytes survive");
	ok(out.u.bw_mr.keys[0].raw_base == UINT64_MAX, "bw mr raw base 2^64-1");
	is_int(out.u.bw_mr.keys[1].raw_len, 0, "bw mr lane without raw key");
	for (good = 0; good < PROTO_MAX_LANES; good++) {
		const struct fab_rkey *a = &in.u.bw_mr.keys[good], *b = &out.u.bw_mr.keys[good];

		if (a->addr != b->addr || a->key != b->key || a->raw_len != b->raw_len ||
		    memcmp(a->raw, b->raw, a->raw_len) || a->raw_base != b->raw_base)
			break;
	}
	is_int(good, PROTO_MAX_LANES, "bw mr: every lane's key survives");

	memset(&in, 0, sizeof(in));
	in.kind = MSG_BW_SIZE;
	in.u.bw_size.bytes = PROTO_MAX_MSG_SIZE;
	in.u.bw_size.count = PROTO_MAX_COUNT;
	in.u.bw_size.warmup = true;
	roundtrips(&in, &out, "bw size round trips");
	is_int(out.u.bw_size.bytes, PROTO_MAX_MSG_SIZE, "bw size bytes");
	is_int(out.u.bw_size.count, PROTO_MAX_COUNT, "bw size count");
	ok(out.u.bw_size.warmup, "bw size warmup true");
	in.u.bw_size.bytes = 3;
	in.u.bw_size.count = 1;
	in.u.bw_size.warmup = false;
	roundtrips(&in, &out, "bw size (not warmup) round trips");
	is_int(out.u.bw_size.bytes, 3, "bw size bytes 3");
	is_int(out.u.bw_size.count, 1, "bw size count 1");
	ok(!out.u.bw_size.warmup, "bw size warmup false");

	memset(&in, 0, sizeof(in));
	in.kind = MSG_BW_REPORT;
	in.u.bw_report.n = PROTO_MAX_LANES;
	for (i = 0; i < PROTO_MAX_LANES; i++) {
		struct lane_report *l = &in.u.bw_report.lanes[i];

		l->elapsed = 0.001 * (double)i + 1.0 / 7.0;
		l->err = i == 0 ? 0 : i == 1 ? -110 : -100000 + (int)i;
		l->bad_offset = i == 0 ? -1 : i == 1 ? (long)PROTO_MAX_MSG_SIZE : (long)i * 4096;
		if (i % 2)
			snprintf(l->err_text, sizeof(l->err_text), "lane %zu: %s", i, TRICKY);
	}
	in.u.bw_report.lanes[2].elapsed = 0;
	roundtrips(&in, &out, "bw report (32) round trips");
	is_int(out.u.bw_report.n, PROTO_MAX_LANES, "bw report count 32");
	ok(out.u.bw_report.lanes[0].elapsed == 1.0 / 7.0, "bw report elapsed exact (%.17g)",
	   out.u.bw_report.lanes[0].elapsed);
	ok(out.u.bw_report.lanes[2].elapsed == 0, "bw report elapsed 0 (passive target)");
	is_int(out.u.bw_report.lanes[0].err, 0, "bw report err 0");
	is_int(out.u.bw_report.lanes[1].err, -110, "bw report err -110");
	is_int(out.u.bw_report.lanes[31].err, -100000 + 31, "bw report err near its minimum");
	is_int(out.u.bw_report.lanes[0].bad_offset, -1, "bw report bad_offset -1");
	is_int(out.u.bw_report.lanes[1].bad_offset, PROTO_MAX_MSG_SIZE, "bw report bad_offset 1 GiB");
	is_str(out.u.bw_report.lanes[0].err_text, "", "bw report lane without err_text");
	is_str(out.u.bw_report.lanes[1].err_text, in.u.bw_report.lanes[1].err_text,
	       "bw report err_text with quotes and unicode");
	for (good = 0; good < PROTO_MAX_LANES; good++) {
		const struct lane_report *a = &in.u.bw_report.lanes[good],
					 *b = &out.u.bw_report.lanes[good];

		if (a->elapsed != b->elapsed || a->err != b->err || a->bad_offset != b->bad_offset ||
		    strcmp(a->err_text, b->err_text))
			break;
	}
	is_int(good, PROTO_MAX_LANES, "bw report: every lane survives");
}

static void test_sg(void)
{
	struct msg_sg_report *r = &in.u.sg_report, *g = &out.u.sg_report;

	memset(&in, 0, sizeof(in));
	in.kind = MSG_SG_PROBE;
	in.u.sg_window_ms = 1500.25;
	roundtrips(&in, &out, "sg-check probe round trips");
	ok(out.u.sg_window_ms == 1500.25, "sg-check probe window_ms (%g)", out.u.sg_window_ms);

	memset(&in, 0, sizeof(in));
	in.kind = MSG_SG_REPORT;
	r->small_received = true;
	r->large_received = false;
	r->elapsed_ms = 2000.5;
	r->sent = false;
	r->has_send_error = true;
	snprintf(r->send_error, sizeof(r->send_error), "fi_send: %s", TRICKY);
	r->send_unreachable = true;
	roundtrips(&in, &out, "sg-check report with a send error round trips");
	ok(g->small_received && !g->large_received, "sg-check report small yes, large no");
	ok(g->elapsed_ms == 2000.5, "sg-check report elapsed_ms (%g)", g->elapsed_ms);
	ok(!g->sent, "sg-check report sent false");
	ok(g->has_send_error, "sg-check report has_send_error");
	is_str(g->send_error, r->send_error, "sg-check report send_error text");
	ok(g->send_unreachable, "sg-check report send_unreachable");

	memset(&in, 0, sizeof(in));
	in.kind = MSG_SG_REPORT;
	r->small_received = false;
	r->large_received = true;
	r->elapsed_ms = 0;
	r->sent = true;
	roundtrips(&in, &out, "sg-check report without a send error round trips");
	ok(!g->small_received && g->large_received, "sg-check report small no, large yes");
	ok(g->elapsed_ms == 0, "sg-check report elapsed_ms 0");
	ok(g->sent, "sg-check report sent true");
	ok(!g->has_send_error && !g->send_unreachable, "sg-check report: no send error");
	is_str(g->send_error, "", "sg-check report send_error empty");

	r->has_send_error = true;
	snprintf(r->send_error, sizeof(r->send_error), "Input/output error");
	r->send_unreachable = false;
	roundtrips(&in, &out, "sg-check report with a provider error round trips");
	ok(g->has_send_error && !g->send_unreachable, "sg-check report: error, not unreachable");
	is_str(g->send_error, "Input/output error", "sg-check report provider error text");

	/* Counts per size travel; a peer without them sent one of each. */
	memset(&in, 0, sizeof(in));
	in.kind = MSG_SG_REPORT;
	r->small_received = r->large_received = true;
	r->sent_count[0] = 3;
	r->sent_count[1] = 2;
	r->delivered_count[0] = 3;
	r->delivered_count[1] = 1;
	roundtrips(&in, &out, "sg-check report with counts round trips");
	ok(g->sent_count[0] == 3 && g->sent_count[1] == 2 && g->delivered_count[0] == 3 &&
		   g->delivered_count[1] == 1, "sg-check report: sent and delivered per size");
	is_int(decodes(MSG_SG_REPORT, "{\"small_received\":true,\"large_received\":false,"
				      "\"elapsed_ms\":5,\"sent\":true}"), 0,
	       "sg-check report without counts (an older peer) decodes");
	ok(out.u.sg_report.sent_count[0] == 1 && out.u.sg_report.sent_count[1] == 1 &&
		   out.u.sg_report.delivered_count[0] == 1 && out.u.sg_report.delivered_count[1] == 0,
	   "sg-check report without counts: one sent of each, delivered from the bools");
	refuses(MSG_SG_REPORT, "{\"elapsed_ms\":1,\"small_sent\":-1}", "sg-check report",
		"'small_sent' must be a whole number", "sg-check report with a negative count");
	refuses(MSG_SG_REPORT, "{\"elapsed_ms\":1,\"large_delivered\":\"3\"}", "sg-check report",
		"'large_delivered' must be a whole number", "sg-check report with a count as text");
}

/* Every kind in the enum is covered above; this makes sure the enum did not grow unseen. */
static void test_kind_names(void)
{
	static const char *const names[MSG_KIND_MAX] = {
		[MSG_HELLO] = "hello",
		[MSG_READY] = "ready",
		[MSG_ADDR] = "addr",
		[MSG_ERROR] = "error",
		[MSG_BYE] = "bye",
		[MSG_GO] = "go",
		[MSG_PP_SIZE] = "pingpong size",
		[MSG_PP_ABORT] = "pingpong abort",
		[MSG_PP_RECEIVED] = "pingpong received",
		[MSG_PP_ROW] = "pingpong row",
		[MSG_BW_LANES] = "bw lanes",
		[MSG_BW_MR] = "bw memory regions",
		[MSG_BW_SIZE] = "bw size",
		[MSG_BW_REPORT] = "bw report",
		[MSG_SG_SETUP] = "sg-check setup",
		[MSG_SG_PROBE] = "sg-check probe",
		[MSG_SG_REPORT] = "sg-check report",
	};
	int k;

	is_int(MSG_KIND_MAX, 18, "17 message kinds (tests cover each; update them with the enum)");
	for (k = MSG_HELLO; k < MSG_KIND_MAX; k++) {
		char name[64];

		snprintf(name, sizeof(name), "proto_kind_str(%d) is '%s'", k, names[k]);
		is_str(proto_kind_str(k), names[k], name);
	}
	is_str(proto_kind_str(0), "unknown", "proto_kind_str(0) is unknown");
	is_str(proto_kind_str(-1), "unknown", "proto_kind_str(-1) is unknown");
	is_str(proto_kind_str(MSG_KIND_MAX), "unknown", "proto_kind_str(MSG_KIND_MAX) is unknown");
	is_str(proto_kind_str(255), "unknown", "proto_kind_str(255) is unknown");
	memset(&in, 0, sizeof(in));
	in.kind = MSG_KIND_MAX;
	ok(proto_encode(&in) == NULL, "proto_encode of kind MSG_KIND_MAX is NULL");
	in.kind = (enum msg_kind)0;
	ok(proto_encode(&in) == NULL, "proto_encode of kind 0 is NULL");
}

/* --- refusals ----------------------------------------------------------------------------- */

static void test_hello_refusals(void)
{
	char *s, *body, sizes[1024];
	size_t o, i;

	is_int(decodes(MSG_HELLO, hello_base), 0, "the base hello decodes");
	is_int(decodes(MSG_HELLO, bw_hello_base), 0, "the base bw hello decodes");
	is_str(out.u.hello.bw.op, "write", "the base bw hello's op");

	hello_refuses(hello_base, "test", NULL, "'test' must be a string", "hello without test");
	hello_refuses(hello_base, "mem", "\"gpu\"", "'mem' must be host, cuda or cuda:N",
		      "hello with mem gpu");
	hello_refuses(hello_base, "mem", "7", "'mem' must be a string", "hello with a numeric mem");
	hello_accepts(hello_base, "mem", "\"cuda:0\"", "hello with mem cuda:0");
	hello_refuses(hello_base, "test", "\"\"", "'test' must not be empty", "hello with empty test");
	hello_refuses(hello_base, "test", "\"0123456789abcdef\"", "'test' is too long",
		      "hello with a test of 16 characters");
	hello_accepts(hello_base, "test", "\"0123456789abcde\"", "hello with a test of 15 accepted");
	hello_refuses(hello_base, "test", "42", "'test' must be a string", "hello with a numeric test");
	s = long_str(64, 'p');
	hello_refuses(hello_base, "provider", s, "'provider' is too long",
		      "hello with a provider of 64 characters");
	free(s);
	s = long_str(63, 'p');
	hello_accepts(hello_base, "provider", s, "hello with a provider of 63 accepted");
	free(s);
	hello_refuses(hello_base, "provider", "\"\"", "'provider' must not be empty",
		      "hello with an empty provider");

	hello_refuses(hello_base, "sizes", "[]", "'sizes' must be an array of 1 to 64 entries",
		      "hello with no sizes");
	o = (size_t)snprintf(sizes, sizeof(sizes), "[1");
	for (i = 1; i < 65; i++)
		o += (size_t)snprintf(sizes + o, sizeof(sizes) - o, ",%zu", i + 1);
	snprintf(sizes + o, sizeof(sizes) - o, "]");
	hello_refuses(hello_base, "sizes", sizes, "'sizes' must be an array of 1 to 64 entries",
		      "hello with 65 sizes");
	sizes[strlen(sizes) - 4] = ']'; /* drop ",65" */
	sizes[strlen(sizes) - 3] = '\0';
	hello_accepts(hello_base, "sizes", sizes, "hello with 64 sizes accepted");
	is_int(out.u.hello.nsizes, 64, "hello with 64 sizes: nsizes");
	hello_refuses(hello_base, "sizes", "[64,0]", "'sizes' entry 2 must be a whole number from 1 to 1073741824",
		      "hello with a size 0");
	hello_refuses(hello_base, "sizes", "[1073741825]", "'sizes' entry 1 must be a whole number",
		      "hello with a size of 2^30+1");
	hello_accepts(hello_base, "sizes", "[1073741824]", "hello with a size of 2^30 accepted");
	hello_refuses(hello_base, "sizes", "[1.5]", "'sizes' entry 1 must be a whole number",
		      "hello with a size 1.5");
	hello_refuses(hello_base, "sizes", "[\"64\"]", "'sizes' entry 1 must be a whole number",
		      "hello with a size as a string");
	hello_refuses(hello_base, "sizes", "\"64\"", "'sizes' must be an array",
		      "hello with sizes a string");
	hello_refuses(hello_base, "sizes", NULL, "'sizes' must be an array", "hello without sizes");

	hello_refuses(hello_base, "iterations", "0", "'iterations' must be a whole number from 1 to "
		      "100000000", "hello with iterations 0");
	hello_refuses(hello_base, "iterations", "100000001", "'iterations' must be a whole number",
		      "hello with iterations 100000001");
	hello_refuses(hello_base, "iterations", "1.5", "'iterations' must be a whole number",
		      "hello with iterations 1.5");
	hello_refuses(hello_base, "iterations", "\"10\"", "'iterations' must be a whole number",
		      "hello with iterations a string");
	hello_refuses(hello_base, "warmup", "-1", "'warmup' must be a whole number from 0 to 1000000",
		      "hello with warmup -1");
	hello_refuses(hello_base, "warmup", "1000001", "'warmup' must be a whole number",
		      "hello with warmup 1000001");
	hello_refuses(hello_base, "timeout_sec", "0", "'timeout_sec' must be a number from 0.001 to "
		      "86400", "hello with timeout_sec 0");
	hello_refuses(hello_base, "timeout_sec", "86401", "'timeout_sec' must be a number",
		      "hello with timeout_sec 86401");
	hello_refuses(hello_base, "timeout_sec", NULL, "'timeout_sec' must be a number",
		      "hello without timeout_sec");
	hello_refuses(hello_base, "efadiag_version", "\"0123456789012345678901234567890123\"",
		      "'efadiag_version' is too long", "hello with a version of 34 characters");

	s = long_str(257, 't');
	hello_refuses(hello_base, "token", s, "'token' is too long", "hello with a token of 257");
	free(s);
	s = long_str(256, 't');
	hello_accepts(hello_base, "token", s, "hello with a token of 256 accepted");
	is_int(strlen(out.u.hello.token), 256, "hello token of 256 kept whole");
	ok(out.u.hello.has_token, "hello token of 256: has_token");
	free(s);
	hello_refuses(hello_base, "token", "null", "'token' must be a string", "hello with token null");

	hello_refuses(hello_base, "endpoint", "[]", "'endpoint' must be an object",
		      "hello with an endpoint that is not an object");
	hello_refuses(hello_base, "endpoint", "{\"addr\":\"abc\",\"domain\":\"d\",\"fabric\":\"f\","
		      "\"provider_full\":\"p\"}", "'addr' must be hex bytes",
		      "hello with an endpoint of odd-length addr");

	hello_refuses(bw_hello_base, "op", "\"copy\"", "'op' must be send, write or read",
		      "bw hello with op copy");
	hello_refuses(bw_hello_base, "op", NULL, "'op' must be a string", "bw hello without op");
	hello_refuses(bw_hello_base, "op", "\"writeXXX\"", "'op' is too long",
		      "bw hello with op of 8 characters");
	hello_refuses(bw_hello_base, "window", "0", "'window' must be a whole number from 1 to 1024",
		      "bw hello with window 0");
	hello_refuses(bw_hello_base, "window", "1025", "'window' must be a whole number from 1 to 1024",
		      "bw hello with window 1025");
	hello_refuses(bw_hello_base, "lanes", "0", "'lanes' must be a whole number from 1 to 32",
		      "bw hello with lanes 0");
	hello_refuses(bw_hello_base, "lanes", "33", "'lanes' must be a whole number from 1 to 32",
		      "bw hello with lanes 33");
	hello_refuses(bw_hello_base, "window", "1.5", "'window' must be a whole number from 1 to 1024",
		      "bw hello with window 1.5 (not truncated to 1)");
	hello_refuses(bw_hello_base, "lanes", "2.9", "'lanes' must be a whole number from 1 to 32",
		      "bw hello with lanes 2.9 (not truncated to 2)");
	hello_refuses(bw_hello_base, "lanes", NULL, "'lanes' must be a whole number",
		      "bw hello without lanes");

	/* A non-bw hello ignores the bw fields, even out of bounds. */
	body = with(hello_base, "window", "999999");
	is_int(decodes(MSG_HELLO, body), 0, "a pingpong hello ignores a bw window");
	free(body);
}

static void test_other_refusals(void)
{
	static const char ep_ok[] = "{\"addr\":\"0a0b\",\"domain\":\"d\",\"fabric\":\"f\","
				    "\"provider_full\":\"p\"}";
	char body[2048];
	char *s;
	size_t n;

	refuses(MSG_READY, "{\"efadiag_version\":\"2.0\"}", "ready", "'endpoint' is missing",
		"ready without endpoint");
	snprintf(body, sizeof(body), "{\"endpoint\":%s,\"efadiag_version\":\"2.0\"}", ep_ok);
	is_int(decodes(MSG_READY, body), 0, "ready with a good endpoint decodes");
	is_int(out.u.ready.addr.len, 2, "ready endpoint of 2 bytes");
	ok(out.u.ready.addr.raw[0] == 0x0a && out.u.ready.addr.raw[1] == 0x0b,
	   "ready endpoint bytes 0a 0b");
	refuses(MSG_READY, "{\"endpoint\":{\"addr\":\"0a0\",\"domain\":\"d\",\"fabric\":\"f\","
		"\"provider_full\":\"p\"},\"efadiag_version\":\"\"}", "ready", "'addr' must be hex bytes",
		"ready with an odd-length addr");
	refuses(MSG_READY, "{\"endpoint\":{\"addr\":\"0g\",\"domain\":\"d\",\"fabric\":\"f\","
		"\"provider_full\":\"p\"},\"efadiag_version\":\"\"}", "ready", "'addr' must be hex bytes",
		"ready with a non-hex addr");
	refuses(MSG_READY, "{\"endpoint\":{\"addr\":\"\",\"domain\":\"d\",\"fabric\":\"f\","
		"\"provider_full\":\"p\"},\"efadiag_version\":\"\"}", "ready", "'addr' must not be empty",
		"ready with an empty addr");
	refuses(MSG_READY, "{\"endpoint\":{\"domain\":\"d\",\"fabric\":\"f\",\"provider_full\":\"p\"},"
		"\"efadiag_version\":\"\"}", "ready", "'addr' must be a string",
		"ready with an endpoint without addr");
	refuses(MSG_READY, "{\"endpoint\":{\"addr\":\"00\",\"fabric\":\"f\",\"provider_full\":\"p\"},"
		"\"efadiag_version\":\"\"}", "ready", "'domain' must be a string",
		"ready with an endpoint without domain");
	/* 257 bytes of hex do not fit the 256 of an address. */
	n = (size_t)snprintf(body, sizeof(body), "{\"endpoint\":{\"addr\":\"");
	memset(body + n, 'a', 2 * FAB_ADDR_MAX + 2);
	n += 2 * FAB_ADDR_MAX + 2;
	snprintf(body + n, sizeof(body) - n, "\",\"domain\":\"d\",\"fabric\":\"f\","
		 "\"provider_full\":\"p\"},\"efadiag_version\":\"\"}");
	refuses(MSG_READY, body, "ready", "'addr' is too long", "ready with an addr of 257 bytes");

	refuses(MSG_ADDR, "{}", "addr", "'endpoint' is missing", "addr without endpoint");
	refuses(MSG_ADDR, "{\"endpoint\":{\"addr\":\"abc\",\"domain\":\"d\",\"fabric\":\"f\","
		"\"provider_full\":\"p\"}}", "addr", "'addr' must be hex bytes",
		"addr with an odd-length addr");
	refuses(MSG_ADDR, "{\"endpoint\":{\"addr\":\"zz\",\"domain\":\"d\",\"fabric\":\"f\","
		"\"provider_full\":\"p\"}}", "addr", "'addr' must be hex bytes",
		"addr with a non-hex addr");
	refuses(MSG_SG_SETUP, "{\"endpoint\":{\"addr\":\"0x12\",\"domain\":\"d\",\"fabric\":\"f\","
		"\"provider_full\":\"p\"}}", "sg-check setup", "'addr' must be hex bytes",
		"sg-check setup with a 0x addr");
	refuses(MSG_SG_SETUP, "{\"endpoint\":\"0a0b\"}", "sg-check setup",
		"'endpoint' must be an object", "sg-check setup with an endpoint string");
	refuses(MSG_BW_LANES, "{\"lanes\":[{\"addr\":\"123\",\"domain\":\"d\",\"fabric\":\"f\","
		"\"provider_full\":\"p\"}]}", "bw lanes", "'addr' must be hex bytes",
		"bw lanes with an odd-length addr");
	refuses(MSG_BW_LANES, "{\"lanes\":[1]}", "bw lanes", "'endpoint' must be an object",
		"bw lanes with a number for a lane");

	/* 64-bit keys. */
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"0\",\"key\":\"-1\"}]}", "bw memory regions",
		"'key' must be a decimal 64-bit number", "bw mr key -1");
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"0\",\"key\":\"18446744073709551616\"}]}",
		"bw memory regions", "'key' must be a decimal 64-bit number", "bw mr key 2^64");
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"0\",\"key\":\"12a\"}]}", "bw memory regions",
		"'key' must be a decimal 64-bit number", "bw mr key 12a");
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"0\",\"key\":\" -1\"}]}", "bw memory regions",
		"'key' must be a decimal 64-bit number", "bw mr key ' -1' (no wrap to 2^64-1)");
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"0\",\"key\":\"\\t-2\"}]}", "bw memory regions",
		"'key' must be a decimal 64-bit number", "bw mr key tab -2");
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"0\",\"key\":\"+7\"}]}", "bw memory regions",
		"'key' must be a decimal 64-bit number", "bw mr key +7");
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"0\",\"key\":\" 5\"}]}", "bw memory regions",
		"'key' must be a decimal 64-bit number", "bw mr key ' 5'");
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"0\",\"key\":12}]}", "bw memory regions",
		"'key' must be a string", "bw mr key as a JSON number");
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"0\",\"key\":\"\"}]}", "bw memory regions",
		"'key' must not be empty", "bw mr key empty");
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"-5\",\"key\":\"1\"}]}", "bw memory regions",
		"'addr' must be a decimal 64-bit number", "bw mr addr -5");
	refuses(MSG_BW_MR, "{\"lanes\":[]}", "bw memory regions",
		"'lanes' must be an array of 1 to 32 entries", "bw mr with no lanes");
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"0\",\"key\":\"1\",\"raw_key\":\"abc\","
		"\"base\":\"0\"}]}", "bw memory regions", "'raw_key' must be hex bytes",
		"bw mr raw_key of odd length");
	refuses(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"0\",\"key\":\"1\",\"raw_key\":\"ab\"}]}",
		"bw memory regions", "'base' must be a string", "bw mr raw_key without base");
	is_int(decodes(MSG_BW_MR, "{\"lanes\":[{\"addr\":\"18446744073709551615\","
			"\"key\":\"18446744073709551614\"}]}"), 0, "bw mr key 2^64-2 decodes");
	ok(out.u.bw_mr.keys[0].key == UINT64_MAX - 1 && out.u.bw_mr.keys[0].addr == UINT64_MAX,
	   "bw mr key 2^64-2 and addr 2^64-1 exact");

	/* A peer's err_text is cut to fit, never refused. */
	s = long_str(3 * PROTO_TEXT_MAX, 'e');
	snprintf(body, sizeof(body), "{\"lanes\":[{\"elapsed\":1,\"err\":-5,\"bad_offset\":-1,"
		 "\"err_text\":%s}]}", s);
	free(s);
	is_int(decodes(MSG_BW_REPORT, body), 0, "bw report with an err_text of 1536 decodes");
	is_int(strlen(out.u.bw_report.lanes[0].err_text), PROTO_TEXT_MAX - 1,
	       "bw report err_text cut to 511");
	is_int(out.u.bw_report.lanes[0].err, -5, "bw report with a long err_text: err");
	ok(out.u.bw_report.lanes[0].err_text[0] == 'e' &&
		   out.u.bw_report.lanes[0].err_text[PROTO_TEXT_MAX - 2] == 'e',
	   "bw report err_text cut keeps the start");
	refuses(MSG_BW_REPORT, "{\"lanes\":[{\"elapsed\":1,\"err\":1,\"bad_offset\":-1}]}",
		"bw report", "'err' must be a whole number from -100000 to 0", "bw report err 1");
	refuses(MSG_BW_REPORT, "{\"lanes\":[{\"elapsed\":-1,\"err\":0,\"bad_offset\":-1}]}",
		"bw report", "'elapsed' must be a number", "bw report elapsed -1");
	refuses(MSG_BW_REPORT, "{\"lanes\":[{\"elapsed\":1,\"err\":0,\"bad_offset\":-2}]}",
		"bw report", "'bad_offset' must be a whole number", "bw report bad_offset -2");
	refuses(MSG_BW_REPORT, "{\"lanes\":[]}", "bw report", "'lanes' must be an array of 1 to 32",
		"bw report with no lanes");

	/* The peer's error text is cut too. */
	s = long_str(1000, 'r');
	snprintf(body, sizeof(body), "{\"message\":%s}", s);
	free(s);
	is_int(decodes(MSG_ERROR, body), 0, "error with a message of 1000 decodes");
	is_int(strlen(out.u.error.text), PROTO_TEXT_MAX - 1, "error message cut to 511");
	is_int(decodes(MSG_ERROR, "{}"), 0, "error without message decodes");
	is_str(out.u.error.text, "an unspecified error", "error without message says so");

	refuses(MSG_PP_SIZE, "{\"bytes\":0}", "pingpong size",
		"'bytes' must be a whole number from 1 to 1073741824", "pingpong size 0");
	refuses(MSG_PP_SIZE, "{\"bytes\":1073741825}", "pingpong size", "'bytes' must be a whole",
		"pingpong size 2^30+1");
	refuses(MSG_PP_SIZE, "{}", "pingpong size", "'bytes'", "pingpong size without bytes");
	refuses(MSG_PP_RECEIVED, "{\"received\":-1}", "pingpong received",
		"'received' must be a whole number from 0 to 101000000", "pingpong received -1");
	refuses(MSG_PP_ROW, "{\"bytes\":64,\"iterations\":1,\"lat_min_usec\":-1}", "pingpong row",
		"'lat_min_usec' must be a number", "pingpong row negative latency");
	refuses(MSG_BW_SIZE, "{\"bytes\":64,\"count\":0}", "bw size",
		"'count' must be a whole number from 1 to 1000000000", "bw size count 0");
	refuses(MSG_SG_PROBE, "{\"window_ms\":-1}", "sg-check probe", "'window_ms' must be a number",
		"sg-check probe window -1");
	refuses(MSG_SG_REPORT, "{\"small_received\":true}", "sg-check report",
		"'elapsed_ms' must be a number", "sg-check report without elapsed_ms");
}

static void test_framing_refusals(void)
{
	char e[256];
	char *deep;
	size_t i, depth = 100000;
	int kind;

	e[0] = '\0';
	is_int(proto_decode(0, "{}", 2, &out, e, sizeof(e)), -EPROTO, "kind 0 refused");
	is_str(e, "unknown control message type 0", "kind 0 named");
	e[0] = '\0';
	is_int(proto_decode(MSG_KIND_MAX, "{}", 2, &out, e, sizeof(e)), -EPROTO,
	       "kind MSG_KIND_MAX refused");
	is_str(e, "unknown control message type 18", "kind MSG_KIND_MAX named");
	is_int(proto_decode(-3, "{}", 2, &out, e, sizeof(e)), -EPROTO, "kind -3 refused");
	is_int(proto_decode(255, "{}", 2, &out, e, sizeof(e)), -EPROTO, "kind 255 refused");

	refuses_(MSG_HELLO, "[]", 2, "malformed hello message (not a JSON object)", "hello",
		 "hello body [] refused");
	refuses_(MSG_HELLO, "1", 1, "malformed hello message (not a JSON object)", "hello",
		 "hello body 1 refused");
	refuses_(MSG_HELLO, "nul", 3, "malformed hello message (not a JSON object)", "hello",
		 "hello body nul refused");
	refuses_(MSG_HELLO, "", 0, "malformed hello message (not a JSON object)", "hello",
		 "hello empty body refused");
	refuses_(MSG_BYE, "null", 4, "malformed bye message (not a JSON object)", "bye",
		 "bye body null refused");
	refuses_(MSG_GO, "\"{}\"", 4, "malformed go message (not a JSON object)", "go",
		 "go body a string refused");
	refuses_(MSG_SG_REPORT, "{\"elapsed_ms\":1", 15,
		 "malformed sg-check report message (not a JSON object)", "sg-check report",
		 "truncated object refused");
	/* The length bounds the parse: the text beyond it is not read. */
	refuses_(MSG_BYE, "{}", 1, "malformed bye message (not a JSON object)", "bye",
		 "body cut by its length refused");
	is_int(proto_decode(MSG_BYE, "{} trailing", 2, &out, e, sizeof(e)), 0,
	       "body bounded by its length decodes");

	/* Deep nesting: refused by the parser's limit, without running out of stack. */
	deep = malloc(2 * depth + 64);
	if (!deep)
		abort();
	for (i = 0; i < depth; i++)
		deep[i] = '[';
	for (i = 0; i < depth; i++)
		deep[depth + i] = ']';
	deep[2 * depth] = '\0';
	refuses_(MSG_HELLO, deep, 2 * depth, "malformed hello message (not a JSON object)", "hello",
		 "100000 nested arrays refused");
	/* An object whose field nests deeply. */
	memcpy(deep, "{\"test\":", 8);
	for (i = 8; i < depth; i++)
		deep[i] = '[';
	for (i = depth; i < 2 * depth - 8; i++)
		deep[i] = ']';
	deep[2 * depth - 8] = '}';
	deep[2 * depth - 7] = '\0';
	refuses_(MSG_HELLO, deep, strlen(deep), "malformed hello message", "hello",
		 "a hello with a deeply nested field refused");
	/* Nesting within the parser's limit but in a field: a type error, named. */
	memcpy(deep, "{\"test\":", 8);
	for (i = 0; i < 500; i++) {
		deep[8 + i] = '[';
		deep[8 + 500 + i] = ']';
	}
	strcpy(deep + 8 + 1000, "}");
	refuses(MSG_HELLO, deep, "hello", "'test' must be a string",
		"a hello with a test of 500 nested arrays refused by name");
	free(deep);

	/* Every kind refuses an array body, naming itself. */
	for (kind = MSG_HELLO; kind < MSG_KIND_MAX; kind++) {
		char want[96], name[96];

		snprintf(want, sizeof(want), "malformed %s message (not a JSON object)",
			 proto_kind_str(kind));
		snprintf(name, sizeof(name), "%s refuses a non-object", proto_kind_str(kind));
		refuses_(kind, "[1]", 3, want, proto_kind_str(kind), name);
	}
}

int main(void)
{
	test_hello();
	test_ready_addr_setup();
	test_error_and_empty();
	test_pingpong();
	test_bw();
	test_sg();
	test_kind_names();
	test_hello_refusals();
	test_other_refusals();
	test_framing_refusals();
	return done_testing();
}
