/* SPDX-License-Identifier: MIT */
/*
 * What EFA hardware counters mean, how they add up over a window of samples, and the health
 * checks a window gives: a trouble counter that rose, the keep-alive rate, one device
 * retransmitting while its siblings do not, devices or counters that vanished, reset or were
 * refused, and counters that are there but count nothing on this hardware.
 */
#ifndef EFADIAG_HWHEALTH_H
#define EFADIAG_HWHEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "host/checks.h"
#include "host/hwcounters.h"

enum hwc_trouble {
	HWC_NORMAL,	  /* traffic, commands: rising is just work */
	HWC_TROUBLE_WARN, /* rising is a sign worth a look */
	HWC_TROUBLE_FAIL, /* rising means something is broken */
};

/* A counter's meaning, and when it is trouble, the likely cause and the next command. */
struct hwc_meaning {
	const char *name;
	const char *help; /* one line, also Prometheus' HELP */
	enum hwc_trouble trouble;
	const char *cause;
	const char *next;
};

/* The meaning of a counter; never NULL (a generic one for names efadiag does not know). */
const struct hwc_meaning *hwc_meaning(const char *name);
/* Where a counter comes in the order people read them (traffic, errors, admin); unknown last. */
int hwc_meaning_rank(const char *name);

/* A device's counters over a window: since the driver loaded (a snapshot) or between samples. */
struct hwc_window {
	bool since_load;	/* a snapshot: deltas are the values themselves */
	double seconds;		/* time covered by the intervals added */
	unsigned intervals;	/* intervals added */
	uint64_t delta[HWC_MAX];
	bool seen[HWC_MAX];	/* the counter had a value at both ends of some interval */
	unsigned resets;	/* intervals in which a counter went backwards */
	char reset_counter[HWC_NAME_LEN]; /* the first that did */
	int err;		/* the latest sample's device error (0 none) */
	int counter_err[HWC_MAX]; /* the latest sample's per-counter errors */
	uint64_t last[HWC_MAX];	/* the latest sample's values (valid where last_ok) */
	bool last_ok[HWC_MAX];
};

/* Starts a window at a first sample (nothing added yet). */
void hwc_window_start(struct hwc_window *w, const struct hwc_sample *first);
/* A window holding the values of one sample as counted since the driver loaded. */
void hwc_window_since_load(struct hwc_window *w, const struct hwc_device *d,
			   const struct hwc_sample *s);
/*
 * Adds the interval prev -> cur: fills delta/valid with the interval's increments (valid false
 * for a counter without a value at both ends, or that went backwards: a reset, never a negative
 * rate). Returns the interval's length in seconds, 0 when it has none (either end unread).
 */
double hwc_window_add(struct hwc_window *w, const struct hwc_device *d,
		      const struct hwc_sample *prev, const struct hwc_sample *cur, uint64_t *delta,
		      bool *valid);
/* Writes "rx_drops +3, cmds_err +1" for the trouble counters that rose; returns how many. */
int hwc_trouble_moved(const struct hwc_device *d, const uint64_t *delta, const bool *valid,
		      char *buf, size_t len);
/* The health checks of the windows (one per device of set) into c. */
void hwc_judge(struct checks *c, const struct hwc_set *set, const struct hwc_window *w);

#endif
