// SPDX-License-Identifier: MIT
/* Unit tests of the value parsers in src/parse.c: values accepted, values refused and why. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "common.h"
#include "ui/parse.h"
#include "tap.h"

/* Whether why points at a non-empty sentence containing want. */
static int why_has(const char *why, const char *want)
{
	return why && *why && strstr(why, want);
}

/* A parser that refuses must say why; a stale value from an earlier call does not count. */
#define refuses(call, want_why, name)                                                         \
	do {                                                                                  \
		const char *w_ = NULL;                                                        \
		const char **why_ = &w_;                                                      \
		int r_ = (call);                                                              \
		if (!ok(r_ == -1 && why_has(w_, want_why), "%s", name))                       \
			printf("#   returned %d, why '%s', want '%s'\n", r_, w_ ? w_ : "(null)", \
			       want_why);                                                     \
	} while (0)

static void test_parse_long(void)
{
	long v = -7;
	const char *why = NULL;

	is_int(parse_long("42", 0, 100, &v, &why), 0, "parse_long 42 accepted");
	is_int(v, 42, "parse_long 42 value");
	is_int(parse_long("0", 0, 100, &v, &why), 0, "parse_long 0 within [0,100]");
	is_int(v, 0, "parse_long 0 value");
	is_int(parse_long("100", 0, 100, &v, &why), 0, "parse_long accepts the maximum itself");
	is_int(v, 100, "parse_long 100 value");
	is_int(parse_long("-5", -10, 10, &v, &why), 0, "parse_long negative within range");
	is_int(v, -5, "parse_long -5 value");
	is_int(parse_long("9223372036854775807", 0, LONG_MAX, &v, &why), 0,
	       "parse_long LONG_MAX accepted");
	is_int(v, LONG_MAX, "parse_long LONG_MAX value");

	v = 99;
	refuses(parse_long("", 0, 100, &v, why_), "empty", "parse_long empty refused");
	refuses(parse_long(NULL, 0, 100, &v, why_), "empty", "parse_long NULL refused");
	refuses(parse_long("abc", 0, 100, &v, why_), "not a whole number",
		"parse_long junk refused");
	refuses(parse_long("12x", 0, 100, &v, why_), "not a whole number",
		"parse_long trailing junk refused");
	refuses(parse_long("1.5", 0, 100, &v, why_), "not a whole number",
		"parse_long decimal refused");
	refuses(parse_long("101", 0, 100, &v, why_), "above the allowed maximum",
		"parse_long above max refused");
	refuses(parse_long("-1", 0, 100, &v, why_), "must not be negative",
		"parse_long negative with min 0 refused");
	refuses(parse_long("0", 1, 100, &v, why_), "at least 1", "parse_long 0 with min 1 refused");
	refuses(parse_long("4", 5, 100, &v, why_), "below the allowed minimum",
		"parse_long below min 5 refused");
	refuses(parse_long("99999999999999999999", 0, LONG_MAX, &v, why_), "too large",
		"parse_long overflow refused");
	refuses(parse_long("99999999999999999999", 0, 1024, &v, why_), "above the allowed maximum",
		"parse_long overflow with a small max refused");
	/* An underflow is too small, not too large. */
	refuses(parse_long("-99999999999999999999", 0, 1024, &v, why_), "must not be negative",
		"parse_long negative overflow says negative");
	refuses(parse_long("-99999999999999999999", LONG_MIN, 1024, &v, why_), "below",
		"parse_long negative overflow with min LONG_MIN is below the minimum");
	is_int(v, 99, "parse_long leaves the value alone on errors");
}

