// BuzonFolderSync: brings one folder of the cache up to date with the
// server, by the cheapest path the server allows.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A run selects the folder and picks its path:
//   - first sync (nothing cached, an unfinished first sync, or UIDVALIDITY
//     changed): UID SEARCH ALL, then the headers of every UID not cached,
//     newest first, in batches; each batch is one transaction that reaches
//     the listeners at once. Killed halfway, the next run fetches only what
//     is missing: no duplicates, no gaps.
//   - QRESYNC: SELECT (QRESYNC (uidvalidity modseq known-uids)) hands over
//     the flag changes and the expunges (VANISHED) in its answer.
//   - CONDSTORE: UID FETCH 1:* (FLAGS) (CHANGEDSINCE modseq), and an expunge
//     check by UID SEARCH ALL only when the counts say something went. Where
//     STATUS said the HIGHESTMODSEQ moved, the fetch goes right behind the
//     SELECT, and its answer is kept once the SELECT's says it belongs.
//   - neither: every message's flags, compared, and the UIDs missing. The
//     FLAGS fetch goes right behind the SELECT where STATUS names the
//     cached UIDVALIDITY, or the server tells no STATUS (and the folder is
//     not INBOX), kept once the SELECT's answer says it belongs.
// The headers of the messages new since last time: where STATUS said some
// came, the first EARLY_NEW of them are asked for right behind the SELECT
// and kept once its answer says they belong. The folder's state
// (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, first sync done) is saved with the
// last batch, so a run interrupted anywhere is simply done again.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "folder-sync-private.h"
#include "imap/imap-uid-set.h"


G_DEFINE_ENUM_TYPE (BuzonFolderSyncPath, buzon_folder_sync_path,
                    G_DEFINE_ENUM_VALUE (BUZON_FOLDER_SYNC_FIRST, "first"),
                    G_DEFINE_ENUM_VALUE (BUZON_FOLDER_SYNC_QRESYNC, "qresync"),
                    G_DEFINE_ENUM_VALUE (BUZON_FOLDER_SYNC_CONDSTORE, "condstore"),
                    G_DEFINE_ENUM_VALUE (BUZON_FOLDER_SYNC_FLAGS, "flags"),
                    G_DEFINE_ENUM_VALUE (BUZON_FOLDER_SYNC_UNCHANGED, "unchanged"))


G_DEFINE_FINAL_TYPE (BuzonFolderSync, buzon_folder_sync, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BATCH_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

guint _buzon_folder_sync_signals[N_SIGNALS];

static void
run_free (Run *run)
{
  g_clear_pointer (&run->cached, g_array_unref);
  g_clear_pointer (&run->selected, buzon_imap_selected_free);
  g_clear_pointer (&run->batch, buzon_store_batch_free);
  g_clear_pointer (&run->pending, buzon_store_batch_free);
  g_clear_pointer (&run->seen, g_array_unref);
  g_clear_pointer (&run->todo, g_array_unref);
  g_clear_pointer (&run->searched, g_array_unref);
  g_clear_pointer (&run->early_fetches, g_ptr_array_unref);
  g_clear_error (&run->error);
  g_free (run);
}

static void advance (GTask *task);

/* Whether the STATUS given says the server has nothing new for the cache
 * (see buzon_folder_sync_set_status()). */
static gboolean
unchanged (BuzonFolderSync *self)
{
  const BuzonImapMailboxStatusItems needed =
    BUZON_IMAP_MAILBOX_STATUS_MESSAGES | BUZON_IMAP_MAILBOX_STATUS_UIDNEXT
    | BUZON_IMAP_MAILBOX_STATUS_UIDVALIDITY | BUZON_IMAP_MAILBOX_STATUS_HIGHESTMODSEQ;
  const BuzonImapMailboxStatus *status = self->status;
  const BuzonStoreFolder *folder = self->folder;

  return status != NULL && (status->present & needed) == needed && folder->first_sync_done
         && buzon_imap_session_get_condstore (self->session) && folder->highestmodseq > 0
         && status->uidvalidity == folder->uidvalidity && status->uidnext == folder->uidnext
         && status->messages == folder->exists_count
         && status->highestmodseq == folder->highestmodseq;
}

/* Whether the STATUS given says the folder is empty on the server while
 * the cache has not finished a first sync of it (or kept another
 * UIDVALIDITY's): the first sync is then done without selecting it, which
 * on a new account spares a round trip for each of the special folders
 * still empty (Drafts, Junk, Trash, …). MESSAGES 0 says all there is,
 * CONDSTORE or not. */
static gboolean
empty_on_server (BuzonFolderSync *self)
{
  const BuzonImapMailboxStatusItems needed =
    BUZON_IMAP_MAILBOX_STATUS_MESSAGES | BUZON_IMAP_MAILBOX_STATUS_UIDNEXT
    | BUZON_IMAP_MAILBOX_STATUS_UIDVALIDITY;
  const BuzonImapMailboxStatus *status = self->status;
  const BuzonStoreFolder *folder = self->folder;

  return status != NULL && (status->present & needed) == needed && status->messages == 0
         && status->uidvalidity != 0
         && (!folder->first_sync_done || folder->uidvalidity != status->uidvalidity);
}

/* Ends the run once nothing is in flight: with the first error, if any. */
void
_buzon_folder_run_maybe_return (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->applying > 0 || run->in_flight > 0 || run->searching || run->first_fetches > 0)
    return;
  if (run->error == NULL && run->step != STEP_DONE)
    return;
  run->self->running = FALSE;
  if (run->error != NULL)
    g_task_return_error (task, g_steal_pointer (&run->error));
  else
    g_task_return_pointer (task, g_memdup2 (&run->result, sizeof run->result), g_free);
}

