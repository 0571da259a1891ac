// BuzonConnectionPool against the fixture Dovecot: sessions reused, the
// cap kept, the user's requests ahead of the background's, closed
// sessions replaced, failures and cancellation; held sessions (IDLE)
// reclaimed for a request that waits, and broken ones discarded.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "account/credentials-command.h"
#include "engine.h"
#include "imap/imap-error.h"
#include "imap-session-helpers.h"
#include "store/store-folder.h"
#include "sync/account-sync.h"
#include "sync/connection-pool.h"
#include "sync-test-helpers.h"

typedef struct
{
  BuzonTestMailServers *servers;
  BuzonAccount *account;
  BuzonConnectionPool *pool;
  guint most_connections; /* The highest "n-connections" seen. */
} PoolFixture;

/* One request's outcome, filled in by its callback. */
typedef struct
{
  gboolean done;
  BuzonImapSession *session;
  GError *error;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_object (&outcome->session);
  g_clear_error (&outcome->error);
  outcome->done = FALSE;
}

static void
n_connections_cb (BuzonConnectionPool *pool,
                  GParamSpec          *pspec,
                  PoolFixture             *f)
{
  f->most_connections = MAX (f->most_connections, buzon_connection_pool_get_n_connections (pool));
}

static BuzonConnectionPool *
new_pool (PoolFixture    *f,
          const char *password_command)
{
  g_autoptr (BuzonCommandCredentials) credentials =
    buzon_command_credentials_new (password_command);
  BuzonConnectionPool *pool = buzon_connection_pool_new (f->account,
                                                         BUZON_CREDENTIALS (credentials));

  g_signal_connect (pool, "notify::n-connections", G_CALLBACK (n_connections_cb), f);
  return pool;
}

static void
set_up (PoolFixture      *f,
        gconstpointer data)
{
  g_autofree char *imap_text = NULL;
  g_autofree char *pinned = NULL;
  g_autoptr (BuzonServerUrl) imap = NULL;
  g_autoptr (BuzonServerUrl) smtp = buzon_server_url_parse ("submissions://alice@127.0.0.1:1",
                                                            NULL);
  const char *trusted[2] = { NULL, NULL };

  f->servers = buzon_test_mail_servers_start ("");
  imap_text = g_strdup_printf ("imaps://alice@127.0.0.1:%u",
                               buzon_test_mail_servers_get_port (f->servers, "IMAPS_PORT"));
  imap = buzon_server_url_parse (imap_text, NULL);
  pinned = g_strconcat ("sha256:", buzon_test_mail_servers_get (f->servers, "CERT_SHA256"),
                        NULL);
  trusted[0] = pinned;
  f->account = buzon_account_new ("pool", NULL, "alice@example.test", imap, smtp);
  buzon_account_set_trusted_certificates (f->account, trusted);
  f->pool = new_pool (f, "printf '%s\\n' alice-secret");
}

static void
tear_down (PoolFixture      *f,
           gconstpointer data)
{
  buzon_connection_pool_close (f->pool);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->pool);
  g_clear_object (&f->account);
  buzon_test_mail_servers_stop (f->servers);
}

static void
acquired_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->session = buzon_connection_pool_acquire_finish (BUZON_CONNECTION_POOL (source),
                                                           result, &outcome->error);
  outcome->done = TRUE;
}

static void
acquire (PoolFixture                 *f,
         BuzonConnectionPriority  priority,
         GCancellable            *cancellable,
         Outcome                 *outcome)
{
  outcome_clear (outcome);
  buzon_connection_pool_acquire_async (f->pool, priority, cancellable, acquired_cb, outcome);
}

static void
wait_done (Outcome *outcome)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!outcome->done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_true (outcome->done);
}

/* Runs the loop for a while: long enough for a login to have happened. */
static void
spin (guint milliseconds)
{
  gint64 until = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static void
assert_usable (BuzonImapSession *session)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (session);
  g_assert_cmpint (buzon_imap_session_get_state (session), !=, BUZON_IMAP_SESSION_LOGOUT);
  g_assert_true (noop (session, &error));
  g_assert_no_error (error);
}

static void
test_reuse (PoolFixture      *f,
            gconstpointer data)
{
  Outcome first = { 0 };
  Outcome second = { 0 };

  acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &first);
  wait_done (&first);
  g_assert_no_error (first.error);
  assert_usable (first.session);
  buzon_connection_pool_release (f->pool, first.session);

  /* Given back, handed out again: no second login. */
  acquire (f, BUZON_CONNECTION_PRIORITY_BACKGROUND, NULL, &second);
  wait_done (&second);
  g_assert_true (second.session == first.session);
  assert_usable (second.session);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (f->pool), ==, 1);
  buzon_connection_pool_release (f->pool, second.session);
  outcome_clear (&first);
  outcome_clear (&second);
}

