// The store's queue of pending operations: each kind's effect on the cache
// at once, the queue in order, one transaction for both (a failure leaves
// neither), completion and failed attempts, the queued changes kept over a
// resync, and the migration that brings an older cache's queue up to date.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <sqlite3.h>
#include <string.h>

#include "engine.h"
#include "imap/imap-mailbox.h"
#include "store-test-helpers.h"
#include "store/store-operation.h"

/* INBOX (UIDVALIDITY 77) with messages 1 to 5; Sent and Archivo empty. */
static void
five_messages (Fixture *f,
               gint64   ids[3])
{
  g_autoptr (GError) error = NULL;
  BuzonStoreBatch *batch;

  three_folders (f, ids);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (1, "\\Seen", "Uno", "1@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (2, "\\Seen $Trabajo", "Dos", "2@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (3, "", "Tres", "3@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (4, "", "Cuatro", "4@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (5, "\\Deleted", "Cinco", "5@x", "NIL", ""));
  buzon_store_batch_set_state (batch, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_UIDVALIDITY,
                                        .uidvalidity = 77 });
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_no_error (error);
}

static gint64
queue (Fixture                 *f,
       BuzonStoreOperationKind  kind,
       gint64                   folder_id,
       const char              *uids,
       const char              *flags,
       gint64                   destination_id,
       guint                   *count,
       GError                 **error)
{
  g_autoptr (BuzonStoreOperation) operation = buzon_store_operation_new (kind, folder_id, uids);
  g_autoptr (GAsyncResult) result = NULL;

  operation->flags = flags != NULL ? g_strsplit (flags, " ", -1) : NULL;
  operation->destination_id = destination_id;
  buzon_store_queue_operation_async (f->store, operation, NULL, store_result_cb, &result);
  /* The store copied it: freed before the job runs, nothing changes. */
  g_clear_pointer (&operation, buzon_store_operation_free);
  return buzon_store_queue_operation_finish (f->store, wait_for (&result), count, error);
}

static GPtrArray *
list_operations (Fixture *f)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *operations;

  buzon_store_list_operations_async (f->store, NULL, store_result_cb, &result);
  operations = buzon_store_list_operations_finish (f->store, wait_for (&result), &error);
  g_assert_no_error (error);
  return operations;
}

/* "uid:flags:keywords" of INBOX's cached messages. */
static char *
inbox (Fixture *f)
{
  return query (f, "SELECT m.uid || ':' || m.flags || ':' || coalesce (m.keywords, '') "
                   "FROM message m JOIN folder f ON f.id = m.folder_id "
                   "WHERE f.name = 'INBOX' ORDER BY m.uid");
}

static void
count_cb (BuzonStore *store,
          gint64      folder_id,
          gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_flags (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) operations = NULL;
  g_autofree char *after = NULL;
  gint64 ids[3];
  gint64 first, second;
  guint count = 0;
  guint changed = 0;

  five_messages (f, ids);
  g_signal_connect (f->store, "folder-changed", G_CALLBACK (count_cb), &changed);

  /* Flagged at once, only those named; UIDs not cached are left out. */
  first = queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, ids[0], "2:3,40:50", "\\Flagged", 0, &count,
                 &error);
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (first, ==, 0);
  g_clear_error (&error);
  first = queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, ids[0], "2:3,4:50", "\\Flagged", 0, &count,
                 &error);
  g_assert_no_error (error);
  g_assert_cmpint (first, >, 0);
  g_assert_cmpuint (count, ==, 4);
  after = inbox (f);
  g_assert_cmpstr (after, ==, "1:1:,2:5:$Trabajo,3:4:,4:4:,5:12:");
  g_clear_pointer (&after, g_free);

  /* Unread, and keywords both ways (case does not matter to IMAP). */
  second = queue (f, BUZON_STORE_OPERATION_REMOVE_FLAGS, ids[0], "1:2", "\\Seen $TRABAJO", 0,
                  NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, ids[0], "1,3", "$Label1 $Trabajo",
                          0, NULL, &error), >, 0);
  g_assert_no_error (error);
  after = inbox (f);
  g_assert_cmpstr (after, ==, "1:0:$Label1 $Trabajo,2:4:,3:4:$Label1 $Trabajo,4:4:,5:12:");

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (changed, ==, 3);

  /* The queue, oldest first, with what the replay needs. */
  operations = list_operations (f);
  g_assert_cmpuint (operations->len, ==, 3);
  {
    const BuzonStoreOperation *op = operations->pdata[0];

    g_assert_cmpint (op->id, ==, first);
    g_assert_cmpint (op->kind, ==, BUZON_STORE_OPERATION_ADD_FLAGS);
    g_assert_cmpstr (op->uids, ==, "2:5");
    g_assert_cmpstr (op->flags[0], ==, "\\Flagged");
    g_assert_null (op->flags[1]);
    g_assert_cmpuint (op->uidvalidity, ==, 77);
    g_assert_cmpstr (op->folder_name, ==, "INBOX");
    g_assert_null (op->destination_name);
    g_assert_cmpuint (op->attempts, ==, 0);
    g_assert_cmpint (op->created_at, >, 0);
  }
  {
    const BuzonStoreOperation *op = operations->pdata[1];

    g_assert_cmpint (op->id, ==, second);
    g_assert_cmpint (op->kind, ==, BUZON_STORE_OPERATION_REMOVE_FLAGS);
    g_assert_cmpstr (op->uids, ==, "1:2");
    g_assert_cmpstr (op->flags[1], ==, "$TRABAJO");
  }
  g_assert_cmpint (((BuzonStoreOperation *) operations->pdata[2])->id, >, second);
}

