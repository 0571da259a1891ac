// The inside of BuzonStore, shared by its files: the worker thread that
// runs every statement, and helpers for the statements themselves.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <sqlite3.h>

#include "imap/imap-uid-set.h"
#include "store-message.h"
#include "store-operation.h"
#include "store.h"

G_BEGIN_DECLS

/* What _buzon_store_read_message() reads, in its order. */
#define MESSAGE_COLUMNS                                                                            \
  "m.id, m.folder_id, m.uid, m.flags, m.keywords, m.date, m.size, m.subject, m.sender_name, "      \
  "m.sender_address, m.to_list, m.cc_list, m.message_id, m.thread_id, m.has_attachment, "          \
  "m.preview"
#define MESSAGE_N_COLUMNS 16

/* Runs on the worker thread with the open database; returns the task's
 * result with g_task_return_*() before it returns. */
typedef void (*BuzonStoreJobFunc) (BuzonStore *self,
                                   sqlite3    *db,
                                   GTask      *task);

void          _buzon_store_run         (BuzonStore         *self,
                                        GTask              *task,
                                        BuzonStoreJobFunc   func);
GError       *_buzon_store_error       (sqlite3            *db,
                                        int                 rc,
                                        const char         *doing);
gboolean      _buzon_store_exec        (sqlite3            *db,
                                        const char         *sql,
                                        GError            **error);
sqlite3_stmt *_buzon_store_prepare     (BuzonStore         *self,
                                        const char         *sql,
                                        GError            **error);
gboolean      _buzon_store_begin       (BuzonStore         *self,
                                        GError            **error);
gboolean      _buzon_store_commit      (BuzonStore         *self,
                                        GError            **error);
void          _buzon_store_rollback    (BuzonStore         *self);
void          _buzon_store_emit_folder_changed (BuzonStore *self,
                                                gint64      folder_id);
void          _buzon_store_emit_folders_changed (BuzonStore *self);
void          _buzon_store_emit_outbox_changed (BuzonStore *self);
BuzonStoreMessage *_buzon_store_read_message   (sqlite3_stmt       *statement);
BuzonStoreMessage *_buzon_store_read_message_at (sqlite3_stmt      *statement,
                                                 int                first);

/* The key thread_key keeps for a Message-ID (see migration 0011); also the
 * SQL function buzon_message_id_key(). Written to disk: never change it. */
gint64        _buzon_store_message_id_key (const char      *message_id);

/* Shared by the batch and the operation queue (store-batch.c,
 * store-operation.c); on the worker, inside a transaction. */
gboolean      _buzon_store_step        (sqlite3_stmt       *statement,
                                        int                *rc);
gboolean      _buzon_store_remove_messages (BuzonStore              *self,
                                            gint64                   folder_id,
                                            const BuzonImapUidRange *range,
                                            gboolean                 only_deleted,
                                            guint                   *removed,
                                            int                     *rc);
gboolean      _buzon_store_operation_kind_from_name (const char              *name,
                                                     BuzonStoreOperationKind *kind);
gboolean      _buzon_store_apply_operation (BuzonStore              *self,
                                            BuzonStoreOperationKind  kind,
                                            gint64                   folder_id,
                                            const GArray            *ranges,
                                            const char * const      *flags,
                                            guint                   *changed,
                                            int                     *rc);
gboolean      _buzon_store_reapply_operations (BuzonStore *self,
                                               gint64      folder_id,
                                               int        *rc);
gboolean      _buzon_store_delete_operation   (BuzonStore *self,
                                               gint64      operation_id,
                                               gint64     *provisional_folder_id,
                                               int        *rc);
gboolean      _buzon_store_copy_provisionally (BuzonStore   *self,
                                               gint64        folder_id,
                                               const GArray *ranges,
                                               gint64        destination_id,
                                               gint64        operation_id,
                                               guint        *copied,
                                               int          *rc);
gboolean      _buzon_store_resolve_provisional (BuzonStore   *self,
                                                gint64        operation_id,
                                                guint32       uidvalidity,
                                                const GArray *source_uids,
                                                const GArray *destination_uids,
                                                gint64       *folder_id,
                                                int          *rc);
gboolean      _buzon_store_drop_provisional   (BuzonStore *self,
                                               gint64      operation_id,
                                               gint64     *folder_id,
                                               int        *rc);

G_END_DECLS
