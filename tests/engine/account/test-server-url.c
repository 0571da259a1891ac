// BuzonServerUrl: the schemes, defaults, refusals and round trips.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "account/account-error.h"
#include "account/server-url.h"

typedef struct
{
  const char *url;
  BuzonServerProtocol protocol;
  BuzonServerSecurity security;
  const char *host;
  guint16 port;
  const char *user;
  const char *canonical;
} Good;

static const Good good[] = {
  { "imaps://alice@mail.example.org", BUZON_SERVER_PROTOCOL_IMAP, BUZON_SERVER_SECURITY_TLS,
    "mail.example.org", 993, "alice", "imaps://alice@mail.example.org:993" },
  { "imap://bob@Mail.Example.ORG:1143/", BUZON_SERVER_PROTOCOL_IMAP,
    BUZON_SERVER_SECURITY_STARTTLS, "mail.example.org", 1143, "bob",
    "imap://bob@mail.example.org:1143" },
  { "IMAPS://mail.example.org", BUZON_SERVER_PROTOCOL_IMAP, BUZON_SERVER_SECURITY_TLS,
    "mail.example.org", 993, NULL, "imaps://mail.example.org:993" },
  { "imap+plain://carol@127.0.0.1:31143", BUZON_SERVER_PROTOCOL_IMAP,
    BUZON_SERVER_SECURITY_PLAIN, "127.0.0.1", 31143, "carol",
    "imap+plain://carol@127.0.0.1:31143" },
  { "imap+plain://localhost", BUZON_SERVER_PROTOCOL_IMAP, BUZON_SERVER_SECURITY_PLAIN,
    "localhost", 143, NULL, "imap+plain://localhost:143" },
  { "smtp+plain://[::1]:2525", BUZON_SERVER_PROTOCOL_SMTP, BUZON_SERVER_SECURITY_PLAIN, "::1",
    2525, NULL, "smtp+plain://[::1]:2525" },
  { "submissions://ana%40example.test@smtp.example.org", BUZON_SERVER_PROTOCOL_SMTP,
    BUZON_SERVER_SECURITY_TLS, "smtp.example.org", 465, "ana@example.test",
    "submissions://ana%40example.test@smtp.example.org:465" },
  { "submission://smtp.example.org", BUZON_SERVER_PROTOCOL_SMTP, BUZON_SERVER_SECURITY_STARTTLS,
    "smtp.example.org", 587, NULL, "submission://smtp.example.org:587" },
  { "imaps://jos%C3%A9@[2001:db8::1]:9993", BUZON_SERVER_PROTOCOL_IMAP,
    BUZON_SERVER_SECURITY_TLS, "2001:db8::1", 9993, "josé", "imaps://josé@[2001:db8::1]:9993" },
  { "imaps://correo.añil.example", BUZON_SERVER_PROTOCOL_IMAP, BUZON_SERVER_SECURITY_TLS,
    "correo.xn--ail-7ma.example", 993, NULL, "imaps://correo.xn--ail-7ma.example:993" },
};

static void
test_parse_good (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonServerUrl) url = buzon_server_url_parse (good[i].url, &error);
      g_autoptr (BuzonServerUrl) again = NULL;
      g_autoptr (BuzonServerUrl) copy = NULL;
      g_autofree char *canonical = NULL;
      g_autofree char *canonical_again = NULL;

      g_test_message ("%s", good[i].url);
      g_assert_no_error (error);
      g_assert_cmpint (url->protocol, ==, good[i].protocol);
      g_assert_cmpint (url->security, ==, good[i].security);
      g_assert_cmpstr (url->host, ==, good[i].host);
      g_assert_cmpuint (url->port, ==, good[i].port);
      g_assert_cmpstr (url->user, ==, good[i].user);

      canonical = buzon_server_url_to_string (url);
      g_assert_cmpstr (canonical, ==, good[i].canonical);

      /* What we write, we read back to the same value. */
      again = buzon_server_url_parse (canonical, &error);
      g_assert_no_error (error);
      canonical_again = buzon_server_url_to_string (again);
      g_assert_cmpstr (canonical_again, ==, canonical);

      copy = buzon_server_url_copy (url);
      g_assert_true (copy->host != url->host);
      g_assert_cmpstr (copy->host, ==, url->host);
      g_assert_cmpstr (copy->user, ==, url->user);
    }
}

typedef struct
{
  const char *url;
  int code;
} Bad;

static const Bad bad[] = {
  { "", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "mail.example.org", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "pop3://mail.example.org", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "https://mail.example.org", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://mail.example.org/INBOX", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://mail.example.org?x=1", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://mail.example.org#top", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://alice:hunter2@mail.example.org", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://mail.example.org:0", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://mail.example.org:70000", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://mail.example.org:99999999999", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://mail.example.org:-1", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://mail example.org", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://mail_server.example.org", BUZON_ACCOUNT_ERROR_INVALID_URL },
  { "imaps://-mail.example.org", BUZON_ACCOUNT_ERROR_INVALID_URL },
  /* Plaintext leaves this machine: refused, whatever the user typed. */
  { "imap+plain://mail.example.org", BUZON_ACCOUNT_ERROR_INSECURE },
  { "smtp+plain://192.0.2.1:25", BUZON_ACCOUNT_ERROR_INSECURE },
  { "imap+plain://localhost.example.org", BUZON_ACCOUNT_ERROR_INSECURE },
};

static void
test_parse_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonServerUrl) url = buzon_server_url_parse (bad[i].url, &error);

      g_test_message ("“%s”", bad[i].url);
      g_assert_null (url);
      g_assert_error (error, BUZON_ACCOUNT_ERROR, bad[i].code);
      /* The user sees what was wrong with which address. */
      g_assert_nonnull (strstr (error->message, bad[i].url));
    }
}

static void
test_loopback (void)
{
  const char *loopback[] = { "imaps://127.0.0.1", "imaps://127.0.0.2", "imaps://localhost",
                             "imaps://[::1]", "imaps://LOCALHOST" };
  const char *remote[] = { "imaps://10.0.0.1", "imaps://mail.example.org",
                           "imaps://[2001:db8::1]" };

  for (guint i = 0; i < G_N_ELEMENTS (loopback); i++)
    {
      g_autoptr (BuzonServerUrl) url = buzon_server_url_parse (loopback[i], NULL);
      g_assert_true (buzon_server_url_is_loopback (url));
    }
  for (guint i = 0; i < G_N_ELEMENTS (remote); i++)
    {
      g_autoptr (BuzonServerUrl) url = buzon_server_url_parse (remote[i], NULL);
      g_assert_false (buzon_server_url_is_loopback (url));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-url/parse-good", test_parse_good);
  g_test_add_func ("/server-url/parse-bad", test_parse_bad);
  g_test_add_func ("/server-url/loopback", test_loopback);

  return g_test_run ();
}
