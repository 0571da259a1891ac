// A blocking line-based IMAP/SMTP client for the fixture tests.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "line-client.h"

struct _BuzonTestLineClient
{
  GSocketConnection *connection;
  GIOStream *stream; /* The connection, or the TLS stream over it. */
  GDataInputStream *input;
  char *host;
  guint16 port;
  guint tag;
};

static gboolean
wrap_tls (BuzonTestLineClient  *self,
          GTlsDatabase         *ca,
          GError              **error)
{
  g_autoptr (GSocketConnectable) identity = g_network_address_new ("localhost", self->port);
  GIOStream *tls;

  tls = g_tls_client_connection_new (G_IO_STREAM (self->connection), identity, error);
  if (tls == NULL)
    return FALSE;
  if (ca != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), ca);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, error))
    {
      g_object_unref (tls);
      return FALSE;
    }
  g_clear_object (&self->input);
  if (self->stream != G_IO_STREAM (self->connection))
    g_object_unref (self->stream);
  self->stream = tls;
  self->input = g_data_input_stream_new (g_io_stream_get_input_stream (tls));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (self->input), FALSE);
  g_data_input_stream_set_newline_type (self->input, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  return TRUE;
}

/**
 * buzon_test_line_client_connect:
 * @ca: (nullable): the CA to trust; %NULL trusts the system's CAs only
 *
 * Connects, with TLS from the first byte when @use_tls is set, and checks the
 * certificate against the name "localhost". A stalled server fails the call
 * after ten seconds instead of hanging the test.
 */
BuzonTestLineClient *
buzon_test_line_client_connect (const char    *host,
                                guint16        port,
                                gboolean       use_tls,
                                GTlsDatabase  *ca,
                                GError       **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (BuzonTestLineClient) self = g_new0 (BuzonTestLineClient, 1);

  self->host = g_strdup (host);
  self->port = port;
  g_socket_client_set_timeout (client, 10);
  self->connection = g_socket_client_connect_to_host (client, host, port, NULL, error);
  if (self->connection == NULL)
    return NULL;
  self->stream = G_IO_STREAM (self->connection);
  self->input = g_data_input_stream_new (g_io_stream_get_input_stream (self->stream));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (self->input), FALSE);
  g_data_input_stream_set_newline_type (self->input, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  if (use_tls && !wrap_tls (self, ca, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Upgrades the connection after the server agreed to STARTTLS. */
gboolean
buzon_test_line_client_starttls (BuzonTestLineClient  *self,
                                 GTlsDatabase         *ca,
                                 GError              **error)
{
  /* Bytes the server sent before the handshake would be an injection. */
  g_assert_cmpuint (g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (self->input)),
                    ==, 0);
  return wrap_tls (self, ca, error);
}

/* Returns the next line without its CRLF; NULL with @error at end of stream. */
char *
buzon_test_line_client_read_line (BuzonTestLineClient  *self,
                                  GError              **error)
{
  gsize length = 0;
  char *line = g_data_input_stream_read_line (self->input, &length, NULL, error);

  if (line == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                         "the server closed the connection");
  return line;
}

gboolean
buzon_test_line_client_send (BuzonTestLineClient  *self,
                             const char           *line,
                             GError              **error)
{
  g_autofree char *data = g_strconcat (line, "\r\n", NULL);
  GOutputStream *output = g_io_stream_get_output_stream (self->stream);

  return g_output_stream_write_all (output, data, strlen (data), NULL, NULL, error);
}

/* Reads one IMAP response: a line, plus any literals it announces. */
static char *
read_response (BuzonTestLineClient  *self,
               GError              **error)
{
  g_autoptr (GString) response = g_string_new (NULL);

  for (;;)
    {
      g_autofree char *line = buzon_test_line_client_read_line (self, error);
      g_autofree char *literal = NULL;
      g_autofree char *digits = NULL;
      const char *open;
      guint64 size;
      gsize got = 0;

      if (line == NULL)
        return NULL;
      g_string_append (response, line);
      open = strrchr (line, '{');
      if (open != NULL && g_str_has_suffix (open, "}"))
        digits = g_strndup (open + 1, strlen (open) - 2);
      if (digits == NULL
          || !g_ascii_string_to_unsigned (digits, 10, 0, 16 * 1024 * 1024, &size, NULL))
        return g_string_free (g_steal_pointer (&response), FALSE);
      literal = g_malloc (size + 1);
      if (!g_input_stream_read_all (G_INPUT_STREAM (self->input), literal, size, &got, NULL, error))
        return NULL;
      g_string_append_c (response, '\n');
      g_string_append_len (response, literal, got);
    }
}

/**
 * buzon_test_line_client_imap:
 * @untagged: (nullable): receives the untagged lines, without the "* "
 *
 * Sends @command with a fresh tag and reads until that tag's status line.
 * A literal in a response ("{N}" at the end of a line) is read and kept
 * inline, so an untagged entry is the whole response, literals included.
 *
 * Returns: the tagged status line without the tag, e.g. "OK Logged in".
 */
char *
buzon_test_line_client_imap (BuzonTestLineClient  *self,
                             const char           *command,
                             GPtrArray            *untagged,
                             GError              **error)
{
  g_autofree char *tag = g_strdup_printf ("t%u", ++self->tag);
  g_autofree char *line = g_strdup_printf ("%s %s", tag, command);

  if (!buzon_test_line_client_send (self, line, error))
    return NULL;
  for (;;)
    {
      g_autofree char *reply = read_response (self, error);

      if (reply == NULL)
        return NULL;
      if (g_str_has_prefix (reply, tag) && reply[strlen (tag)] == ' ')
        return g_strdup (reply + strlen (tag) + 1);
      if (untagged != NULL && g_str_has_prefix (reply, "* "))
        g_ptr_array_add (untagged, g_strdup (reply + 2));
    }
}

/**
 * buzon_test_line_client_smtp:
 * @command: (nullable): a command to send first, or %NULL to read a reply only
 *
 * Returns: the whole reply, its lines joined with "\n" (e.g.
 *   "250-localhost\n250 PIPELINING"), or %NULL with @error set.
 */
char *
buzon_test_line_client_smtp (BuzonTestLineClient  *self,
                             const char           *command,
                             GError              **error)
{
  g_autoptr (GString) reply = g_string_new (NULL);

  if (command != NULL && !buzon_test_line_client_send (self, command, error))
    return NULL;
  for (;;)
    {
      g_autofree char *line = buzon_test_line_client_read_line (self, error);

      if (line == NULL)
        return NULL;
      if (reply->len > 0)
        g_string_append_c (reply, '\n');
      g_string_append (reply, line);
      if (strlen (line) < 4 || line[3] != '-')
        return g_string_free (g_steal_pointer (&reply), FALSE);
    }
}

/* The (buffered) input, for readers that take raw bytes after some lines. */
GInputStream *
buzon_test_line_client_get_input (BuzonTestLineClient *self)
{
  return G_INPUT_STREAM (self->input);
}

void
buzon_test_line_client_free (BuzonTestLineClient *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->input);
  if (self->stream != NULL)
    g_io_stream_close (self->stream, NULL, NULL);
  if (self->stream != G_IO_STREAM (self->connection))
    g_clear_object (&self->stream);
  g_clear_object (&self->connection);
  g_free (self->host);
  g_free (self);
}
