// BuzonAccountSync: one pass over an account — the password, the
// connection, login, the folder list, the queue of pending operations, then
// each folder (INBOX first, and before the rest when the queue is empty) —
// reporting as it goes.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The queue is replayed after the folder list is saved (so that its
// operations find their folders, and the Trash, as the server has them now)
// and before any folder is synchronised (when the queue is empty, INBOX
// may go first: see below): a resync then finds the server with the
// user's changes already made, and never undoes one. Operations
// the replay has to leave queued are applied again by the store over every
// batch a folder sync brings (see store-operation.c).
//
// After each folder's sync, while it is still selected, the bodies its
// cache lacks are downloaded (BuzonBodyPrefetch): all of them when
// "fetch-bodies" is set, else those of the mail of the account's last
// PrefetchDays days, so that recent mail reads and searches offline.
//
// INBOX goes first, so that new mail shows before the archive folders are
// looked at. When no operation waits (almost always), INBOX goes even
// before the folder list: the pass selects it right after login, and
// sends LIST-STATUS once its SELECT is on its way, beside INBOX's sync;
// the list is saved as soon as it comes, and the replay and the other
// folders follow INBOX's end. INBOX exists on every server (RFC 3501,
// 5.1), so a new cache is given it before any LIST. This spares a round
// trip before INBOX's first batch, and LIST-STATUS the work of INBOX's
// status, which the server has at hand once INBOX is selected: Dovecot
// (maildir) took 100-240 ms over it for 100,000 messages, and as long
// again for the SELECT after it, on every pass, nothing changed or not.
// A folder that fails (deleted by another client halfway, say)
// is reported and the others go on; a connection that fails ends the pass,
// keeping everything that reached the store.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "account-connect.h"
#include "account-sync.h"
#include "imap/imap-error.h"
#include "imap/imap-session.h"
#include "store/store-folder.h"
#include "store/store-operation.h"
#include "sync/body-prefetch.h"
#include "sync/operation-replay.h"

struct _BuzonAccountSync
{
  GObject parent_instance;

  BuzonAccount *account;
  BuzonStore *store;
  BuzonCredentials *credentials;
  BuzonConnectionPool *pool; /* Where the session comes from, or NULL: one of its own. */
  gboolean fetch_bodies;
  gboolean running;
};

G_DEFINE_FINAL_TYPE (BuzonAccountSync, buzon_account_sync, G_TYPE_OBJECT)

enum
{
  SIGNAL_FOLDER_STARTED,
  SIGNAL_PROGRESS,
  SIGNAL_FOLDER_FINISHED,
  SIGNAL_OPERATION_DROPPED,
  SIGNAL_BODIES_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  BuzonAccountSync *self; /* Not owned: the task holds it. */
  char *only_folder;
  gboolean replay_only;   /* Only the queue of pending operations, no folder list. */
  BuzonImapSession *session;
  GPtrArray *folders;     /* Of BuzonStoreFolder: those to sync, in order. */
  guint next;
  BuzonFolderSync *current;
  BuzonBodyPrefetch *prefetch;
  BuzonOperationReplay *replay;
  GHashTable *statuses;   /* raw name -> BuzonImapMailboxStatus, from LIST-STATUS; or NULL. */
  gboolean inbox_first;   /* INBOX goes before the others' LIST, and not again after it. */
  gboolean inbox_phase;   /* INBOX's sync (and its bodies) runs, LIST perhaps beside it. */
  gboolean listed;        /* LIST was asked for. */
  gboolean folders_saved; /* The folder list reached the store while INBOX's sync ran. */
  GError *list_error;     /* The list's failure while INBOX's sync ran, for when it ends. */
  gboolean finished;      /* finish() was called: what still comes back is dropped. */
  BuzonAccountSyncResult result;
  GError *folder_error;   /* The first folder's failure. */
} Run;

static void
run_free (Run *run)
{
  g_free (run->only_folder);
  g_clear_object (&run->current);
  g_clear_object (&run->prefetch);
  if (run->replay != NULL)
    g_signal_handlers_disconnect_by_data (run->replay, run);
  g_clear_object (&run->replay);
  g_clear_object (&run->session);
  g_clear_pointer (&run->folders, g_ptr_array_unref);
  g_clear_pointer (&run->statuses, g_hash_table_unref);
  g_clear_error (&run->folder_error);
  g_clear_error (&run->list_error);
  g_free (run);
}