void
_buzon_folder_run_fail (GTask  *task,
                        GError *error)
{
  Run *run = g_task_get_task_data (task);

  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
  /* What was fetched and held goes now: it is kept. */
  _buzon_folder_run_maybe_hand_pending (task);
  _buzon_folder_run_maybe_return (task);
}

BuzonStoreBatch *
_buzon_folder_run_take_batch (Run *run)
{
  BuzonStoreBatch *batch = g_steal_pointer (&run->batch);

  run->batch = buzon_store_batch_new (run->self->folder->id);
  return batch;
}

/* The lowest UID above the cache that no fetch kept asked for yet. */
static guint32
first_uncovered (Run *run)
{
  return run->early_new && !run->early_discard ? run->max_cached + EARLY_NEW + 1
                                               : run->max_cached + 1;
}

/* The header items for new mail in the folder as selected: a mailbox
 * without MODSEQs (NOMODSEQ) is not asked for them, which a server may
 * answer with BAD (RFC 7162 §3.1.2.2). */
const char *
_buzon_folder_run_new_mail_items (Run *run)
{
  return run->selected != NULL && run->selected->nomodseq
           ? HEADER_ITEMS
           : buzon_folder_sync_header_items (run->self->session);
}

/* The folder's state as the server left it, saved with the last batch. */
void
_buzon_folder_run_finish (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  BuzonStoreFolderState state = { 0 };

  state.fields = BUZON_STORE_STATE_UIDVALIDITY | BUZON_STORE_STATE_UIDNEXT
                 | BUZON_STORE_STATE_HIGHESTMODSEQ | BUZON_STORE_STATE_EXISTS
                 | BUZON_STORE_STATE_FIRST_SYNC_DONE | BUZON_STORE_STATE_SYNCED_AT;
  state.uidvalidity = run->selected->uidvalidity;
  state.uidnext = run->selected->uidnext;
  /* Without MODSEQs the next run must not trust an old one. */
  state.highestmodseq = run->selected->nomodseq ? 0 : run->selected->highestmodseq;
  state.exists_count = run->selected->exists;
  state.first_sync_done = TRUE;
  state.synced_at = g_get_real_time () / G_USEC_PER_SEC;
  buzon_store_batch_set_state (run->batch, &state);
  run->step = STEP_DONE;
  _buzon_folder_run_submit (task, _buzon_folder_run_take_batch (run));
}

/* Fetch callbacks. */

static void
on_fetch_cb (BuzonImapFetch *fetch,
             gpointer        user_data)
{
  Run *run = user_data;
  gboolean headers;

  if (run->seen != NULL && fetch->uid != 0)
    {
      BuzonImapUidRange *last = run->seen->len > 0
                                  ? &g_array_index (run->seen, BuzonImapUidRange,
                                                    run->seen->len - 1)
                                  : NULL;

      if (last != NULL && last->last + 1 == fetch->uid)
        last->last = fetch->uid;
      else
        {
          BuzonImapUidRange range = { fetch->uid, fetch->uid };
          g_array_append_val (run->seen, range);
        }
    }
  /* Read before the batch takes the fetch (and may free it). */
  headers = fetch->envelope != NULL;
  if (headers)
    {
      run->fetched++;
      /* "n:*" brings the highest message even when it is below n: one the
       * early fetch brought may come again. */
      if (fetch->uid > MAX (run->max_cached, run->last_new))
        {
          run->new_count++;
          run->last_new = fetch->uid;
        }
    }
  buzon_store_batch_add_fetch (run->batch, fetch);
  /* Flags of every message, or thousands of new ones after a long time
   * offline: handed over in slices, so that memory stays bounded whatever
   * the folder's size. The folder's state goes with the last slice. */
  if (buzon_store_batch_get_size (run->batch) >= (headers ? run->self->batch_size : FLAGS_BATCH))
    _buzon_folder_run_submit (run->task, _buzon_folder_run_take_batch (run));
}

