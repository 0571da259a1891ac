// BuzonSearchQuery: the language as parsed, its errors, the IMAP criteria it writes, and above
// all which messages its SQL finds in an SQLite store with the real FTS5 index.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <sqlite3.h>
#include <string.h>

#include "store/search-query.h"

/* Parsing: what each input means, written back in the canonical form. */

typedef struct
{
  const char *text;
  const char *canonical;
} Canonical;

static const Canonical canonicals[] = {
  { "hola mundo", "hola mundo" },
  { "  FROM:Ana\t  Is:UNREAD \n", "from:Ana is:unread" },
  { "\"hola mundo\"", "\"hola mundo\"" },
  { "“hola mundo”", "\"hola mundo\"" },
  { "from:\"Ana María\" TO:bob cc:carol Subject:\"re: hola\"",
    "from:\"Ana María\" to:bob cc:carol subject:\"re: hola\"" },
  { "-from:bob -\"x y\" -cafe --raro", "-from:bob -\"x y\" -cafe --raro" },
  { "has:Attachment is:read is:FLAGGED is:answered",
    "has:attachment is:read is:flagged is:answered" },
  { "-has:attachment -is:unread", "-has:attachment -is:unread" },
  { "before:2026-1-5 AFTER:2025-12-31 on:2026-02-28",
    "before:2026-01-05 after:2025-12-31 on:2026-02-28" },
  { "a OR b OR c d", "a OR b OR c d" },
  { "from:ana OR -is:read", "from:ana OR -is:read" },
  /* Lower-case "or" is the English word; a quoted OR is the word too. */
  { "black or white", "black or white" },
  { "\"OR\" -OR", "\"OR\" -OR" },
  /* Keys it does not know are words. */
  { "foo:bar 10:30 https://example.org/a?b=c", "foo:bar 10:30 https://example.org/a?b=c" },
  /* Words with nothing searchable are dropped, on either side of an OR too. */
  { "* - ' ); --", "" },
  { "a OR *", "a" },
  { "* OR a", "a" },
  { "\"\" ok", "ok" },
  /* Quotation marks inside words and escaped inside quotes. */
  { "pizza\" 5\"", "pizza\" 5\"" },
  { "\"say \\\"hi\\\" \\\\o/\"", "\"say \\\"hi\\\" \\\\o/\"" },
  { "subject:“el \\” raro”", "subject:\"el \\” raro\"" },
  /* A quoted text ends the term at its closing quote. */
  { "\"hola\"mundo", "\"hola\" mundo" },
  { "NEAR( );DROP", "NEAR( );DROP" },
};

static void
test_parse_canonical (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (canonicals); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr (BuzonSearchQuery) query = NULL;
      g_autoptr (BuzonSearchQuery) again = NULL;
      g_autofree char *text = NULL;
      g_autofree char *text_again = NULL;

      g_test_message ("%s", canonicals[i].text);
      query = buzon_search_query_parse (canonicals[i].text, utc, &error);
      g_assert_no_error (error);
      text = buzon_search_query_to_string (query);
      g_assert_cmpstr (text, ==, canonicals[i].canonical);
      g_assert_true (buzon_search_query_is_empty (query) == (text[0] == '\0'));

      /* The canonical form means the same. */
      again = buzon_search_query_parse (text, utc, &error);
      g_assert_no_error (error);
      text_again = buzon_search_query_to_string (again);
      g_assert_cmpstr (text_again, ==, text);
    }
}

static void
test_parse_empty (void)
{
  const char *const empties[] = { "", "   ", "\t\n", "*", "\"\"" };

  for (guint i = 0; i < G_N_ELEMENTS (empties); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonSearchQuery) query = buzon_search_query_parse (empties[i], NULL, &error);
      g_autoptr (GPtrArray) params = g_ptr_array_new_with_free_func (
        (GDestroyNotify) g_variant_unref);
      g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *sql = NULL;
      g_autofree char *imap = NULL;

      g_assert_no_error (error);
      g_assert_true (buzon_search_query_is_empty (query));
      sql = buzon_search_query_to_sql (query, params);
      imap = buzon_search_query_to_imap (query, strings);
      g_assert_cmpstr (sql, ==, "1");
      g_assert_cmpuint (params->len, ==, 0);
      g_assert_cmpstr (imap, ==, "ALL");
      g_assert_cmpuint (strings->len, ==, 0);
    }
}

