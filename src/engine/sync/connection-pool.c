// BuzonConnectionPool: an account's IMAP connections, capped, shared, one
// kept for the user.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Servers limit how many connections an account may have (Gmail 15 for
// all of a user's devices, Office 365 throttles at about 20, Yahoo fewer),
// and a login costs a few round trips: an account's sync, IDLE, prefetch
// and the user's own actions share at most "max-connections" sessions,
// fewer when the server's quirks say so, and a session given back is
// handed to the next who asks rather than logged out.
//
// Background work (sync passes, IDLE, prefetch) never holds the last
// connection: a user who opens a message or searches waits, at worst, for
// another of the user's own requests, never behind a first sync of 100,000
// messages. Requests wait in two queues, the user's served first; within
// each, in order of arrival.
//
// A session handed out belongs to the caller until it gives it back with
// buzon_connection_pool_release(), in any state but IDLE: a session that
// closed meanwhile is dropped, and its place goes to the next request. A
// session unused for "idle-timeout" seconds is logged out. One that failed
// without closing (a timeout, bytes that are not IMAP) is given back with
// buzon_connection_pool_discard(), never to be handed out again.
//
// A session kept for long (the watch's IDLE on the Inbox) is asked for as
// BUZON_CONNECTION_PRIORITY_HELD: background work like any other, counted
// in the background's share and in the cap, but lent on the understanding
// that it comes back when wanted. When a request has to wait (the user's,
// or the background's), the pool emits "reclaim" once for each held
// session; its holder ends what it is doing (IDLE ends with DONE) and gives
// the session back, which goes to the request that waited, and asks again
// as HELD, in turn behind it. So with a cap of one the user still opens a
// message while the Inbox is watched, and with two the watch and a sync
// pass never take the user's place.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "account-connect.h"
#include "connection-pool.h"
#include "imap/imap-quirks.h"

#define DEFAULT_MAX_CONNECTIONS 4
#define DEFAULT_IDLE_TIMEOUT    120

/* In the lent table, with the priority: its holder was asked to give it
 * back. */
#define RECLAIM_ASKED 0x100
#define PRIORITY_OF(value) (GPOINTER_TO_INT (value) & 0xff)

typedef struct
{
  BuzonConnectionPool *pool; /* Not owned. */
  GTask *task;               /* Owned until returned. */
  BuzonConnectionPriority priority;
  GCancellable *cancellable;
  gulong cancelled_id;
  guint cancel_source;
} Request;

typedef struct
{
  BuzonConnectionPool *pool; /* Not owned. */
  BuzonImapSession *session;
  guint timeout_id;
} IdleSession;

struct _BuzonConnectionPool
{
  GObject parent_instance;

  BuzonAccount *account;
  BuzonCredentials *credentials;
  guint max_connections;
  guint idle_timeout;
  guint server_cap; /* The quirks' limit, once a session said who the server is; 0 before. */

  GQueue waiting[2]; /* Request: the user's, then the background's (held ones too). */
  GQueue idle;       /* IdleSession, the most recently given back first. */
  GHashTable *lent;  /* BuzonImapSession -> its request's priority, | RECLAIM_ASKED. */
  guint connecting[3]; /* By priority. */
  guint n_connections;
  gboolean closed;
};

