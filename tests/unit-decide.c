// SPDX-License-Identifier: MIT
/*
 * Unit tests of the decisions efadiag takes from measurements: sg-check's verdict
 * (src/cmd/sgcheck-verdict.c), bw's weak-domain flag (src/cmd/bw-report.c) and the domain
 * choice (src/fabric/discover.c), the gpudirect check (src/host/gpudirect.c) and how sysfs
 * text is made printable (src/host/sysfs.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <rdma/fabric.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/bw.h"
#include "cmd/sgcheck.h"
#include "measure/probe.h"
#include "efadiag.h"
#include "fabric/discover.h"
#include "host/gpudirect.h"
#include "host/pcitopo.h"
#include "host/sysfs.h"
#include "tap.h"

/* --- sg-check ----------------------------------------------------------------------------- */

static const char remedy_rules[] =
	"Add to the security group of BOTH nodes an inbound rule and an outbound rule allowing All "
	"traffic with the security group itself as source and destination (the self-referencing "
	"rule), and keep the nodes in the same subnet and Availability Zone: EFA traffic is not "
	"routable.";
static const char remedy_error[] =
	"This is not a firewall symptom: check 'efadiag info' on both nodes (devices, FI_* "
	"variables, libfabric version).";

/* A side's report: what it received, and how its own sends ended (err NULL: no error). */
static struct msg_sg_report report(bool small, bool large, const char *err, bool unreachable)
{
	struct msg_sg_report r;

	memset(&r, 0, sizeof(r));
	r.small_received = small;
	r.large_received = large;
	r.elapsed_ms = small && large ? 12.5 : 2000;
	r.sent = !err;
	/* Every path tried each size; what arrived of the peer's, all or nothing. */
	r.sent_count[0] = r.sent_count[1] = PROBE_PATHS;
	r.delivered_count[0] = small ? PROBE_PATHS : 0;
	r.delivered_count[1] = large ? PROBE_PATHS : 0;
	if (err) {
		r.has_send_error = true;
		snprintf(r.send_error, sizeof(r.send_error), "%s", err);
		r.send_unreachable = unreachable;
	}
	return r;
}

/* A receiver's report with these counts of the peer's probes arrived (of PROBE_PATHS each). */
static struct msg_sg_report got(long small, long large)
{
	struct msg_sg_report r = report(small > 0, large > 0, NULL, false);

	r.delivered_count[0] = small;
	r.delivered_count[1] = large;
	r.elapsed_ms = 2000;
	return r;
}

static void has(const char *text, const char *want, const char *name)
{
	if (!ok(text && strstr(text, want), "%s", name))
		printf("#   '%s' lacks '%s'\n", text ? text : "(null)", want);
}

static void test_sg_direction(void)
{
	struct msg_sg_report recv, send;
	struct dir_result d;

	recv = report(true, true, NULL, false);
	send = report(true, true, NULL, false);
	memset(&d, 0x55, sizeof(d));
	sg_direction(&d, &recv, &send);
	is_int(d.status, DIR_OK, "both probes arrived: ok");
	ok(d.small && d.large, "both probes arrived: small and large");
	ok(d.elapsed_ms == 12.5, "direction takes the receiver's elapsed_ms (%g)", d.elapsed_ms);
	is_str(d.error, "", "ok direction has no error text");
	ok(!d.provider_error, "ok direction is no provider error");

	/* Both arrived although the sender reports an error: they arrived, that decides. */
	send = report(true, true, "Input/output error", false);
	sg_direction(&d, &recv, &send);
	is_int(d.status, DIR_OK, "both arrived despite a send error: ok");
	ok(!d.provider_error, "both arrived despite a send error: no provider error");

	recv = report(false, false, NULL, false);
	send = report(true, true, NULL, false);
	sg_direction(&d, &recv, &send);
	is_int(d.status, DIR_TIMEOUT, "nothing arrived, sends fine: timeout");
	is_str(d.error, "", "nothing arrived: no error text");
	ok(!d.small && !d.large, "nothing arrived: neither probe");
	ok(d.elapsed_ms == 2000, "timeout elapsed_ms is the window (%g)", d.elapsed_ms);

	recv = report(true, false, NULL, false);
	sg_direction(&d, &recv, &send);
	is_int(d.status, DIR_PARTIAL, "only small probes arrived: partial, not timeout");
	is_str(d.error, "only 64 B probes arrived", "only small probes: says so");
	ok(d.small && !d.large, "only small probes: small yes, large no");
	ok(sg_dir_size_limited(&d), "every small probe and no large one: size limited");
	ok(!sg_dir_dead(&d), "only small probes: not dead");
	ok(!d.provider_error, "only small probes: no provider error");

	recv = report(false, true, NULL, false);
	sg_direction(&d, &recv, &send);
	is_int(d.status, DIR_PARTIAL, "only large probes arrived: partial");
	is_str(d.error, "some probes did not arrive", "only large probes: says some are missing");
	ok(!sg_dir_size_limited(&d), "only large probes: not size limited");

	/* Counts: what was sent and what arrived, per size. */
	recv = got(2, 3);
	sg_direction(&d, &recv, &send);
	is_int(d.status, DIR_PARTIAL, "2 of 3 small, 3 of 3 large: partial");
	ok(d.sent[0] == PROBE_PATHS && d.delivered[0] == 2 && d.sent[1] == PROBE_PATHS &&
		   d.delivered[1] == 3, "the direction keeps sent and delivered per size");
	recv = got(1, 0);
	sg_direction(&d, &recv, &send);
	is_int(d.status, DIR_PARTIAL, "1 of 3 small, no large: partial");
	ok(!sg_dir_size_limited(&d), "small ones missing too: loss, not a size limit");
	recv = got(PROBE_PATHS, PROBE_PATHS);
	sg_direction(&d, &recv, &send);
	is_int(d.status, DIR_OK, "all of both sizes: ok");

	recv = report(false, false, NULL, false);
	send = report(true, true, "Input/output error", false);
	sg_direction(&d, &recv, &send);
	is_int(d.status, DIR_ERROR, "a send error that is not unreachable: error");
	is_str(d.error, "Input/output error", "the send error's text is kept");
	ok(d.provider_error, "a send error that is not unreachable is a provider error");

	send = report(true, true, "Host is unreachable", true);
	sg_direction(&d, &recv, &send);
	is_int(d.status, DIR_ERROR, "an unreachable send error: error status");
	is_str(d.error, "Host is unreachable", "the unreachable error's text is kept");
	ok(!d.provider_error, "an unreachable send error is not a provider error");

	is_str(sg_dir_status_str(DIR_OK), "ok", "status ok named");
	is_str(sg_dir_status_str(DIR_PARTIAL), "partial", "status partial named");
	is_str(sg_dir_status_str(DIR_TIMEOUT), "timeout", "status timeout named");
	is_str(sg_dir_status_str(DIR_ERROR), "error", "status error named");
}