static void test_parse_seconds(void)
{
	double d = -1;
	const char *why = NULL;

	is_int(parse_seconds("5", 0.001, 86400, &d, &why), 0, "parse_seconds 5 accepted");
	ok(d == 5.0, "parse_seconds 5 value (%g)", d);
	is_int(parse_seconds("0.25", 0.001, 86400, &d, &why), 0, "parse_seconds 0.25 accepted");
	ok(d == 0.25, "parse_seconds 0.25 value (%g)", d);
	is_int(parse_seconds("5s", 0.001, 86400, &d, &why), 0, "parse_seconds 5s accepted");
	ok(d == 5.0, "parse_seconds 5s value (%g)", d);
	is_int(parse_seconds("86400", 0.001, 86400, &d, &why), 0, "parse_seconds maximum accepted");
	is_int(parse_seconds("0.001", 0.001, 86400, &d, &why), 0, "parse_seconds minimum accepted");
	ok(d == 0.001, "parse_seconds 0.001 value (%g)", d);

	d = 7;
	refuses(parse_seconds("", 0.001, 86400, &d, why_), "empty", "parse_seconds empty refused");
	refuses(parse_seconds("abc", 0.001, 86400, &d, why_), "not a number of seconds",
		"parse_seconds junk refused");
	refuses(parse_seconds("5ss", 0.001, 86400, &d, why_), "not a number of seconds",
		"parse_seconds 5ss refused");
	refuses(parse_seconds("5m", 0.001, 86400, &d, why_), "not a number of seconds",
		"parse_seconds 5m refused");
	refuses(parse_seconds("s", 0.001, 86400, &d, why_), "not a number of seconds",
		"parse_seconds lone unit refused");
	refuses(parse_seconds("nan", 0.001, 86400, &d, why_), "not a number of seconds",
		"parse_seconds nan refused");
	refuses(parse_seconds("inf", 0.001, 86400, &d, why_), "not a number of seconds",
		"parse_seconds inf refused");
	refuses(parse_seconds("0", 0.001, 86400, &d, why_), "greater than zero",
		"parse_seconds zero refused");
	refuses(parse_seconds("-1", 0.001, 86400, &d, why_), "greater than zero",
		"parse_seconds negative refused");
	refuses(parse_seconds("86401", 0.001, 86400, &d, why_), "above the allowed maximum",
		"parse_seconds above max refused");
	refuses(parse_seconds("1e400", 0.001, 86400, &d, why_), "above the allowed maximum",
		"parse_seconds overflow is above the maximum");
	/* Positive but too small: saying "must be greater than zero" would be wrong. */
	refuses(parse_seconds("0.0001", 0.001, 86400, &d, why_), "below the allowed minimum",
		"parse_seconds below a positive minimum");
	refuses(parse_seconds("1e-400", 0.001, 86400, &d, why_), "below the allowed minimum",
		"parse_seconds underflow is below the minimum");
	refuses(parse_seconds("1e-400", 0, 86400, &d, why_), "below the allowed minimum",
		"parse_seconds underflow refused even with min 0");
	ok(d == 7, "parse_seconds leaves the value alone on errors (%g)", d);
}

static void test_parse_size(void)
{
	static const struct {
		const char *text;
		size_t want;
	} good[] = {
		{ "1", 1 },
		{ "64", 64 },
		{ "4096", 4096 },
		{ "4k", 4096 },
		{ "4K", 4096 },
		{ "4KiB", 4096 },
		{ "4KB", 4096 },
		{ "4kb", 4096 },
		{ "1M", 1 << 20 },
		{ "1m", 1 << 20 },
		{ "8MiB", 8 << 20 },
		{ "1G", (size_t)1 << 30 },
		{ "1GiB", (size_t)1 << 30 },
		{ "1024M", (size_t)1 << 30 },
		{ "1073741824", (size_t)1 << 30 },
	};
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{ "", "empty" },
		{ "0", "at least 1 byte" },
		{ "0k", "at least 1 byte" },
		{ "-1", "not a size" },
		{ "-4k", "not a size" },
		{ "+4", "not a size" },
		{ " 4", "not a size" },
		{ "k", "not a size" },
		{ "abc", "not a size" },
		{ "4x", "unknown size suffix" },
		{ "4T", "unknown size suffix" },
		{ "4.5k", "unknown size suffix" },
		{ "4kx", "junk after the size" },
		{ "4kk", "junk after the size" },
		{ "4KiBs", "junk after the size" },
		{ "4iB", "unknown size suffix" },
		{ "2G", "too large" },
		{ "1025M", "too large" },
		{ "1073741825", "too large" },
		{ "99999999999999999999", "too large" },
		{ "17179869184G", "too large" },
	};
	size_t i, v;
	const char *why;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		why = NULL;
		is_int(parse_size(good[i].text, &v, &why), 0, "parse_size accepts the text");
		ok(v == good[i].want, "parse_size '%s' = %zu (got %zu)", good[i].text, good[i].want,
		   v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[80];

		v = 12345;
		snprintf(name, sizeof(name), "parse_size '%s' refused: %s", bad[i].text,
			 bad[i].why);
		refuses(parse_size(bad[i].text, &v, why_), bad[i].why, name);
		is_int(v, 12345, "parse_size leaves the value alone on errors");
	}
	refuses(parse_size(NULL, &v, why_), "empty", "parse_size NULL refused");
}

