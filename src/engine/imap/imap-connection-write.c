// BuzonImapConnection's writer.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The queue goes out in order, up to MAX_IN_FLIGHT commands on the wire at
// once. The commands queued in one turn of the main loop go out together,
// in one write (one TLS record, one DEFLATE flush): a SELECT and the UID
// SEARCH queued behind it reach the server side by side, however busy the
// machine, and a burst of commands costs one write rather than one each.
// What must go out alone does: a command with synchronising literals (chunk
// by chunk, each after the server's "+"), STARTTLS and COMPRESS (the
// transport changes after them), AUTHENTICATE (the server reads what
// follows as its answer), IDLE, and LOGIN, whose bytes are wiped after.
//
// And LOGOUT, from buzon_imap_connection_logout_async(): written with nothing
// else on the wire, it closes the connection without waiting for the answer.

#include "config.h"

#include "imap-connection-private.h"

#define MAX_IN_FLIGHT 16
/* A batch grows to this many bytes at most (a command bigger goes alone). */
#define MAX_BATCH_BYTES (64 * 1024)

static void after_write (BuzonImapConnection *self);

static void
flush_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (BuzonImapConnection) self = user_data;
  g_autoptr (GError) error = NULL;

  self->write_pending = FALSE;
  if (!g_output_stream_flush_finish (G_OUTPUT_STREAM (source), result, &error))
    {
      _buzon_imap_connection_fail (self, error);
      return;
    }
  if (self->state != STATE_CLOSED)
    after_write (self);
}

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (BuzonImapConnection) self = user_data;
  g_autoptr (GError) error = NULL;

  self->write_pending = FALSE;
  g_clear_pointer (&self->write_bytes, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      _buzon_imap_connection_fail (self, error);
      return;
    }
  if (self->state == STATE_CLOSED)
    return;
  if (self->compressed)
    {
      /* DEFLATE holds data back until told to flush (Z_SYNC_FLUSH). */
      self->write_pending = TRUE;
      g_output_stream_flush_async (self->output, G_PRIORITY_DEFAULT, self->io_cancellable,
                                   flush_done_cb, g_object_ref (self));
      return;
    }
  after_write (self);
}

/* buzon_imap_connection_logout_async()'s LOGOUT is written, with nothing
 * else on the wire: the server will answer BYE and OK, which say nothing a
 * client needs, so the connection closes now instead of a round trip later
 * (RFC 3501 §6.1.3 asks nothing of the client after LOGOUT). What was
 * queued behind it fails as closed, as it would at the server's hang-up. */
static void
close_after_logout (BuzonImapConnection *self,
                    Pending             *pending)
{
  g_autoptr (BuzonImapConnection) hold G_GNUC_UNUSED = g_object_ref (self);

  g_queue_remove (&self->in_flight, pending);
  if (G_UNLIKELY (_buzon_imap_connection_tracing ()))
    _buzon_imap_connection_trace (self, "C:", "(closed after LOGOUT)",
                                  strlen ("(closed after LOGOUT)"));
  buzon_imap_connection_close (self);
  if (pending->task != NULL)
    g_task_return_pointer (pending->task, NULL, NULL);
  _buzon_imap_connection_pending_free (pending);
}

static void
after_write (BuzonImapConnection *self)
{
  Pending *pending;

  /* The server may have answered the command already (a refused literal). */
  pending = self->writing;
  if (pending != NULL && pending->next_chunk >= pending->chunks->len)
    {
      self->writing = NULL; /* All written; wait for its tagged reply. */
      if (pending->close_once_written && self->in_flight.length == 1)
        {
          close_after_logout (self, pending);
          return;
        }
    }
  else if (pending != NULL && pending->continued)
    {
      pending->continued = FALSE;
      _buzon_imap_connection_write_next_chunk (self);
      return;
    }
  else if (pending != NULL && pending->idle && pending->idling && pending->done_requested)
    {
      _buzon_imap_connection_write_next_chunk (self);
      return;
    }
  /* Else: wait for the server's "+" before the next chunk. */
  _buzon_imap_connection_pump (self);
}

static void
start_write (BuzonImapConnection *self,
             GBytes              *bytes)
{
  self->write_bytes = bytes;
  self->write_pending = TRUE;
  self->last_activity = g_get_monotonic_time ();
  g_output_stream_write_all_async (self->output, g_bytes_get_data (bytes, NULL),
                                   g_bytes_get_size (bytes), G_PRIORITY_DEFAULT,
                                   self->io_cancellable, write_done_cb, g_object_ref (self));
}

/* In flight from the first byte: the reply can be read before the write is
 * reported done. */
static void
put_in_flight (BuzonImapConnection *self,
               Pending             *pending,
               GBytes              *chunk)
{
  g_queue_push_tail (&self->in_flight, pending);
  if (G_UNLIKELY (_buzon_imap_connection_tracing ()))
    _buzon_imap_connection_trace (self, "C:",
                                  pending->sensitive ? pending->tag
                                                     : g_bytes_get_data (chunk, NULL),
                                  pending->sensitive ? strlen (pending->tag)
                                                     : g_bytes_get_size (chunk));
}

void
_buzon_imap_connection_write_next_chunk (BuzonImapConnection *self)
{
  Pending *pending = self->writing;
  GBytes *chunk = g_ptr_array_index (pending->chunks, pending->next_chunk++);

  if (pending->next_chunk == 1)
    put_in_flight (self, pending, chunk);
  start_write (self, g_bytes_ref (chunk));
}

static gboolean
goes_alone (const Pending *pending)
{
  return pending->chunks->len > 1 || pending->barrier || pending->sasl != NULL || pending->idle
         || pending->sensitive;
}