static void
test_move_delete_copy (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) operations = NULL;
  g_autofree char *after = NULL;
  g_autofree char *fts = NULL;
  gint64 ids[3];
  guint count = 0;

  five_messages (f, ids);

  /* A move takes them out at once; the destination waits for its sync. */
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_MOVE, ids[0], "2:3", NULL, ids[2], &count,
                          &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  /* A copy changes nothing until then. */
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_COPY, ids[0], "1", NULL, ids[1], NULL,
                          &error), >, 0);
  /* A delete takes them out. */
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_DELETE, ids[0], "4", NULL, 0, NULL, &error),
                   >, 0);
  /* An expunge takes out only those marked \Deleted. */
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_EXPUNGE, ids[0], "1,5", NULL, 0, &count,
                          &error), >, 0);
  g_assert_no_error (error);
  after = inbox (f);
  g_assert_cmpstr (after, ==, "1:1:");
  g_clear_pointer (&after, g_free);
  after = query (f, "SELECT count(*) FROM message");
  g_assert_cmpstr (after, ==, "1");
  fts = query (f, "SELECT count(*) FROM message_fts");
  g_assert_cmpstr (fts, ==, "1");

  operations = list_operations (f);
  g_assert_cmpuint (operations->len, ==, 4);
  g_assert_cmpint (((BuzonStoreOperation *) operations->pdata[0])->kind, ==,
                   BUZON_STORE_OPERATION_MOVE);
  g_assert_cmpstr (((BuzonStoreOperation *) operations->pdata[0])->destination_name, ==,
                   "Archivo");
  g_assert_cmpint (((BuzonStoreOperation *) operations->pdata[0])->destination_id, ==, ids[2]);
  g_assert_cmpstr (((BuzonStoreOperation *) operations->pdata[1])->destination_name, ==, "Sent");
  g_assert_cmpint (((BuzonStoreOperation *) operations->pdata[2])->kind, ==,
                   BUZON_STORE_OPERATION_DELETE);
  g_assert_cmpint (((BuzonStoreOperation *) operations->pdata[3])->kind, ==,
                   BUZON_STORE_OPERATION_EXPUNGE);
  g_assert_true (buzon_store_operation_removes_messages (operations->pdata[3]));
  g_assert_false (buzon_store_operation_removes_messages (operations->pdata[1]));

  /* Messages gone from the cache cannot be changed again. */
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, ids[0], "2", "\\Seen", 0, NULL,
                          &error), ==, 0);
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
}

