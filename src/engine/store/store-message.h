// BuzonStoreMessage: a message's summary as the cache holds it, and the
// store's queries for them: a folder's messages newest first, and search.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "search-query.h"
#include "store-summary.h"
#include "store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 id;
  gint64 folder_id;
  guint32 uid;                /* 0 for a provisional copy the server has not made yet. */
  BuzonStoreFlags flags;
  char *keywords;
  gint64 date;
  guint64 size;
  char *subject;
  char *sender_name;
  char *sender_address;
  char *to_list;
  char *cc_list;
  char *message_id;
  gint64 thread_id;
  gboolean has_attachment;
  char *preview;
} BuzonStoreMessage;

void       buzon_store_message_free          (BuzonStoreMessage   *self);
int        buzon_store_message_compare_newest_first (gconstpointer a,
                                                     gconstpointer b);

void       buzon_store_list_messages_async   (BuzonStore          *self,
                                              gint64               folder_id,
                                              guint                offset,
                                              guint                limit,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray *buzon_store_list_messages_finish  (BuzonStore          *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void       buzon_store_search_async          (BuzonStore          *self,
                                              gint64               folder_id,
                                              BuzonSearchQuery    *query,
                                              guint                limit,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray *buzon_store_search_finish         (BuzonStore          *self,
                                              GAsyncResult        *result,
                                              GError             **error);

void       buzon_store_get_messages_async    (BuzonStore          *self,
                                              gint64               folder_id,
                                              const GArray        *uids,
                                              guint                limit,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray *buzon_store_get_messages_finish   (BuzonStore          *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonStoreMessage, buzon_store_message_free)

G_END_DECLS
