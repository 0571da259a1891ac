// BuzonScram: the RFC 7677 §3 exchange byte for byte, and every way a
// server message can be malformed or hostile ends the exchange with an
// error instead of a login; SASLprep as RFC 4013 §3's examples say.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "net/scram.h"

#define RFC_NONCE "rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_NONCE RFC_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define RFC_SALT "W22ZaJ0SNY7soEsUEjb6gQ=="
#define RFC_SERVER_FIRST "r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=4096"
#define RFC_CLIENT_FINAL "c=biws,r=" RFC_SERVER_NONCE \
                         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define RFC_SERVER_FINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

/* An exchange for RFC 7677's user and password, its client-first sent. */
static BuzonScram *
started (const char *password)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonScram) scram = buzon_scram_new ("user", password, RFC_NONCE, &error);
  g_autofree char *first = NULL;

  g_assert_no_error (error);
  first = buzon_scram_get_client_first (scram);
  g_assert_cmpstr (first, ==, "n,,n=user,r=" RFC_NONCE);
  return g_steal_pointer (&scram);
}

static void
test_rfc7677_vector (void)
{
  g_autoptr (BuzonScram) scram = started ("pencil");
  g_autoptr (GError) error = NULL;
  g_autofree char *final = NULL;

  final = buzon_scram_handle_server_first (scram, RFC_SERVER_FIRST, strlen (RFC_SERVER_FIRST),
                                           &error);
  g_assert_no_error (error);
  g_assert_cmpstr (final, ==, RFC_CLIENT_FINAL);
  g_assert_false (buzon_scram_is_verified (scram));
  g_assert_true (buzon_scram_handle_server_final (scram, RFC_SERVER_FINAL,
                                                  strlen (RFC_SERVER_FINAL), &error));
  g_assert_no_error (error);
  g_assert_true (buzon_scram_is_verified (scram));
}

/* The server-first message of the RFC, then @server_final: refused with
 * @code, and the exchange is over. */
static void
assert_final_refused (const char *server_final,
                      gsize       length,
                      int         code)
{
  g_autoptr (BuzonScram) scram = started ("pencil");
  g_autoptr (GError) error = NULL;
  g_autofree char *final = NULL;

  final = buzon_scram_handle_server_first (scram, RFC_SERVER_FIRST, strlen (RFC_SERVER_FIRST),
                                           &error);
  g_assert_no_error (error);
  g_assert_false (buzon_scram_handle_server_final (scram, server_final, length, &error));
  g_assert_error (error, BUZON_SCRAM_ERROR, code);
  g_assert_false (buzon_scram_is_verified (scram));
  g_clear_error (&error);
  /* Not even the right signature is taken after that. */
  g_assert_false (buzon_scram_handle_server_final (scram, RFC_SERVER_FINAL,
                                                   strlen (RFC_SERVER_FINAL), &error));
  g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_STATE);
  g_assert_false (buzon_scram_is_verified (scram));
}

/* A server that does not know the password (one that says yes to anyone)
 * cannot make the signature: one bit off is refused, with a message that
 * says what it means. */
static void
test_bad_server_signature (void)
{
  g_autoptr (BuzonScram) scram = started ("pencil");
  g_autoptr (GError) error = NULL;
  g_autofree char *final = NULL;
  static const char *wrong = "v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

  final = buzon_scram_handle_server_first (scram, RFC_SERVER_FIRST, strlen (RFC_SERVER_FIRST),
                                           &error);
  g_assert_false (buzon_scram_handle_server_final (scram, wrong, strlen (wrong), &error));
  g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_SERVER_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "prove"));
  g_assert_nonnull (strstr (error->message, "impostor"));
  g_assert_false (buzon_scram_is_verified (scram));

  assert_final_refused (wrong, strlen (wrong), BUZON_SCRAM_ERROR_SERVER_SIGNATURE);
  /* The signature for another password is as wrong. */
  {
    g_autoptr (BuzonScram) other = started ("pencil2");
    g_autofree char *other_final = NULL;

    g_clear_error (&error);
    other_final = buzon_scram_handle_server_first (other, RFC_SERVER_FIRST,
                                                   strlen (RFC_SERVER_FIRST), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (other_final, !=, RFC_CLIENT_FINAL);
    g_assert_false (buzon_scram_handle_server_final (other, RFC_SERVER_FINAL,
                                                     strlen (RFC_SERVER_FINAL), &error));
    g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_SERVER_SIGNATURE);
  }
}

