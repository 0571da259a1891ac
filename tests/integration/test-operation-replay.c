// BuzonOperationReplay against the fixture Dovecot.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Each kind of queued operation reaches the server (checked by a second
// client) and leaves the queue; replayed twice it does no harm; when the
// server disagrees (the message was expunged, the folder deleted or
// replaced, the destination gone) its state wins, the queue empties and no
// message is lost; a lost connection keeps the queue; and BuzonAccountSync
// replays before it syncs. Moves, copies and archives show in their
// destination at once and, replayed, with the server's UIDs (COPYUID) or,
// without UIDPLUS, from the destination's next sync: never twice.

#include <sqlite3.h>
#include <string.h>

#include "account/account.h"
#include "account/credentials-command.h"
#include "engine.h"
#include "store/store-operation.h"
#include "sync-test-helpers.h"
#include "sync/account-sync.h"
#include "sync/folder-sync.h"
#include "sync/operation-replay.h"

#define MESSAGES 8

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  sync_fixture_set_up (f, MESSAGES, "");
}

static void
fixture_set_up_without_uidplus (Fixture      *f,
                                gconstpointer data)
{
  sync_fixture_set_up (f, MESSAGES, "--without UIDPLUS");
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  sync_fixture_tear_down (f);
}

/* Runs @sql on the cache behind the store's back; returns the first column
 * of the rows, joined with ",". */
static char *
db (Fixture    *f,
    const char *sql)
{
  sqlite3 *handle = NULL;
  sqlite3_stmt *statement = NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open (f->db_path, &handle), ==, SQLITE_OK);
  sqlite3_busy_timeout (handle, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &statement, NULL), ==, SQLITE_OK);
  while (sqlite3_step (statement) == SQLITE_ROW)
    g_string_append_printf (out, "%s%s", out->len > 0 ? "," : "",
                            (const char *) sqlite3_column_text (statement, 0));
  sqlite3_finalize (statement);
  sqlite3_close (handle);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static guint
queue_length (Fixture *f)
{
  g_autofree char *count = db (f, "SELECT count(*) FROM pending_operation");

  return (guint) g_ascii_strtoull (count, NULL, 10);
}

/* The cached folder called @name, found without asking the server. */
static gint64
folder_id (Fixture    *f,
           const char *name)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM folder WHERE name = '%s'", name);
  g_autofree char *id = db (f, sql);

  g_assert_cmpstr (id, !=, "");
  return g_ascii_strtoll (id, NULL, 10);
}

