// Helpers shared by the integration tests of the sync layer: the fixture
// Dovecot with a generated INBOX, a store, a logged-in session, and the
// state of a folder on the server and in the cache, to compare.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "store/store-summary.h"
#include "sync-test-helpers.h"

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

void
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

/* Starts the servers with @messages in alice's INBOX (and @options for
 * mail-servers), an empty store, and a session logged in as alice. */
void
sync_fixture_set_up (Fixture    *f,
                     guint       messages,
                     const char *extra_options)
{
  g_autofree char *maildir = generate_mailbox (messages);
  g_autofree char *options = g_strdup_printf ("--maildir-from %s --maildir-user alice %s",
                                              maildir, extra_options);
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

void
sync_fixture_tear_down (Fixture *f)
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
BuzonStoreFolder *
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

/* "uid:flags" for every message, from the server and from the cache. */
char *
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

char *
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

void
assert_cache_matches (Fixture    *f,
                      const char *name,
                      const char *raw_name)
{
  g_autofree char *server = server_state (f, raw_name);
  g_autofree char *cache = cache_state (f, name);

  g_assert_cmpstr (cache, ==, server);
}
