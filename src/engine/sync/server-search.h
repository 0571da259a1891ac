// Search on the server, for mail whose bodies the cache does not have yet:
// the query's IMAP criteria, answered with the cached summaries; in one
// folder or in every one.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "imap/imap-session.h"
#include "store/search-query.h"
#include "store/store-folder.h"
#include "store/store.h"

G_BEGIN_DECLS

void       buzon_server_search_async  (BuzonImapSession       *session,
                                       BuzonStore             *store,
                                       const BuzonStoreFolder *folder,
                                       BuzonSearchQuery       *query,
                                       guint                   limit,
                                       GCancellable           *cancellable,
                                       GAsyncReadyCallback     callback,
                                       gpointer                user_data);
GPtrArray *buzon_server_search_finish (GAsyncResult           *result,
                                       GError                **error);
void       buzon_server_search_all_async  (BuzonImapSession    *session,
                                           BuzonStore          *store,
                                           BuzonSearchQuery    *query,
                                           guint                limit,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
GPtrArray *buzon_server_search_all_finish (GAsyncResult        *result,
                                           GPtrArray          **failures,
                                           GError             **error);

G_END_DECLS