static void
test_malformed_server_final (void)
{
  static const char with_nul[] = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=\0x";
  g_autoptr (BuzonScram) scram = started ("pencil");
  g_autoptr (GError) error = NULL;
  g_autofree char *final = NULL;

  assert_final_refused ("", 0, BUZON_SCRAM_ERROR_MALFORMED);
  assert_final_refused ("v=", 2, BUZON_SCRAM_ERROR_MALFORMED);
  /* Base64, but of 31 bytes, or with a stray character. */
  assert_final_refused ("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95A==", 46,
                        BUZON_SCRAM_ERROR_MALFORMED);
  assert_final_refused ("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl9*G4=", 46,
                        BUZON_SCRAM_ERROR_MALFORMED);
  assert_final_refused ("x=1,v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", 50,
                        BUZON_SCRAM_ERROR_MALFORMED);
  assert_final_refused ("V=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", 46,
                        BUZON_SCRAM_ERROR_MALFORMED);
  assert_final_refused (with_nul, sizeof with_nul - 1, BUZON_SCRAM_ERROR_MALFORMED);
  /* The server's own error, quoted (printable only). */
  assert_final_refused ("e=invalid-proof", 15, BUZON_SCRAM_ERROR_SERVER_REFUSED);
  final = buzon_scram_handle_server_first (scram, RFC_SERVER_FIRST, strlen (RFC_SERVER_FIRST),
                                           &error);
  g_assert_false (buzon_scram_handle_server_final (scram, "e=other-error\033[2J",
                                                    strlen ("e=other-error\033[2J"), &error));
  g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_SERVER_REFUSED);
  g_assert_nonnull (strstr (error->message, "other-error?[2J"));
  g_clear_error (&error);

  /* An extension after the signature is allowed. */
  {
    g_autoptr (BuzonScram) extended = started ("pencil");
    g_autofree char *extended_final = NULL;
    static const char *with_extension = RFC_SERVER_FINAL ",x=future";

    extended_final = buzon_scram_handle_server_first (extended, RFC_SERVER_FIRST,
                                                      strlen (RFC_SERVER_FIRST), &error);
    g_assert_true (buzon_scram_handle_server_final (extended, with_extension,
                                                    strlen (with_extension), &error));
    g_assert_no_error (error);
  }
}

/* @server_first refused with @code; nothing is taken after it. */
static void
assert_first_refused (const char *server_first,
                      gsize       length,
                      int         code)
{
  g_autoptr (BuzonScram) scram = started ("pencil");
  g_autoptr (GError) error = NULL;
  char *final = buzon_scram_handle_server_first (scram, server_first, length, &error);

  if (final != NULL)
    g_error ("“%.*s” was taken", (int) length, server_first);
  g_assert_error (error, BUZON_SCRAM_ERROR, code);
  g_clear_error (&error);
  g_assert_false (buzon_scram_handle_server_final (scram, RFC_SERVER_FINAL,
                                                   strlen (RFC_SERVER_FINAL), &error));
  g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_STATE);
  g_assert_false (buzon_scram_is_verified (scram));
}

#define FIRST_REFUSED(text, code) assert_first_refused (text, sizeof (text) - 1, code)

static void
test_malformed_server_first (void)
{
  FIRST_REFUSED ("", BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=", BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE, BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT, BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=", BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("s=" RFC_SALT ",r=" RFC_SERVER_NONCE ",i=4096", BUZON_SCRAM_ERROR_MALFORMED);
  /* A mandatory extension this client does not know. */
  FIRST_REFUSED ("m=x," RFC_SERVER_FIRST, BUZON_SCRAM_ERROR_MALFORMED);
  /* The salt: empty, not base64, base64 with a hole. */
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=,i=4096", BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096",
                 BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=W22ZaJ0S Y7soEsUEjb6gQ==,i=4096",
                 BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=W2=ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                 BUZON_SCRAM_ERROR_MALFORMED);
  /* The count: not a number, signed, with leading zeros, too long. */
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=4096x", BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=-4096", BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=+4096", BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=04096", BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=18446744073709551617",
                 BUZON_SCRAM_ERROR_MALFORMED);
  /* A NUL, a space or a control character inside. */
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=4096\0", BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_NONCE "a b,s=" RFC_SALT ",i=4096", BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED ("r=" RFC_NONCE "a\033,s=" RFC_SALT ",i=4096", BUZON_SCRAM_ERROR_MALFORMED);
  /* A trailing comma, an extension without a value's "=". */
  FIRST_REFUSED (RFC_SERVER_FIRST ",", BUZON_SCRAM_ERROR_MALFORMED);
  FIRST_REFUSED (RFC_SERVER_FIRST ",x", BUZON_SCRAM_ERROR_MALFORMED);
}

