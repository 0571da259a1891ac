// BuzonDraftSaver: a draft APPENDed to the account's Drafts folder with
// \Draft and \Seen, the copy the save before made then removed, saves and
// discards run one at a time.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A save builds the draft (Bcc kept), makes sure of a session (the one
// kept from the last save, else a new login), finds the Drafts folder (the
// store's folder marked \Drafts, else the server's LIST), SELECTs it,
// APPENDs the draft and only then removes the copies it replaces: UID STORE
// +FLAGS (\Deleted) and, where UIDPLUS is offered, UID EXPUNGE of just those
// UIDs. Without UIDPLUS the old copies are left marked \Deleted, as an
// EXPUNGE of the whole folder would also remove what the user marked there;
// the next EXPUNGE the user (or another client) runs takes them away. A copy
// already gone (another device deleted it) is no error: UID STORE of a UID
// the folder no longer holds changes nothing; nor is a folder whose
// UIDVALIDITY changed, which holds none of the old copies.
//
// Saves that overlap are serialised: while one runs, every save asked for
// waits, and all those waiting are answered by one save that starts when
// the running one ends and builds the draft as it is then, so the last
// version wins and only its copy stays. A copy that could not be removed
// (the connection broke after the APPEND) is remembered and removed by the
// next save or discard.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "account-connect.h"
#include "draft-saver.h"
#include "imap/imap-error.h"
#include "imap/imap-mailbox.h"
#include "store/store-folder.h"

typedef enum
{
  JOB_SAVE,
  JOB_DISCARD,
} JobKind;

/* A save or a discard, and the callers it answers. */
typedef struct
{
  JobKind kind;
  GPtrArray *tasks;
} Job;

struct _BuzonDraftSaver
{
  GObject parent_instance;

  BuzonAccount *account;
  BuzonStore *store; /* Nullable: then the server's LIST names Drafts. */
  BuzonCredentials *credentials;
  BuzonDraft *draft;

  guint32 uid;          /* The copy the last save made; 0: none. */
  guint32 uidvalidity;  /* Its folder's UIDVALIDITY; 0: whatever Drafts has now. */
  GArray *leftovers;    /* Older copies (guint32 UIDs) still to remove, in uidvalidity. */
  char *mailbox;        /* The raw name of Drafts, once known. */
  BuzonImapSession *session;

  GQueue waiting;       /* Of Job. */
  Job *running;
};

G_DEFINE_FINAL_TYPE (BuzonDraftSaver, buzon_draft_saver, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ACCOUNT,
  PROP_STORE,
  PROP_CREDENTIALS,
  PROP_DRAFT,
  PROP_UID,
  PROP_UIDVALIDITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What one run of a job needs on its way. */
typedef struct
{
  JobKind kind;
  GBytes *message;       /* The draft's bytes, for a save. */
  gboolean fresh;        /* The session was logged in by this run. */
  gboolean reconnected;  /* A kept session failed and was replaced once. */
  gboolean asked_store;  /* The store's folders were looked at. */
  gboolean listed;       /* The server's LIST was asked in this run. */
  guint32 new_uid;
  guint32 new_uidvalidity;
} Run;

static void
run_free (Run *run)
{
  g_clear_pointer (&run->message, g_bytes_unref);
  g_free (run);
}

static void
job_free (Job *job)
{
  g_ptr_array_unref (job->tasks);
  g_free (job);
}

static void run_next      (BuzonDraftSaver *self);
static void get_session   (GTask           *task);
static void find_mailbox  (GTask           *task);

/* Setting the copy. */

static void
set_copy (BuzonDraftSaver *self,
          guint32          uidvalidity,
          guint32          uid)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->uid != uid)
    {
      self->uid = uid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UID]);
    }
  if (self->uidvalidity != uidvalidity)
    {
      self->uidvalidity = uidvalidity;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UIDVALIDITY]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* Ending a run. */

static void
drop_session_on (BuzonDraftSaver *self,
                 const GError    *error)
{
  /* A refusal leaves the session usable; anything else may not have. */
  if (!buzon_imap_error_is_refusal (error))
    g_clear_object (&self->session);
}