G_DEFINE_FINAL_TYPE (BuzonConnectionPool, buzon_connection_pool, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_MAX_CONNECTIONS,
  PROP_IDLE_TIMEOUT,
  PROP_N_CONNECTIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_RECLAIM,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void dispatch (BuzonConnectionPool *self);

/* Which queue a request waits in: held ones are background work. */
static guint
queue_of (BuzonConnectionPriority priority)
{
  return priority == BUZON_CONNECTION_PRIORITY_USER ? 0 : 1;
}

static guint
limit (BuzonConnectionPool *self)
{
  guint cap = self->max_connections;

  if (self->server_cap > 0)
    cap = MIN (cap, self->server_cap);
  return MAX (cap, 1);
}

/* With a single connection allowed, the background has to use it too. */
static guint
background_limit (BuzonConnectionPool *self)
{
  guint cap = limit (self);

  return cap > 1 ? cap - 1 : 1;
}

static guint
background_busy (BuzonConnectionPool *self)
{
  GHashTableIter iter;
  gpointer value;
  guint busy = self->connecting[BUZON_CONNECTION_PRIORITY_BACKGROUND]
               + self->connecting[BUZON_CONNECTION_PRIORITY_HELD];

  g_hash_table_iter_init (&iter, self->lent);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (PRIORITY_OF (value) != BUZON_CONNECTION_PRIORITY_USER)
      busy++;
  return busy;
}

static void
update_count (BuzonConnectionPool *self)
{
  guint count = g_hash_table_size (self->lent) + self->idle.length
                + self->connecting[BUZON_CONNECTION_PRIORITY_USER]
                + self->connecting[BUZON_CONNECTION_PRIORITY_BACKGROUND]
                + self->connecting[BUZON_CONNECTION_PRIORITY_HELD];

  if (count == self->n_connections)
    return;
  self->n_connections = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CONNECTIONS]);
}

static void
log_out (BuzonImapSession *session)
{
  /* The logout's task holds the session until LOGOUT is written (or, behind
   * other commands, answered). */
  if (buzon_imap_session_get_state (session) != BUZON_IMAP_SESSION_LOGOUT)
    buzon_imap_session_logout_async (session, NULL, NULL, NULL);
  g_object_unref (session);
}

/* Requests. */

static void
request_free (Request *request)
{
  if (request->cancellable != NULL)
    g_cancellable_disconnect (request->cancellable, request->cancelled_id);
  g_clear_handle_id (&request->cancel_source, g_source_remove);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->task);
  g_free (request);
}

/* Gives @session to @request, which is done with. */
static void
lend (BuzonConnectionPool *self,
      Request             *request,
      BuzonImapSession    *session)
{
  g_hash_table_insert (self->lent, g_object_ref (session), GINT_TO_POINTER (request->priority));
  g_task_return_pointer (request->task, g_object_ref (session), g_object_unref);
  request_free (request);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *request = user_data;
  BuzonConnectionPool *self = request->pool;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapSession) session = NULL;

  session = buzon_account_connect_finish (result, &error);
  self->connecting[request->priority]--;
  if (session != NULL && self->server_cap == 0)
    self->server_cap = buzon_imap_quirks_get_max_connections (
      buzon_imap_session_get_quirks (session));
  if (request->task == NULL)
    {
      /* Its requester gave up meanwhile: the session is the next one's. */
      if (session != NULL)
        {
          g_hash_table_insert (self->lent, g_object_ref (session),
                               GINT_TO_POINTER (request->priority));
          buzon_connection_pool_release (self, session);
        }
    }
  else if (session == NULL)
    g_task_return_error (request->task, g_steal_pointer (&error));
  else if (self->closed)
    {
      g_task_return_new_error (request->task, G_IO_ERROR, G_IO_ERROR_CLOSED, "%s",
                               _("The account's connections were closed"));
      log_out (g_steal_pointer (&session));
    }
  else
    {
      lend (self, g_steal_pointer (&request), session);
      update_count (self);
      dispatch (self);
      g_object_unref (self);
      return;
    }
  request_free (request);
  update_count (self);
  dispatch (self);
  g_object_unref (self);
}

/* Serves @request now if it may be: a session given back, else a new one.
 * Returns FALSE when it has to wait. */
static gboolean
serve (BuzonConnectionPool *self,
       Request             *request)
{
  gboolean background = request->priority != BUZON_CONNECTION_PRIORITY_USER;

  if (background && background_busy (self) >= background_limit (self))
    return FALSE;
  while (self->idle.length > 0)
    {
      IdleSession *idle = g_queue_pop_head (&self->idle);
      g_autoptr (BuzonImapSession) session = idle->session;

      g_clear_handle_id (&idle->timeout_id, g_source_remove);
      g_free (idle);
      if (buzon_imap_session_get_state (session) == BUZON_IMAP_SESSION_LOGOUT)
        continue; /* Closed while it waited: its place is free. */
      lend (self, request, session);
      update_count (self);
      return TRUE;
    }
  update_count (self);
  if (self->n_connections >= limit (self))
    return FALSE;
  self->connecting[request->priority]++;
  update_count (self);
  /* The connection is the pool's whatever the request's fate: no cancellable. */
  buzon_account_connect_async (self->account, self->credentials, NULL, connected_cb,
                               request);
  g_object_ref (self);
  return TRUE;
}

