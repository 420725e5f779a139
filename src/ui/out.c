// SPDX-License-Identifier: MIT
/* The output layer: aligned tables for people and one cJSON document for scripts. */
#include "ui/out.h"
#include "ui/parse.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct out {
	const char *command;
	bool json;
	bool quiet;
	bool printed; /* text mode: something went to stdout, separate the next block */
	bool pretty; /* --pretty: a document indented over lines, for people reading JSON */
	bool compact; /* JSON on one line whatever --pretty says: streaming records */
	bool stream_closed; /* the last record is out: no document follows it */
	bool stdout_failed; /* a write failed and was reported: nothing more goes out */
	bool errors_unsaid; /* errors go into the document only: another process reports them */
	bool stdout_data;   /* stdout carries data of another format (stats --prom -): no lines */
	char hostname[256];
	const char *node_name; /* env_node_name(), read once: every record of a stream has it */
	char started[40]; /* RFC 3339, when the command started */
	cJSON *root;
};

struct out_table {
	struct out *o;
	const char *title;
	const struct out_col *cols;
	size_t ncols;
	cJSON *rows;
	bool own_rows; /* a table for people only: its rows are not in the document */
	bool stream;	  /* rows printed as they are done (out_table_stream) */
	bool head_shown;  /* streaming: the title and header are out */
	int rows_shown;	  /* streaming: rows printed so far */
	size_t width[32]; /* streaming: the columns' widths, fixed before the first row */
};

static void *xalloc(size_t n)
{
	void *p = calloc(1, n);

	if (!p) {
		fputs("efadiag: out of memory\n", stderr);
		exit(EXIT_ERROR);
	}
	return p;
}

/* cJSON only fails on allocation; a diagnostic tool out of memory has nothing better to do. */
static cJSON *must(cJSON *item)
{
	if (!item) {
		fputs("efadiag: out of memory\n", stderr);
		exit(EXIT_ERROR);
	}
	return item;
}

void out_rfc3339(double wall, char *buf, size_t len)
{
	time_t secs = (time_t)wall;
	int ms = (int)((wall - (double)secs) * 1000);
	struct tm tm;
	char day[32];

	gmtime_r(&secs, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", day, ms < 0 ? 0 : ms > 999 ? 999 : ms);
}

/*
 * A fresh document with the keys every document has: which node and when, so documents that
 * srun or pdsh gathered from many nodes say whose they are.
 */
static void new_root(struct out *o)
{
	o->root = must(cJSON_CreateObject());
	must(cJSON_AddStringToObject(o->root, "efadiag_version", efadiag_version()));
	must(cJSON_AddStringToObject(o->root, "command", o->command));
	must(cJSON_AddStringToObject(o->root, "status", "ok"));
	must(cJSON_AddStringToObject(o->root, "hostname", o->hostname));
	/* Where srun or a launcher names the node otherwise: fan-out output says which node. */
	if (o->node_name)
		must(cJSON_AddStringToObject(o->root, "node_name", o->node_name));
	must(cJSON_AddStringToObject(o->root, "time", o->started));
}

struct out *out_new(const char *command, bool json, bool quiet)
{
	struct out *o = xalloc(sizeof(*o));
	struct timeval tv;

	o->command = command ? command : "";
	o->json = json;
	o->quiet = quiet;
	if (gethostname(o->hostname, sizeof(o->hostname) - 1))
		str_copy(o->hostname, sizeof(o->hostname), "unknown");
	o->node_name = env_node_name();
	gettimeofday(&tv, NULL);
	out_rfc3339((double)tv.tv_sec + (double)tv.tv_usec * 1e-6, o->started, sizeof(o->started));
	new_root(o);
	return o;
}

void out_errors_unsaid(struct out *o)
{
	o->errors_unsaid = true;
}

void out_stdout_is_data(struct out *o)
{
	o->stdout_data = true;
}

void out_free(struct out *o)
{
	if (!o)
		return;
	cJSON_Delete(o->root);
	free(o);
}

void out_set_pretty(struct out *o, bool pretty)
{
	o->pretty = pretty;
}

bool out_is_json(const struct out *o)
{
	return o->json;
}

cJSON *out_root(struct out *o)
{
	return o->root;
}

void out_set_str(cJSON *obj, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	must(cJSON_AddStringToObject(obj, key, buf));
}

void out_set_num(cJSON *obj, const char *key, double v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	must(cJSON_AddNumberToObject(obj, key, v));
}

void out_set_bool(cJSON *obj, const char *key, bool v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	must(cJSON_AddBoolToObject(obj, key, v));
}

/* Formats one field of obj for people; "-" where the record has no such key. */
static void format_cell(const struct out_col *col, const cJSON *obj, char *buf, size_t len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, col->key);

	if (!v || cJSON_IsNull(v)) {
		snprintf(buf, len, "-");
	} else if (cJSON_IsString(v)) {
		snprintf(buf, len, "%s", v->valuestring);
	} else if (cJSON_IsBool(v)) {
		snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "yes" : "no");
	} else if (cJSON_IsNumber(v)) {
		if (col->kind == OUT_DBL)
			snprintf(buf, len, "%.*f", col->prec, v->valuedouble);
		else if (col->kind == OUT_SIZE && v->valuedouble >= 0 && v->valuedouble < 9.2e18)
			size_text((size_t)v->valuedouble, buf, len);
		else if (v->valuedouble >= 9.2e18)
			snprintf(buf, len, "max"); /* SIZE_MAX and the like: no limit */
		else
			snprintf(buf, len, "%.0f", v->valuedouble);
	} else if (cJSON_IsArray(v)) {
		/* Arrays of strings (caps, flags) read best as a comma list. */
		const cJSON *e;
		size_t used = 0;

		buf[0] = '\0';
		cJSON_ArrayForEach(e, v) {
			if (!cJSON_IsString(e) || used >= len)
				continue;
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
						 e->valuestring);
		}
		if (!buf[0])
			snprintf(buf, len, "-");
	} else {
		snprintf(buf, len, "?");
	}
}

