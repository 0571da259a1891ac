// BuzonSearchQuery's parsed form, shared by the parser and the SQL and IMAP writers.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "search-query.h"

G_BEGIN_DECLS

typedef enum
{
  TERM_TEXT,
  TERM_HAS_ATTACHMENT,
  TERM_FLAG,
  TERM_BEFORE,
  TERM_AFTER,
  TERM_ON,
} TermKind;

/* Where a TERM_TEXT looks. */
typedef enum
{
  FIELD_ANY, /* Subject, sender, recipients and body. */
  FIELD_FROM,
  FIELD_TO, /* To, Cc and Bcc. */
  FIELD_CC,
  FIELD_SUBJECT,
} TermField;

/* The flag bits of message.flags, as the store writes them. */
enum
{
  MESSAGE_FLAG_SEEN = 1 << 0,
  MESSAGE_FLAG_ANSWERED = 1 << 1,
  MESSAGE_FLAG_FLAGGED = 1 << 2,
};

typedef struct
{
  TermKind kind;
  gboolean negated;

  /* TERM_TEXT. A word matches the words that start with it; a phrase only whole words. */
  TermField field;
  char *text;
  gboolean phrase;

  /* TERM_FLAG: the term holds when (flags & flag) != 0 equals flag_set (is:read: SEEN, TRUE;
   * is:unread: SEEN, FALSE). */
  guint flag;
  gboolean flag_set;

  /* TERM_BEFORE, TERM_AFTER, TERM_ON: the day, and when it starts and ends in the parser's
   * time zone, in Unix seconds (day_end is the start of the next day). */
  GDateYear year;
  GDateMonth month;
  GDateDay day;
  gint64 day_start;
  gint64 day_end;
} Term;

/* The terms of a clause are OR-ed; the clauses of a query are AND-ed. */
typedef struct
{
  GPtrArray *terms; /* Term, owned. */
} Clause;

struct _BuzonSearchQuery
{
  GPtrArray *clauses; /* Clause, owned. */
};

G_END_DECLS