/* A command cancelled before it was sent completes at once: there is
 * nothing to wait for. */
static gboolean
drop_if_cancelled (Pending *pending)
{
  GCancellable *cancellable = pending->task != NULL ? g_task_get_cancellable (pending->task)
                                                    : NULL;

  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;
  g_task_return_error_if_cancelled (pending->task);
  _buzon_imap_connection_pending_free (pending);
  return TRUE;
}

/* Writes @first and the commands queued behind it that may go with it. */
static void
write_batch (BuzonImapConnection *self,
             Pending             *first)
{
  Pending *batch[MAX_IN_FLIGHT];
  guint count = 0;
  gsize size = 0;
  GByteArray *bytes;
  Pending *next;

  batch[count++] = first;
  size += g_bytes_get_size (g_ptr_array_index (first->chunks, 0));
  while (self->in_flight.length + count < MAX_IN_FLIGHT
         && (next = g_queue_peek_head (&self->queue)) != NULL && !goes_alone (next))
    {
      gsize next_size = g_bytes_get_size (g_ptr_array_index (next->chunks, 0));

      /* A big APPEND (one chunk with LITERAL+) is not copied into a batch. */
      if (size + next_size > MAX_BATCH_BYTES)
        break;
      g_queue_pop_head (&self->queue);
      if (drop_if_cancelled (next))
        continue;
      batch[count++] = next;
      size += next_size;
    }

  /* The last is the one being written: after_write() finds it all sent. */
  self->writing = batch[count - 1];
  for (guint i = 0; i < count; i++)
    {
      batch[i]->next_chunk = 1;
      put_in_flight (self, batch[i], g_ptr_array_index (batch[i]->chunks, 0));
    }
  if (count == 1)
    {
      start_write (self, g_bytes_ref (g_ptr_array_index (first->chunks, 0)));
      return;
    }
  bytes = g_byte_array_sized_new (size);
  for (guint i = 0; i < count; i++)
    {
      gsize length;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (batch[i]->chunks, 0), &length);

      g_byte_array_append (bytes, data, length);
    }
  start_write (self, g_byte_array_free_to_bytes (bytes));
}

void
_buzon_imap_connection_pump (BuzonImapConnection *self)
{
  /* Commands never wait behind IDLE: queueing one ends it. */
  if (self->writing != NULL && self->writing->idle && self->queue.length > 0)
    _buzon_imap_connection_request_idle_done (self);
  if (self->state == STATE_CLOSED || self->write_pending || self->writing != NULL)
    return;
  for (GList *l = self->in_flight.head; l != NULL; l = l->next)
    if (((Pending *) l->data)->barrier || ((Pending *) l->data)->sasl != NULL)
      return; /* The transport changes, or a challenge may come, until it is answered. */
  while (self->in_flight.length < MAX_IN_FLIGHT && self->queue.length > 0)
    {
      Pending *pending = g_queue_pop_head (&self->queue);

      if (drop_if_cancelled (pending))
        continue;
      if (goes_alone (pending))
        {
          self->writing = pending;
          _buzon_imap_connection_write_next_chunk (self);
        }
      else
        write_batch (self, pending);
      return;
    }
}

static gboolean
pump_cb (gpointer user_data)
{
  BuzonImapConnection *self = user_data;

  g_clear_pointer (&self->pump_source, g_source_unref);
  _buzon_imap_connection_pump (self);
  return G_SOURCE_REMOVE;
}

/* Pumps once the code that queued returns to the main loop, so that what it
 * queues next goes in the same write. */
void
_buzon_imap_connection_pump_soon (BuzonImapConnection *self)
{
  if (self->pump_source != NULL || self->state == STATE_CLOSED)
    return;
  self->pump_source = g_idle_source_new ();
  g_source_set_priority (self->pump_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->pump_source, pump_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (self->pump_source, "[buzon-imap] write");
  g_source_attach (self->pump_source, g_main_context_get_thread_default ());
}

/* LOGOUT. */

static void
logout_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (GError) error = NULL;

  /* An OK, a NO, a hang-up, or nothing at all when the connection closed
   * once LOGOUT was written: the session is over all the same. */
  response = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    g_debug ("LOGOUT ended with: %s", error->message);
  buzon_imap_connection_close (BUZON_IMAP_CONNECTION (source));
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

/**
 * buzon_imap_connection_logout_async:
 * @cancellable: (nullable): only changes the result: LOGOUT goes out and
 *   the connection closes all the same
 *
 * Sends LOGOUT and closes the connection. When LOGOUT is the only command
 * on the wire once written, the connection closes then, without waiting
 * for the server's BYE and OK (a round trip that brings nothing); behind
 * other commands, it closes at the server's answer or hang-up, so that
 * those commands get theirs. "closed" has been emitted when @callback
 * runs (not connected, or still connecting, it closes at once and
 * succeeds). It fails only when cancelled.
 */
void
buzon_imap_connection_logout_async (BuzonImapConnection *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;
  Pending *pending;

  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_connection_logout_async);
  if (self->state == STATE_CLOSED || self->state == STATE_NEW)
    {
      /* Still connecting, perhaps: that stops, and "closed" is told. */
      buzon_imap_connection_close (self);
      g_task_return_boolean (task, TRUE);
      return;
    }
  command = buzon_imap_command_new ("LOGOUT");
  pending = _buzon_imap_connection_queue (self, command, NULL, NULL,
                                          g_task_new (self, NULL, logout_done_cb,
                                                      g_steal_pointer (&task)),
                                          FALSE);
  if (pending != NULL)
    pending->close_once_written = TRUE;
}

gboolean
buzon_imap_connection_logout_finish (BuzonImapConnection *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
