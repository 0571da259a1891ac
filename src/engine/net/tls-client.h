// A TLS client connection made on a worker thread.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void       buzon_tls_client_new_async  (GIOStream           *base,
                                        const char          *host,
                                        guint16              port,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GIOStream *buzon_tls_client_new_finish (GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
