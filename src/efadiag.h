/* SPDX-License-Identifier: MIT */
/* efadiag: the option values, the run context and the command table entry. */
#ifndef EFADIAG_H
#define EFADIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

#define EFADIAG_DEFAULT_PROVIDER "efa"
/* Not fi_pingpong's 47592, so both can run side by side on one node. */
#define EFADIAG_DEFAULT_PORT 47595
#define EFADIAG_DEFAULT_TIMEOUT_SEC 5.0
#define EFADIAG_MAX_SIZES 64

/* Every option value, global or per command, after parsing and validation. */
struct opts {
	/* global */
	const char *provider;
	bool provider_set; /* -p given: a server then refuses clients of another provider */
	char *domains[32];
	size_t ndomains;
	bool json;
	bool pretty; /* --pretty: the JSON document indented (implies --json) */
	double timeout_sec;
	int port;
	int verbose;
	bool quiet;
	/* info */
	int expect_domains; /* -1: from the instance type table */
	/* tests (pingpong, bw, sg-check, serve) */
	size_t sizes[EFADIAG_MAX_SIZES];
	size_t nsizes;
	long iterations; /* -1: per-command default */
	long warmup;	 /* -1: per-command default */
	bool verify;
	const char *exec_cmd;
	bool loopback;
	bool persist;
	bool stdio;
	const char *token; /* shared secret; never printed */
	const char *mem;   /* --mem: host, cuda, cuda:N (checked); NULL is host */
	const char *fabric; /* --fabric: NULL for the provider's own (efa: "efa") */
	double deadline_sec; /* --deadline: the whole run's bound, 0 for none */
	const char *bind_addr; /* --bind: a server listens on this address only; NULL: all */
	/* bw */
	long window;	     /* -1: default */
	const char *op;	     /* send, write, read */
	bool reverse;
	bool bidir;
	double duration_sec; /* 0: by iterations */
	bool all_domains;
	/* stats */
	double interval_sec; /* 0: one snapshot */
	long count;	     /* 0: until a signal */
	const char *prom;    /* Prometheus textfile, "-" for stdout, NULL for none */
	const char *listen;  /* --listen [ADDR:]PORT (checked), NULL for none */
	/* mesh */
	long mesh_pairs;     /* partners per rank; 0: all (--pairs all) */
	bool mesh_pairs_set; /* --pairs K or all given */
	bool mesh_quick;     /* --quick (--pairs auto) */
	double min_gbps;     /* 0: no absolute floor */
	double max_lat_usec; /* 0: no absolute ceiling */
	double lat_factor;   /* latency outliers above this many medians; 0: none */
	const char *mesh_svg;  /* --svg FILE: rank 0 writes the pair matrix; NULL for none */
	const char *mesh_html; /* --html FILE: the same with tables, as a page; NULL for none */
};

struct out;
struct cmd_entry;
struct opt_def;

/* One run of efadiag: everything a command needs, passed everywhere instead of globals. */
struct ctx {
	const struct cmd_entry *cmd;
	const struct cmd_entry *const *commands; /* the table cmd came from (help lists it) */
	struct opts opt;
	const char *host; /* the HOST operand, NULL when absent */
	struct out *out;
};

/* Which operands a command takes, and how the command line treats it. */
enum cmd_flags {
	CMD_HOST_OPTIONAL = 1 << 0, /* [HOST] */
	CMD_USAGE_GENERAL = 1 << 1, /* --help shows efadiag's usage, not the command's (help) */
};

/*
 * A command, as its file in src/cmd/ registers it (and one line in src/cmd/commands.def).
 * Its options are the global ones, then the tables in options, in the order usage lists them:
 * shared groups (src/cmd/common-options.h) and the command's own.
 */
struct test_entry;

struct cmd_entry {
	const char *name;
	const char *summary;
	const char *usage; /* operands after "efadiag NAME [OPTIONS]" */
	const struct opt_def *const *options; /* NULL-terminated list of OPT_END-ended tables */
	unsigned int flags;
	/* What -t bounds for this command, default included: its usage's -t line. */
	const char *timeout_help;
	/* After the options in its usage: the defaults of shared options (-S, -I, -w). */
	const char *usage_notes;
	/* Letters of global options that do nothing for it: refused (exit 2), not listed. */
	const char *unused_globals;
	/* Checks option combinations once all are parsed; prints and returns EXIT_USAGE. */
	int (*validate)(struct ctx *ctx);
	int (*run)(struct ctx *ctx);
	/* A test command's test, which servers run for its clients (see cmd/test.h). */
	const struct test_entry *test;
	/*
	 * Optional: completes the document with the keys it must always have, once the command
	 * ended with code, a refused command line (EXIT_USAGE) included (sg-check's verdict).
	 */
	void (*complete)(struct ctx *ctx, int code);
};

#endif
