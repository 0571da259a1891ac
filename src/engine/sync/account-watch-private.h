// The inside of BuzonAccountWatch, shared by account-watch.c (the object
// and the run), account-watch-session.c (the IDLE connection) and
// account-watch-pass.c (the full passes); and hooks for tests, so that
// OFFLINE can be exercised: a network monitor, loopback treated as remote.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "account-watch.h"
#include "imap/imap-session.h"
#include "store/store-folder.h"

G_BEGIN_DECLS

typedef struct _Run Run;

struct _BuzonAccountWatch
{
  GObject parent_instance;

  BuzonAccount *account;
  BuzonStore *store;
  BuzonCredentials *credentials;
  BuzonConnectionPool *pool;  /* Given, or NULL: each run makes its own. */
  GNetworkMonitor *monitor;   /* Given for tests, or NULL: the default. */
  gboolean loopback_needs_network;
  guint poll_interval;
  Run *run; /* The run under way, or NULL; its task owns it. */
  BuzonAccountWatchState state;
  GError *error;
  gint64 last_synced;
  gint64 retry_at;
};

enum
{
  PROP_0,
  PROP_POLL_INTERVAL,
  PROP_STATE,
  PROP_ERROR,
  PROP_LAST_SYNCED,
  PROP_RETRY_AT,
  N_PROPS
};

extern GParamSpec *_buzon_account_watch_properties[N_PROPS];

enum
{
  SIGNAL_SYNCED,
  SIGNAL_PROBLEM,
  N_SIGNALS
};

extern guint _buzon_account_watch_signals[N_SIGNALS];

struct _Run
{
  BuzonAccountWatch *self;   /* Not owned: the task holds it. */
  GTask *task;               /* Not owned: it owns the run. */
  GCancellable *cancellable; /* Not owned: the task holds it. */
  BuzonConnectionPool *pool; /* Where sessions come from. */
  gboolean own_pool;         /* Made for the run: closed at its end. */
  gulong reclaim_id;
  BuzonImapSession *session; /* The IDLE connection (lent as held), or NULL. */
  BuzonStoreFolder *inbox;   /* As the store listed it at the last Inbox sync. */
  guint backoff;             /* Seconds to wait after the next failure. */
  guint timer_id;            /* Backoff or Inbox poll; holds a reference to the task. */
  guint poll_id;             /* The full pass's interval; holds a reference to the task. */
  gboolean poll_due;
  gboolean busy;       /* A pass, a connection or an Inbox sync is on its way. */
  gboolean passing;    /* That is a full pass. */
  gboolean idling;     /* IDLE is on its way. */
  gboolean offline;    /* Waiting for the network to come back. */
  GTask *offline_hold; /* Meanwhile a reference to the task, as a timer would hold. */
  gboolean give_back;  /* The pool wants the session: at the next step it goes. */
  gboolean in_contact; /* Logged in since the last failure. */
  gboolean finished;   /* The task has returned: nothing starts any more. */
  gulong cancelled_id;
  GNetworkMonitor *monitor;
  gulong network_id;
};

/* The properties (account-watch.c), notified when they change. */
void     _buzon_account_watch_set_state   (BuzonAccountWatch     *self,
                                           BuzonAccountWatchState state,
                                           gint64                 retry_at);
void     _buzon_account_watch_set_error   (BuzonAccountWatch     *self,
                                           const GError          *error);
gint64   _buzon_account_watch_now         (void);

/* The run (account-watch.c). */
gpointer _buzon_watch_run_hold            (Run                   *run);
guint    _buzon_watch_run_add_timer       (Run                   *run,
                                           guint                  seconds,
                                           GSourceFunc            func);
gboolean _buzon_watch_run_stopped         (Run                   *run);
gboolean _buzon_watch_run_quiet           (Run                   *run);
gboolean _buzon_watch_run_network_missing (Run                   *run);
gboolean _buzon_watch_run_went_offline    (Run                   *run);
void     _buzon_watch_run_report          (Run                   *run,
                                           const GError          *error);
gboolean _buzon_watch_run_retry_cb        (gpointer               user_data);
void     _buzon_watch_run_fail            (Run                   *run,
                                           const GError          *error);

/* The IDLE connection (account-watch-session.c). */
void     _buzon_watch_run_put_back        (Run                   *run,
                                           gboolean               broken);
void     _buzon_watch_run_drop_session    (Run                   *run);
void     _buzon_watch_run_sync_inbox      (Run                   *run);
void     _buzon_watch_run_connect_idle    (Run                   *run);
void     _buzon_watch_run_reclaim_cb      (BuzonConnectionPool   *pool,
                                           BuzonImapSession      *session,
                                           gpointer               user_data);

/* Full passes (account-watch-pass.c). */
gboolean _buzon_watch_run_poll_cb         (gpointer               user_data);
void     _buzon_watch_run_full_pass       (Run                   *run);

/* For tests. */
void _buzon_account_watch_set_network_monitor (BuzonAccountWatch *self,
                                               GNetworkMonitor   *monitor,
                                               gboolean           loopback_needs_network);

G_END_DECLS
