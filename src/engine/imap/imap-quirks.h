// BuzonImapQuirks: what the client knows about one server's oddities, from
// what it advertises and from how it behaved, kept in one place so that the
// rest of the engine asks a question ("does it save sent mail itself?")
// rather than testing for a vendor.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  BUZON_IMAP_SERVER_UNKNOWN,
  BUZON_IMAP_SERVER_DOVECOT,
  BUZON_IMAP_SERVER_GMAIL,
  BUZON_IMAP_SERVER_OFFICE365,
  BUZON_IMAP_SERVER_YAHOO,
  BUZON_IMAP_SERVER_ICLOUD,
  BUZON_IMAP_SERVER_CYRUS,
  BUZON_IMAP_SERVER_COURIER,
} BuzonImapServerKind;

GType buzon_imap_server_kind_get_type (void) G_GNUC_CONST;
#define BUZON_TYPE_IMAP_SERVER_KIND (buzon_imap_server_kind_get_type ())

typedef struct _BuzonImapQuirks BuzonImapQuirks;

BuzonImapQuirks    *buzon_imap_quirks_new                 (void);
void                buzon_imap_quirks_free                (BuzonImapQuirks    *self);
void                buzon_imap_quirks_update              (BuzonImapQuirks    *self,
                                                           const char         *greeting,
                                                           const char * const *capabilities);
BuzonImapServerKind buzon_imap_quirks_get_server_kind     (const BuzonImapQuirks *self);
gboolean            buzon_imap_quirks_get_saves_sent      (const BuzonImapQuirks *self);
gboolean            buzon_imap_quirks_get_has_labels      (const BuzonImapQuirks *self);
guint               buzon_imap_quirks_get_max_connections (const BuzonImapQuirks *self);
gboolean            buzon_imap_quirks_get_can_idle        (const BuzonImapQuirks *self);
gboolean            buzon_imap_quirks_get_appenduid_reliable (const BuzonImapQuirks *self);
gboolean            buzon_imap_quirks_is_transient_error  (const BuzonImapQuirks *self,
                                                           const GError          *error);

void                buzon_imap_quirks_set_idle_refused    (BuzonImapQuirks    *self);
void                buzon_imap_quirks_set_appenduid_missing (BuzonImapQuirks  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapQuirks, buzon_imap_quirks_free)

G_END_DECLS
