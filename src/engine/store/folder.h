// BuzonFolder: one folder of an account, as an object a sidebar can bind
// to; its counts change as sync and the user's operations land.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib-object.h>

#include "imap/imap-mailbox.h"

G_BEGIN_DECLS

#define BUZON_TYPE_FOLDER (buzon_folder_get_type ())

G_DECLARE_FINAL_TYPE (BuzonFolder, buzon_folder, BUZON, FOLDER, GObject)

gint64              buzon_folder_get_id           (BuzonFolder *self);
const char         *buzon_folder_get_raw_name     (BuzonFolder *self);
const char         *buzon_folder_get_name         (BuzonFolder *self);
const char         *buzon_folder_get_display_name (BuzonFolder *self);
guint               buzon_folder_get_depth        (BuzonFolder *self);
BuzonImapSpecialUse buzon_folder_get_special_use  (BuzonFolder *self);
gboolean            buzon_folder_get_selectable   (BuzonFolder *self);
guint               buzon_folder_get_total_count  (BuzonFolder *self);
guint               buzon_folder_get_unread_count (BuzonFolder *self);
gboolean            buzon_folder_get_synced       (BuzonFolder *self);

G_END_DECLS
