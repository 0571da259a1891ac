// The fixture submission server: AUTH over STARTTLS and implicit TLS, and a
// message sent through it found in the recipient's IMAP Inbox.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "line-client.h"
#include "mail-servers.h"

static BuzonTestMailServers *servers;

static BuzonTestLineClient *
connect_submission (gboolean implicit_tls)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestLineClient) client = NULL;
  g_autofree char *reply = NULL;
  const char *port_key = implicit_tls ? "SUBMISSIONS_PORT" : "SUBMISSION_PORT";

  client = buzon_test_line_client_connect ("127.0.0.1",
                                           buzon_test_mail_servers_get_port (servers, port_key),
                                           implicit_tls, buzon_test_mail_servers_get_ca (servers),
                                           &error);
  g_assert_no_error (error);
  reply = buzon_test_line_client_smtp (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "220 "));

  if (!implicit_tls)
    {
      g_autofree char *ehlo = buzon_test_line_client_smtp (client, "EHLO client.example.test",
                                                           &error);
      g_autofree char *starttls = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (strstr (ehlo, "STARTTLS"));
      starttls = buzon_test_line_client_smtp (client, "STARTTLS", &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (starttls, "220 "));
      buzon_test_line_client_starttls (client, buzon_test_mail_servers_get_ca (servers), &error);
      g_assert_no_error (error);
    }
  return g_steal_pointer (&client);
}

static char *
auth_plain_command (const char *user,
                    const char *password)
{
  g_autoptr (GString) token = g_string_new (NULL);
  g_autofree char *encoded = NULL;

  g_string_append_c (token, '\0');
  g_string_append (token, user);
  g_string_append_c (token, '\0');
  g_string_append (token, password);
  encoded = g_base64_encode ((const guchar *) token->str, token->len);
  return g_strconcat ("AUTH PLAIN ", encoded, NULL);
}

static void
expect (BuzonTestLineClient *client,
        const char          *command,
        const char          *code)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *reply = buzon_test_line_client_smtp (client, command, &error);

  g_assert_no_error (error);
  if (!g_str_has_prefix (reply, code))
    g_error ("“%s” answered “%s”, expected %s", command, reply, code);
}

static void
authenticate (BuzonTestLineClient *client,
              const char          *user)
{
  g_autofree char *password = buzon_test_mail_servers_password (servers, user);
  g_autofree char *auth = auth_plain_command (user, password);
  g_autoptr (GError) error = NULL;
  g_autofree char *ehlo = buzon_test_line_client_smtp (client, "EHLO client.example.test",
                                                       &error);

  g_assert_no_error (error);
  g_assert_nonnull (strstr (ehlo, "AUTH"));
  g_assert_nonnull (strstr (ehlo, "PLAIN"));
  expect (client, auth, "235");
}

static void
send_message (BuzonTestLineClient *client,
              const char          *from,
              const char          *to,
              const char          *message_id,
              const char          *subject)
{
  const char *domain = buzon_test_mail_servers_get (servers, "DOMAIN");
  g_autofree char *mail_from = g_strdup_printf ("MAIL FROM:<%s@%s>", from, domain);
  g_autofree char *rcpt_to = g_strdup_printf ("RCPT TO:<%s@%s>", to, domain);
  g_autofree char *message = g_strdup_printf (
    "From: %s <%s@%s>\r\n"
    "To: <%s@%s>\r\n"
    "Subject: %s\r\n"
    "Date: Fri, 27 Nov 2026 10:00:00 +0100\r\n"
    "Message-ID: <%s>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Hola, ¿qué tal?\r\n"
    "..a line that starts with a dot, stuffed\r\n"
    ".",
    from, from, domain, to, domain, subject, message_id);
  g_autoptr (GError) error = NULL;

  expect (client, mail_from, "250");
  expect (client, rcpt_to, "250");
  expect (client, "DATA", "354");
  buzon_test_line_client_send (client, message, &error);
  g_assert_no_error (error);
  expect (client, NULL, "250");
}

