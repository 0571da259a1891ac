// The store's queries behind the message models: the order of a folder's
// messages (or threads, or search results) as bare keys, and the rows for
// the few keys on screen.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "search-query.h"
#include "store-message.h"
#include "store.h"

G_BEGIN_DECLS

/* A row of a message list, as little as its place needs: a message's id
 * (or, in a thread list, the thread's id) and the date it sorts by (a
 * thread's is its newest message's). Lists are newest first: by date,
 * then by key, both descending. */
typedef struct
{
  gint64 key;
  gint64 date;
} BuzonStoreMessageKey;

/* What a list shows: every message, or one row per thread. */
typedef enum
{
  BUZON_STORE_LIST_MESSAGES,
  BUZON_STORE_LIST_THREADS,
} BuzonStoreListKind;

/* A row's content: the message itself (in a thread list, the thread's
 * newest message in the folder), and the thread's counts in the folder
 * (1 and the message's own in a message list). */
typedef struct
{
  gint64 key;
  BuzonStoreMessage *message;
  guint thread_count;
  guint thread_unread;
} BuzonStoreMessageRow;

int     buzon_store_message_key_compare        (const BuzonStoreMessageKey *a,
                                                const BuzonStoreMessageKey *b);
void    buzon_store_message_row_free           (BuzonStoreMessageRow  *self);

void    buzon_store_list_message_keys_async    (BuzonStore            *self,
                                                gint64                 folder_id,
                                                BuzonStoreListKind     kind,
                                                const BuzonSearchQuery *query,
                                                const GArray          *also,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
GArray *buzon_store_list_message_keys_finish   (BuzonStore            *self,
                                                GAsyncResult          *result,
                                                GError               **error);
void    buzon_store_get_message_rows_async     (BuzonStore            *self,
                                                gint64                 folder_id,
                                                BuzonStoreListKind     kind,
                                                const GArray          *keys,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
GPtrArray *buzon_store_get_message_rows_finish (BuzonStore            *self,
                                                GAsyncResult          *result,
                                                GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonStoreMessageRow, buzon_store_message_row_free)

G_END_DECLS
