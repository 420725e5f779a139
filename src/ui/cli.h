/* SPDX-License-Identifier: MIT */
/* The command line: the option table, argv parsing into a struct ctx, and usage text. */
#ifndef EFADIAG_CLI_H
#define EFADIAG_CLI_H

#include <stdio.h>

#include "efadiag.h"

/* Command bits, for the mask saying which commands take an option. */
enum {
	CMDBIT_INFO = 1 << 0,
	CMDBIT_PINGPONG = 1 << 1,
	CMDBIT_BW = 1 << 2,
	CMDBIT_SGCHECK = 1 << 3,
	CMDBIT_SERVE = 1 << 4,
	CMDBIT_HELP = 1 << 5,
	CMDBIT_ALL = 0xffff,
};

/* What cli_parse decided: run the command, or stop with a code (help, version, usage error). */
struct cli_result {
	int stop; /* 0 to run, else 1 + exit code */
};

/* The command called name in commands (NULL-terminated), or NULL. Exact names only. */
const struct cmd_entry *cli_find_command(const struct cmd_entry *const *commands,
					 const char *name);
void cli_defaults(struct opts *opt);
void cli_free(struct opts *opt);
/*
 * Parses argv into ctx (the command, options and HOST), the command being one of
 * commands (NULL-terminated). Usage errors are reported through ctx->out, which cli_parse
 * creates once it knows whether JSON was asked for.
 */
struct cli_result cli_parse(struct ctx *ctx, const struct cmd_entry *const *commands, int argc,
			    char **argv);
/* efadiag's usage: the commands and the global options. */
void cli_usage(FILE *f, const struct cmd_entry *const *commands);
void cli_command_usage(FILE *f, const struct cmd_entry *cmd);
/* Reports a usage error: message on stderr (and in the JSON document), returns EXIT_USAGE. */
int cli_usage_error(struct ctx *ctx, const char *fmt, ...) PRINTF_LIKE(2, 3);

#endif
