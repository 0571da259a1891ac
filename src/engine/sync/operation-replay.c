// BuzonOperationReplay: sends the store's queue of pending operations to
// the server, oldest first, over a logged-in session.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Each operation selects its folder (once for a run of operations there),
// checks that the folder's UIDVALIDITY is the one its UIDs belong to, and
// sends: UID STORE +FLAGS or -FLAGS; UID MOVE (the session falls back to
// COPY, STORE \Deleted and UID EXPUNGE), for a move and an archive (whose
// destination, the \Archive folder, the store found when it was queued);
// UID COPY; for a delete, a move to the account's Trash or, for messages in
// the Trash already or without a Trash, STORE \Deleted and UID EXPUNGE of
// those messages only; for an expunge, UID EXPUNGE. Done, the operation
// leaves the queue. A move, copy or archive left provisional copies in its
// destination's cache: with UIDPLUS they take the UIDs COPYUID reports, in
// the transaction that takes the operation out of the queue; without it
// (or without a COPYUID) they go, and the destination's next sync brings
// the real messages.
//
// When the server disagrees, its state wins and nothing is lost:
//   - the folder is gone (from the cache, or SELECT says it does not
//     exist), or its UIDVALIDITY changed: the operation is dropped; the
//     next sync drops or refetches that folder's cache anyway;
//   - a message already gone: STORE and EXPUNGE succeed on the rest, and
//     the next sync takes the gone ones out of the cache;
//   - any other refusal (the destination does not exist, the mailbox is
//     read-only, the server says NO): the operation is dropped, and what
//     the server says of its messages now is fetched and stored in the
//     same transaction that takes it out of the queue, so a message moved
//     out of the cache comes back, and flags go back to the server's;
//   - the server is busy ([UNAVAILABLE], [INUSE]): the attempt is recorded
//     and the replay stops there, keeping the order; after MAX_ATTEMPTS
//     such attempts the operation counts as refused.
// A failed connection (or cancelling) stops the replay at once, with the
// operation being sent and those after it kept for the next replay. An
// operation the server carried out but the queue did not hear of (the
// connection dropped before its answer) is sent again next time: harmless
// for flags, moves, deletes and expunges; a copy may then be made twice.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap/imap-error.h"
#include "operation-replay.h"
#include "store/store-batch.h"
#include "store/store-folder.h"
#include "store/store-operation.h"
#include "sync/folder-sync.h"

/* Busy answers an operation may get before it counts as refused. */
#define MAX_ATTEMPTS 5

struct _BuzonOperationReplay
{
  GObject parent_instance;

  BuzonImapSession *session;
  BuzonStore *store;
  gboolean running;
};

G_DEFINE_FINAL_TYPE (BuzonOperationReplay, buzon_operation_replay, G_TYPE_OBJECT)

