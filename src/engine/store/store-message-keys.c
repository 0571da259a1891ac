// The store's queries behind the message models: a list's order as bare
// keys, and the rows for the keys someone looks at.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A 100,000-message folder's order is 1.6 MB of keys, read from the
// (folder_id, date, id) index alone; its rows are read only for the keys a
// view asks for, a screenful at a time, by id.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "store-message-keys.h"
#include "store-private.h"

/* In a thread list, a row stands for a thread's messages in the folder:
 * the newest of them (SQLite takes the bare columns from the row that
 * max() picked) and how many there are, and unread. */
#define THREAD_ROW_SQL                                                                             \
  "SELECT max(m.date), " MESSAGE_COLUMNS ", count(*), sum((m.flags & 1) = 0) FROM message m "      \
  "WHERE m.folder_id = ?1 AND m.thread_id IN (SELECT value FROM json_each(?2)) "                   \
  "GROUP BY m.thread_id"
#define MESSAGE_ROW_SQL                                                                            \
  "SELECT 0, " MESSAGE_COLUMNS " FROM message m WHERE m.id IN (SELECT value FROM json_each(?2))"

/**
 * buzon_store_message_key_compare:
 *
 * Orders keys as lists show them: the newest first, and of two as new the
 * greater key first (the later stored, for messages).
 *
 * Returns: negative when @a comes before @b, 0 when they are the same row
 */
int
buzon_store_message_key_compare (const BuzonStoreMessageKey *a,
                                 const BuzonStoreMessageKey *b)
{
  if (a->date != b->date)
    return a->date > b->date ? -1 : 1;
  if (a->key != b->key)
    return a->key > b->key ? -1 : 1;
  return 0;
}

void
buzon_store_message_row_free (BuzonStoreMessageRow *self)
{
  if (self == NULL)
    return;
  buzon_store_message_free (self->message);
  g_free (self);
}

/* Keys. */

typedef struct
{
  char *sql;
  GPtrArray *params; /* Of GVariant: "s" or "x"; the folder's id last, when there is one. */
} KeysData;

static void
keys_data_free (KeysData *data)
{
  g_free (data->sql);
  g_ptr_array_unref (data->params);
  g_free (data);
}

static void
list_keys_job (BuzonStore *self,
               sqlite3    *db,
               GTask      *task)
{
  KeysData *data = g_task_get_task_data (task);
  g_autoptr (GArray) keys = g_array_new (FALSE, FALSE, sizeof (BuzonStoreMessageKey));
  sqlite3_stmt *statement = NULL;
  int rc;

  /* A search's text differs each time: prepared for this once, not kept. */
  rc = sqlite3_prepare_v2 (db, data->sql, -1, &statement, NULL);
  if (rc != SQLITE_OK)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("reading messages")));
      return;
    }
  for (guint i = 0; i < data->params->len; i++)
    {
      GVariant *param = g_ptr_array_index (data->params, i);

      if (g_variant_is_of_type (param, G_VARIANT_TYPE_STRING))
        sqlite3_bind_text (statement, (int) i + 1, g_variant_get_string (param, NULL), -1,
                           SQLITE_STATIC);
      else
        sqlite3_bind_int64 (statement, (int) i + 1, g_variant_get_int64 (param));
    }
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      BuzonStoreMessageKey key;

      key.key = sqlite3_column_int64 (statement, 0);
      key.date = sqlite3_column_int64 (statement, 1);
      g_array_append_val (keys, key);
    }
  sqlite3_finalize (statement);
  if (rc != SQLITE_DONE)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("reading messages")));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&keys), (GDestroyNotify) g_array_unref);
}

/**
 * buzon_store_list_message_keys_async:
 * @folder_id: the folder, or 0 for the whole account (only with a @query)
 * @kind: every message, or one row per thread (not with a @query)
 * @query: (nullable): only the messages that match; turned into SQL at
 *   once, so it may be freed when this returns
 * @also: (nullable) (element-type gint64): with a @query, message ids that
 *   match too (the server's answer for bodies the cache lacks); copied
 *
 * The order of a folder's messages or threads, or of the messages that
 * match a search, newest first, as keys: message ids, or thread ids with
 * the date of the thread's newest message in the folder.
 */