/* A request waits: the holders of held sessions are asked for them back,
 * each once. A held request waiting does not ask (that is a holder asking
 * again, behind what it gave way to). */
static void
reclaim (BuzonConnectionPool *self)
{
  Request *background = g_queue_peek_head (&self->waiting[1]);
  g_autoptr (GPtrArray) asked = NULL;
  g_autoptr (BuzonConnectionPool) hold = NULL;
  GHashTableIter iter;
  gpointer session;
  gpointer value;

  if (self->waiting[0].length == 0
      && (background == NULL || background->priority == BUZON_CONNECTION_PRIORITY_HELD))
    return;
  asked = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->lent);
  while (g_hash_table_iter_next (&iter, &session, &value))
    if (PRIORITY_OF (value) == BUZON_CONNECTION_PRIORITY_HELD
        && (GPOINTER_TO_INT (value) & RECLAIM_ASKED) == 0)
      {
        g_hash_table_iter_replace (&iter, GINT_TO_POINTER (GPOINTER_TO_INT (value)
                                                           | RECLAIM_ASKED));
        g_ptr_array_add (asked, g_object_ref (session));
      }
  /* Emitted after the walk: a handler may give its session back at once. */
  hold = g_object_ref (self);
  for (guint i = 0; i < asked->len; i++)
    g_signal_emit (self, signals[SIGNAL_RECLAIM], 0, asked->pdata[i]);
}

/* Serves what waits, the user's first, as far as the limits allow. */
static void
dispatch (BuzonConnectionPool *self)
{
  for (guint queue = 0; queue < G_N_ELEMENTS (self->waiting); queue++)
    while (self->waiting[queue].length > 0)
      {
        /* Out of the queue before it is served: a requester's callback may
         * run at once, and ask or give back in turn (this runs again). */
        Request *request = g_queue_pop_head (&self->waiting[queue]);

        if (!serve (self, request))
          {
            /* Nothing was done with it: back at the head. */
            g_queue_push_head (&self->waiting[queue], request);
            break;
          }
      }
  if (!self->closed)
    reclaim (self);
}

static gboolean
cancel_cb (gpointer user_data)
{
  Request *request = user_data;
  BuzonConnectionPool *self = request->pool;

  request->cancel_source = 0;
  if (g_queue_remove (&self->waiting[queue_of (request->priority)], request))
    {
      g_task_return_error_if_cancelled (request->task);
      request_free (request);
      return G_SOURCE_REMOVE;
    }
  /* Connecting: the requester hears now; the session, when it comes, waits
   * in the pool. */
  if (request->task != NULL)
    {
      g_task_return_error_if_cancelled (request->task);
      g_clear_object (&request->task);
    }
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              Request      *request)
{
  /* From any thread: the rest happens in the pool's context. */
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, cancel_cb, request, NULL);
  request->cancel_source = g_source_attach (source, g_task_get_context (request->task));
  g_source_unref (source);
}

/* Sessions given back. */

static gboolean
idle_timeout_cb (gpointer user_data)
{
  IdleSession *idle = user_data;
  BuzonConnectionPool *self = idle->pool;

  idle->timeout_id = 0;
  g_queue_remove (&self->idle, idle);
  log_out (idle->session);
  g_free (idle);
  update_count (self);
  dispatch (self);
  return G_SOURCE_REMOVE;
}

/**
 * buzon_connection_pool_release:
 * @session: (transfer none): a session the pool handed out, not in IDLE
 *
 * Gives @session back, for the next request (or, unused for a while, to be
 * logged out). A session that closed is dropped and its place freed.
 */
