// The error domain of the account subsystem: configuration, URLs, credentials.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BUZON_ACCOUNT_ERROR (buzon_account_error_quark ())

typedef enum
{
  BUZON_ACCOUNT_ERROR_INVALID_URL,
  BUZON_ACCOUNT_ERROR_INSECURE,
  BUZON_ACCOUNT_ERROR_INVALID_CONFIG, /* accounts.conf cannot be read as a key file. */
  BUZON_ACCOUNT_ERROR_EXISTS,         /* An account with that id exists already. */
  BUZON_ACCOUNT_ERROR_NOT_FOUND,
  BUZON_ACCOUNT_ERROR_NO_SECRET,                /* No password is stored for that server. */
  BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND,         /* It failed, or printed no password. */
  BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND_TIMEOUT, /* It did not finish in time; it was killed. */
} BuzonAccountError;

GQuark buzon_account_error_quark (void);

G_END_DECLS
