/* SPDX-License-Identifier: MIT */
/* A list of named checks, each pass/warn/fail/skip with a detail that carries the fix. */
#ifndef EFADIAG_CHECKS_H
#define EFADIAG_CHECKS_H

#include "efadiag.h"

enum check_status { CHECK_PASS, CHECK_SKIP, CHECK_WARN, CHECK_FAIL };

struct out;
struct out_table;
struct cJSON;

struct checks {
	struct out_table *table;
	struct cJSON *last; /* the row check_add made last, for check_remedy */
	int count[4];
};

void checks_begin(struct checks *c, struct out *o);
/* As checks_begin, with a DEVICE column: for checks about one device each (stats). */
void checks_begin_devices(struct checks *c, struct out *o);
/* name is snake_case and the same on every device (docs/vocabulary.md). */
void check_add(struct checks *c, const char *name, enum check_status st, const char *fmt, ...)
	PRINTF_LIKE(4, 5);
/* As check_add, with what to do: the row's "remedy" (JSON; the detail says it to people). */
void check_add_fix(struct checks *c, const char *name, enum check_status st, const char *remedy,
		   const char *fmt, ...) PRINTF_LIKE(5, 6);
/* A check about one device: the device in its own field ("device"), never in the name. */
void check_add_dev(struct checks *c, const char *name, const char *device, enum check_status st,
		   const char *fmt, ...) PRINTF_LIKE(5, 6);
/* Prints the table (people); returns EXIT_FAIL when any check failed, else EXIT_OK. */
int checks_end(struct checks *c);
const char *check_status_str(enum check_status st);
/*
 * What to do about the check just added: its "remedy" (a string, docs/vocabulary.md), in the
 * JSON only; the detail people read still says it too.
 */
void check_remedy(struct checks *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
/*
 * The first check with status st in the document's checks: its name, and its remedy (NULL
 * when it has none). Returns false when no check has that status.
 */
bool checks_first(struct out *o, const char *st, const char **name, const char **remedy);

#endif