/* Formats n sizes as "a,b,c" for comparing lists in one assertion. */
static const char *join_sizes(const size_t *sizes, size_t n, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%zu", i ? "," : "", sizes[i]);
	return buf;
}

static void test_parse_size_list(void)
{
	size_t sizes[64], n = 99, i;
	char buf[1024];
	const char *why = NULL;
	int pow2 = 1;

	is_int(parse_size_list("64", sizes, 64, &n, &why), 0, "size list of one");
	is_str(join_sizes(sizes, n, buf, sizeof(buf)), "64", "size list of one: values");
	is_int(parse_size_list("64,4k,1M", sizes, 64, &n, &why), 0, "size list of three");
	is_int(n, 3, "size list of three: count");
	is_str(join_sizes(sizes, n, buf, sizeof(buf)), "64,4096,1048576",
	       "size list of three: values");
	is_int(parse_size_list("64:1M", sizes, 64, &n, &why), 0, "range 64:1M");
	is_int(n, 15, "range 64:1M has 15 sizes");
	is_int(sizes[0], 64, "range 64:1M starts at 64");
	is_int(sizes[n - 1], 1 << 20, "range 64:1M ends at 1M");
	for (i = 1; i < n; i++)
		if (sizes[i] != 2 * sizes[i - 1])
			pow2 = 0;
	ok(pow2, "range 64:1M doubles at every step");
	is_int(parse_size_list("4k:4k", sizes, 64, &n, &why), 0, "range of one size");
	is_str(join_sizes(sizes, n, buf, sizeof(buf)), "4096", "range of one size: values");
	is_int(parse_size_list("1,64:256,1G", sizes, 64, &n, &why), 0, "sizes mixed with a range");
	is_str(join_sizes(sizes, n, buf, sizeof(buf)), "1,64,128,256,1073741824",
	       "sizes mixed with a range: values");
	is_int(parse_size_list("all", sizes, 64, &n, &why), 0, "all");
	is_int(n, 24, "all is 1 to 8M: 24 sizes");
	is_int(sizes[0], 1, "all starts at 1 byte");
	is_int(sizes[n - 1], 8 << 20, "all ends at 8M");
	is_int(parse_size_list("1,2,3,4", sizes, 4, &n, &why), 0, "exactly max sizes accepted");
	is_int(n, 4, "exactly max sizes: count");

	refuses(parse_size_list("", sizes, 64, &n, why_), "empty", "empty size list refused");
	is_int(n, 0, "empty size list leaves no sizes");
	refuses(parse_size_list(NULL, sizes, 64, &n, why_), "empty", "NULL size list refused");
	refuses(parse_size_list("64,", sizes, 64, &n, why_), "empty item",
		"trailing comma refused");
	refuses(parse_size_list(",64", sizes, 64, &n, why_), "empty item", "leading comma refused");
	refuses(parse_size_list("64,,128", sizes, 64, &n, why_), "empty item",
		"double comma refused");
	refuses(parse_size_list("64,abc", sizes, 64, &n, why_), "not a size",
		"junk item refused with parse_size's reason");
	refuses(parse_size_list("64,0", sizes, 64, &n, why_), "at least 1 byte",
		"zero item refused");
	refuses(parse_size_list("64,2G", sizes, 64, &n, why_), "too large",
		"oversized item refused");
	refuses(parse_size_list("1,2,3,4,5", sizes, 4, &n, why_), "too many sizes",
		"more than max sizes refused");
	refuses(parse_size_list("1:1G", sizes, 4, &n, why_), "too many sizes",
		"a range longer than max refused");
	refuses(parse_size_list("all", sizes, 10, &n, why_), "too many sizes",
		"all with room for 10 refused");
	refuses(parse_size_list("3:64", sizes, 64, &n, why_), "powers of two",
		"range start not a power of two refused");
	refuses(parse_size_list("64:1000", sizes, 64, &n, why_), "powers of two",
		"range end not a power of two refused");
	refuses(parse_size_list("1M:64", sizes, 64, &n, why_), "above its end",
		"backwards range refused");
	refuses(parse_size_list("64:", sizes, 64, &n, why_), "empty", "range without end refused");
	refuses(parse_size_list(":64", sizes, 64, &n, why_), "empty",
		"range without start refused");
	refuses(parse_size_list("64:2G", sizes, 64, &n, why_), "too large",
		"range beyond 1G refused");
	refuses(parse_size_list("64:1M:4M", sizes, 64, &n, why_), "junk",
		"range with two colons refused");
	refuses(parse_size_list("0:64", sizes, 64, &n, why_), "at least 1 byte",
		"range from zero refused");
	refuses(parse_size_list("ALL", sizes, 64, &n, why_), "not a size",
		"ALL in capitals is not all");
	refuses(parse_size_list("all,64", sizes, 64, &n, why_), "not a size",
		"all inside a list refused");
	refuses(parse_size_list("64,123456789012345678901234567890123456789012345678901234567890123"
				"4567890", sizes, 64, &n, why_),
		"too long", "overlong item refused");
}

