// A mailbox as LIST and STATUS describe it: its name (shown and raw), its
// attributes, what it is for (SPECIAL-USE, RFC 6154) and its counters.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

#include "imap-response.h"

G_BEGIN_DECLS

/* The LIST attributes (RFC 3501, RFC 3348, RFC 5258). */
typedef enum
{
  BUZON_IMAP_MAILBOX_NOSELECT = 1 << 0, /* Also set for \NonExistent, which implies it. */
  BUZON_IMAP_MAILBOX_NOINFERIORS = 1 << 1,
  BUZON_IMAP_MAILBOX_HAS_CHILDREN = 1 << 2,
  BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN = 1 << 3,
  BUZON_IMAP_MAILBOX_MARKED = 1 << 4,
  BUZON_IMAP_MAILBOX_UNMARKED = 1 << 5,
  BUZON_IMAP_MAILBOX_SUBSCRIBED = 1 << 6,
  BUZON_IMAP_MAILBOX_NONEXISTENT = 1 << 7,
  BUZON_IMAP_MAILBOX_REMOTE = 1 << 8,
} BuzonImapMailboxFlags;

typedef enum
{
  BUZON_IMAP_SPECIAL_USE_NONE,
  BUZON_IMAP_SPECIAL_USE_ALL,
  BUZON_IMAP_SPECIAL_USE_ARCHIVE,
  BUZON_IMAP_SPECIAL_USE_DRAFTS,
  BUZON_IMAP_SPECIAL_USE_FLAGGED,
  BUZON_IMAP_SPECIAL_USE_JUNK,
  BUZON_IMAP_SPECIAL_USE_SENT,
  BUZON_IMAP_SPECIAL_USE_TRASH,
  BUZON_IMAP_SPECIAL_USE_IMPORTANT, /* RFC 8457. */
} BuzonImapSpecialUse;

/* Which counters of a BuzonImapMailboxStatus the server sent. */
typedef enum
{
  BUZON_IMAP_MAILBOX_STATUS_MESSAGES = 1 << 0,
  BUZON_IMAP_MAILBOX_STATUS_UNSEEN = 1 << 1,
  BUZON_IMAP_MAILBOX_STATUS_UIDNEXT = 1 << 2,
  BUZON_IMAP_MAILBOX_STATUS_UIDVALIDITY = 1 << 3,
  BUZON_IMAP_MAILBOX_STATUS_HIGHESTMODSEQ = 1 << 4,
} BuzonImapMailboxStatusItems;

typedef struct
{
  BuzonImapMailboxStatusItems present;
  guint32 messages;
  guint32 unseen;
  guint32 uidnext;
  guint32 uidvalidity;
  guint64 highestmodseq;
} BuzonImapMailboxStatus;

typedef struct
{
  char *name;      /* Valid UTF-8, for people; INBOX is always "INBOX". */
  char *raw_name;  /* As the server sent it: what commands must send back. */
  gunichar delimiter;           /* The hierarchy delimiter, or 0 for NIL (a flat name). */
  BuzonImapMailboxFlags flags;
  BuzonImapSpecialUse special_use;
  gboolean special_use_guessed; /* From the name alone: no attribute said so. */
  BuzonImapMailboxStatus *status; /* From LIST-STATUS, or NULL. */
} BuzonImapMailbox;

BuzonImapMailbox       *buzon_imap_mailbox_new_from_list    (const BuzonImapResponse *response,
                                                             gboolean                 utf8,
                                                             GError                 **error);
void                    buzon_imap_mailbox_free             (BuzonImapMailbox        *self);
void                    buzon_imap_mailbox_guess_special_use (GPtrArray              *mailboxes);

BuzonImapMailboxStatus *buzon_imap_mailbox_status_new_from_values (const BuzonImapValue *items);
void                    buzon_imap_mailbox_status_free      (BuzonImapMailboxStatus  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapMailbox, buzon_imap_mailbox_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapMailboxStatus, buzon_imap_mailbox_status_free)

G_END_DECLS