/* The two directions from four reports; to = my sends to the peer, from = the peer's to me. */
static void judge(struct sg_verdict *v, const struct msg_sg_report *mine,
		  const struct msg_sg_report *theirs)
{
	struct dir_result to, from;

	sg_direction(&to, theirs, mine);
	sg_direction(&from, mine, theirs);
	sg_judge(v, &to, &from, "nodeA", "nodeB");
}

static void test_sg_judge(void)
{
	struct msg_sg_report mine, theirs;
	struct sg_verdict v;

	mine = report(true, true, NULL, false);
	theirs = report(true, true, NULL, false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "pass", "both ways: pass");
	is_int(v.code, 0, "pass exits 0");
	is_str(v.line, "OK: fabric traffic crosses both ways between nodeA and nodeB",
	       "pass line");
	is_str(v.remedy, "", "pass has no remedy");

	mine = report(false, false, NULL, false);
	theirs = report(false, false, NULL, false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "blocked", "neither way: blocked");
	is_int(v.code, 1, "blocked exits 1");
	is_str(v.line, "FAIL: blocked: no fabric traffic crosses between nodeA and nodeB (the control "
		       "path works)", "blocked line");
	is_str(v.remedy, remedy_rules, "blocked remedy: the self-referencing rules");

	/* Some of one size arrived each way: traffic crosses, so never blocked. */
	mine = report(true, false, NULL, false);
	theirs = report(false, true, NULL, false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "size_limited", "all small one way, only large the other: size_limited");
	mine = got(1, 0);
	theirs = got(0, 2);
	judge(&v, &mine, &theirs);
	is_str(v.name, "lossy", "some of one size each way: lossy, not blocked");
	is_int(v.code, 1, "lossy exits 1");

	/* nodeA -> nodeB dropped: the peer received nothing, nodeA did. */
	mine = report(true, true, NULL, false);
	theirs = report(false, false, NULL, false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "one_way", "A to B dropped: one_way");
	is_int(v.code, 1, "one_way exits 1");
	is_str(v.line, "FAIL: one_way: nodeA -> nodeB is dropped, nodeB -> nodeA works",
	       "A to B dropped: line names A as the sender");
	has(v.remedy, "inbound All-traffic rule (source: the security group itself) on nodeB's "
		      "security group", "A to B dropped: inbound rule on the receiver B");
	has(v.remedy, "outbound All-traffic rule (destination: the security group itself) on "
		      "nodeA's.", "A to B dropped: outbound rule on the sender A");

	/* nodeB -> nodeA dropped. */
	mine = report(false, false, NULL, false);
	theirs = report(true, true, NULL, false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "one_way", "B to A dropped: one_way");
	is_int(v.code, 1, "B to A one_way exits 1");
	is_str(v.line, "FAIL: one_way: nodeB -> nodeA is dropped, nodeA -> nodeB works",
	       "B to A dropped: line names B as the sender");
	has(v.remedy, "on nodeA's security group", "B to A dropped: inbound rule on the receiver A");
	has(v.remedy, "on nodeB's.", "B to A dropped: outbound rule on the sender B");

	/* Only small probes from A arrived (an MTU black hole one way): size limited. */
	mine = report(true, true, NULL, false);
	theirs = report(true, false, NULL, false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "size_limited", "A to B lost the large probes: size_limited, not one_way");
	is_int(v.code, 1, "size_limited exits 1");
	is_str(v.line, "FAIL: size_limited: 64 B probes cross, 64 KiB probes do not (nodeA -> nodeB): "
		       "large packets are lost on the way", "size_limited line names the direction");
	has(v.remedy, "MTU", "size_limited remedy: the MTU");
	has(v.remedy, "jumbo frames", "size_limited remedy: jumbo frames");
	has(v.remedy, "fragmented", "size_limited remedy: fragmentation");
	has(v.remedy, "middlebox", "size_limited remedy: a middlebox");
	ok(!strstr(v.remedy, "inbound rule") && !strstr(v.remedy, "self-referencing"),
	   "size_limited remedy: no security group rule to add");

	/* Large packets lost both ways: the MTU black hole of the issue. */
	mine = report(true, false, NULL, false);
	theirs = report(true, false, NULL, false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "size_limited", "large lost both ways, small all crossing: size_limited");
	has(v.line, "(both ways)", "size_limited both ways: says so");

	/* A dead direction outweighs a size limit the other way: one way. */
	mine = report(true, false, NULL, false);
	theirs = report(false, false, NULL, false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "one_way", "nothing A to B, only small B to A: one_way");
	is_str(v.line, "FAIL: one_way: nodeA -> nodeB is dropped, nodeB -> nodeA crosses (not every probe "
		       "arrived)", "one_way with loss the other way: the line does not say it works");

	/* Loss: some of each size each way, or all one way and some the other. */
	mine = got(PROBE_PATHS, PROBE_PATHS);
	theirs = got(2, 1);
	judge(&v, &mine, &theirs);
	is_str(v.name, "lossy", "2/3 small and 1/3 large A to B: lossy");
	is_int(v.code, 1, "lossy exits 1");
	is_str(v.line, "FAIL: lossy: fabric traffic crosses both ways, but not all of it in time "
		       "(nodeA -> nodeB: 2/3 small, 1/3 large; nodeB -> nodeA: 3/3 small, 3/3 large)",
	       "lossy line: the counts of both directions");
	has(v.remedy, "intermittent", "lossy remedy: delivery is intermittent");
	ok(!strstr(v.remedy, "inbound rule"), "lossy remedy: no security group rule to add");
	mine = got(1, 0);
	theirs = got(PROBE_PATHS, PROBE_PATHS);
	judge(&v, &mine, &theirs);
	is_str(v.name, "lossy", "1/3 small, no large B to A: lossy, not size_limited");

	/* An older peer (one probe of each size, no counts): its one probe counts as all. */
	mine = report(true, true, NULL, false);
	theirs = report(true, true, NULL, false);
	theirs.sent_count[0] = theirs.sent_count[1] = 1;
	mine.delivered_count[0] = mine.delivered_count[1] = 1;
	judge(&v, &mine, &theirs);
	is_str(v.name, "pass", "one probe each of one sent by an older peer, arrived: pass");

	/* My send failed with a provider error: error, whatever else. */
	mine = report(true, true, "fi_send: Input/output error", false);
	theirs = report(false, false, NULL, false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "error", "my provider error: error");
	is_int(v.code, 3, "error exits 3");
	is_str(v.line, "ERROR: the provider failed: fi_send: Input/output error",
	       "my provider error: line quotes it");
	is_str(v.remedy, remedy_error, "error remedy: not a firewall symptom");

	/* The peer's send failed with a provider error. */
	mine = report(false, false, NULL, false);
	theirs = report(true, true, "fi_send: Operation not supported", false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "error", "peer provider error: error");
	is_int(v.code, 3, "peer provider error exits 3");
	is_str(v.line, "ERROR: the provider failed: fi_send: Operation not supported",
	       "peer provider error: line quotes the peer's");

	/* Both failed: the line quotes mine. */
	mine = report(false, false, "mine failed", false);
	theirs = report(false, false, "theirs failed", false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "error", "both provider errors: error");
	is_str(v.line, "ERROR: the provider failed: mine failed", "both provider errors: mine first");

	/* A provider error plus an unreachable one: still an error. */
	mine = report(false, false, "Host is unreachable", true);
	theirs = report(false, false, "theirs failed", false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "error", "unreachable one way, provider error the other: error");
	is_str(v.line, "ERROR: the provider failed: theirs failed",
	       "unreachable plus provider error: quotes the provider error");

	/* Unreachable is what a firewall looks like: blocked or one way, never error. */
	mine = report(false, false, "Host is unreachable", true);
	theirs = report(false, false, "No route to host", true);
	judge(&v, &mine, &theirs);
	is_str(v.name, "blocked", "unreachable both ways: blocked, not error");
	is_int(v.code, 1, "unreachable both ways exits 1");
	is_str(v.remedy, remedy_rules, "unreachable both ways: the firewall remedy");

	mine = report(true, true, "Host is unreachable", true);
	theirs = report(false, false, NULL, false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "one_way", "unreachable A to B: one_way, not error");
	is_int(v.code, 1, "unreachable A to B exits 1");
	is_str(v.line, "FAIL: one_way: nodeA -> nodeB is dropped, nodeB -> nodeA works",
	       "unreachable A to B: line");

	mine = report(false, false, NULL, false);
	theirs = report(true, true, "Host is unreachable", true);
	judge(&v, &mine, &theirs);
	is_str(v.name, "one_way", "unreachable B to A: one_way, not error");
	is_str(v.line, "FAIL: one_way: nodeB -> nodeA is dropped, nodeA -> nodeB works",
	       "unreachable B to A: line");

	is_int(EXIT_OK, 0, "EXIT_OK is 0");
	is_int(EXIT_FAIL, 1, "EXIT_FAIL is 1");
	is_int(EXIT_ERROR, 3, "EXIT_ERROR is 3");
}

