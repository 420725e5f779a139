// SPDX-License-Identifier: MIT
/*
 * Reads of /sys, /proc and /dev, made below EFADIAG_SYSROOT so tests can use fixture trees.
 * A sysroot is anybody's directory tree, so every read is bounded: regular files only, a size
 * cap, and text made printable before it reaches a table or a JSON document.
 */
#include "host/sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

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

int sysfs_root_check(char *msg, size_t len)
{
	const char *root = sysfs_root();
	struct stat st;

	msg[0] = '\0';
	if (!root[0])
		return 0;
	if (stat(root, &st)) {
		int err = -errno;

		snprintf(msg, len, "EFADIAG_SYSROOT=%s: %s", root, strerror(-err));
		return err;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(msg, len, "EFADIAG_SYSROOT=%s: not a directory", root);
		return -ENOTDIR;
	}
	return 0;
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

/* Whether a file of this type and size may be read: see sysfs_read. */
static int readable_kind(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return -ELOOP;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	/* sysfs says 4096 for every attribute and /proc says 0: more is not such a file. */
	if (st->st_size > SYSFS_MAX_BYTES)
		return -EFBIG;
	return 0;
}

/*
 * Reads at most len - 1 bytes of a regular file (path relative to dirfd, or AT_FDCWD) into buf
 * and terminates it; returns the count.
 */
static ssize_t read_bounded_at(int dirfd, const char *path, char *buf, size_t len)
{
	struct stat st;
	size_t got = 0;
	int fd, ret, tries;

	/* lstat first, so a FIFO or a device is never even opened (opening can have effects). */
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	ret = readable_kind(&st);
	if (ret)
		return ret;
	/* NONBLOCK and NOFOLLOW in case it was swapped for a FIFO or a link since the lstat. */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	ret = readable_kind(&st);
	if (ret)
		goto out;
	if (len > SYSFS_MAX_BYTES + 1)
		len = SYSFS_MAX_BYTES + 1;
	/* A bounded number of reads: a file that keeps returning a byte at a time still ends. */
	for (tries = 0; got + 1 < len && tries < 64; tries++) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
out:
	close(fd);
	buf[got] = '\0';
	return ret ? ret : (ssize_t)got;
}

static ssize_t read_bounded(const char *path, char *buf, size_t len)
{
	return read_bounded_at(AT_FDCWD, path, buf, len);
}

ssize_t sysfs_read_raw_at(int dirfd, const char *name, char *buf, size_t len)
{
	return read_bounded_at(dirfd, name, buf, len);
}

void sysfs_printable(char *dst, size_t len, const char *src, size_t srclen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (!len)
		return;
	for (i = 0; i < srclen; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c >= 0x20 && c < 0x7f) {
			if (o + 1 >= len)
				break;
			dst[o++] = (char)c;
			continue;
		}
		/* Control bytes (ESC[2J), DEL and anything past ASCII (invalid UTF-8 in JSON). */
		if (o + 4 >= len)
			break;
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 15];
	}
	dst[o] = '\0';
}

/* The first line of raw, without the newline and trailing blanks: its length. */
static size_t first_line_len(const char *raw, size_t n)
{
	size_t end = 0;

	while (end < n && raw[end] != '\n')
		end++;
	/* A blank line ("\n", padded DMI strings) must leave "", not step before raw. */
	while (end > 0 && (raw[end - 1] == ' ' || raw[end - 1] == '\t'))
		end--;
	return end;
}

static int read_first_line(const char *path, char *buf, size_t len)
{
	char raw[4096];
	ssize_t n;

	buf[0] = '\0';
	/* The first line of what fits: an escaped byte takes four, so more would not fit anyway. */
	n = read_bounded(path, raw, len < sizeof(raw) ? len : sizeof(raw));
	if (n < 0)
		return (int)n;
	sysfs_printable(buf, len, raw, first_line_len(raw, (size_t)n));
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

int sysfs_read_raw(char *buf, size_t len, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	ssize_t n;
	char *p;

	buf[0] = '\0';
	va_start(ap, fmt);
	p = vpath(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (!p)
		return -ENAMETOOLONG;
	n = read_bounded(path, buf, len);
	return n < 0 ? (int)n : 0;
}

int host_file_read_raw(const char *path, char *buf, size_t len)
{
	ssize_t n = read_bounded(path, buf, len);

	return n < 0 ? (int)n : 0;
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
		return -EDOM;
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

bool sysfs_err_is_permission(int err)
{
	return err == -EACCES || err == -EPERM;
}

const char *sysfs_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case -ENOENT:
	case -ENOTDIR:
		return "absent";
	case -EACCES:
	case -EPERM:
		return "unreadable (permission)";
	case -EINVAL:
		return "not a regular file";
	case -EDOM:
		return "not a number";
	case -EFBIG:
		return "larger than 64 KiB, not a sysfs file";
	case -ELOOP:
		return "a symbolic link (not followed)";
	case -ENAMETOOLONG:
		return "path too long";
	default:
		return "unreadable";
	}
}