static bool right_aligned(const struct out_col *col)
{
	return col->kind == OUT_INT || col->kind == OUT_DBL || col->kind == OUT_SIZE;
}

static void begin_block(struct out *o)
{
	if (o->printed)
		putchar('\n');
	o->printed = true;
}

struct out_table *out_table_new(struct out *o, const char *key, const char *title,
				const struct out_col *cols, size_t ncols)
{
	struct out_table *t = xalloc(sizeof(*t));

	t->o = o;
	t->title = title;
	t->cols = cols;
	t->ncols = ncols;
	if (!key) {
		t->rows = must(cJSON_CreateArray());
		t->own_rows = true;
		return t;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(o->root, key);
	t->rows = must(cJSON_AddArrayToObject(o->root, key));
	return t;
}

cJSON *out_table_row(struct out_table *t)
{
	cJSON *row = must(cJSON_CreateObject());

	cJSON_AddItemToArray(t->rows, row);
	return row;
}

int out_table_rows(const struct out_table *t)
{
	return cJSON_GetArraySize(t->rows);
}

#define OUT_MAX_COLS 32

/* The last column people see: a last column of text is not padded (no trailing blanks). */
static size_t last_shown(const struct out_table *t)
{
	size_t c, last = 0;

	for (c = 0; c < t->ncols && c < OUT_MAX_COLS; c++)
		if (!(t->cols[c].flags & OUT_JSON_ONLY))
			last = c;
	return last;
}

static void print_cell(const struct out_table *t, size_t c, size_t last, const char *text)
{
	if (c == last && !right_aligned(&t->cols[c]))
		printf("%s", text);
	else
		printf(right_aligned(&t->cols[c]) ? "%*s%s" : "%-*s%s", (int)t->width[c], text,
		       c == last ? "" : "  ");
}

static void print_head(struct out_table *t)
{
	size_t c, last = last_shown(t);

	begin_block(t->o);
	if (t->title)
		printf("%s\n", t->title);
	for (c = 0; c < t->ncols && c < OUT_MAX_COLS; c++)
		if (!(t->cols[c].flags & OUT_JSON_ONLY))
			print_cell(t, c, last, t->cols[c].head);
	putchar('\n');
	t->head_shown = true;
}

/* A cell wider than its column pushes the rest of the row right: it is never cut. */
static void print_row(const struct out_table *t, const cJSON *row)
{
	size_t c, last = last_shown(t);
	char cell[512];

	for (c = 0; c < t->ncols && c < OUT_MAX_COLS; c++) {
		if (t->cols[c].flags & OUT_JSON_ONLY)
			continue;
		format_cell(&t->cols[c], row, cell, sizeof(cell));
		print_cell(t, c, last, cell);
	}
	putchar('\n');
}

/* Each column as wide as its header and the widest of rows (an array of rows, or one row). */
static void fit_widths(struct out_table *t, const cJSON *rows)
{
	char cell[512];
	const cJSON *row;
	size_t c;

	for (c = 0; c < t->ncols && c < OUT_MAX_COLS; c++) {
		if (t->cols[c].flags & OUT_JSON_ONLY)
			continue;
		if (strlen(t->cols[c].head) > t->width[c])
			t->width[c] = strlen(t->cols[c].head);
		if (!rows)
			continue;
		if (cJSON_IsObject(rows)) {
			format_cell(&t->cols[c], rows, cell, sizeof(cell));
			if (strlen(cell) > t->width[c])
				t->width[c] = strlen(cell);
			continue;
		}
		cJSON_ArrayForEach(row, rows) {
			format_cell(&t->cols[c], row, cell, sizeof(cell));
			if (strlen(cell) > t->width[c])
				t->width[c] = strlen(cell);
		}
	}
}

/* The rows not printed yet; the title and header first, and (none) for a table without rows. */
static void print_rest(struct out_table *t)
{
	const cJSON *row;
	int i = 0;

	if (!t->head_shown) {
		print_head(t);
		if (!cJSON_GetArraySize(t->rows))
			printf("(none)\n");
	}
	cJSON_ArrayForEach(row, t->rows)
		if (i++ >= t->rows_shown)
			print_row(t, row);
	t->rows_shown = i;
}

void out_table_stream(struct out_table *t, const cJSON *widest)
{
	t->stream = true;
	fit_widths(t, widest);
}

void out_table_row_done(struct out_table *t)
{
	if (!t->stream || t->o->json || !cJSON_GetArraySize(t->rows))
		return;
	print_rest(t);
	/* Into a pipe too: a script or a person watching sees each size when it is measured. */
	fflush(stdout);
}

void out_table_discard(struct out_table *t)
{
	if (!t)
		return;
	if (t->own_rows)
		cJSON_Delete(t->rows);
	free(t);
}

void out_table_end(struct out_table *t)
{
	if (!t)
		return;
	if (!t->o->json) {
		/* A table printed whole is as wide as its widest cell; a stream's widths are set. */
		if (!t->stream)
			fit_widths(t, t->rows);
		print_rest(t);
	}
	out_table_discard(t);
}

void out_record(struct out *o, const char *key, const char *title, const struct out_col *cols,
		size_t ncols, cJSON *obj)
{
	size_t c, width = 0;
	char cell[512];

	if (!o->json) {
		for (c = 0; c < ncols; c++)
			if (!(cols[c].flags & OUT_JSON_ONLY) && strlen(cols[c].head) > width)
				width = strlen(cols[c].head);
		begin_block(o);
		if (title)
			printf("%s\n", title);
		for (c = 0; c < ncols; c++) {
			if (cols[c].flags & OUT_JSON_ONLY)
				continue;
			format_cell(&cols[c], obj, cell, sizeof(cell));
			printf("  %-*s  %s\n", (int)width, cols[c].head, cell);
		}
	}
	cJSON_DeleteItemFromObjectCaseSensitive(o->root, key);
	cJSON_AddItemToObject(o->root, key, obj);
}

void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void out_note(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void set_status(struct out *o, const char *status)
{
	cJSON_ReplaceItemInObjectCaseSensitive(o->root, "status", must(cJSON_CreateString(status)));
}

void out_fail(struct out *o)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o->root, "status");

	/* An error outranks a failed check: the run did not complete. */
	if (!cJSON_IsString(s) || strcmp(s->valuestring, "error"))
		set_status(o, "fail");
}