typedef struct
{
  const char *text;
  BuzonSearchQueryError code;
  const char *shown; /* What the message must quote, to point at the problem. */
} Bad;

static const Bad bads[] = {
  { "\"hola mundo", BUZON_SEARCH_QUERY_ERROR_UNCLOSED_QUOTE, "“\"hola mundo”" },
  { "cafe from:\"Ana María", BUZON_SEARCH_QUERY_ERROR_UNCLOSED_QUOTE, "“\"Ana María”" },
  { "“sin cerrar", BUZON_SEARCH_QUERY_ERROR_UNCLOSED_QUOTE, "“sin cerrar" },
  { "\"una cita que no se cierra nunca jamás", BUZON_SEARCH_QUERY_ERROR_UNCLOSED_QUOTE,
    "“\"una cita que no se cie…”" },
  { "\"escaped \\\"", BUZON_SEARCH_QUERY_ERROR_UNCLOSED_QUOTE, "\"escaped" },
  { "from:", BUZON_SEARCH_QUERY_ERROR_MISSING_VALUE, "“from:”" },
  { "FROM: ana", BUZON_SEARCH_QUERY_ERROR_MISSING_VALUE, "“FROM:”" },
  { "cafe before:", BUZON_SEARCH_QUERY_ERROR_MISSING_VALUE, "“before:”" },
  { "is:sleepy", BUZON_SEARCH_QUERY_ERROR_UNKNOWN_VALUE, "“is:sleepy”" },
  { "is:\"unread\"", BUZON_SEARCH_QUERY_ERROR_UNKNOWN_VALUE, "“is:\"unread\"”" },
  { "HAS:cats", BUZON_SEARCH_QUERY_ERROR_UNKNOWN_VALUE, "“HAS:cats”" },
  { "before:yesterday", BUZON_SEARCH_QUERY_ERROR_INVALID_DATE, "“yesterday”" },
  { "on:2026-02-30", BUZON_SEARCH_QUERY_ERROR_INVALID_DATE, "“2026-02-30”" },
  { "after:26-01-01", BUZON_SEARCH_QUERY_ERROR_INVALID_DATE, "“26-01-01”" },
  { "after:2026-001-01", BUZON_SEARCH_QUERY_ERROR_INVALID_DATE, "“2026-001-01”" },
  { "after:2026-01-01-", BUZON_SEARCH_QUERY_ERROR_INVALID_DATE, "“2026-01-01-”" },
  { "after:2026/01/01", BUZON_SEARCH_QUERY_ERROR_INVALID_DATE, "“2026/01/01”" },
  { "on:0000-01-01", BUZON_SEARCH_QUERY_ERROR_INVALID_DATE, "“0000-01-01”" },
  { "on:9999-12-31", BUZON_SEARCH_QUERY_ERROR_INVALID_DATE, "“9999-12-31”" },
  { "OR", BUZON_SEARCH_QUERY_ERROR_MISPLACED_OR, "“OR”" },
  { "OR cafe", BUZON_SEARCH_QUERY_ERROR_MISPLACED_OR, "“OR”" },
  { "cafe OR", BUZON_SEARCH_QUERY_ERROR_MISPLACED_OR, "“OR”" },
  { "cafe OR OR leche", BUZON_SEARCH_QUERY_ERROR_MISPLACED_OR, "“OR”" },
  { "caf\xc3", BUZON_SEARCH_QUERY_ERROR_INVALID_TEXT, "UTF-8" },
};