static void
run_return (GTask  *task,
            GError *error)
{
  Run *run = g_task_get_task_data (task);

  run->self->running = FALSE;
  if (error == NULL && run->folder_error != NULL)
    error = g_steal_pointer (&run->folder_error);
  if (error != NULL)
    {
      /* The summary goes along with the error: what did work, worked. */
      g_object_set_data_full (G_OBJECT (task), "summary",
                              g_memdup2 (&run->result, sizeof run->result), g_free);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, g_memdup2 (&run->result, sizeof run->result), g_free);
}

/* The end: LOGOUT, whatever happened before. */

static void
logged_out_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = g_object_steal_data (G_OBJECT (task), "error");

  buzon_imap_session_logout_finish (BUZON_IMAP_SESSION (source), result, NULL);
  run_return (task, error);
}

static void
finish (GTask  *task,
        GError *error)
{
  Run *run = g_task_get_task_data (task);

  run->finished = TRUE;
  if (run->session == NULL)
    {
      run_return (task, error);
      return;
    }
  if (run->self->pool != NULL)
    {
      /* Given back for the next: the pool drops it if it closed. */
      buzon_connection_pool_release (run->self->pool, run->session);
      g_clear_object (&run->session);
      run_return (task, error);
      return;
    }
  if (error != NULL)
    g_object_set_data (G_OBJECT (task), "error", error);
  buzon_imap_session_logout_async (run->session, NULL, logged_out_cb, g_object_ref (task));
}

/* Folders, one after the other. */

static void sync_next_folder (GTask *task);
static void list_folders (GTask *task);
static void replay_operations (GTask *task);

/* With INBOX selected, LIST goes along: the server's status of INBOX,
 * which LIST-STATUS would work out apart, is then the selected one's, and
 * the folder list is there long before a first sync of a big INBOX ends
 * (see the top of this file). */
static void
inbox_selecting_cb (BuzonFolderSync *sync,
                    gpointer         user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  if (!run->listed)
    list_folders (g_object_ref (task));
}

static void
folder_progress_cb (BuzonFolderSync *sync,
                    guint            fetched,
                    guint            total,
                    gpointer         user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  const BuzonStoreFolder *folder = g_ptr_array_index (run->folders, run->next - 1);

  g_signal_emit (run->self, signals[SIGNAL_PROGRESS], 0, folder->name, fetched, total);
}

/* The bodies of the folder just synchronised. */

static void
bodies_progress_cb (BuzonBodyPrefetch *prefetch,
                    guint              done,
                    guint              total,
                    gpointer           user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  const BuzonStoreFolder *folder = g_ptr_array_index (run->folders, run->next - 1);

  g_signal_emit (run->self, signals[SIGNAL_BODIES_PROGRESS], 0, folder->name, done, total);
}

static void
bodies_fetched_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  const BuzonStoreFolder *folder = g_ptr_array_index (run->folders, run->next - 1);
  g_autoptr (GError) error = NULL;
  BuzonBodyPrefetchResult summary = { 0 };
  gboolean ok;

  g_signal_handlers_disconnect_by_data (source, task);
  ok = buzon_body_prefetch_run_finish (BUZON_BODY_PREFETCH (source), result, &summary, &error);
  run->result.bodies += summary.fetched;
  run->result.bodies_too_large += summary.too_large;
  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || buzon_imap_session_get_state (run->session) == BUZON_IMAP_SESSION_LOGOUT)
        {
          finish (task, g_steal_pointer (&error));
          return;
        }
      run->result.bodies_failed++;
      if (run->folder_error == NULL)
        run->folder_error = g_error_new (error->domain, error->code, _("%s: %s"), folder->name,
                                         error->message);
    }
  sync_next_folder (g_steal_pointer (&task));
}

