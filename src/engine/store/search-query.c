// BuzonSearchQuery: reads the search box's text into clauses of terms, and prints them back.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The writers are in search-query-sql.c and search-query-imap.c; the language is described in
// search-query.h.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "search-query-private.h"

G_DEFINE_QUARK (buzon-search-query-error-quark, buzon_search_query_error)

/* How much of the text an error message quotes. */
#define FRAGMENT_CHARS 24

typedef struct
{
  const char *p; /* Where reading goes on. */
  GTimeZone *tz;
} Parser;

typedef enum
{
  KEY_NONE,
  KEY_FROM,
  KEY_TO,
  KEY_CC,
  KEY_SUBJECT,
  KEY_HAS,
  KEY_IS,
  KEY_BEFORE,
  KEY_AFTER,
  KEY_ON,
} Key;

static const struct
{
  const char *name;
  Key key;
  const char *example; /* What the key looks like with a value, for error messages. */
} keys[] = {
  { "from", KEY_FROM, "from:ana" },
  { "to", KEY_TO, "to:ana" },
  { "cc", KEY_CC, "cc:ana" },
  { "subject", KEY_SUBJECT, "subject:hola" },
  { "has", KEY_HAS, "has:attachment" },
  { "is", KEY_IS, "is:unread" },
  { "before", KEY_BEFORE, "before:2026-01-31" },
  { "after", KEY_AFTER, "after:2026-01-31" },
  { "on", KEY_ON, "on:2026-01-31" },
};

static const struct
{
  const char *name;
  guint flag;
  gboolean set;
} flag_values[] = {
  { "unread", MESSAGE_FLAG_SEEN, FALSE },
  { "read", MESSAGE_FLAG_SEEN, TRUE },
  { "flagged", MESSAGE_FLAG_FLAGGED, TRUE },
  { "answered", MESSAGE_FLAG_ANSWERED, TRUE },
};

static void
term_free (Term *term)
{
  g_free (term->text);
  g_free (term);
}

static void
clause_free (Clause *clause)
{
  g_ptr_array_unref (clause->terms);
  g_free (clause);
}

static Clause *
clause_new (void)
{
  Clause *clause = g_new0 (Clause, 1);

  clause->terms = g_ptr_array_new_with_free_func ((GDestroyNotify) term_free);
  return clause;
}

static gboolean
is_space (const char *p)
{
  return *p != '\0' && g_unichar_isspace (g_utf8_get_char (p));
}

static gboolean
at_end_of_word (const char *p)
{
  return *p == '\0' || is_space (p);
}

/* The ASCII quotation mark and the typographic ones that phones and word processors put in
 * its place; any of them opens or closes a quoted text. */
static gboolean
is_quote (const char *p)
{
  gunichar c = g_utf8_get_char (p);

  return c == '"' || c == 0x201C || c == 0x201D;
}

/* Whether @text has anything the FTS5 unicode61 tokenizer would index: letters, numbers and
 * private-use characters. The rest separates words, so a term made only of it would be an empty
 * FTS5 phrase, which matches nothing. */
static gboolean
has_word_characters (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    switch (g_unichar_type (g_utf8_get_char (p)))
      {
      case G_UNICODE_LOWERCASE_LETTER:
      case G_UNICODE_MODIFIER_LETTER:
      case G_UNICODE_OTHER_LETTER:
      case G_UNICODE_TITLECASE_LETTER:
      case G_UNICODE_UPPERCASE_LETTER:
      case G_UNICODE_DECIMAL_NUMBER:
      case G_UNICODE_LETTER_NUMBER:
      case G_UNICODE_OTHER_NUMBER:
      case G_UNICODE_PRIVATE_USE:
        return TRUE;
      default:
        break;
      }
  return FALSE;
}

/* The text from @p on, shortened for an error message. */
static char *
fragment (const char *p)
{
  g_autofree char *start = NULL;

  if (g_utf8_strlen (p, -1) <= FRAGMENT_CHARS)
    return g_strdup (p);
  start = g_utf8_substring (p, 0, FRAGMENT_CHARS - 1);
  return g_strconcat (start, "…", NULL);
}

/* Reads a word up to the next space. */
static char *
read_word (Parser *parser)
{
  const char *start = parser->p;

  while (!at_end_of_word (parser->p))
    parser->p = g_utf8_next_char (parser->p);
  return g_strndup (start, parser->p - start);
}

