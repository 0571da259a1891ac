// BuzonImapSession's UID SEARCH: the answer as compact UID ranges, through
// ESEARCH (RFC 4731) where the server has it, so that a million matches
// cost a few ranges on the wire and in memory.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap-error.h"
#include "imap-session-private.h"

typedef struct
{
  BuzonImapSession *self; /* Not owned: the task holds it. */
  GArray *numbers;        /* guint32, from SEARCH. */
  GArray *ranges;         /* BuzonImapUidRange, from ESEARCH. */
} SearchData;

static void
search_data_free (SearchData *data)
{
  g_clear_pointer (&data->numbers, g_array_unref);
  g_clear_pointer (&data->ranges, g_array_unref);
  g_free (data);
}

static int
compare_uint32 (gconstpointer a,
                gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

/* Sorts and merges ranges in place: the result is ascending and disjoint. */
static void
normalise_ranges (GArray *ranges)
{
  guint out = 0;

  if (ranges->len == 0)
    return;
  g_array_sort (ranges, compare_uint32); /* Sorts by first: it is the first field. */
  for (guint i = 1; i < ranges->len; i++)
    {
      BuzonImapUidRange *last = &g_array_index (ranges, BuzonImapUidRange, out);
      BuzonImapUidRange *next = &g_array_index (ranges, BuzonImapUidRange, i);

      if ((guint64) next->first <= (guint64) last->last + 1)
        last->last = MAX (last->last, next->last);
      else
        g_array_index (ranges, BuzonImapUidRange, ++out) = *next;
    }
  g_array_set_size (ranges, out + 1);
}

/* "* ESEARCH (TAG "a1") UID ALL 1:3,5" (RFC 4731 §3.1). */
static void
read_esearch (SearchData              *data,
              const BuzonImapResponse *response)
{
  const BuzonImapValue *values = response->values;
  gsize i = 0;

  const BuzonImapValue *first = buzon_imap_value_get_item (values, 0);

  if (first != NULL && first->kind == BUZON_IMAP_VALUE_LIST)
    i++; /* The correlator: the connection gave the response to the command it names. */
  if (buzon_imap_value_is_atom (buzon_imap_value_get_item (values, i), "UID"))
    i++;
  for (; i + 1 < values->length; i += 2)
    if (buzon_imap_value_is_atom (values->items[i], "ALL"))
      {
        gsize length = 0;
        const char *text = buzon_imap_value_get_string (values->items[i + 1], &length);
        g_autoptr (GArray) ranges = NULL;

        ranges = text != NULL ? buzon_imap_uid_set_parse (text, length, NULL) : NULL;
        if (ranges == NULL)
          g_debug ("ESEARCH ALL left out: not a set");
        else
          g_array_append_vals (data->ranges, ranges->data, ranges->len);
      }
}

static void
search_untagged (BuzonImapConnection     *connection,
                 const BuzonImapResponse *response,
                 gpointer                 user_data)
{
  SearchData *data = user_data;

  if (g_strcmp0 (response->keyword, "ESEARCH") == 0)
    {
      _buzon_imap_session_consume (data->self, response);
      read_esearch (data, response);
    }
  else if (g_strcmp0 (response->keyword, "SEARCH") == 0)
    {
      _buzon_imap_session_consume (data->self, response);
      for (gsize i = 0; i < response->values->length; i++)
        {
          guint64 number = 0;

          /* A trailing "(MODSEQ n)" (RFC 7162 §3.1.5) is not a match. */
          if (buzon_imap_value_get_number (response->values->items[i], &number) && number > 0
              && number <= G_MAXUINT32)
            {
              guint32 value = (guint32) number;
              g_array_append_val (data->numbers, value);
            }
        }
    }
}

static void
search_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  SearchData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_array_sort (data->numbers, compare_uint32);
  for (guint i = 0; i < data->numbers->len; i++)
    {
      guint32 number = g_array_index (data->numbers, guint32, i);
      BuzonImapUidRange range = { number, number };
      g_array_append_val (data->ranges, range);
    }
  normalise_ranges (data->ranges);
  g_task_return_pointer (task, g_steal_pointer (&data->ranges), (GDestroyNotify) g_array_unref);
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

/* Writes @criteria into @command: words as they are, "(" and ")" as lists,
 * and each "?" as the next of @strings, quoted or as a literal. Returns
 * FALSE when the placeholders and @strings do not match. */
static gboolean
add_criteria (BuzonImapCommand   *command,
              const char         *criteria,
              const char * const *strings)
{
  g_auto (GStrv) words = g_strsplit_set (criteria, " ", -1);
  gsize next_string = 0;
  int depth = 0;

  for (gsize i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];

      while (*word == '(')
        {
          buzon_imap_command_begin_list (command);
          depth++;
          word++;
        }
      {
        gsize length = strlen (word);
        gsize closing = 0;
        g_autofree char *body = NULL;

        while (closing < length && word[length - 1 - closing] == ')')
          closing++;
        body = g_strndup (word, length - closing);
        if (g_str_equal (body, "?"))
          {
            if (strings == NULL || strings[next_string] == NULL)
              return FALSE;
            buzon_imap_command_add_string (command, strings[next_string++], -1);
          }
        else if (body[0] != '\0')
          buzon_imap_command_add_raw (command, body);
        for (gsize c = 0; c < closing; c++)
          {
            if (--depth < 0)
              return FALSE;
            buzon_imap_command_end_list (command);
          }
      }
    }
  return depth == 0 && (strings == NULL || strings[next_string] == NULL);
}

