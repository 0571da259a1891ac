// BuzonImapConnection against a scripted fake server, for what a real server
// cannot be made to do: malformed responses, BYE mid-command, a connection
// cut inside a literal, a 100 MB literal, non-UTF-8 bytes, silence, odd
// greetings, STARTTLS not offered, synchronising literals sent or refused,
// AUTHENTICATE without SASL-IR or challenged, pipelining and cancellation.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Every test ends with the connection closed, "closed" emitted exactly once,
// and the connection finalized: a failure must be an error on the command or
// the connection, never a crash, a hang or a leak.

#include <string.h>
#include <sys/resource.h>

#include "fake-imap-server.h"
#include "imap/imap-command.h"
#include "imap/imap-connection.h"
#include "imap/imap-error.h"
#include "imap/imap-mailbox.h"
#include "imap/imap-session.h"

#define GREETING     "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Fake server ready"
#define WAIT_SECONDS 10 /* Longer than any wait a test expects: a hang fails the test. */
#define SCRIPT_MS    5000

typedef struct
{
  BuzonTestFakeImapServer *server;
  BuzonImapConnection *connection;
  guint closed_count;
  GError *closed_error;
} Fixture;

static BuzonTestFakeImapServer *current_server; /* For the message when a test hangs. */

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  f->server = buzon_test_fake_imap_server_new ();
  current_server = f->server;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE; /* It only wakes the loop to look at the clock. */
}

/* Iterates the main context until "closed", for WAIT_SECONDS at most. */
static gboolean
iterate_until_closed (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, tick_cb, NULL);

  while (f->closed_count == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return f->closed_count > 0;
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  if (f->connection != NULL)
    {
      gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

      /* A connection still open is closed by its owner. Either way, "closed"
       * is emitted exactly once. */
      if (f->closed_count == 0)
        buzon_imap_connection_close (f->connection);
      g_assert_cmpuint (f->closed_count, ==, 1);

      /* Reads and writes it started hold it until they end, on the main
       * context; then it must be finalized. */
      g_object_add_weak_pointer (G_OBJECT (f->connection), (gpointer *) &f->connection);
      g_object_unref (f->connection);
      while (f->connection != NULL && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);
      g_assert_null (f->connection);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  buzon_test_fake_imap_server_free (f->server);
  g_clear_error (&f->closed_error);
}

static void
closed_cb (BuzonImapConnection *connection,
           GError              *error,
           gpointer             user_data)
{
  Fixture *f = user_data;

  f->closed_count++;
  g_clear_error (&f->closed_error);
  f->closed_error = g_error_copy (error);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static gboolean
iterate_until_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, tick_cb, NULL);

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return *slot != NULL;
}

/* Waits for an operation's result; a hang fails the test, saying where the
 * server's script stands. */
static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  if (!iterate_until_result (slot))
    {
      g_autoptr (GError) error = NULL;

      buzon_test_fake_imap_server_finish (current_server, 0, &error);
      g_error ("No answer after %d seconds: the operation hangs (server: %s)", WAIT_SECONDS,
               error != NULL ? error->message : "script played");
    }
  return *slot;
}

/* Starts the script, then opens a connection to it with @scheme, the
 * connection's timeout set to @timeout seconds (0: the default). */
static gboolean
open_connection (Fixture    *f,
                 const char *scheme,
                 guint       timeout,
                 GError    **error)
{
  g_autofree char *url_text = NULL;
  g_autoptr (BuzonServerUrl) url = NULL;
  g_autoptr (GAsyncResult) result = NULL;

  buzon_test_fake_imap_server_start (f->server);
  url_text = buzon_test_fake_imap_server_get_url (f->server, scheme);
  url = buzon_server_url_parse (url_text, NULL);
  g_assert_nonnull (url);
  f->connection = buzon_imap_connection_new (url, NULL);
  g_signal_connect (f->connection, "closed", G_CALLBACK (closed_cb), f);
  if (timeout > 0)
    buzon_imap_connection_set_timeout (f->connection, timeout);
  buzon_imap_connection_open_async (f->connection, NULL, store_result_cb, &result);
  return buzon_imap_connection_open_finish (f->connection, wait_for (&result), error);
}

static void
open_plain (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (open_connection (f, "imap+plain", 0, &error));
  g_assert_no_error (error);
}

static BuzonImapResponse *
run (Fixture              *f,
     BuzonImapCommand     *command,
     BuzonImapUntaggedFunc untagged,
     gpointer              data,
     GError              **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_connection_command_async (f->connection, command, untagged, data, NULL,
                                       store_result_cb, &result);
  return buzon_imap_connection_command_finish (f->connection, wait_for (&result), error);
}

