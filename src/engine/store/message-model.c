// BuzonMessageModel: a folder's messages, threads or search results as a
// lazy GListModel that follows the cache.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The model holds the list's order as keys (a message's id, or a thread's,
// and the date it sorts by: 16 bytes a row, 1.6 MB for 100,000 messages)
// and makes a BuzonMessage only for a row someone asks for. The object
// comes back at once, empty ("loaded" FALSE), and the rows asked for in
// one main-loop iteration (a view's screenful) are read from the store in
// one query, after which their properties fill in. The model keeps the
// last few hundred objects it handed out; the others live as long as
// whoever took them holds them, and asking for the same row again while
// one does gives the same object back.
//
// When the store says the folder changed, the model reads the order again
// (on the store's thread; at most one read in flight and, while sync is
// landing batch after batch, no more than one every "refresh-interval":
// BuzonRefreshThrottle), compares it with the one it has, which is cheap
// since both are sorted, and emits "items-changed" for each run of rows
// that went or came, so that a view keeps its scroll position and
// selection across a new message at the top or one expunged in the middle.
// It then reads again the rows it has objects for, whose flags may have
// changed.

#include "config.h"

#include "message-model-private.h"
#include "message-private.h"
#include "refresh-throttle-private.h"
#include "store-message-keys.h"

/* How many objects the model keeps alive of those it handed out. */
#define KEEP_OBJECTS 256
/* How many rows one query reads at most. */
#define ROWS_PER_QUERY 256
/* The least time between two reads of the order while changes keep
 * coming, by default ("refresh-interval"). */
#define REFRESH_INTERVAL_MS 150
/* More runs of changes than this in one refresh are emitted as a single
 * change over their span: each run moves the rest of the order. */
#define MAX_RUNS 64

struct _BuzonMessageModel
{
  GObject parent_instance;

  BuzonStore *store;
  gint64 folder_id;
  gboolean threads;
  BuzonSearchQuery *query; /* Owned; NULL unless a search. */
  GArray *also;            /* gint64: the server's matches, for a search. */

  GArray *keys;       /* BuzonStoreMessageKey: the order, newest first. */
  GHashTable *objects; /* key -> BuzonMessage, weak: removed as each goes. */
  GQueue kept;        /* Strong references to the last objects handed out. */
  GHashTable *wanted; /* Keys whose rows to read (a set). */

  GCancellable *cancellable;
  gulong folder_changed_handler;
  guint rows_source;
  gboolean reading_rows;
  BuzonRefreshThrottle refresh; /* Reads of the order; "refresh-interval". */
  gboolean loading;
  GError *error;
};

static void buzon_message_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BuzonMessageModel, buzon_message_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      buzon_message_model_list_model_init))

