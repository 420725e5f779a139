/* SPDX-License-Identifier: MIT */
/* efadiag bw's shared state, and its two helpers: lane setup with the peer, and the report. */
#ifndef EFADIAG_CMD_BW_H
#define EFADIAG_CMD_BW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/test.h"
#include "ctl/session.h"
#include "efadiag.h"
#include "host/pcitopo.h"
#include "measure/lanes.h"
#include "ui/out.h"

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* A domain below this share of the median of its siblings is flagged. */
#define BW_WEAK_SHARE 0.8

/* The bw options both ends agree on, carried in the hello. */
struct bw_cfg {
	enum lane_op op;
	bool reverse, bidir, verify;
	unsigned window;
	size_t nlanes;
	double stall_sec;
};

/* One size's result, aggregate and per lane. */
struct bw_row {
	size_t bytes;
	long count;
	double gbps, rate_mps;
	double lane_gbps[LANE_MAX], lane_rate_mps[LANE_MAX];
	bool weak[LANE_MAX];
};

/* Which GPU a lane's buffer is on with --mem cuda, and how it is linked to the NIC. */
struct bw_lane_gpu {
	int gpu;	    /* CUDA ordinal; -1 for host memory */
	bool nearest;	    /* chosen as the GPU nearest the domain's NIC */
	char nic_pci[32];   /* "" when the domain has no PCI device of its own */
	enum pci_link link; /* NIC to GPU */
	int steps;	    /* edges of the PCIe tree between them, -1 unknown */
	enum fab_mr_path path;
	char dmabuf_error[256];
};

/* What a run found, on either side; rendered once at the end. */
struct bw_report {
	struct bw_row rows[EFADIAG_MAX_SIZES];
	size_t nrows;
	size_t nlanes;
	char domains[LANE_MAX][64], peer_domains[LANE_MAX][64];
	struct bw_lane_gpu gpu[LANE_MAX];
	double peak_gbps;
	size_t peak_size;
	/* The instance's line rate, for the share of it reached (0: not known). */
	int line_rate_gbps;
	char instance_type[64];
	struct test_stop stop;
	struct test_gdr gdr; /* the first lane whose GPU memory has no GPUDirect RDMA */
	struct out_table *t; /* the results, printed row by row as sizes are measured */
	bool pairs_shown;    /* the GPU-NIC pairs are out (before the first row) */
};

struct bw {
	struct ctx *ctx;
	struct session *s;
	struct bw_cfg cfg;
	bool server;
	/* Lane 0 uses the session's endpoint; lanes 1.. open their own here. */
	struct fab_ep eps[LANE_MAX];
	struct fab_buf bufs[LANE_MAX];
	struct lane lanes[LANE_MAX];
	struct bw_report rep;
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
/* Stops every lane (each ends its operations), closes the endpoints, then frees the buffers. */
void bw_close_lanes(struct bw *b);

/* --- bw-report.c: results, failures and the verdict ---------------------------------------- */

/* The median of v (reordered in place); 0 for none. */
double bw_median(double *v, size_t n);
/* Whether lane i is weak: below BW_WEAK_SHARE of the median of the other lanes. */
bool bw_is_weak(const double *gbps, size_t n, size_t i);
/* Lane i's elapsed time for the measurement: the later of the two sides' active parts. */
double bw_lane_elapsed(const struct bw *b, size_t i, const struct msg_bw_report *peer);
/* A failure on either side's lanes: recorded in b->rep, returns the exit code (0: none). */
int bw_lane_failures(struct bw *b, size_t size, const struct msg_bw_report *peer);
/* One result row from both sides' lane timings, added to b->rep. */
/*
 * The results table, once the lanes are up and before the first size: each row is shown as
 * soon as bw_add_row has it, in columns laid out from the sizes and counts to run (widest_count:
 * the largest count a size may run).
 */
void bw_rows_begin(struct bw *b, const size_t *sizes, size_t nsizes, long widest_count);
void bw_add_row(struct bw *b, size_t size, long count, const struct msg_bw_report *peer);
const char *bw_op_str(enum lane_op op);
/* The results table, and for the client the per-domain table and the verdict: the exit code. */
int bw_render(struct out *o, struct bw *b);

#endif
