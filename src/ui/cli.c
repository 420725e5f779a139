// SPDX-License-Identifier: MIT
/* The command line: one table of options, parsed with getopt_long, global ones anywhere. */
#include "ui/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ui/out.h"
#include "ui/parse.h"

enum opt_id {
	OPT_PROVIDER = 'p',
	OPT_DOMAIN = 'd',
	OPT_JSON = 'j',
	OPT_TIMEOUT = 't',
	OPT_PORT = 'P',
	OPT_VERBOSE = 'v',
	OPT_QUIET = 'q',
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_SIZES = 'S',
	OPT_ITERATIONS = 'I',
	OPT_WARMUP = 'w',
	OPT_EXPECT_DOMAINS = 256,
	OPT_VERIFY,
	OPT_EXEC,
	OPT_LOOPBACK,
	OPT_PERSIST,
	OPT_STDIO,
	OPT_WINDOW = 'W',
	OPT_OP = 300,
	OPT_REVERSE,
	OPT_BIDIR,
	OPT_DURATION,
	OPT_ALL_DOMAINS,
	OPT_TOKEN,
};

#define CMDBIT_TESTS (CMDBIT_PINGPONG | CMDBIT_BW | CMDBIT_SGCHECK)
/* sg-check sends fixed probes: sizes and counts are for the measuring commands only. */
#define CMDBIT_MEASURE (CMDBIT_PINGPONG | CMDBIT_BW)

struct opt_def {
	const char *name;
	int id;
	int has_arg;
	unsigned int cmds; /* CMDBIT_* of the commands that take it */
	const char *arg;   /* the value's name in usage text */
	const char *help;
};

/* Every option of every command. Global options carry CMDBIT_ALL. */
static const struct opt_def opt_defs[] = {
	{ "provider", OPT_PROVIDER, required_argument, CMDBIT_ALL, "NAME",
	  "libfabric provider (default " EFADIAG_DEFAULT_PROVIDER ")" },
	{ "domain", OPT_DOMAIN, required_argument, CMDBIT_ALL, "NAME[,NAME...]",
	  "restrict to these domains" },
	{ "json", OPT_JSON, no_argument, CMDBIT_ALL, NULL,
	  "one JSON document on stdout" },
	{ "timeout", OPT_TIMEOUT, required_argument, CMDBIT_ALL, "SEC",
	  "upper bound for every wait (default 5; sg-check: its total budget)" },
	{ "port", OPT_PORT, required_argument, CMDBIT_ALL, "N",
	  "TCP control port (default 47595; 0: any free port, servers only)" },
	{ "verbose", OPT_VERBOSE, no_argument, CMDBIT_ALL, NULL, "say more on stderr" },
	{ "quiet", OPT_QUIET, no_argument, CMDBIT_ALL, NULL, "no progress or notes on stderr" },
	{ "help", OPT_HELP, no_argument, CMDBIT_ALL, NULL, "show usage and exit" },
	{ "version", OPT_VERSION, no_argument, CMDBIT_ALL, NULL, "show the version and exit" },
	{ "expect-domains", OPT_EXPECT_DOMAINS, required_argument, CMDBIT_INFO, "N",
	  "number of EFA devices/domains this node must have" },
	{ "sizes", OPT_SIZES, required_argument, CMDBIT_MEASURE, "LIST",
	  "message sizes: 64,4k,1M | 64:1M (powers of two) | all" },
	{ "iterations", OPT_ITERATIONS, required_argument, CMDBIT_MEASURE, "N",
	  "measured iterations per size" },
	{ "warmup", OPT_WARMUP, required_argument, CMDBIT_MEASURE, "N",
	  "unmeasured iterations per size first" },
	{ "verify", OPT_VERIFY, no_argument, CMDBIT_MEASURE, NULL, "check every payload" },
	{ "exec", OPT_EXEC, required_argument, CMDBIT_TESTS, "CMD",
	  "start the peer as 'CMD efadiag serve --stdio'" },
	{ "loopback", OPT_LOOPBACK, no_argument, CMDBIT_TESTS, NULL,
	  "both ends in this process, no peer needed" },
	{ "window", OPT_WINDOW, required_argument, CMDBIT_BW, "N",
	  "operations in flight per domain (default 64, at most 1024)" },
	{ "op", OPT_OP, required_argument, CMDBIT_BW, "OP",
	  "send (default), write or read (RMA)" },
	{ "reverse", OPT_REVERSE, no_argument, CMDBIT_BW, NULL, "data from server to client" },
	{ "bidir", OPT_BIDIR, no_argument, CMDBIT_BW, NULL, "data both ways at once" },
	{ "duration", OPT_DURATION, required_argument, CMDBIT_BW, "SEC",
	  "run each size for about SEC seconds instead of -I iterations" },
	{ "all-domains", OPT_ALL_DOMAINS, no_argument, CMDBIT_BW, NULL,
	  "one endpoint and thread per domain of the provider, all at once" },
	{ "token", OPT_TOKEN, required_argument, CMDBIT_TESTS | CMDBIT_SERVE, "SECRET",
	  "shared secret the server requires (default: $EFADIAG_TOKEN)" },
	{ "persist", OPT_PERSIST, no_argument, CMDBIT_SERVE, NULL,
	  "keep serving clients one after another" },
	{ "stdio", OPT_STDIO, no_argument, CMDBIT_SERVE, NULL,
	  "speak the control protocol on stdin/stdout" },
};