static void
test_parse_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bads); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonSearchQuery) query = NULL;

      g_test_message ("%s", g_utf8_validate (bads[i].text, -1, NULL) ? bads[i].text
                                                                   : "(not UTF-8)");
      query = buzon_search_query_parse (bads[i].text, NULL, &error);
      g_assert_null (query);
      g_assert_error (error, BUZON_SEARCH_QUERY_ERROR, (int) bads[i].code);
      g_test_message ("→ %s", error->message);
      g_assert_nonnull (strstr (error->message, bads[i].shown));
    }
}

/* IMAP: the exact criteria and strings. */

typedef struct
{
  const char *text;
  const char *criteria;
  const char *strings; /* Joined by "|". */
} Imap;

static const Imap imaps[] = {
  { "cafe", "TEXT ?", "cafe" },
  { "from:ana is:unread after:2026-10-31", "FROM ? UNSEEN SENTSINCE 1-Nov-2026", "ana" },
  { "to:bob", "OR OR TO ? CC ? BCC ?", "bob|bob|bob" },
  { "cc:carol subject:\"re: hola\"", "CC ? SUBJECT ?", "carol|re: hola" },
  { "-from:bob", "NOT FROM ?", "bob" },
  { "-to:bob", "NOT OR OR TO ? CC ? BCC ?", "bob|bob|bob" },
  { "-is:read", "UNSEEN", "" },
  { "-is:unread", "SEEN", "" },
  { "is:flagged -is:answered", "FLAGGED UNANSWERED", "" },
  { "-is:flagged is:answered", "UNFLAGGED ANSWERED", "" },
  { "before:2026-11-01", "SENTBEFORE 1-Nov-2026", "" },
  { "after:2026-12-31", "SENTSINCE 1-Jan-2027", "" },
  { "after:2028-02-28", "SENTSINCE 29-Feb-2028", "" },
  { "on:2026-02-28", "SENTON 28-Feb-2026", "" },
  { "-on:2026-02-28", "NOT SENTON 28-Feb-2026", "" },
  { "a OR b", "OR TEXT ? TEXT ?", "a|b" },
  { "a OR b OR c d", "OR TEXT ? OR TEXT ? TEXT ? TEXT ?", "a|b|c|d" },
  { "from:\"Ana María\" OR to:ana", "OR FROM ? OR OR TO ? CC ? BCC ?", "Ana María|ana|ana|ana" },
  { "\"hola mundo\" -\"x y\"", "TEXT ? NOT TEXT ?", "hola mundo|x y" },
  /* No key for attachments: left out, with any OR it is part of. */
  { "has:attachment", "ALL", "" },
  { "-has:attachment", "ALL", "" },
  { "has:attachment from:ana", "FROM ?", "ana" },
  { "has:attachment OR from:ana is:unread", "UNSEEN", "" },
  { "from:ana OR -has:attachment", "ALL", "" },
  /* User text goes only into the strings. */
  { "NEAR( );DROP \"a \\\"b\\\"\" ')", "TEXT ? TEXT ? TEXT ?", "NEAR(|);DROP|a \"b\"" },
  { "* OR a", "TEXT ?", "a" },
};

static void
test_imap (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();

  for (guint i = 0; i < G_N_ELEMENTS (imaps); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonSearchQuery) query = NULL;
      g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *criteria = NULL;
      g_autofree char *joined = NULL;

      g_test_message ("%s", imaps[i].text);
      query = buzon_search_query_parse (imaps[i].text, utc, &error);
      g_assert_no_error (error);
      criteria = buzon_search_query_to_imap (query, strings);
      g_assert_cmpstr (criteria, ==, imaps[i].criteria);
      g_ptr_array_add (strings, NULL);
      joined = g_strjoinv ("|", (char **) strings->pdata);
      g_assert_cmpstr (joined, ==, imaps[i].strings);
    }
}

/* SQL: the shape, then what it finds. */

