// Modified UTF-7, the encoding of IMAP mailbox names (RFC 3501 §5.1.3), and
// how the client reads a mailbox name from the server.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Printable ASCII other than "&" stands for itself, "&" is "&-", and every
// other character goes as UTF-16 in a modified BASE64 run between "&" and
// "-" (with "," in place of "/" and no padding). The decoder accepts only the
// one canonical form the encoder produces: no encoded printable ASCII, no
// runs next to each other, no spare BASE64 characters or non-zero bits at the
// end of a run. That makes decode followed by encode give back the server's
// bytes exactly, so a name the user picks from the list is the name the
// server knows.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap-error.h"
#include "imap-utf7.h"

static const char base64_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
base64_value (guchar ch)
{
  if (ch >= 'A' && ch <= 'Z')
    return ch - 'A';
  if (ch >= 'a' && ch <= 'z')
    return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9')
    return ch - '0' + 52;
  if (ch == '+')
    return 62;
  if (ch == ',')
    return 63;
  return -1;
}

static gboolean
is_printable_ascii (gunichar ch)
{
  return ch >= 0x20 && ch <= 0x7e;
}

static gboolean
fail (const char *text,
      gsize       length,
      const char *why,
      GError    **error)
{
  g_autofree char *shown = g_utf8_make_valid (text, length);

  /* Translators: the first %s is a mailbox name, the second says what is wrong with it. */
  g_set_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
               _("The mailbox name “%s” is not valid modified UTF-7: %s"), shown, why);
  return FALSE;
}

/* Decodes the run that starts after "&" at *p, up to and including its "-",
 * appending the characters to out. */
static gboolean
decode_run (const char  *text,
            gsize        length,
            const char **p,
            GString     *out,
            GError     **error)
{
  const char *end = text + length;
  guint32 bits = 0;
  guint n_bits = 0;
  gunichar2 high = 0;

  for (;;)
    {
      gunichar2 unit;
      gunichar ch;
      int value;

      if (*p >= end)
        return fail (text, length, _("an encoded run is not closed with “-”"), error);
      if (**p == '-')
        break;
      value = base64_value (**p);
      if (value < 0)
        return fail (text, length,
                     _("a character that is neither modified BASE64 nor the “-” that closes an "
                       "encoded run"),
                     error);
      (*p)++;

      bits = (bits << 6) | (guint32) value;
      n_bits += 6;
      if (n_bits < 16)
        continue;
      n_bits -= 16;
      unit = (bits >> n_bits) & 0xffff;
      bits &= (1u << n_bits) - 1;

      if (high != 0)
        {
          if (unit < 0xdc00 || unit > 0xdfff)
            return fail (text, length, _("an unpaired UTF-16 surrogate"), error);
          ch = 0x10000 + ((gunichar) (high - 0xd800) << 10) + (unit - 0xdc00);
          high = 0;
        }
      else if (unit >= 0xd800 && unit <= 0xdbff)
        {
          high = unit;
          continue;
        }
      else if (unit >= 0xdc00 && unit <= 0xdfff)
        return fail (text, length, _("an unpaired UTF-16 surrogate"), error);
      else
        ch = unit;

      if (ch == 0)
        return fail (text, length, _("an encoded NUL character"), error);
      if (is_printable_ascii (ch))
        return fail (text, length,
                     _("printable ASCII is encoded where it should stand for itself"), error);
      g_string_append_unichar (out, ch);
    }

  if (high != 0)
    return fail (text, length, _("an unpaired UTF-16 surrogate"), error);
  /* Fewer than six bits are the padding of the last character; six or more
   * mean a BASE64 character that carries nothing. */
  if (n_bits >= 6 || bits != 0)
    return fail (text, length, _("bits are left over at the end of an encoded run"), error);
  (*p)++; /* The "-". */
  return TRUE;
}

/**
 * buzon_imap_utf7_decode:
 * @text: a mailbox name as the server sent it, in modified UTF-7; need not be
 *   NUL-terminated
 * @length: bytes in @text
 * @error: %BUZON_IMAP_ERROR_PARSE when @text is not canonical modified UTF-7:
 *   8-bit or control bytes, bad BASE64, an unterminated run, encoded printable
 *   ASCII or NUL, runs next to each other, unpaired surrogates or bits left
 *   over
 *
 * Returns: (transfer full) (nullable): the name in UTF-8, or %NULL on error.
 *   Encoding the result with buzon_imap_utf7_encode() gives @text back.
 */
