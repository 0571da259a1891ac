// A client command being built and its serialization into the bytes sent
// to the server, literals included (RFC 3501, RFC 7888, RFC 3516).
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  BUZON_IMAP_LITERAL_SYNC,  /* Every literal "{n}" waits for the server's "+". */
  BUZON_IMAP_LITERAL_PLUS,  /* LITERAL+: "{n+}", never waits. */
  BUZON_IMAP_LITERAL_MINUS, /* LITERAL-: "{n+}" up to 4096 bytes, "{n}" above. */
} BuzonImapLiteralMode;

typedef struct _BuzonImapCommand BuzonImapCommand;

BuzonImapCommand *buzon_imap_command_new           (const char           *name);
void              buzon_imap_command_free          (BuzonImapCommand     *self);
void              buzon_imap_command_set_sensitive (BuzonImapCommand     *self);
void              buzon_imap_command_set_utf8      (BuzonImapCommand     *self,
                                                    gboolean              utf8);
void              buzon_imap_command_add_atom      (BuzonImapCommand     *self,
                                                    const char           *atom);
void              buzon_imap_command_add_raw       (BuzonImapCommand     *self,
                                                    const char           *text);
void              buzon_imap_command_add_number    (BuzonImapCommand     *self,
                                                    guint64               number);
void              buzon_imap_command_add_string    (BuzonImapCommand     *self,
                                                    const char           *data,
                                                    gssize                length);
void              buzon_imap_command_add_astring   (BuzonImapCommand     *self,
                                                    const char           *data,
                                                    gssize                length);
void              buzon_imap_command_add_mailbox   (BuzonImapCommand     *self,
                                                    const char           *utf8_name);
void              buzon_imap_command_add_sequence_set (BuzonImapCommand  *self,
                                                       const guint32     *uids,
                                                       gsize              n);
void              buzon_imap_command_add_literal   (BuzonImapCommand     *self,
                                                    GBytes               *data,
                                                    gboolean              binary);
void              buzon_imap_command_begin_list    (BuzonImapCommand     *self);
void              buzon_imap_command_end_list      (BuzonImapCommand     *self);
GPtrArray        *buzon_imap_command_serialize     (BuzonImapCommand     *self,
                                                    const char           *tag,
                                                    BuzonImapLiteralMode  mode);

gboolean          buzon_imap_flag_is_valid         (const char           *flag);

char             *buzon_imap_sequence_set_to_string (const guint32       *uids,
                                                     gsize                n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapCommand, buzon_imap_command_free)

G_END_DECLS
