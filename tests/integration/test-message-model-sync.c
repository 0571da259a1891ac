// The message and folder models against a real sync from the fixture
// Dovecot: what a window would show while a first sync lands and after
// another client changed the mailbox.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "engine.h"
#include "imap-session-helpers.h"
#include "store/folder-model.h"
#include "store/message-model-private.h"
#include "store/store-message.h"
#include "sync-test-helpers.h"
#include "sync/folder-sync.h"

#define MESSAGES 2000

typedef struct
{
  Fixture sync;
  BuzonMessageModel *model;
  GPtrArray *shadow; /* The rows as a view rebuilt them from "items-changed". */
  guint changes;
  guint largest_change;
  gboolean syncing;
  gboolean rows_before_sync_ended;
} ModelFixture;

static void
items_changed_cb (GListModel   *list,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ModelFixture *f)
{
  g_ptr_array_remove_range (f->shadow, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (f->shadow, position + i, g_list_model_get_item (list, position + i));
  f->changes++;
  if (f->syncing && g_list_model_get_n_items (list) > 0)
    f->rows_before_sync_ended = TRUE;
  f->largest_change = MAX (f->largest_change, added);
}

static void
set_up (ModelFixture *f,
        gconstpointer data)
{
  sync_fixture_set_up (&f->sync, MESSAGES, "");
  f->shadow = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
tear_down (ModelFixture *f,
           gconstpointer data)
{
  g_ptr_array_unref (f->shadow);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (f->model != NULL)
    g_assert_finalize_object (f->model);
  sync_fixture_tear_down (&f->sync);
}

static void
spin_until_settled (ModelFixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  do
    while (g_main_context_iteration (NULL, FALSE))
      ;
  while ((!_buzon_message_model_is_settled (f->model) || g_main_context_pending (NULL))
         && g_get_monotonic_time () < deadline && (g_usleep (1000), TRUE));
  g_assert_true (_buzon_message_model_is_settled (f->model));
}

/* Long enough for the folder model's last read, which waits out its
 * interval (150 ms). */
static void
spin_for (guint milliseconds)
{
  gint64 until = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static void
sync_inbox (ModelFixture *f)
{
  g_autoptr (BuzonStoreFolder) folder = store_folder (&f->sync, "INBOX");
  g_autoptr (BuzonFolderSync) sync = buzon_folder_sync_new (f->sync.session, f->sync.store,
                                                            folder);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BuzonFolderSyncResult summary;

  /* Batches of 50: 40 of them, which the sync hands to the store in five
   * jobs or more (the first alone, then 8 at most: folder-sync.c's
   * HOLD_BATCHES), so that the view sees the rows come in steps. */
  g_object_set (sync, "batch-size", 50, NULL);
  f->syncing = TRUE;
  buzon_folder_sync_run_async (sync, NULL, store_result_cb, &result);
  wait_for (&result);
  f->syncing = FALSE;
  g_assert_true (buzon_folder_sync_run_finish (sync, result, &summary, &error));
  g_test_message ("sync: path %d, %u added, %u updated, %u removed", summary.path, summary.added,
                  summary.updated, summary.removed);
  g_assert_no_error (error);
}

/* The message with @uid in the rows a view saw, or NULL. */
static BuzonMessage *
row_with_uid (ModelFixture *f,
              guint32       uid)
{
  for (guint i = 0; i < f->shadow->len; i++)
    if (buzon_message_get_uid (f->shadow->pdata[i]) == uid)
      return f->shadow->pdata[i];
  return NULL;
}

static void
assert_view_is_cache (ModelFixture *f)
{
  g_autoptr (BuzonStoreFolder) folder = store_folder (&f->sync, "INBOX");
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) messages = NULL;
  g_autoptr (GError) error = NULL;

  buzon_store_list_messages_async (f->sync.store, folder->id, 0, G_MAXUINT, NULL,
                                   store_result_cb, &result);
  messages = buzon_store_list_messages_finish (f->sync.store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->shadow->len, ==, messages->len);
  spin_until_settled (f);
  for (guint i = 0; i < messages->len; i++)
    {
      const BuzonStoreMessage *message = messages->pdata[i];
      BuzonMessage *row = f->shadow->pdata[i];

      g_assert_true (buzon_message_get_loaded (row));
      g_assert_cmpuint (buzon_message_get_uid (row), ==, message->uid);
      g_assert_cmpint (buzon_message_get_unread (row), ==,
                       (message->flags & BUZON_STORE_FLAG_SEEN) == 0);
    }
}

static void
test_first_sync_then_changes (ModelFixture *f,
                              gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->sync.servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (BuzonStoreFolder) inbox = store_folder (&f->sync, "INBOX");
  g_autoptr (BuzonFolderModel) folders = buzon_folder_model_new (f->sync.store);
  g_autoptr (BuzonMessage) flagged = NULL;
  BuzonFolder *inbox_row;
  guint changes_before;

  /* A window open on the empty Inbox while its first sync runs. */
  f->model = buzon_message_model_new (f->sync.store, inbox->id, FALSE);
  /* Loopback syncs two thousand messages in less than the default interval. */
  g_object_set (f->model, "refresh-interval", 0, NULL);
  g_signal_connect (f->model, "items-changed", G_CALLBACK (items_changed_cb), f);
  spin_until_settled (f);
  g_assert_cmpuint (f->shadow->len, ==, 0);
  sync_inbox (f);
  spin_until_settled (f);
  /* It filled in as the batches landed, not all at the end. */
  g_assert_cmpuint (f->changes, >=, 2);
  g_assert_cmpuint (f->largest_change, <, MESSAGES);
  g_assert_true (f->rows_before_sync_ended);
  g_assert_cmpuint (f->shadow->len, ==, MESSAGES);
  assert_view_is_cache (f);
  spin_for (400);
  inbox_row = buzon_folder_model_find_special_use (folders, BUZON_IMAP_SPECIAL_USE_NONE);
  g_assert_nonnull (inbox_row);
  g_assert_cmpuint (buzon_folder_get_total_count (inbox_row), ==, MESSAGES);
  g_assert_true (buzon_folder_get_synced (inbox_row));

  /* Another client reads one, expunges two, and new mail arrives. */
  flagged = g_object_ref (row_with_uid (f, 500));
  g_assert_true (buzon_message_get_unread (flagged));
  run_with_mailbox (connection, "SELECT", "INBOX");
  run_raw (connection, "UID STORE", "500 +FLAGS (\\Seen \\Flagged)");
  run_raw (connection, "UID STORE", "100,900 +FLAGS (\\Deleted)");
  run_raw (connection, "EXPUNGE", NULL);
  append_to (connection, "INBOX", "nuevo");
  changes_before = f->changes;
  sync_inbox (f);
  spin_until_settled (f);

  assert_view_is_cache (f);
  g_assert_cmpuint (f->shadow->len, ==, MESSAGES - 2 + 1);
  /* Told as small changes a view can keep its place through. */
  g_assert_cmpuint (f->changes - changes_before, >=, 2);
  g_assert_null (row_with_uid (f, 100));
  g_assert_null (row_with_uid (f, 900));
  /* The same object, its flags changed. */
  g_assert_true (row_with_uid (f, 500) == flagged);
  g_assert_false (buzon_message_get_unread (flagged));
  g_assert_true (buzon_message_get_flagged (flagged));
  assert_view_is_cache (f);
  spin_for (400);
  g_assert_cmpuint (buzon_folder_get_total_count (inbox_row), ==, MESSAGES - 1);
  logout (other);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

  g_test_add ("/message-model-sync/first-sync-then-changes", ModelFixture, NULL, set_up,
              test_first_sync_then_changes, tear_down);
  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
