// BuzonImapConnection against the fixture Dovecot: implicit TLS and
// STARTTLS, certificates refused then pinned, login and its refusals,
// pipelined commands with literals, FETCH streamed as it arrives, a burst
// of responses dispatched in slices, LOGOUT.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "imap/imap-command.h"
#include "imap/imap-connection.h"
#include "imap/imap-error.h"
#include "mail-servers.h"

static BuzonTestMailServers *servers;

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;
  *slot = g_object_ref (result);
}

static char *
url_for (const char *scheme,
         const char *host,
         const char *port_key)
{
  return g_strdup_printf ("%s://alice@%s:%u", scheme, host,
                          buzon_test_mail_servers_get_port (servers, port_key));
}

static BuzonImapConnection *
open_connection (const char *url_text,
                 gboolean    pin,
                 GError    **error)
{
  g_autoptr (BuzonServerUrl) url = buzon_server_url_parse (url_text, NULL);
  g_autofree char *pinned = g_strconcat ("sha256:",
                                         buzon_test_mail_servers_get (servers, "CERT_SHA256"),
                                         NULL);
  const char *trusted[] = { pinned, NULL };
  g_autoptr (BuzonImapConnection) connection = NULL;
  g_autoptr (GAsyncResult) result = NULL;

  g_assert_nonnull (url);
  connection = buzon_imap_connection_new (url, pin ? trusted : NULL);
  buzon_imap_connection_open_async (connection, NULL, store_result_cb, &result);
  if (!buzon_imap_connection_open_finish (connection, wait_for (&result), error))
    return g_steal_pointer (&connection); /* The caller looks at why. */
  return g_steal_pointer (&connection);
}

static gboolean
login (BuzonImapConnection *connection,
       const char          *user,
       const char          *password,
       GError             **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_connection_login_async (connection, user, password, NULL, store_result_cb, &result);
  return buzon_imap_connection_login_finish (connection, wait_for (&result), error);
}

static BuzonImapResponse *
run (BuzonImapConnection  *connection,
     BuzonImapCommand     *command,
     BuzonImapUntaggedFunc untagged,
     gpointer              data,
     GError              **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_connection_command_async (connection, command, untagged, data, NULL,
                                       store_result_cb, &result);
  return buzon_imap_connection_command_finish (connection, wait_for (&result), error);
}

static void
test_untrusted_then_pinned (void)
{
  g_autofree char *url = url_for ("imaps", "127.0.0.1", "IMAPS_PORT");
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapConnection) refused = open_connection (url, FALSE, &error);
  g_autoptr (BuzonImapConnection) pinned = NULL;

  /* The throwaway CA is unknown to the system: refused, naming the host and
   * why, with the fingerprint at hand for the user to pin. */
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (error->message, "not signed by a known authority"));
  g_assert_cmpstr (buzon_imap_connection_get_certificate_sha256 (refused), ==,
                   buzon_test_mail_servers_get (servers, "CERT_SHA256"));
  g_clear_error (&error);

  pinned = open_connection (url, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_imap_connection_get_is_secure (pinned));
  g_assert_true (buzon_imap_connection_get_certificate_pinned (pinned));
  g_assert_true (buzon_imap_connection_get_certificate_errors (pinned)
                 & G_TLS_CERTIFICATE_UNKNOWN_CA);
}

static void
test_imaps_login (void)
{
  g_autofree char *url = url_for ("imaps", "127.0.0.1", "IMAPS_PORT");
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapConnection) connection = open_connection (url, TRUE, &error);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "alice");
  const char *after[] = { "CONDSTORE", "QRESYNC", "IDLE", "MOVE", "UIDPLUS", "SPECIAL-USE",
                          "COMPRESS=DEFLATE", "ENABLE", "LIST-STATUS" };

  g_assert_no_error (error);
  g_assert_true (buzon_imap_connection_has_capability (connection, "IMAP4rev1"));
  g_assert_false (buzon_imap_connection_has_capability (connection, "QRESYNC"));
  g_assert_true (login (connection, "alice", password, &error));
  g_assert_no_error (error);
  /* Capabilities are re-read after login. */
  for (guint i = 0; i < G_N_ELEMENTS (after); i++)
    if (!buzon_imap_connection_has_capability (connection, after[i]))
      g_error ("%s missing after login", after[i]);
}

