// SPDX-License-Identifier: MIT
/* sg-check's judgement: which direction failed, what that means, and the rule to add. */
#include "cmd/sgcheck.h"

#include <stdio.h>
#include <string.h>

#include "efadiag.h"
#include "measure/probe.h"
#include "util.h"

const char *sg_dir_status_str(enum dir_status s)
{
	static const char *const names[] = { "ok", "partial", "timeout", "error" };

	return names[s];
}

const char *sg_size_words(size_t bytes, char *buf, size_t len, const char *sep)
{
	if (!bytes)
		bytes = PROBE_LARGE;
	if (bytes % 1024 == 0)
		snprintf(buf, len, "%zu%sKiB", bytes / 1024, sep);
	else
		snprintf(buf, len, "%zu%sB", bytes, sep);
	return buf;
}

bool sg_dir_dead(const struct dir_result *d)
{
	return !d->delivered[PROBE_S] && !d->delivered[PROBE_L];
}

bool sg_dir_size_limited(const struct dir_result *d)
{
	/*
	 * Every small probe arrived, so every path works for small packets, and not one large
	 * probe did. Where some small ones are missing too, loss explains both: lossy.
	 */
	return d->sent[PROBE_S] > 0 && d->delivered[PROBE_S] >= d->sent[PROBE_S] &&
	       d->sent[PROBE_L] > 0 && !d->delivered[PROBE_L];
}

void sg_direction(struct dir_result *d, const struct msg_sg_report *recv,
		  const struct msg_sg_report *send)
{
	int k;

	memset(d, 0, sizeof(*d));
	for (k = 0; k < 2; k++) {
		d->sent[k] = send->sent_count[k];
		d->delivered[k] = recv->delivered_count[k];
	}
	d->small = d->delivered[PROBE_S] > 0;
	d->large = d->delivered[PROBE_L] > 0;
	d->elapsed_ms = recv->elapsed_ms;
	if (send->has_send_error)
		str_copy(d->error, sizeof(d->error), send->send_error);
	if (!sg_dir_dead(d)) {
		/* Every probe the sender's provider took arrived: nothing was lost. */
		d->status = d->delivered[PROBE_S] >= d->sent[PROBE_S] &&
					    d->delivered[PROBE_L] >= d->sent[PROBE_L] &&
					    d->sent[PROBE_S] > 0 && d->sent[PROBE_L] > 0 ?
				    DIR_OK : DIR_PARTIAL;
		if (d->status == DIR_PARTIAL && !d->error[0])
			snprintf(d->error, sizeof(d->error), "%s",
				 sg_dir_size_limited(d) ? "only 64 B probes arrived" :
							  "some probes did not arrive");
		return;
	}
	if (send->has_send_error) {
		d->status = DIR_ERROR;
		d->provider_error = !send->send_unreachable;
		return;
	}
	d->status = DIR_TIMEOUT;
}

static void judge_error(struct sg_verdict *v, const struct dir_result *to,
			const struct dir_result *from)
{
	v->name = "error";
	v->code = EXIT_ERROR;
	snprintf(v->line, sizeof(v->line), "ERROR: the provider failed: %s",
		 to->provider_error ? to->error : from->error);
	snprintf(v->remedy, sizeof(v->remedy), "This is not a firewall symptom: check "
		 "'efadiag info' on both nodes (devices, FI_* variables, libfabric version).");
}

static void judge_one_way(struct sg_verdict *v, const struct dir_result *to,
			  const struct dir_result *from, const char *me, const char *peer)
{
	/* The dead direction's sender lacks the outbound rule or its receiver the inbound. */
	const char *sender = sg_dir_dead(to) ? me : peer;
	const char *receiver = sg_dir_dead(to) ? peer : me;
	const struct dir_result *back = sg_dir_dead(to) ? from : to;

	v->name = "one_way";
	v->code = EXIT_FAIL;
	/* The line says no more than the table: the way back may have lost some probes. */
	snprintf(v->line, sizeof(v->line), "FAIL: one_way: %s -> %s is dropped, %s -> %s %s", sender,
		 receiver, receiver, sender,
		 back->status == DIR_OK ? "works" : "crosses (not every probe arrived)");
	snprintf(v->remedy, sizeof(v->remedy), "Most likely missing: the inbound All-traffic rule "
		 "(source: the security group itself) on %s's security group, or the outbound "
		 "All-traffic rule (destination: the security group itself) on %s's. Add both rules "
		 "to the security group of both nodes.", receiver, sender);
}

/* "a -> b" for the directions that lose large probes. */
static void size_limited_where(char *buf, size_t len, const struct dir_result *to,
			       const struct dir_result *from, const char *me, const char *peer)
{
	if (sg_dir_size_limited(to) && sg_dir_size_limited(from))
		snprintf(buf, len, "both ways");
	else
		snprintf(buf, len, "%s -> %s", sg_dir_size_limited(to) ? me : peer,
			 sg_dir_size_limited(to) ? peer : me);
}

