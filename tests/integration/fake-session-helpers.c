// Helpers for tests that log a BuzonImapSession in to a scripted fake server.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "fake-session-helpers.h"

#define WAIT_SECONDS 10

void
fake_server_result_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until @slot holds a result; fails the test, saying
 * where the script stopped, after WAIT_SECONDS without one. */
GAsyncResult *
fake_server_wait (BuzonTestFakeImapServer  *server,
                  GAsyncResult            **slot)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, tick_cb, NULL);

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  if (*slot == NULL)
    {
      g_autoptr (GError) error = NULL;

      buzon_test_fake_imap_server_finish (server, 0, &error);
      g_error ("No answer after %d seconds (server: %s)", WAIT_SECONDS,
               error != NULL ? error->message : "script played");
    }
  return *slot;
}

/* Starts the script, connects and logs in as ana; compression stays off,
 * as the script speaks plain bytes. */
BuzonImapSession *
fake_server_log_in (BuzonTestFakeImapServer *server)
{
  g_autofree char *url_text = NULL;
  g_autoptr (BuzonServerUrl) url = NULL;
  g_autoptr (BuzonImapConnection) connection = NULL;
  g_autoptr (BuzonImapSession) session = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_start (server);
  url_text = buzon_test_fake_imap_server_get_url (server, "imap+plain");
  url = buzon_server_url_parse (url_text, NULL);
  connection = buzon_imap_connection_new (url, NULL);
  buzon_imap_connection_open_async (connection, NULL, fake_server_result_cb, &result);
  g_assert_true (buzon_imap_connection_open_finish (connection, fake_server_wait (server, &result),
                                                    &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  session = g_object_new (BUZON_TYPE_IMAP_SESSION, "connection", connection, "compress", FALSE,
                          NULL);
  buzon_imap_session_login_async (session, "ana", "secreto", NULL, fake_server_result_cb, &result);
  g_assert_true (buzon_imap_session_login_finish (session, fake_server_wait (server, &result),
                                                  &error));
  g_assert_no_error (error);
  return g_steal_pointer (&session);
}
