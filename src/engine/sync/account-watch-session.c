// BuzonAccountWatch, the IDLE connection: the pool's held session, taken
// (BUZON_CONNECTION_PRIORITY_HELD), given back, or discarded when broken;
// IDLE on the Inbox, and the Inbox brought up to date on that connection
// with its bodies; "reclaim", when the pool wants the session for a
// request that waits.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "account-watch-private.h"
#include "body-prefetch.h"
#include "folder-sync.h"
#include "imap/imap-error.h"
#include "store/store-folder.h"

#define INBOX_POLL_SECONDS 60

static void idle (Run *run);
static void regain (Run *run);

/* The held session. */

/* Gives the IDLE connection back to the pool, for the next who asks;
 * with @broken, never to be handed out again. */
void
_buzon_watch_run_put_back (Run     *run,
                           gboolean broken)
{
  g_autoptr (BuzonImapSession) session = g_steal_pointer (&run->session);

  run->give_back = FALSE;
  if (session == NULL)
    return;
  g_signal_handlers_disconnect_by_data (session, run);
  if (broken)
    buzon_connection_pool_discard (run->pool, session);
  else
    buzon_connection_pool_release (run->pool, session);
}

void
_buzon_watch_run_drop_session (Run *run)
{
  _buzon_watch_run_put_back (run, FALSE);
}

/* After a failure on the IDLE connection: a server's refusal (NO, BAD)
 * leaves it usable; anything else (the connection lost, a timeout, bytes
 * that are not IMAP) and it goes, to be connected again, even if it did
 * not say LOGOUT. */
static gboolean
drop_session_unless_refused (Run          *run,
                             const GError *error)
{
  if (buzon_imap_session_get_state (run->session) != BUZON_IMAP_SESSION_LOGOUT
      && buzon_imap_error_is_refusal (error))
    return FALSE;
  _buzon_watch_run_put_back (run, TRUE);
  return TRUE;
}

/* IDLE on the Inbox. */

static void
idled_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  run->idling = FALSE;
  if (!buzon_imap_session_idle_finish (BUZON_IMAP_SESSION (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (_buzon_watch_run_stopped (run))
        return;
      /* Refused IDLE is remembered by the session's quirks: the Inbox is
       * polled from now on. A lost connection is reconnected. */
      drop_session_unless_refused (run, error);
      _buzon_watch_run_fail (run, error);
      return;
    }
  if (_buzon_watch_run_stopped (run))
    return;
  /* Ended for a pass, for the pool, or for the network: idle() sees to
   * those; else there was news, or the network changed: the Inbox. */
  if (run->poll_due || run->give_back || _buzon_watch_run_network_missing (run))
    idle (run);
  else
    _buzon_watch_run_sync_inbox (run);
}

static void
idle (Run *run)
{
  BuzonImapQuirks *quirks;

  if (_buzon_watch_run_went_offline (run))
    return;
  if (run->poll_due)
    {
      _buzon_watch_run_full_pass (run);
      return;
    }
  if (run->give_back)
    {
      /* The pool wants it for a request that waits: after that request,
       * it comes back. */
      _buzon_watch_run_drop_session (run);
      regain (run);
      return;
    }
  quirks = buzon_imap_session_get_quirks (run->session);
  g_warn_if_fail (_buzon_watch_run_quiet (run));
  if (!buzon_imap_quirks_get_can_idle (quirks))
    run->timer_id = _buzon_watch_run_add_timer (run, INBOX_POLL_SECONDS,
                                                _buzon_watch_run_retry_cb);
  else
    {
      run->idling = TRUE;
      buzon_imap_session_idle_async (run->session, run->cancellable, idled_cb,
                                     _buzon_watch_run_hold (run));
    }
  _buzon_account_watch_set_state (run->self, BUZON_ACCOUNT_WATCH_IDLE, 0);
}

static void
news_cb (BuzonImapSession *session,
         gpointer          arg,
         gpointer          user_data)
{
  /* IDLE ends; its callback brings the Inbox up to date, then idles again.
   * News during a sync is no loss: the server tells it again at the next
   * IDLE. */
  buzon_imap_session_idle_stop (session);
}

static void
session_closed_cb (BuzonImapSession *session,
                   const GError     *error,
                   gpointer          user_data)
{
  /* IDLE's own callback follows with the error and reconnects. */
  g_debug ("The watch's connection closed: %s", error != NULL ? error->message : "");
}

/* The Inbox, on the IDLE connection. */

static void
inbox_bodies_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  run->busy = FALSE;
  if (!buzon_body_prefetch_run_finish (BUZON_BODY_PREFETCH (source), result, NULL, &error))
    {
      if (_buzon_watch_run_stopped (run))
        return;
      if (drop_session_unless_refused (run, error))
        {
          _buzon_watch_run_fail (run, error);
          return;
        }
      /* The headers are in; the next pass tries the bodies again. */
      _buzon_watch_run_report (run, error);
    }
  if (_buzon_watch_run_stopped (run))
    return;
  idle (run);
}

