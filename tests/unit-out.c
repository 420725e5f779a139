// SPDX-License-Identifier: MIT
/*
 * Unit tests of the output layer (src/out.c) and, through efadiag_main and cli_parse, of the
 * command line (src/ui/cli.c). Built with src/main.c compiled with -Dmain=efadiag_main.
 */
#include <fcntl.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "ui/cli.h"
#include "efadiag.h"
#include "ui/out.h"
#include "tap.h"

/* The target compiles with -Dmain=efadiag_main for src/main.c; this file has the real main. */
#undef main
int efadiag_main(int argc, char **argv);

#define CAP_MAX 65536

/* What a piece of code wrote on stdout and stderr. */
struct cap {
	char out[CAP_MAX];
	char err[CAP_MAX];
	int saved_out, saved_err;
	FILE *fout, *ferr;
};

/* Points fds 1 and 2 at temporary files; stdio's FILEs stay the same objects. */
static void cap_begin(struct cap *c)
{
	fflush(stdout);
	fflush(stderr);
	c->fout = tmpfile();
	c->ferr = tmpfile();
	if (!c->fout || !c->ferr) {
		perror("tmpfile");
		exit(99);
	}
	c->saved_out = dup(STDOUT_FILENO);
	c->saved_err = dup(STDERR_FILENO);
	dup2(fileno(c->fout), STDOUT_FILENO);
	dup2(fileno(c->ferr), STDERR_FILENO);
}

static void slurp(FILE *f, char *buf)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, CAP_MAX - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void cap_end(struct cap *c)
{
	fflush(stdout);
	fflush(stderr);
	dup2(c->saved_out, STDOUT_FILENO);
	dup2(c->saved_err, STDERR_FILENO);
	close(c->saved_out);
	close(c->saved_err);
	slurp(c->fout, c->out);
	slurp(c->ferr, c->err);
}

/* Whether text contains want; says what it got when not. */
static int has(const char *text, const char *want, const char *name)
{
	int pass = text && strstr(text, want) != NULL;

	if (!ok(pass, "%s", name))
		printf("#   no '%s' in:\n# %s\n", want, text ? text : "(null)");
	return pass;
}

static int lacks(const char *text, const char *unwanted, const char *name)
{
	int pass = text && strstr(text, unwanted) == NULL;

	if (!ok(pass, "%s", name))
		printf("#   unexpected '%s' in:\n# %s\n", unwanted, text ? text : "(null)");
	return pass;
}

/* Parses text as exactly one JSON document (trailing whitespace allowed). */
static cJSON *parse_doc(const char *text)
{
	return cJSON_ParseWithOpts(text, NULL, 1);
}

static const char *jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *jstr2(const cJSON *obj, const char *key, const char *key2)
{
	return jstr(cJSON_GetObjectItemCaseSensitive(obj, key), key2);
}

