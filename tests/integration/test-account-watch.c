// Tests of BuzonAccountWatch against the fixture Dovecot: its states through
// new mail, the server gone and back, a wrong password, a refresh, a cancel
// at every point, a pool shared with the user, and the network going away.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// "state", "error", "last-synced" and "retry-at" are checked at each step;
// a cancel always ends the watch exactly once; the network's comings and
// goings are a GNetworkMonitor of the test's own.

#include <glib/gstdio.h>

#include "account/credentials-command.h"
#include "engine.h"
#include "imap/imap-error.h"
#include "imap-session-helpers.h"
#include "sync-test-helpers.h"
#include "sync/account-watch-private.h"
#include "sync/connection-pool.h"

typedef struct
{
  Fixture f;
  BuzonAccount *account;
  BuzonCredentials *credentials;
  char *password_file;
} WatchFixture;

/* What a running watch did, as its signals said. */
typedef struct
{
  GArray *states;   /* Of BuzonAccountWatchState, each change. */
  guint passes;     /* "synced" with NULL. */
  guint inbox_syncs; /* "synced" with "INBOX". */
  guint problems;
  GAsyncResult *result;
} Record;

static void
fixture_set_up (WatchFixture *w,
                gconstpointer data)
{
  Fixture *f = &w->f;
  g_autofree char *url_text = NULL;
  g_autofree char *pinned = NULL;
  g_autofree char *command = NULL;
  g_autoptr (BuzonServerUrl) imap = NULL;
  g_autoptr (BuzonServerUrl) smtp = NULL;
  const char *trusted[] = { NULL, NULL };

  sync_fixture_set_up (f, 20, "");
  url_text = g_strdup_printf ("imaps://alice@127.0.0.1:%u",
                              buzon_test_mail_servers_get_port (f->servers, "IMAPS_PORT"));
  imap = buzon_server_url_parse (url_text, NULL);
  smtp = buzon_server_url_parse ("submissions://alice@127.0.0.1:1", NULL);
  pinned = g_strconcat ("sha256:", buzon_test_mail_servers_get (f->servers, "CERT_SHA256"),
                        NULL);
  trusted[0] = pinned;
  w->account = buzon_account_new ("prueba", NULL, "alice@example.test", imap, smtp);
  buzon_account_set_trusted_certificates (w->account, trusted);
  /* The password is read from a file each time, so that a test can make
   * it wrong and right again. */
  w->password_file = g_build_filename (f->dir, "password", NULL);
  g_assert_true (g_file_set_contents (w->password_file, "alice-secret\n", -1, NULL));
  command = g_strdup_printf ("cat '%s'", w->password_file);
  w->credentials = BUZON_CREDENTIALS (buzon_command_credentials_new (command));
}

static void
fixture_tear_down (WatchFixture *w,
                   gconstpointer data)
{
  Fixture *f = &w->f;

  /* The fixture's own session did not outlive a restart of Dovecot. */
  g_clear_object (&f->session);
  f->session = logged_in (f->servers, "alice");
  g_clear_object (&w->account);
  g_clear_object (&w->credentials);
  g_free (w->password_file);
  sync_fixture_tear_down (f);
}

static void
state_notified_cb (BuzonAccountWatch *watch,
                   GParamSpec        *pspec,
                   Record            *record)
{
  BuzonAccountWatchState state = buzon_account_watch_get_state (watch);

  g_array_append_val (record->states, state);
}

static void
synced_cb (BuzonAccountWatch *watch,
           const char        *folder,
           Record            *record)
{
  if (folder == NULL)
    record->passes++;
  else
    record->inbox_syncs++;
}

static void
problem_cb (BuzonAccountWatch *watch,
            const GError      *error,
            Record            *record)
{
  record->problems++;
}

