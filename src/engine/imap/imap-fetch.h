// Typed FETCH data: an untagged FETCH response decoded into its UID, flags,
// dates, envelope, body structure and body sections.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

#include "imap-response.h"

G_BEGIN_DECLS

/* Which FETCH items a response carried. */
typedef enum
{
  BUZON_IMAP_FETCH_UID = 1 << 0,
  BUZON_IMAP_FETCH_FLAGS = 1 << 1,
  BUZON_IMAP_FETCH_INTERNALDATE = 1 << 2,
  BUZON_IMAP_FETCH_RFC822_SIZE = 1 << 3,
  BUZON_IMAP_FETCH_MODSEQ = 1 << 4,
  BUZON_IMAP_FETCH_ENVELOPE = 1 << 5,
  BUZON_IMAP_FETCH_BODY = 1 << 6,          /* body came from BODY: no extension data. */
  BUZON_IMAP_FETCH_BODYSTRUCTURE = 1 << 7, /* body came from BODYSTRUCTURE. */
  BUZON_IMAP_FETCH_SECTIONS = 1 << 8,      /* At least one BODY[…], BINARY[…] or RFC822*. */
  BUZON_IMAP_FETCH_X_GM_MSGID = 1 << 9,
  BUZON_IMAP_FETCH_X_GM_THRID = 1 << 10,
  BUZON_IMAP_FETCH_X_GM_LABELS = 1 << 11,
  BUZON_IMAP_FETCH_EMAILID = 1 << 12,
  BUZON_IMAP_FETCH_THREADID = 1 << 13, /* May be present with threadid NULL (NIL). */
  BUZON_IMAP_FETCH_PREVIEW = 1 << 14,  /* May be present with preview NULL (NIL). */
} BuzonImapFetchItems;

/* Ownership: each structure below owns what it points to, except where a
 * comment says otherwise, and can be taken out of its fetch and freed with
 * its own free function. The strings of an address, an envelope, a body part
 * and a section share that structure's allocation (a first sync decodes
 * hundreds of thousands of them): they live as long as it does and go with
 * it, so copy one to keep it longer, and never free or steal one alone.
 * Lists, hash tables, GStrv, GBytes and the strings of BuzonImapFetch itself
 * are allocated on their own, as usual. */

/* One entry of an envelope address list, every field raw as sent and
 * nullable. RFC 3501 group syntax is kept as entries: a group starts with an
 * entry whose host is NULL and whose mailbox is the group's name, and ends
 * with an entry whose host and mailbox are both NULL. */
typedef struct
{
  char *name;
  char *adl;
  char *mailbox;
  char *host;
} BuzonImapAddress;

/* All strings raw as sent (the subject may be RFC 2047 encoded: decoding is
 * the store's job), nullable and part of the envelope's allocation; an
 * address list is NULL for NIL. */
typedef struct
{
  char *date;
  char *subject;
  GPtrArray *from; /* Of BuzonImapAddress, owned. */
  GPtrArray *sender;
  GPtrArray *reply_to;
  GPtrArray *to;
  GPtrArray *cc;
  GPtrArray *bcc;
  char *in_reply_to;
  char *message_id;
} BuzonImapEnvelope;

typedef struct _BuzonImapBodyPart BuzonImapBodyPart;

/* A node of a BODY or BODYSTRUCTURE tree. Type, subtype, encoding,
 * disposition and parameter names are lower case; everything else is as
 * sent. Extension data (md5 and after) is NULL when the server did not send
 * it, which BODY never does. The char * fields are part of the node's
 * allocation; the tables, the language list and the children are not. */
