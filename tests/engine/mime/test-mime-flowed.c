// Tests of format=flowed writing and reading (RFC 3676), by example and over generated text.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <string.h>

#include "mime/mime-flowed.h"

/* Every line of @flowed, checked against the rules a reader relies on. */
static void
assert_well_formed (const char *flowed)
{
  g_auto (GStrv) lines = g_strsplit (flowed, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      gsize length = strlen (line);
      glong chars = g_utf8_strlen (line, -1);

      g_assert_true (g_utf8_validate (line, -1, NULL));
      /* Unquoted lines that a reader would mistake are stuffed. */
      g_assert_false (g_str_has_prefix (line, "From "));
      /* A soft break (a trailing space) is only long when one word is: then
       * no break could have come earlier in it. */
      if (length > 0 && line[length - 1] == ' ' && chars > BUZON_MIME_FLOWED_WIDTH)
        {
          const char *content = line;

          while (*content == '>')
            content++;
          while (*content == ' ')
            content++;
          for (const char *p = content; p + 1 < line + length - 1; p++)
            if (p[0] == ' ' && p[1] != ' '
                && !(p == content + 2 && g_str_has_prefix (content, "-- ")))
              g_error ("line «%s» could have been broken at %zd", line, p - line);
        }
    }
}

static void
test_wraps_long_paragraph (void)
{
  const char *text = "Hola Ana, te escribo para contarte que el informe del tercer trimestre "
                     "ya está listo y que lo revisaremos el lunes por la mañana en la sala grande.";
  g_autofree char *flowed = buzon_mime_flowed_encode (text);
  g_auto (GStrv) lines = g_strsplit (flowed, "\n", -1);
  g_autofree char *back = NULL;

  g_assert_cmpuint (g_strv_length (lines), >=, 2);
  for (guint i = 0; lines[i + 1] != NULL; i++)
    {
      g_assert_true (g_str_has_suffix (lines[i], " "));
      g_assert_cmpint (g_utf8_strlen (lines[i], -1), <=, BUZON_MIME_FLOWED_WIDTH);
    }
  g_assert_false (g_str_has_suffix (lines[g_strv_length (lines) - 1], " "));
  back = buzon_mime_flowed_decode (flowed, FALSE);
  g_assert_cmpstr (back, ==, text);
}

static void
test_stuffing (void)
{
  g_autofree char *flowed = buzon_mime_flowed_encode ("From here on\n  indented\nplain");
  g_autofree char *back = NULL;

  g_assert_cmpstr (flowed, ==, " From here on\n   indented\nplain");
  back = buzon_mime_flowed_decode (flowed, FALSE);
  g_assert_cmpstr (back, ==, "From here on\n  indented\nplain");
}

static void
test_wrapped_line_starting_with_quote_mark_is_stuffed (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *flowed = NULL;
  g_autofree char *back = NULL;

  /* The break falls before ">b", which unstuffed would read as a quote. */
  for (guint i = 0; i < 35; i++)
    g_string_append (text, "a ");
  g_string_append (text, ">b and From me");
  flowed = buzon_mime_flowed_encode (text->str);
  g_assert_nonnull (strstr (flowed, "\n >b"));
  back = buzon_mime_flowed_decode (flowed, FALSE);
  g_assert_cmpstr (back, ==, text->str);
}

static void
test_signature_separator_kept (void)
{
  g_autofree char *flowed = buzon_mime_flowed_encode ("Saludos,   \nAna\n-- \nAna García\n");
  g_autofree char *back = NULL;

  /* The spaces the user left at the end of "Saludos," go; the separator's stays. */
  g_assert_cmpstr (flowed, ==, "Saludos,\nAna\n-- \nAna García\n");
  back = buzon_mime_flowed_decode (flowed, FALSE);
  g_assert_cmpstr (back, ==, "Saludos,\nAna\n-- \nAna García\n");
}

static void
test_quotes_keep_prefix (void)
{
  const char *text = "> Ana wrote a very long line that the quoting must wrap into two or more "
                     "lines, every one of them quoted\n>> and an older one\n>\n> after a blank";
  g_autofree char *flowed = buzon_mime_flowed_encode (text);
  g_auto (GStrv) lines = g_strsplit (flowed, "\n", -1);
  g_autofree char *back = NULL;

  g_assert_true (g_str_has_prefix (lines[0], "> Ana wrote"));
  g_assert_true (g_str_has_suffix (lines[0], " "));
  g_assert_true (g_str_has_prefix (lines[1], "> "));
  g_assert_false (g_str_has_prefix (lines[1], ">>"));
  g_assert_cmpstr (lines[g_strv_length (lines) - 2], ==, ">");
  back = buzon_mime_flowed_decode (flowed, FALSE);
  g_assert_cmpstr (back, ==, text);
}