static BuzonAccountWatch *
new_watch (WatchFixture *w,
           Record       *record,
           guint         poll_interval)
{
  BuzonAccountWatch *watch = buzon_account_watch_new (w->account, w->f.store, w->credentials);

  g_object_set (watch, "poll-interval", poll_interval, NULL);
  record->states = g_array_new (FALSE, FALSE, sizeof (BuzonAccountWatchState));
  g_signal_connect (watch, "notify::state", G_CALLBACK (state_notified_cb), record);
  g_signal_connect (watch, "synced", G_CALLBACK (synced_cb), record);
  g_signal_connect (watch, "problem", G_CALLBACK (problem_cb), record);
  return watch;
}

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context until @watch is in @state; FALSE after @seconds. */
static gboolean
wait_for_state (BuzonAccountWatch     *watch,
                BuzonAccountWatchState state,
                guint                  seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, timed_out_cb, &timed_out);

  while (buzon_account_watch_get_state (watch) != state && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return !timed_out;
}

/* The states since @from, as a string: "connecting syncing idle". */
static char *
states_since (Record *record,
              guint   from)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GEnumClass) klass = g_type_class_ref (BUZON_TYPE_ACCOUNT_WATCH_STATE);

  for (guint i = from; i < record->states->len; i++)
    {
      GEnumValue *value = g_enum_get_value (klass, g_array_index (record->states,
                                                                  BuzonAccountWatchState, i));
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", value->value_nick);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Cancels and waits for the run's end: it succeeds, says STOPPED, and
 * leaves nothing behind (the watch is finalized). */
static void
stop_watch (BuzonAccountWatch *watch,
            GCancellable      *cancellable,
            Record            *record,
            guint              seconds)
{
  g_autoptr (GError) error = NULL;
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, timed_out_cb, &timed_out);

  g_cancellable_cancel (cancellable);
  while (record->result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("The watch did not stop within %u s (states: %s)", seconds,
             states_since (record, 0));
  g_source_remove (id);
  g_assert_true (buzon_account_watch_run_finish (watch, record->result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (buzon_account_watch_get_state (watch), ==, BUZON_ACCOUNT_WATCH_STOPPED);
  g_assert_cmpint (buzon_account_watch_get_retry_at (watch), ==, 0);
  /* Stopped, a refresh does nothing. */
  buzon_account_watch_sync_now (watch);
  g_assert_cmpint (buzon_account_watch_get_state (watch), ==, BUZON_ACCOUNT_WATCH_STOPPED);
  g_clear_object (&record->result);
  g_clear_pointer (&record->states, g_array_unref);
  assert_finalized (watch);
}

static gboolean
cache_has (WatchFixture *w,
           const char   *subject)
{
  g_autofree char *cache = cache_state (&w->f, "INBOX");

  return strstr (cache, subject) != NULL;
}

/* A first pass, new mail, the server down and back, cancelled. */
static void
test_states (WatchFixture *w,
             gconstpointer data)
{
  Record record = { 0 };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  BuzonAccountWatch *watch = new_watch (w, &record, 300);
  g_autoptr (BuzonImapConnection) other = NULL;
  g_autofree char *seen = NULL;
  gint64 first_pass;
  guint mark;

  /* Not running: stopped, and a refresh is harmless. */
  g_assert_cmpint (buzon_account_watch_get_state (watch), ==, BUZON_ACCOUNT_WATCH_STOPPED);
  buzon_account_watch_sync_now (watch);
  g_assert_cmpint (buzon_account_watch_get_last_synced (watch), ==, 0);

  buzon_account_watch_run_async (watch, cancellable, store_result_cb, &record.result);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 30));
  seen = states_since (&record, 0);
  g_assert_cmpstr (seen, ==, "connecting syncing idle");
  g_assert_cmpuint (record.passes, ==, 1);
  g_assert_cmpuint (record.inbox_syncs, ==, 1);
  g_assert_null (buzon_account_watch_get_error (watch));
  first_pass = buzon_account_watch_get_last_synced (watch);
  g_assert_cmpint (first_pass, >, 0);
  g_assert_cmpint (first_pass, <=, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpint (buzon_account_watch_get_retry_at (watch), ==, 0);

  /* New mail: the Inbox is synced on the IDLE connection, and the watch
   * waits again. */
  mark = record.states->len;
  other = other_client (w->f.servers, "alice");
  append_to (other, "INBOX", "nuevo");
  g_clear_object (&other);
  while (record.inbox_syncs < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 10));
  g_clear_pointer (&seen, g_free);
  seen = states_since (&record, mark);
  g_assert_cmpstr (seen, ==, "syncing idle");
  g_assert_true (cache_has (w, "nuevo"));
  g_assert_cmpuint (record.problems, ==, 0);

  /* The server goes away: a wait, with the error and when it ends. */
  mark = record.states->len;
  buzon_test_mail_servers_run (w->f.servers, "stop-imap");
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_WAITING, 15));
  g_assert_nonnull (buzon_account_watch_get_error (watch));
  g_assert_false (buzon_account_watch_error_wants_password (buzon_account_watch_get_error (watch)));
  g_assert_cmpint (buzon_account_watch_get_retry_at (watch), >=,
                   g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpuint (record.problems, >=, 1);

  /* It comes back: a full pass, then the Inbox, then IDLE; the error is
   * gone. */
  buzon_test_mail_servers_run (w->f.servers, "start-imap");
  other = other_client (w->f.servers, "alice");
  append_to (other, "INBOX", "de-vuelta");
  g_clear_object (&other);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 30));
  g_clear_pointer (&seen, g_free);
  seen = states_since (&record, mark);
  g_assert_true (g_str_has_prefix (seen, "waiting"));
  g_assert_true (g_str_has_suffix (seen, "connecting syncing idle"));
  g_assert_null (buzon_account_watch_get_error (watch));
  g_assert_cmpint (buzon_account_watch_get_last_synced (watch), >, first_pass);
  g_assert_cmpint (buzon_account_watch_get_retry_at (watch), ==, 0);
  g_assert_true (cache_has (w, "de-vuelta"));

  stop_watch (watch, cancellable, &record, 10);
}

