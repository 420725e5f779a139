// SPDX-License-Identifier: MIT
/* Reads of /sys, /proc and /dev, made below EFADIAG_SYSROOT so tests can use fixture trees. */
#include "host/sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *sysfs_root(void)
{
	const char *root = getenv("EFADIAG_SYSROOT");

	/* "/" and "" both mean the real root; a trailing slash would double up. */
	if (!root || !strcmp(root, "/"))
		return "";
	return root;
}

bool sysfs_is_real_root(void)
{
	return sysfs_root()[0] == '\0';
}

static char *vpath(char *buf, size_t len, const char *fmt, va_list ap)
{
	const char *root = sysfs_root();
	size_t rl = strlen(root);
	int n;

	if (rl >= len)
		return NULL;
	memcpy(buf, root, rl);
	n = vsnprintf(buf + rl, len - rl, fmt, ap);
	if (n < 0 || (size_t)n >= len - rl)
		return NULL;
	return buf;
}

char *sysfs_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = vpath(buf, len, fmt, ap);
	va_end(ap);
	return p;
}

static int read_first_line(const char *path, char *buf, size_t len)
{
	size_t end;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = '\0';
	/* A blank line ("\n", padded DMI strings) must leave "", not step before buf. */
	end = strcspn(buf, "\n");
	while (end > 0 && (buf[end - 1] == ' ' || buf[end - 1] == '\t'))
		end--;
	buf[end] = '\0';
	return 0;
}

int sysfs_read(char *buf, size_t len, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	char *p;

	buf[0] = '\0';
	va_start(ap, fmt);
	p = vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (!p)
		return -ENAMETOOLONG;
	return read_first_line(path, buf, len);
}

int sysfs_read_long(long *v, const char *fmt, ...)
{
	char path[4096], buf[64], *end;
	va_list ap;
	char *p;
	int ret;

	va_start(ap, fmt);
	p = vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (!p)
		return -ENAMETOOLONG;
	ret = read_first_line(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	/* Base 0: sysfs writes PCI ids as 0x1d0f and counts in decimal. */
	*v = strtol(buf, &end, 0);
	if (end == buf || errno)
		return -EINVAL;
	return 0;
}

bool sysfs_exists(const char *fmt, ...)
{
	char path[4096];
	struct stat st;
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	return p && stat(path, &st) == 0;
}
