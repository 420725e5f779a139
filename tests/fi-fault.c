// SPDX-License-Identifier: MIT
/*
 * Test-only LD_PRELOAD shim: fi_getinfo aborts, crashes, hangs or exits as
 * EFADIAG_TEST_FI_GETINFO says (abort, segv, hang, exit; abort-later: on calls that ask for
 * capabilities, as opening an endpoint does and listing does not, standing for the efa
 * provider's aborts at endpoint open on some FI_EFA_* values), and otherwise is
 * libfabric's. It
 * stands in for a provider that dies while libfabric loads it, which the efa provider does
 * only on EFA hosts, so tests/info-isolation.sh can show that info outlives it everywhere.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <rdma/fabric.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*getinfo_fn)(uint32_t, const char *, const char *, uint64_t, const struct fi_info *,
			  struct fi_info **);

int fi_getinfo(uint32_t version, const char *node, const char *service, uint64_t flags,
	       const struct fi_info *hints, struct fi_info **info)
{
	const char *mode = getenv("EFADIAG_TEST_FI_GETINFO");
	getinfo_fn real;

	/* An RDM endpoint's (a utility provider asks for its core's MSG ones while listing). */
	if (mode && !strcmp(mode, "abort-later") && hints && hints->caps && hints->ep_attr &&
	    hints->ep_attr->type == FI_EP_RDM)
		abort();
	if (mode && !strcmp(mode, "abort"))
		abort();
	if (mode && !strcmp(mode, "segv"))
		raise(SIGSEGV);
	if (mode && !strcmp(mode, "hang"))
		for (;;)
			pause();
	if (mode && !strcmp(mode, "exit"))
		_exit(0);
	real = (getinfo_fn)dlsym(RTLD_NEXT, "fi_getinfo");
	if (!real)
		return -FI_ENOSYS;
	return real(version, node, service, flags, hints, info);
}