static void
on_vanished_cb (const GArray *uids,
                gpointer      user_data)
{
  Run *run = user_data;

  buzon_store_batch_remove_uids (run->batch, uids);
}

/* The resync's early fetches: of new mail (EARLY_NEW), and of the flag
 * changes on CONDSTORE's path. */

static void
on_early_fetch_cb (BuzonImapFetch *fetch,
                   gpointer        user_data)
{
  Run *run = user_data;

  if (run->early_discard)
    buzon_imap_fetch_free (fetch);
  else if (!run->early_checked)
    g_ptr_array_add (run->early_fetches, fetch);
  else
    on_fetch_cb (fetch, run);
}

/* Once the SELECT answered: what the early fetches brought so far goes the
 * way of the rest, or is dropped (the SELECT failed, the UIDs are of
 * another UIDVALIDITY now, or the mailbox has no MODSEQs). */
static void
check_early_fetches (Run *run)
{
  if ((!run->early_new && !run->early_changes && !run->early_flags) || run->early_checked)
    return;
  run->early_checked = TRUE;
  /* A mailbox without MODSEQs may have refused the MODSEQ they asked for,
   * and has no changes to list by it: its new mail is asked for again,
   * after the SELECT, without, and its flags diffed (the FLAGS path). */
  run->early_discard = run->selected == NULL || run->result.path == BUZON_FOLDER_SYNC_FIRST
                       || (run->selected->nomodseq
                           && buzon_imap_session_get_condstore (run->self->session));
  for (guint i = 0; i < run->early_fetches->len; i++)
    {
      BuzonImapFetch *fetch = g_steal_pointer (&run->early_fetches->pdata[i]);

      if (run->early_discard)
        buzon_imap_fetch_free (fetch);
      else
        on_fetch_cb (fetch, run);
    }
  g_ptr_array_set_size (run->early_fetches, 0);
  /* The early FLAGS diff's list of UIDs has nothing to say then. */
  if (run->early_discard)
    g_clear_pointer (&run->seen, g_array_unref);
}

static void
early_fetched_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  run->in_flight--;
  run->early_pending--;
  ok = buzon_imap_session_fetch_finish (BUZON_IMAP_SESSION (source), result, NULL, &error);
  /* Dropped, its failure does not count: refused behind a failed SELECT
   * (the run says why), or by a mailbox without MODSEQs. */
  if (!ok && !run->early_discard)
    {
      _buzon_folder_run_fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->awaiting_early)
    {
      if (run->early_pending > 0)
        return;
      run->awaiting_early = FALSE;
      advance (task);
      return;
    }
  /* On once the SELECT's answer was seen and the rest is in (this may be
   * the last answer, kept or not). */
  if (run->early_checked && run->step == STEP_NEW && run->in_flight == 0)
    advance (task);
  else
    _buzon_folder_run_maybe_return (task);
}

/* The steps after SELECT. */

static void
search_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) all = NULL;

  run->in_flight--;
  all = buzon_imap_session_search_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (all == NULL)
    {
      _buzon_folder_run_fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->step == STEP_SELECTED)
    {
      _buzon_folder_run_start_first_sync (task, all);
      return;
    }
  /* The expunge check: what is cached (or was just fetched) and not on
   * the server any more. */
  {
    g_autoptr (GArray) gone = buzon_imap_uid_set_subtract (run->cached, all);

    buzon_store_batch_remove_uids (run->batch, gone);
  }
  _buzon_folder_run_finish (task);
}

/* The UID SEARCH ALL sent behind the SELECT of a first sync. */
static void
early_search_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) all = NULL;

  run->searching = FALSE;
  all = buzon_imap_session_search_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (all == NULL)
    {
      /* After a failed SELECT, the server refuses it too: the SELECT's
       * error is the one the run returns. */
      _buzon_folder_run_fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->error != NULL)
    {
      _buzon_folder_run_maybe_return (task);
      return;
    }
  if (run->awaiting_search)
    {
      run->awaiting_search = FALSE;
      _buzon_folder_run_start_first_sync (task, all);
      return;
    }
  run->searched = g_steal_pointer (&all);
}

