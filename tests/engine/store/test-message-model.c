// Tests of BuzonMessageModel and BuzonMessage: a folder's messages, threads
// and search results as a lazy list that follows the cache.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "engine.h"
#include "imap/imap-uid-set.h"
#include "store-test-helpers.h"
#include "store/message-model-private.h"
#include "store/store-message.h"

typedef struct
{
  Fixture store;
  gint64 inbox;
  gint64 sent;
  BuzonMessageModel *model;
  GPtrArray *shadow; /* What a view saw: the model's rows, rebuilt from "items-changed" alone. */
  guint changes;     /* "items-changed" emissions. */
} ModelFixture;

static void
shadow_items_changed_cb (GListModel   *list,
                         guint         position,
                         guint         removed,
                         guint         added,
                         ModelFixture *f)
{
  g_assert_cmpuint (position + removed, <=, f->shadow->len);
  g_ptr_array_remove_range (f->shadow, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (f->shadow, position + i, g_list_model_get_item (list, position + i));
  g_assert_cmpuint (f->shadow->len, ==, g_list_model_get_n_items (list));
  f->changes++;
}

static void
set_up (ModelFixture *f,
        gconstpointer data)
{
  gint64 ids[3];

  fixture_set_up (&f->store, data);
  three_folders (&f->store, ids);
  f->inbox = ids[0];
  f->sent = ids[1];
  f->shadow = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
spin_until_settled (ModelFixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* One iteration at least: the store's signal comes from an idle. */
  do
    while (g_main_context_iteration (NULL, FALSE))
      ;
  while ((!_buzon_message_model_is_settled (f->model) || g_main_context_pending (NULL))
         && g_get_monotonic_time () < deadline && (g_usleep (1000), TRUE));
  /* A change the store announced may still be waiting for the interval. */
  g_assert_true (_buzon_message_model_is_settled (f->model));
}

static void
watch (ModelFixture      *f,
       BuzonMessageModel *model)
{
  f->model = model;
  g_signal_connect (model, "items-changed", G_CALLBACK (shadow_items_changed_cb), f);
  spin_until_settled (f);
  g_assert_false (buzon_message_model_get_loading (model));
}

static void
tear_down (ModelFixture *f,
           gconstpointer data)
{
  if (f->model != NULL)
    {
      g_ptr_array_set_size (f->shadow, 0);
      /* Its pending reads hold it for a moment; then it goes, and its
       * objects with it. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_finalize_object (f->model);
    }
  g_ptr_array_unref (f->shadow);
  fixture_tear_down (&f->store, data);
}

/* Adds messages @first..@last (UIDs) to @folder; the newest is @last. */
static void
add_messages (ModelFixture *f,
              gint64        folder,
              guint32       first,
              guint32       last,
              const char   *flags)
{
  g_autoptr (BuzonStoreBatch) batch = buzon_store_batch_new (folder);
  g_autoptr (GError) error = NULL;

  for (guint32 uid = first; uid <= last; uid++)
    {
      g_autofree char *subject = g_strdup_printf ("Mensaje %u", uid);
      g_autofree char *id = g_strdup_printf ("m%u.%" G_GINT64_FORMAT "@example.org", uid, folder);

      buzon_store_batch_add_fetch (batch, message (uid, flags, subject, id, "NIL", ""));
    }
  g_assert_true (apply (&f->store, g_steal_pointer (&batch), NULL, &error));
  g_assert_no_error (error);
}

static void
remove_uids (ModelFixture  *f,
             gint64         folder,
             const guint32 *uids,
             guint          n)
{
  g_autoptr (BuzonStoreBatch) batch = buzon_store_batch_new (folder);
  g_autoptr (GArray) ranges = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      BuzonImapUidRange range = { uids[i], uids[i] };

      g_array_append_val (ranges, range);
    }
  buzon_store_batch_remove_uids (batch, ranges);
  g_assert_true (apply (&f->store, g_steal_pointer (&batch), NULL, &error));
  g_assert_no_error (error);
}

/* The folder's message ids, newest first, as the store lists them. */
static GArray *
expected_ids (ModelFixture *f,
              gint64        folder)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) messages = NULL;
  g_autoptr (GError) error = NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  buzon_store_list_messages_async (f->store.store, folder, 0, G_MAXUINT, NULL, store_result_cb,
                                   &result);
  messages = buzon_store_list_messages_finish (f->store.store, wait_for (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < messages->len; i++)
    g_array_append_val (ids, ((BuzonStoreMessage *) messages->pdata[i])->id);
  return ids;
}

/* The model, and what a view saw of it, hold the folder's messages in the
 * store's order, each object filled in with its own message. */
static void
assert_matches_store (ModelFixture *f,
                      gint64        folder)
{
  g_autoptr (GArray) ids = expected_ids (f, folder);
  GListModel *list = G_LIST_MODEL (f->model);

  g_assert_cmpuint (g_list_model_get_n_items (list), ==, ids->len);
  g_assert_cmpuint (f->shadow->len, ==, ids->len);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (BuzonMessage) item = g_list_model_get_item (list, i);

      g_assert_true (item == f->shadow->pdata[i]);
      spin_until_settled (f);
      g_assert_true (buzon_message_get_loaded (item));
      g_assert_cmpint (buzon_message_get_id (item), ==, g_array_index (ids, gint64, i));
    }
}

static void
test_lazy (ModelFixture *f,
           gconstpointer data)
{
  g_autoptr (BuzonMessageModel) model = NULL;
  g_autoptr (BuzonMessage) newest = NULL;
  g_autoptr (BuzonMessage) again = NULL;
  g_autoptr (BuzonMessage) last = NULL;
  guint notified = 0;

  add_messages (f, f->inbox, 1, 50, "\\Seen");
  model = buzon_message_model_new (f->store.store, f->inbox, FALSE);
  /* Empty until the store has read the order, and says so. */
  g_assert_true (buzon_message_model_get_loading (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == BUZON_TYPE_MESSAGE);
  f->model = g_object_ref (model);
  g_signal_connect (model, "items-changed", G_CALLBACK (shadow_items_changed_cb), f);
  spin_until_settled (f);
  g_assert_cmpuint (f->changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 50);
  /* The view took an object for each row (the shadow): drop them, and the
   * model keeps no more than it should. */
  g_ptr_array_set_size (f->shadow, 0);
  g_assert_cmpuint (_buzon_message_model_count_objects (model), <=, 50);

  /* An object comes at once, empty, and fills in. */
  newest = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_nonnull (newest);
  spin_until_settled (f);
  g_assert_true (buzon_message_get_loaded (newest));
  g_assert_cmpuint (buzon_message_get_uid (newest), ==, 50);
  g_assert_cmpstr (buzon_message_get_subject (newest), ==, "Mensaje 50");
  g_assert_cmpstr (buzon_message_get_sender (newest), ==, "María Núñez");
  g_assert_cmpstr (buzon_message_get_sender_address (newest), ==, "maria@example.org");
  g_assert_false (buzon_message_get_unread (newest));
  g_assert_true (buzon_message_get_has_attachment (newest));
  g_assert_cmpint (buzon_message_get_folder_id (newest), ==, f->inbox);
  g_assert_cmpuint (buzon_message_get_thread_count (newest), ==, 1);
  /* The same row gives the same object while someone holds it. */
  again = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_true (again == newest);
  last = g_list_model_get_item (G_LIST_MODEL (model), 49);
  spin_until_settled (f);
  g_assert_cmpuint (buzon_message_get_uid (last), ==, 1);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 50));

  /* A flag changes: the object notifies that one property, and no other. */
  {
    g_autoptr (BuzonStoreBatch) batch = buzon_store_batch_new (f->inbox);
    g_autoptr (GError) error = NULL;
    gulong handler;

    handler = g_signal_connect_swapped (newest, "notify::unread",
                                        G_CALLBACK (g_atomic_int_inc), &notified);
    buzon_store_batch_add_fetch (batch, fetch_from ("* 50 FETCH (UID 50 FLAGS () MODSEQ (900))"
                                                    "\r\n"));
    g_assert_true (apply (&f->store, g_steal_pointer (&batch), NULL, &error));
    g_assert_no_error (error);
    spin_until_settled (f);
    g_signal_handler_disconnect (newest, handler);
  }
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (buzon_message_get_unread (newest));
  g_assert_cmpstr (buzon_message_get_subject (newest), ==, "Mensaje 50");
  /* Nothing else moved. */
  g_assert_cmpuint (f->changes, ==, 1);
}

