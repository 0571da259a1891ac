// BuzonSendQueue: sends the outbox's messages as they fall due, one at a
// time, and saves each one's copy in Sent.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A message's way out, each state written before its step (see
// store-outbox.h): QUEUED until its time → SENDING (SMTP connection, login,
// envelope, the bytes) → COMMITTING (just before the ".\r\n" that makes the
// server take it) → ACCEPTED → SAVING_SENT (APPEND to Sent) → removed. A
// send queue killed on the way restarts from the state: a message SENDING
// goes again, as the server cannot have it; one COMMITTING becomes
// UNCERTAIN, which only the user sends again, so that nothing the server
// took is sent twice; one ACCEPTED or SAVING_SENT only gets its Sent copy
// (after a look for the copy a killed APPEND may have made).
//
// Only one process sends an account's mail at a time: the queue holds an
// exclusive lock on a file beside the store from its first pass on. A
// queue that cannot take it fails with G_IO_ERROR_BUSY: the queue that holds
// it sends what is added (it reads the outbox every minute).

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "mime/mime-error.h"
#include "mime/mime-text.h"
#include "send-queue-private.h"

G_DEFINE_FINAL_TYPE (BuzonSendQueue, buzon_send_queue, G_TYPE_OBJECT)

guint _buzon_send_queue_signals[N_SIGNALS];

static void schedule (BuzonSendQueue *self,
                      guint           seconds);

gint64
_buzon_send_queue_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* When a message that failed @attempts times before may go again. */
gint64
_buzon_send_queue_retry_at (BuzonSendQueue *self,
                            guint           attempts)
{
  guint64 delay = (guint64) self->retry_interval << MIN (attempts, 6u);

  delay = MIN (delay, (guint64) BUZON_SEND_QUEUE_MAX_RETRY_INTERVAL);
  return _buzon_send_queue_now () + (gint64) delay;
}

/* Ending a pass. */

/* A caller's cancellable, tied to the pass that answers it for as long
 * as that pass runs, and no longer. */
typedef struct
{
  BuzonSendQueue *self; /* Not a reference: the pass holds one. */
  GCancellable *cancellable;
  gulong handler;
} Caller;

static void
caller_free (Caller *caller)
{
  if (caller->handler != 0)
    g_cancellable_disconnect (caller->cancellable, caller->handler);
  g_object_unref (caller->cancellable);
  g_free (caller);
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     Caller       *caller)
{
  BuzonSendQueue *self = caller->self;

  /* Only the pass running for this caller stops; a caller still waiting
   * for the next pass just gets its cancellation when it runs. */
  for (guint i = 0; self->pass_tasks != NULL && i < self->pass_tasks->len; i++)
    if (g_task_get_task_data (self->pass_tasks->pdata[i]) == caller)
      g_cancellable_cancel (self->cancellable);
}

/* Runs a pass for the callers in pass_tasks, with a cancellable of its
 * own: cancelled already if one of them cancelled while it waited. */
