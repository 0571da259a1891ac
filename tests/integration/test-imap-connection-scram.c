// BuzonImapConnection's SCRAM-SHA-256 login (RFC 7677) against a scripted
// fake server, for what a real one cannot be made to do (a wrong signature,
// an OK without proof, too few iterations, a cut exchange), then against
// the fixture's Dovecot, which derives its keys from the password file.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Every fake-server test ends with the connection closed, "closed" emitted
// exactly once, and the connection finalized.

#include <string.h>

#include "fake-imap-server.h"
#include "fake-scram-server.h"
#include "imap/imap-command.h"
#include "imap/imap-connection.h"
#include "imap/imap-error.h"
#include "mail-servers.h"

#define WAIT_SECONDS 10 /* Longer than any wait a test expects: a hang fails the test. */
#define SCRIPT_MS    5000

typedef struct
{
  BuzonTestFakeImapServer *server;
  BuzonTestFakeScram *scram;
  BuzonImapConnection *connection;
  guint closed_count;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  f->server = buzon_test_fake_imap_server_new ();
  f->scram = buzon_test_fake_scram_new ("ana", "secret", 4096, "+ ");
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  if (f->connection != NULL)
    {
      gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

      if (f->closed_count == 0)
        buzon_imap_connection_close (f->connection);
      g_assert_cmpuint (f->closed_count, ==, 1);
      g_object_add_weak_pointer (G_OBJECT (f->connection), (gpointer *) &f->connection);
      g_object_unref (f->connection);
      while (f->connection != NULL && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);
      g_assert_null (f->connection);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  buzon_test_fake_imap_server_free (f->server);
  buzon_test_fake_scram_free (f->scram);
}

static void
closed_cb (BuzonImapConnection *connection,
           GError              *error,
           gpointer             user_data)
{
  Fixture *f = user_data;

  f->closed_count++;
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
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE; /* It only wakes the loop to look at the clock. */
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, tick_cb, NULL);

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  if (*slot == NULL)
    g_error ("No answer after %d seconds: the operation hangs", WAIT_SECONDS);
  return *slot;
}

/* Starts the script and opens a plaintext loopback connection to it. */
static void
open_plain (Fixture *f)
{
  g_autofree char *url_text = NULL;
  g_autoptr (BuzonServerUrl) url = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_start (f->server);
  url_text = buzon_test_fake_imap_server_get_url (f->server, "imap+plain");
  url = buzon_server_url_parse (url_text, NULL);
  g_assert_nonnull (url);
  f->connection = buzon_imap_connection_new (url, NULL);
  g_signal_connect (f->connection, "closed", G_CALLBACK (closed_cb), f);
  buzon_imap_connection_open_async (f->connection, NULL, store_result_cb, &result);
  g_assert_true (buzon_imap_connection_open_finish (f->connection, wait_for (&result), &error));
  g_assert_no_error (error);
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

static void
assert_noop_works (BuzonImapConnection *connection)
{
  g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  buzon_imap_connection_command_async (connection, noop, NULL, NULL, NULL, store_result_cb,
                                       &result);
  response = buzon_imap_connection_command_finish (connection, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (response->status, ==, BUZON_IMAP_STATUS_OK);
}

static void
assert_script_played (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_finish (f->server, SCRIPT_MS, &error);
  g_assert_no_error (error);
}

/* Waits for "closed", which a closing connection emits from the main loop. */
static void
wait_closed (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (f->closed_count == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (f->closed_count, ==, 1);
}

/* The greeting, then the client-first message in the AUTHENTICATE (SASL-IR)
 * answered with server-first, and the client-final line with server-final. */
static void
script_exchange (Fixture *f)
{
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN "
                                         "AUTH=LOGIN AUTH=SCRAM-SHA-256] ready");
  buzon_test_fake_imap_server_expect_line_respond (f->server,
                                                   "%TAG% AUTHENTICATE SCRAM-SHA-256 %ANY%",
                                                   buzon_test_fake_scram_first_cb, f->scram);
  buzon_test_fake_imap_server_expect_line_respond (f->server, "%ANY%",
                                                   buzon_test_fake_scram_final_cb, f->scram);
}

/* SCRAM preferred to PLAIN; the proof right; the OK believed only after
 * the server's signature, and the capabilities in it taken. */
static void
test_scram_preferred (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  script_exchange (f);
  buzon_test_fake_imap_server_expect_line (f->server, "");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "%TAG% OK [CAPABILITY IMAP4rev1 IDLE MOVE] Logged in");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed");
  open_plain (f);

  g_assert_true (login (f->connection, "ana", "secret", &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_fake_scram_proof_checked (f->scram));
  g_assert_true (g_str_has_prefix (buzon_test_fake_scram_get_client_first (f->scram),
                                   "n,,n=ana,r="));
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "MOVE"));
  g_assert_false (buzon_imap_connection_has_capability (f->connection, "AUTH=SCRAM-SHA-256"));
  assert_noop_works (f->connection);
  assert_script_played (f);
}

