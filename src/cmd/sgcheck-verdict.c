// SPDX-License-Identifier: MIT
/* sg-check's judgement: which direction failed, what that means, and the rule to add. */
#include "cmd/sgcheck.h"

#include <stdio.h>
#include <string.h>

#include "efadiag.h"
#include "util.h"

const char *sg_dir_status_str(enum dir_status s)
{
	return s == DIR_OK ? "ok" : s == DIR_TIMEOUT ? "timeout" : "error";
}

void sg_direction(struct dir_result *d, const struct msg_sg_report *recv,
		  const struct msg_sg_report *send)
{
	memset(d, 0, sizeof(*d));
	d->small = recv->small_received;
	d->large = recv->large_received;
	d->elapsed_ms = recv->elapsed_ms;
	if (d->small && d->large) {
		d->status = DIR_OK;
		return;
	}
	if (send->has_send_error) {
		d->status = DIR_ERROR;
		str_copy(d->error, sizeof(d->error), send->send_error);
		d->provider_error = !send->send_unreachable;
		return;
	}
	d->status = DIR_TIMEOUT;
	if (d->small != d->large)
		snprintf(d->error, sizeof(d->error), "only the %s probe arrived",
			 d->small ? "64-byte" : "64 KiB");
}

void sg_judge(struct sg_verdict *v, const struct dir_result *to, const struct dir_result *from,
	      const char *me, const char *peer)
{
	const char *sender, *receiver;

	memset(v, 0, sizeof(*v));
	if (to->status == DIR_OK && from->status == DIR_OK) {
		v->name = "pass";
		v->code = EXIT_OK;
		snprintf(v->line, sizeof(v->line), "PASS: fabric traffic crosses both ways between "
			 "%s and %s", me, peer);
		return;
	}
	if ((to->status != DIR_OK && to->provider_error) ||
	    (from->status != DIR_OK && from->provider_error)) {
		v->name = "error";
		v->code = EXIT_ERROR;
		snprintf(v->line, sizeof(v->line), "ERROR: the provider failed: %s",
			 to->provider_error ? to->error : from->error);
		snprintf(v->remedy, sizeof(v->remedy), "This is not a firewall symptom: check "
			 "'efadiag info' on both nodes (devices, FI_* variables, libfabric version).");
		return;
	}
	if (to->status != DIR_OK && from->status != DIR_OK) {
		v->name = "blocked";
		v->code = EXIT_FAIL;
		snprintf(v->line, sizeof(v->line), "BLOCKED: no fabric traffic crosses between %s and "
			 "%s (the control path works)", me, peer);
		snprintf(v->remedy, sizeof(v->remedy), "Add to the security group of BOTH nodes an "
			 "inbound rule and an outbound rule allowing All traffic with the security group "
			 "itself as source and destination (the self-referencing rule), and keep the "
			 "nodes in the same subnet and Availability Zone: EFA traffic is not routable.");
		return;
	}
	v->name = "one_way";
	v->code = EXIT_FAIL;
	/* The failing direction's sender lacks the outbound rule or its receiver the inbound. */
	sender = to->status != DIR_OK ? me : peer;
	receiver = to->status != DIR_OK ? peer : me;
	snprintf(v->line, sizeof(v->line), "ONE-WAY: %s -> %s is dropped, %s -> %s works", sender,
		 receiver, receiver, sender);
	snprintf(v->remedy, sizeof(v->remedy), "Most likely missing: the inbound All-traffic rule "
		 "(source: the security group itself) on %s's security group, or the outbound "
		 "All-traffic rule (destination: the security group itself) on %s's. Add both rules "
		 "to the security group of both nodes.", receiver, sender);
}