static void
begin_pass (BuzonSendQueue *self)
{
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_object_unref (self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  for (guint i = 0; i < self->pass_tasks->len; i++)
    {
      Caller *caller = g_task_get_task_data (self->pass_tasks->pdata[i]);

      if (caller != NULL && caller->handler == 0)
        caller->handler = g_cancellable_connect (caller->cancellable,
                                                 G_CALLBACK (caller_cancelled_cb), caller, NULL);
    }
  _buzon_send_queue_run_pass (self);
}

static void
return_tasks (GPtrArray    *tasks,
              const GError *error)
{
  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = tasks->pdata[i];

      /* Cut the tie first: cancelling afterwards must not stop a later pass. */
      g_task_set_task_data (task, NULL, NULL);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}


void
_buzon_send_queue_pass_finished (BuzonSendQueue *self,
                                 const GError   *error)
{
  g_autoptr (GPtrArray) tasks = g_steal_pointer (&self->pass_tasks);

  return_tasks (tasks, error);
  if (self->next_tasks != NULL)
    {
      self->pass_tasks = g_steal_pointer (&self->next_tasks);
      begin_pass (self);
      return;
    }
  if (self->started)
    schedule (self, 0);
}

/**
 * buzon_send_queue_flush_async:
 * @cancellable: (nullable): cancelling stops the pass; a message on its
 *   way goes back to waiting, or, if the server may have it already,
 *   becomes uncertain
 *
 * Sends every message that is due (its undo window or chosen time past),
 * one after the other, and finishes what was left half done: a message
 * the server took gets its Sent copy. Succeeds when each due message was
 * tried, whatever happened to it (see the outbox for that, and the
 * message-sent and message-failed signals); fails with %G_IO_ERROR_BUSY
 * when another process is sending this account's mail. A call while a
 * pass runs is answered by the next pass, which begins after it.
 */
void
buzon_send_queue_flush_async (BuzonSendQueue      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BUZON_IS_SEND_QUEUE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_send_queue_flush_async);
  if (cancellable != NULL)
    {
      Caller *caller = g_new0 (Caller, 1);

      caller->self = self;
      caller->cancellable = g_object_ref (cancellable);
      g_task_set_task_data (task, caller, (GDestroyNotify) caller_free);
    }
  if (self->pass_tasks != NULL)
    {
      if (self->next_tasks == NULL)
        self->next_tasks = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (self->next_tasks, task);
      return;
    }
  self->pass_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->pass_tasks, task);
  begin_pass (self);
}

gboolean
buzon_send_queue_flush_finish (BuzonSendQueue  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Sending by itself. */

static void
timer_pass_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  /* Failures are in the outbox, or mean another process sends. */
  buzon_send_queue_flush_finish (BUZON_SEND_QUEUE (source), result, NULL);
}

static gboolean
timer_cb (gpointer user_data)
{
  BuzonSendQueue *self = user_data;

  self->timer_id = 0;
  if (self->pass_tasks == NULL)
    buzon_send_queue_flush_async (self, NULL, timer_pass_cb, NULL);
  return G_SOURCE_REMOVE;
}

static void
next_due_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (BuzonSendQueue) self = user_data;
  g_autoptr (GPtrArray) items = NULL;
  gint64 now = _buzon_send_queue_now ();
  gint64 wait = BUZON_SEND_QUEUE_POLL_INTERVAL;

  items = buzon_store_list_outbox_finish (BUZON_STORE (source), result, NULL);
  if (!self->started || items == NULL)
    return;
  for (guint i = 0; i < items->len; i++)
    {
      const BuzonStoreOutboxItem *item = items->pdata[i];

      if (item->state == BUZON_STORE_OUTBOX_QUEUED || item->state == BUZON_STORE_OUTBOX_ACCEPTED)
        wait = MIN (wait, MAX (item->send_at - now, 1));
    }
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_id = g_timeout_add_seconds ((guint) wait, timer_cb, self);
}

/* Runs a pass after @seconds, or, with 0, when the next message falls due. */
static void
schedule (BuzonSendQueue *self,
          guint           seconds)
{
  if (!self->started)
    return;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (seconds > 0)
    {
      self->timer_id = g_timeout_add_seconds (seconds, timer_cb, self);
      return;
    }
  buzon_store_list_outbox_async (self->store, NULL, next_due_cb, g_object_ref (self));
}

static void
outbox_changed_cb (BuzonStore     *store,
                   BuzonSendQueue *self)
{
  if (self->pass_tasks == NULL)
    schedule (self, 0);
}

/**
 * buzon_send_queue_start:
 *
 * Sends each message when it falls due, from now until
 * buzon_send_queue_stop(): at the end of its undo window, at its chosen
 * time, at its next retry; and looks at the outbox every minute for what
 * another process added.
 */