char *
buzon_imap_utf7_decode (const char *text,
                        gsize       length,
                        GError    **error)
{
  g_autoptr (GString) out = NULL;
  const char *p = text;
  const char *end = text + length;
  gboolean after_run = FALSE;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_string_sized_new (length);
  while (p < end)
    {
      if (*p != '&')
        {
          if (!is_printable_ascii ((guchar) *p))
            {
              fail (text, length, _("a byte that is not printable ASCII"), error);
              return NULL;
            }
          g_string_append_c (out, *p);
          p++;
          after_run = FALSE;
          continue;
        }
      if (p + 1 < end && p[1] == '-')
        {
          g_string_append_c (out, '&');
          p += 2;
          after_run = FALSE;
          continue;
        }
      if (after_run)
        {
          fail (text, length, _("two encoded runs follow each other where one would do"),
                error);
          return NULL;
        }
      p++;
      if (!decode_run (text, length, &p, out, error))
        return NULL;
      after_run = TRUE;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
append_unit (GString   *out,
             gunichar2  unit,
             guint32   *bits,
             guint     *n_bits)
{
  *bits = (*bits << 16) | unit;
  *n_bits += 16;
  while (*n_bits >= 6)
    {
      *n_bits -= 6;
      g_string_append_c (out, base64_alphabet[(*bits >> *n_bits) & 0x3f]);
    }
  *bits &= (1u << *n_bits) - 1;
}

/**
 * buzon_imap_utf7_encode:
 * @utf8: a mailbox name in valid UTF-8
 *
 * Returns: (transfer full): @utf8 in canonical modified UTF-7, which is
 *   printable ASCII.
 */
char *
buzon_imap_utf7_encode (const char *utf8)
{
  GString *out;
  const char *p = utf8;

  g_return_val_if_fail (utf8 != NULL, NULL);
  g_return_val_if_fail (g_utf8_validate (utf8, -1, NULL), NULL);

  out = g_string_sized_new (strlen (utf8));
  while (*p != '\0')
    {
      gunichar ch = g_utf8_get_char (p);
      guint32 bits = 0;
      guint n_bits = 0;

      if (is_printable_ascii (ch))
        {
          if (ch == '&')
            g_string_append (out, "&-");
          else
            g_string_append_c (out, (char) ch);
          p++;
          continue;
        }

      /* One run holds every character up to the next printable ASCII one. */
      g_string_append_c (out, '&');
      while (*p != '\0' && !is_printable_ascii (ch = g_utf8_get_char (p)))
        {
          if (ch >= 0x10000)
            {
              append_unit (out, 0xd800 + ((ch - 0x10000) >> 10), &bits, &n_bits);
              append_unit (out, 0xdc00 + ((ch - 0x10000) & 0x3ff), &bits, &n_bits);
            }
          else
            append_unit (out, ch, &bits, &n_bits);
          p = g_utf8_next_char (p);
        }
      if (n_bits > 0)
        g_string_append_c (out, base64_alphabet[(bits << (6 - n_bits)) & 0x3f]);
      g_string_append_c (out, '-');
    }
  return g_string_free (out, FALSE);
}

/**
 * buzon_imap_mailbox_decode:
 * @raw: a mailbox name as the server sent it (in LIST, LSUB or STATUS); need
 *   not be NUL-terminated
 * @length: bytes in @raw
 * @utf8_enabled: whether the server accepted ENABLE UTF8=ACCEPT (RFC 6855), so
 *   that names come in UTF-8
 *
 * Reads a name the way the client shows it. Without UTF8=ACCEPT the name is
 * modified UTF-7; some servers send raw UTF-8 anyway, which is taken as is
 * when it is not valid modified UTF-7; anything else has its invalid bytes
 * replaced. Only a name decoded from modified UTF-7 (or sent as UTF-8 with
 * UTF8=ACCEPT) encodes back to @raw: callers that keep the name to send it
 * back should keep @raw as well.
 *
 * Returns: (transfer full): the name in valid UTF-8; never %NULL.
 */
char *
buzon_imap_mailbox_decode (const char *raw,
                           gsize       length,
                           gboolean    utf8_enabled)
{
  g_return_val_if_fail (raw != NULL || length == 0, g_strdup (""));

  if (raw == NULL)
    return g_strdup ("");
  if (!utf8_enabled)
    {
      char *decoded = buzon_imap_utf7_decode (raw, length, NULL);

      if (decoded != NULL)
        return decoded;
    }
  if (g_utf8_validate_len (raw, length, NULL))
    return g_strndup (raw, length);
  return g_utf8_make_valid (raw, length);
}
