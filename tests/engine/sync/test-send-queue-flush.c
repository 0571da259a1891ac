// BuzonSendQueue without a mail server.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A flush whose caller cancels after it ended leaves later flushes working,
// a refused message the user retries is no longer taken as refused, and a
// queue that is gone frees the send lock.

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "account/credentials-command.h"
#include "store/store-outbox.h"
#include "sync/send-queue.h"

typedef struct
{
  char *dir;
  BuzonStore *store;
  BuzonAccount *account;
  BuzonCredentials *credentials;
  BuzonSendQueue *queue;
} Fixture;

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (500), TRUE);
  g_assert_nonnull (*slot);
  return *slot;
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* A loopback port nobody listens on: connecting there is refused at once. */
static guint16
closed_port (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonServerUrl) imap = NULL;
  g_autoptr (BuzonServerUrl) smtp = NULL;
  g_autofree char *path = NULL;
  g_autofree char *smtp_text = g_strdup_printf ("smtp+plain://127.0.0.1:%u", closed_port ());
  g_autofree char *imap_text = g_strdup_printf ("imap+plain://ana@127.0.0.1:%u", closed_port ());

  f->dir = g_dir_make_tmp ("buzon-send-queue-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "cache.db", NULL);
  f->store = buzon_store_new (path);
  buzon_store_open_async (f->store, NULL, result_cb, &result);
  g_assert_true (buzon_store_open_finish (f->store, wait_for (&result), &error));
  g_assert_no_error (error);
  imap = buzon_server_url_parse (imap_text, &error);
  g_assert_no_error (error);
  smtp = buzon_server_url_parse (smtp_text, &error);
  g_assert_no_error (error);
  f->account = buzon_account_new ("ana", "Ana", "ana@example.org", imap, smtp);
  buzon_account_set_undo_seconds (f->account, 0);
  f->credentials = BUZON_CREDENTIALS (buzon_command_credentials_new ("echo secret"));
  f->queue = buzon_send_queue_new (f->account, f->store, f->credentials);
  /* Each failed try falls due again at once; a pass tries each message once. */
  buzon_send_queue_set_retry_interval (f->queue, 0);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_clear_object (&f->queue);
  buzon_store_close (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->credentials);
  g_clear_object (&f->account);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  remove_tree (f->dir);
  g_free (f->dir);
}

static gint64
add_message (Fixture *f)
{
  static const char *const recipients[] = { "bob@example.org", NULL };
  static const char raw[] = "From: ana@example.org\r\nTo: bob@example.org\r\n"
                            "Subject: Hola\r\nMessage-ID: <1@example.org>\r\n\r\nHola\r\n";
  g_autoptr (BuzonStoreOutboxItem) item = buzon_store_outbox_item_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id;

  item->raw = g_bytes_new_static (raw, sizeof raw - 1);
  item->sender = g_strdup ("ana@example.org");
  item->recipients = g_strdupv ((char **) recipients);
  item->message_id = g_strdup ("1@example.org");
  buzon_send_queue_add_async (f->queue, item, NULL, result_cb, &result);
  id = buzon_send_queue_add_finish (f->queue, wait_for (&result), &error);
  g_assert_no_error (error);
  return id;
}

static BuzonStoreOutboxItem *
get_message (Fixture *f,
             gint64   id)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BuzonStoreOutboxItem *item;

  buzon_store_get_outbox_async (f->store, id, NULL, result_cb, &result);
  item = buzon_store_get_outbox_finish (f->store, wait_for (&result), &error);
  g_assert_no_error (error);
  return item;
}

static gboolean
flush (Fixture      *f,
       GCancellable *cancellable,
       GError      **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_send_queue_flush_async (f->queue, cancellable, result_cb, &result);
  return buzon_send_queue_flush_finish (f->queue, wait_for (&result), error);
}

/* The server is down: each flush tries the message once and counts the try. A caller that
 * cancels its own (finished) flush afterwards must not stop every later flush. */
static void
test_cancel_after_flush (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonStoreOutboxItem) item = NULL;
  gint64 id = add_message (f);

  g_assert_true (flush (f, cancellable, &error));
  g_assert_no_error (error);
  item = get_message (f, id);
  g_assert_cmpint (item->state, ==, BUZON_STORE_OUTBOX_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_nonnull (item->last_error);
  g_clear_pointer (&item, buzon_store_outbox_item_free);

  /* The user closes the window the first "Send now" came from. */
  g_cancellable_cancel (cancellable);

  flush (f, NULL, &error);
  item = get_message (f, id);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, BUZON_STORE_OUTBOX_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 2);
}

/* A message left refused for good (a recipient's 5xx) that the user sends again is a fresh
 * try: it must not still carry the refusal, which would make the next 4xx for a recipient
 * a refusal too (send-queue-sent.c, finish_item) instead of a retry. */
static void
test_retry_forgets_refusal (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonStoreOutboxItem) item = NULL;
  BuzonStoreOutboxChange step = { 0 };
  gint64 id = add_message (f);

  /* As a pass leaves a message the server took for some and refused for good for others. */
  step.from_states = BUZON_STORE_OUTBOX_ANY_STATE;
  step.state = BUZON_STORE_OUTBOX_FAILED;
  step.last_error = "Not delivered to: bob@example.org (550 no such user)";
  step.add_flags = BUZON_STORE_OUTBOX_FLAG_REFUSED | BUZON_STORE_OUTBOX_FLAG_SENT_SAVED;
  buzon_store_change_outbox_async (f->store, id, &step, NULL, result_cb, &result);
  g_assert_true (buzon_store_change_outbox_finish (f->store, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  buzon_send_queue_retry_async (f->queue, id, NULL, result_cb, &result);
  g_assert_true (buzon_send_queue_retry_finish (f->queue, wait_for (&result), &error));
  g_assert_no_error (error);
  item = get_message (f, id);
  g_assert_cmpint (item->state, ==, BUZON_STORE_OUTBOX_QUEUED);
  g_assert_null (item->last_error);
  g_assert_true (item->flags & BUZON_STORE_OUTBOX_FLAG_SENT_SAVED);
  g_assert_false (item->flags & BUZON_STORE_OUTBOX_FLAG_REFUSED);
}

/* A queue that is gone leaves the account's send lock free, so that the next queue made for the
 * account (the application's, after the account was edited) can send. */
static void
test_lock_released (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonStoreOutboxItem) item = NULL;
  gpointer weak = NULL;
  gint64 id = add_message (f);

  g_assert_true (flush (f, NULL, &error));
  g_assert_no_error (error);
  weak = f->queue;
  g_object_add_weak_pointer (G_OBJECT (f->queue), &weak);
  g_clear_object (&f->queue);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  f->queue = buzon_send_queue_new (f->account, f->store, f->credentials);
  buzon_send_queue_set_retry_interval (f->queue, 0);
  g_assert_null (weak);
  g_assert_true (flush (f, NULL, &error));
  g_assert_no_error (error);
  item = get_message (f, id);
  g_assert_cmpuint (item->attempts, ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/send-queue/cancel-after-flush", Fixture, NULL, fixture_set_up,
              test_cancel_after_flush, fixture_tear_down);
  g_test_add ("/send-queue/retry-forgets-refusal", Fixture, NULL, fixture_set_up,
              test_retry_forgets_refusal, fixture_tear_down);
  g_test_add ("/send-queue/lock-released", Fixture, NULL, fixture_set_up, test_lock_released,
              fixture_tear_down);
  return g_test_run ();
}
