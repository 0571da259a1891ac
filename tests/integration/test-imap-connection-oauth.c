// BuzonImapConnection's OAuth2 login (OAUTHBEARER, RFC 7628, and XOAUTH2)
// against a scripted fake server, then against Dovecot's oauth2 passdb.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The fake server checks the bytes of the SASL messages, with and without
// SASL-IR, the choice of mechanism, the error challenge a server sends for a
// refused token, and what Gmail and Office 365 advertise before and after
// login. Dovecot runs with the mail-servers fixture's --oauth2, whose token
// introspection server knows one token per user.
//
// Every test ends with the connection closed, "closed" emitted exactly once,
// and the connection finalized; a refused token must leave the connection
// usable, never hang it.

#include <string.h>

#include "fake-imap-server.h"
#include "imap/imap-command.h"
#include "imap/imap-connection.h"
#include "imap/imap-error.h"
#include "mail-servers.h"

#define WAIT_SECONDS 10 /* Longer than any wait a test expects: a hang fails the test. */
#define SCRIPT_MS    5000

#define USER  "user@example.com"
#define TOKEN "ya29.a0AfH6SMC-token_value~1234+/="

/* RFC 7628 §4's example error report and the one Gmail sends, in base64. */
#define RFC7628_ERROR                                                                    \
  "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZp" \
  "Z3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9u" \
  "In0="
#define GMAIL_ERROR                                                                      \
  "eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xl" \
  "LmNvbS8ifQ=="

/* PROVIDERS.md: Gmail after login, and what it adds before. */
#define GMAIL_POST_AUTH                                                                   \
  "IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS "         \
  "COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS " \
  "LITERAL- SPECIAL-USE APPENDLIMIT=35651584"
#define GMAIL_PRE_AUTH \
  GMAIL_POST_AUTH " SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER"
/* Office 365 before login, and what it adds after. */
#define OFFICE365_PRE_AUTH                                                              \
  "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE " \
  "NAMESPACE LITERAL+"
#define OFFICE365_POST_AUTH                                                               \
  "IMAP4 IMAP4rev1 UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+ MOVE "            \
  "CLIENTACCESSRULES CLIENTNETWORKPRESENCELOCATION BACKENDAUTHENTICATE"

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
  current_server = NULL;
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
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE; /* It only wakes the loop to look at the clock. */
}

/* Waits for an operation's result; a hang fails the test, saying where the
 * server's script stands. */
static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, tick_cb, NULL);

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  if (*slot == NULL)
    {
      g_autoptr (GError) error = NULL;

      if (current_server != NULL)
        buzon_test_fake_imap_server_finish (current_server, 0, &error);
      g_error ("No answer after %d seconds: the operation hangs (server: %s)", WAIT_SECONDS,
               error != NULL ? error->message : "script played");
    }
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
login_oauth2 (Fixture    *f,
              const char *user,
              const char *token,
              GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_connection_login_oauth2_async (f->connection, user, token, NULL, store_result_cb,
                                            &result);
  return buzon_imap_connection_login_oauth2_finish (f->connection, wait_for (&result), error);
}

