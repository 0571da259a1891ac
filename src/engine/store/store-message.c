// The store's message queries: a folder's messages newest first, a page at
// a time, and search over the full-text index.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "imap/imap-uid-set.h"
#include "store-message.h"
#include "store-private.h"

void
buzon_store_message_free (BuzonStoreMessage *self)
{
  if (self == NULL)
    return;
  g_free (self->keywords);
  g_free (self->subject);
  g_free (self->sender_name);
  g_free (self->sender_address);
  g_free (self->to_list);
  g_free (self->cc_list);
  g_free (self->message_id);
  g_free (self->preview);
  g_free (self);
}

static char *
column_text (sqlite3_stmt *statement,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (statement, column));
}

/* A row of MESSAGE_COLUMNS, from @statement's first column on. */
BuzonStoreMessage *
_buzon_store_read_message (sqlite3_stmt *statement)
{
  return _buzon_store_read_message_at (statement, 0);
}

/* The same, with MESSAGE_COLUMNS from column @first on. */
BuzonStoreMessage *
_buzon_store_read_message_at (sqlite3_stmt *statement,
                              int           first)
{
  BuzonStoreMessage *message = g_new0 (BuzonStoreMessage, 1);

  message->id = sqlite3_column_int64 (statement, first + 0);
  message->folder_id = sqlite3_column_int64 (statement, first + 1);
  /* A provisional copy's uid is below 0: it has none yet. */
  message->uid = (guint32) MAX (sqlite3_column_int64 (statement, first + 2), 0);
  message->flags = sqlite3_column_int (statement, first + 3);
  message->keywords = column_text (statement, first + 4);
  message->date = sqlite3_column_int64 (statement, first + 5);
  message->size = (guint64) sqlite3_column_int64 (statement, first + 6);
  message->subject = column_text (statement, first + 7);
  message->sender_name = column_text (statement, first + 8);
  message->sender_address = column_text (statement, first + 9);
  message->to_list = column_text (statement, first + 10);
  message->cc_list = column_text (statement, first + 11);
  message->message_id = column_text (statement, first + 12);
  message->thread_id = sqlite3_column_int64 (statement, first + 13);
  message->has_attachment = sqlite3_column_int (statement, first + 14) != 0;
  message->preview = column_text (statement, first + 15);
  return message;
}

/* Runs @statement to its end, collecting its rows. */
static void
return_messages (sqlite3      *db,
                 GTask        *task,
                 sqlite3_stmt *statement)
{
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (
    (GDestroyNotify) buzon_store_message_free);
  int rc;

  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    g_ptr_array_add (messages, _buzon_store_read_message (statement));
  if (rc != SQLITE_DONE)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("reading messages")));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&messages), (GDestroyNotify) g_ptr_array_unref);
}

/* A folder's messages. */

typedef struct
{
  gint64 folder_id;
  guint offset;
  guint limit;
} ListData;

static void
list_messages_job (BuzonStore *self,
                   sqlite3    *db,
                   GTask      *task)
{
  ListData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *statement;

  statement = _buzon_store_prepare (self,
                                    "SELECT " MESSAGE_COLUMNS " FROM message m "
                                    "WHERE m.folder_id = ? ORDER BY m.date DESC, m.id DESC "
                                    "LIMIT ? OFFSET ?",
                                    &error);
  if (statement == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sqlite3_bind_int64 (statement, 1, data->folder_id);
  sqlite3_bind_int64 (statement, 2, data->limit);
  sqlite3_bind_int64 (statement, 3, data->offset);
  return_messages (db, task, statement);
}

/**
 * buzon_store_list_messages_async:
 * @offset: how many of the newest to skip
 * @limit: how many at most
 *
 * A page of a folder's messages, newest first (by the Date header).
 */
void
buzon_store_list_messages_async (BuzonStore          *self,
                                 gint64               folder_id,
                                 guint                offset,
                                 guint                limit,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  ListData *data;

  g_return_if_fail (BUZON_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_list_messages_async);
  data = g_new0 (ListData, 1);
  data->folder_id = folder_id;
  data->offset = offset;
  data->limit = limit;
  g_task_set_task_data (task, data, g_free);
  _buzon_store_run (self, task, list_messages_job);
}

/**
 * buzon_store_list_messages_finish:
 *
 * Returns: (transfer container) (element-type BuzonStoreMessage): the page
 */
GPtrArray *
buzon_store_list_messages_finish (BuzonStore   *self,
                                  GAsyncResult *result,
                                  GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Search. */

typedef struct
{
  char *sql;
  GPtrArray *params; /* Of GVariant: "s" or "x". */
  gint64 folder_id;
  guint limit;
} SearchData;

static void
search_data_free (SearchData *data)
{
  g_free (data->sql);
  g_ptr_array_unref (data->params);
  g_free (data);
}

static void
search_job (BuzonStore *self,
            sqlite3    *db,
            GTask      *task)
{
  SearchData *data = g_task_get_task_data (task);
  sqlite3_stmt *statement = NULL;
  int index = 1;
  int rc;

  /* Each query's text differs: prepared for this once, not kept. */
  rc = sqlite3_prepare_v2 (db, data->sql, -1, &statement, NULL);
  if (rc != SQLITE_OK)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("searching")));
      return;
    }
  for (guint i = 0; i < data->params->len; i++, index++)
    {
      GVariant *param = g_ptr_array_index (data->params, i);

      if (g_variant_is_of_type (param, G_VARIANT_TYPE_STRING))
        sqlite3_bind_text (statement, index, g_variant_get_string (param, NULL), -1,
                           SQLITE_STATIC);
      else
        sqlite3_bind_int64 (statement, index, g_variant_get_int64 (param));
    }
  if (data->folder_id > 0)
    sqlite3_bind_int64 (statement, index++, data->folder_id);
  sqlite3_bind_int64 (statement, index, data->limit);
  return_messages (db, task, statement);
  sqlite3_finalize (statement);
}