/* These take the reference to @task, and @error. */
static void
run_failed (GTask  *task_in,
            GError *error)
{
  g_autoptr (GTask) task = task_in;

  drop_session_on (g_task_get_source_object (task), error);
  g_task_return_error (task, error);
}

/* Removing the copies a save replaced, or that a discard throws away. */

static char *
copies_to_remove (BuzonDraftSaver *self,
                  JobKind          kind)
{
  g_autoptr (GString) set = g_string_new (NULL);

  for (guint i = 0; i < self->leftovers->len; i++)
    g_string_append_printf (set, "%s%u", set->len > 0 ? "," : "",
                            g_array_index (self->leftovers, guint32, i));
  if (kind == JOB_DISCARD && self->uid != 0)
    g_string_append_printf (set, "%s%u", set->len > 0 ? "," : "", self->uid);
  if (set->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&set), FALSE);
}

static void
removed (GTask *task_in)
{
  g_autoptr (GTask) task = task_in;
  BuzonDraftSaver *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  g_array_set_size (self->leftovers, 0);
  if (run->kind == JOB_DISCARD)
    set_copy (self, 0, 0);
  g_task_return_boolean (task, TRUE);
}

static void
removal_failed (GTask  *task_in,
                GError *error)
{
  g_autoptr (GTask) task = task_in;
  Run *run = g_task_get_task_data (task);

  if (run->kind == JOB_SAVE)
    {
      /* The draft is saved; the old copies wait for the next save. */
      g_debug ("Draft saved, its earlier copy not removed yet: %s", error->message);
      drop_session_on (g_task_get_source_object (task), error);
      g_error_free (error);
      g_task_return_boolean (task, TRUE);
      return;
    }
  run_failed (g_steal_pointer (&task), error);
}

static void
expunged_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!buzon_imap_session_expunge_finish (BUZON_IMAP_SESSION (source), result, &error))
    {
      removal_failed (g_steal_pointer (&task), error);
      return;
    }
  removed (g_steal_pointer (&task));
}

static void
marked_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonDraftSaver *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autofree char *set = NULL;
  GError *error = NULL;

  if (!buzon_imap_session_store_finish (BUZON_IMAP_SESSION (source), result, NULL, &error))
    {
      removal_failed (g_steal_pointer (&task), error);
      return;
    }
  if (!buzon_imap_session_get_uidplus (self->session))
    {
      /* Left \Deleted: see the top of this file. */
      removed (g_steal_pointer (&task));
      return;
    }
  set = copies_to_remove (self, run->kind);
  buzon_imap_session_expunge_async (self->session, set, NULL, expunged_cb,
                                    g_steal_pointer (&task));
}

static void
remove_copies (GTask *task)
{
  BuzonDraftSaver *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  static const char *const deleted[] = { "\\Deleted", NULL };
  g_autofree char *set = copies_to_remove (self, run->kind);

  if (set == NULL)
    {
      removed (task);
      return;
    }
  /* No cancellable: the new copy is made, and an old one must not stay. */
  buzon_imap_session_store_async (self->session, set, BUZON_IMAP_STORE_ADD, deleted, 0, NULL,
                                  NULL, NULL, marked_cb, task);
}

/* Saving. */

static void
saved (GTask *task)
{
  BuzonDraftSaver *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (self->uid != 0 && self->uid != run->new_uid)
    g_array_append_val (self->leftovers, self->uid);
  set_copy (self, run->new_uidvalidity, run->new_uid);
  remove_copies (task);
}

static void
found_copy_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GArray) uids = NULL;
  g_autoptr (GError) error = NULL;

  uids = buzon_imap_session_search_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (uids == NULL)
    {
      /* Saved, but which copy it is cannot be told: the next save will
       * not replace it. */
      g_debug ("Draft saved, its UID not found: %s", error->message);
      drop_session_on (g_task_get_source_object (task), error);
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* The newest copy with the draft's Message-ID is the one just made. */
  for (guint i = 0; i < uids->len; i++)
    run->new_uid = MAX (run->new_uid, g_array_index (uids, guint32, i));
  saved (g_steal_pointer (&task));
}

