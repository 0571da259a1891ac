// BuzonBodyPrefetch and the sync pass's prefetch against the fixture Dovecot.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Every body a folder's cache lacks downloaded newest first in batches,
// \Seen left alone on the server, the text then searchable, an oversized
// message skipped, a run cut off resumed without fetching anything twice;
// and BuzonAccountSync fetching only the account's last PrefetchDays days.

#include <sqlite3.h>
#include <string.h>

#include "account/credentials-command.h"
#include "engine.h"
#include "imap-session-helpers.h"
#include "store/search-query.h"
#include "store/store-body.h"
#include "store/store-message.h"
#include "sync-test-helpers.h"
#include "sync/account-sync.h"
#include "sync/body-prefetch.h"
#include "sync/folder-sync.h"

#define MESSAGES 300

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  sync_fixture_set_up (f, MESSAGES, "");
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  sync_fixture_tear_down (f);
}

/* APPENDs @text to @mailbox, with @internaldate (IMAP date-time) when not
 * NULL. */
static void
append_raw (BuzonImapConnection *connection,
            const char          *mailbox,
            const char          *internaldate,
            const char          *text)
{
  g_autoptr (BuzonImapCommand) append = buzon_imap_command_new ("APPEND");
  g_autoptr (GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (GError) error = NULL;

  buzon_imap_command_add_mailbox (append, mailbox);
  if (internaldate != NULL)
    buzon_imap_command_add_string (append, internaldate, -1);
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

typedef struct
{
  guint calls;
  guint last_done;
  guint total;
  GCancellable *cancel_when_some;
} Progress;

static void
progress_cb (BuzonBodyPrefetch *prefetch,
             guint              done,
             guint              total,
             gpointer           user_data)
{
  Progress *progress = user_data;

  progress->calls++;
  if (done < progress->last_done || done > total)
    g_error ("progress went from %u to %u of %u", progress->last_done, done, total);
  progress->last_done = done;
  progress->total = total;
  if (progress->cancel_when_some != NULL && done > 0)
    g_cancellable_cancel (progress->cancel_when_some);
}

static gboolean
prefetch (Fixture                 *f,
          const char              *name,
          guint64                  max_size,
          Progress                *progress,
          GCancellable            *cancellable,
          BuzonBodyPrefetchResult *summary,
          GError                 **error)
{
  g_autoptr (BuzonStoreFolder) folder = store_folder (f, name);
  g_autoptr (BuzonBodyPrefetch) run = buzon_body_prefetch_new (f->session, f->store, folder);
  g_autoptr (GAsyncResult) result = NULL;

  g_object_set (run, "batch-size", 40, "max-size", max_size, NULL);
  if (progress != NULL)
    g_signal_connect (run, "progress", G_CALLBACK (progress_cb), progress);
  buzon_body_prefetch_run_async (run, cancellable, store_result_cb, &result);
  return buzon_body_prefetch_run_finish (run, wait_for (&result), summary, error);
}

/* One number from the cache, read with SQLite directly. */
static gint64
cache_number (Fixture    *f,
              const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (statement), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (statement, 0);
  sqlite3_finalize (statement);
  sqlite3_close (db);
  return value;
}

static GPtrArray *
search (Fixture    *f,
        const char *text)
{
  g_autoptr (BuzonSearchQuery) query = buzon_search_query_parse (text, NULL, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *found;

  g_assert_nonnull (query);
  buzon_store_search_async (f->store, 0, query, 1000, NULL, store_result_cb, &result);
  found = buzon_store_search_finish (f->store, wait_for (&result), &error);
  g_assert_no_error (error);
  return found;
}

static guint
server_count (BuzonImapSession *session,
              const char       *mailbox,
              const char       *criteria)
{
  g_autoptr (BuzonImapSelected) selected = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) uids = NULL;
  const char *strings[] = { NULL };

  selected = select_mailbox (session, mailbox, BUZON_IMAP_SELECT_READ_ONLY, NULL, NULL, &error);
  g_assert_no_error (error);
  buzon_imap_session_search_async (session, criteria, strings, BUZON_IMAP_SEARCH_NONE, NULL,
                                   store_result_cb, &result);
  uids = buzon_imap_session_search_finish (session, wait_for (&result), &error);
  g_assert_no_error (error);
  return uids->len;
}

static void
test_all_bodies (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GString) big = g_string_new ("From: b@example.org\r\nSubject: Grande\r\n"
                                          "Message-ID: <grande@example.org>\r\n\r\n");
  BuzonBodyPrefetchResult summary = { 0 };
  Progress progress = { 0 };
  guint first_run;

  /* Two messages with a word only their bodies hold, one too big. */
  append_raw (connection, "INBOX", NULL,
              "From: m@example.org\r\nSubject: Receta\r\nMessage-ID: <r1@example.org>\r\n\r\n"
              "Pon la zanahoria.\r\n");
  append_raw (connection, "INBOX", NULL,
              "From: m@example.org\r\nSubject: Otra\r\nMessage-ID: <r2@example.org>\r\n\r\n"
              "Sin zanahoria no.\r\n");
  for (guint i = 0; i < 200; i++)
    g_string_append (big, "Una línea larga de zanahoria y cebolla, para pasar del tope.\r\n");
  append_raw (connection, "INBOX", NULL, big->str);
  sync_folder (f, "INBOX");
  found = search (f, "zanahoria");
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);
  g_assert_cmpuint (server_count (other, "INBOX", "SEEN"), ==, 0);

  /* Cut off once a batch is stored: that batch stays, the newest. */
  progress.cancel_when_some = cancellable;
  g_assert_false (prefetch (f, "INBOX", 10000, &progress, cancellable, &summary, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (progress.total, ==, MESSAGES + 2);
  first_run = (guint) cache_number (f, "SELECT count(*) FROM body");
  g_assert_cmpuint (first_run, ==, summary.fetched);
  g_assert_cmpuint (first_run, >, 0);
  g_assert_cmpuint (first_run, <, MESSAGES + 2);
  /* The first batch: the forty newest that fit under the cap. */
  g_assert_cmpint (cache_number (f, "SELECT count(*) FROM body b JOIN message m ON "
                                    "m.id = b.message_id WHERE m.uid >= 263"),
                   ==, 40);

  /* Resumed: only the rest, with no folder selected (so EXAMINE first). */
  g_assert_true (unselect (f->session, &error));
  g_assert_no_error (error);
  memset (&progress, 0, sizeof progress);
  g_assert_true (prefetch (f, "INBOX", 10000, &progress, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.fetched, ==, MESSAGES + 2 - first_run);
  g_assert_cmpuint (progress.total, ==, MESSAGES + 2 - first_run);
  g_assert_cmpuint (progress.last_done, ==, progress.total);
  g_assert_cmpuint (summary.too_large, ==, 1);
  g_assert_cmpuint (summary.gone, ==, 0);
  g_assert_cmpint (cache_number (f, "SELECT count(*) FROM body"), ==, MESSAGES + 2);
  g_assert_cmpint (cache_number (f, "SELECT count(*) FROM body b JOIN message m ON "
                                    "m.id = b.message_id WHERE m.subject = 'Grande'"),
                   ==, 0);

  /* The server's flags are as they were; the bodies are searchable. */
  g_assert_cmpuint (server_count (other, "INBOX", "SEEN"), ==, 0);
  found = search (f, "zanahoria");
  g_assert_cmpuint (found->len, ==, 2);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = search (f, "\"hola 123\"");
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((BuzonStoreMessage *) found->pdata[0])->subject, ==, "Mensaje 123");

  /* Nothing left: nothing asked. */
  g_assert_true (prefetch (f, "INBOX", 10000, NULL, NULL, &summary, &error));
  g_assert_cmpuint (summary.fetched, ==, 0);
  g_assert_cmpuint (summary.too_large, ==, 1);
  /* Without a cap that low, the big one comes too. */
  g_assert_true (prefetch (f, "INBOX", BUZON_BODY_PREFETCH_MAX_SIZE, NULL, NULL, &summary,
                           &error));
  g_assert_cmpuint (summary.fetched, ==, 1);
  logout (other);
}

/* A sync pass fetches the bodies of the mail of the account's last
 * PrefetchDays days, and none with 0. */
static void
test_account_prefetch_days (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autofree char *url_text = g_strdup_printf (
    "imaps://alice@127.0.0.1:%u", buzon_test_mail_servers_get_port (f->servers, "IMAPS_PORT"));
  g_autofree char *smtp_text = g_strdup ("submissions://alice@127.0.0.1:1");
  g_autoptr (BuzonServerUrl) imap = buzon_server_url_parse (url_text, NULL);
  g_autoptr (BuzonServerUrl) smtp = buzon_server_url_parse (smtp_text, NULL);
  g_autofree char *pinned = g_strconcat ("sha256:",
                                         buzon_test_mail_servers_get (f->servers, "CERT_SHA256"),
                                         NULL);
  const char *trusted[] = { pinned, NULL };
  g_autoptr (BuzonAccount) account = NULL;
  g_autoptr (BuzonCommandCredentials) credentials = NULL;
  g_autoptr (BuzonAccountSync) sync = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = NULL;
  BuzonAccountSyncResult summary = { 0 };

  run_with_mailbox (connection, "CREATE", "Archivo");
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *old = g_strdup_printf (
        "From: v@example.org\r\nSubject: Vieja %u\r\nMessage-ID: <v%u@example.org>\r\n\r\n"
        "Un recuerdo antiguo.\r\n", i, i);
      g_autofree char *recent = g_strdup_printf (
        "From: n@example.org\r\nSubject: Nueva %u\r\nMessage-ID: <n%u@example.org>\r\n\r\n"
        "Una novedad reciente.\r\n", i, i);

      append_raw (connection, "Archivo", "03-Mar-2021 10:00:00 +0000", old);
      append_raw (connection, "Archivo", NULL, recent);
    }
  account = buzon_account_new ("prueba", NULL, "alice@example.test", imap, smtp);
  buzon_account_set_trusted_certificates (account, trusted);
  credentials = buzon_command_credentials_new ("printf '%s\\n' alice-secret");

  /* 0: no bodies at all. */
  buzon_account_set_prefetch_days (account, 0);
  sync = buzon_account_sync_new (account, f->store, BUZON_CREDENTIALS (credentials));
  buzon_account_sync_run_async (sync, "Archivo", NULL, store_result_cb, &result);
  g_assert_true (buzon_account_sync_run_finish (sync, wait_for (&result), &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.added, ==, 60);
  g_assert_cmpuint (summary.bodies, ==, 0);
  g_assert_cmpint (cache_number (f, "SELECT count(*) FROM body"), ==, 0);
  g_clear_object (&result);

  /* 14 days: the recent thirty, not the old ones. */
  buzon_account_set_prefetch_days (account, 14);
  buzon_account_sync_run_async (sync, "Archivo", NULL, store_result_cb, &result);
  g_assert_true (buzon_account_sync_run_finish (sync, wait_for (&result), &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.bodies, ==, 30);
  g_assert_cmpint (cache_number (f, "SELECT count(*) FROM body b JOIN message m ON "
                                    "m.id = b.message_id WHERE m.subject LIKE 'Nueva%'"),
                   ==, 30);
  found = search (f, "novedad");
  g_assert_cmpuint (found->len, ==, 30);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = search (f, "recuerdo");
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);
  g_clear_object (&result);

  /* The next pass has nothing to fetch; "fetch-bodies" takes the rest. */
  buzon_account_sync_run_async (sync, "Archivo", NULL, store_result_cb, &result);
  g_assert_true (buzon_account_sync_run_finish (sync, wait_for (&result), &summary, &error));
  g_assert_cmpuint (summary.bodies, ==, 0);
  g_clear_object (&result);
  buzon_account_sync_set_fetch_bodies (sync, TRUE);
  buzon_account_sync_run_async (sync, "Archivo", NULL, store_result_cb, &result);
  g_assert_true (buzon_account_sync_run_finish (sync, wait_for (&result), &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.bodies, ==, 30);
  found = search (f, "recuerdo");
  g_assert_cmpuint (found->len, ==, 30);
  g_assert_cmpuint (server_count (other, "Archivo", "SEEN"), ==, 0);
  logout (other);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

  g_test_add ("/body-prefetch/all-bodies", Fixture, NULL, fixture_set_up, test_all_bodies,
              fixture_tear_down);
  g_test_add ("/body-prefetch/account-prefetch-days", Fixture, NULL, fixture_set_up,
              test_account_prefetch_days, fixture_tear_down);
  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