/* A blocked or one_way verdict from a short probe window is no proof: error, with the fix. */
static void test_sg_short_window(void)
{
	struct msg_sg_report mine, theirs;
	struct sg_verdict v;

	mine = report(false, false, NULL, false);
	theirs = report(false, false, NULL, false);
	judge(&v, &mine, &theirs);
	sg_distrust_short_window(&v, 1.02, 1.2);
	is_str(v.name, "error", "blocked in a 1.02 s window: error, not blocked");
	is_int(v.code, EXIT_ERROR, "a window too short exits 3");
	has(v.line, "too short to tell a blocked path", "the line says the window was too short");
	has(v.line, "1.02 s of the -t 1.2 s", "the line gives the window and the budget");
	has(v.remedy, "larger -t (e.g. -t 10)", "the remedy is a larger -t");

	judge(&v, &mine, &theirs);
	sg_distrust_short_window(&v, SG_MIN_TRUSTED_WINDOW_SEC, 8);
	is_str(v.name, "blocked", "blocked in a 1.5 s window: blocked");
	judge(&v, &mine, &theirs);
	sg_distrust_short_window(&v, 0, 8);
	is_str(v.name, "blocked", "no window known (0): the verdict is kept");

	/* nodeA -> nodeB dropped: one_way, distrusted the same way. */
	mine = report(true, true, NULL, false);
	theirs = report(false, false, NULL, false);
	judge(&v, &mine, &theirs);
	is_str(v.name, "one_way", "one way dropped: one_way");
	sg_distrust_short_window(&v, 1.4, 1.7);
	is_str(v.name, "error", "one_way in a 1.4 s window: error");
	has(v.remedy, "larger -t", "one_way in a short window: the remedy is a larger -t");
	/* One direction's paths held back by loss, the other's through: one_way needs more. */
	judge(&v, &mine, &theirs);
	sg_distrust_short_window(&v, 3.0, 5);
	is_str(v.name, "error", "one_way in a 3 s window: error (each path's second SYN retry is at 3 s)");
	has(v.line, "(one_way needs 3.5 s)", "the line says what the verdict needed");
	judge(&v, &mine, &theirs);
	sg_distrust_short_window(&v, SG_MIN_ONE_WAY_WINDOW_SEC, 5);
	is_str(v.name, "one_way", "one_way in a 3.5 s window: one_way");
	mine = report(false, false, NULL, false);
	judge(&v, &mine, &theirs);
	sg_distrust_short_window(&v, 3.0, 5);
	is_str(v.name, "blocked", "blocked in a 3 s window: blocked (every path of both ways held)");

	/* What crossed is proof however short the window: pass and lossy are kept. */
	mine = report(true, true, NULL, false);
	theirs = report(true, true, NULL, false);
	judge(&v, &mine, &theirs);
	sg_distrust_short_window(&v, 0.1, 1.2);
	is_str(v.name, "pass", "pass in a 0.1 s window: pass");
	mine = got(1, 0);
	theirs = got(0, 2);
	judge(&v, &mine, &theirs);
	sg_distrust_short_window(&v, 0.1, 1.2);
	is_str(v.name, "lossy", "lossy in a 0.1 s window: lossy");
}

