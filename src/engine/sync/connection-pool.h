// BuzonConnectionPool: an account's IMAP connections, at most so many at
// once, shared by its sync and its user's actions, with one always kept
// for what the user is waiting for.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "account/account.h"
#include "account/credentials.h"
#include "imap/imap-session.h"

G_BEGIN_DECLS

/* Who asks for a connection. A held session (IDLE) is background work
 * kept for long: when a request waits, the pool emits "reclaim" for it,
 * and its holder gives it back (buzon_connection_pool_release()) and asks
 * again, in turn behind the request. */
typedef enum
{
  BUZON_CONNECTION_PRIORITY_USER,       /* Someone is waiting: a message opened, a search. */
  BUZON_CONNECTION_PRIORITY_BACKGROUND, /* Sync, prefetch: never the last connection. */
  BUZON_CONNECTION_PRIORITY_HELD,       /* Background kept for long (IDLE): given back on
                                         * "reclaim". */
} BuzonConnectionPriority;

#define BUZON_TYPE_CONNECTION_POOL (buzon_connection_pool_get_type ())

G_DECLARE_FINAL_TYPE (BuzonConnectionPool, buzon_connection_pool, BUZON, CONNECTION_POOL, GObject)

BuzonConnectionPool *buzon_connection_pool_new            (BuzonAccount            *account,
                                                           BuzonCredentials        *credentials);
void                 buzon_connection_pool_acquire_async  (BuzonConnectionPool     *self,
                                                           BuzonConnectionPriority  priority,
                                                           GCancellable            *cancellable,
                                                           GAsyncReadyCallback      callback,
                                                           gpointer                 user_data);
BuzonImapSession    *buzon_connection_pool_acquire_finish (BuzonConnectionPool     *self,
                                                           GAsyncResult            *result,
                                                           GError                 **error);
void                 buzon_connection_pool_release        (BuzonConnectionPool     *self,
                                                           BuzonImapSession        *session);
void                 buzon_connection_pool_discard        (BuzonConnectionPool     *self,
                                                           BuzonImapSession        *session);
void                 buzon_connection_pool_close          (BuzonConnectionPool     *self);
guint                buzon_connection_pool_get_max_connections (BuzonConnectionPool *self);
guint                buzon_connection_pool_get_n_connections   (BuzonConnectionPool *self);

G_END_DECLS
