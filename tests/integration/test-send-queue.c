// BuzonSendQueue against the fixture's Dovecot (submission through exim).
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A started queue sends a message at its time and not before; an undo in
// the window sends nothing; a failure that may pass waits for its retry;
// one sender per account; and what a crash left half way (a message the
// server took whose Sent copy may or may not exist) ends with exactly one
// copy in Sent.

#include <sqlite3.h>

#include "account/credentials-command.h"
#include "store/store-outbox.h"
#include "sync-test-helpers.h"
#include "sync/send-queue.h"

typedef struct
{
  Fixture f;
  BuzonAccount *account;
  BuzonCredentials *credentials;
  BuzonSendQueue *queue;
  GArray *progress;  /* The states message-progress announced, in order. */
  gint64 first_progress_at; /* Unix time of the first of them. */
  guint sent;
  guint failed;
  GError *failure;
} QueueFixture;

static void
progress_cb (BuzonSendQueue *queue,
             gint64          id,
             int             state,
             QueueFixture   *q)
{
  if (q->progress->len == 0)
    q->first_progress_at = g_get_real_time () / G_USEC_PER_SEC;
  g_array_append_val (q->progress, state);
}

static void
sent_cb (BuzonSendQueue *queue,
         gint64          id,
         QueueFixture   *q)
{
  q->sent++;
}

static void
failed_cb (BuzonSendQueue *queue,
           gint64          id,
           const GError   *error,
           QueueFixture   *q)
{
  q->failed++;
  g_clear_error (&q->failure);
  q->failure = g_error_copy (error);
}

static BuzonSendQueue *
new_queue (QueueFixture *q)
{
  BuzonSendQueue *queue = buzon_send_queue_new (q->account, q->f.store, q->credentials);

  g_signal_connect (queue, "message-progress", G_CALLBACK (progress_cb), q);
  g_signal_connect (queue, "message-sent", G_CALLBACK (sent_cb), q);
  g_signal_connect (queue, "message-failed", G_CALLBACK (failed_cb), q);
  return queue;
}

/* @smtp_port 0: the fixture's submissions port. */
static void
set_up_account (QueueFixture *q,
                guint16       smtp_port)
{
  Fixture *f = &q->f;
  g_autofree char *imap_text = NULL;
  g_autofree char *smtp_text = NULL;
  g_autofree char *pinned = NULL;
  g_autoptr (BuzonServerUrl) imap = NULL;
  g_autoptr (BuzonServerUrl) smtp = NULL;
  const char *trusted[] = { NULL, NULL };

  imap_text = g_strdup_printf ("imaps://alice@127.0.0.1:%u",
                               buzon_test_mail_servers_get_port (f->servers, "IMAPS_PORT"));
  smtp_text = g_strdup_printf ("submissions://alice@127.0.0.1:%u",
                               smtp_port != 0 ? smtp_port
                                              : buzon_test_mail_servers_get_port (
                                                  f->servers, "SUBMISSIONS_PORT"));
  imap = buzon_server_url_parse (imap_text, NULL);
  smtp = buzon_server_url_parse (smtp_text, NULL);
  pinned = g_strconcat ("sha256:", buzon_test_mail_servers_get (f->servers, "CERT_SHA256"),
                        NULL);
  trusted[0] = pinned;
  q->account = buzon_account_new ("envios", NULL, "alice@example.test", imap, smtp);
  buzon_account_set_trusted_certificates (q->account, trusted);
  q->credentials = BUZON_CREDENTIALS (buzon_command_credentials_new ("printf '%s\\n' "
                                                                     "alice-secret"));
  q->queue = new_queue (q);
}

static void
fixture_set_up (QueueFixture *q,
                gconstpointer data)
{
  sync_fixture_set_up (&q->f, 0, "");
  q->progress = g_array_new (FALSE, FALSE, sizeof (int));
  set_up_account (q, GPOINTER_TO_UINT (data));
}

