// A connection whose input is read ahead, for TLS to run over.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// GnuTLS reads its records from the transport in two reads each, the
// 5-byte header and then the rest, and Dovecot sends records of 4 KiB: a
// first sync of 100,000 messages made 56,000 recv() calls on the main
// thread. Over this stream each read of the socket asks for up to 64 KiB
// and the reads after it are served from what came, so the socket is read
// once for as much as has arrived. Its output and its closing are the base
// connection's own. It is a socket connection on the base's socket, as
// glib-networking wants one to resume TLS sessions (it keys them by the
// peer's address): a plain GIOStream made every connection a full
// handshake.

#include "config.h"

#include <string.h>

#include "read-ahead-stream.h"

#define BUFFER_SIZE (64 * 1024)

/* The input stream: the base's, read ahead. */

#define BUZON_TYPE_READ_AHEAD_INPUT (buzon_read_ahead_input_get_type ())
G_DECLARE_FINAL_TYPE (BuzonReadAheadInput, buzon_read_ahead_input, BUZON, READ_AHEAD_INPUT,
                      GInputStream)

struct _BuzonReadAheadInput
{
  GInputStream parent_instance;

  GInputStream *base; /* Pollable. */
  guint8 *buffer;
  gsize start;        /* What is left to hand over: buffer[start, end). */
  gsize end;
};

static void buzon_read_ahead_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BuzonReadAheadInput, buzon_read_ahead_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      buzon_read_ahead_input_pollable_init))

static gssize
hand_over (BuzonReadAheadInput *self,
           void                *buffer,
           gsize                count)
{
  gsize n = MIN (count, self->end - self->start);

  memcpy (buffer, self->buffer + self->start, n);
  self->start += n;
  return (gssize) n;
}

/* Reads @count bytes at most into @buffer: from what was read ahead, else
 * from one read of the base, blocking or not, into the buffer (a read as
 * large as the buffer goes straight to the caller). */
static gssize
read_ahead (BuzonReadAheadInput *self,
            void                *buffer,
            gsize                count,
            gboolean             blocking,
            GCancellable        *cancellable,
            GError             **error)
{
  gssize n;

  if (self->start < self->end)
    return hand_over (self, buffer, count);
  if (count >= BUFFER_SIZE)
    return g_pollable_stream_read (self->base, buffer, count, blocking, cancellable, error);
  n = g_pollable_stream_read (self->base, self->buffer, BUFFER_SIZE, blocking, cancellable, error);
  if (n <= 0)
    return n;
  self->start = 0;
  self->end = (gsize) n;
  return hand_over (self, buffer, count);
}

static gssize
buzon_read_ahead_input_read (GInputStream  *stream,
                             void          *buffer,
                             gsize          count,
                             GCancellable  *cancellable,
                             GError       **error)
{
  return read_ahead (BUZON_READ_AHEAD_INPUT (stream), buffer, count, TRUE, cancellable, error);
}

static gssize
buzon_read_ahead_input_read_nonblocking (GPollableInputStream *stream,
                                         void                 *buffer,
                                         gsize                 count,
                                         GError              **error)
{
  return read_ahead (BUZON_READ_AHEAD_INPUT (stream), buffer, count, FALSE, NULL, error);
}

static gboolean
buzon_read_ahead_input_can_poll (GPollableInputStream *stream)
{
  BuzonReadAheadInput *self = BUZON_READ_AHEAD_INPUT (stream);

  return g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
buzon_read_ahead_input_is_readable (GPollableInputStream *stream)
{
  BuzonReadAheadInput *self = BUZON_READ_AHEAD_INPUT (stream);

  return self->start < self->end
         || g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

/* Ready at once while bytes wait here, else when the base is. */
static GSource *
buzon_read_ahead_input_create_source (GPollableInputStream *stream,
                                      GCancellable         *cancellable)
{
  BuzonReadAheadInput *self = BUZON_READ_AHEAD_INPUT (stream);
  g_autoptr (GSource) base_source = NULL;

  if (self->start < self->end)
    base_source = g_timeout_source_new (0);
  else
    base_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base),
                                                         NULL);
  return g_pollable_source_new_full (self, base_source, cancellable);
}

/* The connection closes the base; nothing to do here. */
static gboolean
buzon_read_ahead_input_close (GInputStream  *stream,
                              GCancellable  *cancellable,
                              GError       **error)
{
  return TRUE;
}

