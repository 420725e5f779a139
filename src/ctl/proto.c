// SPDX-License-Identifier: MIT
/*
 * The control protocol's messages: one encoder and one decoder per kind, side by side. The
 * decoders are where bytes from the network become trusted values: every field is checked
 * for type and bounds, and a message that fails is refused with its name and the field's.
 */
#include "ctl/proto.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* --- field helpers ------------------------------------------------------------------------ */

/* A decoder's state: the object, and the first error (later checks then do nothing). */
struct dec {
	const cJSON *j;
	char *err;
	size_t errlen;
	bool bad;
};

/* Records "'key' what" as the error, unless an earlier one stands. */
static bool dec_fail(struct dec *d, const char *key, const char *what)
{
	if (!d->bad)
		snprintf(d->err, d->errlen, "'%s' %s", key, what);
	d->bad = true;
	return false;
}

static const cJSON *field(const struct dec *d, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(d->j, key);
}

static bool dec_num(struct dec *d, const char *key, double min, double max, double *out)
{
	const cJSON *v = field(d, key);
	char range[96];

	if (d->bad)
		return false;
	snprintf(range, sizeof(range), "must be a number from %g to %g", min, max);
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= min) || !(v->valuedouble <= max))
		return dec_fail(d, key, range);
	*out = v->valuedouble;
	return true;
}

static bool dec_long(struct dec *d, const char *key, long min, long max, long *out)
{
	const cJSON *v = field(d, key);
	char range[96];

	if (d->bad)
		return false;
	snprintf(range, sizeof(range), "must be a whole number from %ld to %ld", min, max);
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= (double)min) ||
	    !(v->valuedouble <= (double)max) || v->valuedouble != (double)(long)v->valuedouble)
		return dec_fail(d, key, range);
	*out = (long)v->valuedouble;
	return true;
}

static bool dec_size(struct dec *d, const char *key, size_t min, size_t max, size_t *out)
{
	long v;

	if (!dec_long(d, key, (long)min, (long)max, &v))
		return false;
	*out = (size_t)v;
	return true;
}

/* A string that fits buf; empty allowed only when allow_empty. Absent is an error. */
static bool dec_str(struct dec *d, const char *key, char *buf, size_t len, bool allow_empty)
{
	const cJSON *v = field(d, key);

	if (d->bad)
		return false;
	if (!cJSON_IsString(v))
		return dec_fail(d, key, "must be a string");
	if (strlen(v->valuestring) >= len)
		return dec_fail(d, key, "is too long");
	if (!allow_empty && !v->valuestring[0])
		return dec_fail(d, key, "must not be empty");
	str_copy(buf, len, v->valuestring);
	return true;
}

/* An optional string: *has says whether it was there. */
static bool dec_opt_str(struct dec *d, const char *key, char *buf, size_t len, bool *has)
{
	*has = field(d, key) != NULL;
	buf[0] = '\0';
	return !*has || dec_str(d, key, buf, len, true);
}

static bool dec_bool(struct dec *d, const char *key)
{
	return cJSON_IsTrue(field(d, key));
}

/* 64-bit values travel as decimal strings: JSON numbers lose precision past 2^53. */
static void enc_u64(cJSON *j, const char *key, uint64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, v);
	cJSON_AddStringToObject(j, key, text);
}

static bool dec_u64(struct dec *d, const char *key, uint64_t *out)
{
	char text[24], *end;

	if (!dec_str(d, key, text, sizeof(text), false))
		return false;
	errno = 0;
	*out = strtoull(text, &end, 10);
	/* Digits only: strtoull would also take blanks, a sign, and wrap "-1" around. */
	if (*end || errno || !isdigit((unsigned char)text[0]))
		return dec_fail(d, key, "must be a decimal 64-bit number");
	return true;
}

