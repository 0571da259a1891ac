// BuzonFolderModel: an account's folders as a GListModel of BuzonFolder,
// in the order a sidebar shows them, with counts that follow the cache.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "folder.h"
#include "store.h"

G_BEGIN_DECLS

#define BUZON_TYPE_FOLDER_MODEL (buzon_folder_model_get_type ())

G_DECLARE_FINAL_TYPE (BuzonFolderModel, buzon_folder_model, BUZON, FOLDER_MODEL, GObject)

BuzonFolderModel *buzon_folder_model_new              (BuzonStore          *store);
BuzonStore       *buzon_folder_model_get_store        (BuzonFolderModel    *self);
gboolean          buzon_folder_model_get_loading      (BuzonFolderModel    *self);
const GError     *buzon_folder_model_get_error        (BuzonFolderModel    *self);
BuzonFolder      *buzon_folder_model_find             (BuzonFolderModel    *self,
                                                       gint64               id);
BuzonFolder      *buzon_folder_model_find_special_use (BuzonFolderModel    *self,
                                                       BuzonImapSpecialUse  special_use);

G_END_DECLS