enum
{
  PROP_0,
  PROP_STORE,
  PROP_FOLDER_ID,
  PROP_THREADS,
  PROP_QUERY,
  PROP_REFRESH_INTERVAL,
  PROP_LOADING,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void want_rows (BuzonMessageModel *self, gint64 key);

static BuzonStoreListKind
kind (BuzonMessageModel *self)
{
  return self->threads ? BUZON_STORE_LIST_THREADS : BUZON_STORE_LIST_MESSAGES;
}

static void
set_error (BuzonMessageModel *self,
           GError            *error)
{
  if (error == NULL && self->error == NULL)
    return;
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

/* Objects. */

static void
object_gone_cb (gpointer  user_data,
                GObject  *where_the_object_was)
{
  BuzonMessageModel *self = user_data;
  /* Still readable: weak references are dropped as it is disposed. */
  gint64 key = _buzon_message_get_key ((BuzonMessage *) where_the_object_was);

  g_hash_table_remove (self->objects, &key);
}

static void
keep (BuzonMessageModel *self,
      BuzonMessage      *message)
{
  GList *link = g_queue_find (&self->kept, message);

  if (link != NULL)
    {
      g_queue_unlink (&self->kept, link);
      g_queue_push_head_link (&self->kept, link);
      return;
    }
  g_queue_push_head (&self->kept, g_object_ref (message));
  if (self->kept.length > KEEP_OBJECTS)
    g_object_unref (g_queue_pop_tail (&self->kept));
}

/* Rows. */

static gboolean dispatch_rows_cb (gpointer user_data);

static void
schedule_rows (BuzonMessageModel *self)
{
  if (self->rows_source != 0 || self->reading_rows || g_hash_table_size (self->wanted) == 0)
    return;
  /* After the rest of this iteration: a view asks for a screenful of rows
   * one by one, and they go in one query. */
  self->rows_source = g_idle_add_full (G_PRIORITY_DEFAULT, dispatch_rows_cb, g_object_ref (self),
                                       g_object_unref);
}

static void
want_rows (BuzonMessageModel *self,
           gint64             key)
{
  g_hash_table_add (self->wanted, g_memdup2 (&key, sizeof key));
  schedule_rows (self);
}

static void
rows_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (BuzonMessageModel) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;

  rows = buzon_store_get_message_rows_finish (BUZON_STORE (source), result, &error);
  self->reading_rows = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (rows == NULL)
    {
      set_error (self, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      const BuzonStoreMessageRow *row = g_ptr_array_index (rows, i);
      BuzonMessage *message = g_hash_table_lookup (self->objects, &row->key);

      /* Held while its handlers run: they may ask for other rows, and the
       * model let go of its own reference to make room. */
      if (message != NULL)
        {
          g_autoptr (BuzonMessage) held = g_object_ref (message);

          _buzon_message_update (held, row);
        }
    }
  schedule_rows (self);
}

static gboolean
dispatch_rows_cb (gpointer user_data)
{
  BuzonMessageModel *self = user_data;
  g_autoptr (GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gpointer key;

  self->rows_source = 0;
  g_hash_table_iter_init (&iter, self->wanted);
  while (keys->len < ROWS_PER_QUERY && g_hash_table_iter_next (&iter, &key, NULL))
    {
      /* Objects let go of since they were asked for need no row. */
      if (g_hash_table_contains (self->objects, key))
        g_array_append_val (keys, *(gint64 *) key);
      g_hash_table_iter_remove (&iter);
    }
  if (keys->len > 0)
    {
      self->reading_rows = TRUE;
      buzon_store_get_message_rows_async (self->store, self->folder_id, kind (self), keys,
                                          self->cancellable, rows_cb, g_object_ref (self));
    }
  else
    schedule_rows (self);
  return G_SOURCE_REMOVE;
}

/* The order. */

/* Makes the model's order @next, telling listeners run by run. */
static void
apply_order (BuzonMessageModel *self,
             GArray            *next)
{
  const BuzonStoreMessageKey *old = (const BuzonStoreMessageKey *) (gpointer) self->keys->data;
  const BuzonStoreMessageKey *new = (const BuzonStoreMessageKey *) (gpointer) next->data;
  g_autoptr (GArray) runs = g_array_new (FALSE, FALSE, sizeof (guint) * 3);
  guint i = 0, j = 0;

  /* A merge of two sorted lists: a key in one and not at the same place
   * in the other went (old) or came (new). A run is a stretch of those
   * between rows that stayed: (position in the new order, removed, added). */
  while (i < self->keys->len || j < next->len)
    {
      guint run[3];

      if (i < self->keys->len && j < next->len
          && buzon_store_message_key_compare (&old[i], &new[j]) == 0)
        {
          i++, j++;
          continue;
        }
      run[0] = j;
      run[1] = run[2] = 0;
      while (i < self->keys->len || j < next->len)
        {
          int order;

          if (i >= self->keys->len)
            order = 1;
          else if (j >= next->len)
            order = -1;
          else
            order = buzon_store_message_key_compare (&old[i], &new[j]);
          if (order == 0)
            break;
          if (order < 0)
            i++, run[1]++;
          else
            j++, run[2]++;
        }
      g_array_append_vals (runs, run, 1);
    }
  if (runs->len == 0)
    return;

  if (runs->len > MAX_RUNS)
    {
      guint *first = (guint *) (gpointer) runs->data;
      guint *last = first + 3 * (runs->len - 1);
      guint position = first[0];
      guint removed = self->keys->len - (next->len - (last[0] + last[2])) - position;
      guint added = last[0] + last[2] - position;

      g_array_unref (self->keys);
      self->keys = g_array_ref (next);
      g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
      return;
    }

  /* Each run is applied and told before the next, so that a listener that
   * reads the model in between finds it as the signal says. */
  for (guint r = 0; r < runs->len; r++)
    {
      const guint *run = (const guint *) (gpointer) runs->data + 3 * r;

      if (run[1] > 0)
        g_array_remove_range (self->keys, run[0], run[1]);
      if (run[2] > 0)
        g_array_insert_vals (self->keys, run[0], &new[run[0]], run[2]);
      g_list_model_items_changed (G_LIST_MODEL (self), run[0], run[1], run[2]);
    }
}

static void
keys_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (BuzonMessageModel) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) keys = NULL;
  GHashTableIter iter;
  gpointer key;

  keys = buzon_store_list_message_keys_finish (BUZON_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      _buzon_refresh_throttle_done (&self->refresh, TRUE);
      return;
    }
  if (keys == NULL)
    set_error (self, g_steal_pointer (&error));
  else
    {
      set_error (self, NULL);
      apply_order (self, keys);
      /* The rows shown may have changed too (flags, a thread's newest). */
      g_hash_table_iter_init (&iter, self->objects);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        want_rows (self, *(gint64 *) key);
    }
  if (self->loading)
    {
      self->loading = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
  _buzon_refresh_throttle_done (&self->refresh, FALSE);
}

/* Reads the order (BuzonRefreshStart). */
static void
read_order (gpointer owner)
{
  BuzonMessageModel *self = owner;

  buzon_store_list_message_keys_async (self->store, self->folder_id, kind (self), self->query,
                                       self->also, self->cancellable, keys_cb,
                                       g_object_ref (self));
}

static void
store_folder_changed_cb (BuzonStore        *store,
                         gint64             folder_id,
                         BuzonMessageModel *self)
{
  /* A search over the whole account follows every folder. */
  if (folder_id == self->folder_id || self->folder_id == 0)
    _buzon_refresh_throttle_request (&self->refresh);
}

/* GListModel. */

static GType
buzon_message_model_get_item_type (GListModel *list)
{
  return BUZON_TYPE_MESSAGE;
}

static guint
buzon_message_model_get_n_items (GListModel *list)
{
  return BUZON_MESSAGE_MODEL (list)->keys->len;
}

static gpointer
buzon_message_model_get_item (GListModel *list,
                              guint       position)
{
  BuzonMessageModel *self = BUZON_MESSAGE_MODEL (list);
  const BuzonStoreMessageKey *key;
  BuzonMessage *message;

  if (position >= self->keys->len)
    return NULL;
  key = &g_array_index (self->keys, BuzonStoreMessageKey, position);
  message = g_hash_table_lookup (self->objects, &key->key);
  if (message == NULL)
    {
      message = _buzon_message_new (key->key);
      g_hash_table_insert (self->objects, g_memdup2 (&key->key, sizeof key->key), message);
      g_object_weak_ref (G_OBJECT (message), object_gone_cb, self);
      want_rows (self, key->key);
      keep (self, message);
      g_object_unref (message);
    }
  else
    keep (self, message);
  return g_object_ref (message);
}

static void
buzon_message_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = buzon_message_model_get_item_type;
  iface->get_n_items = buzon_message_model_get_n_items;
  iface->get_item = buzon_message_model_get_item;
}

/* GObject. */

static void
buzon_message_model_constructed (GObject *object)
{
  BuzonMessageModel *self = BUZON_MESSAGE_MODEL (object);

  G_OBJECT_CLASS (buzon_message_model_parent_class)->constructed (object);

  self->folder_changed_handler = g_signal_connect (self->store, "folder-changed",
                                                   G_CALLBACK (store_folder_changed_cb), self);
  _buzon_refresh_throttle_start (&self->refresh);
}

static void
buzon_message_model_dispose (GObject *object)
{
  BuzonMessageModel *self = BUZON_MESSAGE_MODEL (object);
  GHashTableIter iter;
  gpointer value;

  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->folder_changed_handler, self->store);
  g_queue_clear_full (&self->kept, g_object_unref);
  if (self->objects != NULL)
    {
      g_hash_table_iter_init (&iter, self->objects);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_object_weak_unref (value, object_gone_cb, self);
      g_hash_table_remove_all (self->objects);
    }