static void
test_sql_shape (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonSearchQuery) query = NULL;
  g_autoptr (GPtrArray) params = g_ptr_array_new_with_free_func (
    (GDestroyNotify) g_variant_unref);
  g_autofree char *sql = NULL;

  query = buzon_search_query_parse ("cafe is:unread from:\"Ana \\\"x\\\"\" -bob (a OR to:b)", NULL,
                                    &error);
  g_assert_no_error (error);
  sql = buzon_search_query_to_sql (query, params);
  /* The positive text terms share one FTS5 query; the rest are SQL. */
  g_assert_cmpstr (sql, ==,
                   "m.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?) AND "
                   "(m.flags & 1) = 0 AND "
                   "m.id NOT IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?)");
  g_assert_cmpuint (params->len, ==, 2);
  g_assert_cmpstr (g_variant_get_string (params->pdata[0], NULL), ==,
                   "\"cafe\"* AND sender : \"Ana \"\"x\"\"\" AND "
                   "(\"(a\"* OR recipients : \"b)\"*)");
  g_assert_cmpstr (g_variant_get_string (params->pdata[1], NULL), ==, "\"bob\"*");
}

typedef struct
{
  gint64 id;
  const char *subject;
  const char *sender;
  const char *recipients; /* To, Cc and Bcc, as the store indexes them. */
  const char *body;
  guint flags;            /* SEEN 1, ANSWERED 2, FLAGGED 4. */
  const char *date;       /* ISO 8601 */
  gboolean has_attachment;
} Message;

#define ANA "Ana María García <ana@example.es>"
#define BOB "Bob Smith <bob@example.org>"
#define CAROL "Carol White <carol@example.net>"
#define JOSE "José Luis Ortega <jl@example.es>"

static const Message messages[] = {
  { 1, "Café con leche mañana", ANA, BOB, "¿Quedamos en el café de la esquina a las 10:30?", 1,
    "2026-11-02T09:00:00Z", FALSE },
  { 2, "Re: Café con leche mañana", BOB, ANA " " CAROL, "Sure, see you at the cafe.", 1 | 2,
    "2026-11-02T10:15:00Z", FALSE },
  { 3, "Factura noviembre", "Facturación Luz <facturas@luz.example.es>", ANA,
    "Adjuntamos su factura del mes de noviembre. Importe: 42,50 €", 0, "2026-11-05T08:00:00Z",
    TRUE },
  { 4, "El ñandú del zoológico", "Nicolás Pérez <nico@example.com.ar>", ANA,
    "Fotos del Ñandú en el zoológico de Buenos Aires.", 4, "2026-11-10T18:30:00Z", TRUE },
  { 5, "Quarterly report", CAROL, BOB " " ANA,
    "Please find the quarterly report attached. Revenue grew 12%.", 1 | 4,
    "2026-10-31T23:30:00Z", TRUE },
  { 6, "Καλημέρα από την Αθήνα", "Νίκος Παπαδόπουλος <nikos@example.gr>", ANA,
    "Γεια σου Άννα! Τα λέμε στην Αθήνα.", 1, "2026-09-15T07:00:00Z", FALSE },
  { 7, "東京での会議について", "田中太郎 <tanaka@example.jp>", BOB,
    "明日の会議は十時からです。 Tokyo office", 0, "2026-11-20T01:00:00Z", FALSE },
  { 8, "Lunch?", BOB, CAROL " " ANA, "Pizza or sushi? Let me know.", 1, "2026-11-12T12:00:00Z",
    FALSE },
  { 9, "Presupuesto \"final\" (v2)", JOSE, ANA,
    "Te paso el presupuesto final; revisa la sección 3.", 1, "2026-11-15T16:00:00Z", TRUE },
  { 10, "NEAR(meeting) * notes", CAROL, BOB,
    "Notes with odd characters: NEAR( * ^ ' ); DROP TABLE message; --", 0,
    "2026-11-16T08:00:00Z", FALSE },
  { 11, "Oregon OR Washington", "Dave Jones <dave@example.com>", BOB, "Trip planning for Oregon.",
    1, "2026-08-01T12:00:00Z", FALSE },
  { 12, "Bienvenida", "Equipo Buzón <hola@buzon.example>", ANA,
    "Bienvenida a Buzón, tu nuevo cliente de correo.", 0, "2026-01-01T00:00:00Z", FALSE },
  { 13, "Re: Presupuesto", ANA, JOSE, "Perfecto, gracias José.", 1 | 2, "2026-11-16T09:00:00Z",
    FALSE },
  { 14, "Straße und Café", "Jürgen Müller <juergen@example.de>", ANA,
    "Wir treffen uns im Café an der Straße.", 1, "2026-11-03T15:00:00Z", FALSE },
  { 15, "Invoice #4521", "billing@shop.example.com", BOB,
    "Your invoice is attached. Thank you for your order!", 0, "2026-11-25T10:00:00Z", TRUE },
};

