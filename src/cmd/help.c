// SPDX-License-Identifier: MIT
/* efadiag help [COMMAND]: the usage of efadiag or of one command. */
#include <stdio.h>
#include <stdlib.h>

#include "ui/cli.h"
#include "ui/out.h"

static int help_run(struct ctx *ctx)
{
	const struct cmd_entry *cmd = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (ctx->host) {
		cmd = cli_find_command(ctx->commands, ctx->host);
		if (!cmd)
			return cli_usage_error(ctx, "unknown command '%s'", ctx->host);
	}
	/* With --json the usage goes into the one document, as its "usage" string. */
	f = out_is_json(ctx->out) ? open_memstream(&text, &len) : stdout;
	if (!f) {
		out_error(ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	if (cmd)
		cli_command_usage(f, cmd);
	else
		cli_usage(f, ctx->commands);
	if (f != stdout) {
		fclose(f);
		cJSON_AddStringToObject(out_root(ctx->out), "usage", text);
		free(text);
	}
	return EXIT_OK;
}

const struct cmd_entry cmd_help = {
	.name = "help",
	.summary = "show the usage of efadiag or of one command",
	.usage = "[COMMAND]",
	.flags = CMD_HOST_OPTIONAL | CMD_USAGE_GENERAL,
	.run = help_run,
};
