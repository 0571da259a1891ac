// BuzonMessage: one row of a message list, as an object a view can bind
// to; its properties fill in when the store has read the row, and change
// as sync and the user's operations change the message.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BUZON_TYPE_MESSAGE (buzon_message_get_type ())

G_DECLARE_FINAL_TYPE (BuzonMessage, buzon_message, BUZON, MESSAGE, GObject)

gboolean    buzon_message_get_loaded         (BuzonMessage *self);
gint64      buzon_message_get_id             (BuzonMessage *self);
gint64      buzon_message_get_folder_id      (BuzonMessage *self);
guint32     buzon_message_get_uid            (BuzonMessage *self);
const char *buzon_message_get_subject        (BuzonMessage *self);
const char *buzon_message_get_sender         (BuzonMessage *self);
const char *buzon_message_get_sender_name    (BuzonMessage *self);
const char *buzon_message_get_sender_address (BuzonMessage *self);
const char *buzon_message_get_to             (BuzonMessage *self);
const char *buzon_message_get_cc             (BuzonMessage *self);
gint64      buzon_message_get_date           (BuzonMessage *self);
guint64     buzon_message_get_size           (BuzonMessage *self);
gboolean    buzon_message_get_unread         (BuzonMessage *self);
gboolean    buzon_message_get_flagged        (BuzonMessage *self);
gboolean    buzon_message_get_answered       (BuzonMessage *self);
gboolean    buzon_message_get_draft          (BuzonMessage *self);
const char *buzon_message_get_keywords       (BuzonMessage *self);
gboolean    buzon_message_get_has_attachment (BuzonMessage *self);
const char *buzon_message_get_preview        (BuzonMessage *self);
const char *buzon_message_get_message_id     (BuzonMessage *self);
gint64      buzon_message_get_thread_id      (BuzonMessage *self);
guint       buzon_message_get_thread_count   (BuzonMessage *self);
guint       buzon_message_get_thread_unread  (BuzonMessage *self);

G_END_DECLS
