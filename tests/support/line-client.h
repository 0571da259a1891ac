// A blocking line-based client for the fixture tests: IMAP and SMTP by hand,
// over TLS or STARTTLS. It stands in until the engine's own protocol layers
// exist; it is not part of Buzón.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _BuzonTestLineClient BuzonTestLineClient;

BuzonTestLineClient *buzon_test_line_client_connect   (const char           *host,
                                                       guint16               port,
                                                       gboolean              use_tls,
                                                       GTlsDatabase         *ca,
                                                       GError              **error);
gboolean             buzon_test_line_client_starttls  (BuzonTestLineClient  *self,
                                                       GTlsDatabase         *ca,
                                                       GError              **error);
char                *buzon_test_line_client_read_line (BuzonTestLineClient  *self,
                                                       GError              **error);
gboolean             buzon_test_line_client_send      (BuzonTestLineClient  *self,
                                                       const char           *line,
                                                       GError              **error);
char                *buzon_test_line_client_imap      (BuzonTestLineClient  *self,
                                                       const char           *command,
                                                       GPtrArray            *untagged,
                                                       GError              **error);
char                *buzon_test_line_client_smtp      (BuzonTestLineClient  *self,
                                                       const char           *command,
                                                       GError              **error);
GInputStream        *buzon_test_line_client_get_input (BuzonTestLineClient  *self);
void                 buzon_test_line_client_free      (BuzonTestLineClient  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonTestLineClient, buzon_test_line_client_free)

G_END_DECLS
