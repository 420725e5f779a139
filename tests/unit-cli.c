// SPDX-License-Identifier: MIT
/*
 * Unit tests of the command line's tables (src/ui/cli.c, src/cmd/): every command's options
 * are consistent, each shows in its help, and parsing fills the struct opts field it names.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "ui/cli.h"
#include "ui/out.h"
#include "tap.h"

/* A command's options as the parser sees them: the global ones, then its tables in order. */
struct optlist {
	const struct opt_def *defs[128];
	size_t n;
};

/* The options cmd takes: the global ones it does not refuse, then its own. */
static void optlist_of(const struct cmd_entry *cmd, struct optlist *l)
{
	const struct opt_def *const *t;
	const struct opt_def *d;

	l->n = 0;
	for (d = cli_global_options; d->name && l->n < 128; d++)
		if (!cli_unused_global(cmd, d))
			l->defs[l->n++] = d;
	for (t = cmd->options; t && *t; t++)
		for (d = *t; d->name && l->n < 128; d++)
			l->defs[l->n++] = d;
}

static const struct opt_def *optlist_find(const struct optlist *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->defs[i]->name, name))
			return l->defs[i];
	return NULL;
}

static bool kind_takes_value(enum opt_kind k)
{
	return k != OPTK_FLAG && k != OPTK_COUNT && k != OPTK_HELP && k != OPTK_VERSION;
}

/* "-S, --sizes LIST" or "    --exec CMD": the left column of a usage line. */
static void usage_lhs(const struct opt_def *d, char *buf, size_t len)
{
	if (d->letter)
		snprintf(buf, len, "-%c, --%s%s%s", d->letter, d->name, d->arg ? " " : "",
			 d->arg ? d->arg : "");
	else
		snprintf(buf, len, "    --%s%s%s", d->name, d->arg ? " " : "", d->arg ? d->arg : "");
}

/* Each definition on its own: names, usage text, and what its kind needs. */
static void test_definitions(void)
{
	size_t c, i;

	for (c = 0; cmd_table[c]; c++) {
		const struct cmd_entry *cmd = cmd_table[c];
		struct optlist l;
		bool names_ok = true, text_ok = true, kind_ok = true;

		optlist_of(cmd, &l);
		for (i = 0; i < l.n; i++) {
			const struct opt_def *d = l.defs[i];
			char lhs[128];
			const char *a;

			if (!*d->name || d->name[0] == '-' || strchr(d->name, '=') ||
			    (d->letter && !isalnum((unsigned char)d->letter))) {
				names_ok = false;
				printf("#   %s: bad name --%s or letter\n", cmd->name, d->name);
			}
			/* Completion reads the value's name as the upper-case word after the option. */
			usage_lhs(d, lhs, sizeof(lhs));
			for (a = d->arg; a && *a; a++)
				if (islower((unsigned char)*a) || isspace((unsigned char)*a))
					text_ok = false;
			if (!d->help || !*d->help || strlen(lhs) > 28 || (d->arg && !*d->arg)) {
				text_ok = false;
				printf("#   %s: --%s: usage text missing or too wide\n", cmd->name,
				       d->name);
			}
			if (!!d->arg != kind_takes_value(d->kind) ||
			    (d->kind == OPTK_WORD && (!d->words || !d->words[0] || !d->why)) ||
			    (d->kind == OPTK_NONEMPTY && !d->why) ||
			    (d->kind == OPTK_CUSTOM && !d->parse) ||
			    ((d->kind == OPTK_INT || d->kind == OPTK_LONG || d->kind == OPTK_SECONDS) &&
			     d->min > d->max) ||
			    ((d->kind == OPTK_SIZES || d->kind == OPTK_NAMES) && !d->max_n)) {
				kind_ok = false;
				printf("#   %s: --%s: kind and fields disagree\n", cmd->name, d->name);
			}
		}
		ok(names_ok, "%s: long names and letters are well formed", cmd->name);
		ok(text_ok, "%s: every option has help, an upper-case value name, fits 28 columns",
		   cmd->name);
		ok(kind_ok, "%s: a value name exactly when the kind takes a value; kinds complete",
		   cmd->name);
	}
}

