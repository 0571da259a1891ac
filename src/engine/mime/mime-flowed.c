// format=flowed (RFC 3676): plain text wrapped for mail, and unwrapped again.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Buzón writes format=flowed without DelSp: a soft break is a line that ends
// in a space, and that space stays when the lines are joined, so a line is
// only ever broken after a space that was there. A word longer than the
// width keeps its line long (quoted-printable or base64 carry it safely).
// Quoted lines keep their ">" marks on every line they are wrapped into.

#include "config.h"

#include <string.h>

#include "mime-flowed.h"

/* The signature separator (RFC 3676 §4.3) ends in a space but is not flowed. */
static gboolean
is_signature_separator (const char *content)
{
  return strcmp (content, "-- ") == 0;
}

/* Space-stuffing (§4.4): a line that starts with a space, a ">" that is not
 * a quote, or "From " (which some agents would mangle) gets one more space,
 * which the reader removes. */
static gboolean
needs_stuffing (const char *content)
{
  return content[0] == ' ' || content[0] == '>' || g_str_has_prefix (content, "From ");
}

static void
append_line (GString    *out,
             guint       depth,
             const char *content,
             gsize       length)
{
  for (guint d = 0; d < depth; d++)
    g_string_append_c (out, '>');
  /* After quote marks the space is the usual one; unquoted, stuffing. */
  if ((depth > 0 && length > 0) || (depth == 0 && needs_stuffing (content)))
    g_string_append_c (out, ' ');
  g_string_append_len (out, content, length);
  g_string_append_c (out, '\n');
}

/* Wraps one line of the user's text (no quote marks) into soft-broken lines. */
static void
encode_content (GString    *out,
                guint       depth,
                const char *content)
{
  /* Room for the content: the quote marks and their space take some. */
  glong width = BUZON_MIME_FLOWED_WIDTH - (depth > 0 ? depth + 1 : 0);
  const char *start = content;

  if (width < 20)
    width = 20;
  for (;;)
    {
      const char *p = start;
      const char *best = NULL; /* Just after the last space a break can follow. */
      glong column = depth == 0 && needs_stuffing (start) ? 1 : 0;

      if (g_utf8_strlen (start, -1) + column <= width)
        break;

      /* The break goes after a space followed by something else, so no line
       * starts with a space; "room" counts the trailing space. */
      for (; *p != '\0'; p = g_utf8_next_char (p))
        {
          column++;
          if (*p == ' ' && p[1] != ' ' && p[1] != '\0')
            {
              if (column > width && best != NULL)
                break;
              /* A soft line equal to "-- " would read as a signature separator. */
              if (!(p - start == 2 && strncmp (start, "-- ", 3) == 0) && p != start)
                best = p + 1;
              if (column >= width)
                break;
            }
        }
      if (best == NULL)
        break;
      append_line (out, depth, start, best - start);
      start = best;
    }
  append_line (out, depth, start, strlen (start));
}

/**
 * buzon_mime_flowed_encode:
 * @text: the text as typed: UTF-8, LF line ends; quoted lines start with
 *   ">" marks (one per level, as "> " or ">> ")
 *
 * Returns: (transfer full): @text as format=flowed (DelSp=no), LF line
 *   ends, lines at most %BUZON_MIME_FLOWED_WIDTH characters where a space
 *   allows; the spaces at the end of the user's lines are dropped (they
 *   would read as soft breaks), but for the signature separator "-- "
 */
char *
buzon_mime_flowed_encode (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  g_autoptr (GString) out = g_string_new (NULL);
  guint n_lines = g_strv_length (lines);

  /* A final line end gives an empty last piece, not another line. */
  if (n_lines > 0 && lines[n_lines - 1][0] == '\0')
    {
      g_free (lines[n_lines - 1]);
      lines[--n_lines] = NULL;
    }
  for (guint i = 0; i < n_lines; i++)
    {
      char *line = lines[i];
      gsize length = strlen (line);
      guint depth = 0;
      const char *content;

      if (length > 0 && line[length - 1] == '\r')
        line[--length] = '\0';
      while (line[depth] == '>')
        depth++;
      content = line + depth;
      if (depth > 0 && content[0] == ' ')
        content++;
      if (is_signature_separator (content))
        {
          append_line (out, depth, content, strlen (content));
          continue;
        }
      g_strchomp ((char *) content);
      encode_content (out, depth, content);
    }
  /* The text's last line end is kept only if it had one. */
  if (out->len > 0 && text[strlen (text) - 1] != '\n')
    g_string_truncate (out, out->len - 1);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * buzon_mime_flowed_decode:
 * @text: a format=flowed text part's text (LF or CRLF line ends)
 * @delsp: the part's DelSp=yes: a soft break's space is not part of the text
 *
 * Undoes format=flowed (RFC 3676 §4): a line ending in a space goes on in
 * the next one at the same quote depth; stuffing goes. Quotes come out the
 * usual way, ">" per level and a space before the text ("> " alone for an
 * empty quoted line is written ">").
 *
 * Returns: (transfer full): the text as it reads
 */
char *
buzon_mime_flowed_decode (const char *text,
                          gboolean    delsp)
{
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean joining = FALSE;
  guint joining_depth = 0;

  for (gsize i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize length = strlen (line);
      const char *content;
      guint depth = 0;
      gboolean flowed;

      if (length > 0 && line[length - 1] == '\r')
        line[--length] = '\0';
      while (line[depth] == '>')
        depth++;
      content = line + depth + (line[depth] == ' ' ? 1 : 0);
      flowed = length > 0 && line[length - 1] == ' ' && !is_signature_separator (content);
      if (!(joining && depth == joining_depth))
        {
          if (i > 0)
            g_string_append_c (out, '\n');
          for (guint d = 0; d < depth; d++)
            g_string_append_c (out, '>');
          if (depth > 0 && content[0] != '\0')
            g_string_append_c (out, ' ');
        }
      g_string_append (out, content);
      if (flowed && delsp)
        g_string_truncate (out, out->len - 1);
      joining = flowed;
      joining_depth = depth;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