static void
test_large_folder_reads_only_what_is_asked (ModelFixture *f,
                                            gconstpointer data)
{
  g_autoptr (BuzonMessageModel) model = NULL;
  GListModel *list;

  for (guint32 first = 1; first <= 5000; first += 1000)
    add_messages (f, f->inbox, first, first + 999, "");
  model = buzon_message_model_new (f->store.store, f->inbox, FALSE);
  f->model = g_object_ref (model);
  spin_until_settled (f);
  list = G_LIST_MODEL (model);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 5000);
  g_assert_cmpuint (_buzon_message_model_count_objects (model), ==, 0);
  /* A view scrolls through all of it, a screenful at a time. */
  for (guint position = 0; position < 5000; position += 25)
    {
      for (guint i = position; i < position + 25; i++)
        g_object_unref (g_list_model_get_item (list, i));
      spin_until_settled (f);
    }
  /* Only the last few hundred are still there. */
  g_assert_cmpuint (_buzon_message_model_count_objects (model), <=, 256);
  {
    g_autoptr (BuzonMessage) oldest = g_list_model_get_item (list, 4999);
    g_autoptr (GArray) ids = expected_ids (f, f->inbox);

    spin_until_settled (f);
    g_assert_cmpint (buzon_message_get_id (oldest), ==, g_array_index (ids, gint64, 4999));
  }
}

