// BuzonAccountWatch: keeps an account's cache up to date for as long as it
// runs.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// One full pass first (BuzonAccountSync). Then a connection waits on the
// Inbox with IDLE: news (new mail, flags,
// expunges) ends IDLE, the Inbox is brought up to date on that connection,
// and IDLE starts again. "poll-interval" seconds after each full pass ends,
// another looks at the other folders. A server without IDLE (Yahoo), or one that refuses it,
// has its Inbox polled every minute instead. When a connection fails, the
// watch waits 1 s, 2 s, 4 s… up to five minutes, and starts again with a
// full pass; a pass or an Inbox sync that succeeds resets the wait, and so
// do the network coming back (GNetworkMonitor) and
// buzon_account_watch_sync_now(). After the Inbox is brought up to date on
// the IDLE connection, the bodies of its mail of the account's last
// PrefetchDays days are downloaded there too (BuzonBodyPrefetch), so that
// new mail reads offline without waiting for the next full pass, which does
// the same for every folder.
//
// Connections come from a BuzonConnectionPool, the account's (see
// buzon_account_watch_set_pool()) or one of the run's own: the IDLE
// connection is the pool's held session (BUZON_CONNECTION_PRIORITY_HELD),
// and a full pass gives it back before it starts, so that the pass, as
// background work, takes it again (no second login) and the watch never
// has more than one of the account's connections. When the pool wants it
// for a request that waits ("reclaim": a user opening a message with every
// connection taken), IDLE ends, the session goes back, and the watch asks
// for it again behind that request, staying IDLE meanwhile; when it has it
// back it brings the Inbox up to date first, for what it missed.
//
// GNetworkMonitor going offline ends IDLE, gives the connection up and
// stops the polling (OFFLINE) as soon as nothing is under way; back
// online, a full pass starts at once. A change of network while the watch
// idles (another Wi-Fi, a VPN) ends IDLE and brings the Inbox up to date,
// which reconnects if the connection did not survive it.
//
// One thing at a time: a pass, a connection, an Inbox sync (with its
// bodies), IDLE, or a wait on a timer or on the network. Whatever is under
// way, and every timer, holds a reference to the run's task, so a callback
// never outlives the run it reads; the task returns once, when the watch is
// cancelled and nothing is under way any more.
//
// This file has the object and the run: its failures and backoff, the
// network and cancelling. The IDLE connection (the pool's held session,
// IDLE and the Inbox on it, "reclaim") is in account-watch-session.c, the
// full passes in account-watch-pass.c; what they share is in
// account-watch-private.h.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "account-watch-private.h"
#include "account-watch.h"
#include "account/account-error.h"
#include "imap/imap-error.h"
#include "store/store-folder.h"

#define MAX_BACKOFF_SECONDS      300
#define PASSWORD_BACKOFF_SECONDS 60

G_DEFINE_ENUM_TYPE (BuzonAccountWatchState, buzon_account_watch_state,
                    G_DEFINE_ENUM_VALUE (BUZON_ACCOUNT_WATCH_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (BUZON_ACCOUNT_WATCH_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (BUZON_ACCOUNT_WATCH_SYNCING, "syncing"),
                    G_DEFINE_ENUM_VALUE (BUZON_ACCOUNT_WATCH_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (BUZON_ACCOUNT_WATCH_WAITING, "waiting"),
                    G_DEFINE_ENUM_VALUE (BUZON_ACCOUNT_WATCH_OFFLINE, "offline"))

G_DEFINE_FINAL_TYPE (BuzonAccountWatch, buzon_account_watch, G_TYPE_OBJECT)

GParamSpec *_buzon_account_watch_properties[N_PROPS];
guint _buzon_account_watch_signals[N_SIGNALS];

/* The properties, notified when they change. */

void
_buzon_account_watch_set_state (BuzonAccountWatch     *self,
                                BuzonAccountWatchState state,
                                gint64                 retry_at)
{
  if (self->retry_at != retry_at)
    {
      self->retry_at = retry_at;
      g_object_notify_by_pspec (G_OBJECT (self), _buzon_account_watch_properties[PROP_RETRY_AT]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), _buzon_account_watch_properties[PROP_STATE]);
    }
}

static gboolean
same_error (const GError *a,
            const GError *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->domain == b->domain && a->code == b->code && g_str_equal (a->message, b->message);
}

void
_buzon_account_watch_set_error (BuzonAccountWatch *self,
                                const GError      *error)
{
  if (same_error (self->error, error))
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), _buzon_account_watch_properties[PROP_ERROR]);
}