static void enc_hex(cJSON *j, const char *key, const unsigned char *p, size_t len)
{
	char hex[2 * FAB_ADDR_MAX + 1];

	fab_addr_to_hex(p, len, hex, sizeof(hex));
	cJSON_AddStringToObject(j, key, hex);
}

static bool dec_hex(struct dec *d, const char *key, unsigned char *p, size_t max, size_t *len)
{
	char hex[2 * FAB_ADDR_MAX + 1];

	if (!dec_str(d, key, hex, sizeof(hex), false))
		return false;
	*len = max;
	if (fab_addr_from_hex(hex, p, len))
		return dec_fail(d, key, "must be hex bytes");
	return true;
}

/* Runs dec_one on each element of the array under key, at most max of them. */
static bool dec_array(struct dec *d, const char *key, size_t min, size_t max, size_t *n,
		      bool (*dec_one)(struct dec *, size_t i, void *arg), void *arg)
{
	const cJSON *arr = field(d, key), *e;
	struct dec sub = *d;
	char what[64];

	if (d->bad)
		return false;
	snprintf(what, sizeof(what), "must be an array of %zu to %zu entries", min, max);
	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) < min ||
	    (size_t)cJSON_GetArraySize(arr) > max)
		return dec_fail(d, key, what);
	*n = 0;
	cJSON_ArrayForEach(e, arr) {
		sub.j = e;
		if (!dec_one(&sub, *n, arg)) {
			d->bad = true;
			return false;
		}
		(*n)++;
	}
	return true;
}

/* --- shared parts ------------------------------------------------------------------------- */

static cJSON *enc_addr(const struct ep_addr *a)
{
	cJSON *j = cJSON_CreateObject();

	if (!j)
		return NULL;
	enc_hex(j, "addr", a->raw, a->len);
	if (a->ip[0])
		cJSON_AddStringToObject(j, "ip", a->ip);
	cJSON_AddStringToObject(j, "domain", a->domain);
	cJSON_AddStringToObject(j, "fabric", a->fabric);
	cJSON_AddStringToObject(j, "provider_full", a->provider);
	return j;
}

static bool dec_addr_obj(struct dec *d, struct ep_addr *a)
{
	bool has_ip;

	memset(a, 0, sizeof(*a));
	if (!cJSON_IsObject(d->j))
		return dec_fail(d, "endpoint", "must be an object");
	return dec_hex(d, "addr", a->raw, sizeof(a->raw), &a->len) &&
	       dec_opt_str(d, "ip", a->ip, sizeof(a->ip), &has_ip) &&
	       dec_str(d, "domain", a->domain, sizeof(a->domain), true) &&
	       dec_str(d, "fabric", a->fabric, sizeof(a->fabric), true) &&
	       dec_str(d, "provider_full", a->provider, sizeof(a->provider), true);
}

/* The endpoint object under key. */
static bool dec_addr_at(struct dec *d, const char *key, struct ep_addr *a)
{
	struct dec sub = *d;

	if (d->bad)
		return false;
	sub.j = field(d, key);
	if (!sub.j)
		return dec_fail(d, key, "is missing");
	if (!dec_addr_obj(&sub, a)) {
		d->bad = true;
		return false;
	}
	return true;
}

/* --- one encoder and one decoder per kind ------------------------------------------------- */

