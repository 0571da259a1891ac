// BuzonFolderSync against the fixture Dovecot, on each path.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A first sync of hundreds of messages (newest first, in batches, resumed
// without duplicates or gaps after being cut off), then every change another
// client makes (flags, keywords, new mail, expunges, a UIDVALIDITY reset)
// found by QRESYNC, by CONDSTORE with Dovecot's QRESYNC hidden, and by
// comparing flags with CONDSTORE hidden too. After every run the cache must
// equal what the server says, message for message.

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "engine.h"
#include "imap/imap-error.h"
#include "imap/imap-uid-set.h"
#include "imap-session-helpers.h"
#include "sync-test-helpers.h"
#include "store/store-folder.h"
#include "store/store-summary.h"
#include "store/store.h"
#include "imap/imap-mailbox.h"
#include "sync/folder-sync.h"

#define MESSAGES 400
/* Small batches, so that a first sync has many: 40, more than can be
 * fetched and not applied at once (see sync_folder()). */
#define BATCH 10

typedef struct
{
  const char *options;
  BuzonFolderSyncPath resync_path;
} Variant;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  const Variant *variant = data;

  sync_fixture_set_up (f, MESSAGES, variant->options);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  sync_fixture_tear_down (f);
}

typedef struct
{
  guint calls;
  guint last_fetched;
  guint total;
  GCancellable *cancel_at_first;
} Progress;

static void
progress_cb (BuzonFolderSync *sync,
             guint            fetched,
             guint            total,
             gpointer         user_data)
{
  Progress *progress = user_data;

  progress->calls++;
  g_assert_cmpuint (fetched, >=, progress->last_fetched);
  progress->last_fetched = fetched;
  progress->total = total;
  if (progress->cancel_at_first != NULL)
    g_cancellable_cancel (progress->cancel_at_first);
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static gboolean
sync_folder (Fixture               *f,
             const char            *name,
             Progress              *progress,
             GCancellable          *cancellable,
             BuzonFolderSyncResult *summary,
             GError               **error)
{
  g_autoptr (BuzonStoreFolder) folder = store_folder (f, name);
  g_autoptr (BuzonFolderSync) sync = buzon_folder_sync_new (f->session, f->store, folder);
  g_autoptr (GAsyncResult) result = NULL;

  /* Small batches, so that a first sync has many: more than the sync
   * fetches ahead of the store (MAX_APPLYING + MAX_FETCHES in
   * folder-sync.c), so that a cancel at the first batch always stops it
   * short, however slow the store is. */
  g_object_set (sync, "batch-size", BATCH, NULL);
  if (progress != NULL)
    g_signal_connect (sync, "progress", G_CALLBACK (progress_cb), progress);
  buzon_folder_sync_run_async (sync, cancellable, store_result_cb, &result);
  return buzon_folder_sync_run_finish (sync, wait_for (&result), summary, error);
}

/* What STATUS says of @mailbox now, as the account's LIST-STATUS would:
 * with nothing selected, since a server may answer STATUS of its selected
 * mailbox with what it last told the session (Dovecot does). */
static BuzonImapMailboxStatus *
status_of (Fixture    *f,
           const char *mailbox)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BuzonImapMailboxStatus *status;

  if (buzon_imap_session_get_state (f->session) == BUZON_IMAP_SESSION_SELECTED)
    {
      g_assert_true (unselect (f->session, &error));
      g_assert_no_error (error);
    }
  buzon_imap_session_status_async (f->session, mailbox, NULL, store_result_cb, &result);
  status = buzon_imap_session_status_finish (f->session, wait_for (&result), &error);
  g_assert_no_error (error);
  return status;
}