gint64
_buzon_account_watch_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The run. */

static void
run_free (Run *run)
{
  /* By now the run has finished: no timer or handler is left. */
  _buzon_watch_run_drop_session (run);
  g_clear_object (&run->pool);
  g_clear_object (&run->monitor);
  g_clear_pointer (&run->inbox, buzon_store_folder_free);
  g_free (run);
}

/* A reference to the run's task, for a callback or a timer to hold. */
gpointer
_buzon_watch_run_hold (Run *run)
{
  return g_object_ref (run->task);
}

guint
_buzon_watch_run_add_timer (Run        *run,
                            guint       seconds,
                            GSourceFunc func)
{
  return g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, seconds, func,
                                     _buzon_watch_run_hold (run), g_object_unref);
}

/* Returns the task, once: everything else has ended. */
static void
finish (Run *run)
{
  BuzonAccountWatch *self = run->self;
  g_autoptr (GTask) task = g_object_ref (run->task);

  run->finished = TRUE;
  g_clear_handle_id (&run->timer_id, g_source_remove);
  g_clear_handle_id (&run->poll_id, g_source_remove);
  g_clear_object (&run->offline_hold);
  g_clear_signal_handler (&run->network_id, run->monitor);
  /* Never called from the cancellable's own handler, which only
   * schedules cancel_idle_cb(): disconnecting cannot deadlock. */
  if (run->cancelled_id != 0)
    g_cancellable_disconnect (run->cancellable, run->cancelled_id);
  run->cancelled_id = 0;
  _buzon_watch_run_drop_session (run);
  g_clear_signal_handler (&run->reclaim_id, run->pool);
  if (run->own_pool)
    buzon_connection_pool_close (run->pool);
  self->run = NULL;
  _buzon_account_watch_set_state (self, BUZON_ACCOUNT_WATCH_STOPPED, 0);
  g_task_return_boolean (task, TRUE);
}

/* Whether the run is over or ending. Cancelled, it returns as soon as
 * nothing is under way; callers clear "busy" or "idling" first. */
gboolean
_buzon_watch_run_stopped (Run *run)
{
  if (run->finished)
    return TRUE;
  if (!g_cancellable_is_cancelled (run->cancellable))
    return FALSE;
  if (!run->busy && !run->idling)
    finish (run);
  return TRUE;
}

/* Where a full pass or the Inbox is started from: nothing else is. */
gboolean
_buzon_watch_run_quiet (Run *run)
{
  return !run->busy && !run->idling && run->timer_id == 0 && !run->finished;
}

static gboolean
is_loopback (const char *host)
{
  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (host);

  if (address != NULL)
    return g_inet_address_get_is_loopback (address);
  return g_ascii_strcasecmp (host, "localhost") == 0;
}

/* GNetworkMonitor says there is no network. That says nothing of a server
 * on this machine (tests, SSH tunnels, a local bridge), which is tried. */
gboolean
_buzon_watch_run_network_missing (Run *run)
{
  const BuzonServerUrl *url = buzon_account_get_imap_url (run->self->account);

  if (g_network_monitor_get_network_available (run->monitor))
    return FALSE;
  return run->self->loopback_needs_network || !is_loopback (url->host);
}