static void
appended_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonDraftSaver *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autofree char *message_id = NULL;
  const char *strings[2] = { NULL, NULL };
  guint32 uidvalidity = 0;
  guint32 uid = 0;
  GError *error = NULL;

  if (!buzon_imap_session_append_finish (BUZON_IMAP_SESSION (source), result, &uidvalidity,
                                         &uid, &error))
    {
      run_failed (g_steal_pointer (&task), error);
      return;
    }
  if (uid != 0)
    {
      run->new_uid = uid;
      if (uidvalidity != 0)
        run->new_uidvalidity = uidvalidity;
      saved (g_steal_pointer (&task));
      return;
    }
  /* No APPENDUID (no UIDPLUS): the copy is found by its Message-ID. */
  message_id = g_strdup_printf ("<%s>", buzon_draft_get_message_id (self->draft));
  strings[0] = message_id;
  buzon_imap_session_search_async (self->session, "UNDELETED HEADER Message-ID ?", strings,
                                   BUZON_IMAP_SEARCH_NONE, NULL, found_copy_cb,
                                   g_steal_pointer (&task));
}

static void
append_draft (GTask *task)
{
  BuzonDraftSaver *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  static const char *const flags[] = { "\\Draft", "\\Seen", NULL };

  buzon_imap_session_append_async (self->session, self->mailbox, run->message, flags, NULL,
                                   g_task_get_cancellable (task), appended_cb, task);
}

/* Finding Drafts and opening it. */

static void
selected_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonDraftSaver *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr (BuzonImapSelected) selected = NULL;
  GError *error = NULL;

  selected = buzon_imap_session_select_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (selected == NULL)
    {
      if ((g_error_matches (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NONEXISTENT)
           || g_error_matches (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO))
          && !run->listed)
        {
          /* The folder the cache knew may be gone (Dovecot says so with a
           * bare NO): the server's LIST tells, and may name another. */
          g_error_free (error);
          g_clear_pointer (&self->mailbox, g_free);
          run->asked_store = TRUE;
          find_mailbox (g_steal_pointer (&task));
          return;
        }
      if (!buzon_imap_error_is_refusal (error) && !run->fresh && !run->reconnected
          && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* The session kept from the last save went stale meanwhile. */
          g_error_free (error);
          g_clear_object (&self->session);
          run->reconnected = TRUE;
          get_session (g_steal_pointer (&task));
          return;
        }
      run_failed (g_steal_pointer (&task), error);
      return;
    }
  if (self->uidvalidity != 0 && self->uidvalidity != selected->uidvalidity)
    {
      /* A new folder of the same name: the old copies went with the old one. */
      g_array_set_size (self->leftovers, 0);
      set_copy (self, 0, 0);
    }
  else if (self->uidvalidity == 0 && (self->uid != 0 || self->leftovers->len > 0))
    set_copy (self, selected->uidvalidity, self->uid);
  run->new_uidvalidity = selected->uidvalidity;
  if (run->kind == JOB_SAVE)
    append_draft (g_steal_pointer (&task));
  else
    remove_copies (g_steal_pointer (&task));
}

static void
select_drafts (GTask *task)
{
  BuzonDraftSaver *self = g_task_get_source_object (task);

  buzon_imap_session_select_async (self->session, self->mailbox, BUZON_IMAP_SELECT_NONE, NULL,
                                   NULL, NULL, NULL, g_task_get_cancellable (task), selected_cb,
                                   task);
}

