// BuzonSearchQuery as IMAP SEARCH criteria (RFC 3501 §6.4.4), for the mail whose text the
// store does not have yet.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "search-query-private.h"

/* IMAP dates are in English whatever the locale (RFC 3501 date-month). */
static const char *const months[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static void
append_date (GString    *out,
             const Term *term,
             int         days_later)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, term->day, term->month, term->year);
  g_date_add_days (&date, days_later);
  g_string_append_printf (out, "%u-%s-%04u", (guint) g_date_get_day (&date),
                          months[g_date_get_month (&date) - 1], (guint) g_date_get_year (&date));
}

static const char *
flag_key (const Term *term)
{
  gboolean set = term->flag_set != term->negated;

  switch (term->flag)
    {
    case MESSAGE_FLAG_SEEN:
      return set ? "SEEN" : "UNSEEN";
    case MESSAGE_FLAG_ANSWERED:
      return set ? "ANSWERED" : "UNANSWERED";
    case MESSAGE_FLAG_FLAGGED:
      return set ? "FLAGGED" : "UNFLAGGED";
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

/* Writes @term as one search key, its user text as "?" appended to @strings. Returns FALSE
 * for a term IMAP cannot express, which then stands for ALL. */
static gboolean
append_term (GString    *out,
             GPtrArray  *strings,
             const Term *term)
{
  if (term->kind == TERM_FLAG)
    {
      g_string_append (out, flag_key (term));
      return TRUE;
    }
  /* IMAP has no key for attachments. A header test would miss attachments below the top
   * level and take multipart/mixed mail without any, so the server is not asked: the store
   * knows has_attachment from BODYSTRUCTURE for every message it lists. */
  if (term->kind == TERM_HAS_ATTACHMENT)
    return FALSE;

  if (term->negated)
    g_string_append (out, "NOT ");
  switch (term->kind)
    {
    case TERM_TEXT:
      switch (term->field)
        {
        case FIELD_ANY:
          g_string_append (out, "TEXT ?");
          break;
        case FIELD_FROM:
          g_string_append (out, "FROM ?");
          break;
        case FIELD_TO:
          g_string_append (out, "OR OR TO ? CC ? BCC ?");
          g_ptr_array_add (strings, g_strdup (term->text));
          g_ptr_array_add (strings, g_strdup (term->text));
          break;
        case FIELD_CC:
          g_string_append (out, "CC ?");
          break;
        case FIELD_SUBJECT:
          g_string_append (out, "SUBJECT ?");
          break;
        default:
          g_assert_not_reached ();
        }
      g_ptr_array_add (strings, g_strdup (term->text));
      break;

    /* The SENT* keys compare with the Date header, as the store does (search-query.h). */
    case TERM_BEFORE:
      g_string_append (out, "SENTBEFORE ");
      append_date (out, term, 0);
      break;
    case TERM_AFTER:
      /* SENTSINCE takes its day in; after: does not. */
      g_string_append (out, "SENTSINCE ");
      append_date (out, term, 1);
      break;
    case TERM_ON:
      g_string_append (out, "SENTON ");
      append_date (out, term, 0);
      break;

    case TERM_FLAG:
    case TERM_HAS_ATTACHMENT:
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

/**
 * buzon_search_query_to_imap:
 * @strings: (element-type utf8): where the user's strings go, one per "?", in order, as
 *   copies; create it with g_ptr_array_new_with_free_func (g_free), and add a %NULL before
 *   passing its data to buzon_imap_session_search_async()
 *
 * Writes the query as the criteria of buzon_imap_session_search_async(): search keys
 * separated by single spaces, "?" for each user string, as in "FROM ? UNSEEN SENTSINCE
 * 2-Nov-2026". An OR of more than two terms nests: "OR a OR b c".
 *
 * The server's answer is a superset of the store's for the same messages: has:attachment is
 * left out (there is no search key for it), and an OR or a negation with it in is left out
 * whole. The server also matches text by substring, and mostly without folding accents,
 * where the store matches by word start and folds them. Filter the server's matches with
 * buzon_search_query_to_sql() once the store holds them.
 *
 * Returns: (transfer full): the criteria; "ALL" when nothing is left to ask
 */
char *
buzon_search_query_to_imap (const BuzonSearchQuery *self,
                            GPtrArray              *strings)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (strings != NULL, NULL);

  for (guint i = 0; i < self->clauses->len; i++)
    {
      const Clause *clause = self->clauses->pdata[i];
      g_autoptr (GString) keys = g_string_new (NULL);
      g_autoptr (GPtrArray) clause_strings = g_ptr_array_new_with_free_func (g_free);
      gboolean expressible = TRUE;

      for (guint j = 0; j < clause->terms->len && expressible; j++)
        {
          if (j + 1 < clause->terms->len)
            g_string_append (keys, "OR ");
          expressible = append_term (keys, clause_strings, clause->terms->pdata[j]);
          if (j + 1 < clause->terms->len)
            g_string_append_c (keys, ' ');
        }
      /* An OR with ALL in it is ALL: leaving it out keeps the answer a superset. */
      if (!expressible)
        continue;

      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append_len (out, keys->str, keys->len);
      for (guint j = 0; j < clause_strings->len; j++)
        g_ptr_array_add (strings, g_strdup (clause_strings->pdata[j]));
    }

  if (out->len == 0)
    g_string_append (out, "ALL");
  return g_string_free (out, FALSE);
}