/* Takes the reference to @task. */
static void
fetch_bodies (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  const BuzonStoreFolder *folder = g_ptr_array_index (run->folders, run->next - 1);
  guint days = buzon_account_get_prefetch_days (run->self->account);
  gint64 since = 0;

  if (!run->self->fetch_bodies)
    {
      if (days == 0)
        {
          sync_next_folder (task);
          return;
        }
      since = MAX (0, g_get_real_time () / G_USEC_PER_SEC - (gint64) days * 24 * 3600);
    }
  run->prefetch = buzon_body_prefetch_new (run->session, run->self->store, folder);
  g_object_set (run->prefetch, "since", since, NULL);
  g_signal_connect (run->prefetch, "progress", G_CALLBACK (bodies_progress_cb), task);
  buzon_body_prefetch_run_async (run->prefetch, g_task_get_cancellable (task), bodies_fetched_cb,
                                 task);
}

static void
folder_synced_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  const BuzonStoreFolder *folder = g_ptr_array_index (run->folders, run->next - 1);
  g_autoptr (GError) error = NULL;
  BuzonFolderSyncResult summary = { 0 };

  g_signal_handlers_disconnect_by_data (source, task);
  if (!buzon_folder_sync_run_finish (BUZON_FOLDER_SYNC (source), result, &summary, &error))
    {
      g_signal_emit (run->self, signals[SIGNAL_FOLDER_FINISHED], 0, folder->name, NULL, error);
      if (run->inbox_phase && buzon_imap_error_is_refusal (error))
        {
          /* INBOX refused before the folder list came: the list tells
           * whether it can be selected at all, and INBOX goes with the
           * others, counted there. */
          run->inbox_first = FALSE;
          sync_next_folder (g_steal_pointer (&task));
          return;
        }
      /* Without a connection no other folder can go on. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || buzon_imap_session_get_state (run->session) == BUZON_IMAP_SESSION_LOGOUT)
        {
          finish (task, g_steal_pointer (&error));
          return;
        }
      run->result.folders_failed++;
      if (run->folder_error == NULL)
        {
          /* Translators: the first %s is a folder's name, the second why. */
          run->folder_error = g_error_new (error->domain, error->code, _("%s: %s"), folder->name,
                                           error->message);
        }
    }
  else
    {
      g_signal_emit (run->self, signals[SIGNAL_FOLDER_FINISHED], 0, folder->name, &summary,
                     NULL);
      run->result.folders++;
      run->result.added += summary.added;
      run->result.updated += summary.updated;
      run->result.removed += summary.removed;
      fetch_bodies (g_steal_pointer (&task));
      return;
    }
  sync_next_folder (g_steal_pointer (&task));
}

/* Takes the reference to @task. */
static void
sync_next_folder (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  const BuzonStoreFolder *folder;

  g_clear_object (&run->current);
  g_clear_object (&run->prefetch);
  if (run->next >= run->folders->len && run->inbox_phase)
    {
      /* INBOX is done: the folder list, if it is not there yet. */
      run->inbox_phase = FALSE;
      if (!run->listed)
        list_folders (task);
      else if (run->list_error != NULL)
        {
          finish (task, g_steal_pointer (&run->list_error));
          g_object_unref (task);
        }
      else if (run->folders_saved)
        replay_operations (task);
      else
        g_object_unref (task); /* folders_saved_cb goes on. */
      return;
    }
  if (run->next >= run->folders->len)
    {
      finish (task, NULL);
      g_object_unref (task);
      return;
    }
  folder = g_ptr_array_index (run->folders, run->next++);
  g_signal_emit (run->self, signals[SIGNAL_FOLDER_STARTED], 0, folder->name);
  run->current = buzon_folder_sync_new (run->session, run->self->store, folder);
  if (run->statuses != NULL)
    buzon_folder_sync_set_status (run->current,
                                  g_hash_table_lookup (run->statuses, folder->raw_name));
  g_signal_connect (run->current, "progress", G_CALLBACK (folder_progress_cb), task);
  if (run->inbox_phase)
    g_signal_connect (run->current, "selecting", G_CALLBACK (inbox_selecting_cb), task);
  buzon_folder_sync_run_async (run->current, g_task_get_cancellable (task), folder_synced_cb,
                               task);
}

static gboolean
is_inbox (const BuzonStoreFolder *folder)
{
  return g_ascii_strcasecmp (folder->raw_name, "INBOX") == 0;
}

