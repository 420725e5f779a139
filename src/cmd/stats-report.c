// SPDX-License-Identifier: MIT
/* efadiag stats: what a reading says, for scripts (JSON) and for people (tables, lines). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/stats.h"
#include "host/checks.h"
#include "ui/out.h"

/* The header comes back after this many lines, as vmstat's does. */
#define HEADER_EVERY 20

static void add_lifespans(cJSON *obj, const struct hwc_device *d, const struct hwc_sample *s)
{
	static const char *const scope_names[] = { "port", "device" };
	cJSON *ls = cJSON_AddObjectToObject(obj, "lifespan_ms");
	int sc;

	for (sc = 0; ls && sc < 2; sc++)
		if (d->has_dir[sc] && s->lifespan_ms[sc] >= 0)
			cJSON_AddNumberToObject(ls, scope_names[sc], (double)s->lifespan_ms[sc]);
}

/* counters, and unreadable: {name: why} for those without a value. */
static void add_counters(cJSON *obj, const struct hwc_device *d, const struct hwc_sample *s)
{
	cJSON *counters = cJSON_AddObjectToObject(obj, "counters");
	cJSON *bad = NULL;
	size_t i;

	for (i = 0; counters && i < d->n; i++) {
		if (!s->val[i].err) {
			cJSON_AddNumberToObject(counters, d->counter[i], (double)s->val[i].v);
			continue;
		}
		if (!bad)
			bad = cJSON_AddObjectToObject(obj, "unreadable");
		if (bad)
			cJSON_AddStringToObject(bad, d->counter[i],
						hwc_counter_strerror(s->val[i].err));
	}
}

static void add_rates(cJSON *obj, const struct hwc_device *d, const struct stats_interval *iv)
{
	cJSON *rates, *deltas;
	size_t i;

	if (iv->seconds <= 0)
		return;
	rates = cJSON_AddObjectToObject(obj, "rates");
	deltas = cJSON_AddObjectToObject(obj, "deltas");
	for (i = 0; rates && deltas && i < d->n; i++) {
		if (!iv->valid[i])
			continue;
		cJSON_AddNumberToObject(rates, d->counter[i], (double)iv->delta[i] / iv->seconds);
		cJSON_AddNumberToObject(deltas, d->counter[i], (double)iv->delta[i]);
	}
}

void stats_report_devices(struct stats_run *r)
{
	cJSON *root = out_root(r->ctx->out), *arr;
	char when[64];
	size_t i;

	out_rfc3339(r->cur_wall, when, sizeof(when));
	out_set_str(root, "time", "%s", when);
	cJSON_AddNumberToObject(root, "interval_sec",
				r->snapshot || !r->n ? 0 : r->interval[0].seconds);
	if (!r->snapshot)
		cJSON_AddNumberToObject(root, "sample", r->samples);
	arr = cJSON_AddArrayToObject(root, "devices");
	for (i = 0; arr && i < r->n; i++) {
		const struct hwc_device *d = hwc_device(r->set, i);
		cJSON *obj = cJSON_CreateObject();

		if (!obj || !cJSON_AddItemToArray(arr, obj)) {
			cJSON_Delete(obj);
			break;
		}
		cJSON_AddStringToObject(obj, "device", d->name);
		cJSON_AddNumberToObject(obj, "port", d->port);
		if (r->cur[i].err) {
			cJSON_AddStringToObject(obj, "error", hwc_strerror(r->cur[i].err));
			continue;
		}
		add_counters(obj, d, &r->cur[i]);
		if (!r->snapshot)
			add_rates(obj, d, &r->interval[i]);
		add_lifespans(obj, d, &r->cur[i]);
	}
}

/* The first check of status st in the document, as "name: detail". */
static bool first_check(struct stats_run *r, const char *st, char *buf, size_t len)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(out_root(r->ctx->out), "checks"))
	{
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, "status");

		if (cJSON_IsString(s) && !strcmp(s->valuestring, st)) {
			const char *dev = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(c, "device"));

			/* The check's name is the reason word; its device follows. */
			snprintf(buf, len, "%s: %s%s%s",
				 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name")),
				 dev ? dev : "", dev ? ": " : "",
				 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "detail")));
			return true;
		}
	}
	return false;
}