static void enc_hello(cJSON *j, const struct msg *m)
{
	const struct msg_hello *h = &m->u.hello;
	cJSON *sizes = cJSON_AddArrayToObject(j, "sizes");
	size_t i;

	cJSON_AddStringToObject(j, "test", h->test);
	cJSON_AddStringToObject(j, "provider", h->provider);
	if (h->fabric[0])
		cJSON_AddStringToObject(j, "fabric", h->fabric);
	for (i = 0; sizes && i < h->nsizes; i++)
		cJSON_AddItemToArray(sizes, cJSON_CreateNumber((double)h->sizes[i]));
	cJSON_AddNumberToObject(j, "iterations", (double)h->iterations);
	cJSON_AddNumberToObject(j, "warmup", (double)h->warmup);
	cJSON_AddBoolToObject(j, "verify", h->verify);
	cJSON_AddNumberToObject(j, "timeout_sec", h->timeout_sec);
	cJSON_AddStringToObject(j, "efadiag_version", h->version);
	if (h->has_token)
		cJSON_AddStringToObject(j, "token", h->token);
	if (h->has_addr)
		cJSON_AddItemToObject(j, "endpoint", enc_addr(&h->addr));
	/* Absent for host memory, as a peer from before --mem sends it. */
	if (h->mem.kind != FAB_MEM_HOST) {
		char mem[16];

		fab_mem_name(h->mem.kind, h->mem.device, mem, sizeof(mem));
		cJSON_AddStringToObject(j, "mem", mem);
	}
	if (!strcmp(h->test, "bw")) {
		cJSON_AddStringToObject(j, "op", h->bw.op);
		cJSON_AddNumberToObject(j, "window", h->bw.window);
		cJSON_AddNumberToObject(j, "lanes", h->bw.lanes);
		cJSON_AddBoolToObject(j, "reverse", h->bw.reverse);
		cJSON_AddBoolToObject(j, "bidir", h->bw.bidir);
	}
}

static bool dec_one_size(struct dec *d, size_t i, void *arg)
{
	size_t *sizes = arg;

	if (!cJSON_IsNumber(d->j) || !(d->j->valuedouble >= 1) ||
	    !(d->j->valuedouble <= (double)PROTO_MAX_MSG_SIZE) ||
	    d->j->valuedouble != (double)(size_t)d->j->valuedouble) {
		snprintf(d->err, d->errlen, "'sizes' entry %zu must be a whole number from 1 to %zu",
			 i + 1, PROTO_MAX_MSG_SIZE);
		return false;
	}
	sizes[i] = (size_t)d->j->valuedouble;
	return true;
}

static bool dec_hello(struct dec *d, struct msg *m)
{
	struct msg_hello *h = &m->u.hello;
	long window = 0, lanes = 0;
	bool has_fabric;

	if (!dec_str(d, "test", h->test, sizeof(h->test), false) ||
	    !dec_str(d, "provider", h->provider, sizeof(h->provider), false) ||
	    !dec_array(d, "sizes", 1, EFADIAG_MAX_SIZES, &h->nsizes, dec_one_size, h->sizes) ||
	    !dec_long(d, "iterations", 1, PROTO_MAX_ITERATIONS, &h->iterations) ||
	    !dec_long(d, "warmup", 0, PROTO_MAX_WARMUP, &h->warmup) ||
	    !dec_num(d, "timeout_sec", 0.001, 86400, &h->timeout_sec) ||
	    !dec_str(d, "efadiag_version", h->version, sizeof(h->version), true) ||
	    !dec_opt_str(d, "token", h->token, sizeof(h->token), &h->has_token) ||
	    !dec_opt_str(d, "fabric", h->fabric, sizeof(h->fabric), &has_fabric))
		return false;
	h->verify = dec_bool(d, "verify");
	h->mem = (struct fab_mem_spec){ .kind = FAB_MEM_HOST, .device = -1 };
	if (field(d, "mem")) {
		char mem[16];

		if (!dec_str(d, "mem", mem, sizeof(mem), false))
			return false;
		if (fab_mem_parse(mem, &h->mem))
			return dec_fail(d, "mem", "must be host, cuda or cuda:N (N 0 to 63)");
	}
	h->has_addr = field(d, "endpoint") != NULL;
	if (h->has_addr && !dec_addr_at(d, "endpoint", &h->addr))
		return false;
	if (strcmp(h->test, "bw"))
		return true;
	if (!dec_str(d, "op", h->bw.op, sizeof(h->bw.op), false) ||
	    !dec_long(d, "window", 1, PROTO_MAX_WINDOW, &window) ||
	    !dec_long(d, "lanes", 1, PROTO_MAX_LANES, &lanes))
		return false;
	if (strcmp(h->bw.op, "send") && strcmp(h->bw.op, "write") && strcmp(h->bw.op, "read"))
		return dec_fail(d, "op", "must be send, write or read");
	h->bw.window = (unsigned)window;
	h->bw.lanes = (unsigned)lanes;
	h->bw.reverse = dec_bool(d, "reverse");
	h->bw.bidir = dec_bool(d, "bidir");
	return true;
}