static gboolean
wanted (const Run              *run,
        const BuzonStoreFolder *folder)
{
  if ((folder->flags & (BUZON_IMAP_MAILBOX_NOSELECT | BUZON_IMAP_MAILBOX_NONEXISTENT)) != 0)
    return FALSE;
  if (run->inbox_first && is_inbox (folder))
    return FALSE;
  return run->only_folder == NULL || g_str_equal (folder->name, run->only_folder)
         || g_str_equal (folder->raw_name, run->only_folder)
         || (is_inbox (folder) && g_ascii_strcasecmp (run->only_folder, "INBOX") == 0);
}

static void
folders_listed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;

  folders = buzon_store_list_folders_finish (BUZON_STORE (source), result, &error);
  if (folders == NULL)
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  /* The store lists INBOX first. */
  g_clear_pointer (&run->folders, g_ptr_array_unref); /* INBOX alone, if it went first. */
  run->next = 0;
  run->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_store_folder_free);
  for (guint i = 0; i < folders->len; i++)
    if (wanted (run, folders->pdata[i]))
      g_ptr_array_add (run->folders, buzon_store_folder_copy (folders->pdata[i]));
  if (run->only_folder != NULL && run->folders->len == 0 && !run->inbox_first)
    {
      /* Translators: %s is a folder's name as the user typed it. */
      finish (task, g_error_new (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                                 _("There is no folder called “%s”"), run->only_folder));
      return;
    }
  sync_next_folder (g_steal_pointer (&task));
}

/* The queue of pending operations. */

static void
operation_dropped_cb (BuzonOperationReplay *replay,
                      gpointer              operation,
                      const GError         *error,
                      gpointer              user_data)
{
  Run *run = user_data;

  g_signal_emit (run->self, signals[SIGNAL_OPERATION_DROPPED], 0, operation, error);
}

static void
replayed_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  BuzonOperationReplayResult summary = { 0 };
  gboolean ok;

  ok = buzon_operation_replay_run_finish (BUZON_OPERATION_REPLAY (source), result, &summary,
                                          &error);
  run->result.operations_replayed = summary.replayed;
  run->result.operations_dropped = summary.dropped;
  run->result.operations_left = summary.left;
  /* What LIST-STATUS said came before the operations changed the server. */
  if (summary.replayed + summary.dropped > 0)
    g_clear_pointer (&run->statuses, g_hash_table_unref);
  /* Whatever stopped the replay (the connection, most likely) would stop
   * the folders too. */
  if (!ok || run->replay_only)
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  buzon_store_list_folder_states_async (run->self->store, NULL, folders_listed_cb,
                                        g_steal_pointer (&task));
}

/* Takes the reference to @task. */
static void
replay_operations (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  run->replay = buzon_operation_replay_new (run->session, run->self->store);
  g_signal_connect (run->replay, "operation-dropped", G_CALLBACK (operation_dropped_cb), run);
  buzon_operation_replay_run_async (run->replay, cancellable, replayed_cb, task);
}

/* The folder list failed: the pass ends, once INBOX's sync, if it runs
 * beside, has ended too. Takes @error. */
static void
list_failed (GTask  *task,
             GError *error)
{
  Run *run = g_task_get_task_data (task);

  if (run->inbox_phase)
    {
      if (run->list_error == NULL)
        run->list_error = error;
      else
        g_error_free (error);
      return;
    }
  finish (task, error);
}

static void
folders_saved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!buzon_store_save_folders_finish (BUZON_STORE (source), result, &error) && !run->finished)
    {
      list_failed (task, g_steal_pointer (&error));
      return;
    }
  if (run->finished)
    return;
  if (run->inbox_phase)
    {
      /* The replay waits for the end of INBOX's sync. */
      run->folders_saved = TRUE;
      return;
    }
  replay_operations (g_steal_pointer (&task));
}

/* INBOX, synced before the list, stays in it: every server has it (RFC
 * 3501, 5.1), and a list without it would take it out of the cache, with
 * its mail, while a sync of it may still be landing. */
