// SPDX-License-Identifier: MIT
/* The command line: option tables from the command entries, parsed with getopt_long. */
#include "ui/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ui/out.h"
#include "ui/parse.h"

static int parse_provider(struct ctx *ctx, const struct opt_def *d, const char *arg);

const struct opt_def cli_global_options[] = {
	{ .name = "provider", .letter = 'p', .arg = "NAME", OPT_CUSTOM(parse_provider),
	  .help = "libfabric provider (default " EFADIAG_DEFAULT_PROVIDER ")" },
	{ .name = "domain", .letter = 'd', .arg = "NAME[,NAME...]", OPT_NAMES(domains, ndomains),
	  .help = "restrict to these domains" },
	{ .name = "json", .letter = 'j', OPT_FLAG(json),
	  .help = "one JSON document on stdout, on one line" },
	{ .name = "pretty", OPT_FLAG(pretty),
	  .help = "the JSON document indented over lines, for people (implies --json)" },
	{ .name = "timeout", .letter = 't', .arg = "SEC", OPT_SECONDS(timeout_sec, 0.001, 86400),
	  .help = "upper bound for every wait (default 5; sg-check: its total budget)" },
	{ .name = "port", .letter = 'P', .arg = "N", OPT_PORT(port),
	  .help = "TCP control port (default 47595; 0: any free port, servers only)" },
	{ .name = "verbose", .letter = 'v', OPT_COUNT(verbose), .help = "say more on stderr" },
	{ .name = "quiet", .letter = 'q', OPT_FLAG(quiet), .help = "no progress or notes on stderr" },
	{ .name = "help", .letter = 'h', .kind = OPTK_HELP, .help = "show usage and exit" },
	{ .name = "version", .letter = 'V', .kind = OPTK_VERSION,
	  .help = "show the version and exit" },
	OPT_END,
};

/*
 * The options one parse knows: the global ones and the command's, or with no command those
 * of every command. Each appears once; getopt_long's tables are built from this list.
 */
struct opt_set {
	const struct opt_def *defs[128];
	size_t n;
};

static const struct opt_def *set_find_long(const struct opt_set *set, const char *name,
					   size_t len)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strlen(set->defs[i]->name) == len && !strncmp(set->defs[i]->name, name, len))
			return set->defs[i];
	return NULL;
}

static const struct opt_def *set_find_letter(const struct opt_set *set, int letter)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->defs[i]->letter && set->defs[i]->letter == letter)
			return set->defs[i];
	return NULL;
}

/* Adds a table's options, skipping long names already there (groups several commands share). */
static void set_add(struct opt_set *set, const struct opt_def *table)
{
	for (; table->name; table++)
		if (!set_find_long(set, table->name, strlen(table->name)) &&
		    set->n < sizeof(set->defs) / sizeof(set->defs[0]))
			set->defs[set->n++] = table;
}

/* The options of cmd, or with cmd NULL those of every command in commands. */
static void set_build(struct opt_set *set, const struct cmd_entry *const *commands,
		      const struct cmd_entry *cmd)
{
	const struct opt_def *const *t;
	size_t i;

	set->n = 0;
	set_add(set, cli_global_options);
	for (i = 0; commands[i]; i++) {
		if (cmd && commands[i] != cmd)
			continue;
		for (t = commands[i]->options; t && *t; t++)
			set_add(set, *t);
	}
}

