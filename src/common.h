/* SPDX-License-Identifier: MIT */
/* What every layer shares and nothing else: exit codes, the printf attribute, the version. */
#ifndef EFADIAG_COMMON_H
#define EFADIAG_COMMON_H

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* Exit status, fixed by CONTRACT.md. */
enum exit_code {
	EXIT_OK = 0,	/* ran, and everything checked passed */
	EXIT_FAIL = 1,	/* ran, and a check failed */
	EXIT_USAGE = 2, /* usage error: bad option, bad value, unknown command */
	EXIT_ERROR = 3, /* could not run */
};

/* The fixed-width version string every JSON document carries. */
const char *efadiag_version(void);

#endif