/* Within a command no name or letter twice; across commands a name is one option. */
static void test_uniqueness(void)
{
	size_t c, c2, i, j;
	bool across = true;

	for (c = 0; cmd_table[c]; c++) {
		struct optlist l;
		bool longs = true, letters = true;

		optlist_of(cmd_table[c], &l);
		for (i = 0; i < l.n; i++)
			for (j = i + 1; j < l.n; j++) {
				if (!strcmp(l.defs[i]->name, l.defs[j]->name)) {
					longs = false;
					printf("#   --%s twice\n", l.defs[i]->name);
				}
				if (l.defs[i]->letter && l.defs[i]->letter == l.defs[j]->letter) {
					letters = false;
					printf("#   -%c twice\n", l.defs[i]->letter);
				}
			}
		ok(longs, "%s: no two options share a long name", cmd_table[c]->name);
		ok(letters, "%s: no two options share a short letter", cmd_table[c]->name);
	}
	/*
	 * The command word is found before the command is known, skipping option values: so a
	 * name or letter must take a value in every command or in none, and mean one option.
	 */
	for (c = 0; cmd_table[c]; c++)
		for (c2 = c + 1; cmd_table[c2]; c2++) {
			struct optlist a, b;

			optlist_of(cmd_table[c], &a);
			optlist_of(cmd_table[c2], &b);
			for (i = 0; i < a.n; i++)
				for (j = 0; j < b.n; j++) {
					const struct opt_def *x = a.defs[i], *y = b.defs[j];
					bool same_name = !strcmp(x->name, y->name);
					bool same_letter = x->letter && x->letter == y->letter;

					if ((same_name || same_letter) &&
					    (!same_name || x->letter != y->letter ||
					     !x->arg != !y->arg)) {
						across = false;
						printf("#   %s --%s and %s --%s clash\n",
						       cmd_table[c]->name, x->name, cmd_table[c2]->name,
						       y->name);
					}
				}
		}
	ok(across, "across commands: a long name or letter is the same option everywhere");
	{
		size_t total = 0;
		const struct opt_def *const *t;
		const struct opt_def *d;

		for (d = cli_global_options; d->name; d++)
			total++;
		for (c = 0; cmd_table[c]; c++)
			for (t = cmd_table[c]->options; t && *t; t++)
				for (d = *t; d->name; d++)
					total++;
		/* The parser's set of every command's options holds 128; shared ones count once. */
		ok(total < 128, "every option of every command fits the parser's set (%zu)", total);
	}
}

/* Commands: unique names, a summary and a handler each; the usage lists them all. */
static void test_commands(void)
{
	char *text = NULL;
	size_t len = 0, c, c2;
	bool unique = true, complete = true, listed = true;
	const struct opt_def *d;
	FILE *f;

	for (c = 0; cmd_table[c]; c++) {
		for (c2 = c + 1; cmd_table[c2]; c2++)
			if (!strcmp(cmd_table[c]->name, cmd_table[c2]->name))
				unique = false;
		if (!cmd_table[c]->summary || !cmd_table[c]->run)
			complete = false;
	}
	ok(c >= 6, "the table has every command (%zu)", c);
	ok(unique, "command names are unique");
	ok(complete, "every command has a summary and a handler");

	f = open_memstream(&text, &len);
	cli_usage(f, cmd_table);
	fclose(f);
	for (c = 0; cmd_table[c]; c++) {
		char line[256];

		snprintf(line, sizeof(line), "\n  %-10s %s\n", cmd_table[c]->name,
			 cmd_table[c]->summary);
		if (!strstr(text, line)) {
			listed = false;
			printf("#   usage lacks %s", line);
		}
	}
	ok(listed, "efadiag's usage lists every command with its summary");
	listed = true;
	for (d = cli_global_options; d->name; d++) {
		char lhs[128], line[256];

		usage_lhs(d, lhs, sizeof(lhs));
		snprintf(line, sizeof(line), "\n  %-28s %s\n", lhs, d->help);
		if (!strstr(text, line))
			listed = false;
	}
	ok(listed, "efadiag's usage lists every global option");
	free(text);
}

/* The option lines of one section of a usage text: from its heading to the next blank line. */
static size_t section_lines(const char *text, const char *heading, const char **start)
{
	const char *p = strstr(text, heading), *end;
	size_t lines = 0;

	*start = p;
	if (!p)
		return 0;
	p += strlen(heading);
	end = strstr(p, "\n\n");
	if (!end)
		end = p + strlen(p);
	/* An option line's first character past its indent is '-'; a wrapped line's never is. */
	for (; p < end; p++)
		if (p[-1] == '\n' && p[strspn(p, " ")] == '-')
			lines++;
	return lines;
}

