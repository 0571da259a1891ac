// The queue of operations made to messages: each applied to the cache at
// once and kept, in order, until the server has it too.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Queueing an operation changes the cached messages and appends it to the
// queue in one transaction, so that the user's change and the promise to
// send it are never kept one without the other: flags change at once, a
// move or a delete takes the messages out of their folder at once (the
// destination gets them from its next sync, with the UIDs the server gave
// them), a copy changes nothing until then. What each kind does to the
// cache, and how queued operations outlast a resync, is in
// store-operation-effect.c.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "store-operation.h"
#include "store-private.h"

/* The kinds as the pending_operation table names them: stable, unlike the
 * enum's numbers. */
static const char *const kind_names[] = {
  [BUZON_STORE_OPERATION_ADD_FLAGS] = "add-flags",
  [BUZON_STORE_OPERATION_REMOVE_FLAGS] = "remove-flags",
  [BUZON_STORE_OPERATION_MOVE] = "move",
  [BUZON_STORE_OPERATION_COPY] = "copy",
  [BUZON_STORE_OPERATION_DELETE] = "delete",
  [BUZON_STORE_OPERATION_EXPUNGE] = "expunge",
};

gboolean
_buzon_store_operation_kind_from_name (const char              *name,
                                       BuzonStoreOperationKind *kind)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (name, kind_names[i]))
      {
        *kind = (BuzonStoreOperationKind) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * buzon_store_operation_new:
 * @folder_id: the folder the messages are in
 * @uids: their UIDs, as a set ("7", "3:7,9"); no "*"
 *
 * An operation to queue; set @flags (ADD_FLAGS, REMOVE_FLAGS) or
 * @destination_id (MOVE, COPY) before queueing it.
 */
BuzonStoreOperation *
buzon_store_operation_new (BuzonStoreOperationKind kind,
                           gint64                  folder_id,
                           const char             *uids)
{
  BuzonStoreOperation *self = g_new0 (BuzonStoreOperation, 1);

  self->kind = kind;
  self->folder_id = folder_id;
  self->uids = g_strdup (uids);
  return self;
}

BuzonStoreOperation *
buzon_store_operation_copy (const BuzonStoreOperation *self)
{
  BuzonStoreOperation *copy = g_memdup2 (self, sizeof *self);

  copy->uids = g_strdup (self->uids);
  copy->flags = g_strdupv (self->flags);
  copy->folder_name = g_strdup (self->folder_name);
  copy->destination_name = g_strdup (self->destination_name);
  copy->last_error = g_strdup (self->last_error);
  return copy;
}

void
buzon_store_operation_free (BuzonStoreOperation *self)
{
  if (self == NULL)
    return;
  g_free (self->uids);
  g_strfreev (self->flags);
  g_free (self->folder_name);
  g_free (self->destination_name);
  g_free (self->last_error);
  g_free (self);
}

/* TRUE for the kinds that take messages out of their folder in the cache. */
gboolean
buzon_store_operation_removes_messages (const BuzonStoreOperation *self)
{
  return self->kind == BUZON_STORE_OPERATION_MOVE || self->kind == BUZON_STORE_OPERATION_DELETE
         || self->kind == BUZON_STORE_OPERATION_EXPUNGE;
}

gboolean
_buzon_store_delete_operation (BuzonStore *self,
                               gint64      operation_id,
                               int        *rc)
{
  sqlite3_stmt *statement = _buzon_store_prepare (self,
                                                  "DELETE FROM pending_operation WHERE id = ?",
                                                  NULL);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, operation_id);
  return _buzon_store_step (statement, rc);
}

/* Queueing. */

typedef struct
{
  gint64 id;
  guint count;
} Queued;

/* The cached UIDs of @folder_id within @ranges, as ascending ranges; NULL
 * with *@empty set to the first range that holds none. */
static GArray *
cached_uids (BuzonStore              *self,
             gint64                   folder_id,
             const GArray            *ranges,
             const BuzonImapUidRange **empty,
             int                     *rc)
{
  g_autoptr (GArray) cached = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
  sqlite3_stmt *statement = _buzon_store_prepare (self,
                                                  "SELECT uid FROM message WHERE folder_id = ?1 "
                                                  "AND uid BETWEEN ?2 AND ?3 ORDER BY uid",
                                                  NULL);

  *empty = NULL;
  if (statement == NULL)
    return NULL;
  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);
      guint before = cached->len;

      sqlite3_reset (statement);
      sqlite3_bind_int64 (statement, 1, folder_id);
      sqlite3_bind_int64 (statement, 2, range->first);
      sqlite3_bind_int64 (statement, 3, range->last);
      while ((*rc = sqlite3_step (statement)) == SQLITE_ROW)
        {
          BuzonImapUidRange uid;

          uid.first = uid.last = (guint32) sqlite3_column_int64 (statement, 0);
          g_array_append_val (cached, uid);
        }
      if (*rc != SQLITE_DONE)
        return NULL;
      *rc = SQLITE_OK;
      if (cached->len == before)
        {
          *empty = range;
          return NULL;
        }
    }
  buzon_imap_uid_set_normalize (cached);
  return g_steal_pointer (&cached);
}

