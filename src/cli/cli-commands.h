// The commands of buzon-cli, one function each, and its exit codes.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>
#include <stdio.h>

#include "store/store-operation.h"
#include "sync/account-sync.h"
#include "sync/send-queue.h"

G_BEGIN_DECLS

/* Exit codes are stable and documented in `buzon-cli --help`. */
enum
{
  BUZON_CLI_EXIT_OK = 0,
  BUZON_CLI_EXIT_FAILED = 1,
  BUZON_CLI_EXIT_USAGE = 2,
  BUZON_CLI_EXIT_CONNECT = 3,  /* Cannot reach the server. */
  BUZON_CLI_EXIT_TLS = 4,      /* TLS could not be set up, or the certificate is not trusted. */
  BUZON_CLI_EXIT_AUTH = 5,     /* The server refused the user name or password. */
  BUZON_CLI_EXIT_PROTOCOL = 6, /* The server broke the protocol or refused a command. */
};

int buzon_cli_command_account    (int    argc,
                                  char **argv);
int buzon_cli_command_imap_probe (int    argc,
                                  char **argv);
int buzon_cli_command_sync       (int    argc,
                                  char **argv);
int buzon_cli_command_folders    (int    argc,
                                  char **argv);
int buzon_cli_command_list       (int    argc,
                                  char **argv);
int buzon_cli_command_search     (int    argc,
                                  char **argv);
int buzon_cli_command_show       (int    argc,
                                  char **argv);
int buzon_cli_command_operation  (int    argc,
                                  char **argv);
int buzon_cli_command_send       (int    argc,
                                  char **argv);
int buzon_cli_command_outbox     (int    argc,
                                  char **argv);
int buzon_cli_command_draft      (int    argc,
                                  char **argv);

/* Within `buzon-cli sync` (command-send.c). */
void            buzon_cli_send_due      (BuzonAccount     *account,
                                         BuzonStore       *store,
                                         BuzonCredentials *credentials);
BuzonSendQueue *buzon_cli_start_sending (BuzonAccount     *account,
                                         BuzonStore       *store,
                                         BuzonCredentials *credentials);
void buzon_cli_operation_dropped_cb (BuzonAccountSync          *sync,
                                     const BuzonStoreOperation *operation,
                                     const GError              *error,
                                     gpointer                   user_data);

/* Within `buzon-cli account`. */
int  buzon_cli_command_account_add (int    argc,
                                    char **argv);
void buzon_cli_account_usage       (FILE  *out);

G_END_DECLS