static void
sync_now (Fixture    *f,
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

static gint64
queue (Fixture                 *f,
       BuzonStoreOperationKind  kind,
       const char              *folder,
       const char              *uids,
       const char              *flags,
       const char              *destination)
{
  g_autoptr (BuzonStoreOperation) operation = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id;

  operation = buzon_store_operation_new (kind, folder_id (f, folder), uids);
  operation->flags = flags != NULL ? g_strsplit (flags, " ", -1) : NULL;
  operation->destination_id = destination != NULL ? folder_id (f, destination) : 0;
  buzon_store_queue_operation_async (f->store, operation, NULL, store_result_cb, &result);
  id = buzon_store_queue_operation_finish (f->store, wait_for (&result), NULL, &error);
  if (error != NULL)
    {
      g_autofree char *cached = db (f, "SELECT f.name || '/' || m.uid FROM message m "
                                       "JOIN folder f ON f.id = m.folder_id");

      g_test_message ("Queueing on %s %s: cached %s", folder, uids, cached);
    }
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
dropped_cb (BuzonOperationReplay      *replay,
            const BuzonStoreOperation *operation,
            const GError              *error,
            gpointer                   user_data)
{
  g_assert_nonnull (error);
  g_assert_cmpint (operation->id, >, 0);
  (*(guint *) user_data)++;
}

static gboolean
run_replay (Fixture                    *f,
        BuzonOperationReplayResult *summary,
        GError                    **error)
{
  g_autoptr (BuzonOperationReplay) replay = buzon_operation_replay_new (f->session, f->store);
  g_autoptr (GAsyncResult) result = NULL;
  guint dropped = 0;
  gboolean ok;

  g_signal_connect (replay, "operation-dropped", G_CALLBACK (dropped_cb), &dropped);
  buzon_operation_replay_run_async (replay, NULL, store_result_cb, &result);
  ok = buzon_operation_replay_run_finish (replay, wait_for (&result), summary, error);
  if (!ok)
    g_test_message ("The replay failed: %s", (*error)->message);
  g_assert_cmpuint (dropped, ==, summary->dropped);
  return ok;
}

/* "uid:flags:keywords:subject;" for the messages of INBOX as generated,
 * with @changes ("3:1:" to say UID 3 is \Seen) in place of theirs. */
static char *
inbox_with (const char * const *changes,
            guint               first,
            guint               last)
{
  GString *out = g_string_new (NULL);

  for (guint uid = first; uid <= last; uid++)
    {
      g_autofree char *prefix = g_strdup_printf ("%u:", uid);
      g_autofree char *untouched = g_strdup_printf ("%u:0:", uid);
      const char *state = untouched;

      for (gsize i = 0; changes != NULL && changes[i] != NULL; i++)
        if (g_str_has_prefix (changes[i], prefix))
          state = changes[i];
      g_string_append_printf (out, "%s:Mensaje %u;", state, uid);
    }
  return g_string_free (out, FALSE);
}

static void
test_flags (Fixture      *f,
            gconstpointer data)
{
  static const char *const changes[] = { "1:4:$Trabajo", "2:4:$Trabajo", "3:1:", NULL };
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary;

  sync_now (f, "INBOX");
  queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, "INBOX", "3:4", "\\Seen", NULL);
  queue (f, BUZON_STORE_OPERATION_REMOVE_FLAGS, "INBOX", "4", "\\Seen", NULL);
  queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, "INBOX", "1:2", "\\Flagged $Trabajo", NULL);

  /* The cache shows it at once; the server does not know yet. */
  {
    g_autofree char *cache = cache_state (f, "INBOX");
    g_autofree char *server = server_state (f, "INBOX");

    g_assert_true (g_str_has_prefix (cache, "1:4:$Trabajo:Mensaje 1;2:4:$Trabajo:Mensaje 2;"
                                            "3:1::Mensaje 3;4:0::Mensaje 4;5:0::"));
    g_assert_true (g_str_has_prefix (server, "1:0::Mensaje 1;"));
  }

  /* Saved as it is, to replay it again as if its end had been lost. */
  g_free (db (f, "CREATE TABLE saved AS SELECT * FROM pending_operation"));
  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.replayed, ==, 3);
  g_assert_cmpuint (summary.dropped + summary.left, ==, 0);
  g_assert_cmpuint (queue_length (f), ==, 0);
  {
    g_autofree char *server = server_state (f, "INBOX");
    g_autofree char *all = inbox_with (changes, 1, MESSAGES);

    g_assert_cmpstr (server, ==, all);
  }

  /* Interrupted after the server did it: sent again, nothing changes. */
  g_free (db (f, "INSERT INTO pending_operation SELECT * FROM saved"));
  g_assert_cmpuint (queue_length (f), ==, 3);
  g_assert_true (run_replay (f, &summary, &error));
  g_assert_cmpuint (summary.replayed, ==, 3);
  g_assert_cmpuint (queue_length (f), ==, 0);
  {
    g_autofree char *server = server_state (f, "INBOX");
    g_autofree char *all = inbox_with (changes, 1, MESSAGES);

    g_assert_cmpstr (server, ==, all);
  }
  sync_now (f, "INBOX");
  assert_cache_matches (f, "INBOX", "INBOX");
}

