// SPDX-License-Identifier: MIT
/* The hardware counters around a test: before, after, and what rose. */
#include "config.h"

#include "cmd/test-counters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/hwhealth.h"
#include "util.h"

/* A test waits this long, at most, for each reading of the counters (a hung driver read). */
#define COUNTERS_WAIT_SEC 1.0

void test_counters_start(struct test_counters *tc, char *const *domains, size_t ndomains)
{
	memset(tc, 0, sizeof(*tc));
	if (!ndomains)
		return;
	hwc_open_for_domains(&tc->set, domains, ndomains);
	if (!tc->set)
		return;
	tc->before = calloc(hwc_count(tc->set), sizeof(*tc->before));
	if (!tc->before) {
		test_counters_free(tc);
		return;
	}
	hwc_read(tc->set, tc->before, COUNTERS_WAIT_SEC);
}

/* One device's deltas into obj; the trouble counters that rose appended to tc->line. */
static void device_deltas(struct test_counters *tc, cJSON *obj, const struct hwc_device *d,
			  const struct hwc_sample *before, const struct hwc_sample *after)
{
	uint64_t delta[HWC_MAX];
	bool valid[HWC_MAX];
	struct hwc_window w;
	char moved[512];
	size_t i, used = strlen(tc->line);
	int k;

	hwc_window_start(&w, before);
	if (hwc_window_add(&w, d, before, after, delta, valid) <= 0)
		return;
	for (i = 0; i < d->n; i++)
		if (valid[i])
			cJSON_AddNumberToObject(obj, d->counter[i], (double)delta[i]);
	k = hwc_index(d, "unresponsive_remote_events");
	if (k >= 0 && valid[k])
		tc->unresponsive += delta[k];
	if (!hwc_trouble_moved(d, delta, valid, moved, sizeof(moved)))
		return;
	tc->moved++;
	snprintf(tc->line + used, sizeof(tc->line) - used, "%s%s %s", used ? "; " : "", d->name,
		 moved);
}

void test_counters_finish(struct test_counters *tc, struct out *o)
{
	struct hwc_sample *after;
	cJSON *all;
	size_t i;

	if (!tc->set)
		return;
	after = calloc(hwc_count(tc->set), sizeof(*after));
	all = cJSON_AddObjectToObject(out_root(o), "counters");
	if (!after || !all) {
		free(after);
		return;
	}
	hwc_read(tc->set, after, COUNTERS_WAIT_SEC);
	for (i = 0; i < hwc_count(tc->set); i++) {
		cJSON *obj = cJSON_AddObjectToObject(all, hwc_device(tc->set, i)->name);

		if (obj)
			device_deltas(tc, obj, hwc_device(tc->set, i), &tc->before[i], &after[i]);
	}
	free(after);
}

void test_counters_print(const struct test_counters *tc, struct out *o)
{
	if (tc->moved)
		out_text(o, "EFA hardware counters that rose during the test: %s (efadiag stats "
			 "explains each one)\n", tc->line);
}

void test_counters_free(struct test_counters *tc)
{
	hwc_close(tc->set);
	free(tc->before);
	tc->set = NULL;
	tc->before = NULL;
}
