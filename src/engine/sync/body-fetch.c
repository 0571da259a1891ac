// A message's body on demand: from the cache, else from the server.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "body-fetch.h"
#include "store/store-body.h"

typedef struct
{
  BuzonImapSession *session; /* Nullable: then only the cache is asked. */
  BuzonStore *store;
  char *raw_name;
  guint32 uid;
  gint64 message_id;
  GBytes *raw;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_object (&data->session);
  g_clear_object (&data->store);
  g_free (data->raw_name);
  g_clear_pointer (&data->raw, g_bytes_unref);
  g_free (data);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  /* Not kept (the message left the cache meanwhile): the reader still
   * gets what the server sent. */
  if (!buzon_store_save_body_finish (BUZON_STORE (source), result, &error))
    g_debug ("A fetched body was not kept: %s", error->message);
  g_task_return_pointer (task, g_steal_pointer (&data->raw), (GDestroyNotify) g_bytes_unref);
}

static void
on_fetch_cb (BuzonImapFetch *fetch,
             gpointer        user_data)
{
  FetchData *data = user_data;
  const BuzonImapFetchSection *section = buzon_imap_fetch_get_section (fetch, FALSE, "");

  if (fetch->uid == data->uid && section != NULL && section->data != NULL && data->raw == NULL)
    data->raw = g_bytes_ref (section->data);
  buzon_imap_fetch_free (fetch);
}

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!buzon_imap_session_fetch_finish (BUZON_IMAP_SESSION (source), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->raw == NULL)
    {
      g_task_return_new_error (task, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND, "%s",
                               _("The message is not on the server any more"));
      return;
    }
  buzon_store_save_body_async (data->store, data->message_id, data->raw, NULL, saved_cb,
                               g_steal_pointer (&task));
}

static void
fetch_from_server (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autofree char *set = g_strdup_printf ("%u", data->uid);

  buzon_imap_session_fetch_async (data->session, set, "(UID BODY.PEEK[])", on_fetch_cb, data,
                                  cancellable, fetched_cb, g_steal_pointer (&task));
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
  fetch_from_server (g_steal_pointer (&task));
}

static void
cached_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonStoreBody) body = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  body = buzon_store_get_body_finish (BUZON_STORE (source), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (body->raw != NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&body->raw), (GDestroyNotify) g_bytes_unref);
      return;
    }
  if (data->session == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s",
                               _("The message has not been downloaded yet"));
      return;
    }
  data->message_id = body->message_id;
  if (g_strcmp0 (buzon_imap_session_get_selected_mailbox (data->session), data->raw_name) == 0)
    {
      fetch_from_server (g_steal_pointer (&task));
      return;
    }
  /* EXAMINE: reading a body must not change anything on the server. */
  buzon_imap_session_select_async (data->session, data->raw_name, BUZON_IMAP_SELECT_READ_ONLY,
                                   NULL, NULL, NULL, NULL, cancellable, selected_cb,
                                   g_steal_pointer (&task));
}

/**
 * buzon_body_fetch_async:
 * @session: (nullable): logged in; %NULL to ask the cache only
 * @folder: the message's folder, as the store lists it
 * @uid: the message's UID
 * @cancellable: (nullable): cancelling stops it; what reached the cache
 *   stays
 *
 * The whole message: from the cache when it has the body; else fetched
 * with BODY.PEEK[] (which leaves \Seen alone), kept in the cache and its
 * text indexed for search. The session may have another folder selected:
 * this one is then opened read-only. Fails with BUZON_STORE_ERROR_NOT_FOUND
 * when the cache does not know the message or the server no longer has it,
 * and with G_IO_ERROR_NOT_CONNECTED when the body is not cached and there
 * is no session.
 */
void
buzon_body_fetch_async (BuzonImapSession       *session,
                        BuzonStore             *store,
                        const BuzonStoreFolder *folder,
                        guint32                 uid,
                        GCancellable           *cancellable,
                        GAsyncReadyCallback     callback,
                        gpointer                user_data)
{
  g_autoptr (GTask) task = NULL;
  FetchData *data;

  g_return_if_fail (session == NULL || BUZON_IS_IMAP_SESSION (session));
  g_return_if_fail (BUZON_IS_STORE (store));
  g_return_if_fail (folder != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_body_fetch_async);
  data = g_new0 (FetchData, 1);
  data->session = session != NULL ? g_object_ref (session) : NULL;
  data->store = g_object_ref (store);
  data->raw_name = g_strdup (folder->raw_name);
  data->uid = uid;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);
  buzon_store_get_body_async (store, folder->id, uid, cancellable, cached_cb,
                              g_steal_pointer (&task));
}

/**
 * buzon_body_fetch_finish:
 *
 * Returns: (transfer full): the whole message, or %NULL with @error
 */
GBytes *
buzon_body_fetch_finish (GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
