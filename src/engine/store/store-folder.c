// The store's folders: saving what LIST reported, listing them with what
// the cache holds.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "store-folder.h"
#include "store-private.h"

void
buzon_store_folder_free (BuzonStoreFolder *self)
{
  if (self == NULL)
    return;
  g_free (self->raw_name);
  g_free (self->name);
  g_free (self);
}

BuzonStoreFolder *
buzon_store_folder_copy (const BuzonStoreFolder *self)
{
  BuzonStoreFolder *copy = g_memdup2 (self, sizeof *self);

  copy->raw_name = g_strdup (self->raw_name);
  copy->name = g_strdup (self->name);
  return copy;
}

/* Saving the folder list. */

static void
save_folders_job (BuzonStore *self,
                  sqlite3    *db,
                  GTask      *task)
{
  GPtrArray *mailboxes = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *upsert;
  sqlite3_stmt *mark;
  int rc = SQLITE_OK;

  if (!_buzon_store_begin (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Folders not listed any more go, with their messages; the mark tells
   * them apart. */
  if (!_buzon_store_exec (db, "CREATE TEMP TABLE IF NOT EXISTS listed (raw_name TEXT PRIMARY KEY);"
                              "DELETE FROM listed", &error))
    goto failed;
  upsert = _buzon_store_prepare (self,
                                 "INSERT INTO folder (raw_name, name, delimiter, flags, "
                                 "special_use) VALUES (?1, ?2, ?3, ?4, ?5) "
                                 "ON CONFLICT (raw_name) DO UPDATE SET name = ?2, "
                                 "delimiter = ?3, flags = ?4, special_use = ?5",
                                 &error);
  mark = upsert != NULL ? _buzon_store_prepare (self, "INSERT OR IGNORE INTO listed VALUES (?1)",
                                                &error)
                        : NULL;
  if (mark == NULL)
    goto failed;
  for (guint i = 0; i < mailboxes->len && rc == SQLITE_OK; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (mailboxes, i);
      char delimiter[8] = { 0 };

      if (mailbox->delimiter != 0)
        g_unichar_to_utf8 (mailbox->delimiter, delimiter);
      sqlite3_reset (upsert);
      sqlite3_bind_text (upsert, 1, mailbox->raw_name, -1, SQLITE_STATIC);
      sqlite3_bind_text (upsert, 2, mailbox->name, -1, SQLITE_STATIC);
      if (mailbox->delimiter != 0)
        sqlite3_bind_text (upsert, 3, delimiter, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (upsert, 3);
      sqlite3_bind_int64 (upsert, 4, mailbox->flags);
      sqlite3_bind_int64 (upsert, 5, mailbox->special_use);
      rc = sqlite3_step (upsert);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
      if (rc == SQLITE_OK)
        {
          sqlite3_reset (mark);
          sqlite3_bind_text (mark, 1, mailbox->raw_name, -1, SQLITE_STATIC);
          rc = sqlite3_step (mark);
          rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
    }
  if (rc != SQLITE_OK)
    {
      error = _buzon_store_error (db, rc, _("saving the folder list"));
      goto failed;
    }
  if (!_buzon_store_exec (db,
                          /* By folder, which the index on message starts with: a
                           * join would read every message of the account. */
                          "DELETE FROM message_fts WHERE rowid IN (SELECT m.id FROM message m "
                          "WHERE m.folder_id IN (SELECT f.id FROM folder f WHERE f.raw_name "
                          "NOT IN (SELECT raw_name FROM listed)));"
                          "DELETE FROM folder WHERE raw_name NOT IN (SELECT raw_name FROM listed)",
                          &error)
      || !_buzon_store_commit (self, &error))
    goto failed;
  _buzon_store_emit_folders_changed (self);
  g_task_return_boolean (task, TRUE);
  return;

failed:
  _buzon_store_rollback (self);
  g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * buzon_store_save_folders_async:
 * @mailboxes: (element-type BuzonImapMailbox): every mailbox LIST reported;
 *   the store keeps a reference to the array until the job has run, and
 *   nobody may change it meanwhile
 *
 * Adds the new folders, updates the others and removes the folders that
 * are not listed any more, with their cached messages, in one transaction.
 * Emits "folders-changed".
 */
void
buzon_store_save_folders_async (BuzonStore          *self,
                                GPtrArray           *mailboxes,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (mailboxes != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_save_folders_async);
  g_task_set_task_data (task, g_ptr_array_ref (mailboxes), (GDestroyNotify) g_ptr_array_unref);
  _buzon_store_run (self, task, save_folders_job);
}

gboolean
buzon_store_save_folders_finish (BuzonStore   *self,
                                 GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Listing. */

static void
list_folders_job (BuzonStore *self,
                  sqlite3    *db,
                  GTask      *task)
{
  g_autoptr (GPtrArray) folders = g_ptr_array_new_with_free_func (
    (GDestroyNotify) buzon_store_folder_free);
  g_autoptr (GError) error = NULL;
  gboolean counts = GPOINTER_TO_INT (g_task_get_task_data (task));
  sqlite3_stmt *query;
  int rc;

#define FOLDER_COLUMNS                                                                             \
  "SELECT f.id, f.raw_name, f.name, f.delimiter, f.flags, f.special_use, f.uidvalidity, "          \
  "f.uidnext, f.highestmodseq, f.exists_count, f.unseen_count, f.first_sync_done, f.synced_at, "
#define FOLDER_ORDER " FROM folder f ORDER BY f.raw_name <> 'INBOX', f.name"
  if (counts)
    query = _buzon_store_prepare (self,
                                  FOLDER_COLUMNS
                                  "(SELECT count(*) FROM message m WHERE m.folder_id = f.id), "
                                  "(SELECT count(*) FROM message m WHERE m.folder_id = f.id "
                                  "AND (m.flags & 1) = 0)" FOLDER_ORDER,
                                  &error);
  else
    query = _buzon_store_prepare (self, FOLDER_COLUMNS "0, 0" FOLDER_ORDER, &error);
#undef FOLDER_COLUMNS
#undef FOLDER_ORDER
  if (query == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  while ((rc = sqlite3_step (query)) == SQLITE_ROW)
    {
      BuzonStoreFolder *folder = g_new0 (BuzonStoreFolder, 1);
      const char *delimiter = (const char *) sqlite3_column_text (query, 3);

      folder->id = sqlite3_column_int64 (query, 0);
      folder->raw_name = g_strdup ((const char *) sqlite3_column_text (query, 1));
      folder->name = g_strdup ((const char *) sqlite3_column_text (query, 2));
      folder->delimiter = delimiter != NULL ? g_utf8_get_char (delimiter) : 0;
      folder->flags = sqlite3_column_int64 (query, 4);
      folder->special_use = sqlite3_column_int64 (query, 5);
      folder->uidvalidity = (guint32) sqlite3_column_int64 (query, 6);
      folder->uidnext = (guint32) sqlite3_column_int64 (query, 7);
      folder->highestmodseq = (guint64) sqlite3_column_int64 (query, 8);
      folder->exists_count = (guint32) sqlite3_column_int64 (query, 9);
      folder->unseen_count = (guint32) sqlite3_column_int64 (query, 10);
      folder->first_sync_done = sqlite3_column_int (query, 11) != 0;
      folder->synced_at = sqlite3_column_int64 (query, 12);
      folder->cached_count = (guint32) sqlite3_column_int64 (query, 13);
      folder->cached_unseen = (guint32) sqlite3_column_int64 (query, 14);
      g_ptr_array_add (folders, folder);
    }
  if (rc != SQLITE_DONE)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("reading the folder list")));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&folders), (GDestroyNotify) g_ptr_array_unref);
}

/* Both listings: one tag, so that buzon_store_list_folders_finish() takes
 * either. */
static void
list_folders (BuzonStore          *self,
              gboolean             counts,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, buzon_store_list_folders_async);
  g_task_set_task_data (task, GINT_TO_POINTER (counts), NULL);
  _buzon_store_run (self, task, list_folders_job);
}

/**
 * buzon_store_list_folders_async:
 *
 * Lists the cached folders, INBOX first, then by name, each with what the
 * last sync left and what the cache holds now.
 */
void
buzon_store_list_folders_async (BuzonStore          *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_STORE (self));
  list_folders (self, TRUE, cancellable, callback, user_data);
}

/**
 * buzon_store_list_folder_states_async:
 *
 * As buzon_store_list_folders_async(), without what the cache holds now
 * (cached_count and cached_unseen are 0): what a sync needs, without
 * counting the messages, which in a folder of 100,000 takes tens of
 * milliseconds. Finish with buzon_store_list_folders_finish().
 */
void
buzon_store_list_folder_states_async (BuzonStore          *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_STORE (self));
  list_folders (self, FALSE, cancellable, callback, user_data);
}

/**
 * buzon_store_list_folders_finish:
 *
 * Returns: (transfer container) (element-type BuzonStoreFolder): the folders
 */
GPtrArray *
buzon_store_list_folders_finish (BuzonStore   *self,
                                 GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