static const struct out_col thing_cols[] = {
	{ "name", "NAME", OUT_STR, 0, 0 },
	{ "lat_usec", "LAT(usec)", OUT_DBL, 2, 0 },
	{ "count", "COUNT", OUT_INT, 0, 0 },
	{ "up", "UP", OUT_BOOL, 0, 0 },
	{ "secret", "SECRET", OUT_STR, 0, OUT_JSON_ONLY },
	{ "caps", "CAPS", OUT_STR, 0, 0 },
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* The same two rows, for the text and the JSON test. */
static void emit_things(struct out *o)
{
	struct out_table *t = out_table_new(o, "things", "Things", thing_cols, NCOLS(thing_cols));
	cJSON *row, *caps;

	row = out_table_row(t);
	out_set_str(row, "name", "%s", "a");
	out_set_num(row, "lat_usec", 1.5);
	out_set_num(row, "count", 12345);
	out_set_bool(row, "up", true);
	out_set_str(row, "secret", "s%d", 1);
	caps = cJSON_AddArrayToObject(row, "caps");
	cJSON_AddItemToArray(caps, cJSON_CreateString("MSG"));
	cJSON_AddItemToArray(caps, cJSON_CreateString("RMA"));
	cJSON_AddItemToArray(caps, cJSON_CreateString("HMEM"));

	row = out_table_row(t);
	out_set_str(row, "name", "longer-name");
	out_set_num(row, "lat_usec", 100.254);
	out_set_num(row, "count", 7);
	out_set_bool(row, "up", false);
	out_set_str(row, "secret", "s2");
	/* No caps: the table shows "-". */
	out_table_end(t);
}

static void test_table_text(void)
{
	struct cap c;
	struct out *o = out_new("test", false, false);
	int code;

	cap_begin(&c);
	emit_things(o);
	code = out_finish(o, EXIT_OK);
	cap_end(&c);
	is_int(code, EXIT_OK, "text table: out_finish returns the code");
	is_str(c.out,
	       "Things\n"
	       "NAME         LAT(usec)  COUNT  UP   CAPS\n"
	       "a                 1.50  12345  yes  MSG,RMA,HMEM\n"
	       "longer-name     100.25      7  no   -\n",
	       "text table: title, header, aligned rows, '-' for a missing key");
	lacks(c.out, "SECRET", "text table: a JSON-only column has no header");
	lacks(c.out, "s1", "text table: a JSON-only column has no cells");
	is_str(c.err, "", "text table: nothing on stderr");
	out_free(o);
}

static void test_table_json(void)
{
	struct cap c;
	struct out *o = out_new("test", true, false);
	cJSON *doc, *rows, *r0, *r1;
	int code;

	cap_begin(&c);
	emit_things(o);
	out_text(o, "people only\n");
	code = out_finish(o, EXIT_OK);
	cap_end(&c);
	is_int(code, EXIT_OK, "JSON table: out_finish returns the code");
	doc = parse_doc(c.out);
	ok(doc != NULL, "JSON table: stdout is exactly one JSON document");
	lacks(c.out, "Things", "JSON table: no table title");
	lacks(c.out, "people only", "JSON table: out_text is silent");
	is_str(jstr(doc, "efadiag_version"), efadiag_version(), "JSON: efadiag_version");
	is_str(jstr(doc, "command"), "test", "JSON: command");
	is_str(jstr(doc, "status"), "ok", "JSON: status ok");
	ok(!cJSON_GetObjectItemCaseSensitive(doc, "error"), "JSON: no error key when ok");
	rows = cJSON_GetObjectItemCaseSensitive(doc, "things");
	ok(cJSON_IsArray(rows) && cJSON_GetArraySize(rows) == 2,
	   "JSON: the table is an array of 2");
	r0 = cJSON_GetArrayItem(rows, 0);
	r1 = cJSON_GetArrayItem(rows, 1);
	is_str(jstr(r0, "name"), "a", "JSON: string cell");
	ok(cJSON_GetObjectItemCaseSensitive(r0, "lat_usec") &&
		   cJSON_GetObjectItemCaseSensitive(r0, "lat_usec")->valuedouble == 1.5,
	   "JSON: double cell keeps its value, not the table's rounding");
	ok(cJSON_GetObjectItemCaseSensitive(r1, "lat_usec") &&
		   cJSON_GetObjectItemCaseSensitive(r1, "lat_usec")->valuedouble == 100.254,
	   "JSON: double cell 100.254 unrounded");
	ok(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r0, "count")) &&
		   cJSON_GetObjectItemCaseSensitive(r0, "count")->valueint == 12345,
	   "JSON: integer cell is a number");
	ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r0, "up")), "JSON: bool true");
	ok(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r1, "up")), "JSON: bool false");
	is_str(jstr(r0, "secret"), "s1", "JSON: a JSON-only column is present");
	ok(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r0, "caps")) &&
		   cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r0, "caps")) == 3,
	   "JSON: an array cell stays an array");
	ok(!cJSON_GetObjectItemCaseSensitive(r1, "caps"), "JSON: a missing key stays missing");
	has(c.out, "\"up\":true", "JSON: true is written as true, not yes");
	/* One line: srun and pdsh gather output by lines, so documents never interleave. */
	ok(strchr(c.out, '\n') == c.out + strlen(c.out) - 1,
	   "JSON: the document is one line, ended by a newline");
	lacks(c.out, "\t", "JSON: no indentation without --pretty");
	cJSON_Delete(doc);
	out_free(o);
}

/* Whether text ends with want. */
static void like_end(const char *text, const char *want, const char *name)
{
	size_t lt = strlen(text), lw = strlen(want);

	ok(lt >= lw && !strcmp(text + lt - lw, want), "%s", name);
	if (!(lt >= lw && !strcmp(text + lt - lw, want)))
		printf("#   got: %s\n", text);
}

static const struct out_col size_cols[] = {
	{ "bytes", "BYTES", OUT_INT, 0, 0 },
	{ "lat_usec", "AVG(us)", OUT_DBL, 2, 0 },
	{ "host", "HOST", OUT_STR, 0, 0 },
};

