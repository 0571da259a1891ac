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
//     check by UID SEARCH ALL only when the counts say something went.
//   - neither: every message's flags, compared, and the UIDs missing.
// The headers of the messages new since last time: where STATUS said some
// came, the first EARLY_NEW of them are asked for right behind the SELECT
// and kept once its answer says they belong. The folder's state
// (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, first sync done) is saved with the
// last batch, so a run interrupted anywhere is simply done again.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "folder-sync.h"
#include "imap/imap-uid-set.h"
#include "store/store-batch.h"

/* What a header fetch asks for: what the message list, threads and search
 * need, without the body. */
#define HEADER_ITEMS                                                                               \
  "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE "                                   \
  "BODY.PEEK[HEADER.FIELDS (REFERENCES LIST-ID)])"
#define HEADER_ITEMS_MODSEQ                                                                        \
  "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ "                            \
  "BODY.PEEK[HEADER.FIELDS (REFERENCES LIST-ID)])"

/* The first batch is small so that the newest mail shows at once; the
 * others are large so that transactions stay few. */
#define FIRST_BATCH    100
#define DEFAULT_BATCH_SIZE 500
#define FLAGS_BATCH    5000
/* Batches fetched and not applied (held ones too, HOLD_BATCHES) before
 * fetching pauses, so that memory stays bounded. */
#define MAX_APPLYING   20
/* First sync: header fetches in flight at once. Enough to cover the round
 * trip: Dovecot answers pipelined fetches together, after the last one's
 * data, so a fetch is asked for again only once all in flight are in, and
 * the server then has nothing to send for a round trip. With 4, a sync
 * 50 ms from the server waited that long every 2,000 messages (100k: 4.6 s
 * against 3.8 s with 8); with 16, what arrives at once stalls the main loop
 * for 58 ms. */
#define MAX_FETCHES    8
/* Jobs in the store's queue at once: one being applied and the next, so
 * that the store never waits for this thread when it is the slower side;
 * batches that come meanwhile are appended to those waiting, which go as
 * one job, and the store's transactions grow. */
#define MAX_IN_STORE   2
/* After a run's first job (the newest mail, shown at once), batches are
 * held and appended for up to HOLD_MS, or until HOLD_BATCHES of them are
 * there, before they go to the store. A commit writes every page its
 * transaction dirtied, and the threads' keys and subjects and the
 * full-text index are dirtied all over, in proportion to their size: a
 * first sync of 100k messages that committed each batch of 500 as it came
 * (145 commits, 40 a second) wrote 394 MiB for a 71 MB cache. Held, it
 * commits 35 times, 3,000 messages each, and writes 268 MiB; a list that
 * grows a few times a second still shows mail as it lands
 * (compare-first-sync.py, 6 rounds: wall 3.31 against 3.60 s, CPU 2.97
 * against 3.08 s). */
#define HOLD_MS        500
#define HOLD_BATCHES   8
/* A resync of a folder that STATUS said has new mail asks for the headers
 * of this many UIDs above the cache's right behind its SELECT, a round
 * trip before the SELECT's answer (see wants_early_new()). Kept aside
 * until the SELECT's answer says they belong (UIDVALIDITY as cached),
 * bounded by this many. */
#define EARLY_NEW      500

G_DEFINE_ENUM_TYPE (BuzonFolderSyncPath, buzon_folder_sync_path,
                    G_DEFINE_ENUM_VALUE (BUZON_FOLDER_SYNC_FIRST, "first"),
                    G_DEFINE_ENUM_VALUE (BUZON_FOLDER_SYNC_QRESYNC, "qresync"),
                    G_DEFINE_ENUM_VALUE (BUZON_FOLDER_SYNC_CONDSTORE, "condstore"),
                    G_DEFINE_ENUM_VALUE (BUZON_FOLDER_SYNC_FLAGS, "flags"),
                    G_DEFINE_ENUM_VALUE (BUZON_FOLDER_SYNC_UNCHANGED, "unchanged"))

struct _BuzonFolderSync
{
  GObject parent_instance;

  BuzonImapSession *session;
  BuzonStore *store;
  BuzonStoreFolder *folder;
  BuzonImapMailboxStatus *status; /* What STATUS said just now, or NULL. */
  guint batch_size;
  gboolean running;
};

