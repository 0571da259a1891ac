// BuzonAccountWatch: keeps an account's cache up to date for as long as it
// runs.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// One full pass first (BuzonAccountSync, on a connection of its own). Then
// a second connection waits on the Inbox with IDLE: news (new mail, flags,
// expunges) ends IDLE, the Inbox is brought up to date on that connection,
// and IDLE starts again. Every "poll-interval" seconds a full pass looks at
// the other folders. A server without IDLE (Yahoo), or one that refuses it,
// has its Inbox polled every minute instead. When a connection fails, the
// watch waits 1 s, 2 s, 4 s… up to five minutes, and connects again; a
// pass that succeeds resets the wait, and so does the network coming back
// (GNetworkMonitor). After the Inbox is brought up to date on the IDLE
// connection, the bodies of its mail of the account's last PrefetchDays
// days are downloaded there too (BuzonBodyPrefetch), so that new mail reads
// offline without waiting for the next full pass, which does the same for
// every folder.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "account-connect.h"
#include "account-sync.h"
#include "account-watch.h"
#include "body-prefetch.h"
#include "folder-sync.h"
#include "store/store-folder.h"

#define MAX_BACKOFF_SECONDS 300
#define INBOX_POLL_SECONDS  60

struct _BuzonAccountWatch
{
  GObject parent_instance;

  BuzonAccount *account;
  BuzonStore *store;
  BuzonCredentials *credentials;
  guint poll_interval;
  gboolean running;
};

G_DEFINE_FINAL_TYPE (BuzonAccountWatch, buzon_account_watch, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_POLL_INTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_SYNCED,
  SIGNAL_PROBLEM,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  BuzonAccountWatch *self; /* Not owned: the task holds it. */
  GTask *task;             /* Not owned: it owns the run. */
  GCancellable *cancellable;
  BuzonImapSession *session; /* The IDLE connection, or NULL. */
  BuzonStoreFolder *inbox;   /* As the store listed it at the last Inbox sync. */
  guint backoff;           /* Seconds to wait after the next failure. */
  guint timer_id;          /* Backoff or Inbox poll. */
  guint poll_id;           /* The full pass's interval. */
  gboolean poll_due;
  gboolean busy;           /* A pass, a connection or an Inbox sync is on its way. */
  gboolean idling;
  gulong cancelled_id;
  guint cancel_idle_id;
  GNetworkMonitor *monitor;
  gulong network_id;
} Run;

static void
drop_session (Run *run)
{
  if (run->session == NULL)
    return;
  g_signal_handlers_disconnect_by_data (run->session, run);
  g_clear_object (&run->session);
}

static void
run_free (Run *run)
{
  g_clear_handle_id (&run->timer_id, g_source_remove);
  g_clear_handle_id (&run->poll_id, g_source_remove);
  g_clear_handle_id (&run->cancel_idle_id, g_source_remove);
  g_cancellable_disconnect (run->cancellable, run->cancelled_id);
  g_clear_signal_handler (&run->network_id, run->monitor);
  drop_session (run);
  g_clear_pointer (&run->inbox, buzon_store_folder_free);
  g_free (run);
}

static void full_pass (Run *run);
static void connect_idle (Run *run);
static void sync_inbox (Run *run);

static gboolean
stopped (Run *run)
{
  if (!g_cancellable_is_cancelled (run->cancellable))
    return FALSE;
  /* Ended by the caller: that is how a watch ends, not a failure. */
  if (!g_task_get_completed (run->task))
    {
      run->self->running = FALSE;
      g_task_return_boolean (run->task, TRUE);
      g_object_unref (run->task);
    }
  return TRUE;
}

static void
report (Run          *run,
        const GError *error)
{
  g_signal_emit (run->self, signals[SIGNAL_PROBLEM], 0, error);
}

/* After a failure: wait, longer each time, then @then. */
static gboolean
retry_cb (gpointer user_data)
{
  Run *run = user_data;

  run->timer_id = 0;
  if (stopped (run))
    return G_SOURCE_REMOVE;
  if (run->session == NULL)
    connect_idle (run);
  else
    sync_inbox (run);
  return G_SOURCE_REMOVE;
}

static void
back_off (Run *run)
{
  g_clear_handle_id (&run->timer_id, g_source_remove);
  run->timer_id = g_timeout_add_seconds (run->backoff, retry_cb, run);
  run->backoff = MIN (run->backoff * 2, MAX_BACKOFF_SECONDS);
}

/* IDLE on the Inbox. */

static void idle (Run *run);

