// Modified UTF-7, the encoding of IMAP mailbox names (RFC 3501 §5.1.3), and
// how the client reads a mailbox name from the server.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *buzon_imap_utf7_decode    (const char *text,
                                 gsize       length,
                                 GError    **error);
char *buzon_imap_utf7_encode    (const char *utf8);
char *buzon_imap_mailbox_decode (const char *raw,
                                 gsize       length,
                                 gboolean    utf8_enabled);

G_END_DECLS
