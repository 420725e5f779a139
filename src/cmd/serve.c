// SPDX-License-Identifier: MIT
/* efadiag serve: answers whichever test a client asks for; --persist keeps serving. */
#include "ui/cli.h"
#include "ui/out.h"
#include "cmd/test.h"

static int serve_run(struct ctx *ctx)
{
	return test_serve(ctx, NULL);
}

static int serve_validate(struct ctx *ctx)
{
	if (ctx->opt.stdio && ctx->opt.persist)
		return cli_usage_error(ctx, "--stdio serves the one client on stdin/stdout; "
				       "--persist does not apply");
	return 0;
}

const struct cmd_entry cmd_serve = {
	.name = "serve",
	.summary = "answer any test a client asks for (--persist: one client after another)",
	.usage = NULL,
	.bit = CMDBIT_SERVE,
	.validate = serve_validate,
	.run = serve_run,
};