/* Three connections at most: the background gets two; the user gets the
 * third however many background requests wait, and a session given back
 * goes to a waiting user before a background request that asked earlier. */
static void
test_user_first (PoolFixture      *f,
                 gconstpointer data)
{
  Outcome background[3] = { { 0 } };
  Outcome user[2] = { { 0 } };

  g_object_set (f->pool, "max-connections", 3, NULL);
  for (guint i = 0; i < 3; i++)
    acquire (f, BUZON_CONNECTION_PRIORITY_BACKGROUND, NULL, &background[i]);
  wait_done (&background[0]);
  wait_done (&background[1]);
  spin (300);
  g_assert_false (background[2].done);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (f->pool), ==, 2);

  acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &user[0]);
  wait_done (&user[0]);
  assert_usable (user[0].session);
  /* Now full: the next user waits too, and is served first. */
  acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &user[1]);
  spin (300);
  g_assert_false (user[1].done);
  buzon_connection_pool_release (f->pool, background[0].session);
  wait_done (&user[1]);
  g_assert_true (user[1].session == background[0].session);
  g_assert_false (background[2].done);

  /* A user's session given back goes to the background that waits: it
   * has one of its two again. */
  buzon_connection_pool_release (f->pool, user[0].session);
  wait_done (&background[2]);
  assert_usable (background[2].session);
  g_assert_cmpuint (f->most_connections, ==, 3);

  buzon_connection_pool_release (f->pool, user[1].session);
  buzon_connection_pool_release (f->pool, background[1].session);
  buzon_connection_pool_release (f->pool, background[2].session);
  for (guint i = 0; i < 3; i++)
    outcome_clear (&background[i]);
  outcome_clear (&user[0]);
  outcome_clear (&user[1]);
}

/* A session that closed while the pool kept it is not handed out. */
static void
test_closed_session_replaced (PoolFixture      *f,
                              gconstpointer data)
{
  Outcome first = { 0 };
  Outcome second = { 0 };

  acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &first);
  wait_done (&first);
  buzon_connection_pool_release (f->pool, first.session);
  /* The server (here: our own logout) ends it while it waits. */
  logout (first.session);
  g_assert_cmpint (buzon_imap_session_get_state (first.session), ==, BUZON_IMAP_SESSION_LOGOUT);

  acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &second);
  wait_done (&second);
  g_assert_no_error (second.error);
  g_assert_true (second.session != first.session);
  assert_usable (second.session);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (f->pool), ==, 1);

  /* One closed in the caller's hands: given back, dropped, its place free. */
  logout (second.session);
  buzon_connection_pool_release (f->pool, second.session);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (f->pool), ==, 0);
  outcome_clear (&first);
  outcome_clear (&second);
}

static void
test_wrong_password (PoolFixture      *f,
                     gconstpointer data)
{
  Outcome outcome = { 0 };

  buzon_connection_pool_close (f->pool);
  g_clear_object (&f->pool);
  f->pool = new_pool (f, "printf '%s\\n' not-the-password");
  for (guint i = 0; i < 2; i++)
    {
      acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &outcome);
      wait_done (&outcome);
      g_assert_null (outcome.session);
      g_assert_error (outcome.error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
      /* The failed attempt holds no place. */
      g_assert_cmpuint (buzon_connection_pool_get_n_connections (f->pool), ==, 0);
    }
  outcome_clear (&outcome);
}