static void test_parse_port(void)
{
	int port = -1;
	const char *why = NULL;

	is_int(parse_port("47595", &port, &why), 0, "port 47595 accepted");
	is_int(port, 47595, "port 47595 value");
	is_int(parse_port("1", &port, &why), 0, "port 1 accepted");
	is_int(port, 1, "port 1 value");
	is_int(parse_port("65535", &port, &why), 0, "port 65535 accepted");
	is_int(port, 65535, "port 65535 value");

	is_int(parse_port("0", &port, &why), 0, "port 0 (any free port, for servers) accepted");
	is_int(port, 0, "port 0 value");
	port = 77;
	refuses(parse_port("65536", &port, why_), "not a TCP port (0 to 65535)",
		"port 65536 refused");
	refuses(parse_port("-1", &port, why_), "not a TCP port", "negative port refused");
	refuses(parse_port("99999999999999999999", &port, why_), "not a TCP port",
		"overflowing port refused");
	refuses(parse_port("http", &port, why_), "not a whole number", "port name refused");
	refuses(parse_port("80x", &port, why_), "not a whole number", "port with junk refused");
	refuses(parse_port("", &port, why_), "empty", "empty port refused");
	is_int(port, 77, "parse_port leaves the value alone on errors");
}

static void test_parse_listen(void)
{
	char addr[64] = "stale";
	int port = -1;
	const char *why = NULL;

	is_int(parse_listen("9478", addr, sizeof(addr), &port, &why), 0, "listen: a port alone");
	is_int(port, 9478, "listen: its port");
	is_str(addr, "", "listen: a port alone is every address");
	is_int(parse_listen(":0", addr, sizeof(addr), &port, &why), 0, "listen: :PORT");
	is_int(port, 0, "listen: port 0 (any free port)");
	is_str(addr, "", "listen: :PORT is every address");
	is_int(parse_listen("127.0.0.1:9478", addr, sizeof(addr), &port, &why), 0,
	       "listen: IPv4:PORT");
	is_str(addr, "127.0.0.1", "listen: the IPv4 address");
	is_int(parse_listen("localhost:80", addr, sizeof(addr), &port, &why), 0,
	       "listen: NAME:PORT");
	is_str(addr, "localhost", "listen: the name, not resolved");
	is_int(parse_listen("[::1]:65535", addr, sizeof(addr), &port, &why), 0,
	       "listen: [IPv6]:PORT");
	is_str(addr, "::1", "listen: the IPv6 address without brackets");
	is_int(port, 65535, "listen: the IPv6 address's port");

	strcpy(addr, "kept");
	refuses(parse_listen("", addr, sizeof(addr), &port, why_), "empty", "listen: empty");
	refuses(parse_listen("::1:80", addr, sizeof(addr), &port, why_), "[ADDR]:PORT",
		"listen: IPv6 without brackets");
	refuses(parse_listen("[::1]80", addr, sizeof(addr), &port, why_), "[ADDR]:PORT",
		"listen: brackets without the colon");
	refuses(parse_listen("[::1", addr, sizeof(addr), &port, why_), "[ADDR]:PORT",
		"listen: an unclosed bracket");
	refuses(parse_listen("[]:80", addr, sizeof(addr), &port, why_), "empty address",
		"listen: empty brackets");
	refuses(parse_listen("127.0.0.1:", addr, sizeof(addr), &port, why_), "empty",
		"listen: no port after the colon");
	refuses(parse_listen("127.0.0.1:65536", addr, sizeof(addr), &port, why_), "not a TCP port",
		"listen: a port out of range");
	refuses(parse_listen("host:http", addr, sizeof(addr), &port, why_), "not a whole number",
		"listen: a service name");
	refuses(parse_listen("a-very-long-host-name-that-does-not-fit-in-the-buffer-given.example"
			     ".com:80", addr, sizeof(addr), &port, why_),
		"too long", "listen: an address too long");
	is_str(addr, "kept", "listen: the address is left alone on errors");
}

