/* SPDX-License-Identifier: MIT */
/* Reads of /sys, /proc and /dev, made below EFADIAG_SYSROOT when it is set. */
#ifndef EFADIAG_SYSFS_H
#define EFADIAG_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "efadiag.h"

/* The most a read takes from one file: sysfs attributes are one page, /proc files small. */
#define SYSFS_MAX_BYTES (64 * 1024)

/* The root all reads are made below: "" for the real one, else EFADIAG_SYSROOT. */
const char *sysfs_root(void);
bool sysfs_is_real_root(void);
/*
 * Whether EFADIAG_SYSROOT (when set) names a directory. Returns 0, or a negative errno with
 * why in msg: a sysroot that is not there would make every file "absent" and pass unseen.
 */
int sysfs_root_check(char *msg, size_t len);
/* Builds the sysroot-prefixed path; returns buf, or NULL when it does not fit. */
char *sysfs_path(char *buf, size_t len, const char *fmt, ...) PRINTF_LIKE(3, 4);
/*
 * Reads a file's first line (trailing newline and blanks removed) into buf, as printable
 * text: bytes that are not printable ASCII come out as \xNN, so nothing read from a file can
 * reach a terminal or a JSON document raw. Only regular files are read (a FIFO or device
 * would block or never end), without following a final symlink, and at most SYSFS_MAX_BYTES.
 * Returns 0, or a negative errno (-EINVAL: not a regular file, -EFBIG: larger than
 * SYSFS_MAX_BYTES, -ELOOP: a symlink).
 */
int sysfs_read(char *buf, size_t len, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* The first line as a number (base 0); -EDOM when it is not one. */
int sysfs_read_long(long *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* The raw bytes of a whole file (not escaped, NUL-terminated), same rules as sysfs_read. */
int sysfs_read_raw(char *buf, size_t len, const char *fmt, ...) PRINTF_LIKE(3, 4);
/*
 * The raw bytes of name, relative to the open directory dirfd (no sysroot added: dirfd was
 * opened below it), by the same rules. Returns the count, or a negative errno. For readers of
 * many files in one directory (hardware counters), where a path walk per file costs.
 */
ssize_t sysfs_read_raw_at(int dirfd, const char *name, char *buf, size_t len);
/* Reads an absolute path outside the sysroot (e.g. /opt), by the same rules, raw. */
int host_file_read_raw(const char *path, char *buf, size_t len);
bool sysfs_exists(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Copies src into dst with what is not printable ASCII escaped as \xNN; never splits one. */
void sysfs_printable(char *dst, size_t len, const char *src, size_t srclen);
/* A read error for people: "absent", "unreadable (permission)", "not a regular file", ... */
const char *sysfs_strerror(int err);
/* Whether err means the file is there but this user may not read it. */
bool sysfs_err_is_permission(int err);

#endif
