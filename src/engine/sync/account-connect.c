// Opening a logged-in IMAP session for an account.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "account-connect.h"
#include "imap/imap-connection.h"

/* The password and the connection are sought side by side: a password
 * command (gpg, say) or the Secret Service often takes as long as the TCP
 * and TLS handshakes and the greeting, and neither needs the other. The
 * first to fail cancels the other, whose cancellation is not the error. */
typedef struct
{
  BuzonAccount *account;
  BuzonImapConnection *connection;
  BuzonImapSession *session;
  char *password;            /* Wiped when freed. */
  GCancellable *cancellable; /* Both steps': the task's cancelling, or a failure, stops them. */
  GCancellable *outer;       /* The task's, which cancels the one above. */
  gulong outer_id;
  gulong closed_id;          /* On the connection, while it waits for the password. */
  guint waiting;             /* Steps still running: the password, the connection. */
  gboolean closed;           /* The server hung up before the password came. */
  gboolean reconnected;      /* And a second connection was opened. */
  GError *error;             /* The first step's failure. */
} ConnectData;

static void
stop_watching (ConnectData *data)
{
  if (data->closed_id != 0)
    g_clear_signal_handler (&data->closed_id, data->connection);
}

static void
connect_data_free (ConnectData *data)
{
  stop_watching (data);
  if (data->outer_id != 0)
    g_cancellable_disconnect (data->outer, data->outer_id);
  g_clear_object (&data->outer);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->account);
  g_clear_object (&data->session);
  g_clear_object (&data->connection);
  buzon_credentials_secret_free (data->password);
  g_clear_error (&data->error);
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

static void open_connection (GTask *task);

/* Takes the reference to @task. */
static void
log_in (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);
  const BuzonServerUrl *url = buzon_account_get_imap_url (data->account);

  data->session = g_object_new (BUZON_TYPE_IMAP_SESSION, "connection", data->connection,
                                "compress", buzon_account_wants_compression (data->account),
                                NULL);
  buzon_imap_session_login_async (data->session, url->user != NULL ? url->user : "",
                                  data->password, g_task_get_cancellable (task), logged_in_cb,
                                  task);
  /* Login has what it needs; the password goes now, not with the task. */
  g_clear_pointer (&data->password, buzon_credentials_secret_free);
}

/* One step ended, with @error (taken) or not; once both have, the login.
 * Takes the reference to @task. */
static void
step_done (GTask  *task,
           GError *error)
{
  ConnectData *data = g_task_get_task_data (task);

  if (error != NULL && data->error == NULL)
    {
      data->error = error;
      g_cancellable_cancel (data->cancellable);
    }
  else if (error != NULL)
    g_error_free (error); /* The other step's failure came first. */
  if (--data->waiting > 0)
    {
      g_object_unref (task);
      return;
    }
  stop_watching (data);
  if (data->error != NULL)
    {
      if (data->connection != NULL)
        buzon_imap_connection_close (data->connection);
      g_task_return_error (task, g_steal_pointer (&data->error));
      g_object_unref (task);
      return;
    }
  if (data->closed && !data->reconnected)
    {
      /* The password took longer than the server waits for a login (a
       * keyring to unlock, say): a new connection, once. */
      data->reconnected = TRUE;
      data->closed = FALSE;
      g_clear_object (&data->connection);
      open_connection (task);
      return;
    }
  log_in (task);
}

static void
connection_closed_cb (BuzonImapConnection *connection,
                      GError              *error,
                      gpointer             user_data)
{
  ConnectData *data = user_data;

  data->closed = TRUE;
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!buzon_imap_connection_open_finish (data->connection, result, &error))
    {
      step_done (task, error);
      return;
    }
  if (data->waiting > 1)
    data->closed_id = g_signal_connect (data->connection, "closed",
                                        G_CALLBACK (connection_closed_cb), data);
  step_done (task, NULL);
}

/* Takes the reference to @task. */
static void
open_connection (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);

  data->waiting++;
  data->connection = buzon_imap_connection_new (buzon_account_get_imap_url (data->account),
                                                buzon_account_get_trusted_certificates (
                                                  data->account));
  buzon_imap_connection_open_async (data->connection, data->cancellable, opened_cb, task);
}

static void
password_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->password = buzon_credentials_lookup_finish (BUZON_CREDENTIALS (source), result, &error);
  step_done (task, data->password == NULL ? error : NULL);
}

static void
outer_cancelled_cb (GCancellable *outer,
                    gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/**
 * buzon_account_connect_async:
 * @credentials: where the IMAP password comes from
 * @cancellable: (nullable): cancelling stops at the next step; a session
 *   half set up is closed
 *
 * Looks the password up and, at the same time, connects to the account's
 * IMAP server (TLS or STARTTLS, the account's pinned certificates trusted
 * too); then logs in. Where the server hangs up before the password comes,
 * a new connection is opened, once. The first failure of the two is the
 * error. The password is wiped once the server has it.
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
  data->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);
  if (cancellable != NULL)
    {
      data->outer = g_object_ref (cancellable);
      data->outer_id = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                              g_object_ref (data->cancellable), g_object_unref);
    }
  url = buzon_account_get_imap_url (account);
  data->waiting = 1;
  buzon_credentials_lookup_async (credentials, buzon_account_get_id (account),
                                  BUZON_CREDENTIALS_PROTOCOL_IMAP, url->host, url->user,
                                  data->cancellable, password_cb, g_object_ref (task));
  open_connection (g_steal_pointer (&task));
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
