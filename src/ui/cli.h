/* SPDX-License-Identifier: MIT */
/* The command line: option definitions, argv parsing into a struct ctx, and usage text. */
#ifndef EFADIAG_CLI_H
#define EFADIAG_CLI_H

#include <stdio.h>

#include "efadiag.h"

/* How an option's value is read, and what it is stored as in struct opts. */
enum opt_kind {
	OPTK_FLAG,     /* no value; sets a bool */
	OPTK_COUNT,    /* no value; adds one to an int each time (-vv) */
	OPTK_INT,      /* a whole number in [min, max], into an int */
	OPTK_LONG,     /* a whole number in [min, max], into a long */
	OPTK_SECONDS,  /* seconds, decimals allowed, in [min, max], into a double */
	OPTK_PORT,     /* a TCP port, into an int */
	OPTK_NONEMPTY, /* any text but "", into a const char * (refused with .why) */
	OPTK_WORD,     /* one of .words, into a const char * (refused with .why) */
	OPTK_SIZES,    /* a size list (64,4k | 64:1M | all), into size_t[] and its count */
	OPTK_NAMES,    /* NAME[,NAME...], malloc'd copies into char *[] and its count */
	OPTK_HELP,     /* no value; print the usage and stop */
	OPTK_VERSION,  /* no value; print the version and stop */
	OPTK_CUSTOM,   /* .parse reads and stores it, and reports its own errors */
};

/*
 * One option: its names, its usage line, and how its value reaches struct opts. Tables of
 * these end with OPT_END. Write the kind and the place together with the OPT_* macros below,
 * which check at compile time that the field has the type the kind stores.
 */
struct opt_def {
	const char *name;	  /* long name, without "--" */
	char letter;		  /* short option letter, 0 for none */
	const char *arg;	  /* the value's name in usage text; NULL: takes no value */
	const char *help;	  /* one line of usage text */
	enum opt_kind kind;
	size_t off;		  /* where the value goes: offsetof(struct opts, ...) */
	size_t off_n;		  /* OPTK_SIZES, OPTK_NAMES: where the count goes */
	size_t max_n;		  /* OPTK_SIZES, OPTK_NAMES: how many fit */
	double min, max;	  /* OPTK_INT, OPTK_LONG, OPTK_SECONDS: the range accepted */
	const char *const *words; /* OPTK_WORD: the words accepted, NULL-terminated */
	const char *why;	  /* OPTK_NONEMPTY, OPTK_WORD: why a value was refused */
	/* OPTK_CUSTOM: stores arg in ctx->opt; returns 0, or reports and returns EXIT_USAGE. */
	int (*parse)(struct ctx *ctx, const struct opt_def *d, const char *arg);
};

/* offsetof(struct opts, f), refused by the compiler unless f has type t. */
#define OPTS_FIELD(t, f) \
	(offsetof(struct opts, f) + 0 * sizeof((t *)NULL == &((struct opts *)NULL)->f))
#define OPTS_COUNT(f) (sizeof(((struct opts *)NULL)->f) / sizeof(((struct opts *)NULL)->f[0]))

#define OPT_FLAG(f) .kind = OPTK_FLAG, .off = OPTS_FIELD(bool, f)
#define OPT_COUNT(f) .kind = OPTK_COUNT, .off = OPTS_FIELD(int, f)
#define OPT_INT(f, lo, hi) .kind = OPTK_INT, .off = OPTS_FIELD(int, f), .min = (lo), .max = (hi)
#define OPT_LONG(f, lo, hi) .kind = OPTK_LONG, .off = OPTS_FIELD(long, f), .min = (lo), .max = (hi)
#define OPT_SECONDS(f, lo, hi) \
	.kind = OPTK_SECONDS, .off = OPTS_FIELD(double, f), .min = (lo), .max = (hi)
#define OPT_PORT(f) .kind = OPTK_PORT, .off = OPTS_FIELD(int, f)
#define OPT_NONEMPTY(f, refusal) \
	.kind = OPTK_NONEMPTY, .off = OPTS_FIELD(const char *, f), .why = (refusal)
#define OPT_WORD(f, list, refusal) \
	.kind = OPTK_WORD, .off = OPTS_FIELD(const char *, f), .words = (list), .why = (refusal)
#define OPT_SIZES(f, n) \
	.kind = OPTK_SIZES, .off = OPTS_FIELD(size_t, f[0]), .off_n = OPTS_FIELD(size_t, n), \
	.max_n = OPTS_COUNT(f)
#define OPT_NAMES(f, n) \
	.kind = OPTK_NAMES, .off = OPTS_FIELD(char *, f[0]), .off_n = OPTS_FIELD(size_t, n), \
	.max_n = OPTS_COUNT(f)
#define OPT_CUSTOM(fn) .kind = OPTK_CUSTOM, .parse = (fn)
#define OPT_END { .name = NULL }

/* The options every command takes, before or after COMMAND: -p -d -j -t -P -v -q -h -V. */
extern const struct opt_def cli_global_options[];

/* What cli_parse decided: run the command, or stop with a code (help, version, usage error). */
struct cli_result {
	int stop; /* 0 to run, else 1 + exit code */
};

/* The command called name in commands (NULL-terminated), or NULL. Exact names only. */
/* Whether d is one of the global options (cli_global_options). */
bool cli_is_global(const struct opt_def *d);
/* Whether cmd refuses the global option d: it does nothing there (cmd_entry.unused_globals). */
bool cli_unused_global(const struct cmd_entry *cmd, const struct opt_def *d);
const struct cmd_entry *cli_find_command(const struct cmd_entry *const *commands,
					 const char *name);
void cli_defaults(struct opts *opt);
void cli_free(struct opts *opt);
/*
 * Parses argv into ctx (the command, its options and HOST), the command being one of
 * commands (NULL-terminated). Usage errors are reported through ctx->out, which cli_parse
 * creates once it knows whether JSON was asked for.
 */
struct cli_result cli_parse(struct ctx *ctx, const struct cmd_entry *const *commands, int argc,
			    char **argv);
/* efadiag's usage: the commands and the global options. */
void cli_usage(FILE *f, const struct cmd_entry *const *commands);
/* One command's usage: the global options, then its own in the order its entry lists them. */
void cli_command_usage(FILE *f, const struct cmd_entry *cmd);
/* Reports a usage error: message on stderr (and in the JSON document), returns EXIT_USAGE. */
int cli_usage_error(struct ctx *ctx, const char *fmt, ...) PRINTF_LIKE(2, 3);

#endif