void
buzon_send_queue_start (BuzonSendQueue *self)
{
  g_return_if_fail (BUZON_IS_SEND_QUEUE (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->outbox_changed_id = g_signal_connect (self->store, "outbox-changed",
                                              G_CALLBACK (outbox_changed_cb), self);
  if (self->pass_tasks == NULL)
    buzon_send_queue_flush_async (self, NULL, timer_pass_cb, NULL);
}

/**
 * buzon_send_queue_stop:
 *
 * Stops sending by itself, and cancels the pass running: a message on
 * its way waits for the next start (or becomes uncertain if the server
 * may have it).
 */
void
buzon_send_queue_stop (BuzonSendQueue *self)
{
  g_return_if_fail (BUZON_IS_SEND_QUEUE (self));

  if (!self->started)
    return;
  self->started = FALSE;
  g_clear_signal_handler (&self->outbox_changed_id, self->store);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
}

/* Adding, undoing, retrying, cancelling. */

static void
store_boolean_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  gboolean done;

  if (g_task_get_source_tag (task) == buzon_send_queue_retry_async)
    done = buzon_store_change_outbox_finish (BUZON_STORE (source), result, &error);
  else
    done = buzon_store_remove_outbox_finish (BUZON_STORE (source), result, &error);
  if (!done)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
added_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  gint64 id;

  id = buzon_store_add_outbox_finish (BUZON_STORE (source), result, &error);
  if (id == 0)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_int (task, id);
}

/**
 * buzon_send_queue_add_async:
 * @item: the message: @raw, @sender and @recipients at least; @send_at 0
 *   means at the end of the account's undo window (at once with none)
 *
 * Puts a message in the outbox. Once the callback runs it is kept
 * durably: nothing that happens after (a crash, a power cut, a server
 * down) loses it. A started queue sends it when due; else
 * buzon_send_queue_flush_async() does.
 */
void
buzon_send_queue_add_async (BuzonSendQueue             *self,
                            const BuzonStoreOutboxItem *item,
                            GCancellable               *cancellable,
                            GAsyncReadyCallback         callback,
                            gpointer                    user_data)
{
  g_autoptr (GTask) task = NULL;
  BuzonStoreOutboxItem copy;

  g_return_if_fail (BUZON_IS_SEND_QUEUE (self));
  g_return_if_fail (item != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_send_queue_add_async);
  copy = *item;
  if (copy.send_at == 0)
    copy.send_at = _buzon_send_queue_now () + buzon_account_get_undo_seconds (self->account);
  buzon_store_add_outbox_async (self->store, &copy, cancellable, added_cb,
                                g_steal_pointer (&task));
}

static BuzonStoreOutboxItem *
item_for (GBytes    *raw,
          GDateTime *send_at)
{
  BuzonStoreOutboxItem *item = buzon_store_outbox_item_new ();

  item->raw = g_bytes_ref (raw);
  if (send_at != NULL)
    {
      item->send_at = g_date_time_to_unix (send_at);
      item->flags |= BUZON_STORE_OUTBOX_FLAG_SEND_LATER;
    }
  return item;
}

/**
 * buzon_send_queue_add_draft_async:
 * @send_at: (nullable): when to send it; %NULL: at the end of the undo
 *   window
 *
 * Builds the message (without Bcc; the Bcc line goes into the Sent copy
 * only) and puts it in the outbox, as buzon_send_queue_add_async(). Fails
 * with a %BUZON_MIME_ERROR when the draft cannot be sent as it is (no
 * recipient, an address that is not one, a line break in a field).
 */
void
buzon_send_queue_add_draft_async (BuzonSendQueue      *self,
                                  BuzonDraft          *draft,
                                  GDateTime           *send_at,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr (BuzonStoreOutboxItem) item = NULL;
  g_autoptr (GBytes) raw = NULL;
  g_autoptr (GError) error = NULL;
  const char *message_id;

  g_return_if_fail (BUZON_IS_SEND_QUEUE (self));
  g_return_if_fail (BUZON_IS_DRAFT (draft));

  if (!buzon_draft_validate (draft, TRUE, &error)
      || (raw = buzon_draft_build (draft, BUZON_DRAFT_BUILD_NONE, &error)) == NULL)
    {
      g_task_report_error (self, callback, user_data, buzon_send_queue_add_draft_async,
                           g_steal_pointer (&error));
      return;
    }
  item = item_for (raw, send_at);
  item->sender = buzon_draft_dup_sender_address (draft);
  item->recipients = buzon_draft_dup_recipient_addresses (draft);
  item->sent_headers = buzon_draft_build_bcc_header (draft);
  item->subject = g_strdup (buzon_draft_get_subject (draft));
  message_id = buzon_draft_get_message_id (draft);
  item->message_id = g_strdup (message_id);
  if (buzon_draft_get_request_receipt (draft))
    item->flags |= BUZON_STORE_OUTBOX_FLAG_DSN;
  buzon_send_queue_add_async (self, item, cancellable, callback, user_data);
}

static void
addresses_of (InternetAddressList *list,
              GPtrArray           *into)
{
  for (int i = 0; list != NULL && i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_MAILBOX (address))
        g_ptr_array_add (into, g_strdup (internet_address_mailbox_get_addr (
                                 INTERNET_ADDRESS_MAILBOX (address))));
      else if (INTERNET_ADDRESS_IS_GROUP (address))
        addresses_of (internet_address_group_get_members (INTERNET_ADDRESS_GROUP (address)),
                      into);
    }
}