/* Reads a quoted text, parser->p at its opening quote. */
static char *
read_quoted (Parser  *parser,
             GError **error)
{
  const char *opening = parser->p;
  g_autoptr (GString) text = g_string_new (NULL);

  parser->p = g_utf8_next_char (parser->p);
  while (*parser->p != '\0' && !is_quote (parser->p))
    {
      const char *next;

      if (*parser->p == '\\' && (parser->p[1] == '\\' || is_quote (parser->p + 1)))
        parser->p++;
      next = g_utf8_next_char (parser->p);
      g_string_append_len (text, parser->p, next - parser->p);
      parser->p = next;
    }
  if (*parser->p == '\0')
    {
      g_autofree char *shown = fragment (opening);

      g_set_error (error, BUZON_SEARCH_QUERY_ERROR, BUZON_SEARCH_QUERY_ERROR_UNCLOSED_QUOTE,
                   /* Translators: %s is the end of the search text, from the quotation
                    * mark on. */
                   _("The quotation mark in “%s” is not closed"), shown);
      return NULL;
    }
  parser->p = g_utf8_next_char (parser->p);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Reads what follows a key: a quoted text or a word. */
static char *
read_value (Parser    *parser,
            gboolean  *quoted,
            GError   **error)
{
  *quoted = is_quote (parser->p);
  return *quoted ? read_quoted (parser, error) : read_word (parser);
}

/* Recognises "key:" at parser->p and moves past it. */
static Key
read_key (Parser *parser,
          guint  *index)
{
  const char *p = parser->p;

  while (g_ascii_isalpha (*p))
    p++;
  if (*p != ':' || p == parser->p)
    return KEY_NONE;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (strlen (keys[i].name) == (gsize) (p - parser->p)
        && g_ascii_strncasecmp (keys[i].name, parser->p, p - parser->p) == 0)
      {
        parser->p = p + 1;
        *index = i;
        return keys[i].key;
      }
  return KEY_NONE;
}

static gboolean
invalid_date (const char *value,
              GError    **error)
{
  g_set_error (error, BUZON_SEARCH_QUERY_ERROR, BUZON_SEARCH_QUERY_ERROR_INVALID_DATE,
               /* Translators: %s is what was typed as a date. YYYY-MM-DD is the format the
                * search box understands (year, month, day): translate the letters, keep the
                * order and the example. */
               _("“%s” is not a date: write it as YYYY-MM-DD, as in 2026-01-31"), value);
  return FALSE;
}

static gboolean
parse_date (Parser     *parser,
            const char *value,
            Term       *term,
            GError    **error)
{
  guint parts[3] = { 0, 0, 0 };
  guint digits[3] = { 0, 0, 0 };
  guint part = 0;
  g_autoptr (GDateTime) start = NULL;
  g_autoptr (GDateTime) end = NULL;
  GDate next;

  for (const char *p = value; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p) && digits[part] < 4)
        {
          parts[part] = parts[part] * 10 + (guint) (*p - '0');
          digits[part]++;
        }
      else if (*p == '-' && part < 2 && digits[part] > 0)
        part++;
      else
        {
          part = 0; /* Not a date at all. */
          break;
        }
    }
  if (part != 2 || digits[0] != 4 || digits[1] > 2 || digits[2] == 0 || digits[2] > 2
      || !g_date_valid_dmy ((GDateDay) parts[2], (GDateMonth) parts[1], (GDateYear) parts[0]))
    return invalid_date (value, error);
  term->year = (GDateYear) parts[0];
  term->month = (GDateMonth) parts[1];
  term->day = (GDateDay) parts[2];

  g_date_clear (&next, 1);
  g_date_set_dmy (&next, term->day, term->month, term->year);
  g_date_add_days (&next, 1);
  /* Midnight that a daylight saving change skips becomes the first hour of that day. */
  start = g_date_time_new (parser->tz, term->year, term->month, term->day, 0, 0, 0);
  end = g_date_time_new (parser->tz, g_date_get_year (&next), g_date_get_month (&next),
                         g_date_get_day (&next), 0, 0, 0);
  if (start == NULL || end == NULL)
    return invalid_date (value, error); /* Past what GDateTime holds: 9999-12-31 and on. */
  term->day_start = g_date_time_to_unix (start);
  term->day_end = g_date_time_to_unix (end);
  return TRUE;
}

