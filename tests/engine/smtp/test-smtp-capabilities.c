// BuzonSmtpCapabilities: real servers' EHLO replies give the extensions,
// SIZE and AUTH mechanisms a submission client acts on.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "smtp/smtp-capabilities.h"
#include "smtp/smtp-reply-parser.h"

static BuzonSmtpCapabilities *
parse (const char *ehlo)
{
  g_autoptr (BuzonSmtpReplyParser) parser = buzon_smtp_reply_parser_new (NULL);
  g_autoptr (BuzonSmtpReply) reply = NULL;
  g_autoptr (GError) error = NULL;

  buzon_smtp_reply_parser_feed (parser, ehlo, strlen (ehlo));
  reply = buzon_smtp_reply_parser_next (parser, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  return buzon_smtp_capabilities_parse (reply);
}

static void
test_dovecot (void)
{
  g_autoptr (BuzonSmtpCapabilities) caps = parse (
    "250-localhost\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250-BURL imap\r\n"
    "250-CHUNKING\r\n250-ENHANCEDSTATUSCODES\r\n250-SIZE 41943040\r\n250-SMTPUTF8\r\n"
    "250-DSN\r\n250 PIPELINING\r\n");
  BuzonSmtpExtensions expected = BUZON_SMTP_EXTENSION_8BITMIME | BUZON_SMTP_EXTENSION_AUTH
                                 | BUZON_SMTP_EXTENSION_CHUNKING
                                 | BUZON_SMTP_EXTENSION_ENHANCEDSTATUSCODES
                                 | BUZON_SMTP_EXTENSION_SIZE | BUZON_SMTP_EXTENSION_SMTPUTF8
                                 | BUZON_SMTP_EXTENSION_DSN | BUZON_SMTP_EXTENSION_PIPELINING;

  g_assert_cmpstr (caps->domain, ==, "localhost");
  g_assert_cmpuint (caps->extensions, ==, expected);
  g_assert_cmpuint (caps->max_size, ==, 41943040);
  g_assert_cmpuint (g_strv_length (caps->auth_mechanisms), ==, 2);
  g_assert_true (buzon_smtp_capabilities_has_auth (caps, "plain"));
  g_assert_true (buzon_smtp_capabilities_has_auth (caps, "LOGIN"));
  g_assert_false (buzon_smtp_capabilities_has_auth (caps, "XOAUTH2"));
}

/* Before TLS Dovecot says "AUTH" and names nothing; old servers say
 * "AUTH=LOGIN"; keywords in any case; SIZE without a number is no limit. */
static void
test_odd_forms (void)
{
  g_autoptr (BuzonSmtpCapabilities) bare = parse (
    "250-mx.example.test Hello\r\n250-STARTTLS\r\n250-AUTH\r\n250 size\r\n");
  g_autoptr (BuzonSmtpCapabilities) old = parse (
    "250-old.example.test\r\n250-AUTH=LOGIN PLAIN\r\n250-auth login xoauth2\r\n"
    "250 SIZE lots\r\n");
  g_autoptr (BuzonSmtpCapabilities) helo = parse ("250 only.example.test\r\n");

  g_assert_cmpstr (bare->domain, ==, "mx.example.test");
  g_assert_true (bare->extensions & BUZON_SMTP_EXTENSION_STARTTLS);
  g_assert_true (bare->extensions & BUZON_SMTP_EXTENSION_AUTH);
  g_assert_true (bare->extensions & BUZON_SMTP_EXTENSION_SIZE);
  g_assert_cmpuint (bare->max_size, ==, 0);
  g_assert_cmpuint (g_strv_length (bare->auth_mechanisms), ==, 0);

  g_assert_cmpuint (g_strv_length (old->auth_mechanisms), ==, 3);
  g_assert_cmpstr (old->auth_mechanisms[0], ==, "LOGIN");
  g_assert_cmpstr (old->auth_mechanisms[1], ==, "PLAIN");
  g_assert_cmpstr (old->auth_mechanisms[2], ==, "XOAUTH2");
  g_assert_cmpuint (old->max_size, ==, 0);

  g_assert_cmpuint (helo->extensions, ==, BUZON_SMTP_EXTENSION_NONE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/smtp/capabilities/dovecot", test_dovecot);
  g_test_add_func ("/smtp/capabilities/odd-forms", test_odd_forms);
  return g_test_run ();
}