/* A wrong password: distinguishable, retried a minute later at the
 * soonest; the user types the right one and refreshes: at once. */
static void
test_password_and_sync_now (WatchFixture *w,
                            gconstpointer data)
{
  Record record = { 0 };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  BuzonAccountWatch *watch = new_watch (w, &record, 300);
  const GError *error;
  gint64 started = g_get_real_time () / G_USEC_PER_SEC;
  guint passes;

  g_assert_true (g_file_set_contents (w->password_file, "wrong\n", -1, NULL));
  buzon_account_watch_run_async (watch, cancellable, store_result_cb, &record.result);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_WAITING, 30));
  error = buzon_account_watch_get_error (watch);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_assert_true (buzon_account_watch_error_wants_password (error));
  g_assert_cmpint (buzon_account_watch_get_retry_at (watch), >=, started + 60);
  g_assert_cmpint (buzon_account_watch_get_last_synced (watch), ==, 0);

  g_assert_true (g_file_set_contents (w->password_file, "alice-secret\n", -1, NULL));
  buzon_account_watch_sync_now (watch);
  g_assert_cmpint (buzon_account_watch_get_state (watch), ==, BUZON_ACCOUNT_WATCH_CONNECTING);
  g_assert_cmpint (buzon_account_watch_get_retry_at (watch), ==, 0);
  /* A pass is under way: refreshing again changes nothing. */
  buzon_account_watch_sync_now (watch);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 20));
  g_assert_cmpint (g_get_real_time () / G_USEC_PER_SEC, <, started + 60);
  g_assert_null (buzon_account_watch_get_error (watch));
  g_assert_cmpint (buzon_account_watch_get_last_synced (watch), >=, started);
  g_assert_cmpuint (record.passes, ==, 1);

  /* Between passes (on IDLE), a refresh is a full pass now. */
  passes = record.passes;
  buzon_account_watch_sync_now (watch);
  buzon_account_watch_sync_now (watch);
  while (record.passes == passes)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 20));
  g_assert_cmpuint (record.passes, ==, passes + 1);

  stop_watch (watch, cancellable, &record, 10);
}

