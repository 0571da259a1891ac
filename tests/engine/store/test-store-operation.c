// The store's queue of pending operations: each kind's effect on the cache
// at once, the queue in order, one transaction for both, completion and
// failed attempts, the queue kept over a resync, the migrations; archives,
// expunges, and the provisional copies left in a move's destination.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <sqlite3.h>
#include <string.h>

#include "engine.h"
#include "imap/imap-mailbox.h"
#include "imap/imap-uid-set.h"
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
  wait_for (&result);
  /* The store's announcements of the change come right after its result. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return buzon_store_queue_operation_finish (f->store, result, count, error);
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
  /* The setup's own announcements first: only the queue's are counted. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
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

  /* A move takes them out at once, and shows them in the destination. */
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_MOVE, ids[0], "2:3", NULL, ids[2], &count,
                          &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  /* A copy changes nothing in its folder. */
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
  /* INBOX's one, and the provisional copies in Archivo (two) and Sent. */
  after = query (f, "SELECT count(*) FROM message");
  g_assert_cmpstr (after, ==, "4");
  fts = query (f, "SELECT count(*) FROM message_fts");
  g_assert_cmpstr (fts, ==, "4");

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

/* Writes @sql to the cache behind the store's back. */
static void
write_db (Fixture    *f,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* "uid<0?:flags:subject:operation" of a folder's cached messages: "p" for
 * a provisional row, its UID for another. */
static char *
folder_rows (Fixture *f,
             gint64   folder_id)
{
  g_autofree char *sql = g_strdup_printf (
    "SELECT CASE WHEN uid < 0 THEN 'p' ELSE uid END || ':' || flags || ':' || subject || ':' "
    "|| coalesce (operation_id, '') FROM message WHERE folder_id = %" G_GINT64_FORMAT
    " ORDER BY subject, uid",
    folder_id);

  return query (f, sql);
}

static gboolean
complete_copy (Fixture        *f,
               gint64          id,
               guint32         uidvalidity,
               const guint32  *source,
               const guint32  *destination,
               guint           count)
{
  g_autoptr (GArray) from = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GArray) to = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  g_array_append_vals (from, source, count);
  g_array_append_vals (to, destination, count);
  buzon_store_complete_copy_async (f->store, id, uidvalidity, from, to, NULL, store_result_cb,
                                   &result);
  ok = buzon_store_complete_copy_finish (f->store, wait_for (&result), &error);
  g_assert_no_error (error);
  return ok;
}

static guint
cached_in (Fixture *f,
           gint64   folder_id)
{
  g_autoptr (GPtrArray) folders = list_folders (f);

  for (guint i = 0; i < folders->len; i++)
    if (((BuzonStoreFolder *) folders->pdata[i])->id == folder_id)
      return ((BuzonStoreFolder *) folders->pdata[i])->cached_count;
  g_assert_not_reached ();
}

static void
changed_cb (BuzonStore *store,
            gint64      folder_id,
            gpointer    user_data)
{
  g_array_append_val ((GArray *) user_data, folder_id);
}

/* Whether "folder-changed" was heard for @id, once the announcements that
 * follow the last result have been delivered. */
static gboolean
contains_id (GArray *ids,
             gint64  id)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return TRUE;
  return FALSE;
}

/* A move shows its messages in the destination at once, with their flags,
 * full-text entries and bodies; a sync of the destination before the
 * replay neither drops nor duplicates them; COPYUID gives them their UIDs,
 * after which the destination's sync adds nothing twice. */
