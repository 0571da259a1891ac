// Tests for BuzonReadAheadStream over a socket pair.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>

#include "net/read-ahead-stream.h"

typedef struct
{
  GSocketConnection *near; /* Read through the stream under test. */
  GSocketConnection *far;  /* Written by the test, as a server would. */
  GIOStream *stream;
} Fixture;

static GSocketConnection *
connection_for (int fd)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = g_socket_new_from_fd (fd, &error);

  g_assert_no_error (error);
  return g_socket_connection_factory_create_connection (socket);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  f->near = connection_for (fds[0]);
  f->far = connection_for (fds[1]);
  f->stream = buzon_read_ahead_stream_new (f->near);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_clear_object (&f->stream);
  g_clear_object (&f->near);
  g_clear_object (&f->far);
}

static void
send_far (Fixture    *f,
          const char *data,
          gsize       length)
{
  g_autoptr (GError) error = NULL;
  gsize written = 0;

  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (f->far)),
                                            data, length, &written, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, length);
}

static gboolean
ready_cb (GObject  *stream,
          gpointer  user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Whether the stream's source fires within a few iterations. */
static gboolean
source_fires (GPollableInputStream *input)
{
  g_autoptr (GSource) source = g_pollable_input_stream_create_source (input, NULL);
  gboolean fired = FALSE;

  g_source_set_callback (source, G_SOURCE_FUNC (ready_cb), &fired, NULL);
  g_source_attach (source, NULL);
  for (guint i = 0; i < 10 && !fired; i++)
    g_main_context_iteration (NULL, FALSE);
  g_source_destroy (source);
  return fired;
}

/* Reads as GnuTLS does, a header and then the rest, get every byte in
 * order, blocking and not; what is read ahead counts as readable, and a
 * source fires for it without the socket having more. */
static void
test_reads (Fixture      *f,
            gconstpointer data)
{
  GPollableInputStream *input = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (f->stream));
  g_autoptr (GString) sent = g_string_new (NULL);
  g_autoptr (GString) got = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  char buffer[5000];
  gssize n;

  g_assert_true (g_pollable_input_stream_can_poll (input));
  g_assert_false (g_pollable_input_stream_is_readable (input));
  g_assert_false (source_fires (input));
  n = g_pollable_input_stream_read_nonblocking (input, buffer, 5, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_cmpint (n, ==, -1);
  g_clear_error (&error);

  for (guint i = 0; i < 20; i++)
    g_string_append_printf (sent, "%05u%04095u", i, i);
  send_far (f, sent->str, sent->len);

  /* The first read takes what arrived; the rest is served from here. */
  n = g_input_stream_read (G_INPUT_STREAM (input), buffer, 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 5);
  g_string_append_len (got, buffer, n);
  g_assert_true (g_pollable_input_stream_is_readable (input));
  g_assert_true (source_fires (input));
  while (got->len < sent->len)
    {
      gsize want = got->len % 4100 == 0 ? 5 : 4095;

      n = g_pollable_input_stream_read_nonblocking (input, buffer, want, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (got, buffer, n);
    }
  g_assert_cmpstr (got->str, ==, sent->str);
  g_assert_false (g_pollable_input_stream_is_readable (input));

  /* A read as large as the buffer goes straight through. */
  g_string_set_size (sent, 0);
  for (guint i = 0; i < 20; i++)
    g_string_append_printf (sent, "%08u", i);
  send_far (f, sent->str, sent->len);
  {
    g_autofree char *large = g_malloc (128 * 1024);

    n = g_input_stream_read (G_INPUT_STREAM (input), large, 128 * 1024, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (n, ==, sent->len);
    g_assert_cmpmem (large, n, sent->str, sent->len);
  }

  /* The end of the base is the end here. */
  g_assert_true (g_io_stream_close (G_IO_STREAM (f->far), NULL, &error));
  g_assert_no_error (error);
  n = g_input_stream_read (G_INPUT_STREAM (input), buffer, 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);
}

/* Writes go to the base, and closing the stream closes the base: the
 * other end sees the end. */
static void
test_write_and_close (Fixture      *f,
                      gconstpointer data)
{
  GOutputStream *output = g_io_stream_get_output_stream (f->stream);
  GInputStream *far_input = g_io_stream_get_input_stream (G_IO_STREAM (f->far));
  g_autoptr (GError) error = NULL;
  char buffer[16];
  gsize n = 0;

  g_assert_true (output == g_io_stream_get_output_stream (G_IO_STREAM (f->near)));
  /* A socket connection on the same socket, which glib-networking needs to
   * resume TLS sessions (it keys them by the peer's address). */
  g_assert_true (G_IS_SOCKET_CONNECTION (f->stream));
  g_assert_true (g_socket_connection_get_socket (G_SOCKET_CONNECTION (f->stream))
                 == g_socket_connection_get_socket (f->near));
  g_assert_true (g_output_stream_write_all (output, "a1 NOOP\r\n", 9, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_input_stream_read_all (far_input, buffer, 9, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (buffer, n, "a1 NOOP\r\n", 9);

  g_assert_true (g_io_stream_close (f->stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (f->near)));
  g_assert_cmpint (g_input_stream_read (far_input, buffer, sizeof buffer, NULL, &error), ==, 0);
  g_assert_no_error (error);
}

static void
closed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_io_stream_close_finish (G_IO_STREAM (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* Closing asynchronously closes the base too. */
static void
test_close_async (Fixture      *f,
                  gconstpointer data)
{
  gboolean closed = FALSE;

  g_io_stream_close_async (f->stream, G_PRIORITY_DEFAULT, NULL, closed_cb, &closed);
  while (!closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_io_stream_is_closed (f->stream));
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (f->near)));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/read-ahead-stream/reads", Fixture, NULL, fixture_set_up, test_reads,
              fixture_tear_down);
  g_test_add ("/read-ahead-stream/write-and-close", Fixture, NULL, fixture_set_up,
              test_write_and_close, fixture_tear_down);
  g_test_add ("/read-ahead-stream/close-async", Fixture, NULL, fixture_set_up, test_close_async,
              fixture_tear_down);
  return g_test_run ();
}