/* A NOOP after the login: the connection is still usable. */
static void
assert_noop_works (Fixture *f)
{
  g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  buzon_imap_connection_command_async (f->connection, noop, NULL, NULL, NULL, store_result_cb,
                                       &result);
  response = buzon_imap_connection_command_finish (f->connection, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (response->status, ==, BUZON_IMAP_STATUS_OK);
  g_assert_cmpuint (f->closed_count, ==, 0);
}

/* The script must have been played as written. */
static void
assert_script_played (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_finish (f->server, SCRIPT_MS, &error);
  g_assert_no_error (error);
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

/* The SASL message the server received with "AUTHENTICATE @mechanism",
 * decoded: the argument of the command (SASL-IR) or the line after it. */
static char *
received_sasl_message (Fixture    *f,
                       const char *mechanism,
                       gsize      *length)
{
  g_autoptr (GBytes) received = buzon_test_fake_imap_server_get_received (f->server);
  g_autofree char *text = g_strndup (g_bytes_get_data (received, NULL),
                                     g_bytes_get_size (received));
  g_autofree char *command = g_strdup_printf (" AUTHENTICATE %s", mechanism);
  g_autofree char *encoded = NULL;
  const char *p = strstr (text, command);
  const char *end;

  g_assert_nonnull (p);
  p += strlen (command);
  if (*p == ' ')
    p++;
  else
    {
      g_assert_true (g_str_has_prefix (p, "\r\n"));
      p += 2;
    }
  end = strstr (p, "\r\n");
  g_assert_nonnull (end);
  encoded = g_strndup (p, end - p);
  return (char *) g_base64_decode (encoded, length);
}

static void
assert_sasl_message (Fixture    *f,
                     const char *mechanism,
                     const char *expected)
{
  gsize length = 0;
  g_autofree char *message = received_sasl_message (f, mechanism, &length);
  g_autofree char *shown = g_strescape (expected, NULL);

  g_test_message ("%s message: %s", mechanism, shown);
  g_assert_cmpmem (message, length, expected, strlen (expected));
}

static char *
bearer_message (Fixture    *f,
                const char *gs2_user)
{
  return g_strdup_printf ("n,a=%s,\001host=127.0.0.1\001port=%u\001auth=Bearer " TOKEN "\001\001",
                          gs2_user, buzon_test_fake_imap_server_get_port (f->server));
}

static char *
encoded (const char *text)
{
  return g_base64_encode ((const guchar *) text, strlen (text));
}

/* OAUTHBEARER with SASL-IR: one round trip; the message is the gs2 header
 * and the token, and the OK's capabilities replace the old ones. */
static void
test_oauthbearer_sasl_ir (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *message = bearer_message (f, USER);
  g_autofree char *sent = NULL;
  g_autofree char *b64 = encoded (message);

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] "
                                         "ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE OAUTHBEARER %ANY%");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "%TAG% OK [CAPABILITY IMAP4rev1 IDLE MOVE] Logged in");
  open_plain (f);

  g_assert_true (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_no_error (error);
  assert_script_played (f);
  assert_sasl_message (f, "OAUTHBEARER", message);
  sent = g_strdup_printf ("b1 AUTHENTICATE OAUTHBEARER %s\r\n", b64);
  assert_received (f, sent);
  /* The capabilities came with the OK: no CAPABILITY command after it. */
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "MOVE"));
  g_assert_false (buzon_imap_connection_has_capability (f->connection, "AUTH=OAUTHBEARER"));
}

/* Without SASL-IR the message waits for the server's "+"; an OK without
 * capabilities makes the client ask for them. */
static void
test_oauthbearer_continuation (Fixture      *f,
                               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *message = bearer_message (f, USER);
  g_autofree char *b64 = encoded (message);
  g_autofree char *sent = g_strdup_printf ("b1 AUTHENTICATE OAUTHBEARER\r\n%s\r\nb2 CAPABILITY\r\n",
                                           b64);

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 AUTH=OAUTHBEARER] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE OAUTHBEARER");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  buzon_test_fake_imap_server_send_line (f->server, "+ ");
  buzon_test_fake_imap_server_expect_line (f->server, b64);
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK Logged in");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CAPABILITY");
  buzon_test_fake_imap_server_send_line (f->server, "* CAPABILITY IMAP4rev1 IDLE CONDSTORE");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK Capability completed");
  open_plain (f);

  g_assert_true (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_no_error (error);
  assert_script_played (f);
  assert_received (f, sent);
  assert_sasl_message (f, "OAUTHBEARER", message);
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "CONDSTORE"));
  g_assert_false (buzon_imap_connection_has_capability (f->connection, "AUTH=OAUTHBEARER"));
}

/* A user name with "," or "=" is escaped in the gs2 header (RFC 5801). */
static void
test_oauthbearer_escaped_user (Fixture      *f,
                               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *message = bearer_message (f, "odd=2Cname=3D@example.com");

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] "
                                         "ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE OAUTHBEARER %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [CAPABILITY IMAP4rev1] Logged in");
  open_plain (f);

  g_assert_true (login_oauth2 (f, "odd,name=@example.com", TOKEN, &error));
  g_assert_no_error (error);
  assert_script_played (f);
  assert_sasl_message (f, "OAUTHBEARER", message);
}

