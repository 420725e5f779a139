/* SPDX-License-Identifier: MIT */
/* Why a provider offers no endpoint on this node, in the words info's provider check uses. */
#ifndef EFADIAG_HOST_PROVIDER_MISSING_H
#define EFADIAG_HOST_PROVIDER_MISSING_H

#include <stddef.h>

#include "host/efa_dev.h"

/*
 * The likeliest cause, from this node's facts: FI_PROVIDER excluding it (fi_provider: its
 * value as libfabric reads it, environment or libfabric.conf; NULL when unset), no EFA device,
 * EFA devices without a usable /dev/infiniband, or a libfabric without the efa provider (the
 * library at libfabric_path). devs: the EFA devices in sysfs (efa_dev_scan).
 */
void host_provider_missing(const char *provider, const char *fi_provider,
			   const struct efa_dev *devs, size_t ndevs, const char *libfabric_path,
			   char *buf, size_t len);
/* The same, reading the devices and the library's path itself (the test commands). */
void host_provider_missing_here(const char *provider, char *buf, size_t len);

#endif