static BuzonImapResponse *
run_noop (Fixture *f,
          GError **error)
{
  g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");

  return run (f, noop, NULL, NULL, error);
}

/* The script must have been played as written. */
static void
assert_script_played (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_finish (f->server, SCRIPT_MS, &error);
  g_assert_no_error (error);
}

/* The connection was closed by @domain/@code, and "closed" said so once. */
static void
assert_closed_by (Fixture *f,
                  GQuark   domain,
                  int      code)
{
  g_assert_cmpuint (f->closed_count, ==, 1);
  g_assert_error (f->closed_error, domain, code);
}

static void
assert_received (Fixture    *f,
                 const char *expected)
{
  g_autoptr (GBytes) received = buzon_test_fake_imap_server_get_received (f->server);
  g_autoptr (GBytes) wanted = g_bytes_new_static (expected, strlen (expected));

  if (!g_bytes_equal (received, wanted))
    {
      g_autofree char *got = g_strndup (g_bytes_get_data (received, NULL),
                                        g_bytes_get_size (received));
      g_error ("The server received “%s”, not “%s”", got, expected);
    }
}

/* Malformed responses: each closes the connection with a parse error. */

typedef struct
{
  const char *path;
  const char *reply;
} Malformed;

static const Malformed malformed[] = {
  { "/imap-connection-faults/malformed/garbage-line", "))) this is not IMAP (((" },
  { "/imap-connection-faults/malformed/unclosed-paren", "* 1 FETCH (UID 1 FLAGS (\\Seen)" },
  { "/imap-connection-faults/malformed/extra-paren", "* 1 FETCH (UID 1 FLAGS (\\Seen)))" },
  { "/imap-connection-faults/malformed/unknown-tag", "zz9 OK I answer what you never asked" },
  { "/imap-connection-faults/malformed/continuation-not-due", "+ go ahead" },
};

static void
test_malformed (Fixture      *f,
                gconstpointer data)
{
  const Malformed *m = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, m->reply);
  buzon_test_fake_imap_server_expect_eof (f->server);
  open_plain (f);

  response = run_noop (f, &error);
  g_assert_null (response);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE);
  assert_closed_by (f, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE);
  assert_script_played (f); /* The client hung up. */
}

/* BYE in the middle of two pipelined commands fails both, quoting the
 * server. */
static void
test_bye_mid_command (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (BuzonImapCommand) first = buzon_imap_command_new ("NOOP");
  g_autoptr (BuzonImapCommand) second = buzon_imap_command_new ("CHECK");
  g_autoptr (GAsyncResult) first_result = NULL;
  g_autoptr (GAsyncResult) second_result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CHECK");
  buzon_test_fake_imap_server_send_line (f->server, "* 3 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, "* BYE Server shutting down for maintenance");
  buzon_test_fake_imap_server_expect_eof (f->server);
  open_plain (f);

  buzon_imap_connection_command_async (f->connection, first, NULL, NULL, NULL, store_result_cb,
                                       &first_result);
  buzon_imap_connection_command_async (f->connection, second, NULL, NULL, NULL, store_result_cb,
                                       &second_result);
  response = buzon_imap_connection_command_finish (f->connection, wait_for (&first_result),
                                                   &error);
  g_assert_null (response);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BYE);
  g_assert_nonnull (strstr (error->message, "Server shutting down for maintenance"));
  g_clear_error (&error);
  response = buzon_imap_connection_command_finish (f->connection, wait_for (&second_result),
                                                   &error);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BYE);
  assert_closed_by (f, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BYE);
  assert_script_played (f);
}

static BuzonImapCommand *
new_fetch_body (void)
{
  BuzonImapCommand *fetch = buzon_imap_command_new ("UID FETCH");

  buzon_imap_command_add_raw (fetch, "1 (BODY.PEEK[])");
  return fetch;
}

