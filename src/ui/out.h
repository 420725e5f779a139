/* SPDX-License-Identifier: MIT */
/* The output layer: one description of a record's fields renders both the table and the JSON. */
#ifndef EFADIAG_OUT_H
#define EFADIAG_OUT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "common.h"

enum out_kind {
	OUT_STR,  /* a string */
	OUT_INT,  /* a whole number */
	OUT_DBL,  /* a number shown with col.prec decimals */
	OUT_BOOL, /* yes/no for people, true/false in JSON */
	OUT_SIZE, /* a size in bytes: 64 B, 4 KiB, 1 MiB for people, the number in JSON */
};

enum out_col_flags {
	OUT_JSON_ONLY = 1 << 0, /* a key scripts get that the table leaves out */
};

/*
 * A field of a record: its JSON key, its table header (unit included) and how to show it.
 * Commands describe their records with arrays of these; the layer does the rest.
 */
struct out_col {
	const char *key;
	const char *head;
	enum out_kind kind;
	int prec;
	unsigned int flags;
};

struct out;
struct out_table;

struct out *out_new(const char *command, bool json, bool quiet);
void out_free(struct out *o);
/* Errors go into the document only, not to stderr: for a process whose peer reports them. */
void out_errors_unsaid(struct out *o);
/* Stdout carries data of another format (stats --prom -): no closing line goes there. */
void out_stdout_is_data(struct out *o);
/*
 * After out_error: the closing "ERROR: message" line (in text; the summary in JSON), then the
 * fix, if any: the document's remedy and a "Fix:" line.
 */
void out_error_fix(struct out *o, const char *fix);
/* The fix after a closing line: the document's remedy and a "Fix:" line; none when empty. */
void out_fix(struct out *o, const char *fix);
bool out_is_json(const struct out *o);
/*
 * --pretty: the document indented over many lines. By default it is one line (compact), so
 * documents gathered from many nodes never interleave. Stream records stay one line.
 */
void out_set_pretty(struct out *o, bool pretty);
/* The document's root, for keys that no table describes. */
cJSON *out_root(struct out *o);

/*
 * A table: a JSON array of objects under key, an aligned table with a title for people.
 * key NULL: a table for people only, which the document does not hold.
 */
struct out_table *out_table_new(struct out *o, const char *key, const char *title,
				const struct out_col *cols, size_t ncols);
/* Starts a row; set its fields with the out_set_* helpers. */
cJSON *out_table_row(struct out_table *t);
/* How many rows the table has so far. */
int out_table_rows(const struct out_table *t);
/*
 * Rows as they are measured: each row is printed (people) by out_table_row_done once its
 * fields are set, stdout flushed, also into a pipe. The columns' widths are fixed now, before
 * the first row, from the headers and widest: a row (an object that is not in the table) with
 * the widest value each column will show, e.g. the largest size and 99999.99 for a latency; a
 * cell that is wider all the same pushes the rest of its row right. The title and header come
 * with the first row, so a run that fails before any shows no empty table (out_table_discard).
 */
void out_table_stream(struct out_table *t, const cJSON *widest);
void out_table_row_done(struct out_table *t);
/* Prints the table now (people) and forgets the handle; the JSON stays in the document.
 * A streaming table: prints what is not out yet (the header and "(none)" if no row came). */
void out_table_end(struct out_table *t);
/* Forgets the handle without printing: the JSON array stays, people see nothing. */
void out_table_discard(struct out_table *t);

/* A record shown as "label  value" lines for people and as an object under key in JSON. */
void out_record(struct out *o, const char *key, const char *title, const struct out_col *cols,
		size_t ncols, cJSON *obj);

void out_set_str(cJSON *obj, const char *key, const char *fmt, ...) PRINTF_LIKE(3, 4);
void out_set_num(cJSON *obj, const char *key, double v);
void out_set_bool(cJSON *obj, const char *key, bool v);

/* A line for people only (stdout), silent in JSON mode. */
void out_text(struct out *o, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* A message on stderr (progress, warnings), shown unless --quiet. */
void out_note(struct out *o, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * The run's outcome. out_fail sets status "fail" (a check failed); out_error prints
 * "efadiag: COMMAND: message" on stderr and sets status "error" with error.message.
 */
void out_fail(struct out *o);
void out_error(struct out *o, const char *fmt, ...) PRINTF_LIKE(2, 3);
void out_verdict(struct out *o, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * Prints the JSON document (JSON mode), flushes stdout and checks it was written.
 * Returns code, or EXIT_ERROR when stdout could not be written (full disk, closed pipe).
 */
int out_finish(struct out *o, int code);
/*
 * Streams records (JSON Lines): finishes the document so far as one record, printed on one
 * line in JSON mode (a block for people), and starts the next record as a fresh document.
 * Returns code, or EXIT_ERROR when stdout could not be written.
 */
int out_stream_record(struct out *o, int code);
/* After the last record of a stream: out_finish then prints no document of its own. */
void out_stream_close(struct out *o);

/* RFC 3339 in UTC with milliseconds: 2026-11-29T23:41:02.125Z (wall: seconds since 1970). */
void out_rfc3339(double wall, char *buf, size_t len);

/*
 * What a signal that stops the run (SIGINT, SIGTERM, SIGHUP; SIGALRM: --deadline) prints under
 * --json: one
 * document, made in advance. out_signal_doc_signals lists the OUT_SIGNAL_DOCS signals;
 * out_signal_doc_set(i, o, origin, code) keeps o's document, with origin's start time, as the
 * i-th signal's (o is then done with); out_signal_doc_write, in this process only (not in a
 * forked child), async-signal-safe, writes the one for sig unless the real
 * document has begun. out_signal_doc_free releases them.
 */
#define OUT_SIGNAL_DOCS 4
const int *out_signal_doc_signals(void);
void out_signal_doc_set(int i, struct out *o, const struct out *origin, int code);
void out_signal_doc_write(int sig);
void out_signal_doc_free(void);

#endif
