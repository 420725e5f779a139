// SPDX-License-Identifier: MIT
/* The table of commands: one entry per line of commands.def, like git's commands[]. */
#include "cmd/commands.h"

const struct cmd_entry *const cmd_table[] = {
#define CMD(id) &cmd_##id,
#include "cmd/commands.def"
#undef CMD
	NULL,
};
