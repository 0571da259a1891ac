// The store's cached message bodies: whole messages as the server sent
// them, fetched on demand, their readable text added to the search index.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 message_id; /* The cache's row for the message. */
  GBytes *raw;       /* The whole message; NULL when its body is not cached yet. */
} BuzonStoreBody;

/* A cached message whose body the cache lacks. */
typedef struct
{
  guint32 uid;
  guint64 size; /* RFC822.SIZE, octets. */
} BuzonStoreMissingBody;

void            buzon_store_body_free        (BuzonStoreBody       *self);

void            buzon_store_get_body_async   (BuzonStore           *self,
                                              gint64                folder_id,
                                              guint32               uid,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
BuzonStoreBody *buzon_store_get_body_finish  (BuzonStore           *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void            buzon_store_save_body_async  (BuzonStore           *self,
                                              gint64                message_id,
                                              GBytes               *raw,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean        buzon_store_save_body_finish (BuzonStore           *self,
                                              GAsyncResult         *result,
                                              GError              **error);

void            buzon_store_save_bodies_async  (BuzonStore         *self,
                                                gint64              folder_id,
                                                GArray             *uids,
                                                GPtrArray          *raws,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
gboolean        buzon_store_save_bodies_finish (BuzonStore         *self,
                                                GAsyncResult       *result,
                                                guint              *saved,
                                                GError            **error);
void            buzon_store_list_missing_bodies_async  (BuzonStore          *self,
                                                        gint64               folder_id,
                                                        gint64               since,
                                                        guint64              max_size,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GArray         *buzon_store_list_missing_bodies_finish (BuzonStore          *self,
                                                        GAsyncResult        *result,
                                                        guint               *too_large,
                                                        GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonStoreBody, buzon_store_body_free)

G_END_DECLS