static void
test_xoauth2_sasl_ir (Fixture      *f,
                      gconstpointer data)
{
  static const char message[] = "user=" USER "\001auth=Bearer " TOKEN "\001\001";
  g_autoptr (GError) error = NULL;
  g_autofree char *b64 = encoded (message);
  g_autofree char *sent = g_strdup_printf ("b1 AUTHENTICATE XOAUTH2 %s\r\n", b64);

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE XOAUTH2 %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [CAPABILITY IMAP4rev1 IDLE] Hi");
  open_plain (f);

  g_assert_true (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_no_error (error);
  assert_script_played (f);
  assert_received (f, sent);
  assert_sasl_message (f, "XOAUTH2", message);
}

static void
test_xoauth2_continuation (Fixture      *f,
                           gconstpointer data)
{
  static const char message[] = "user=" USER "\001auth=Bearer " TOKEN "\001\001";
  g_autoptr (GError) error = NULL;
  g_autofree char *b64 = encoded (message);
  g_autofree char *sent = g_strdup_printf ("b1 AUTHENTICATE XOAUTH2\r\n%s\r\n", b64);

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE XOAUTH2");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  buzon_test_fake_imap_server_send_line (f->server, "+ ");
  buzon_test_fake_imap_server_expect_line (f->server, b64);
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [CAPABILITY IMAP4rev1 IDLE] Hi");
  open_plain (f);

  g_assert_true (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_no_error (error);
  assert_script_played (f);
  assert_received (f, sent);
  assert_sasl_message (f, "XOAUTH2", message);
}

/* Both offered, XOAUTH2 first: the standard one is used. */
static void
test_oauthbearer_preferred (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 "
                                         "AUTH=OAUTHBEARER] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE OAUTHBEARER %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [CAPABILITY IMAP4rev1] Logged in");
  open_plain (f);

  g_assert_true (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_no_error (error);
  assert_script_played (f);
}

/* A refused token, OAUTHBEARER: the server's challenge carries a JSON error
 * report; the client answers "\x01" (base64 "AQ==") and the server says NO.
 * The login fails with the report's status and the server's words, and the
 * connection goes on. */
static void
test_oauthbearer_error_challenge (Fixture      *f,
                                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] "
                                         "ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE OAUTHBEARER %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "+ " RFC7628_ERROR);
  buzon_test_fake_imap_server_expect_line (f->server, "AQ==");
  /* No [AUTHENTICATIONFAILED]: a NO to a login is a refusal all the same. */
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% NO SASL authentication failed");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed");
  open_plain (f);

  g_assert_false (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "invalid_token"));
  g_assert_nonnull (strstr (error->message, "SASL authentication failed"));
  g_assert_null (strstr (error->message, TOKEN));
  /* Not logged in: the old capabilities stay. */
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "AUTH=OAUTHBEARER"));
  assert_noop_works (f);
  assert_script_played (f);
}

/* The same without SASL-IR: the "+" for the message, then the error's. */
static void
test_oauthbearer_error_challenge_continuation (Fixture      *f,
                                               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *message = bearer_message (f, USER);

  b64 = encoded (message);
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 AUTH=OAUTHBEARER] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE OAUTHBEARER");
  buzon_test_fake_imap_server_send_line (f->server, "+ ");
  buzon_test_fake_imap_server_expect_line (f->server, b64);
  buzon_test_fake_imap_server_send_line (f->server, "+ " RFC7628_ERROR);
  buzon_test_fake_imap_server_expect_line (f->server, "AQ==");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "%TAG% NO [AUTHENTICATIONFAILED] Authentication failed");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed");
  open_plain (f);

  g_assert_false (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_assert_nonnull (strstr (error->message, "invalid_token"));
  assert_noop_works (f);
  assert_script_played (f);
}

