/* SPDX-License-Identifier: MIT */
/* sg-check's judgement: from both sides' probe reports to a direction each, a verdict, a fix. */
#ifndef EFADIAG_CMD_SGCHECK_H
#define EFADIAG_CMD_SGCHECK_H

#include <stdbool.h>

#include "ctl/proto.h"

enum dir_status { DIR_OK, DIR_TIMEOUT, DIR_ERROR };

/* What one direction did, from the sender's and the receiver's reports. */
struct dir_result {
	enum dir_status status;
	bool small, large;
	double elapsed_ms;
	char error[512];
	bool provider_error; /* an error other than unreachable: verdict "error" */
};

struct sg_verdict {
	const char *name; /* pass, blocked, one_way, control_unreachable, error */
	int code;	  /* the exit code */
	char line[512];	  /* the one-line verdict for people */
	char remedy[1024]; /* empty for pass */
};

const char *sg_dir_status_str(enum dir_status s);
/* One direction: the receiver says whether the probes arrived, the sender how its sends ended. */
void sg_direction(struct dir_result *d, const struct msg_sg_report *recv,
		  const struct msg_sg_report *send);
/* The verdict on both directions; me and peer name the two ends in the sentences. */
void sg_judge(struct sg_verdict *v, const struct dir_result *to, const struct dir_result *from,
	      const char *me, const char *peer);

#endif
