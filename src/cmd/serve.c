// SPDX-License-Identifier: MIT
/* efadiag serve: answers whichever test a client asks for; --persist keeps serving. */
#include "cmd/common-options.h"
#include "ui/cli.h"
#include "ui/out.h"
#include "cmd/test.h"

static int serve_run(struct ctx *ctx)
{
	if (test_refuse_fatal_env(ctx))
		return EXIT_ERROR;
	return test_serve(ctx, NULL);
}

static int serve_validate(struct ctx *ctx)
{
	if (ctx->opt.stdio && ctx->opt.persist)
		return cli_usage_error(ctx, "--stdio serves the one client on stdin/stdout; "
				       "--persist does not apply");
	if (ctx->opt.stdio && ctx->opt.bind_addr)
		return cli_usage_error(ctx, "--stdio serves the one client on stdin/stdout; "
				       "--bind does not apply");
	/* One document a client, one a line: a stream that line tools and jq read as it comes. */
	if (ctx->opt.persist && ctx->opt.pretty)
		return cli_usage_error(ctx, "--pretty: serve --persist writes one document per "
				       "client, one a line; leave --pretty out (or pipe to jq .)");
	return 0;
}

static const struct opt_def serve_options[] = {
	{ .name = "persist", OPT_FLAG(persist), .help = "keep serving clients one after another" },
	{ .name = "stdio", OPT_FLAG(stdio), .help = "speak the control protocol on stdin/stdout" },
	OPT_END,
};

const struct cmd_entry cmd_serve = {
	.name = "serve",
	.summary = "answer any test a client asks for (--persist: one client after another)",
	.usage = NULL,
	.options = (const struct opt_def *const[]){ options_bind, options_token, serve_options, NULL },
	.validate = serve_validate,
	.timeout_help = "how long a client may stay silent, and the waits of the tests it runs "
			"(default 5)",
	.run = serve_run,
};
