// The inside of BuzonMessage, for the message model that makes and fills
// its objects.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "message.h"
#include "store-message-keys.h"

G_BEGIN_DECLS

BuzonMessage *_buzon_message_new    (gint64                      key);
gint64        _buzon_message_get_key (BuzonMessage              *self);
void          _buzon_message_update (BuzonMessage               *self,
                                     const BuzonStoreMessageRow *row);

G_END_DECLS
