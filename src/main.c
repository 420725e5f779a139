// SPDX-License-Identifier: MIT
/* efadiag: main, the one place exit codes are decided. The commands are in src/cmd/. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "ctl/oob.h"
#include "ui/cli.h"
#include "ui/out.h"
#include "util.h"

/*
 * SIGINT, SIGTERM, SIGHUP: the --exec child (ssh, kubectl exec) goes first, then we die of the
 * same signal, so the parent shell sees how we ended. No child outlives efadiag.
 */
static void on_fatal_signal(int sig)
{
	oob_kill_child_on_signal();
	out_signal_doc_write(sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* --deadline: what the run says when it ends, made before it starts (async-signal-safe). */
static char deadline_text[160];

/*
 * --deadline passed (SIGALRM from the timer armed in main): the run's document, or a line on
 * stderr, and exit 3 like any run that could not finish, the peer's child ended first.
 */
static void on_deadline(int sig)
{
	oob_kill_child_on_signal();
	out_signal_doc_write(sig);
	if (write(STDERR_FILENO, deadline_text, strlen(deadline_text)) < 0)
		_exit(EXIT_ERROR);
	_exit(EXIT_ERROR);
}

static void arm_deadline(const struct ctx *ctx)
{
	struct itimerval it = { 0 };
	double s = ctx->opt.deadline_sec;

	snprintf(deadline_text, sizeof(deadline_text), "efadiag: %s: the --deadline of %.3g s "
		 "passed before it finished\n", ctx->cmd->name, s);
	signal(SIGALRM, on_deadline);
	it.it_value.tv_sec = (time_t)s;
	it.it_value.tv_usec = (suseconds_t)((s - (double)(time_t)s) * 1e6);
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * --json: the document a stopping signal leaves, made now (see out_signal_doc_set), as the
 * command would complete it (sg-check's verdict). A script that wraps efadiag in timeout(1)
 * still reads one document, status "error", saying which signal ended the run.
 */
static void arm_signal_docs(struct ctx *ctx)
{
	const int *sigs = out_signal_doc_signals();
	int i;

	for (i = 0; i < OUT_SIGNAL_DOCS; i++) {
		struct ctx c = *ctx;

		c.out = out_new(ctx->cmd->name, true, true);
		out_errors_unsaid(c.out);
		if (sigs[i] == SIGALRM)
			out_error(c.out, "the --deadline of %.3g s passed before %s finished; no "
				  "result", ctx->opt.deadline_sec, ctx->cmd->name);
		else
			out_error(c.out, "interrupted by %s before %s finished; no result",
				  signal_abbrev(sigs[i]), ctx->cmd->name);
		if (c.cmd->complete)
			c.cmd->complete(&c, EXIT_ERROR);
		out_signal_doc_set(i, c.out, ctx->out, EXIT_ERROR);
		out_free(c.out);
	}
}

/* Declared here because unit tests compile this file with main renamed. */
int main(int argc, char **argv);

int main(int argc, char **argv)
{
	struct ctx ctx = { 0 };
	struct cli_result res;
	int code;

	/* A crash must look like one: to the shell, and to a persistent server reporting how
	 * its test ended (see fatal_signals_default). */
	fatal_signals_default();
	/* A closed stdout must show up as a write error (exit 3), not kill us silently. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_fatal_signal);
	signal(SIGTERM, on_fatal_signal);
	signal(SIGHUP, on_fatal_signal);
	res = cli_parse(&ctx, cmd_table, argc, argv);
	if (res.stop == 1 + EXIT_OK && !out_is_json(ctx.out)) {
		/* --help and --version without --json print text, not a JSON document. */
		code = EXIT_OK;
		if (fflush(stdout) == EOF || ferror(stdout)) {
			perror("efadiag: writing standard output");
			code = EXIT_ERROR;
		}
	} else {
		/* serve --persist prints a document per client; a signal is how it is stopped. */
		if (!res.stop && out_is_json(ctx.out) && !ctx.opt.persist)
			arm_signal_docs(&ctx);
		if (!res.stop && ctx.opt.deadline_sec > 0)
			arm_deadline(&ctx);
		code = res.stop ? res.stop - 1 : ctx.cmd->run(&ctx);
		if (ctx.cmd && ctx.cmd->complete && ctx.out)
			ctx.cmd->complete(&ctx, code);
		code = out_finish(ctx.out, code);
	}
	out_signal_doc_free();
	out_free(ctx.out);
	cli_free(&ctx.opt);
	return code;
}