static void
search_all (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  run->in_flight++;
  buzon_imap_session_search_async (run->self->session, "ALL", NULL, BUZON_IMAP_SEARCH_NONE,
                                   run->cancellable, search_done_cb, g_object_ref (task));
}

static void
step_fetched_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  run->in_flight--;
  if (!buzon_imap_session_fetch_finish (BUZON_IMAP_SESSION (source), result, NULL, &error))
    {
      _buzon_folder_run_fail (task, g_steal_pointer (&error));
      return;
    }
  /* The changes and the new mail were asked for together (and the early
   * fetch before them): on once all are in. */
  if (run->in_flight == 0)
    advance (task);
}

/* Moves the run on from its current step. */
static void
advance (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  BuzonFolderSync *self = run->self;

  if (run->error != NULL)
    {
      _buzon_folder_run_maybe_return (task);
      return;
    }
  switch (run->step)
    {
    case STEP_SELECTED:
      /* A dropped early fetch still in flight could be given what the
       * next fetches bring (an untagged FETCH goes to the oldest fetch in
       * flight, should a server answer out of order): they wait for it. */
      if (run->early_discard && run->early_pending > 0)
        {
          run->awaiting_early = TRUE;
          return;
        }
      if (run->result.path == BUZON_FOLDER_SYNC_FIRST)
        {
          if (run->searching)
            run->awaiting_search = TRUE;
          else if (run->searched != NULL)
            {
              g_autoptr (GArray) all = g_steal_pointer (&run->searched);

              _buzon_folder_run_start_first_sync (task, all);
            }
          else if (run->selected->exists == 0)
            {
              g_autoptr (GArray) none = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
              _buzon_folder_run_start_first_sync (task, none);
            }
          else
            search_all (task);
          return;
        }
      run->step = STEP_CHANGES;
      /* Kept, the early fetch of the changes asked for the same. */
      if (run->result.path == BUZON_FOLDER_SYNC_CONDSTORE && !run->early_changes
          && run->selected->highestmodseq != self->folder->highestmodseq)
        {
          run->in_flight++;
          buzon_imap_session_fetch_changed_since_async (self->session, "1:*", "(UID FLAGS)",
                                                        self->folder->highestmodseq, on_fetch_cb,
                                                        on_vanished_cb, run, run->cancellable,
                                                        step_fetched_cb, g_object_ref (task));
        }
      else if (run->result.path == BUZON_FOLDER_SYNC_FLAGS && run->max_cached > 0
               && !run->early_flags)
        {
          g_autofree char *set = g_strdup_printf ("1:%u", run->max_cached);

          run->seen = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
          run->in_flight++;
          buzon_imap_session_fetch_async (self->session, set, "(UID FLAGS)", on_fetch_cb, run,
                                          run->cancellable, step_fetched_cb, g_object_ref (task));
        }
      G_GNUC_FALLTHROUGH;
    case STEP_CHANGES:
      /* The new mail's headers beyond what the early fetch asked for (if
       * any) go right behind the changes, not a round trip after them (on
       * CONDSTORE's path, Gmail's, and the FLAGS diff's, Office 365's).
       * The answers come in order: the early fetch's headers, the
       * changes (early or not; they may list that new mail's flags
       * again, applied after its insert), these headers. */
      run->step = STEP_NEW;
      if (run->selected->uidnext == 0 || run->selected->uidnext > first_uncovered (run))
        {
          g_autofree char *set = g_strdup_printf ("%u:*", first_uncovered (run));

          /* Counted as seen too: new messages are not expunged ones. */
          run->in_flight++;
          buzon_imap_session_fetch_async (self->session, set,
                                          _buzon_folder_run_new_mail_items (run), on_fetch_cb, run,
                                          run->cancellable, step_fetched_cb, g_object_ref (task));
        }
      if (run->in_flight > 0)
        return;
      G_GNUC_FALLTHROUGH;
    case STEP_NEW:
      run->step = STEP_EXPUNGES;
      if (run->result.path == BUZON_FOLDER_SYNC_FLAGS)
        {
          /* Whatever the server did not list is gone. */
          g_autoptr (GArray) gone = NULL;

          if (run->seen == NULL)
            run->seen = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
          buzon_imap_uid_set_normalize (run->seen);
          gone = buzon_imap_uid_set_subtract (run->cached, run->seen);
          buzon_store_batch_remove_uids (run->batch, gone);
        }
      else if (run->result.path == BUZON_FOLDER_SYNC_CONDSTORE
               && run->selected->exists
                    != buzon_imap_uid_set_count (run->cached) + run->new_count)
        {
          /* The counts disagree: something went. */
          search_all (task);
          return;
        }
      _buzon_folder_run_finish (task);
      return;
    case STEP_EXPUNGES:
    case STEP_FIRST:
    case STEP_DONE:
    default:
      g_assert_not_reached ();
    }
}