/* Cancelled as it enters a state, from inside the notification. */
typedef struct
{
  BuzonAccountWatchState at;
  guint skip;   /* Entries into @at to let pass first. */
  GCancellable *cancellable;
  gboolean refresh; /* Also sync_now() right after cancelling. */
  gboolean cancelled;
} CancelAt;

static void
cancel_at_cb (BuzonAccountWatch *watch,
              GParamSpec        *pspec,
              CancelAt          *cancel)
{
  if (cancel->cancelled || buzon_account_watch_get_state (watch) != cancel->at)
    return;
  if (cancel->skip > 0)
    {
      cancel->skip--;
      return;
    }
  cancel->cancelled = TRUE;
  g_cancellable_cancel (cancel->cancellable);
  if (cancel->refresh)
    buzon_account_watch_sync_now (watch);
}

static void
run_cancelled_at (WatchFixture          *w,
                  BuzonAccountWatchState at,
                  guint                  skip,
                  gboolean               refresh)
{
  Record record = { 0 };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  BuzonAccountWatch *watch = new_watch (w, &record, 1);
  CancelAt cancel = { at, skip, cancellable, refresh, FALSE };
  gboolean timed_out = FALSE;
  guint id;

  g_signal_connect (watch, "notify::state", G_CALLBACK (cancel_at_cb), &cancel);
  buzon_account_watch_run_async (watch, cancellable, store_result_cb, &record.result);
  id = g_timeout_add_seconds (30, timed_out_cb, &timed_out);
  while (record.result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Cancelled at %d, the watch did not stop (states: %s)", at,
             states_since (&record, 0));
  g_source_remove (id);
  g_assert_true (cancel.cancelled);
  stop_watch (watch, cancellable, &record, 10);
}

static void
test_cancel (WatchFixture *w,
             gconstpointer data)
{
  /* Connecting (first pass); its folders (the pass under way); the IDLE
   * connection's Inbox; IDLE; each with a refresh right after the cancel,
   * which must not start anything. With a poll interval of one second, a
   * pass comes due at each of them too. */
  for (guint refresh = 0; refresh < 2; refresh++)
    {
      run_cancelled_at (w, BUZON_ACCOUNT_WATCH_CONNECTING, 0, refresh);
      run_cancelled_at (w, BUZON_ACCOUNT_WATCH_SYNCING, 0, refresh);
      run_cancelled_at (w, BUZON_ACCOUNT_WATCH_IDLE, 0, refresh);
      run_cancelled_at (w, BUZON_ACCOUNT_WATCH_IDLE, 2, refresh);
    }
  /* Already cancelled before it starts. */
  {
    Record record = { 0 };
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    BuzonAccountWatch *watch = new_watch (w, &record, 1);

    g_cancellable_cancel (cancellable);
    buzon_account_watch_run_async (watch, cancellable, store_result_cb, &record.result);
    stop_watch (watch, cancellable, &record, 5);
  }
}

/* Waiting to retry, cancelled when the retry is due too: both at the same
 * tick of the seconds clock (GLib wakes every timeout of whole seconds at
 * once). And cancelled while the retry's connection is under way, and
 * while waiting; in each the task returns exactly once. */
static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_waiting (WatchFixture *w,
                     gconstpointer data)
{
  buzon_test_mail_servers_run (w->f.servers, "stop-imap");
  for (guint round = 0; round < 4; round++)
    {
      Record record = { 0 };
      g_autoptr (GCancellable) cancellable = g_cancellable_new ();
      BuzonAccountWatch *watch = new_watch (w, &record, 1);

      buzon_account_watch_run_async (watch, cancellable, store_result_cb, &record.result);
      g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_WAITING, 20));
      switch (round)
        {
        case 0:
          /* The 1 s retry and the cancel fire together. */
          g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 1, cancel_cb,
                                      g_object_ref (cancellable), g_object_unref);
          break;
        case 1:
          /* The retry's connection is under way. */
          g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_CONNECTING, 10));
          g_cancellable_cancel (cancellable);
          break;
        case 2:
          /* Waiting: a refresh, then a cancel in the same turn. */
          buzon_account_watch_sync_now (watch);
          g_assert_cmpint (buzon_account_watch_get_state (watch), ==,
                           BUZON_ACCOUNT_WATCH_CONNECTING);
          g_cancellable_cancel (cancellable);
          break;
        default:
          /* Waiting, plainly (SIGTERM in buzon-cli). */
          g_cancellable_cancel (cancellable);
          break;
        }
      stop_watch (watch, cancellable, &record, 10);
    }
  buzon_test_mail_servers_run (w->f.servers, "start-imap");
}