static void free_names(char **names, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		free(names[i]);
		names[i] = NULL;
	}
	*n = 0;
}

static void test_parse_name_list(void)
{
	char *names[4] = { NULL };
	size_t n = 0;
	const char *why = NULL;

	is_int(parse_name_list("rdmap16s27-rdm", names, 4, &n, &why), 0, "one name");
	is_int(n, 1, "one name: count");
	is_str(names[0], "rdmap16s27-rdm", "one name: value");
	free_names(names, &n);

	is_int(parse_name_list("a,bb,ccc", names, 4, &n, &why), 0, "three names");
	is_int(n, 3, "three names: count");
	is_str(names[0], "a", "three names: first");
	is_str(names[1], "bb", "three names: second");
	is_str(names[2], "ccc", "three names: third");
	free_names(names, &n);

	is_int(parse_name_list("a,b,c,d", names, 4, &n, &why), 0, "exactly max names");
	is_int(n, 4, "exactly max names: count");
	is_str(names[3], "d", "exactly max names: last");
	free_names(names, &n);

	refuses(parse_name_list("", names, 4, &n, why_), "empty", "empty name list refused");
	is_int(n, 0, "empty name list: no names");
	refuses(parse_name_list(NULL, names, 4, &n, why_), "empty", "NULL name list refused");
	refuses(parse_name_list("a,,b", names, 4, &n, why_), "empty name",
		"empty name inside refused");
	/* Names before the error are the caller's to free, and n counts them. */
	is_int(n, 1, "empty name inside: the name before it is counted");
	is_str(names[0], "a", "empty name inside: the name before it is kept");
	free_names(names, &n);
	refuses(parse_name_list("a,", names, 4, &n, why_), "empty name", "trailing comma refused");
	free_names(names, &n);
	refuses(parse_name_list(",a", names, 4, &n, why_), "empty name", "leading comma refused");
	is_int(n, 0, "leading comma: no names");
	refuses(parse_name_list("a,b,c,d,e", names, 4, &n, why_), "too many names",
		"more than max names refused");
	is_int(n, 4, "too many names: the first max are counted");
	free_names(names, &n);
}

static void test_size_str(void)
{
	char buf[32];

	is_str(size_str(0, buf, sizeof(buf)), "0", "size_str 0");
	is_str(size_str(1, buf, sizeof(buf)), "1", "size_str 1");
	is_str(size_str(64, buf, sizeof(buf)), "64", "size_str 64");
	is_str(size_str(1000, buf, sizeof(buf)), "1000", "size_str 1000 is not 1k");
	is_str(size_str(1023, buf, sizeof(buf)), "1023", "size_str 1023");
	is_str(size_str(1024, buf, sizeof(buf)), "1k", "size_str 1024");
	is_str(size_str(1536, buf, sizeof(buf)), "1536", "size_str 1536 is not a whole k");
	is_str(size_str(4096, buf, sizeof(buf)), "4k", "size_str 4096");
	is_str(size_str(3072, buf, sizeof(buf)), "3k", "size_str 3072");
	is_str(size_str(1 << 20, buf, sizeof(buf)), "1M", "size_str 1M");
	is_str(size_str(1536 << 10, buf, sizeof(buf)), "1536k", "size_str 1.5M as 1536k");
	is_str(size_str(8 << 20, buf, sizeof(buf)), "8M", "size_str 8M");
	is_str(size_str((size_t)1 << 30, buf, sizeof(buf)), "1G", "size_str 1G");
	is_str(size_str((size_t)3 << 30, buf, sizeof(buf)), "3G", "size_str 3G");
	ok(size_str(64, buf, sizeof(buf)) == buf, "size_str returns the buffer");
	is_str(size_str(123456, buf, 4), "123", "size_str truncates to the buffer");
}