/* The folder's UIDVALIDITY, or FALSE when there is no such folder. */
static gboolean
folder_uidvalidity (BuzonStore *self,
                    gint64      folder_id,
                    guint32    *uidvalidity)
{
  sqlite3_stmt *statement = _buzon_store_prepare (self,
                                                  "SELECT uidvalidity FROM folder WHERE id = ?",
                                                  NULL);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, folder_id);
  if (sqlite3_step (statement) != SQLITE_ROW)
    return FALSE;
  *uidvalidity = (guint32) sqlite3_column_int64 (statement, 0);
  return TRUE;
}

static gboolean
insert_operation (BuzonStore                *self,
                  const BuzonStoreOperation *operation,
                  guint32                    uidvalidity,
                  const char                *uids,
                  int                       *rc)
{
  g_autofree char *argument = operation->flags != NULL ? g_strjoinv (" ", operation->flags) : NULL;
  sqlite3_stmt *statement = _buzon_store_prepare (
    self,
    "INSERT INTO pending_operation (kind, folder_id, uids, argument, created_at, uidvalidity, "
    "destination_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
    NULL);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, kind_names[operation->kind], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 2, operation->folder_id);
  sqlite3_bind_text (statement, 3, uids, -1, SQLITE_STATIC);
  if (argument != NULL)
    sqlite3_bind_text (statement, 4, argument, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 5, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (statement, 6, uidvalidity);
  if (operation->destination_id > 0)
    sqlite3_bind_int64 (statement, 7, operation->destination_id);
  return _buzon_store_step (statement, rc);
}

/* Why an operation cannot be queued, checked before anything is written:
 * NULL when it can. */
static GError *
check_folders (BuzonStore                *self,
               const BuzonStoreOperation *operation,
               guint32                   *uidvalidity)
{
  guint32 ignored;

  if (!folder_uidvalidity (self, operation->folder_id, uidvalidity))
    return g_error_new (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND, "%s",
                        _("The folder is not in the mail cache"));
  if (operation->kind != BUZON_STORE_OPERATION_MOVE
      && operation->kind != BUZON_STORE_OPERATION_COPY)
    return NULL;
  if (!folder_uidvalidity (self, operation->destination_id, &ignored))
    return g_error_new (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND, "%s",
                        _("The destination folder is not in the mail cache"));
  if (operation->kind == BUZON_STORE_OPERATION_MOVE
      && operation->destination_id == operation->folder_id)
    return g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                        _("The messages are in that folder already"));
  return NULL;
}