/*
 * Every option of a command is in its help, in order, and nothing else is: its own under
 * "Options:", then the global ones it takes under "Global options:", -t with what it bounds
 * for this command (cmd_entry.timeout_help); a refused global is not listed.
 */
static void test_help(void)
{
	size_t c, i;

	for (c = 0; cmd_table[c]; c++) {
		const struct cmd_entry *cmd = cmd_table[c];
		size_t len = 0, own = 0, global = 0, nown, nglobal;
		const char *opts, *globals;
		char *text = NULL;
		bool all = true;
		struct optlist l;
		FILE *f;

		optlist_of(cmd, &l);
		f = open_memstream(&text, &len);
		cli_command_usage(f, cmd);
		fclose(f);
		nown = section_lines(text, "\nOptions:\n", &opts);
		nglobal = section_lines(text, "\nGlobal options:\n", &globals);
		ok(globals != NULL, "%s: its help has a Global options section", cmd->name);
		if (!globals) {
			free(text);
			continue;
		}
		for (i = 0; i < l.n; i++) {
			const struct opt_def *d = l.defs[i];
			const char *help = d->letter == 't' && cmd->timeout_help ? cmd->timeout_help :
										  d->help;
			char lhs[128], line[512], *at;
			bool is_global = cli_is_global(d);

			usage_lhs(d, lhs, sizeof(lhs));
			/* The first words of the help: a long one wraps. */
			snprintf(line, sizeof(line), "\n  %-28s %.40s", lhs, help);
			at = strstr(is_global ? globals : (opts ? opts : text), line);
			if (!at || (!is_global && globals && at > globals)) {
				all = false;
				printf("#   %s: help lacks (or misplaces) --%s\n", cmd->name, d->name);
				continue;
			}
			if (is_global)
				global++;
			else
				own++;
		}
		ok(all, "%s: every option is in its help, in its section", cmd->name);
		is_int(nown, own, "help: no other option lines under Options");
		is_int(nglobal, global, "help: no other option lines under Global options");
		if (cmd->unused_globals)
			for (i = 0; cmd->unused_globals[i]; i++) {
				char flag[8];

				snprintf(flag, sizeof(flag), "\n  -%c,", cmd->unused_globals[i]);
				ok(!strstr(text, flag), "%s: refused -%c is not listed", cmd->name,
				   cmd->unused_globals[i]);
			}
		free(text);
	}
}


/* Parses "efadiag ARGS..." into ctx, stderr kept in err; returns cli_result.stop. */
#define PARSE(ctx, ...) parse(ctx, (const char *[]){ __VA_ARGS__, NULL })

static char err[4096];

static int parse(struct ctx *ctx, const char **args)
{
	char *argv[32];
	int argc = 0, saved;
	struct cli_result r;
	FILE *f = tmpfile();
	size_t n;

	argv[argc++] = (char *)"efadiag";
	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	memset(ctx, 0, sizeof(*ctx));
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	r = cli_parse(ctx, cmd_table, argc, argv);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(err, 1, sizeof(err) - 1, f);
	err[n] = '\0';
	fclose(f);
	return r.stop;
}

static void parse_done(struct ctx *ctx)
{
	out_free(ctx->out);
	ctx->out = NULL;
	cli_free(&ctx->opt);
}

/* A global option that does nothing for a command is refused by name, exit 2. */
static void test_unused_globals(void)
{
	size_t c, i;

	for (c = 0; cmd_table[c]; c++) {
		const struct cmd_entry *cmd = cmd_table[c];

		for (i = 0; cmd->unused_globals && cmd->unused_globals[i]; i++) {
			char flag[3] = { '-', cmd->unused_globals[i], 0 }, want[128];
			struct ctx ctx;
			int stop;

			stop = PARSE(&ctx, cmd->name, flag, "1");
			snprintf(want, sizeof(want), "does nothing for '%s'", cmd->name);
			ok(stop == 1 + EXIT_USAGE && strstr(err, want), "%s %s: refused, saying so",
			   cmd->name, flag);
			parse_done(&ctx);
			stop = PARSE(&ctx, flag, "1", cmd->name);
			ok(stop == 1 + EXIT_USAGE && strstr(err, want),
			   "%s %s before the command: refused too", cmd->name, flag);
			parse_done(&ctx);
		}
	}
}

