// BuzonFolderModel: an account's folders, in a sidebar's order, following
// the cache.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The order: the Inbox, then the folders with a special use in the order
// people look for them (Drafts, Sent, Archive, Junk, Trash, then the
// virtual ones: All, Flagged, Important), then the others by name, which
// puts each folder's children right under it. When the store says the
// folder list or a folder's messages changed, the model lists the folders
// again (one read in flight, no more than one every REFRESH_INTERVAL_MS
// while sync lands: BuzonRefreshThrottle), updates the objects it has in
// place, so that a count changing notifies only that count, and emits
// "items-changed" over the stretch where folders came, went or moved.

#include "config.h"

#include <string.h>

#include "folder-model.h"
#include "folder-private.h"
#include "refresh-throttle-private.h"
#include "store-folder.h"

#define REFRESH_INTERVAL_MS 150

struct _BuzonFolderModel
{
  GObject parent_instance;

  BuzonStore *store;
  GPtrArray *folders; /* BuzonFolder, in order. */
  GCancellable *cancellable;
  gulong folders_changed_handler;
  gulong folder_changed_handler;
  BuzonRefreshThrottle refresh; /* Reads of the folder list. */
  gboolean loading;
  GError *error;
};

static void buzon_folder_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BuzonFolderModel, buzon_folder_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      buzon_folder_model_list_model_init))

enum
{
  PROP_0,
  PROP_STORE,
  PROP_LOADING,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Where a folder goes: lower first. */
static int
rank (const BuzonStoreFolder *folder)
{
  static const BuzonImapSpecialUse order[] = {
    BUZON_IMAP_SPECIAL_USE_DRAFTS, BUZON_IMAP_SPECIAL_USE_SENT,    BUZON_IMAP_SPECIAL_USE_ARCHIVE,
    BUZON_IMAP_SPECIAL_USE_JUNK,   BUZON_IMAP_SPECIAL_USE_TRASH,   BUZON_IMAP_SPECIAL_USE_ALL,
    BUZON_IMAP_SPECIAL_USE_FLAGGED, BUZON_IMAP_SPECIAL_USE_IMPORTANT,
  };

  if (g_ascii_strcasecmp (folder->raw_name, "INBOX") == 0)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (folder->special_use == order[i])
      return 1 + (int) i;
  return 1 + G_N_ELEMENTS (order);
}

static int
compare_folders (gconstpointer a,
                 gconstpointer b)
{
  const BuzonStoreFolder *x = *(BuzonStoreFolder * const *) a;
  const BuzonStoreFolder *y = *(BuzonStoreFolder * const *) b;
  int order = rank (x) - rank (y);

  if (order != 0)
    return order;
  order = g_utf8_collate (x->name, y->name);
  return order != 0 ? order : strcmp (x->raw_name, y->raw_name);
}

static void
set_error (BuzonFolderModel *self,
           GError           *error)
{
  if (error == NULL && self->error == NULL)
    return;
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

/* Makes the model's folders @listed (sorted), keeping the objects of the
 * folders that stay. */
static void
apply_folders (BuzonFolderModel *self,
               GPtrArray        *listed)
{
  g_autoptr (GPtrArray) next = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                          NULL);
  guint prefix = 0, suffix = 0;
  guint removed, added;

  for (guint i = 0; i < self->folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (self->folders, i);

      g_hash_table_insert (by_id, g_memdup2 (&(gint64) { buzon_folder_get_id (folder) },
                                             sizeof (gint64)), folder);
    }
  for (guint i = 0; i < listed->len; i++)
    {
      const BuzonStoreFolder *stored = g_ptr_array_index (listed, i);
      BuzonFolder *folder = g_hash_table_lookup (by_id, &stored->id);

      folder = folder != NULL ? g_object_ref (folder) : _buzon_folder_new (stored->id);
      _buzon_folder_update (folder, stored);
      g_ptr_array_add (next, folder);
    }

  while (prefix < next->len && prefix < self->folders->len
         && next->pdata[prefix] == self->folders->pdata[prefix])
    prefix++;
  while (suffix < next->len - prefix && suffix < self->folders->len - prefix
         && next->pdata[next->len - 1 - suffix]
              == self->folders->pdata[self->folders->len - 1 - suffix])
    suffix++;
  removed = self->folders->len - prefix - suffix;
  added = next->len - prefix - suffix;
  g_ptr_array_unref (self->folders);
  self->folders = g_steal_pointer (&next);
  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, added);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (BuzonFolderModel) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listed = NULL;

  listed = buzon_store_list_folders_finish (BUZON_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      _buzon_refresh_throttle_done (&self->refresh, TRUE);
      return;
    }
  if (listed == NULL)
    set_error (self, g_steal_pointer (&error));
  else
    {
      set_error (self, NULL);
      g_ptr_array_sort (listed, compare_folders);
      apply_folders (self, listed);
    }
  if (self->loading)
    {
      self->loading = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
  _buzon_refresh_throttle_done (&self->refresh, FALSE);
}

/* Lists the folders (BuzonRefreshStart). */
static void
read_folders (gpointer owner)
{
  BuzonFolderModel *self = owner;

  buzon_store_list_folders_async (self->store, self->cancellable, list_cb, g_object_ref (self));
}

static void
store_changed_cb (BuzonFolderModel *self)
{
  _buzon_refresh_throttle_request (&self->refresh);
}

/* GListModel. */

static GType
buzon_folder_model_get_item_type (GListModel *list)
{
  return BUZON_TYPE_FOLDER;
}

static guint
buzon_folder_model_get_n_items (GListModel *list)
{
  return BUZON_FOLDER_MODEL (list)->folders->len;
}

static gpointer
buzon_folder_model_get_item (GListModel *list,
                             guint       position)
{
  BuzonFolderModel *self = BUZON_FOLDER_MODEL (list);

  if (position >= self->folders->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->folders, position));
}

