// The store's cached message bodies.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mime/mime-text.h"
#include "store-body.h"
#include "store-private.h"

void
buzon_store_body_free (BuzonStoreBody *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->raw, g_bytes_unref);
  g_free (self);
}

/* Reading. */

typedef struct
{
  gint64 folder_id;
  guint32 uid;
} BodyKey;

static void
get_body_job (BuzonStore *self,
              sqlite3    *db,
              GTask      *task)
{
  BodyKey *key = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonStoreBody) body = NULL;
  sqlite3_stmt *statement;
  int rc;

  statement = _buzon_store_prepare (self,
                                    "SELECT m.id, b.raw FROM message m LEFT JOIN body b "
                                    "ON b.message_id = m.id WHERE m.folder_id = ? AND m.uid = ?",
                                    &error);
  if (statement == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sqlite3_bind_int64 (statement, 1, key->folder_id);
  sqlite3_bind_int64 (statement, 2, key->uid);
  rc = sqlite3_step (statement);
  if (rc == SQLITE_DONE)
    {
      /* Translators: %u is a message's UID. */
      g_task_return_new_error (task, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                               _("There is no message with UID %u in that folder"), key->uid);
      return;
    }
  if (rc != SQLITE_ROW)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("reading a message")));
      return;
    }
  body = g_new0 (BuzonStoreBody, 1);
  body->message_id = sqlite3_column_int64 (statement, 0);
  if (sqlite3_column_type (statement, 1) != SQLITE_NULL)
    body->raw = g_bytes_new (sqlite3_column_blob (statement, 1),
                             sqlite3_column_bytes (statement, 1));
  g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) buzon_store_body_free);
}

/**
 * buzon_store_get_body_async:
 *
 * The cached message (folder, UID) and its body when cached. A message the
 * cache does not have fails with BUZON_STORE_ERROR_NOT_FOUND.
 */
void
buzon_store_get_body_async (BuzonStore          *self,
                            gint64               folder_id,
                            guint32              uid,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  BodyKey *key;

  g_return_if_fail (BUZON_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_get_body_async);
  key = g_new0 (BodyKey, 1);
  key->folder_id = folder_id;
  key->uid = uid;
  g_task_set_task_data (task, key, g_free);
  _buzon_store_run (self, task, get_body_job);
}

BuzonStoreBody *
buzon_store_get_body_finish (BuzonStore   *self,
                             GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Saving. */

static const char insert_body_sql[] =
  "INSERT OR REPLACE INTO body (message_id, raw, fetched_at) VALUES (?, ?, ?)";
static const char index_body_sql[] = "UPDATE message_fts SET body = ? WHERE rowid = ?";

/* Keeps one body and indexes its text; on the worker, inside a
 * transaction. */
static gboolean
save_one (BuzonStore  *self,
          sqlite3     *db,
          gint64       message_id,
          GBytes      *raw,
          const char  *text,
          GError     **error)
{
  sqlite3_stmt *statement;
  int rc;

  statement = _buzon_store_prepare (self, insert_body_sql, error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, message_id);
  sqlite3_bind_blob64 (statement, 2, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw),
                       SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 3, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (statement);
  sqlite3_reset (statement);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      /* The message left the cache (a sync removed it) meanwhile. */
      g_set_error_literal (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                           _("The message is not in the mail cache any more"));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      g_propagate_error (error, _buzon_store_error (db, rc, _("saving a message")));
      return FALSE;
    }
  statement = _buzon_store_prepare (self, index_body_sql, error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, text != NULL ? text : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 2, message_id);
  rc = sqlite3_step (statement);
  sqlite3_reset (statement);
  if (rc != SQLITE_DONE)
    {
      g_propagate_error (error, _buzon_store_error (db, rc, _("saving a message")));
      return FALSE;
    }
  return TRUE;
}

/* The readable text of a whole message, for the index; NULL when GMime
 * cannot read it (the message is still kept). */