/* A representative command line per command: each value lands in its named field. */
static void test_parse_fields(void)
{
	struct ctx ctx;
	int stop;

	stop = PARSE(&ctx, "-p", "tcp", "-d", "a,b", "-j", "-t", "2.5", "info", "-vv", "-q",
		     "--expect-domains", "4");
	ok(stop == 0 && ctx.cmd == &cmd_info, "info: parsed");
	is_str(ctx.opt.provider, "tcp", "info: -p -> provider");
	ok(ctx.opt.provider_set, "info: -p -> provider_set");
	ok(ctx.opt.ndomains == 2 && !strcmp(ctx.opt.domains[0], "a") &&
		   !strcmp(ctx.opt.domains[1], "b"),
	   "info: -d a,b -> domains, ndomains");
	ok(ctx.opt.json && out_is_json(ctx.out), "info: -j -> json");
	ok(ctx.opt.timeout_sec == 2.5, "info: -t -> timeout_sec");
	is_int(ctx.opt.port, EFADIAG_DEFAULT_PORT, "info: -P not given (info refuses it)");
	is_int(ctx.opt.verbose, 2, "info: -vv -> verbose 2");
	ok(ctx.opt.quiet, "info: -q -> quiet");
	is_int(ctx.opt.expect_domains, 4, "info: --expect-domains -> expect_domains");
	ok(ctx.opt.iterations == -1 && ctx.opt.window == -1 && !strcmp(ctx.opt.op, "send") &&
		   !ctx.opt.nsizes,
	   "info: other commands' fields keep their defaults");
	parse_done(&ctx);

	stop = PARSE(&ctx, "pingpong", "-S", "64,1k", "-I", "10", "-w", "2", "--verify",
		     "--loopback", "--token", "abc");
	ok(stop == 0 && ctx.cmd == &cmd_pingpong, "pingpong: parsed");
	ok(ctx.opt.nsizes == 2 && ctx.opt.sizes[0] == 64 && ctx.opt.sizes[1] == 1024,
	   "pingpong: -S 64,1k -> sizes, nsizes");
	is_int(ctx.opt.iterations, 10, "pingpong: -I -> iterations");
	is_int(ctx.opt.warmup, 2, "pingpong: -w -> warmup");
	ok(ctx.opt.verify, "pingpong: --verify -> verify");
	ok(ctx.opt.loopback, "pingpong: --loopback -> loopback");
	is_str(ctx.opt.token, "abc", "pingpong: --token -> token");
	ok(!ctx.opt.provider_set && !strcmp(ctx.opt.provider, EFADIAG_DEFAULT_PROVIDER),
	   "pingpong: provider stays the default, not set");
	parse_done(&ctx);

	stop = PARSE(&ctx, "pingpong", "--exec", "ssh b", "-p", "efa");
	ok(stop == 0 && ctx.opt.exec_cmd && !strcmp(ctx.opt.exec_cmd, "ssh b") && !ctx.host,
	   "pingpong: --exec -> exec_cmd");
	ok(ctx.opt.provider_set, "pingpong: -p efa (the default) still counts as given");
	parse_done(&ctx);
	stop = PARSE(&ctx, "pingpong", "node-b");
	ok(stop == 0 && ctx.host && !strcmp(ctx.host, "node-b"), "pingpong: HOST -> host");
	parse_done(&ctx);

	stop = PARSE(&ctx, "bw", "-W", "8", "--op", "write", "--reverse", "--duration", "1.5",
		     "--all-domains", "-S", "1M", "-w", "0");
	ok(stop == 0 && ctx.cmd == &cmd_bw, "bw: parsed");
	is_int(ctx.opt.window, 8, "bw: -W -> window");
	is_str(ctx.opt.op, "write", "bw: --op -> op");
	ok(ctx.opt.reverse && !ctx.opt.bidir, "bw: --reverse -> reverse");
	ok(ctx.opt.duration_sec == 1.5, "bw: --duration -> duration_sec");
	ok(ctx.opt.all_domains, "bw: --all-domains -> all_domains");
	ok(ctx.opt.nsizes == 1 && ctx.opt.sizes[0] == 1 << 20, "bw: -S 1M -> sizes");
	is_int(ctx.opt.warmup, 0, "bw: -w 0 -> warmup 0");
	parse_done(&ctx);
	stop = PARSE(&ctx, "bw", "--bidir", "--window=1024", "--op=read", "-I", "7");
	ok(stop == 0 && ctx.opt.bidir && ctx.opt.window == 1024 && !strcmp(ctx.opt.op, "read") &&
		   ctx.opt.iterations == 7,
	   "bw: --bidir, --window=, --op=, -I");
	parse_done(&ctx);

	stop = PARSE(&ctx, "sg-check", "--exec", "ssh b", "--token", "t", "-t", "3");
	ok(stop == 0 && ctx.cmd == &cmd_sgcheck, "sg-check: parsed");
	ok(ctx.opt.exec_cmd && !strcmp(ctx.opt.exec_cmd, "ssh b"), "sg-check: --exec");
	is_str(ctx.opt.token, "t", "sg-check: --token");
	ok(ctx.opt.timeout_sec == 3, "sg-check: -t");
	parse_done(&ctx);

	stop = PARSE(&ctx, "serve", "--persist", "--token", "t", "-P", "2000");
	ok(stop == 0 && ctx.cmd == &cmd_serve && ctx.opt.persist && !ctx.opt.stdio &&
		   ctx.opt.port == 2000,
	   "serve: --persist -> persist");
	parse_done(&ctx);
	stop = PARSE(&ctx, "serve", "--stdio");
	ok(stop == 0 && ctx.opt.stdio && !ctx.opt.persist, "serve: --stdio -> stdio");
	parse_done(&ctx);

	stop = PARSE(&ctx, "help", "bw", "-q");
	ok(stop == 0 && ctx.cmd == &cmd_help && ctx.host && !strcmp(ctx.host, "bw") &&
		   ctx.opt.quiet && ctx.commands == cmd_table,
	   "help: COMMAND -> host; the table reaches the command");
	parse_done(&ctx);

	/* The last -d wins, and the earlier list is freed (valgrind.sh would see a leak). */
	stop = PARSE(&ctx, "info", "-d", "a,b,c", "-d", "z");
	ok(stop == 0 && ctx.opt.ndomains == 1 && !strcmp(ctx.opt.domains[0], "z"),
	   "-d twice: the last list");
	parse_done(&ctx);
}