/* The server hangs up 20 bytes into a 100-byte literal. */
static void
test_cut_inside_literal (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (BuzonImapCommand) fetch = new_fetch_body ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  const char part[] = "* 1 FETCH (UID 1 BODY[] {100}\r\nSubject: cut short\r\n";

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% UID FETCH 1 (BODY.PEEK[])");
  buzon_test_fake_imap_server_send (f->server, part, strlen (part));
  buzon_test_fake_imap_server_close (f->server);
  open_plain (f);

  response = run (f, fetch, NULL, NULL, &error);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  assert_closed_by (f, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  assert_script_played (f);
}

static glong
max_rss_kib (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return usage.ru_maxrss;
}

/* A literal of 100 MB is refused when it is announced: at once, without
 * the memory, and without reading it all. */
static void
test_huge_literal (Fixture      *f,
                   gconstpointer data)
{
  const guint64 size = 100 * 1024 * 1024;
  g_autofree char *announce = g_strdup_printf ("* 1 FETCH (UID 1 BODY[] {%" G_GUINT64_FORMAT
                                               "}\r\n", size);
  g_autoptr (BuzonImapCommand) fetch = new_fetch_body ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  glong rss_before;
  gint64 start;
  double seconds;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% UID FETCH 1 (BODY.PEEK[])");
  buzon_test_fake_imap_server_send (f->server, announce, strlen (announce));
  buzon_test_fake_imap_server_send_filler (f->server, size);
  open_plain (f);

  rss_before = max_rss_kib ();
  start = g_get_monotonic_time ();
  response = run (f, fetch, NULL, NULL, &error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_null (response);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_LIMIT);
  g_test_message ("Refused after %.3f s, peak RSS grew by %ld KiB", seconds,
                  max_rss_kib () - rss_before);
  g_assert_cmpfloat (seconds, <, 2.0);
  g_assert_cmpint (max_rss_kib () - rss_before, <, 32 * 1024);
  assert_closed_by (f, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_LIMIT);

  /* The server is not left blocked on a client that stopped reading: the
   * client hung up, and most of the literal was never read. */
  assert_script_played (f);
  g_assert_cmpuint (buzon_test_fake_imap_server_get_filler_sent (f->server), <, size);
}

/* Non-UTF-8 bytes are data: they reach the caller unchanged. */

static void
collect_text_cb (BuzonImapConnection     *connection,
                 const BuzonImapResponse *response,
                 gpointer                 user_data)
{
  GPtrArray *texts = user_data;

  if (response->text != NULL)
    g_ptr_array_add (texts, g_bytes_new (response->text, strlen (response->text)));
}

static void
assert_bytes (GBytes     *bytes,
              const char *expected)
{
  g_autoptr (GBytes) wanted = g_bytes_new_static (expected, strlen (expected));

  g_assert_true (g_bytes_equal (bytes, wanted));
}

static void
test_non_utf8_response (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");
  g_autoptr (GBytes) tagged = NULL;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [ALERT] Caf\xe9 ferm\xe9 \xff\xfe\x80");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP termin\xe9 \xc3\x28");
  open_plain (f);

  response = run (f, noop, collect_text_cb, texts, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  g_assert_cmpuint (texts->len, ==, 1);
  assert_bytes (g_ptr_array_index (texts, 0), "Caf\xe9 ferm\xe9 \xff\xfe\x80");
  tagged = g_bytes_new (response->text, strlen (response->text));
  assert_bytes (tagged, "NOOP termin\xe9 \xc3\x28");
  g_assert_cmpuint (f->closed_count, ==, 0);
  assert_script_played (f);
}

static void
collect_mailbox_cb (BuzonImapConnection     *connection,
                    const BuzonImapResponse *response,
                    gpointer                 user_data)
{
  GPtrArray *names = user_data;
  const BuzonImapValue *name = NULL;
  const char *data;
  gsize length = 0;

  if (g_strcmp0 (response->keyword, "LIST") != 0)
    return;
  name = buzon_imap_value_get_item (response->values, 2);
  data = buzon_imap_value_get_string (name, &length);
  g_assert_nonnull (data);
  g_ptr_array_add (names, g_bytes_new (data, length));
}

static void
test_non_utf8_mailbox_name (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (BuzonImapCommand) list = buzon_imap_command_new ("LIST");
  const char literal[] = "* LIST () \"/\" {6}\r\nR\xe9s\xfcm\xe9\r\n";

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% LIST \"\" \"*\"");
  buzon_test_fake_imap_server_send_line (f->server, "* LIST (\\HasNoChildren) \"/\" \"Caf\xe9\"");
  buzon_test_fake_imap_server_send (f->server, literal, strlen (literal));
  buzon_test_fake_imap_server_send_line (f->server, "* LIST () \"/\" Archiv\xf6");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK LIST completed");
  open_plain (f);

  buzon_imap_command_add_raw (list, "\"\" \"*\"");
  response = run (f, list, collect_mailbox_cb, names, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  g_assert_cmpuint (names->len, ==, 3);
  assert_bytes (g_ptr_array_index (names, 0), "Caf\xe9");
  assert_bytes (g_ptr_array_index (names, 1), "R\xe9s\xfcm\xe9");
  assert_bytes (g_ptr_array_index (names, 2), "Archiv\xf6");
  g_assert_cmpuint (f->closed_count, ==, 0);
  assert_script_played (f);
}

/* Timeouts: a server that stops talking fails the connection in about the
 * time set. */

static void
test_no_answer (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  gint64 start;
  double seconds;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_stall (f->server);
  open_plain (f);
  buzon_imap_connection_set_timeout (f->connection, 2);

  start = g_get_monotonic_time ();
  response = run_noop (f, &error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_test_message ("Timed out after %.3f s", seconds);
  g_assert_cmpfloat (seconds, >=, 1.9);
  /* Not a measure of speed: only that the wait ends (ample under load). */
  g_assert_cmpfloat (seconds, <, 8);
  assert_closed_by (f, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  assert_script_played (f);
}

static void
test_no_greeting (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  double seconds;

  buzon_test_fake_imap_server_stall (f->server);
  g_assert_false (open_connection (f, "imap+plain", 2, &error));
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_test_message ("Timed out after %.3f s", seconds);
  g_assert_cmpfloat (seconds, >=, 1.9);
  /* Not a measure of speed: only that the wait ends (ample under load). */
  g_assert_cmpfloat (seconds, <, 8);
  assert_closed_by (f, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

/* Greetings. */

static void
test_greeting_not_imap (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server, "220 smtp.example.test ESMTP ready");
  buzon_test_fake_imap_server_expect_eof (f->server);
  g_assert_false (open_connection (f, "imap+plain", 0, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NOT_IMAP);
  assert_closed_by (f, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NOT_IMAP);
  assert_script_played (f);
  assert_received (f, "");
}

static void
test_greeting_bye (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server, "* BYE Too many connections from your host");
  buzon_test_fake_imap_server_expect_eof (f->server);
  g_assert_false (open_connection (f, "imap+plain", 0, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BYE);
  g_assert_nonnull (strstr (error->message, "Too many connections from your host"));
  assert_closed_by (f, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BYE);
  assert_script_played (f);
  assert_received (f, "");
}

static void
test_greeting_preauth (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* PREAUTH [CAPABILITY IMAP4rev1 IDLE] Logged in as user");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed");
  open_plain (f);

  g_assert_true (buzon_imap_connection_get_preauthenticated (f->connection));
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "IDLE"));
  response = run_noop (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  assert_script_played (f);
}

/* An imap:// URL requires STARTTLS: without it nothing but the CAPABILITY
 * question may be sent in plaintext, least of all LOGIN. */
static void
check_no_starttls (Fixture    *f,
                   const char *expected_received)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_expect_eof (f->server);
  g_assert_false (open_connection (f, "imap", 0, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO_STARTTLS);
  assert_closed_by (f, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO_STARTTLS);
  assert_script_played (f);
  assert_received (f, expected_received);
}

static void
test_starttls_not_offered (Fixture      *f,
                           gconstpointer data)
{
  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  check_no_starttls (f, "");
}

static void
test_starttls_not_in_capability (Fixture      *f,
                                 gconstpointer data)
{
  buzon_test_fake_imap_server_send_line (f->server, "* OK Fake server ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CAPABILITY");
  buzon_test_fake_imap_server_send_line (f->server, "* CAPABILITY IMAP4rev1 AUTH=PLAIN");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK CAPABILITY completed");
  check_no_starttls (f, "b1 CAPABILITY\r\n");
}

/* iCloud ends its CAPABILITY line with a space. */
static void
test_capability_trailing_space (Fixture      *f,
                                gconstpointer data)
{
  const char * const *capabilities;

  buzon_test_fake_imap_server_send_line (f->server, "* OK Fake server ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CAPABILITY");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE UIDPLUS ");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK CAPABILITY completed");
  open_plain (f);

  capabilities = buzon_imap_connection_get_capabilities (f->connection);
  g_assert_cmpuint (g_strv_length ((char **) capabilities), ==, 4);
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "IMAP4rev1"));
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "AUTH=PLAIN"));
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "IDLE"));
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "UIDPLUS"));
  assert_script_played (f);
}

