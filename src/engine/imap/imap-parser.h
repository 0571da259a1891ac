// A pure, resumable parser of IMAP server responses (RFC 3501, RFC 9051):
// bytes in, responses out, with no I/O of its own.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

#include "imap-response.h"

G_BEGIN_DECLS

typedef struct
{
  gsize max_line;    /* Bytes of one line, literals excluded. */
  gsize max_literal; /* Bytes of one literal. */
  guint max_depth;   /* Nesting of parenthesised lists. */
  gsize max_response; /* Bytes of one whole response, literals included; 0: 256 MiB. */
} BuzonImapParserLimits;

typedef struct _BuzonImapParser BuzonImapParser;

BuzonImapParser   *buzon_imap_parser_new        (const BuzonImapParserLimits *limits);
void               buzon_imap_parser_free       (BuzonImapParser             *self);
void               buzon_imap_parser_feed       (BuzonImapParser             *self,
                                                 const char                  *data,
                                                 gsize                        length);
BuzonImapResponse *buzon_imap_parser_next       (BuzonImapParser             *self,
                                                 GError                     **error);
gsize              buzon_imap_parser_get_buffered (BuzonImapParser           *self);
GBytes            *buzon_imap_parser_take_buffered (BuzonImapParser          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapParser, buzon_imap_parser_free)

G_END_DECLS