/* Polls the recipient's Inbox over IMAPS until the message is there. */
static void
assert_delivered (const char *user,
                  const char *message_id,
                  const char *subject)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestLineClient) client = NULL;
  g_autofree char *password = buzon_test_mail_servers_password (servers, user);
  g_autofree char *login = g_strdup_printf ("LOGIN %s %s", user, password);
  g_autofree char *search = g_strdup_printf ("UID SEARCH HEADER Message-ID \"<%s>\"",
                                             message_id);
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
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
      g_assert_true (g_str_has_prefix (selected, "OK"));
      found = buzon_test_line_client_imap (client, search, untagged, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (found, "OK"));
      for (guint i = 0; i < untagged->len; i++)
        if (g_str_has_prefix (untagged->pdata[i], "SEARCH ")
            && strlen ((char *) untagged->pdata[i]) > strlen ("SEARCH "))
          uid = g_strdup ((char *) untagged->pdata[i] + strlen ("SEARCH "));
      if (uid == NULL)
        g_usleep (50 * 1000);
    }
  if (uid == NULL)
    g_error ("<%s> did not reach %s's Inbox within 20 s", message_id, user);

  /* The subject and the 8-bit body arrived intact, the dot unstuffed. */
  {
    g_autoptr (GPtrArray) untagged = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *fetch = g_strdup_printf (
      "UID FETCH %s (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT])", uid);
    g_autofree char *fetched = buzon_test_line_client_imap (client, fetch, untagged, &error);
    g_autofree char *expected = g_strdup_printf ("Subject: %s\r\n", subject);

    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (fetched, "OK"));
    g_assert_cmpuint (untagged->len, ==, 1);
    g_assert_nonnull (strstr (untagged->pdata[0], expected));
    g_assert_nonnull (strstr (untagged->pdata[0],
                              "\nHola, ¿qué tal?\r\n.a line that starts with a dot, stuffed\r\n"));
  }
}

static void
test_submission_starttls_round_trip (void)
{
  g_autoptr (BuzonTestLineClient) client = connect_submission (FALSE);
  g_autofree char *id = g_strdup_printf ("starttls-%" G_GINT64_FORMAT "@example.test",
                                         g_get_real_time ());

  authenticate (client, "alice");
  send_message (client, "alice", "bob", id, "Prueba por STARTTLS");
  expect (client, "QUIT", "221");
  assert_delivered ("bob", id, "Prueba por STARTTLS");
}

static void
test_submissions_implicit_tls_round_trip (void)
{
  g_autoptr (BuzonTestLineClient) client = connect_submission (TRUE);
  g_autofree char *id = g_strdup_printf ("implicit-%" G_GINT64_FORMAT "@example.test",
                                         g_get_real_time ());

  authenticate (client, "bob");
  send_message (client, "bob", "carol", id, "Over implicit TLS");
  expect (client, "QUIT", "221");
  assert_delivered ("carol", id, "Over implicit TLS");
}

static void
test_auth_required (void)
{
  g_autoptr (BuzonTestLineClient) client = connect_submission (FALSE);
  g_autoptr (GError) error = NULL;
  g_autofree char *ehlo = buzon_test_line_client_smtp (client, "EHLO client.example.test",
                                                       &error);

  g_assert_no_error (error);
  expect (client, "MAIL FROM:<alice@example.test>", "530");
}

static void
test_wrong_password (void)
{
  g_autoptr (BuzonTestLineClient) client = connect_submission (TRUE);
  g_autoptr (GError) error = NULL;
  g_autofree char *ehlo = buzon_test_line_client_smtp (client, "EHLO client.example.test",
                                                       &error);
  g_autofree char *auth = auth_plain_command ("alice", "not-her-password");

  g_assert_no_error (error);
  expect (client, auth, "535");
}

static void
test_no_auth_before_tls_off_loopback (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestLineClient) client = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *ehlo = NULL;
  g_autofree char *password = buzon_test_mail_servers_password (servers, "alice");
  g_autofree char *auth = auth_plain_command ("alice", password);
  g_autofree char *refused = NULL;

  client = buzon_test_line_client_connect (buzon_test_mail_servers_get (servers, "INSECURE_HOST"),
                                           buzon_test_mail_servers_get_port (servers,
                                                                             "SUBMISSION_PORT"),
                                           FALSE, NULL, &error);
  g_assert_no_error (error);
  greeting = buzon_test_line_client_smtp (client, NULL, &error);
  g_assert_no_error (error);
  ehlo = buzon_test_line_client_smtp (client, "EHLO client.example.test", &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (ehlo, "STARTTLS"));
  /* Dovecot names no mechanism (not even SCRAM-SHA-256: the fixture says
   * ssl = required), and refuses one. */
  g_assert_null (strstr (ehlo, "PLAIN"));
  g_assert_null (strstr (ehlo, "LOGIN"));
  g_assert_null (strstr (ehlo, "SCRAM"));
  refused = buzon_test_line_client_smtp (client, auth, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (refused, ==, "530 5.7.0 TLS required.");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  servers = buzon_test_mail_servers_start (NULL);

  g_test_add_func ("/fixture/smtp/submission-starttls-round-trip",
                   test_submission_starttls_round_trip);
  g_test_add_func ("/fixture/smtp/submissions-implicit-tls-round-trip",
                   test_submissions_implicit_tls_round_trip);
  g_test_add_func ("/fixture/smtp/auth-required", test_auth_required);
  g_test_add_func ("/fixture/smtp/wrong-password", test_wrong_password);
  g_test_add_func ("/fixture/smtp/no-auth-before-tls-off-loopback",
                   test_no_auth_before_tls_off_loopback);

  status = g_test_run ();
  buzon_test_mail_servers_stop (servers);
  return status;
}
