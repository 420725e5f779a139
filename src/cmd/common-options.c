// SPDX-License-Identifier: MIT
/* Option groups several commands share, defined once; each command lists those it takes. */
#include "cmd/common-options.h"

#include <netdb.h>
#include <string.h>

#include "fabric/buffer.h"

const struct opt_def options_measure[] = {
	{ .name = "sizes", .letter = 'S', .arg = "LIST", OPT_SIZES(sizes, nsizes),
	  .help = "message sizes: 64,4k,1M | 64:1M (powers of two) | all" },
	{ .name = "iterations", .letter = 'I', .arg = "N", OPT_LONG(iterations, 1, 100000000),
	  .help = "measured iterations per size" },
	{ .name = "warmup", .letter = 'w', .arg = "N", OPT_LONG(warmup, 0, 1000000),
	  .help = "unmeasured iterations per size first" },
	{ .name = "verify", OPT_FLAG(verify), .help = "check every payload" },
	OPT_END,
};

const struct opt_def options_peer[] = {
	{ .name = "exec", .arg = "CMD", OPT_NONEMPTY(exec_cmd, "empty command"),
	  .help = "start the peer as 'CMD efadiag serve --stdio'" },
	{ .name = "loopback", OPT_FLAG(loopback),
	  .help = "both ends on this node, the server half as a child process" },
	OPT_END,
};

static int parse_mem(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	struct fab_mem_spec m;

	(void)d;
	if (fab_mem_parse(arg, &m))
		return cli_usage_error(ctx, "invalid value '%s' for --mem: host, cuda or cuda:N "
				       "(N a GPU's number, 0 to 63)", arg);
	ctx->opt.mem = arg;
	return 0;
}

const struct opt_def options_mem[] = {
	{ .name = "mem", .arg = "MEM", OPT_CUSTOM(parse_mem),
	  .help = "test buffers in host or GPU memory: host, cuda[:N]" },
	OPT_END,
};

static int parse_fabric(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	(void)d;
	/* The hello carries it in 64 bytes; libfabric's fabric names are short ("efa-direct"). */
	if (!*arg || strlen(arg) > 63)
		return cli_usage_error(ctx, "invalid value '%s' for --fabric: a fabric name, 1 to 63 "
				       "characters (efa's: efa, efa-direct; see 'efadiag info')", arg);
	ctx->opt.fabric = arg;
	return 0;
}

const struct opt_def options_fabric[] = {
	{ .name = "fabric", .arg = "NAME", OPT_CUSTOM(parse_fabric),
	  .help = "the provider's fabric to test (efa: efa, the default, or efa-direct)" },
	OPT_END,
};

/* The value is not echoed in the error: it is a secret. */
static int parse_token(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	(void)d;
	if (!*arg || strlen(arg) > 256)
		return cli_usage_error(ctx, "invalid value for --token: must be 1 to 256 "
				       "characters");
	ctx->opt.token = arg;
	return 0;
}

const struct opt_def options_deadline[] = {
	{ .name = "deadline", .arg = "SEC", OPT_SECONDS(deadline_sec, 0.1, 86400),
	  .help = "end the whole run after SEC s, with its one document (status error), exit 3: "
		  "for scripts that cannot wrap timeout(1)" },
	OPT_END,
};

const struct opt_def options_token[] = {
	{ .name = "token", .arg = "SECRET", OPT_CUSTOM(parse_token),
	  .help = "shared secret the server requires (default: $EFADIAG_TOKEN)" },
	OPT_END,
};

/* A numeric address, checked now: a name would need a lookup, and may stand for several. */
static int parse_bind(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM }, *ai = NULL;

	(void)d;
	if (!*arg || getaddrinfo(arg, NULL, &hints, &ai))
		return cli_usage_error(ctx, "invalid value '%s' for --bind: a numeric IPv4 or IPv6 "
				       "address of this node (e.g. 10.0.0.5, ::1)", arg);
	freeaddrinfo(ai);
	ctx->opt.bind_addr = arg;
	return 0;
}

const struct opt_def options_bind[] = {
	{ .name = "bind", .arg = "ADDR", OPT_CUSTOM(parse_bind),
	  .help = "a server listens on this address only (default: every address)" },
	OPT_END,
};
