// What the files of BuzonDraft share: its fields, and helpers each of them needs.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "draft.h"

G_BEGIN_DECLS

/* GMime 3.2 declares no autoptr cleanups; these are for the MIME code's own
 * files (and its tests), which include no other header that defines them. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InternetAddressList, g_object_unref)

struct _BuzonDraft
{
  GObject parent_instance;

  char *from;
  char *to;
  char *cc;
  char *bcc;
  char *reply_to;
  char *subject;
  char *text;
  char *html;
  char *in_reply_to;
  char *references;
  char *message_id;
  GDateTime *date;
  gboolean request_receipt;
  GPtrArray *attachments; /* Of BuzonDraftAttachment. */
};

/* In draft.c. */
InternetAddressList *_buzon_draft_parse_addresses (const char *text,
                                                   GError    **error);

/* In draft-build.c. */
GBytes *_buzon_mime_message_to_bytes    (GMimeMessage *message);

/* In draft-reply.c. */
void    _buzon_draft_add_attachments_of (BuzonDraft   *self,
                                         GMimeMessage *message);

/* In draft-headers.c. */
void    _buzon_draft_append_address_header (GString             *out,
                                            const char          *name,
                                            InternetAddressList *list);
void    _buzon_draft_append_text_header    (GString             *out,
                                            const char          *name,
                                            const char          *value,
                                            gboolean             ids);

G_END_DECLS