struct _BuzonImapBodyPart
{
  BuzonImapBodyPart *parent; /* Not owned: the multipart or message/rfc822 above. */
  guint index;               /* Position among the parent's children, from 0. */
  char *type;                /* "text", "multipart", "message", … */
  char *subtype;             /* "plain", "mixed", "rfc822", … */
  GHashTable *params;        /* Lower-case name -> value, or NULL when there are none. */
  char *id;
  char *description;
  char *encoding;            /* "base64", "7bit", …; NULL for multiparts. */
  guint64 size;              /* Octets; 0 for multiparts. */
  gint64 lines;              /* Text and message/rfc822 parts only; -1 elsewhere. */
  char *md5;
  char *disposition;         /* "attachment", "inline", … */
  GHashTable *disposition_params;
  GStrv language;
  char *location;
  GPtrArray *children;         /* Multiparts: BuzonImapBodyPart, owned; NULL otherwise. */
  BuzonImapEnvelope *envelope; /* message/rfc822 (and message/global): the embedded one. */
  BuzonImapBodyPart *body;     /* message/rfc822: the embedded message's body, owned. */
};

/* A body section: BODY[section]<origin>, BINARY[section]<origin>, or the
 * RFC822 forms, which are stored as BODY[] (RFC822), BODY[HEADER]
 * (RFC822.HEADER) and BODY[TEXT] (RFC822.TEXT). */
typedef struct
{
  gboolean binary; /* BINARY[…] (RFC 3516): the content transfer encoding is undone. */
  char *section;   /* The text inside the brackets as sent: "", "1.2", "HEADER.FIELDS (TO)";
                    * part of the section's allocation. */
  gint64 origin;   /* The <n> of a partial fetch, or -1. */
  GBytes *data;    /* May contain NUL bytes; NULL when the server sent NIL. */
} BuzonImapFetchSection;

typedef struct
{
  guint32 seq;                 /* The message sequence number. */
  BuzonImapFetchItems present; /* Which of the fields below were in the response. */
  guint32 uid;
  GStrv flags;             /* System flags and keywords as sent: "\\Seen", "$Forwarded". */
  GDateTime *internaldate;
  guint64 rfc822_size;
  guint64 modseq;
  BuzonImapEnvelope *envelope;
  BuzonImapBodyPart *body; /* From BODYSTRUCTURE or BODY, see present. */
  GPtrArray *sections;     /* Of BuzonImapFetchSection, owned; empty when none. */
  guint64 x_gm_msgid;
  guint64 x_gm_thrid;
  GStrv x_gm_labels;       /* As sent (modified UTF-7, "\\Inbox"); NULL when absent. */
  char *emailid;
  char *threadid;
  char *preview;
  GPtrArray *warnings;     /* Of char *: what was malformed and left out, in English for
                            * logs. Empty when the response was clean. */
} BuzonImapFetch;

BuzonImapFetch              *buzon_imap_fetch_decode           (const BuzonImapResponse *response,
                                                                GError                 **error);
void                         buzon_imap_fetch_free             (BuzonImapFetch          *self);
const BuzonImapFetchSection *buzon_imap_fetch_get_section      (const BuzonImapFetch    *self,
                                                                gboolean                 binary,
                                                                const char              *section);

void                         buzon_imap_fetch_section_free     (BuzonImapFetchSection   *self);

void                         buzon_imap_address_free           (BuzonImapAddress        *self);
gboolean                     buzon_imap_address_is_group_start (const BuzonImapAddress  *self);
gboolean                     buzon_imap_address_is_group_end   (const BuzonImapAddress  *self);

void                         buzon_imap_envelope_free          (BuzonImapEnvelope       *self);

void                         buzon_imap_body_part_free         (BuzonImapBodyPart       *self);
gboolean                     buzon_imap_body_part_is_multipart (const BuzonImapBodyPart *self);
char                        *buzon_imap_body_part_get_section  (const BuzonImapBodyPart *self);
const BuzonImapBodyPart     *buzon_imap_body_part_find         (const BuzonImapBodyPart *self,
                                                                const char              *section);
const char                  *buzon_imap_body_part_get_param    (const BuzonImapBodyPart *self,
                                                                const char              *name);
const char *buzon_imap_body_part_get_disposition_param         (const BuzonImapBodyPart *self,
                                                                const char              *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapFetch, buzon_imap_fetch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapFetchSection, buzon_imap_fetch_section_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapAddress, buzon_imap_address_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapEnvelope, buzon_imap_envelope_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapBodyPart, buzon_imap_body_part_free)

G_END_DECLS
