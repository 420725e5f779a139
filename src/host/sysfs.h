/* SPDX-License-Identifier: MIT */
/* Reads of /sys, /proc and /dev, made below EFADIAG_SYSROOT when it is set. */
#ifndef EFADIAG_SYSFS_H
#define EFADIAG_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#include "efadiag.h"

/* The root all reads are made below: "" for the real one, else EFADIAG_SYSROOT. */
const char *sysfs_root(void);
bool sysfs_is_real_root(void);
/* Builds the sysroot-prefixed path; returns buf, or NULL when it does not fit. */
char *sysfs_path(char *buf, size_t len, const char *fmt, ...) PRINTF_LIKE(3, 4);
/*
 * Reads a small file's first line (trailing newline and blanks removed) into buf.
 * Returns 0, or a negative errno.
 */
int sysfs_read(char *buf, size_t len, const char *fmt, ...) PRINTF_LIKE(3, 4);
int sysfs_read_long(long *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
bool sysfs_exists(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