static void
test_starttls (void)
{
  g_autofree char *url = url_for ("imap", "127.0.0.1", "IMAP_PORT");
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapConnection) connection = open_connection (url, TRUE, &error);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "bob");

  g_assert_no_error (error);
  g_assert_true (buzon_imap_connection_get_is_secure (connection));
  /* The capabilities are the ones sent over TLS. */
  g_assert_false (buzon_imap_connection_has_capability (connection, "STARTTLS"));
  g_assert_true (login (connection, "bob", password, &error));
  g_assert_no_error (error);
}

static void
test_wrong_password (void)
{
  g_autofree char *url = url_for ("imaps", "127.0.0.1", "IMAPS_PORT");
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapConnection) connection = open_connection (url, TRUE, &error);

  g_assert_no_error (error);
  g_assert_false (login (connection, "alice", "not-her-password", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  /* The server's own words reach the user. */
  g_assert_nonnull (strstr (error->message, "Authentication failed"));
}

static void
test_login_disabled_without_tls (void)
{
  g_autofree char *url = url_for ("imap+plain", "127.0.0.2", "IMAP_PORT");
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapConnection) connection = open_connection (url, FALSE, &error);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "alice");

  g_assert_no_error (error);
  g_assert_false (buzon_imap_connection_get_is_secure (connection));
  g_assert_true (buzon_imap_connection_has_capability (connection, "LOGINDISABLED"));
  g_assert_false (login (connection, "alice", password, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_LOGIN_DISABLED);
}

static void
count_fetch_cb (BuzonImapConnection     *connection,
                const BuzonImapResponse *response,
                gpointer                 user_data)
{
  guint *count = user_data;

  if (g_strcmp0 (response->keyword, "FETCH") == 0)
    (*count)++;
}

