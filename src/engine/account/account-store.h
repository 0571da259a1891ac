// BuzonAccountStore: the configured accounts, a GListModel of BuzonAccount
// kept in $XDG_CONFIG_HOME/buzon/accounts.conf.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "account.h"

G_BEGIN_DECLS

#define BUZON_TYPE_ACCOUNT_STORE (buzon_account_store_get_type ())

G_DECLARE_FINAL_TYPE (BuzonAccountStore, buzon_account_store, BUZON, ACCOUNT_STORE, GObject)

BuzonAccountStore  *buzon_account_store_new          (const char         *config_dir);
const char         *buzon_account_store_get_path     (BuzonAccountStore  *self);
gboolean            buzon_account_store_load         (BuzonAccountStore  *self,
                                                      GError            **error);
const char * const *buzon_account_store_get_problems (BuzonAccountStore  *self);
BuzonAccount       *buzon_account_store_lookup       (BuzonAccountStore  *self,
                                                      const char         *id);
gboolean            buzon_account_store_contains     (BuzonAccountStore  *self,
                                                      const char         *id);
gboolean            buzon_account_store_add          (BuzonAccountStore  *self,
                                                      BuzonAccount       *account,
                                                      GError            **error);
gboolean            buzon_account_store_remove       (BuzonAccountStore  *self,
                                                      const char         *id,
                                                      GError            **error);

G_END_DECLS