void out_error(struct out *o, const char *fmt, ...)
{
	char msg[1024];
	cJSON *err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!o->errors_unsaid)
		fprintf(stderr, "efadiag: %s%s%s\n", o->command, *o->command ? ": " : "", msg);
	set_status(o, "error");
	/* The first error is the cause; later ones are usually its consequences. */
	if (cJSON_GetObjectItemCaseSensitive(o->root, "error"))
		return;
	err = must(cJSON_AddObjectToObject(o->root, "error"));
	must(cJSON_AddStringToObject(err, "message", msg));
}

void out_verdict(struct out *o, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_DeleteItemFromObjectCaseSensitive(o->root, "summary");
	must(cJSON_AddStringToObject(o->root, "summary", msg));
	if (!o->json) {
		begin_block(o);
		printf("%s\n", msg);
	}
}

void out_fix(struct out *o, const char *fix)
{
	if (!fix || !*fix)
		return;
	must(cJSON_AddStringToObject(o->root, "remedy", fix));
	out_text(o, "Fix: %s\n", fix);
}

void out_error_fix(struct out *o, const char *fix)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(o->root, "error"), "message");

	/* The closing line first, then its fix, as a verdict and its Fix: line are. */
	if (cJSON_IsString(msg) && !cJSON_GetObjectItemCaseSensitive(o->root, "summary"))
		out_verdict(o, "ERROR: %s", msg->valuestring);
	out_fix(o, fix);
}