static void
keep_inbox (GPtrArray *mailboxes)
{
  BuzonImapMailbox *inbox;

  for (guint i = 0; i < mailboxes->len; i++)
    if (g_str_equal (((BuzonImapMailbox *) mailboxes->pdata[i])->raw_name, "INBOX"))
      return;
  inbox = g_new0 (BuzonImapMailbox, 1);
  inbox->name = g_strdup ("INBOX");
  inbox->raw_name = g_strdup ("INBOX");
  g_ptr_array_insert (mailboxes, 0, inbox);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) mailboxes = NULL;

  mailboxes = buzon_imap_session_list_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (run->finished)
    return; /* The pass ended (INBOX's sync failed) while LIST ran beside. */
  if (mailboxes == NULL)
    {
      list_failed (task, g_steal_pointer (&error));
      return;
    }
  if (mailboxes->len == 0)
    {
      /* There is always INBOX (RFC 3501, 5.1): a list without a single
       * folder is the server's failure (or a response gone astray), and
       * saving it would throw the whole cache away. */
      list_failed (task, g_error_new (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE, "%s",
                                      _("The server listed no folders at all, not even INBOX")));
      return;
    }
  if (run->inbox_first)
    keep_inbox (mailboxes);
  /* LIST-STATUS's counters let each folder's sync tell whether anything
   * changed without selecting it. */
  run->statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < mailboxes->len; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (mailboxes, i);
      const char *selected = buzon_imap_session_get_selected_mailbox (run->session);

      /* A server may answer for its selected mailbox (a pooled session may
       * have one) with what it last told this session: not to be trusted. */
      if (mailbox->status != NULL && g_strcmp0 (selected, mailbox->raw_name) != 0)
        g_hash_table_insert (run->statuses, g_strdup (mailbox->raw_name),
                             g_memdup2 (mailbox->status, sizeof *mailbox->status));
    }
  buzon_store_save_folders_async (run->self->store, mailboxes, NULL, folders_saved_cb,
                                  g_steal_pointer (&task));
}

/* Takes the reference to @task. */
static void
list_folders (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->finished)
    {
      g_object_unref (task);
      return;
    }
  run->listed = TRUE;
  buzon_imap_session_list_async (run->session, g_task_get_cancellable (task), listed_cb, task);
}

/* INBOX before the folder list. */

static void inbox_found_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data);

static void
inbox_saved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!buzon_store_save_folders_finish (BUZON_STORE (source), result, &error))
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  buzon_store_list_folder_states_async (run->self->store, NULL, inbox_found_cb,
                                        g_steal_pointer (&task));
}

static void
inbox_found_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;

  folders = buzon_store_list_folders_finish (BUZON_STORE (source), result, &error);
  if (folders == NULL)
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < folders->len; i++)
    {
      const BuzonStoreFolder *folder = folders->pdata[i];

      if (is_inbox (folder)
          && (folder->flags & (BUZON_IMAP_MAILBOX_NOSELECT | BUZON_IMAP_MAILBOX_NONEXISTENT)) == 0)
        {
          run->inbox_first = TRUE;
          run->inbox_phase = TRUE;
          run->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_store_folder_free);
          g_ptr_array_add (run->folders, buzon_store_folder_copy (folder));
          sync_next_folder (g_steal_pointer (&task));
          return;
        }
    }
  if (folders->len == 0)
    {
      /* A new cache: INBOX, which LIST will describe in a moment. */
      g_autoptr (GPtrArray) inbox = NULL;
      BuzonImapMailbox *mailbox = g_new0 (BuzonImapMailbox, 1);

      mailbox->name = g_strdup ("INBOX");
      mailbox->raw_name = g_strdup ("INBOX");
      inbox = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_mailbox_free);
      g_ptr_array_add (inbox, mailbox);
      buzon_store_save_folders_async (run->self->store, inbox, NULL, inbox_saved_cb,
                                      g_steal_pointer (&task));
      return;
    }
  /* The server's last list had no INBOX that can be selected: the list
   * first, as when operations wait. */
  list_folders (g_steal_pointer (&task));
}

static void
operations_listed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) operations = NULL;

  operations = buzon_store_list_operations_finish (BUZON_STORE (source), result, &error);
  if (operations == NULL)
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  /* Operations wait: the list, then the replay, then the folders, INBOX
   * among them (see the top of this file). */
  if (operations->len > 0)
    {
      list_folders (g_steal_pointer (&task));
      return;
    }
  buzon_store_list_folder_states_async (run->self->store, NULL, inbox_found_cb,
                                        g_steal_pointer (&task));
}

