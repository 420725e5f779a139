/* SPDX-License-Identifier: MIT */
/* sg-check's judgement: from both sides' probe reports to a direction each, a verdict, a fix. */
#ifndef EFADIAG_CMD_SGCHECK_H
#define EFADIAG_CMD_SGCHECK_H

#include <stdbool.h>

#include "ctl/proto.h"

/*
 * How one direction went: every probe arrived (ok), some did (partial), none did (timeout), or
 * none did and the provider said why (error).
 */
enum dir_status { DIR_OK, DIR_PARTIAL, DIR_TIMEOUT, DIR_ERROR };

/* What one direction did, from the sender's and the receiver's reports. */
struct dir_result {
	enum dir_status status;
	bool small, large;	   /* at least one probe of the size arrived */
	long sent[2], delivered[2]; /* per size: small, large */
	size_t large_bytes;	    /* the large probe's size; 0 for 64 KiB */
	double elapsed_ms;
	char error[512];
	bool provider_error; /* an error other than unreachable: verdict "error" */
};

struct sg_verdict {
	/* pass, blocked, one_way, size_limited, lossy, control_unreachable, error */
	const char *name;
	int code;	   /* the exit code */
	char line[512];	   /* the one-line verdict for people */
	char remedy[1024]; /* empty for pass */
};

const char *sg_dir_status_str(enum dir_status s);
/* "64KiB" (sep "") or "64 KiB" (sep " ") for a probe size in bytes; 0 is the 64 KiB default. */
const char *sg_size_words(size_t bytes, char *buf, size_t len, const char *sep);
/* Nothing of either size arrived: the only case that says "blocked" about a direction. */
bool sg_dir_dead(const struct dir_result *d);
/* Every small probe arrived, no large one: packets above some size are lost. */
bool sg_dir_size_limited(const struct dir_result *d);
/* One direction: the receiver says what arrived, the sender what it sent and how that ended. */
void sg_direction(struct dir_result *d, const struct msg_sg_report *recv,
		  const struct msg_sg_report *send);
/* The verdict on both directions; me and peer name the two ends in the sentences. */
void sg_judge(struct sg_verdict *v, const struct dir_result *to, const struct dir_result *from,
	      const char *me, const char *peer);

/*
 * Below these, nothing crossing is no proof of a block (see sg_distrust_short_window). A
 * direction's PROBE_PATHS paths over a connection-based provider are connections, which a
 * lossy network can hold back: TCP sends a lost SYN again after 1 s, then 2 s later (Linux's
 * initial RTO of 1 s, doubled each time). Blocked needs both directions dead, every path of
 * both: 1.5 s, past each path's first retry. One-way needs only one direction's three paths
 * held back while the other's got through, which 20% loss on two loaded cores did in 1 run of
 * 20 with windows under 3 s: 3.5 s gives every path its second retry too. Size-limited
 * (small probes crossed, no large one) needs the blocked window too: see sgcheck-verdict.c.
 */
#define SG_MIN_TRUSTED_WINDOW_SEC 1.5
#define SG_MIN_ONE_WAY_WINDOW_SEC 3.5
/*
 * A blocked or size_limited verdict from probes that had less than SG_MIN_TRUSTED_WINDOW_SEC
 * (window_sec; 0: they never ran) of the budget_sec (-t), or a one_way from less than
 * SG_MIN_ONE_WAY_WINDOW_SEC, becomes error, saying the window was too short; every other
 * verdict is kept.
 */
void sg_distrust_short_window(struct sg_verdict *v, double window_sec, double budget_sec);

#endif