/* @raw with CRLF line ends (as SMTP and IMAP want them) and without its
 * Bcc header, which goes into @bcc (NULL when there is none). */
static GBytes *
split_bcc (GBytes  *raw,
           char   **bcc)
{
  gsize length;
  const char *data = g_bytes_get_data (raw, &length);
  GByteArray *out = g_byte_array_sized_new ((guint) MIN (length + length / 32, G_MAXUINT));
  g_autoptr (GString) removed = NULL;
  gboolean in_headers = TRUE;
  gboolean in_bcc = FALSE;
  gsize start = 0;

  while (start < length)
    {
      const char *newline = memchr (data + start, '\n', length - start);
      gsize end = newline != NULL ? (gsize) (newline - data) : length;
      gsize content = end > start && data[end - 1] == '\r' ? end - 1 : end;
      gboolean drop = FALSE;

      if (in_headers)
        {
          if (content == start)
            in_headers = FALSE;
          else if (data[start] == ' ' || data[start] == '\t')
            drop = in_bcc;
          else
            drop = in_bcc = content - start >= 4
                            && g_ascii_strncasecmp (data + start, "bcc:", 4) == 0;
        }
      if (drop)
        {
          if (removed == NULL)
            removed = g_string_new (NULL);
          g_string_append_len (removed, data + start, (gssize) (content - start));
          g_string_append (removed, "\r\n");
        }
      else
        {
          g_byte_array_append (out, (const guint8 *) data + start, (guint) (content - start));
          if (newline != NULL)
            g_byte_array_append (out, (const guint8 *) "\r\n", 2);
        }
      start = end + 1;
    }
  *bcc = removed != NULL ? g_string_free (g_steal_pointer (&removed), FALSE) : NULL;
  return g_byte_array_free_to_bytes (out);
}

/**
 * buzon_send_queue_add_raw_async:
 * @raw: a whole message, as it is to be sent
 *
 * Puts a message made elsewhere in the outbox: its envelope comes from
 * its From (or Sender) and its To, Cc and Bcc. A Bcc header is kept out
 * of the bytes sent and put in the Sent copy only.
 */