enum
{
  SIGNAL_OPERATION_DROPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum
{
  FAILURE_STOP,    /* The connection is gone, or the run was cancelled. */
  FAILURE_LATER,   /* The server is busy: try again at the next replay. */
  FAILURE_REFUSED, /* The server will not do it: its state wins. */
} Failure;

typedef struct
{
  BuzonOperationReplay *self; /* Not owned: the task holds it. */
  GCancellable *cancellable;  /* Not owned: the task holds it. */
  GPtrArray *operations;      /* Of BuzonStoreOperation, oldest first. */
  guint next;
  BuzonStoreOperation *current; /* Borrowed from @operations. */
  char *trash_name;           /* The \Trash folder's raw name, or NULL. */
  gint64 trash_id;
  char *selected_name;        /* The folder this run selected last. */
  guint32 selected_uidvalidity;
  GError *dropped;            /* Why the current operation is being dropped. */
  BuzonImapCopyUid *copyuid;  /* Where the server put the current operation's messages. */
  BuzonOperationReplayResult result;
} Run;

static void
run_free (Run *run)
{
  g_clear_pointer (&run->operations, g_ptr_array_unref);
  g_free (run->trash_name);
  g_free (run->selected_name);
  g_clear_error (&run->dropped);
  g_clear_pointer (&run->copyuid, buzon_imap_copy_uid_free);
  g_free (run);
}

static void next_operation (GTask *task);

/* Ends the run: with @error, the current operation and those after it stay
 * queued. Takes the reference to @task. */
static void
stop (GTask  *task,
      GError *error)
{
  Run *run = g_task_get_task_data (task);

  run->self->running = FALSE;
  if (run->current != NULL)
    run->result.left = run->operations->len - run->next + 1;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static Failure
classify (Run          *run,
          const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || buzon_imap_session_get_state (run->self->session) == BUZON_IMAP_SESSION_LOGOUT)
    return FAILURE_STOP;
  if (buzon_imap_error_is_refusal (error))
    return error->code == BUZON_IMAP_ERROR_UNAVAILABLE && run->current->attempts + 1 < MAX_ATTEMPTS
             ? FAILURE_LATER : FAILURE_REFUSED;
  /* What the session refuses before sending anything. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    return FAILURE_REFUSED;
  return FAILURE_STOP;
}

/* Leaving the queue. */

/* The current operation left the queue. Takes the reference to @task. */
static void
left_queue (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->dropped != NULL)
    {
      run->result.dropped++;
      g_signal_emit (run->self, signals[SIGNAL_OPERATION_DROPPED], 0, run->current, run->dropped);
      g_clear_error (&run->dropped);
    }
  else
    run->result.replayed++;
  next_operation (task);
}

static void
completed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr (GError) error = NULL;

  if (!buzon_store_complete_operation_finish (BUZON_STORE (source), result, &error))
    {
      stop (task, g_steal_pointer (&error));
      return;
    }
  left_queue (task);
}

/* Takes the reference to @task. Never cancelled: the server has it. */
static void
complete (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  g_autoptr (BuzonImapCopyUid) copyuid = g_steal_pointer (&run->copyuid);

  if (copyuid != NULL && run->dropped == NULL)
    buzon_store_complete_copy_async (run->self->store, run->current->id, copyuid->uidvalidity,
                                     copyuid->source, copyuid->destination, NULL, completed_cb,
                                     task);
  else
    buzon_store_complete_operation_async (run->self->store, run->current->id, NULL,
                                          completed_cb, task);
}

static void
restored_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr (GError) error = NULL;

  if (!buzon_store_apply_finish (BUZON_STORE (source), result, NULL, &error))
    {
      /* The folder left the cache meanwhile: nothing to restore in it. */
      if (g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
        complete (task);
      else
        stop (task, g_steal_pointer (&error));
      return;
    }
  /* The batch took the operation out of the queue. */
  left_queue (task);
}

static void
on_restore_fetch_cb (BuzonImapFetch *fetch,
                     gpointer        user_data)
{
  buzon_store_batch_add_fetch (user_data, fetch);
}

static void
restore_fetched_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  BuzonStoreBatch *batch = g_object_steal_data (G_OBJECT (task), "restore");
  g_autoptr (GError) error = NULL;

  if (!buzon_imap_session_fetch_finish (BUZON_IMAP_SESSION (source), result, NULL, &error))
    {
      buzon_store_batch_free (batch);
      if (classify (run, error) == FAILURE_STOP)
        stop (task, g_steal_pointer (&error));
      else
        complete (task);
      return;
    }
  buzon_store_batch_complete_operation (batch, run->current->id);
  buzon_store_apply_async (run->self->store, batch, NULL, restored_cb, task);
}

/* Takes the operation out of the queue together with what the server says
 * now of the messages it changed in the cache, so that they come back as
 * the server has them. Takes the reference to @task. */
static void
restore_and_complete (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  const BuzonStoreOperation *operation = run->current;
  BuzonStoreBatch *batch;

  if (operation->kind == BUZON_STORE_OPERATION_COPY || run->selected_name == NULL
      || g_strcmp0 (run->selected_name, operation->folder_name) != 0)
    {
      complete (task);
      return;
    }
  batch = buzon_store_batch_new (operation->folder_id);
  g_object_set_data (G_OBJECT (task), "restore", batch);
  /* Flags for messages still cached; the whole summary for those the
   * operation took out. UIDs the server no longer has return nothing. */
  buzon_imap_session_fetch_async (run->self->session, operation->uids,
                                  buzon_store_operation_removes_messages (operation)
                                    ? buzon_folder_sync_header_items (run->self->session)
                                    : "(UID FLAGS)",
                                  on_restore_fetch_cb, batch, NULL, restore_fetched_cb, task);
}

