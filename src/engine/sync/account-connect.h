// Opening a logged-in IMAP session for an account: its password from the
// credentials, its server and pinned certificates from its settings.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "account/account.h"
#include "account/credentials.h"
#include "imap/imap-session.h"

G_BEGIN_DECLS

void              buzon_account_connect_async  (BuzonAccount         *account,
                                                BuzonCredentials     *credentials,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
BuzonImapSession *buzon_account_connect_finish (GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