static void
buzon_read_ahead_input_finalize (GObject *object)
{
  BuzonReadAheadInput *self = BUZON_READ_AHEAD_INPUT (object);

  g_object_unref (self->base);
  g_free (self->buffer);
  G_OBJECT_CLASS (buzon_read_ahead_input_parent_class)->finalize (object);
}

static void
buzon_read_ahead_input_class_init (BuzonReadAheadInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = buzon_read_ahead_input_finalize;
  input_class->read_fn = buzon_read_ahead_input_read;
  input_class->close_fn = buzon_read_ahead_input_close;
}

static void
buzon_read_ahead_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = buzon_read_ahead_input_can_poll;
  iface->is_readable = buzon_read_ahead_input_is_readable;
  iface->create_source = buzon_read_ahead_input_create_source;
  iface->read_nonblocking = buzon_read_ahead_input_read_nonblocking;
}

static void
buzon_read_ahead_input_init (BuzonReadAheadInput *self)
{
  self->buffer = g_malloc (BUFFER_SIZE);
}

/* The connection. */

struct _BuzonReadAheadStream
{
  GTcpConnection parent_instance;

  GIOStream *base;
  GInputStream *input;
};

G_DEFINE_FINAL_TYPE (BuzonReadAheadStream, buzon_read_ahead_stream, G_TYPE_TCP_CONNECTION)

static GInputStream *
buzon_read_ahead_stream_get_input_stream (GIOStream *stream)
{
  return BUZON_READ_AHEAD_STREAM (stream)->input;
}

static GOutputStream *
buzon_read_ahead_stream_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (BUZON_READ_AHEAD_STREAM (stream)->base);
}

static gboolean
buzon_read_ahead_stream_close (GIOStream     *stream,
                               GCancellable  *cancellable,
                               GError       **error)
{
  return g_io_stream_close (BUZON_READ_AHEAD_STREAM (stream)->base, cancellable, error);
}

static void
base_closed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* As the base closes: a GSocketConnection at once, on this thread, where
 * GIOStream's own would close the two streams on a worker thread. */
static void
buzon_read_ahead_stream_close_async (GIOStream           *stream,
                                     int                  io_priority,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, buzon_read_ahead_stream_close_async);
  g_io_stream_close_async (BUZON_READ_AHEAD_STREAM (stream)->base, io_priority, cancellable,
                           base_closed_cb, task);
}

static gboolean
buzon_read_ahead_stream_close_finish (GIOStream     *stream,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
buzon_read_ahead_stream_finalize (GObject *object)
{
  BuzonReadAheadStream *self = BUZON_READ_AHEAD_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (buzon_read_ahead_stream_parent_class)->finalize (object);
}

static void
buzon_read_ahead_stream_class_init (BuzonReadAheadStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = buzon_read_ahead_stream_finalize;
  stream_class->get_input_stream = buzon_read_ahead_stream_get_input_stream;
  stream_class->get_output_stream = buzon_read_ahead_stream_get_output_stream;
  stream_class->close_fn = buzon_read_ahead_stream_close;
  stream_class->close_async = buzon_read_ahead_stream_close_async;
  stream_class->close_finish = buzon_read_ahead_stream_close_finish;
}

static void
buzon_read_ahead_stream_init (BuzonReadAheadStream *self)
{
}

/**
 * buzon_read_ahead_stream_new:
 * @base: the connection; nothing else may read it from now on
 *
 * Returns: (transfer full): a connection on @base's socket, with @base's
 *   output and closing, whose input reads @base's ahead
 */
GIOStream *
buzon_read_ahead_stream_new (GSocketConnection *base)
{
  BuzonReadAheadStream *self;
  BuzonReadAheadInput *input;
  GInputStream *base_input;

  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (base), NULL);
  base_input = g_io_stream_get_input_stream (G_IO_STREAM (base));
  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (base_input), NULL);

  self = g_object_new (BUZON_TYPE_READ_AHEAD_STREAM, "socket",
                       g_socket_connection_get_socket (base), NULL);
  self->base = G_IO_STREAM (g_object_ref (base));
  input = g_object_new (BUZON_TYPE_READ_AHEAD_INPUT, NULL);
  input->base = g_object_ref (base_input);
  self->input = G_INPUT_STREAM (input);
  return G_IO_STREAM (self);
}
