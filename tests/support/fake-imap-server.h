// A scripted fake IMAP server for the tests: it plays, byte for byte, what a
// real server cannot be made to do (garbage, BYE mid-command, a cut literal,
// silence) to one client on 127.0.0.1, in plaintext, from a thread of its own.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _BuzonTestFakeImapServer BuzonTestFakeImapServer;

/* Building the script: call these before buzon_test_fake_imap_server_start().
 * Steps run in order on the server's thread against the first client that
 * connects. When the last step is done the server keeps the connection open,
 * silent, until the server is freed.
 *
 * Patterns: a line the client sends (CRLF excluded) must match the whole
 * pattern; "%TAG%" matches one tag (bytes other than spaces) and captures
 * it, "%ANY%" matches any run of bytes, every other byte stands for itself.
 * Lines to send: "%TAG%" is replaced by the last tag captured and not yet
 * answered, which then counts as answered; CRLF is added at the end. */
BuzonTestFakeImapServer *buzon_test_fake_imap_server_new (void);

/* Makes the line to send (CRLF excluded; NULL for none) from the line the
 * client sent (CRLF excluded). */
typedef char *(*BuzonTestFakeImapResponder) (const char *line,
                                             gpointer    user_data);

void buzon_test_fake_imap_server_send_line (BuzonTestFakeImapServer *self,
                                            const char              *line);
void buzon_test_fake_imap_server_send_to_each (BuzonTestFakeImapServer *self,
                                               const char              *line);
void buzon_test_fake_imap_server_send (BuzonTestFakeImapServer *self,
                                       const void              *data,
                                       gsize                    length);
void buzon_test_fake_imap_server_send_filler (BuzonTestFakeImapServer *self,
                                              guint64                  length);
void buzon_test_fake_imap_server_expect_line (BuzonTestFakeImapServer *self,
                                              const char              *pattern);
void buzon_test_fake_imap_server_expect_line_respond (BuzonTestFakeImapServer    *self,
                                                      const char                 *pattern,
                                                      BuzonTestFakeImapResponder  respond,
                                                      gpointer                    user_data);
void buzon_test_fake_imap_server_expect_bytes (BuzonTestFakeImapServer *self,
                                               const void              *data,
                                               gsize                    length);
void buzon_test_fake_imap_server_expect_together (BuzonTestFakeImapServer *self,
                                                  guint                    lines);
void buzon_test_fake_imap_server_expect_silence (BuzonTestFakeImapServer *self,
                                                 guint                    ms);
void buzon_test_fake_imap_server_expect_eof (BuzonTestFakeImapServer *self);
void buzon_test_fake_imap_server_stall (BuzonTestFakeImapServer *self);
void buzon_test_fake_imap_server_close (BuzonTestFakeImapServer *self);
void buzon_test_fake_imap_server_accept (BuzonTestFakeImapServer *self);
void buzon_test_fake_imap_server_sleep (BuzonTestFakeImapServer *self,
                                        guint                    ms);

/* Playing it. */
void buzon_test_fake_imap_server_start (BuzonTestFakeImapServer *self);
guint16 buzon_test_fake_imap_server_get_port (BuzonTestFakeImapServer *self);
char *buzon_test_fake_imap_server_get_url (BuzonTestFakeImapServer *self,
                                           const char              *scheme);
gboolean buzon_test_fake_imap_server_finish (BuzonTestFakeImapServer  *self,
                                             guint                     timeout_ms,
                                             GError                  **error);
guint buzon_test_fake_imap_server_get_clients (BuzonTestFakeImapServer *self);
gboolean buzon_test_fake_imap_server_is_done (BuzonTestFakeImapServer *self);
GBytes *buzon_test_fake_imap_server_get_received (BuzonTestFakeImapServer *self);
guint64 buzon_test_fake_imap_server_get_filler_sent (BuzonTestFakeImapServer *self);
void buzon_test_fake_imap_server_free (BuzonTestFakeImapServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonTestFakeImapServer, buzon_test_fake_imap_server_free)

G_END_DECLS
