// libFuzzer target for BuzonSearchQuery. Beyond "no crash, no leak, no undefined behaviour":
// the canonical form parses back to itself; the SQL and the IMAP criteria hold no user text
// and one placeholder per value; and SQLite runs the SQL, FTS5 MATCH included, without a
// syntax error, whatever was typed.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "store/search-query.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static sqlite3 *db;
static GTimeZone *utc;

static void
set_up (void)
{
  const char *schema =
    "CREATE TABLE message (id INTEGER PRIMARY KEY, folder_id INTEGER, uid INTEGER, "
    "flags INTEGER, date INTEGER, has_attachment INTEGER);"
    "CREATE VIRTUAL TABLE message_fts USING fts5(subject, sender, recipients, body, "
    "tokenize = 'unicode61 remove_diacritics 2');"
    "INSERT INTO message VALUES (1, 1, 1, 1, 1793000000, 1);"
    "INSERT INTO message_fts (rowid, subject, sender, recipients, body) VALUES "
    "(1, 'Café con leche', 'Ana María <ana@example.es>', 'bob@example.org', 'El ñandú');";

  utc = g_time_zone_new_utc ();
  if (sqlite3_open (":memory:", &db) != SQLITE_OK
      || sqlite3_exec (db, schema, NULL, NULL, NULL) != SQLITE_OK)
    g_error ("cannot set up the store: %s", sqlite3_errmsg (db));
}

static guint
count_char (const char *text,
            char        c)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    n += *p == c;
  return n;
}

static void
check_sql (const BuzonSearchQuery *query)
{
  GPtrArray *params = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  char *where = buzon_search_query_to_sql (query, params);
  char *sql = g_strconcat ("SELECT m.id FROM message m WHERE ", where, NULL);
  sqlite3_stmt *statement = NULL;
  int rc;

  g_assert_null (strchr (where, '\''));
  g_assert_null (strchr (where, '"'));
  g_assert_cmpuint (count_char (where, '?'), ==, params->len);
  if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  for (guint i = 0; i < params->len; i++)
    {
      GVariant *value = params->pdata[i];

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        sqlite3_bind_text (statement, (int) i + 1, g_variant_get_string (value, NULL), -1,
                           SQLITE_STATIC);
      else
        sqlite3_bind_int64 (statement, (int) i + 1, g_variant_get_int64 (value));
    }
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_finalize (statement);
  g_free (sql);
  g_free (where);
  g_ptr_array_unref (params);
}

static void
check_imap (const BuzonSearchQuery *query)
{
  GPtrArray *strings = g_ptr_array_new_with_free_func (g_free);
  char *criteria = buzon_search_query_to_imap (query, strings);
  char **words = g_strsplit (criteria, " ", -1);
  guint placeholders = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_assert_cmpstr (words[i], !=, "");
      placeholders += g_str_equal (words[i], "?");
      for (const char *p = words[i]; *p != '\0'; p++)
        g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '?');
    }
  g_assert_cmpuint (placeholders, ==, strings->len);
  for (guint i = 0; i < strings->len; i++)
    g_assert_true (g_utf8_validate (strings->pdata[i], -1, NULL));
  g_strfreev (words);
  g_free (criteria);
  g_ptr_array_unref (strings);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  char *text = g_strndup ((const char *) data, size);
  GError *error = NULL;
  BuzonSearchQuery *query;

  if (db == NULL)
    set_up ();

  query = buzon_search_query_parse (text, utc, &error);
  if (query == NULL)
    {
      g_assert_true (error != NULL && error->domain == BUZON_SEARCH_QUERY_ERROR);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_error_free (error);
    }
  else
    {
      char *canonical = buzon_search_query_to_string (query);
      BuzonSearchQuery *again = buzon_search_query_parse (canonical, utc, &error);
      char *canonical_again;

      g_assert_no_error (error);
      canonical_again = buzon_search_query_to_string (again);
      g_assert_cmpstr (canonical_again, ==, canonical);
      g_assert_true (buzon_search_query_is_empty (query) == (canonical[0] == '\0'));

      check_sql (query);
      check_imap (query);

      g_free (canonical_again);
      g_free (canonical);
      buzon_search_query_free (again);
      buzon_search_query_free (query);
    }
  g_free (text);
  return 0;
}
