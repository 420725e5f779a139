/* SPDX-License-Identifier: MIT */
/* The table of commands, built from src/cmd/commands.def. */
#ifndef EFADIAG_CMD_COMMANDS_H
#define EFADIAG_CMD_COMMANDS_H

#include "efadiag.h"

#define CMD(id) extern const struct cmd_entry cmd_##id;
#include "cmd/commands.def"
#undef CMD

/* Every command, NULL-terminated, in the order of commands.def. */
extern const struct cmd_entry *const cmd_table[];

#endif
