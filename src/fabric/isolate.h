/* SPDX-License-Identifier: MIT */
/* Lists a provider's RDM domains in a child process, so libfabric dying cannot take us down. */
#ifndef EFADIAG_FABRIC_ISOLATE_H
#define EFADIAG_FABRIC_ISOLATE_H

#include <rdma/fabric.h>
#include <stddef.h>

/* How the child that asked libfabric ended. */
enum listing_fate {
	LISTING_DONE,	 /* it answered: ret and the list are libfabric's */
	LISTING_ABORTED, /* SIGABRT: a provider called abort() (the efa provider does on bad env) */
	LISTING_CRASHED, /* another signal */
	LISTING_HUNG,	 /* no answer within the time bound; killed */
	LISTING_LOST,	 /* it exited without a complete answer (or could not be started) */
};

/* Whether a test could open an endpoint on a listed entry (fab_open, in the child). */
struct listing_open {
	int ret;       /* 0, libfabric's negative error, or LISTING_OPEN_UNTRIED */
	char err[256]; /* what failed */
};

#define LISTING_OPEN_UNTRIED 1

struct listing {
	enum listing_fate fate;
	int ret;		/* LISTING_DONE: fabric_list_domains' result */
	int signo;		/* LISTING_ABORTED, LISTING_CRASHED: the signal */
	int exit_status;	/* LISTING_LOST: the child's exit status */
	double timeout_sec;	/* the bound it ran under */
	struct fi_info *list;	/* LISTING_DONE and ret 0: the domains, free with fi_freeinfo */
	struct listing_open *opens; /* per entry of list, in its order; free() */
	char open_stop[160];	    /* why opens are LISTING_OPEN_UNTRIED, when some are */
};

/*
 * fabric_list_domains (see discover.h) in a forked child bounded by timeout_sec, the answer
 * coming back over a pipe. The copies in l->list carry what info shows of each domain
 * (provider, fabric and domain names, versions, type, protocol, sizes, MR mode, caps) and
 * nothing else; l->opens says for each whether an endpoint opens on it. Returns 0 when the child answered (l->ret is libfabric's), else -1 with
 * l->fate saying what happened; listing_describe words it.
 */
int fabric_list_domains_isolated(const char *prov, char *const *domains, size_t ndomains,
				 double timeout_sec, struct listing *l);

/* "libfabric aborted while listing providers (signal 6, SIGABRT)" and the like. */
void listing_describe(const struct listing *l, char *buf, size_t len);

#endif
