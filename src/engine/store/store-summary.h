// BuzonStoreSummary: a message's row in the cache, decoded from what FETCH
// returned — RFC 2047 words, address lists, threading headers, flags.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "imap/imap-fetch.h"

G_BEGIN_DECLS

/* The system flags, as the store keeps them. */
typedef enum
{
  BUZON_STORE_FLAG_SEEN = 1 << 0,
  BUZON_STORE_FLAG_ANSWERED = 1 << 1,
  BUZON_STORE_FLAG_FLAGGED = 1 << 2,
  BUZON_STORE_FLAG_DELETED = 1 << 3,
  BUZON_STORE_FLAG_DRAFT = 1 << 4,
} BuzonStoreFlags;

typedef struct
{
  guint32 uid;
  guint64 modseq;
  BuzonStoreFlags flags;
  char *keywords;         /* Other flags, space separated, or NULL. */
  gint64 internaldate;
  gint64 date;            /* The Date header, else INTERNALDATE. */
  guint64 size;
  char *subject;          /* Decoded. */
  char *sender_name;      /* The first From, decoded; NULL when it has no name. */
  char *sender_address;
  char *from_list;        /* Decoded, RFC 5322 form: "Ana <ana@example.org>, …". */
  char *to_list;
  char *cc_list;
  char *bcc_list;
  char *reply_to;
  char *message_id;       /* Without angle brackets. */
  char *in_reply_to;      /* The first ID In-Reply-To names. */
  GStrv references;       /* The IDs References names, oldest first; never NULL. */
  char *list_id;
  gboolean has_attachment;
  char *preview;
  char *thread_subject;   /* Without Re:/Fwd:/[list] prefixes, case-folded. */
  gboolean is_reply;      /* The subject had a reply prefix. */
} BuzonStoreSummary;

BuzonStoreSummary *buzon_store_summary_new_from_fetch (const BuzonImapFetch *fetch);
void               buzon_store_summary_free           (BuzonStoreSummary    *self);

BuzonStoreFlags    buzon_store_flags_from_imap        (const char * const   *flags,
                                                       char                **keywords);
char             **buzon_store_flags_to_imap          (BuzonStoreFlags       flags,
                                                       const char           *keywords);
char              *buzon_store_thread_subject         (const char           *subject,
                                                       gboolean             *is_reply);
GStrv              buzon_store_parse_message_ids      (const char           *text);
gboolean           buzon_store_parse_date             (const char           *text,
                                                       gint64               *unix_time);
char              *buzon_store_decode_header_text     (const char           *raw);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonStoreSummary, buzon_store_summary_free)

G_END_DECLS
