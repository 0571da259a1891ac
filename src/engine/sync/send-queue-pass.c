// BuzonSendQueue, one pass over the outbox: the next message due is
// claimed, sent over SMTP with each step written down before it begins,
// and handed to send-queue-sent.c for its Sent copy; what went wrong is
// written into the outbox (a retry later, a refusal, an uncertain outcome).
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "send-queue-private.h"
#include "smtp/smtp-error.h"

/* Announces a state written down, before its step begins. */
void
_buzon_send_pass_progress (Pass                 *pass,
                           BuzonStoreOutboxState state)
{
  g_signal_emit (pass->self, _buzon_send_queue_signals[SIGNAL_MESSAGE_PROGRESS], 0, pass->item_id,
                 (gint) state);
}

static void
pass_free (Pass *pass)
{
  g_clear_object (&pass->self);
  g_hash_table_unref (pass->tried);
  g_clear_pointer (&pass->item, buzon_store_outbox_item_free);
  if (pass->smtp != NULL)
    {
      buzon_smtp_client_set_commit_func (pass->smtp, NULL, NULL, NULL);
      buzon_smtp_client_close (pass->smtp);
      g_object_unref (pass->smtp);
    }
  g_clear_error (&pass->smtp_error);
  g_clear_object (&pass->imap);
  g_clear_error (&pass->imap_error);
  g_free (pass->sent_mailbox);
  g_strfreev (pass->remaining);
  g_free (pass->report);
  g_free (pass);
}

void
_buzon_send_pass_item_done (Pass *pass)
{
  g_clear_pointer (&pass->item, buzon_store_outbox_item_free);
  g_clear_pointer (&pass->remaining, g_strfreev);
  g_clear_pointer (&pass->report, g_free);
  pass->committed = FALSE;
  pass->refused_for_good = FALSE;
}

/* Errors that sending again cannot help: the server refused the message
 * or its recipients for good, or the message cannot go to this server. */
static gboolean
is_permanent (const GError *error)
{
  if (error->domain == BUZON_SMTP_ERROR)
    return error->code == BUZON_SMTP_ERROR_REFUSED
           || error->code == BUZON_SMTP_ERROR_MESSAGE_TOO_BIG
           || error->code == BUZON_SMTP_ERROR_RECIPIENTS_REFUSED
           || error->code == BUZON_SMTP_ERROR_NOT_SUPPORTED;
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* Ending the pass. */

static void
pass_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  BuzonSendQueue *self = BUZON_SEND_QUEUE (source);
  g_autoptr (GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  _buzon_send_queue_pass_finished (self, error);
}

/* Logs out politely, then ends the pass. */
static void
quit_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;

  buzon_smtp_client_quit_finish (BUZON_SMTP_CLIENT (source), result, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
end_pass (GTask *owned)
{
  g_autoptr (GTask) task = owned;
  Pass *pass = g_task_get_task_data (task);

  if (pass->imap != NULL)
    buzon_imap_session_logout_async (pass->imap, NULL, NULL, NULL);
  if (pass->smtp != NULL && !buzon_smtp_client_get_is_closed (pass->smtp))
    {
      buzon_smtp_client_quit_async (pass->smtp, NULL, quit_cb, g_object_ref (task));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Store steps shared by every state. */

static void
changed_next_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  /* A message taken away meanwhile (an undo, a cancel) is no error. */
  if (!buzon_store_change_outbox_finish (BUZON_STORE (source), result, &error)
      && !g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_STATE)
      && !g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _buzon_send_pass_item_done (pass);
  if (g_task_return_error_if_cancelled (task))
    return;
  _buzon_send_pass_next_item (g_steal_pointer (&task));
}

void
_buzon_send_pass_change_then_next (GTask                        *task,
                                   const BuzonStoreOutboxChange *change)
{
  Pass *pass = g_task_get_task_data (task);

  buzon_store_change_outbox_async (pass->self->store, pass->item->id, change, NULL,
                                   changed_next_cb, g_object_ref (task));
}

/* Sending. */

static void
accepted_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!buzon_store_change_outbox_finish (BUZON_STORE (source), result, &error))
    {
      /* The server has the message and the cache could not say so: stop
       * here rather than risk sending it again; the message stays
       * COMMITTING and becomes UNCERTAIN at the next start. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* What the store now holds, for the Sent copy's step. */
  g_strfreev (pass->item->recipients);
  pass->item->recipients = g_steal_pointer (&pass->remaining);
  if (pass->item->recipients == NULL)
    pass->item->recipients = g_new0 (char *, 1);
  g_free (pass->item->last_error);
  pass->item->last_error = g_steal_pointer (&pass->report);
  pass->item->flags &= ~BUZON_STORE_OUTBOX_FLAG_REFUSED;
  if (pass->refused_for_good)
    pass->item->flags |= BUZON_STORE_OUTBOX_FLAG_REFUSED;
  pass->state = BUZON_STORE_OUTBOX_ACCEPTED;
  _buzon_send_pass_progress (pass, BUZON_STORE_OUTBOX_ACCEPTED);
  g_signal_emit (pass->self, _buzon_send_queue_signals[SIGNAL_MESSAGE_SENT], 0, pass->item->id);
  _buzon_send_pass_save_sent (task);
}

static void
handle_result (GTask                     *task,
               const BuzonSmtpSendResult *result)
{
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GPtrArray) remaining = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) report = NULL;
  BuzonStoreOutboxChange change = { 0 };

  for (guint i = 0; i < result->recipients->len; i++)
    {
      const BuzonSmtpRecipientResult *recipient = result->recipients->pdata[i];
      g_autofree char *words = NULL;

      if (recipient->accepted)
        continue;
      words = buzon_smtp_reply_to_string (recipient->reply);
      if (report == NULL)
        /* Translators: a list of addresses with the server's words follows. */
        report = g_string_new (_("Not delivered to: "));
      else
        g_string_append (report, "; ");
      g_string_append_printf (report, "%s (%s)", recipient->address, words);
      if (recipient->reply->code >= 500)
        pass->refused_for_good = TRUE;
      g_ptr_array_add (remaining, g_strdup (recipient->address));
    }
  g_ptr_array_add (remaining, NULL);
  pass->remaining = (GStrv) g_ptr_array_free (g_steal_pointer (&remaining), FALSE);
  pass->report = report != NULL ? g_string_free (g_steal_pointer (&report), FALSE) : NULL;

  change.from_states = STATE (SENDING) | STATE (COMMITTING);
  change.state = BUZON_STORE_OUTBOX_ACCEPTED;
  change.last_error = pass->report;
  change.recipients = (const char * const *) pass->remaining;
  /* Whether the recipients left were refused for good is this try's answer. */
  change.add_flags = pass->refused_for_good ? BUZON_STORE_OUTBOX_FLAG_REFUSED : 0;
  change.remove_flags = BUZON_STORE_OUTBOX_FLAG_REFUSED;
  buzon_store_change_outbox_async (pass->self->store, pass->item->id, &change, NULL, accepted_cb,
                                   g_object_ref (task));
}