/* Refused before or while writing: nothing of it is kept. */
static void
test_one_transaction (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  gint64 ids[3];

  five_messages (f, ids);
  before = inbox (f);

  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, 9999, "1", "\\Seen", 0, NULL,
                          &error), ==, 0);
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_MOVE, ids[0], "1", NULL, 9999, NULL, &error),
                   ==, 0);
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_MOVE, ids[0], "1", NULL, ids[0], NULL,
                          &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* One UID of two unknown: the other is not changed either. */
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, ids[0], "3,99", "\\Flagged", 0,
                          NULL, &error), ==, 0);
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "99"));
  g_clear_error (&error);
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_DELETE, ids[0], "1:*", NULL, 0, NULL,
                          &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, ids[0], "3", NULL, 0, NULL,
                          &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* The queue cannot take it (a trigger refuses, as a full disk would):
   * the messages keep their flags and are not removed. */
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "CREATE TRIGGER refuse BEFORE INSERT ON "
                                       "pending_operation BEGIN SELECT RAISE (ABORT, 'full'); "
                                       "END",
                                   NULL, NULL, NULL),
                     ==, SQLITE_OK);
    sqlite3_close (db);
  }
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, ids[0], "3:4", "\\Flagged $X", 0,
                          NULL, &error), ==, 0);
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_DELETE, ids[0], "1:5", NULL, 0, NULL, &error),
                   ==, 0);
  g_clear_error (&error);
  {
    g_autofree char *after = inbox (f);
    g_autofree char *queued = query (f, "SELECT count(*) FROM pending_operation");

    g_assert_cmpstr (after, ==, before);
    g_assert_cmpstr (queued, ==, "0");
  }
}

static gboolean
outcome (Fixture    *f,
         gint64      id,
         const char *reason)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if (reason == NULL)
    {
      buzon_store_complete_operation_async (f->store, id, NULL, store_result_cb, &result);
      ok = buzon_store_complete_operation_finish (f->store, wait_for (&result), &error);
    }
  else
    {
      buzon_store_fail_operation_async (f->store, id, reason, NULL, store_result_cb, &result);
      ok = buzon_store_fail_operation_finish (f->store, wait_for (&result), &error);
    }
  g_assert_no_error (error);
  return ok;
}

static void
test_complete_and_fail (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) operations = NULL;
  gint64 ids[3];
  gint64 first, second;

  five_messages (f, ids);
  first = queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, ids[0], "1", "\\Flagged", 0, NULL, &error);
  second = queue (f, BUZON_STORE_OPERATION_COPY, ids[0], "2", NULL, ids[1], NULL, &error);
  g_assert_no_error (error);

  g_assert_true (outcome (f, first, "Ocupado"));
  g_assert_true (outcome (f, first, "Ocupado otra vez"));
  operations = list_operations (f);
  g_assert_cmpuint (operations->len, ==, 2);
  g_assert_cmpuint (((BuzonStoreOperation *) operations->pdata[0])->attempts, ==, 2);
  g_assert_cmpstr (((BuzonStoreOperation *) operations->pdata[0])->last_error, ==,
                   "Ocupado otra vez");
  g_assert_cmpuint (((BuzonStoreOperation *) operations->pdata[1])->attempts, ==, 0);
  g_clear_pointer (&operations, g_ptr_array_unref);

  /* Completed: out of the queue, its effect on the cache stays. */
  g_assert_true (outcome (f, first, NULL));
  g_assert_true (outcome (f, first, NULL));
  operations = list_operations (f);
  g_assert_cmpuint (operations->len, ==, 1);
  g_assert_cmpint (((BuzonStoreOperation *) operations->pdata[0])->id, ==, second);
  {
    g_autofree char *after = inbox (f);
    g_assert_true (g_str_has_prefix (after, "1:5:,"));
  }
  g_clear_pointer (&operations, g_ptr_array_unref);

  /* A folder that left the cache: the operation is listed without its
   * names, for the replay to drop. */
  {
    g_autoptr (GPtrArray) mailboxes = g_ptr_array_new_with_free_func (
      (GDestroyNotify) buzon_imap_mailbox_free);

    add_folder (f, mailboxes, "INBOX");
    add_folder (f, mailboxes, "Archivo");
    g_assert_true (save_folders (f, mailboxes));
  }
  operations = list_operations (f);
  g_assert_cmpstr (((BuzonStoreOperation *) operations->pdata[0])->folder_name, ==, "INBOX");
  g_assert_null (((BuzonStoreOperation *) operations->pdata[0])->destination_name);
}

/* A resync stores the server's flags and brings back a message moved away:
 * the queued changes stay on top until the operations leave the queue. */