static void
test_follows_sync (ModelFixture *f,
                   gconstpointer data)
{
  static const guint32 expunged[] = { 3, 10, 11, 12, 25 };
  g_autoptr (BuzonMessage) kept = NULL;
  guint before;

  add_messages (f, f->inbox, 1, 30, "");
  add_messages (f, f->sent, 1, 5, "\\Seen");
  watch (f, buzon_message_model_new (f->store.store, f->inbox, FALSE));
  assert_matches_store (f, f->inbox);
  kept = g_object_ref (f->shadow->pdata[29]);

  /* New mail lands at the top; a view hears of it as one insertion. */
  before = f->changes;
  add_messages (f, f->inbox, 31, 40, "");
  spin_until_settled (f);
  g_assert_cmpuint (f->changes, ==, before + 1);
  assert_matches_store (f, f->inbox);

  /* Expunges in the middle: each run removed on its own, the rest kept. */
  before = f->changes;
  remove_uids (f, f->inbox, expunged, G_N_ELEMENTS (expunged));
  spin_until_settled (f);
  g_assert_cmpuint (f->changes, ==, before + 3);
  assert_matches_store (f, f->inbox);
  /* The objects of the rows that stayed are the ones the view had. */
  g_assert_true (f->shadow->pdata[f->shadow->len - 1] == kept);

  /* Another folder's changes do not touch this one. */
  before = f->changes;
  add_messages (f, f->sent, 6, 9, "");
  spin_until_settled (f);
  g_assert_cmpuint (f->changes, ==, before);
}

static void
test_random_changes (ModelFixture *f,
                     gconstpointer data)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261202);
  guint32 next_uid = 1;

  add_messages (f, f->inbox, 1, 200, "");
  next_uid = 201;
  watch (f, buzon_message_model_new (f->store.store, f->inbox, FALSE));
  for (guint round = 0; round < 25; round++)
    {
      guint32 removed[120];
      guint n_removed = 0;
      /* Some rounds change so much, so scattered, that the model tells it
       * as one change over the span. */
      guint removals = round % 5 == 4 ? 100 : g_rand_int_range (rand, 0, 8);

      for (guint i = 0; i < removals && n_removed < G_N_ELEMENTS (removed); i++)
        removed[n_removed++] = (guint32) g_rand_int_range (rand, 1, (gint32) next_uid);
      if (n_removed > 0)
        remove_uids (f, f->inbox, removed, n_removed);
      if (g_rand_boolean (rand))
        {
          guint32 count = (guint32) g_rand_int_range (rand, 1, 40);

          add_messages (f, f->inbox, next_uid, next_uid + count - 1, "");
          next_uid += count;
        }
      spin_until_settled (f);
      assert_matches_store (f, f->inbox);
    }
}

