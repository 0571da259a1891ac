// The queue of operations made to messages: each applied to the cache at
// once and kept, in order, until the server has it too.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Queueing an operation changes the cached messages and appends it to the
// queue in one transaction, so that the user's change and the promise to
// send it are never kept one without the other: flags change at once; a
// move, an archive or a delete takes the messages out of their folder at
// once; a move, a copy or an archive puts provisional copies of them in the
// destination at once, which take the UIDs the server gives them once it
// has the operation (or make way for the real ones at the destination's
// next sync). An archive is a move to the folder LIST calls \Archive, found
// when it is queued; an expunge covers the cached messages marked \Deleted
// among those it names. What each kind does to the cache, and how queued
// operations outlast a resync, is in store-operation-effect.c.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap/imap-mailbox.h"
#include "store-operation.h"
#include "store-private.h"
#include "store-summary.h"

/* The kinds as the pending_operation table names them: stable, unlike the
 * enum's numbers. */
static const char *const kind_names[] = {
  [BUZON_STORE_OPERATION_ADD_FLAGS] = "add-flags",
  [BUZON_STORE_OPERATION_REMOVE_FLAGS] = "remove-flags",
  [BUZON_STORE_OPERATION_MOVE] = "move",
  [BUZON_STORE_OPERATION_COPY] = "copy",
  [BUZON_STORE_OPERATION_DELETE] = "delete",
  [BUZON_STORE_OPERATION_EXPUNGE] = "expunge",
  [BUZON_STORE_OPERATION_ARCHIVE] = "archive",
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
 * @destination_id (MOVE, COPY) before queueing it. ARCHIVE needs neither:
 * the store finds the destination.
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
         || self->kind == BUZON_STORE_OPERATION_EXPUNGE
         || self->kind == BUZON_STORE_OPERATION_ARCHIVE;
}

/* TRUE for the kinds that leave provisional copies in a destination. */
static gboolean
copies_messages (BuzonStoreOperationKind kind)
{
  return kind == BUZON_STORE_OPERATION_MOVE || kind == BUZON_STORE_OPERATION_COPY
         || kind == BUZON_STORE_OPERATION_ARCHIVE;
}

/* Takes the operation out of the queue, with what is left of its
 * provisional copies; *@provisional_folder_id is the folder they were in,
 * or 0. */
gboolean
_buzon_store_delete_operation (BuzonStore *self,
                               gint64      operation_id,
                               gint64     *provisional_folder_id,
                               int        *rc)
{
  sqlite3_stmt *statement;

  if (!_buzon_store_drop_provisional (self, operation_id, provisional_folder_id, rc))
    return FALSE;
  statement = _buzon_store_prepare (self, "DELETE FROM pending_operation WHERE id = ?", NULL);
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
 * with *@empty set to the first range that holds none. With @deleted, only
 * those of them marked \Deleted (an empty array when none is). */
static GArray *
cached_uids (BuzonStore              *self,
             gint64                   folder_id,
             const GArray            *ranges,
             gboolean                 deleted,
             const BuzonImapUidRange **empty,
             int                     *rc)
{
  g_autoptr (GArray) cached = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
  sqlite3_stmt *statement = _buzon_store_prepare (self,
                                                  "SELECT uid, flags FROM message "
                                                  "WHERE folder_id = ?1 AND uid BETWEEN ?2 AND ?3 "
                                                  "ORDER BY uid",
                                                  NULL);
  gboolean any = FALSE;

  *empty = NULL;
  if (statement == NULL)
    return NULL;
  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);

      sqlite3_reset (statement);
      sqlite3_bind_int64 (statement, 1, folder_id);
      sqlite3_bind_int64 (statement, 2, range->first);
      sqlite3_bind_int64 (statement, 3, range->last);
      any = FALSE;
      while ((*rc = sqlite3_step (statement)) == SQLITE_ROW)
        {
          BuzonImapUidRange uid;

          any = TRUE;
          if (deleted && (sqlite3_column_int64 (statement, 1) & BUZON_STORE_FLAG_DELETED) == 0)
            continue;
          uid.first = uid.last = (guint32) sqlite3_column_int64 (statement, 0);
          g_array_append_val (cached, uid);
        }
      if (*rc != SQLITE_DONE)
        return NULL;
      *rc = SQLITE_OK;
      if (!any)
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
                  gint64                     destination_id,
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
  if (destination_id > 0)
    sqlite3_bind_int64 (statement, 7, destination_id);
  return _buzon_store_step (statement, rc);
}