static void
queue_job (BuzonStore *self,
           sqlite3    *db,
           GTask      *task)
{
  const BuzonStoreOperation *operation = g_task_get_task_data (task);
  g_autoptr (GArray) ranges = buzon_imap_uid_set_parse (operation->uids,
                                                        strlen (operation->uids), NULL);
  g_autoptr (GArray) cached = NULL;
  g_autofree char *uids = NULL;
  g_autoptr (GError) error = NULL;
  const BuzonImapUidRange *empty = NULL;
  Queued *queued = NULL;
  guint32 uidvalidity = 0;
  guint changed = 0;
  gint64 folder_id = operation->folder_id;
  gboolean changes_cache = operation->kind != BUZON_STORE_OPERATION_COPY;
  int rc = SQLITE_OK;

  if (!_buzon_store_begin (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if ((error = check_folders (self, operation, &uidvalidity)) != NULL)
    goto failed;
  cached = cached_uids (self, folder_id, ranges, &empty, &rc);
  if (cached == NULL && empty != NULL)
    {
      g_autofree char *set = empty->first == empty->last
                               ? g_strdup_printf ("%u", empty->first)
                               : g_strdup_printf ("%u:%u", empty->first, empty->last);

      /* Translators: %s is a UID ("7") or a range of them ("3:7"). */
      error = g_error_new (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                           _("The folder has no message with UID %s in the cache"), set);
      goto failed;
    }
  uids = cached != NULL ? buzon_imap_uid_set_to_string (cached) : NULL;
  if (cached == NULL
      || !_buzon_store_apply_operation (self, operation->kind, folder_id, cached,
                                        (const char * const *) operation->flags, &changed, &rc)
      || !insert_operation (self, operation, uidvalidity, uids, &rc))
    {
      error = _buzon_store_error (db, rc != SQLITE_OK ? rc : sqlite3_errcode (db),
                                  _("saving a change to messages"));
      goto failed;
    }
  queued = g_new0 (Queued, 1);
  queued->id = sqlite3_last_insert_rowid (db);
  queued->count = (guint) MIN (buzon_imap_uid_set_count (cached), G_MAXUINT);
  if (!_buzon_store_commit (self, &error))
    {
      g_free (queued);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Nothing of the task's data is read once the result is returned. */
  g_task_return_pointer (task, queued, g_free);
  if (changes_cache)
    {
      _buzon_store_emit_folder_changed (self, folder_id);
      if (changed > 0)
        _buzon_store_emit_folders_changed (self);
    }
  return;

failed:
  _buzon_store_rollback (self);
  g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * buzon_store_queue_operation_async:
 * @operation: what to do; copied, so it may be freed when this returns
 * @cancellable: (nullable): cancelling before the job runs keeps it from
 *   running; once it runs, it runs to its end
 *
 * Applies @operation to the cache and appends it to the queue, in one
 * transaction: both or neither. Only the UIDs the cache holds are kept in
 * the queued operation: the change is made to the messages the user saw.
 * Fails with BUZON_STORE_ERROR_NOT_FOUND when the folder or the destination
 * is not in the cache, or a UID or range of @operation names no cached
 * message; with G_IO_ERROR_INVALID_ARGUMENT for a malformed set or a move
 * to the folder itself. On success emits "folder-changed" for the folder
 * (not for a copy, which changes nothing there) and "folders-changed" when
 * counts changed, after @callback.
 */
void
buzon_store_queue_operation_async (BuzonStore                *self,
                                   const BuzonStoreOperation *operation,
                                   GCancellable              *cancellable,
                                   GAsyncReadyCallback        callback,
                                   gpointer                   user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (operation != NULL);
  g_return_if_fail (operation->kind <= BUZON_STORE_OPERATION_EXPUNGE);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_queue_operation_async);
  if (operation->uids == NULL || strchr (operation->uids, '*') != NULL
      || !buzon_imap_uid_set_is_valid (operation->uids)
      || ((operation->kind == BUZON_STORE_OPERATION_ADD_FLAGS
           || operation->kind == BUZON_STORE_OPERATION_REMOVE_FLAGS)
          && (operation->flags == NULL || operation->flags[0] == NULL)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("The change names no messages or no flags"));
      return;
    }
  g_task_set_task_data (task, buzon_store_operation_copy (operation),
                        (GDestroyNotify) buzon_store_operation_free);
  _buzon_store_run (self, task, queue_job);
}

/**
 * buzon_store_queue_operation_finish:
 * @count: (out) (optional): how many cached messages the operation covers
 *
 * Returns: the queued operation's id, or 0 with @error set
 */
gint64
buzon_store_queue_operation_finish (BuzonStore   *self,
                                    GAsyncResult *result,
                                    guint        *count,
                                    GError      **error)
{
  g_autofree Queued *queued = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  queued = g_task_propagate_pointer (G_TASK (result), error);
  if (queued == NULL)
    return 0;
  if (count != NULL)
    *count = queued->count;
  return queued->id;
}

/* Listing. */

static void
list_job (BuzonStore *self,
          sqlite3    *db,
          GTask      *task)
{
  g_autoptr (GPtrArray) operations = g_ptr_array_new_with_free_func (
    (GDestroyNotify) buzon_store_operation_free);
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *statement;
  int rc;

  statement = _buzon_store_prepare (self,
                                    "SELECT o.id, o.kind, o.folder_id, o.uids, o.argument, "
                                    "o.destination_id, o.uidvalidity, o.created_at, o.attempts, "
                                    "o.last_error, f.raw_name, d.raw_name "
                                    "FROM pending_operation o "
                                    "LEFT JOIN folder f ON f.id = o.folder_id "
                                    "LEFT JOIN folder d ON d.id = o.destination_id ORDER BY o.id",
                                    &error);
  if (statement == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      const char *argument = (const char *) sqlite3_column_text (statement, 4);
      BuzonStoreOperationKind kind;
      BuzonStoreOperation *operation;

      /* Every kind this version writes is known to it. */
      if (!_buzon_store_operation_kind_from_name ((const char *) sqlite3_column_text (statement, 1),
                                                  &kind))
        continue;
      operation = buzon_store_operation_new (kind, sqlite3_column_int64 (statement, 2),
                                             (const char *) sqlite3_column_text (statement, 3));
      operation->id = sqlite3_column_int64 (statement, 0);
      operation->flags = argument != NULL ? g_strsplit (argument, " ", -1) : NULL;
      operation->destination_id = sqlite3_column_int64 (statement, 5);
      operation->uidvalidity = (guint32) sqlite3_column_int64 (statement, 6);
      operation->created_at = sqlite3_column_int64 (statement, 7);
      operation->attempts = (guint) sqlite3_column_int64 (statement, 8);
      operation->last_error = g_strdup ((const char *) sqlite3_column_text (statement, 9));
      operation->folder_name = g_strdup ((const char *) sqlite3_column_text (statement, 10));
      operation->destination_name = g_strdup ((const char *) sqlite3_column_text (statement, 11));
      g_ptr_array_add (operations, operation);
    }
  if (rc != SQLITE_DONE)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("reading the queued changes")));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&operations), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * buzon_store_list_operations_async:
 *
 * The queued operations, oldest first: the order they must reach the
 * server in.
 */
void
buzon_store_list_operations_async (BuzonStore          *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_list_operations_async);
  _buzon_store_run (self, task, list_job);
}

