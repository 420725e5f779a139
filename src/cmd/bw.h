/* SPDX-License-Identifier: MIT */
/* efadiag bw's shared state, and its two helpers: lane setup with the peer, and the report. */
#ifndef EFADIAG_BW_H
#define EFADIAG_BW_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "efadiag.h"
#include "measure/lanes.h"
#include "ui/out.h"
#include "ctl/session.h"

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* The bw options both ends agree on, carried in the hello. */
struct bw_cfg {
	enum lane_op op;
	bool reverse, bidir, verify;
	unsigned window;
	size_t nlanes;
	double stall_sec;
};

struct bw {
	struct ctx *ctx;
	struct session *s;
	struct bw_cfg cfg;
	bool server;
	struct lane lanes[LANE_MAX];
	char peer_domains[LANE_MAX][64];
	/* uint64 keys mapped from raw keys (FI_MR_RAW), to unmap at the end */
	uint64_t mapped_key[LANE_MAX];
	bool mapped[LANE_MAX];
};

/* Read and write are asked for separately: some devices offer RDMA read only (p4d). */
static inline uint64_t bw_caps(enum lane_op op)
{
	return op == LANE_SEND  ? FI_MSG :
	       op == LANE_WRITE ? FI_MSG | FI_RMA | FI_WRITE | FI_REMOTE_WRITE :
				  FI_MSG | FI_RMA | FI_READ | FI_REMOTE_READ;
}

/* --- bw-lanes.c: one endpoint per domain, addresses and memory keys swapped with the peer -- */

/* The client's lanes 1.. on names[], then addresses and (for RMA) keys swapped: 0 or an exit code. */
int bw_client_lanes(struct bw *b, char **names, size_t max_size);
/* The server's answer to that: lanes on the domains matching the client's, 0 or an exit code. */
int bw_server_lanes(struct bw *b);
/* Stops every lane's thread and closes its endpoint, last first. */
void bw_close_lanes(struct bw *b);

/* --- bw-report.c: results, failures and the verdict ---------------------------------------- */

/* Lane i's elapsed time for the measurement: the later of the two sides' active parts. */
double bw_lane_elapsed(const struct bw *b, size_t i, const cJSON *peer);
/* A failure on either side's lanes: says which and returns the exit code (0: none). */
int bw_lane_failures(struct bw *b, size_t size, const cJSON *peer);
/* One result row: aggregate over lanes, per domain when there are several. Returns Gbit/s. */
double bw_add_row(struct bw *b, struct out_table *t, size_t size, long count, const cJSON *peer);
/* The per-domain table of the last row, and the one-line verdict (WEAK fails the run). */
void bw_finish_report(struct bw *b, const cJSON *last, double peak, size_t peak_size);

#endif
