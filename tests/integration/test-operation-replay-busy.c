// BuzonOperationReplay against a scripted server that says it is busy.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Dovecot cannot be made to answer NO [UNAVAILABLE]; providers do when they
// throttle. The replay must then record the attempt and stop, keeping the
// order of the queue; and once an operation has had its share of busy
// answers it counts as refused: dropped, its messages restored to what the
// server says, and the queue goes on.

#include <sqlite3.h>
#include <string.h>

#include "engine.h"
#include "fake-session-helpers.h"
#include "store-test-helpers.h"
#include "store/store-operation.h"
#include "sync/operation-replay.h"

#define WAIT_SECONDS 10

typedef struct
{
  Fixture store;
  BuzonTestFakeImapServer *server;
  BuzonImapSession *session;
} BusyFixture;

static void
busy_set_up (BusyFixture  *f,
             gconstpointer data)
{
  fixture_set_up (&f->store, data);
  f->server = buzon_test_fake_imap_server_new ();
}

static void
busy_tear_down (BusyFixture  *f,
                gconstpointer data)
{
  g_clear_object (&f->session);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  buzon_test_fake_imap_server_free (f->server);
  fixture_tear_down (&f->store, data);
}

static void
script_select (BusyFixture *f)
{
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% SELECT %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "* 2 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDVALIDITY 77] UIDs valid");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDNEXT 3] Predicted next UID");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [READ-WRITE] Select completed");
}

static gboolean
run_replay (BusyFixture                *f,
            BuzonOperationReplayResult *summary,
            GError                    **error)
{
  g_autoptr (BuzonOperationReplay) replay = buzon_operation_replay_new (f->session,
                                                                        f->store.store);
  g_autoptr (GAsyncResult) result = NULL;

  buzon_operation_replay_run_async (replay, NULL, store_result_cb, &result);
  return buzon_operation_replay_run_finish (replay, wait_for (&result), summary, error);
}

static void
queue (BusyFixture             *f,
       BuzonStoreOperationKind  kind,
       gint64                   folder_id,
       const char              *uids,
       const char              *flag)
{
  g_autoptr (BuzonStoreOperation) operation = buzon_store_operation_new (kind, folder_id, uids);
  const char *flags[] = { flag, NULL };
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  operation->flags = g_strdupv ((char **) flags);
  buzon_store_queue_operation_async (f->store.store, operation, NULL, store_result_cb, &result);
  g_assert_cmpint (buzon_store_queue_operation_finish (f->store.store, wait_for (&result), NULL,
                                                       &error), >, 0);
  g_assert_no_error (error);
}

static void
set_attempts (BusyFixture *f,
              guint        attempts)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE pending_operation SET attempts = %u "
                                          "WHERE uids = '1'", attempts);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (f->store.path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_busy (BusyFixture  *f,
           gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary;
  BuzonStoreBatch *batch;
  gint64 ids[3];

  three_folders (&f->store, ids);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Uno", "1@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (2, "\\Seen", "Dos", "2@x", "NIL", ""));
  buzon_store_batch_set_state (batch, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_UIDVALIDITY,
                                        .uidvalidity = 77 });
  g_assert_true (apply (&f->store, batch, NULL, &error));
  queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, ids[0], "1", "\\Flagged");
  queue (f, BUZON_STORE_OPERATION_REMOVE_FLAGS, ids[0], "2", "\\Seen");

  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE PLAIN %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [CAPABILITY IMAP4rev1 UIDPLUS "
                                                    "MOVE] Logged in");
  /* The first replay: busy at once; nothing after it is sent. */
  script_select (f);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% UID STORE 1 +FLAGS (\\Flagged)");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% NO [UNAVAILABLE] Try later");
  /* The last attempt it gets: refused, the server's flags fetched. */
  script_select (f);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% UID STORE 1 +FLAGS (\\Flagged)");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% NO [UNAVAILABLE] Try later");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% UID FETCH 1 (UID FLAGS)");
  buzon_test_fake_imap_server_send_line (f->server, "* 1 FETCH (UID 1 FLAGS (\\Seen))");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK Fetch completed");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% UID STORE 2 -FLAGS (\\Seen)");
  buzon_test_fake_imap_server_send_line (f->server, "* 2 FETCH (UID 2 FLAGS ())");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK Store completed");
  f->session = fake_server_log_in (f->server);

  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.replayed + summary.dropped, ==, 0);
  g_assert_cmpuint (summary.left, ==, 2);
  {
    g_autofree char *queued = query (&f->store, "SELECT attempts || ':' || coalesce "
                                                "(last_error, '') FROM pending_operation "
                                                "ORDER BY id");
    g_autofree char *flags = query (&f->store, "SELECT flags FROM message ORDER BY uid");

    g_assert_true (g_str_has_prefix (queued, "1:"));
    g_assert_nonnull (strstr (queued, "Try later"));
    g_assert_true (g_str_has_suffix (queued, ",0:"));
    g_assert_cmpstr (flags, ==, "4,0");
  }

  set_attempts (f, 4);
  g_assert_true (run_replay (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.dropped, ==, 1);
  g_assert_cmpuint (summary.replayed, ==, 1);
  g_assert_cmpuint (summary.left, ==, 0);
  {
    g_autofree char *queued = query (&f->store, "SELECT count(*) FROM pending_operation");
    g_autofree char *flags = query (&f->store, "SELECT flags FROM message ORDER BY uid");

    g_assert_cmpstr (queued, ==, "0");
    /* UID 1 as the server has it; UID 2 as the user left it. */
    g_assert_cmpstr (flags, ==, "1,0");
  }
  {
    gboolean played = buzon_test_fake_imap_server_finish (f->server, WAIT_SECONDS * 1000,
                                                          &error);

    g_assert_no_error (error);
    g_assert_true (played);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

  g_test_add ("/operation-replay/busy", BusyFixture, NULL, busy_set_up, test_busy,
              busy_tear_down);
  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
