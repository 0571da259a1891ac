// BuzonSmtpReplyParser: real servers' replies fed whole, byte by byte and at
// random split points must give the same replies; malformed input and the
// bounds give errors, never a crash or unbounded buffering.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "smtp/smtp-error.h"
#include "smtp/smtp-reply-parser.h"

typedef struct
{
  const char *name;
  const char *input;
  const char *expected[8]; /* "CODE|ENHANCED|line1|line2…", ENHANCED empty when absent. */
} Transcript;

static const Transcript transcripts[] = {
  { "dovecot_greeting", "220 mail.example.test Dovecot ready.\r\n",
    { "220||mail.example.test Dovecot ready." } },
  { "dovecot_ehlo",
    "250-mail.example.test\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n"
    "250-BURL imap\r\n250-CHUNKING\r\n250-ENHANCEDSTATUSCODES\r\n250-SIZE 40960\r\n"
    "250 PIPELINING\r\n",
    { "250||mail.example.test|8BITMIME|AUTH PLAIN LOGIN|BURL imap|CHUNKING|"
      "ENHANCEDSTATUSCODES|SIZE 40960|PIPELINING" } },
  { "enhanced_codes_pipelined",
    "250 2.1.0 OK\r\n250 2.1.5 OK\r\n550 5.1.1 <nobody@example.test>: User doesn't exist\r\n"
    "354 OK\r\n",
    { "250|2.1.0|OK", "250|2.1.5|OK", "550|5.1.1|<nobody@example.test>: User doesn't exist",
      "354||OK" } },
  { "enhanced_on_every_line",
    "452-4.3.1 Insufficient\r\n452-4.3.1 system\r\n452 4.3.1 storage\r\n",
    { "452|4.3.1|Insufficient|system|storage" } },
  { "bare_code_and_bare_lf", "250\n221 2.0.0\r\n",
    { "250||", "221|2.0.0|" } },
  { "not_enhanced_when_class_differs", "250 5.1.1 looks like one\r\n",
    { "250||5.1.1 looks like one" } },
  { "not_enhanced_when_too_many_digits", "550 5.1234.1 no\r\n",
    { "550||5.1234.1 no" } },
  { "latin1_made_valid", "554 Caf\xe9 closed\r\n", { "554||Caf\xef\xbf\xbd closed" } },
};

static char *
describe (const BuzonSmtpReply *reply)
{
  g_autofree char *enhanced = buzon_smtp_reply_dup_enhanced (reply);
  g_autofree char *lines = g_strjoinv ("|", reply->lines);

  return g_strdup_printf ("%u|%s|%s", reply->code, enhanced != NULL ? enhanced : "", lines);
}

/* Feeds @input in chunks of @chunk bytes (0: whole; G_MAXUINT: random) and
 * returns what came out, an error as "error CODE" at the end. */