/* No network: nothing under way, the IDLE connection given up (it would
 * not survive anyway, and holds a place in the pool) and the polling
 * stopped until the network is back, when a full pass is due at once. */
static void
go_offline (Run *run)
{
  g_clear_handle_id (&run->timer_id, g_source_remove);
  g_clear_handle_id (&run->poll_id, g_source_remove);
  _buzon_watch_run_put_back (run, TRUE);
  run->offline = TRUE;
  if (run->offline_hold == NULL)
    run->offline_hold = _buzon_watch_run_hold (run);
  run->poll_due = TRUE;
  _buzon_account_watch_set_state (run->self, BUZON_ACCOUNT_WATCH_OFFLINE, 0);
}

/* Back from OFFLINE. Returns the reference the run held meanwhile, for
 * the caller to drop once it has started what comes next. */
static GTask *
leave_offline (Run *run)
{
  run->offline = FALSE;
  return g_steal_pointer (&run->offline_hold);
}

/* Before the next step: offline, there is none. */
gboolean
_buzon_watch_run_went_offline (Run *run)
{
  if (!_buzon_watch_run_network_missing (run))
    return FALSE;
  go_offline (run);
  return TRUE;
}

void
_buzon_watch_run_report (Run          *run,
                         const GError *error)
{
  _buzon_account_watch_set_error (run->self, error);
  g_signal_emit (run->self, _buzon_account_watch_signals[SIGNAL_PROBLEM], 0, error);
}

/* Waits are over: a full pass if one is due (always after a failure), or
 * the Inbox. */
static void
resume (Run *run)
{
  if (run->poll_due)
    _buzon_watch_run_full_pass (run);
  else if (run->session == NULL)
    _buzon_watch_run_connect_idle (run);
  else
    _buzon_watch_run_sync_inbox (run);
}

gboolean
_buzon_watch_run_retry_cb (gpointer user_data)
{
  Run *run = g_task_get_task_data (user_data);

  run->timer_id = 0;
  if (!_buzon_watch_run_stopped (run))
    resume (run);
  return G_SOURCE_REMOVE;
}

/* After a failure: wait, longer each time (a refused password a minute at
 * least, so that the server does not lock the account), or until the
 * network is back; then a full pass, for what changed meanwhile. The run is
 * settled before anyone hears of it, so that a handler may call
 * buzon_account_watch_sync_now() or cancel. */
void
_buzon_watch_run_fail (Run          *run,
                       const GError *error)
{
  BuzonAccountWatch *self = run->self;
  guint wait = run->backoff;

  g_warn_if_fail (_buzon_watch_run_quiet (run));
  run->in_contact = FALSE;
  run->poll_due = TRUE;
  if (_buzon_watch_run_network_missing (run))
    {
      _buzon_account_watch_set_error (self, error);
      go_offline (run);
    }
  else
    {
      if (buzon_account_watch_error_wants_password (error))
        wait = MAX (wait, PASSWORD_BACKOFF_SECONDS);
      run->backoff = MIN (wait * 2, MAX_BACKOFF_SECONDS);
      run->timer_id = _buzon_watch_run_add_timer (run, wait, _buzon_watch_run_retry_cb);
      _buzon_account_watch_set_error (self, error);
      _buzon_account_watch_set_state (self, BUZON_ACCOUNT_WATCH_WAITING,
                                      _buzon_account_watch_now () + wait);
    }
  g_signal_emit (self, _buzon_account_watch_signals[SIGNAL_PROBLEM], 0, error);
}

/* The network: gone, the watch goes OFFLINE (at once when it waits or
 * idles; a pass or an Inbox sync under way first ends, or fails); back, a
 * wait ends with a full pass. A change while the watch idles ends IDLE and
 * brings the Inbox up to date: the connection may not have survived. */
