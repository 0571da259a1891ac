// BuzonAccountWatch, the full passes: every folder brought up to date
// (BuzonAccountSync, background work of the pool), at the start, after a
// failure, and "poll-interval" seconds after the last pass ended; then the
// IDLE connection again.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "account-sync.h"
#include "account-watch-private.h"

/* The interval is over: a pass is due, at once if the watch idles. */
gboolean
_buzon_watch_run_poll_cb (gpointer user_data)
{
  Run *run = g_task_get_task_data (user_data);

  run->poll_due = TRUE;
  if (run->idling)
    buzon_imap_session_idle_stop (run->session);
  return G_SOURCE_CONTINUE;
}

static void
folder_started_cb (BuzonAccountSync *sync,
                   const char       *name,
                   gpointer          user_data)
{
  Run *run = user_data;

  /* Logged in (the first folder, INBOX, may come before the list): the
   * server is there. */
  run->in_contact = TRUE;
  _buzon_account_watch_set_state (run->self, BUZON_ACCOUNT_WATCH_SYNCING, 0);
}

static void
passed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  run->busy = FALSE;
  run->passing = FALSE;
  g_signal_handlers_disconnect_by_data (source, run);
  /* The interval counts from the end of a pass: however long passes take,
   * IDLE gets its time in between. */
  run->poll_due = FALSE;
  g_clear_handle_id (&run->poll_id, g_source_remove);
  if (!run->finished)
    run->poll_id = _buzon_watch_run_add_timer (run, run->self->poll_interval,
                                               _buzon_watch_run_poll_cb);
  if (!buzon_account_sync_run_finish (BUZON_ACCOUNT_SYNC (source), result, NULL, &error))
    {
      if (_buzon_watch_run_stopped (run))
        return;
      /* It never reached the folders: the server or the network is not
       * there, or the password is wrong. */
      if (!run->in_contact)
        {
          _buzon_watch_run_fail (run, error);
          return;
        }
      /* Some folder failed; the others are up to date. */
      _buzon_watch_run_report (run, error);
    }
  else
    {
      BuzonAccountWatch *self = run->self;
      gint64 now = _buzon_account_watch_now ();

      run->backoff = 1;
      _buzon_account_watch_set_error (self, NULL);
      if (self->last_synced != now)
        {
          self->last_synced = now;
          g_object_notify_by_pspec (G_OBJECT (self),
                                    _buzon_account_watch_properties[PROP_LAST_SYNCED]);
        }
      g_signal_emit (self, _buzon_account_watch_signals[SIGNAL_SYNCED], 0, NULL);
    }
  if (_buzon_watch_run_stopped (run) || _buzon_watch_run_went_offline (run))
    return;
  _buzon_watch_run_connect_idle (run);
}

void
_buzon_watch_run_full_pass (Run *run)
{
  g_autoptr (BuzonAccountSync) sync = buzon_account_sync_new (run->self->account,
                                                              run->self->store,
                                                              run->self->credentials);

  g_warn_if_fail (_buzon_watch_run_quiet (run));
  /* The pass takes it from the pool, as background work. */
  _buzon_watch_run_drop_session (run);
  buzon_account_sync_set_pool (sync, run->pool);
  run->poll_due = FALSE;
  run->busy = TRUE;
  run->passing = TRUE;
  g_signal_connect (sync, "folder-started", G_CALLBACK (folder_started_cb), run);
  buzon_account_sync_run_async (sync, NULL, run->cancellable, passed_cb,
                                _buzon_watch_run_hold (run));
  _buzon_account_watch_set_state (run->self,
                                  run->in_contact ? BUZON_ACCOUNT_WATCH_SYNCING
                                                  : BUZON_ACCOUNT_WATCH_CONNECTING,
                                  0);
}
