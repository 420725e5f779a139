/* SPDX-License-Identifier: MIT */
/* Small helpers every module uses: bounded string copy, monotonic time. */
#ifndef EFADIAG_UTIL_H
#define EFADIAG_UTIL_H

#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

/* Copies src into dst, truncating to fit and always terminating, like strlcpy. */
static inline void str_copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Seconds on the monotonic clock: deadlines must not move with the wall clock. */
static inline double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Fatal signals back to the kernel's default action. Libraries loaded with libfabric may turn
 * them into a backtrace and exit(1) (libinfinipath and PSM2, which Debian's libfabric links):
 * a crash must look like one, to the shell and to a parent reporting how its child ended.
 */
static inline void fatal_signals_default(void)
{
	static const int fatal[] = { SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE };
	size_t i;

	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], SIG_DFL);
}

/*
 * The name of a signal efadiag reports ("SIGSEGV"), or NULL for others. A table, not
 * sigabbrev_np (glibc 2.32; Amazon Linux 2 has 2.26) or strsignal (not async-signal-safe).
 */
static inline const char *signal_abbrev(int signo)
{
	static const struct {
		int signo;
		const char *name;
	} names[] = {
		{ SIGINT, "SIGINT" },	{ SIGTERM, "SIGTERM" }, { SIGHUP, "SIGHUP" },
		{ SIGABRT, "SIGABRT" }, { SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" },
		{ SIGILL, "SIGILL" },	{ SIGFPE, "SIGFPE" },	{ SIGKILL, "SIGKILL" },
		{ SIGPIPE, "SIGPIPE" }, { SIGTRAP, "SIGTRAP" }, { SIGSYS, "SIGSYS" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].signo == signo)
			return names[i].name;
	return NULL;
}

#endif
