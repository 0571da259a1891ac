// Search on the server against the fixture Dovecot: a word only bodies
// hold, which the cache has not downloaded, found by UID SEARCH in two
// folders at once; a folder the server lost since the last sync reported
// while the others still answer.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "engine.h"
#include "imap-session-helpers.h"
#include "store/search-query.h"
#include "store/store-message.h"
#include "sync-test-helpers.h"
#include "sync/folder-sync.h"
#include "sync/server-search.h"

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  sync_fixture_set_up (f, 50, "");
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  sync_fixture_tear_down (f);
}

static void
append_body (BuzonImapConnection *connection,
             const char          *mailbox,
             const char          *subject,
             const char          *body)
{
  g_autoptr (BuzonImapCommand) append = buzon_imap_command_new ("APPEND");
  g_autofree char *text = g_strdup_printf ("From: m@example.org\r\nSubject: %s\r\n"
                                           "Message-ID: <%s@example.org>\r\n\r\n%s\r\n",
                                           subject, subject, body);
  g_autoptr (GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (GError) error = NULL;

  buzon_imap_command_add_mailbox (append, mailbox);
  buzon_imap_command_add_literal (append, bytes, FALSE);
  buzon_imap_connection_command_async (connection, append, NULL, NULL, NULL, store_result_cb,
                                       &result);
  response = buzon_imap_connection_command_finish (connection, wait_for (&result), &error);
  g_assert_no_error (error);
}

static void
sync_folder (Fixture    *f,
             const char *name)
{
  g_autoptr (BuzonStoreFolder) folder = store_folder (f, name);
  g_autoptr (BuzonFolderSync) sync = buzon_folder_sync_new (f->session, f->store, folder);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_folder_sync_run_async (sync, NULL, store_result_cb, &result);
  g_assert_true (buzon_folder_sync_run_finish (sync, wait_for (&result), NULL, &error));
  g_assert_no_error (error);
}

static GPtrArray *
search_all (Fixture    *f,
            const char *text,
            GPtrArray **failures)
{
  g_autoptr (BuzonSearchQuery) query = buzon_search_query_parse (text, NULL, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *found;

  buzon_server_search_all_async (f->session, f->store, query, 100, NULL, store_result_cb,
                                 &result);
  found = buzon_server_search_all_finish (wait_for (&result), failures, &error);
  g_assert_no_error (error);
  return found;
}

static void
test_all_folders (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GPtrArray) failures = NULL;
  g_autoptr (BuzonStoreFolder) inbox = NULL;
  g_autoptr (BuzonStoreFolder) archive = NULL;
  g_autoptr (GHashTable) subjects = g_hash_table_new (g_str_hash, g_str_equal);

  run_with_mailbox (connection, "CREATE", "Archivo");
  run_with_mailbox (connection, "CREATE", "Temporal");
  append_body (connection, "INBOX", "receta", "Pon la alcachofa.");
  append_body (connection, "Archivo", "antigua", "Una alcachofa de 2019.");
  append_body (connection, "Archivo", "otra", "Nada que ver.");
  sync_folder (f, "INBOX");
  sync_folder (f, "Archivo");
  sync_folder (f, "Temporal");
  inbox = store_folder (f, "INBOX");
  archive = store_folder (f, "Archivo");

  found = search_all (f, "alcachofa", &failures);
  g_assert_cmpuint (failures->len, ==, 0);
  g_assert_cmpuint (found->len, ==, 2);
  for (guint i = 0; i < found->len; i++)
    {
      const BuzonStoreMessage *message = found->pdata[i];

      g_hash_table_add (subjects, message->subject);
      g_assert_cmpint (message->folder_id, ==,
                       g_str_equal (message->subject, "receta") ? inbox->id : archive->id);
    }
  g_assert_true (g_hash_table_contains (subjects, "receta"));
  g_assert_true (g_hash_table_contains (subjects, "antigua"));
  g_clear_pointer (&found, g_ptr_array_unref);
  g_clear_pointer (&failures, g_ptr_array_unref);

  /* Another client deletes a folder the cache still lists: it is named in
   * the failures, and the other folders answer all the same. */
  run_with_mailbox (connection, "DELETE", "Temporal");
  found = search_all (f, "alcachofa", &failures);
  g_assert_cmpuint (found->len, ==, 2);
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_nonnull (strstr (((GError *) failures->pdata[0])->message, "Temporal"));
  g_clear_pointer (&found, g_ptr_array_unref);
  g_clear_pointer (&failures, g_ptr_array_unref);

  /* Nothing anywhere: an empty answer, not an error. */
  found = search_all (f, "berenjena", &failures);
  g_assert_cmpuint (found->len, ==, 0);
  logout (other);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

  g_test_add ("/server-search/all-folders", Fixture, NULL, fixture_set_up, test_all_folders,
              fixture_tear_down);
  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
