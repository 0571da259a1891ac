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
} BuzonAccountError;

GQuark buzon_account_error_quark (void);

G_END_DECLS