/* Without SASL-IR the client-first message waits for the server's "+". */
static void
test_scram_without_sasl_ir (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 AUTH=SCRAM-SHA-256] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE SCRAM-SHA-256");
  buzon_test_fake_imap_server_send_line (f->server, "+ ");
  buzon_test_fake_imap_server_expect_line_respond (f->server, "%ANY%",
                                                   buzon_test_fake_scram_first_cb, f->scram);
  buzon_test_fake_imap_server_expect_line_respond (f->server, "%ANY%",
                                                   buzon_test_fake_scram_final_cb, f->scram);
  buzon_test_fake_imap_server_expect_line (f->server, "");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK Logged in");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CAPABILITY");
  buzon_test_fake_imap_server_send_line (f->server, "* CAPABILITY IMAP4rev1 IDLE");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK done");
  open_plain (f);

  g_assert_true (login (f->connection, "ana", "secret", &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_fake_scram_proof_checked (f->scram));
  assert_script_played (f);
}

/* An impostor that says yes to any password cannot sign: "*", then an
 * error saying what that means, and the connection closed. */
static void
test_scram_bad_server_signature (Fixture      *f,
                                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_scram_set_bad_signature (f->scram);
  script_exchange (f);
  buzon_test_fake_imap_server_expect_line (f->server, "*");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% BAD Authentication aborted");
  buzon_test_fake_imap_server_expect_eof (f->server);
  open_plain (f);

  g_assert_false (login (f->connection, "ana", "secret", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_SERVER_NOT_VERIFIED);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (error->message, "prove"));
  g_assert_nonnull (strstr (error->message, "impostor"));
  g_assert_false (buzon_imap_error_is_refusal (error));
  wait_closed (f);
  assert_script_played (f);
}

/* An OK that skips server-final proves nothing. */
static void
test_scram_ok_without_proof (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR "
                                         "AUTH=SCRAM-SHA-256] ready");
  buzon_test_fake_imap_server_expect_line_respond (f->server,
                                                   "%TAG% AUTHENTICATE SCRAM-SHA-256 %ANY%",
                                                   buzon_test_fake_scram_first_cb, f->scram);
  buzon_test_fake_imap_server_expect_line (f->server, "%ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [CAPABILITY IMAP4rev1] Logged in");
  buzon_test_fake_imap_server_expect_eof (f->server);
  open_plain (f);

  g_assert_false (login (f->connection, "ana", "secret", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_SERVER_NOT_VERIFIED);
  g_assert_nonnull (strstr (error->message, "impostor"));
  wait_closed (f);
  assert_script_played (f);
}

/* Fewer than 4096 iterations: "*", refused before any proof is sent. */
static void
test_scram_too_few_iterations (Fixture      *f,
                               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestFakeScram) weak = buzon_test_fake_scram_new ("ana", "secret", 1000, "+ ");

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR "
                                         "AUTH=SCRAM-SHA-256] ready");
  buzon_test_fake_imap_server_expect_line_respond (f->server,
                                                   "%TAG% AUTHENTICATE SCRAM-SHA-256 %ANY%",
                                                   buzon_test_fake_scram_first_cb, weak);
  buzon_test_fake_imap_server_expect_line (f->server, "*");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% BAD Authentication aborted");
  buzon_test_fake_imap_server_expect_eof (f->server);
  open_plain (f);

  g_assert_false (login (f->connection, "ana", "secret", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_SERVER_NOT_VERIFIED);
  g_assert_nonnull (strstr (error->message, "1000"));
  wait_closed (f);
  assert_script_played (f);
  g_assert_false (buzon_test_fake_scram_proof_checked (weak));
}

/* A server-first message that is not SCRAM: "*", a parse error, and the
 * connection goes on. */
static void
test_scram_malformed (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR "
                                         "AUTH=SCRAM-SHA-256] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE SCRAM-SHA-256 %ANY%");
  /* base64 ("s=QSXCR+Q6sek8bf92,i=4096"): no nonce. */
  buzon_test_fake_imap_server_send_line (f->server, "+ cz1RU1hDUitRNnNlazhiZjkyLGk9NDA5Ng==");
  buzon_test_fake_imap_server_expect_line (f->server, "*");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% BAD Authentication aborted");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed");
  open_plain (f);

  g_assert_false (login (f->connection, "ana", "secret", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "malformed"));
  assert_noop_works (f->connection);
  assert_script_played (f);
}