static void
test_move_copy_delete_expunge (Fixture      *f,
                               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary;

  sync_now (f, "INBOX");
  queue (f, BUZON_STORE_OPERATION_MOVE, "INBOX", "1:2", NULL, "Archive");
  queue (f, BUZON_STORE_OPERATION_COPY, "INBOX", "3", NULL, "Sent");
  queue (f, BUZON_STORE_OPERATION_DELETE, "INBOX", "4", NULL, NULL);
  queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, "INBOX", "5", "\\Deleted", NULL);
  queue (f, BUZON_STORE_OPERATION_EXPUNGE, "INBOX", "5:6", NULL, NULL);
  {
    g_autofree char *cache = db (f, "SELECT uid FROM message WHERE uid > 0 ORDER BY uid");

    g_assert_cmpstr (cache, ==, "3,6,7,8");
  }

  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.replayed, ==, 5);
  g_assert_cmpuint (queue_length (f), ==, 0);
  {
    g_autofree char *inbox = server_state (f, "INBOX");
    g_autofree char *archive = server_state (f, "Archive");
    g_autofree char *sent = server_state (f, "Sent");
    g_autofree char *trash = server_state (f, "Trash");

    g_assert_cmpstr (inbox, ==, "3:0::Mensaje 3;6:0::Mensaje 6;7:0::Mensaje 7;8:0::Mensaje 8;");
    g_assert_cmpstr (archive, ==, "1:0::Mensaje 1;2:0::Mensaje 2;");
    g_assert_cmpstr (sent, ==, "1:0::Mensaje 3;");
    g_assert_cmpstr (trash, ==, "1:0::Mensaje 4;");
  }
  /* The destinations learn of their messages at their next sync. */
  sync_now (f, "INBOX");
  sync_now (f, "Archive");
  sync_now (f, "Sent");
  sync_now (f, "Trash");
  assert_cache_matches (f, "INBOX", "INBOX");
  assert_cache_matches (f, "Archive", "Archive");
  assert_cache_matches (f, "Sent", "Sent");
  assert_cache_matches (f, "Trash", "Trash");

  /* Deleted in the Trash: gone for good. */
  queue (f, BUZON_STORE_OPERATION_DELETE, "Trash", "1", NULL, NULL);
  g_assert_true (run_replay (f, &summary, &error));
  g_assert_cmpuint (summary.replayed, ==, 1);
  {
    g_autofree char *trash = server_state (f, "Trash");

    g_assert_cmpstr (trash, ==, "");
  }
  sync_now (f, "Trash");
  assert_cache_matches (f, "Trash", "Trash");
}

/* Messages expunged by another client before the replay: done, and the
 * next sync agrees with the server. */
static void
test_message_gone (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary;

  sync_now (f, "INBOX");
  queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, "INBOX", "1", "\\Flagged", NULL);
  queue (f, BUZON_STORE_OPERATION_MOVE, "INBOX", "2", NULL, "Archive");
  queue (f, BUZON_STORE_OPERATION_DELETE, "INBOX", "3", NULL, NULL);
  run_with_mailbox (connection, "SELECT", "INBOX");
  run_raw (connection, "UID STORE", "1:2 +FLAGS (\\Deleted)");
  run_raw (connection, "EXPUNGE", NULL);
  logout (other);

  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.replayed + summary.dropped, ==, 3);
  g_assert_cmpuint (summary.left, ==, 0);
  g_assert_cmpuint (queue_length (f), ==, 0);
  {
    g_autofree char *archive = server_state (f, "Archive");
    g_autofree char *trash = server_state (f, "Trash");

    g_assert_cmpstr (archive, ==, "");
    g_assert_cmpstr (trash, ==, "1:0::Mensaje 3;");
  }
  sync_now (f, "INBOX");
  sync_now (f, "Trash");
  assert_cache_matches (f, "INBOX", "INBOX");
  assert_cache_matches (f, "Trash", "Trash");
}

/* A folder deleted, another deleted and made again (a new UIDVALIDITY):
 * their operations are dropped, and nothing is done to the new messages. */