/* Takes the reference to @task, and @error. */
static void
drop (GTask    *task,
      GError   *error,
      gboolean  restore)
{
  Run *run = g_task_get_task_data (task);

  g_clear_error (&run->dropped);
  run->dropped = error;
  if (restore)
    restore_and_complete (task);
  else
    complete (task);
}

static void
failure_recorded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr (GError) error = NULL;

  if (!buzon_store_fail_operation_finish (BUZON_STORE (source), result, &error))
    {
      stop (task, g_steal_pointer (&error));
      return;
    }
  /* Later operations may depend on this one: they wait with it. */
  stop (task, NULL);
}

/* What to do after the server answered the current operation. Takes the
 * reference to @task, and @error. */
static void
answered (GTask  *task,
          GError *error)
{
  Run *run = g_task_get_task_data (task);

  if (error == NULL)
    {
      /* An expunge removes only what is marked \Deleted on the server:
       * those of its messages another client kept come back. */
      if (run->current->kind == BUZON_STORE_OPERATION_EXPUNGE)
        restore_and_complete (task);
      else
        complete (task);
      return;
    }
  switch (classify (run, error))
    {
    case FAILURE_STOP:
      stop (task, error);
      break;
    case FAILURE_LATER:
      buzon_store_fail_operation_async (run->self->store, run->current->id, error->message, NULL,
                                        failure_recorded_cb, task);
      g_error_free (error);
      break;
    case FAILURE_REFUSED:
    default:
      drop (task, error, TRUE);
      break;
    }
}

/* Sending. */

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GError *error = NULL;

  buzon_imap_session_store_finish (BUZON_IMAP_SESSION (source), result, NULL, &error);
  answered (user_data, error);
}

static void
copied_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  BuzonImapCopyUid *copyuid = NULL;
  GError *error = NULL;

  buzon_imap_session_copy_finish (BUZON_IMAP_SESSION (source), result, &copyuid, &error);
  /* The new UIDs name the provisional copies, when the server says it
   * means them (UIDPLUS) and there are some: a move to the Trash left
   * none. */
  g_clear_pointer (&run->copyuid, buzon_imap_copy_uid_free);
  if (copyuid != NULL && buzon_imap_session_get_uidplus (BUZON_IMAP_SESSION (source))
      && run->current->kind != BUZON_STORE_OPERATION_DELETE)
    run->copyuid = copyuid;
  else
    g_clear_pointer (&copyuid, buzon_imap_copy_uid_free);
  answered (task, error);
}

static void
expunged_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  buzon_imap_session_expunge_finish (BUZON_IMAP_SESSION (source), result, &error);
  /* Without UIDPLUS a delete leaves the messages marked \Deleted: a plain
   * EXPUNGE would also remove what others marked and meant to keep. */
  if (run->current->kind == BUZON_STORE_OPERATION_DELETE
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    g_clear_error (&error);
  answered (task, error);
}

static void
marked_deleted_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  if (!buzon_imap_session_store_finish (BUZON_IMAP_SESSION (source), result, NULL, &error))
    {
      answered (task, error);
      return;
    }
  buzon_imap_session_expunge_async (run->self->session, run->current->uids, NULL, expunged_cb,
                                    task);
}

/* Sends the current operation; its folder is selected. Takes the reference
 * to @task. Cancelling keeps a command not sent yet from being sent; one
 * the server may have carried out stays queued, to be sent again. */