/* The account's connection pool, shared with the user. */

typedef struct
{
  gboolean done;
  BuzonImapSession *session;
  GError *error;
} Request;

static void
acquired_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Request *request = user_data;

  request->session = buzon_connection_pool_acquire_finish (BUZON_CONNECTION_POOL (source),
                                                           result, &request->error);
  request->done = TRUE;
}

static void
request_clear (Request *request)
{
  g_clear_object (&request->session);
  g_clear_error (&request->error);
  request->done = FALSE;
}

static void
ask_as_user (BuzonConnectionPool *pool,
             Request             *request)
{
  request_clear (request);
  buzon_connection_pool_acquire_async (pool, BUZON_CONNECTION_PRIORITY_USER, NULL, acquired_cb,
                                       request);
}

static void
wait_served (Request *request)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (20, timed_out_cb, &timed_out);

  while (!request->done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
  g_assert_no_error (request->error);
  g_assert_nonnull (request->session);
}

/* Runs the loop for a while, for what should not happen to have had its
 * chance. */
static void
spin (guint milliseconds)
{
  gboolean timed_out = FALSE;

  g_timeout_add (milliseconds, timed_out_cb, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
}

static void
most_connections_cb (BuzonConnectionPool *pool,
                     GParamSpec          *pspec,
                     guint               *most)
{
  *most = MAX (*most, buzon_connection_pool_get_n_connections (pool));
}

static BuzonConnectionPool *
new_pool (WatchFixture *w,
          guint         max_connections,
          guint        *most)
{
  BuzonConnectionPool *pool = buzon_connection_pool_new (w->account, w->credentials);

  g_object_set (pool, "max-connections", max_connections, NULL);
  g_signal_connect (pool, "notify::n-connections", G_CALLBACK (most_connections_cb), most);
  return pool;
}

static void
usable (BuzonImapSession *session)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (noop (session, &error));
  g_assert_no_error (error);
}

/* During a pass: a user's request made as it starts, and whether it was
 * served when the pass ended. */
typedef struct
{
  BuzonConnectionPool *pool;
  Request request;
  gboolean armed;
  gboolean asked;
  gboolean served_before_pass_ended;
  guint passes;
} DuringPass;

static void
ask_at_pass_cb (BuzonAccountWatch *watch,
                GParamSpec        *pspec,
                DuringPass        *during)
{
  if (!during->armed || during->asked
      || buzon_account_watch_get_state (watch) != BUZON_ACCOUNT_WATCH_SYNCING)
    return;
  during->asked = TRUE;
  ask_as_user (during->pool, &during->request);
}

static void
pass_ended_cb (BuzonAccountWatch *watch,
               const char        *folder,
               DuringPass        *during)
{
  if (folder != NULL || !during->asked)
    return;
  if (during->passes++ == 0)
    during->served_before_pass_ended = during->request.done;
}

/* Two connections at most: the watch takes one, for IDLE and for its
 * passes alike; the user's request gets the other at once, whether the
 * watch idles or passes over the folders, and IDLE is not disturbed. */
