// BuzonSendQueue: an account's outgoing mail, from the outbox to the
// server and into Sent, never lost and never sent twice.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "account/account.h"
#include "account/credentials.h"
#include "mime/draft.h"
#include "store/store-outbox.h"

G_BEGIN_DECLS

#define BUZON_TYPE_SEND_QUEUE (buzon_send_queue_get_type ())

G_DECLARE_FINAL_TYPE (BuzonSendQueue, buzon_send_queue, BUZON, SEND_QUEUE, GObject)

BuzonSendQueue *buzon_send_queue_new          (BuzonAccount               *account,
                                               BuzonStore                 *store,
                                               BuzonCredentials           *credentials);
void            buzon_send_queue_set_retry_interval (BuzonSendQueue       *self,
                                                     guint                 seconds);

void            buzon_send_queue_add_async    (BuzonSendQueue             *self,
                                               const BuzonStoreOutboxItem *item,
                                               GCancellable               *cancellable,
                                               GAsyncReadyCallback         callback,
                                               gpointer                    user_data);
gint64          buzon_send_queue_add_finish   (BuzonSendQueue             *self,
                                               GAsyncResult               *result,
                                               GError                    **error);
void            buzon_send_queue_add_draft_async (BuzonSendQueue       *self,
                                                  BuzonDraft           *draft,
                                                  GDateTime            *send_at,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
void            buzon_send_queue_add_raw_async (BuzonSendQueue         *self,
                                                GBytes                 *raw,
                                                GDateTime              *send_at,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
void            buzon_send_queue_undo_async   (BuzonSendQueue             *self,
                                               gint64                      id,
                                               GCancellable               *cancellable,
                                               GAsyncReadyCallback         callback,
                                               gpointer                    user_data);
gboolean        buzon_send_queue_undo_finish  (BuzonSendQueue             *self,
                                               GAsyncResult               *result,
                                               GError                    **error);
void            buzon_send_queue_retry_async  (BuzonSendQueue             *self,
                                               gint64                      id,
                                               GCancellable               *cancellable,
                                               GAsyncReadyCallback         callback,
                                               gpointer                    user_data);
gboolean        buzon_send_queue_retry_finish (BuzonSendQueue             *self,
                                               GAsyncResult               *result,
                                               GError                    **error);
void            buzon_send_queue_cancel_async (BuzonSendQueue             *self,
                                               gint64                      id,
                                               GCancellable               *cancellable,
                                               GAsyncReadyCallback         callback,
                                               gpointer                    user_data);
gboolean        buzon_send_queue_cancel_finish (BuzonSendQueue            *self,
                                                GAsyncResult              *result,
                                                GError                   **error);

void            buzon_send_queue_flush_async  (BuzonSendQueue             *self,
                                               GCancellable               *cancellable,
                                               GAsyncReadyCallback         callback,
                                               gpointer                    user_data);
gboolean        buzon_send_queue_flush_finish (BuzonSendQueue             *self,
                                               GAsyncResult               *result,
                                               GError                    **error);
void            buzon_send_queue_start        (BuzonSendQueue             *self);
void            buzon_send_queue_stop         (BuzonSendQueue             *self);

G_END_DECLS