static sqlite3 *
open_store (void)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL;
  sqlite3_stmt *insert_fts = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE message (id INTEGER PRIMARY KEY, "
                                 "folder_id INTEGER, uid INTEGER, flags INTEGER, date INTEGER, "
                                 "has_attachment INTEGER);"
                                 "CREATE VIRTUAL TABLE message_fts USING fts5(subject, sender, "
                                 "recipients, body, tokenize = 'unicode61 remove_diacritics 2');"
                                 /* The store's indexes that searches walk. */
                                 "CREATE INDEX message_by_date ON message "
                                 "(folder_id, date DESC, id DESC);"
                                 "CREATE INDEX message_by_date_all ON message (date DESC, id DESC);"
                                 "CREATE INDEX message_flagged ON message (date DESC, id DESC) "
                                 "WHERE (flags & 4) != 0;",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO message (id, folder_id, uid, flags, date, "
                                       "has_attachment) VALUES (?, 1, ?, ?, ?, ?)",
                                       -1, &insert, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO message_fts (rowid, subject, sender, "
                                       "recipients, body) VALUES (?, ?, ?, ?, ?)",
                                       -1, &insert_fts, NULL),
                   ==, SQLITE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      const Message *m = &messages[i];
      g_autoptr (GDateTime) date = g_date_time_new_from_iso8601 (m->date, NULL);

      g_assert_nonnull (date);
      sqlite3_bind_int64 (insert, 1, m->id);
      sqlite3_bind_int64 (insert, 2, 100 + m->id);
      sqlite3_bind_int (insert, 3, (int) m->flags);
      sqlite3_bind_int64 (insert, 4, g_date_time_to_unix (date));
      sqlite3_bind_int (insert, 5, m->has_attachment);
      g_assert_cmpint (sqlite3_step (insert), ==, SQLITE_DONE);
      sqlite3_reset (insert);

      sqlite3_bind_int64 (insert_fts, 1, m->id);
      sqlite3_bind_text (insert_fts, 2, m->subject, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert_fts, 3, m->sender, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert_fts, 4, m->recipients, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert_fts, 5, m->body, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (insert_fts), ==, SQLITE_DONE);
      sqlite3_reset (insert_fts);
    }
  sqlite3_finalize (insert);
  sqlite3_finalize (insert_fts);
  return db;
}

/* The ids of the messages @text finds, as "1,2,14". */
static char *
search (sqlite3    *db,
        const char *text,
        GTimeZone  *tz)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonSearchQuery) query = NULL;
  g_autoptr (GPtrArray) params = g_ptr_array_new_with_free_func (
    (GDestroyNotify) g_variant_unref);
  g_autoptr (GString) ids = g_string_new (NULL);
  g_autofree char *where = NULL;
  g_autofree char *sql = NULL;
  const char *index;
  sqlite3_stmt *statement = NULL;
  int rc;

  query = buzon_search_query_parse (text, tz, &error);
  g_assert_no_error (error);
  where = buzon_search_query_to_sql (query, params);
  index = buzon_search_query_sql_index (query, FALSE);
  /* Through the index the store walks, as the store asks: SQLite refuses a
   * query that index cannot answer. */
  sql = g_strconcat ("SELECT m.id FROM message m", index != NULL ? " INDEXED BY " : "",
                     index != NULL ? index : "", " WHERE ", where, " ORDER BY m.id", NULL);
  if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_bind_parameter_count (statement), ==, (int) params->len);
  for (guint i = 0; i < params->len; i++)
    {
      GVariant *value = params->pdata[i];

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        sqlite3_bind_text (statement, (int) i + 1, g_variant_get_string (value, NULL), -1,
                           SQLITE_STATIC);
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        sqlite3_bind_int64 (statement, (int) i + 1, g_variant_get_int64 (value));
      else
        g_error ("unexpected parameter type %s", g_variant_get_type_string (value));
    }
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, ids->len > 0 ? "," : "",
                            (gint64) sqlite3_column_int64 (statement, 0));
  if (rc != SQLITE_DONE)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_finalize (statement);
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