static void
send_operation (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  const BuzonStoreOperation *operation = run->current;
  BuzonImapSession *session = run->self->session;
  static const char *const deleted[] = { "\\Deleted", NULL };

  switch (operation->kind)
    {
    case BUZON_STORE_OPERATION_ADD_FLAGS:
    case BUZON_STORE_OPERATION_REMOVE_FLAGS:
      buzon_imap_session_store_async (session, operation->uids,
                                      operation->kind == BUZON_STORE_OPERATION_ADD_FLAGS
                                        ? BUZON_IMAP_STORE_ADD : BUZON_IMAP_STORE_REMOVE,
                                      (const char * const *) operation->flags, 0, NULL, NULL,
                                      run->cancellable, stored_cb, task);
      break;
    case BUZON_STORE_OPERATION_MOVE:
    case BUZON_STORE_OPERATION_ARCHIVE:
      buzon_imap_session_move_async (session, operation->uids, operation->destination_name,
                                     run->cancellable, copied_cb, task);
      break;
    case BUZON_STORE_OPERATION_COPY:
      buzon_imap_session_copy_async (session, operation->uids, operation->destination_name,
                                     run->cancellable, copied_cb, task);
      break;
    case BUZON_STORE_OPERATION_DELETE:
      if (run->trash_name != NULL && operation->folder_id != run->trash_id)
        buzon_imap_session_move_async (session, operation->uids, run->trash_name,
                                       run->cancellable, copied_cb, task);
      else
        buzon_imap_session_store_async (session, operation->uids, BUZON_IMAP_STORE_ADD, deleted,
                                        0, NULL, NULL, run->cancellable, marked_deleted_cb, task);
      break;
    case BUZON_STORE_OPERATION_EXPUNGE:
    default:
      buzon_imap_session_expunge_async (session, operation->uids, run->cancellable, expunged_cb,
                                        task);
      break;
    }
}

/* Takes the reference to @task. */
static void
check_and_send (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  const BuzonStoreOperation *operation = run->current;

  if (operation->uidvalidity != 0 && operation->uidvalidity != run->selected_uidvalidity)
    {
      /* Translators: %s is a folder's name on the server. */
      drop (task, g_error_new (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                               _("The folder %s was replaced on the server: its messages are "
                                 "not the ones the change was made to"),
                               operation->folder_name),
            FALSE);
      return;
    }
  if ((operation->kind == BUZON_STORE_OPERATION_MOVE
       || operation->kind == BUZON_STORE_OPERATION_COPY
       || operation->kind == BUZON_STORE_OPERATION_ARCHIVE)
      && operation->destination_name == NULL)
    {
      /* The messages are still where they were: back into the cache. */
      drop (task, g_error_new_literal (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                                       _("The destination folder was deleted on the server")),
            TRUE);
      return;
    }
  send_operation (task);
}

static void
selected_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (BuzonImapSelected) selected = NULL;
  GError *error = NULL;

  selected = buzon_imap_session_select_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (selected == NULL)
    {
      /* Whatever was selected before is not any more. */
      g_clear_pointer (&run->selected_name, g_free);
      if (classify (run, error) == FAILURE_REFUSED)
        drop (task, error, TRUE);
      else
        answered (task, error);
      return;
    }
  g_free (run->selected_name);
  run->selected_name = g_strdup (run->current->folder_name);
  run->selected_uidvalidity = selected->uidvalidity;
  check_and_send (task);
}

/* Takes the reference to @task. */
static void
next_operation (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  BuzonStoreOperation *operation;

  if (run->next >= run->operations->len)
    {
      run->current = NULL;
      stop (task, NULL);
      return;
    }
  operation = run->current = g_ptr_array_index (run->operations, run->next++);
  if (operation->folder_name == NULL)
    {
      drop (task, g_error_new_literal (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                                       _("The folder was deleted on the server")),
            FALSE);
      return;
    }
  if (g_strcmp0 (run->selected_name, operation->folder_name) == 0)
    {
      check_and_send (task);
      return;
    }
  buzon_imap_session_select_async (run->self->session, operation->folder_name,
                                   BUZON_IMAP_SELECT_NONE, NULL, NULL, NULL, NULL,
                                   run->cancellable, selected_cb, task);
}

/* Starting. */

static void
listed_operations_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  run->operations = buzon_store_list_operations_finish (BUZON_STORE (source), result, &error);
  if (run->operations == NULL)
    {
      stop (task, g_steal_pointer (&error));
      return;
    }
  next_operation (task);
}