#define NOPTS (sizeof(opt_defs) / sizeof(opt_defs[0]))

static const struct opt_def *find_long(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (strlen(opt_defs[i].name) == len && !strncmp(opt_defs[i].name, name, len))
			return &opt_defs[i];
	return NULL;
}

static const struct opt_def *find_id(int id)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (opt_defs[i].id == id)
			return &opt_defs[i];
	return NULL;
}

const struct cmd_entry *cli_find_command(const char *name)
{
	size_t i;

	/* Exact names only: a prefix that happens to match today may mean another command later. */
	for (i = 0; cli_commands[i]; i++)
		if (!strcmp(cli_commands[i]->name, name))
			return cli_commands[i];
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
	opt->token = getenv("EFADIAG_TOKEN");
	if (opt->token && !*opt->token)
		opt->token = NULL;
}

void cli_free(struct opts *opt)
{
	size_t i;

	for (i = 0; i < opt->ndomains; i++) {
		free(opt->domains[i]);
		opt->domains[i] = NULL;
	}
	opt->ndomains = 0;
}

/*
 * Finds the command word before parsing for real, because which options are valid depends on
 * it. Skips the values of options that take one, so "-p tcp info" finds "info", not "tcp".
 * Sets *bad to the first "--name" that is not exactly an option's name: getopt_long would
 * take it as an abbreviation, which this scan (and a later new option) would read differently.
 */