void
buzon_send_queue_add_raw_async (BuzonSendQueue      *self,
                                GBytes              *raw,
                                GDateTime           *send_at,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr (BuzonStoreOutboxItem) item = NULL;
  g_autoptr (GObject) parsed = NULL; /* The message, freed at the end. */
  GMimeMessage *message;
  g_autoptr (GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) senders = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) split = NULL;
  g_autofree char *bcc = NULL;

  g_return_if_fail (BUZON_IS_SEND_QUEUE (self));
  g_return_if_fail (raw != NULL);

  message = buzon_mime_parse_message (raw, &error);
  parsed = (GObject *) message;
  if (message == NULL)
    {
      g_task_report_error (self, callback, user_data, buzon_send_queue_add_raw_async,
                           g_steal_pointer (&error));
      return;
    }
  addresses_of (g_mime_message_get_sender (message), senders);
  if (senders->len == 0)
    addresses_of (g_mime_message_get_from (message), senders);
  addresses_of (g_mime_message_get_to (message), recipients);
  addresses_of (g_mime_message_get_cc (message), recipients);
  addresses_of (g_mime_message_get_bcc (message), recipients);
  if (senders->len == 0 || recipients->len == 0)
    {
      g_task_report_new_error (self, callback, user_data, buzon_send_queue_add_raw_async,
                               BUZON_MIME_ERROR,
                               senders->len == 0 ? BUZON_MIME_ERROR_NO_SENDER
                                                 : BUZON_MIME_ERROR_NO_RECIPIENTS,
                               senders->len == 0
                                 ? _("The message has no From address to send it as")
                                 : _("The message has no recipient (To, Cc or Bcc)"));
      return;
    }
  g_ptr_array_add (recipients, NULL);
  split = split_bcc (raw, &bcc);
  item = item_for (split, send_at);
  item->sent_headers = g_steal_pointer (&bcc);
  item->sender = g_strdup (senders->pdata[0]);
  item->recipients = (GStrv) g_ptr_array_free (g_steal_pointer (&recipients), FALSE);
  item->subject = g_strdup (g_mime_message_get_subject (message));
  item->message_id = g_strdup (g_mime_message_get_message_id (message));
  buzon_send_queue_add_async (self, item, cancellable, callback, user_data);
}

/**
 * buzon_send_queue_add_finish:
 *
 * Returns: the message's outbox id, or 0 with @error
 */
gint64
buzon_send_queue_add_finish (BuzonSendQueue  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return g_task_propagate_int (G_TASK (result), error);
}

static void
remove_item (BuzonSendQueue      *self,
             gint64               id,
             guint                from_states,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  buzon_store_remove_outbox_async (self->store, id, from_states, cancellable, store_boolean_cb,
                                   task);
}

/**
 * buzon_send_queue_undo_async:
 *
 * Takes back a message that has not started on its way: it leaves the
 * outbox and nothing is sent. Fails with %BUZON_STORE_ERROR_STATE once it
 * is being sent (too late), %BUZON_STORE_ERROR_NOT_FOUND once it is gone.
 */
void
buzon_send_queue_undo_async (BuzonSendQueue      *self,
                             gint64               id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_SEND_QUEUE (self));
  remove_item (self, id, STATE (QUEUED), buzon_send_queue_undo_async, cancellable, callback,
               user_data);
}

gboolean
buzon_send_queue_undo_finish (BuzonSendQueue  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_send_queue_cancel_async:
 *
 * Removes a message from the outbox unsent: one waiting, one refused, one
 * whose delivery is uncertain, or one the server took whose Sent copy
 * will not be made. Fails with %BUZON_STORE_ERROR_STATE while it is on
 * its way to the server.
 */
void
buzon_send_queue_cancel_async (BuzonSendQueue      *self,
                               gint64               id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_SEND_QUEUE (self));
  remove_item (self, id, STATE (QUEUED) | STATE (FAILED) | STATE (UNCERTAIN) | STATE (ACCEPTED),
               buzon_send_queue_cancel_async, cancellable, callback, user_data);
}