/* --- bw ----------------------------------------------------------------------------------- */

static void test_bw_median(void)
{
	double odd[] = { 9, 1, 5 }, even[] = { 40, 10, 30, 20 }, one[] = { 7.5 };
	double unsorted[] = { 3.5, -1, 100, 2, 2, 50, 0 }, none[1] = { 42 };
	double dup[] = { 5, 5, 1, 5 };

	ok(bw_median(odd, 3) == 5, "median of 9 1 5 is 5 (%g)", bw_median(odd, 3));
	ok(odd[0] == 1 && odd[1] == 5 && odd[2] == 9, "median sorts in place");
	ok(bw_median(even, 4) == 25, "median of 40 10 30 20 is 25 (%g)", bw_median(even, 4));
	ok(bw_median(one, 1) == 7.5, "median of one value is that value");
	ok(bw_median(unsorted, 7) == 2, "median of 7 unsorted values is 2 (%g)",
	   bw_median(unsorted, 7));
	ok(unsorted[0] == -1 && unsorted[6] == 100, "7 values sorted in place");
	ok(bw_median(none, 0) == 0, "median of none is 0");
	ok(none[0] == 42, "median of none leaves the array alone");
	ok(bw_median(dup, 4) == 5, "median of 5 5 1 5 is 5 (%g)", bw_median(dup, 4));
	ok(bw_median(even, 2) == 15, "median of the first 2 of 10 20 is 15 (%g)",
	   bw_median(even, 2));
}

static void test_bw_is_weak(void)
{
	const double two_weak[] = { 79, 100 }, two_fine[] = { 81, 100 };
	const double three_weak[] = { 100, 79, 100 }, three_fine[] = { 100, 100, 81 };
	const double four_weak[] = { 100, 100, 100, 79 }, four_fine[] = { 81, 100, 100, 100 };
	/* Others 90 100 110: median 100, so 79 is weak; with itself the median would be 95. */
	const double self_excl[] = { 79, 90, 100, 110 };
	/* Others 40 and 100: median 70, 0.8 of it 56: 50 is weak; with itself the median is 50. */
	const double self_excl3[] = { 50, 40, 100 };
	const double one[] = { 0.001 }, zeros[] = { 0, 0, 0 };
	double copy[4];

	ok(bw_is_weak(two_weak, 2, 0), "2 lanes: 79%% of the other is weak");
	ok(!bw_is_weak(two_weak, 2, 1), "2 lanes: the faster lane is not weak");
	ok(!bw_is_weak(two_fine, 2, 0), "2 lanes: 81%% of the other is not weak");
	ok(bw_is_weak(three_weak, 3, 1), "3 lanes: 79%% of the others' median is weak");
	ok(!bw_is_weak(three_weak, 3, 0) && !bw_is_weak(three_weak, 3, 2),
	   "3 lanes: the full-rate lanes are not weak");
	ok(!bw_is_weak(three_fine, 3, 2), "3 lanes: 81%% is not weak");
	ok(bw_is_weak(four_weak, 4, 3), "4 lanes: 79%% of the others' median is weak");
	ok(!bw_is_weak(four_weak, 4, 0), "4 lanes: a full-rate lane is not weak");
	ok(!bw_is_weak(four_fine, 4, 0), "4 lanes: 81%% is not weak");
	ok(bw_is_weak(self_excl, 4, 0), "the lane itself is excluded from the median (4 lanes)");
	ok(bw_is_weak(self_excl3, 3, 0), "the lane itself is excluded from the median (3 lanes)");
	ok(!bw_is_weak(one, 1, 0), "a single lane is never weak");
	ok(!bw_is_weak(zeros, 3, 1), "all lanes at 0: none weak");
	memcpy(copy, self_excl, sizeof(copy));
	bw_is_weak(copy, 4, 0);
	ok(!memcmp(copy, self_excl, sizeof(copy)), "bw_is_weak leaves the rates in their order");
}

/* --- the domain choice -------------------------------------------------------------------- */

static struct sockaddr_storage v4(const char *ip)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	s->sin_family = AF_INET;
	if (inet_pton(AF_INET, ip, &s->sin_addr) != 1)
		abort();
	return ss;
}

static struct sockaddr_storage v6(const char *ip)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	s->sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, ip, &s->sin6_addr) != 1)
		abort();
	return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