static int prescan(int argc, char **argv, bool *json, int *bad)
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

			d = find_long(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
			if (!d && !*bad)
				*bad = i;
			if (d && d->id == OPT_JSON)
				*json = true;
			if (d && d->has_arg == required_argument && !eq)
				i++;
			continue;
		}
		for (a++; *a; a++) {
			d = find_id((unsigned char)*a);
			if (d && d->id == OPT_JSON)
				*json = true;
			if (d && d->has_arg == required_argument) {
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
	if (d->id < 256)
		return cli_usage_error(ctx, "invalid value '%s' for -%c/--%s: %s", arg, d->id,
				       d->name, why);
	return cli_usage_error(ctx, "invalid value '%s' for --%s: %s", arg, d->name, why);
}

/* Stores one option's value in ctx->opt; returns 0 or EXIT_USAGE. */
static int apply_option(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	struct opts *opt = &ctx->opt;
	const char *why = NULL;
	long v;

	switch (d->id) {
	case OPT_PROVIDER:
		if (!*arg)
			return bad_value(ctx, d, arg, "empty provider name");
		opt->provider = arg;
		opt->provider_set = true;
		return 0;
	case OPT_DOMAIN:
		cli_free(opt);
		if (parse_name_list(arg, opt->domains, 32, &opt->ndomains, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPT_JSON:
		opt->json = true;
		return 0;
	case OPT_TIMEOUT:
		if (parse_seconds(arg, 0.001, 86400, &opt->timeout_sec, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPT_PORT:
		if (parse_port(arg, &opt->port, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPT_VERBOSE:
		opt->verbose++;
		return 0;
	case OPT_QUIET:
		opt->quiet = true;
		return 0;
	case OPT_EXPECT_DOMAINS:
		if (parse_long(arg, 0, 1024, &v, &why))
			return bad_value(ctx, d, arg, why);
		opt->expect_domains = (int)v;
		return 0;
	case OPT_SIZES:
		if (parse_size_list(arg, opt->sizes, EFADIAG_MAX_SIZES, &opt->nsizes, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPT_ITERATIONS:
		if (parse_long(arg, 1, 100000000, &opt->iterations, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPT_WARMUP:
		if (parse_long(arg, 0, 1000000, &opt->warmup, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPT_VERIFY:
		opt->verify = true;
		return 0;
	case OPT_EXEC:
		if (!*arg)
			return bad_value(ctx, d, arg, "empty command");
		opt->exec_cmd = arg;
		return 0;
	case OPT_LOOPBACK:
		opt->loopback = true;
		return 0;
	case OPT_PERSIST:
		opt->persist = true;
		return 0;
	case OPT_WINDOW:
		if (parse_long(arg, 1, 1024, &opt->window, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPT_OP:
		if (strcmp(arg, "send") && strcmp(arg, "write") && strcmp(arg, "read"))
			return bad_value(ctx, d, arg, "not an operation (send, write or read)");
		opt->op = arg;
		return 0;
	case OPT_REVERSE:
		opt->reverse = true;
		return 0;
	case OPT_BIDIR:
		opt->bidir = true;
		return 0;
	case OPT_DURATION:
		if (parse_seconds(arg, 0.01, 3600, &opt->duration_sec, &why))
			return bad_value(ctx, d, arg, why);
		return 0;
	case OPT_ALL_DOMAINS:
		opt->all_domains = true;
		return 0;
	case OPT_TOKEN:
		/* The value is not echoed in the error: it is a secret. */
		if (!*arg || strlen(arg) > 256)
			return cli_usage_error(ctx, "invalid value for --token: must be 1 to 256 "
					       "characters");
		opt->token = arg;
		return 0;
	case OPT_STDIO:
		opt->stdio = true;
		return 0;
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

struct cli_result cli_parse(struct ctx *ctx, int argc, char **argv)
{
	struct option longopts[NOPTS + 1];
	char shortopts[3 * NOPTS + 4];
	struct cli_result res = { 0 };
	const struct cmd_entry *cmd = NULL;
	bool json = false, want_help = false, want_version = false;
	size_t nl = 0, ns = 0, i;
	int ci, c, bad = 0, operands = 0;

	cli_defaults(&ctx->opt);
	ci = prescan(argc, argv, &json, &bad);
	res.json_seen = json;
	if (ci > 0) {
		res.command_word = argv[ci];
		cmd = cli_find_command(argv[ci]);
	}
	ctx->cmd = cmd;
	ctx->out = out_new(cmd ? cmd->name : "", json, false);
	/* Before the command: in "--prov tcp info" the prescan took "tcp" for the command. */
	if (bad) {
		char typed[128];

		cli_usage_error(ctx, "unknown option '%s'",
				typed_option(argv[bad], 0, typed, sizeof(typed)));
		return stop(EXIT_USAGE);
	}
	if (ci > 0 && !cmd) {
		char names[256] = "";
		size_t used = 0;

		/* The list comes from the table, so it names exactly what this binary has. */
		for (i = 0; cli_commands[i] && used < sizeof(names); i++)
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 i ? ", " : "", cli_commands[i]->name);
		cli_usage_error(ctx, "unknown command '%s' (commands: %s)", argv[ci], names);
		return stop(EXIT_USAGE);
	}

	/* '-' returns operands in order; ':' reports a missing value as ':'. */
	shortopts[ns++] = '-';
	shortopts[ns++] = ':';
	for (i = 0; i < NOPTS; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (!(d->cmds & (cmd ? cmd->bit : CMDBIT_ALL)))
			continue;
		longopts[nl++] = (struct option){ d->name, d->has_arg, NULL, d->id };
		if (d->id < 256) {
			shortopts[ns++] = (char)d->id;
			if (d->has_arg == required_argument)
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
			typed_option(arg, optopt, typed, sizeof(typed));
			if (typed[1] == '-')
				d = find_long(typed + 2, strlen(typed + 2));
			else
				d = find_id(optopt);
			/* An option of this command refused: it was given a value ("--json=1"). */
			if (d && (d->cmds & (cmd ? cmd->bit : CMDBIT_ALL)))
				cli_usage_error(ctx, "option '%s' does not take a value", typed);
			/* Say so when the option exists but belongs to another command. */
			else if (d && cmd)
				cli_usage_error(ctx, "option '%s' does not apply to '%s'", typed,
						cmd->name);
			else
				cli_usage_error(ctx, "unknown option '%s'", typed);
			return stop(EXIT_USAGE);
		}
		if (c == ':') {
			typed_option(arg, optopt, typed, sizeof(typed));
			cli_usage_error(ctx, "option '%s' needs a value", typed);
			return stop(EXIT_USAGE);
		}
		d = find_id(c);
		if (c == OPT_HELP) {
			want_help = true;
			continue;
		}
		if (c == OPT_VERSION) {
			want_version = true;
			continue;
		}
		if (apply_option(ctx, d, optarg))
			return stop(EXIT_USAGE);
	}
	/* Operands after "--" are left for us by getopt. */
	for (; optind < argc; optind++)
		if (take_operand(ctx, argv[optind], &operands))
			return stop(EXIT_USAGE);
	if (want_help) {
		if (cmd && cmd != &cmd_help)
			cli_command_usage(stdout, cmd);
		else
			cli_usage(stdout);
		return stop(EXIT_OK);
	}
	if (want_version) {
		printf("efadiag %s\n", efadiag_version());
		return stop(EXIT_OK);
	}
	if (!cmd) {
		cli_usage_error(ctx, "no command given");
		return stop(EXIT_USAGE);
	}
	if (ctx->opt.quiet) {
		out_free(ctx->out);
		ctx->out = out_new(cmd->name, json, true);
	}
	if (cmd->validate && cmd->validate(ctx))
		return stop(EXIT_USAGE);
	return res;
}

void cli_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: efadiag [GLOBAL OPTIONS] COMMAND [OPTIONS] [HOST]\n\n"
		   "Checks that the AWS Elastic Fabric Adapter (or any libfabric RDM provider)\n"
		   "works on this node and between nodes.\n\nCommands:\n");
	for (i = 0; cli_commands[i]; i++)
		fprintf(f, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fprintf(f, "\nGlobal options (before or after COMMAND):\n");
	for (i = 0; i < NOPTS; i++) {
		const struct opt_def *d = &opt_defs[i];
		char lhs[64];

		if (d->cmds != CMDBIT_ALL)
			continue;
		snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", d->id, d->name, d->arg ? " " : "",
			 d->arg ? d->arg : "");
		fprintf(f, "  %-28s %s\n", lhs, d->help);
	}
	fprintf(f, "\nExit status: 0 passed, 1 a check failed, 2 usage error, 3 could not run.\n"
		   "'efadiag help COMMAND' shows a command's options; 'man efadiag' has the rest.\n");
}

void cli_command_usage(FILE *f, const struct cmd_entry *cmd)
{
	size_t i;

	fprintf(f, "Usage: efadiag %s [OPTIONS]%s%s\n\n%s\n\nOptions:\n", cmd->name,
		cmd->usage ? " " : "", cmd->usage ? cmd->usage : "", cmd->summary);
	for (i = 0; i < NOPTS; i++) {
		const struct opt_def *d = &opt_defs[i];
		char lhs[64];

		if (!(d->cmds & cmd->bit))
			continue;
		if (d->id < 256)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", d->id, d->name,
				 d->arg ? " " : "", d->arg ? d->arg : "");
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", d->name, d->arg ? " " : "",
				 d->arg ? d->arg : "");
		fprintf(f, "  %-28s %s\n", lhs, d->help);
	}
}