void
buzon_store_list_message_keys_async (BuzonStore             *self,
                                     gint64                  folder_id,
                                     BuzonStoreListKind      kind,
                                     const BuzonSearchQuery *query,
                                     const GArray           *also,
                                     GCancellable           *cancellable,
                                     GAsyncReadyCallback     callback,
                                     gpointer                user_data)
{
  g_autoptr (GTask) task = NULL;
  KeysData *data;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (query == NULL || kind == BUZON_STORE_LIST_MESSAGES);
  g_return_if_fail (query != NULL || folder_id > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_list_message_keys_async);
  data = g_new0 (KeysData, 1);
  data->params = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  if (query != NULL)
    {
      g_autofree char *where = buzon_search_query_to_sql (query, data->params);

      if (also != NULL && also->len > 0)
        {
          GString *json = g_string_new ("[");

          for (guint i = 0; i < also->len; i++)
            g_string_append_printf (json, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                                    g_array_index (also, gint64, i));
          g_string_append_c (json, ']');
          g_ptr_array_add (data->params,
                           g_variant_ref_sink (g_variant_new_take_string (
                             g_string_free (json, FALSE))));
        }
      data->sql = g_strdup_printf ("SELECT m.id, m.date FROM message m WHERE ((%s)%s)%s "
                                   "ORDER BY m.date DESC, m.id DESC",
                                   where,
                                   also != NULL && also->len > 0
                                     ? " OR m.id IN (SELECT value FROM json_each(?))"
                                     : "",
                                   folder_id > 0 ? " AND m.folder_id = ?" : "");
    }
  else if (kind == BUZON_STORE_LIST_THREADS)
    data->sql = g_strdup ("SELECT m.thread_id, max(m.date) AS newest FROM message m "
                          "WHERE m.folder_id = ? GROUP BY m.thread_id "
                          "ORDER BY newest DESC, m.thread_id DESC");
  else
    data->sql = g_strdup ("SELECT m.id, m.date FROM message m WHERE m.folder_id = ? "
                          "ORDER BY m.date DESC, m.id DESC");
  if (folder_id > 0)
    g_ptr_array_add (data->params, g_variant_ref_sink (g_variant_new_int64 (folder_id)));
  g_task_set_task_data (task, data, (GDestroyNotify) keys_data_free);
  _buzon_store_run (self, task, list_keys_job);
}

/**
 * buzon_store_list_message_keys_finish:
 *
 * Returns: (transfer full) (element-type BuzonStoreMessageKey): the keys,
 *   newest first
 */
GArray *
buzon_store_list_message_keys_finish (BuzonStore   *self,
                                      GAsyncResult *result,
                                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Rows. */

typedef struct
{
  gint64 folder_id;
  BuzonStoreListKind kind;
  char *keys_json; /* "[1,2,3]": for json_each(), which SQLite has built in. */
} RowsData;

static void
rows_data_free (RowsData *data)
{
  g_free (data->keys_json);
  g_free (data);
}

static void
get_rows_job (BuzonStore *self,
              sqlite3    *db,
              GTask      *task)
{
  RowsData *data = g_task_get_task_data (task);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (
    (GDestroyNotify) buzon_store_message_row_free);
  g_autoptr (GError) error = NULL;
  gboolean threads = data->kind == BUZON_STORE_LIST_THREADS;
  sqlite3_stmt *statement;
  int rc;

  statement = _buzon_store_prepare (self, threads ? THREAD_ROW_SQL : MESSAGE_ROW_SQL, &error);
  if (statement == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (threads)
    sqlite3_bind_int64 (statement, 1, data->folder_id);
  sqlite3_bind_text (statement, 2, data->keys_json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      BuzonStoreMessageRow *row = g_new0 (BuzonStoreMessageRow, 1);

      /* The reader starts at the first column: skip max(). */
      row->message = _buzon_store_read_message_at (statement, 1);
      if (threads)
        {
          row->key = row->message->thread_id;
          row->thread_count = (guint) sqlite3_column_int64 (statement, MESSAGE_N_COLUMNS + 1);
          row->thread_unread = (guint) sqlite3_column_int64 (statement, MESSAGE_N_COLUMNS + 2);
        }
      else
        {
          row->key = row->message->id;
          row->thread_count = 1;
          row->thread_unread = (row->message->flags & BUZON_STORE_FLAG_SEEN) == 0;
        }
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("reading messages")));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&rows), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * buzon_store_get_message_rows_async:
 * @folder_id: the folder of a thread list (ignored for messages)
 * @keys: (element-type gint64): message ids, or thread ids for
 *   %BUZON_STORE_LIST_THREADS; copied
 *
 * The rows of a list for those keys, in no particular order; keys with no
 * row any more are left out.
 */
void
buzon_store_get_message_rows_async (BuzonStore          *self,
                                    gint64               folder_id,
                                    BuzonStoreListKind   kind,
                                    const GArray        *keys,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  GString *json;
  RowsData *data;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (keys != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_get_message_rows_async);
  data = g_new0 (RowsData, 1);
  data->folder_id = folder_id;
  data->kind = kind;
  json = g_string_new ("[");
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (json, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            g_array_index (keys, gint64, i));
  g_string_append_c (json, ']');
  data->keys_json = g_string_free (json, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) rows_data_free);
  _buzon_store_run (self, task, get_rows_job);
}

/**
 * buzon_store_get_message_rows_finish:
 *
 * Returns: (transfer container) (element-type BuzonStoreMessageRow): the rows
 */
GPtrArray *
buzon_store_get_message_rows_finish (BuzonStore   *self,
                                     GAsyncResult *result,
                                     GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
