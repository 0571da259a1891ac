// Modified UTF-7 mailbox names: the RFC's examples and real folder names
// both ways, every malformed form refused, the client's fallback for names
// that are not modified UTF-7, and a round trip over random strings.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "imap/imap-error.h"
#include "imap/imap-utf7.h"

typedef struct
{
  const char *name;
  const char *utf8;
  const char *utf7;
} Pair;

static const Pair pairs[] = {
  { "rfc3501_example", "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
  { "ampersand", "&", "&-" },
  { "ampersands_and_text", "Niños & niñas", "Ni&APE-os &- ni&APE-as" },
  { "ampersand_between_runs", "日本語&台北", "&ZeVnLIqe-&-&U,BTFw-" },
  { "ascii_unchanged", "Elementos eliminados", "Elementos eliminados" },
  { "empty", "", "" },
  { "spanish", "Señales", "Se&APE-ales" },
  { "german_drafts", "Entwürfe", "Entw&APw-rfe" },
  { "german_deleted", "Gelöschte Elemente", "Gel&APY-schte Elemente" },
  { "two_characters_one_run", "Größe", "Gr&APYA3w-e" },
  { "emoji_surrogate_pair", "📬 Correo", "&2D3c7A- Correo" },
  { "flag_two_pairs", "Größe 🇩🇪", "Gr&APYA3w-e &2Dzd6dg83eo-" },
  { "emoji_between_ascii", "a😀b😀😀c", "a&2D3eAA-b&2D3eANg93gA-c" },
  { "control_character", "a\tb", "a&AAk-b" },
};

static void
test_pair (gconstpointer data)
{
  const Pair *pair = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *encoded = buzon_imap_utf7_encode (pair->utf8);
  g_autofree char *decoded = buzon_imap_utf7_decode (pair->utf7, strlen (pair->utf7), &error);

  g_assert_cmpstr (encoded, ==, pair->utf7);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded, ==, pair->utf8);
}

static void
test_length_not_nul_terminated (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *decoded = NULL;

  /* Only the first 7 bytes count: the rest of the buffer is not the name's. */
  decoded = buzon_imap_utf7_decode ("&AOk-abcdef", 7, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded, ==, "éab");
}

typedef struct
{
  const char *name;
  const char *utf7;
  gsize length; /* 0: strlen (utf7). */
} Bad;

#define NUL_INSIDE "a\0b"

static const Bad bad[] = {
  { "base64_slash", "&U/BTFw-", 0 },
  { "base64_padding", "&AOk=-", 0 },
  { "base64_space", "&AO k-", 0 },
  { "unterminated", "&U,BTFw", 0 },
  { "unterminated_at_once", "&", 0 },
  { "unterminated_at_end", "Entw&APw", 0 },
  { "dash_missing", "&AOk.x", 0 },
  { "ampersand_inside_run", "&AOk&-", 0 },
  { "encoded_printable_ascii", "&AGE-", 0 },
  { "encoded_ampersand", "&ACY-", 0 },
  { "encoded_nul", "&AAA-", 0 },
  { "adjacent_runs", "&AOk-&AOk-", 0 },
  { "unpaired_high_surrogate", "&2D0-", 0 },
  { "high_surrogate_then_bmp", "&2D0A6Q-", 0 },
  { "unpaired_low_surrogate", "&3Ew-", 0 },
  { "surrogates_reversed", "&3EzYPQ-", 0 },
  { "nonzero_bits_left_over", "&AOl-", 0 },
  { "spare_base64_character", "&AOkA-", 0 },
  { "lone_base64_character", "&A-", 0 },
  { "raw_utf8", "Caf\xc3\xa9", 0 },
  { "raw_latin1", "Caf\xe9", 0 },
  { "raw_control", "a\tb", 0 },
  { "raw_del", "a\x7f", 0 },
  { "nul_byte", NUL_INSIDE, sizeof NUL_INSIDE - 1 },
};

static void
test_bad (gconstpointer data)
{
  const Bad *b = data;
  gsize length = b->length > 0 ? b->length : strlen (b->utf7);
  g_autoptr (GError) error = NULL;
  g_autofree char *decoded = buzon_imap_utf7_decode (b->utf7, length, &error);

  g_assert_null (decoded);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE);
  /* The message names the mailbox, made readable, and is valid UTF-8. */
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, "modified UTF-7"));
  g_test_message ("%s: %s", b->name, error->message);
}

typedef struct
{
  const char *name;
  const char *raw;
  gsize length; /* 0: strlen (raw). */
  gboolean utf8_enabled;
  const char *expected;
} Fallback;

#define NUL_NAME "Sent\0Items"

static const Fallback fallbacks[] = {
  { "utf7", "&U,BTFw-", 0, FALSE, "台北" },
  { "utf7_looking_name_with_utf8_accept", "&U,BTFw-", 0, TRUE, "&U,BTFw-" },
  { "utf8_with_utf8_accept", "Entwürfe", 0, TRUE, "Entwürfe" },
  { "raw_utf8_without_utf8_accept", "Caf\xc3\xa9 &-", 0, FALSE, "Café &-" },
  { "latin1", "Caf\xe9", 0, FALSE, "Caf\xef\xbf\xbd" },
  { "latin1_with_utf8_accept", "Caf\xe9", 0, TRUE, "Caf\xef\xbf\xbd" },
  { "invalid_utf7_ascii_kept", "&AOk-&AOk-", 0, FALSE, "&AOk-&AOk-" },
  { "unterminated_kept", "Entw&APw", 0, FALSE, "Entw&APw" },
  { "nul_replaced", NUL_NAME, sizeof NUL_NAME - 1, FALSE, "Sent\xef\xbf\xbdItems" },
  { "empty", "", 0, FALSE, "" },
};