/* What went to fd 1 so far, without flushing stdio: what a pipe's reader has seen. */
static void written(const struct cap *c, char *buf, size_t len)
{
	ssize_t n = pread(fileno(c->fout), buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

/* Rows as they are measured: out in one piece each, with widths set before the first. */
static void test_table_stream(void)
{
	struct out *o = out_new("stream", false, false);
	struct out_table *t;
	struct cap c;
	cJSON *row, *widest = cJSON_CreateObject();
	/* What fd 1 had at each step: asserted after the capture (ok() writes on stdout). */
	char seen0[4096], seen1[4096], seen2[4096], seen3[4096];

	cJSON_AddNumberToObject(widest, "bytes", 1048576);
	cJSON_AddNumberToObject(widest, "lat_usec", 99999.99);
	cap_begin(&c);
	t = out_table_new(o, "results", "Sizes", size_cols, NCOLS(size_cols));
	out_table_stream(t, widest);
	written(&c, seen0, sizeof(seen0));
	row = out_table_row(t);
	out_set_num(row, "bytes", 64);
	out_set_num(row, "lat_usec", 1.5);
	out_set_str(row, "host", "a");
	out_table_row_done(t);
	written(&c, seen1, sizeof(seen1));
	row = out_table_row(t);
	out_set_num(row, "bytes", 1048576);
	out_set_num(row, "lat_usec", 123456.5);
	out_set_str(row, "host", "bb");
	out_table_row_done(t);
	written(&c, seen2, sizeof(seen2));
	out_table_end(t);
	out_finish(o, EXIT_OK);
	cap_end(&c);
	is_str(seen0, "", "stream: nothing before the first row (a failed run shows no empty table)");
	is_str(seen1,
	       "Sizes\n"
	       "  BYTES   AVG(us)  HOST\n"
	       "     64      1.50  a\n",
	       "stream: the first row is written (flushed) as soon as it is done, widths set ahead");
	like_end(seen2, "\n1048576  123456.50  bb\n",
		 "stream: a wider cell than foreseen pushes its row right, not cut");
	is_str(c.out,
	       "Sizes\n"
	       "  BYTES   AVG(us)  HOST\n"
	       "     64      1.50  a\n"
	       "1048576  123456.50  bb\n",
	       "stream: out_table_end prints no row twice");
	out_free(o);

	/* No row at all: the header and (none) at the end, as a table printed whole. */
	o = out_new("stream", false, false);
	cap_begin(&c);
	t = out_table_new(o, "results", NULL, size_cols, NCOLS(size_cols));
	out_table_stream(t, widest);
	out_table_end(t);
	cap_end(&c);
	is_str(c.out, "  BYTES   AVG(us)  HOST\n(none)\n", "stream without rows: header, (none)");
	out_free(o);

	/* JSON: nothing on stdout until the document. */
	o = out_new("stream", true, false);
	cap_begin(&c);
	t = out_table_new(o, "results", NULL, size_cols, NCOLS(size_cols));
	out_table_stream(t, widest);
	row = out_table_row(t);
	out_set_num(row, "bytes", 64);
	out_table_row_done(t);
	written(&c, seen3, sizeof(seen3));
	out_table_end(t);
	out_finish(o, EXIT_OK);
	cap_end(&c);
	is_str(seen3, "", "stream, JSON: rows wait for the document");
	has(c.out, "\"results\":[{\"bytes\":64}]", "stream, JSON: the row is in the document");
	out_free(o);
	cJSON_Delete(widest);
}

/* --pretty: the same document, indented over lines; a stream record stays one line. */
static void test_pretty(void)
{
	struct cap c;
	struct out *o = out_new("test", true, false);
	cJSON *doc;
	const char *nl;
	int lines = 0;

	out_set_pretty(o, true);
	cap_begin(&c);
	emit_things(o);
	out_finish(o, EXIT_OK);
	cap_end(&c);
	doc = parse_doc(c.out);
	ok(doc != NULL, "--pretty: stdout is exactly one JSON document");
	for (nl = c.out; (nl = strchr(nl, '\n')); nl++)
		lines++;
	ok(lines > 10, "--pretty: the document spans many lines");
	has(c.out, "\n\t\"status\":\t\"ok\"", "--pretty: a key indented on its own line");
	cJSON_Delete(doc);
	out_free(o);

	o = out_new("test", true, false);
	out_set_pretty(o, true);
	cap_begin(&c);
	out_set_num(out_root(o), "n", 1);
	out_stream_record(o, EXIT_OK);
	out_set_num(out_root(o), "n", 2);
	out_stream_record(o, EXIT_OK);
	out_stream_close(o);
	out_finish(o, EXIT_OK);
	cap_end(&c);
	lines = 0;
	for (nl = c.out; (nl = strchr(nl, '\n')); nl++)
		lines++;
	is_int(lines, 2, "--pretty: stream records stay one line each");
	lacks(c.out, "\t", "--pretty: no indentation in stream records");
	out_free(o);
}

static const struct out_col num_last_cols[] = {
	{ "name", "N", OUT_STR, 0, 0 },
	{ "bytes", "B", OUT_INT, 0, 0 },
};

static void test_table_edges(void)
{
	struct out *o = out_new("edges", false, false);
	struct out_table *t;
	struct cap c;
	cJSON *row;

	/* A numeric last column: its header must sit right-aligned over its cells. */
	cap_begin(&c);
	t = out_table_new(o, "sizes", NULL, num_last_cols, NCOLS(num_last_cols));
	row = out_table_row(t);
	out_set_str(row, "name", "x");
	out_set_num(row, "bytes", 123456);
	row = out_table_row(t);
	out_set_str(row, "name", "y");
	out_set_num(row, "bytes", 1.8446744073709552e19); /* SIZE_MAX */
	out_table_end(t);
	cap_end(&c);
	is_str(c.out,
	       "N       B\n"
	       "x  123456\n"
	       "y     max\n",
	       "numeric last column: header right-aligned, no title, SIZE_MAX shown as max");

	/* An empty table says so; a second block is set off by a blank line. */
	cap_begin(&c);
	t = out_table_new(o, "empty", "Nothing", num_last_cols, NCOLS(num_last_cols));
	out_table_end(t);
	cap_end(&c);
	is_str(c.out, "\nNothing\nN  B\n(none)\n", "empty table: (none), after a blank line");

	/* Setting a key twice keeps one key with the last value. */
	row = cJSON_CreateObject();
	out_set_str(row, "k", "one");
	out_set_str(row, "k", "two");
	out_set_num(row, "k2", 1);
	out_set_num(row, "k2", 2);
	is_int(cJSON_GetArraySize(row), 2, "out_set_*: a key set twice appears once");
	is_str(jstr(row, "k"), "two", "out_set_str: the last value wins");
	cJSON_Delete(row);
	out_table_end(NULL);
	ok(1, "out_table_end(NULL) is harmless");
	out_free(o);
	out_free(NULL);
	ok(1, "out_free(NULL) is harmless");
}

static const struct out_col host_cols[] = {
	{ "instance_type", "instance type", OUT_STR, 0, 0 },
	{ "devices", "EFA devices", OUT_INT, 0, 0 },
	{ "hugepages", "hugepages", OUT_BOOL, 0, 0 },
	{ "memlock_bytes", "a very very long hidden label", OUT_INT, 0, OUT_JSON_ONLY },
	{ "path", "libfabric path", OUT_STR, 0, 0 },
	{ "ratio", "ratio", OUT_DBL, 3, 0 },
};

static cJSON *host_obj(void)
{
	cJSON *h = cJSON_CreateObject();

	out_set_str(h, "instance_type", "p4d.24xlarge");
	out_set_num(h, "devices", 4);
	out_set_bool(h, "hugepages", false);
	out_set_num(h, "memlock_bytes", 65536);
	out_set_num(h, "ratio", 0.5);
	return h;
}

static void test_record(void)
{
	struct out *o = out_new("info", false, false);
	cJSON *doc;
	struct cap c;

	cap_begin(&c);
	out_text(o, "first line\n");
	out_record(o, "host", "Host", host_cols, NCOLS(host_cols), host_obj());
	out_verdict(o, "%d of %d passed", 3, 4);
	out_note(o, "a note %d\n", 7);
	out_finish(o, EXIT_OK);
	cap_end(&c);
	is_str(c.out,
	       "first line\n"
	       "Host\n"
	       "  instance type   p4d.24xlarge\n"
	       "  EFA devices     4\n"
	       "  hugepages       no\n"
	       "  libfabric path  -\n"
	       "  ratio           0.500\n"
	       "\n"
	       "3 of 4 passed\n",
	       "record: labels padded to the widest shown, '-' for missing, verdict after a blank");
	is_str(c.err, "a note 7\n", "out_note goes to stderr");
	out_free(o);

	o = out_new("info", true, true);
	cap_begin(&c);
	out_record(o, "host", "Host", host_cols, NCOLS(host_cols), host_obj());
	out_verdict(o, "all %s", "good");
	out_note(o, "quiet note\n");
	out_finish(o, EXIT_OK);
	cap_end(&c);
	doc = parse_doc(c.out);
	ok(doc != NULL, "JSON record: one document");
	is_str(jstr2(doc, "host", "instance_type"), "p4d.24xlarge", "JSON record: string key");
	ok(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(
		   cJSON_GetObjectItemCaseSensitive(doc, "host"), "memlock_bytes")),
	   "JSON record: the JSON-only key is present");
	ok(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
		   cJSON_GetObjectItemCaseSensitive(doc, "host"), "hugepages")),
	   "JSON record: bool false");
	is_str(jstr(doc, "summary"), "all good", "JSON: the verdict is the summary key");
	lacks(c.out, "Host", "JSON record: no title");
	is_str(c.err, "", "--quiet: out_note is silent");
	cJSON_Delete(doc);
	out_free(o);
}

