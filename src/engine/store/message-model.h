// BuzonMessageModel: a folder's messages (or threads, or a search's
// results) as a GListModel of BuzonMessage, newest first, that follows the
// cache as sync and the user change it and reads only the rows a view
// asks for.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "message.h"
#include "search-query.h"
#include "store.h"

G_BEGIN_DECLS

#define BUZON_TYPE_MESSAGE_MODEL (buzon_message_model_get_type ())

G_DECLARE_FINAL_TYPE (BuzonMessageModel, buzon_message_model, BUZON, MESSAGE_MODEL, GObject)

BuzonMessageModel *buzon_message_model_new           (BuzonStore        *store,
                                                      gint64             folder_id,
                                                      gboolean           threads);
BuzonMessageModel *buzon_message_model_new_search    (BuzonStore        *store,
                                                      gint64             folder_id,
                                                      BuzonSearchQuery  *query);
BuzonStore        *buzon_message_model_get_store     (BuzonMessageModel *self);
gint64             buzon_message_model_get_folder_id (BuzonMessageModel *self);
gboolean           buzon_message_model_get_threads   (BuzonMessageModel *self);
gboolean           buzon_message_model_get_loading   (BuzonMessageModel *self);
const GError      *buzon_message_model_get_error     (BuzonMessageModel *self);
void               buzon_message_model_add_matches   (BuzonMessageModel *self,
                                                      const GArray      *message_ids);
gboolean           buzon_message_model_find          (BuzonMessageModel *self,
                                                      BuzonMessage      *message,
                                                      guint             *position);

G_END_DECLS