void
buzon_connection_pool_release (BuzonConnectionPool *self,
                               BuzonImapSession    *session)
{
  g_autoptr (BuzonImapSession) held = NULL;
  IdleSession *idle;

  g_return_if_fail (BUZON_IS_CONNECTION_POOL (self));
  g_return_if_fail (BUZON_IS_IMAP_SESSION (session));

  if (!g_hash_table_steal_extended (self->lent, session, (gpointer *) &held, NULL))
    {
      g_critical ("%s: a session the pool did not lend", G_STRFUNC);
      return;
    }
  if (self->closed || buzon_imap_session_get_state (session) == BUZON_IMAP_SESSION_LOGOUT)
    log_out (g_steal_pointer (&held));
  else
    {
      idle = g_new0 (IdleSession, 1);
      idle->pool = self;
      idle->session = g_steal_pointer (&held);
      idle->timeout_id = g_timeout_add_seconds (self->idle_timeout, idle_timeout_cb, idle);
      g_queue_push_head (&self->idle, idle);
    }
  update_count (self);
  dispatch (self);
}

/**
 * buzon_connection_pool_discard:
 * @session: (transfer none): a session the pool handed out
 *
 * Gives back a session that failed and is not to be handed out again: it
 * is logged out (if it is not closed already) and its place freed.
 */
void
buzon_connection_pool_discard (BuzonConnectionPool *self,
                               BuzonImapSession    *session)
{
  g_autoptr (BuzonImapSession) held = NULL;

  g_return_if_fail (BUZON_IS_CONNECTION_POOL (self));
  g_return_if_fail (BUZON_IS_IMAP_SESSION (session));

  if (!g_hash_table_steal_extended (self->lent, session, (gpointer *) &held, NULL))
    {
      g_critical ("%s: a session the pool did not lend", G_STRFUNC);
      return;
    }
  log_out (g_steal_pointer (&held));
  update_count (self);
  dispatch (self);
}

/**
 * buzon_connection_pool_acquire_async:
 * @priority: %BUZON_CONNECTION_PRIORITY_USER for what someone waits for;
 *   %BUZON_CONNECTION_PRIORITY_HELD for a session kept until "reclaim"
 * @cancellable: (nullable): gives up waiting; a connection being opened
 *   for the request still opens, for the next one
 *
 * A logged-in session, in the authenticated or selected state, now if one
 * is free, else as soon as one is (the user's requests first). Give it back
 * with buzon_connection_pool_release().
 */
void
buzon_connection_pool_acquire_async (BuzonConnectionPool     *self,
                                     BuzonConnectionPriority  priority,
                                     GCancellable            *cancellable,
                                     GAsyncReadyCallback      callback,
                                     gpointer                 user_data)
{
  g_autoptr (GTask) task = NULL;
  Request *request;

  g_return_if_fail (BUZON_IS_CONNECTION_POOL (self));
  g_return_if_fail (priority == BUZON_CONNECTION_PRIORITY_USER
                    || priority == BUZON_CONNECTION_PRIORITY_BACKGROUND
                    || priority == BUZON_CONNECTION_PRIORITY_HELD);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_connection_pool_acquire_async);
  g_task_set_check_cancellable (task, FALSE);
  if (self->closed)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "%s",
                               _("The account's connections were closed"));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  request = g_new0 (Request, 1);
  request->pool = self;
  request->task = g_steal_pointer (&task);
  request->priority = priority;
  /* Waiting in turn behind others of the same queue. */
  g_queue_push_tail (&self->waiting[queue_of (priority)], request);
  if (cancellable != NULL)
    {
      request->cancellable = g_object_ref (cancellable);
      request->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                     request, NULL);
    }
  dispatch (self);
}

/**
 * buzon_connection_pool_acquire_finish:
 *
 * Returns: (transfer full): the session, to be given back
 */