/* A thread of three (two in the Inbox, the reply in Sent) and a lone one. */
static void
test_threads (ModelFixture *f,
              gconstpointer data)
{
  g_autoptr (BuzonStoreBatch) batch = buzon_store_batch_new (f->inbox);
  g_autoptr (BuzonMessage) thread = NULL;
  g_autoptr (BuzonMessage) lone = NULL;
  g_autoptr (GError) error = NULL;

  buzon_store_batch_add_fetch (batch, message (1, "\\Seen", "Plan", "a@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (2, "", "Otra cosa", "b@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (3, "", "Re: Plan", "c@x", "\"<a@x>\"", "<a@x>"));
  g_assert_true (apply (&f->store, g_steal_pointer (&batch), NULL, &error));
  batch = buzon_store_batch_new (f->sent);
  buzon_store_batch_add_fetch (batch, message (9, "\\Seen", "Re: Plan", "d@x", "\"<c@x>\"",
                                               "<a@x> <c@x>"));
  g_assert_true (apply (&f->store, g_steal_pointer (&batch), NULL, &error));
  g_assert_no_error (error);

  watch (f, buzon_message_model_new (f->store.store, f->inbox, TRUE));
  g_assert_true (buzon_message_model_get_threads (f->model));
  g_assert_cmpuint (f->shadow->len, ==, 2);
  spin_until_settled (f);
  thread = g_object_ref (f->shadow->pdata[0]);
  lone = g_object_ref (f->shadow->pdata[1]);
  /* The thread's row shows its newest message in the folder, and its
   * counts there. */
  g_assert_cmpuint (buzon_message_get_uid (thread), ==, 3);
  g_assert_cmpuint (buzon_message_get_thread_count (thread), ==, 2);
  g_assert_cmpuint (buzon_message_get_thread_unread (thread), ==, 1);
  g_assert_cmpuint (buzon_message_get_uid (lone), ==, 2);
  g_assert_cmpuint (buzon_message_get_thread_count (lone), ==, 1);

  /* A newer reply arrives: the thread's row moves to the top — the same
   * object, now showing the reply. */
  batch = buzon_store_batch_new (f->inbox);
  buzon_store_batch_add_fetch (batch, message (59, "", "Re: Otra cosa", "e@x", "\"<b@x>\"",
                                               "<b@x>"));
  g_assert_true (apply (&f->store, g_steal_pointer (&batch), NULL, &error));
  g_assert_no_error (error);
  spin_until_settled (f);
  g_assert_cmpuint (f->shadow->len, ==, 2);
  g_assert_true (f->shadow->pdata[0] == lone);
  g_assert_true (f->shadow->pdata[1] == thread);
  g_assert_cmpuint (buzon_message_get_uid (lone), ==, 59);
  g_assert_cmpuint (buzon_message_get_thread_count (lone), ==, 2);
  g_assert_cmpuint (buzon_message_get_thread_unread (lone), ==, 2);
}

/* A reply lands in Sent and joins two of the Inbox's threads into one (it
 * answers the first, and the second already answered it): the Inbox's
 * thread list, which the store tells of the change though the batch was
 * Sent's, shows one row where it showed two. */
static void
test_thread_joined_from_another_folder (ModelFixture *f,
                                        gconstpointer data)
{
  g_autoptr (BuzonStoreBatch) batch = buzon_store_batch_new (f->inbox);
  g_autoptr (GError) error = NULL;
  guint changes;

  buzon_store_batch_add_fetch (batch, message (1, "\\Seen", "Hola", "x@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (2, "", "Sobre el viaje", "z@x", "\"<y@x>\"",
                                               "<w@x> <y@x>"));
  g_assert_true (apply (&f->store, g_steal_pointer (&batch), NULL, &error));
  g_assert_no_error (error);
  watch (f, buzon_message_model_new (f->store.store, f->inbox, TRUE));
  g_assert_cmpuint (f->shadow->len, ==, 2);

  changes = f->changes;
  batch = buzon_store_batch_new (f->sent);
  buzon_store_batch_add_fetch (batch, message (7, "\\Seen", "Re: Hola", "y@x", "\"<x@x>\"",
                                               "<x@x>"));
  g_assert_true (apply (&f->store, g_steal_pointer (&batch), NULL, &error));
  g_assert_no_error (error);
  spin_until_settled (f);
  g_assert_cmpuint (f->changes, >, changes);
  g_assert_cmpuint (f->shadow->len, ==, 1);
  g_assert_cmpuint (buzon_message_get_thread_count (f->shadow->pdata[0]), ==, 2);
  g_assert_cmpuint (buzon_message_get_thread_unread (f->shadow->pdata[0]), ==, 1);

  /* A message of a thread of its own elsewhere changes nothing here. */
  changes = f->changes;
  batch = buzon_store_batch_new (f->sent);
  buzon_store_batch_add_fetch (batch, message (8, "\\Seen", "Aparte", "q@x", "NIL", ""));
  g_assert_true (apply (&f->store, g_steal_pointer (&batch), NULL, &error));
  g_assert_no_error (error);
  spin_until_settled (f);
  g_assert_cmpuint (f->changes, ==, changes);
  g_assert_cmpuint (f->shadow->len, ==, 1);
}

static void
test_search (ModelFixture *f,
             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonSearchQuery *query = buzon_search_query_parse ("subject:mensaje is:unread", NULL, &error);

  g_assert_no_error (error);
  add_messages (f, f->inbox, 1, 10, "\\Seen");
  add_messages (f, f->inbox, 11, 14, "");
  add_messages (f, f->sent, 1, 3, "");
  /* Every folder: the Inbox's four unread and the three in Sent. */
  watch (f, buzon_message_model_new_search (f->store.store, 0, query));
  g_assert_cmpuint (f->shadow->len, ==, 7);
  /* The results follow the cache. */
  add_messages (f, f->sent, 4, 5, "");
  spin_until_settled (f);
  g_assert_cmpuint (f->shadow->len, ==, 9);
  for (guint i = 0; i < f->shadow->len; i++)
    {
      spin_until_settled (f);
      g_assert_true (buzon_message_get_unread (f->shadow->pdata[i]));
    }

  /* The server found two more (in bodies the cache lacks): merged in their
   * place, each once, however often they are added. */
  {
    g_autoptr (GArray) inbox = expected_ids (f, f->inbox);
    g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (gint64));
    /* The Inbox's newest four are the unread ones; the next two are read. */
    gint64 read_ids[2] = { g_array_index (inbox, gint64, 4), g_array_index (inbox, gint64, 5) };
    gboolean seen[2] = { FALSE, FALSE };

    g_array_append_vals (found, read_ids, 2);
    buzon_message_model_add_matches (f->model, found);
    buzon_message_model_add_matches (f->model, found);
    spin_until_settled (f);
    g_assert_cmpuint (f->shadow->len, ==, 11);
    for (guint i = 0; i < f->shadow->len; i++)
      for (guint j = 0; j < 2; j++)
        if (buzon_message_get_id (f->shadow->pdata[i]) == read_ids[j])
          {
            g_assert_false (seen[j]);
            seen[j] = TRUE;
            g_assert_false (buzon_message_get_unread (f->shadow->pdata[i]));
          }
    g_assert_true (seen[0] && seen[1]);
  }
}

