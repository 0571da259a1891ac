// BuzonOperationReplay: sends the store's queue of pending operations to
// the server, in order, over a logged-in session.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "imap/imap-session.h"
#include "store/store.h"

G_BEGIN_DECLS

typedef struct
{
  guint replayed; /* Done on the server and taken out of the queue. */
  guint dropped;  /* Refused by the server, whose state the cache took; out of the queue. */
  guint left;     /* Still queued, for the next replay. */
} BuzonOperationReplayResult;

#define BUZON_TYPE_OPERATION_REPLAY (buzon_operation_replay_get_type ())

G_DECLARE_FINAL_TYPE (BuzonOperationReplay, buzon_operation_replay, BUZON, OPERATION_REPLAY,
                      GObject)

BuzonOperationReplay *buzon_operation_replay_new        (BuzonImapSession            *session,
                                                         BuzonStore                  *store);
void                  buzon_operation_replay_run_async  (BuzonOperationReplay        *self,
                                                         GCancellable                *cancellable,
                                                         GAsyncReadyCallback          callback,
                                                         gpointer                     user_data);
gboolean              buzon_operation_replay_run_finish (BuzonOperationReplay        *self,
                                                         GAsyncResult                *result,
                                                         BuzonOperationReplayResult  *summary,
                                                         GError                     **error);

G_END_DECLS
