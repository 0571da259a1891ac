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
  GMimeMessage *message;
  sqlite3_stmt *statement;
  int rc;

  /* Parsed here, on the store's thread: never on the main one. A message
   * GMime cannot read is still kept; only the index misses its text. */
  message = buzon_mime_parse_message (data->raw, NULL);
  if (message != NULL)
    {
      text = buzon_mime_get_readable_text (message);
      g_object_unref (message);
    }
  if (!_buzon_store_begin (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  statement = _buzon_store_prepare (self,
                                    "INSERT OR REPLACE INTO body (message_id, raw, fetched_at) "
                                    "VALUES (?, ?, ?)",
                                    &error);
  if (statement == NULL)
    goto failed;
  sqlite3_bind_int64 (statement, 1, data->message_id);
  sqlite3_bind_blob64 (statement, 2, g_bytes_get_data (data->raw, NULL),
                       g_bytes_get_size (data->raw), SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 3, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (statement);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      /* The message left the cache (a sync removed it) meanwhile. */
      error = g_error_new_literal (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                                   _("The message is not in the mail cache any more"));
      goto failed;
    }
  if (rc != SQLITE_DONE)
    {
      error = _buzon_store_error (db, rc, _("saving a message"));
      goto failed;
    }
  statement = _buzon_store_prepare (self, "UPDATE message_fts SET body = ? WHERE rowid = ?",
                                    &error);
  if (statement == NULL)
    goto failed;
  sqlite3_bind_text (statement, 1, text != NULL ? text : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 2, data->message_id);
  rc = sqlite3_step (statement);
  if (rc != SQLITE_DONE)
    {
      error = _buzon_store_error (db, rc, _("saving a message"));
      goto failed;
    }
  if (!_buzon_store_commit (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
  return;

failed:
  _buzon_store_rollback (self);
  g_task_return_error (task, g_steal_pointer (&error));
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