/* The connection cut in the middle of the exchange: the login fails, and
 * the connection is closed. */
static void
test_scram_truncated (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  script_exchange (f);
  /* Half of a server-final line, then nothing. */
  buzon_test_fake_imap_server_send (f->server, "+ dj1", 5);
  buzon_test_fake_imap_server_close (f->server);
  open_plain (f);

  g_assert_false (login (f->connection, "ana", "secret", &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_false (g_error_matches (error, BUZON_IMAP_ERROR,
                                   BUZON_IMAP_ERROR_AUTHENTICATION_FAILED));
  wait_closed (f);
}

/* The server's NO in the middle: UNAVAILABLE after client-first stays that;
 * a NO after the proof is a wrong password, and nothing is tried after it
 * (the script would see any PLAIN or LOGIN). */
static void
test_scram_server_error_in_the_middle (Fixture      *f,
                                       gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestFakeScram) other = buzon_test_fake_scram_new ("ana", "other", 4096, "+ ");

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN "
                                         "AUTH=SCRAM-SHA-256] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE SCRAM-SHA-256 %ANY%");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "%TAG% NO [UNAVAILABLE] Temporary authentication "
                                         "failure");
  buzon_test_fake_imap_server_expect_line_respond (f->server,
                                                   "%TAG% AUTHENTICATE SCRAM-SHA-256 %ANY%",
                                                   buzon_test_fake_scram_first_cb, other);
  buzon_test_fake_imap_server_expect_line (f->server, "%ANY%");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "%TAG% NO [AUTHENTICATIONFAILED] Authentication failed.");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed");
  open_plain (f);

  g_assert_false (login (f->connection, "ana", "secret", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_false (login (f->connection, "ana", "secret", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  assert_noop_works (f->connection);
  assert_script_played (f);
}

/* LOGINDISABLED (as Dovecot says before TLS, SCRAM still offered): nothing
 * is sent, SCRAM included. */
static void
test_scram_login_disabled (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS "
                                         "LOGINDISABLED AUTH=SCRAM-SHA-256] ready");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  open_plain (f);

  g_assert_false (login (f->connection, "ana", "secret", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_LOGIN_DISABLED);
  assert_script_played (f);
}

/* A password SASLprep would change goes with PLAIN where that is offered. */
static void
test_scram_unprepared_password_uses_plain (Fixture      *f,
                                           gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256 "
                                         "AUTH=PLAIN] ready");
  /* base64 ("\0ana\0se\xC2\xADcret") */
  buzon_test_fake_imap_server_expect_line (f->server,
                                           "%TAG% AUTHENTICATE PLAIN AGFuYQBzZcKtY3JldA==");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [CAPABILITY IMAP4rev1] Logged in");
  open_plain (f);

  g_assert_true (login (f->connection, "ana", "se\u00ADcret", &error));
  g_assert_no_error (error);
  assert_script_played (f);
}

/* Dovecot. */

static BuzonTestMailServers *dovecot;

static BuzonImapConnection *
open_dovecot (BuzonTestMailServers *servers,
              const char           *user)
{
  g_autofree char *url_text = g_strdup_printf ("imaps://%s@127.0.0.1:%u", user,
                                               buzon_test_mail_servers_get_port (servers,
                                                                                 "IMAPS_PORT"));
  g_autoptr (BuzonServerUrl) url = NULL;
  g_autofree char *pinned = g_strconcat ("sha256:",
                                         buzon_test_mail_servers_get (servers, "CERT_SHA256"),
                                         NULL);
  const char *trusted[] = { pinned, NULL };
  g_autoptr (BuzonImapConnection) connection = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  url = buzon_server_url_parse (url_text, &error);
  g_assert_no_error (error);
  connection = buzon_imap_connection_new (url, trusted);
  buzon_imap_connection_open_async (connection, NULL, store_result_cb, &result);
  g_assert_true (buzon_imap_connection_open_finish (connection, wait_for (&result), &error));
  g_assert_no_error (error);
  return g_steal_pointer (&connection);
}

static void
close_and_finalize (BuzonImapConnection *connection)
{
  buzon_imap_connection_close (connection);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (connection);
}

/* The lines of @servers' Dovecot log that hold @text, waited for a little
 * (the log process writes them a moment after the fact). */
static guint
count_in_log (BuzonTestMailServers *servers,
              const char           *text,
              guint                 at_least)
{
  g_autofree char *path = g_build_filename (buzon_test_mail_servers_get (servers, "DIR"),
                                            "dovecot.log", NULL);
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  guint count = 0;

  do
    {
      g_autofree char *contents = NULL;

      count = 0;
      if (g_file_get_contents (path, &contents, NULL, NULL))
        for (const char *p = contents; (p = strstr (p, text)) != NULL; p += strlen (text))
          count++;
      if (count >= at_least)
        break;
      g_usleep (20 * 1000);
    }
  while (g_get_monotonic_time () < deadline);
  return count;
}

/* Dovecot offers SCRAM-SHA-256 beside PLAIN and LOGIN: the client uses it
 * (Dovecot's log says so), checks Dovecot's signature, and is logged in. A
 * wrong password is AUTHENTICATION_FAILED, with the connection usable for
 * the right one. */
static void
test_dovecot_scram (void)
{
  BuzonImapConnection *connection = open_dovecot (dovecot, "alice");
  g_autofree char *password = buzon_test_mail_servers_password (dovecot, "alice");
  g_autoptr (GError) error = NULL;
  static const char *logged_in = "imap-login: Info: Login: user=<alice>, method=SCRAM-SHA-256";
  guint before = count_in_log (dovecot, logged_in, 0);
  gint64 start;

  g_assert_true (buzon_imap_connection_has_capability (connection, "AUTH=SCRAM-SHA-256"));
  g_assert_true (buzon_imap_connection_has_capability (connection, "AUTH=PLAIN"));
  g_assert_false (login (connection, "alice", "not-her-password", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  start = g_get_monotonic_time ();
  g_assert_true (login (connection, "alice", password, &error));
  g_assert_no_error (error);
  g_test_message ("SCRAM-SHA-256 login over IMAPS in %.1f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (count_in_log (dovecot, logged_in, before + 1), ==, before + 1);
  /* The capabilities after login, re-read. */
  g_assert_true (buzon_imap_connection_has_capability (connection, "QRESYNC"));
  g_assert_false (buzon_imap_connection_has_capability (connection, "AUTH=SCRAM-SHA-256"));
  assert_noop_works (connection);
  close_and_finalize (connection);
}

/* Where Dovecot does not offer SCRAM-SHA-256, PLAIN. */
static void
test_dovecot_plain_without_scram (void)
{
  BuzonTestMailServers *plain = buzon_test_mail_servers_start ("--no-scram");
  BuzonImapConnection *connection = open_dovecot (plain, "bob");
  g_autofree char *password = buzon_test_mail_servers_password (plain, "bob");
  g_autoptr (GError) error = NULL;
  gint64 start;

  g_assert_false (buzon_imap_connection_has_capability (connection, "AUTH=SCRAM-SHA-256"));
  start = g_get_monotonic_time ();
  g_assert_true (login (connection, "bob", password, &error));
  g_assert_no_error (error);
  g_test_message ("PLAIN login over IMAPS in %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (count_in_log (plain, "Login: user=<bob>, method=PLAIN", 1), ==, 1);
  assert_noop_works (connection);
  close_and_finalize (connection);
  buzon_test_mail_servers_stop (plain);
}

#define ADD(path, func) \
  g_test_add ("/imap-connection-scram/" path, Fixture, NULL, fixture_set_up, func, \
              fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  ADD ("preferred", test_scram_preferred);
  ADD ("without-sasl-ir", test_scram_without_sasl_ir);
  ADD ("bad-server-signature", test_scram_bad_server_signature);
  ADD ("ok-without-proof", test_scram_ok_without_proof);
  ADD ("too-few-iterations", test_scram_too_few_iterations);
  ADD ("malformed", test_scram_malformed);
  ADD ("truncated", test_scram_truncated);
  ADD ("server-error-in-the-middle", test_scram_server_error_in_the_middle);
  ADD ("login-disabled", test_scram_login_disabled);
  ADD ("unprepared-password-uses-plain", test_scram_unprepared_password_uses_plain);
  g_test_add_func ("/imap-connection-scram/dovecot", test_dovecot_scram);
  g_test_add_func ("/imap-connection-scram/dovecot-plain-without-scram",
                   test_dovecot_plain_without_scram);

  dovecot = buzon_test_mail_servers_start (NULL);
  status = g_test_run ();
  buzon_test_mail_servers_stop (dovecot);
  return status;
}
