// BuzonFolderSync, a first sync's header batches: the UIDs not cached,
// newest first, several fetches in flight. On a network with 50 ms to the
// server, one batch at a time would spend most of a big first sync
// waiting. Each fetch fills a batch of its own.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "folder-sync-private.h"
#include "imap/imap-uid-set.h"

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

void
_buzon_folder_run_fetch_next_first_batch (GTask *task)
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
      slot->batch = _buzon_folder_run_take_batch (run);
      run->first_fetches++;
      buzon_imap_session_fetch_async (run->self->session, set,
                                      _buzon_folder_run_new_mail_items (run), on_first_fetch_cb,
                                      slot, run->cancellable, first_batch_fetched_cb, slot);
    }
  if (run->todo_next >= run->todo->len && run->first_fetches == 0 && run->error == NULL)
    _buzon_folder_run_finish (task);
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
  _buzon_folder_run_submit (task, g_steal_pointer (&slot->batch));
  g_free (slot);
  if (!ok)
    {
      _buzon_folder_run_fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->error == NULL)
    _buzon_folder_run_fetch_next_first_batch (task);
  else
    _buzon_folder_run_maybe_return (task);
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
void
_buzon_folder_run_start_first_sync (GTask  *task,
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
  _buzon_folder_run_fetch_next_first_batch (task);
}

