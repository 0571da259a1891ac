// A message's body on demand: from the cache, else from the server, then
// kept in the cache and its text indexed.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "imap/imap-session.h"
#include "store/store-folder.h"
#include "store/store.h"

G_BEGIN_DECLS

void    buzon_body_fetch_async  (BuzonImapSession       *session,
                                 BuzonStore             *store,
                                 const BuzonStoreFolder *folder,
                                 guint32                 uid,
                                 GCancellable           *cancellable,
                                 GAsyncReadyCallback     callback,
                                 gpointer                user_data);
GBytes *buzon_body_fetch_finish (GAsyncResult           *result,
                                 GError                **error);

G_END_DECLS