/* Connecting and logging in. */

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (GError) error = NULL;

  if (BUZON_IS_CONNECTION_POOL (source))
    run->session = buzon_connection_pool_acquire_finish (BUZON_CONNECTION_POOL (source), result,
                                                         &error);
  else
    run->session = buzon_account_connect_finish (result, &error);
  if (run->session == NULL)
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  if (run->replay_only)
    {
      replay_operations (g_steal_pointer (&task));
      return;
    }
  if (run->only_folder == NULL || g_ascii_strcasecmp (run->only_folder, "INBOX") == 0)
    {
      buzon_store_list_operations_async (run->self->store, cancellable, operations_listed_cb,
                                         g_steal_pointer (&task));
      return;
    }
  list_folders (g_steal_pointer (&task));
}

/* The object. */

static void
buzon_account_sync_finalize (GObject *object)
{
  BuzonAccountSync *self = BUZON_ACCOUNT_SYNC (object);

  g_clear_object (&self->account);
  g_clear_object (&self->store);
  g_clear_object (&self->credentials);
  g_clear_object (&self->pool);

  G_OBJECT_CLASS (buzon_account_sync_parent_class)->finalize (object);
}

static void
buzon_account_sync_class_init (BuzonAccountSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_account_sync_finalize;

  /**
   * BuzonAccountSync::folder-started:
   * @name: the folder's name, for people
   */
  signals[SIGNAL_FOLDER_STARTED] =
    g_signal_new ("folder-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * BuzonAccountSync::progress:
   * @name: the folder's name
   * @fetched: messages fetched so far by its first sync
   * @total: messages its first sync fetches
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);
  /**
   * BuzonAccountSync::folder-finished:
   * @name: the folder's name
   * @summary: (type gpointer) (nullable): a BuzonFolderSyncResult, borrowed;
   *   %NULL when it failed
   * @error: (nullable): why it failed
   */
  signals[SIGNAL_FOLDER_FINISHED] =
    g_signal_new ("folder-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_POINTER, G_TYPE_ERROR);
  /**
   * BuzonAccountSync::operation-dropped:
   * @operation: (type gpointer): the BuzonStoreOperation, borrowed
   * @error: why the server's state won
   *
   * A queued operation was refused by the server (see
   * BuzonOperationReplay::operation-dropped).
   */
  signals[SIGNAL_OPERATION_DROPPED] =
    g_signal_new ("operation-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_ERROR);
  /**
   * BuzonAccountSync::bodies-progress:
   * @name: the folder's name
   * @done: bodies downloaded so far in this folder
   * @total: bodies this folder's cache lacks (within the size cap and, but
   *   for "fetch-bodies", the account's PrefetchDays)
   */
  signals[SIGNAL_BODIES_PROGRESS] =
    g_signal_new ("bodies-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);
}

static void
buzon_account_sync_init (BuzonAccountSync *self)
{
}

/**
 * buzon_account_sync_new:
 * @store: the account's store, open
 * @credentials: where the IMAP password comes from
 */
BuzonAccountSync *
buzon_account_sync_new (BuzonAccount     *account,
                        BuzonStore       *store,
                        BuzonCredentials *credentials)
{
  BuzonAccountSync *self;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (BUZON_IS_CREDENTIALS (credentials), NULL);

  self = g_object_new (BUZON_TYPE_ACCOUNT_SYNC, NULL);
  self->account = g_object_ref (account);
  self->store = g_object_ref (store);
  self->credentials = g_object_ref (credentials);
  return self;
}

/**
 * buzon_account_sync_set_fetch_bodies:
 * @fetch_bodies: %TRUE to download every body the synchronised folders'
 *   caches lack (but those over BUZON_BODY_PREFETCH_MAX_SIZE), not only
 *   those of the account's last PrefetchDays days
 *
 * For the passes started after this call.
 */
void
buzon_account_sync_set_fetch_bodies (BuzonAccountSync *self,
                                     gboolean          fetch_bodies)
{
  g_return_if_fail (BUZON_IS_ACCOUNT_SYNC (self));
  self->fetch_bodies = fetch_bodies;
}

static void
start (BuzonAccountSync    *self,
       const char          *only_folder,
       gboolean             replay_only,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  Run *run;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, start);
  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s",
                               _("This account is being synchronised already"));
      return;
    }
  self->running = TRUE;
  run = g_new0 (Run, 1);
  run->self = self;
  run->only_folder = g_strdup (only_folder);
  run->replay_only = replay_only;
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  g_task_set_check_cancellable (task, FALSE);

  if (self->pool != NULL)
    buzon_connection_pool_acquire_async (self->pool, BUZON_CONNECTION_PRIORITY_BACKGROUND,
                                         cancellable, connected_cb, g_steal_pointer (&task));
  else
    buzon_account_connect_async (self->account, self->credentials, cancellable, connected_cb,
                                 g_steal_pointer (&task));
}