static void
test_folder_gone (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary;

  run_with_mailbox (connection, "CREATE", "Vieja");
  run_with_mailbox (connection, "CREATE", "Lista");
  append_to (connection, "Vieja", "vieja");
  append_to (connection, "Lista", "lista");
  sync_now (f, "INBOX");
  sync_now (f, "Vieja");
  sync_now (f, "Lista");
  queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, "Vieja", "1", "\\Flagged", NULL);
  queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, "Lista", "1", "\\Flagged", NULL);
  queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, "INBOX", "1", "\\Seen", NULL);
  run_with_mailbox (connection, "DELETE", "Vieja");
  run_with_mailbox (connection, "DELETE", "Lista");
  run_with_mailbox (connection, "CREATE", "Lista");
  append_to (connection, "Lista", "nueva");
  logout (other);

  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.dropped, ==, 2);
  /* The others go on. */
  g_assert_cmpuint (summary.replayed, ==, 1);
  g_assert_cmpuint (queue_length (f), ==, 0);
  {
    g_autofree char *lista = server_state (f, "Lista");
    g_autofree char *inbox = server_state (f, "INBOX");

    g_assert_cmpstr (lista, ==, "1:0::nueva;");
    g_assert_true (g_str_has_prefix (inbox, "1:1::Mensaje 1;"));
  }
  sync_now (f, "Lista");
  assert_cache_matches (f, "Lista", "Lista");
}

/* The destination of a move is gone, once with the cache still listing it
 * and once not: the moves are dropped and the messages, still on the
 * server, are back in the cache at once and after the next sync. */
static void
test_destination_gone (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary;

  run_with_mailbox (connection, "CREATE", "Destino");
  run_with_mailbox (connection, "CREATE", "Otro destino");
  sync_now (f, "INBOX");
  queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, "INBOX", "3", "\\Seen", NULL);
  queue (f, BUZON_STORE_OPERATION_MOVE, "INBOX", "3", NULL, "Destino");
  queue (f, BUZON_STORE_OPERATION_MOVE, "INBOX", "4:5", NULL, "Otro destino");
  {
    g_autofree char *cache = db (f, "SELECT uid FROM message WHERE uid > 0 ORDER BY uid");

    g_assert_cmpstr (cache, ==, "1,2,6,7,8");
  }
  /* One is gone from the server and, after a folder list, from the cache;
   * the other only from the server. */
  run_with_mailbox (connection, "DELETE", "Otro destino");
  buzon_store_folder_free (store_folder (f, "Destino"));
  run_with_mailbox (connection, "DELETE", "Destino");
  logout (other);

  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.replayed, ==, 1);
  g_assert_cmpuint (summary.dropped, ==, 2);
  g_assert_cmpuint (queue_length (f), ==, 0);
  {
    g_autofree char *cache = db (f, "SELECT uid || ':' || flags FROM message ORDER BY uid");
    g_autofree char *server = server_state (f, "INBOX");
    static const char *const changes[] = { "3:1:", NULL };
    g_autofree char *all = inbox_with (changes, 1, MESSAGES);

    g_assert_cmpstr (cache, ==, "1:0,2:0,3:1,4:0,5:0,6:0,7:0,8:0");
    g_assert_cmpstr (server, ==, all);
  }
  sync_now (f, "INBOX");
  assert_cache_matches (f, "INBOX", "INBOX");
}

/* Without a connection the replay stops and the queue stays as it was. */
static void
test_connection_lost (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary;

  sync_now (f, "INBOX");
  queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, "INBOX", "1", "\\Flagged", NULL);
  queue (f, BUZON_STORE_OPERATION_MOVE, "INBOX", "2", NULL, "Archive");
  logout (f->session);

  g_assert_false (run_replay (f, &summary, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (summary.left, ==, 2);
  g_assert_cmpuint (summary.replayed + summary.dropped, ==, 0);
  g_assert_cmpuint (queue_length (f), ==, 2);
  {
    g_autofree char *attempts = db (f, "SELECT sum (attempts) FROM pending_operation");

    g_assert_cmpstr (attempts, ==, "0");
  }

  g_clear_object (&f->session);
  f->session = logged_in (f->servers, "alice");
  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.replayed, ==, 2);
  {
    g_autofree char *server = server_state (f, "INBOX");

    g_assert_true (g_str_has_prefix (server, "1:4::Mensaje 1;3:0::"));
  }
}

/* A resync before the replay keeps the queued change over the server's
 * flags; then BuzonAccountSync replays before it syncs, and the cache ends
 * as the server. */
