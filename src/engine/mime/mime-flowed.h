// format=flowed (RFC 3676): plain text wrapped for mail, and unwrapped again.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest line buzon_mime_flowed_encode() makes where it can break, in
 * characters, trailing space included (RFC 3676 §4.2 recommends 72 or fewer). */
#define BUZON_MIME_FLOWED_WIDTH 72

char *buzon_mime_flowed_encode (const char *text);
char *buzon_mime_flowed_decode (const char *text,
                                gboolean    delsp);

G_END_DECLS