/* The nonce must be ours with the server's part after it: another one, ours
 * cut short, or ours alone is a replayed or forged message. */
static void
test_hostile_nonce (void)
{
  FIRST_REFUSED ("r=xOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=" RFC_SALT ",i=4096",
                 BUZON_SCRAM_ERROR_NONCE);
  FIRST_REFUSED ("r=rOprNGfwEbeRWgbNEkq,s=" RFC_SALT ",i=4096", BUZON_SCRAM_ERROR_NONCE);
  FIRST_REFUSED ("r=" RFC_NONCE ",s=" RFC_SALT ",i=4096", BUZON_SCRAM_ERROR_NONCE);
  FIRST_REFUSED ("r=%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0" RFC_NONCE ",s=" RFC_SALT ",i=4096",
                 BUZON_SCRAM_ERROR_NONCE);
}

/* Fewer than 4096 iterations make the password cheap to guess from what
 * went over the wire; billions would keep the client busy for hours. */
static void
test_iteration_count (void)
{
  g_autoptr (BuzonScram) scram = started ("pencil");
  g_autoptr (GError) error = NULL;
  g_autofree char *final = NULL;
  static const char *extended = RFC_SERVER_FIRST ",x=future";

  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=4095", BUZON_SCRAM_ERROR_ITERATIONS);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=1", BUZON_SCRAM_ERROR_ITERATIONS);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=1000001",
                 BUZON_SCRAM_ERROR_ITERATIONS);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=4294967296",
                 BUZON_SCRAM_ERROR_ITERATIONS);
  FIRST_REFUSED ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=0", BUZON_SCRAM_ERROR_MALFORMED);

  /* 4096 is taken, and extensions after the count are skipped. */
  final = buzon_scram_handle_server_first (scram, extended, strlen (extended), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (final, "c=biws,r=" RFC_SERVER_NONCE ",p="));
}

/* Messages out of order are refused. */
static void
test_out_of_order (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonScram) scram = buzon_scram_new ("user", "pencil", RFC_NONCE, &error);

  g_assert_null (buzon_scram_handle_server_first (scram, RFC_SERVER_FIRST,
                                                  strlen (RFC_SERVER_FIRST), &error));
  g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_STATE);
  g_clear_error (&error);

  g_clear_pointer (&scram, buzon_scram_free);
  scram = started ("pencil");
  g_assert_false (buzon_scram_handle_server_final (scram, RFC_SERVER_FINAL,
                                                   strlen (RFC_SERVER_FINAL), &error));
  g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_STATE);
  g_assert_false (buzon_scram_is_verified (scram));
}

/* User names are escaped; each exchange gets a fresh random nonce. */
static void
test_user_and_nonce (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonScram) escaped = buzon_scram_new ("a=b,c", "pencil", "n", &error);
  g_autoptr (BuzonScram) one = buzon_scram_new ("ana@example.test", "pencil", NULL, &error);
  g_autoptr (BuzonScram) two = buzon_scram_new ("ana@example.test", "pencil", NULL, &error);
  g_autofree char *escaped_first = buzon_scram_get_client_first (escaped);
  g_autofree char *one_first = buzon_scram_get_client_first (one);
  g_autofree char *two_first = buzon_scram_get_client_first (two);

  g_assert_no_error (error);
  g_assert_cmpstr (escaped_first, ==, "n,,n=a=3Db=2Cc,r=n");
  g_assert_true (g_str_has_prefix (one_first, "n,,n=ana@example.test,r="));
  g_assert_cmpuint (strlen (one_first), ==, strlen ("n,,n=ana@example.test,r=") + 32);
  g_assert_cmpstr (one_first, !=, two_first);
  for (const char *p = one_first; *p != '\0'; p++)
    g_assert_true (*p > 0x20 && *p < 0x7F);

  g_assert_null (buzon_scram_new ("ana\r\nx", "pencil", NULL, &error));
  g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);
  g_assert_null (buzon_scram_new ("", "pencil", NULL, &error));
  g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);
  g_assert_null (buzon_scram_new ("ana", "bell\a", NULL, &error));
  g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_INVALID_CREDENTIALS);
}

static void
assert_prepared (const char *text,
                 const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *prepared = buzon_scram_saslprep (text, &error);

  if (expected == NULL)
    {
      g_assert_null (prepared);
      g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_INVALID_CREDENTIALS);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpstr (prepared, ==, expected);
}