BuzonImapSession *
buzon_connection_pool_acquire_finish (BuzonConnectionPool *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * buzon_connection_pool_close:
 *
 * Logs out the sessions that wait, fails the requests that wait, and
 * drops the others as they are given back. Final.
 */
void
buzon_connection_pool_close (BuzonConnectionPool *self)
{
  g_return_if_fail (BUZON_IS_CONNECTION_POOL (self));

  self->closed = TRUE;
  for (guint queue = 0; queue < G_N_ELEMENTS (self->waiting); queue++)
    {
      Request *request;

      while ((request = g_queue_pop_head (&self->waiting[queue])) != NULL)
        {
          g_task_return_new_error (request->task, G_IO_ERROR, G_IO_ERROR_CLOSED, "%s",
                                   _("The account's connections were closed"));
          request_free (request);
        }
    }
  while (self->idle.length > 0)
    {
      IdleSession *idle = g_queue_pop_head (&self->idle);

      g_clear_handle_id (&idle->timeout_id, g_source_remove);
      log_out (idle->session);
      g_free (idle);
    }
  update_count (self);
}

/* The object. */

static void
buzon_connection_pool_dispose (GObject *object)
{
  BuzonConnectionPool *self = BUZON_CONNECTION_POOL (object);

  /* Requests and connects in flight hold the pool: none is left here. */
  if (!self->closed)
    buzon_connection_pool_close (self);

  G_OBJECT_CLASS (buzon_connection_pool_parent_class)->dispose (object);
}

static void
buzon_connection_pool_finalize (GObject *object)
{
  BuzonConnectionPool *self = BUZON_CONNECTION_POOL (object);

  g_clear_object (&self->account);
  g_clear_object (&self->credentials);
  g_clear_pointer (&self->lent, g_hash_table_unref);

  G_OBJECT_CLASS (buzon_connection_pool_parent_class)->finalize (object);
}

static void
buzon_connection_pool_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  BuzonConnectionPool *self = BUZON_CONNECTION_POOL (object);

  switch (prop_id)
    {
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;
    case PROP_N_CONNECTIONS:
      g_value_set_uint (value, self->n_connections);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_connection_pool_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  BuzonConnectionPool *self = BUZON_CONNECTION_POOL (object);

  switch (prop_id)
    {
    case PROP_MAX_CONNECTIONS:
      self->max_connections = g_value_get_uint (value);
      dispatch (self);
      break;
    case PROP_IDLE_TIMEOUT:
      self->idle_timeout = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_connection_pool_class_init (BuzonConnectionPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_connection_pool_dispose;
  object_class->finalize = buzon_connection_pool_finalize;
  object_class->get_property = buzon_connection_pool_get_property;
  object_class->set_property = buzon_connection_pool_set_property;

  /* The most sessions open at once; fewer if the server's quirks say so. */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL, 1, 64, DEFAULT_MAX_CONNECTIONS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Seconds a session given back stays open for the next request. */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 1, 3600, DEFAULT_IDLE_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Sessions open or being opened, lent or waiting. */
  properties[PROP_N_CONNECTIONS] =
    g_param_spec_uint ("n-connections", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BuzonConnectionPool::reclaim:
   * @session: a session lent as %BUZON_CONNECTION_PRIORITY_HELD
   *
   * A request waits that @session would serve: its holder should give it
   * back soon, with buzon_connection_pool_release(). Emitted once per
   * lending.
   */
  signals[SIGNAL_RECLAIM] =
    g_signal_new ("reclaim", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, BUZON_TYPE_IMAP_SESSION);
}

static void
buzon_connection_pool_init (BuzonConnectionPool *self)
{
  self->max_connections = DEFAULT_MAX_CONNECTIONS;
  self->idle_timeout = DEFAULT_IDLE_TIMEOUT;
  self->lent = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  g_queue_init (&self->waiting[0]);
  g_queue_init (&self->waiting[1]);
  g_queue_init (&self->idle);
}

BuzonConnectionPool *
buzon_connection_pool_new (BuzonAccount     *account,
                           BuzonCredentials *credentials)
{
  BuzonConnectionPool *self;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (BUZON_IS_CREDENTIALS (credentials), NULL);

  self = g_object_new (BUZON_TYPE_CONNECTION_POOL, NULL);
  self->account = g_object_ref (account);
  self->credentials = g_object_ref (credentials);
  return self;
}

/**
 * buzon_connection_pool_get_max_connections:
 *
 * Returns: the most sessions the pool opens at once: "max-connections",
 *   or the server's own limit once known, if lower
 */
guint
buzon_connection_pool_get_max_connections (BuzonConnectionPool *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION_POOL (self), 0);
  return limit (self);
}

guint
buzon_connection_pool_get_n_connections (BuzonConnectionPool *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION_POOL (self), 0);
  return self->n_connections;
}