static void
test_pool_user_first (WatchFixture *w,
                      gconstpointer data)
{
  Record record = { 0 };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  BuzonAccountWatch *watch = new_watch (w, &record, 300);
  guint most = 0;
  g_autoptr (BuzonConnectionPool) pool = new_pool (w, 2, &most);
  DuringPass during = { pool, { 0 } };
  Request user = { 0 };
  g_autofree char *seen = NULL;
  guint mark;
  guint inbox_syncs;

  buzon_account_watch_set_pool (watch, pool);
  g_signal_connect (watch, "notify::state", G_CALLBACK (ask_at_pass_cb), &during);
  g_signal_connect (watch, "synced", G_CALLBACK (pass_ended_cb), &during);
  buzon_account_watch_run_async (watch, cancellable, store_result_cb, &record.result);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 30));
  /* The pass's session became the IDLE one: no second login. */
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (pool), ==, 1);
  g_assert_cmpuint (most, ==, 1);

  /* Idling: the user is served, and the watch goes on idling. */
  mark = record.states->len;
  inbox_syncs = record.inbox_syncs;
  ask_as_user (pool, &user);
  wait_served (&user);
  usable (user.session);
  seen = states_since (&record, mark);
  g_assert_cmpstr (seen, ==, "");
  g_assert_cmpuint (record.inbox_syncs, ==, inbox_syncs);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (pool), ==, 2);
  buzon_connection_pool_release (pool, user.session);

  /* A pass: the user's request made as it starts is served before it
   * ends, and the watch never has a second connection. */
  during.armed = TRUE;
  buzon_account_watch_sync_now (watch);
  while (during.passes == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (during.asked);
  g_assert_true (during.served_before_pass_ended);
  usable (during.request.session);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 20));
  buzon_connection_pool_release (pool, during.request.session);
  g_assert_cmpuint (most, ==, 2);

  stop_watch (watch, cancellable, &record, 10);
  buzon_connection_pool_close (pool);
  request_clear (&user);
  request_clear (&during.request);
}

/* One connection at most: the user's request takes it from IDLE (the
 * pool reclaims it), the watch waits behind the user, still IDLE, and
 * when it has the connection back it catches up with what arrived. */
static void
test_pool_reclaim (WatchFixture *w,
                   gconstpointer data)
{
  Record record = { 0 };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  BuzonAccountWatch *watch = new_watch (w, &record, 300);
  guint most = 0;
  g_autoptr (BuzonConnectionPool) pool = new_pool (w, 1, &most);
  g_autoptr (BuzonImapConnection) other = NULL;
  Request user = { 0 };
  g_autofree char *seen = NULL;
  guint mark;
  guint inbox_syncs;

  buzon_account_watch_set_pool (watch, pool);
  buzon_account_watch_run_async (watch, cancellable, store_result_cb, &record.result);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 30));

  for (guint round = 0; round < 2; round++)
    {
      mark = record.states->len;
      inbox_syncs = record.inbox_syncs;
      ask_as_user (pool, &user);
      wait_served (&user);
      usable (user.session);
      g_assert_cmpint (buzon_account_watch_get_state (watch), ==, BUZON_ACCOUNT_WATCH_IDLE);

      /* The user has it: new mail waits until it is given back. */
      other = other_client (w->f.servers, "alice");
      append_to (other, "INBOX", round == 0 ? "mientras-lee" : "otra-vez");
      g_clear_object (&other);
      spin (500);
      g_assert_cmpuint (record.inbox_syncs, ==, inbox_syncs);
      g_assert_false (cache_has (w, round == 0 ? "mientras-lee" : "otra-vez"));
      g_clear_pointer (&seen, g_free);
      seen = states_since (&record, mark);
      g_assert_cmpstr (seen, ==, "");

      buzon_connection_pool_release (pool, user.session);
      while (record.inbox_syncs == inbox_syncs)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 20));
      g_assert_true (cache_has (w, round == 0 ? "mientras-lee" : "otra-vez"));
      g_clear_pointer (&seen, g_free);
      seen = states_since (&record, mark);
      g_assert_cmpstr (seen, ==, "syncing idle");
      request_clear (&user);
    }
  g_assert_cmpuint (most, ==, 1);
  g_assert_cmpuint (record.problems, ==, 0);

  stop_watch (watch, cancellable, &record, 10);
  buzon_connection_pool_close (pool);
}

/* A GNetworkMonitor the test switches on and off. */

#define TEST_TYPE_NETWORK_MONITOR (test_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestNetworkMonitor, test_network_monitor, TEST, NETWORK_MONITOR, GObject)

struct _TestNetworkMonitor
{
  GObject parent_instance;
  gboolean available;
};