static void
test_account_sync (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autofree char *url_text = g_strdup_printf ("imaps://alice@127.0.0.1:%u",
                                               buzon_test_mail_servers_get_port (f->servers,
                                                                                 "IMAPS_PORT"));
  g_autofree char *pin = g_strconcat ("sha256:",
                                      buzon_test_mail_servers_get (f->servers, "CERT_SHA256"),
                                      NULL);
  const char *pins[] = { pin, NULL };
  g_autoptr (BuzonServerUrl) imap = buzon_server_url_parse (url_text, NULL);
  g_autoptr (BuzonServerUrl) smtp = buzon_server_url_parse ("submissions://alice@127.0.0.1:1",
                                                            NULL);
  g_autoptr (BuzonAccount) account = buzon_account_new ("prueba", "Alice", "alice@example.test",
                                                        imap, smtp);
  g_autoptr (BuzonCommandCredentials) credentials = NULL;
  g_autoptr (BuzonAccountSync) account_sync = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BuzonAccountSyncResult summary;

  buzon_account_set_trusted_certificates (account, pins);
  credentials = buzon_command_credentials_new ("printf '%s\\n' alice-secret");
  account_sync = buzon_account_sync_new (account, f->store, BUZON_CREDENTIALS (credentials));

  sync_now (f, "INBOX");
  queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, "INBOX", "1", "\\Flagged", NULL);
  queue (f, BUZON_STORE_OPERATION_MOVE, "INBOX", "2", NULL, "Archive");
  run_with_mailbox (connection, "SELECT", "INBOX");
  run_raw (connection, "UID STORE", "1:2 +FLAGS (\\Answered)");
  logout (other);
  sync_now (f, "INBOX");
  {
    g_autofree char *cache = db (f, "SELECT uid || ':' || flags FROM message WHERE uid > 0 "
                                    "ORDER BY uid");

    g_assert_true (g_str_has_prefix (cache, "1:6,3:0"));
  }

  buzon_account_sync_run_async (account_sync, NULL, NULL, store_result_cb, &result);
  g_assert_true (buzon_account_sync_run_finish (account_sync, wait_for (&result), &summary,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.operations_replayed, ==, 2);
  g_assert_cmpuint (summary.operations_left, ==, 0);
  g_assert_cmpuint (summary.folders, >=, 6);
  g_assert_cmpuint (queue_length (f), ==, 0);
  assert_cache_matches (f, "INBOX", "INBOX");
  assert_cache_matches (f, "Archive", "Archive");
  {
    g_autofree char *archive = server_state (f, "Archive");

    g_assert_cmpstr (archive, ==, "1:2::Mensaje 2;");
  }

  /* Only the queue: no folder is synchronised. */
  g_clear_object (&result);
  queue (f, BUZON_STORE_OPERATION_REMOVE_FLAGS, "INBOX", "1", "\\Flagged \\Answered", NULL);
  buzon_account_sync_replay_async (account_sync, NULL, store_result_cb, &result);
  g_assert_true (buzon_account_sync_run_finish (account_sync, wait_for (&result), &summary,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.operations_replayed, ==, 1);
  g_assert_cmpuint (summary.folders, ==, 0);
  {
    g_autofree char *server = server_state (f, "INBOX");

    g_assert_true (g_str_has_prefix (server, "1:0::Mensaje 1;"));
  }
}


/* "uid:subject;" of a cached folder as the database has it, provisional
 * rows (uid below 0) shown as "p". */
static char *
rows_of (Fixture    *f,
         const char *name)
{
  g_autofree char *sql = g_strdup_printf (
    "SELECT coalesce (group_concat (u || ':' || subject, ';'), '') FROM (SELECT CASE "
    "WHEN m.uid < 0 THEN 'p' "
    "ELSE m.uid END AS u, m.subject FROM message m JOIN folder f ON f.id = m.folder_id "
    "WHERE f.name = '%s' ORDER BY m.uid < 0, abs (m.uid))",
    name);

  return db (f, sql);
}

/* Moved, copied and archived: in the destinations at once; a sync of a
 * destination before the replay keeps them once; the replay gives them
 * the UIDs the server did (UIDPLUS), so that the cache matches the server
 * before the destinations' next sync, and after it nothing is doubled. */
static void
test_provisional_uidplus (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary;

  g_assert_true (buzon_imap_session_get_uidplus (f->session));
  sync_now (f, "INBOX");
  sync_now (f, "Archive");
  sync_now (f, "Sent");
  queue (f, BUZON_STORE_OPERATION_MOVE, "INBOX", "1:2", NULL, "Archive");
  queue (f, BUZON_STORE_OPERATION_COPY, "INBOX", "3", NULL, "Sent");
  queue (f, BUZON_STORE_OPERATION_ARCHIVE, "INBOX", "4", NULL, NULL);
  {
    g_autofree char *archive = rows_of (f, "Archive");
    g_autofree char *sent = rows_of (f, "Sent");
    g_autofree char *server = server_state (f, "Archive");

    g_assert_cmpstr (archive, ==, "p:Mensaje 1;p:Mensaje 2;p:Mensaje 4");
    g_assert_cmpstr (sent, ==, "p:Mensaje 3");
    g_assert_cmpstr (server, ==, "");
  }
  /* Synced before the replay: the server has nothing there yet, and the
   * provisional copies stay, once each. */
  sync_now (f, "Archive");
  sync_now (f, "Sent");
  {
    g_autofree char *archive = rows_of (f, "Archive");

    g_assert_cmpstr (archive, ==, "p:Mensaje 1;p:Mensaje 2;p:Mensaje 4");
  }

  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.replayed, ==, 3);
  g_assert_cmpuint (queue_length (f), ==, 0);
  {
    g_autofree char *archive = rows_of (f, "Archive");
    g_autofree char *sent = rows_of (f, "Sent");
    g_autofree char *left = db (f, "SELECT count(*) FROM message WHERE uid < 0 "
                                   "OR operation_id IS NOT NULL");

    g_assert_cmpstr (archive, ==, "1:Mensaje 1;2:Mensaje 2;3:Mensaje 4");
    g_assert_cmpstr (sent, ==, "1:Mensaje 3");
    g_assert_cmpstr (left, ==, "0");
  }
  /* The server's UIDs, before any sync of the destinations. */
  assert_cache_matches (f, "Archive", "Archive");
  assert_cache_matches (f, "Sent", "Sent");
  sync_now (f, "INBOX");
  sync_now (f, "Archive");
  sync_now (f, "Sent");
  assert_cache_matches (f, "INBOX", "INBOX");
  assert_cache_matches (f, "Archive", "Archive");
  assert_cache_matches (f, "Sent", "Sent");
  {
    g_autofree char *archive = rows_of (f, "Archive");

    g_assert_cmpstr (archive, ==, "1:Mensaje 1;2:Mensaje 2;3:Mensaje 4");
  }
}