G_DEFINE_FINAL_TYPE (BuzonFolderSync, buzon_folder_sync, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BATCH_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_SELECTING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum
{
  STEP_SELECTED,
  STEP_CHANGES,   /* CONDSTORE's CHANGEDSINCE, or the FLAGS diff, … */
  STEP_NEW,       /* … and the headers of the messages new since last time. */
  STEP_EXPUNGES,  /* UID SEARCH ALL, to find what went. */
  STEP_FIRST,     /* The first sync's header batches. */
  STEP_DONE,
} Step;

typedef struct
{
  BuzonFolderSync *self; /* Not owned: the task holds it. */
  GTask *task;           /* Not owned: it owns the run. */
  GCancellable *cancellable;
  Step step;
  GArray *cached;              /* The UIDs cached when the run began, as ranges. */
  guint32 max_cached;
  BuzonImapSelected *selected;
  gboolean reset;
  BuzonStoreBatch *batch;      /* Being filled. */
  GArray *seen;                /* FLAGS diff: the UIDs the server listed. */
  GArray *todo;                /* First sync: UIDs to fetch, newest first. */
  guint todo_next;
  guint fetched;                /* Headers received in this run. */
  guint new_count;             /* … of them, for UIDs above what was cached, */
  guint32 last_new;            /* … the highest of which (each counted once). */
  guint applying;              /* Batches fetched, not applied yet (pending ones too). */
  guint in_store;              /* Jobs handed to the store, not applied yet. */
  BuzonStoreBatch *pending;    /* Batches waiting for a place in the store, appended, */
  guint pending_count;         /* … how many, */
  gint64 pending_since;        /* … since when (monotonic µs), */
  GSource *hold;               /* … and the timer that then hands them over. */
  gboolean handed;             /* Whether a job of this run went to the store yet. */
  gboolean waiting;            /* Fetching paused until a batch is applied. */
  /* The SELECT, the early fetch of new mail, the steps' fetches and
   * search_all()'s UID SEARCH not answered yet (the early search and the
   * first sync's fetches are counted by searching and first_fetches). */
  guint in_flight;
  /* A first sync sends its UID SEARCH ALL right behind the SELECT, sparing
   * a round trip: */
  gboolean searching;          /* … in flight, */
  gboolean awaiting_search;    /* … with the SELECT in and the search wanted, */
  GArray *searched;            /* … or in, not taken yet. */
  guint first_fetches;         /* First sync: fetches in flight. */
  /* A resync's new mail asked for behind the SELECT (EARLY_NEW): */
  gboolean early_new;          /* … asked for, */
  gboolean early_checked;      /* … the SELECT answered, */
  gboolean early_discard;      /* … and what it brings is not to be kept, */
  gboolean early_pending;      /* … not answered yet, */
  gboolean awaiting_early;     /* … with the run waiting for it to end; */
  GPtrArray *early_fetches;    /* … what came before the SELECT's answer was seen (none
                                * where that answer completes at once, as it does). */
  GError *error;
  BuzonFolderSyncResult result;
} Run;

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
static void submit (GTask           *task,
                    BuzonStoreBatch *batch);
static void maybe_hand_pending (GTask *task);
static void fetch_next_first_batch (GTask *task);

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
static void
maybe_return (GTask *task)
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

static void
fail (GTask  *task,
      GError *error)
{
  Run *run = g_task_get_task_data (task);

  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
  /* What was fetched and held goes now: it is kept. */
  maybe_hand_pending (task);
  maybe_return (task);
}

static BuzonStoreBatch *
take_batch (Run *run)
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
static const char *
new_mail_items (Run *run)
{
  return run->selected != NULL && run->selected->nomodseq
           ? HEADER_ITEMS
           : buzon_folder_sync_header_items (run->self->session);
}

/* Applying batches. */

typedef struct
{
  GTask *task;  /* Owned. */
  guint count;  /* Batches the job holds. */
} Applying;

static void hand_to_store (GTask           *task,
                           BuzonStoreBatch *batch,
                           guint            count);

static void
apply_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Applying *applying = user_data;
  g_autoptr (GTask) task = applying->task;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  BuzonStoreBatchResult counts = { 0 };

  run->applying -= applying->count;
  run->in_store--;
  g_free (applying);
  if (!buzon_store_apply_finish (BUZON_STORE (source), result, &counts, &error))
    {
      /* What waited goes still: what was fetched is kept. */
      fail (task, g_steal_pointer (&error));
      return;
    }
  maybe_hand_pending (task);
  run->result.added += counts.added;
  run->result.updated += counts.updated;
  run->result.removed += counts.removed;
  if (run->step == STEP_FIRST)
    g_signal_emit (run->self, signals[SIGNAL_PROGRESS], 0, run->fetched,
                   run->todo != NULL ? run->todo->len : 0);
  if (run->error != NULL || run->step == STEP_DONE)
    {
      maybe_return (task);
      return;
    }
  if (run->waiting)
    {
      run->waiting = FALSE;
      fetch_next_first_batch (task);
    }
}