static void
fixture_tear_down (QueueFixture *q,
                   gconstpointer data)
{
  buzon_send_queue_stop (q->queue);
  assert_finalized (g_steal_pointer (&q->queue));
  g_clear_object (&q->account);
  g_clear_object (&q->credentials);
  g_array_unref (q->progress);
  g_clear_error (&q->failure);
  sync_fixture_tear_down (&q->f);
}

static char *
make_message (const char *message_id,
              const char *subject)
{
  return g_strdup_printf ("From: Alicia <alice@example.test>\r\nTo: bob@example.test\r\n"
                          "Subject: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n\r\nHola.\r\n",
                          subject, message_id);
}

static gint64
add (QueueFixture *q,
     const char   *message_id,
     gint64        send_at)
{
  g_autofree char *text = make_message (message_id, message_id);
  g_autoptr (BuzonStoreOutboxItem) item = buzon_store_outbox_item_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  const char *recipients[] = { "bob@example.test", NULL };
  gint64 id;

  item->raw = g_bytes_new (text, strlen (text));
  item->sender = g_strdup ("alice@example.test");
  item->recipients = g_strdupv ((char **) recipients);
  item->message_id = g_strdup (message_id);
  item->subject = g_strdup (message_id);
  item->send_at = send_at;
  buzon_send_queue_add_async (q->queue, item, NULL, store_result_cb, &result);
  id = buzon_send_queue_add_finish (q->queue, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static GPtrArray *
outbox (QueueFixture *q)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *items;

  buzon_store_list_outbox_async (q->f.store, NULL, store_result_cb, &result);
  items = buzon_store_list_outbox_finish (q->f.store, wait_for (&result), &error);
  g_assert_no_error (error);
  return items;
}

static gboolean
flush (BuzonSendQueue *queue,
       GError        **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_send_queue_flush_async (queue, NULL, store_result_cb, &result);
  return buzon_send_queue_flush_finish (queue, wait_for (&result), error);
}

/* Runs the main loop for @ms milliseconds, or until @until becomes TRUE. */
static void
run_for (guint     ms,
         gboolean *until)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end && (until == NULL || !*until))
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

/* How many messages with @message_id are in @user's @mailbox. */
static guint
count_on_server (Fixture    *f,
                 const char *user,
                 const char *mailbox,
                 const char *message_id)
{
  g_autoptr (BuzonImapSession) session = logged_in (f->servers, user);
  g_autoptr (BuzonImapSelected) selected = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) uids = NULL;
  g_autofree char *bracketed = g_strdup_printf ("<%s>", message_id);
  const char *strings[] = { bracketed, NULL };

  selected = select_mailbox (session, mailbox, BUZON_IMAP_SELECT_READ_ONLY, NULL, NULL, &error);
  g_assert_no_error (error);
  buzon_imap_session_search_async (session, "HEADER Message-ID ?", strings,
                                   BUZON_IMAP_SEARCH_NONE, NULL, store_result_cb, &result);
  uids = buzon_imap_session_search_finish (session, wait_for (&result), &error);
  g_assert_no_error (error);
  logout (session);
  return uids->len;
}

/* Delivery through exim takes a moment after the server's 250. */
static guint
delivered (Fixture    *f,
           const char *message_id)
{
  guint count = 0;

  for (int i = 0; i < 50 && count == 0; i++)
    {
      count = count_on_server (f, "bob", "INBOX", message_id);
      if (count == 0)
        g_usleep (100000);
    }
  return count;
}

/* Started, the queue sends a message at its time, not before, and then
 * saves it in Sent. */
