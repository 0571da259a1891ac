// Search on the server, answered with the cached summaries.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "server-search.h"
#include "store/store-message.h"

typedef struct
{
  BuzonImapSession *session;
  BuzonStore *store;
  gint64 folder_id;
  char *raw_name;
  char *criteria;
  GPtrArray *strings; /* NULL-terminated, for the session. */
  guint limit;
} SearchData;

static void
search_data_free (SearchData *data)
{
  g_clear_object (&data->session);
  g_clear_object (&data->store);
  g_free (data->raw_name);
  g_free (data->criteria);
  g_ptr_array_unref (data->strings);
  g_free (data);
}

static void
found_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  GPtrArray *messages;

  messages = buzon_store_get_messages_finish (BUZON_STORE (source), result, &error);
  if (messages == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, messages, (GDestroyNotify) g_ptr_array_unref);
}

static void
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  SearchData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) uids = NULL;

  uids = buzon_imap_session_search_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (uids == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Mail the server has and the cache not yet (newer than the last sync)
   * is left out: the next sync brings it, with its summary. */
  buzon_store_get_messages_async (data->store, data->folder_id, uids, data->limit, cancellable,
                                  found_cb, g_steal_pointer (&task));
}

static void
search (GTask *task)
{
  SearchData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  buzon_imap_session_search_async (data->session, data->criteria,
                                   (const char * const *) data->strings->pdata,
                                   BUZON_IMAP_SEARCH_NONE, cancellable, searched_cb, task);
}

static void
selected_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapSelected) selected = NULL;

  selected = buzon_imap_session_select_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (selected == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  search (g_steal_pointer (&task));
}

/**
 * buzon_server_search_async:
 * @session: logged in; the folder is opened read-only unless selected
 * @query: turned into IMAP criteria at once; may be freed when this returns
 * @limit: how many at most (the newest)
 *
 * Asks the server which messages of @folder match @query (UID SEARCH; the
 * server reads bodies the cache may not have) and returns the cached
 * summaries of those, newest first: merge them with the local search's.
 * Note that servers match text by substring and mostly without folding
 * accents, and leave has:attachment out (see buzon_search_query_to_imap()).
 */
void
buzon_server_search_async (BuzonImapSession       *session,
                           BuzonStore             *store,
                           const BuzonStoreFolder *folder,
                           BuzonSearchQuery       *query,
                           guint                   limit,
                           GCancellable           *cancellable,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  g_autoptr (GTask) task = NULL;
  SearchData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (session));
  g_return_if_fail (BUZON_IS_STORE (store));
  g_return_if_fail (folder != NULL && query != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_server_search_async);
  data = g_new0 (SearchData, 1);
  data->session = g_object_ref (session);
  data->store = g_object_ref (store);
  data->folder_id = folder->id;
  data->raw_name = g_strdup (folder->raw_name);
  data->strings = g_ptr_array_new_with_free_func (g_free);
  data->criteria = buzon_search_query_to_imap (query, data->strings);
  g_ptr_array_add (data->strings, NULL);
  data->limit = limit;
  g_task_set_task_data (task, data, (GDestroyNotify) search_data_free);
  if (g_strcmp0 (buzon_imap_session_get_selected_mailbox (session), folder->raw_name) == 0)
    {
      search (g_steal_pointer (&task));
      return;
    }
  buzon_imap_session_select_async (session, folder->raw_name, BUZON_IMAP_SELECT_READ_ONLY, NULL,
                                   NULL, NULL, NULL, cancellable, selected_cb,
                                   g_steal_pointer (&task));
}

/**
 * buzon_server_search_finish:
 *
 * Returns: (transfer container) (element-type BuzonStoreMessage): the
 *   matches the cache knows, or %NULL with @error
 */
GPtrArray *
buzon_server_search_finish (GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
