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
#include "imap/imap-uid-set.h"
#include "imap-session-helpers.h"
#include "store/store-folder.h"
#include "store/store-summary.h"
#include "store/store.h"
#include "sync/folder-sync.h"

#define MESSAGES 400

typedef struct
{
  const char *options;
  BuzonFolderSyncPath resync_path;
} Variant;

typedef struct
{
  BuzonTestMailServers *servers;
  char *dir;
  char *db_path;
  BuzonStore *store;
  BuzonImapSession *session;
} Fixture;

/* A maildir of @count messages in INBOX, for the fixture's --maildir-from. */
static char *
generate_mailbox (guint count)
{
  g_autoptr (GError) error = NULL;
  char *root = g_dir_make_tmp ("buzon-sync-XXXXXX", &error);
  g_autofree char *inbox = g_build_filename (root, "INBOX", NULL);

  g_assert_no_error (error);
  g_chmod (root, 0755);
  g_mkdir (inbox, 0755);
  for (guint i = 1; i <= count; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/%05u.eml", inbox, i);
      g_autofree char *text = g_strdup_printf (
        "From: =?UTF-8?Q?Mar=C3=ADa?= <maria%u@example.org>\nTo: alice@example.test\n"
        "Subject: Mensaje %u\nDate: Fri, %02u Nov 2026 10:%02u:00 +0100\n"
        "Message-ID: <%u@sync.example.org>\n%s\nHola %u.\n",
        i % 7, i, 1 + i % 27, i % 60, i, i > 1 && i % 3 == 0 ? "In-Reply-To: <1@sync.example.org>\n"
                                                             : "", i);

      g_assert_true (g_file_set_contents (name, text, -1, NULL));
    }
  return root;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  const Variant *variant = data;
  g_autofree char *maildir = generate_mailbox (MESSAGES);
  g_autofree char *options = g_strdup_printf ("--maildir-from %s --maildir-user alice %s",
                                              maildir, variant->options);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  f->servers = buzon_test_mail_servers_start (options);
  remove_tree (maildir);
  f->dir = g_dir_make_tmp ("buzon-sync-store-XXXXXX", &error);
  f->db_path = g_build_filename (f->dir, "cache.db", NULL);
  f->store = buzon_store_new (f->db_path);
  buzon_store_open_async (f->store, NULL, store_result_cb, &result);
  g_assert_true (buzon_store_open_finish (f->store, wait_for (&result), &error));
  g_assert_no_error (error);
  f->session = logged_in (f->servers, "alice");
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  logout (f->session);
  g_clear_object (&f->session);
  buzon_store_close (f->store);
  g_clear_object (&f->store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  buzon_test_mail_servers_stop (f->servers);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
}

/* The store's folders after saving what LIST says; returns @name's. */
static BuzonStoreFolder *
store_folder (Fixture    *f,
              const char *name)
{
  g_autoptr (GPtrArray) mailboxes = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  mailboxes = list (f->session, &error);
  g_assert_no_error (error);
  buzon_store_save_folders_async (f->store, mailboxes, NULL, store_result_cb, &result);
  g_assert_true (buzon_store_save_folders_finish (f->store, wait_for (&result), &error));
  g_clear_object (&result);
  buzon_store_list_folders_async (f->store, NULL, store_result_cb, &result);
  folders = buzon_store_list_folders_finish (f->store, wait_for (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < folders->len; i++)
    {
      BuzonStoreFolder *folder = folders->pdata[i];

      if (g_str_equal (folder->name, name))
        return buzon_store_folder_copy (folder);
    }
  g_error ("No folder %s in the store", name);
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

  /* Small batches, so that a first sync has many. */
  g_object_set (sync, "batch-size", 50, NULL);
  if (progress != NULL)
    g_signal_connect (sync, "progress", G_CALLBACK (progress_cb), progress);
  buzon_folder_sync_run_async (sync, cancellable, store_result_cb, &result);
  return buzon_folder_sync_run_finish (sync, wait_for (&result), summary, error);
}

/* "uid:flags" for every message, from the server and from the cache. */
static char *
server_state (Fixture    *f,
              const char *mailbox)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  g_autoptr (BuzonImapSelected) selected = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  Changes changes;

  selected = select_mailbox (other, mailbox, BUZON_IMAP_SELECT_READ_ONLY, NULL, NULL, &error);
  g_assert_no_error (error);
  changes_init (&changes);
  if (selected->exists > 0)
    g_assert_true (fetch_into (other, "1:*", "(UID FLAGS ENVELOPE)", &changes, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < changes.fetches->len; i++)
    {
      const BuzonImapFetch *fetch = g_ptr_array_index (changes.fetches, i);
      g_autofree char *keywords = NULL;
      BuzonStoreFlags flags = buzon_store_flags_from_imap ((const char * const *) fetch->flags,
                                                           &keywords);

      g_string_append_printf (out, "%u:%d:%s:%s;", fetch->uid, flags,
                              keywords != NULL ? keywords : "", fetch->envelope->subject);
    }
  changes_clear (&changes);
  logout (other);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
cache_state (Fixture    *f,
             const char *name)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT m.uid, m.flags, coalesce (m.keywords, ''), "
                                       "m.subject FROM message m JOIN folder f ON f.id = "
                                       "m.folder_id WHERE f.name = ? ORDER BY m.uid",
                                       -1, &statement, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (statement, 1, name, -1, SQLITE_STATIC);
  while (sqlite3_step (statement) == SQLITE_ROW)
    g_string_append_printf (out, "%lld:%d:%s:%s;", sqlite3_column_int64 (statement, 0),
                            sqlite3_column_int (statement, 1),
                            (const char *) sqlite3_column_text (statement, 2),
                            (const char *) sqlite3_column_text (statement, 3));
  sqlite3_finalize (statement);
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_cache_matches (Fixture    *f,
                      const char *name,
                      const char *raw_name)
{
  g_autofree char *server = server_state (f, raw_name);
  g_autofree char *cache = cache_state (f, name);

  g_assert_cmpstr (cache, ==, server);
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
    /* Newest first: the first batch (the 50 highest UIDs) arrived whole,
     * and nothing below the lowest UID fetched by the first batches. */
    g_autofree char *cache = cache_state (f, "INBOX");
    g_auto (GStrv) rows = g_strsplit (cache, ";", -1);
    guint count = g_strv_length (rows) - 1;

    g_assert_cmpuint (count, >=, 50);
    for (guint i = 0; i < 50; i++)
      g_assert_cmpuint (g_ascii_strtoull (rows[count - 1 - i], NULL, 10), ==, MESSAGES - i);
    g_assert_cmpuint (g_ascii_strtoull (rows[0], NULL, 10), >, MESSAGES - 50 * 7);
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
  /* More new mail than a batch holds (50 here): it comes in slices. */
  for (guint i = 0; i < 120; i++)
    {
      g_autofree char *subject = g_strdup_printf ("lote-%u", i);
      append_to (connection, "INBOX", subject);
    }

  g_assert_true (sync_folder (f, "INBOX", NULL, NULL, &summary, &error));
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

      g_test_add (first, Fixture, variants[i].variant, fixture_set_up, test_first_sync_and_resync,
                  fixture_tear_down);
      g_test_add (reset, Fixture, variants[i].variant, fixture_set_up, test_uidvalidity_reset,
                  fixture_tear_down);
      g_test_add (empty, Fixture, variants[i].variant, fixture_set_up, test_empty_folder,
                  fixture_tear_down);
    }
  return g_test_run ();
}
