// SPDX-License-Identifier: MIT
/*
 * efadiag stats --prom and --listen: the Prometheus text exposition (version 0.0.4) of the last
 * reading, for node_exporter's textfile collector and for scrapers alike (one renderer, so the
 * two never drift). Counters are efadiag_efa_<counter>_total, the driver's cache time
 * efadiag_efa_lifespan_seconds (a gauge: a setting, not a count, in the base unit Prometheus
 * asks for).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/stats.h"
#include "util.h"

/* A growing string; on allocation failure it stays failed and the render returns NULL. */
struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void put(struct text *t, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		char *bigger = realloc(t->s, t->cap * 2 + (size_t)n);

		if (!bigger) {
			t->failed = true;
			return;
		}
		t->s = bigger;
		t->cap = t->cap * 2 + (size_t)n;
	}
}

/* A label value with \, " and newline escaped, as the exposition format wants. */
static void put_label(struct text *t, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			put(t, "\\%c", *v);
		else if (*v == '\n')
			put(t, "\\n");
		else
			put(t, "%c", *v);
	}
}

static void put_labels(struct text *t, const struct hwc_device *d)
{
	put(t, "{device=\"");
	put_label(t, d->name);
	put(t, "\",port=\"%d\"", d->port);
}

/* Whether an earlier device already had this counter (its family is written once). */
static bool seen_before(const struct stats_run *r, size_t dev, const char *name)
{
	size_t i;

	for (i = 0; i < dev; i++)
		if (hwc_index(hwc_device(r->set, i), name) >= 0)
			return true;
	return false;
}

/* One family: HELP and TYPE, then the value of every device that has the counter. */
static void put_family(struct text *t, const struct stats_run *r, const char *name)
{
	const struct hwc_meaning *m = hwc_meaning(name);
	size_t i;

	put(t, "# HELP efadiag_efa_%s_total EFA hardware counter %s: %s.\n", name, name, m->help);
	put(t, "# TYPE efadiag_efa_%s_total counter\n", name);
	for (i = 0; i < r->n; i++) {
		const struct hwc_device *d = hwc_device(r->set, i);
		int k = hwc_index(d, name);

		if (k < 0 || r->cur[i].err || r->cur[i].val[k].err)
			continue; /* no value: absent, never 0 */
		put(t, "efadiag_efa_%s_total", name);
		put_labels(t, d);
		put(t, "} %llu\n", (unsigned long long)r->cur[i].val[k].v);
	}
}

static void put_settings(struct text *t, const struct stats_run *r)
{
	static const char *const scope_names[] = { "port", "device" };
	size_t i;
	int sc;

	/* The driver's file says milliseconds; the exposition's base unit is the second. */
	put(t, "# HELP efadiag_efa_lifespan_seconds How long the driver caches the counters "
	       "of a hw_counters directory (a setting).\n");
	put(t, "# TYPE efadiag_efa_lifespan_seconds gauge\n");
	for (i = 0; i < r->n; i++)
		for (sc = 0; sc < 2; sc++) {
			if (r->cur[i].err || r->cur[i].lifespan_ms[sc] < 0)
				continue;
			put(t, "efadiag_efa_lifespan_seconds");
			put_labels(t, hwc_device(r->set, i));
			put(t, ",scope=\"%s\"} %.3f\n", scope_names[sc],
			    (double)r->cur[i].lifespan_ms[sc] / 1000);
		}
	put(t, "# HELP efadiag_efa_device_up Whether the device's counters could be read (1) or "
	       "not (0: vanished, or its reads hung).\n");
	put(t, "# TYPE efadiag_efa_device_up gauge\n");
	for (i = 0; i < r->n; i++) {
		put(t, "efadiag_efa_device_up");
		put_labels(t, hwc_device(r->set, i));
		put(t, "} %d\n", r->cur[i].err ? 0 : 1);
	}
	put(t, "# HELP efadiag_efa_sample_timestamp_seconds When efadiag read these counters "
	       "(Unix time).\n");
	put(t, "# TYPE efadiag_efa_sample_timestamp_seconds gauge\n");
	put(t, "efadiag_efa_sample_timestamp_seconds %.3f\n", r->cur_wall);
}

char *stats_prom_render(const struct stats_run *r)
{
	struct text t = { .cap = 4096 };
	size_t i, k;

	t.s = malloc(t.cap);
	if (!t.s)
		return NULL;
	t.s[0] = '\0';
	for (i = 0; i < r->n; i++) {
		const struct hwc_device *d = hwc_device(r->set, i);

		for (k = 0; k < d->n; k++)
			if (!seen_before(r, i, d->counter[k]))
				put_family(&t, r, d->counter[k]);
	}
	put_settings(&t, r);
	if (t.failed) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

char *stats_prom_with_exporter(const char *text, const struct stats_prom_exporter *e)
{
	struct text t = { .cap = strlen(text) + 1024 };

	t.s = malloc(t.cap);
	if (!t.s)
		return NULL;
	memcpy(t.s, text, strlen(text) + 1);
	t.len = strlen(text);
	put(&t, "# HELP efadiag_exporter_scrapes_total Requests for /metrics answered, this one "
		"included.\n");
	put(&t, "# TYPE efadiag_exporter_scrapes_total counter\n");
	put(&t, "efadiag_exporter_scrapes_total %llu\n", e->scrapes);
	put(&t, "# HELP efadiag_exporter_reads_total Times the counters were read: one reading "
		"answers every scrape until it is older than efadiag_exporter_cache_seconds.\n");
	put(&t, "# TYPE efadiag_exporter_reads_total counter\n");
	put(&t, "efadiag_exporter_reads_total %llu\n", e->reads);
	put(&t, "# HELP efadiag_exporter_cache_seconds How long a reading is reused (the devices' "
		"lifespan, or -i when longer).\n");
	put(&t, "# TYPE efadiag_exporter_cache_seconds gauge\n");
	put(&t, "efadiag_exporter_cache_seconds %.3f\n", e->cache_sec);
	put(&t, "# HELP efadiag_exporter_read_duration_seconds How long the last reading took "
		"(at most -t).\n");
	put(&t, "# TYPE efadiag_exporter_read_duration_seconds gauge\n");
	put(&t, "efadiag_exporter_read_duration_seconds %.6f\n", e->read_sec);
	if (t.failed) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int stats_prom_write(const char *path, const char *text, char *msg, size_t len)
{
	char tmp[4096];
	int fd, ret;

	if (!strcmp(path, "-")) {
		ret = write_all(STDOUT_FILENO, text, strlen(text));
		if (ret)
			snprintf(msg, len, "writing standard output: %s", strerror(-ret));
		return ret;
	}
	/* Beside the file, so rename is atomic; not ending in .prom, so no collector reads it. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
		snprintf(msg, len, "file name too long: %s", path);
		return -ENAMETOOLONG;
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		ret = -errno;
		snprintf(msg, len, "cannot create %s: %s", tmp, strerror(errno));
		return ret;
	}
	ret = write_all(fd, text, strlen(text));
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		snprintf(msg, len, "cannot write %s: %s", path, strerror(-ret));
		unlink(tmp);
	}
	return ret;
}
