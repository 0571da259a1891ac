// BuzonFolder: one folder of an account, as an object a sidebar can bind
// to: its name, what it is for, and its counts, which change as sync and
// the user's operations land.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "folder-private.h"
#include "notify-private.h"

struct _BuzonFolder
{
  GObject parent_instance;

  gint64 id;
  char *raw_name;
  char *name;
  char *display_name;
  guint depth;
  guint special_use;
  gboolean selectable;
  guint total_count;
  guint unread_count;
  gboolean synced;
};

G_DEFINE_FINAL_TYPE (BuzonFolder, buzon_folder, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_RAW_NAME,
  PROP_NAME,
  PROP_DISPLAY_NAME,
  PROP_DEPTH,
  PROP_SPECIAL_USE,
  PROP_SELECTABLE,
  PROP_TOTAL_COUNT,
  PROP_UNREAD_COUNT,
  PROP_SYNCED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
buzon_folder_finalize (GObject *object)
{
  BuzonFolder *self = BUZON_FOLDER (object);

  g_free (self->raw_name);
  g_free (self->name);
  g_free (self->display_name);

  G_OBJECT_CLASS (buzon_folder_parent_class)->finalize (object);
}

static void
buzon_folder_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  BuzonFolder *self = BUZON_FOLDER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_RAW_NAME:
      g_value_set_string (value, self->raw_name);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_DEPTH:
      g_value_set_uint (value, self->depth);
      break;
    case PROP_SPECIAL_USE:
      g_value_set_uint (value, self->special_use);
      break;
    case PROP_SELECTABLE:
      g_value_set_boolean (value, self->selectable);
      break;
    case PROP_TOTAL_COUNT:
      g_value_set_uint (value, self->total_count);
      break;
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;
    case PROP_SYNCED:
      g_value_set_boolean (value, self->synced);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_folder_class_init (BuzonFolderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_folder_finalize;
  object_class->get_property = buzon_folder_get_property;

  /* The folder's id in the store. */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Its name as the server spells it. */
  properties[PROP_RAW_NAME] =
    g_param_spec_string ("raw-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Its whole name, for people: "Projects/2026". */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The last part of its name: "2026"; "Inbox" for INBOX. */
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* How deep it sits under other folders: 0 at the top. */
  properties[PROP_DEPTH] =
    g_param_spec_uint ("depth", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* What it is for (a BuzonImapSpecialUse): Sent, Trash…. */
  properties[PROP_SPECIAL_USE] =
    g_param_spec_uint ("special-use", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Whether it can hold messages (not \Noselect). */
  properties[PROP_SELECTABLE] =
    g_param_spec_boolean ("selectable", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Its messages: the cache's once it is complete, else the server's count. */
  properties[PROP_TOTAL_COUNT] =
    g_param_spec_uint ("total-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Its unread messages, the same way. */
  properties[PROP_UNREAD_COUNT] =
    g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Whether the cache has every message of its last sync. */
  properties[PROP_SYNCED] =
    g_param_spec_boolean ("synced", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
buzon_folder_init (BuzonFolder *self)
{
}

#define set_string(self, field, value, prop_id)                                                   \
  _buzon_set_string (G_OBJECT (self), (field), (value), properties[prop_id])
#define SET_VALUE(self, field, value, prop_id)                                                     \
  _BUZON_SET_VALUE ((self), (self)->field, (value), properties[prop_id])

BuzonFolder *
_buzon_folder_new (gint64 id)
{
  BuzonFolder *self = g_object_new (BUZON_TYPE_FOLDER, NULL);

  self->id = id;
  return self;
}

/* Takes what the store now says of the folder; notifies, once all is in,
 * what changed. */
void
_buzon_folder_update (BuzonFolder            *self,
                      const BuzonStoreFolder *folder)
{
  g_autofree char *display_name = NULL;
  guint depth = 0;

  g_return_if_fail (BUZON_IS_FOLDER (self));

  if (g_ascii_strcasecmp (folder->raw_name, "INBOX") == 0)
    /* Translators: the folder where new mail arrives. */
    display_name = g_strdup (_("Inbox"));
  else if (folder->delimiter != 0)
    {
      char delimiter[8] = { 0 };
      const char *last;

      g_unichar_to_utf8 (folder->delimiter, delimiter);
      last = g_strrstr (folder->name, delimiter);
      display_name = g_strdup (last != NULL ? last + strlen (delimiter) : folder->name);
      for (const char *p = strstr (folder->name, delimiter); p != NULL;
           p = strstr (p + strlen (delimiter), delimiter))
        depth++;
    }
  else
    display_name = g_strdup (folder->name);

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->raw_name, folder->raw_name, PROP_RAW_NAME);
  set_string (self, &self->name, folder->name, PROP_NAME);
  set_string (self, &self->display_name, display_name, PROP_DISPLAY_NAME);
  SET_VALUE (self, depth, depth, PROP_DEPTH);
  SET_VALUE (self, special_use, (guint) folder->special_use, PROP_SPECIAL_USE);
  SET_VALUE (self, selectable, (folder->flags & BUZON_IMAP_MAILBOX_NOSELECT) == 0, PROP_SELECTABLE);
  /* Until the first sync is complete, the cache holds part of the folder:
   * the server's counts say more. */
  SET_VALUE (self, total_count,
             folder->first_sync_done ? folder->cached_count
                                     : MAX (folder->cached_count, folder->exists_count),
             PROP_TOTAL_COUNT);
  SET_VALUE (self, unread_count,
             folder->first_sync_done ? folder->cached_unseen
                                     : MAX (folder->cached_unseen, folder->unseen_count),
             PROP_UNREAD_COUNT);
  SET_VALUE (self, synced, folder->first_sync_done, PROP_SYNCED);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Getters. */

gint64
buzon_folder_get_id (BuzonFolder *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER (self), 0);
  return self->id;
}

const char *
buzon_folder_get_raw_name (BuzonFolder *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER (self), NULL);
  return self->raw_name;
}

const char *
buzon_folder_get_name (BuzonFolder *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER (self), NULL);
  return self->name;
}

const char *
buzon_folder_get_display_name (BuzonFolder *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER (self), NULL);
  return self->display_name;
}

guint
buzon_folder_get_depth (BuzonFolder *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER (self), 0);
  return self->depth;
}

BuzonImapSpecialUse
buzon_folder_get_special_use (BuzonFolder *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER (self), 0);
  return self->special_use;
}

gboolean
buzon_folder_get_selectable (BuzonFolder *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER (self), FALSE);
  return self->selectable;
}

guint
buzon_folder_get_total_count (BuzonFolder *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER (self), 0);
  return self->total_count;
}

guint
buzon_folder_get_unread_count (BuzonFolder *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER (self), 0);
  return self->unread_count;
}

gboolean
buzon_folder_get_synced (BuzonFolder *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER (self), FALSE);
  return self->synced;
}