static void
inbox_synced_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  BuzonFolderSyncResult summary = { 0 };
  guint days;

  run->busy = FALSE;
  if (!buzon_folder_sync_run_finish (BUZON_FOLDER_SYNC (source), result, &summary, &error))
    {
      if (_buzon_watch_run_stopped (run))
        return;
      drop_session_unless_refused (run, error);
      _buzon_watch_run_fail (run, error);
      return;
    }
  if (_buzon_watch_run_stopped (run))
    return;
  run->backoff = 1;
  _buzon_account_watch_set_error (run->self, NULL);
  g_signal_emit (run->self, _buzon_account_watch_signals[SIGNAL_SYNCED], 0, "INBOX");
  if (_buzon_watch_run_stopped (run))
    return;
  days = buzon_account_get_prefetch_days (run->self->account);
  if (days > 0 && run->inbox != NULL)
    {
      g_autoptr (BuzonBodyPrefetch) prefetch = NULL;

      prefetch = buzon_body_prefetch_new (run->session, run->self->store, run->inbox);
      g_object_set (prefetch, "since",
                    MAX (0, _buzon_account_watch_now () - (gint64) days * 24 * 3600), NULL);
      run->busy = TRUE;
      buzon_body_prefetch_run_async (prefetch, run->cancellable, inbox_bodies_cb,
                                     _buzon_watch_run_hold (run));
      return;
    }
  idle (run);
}

static void
folders_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  const BuzonStoreFolder *inbox = NULL;
  g_autoptr (BuzonFolderSync) sync = NULL;

  folders = buzon_store_list_folders_finish (BUZON_STORE (source), result, &error);
  for (guint i = 0; folders != NULL && i < folders->len && inbox == NULL; i++)
    if (g_str_equal (((BuzonStoreFolder *) folders->pdata[i])->raw_name, "INBOX"))
      inbox = folders->pdata[i];
  if (inbox == NULL || g_cancellable_is_cancelled (run->cancellable))
    {
      run->busy = FALSE;
      if (_buzon_watch_run_stopped (run))
        return;
      if (error == NULL)
        error = g_error_new_literal (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NONEXISTENT,
                                     _("The server lists no Inbox"));
      _buzon_watch_run_fail (run, error);
      return;
    }
  g_clear_pointer (&run->inbox, buzon_store_folder_free);
  run->inbox = buzon_store_folder_copy (inbox);
  sync = buzon_folder_sync_new (run->session, run->self->store, inbox);
  buzon_folder_sync_run_async (sync, run->cancellable, inbox_synced_cb,
                               _buzon_watch_run_hold (run));
}

void
_buzon_watch_run_sync_inbox (Run *run)
{
  g_warn_if_fail (_buzon_watch_run_quiet (run));
  run->busy = TRUE;
  buzon_store_list_folder_states_async (run->self->store, NULL, folders_cb,
                                        _buzon_watch_run_hold (run));
  _buzon_account_watch_set_state (run->self, BUZON_ACCOUNT_WATCH_SYNCING, 0);
}

/* The IDLE connection. */

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  BuzonImapSession *session;

  run->busy = FALSE;
  session = buzon_connection_pool_acquire_finish (BUZON_CONNECTION_POOL (source), result,
                                                  &error);
  if (session == NULL)
    {
      if (_buzon_watch_run_stopped (run))
        return;
      _buzon_watch_run_fail (run, error);
      return;
    }
  run->session = session;
  if (_buzon_watch_run_stopped (run) || _buzon_watch_run_went_offline (run))
    return;
  run->in_contact = TRUE;
  g_signal_connect (run->session, "exists-changed", G_CALLBACK (news_cb), run);
  g_signal_connect (run->session, "expunged", G_CALLBACK (news_cb), run);
  g_signal_connect (run->session, "vanished", G_CALLBACK (news_cb), run);
  g_signal_connect (run->session, "flags-changed", G_CALLBACK (news_cb), run);
  g_signal_connect (run->session, "closed", G_CALLBACK (session_closed_cb), run);
  _buzon_watch_run_sync_inbox (run);
}

void
_buzon_watch_run_connect_idle (Run *run)
{
  g_warn_if_fail (_buzon_watch_run_quiet (run));
  run->busy = TRUE;
  buzon_connection_pool_acquire_async (run->pool, BUZON_CONNECTION_PRIORITY_HELD,
                                       run->cancellable, connected_cb,
                                       _buzon_watch_run_hold (run));
  _buzon_account_watch_set_state (run->self,
                                  run->in_contact ? BUZON_ACCOUNT_WATCH_SYNCING
                                                  : BUZON_ACCOUNT_WATCH_CONNECTING,
                                  0);
}

/* The IDLE connection went to a request that waited: asked for again, in
 * turn behind it. Up to date until then, the watch stays IDLE. */
static void
regain (Run *run)
{
  g_warn_if_fail (_buzon_watch_run_quiet (run));
  run->busy = TRUE;
  buzon_connection_pool_acquire_async (run->pool, BUZON_CONNECTION_PRIORITY_HELD,
                                       run->cancellable, connected_cb,
                                       _buzon_watch_run_hold (run));
  _buzon_account_watch_set_state (run->self, BUZON_ACCOUNT_WATCH_IDLE, 0);
}

/* The pool wants the session for a request that waits. */
void
_buzon_watch_run_reclaim_cb (BuzonConnectionPool *pool,
                             BuzonImapSession    *session,
                             gpointer             user_data)
{
  Run *run = user_data;

  if (session != run->session || run->finished)
    return;
  if (run->idling)
    {
      /* IDLE's callback gives it back. */
      run->give_back = TRUE;
      buzon_imap_session_idle_stop (session);
    }
  else if (run->busy)
    run->give_back = TRUE; /* An Inbox sync: at its end. */
  else
    _buzon_watch_run_drop_session (run); /* Polling the Inbox on a timer, which connects again. */
}