static void
test_closed_store (ModelFixture *f,
                   gconstpointer data)
{
  add_messages (f, f->inbox, 1, 5, "");
  watch (f, buzon_message_model_new (f->store.store, f->inbox, FALSE));
  g_assert_null (buzon_message_model_get_error (f->model));
  buzon_store_close (f->store.store);
  /* A change announced after the cache closed: the model keeps what it had
   * and says why it could not read more. */
  g_signal_emit_by_name (f->store.store, "folder-changed", f->inbox);
  spin_until_settled (f);
  g_assert_error (buzon_message_model_get_error (f->model), BUZON_STORE_ERROR,
                  BUZON_STORE_ERROR_CLOSED);
  g_assert_cmpuint (f->shadow->len, ==, 5);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

#define ADD(name, func)                                                                            \
  g_test_add (name, ModelFixture, NULL, set_up, func, tear_down)
  ADD ("/message-model/lazy", test_lazy);
  ADD ("/message-model/large-folder-reads-only-what-is-asked",
       test_large_folder_reads_only_what_is_asked);
  ADD ("/message-model/follows-sync", test_follows_sync);
  ADD ("/message-model/random-changes", test_random_changes);
  ADD ("/message-model/threads", test_threads);
  ADD ("/message-model/thread-joined-from-another-folder", test_thread_joined_from_another_folder);
  ADD ("/message-model/search", test_search);
  ADD ("/message-model/closed-store", test_closed_store);
#undef ADD

  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
