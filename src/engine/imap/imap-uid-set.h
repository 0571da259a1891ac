// A set of UIDs as the server sends it ("41,43:116"), read into ranges so
// that "1:4294967295" costs one entry, not four billion.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Both ends included; first <= last, both at least 1. */
typedef struct
{
  guint32 first;
  guint32 last;
} BuzonImapUidRange;

GArray   *buzon_imap_uid_set_parse    (const char   *text,
                                       gsize         length,
                                       GError      **error);
guint64   buzon_imap_uid_set_count    (const GArray *ranges);
gboolean  buzon_imap_uid_set_contains (const GArray *ranges,
                                       guint32       uid);
gboolean  buzon_imap_uid_set_is_valid (const char   *text);
void      buzon_imap_uid_set_normalize (GArray      *ranges);
GArray   *buzon_imap_uid_set_subtract (const GArray *a,
                                       const GArray *b);
char     *buzon_imap_uid_set_to_string (const GArray *ranges);

G_END_DECLS