/* RFC 4013 §3's examples (but the bidirectional one, not checked), and the
 * cases a user's password is likely to meet. */
static void
test_saslprep (void)
{
  assert_prepared ("I\u00ADX", "IX");
  assert_prepared ("user", "user");
  assert_prepared ("USER", "USER");
  assert_prepared ("\u00AA", "a");
  assert_prepared ("\u2168", "IX");
  assert_prepared ("\a", NULL);
  /* Accented letters in NFC are left alone; decomposed ones are composed. */
  assert_prepared ("contrase\u00F1a", "contrase\u00F1a");
  assert_prepared ("contrasen\u0303a", "contrase\u00F1a");
  assert_prepared ("\u00A0non\u3000breaking\u2003", " non breaking ");
  assert_prepared ("zero\u200Bwidth\uFEFF", "zerowidth");
  assert_prepared ("pass word", "pass word");
  assert_prepared ("", NULL);
  assert_prepared ("\u00AD", NULL);
  assert_prepared ("tab\there", NULL);
  assert_prepared ("private\uE000", NULL);
  assert_prepared ("non\uFFFEcharacter", NULL);
  assert_prepared ("tag\U000E0041", NULL);
  assert_prepared ("ltr\u200Emark", NULL);
  assert_prepared ("bad \xC3\x28 utf-8", NULL);
}

/* The password is prepared before the keys are derived: a soft hyphen in it
 * makes the same proof as the password without it. */
static void
test_password_prepared (void)
{
  g_autoptr (BuzonScram) scram = started ("pen\u00ADcil");
  g_autoptr (GError) error = NULL;
  g_autofree char *final = NULL;

  final = buzon_scram_handle_server_first (scram, RFC_SERVER_FIRST, strlen (RFC_SERVER_FIRST),
                                           &error);
  g_assert_no_error (error);
  g_assert_cmpstr (final, ==, RFC_CLIENT_FINAL);
}

static void
test_decode_base64 (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *decoded = NULL;
  gsize length = 0;
  static const char *bad[] = { "A", "AB=", "A===", "AB=C", "AB C", "AB\nC", "ABC-", NULL };

  decoded = buzon_scram_decode_base64 ("cj1hYmM=", &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, 5);
  g_assert_cmpmem (decoded, length, "r=abc", 5);
  g_clear_pointer (&decoded, g_free);
  decoded = buzon_scram_decode_base64 ("", &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, 0);
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autofree guint8 *none = buzon_scram_decode_base64 (bad[i], &length, &error);

      g_assert_null (none);
      g_assert_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_MALFORMED);
      g_clear_error (&error);
    }
}

/* What a login costs the client in PBKDF2 (reported, not asserted): the
 * least count a server may ask for, and ten times that. */
static void
test_cost (void)
{
  static const guint counts[] = { 4096, 40960 };

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_autoptr (BuzonScram) scram = started ("pencil");
      g_autoptr (GError) error = NULL;
      g_autofree char *count = g_strdup_printf ("%u", counts[i]);
      g_autofree char *server_first = g_strconcat ("r=" RFC_SERVER_NONCE ",s=" RFC_SALT ",i=",
                                                   count, NULL);
      g_autofree char *final = NULL;
      gint64 start = g_get_monotonic_time ();

      final = buzon_scram_handle_server_first (scram, server_first, strlen (server_first),
                                               &error);
      g_assert_no_error (error);
      g_test_message ("server-first with i=%u taken in %.1f ms", counts[i],
                      (g_get_monotonic_time () - start) / 1000.0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scram/rfc7677-vector", test_rfc7677_vector);
  g_test_add_func ("/scram/bad-server-signature", test_bad_server_signature);
  g_test_add_func ("/scram/malformed-server-final", test_malformed_server_final);
  g_test_add_func ("/scram/malformed-server-first", test_malformed_server_first);
  g_test_add_func ("/scram/hostile-nonce", test_hostile_nonce);
  g_test_add_func ("/scram/iteration-count", test_iteration_count);
  g_test_add_func ("/scram/out-of-order", test_out_of_order);
  g_test_add_func ("/scram/user-and-nonce", test_user_and_nonce);
  g_test_add_func ("/scram/saslprep", test_saslprep);
  g_test_add_func ("/scram/password-prepared", test_password_prepared);
  g_test_add_func ("/scram/decode-base64", test_decode_base64);
  g_test_add_func ("/scram/cost", test_cost);

  return g_test_run ();
}
