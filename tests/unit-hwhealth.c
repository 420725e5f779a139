// SPDX-License-Identifier: MIT
/* Unit tests of src/host/hwhealth.c: windows of counter samples, resets, meanings. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host/hwhealth.h"
#include "tap.h"

static void device(struct hwc_device *d)
{
	static const char *const names[] = { "tx_bytes", "rx_drops", "keep_alive_rcvd",
					     "no_completion_cmds", "new_thing_err" };
	size_t i;

	memset(d, 0, sizeof(*d));
	strcpy(d->name, "rdmap16s27");
	d->port = 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		strcpy(d->counter[d->n++], names[i]);
}

static void sample(struct hwc_sample *s, double t, uint64_t tx, uint64_t drops)
{
	memset(s, 0, sizeof(*s));
	s->t = t;
	s->val[0].v = tx;
	s->val[1].v = drops;
	s->val[2].v = 100;
}

static void test_window(void)
{
	struct hwc_sample a, b, c;
	struct hwc_device d;
	struct hwc_window w;
	uint64_t delta[HWC_MAX];
	bool valid[HWC_MAX];
	char moved[128];
	double secs;

	device(&d);
	sample(&a, 10.0, 1000, 5);
	sample(&b, 10.5, 1600, 8);
	hwc_window_start(&w, &a);
	secs = hwc_window_add(&w, &d, &a, &b, delta, valid);
	ok(secs == 0.5, "the interval is the time between the readings (%g)", secs);
	ok(valid[0] && delta[0] == 600 && valid[1] && delta[1] == 3, "increments of an interval");
	ok(valid[2] && delta[2] == 0, "a counter that did not move has a delta of 0, not none");
	is_int(hwc_trouble_moved(&d, delta, valid, moved, sizeof(moved)), 1,
	       "one trouble counter rose");
	is_str(moved, "rx_drops +3", "named with its increment");

	/* Backwards: a reset, never a negative rate; the next interval counts again. */
	sample(&c, 11.0, 50, 9);
	hwc_window_add(&w, &d, &b, &c, delta, valid);
	ok(!valid[0], "a counter that went backwards has no delta in that interval");
	ok(valid[1] && delta[1] == 1, "the other counters of the interval still count");
	is_int((int)w.resets, 1, "the window counts the reset");
	is_str(w.reset_counter, "tx_bytes", "and names the first counter that went back");
	sample(&a, 11.5, 80, 9);
	hwc_window_add(&w, &d, &c, &a, delta, valid);
	ok(valid[0] && delta[0] == 30, "counting restarts from the reset");
	ok(w.delta[0] == 630 && w.delta[1] == 4, "the window adds the valid increments (%llu, %llu)",
	   (unsigned long long)w.delta[0], (unsigned long long)w.delta[1]);
	ok(w.seconds == 1.5 && w.intervals == 3, "and their time");

	/* A counter without a value at either end: no delta, the error kept for the checks. */
	sample(&b, 12.0, 90, 9);
	b.val[1].err = -EDOM;
	hwc_window_add(&w, &d, &a, &b, delta, valid);
	ok(!valid[1] && w.counter_err[1] == -EDOM, "junk: no delta, and the error is kept");
	/* A device that did not answer: no interval at all. */
	sample(&c, 12.5, 95, 9);
	c.err = -ETIMEDOUT;
	secs = hwc_window_add(&w, &d, &b, &c, delta, valid);
	ok(secs == 0 && w.err == -ETIMEDOUT, "an unread device gives no interval, and its error");
}

/* The latest values a window keeps: what tells a counter that ever counted from one at 0. */
static void test_last_values(void)
{
	struct hwc_sample a, b;
	struct hwc_device d;
	struct hwc_window w;
	uint64_t delta[HWC_MAX];
	bool valid[HWC_MAX];

	device(&d);
	sample(&a, 1.0, 500, 0);
	hwc_window_since_load(&w, &d, &a);
	ok(w.last_ok[0] && w.last[0] == 500 && w.last_ok[1] && w.last[1] == 0,
	   "a snapshot keeps its values as the latest");
	sample(&b, 2.0, 700, 0);
	b.val[1].err = -ENODEV;
	hwc_window_start(&w, &a);
	hwc_window_add(&w, &d, &a, &b, delta, valid);
	ok(w.last_ok[0] && w.last[0] == 700, "an interval keeps its end's values");
	ok(!w.last_ok[1] && w.counter_err[1] == -ENODEV, "a refused counter has no latest value");
}

static void test_errors(void)
{
	/* amzn-drivers efa_com.c: a closed admin queue answers -ENODEV ("Admin queue is closed"). */
	ok(strstr(hwc_counter_strerror(-ENODEV), "admin queue is closed") != NULL,
	   "a counter read refused with ENODEV is the closed admin queue");
	ok(!strstr(hwc_counter_strerror(-ENODEV), "vanished"), "... not a vanished device");
	ok(strstr(hwc_strerror(-ENODEV), "vanished") != NULL,
	   "a device whose directories are gone did vanish");
	is_str(hwc_counter_strerror(-EDOM), "not a number", "other errors as for devices");
}

static void test_meanings(void)
{
	ok(hwc_meaning("unresponsive_remote_events")->trouble == HWC_TROUBLE_FAIL,
	   "unresponsive_remote_events rising is a failure");
	ok(strstr(hwc_meaning("unresponsive_remote_events")->next, "sg-check") != NULL,
	   "and its next command is sg-check");
	ok(hwc_meaning("tx_bytes")->trouble == HWC_NORMAL, "traffic is no trouble");
	ok(hwc_meaning("keep_alive_rcvd")->trouble == HWC_NORMAL, "keep-alives are no trouble");
	ok(hwc_meaning("new_thing_err")->trouble == HWC_TROUBLE_WARN,
	   "an unknown *_err counter is still trouble");
	ok(hwc_meaning("brand_new_counter")->help[0] != '\0',
	   "an unknown counter gets a generic meaning");
	ok(hwc_meaning_rank("tx_bytes") < hwc_meaning_rank("keep_alive_rcvd") &&
		   hwc_meaning_rank("keep_alive_rcvd") < hwc_meaning_rank("brand_new_counter"),
	   "reading order: traffic, then admin, then unknown");
}

int main(void)
{
	test_window();
	test_last_values();
	test_errors();
	test_meanings();
	return done_testing();
}
