// BuzonCommandCredentials: passwords printed by a shell command, like
// mbsync's PassCmd (`pass show mail`, `gpg -dq ~/.mailpass.gpg`).
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "credentials.h"

G_BEGIN_DECLS

/* How long the command may take, unless buzon_command_credentials_set_timeout() says otherwise. */
#define BUZON_COMMAND_CREDENTIALS_DEFAULT_TIMEOUT 30

#define BUZON_TYPE_COMMAND_CREDENTIALS (buzon_command_credentials_get_type ())

G_DECLARE_FINAL_TYPE (BuzonCommandCredentials, buzon_command_credentials, BUZON,
                      COMMAND_CREDENTIALS, GObject)

BuzonCommandCredentials *buzon_command_credentials_new         (const char              *command);
const char              *buzon_command_credentials_get_command (BuzonCommandCredentials *self);
guint                    buzon_command_credentials_get_timeout (BuzonCommandCredentials *self);
void                     buzon_command_credentials_set_timeout (BuzonCommandCredentials *self,
                                                                guint                    seconds);

G_END_DECLS