static void
selected_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  BuzonFolderSync *self = run->self;
  g_autoptr (GError) error = NULL;

  run->in_flight--;
  run->selected = buzon_imap_session_select_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (run->selected == NULL)
    {
      check_early_fetches (run);
      _buzon_folder_run_fail (task, g_steal_pointer (&error));
      return;
    }
  run->step = STEP_SELECTED;
  if (self->folder->uidvalidity != 0 && self->folder->uidvalidity != run->selected->uidvalidity)
    {
      /* Every cached UID means nothing now: start again. */
      g_clear_pointer (&run->batch, buzon_store_batch_free);
      run->batch = buzon_store_batch_new (self->folder->id);
      buzon_store_batch_reset (run->batch);
      g_array_set_size (run->cached, 0);
      run->max_cached = 0;
      run->result.uidvalidity_changed = TRUE;
      run->result.path = BUZON_FOLDER_SYNC_FIRST;
    }
  else if (!self->folder->first_sync_done)
    run->result.path = BUZON_FOLDER_SYNC_FIRST;
  else if (run->selected->qresync)
    run->result.path = BUZON_FOLDER_SYNC_QRESYNC;
  else if (buzon_imap_session_get_condstore (self->session) && !run->selected->nomodseq
           && self->folder->highestmodseq > 0)
    run->result.path = BUZON_FOLDER_SYNC_CONDSTORE;
  else
    run->result.path = BUZON_FOLDER_SYNC_FLAGS;
  check_early_fetches (run);
  advance (task);
}

/* Whether a resync asks for new mail behind its SELECT (EARLY_NEW): only
 * where STATUS just said some came. Not without a STATUS, as for INBOX,
 * whose SELECT goes beside LIST-STATUS: Dovecot answered the three in
 * 85-125 ms, against 30 for the SELECT and the LIST alone (100k
 * messages), which cost more than the round trip it saved. */
static gboolean
wants_early_new (BuzonFolderSync *self,
                 Run             *run)
{
  const BuzonImapMailboxStatus *status = self->status;
  const BuzonImapMailboxStatusItems needed =
    BUZON_IMAP_MAILBOX_STATUS_UIDNEXT | BUZON_IMAP_MAILBOX_STATUS_UIDVALIDITY;

  if (!self->folder->first_sync_done || self->folder->uidvalidity == 0
      || run->max_cached > G_MAXUINT32 - EARLY_NEW - 1)
    return FALSE;
  if (status == NULL || (status->present & needed) != needed)
    return FALSE;
  /* A new UIDVALIDITY: what it would bring is dropped. The UIDNEXT the
   * cache kept, not its highest UID, says whether mail came (the newest
   * cached may have been expunged since). */
  return status->uidvalidity == self->folder->uidvalidity
         && status->uidnext > MAX (self->folder->uidnext, run->max_cached + 1);
}

/* Whether a resync on CONDSTORE's path (Gmail's: no QRESYNC) asks for the
 * flag changes behind its SELECT, a round trip before the SELECT's answer:
 * where STATUS just said the folder's HIGHESTMODSEQ moved, under the
 * UIDVALIDITY cached. Not without a STATUS (INBOX), for the reason
 * wants_early_new() gives. */
static gboolean
wants_early_changes (BuzonFolderSync *self)
{
  const BuzonImapMailboxStatus *status = self->status;
  const BuzonImapMailboxStatusItems needed =
    BUZON_IMAP_MAILBOX_STATUS_UIDVALIDITY | BUZON_IMAP_MAILBOX_STATUS_HIGHESTMODSEQ;

  if (!buzon_imap_session_get_condstore (self->session)
      || buzon_imap_session_get_qresync (self->session) || !self->folder->first_sync_done
      || self->folder->uidvalidity == 0 || self->folder->highestmodseq == 0)
    return FALSE;
  return status != NULL && (status->present & needed) == needed
         && status->uidvalidity == self->folder->uidvalidity
         && status->highestmodseq != self->folder->highestmodseq;
}

/* Whether a resync without CONDSTORE (Office 365's) asks for every cached
 * message's flags behind its SELECT, a round trip before its answer: the
 * FLAGS diff is asked for whatever the server says, and the SELECT's
 * answer only decides whether it is kept (the same UIDVALIDITY). Where
 * STATUS is known, under the UIDVALIDITY it says is the cache's; where the
 * server tells none (no LIST-STATUS), for any folder but INBOX, which
 * stays as wants_early_new() says. */
