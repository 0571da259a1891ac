// The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) for the scripted
// fake servers: it answers the client's nonce, checks its proof, and can
// sign wrongly or ask for too few iterations, as an impostor would.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BuzonTestFakeScram BuzonTestFakeScram;

/* @prefix starts each answer: "334 " for SMTP, "+ " for IMAP. The client's
 * message is the last word of the line it sent (base64). */
BuzonTestFakeScram *buzon_test_fake_scram_new          (const char         *user,
                                                        const char         *password,
                                                        guint               iterations,
                                                        const char         *prefix);
void                buzon_test_fake_scram_free         (BuzonTestFakeScram *self);
void                buzon_test_fake_scram_set_bad_signature (BuzonTestFakeScram *self);
void                buzon_test_fake_scram_set_final_prefix  (BuzonTestFakeScram *self,
                                                             const char         *prefix);

/* BuzonTestFakeImapResponders: the client-first line gets server-first; the
 * client-final line gets server-final ("v=", wrong if asked) where its proof
 * is right, "e=invalid-proof" where it is not. */
char               *buzon_test_fake_scram_first_cb     (const char         *line,
                                                        gpointer            user_data);
char               *buzon_test_fake_scram_final_cb     (const char         *line,
                                                        gpointer            user_data);

gboolean            buzon_test_fake_scram_proof_checked (BuzonTestFakeScram *self);
const char         *buzon_test_fake_scram_get_client_first (BuzonTestFakeScram *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonTestFakeScram, buzon_test_fake_scram_free)

G_END_DECLS