static void
sync_with_status (Fixture               *f,
                  const char            *name,
                  BuzonFolderSyncResult *summary)
{
  g_autoptr (BuzonStoreFolder) folder = store_folder (f, name);
  g_autoptr (BuzonFolderSync) sync = buzon_folder_sync_new (f->session, f->store, folder);
  g_autoptr (BuzonImapMailboxStatus) status = status_of (f, folder->raw_name);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_folder_sync_set_status (sync, status);
  buzon_folder_sync_run_async (sync, NULL, store_result_cb, &result);
  g_assert_true (buzon_folder_sync_run_finish (sync, wait_for (&result), summary, &error));
  g_assert_no_error (error);
}

/* The tests. */

static void
test_first_sync_and_resync (Fixture      *f,
                            gconstpointer data)
{
  const Variant *variant = data;
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  BuzonFolderSyncResult summary;
  Progress progress = { 0 };

  /* Cut off after the first batch: what arrived stays. */
  progress.cancel_at_first = cancellable;
  g_assert_false (sync_folder (f, "INBOX", &progress, cancellable, &summary, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (progress.calls, >=, 1);
  g_assert_cmpuint (progress.total, ==, MESSAGES);
  {
    g_autoptr (BuzonStoreFolder) folder = store_folder (f, "INBOX");

    g_assert_cmpuint (folder->cached_count, >, 0);
    g_assert_cmpuint (folder->cached_count, <, MESSAGES);
    g_assert_false (folder->first_sync_done);
  }
  {
    /* Newest first: the first batch (the BATCH highest UIDs) arrived
     * whole, and nothing below what the batches in flight at the cancel
     * could hold (the first, 8 fetches, 20 batches waiting for the store
     * or held, the job being applied: folder-sync.c's MAX_FETCHES and
     * MAX_APPLYING). */
    g_autofree char *cache = cache_state (f, "INBOX");
    g_auto (GStrv) rows = g_strsplit (cache, ";", -1);
    guint count = g_strv_length (rows) - 1;

    g_assert_cmpuint (count, >=, BATCH);
    for (guint i = 0; i < BATCH; i++)
      g_assert_cmpuint (g_ascii_strtoull (rows[count - 1 - i], NULL, 10), ==, MESSAGES - i);
    g_assert_cmpuint (g_ascii_strtoull (rows[0], NULL, 10), >, MESSAGES - BATCH * 30);
  }

  /* Resumed: the rest, nothing twice. */
  memset (&progress, 0, sizeof progress);
  g_assert_true (sync_folder (f, "INBOX", &progress, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpint (summary.path, ==, BUZON_FOLDER_SYNC_FIRST);
  g_assert_cmpuint (progress.total + 0, <, MESSAGES);
  assert_cache_matches (f, "INBOX", "INBOX");
  {
    g_autoptr (BuzonStoreFolder) folder = store_folder (f, "INBOX");

    g_assert_cmpuint (folder->cached_count, ==, MESSAGES);
    g_assert_true (folder->first_sync_done);
  }

  /* Nothing changed: nothing to do. */
  g_assert_true (sync_folder (f, "INBOX", NULL, NULL, &summary, &error));
  g_assert_cmpint (summary.path, ==, variant->resync_path);
  g_assert_cmpuint (summary.added + summary.updated + summary.removed, ==, 0);

  /* Another client flags, tags, expunges and delivers. */
  run_with_mailbox (connection, "SELECT", "INBOX");
  run_raw (connection, "UID STORE", "5 +FLAGS (\\Flagged $Trabajo)");
  run_raw (connection, "UID STORE", "6:8 +FLAGS (\\Seen)");
  run_raw (connection, "UID STORE", "10,20,30 +FLAGS (\\Deleted)");
  run_raw (connection, "EXPUNGE", NULL);
  append_to (connection, "INBOX", "nuevo-1");
  append_to (connection, "INBOX", "nuevo-2");
  /* More new mail than a batch holds (BATCH here): it comes in slices. */
  for (guint i = 0; i < 120; i++)
    {
      g_autofree char *subject = g_strdup_printf ("lote-%u", i);
      append_to (connection, "INBOX", subject);
    }

  {
    guint jobs = 0;
    gulong id = g_signal_connect_swapped (f->store, "folder-changed", G_CALLBACK (count_cb), &jobs);

    g_assert_true (sync_folder (f, "INBOX", NULL, NULL, &summary, &error));
    g_signal_handler_disconnect (f->store, id);
    /* Sliced: the first slice went as soon as it was full, the rest after
     * it (held together, or not), not all in one at the end. */
    g_assert_cmpuint (jobs, >=, 2);
  }
  g_assert_no_error (error);
  g_assert_cmpint (summary.path, ==, variant->resync_path);
  g_assert_cmpuint (summary.added, ==, 122);
  g_assert_cmpuint (summary.removed, ==, 3);
  g_assert_cmpuint (summary.updated, >=, 4);
  assert_cache_matches (f, "INBOX", "INBOX");

  /* Only an expunge (the counts catch it on the CONDSTORE path). */
  run_raw (connection, "UID STORE", "40 +FLAGS (\\Deleted)");
  run_raw (connection, "EXPUNGE", NULL);
  g_assert_true (sync_folder (f, "INBOX", NULL, NULL, &summary, &error));
  g_assert_cmpuint (summary.removed, ==, 1);
  assert_cache_matches (f, "INBOX", "INBOX");
  logout (other);
}

/* With STATUS's counters in hand, a folder nobody touched is not even
 * selected; any change (a flag, an expunge, new mail) makes the counters
 * differ, and the usual path finds it. Without CONDSTORE the counters
 * cannot tell flag changes: every run takes the usual path. */
static void
test_status_shortcut (Fixture      *f,
                      gconstpointer data)
{
  const Variant *variant = data;
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  BuzonFolderSyncPath idle_path = variant->resync_path == BUZON_FOLDER_SYNC_FLAGS
                                    ? BUZON_FOLDER_SYNC_FLAGS
                                    : BUZON_FOLDER_SYNC_UNCHANGED;
  g_autoptr (GError) error = NULL;
  BuzonFolderSyncResult summary;

  g_assert_true (sync_folder (f, "INBOX", NULL, NULL, &summary, &error));
  g_assert_no_error (error);
  sync_with_status (f, "INBOX", &summary);
  g_assert_cmpint (summary.path, ==, idle_path);
  g_assert_cmpuint (summary.added + summary.updated + summary.removed, ==, 0);

  run_with_mailbox (connection, "SELECT", "INBOX");
  run_raw (connection, "UID STORE", "7 +FLAGS (\\Seen)");
  sync_with_status (f, "INBOX", &summary);
  g_assert_cmpint (summary.path, ==, variant->resync_path);
  g_assert_cmpuint (summary.updated, ==, 1);
  assert_cache_matches (f, "INBOX", "INBOX");

  run_raw (connection, "UID STORE", "9 +FLAGS (\\Deleted)");
  run_raw (connection, "EXPUNGE", NULL);
  sync_with_status (f, "INBOX", &summary);
  g_assert_cmpint (summary.path, ==, variant->resync_path);
  g_assert_cmpuint (summary.removed, ==, 1);
  assert_cache_matches (f, "INBOX", "INBOX");

  append_to (connection, "INBOX", "nuevo");
  sync_with_status (f, "INBOX", &summary);
  g_assert_cmpint (summary.path, ==, variant->resync_path);
  g_assert_cmpuint (summary.added, ==, 1);
  assert_cache_matches (f, "INBOX", "INBOX");

  sync_with_status (f, "INBOX", &summary);
  g_assert_cmpint (summary.path, ==, idle_path);
  assert_cache_matches (f, "INBOX", "INBOX");
  logout (other);
}

/* A mailbox deleted and made again has a new UIDVALIDITY: the cache of it
 * is dropped and fetched anew. */
static void
test_uidvalidity_reset (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (GError) error = NULL;
  BuzonFolderSyncResult summary;

  run_with_mailbox (connection, "CREATE", "Lista");
  append_to (connection, "Lista", "uno");
  append_to (connection, "Lista", "dos");
  g_assert_true (sync_folder (f, "Lista", NULL, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.added, ==, 2);

  run_with_mailbox (connection, "DELETE", "Lista");
  run_with_mailbox (connection, "CREATE", "Lista");
  append_to (connection, "Lista", "tres");
  g_assert_true (sync_folder (f, "Lista", NULL, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_true (summary.uidvalidity_changed);
  g_assert_cmpint (summary.path, ==, BUZON_FOLDER_SYNC_FIRST);
  g_assert_cmpuint (summary.removed, ==, 2);
  g_assert_cmpuint (summary.added, ==, 1);
  assert_cache_matches (f, "Lista", "Lista");
  logout (other);
}

/* An empty folder syncs, and stays right when mail arrives. */
static void
test_empty_folder (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  g_autoptr (GError) error = NULL;
  BuzonFolderSyncResult summary;

  g_assert_true (sync_folder (f, "Drafts", NULL, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.added, ==, 0);
  append_to (buzon_imap_session_get_connection (other), "Drafts", "borrador");
  g_assert_true (sync_folder (f, "Drafts", NULL, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.added, ==, 1);
  assert_cache_matches (f, "Drafts", "Drafts");
  logout (other);
}

/* With STATUS's counters, a folder empty on the server is synced for the
 * first time without being selected; mail that comes later is found by
 * the usual resync; made again with a new UIDVALIDITY, and empty, what
 * the cache had of it goes, still without a SELECT. */
static void
test_empty_folder_by_status (Fixture      *f,
                             gconstpointer data)
{
  const Variant *variant = data;
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (BuzonStoreFolder) folder = NULL;
  g_autoptr (BuzonImapMailboxStatus) status = NULL;
  BuzonFolderSyncResult summary;

  run_with_mailbox (connection, "CREATE", "Vacia");
  sync_with_status (f, "Vacia", &summary);
  g_assert_cmpint (summary.path, ==, BUZON_FOLDER_SYNC_FIRST);
  g_assert_cmpint (buzon_imap_session_get_state (f->session), !=, BUZON_IMAP_SESSION_SELECTED);
  folder = store_folder (f, "Vacia");
  status = status_of (f, "Vacia");
  g_assert_true (folder->first_sync_done);
  g_assert_cmpuint (folder->uidvalidity, ==, status->uidvalidity);
  g_assert_cmpuint (folder->uidnext, ==, status->uidnext);

  append_to (connection, "Vacia", "uno");
  sync_with_status (f, "Vacia", &summary);
  g_assert_cmpint (summary.path, ==, variant->resync_path);
  g_assert_cmpuint (summary.added, ==, 1);
  assert_cache_matches (f, "Vacia", "Vacia");

  run_with_mailbox (connection, "DELETE", "Vacia");
  run_with_mailbox (connection, "CREATE", "Vacia");
  sync_with_status (f, "Vacia", &summary);
  g_assert_cmpint (summary.path, ==, BUZON_FOLDER_SYNC_FIRST);
  g_assert_true (summary.uidvalidity_changed);
  g_assert_cmpuint (summary.removed, ==, 1);
  g_assert_cmpint (buzon_imap_session_get_state (f->session), !=, BUZON_IMAP_SESSION_SELECTED);
  assert_cache_matches (f, "Vacia", "Vacia");
  logout (other);
}

/* A folder deleted on the server after the folder list was read: its first
 * sync (whose UID SEARCH goes right behind the SELECT) fails with the
 * server's refusal of the SELECT, and the session goes on, for the next
 * folder. */
static void
test_folder_gone (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (BuzonStoreFolder) folder = NULL;
  g_autoptr (BuzonFolderSync) sync = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BuzonFolderSyncResult summary;

  run_with_mailbox (connection, "CREATE", "Efimera");
  append_to (connection, "Efimera", "uno");
  folder = store_folder (f, "Efimera");
  run_with_mailbox (connection, "DELETE", "Efimera");

  sync = buzon_folder_sync_new (f->session, f->store, folder);
  buzon_folder_sync_run_async (sync, NULL, store_result_cb, &result);
  g_assert_false (buzon_folder_sync_run_finish (sync, wait_for (&result), &summary, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO);
  g_clear_error (&error);
  g_assert_cmpint (buzon_imap_session_get_state (f->session), ==,
                   BUZON_IMAP_SESSION_AUTHENTICATED);

  g_assert_true (sync_folder (f, "INBOX", NULL, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.added, ==, MESSAGES);
  assert_cache_matches (f, "INBOX", "INBOX");
  logout (other);
}

/* A first sync's batches after the first are held and go to the store
 * together (folder-sync.c's HOLD_MS, HOLD_BATCHES): far fewer commits
 * than batches, each announced as it lands (the progress signal comes
 * once a job is applied), and the cache whole at the end. */
static void
test_held_batches (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonFolderSyncResult summary;
  Progress progress = { 0 };

  g_assert_true (sync_folder (f, "INBOX", &progress, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.added, ==, MESSAGES);
  /* 40 batches: the first alone, then the rest held, 8 or more a job
   * (more while the store is busy), fewer only where they came slower
   * than 8 in 500 ms. */
  g_assert_cmpuint (progress.calls, >=, 2);
  g_assert_cmpuint (progress.calls, <=, MESSAGES / BATCH / 2);
  assert_cache_matches (f, "INBOX", "INBOX");
}

int
main (int    argc,
      char **argv)
{
  static const Variant qresync = { "", BUZON_FOLDER_SYNC_QRESYNC };
  static const Variant condstore = { "--no-qresync", BUZON_FOLDER_SYNC_CONDSTORE };
  static const Variant flags = { "--no-condstore", BUZON_FOLDER_SYNC_FLAGS };
  const struct
  {
    const char *name;
    const Variant *variant;
  } variants[] = { { "qresync", &qresync }, { "condstore", &condstore }, { "flags", &flags } };

  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

  for (gsize i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *first = g_strdup_printf ("/folder-sync/%s/first-sync-and-resync",
                                                variants[i].name);
      g_autofree char *reset = g_strdup_printf ("/folder-sync/%s/uidvalidity-reset",
                                                variants[i].name);
      g_autofree char *empty = g_strdup_printf ("/folder-sync/%s/empty-folder", variants[i].name);
      g_autofree char *empty_status = g_strdup_printf ("/folder-sync/%s/empty-folder-by-status",
                                                       variants[i].name);
      g_autofree char *status = g_strdup_printf ("/folder-sync/%s/status-shortcut",
                                                 variants[i].name);
      g_autofree char *gone = g_strdup_printf ("/folder-sync/%s/folder-gone", variants[i].name);

      g_test_add (first, Fixture, variants[i].variant, fixture_set_up, test_first_sync_and_resync,
                  fixture_tear_down);
      g_test_add (reset, Fixture, variants[i].variant, fixture_set_up, test_uidvalidity_reset,
                  fixture_tear_down);
      g_test_add (empty, Fixture, variants[i].variant, fixture_set_up, test_empty_folder,
                  fixture_tear_down);
      g_test_add (status, Fixture, variants[i].variant, fixture_set_up, test_status_shortcut,
                  fixture_tear_down);
      g_test_add (empty_status, Fixture, variants[i].variant, fixture_set_up,
                  test_empty_folder_by_status, fixture_tear_down);
      g_test_add (gone, Fixture, variants[i].variant, fixture_set_up, test_folder_gone,
                  fixture_tear_down);
    }
  g_test_add ("/folder-sync/held-batches", Fixture, &qresync, fixture_set_up, test_held_batches,
              fixture_tear_down);
  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
