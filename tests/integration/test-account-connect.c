// buzon_account_connect_async() against a scripted fake server: the
// password is looked up while the connection opens, a failed lookup closes
// the connection, and a server that hangs up before the password comes is
// connected to again.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The password command waits for a file the test creates, so that the test
// decides when the password comes.

#include <glib/gstdio.h>
#include <string.h>

#include "account/account-error.h"
#include "account/account.h"
#include "account/credentials-command.h"
#include "engine.h"
#include "fake-session-helpers.h"
#include "sync/account-connect.h"

#define WAIT_SECONDS 10
#define GREETING     "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready"

typedef struct
{
  BuzonTestFakeImapServer *server;
  char *dir;
  char *flag; /* The password command answers once this exists. */
  BuzonAccount *account;
  BuzonCredentials *credentials;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  const char *answer = data != NULL ? data : "echo secreto";
  g_autoptr (GError) error = NULL;
  g_autofree char *command = NULL;

  f->server = buzon_test_fake_imap_server_new ();
  f->dir = g_dir_make_tmp ("buzon-connect-XXXXXX", &error);
  g_assert_no_error (error);
  f->flag = g_build_filename (f->dir, "go", NULL);
  command = g_strdup_printf ("while [ ! -e '%s' ]; do sleep 0.01; done; %s", f->flag, answer);
  f->credentials = BUZON_CREDENTIALS (buzon_command_credentials_new (command));
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->account);
  g_clear_object (&f->credentials);
  buzon_test_fake_imap_server_free (f->server);
  g_remove (f->flag);
  g_rmdir (f->dir);
  g_free (f->flag);
  g_free (f->dir);
}

static void
start (Fixture *f)
{
  g_autofree char *url_text = NULL;
  g_autoptr (BuzonServerUrl) imap = NULL;
  g_autoptr (BuzonServerUrl) smtp = NULL;

  buzon_test_fake_imap_server_start (f->server);
  url_text = buzon_test_fake_imap_server_get_url (f->server, "imap+plain");
  imap = buzon_server_url_parse (url_text, NULL);
  smtp = buzon_server_url_parse ("smtp+plain://ana@127.0.0.1:1", NULL);
  f->account = buzon_account_new ("rara", NULL, "ana@example.test", imap, smtp);
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE; /* It only wakes the loop to look at the clock. */
}

/* Runs the main context until the server has accepted @clients
 * connections, for WAIT_SECONDS at most. */
static gboolean
wait_for_clients (Fixture *f,
                  guint    clients)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (10, tick_cb, NULL);

  while (buzon_test_fake_imap_server_get_clients (f->server) < clients
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return buzon_test_fake_imap_server_get_clients (f->server) >= clients;
}

/* Runs the main context for @ms. */
static void
iterate_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

static void
let_password_come (Fixture *f)
{
  g_assert_true (g_file_set_contents (f->flag, "", 0, NULL));
}

static void
assert_script_played (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  gboolean played = buzon_test_fake_imap_server_finish (f->server, WAIT_SECONDS * 1000, &error);

  g_assert_no_error (error);
  g_assert_true (played);
}

static void
script_login (Fixture *f)
{
  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  /* "\0user\0secreto" */
  buzon_test_fake_imap_server_expect_line (f->server,
                                           "%TAG% AUTHENTICATE PLAIN AHVzZXIAc2VjcmV0bw==");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [CAPABILITY IMAP4rev1] Logged in");
}

/* The connection is open, greeting and all, while the password command
 * still runs; the login follows once it answers. */
static void
test_password_beside_connection (Fixture      *f,
                                 gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonImapSession) session = NULL;
  g_autoptr (GError) error = NULL;

  script_login (f);
  start (f);
  buzon_account_connect_async (f->account, f->credentials, NULL, fake_server_result_cb, &result);
  g_assert_true (wait_for_clients (f, 1));
  g_assert_null (result);
  let_password_come (f);
  session = buzon_account_connect_finish (fake_server_wait (f->server, &result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_AUTHENTICATED);
  assert_script_played (f);
}

/* A password command that fails: its error, and the connection opened
 * beside it is closed. */
static void
test_password_fails (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonImapSession) session = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_expect_eof (f->server);
  start (f);
  buzon_account_connect_async (f->account, f->credentials, NULL, fake_server_result_cb, &result);
  g_assert_true (wait_for_clients (f, 1));
  let_password_come (f);
  session = buzon_account_connect_finish (fake_server_wait (f->server, &result), &error);
  g_assert_null (session);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND);
  assert_script_played (f);
}

/* The server hangs up while the password is awaited (as one does after a
 * while without a login): a new connection gets the login. */
static void
test_server_hangs_up_first (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonImapSession) session = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server, GREETING);
  buzon_test_fake_imap_server_send_line (f->server, "* BYE Autologout; idle for too long");
  buzon_test_fake_imap_server_accept (f->server);
  script_login (f);
  start (f);
  buzon_account_connect_async (f->account, f->credentials, NULL, fake_server_result_cb, &result);
  g_assert_true (wait_for_clients (f, 1));
  /* Time for the client to read the BYE and see the connection close. */
  iterate_for (300);
  g_assert_null (result);
  let_password_come (f);
  session = buzon_account_connect_finish (fake_server_wait (f->server, &result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_AUTHENTICATED);
  g_assert_cmpuint (buzon_test_fake_imap_server_get_clients (f->server), ==, 2);
  assert_script_played (f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

#define ADD(path, func, answer) \
  g_test_add ("/account-connect/" path, Fixture, answer, fixture_set_up, func, fixture_tear_down)
  ADD ("password-beside-connection", test_password_beside_connection, NULL);
  ADD ("password-fails", test_password_fails, "exit 3");
  ADD ("server-hangs-up-first", test_server_hangs_up_first, NULL);
#undef ADD

  return g_test_run ();
}