static char *
readable_text (GBytes *raw)
{
  GMimeMessage *message = buzon_mime_parse_message (raw, NULL);
  char *text;

  if (message == NULL)
    return NULL;
  text = buzon_mime_get_readable_text (message);
  g_object_unref (message);
  return text;
}

typedef struct
{
  gint64 message_id;
  GBytes *raw;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_bytes_unref (data->raw);
  g_free (data);
}

static void
save_body_job (BuzonStore *self,
               sqlite3    *db,
               GTask      *task)
{
  SaveData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  /* Parsed here, on the store's thread: never on the main one. */
  text = readable_text (data->raw);
  if (!_buzon_store_begin (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!save_one (self, db, data->message_id, data->raw, text, &error))
    {
      _buzon_store_rollback (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!_buzon_store_commit (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * buzon_store_save_body_async:
 * @message_id: the cache's row for the message
 * @raw: the whole message
 *
 * Keeps the body and indexes its readable text for search, in one
 * transaction. A message that left the cache meanwhile fails with
 * BUZON_STORE_ERROR_NOT_FOUND and nothing is kept.
 */
void
buzon_store_save_body_async (BuzonStore          *self,
                             gint64               message_id,
                             GBytes              *raw,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  SaveData *data;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (raw != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_save_body_async);
  data = g_new0 (SaveData, 1);
  data->message_id = message_id;
  data->raw = g_bytes_ref (raw);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  _buzon_store_run (self, task, save_body_job);
}

gboolean
buzon_store_save_body_finish (BuzonStore   *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Many bodies of one folder at once. */

typedef struct
{
  gint64 folder_id;
  GArray *uids;    /* guint32 */
  GPtrArray *raws; /* GBytes, one per UID */
} SaveManyData;

static void
save_many_data_free (SaveManyData *data)
{
  g_array_unref (data->uids);
  g_ptr_array_unref (data->raws);
  g_free (data);
}

static void
save_bodies_job (BuzonStore *self,
                 sqlite3    *db,
                 GTask      *task)
{
  SaveManyData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *statement;
  guint saved = 0;

  /* Parsed before the transaction starts, so that the write lock is held
   * only for the writes. */
  for (guint i = 0; i < data->raws->len; i++)
    g_ptr_array_add (texts, readable_text (data->raws->pdata[i]));
  if (!_buzon_store_begin (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < data->uids->len; i++)
    {
      gint64 message_id;
      int rc;

      statement = _buzon_store_prepare (self,
                                        "SELECT id FROM message WHERE folder_id = ? AND uid = ?",
                                        &error);
      if (statement == NULL)
        goto failed;
      sqlite3_bind_int64 (statement, 1, data->folder_id);
      sqlite3_bind_int64 (statement, 2, g_array_index (data->uids, guint32, i));
      rc = sqlite3_step (statement);
      if (rc == SQLITE_DONE)
        continue; /* Gone from the cache meanwhile: nothing to keep. */
      if (rc != SQLITE_ROW)
        {
          error = _buzon_store_error (db, rc, _("saving a message"));
          goto failed;
        }
      message_id = sqlite3_column_int64 (statement, 0);
      sqlite3_reset (statement);
      if (!save_one (self, db, message_id, data->raws->pdata[i], texts->pdata[i], &error))
        goto failed;
      saved++;
    }
  if (!_buzon_store_commit (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_int (task, saved);
  return;

failed:
  _buzon_store_rollback (self);
  g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * buzon_store_save_bodies_async:
 * @folder_id: the folder the messages are in
 * @uids: (transfer full) (element-type guint32): their UIDs
 * @raws: (transfer full) (element-type GBytes): the whole messages, one per
 *   UID, in the same order
 *
 * Keeps many bodies of one folder and indexes their text, all in one
 * transaction: either every one is kept or, on an error, none. Messages
 * that left the cache meanwhile are skipped. The MIME parsing for the index
 * happens on the store's thread.
 */
void
buzon_store_save_bodies_async (BuzonStore          *self,
                               gint64               folder_id,
                               GArray              *uids,
                               GPtrArray           *raws,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  SaveManyData *data;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (uids != NULL && raws != NULL && uids->len == raws->len);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_save_bodies_async);
  data = g_new0 (SaveManyData, 1);
  data->folder_id = folder_id;
  data->uids = uids;
  data->raws = raws;
  g_task_set_task_data (task, data, (GDestroyNotify) save_many_data_free);
  _buzon_store_run (self, task, save_bodies_job);
}

/**
 * buzon_store_save_bodies_finish:
 * @saved: (out) (optional): how many were kept (the others had left the
 *   cache)
 */
gboolean
buzon_store_save_bodies_finish (BuzonStore   *self,
                                GAsyncResult *result,
                                guint        *saved,
                                GError      **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (saved != NULL)
    *saved = (guint) n;
  return TRUE;
}

/* The messages without a body. */

typedef struct
{
  gint64 folder_id;
  gint64 since;
  guint64 max_size;
  guint too_large;
} MissingQuery;

static void
list_missing_job (BuzonStore *self,
                  sqlite3    *db,
                  GTask      *task)
{
  MissingQuery *query = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) missing = g_array_new (FALSE, FALSE, sizeof (BuzonStoreMissingBody));
  sqlite3_stmt *statement;
  int rc;

  statement = _buzon_store_prepare (self,
                                    /* Only the recent messages, found by the
                                     * folder's date index, and of those the
                                     * ones without a body. Provisional copies
                                     * (UIDs below 1) are not the server's to
                                     * send. */
                                    "SELECT m.uid, m.size FROM message m "
                                    "INDEXED BY message_by_date "
                                    "WHERE m.folder_id = ? AND m.date >= ? "
                                    "AND m.has_body = 0 AND m.uid > 0 "
                                    "ORDER BY m.uid DESC",
                                    &error);
  if (statement == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sqlite3_bind_int64 (statement, 1, query->folder_id);
  sqlite3_bind_int64 (statement, 2, query->since);
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      BuzonStoreMissingBody entry;

      entry.uid = (guint32) sqlite3_column_int64 (statement, 0);
      entry.size = (guint64) sqlite3_column_int64 (statement, 1);
      if (entry.size > query->max_size)
        query->too_large++;
      else
        g_array_append_val (missing, entry);
    }
  sqlite3_reset (statement);
  if (rc != SQLITE_DONE)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("reading the cache")));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&missing), (GDestroyNotify) g_array_unref);
}

/**
 * buzon_store_list_missing_bodies_async:
 * @folder_id: the folder
 * @since: only messages dated (the Date header, else INTERNALDATE, as the
 *   message list shows them) at this Unix time or later; 0 for all
 * @max_size: messages larger than this many octets are left out, and
 *   counted
 *
 * The cached messages of @folder whose bodies the cache lacks, newest (the
 * highest UID) first: what a prefetch downloads.
 */
void
buzon_store_list_missing_bodies_async (BuzonStore          *self,
                                       gint64               folder_id,
                                       gint64               since,
                                       guint64              max_size,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  MissingQuery *query;

  g_return_if_fail (BUZON_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_list_missing_bodies_async);
  query = g_new0 (MissingQuery, 1);
  query->folder_id = folder_id;
  query->since = since;
  query->max_size = max_size;
  g_task_set_task_data (task, query, g_free);
  _buzon_store_run (self, task, list_missing_job);
}

/**
 * buzon_store_list_missing_bodies_finish:
 * @too_large: (out) (optional): how many lack a body but are over the size
 *   given
 *
 * Returns: (transfer full) (element-type BuzonStoreMissingBody): newest
 *   first, or %NULL with @error
 */
GArray *
buzon_store_list_missing_bodies_finish (BuzonStore   *self,
                                        GAsyncResult *result,
                                        guint        *too_large,
                                        GError      **error)
{
  GArray *missing;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  missing = g_task_propagate_pointer (G_TASK (result), error);
  if (missing != NULL && too_large != NULL)
    *too_large = ((MissingQuery *) g_task_get_task_data (G_TASK (result)))->too_large;
  return missing;
}