static void
test_started_sends_when_due (QueueFixture *q,
                             gconstpointer data)
{
  gint64 send_at = g_get_real_time () / G_USEC_PER_SEC + 2;
  g_autoptr (GPtrArray) left = NULL;
  gboolean done = FALSE;

  buzon_send_queue_start (q->queue);
  add (q, "due@send.example.test", send_at);
  while (!done)
    {
      g_autoptr (GPtrArray) items = NULL;

      run_for (200, NULL);
      items = outbox (q);
      done = items->len == 0 || g_get_real_time () / G_USEC_PER_SEC > send_at + 20;
    }
  left = outbox (q);
  g_assert_cmpuint (left->len, ==, 0);
  g_assert_cmpuint (q->sent, ==, 1);
  g_assert_cmpint (q->first_progress_at, >=, send_at);
  /* Every step announced, in order. */
  g_assert_cmpuint (q->progress->len, ==, 4);
  g_assert_cmpint (g_array_index (q->progress, int, 0), ==, BUZON_STORE_OUTBOX_SENDING);
  g_assert_cmpint (g_array_index (q->progress, int, 1), ==, BUZON_STORE_OUTBOX_COMMITTING);
  g_assert_cmpint (g_array_index (q->progress, int, 2), ==, BUZON_STORE_OUTBOX_ACCEPTED);
  g_assert_cmpint (g_array_index (q->progress, int, 3), ==, BUZON_STORE_OUTBOX_SAVING_SENT);
  g_assert_cmpuint (delivered (&q->f, "due@send.example.test"), ==, 1);
  g_assert_cmpuint (count_on_server (&q->f, "alice", "Sent", "due@send.example.test"), ==, 1);
}

