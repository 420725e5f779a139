/* SPDX-License-Identifier: MIT */
/* Option groups several commands take: list them in a cmd_entry's options. */
#ifndef EFADIAG_CMD_COMMON_OPTIONS_H
#define EFADIAG_CMD_COMMON_OPTIONS_H

#include "ui/cli.h"

/* Measuring (pingpong, bw): -S/--sizes, -I/--iterations, -w/--warmup, --verify. */
extern const struct opt_def options_measure[];
/* Reaching the peer of a test (pingpong, bw, sg-check): --exec, --loopback. */
extern const struct opt_def options_peer[];
/* Where test buffers live (pingpong, bw): --mem host|cuda[:N]. */
extern const struct opt_def options_mem[];
/* Which of the provider's fabrics (pingpong, bw, sg-check, mesh): --fabric NAME. */
extern const struct opt_def options_fabric[];
/* Where a server listens (the tests without HOST, and serve): --bind ADDR. */
extern const struct opt_def options_bind[];
/* The shared secret (the tests and serve): --token. */
extern const struct opt_def options_token[];
extern const struct opt_def options_deadline[];

#endif
