// BuzonSmtpClient against the fixture's Dovecot submission service (relaying
// through exim, delivering over LMTP): messages sent over STARTTLS and
// implicit TLS arrive byte for byte in the recipient's Inbox; logins,
// plaintext, SIZE and refused recipients give the errors a user would see.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "line-client.h"
#include "mail-servers.h"
#include "smtp/smtp-error.h"
#include "test-smtp-helpers.h"

static BuzonTestMailServers *servers;

static char *
submission_url (const char *user,
                gboolean    implicit_tls)
{
  return g_strdup_printf ("%s://%s@127.0.0.1:%u", implicit_tls ? "submissions" : "submission",
                          user,
                          buzon_test_mail_servers_get_port (servers, implicit_tls
                                                                       ? "SUBMISSIONS_PORT"
                                                                       : "SUBMISSION_PORT"));
}

/* Connected and logged in as @user, the fixture's certificate pinned. */
static BuzonSmtpClient *
logged_in (const char *user,
           gboolean    implicit_tls)
{
  g_autofree char *url = submission_url (user, implicit_tls);
  g_autofree char *password = buzon_test_mail_servers_password (servers, user);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  client = buzon_test_smtp_client_new (url, buzon_test_mail_servers_get (servers, "CERT_SHA256"));
  g_assert_true (buzon_test_smtp_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_smtp_client_get_is_secure (client));
  g_assert_true (buzon_smtp_client_get_certificate_pinned (client));
  g_assert_true (buzon_test_smtp_login (client, user, password, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&client);
}

static char *
address (const char *user)
{
  return g_strdup_printf ("%s@%s", user, buzon_test_mail_servers_get (servers, "DOMAIN"));
}

/* A message with an 8-bit UTF-8 body, a line that starts with "." and one
 * that is only ".", with bare LF line ends (made CRLF on the wire). */
static char *
make_message (const char *from,
              const char *to,
              const char *message_id,
              const char *subject)
{
  return g_strdup_printf ("From: <%s>\n"
                          "To: <%s>\n"
                          "Subject: %s\n"
                          "Date: Fri, 27 Nov 2026 10:00:00 +0100\n"
                          "Message-ID: <%s>\n"
                          "MIME-Version: 1.0\n"
                          "Content-Type: text/plain; charset=utf-8\n"
                          "Content-Transfer-Encoding: 8bit\n"
                          "\n"
                          "Hola, ¿qué tal? Καλημέρα, 你好 😀\n"
                          ".a line that starts with a dot\n"
                          ".\n"
                          "..two dots\n"
                          "the end\n",
                          from, to, subject, message_id);
}

/* The recipient's copy of the message, polled for over IMAPS: the whole of
 * it, trace headers included; NULL when it did not come within @seconds. */
static char *
fetch_delivered (const char *user,
                 const char *message_id,
                 guint       seconds)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestLineClient) client = NULL;
  g_autofree char *password = buzon_test_mail_servers_password (servers, user);
  g_autofree char *login = g_strdup_printf ("LOGIN %s %s", user, password);
  g_autofree char *search = g_strdup_printf ("UID SEARCH HEADER Message-ID \"<%s>\"",
                                             message_id);
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  g_autofree char *uid = NULL;

  client = buzon_test_line_client_connect ("127.0.0.1",
                                           buzon_test_mail_servers_get_port (servers, "IMAPS_PORT"),
                                           TRUE, buzon_test_mail_servers_get_ca (servers), &error);
  g_assert_no_error (error);
  greeting = buzon_test_line_client_read_line (client, &error);
  g_assert_no_error (error);
  reply = buzon_test_line_client_imap (client, login, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "OK"));

  while (uid == NULL && g_get_monotonic_time () < deadline)
    {
      g_autoptr (GPtrArray) untagged = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *selected = buzon_test_line_client_imap (client, "EXAMINE INBOX", NULL,
                                                               &error);
      g_autofree char *found = NULL;

      g_assert_no_error (error);
      found = buzon_test_line_client_imap (client, search, untagged, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < untagged->len; i++)
        if (g_str_has_prefix (untagged->pdata[i], "SEARCH ")
            && strlen ((char *) untagged->pdata[i]) > strlen ("SEARCH "))
          uid = g_strdup ((char *) untagged->pdata[i] + strlen ("SEARCH "));
      if (uid == NULL)
        g_usleep (50 * 1000);
    }
  if (uid == NULL)
    return NULL;
  {
    g_autoptr (GPtrArray) untagged = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *fetch = g_strdup_printf ("UID FETCH %s BODY.PEEK[]", uid);
    g_autofree char *fetched = buzon_test_line_client_imap (client, fetch, untagged, &error);

    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (fetched, "OK"));
    g_assert_cmpuint (untagged->len, ==, 1);
    return g_strdup (untagged->pdata[0]);
  }
}

