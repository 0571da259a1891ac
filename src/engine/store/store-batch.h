// BuzonStoreBatch: what one step of a folder's sync learnt — new messages,
// changed flags, expunged UIDs, the folder's new state — applied to the
// store in one transaction.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "imap/imap-fetch.h"
#include "store.h"

G_BEGIN_DECLS

/* What a folder's sync state becomes with the batch. Fields are applied
 * only where the matching flag is set. */
typedef enum
{
  BUZON_STORE_STATE_UIDVALIDITY = 1 << 0,
  BUZON_STORE_STATE_UIDNEXT = 1 << 1,
  BUZON_STORE_STATE_HIGHESTMODSEQ = 1 << 2,
  BUZON_STORE_STATE_EXISTS = 1 << 3,
  BUZON_STORE_STATE_FIRST_SYNC_DONE = 1 << 4,
  BUZON_STORE_STATE_SYNCED_AT = 1 << 5,
  BUZON_STORE_STATE_UNSEEN = 1 << 6,
} BuzonStoreStateFields;

typedef struct
{
  BuzonStoreStateFields fields;
  guint32 uidvalidity;
  guint32 uidnext;
  guint64 highestmodseq;
  guint32 exists_count;
  guint32 unseen_count;
  gboolean first_sync_done;
  gint64 synced_at;
} BuzonStoreFolderState;

/* What applying a batch did. */
typedef struct
{
  guint added;   /* Messages new to the cache. */
  guint updated; /* Messages whose flags or MODSEQ changed. */
  guint removed; /* Messages taken out. */
} BuzonStoreBatchResult;

typedef struct _BuzonStoreBatch BuzonStoreBatch;

BuzonStoreBatch *buzon_store_batch_new          (gint64                       folder_id);
void             buzon_store_batch_free         (BuzonStoreBatch             *self);
void             buzon_store_batch_reset        (BuzonStoreBatch             *self);
void             buzon_store_batch_add_fetch    (BuzonStoreBatch             *self,
                                                 BuzonImapFetch              *fetch);
void             buzon_store_batch_remove_uids  (BuzonStoreBatch             *self,
                                                 const GArray                *ranges);
void             buzon_store_batch_set_state    (BuzonStoreBatch             *self,
                                                 const BuzonStoreFolderState *state);
void             buzon_store_batch_complete_operation (BuzonStoreBatch       *self,
                                                       gint64                 operation_id);
guint            buzon_store_batch_get_size     (BuzonStoreBatch             *self);
gboolean         buzon_store_batch_append       (BuzonStoreBatch             *self,
                                                 BuzonStoreBatch             *other);

void     buzon_store_apply_async  (BuzonStore             *self,
                                   BuzonStoreBatch        *batch,
                                   GCancellable           *cancellable,
                                   GAsyncReadyCallback     callback,
                                   gpointer                user_data);
gboolean buzon_store_apply_finish (BuzonStore             *self,
                                   GAsyncResult           *result,
                                   BuzonStoreBatchResult  *counts,
                                   GError                **error);

void     buzon_store_list_uids_async  (BuzonStore          *self,
                                       gint64               folder_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
GArray  *buzon_store_list_uids_finish (BuzonStore          *self,
                                       GAsyncResult        *result,
                                       GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonStoreBatch, buzon_store_batch_free)

G_END_DECLS
