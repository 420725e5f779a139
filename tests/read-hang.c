// SPDX-License-Identifier: MIT
/*
 * Test-only LD_PRELOAD shim: a read() of a file whose name is EFADIAG_TEST_HANG_FILE sleeps
 * (at most EFADIAG_TEST_HANG_SEC seconds, default 30) before it reads. It stands in for a
 * hardware counter whose driver read hangs (an EFA device whose admin queue stopped), which
 * a fixture file cannot do, so tests/stats.sh can show that stats is not held up by it.
 * A read of a file whose path contains EFADIAG_TEST_ERRNO_PATH fails with errno
 * EFADIAG_TEST_ERRNO instead: what the efa driver answers once it closed a device's admin
 * queue (ENODEV for every port counter), which a fixture file cannot do either.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*pread_fn)(int, void *, size_t, off_t);

/* The path of fd, "" when unknown. */
static void fd_path(int fd, char *path, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, len - 1);
	path[n > 0 ? n : 0] = '\0';
}

/* Whether a read of fd is to fail, and with which errno. */
static int fail_errno(int fd)
{
	const char *want = getenv("EFADIAG_TEST_ERRNO_PATH"), *e = getenv("EFADIAG_TEST_ERRNO");
	char path[PATH_MAX];

	if (!want || !*want || !e)
		return 0;
	fd_path(fd, path, sizeof(path));
	return strstr(path, want) ? atoi(e) : 0;
}

static int names_hung_file(int fd, const char *want)
{
	char link[64], path[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	base = strrchr(path, '/');
	return base && !strcmp(base + 1, want);
}

static void hang_if_asked(int fd)
{
	const char *want = getenv("EFADIAG_TEST_HANG_FILE");

	if (want && *want && names_hung_file(fd, want)) {
		const char *s = getenv("EFADIAG_TEST_HANG_SEC");
		struct timespec ts = { s ? atoi(s) : 30, 0 };

		while (nanosleep(&ts, &ts))
			;
	}
}

ssize_t read(int fd, void *buf, size_t count)
{
	static read_fn real;
	int err;

	if (!real)
		real = (read_fn)dlsym(RTLD_NEXT, "read");
	hang_if_asked(fd);
	err = fail_errno(fd);
	if (err) {
		errno = err;
		return -1;
	}
	return real(fd, buf, count);
}

ssize_t pread(int fd, void *buf, size_t count, off_t off)
{
	static pread_fn real;
	int err;

	if (!real)
		real = (pread_fn)dlsym(RTLD_NEXT, "pread");
	hang_if_asked(fd);
	err = fail_errno(fd);
	if (err) {
		errno = err;
		return -1;
	}
	return real(fd, buf, count, off);
}

ssize_t pread64(int fd, void *buf, size_t count, off_t off)
{
	static pread_fn real;
	int err;

	if (!real)
		real = (pread_fn)dlsym(RTLD_NEXT, "pread64");
	hang_if_asked(fd);
	err = fail_errno(fd);
	if (err) {
		errno = err;
		return -1;
	}
	return real(fd, buf, count, off);
}