/* Runs the out_* calls of one outcome in JSON mode and returns the parsed document. */
static cJSON *outcome(const char *steps, int *code, struct cap *c)
{
	struct out *o = out_new("pingpong", true, false);
	const char *s;

	cap_begin(c);
	for (s = steps; *s; s++) {
		if (*s == 'f')
			out_fail(o);
		else if (*s == 'e')
			out_error(o, "error %d", (int)(s - steps));
	}
	/* The exit code a command would return for these steps: an error outranks a failure. */
	*code = out_finish(o, strchr(steps, 'e') ? EXIT_ERROR : strchr(steps, 'f') ? EXIT_FAIL :
										       EXIT_OK);
	cap_end(c);
	out_free(o);
	return parse_doc(c->out);
}

static void test_status(void)
{
	struct cap c;
	cJSON *doc;
	int code;

	doc = outcome("f", &code, &c);
	is_str(jstr(doc, "status"), "fail", "out_fail: status fail");
	ok(!cJSON_GetObjectItemCaseSensitive(doc, "error"), "out_fail: no error object");
	is_str(c.err, "", "out_fail: nothing on stderr");
	is_int(code, EXIT_FAIL, "out_finish passes the code through");
	cJSON_Delete(doc);

	/* Exit 1 after an out_error (a fabric stall): status follows the code, message kept. */
	{
		struct out *o = out_new("pingpong", true, false);

		cap_begin(&c);
		out_error(o, "no reply within 5 s");
		code = out_finish(o, EXIT_FAIL);
		cap_end(&c);
		doc = parse_doc(c.out);
		is_str(jstr(doc, "status"), "fail", "exit 1 after out_error: status fail");
		is_str(jstr(doc, "diagnosis"), "no reply within 5 s", "exit 1: diagnosis key");
		is_str(jstr2(doc, "error", "message"), "no reply within 5 s",
		       "exit 1: error.message kept");
		cJSON_Delete(doc);
		out_free(o);
	}
	/* Exit 3 without any message is itself reported, never a silent error status. */
	{
		struct out *o = out_new("info", true, false);

		cap_begin(&c);
		code = out_finish(o, EXIT_ERROR);
		cap_end(&c);
		doc = parse_doc(c.out);
		is_str(jstr(doc, "status"), "error", "exit 3 without message: status error");
		ok(jstr2(doc, "error", "message") != NULL, "exit 3 without message: one is added");
		cJSON_Delete(doc);
		out_free(o);
	}

	doc = outcome("e", &code, &c);
	is_str(jstr(doc, "status"), "error", "out_error: status error");
	is_str(jstr2(doc, "error", "message"), "error 0", "out_error: error.message");
	is_str(c.err, "efadiag: pingpong: error 0\n",
	       "out_error: message on stderr names the command");
	is_str(jstr(doc, "command"), "pingpong", "out_error: command key");
	cJSON_Delete(doc);

	doc = outcome("ef", &code, &c);
	is_str(jstr(doc, "status"), "error", "error then fail: error outranks fail");
	cJSON_Delete(doc);
	doc = outcome("fe", &code, &c);
	is_str(jstr(doc, "status"), "error", "fail then error: error");
	is_str(jstr2(doc, "error", "message"), "error 1", "fail then error: the message");
	cJSON_Delete(doc);
	doc = outcome("efe", &code, &c);
	is_str(jstr2(doc, "error", "message"), "error 0", "two errors: the first is the cause");
	is_str(c.err, "efadiag: pingpong: error 0\nefadiag: pingpong: error 2\n",
	       "two errors: both reported on stderr");
	cJSON_Delete(doc);

	/* An out without a command (a usage error before the command is known). */
	{
		struct out *o = out_new(NULL, true, false);

		cap_begin(&c);
		out_error(o, "no command given");
		code = out_finish(o, EXIT_USAGE);
		cap_end(&c);
		doc = parse_doc(c.out);
		is_str(c.err, "efadiag: no command given\n", "out_error without a command: stderr");
		is_str(jstr(doc, "command"), "", "out_error without a command: command is \"\"");
		is_str(jstr(doc, "status"), "error", "out_error without a command: status");
		is_int(code, EXIT_USAGE, "out_error without a command: code passed through");
		cJSON_Delete(doc);
		out_free(o);
	}
}