/* Reads the value of @key, parser->p just after its colon; @typed is where the key starts. */
static gboolean
parse_keyed (Parser     *parser,
             const char *typed,
             Key         key,
             guint       index,
             Term       *term,
             GError    **error)
{
  gboolean quoted = FALSE;
  g_autofree char *value = NULL;

  if (at_end_of_word (parser->p))
    {
      g_autofree char *typed_key = g_strndup (typed, parser->p - typed);

      g_set_error (error, BUZON_SEARCH_QUERY_ERROR, BUZON_SEARCH_QUERY_ERROR_MISSING_VALUE,
                   /* Translators: the first %s is a search keyword as in “from:”, the
                    * second an example of its use as in “from:ana”. */
                   _("“%s” needs a value right after the colon, as in “%s”"), typed_key,
                   keys[index].example);
      return FALSE;
    }
  value = read_value (parser, &quoted, error);
  if (value == NULL)
    return FALSE;

  switch (key)
    {
    case KEY_FROM:
    case KEY_TO:
    case KEY_CC:
    case KEY_SUBJECT:
      term->kind = TERM_TEXT;
      term->field = key == KEY_FROM ? FIELD_FROM
                    : key == KEY_TO ? FIELD_TO
                    : key == KEY_CC ? FIELD_CC
                                    : FIELD_SUBJECT;
      term->text = g_steal_pointer (&value);
      term->phrase = quoted;
      return TRUE;

    case KEY_HAS:
      if (!quoted && g_ascii_strcasecmp (value, "attachment") == 0)
        {
          term->kind = TERM_HAS_ATTACHMENT;
          return TRUE;
        }
      {
        g_autofree char *term_text = g_strndup (typed, parser->p - typed);

        g_set_error (error, BUZON_SEARCH_QUERY_ERROR, BUZON_SEARCH_QUERY_ERROR_UNKNOWN_VALUE,
                     /* Translators: %s is what was typed, as in “has:cats”; has:attachment
                      * is a search keyword and stays as it is. */
                     _("Unknown search term “%s”: the only one of its kind is has:attachment"),
                     term_text);
      }
      return FALSE;

    case KEY_IS:
      for (guint i = 0; i < G_N_ELEMENTS (flag_values) && !quoted; i++)
        if (g_ascii_strcasecmp (value, flag_values[i].name) == 0)
          {
            term->kind = TERM_FLAG;
            term->flag = flag_values[i].flag;
            term->flag_set = flag_values[i].set;
            return TRUE;
          }
      {
        g_autofree char *term_text = g_strndup (typed, parser->p - typed);

        g_set_error (error, BUZON_SEARCH_QUERY_ERROR, BUZON_SEARCH_QUERY_ERROR_UNKNOWN_VALUE,
                     /* Translators: %s is what was typed, as in “is:sleepy”; the is: terms
                      * are search keywords and stay as they are. */
                     _("Unknown search term “%s”: use is:unread, is:read, is:flagged or "
                       "is:answered"),
                     term_text);
      }
      return FALSE;

    case KEY_BEFORE:
    case KEY_AFTER:
    case KEY_ON:
      term->kind = key == KEY_BEFORE ? TERM_BEFORE : key == KEY_AFTER ? TERM_AFTER : TERM_ON;
      return parse_date (parser, value, term, error);

    case KEY_NONE:
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

/* Reads one term. Returns FALSE on an error; sets *term to NULL for a term with nothing to
 * search for. */
static gboolean
parse_term (Parser  *parser,
            Term   **out,
            GError **error)
{
  Term *term = g_new0 (Term, 1);
  const char *typed;
  Key key;
  guint index = 0;

  *out = NULL;
  if (*parser->p == '-' && !at_end_of_word (parser->p + 1))
    {
      term->negated = TRUE;
      parser->p++;
    }

  typed = parser->p;
  if (is_quote (parser->p))
    {
      term->kind = TERM_TEXT;
      term->field = FIELD_ANY;
      term->phrase = TRUE;
      term->text = read_quoted (parser, error);
      if (term->text == NULL)
        {
          term_free (term);
          return FALSE;
        }
    }
  else if ((key = read_key (parser, &index)) != KEY_NONE)
    {
      if (!parse_keyed (parser, typed, key, index, term, error))
        {
          term_free (term);
          return FALSE;
        }
    }
  else
    {
      term->kind = TERM_TEXT;
      term->field = FIELD_ANY;
      term->text = read_word (parser);
    }

  if (term->kind == TERM_TEXT && !has_word_characters (term->text))
    term_free (term);
  else
    *out = term;
  return TRUE;
}

static gboolean
misplaced_or (GError **error)
{
  g_set_error (error, BUZON_SEARCH_QUERY_ERROR, BUZON_SEARCH_QUERY_ERROR_MISPLACED_OR, "%s",
               /* Translators: OR is the search operator and stays as it is. */
               _("“OR” needs a search term on each side; to search for the word, "
                 "put it in quotes: \"OR\""));
  return FALSE;
}

static gboolean
parse (Parser           *parser,
       BuzonSearchQuery *query,
       GError          **error)
{
  Clause *clause = NULL; /* The last clause, owned by @query. */
  gboolean seen_term = FALSE;
  gboolean after_or = FALSE;

  for (;;)
    {
      Term *term = NULL;

      while (is_space (parser->p))
        parser->p = g_utf8_next_char (parser->p);
      if (*parser->p == '\0')
        break;

      if (strncmp (parser->p, "OR", 2) == 0 && at_end_of_word (parser->p + 2))
        {
          if (!seen_term || after_or)
            return misplaced_or (error);
          after_or = TRUE;
          parser->p += 2;
          continue;
        }

      if (!parse_term (parser, &term, error))
        return FALSE;
      /* A term with nothing to search for still stands on its side of an OR, so that
       * "a OR *" is "a", not an error. */
      if (!after_or || clause == NULL)
        {
          clause = clause_new ();
          g_ptr_array_add (query->clauses, clause);
        }
      if (term != NULL)
        g_ptr_array_add (clause->terms, term);
      seen_term = TRUE;
      after_or = FALSE;
    }
  if (after_or)
    return misplaced_or (error);

  /* Clauses of dropped terms only. */
  for (guint i = query->clauses->len; i > 0; i--)
    if (((Clause *) query->clauses->pdata[i - 1])->terms->len == 0)
      g_ptr_array_remove_index (query->clauses, i - 1);
  return TRUE;
}

/**
 * buzon_search_query_parse:
 * @text: what the user typed, in UTF-8
 * @tz: (nullable): the time zone the dates are days in; %NULL for the local one
 *
 * Parses @text in the language described in search-query.h. Text with no terms gives an empty
 * query (buzon_search_query_is_empty()), which matches everything.
 *
 * Returns: (transfer full): the query, or %NULL with @error set in %BUZON_SEARCH_QUERY_ERROR,
 *   its message fit to show next to the search box
 */
BuzonSearchQuery *
buzon_search_query_parse (const char *text,
                          GTimeZone  *tz,
                          GError    **error)
{
  g_autoptr (BuzonSearchQuery) query = NULL;
  g_autoptr (GTimeZone) local = NULL;
  Parser parser = { text, tz };

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, BUZON_SEARCH_QUERY_ERROR, BUZON_SEARCH_QUERY_ERROR_INVALID_TEXT, "%s",
                   _("The search text is not valid UTF-8"));
      return NULL;
    }
  if (parser.tz == NULL)
    parser.tz = local = g_time_zone_new_local ();

  query = g_new0 (BuzonSearchQuery, 1);
  query->clauses = g_ptr_array_new_with_free_func ((GDestroyNotify) clause_free);
  if (!parse (&parser, query, error))
    return NULL;
  return g_steal_pointer (&query);
}

