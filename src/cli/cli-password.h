// Getting a password in buzon-cli: from --password-command, or asked for.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "account/server-url.h"

G_BEGIN_DECLS

char *buzon_cli_prompt_password (const char           *prompt,
                                 gboolean              allow_empty,
                                 GError              **error);
char *buzon_cli_read_password   (const char           *command,
                                 const BuzonServerUrl *url,
                                 GError              **error);

G_END_DECLS