gboolean
buzon_send_queue_cancel_finish (BuzonSendQueue  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_send_queue_retry_async:
 *
 * Makes a waiting, refused or uncertain message due now (an uncertain
 * one may then reach its recipients twice: the user chose so). A message
 * the server took only gets its Sent copy tried again.
 */
void
buzon_send_queue_retry_async (BuzonSendQueue      *self,
                              gint64               id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  BuzonStoreOutboxChange change = { 0 };

  g_return_if_fail (BUZON_IS_SEND_QUEUE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_send_queue_retry_async);
  change.from_states = STATE (QUEUED) | STATE (FAILED) | STATE (UNCERTAIN);
  change.state = BUZON_STORE_OUTBOX_QUEUED;
  change.send_at = _buzon_send_queue_now ();
  /* A fresh try: an earlier refusal says nothing of the next answer. */
  change.remove_flags = BUZON_STORE_OUTBOX_FLAG_REFUSED;
  buzon_store_change_outbox_async (self->store, id, &change, cancellable, store_boolean_cb, task);
}

gboolean
buzon_send_queue_retry_finish (BuzonSendQueue  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The object. */

/* Seconds before the first retry of a message that failed for a reason
 * that may pass (60 unless set; doubled at each retry, up to an hour). */
void
buzon_send_queue_set_retry_interval (BuzonSendQueue *self,
                                     guint           seconds)
{
  g_return_if_fail (BUZON_IS_SEND_QUEUE (self));
  self->retry_interval = seconds;
}

static void
buzon_send_queue_dispose (GObject *object)
{
  BuzonSendQueue *self = BUZON_SEND_QUEUE (object);

  buzon_send_queue_stop (self);
  G_OBJECT_CLASS (buzon_send_queue_parent_class)->dispose (object);
}

static void
buzon_send_queue_finalize (GObject *object)
{
  BuzonSendQueue *self = BUZON_SEND_QUEUE (object);

  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->account);
  g_clear_object (&self->store);
  g_clear_object (&self->credentials);
  G_OBJECT_CLASS (buzon_send_queue_parent_class)->finalize (object);
}

static void
buzon_send_queue_class_init (BuzonSendQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_send_queue_dispose;
  object_class->finalize = buzon_send_queue_finalize;

  /**
   * BuzonSendQueue::message-sent:
   * @id: the message's outbox id
   *
   * The server took the message (for every recipient, or for some: the
   * outbox keeps the others with the server's words). Its Sent copy comes
   * next.
   */
  _buzon_send_queue_signals[SIGNAL_MESSAGE_SENT] =
    g_signal_new ("message-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * BuzonSendQueue::message-failed:
   * @id: the message's outbox id
   * @error: why; the outbox says whether it waits for a retry, was
   *   refused or may have been delivered
   */
  _buzon_send_queue_signals[SIGNAL_MESSAGE_FAILED] =
    g_signal_new ("message-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_ERROR);
  /**
   * BuzonSendQueue::message-progress:
   * @id: the message's outbox id
   * @state: (type BuzonStoreOutboxState): the step it is at, written down
   *   (SENDING, COMMITTING, ACCEPTED, SAVING_SENT)
   *
   * For a "Sending…" line: emitted as each step begins.
   */
  _buzon_send_queue_signals[SIGNAL_MESSAGE_PROGRESS] =
    g_signal_new ("message-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT);
}

static void
buzon_send_queue_init (BuzonSendQueue *self)
{
  self->lock_fd = -1;
  self->retry_interval = BUZON_SEND_QUEUE_DEFAULT_RETRY_INTERVAL;
  self->cancellable = g_cancellable_new ();
}

/**
 * buzon_send_queue_new:
 * @store: the account's store, open
 * @credentials: where the SMTP password (and the IMAP one, for the Sent
 *   copy) comes from
 */
BuzonSendQueue *
buzon_send_queue_new (BuzonAccount     *account,
                      BuzonStore       *store,
                      BuzonCredentials *credentials)
{
  BuzonSendQueue *self;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (BUZON_IS_CREDENTIALS (credentials), NULL);

  self = g_object_new (BUZON_TYPE_SEND_QUEUE, NULL);
  self->account = g_object_ref (account);
  self->store = g_object_ref (store);
  self->credentials = g_object_ref (credentials);
  return self;
}