static void
requeued_cancelled_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;

  buzon_store_change_outbox_finish (BUZON_STORE (source), result, NULL);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
}

static void
handle_send_error (GTask        *task,
                   const GError *error)
{
  Pass *pass = g_task_get_task_data (task);
  BuzonStoreOutboxChange change = { 0 };
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  change.from_states = STATE (SENDING) | STATE (COMMITTING);
  change.last_error = error->message;
  change.count_attempt = TRUE;
  if (pass->committed
      && (cancelled || g_error_matches (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_OUTCOME_UNKNOWN)
          || g_error_matches (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_CONNECTION)
          || g_error_matches (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_TIMEOUT)))
    {
      /* It may have been delivered: only the user sends it again. */
      change.state = BUZON_STORE_OUTBOX_UNCERTAIN;
    }
  else if (cancelled)
    {
      change.from_states = STATE (SENDING);
      change.state = BUZON_STORE_OUTBOX_QUEUED;
      change.last_error = pass->item->last_error;
      change.count_attempt = FALSE;
      buzon_store_change_outbox_async (pass->self->store, pass->item->id, &change, NULL,
                                       requeued_cancelled_cb, g_object_ref (task));
      return;
    }
  else if (is_permanent (error))
    change.state = BUZON_STORE_OUTBOX_FAILED;
  else
    {
      change.state = BUZON_STORE_OUTBOX_QUEUED;
      change.send_at = _buzon_send_queue_retry_at (pass->self, pass->item->attempts);
    }
  g_signal_emit (pass->self, _buzon_send_queue_signals[SIGNAL_MESSAGE_FAILED], 0, pass->item->id,
                 error);
  _buzon_send_pass_change_then_next (task, &change);
}

static void
forget_smtp (Pass *pass)
{
  if (pass->smtp == NULL)
    return;
  buzon_smtp_client_set_commit_func (pass->smtp, NULL, NULL, NULL);
  buzon_smtp_client_close (pass->smtp);
  g_clear_object (&pass->smtp);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonSmtpSendResult) sent = NULL;

  sent = buzon_smtp_client_send_finish (BUZON_SMTP_CLIENT (source), result, &error);
  if (sent == NULL)
    {
      /* A connection that failed, or whose state is in doubt, is not
       * used for the next message. */
      if (buzon_smtp_client_get_is_closed (pass->smtp) || !is_permanent (error))
        forget_smtp (pass);
      handle_send_error (task, error);
      return;
    }
  handle_result (task, sent);
}

