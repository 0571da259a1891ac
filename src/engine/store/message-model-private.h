// The inside of BuzonMessageModel that its tests look at.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "message-model.h"

G_BEGIN_DECLS

guint    _buzon_message_model_count_objects (BuzonMessageModel *self);
gboolean _buzon_message_model_is_settled    (BuzonMessageModel *self);

G_END_DECLS