/* Literals without LITERAL+. */

#define MESSAGE "From: user@example.test\r\nSubject: Caf\xc3\xa9\r\n\r\nHola \xff bytes\r\n"

static BuzonImapCommand *
new_append (void)
{
  BuzonImapCommand *append = buzon_imap_command_new ("APPEND");
  g_autoptr (GBytes) message = g_bytes_new_static (MESSAGE, strlen (MESSAGE));

  buzon_imap_command_add_mailbox (append, "INBOX");
  buzon_imap_command_add_literal (append, message, FALSE);
  return append;
}

/* "{n}", then nothing until the server's "+", then the bytes. */
static void
test_synchronising_literal (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (BuzonImapCommand) append = new_append ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autofree char *line = g_strdup_printf ("%%TAG%% APPEND INBOX {%" G_GSIZE_FORMAT "}",
                                           strlen (MESSAGE));
  g_autofree char *sent = g_strdup_printf ("b1 APPEND INBOX {%" G_GSIZE_FORMAT "}\r\n%s\r\n",
                                           strlen (MESSAGE), MESSAGE);

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, line);
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  buzon_test_fake_imap_server_send_line (f->server, "+ Ready for literal data");
  buzon_test_fake_imap_server_expect_bytes (f->server, MESSAGE, strlen (MESSAGE));
  buzon_test_fake_imap_server_expect_line (f->server, "");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [APPENDUID 1 7] APPEND completed");
  open_plain (f);

  response = run (f, append, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (response->code, ==, "APPENDUID");
  assert_script_played (f);
  assert_received (f, sent);
}