static void enc_ready(cJSON *j, const struct msg *m)
{
	cJSON_AddItemToObject(j, "endpoint", enc_addr(&m->u.ready.addr));
	cJSON_AddStringToObject(j, "efadiag_version", m->u.ready.version);
}

static bool dec_ready(struct dec *d, struct msg *m)
{
	return dec_addr_at(d, "endpoint", &m->u.ready.addr) &&
	       dec_str(d, "efadiag_version", m->u.ready.version, sizeof(m->u.ready.version), true);
}

static void enc_addr_msg(cJSON *j, const struct msg *m)
{
	cJSON_AddItemToObject(j, "endpoint", enc_addr(&m->u.addr));
}

static bool dec_addr_msg(struct dec *d, struct msg *m)
{
	return dec_addr_at(d, "endpoint", &m->u.addr);
}

static void enc_error(cJSON *j, const struct msg *m)
{
	cJSON_AddStringToObject(j, "message", m->u.error.text);
	if (m->u.error.reason[0])
		cJSON_AddStringToObject(j, "reason", m->u.error.reason);
}

static bool dec_error(struct dec *d, struct msg *m)
{
	const cJSON *v = field(d, "message");

	/* A peer's reason is shown as it is, cut to fit: never refused for its length. */
	str_copy(m->u.error.text, sizeof(m->u.error.text),
		 cJSON_IsString(v) ? v->valuestring : "an unspecified error");
	/* The reason only adds advice: one we do not know, or a malformed one, is left out. */
	v = field(d, "reason");
	m->u.error.reason[0] = '\0';
	if (cJSON_IsString(v) && strlen(v->valuestring) < sizeof(m->u.error.reason))
		str_copy(m->u.error.reason, sizeof(m->u.error.reason), v->valuestring);
	return true;
}

static void enc_none(cJSON *j, const struct msg *m)
{
	(void)j;
	(void)m;
}

static bool dec_none(struct dec *d, struct msg *m)
{
	(void)d;
	(void)m;
	return true;
}

static void enc_pp_size(cJSON *j, const struct msg *m)
{
	cJSON_AddNumberToObject(j, "bytes", (double)m->u.pp_size);
}

static bool dec_pp_size(struct dec *d, struct msg *m)
{
	return dec_size(d, "bytes", 1, PROTO_MAX_MSG_SIZE, &m->u.pp_size);
}

static void enc_pp_received(cJSON *j, const struct msg *m)
{
	cJSON_AddNumberToObject(j, "received", (double)m->u.pp_received);
}

static bool dec_pp_received(struct dec *d, struct msg *m)
{
	return dec_long(d, "received", 0, PROTO_MAX_ITERATIONS + PROTO_MAX_WARMUP,
			&m->u.pp_received);
}

static void enc_pp_row(cJSON *j, const struct msg *m)
{
	const struct msg_pp_row *r = &m->u.pp_row;

	cJSON_AddNumberToObject(j, "bytes", (double)r->bytes);
	cJSON_AddNumberToObject(j, "iterations", (double)r->iterations);
	cJSON_AddNumberToObject(j, "lat_min_usec", r->lat_min_usec);
	cJSON_AddNumberToObject(j, "lat_avg_usec", r->lat_avg_usec);
	cJSON_AddNumberToObject(j, "lat_p50_usec", r->lat_p50_usec);
	cJSON_AddNumberToObject(j, "lat_p99_usec", r->lat_p99_usec);
	cJSON_AddNumberToObject(j, "lat_max_usec", r->lat_max_usec);
	cJSON_AddNumberToObject(j, "mb_per_sec", r->mb_per_sec);
}

