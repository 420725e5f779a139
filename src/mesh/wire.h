/* SPDX-License-Identifier: MIT */
/*
 * What ranks tell each other through PMIx, as text: a rank's card (host name, domains and
 * their fabric addresses) and its results (what it saw of each pair). Parsing is strict and
 * bounded: a value from another process is input like any other.
 */
#ifndef EFADIAG_MESH_WIRE_H
#define EFADIAG_MESH_WIRE_H

#include <stddef.h>

#include "fabric/endpoint.h"
#include "mesh/judge.h"

#define MESH_HOST_MAX 256
#define MESH_DOMAIN_MAX 128

/* One NIC of a rank: its domain and the addresses of its latency and bandwidth endpoints. */
struct mesh_nic {
	char domain[MESH_DOMAIN_MAX];
	unsigned char lat_addr[FAB_ADDR_MAX], bw_addr[FAB_ADDR_MAX];
	size_t lat_len, bw_len;
};

struct mesh_card {
	char host[MESH_HOST_MAX];
	int nnics;
	struct mesh_nic nics[MESH_MAX_LANES];
};

/* A malloc'd string, or NULL when out of memory. */
char *mesh_card_encode(const struct mesh_card *c);
/* 0, or -1 when s is not a card. */
int mesh_card_decode(const char *s, struct mesh_card *c);

char *mesh_sides_encode(const struct mesh_side *sides, size_t n);
/* Fills up to max sides; returns how many, or -1 when s is malformed. */
int mesh_sides_decode(const char *s, struct mesh_side *sides, size_t max);

#endif