/* A refused token, XOAUTH2, as Gmail does it: the answer to the challenge is
 * an empty line. */
static void
test_xoauth2_error_challenge (Fixture      *f,
                              gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE XOAUTH2 %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "+ " GMAIL_ERROR);
  buzon_test_fake_imap_server_expect_line (f->server, "");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "%TAG% NO [AUTHENTICATIONFAILED] Invalid credentials "
                                         "(Failure)");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed");
  open_plain (f);

  g_assert_false (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“400”"));
  g_assert_nonnull (strstr (error->message, "Invalid credentials (Failure)"));
  assert_noop_works (f);
  assert_script_played (f);
}

/* A challenge that is no JSON report, then a second one, which neither
 * mechanism has: the client cancels with "*", the server says BAD, and the
 * login fails as refused, without a status and without closing. */
static void
test_xoauth2_second_challenge_cancelled (Fixture      *f,
                                         gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE XOAUTH2 %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "+ bm90IGpzb24="); /* "not json" */
  buzon_test_fake_imap_server_expect_line (f->server, "");
  buzon_test_fake_imap_server_send_line (f->server, "+ bW9yZQ=="); /* "more" */
  buzon_test_fake_imap_server_expect_line (f->server, "*");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% BAD Authentication cancelled");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed");
  open_plain (f);

  g_assert_false (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_assert_nonnull (strstr (error->message, "Authentication cancelled"));
  g_assert_null (strstr (error->message, "status"));
  assert_noop_works (f);
  assert_script_played (f);
}

/* A server that challenges again after the exchange was cancelled is not
 * following the protocol: the connection closes rather than loop. */
static void
test_challenge_after_cancel (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE XOAUTH2 %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "+ " GMAIL_ERROR);
  buzon_test_fake_imap_server_expect_line (f->server, "");
  buzon_test_fake_imap_server_send_line (f->server, "+ bW9yZQ==");
  buzon_test_fake_imap_server_expect_line (f->server, "*");
  buzon_test_fake_imap_server_send_line (f->server, "+ bW9yZQ==");
  buzon_test_fake_imap_server_expect_eof (f->server);
  open_plain (f);

  g_assert_false (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE);
  g_assert_cmpuint (f->closed_count, ==, 1);
  g_assert_error (f->closed_error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE);
  assert_script_played (f);
}

/* A command queued while AUTHENTICATE waits is not written until the server
 * answered it: the server would take it for the answer to its challenge. */
