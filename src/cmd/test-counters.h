/* SPDX-License-Identifier: MIT */
/*
 * The hardware counters of the devices a test ran on (pingpong, bw, sg-check, client side),
 * read before and after it: the deltas go into the result, a line for people names the
 * trouble counters that rose, and verdicts use them (sg-check's blocked, backed by the
 * device's own unresponsive_remote_events). Domains without an rdma device of their name
 * (tcp's interfaces, shm) have no counters and are left out, quietly.
 */
#ifndef EFADIAG_CMD_TEST_COUNTERS_H
#define EFADIAG_CMD_TEST_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "host/hwcounters.h"
#include "ui/out.h"

struct test_counters {
	struct hwc_set *set; /* NULL: no device with counters under the test's domains */
	struct hwc_sample *before;
	/* after test_counters_finish */
	uint64_t unresponsive; /* unresponsive_remote_events that rose, all devices */
	int moved;	       /* trouble counters that rose */
	char line[768];	       /* "rdmap16s27 rx_drops +3, ..." */
};

/* Opens and reads the devices under the domains (before the test's traffic). */
void test_counters_start(struct test_counters *tc, char *const *domains, size_t ndomains);
/* Reads them again and adds "counters" (device -> {counter: delta}) to the document. */
void test_counters_finish(struct test_counters *tc, struct out *o);
/* For people, after the verdict: the trouble counters that rose, when any did. */
void test_counters_print(const struct test_counters *tc, struct out *o);
void test_counters_free(struct test_counters *tc);

#endif