static void test_subnet_holds(void)
{
	struct sockaddr_storage a;

	a = v4("192.0.2.77");
	ok(fabric_subnet_holds("192.0.2.0/24", SA(a)), "192.0.2.0/24 holds 192.0.2.77");
	a = v4("192.0.3.77");
	ok(!fabric_subnet_holds("192.0.2.0/24", SA(a)), "192.0.2.0/24 does not hold 192.0.3.77");
	a = v4("192.0.2.255");
	ok(fabric_subnet_holds("192.0.2.0/24", SA(a)), "192.0.2.0/24 holds its broadcast");
	a = v4("10.1.2.3");
	ok(fabric_subnet_holds("10.1.2.3/32", SA(a)), "/32 holds its own address");
	a = v4("10.1.2.4");
	ok(!fabric_subnet_holds("10.1.2.3/32", SA(a)), "/32 does not hold the next address");
	a = v4("203.0.113.9");
	ok(fabric_subnet_holds("0.0.0.0/0", SA(a)), "/0 holds every IPv4 address");
	a = v4("192.0.2.200");
	ok(fabric_subnet_holds("192.0.2.128/25", SA(a)), "/25 holds .200");
	a = v4("192.0.2.100");
	ok(!fabric_subnet_holds("192.0.2.128/25", SA(a)), "/25 does not hold .100");
	a = v4("172.31.47.1");
	ok(fabric_subnet_holds("172.31.32.0/20", SA(a)), "/20 holds 172.31.47.1");
	a = v4("172.31.48.1");
	ok(!fabric_subnet_holds("172.31.32.0/20", SA(a)), "/20 does not hold 172.31.48.1");

	a = v6("2001:db8:1:2::abcd");
	ok(fabric_subnet_holds("2001:db8:1:2::/64", SA(a)), "v6 /64 holds an address in it");
	a = v6("2001:db8:1:2:ffff:ffff:ffff:ffff");
	ok(fabric_subnet_holds("2001:db8:1:2::/64", SA(a)), "v6 /64 holds its last address");
	a = v6("2001:db8:1:3::1");
	ok(!fabric_subnet_holds("2001:db8:1:2::/64", SA(a)), "v6 /64 does not hold the next /64");
	a = v6("::1");
	ok(fabric_subnet_holds("::1/128", SA(a)), "::1/128 holds ::1");

	a = v6("::ffff:192.0.2.1");
	ok(!fabric_subnet_holds("192.0.2.0/24", SA(a)), "a v4 subnet does not hold a v6 address");
	a = v4("192.0.2.1");
	ok(!fabric_subnet_holds("::/0", SA(a)), "a v6 subnet does not hold a v4 address");

	a = v4("192.0.2.1");
	ok(!fabric_subnet_holds("192.0.2.0", SA(a)), "malformed: no prefix length");
	ok(!fabric_subnet_holds("efa", SA(a)), "malformed: an EFA fabric name");
	ok(!fabric_subnet_holds("", SA(a)), "malformed: empty");
	ok(!fabric_subnet_holds("garbage/24", SA(a)), "malformed: not an address");
	ok(!fabric_subnet_holds("192.0.2.0/33", SA(a)), "malformed: /33 for v4");
	ok(!fabric_subnet_holds("192.0.2.0/-1", SA(a)), "malformed: /-1");
	ok(!fabric_subnet_holds("192.0.2/24", SA(a)), "malformed: three octets");
	ok(!fabric_subnet_holds("/24", SA(a)), "malformed: no address");
	/* A malformed prefix must not read as /0, which holds every address. */
	a = v4("203.0.113.9");
	ok(!fabric_subnet_holds("192.0.2.0/abc", SA(a)), "malformed: /abc is not /0");
	ok(!fabric_subnet_holds("192.0.2.0/", SA(a)), "malformed: empty prefix is not /0");
	a = v4("192.0.2.1");
	ok(!fabric_subnet_holds("192.0.2.0/24junk", SA(a)), "malformed: /24junk");
	a = v6("2001:db8::1");
	ok(!fabric_subnet_holds("2001:db8::/129", SA(a)), "malformed: /129 for v6");
	ok(!fabric_subnet_holds("2001:db8:::/64", SA(a)), "malformed: bad v6 text");
}

/* An fi_info list entry for (fabric, domain), appended after *tail. */
static struct fi_info *entry(struct fi_info ***tail, const char *fabric, const char *domain)
{
	struct fi_info *fi = fi_allocinfo();

	if (!fi || !(fi->fabric_attr->name = strdup(fabric)) ||
	    !(fi->domain_attr->name = strdup(domain)) || !(fi->fabric_attr->prov_name = strdup("t")))
		abort();
	**tail = fi;
	*tail = &fi->next;
	return fi;
}

#define picks(got, want, what)                                                                \
	do {                                                                                  \
		const struct fi_info *g_ = (got), *w_ = (want);                               \
		if (!ok(g_ == w_, "%s", what))                                                \
			printf("#   got %s, want %s\n", g_ ? g_->domain_attr->name : "NULL",      \
			       w_ ? w_->domain_attr->name : "NULL");                          \
	} while (0)