static gboolean
wants_early_flags (BuzonFolderSync *self,
                   Run             *run)
{
  BuzonImapConnection *connection = buzon_imap_session_get_connection (self->session);
  const BuzonImapMailboxStatus *status = self->status;

  if (buzon_imap_session_get_condstore (self->session) || !self->folder->first_sync_done
      || self->folder->uidvalidity == 0 || run->max_cached == 0)
    return FALSE;
  if (status != NULL && (status->present & BUZON_IMAP_MAILBOX_STATUS_UIDVALIDITY) != 0)
    return status->uidvalidity == self->folder->uidvalidity;
  return status == NULL && g_ascii_strcasecmp (self->folder->raw_name, "INBOX") != 0
         && !(buzon_imap_connection_has_capability (connection, "LIST-EXTENDED")
              && buzon_imap_connection_has_capability (connection, "LIST-STATUS"));
}

static void
cached_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  BuzonFolderSync *self = run->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *known = NULL;
  BuzonImapQresync qresync = { 0 };
  BuzonImapSelectFlags flags = BUZON_IMAP_SELECT_NONE;
  gboolean use_qresync;

  run->cached = buzon_store_list_uids_finish (BUZON_STORE (source), result, &error);
  if (run->cached == NULL)
    {
      _buzon_folder_run_fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->cached->len > 0)
    run->max_cached = g_array_index (run->cached, BuzonImapUidRange, run->cached->len - 1).last;

  use_qresync = buzon_imap_session_get_qresync (self->session) && self->folder->first_sync_done
                && self->folder->uidvalidity != 0 && self->folder->highestmodseq > 0;
  if (use_qresync)
    {
      known = buzon_imap_uid_set_to_string (run->cached);
      qresync.uidvalidity = self->folder->uidvalidity;
      qresync.modseq = self->folder->highestmodseq;
      qresync.known_uids = known;
    }
  else if (buzon_imap_session_get_condstore (self->session))
    flags |= BUZON_IMAP_SELECT_CONDSTORE;
  run->in_flight++;
  buzon_imap_session_select_async (self->session, self->folder->raw_name, flags,
                                   use_qresync ? &qresync : NULL, on_fetch_cb, on_vanished_cb, run,
                                   run->cancellable, selected_cb, g_object_ref (task));
  if (wants_early_new (self, run))
    {
      g_autofree char *set = g_strdup_printf ("%u:%u", run->max_cached + 1,
                                              run->max_cached + EARLY_NEW);

      run->early_new = TRUE;
      run->early_pending++;
      run->in_flight++;
      buzon_imap_session_fetch_async (self->session, set,
                                      buzon_folder_sync_header_items (self->session),
                                      on_early_fetch_cb, run, run->cancellable, early_fetched_cb,
                                      g_object_ref (task));
    }
  /* Behind the new mail, as after the SELECT (see advance()). */
  if (wants_early_changes (self))
    {
      run->early_changes = TRUE;
      run->early_pending++;
      run->in_flight++;
      buzon_imap_session_fetch_changed_since_async (self->session, "1:*", "(UID FLAGS)",
                                                    self->folder->highestmodseq,
                                                    on_early_fetch_cb, NULL, run,
                                                    run->cancellable, early_fetched_cb,
                                                    g_object_ref (task));
    }
  if (wants_early_flags (self, run))
    {
      g_autofree char *set = g_strdup_printf ("1:%u", run->max_cached);

      run->early_flags = TRUE;
      run->seen = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
      run->early_pending++;
      run->in_flight++;
      buzon_imap_session_fetch_async (self->session, set, "(UID FLAGS)", on_early_fetch_cb, run,
                                      run->cancellable, early_fetched_cb, g_object_ref (task));
    }
  if (run->early_pending > 0)
    run->early_fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_fetch_free);
  /* A folder whose first sync is not done has its UIDs listed next,
   * whatever the SELECT says (an empty folder's list is empty). */
  if (!self->folder->first_sync_done)
    {
      run->searching = TRUE;
      buzon_imap_session_search_async (self->session, "ALL", NULL, BUZON_IMAP_SEARCH_NONE,
                                       run->cancellable, early_search_cb, g_object_ref (task));
    }
  g_signal_emit (self, _buzon_folder_sync_signals[SIGNAL_SELECTING], 0);
}

/* The object. */