/* out_finish with fd 1 on /dev/full: the write error is an error, not silent truncation. */
static void finish_to_full(bool json, size_t text_bytes, const char *name)
{
	struct out *o = out_new("info", json, false);
	struct cap c;
	int full, code;
	size_t i;

	cap_begin(&c);
	full = open("/dev/full", O_WRONLY);
	if (full < 0) {
		cap_end(&c);
		ok(1, "%s # SKIP no /dev/full", name);
		out_free(o);
		return;
	}
	dup2(full, STDOUT_FILENO);
	close(full);
	for (i = 0; i < text_bytes; i += 16)
		out_text(o, "0123456789abcde\n");
	out_set_str(out_root(o), "k", "v");
	code = out_finish(o, EXIT_OK);
	/* Throw away what could not be written, so the TAP output after this is clean. */
	__fpurge(stdout);
	clearerr(stdout);
	cap_end(&c);
	is_int(code, EXIT_ERROR, name);
	has(c.err, "efadiag: writing standard output: No space left on device",
	    "the write error is reported with its cause");
	out_free(o);
}

static void test_write_errors(void)
{
	finish_to_full(false, 16, "text to /dev/full: out_finish returns EXIT_ERROR");
	finish_to_full(true, 0, "JSON to /dev/full: out_finish returns EXIT_ERROR");
	/* More than a stdio buffer: the failure happens before out_finish's own flush. */
	finish_to_full(false, 1 << 16, "64 KiB of text to /dev/full: EXIT_ERROR");
}

