// buzon-cli's blocking use of the engine's credentials: the command line
// waits for each answer, on a main context of its own.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "account/credentials.h"
#include "account/server-url.h"

G_BEGIN_DECLS

const char       *buzon_cli_protocol_name        (const BuzonServerUrl  *url);
char             *buzon_cli_credentials_lookup   (BuzonCredentials      *credentials,
                                                  const char            *account_id,
                                                  const BuzonServerUrl  *url,
                                                  GError               **error);
gboolean          buzon_cli_credentials_store    (BuzonCredentials      *credentials,
                                                  const char            *account_id,
                                                  const BuzonServerUrl  *url,
                                                  const char            *secret,
                                                  GError               **error);
gboolean          buzon_cli_credentials_delete   (BuzonCredentials      *credentials,
                                                  const char            *account_id,
                                                  GError               **error);
void              buzon_cli_credentials_shutdown (void);
BuzonCredentials *buzon_cli_keyring_new          (GError               **error);

G_END_DECLS