static void
buzon_folder_sync_finalize (GObject *object)
{
  BuzonFolderSync *self = BUZON_FOLDER_SYNC (object);

  g_clear_object (&self->session);
  g_clear_object (&self->store);
  buzon_store_folder_free (self->folder);
  g_clear_pointer (&self->status, buzon_imap_mailbox_status_free);

  G_OBJECT_CLASS (buzon_folder_sync_parent_class)->finalize (object);
}

static void
buzon_folder_sync_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BuzonFolderSync *self = BUZON_FOLDER_SYNC (object);

  switch (prop_id)
    {
    case PROP_BATCH_SIZE:
      g_value_set_uint (value, self->batch_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_folder_sync_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  BuzonFolderSync *self = BUZON_FOLDER_SYNC (object);

  switch (prop_id)
    {
    case PROP_BATCH_SIZE:
      self->batch_size = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_folder_sync_class_init (BuzonFolderSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_folder_sync_finalize;
  object_class->get_property = buzon_folder_sync_get_property;
  object_class->set_property = buzon_folder_sync_set_property;

  /* How many messages' headers one batch of a first sync fetches and
   * stores in one transaction (the first batch is smaller still). Each
   * commit writes again every index page the batch touched: 2,000 rather
   * than 500 took a quiet 100,000-message first sync from 3.9-4.4 s to
   * 3.6-3.8 s, for 35 MB more at the peak (109 MB), but the main loop then
   * stalled for 57-122 ms (22-36 ms with 500), not for freeing the batches
   * (tried on the store's thread: no better); until that is understood,
   * 500. */
  properties[PROP_BATCH_SIZE] =
    g_param_spec_uint ("batch-size", NULL, NULL, 1, 10000, DEFAULT_BATCH_SIZE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BuzonFolderSync::progress:
   * @fetched: messages whose headers arrived so far in this run
   * @total: messages the first sync has to fetch
   *
   * Emitted during a first sync each time a batch reached the store.
   */
  _buzon_folder_sync_signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * BuzonFolderSync::selecting:
   *
   * Emitted once the run has sent the folder's SELECT (and, on a first
   * sync, the SEARCH that lists its UIDs; on a resync, the UID FETCHes of
   * its new mail and its flag changes): a command sent on the session
   * from then on reaches the server after them, so the server runs it
   * with the folder selected. Not emitted when the run needs no SELECT.
   */
  _buzon_folder_sync_signals[SIGNAL_SELECTING] =
    g_signal_new ("selecting", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
buzon_folder_sync_init (BuzonFolderSync *self)
{
  self->batch_size = DEFAULT_BATCH_SIZE;
}

/**
 * buzon_folder_sync_new:
 * @session: logged in; the run selects the folder on it
 * @store: the account's store, open
 * @folder: the folder as the store listed it; copied
 */
BuzonFolderSync *
buzon_folder_sync_new (BuzonImapSession       *session,
                       BuzonStore             *store,
                       const BuzonStoreFolder *folder)
{
  BuzonFolderSync *self;

  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (session), NULL);
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (folder != NULL, NULL);

  self = g_object_new (BUZON_TYPE_FOLDER_SYNC, NULL);
  self->session = g_object_ref (session);
  self->store = g_object_ref (store);
  self->folder = buzon_store_folder_copy (folder);
  return self;
}

/**
 * buzon_folder_sync_run_async:
 * @cancellable: (nullable): cancelling stops fetching; what reached the
 *   store stays, and the result is G_IO_ERROR_CANCELLED
 *
 * Selects the folder and brings the cache up to date (see the top of this
 * file for the paths). Batches reach the store, and its "folder-changed"
 * listeners, as they arrive. The session is left with the folder selected.
 * One run at a time: a second fails with G_IO_ERROR_PENDING.
 */
void
buzon_folder_sync_run_async (BuzonFolderSync     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  Run *run;

  g_return_if_fail (BUZON_IS_FOLDER_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_folder_sync_run_async);
  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s",
                               _("This folder is being synchronised already"));
      return;
    }
  self->running = TRUE;
  run = g_new0 (Run, 1);
  run->self = self;
  run->task = task;
  run->cancellable = cancellable;
  run->batch = buzon_store_batch_new (self->folder->id);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  /* The run's result arrives after the store has applied its last batch,
   * whatever the cancellable says meanwhile. */
  g_task_set_check_cancellable (task, FALSE);
  if (unchanged (self))
    {
      BuzonStoreFolderState state = { 0 };

      /* Nothing to ask the server: only the time of this check to keep. */
      state.fields = BUZON_STORE_STATE_SYNCED_AT;
      state.synced_at = g_get_real_time () / G_USEC_PER_SEC;
      buzon_store_batch_set_state (run->batch, &state);
      run->result.path = BUZON_FOLDER_SYNC_UNCHANGED;
      run->step = STEP_DONE;
      _buzon_folder_run_submit (task, _buzon_folder_run_take_batch (run));
      return;
    }
  if (empty_on_server (self))
    {
      const BuzonImapMailboxStatus *status = self->status;
      BuzonImapUidRange all = { 1, G_MAXUINT32 };
      g_autoptr (GArray) gone = g_array_new (FALSE, FALSE, sizeof all);
      BuzonStoreFolderState state = { 0 };

      /* Whatever the cache holds of it went (under this UIDVALIDITY or
       * another); the state is what SELECT would have said. */
      g_array_append_val (gone, all);
      buzon_store_batch_remove_uids (run->batch, gone);
      state.fields = BUZON_STORE_STATE_UIDVALIDITY | BUZON_STORE_STATE_UIDNEXT
                     | BUZON_STORE_STATE_HIGHESTMODSEQ | BUZON_STORE_STATE_EXISTS
                     | BUZON_STORE_STATE_FIRST_SYNC_DONE | BUZON_STORE_STATE_SYNCED_AT;
      state.uidvalidity = status->uidvalidity;
      state.uidnext = status->uidnext;
      /* A MODSEQ is trusted only where the session has CONDSTORE. */
      state.highestmodseq = (status->present & BUZON_IMAP_MAILBOX_STATUS_HIGHESTMODSEQ)
                                && buzon_imap_session_get_condstore (self->session)
                              ? status->highestmodseq
                              : 0;
      state.first_sync_done = TRUE;
      state.synced_at = g_get_real_time () / G_USEC_PER_SEC;
      buzon_store_batch_set_state (run->batch, &state);
      run->result.path = BUZON_FOLDER_SYNC_FIRST;
      run->result.uidvalidity_changed = self->folder->uidvalidity != 0
                                        && self->folder->uidvalidity != status->uidvalidity;
      run->step = STEP_DONE;
      _buzon_folder_run_submit (task, _buzon_folder_run_take_batch (run));
      return;
    }
  buzon_store_list_uids_async (self->store, self->folder->id, NULL, cached_cb,
                               g_steal_pointer (&task));
}

/**
 * buzon_folder_sync_set_status:
 * @status: (nullable): what STATUS (or LIST-STATUS) said of the folder
 *   just now, on a session that did not have it selected (a server may
 *   answer STATUS of the selected mailbox with what it last told that
 *   session, as Dovecot does); copied
 *
 * Lets the next run skip the folder when the server's counters are those
 * the cache was left with: the same UIDVALIDITY, UIDNEXT and number of
 * messages mean no message came or went, and the same HIGHESTMODSEQ that
 * no flag changed (CONDSTORE, RFC 7162: every change of a message's flags
 * raises it). SELECT, which costs a server a good part of a second on a
 * folder of 100,000 messages, is then not even sent. Without CONDSTORE
 * the counters cannot tell flag changes, and the run goes as usual. A
 * folder that is empty on the server gets its first sync (or its reset to
 * a new UIDVALIDITY) from the counters alone, CONDSTORE or not.
 */
void
buzon_folder_sync_set_status (BuzonFolderSync              *self,
                              const BuzonImapMailboxStatus *status)
{
  g_return_if_fail (BUZON_IS_FOLDER_SYNC (self));

  g_clear_pointer (&self->status, buzon_imap_mailbox_status_free);
  if (status != NULL)
    self->status = g_memdup2 (status, sizeof *status);
}

/**
 * buzon_folder_sync_header_items:
 *
 * Returns: what a sync fetches of a message new to the cache, as FETCH
 *   items: what the message list, threads and search need, without the
 *   body; with MODSEQ where @session has CONDSTORE.
 */
const char *
buzon_folder_sync_header_items (BuzonImapSession *session)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (session), HEADER_ITEMS);
  return buzon_imap_session_get_condstore (session) ? HEADER_ITEMS_MODSEQ : HEADER_ITEMS;
}

/**
 * buzon_folder_sync_run_finish:
 * @summary: (out caller-allocates) (optional): what the run did
 */
gboolean
buzon_folder_sync_run_finish (BuzonFolderSync        *self,
                              GAsyncResult           *result,
                              BuzonFolderSyncResult  *summary,
                              GError                **error)
{
  g_autofree BuzonFolderSyncResult *value = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  value = g_task_propagate_pointer (G_TASK (result), error);
  if (value == NULL)
    return FALSE;
  if (summary != NULL)
    *summary = *value;
  return TRUE;
}