/* The server may answer NO instead of "+": the literal is never sent, the
 * command fails quoting the server, and the connection goes on. */
static void
check_literal_refused (Fixture *f,
                       gboolean noop_queued_early)
{
  g_autoptr (BuzonImapCommand) append = new_append ();
  g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");
  g_autoptr (GAsyncResult) append_result = NULL;
  g_autoptr (GAsyncResult) noop_result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autofree char *line = g_strdup_printf ("%%TAG%% APPEND INBOX {%" G_GSIZE_FORMAT "}",
                                           strlen (MESSAGE));
  g_autofree char *sent = g_strdup_printf ("b1 APPEND INBOX {%" G_GSIZE_FORMAT "}\r\nb2 NOOP\r\n",
                                           strlen (MESSAGE));

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, line);
  /* A real server's answer takes a round trip: the client has long seen
   * its line written. */
  buzon_test_fake_imap_server_sleep (f->server, 200);
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% NO [LIMIT] Message too big");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  open_plain (f);

  buzon_imap_connection_command_async (f->connection, append, NULL, NULL, NULL, store_result_cb,
                                       &append_result);
  if (noop_queued_early)
    buzon_imap_connection_command_async (f->connection, noop, NULL, NULL, NULL, store_result_cb,
                                         &noop_result);
  response = buzon_imap_connection_command_finish (f->connection, wait_for (&append_result),
                                                   &error);
  g_assert_null (response);
  /* [LIMIT] (RFC 5530): too big for this server; retrying will not help. */
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_TOO_BIG);
  g_assert_true (buzon_imap_error_is_refusal (error));
  g_assert_nonnull (strstr (error->message, "Message too big"));
  g_clear_error (&error);

  if (!noop_queued_early)
    buzon_imap_connection_command_async (f->connection, noop, NULL, NULL, NULL, store_result_cb,
                                         &noop_result);
  response = buzon_imap_connection_command_finish (f->connection, wait_for (&noop_result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  g_assert_cmpuint (f->closed_count, ==, 0);
  assert_script_played (f);
  assert_received (f, sent);
}

static void
test_literal_refused (Fixture      *f,
                      gconstpointer data)
{
  check_literal_refused (f, FALSE);
}

static void
test_literal_refused_next_queued (Fixture      *f,
                                  gconstpointer data)
{
  check_literal_refused (f, TRUE);
}

/* AUTH=PLAIN without SASL-IR: the credentials only after the server's "+". */
static void
test_authenticate_plain_without_sasl_ir (Fixture      *f,
                                         gconstpointer data)
{
  static const char token[] = "\0user\0pass";
  g_autofree char *encoded = g_base64_encode ((const guchar *) token, sizeof token - 1);
  g_autofree char *sent = g_strdup_printf ("b1 AUTHENTICATE PLAIN\r\n%s\r\n", encoded);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE PLAIN");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  buzon_test_fake_imap_server_send_line (f->server, "+ ");
  buzon_test_fake_imap_server_expect_line (f->server, encoded);
  buzon_test_fake_imap_server_send_line (f->server,
                                         "%TAG% OK [CAPABILITY IMAP4rev1 IDLE MOVE] Logged in");
  open_plain (f);

  buzon_imap_connection_login_async (f->connection, "user", "pass", NULL, store_result_cb,
                                     &result);
  g_assert_true (buzon_imap_connection_login_finish (f->connection, wait_for (&result), &error));
  g_assert_no_error (error);
  /* The capabilities came with the OK: no CAPABILITY command after it. */
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "MOVE"));
  g_assert_false (buzon_imap_connection_has_capability (f->connection, "AUTH=PLAIN"));
  assert_script_played (f);
  assert_received (f, sent);
}

