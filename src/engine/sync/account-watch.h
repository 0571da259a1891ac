// BuzonAccountWatch: keeps an account's cache up to date for as long as it
// runs — IDLE on the Inbox, the other folders polled, reconnecting with
// backoff when the network or the server goes away.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "account/account.h"
#include "account/credentials.h"
#include "store/store.h"
#include "sync/connection-pool.h"

G_BEGIN_DECLS

/* What a watch is doing, for a UI to show ("state"). */
typedef enum
{
  BUZON_ACCOUNT_WATCH_STOPPED,    /* Not running. */
  BUZON_ACCOUNT_WATCH_CONNECTING, /* Reaching the server: at the start, or after a failure. */
  BUZON_ACCOUNT_WATCH_SYNCING,    /* A full pass, or the Inbox brought up to date. */
  BUZON_ACCOUNT_WATCH_IDLE,       /* Up to date: waiting on IDLE or for the next pass. */
  BUZON_ACCOUNT_WATCH_WAITING,    /* Something failed ("error"): retrying at "retry-at". */
  BUZON_ACCOUNT_WATCH_OFFLINE,    /* No network: nothing is tried until it comes back. */
} BuzonAccountWatchState;

GType buzon_account_watch_state_get_type (void) G_GNUC_CONST;
#define BUZON_TYPE_ACCOUNT_WATCH_STATE (buzon_account_watch_state_get_type ())

/* Connections: a watch takes them from a BuzonConnectionPool, the one
 * given with buzon_account_watch_set_pool() (the account's, shared with
 * the user's requests) or else one of each run's own, and never has more
 * than one at a time. IDLE's connection is lent as
 * BUZON_CONNECTION_PRIORITY_HELD: it counts against the cap and the
 * background's share, and when a request has to wait the pool asks for it
 * ("reclaim"); IDLE ends, the connection goes to that request, and the
 * watch asks again behind it, staying IDLE meanwhile, then catches the
 * Inbox up. A full pass gives the connection back first and takes it again
 * as background work. So with max-connections 2 the user always has one,
 * and with 1 the user waits only for a pass or an Inbox sync under way. */
#define BUZON_TYPE_ACCOUNT_WATCH (buzon_account_watch_get_type ())

G_DECLARE_FINAL_TYPE (BuzonAccountWatch, buzon_account_watch, BUZON, ACCOUNT_WATCH, GObject)

BuzonAccountWatch     *buzon_account_watch_new             (BuzonAccount       *account,
                                                            BuzonStore         *store,
                                                            BuzonCredentials   *credentials);
void                   buzon_account_watch_run_async       (BuzonAccountWatch  *self,
                                                            GCancellable       *cancellable,
                                                            GAsyncReadyCallback callback,
                                                            gpointer            user_data);
gboolean               buzon_account_watch_run_finish      (BuzonAccountWatch  *self,
                                                            GAsyncResult       *result,
                                                            GError            **error);
void                   buzon_account_watch_sync_now        (BuzonAccountWatch  *self);
void                   buzon_account_watch_set_pool        (BuzonAccountWatch  *self,
                                                            BuzonConnectionPool *pool);
BuzonAccountWatchState buzon_account_watch_get_state       (BuzonAccountWatch  *self);
const GError          *buzon_account_watch_get_error       (BuzonAccountWatch  *self);
gint64                 buzon_account_watch_get_last_synced (BuzonAccountWatch  *self);
gint64                 buzon_account_watch_get_retry_at    (BuzonAccountWatch  *self);
gboolean               buzon_account_watch_error_wants_password (const GError  *error);

G_END_DECLS