/* Without UIDPLUS the server's UIDs are not known: the provisional copies
 * go with the operation and the destination's next sync brings the real
 * messages, once each. */
static void
test_provisional_without_uidplus (Fixture      *f,
                                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary;

  g_assert_false (buzon_imap_session_get_uidplus (f->session));
  sync_now (f, "INBOX");
  sync_now (f, "Archive");
  queue (f, BUZON_STORE_OPERATION_ARCHIVE, "INBOX", "1", NULL, NULL);
  queue (f, BUZON_STORE_OPERATION_COPY, "INBOX", "2", NULL, "Archive");
  {
    g_autofree char *archive = rows_of (f, "Archive");

    g_assert_cmpstr (archive, ==, "p:Mensaje 1;p:Mensaje 2");
  }
  sync_now (f, "Archive");
  {
    g_autofree char *archive = rows_of (f, "Archive");

    g_assert_cmpstr (archive, ==, "p:Mensaje 1;p:Mensaje 2");
  }
  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.replayed, ==, 2);
  {
    g_autofree char *archive = rows_of (f, "Archive");
    g_autofree char *server = server_state (f, "Archive");

    g_assert_null (strstr (archive, "p:"));
    g_assert_cmpstr (server, ==, "1:0::Mensaje 1;2:0::Mensaje 2;");
  }
  sync_now (f, "Archive");
  sync_now (f, "INBOX");
  assert_cache_matches (f, "Archive", "Archive");
  assert_cache_matches (f, "INBOX", "INBOX");
  {
    g_autofree char *archive = rows_of (f, "Archive");

    g_assert_cmpstr (archive, ==, "1:Mensaje 1;2:Mensaje 2");
  }
}