/* A value its kind accepts, and what the field must then hold; NULL where none is generic. */
static const char *sample(const struct opt_def *d, char *buf, size_t len)
{
	switch (d->kind) {
	case OPTK_INT:
	case OPTK_LONG:
		snprintf(buf, len, "%.0f", d->max);
		return buf;
	case OPTK_SECONDS:
		snprintf(buf, len, "%g", d->max);
		return buf;
	case OPTK_PORT:
		return "4242";
	case OPTK_NONEMPTY:
		return "x";
	case OPTK_WORD:
		return d->words[0];
	case OPTK_SIZES:
		return "64,4k";
	case OPTK_NAMES:
		return "n1,n2";
	default:
		return NULL;
	}
}

/* Whether ctx->opt holds what sample() gave d (or what a flag, given twice, sets). */
static bool holds_sample(const struct ctx *ctx, const struct opt_def *d)
{
	const char *field = (const char *)&ctx->opt + d->off;

	switch (d->kind) {
	case OPTK_FLAG:
		return *(const bool *)field;
	case OPTK_COUNT:
		return *(const int *)field == 2;
	case OPTK_INT:
		return *(const int *)field == (int)d->max;
	case OPTK_LONG:
		return *(const long *)field == (long)d->max;
	case OPTK_SECONDS:
		return *(const double *)field == d->max;
	case OPTK_PORT:
		return *(const int *)field == 4242;
	case OPTK_NONEMPTY:
		return !strcmp(*(const char *const *)field, "x");
	case OPTK_WORD:
		return !strcmp(*(const char *const *)field, d->words[0]);
	case OPTK_SIZES:
		return *(const size_t *)((const char *)&ctx->opt + d->off_n) == 2 &&
		       ((const size_t *)field)[0] == 64 && ((const size_t *)field)[1] == 4096;
	case OPTK_NAMES:
		return *(const size_t *)((const char *)&ctx->opt + d->off_n) == 2 &&
		       !strcmp(((char *const *)field)[1], "n2");
	default:
		return false;
	}
}

/*
 * Every option of every command, alone on the command line, by its long name and its letter:
 * accepted, and stored where its definition says. Values outside the range are refused.
 */