static void test_pick_domain(void)
{
	struct fi_info *ip = NULL, **t = &ip, *lo, *eth0, *eth1, *eth2v6;
	struct fi_info *efa = NULL, *e0, *e16;
	struct fi_info *onlylo = NULL, *lo1, *onlylo6 = NULL, *lo6;
	char *d_eth1[] = { "eth1" }, *d_dev[] = { "rdmap16s27" }, *d_short[] = { "rdmap16s2" };
	char *d_none[] = { "eth9" }, *d_two[] = { "eth9", "eth0" }, *d_full[] = { "rdmap0s6-rdm" };
	char *d_lo[] = { "lo" };
	struct sockaddr_storage p;

	lo = entry(&t, "127.0.0.0/8", "lo");
	eth0 = entry(&t, "10.0.0.0/24", "eth0");
	eth1 = entry(&t, "10.0.1.0/24", "eth1");
	eth2v6 = entry(&t, "2001:db8:7::/64", "eth2");

	t = &efa;
	e0 = entry(&t, "efa", "rdmap0s6-rdm");
	e16 = entry(&t, "efa", "rdmap16s27-rdm");

	/* -d wins over everything. */
	picks(fabric_pick_domain(ip, d_eth1, 1, NULL), eth1, "-d eth1 picks eth1");
	p = v4("10.0.0.5");
	picks(fabric_pick_domain(ip, d_eth1, 1, SA(p)), eth1,
	      "-d eth1 wins over the peer's subnet (eth0)");
	picks(fabric_pick_domain(ip, d_none, 1, SA(p)), NULL, "-d of a missing domain gives NULL");
	picks(fabric_pick_domain(ip, d_two, 2, NULL), eth0, "-d eth9,eth0 picks eth0");
	picks(fabric_pick_domain(ip, d_lo, 1, SA(p)), lo, "-d lo picks loopback when asked");
	picks(fabric_pick_domain(efa, d_dev, 1, NULL), e16,
	      "-d rdmap16s27 (a device name) picks rdmap16s27-rdm");
	picks(fabric_pick_domain(efa, d_full, 1, NULL), e0, "-d rdmap0s6-rdm picks it by full name");
	picks(fabric_pick_domain(efa, d_short, 1, NULL), NULL,
	      "-d rdmap16s2 is not a device prefix of rdmap16s27-rdm");

	/* The peer's subnet. */
	p = v4("10.0.1.9");
	picks(fabric_pick_domain(ip, NULL, 0, SA(p)), eth1, "peer 10.0.1.9 picks eth1 (10.0.1.0/24)");
	p = v4("10.0.0.9");
	picks(fabric_pick_domain(ip, NULL, 0, SA(p)), eth0, "peer 10.0.0.9 picks eth0 (10.0.0.0/24)");
	p = v6("2001:db8:7::42");
	picks(fabric_pick_domain(ip, NULL, 0, SA(p)), eth2v6, "v6 peer picks the v6 subnet's eth2");
	p = v4("127.0.0.1");
	picks(fabric_pick_domain(ip, NULL, 0, SA(p)), lo, "peer 127.0.0.1 picks lo (127.0.0.0/8)");

	/* Otherwise the first that is not loopback. */
	picks(fabric_pick_domain(ip, NULL, 0, NULL), eth0, "no peer: first non-loopback (eth0)");
	p = v4("192.168.5.5");
	picks(fabric_pick_domain(ip, NULL, 0, SA(p)), eth0,
	      "peer in no subnet: first non-loopback (eth0)");
	picks(fabric_pick_domain(efa, NULL, 0, SA(p)), e0,
	      "EFA fabric names are no subnets: the first domain");
	picks(fabric_pick_domain(NULL, NULL, 0, SA(p)), NULL, "an empty list gives NULL");

	/* Only loopback. */
	t = &onlylo;
	lo1 = entry(&t, "127.0.0.0/8", "lo");
	p = v4("10.0.0.5");
	picks(fabric_pick_domain(onlylo, NULL, 0, SA(p)), NULL,
	      "only loopback, remote peer: NULL");
	p = v4("127.0.0.1");
	picks(fabric_pick_domain(onlylo, NULL, 0, SA(p)), lo1, "only loopback, loopback peer: lo");
	p = v4("127.0.0.2");
	picks(fabric_pick_domain(onlylo, NULL, 0, SA(p)), lo1, "only loopback, peer 127.0.0.2: lo");
	picks(fabric_pick_domain(onlylo, NULL, 0, NULL), lo1, "only loopback, no peer: lo");

	t = &onlylo6;
	lo6 = entry(&t, "::1/128", "lo");
	p = v6("::1");
	picks(fabric_pick_domain(onlylo6, NULL, 0, SA(p)), lo6, "only v6 loopback, peer ::1: lo");
	p = v6("2001:db8::1");
	picks(fabric_pick_domain(onlylo6, NULL, 0, SA(p)), NULL,
	      "only v6 loopback, remote v6 peer: NULL");

	/* The helpers it stands on. */
	ok(fabric_is_loopback(lo), "lo is loopback");
	ok(fabric_is_loopback(lo6), "::1/128 is loopback");
	ok(!fabric_is_loopback(eth0), "eth0 is not loopback");
	ok(!fabric_is_loopback(e0), "an EFA domain is not loopback");
	ok(fabric_domain_wanted("anything", NULL, 0), "no -d: every domain wanted");
	ok(fabric_domain_wanted("rdmap16s27-rdm", d_dev, 1), "rdmap16s27 wants rdmap16s27-rdm");
	ok(fabric_domain_wanted("rdmap16s27", d_dev, 1), "rdmap16s27 wants itself");
	ok(!fabric_domain_wanted("rdmap16s27x-rdm", d_dev, 1), "rdmap16s27 does not want rdmap16s27x");
	ok(!fabric_domain_wanted("rdmap16s2", d_dev, 1), "rdmap16s27 does not want rdmap16s2");
	ok(!fabric_domain_wanted("rdmap16s27-rdm", d_short, 1), "rdmap16s2 does not want rdmap16s27");

	fi_freeinfo(ip);
	fi_freeinfo(efa);
	fi_freeinfo(onlylo);
	fi_freeinfo(onlylo6);
}

/* --- gpudirect --------------------------------------------------------------------------- */

static struct gpudirect_host gd_host(enum nvidia_module m, int kmaj, int kmin, uint32_t lf)
{
	struct gpudirect_host g;

	memset(&g, 0, sizeof(g));
	g.nvidia = m;
	g.kernel_major = kmaj;
	g.kernel_minor = kmin;
	g.libfabric = lf;
	return g;
}

/* Judges two devices, rdmapA and rdmapB, whose p2p read a and b (NULL: unreadable). */
static struct gpudirect_verdict gd_two(const struct gpudirect_host *g, const char *a,
				       const char *b)
{
	const char *names[2] = { "rdmapA", "rdmapB" };
	const char *p2p[2] = { a ? a : "unreadable (permission)", b ? b : "unreadable (permission)" };
	enum p2p_kind kinds[2] = { gpudirect_p2p_kind(p2p[0], a ? 0 : -EACCES),
				   gpudirect_p2p_kind(p2p[1], b ? 0 : -EACCES) };

	return gpudirect_judge(g, 2, kinds, p2p, names);
}

/*
 * Drivers without device/p2p: device/gdr (amzn-drivers efa 1.9.0 to 2.5.x) says "1" or "0";
 * the in-tree driver has neither file, and dma-buf alone decides.
 */