static void
hand_to_store (GTask           *task,
               BuzonStoreBatch *batch,
               guint            count)
{
  Run *run = g_task_get_task_data (task);
  Applying *applying = g_new0 (Applying, 1);

  applying->task = g_object_ref (task);
  applying->count = count;
  run->in_store++;
  run->handed = TRUE;
  buzon_store_apply_async (run->self->store, batch, NULL, apply_done_cb, applying);
}

/* Hands the batches waiting to the store, as one job. */
static void
hand_pending (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  guint count = run->pending_count;

  if (run->hold != NULL)
    {
      g_source_destroy (run->hold);
      g_clear_pointer (&run->hold, g_source_unref);
    }
  run->pending_count = 0;
  hand_to_store (task, g_steal_pointer (&run->pending), count);
}

static gboolean
hold_done_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->hold, g_source_unref);
  maybe_hand_pending (task);
  return G_SOURCE_REMOVE;
}

/* Hands the batches waiting to the store if it has room (MAX_IN_STORE)
 * and they waited long enough (HOLD_MS, HOLD_BATCHES); they wait no more
 * for the run's first job, nor once the run is done or failed. */
static void
maybe_hand_pending (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  gint64 held;

  if (run->pending == NULL || run->in_store >= MAX_IN_STORE)
    return;
  held = g_get_monotonic_time () - run->pending_since;
  if (!run->handed || run->step == STEP_DONE || run->error != NULL
      || run->pending_count >= HOLD_BATCHES || held >= HOLD_MS * G_TIME_SPAN_MILLISECOND)
    {
      hand_pending (task);
      return;
    }
  if (run->hold == NULL)
    {
      run->hold = g_timeout_source_new (HOLD_MS - held / G_TIME_SPAN_MILLISECOND);
      g_source_set_callback (run->hold, hold_done_cb, g_object_ref (task), g_object_unref);
      g_source_attach (run->hold, g_task_get_context (task));
    }
}

/* Adds @batch (taken) to those waiting for the store, appended to them
 * where it can be, and hands them over when it is time. */
static void
submit (GTask           *task,
        BuzonStoreBatch *batch)
{
  Run *run = g_task_get_task_data (task);

  run->applying++;
  if (run->pending != NULL && buzon_store_batch_append (run->pending, batch))
    run->pending_count++;
  else
    {
      /* Not to be merged: the one waiting goes first, this one after it. */
      if (run->pending != NULL)
        hand_pending (task);
      run->pending = batch;
      run->pending_count = 1;
      run->pending_since = g_get_monotonic_time ();
    }
  maybe_hand_pending (task);
}

/* The folder's state as the server left it, saved with the last batch. */
static void
finish_run (GTask *task)
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
  submit (task, take_batch (run));
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
    submit (run->task, take_batch (run));
}

static void
on_vanished_cb (const GArray *uids,
                gpointer      user_data)
{
  Run *run = user_data;

  buzon_store_batch_remove_uids (run->batch, uids);
}

/* The resync's early fetch of new mail (EARLY_NEW). */

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

/* Once the SELECT answered: what the early fetch brought so far goes the
 * way of the rest, or is dropped (the SELECT failed, or the UIDs are of
 * another UIDVALIDITY now). */