static bool dec_pp_row(struct dec *d, struct msg *m)
{
	struct msg_pp_row *r = &m->u.pp_row;
	const double big = 1e15;

	return dec_size(d, "bytes", 1, PROTO_MAX_MSG_SIZE, &r->bytes) &&
	       dec_long(d, "iterations", 0, PROTO_MAX_ITERATIONS, &r->iterations) &&
	       dec_num(d, "lat_min_usec", 0, big, &r->lat_min_usec) &&
	       dec_num(d, "lat_avg_usec", 0, big, &r->lat_avg_usec) &&
	       dec_num(d, "lat_p50_usec", 0, big, &r->lat_p50_usec) &&
	       dec_num(d, "lat_p99_usec", 0, big, &r->lat_p99_usec) &&
	       dec_num(d, "lat_max_usec", 0, big, &r->lat_max_usec) &&
	       dec_num(d, "mb_per_sec", 0, big, &r->mb_per_sec);
}

static void enc_bw_lanes(cJSON *j, const struct msg *m)
{
	cJSON *arr = cJSON_AddArrayToObject(j, "lanes");
	size_t i;

	for (i = 0; arr && i < m->u.bw_lanes.n; i++)
		cJSON_AddItemToArray(arr, enc_addr(&m->u.bw_lanes.lanes[i]));
}

static bool dec_one_lane_addr(struct dec *d, size_t i, void *arg)
{
	return dec_addr_obj(d, &((struct ep_addr *)arg)[i]);
}

static bool dec_bw_lanes(struct dec *d, struct msg *m)
{
	return dec_array(d, "lanes", 0, PROTO_MAX_LANES, &m->u.bw_lanes.n, dec_one_lane_addr,
			 m->u.bw_lanes.lanes);
}

static void enc_bw_mr(cJSON *j, const struct msg *m)
{
	cJSON *arr = cJSON_AddArrayToObject(j, "lanes");
	size_t i;

	for (i = 0; arr && i < m->u.bw_mr.n; i++) {
		const struct fab_rkey *k = &m->u.bw_mr.keys[i];
		cJSON *e = cJSON_CreateObject();

		if (!e)
			return;
		enc_u64(e, "addr", k->addr);
		enc_u64(e, "key", k->key);
		if (k->raw_len) {
			enc_hex(e, "raw_key", k->raw, k->raw_len);
			enc_u64(e, "base", k->raw_base);
		}
		cJSON_AddItemToArray(arr, e);
	}
}

static bool dec_one_rkey(struct dec *d, size_t i, void *arg)
{
	struct fab_rkey *k = &((struct fab_rkey *)arg)[i];

	memset(k, 0, sizeof(*k));
	if (!dec_u64(d, "addr", &k->addr) || !dec_u64(d, "key", &k->key))
		return false;
	if (!field(d, "raw_key"))
		return true;
	return dec_hex(d, "raw_key", k->raw, sizeof(k->raw), &k->raw_len) &&
	       dec_u64(d, "base", &k->raw_base);
}

static bool dec_bw_mr(struct dec *d, struct msg *m)
{
	return dec_array(d, "lanes", 1, PROTO_MAX_LANES, &m->u.bw_mr.n, dec_one_rkey,
			 m->u.bw_mr.keys);
}

static void enc_bw_size(cJSON *j, const struct msg *m)
{
	cJSON_AddNumberToObject(j, "bytes", (double)m->u.bw_size.bytes);
	cJSON_AddNumberToObject(j, "count", (double)m->u.bw_size.count);
	cJSON_AddBoolToObject(j, "warmup", m->u.bw_size.warmup);
}

