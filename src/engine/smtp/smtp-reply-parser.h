// A pure, resumable parser of SMTP server replies (RFC 5321 §4.2, RFC 3463
// enhanced status codes): bytes in, replies out, with no I/O of its own.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

#include "smtp-reply.h"

G_BEGIN_DECLS

typedef struct
{
  gsize max_line;  /* Bytes of one line, CRLF excluded; 0: 4096. */
  guint max_lines; /* Lines of one multi-line reply; 0: 512. */
} BuzonSmtpReplyParserLimits;

typedef struct _BuzonSmtpReplyParser BuzonSmtpReplyParser;

BuzonSmtpReplyParser *buzon_smtp_reply_parser_new (const BuzonSmtpReplyParserLimits *limits);
void                  buzon_smtp_reply_parser_free         (BuzonSmtpReplyParser  *self);
void                  buzon_smtp_reply_parser_feed         (BuzonSmtpReplyParser  *self,
                                                            const char            *data,
                                                            gsize                  length);
BuzonSmtpReply       *buzon_smtp_reply_parser_next         (BuzonSmtpReplyParser  *self,
                                                            GError               **error);
gsize                 buzon_smtp_reply_parser_get_buffered (BuzonSmtpReplyParser  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonSmtpReplyParser, buzon_smtp_reply_parser_free)

G_END_DECLS