  G_OBJECT_CLASS (buzon_message_model_parent_class)->dispose (object);
}

static void
buzon_message_model_finalize (GObject *object)
{
  BuzonMessageModel *self = BUZON_MESSAGE_MODEL (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->query, buzon_search_query_free);
  g_clear_pointer (&self->also, g_array_unref);
  g_clear_pointer (&self->keys, g_array_unref);
  g_clear_pointer (&self->objects, g_hash_table_unref);
  g_clear_pointer (&self->wanted, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (buzon_message_model_parent_class)->finalize (object);
}

static void
buzon_message_model_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BuzonMessageModel *self = BUZON_MESSAGE_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_FOLDER_ID:
      g_value_set_int64 (value, self->folder_id);
      break;
    case PROP_THREADS:
      g_value_set_boolean (value, self->threads);
      break;
    case PROP_QUERY:
      g_value_set_pointer (value, self->query);
      break;
    case PROP_REFRESH_INTERVAL:
      g_value_set_uint (value, self->refresh.interval_ms);
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
buzon_message_model_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BuzonMessageModel *self = BUZON_MESSAGE_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_FOLDER_ID:
      self->folder_id = g_value_get_int64 (value);
      break;
    case PROP_THREADS:
      self->threads = g_value_get_boolean (value);
      break;
    case PROP_QUERY:
      self->query = g_value_get_pointer (value);
      break;
    case PROP_REFRESH_INTERVAL:
      self->refresh.interval_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_message_model_class_init (BuzonMessageModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = buzon_message_model_constructed;
  object_class->dispose = buzon_message_model_dispose;
  object_class->finalize = buzon_message_model_finalize;
  object_class->get_property = buzon_message_model_get_property;
  object_class->set_property = buzon_message_model_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, BUZON_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The folder, or 0 for a search over the whole account. */
  properties[PROP_FOLDER_ID] =
    g_param_spec_int64 ("folder-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* One row per thread rather than per message. */
  properties[PROP_THREADS] =
    g_param_spec_boolean ("threads", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* A BuzonSearchQuery, or NULL; the model takes it and frees it. */
  properties[PROP_QUERY] =
    g_param_spec_pointer ("query", NULL, NULL,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The least time, in milliseconds, between two reads of the order while
   * changes keep coming (a sync landing batch after batch): each read of a
   * large folder costs the store's thread a few milliseconds. */
  properties[PROP_REFRESH_INTERVAL] =
    g_param_spec_uint ("refresh-interval", NULL, NULL, 0, 60000, REFRESH_INTERVAL_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* TRUE until the order has been read once (the model is empty till then). */
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
buzon_message_model_init (BuzonMessageModel *self)
{
  self->keys = g_array_new (FALSE, FALSE, sizeof (BuzonStoreMessageKey));
  self->objects = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->wanted = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_queue_init (&self->kept);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  _buzon_refresh_throttle_init (&self->refresh, G_OBJECT (self), read_order,
                                REFRESH_INTERVAL_MS);
}

/**
 * buzon_message_model_new:
 * @store: an open store
 * @folder_id: the folder
 * @threads: one row per thread (its newest message in the folder, with the
 *   thread's counts there) rather than one per message
 *
 * The folder's messages, newest first. The model is empty (and "loading")
 * until the store has read the order, a moment later.
 *
 * Returns: (transfer full): the model
 */
BuzonMessageModel *
buzon_message_model_new (BuzonStore *store,
                         gint64      folder_id,
                         gboolean    threads)
{
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (folder_id > 0, NULL);

  return g_object_new (BUZON_TYPE_MESSAGE_MODEL, "store", store, "folder-id", folder_id,
                       "threads", threads, NULL);
}

/**
 * buzon_message_model_new_search:
 * @store: an open store
 * @folder_id: the folder to search, or 0 for every folder of the account
 * @query: (transfer full): what to look for
 *
 * The cached messages that match @query, newest first, as a folder's
 * messages are; the results follow the cache as it changes.
 *
 * Returns: (transfer full): the model
 */
BuzonMessageModel *
buzon_message_model_new_search (BuzonStore       *store,
                                gint64            folder_id,
                                BuzonSearchQuery *query)
{
  BuzonMessageModel *self;

  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  self = g_object_new (BUZON_TYPE_MESSAGE_MODEL, "store", store, "folder-id", folder_id,
                       "query", query, NULL);
  return self;
}

BuzonStore *
buzon_message_model_get_store (BuzonMessageModel *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_MODEL (self), NULL);
  return self->store;
}

gint64
buzon_message_model_get_folder_id (BuzonMessageModel *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_MODEL (self), 0);
  return self->folder_id;
}

gboolean
buzon_message_model_get_threads (BuzonMessageModel *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_MODEL (self), FALSE);
  return self->threads;
}

gboolean
buzon_message_model_get_loading (BuzonMessageModel *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_MODEL (self), FALSE);
  return self->loading;
}

/**
 * buzon_message_model_get_error:
 *
 * Returns: (nullable) (transfer none): why the cache could not be read the
 *   last time the model tried, or NULL
 */
const GError *
buzon_message_model_get_error (BuzonMessageModel *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_MODEL (self), NULL);
  return self->error;
}

/**
 * buzon_message_model_add_matches:
 * @message_ids: (element-type gint64): cached messages that match the
 *   search too: what the server's SEARCH found in bodies the cache does
 *   not have yet (buzon_server_search_all_async())
 *
 * Merges them into a search's results, each once, in their place by date;
 * they stay in the results as the cache changes, as long as they are in
 * it.
 */
void
buzon_message_model_add_matches (BuzonMessageModel *self,
                                 const GArray      *message_ids)
{
  g_return_if_fail (BUZON_IS_MESSAGE_MODEL (self));
  g_return_if_fail (self->query != NULL);
  g_return_if_fail (message_ids != NULL);

  if (self->also == NULL)
    self->also = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_vals (self->also, message_ids->data, message_ids->len);
  _buzon_refresh_throttle_request (&self->refresh);
}

/**
 * buzon_message_model_find:
 * @message: an object the model handed out
 * @position: (out) (optional): its row
 *
 * Where @message is now, to keep it selected or to scroll back to it.
 *
 * Returns: whether it is still in the list
 */
gboolean
buzon_message_model_find (BuzonMessageModel *self,
                          BuzonMessage      *message,
                          guint             *position)
{
  gint64 key;

  g_return_val_if_fail (BUZON_IS_MESSAGE_MODEL (self), FALSE);
  g_return_val_if_fail (BUZON_IS_MESSAGE (message), FALSE);

  key = _buzon_message_get_key (message);
  for (guint i = 0; i < self->keys->len; i++)
    if (g_array_index (self->keys, BuzonStoreMessageKey, i).key == key)
      {
        if (position != NULL)
          *position = i;
        return TRUE;
      }
  return FALSE;
}

/* How many objects for rows exist now (held by the model or by others). */
guint
_buzon_message_model_count_objects (BuzonMessageModel *self)
{
  return g_hash_table_size (self->objects);
}

/* Whether nothing is being read or waits to be. */
gboolean
_buzon_message_model_is_settled (BuzonMessageModel *self)
{
  return !_buzon_refresh_throttle_is_busy (&self->refresh) && !self->reading_rows
         && self->rows_source == 0 && g_hash_table_size (self->wanted) == 0;
}
