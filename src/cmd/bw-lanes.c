// SPDX-License-Identifier: MIT
/*
 * bw's lanes: one endpoint per domain. Lane 0 comes from the session's handshake; the others
 * are opened here and their fabric addresses, then for RMA their memory keys, are swapped with
 * the peer over the control channel.
 */
#include <rdma/fi_domain.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/bw.h"
#include "fabric/discover.h"
#include "util.h"

static int open_lane(struct bw *b, size_t i, char *domain, const struct sockaddr *peer,
		     size_t max_size)
{
	struct fab_open_args fa = { .provider = b->s->p.provider, .domains = domain ? &domain : NULL,
				    .ndomains = domain ? 1 : 0, .peer = peer,
				    .caps = bw_caps(b->cfg.op),
				    .buf_size = lane_buf_size(max_size, b->cfg.window, b->cfg.verify) };

	if (fab_open(&b->lanes[i].fab, &fa)) {
		out_error(b->ctx->out, "domain %s: %s", domain ? domain : "(any)",
			  b->lanes[i].fab.err_text);
		return -1;
	}
	return 0;
}

static cJSON *lane_addresses(struct bw *b)
{
	cJSON *msg = cJSON_CreateObject(), *arr = msg ? cJSON_AddArrayToObject(msg, "lanes") : NULL;
	size_t i;

	if (!arr) {
		cJSON_Delete(msg);
		return NULL;
	}
	for (i = 1; i < b->cfg.nlanes; i++) {
		cJSON *a = cJSON_CreateObject();

		if (!a || session_add_address(&b->lanes[i].fab, a)) {
			cJSON_Delete(a);
			cJSON_Delete(msg);
			return NULL;
		}
		cJSON_AddItemToArray(arr, a);
	}
	return msg;
}

static int insert_lane_addresses(struct bw *b, const cJSON *msg)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(msg, "lanes"), *a;
	char err[256];
	size_t i = 1;

	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != b->cfg.nlanes - 1) {
		out_error(b->ctx->out, "the peer sent %d lane addresses, %zu expected",
			  cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0, b->cfg.nlanes - 1);
		return -1;
	}
	cJSON_ArrayForEach(a, arr) {
		const cJSON *dom = cJSON_GetObjectItemCaseSensitive(a, "domain");

		if (session_insert_address(&b->lanes[i].fab, a, err, sizeof(err))) {
			out_error(b->ctx->out, "lane %zu: %s", i, err);
			return -1;
		}
		str_copy(b->peer_domains[i], sizeof(b->peer_domains[i]),
			 cJSON_IsString(dom) ? dom->valuestring : "?");
		i++;
	}
	return 0;
}

/* Describes our registered memory for the peer's RMA, per lane (raw keys as hex). */
static cJSON *mr_message(struct bw *b)
{
	cJSON *msg = cJSON_CreateObject(), *arr = msg ? cJSON_AddArrayToObject(msg, "lanes") : NULL;
	size_t i;

	for (i = 0; arr && i < b->cfg.nlanes; i++) {
		struct fab *f = &b->lanes[i].fab;
		cJSON *m = cJSON_CreateObject();
		uint64_t addr, key;
		char text[32];

		if (!m)
			break;
		cJSON_AddItemToArray(arr, m);
		if (f->info->domain_attr->mr_mode & FI_MR_RAW) {
			unsigned char raw[256];
			char hex[2 * sizeof(raw) + 1];
			size_t ks = sizeof(raw);
			uint64_t base = 0;

			if (fi_mr_raw_attr(f->mr, &base, raw, &ks, 0))
				continue;
			fab_addr_to_hex(raw, ks, hex, sizeof(hex));
			cJSON_AddStringToObject(m, "raw_key", hex);
			snprintf(text, sizeof(text), "%llu", (unsigned long long)base);
			cJSON_AddStringToObject(m, "base", text);
		}
		if (lane_describe_mr(&b->lanes[i], &addr, &key))
			continue;
		/* 64-bit values as strings: JSON numbers lose precision past 2^53. */
		snprintf(text, sizeof(text), "%llu", (unsigned long long)addr);
		cJSON_AddStringToObject(m, "addr", text);
		snprintf(text, sizeof(text), "%llu", (unsigned long long)key);
		cJSON_AddStringToObject(m, "key", text);
	}
	return msg;
}

