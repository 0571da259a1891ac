// buzon-cli's exit status for an engine error: the documented codes tell
// a script whether the server could not be reached, TLS failed, the
// password was refused or the server misbehaved.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <gio/gio.h>

#include "account/account-error.h"
#include "cli-commands.h"
#include "cli-status.h"
#include "imap/imap-error.h"

int
buzon_cli_exit_status_for (const GError *error)
{
  if (error->domain == G_TLS_ERROR)
    return BUZON_CLI_EXIT_TLS;
  if (error->domain == BUZON_IMAP_ERROR)
    switch (error->code)
      {
      case BUZON_IMAP_ERROR_AUTHENTICATION_FAILED:
      case BUZON_IMAP_ERROR_LOGIN_DISABLED:
        return BUZON_CLI_EXIT_AUTH;
      case BUZON_IMAP_ERROR_NO_STARTTLS:
        return BUZON_CLI_EXIT_TLS;
      default:
        return BUZON_CLI_EXIT_PROTOCOL;
      }
  if (error->domain == G_IO_ERROR || error->domain == G_RESOLVER_ERROR)
    return BUZON_CLI_EXIT_CONNECT;
  return BUZON_CLI_EXIT_FAILED;
}
