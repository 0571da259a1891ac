// BuzonSmtpClient against a scripted fake server, for what the fixture's
// Dovecot cannot be made to do: a 4xx on RCPT, no PIPELINING, a reply cut
// in the middle, a stalled server, a reply that is not SMTP, no STARTTLS,
// AUTH LOGIN, HELO, hostile SCRAM-SHA-256 servers; and the exact bytes on
// the wire (pipelining, SIZE=, BODY=8BITMIME, dot-stuffing, CRLF).
// SPDX-License-Identifier: GPL-3.0-or-later

#include "fake-imap-server.h"
#include "fake-scram-server.h"
#include "smtp/smtp-error.h"
#include "test-smtp-helpers.h"

/* The fake server plays any line protocol: this scripts SMTP's opening, a
 * greeting and the EHLO reply offering @extensions. */
static BuzonTestFakeImapServer *
fake_smtp_server (const char * const *extensions)
{
  BuzonTestFakeImapServer *server = buzon_test_fake_imap_server_new ();
  guint n = extensions != NULL ? g_strv_length ((char **) extensions) : 0;

  buzon_test_fake_imap_server_send_line (server, "220 fake.example.test ESMTP ready");
  buzon_test_fake_imap_server_expect_line (server, "EHLO [127.0.0.1]");
  if (n == 0)
    buzon_test_fake_imap_server_send_line (server, "250 fake.example.test");
  else
    buzon_test_fake_imap_server_send_line (server, "250-fake.example.test");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *line = g_strdup_printf ("250%c%s", i + 1 == n ? ' ' : '-',
                                               extensions[i]);
      buzon_test_fake_imap_server_send_line (server, line);
    }
  return server;
}

static BuzonSmtpClient *
connect_plain (BuzonTestFakeImapServer *server)
{
  g_autofree char *url = buzon_test_fake_imap_server_get_url (server, "smtp+plain");
  g_autoptr (BuzonSmtpClient) client = buzon_test_smtp_client_new (url, NULL);
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_start (server);
  g_assert_true (buzon_test_smtp_connect (client, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&client);
}

static void
expect_quit (BuzonTestFakeImapServer *server)
{
  buzon_test_fake_imap_server_expect_line (server, "QUIT");
  buzon_test_fake_imap_server_send_line (server, "221 2.0.0 Bye");
}

static void
finish (BuzonTestFakeImapServer *server)
{
  g_autoptr (GError) error = NULL;

  gboolean played = buzon_test_fake_imap_server_finish (server, 5000, &error);

  g_assert_no_error (error);
  g_assert_true (played);
}

static void
quit (BuzonSmtpClient *client)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (buzon_test_smtp_quit (client, &error));
  g_assert_no_error (error);
}

/* "." at a line's start doubled, every line end CRLF, and the end marked. */
#define MESSAGE "Subject: x\n\n.a dot\n.\nbare CR\rend"
#define ON_THE_WIRE "Subject: x\r\n\r\n..a dot\r\n..\r\nbare CR\r\nend\r\n.\r\n"

/* With PIPELINING, MAIL and every RCPT go out together; a 4xx on one
 * recipient leaves the message going to the other, and the result says
 * which one was deferred and why. */