static void
no_drafts (GTask *task_in)
{
  g_autoptr (GTask) task = task_in;
  BuzonDraftSaver *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (run->kind == JOB_DISCARD)
    {
      /* The copies went with the folder. */
      g_array_set_size (self->leftovers, 0);
      set_copy (self, 0, 0);
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_task_return_new_error (task, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NONEXISTENT, "%s",
                           _("The draft could not be saved: the account has no Drafts folder "
                             "on the server"));
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonDraftSaver *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr (GPtrArray) mailboxes = NULL;
  GError *error = NULL;

  mailboxes = buzon_imap_session_list_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (mailboxes == NULL)
    {
      run_failed (g_steal_pointer (&task), error);
      return;
    }
  run->listed = TRUE;
  for (guint i = 0; i < mailboxes->len && self->mailbox == NULL; i++)
    {
      const BuzonImapMailbox *mailbox = mailboxes->pdata[i];

      if (mailbox->special_use == BUZON_IMAP_SPECIAL_USE_DRAFTS)
        self->mailbox = g_strdup (mailbox->raw_name);
    }
  if (self->mailbox == NULL)
    {
      no_drafts (g_steal_pointer (&task));
      return;
    }
  select_drafts (g_steal_pointer (&task));
}

static void
folders_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonDraftSaver *self = g_task_get_source_object (task);
  g_autoptr (GPtrArray) folders = NULL;
  GError *error = NULL;

  folders = buzon_store_list_folders_finish (BUZON_STORE (source), result, &error);
  if (folders == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < folders->len && self->mailbox == NULL; i++)
    {
      const BuzonStoreFolder *folder = folders->pdata[i];

      if (folder->special_use == BUZON_IMAP_SPECIAL_USE_DRAFTS)
        self->mailbox = g_strdup (folder->raw_name);
    }
  find_mailbox (g_steal_pointer (&task));
}

static void
find_mailbox (GTask *task)
{
  BuzonDraftSaver *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (self->mailbox != NULL)
    select_drafts (task);
  else if (self->store != NULL && !run->asked_store)
    {
      run->asked_store = TRUE;
      buzon_store_list_folder_states_async (self->store, g_task_get_cancellable (task), folders_cb,
                                            task);
    }
  else
    /* An account never synced, or a folder the cache has wrong. */
    buzon_imap_session_list_async (self->session, g_task_get_cancellable (task), listed_cb,
                                   task);
}

/* The session. */

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonDraftSaver *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  self->session = buzon_account_connect_finish (result, &error);
  if (self->session == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  run->fresh = TRUE;
  find_mailbox (g_steal_pointer (&task));
}

static void
get_session (GTask *task)
{
  BuzonDraftSaver *self = g_task_get_source_object (task);

  if (self->session != NULL
      && buzon_imap_session_get_state (self->session) == BUZON_IMAP_SESSION_LOGOUT)
    g_clear_object (&self->session);
  if (self->session != NULL)
    {
      find_mailbox (task);
      return;
    }
  buzon_account_connect_async (self->account, self->credentials, g_task_get_cancellable (task),
                               connected_cb, task);
}