static void
test_pipelined_append_and_streamed_fetch (void)
{
  g_autofree char *url = url_for ("imaps", "127.0.0.1", "IMAPS_PORT");
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapConnection) connection = open_connection (url, TRUE, &error);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "carol");
  GAsyncResult *results[10] = { NULL };
  guint fetched = 0;

  g_assert_no_error (error);
  g_assert_true (login (connection, "carol", password, &error));

  /* Ten APPENDs with literals, all queued at once: pipelined, answered in
   * order, each with its own APPENDUID. */
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr (BuzonImapCommand) append = buzon_imap_command_new ("APPEND");
      g_autofree char *message = g_strdup_printf (
        "From: carol@example.test\r\nSubject: Número %u\r\nMessage-ID: <p%u@example.test>\r\n"
        "\r\nCuerpo %u\r\n", i, i, i);
      g_autoptr (GBytes) bytes = g_bytes_new (message, strlen (message));

      buzon_imap_command_add_mailbox (append, "INBOX");
      buzon_imap_command_add_raw (append, "(\\Seen)");
      buzon_imap_command_add_literal (append, bytes, FALSE);
      buzon_imap_connection_command_async (connection, append, NULL, NULL, NULL, store_result_cb,
                                           &results[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr (BuzonImapResponse) ok = buzon_imap_connection_command_finish (
        connection, wait_for (&results[i]), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (ok->code, ==, "APPENDUID");
      g_clear_object (&results[i]);
    }

  {
    g_autoptr (BuzonImapCommand) select = buzon_imap_command_new ("SELECT");
    g_autoptr (BuzonImapCommand) fetch = buzon_imap_command_new ("UID FETCH");
    g_autoptr (BuzonImapResponse) selected = NULL;
    g_autoptr (BuzonImapResponse) done = NULL;

    buzon_imap_command_add_mailbox (select, "INBOX");
    selected = run (connection, select, NULL, NULL, &error);
    g_assert_no_error (error);
    buzon_imap_command_add_raw (fetch, "1:* (UID FLAGS ENVELOPE BODYSTRUCTURE)");
    done = run (connection, fetch, count_fetch_cb, &fetched, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (fetched, ==, G_N_ELEMENTS (results));
  }
}

/* Responses that arrive together are dispatched in slices: the main loop
 * runs between them (a window draws its frames, timers fire) however long
 * the burst takes to handle. Here each FETCH takes 12 ms to handle, all
 * twelve come in one read, and a 2 ms timer must still fire in between. */
static void
slow_fetch_cb (BuzonImapConnection     *connection,
               const BuzonImapResponse *response,
               gpointer                 user_data)
{
  guint *count = user_data;

  if (g_strcmp0 (response->keyword, "FETCH") == 0)
    {
      (*count)++;
      g_usleep (12000);
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  guint *ticks = user_data;

  (*ticks)++;
  return G_SOURCE_CONTINUE;
}

static void
test_burst_in_slices (void)
{
  g_autofree char *url = url_for ("imaps", "127.0.0.1", "IMAPS_PORT");
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapConnection) connection = open_connection (url, TRUE, &error);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "alice");
  g_autoptr (BuzonImapCommand) create = buzon_imap_command_new ("CREATE");
  g_autoptr (BuzonImapCommand) select = buzon_imap_command_new ("SELECT");
  g_autoptr (BuzonImapCommand) fetch = buzon_imap_command_new ("FETCH");
  g_autoptr (BuzonImapResponse) created = NULL;
  g_autoptr (BuzonImapResponse) selected = NULL;
  g_autoptr (BuzonImapResponse) done = NULL;
  guint fetched = 0;
  guint ticks = 0;
  guint tick_id;

  g_assert_no_error (error);
  g_assert_true (login (connection, "alice", password, &error));
  buzon_imap_command_add_mailbox (create, "Burst");
  created = run (connection, create, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 12; i++)
    {
      g_autoptr (BuzonImapCommand) append = buzon_imap_command_new ("APPEND");
      g_autofree char *message = g_strdup_printf ("Subject: %u\r\n\r\nRáfaga\r\n", i);
      g_autoptr (GBytes) bytes = g_bytes_new (message, strlen (message));
      g_autoptr (BuzonImapResponse) appended = NULL;

      buzon_imap_command_add_mailbox (append, "Burst");
      buzon_imap_command_add_literal (append, bytes, FALSE);
      appended = run (connection, append, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  buzon_imap_command_add_mailbox (select, "Burst");
  selected = run (connection, select, NULL, NULL, &error);
  g_assert_no_error (error);

  buzon_imap_command_add_raw (fetch, "1:* (UID FLAGS)");
  tick_id = g_timeout_add (2, tick_cb, &ticks);
  done = run (connection, fetch, slow_fetch_cb, &fetched, &error);
  g_source_remove (tick_id);
  g_assert_no_error (error);
  g_assert_cmpuint (fetched, ==, 12);
  g_assert_cmpuint (ticks, >=, 6);
}

static void
test_no_and_bad_quote_the_server (void)
{
  g_autofree char *url = url_for ("imaps", "127.0.0.1", "IMAPS_PORT");
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapConnection) connection = open_connection (url, TRUE, &error);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "alice");
  g_autoptr (BuzonImapCommand) select = buzon_imap_command_new ("SELECT");
  g_autoptr (BuzonImapCommand) nonsense = buzon_imap_command_new ("FROBNICATE");
  g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");
  g_autoptr (BuzonImapResponse) response = NULL;

  g_assert_true (login (connection, "alice", password, &error));
  buzon_imap_command_add_mailbox (select, "No such folder");
  response = run (connection, select, NULL, NULL, &error);
  g_assert_null (response);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO);
  g_assert_nonnull (strstr (error->message, "Mailbox doesn't exist"));
  g_clear_error (&error);

  response = run (connection, nonsense, NULL, NULL, &error);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD);
  g_clear_error (&error);

  /* The connection is still good after both. */
  response = run (connection, noop, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
}

