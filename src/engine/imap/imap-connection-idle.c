// BuzonImapConnection while nothing else happens: IDLE (RFC 2177), the
// watchdog that fails a connection whose server stopped answering, and the
// keepalive NOOP that stops a quiet connection from being forgotten.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "imap-connection-private.h"

/* Sends NOOP if the connection has been quiet for the keepalive interval
 * with nothing queued, in flight or idling: IDLE keeps itself alive by
 * being renewed (BuzonImapSession does), and a busy connection is not
 * quiet. The NOOP has no caller; what the server says with it goes to the
 * "untagged" signal. */
static void
keep_alive (BuzonImapConnection *self)
{
  g_autoptr (BuzonImapCommand) noop = NULL;

  if (self->keepalive_seconds == 0 || self->open_task != NULL || self->queue.length > 0
      || self->in_flight.length > 0 || self->writing != NULL
      || g_get_monotonic_time () - self->last_activity
           <= (gint64) self->keepalive_seconds * G_USEC_PER_SEC)
    return;
  noop = buzon_imap_command_new ("NOOP");
  _buzon_imap_connection_queue (self, noop, NULL, NULL, NULL, FALSE);
}

/* The watchdog: a server that stops answering fails the connection rather
 * than hanging what waits on it. */
gboolean
_buzon_imap_connection_watchdog (gpointer user_data)
{
  BuzonImapConnection *self = user_data;
  /* What is queued waits for the server, unless it is about to be written. */
  gboolean waiting = self->open_task != NULL
                     || (self->queue.length > 0 && self->pump_source == NULL);

  /* An answer is due for every command in flight, except an IDLE that was
   * not asked to end: the server may rightly stay silent then. */
  for (GList *l = self->in_flight.head; l != NULL && !waiting; l = l->next)
    {
      Pending *pending = l->data;
      waiting = !(pending->idle && pending->idling && !pending->done_requested);
    }

  if (self->timeout_seconds > 0 && waiting
      && g_get_monotonic_time () - self->last_activity
           > (gint64) self->timeout_seconds * G_USEC_PER_SEC)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *seconds = g_strdup_printf ("%u", self->timeout_seconds);

      /* Translators: the first %s is a host name, the second a number of seconds. */
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           _("The server %s did not answer for %s seconds"), self->url->host,
                           seconds);
      self->watchdog_id = 0;
      _buzon_imap_connection_fail (self, error);
      return G_SOURCE_REMOVE;
    }
  keep_alive (self);
  return G_SOURCE_CONTINUE;
}

/**
 * buzon_imap_connection_set_keepalive:
 * @seconds: how long the connection may stay quiet before it sends NOOP; 0
 *   never sends one. The default is five minutes.
 */
void
buzon_imap_connection_set_keepalive (BuzonImapConnection *self,
                                     guint                seconds)
{
  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));
  self->keepalive_seconds = seconds;
}

/* IDLE (RFC 2177). */

void
_buzon_imap_connection_request_idle_done (BuzonImapConnection *self)
{
  Pending *pending = self->writing;

  if (pending == NULL || !pending->idle)
    {
      /* An IDLE still queued (commands go out when the main loop runs)
       * ends as soon as the server says "+". */
      for (GList *l = self->queue.head; l != NULL; l = l->next)
        if (((Pending *) l->data)->idle)
          ((Pending *) l->data)->done_requested = TRUE;
      return;
    }
  if (pending->done_requested)
    return;
  pending->done_requested = TRUE;
  if (pending->idling && !self->write_pending)
    _buzon_imap_connection_write_next_chunk (self);
}

static void
idle_cancelled_cb (GCancellable        *cancellable,
                   BuzonImapConnection *self)
{
  /* Runs where the cancellable was cancelled: the connection's thread. */
  _buzon_imap_connection_request_idle_done (self);
}

/**
 * buzon_imap_connection_idle_async:
 * @untagged: (nullable): receives EXISTS, EXPUNGE, FETCH… as the server
 *   pushes them during IDLE
 * @cancellable: (nullable): cancelling ends IDLE (DONE); the command then
 *   completes normally, as buzon_imap_connection_idle_done() does
 *
 * Starts IDLE and keeps it until buzon_imap_connection_idle_done(), the
 * cancellable, or another command queued on this connection (commands never
 * wait behind IDLE) ends it; @callback then gets the tagged OK through
 * buzon_imap_connection_command_finish(). RFC 2177 asks clients to end IDLE
 * within 29 minutes: the caller restarts it. A server that refuses IDLE
 * (NO/BAD, as some do though they advertise it) fails the call.
 */
void
buzon_imap_connection_idle_async (BuzonImapConnection  *self,
                                  BuzonImapUntaggedFunc untagged,
                                  gpointer              untagged_data,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  g_autoptr (GTask) task = NULL;
  GPtrArray *chunks;
  char *tag;
  char *line;
  Pending *pending;

  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_connection_command_async);
  if (self->state != STATE_OPEN)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("Not connected to the server"));
      return;
    }
  tag = _buzon_imap_connection_next_tag (self);
  line = g_strdup_printf ("%s IDLE\r\n", tag);
  chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (chunks, g_bytes_new_take (line, strlen (line)));
  g_ptr_array_add (chunks, g_bytes_new_static ("DONE\r\n", 6));
  pending = _buzon_imap_connection_enqueue (self, chunks, tag, g_steal_pointer (&task), untagged,
                                            untagged_data);
  if (pending == NULL)
    return;
  pending->idle = TRUE;
  /* Cancelling ends IDLE as DONE does: the command then completes as the
   * server answers it, not as cancelled. Cancel from this thread. */
  g_task_set_check_cancellable (pending->task, FALSE);
  if (cancellable != NULL)
    {
      pending->cancellable = g_object_ref (cancellable);
      pending->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (idle_cancelled_cb),
                                                     self, NULL);
    }
  _buzon_imap_connection_pump_soon (self);
}

/* TRUE while IDLE is on: the server said "+" and DONE was not sent yet. */
gboolean
buzon_imap_connection_get_idling (BuzonImapConnection *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (self), FALSE);
  return self->writing != NULL && self->writing->idle && self->writing->idling
         && !self->writing->done_requested;
}

/* Ends IDLE if the connection is idling (or about to); else does nothing. */
void
buzon_imap_connection_idle_done (BuzonImapConnection *self)
{
  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));
  _buzon_imap_connection_request_idle_done (self);
}

