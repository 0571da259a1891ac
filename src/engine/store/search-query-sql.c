// BuzonSearchQuery as SQL over the store's message table and its FTS5 index.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// What the user typed reaches SQLite only as bound parameters, and reaches FTS5 only as quoted
// FTS5 strings, so neither SQL nor FTS5 syntax (NEAR, *, ^, column filters) can be injected.

#include "config.h"

#include "search-query-private.h"

/* The FTS5 columns a field looks in; FTS5 has no Cc column, so cc: takes any recipient. */
static const char *const field_columns[] = {
  [FIELD_ANY] = "",
  [FIELD_FROM] = "sender : ",
  [FIELD_TO] = "recipients : ",
  [FIELD_CC] = "recipients : ",
  [FIELD_SUBJECT] = "subject : ",
};

#define FTS_SUBQUERY "(SELECT rowid FROM message_fts WHERE message_fts MATCH ?)"

/* A text term as an FTS5 query: an FTS5 string (the tokenizer splits it into a phrase), its
 * last word a prefix unless the user quoted it, behind a column filter for a field. */
static void
append_fts_term (GString    *out,
                 const Term *term)
{
  g_string_append (out, field_columns[term->field]);
  g_string_append_c (out, '"');
  for (const char *p = term->text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  if (!term->phrase)
    g_string_append_c (out, '*');
}

static void
add_string (GPtrArray  *params,
            const char *value)
{
  g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_string (value)));
}

static void
add_int64 (GPtrArray *params,
           gint64     value)
{
  g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_int64 (value)));
}

static void
append_term (GString    *out,
             GPtrArray  *params,
             const Term *term)
{
  switch (term->kind)
    {
    case TERM_TEXT:
      {
        g_autoptr (GString) match = g_string_new (NULL);

        append_fts_term (match, term);
        add_string (params, match->str);
        g_string_append (out, term->negated ? "m.id NOT IN " FTS_SUBQUERY
                                            : "m.id IN " FTS_SUBQUERY);
      }
      break;

    case TERM_HAS_ATTACHMENT:
      g_string_append (out, term->negated ? "m.has_attachment = 0" : "m.has_attachment != 0");
      break;

    case TERM_FLAG:
      /* The bits are ours, not the user's: they go into the SQL as they are. */
      g_string_append_printf (out, "(m.flags & %u) %s 0", term->flag,
                              term->flag_set != term->negated ? "!=" : "=");
      break;

    case TERM_BEFORE:
      g_string_append (out, term->negated ? "m.date >= ?" : "m.date < ?");
      add_int64 (params, term->day_start);
      break;

    case TERM_AFTER:
      g_string_append (out, term->negated ? "m.date < ?" : "m.date >= ?");
      add_int64 (params, term->day_end);
      break;

    case TERM_ON:
      g_string_append (out, term->negated ? "(m.date < ? OR m.date >= ?)"
                                          : "(m.date >= ? AND m.date < ?)");
      add_int64 (params, term->day_start);
      add_int64 (params, term->day_end);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Whether the clause can be part of the one FTS5 query that all such clauses share: FTS5 has
 * AND and OR, but its NOT needs something on its left, so negated terms stay out. */
static gboolean
is_plain_text (const Clause *clause)
{
  for (guint i = 0; i < clause->terms->len; i++)
    {
      const Term *term = clause->terms->pdata[i];

      if (term->kind != TERM_TEXT || term->negated)
        return FALSE;
    }
  return TRUE;
}

/**
 * buzon_search_query_to_sql:
 * @params: (element-type GVariant): where the values of the placeholders go, in order: strings
 *   ("s") and Unix times ("x"), as full references; create it with
 *   g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref)
 *
 * Writes the query as a boolean SQL expression over the message table aliased `m`, to go after
 * WHERE: `SELECT m.id FROM message m WHERE <expression>`. Every value in it is a "?"
 * placeholder. Text terms are `m.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH
 * ?)`: the plain ones share one FTS5 query, and the index is asked nothing for ranking.
 *
 * Returns: (transfer full): the expression; "1" for an empty query
 */
char *
buzon_search_query_to_sql (const BuzonSearchQuery *self,
                           GPtrArray              *params)
{
  g_autoptr (GString) match = g_string_new (NULL);
  g_autoptr (GString) rest = g_string_new (NULL);
  g_autoptr (GPtrArray) rest_params = g_ptr_array_new_with_free_func (
    (GDestroyNotify) g_variant_unref);
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  for (guint i = 0; i < self->clauses->len; i++)
    {
      const Clause *clause = self->clauses->pdata[i];
      gboolean plain = is_plain_text (clause);
      GString *into = plain ? match : rest;
      gboolean grouped = clause->terms->len > 1;

      if (into->len > 0)
        g_string_append (into, " AND ");
      if (grouped)
        g_string_append_c (into, '(');
      for (guint j = 0; j < clause->terms->len; j++)
        {
          if (j > 0)
            g_string_append (into, " OR ");
          if (plain)
            append_fts_term (match, clause->terms->pdata[j]);
          else
            append_term (rest, rest_params, clause->terms->pdata[j]);
        }
      if (grouped)
        g_string_append_c (into, ')');
    }

  if (match->len == 0 && rest->len == 0)
    return g_strdup ("1");

  out = g_string_new (NULL);
  if (match->len > 0)
    {
      g_string_append (out, "m.id IN " FTS_SUBQUERY);
      add_string (params, match->str);
    }
  if (match->len > 0 && rest->len > 0)
    g_string_append (out, " AND ");
  g_string_append_len (out, rest->str, rest->len);
  for (guint i = 0; i < rest_params->len; i++)
    g_ptr_array_add (params, g_variant_ref (rest_params->pdata[i]));
  return g_string_free (out, FALSE);
}

/**
 * buzon_search_query_sql_index:
 * @in_folder: whether the search is limited to one folder
 *
 * The index a search by buzon_search_query_to_sql() should walk, newest
 * first, to fill a page of results without looking at every match: the
 * index of flagged mail when every match must be flagged (few messages);
 * else, when there are words to look for, a date index, the matches being
 * checked against the full-text index's as it goes (SQLite would rather
 * look up and sort every match, 100,000 of them for a common word). Else
 * none: SQLite chooses.
 *
 * Returns: (nullable): an index of the message table, for INDEXED BY
 */
const char *
buzon_search_query_sql_index (const BuzonSearchQuery *self,
                              gboolean                in_folder)
{
  gboolean words = FALSE;

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->clauses->len; i++)
    {
      const Clause *clause = self->clauses->pdata[i];
      const Term *term = clause->terms->len == 1 ? clause->terms->pdata[0] : NULL;

      if (term != NULL && term->kind == TERM_FLAG && !term->negated
          && term->flag == MESSAGE_FLAG_FLAGGED && term->flag_set)
        return "message_flagged";
      words = words || is_plain_text (clause);
    }
  if (!words)
    return NULL;
  return in_folder ? "message_by_date" : "message_by_date_all";
}