int stats_report_checks(struct stats_run *r)
{
	bool quiet = r->ctx->opt.prom && !strcmp(r->ctx->opt.prom, "-");
	char what[64], first[1200], verdict[1400];
	struct checks c;
	int code;

	checks_begin_devices(&c, r->ctx->out);
	hwc_judge(&c, r->set, r->window);
	code = c.count[CHECK_FAIL] ? EXIT_FAIL : EXIT_OK;
	if (quiet || out_is_json(r->ctx->out))
		out_table_discard(c.table); /* the document holds them; nothing printed per record */
	else
		checks_end(&c);
	if (r->snapshot)
		snprintf(what, sizeof(what), "since the driver loaded");
	else
		snprintf(what, sizeof(what), "over %.1f s (%u sample%s)", r->window[0].seconds,
			 r->samples, r->samples == 1 ? "" : "s");
	if (c.count[CHECK_FAIL] && first_check(r, "fail", first, sizeof(first)))
		snprintf(verdict, sizeof(verdict), "FAIL: %s", first);
	else if (c.count[CHECK_WARN])
		snprintf(verdict, sizeof(verdict),
			 "OK: %d warning%s on %zu EFA device%s %s: see the checks",
			 c.count[CHECK_WARN], c.count[CHECK_WARN] == 1 ? "" : "s", r->n,
			 r->n == 1 ? "" : "s", what);
	else
		snprintf(verdict, sizeof(verdict), "OK: no trouble on %zu EFA device%s %s", r->n,
			 r->n == 1 ? "" : "s", what);
	if (quiet) /* stdout is the exposition's: the verdict goes into the exit code alone */
		cJSON_AddStringToObject(out_root(r->ctx->out), "summary", verdict);
	else
		out_verdict(r->ctx->out, "%s", verdict);
	/* The first failed check's remedy: the Fix: line, and the document's remedy. */
	{
		const char *name, *remedy = NULL;

		if (c.count[CHECK_FAIL] && checks_first(r->ctx->out, "fail", &name, &remedy) &&
		    remedy) {
			cJSON_AddStringToObject(out_root(r->ctx->out), "remedy", remedy);
			if (!quiet)
				out_text(r->ctx->out, "Fix: %s\n", remedy);
		}
	}
	return code;
}

static const struct out_col counter_cols[] = {
	{ "counter", "COUNTER", OUT_STR, 0, 0 },
	{ "scope", "SCOPE", OUT_STR, 0, 0 },
	{ "value", "VALUE", OUT_STR, 0, 0 },
};

/* The counters of d in the order people read them: traffic first, then errors, then admin. */
static void reading_order(const struct hwc_device *d, size_t *order)
{
	size_t i, j;

	for (i = 0; i < d->n; i++) {
		size_t k = i;

		/* insertion sort: a few dozen names */
		for (j = i; j > 0; j--) {
			int a = hwc_meaning_rank(d->counter[order[j - 1]]);
			int b = hwc_meaning_rank(d->counter[k]);

			if (a < b || (a == b && strcmp(d->counter[order[j - 1]], d->counter[k]) <= 0))
				break;
			order[j] = order[j - 1];
		}
		order[j] = k;
	}
}

void stats_print_snapshot(struct stats_run *r)
{
	size_t i, k, order[HWC_MAX];

	for (i = 0; i < r->n; i++) {
		const struct hwc_device *d = hwc_device(r->set, i);
		struct out_table *t;
		char title[160];

		if (r->cur[i].err) {
			out_text(r->ctx->out, "%s: %s", d->name, hwc_strerror(r->cur[i].err));
			continue;
		}
		snprintf(title, sizeof(title), "%s port %d: hardware counters (since the driver "
			 "loaded)", d->name, d->port);
		t = out_table_new(r->ctx->out, NULL, title, counter_cols,
				  sizeof(counter_cols) / sizeof(counter_cols[0]));
		reading_order(d, order);
		for (k = 0; k < d->n; k++) {
			size_t c = order[k];
			cJSON *row = out_table_row(t);

			out_set_str(row, "counter", "%s", d->counter[c]);
			out_set_str(row, "scope", "%s", d->scope[c] == HWC_PORT ? "port" : "device");
			if (r->cur[i].val[c].err)
				out_set_str(row, "value", "(%s)",
					    hwc_counter_strerror(r->cur[i].val[c].err));
			else
				out_set_str(row, "value", "%llu",
					    (unsigned long long)r->cur[i].val[c].v);
		}
		out_table_end(t);
	}
}

#define RATE_ABSENT (-1.0)	/* the device has no such counter: "-" */
#define RATE_UNREAD (-2.0)	/* it has, but no increment this interval (unread, reset): "?" */

/* A counter's increment over an interval, per second, or RATE_ABSENT / RATE_UNREAD. */
static double per_sec(const struct hwc_device *d, const struct stats_interval *iv,
		      const char *name)
{
	int k = hwc_index(d, name);

	if (k < 0)
		return RATE_ABSENT;
	if (!iv->valid[k] || iv->seconds <= 0)
		return RATE_UNREAD;
	return (double)iv->delta[k] / iv->seconds;
}

static size_t name_width(const struct stats_run *r)
{
	size_t i, w = 6;

	for (i = 0; i < r->n; i++)
		if (strlen(hwc_device(r->set, i)->name) > w)
			w = strlen(hwc_device(r->set, i)->name);
	return w;
}

/*
 * A rate in a column of width w: "-" where the device has no such counter, "?" where it has
 * but this interval gave no increment (unreadable, reset): never a made-up 0.
 */
