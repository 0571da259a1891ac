// BuzonStoreFolder: a mailbox as the cache knows it, and the store's folder
// operations.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "imap/imap-mailbox.h"
#include "store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 id;
  char *raw_name;
  char *name;
  gunichar delimiter;
  BuzonImapMailboxFlags flags;
  BuzonImapSpecialUse special_use;
  /* Where the last sync left it. */
  guint32 uidvalidity;
  guint32 uidnext;
  guint64 highestmodseq;
  guint32 exists_count;
  guint32 unseen_count;
  gboolean first_sync_done;
  gint64 synced_at;
  /* What the cache holds now. */
  guint32 cached_count;
  guint32 cached_unseen;
} BuzonStoreFolder;

void              buzon_store_folder_free        (BuzonStoreFolder *self);
BuzonStoreFolder *buzon_store_folder_copy        (const BuzonStoreFolder *self);

void       buzon_store_save_folders_async        (BuzonStore          *self,
                                                  GPtrArray           *mailboxes,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean   buzon_store_save_folders_finish       (BuzonStore          *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
void       buzon_store_list_folders_async        (BuzonStore          *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void       buzon_store_list_folder_states_async  (BuzonStore          *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPtrArray *buzon_store_list_folders_finish       (BuzonStore          *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonStoreFolder, buzon_store_folder_free)

G_END_DECLS
