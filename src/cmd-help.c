// SPDX-License-Identifier: MIT
/* efadiag help [COMMAND]: the usage of efadiag or of one command. */
#include <stdio.h>

#include "cli.h"
#include "out.h"

static int help_run(struct ctx *ctx)
{
	const struct cmd_entry *cmd;

	if (!ctx->host) {
		cli_usage(stdout);
		return EXIT_OK;
	}
	cmd = cli_find_command(ctx->host);
	if (!cmd)
		return cli_usage_error(ctx, "unknown command '%s'", ctx->host);
	cli_command_usage(stdout, cmd);
	return EXIT_OK;
}

const struct cmd_entry cmd_help = {
	.name = "help",
	.summary = "show the usage of efadiag or of one command",
	.usage = "[COMMAND]",
	.bit = CMDBIT_HELP,
	.flags = CMD_HOST_OPTIONAL,
	.run = help_run,
};