static void
closed_cb (BuzonImapConnection *connection,
           GError              *error,
           gpointer             user_data)
{
  gboolean *closed = user_data;
  *closed = TRUE;
}

static void
test_logout (void)
{
  g_autofree char *url = url_for ("imaps", "127.0.0.1", "IMAPS_PORT");
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapConnection) connection = open_connection (url, TRUE, &error);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "alice");
  g_autoptr (BuzonImapCommand) logout = buzon_imap_command_new ("LOGOUT");
  g_autoptr (BuzonImapCommand) late = buzon_imap_command_new ("NOOP");
  g_autoptr (BuzonImapResponse) response = NULL;
  gboolean closed = FALSE;

  g_assert_true (login (connection, "alice", password, &error));
  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), &closed);
  /* BYE is the expected answer to LOGOUT, not an error. */
  response = run (connection, logout, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  while (!closed)
    g_main_context_iteration (NULL, TRUE);
  g_clear_pointer (&response, buzon_imap_response_free);
  response = run (connection, late, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
}

static void
exists_cb (BuzonImapConnection     *connection,
           const BuzonImapResponse *response,
           gpointer                 user_data)
{
  gint64 *exists = user_data;

  if (g_strcmp0 (response->keyword, "EXISTS") == 0)
    *exists = response->number;
}

static BuzonImapConnection *
logged_in (const char *user)
{
  g_autofree char *url = url_for ("imaps", "127.0.0.1", "IMAPS_PORT");
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapConnection) connection = open_connection (url, TRUE, &error);
  g_autofree char *password = buzon_test_mail_servers_password (servers, user);

  g_assert_no_error (error);
  g_assert_true (login (connection, user, password, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&connection);
}

static void
append_one (BuzonImapConnection *connection,
            const char          *subject)
{
  g_autoptr (BuzonImapCommand) append = buzon_imap_command_new ("APPEND");
  g_autofree char *message = g_strdup_printf ("Subject: %s\r\n\r\nHola\r\n", subject);
  g_autoptr (GBytes) bytes = g_bytes_new (message, strlen (message));
  g_autoptr (BuzonImapResponse) ok = NULL;
  g_autoptr (GError) error = NULL;

  buzon_imap_command_add_mailbox (append, "INBOX");
  buzon_imap_command_add_literal (append, bytes, FALSE);
  ok = run (connection, append, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
test_idle (void)
{
  g_autoptr (BuzonImapConnection) watcher = logged_in ("bob");
  g_autoptr (BuzonImapConnection) other = logged_in ("bob");
  g_autoptr (BuzonImapCommand) enable = buzon_imap_command_new ("ENABLE");
  g_autoptr (BuzonImapCommand) select = buzon_imap_command_new ("SELECT");
  g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (GAsyncResult) idled = NULL;
  g_autoptr (GAsyncResult) second = NULL;
  g_autoptr (GError) error = NULL;
  gint64 exists = -1;
  gint64 before;
  gint64 deadline;

  buzon_imap_command_add_atom (enable, "QRESYNC");
  response = run (watcher, enable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_imap_connection_is_enabled (watcher, "qresync"));
  g_clear_pointer (&response, buzon_imap_response_free);

  buzon_imap_command_add_mailbox (select, "INBOX");
  response = run (watcher, select, exists_cb, &exists, &error);
  g_assert_no_error (error);
  g_clear_pointer (&response, buzon_imap_response_free);
  before = exists;
  g_assert_cmpint (before, >=, 0);

  /* New mail delivered by another session is pushed during IDLE. */
  buzon_imap_connection_idle_async (watcher, exists_cb, &exists, NULL, store_result_cb, &idled);
  append_one (other, "Pushed");
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (exists == before && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (exists, ==, before + 1);
  g_assert_null (idled);
  buzon_imap_connection_idle_done (watcher);
  response = buzon_imap_connection_command_finish (watcher, wait_for (&idled), &error);
  g_assert_no_error (error);
  g_clear_pointer (&response, buzon_imap_response_free);

  /* A command queued during IDLE ends it and runs at once. */
  buzon_imap_connection_idle_async (watcher, exists_cb, &exists, NULL, store_result_cb, &second);
  response = run (watcher, noop, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&response, buzon_imap_response_free);
  response = buzon_imap_connection_command_finish (watcher, wait_for (&second), &error);
  g_assert_no_error (error);
}

static void
test_compress (void)
{
  g_autoptr (BuzonImapConnection) connection = logged_in ("carol");
  g_autoptr (BuzonImapCommand) select = buzon_imap_command_new ("EXAMINE");
  g_autoptr (BuzonImapCommand) fetch = buzon_imap_command_new ("UID FETCH");
  g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (GAsyncResult) compressed = NULL;
  g_autoptr (GAsyncResult) queued = NULL;
  g_autoptr (GError) error = NULL;
  guint fetched = 0;

  /* A command queued right behind COMPRESS waits for its answer, then goes
   * out deflated. */
  buzon_imap_connection_compress_async (connection, NULL, store_result_cb, &compressed);
  buzon_imap_connection_command_async (connection, noop, NULL, NULL, NULL, store_result_cb,
                                       &queued);
  g_assert_true (buzon_imap_connection_compress_finish (connection, wait_for (&compressed),
                                                        &error));
  g_assert_no_error (error);
  g_assert_true (buzon_imap_connection_get_is_compressed (connection));
  response = buzon_imap_connection_command_finish (connection, wait_for (&queued), &error);
  g_assert_no_error (error);
  g_clear_pointer (&response, buzon_imap_response_free);

  /* Literals, lists and many responses survive the deflate stream. */
  append_one (connection, "Comprimido");
  buzon_imap_command_add_mailbox (select, "INBOX");
  response = run (connection, select, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&response, buzon_imap_response_free);
  buzon_imap_command_add_raw (fetch, "1:* (UID FLAGS ENVELOPE BODY.PEEK[])");
  response = run (connection, fetch, count_fetch_cb, &fetched, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fetched, >=, 1);

  /* Asking twice is refused and harmless. */
  g_clear_object (&compressed);
  buzon_imap_connection_compress_async (connection, NULL, store_result_cb, &compressed);
  g_assert_false (buzon_imap_connection_compress_finish (connection, wait_for (&compressed),
                                                         &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

static void
test_connection_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapConnection) connection = NULL;
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;

  /* A port that was free a moment ago and has no listener. */
  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("imaps://alice@127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);
  connection = open_connection (url, TRUE, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  servers = buzon_test_mail_servers_start (NULL);

  g_test_add_func ("/imap-connection/untrusted-then-pinned", test_untrusted_then_pinned);
  g_test_add_func ("/imap-connection/imaps-login", test_imaps_login);
  g_test_add_func ("/imap-connection/starttls", test_starttls);
  g_test_add_func ("/imap-connection/wrong-password", test_wrong_password);
  g_test_add_func ("/imap-connection/login-disabled-without-tls", test_login_disabled_without_tls);
  g_test_add_func ("/imap-connection/pipelined-append-and-streamed-fetch",
                   test_pipelined_append_and_streamed_fetch);
  g_test_add_func ("/imap-connection/no-and-bad-quote-the-server",
                   test_no_and_bad_quote_the_server);
  g_test_add_func ("/imap-connection/burst-in-slices", test_burst_in_slices);
  g_test_add_func ("/imap-connection/logout", test_logout);
  g_test_add_func ("/imap-connection/idle", test_idle);
  g_test_add_func ("/imap-connection/compress", test_compress);
  g_test_add_func ("/imap-connection/connection-refused", test_connection_refused);

  status = g_test_run ();
  buzon_test_mail_servers_stop (servers);
  return status;
}
