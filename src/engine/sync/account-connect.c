// Opening a logged-in IMAP session for an account.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "account-connect.h"
#include "imap/imap-connection.h"

typedef struct
{
  BuzonAccount *account;
  BuzonImapConnection *connection;
  BuzonImapSession *session;
  char *password; /* Wiped when freed. */
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->account);
  g_clear_object (&data->session);
  g_clear_object (&data->connection);
  buzon_credentials_secret_free (data->password);
  g_free (data);
}

static void
logged_in_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!buzon_imap_session_login_finish (data->session, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&data->session), g_object_unref);
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  const BuzonServerUrl *url = buzon_account_get_imap_url (data->account);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (GError) error = NULL;

  if (!buzon_imap_connection_open_finish (data->connection, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->session = g_object_new (BUZON_TYPE_IMAP_SESSION, "connection", data->connection,
                                "compress", buzon_account_wants_compression (data->account),
                                NULL);
  buzon_imap_session_login_async (data->session, url->user != NULL ? url->user : "",
                                  data->password, cancellable, logged_in_cb,
                                  g_steal_pointer (&task));
  /* Login has what it needs; the password goes now, not with the task. */
  g_clear_pointer (&data->password, buzon_credentials_secret_free);
}

static void
password_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (GError) error = NULL;

  data->password = buzon_credentials_lookup_finish (BUZON_CREDENTIALS (source), result, &error);
  if (data->password == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->connection = buzon_imap_connection_new (buzon_account_get_imap_url (data->account),
                                                buzon_account_get_trusted_certificates (
                                                  data->account));
  buzon_imap_connection_open_async (data->connection, cancellable, opened_cb,
                                    g_steal_pointer (&task));
}

/**
 * buzon_account_connect_async:
 * @credentials: where the IMAP password comes from
 * @cancellable: (nullable): cancelling stops at the next step; a session
 *   half set up is closed
 *
 * Looks the password up, connects to the account's IMAP server (TLS or
 * STARTTLS, the account's pinned certificates trusted too) and logs in.
 * The password is wiped once the server has it.
 */
void
buzon_account_connect_async (BuzonAccount        *account,
                             BuzonCredentials    *credentials,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  const BuzonServerUrl *url;
  ConnectData *data;

  g_return_if_fail (BUZON_IS_ACCOUNT (account));
  g_return_if_fail (BUZON_IS_CREDENTIALS (credentials));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_account_connect_async);
  data = g_new0 (ConnectData, 1);
  data->account = g_object_ref (account);
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);
  url = buzon_account_get_imap_url (account);
  buzon_credentials_lookup_async (credentials, buzon_account_get_id (account),
                                  BUZON_CREDENTIALS_PROTOCOL_IMAP, url->host, url->user,
                                  cancellable, password_cb, g_steal_pointer (&task));
}

/**
 * buzon_account_connect_finish:
 *
 * Returns: (transfer full): the session, AUTHENTICATED, or %NULL with @error
 */
BuzonImapSession *
buzon_account_connect_finish (GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