/* Undone within the window, a message never goes; once gone, undo says so. */
static void
test_undo (QueueFixture *q,
           gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GAsyncResult) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  gint64 id;

  buzon_send_queue_start (q->queue);
  id = add (q, "undone@send.example.test", g_get_real_time () / G_USEC_PER_SEC + 1);
  buzon_send_queue_undo_async (q->queue, id, NULL, store_result_cb, &result);
  g_assert_true (buzon_send_queue_undo_finish (q->queue, wait_for (&result), &error));
  g_assert_no_error (error);
  run_for (2500, NULL);
  items = outbox (q);
  g_assert_cmpuint (items->len, ==, 0);
  g_assert_cmpuint (q->progress->len, ==, 0);
  buzon_send_queue_undo_async (q->queue, id, NULL, store_result_cb, &again);
  g_assert_false (buzon_send_queue_undo_finish (q->queue, wait_for (&again), &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (count_on_server (&q->f, "bob", "INBOX", "undone@send.example.test"), ==, 0);
}

/* The server cannot be reached: the message waits for its retry, counted,
 * with the reason; a pass before that time leaves it alone. */
static void
test_retry_waits (QueueFixture *q,
                  gconstpointer data)
{
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GPtrArray) still = NULL;
  g_autoptr (GError) error = NULL;
  const BuzonStoreOutboxItem *item;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  buzon_send_queue_set_retry_interval (q->queue, 30);
  add (q, "retry@send.example.test", now);
  g_assert_true (flush (q->queue, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (q->failed, ==, 1);
  g_assert_nonnull (q->failure);
  items = outbox (q);
  g_assert_cmpuint (items->len, ==, 1);
  item = items->pdata[0];
  g_assert_cmpint (item->state, ==, BUZON_STORE_OUTBOX_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_nonnull (item->last_error);
  g_assert_cmpint (item->send_at, >=, now + 29);
  g_assert_cmpint (item->send_at, <=, now + 32);
  g_array_set_size (q->progress, 0);
  g_assert_true (flush (q->queue, &error));
  g_assert_cmpuint (q->progress->len, ==, 0);
  still = outbox (q);
  g_assert_cmpuint (((BuzonStoreOutboxItem *) still->pdata[0])->attempts, ==, 1);
}

/* One sender per account: a second queue on the same cache is turned away
 * while the first holds it. */
static void
test_one_sender (QueueFixture *q,
                 gconstpointer data)
{
  g_autoptr (BuzonSendQueue) other = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (flush (q->queue, &error));
  g_assert_no_error (error);
  other = new_queue (q);
  g_assert_false (flush (other, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
}

static void
set_state (QueueFixture *q,
           gint64        id,
           int           state)
{
  sqlite3 *db = NULL;
  /* As the queue leaves it: once the server took it, nobody is left to
   * send it to. */
  g_autofree char *sql = g_strdup_printf ("UPDATE outbox SET state = %d%s WHERE id = %"
                                          G_GINT64_FORMAT, state,
                                          state >= BUZON_STORE_OUTBOX_ACCEPTED ? ", recipients = ''"
                                                                                : "",
                                          id);

  g_assert_cmpint (sqlite3_open (q->f.db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* What a crash left: one message killed in SENDING goes (once), one
 * killed in COMMITTING becomes uncertain and does not go, and two the
 * server took whose APPEND was cut (one made the copy, one did not) each
 * end with exactly one copy in Sent and are not sent again. */
static void
test_recovery (QueueFixture *q,
               gconstpointer data)
{
  g_autofree char *copied = make_message ("copied@send.example.test", "copied");
  g_autoptr (GBytes) copy = g_bytes_new (copied, strlen (copied));
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 sending = add (q, "sending@send.example.test", now);
  gint64 committing = add (q, "committing@send.example.test", now);
  gint64 saved = add (q, "copied@send.example.test", now);
  gint64 unsaved = add (q, "uncopied@send.example.test", now);
  const BuzonStoreOutboxItem *left;

  set_state (q, sending, BUZON_STORE_OUTBOX_SENDING);
  set_state (q, committing, BUZON_STORE_OUTBOX_COMMITTING);
  set_state (q, saved, BUZON_STORE_OUTBOX_SAVING_SENT);
  set_state (q, unsaved, BUZON_STORE_OUTBOX_SAVING_SENT);
  buzon_imap_session_append_async (q->f.session, "Sent", copy, NULL, NULL, NULL,
                                   store_result_cb, &result);
  g_assert_true (buzon_imap_session_append_finish (q->f.session, wait_for (&result), NULL, NULL,
                                                   &error));
  g_assert_no_error (error);

  g_assert_true (flush (q->queue, &error));
  g_assert_no_error (error);
  items = outbox (q);
  g_assert_cmpuint (items->len, ==, 1);
  left = items->pdata[0];
  g_assert_cmpint (left->id, ==, committing);
  g_assert_cmpint (left->state, ==, BUZON_STORE_OUTBOX_UNCERTAIN);
  g_assert_nonnull (left->last_error);
  g_assert_cmpuint (delivered (&q->f, "sending@send.example.test"), ==, 1);
  g_assert_cmpuint (count_on_server (&q->f, "bob", "INBOX", "committing@send.example.test"), ==,
                    0);
  /* The two the server took were not sent again, and have one copy each. */
  g_assert_cmpuint (count_on_server (&q->f, "bob", "INBOX", "copied@send.example.test"), ==, 0);
  g_assert_cmpuint (count_on_server (&q->f, "bob", "INBOX", "uncopied@send.example.test"), ==, 0);
  g_assert_cmpuint (count_on_server (&q->f, "alice", "Sent", "copied@send.example.test"), ==, 1);
  g_assert_cmpuint (count_on_server (&q->f, "alice", "Sent", "uncopied@send.example.test"), ==, 1);
  g_assert_cmpuint (count_on_server (&q->f, "alice", "Sent", "sending@send.example.test"), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/send-queue/started-sends-when-due", QueueFixture, NULL, fixture_set_up,
              test_started_sends_when_due, fixture_tear_down);
  g_test_add ("/send-queue/undo", QueueFixture, NULL, fixture_set_up, test_undo,
              fixture_tear_down);
  /* Port 1: nothing listens there. */
  g_test_add ("/send-queue/retry-waits", QueueFixture, GUINT_TO_POINTER (1), fixture_set_up,
              test_retry_waits, fixture_tear_down);
  g_test_add ("/send-queue/one-sender", QueueFixture, NULL, fixture_set_up, test_one_sender,
              fixture_tear_down);
  g_test_add ("/send-queue/recovery", QueueFixture, NULL, fixture_set_up, test_recovery,
              fixture_tear_down);
  return g_test_run ();
}