/**
 * buzon_imap_session_search_async:
 * @criteria: the search keys, written by the program, with "?" for each
 *   string that comes from the user: "OR FROM ? TO ? UNSEEN",
 *   "(SINCE 1-Nov-2026 NOT DELETED)"; words are separated by single spaces
 * @strings: (array zero-terminated=1) (nullable): one string per "?", in
 *   order; sent quoted or as literals, so they may hold anything, and in
 *   UTF-8 (with CHARSET UTF-8 where needed)
 * @flags: BUZON_IMAP_SEARCH_SEQUENCE for sequence numbers rather than UIDs
 * @cancellable: (nullable): cancelling before the command was sent keeps it
 *   from being sent; after, only the result changes
 *
 * Runs in SELECTED. Sends UID SEARCH, with RETURN (ALL) where the server
 * has ESEARCH. Placeholders that do not match @strings, or parentheses that
 * do not pair, fail with G_IO_ERROR_INVALID_ARGUMENT before anything is
 * sent.
 */
void
buzon_imap_session_search_async (BuzonImapSession     *self,
                                 const char           *criteria,
                                 const char * const   *strings,
                                 BuzonImapSearchFlags  flags,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;
  gboolean by_uid = (flags & BUZON_IMAP_SEARCH_SEQUENCE) == 0;
  gboolean ascii = TRUE;
  SearchData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (criteria != NULL && criteria[0] != '\0');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_search_async);
  if (!_buzon_imap_session_check_state (self, task, STATE_BIT (BUZON_IMAP_SESSION_SELECTED)))
    return;
  for (gsize i = 0; strings != NULL && strings[i] != NULL; i++)
    {
      if (!g_utf8_validate (strings[i], -1, NULL))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                                   _("The search text is not valid UTF-8"));
          return;
        }
      ascii = ascii && is_ascii (strings[i]);
    }

  command = _buzon_imap_session_command_new (self, by_uid ? "UID SEARCH" : "SEARCH");
  if (buzon_imap_connection_has_capability (self->connection, "ESEARCH")
      || buzon_imap_connection_has_capability (self->connection, "IMAP4rev2"))
    buzon_imap_command_add_raw (command, "RETURN (ALL)");
  /* Under UTF8=ACCEPT, strings are UTF-8 already (RFC 6855 §3). */
  if (!ascii && !buzon_imap_session_get_utf8 (self))
    buzon_imap_command_add_raw (command, "CHARSET UTF-8");
  if (!add_criteria (command, criteria, strings))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("The search criteria are not well formed"));
      return;
    }

  data = g_new0 (SearchData, 1);
  data->self = self;
  data->numbers = g_array_new (FALSE, FALSE, sizeof (guint32));
  data->ranges = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
  g_task_set_task_data (task, data, (GDestroyNotify) search_data_free);
  buzon_imap_connection_command_async (self->connection, command, search_untagged, data,
                                       cancellable, search_done_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_search_finish:
 *
 * Returns: (transfer full) (element-type BuzonImapUidRange): the matches as
 * ascending, disjoint ranges (empty when nothing matched), or %NULL with
 * @error
 */
GArray *
buzon_imap_session_search_finish (BuzonImapSession *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