static bool dec_bw_size(struct dec *d, struct msg *m)
{
	m->u.bw_size.warmup = dec_bool(d, "warmup");
	return dec_size(d, "bytes", 1, PROTO_MAX_MSG_SIZE, &m->u.bw_size.bytes) &&
	       dec_long(d, "count", 1, PROTO_MAX_COUNT, &m->u.bw_size.count);
}

static void enc_bw_report(cJSON *j, const struct msg *m)
{
	cJSON *arr = cJSON_AddArrayToObject(j, "lanes");
	size_t i;

	for (i = 0; arr && i < m->u.bw_report.n; i++) {
		const struct lane_report *l = &m->u.bw_report.lanes[i];
		cJSON *e = cJSON_CreateObject();

		if (!e)
			return;
		cJSON_AddNumberToObject(e, "elapsed", l->elapsed);
		cJSON_AddNumberToObject(e, "err", l->err);
		cJSON_AddNumberToObject(e, "bad_offset", (double)l->bad_offset);
		if (l->err_text[0])
			cJSON_AddStringToObject(e, "err_text", l->err_text);
		cJSON_AddItemToArray(arr, e);
	}
}

static bool dec_one_lane_report(struct dec *d, size_t i, void *arg)
{
	struct lane_report *l = &((struct lane_report *)arg)[i];
	const cJSON *t = field(d, "err_text");
	long err;

	memset(l, 0, sizeof(*l));
	if (!dec_num(d, "elapsed", 0, 1e9, &l->elapsed) || !dec_long(d, "err", -100000, 0, &err) ||
	    !dec_long(d, "bad_offset", -1, (long)PROTO_MAX_MSG_SIZE, &l->bad_offset))
		return false;
	l->err = (int)err;
	/* The peer's own words, cut to fit. */
	if (cJSON_IsString(t))
		str_copy(l->err_text, sizeof(l->err_text), t->valuestring);
	return true;
}

static bool dec_bw_report(struct dec *d, struct msg *m)
{
	return dec_array(d, "lanes", 1, PROTO_MAX_LANES, &m->u.bw_report.n, dec_one_lane_report,
			 m->u.bw_report.lanes);
}

static void enc_sg_probe(cJSON *j, const struct msg *m)
{
	cJSON_AddNumberToObject(j, "window_ms", m->u.sg_window_ms);
}

static bool dec_sg_probe(struct dec *d, struct msg *m)
{
	return dec_num(d, "window_ms", 0, 86400e3, &m->u.sg_window_ms);
}

static void enc_sg_report(cJSON *j, const struct msg *m)
{
	const struct msg_sg_report *r = &m->u.sg_report;

	cJSON_AddBoolToObject(j, "small_received", r->small_received);
	cJSON_AddBoolToObject(j, "large_received", r->large_received);
	cJSON_AddNumberToObject(j, "elapsed_ms", r->elapsed_ms);
	cJSON_AddBoolToObject(j, "sent", r->sent);
	cJSON_AddNumberToObject(j, "small_sent", r->sent_count[0]);
	cJSON_AddNumberToObject(j, "large_sent", r->sent_count[1]);
	cJSON_AddNumberToObject(j, "small_delivered", r->delivered_count[0]);
	cJSON_AddNumberToObject(j, "large_delivered", r->delivered_count[1]);
	if (r->has_send_error) {
		cJSON_AddStringToObject(j, "send_error", r->send_error);
		cJSON_AddBoolToObject(j, "send_unreachable", r->send_unreachable);
	}
}

/* An optional count (a field later minor versions added): fallback when absent. */
static bool dec_opt_count(struct dec *d, const char *key, long fallback, long *out)
{
	*out = fallback;
	return !field(d, key) || dec_long(d, key, 0, 1000000, out);
}

