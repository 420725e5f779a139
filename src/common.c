// SPDX-License-Identifier: MIT
/* The version string, in a module of its own so that no layer needs main's file for it. */
#include "config.h"

#include "common.h"

const char *efadiag_version(void)
{
	return PACKAGE_VERSION;
}
