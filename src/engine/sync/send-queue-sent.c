// BuzonSendQueue, the copy in Sent of a message the server took: APPEND
// with \Seen (skipped where the server files its own, as Gmail does), after
// a look for the copy an APPEND cut short may have made; then the message
// leaves the outbox, or waits for the recipients the server did not take.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "account-connect.h"
#include "imap/imap-mailbox.h"
#include "send-queue-private.h"
#include "store/store-folder.h"

static void
sent_copy_failed (GTask        *task,
                  const GError *error)
{
  Pass *pass = g_task_get_task_data (task);
  g_autofree char *reason = NULL;
  BuzonStoreOutboxChange change = { 0 };

  /* Translators: %s says what went wrong. */
  reason = g_strdup_printf (_("The message was sent, but its copy could not be saved in "
                              "Sent: %s"),
                            error->message);
  change.from_states = STATE (ACCEPTED) | STATE (SAVING_SENT);
  change.state = BUZON_STORE_OUTBOX_ACCEPTED;
  change.send_at = _buzon_send_queue_retry_at (pass->self, pass->item->attempts);
  change.last_error = reason;
  change.count_attempt = TRUE;
  _buzon_send_pass_change_then_next (task, &change);
}

static void
imap_failed (GTask        *task,
             const GError *error)
{
  Pass *pass = g_task_get_task_data (task);

  g_clear_object (&pass->imap);
  if (pass->imap_error == NULL)
    pass->imap_error = g_error_copy (error);
  sent_copy_failed (task, error);
}

static void
appended_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (!buzon_imap_session_append_finish (BUZON_IMAP_SESSION (source), result, NULL, NULL,
                                         &error))
    {
      imap_failed (task, error);
      return;
    }
  _buzon_send_pass_finish_item (task, BUZON_STORE_OUTBOX_FLAG_SENT_SAVED);
}

static void
append_copy (GTask *task)
{
  Pass *pass = g_task_get_task_data (task);
  static const char *const flags[] = { "\\Seen", NULL };
  g_autoptr (GByteArray) copy = g_byte_array_new ();
  g_autoptr (GBytes) bytes = NULL;
  gsize size;
  const guint8 *raw = g_bytes_get_data (pass->item->raw, &size);

  if (pass->item->sent_headers != NULL)
    g_byte_array_append (copy, (const guint8 *) pass->item->sent_headers,
                         (guint) strlen (pass->item->sent_headers));
  g_byte_array_append (copy, raw, (guint) size);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&copy));
  buzon_imap_session_append_async (pass->imap, pass->sent_mailbox, bytes, flags, NULL,
                                   g_task_get_cancellable (task), appended_cb,
                                   g_object_ref (task));
}

static void
saving_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (!buzon_store_change_outbox_finish (BUZON_STORE (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _buzon_send_pass_progress (g_task_get_task_data (task), BUZON_STORE_OUTBOX_SAVING_SENT);
  append_copy (task);
}

static void
start_append (GTask *task)
{
  Pass *pass = g_task_get_task_data (task);
  BuzonStoreOutboxChange change = { 0 };

  change.from_states = STATE (ACCEPTED) | STATE (SAVING_SENT);
  change.state = BUZON_STORE_OUTBOX_SAVING_SENT;
  change.last_error = pass->item->last_error;
  buzon_store_change_outbox_async (pass->self->store, pass->item->id, &change, NULL, saving_cb,
                                   g_object_ref (task));
}

static void
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) uids = NULL;

  uids = buzon_imap_session_search_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (uids == NULL)
    {
      imap_failed (task, error);
      return;
    }
  /* An APPEND cut short may still have made the copy. */
  if (uids->len > 0)
    _buzon_send_pass_finish_item (task, BUZON_STORE_OUTBOX_FLAG_SENT_SAVED);
  else
    start_append (task);
}

static void
selected_sent_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapSelected) selected = NULL;
  g_autofree char *message_id = NULL;
  const char *strings[2];

  selected = buzon_imap_session_select_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (selected == NULL)
    {
      imap_failed (task, error);
      return;
    }
  message_id = g_strdup_printf ("<%s>", pass->item->message_id);
  strings[0] = message_id;
  strings[1] = NULL;
  buzon_imap_session_search_async (pass->imap, "HEADER Message-ID ?", strings,
                                   BUZON_IMAP_SEARCH_NONE, g_task_get_cancellable (task),
                                   searched_cb, g_object_ref (task));
}