/* Runs efadiag_main(args) in-process and captures its output. */
#define RUN_MAIN(cap, ...) run_main(cap, (const char *[]){ "efadiag", __VA_ARGS__, NULL })

static int run_main(struct cap *c, const char **args)
{
	char *argv[32];
	int argc = 0, code;

	while (args[argc] && argc < 31) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	cap_begin(c);
	code = efadiag_main(argc, argv);
	cap_end(c);
	return code;
}

/* Parses args with cli_parse into ctx; the caller frees with parse_done. */
#define PARSE(ctx, res, ...) \
	parse_args(ctx, res, (const char *[]){ "efadiag", __VA_ARGS__, NULL })

static char *parse_argv[32];
static char parse_err[CAP_MAX]; /* what the last cli_parse said on stderr */

static void parse_args(struct ctx *ctx, struct cli_result *res, const char **args)
{
	struct cap c;
	int argc = 0;

	while (args[argc] && argc < 31) {
		parse_argv[argc] = (char *)args[argc];
		argc++;
	}
	parse_argv[argc] = NULL;
	memset(ctx, 0, sizeof(*ctx));
	cap_begin(&c);
	*res = cli_parse(ctx, cmd_table, argc, parse_argv);
	cap_end(&c);
	memcpy(parse_err, c.err, sizeof(parse_err));
}

static void parse_done(struct ctx *ctx)
{
	out_free(ctx->out);
	cli_free(&ctx->opt);
}

