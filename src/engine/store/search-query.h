// What a user types into the search box, parsed, and turned into SQL for the local store and
// into IMAP SEARCH criteria for the server. Pure: no I/O.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The language, close to what webmail users already know:
//
//   hola mundo            free words, all of them (AND); each also matches longer words that
//                         start with it (“caf” finds “café”), as one expects while typing
//   "hola mundo"          a phrase: these words, in this order, whole
//   from:ana              the sender (name or address)
//   to:ana                any recipient: To, Cc or Bcc
//   cc:ana                Cc on the server; any recipient in the local index, which keeps the
//                         recipients together
//   subject:factura       the subject
//   from:"Ana María"      any field takes a phrase too
//   has:attachment        messages with an attachment
//   is:unread is:read     the \Seen flag
//   is:flagged            the \Flagged flag
//   is:answered           the \Answered flag
//   before:2026-11-01     sent before that day (that day excluded)
//   after:2026-11-01      sent after that day (that day excluded)
//   on:2026-11-01         sent on that day
//   -from:bob             a leading minus negates any term, phrases and free words included
//   from:ana OR from:bob  either term; “OR”, in capitals, joins the terms on either side, and
//                         binds tighter than the AND between terms: a OR b c = (a OR b) AND c
//
// Keywords and flag names are case-insensitive (FROM:Ana, Is:Unread); OR is not, so that the
// English word “or” stays a word. A word whose key is not one of the above (“foo:bar”, “10:30”,
// “https://…”) is a free word. Inside quotes, \" is a quotation mark and \\ a backslash; “…”
// work as quotes too. Words with nothing searchable in them (“*”, “-”, “);”) are dropped, as
// the index would drop them.
//
// Text matching is by word, case- and accent-insensitive for the Latin script (“cafe” finds
// “Café”, “nandu” finds “Ñandú”): the FTS5 table's `unicode61 remove_diacritics 2` tokenizer
// folds the indexed text and the query alike. It does not fold Greek accents (“καλημερα” does
// not find “Καλημέρα”, though “ΚΑΛΗΜΈΡΑ” does), and it takes a run of Chinese or Japanese
// characters as one word, so there only the start of such a run is found.
//
// Dates are days in the time zone given to the parser. Locally they compare with the Date
// header (message.date); on the server the SENT* keys do the same, rather than the BEFORE/SINCE/
// ON keys that compare with the INTERNALDATE: that is the date a message was appended, which
// for migrated or imported mail is the migration day, and the two answers would disagree.

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BUZON_SEARCH_QUERY_ERROR (buzon_search_query_error_quark ())

typedef enum
{
  BUZON_SEARCH_QUERY_ERROR_INVALID_TEXT,   /* The text is not UTF-8. */
  BUZON_SEARCH_QUERY_ERROR_UNCLOSED_QUOTE, /* "hola mundo */
  BUZON_SEARCH_QUERY_ERROR_MISSING_VALUE,  /* from: with nothing after the colon. */
  BUZON_SEARCH_QUERY_ERROR_UNKNOWN_VALUE,  /* is:sleepy, has:cats */
  BUZON_SEARCH_QUERY_ERROR_INVALID_DATE,   /* before:yesterday, on:2026-02-30 */
  BUZON_SEARCH_QUERY_ERROR_MISPLACED_OR,   /* OR at either end, or twice in a row. */
} BuzonSearchQueryError;

typedef struct _BuzonSearchQuery BuzonSearchQuery;

GQuark            buzon_search_query_error_quark (void);

BuzonSearchQuery *buzon_search_query_parse       (const char              *text,
                                                  GTimeZone               *tz,
                                                  GError                 **error);
void              buzon_search_query_free        (BuzonSearchQuery        *self);
gboolean          buzon_search_query_is_empty    (const BuzonSearchQuery  *self);
char             *buzon_search_query_to_string   (const BuzonSearchQuery  *self);
char             *buzon_search_query_to_sql      (const BuzonSearchQuery  *self,
                                                  GPtrArray               *params);
char             *buzon_search_query_to_imap     (const BuzonSearchQuery  *self,
                                                  GPtrArray               *strings);
const char       *buzon_search_query_sql_index   (const BuzonSearchQuery  *self,
                                                  gboolean                 in_folder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonSearchQuery, buzon_search_query_free)

G_END_DECLS
