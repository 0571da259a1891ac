// A message being written: its fields, text and attachments, built into RFC 5322 bytes.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>
#include <gmime/gmime.h>

#include "mime-error.h"

G_BEGIN_DECLS

#define BUZON_TYPE_DRAFT (buzon_draft_get_type ())

G_DECLARE_FINAL_TYPE (BuzonDraft, buzon_draft, BUZON, DRAFT, GObject)

typedef enum
{
  BUZON_DRAFT_BUILD_NONE = 0,
  BUZON_DRAFT_BUILD_INCLUDE_BCC = 1 << 0, /* For the Drafts folder: Bcc kept in the bytes. */
} BuzonDraftBuildFlags;

typedef enum
{
  BUZON_DRAFT_REPLY_SENDER, /* To the Reply-To, else the From. */
  BUZON_DRAFT_REPLY_ALL,    /* And to the original's To and Cc, but the user's own addresses. */
} BuzonDraftReplyKind;

typedef enum
{
  BUZON_DRAFT_FORWARD_INLINE,     /* The text quoted under a header block; attachments again. */
  BUZON_DRAFT_FORWARD_ATTACHMENT, /* The whole original as message/rfc822. */
} BuzonDraftForwardKind;

/* One attachment of a draft, read with buzon_draft_get_attachment(); the
 * draft owns it, and it stays valid until the attachment is removed or the
 * draft finalized. */
typedef struct
{
  char *filename;   /* As the recipient sees it: "Informe año 3.pdf". */
  char *mime_type;  /* "application/pdf". */
  GBytes *data;     /* The file's bytes. */
  gboolean is_inline; /* An image shown in the HTML text (multipart/related). */
  char *content_id; /* Without angle brackets, or NULL: what the HTML's "cid:" names. */
} BuzonDraftAttachment;

BuzonDraft *buzon_draft_new                    (void);

const char *buzon_draft_get_from               (BuzonDraft  *self);
void        buzon_draft_set_from               (BuzonDraft  *self,
                                                const char  *from);
const char *buzon_draft_get_to                 (BuzonDraft  *self);
void        buzon_draft_set_to                 (BuzonDraft  *self,
                                                const char  *to);
const char *buzon_draft_get_cc                 (BuzonDraft  *self);
void        buzon_draft_set_cc                 (BuzonDraft  *self,
                                                const char  *cc);
const char *buzon_draft_get_bcc                (BuzonDraft  *self);
void        buzon_draft_set_bcc                (BuzonDraft  *self,
                                                const char  *bcc);
const char *buzon_draft_get_reply_to           (BuzonDraft  *self);
void        buzon_draft_set_reply_to           (BuzonDraft  *self,
                                                const char  *reply_to);
const char *buzon_draft_get_subject            (BuzonDraft  *self);
void        buzon_draft_set_subject            (BuzonDraft  *self,
                                                const char  *subject);
const char *buzon_draft_get_text               (BuzonDraft  *self);
void        buzon_draft_set_text               (BuzonDraft  *self,
                                                const char  *text);
const char *buzon_draft_get_html               (BuzonDraft  *self);
void        buzon_draft_set_html               (BuzonDraft  *self,
                                                const char  *html);
const char *buzon_draft_get_in_reply_to        (BuzonDraft  *self);
void        buzon_draft_set_in_reply_to        (BuzonDraft  *self,
                                                const char  *in_reply_to);
const char *buzon_draft_get_references         (BuzonDraft  *self);
void        buzon_draft_set_references         (BuzonDraft  *self,
                                                const char  *references);
const char *buzon_draft_get_message_id         (BuzonDraft  *self);
void        buzon_draft_set_message_id         (BuzonDraft  *self,
                                                const char  *message_id);
GDateTime  *buzon_draft_get_date               (BuzonDraft  *self);
void        buzon_draft_set_date               (BuzonDraft  *self,
                                                GDateTime   *date);
gboolean    buzon_draft_get_request_receipt    (BuzonDraft  *self);
void        buzon_draft_set_request_receipt    (BuzonDraft  *self,
                                                gboolean     request_receipt);

void        buzon_draft_add_attachment         (BuzonDraft  *self,
                                                const char  *filename,
                                                const char  *mime_type,
                                                GBytes      *data,
                                                gboolean     is_inline,
                                                const char  *content_id);
gboolean    buzon_draft_add_attachment_file    (BuzonDraft  *self,
                                                GFile       *file,
                                                GError     **error);
guint       buzon_draft_get_n_attachments      (BuzonDraft  *self);
const BuzonDraftAttachment *
            buzon_draft_get_attachment         (BuzonDraft  *self,
                                                guint        index);
void        buzon_draft_remove_attachment      (BuzonDraft  *self,
                                                guint        index);

gboolean    buzon_draft_validate               (BuzonDraft  *self,
                                                gboolean     for_sending,
                                                GError     **error);
GBytes     *buzon_draft_build                  (BuzonDraft  *self,
                                                BuzonDraftBuildFlags flags,
                                                GError     **error);
char       *buzon_draft_dup_sender_address     (BuzonDraft  *self);
GStrv       buzon_draft_dup_recipient_addresses (BuzonDraft *self);
char       *buzon_draft_build_bcc_header       (BuzonDraft  *self);

BuzonDraft *buzon_draft_new_from_message       (GMimeMessage *message);

/* In draft-reply.c. */
BuzonDraft *buzon_draft_new_reply              (GMimeMessage        *original,
                                                BuzonDraftReplyKind  kind,
                                                const char          *from,
                                                const char * const  *own_addresses);
BuzonDraft *buzon_draft_new_forward            (GMimeMessage          *original,
                                                BuzonDraftForwardKind  kind,
                                                const char            *from);

G_END_DECLS
