// SPDX-License-Identifier: MIT
/* Why a provider offers no endpoint on this node: shared by info's check and the tests. */
#include "host/provider-missing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/env.h"
#include "host/host.h"

extern char **environ;

void host_provider_missing(const char *provider, const char *fp, const struct efa_dev *devs,
			   size_t ndevs, const char *libfabric_path, char *buf, size_t len)
{
	size_t i, with_dev = 0;

	if (!host_fi_provider_allows(fp, provider)) {
		snprintf(buf, len, "FI_PROVIDER=%s excludes it: unset FI_PROVIDER", fp);
		return;
	}
	if (strcmp(provider, "efa")) {
		snprintf(buf, len, "check the provider name with 'fi_info -l'");
		return;
	}
	for (i = 0; i < ndevs; i++)
		with_dev += devs[i].uverbs_err == 0;
	if (!ndevs)
		snprintf(buf, len, "no EFA device visible (in a pod, request vpc.amazonaws.com/efa "
			 "from the EFA device plugin)");
	else if (!with_dev)
		snprintf(buf, len, "EFA devices exist but /dev/infiniband is not usable here "
			 "(mount it into the container)");
	else
		snprintf(buf, len, "the loaded libfabric (%s) may lack the efa provider: use the "
			 "one in /opt/amazon/efa", libfabric_path);
}

void host_provider_missing_here(const char *provider, char *buf, size_t len)
{
	struct efa_dev *devs = NULL;
	struct env_runtime rt;
	struct host_facts h;
	size_t n = efa_dev_scan(&devs);

	host_collect(&h);
	/* The core reads FI_PROVIDER with fi_param_get_str() (src/fabric.c): libfabric.conf too. */
	host_env_runtime(environ, h.libfabric_path, &rt);
	host_provider_missing(provider, host_env_param(environ, &rt, "FI_PROVIDER", NULL), devs, n,
			      h.libfabric_path, buf, len);
	free(devs);
}