/* Another client (or this one, whose answer was lost) made the move on the
 * server first: the destination's sync brings the real message and drops
 * the provisional copy, never both; the replay then finds nothing to move,
 * and the cache ends as the server. */
static void
test_provisional_moved_elsewhere (Fixture      *f,
                                  gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary;

  sync_now (f, "INBOX");
  sync_now (f, "Archive");
  queue (f, BUZON_STORE_OPERATION_MOVE, "INBOX", "7", NULL, "Archive");
  run_with_mailbox (connection, "SELECT", "INBOX");
  run_raw (connection, "UID MOVE", "7 Archive");
  logout (other);
  sync_now (f, "Archive");
  {
    g_autofree char *archive = rows_of (f, "Archive");

    g_assert_cmpstr (archive, ==, "1:Mensaje 7");
  }
  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.replayed + summary.dropped, ==, 1);
  g_assert_cmpuint (queue_length (f), ==, 0);
  {
    g_autofree char *archive = rows_of (f, "Archive");

    g_assert_cmpstr (archive, ==, "1:Mensaje 7");
  }
  sync_now (f, "INBOX");
  sync_now (f, "Archive");
  assert_cache_matches (f, "INBOX", "INBOX");
  assert_cache_matches (f, "Archive", "Archive");
}

/* Refused (the destination went on the server): the message is back in
 * its folder, its provisional copy gone; the other, done, keeps its
 * server UID. */
static void
test_provisional_refused (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (BuzonImapSession) other = logged_in (f->servers, "alice");
  BuzonImapConnection *connection = buzon_imap_session_get_connection (other);
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary;

  run_with_mailbox (connection, "CREATE", "Proyectos");
  sync_now (f, "INBOX");
  sync_now (f, "Proyectos");
  sync_now (f, "Archive");
  queue (f, BUZON_STORE_OPERATION_MOVE, "INBOX", "5", NULL, "Proyectos");
  queue (f, BUZON_STORE_OPERATION_ARCHIVE, "INBOX", "6", NULL, NULL);
  {
    g_autofree char *proyectos = rows_of (f, "Proyectos");

    g_assert_cmpstr (proyectos, ==, "p:Mensaje 5");
  }
  run_with_mailbox (connection, "DELETE", "Proyectos");
  logout (other);

  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.dropped, ==, 1);
  g_assert_cmpuint (summary.replayed, ==, 1);
  {
    g_autofree char *proyectos = rows_of (f, "Proyectos");
    g_autofree char *archive = rows_of (f, "Archive");
    g_autofree char *inbox = db (f, "SELECT m.uid FROM message m JOIN folder f "
                                    "ON f.id = m.folder_id WHERE f.name = 'INBOX' "
                                    "AND m.uid BETWEEN 5 AND 6");

    g_assert_cmpstr (proyectos, ==, "");
    g_assert_cmpstr (archive, ==, "1:Mensaje 6");
    g_assert_cmpstr (inbox, ==, "5");
  }
  sync_now (f, "INBOX");
  assert_cache_matches (f, "INBOX", "INBOX");
  assert_cache_matches (f, "Archive", "Archive");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

#define ADD(path, func) \
  g_test_add ("/operation-replay/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("flags", test_flags);
  ADD ("move-copy-delete-expunge", test_move_copy_delete_expunge);
  ADD ("message-gone", test_message_gone);
  ADD ("folder-gone", test_folder_gone);
  ADD ("destination-gone", test_destination_gone);
  ADD ("connection-lost", test_connection_lost);
  ADD ("account-sync", test_account_sync);
  ADD ("provisional-uidplus", test_provisional_uidplus);
  ADD ("provisional-refused", test_provisional_refused);
  ADD ("provisional-moved-elsewhere", test_provisional_moved_elsewhere);
#undef ADD
  g_test_add ("/operation-replay/provisional-without-uidplus", Fixture, NULL,
              fixture_set_up_without_uidplus, test_provisional_without_uidplus,
              fixture_tear_down);

  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