/* Jobs, one at a time. */

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  BuzonDraftSaver *self = BUZON_DRAFT_SAVER (source);
  Job *job = user_data;
  g_autoptr (GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  for (guint i = 0; i < job->tasks->len; i++)
    {
      GTask *task = job->tasks->pdata[i];

      /* A caller that cancelled is told so, though the job was done. */
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_assert (self->running == job);
  self->running = NULL;
  job_free (job);
  run_next (self);
}

static gboolean
all_cancelled (Job *job)
{
  for (guint i = 0; i < job->tasks->len; i++)
    if (!g_cancellable_is_cancelled (g_task_get_cancellable (job->tasks->pdata[i])))
      return FALSE;
  return TRUE;
}

static void
run_next (BuzonDraftSaver *self)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  Run *run;
  Job *job;

  if (self->running != NULL)
    return; /* Its end starts the next. */
  while ((job = g_queue_pop_head (&self->waiting)) != NULL)
    {
      if (!all_cancelled (job))
        {
          self->running = job;
          break;
        }
      for (guint i = 0; i < job->tasks->len; i++)
        g_task_return_error_if_cancelled (job->tasks->pdata[i]);
      job_free (job);
    }
  if (self->running == NULL)
    return;

  job = self->running;
  /* Its own task, with no cancellable: a save half done could leave a
   * copy behind. The callers' cancellables change only what they hear. */
  task = g_task_new (self, NULL, job_done_cb, job);
  g_task_set_source_tag (task, run_next);
  run = g_new0 (Run, 1);
  run->kind = job->kind;
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  if (job->kind == JOB_SAVE)
    {
      run->message = buzon_draft_build (self->draft, BUZON_DRAFT_BUILD_INCLUDE_BCC, &error);
      if (run->message == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  else if (self->uid == 0 && self->leftovers->len == 0)
    {
      /* Never saved: nothing to remove. */
      g_task_return_boolean (task, TRUE);
      return;
    }
  get_session (g_steal_pointer (&task));
}

static void
enqueue (BuzonDraftSaver *self,
         JobKind          kind,
         GTask           *task)
{
  Job *last = g_queue_peek_tail (&self->waiting);

  if (kind == JOB_DISCARD)
    {
      /* Saves not begun yet would only make copies to throw away. */
      while (last != NULL && last->kind == JOB_SAVE)
        {
          Job *save = g_queue_pop_tail (&self->waiting);

          for (guint i = 0; i < save->tasks->len; i++)
            g_task_return_new_error (save->tasks->pdata[i], G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     "%s", _("The draft was discarded before it was saved"));
          job_free (save);
          last = g_queue_peek_tail (&self->waiting);
        }
    }
  if (last == NULL || last->kind != kind)
    {
      last = g_new0 (Job, 1);
      last->kind = kind;
      last->tasks = g_ptr_array_new_with_free_func (g_object_unref);
      g_queue_push_tail (&self->waiting, last);
    }
  g_ptr_array_add (last->tasks, task);
  run_next (self);
}

/**
 * buzon_draft_saver_save_async:
 * @cancellable: (nullable): cancelling a save that has not begun keeps it
 *   from running; one under way goes on (stopped halfway it could leave a
 *   copy behind), and only this call fails with %G_IO_ERROR_CANCELLED
 *
 * Builds the draft as it is when the save begins (Bcc kept), APPENDs it to
 * the account's Drafts folder with \Draft and \Seen, and removes the copy
 * the save before it made (the one "uid" and "uidvalidity" name, which are
 * then the new copy's). A save asked for while another runs waits for it,
 * and every save waiting is answered by one that builds the draft then.
 * Fails with BUZON_IMAP_ERROR_NONEXISTENT when the account has no Drafts
 * folder, with the draft's BUZON_MIME_ERROR when it cannot be built, and
 * with the connection's or the server's error otherwise. An old copy that
 * cannot be removed is no failure: the next save or discard removes it.
 */
void
buzon_draft_saver_save_async (BuzonDraftSaver     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BUZON_IS_DRAFT_SAVER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_draft_saver_save_async);
  enqueue (self, JOB_SAVE, task);
}

gboolean
buzon_draft_saver_save_finish (BuzonDraftSaver  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_draft_saver_discard_async:
 * @cancellable: (nullable): as for buzon_draft_saver_save_async()
 *
 * Removes the copy the saver made (the user sent the message or threw the
 * draft away), after the save that runs; saves waiting to begin fail with
 * %G_IO_ERROR_CANCELLED. A copy, or a Drafts folder, already gone is no
 * failure. Then "uid" and "uidvalidity" are 0.
 */
void
buzon_draft_saver_discard_async (BuzonDraftSaver     *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BUZON_IS_DRAFT_SAVER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_draft_saver_discard_async);
  enqueue (self, JOB_DISCARD, task);
}

gboolean
buzon_draft_saver_discard_finish (BuzonDraftSaver  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The object. */

/**
 * buzon_draft_saver_new:
 * @store: (nullable): the account's cache, for the folder marked \Drafts;
 *   without it (or when it knows none) the server's LIST is asked
 * @draft: the draft, which the composer goes on changing between saves
 *
 * Returns: (transfer full): a saver that has saved nothing yet; set "uid"
 *   (and "uidvalidity") to a reopened draft's copy for the first save to
 *   replace it.
 */
BuzonDraftSaver *
buzon_draft_saver_new (BuzonAccount     *account,
                       BuzonStore       *store,
                       BuzonCredentials *credentials,
                       BuzonDraft       *draft)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (store == NULL || BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (BUZON_IS_CREDENTIALS (credentials), NULL);
  g_return_val_if_fail (BUZON_IS_DRAFT (draft), NULL);

  return g_object_new (BUZON_TYPE_DRAFT_SAVER, "account", account, "store", store,
                       "credentials", credentials, "draft", draft, NULL);
}

BuzonDraft *
buzon_draft_saver_get_draft (BuzonDraftSaver *self)
{
  g_return_val_if_fail (BUZON_IS_DRAFT_SAVER (self), NULL);
  return self->draft;
}

guint32
buzon_draft_saver_get_uid (BuzonDraftSaver *self)
{
  g_return_val_if_fail (BUZON_IS_DRAFT_SAVER (self), 0);
  return self->uid;
}

/**
 * buzon_draft_saver_set_uid:
 * @uid: the UID in Drafts of the copy the next save replaces; 0: none
 */
void
buzon_draft_saver_set_uid (BuzonDraftSaver *self,
                           guint32          uid)
{
  g_return_if_fail (BUZON_IS_DRAFT_SAVER (self));
  set_copy (self, self->uidvalidity, uid);
}

guint32
buzon_draft_saver_get_uidvalidity (BuzonDraftSaver *self)
{
  g_return_val_if_fail (BUZON_IS_DRAFT_SAVER (self), 0);
  return self->uidvalidity;
}

/**
 * buzon_draft_saver_set_uidvalidity:
 * @uidvalidity: the UIDVALIDITY of Drafts when the copy "uid" names was
 *   made: a folder with another one holds no such copy and none is
 *   removed; 0 takes the UID as one of the folder as it is now
 */
void
buzon_draft_saver_set_uidvalidity (BuzonDraftSaver *self,
                                   guint32          uidvalidity)
{
  g_return_if_fail (BUZON_IS_DRAFT_SAVER (self));
  set_copy (self, uidvalidity, self->uid);
}

/**
 * buzon_draft_saver_get_mailbox:
 *
 * Returns: (nullable): the raw name of the Drafts folder, once a save or
 *   a discard found it
 */
const char *
buzon_draft_saver_get_mailbox (BuzonDraftSaver *self)
{
  g_return_val_if_fail (BUZON_IS_DRAFT_SAVER (self), NULL);
  return self->mailbox;
}

static void
buzon_draft_saver_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BuzonDraftSaver *self = BUZON_DRAFT_SAVER (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_CREDENTIALS:
      g_value_set_object (value, self->credentials);
      break;
    case PROP_DRAFT:
      g_value_set_object (value, self->draft);
      break;
    case PROP_UID:
      g_value_set_uint (value, self->uid);
      break;
    case PROP_UIDVALIDITY:
      g_value_set_uint (value, self->uidvalidity);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_draft_saver_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  BuzonDraftSaver *self = BUZON_DRAFT_SAVER (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_CREDENTIALS:
      self->credentials = g_value_dup_object (value);
      break;
    case PROP_DRAFT:
      self->draft = g_value_dup_object (value);
      break;
    case PROP_UID:
      buzon_draft_saver_set_uid (self, g_value_get_uint (value));
      break;
    case PROP_UIDVALIDITY:
      buzon_draft_saver_set_uidvalidity (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_draft_saver_finalize (GObject *object)
{
  BuzonDraftSaver *self = BUZON_DRAFT_SAVER (object);

  /* Every job holds the saver through its tasks: none is left here. */
  g_assert (self->running == NULL && g_queue_is_empty (&self->waiting));
  g_clear_object (&self->session);
  g_free (self->mailbox);
  g_array_unref (self->leftovers);
  g_clear_object (&self->draft);
  g_clear_object (&self->credentials);
  g_clear_object (&self->store);
  g_clear_object (&self->account);
  G_OBJECT_CLASS (buzon_draft_saver_parent_class)->finalize (object);
}

static void
buzon_draft_saver_class_init (BuzonDraftSaverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = buzon_draft_saver_get_property;
  object_class->set_property = buzon_draft_saver_set_property;
  object_class->finalize = buzon_draft_saver_finalize;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, BUZON_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, BUZON_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CREDENTIALS] =
    g_param_spec_object ("credentials", NULL, NULL, BUZON_TYPE_CREDENTIALS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DRAFT] =
    g_param_spec_object ("draft", NULL, NULL, BUZON_TYPE_DRAFT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The copy in Drafts the last save made (or a reopened draft's, set by
   * the composer), which the next save replaces; 0 when there is none. */
  properties[PROP_UID] =
    g_param_spec_uint ("uid", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UIDVALIDITY] =
    g_param_spec_uint ("uidvalidity", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
buzon_draft_saver_init (BuzonDraftSaver *self)
{
  self->leftovers = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_queue_init (&self->waiting);
}