static GPtrArray *
run (const char *input,
     gsize       length,
     guint       chunk)
{
  g_autoptr (BuzonSmtpReplyParser) parser = buzon_smtp_reply_parser_new (NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  gsize offset = 0;

  while (offset < length)
    {
      gsize size = chunk == 0 ? length : chunk == G_MAXUINT ? (gsize) g_test_rand_int_range (1, 9)
                                                              : chunk;
      BuzonSmtpReply *reply;
      g_autoptr (GError) error = NULL;

      size = MIN (size, length - offset);
      buzon_smtp_reply_parser_feed (parser, input + offset, size);
      offset += size;
      while ((reply = buzon_smtp_reply_parser_next (parser, &error)) != NULL)
        {
          g_ptr_array_add (out, describe (reply));
          buzon_smtp_reply_free (reply);
        }
      if (error != NULL)
        {
          g_ptr_array_add (out, g_strdup_printf ("error %d", error->code));
          break;
        }
    }
  g_assert_cmpuint (buzon_smtp_reply_parser_get_buffered (parser), ==, 0);
  return out;
}

static void
test_transcript (gconstpointer data)
{
  const Transcript *transcript = data;
  gsize length = strlen (transcript->input);
  guint chunks[] = { 0, 1, 2, 3, 7, G_MAXUINT, G_MAXUINT, G_MAXUINT };

  for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
    {
      g_autoptr (GPtrArray) out = run (transcript->input, length, chunks[c]);
      guint expected = 0;

      while (expected < G_N_ELEMENTS (transcript->expected)
             && transcript->expected[expected] != NULL)
        expected++;
      g_assert_cmpuint (out->len, ==, expected);
      for (guint i = 0; i < out->len; i++)
        g_assert_cmpstr (out->pdata[i], ==, transcript->expected[i]);
    }
}

static void
assert_error (const char *input,
              gsize       length,
              int         code,
              guint       replies_before)
{
  guint chunks[] = { 0, 1, 5, G_MAXUINT };

  for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
    {
      g_autoptr (BuzonSmtpReplyParser) parser = buzon_smtp_reply_parser_new (NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (GError) again = NULL;
      guint replies = 0;
      gsize offset = 0;

      while (offset < length && error == NULL)
        {
          gsize size = chunks[c] == 0 ? length : chunks[c] == G_MAXUINT
                                                   ? (gsize) g_test_rand_int_range (1, 9)
                                                   : chunks[c];
          BuzonSmtpReply *reply;

          size = MIN (size, length - offset);
          buzon_smtp_reply_parser_feed (parser, input + offset, size);
          offset += size;
          while ((reply = buzon_smtp_reply_parser_next (parser, &error)) != NULL)
            {
              replies++;
              buzon_smtp_reply_free (reply);
            }
        }
      g_assert_error (error, BUZON_SMTP_ERROR, code);
      g_assert_cmpuint (replies, ==, replies_before);
      /* It stays failed. */
      buzon_smtp_reply_parser_feed (parser, "250 OK\r\n", 8);
      g_assert_null (buzon_smtp_reply_parser_next (parser, &again));
      g_assert_error (again, BUZON_SMTP_ERROR, code);
    }
}

static void
test_malformed (void)
{
  assert_error ("250 OK\r\nhello\r\n", 15, BUZON_SMTP_ERROR_PARSE, 1);
  assert_error ("25\r\n", 4, BUZON_SMTP_ERROR_PARSE, 0);
  assert_error ("199 too low\r\n", 13, BUZON_SMTP_ERROR_PARSE, 0);
  assert_error ("600 too high\r\n", 14, BUZON_SMTP_ERROR_PARSE, 0);
  assert_error ("260 second digit\r\n", 18, BUZON_SMTP_ERROR_PARSE, 0);
  assert_error ("250_OK\r\n", 8, BUZON_SMTP_ERROR_PARSE, 0);
  assert_error ("250-first\r\n251 changed\r\n", 24, BUZON_SMTP_ERROR_PARSE, 0);
  assert_error ("250 a\rb\r\n", 9, BUZON_SMTP_ERROR_PARSE, 0);
  assert_error ("250 a\0b\r\n", 9, BUZON_SMTP_ERROR_PARSE, 0);
}

/* A server that never ends its line, or its reply, is stopped at the bound
 * rather than buffered without limit. */
static void
test_limits (void)
{
  g_autoptr (GString) line = g_string_new ("250 ");
  g_autoptr (GString) lines = g_string_new (NULL);
  g_autoptr (BuzonSmtpReplyParser) parser = NULL;
  g_autoptr (BuzonSmtpReplyParser) unending = NULL;
  BuzonSmtpReplyParserLimits limits = { .max_line = 64, .max_lines = 4 };
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonSmtpReply) reply = NULL;

  while (line->len < 5000)
    g_string_append_c (line, 'x');
  g_string_append (line, "\r\n");
  assert_error (line->str, line->len, BUZON_SMTP_ERROR_LIMIT, 0);

  for (guint i = 0; i < 600; i++)
    g_string_append (lines, "250-more\r\n");
  g_string_append (lines, "250 end\r\n");
  assert_error (lines->str, lines->len, BUZON_SMTP_ERROR_LIMIT, 0);

  /* Exactly at the bounds is fine. */
  parser = buzon_smtp_reply_parser_new (&limits);
  buzon_smtp_reply_parser_feed (parser, "250-a\r\n250-b\r\n250-c\r\n", 21);
  g_assert_null (buzon_smtp_reply_parser_next (parser, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_smtp_reply_parser_get_buffered (parser), ==, 21);
  g_string_assign (line, "250 ");
  while (line->len < 64)
    g_string_append_c (line, 'y');
  g_string_append (line, "\r\n");
  buzon_smtp_reply_parser_feed (parser, line->str, line->len);
  reply = buzon_smtp_reply_parser_next (parser, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 4);
  g_assert_cmpuint (strlen (reply->lines[3]), ==, 60);

  /* 65 bytes and no line end yet: refused before the LF arrives. */
  unending = buzon_smtp_reply_parser_new (&limits);
  g_string_assign (line, "250 ");
  while (line->len < 66)
    g_string_append_c (line, 'z');
  buzon_smtp_reply_parser_feed (unending, line->str, 65);
  g_assert_null (buzon_smtp_reply_parser_next (unending, &error));
  g_assert_no_error (error);
  buzon_smtp_reply_parser_feed (unending, line->str + 65, 1);
  g_assert_null (buzon_smtp_reply_parser_next (unending, &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_LIMIT);
}

/* What follows a reply stays buffered (the STARTTLS injection check). */
static void
test_buffered (void)
{
  g_autoptr (BuzonSmtpReplyParser) parser = buzon_smtp_reply_parser_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonSmtpReply) reply = NULL;
  g_autofree char *text = NULL;

  buzon_smtp_reply_parser_feed (parser, "220 2.0.0 Ready to start TLS\r\n250-x", 35);
  reply = buzon_smtp_reply_parser_next (parser, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 220);
  g_assert_true (buzon_smtp_reply_is_positive (reply));
  text = buzon_smtp_reply_to_string (reply);
  g_assert_cmpstr (text, ==, "220 2.0.0 Ready to start TLS");
  g_assert_cmpuint (buzon_smtp_reply_parser_get_buffered (parser), ==, 5);
  buzon_smtp_reply_parser_feed (parser, "\r\n", 2);
  g_assert_null (buzon_smtp_reply_parser_next (parser, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_smtp_reply_parser_get_buffered (parser), ==, 7);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (transcripts); i++)
    {
      g_autofree char *path = g_strdup_printf ("/smtp/reply-parser/%s", transcripts[i].name);
      g_test_add_data_func (path, &transcripts[i], test_transcript);
    }
  g_test_add_func ("/smtp/reply-parser/malformed", test_malformed);
  g_test_add_func ("/smtp/reply-parser/limits", test_limits);
  g_test_add_func ("/smtp/reply-parser/buffered", test_buffered);
  return g_test_run ();
}