static void test_cli_parse(void)
{
	struct cli_result r;
	struct ctx ctx;

	PARSE(&ctx, &r, "-p", "tcp", "info");
	is_int(r.stop, 0, "-p tcp info: runs");
	ok(ctx.cmd == &cmd_info, "-p tcp info: the command is info, not tcp");
	is_str(ctx.opt.provider, "tcp", "-p tcp info: provider tcp");
	parse_done(&ctx);

	/* serve: -P does nothing for info, which refuses it. */
	PARSE(&ctx, &r, "serve", "-p", "tcp", "--json", "-t", "2.5", "-P", "1234");
	is_int(r.stop, 0, "options after the command: runs");
	ok(ctx.cmd == &cmd_serve, "options after the command: serve");
	is_str(ctx.opt.provider, "tcp", "options after the command: provider");
	ok(ctx.opt.json && out_is_json(ctx.out), "options after: --json");
	ok(ctx.opt.timeout_sec == 2.5, "options after the command: timeout 2.5");
	is_int(ctx.opt.port, 1234, "options after the command: port");
	parse_done(&ctx);

	PARSE(&ctx, &r, "--provider=shm", "-jt", "3", "-d", "a,b", "serve", "-Pt", "-q");
	is_int(r.stop, 1 + EXIT_USAGE, "-Pt: -P takes 't' as its value, a bad port");
	has(parse_err, "invalid value 't' for -P/--port", "-Pt: the port 't' is named");
	parse_done(&ctx);

	PARSE(&ctx, &r, "--provider=shm", "-jt", "3", "-d", "a,b", "serve", "--persist", "-P80",
	      "-vv", "-q");
	is_int(r.stop, 0, "global options in all spellings: runs");
	ok(ctx.cmd == &cmd_serve, "global options in all spellings: serve");
	is_str(ctx.opt.provider, "shm", "--provider=shm");
	ok(ctx.opt.json && out_is_json(ctx.out), "-jt 3: -j");
	ok(ctx.opt.timeout_sec == 3, "-jt 3: the timeout is 3");
	is_int(ctx.opt.ndomains, 2, "-d a,b: two domains");
	is_str(ctx.opt.domains[1], "b", "-d a,b: the second domain");
	ok(ctx.opt.persist, "--persist among them");
	is_int(ctx.opt.port, 80, "-P80");
	is_int(ctx.opt.verbose, 2, "-vv: verbose twice");
	ok(ctx.opt.quiet, "-q: quiet");
	parse_done(&ctx);

	PARSE(&ctx, &r, "info");
	is_str(parse_err, "", "info: nothing on stderr");
	is_str(ctx.opt.provider, "efa", "default provider efa");
	ok(ctx.opt.timeout_sec == EFADIAG_DEFAULT_TIMEOUT_SEC, "default timeout");
	is_int(ctx.opt.port, EFADIAG_DEFAULT_PORT, "default port");
	is_int(ctx.opt.expect_domains, -1, "default --expect-domains: from the table");
	ok(!ctx.opt.json && !out_is_json(ctx.out), "default: text output");
	ok(ctx.host == NULL, "info: no HOST");
	parse_done(&ctx);

	PARSE(&ctx, &r, "-p", "info", "help");
	is_int(r.stop, 0, "-p info help: runs");
	ok(ctx.cmd == &cmd_help, "-p info help: 'info' is the provider, help the command");
	is_str(ctx.opt.provider, "info", "-p info help: provider 'info'");
	parse_done(&ctx);

	PARSE(&ctx, &r, "help", "info");
	ok(ctx.cmd == &cmd_help && ctx.host && !strcmp(ctx.host, "info"), "help info: operand");
	parse_done(&ctx);

	PARSE(&ctx, &r, "-d", "x", "-d", "y,z", "info");
	is_int(ctx.opt.ndomains, 2, "-d twice: the last one wins");
	is_str(ctx.opt.domains[0], "y", "-d twice: y");
	parse_done(&ctx);

	PARSE(&ctx, &r, "--", "info");
	ok(r.stop == 0 && ctx.cmd == &cmd_info, "-- info: info");
	parse_done(&ctx);

	ok(cli_find_command(cmd_table, "info") == &cmd_info, "cli_find_command: info");
	ok(cli_find_command(cmd_table, "help") == &cmd_help, "cli_find_command: help");
	ok(cli_find_command(cmd_table, "inf") == NULL, "cli_find_command: no prefixes");
	ok(cli_find_command(cmd_table, "INFO") == NULL, "cli_find_command: exact case");
	ok(cli_find_command(cmd_table, "infox") == NULL, "cli_find_command: no longer names");
	ok(cli_find_command(cmd_table, "") == NULL, "cli_find_command: empty");
}

/* A usage error: exit 2, the message on stderr. */
static void usage_error(struct cap *c, int code, const char *want, const char *name)
{
	char n[256];

	snprintf(n, sizeof(n), "%s: exit 2", name);
	is_int(code, EXIT_USAGE, n);
	snprintf(n, sizeof(n), "%s: says %s", name, want);
	has(c->err, want, n);
}

