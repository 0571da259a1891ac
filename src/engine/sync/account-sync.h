// BuzonAccountSync: one pass over an account — connect, log in, the folder
// list, then each folder brought up to date — reporting as it goes.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "account/account.h"
#include "account/credentials.h"
#include "store/store.h"
#include "sync/connection-pool.h"
#include "sync/folder-sync.h"

G_BEGIN_DECLS

typedef struct
{
  guint folders;         /* Folders synchronised. */
  guint folders_failed;  /* Folders that failed; the others went on. */
  guint added;
  guint updated;
  guint removed;
  guint operations_replayed; /* Pending operations the server carried out. */
  guint operations_dropped;  /* … it refused: the cache took its state. */
  guint operations_left;     /* … still queued for the next pass. */
  guint bodies;              /* Message bodies downloaded into the cache. */
  guint bodies_too_large;    /* … left out for their size (fetched when opened). */
  guint bodies_failed;       /* Folders whose bodies could not all be downloaded. */
} BuzonAccountSyncResult;

#define BUZON_TYPE_ACCOUNT_SYNC (buzon_account_sync_get_type ())

G_DECLARE_FINAL_TYPE (BuzonAccountSync, buzon_account_sync, BUZON, ACCOUNT_SYNC, GObject)

BuzonAccountSync *buzon_account_sync_new        (BuzonAccount            *account,
                                                 BuzonStore              *store,
                                                 BuzonCredentials        *credentials);
void              buzon_account_sync_set_fetch_bodies (BuzonAccountSync  *self,
                                                       gboolean           fetch_bodies);
void              buzon_account_sync_run_async  (BuzonAccountSync        *self,
                                                 const char              *only_folder,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      callback,
                                                 gpointer                 user_data);
void              buzon_account_sync_replay_async (BuzonAccountSync      *self,
                                                   GCancellable          *cancellable,
                                                   GAsyncReadyCallback    callback,
                                                   gpointer               user_data);
gboolean          buzon_account_sync_run_finish (BuzonAccountSync        *self,
                                                 GAsyncResult            *result,
                                                 BuzonAccountSyncResult  *summary,
                                                 GError                 **error);
void              buzon_account_sync_set_pool   (BuzonAccountSync        *self,
                                                 BuzonConnectionPool     *pool);

G_END_DECLS
