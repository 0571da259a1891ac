// BuzonAccountWatch: keeps an account's cache up to date for as long as it
// runs — IDLE on the Inbox, the other folders polled, reconnecting with
// backoff when the network or the server goes away.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "account/account.h"
#include "account/credentials.h"
#include "store/store.h"

G_BEGIN_DECLS

#define BUZON_TYPE_ACCOUNT_WATCH (buzon_account_watch_get_type ())

G_DECLARE_FINAL_TYPE (BuzonAccountWatch, buzon_account_watch, BUZON, ACCOUNT_WATCH, GObject)

BuzonAccountWatch *buzon_account_watch_new        (BuzonAccount       *account,
                                                   BuzonStore         *store,
                                                   BuzonCredentials   *credentials);
void               buzon_account_watch_run_async  (BuzonAccountWatch  *self,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
gboolean           buzon_account_watch_run_finish (BuzonAccountWatch  *self,
                                                   GAsyncResult       *result,
                                                   GError            **error);

G_END_DECLS
