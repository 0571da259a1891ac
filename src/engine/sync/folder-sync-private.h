// The inside of BuzonFolderSync, shared by its files: folder-sync.c (the
// object, the SELECT and the steps of a resync), folder-sync-first.c (a
// first sync's header batches) and folder-sync-store.c (handing batches
// to the store, held so that its commits stay few).
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "folder-sync.h"
#include "store/store-batch.h"

G_BEGIN_DECLS

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

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_SELECTING,
  N_SIGNALS
};

extern guint _buzon_folder_sync_signals[N_SIGNALS];

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
  /* The SELECT, the early fetches (new mail, changes), the steps' fetches and
   * search_all()'s UID SEARCH not answered yet (the early search and the
   * first sync's fetches are counted by searching and first_fetches). */
  guint in_flight;
  /* A first sync sends its UID SEARCH ALL right behind the SELECT, sparing
   * a round trip: */
  gboolean searching;          /* … in flight, */
  gboolean awaiting_search;    /* … with the SELECT in and the search wanted, */
  GArray *searched;            /* … or in, not taken yet. */
  guint first_fetches;         /* First sync: fetches in flight. */
  /* A resync's new mail (EARLY_NEW) and flag changes (or flags) asked for
   * behind the SELECT: */
  gboolean early_new;          /* … the new mail asked for, */
  gboolean early_changes;      /* … the changes asked for (CONDSTORE), */
  gboolean early_flags;        /* … every cached message's flags asked for (no CONDSTORE), */
  gboolean early_checked;      /* … the SELECT answered, */
  gboolean early_discard;      /* … and what it brings is not to be kept, */
  guint early_pending;         /* … how many not answered yet, */
  gboolean awaiting_early;     /* … with the run waiting for them to end; */
  GPtrArray *early_fetches;    /* … what came before the SELECT's answer was seen (none
                                * where that answer completes at once, as it does). */
  GError *error;
  BuzonFolderSyncResult result;
} Run;

/* Steps of a run, its task's data a Run. */
void             _buzon_folder_run_maybe_return           (GTask           *task);
void             _buzon_folder_run_fail                   (GTask           *task,
                                                           GError          *error);
BuzonStoreBatch *_buzon_folder_run_take_batch             (Run             *run);
const char      *_buzon_folder_run_new_mail_items         (Run             *run);
void             _buzon_folder_run_finish                 (GTask           *task);
void             _buzon_folder_run_start_first_sync       (GTask           *task,
                                                           GArray          *all);
void             _buzon_folder_run_fetch_next_first_batch (GTask           *task);
void             _buzon_folder_run_submit                 (GTask           *task,
                                                           BuzonStoreBatch *batch);
void             _buzon_folder_run_maybe_hand_pending     (GTask           *task);

G_END_DECLS