static void
test_provisional_move (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) changed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) uids = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  BuzonStoreBatchResult counts;
  BuzonStoreBatch *batch;
  gint64 ids[3];
  gint64 move;

  five_messages (f, ids);
  /* Archivo as its last sync left it: UIDVALIDITY 5, one message. */
  batch = buzon_store_batch_new (ids[2]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Vieja", "v@x", "NIL", ""));
  buzon_store_batch_set_state (batch, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_UIDVALIDITY
                                                  | BUZON_STORE_STATE_FIRST_SYNC_DONE,
                                        .uidvalidity = 5,
                                        .first_sync_done = TRUE });
  g_assert_true (apply (f, batch, NULL, &error));
  write_db (f, "INSERT INTO body (message_id, raw, fetched_at) SELECT id, 'Subject: Tres', 1 "
               "FROM message WHERE subject = 'Tres'");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_signal_connect (f->store, "folder-changed", G_CALLBACK (changed_cb), changed);

  move = queue (f, BUZON_STORE_OPERATION_MOVE, ids[0], "2:3", NULL, ids[2], NULL, &error);
  g_assert_no_error (error);
  g_assert_true (contains_id (changed, ids[0]));
  g_assert_true (contains_id (changed, ids[2]));
  {
    g_autofree char *rows = folder_rows (f, ids[2]);
    g_autofree char *expected = g_strdup_printf ("p:1:Dos:%" G_GINT64_FORMAT ",p:0:Tres:%"
                                                 G_GINT64_FORMAT ",1:0:Vieja:",
                                                 move, move);
    g_autofree char *keywords = query (f, "SELECT keywords FROM message WHERE subject = 'Dos'");
    g_autofree char *body = query (f, "SELECT b.raw FROM body b JOIN message m "
                                      "ON m.id = b.message_id WHERE m.uid < 0");
    g_autofree char *found = query (f, "SELECT m.folder_id FROM message_fts JOIN message m "
                                       "ON m.id = message_fts.rowid "
                                       "WHERE message_fts MATCH 'tres'");
    g_autofree char *in_archivo = g_strdup_printf ("%" G_GINT64_FORMAT, ids[2]);

    g_assert_cmpstr (rows, ==, expected);
    g_assert_cmpstr (keywords, ==, "$Trabajo");
    g_assert_cmpstr (body, ==, "Subject: Tres");
    g_assert_cmpstr (found, ==, in_archivo);
  }
  g_assert_cmpuint (cached_in (f, ids[2]), ==, 3);
  g_assert_cmpuint (cached_in (f, ids[0]), ==, 3);

  /* The destination's sync runs first: the server has only its old one
   * (a flags resync, a vanished UID, even a UIDVALIDITY reset name UIDs 1
   * and up). The provisional rows stay, once each, and are no UIDs of its. */
  batch = buzon_store_batch_new (ids[2]);
  buzon_store_batch_add_fetch (batch, fetch_from ("* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n"));
  g_assert_true (apply (f, batch, NULL, &error));
  {
    BuzonImapUidRange all = { 1, G_MAXUINT32 };
    g_autoptr (GArray) everything = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));

    g_array_append_val (everything, all);
    batch = buzon_store_batch_new (ids[2]);
    buzon_store_batch_remove_uids (batch, everything);
    buzon_store_batch_add_fetch (batch, message (1, "\\Seen", "Vieja", "v@x", "NIL", ""));
    g_assert_true (apply (f, batch, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (cached_in (f, ids[2]), ==, 3);
  buzon_store_list_uids_async (f->store, ids[2], NULL, store_result_cb, &result);
  uids = buzon_store_list_uids_finish (f->store, wait_for (&result), &error);
  g_assert_no_error (error);
  {
    g_autofree char *set = buzon_imap_uid_set_to_string (uids);

    g_assert_cmpstr (set, ==, "1");
  }

  /* The server moved them to 7 and 8 (COPYUID): the rows take those UIDs,
   * body and all, in the transaction that empties the queue. */
  g_array_set_size (changed, 0);
  g_assert_true (complete_copy (f, move, 5, (guint32[]) { 2, 3 }, (guint32[]) { 7, 8 }, 2));
  g_assert_true (contains_id (changed, ids[2]));
  {
    g_autofree char *rows = folder_rows (f, ids[2]);
    g_autofree char *body = query (f, "SELECT m.uid FROM body b JOIN message m "
                                      "ON m.id = b.message_id WHERE m.folder_id = (SELECT id "
                                      "FROM folder WHERE name = 'Archivo')");
    g_autofree char *queued = query (f, "SELECT count(*) FROM pending_operation");

    g_assert_cmpstr (rows, ==, "7:1:Dos:,8:0:Tres:,1:1:Vieja:");
    g_assert_cmpstr (body, ==, "8");
    g_assert_cmpstr (queued, ==, "0");
  }

  /* The destination's next sync finds them cached: nothing twice. */
  batch = buzon_store_batch_new (ids[2]);
  buzon_store_batch_add_fetch (batch, message (7, "\\Seen", "Dos", "2@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (8, "\\Flagged", "Tres", "3@x", "NIL", ""));
  g_assert_true (apply (f, batch, &counts, &error));
  g_assert_cmpuint (counts.added, ==, 0);
  {
    g_autofree char *rows = folder_rows (f, ids[2]);

    g_assert_cmpstr (rows, ==, "7:1:Dos:,8:4:Tres:,1:1:Vieja:");
  }
  g_signal_handlers_disconnect_by_data (f->store, changed);
}

/* Without COPYUID (no UIDPLUS), under another UIDVALIDITY, or refused: the
 * provisional copies go when the operation leaves the queue, and the
 * source keeps what the server says it has. Two copies of one message are
 * two provisional rows. */
static void
test_provisional_dropped (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) changed = g_array_new (FALSE, FALSE, sizeof (gint64));
  BuzonStoreBatchResult counts;
  BuzonStoreBatch *batch;
  gint64 ids[3];
  gint64 copy, again, move, refused;

  five_messages (f, ids);
  copy = queue (f, BUZON_STORE_OPERATION_COPY, ids[0], "1", NULL, ids[1], NULL, &error);
  again = queue (f, BUZON_STORE_OPERATION_COPY, ids[0], "1", NULL, ids[1], NULL, &error);
  move = queue (f, BUZON_STORE_OPERATION_MOVE, ids[0], "2", NULL, ids[2], NULL, &error);
  refused = queue (f, BUZON_STORE_OPERATION_MOVE, ids[0], "3:4", NULL, ids[2], NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cached_in (f, ids[1]), ==, 2);
  g_assert_cmpuint (cached_in (f, ids[2]), ==, 3);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_signal_connect (f->store, "folder-changed", G_CALLBACK (changed_cb), changed);

  /* Done, no COPYUID: gone; the next sync of Sent brings the real ones. */
  g_assert_true (outcome (f, copy, NULL));
  g_assert_true (contains_id (changed, ids[1]));
  g_assert_cmpuint (cached_in (f, ids[1]), ==, 1);
  /* COPYUID under a UIDVALIDITY other than the one the cache has for
   * Sent: gone too. */
  batch = buzon_store_batch_new (ids[1]);
  buzon_store_batch_set_state (batch, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_UIDVALIDITY
                                                  | BUZON_STORE_STATE_FIRST_SYNC_DONE,
                                        .uidvalidity = 3,
                                        .first_sync_done = TRUE });
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_true (complete_copy (f, again, 9, (guint32[]) { 1 }, (guint32[]) { 4 }, 1));
  g_assert_cmpuint (cached_in (f, ids[1]), ==, 0);

  /* COPYUID naming a UID a sync has cached already: no second row. */
  batch = buzon_store_batch_new (ids[2]);
  buzon_store_batch_add_fetch (batch, message (6, "", "Dos", "2@x", "NIL", ""));
  buzon_store_batch_set_state (batch, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_UIDVALIDITY
                                                  | BUZON_STORE_STATE_FIRST_SYNC_DONE,
                                        .uidvalidity = 5,
                                        .first_sync_done = TRUE });
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_true (complete_copy (f, move, 5, (guint32[]) { 2 }, (guint32[]) { 6 }, 1));
  {
    g_autofree char *rows = folder_rows (f, ids[2]);
    g_autofree char *expected = g_strdup_printf ("p:0:Cuatro:%" G_GINT64_FORMAT ",6:0:Dos:,"
                                                 "p:0:Tres:%" G_GINT64_FORMAT,
                                                 refused, refused);

    g_assert_cmpstr (rows, ==, expected);
  }

  /* Refused: the batch that ends it brings the messages back to INBOX,
   * and Archivo loses its provisional copies, in one transaction. */
  g_array_set_size (changed, 0);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (3, "", "Tres", "3@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (4, "", "Cuatro", "4@x", "NIL", ""));
  buzon_store_batch_complete_operation (batch, refused);
  g_assert_true (apply (f, batch, &counts, &error));
  g_assert_cmpuint (counts.added, ==, 2);
  g_assert_true (contains_id (changed, ids[2]));
  {
    g_autofree char *rows = folder_rows (f, ids[2]);
    g_autofree char *inbox_now = inbox (f);
    g_autofree char *fts = query (f, "SELECT count(*) FROM message_fts");
    g_autofree char *all = query (f, "SELECT count(*) FROM message");
    g_autofree char *queued = query (f, "SELECT count(*) FROM pending_operation");

    g_assert_cmpstr (rows, ==, "6:0:Dos:");
    g_assert_cmpstr (inbox_now, ==, "1:1:,3:0:,4:0:,5:8:");
    g_assert_cmpstr (fts, ==, all);
    g_assert_cmpstr (queued, ==, "0");
  }
  g_signal_handlers_disconnect_by_data (f->store, changed);
}

/* The real message reaches the destination before the replay has heard
 * that the server moved it: a sync that brings it takes the provisional
 * copy out, so the destination never lists it twice. */
static void
test_provisional_superseded (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonStoreBatchResult counts;
  BuzonStoreBatch *batch;
  gint64 ids[3];
  gint64 move;

  five_messages (f, ids);
  move = queue (f, BUZON_STORE_OPERATION_MOVE, ids[0], "2:3", NULL, ids[2], NULL, &error);
  g_assert_no_error (error);
  batch = buzon_store_batch_new (ids[2]);
  buzon_store_batch_add_fetch (batch, message (9, "\\Seen", "Dos", "2@x", "NIL", ""));
  g_assert_true (apply (f, batch, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.added, ==, 1);
  {
    g_autofree char *rows = folder_rows (f, ids[2]);
    g_autofree char *expected = g_strdup_printf ("9:1:Dos:,p:0:Tres:%" G_GINT64_FORMAT, move);
    g_autofree char *fts = query (f, "SELECT count(*) FROM message_fts");
    g_autofree char *all = query (f, "SELECT count(*) FROM message");

    g_assert_cmpstr (rows, ==, expected);
    g_assert_cmpstr (fts, ==, all);
  }
  /* The replay's answer (no COPYUID: the messages were gone) ends it. */
  g_assert_true (outcome (f, move, NULL));
  {
    g_autofree char *rows = folder_rows (f, ids[2]);

    g_assert_cmpstr (rows, ==, "9:1:Dos:");
  }
}

/* An archive is a move to the folder LIST calls \Archive; without one it
 * is refused and nothing changes. */
static void
test_archive (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) operations = NULL;
  g_autofree char *before = NULL;
  gint64 ids[3];
  gint64 id;
  guint count = 0;

  five_messages (f, ids);
  before = inbox (f);
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_ARCHIVE, ids[0], "1", NULL, 0, NULL, &error),
                   ==, 0);
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NO_ARCHIVE);
  g_assert_nonnull (strstr (error->message, "Archive"));
  g_clear_error (&error);
  {
    g_autofree char *after = inbox (f);
    g_autofree char *queued = query (f, "SELECT count(*) FROM pending_operation");

    g_assert_cmpstr (after, ==, before);
    g_assert_cmpstr (queued, ==, "0");
  }

  /* A \Noselect \Archive is no place to put messages either. */
  write_db (f, "UPDATE folder SET special_use = 2, flags = 1 WHERE name = 'Sent'");
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_ARCHIVE, ids[0], "1", NULL, 0, NULL, &error),
                   ==, 0);
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NO_ARCHIVE);
  g_clear_error (&error);

  write_db (f, "UPDATE folder SET special_use = 2 WHERE name = 'Archivo'");
  /* Whatever destination the caller set, the Archive it is. */
  id = queue (f, BUZON_STORE_OPERATION_ARCHIVE, ids[0], "1:2", NULL, ids[1], &count, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpuint (count, ==, 2);
  {
    g_autofree char *after = inbox (f);
    g_autofree char *rows = folder_rows (f, ids[2]);
    g_autofree char *expected = g_strdup_printf ("p:1:Dos:%" G_GINT64_FORMAT ",p:1:Uno:%"
                                                 G_GINT64_FORMAT,
                                                 id, id);

    g_assert_cmpstr (after, ==, "3:0:,4:0:,5:8:");
    g_assert_cmpstr (rows, ==, expected);
    g_assert_cmpuint (cached_in (f, ids[1]), ==, 0);
  }
  operations = list_operations (f);
  g_assert_cmpuint (operations->len, ==, 1);
  g_assert_cmpint (((BuzonStoreOperation *) operations->pdata[0])->kind, ==,
                   BUZON_STORE_OPERATION_ARCHIVE);
  g_assert_cmpint (((BuzonStoreOperation *) operations->pdata[0])->destination_id, ==, ids[2]);
  g_assert_cmpstr (((BuzonStoreOperation *) operations->pdata[0])->destination_name, ==,
                   "Archivo");
  g_assert_true (buzon_store_operation_removes_messages (operations->pdata[0]));

  /* Archived again from the Archive: they are there already. */
  {
    BuzonStoreBatch *batch = buzon_store_batch_new (ids[2]);

    buzon_store_batch_add_fetch (batch, message (1, "", "Vieja", "v@x", "NIL", ""));
    g_assert_true (apply (f, batch, NULL, &error));
  }
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_ARCHIVE, ids[2], "1", NULL, 0, NULL, &error),
                   ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* An expunge covers the cached messages marked \Deleted among those it
 * names, and says so when there are none. */