/*
 * Every document has a summary, so a script can always show one line: a command that printed
 * no verdict line (an error, a failure reported as a message, a server's document) gets one
 * made from its status and message. In text, a run that could not run (exit 3) also closes
 * with it on stdout, as every command's run closes with OK:, FAIL: or ERROR: (docs/
 * vocabulary.md); the stderr line stays, for logs that keep only stderr. A process whose
 * errors another reports (a test's child half) prints none, nor one whose stdout is data of
 * another format (stats --prom -: an exposition a scraper reads).
 */
static void add_missing_summary(struct out *o, int code)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(o->root, "error"), "message");
	const char *word = code == EXIT_OK ? "OK" : code == EXIT_FAIL ? "FAIL" : "ERROR";
	char line[1100];

	if (cJSON_GetObjectItemCaseSensitive(o->root, "summary"))
		return;
	if (cJSON_IsString(msg))
		snprintf(line, sizeof(line), "%s: %s", word, msg->valuestring);
	else
		snprintf(line, sizeof(line), "%s", code == EXIT_FAIL ? "FAIL: a check failed" : word);
	must(cJSON_AddStringToObject(o->root, "summary", line));
	if (!o->json && code == EXIT_ERROR && !o->errors_unsaid && !o->stdout_data) {
		begin_block(o);
		printf("%s\n", line);
	}
}

/*
 * The status follows the exit code, so scripts can trust either: 1 is "fail" even where the
 * cause was reported with out_error (its message then also stands as "diagnosis").
 */
static void reconcile_status(struct out *o, int code)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(o->root, "error"), "message");

	if (code == EXIT_OK) {
		set_status(o, "ok");
	} else if (code == EXIT_FAIL) {
		set_status(o, "fail");
		if (cJSON_IsString(msg) && !cJSON_GetObjectItemCaseSensitive(o->root, "diagnosis"))
			must(cJSON_AddStringToObject(o->root, "diagnosis", msg->valuestring));
	} else {
		set_status(o, "error");
		if (!cJSON_GetObjectItemCaseSensitive(o->root, "error"))
			out_error(o, "internal error: exit %d without a message", code);
	}
	add_missing_summary(o, code);
}

int out_stream_record(struct out *o, int code)
{
	/* A record is one line, and from the first on, so is every document after it. */
	o->compact = true;
	code = out_finish(o, code);
	cJSON_Delete(o->root);
	new_root(o);
	return code;
}