static void
listed_folders_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  folders = buzon_store_list_folders_finish (BUZON_STORE (source), result, &error);
  if (folders == NULL)
    {
      stop (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < folders->len && run->trash_name == NULL; i++)
    {
      const BuzonStoreFolder *folder = folders->pdata[i];

      if (folder->special_use == BUZON_IMAP_SPECIAL_USE_TRASH
          && (folder->flags & BUZON_IMAP_MAILBOX_NOSELECT) == 0)
        {
          run->trash_name = g_strdup (folder->raw_name);
          run->trash_id = folder->id;
        }
    }
  buzon_store_list_operations_async (run->self->store, run->cancellable, listed_operations_cb,
                                     task);
}

/* The object. */

static void
buzon_operation_replay_finalize (GObject *object)
{
  BuzonOperationReplay *self = BUZON_OPERATION_REPLAY (object);

  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (buzon_operation_replay_parent_class)->finalize (object);
}

static void
buzon_operation_replay_class_init (BuzonOperationReplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_operation_replay_finalize;

  /**
   * BuzonOperationReplay::operation-dropped:
   * @operation: (type gpointer): the BuzonStoreOperation, borrowed
   * @error: why the server's state won
   *
   * The server refused an operation, or its folder is gone: it left the
   * queue, and the cache holds what the server has. Emitted once the store
   * has it.
   */
  signals[SIGNAL_OPERATION_DROPPED] =
    g_signal_new ("operation-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_ERROR);
}

static void
buzon_operation_replay_init (BuzonOperationReplay *self)
{
}

/**
 * buzon_operation_replay_new:
 * @session: logged in; the replay selects folders on it
 * @store: the account's store, open
 */
BuzonOperationReplay *
buzon_operation_replay_new (BuzonImapSession *session,
                            BuzonStore       *store)
{
  BuzonOperationReplay *self;

  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (session), NULL);
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);

  self = g_object_new (BUZON_TYPE_OPERATION_REPLAY, NULL);
  self->session = g_object_ref (session);
  self->store = g_object_ref (store);
  return self;
}

/**
 * buzon_operation_replay_run_async:
 * @cancellable: (nullable): cancelling stops the replay: the result is
 *   G_IO_ERROR_CANCELLED, and the operation being sent (which the server
 *   may have carried out already) and those after it stay queued.
 * @callback: called in the thread-default main context of the caller once
 *   every operation queued when the run began was sent, dropped or kept,
 *   or the replay stopped
 *
 * Sends the queue, oldest first (see the top of this file for what the
 * server's refusals do). Operations queued while it runs wait for the next
 * run. Fails with the connection's error (the rest stays queued), or the
 * store's; refusals are not failures: they are reported by
 * "operation-dropped". The session is left with some folder selected. One
 * run at a time: a second fails with G_IO_ERROR_PENDING.
 */
void
buzon_operation_replay_run_async (BuzonOperationReplay *self,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  g_autoptr (GTask) task = NULL;
  Run *run;

  g_return_if_fail (BUZON_IS_OPERATION_REPLAY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_operation_replay_run_async);
  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s",
                               _("The queued changes are being sent already"));
      return;
    }
  self->running = TRUE;
  run = g_new0 (Run, 1);
  run->self = self;
  run->cancellable = cancellable;
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  /* The result says what reached the server, whatever the cancellable
   * says meanwhile. */
  g_task_set_check_cancellable (task, FALSE);
  buzon_store_list_folder_states_async (self->store, cancellable, listed_folders_cb,
                                        g_steal_pointer (&task));
}

/**
 * buzon_operation_replay_run_finish:
 * @summary: (out caller-allocates) (optional): what the run did, also when
 *   it failed
 */
gboolean
buzon_operation_replay_run_finish (BuzonOperationReplay        *self,
                                   GAsyncResult                *result,
                                   BuzonOperationReplayResult  *summary,
                                   GError                     **error)
{
  Run *run;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  run = g_task_get_task_data (G_TASK (result));
  if (summary != NULL)
    {
      if (run != NULL)
        *summary = run->result;
      else
        memset (summary, 0, sizeof *summary);
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}