static void
test_expunge (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) operations = NULL;
  gint64 ids[3];
  guint count = 0;

  five_messages (f, ids);
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_EXPUNGE, ids[0], "1:4", NULL, 0, NULL,
                          &error), ==, 0);
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "deleted"));
  g_clear_error (&error);
  g_assert_cmpint (queue (f, BUZON_STORE_OPERATION_EXPUNGE, ids[0], "1:4294967295", NULL, 0,
                          &count, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 1);
  operations = list_operations (f);
  g_assert_cmpstr (((BuzonStoreOperation *) operations->pdata[0])->uids, ==, "5");
  {
    g_autofree char *after = inbox (f);

    g_assert_cmpstr (after, ==, "1:1:,2:1:$Trabajo,3:0:,4:0:");
  }
}

/* A cache from before the queue had its own columns (and before provisional
 * copies) is brought up to date, its queued rows kept. */
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
                                     "DROP INDEX message_by_operation;"
                                     "DROP INDEX message_unread;"
                                     "DROP TRIGGER body_added;"
                                     "DROP TRIGGER body_removed;"
                                     UNDO_MIGRATIONS_9_TO_12
                                     "ALTER TABLE message DROP COLUMN has_body;"
                                     "ALTER TABLE message DROP COLUMN operation_id;"
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
  {
    g_autofree char *column = query (f, "SELECT count(*) FROM pragma_table_info ('message') "
                                        "WHERE name = 'operation_id'");

    g_assert_cmpstr (column, ==, "1");
  }
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
  ADD ("provisional-move", test_provisional_move);
  ADD ("provisional-dropped", test_provisional_dropped);
  ADD ("provisional-superseded", test_provisional_superseded);
  ADD ("archive", test_archive);
  ADD ("expunge", test_expunge);
#undef ADD

  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