/**
 * buzon_account_sync_set_pool:
 * @pool: (nullable): the account's connections
 *
 * Takes the session of each pass from @pool, as background work (never
 * the last connection, which the user's actions keep), and gives it back
 * at the end, rather than logging in and out each time.
 */
void
buzon_account_sync_set_pool (BuzonAccountSync    *self,
                             BuzonConnectionPool *pool)
{
  g_return_if_fail (BUZON_IS_ACCOUNT_SYNC (self));
  g_return_if_fail (pool == NULL || BUZON_IS_CONNECTION_POOL (pool));

  g_set_object (&self->pool, pool);
}

/**
 * buzon_account_sync_run_async:
 * @only_folder: (nullable): sync only the folder of this name (for people,
 *   or raw); the folder list is saved, and the whole queue of pending
 *   operations replayed, all the same
 * @cancellable: (nullable): cancelling stops the pass; what reached the
 *   store stays
 * @callback: called in the caller's thread-default main context when the
 *   pass ended, after LOGOUT
 *
 * Looks the password up, connects, logs in, saves the folder list, replays
 * the queue of pending operations, and brings each selectable folder up to
 * date, INBOX first, then logs out. When no operation is queued, INBOX
 * goes even before the rest: it is synced right after login, while the
 * folder list is asked for and saved beside it. Fails with the first error; a folder's
 * failure does not stop the others, and the result then names the first
 * folder that failed. A failed replay (the connection dropped) ends the
 * pass; operations the server refused are reported by "operation-dropped".
 */
void
buzon_account_sync_run_async (BuzonAccountSync    *self,
                              const char          *only_folder,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_ACCOUNT_SYNC (self));
  start (self, only_folder, FALSE, cancellable, callback, user_data);
}

/**
 * buzon_account_sync_replay_async:
 * @cancellable: (nullable): cancelling stops the replay; the operations not
 *   sent stay queued
 * @callback: called in the caller's thread-default main context when the
 *   replay ended, after LOGOUT
 *
 * Only the queue: looks the password up, connects, logs in, replays the
 * pending operations (see BuzonOperationReplay) and logs out, without the
 * folder list or any folder's sync; what a change the user just made needs
 * to reach the server at once. Finish with buzon_account_sync_run_finish(),
 * whose summary then counts only operations.
 */
void
buzon_account_sync_replay_async (BuzonAccountSync    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_ACCOUNT_SYNC (self));
  start (self, NULL, TRUE, cancellable, callback, user_data);
}

/**
 * buzon_account_sync_run_finish:
 * @summary: (out caller-allocates) (optional): what the pass did, also
 *   when it failed
 */
gboolean
buzon_account_sync_run_finish (BuzonAccountSync        *self,
                               GAsyncResult            *result,
                               BuzonAccountSyncResult  *summary,
                               GError                 **error)
{
  g_autofree BuzonAccountSyncResult *value = NULL;
  const BuzonAccountSyncResult *partial;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  value = g_task_propagate_pointer (G_TASK (result), error);
  partial = value != NULL ? value : g_object_get_data (G_OBJECT (result), "summary");
  if (summary != NULL)
    {
      if (partial != NULL)
        *summary = *partial;
      else
        memset (summary, 0, sizeof *summary);
    }
  return value != NULL;
}