/**
 * buzon_store_search_async:
 * @folder_id: a folder, or 0 for the whole account
 * @query: what to look for; turned into SQL at once, so it may be freed
 *   when this returns
 * @limit: how many at most
 *
 * The cached messages that match, newest first.
 */
void
buzon_store_search_async (BuzonStore          *self,
                          gint64               folder_id,
                          BuzonSearchQuery    *query,
                          guint                limit,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *where = NULL;
  const char *index;
  SearchData *data;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (query != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_search_async);
  data = g_new0 (SearchData, 1);
  data->params = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  where = buzon_search_query_to_sql (query, data->params);
  index = buzon_search_query_sql_index (query, folder_id > 0);
  data->sql = g_strdup_printf ("SELECT " MESSAGE_COLUMNS " FROM message m%s%s WHERE (%s)%s "
                               "ORDER BY m.date DESC, m.id DESC LIMIT ?",
                               index != NULL ? " INDEXED BY " : "", index != NULL ? index : "",
                               where, folder_id > 0 ? " AND m.folder_id = ?" : "");
  data->folder_id = folder_id;
  data->limit = limit;
  g_task_set_task_data (task, data, (GDestroyNotify) search_data_free);
  _buzon_store_run (self, task, search_job);
}

/**
 * buzon_store_search_finish:
 *
 * Returns: (transfer container) (element-type BuzonStoreMessage): the matches
 */
GPtrArray *
buzon_store_search_finish (BuzonStore   *self,
                           GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Messages by UID. */

typedef struct
{
  gint64 folder_id;
  GArray *uids; /* BuzonImapUidRange. */
  guint limit;
} UidsData;

static void
uids_data_free (UidsData *data)
{
  g_array_unref (data->uids);
  g_free (data);
}

/* For g_ptr_array_sort() over BuzonStoreMessage: the newest first, as
 * every list of messages is shown. */
int
buzon_store_message_compare_newest_first (gconstpointer a,
                                          gconstpointer b)
{
  const BuzonStoreMessage *x = *(BuzonStoreMessage * const *) a;
  const BuzonStoreMessage *y = *(BuzonStoreMessage * const *) b;

  if (x->date != y->date)
    return x->date > y->date ? -1 : 1;
  return x->id > y->id ? -1 : x->id < y->id;
}

static void
get_messages_job (BuzonStore *self,
                  sqlite3    *db,
                  GTask      *task)
{
  UidsData *data = g_task_get_task_data (task);
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (
    (GDestroyNotify) buzon_store_message_free);
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *statement;

  statement = _buzon_store_prepare (self,
                                    "SELECT " MESSAGE_COLUMNS " FROM message m "
                                    "WHERE m.folder_id = ? AND m.uid BETWEEN ? AND ?",
                                    &error);
  if (statement == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* A range at a time: the index on (folder_id, uid) makes each a seek. */
  for (guint i = 0; i < data->uids->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (data->uids, BuzonImapUidRange, i);
      int rc;

      sqlite3_reset (statement);
      sqlite3_bind_int64 (statement, 1, data->folder_id);
      sqlite3_bind_int64 (statement, 2, range->first);
      sqlite3_bind_int64 (statement, 3, range->last);
      while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
        g_ptr_array_add (messages, _buzon_store_read_message (statement));
      if (rc != SQLITE_DONE)
        {
          g_task_return_error (task, _buzon_store_error (db, rc, _("reading messages")));
          return;
        }
    }
  g_ptr_array_sort (messages, buzon_store_message_compare_newest_first);
  if (messages->len > data->limit)
    g_ptr_array_set_size (messages, data->limit);
  g_task_return_pointer (task, g_steal_pointer (&messages), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * buzon_store_get_messages_async:
 * @uids: (element-type BuzonImapUidRange): the UIDs, as ranges; copied
 * @limit: how many at most (the newest)
 *
 * The cached messages of a folder with those UIDs, newest first; UIDs the
 * cache does not have are left out.
 */
void
buzon_store_get_messages_async (BuzonStore          *self,
                                gint64               folder_id,
                                const GArray        *uids,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  UidsData *data;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (uids != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_get_messages_async);
  data = g_new0 (UidsData, 1);
  data->folder_id = folder_id;
  data->uids = g_array_copy ((GArray *) uids);
  data->limit = limit;
  g_task_set_task_data (task, data, (GDestroyNotify) uids_data_free);
  _buzon_store_run (self, task, get_messages_job);
}

GPtrArray *
buzon_store_get_messages_finish (BuzonStore   *self,
                                 GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