static void test_gpudirect_gdr(const struct gpudirect_host *old,
			       const struct gpudirect_host *dmabuf)
{
	const char *texts[2] = { "NVIDIA (device/gdr 1)", "NVIDIA (device/gdr 1)" };
	const char *names[2] = { "rdmapA", "rdmapB" };
	enum p2p_kind kinds[2];
	struct gpudirect_verdict v;

	is_int(gpudirect_dev_kind("", -ENOENT, "1", 0), P2P_NVIDIA, "no p2p, gdr 1: NVIDIA");
	is_int(gpudirect_dev_kind("", -ENOENT, "0", 0), P2P_NONE, "no p2p, gdr 0: none");
	is_int(gpudirect_dev_kind("", -ENOENT, "", -ENOENT), P2P_NO_FILE, "neither file: no file");
	is_int(gpudirect_dev_kind("", -ENOENT, "", -EACCES), P2P_UNREADABLE, "gdr unreadable");
	is_int(gpudirect_dev_kind("NVIDIA", 0, "0", 0), P2P_NVIDIA, "p2p first, where it is");
	kinds[0] = kinds[1] = gpudirect_dev_kind("", -ENOENT, "1", 0);
	v = gpudirect_judge(old, 2, kinds, texts, names);
	is_int(v.status, CHECK_PASS, "gdr 1 on both devices (efa 2.5.x): pass, no dma-buf needed");
	is_str(v.path, "peer_memory", "... through peer memory");
	kinds[0] = kinds[1] = gpudirect_dev_kind("", -ENOENT, "", -ENOENT);
	texts[0] = texts[1] = "";
	v = gpudirect_judge(dmabuf, 2, kinds, texts, names);
	is_int(v.status, CHECK_PASS, "neither file, dma-buf available: pass");
	is_str(v.path, "dmabuf", "... through dma-buf");
	has(v.detail, "judged by dma-buf alone", "... and says why");
	v = gpudirect_judge(old, 2, kinds, texts, names);
	is_int(v.status, CHECK_FAIL, "neither file, no dma-buf: fail");
	has(v.detail, "no device/p2p or device/gdr (the in-tree efa driver", "... saying why");
}

static void test_gpudirect(void)
{
	struct gpudirect_host old = gd_host(NVIDIA_NOT_LOADED, 5, 10, FI_VERSION(1, 17));
	struct gpudirect_host dmabuf = gd_host(NVIDIA_OPEN, 5, 12, FI_VERSION(1, 20));
	struct gpudirect_verdict v;
	int maj = 0, min = 0;

	is_int(gpudirect_p2p_kind("NVIDIA", 0), P2P_NVIDIA, "p2p 'NVIDIA' is NVIDIA");
	is_int(gpudirect_p2p_kind("NVIDIA peermem", 0), P2P_NVIDIA, "'NVIDIA peermem' is NVIDIA");
	is_int(gpudirect_p2p_kind("NEURON", 0), P2P_OTHER, "'NEURON' is another provider");
	is_int(gpudirect_p2p_kind("NVMEM", 0), P2P_OTHER, "'NVMEM' is not a driver's string");
	is_int(gpudirect_p2p_kind("NVIDIAX", 0), P2P_OTHER, "'NVIDIAX' is not NVIDIA");
	is_int(gpudirect_p2p_kind("", 0), P2P_NONE, "an empty p2p is none");
	is_int(gpudirect_p2p_kind("", -ENOENT), P2P_NONE, "no p2p file is none");
	is_int(gpudirect_p2p_kind("", -EACCES), P2P_UNREADABLE, "EACCES is unreadable");

	ok(gpudirect_parse_kernel("6.8.0-1015-aws", &maj, &min) && maj == 6 && min == 8,
	   "kernel 6.8.0-1015-aws is 6.8");
	ok(gpudirect_parse_kernel("5.12", &maj, &min) && maj == 5 && min == 12, "kernel 5.12");
	ok(!gpudirect_parse_kernel("", &maj, &min), "an empty release is unknown");
	ok(!gpudirect_parse_kernel("junk", &maj, &min), "junk is unknown");
	ok(!gpudirect_parse_kernel("6", &maj, &min), "a release without a minor is unknown");

	ok(gpudirect_dmabuf(&dmabuf).available, "dma-buf: open module, 5.12, libfabric 1.20");
	dmabuf.kernel_minor = 11;
	ok(!gpudirect_dmabuf(&dmabuf).available && !gpudirect_dmabuf(&dmabuf).kernel,
	   "dma-buf: kernel 5.11 is too old");
	dmabuf.kernel_major = 6;
	dmabuf.kernel_minor = 0;
	ok(gpudirect_dmabuf(&dmabuf).available, "dma-buf: kernel 6.0 is newer than 5.12");
	dmabuf.libfabric = FI_VERSION(1, 19);
	ok(!gpudirect_dmabuf(&dmabuf).available && !gpudirect_dmabuf(&dmabuf).libfabric,
	   "dma-buf: libfabric 1.19 is too old");
	dmabuf.libfabric = FI_VERSION(2, 6);
	dmabuf.nvidia = NVIDIA_PROPRIETARY;
	ok(!gpudirect_dmabuf(&dmabuf).available, "dma-buf: not with the proprietary module");
	dmabuf.nvidia = NVIDIA_OPEN;
	dmabuf.cuda_dmabuf = CUDA_DMABUF_NO;
	v = gd_two(&dmabuf, "", "");
	ok(!gpudirect_dmabuf(&dmabuf).available && !gpudirect_dmabuf(&dmabuf).cuda,
	   "dma-buf: not when the CUDA driver says the GPUs do not export it");
	is_int(v.status, CHECK_FAIL, "... and without peer memory that fails");
	is_str(v.path, "none", "... with path none");
	has(v.detail, "CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED is 0", "... naming the attribute");
	dmabuf.cuda_dmabuf = CUDA_DMABUF_YES;
	ok(gpudirect_dmabuf(&dmabuf).available, "dma-buf: the CUDA driver confirming it");
	is_str(gd_two(&dmabuf, "", "").path, "dmabuf", "... is path dmabuf");
	dmabuf.cuda_dmabuf = CUDA_DMABUF_UNKNOWN;

	v = gd_two(&old, "NVIDIA peermem", "NVIDIA");
	is_int(v.status, CHECK_PASS, "peer memory on both devices passes without dma-buf");
	is_str(v.path, "peer_memory", "... through peer memory");
	has(v.detail, "peer memory: provider NVIDIA peermem on all 2 devices", "... and says so");
	has(v.detail, "dma-buf not available", "... and that dma-buf is not");
	v = gd_two(&old, "NEURON", "NEURON");
	is_int(v.status, CHECK_FAIL, "NEURON on an NVIDIA instance, no dma-buf: fail");
	has(v.detail, "rdmapA has 'NEURON', not an NVIDIA provider", "... naming the device");
	has(v.detail, "the NVIDIA open kernel module (no NVIDIA driver loaded), kernel 5.12+ "
	    "(this is 5.10), libfabric 1.20+ (this is 1.17)", "... and what dma-buf lacks");
	v = gd_two(&old, "NVIDIA", "");
	is_int(v.status, CHECK_FAIL, "one device without a provider, no dma-buf: fail");
	has(v.detail, "peer memory on 1 of 2 devices (rdmapB has none)", "... naming it");
	v = gd_two(&dmabuf, "", "");
	is_int(v.status, CHECK_PASS, "empty p2p with dma-buf available: pass");
	has(v.detail, "dma-buf available (NVIDIA open kernel module, kernel 6.0, libfabric 2.6)",
	    "... through dma-buf");
	v = gd_two(&dmabuf, "NEURON", "NVIDIA");
	is_int(v.status, CHECK_PASS, "NEURON with dma-buf available: pass through dma-buf");
	v = gd_two(&old, "NVIDIA", NULL);
	is_int(v.status, CHECK_WARN, "an unreadable p2p, the rest NVIDIA: warn, not a guess");
	is_str(v.path, "unknown", "... path unknown");
	has(v.detail, "rdmapB's device/p2p is unreadable (permission)", "... naming it");
	v = gd_two(&old, "", NULL);
	is_int(v.status, CHECK_FAIL, "unreadable and none, no dma-buf: fail");
	test_gpudirect_gdr(&old, &dmabuf);
}

