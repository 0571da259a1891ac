// BuzonMessage: one row of a message list, as an object a view can bind
// to.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The model makes one as soon as a view asks for its row, empty, and asks
// the store for the row; the properties fill in (and notify) when it
// comes, and again whenever sync or the user changes the message. Only
// the properties whose value changed notify.

#include "config.h"

#include "message-private.h"
#include "notify-private.h"
#include "store-summary.h"

struct _BuzonMessage
{
  GObject parent_instance;

  gint64 key; /* The model's: the message's id, or in a thread list the thread's. */
  gboolean loaded;
  gint64 id;
  gint64 folder_id;
  guint32 uid;
  char *subject;
  char *sender_name;
  char *sender_address;
  char *to;
  char *cc;
  gint64 date;
  guint64 size;
  gboolean unread;
  gboolean flagged;
  gboolean answered;
  gboolean draft;
  char *keywords;
  gboolean has_attachment;
  char *preview;
  char *message_id;
  gint64 thread_id;
  guint thread_count;
  guint thread_unread;
};

G_DEFINE_FINAL_TYPE (BuzonMessage, buzon_message, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LOADED,
  PROP_ID,
  PROP_FOLDER_ID,
  PROP_UID,
  PROP_SUBJECT,
  PROP_SENDER,
  PROP_SENDER_NAME,
  PROP_SENDER_ADDRESS,
  PROP_TO,
  PROP_CC,
  PROP_DATE,
  PROP_SIZE,
  PROP_UNREAD,
  PROP_FLAGGED,
  PROP_ANSWERED,
  PROP_DRAFT,
  PROP_KEYWORDS,
  PROP_HAS_ATTACHMENT,
  PROP_PREVIEW,
  PROP_MESSAGE_ID,
  PROP_THREAD_ID,
  PROP_THREAD_COUNT,
  PROP_THREAD_UNREAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
buzon_message_finalize (GObject *object)
{
  BuzonMessage *self = BUZON_MESSAGE (object);

  g_free (self->subject);
  g_free (self->sender_name);
  g_free (self->sender_address);
  g_free (self->to);
  g_free (self->cc);
  g_free (self->keywords);
  g_free (self->preview);
  g_free (self->message_id);

  G_OBJECT_CLASS (buzon_message_parent_class)->finalize (object);
}

static void
buzon_message_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BuzonMessage *self = BUZON_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, buzon_message_get_loaded (self));
      break;
    case PROP_ID:
      g_value_set_int64 (value, buzon_message_get_id (self));
      break;
    case PROP_FOLDER_ID:
      g_value_set_int64 (value, buzon_message_get_folder_id (self));
      break;
    case PROP_UID:
      g_value_set_uint (value, buzon_message_get_uid (self));
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, buzon_message_get_subject (self));
      break;
    case PROP_SENDER:
      g_value_set_string (value, buzon_message_get_sender (self));
      break;
    case PROP_SENDER_NAME:
      g_value_set_string (value, buzon_message_get_sender_name (self));
      break;
    case PROP_SENDER_ADDRESS:
      g_value_set_string (value, buzon_message_get_sender_address (self));
      break;
    case PROP_TO:
      g_value_set_string (value, buzon_message_get_to (self));
      break;
    case PROP_CC:
      g_value_set_string (value, buzon_message_get_cc (self));
      break;
    case PROP_DATE:
      g_value_set_int64 (value, buzon_message_get_date (self));
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, buzon_message_get_size (self));
      break;
    case PROP_UNREAD:
      g_value_set_boolean (value, buzon_message_get_unread (self));
      break;
    case PROP_FLAGGED:
      g_value_set_boolean (value, buzon_message_get_flagged (self));
      break;
    case PROP_ANSWERED:
      g_value_set_boolean (value, buzon_message_get_answered (self));
      break;
    case PROP_DRAFT:
      g_value_set_boolean (value, buzon_message_get_draft (self));
      break;
    case PROP_KEYWORDS:
      g_value_set_string (value, buzon_message_get_keywords (self));
      break;
    case PROP_HAS_ATTACHMENT:
      g_value_set_boolean (value, buzon_message_get_has_attachment (self));
      break;
    case PROP_PREVIEW:
      g_value_set_string (value, buzon_message_get_preview (self));
      break;
    case PROP_MESSAGE_ID:
      g_value_set_string (value, buzon_message_get_message_id (self));
      break;
    case PROP_THREAD_ID:
      g_value_set_int64 (value, buzon_message_get_thread_id (self));
      break;
    case PROP_THREAD_COUNT:
      g_value_set_uint (value, buzon_message_get_thread_count (self));
      break;
    case PROP_THREAD_UNREAD:
      g_value_set_uint (value, buzon_message_get_thread_unread (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_message_class_init (BuzonMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_message_finalize;
  object_class->get_property = buzon_message_get_property;

  /* Whether the store has read the row yet; until then the other properties are empty. */
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The message's id in the store. */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The store's id of the message's folder. */
  properties[PROP_FOLDER_ID] =
    g_param_spec_int64 ("folder-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The message's UID in its folder. */
  properties[PROP_UID] =
    g_param_spec_uint ("uid", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The subject, decoded. */
  properties[PROP_SUBJECT] =
    g_param_spec_string ("subject", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Who sent it, for people: the name, else the address. */
  properties[PROP_SENDER] =
    g_param_spec_string ("sender", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The first From's name, or NULL. */
  properties[PROP_SENDER_NAME] =
    g_param_spec_string ("sender-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The first From's address. */
  properties[PROP_SENDER_ADDRESS] =
    g_param_spec_string ("sender-address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The To addresses, decoded. */
  properties[PROP_TO] =
    g_param_spec_string ("to", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The Cc addresses, decoded. */
  properties[PROP_CC] =
    g_param_spec_string ("cc", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* When it was sent: the Date header, else INTERNALDATE; Unix time. */
  properties[PROP_DATE] =
    g_param_spec_int64 ("date", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Its size on the server, in bytes. */
  properties[PROP_SIZE] =
    g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Not \Seen. */
  properties[PROP_UNREAD] =
    g_param_spec_boolean ("unread", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* \Flagged. */
  properties[PROP_FLAGGED] =
    g_param_spec_boolean ("flagged", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* \Answered. */
  properties[PROP_ANSWERED] =
    g_param_spec_boolean ("answered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* \Draft. */
  properties[PROP_DRAFT] =
    g_param_spec_boolean ("draft", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Other flags, space separated, or NULL. */
  properties[PROP_KEYWORDS] =
    g_param_spec_string ("keywords", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Whether it has an attachment. */
  properties[PROP_HAS_ATTACHMENT] =
    g_param_spec_boolean ("has-attachment", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The start of its text, or NULL. */
  properties[PROP_PREVIEW] =
    g_param_spec_string ("preview", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Its Message-ID, without angle brackets. */
  properties[PROP_MESSAGE_ID] =
    g_param_spec_string ("message-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The store's id of its thread. */
  properties[PROP_THREAD_ID] =
    g_param_spec_int64 ("thread-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* In a thread list, the thread's messages in the folder; else 1. */
  properties[PROP_THREAD_COUNT] =
    g_param_spec_uint ("thread-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* In a thread list, the thread's unread messages in the folder. */
  properties[PROP_THREAD_UNREAD] =
    g_param_spec_uint ("thread-unread", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
buzon_message_init (BuzonMessage *self)
{
  self->thread_count = 1;
}

BuzonMessage *
_buzon_message_new (gint64 key)
{
  BuzonMessage *self = g_object_new (BUZON_TYPE_MESSAGE, NULL);

  self->key = key;
  return self;
}

gint64
_buzon_message_get_key (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), 0);
  return self->key;
}

/* Each setter notifies only when the value changes. */

#define set_string(self, field, value, prop_id)                                                   \
  _buzon_set_string (G_OBJECT (self), (field), (value), properties[prop_id])
#define SET_VALUE(self, field, value, prop_id)                                                     \
  _BUZON_SET_VALUE ((self), (self)->field, (value), properties[prop_id])

/* Takes the row's values; notifies, once the last is in, those that
 * changed (and "sender" with either of its parts). */
void
_buzon_message_update (BuzonMessage               *self,
                       const BuzonStoreMessageRow *row)
{
  const BuzonStoreMessage *m = row->message;
  g_autofree char *old_sender = g_strdup (buzon_message_get_sender (self));

  g_return_if_fail (BUZON_IS_MESSAGE (self));

  g_object_freeze_notify (G_OBJECT (self));
  SET_VALUE (self, id, m->id, PROP_ID);
  SET_VALUE (self, folder_id, m->folder_id, PROP_FOLDER_ID);
  SET_VALUE (self, uid, m->uid, PROP_UID);
  set_string (self, &self->subject, m->subject, PROP_SUBJECT);
  set_string (self, &self->sender_name, m->sender_name, PROP_SENDER_NAME);
  set_string (self, &self->sender_address, m->sender_address, PROP_SENDER_ADDRESS);
  if (g_strcmp0 (old_sender, buzon_message_get_sender (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENDER]);
  set_string (self, &self->to, m->to_list, PROP_TO);
  set_string (self, &self->cc, m->cc_list, PROP_CC);
  SET_VALUE (self, date, m->date, PROP_DATE);
  SET_VALUE (self, size, m->size, PROP_SIZE);
  SET_VALUE (self, unread, (m->flags & BUZON_STORE_FLAG_SEEN) == 0, PROP_UNREAD);
  SET_VALUE (self, flagged, (m->flags & BUZON_STORE_FLAG_FLAGGED) != 0, PROP_FLAGGED);
  SET_VALUE (self, answered, (m->flags & BUZON_STORE_FLAG_ANSWERED) != 0, PROP_ANSWERED);
  SET_VALUE (self, draft, (m->flags & BUZON_STORE_FLAG_DRAFT) != 0, PROP_DRAFT);
  set_string (self, &self->keywords, m->keywords, PROP_KEYWORDS);
  SET_VALUE (self, has_attachment, m->has_attachment, PROP_HAS_ATTACHMENT);
  set_string (self, &self->preview, m->preview, PROP_PREVIEW);
  set_string (self, &self->message_id, m->message_id, PROP_MESSAGE_ID);
  SET_VALUE (self, thread_id, m->thread_id, PROP_THREAD_ID);
  SET_VALUE (self, thread_count, row->thread_count, PROP_THREAD_COUNT);
  SET_VALUE (self, thread_unread, row->thread_unread, PROP_THREAD_UNREAD);
  /* Last, so that whoever waits for it finds the rest in place. */
  SET_VALUE (self, loaded, TRUE, PROP_LOADED);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Getters. */

gboolean
buzon_message_get_loaded (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), FALSE);
  return self->loaded;
}

gint64
buzon_message_get_id (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), 0);
  return self->id;
}

gint64
buzon_message_get_folder_id (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), 0);
  return self->folder_id;
}

guint32
buzon_message_get_uid (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), 0);
  return self->uid;
}

const char *
buzon_message_get_subject (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), NULL);
  return self->subject;
}

/**
 * buzon_message_get_sender:
 *
 * Returns: (nullable): the sender's name when the message gives one, else
 *   the address
 */
const char *
buzon_message_get_sender (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), NULL);
  return self->sender_name != NULL && *self->sender_name != '\0' ? self->sender_name
                                                                  : self->sender_address;
}

const char *
buzon_message_get_sender_name (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), NULL);
  return self->sender_name;
}

const char *
buzon_message_get_sender_address (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), NULL);
  return self->sender_address;
}

const char *
buzon_message_get_to (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), NULL);
  return self->to;
}

const char *
buzon_message_get_cc (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), NULL);
  return self->cc;
}

gint64
buzon_message_get_date (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), 0);
  return self->date;
}

guint64
buzon_message_get_size (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), 0);
  return self->size;
}

gboolean
buzon_message_get_unread (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), FALSE);
  return self->unread;
}

gboolean
buzon_message_get_flagged (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), FALSE);
  return self->flagged;
}

gboolean
buzon_message_get_answered (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), FALSE);
  return self->answered;
}

gboolean
buzon_message_get_draft (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), FALSE);
  return self->draft;
}

const char *
buzon_message_get_keywords (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), NULL);
  return self->keywords;
}

gboolean
buzon_message_get_has_attachment (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), FALSE);
  return self->has_attachment;
}

const char *
buzon_message_get_preview (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), NULL);
  return self->preview;
}

const char *
buzon_message_get_message_id (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), NULL);
  return self->message_id;
}

gint64
buzon_message_get_thread_id (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), 0);
  return self->thread_id;
}

guint
buzon_message_get_thread_count (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), 0);
  return self->thread_count;
}

guint
buzon_message_get_thread_unread (BuzonMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE (self), 0);
  return self->thread_unread;
}