static void
test_survives_resync (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) operations = NULL;
  BuzonStoreBatchResult counts;
  BuzonStoreBatch *batch;
  gint64 ids[3];
  gint64 flag, move;

  five_messages (f, ids);
  flag = queue (f, BUZON_STORE_OPERATION_ADD_FLAGS, ids[0], "1:2", "\\Flagged $Hecho", 0, NULL,
                &error);
  move = queue (f, BUZON_STORE_OPERATION_MOVE, ids[0], "3", NULL, ids[2], NULL, &error);
  g_assert_no_error (error);

  /* What a resync of a server that has heard of neither would store. */
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, fetch_from ("* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (90))"
                                                  "\r\n"));
  buzon_store_batch_add_fetch (batch, fetch_from ("* 2 FETCH (UID 2 FLAGS (\\Answered) "
                                                  "MODSEQ (91))\r\n"));
  buzon_store_batch_add_fetch (batch, message (3, "", "Tres", "3@x", "NIL", ""));
  g_assert_true (apply (f, batch, &counts, &error));
  g_assert_no_error (error);
  {
    g_autofree char *after = inbox (f);
    g_assert_cmpstr (after, ==, "1:5:$Hecho,2:6:$Hecho,4:0:,5:8:");
  }

  /* The flags reached the server: its state wins again. */
  g_assert_true (outcome (f, flag, NULL));
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, fetch_from ("* 2 FETCH (UID 2 FLAGS (\\Answered) "
                                                  "MODSEQ (92))\r\n"));
  g_assert_true (apply (f, batch, &counts, &error));
  {
    g_autofree char *after = inbox (f);
    g_assert_cmpstr (after, ==, "1:5:$Hecho,2:2:,4:0:,5:8:");
  }

  /* The move was refused: the batch that ends it brings the message back. */
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (3, "\\Seen", "Tres", "3@x", "NIL", ""));
  buzon_store_batch_complete_operation (batch, move);
  g_assert_true (apply (f, batch, &counts, &error));
  g_assert_cmpuint (counts.added, ==, 1);
  operations = list_operations (f);
  g_assert_cmpuint (operations->len, ==, 0);
  {
    g_autofree char *after = inbox (f);
    g_assert_cmpstr (after, ==, "1:5:$Hecho,2:2:,3:1:,4:0:,5:8:");
  }

  /* Under another UIDVALIDITY the UIDs name other messages: an operation
   * of the old one is not applied to them. */
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_DELETE, ids[0], "4", NULL, 0, NULL, &error),
                   >, 0);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_reset (batch);
  buzon_store_batch_add_fetch (batch, message (4, "", "Otro", "o@x", "NIL", ""));
  buzon_store_batch_set_state (batch, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_UIDVALIDITY,
                                        .uidvalidity = 78 });
  g_assert_true (apply (f, batch, &counts, &error));
  {
    g_autofree char *after = inbox (f);
    g_assert_cmpstr (after, ==, "4:0:");
  }
}

/* A cache from before the queue had its own columns is brought up to date,
 * its queued rows kept. */
static void
test_migration (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) operations = NULL;
  sqlite3 *db = NULL;

  buzon_store_close (f->store);
  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP INDEX pending_operation_by_folder;"
                                     "ALTER TABLE pending_operation DROP COLUMN uidvalidity;"
                                     "ALTER TABLE pending_operation DROP COLUMN destination_id;"
                                     "INSERT INTO folder (raw_name, name) "
                                     "VALUES ('INBOX', 'INBOX');"
                                     "INSERT INTO pending_operation (kind, folder_id, uids, "
                                     "argument, created_at) VALUES ('add-flags', 1, '7', "
                                     "'\\Seen', 1);"
                                     "PRAGMA user_version = 1",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  f->store = buzon_store_new (f->path);
  g_assert_true (open_store (f->store, &error));
  g_assert_no_error (error);
  operations = list_operations (f);
  g_assert_cmpuint (operations->len, ==, 1);
  g_assert_cmpstr (((BuzonStoreOperation *) operations->pdata[0])->uids, ==, "7");
  g_assert_cmpstr (((BuzonStoreOperation *) operations->pdata[0])->folder_name, ==, "INBOX");
  g_assert_cmpuint (((BuzonStoreOperation *) operations->pdata[0])->uidvalidity, ==, 0);
  g_assert_cmpint (((BuzonStoreOperation *) operations->pdata[0])->destination_id, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

#define ADD(path, func) \
  g_test_add ("/store-operation/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("flags", test_flags);
  ADD ("move-delete-copy", test_move_delete_copy);
  ADD ("one-transaction", test_one_transaction);
  ADD ("complete-and-fail", test_complete_and_fail);
  ADD ("survives-resync", test_survives_resync);
  ADD ("migration", test_migration);
#undef ADD

  return g_test_run ();
}