static void
test_fallback (gconstpointer data)
{
  const Fallback *f = data;
  gsize length = f->length > 0 ? f->length : strlen (f->raw);
  g_autofree char *decoded = buzon_imap_mailbox_decode (f->raw, length, f->utf8_enabled);

  g_assert_cmpstr (decoded, ==, f->expected);
  g_assert_true (g_utf8_validate (decoded, -1, NULL));
}

static void
test_fallback_never_fails (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);

  /* Random bytes, with more of the ones that matter here. */
  for (guint round = 0; round < 5000; round++)
    {
      static const char interesting[] = "&-+,AZaz09\xc3\xa9\xe9\xf0\x9f\x00\r\n ";
      guint8 bytes[24];
      gsize length = g_rand_int_range (rand, 0, sizeof bytes + 1);
      g_autofree char *off = NULL;
      g_autofree char *on = NULL;

      for (gsize i = 0; i < length; i++)
        bytes[i] = g_rand_boolean (rand)
                     ? (guint8) interesting[g_rand_int_range (rand, 0, sizeof interesting - 1)]
                     : (guint8) g_rand_int_range (rand, 0, 256);
      off = buzon_imap_mailbox_decode ((const char *) bytes, length, FALSE);
      on = buzon_imap_mailbox_decode ((const char *) bytes, length, TRUE);
      g_assert_nonnull (off);
      g_assert_nonnull (on);
      g_assert_true (g_utf8_validate (off, -1, NULL));
      g_assert_true (g_utf8_validate (on, -1, NULL));
    }
}

static gunichar
random_character (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 5))
    {
    case 0:
      return g_rand_int_range (rand, 0x20, 0x7f); /* Printable ASCII, "&" included. */
    case 1:
      return '&';
    case 2:
      return g_rand_int_range (rand, 0x01, 0x20); /* Controls go in runs. */
    case 3:
      {
        gunichar ch;

        do
          ch = g_rand_int_range (rand, 0x80, 0x10000);
        while (ch >= 0xd800 && ch <= 0xdfff);
        return ch;
      }
    default:
      return g_rand_int_range (rand, 0x10000, 0x110000); /* Surrogate pairs in UTF-16. */
    }
}

static void
test_random_round_trip (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20260127);

  for (guint round = 0; round < 5000; round++)
    {
      g_autoptr (GString) utf8 = g_string_new (NULL);
      guint n = g_rand_int_range (rand, 0, 20);
      g_autofree char *encoded = NULL;
      g_autofree char *decoded = NULL;
      g_autoptr (GError) error = NULL;

      for (guint i = 0; i < n; i++)
        g_string_append_unichar (utf8, random_character (rand));
      encoded = buzon_imap_utf7_encode (utf8->str);
      for (const char *p = encoded; *p != '\0'; p++)
        g_assert_true (*p >= 0x20 && *p <= 0x7e);
      decoded = buzon_imap_utf7_decode (encoded, strlen (encoded), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (decoded, ==, utf8->str);
      /* Without UTF8=ACCEPT, what the client shows is what was encoded. */
      g_clear_pointer (&decoded, g_free);
      decoded = buzon_imap_mailbox_decode (encoded, strlen (encoded), FALSE);
      g_assert_cmpstr (decoded, ==, utf8->str);
      /* With it, the server's UTF-8 is shown as sent. */
      g_clear_pointer (&decoded, g_free);
      decoded = buzon_imap_mailbox_decode (utf8->str, utf8->len, TRUE);
      g_assert_cmpstr (decoded, ==, utf8->str);
    }
}

static void
test_encode_rejects_invalid_utf8 (void)
{
  char *encoded;

  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*g_utf8_validate*");
  encoded = buzon_imap_utf7_encode ("Caf\xe9");
  g_test_assert_expected_messages ();
  g_assert_null (encoded);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/imap-utf7/pair/%s", pairs[i].name);
      g_test_add_data_func (path, &pairs[i], test_pair);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/imap-utf7/bad/%s", bad[i].name);
      g_test_add_data_func (path, &bad[i], test_bad);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fallbacks); i++)
    {
      g_autofree char *path = g_strdup_printf ("/imap-utf7/mailbox-decode/%s", fallbacks[i].name);
      g_test_add_data_func (path, &fallbacks[i], test_fallback);
    }
  g_test_add_func ("/imap-utf7/length-not-nul-terminated", test_length_not_nul_terminated);
  g_test_add_func ("/imap-utf7/mailbox-decode/never-fails", test_fallback_never_fails);
  g_test_add_func ("/imap-utf7/random-round-trip", test_random_round_trip);
  g_test_add_func ("/imap-utf7/encode-rejects-invalid-utf8", test_encode_rejects_invalid_utf8);

  return g_test_run ();
}
