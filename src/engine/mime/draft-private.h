// What draft.c shares with draft-reply.c: the attachments of a message, read back.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "draft.h"

G_BEGIN_DECLS

/* GMime 3.2 declares no autoptr cleanups; these are for the MIME code's own
 * files (and its tests), which include no other header that defines them. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InternetAddressList, g_object_unref)

void    _buzon_draft_add_attachments_of (BuzonDraft   *self,
                                         GMimeMessage *message);
GBytes *_buzon_mime_message_to_bytes    (GMimeMessage *message);

/* In draft-headers.c. */
void    _buzon_draft_append_address_header (GString             *out,
                                            const char          *name,
                                            InternetAddressList *list);
void    _buzon_draft_append_text_header    (GString             *out,
                                            const char          *name,
                                            const char          *value,
                                            gboolean             ids);

G_END_DECLS
