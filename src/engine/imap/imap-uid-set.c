// A set of UIDs as the server sends it (RFC 3501 sequence-set, RFC 7162
// known-uids and VANISHED), read into ranges.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imap-error.h"
#include "imap-uid-set.h"

/* Reads a number from 1 to 4294967295 at *p, moving *p past it. A star
 * counts as a number only where @star_ok. */
static gboolean
read_number (const char **p,
             const char  *end,
             gboolean     star_ok,
             guint32     *number)
{
  guint64 value = 0;
  const char *start = *p;

  if (star_ok && *p < end && **p == '*')
    {
      (*p)++;
      *number = G_MAXUINT32;
      return TRUE;
    }
  while (*p < end && g_ascii_isdigit (**p))
    {
      value = value * 10 + (guint64) (**p - '0');
      if (value > G_MAXUINT32)
        return FALSE;
      (*p)++;
    }
  if (*p == start || value == 0)
    return FALSE;
  *number = (guint32) value;
  return TRUE;
}

static gboolean
read_set (const char *text,
          gsize       length,
          gboolean    star_ok,
          GArray     *ranges)
{
  const char *p = text;
  const char *end = text + length;

  if (length == 0)
    return FALSE;
  while (p < end)
    {
      BuzonImapUidRange range;

      if (!read_number (&p, end, star_ok, &range.first))
        return FALSE;
      range.last = range.first;
      if (p < end && *p == ':')
        {
          p++;
          if (!read_number (&p, end, star_ok, &range.last))
            return FALSE;
        }
      if (range.first > range.last)
        {
          /* "5:3" means 3:5 (RFC 3501 §9, seq-range). */
          guint32 swap = range.first;
          range.first = range.last;
          range.last = swap;
        }
      if (ranges != NULL)
        g_array_append_val (ranges, range);
      if (p < end)
        {
          if (*p != ',' || p + 1 == end)
            return FALSE;
          p++;
        }
    }
  return TRUE;
}

/**
 * buzon_imap_uid_set_parse:
 * @text: a set of UIDs as the server sent it, such as "41,43:116"; need not
 *   be NUL-terminated
 * @length: bytes in @text
 *
 * A star is refused: the server's sets (VANISHED, APPENDUID, COPYUID) never
 * hold one. Ranges are kept in the order sent, each with first <= last.
 *
 * Returns: (transfer full): a GArray of BuzonImapUidRange, or %NULL with a
 *   BUZON_IMAP_ERROR_PARSE error.
 */
GArray *
buzon_imap_uid_set_parse (const char *text,
                          gsize       length,
                          GError    **error)
{
  g_autoptr (GArray) ranges = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (!read_set (text, length, FALSE, ranges))
    {
      g_autofree char *shown = g_utf8_make_valid (text, MIN (length, 200));

      /* Translators: %s is what the server sent. */
      g_set_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                   _("The server sent a malformed set of messages: “%s”"), shown);
      return NULL;
    }
  return g_steal_pointer (&ranges);
}

/* How many UIDs the ranges name, counting overlaps twice. */
guint64
buzon_imap_uid_set_count (const GArray *ranges)
{
  guint64 count = 0;

  g_return_val_if_fail (ranges != NULL, 0);

  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);
      count += (guint64) range->last - range->first + 1;
    }
  return count;
}

gboolean
buzon_imap_uid_set_contains (const GArray *ranges,
                             guint32       uid)
{
  g_return_val_if_fail (ranges != NULL, FALSE);

  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);
      if (uid >= range->first && uid <= range->last)
        return TRUE;
    }
  return FALSE;
}

/* TRUE when @text is a sequence set a command may carry ("1:*", "4,7:9"):
 * what the program passes on from its callers is checked before it reaches
 * the command line. */
gboolean
buzon_imap_uid_set_is_valid (const char *text)
{
  return text != NULL && read_set (text, strlen (text), TRUE, NULL);
}
