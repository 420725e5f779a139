// SPDX-License-Identifier: MIT
/* Check records: the "checks" array in JSON, a STATUS/CHECK/DETAIL table for people. */
#include "host/checks.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ui/out.h"

static const struct out_col check_cols[] = {
	{ "status", "STATUS", OUT_STR, 0, 0 },
	{ "name", "CHECK", OUT_STR, 0, 0 },
	{ "detail", "DETAIL", OUT_STR, 0, 0 },
	{ "remedy", "REMEDY", OUT_STR, 0, OUT_JSON_ONLY },
};

static const struct out_col check_dev_cols[] = {
	{ "status", "STATUS", OUT_STR, 0, 0 },
	{ "name", "CHECK", OUT_STR, 0, 0 },
	{ "device", "DEVICE", OUT_STR, 0, 0 },
	{ "detail", "DETAIL", OUT_STR, 0, 0 },
	{ "remedy", "REMEDY", OUT_STR, 0, OUT_JSON_ONLY },
};

const char *check_status_str(enum check_status st)
{
	static const char *const names[] = { "pass", "skip", "warn", "fail" };

	return st <= CHECK_FAIL ? names[st] : "unknown";
}

void checks_begin(struct checks *c, struct out *o)
{
	c->table = out_table_new(o, "checks", "Checks", check_cols,
				 sizeof(check_cols) / sizeof(check_cols[0]));
	c->count[0] = c->count[1] = c->count[2] = c->count[3] = 0;
	c->last = NULL;
}

void checks_begin_devices(struct checks *c, struct out *o)
{
	c->table = out_table_new(o, "checks", "Checks", check_dev_cols,
				 sizeof(check_dev_cols) / sizeof(check_dev_cols[0]));
	c->count[0] = c->count[1] = c->count[2] = c->count[3] = 0;
	c->last = NULL;
}

static void add_row(struct checks *c, const char *name, const char *device, enum check_status st,
		    const char *fmt, va_list ap)
{
	char detail[1024];
	cJSON *row;

	vsnprintf(detail, sizeof(detail), fmt, ap);
	row = out_table_row(c->table);
	out_set_str(row, "name", "%s", name);
	if (device)
		out_set_str(row, "device", "%s", device);
	out_set_str(row, "status", "%s", check_status_str(st));
	out_set_str(row, "detail", "%s", detail);
	c->last = row;
	c->count[st]++;
}

void check_remedy(struct checks *c, const char *fmt, ...)
{
	char remedy[1024];
	va_list ap;

	if (!c->last)
		return;
	va_start(ap, fmt);
	vsnprintf(remedy, sizeof(remedy), fmt, ap);
	va_end(ap);
	out_set_str(c->last, "remedy", "%s", remedy);
}

bool checks_first(struct out *o, const char *st, const char **name, const char **remedy)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(out_root(o), "checks"))
	{
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, "status");

		if (!cJSON_IsString(s) || strcmp(s->valuestring, st))
			continue;
		*name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
		*remedy = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "remedy"));
		return *name != NULL;
	}
	return false;
}

void check_add(struct checks *c, const char *name, enum check_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_row(c, name, NULL, st, fmt, ap);
	va_end(ap);
}

void check_add_fix(struct checks *c, const char *name, enum check_status st, const char *remedy,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_row(c, name, NULL, st, fmt, ap);
	va_end(ap);
	if (remedy && *remedy)
		out_set_str(c->last, "remedy", "%s", remedy);
}

void check_add_dev(struct checks *c, const char *name, const char *device, enum check_status st,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_row(c, name, device, st, fmt, ap);
	va_end(ap);
}

int checks_end(struct checks *c)
{
	out_table_end(c->table);
	c->table = NULL;
	c->last = NULL;
	return c->count[CHECK_FAIL] ? EXIT_FAIL : EXIT_OK;
}