void
buzon_search_query_free (BuzonSearchQuery *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->clauses);
  g_free (self);
}

/**
 * buzon_search_query_is_empty:
 *
 * Returns: whether the query has no terms: the search box was empty, or held only spaces and
 *   punctuation. An empty query matches every message.
 */
gboolean
buzon_search_query_is_empty (const BuzonSearchQuery *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  return self->clauses->len == 0;
}

static void
append_quoted (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (*p == '\\' || is_quote (p))
        g_string_append_c (out, '\\');
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  g_string_append_c (out, '"');
}

static void
append_term (GString    *out,
             const Term *term)
{
  static const char *const field_keys[] = { "", "from:", "to:", "cc:", "subject:" };

  if (term->negated)
    g_string_append_c (out, '-');
  switch (term->kind)
    {
    case TERM_TEXT:
      g_string_append (out, field_keys[term->field]);
      if (term->phrase)
        append_quoted (out, term->text);
      else
        g_string_append (out, term->text);
      break;
    case TERM_HAS_ATTACHMENT:
      g_string_append (out, "has:attachment");
      break;
    case TERM_FLAG:
      for (guint i = 0; i < G_N_ELEMENTS (flag_values); i++)
        if (flag_values[i].flag == term->flag && flag_values[i].set == term->flag_set)
          g_string_append_printf (out, "is:%s", flag_values[i].name);
      break;
    case TERM_BEFORE:
    case TERM_AFTER:
    case TERM_ON:
      g_string_append_printf (out, "%s:%04u-%02u-%02u",
                              term->kind == TERM_BEFORE  ? "before"
                              : term->kind == TERM_AFTER ? "after"
                                                         : "on",
                              term->year, term->month, term->day);
      break;
    default:
      g_assert_not_reached ();
    }
}

/**
 * buzon_search_query_to_string:
 *
 * Writes the query back in its own language, in one canonical form: keywords in lower case,
 * one space between terms, dates in full, quotes only around phrases, dropped words left out.
 * Parsing the result gives the same query.
 *
 * Returns: (transfer full): the text; "" for an empty query
 */
char *
buzon_search_query_to_string (const BuzonSearchQuery *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->clauses->len; i++)
    {
      const Clause *clause = self->clauses->pdata[i];

      if (i > 0)
        g_string_append_c (out, ' ');
      for (guint j = 0; j < clause->terms->len; j++)
        {
          if (j > 0)
            g_string_append (out, " OR ");
          append_term (out, clause->terms->pdata[j]);
        }
    }
  return g_string_free (out, FALSE);
}