static bool dec_sg_report(struct dec *d, struct msg *m)
{
	struct msg_sg_report *r = &m->u.sg_report;
	const cJSON *e = field(d, "send_error");

	r->small_received = dec_bool(d, "small_received");
	r->large_received = dec_bool(d, "large_received");
	r->sent = dec_bool(d, "sent");
	r->send_unreachable = dec_bool(d, "send_unreachable");
	r->has_send_error = cJSON_IsString(e);
	if (r->has_send_error)
		str_copy(r->send_error, sizeof(r->send_error), e->valuestring);
	/* A peer without counts sent one probe of each size. */
	return dec_opt_count(d, "small_sent", 1, &r->sent_count[0]) &&
	       dec_opt_count(d, "large_sent", 1, &r->sent_count[1]) &&
	       dec_opt_count(d, "small_delivered", r->small_received, &r->delivered_count[0]) &&
	       dec_opt_count(d, "large_delivered", r->large_received, &r->delivered_count[1]) &&
	       dec_num(d, "elapsed_ms", 0, 86400e3, &r->elapsed_ms);
}

/* --- the table ---------------------------------------------------------------------------- */

struct kind_def {
	const char *name;
	void (*enc)(cJSON *j, const struct msg *m);
	bool (*dec)(struct dec *d, struct msg *m);
};

static const struct kind_def kinds[MSG_KIND_MAX] = {
	[MSG_HELLO] = { "hello", enc_hello, dec_hello },
	[MSG_READY] = { "ready", enc_ready, dec_ready },
	[MSG_ADDR] = { "addr", enc_addr_msg, dec_addr_msg },
	[MSG_ERROR] = { "error", enc_error, dec_error },
	[MSG_BYE] = { "bye", enc_none, dec_none },
	[MSG_GO] = { "go", enc_none, dec_none },
	[MSG_PP_SIZE] = { "pingpong size", enc_pp_size, dec_pp_size },
	[MSG_PP_ABORT] = { "pingpong abort", enc_none, dec_none },
	[MSG_PP_RECEIVED] = { "pingpong received", enc_pp_received, dec_pp_received },
	[MSG_PP_ROW] = { "pingpong row", enc_pp_row, dec_pp_row },
	[MSG_BW_LANES] = { "bw lanes", enc_bw_lanes, dec_bw_lanes },
	[MSG_BW_MR] = { "bw memory regions", enc_bw_mr, dec_bw_mr },
	[MSG_BW_SIZE] = { "bw size", enc_bw_size, dec_bw_size },
	[MSG_BW_REPORT] = { "bw report", enc_bw_report, dec_bw_report },
	[MSG_SG_SETUP] = { "sg-check setup", enc_addr_msg, dec_addr_msg },
	[MSG_SG_PROBE] = { "sg-check probe", enc_sg_probe, dec_sg_probe },
	[MSG_SG_REPORT] = { "sg-check report", enc_sg_report, dec_sg_report },
};

static const struct kind_def *kind_def(int kind)
{
	return kind > 0 && kind < MSG_KIND_MAX ? &kinds[kind] : NULL;
}

const char *proto_kind_str(int kind)
{
	return kind_def(kind) ? kinds[kind].name : "unknown";
}

char *proto_encode(const struct msg *m)
{
	const struct kind_def *k = kind_def(m->kind);
	cJSON *j;
	char *text;

	if (!k || !(j = cJSON_CreateObject()))
		return NULL;
	k->enc(j, m);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

int proto_decode(int kind, const char *body, size_t len, struct msg *m, char *err, size_t errlen)
{
	const struct kind_def *k = kind_def(kind);
	struct dec d = { .err = err, .errlen = errlen };
	cJSON *j;
	bool ok;

	memset(m, 0, sizeof(*m));
	if (!k) {
		snprintf(err, errlen, "unknown control message type %d", kind);
		return -EPROTO;
	}
	m->kind = (enum msg_kind)kind;
	j = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		snprintf(err, errlen, "malformed %s message (not a JSON object)", k->name);
		return -EPROTO;
	}
	d.j = j;
	ok = k->dec(&d, m);
	cJSON_Delete(j);
	if (!ok) {
		char why[256];

		str_copy(why, sizeof(why), err);
		snprintf(err, errlen, "malformed %s message: %s", k->name, why);
		return -EPROTO;
	}
	return 0;
}

