// What a person reads of a message: its readable text, from text/plain or
// from HTML turned to text, and the list of its attachments.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gmime/gmime.h>

G_BEGIN_DECLS

typedef struct
{
  char *filename;   /* Decoded (RFC 2231 and RFC 2047), or NULL when unnamed. */
  char *mime_type;  /* Lower case: "application/pdf". */
  char *part;       /* The IMAP section number: "2", "1.3". */
  gsize size;       /* Decoded bytes. */
  gboolean inline_; /* Content-Disposition: inline (an image shown in the text). */
} BuzonMimeAttachment;

GMimeMessage *buzon_mime_parse_message      (GBytes        *raw,
                                             GError       **error);
char         *buzon_mime_get_readable_text  (GMimeMessage  *message);
GPtrArray    *buzon_mime_list_attachments   (GMimeMessage  *message);
char         *buzon_mime_html_to_text       (const char    *html);
void          buzon_mime_attachment_free    (BuzonMimeAttachment *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonMimeAttachment, buzon_mime_attachment_free)

G_END_DECLS
