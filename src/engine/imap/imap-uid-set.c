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

static int
compare_ranges (gconstpointer a,
                gconstpointer b)
{
  const BuzonImapUidRange *x = a;
  const BuzonImapUidRange *y = b;

  return x->first < y->first ? -1 : x->first > y->first;
}

/**
 * buzon_imap_uid_set_normalize:
 * @ranges: (element-type BuzonImapUidRange): changed in place
 *
 * Sorts the ranges and merges those that overlap or touch: the result is
 * ascending and disjoint, the form the other functions return.
 */
void
buzon_imap_uid_set_normalize (GArray *ranges)
{
  guint out = 0;

  g_return_if_fail (ranges != NULL);

  if (ranges->len == 0)
    return;
  g_array_sort (ranges, compare_ranges);
  for (guint i = 1; i < ranges->len; i++)
    {
      BuzonImapUidRange *last = &g_array_index (ranges, BuzonImapUidRange, out);
      const BuzonImapUidRange *next = &g_array_index (ranges, BuzonImapUidRange, i);

      if ((guint64) next->first <= (guint64) last->last + 1)
        last->last = MAX (last->last, next->last);
      else
        g_array_index (ranges, BuzonImapUidRange, ++out) = *next;
    }
  g_array_set_size (ranges, out + 1);
}

/**
 * buzon_imap_uid_set_subtract:
 * @a: (element-type BuzonImapUidRange): ascending and disjoint
 * @b: (element-type BuzonImapUidRange): ascending and disjoint
 *
 * Returns: (transfer full): the UIDs of @a that are not in @b, ascending and
 * disjoint. Costs the number of ranges, not of UIDs.
 */
GArray *
buzon_imap_uid_set_subtract (const GArray *a,
                             const GArray *b)
{
  GArray *result = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
  guint j = 0;

  g_return_val_if_fail (a != NULL && b != NULL, result);

  for (guint i = 0; i < a->len; i++)
    {
      BuzonImapUidRange rest = g_array_index (a, BuzonImapUidRange, i);
      gboolean empty = FALSE;

      /* Ranges of @b wholly before this one cannot touch it or later ones. */
      while (j < b->len && g_array_index (b, BuzonImapUidRange, j).last < rest.first)
        j++;
      for (guint k = j; k < b->len && !empty; k++)
        {
          const BuzonImapUidRange *cut = &g_array_index (b, BuzonImapUidRange, k);

          if (cut->first > rest.last)
            break;
          if (cut->first > rest.first)
            {
              BuzonImapUidRange before = { rest.first, cut->first - 1 };
              g_array_append_val (result, before);
            }
          if (cut->last >= rest.last)
            empty = TRUE;
          else
            rest.first = MAX (rest.first, cut->last + 1);
        }
      if (!empty)
        g_array_append_val (result, rest);
    }
  return result;
}

/**
 * buzon_imap_uid_set_to_string:
 * @ranges: (element-type BuzonImapUidRange)
 *
 * Returns: (transfer full) (nullable): the set as a command sends it
 * ("1:5,9"), in the order given; %NULL when @ranges is empty.
 */
char *
buzon_imap_uid_set_to_string (const GArray *ranges)
{
  GString *out;

  g_return_val_if_fail (ranges != NULL, NULL);

  if (ranges->len == 0)
    return NULL;
  out = g_string_new (NULL);
  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);

      if (i > 0)
        g_string_append_c (out, ',');
      if (range->first == range->last)
        g_string_append_printf (out, "%u", range->first);
      else
        g_string_append_printf (out, "%u:%u", range->first, range->last);
    }
  return g_string_free (out, FALSE);
}