enum
{
  MONITOR_PROP_0,
  MONITOR_PROP_AVAILABLE,
  MONITOR_PROP_METERED,
  MONITOR_PROP_CONNECTIVITY,
};

static void test_network_monitor_iface_init (GNetworkMonitorInterface *iface);
static void test_network_monitor_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestNetworkMonitor, test_network_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      test_network_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      test_network_monitor_iface_init))

static gboolean
test_network_monitor_initable_init_impl (GInitable    *initable,
                                         GCancellable *cancellable,
                                         GError      **error)
{
  return TRUE;
}

static void
test_network_monitor_initable_init (GInitableIface *iface)
{
  iface->init = test_network_monitor_initable_init_impl;
}

static void
test_network_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

static void
test_network_monitor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TestNetworkMonitor *self = TEST_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case MONITOR_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MONITOR_PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case MONITOR_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL
                                               : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_network_monitor_class_init (TestNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_network_monitor_get_property;
  g_object_class_override_property (object_class, MONITOR_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MONITOR_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MONITOR_PROP_CONNECTIVITY, "connectivity");
}

static void
test_network_monitor_init (TestNetworkMonitor *self)
{
  self->available = TRUE;
}

/* Says the network went (or came back, or changed), as GIO's monitors do. */
static void
set_network (TestNetworkMonitor *monitor,
             gboolean            available)
{
  monitor->available = available;
  g_signal_emit_by_name (monitor, "network-changed", available);
}

/* Says the network went as soon as the watch says @at, once. */
typedef struct
{
  TestNetworkMonitor *monitor;
  BuzonAccountWatchState at;
  gboolean armed;
} GoOfflineAt;

static void
go_offline_at_cb (BuzonAccountWatch *watch,
                  GParamSpec        *pspec,
                  GoOfflineAt       *at)
{
  if (!at->armed || buzon_account_watch_get_state (watch) != at->at)
    return;
  at->armed = FALSE;
  set_network (at->monitor, FALSE);
}

/* Offline: IDLE and polling stop and the connection goes; back online, a
 * full pass at once; a change of network while idling re-checks the
 * Inbox. Started offline, nothing is tried until the network is there. */
