// The commands of buzon-cli, one function each, and its exit codes.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

G_BEGIN_DECLS

/* Exit codes are stable and documented in `buzon-cli --help`. */
enum
{
  BUZON_CLI_EXIT_OK = 0,
  BUZON_CLI_EXIT_FAILED = 1,
  BUZON_CLI_EXIT_USAGE = 2,
};

int buzon_cli_command_account (int    argc,
                               char **argv);

G_END_DECLS