static void
copy_to_sent (GTask *task)
{
  Pass *pass = g_task_get_task_data (task);

  if (pass->sent_mailbox == NULL)
    {
      /* No Sent folder: nothing to save into. */
      _buzon_send_pass_finish_item (task, BUZON_STORE_OUTBOX_FLAG_SENT_SAVED);
      return;
    }
  if (pass->state == BUZON_STORE_OUTBOX_SAVING_SENT && pass->item->message_id != NULL)
    {
      buzon_imap_session_select_async (pass->imap, pass->sent_mailbox,
                                       BUZON_IMAP_SELECT_READ_ONLY, NULL, NULL, NULL, NULL,
                                       g_task_get_cancellable (task), selected_sent_cb,
                                       g_object_ref (task));
      return;
    }
  start_append (task);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) mailboxes = NULL;

  mailboxes = buzon_imap_session_list_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (mailboxes == NULL)
    {
      imap_failed (task, error);
      return;
    }
  for (guint i = 0; i < mailboxes->len && pass->sent_mailbox == NULL; i++)
    {
      const BuzonImapMailbox *mailbox = mailboxes->pdata[i];

      if (mailbox->special_use == BUZON_IMAP_SPECIAL_USE_SENT)
        pass->sent_mailbox = g_strdup (mailbox->raw_name);
    }
  pass->sent_looked_up = TRUE;
  copy_to_sent (task);
}

static void
folders_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;

  folders = buzon_store_list_folders_finish (BUZON_STORE (source), result, &error);
  if (folders == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < folders->len && pass->sent_mailbox == NULL; i++)
    {
      const BuzonStoreFolder *folder = folders->pdata[i];

      if (folder->special_use == BUZON_IMAP_SPECIAL_USE_SENT)
        pass->sent_mailbox = g_strdup (folder->raw_name);
    }
  if (pass->sent_mailbox == NULL)
    {
      /* An account never synced: the server knows. */
      GCancellable *cancellable = g_task_get_cancellable (task);

      buzon_imap_session_list_async (pass->imap, cancellable, listed_cb, g_steal_pointer (&task));
      return;
    }
  pass->sent_looked_up = TRUE;
  copy_to_sent (task);
}

static void
imap_ready (GTask *task)
{
  Pass *pass = g_task_get_task_data (task);

  /* Gmail and Office 365 file what they send themselves. */
  if (buzon_imap_quirks_get_saves_sent (buzon_imap_session_get_quirks (pass->imap)))
    {
      _buzon_send_pass_finish_item (task, BUZON_STORE_OUTBOX_FLAG_SENT_SAVED);
      return;
    }
  if (!pass->sent_looked_up)
    {
      buzon_store_list_folder_states_async (pass->self->store, g_task_get_cancellable (task),
                                            folders_cb, g_object_ref (task));
      return;
    }
  copy_to_sent (task);
}

static void
imap_connected_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  pass->imap = buzon_account_connect_finish (result, &error);
  if (pass->imap == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      imap_failed (task, error);
      return;
    }
  imap_ready (task);
}

void
_buzon_send_pass_save_sent (GTask *task)
{
  Pass *pass = g_task_get_task_data (task);

  if (pass->item->flags & BUZON_STORE_OUTBOX_FLAG_SENT_SAVED)
    {
      _buzon_send_pass_finish_item (task, BUZON_STORE_OUTBOX_FLAG_NONE);
      return;
    }
  if (pass->imap_error != NULL)
    {
      sent_copy_failed (task, pass->imap_error);
      return;
    }
  if (pass->imap != NULL)
    {
      imap_ready (task);
      return;
    }
  buzon_account_connect_async (pass->self->account, pass->self->credentials,
                               g_task_get_cancellable (task), imap_connected_cb,
                               g_object_ref (task));
}

static void
removed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pass *pass = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!buzon_store_remove_outbox_finish (BUZON_STORE (source), result, &error)
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

/* The server took the message and it is in Sent: out of the outbox, or,
 * for recipients it did not take, back to waiting (a 4xx) or refused. */
void
_buzon_send_pass_finish_item (GTask                *task,
                              BuzonStoreOutboxFlags add_flags)
{
  Pass *pass = g_task_get_task_data (task);
  const BuzonStoreOutboxItem *item = pass->item;
  BuzonStoreOutboxChange change = { 0 };
  gboolean refused;

  if (item->recipients == NULL || item->recipients[0] == NULL)
    {
      buzon_store_remove_outbox_async (pass->self->store, item->id,
                                       STATE (ACCEPTED) | STATE (SAVING_SENT), NULL, removed_cb,
                                       g_object_ref (task));
      return;
    }
  refused = (item->flags & BUZON_STORE_OUTBOX_FLAG_REFUSED) != 0;
  change.from_states = STATE (ACCEPTED) | STATE (SAVING_SENT);
  change.state = refused ? BUZON_STORE_OUTBOX_FAILED : BUZON_STORE_OUTBOX_QUEUED;
  change.send_at = refused ? 0 : _buzon_send_queue_retry_at (pass->self, item->attempts);
  change.last_error = item->last_error;
  change.count_attempt = TRUE;
  change.add_flags = add_flags | BUZON_STORE_OUTBOX_FLAG_SENT_SAVED;
  _buzon_send_pass_change_then_next (task, &change);
}