static void test_main(void)
{
	struct cap c;
	cJSON *doc;
	int code;

	code = RUN_MAIN(&c, "-p", "tcp", "info", "--help");
	is_int(code, EXIT_OK, "-p tcp info --help: exit 0");
	has(c.out, "Usage: efadiag info", "-p tcp info --help: info's usage");
	has(c.out, "--expect-domains", "info's usage lists --expect-domains");
	lacks(c.out, "--sizes", "info's usage leaves out other commands' options");

	code = RUN_MAIN(&c, "--help");
	is_int(code, EXIT_OK, "--help: exit 0");
	has(c.out, "Usage: efadiag [GLOBAL OPTIONS] COMMAND", "--help: general usage");
	has(c.out, "  info ", "--help lists info");
	is_str(c.err, "", "--help: nothing on stderr");

	code = RUN_MAIN(&c, "-V");
	is_int(code, EXIT_OK, "-V: exit 0");
	ok(!strncmp(c.out, "efadiag ", 8) && strstr(c.out, efadiag_version()), "-V: the version");

	code = RUN_MAIN(&c, "help", "info");
	is_int(code, EXIT_OK, "help info: exit 0");
	has(c.out, "Usage: efadiag info", "help info: info's usage");

	code = RUN_MAIN(&c, "-p", "tcp", "nosuch");
	usage_error(&c, code, "unknown command 'nosuch'", "-p tcp nosuch");
	code = RUN_MAIN(&c, "inf");
	usage_error(&c, code, "unknown command 'inf'", "inf (a prefix)");
	code = RUN_MAIN(&c, "-p", "tcp", "info", "-S", "64");
	usage_error(&c, code, "option '-S' does not apply to 'info'", "info -S");
	code = RUN_MAIN(&c, "info", "--loopback");
	usage_error(&c, code, "option '--loopback' does not apply to 'info'", "info --loopback");
	code = RUN_MAIN(&c, "info", "-Z");
	usage_error(&c, code, "unknown option '-Z'", "info -Z");
	code = RUN_MAIN(&c, "info", "--nosuch=1");
	usage_error(&c, code, "unknown option '--nosuch'", "info --nosuch=1");
	code = RUN_MAIN(&c, "info", "-t");
	usage_error(&c, code, "option '-t' needs a value", "info -t");
	/* A missing value is named as typed, also for options without a short form. */
	code = RUN_MAIN(&c, "info", "--timeout");
	usage_error(&c, code, "option '--timeout' needs a value", "info --timeout");
	code = RUN_MAIN(&c, "info", "--expect-domains");
	usage_error(&c, code, "option '--expect-domains' needs a value", "info --expect-domains");
	/* "--json=1" is the right option with a value it does not take. */
	code = RUN_MAIN(&c, "info", "--json=1");
	usage_error(&c, code, "option '--json' does not take a value", "info --json=1");
	/* Exact names for options too: an abbreviation would be read differently by the prescan. */
	code = RUN_MAIN(&c, "--prov", "tcp", "info");
	usage_error(&c, code, "unknown option '--prov'", "--prov tcp info (an abbreviation)");
	code = RUN_MAIN(&c, "info", "--jso");
	usage_error(&c, code, "unknown option '--jso'", "info --jso (an abbreviation)");
	code = RUN_MAIN(&c, "info", "-t", "-1");
	usage_error(&c, code, "invalid value '-1' for -t/--timeout", "info -t -1");
	code = RUN_MAIN(&c, "info", "--expect-domains", "x");
	usage_error(&c, code, "invalid value 'x' for --expect-domains", "--expect-domains x");
	code = RUN_MAIN(&c, "info", "extra");
	usage_error(&c, code, "unexpected argument 'extra'", "info extra");
	code = RUN_MAIN(&c, "-q");
	usage_error(&c, code, "no command given", "no command");
	code = RUN_MAIN(&c, "help", "nosuch");
	usage_error(&c, code, "unknown command 'nosuch'", "help nosuch");

	code = RUN_MAIN(&c, "--json", "-p", "tcp", "serve", "-P", "65536");
	usage_error(&c, code, "invalid value '65536' for -P/--port", "--json serve -P 65536");
	doc = parse_doc(c.out);
	ok(doc != NULL, "--json usage error: one JSON document on stdout");
	is_str(jstr(doc, "status"), "error", "--json usage error: status error");
	is_str(jstr(doc, "command"), "serve", "--json usage error: command");
	is_str(jstr(doc, "efadiag_version"), efadiag_version(), "--json usage error: version");
	has(jstr2(doc, "error", "message"), "invalid value '65536' for -P/--port",
	    "--json usage error: error.message");
	cJSON_Delete(doc);

	/* getopt keeps state between calls: a half-read "-ZZ" must not leak into the next run. */
	code = RUN_MAIN(&c, "-ZZ", "info");
	usage_error(&c, code, "unknown option '-Z'", "-ZZ info");
	code = RUN_MAIN(&c, "--version");
	is_int(code, EXIT_OK, "after -ZZ: --version still exits 0");
	is_str(c.err, "", "after -ZZ: no stale option error");
}

int main(void)
{
	test_table_text();
	test_table_json();
	test_pretty();
	test_table_stream();
	test_table_edges();
	test_record();
	test_status();
	test_write_errors();
	test_cli_parse();
	test_main();
	return done_testing();
}
