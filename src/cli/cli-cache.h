// buzon-cli's blocking use of an account's cache: the accounts, the store,
// a folder by name, the credentials; each helper waits on the default main
// context and, on failure, says why on stderr.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "account/account-store.h"
#include "account/credentials.h"
#include "store/store-folder.h"
#include "store/store.h"

G_BEGIN_DECLS

void               buzon_cli_result_cb        (GObject            *source,
                                               GAsyncResult       *result,
                                               gpointer            user_data);
GAsyncResult      *buzon_cli_wait_for         (GAsyncResult      **slot);
BuzonAccountStore *buzon_cli_load_accounts    (void);
BuzonAccount      *buzon_cli_find_account     (BuzonAccountStore  *accounts,
                                               const char         *name);
BuzonStore        *buzon_cli_start_store      (BuzonAccount       *account,
                                               GAsyncResult      **opened);
gboolean           buzon_cli_store_opened     (BuzonStore         *store,
                                               GAsyncResult      **opened);
BuzonStore        *buzon_cli_open_store       (BuzonAccount       *account);
void               buzon_cli_close_store      (BuzonStore         *store);
BuzonStoreFolder  *buzon_cli_find_folder      (BuzonStore         *store,
                                               const char         *name);
BuzonCredentials  *buzon_cli_credentials_for  (BuzonAccount       *account,
                                               GError            **error);

G_END_DECLS