static int take_mr_message(struct bw *b, const cJSON *msg)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(msg, "lanes"), *m;
	size_t i = 0;

	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != b->cfg.nlanes) {
		out_error(b->ctx->out, "the peer described %d memory regions, %zu expected",
			  cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0, b->cfg.nlanes);
		return -1;
	}
	cJSON_ArrayForEach(m, arr) {
		const cJSON *addr = cJSON_GetObjectItemCaseSensitive(m, "addr");
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(m, "key");
		const cJSON *raw = cJSON_GetObjectItemCaseSensitive(m, "raw_key");
		const cJSON *base = cJSON_GetObjectItemCaseSensitive(m, "base");
		struct lane_remote *r = &b->lanes[i].remote;
		struct fab *f = &b->lanes[i].fab;

		if (!cJSON_IsString(addr) || !cJSON_IsString(key)) {
			out_error(b->ctx->out, "lane %zu: the peer's memory region has no key", i);
			return -1;
		}
		r->addr = strtoull(addr->valuestring, NULL, 10);
		r->key = strtoull(key->valuestring, NULL, 10);
		if ((f->info->domain_attr->mr_mode & FI_MR_RAW) && cJSON_IsString(raw) &&
		    cJSON_IsString(base)) {
			unsigned char rk[256];
			size_t ks = sizeof(rk);

			if (fab_addr_from_hex(raw->valuestring, rk, &ks) ||
			    fi_mr_map_raw(f->domain, strtoull(base->valuestring, NULL, 10), rk, ks,
					  &r->key, 0)) {
				out_error(b->ctx->out, "lane %zu: fi_mr_map_raw of the peer's key failed", i);
				return -1;
			}
			b->mapped[i] = true;
			b->mapped_key[i] = r->key;
		}
		r->have = true;
		i++;
	}
	return 0;
}

/* Sends msg (tagged with phase) and hands the peer's answer to take: 0, or -1 reported. */
static int swap_with_peer(struct bw *b, cJSON *msg, const char *phase, double reply_deadline,
			  int (*take)(struct bw *, const cJSON *))
{
	cJSON *reply = NULL;
	int ret;

	cJSON_AddStringToObject(msg, "phase", phase);
	ret = oob_send(&b->s->oob, OOB_SYNC, msg, session_deadline(b->s));
	cJSON_Delete(msg);
	if (!ret)
		ret = oob_expect(&b->s->oob, OOB_SYNC, &reply, reply_deadline);
	if (ret)
		out_error(b->ctx->out, "%s", b->s->oob.err);
	else
		ret = take(b, reply);
	cJSON_Delete(reply);
	return ret ? -1 : 0;
}

int bw_client_lanes(struct bw *b, char **names, size_t max_size)
{
	size_t i;

	for (i = 1; i < b->cfg.nlanes; i++)
		if (open_lane(b, i, names[i], NULL, max_size))
			return EXIT_ERROR;
	/* The server opens its lanes before answering: allow it a second timeout. */
	if (b->cfg.nlanes > 1 &&
	    swap_with_peer(b, lane_addresses(b), "lanes", 2 * b->s->p.timeout_sec + now_sec(),
			   insert_lane_addresses))
		return EXIT_ERROR;
	if (b->cfg.op != LANE_SEND &&
	    swap_with_peer(b, mr_message(b), "mr", session_deadline(b->s), take_mr_message))
		return EXIT_ERROR;
	return 0;
}