static void test_parse_every_option(void)
{
	size_t c, i;

	for (c = 0; cmd_table[c]; c++) {
		const struct cmd_entry *cmd = cmd_table[c];
		bool stored = true, refused = true;
		struct optlist l;

		optlist_of(cmd, &l);
		for (i = 0; i < l.n; i++) {
			const struct opt_def *d = l.defs[i];
			char lng[64], shrt[3] = { '-', d->letter, 0 }, buf[64], bad[64];
			const char *v = sample(d, buf, sizeof(buf));
			struct ctx ctx;
			int stop;

			if (d->kind == OPTK_HELP || d->kind == OPTK_VERSION ||
			    d->kind == OPTK_CUSTOM)
				continue;
			snprintf(lng, sizeof(lng), "--%s", d->name);
			if (kind_takes_value(d->kind))
				stop = PARSE(&ctx, cmd->name, lng, v);
			else
				stop = PARSE(&ctx, cmd->name, lng, lng);
			if (stop || !holds_sample(&ctx, d)) {
				stored = false;
				printf("#   %s %s: not stored (%s)\n", cmd->name, lng, err);
			}
			parse_done(&ctx);
			if (d->letter) {
				if (kind_takes_value(d->kind))
					stop = PARSE(&ctx, cmd->name, shrt, v);
				else
					stop = PARSE(&ctx, cmd->name, shrt, shrt);
				if (stop || !holds_sample(&ctx, d)) {
					stored = false;
					printf("#   %s %s: not stored\n", cmd->name, shrt);
				}
				parse_done(&ctx);
			}
			if (d->kind == OPTK_INT || d->kind == OPTK_LONG || d->kind == OPTK_SECONDS) {
				snprintf(bad, sizeof(bad), "%.0f", d->max + 1);
				stop = PARSE(&ctx, cmd->name, lng, bad);
				snprintf(buf, sizeof(buf), "invalid value '%s' for ", bad);
				if (stop != 1 + EXIT_USAGE || !strstr(err, buf) ||
				    !strstr(err, "above the allowed maximum"))
					refused = false;
				parse_done(&ctx);
			}
			if (d->kind == OPTK_WORD || d->kind == OPTK_NONEMPTY) {
				stop = PARSE(&ctx, cmd->name, lng, d->kind == OPTK_WORD ? "no-such" : "");
				if (stop != 1 + EXIT_USAGE || !strstr(err, d->why))
					refused = false;
				parse_done(&ctx);
			}
		}
		ok(stored, "%s: each option, by name and letter, lands in its field", cmd->name);
		ok(refused, "%s: values out of range or not in the set are refused", cmd->name);
	}
}

/* An option of another command is refused by name, saying whose it is not. */
static void test_other_commands_options(void)
{
	size_t c, c2, i;

	for (c = 0; cmd_table[c]; c++) {
		const struct cmd_entry *cmd = cmd_table[c];
		struct optlist mine;
		bool right = true;
		size_t tried = 0;

		optlist_of(cmd, &mine);
		for (c2 = 0; cmd_table[c2]; c2++) {
			struct optlist theirs;

			optlist_of(cmd_table[c2], &theirs);
			for (i = 0; i < theirs.n; i++) {
				const struct opt_def *d = theirs.defs[i];
				char lng[64], want[160];
				struct ctx ctx;
				int stop;

				/* A global one it refuses has its own words (test_unused_globals). */
				if (optlist_find(&mine, d->name) || cli_is_global(d))
					continue;
				snprintf(lng, sizeof(lng), "--%s", d->name);
				stop = PARSE(&ctx, cmd->name, lng, "1");
				snprintf(want, sizeof(want), "option '%s' does not apply to '%s'", lng,
					 cmd->name);
				if (stop != 1 + EXIT_USAGE || !strstr(err, want)) {
					right = false;
					printf("#   %s %s: %s", cmd->name, lng, err);
				}
				tried++;
				parse_done(&ctx);
			}
		}
		ok(right, "%s: the %zu options of other commands 'do not apply'", cmd->name, tried);
	}
}

int main(void)
{
	/* cli_defaults reads the token from the environment: the tests want none. */
	unsetenv("EFADIAG_TOKEN");
	test_definitions();
	test_uniqueness();
	test_commands();
	test_help();
	test_unused_globals();
	test_parse_fields();
	test_parse_every_option();
	test_other_commands_options();
	return done_testing();
}