static void
idled_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr (GError) error = NULL;

  run->idling = FALSE;
  if (!buzon_imap_session_idle_finish (BUZON_IMAP_SESSION (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      report (run, error);
      /* Refused IDLE is remembered by the session's quirks: the Inbox is
       * polled from now on. A lost connection is reconnected. */
      if (buzon_imap_session_get_state (run->session) == BUZON_IMAP_SESSION_LOGOUT)
        drop_session (run);
      back_off (run);
      return;
    }
  if (stopped (run))
    return;
  if (run->poll_due)
    {
      full_pass (run);
      return;
    }
  sync_inbox (run);
}

static void
idle (Run *run)
{
  BuzonImapQuirks *quirks = buzon_imap_session_get_quirks (run->session);

  if (run->poll_due)
    {
      full_pass (run);
      return;
    }
  if (!buzon_imap_quirks_get_can_idle (quirks))
    {
      g_clear_handle_id (&run->timer_id, g_source_remove);
      run->timer_id = g_timeout_add_seconds (INBOX_POLL_SECONDS, retry_cb, run);
      return;
    }
  run->idling = TRUE;
  buzon_imap_session_idle_async (run->session, run->cancellable, idled_cb, run);
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
  Run *run = user_data;
  g_autoptr (GError) error = NULL;

  run->busy = FALSE;
  if (!buzon_body_prefetch_run_finish (BUZON_BODY_PREFETCH (source), result, NULL, &error))
    {
      if (stopped (run))
        return;
      report (run, error);
      if (buzon_imap_session_get_state (run->session) == BUZON_IMAP_SESSION_LOGOUT)
        {
          drop_session (run);
          back_off (run);
          return;
        }
      /* The headers are in; the next pass tries the bodies again. */
    }
  if (stopped (run))
    return;
  idle (run);
}

static void
inbox_synced_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr (GError) error = NULL;
  BuzonFolderSyncResult summary = { 0 };
  guint days;

  run->busy = FALSE;
  if (!buzon_folder_sync_run_finish (BUZON_FOLDER_SYNC (source), result, &summary, &error))
    {
      if (stopped (run))
        return;
      report (run, error);
      if (buzon_imap_session_get_state (run->session) == BUZON_IMAP_SESSION_LOGOUT)
        drop_session (run);
      back_off (run);
      return;
    }
  if (stopped (run))
    return;
  run->backoff = 1;
  g_signal_emit (run->self, signals[SIGNAL_SYNCED], 0, "INBOX");
  days = buzon_account_get_prefetch_days (run->self->account);
  if (days > 0 && run->inbox != NULL)
    {
      g_autoptr (BuzonBodyPrefetch) prefetch = NULL;

      prefetch = buzon_body_prefetch_new (run->session, run->self->store, run->inbox);
      g_object_set (prefetch, "since",
                    MAX (0, g_get_real_time () / G_USEC_PER_SEC - (gint64) days * 24 * 3600),
                    NULL);
      run->busy = TRUE;
      buzon_body_prefetch_run_async (prefetch, run->cancellable, inbox_bodies_cb, run);
      return;
    }
  idle (run);
}

static void
folders_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  const BuzonStoreFolder *inbox = NULL;
  g_autoptr (BuzonFolderSync) sync = NULL;

  folders = buzon_store_list_folders_finish (BUZON_STORE (source), result, &error);
  for (guint i = 0; folders != NULL && i < folders->len && inbox == NULL; i++)
    if (g_str_equal (((BuzonStoreFolder *) folders->pdata[i])->raw_name, "INBOX"))
      inbox = folders->pdata[i];
  if (inbox == NULL)
    {
      /* The first pass has not saved the folders yet: it will. */
      run->busy = FALSE;
      if (error != NULL)
        report (run, error);
      back_off (run);
      return;
    }
  g_clear_pointer (&run->inbox, buzon_store_folder_free);
  run->inbox = buzon_store_folder_copy (inbox);
  sync = buzon_folder_sync_new (run->session, run->self->store, inbox);
  buzon_folder_sync_run_async (sync, run->cancellable, inbox_synced_cb, run);
}

static void
sync_inbox (Run *run)
{
  run->busy = TRUE;
  buzon_store_list_folders_async (run->self->store, NULL, folders_cb, run);
}