/* --- PCIe tree ----------------------------------------------------------------------------- */

static struct pci_node pnode(const char *pci, const char *path)
{
	struct pci_node n;

	memset(&n, 0, sizeof(n));
	snprintf(n.pci, sizeof(n.pci), "%s", pci);
	snprintf(n.path, sizeof(n.path), "%s", path);
	n.numa_node = -1;
	return n;
}

static void test_pcitopo(void)
{
	/* A p5-like tree: root port, switch upstream port, downstream ports, devices. */
	struct pci_node nic = pnode("0000:54:00.0", "/sys/devices/pci0000:50/0000:50:01.1/"
				    "0000:51:00.0/0000:52:01.0/0000:54:00.0");
	struct pci_node gpus[3] = {
		pnode("0000:23:00.0", "/sys/devices/pci0000:20/0000:20:01.1/0000:21:00.0/"
		      "0000:22:00.0/0000:23:00.0"),
		pnode("0000:53:00.0", "/sys/devices/pci0000:50/0000:50:01.1/0000:51:00.0/"
		      "0000:52:00.0/0000:53:00.0"),
		pnode("0000:5a:00.0", "/sys/devices/pci0000:50/0000:50:02.1/0000:5a:00.0"),
	};
	struct pci_node unknown = pnode("0000:99:00.0", "");
	int steps;

	is_int(pcitopo_link(&nic, &gpus[1], &steps), PCI_LINK_PIX, "GPU under the NIC's switch: PIX");
	is_int(steps, 4, "... 4 steps: up two, down two");
	is_int(pcitopo_link(&nic, &gpus[2], &steps), PCI_LINK_PHB, "another root port: PHB");
	is_int(pcitopo_link(&nic, &gpus[0], &steps), PCI_LINK_SYS, "another host bridge: SYS");
	is_int(pcitopo_link(&nic, &unknown, &steps), PCI_LINK_UNKNOWN, "no path: unknown");
	is_int(steps, -1, "... steps -1");
	is_int(pcitopo_nearest(&nic, gpus, 3), 1, "the nearest GPU is the one on the switch");
	is_int(pcitopo_nearest(&nic, gpus, 1), 0, "a farther GPU when it is the only one");
	is_int(pcitopo_nearest(&unknown, gpus, 3), -1, "a NIC without a path pairs with none");
	gpus[1] = pnode("0000:5b:00.0", "/sys/devices/pci0000:50/0000:50:01.1/0000:51:00.0/"
			"0000:52:02.0/0000:5b:00.0");
	is_int(pcitopo_nearest(&nic, gpus, 3), 1, "... whatever the GPU's own address");
	is_str(pcitopo_link_str(PCI_LINK_PXB), "PXB", "link names are NCCL's");
}

/* --- sysfs text ----------------------------------------------------------------------------- */

static void test_printable(void)
{
	char buf[64], small[7];

	sysfs_printable(buf, sizeof(buf), "p4d.24xlarge", 12);
	is_str(buf, "p4d.24xlarge", "printable text is kept");
	sysfs_printable(buf, sizeof(buf), "a\033[2J\377\001b", 8);
	is_str(buf, "a\\x1b[2J\\xff\\x01b", "ESC, 0xff and 0x01 come out as \\xNN");
	sysfs_printable(buf, sizeof(buf), "a\0b", 3);
	is_str(buf, "a\\x00b", "a NUL byte is escaped, not an end");
	sysfs_printable(small, sizeof(small), "abc\033def", 7);
	is_str(small, "abc", "an escape that does not fit is left out whole");
	is_str(sysfs_strerror(-EACCES), "unreadable (permission)", "EACCES reads as permission");
	is_str(sysfs_strerror(-ENOENT), "absent", "ENOENT reads as absent");
}

int main(void)
{
	test_pcitopo();
	test_sg_direction();
	test_sg_judge();
	test_sg_short_window();
	test_bw_median();
	test_bw_is_weak();
	test_subnet_holds();
	test_pick_domain();
	test_gpudirect();
	test_printable();
	return done_testing();
}
