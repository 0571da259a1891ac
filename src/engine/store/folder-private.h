// The inside of BuzonFolder, for the folder model that makes and fills
// its objects.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "folder.h"
#include "store-folder.h"

G_BEGIN_DECLS

BuzonFolder *_buzon_folder_new    (gint64                  id);
void         _buzon_folder_update (BuzonFolder            *self,
                                   const BuzonStoreFolder *folder);

G_END_DECLS