static void
test_cancel_and_close (PoolFixture      *f,
                       gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Outcome held = { 0 };
  Outcome waiting = { 0 };
  Outcome closed = { 0 };

  g_object_set (f->pool, "max-connections", 2, NULL);
  acquire (f, BUZON_CONNECTION_PRIORITY_BACKGROUND, NULL, &held);
  wait_done (&held);
  acquire (f, BUZON_CONNECTION_PRIORITY_BACKGROUND, cancellable, &waiting);
  spin (200);
  g_assert_false (waiting.done);
  g_cancellable_cancel (cancellable);
  wait_done (&waiting);
  g_assert_error (waiting.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Closing fails what waits, and drops what comes back. */
  acquire (f, BUZON_CONNECTION_PRIORITY_BACKGROUND, NULL, &closed);
  spin (100);
  g_assert_false (closed.done);
  buzon_connection_pool_close (f->pool);
  wait_done (&closed);
  g_assert_error (closed.error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  buzon_connection_pool_release (f->pool, held.session);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (f->pool), ==, 0);
  outcome_clear (&held);
  outcome_clear (&waiting);
  outcome_clear (&closed);
}

/* Unused sessions are logged out after a while; the server's own limit
 * (Dovecot: 4) caps a larger setting. */
static void
test_idle_timeout_and_cap (PoolFixture      *f,
                           gconstpointer data)
{
  Outcome outcome = { 0 };

  g_object_set (f->pool, "idle-timeout", 1, "max-connections", 10, NULL);
  acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &outcome);
  wait_done (&outcome);
  g_assert_cmpuint (buzon_connection_pool_get_max_connections (f->pool), ==, 4);
  buzon_connection_pool_release (f->pool, outcome.session);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (f->pool), ==, 1);
  /* A timeout in whole seconds fires within the second after. */
  spin (2500);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (f->pool), ==, 0);
  spin (100);
  g_assert_cmpint (buzon_imap_session_get_state (outcome.session), ==, BUZON_IMAP_SESSION_LOGOUT);
  outcome_clear (&outcome);
}

typedef struct
{
  PoolFixture *f;
  guint served;
} Relay;

/* Gives its session back from inside the callback, as a quick user action
 * would: the pool is re-entered while it hands sessions out. */
static void
give_back_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Relay *relay = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapSession) session = NULL;

  session = buzon_connection_pool_acquire_finish (BUZON_CONNECTION_POOL (source), result, &error);
  g_assert_no_error (error);
  relay->served++;
  buzon_connection_pool_release (relay->f->pool, session);
}

static void
test_reentrant (PoolFixture  *f,
                gconstpointer data)
{
  Outcome first = { 0 };
  Relay relay = { f, 0 };
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_object_set (f->pool, "max-connections", 1, NULL);
  acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &first);
  wait_done (&first);
  for (guint i = 0; i < 3; i++)
    buzon_connection_pool_acquire_async (f->pool, BUZON_CONNECTION_PRIORITY_USER, NULL,
                                         give_back_cb, &relay);
  spin (100);
  g_assert_cmpuint (relay.served, ==, 0);
  buzon_connection_pool_release (f->pool, first.session);
  while (relay.served < 3 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_cmpuint (relay.served, ==, 3);
  g_assert_cmpuint (f->most_connections, ==, 1);
  outcome_clear (&first);
}

static void
synced_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->done = buzon_account_sync_run_finish (BUZON_ACCOUNT_SYNC (source), result, NULL,
                                                 &outcome->error);
  outcome->done = TRUE;
}

/* A sync pass takes its session from the pool as background work: while
 * the background's share is taken it waits, and the user's request that
 * comes meanwhile does not; the pass ends with its session given back. */
static void
test_account_sync (PoolFixture      *f,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("buzon-pool-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr (BuzonStore) store = buzon_store_new (path);
  g_autoptr (BuzonCommandCredentials) credentials =
    buzon_command_credentials_new ("printf '%s\\n' alice-secret");
  g_autoptr (BuzonAccountSync) sync = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  Outcome held = { 0 };
  Outcome user = { 0 };
  Outcome pass = { 0 };

  buzon_store_open_async (store, NULL, store_result_cb, &result);
  g_assert_true (buzon_store_open_finish (store, wait_for (&result), &error));
  g_assert_no_error (error);
  g_object_set (f->pool, "max-connections", 2, NULL);
  sync = buzon_account_sync_new (f->account, store, BUZON_CREDENTIALS (credentials));
  buzon_account_sync_set_pool (sync, f->pool);

  acquire (f, BUZON_CONNECTION_PRIORITY_BACKGROUND, NULL, &held);
  wait_done (&held);
  buzon_account_sync_run_async (sync, NULL, NULL, synced_cb, &pass);
  spin (300);
  g_assert_false (pass.done);
  acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &user);
  wait_done (&user);
  assert_usable (user.session);
  g_assert_false (pass.done);

  buzon_connection_pool_release (f->pool, held.session);
  wait_done (&pass);
  g_assert_no_error (pass.error);
  /* Its session came back: the user's and the pass's, both kept. */
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (f->pool), ==, 2);
  buzon_connection_pool_release (f->pool, user.session);
  g_assert_cmpuint (f->most_connections, ==, 2);

  buzon_store_close (store);
  outcome_clear (&held);
  outcome_clear (&user);
  outcome_clear (&pass);
  remove_tree (dir);
}