typedef struct
{
  const char *text;
  const char *ids;
} Found;

static const Found founds[] = {
  /* Accents and case, both ways, and words found by how they start. */
  { "cafe", "1,2,14" },
  { "café", "1,2,14" },
  { "CAFÉ", "1,2,14" },
  { "caf", "1,2,14" },
  { "\"cafe\"", "1,2,14" },
  { "\"caf\"", "" },
  { "nandu", "4" },
  { "Ñandú", "4" },
  { "ÑANDU zoologico", "4" },
  { "muller jurgen", "14" },
  { "jose", "9,13" },
  { "buzon", "12" },
  /* Greek and Japanese: case folds; a Japanese run is one word, found by its start. */
  { "καλημέρα", "6" },
  { "ΚΑΛΗΜΈΡΑ", "6" },
  { "from:νίκος", "6" },
  { "αθήνα", "6" },
  { "東京", "7" },
  { "from:田中", "7" },
  { "tokyo", "7" },
  /* Phrases. */
  { "\"quarterly report\"", "5" },
  { "\"report quarterly\"", "" },
  { "\"café con leche\"", "1,2" },
  { "-\"café con leche\" cafe", "14" },
  /* Fields. */
  { "from:ana", "1,13" },
  { "from:\"Ana María\"", "1,13" },
  { "from:\"maria ana\"", "" },
  { "FROM:BOB", "2,8" },
  { "-from:bob", "1,3,4,5,6,7,9,10,11,12,13,14,15" },
  { "to:bob", "1,5,7,10,11,15" },
  { "to:ana", "2,3,4,5,6,8,9,12,14" },
  { "cc:carol", "2,8" },
  { "subject:factura", "3" },
  { "subject:re", "2,5,13" },
  { "subject:\"re: presupuesto\"", "13" },
  { "factura", "3" },
  /* Flags and attachments. */
  { "has:attachment", "3,4,5,9,15" },
  { "-has:attachment", "1,2,6,7,8,10,11,12,13,14" },
  { "is:unread", "3,4,7,10,12,15" },
  { "-is:read", "3,4,7,10,12,15" },
  { "is:read", "1,2,5,6,8,9,11,13,14" },
  { "is:flagged", "4,5" },
  { "is:answered", "2,13" },
  { "Is:Unread HAS:ATTACHMENT", "3,4,15" },
  /* OR binds tighter than the AND between terms. */
  { "is:flagged OR is:answered", "2,4,5,13" },
  { "from:bob OR from:carol", "2,5,8,10" },
  { "from:bob OR from:carol is:unread", "10" },
  { "lunch OR invoice", "8,15" },
  { "lunch OR invoice OR has:attachment -is:unread", "5,8,9" },
  { "-from:ana OR is:answered cafe", "2,14" },
  { "\"OR\"", "8,11" },
  { "oregon", "11" },
  /* Dates, in UTC here. */
  { "before:2026-11-01", "5,6,11,12" },
  { "after:2026-11-15", "7,10,13,15" },
  { "on:2026-11-02", "1,2" },
  { "on:2026-10-31", "5" },
  { "on:2026-11-01", "" },
  { "-on:2026-11-02 cafe", "14" },
  { "after:2026-11-01 before:2026-11-05", "1,2,14" },
  { "-before:2026-11-16 -after:2026-11-16", "10,13" },
  /* Keys it does not know are words. */
  { "10:30", "1" },
  { "sender:ana", "" },
  /* User text never becomes FTS5 or SQL syntax: these only look for their words. */
  { "NEAR(", "10" },
  { ");DROP", "10" },
  { "'; DROP TABLE message; --", "10" },
  { "cafe NOT leche", "" },
  { "subject : cafe", "" },
  { "^cafe", "1,2,14" },
  { "caf*", "1,2,14" },
  { "pizza\"", "8" },
  { "sushi'", "8" },
  { "\"\\\"final\\\"\"", "9" },
  { "subject:\"\\\"final\\\" (v2)\"", "9" },
  { "\"cafe\" OR \"x\" *", "1,2,14" },
  { "from:\"\\\" OR 1=1 --\"", "" },
  /* Nothing searchable: everything. */
  { "* ' );", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" },
};

/* The index a search walks: flagged mail when every match is flagged, a date index when there
 * are words, else none. */
static void
test_sql_index (void)
{
  const struct
  {
    const char *text;
    gboolean in_folder;
    const char *index;
  } cases[] = {
    { "is:flagged", FALSE, "message_flagged" },
    { "cafe is:flagged", TRUE, "message_flagged" },
    { "-is:flagged cafe", FALSE, "message_by_date_all" },
    { "-is:flagged", FALSE, NULL },
    { "is:flagged OR is:unread", FALSE, NULL },
    { "cafe", FALSE, "message_by_date_all" },
    { "from:ana is:unread", TRUE, "message_by_date" },
    { "-cafe", FALSE, NULL },
    { "is:unread has:attachment", FALSE, NULL },
    { "", FALSE, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonSearchQuery) query = buzon_search_query_parse (cases[i].text, NULL, &error);

      g_assert_no_error (error);
      g_test_message ("%s", cases[i].text);
      g_assert_cmpstr (buzon_search_query_sql_index (query, cases[i].in_folder), ==,
                       cases[i].index);
    }
}

static void
test_sql_finds (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  sqlite3 *db = open_store ();

  for (guint i = 0; i < G_N_ELEMENTS (founds); i++)
    {
      g_autofree char *ids = search (db, founds[i].text, utc);

      g_test_message ("%s → %s", founds[i].text, ids);
      g_assert_cmpstr (ids, ==, founds[i].ids);
    }

  /* The store is still whole after the injection attempts. */
  {
    g_autofree char *all = search (db, "", utc);
    g_assert_cmpstr (all, ==, "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15");
  }
  sqlite3_close (db);
}

static void
test_sql_time_zone (void)
{
  g_autoptr (GTimeZone) madrid = g_time_zone_new_offset (3600);
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autofree char *on_first_madrid = NULL;
  g_autofree char *on_first_utc = NULL;
  g_autofree char *before_madrid = NULL;
  g_autofree char *after_madrid = NULL;
  sqlite3 *db = open_store ();

  /* Message 5 was sent at 23:30 UTC on 31 October: 00:30 on 1 November an hour east. */
  on_first_madrid = search (db, "on:2026-11-01", madrid);
  on_first_utc = search (db, "on:2026-11-01", utc);
  before_madrid = search (db, "before:2026-11-01", madrid);
  after_madrid = search (db, "after:2026-10-31 before:2026-11-02", madrid);
  g_assert_cmpstr (on_first_madrid, ==, "5");
  g_assert_cmpstr (on_first_utc, ==, "");
  g_assert_cmpstr (before_madrid, ==, "6,11,12");
  g_assert_cmpstr (after_madrid, ==, "5");
  sqlite3_close (db);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/search-query/parse/canonical", test_parse_canonical);
  g_test_add_func ("/search-query/parse/empty", test_parse_empty);
  g_test_add_func ("/search-query/parse/errors", test_parse_errors);
  g_test_add_func ("/search-query/imap", test_imap);
  g_test_add_func ("/search-query/sql/shape", test_sql_shape);
  g_test_add_func ("/search-query/sql/index", test_sql_index);
  g_test_add_func ("/search-query/sql/finds", test_sql_finds);
  g_test_add_func ("/search-query/sql/time-zone", test_sql_time_zone);

  return g_test_run ();
}
