// BuzonFolderSync, handing a run's batches to the store: at most
// MAX_IN_STORE jobs queued there at once, and after the run's first job
// the batches that come are held and appended (HOLD_MS, HOLD_BATCHES), so
// that the store commits a few large transactions rather than many small.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "folder-sync-private.h"

typedef struct
{
  GTask *task;  /* Owned. */
  guint count;  /* Batches the job holds. */
} Applying;

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
      _buzon_folder_run_fail (task, g_steal_pointer (&error));
      return;
    }
  _buzon_folder_run_maybe_hand_pending (task);
  run->result.added += counts.added;
  run->result.updated += counts.updated;
  run->result.removed += counts.removed;
  if (run->step == STEP_FIRST)
    g_signal_emit (run->self, _buzon_folder_sync_signals[SIGNAL_PROGRESS], 0, run->fetched,
                   run->todo != NULL ? run->todo->len : 0);
  if (run->error != NULL || run->step == STEP_DONE)
    {
      _buzon_folder_run_maybe_return (task);
      return;
    }
  if (run->waiting)
    {
      run->waiting = FALSE;
      _buzon_folder_run_fetch_next_first_batch (task);
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
  _buzon_folder_run_maybe_hand_pending (task);
  return G_SOURCE_REMOVE;
}

/* Hands the batches waiting to the store if it has room (MAX_IN_STORE)
 * and they waited long enough (HOLD_MS, HOLD_BATCHES); they wait no more
 * for the run's first job, nor once the run is done or failed. */
void
_buzon_folder_run_maybe_hand_pending (GTask *task)
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
void
_buzon_folder_run_submit (GTask           *task,
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
  _buzon_folder_run_maybe_hand_pending (task);
}