static void
buzon_folder_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = buzon_folder_model_get_item_type;
  iface->get_n_items = buzon_folder_model_get_n_items;
  iface->get_item = buzon_folder_model_get_item;
}

/* GObject. */

static void
buzon_folder_model_constructed (GObject *object)
{
  BuzonFolderModel *self = BUZON_FOLDER_MODEL (object);

  G_OBJECT_CLASS (buzon_folder_model_parent_class)->constructed (object);

  /* A folder's messages changing changes its counts. */
  self->folders_changed_handler = g_signal_connect_swapped (self->store, "folders-changed",
                                                            G_CALLBACK (store_changed_cb), self);
  self->folder_changed_handler = g_signal_connect_swapped (self->store, "folder-changed",
                                                           G_CALLBACK (store_changed_cb), self);
  _buzon_refresh_throttle_start (&self->refresh);
}

static void
buzon_folder_model_dispose (GObject *object)
{
  BuzonFolderModel *self = BUZON_FOLDER_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->folders_changed_handler, self->store);
  g_clear_signal_handler (&self->folder_changed_handler, self->store);
  if (self->folders != NULL)
    g_ptr_array_set_size (self->folders, 0);

  G_OBJECT_CLASS (buzon_folder_model_parent_class)->dispose (object);
}

static void
buzon_folder_model_finalize (GObject *object)
{
  BuzonFolderModel *self = BUZON_FOLDER_MODEL (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (buzon_folder_model_parent_class)->finalize (object);
}

static void
buzon_folder_model_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  BuzonFolderModel *self = BUZON_FOLDER_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_folder_model_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  BuzonFolderModel *self = BUZON_FOLDER_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_folder_model_class_init (BuzonFolderModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = buzon_folder_model_constructed;
  object_class->dispose = buzon_folder_model_dispose;
  object_class->finalize = buzon_folder_model_finalize;
  object_class->get_property = buzon_folder_model_get_property;
  object_class->set_property = buzon_folder_model_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, BUZON_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* TRUE until the folders have been read once. */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Why the cache could not be read the last time, or NULL. */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
buzon_folder_model_init (BuzonFolderModel *self)
{
  self->folders = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  _buzon_refresh_throttle_init (&self->refresh, G_OBJECT (self), read_folders,
                                REFRESH_INTERVAL_MS);
}

/**
 * buzon_folder_model_new:
 * @store: an open store
 *
 * The account's folders as the cache knows them. The model is empty (and
 * "loading") until the store has listed them, a moment later.
 *
 * Returns: (transfer full): the model
 */
BuzonFolderModel *
buzon_folder_model_new (BuzonStore *store)
{
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);

  return g_object_new (BUZON_TYPE_FOLDER_MODEL, "store", store, NULL);
}

BuzonStore *
buzon_folder_model_get_store (BuzonFolderModel *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER_MODEL (self), NULL);
  return self->store;
}

gboolean
buzon_folder_model_get_loading (BuzonFolderModel *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER_MODEL (self), FALSE);
  return self->loading;
}

/**
 * buzon_folder_model_get_error:
 *
 * Returns: (nullable) (transfer none): why the cache could not be read the
 *   last time the model tried, or NULL
 */
const GError *
buzon_folder_model_get_error (BuzonFolderModel *self)
{
  g_return_val_if_fail (BUZON_IS_FOLDER_MODEL (self), NULL);
  return self->error;
}

/**
 * buzon_folder_model_find:
 * @id: a folder's id in the store
 *
 * Returns: (nullable) (transfer none): the folder, or NULL
 */
BuzonFolder *
buzon_folder_model_find (BuzonFolderModel *self,
                         gint64            id)
{
  g_return_val_if_fail (BUZON_IS_FOLDER_MODEL (self), NULL);

  for (guint i = 0; i < self->folders->len; i++)
    if (buzon_folder_get_id (g_ptr_array_index (self->folders, i)) == id)
      return g_ptr_array_index (self->folders, i);
  return NULL;
}

/**
 * buzon_folder_model_find_special_use:
 *
 * The account's Sent folder, say. %BUZON_IMAP_SPECIAL_USE_NONE finds the
 * Inbox.
 *
 * Returns: (nullable) (transfer none): the first folder for that use, or NULL
 */
BuzonFolder *
buzon_folder_model_find_special_use (BuzonFolderModel    *self,
                                     BuzonImapSpecialUse  special_use)
{
  g_return_val_if_fail (BUZON_IS_FOLDER_MODEL (self), NULL);

  for (guint i = 0; i < self->folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (self->folders, i);

      if (special_use == BUZON_IMAP_SPECIAL_USE_NONE
            ? g_ascii_strcasecmp (buzon_folder_get_raw_name (folder), "INBOX") == 0
            : buzon_folder_get_special_use (folder) == special_use)
        return folder;
    }
  return NULL;
}