static void
check_early_fetches (Run *run)
{
  if (!run->early_new || run->early_checked)
    return;
  run->early_checked = TRUE;
  /* A mailbox without MODSEQs may have refused the MODSEQ it asked for:
   * its new mail is asked for again, after the SELECT, without. */
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
  run->early_pending = FALSE;
  ok = buzon_imap_session_fetch_finish (BUZON_IMAP_SESSION (source), result, NULL, &error);
  /* Dropped, its failure does not count: refused behind a failed SELECT
   * (the run says why), or by a mailbox without MODSEQs. */
  if (!ok && !run->early_discard)
    {
      fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->awaiting_early)
    {
      run->awaiting_early = FALSE;
      advance (task);
      return;
    }
  /* On once the SELECT's answer was seen and the rest is in (this may be
   * the last answer, kept or not). */
  if (run->early_checked && run->step == STEP_NEW && run->in_flight == 0)
    advance (task);
  else
    maybe_return (task);
}

/* The first sync's batches, newest first, several fetches in flight: on a
 * network with 50 ms to the server, one batch at a time would spend most
 * of a big first sync waiting. Each fetch fills a batch of its own. */

typedef struct
{
  Run *run;
  GTask *task; /* Owned. */
  BuzonStoreBatch *batch;
} Slot;

static void
on_first_fetch_cb (BuzonImapFetch *fetch,
                   gpointer        user_data)
{
  Slot *slot = user_data;

  if (fetch->envelope != NULL)
    slot->run->fetched++;
  buzon_store_batch_add_fetch (slot->batch, fetch);
}

static void first_batch_fetched_cb (GObject      *source,
                                    GAsyncResult *result,
                                    gpointer      user_data);

static void
fetch_next_first_batch (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  guint batch_size = run->self->batch_size;

  while (run->first_fetches < MAX_FETCHES && run->todo_next < run->todo->len)
    {
      guint size = run->todo_next == 0 ? MIN (FIRST_BATCH, batch_size) : batch_size;
      guint count = MIN (size, run->todo->len - run->todo_next);
      g_autofree char *set = NULL;
      Slot *slot;

      if (run->applying + run->first_fetches >= MAX_APPLYING + MAX_FETCHES)
        {
          /* The store is behind: wait, so that memory stays bounded. */
          run->waiting = TRUE;
          return;
        }
      set = buzon_imap_sequence_set_to_string (&g_array_index (run->todo, guint32,
                                                               run->todo_next),
                                               count);
      run->todo_next += count;
      slot = g_new0 (Slot, 1);
      slot->run = run;
      slot->task = g_object_ref (task);
      /* The first takes what the run gathered before: expunges, state. */
      slot->batch = take_batch (run);
      run->first_fetches++;
      buzon_imap_session_fetch_async (run->self->session, set, new_mail_items (run),
                                      on_first_fetch_cb, slot, run->cancellable,
                                      first_batch_fetched_cb, slot);
    }
  if (run->todo_next >= run->todo->len && run->first_fetches == 0 && run->error == NULL)
    finish_run (task);
}

static void
first_batch_fetched_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Slot *slot = user_data;
  g_autoptr (GTask) task = slot->task;
  Run *run = slot->run;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  run->first_fetches--;
  ok = buzon_imap_session_fetch_finish (BUZON_IMAP_SESSION (source), result, NULL, &error);
  /* What was fetched is kept, also after a failure: the next run goes on
   * from there. */
  submit (task, g_steal_pointer (&slot->batch));
  g_free (slot);
  if (!ok)
    {
      fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->error == NULL)
    fetch_next_first_batch (task);
  else
    maybe_return (task);
}

static int
compare_descending (gconstpointer a,
                    gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return x > y ? -1 : x < y;
}

/* Starts the first sync from the server's UIDs: fetch those not cached,
 * forget those cached but gone. */
