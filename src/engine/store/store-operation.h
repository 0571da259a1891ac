// BuzonStoreOperation: a change the user made to messages (flags, a move, a
// copy, an archive, a delete, an expunge), applied to the cache at once and
// queued for the server; and the store's queue of them.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "store.h"

G_BEGIN_DECLS

typedef enum
{
  BUZON_STORE_OPERATION_ADD_FLAGS,    /* +FLAGS: flag, read, keywords. */
  BUZON_STORE_OPERATION_REMOVE_FLAGS, /* -FLAGS: unflag, unread. */
  BUZON_STORE_OPERATION_MOVE,
  BUZON_STORE_OPERATION_COPY,
  BUZON_STORE_OPERATION_DELETE,       /* To the Trash; removed for good from the Trash. */
  BUZON_STORE_OPERATION_EXPUNGE,      /* Removes those of the messages marked \Deleted. */
  BUZON_STORE_OPERATION_ARCHIVE,      /* A move to the account's \Archive folder. */
} BuzonStoreOperationKind;

typedef struct
{
  gint64 id;                    /* 0 until queued. */
  BuzonStoreOperationKind kind;
  gint64 folder_id;             /* Where the messages are. */
  char *uids;                   /* Their UIDs, as a set ("3:7,9"). */
  GStrv flags;                  /* ADD_FLAGS, REMOVE_FLAGS: "\\Seen", "$Label1"… */
  gint64 destination_id;        /* MOVE, COPY: the folder they go to; ARCHIVE: found when queued. */

  /* Filled in by buzon_store_list_operations_async(). */
  guint32 uidvalidity;          /* The folder's when queued: the UIDs mean nothing under another. */
  char *folder_name;            /* Raw; NULL when the folder left the cache. */
  char *destination_name;       /* Raw; NULL when it left the cache (or there is none). */
  gint64 created_at;            /* Unix time. */
  guint attempts;               /* Replays that failed and left it queued. */
  char *last_error;             /* Why the last of them failed. */
} BuzonStoreOperation;

BuzonStoreOperation *buzon_store_operation_new  (BuzonStoreOperationKind    kind,
                                                 gint64                     folder_id,
                                                 const char                *uids);
BuzonStoreOperation *buzon_store_operation_copy (const BuzonStoreOperation *self);
void                 buzon_store_operation_free (BuzonStoreOperation       *self);
gboolean             buzon_store_operation_removes_messages (const BuzonStoreOperation *self);

void       buzon_store_queue_operation_async     (BuzonStore                *self,
                                                  const BuzonStoreOperation *operation,
                                                  GCancellable              *cancellable,
                                                  GAsyncReadyCallback        callback,
                                                  gpointer                   user_data);
gint64     buzon_store_queue_operation_finish    (BuzonStore                *self,
                                                  GAsyncResult              *result,
                                                  guint                     *count,
                                                  GError                   **error);
void       buzon_store_list_operations_async     (BuzonStore                *self,
                                                  GCancellable              *cancellable,
                                                  GAsyncReadyCallback        callback,
                                                  gpointer                   user_data);
GPtrArray *buzon_store_list_operations_finish    (BuzonStore                *self,
                                                  GAsyncResult              *result,
                                                  GError                   **error);
void       buzon_store_complete_operation_async  (BuzonStore                *self,
                                                  gint64                     operation_id,
                                                  GCancellable              *cancellable,
                                                  GAsyncReadyCallback        callback,
                                                  gpointer                   user_data);
gboolean   buzon_store_complete_operation_finish (BuzonStore                *self,
                                                  GAsyncResult              *result,
                                                  GError                   **error);
void       buzon_store_complete_copy_async       (BuzonStore                *self,
                                                  gint64                     operation_id,
                                                  guint32                    uidvalidity,
                                                  const GArray              *source_uids,
                                                  const GArray              *destination_uids,
                                                  GCancellable              *cancellable,
                                                  GAsyncReadyCallback        callback,
                                                  gpointer                   user_data);
gboolean   buzon_store_complete_copy_finish      (BuzonStore                *self,
                                                  GAsyncResult              *result,
                                                  GError                   **error);
void       buzon_store_fail_operation_async      (BuzonStore                *self,
                                                  gint64                     operation_id,
                                                  const char                *reason,
                                                  GCancellable              *cancellable,
                                                  GAsyncReadyCallback        callback,
                                                  gpointer                   user_data);
gboolean   buzon_store_fail_operation_finish     (BuzonStore                *self,
                                                  GAsyncResult              *result,
                                                  GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonStoreOperation, buzon_store_operation_free)

G_END_DECLS