static void col(double v, int w, int prec, double scale)
{
	if (v == RATE_ABSENT)
		printf(" %*s", w, "-");
	else if (v < 0)
		printf(" %*s", w, "?");
	else
		printf(" %*.*f", w, prec, v * scale);
}

void stats_print_interval(struct stats_run *r)
{
	int w = (int)name_width(r);
	char clock[16], trouble[512];
	time_t secs = (time_t)r->cur_wall;
	struct tm tm;
	size_t i;

	localtime_r(&secs, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	if (r->samples == 1 || r->lines + r->n > HEADER_EVERY) {
		printf("%-8s %-*s %10s %10s %10s %10s %9s %10s  %s\n", "TIME", w, "DEVICE", "TX(Gbit/s)",
		       "RX(Gbit/s)", "TX(pkt/s)", "RX(pkt/s)", "DROPS/s", "RETRANS/s", "TROUBLE");
		r->lines = 0;
	}
	for (i = 0; i < r->n; i++) {
		const struct hwc_device *d = hwc_device(r->set, i);
		const struct stats_interval *iv = &r->interval[i];

		printf("%-8s %-*s", clock, w, d->name);
		if (r->cur[i].err) {
			printf("  %s\n", hwc_strerror(r->cur[i].err));
			continue;
		}
		col(per_sec(d, iv, "tx_bytes"), 10, 3, 8e-9);
		col(per_sec(d, iv, "rx_bytes"), 10, 3, 8e-9);
		col(per_sec(d, iv, "tx_pkts"), 10, 0, 1);
		col(per_sec(d, iv, "rx_pkts"), 10, 0, 1);
		col(per_sec(d, iv, "rx_drops"), 9, 1, 1);
		col(per_sec(d, iv, "retrans_pkts"), 10, 1, 1);
		if (iv->seconds <= 0)
			printf("  (no interval: %s)\n", "a reading is missing");
		else if (hwc_trouble_moved(d, iv->delta, iv->valid, trouble, sizeof(trouble)))
			printf("  %s\n", trouble);
		else
			printf("  -\n");
	}
	r->lines += (unsigned)r->n;
	fflush(stdout);
}

static const struct out_col summary_cols[] = {
	{ "device", "DEVICE", OUT_STR, 0, 0 },
	{ "tx", "TX(GB)", OUT_STR, 0, 0 },
	{ "rx", "RX(GB)", OUT_STR, 0, 0 },
	{ "tx_rate", "TX AVG(Gbit/s)", OUT_STR, 0, 0 },
	{ "rx_rate", "RX AVG(Gbit/s)", OUT_STR, 0, 0 },
	{ "drops", "DROPS", OUT_STR, 0, 0 },
	{ "retrans", "RETRANS(pkts)", OUT_STR, 0, 0 },
	{ "resets", "RESETS", OUT_STR, 0, 0 },
};

/* A window total as text: "-" when the counter never had a value at both ends. */
static void total(cJSON *row, const char *key, const struct hwc_device *d,
		  const struct hwc_window *w, const char *name, double scale, int prec)
{
	int k = hwc_index(d, name);

	if (k < 0 || !w->seen[k])
		out_set_str(row, key, "-");
	else if (scale < 0) /* a rate over the window, bytes to Gbit/s */
		out_set_str(row, key, "%.3f",
			    w->seconds > 0 ? (double)w->delta[k] * 8e-9 / w->seconds : 0.0);
	else
		out_set_str(row, key, "%.*f", prec, (double)w->delta[k] * scale);
}

void stats_print_summary(struct stats_run *r)
{
	struct out_table *t;
	char title[128];
	size_t i;

	snprintf(title, sizeof(title), "--- efadiag stats: %u sample%s over %.1f s ---", r->samples,
		 r->samples == 1 ? "" : "s", r->n ? r->window[0].seconds : 0.0);
	t = out_table_new(r->ctx->out, NULL, title, summary_cols,
			  sizeof(summary_cols) / sizeof(summary_cols[0]));
	for (i = 0; i < r->n; i++) {
		const struct hwc_device *d = hwc_device(r->set, i);
		const struct hwc_window *w = &r->window[i];
		cJSON *row = out_table_row(t);

		out_set_str(row, "device", "%s", d->name);
		total(row, "tx", d, w, "tx_bytes", 1e-9, 3);
		total(row, "rx", d, w, "rx_bytes", 1e-9, 3);
		total(row, "tx_rate", d, w, "tx_bytes", -1, 3);
		total(row, "rx_rate", d, w, "rx_bytes", -1, 3);
		total(row, "drops", d, w, "rx_drops", 1, 0);
		total(row, "retrans", d, w, "retrans_pkts", 1, 0);
		out_set_str(row, "resets", "%u", w->resets);
	}
	out_table_end(t);
}