static void
test_offline (WatchFixture *w,
              gconstpointer data)
{
  Record record = { 0 };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  BuzonAccountWatch *watch = new_watch (w, &record, 1);
  g_autoptr (TestNetworkMonitor) monitor = g_object_new (TEST_TYPE_NETWORK_MONITOR, NULL);
  guint most = 0;
  g_autoptr (BuzonConnectionPool) pool = new_pool (w, 4, &most);
  g_autoptr (BuzonImapConnection) other = NULL;
  g_autofree char *seen = NULL;
  guint mark;
  guint passes;
  guint inbox_syncs;

  buzon_account_watch_set_pool (watch, pool);
  _buzon_account_watch_set_network_monitor (watch, G_NETWORK_MONITOR (monitor), TRUE);

  /* Started offline: OFFLINE, and not a connection tried. */
  monitor->available = FALSE;
  buzon_account_watch_run_async (watch, cancellable, store_result_cb, &record.result);
  g_assert_cmpint (buzon_account_watch_get_state (watch), ==, BUZON_ACCOUNT_WATCH_OFFLINE);
  spin (1500);
  seen = states_since (&record, 0);
  g_assert_cmpstr (seen, ==, "offline");
  g_assert_cmpuint (most, ==, 0);
  g_assert_cmpuint (record.passes, ==, 0);

  /* Online: a pass at once, then IDLE. */
  set_network (monitor, TRUE);
  g_assert_cmpint (buzon_account_watch_get_state (watch), ==, BUZON_ACCOUNT_WATCH_CONNECTING);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 30));
  g_assert_cmpuint (record.passes, >=, 1);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (pool), ==, 1);

  /* Offline while idling: IDLE ends, the connection goes, no pass runs
   * (the poll interval is a second), and new mail stays on the server. */
  mark = record.states->len;
  set_network (monitor, FALSE);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_OFFLINE, 10));
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (pool), ==, 0);
  passes = record.passes;
  inbox_syncs = record.inbox_syncs;
  other = other_client (w->f.servers, "alice");
  append_to (other, "INBOX", "sin-red");
  g_clear_object (&other);
  spin (2500);
  g_clear_pointer (&seen, g_free);
  seen = states_since (&record, mark);
  g_assert_cmpstr (seen, ==, "offline");
  g_assert_cmpuint (record.passes, ==, passes);
  g_assert_cmpuint (record.inbox_syncs, ==, inbox_syncs);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (pool), ==, 0);
  g_assert_false (cache_has (w, "sin-red"));
  g_assert_cmpuint (record.problems, ==, 0);

  /* Back: a full pass starts at once, without waiting for the interval
   * (from now on five minutes), and brings the mail. */
  g_object_set (watch, "poll-interval", 300, NULL);
  mark = record.states->len;
  set_network (monitor, TRUE);
  g_assert_cmpint (buzon_account_watch_get_state (watch), ==, BUZON_ACCOUNT_WATCH_SYNCING);
  while (record.passes == passes)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 20));
  g_assert_true (cache_has (w, "sin-red"));
  g_clear_pointer (&seen, g_free);
  seen = states_since (&record, mark);
  g_assert_cmpstr (seen, ==, "syncing idle");

  /* Another network while idling: IDLE ends and the Inbox is checked. */
  passes = record.passes;
  inbox_syncs = record.inbox_syncs;
  mark = record.states->len;
  set_network (monitor, TRUE);
  while (record.inbox_syncs == inbox_syncs)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 20));
  g_clear_pointer (&seen, g_free);
  seen = states_since (&record, mark);
  g_assert_cmpstr (seen, ==, "syncing idle");
  g_assert_cmpuint (record.passes, ==, passes);
  g_assert_cmpuint (record.problems, ==, 0);
  g_assert_cmpuint (most, ==, 1);

  /* Gone during a pass: the pass ends, and the watch goes OFFLINE rather
   * than back to IDLE; back, a pass again. */
  {
    GoOfflineAt at = { monitor, BUZON_ACCOUNT_WATCH_SYNCING, TRUE };
    gulong handler = g_signal_connect (watch, "notify::state", G_CALLBACK (go_offline_at_cb),
                                       &at);

    mark = record.states->len;
    passes = record.passes;
    buzon_account_watch_sync_now (watch);
    g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_OFFLINE, 20));
    g_signal_handler_disconnect (watch, handler);
    g_assert_cmpuint (record.passes, ==, passes + 1);
    g_clear_pointer (&seen, g_free);
    seen = states_since (&record, mark);
    g_assert_cmpstr (seen, ==, "syncing offline");
    set_network (monitor, TRUE);
    g_assert_true (wait_for_state (watch, BUZON_ACCOUNT_WATCH_IDLE, 20));
    g_assert_cmpuint (record.passes, ==, passes + 2);
  }

  stop_watch (watch, cancellable, &record, 10);
  buzon_connection_pool_close (pool);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

  g_test_add ("/account-watch/states", WatchFixture, NULL, fixture_set_up, test_states,
              fixture_tear_down);
  g_test_add ("/account-watch/password-and-sync-now", WatchFixture, NULL, fixture_set_up,
              test_password_and_sync_now, fixture_tear_down);
  g_test_add ("/account-watch/cancel", WatchFixture, NULL, fixture_set_up, test_cancel,
              fixture_tear_down);
  g_test_add ("/account-watch/cancel-waiting", WatchFixture, NULL, fixture_set_up,
              test_cancel_waiting, fixture_tear_down);
  g_test_add ("/account-watch/pool-user-first", WatchFixture, NULL, fixture_set_up,
              test_pool_user_first, fixture_tear_down);
  g_test_add ("/account-watch/pool-reclaim", WatchFixture, NULL, fixture_set_up,
              test_pool_reclaim, fixture_tear_down);
  g_test_add ("/account-watch/offline", WatchFixture, NULL, fixture_set_up, test_offline,
              fixture_tear_down);
  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