/* @message with CRLF line ends: what must arrive, after the trace headers. */
static char *
crlf (const char *message)
{
  GString *out = g_string_sized_new (strlen (message) + strlen (message) / 32);

  /* One pass: g_strsplit() is quadratic under ASan's strstr() checks. */
  for (const char *p = message; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append_c (out, '\r');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static void
assert_arrived_intact (const char *user,
                       const char *message_id,
                       const char *message)
{
  g_autofree char *delivered = fetch_delivered (user, message_id, 20);
  g_autofree char *expected = crlf (message);
  g_autofree char *literal = NULL;
  const char *start;

  if (delivered == NULL)
    g_error ("<%s> did not reach %s's Inbox within 20 s", message_id, user);
  /* "N FETCH (UID n BODY[] {size}\n<trace headers><message>)" as the line
   * client gives it: the literal ends with exactly the bytes sent. */
  start = strstr (delivered, "}\n");
  g_assert_nonnull (start);
  literal = g_strndup (start + 2, strlen (start + 2) - 1);
  g_assert_true (g_str_has_suffix (delivered, ")"));
  if (!g_str_has_suffix (literal, expected))
    g_error ("delivered:\n%s\nexpected to end with:\n%s", literal, expected);
  /* What came before is trace headers only (Return-Path, Delivered-To,
   * Received): header lines, no blank line among them. */
  g_assert_null (g_strstr_len (literal, strlen (literal) - strlen (expected), "\r\n\r\n"));
}

static void
round_trip (const char *from_user,
            const char *to_user,
            gboolean    implicit_tls)
{
  g_autoptr (BuzonSmtpClient) client = logged_in (from_user, implicit_tls);
  g_autofree char *from = address (from_user);
  g_autofree char *to = address (to_user);
  g_autofree char *id = g_strdup_printf ("%s-%" G_GINT64_FORMAT "@example.test",
                                         implicit_tls ? "implicit" : "starttls",
                                         g_get_real_time ());
  g_autofree char *message = make_message (from, to, id, "Envío de prueba");
  const char *recipients[] = { to, NULL };
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  const BuzonSmtpCapabilities *capabilities = buzon_smtp_client_get_capabilities (client);

  /* The capabilities are the ones given over TLS. */
  g_assert_true (capabilities->extensions & BUZON_SMTP_EXTENSION_8BITMIME);
  g_assert_true (capabilities->extensions & BUZON_SMTP_EXTENSION_PIPELINING);
  g_assert_true (capabilities->extensions & BUZON_SMTP_EXTENSION_ENHANCEDSTATUSCODES);
  g_assert_false (capabilities->extensions & BUZON_SMTP_EXTENSION_STARTTLS);
  g_assert_true (buzon_smtp_capabilities_has_auth (capabilities, "PLAIN"));

  result = buzon_test_smtp_send (client, from, recipients, message, BUZON_SMTP_SEND_NONE,
                                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->recipients->len, ==, 1);
  g_assert_cmpuint (buzon_smtp_send_result_count_refused (result), ==, 0);
  g_assert_cmpuint (result->final_reply->code, ==, 250);
  g_assert_true (buzon_test_smtp_quit (client, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_smtp_client_get_is_closed (client));
  assert_arrived_intact (to_user, id, message);
}

static void
test_starttls_round_trip (void)
{
  round_trip ("alice", "bob", FALSE);
}

static void
test_implicit_tls_round_trip (void)
{
  round_trip ("bob", "carol", TRUE);
}

/* Without the pin, the throwaway CA is not trusted: refused, with its
 * fingerprint to offer the user. */
static void
test_untrusted_certificate (void)
{
  g_autofree char *url = submission_url ("alice", FALSE);
  g_autoptr (BuzonSmtpClient) client = buzon_test_smtp_client_new (url, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_false (buzon_test_smtp_connect (client, &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_false (buzon_smtp_error_is_transient (error));
  g_assert_cmpstr (buzon_smtp_client_get_certificate_sha256 (client), ==,
                   buzon_test_mail_servers_get (servers, "CERT_SHA256"));
}

static void
test_wrong_password (void)
{
  g_autofree char *url = submission_url ("alice", TRUE);
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  client = buzon_test_smtp_client_new (url, buzon_test_mail_servers_get (servers, "CERT_SHA256"));
  g_assert_true (buzon_test_smtp_connect (client, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_test_smtp_login (client, "alice", "not-her-password", &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_AUTHENTICATION_FAILED);
  g_assert_false (buzon_smtp_error_is_transient (error));
  g_assert_nonnull (strstr (error->message, "535"));
  /* The connection is still there for another try. */
  g_assert_false (buzon_smtp_client_get_is_closed (client));
  g_clear_error (&error);
  g_assert_true (buzon_test_smtp_quit (client, &error));
  g_assert_no_error (error);
}

/* Off its own address Dovecot offers no login before TLS: smtp+plain:// is
 * refused with a clear error, and no password goes out. */
static void
test_plaintext_refused (void)
{
  g_autofree char *url = g_strdup_printf ("smtp+plain://alice@%s:%u",
                                          buzon_test_mail_servers_get (servers, "INSECURE_HOST"),
                                          buzon_test_mail_servers_get_port (servers,
                                                                            "SUBMISSION_PORT"));
  g_autoptr (BuzonSmtpClient) client = buzon_test_smtp_client_new (url, NULL);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "alice");
  g_autoptr (GError) error = NULL;

  g_assert_true (buzon_test_smtp_connect (client, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_smtp_client_get_is_secure (client));
  g_assert_false (buzon_test_smtp_login (client, "alice", password, &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_AUTH_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "without TLS"));
  g_assert_false (buzon_smtp_error_is_transient (error));
}

/* The fixture says SIZE 40M: a message one byte over is refused before
 * anything is sent, and the connection goes on. */
static void
test_size_refused_before_data (void)
{
  g_autoptr (BuzonSmtpClient) client = logged_in ("alice", TRUE);
  const BuzonSmtpCapabilities *capabilities = buzon_smtp_client_get_capabilities (client);
  g_autofree char *from = address ("alice");
  g_autofree char *to = address ("bob");
  const char *recipients[] = { to, NULL };
  g_autoptr (GString) big = g_string_new ("Subject: big\r\n\r\n");
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("after-big-%" G_GINT64_FORMAT "@example.test",
                                         g_get_real_time ());
  g_autofree char *message = make_message (from, to, id, "After the big one");

  g_assert_true (capabilities->extensions & BUZON_SMTP_EXTENSION_SIZE);
  g_assert_cmpuint (capabilities->max_size, ==, 40 * 1024 * 1024);
  while (big->len <= capabilities->max_size)
    g_string_append (big, "0123456789012345678901234567890123456789012345678901234567890123\r\n");
  result = buzon_test_smtp_send (client, from, recipients, big->str, BUZON_SMTP_SEND_NONE,
                                 &error);
  g_assert_null (result);
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_MESSAGE_TOO_BIG);
  g_assert_false (buzon_smtp_error_is_transient (error));
  g_clear_error (&error);

  /* Nothing was sent: the same connection sends the next message. */
  result = buzon_test_smtp_send (client, from, recipients, message, BUZON_SMTP_SEND_NONE,
                                 &error);
  g_assert_no_error (error);
  g_assert_true (buzon_test_smtp_quit (client, &error));
  assert_arrived_intact ("bob", id, message);
}

/* One recipient the relay refuses among two it takes: the message goes to
 * those two, and the result says which was refused and why. */
static void
test_refused_recipient_among_accepted (void)
{
  g_autoptr (BuzonSmtpClient) client = logged_in ("carol", FALSE);
  g_autofree char *from = address ("carol");
  g_autofree char *bob = address ("bob");
  g_autofree char *alice = address ("alice");
  const char *recipients[] = { bob, "someone@elsewhere.invalid", alice, NULL };
  g_autofree char *id = g_strdup_printf ("partial-%" G_GINT64_FORMAT "@example.test",
                                         g_get_real_time ());
  g_autofree char *message = make_message (from, bob, id, "Partly refused");
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  const BuzonSmtpRecipientResult *refused;

  result = buzon_test_smtp_send (client, from, recipients, message, BUZON_SMTP_SEND_NONE,
                                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->recipients->len, ==, 3);
  g_assert_cmpuint (buzon_smtp_send_result_count_refused (result), ==, 1);
  g_assert_true (buzon_smtp_send_result_lookup (result, bob)->accepted);
  g_assert_true (buzon_smtp_send_result_lookup (result, alice)->accepted);
  refused = buzon_smtp_send_result_lookup (result, "someone@elsewhere.invalid");
  g_assert_false (refused->accepted);
  g_assert_cmpuint (refused->reply->code / 100, ==, 5);
  g_assert_false (buzon_smtp_reply_is_transient (refused->reply));
  assert_arrived_intact ("bob", id, message);
  assert_arrived_intact ("alice", id, message);

  /* Every recipient refused: a clear error quoting the server, and RSET
   * leaves the connection ready for the next message. */
  {
    const char *nobody[] = { "someone@elsewhere.invalid", NULL };
    g_autoptr (BuzonSmtpSendResult) none = NULL;
    g_autoptr (BuzonSmtpSendResult) after = NULL;

    none = buzon_test_smtp_send (client, from, nobody, message, BUZON_SMTP_SEND_NONE, &error);
    g_assert_null (none);
    g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_RECIPIENTS_REFUSED);
    g_assert_nonnull (strstr (error->message, "someone@elsewhere.invalid"));
    g_assert_false (buzon_smtp_error_is_transient (error));
    g_clear_error (&error);
    after = buzon_test_smtp_send (client, from, (const char *[]) { bob, NULL }, message,
                                  BUZON_SMTP_SEND_NONE, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (buzon_smtp_send_result_count_refused (after), ==, 0);
  }
  g_assert_true (buzon_test_smtp_quit (client, &error));
  g_assert_no_error (error);
}

/* 8 MiB of base64 lines (an attachment's worth) goes out in bounded writes
 * and arrives intact; the time it took is reported. */
static void
test_large_message (void)
{
  g_autoptr (BuzonSmtpClient) client = logged_in ("alice", FALSE);
  g_autofree char *from = address ("alice");
  g_autofree char *to = address ("carol");
  const char *recipients[] = { to, NULL };
  g_autofree char *id = g_strdup_printf ("large-%" G_GINT64_FORMAT "@example.test",
                                         g_get_real_time ());
  g_autoptr (GString) message = g_string_new (NULL);
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gint64 start;
  guint line = 0;

  g_string_append_printf (message, "From: <%s>\nTo: <%s>\nSubject: Large\nMessage-ID: <%s>\n"
                                   "MIME-Version: 1.0\nContent-Type: application/octet-stream\n"
                                   "Content-Transfer-Encoding: base64\n\n",
                          from, to, id);
  while (message->len < 8 * 1024 * 1024)
    {
      guint8 raw[57];
      g_autofree char *encoded = NULL;

      for (guint i = 0; i < sizeof raw; i++)
        raw[i] = (guint8) (line * 31 + i * 7);
      encoded = g_base64_encode (raw, sizeof raw);
      g_string_append_printf (message, "%s\n", encoded);
      line++;
    }
  start = g_get_monotonic_time ();
  result = buzon_test_smtp_send (client, from, recipients, message->str, BUZON_SMTP_SEND_NONE,
                                 &error);
  g_assert_no_error (error);
  g_test_message ("8 MiB sent over STARTTLS in %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_true (buzon_test_smtp_quit (client, &error));
  assert_arrived_intact ("carol", id, message->str);
}

/* OAuth2 against Dovecot's oauth2 passdb: OAUTHBEARER, and XOAUTH2 where
 * it is the only one offered; a token the server refuses is a failed login
 * (after the error report's exchange), and a good one sends. */
static void
oauth2_login (const char *mechanisms_option,
              const char *expected_mechanism)
{
  BuzonTestMailServers *oauth = buzon_test_mail_servers_start (mechanisms_option);
  g_autofree char *url = g_strdup_printf ("submissions://alice@127.0.0.1:%u",
                                          buzon_test_mail_servers_get_port (oauth,
                                                                            "SUBMISSIONS_PORT"));
  g_autofree char *token = g_strconcat ("alice",
                                        buzon_test_mail_servers_get (oauth, "OAUTH2_TOKEN_SUFFIX"),
                                        NULL);
  g_autoptr (BuzonSmtpClient) refused = NULL;
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  const char *recipients[] = { "bob@example.test", NULL };
  g_autoptr (BuzonSmtpSendResult) result = NULL;

  refused = buzon_test_smtp_client_new (url, buzon_test_mail_servers_get (oauth, "CERT_SHA256"));
  g_assert_true (buzon_test_smtp_connect (refused, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_smtp_capabilities_has_auth (buzon_smtp_client_get_capabilities (refused),
                                                   expected_mechanism));
  g_assert_false (buzon_test_smtp_login_oauth2 (refused, "alice", "not-a-token", &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_AUTHENTICATION_FAILED);
  g_assert_false (buzon_smtp_error_is_transient (error));
  g_clear_error (&error);

  client = buzon_test_smtp_client_new (url, buzon_test_mail_servers_get (oauth, "CERT_SHA256"));
  g_assert_true (buzon_test_smtp_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_smtp_login_oauth2 (client, "alice", token, &error));
  g_assert_no_error (error);
  result = buzon_test_smtp_send (client, "alice@example.test", recipients,
                                 "Subject: OAuth2\r\n\r\nSent with a token.\r\n",
                                 BUZON_SMTP_SEND_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->final_reply->code, ==, 250);
  buzon_test_mail_servers_stop (oauth);
}

static void
test_oauthbearer (void)
{
  oauth2_login ("--oauth2", "OAUTHBEARER");
}

static void
test_xoauth2 (void)
{
  oauth2_login ("--oauth2=xoauth2", "XOAUTH2");
}

/* How often @pattern (a regular expression) matches in @servers' Dovecot
 * log, waited for a little (the log process writes a moment after the
 * fact) until it is @at_least. */
static guint
count_in_log (BuzonTestMailServers *log_servers,
              const char           *pattern,
              guint                 at_least)
{
  g_autoptr (GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autofree char *path = g_build_filename (buzon_test_mail_servers_get (log_servers, "DIR"),
                                            "dovecot.log", NULL);
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  guint count = 0;

  do
    {
      g_autofree char *contents = NULL;
      g_autoptr (GMatchInfo) match = NULL;

      count = 0;
      if (g_file_get_contents (path, &contents, NULL, NULL))
        for (g_regex_match (regex, contents, 0, &match); g_match_info_matches (match);
             g_match_info_next (match, NULL))
          count++;
      if (count >= at_least)
        break;
      g_usleep (20 * 1000);
    }
  while (g_get_monotonic_time () < deadline);
  return count;
}

/* Where Dovecot offers SCRAM-SHA-256 beside PLAIN and LOGIN, the client
 * logs in with it (Dovecot's log names the mechanism), the server's
 * signature is checked, and mail goes out. A wrong password is a failed
 * login as before, with one attempt: no PLAIN after it. */
static void
test_scram_sha_256 (void)
{
  g_autofree char *url = submission_url ("bob", FALSE);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "bob");
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (BuzonSmtpClient) wrong = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *from = address ("bob");
  g_autofree char *to = address ("alice");
  g_autofree char *id = g_strdup_printf ("scram-%" G_GINT64_FORMAT "@example.test",
                                         g_get_real_time ());
  g_autofree char *message = make_message (from, to, id, "Sent after SCRAM");
  const char *recipients[] = { to, NULL };
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  static const char *scram_login = "submission-login: Info: Login: user=<bob>, "
                                   "method=SCRAM-SHA-256";
  static const char *scram_failed = "submission-login: .*\\(auth failed, 1 attempts in "
                                    "[0-9]+ secs\\): user=<bob>, method=SCRAM-SHA-256";
  guint before = count_in_log (servers, scram_login, 0);
  guint failed_before = count_in_log (servers, scram_failed, 0);

  client = buzon_test_smtp_client_new (url, buzon_test_mail_servers_get (servers, "CERT_SHA256"));
  g_assert_true (buzon_test_smtp_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_smtp_capabilities_has_auth (buzon_smtp_client_get_capabilities (client),
                                                   "SCRAM-SHA-256"));
  g_assert_true (buzon_smtp_capabilities_has_auth (buzon_smtp_client_get_capabilities (client),
                                                   "PLAIN"));
  g_assert_true (buzon_test_smtp_login (client, "bob", password, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_in_log (servers, scram_login, before + 1), ==, before + 1);
  result = buzon_test_smtp_send (client, from, recipients, message, BUZON_SMTP_SEND_NONE,
                                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_smtp_send_result_count_refused (result), ==, 0);
  g_assert_true (buzon_test_smtp_quit (client, &error));
  g_assert_no_error (error);
  assert_arrived_intact ("alice", id, message);

  wrong = buzon_test_smtp_client_new (url, buzon_test_mail_servers_get (servers, "CERT_SHA256"));
  g_assert_true (buzon_test_smtp_connect (wrong, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_test_smtp_login (wrong, "bob", "not-his-password", &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_AUTHENTICATION_FAILED);
  g_assert_false (buzon_smtp_error_is_transient (error));
  g_assert_false (buzon_smtp_client_get_is_closed (wrong));
  g_clear_error (&error);
  g_assert_true (buzon_test_smtp_quit (wrong, &error));
  g_assert_no_error (error);
  /* Dovecot logs the attempts when the connection ends: one, with SCRAM. */
  g_assert_cmpuint (count_in_log (servers, scram_failed, failed_before + 1), ==,
                    failed_before + 1);
}

/* Where SCRAM-SHA-256 is not offered, PLAIN (over TLS). */
static void
test_plain_without_scram (void)
{
  BuzonTestMailServers *plain = buzon_test_mail_servers_start ("--no-scram");
  g_autofree char *url = g_strdup_printf ("submissions://carol@127.0.0.1:%u",
                                          buzon_test_mail_servers_get_port (plain,
                                                                            "SUBMISSIONS_PORT"));
  g_autofree char *password = buzon_test_mail_servers_password (plain, "carol");
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autoptr (GError) error = NULL;

  client = buzon_test_smtp_client_new (url, buzon_test_mail_servers_get (plain, "CERT_SHA256"));
  g_assert_true (buzon_test_smtp_connect (client, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_smtp_capabilities_has_auth (buzon_smtp_client_get_capabilities (client),
                                                    "SCRAM-SHA-256"));
  g_assert_true (buzon_test_smtp_login (client, "carol", password, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_in_log (plain, "Login: user=<carol>, method=PLAIN", 1), ==, 1);
  g_assert_true (buzon_test_smtp_quit (client, &error));
  g_assert_no_error (error);
  g_clear_object (&client);
  buzon_test_mail_servers_stop (plain);
}

/* The fixture's relay has DSN, and Dovecot passes it on once logged in: a
 * notification asked for is asked for (RET, NOTIFY), and the message is
 * delivered. */
static void
test_dsn_requested (void)
{
  g_autoptr (BuzonSmtpClient) client = logged_in ("carol", TRUE);
  g_autofree char *from = address ("carol");
  g_autofree char *to = address ("bob");
  const char *recipients[] = { to, NULL };
  g_autofree char *id = g_strdup_printf ("dsn-%" G_GINT64_FORMAT "@example.test",
                                         g_get_real_time ());
  g_autofree char *message = make_message (from, to, id, "With a delivery notification");
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (buzon_smtp_client_get_capabilities (client)->extensions
                 & BUZON_SMTP_EXTENSION_DSN);
  result = buzon_test_smtp_send (client, from, recipients, message,
                                 BUZON_SMTP_SEND_REQUEST_DSN, &error);
  g_assert_no_error (error);
  g_assert_true (result->dsn_requested);
  g_assert_cmpuint (buzon_smtp_send_result_count_refused (result), ==, 0);
  g_assert_cmpuint (result->final_reply->code, ==, 250);
  g_assert_true (buzon_test_smtp_quit (client, &error));
  g_assert_no_error (error);
  assert_arrived_intact ("bob", id, message);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  servers = buzon_test_mail_servers_start (NULL);

  g_test_add_func ("/smtp-client/starttls-round-trip", test_starttls_round_trip);
  g_test_add_func ("/smtp-client/implicit-tls-round-trip", test_implicit_tls_round_trip);
  g_test_add_func ("/smtp-client/untrusted-certificate", test_untrusted_certificate);
  g_test_add_func ("/smtp-client/wrong-password", test_wrong_password);
  g_test_add_func ("/smtp-client/plaintext-refused", test_plaintext_refused);
  g_test_add_func ("/smtp-client/size-refused-before-data", test_size_refused_before_data);
  g_test_add_func ("/smtp-client/refused-recipient-among-accepted",
                   test_refused_recipient_among_accepted);
  g_test_add_func ("/smtp-client/large-message", test_large_message);
  g_test_add_func ("/smtp-client/oauthbearer", test_oauthbearer);
  g_test_add_func ("/smtp-client/xoauth2", test_xoauth2);
  g_test_add_func ("/smtp-client/scram-sha-256", test_scram_sha_256);
  g_test_add_func ("/smtp-client/plain-without-scram", test_plain_without_scram);
  g_test_add_func ("/smtp-client/dsn-requested", test_dsn_requested);

  status = g_test_run ();
  buzon_test_mail_servers_stop (servers);
  return status;
}