static void
test_temporary_recipient_among_accepted (void)
{
  const char *extensions[] = { "PIPELINING", "SIZE 1000000", "8BITMIME",
                               "ENHANCEDSTATUSCODES", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  const char *recipients[] = { "bob@example.test", "eva@example.test", NULL };
  const BuzonSmtpRecipientResult *eva;

  /* SIZE= is the message's size with CRLF line ends, before stuffing. */
  buzon_test_fake_imap_server_expect_line (server, "MAIL FROM:<ana@example.test> SIZE=39");
  buzon_test_fake_imap_server_expect_line (server, "RCPT TO:<bob@example.test>");
  buzon_test_fake_imap_server_expect_line (server, "RCPT TO:<eva@example.test>");
  buzon_test_fake_imap_server_send_line (server, "250 2.1.0 Ok");
  buzon_test_fake_imap_server_send_line (server, "250 2.1.5 Ok");
  buzon_test_fake_imap_server_send_line (server, "451 4.3.0 <eva@example.test>: Try later");
  buzon_test_fake_imap_server_expect_line (server, "DATA");
  buzon_test_fake_imap_server_send_line (server, "354 End data with <CR><LF>.<CR><LF>");
  buzon_test_fake_imap_server_expect_bytes (server, ON_THE_WIRE, strlen (ON_THE_WIRE));
  buzon_test_fake_imap_server_send_line (server, "250 2.0.0 Ok: queued as 42");
  expect_quit (server);

  client = connect_plain (server);
  result = buzon_test_smtp_send (client, "ana@example.test", recipients, MESSAGE,
                                 BUZON_SMTP_SEND_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_smtp_send_result_count_refused (result), ==, 1);
  g_assert_true (buzon_smtp_send_result_lookup (result, "bob@example.test")->accepted);
  eva = buzon_smtp_send_result_lookup (result, "eva@example.test");
  g_assert_false (eva->accepted);
  g_assert_true (buzon_smtp_reply_is_transient (eva->reply));
  g_assert_cmpuint (eva->reply->code, ==, 451);
  g_assert_cmpuint (eva->reply->enhanced_subject, ==, 3);
  g_assert_cmpstr (eva->reply->lines[0], ==, "<eva@example.test>: Try later");
  g_assert_cmpuint (result->final_reply->code, ==, 250);
  quit (client);
  finish (server);
}

/* A delivery notification asked for: RET and NOTIFY where the server has
 * DSN, and ALL_OR_NOTHING resets rather than send to only some. */
static void
test_dsn_and_all_or_nothing (void)
{
  const char *extensions[] = { "PIPELINING", "DSN", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (BuzonSmtpSendResult) partial = NULL;
  g_autoptr (GError) error = NULL;
  const char *recipients[] = { "bob@example.test", "eva@example.test", NULL };

  buzon_test_fake_imap_server_expect_line (server, "MAIL FROM:<ana@example.test> RET=HDRS");
  buzon_test_fake_imap_server_expect_line (server,
                                           "RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE");
  buzon_test_fake_imap_server_expect_line (server,
                                           "RCPT TO:<eva@example.test> NOTIFY=SUCCESS,FAILURE");
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  buzon_test_fake_imap_server_expect_line (server, "DATA");
  buzon_test_fake_imap_server_send_line (server, "354 Go ahead");
  buzon_test_fake_imap_server_expect_bytes (server, ON_THE_WIRE, strlen (ON_THE_WIRE));
  buzon_test_fake_imap_server_send_line (server, "250 Queued");
  buzon_test_fake_imap_server_expect_line (server, "MAIL FROM:<ana@example.test>");
  buzon_test_fake_imap_server_expect_line (server, "RCPT TO:<bob@example.test>");
  buzon_test_fake_imap_server_expect_line (server, "RCPT TO:<eva@example.test>");
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  buzon_test_fake_imap_server_send_line (server, "550 5.1.1 No such user");
  buzon_test_fake_imap_server_expect_line (server, "RSET");
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  expect_quit (server);

  client = connect_plain (server);
  result = buzon_test_smtp_send (client, "ana@example.test", recipients, MESSAGE,
                                 BUZON_SMTP_SEND_REQUEST_DSN, &error);
  g_assert_no_error (error);
  g_assert_true (result->dsn_requested);
  partial = buzon_test_smtp_send (client, "ana@example.test", recipients, MESSAGE,
                                  BUZON_SMTP_SEND_ALL_OR_NOTHING, &error);
  g_assert_null (partial);
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_RECIPIENTS_REFUSED);
  g_assert_nonnull (strstr (error->message, "eva@example.test (550 5.1.1 No such user)"));
  quit (client);
  finish (server);
}

/* Every recipient deferred: RSET, and an error that says a retry can help. */
static void
test_all_recipients_deferred (void)
{
  const char *extensions[] = { "PIPELINING", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  const char *recipients[] = { "bob@example.test", NULL };

  buzon_test_fake_imap_server_expect_line (server, "MAIL FROM:<ana@example.test>");
  buzon_test_fake_imap_server_expect_line (server, "RCPT TO:<bob@example.test>");
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  buzon_test_fake_imap_server_send_line (server, "450 Mailbox busy");
  buzon_test_fake_imap_server_expect_line (server, "RSET");
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  expect_quit (server);

  client = connect_plain (server);
  result = buzon_test_smtp_send (client, "ana@example.test", recipients, MESSAGE,
                                 BUZON_SMTP_SEND_NONE, &error);
  g_assert_null (result);
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_RECIPIENTS_DEFERRED);
  g_assert_true (buzon_smtp_error_is_transient (error));
  g_assert_nonnull (strstr (error->message, "bob@example.test (450 Mailbox busy)"));
  quit (client);
  finish (server);
}

/* Without PIPELINING each command waits for its reply; 8-bit content says
 * BODY=8BITMIME; a non-ASCII address without SMTPUTF8 is refused before
 * anything is sent. */
static void
test_without_pipelining (void)
{
  const char *extensions[] = { "8BITMIME", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (BuzonSmtpSendResult) refused = NULL;
  g_autoptr (GError) error = NULL;
  const char *recipients[] = { "bob@example.test", "eva@example.test", NULL };
  const char *international[] = { "josé@example.test", NULL };
  const char *body = "Subject: Olá\r\n\r\nçà\r\n";

  buzon_test_fake_imap_server_expect_line (server, "MAIL FROM:<ana@example.test> BODY=8BITMIME");
  buzon_test_fake_imap_server_expect_silence (server, 300);
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  buzon_test_fake_imap_server_expect_line (server, "RCPT TO:<bob@example.test>");
  buzon_test_fake_imap_server_expect_silence (server, 300);
  buzon_test_fake_imap_server_send_line (server, "550 5.1.1 No such user");
  buzon_test_fake_imap_server_expect_line (server, "RCPT TO:<eva@example.test>");
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  buzon_test_fake_imap_server_expect_line (server, "DATA");
  buzon_test_fake_imap_server_send_line (server, "354 Go ahead");
  buzon_test_fake_imap_server_expect_bytes (server, "Subject: Olá\r\n\r\nçà\r\n.\r\n",
                                            strlen ("Subject: Olá\r\n\r\nçà\r\n.\r\n"));
  buzon_test_fake_imap_server_send_line (server, "250 Queued");
  expect_quit (server);

  client = connect_plain (server);
  refused = buzon_test_smtp_send (client, "ana@example.test", international, body,
                                  BUZON_SMTP_SEND_NONE, &error);
  g_assert_null (refused);
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  result = buzon_test_smtp_send (client, "ana@example.test", recipients, body,
                                 BUZON_SMTP_SEND_NONE, &error);
  g_assert_no_error (error);
  g_assert_false (buzon_smtp_send_result_lookup (result, "bob@example.test")->accepted);
  g_assert_true (buzon_smtp_send_result_lookup (result, "eva@example.test")->accepted);
  quit (client);
  finish (server);
}

/* A server that hangs up in the middle of a reply: a connection error
 * that a retry can help, and the connection closed. */
static void
test_reply_cut_in_the_middle (void)
{
  const char *extensions[] = { "PIPELINING", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  const char *recipients[] = { "bob@example.test", NULL };

  buzon_test_fake_imap_server_expect_line (server, "MAIL FROM:<ana@example.test>");
  buzon_test_fake_imap_server_expect_line (server, "RCPT TO:<bob@example.test>");
  buzon_test_fake_imap_server_send (server, "250-2.1.0 Ok\r\n250 2.1", 22);
  buzon_test_fake_imap_server_close (server);

  client = connect_plain (server);
  result = buzon_test_smtp_send (client, "ana@example.test", recipients, MESSAGE,
                                 BUZON_SMTP_SEND_NONE, &error);
  g_assert_null (result);
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_CONNECTION);
  g_assert_true (buzon_smtp_error_is_transient (error));
  g_assert_nonnull (strstr (error->message, "in the middle of a reply"));
  g_assert_true (buzon_smtp_client_get_is_closed (client));
  finish (server);
}

/* A server that stops answering, at the greeting or after the message,
 * fails the operation after the timeout instead of hanging it. */
static void
test_stalled_server (void)
{
  const char *extensions[] = { "PIPELINING", NULL };
  g_autoptr (BuzonTestFakeImapServer) silent = buzon_test_fake_imap_server_new ();
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autofree char *url = buzon_test_fake_imap_server_get_url (silent, "smtp+plain");
  g_autoptr (BuzonSmtpClient) unanswered = buzon_test_smtp_client_new (url, NULL);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  const char *recipients[] = { "bob@example.test", NULL };
  gint64 start;

  buzon_test_fake_imap_server_stall (silent);
  buzon_test_fake_imap_server_start (silent);
  buzon_smtp_client_set_timeout (unanswered, 1);
  start = g_get_monotonic_time ();
  g_assert_false (buzon_test_smtp_connect (unanswered, &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_TIMEOUT);
  g_assert_true (buzon_smtp_error_is_transient (error));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&error);

  buzon_test_fake_imap_server_expect_line (server, "MAIL FROM:<ana@example.test>");
  buzon_test_fake_imap_server_expect_line (server, "RCPT TO:<bob@example.test>");
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  buzon_test_fake_imap_server_send_line (server, "250 Ok");
  buzon_test_fake_imap_server_expect_line (server, "DATA");
  buzon_test_fake_imap_server_send_line (server, "354 Go ahead");
  buzon_test_fake_imap_server_expect_bytes (server, ON_THE_WIRE, strlen (ON_THE_WIRE));
  buzon_test_fake_imap_server_stall (server);
  client = connect_plain (server);
  buzon_smtp_client_set_timeout (client, 1);
  start = g_get_monotonic_time ();
  result = buzon_test_smtp_send (client, "ana@example.test", recipients, MESSAGE,
                                 BUZON_SMTP_SEND_NONE, &error);
  g_assert_null (result);
  /* The server has the whole message and said nothing: it may have been
   * delivered, so this is not an error to retry blindly. */
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_OUTCOME_UNKNOWN);
  g_assert_false (buzon_smtp_error_is_transient (error));
  /* The answer to the end of DATA gets ten times the timeout (RFC 5321
   * §4.5.3.2.6 suggests 10 minutes where the others have 5). */
  g_assert_nonnull (strstr (error->message, "did not answer within 10 seconds"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 9 * G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_USEC_PER_SEC);
  g_assert_true (buzon_smtp_client_get_is_closed (client));
  finish (server);
}

static void
got_send_result (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Cancelling a send the server sits on ends it at once and closes the
 * connection. */
static void
test_cancelled_send (void)
{
  const char *extensions[] = { "PIPELINING", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonSmtpSendResult) sent = NULL;
  g_autoptr (GBytes) message = g_bytes_new_static (MESSAGE, strlen (MESSAGE));
  g_autoptr (GError) error = NULL;
  const char *recipients[] = { "bob@example.test", NULL };

  buzon_test_fake_imap_server_expect_line (server, "MAIL FROM:<ana@example.test>");
  buzon_test_fake_imap_server_expect_line (server, "RCPT TO:<bob@example.test>");
  buzon_test_fake_imap_server_expect_eof (server);
  client = connect_plain (server);
  buzon_smtp_client_send_async (client, "ana@example.test", recipients, message,
                                BUZON_SMTP_SEND_NONE, cancellable, got_send_result, &result);
  g_timeout_add (200, cancel_cb, cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  sent = buzon_smtp_client_send_finish (client, result, &error);
  g_assert_null (sent);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (buzon_smtp_error_is_transient (error));
  g_assert_true (buzon_smtp_client_get_is_closed (client));
  finish (server);
}

/* Something that is not SMTP: a protocol error no retry helps. */
static void
test_malformed_reply (void)
{
  g_autoptr (BuzonTestFakeImapServer) server = buzon_test_fake_imap_server_new ();
  g_autofree char *url = buzon_test_fake_imap_server_get_url (server, "smtp+plain");
  g_autoptr (BuzonSmtpClient) client = buzon_test_smtp_client_new (url, NULL);
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_send_line (server, "* OK IMAP4rev1 ready");
  buzon_test_fake_imap_server_expect_eof (server);
  buzon_test_fake_imap_server_start (server);
  g_assert_false (buzon_test_smtp_connect (client, &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_PARSE);
  g_assert_false (buzon_smtp_error_is_transient (error));
  g_assert_nonnull (strstr (error->message, "* OK IMAP4rev1 ready"));
  finish (server);
}

/* submission:// to a server without STARTTLS: refused, nothing more sent. */
static void
test_starttls_not_offered (void)
{
  const char *extensions[] = { "PIPELINING", "AUTH PLAIN", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autofree char *url = buzon_test_fake_imap_server_get_url (server, "submission");
  g_autoptr (BuzonSmtpClient) client = buzon_test_smtp_client_new (url, NULL);
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_expect_eof (server);
  buzon_test_fake_imap_server_start (server);
  g_assert_false (buzon_test_smtp_connect (client, &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_NO_STARTTLS);
  g_assert_false (buzon_smtp_error_is_transient (error));
  finish (server);
}

/* Lines sent after STARTTLS's reply, before the handshake, would be read
 * as if they came over TLS (CVE-2011-0411): refused. A refused STARTTLS
 * is never a reason to go on in plaintext. */
static void
test_starttls_injection_and_refusal (void)
{
  const char *extensions[] = { "STARTTLS", NULL };
  g_autoptr (BuzonTestFakeImapServer) injecting = fake_smtp_server (extensions);
  g_autoptr (BuzonTestFakeImapServer) refusing = fake_smtp_server (extensions);
  g_autofree char *injecting_url = buzon_test_fake_imap_server_get_url (injecting, "submission");
  g_autofree char *refusing_url = buzon_test_fake_imap_server_get_url (refusing, "submission");
  g_autoptr (BuzonSmtpClient) injected = buzon_test_smtp_client_new (injecting_url, NULL);
  g_autoptr (BuzonSmtpClient) refused = buzon_test_smtp_client_new (refusing_url, NULL);
  const char *injection = "220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 AUTH PLAIN\r\n";
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_expect_line (injecting, "STARTTLS");
  buzon_test_fake_imap_server_send (injecting, injection, strlen (injection));
  buzon_test_fake_imap_server_expect_eof (injecting);
  buzon_test_fake_imap_server_start (injecting);
  g_assert_false (buzon_test_smtp_connect (injected, &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "before TLS started"));
  g_assert_false (buzon_smtp_client_get_is_secure (injected));
  finish (injecting);
  g_clear_error (&error);

  buzon_test_fake_imap_server_expect_line (refusing, "STARTTLS");
  buzon_test_fake_imap_server_send_line (refusing, "454 4.7.0 TLS not available");
  buzon_test_fake_imap_server_expect_eof (refusing);
  buzon_test_fake_imap_server_start (refusing);
  g_assert_false (buzon_test_smtp_connect (refused, &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_NO_STARTTLS);
  g_assert_nonnull (strstr (error->message, "454 4.7.0 TLS not available"));
  finish (refusing);
}

/* AUTH without a mechanism before TLS: no AUTH command, no password sent. */
static void
test_no_login_offered (void)
{
  const char *extensions[] = { "AUTH", "STARTTLS", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  expect_quit (server);
  client = connect_plain (server);
  g_assert_false (buzon_test_smtp_login (client, "ana", "secret", &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_AUTH_UNAVAILABLE);
  quit (client);
  finish (server);
}

/* SIZE 100: a larger message is refused before MAIL FROM. */
static void
test_size_exceeded (void)
{
  const char *extensions[] = { "SIZE 100", "PIPELINING", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  const char *recipients[] = { "bob@example.test", NULL };
  g_autofree char *big = g_strnfill (101, 'x');

  expect_quit (server);
  client = connect_plain (server);
  result = buzon_test_smtp_send (client, "ana@example.test", recipients, big,
                                 BUZON_SMTP_SEND_NONE, &error);
  g_assert_null (result);
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_MESSAGE_TOO_BIG);
  g_assert_nonnull (strstr (error->message, "103 bytes"));
  quit (client);
  finish (server);
}

/* AUTH LOGIN where it is the only mechanism: user name, then password. */
static void
test_auth_login (void)
{
  const char *extensions[] = { "AUTH LOGIN", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_expect_line (server, "AUTH LOGIN");
  buzon_test_fake_imap_server_send_line (server, "334 VXNlcm5hbWU6");
  buzon_test_fake_imap_server_expect_line (server, "YW5h");
  buzon_test_fake_imap_server_send_line (server, "334 UGFzc3dvcmQ6");
  buzon_test_fake_imap_server_expect_line (server, "c2VjcmV0");
  buzon_test_fake_imap_server_send_line (server, "235 2.7.0 Authentication successful");
  expect_quit (server);
  client = connect_plain (server);
  g_assert_true (buzon_test_smtp_login (client, "ana", "secret", &error));
  g_assert_no_error (error);
  quit (client);
  finish (server);
}

/* An old server that refuses EHLO, on plaintext loopback: HELO. */
static void
test_helo_fallback (void)
{
  g_autoptr (BuzonTestFakeImapServer) server = buzon_test_fake_imap_server_new ();
  g_autoptr (BuzonSmtpClient) client = NULL;

  buzon_test_fake_imap_server_send_line (server, "220 old.example.test SMTP");
  buzon_test_fake_imap_server_expect_line (server, "EHLO [127.0.0.1]");
  buzon_test_fake_imap_server_send_line (server, "502 Command not implemented");
  buzon_test_fake_imap_server_expect_line (server, "HELO [127.0.0.1]");
  buzon_test_fake_imap_server_send_line (server, "250 old.example.test");
  expect_quit (server);
  client = connect_plain (server);
  g_assert_cmpuint (buzon_smtp_client_get_capabilities (client)->extensions, ==,
                    BUZON_SMTP_EXTENSION_NONE);
  g_assert_cmpstr (buzon_smtp_client_get_greeting (client), ==, "220 old.example.test SMTP");
  quit (client);
  finish (server);
}

/* SCRAM-SHA-256 offered with PLAIN and LOGIN: SCRAM is used, its proof is
 * right, and the server's signature checked before its 235 is believed. */
static void
test_scram_preferred (void)
{
  const char *extensions[] = { "AUTH PLAIN LOGIN SCRAM-SHA-256", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonTestFakeScram) scram = buzon_test_fake_scram_new ("ana", "secret", 4096, "334 ");
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_expect_line_respond (server, "AUTH SCRAM-SHA-256 %ANY%",
                                                   buzon_test_fake_scram_first_cb, scram);
  buzon_test_fake_imap_server_expect_line_respond (server, "%ANY%",
                                                   buzon_test_fake_scram_final_cb, scram);
  buzon_test_fake_imap_server_expect_line (server, "");
  buzon_test_fake_imap_server_send_line (server, "235 2.7.0 Authentication successful");
  expect_quit (server);
  client = connect_plain (server);
  g_assert_true (buzon_test_smtp_login (client, "ana", "secret", &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_fake_scram_proof_checked (scram));
  g_assert_true (g_str_has_prefix (buzon_test_fake_scram_get_client_first (scram),
                                   "n,,n=ana,r="));
  quit (client);
  finish (server);
}

/* A password SASLprep would change (a soft hyphen in it) may not match
 * what the server derived its keys from: PLAIN, which is offered, instead. */
static void
test_scram_unprepared_password_uses_plain (void)
{
  const char *extensions[] = { "AUTH SCRAM-SHA-256 PLAIN", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  /* base64 ("\0ana\0se\xC2\xADcret") */
  buzon_test_fake_imap_server_expect_line (server, "AUTH PLAIN AGFuYQBzZcKtY3JldA==");
  buzon_test_fake_imap_server_send_line (server, "235 2.7.0 Authentication successful");
  expect_quit (server);
  client = connect_plain (server);
  g_assert_true (buzon_test_smtp_login (client, "ana", "se\u00ADcret", &error));
  g_assert_no_error (error);
  quit (client);
  finish (server);
}

/* An impostor that takes any password cannot sign: the login fails with an
 * error that says so, after "*", and the connection is closed. */
static void
test_scram_bad_server_signature (void)
{
  const char *extensions[] = { "AUTH PLAIN SCRAM-SHA-256", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonTestFakeScram) scram = buzon_test_fake_scram_new ("ana", "secret", 4096, "334 ");
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_scram_set_bad_signature (scram);
  buzon_test_fake_imap_server_expect_line_respond (server, "AUTH SCRAM-SHA-256 %ANY%",
                                                   buzon_test_fake_scram_first_cb, scram);
  buzon_test_fake_imap_server_expect_line_respond (server, "%ANY%",
                                                   buzon_test_fake_scram_final_cb, scram);
  buzon_test_fake_imap_server_expect_line (server, "*");
  buzon_test_fake_imap_server_send_line (server, "501 5.5.2 Authentication aborted");
  buzon_test_fake_imap_server_expect_eof (server);
  client = connect_plain (server);
  g_assert_false (buzon_test_smtp_login (client, "ana", "secret", &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_SERVER_NOT_VERIFIED);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (error->message, "prove"));
  g_assert_nonnull (strstr (error->message, "impostor"));
  g_assert_false (buzon_smtp_error_is_transient (error));
  g_assert_true (buzon_smtp_client_get_is_closed (client));
  finish (server);
}

/* A 235 that skips the server-final message proves nothing: refused, and
 * the connection closed. */
static void
test_scram_success_without_proof (void)
{
  const char *extensions[] = { "AUTH SCRAM-SHA-256", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonTestFakeScram) scram = buzon_test_fake_scram_new ("ana", "secret", 4096, "334 ");
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_expect_line_respond (server, "AUTH SCRAM-SHA-256 %ANY%",
                                                   buzon_test_fake_scram_first_cb, scram);
  buzon_test_fake_imap_server_expect_line (server, "%ANY%");
  buzon_test_fake_imap_server_send_line (server, "235 2.7.0 Authentication successful");
  buzon_test_fake_imap_server_expect_eof (server);
  client = connect_plain (server);
  g_assert_false (buzon_test_smtp_login (client, "ana", "secret", &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_SERVER_NOT_VERIFIED);
  g_assert_nonnull (strstr (error->message, "impostor"));
  g_assert_true (buzon_smtp_client_get_is_closed (client));
  finish (server);
}

/* Server-final with the 235 instead of a 334 of its own: checked the same,
 * so right it is a login, wrong an impostor. */
static void
test_scram_final_with_success (void)
{
  const char *extensions[] = { "AUTH SCRAM-SHA-256", NULL };

  for (guint bad = 0; bad < 2; bad++)
    {
      g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
      g_autoptr (BuzonTestFakeScram) scram = buzon_test_fake_scram_new ("ana", "secret", 4096,
                                                                        "334 ");
      g_autoptr (BuzonSmtpClient) client = NULL;
      g_autoptr (GError) error = NULL;

      buzon_test_fake_scram_set_final_prefix (scram, "235 2.7.0 ");
      if (bad)
        buzon_test_fake_scram_set_bad_signature (scram);
      buzon_test_fake_imap_server_expect_line_respond (server, "AUTH SCRAM-SHA-256 %ANY%",
                                                       buzon_test_fake_scram_first_cb, scram);
      buzon_test_fake_imap_server_expect_line_respond (server, "%ANY%",
                                                       buzon_test_fake_scram_final_cb, scram);
      if (bad)
        buzon_test_fake_imap_server_expect_eof (server);
      else
        expect_quit (server);
      client = connect_plain (server);
      if (bad)
        {
          g_assert_false (buzon_test_smtp_login (client, "ana", "secret", &error));
          g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_SERVER_NOT_VERIFIED);
          g_assert_true (buzon_smtp_client_get_is_closed (client));
        }
      else
        {
          g_assert_true (buzon_test_smtp_login (client, "ana", "secret", &error));
          g_assert_no_error (error);
          quit (client);
        }
      finish (server);
    }
}

/* Too few iterations, and a server-first message that is not SCRAM: "*",
 * and the client's reason, not the server's answer to "*". */
static void
test_scram_hostile_server_first (void)
{
  const char *extensions[] = { "AUTH SCRAM-SHA-256", NULL };

  {
    g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
    g_autoptr (BuzonTestFakeScram) scram = buzon_test_fake_scram_new ("ana", "secret", 1024,
                                                                      "334 ");
    g_autoptr (BuzonSmtpClient) client = NULL;
    g_autoptr (GError) error = NULL;

    buzon_test_fake_imap_server_expect_line_respond (server, "AUTH SCRAM-SHA-256 %ANY%",
                                                     buzon_test_fake_scram_first_cb, scram);
    buzon_test_fake_imap_server_expect_line (server, "*");
    buzon_test_fake_imap_server_send_line (server, "501 5.5.2 Authentication aborted");
    expect_quit (server);
    client = connect_plain (server);
    g_assert_false (buzon_test_smtp_login (client, "ana", "secret", &error));
    g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_AUTH_UNAVAILABLE);
    g_assert_nonnull (strstr (error->message, "1024"));
    g_assert_false (buzon_test_fake_scram_proof_checked (scram));
    quit (client);
    finish (server);
  }
  {
    g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
    g_autoptr (BuzonSmtpClient) client = NULL;
    g_autoptr (GError) error = NULL;

    buzon_test_fake_imap_server_expect_line (server, "AUTH SCRAM-SHA-256 %ANY%");
    /* "r=forged,s=QSXCR+Q6sek8bf92,i=4096": not our nonce. */
    buzon_test_fake_imap_server_send_line (server,
                                           "334 cj1mb3JnZWQscz1RU1hDUitRNnNlazhiZjkyLGk9NDA5Ng==");
    buzon_test_fake_imap_server_expect_line (server, "*");
    buzon_test_fake_imap_server_send_line (server, "501 5.5.2 Authentication aborted");
    buzon_test_fake_imap_server_expect_eof (server);
    client = connect_plain (server);
    g_assert_false (buzon_test_smtp_login (client, "ana", "secret", &error));
    g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_SERVER_NOT_VERIFIED);
    g_assert_nonnull (strstr (error->message, "nonce"));
    finish (server);
  }
  {
    g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
    g_autoptr (BuzonSmtpClient) client = NULL;
    g_autoptr (GError) error = NULL;

    buzon_test_fake_imap_server_expect_line (server, "AUTH SCRAM-SHA-256 %ANY%");
    buzon_test_fake_imap_server_send_line (server, "334 not base64!");
    buzon_test_fake_imap_server_expect_line (server, "*");
    buzon_test_fake_imap_server_send_line (server, "501 5.5.2 Authentication aborted");
    expect_quit (server);
    client = connect_plain (server);
    g_assert_false (buzon_test_smtp_login (client, "ana", "secret", &error));
    g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_PARSE);
    quit (client);
    finish (server);
  }
}

/* The connection cut in the middle of the exchange: a lost connection,
 * worth trying again. */
static void
test_scram_truncated (void)
{
  const char *extensions[] = { "AUTH SCRAM-SHA-256", NULL };
  g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
  g_autoptr (BuzonTestFakeScram) scram = buzon_test_fake_scram_new ("ana", "secret", 4096, "334 ");
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  buzon_test_fake_imap_server_expect_line_respond (server, "AUTH SCRAM-SHA-256 %ANY%",
                                                   buzon_test_fake_scram_first_cb, scram);
  buzon_test_fake_imap_server_expect_line (server, "%ANY%");
  buzon_test_fake_imap_server_send (server, "334 dj1", 7);
  buzon_test_fake_imap_server_close (server);
  client = connect_plain (server);
  g_assert_false (buzon_test_smtp_login (client, "ana", "secret", &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_CONNECTION);
  g_assert_true (buzon_smtp_error_is_transient (error));
  g_assert_true (buzon_smtp_client_get_is_closed (client));
  finish (server);
}

/* The server's error in the middle of the exchange: a 4xx is temporary; a
 * 535 after the proof is a wrong password, and no PLAIN is tried after it. */
static void
test_scram_server_error_in_the_middle (void)
{
  const char *extensions[] = { "AUTH PLAIN SCRAM-SHA-256", NULL };

  {
    g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
    g_autoptr (BuzonSmtpClient) client = NULL;
    g_autoptr (GError) error = NULL;

    buzon_test_fake_imap_server_expect_line (server, "AUTH SCRAM-SHA-256 %ANY%");
    buzon_test_fake_imap_server_send_line (server, "454 4.7.0 Temporary authentication failure");
    expect_quit (server);
    client = connect_plain (server);
    g_assert_false (buzon_test_smtp_login (client, "ana", "secret", &error));
    g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_TEMPORARY);
    g_assert_nonnull (strstr (error->message, "Temporary authentication failure"));
    quit (client);
    finish (server);
  }
  {
    g_autoptr (BuzonTestFakeImapServer) server = fake_smtp_server (extensions);
    g_autoptr (BuzonTestFakeScram) scram = buzon_test_fake_scram_new ("ana", "other", 4096,
                                                                      "334 ");
    g_autoptr (BuzonSmtpClient) client = NULL;
    g_autoptr (GError) error = NULL;

    buzon_test_fake_imap_server_expect_line_respond (server, "AUTH SCRAM-SHA-256 %ANY%",
                                                     buzon_test_fake_scram_first_cb, scram);
    buzon_test_fake_imap_server_expect_line (server, "%ANY%");
    buzon_test_fake_imap_server_send_line (server, "535 5.7.8 Authentication credentials invalid");
    expect_quit (server);
    client = connect_plain (server);
    g_assert_false (buzon_test_smtp_login (client, "ana", "secret", &error));
    g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_AUTHENTICATION_FAILED);
    g_assert_false (buzon_smtp_client_get_is_closed (client));
    quit (client);
    finish (server);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/smtp-client-faults/temporary-recipient-among-accepted",
                   test_temporary_recipient_among_accepted);
  g_test_add_func ("/smtp-client-faults/all-recipients-deferred", test_all_recipients_deferred);
  g_test_add_func ("/smtp-client-faults/dsn-and-all-or-nothing", test_dsn_and_all_or_nothing);
  g_test_add_func ("/smtp-client-faults/without-pipelining", test_without_pipelining);
  g_test_add_func ("/smtp-client-faults/reply-cut-in-the-middle", test_reply_cut_in_the_middle);
  g_test_add_func ("/smtp-client-faults/stalled-server", test_stalled_server);
  g_test_add_func ("/smtp-client-faults/cancelled-send", test_cancelled_send);
  g_test_add_func ("/smtp-client-faults/malformed-reply", test_malformed_reply);
  g_test_add_func ("/smtp-client-faults/starttls-not-offered", test_starttls_not_offered);
  g_test_add_func ("/smtp-client-faults/starttls-injection-and-refusal",
                   test_starttls_injection_and_refusal);
  g_test_add_func ("/smtp-client-faults/no-login-offered", test_no_login_offered);
  g_test_add_func ("/smtp-client-faults/size-exceeded", test_size_exceeded);
  g_test_add_func ("/smtp-client-faults/auth-login", test_auth_login);
  g_test_add_func ("/smtp-client-faults/helo-fallback", test_helo_fallback);
  g_test_add_func ("/smtp-client-faults/scram-preferred", test_scram_preferred);
  g_test_add_func ("/smtp-client-faults/scram-unprepared-password-uses-plain",
                   test_scram_unprepared_password_uses_plain);
  g_test_add_func ("/smtp-client-faults/scram-bad-server-signature",
                   test_scram_bad_server_signature);
  g_test_add_func ("/smtp-client-faults/scram-success-without-proof",
                   test_scram_success_without_proof);
  g_test_add_func ("/smtp-client-faults/scram-final-with-success",
                   test_scram_final_with_success);
  g_test_add_func ("/smtp-client-faults/scram-hostile-server-first",
                   test_scram_hostile_server_first);
  g_test_add_func ("/smtp-client-faults/scram-truncated", test_scram_truncated);
  g_test_add_func ("/smtp-client-faults/scram-server-error-in-the-middle",
                   test_scram_server_error_in_the_middle);
  return g_test_run ();
}