/**
 * buzon_store_list_operations_finish:
 *
 * Returns: (transfer container) (element-type BuzonStoreOperation): the queue
 */
GPtrArray *
buzon_store_list_operations_finish (BuzonStore   *self,
                                    GAsyncResult *result,
                                    GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Completion and failure. */

typedef struct
{
  gint64 id;
  char *reason; /* NULL: completed. */
} Outcome;

static void
outcome_free (Outcome *outcome)
{
  g_free (outcome->reason);
  g_free (outcome);
}

static void
outcome_job (BuzonStore *self,
             sqlite3    *db,
             GTask      *task)
{
  const Outcome *outcome = g_task_get_task_data (task);
  sqlite3_stmt *statement = NULL;
  g_autoptr (GError) error = NULL;
  int rc = SQLITE_OK;

  if (outcome->reason == NULL)
    {
      if (_buzon_store_delete_operation (self, outcome->id, &rc))
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
    }
  else
    {
      statement = _buzon_store_prepare (self,
                                        "UPDATE pending_operation SET attempts = attempts + 1, "
                                        "last_error = ? WHERE id = ?",
                                        &error);
      if (statement == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      sqlite3_bind_text (statement, 1, outcome->reason, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (statement, 2, outcome->id);
      if (_buzon_store_step (statement, &rc))
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
    }
  g_task_return_error (task, _buzon_store_error (db, rc != SQLITE_OK ? rc : sqlite3_errcode (db),
                                                 _("saving a change to messages")));
}

static void
run_outcome (BuzonStore          *self,
             gint64               operation_id,
             const char          *reason,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  Outcome *outcome = g_new0 (Outcome, 1);

  outcome->id = operation_id;
  outcome->reason = g_strdup (reason);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, outcome, (GDestroyNotify) outcome_free);
  _buzon_store_run (self, task, outcome_job);
}

/**
 * buzon_store_complete_operation_async:
 *
 * Takes the operation out of the queue: the server has it, or refused it
 * and its state was kept. Completing an operation no longer queued
 * succeeds and does nothing.
 */
void
buzon_store_complete_operation_async (BuzonStore          *self,
                                      gint64               operation_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_STORE (self));
  run_outcome (self, operation_id, NULL, buzon_store_complete_operation_async, cancellable,
               callback, user_data);
}

gboolean
buzon_store_complete_operation_finish (BuzonStore   *self,
                                       GAsyncResult *result,
                                       GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_store_fail_operation_async:
 * @reason: why the attempt failed, for people
 *
 * Records a failed attempt to replay the operation, which stays queued:
 * its attempts go up by one and @reason becomes its last error.
 */
void
buzon_store_fail_operation_async (BuzonStore          *self,
                                  gint64               operation_id,
                                  const char          *reason,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (reason != NULL);
  run_outcome (self, operation_id, reason, buzon_store_fail_operation_async, cancellable,
               callback, user_data);
}

gboolean
buzon_store_fail_operation_finish (BuzonStore   *self,
                                   GAsyncResult *result,
                                   GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