static void
start_first_sync (GTask  *task,
                  GArray *all)
{
  Run *run = g_task_get_task_data (task);
  g_autoptr (GArray) missing = buzon_imap_uid_set_subtract (all, run->cached);
  g_autoptr (GArray) gone = buzon_imap_uid_set_subtract (run->cached, all);
  BuzonStoreFolderState state = { 0 };

  buzon_store_batch_remove_uids (run->batch, gone);
  /* The UIDVALIDITY goes with the first batch, so that a run interrupted
   * later does not take its own messages for another UIDVALIDITY's. */
  state.fields = BUZON_STORE_STATE_UIDVALIDITY | BUZON_STORE_STATE_FIRST_SYNC_DONE;
  state.uidvalidity = run->selected->uidvalidity;
  state.first_sync_done = FALSE;
  buzon_store_batch_set_state (run->batch, &state);

  run->todo = g_array_sized_new (FALSE, FALSE, sizeof (guint32),
                                 (guint) MIN (buzon_imap_uid_set_count (missing), G_MAXUINT));
  for (guint i = 0; i < missing->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (missing, BuzonImapUidRange, i);

      for (guint64 uid = range->first; uid <= range->last; uid++)
        {
          guint32 value = (guint32) uid;
          g_array_append_val (run->todo, value);
        }
    }
  g_array_sort (run->todo, compare_descending);
  run->step = STEP_FIRST;
  fetch_next_first_batch (task);
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
      fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->step == STEP_SELECTED)
    {
      start_first_sync (task, all);
      return;
    }
  /* The expunge check: what is cached (or was just fetched) and not on
   * the server any more. */
  {
    g_autoptr (GArray) gone = buzon_imap_uid_set_subtract (run->cached, all);

    buzon_store_batch_remove_uids (run->batch, gone);
  }
  finish_run (task);
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
      fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->error != NULL)
    {
      maybe_return (task);
      return;
    }
  if (run->awaiting_search)
    {
      run->awaiting_search = FALSE;
      start_first_sync (task, all);
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
      fail (task, g_steal_pointer (&error));
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
      maybe_return (task);
      return;
    }
  switch (run->step)
    {
    case STEP_SELECTED:
      /* A dropped early fetch still in flight could be given what the
       * next fetches bring (an untagged FETCH goes to the oldest fetch in
       * flight, should a server answer out of order): they wait for it. */
      if (run->early_discard && run->early_pending)
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

              start_first_sync (task, all);
            }
          else if (run->selected->exists == 0)
            {
              g_autoptr (GArray) none = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
              start_first_sync (task, none);
            }
          else
            search_all (task);
          return;
        }
      run->step = STEP_CHANGES;
      if (run->result.path == BUZON_FOLDER_SYNC_CONDSTORE
          && run->selected->highestmodseq != self->folder->highestmodseq)
        {
          run->in_flight++;
          buzon_imap_session_fetch_changed_since_async (self->session, "1:*", "(UID FLAGS)",
                                                        self->folder->highestmodseq, on_fetch_cb,
                                                        on_vanished_cb, run, run->cancellable,
                                                        step_fetched_cb, g_object_ref (task));
        }
      else if (run->result.path == BUZON_FOLDER_SYNC_FLAGS && run->max_cached > 0)
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
       * changes (which may list that new mail's flags again, applied
       * after its insert), these headers. */
      run->step = STEP_NEW;
      if (run->selected->uidnext == 0 || run->selected->uidnext > first_uncovered (run))
        {
          g_autofree char *set = g_strdup_printf ("%u:*", first_uncovered (run));

          /* Counted as seen too: new messages are not expunged ones. */
          run->in_flight++;
          buzon_imap_session_fetch_async (self->session, set, new_mail_items (run), on_fetch_cb,
                                          run, run->cancellable, step_fetched_cb,
                                          g_object_ref (task));
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
      finish_run (task);
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
      fail (task, g_steal_pointer (&error));
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
      fail (task, g_steal_pointer (&error));
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
      run->early_pending = TRUE;
      run->early_fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_fetch_free);
      run->in_flight++;
      buzon_imap_session_fetch_async (self->session, set,
                                      buzon_folder_sync_header_items (self->session),
                                      on_early_fetch_cb, run, run->cancellable, early_fetched_cb,
                                      g_object_ref (task));
    }
  /* A folder whose first sync is not done has its UIDs listed next,
   * whatever the SELECT says (an empty folder's list is empty). */
  if (!self->folder->first_sync_done)
    {
      run->searching = TRUE;
      buzon_imap_session_search_async (self->session, "ALL", NULL, BUZON_IMAP_SEARCH_NONE,
                                       run->cancellable, early_search_cb, g_object_ref (task));
    }
  g_signal_emit (self, signals[SIGNAL_SELECTING], 0);
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
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * BuzonFolderSync::selecting:
   *
   * Emitted once the run has sent the folder's SELECT (and, on a first
   * sync, the SEARCH that lists its UIDs; on a resync, the UID FETCH of
   * its new mail): a command sent on the session
   * from then on reaches the server after them, so the server runs it
   * with the folder selected. Not emitted when the run needs no SELECT.
   */
  signals[SIGNAL_SELECTING] =
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
      submit (task, take_batch (run));
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
      submit (task, take_batch (run));
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