static void judge_size_limited(struct sg_verdict *v, const struct dir_result *to,
			       const struct dir_result *from, const char *me, const char *peer)
{
	char where[256], large[32];

	size_limited_where(where, sizeof(where), to, from, me, peer);
	v->name = "size_limited";
	v->code = EXIT_FAIL;
	snprintf(v->line, sizeof(v->line), "FAIL: size_limited: 64 B probes cross, %s probes do "
		 "not (%s): large packets are lost on the way",
		 sg_size_words(to->large_bytes, large, sizeof(large), " "), where);
	snprintf(v->remedy, sizeof(v->remedy), "The security group lets this traffic through: "
		 "small messages cross. Look at the path's packet size instead: an MTU that differs "
		 "between the nodes or along the path (jumbo frames on one side only), fragmented "
		 "packets being dropped, or a middlebox (firewall appliance, VPN or tunnel) that "
		 "drops large packets. Keep the nodes in the same subnet with the same MTU.");
}

/* "delivered/sent" of both sizes, for the lossy line. */
static void lossy_counts(char *buf, size_t len, const struct dir_result *d)
{
	snprintf(buf, len, "%ld/%ld small, %ld/%ld large", d->delivered[PROBE_S],
		 d->sent[PROBE_S], d->delivered[PROBE_L], d->sent[PROBE_L]);
}

static void judge_lossy(struct sg_verdict *v, const struct dir_result *to,
			const struct dir_result *from, const char *me, const char *peer)
{
	char a[96], b[96];

	lossy_counts(a, sizeof(a), to);
	lossy_counts(b, sizeof(b), from);
	v->name = "lossy";
	v->code = EXIT_FAIL;
	snprintf(v->line, sizeof(v->line), "FAIL: lossy: fabric traffic crosses both ways, but not all "
		 "of it in time (%s -> %s: %s; %s -> %s: %s)", me, peer, a, peer, me, b);
	snprintf(v->remedy, sizeof(v->remedy), "The security group lets this traffic through: "
		 "some of every kind arrived. Delivery is intermittent: look for packet loss or "
		 "congestion on the path (interface error counters, 'efadiag stats'), or give the "
		 "probes more time with a longer -t.");
}

void sg_judge(struct sg_verdict *v, const struct dir_result *to, const struct dir_result *from,
	      const char *me, const char *peer)
{
	memset(v, 0, sizeof(*v));
	if ((to->status != DIR_OK && to->provider_error) ||
	    (from->status != DIR_OK && from->provider_error)) {
		judge_error(v, to, from);
		return;
	}
	/* Blocked and one-way only where nothing at all crossed: loss delivers some. */
	if (sg_dir_dead(to) && sg_dir_dead(from)) {
		v->name = "blocked";
		v->code = EXIT_FAIL;
		snprintf(v->line, sizeof(v->line), "FAIL: blocked: no fabric traffic crosses between %s and "
			 "%s (the control path works)", me, peer);
		snprintf(v->remedy, sizeof(v->remedy), "Add to the security group of BOTH nodes an "
			 "inbound rule and an outbound rule allowing All traffic with the security group "
			 "itself as source and destination (the self-referencing rule), and keep the "
			 "nodes in the same subnet and Availability Zone: EFA traffic is not routable.");
		return;
	}
	if (sg_dir_dead(to) || sg_dir_dead(from)) {
		judge_one_way(v, to, from, me, peer);
		return;
	}
	if (sg_dir_size_limited(to) || sg_dir_size_limited(from)) {
		judge_size_limited(v, to, from, me, peer);
		return;
	}
	if (to->status != DIR_OK || from->status != DIR_OK) {
		judge_lossy(v, to, from, me, peer);
		return;
	}
	v->name = "pass";
	v->code = EXIT_OK;
	snprintf(v->line, sizeof(v->line), "OK: fabric traffic crosses both ways between %s and %s",
		 me, peer);
}

/*
 * A direction where nothing crossed is only a block when the probes had time: a loaded node
 * whose setup ate most of -t leaves a window shorter than a connection's retries (tcp sends
 * its SYN again after 1 s and 3 s), and "blocked" or "one_way" would then name the wrong cause.
 */
void sg_distrust_short_window(struct sg_verdict *v, double window_sec, double budget_sec)
{
	double need = !strcmp(v->name, "blocked")   ? SG_MIN_TRUSTED_WINDOW_SEC
		      : !strcmp(v->name, "one_way") ? SG_MIN_ONE_WAY_WINDOW_SEC
						    : 0;

	const char *was = v->name;

	if (window_sec <= 0 || window_sec >= need)
		return;
	v->name = "error";
	v->code = EXIT_ERROR;
	snprintf(v->line, sizeof(v->line), "ERROR: the probes had only %.2f s of the -t %.3g s "
		 "budget (setting up took the rest): too short to tell a blocked path from a slow "
		 "start (%s needs %.1f s)", window_sec, budget_sec, was, need);
	snprintf(v->remedy, sizeof(v->remedy), "Run again with a larger -t (e.g. -t %.0f).",
		 budget_sec * 2 > 10 ? budget_sec * 2 : 10);
}