static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  Run *run = user_data;

  if (run->finished || g_cancellable_is_cancelled (run->cancellable))
    return;
  if (_buzon_watch_run_network_missing (run))
    {
      if (run->offline)
        return;
      if (run->idling)
        buzon_imap_session_idle_stop (run->session); /* Its callback goes offline. */
      else if (!run->busy)
        go_offline (run); /* On a timer (a retry, the Inbox polled), or about to be. */
      return;
    }
  if (run->offline || (run->self->state == BUZON_ACCOUNT_WATCH_WAITING && run->timer_id != 0))
    {
      g_autoptr (GTask) held G_GNUC_UNUSED = leave_offline (run);

      g_clear_handle_id (&run->timer_id, g_source_remove);
      run->backoff = 1;
      resume (run);
      return;
    }
  if (run->idling)
    buzon_imap_session_idle_stop (run->session); /* Its callback syncs the Inbox. */
}

/* Cancelling: IDLE and the operations under way see the cancellable
 * themselves; a watch waiting on a timer or the network is told here, in
 * its own context (any thread may cancel). */
static gboolean
cancel_idle_cb (gpointer user_data)
{
  Run *run = g_task_get_task_data (user_data);

  if (run->finished)
    return G_SOURCE_REMOVE;
  if (!run->busy && !run->idling)
    {
      g_autoptr (GTask) held G_GNUC_UNUSED = leave_offline (run);

      g_clear_handle_id (&run->timer_id, g_source_remove);
      _buzon_watch_run_stopped (run);
      return G_SOURCE_REMOVE;
    }
  _buzon_watch_run_stopped (run);
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              Run          *run)
{
  GSource *source = g_idle_source_new ();

  /* The source holds the task: the run is there when it runs. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, cancel_idle_cb, _buzon_watch_run_hold (run), g_object_unref);
  g_source_attach (source, g_task_get_context (run->task));
  g_source_unref (source);
}

/* The object. */

static void
buzon_account_watch_finalize (GObject *object)
{
  BuzonAccountWatch *self = BUZON_ACCOUNT_WATCH (object);

  g_clear_object (&self->account);
  g_clear_object (&self->store);
  g_clear_object (&self->credentials);
  g_clear_object (&self->pool);
  g_clear_object (&self->monitor);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (buzon_account_watch_parent_class)->finalize (object);
}

static void
buzon_account_watch_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BuzonAccountWatch *self = BUZON_ACCOUNT_WATCH (object);

  switch (prop_id)
    {
    case PROP_POLL_INTERVAL:
      g_value_set_uint (value, self->poll_interval);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_LAST_SYNCED:
      g_value_set_int64 (value, self->last_synced);
      break;
    case PROP_RETRY_AT:
      g_value_set_int64 (value, self->retry_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_account_watch_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BuzonAccountWatch *self = BUZON_ACCOUNT_WATCH (object);

  switch (prop_id)
    {
    case PROP_POLL_INTERVAL:
      if (self->poll_interval != g_value_get_uint (value))
        {
          self->poll_interval = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_account_watch_class_init (BuzonAccountWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_account_watch_finalize;
  object_class->get_property = buzon_account_watch_get_property;
  object_class->set_property = buzon_account_watch_set_property;

  /* Seconds from the end of a full pass over every folder to the start of
   * the next; the Inbox is watched with IDLE meanwhile. Takes effect at the
   * next pass. */
  _buzon_account_watch_properties[PROP_POLL_INTERVAL] =
    g_param_spec_uint ("poll-interval", NULL, NULL, 1, 24 * 3600, 300,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* What the watch is doing (BuzonAccountWatchState); STOPPED when it is
   * not running. */
  _buzon_account_watch_properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, BUZON_TYPE_ACCOUNT_WATCH_STATE,
                       BUZON_ACCOUNT_WATCH_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The last failure, as the engine reported it, or NULL: cleared when a
   * full pass or an Inbox sync succeeds. A wrong password is
   * BUZON_IMAP_ERROR_AUTHENTICATION_FAILED and a missing one
   * BUZON_ACCOUNT_ERROR_NO_SECRET (see
   * buzon_account_watch_error_wants_password()): the watch retries those
   * a minute apart at most often, and a UI should ask for the password,
   * store it, and call buzon_account_watch_sync_now(). */
  _buzon_account_watch_properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Unix time of the last full pass that succeeded; 0 for never. */
  _buzon_account_watch_properties[PROP_LAST_SYNCED] =
    g_param_spec_int64 ("last-synced", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Unix time of the next attempt while WAITING ("Retrying in 30 s");
   * 0 in every other state. */
  _buzon_account_watch_properties[PROP_RETRY_AT] =
    g_param_spec_int64 ("retry-at", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, _buzon_account_watch_properties);

  /**
   * BuzonAccountWatch::synced:
   * @folder: (nullable): "INBOX" after the Inbox was brought up to date
   *   on news; %NULL after a full pass
   */
  _buzon_account_watch_signals[SIGNAL_SYNCED] =
    g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * BuzonAccountWatch::problem:
   * @error: what went wrong; the watch goes on and tries again. Emitted
   *   after "state", "error" and "retry-at" say what comes next.
   */
  _buzon_account_watch_signals[SIGNAL_PROBLEM] =
    g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
buzon_account_watch_init (BuzonAccountWatch *self)
{
  self->poll_interval = 300;
}

BuzonAccountWatch *
buzon_account_watch_new (BuzonAccount     *account,
                         BuzonStore       *store,
                         BuzonCredentials *credentials)
{
  BuzonAccountWatch *self;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (BUZON_IS_CREDENTIALS (credentials), NULL);

  self = g_object_new (BUZON_TYPE_ACCOUNT_WATCH, NULL);
  self->account = g_object_ref (account);
  self->store = g_object_ref (store);
  self->credentials = g_object_ref (credentials);
  return self;
}

/**
 * buzon_account_watch_run_async:
 * @cancellable: the only way a watch ends: cancelled, it stops (IDLE ends
 *   with DONE, a pass under way stops) and succeeds, once nothing it
 *   started is still under way
 *
 * Keeps the cache up to date until cancelled: a full pass now and every
 * "poll-interval" seconds after the last one ended, the Inbox on every
 * change IDLE reports.
 * Failures are reported with "problem" and "error" and retried with
 * backoff; they never end the watch. "state" says what it is doing.
 */
void
buzon_account_watch_run_async (BuzonAccountWatch  *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  Run *run;

  g_return_if_fail (BUZON_IS_ACCOUNT_WATCH (self));
  g_return_if_fail (G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_account_watch_run_async);
  g_task_set_check_cancellable (task, FALSE);
  if (self->run != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s",
                               _("This account is being watched already"));
      return;
    }
  run = g_new0 (Run, 1);
  run->self = self;
  run->task = task;
  run->cancellable = cancellable;
  run->backoff = 1;
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  self->run = run;
  run->poll_id = _buzon_watch_run_add_timer (run, self->poll_interval, _buzon_watch_run_poll_cb);
  if (self->pool != NULL)
    run->pool = g_object_ref (self->pool);
  else
    {
      run->pool = buzon_connection_pool_new (self->account, self->credentials);
      run->own_pool = TRUE;
    }
  run->reclaim_id = g_signal_connect (run->pool, "reclaim",
                                      G_CALLBACK (_buzon_watch_run_reclaim_cb), run);
  run->monitor = g_object_ref (self->monitor != NULL ? self->monitor
                                                     : g_network_monitor_get_default ());
  run->network_id = g_signal_connect (run->monitor, "network-changed",
                                      G_CALLBACK (network_changed_cb), run);
  /* Already cancelled, this schedules the end at once. */
  run->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), run, NULL);
  if (g_cancellable_is_cancelled (cancellable))
    return;
  if (_buzon_watch_run_went_offline (run))
    return;
  _buzon_watch_run_full_pass (run);
}

gboolean
buzon_account_watch_run_finish (BuzonAccountWatch *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_account_watch_sync_now:
 *
 * A user's "refresh": waiting to retry (the backoff starts again from a
 * second), offline, or between passes, a full pass starts at once; in the
 * middle of an Inbox sync, one follows it; during a pass, nothing more
 * happens. Safe in every state, and does nothing when the watch is not
 * running or is ending. Call it in the watch's main context.
 */
void
buzon_account_watch_sync_now (BuzonAccountWatch *self)
{
  Run *run;

  g_return_if_fail (BUZON_IS_ACCOUNT_WATCH (self));

  run = self->run;
  if (run == NULL || run->finished || g_cancellable_is_cancelled (run->cancellable)
      || run->passing)
    return;
  run->backoff = 1;
  if (run->timer_id != 0 || run->offline)
    {
      /* Waiting: nothing else is under way. */
      g_autoptr (GTask) held G_GNUC_UNUSED = leave_offline (run);

      g_clear_handle_id (&run->timer_id, g_source_remove);
      _buzon_watch_run_full_pass (run);
      return;
    }
  run->poll_due = TRUE;
  if (run->idling)
    buzon_imap_session_idle_stop (run->session);
}

/**
 * buzon_account_watch_set_pool:
 * @pool: (nullable): the account's connections, shared with the user's
 *   actions; %NULL for a pool of the run's own (closed when it ends)
 *
 * Where the watch's connections come from, from the next run on: its IDLE
 * connection is held (%BUZON_CONNECTION_PRIORITY_HELD) and given back
 * whenever the pool has a request waiting, its passes are background
 * work, and it never has more than one of the pool's sessions at a time.
 */
void
buzon_account_watch_set_pool (BuzonAccountWatch   *self,
                              BuzonConnectionPool *pool)
{
  g_return_if_fail (BUZON_IS_ACCOUNT_WATCH (self));
  g_return_if_fail (pool == NULL || BUZON_IS_CONNECTION_POOL (pool));

  g_set_object (&self->pool, pool);
}

/*
 * _buzon_account_watch_set_network_monitor:
 * @monitor: (nullable): what says whether there is a network, from the
 *   next run on; %NULL for the default
 * @loopback_needs_network: whether a server on this machine is out of
 *   reach too when @monitor says offline (tests on the fixture servers)
 */
void
_buzon_account_watch_set_network_monitor (BuzonAccountWatch *self,
                                          GNetworkMonitor   *monitor,
                                          gboolean           loopback_needs_network)
{
  g_return_if_fail (BUZON_IS_ACCOUNT_WATCH (self));
  g_return_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor));

  g_set_object (&self->monitor, monitor);
  self->loopback_needs_network = loopback_needs_network;
}

BuzonAccountWatchState
buzon_account_watch_get_state (BuzonAccountWatch *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT_WATCH (self), BUZON_ACCOUNT_WATCH_STOPPED);
  return self->state;
}

/* Returns: (nullable) (transfer none): see "error". */
const GError *
buzon_account_watch_get_error (BuzonAccountWatch *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT_WATCH (self), NULL);
  return self->error;
}

gint64
buzon_account_watch_get_last_synced (BuzonAccountWatch *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT_WATCH (self), 0);
  return self->last_synced;
}

gint64
buzon_account_watch_get_retry_at (BuzonAccountWatch *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT_WATCH (self), 0);
  return self->retry_at;
}

/**
 * buzon_account_watch_error_wants_password:
 * @error: (nullable): an "error" or "problem" of a watch
 *
 * Returns: whether the server refused the password, or none is stored:
 *   what a UI answers by asking for one.
 */
gboolean
buzon_account_watch_error_wants_password (const GError *error)
{
  return g_error_matches (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED)
         || g_error_matches (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_NO_SECRET);
}