/* The account's Archive: the selectable folder LIST calls \Archive, or 0. */
static gint64
archive_folder (BuzonStore *self)
{
  sqlite3_stmt *statement = _buzon_store_prepare (self,
                                                  "SELECT id FROM folder WHERE special_use = ? "
                                                  "AND (flags & ?) = 0 ORDER BY id LIMIT 1",
                                                  NULL);
  gint64 id = 0;

  if (statement == NULL)
    return 0;
  sqlite3_bind_int (statement, 1, BUZON_IMAP_SPECIAL_USE_ARCHIVE);
  sqlite3_bind_int (statement, 2, BUZON_IMAP_MAILBOX_NOSELECT);
  if (sqlite3_step (statement) == SQLITE_ROW)
    id = sqlite3_column_int64 (statement, 0);
  sqlite3_reset (statement);
  return id;
}

/* Why an operation cannot be queued, checked before anything is written:
 * NULL when it can. *@destination_id is the folder the messages go to (0
 * for the kinds that have none). */
static GError *
check_folders (BuzonStore                *self,
               const BuzonStoreOperation *operation,
               guint32                   *uidvalidity,
               gint64                    *destination_id)
{
  guint32 ignored;

  *destination_id = 0;
  if (!folder_uidvalidity (self, operation->folder_id, uidvalidity))
    return g_error_new (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND, "%s",
                        _("The folder is not in the mail cache"));
  if (!copies_messages (operation->kind))
    return NULL;
  if (operation->kind == BUZON_STORE_OPERATION_ARCHIVE)
    {
      *destination_id = archive_folder (self);
      /* Not a move to some other folder instead: the user asked for the
       * Archive. */
      if (*destination_id == 0)
        return g_error_new (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NO_ARCHIVE, "%s",
                            _("The account has no Archive folder (none of its folders is "
                              "marked \\Archive on the server)"));
    }
  else
    *destination_id = operation->destination_id;
  if (!folder_uidvalidity (self, *destination_id, &ignored))
    return g_error_new (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND, "%s",
                        _("The destination folder is not in the mail cache"));
  if (operation->kind != BUZON_STORE_OPERATION_COPY && *destination_id == operation->folder_id)
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
  guint copied = 0;
  gint64 folder_id = operation->folder_id;
  gint64 destination_id = 0;
  gint64 id;
  gboolean changes_cache = operation->kind != BUZON_STORE_OPERATION_COPY;
  int rc = SQLITE_OK;

  if (!_buzon_store_begin (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if ((error = check_folders (self, operation, &uidvalidity, &destination_id)) != NULL)
    goto failed;
  cached = cached_uids (self, folder_id, ranges, operation->kind == BUZON_STORE_OPERATION_EXPUNGE,
                        &empty, &rc);
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
  if (cached != NULL && cached->len == 0)
    {
      error = g_error_new (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND, "%s",
                           _("None of those messages is marked as deleted: there is nothing "
                             "to expunge"));
      goto failed;
    }
  uids = cached != NULL ? buzon_imap_uid_set_to_string (cached) : NULL;
  /* Queued first, for its id: the provisional copies are keyed by it, and
   * made before the effect takes the messages out of their folder. */
  if (cached == NULL || !insert_operation (self, operation, uidvalidity, uids, destination_id, &rc))
    goto sql_failed;
  id = sqlite3_last_insert_rowid (db);
  if ((destination_id > 0
       && !_buzon_store_copy_provisionally (self, folder_id, cached, destination_id, id, &copied,
                                            &rc))
      || !_buzon_store_apply_operation (self, operation->kind, folder_id, cached,
                                        (const char * const *) operation->flags, &changed, &rc))
    goto sql_failed;
  queued = g_new0 (Queued, 1);
  queued->id = id;
  queued->count = (guint) MIN (buzon_imap_uid_set_count (cached), G_MAXUINT);
  if (!_buzon_store_commit (self, &error))
    {
      g_free (queued);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Announced before the result goes, and heard before it: nothing of the
   * task's data is read once the result is returned. */
  if (changes_cache)
    _buzon_store_emit_folder_changed (self, folder_id);
  if (copied > 0)
    _buzon_store_emit_folder_changed (self, destination_id);
  if ((changes_cache && changed > 0) || copied > 0)
    _buzon_store_emit_folders_changed (self);
  g_task_return_pointer (task, queued, g_free);
  return;

sql_failed:
  error = _buzon_store_error (db, rc != SQLITE_OK ? rc : sqlite3_errcode (db),
                              _("saving a change to messages"));
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
 * the queued operation (for an expunge, only those marked \Deleted): the
 * change is made to the messages the user saw. A move, a copy or an archive
 * also puts provisional copies of the messages in the destination (see
 * store-operation-effect.c). Fails with BUZON_STORE_ERROR_NOT_FOUND when the
 * folder or the destination is not in the cache, a UID or range of
 * @operation names no cached message, or an expunge finds none marked
 * \Deleted; with BUZON_STORE_ERROR_NO_ARCHIVE for an archive on an account
 * without an \Archive folder; with G_IO_ERROR_INVALID_ARGUMENT for a
 * malformed set or a move to the folder itself. On success emits
 * "folder-changed" for the folder (not for a copy, which changes nothing
 * there) and for the destination, and "folders-changed" when counts
 * changed, before @callback.
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
  g_return_if_fail (operation->kind <= BUZON_STORE_OPERATION_ARCHIVE);

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
  char *reason;       /* NULL: completed. */
  guint32 uidvalidity; /* With @source and @destination: COPYUID. */
  GArray *source;
  GArray *destination;
} Outcome;

static void
outcome_free (Outcome *outcome)
{
  g_free (outcome->reason);
  g_clear_pointer (&outcome->source, g_array_unref);
  g_clear_pointer (&outcome->destination, g_array_unref);
  g_free (outcome);
}

/* Takes the operation out of the queue, its provisional copies given the
 * server's UIDs or dropped, in one transaction. */
static void
complete_job (BuzonStore *self,
              sqlite3    *db,
              GTask      *task)
{
  const Outcome *outcome = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gint64 resolved = 0;
  gint64 dropped = 0;
  int rc = SQLITE_OK;

  if (!_buzon_store_begin (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if ((outcome->source != NULL
       && !_buzon_store_resolve_provisional (self, outcome->id, outcome->uidvalidity,
                                             outcome->source, outcome->destination, &resolved,
                                             &rc))
      || !_buzon_store_delete_operation (self, outcome->id, &dropped, &rc))
    {
      error = _buzon_store_error (db, rc != SQLITE_OK ? rc : sqlite3_errcode (db),
                                  _("saving a change to messages"));
      _buzon_store_rollback (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!_buzon_store_commit (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (resolved > 0)
    _buzon_store_emit_folder_changed (self, resolved);
  if (dropped > 0 && dropped != resolved)
    _buzon_store_emit_folder_changed (self, dropped);
  if (resolved > 0 || dropped > 0)
    _buzon_store_emit_folders_changed (self);
  g_task_return_boolean (task, TRUE);
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
      complete_job (self, db, task);
      return;
    }
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
  g_task_return_error (task, _buzon_store_error (db, rc != SQLITE_OK ? rc : sqlite3_errcode (db),
                                                 _("saving a change to messages")));
}

static void
run_outcome (BuzonStore          *self,
             Outcome             *outcome,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, outcome, (GDestroyNotify) outcome_free);
  _buzon_store_run (self, task, outcome_job);
}

static Outcome *
outcome_new (gint64      operation_id,
             const char *reason)
{
  Outcome *outcome = g_new0 (Outcome, 1);

  outcome->id = operation_id;
  outcome->reason = g_strdup (reason);
  return outcome;
}

/**
 * buzon_store_complete_operation_async:
 *
 * Takes the operation out of the queue: the server has it, or refused it
 * and its state was kept. Its provisional copies go with it (the
 * destination's next sync brings the real messages, if any). Completing
 * an operation no longer queued succeeds and does nothing.
 */
void
buzon_store_complete_operation_async (BuzonStore          *self,
                                      gint64               operation_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_STORE (self));
  run_outcome (self, outcome_new (operation_id, NULL), buzon_store_complete_operation_async,
               cancellable, callback, user_data);
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
 * buzon_store_complete_copy_async:
 * @uidvalidity: the destination's, as COPYUID gave it
 * @source_uids: (element-type guint32): UIDs the operation covered
 * @destination_uids: (element-type guint32): the UIDs their copies got, in
 *   the same order
 *
 * Completes a move, copy or archive the server did and reported with
 * COPYUID (RFC 4315): in the same transaction that takes it out of the
 * queue, its provisional copies in the destination take the UIDs the
 * server gave them, so that the destination shows them on, with no
 * duplicate at its next sync. Under a UIDVALIDITY other than the one the
 * cache has for the destination, or where a sync has cached that UID
 * already, the provisional copies go instead, as after
 * buzon_store_complete_operation_async(), and the next sync of the
 * destination brings the real messages.
 */
void
buzon_store_complete_copy_async (BuzonStore          *self,
                                 gint64               operation_id,
                                 guint32              uidvalidity,
                                 const GArray        *source_uids,
                                 const GArray        *destination_uids,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  Outcome *outcome;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (source_uids != NULL && destination_uids != NULL);

  outcome = outcome_new (operation_id, NULL);
  outcome->uidvalidity = uidvalidity;
  outcome->source = g_array_copy ((GArray *) source_uids);
  outcome->destination = g_array_copy ((GArray *) destination_uids);
  run_outcome (self, outcome, buzon_store_complete_copy_async, cancellable, callback, user_data);
}

gboolean
buzon_store_complete_copy_finish (BuzonStore   *self,
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
  run_outcome (self, outcome_new (operation_id, reason), buzon_store_fail_operation_async,
               cancellable, callback, user_data);
}

gboolean
buzon_store_fail_operation_finish (BuzonStore   *self,
                                   GAsyncResult *result,
                                   GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
