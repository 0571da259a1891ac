// Search on the server, answered with the cached summaries.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

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

/* Starts the search of @folder with @criteria (and its @strings,
 * NULL-terminated, referenced). */
static void
start_search (BuzonImapSession       *session,
              BuzonStore             *store,
              const BuzonStoreFolder *folder,
              const char             *criteria,
              GPtrArray              *strings,
              guint                   limit,
              GCancellable           *cancellable,
              GAsyncReadyCallback     callback,
              gpointer                user_data)
{
  g_autoptr (GTask) task = NULL;
  SearchData *data;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_server_search_async);
  data = g_new0 (SearchData, 1);
  data->session = g_object_ref (session);
  data->store = g_object_ref (store);
  data->folder_id = folder->id;
  data->raw_name = g_strdup (folder->raw_name);
  data->strings = g_ptr_array_ref (strings);
  data->criteria = g_strdup (criteria);
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
  g_autoptr (GPtrArray) strings = NULL;
  g_autofree char *criteria = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (session));
  g_return_if_fail (BUZON_IS_STORE (store));
  g_return_if_fail (folder != NULL && query != NULL);

  strings = g_ptr_array_new_with_free_func (g_free);
  criteria = buzon_search_query_to_imap (query, strings);
  g_ptr_array_add (strings, NULL);
  start_search (session, store, folder, criteria, strings, limit, cancellable, callback,
                user_data);
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

/* Every folder, one after the other. */

typedef struct
{
  BuzonImapSession *session;
  BuzonStore *store;
  char *criteria;
  GPtrArray *strings;  /* NULL-terminated, for the session. */
  guint limit;
  GPtrArray *folders;  /* Of BuzonStoreFolder: the selectable ones. */
  guint next;
  GPtrArray *messages; /* Of BuzonStoreMessage. */
  GPtrArray *failures; /* Of GError. */
} SearchAllData;

static void
search_all_data_free (SearchAllData *data)
{
  g_clear_object (&data->session);
  g_clear_object (&data->store);
  g_free (data->criteria);
  g_ptr_array_unref (data->strings);
  g_clear_pointer (&data->folders, g_ptr_array_unref);
  g_clear_pointer (&data->messages, g_ptr_array_unref);
  g_clear_pointer (&data->failures, g_ptr_array_unref);
  g_free (data);
}

static void search_next_folder (GTask *task);

static void
folder_searched_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  SearchAllData *data = g_task_get_task_data (task);
  const BuzonStoreFolder *folder = data->folders->pdata[data->next - 1];
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = NULL;

  found = buzon_server_search_finish (result, &error);
  if (found == NULL)
    {
      /* Without a connection no other folder can be asked. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || buzon_imap_session_get_state (data->session) == BUZON_IMAP_SESSION_LOGOUT)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* Translators: the first %s is a folder's name, the second why. */
      g_ptr_array_add (data->failures, g_error_new (error->domain, error->code, _("%s: %s"),
                                                    folder->name, error->message));
    }
  else
    for (guint i = 0; i < found->len; i++)
      g_ptr_array_add (data->messages, g_steal_pointer (&found->pdata[i]));
  search_next_folder (g_steal_pointer (&task));
}

/* Takes the reference to @task. */
static void
search_next_folder (GTask *task)
{
  SearchAllData *data = g_task_get_task_data (task);

  if (data->next >= data->folders->len)
    {
      g_ptr_array_sort (data->messages, buzon_store_message_compare_newest_first);
      if (data->messages->len > data->limit)
        g_ptr_array_set_size (data->messages, data->limit);
      g_task_return_pointer (task, g_steal_pointer (&data->messages),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }
  start_search (data->session, data->store, data->folders->pdata[data->next++], data->criteria,
                data->strings, data->limit, g_task_get_cancellable (task), folder_searched_cb,
                task);
}

static void
folders_listed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  SearchAllData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;

  folders = buzon_store_list_folders_finish (BUZON_STORE (source), result, &error);
  if (folders == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_store_folder_free);
  for (guint i = 0; i < folders->len; i++)
    {
      BuzonStoreFolder *folder = folders->pdata[i];

      if ((folder->flags & (BUZON_IMAP_MAILBOX_NOSELECT | BUZON_IMAP_MAILBOX_NONEXISTENT)) == 0)
        g_ptr_array_add (data->folders, g_steal_pointer (&folders->pdata[i]));
    }
  search_next_folder (g_steal_pointer (&task));
}

/**
 * buzon_server_search_all_async:
 * @session: logged in; each folder is opened read-only in turn
 * @query: turned into IMAP criteria at once; may be freed when this returns
 * @limit: how many at most (the newest, over all folders)
 *
 * buzon_server_search_async() on every selectable folder the cache knows
 * (the server's folder list at the last sync), one after the other on
 * @session, and the matches of all of them, newest first. A folder that
 * fails (deleted on the server since) is left out and reported in the
 * result's failures; the connection failing ends the search with its
 * error.
 */
void
buzon_server_search_all_async (BuzonImapSession    *session,
                               BuzonStore          *store,
                               BuzonSearchQuery    *query,
                               guint                limit,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  SearchAllData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (session));
  g_return_if_fail (BUZON_IS_STORE (store));
  g_return_if_fail (query != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_server_search_all_async);
  data = g_new0 (SearchAllData, 1);
  data->session = g_object_ref (session);
  data->store = g_object_ref (store);
  data->strings = g_ptr_array_new_with_free_func (g_free);
  data->criteria = buzon_search_query_to_imap (query, data->strings);
  g_ptr_array_add (data->strings, NULL);
  data->limit = limit;
  data->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_store_message_free);
  data->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_task_set_task_data (task, data, (GDestroyNotify) search_all_data_free);
  buzon_store_list_folder_states_async (store, cancellable,
                                        folders_listed_cb, g_steal_pointer (&task));
}

/**
 * buzon_server_search_all_finish:
 * @failures: (out) (optional) (transfer container) (element-type GError):
 *   the folders that could not be searched, each error naming its folder;
 *   empty when all were
 *
 * Returns: (transfer container) (element-type BuzonStoreMessage): the
 *   matches the cache knows, from every folder, newest first; or %NULL
 *   with @error
 */
GPtrArray *
buzon_server_search_all_finish (GAsyncResult  *result,
                                GPtrArray    **failures,
                                GError       **error)
{
  SearchAllData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (failures != NULL)
    *failures = g_ptr_array_ref (data->failures);
  return g_task_propagate_pointer (G_TASK (result), error);
}