int bw_server_lanes(struct bw *b)
{
	cJSON *msg = NULL, *reply;
	const cJSON *arr, *a;
	char *names[LANE_MAX] = { 0 };
	size_t nnames = 0, i = 1;
	int ret, code = 0;

	if (b->cfg.nlanes > 1) {
		ret = oob_expect(&b->s->oob, OOB_SYNC, &msg, session_deadline(b->s));
		arr = cJSON_GetObjectItemCaseSensitive(msg, "lanes");
		if (ret || !cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != b->cfg.nlanes - 1) {
			out_error(b->ctx->out, "client %s: %s", b->s->oob.peer,
				  ret ? b->s->oob.err : "bad lanes message");
			cJSON_Delete(msg);
			return EXIT_ERROR;
		}
		/* Our domains, in order, for providers whose addresses say nothing of subnets. */
		if (b->ctx->opt.ndomains)
			for (; nnames < b->ctx->opt.ndomains && nnames < LANE_MAX; nnames++)
				names[nnames] = strdup(b->ctx->opt.domains[nnames]);
		else
			nnames = fabric_domain_names(b->s->p.provider, names, LANE_MAX);
		cJSON_ArrayForEach(a, arr) {
			struct sockaddr_storage ss;
			const cJSON *ip = cJSON_GetObjectItemCaseSensitive(a, "ip");
			const cJSON *dom = cJSON_GetObjectItemCaseSensitive(a, "domain");
			struct sockaddr *peer = NULL;
			char err[256];

			memset(&ss, 0, sizeof(ss));
			if (cJSON_IsString(ip) && session_ip_from_text(ip->valuestring, &ss))
				peer = (struct sockaddr *)&ss;
			/* Fewer domains than lanes: several endpoints share one (shm has one domain). */
			if ((!peer && !nnames) ||
			    open_lane(b, i, peer ? NULL : names[i % (nnames ? nnames : 1)], peer,
				      session_max_size(&b->s->p)) ||
			    session_insert_address(&b->lanes[i].fab, a, err, sizeof(err))) {
				if (!peer && !nnames)
					out_error(b->ctx->out, "provider %s has no domain here",
						  b->s->p.provider);
				code = EXIT_ERROR;
				break;
			}
			str_copy(b->peer_domains[i], sizeof(b->peer_domains[i]),
				 cJSON_IsString(dom) ? dom->valuestring : "?");
			i++;
		}
		cJSON_Delete(msg);
		for (i = 0; i < LANE_MAX; i++)
			free(names[i]);
		if (code) {
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(out_root(b->ctx->out), "error"), "message");

			oob_send_error(&b->s->oob, cJSON_IsString(m) ? m->valuestring : "lane setup failed",
				       now_sec() + 1);
			return code;
		}
		reply = lane_addresses(b);
		ret = oob_send(&b->s->oob, OOB_SYNC, reply, session_deadline(b->s));
		cJSON_Delete(reply);
		if (ret)
			return EXIT_ERROR;
	}
	if (b->cfg.op == LANE_SEND)
		return 0;
	ret = oob_expect(&b->s->oob, OOB_SYNC, &msg, session_deadline(b->s));
	if (ret || take_mr_message(b, msg)) {
		if (ret)
			out_error(b->ctx->out, "client %s: %s", b->s->oob.peer, b->s->oob.err);
		cJSON_Delete(msg);
		return EXIT_ERROR;
	}
	cJSON_Delete(msg);
	reply = mr_message(b);
	ret = oob_send(&b->s->oob, OOB_SYNC, reply, session_deadline(b->s));
	cJSON_Delete(reply);
	return ret ? EXIT_ERROR : 0;
}

void bw_close_lanes(struct bw *b)
{
	size_t i;

	for (i = b->cfg.nlanes; i > 0; i--) {
		struct lane *l = &b->lanes[i - 1];

		if (b->mapped[i - 1] && l->fab.domain)
			fi_mr_unmap_key(l->fab.domain, b->mapped_key[i - 1]);
		lane_stop(l);
		lane_join(l);
		fab_close(&l->fab);
	}
}