static void
test_decode_others (void)
{
  g_autofree char *plain = buzon_mime_flowed_decode ("Thunderbird wraps \r\nlike this.\r\n"
                                                     ">quoted \r\n>on two\r\n", FALSE);
  g_autofree char *delsp = buzon_mime_flowed_decode ("日本語の \r\n文章です", TRUE);
  /* A flowed quoted line followed by a deeper one is not joined to it. */
  g_autofree char *depths = buzon_mime_flowed_decode ("> one \n>> two", FALSE);

  g_assert_cmpstr (plain, ==, "Thunderbird wraps like this.\n> quoted on two\n");
  g_assert_cmpstr (delsp, ==, "日本語の文章です");
  g_assert_cmpstr (depths, ==, "> one \n>> two");
}

static const char *const words[] = {
  "a", "el", "mañana", "canción", "ÁRBOL", "καλημέρα", "Ελλάδα", "日本語", "中文字符测试",
  "🎉", "👩‍💻", "From", "--", ">", ">>x", "-", "word", "longer", "x",
  "supercalifragilisticexpialidocious-and-then-some-more-letters-to-go-past-the-width-of-72",
};

/* The text a reader gets back: the same, without the spaces at the end of lines. */
static char *
expected_after_round_trip (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *content = lines[i];

      while (*content == '>')
        content++;
      if (content[0] == ' ' && content != lines[i])
        content++;
      if (strcmp (content, "-- ") != 0)
        g_strchomp (lines[i]);
    }
  return g_strjoinv ("\n", lines);
}

static void
test_round_trip_generated (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (3676);

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      guint n_lines = g_rand_int_range (rand, 1, 8);
      g_autofree char *flowed = NULL;
      g_autofree char *back = NULL;
      g_autofree char *expected = NULL;

      for (guint l = 0; l < n_lines; l++)
        {
          guint depth = g_rand_int_range (rand, 0, 10) < 7 ? 0 : g_rand_int_range (rand, 1, 4);
          guint n_words = g_rand_int_range (rand, 0, 60);

          if (l > 0)
            g_string_append_c (text, '\n');
          if (g_rand_int_range (rand, 0, 20) == 0)
            {
              g_string_append (text, "-- ");
              continue;
            }
          for (guint d = 0; d < depth; d++)
            g_string_append_c (text, '>');
          if (depth > 0 && n_words > 0)
            g_string_append_c (text, ' ');
          if (depth == 0 && g_rand_int_range (rand, 0, 8) == 0)
            g_string_append (text, "  "); /* An indented line. */
          for (guint w = 0; w < n_words; w++)
            {
              /* Words at the start of a line that would change its depth are
               * not what a person types; keep the generator honest. */
              const char *word = words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];

              if (w == 0 && word[0] == '>')
                word = "b";
              if (w > 0)
                g_string_append (text, g_rand_int_range (rand, 0, 10) == 0 ? "  " : " ");
              g_string_append (text, word);
            }
          if (g_rand_int_range (rand, 0, 6) == 0)
            g_string_append (text, "  "); /* Trailing spaces the user left. */
        }
      if (g_rand_boolean (rand))
        g_string_append_c (text, '\n');

      flowed = buzon_mime_flowed_encode (text->str);
      assert_well_formed (flowed);
      back = buzon_mime_flowed_decode (flowed, FALSE);
      expected = expected_after_round_trip (text->str);
      if (g_strcmp0 (back, expected) != 0)
        g_test_message ("round %u: text «%s» flowed «%s»", round, text->str, flowed);
      g_assert_cmpstr (back, ==, expected);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mime-flowed/wraps-long-paragraph", test_wraps_long_paragraph);
  g_test_add_func ("/mime-flowed/stuffing", test_stuffing);
  g_test_add_func ("/mime-flowed/wrapped-quote-mark-stuffed",
                   test_wrapped_line_starting_with_quote_mark_is_stuffed);
  g_test_add_func ("/mime-flowed/signature-separator", test_signature_separator_kept);
  g_test_add_func ("/mime-flowed/quotes-keep-prefix", test_quotes_keep_prefix);
  g_test_add_func ("/mime-flowed/decode-others", test_decode_others);
  g_test_add_func ("/mime-flowed/round-trip-generated", test_round_trip_generated);
  return g_test_run ();
}