void out_stream_close(struct out *o)
{
	o->stream_closed = true;
}

/*
 * The documents a stopping signal leaves: made before the command runs, since a signal
 * handler may not allocate, and written by it with write(2) alone. One per signal; disarmed
 * once the real document starts, so a document is never printed twice.
 */
static const int doc_signals[OUT_SIGNAL_DOCS] = { SIGINT, SIGTERM, SIGHUP, SIGALRM };
static char *signal_doc[OUT_SIGNAL_DOCS];
static size_t signal_doc_len[OUT_SIGNAL_DOCS];
static volatile sig_atomic_t signal_doc_armed;
/* Children forked for a test half or a listing inherit the handler: only we print. */
static pid_t signal_doc_pid;

const int *out_signal_doc_signals(void)
{
	return doc_signals;
}

void out_signal_doc_set(int i, struct out *o, const struct out *origin, int code)
{
	char *doc;

	/* The run's own start, as the real document would say. */
	str_copy(o->started, sizeof(o->started), origin->started);
	out_set_str(o->root, "time", "%s", o->started);
	reconcile_status(o, code);
	/* Laid out as the real document would be: one line unless --pretty. */
	doc = origin->pretty ? cJSON_Print(o->root) : cJSON_PrintUnformatted(o->root);
	if (!doc)
		return;
	free(signal_doc[i]);
	signal_doc_len[i] = strlen(doc) + 1;
	signal_doc[i] = malloc(signal_doc_len[i]);
	if (signal_doc[i]) {
		memcpy(signal_doc[i], doc, signal_doc_len[i] - 1);
		signal_doc[i][signal_doc_len[i] - 1] = '\n';
	}
	cJSON_free(doc);
	signal_doc_pid = getpid();
	signal_doc_armed = 1;
}

void out_signal_doc_write(int sig)
{
	size_t i, done = 0;

	if (!signal_doc_armed || getpid() != signal_doc_pid)
		return;
	signal_doc_armed = 0;
	for (i = 0; i < OUT_SIGNAL_DOCS; i++)
		if (doc_signals[i] == sig && signal_doc[i])
			while (done < signal_doc_len[i]) {
				ssize_t n = write(STDOUT_FILENO, signal_doc[i] + done,
						  signal_doc_len[i] - done);

				if (n <= 0 && errno != EINTR)
					return;
				if (n > 0)
					done += (size_t)n;
			}
}

void out_signal_doc_free(void)
{
	size_t i;

	signal_doc_armed = 0;
	for (i = 0; i < OUT_SIGNAL_DOCS; i++) {
		free(signal_doc[i]);
		signal_doc[i] = NULL;
	}
}

int out_finish(struct out *o, int code)
{
	signal_doc_armed = 0;
	/* A closed pipe is reported once, at the record that met it, and ends the stream. */
	if (o->stdout_failed)
		return EXIT_ERROR;
	reconcile_status(o, code);
	if (o->json && !o->stream_closed) {
		/*
		 * One line by default: srun and pdsh gather their tasks' output line by line, so
		 * documents from many nodes never interleave mid-document, and line tools (grep,
		 * sort, JSON Lines readers) take each whole. --pretty indents, for people.
		 */
		char *doc = o->pretty && !o->compact ? cJSON_Print(o->root)
						     : cJSON_PrintUnformatted(o->root);

		if (!doc) {
			fputs("efadiag: out of memory\n", stderr);
			return EXIT_ERROR;
		}
		fputs(doc, stdout);
		fputc('\n', stdout);
		cJSON_free(doc);
	}
	/* A full disk or a closed pipe must not look like success. */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		/* EAGAIN: a stream's reader stopped reading and a stop signal came (stats). */
		fprintf(stderr, "efadiag: writing standard output: %s\n",
			errno == EAGAIN ? "its reader takes nothing (the pipe is full), and the run was "
					  "stopped: the last record is cut" : strerror(errno));
		o->stdout_failed = true;
		return EXIT_ERROR;
	}
	return code;
}