/* The IDLE connection. */

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr (GError) error = NULL;

  run->busy = FALSE;
  run->session = buzon_account_connect_finish (result, &error);
  if (run->session == NULL)
    {
      if (stopped (run))
        return;
      report (run, error);
      back_off (run);
      return;
    }
  if (stopped (run))
    return;
  g_signal_connect (run->session, "exists-changed", G_CALLBACK (news_cb), run);
  g_signal_connect (run->session, "expunged", G_CALLBACK (news_cb), run);
  g_signal_connect (run->session, "vanished", G_CALLBACK (news_cb), run);
  g_signal_connect (run->session, "flags-changed", G_CALLBACK (news_cb), run);
  g_signal_connect (run->session, "closed", G_CALLBACK (session_closed_cb), run);
  sync_inbox (run);
}

static void
connect_idle (Run *run)
{
  run->busy = TRUE;
  buzon_account_connect_async (run->self->account, run->self->credentials, run->cancellable,
                               connected_cb, run);
}

/* Full passes. */

static gboolean
poll_cb (gpointer user_data)
{
  Run *run = user_data;

  run->poll_due = TRUE;
  if (run->session != NULL && !run->busy)
    buzon_imap_session_idle_stop (run->session);
  return G_SOURCE_CONTINUE;
}

static void
passed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr (GError) error = NULL;

  run->busy = FALSE;
  if (!buzon_account_sync_run_finish (BUZON_ACCOUNT_SYNC (source), result, NULL, &error))
    {
      if (stopped (run))
        return;
      report (run, error);
    }
  else
    {
      run->backoff = 1;
      g_signal_emit (run->self, signals[SIGNAL_SYNCED], 0, NULL);
    }
  if (stopped (run))
    return;
  if (run->session == NULL)
    connect_idle (run);
  else
    idle (run);
}

static void
full_pass (Run *run)
{
  g_autoptr (BuzonAccountSync) sync = buzon_account_sync_new (run->self->account,
                                                              run->self->store,
                                                              run->self->credentials);

  run->poll_due = FALSE;
  run->busy = TRUE;
  buzon_account_sync_run_async (sync, NULL, run->cancellable, passed_cb, run);
}

/* The network is back: no need to wait out the backoff. */
static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  Run *run = user_data;

  if (!available || run->timer_id == 0 || run->busy || run->session != NULL)
    return;
  g_clear_handle_id (&run->timer_id, g_source_remove);
  run->backoff = 1;
  connect_idle (run);
}

/* Cancelling: IDLE and the operations under way see the cancellable
 * themselves; a watch waiting on a timer is told here. */
static gboolean
cancel_idle_cb (gpointer user_data)
{
  Run *run = user_data;

  run->cancel_idle_id = 0;
  if (!run->busy && !run->idling)
    {
      g_clear_handle_id (&run->timer_id, g_source_remove);
      stopped (run);
    }
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              Run          *run)
{
  /* Any thread may cancel: the rest happens in the watch's context. */
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, cancel_idle_cb, run, NULL);
  run->cancel_idle_id = g_source_attach (source, g_task_get_context (run->task));
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
      self->poll_interval = g_value_get_uint (value);
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

  /* Seconds between full passes over every folder; the Inbox is watched
   * with IDLE meanwhile. Takes effect at the next run. */
  properties[PROP_POLL_INTERVAL] =
    g_param_spec_uint ("poll-interval", NULL, NULL, 1, 24 * 3600, 300,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BuzonAccountWatch::synced:
   * @folder: (nullable): "INBOX" after the Inbox was brought up to date
   *   on news; %NULL after a full pass
   */
  signals[SIGNAL_SYNCED] =
    g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * BuzonAccountWatch::problem:
   * @error: what went wrong; the watch goes on and tries again
   */
  signals[SIGNAL_PROBLEM] =
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
 * @cancellable: (nullable): the only way a watch ends: cancelled, it stops
 *   (IDLE ends with DONE, a pass under way stops) and succeeds
 *
 * Keeps the cache up to date until cancelled: a full pass now and every
 * "poll-interval" seconds, the Inbox on every change IDLE reports.
 * Failures are reported with "problem" and retried with backoff; they never
 * end the watch.
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
  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s",
                               _("This account is being watched already"));
      return;
    }
  self->running = TRUE;
  run = g_new0 (Run, 1);
  run->self = self;
  run->task = g_object_ref (task); /* Released when the watch returns. */
  run->cancellable = cancellable;
  run->backoff = 1;
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  run->poll_id = g_timeout_add_seconds (self->poll_interval, poll_cb, run);
  run->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), run, NULL);
  run->monitor = g_network_monitor_get_default ();
  run->network_id = g_signal_connect (run->monitor, "network-changed",
                                      G_CALLBACK (network_changed_cb), run);
  full_pass (run);
}

gboolean
buzon_account_watch_run_finish (BuzonAccountWatch *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