/* PLAIN has no challenge after the credentials: one is answered by
 * cancelling the exchange ("*"), and the login fails as refused while the
 * connection stays open. */
static void
test_authenticate_plain_challenged (Fixture      *f,
                                    gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE PLAIN AHVzZXIAcGFzcw==");
  buzon_test_fake_imap_server_send_line (f->server, "+ V2hvIGFyZSB5b3U/");
  buzon_test_fake_imap_server_expect_line (f->server, "*");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% BAD AUTHENTICATE cancelled");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed");
  open_plain (f);

  buzon_imap_connection_login_async (f->connection, "user", "pass", NULL, store_result_cb,
                                     &result);
  g_assert_false (buzon_imap_connection_login_finish (f->connection, wait_for (&result), &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_assert_nonnull (strstr (error->message, "AUTHENTICATE cancelled"));
  response = run_noop (f, &error);
  g_assert_nonnull (response);
  g_assert_cmpuint (f->closed_count, ==, 0);
  assert_script_played (f);
}

/* A login on a connection that is already closed fails at once. */
static void
test_login_after_close (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_close (f->server);
  open_plain (f);
  assert_script_played (f);
  g_assert_true (iterate_until_closed (f));
  assert_closed_by (f, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);

  buzon_imap_connection_login_async (f->connection, "user", "pass", NULL, store_result_cb,
                                     &result);
  g_assert_false (buzon_imap_connection_login_finish (f->connection, wait_for (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_assert_cmpuint (f->closed_count, ==, 1);
}

/* Pipelining: commands queued at once go out without waiting for replies,
 * MAX_IN_FLIGHT (16) at most, and complete in order. */

#define PIPELINED   20
#define MAX_ON_WIRE 16

typedef struct
{
  GArray *order; /* guint: the index of each command as it completed. */
  guint index;
  GAsyncResult *result;
} Queued;

static void
record_order_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Queued *queued = user_data;
  GArray *order = queued->order;

  g_array_append_val (order, queued->index);
  queued->result = g_object_ref (result);
}

static void
test_pipelining (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  Queued queued[PIPELINED] = { { 0 } };

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  for (guint i = 0; i < MAX_ON_WIRE; i++)
    buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  /* No more until a reply frees a place. */
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  buzon_test_fake_imap_server_send_to_each (f->server, "%TAG% OK NOOP completed");
  for (guint i = MAX_ON_WIRE; i < PIPELINED; i++)
    buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_to_each (f->server, "%TAG% OK NOOP completed");
  open_plain (f);

  for (guint i = 0; i < PIPELINED; i++)
    {
      g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");

      queued[i].order = order;
      queued[i].index = i;
      buzon_imap_connection_command_async (f->connection, noop, NULL, NULL, NULL, record_order_cb,
                                           &queued[i]);
    }
  for (guint i = 0; i < PIPELINED; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonImapResponse) response = NULL;

      response = buzon_imap_connection_command_finish (f->connection, wait_for (&queued[i].result),
                                                       &error);
      g_assert_no_error (error);
      g_assert_nonnull (response);
      g_clear_object (&queued[i].result);
    }
  for (guint i = 0; i < PIPELINED; i++)
    g_assert_cmpuint (g_array_index (order, guint, i), ==, i);
  assert_script_played (f);
}

/* Commands queued in one turn of the main loop reach the server in one
 * write; one queued later, while those are out, goes in the next. */
static void
test_queued_together_written_together (Fixture      *f,
                                       gconstpointer data)
{
  const char *names[] = { "NOOP", "CHECK", "NOOP" };
  GAsyncResult *results[G_N_ELEMENTS (names)] = { NULL };
  g_autoptr (GAsyncResult) later_result = NULL;
  g_autoptr (BuzonImapCommand) later = buzon_imap_command_new ("NOOP");
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_together (f->server, G_N_ELEMENTS (names));
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CHECK");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_to_each (f->server, "%TAG% OK done");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_to_each (f->server, "%TAG% OK done");
  open_plain (f);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (BuzonImapCommand) command = buzon_imap_command_new (names[i]);

      buzon_imap_connection_command_async (f->connection, command, NULL, NULL, NULL,
                                           store_result_cb, &results[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (BuzonImapResponse) done = NULL;

      done = buzon_imap_connection_command_finish (f->connection, wait_for (&results[i]), &error);
      g_assert_no_error (error);
      g_assert_cmpint (done->status, ==, BUZON_IMAP_STATUS_OK);
      g_clear_object (&results[i]);
    }
  buzon_imap_connection_command_async (f->connection, later, NULL, NULL, NULL, store_result_cb,
                                       &later_result);
  response = buzon_imap_connection_command_finish (f->connection, wait_for (&later_result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (response->status, ==, BUZON_IMAP_STATUS_OK);
  assert_script_played (f);
}

/* A command cancelled before its turn to be written never reaches the
 * server. */
static void
test_cancelled_before_written (Fixture      *f,
                               gconstpointer data)
{
  g_autoptr (BuzonImapCommand) first = buzon_imap_command_new ("NOOP");
  g_autoptr (BuzonImapCommand) cancelled = buzon_imap_command_new ("EXAMINE");
  g_autoptr (BuzonImapCommand) third = buzon_imap_command_new ("NOOP");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) first_result = NULL;
  g_autoptr (GAsyncResult) cancelled_result = NULL;
  g_autoptr (GAsyncResult) third_result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_to_each (f->server, "%TAG% OK NOOP completed");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  open_plain (f);

  /* The first is being written when the second is queued and cancelled. */
  buzon_imap_command_add_mailbox (cancelled, "INBOX");
  buzon_imap_connection_command_async (f->connection, first, NULL, NULL, NULL, store_result_cb,
                                       &first_result);
  buzon_imap_connection_command_async (f->connection, cancelled, NULL, NULL, cancellable,
                                       store_result_cb, &cancelled_result);
  buzon_imap_connection_command_async (f->connection, third, NULL, NULL, NULL, store_result_cb,
                                       &third_result);
  g_cancellable_cancel (cancellable);

  response = buzon_imap_connection_command_finish (f->connection, wait_for (&cancelled_result),
                                                   &error);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  response = buzon_imap_connection_command_finish (f->connection, wait_for (&first_result),
                                                   &error);
  g_assert_no_error (error);
  g_clear_pointer (&response, buzon_imap_response_free);
  response = buzon_imap_connection_command_finish (f->connection, wait_for (&third_result),
                                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->closed_count, ==, 0);
  assert_script_played (f);
  assert_received (f, "b1 NOOP\r\nb3 NOOP\r\n");
}

/* IDLE: a server may stay silent for as long as IDLE lasts; the timeout
 * must not end it, and DONE must. */
static void
test_idle_silence_is_not_a_timeout (Fixture      *f,
                                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) idled = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  gint64 until;
  guint tick;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% IDLE");
  buzon_test_fake_imap_server_send_line (f->server, "+ idling");
  buzon_test_fake_imap_server_expect_silence (f->server, 3000);
  buzon_test_fake_imap_server_expect_line (f->server, "DONE");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK IDLE terminated");
  open_plain (f);
  buzon_imap_connection_set_timeout (f->connection, 1);

  buzon_imap_connection_idle_async (f->connection, NULL, NULL, NULL, store_result_cb, &idled);
  /* Three times the timeout in silence. */
  until = g_get_monotonic_time () + 3200 * 1000;
  tick = g_timeout_add (50, tick_cb, NULL);
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_assert_cmpuint (f->closed_count, ==, 0);
  g_assert_null (idled);

  buzon_imap_connection_idle_done (f->connection);
  response = buzon_imap_connection_command_finish (f->connection, wait_for (&idled), &error);
  g_assert_no_error (error);
  g_assert_cmpint (response->status, ==, BUZON_IMAP_STATUS_OK);
  assert_script_played (f);
}

/* IDLE asked to end before it went out (commands go when the main loop
 * runs) still goes out, and ends at the server's "+". */
static void
test_idle_done_before_written (Fixture      *f,
                               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) idled = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% IDLE");
  buzon_test_fake_imap_server_send_line (f->server, "+ idling");
  buzon_test_fake_imap_server_expect_line (f->server, "DONE");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK IDLE terminated");
  open_plain (f);

  buzon_imap_connection_idle_async (f->connection, NULL, NULL, NULL, store_result_cb, &idled);
  buzon_imap_connection_idle_done (f->connection);
  response = buzon_imap_connection_command_finish (f->connection, wait_for (&idled), &error);
  g_assert_no_error (error);
  g_assert_cmpint (response->status, ==, BUZON_IMAP_STATUS_OK);
  assert_script_played (f);
}

/* A handler that closes the connection when it sees BYE: the connection
 * must not touch the commands that closing freed (a use-after-free once). */
static void
close_on_bye_cb (BuzonImapConnection     *connection,
                 const BuzonImapResponse *response,
                 gpointer                 user_data)
{
  if (response->status == BUZON_IMAP_STATUS_BYE)
    buzon_imap_connection_close (connection);
}

static void
test_handler_closes_on_bye (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "* BYE Going down");
  buzon_test_fake_imap_server_stall (f->server);
  open_plain (f);

  response = run (f, noop, close_on_bye_cb, NULL, &error);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  assert_closed_by (f, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

/* A session over the fake server: a LIST naming a mailbox three times (a
 * LIST-EXTENDED quirk) gives it once, and nothing reads freed memory. */
static void
test_session_list_duplicates (Fixture      *f,
                              gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapSession) session = NULL;
  g_autoptr (GAsyncResult) logged_in = NULL;
  g_autoptr (GAsyncResult) listed = NULL;
  g_autoptr (GPtrArray) mailboxes = NULL;
  guint dup = 0;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE PLAIN");
  buzon_test_fake_imap_server_send_line (f->server, "+ ");
  buzon_test_fake_imap_server_expect_line (f->server, "AHVzZXIAcGFzcw==");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [CAPABILITY IMAP4rev1] Logged in");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% LIST \"\" \"*\"");
  buzon_test_fake_imap_server_send_line (f->server, "* LIST () \"/\" INBOX");
  for (guint i = 0; i < 3; i++)
    buzon_test_fake_imap_server_send_line (f->server, "* LIST (\\HasNoChildren) \"/\" Dup");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK List done");
  open_plain (f);

  session = buzon_imap_session_new (f->connection);
  buzon_imap_session_login_async (session, "user", "pass", NULL, store_result_cb, &logged_in);
  g_assert_true (buzon_imap_session_login_finish (session, wait_for (&logged_in), &error));
  g_assert_no_error (error);
  buzon_imap_session_list_async (session, NULL, store_result_cb, &listed);
  mailboxes = buzon_imap_session_list_finish (session, wait_for (&listed), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < mailboxes->len; i++)
    if (g_str_equal (((BuzonImapMailbox *) mailboxes->pdata[i])->raw_name, "Dup"))
      dup++;
  g_assert_cmpuint (dup, ==, 1);
  g_assert_cmpuint (mailboxes->len, ==, 2);
  assert_script_played (f);
  /* The session owns the connection and closes it when it goes. */
  g_clear_object (&logged_in);
  g_clear_object (&listed);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (g_steal_pointer (&session));
  g_assert_cmpuint (f->closed_count, ==, 1);
}

#define ADD(path, func) \
  g_test_add ("/imap-connection-faults/" path, Fixture, NULL, fixture_set_up, func, \
              fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    g_test_add (malformed[i].path, Fixture, &malformed[i], fixture_set_up, test_malformed,
                fixture_tear_down);
  /* Tests that found a bug in the connection come last in their suites, and
   * their suites last, so that one failure hides as few results as it can. */
  ADD ("stream/bye-mid-command", test_bye_mid_command);
  ADD ("stream/cut-inside-literal", test_cut_inside_literal);
  ADD ("stream/huge-literal", test_huge_literal);
  ADD ("non-utf8/response", test_non_utf8_response);
  ADD ("non-utf8/mailbox-name", test_non_utf8_mailbox_name);
  ADD ("timeout/no-answer", test_no_answer);
  ADD ("timeout/no-greeting", test_no_greeting);
  ADD ("starttls/not-offered", test_starttls_not_offered);
  ADD ("starttls/not-in-capability", test_starttls_not_in_capability);
  ADD ("capability/trailing-space", test_capability_trailing_space);
  ADD ("greeting/bye", test_greeting_bye);
  ADD ("greeting/preauth", test_greeting_preauth);
  ADD ("greeting/not-imap", test_greeting_not_imap);
  ADD ("literal/synchronising", test_synchronising_literal);
  ADD ("literal/refused", test_literal_refused);
  ADD ("literal/refused-next-queued", test_literal_refused_next_queued);
  ADD ("login/authenticate-plain-without-sasl-ir", test_authenticate_plain_without_sasl_ir);
  ADD ("login/authenticate-plain-challenged", test_authenticate_plain_challenged);
  ADD ("login/after-close", test_login_after_close);
  ADD ("commands/cancelled-before-written", test_cancelled_before_written);
  ADD ("commands/pipelining", test_pipelining);
  ADD ("commands/queued-together-written-together", test_queued_together_written_together);
  ADD ("idle/silence-is-not-a-timeout", test_idle_silence_is_not_a_timeout);
  ADD ("idle/done-before-written", test_idle_done_before_written);
  ADD ("stream/handler-closes-on-bye", test_handler_closes_on_bye);
  ADD ("session/list-duplicates", test_session_list_duplicates);

  return g_test_run ();
}