/* Edits (insert, delete, change, swap two neighbours) from a to b, stopping past max. */
static size_t edits(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b), i, j, row[3][64];

	if (la >= 64 || lb >= 64 || (la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (j = 0; j <= lb; j++)
		row[0][j] = j;
	for (i = 1; i <= la; i++) {
		size_t *cur = row[i % 3], *prev = row[(i - 1) % 3], *prev2 = row[(i + 1) % 3];

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
	}
	return row[la % 3][lb];
}

/*
 * The name a typo most likely meant: the nearest within two edits (one for short names), or
 * the one the word begins (a prefix is never taken as the name itself: see cli_find_command).
 * NULL when none is near enough or two are equally near.
 */
static const char *nearest_name(const char *word, const char *const *names, size_t n)
{
	size_t i, best = 3, d;
	const char *pick = NULL;
	bool tie = false;

	for (i = 0; i < n; i++) {
		size_t max = strlen(names[i]) <= 4 ? 1 : 2;

		d = edits(word, names[i], max);
		if (d > max && strlen(word) >= 3 && !strncmp(names[i], word, strlen(word)))
			d = max; /* a prefix: "ping" for pingpong */
		if (d > max)
			continue;
		if (d < best) {
			best = d;
			pick = names[i];
			tie = false;
		} else if (d == best && pick && strcmp(pick, names[i])) {
			tie = true;
		}
	}
	return tie ? NULL : pick;
}

/* "--sizes" for "--sizez": the option of any command a long option typo most likely meant. */
static const char *nearest_option(const struct opt_set *all, const char *typed)
{
	const char *names[128];
	size_t i;

	for (i = 0; i < all->n && i < 128; i++)
		names[i] = all->defs[i]->name;
	return nearest_name(typed, names, i);
}

bool cli_is_global(const struct opt_def *d)
{
	const struct opt_def *g;

	for (g = cli_global_options; g->name; g++)
		if (g == d)
			return true;
	return false;
}

bool cli_unused_global(const struct cmd_entry *cmd, const struct opt_def *d)
{
	return cmd && cmd->unused_globals && d->letter && cli_is_global(d) &&
	       strchr(cmd->unused_globals, d->letter);
}

static bool takes_value(const struct opt_def *d)
{
	return d->arg != NULL;
}

/* The options whose presence means even a usage error answers in JSON (--pretty implies it). */
static bool sets_json(const struct opt_def *d)
{
	return d->kind == OPTK_FLAG &&
	       (d->off == offsetof(struct opts, json) || d->off == offsetof(struct opts, pretty));
}

static bool sets_pretty(const struct opt_def *d)
{
	return d->kind == OPTK_FLAG && d->off == offsetof(struct opts, pretty);
}

const struct cmd_entry *cli_find_command(const struct cmd_entry *const *commands,
					 const char *name)
{
	size_t i;

	/* Exact names only: a prefix that happens to match today may mean another command later. */
	for (i = 0; commands[i]; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

void cli_defaults(struct opts *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->provider = EFADIAG_DEFAULT_PROVIDER;
	opt->timeout_sec = EFADIAG_DEFAULT_TIMEOUT_SEC;
	opt->port = EFADIAG_DEFAULT_PORT;
	opt->expect_domains = -1;
	opt->iterations = -1;
	opt->warmup = -1;
	opt->window = -1;
	opt->op = "send";
	opt->lat_factor = 3;
	opt->token = getenv("EFADIAG_TOKEN");
	if (opt->token && !*opt->token)
		opt->token = NULL;
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

void cli_free(struct opts *opt)
{
	free_names(opt->domains, &opt->ndomains);
}

/*
 * Finds the command word before parsing for real, because which options are valid depends on
 * it. Skips the values of options that take one, so "-p tcp info" finds "info", not "tcp".
 * Sets *bad to the first "--name" that is not exactly an option's name: getopt_long would
 * take it as an abbreviation, which this scan (and a later new option) would read differently.
 * all holds every command's options: a name means the same option in every command.
 */
static int prescan(const struct opt_set *all, int argc, char **argv, bool *json, bool *pretty,
		   int *bad)
{
	int i, first = -1;

	/* Scan to the end: -j may come after the command and even a usage error answers in JSON. */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct opt_def *d;

		if (!strcmp(a, "--")) {
			if (first < 0 && i + 1 < argc)
				first = i + 1;
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (first < 0)
				first = i;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');

			d = set_find_long(all, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
			if (!d && !*bad)
				*bad = i;
			if (d && sets_json(d))
				*json = true;
			if (d && sets_pretty(d))
				*pretty = true;
			if (d && takes_value(d) && !eq)
				i++;
			continue;
		}
		for (a++; *a; a++) {
			d = set_find_letter(all, (unsigned char)*a);
			if (d && sets_json(d))
				*json = true;
			if (d && takes_value(d)) {
				if (a[1] == '\0')
					i++;
				break;
			}
		}
	}
	return first;
}

int cli_usage_error(struct ctx *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	out_error(ctx->out, "%s", msg);
	fprintf(stderr, "Try 'efadiag %s%s--help'.\n", ctx->cmd ? ctx->cmd->name : "",
		ctx->cmd ? " " : "");
	return EXIT_USAGE;
}

static int bad_value(struct ctx *ctx, const struct opt_def *d, const char *arg, const char *why)
{
	if (d->letter)
		return cli_usage_error(ctx, "invalid value '%s' for -%c/--%s: %s", arg, d->letter,
				       d->name, why);
	return cli_usage_error(ctx, "invalid value '%s' for --%s: %s", arg, d->name, why);
}

static int parse_provider(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	if (!*arg)
		return bad_value(ctx, d, arg, "empty provider name");
	ctx->opt.provider = arg;
	/* Given, even as the default: a server then refuses clients of another provider. */
	ctx->opt.provider_set = true;
	return 0;
}

static bool is_word(const char *const *words, const char *arg)
{
	for (; *words; words++)
		if (!strcmp(*words, arg))
			return true;
	return false;
}

/* Stores one option's value in ctx->opt as its definition says; returns 0 or EXIT_USAGE. */
static int apply_option(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	char *field = (char *)&ctx->opt + d->off;
	const char *why = NULL;
	long v;

	switch (d->kind) {
	case OPTK_FLAG:
		*(bool *)field = true;
		return 0;
	case OPTK_COUNT:
		(*(int *)field)++;
		return 0;
	case OPTK_INT:
		if (parse_long(arg, (long)d->min, (long)d->max, &v, &why))
			return bad_value(ctx, d, arg, why);
		*(int *)field = (int)v;
		return 0;
	case OPTK_LONG:
		if (parse_long(arg, (long)d->min, (long)d->max, (long *)field, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPTK_SECONDS:
		if (parse_seconds(arg, d->min, d->max, (double *)field, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPTK_PORT:
		if (parse_port(arg, (int *)field, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPTK_NONEMPTY:
		if (!*arg)
			return bad_value(ctx, d, arg, d->why);
		*(const char **)field = arg;
		return 0;
	case OPTK_WORD:
		if (!is_word(d->words, arg))
			return bad_value(ctx, d, arg, d->why);
		*(const char **)field = arg;
		return 0;
	case OPTK_SIZES:
		if (parse_size_list(arg, (size_t *)field, d->max_n,
				    (size_t *)((char *)&ctx->opt + d->off_n), &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPTK_NAMES: {
		size_t *n = (size_t *)((char *)&ctx->opt + d->off_n);

		/* The last one given wins, as for every other option. */
		free_names((char **)field, n);
		if (parse_name_list(arg, (char **)field, d->max_n, n, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	}
	case OPTK_CUSTOM:
		return d->parse(ctx, d, arg);
	case OPTK_HELP:
	case OPTK_VERSION:
		break;
	}
	return cli_usage_error(ctx, "internal error: unhandled option --%s", d->name);
}

/*
 * The option getopt_long refused, as the user wrote it: a long one is the argument getopt was
 * reading, without any "=value" (optopt is no help there: it holds the option's id, which may
 * not even be a character); a short one is optopt.
 */
static const char *typed_option(const char *arg, int optopt_char, char *buf, size_t len)
{
	if (arg && arg[0] == '-' && arg[1] == '-')
		snprintf(buf, len, "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(buf, len, "-%c", optopt_char);
	return buf;
}

static struct cli_result stop(int code)
{
	struct cli_result r = { .stop = 1 + code };

	return r;
}

/* The first operand is the command word, the second HOST where the command takes one. */
static int take_operand(struct ctx *ctx, const char *arg, int *operands)
{
	const struct cmd_entry *cmd = ctx->cmd;

	if ((*operands)++ == 0)
		return 0;
	if (*operands == 2 && cmd && (cmd->flags & CMD_HOST_OPTIONAL)) {
		ctx->host = arg;
		return 0;
	}
	return cli_usage_error(ctx, "unexpected argument '%s'", arg);
}

/*
 * -h or -V: text on stdout, or with --json the one document, the usage in its "usage" string
 * (as 'efadiag help' has it) and the version in its "summary".
 */
static void answer_help_or_version(struct ctx *ctx, const struct cmd_entry *const *commands,
				   bool help)
{
	const struct cmd_entry *cmd = ctx->cmd;
	bool json = out_is_json(ctx->out);
	char *text = NULL;
	size_t len = 0;
	FILE *f = json ? open_memstream(&text, &len) : stdout;

	if (!f) {
		out_error(ctx->out, "out of memory");
		return;
	}
	if (!help)
		fprintf(f, "efadiag %s\n", efadiag_version());
	else if (cmd && !(cmd->flags & CMD_USAGE_GENERAL))
		cli_command_usage(f, cmd);
	else
		cli_usage(f, commands);
	if (f == stdout)
		return;
	fclose(f);
	if (help) {
		cJSON_AddStringToObject(out_root(ctx->out), "usage", text ? text : "");
		out_verdict(ctx->out, "%.*s", text ? (int)strcspn(text, "\n") : 0, text ? text : "");
	} else {
		out_verdict(ctx->out, "efadiag %s", efadiag_version());
	}
	free(text);
}

/* getopt_long's value for active->defs[i] given by its long name. */
#define LONG_ID(i) (256 + (int)(i))

struct cli_result cli_parse(struct ctx *ctx, const struct cmd_entry *const *commands, int argc,
			    char **argv)
{
	struct opt_set all, active;
	struct option longopts[sizeof(active.defs) / sizeof(active.defs[0]) + 1];
	char shortopts[3 * sizeof(active.defs) / sizeof(active.defs[0]) + 4];
	struct cli_result res = { 0 };
	const struct cmd_entry *cmd = NULL;
	bool json = false, pretty = false, want_help = false, want_version = false;
	size_t nl = 0, ns = 0, i;
	int ci, c, bad = 0, operands = 0;

	cli_defaults(&ctx->opt);
	ctx->commands = commands;
	set_build(&all, commands, NULL);
	ci = prescan(&all, argc, argv, &json, &pretty, &bad);
	if (ci > 0)
		cmd = cli_find_command(commands, argv[ci]);
	ctx->cmd = cmd;
	ctx->out = out_new(cmd ? cmd->name : "", json, false);
	out_set_pretty(ctx->out, pretty);
	/* Before the command: in "--prov tcp info" the prescan took "tcp" for the command. */
	if (bad) {
		char typed[128];
		const char *near;

		typed_option(argv[bad], 0, typed, sizeof(typed));
		near = typed[0] == '-' && typed[1] == '-' ? nearest_option(&all, typed + 2) : NULL;
		if (near)
			cli_usage_error(ctx, "unknown option '%s': did you mean '--%s'?", typed, near);
		else
			cli_usage_error(ctx, "unknown option '%s'", typed);
		return stop(EXIT_USAGE);
	}
	if (ci > 0 && !cmd) {
		char names[256] = "";
		size_t used = 0;

		/* The list comes from the table, so it names exactly what this binary has. */
		for (i = 0; commands[i] && used < sizeof(names); i++)
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 i ? ", " : "", commands[i]->name);
		{
			const char *cmds[64], *near;
			size_t n = 0;

			for (i = 0; commands[i] && n < 64; i++)
				cmds[n++] = commands[i]->name;
			near = nearest_name(argv[ci], cmds, n);
			if (near)
				cli_usage_error(ctx, "unknown command '%s': did you mean '%s'? (commands: "
						"%s)", argv[ci], near, names);
			else
				cli_usage_error(ctx, "unknown command '%s' (commands: %s)", argv[ci],
						names);
		}
		return stop(EXIT_USAGE);
	}

	/* Without a command every option is accepted: the error is then "no command given". */
	set_build(&active, commands, cmd);
	/* '-' returns operands in order; ':' reports a missing value as ':'. */
	shortopts[ns++] = '-';
	shortopts[ns++] = ':';
	for (i = 0; i < active.n; i++) {
		const struct opt_def *d = active.defs[i];
		int has_arg = takes_value(d) ? required_argument : no_argument;

		longopts[nl++] = (struct option){ d->name, has_arg, NULL, LONG_ID(i) };
		if (d->letter) {
			shortopts[ns++] = d->letter;
			if (has_arg == required_argument)
				shortopts[ns++] = ':';
		}
	}
	longopts[nl] = (struct option){ 0 };
	shortopts[ns] = '\0';

	opterr = 0;
	/* 0, not 1: glibc then also forgets a half-read "-abc" left from an earlier call. */
	optind = 0;
	for (;;) {
		/* The argument getopt_long reads now, to name a refused long option as typed. */
		const char *arg = argv[optind ? optind : 1];
		char typed[128];
		const struct opt_def *d;

		c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c == -1)
			break;
		if (c == 1) {
			if (take_operand(ctx, optarg, &operands))
				return stop(EXIT_USAGE);
			continue;
		}
		if (c == '?') {
			bool is_long;

			typed_option(arg, optopt, typed, sizeof(typed));
			is_long = typed[1] == '-';
			/* An option of this command refused: it was given a value ("--json=1"). */
			if (is_long ? set_find_long(&active, typed + 2, strlen(typed + 2))
				    : set_find_letter(&active, optopt))
				cli_usage_error(ctx, "option '%s' does not take a value", typed);
			/* Say so when the option exists but belongs to another command. */
			else if (is_long ? set_find_long(&all, typed + 2, strlen(typed + 2))
					 : set_find_letter(&all, optopt))
				cli_usage_error(ctx, "option '%s' does not apply to '%s'", typed,
						cmd->name);
			else if (is_long && nearest_option(&all, typed + 2))
				cli_usage_error(ctx, "unknown option '%s': did you mean '--%s'?", typed,
						nearest_option(&all, typed + 2));
			else
				cli_usage_error(ctx, "unknown option '%s'", typed);
			return stop(EXIT_USAGE);
		}
		if (c == ':') {
			typed_option(arg, optopt, typed, sizeof(typed));
			cli_usage_error(ctx, "option '%s' needs a value", typed);
			return stop(EXIT_USAGE);
		}
		d = c >= LONG_ID(0) ? active.defs[c - LONG_ID(0)] : set_find_letter(&active, c);
		if (d->kind == OPTK_HELP) {
			want_help = true;
			continue;
		}
		if (d->kind == OPTK_VERSION) {
			want_version = true;
			continue;
		}
		if (cli_unused_global(cmd, d)) {
			cli_usage_error(ctx, "option '-%c/--%s' does nothing for '%s': leave it out",
					d->letter, d->name, cmd->name);
			return stop(EXIT_USAGE);
		}
		if (apply_option(ctx, d, optarg))
			return stop(EXIT_USAGE);
	}
	/* Operands after "--" are left for us by getopt. */
	for (; optind < argc; optind++)
		if (take_operand(ctx, argv[optind], &operands))
			return stop(EXIT_USAGE);
	if (want_help || want_version) {
		answer_help_or_version(ctx, commands, want_help);
		return stop(EXIT_OK);
	}
	if (!cmd) {
		cli_usage_error(ctx, "no command given");
		return stop(EXIT_USAGE);
	}
	if (ctx->opt.quiet) {
		out_free(ctx->out);
		ctx->out = out_new(cmd->name, json, true);
		out_set_pretty(ctx->out, pretty);
	}
	/* --pretty is a way of asking for the document: it implies --json. */
	if (ctx->opt.pretty)
		ctx->opt.json = true;
	if (cmd->validate && cmd->validate(ctx))
		return stop(EXIT_USAGE);
	return res;
}

#define USAGE_WIDTH 100

/* The start of the word that ends at end (a space or the end of the text), not before p. */
static const char *word_before(const char *p, const char *end)
{
	while (end > p && end[-1] != ' ')
		end--;
	return end;
}

/*
 * Prints text in lines of at most USAGE_WIDTH columns, the first from column col, the others
 * from column indent. An option stays with its value ("-I 1000"), and a line never starts with
 * '-': the completion reads lines that do as options, so such a word goes down with the word
 * before it.
 */
static void wrapped(FILE *f, const char *text, size_t col, size_t indent)
{
	const char *p = text;

	while (*p) {
		const char *end = p, *cut = NULL, *next, *word = p;

		/* The longest run of whole words that fits from col; "-I 1000" stays whole. */
		while (*end && col + (size_t)(end - p) <= USAGE_WIDTH) {
			if (*end == ' ' && *word != '-')
				cut = end;
			if (*end == ' ')
				word = end + 1;
			end++;
		}
		if (!*end) {
			cut = end;
		} else if (!cut) {
			cut = strchr(p, ' ');
			if (!cut)
				cut = p + strlen(p);
		}
		next = *cut ? cut + 1 : cut;
		/*
		 * The next line would start with '-', or this one end with an option without its
		 * value: break a word earlier, while there is one.
		 */
		while (*cut && (*next == '-' || *word_before(p, cut) == '-')) {
			const char *q = word_before(p, cut);

			if (q <= p + 1)
				break;
			cut = q - 1;
			next = q;
		}
		fprintf(f, "%.*s\n", (int)(cut - p), p);
		p = next;
		if (*p)
			fprintf(f, "%*s", (int)indent, "");
		col = indent;
	}
}

/* "  -p, --provider NAME          help" or "      --exec CMD               help". */
static void usage_line(FILE *f, const struct opt_def *d, const char *help)
{
	char lhs[64];

	if (d->letter)
		snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", d->letter, d->name, d->arg ? " " : "",
			 d->arg ? d->arg : "");
	else
		snprintf(lhs, sizeof(lhs), "    --%s%s%s", d->name, d->arg ? " " : "",
			 d->arg ? d->arg : "");
	fprintf(f, "  %-28s ", lhs);
	wrapped(f, help ? help : d->help, 31, 31);
}


void cli_usage(FILE *f, const struct cmd_entry *const *commands)
{
	const struct opt_def *d;
	size_t i;

	fprintf(f, "Usage: efadiag [GLOBAL OPTIONS] COMMAND [OPTIONS] [HOST]\n\n"
		   "Checks that the AWS Elastic Fabric Adapter (or any libfabric RDM provider)\n"
		   "works on this node and between nodes.\n\nCommands:\n");
	for (i = 0; commands[i]; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nGlobal options (before or after COMMAND):\n");
	for (d = cli_global_options; d->name; d++)
		usage_line(f, d, NULL);
	fprintf(f, "\nExit status: 0 passed, 1 a check failed, 2 usage error, 3 could not run.\n"
		   "'efadiag help COMMAND' shows a command's options; 'man efadiag' has the rest.\n");
}

void cli_command_usage(FILE *f, const struct cmd_entry *cmd)
{
	const struct cmd_entry *const one[] = { cmd, NULL };
	struct opt_set set;
	size_t i, listed = 0;

	fprintf(f, "Usage: efadiag %s [OPTIONS]%s%s\n\n%s\n", cmd->name,
		cmd->usage ? " " : "", cmd->usage ? cmd->usage : "", cmd->summary);
	/* The command's own options first, then the global ones that mean something to it. */
	set_build(&set, one, cmd);
	for (i = 0; i < set.n; i++) {
		if (cli_is_global(set.defs[i]))
			continue;
		if (!listed++)
			fprintf(f, "\nOptions:\n");
		usage_line(f, set.defs[i], NULL);
	}
	fprintf(f, "\nGlobal options:\n");
	for (i = 0; i < set.n; i++) {
		const struct opt_def *d = set.defs[i];

		if (!cli_is_global(d) || cli_unused_global(cmd, d))
			continue;
		/* -t bounds something different in every command: say what, here. */
		usage_line(f, d, d->letter == 't' ? cmd->timeout_help : NULL);
	}
	if (cmd->usage_notes) {
		fputc('\n', f);
		wrapped(f, cmd->usage_notes, 0, 0);
	}
	if (!(cmd->flags & CMD_USAGE_GENERAL))
		fprintf(f, "\nExit status: 0 passed, 1 a check failed, 2 usage error, 3 could not "
			   "run.\n");
}