static void
test_nothing_written_during_authenticate (Fixture      *f,
                                          gconstpointer data)
{
  g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");
  g_autoptr (GAsyncResult) logged_in = NULL;
  g_autoptr (GAsyncResult) nooped = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] "
                                         "ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE OAUTHBEARER %ANY%");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  buzon_test_fake_imap_server_send_line (f->server, "+ " RFC7628_ERROR);
  buzon_test_fake_imap_server_expect_line (f->server, "AQ==");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% NO Token expired");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed");
  open_plain (f);

  buzon_imap_connection_login_oauth2_async (f->connection, USER, TOKEN, NULL, store_result_cb,
                                            &logged_in);
  buzon_imap_connection_command_async (f->connection, noop, NULL, NULL, NULL, store_result_cb,
                                       &nooped);
  g_assert_false (buzon_imap_connection_login_oauth2_finish (f->connection, wait_for (&logged_in),
                                                             &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  response = buzon_imap_connection_command_finish (f->connection, wait_for (&nooped), NULL);
  g_assert_nonnull (response);
  /* The silences in the script show the NOOP waited. */
  assert_script_played (f);
}

/* Neither mechanism offered: nothing is sent. */
static void
test_not_offered (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  open_plain (f);

  g_assert_false (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  assert_script_played (f);
  assert_received (f, "");
  g_assert_cmpuint (f->closed_count, ==, 0);
}

/* LOGINDISABLED (as servers say before TLS): no token goes out either. */
static void
test_login_disabled (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGINDISABLED "
                                         "AUTH=OAUTHBEARER AUTH=XOAUTH2] ready");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  open_plain (f);

  g_assert_false (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_LOGIN_DISABLED);
  assert_script_played (f);
  assert_received (f, "");
}

/* A control character would break the SASL message's fields. */
static void
test_invalid_token (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  open_plain (f);

  g_assert_false (login_oauth2 (f, USER, "abc\001auth=Bearer other", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  assert_script_played (f);
  assert_received (f, "");
}

/* Gmail (PROVIDERS.md): no capabilities in the greeting, both mechanisms
 * offered, and a different list after login, asked for again. */
static void
test_gmail (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *message = bearer_message (f, USER);

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK Gimap ready for requests from 192.0.2.7 "
                                         "a1b2c3d4e5f6mb");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CAPABILITY");
  buzon_test_fake_imap_server_send_line (f->server, "* CAPABILITY " GMAIL_PRE_AUTH);
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK Thats all she wrote! a1b2c3");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE OAUTHBEARER %ANY%");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "%TAG% OK " USER " authenticated (Success)");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CAPABILITY");
  buzon_test_fake_imap_server_send_line (f->server, "* CAPABILITY " GMAIL_POST_AUTH);
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK Success a1b2c3");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK Success a1b2c3");
  open_plain (f);

  g_assert_true (buzon_imap_connection_has_capability (f->connection, "AUTH=OAUTHBEARER"));
  g_assert_true (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_no_error (error);
  assert_sasl_message (f, "OAUTHBEARER", message);
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "X-GM-EXT-1"));
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "LITERAL-"));
  g_assert_false (buzon_imap_connection_has_capability (f->connection, "QRESYNC"));
  g_assert_false (buzon_imap_connection_has_capability (f->connection, "AUTH=OAUTHBEARER"));
  g_assert_false (buzon_imap_connection_has_capability (f->connection, "SASL-IR"));
  assert_noop_works (f);
  assert_script_played (f);
}

/* Office 365 (PROVIDERS.md): XOAUTH2 only, with SASL-IR. */
static void
test_office365 (Fixture      *f,
                gconstpointer data)
{
  static const char message[] = "user=" USER "\001auth=Bearer " TOKEN "\001\001";
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK The Microsoft Exchange IMAP4 service is ready.");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CAPABILITY");
  buzon_test_fake_imap_server_send_line (f->server, "* CAPABILITY " OFFICE365_PRE_AUTH);
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK CAPABILITY completed.");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE XOAUTH2 %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK AUTHENTICATE completed.");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CAPABILITY");
  buzon_test_fake_imap_server_send_line (f->server, "* CAPABILITY " OFFICE365_POST_AUTH);
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK CAPABILITY completed.");
  open_plain (f);

  g_assert_true (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_no_error (error);
  assert_script_played (f);
  assert_sasl_message (f, "XOAUTH2", message);
  g_assert_true (buzon_imap_connection_has_capability (f->connection, "MOVE"));
  g_assert_false (buzon_imap_connection_has_capability (f->connection, "CONDSTORE"));
  g_assert_false (buzon_imap_connection_has_capability (f->connection, "AUTH=XOAUTH2"));
}

/* Office 365 refuses a token with a NO at once, no challenge: refused all
 * the same, quoting the server. */
static void
test_office365_refused (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK The Microsoft Exchange IMAP4 service is ready.");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CAPABILITY");
  buzon_test_fake_imap_server_send_line (f->server, "* CAPABILITY " OFFICE365_PRE_AUTH);
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK CAPABILITY completed.");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE XOAUTH2 %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% NO AUTHENTICATE failed.");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK NOOP completed.");
  open_plain (f);

  g_assert_false (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_assert_nonnull (strstr (error->message, "AUTHENTICATE failed."));
  assert_noop_works (f);
  assert_script_played (f);
}