/* --- over a channel ----------------------------------------------------------------------- */

int proto_send(struct oob *o, const struct msg *m, double deadline)
{
	char *text = proto_encode(m);
	int ret;

	if (!text) {
		snprintf(o->err, sizeof(o->err), "cannot encode a %s message (out of memory?)",
			 proto_kind_str(m->kind));
		return -ENOMEM;
	}
	ret = oob_send_frame(o, m->kind, text, strlen(text), deadline);
	cJSON_free(text);
	return ret;
}

int proto_send_kind(struct oob *o, enum msg_kind kind, double deadline)
{
	struct msg m = { .kind = kind };

	return proto_send(o, &m, deadline);
}

int proto_recv(struct oob *o, struct msg *m, double deadline)
{
	char *body = NULL, why[sizeof(o->err)];
	size_t len = 0;
	int type, ret;

	ret = oob_recv_frame(o, &type, &body, &len, deadline);
	if (ret)
		return ret;
	ret = proto_decode(type, body, len, m, why, sizeof(why));
	free(body);
	if (ret)
		snprintf(o->err, sizeof(o->err), "%s from %s", why, o->peer);
	return ret;
}

int proto_expect(struct oob *o, enum msg_kind want, struct msg *m, double deadline)
{
	int ret = proto_recv(o, m, deadline);

	if (ret)
		return ret;
	if (m->kind == MSG_ERROR) {
		snprintf(o->err, sizeof(o->err), "peer reports: %s", m->u.error.text);
		return -ECANCELED;
	}
	if (m->kind != want) {
		snprintf(o->err, sizeof(o->err), "expected a %s message from %s, got %s",
			 proto_kind_str(want), o->peer, proto_kind_str(m->kind));
		return -EPROTO;
	}
	return 0;
}

void proto_send_refusal(struct oob *o, const char *reason, const char *text, double deadline)
{
	struct msg m = { .kind = MSG_ERROR };

	str_copy(m.u.error.text, sizeof(m.u.error.text), text);
	if (reason)
		str_copy(m.u.error.reason, sizeof(m.u.error.reason), reason);
	proto_send(o, &m, deadline);
}

void proto_send_error(struct oob *o, const char *text, double deadline)
{
	proto_send_refusal(o, NULL, text, deadline);
}

/* --- endpoint addresses ------------------------------------------------------------------- */

bool proto_ip_from_text(const char *text, struct sockaddr_storage *ss)
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

int proto_addr_of(struct fab_ep *ep, struct ep_addr *a)
{
	struct sockaddr_storage ss;
	int ret;

	memset(a, 0, sizeof(*a));
	a->len = sizeof(a->raw);
	ret = fab_getname(ep, a->raw, &a->len);
	if (ret)
		return ret;
	/* The IP text lets the peer pick its domain on the same subnet. */
	if (fab_addr_sockaddr(ep, a->raw, a->len, &ss)) {
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a->ip,
				  sizeof(a->ip));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a->ip,
				  sizeof(a->ip));
	}
	str_copy(a->domain, sizeof(a->domain), fab_domain_name(ep));
	str_copy(a->fabric, sizeof(a->fabric), fab_fabric_name(ep));
	str_copy(a->provider, sizeof(a->provider), fab_provider_name(ep));
	return 0;
}

int proto_insert_addr(struct fab_ep *ep, const struct ep_addr *a, fi_addr_t *peer)
{
	return fab_insert_peer(ep, a->raw, a->len, peer);
}