/* Sizes for people: binary units with a space (docs/vocabulary.md). */
static void test_size_text(void)
{
	char buf[32];

	is_str(size_text(0, buf, sizeof(buf)), "0 B", "size_text 0");
	is_str(size_text(64, buf, sizeof(buf)), "64 B", "size_text 64");
	is_str(size_text(1000, buf, sizeof(buf)), "1000 B", "size_text 1000 is not 1 KiB");
	is_str(size_text(1024, buf, sizeof(buf)), "1 KiB", "size_text 1024");
	is_str(size_text(1536, buf, sizeof(buf)), "1536 B", "size_text 1536 is not a whole KiB");
	is_str(size_text(65536, buf, sizeof(buf)), "64 KiB", "size_text 65536");
	is_str(size_text(1 << 20, buf, sizeof(buf)), "1 MiB", "size_text 1 MiB");
	is_str(size_text(1536 << 10, buf, sizeof(buf)), "1536 KiB", "size_text 1.5 MiB as 1536 KiB");
	is_str(size_text((size_t)3 << 30, buf, sizeof(buf)), "3 GiB", "size_text 3 GiB");
	ok(size_text(64, buf, sizeof(buf)) == buf, "size_text returns the buffer");
}

/* Every size parse_size accepts prints back through size_str and parses to the same value. */
static void test_round_trip(void)
{
	size_t v, back;
	char buf[32];
	const char *why;
	int good = 1;

	for (v = 1; v <= PARSE_MAX_MSG_SIZE; v <<= 1) {
		why = NULL;
		if (parse_size(size_str(v, buf, sizeof(buf)), &back, &why) || back != v) {
			printf("# round trip failed at %zu ('%s')\n", v, buf);
			good = 0;
		}
		if (v > 1 && v < PARSE_MAX_MSG_SIZE &&
		    (parse_size(size_str(v + 1, buf, sizeof(buf)), &back, &why) || back != v + 1)) {
			printf("# round trip failed at %zu ('%s')\n", v + 1, buf);
			good = 0;
		}
	}
	ok(good, "size_str and parse_size round-trip powers of two and their neighbours");
}

/* name_cmp: the natural order of device and domain names (src/common.c). */
static void test_name_cmp(void)
{
	static const char *const sorted[] = {
		"", "eth2", "eth10", "lo", "rdmap16s27", "rdmap16s27-dgrm", "rdmap16s27-rdm",
		"rdmap79s0", "rdmap79s0-rdm", "rdmap80s0", "rdmap204s0", "rdmap204s0-rdm",
		"rdmap204s1", "x007", "x7", "x07a", "x7b",
	};
	size_t n = sizeof(sorted) / sizeof(sorted[0]), i, j;
	int bad = 0;

	ok(name_cmp("rdmap79s0", "rdmap204s0") < 0, "name_cmp: rdmap79s0 before rdmap204s0");
	ok(name_cmp("rdmap204s0", "rdmap79s0") > 0, "name_cmp: rdmap204s0 after rdmap79s0");
	ok(name_cmp("eth2", "eth10") < 0, "name_cmp: eth2 before eth10");
	is_int(name_cmp("rdmap79s0", "rdmap79s0"), 0, "name_cmp: equal names");
	ok(name_cmp("a01", "a1") < 0 && name_cmp("a1", "a01") > 0,
	   "name_cmp: the same value, more leading zeros first (a total order)");
	ok(name_cmp("rdmap79s0", "rdmap79s0-rdm") < 0, "name_cmp: a prefix first");
	ok(name_cmp("99999999999999999999999", "100000000000000000000000") < 0,
	   "name_cmp: digit runs longer than any integer");
	/* Every pair of the list in the right order, both ways: consistent for qsort. */
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int c = name_cmp(sorted[i], sorted[j]);

			if ((i < j && c >= 0) || (i > j && c <= 0) || (i == j && c)) {
				printf("#   name_cmp(\"%s\", \"%s\") = %d\n", sorted[i], sorted[j], c);
				bad++;
			}
		}
	is_int(bad, 0, "name_cmp: a list in natural order is ordered pair by pair");
}

int main(void)
{
	test_name_cmp();
	test_parse_long();
	test_parse_seconds();
	test_parse_size();
	test_parse_size_list();
	test_parse_port();
	test_parse_listen();
	test_parse_name_list();
	test_size_str();
	test_size_text();
	test_round_trip();
	return done_testing();
}