static void
committing_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  GError *error = NULL;

  if (!buzon_store_change_outbox_finish (BUZON_STORE (source), result, &error))
    {
      /* Not written down: the message must not reach the server. */
      buzon_smtp_client_commit (pass->smtp, error);
      return;
    }
  pass->committed = TRUE;
  _buzon_send_pass_progress (pass, BUZON_STORE_OUTBOX_COMMITTING);
  buzon_smtp_client_commit (pass->smtp, NULL);
}

/* The whole message is written but its end: say so before the server
 * can take it. */
static void
commit_cb (BuzonSmtpClient *client,
           gpointer         user_data)
{
  GTask *task = user_data;
  Pass *pass = g_task_get_task_data (task);
  BuzonStoreOutboxChange change = { 0 };

  change.from_states = STATE (SENDING);
  change.state = BUZON_STORE_OUTBOX_COMMITTING;
  change.last_error = pass->item->last_error;
  buzon_store_change_outbox_async (pass->self->store, pass->item->id, &change, NULL,
                                   committing_cb, g_object_ref (task));
}

static void
send_item (GTask *task)
{
  Pass *pass = g_task_get_task_data (task);
  BuzonSmtpSendFlags flags = BUZON_SMTP_SEND_NONE;

  if (pass->item->flags & BUZON_STORE_OUTBOX_FLAG_DSN)
    flags |= BUZON_SMTP_SEND_REQUEST_DSN;
  pass->committed = FALSE;
  /* The pass outlives every send it makes: the send holds its task. */
  buzon_smtp_client_set_commit_func (pass->smtp, commit_cb, task, NULL);
  buzon_smtp_client_send_async (pass->smtp, pass->item->sender,
                                (const char * const *) pass->item->recipients, pass->item->raw,
                                flags, g_task_get_cancellable (task), sent_cb,
                                g_object_ref (task));
}

static void
smtp_failed (GTask  *task,
             GError *error)
{
  Pass *pass = g_task_get_task_data (task);

  forget_smtp (pass);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    pass->smtp_error = g_error_copy (error);
  handle_send_error (task, error);
  g_error_free (error);
}

static void
logged_in_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!buzon_smtp_client_login_finish (BUZON_SMTP_CLIENT (source), result, &error))
    {
      smtp_failed (task, error);
      return;
    }
  send_item (task);
}

static void
password_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  const BuzonServerUrl *url = buzon_account_get_smtp_url (pass->self->account);
  GError *error = NULL;
  char *password;

  password = buzon_credentials_lookup_finish (BUZON_CREDENTIALS (source), result, &error);
  if (password == NULL)
    {
      smtp_failed (task, error);
      return;
    }
  buzon_smtp_client_login_async (pass->smtp, url->user, password, g_task_get_cancellable (task),
                                 logged_in_cb, g_object_ref (task));
  buzon_credentials_secret_free (password);
}

static void
smtp_connected_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  const BuzonServerUrl *url = buzon_account_get_smtp_url (pass->self->account);
  GError *error = NULL;

  if (!buzon_smtp_client_connect_finish (BUZON_SMTP_CLIENT (source), result, &error))
    {
      smtp_failed (task, error);
      return;
    }
  if (url->user == NULL)
    {
      send_item (task);
      return;
    }
  buzon_credentials_lookup_async (pass->self->credentials,
                                  buzon_account_get_id (pass->self->account),
                                  BUZON_CREDENTIALS_PROTOCOL_SMTP, url->host, url->user,
                                  g_task_get_cancellable (task), password_cb,
                                  g_object_ref (task));
}