/* A login on a closed connection fails at once. */
static void
test_after_close (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready");
  buzon_test_fake_imap_server_stall (f->server);
  open_plain (f);
  buzon_imap_connection_close (f->connection);

  g_assert_false (login_oauth2 (f, USER, TOKEN, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_assert_cmpuint (f->closed_count, ==, 1);
}

/* Dovecot, started on first use: one instance offering both mechanisms,
 * one offering only XOAUTH2. */

static BuzonTestMailServers *dovecot_both;
static BuzonTestMailServers *dovecot_xoauth2;

static BuzonTestMailServers *
servers_for (BuzonTestMailServers **slot,
             const char            *args)
{
  if (*slot == NULL)
    *slot = buzon_test_mail_servers_start (args);
  return *slot;
}

static char *
token_for (BuzonTestMailServers *servers,
           const char           *user)
{
  return g_strconcat (user, buzon_test_mail_servers_get (servers, "OAUTH2_TOKEN_SUFFIX"), NULL);
}

/* An IMAPS connection to @servers (or plaintext to @host when it is not
 * NULL), its certificate pinned. */
static BuzonImapConnection *
open_dovecot (BuzonTestMailServers *servers,
              const char           *host)
{
  g_autofree char *url_text = NULL;
  g_autoptr (BuzonServerUrl) url = NULL;
  g_autofree char *pinned = g_strconcat ("sha256:",
                                         buzon_test_mail_servers_get (servers, "CERT_SHA256"),
                                         NULL);
  const char *trusted[] = { pinned, NULL };
  g_autoptr (BuzonImapConnection) connection = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  if (host == NULL)
    url_text = g_strdup_printf ("imaps://alice@127.0.0.1:%u",
                                buzon_test_mail_servers_get_port (servers, "IMAPS_PORT"));
  else
    url_text = g_strdup_printf ("imap+plain://alice@%s:%u", host,
                                buzon_test_mail_servers_get_port (servers, "IMAP_PORT"));
  url = buzon_server_url_parse (url_text, &error);
  g_assert_no_error (error);
  connection = buzon_imap_connection_new (url, trusted);
  buzon_imap_connection_open_async (connection, NULL, store_result_cb, &result);
  g_assert_true (buzon_imap_connection_open_finish (connection, wait_for (&result), &error));
  g_assert_no_error (error);
  return g_steal_pointer (&connection);
}

static gboolean
dovecot_login (BuzonImapConnection *connection,
               const char          *user,
               const char          *token,
               GError             **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_connection_login_oauth2_async (connection, user, token, NULL, store_result_cb,
                                            &result);
  return buzon_imap_connection_login_oauth2_finish (connection, wait_for (&result), error);
}

static void
dovecot_noop (BuzonImapConnection *connection)
{
  g_autoptr (BuzonImapCommand) noop = buzon_imap_command_new ("NOOP");
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  buzon_imap_connection_command_async (connection, noop, NULL, NULL, NULL, store_result_cb,
                                       &result);
  response = buzon_imap_connection_command_finish (connection, wait_for (&result), &error);
  g_assert_no_error (error);
}

static void
close_and_finalize (BuzonImapConnection *connection)
{
  buzon_imap_connection_close (connection);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (connection);
}

/* OAUTHBEARER, Dovecot's choice of the two: a wrong token and another
 * user's are refused with the status Dovecot reports, and leave the
 * connection able to log in with the right one. */
static void
test_dovecot_oauthbearer (void)
{
  BuzonTestMailServers *servers = servers_for (&dovecot_both, "--oauth2");
  BuzonImapConnection *connection = open_dovecot (servers, NULL);
  g_autofree char *alice = token_for (servers, "alice");
  g_autofree char *bob = token_for (servers, "bob");
  g_autoptr (GError) error = NULL;

  g_assert_true (buzon_imap_connection_has_capability (connection, "AUTH=OAUTHBEARER"));
  g_assert_true (buzon_imap_connection_has_capability (connection, "AUTH=XOAUTH2"));
  g_assert_false (dovecot_login (connection, "alice", "not-a-token", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "invalid_token"));
  g_clear_error (&error);
  dovecot_noop (connection);

  g_assert_false (dovecot_login (connection, "alice", bob, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_clear_error (&error);

  g_assert_true (dovecot_login (connection, "alice", alice, &error));
  g_assert_no_error (error);
  /* The capabilities after login, re-read. */
  g_assert_true (buzon_imap_connection_has_capability (connection, "QRESYNC"));
  g_assert_false (buzon_imap_connection_has_capability (connection, "AUTH=OAUTHBEARER"));
  dovecot_noop (connection);
  close_and_finalize (connection);
}

static void
test_dovecot_xoauth2 (void)
{
  BuzonTestMailServers *servers = servers_for (&dovecot_xoauth2, "--oauth2=xoauth2");
  BuzonImapConnection *connection = open_dovecot (servers, NULL);
  g_autofree char *carol = token_for (servers, "carol");
  g_autoptr (GError) error = NULL;

  g_assert_false (buzon_imap_connection_has_capability (connection, "AUTH=OAUTHBEARER"));
  g_assert_true (buzon_imap_connection_has_capability (connection, "AUTH=XOAUTH2"));
  g_assert_false (dovecot_login (connection, "carol", "expired", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“401”"));
  g_clear_error (&error);
  dovecot_noop (connection);

  g_assert_true (dovecot_login (connection, "carol", carol, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_imap_connection_has_capability (connection, "QRESYNC"));
  close_and_finalize (connection);
}

/* In plaintext from another address Dovecot says LOGINDISABLED: no token is
 * sent. */
static void
test_dovecot_login_disabled (void)
{
  BuzonTestMailServers *servers = servers_for (&dovecot_both, "--oauth2");
  BuzonImapConnection *connection = open_dovecot (servers,
                                                  buzon_test_mail_servers_get (servers,
                                                                               "INSECURE_HOST"));
  g_autofree char *alice = token_for (servers, "alice");
  g_autoptr (GError) error = NULL;

  g_assert_true (buzon_imap_connection_has_capability (connection, "LOGINDISABLED"));
  g_assert_false (dovecot_login (connection, "alice", alice, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_LOGIN_DISABLED);
  close_and_finalize (connection);
}

#define ADD(path, func) \
  g_test_add ("/imap-connection-oauth/" path, Fixture, NULL, fixture_set_up, func, \
              fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  ADD ("oauthbearer/sasl-ir", test_oauthbearer_sasl_ir);
  ADD ("oauthbearer/continuation", test_oauthbearer_continuation);
  ADD ("oauthbearer/escaped-user", test_oauthbearer_escaped_user);
  ADD ("oauthbearer/preferred", test_oauthbearer_preferred);
  ADD ("oauthbearer/error-challenge", test_oauthbearer_error_challenge);
  ADD ("oauthbearer/error-challenge-continuation", test_oauthbearer_error_challenge_continuation);
  ADD ("xoauth2/sasl-ir", test_xoauth2_sasl_ir);
  ADD ("xoauth2/continuation", test_xoauth2_continuation);
  ADD ("xoauth2/error-challenge", test_xoauth2_error_challenge);
  ADD ("xoauth2/second-challenge-cancelled", test_xoauth2_second_challenge_cancelled);
  ADD ("xoauth2/challenge-after-cancel", test_challenge_after_cancel);
  ADD ("exclusive/nothing-written-during-authenticate", test_nothing_written_during_authenticate);
  ADD ("refused/not-offered", test_not_offered);
  ADD ("refused/login-disabled", test_login_disabled);
  ADD ("refused/invalid-token", test_invalid_token);
  ADD ("refused/after-close", test_after_close);
  ADD ("providers/gmail", test_gmail);
  ADD ("providers/office365", test_office365);
  ADD ("providers/office365-refused", test_office365_refused);
  g_test_add_func ("/imap-connection-oauth/dovecot/oauthbearer", test_dovecot_oauthbearer);
  g_test_add_func ("/imap-connection-oauth/dovecot/xoauth2", test_dovecot_xoauth2);
  g_test_add_func ("/imap-connection-oauth/dovecot/login-disabled", test_dovecot_login_disabled);

  status = g_test_run ();
  buzon_test_mail_servers_stop (dovecot_both);
  buzon_test_mail_servers_stop (dovecot_xoauth2);
  return status;
}