typedef struct
{
  PoolFixture *f;
  guint asked;
  gboolean give_back; /* At once, from the handler. */
  Outcome *holder;
} Reclaim;

static void
reclaim_cb (BuzonConnectionPool *pool,
            BuzonImapSession    *session,
            Reclaim             *reclaim)
{
  g_assert_true (session == reclaim->holder->session);
  reclaim->asked++;
  if (reclaim->give_back)
    buzon_connection_pool_release (pool, session);
}

/* A held session (IDLE) counts as background work; a request that waits
 * asks its holder for it, once, and gets it when it is given back; the
 * holder's own new request waits without asking. A discarded session is
 * never handed out again. */
static void
test_held (PoolFixture  *f,
           gconstpointer data)
{
  Outcome held = { 0 };
  Outcome again = { 0 };
  Outcome user = { 0 };
  Outcome background = { 0 };
  Reclaim reclaim = { f, 0, FALSE, &held };
  BuzonImapSession *first;

  g_object_set (f->pool, "max-connections", 2, NULL);
  g_signal_connect (f->pool, "reclaim", G_CALLBACK (reclaim_cb), &reclaim);
  acquire (f, BUZON_CONNECTION_PRIORITY_HELD, NULL, &held);
  wait_done (&held);
  assert_usable (held.session);

  /* The user has the other connection without asking anyone. */
  acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &user);
  wait_done (&user);
  g_assert_cmpuint (reclaim.asked, ==, 0);

  /* The background's share is the held session's: a background request
   * waits and asks for it, once however long it waits. */
  acquire (f, BUZON_CONNECTION_PRIORITY_BACKGROUND, NULL, &background);
  spin (200);
  g_assert_false (background.done);
  g_assert_cmpuint (reclaim.asked, ==, 1);
  buzon_connection_pool_release (f->pool, user.session);
  spin (100);
  g_assert_cmpuint (reclaim.asked, ==, 1);
  g_assert_false (background.done);

  /* Given back, it goes to the request that waited; the holder asks
   * again and waits, without asking anyone for anything. */
  first = held.session;
  buzon_connection_pool_release (f->pool, first);
  wait_done (&background);
  g_assert_true (background.session == first);
  acquire (f, BUZON_CONNECTION_PRIORITY_HELD, NULL, &again);
  spin (200);
  g_assert_false (again.done);
  g_assert_cmpuint (reclaim.asked, ==, 1);
  buzon_connection_pool_release (f->pool, background.session);
  wait_done (&again);
  g_assert_true (again.session == first);

  /* The user's first session, waiting in the pool, goes for good. */
  acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &user);
  wait_done (&user);
  g_assert_true (user.session != first);
  buzon_connection_pool_discard (f->pool, user.session);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (f->pool), ==, 1);

  /* With the cap at one, the user takes it from the holder, who gives
   * it back at once. */
  outcome_clear (&held);
  held.session = g_object_ref (again.session);
  g_object_set (f->pool, "max-connections", 1, NULL);
  reclaim.give_back = TRUE;
  acquire (f, BUZON_CONNECTION_PRIORITY_USER, NULL, &user);
  wait_done (&user);
  g_assert_cmpuint (reclaim.asked, ==, 2);
  g_assert_true (user.session == first);

  /* Discarded: logged out, its place free, never lent again. */
  buzon_connection_pool_discard (f->pool, user.session);
  g_assert_cmpuint (buzon_connection_pool_get_n_connections (f->pool), ==, 0);
  outcome_clear (&background);
  acquire (f, BUZON_CONNECTION_PRIORITY_BACKGROUND, NULL, &background);
  wait_done (&background);
  g_assert_true (background.session != first);
  assert_usable (background.session);
  buzon_connection_pool_release (f->pool, background.session);
  g_assert_cmpuint (f->most_connections, ==, 2);

  outcome_clear (&held);
  outcome_clear (&again);
  outcome_clear (&user);
  outcome_clear (&background);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

#define ADD(name, func)                                                                            \
  g_test_add ("/connection-pool/" name, PoolFixture, NULL, set_up, func, tear_down)
  ADD ("reuse", test_reuse);
  ADD ("user-first", test_user_first);
  ADD ("closed-session-replaced", test_closed_session_replaced);
  ADD ("wrong-password", test_wrong_password);
  ADD ("cancel-and-close", test_cancel_and_close);
  ADD ("idle-timeout-and-cap", test_idle_timeout_and_cap);
  ADD ("account-sync", test_account_sync);
  ADD ("reentrant", test_reentrant);
  ADD ("held", test_held);
#undef ADD

  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
