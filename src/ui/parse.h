/* SPDX-License-Identifier: MIT */
/* Value parsers for the command line: numbers, durations, sizes and size lists, ports. */
#ifndef EFADIAG_PARSE_H
#define EFADIAG_PARSE_H

#include <stddef.h>

/* Largest message size any test accepts: beyond it buffers stop being reasonable. */
#define PARSE_MAX_MSG_SIZE ((size_t)1 << 30)

/*
 * Each parser returns 0 and stores the value, or returns -1 and points *why at a static
 * sentence that says what is wrong with the text ("not a number", "must be at least 1").
 */
int parse_long(const char *s, long min, long max, long *out, const char **why);
int parse_seconds(const char *s, double min, double max, double *out, const char **why);
int parse_size(const char *s, size_t *out, const char **why);
int parse_size_list(const char *s, size_t *sizes, size_t max, size_t *n, const char **why);
int parse_port(const char *s, int *out, const char **why);
/*
 * [ADDR:]PORT, as --listen takes it: PORT alone or ":PORT" (addr ""), "ADDR:PORT" (a name or
 * an IPv4 address), "[IPv6]:PORT". The address is copied into addr[len], not resolved.
 */
int parse_listen(const char *s, char *addr, size_t len, int *port, const char **why);
/* Splits "a,b,c" into at most max distinct pieces; the copies are malloc'd. */
int parse_name_list(const char *s, char **names, size_t max, size_t *n, const char **why);

/* "4096" -> "4k", "1048576" -> "1M": the form -S takes (input syntax, e.g. in a usage error). */
const char *size_str(size_t bytes, char *buf, size_t len);
/*
 * 64 -> "64 B", 4096 -> "4 KiB", 1048576 -> "1 MiB": the form sizes are printed in for people
 * (docs/vocabulary.md): the largest binary unit that divides the size, a space, the unit.
 */
const char *size_text(size_t bytes, char *buf, size_t len);

#endif