static void
got_item_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  pass->item = buzon_store_get_outbox_finish (BUZON_STORE (source), result, &error);
  if (pass->item == NULL)
    {
      if (g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
        {
          _buzon_send_pass_next_item (g_steal_pointer (&task));
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (pass->state == BUZON_STORE_OUTBOX_ACCEPTED || pass->state == BUZON_STORE_OUTBOX_SAVING_SENT)
    {
      _buzon_send_pass_save_sent (task);
      return;
    }
  if (pass->smtp_error != NULL)
    {
      handle_send_error (task, pass->smtp_error);
      return;
    }
  if (pass->smtp != NULL && !buzon_smtp_client_get_is_closed (pass->smtp))
    {
      send_item (task);
      return;
    }
  forget_smtp (pass);
  pass->smtp = buzon_smtp_client_new (buzon_account_get_smtp_url (pass->self->account),
                                      buzon_account_get_trusted_certificates (
                                        pass->self->account));
  buzon_smtp_client_connect_async (pass->smtp, g_task_get_cancellable (task), smtp_connected_cb,
                                   g_object_ref (task));
}

static void
claimed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!buzon_store_change_outbox_finish (BUZON_STORE (source), result, &error))
    {
      /* Undone or cancelled since the listing. */
      if (g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_STATE)
          || g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
        {
          _buzon_send_pass_next_item (g_steal_pointer (&task));
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pass->state = BUZON_STORE_OUTBOX_SENDING;
  _buzon_send_pass_progress (pass, BUZON_STORE_OUTBOX_SENDING);
  buzon_store_get_outbox_async (pass->self->store, pass->item_id, NULL, got_item_cb,
                                g_object_ref (task));
}

/* Picking the next message. */

static gboolean
is_due (const BuzonStoreOutboxItem *item,
        gint64                      now)
{
  switch (item->state)
    {
    case BUZON_STORE_OUTBOX_QUEUED:
    case BUZON_STORE_OUTBOX_ACCEPTED:
      return item->send_at <= now;
    case BUZON_STORE_OUTBOX_SAVING_SENT:
      return TRUE;
    case BUZON_STORE_OUTBOX_SENDING:
    case BUZON_STORE_OUTBOX_COMMITTING:
    case BUZON_STORE_OUTBOX_FAILED:
    case BUZON_STORE_OUTBOX_UNCERTAIN:
    default:
      return FALSE;
    }
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  const BuzonStoreOutboxItem *next = NULL;
  gint64 now = _buzon_send_queue_now ();
  BuzonStoreOutboxChange change = { 0 };

  items = buzon_store_list_outbox_finish (BUZON_STORE (source), result, &error);
  if (items == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Messages the server took come first: their Sent copy is owed. */
  for (guint i = 0; i < items->len && next == NULL; i++)
    {
      const BuzonStoreOutboxItem *item = items->pdata[i];

      if (item->state != BUZON_STORE_OUTBOX_QUEUED && is_due (item, now)
          && !g_hash_table_contains (pass->tried, &item->id))
        next = item;
    }
  for (guint i = 0; i < items->len && next == NULL; i++)
    {
      const BuzonStoreOutboxItem *item = items->pdata[i];

      if (is_due (item, now) && !g_hash_table_contains (pass->tried, &item->id))
        next = item;
    }
  if (next == NULL)
    {
      end_pass (g_steal_pointer (&task));
      return;
    }
  pass->item_id = next->id;
  pass->state = next->state;
  g_hash_table_add (pass->tried, g_memdup2 (&next->id, sizeof next->id));
  if (next->state != BUZON_STORE_OUTBOX_QUEUED)
    {
      buzon_store_get_outbox_async (pass->self->store, pass->item_id, NULL, got_item_cb,
                                    g_steal_pointer (&task));
      return;
    }
  /* Claimed in one transaction with the check that it is still QUEUED:
   * an undo that came first wins, and one that comes later fails. */
  change.from_states = STATE (QUEUED);
  change.state = BUZON_STORE_OUTBOX_SENDING;
  change.last_error = next->last_error;
  buzon_store_change_outbox_async (pass->self->store, pass->item_id, &change, NULL, claimed_cb,
                                   g_steal_pointer (&task));
}

void
_buzon_send_pass_next_item (GTask *task)
{
  Pass *pass = g_task_get_task_data (task);

  buzon_store_list_outbox_async (pass->self->store, NULL, listed_cb, task);
}

/* Starting a pass. */

/* Takes the account's send lock, once for the queue's life. */
static gboolean
take_lock (BuzonSendQueue *self,
           GError        **error)
{
  g_autofree char *path = NULL;
  int fd;

  if (self->lock_fd >= 0)
    return TRUE;
  path = g_strconcat (buzon_store_get_path (self->store), ".send-lock", NULL);
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      /* Translators: %s is a file name, the second %s why it failed. */
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      int saved = errno;

      close (fd);
      if (saved == EWOULDBLOCK)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                             _("Another Buzón is sending this account’s mail; it sends this "
                               "message too"));
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     _("Could not lock %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  self->lock_fd = fd;
  return TRUE;
}

static void
recovered_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  buzon_store_recover_outbox_finish (BUZON_STORE (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pass->self->recovered = TRUE;
  _buzon_send_pass_next_item (g_steal_pointer (&task));
}

void
_buzon_send_queue_run_pass (BuzonSendQueue *self)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  Pass *pass;

  task = g_task_new (self, self->cancellable, pass_cb, NULL);
  g_task_set_source_tag (task, _buzon_send_queue_run_pass);
  pass = g_new0 (Pass, 1);
  pass->self = g_object_ref (self);
  pass->tried = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_task_set_task_data (task, pass, (GDestroyNotify) pass_free);
  if (!take_lock (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!self->recovered)
    {
      buzon_store_recover_outbox_async (self->store, NULL, recovered_cb, g_steal_pointer (&task));
      return;
    }
  _buzon_send_pass_next_item (g_steal_pointer (&task));
}
