// A scripted fake IMAP server for the tests: one client, one script, played
// on a thread of its own with blocking I/O while the client under test runs
// on the test's main context.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Every blocking call on the server's thread takes the server's cancellable,
// and every wait checks the stopping flag, so freeing the server always ends
// the thread, whatever step it is in. A step that does not happen as written
// is the script's error: the server records it, hangs up on the client (so
// the client sees the end of the connection rather than waiting), and
// buzon_test_fake_imap_server_finish() reports it.

#include "fake-imap-server.h"

#include <string.h>

#define READ_SIZE   4096
#define FILLER_SIZE (64 * 1024)

typedef enum
{
  STEP_SEND,
  STEP_SEND_TO_EACH,
  STEP_SEND_FILLER,
  STEP_EXPECT_LINE,
  STEP_EXPECT_BYTES,
  STEP_EXPECT_TOGETHER,
  STEP_EXPECT_SILENCE,
  STEP_EXPECT_EOF,
  STEP_STALL,
  STEP_CLOSE,
  STEP_ACCEPT,
  STEP_SLEEP,
} StepKind;

typedef struct
{
  StepKind kind;
  GBytes *data;    /* SEND, SEND_TO_EACH (the line, %TAG% unreplaced), EXPECT_BYTES. */
  GRegex *regex;   /* EXPECT_LINE. */
  char *pattern;   /* EXPECT_LINE, as written, for messages. */
  guint64 length;  /* SEND_FILLER: bytes; EXPECT_TOGETHER: lines. */
  guint ms;        /* EXPECT_SILENCE, SLEEP. */
  gboolean substitute; /* SEND: replace %TAG%. */
  BuzonTestFakeImapResponder respond; /* EXPECT_LINE: makes the answer from the line. */
  gpointer respond_data;
} Step;

struct _BuzonTestFakeImapServer
{
  GSocket *listener;
  guint16 port;
  GArray *steps; /* Step. */
  GThread *thread;
  GCancellable *cancellable;
  GMainContext *context; /* The test's, where finish() waits. */

  /* Shared with the server's thread, under the mutex. */
  GMutex mutex;
  GCond cond;
  gboolean stopping;
  gboolean done;
  guint current_step;
  GError *error;
  GByteArray *received;
  guint64 filler_sent;
  guint clients;  /* Connections accepted so far. */

  /* The server's thread only. */
  GSocket *client;
  GByteArray *buffer;  /* Read from the client and not yet consumed by a step. */
  GPtrArray *tags;     /* Captured and not yet answered, oldest first. */
  gboolean logged_out; /* The client sent LOGOUT. */
};

static void
clear_step (gpointer data)
{
  Step *step = data;

  g_clear_pointer (&step->data, g_bytes_unref);
  g_clear_pointer (&step->regex, g_regex_unref);
  g_free (step->pattern);
}

/**
 * buzon_test_fake_imap_server_new:
 *
 * Returns: (transfer full): a server listening on a free port of 127.0.0.1,
 *   with an empty script; free it with buzon_test_fake_imap_server_free().
 */
BuzonTestFakeImapServer *
buzon_test_fake_imap_server_new (void)
{
  BuzonTestFakeImapServer *self = g_new0 (BuzonTestFakeImapServer, 1);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;

  self->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (self->listener, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (self->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (self->listener, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->steps = g_array_new (FALSE, TRUE, sizeof (Step));
  g_array_set_clear_func (self->steps, clear_step);
  self->cancellable = g_cancellable_new ();
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->received = g_byte_array_new ();
  self->buffer = g_byte_array_new ();
  self->tags = g_ptr_array_new_with_free_func (g_free);
  return self;
}

/* Building the script. */

static Step *
add_step (BuzonTestFakeImapServer *self,
          StepKind                 kind)
{
  Step step = { .kind = kind };

  g_assert_null (self->thread); /* The script is written before it is played. */
  g_array_append_val (self->steps, step);
  return &g_array_index (self->steps, Step, self->steps->len - 1);
}

/* Sends @line and CRLF, "%TAG%" replaced by the last tag captured. */
void
buzon_test_fake_imap_server_send_line (BuzonTestFakeImapServer *self,
                                       const char              *line)
{
  Step *step = add_step (self, STEP_SEND);

  step->data = g_bytes_new (line, strlen (line));
  step->substitute = TRUE;
}

/* Sends @line and CRLF once for every tag captured and not yet answered,
 * oldest first, "%TAG%" replaced by that tag. */
void
buzon_test_fake_imap_server_send_to_each (BuzonTestFakeImapServer *self,
                                          const char              *line)
{
  Step *step = add_step (self, STEP_SEND_TO_EACH);

  step->data = g_bytes_new (line, strlen (line));
}

/* Sends @data as it is: any bytes, no CRLF added, nothing replaced. */
void
buzon_test_fake_imap_server_send (BuzonTestFakeImapServer *self,
                                  const void              *data,
                                  gsize                    length)
{
  Step *step = add_step (self, STEP_SEND);

  step->data = g_bytes_new (data, length);
}

/* Sends @length bytes of "x" from a small buffer, as the body of a literal
 * announced by a step before. The client may hang up in the middle: that
 * ends the script without an error, and
 * buzon_test_fake_imap_server_get_filler_sent() tells how far it got. */
void
buzon_test_fake_imap_server_send_filler (BuzonTestFakeImapServer *self,
                                         guint64                  length)
{
  add_step (self, STEP_SEND_FILLER)->length = length;
}

static GRegex *
compile_pattern (const char *pattern)
{
  g_autoptr (GString) re = g_string_new ("^");
  g_autoptr (GError) error = NULL;
  const char *p = pattern;
  GRegex *regex;

  while (*p != '\0')
    {
      const char *next;
      g_autofree char *escaped = NULL;

      if (g_str_has_prefix (p, "%TAG%"))
        {
          g_string_append (re, "([^ ]+)");
          p += strlen ("%TAG%");
          continue;
        }
      if (g_str_has_prefix (p, "%ANY%"))
        {
          g_string_append (re, "(?:.*)");
          p += strlen ("%ANY%");
          continue;
        }
      next = strchr (p + 1, '%');
      while (next != NULL && !g_str_has_prefix (next, "%TAG%") && !g_str_has_prefix (next, "%ANY%"))
        next = strchr (next + 1, '%');
      if (next == NULL)
        next = p + strlen (p);
      escaped = g_regex_escape_string (p, next - p);
      g_string_append (re, escaped);
      p = next;
    }
  g_string_append (re, "\\z");
  regex = g_regex_new (re->str, G_REGEX_RAW | G_REGEX_DOTALL, 0, &error);
  g_assert_no_error (error);
  return regex;
}

/* Reads one line (which must end with CRLF) and matches it against
 * @pattern; every "%TAG%" in it is captured. */
void
buzon_test_fake_imap_server_expect_line (BuzonTestFakeImapServer *self,
                                         const char              *pattern)
{
  Step *step = add_step (self, STEP_EXPECT_LINE);

  step->pattern = g_strdup (pattern);
  step->regex = compile_pattern (pattern);
}

/* Reads one line matching @pattern, as buzon_test_fake_imap_server_expect_line()
 * does, and sends what @respond makes of it (on the server's thread; CRLF
 * added), or nothing where it returns NULL: for answers that depend on what
 * the client sent, such as a SASL nonce. @user_data must outlive the server. */
void
buzon_test_fake_imap_server_expect_line_respond (BuzonTestFakeImapServer    *self,
                                                 const char                 *pattern,
                                                 BuzonTestFakeImapResponder  respond,
                                                 gpointer                    user_data)
{
  Step *step = add_step (self, STEP_EXPECT_LINE);

  step->pattern = g_strdup (pattern);
  step->regex = compile_pattern (pattern);
  step->respond = respond;
  step->respond_data = user_data;
}

/* Reads exactly @length bytes, which must be @data. */
void
buzon_test_fake_imap_server_expect_bytes (BuzonTestFakeImapServer *self,
                                          const void              *data,
                                          gsize                    length)
{
  add_step (self, STEP_EXPECT_BYTES)->data = g_bytes_new (data, length);
}

/* Checks that the client's next @lines lines come in one read, as they do
 * when it writes them at once; expect_line() steps then take them. */
void
buzon_test_fake_imap_server_expect_together (BuzonTestFakeImapServer *self,
                                             guint                    lines)
{
  add_step (self, STEP_EXPECT_TOGETHER)->length = lines;
}

/* Checks that the client sends nothing, and keeps the connection, for @ms
 * milliseconds. */
void
buzon_test_fake_imap_server_expect_silence (BuzonTestFakeImapServer *self,
                                            guint                    ms)
{
  add_step (self, STEP_EXPECT_SILENCE)->ms = ms;
}

/* Checks that the client hangs up without sending anything more. */
void
buzon_test_fake_imap_server_expect_eof (BuzonTestFakeImapServer *self)
{
  add_step (self, STEP_EXPECT_EOF);
}

/* Neither reads nor writes again until the server is freed. The script
 * counts as played when it gets here. */
void
buzon_test_fake_imap_server_stall (BuzonTestFakeImapServer *self)
{
  add_step (self, STEP_STALL);
}

/* Hangs up. */
void
buzon_test_fake_imap_server_close (BuzonTestFakeImapServer *self)
{
  add_step (self, STEP_CLOSE);
}

/* Hangs up on the client, if it is still there, and waits for the next:
 * the steps after this one play to it (a client that reconnects). */
void
buzon_test_fake_imap_server_accept (BuzonTestFakeImapServer *self)
{
  add_step (self, STEP_ACCEPT);
}

void
buzon_test_fake_imap_server_sleep (BuzonTestFakeImapServer *self,
                                   guint                    ms)
{
  add_step (self, STEP_SLEEP)->ms = ms;
}

/* Playing: the server's thread. */

static char *
printable (const guint8 *data,
           gsize         length)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < length && out->len < 200; i++)
    {
      if (data[i] >= 0x20 && data[i] < 0x7f)
        g_string_append_c (out, data[i]);
      else if (data[i] == '\r')
        g_string_append (out, "\\r");
      else if (data[i] == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_printf (out, "\\x%02x", data[i]);
    }
  if (out->len >= 200)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

static gboolean
script_error (GError    **error,
              const char *format,
              ...) G_GNUC_PRINTF (2, 3);

static gboolean
script_error (GError    **error,
              const char *format,
              ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_IO_ERROR, G_IO_ERROR_FAILED, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
require_client (BuzonTestFakeImapServer *self,
                GError                 **error)
{
  if (self->client == NULL)
    return script_error (error, "the server already hung up");
  return TRUE;
}

/* Reads what the client sent so far, waiting for at least a byte. Returns
 * the number of bytes read, 0 at the end of the connection, -1 on error. */
static gssize
read_more (BuzonTestFakeImapServer *self,
           GError                 **error)
{
  guint8 chunk[READ_SIZE];
  gssize n;

  if (!require_client (self, error))
    return -1;
  n = g_socket_receive (self->client, (char *) chunk, sizeof chunk, self->cancellable, error);
  if (n > 0)
    {
      g_byte_array_append (self->buffer, chunk, n);
      g_mutex_lock (&self->mutex);
      g_byte_array_append (self->received, chunk, n);
      g_mutex_unlock (&self->mutex);
    }
  return n;
}

static gboolean
send_all (BuzonTestFakeImapServer *self,
          const void              *data,
          gsize                    length,
          GError                 **error)
{
  const char *p = data;

  if (!require_client (self, error))
    return FALSE;
  while (length > 0)
    {
      g_autoptr (GError) local = NULL;
      gssize n = g_socket_send (self->client, p, length, self->cancellable, &local);

      /* A client may hang up once its LOGOUT is written, without the
       * answer: what the script says to it then goes nowhere. */
      if (n < 0 && self->logged_out
          && (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
              || g_error_matches (local, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)))
        return TRUE;
      if (n < 0)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      p += n;
      length -= n;
    }
  return TRUE;
}

static char *
take_tag (BuzonTestFakeImapServer *self,
          gsize                    index)
{
  return g_ptr_array_steal_index (self->tags, index);
}

/* Sends @template and CRLF with "%TAG%" replaced by @tag. */
static gboolean
send_with_tag (BuzonTestFakeImapServer *self,
               GBytes                  *template,
               const char              *tag,
               GError                 **error)
{
  gsize length = 0;
  const char *text = g_bytes_get_data (template, &length);
  g_autoptr (GString) out = g_string_new_len (text, length);

  if (tag != NULL)
    g_string_replace (out, "%TAG%", tag, 0);
  g_string_append (out, "\r\n");
  return send_all (self, out->str, out->len, error);
}

static gboolean
run_send (BuzonTestFakeImapServer *self,
          Step                    *step,
          GError                 **error)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (step->data, &length);
  g_autofree char *tag = NULL;

  if (!step->substitute)
    return send_all (self, data, length, error);
  if (g_strstr_len (data, length, "%TAG%") != NULL)
    {
      if (self->tags->len == 0)
        return script_error (error, "no tag to answer in “%s”", data);
      tag = take_tag (self, self->tags->len - 1);
    }
  return send_with_tag (self, step->data, tag, error);
}

static gboolean
run_send_to_each (BuzonTestFakeImapServer *self,
                  Step                    *step,
                  GError                 **error)
{
  while (self->tags->len > 0)
    {
      g_autofree char *tag = take_tag (self, 0);

      if (!send_with_tag (self, step->data, tag, error))
        return FALSE;
    }
  return TRUE;
}

/* Returns FALSE with @error unset when the client hung up, which ends the
 * script quietly. */
static gboolean
run_send_filler (BuzonTestFakeImapServer *self,
                 Step                    *step,
                 GError                 **error)
{
  g_autofree char *filler = g_malloc (FILLER_SIZE);
  guint64 left = step->length;

  if (!require_client (self, error))
    return FALSE;
  memset (filler, 'x', FILLER_SIZE);
  while (left > 0)
    {
      g_autoptr (GError) local = NULL;
      gsize size = MIN (left, (guint64) FILLER_SIZE);
      gssize n = g_socket_send (self->client, filler, size, self->cancellable, &local);

      if (n < 0)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      left -= n;
      g_mutex_lock (&self->mutex);
      self->filler_sent += n;
      g_mutex_unlock (&self->mutex);
    }
  return TRUE;
}

static gboolean
run_expect_line (BuzonTestFakeImapServer *self,
                 Step                    *step,
                 GError                 **error)
{
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *shown = NULL;
  guint8 *lf = NULL;
  gsize length;

  while (self->buffer->len == 0
         || (lf = memchr (self->buffer->data, '\n', self->buffer->len)) == NULL)
    {
      gssize n = read_more (self, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          shown = printable (self->buffer->data, self->buffer->len);
          return script_error (error, "the client hung up (after “%s”) instead of sending “%s”",
                               shown, step->pattern);
        }
    }
  length = lf - self->buffer->data;
  shown = printable (self->buffer->data, length + 1);
  if (length == 0 || self->buffer->data[length - 1] != '\r')
    return script_error (error, "the client ended a line without CRLF: “%s”", shown);
  length--;

  if (!g_regex_match_full (step->regex, (const char *) self->buffer->data, length, 0, 0, &match,
                           NULL))
    return script_error (error, "the client sent “%s” instead of “%s”", shown, step->pattern);
  for (int i = 1; i < g_match_info_get_match_count (match); i++)
    g_ptr_array_add (self->tags, g_match_info_fetch (match, i));
  {
    const guint8 *space = memchr (self->buffer->data, ' ', length);

    if (space != NULL && (gsize) (space - self->buffer->data) + 7 == length
        && g_ascii_strncasecmp ((const char *) space, " LOGOUT", 7) == 0)
      self->logged_out = TRUE;
  }
  if (step->respond != NULL)
    {
      g_autofree char *line = g_strndup ((const char *) self->buffer->data, length);
      g_autofree char *answer = step->respond (line, step->respond_data);

      g_byte_array_remove_range (self->buffer, 0, length + 2);
      if (answer != NULL)
        {
          g_autofree char *out = g_strconcat (answer, "\r\n", NULL);

          return send_all (self, out, strlen (out), error);
        }
      return TRUE;
    }
  g_byte_array_remove_range (self->buffer, 0, length + 2);
  return TRUE;
}

static gboolean
run_expect_bytes (BuzonTestFakeImapServer *self,
                  Step                    *step,
                  GError                 **error)
{
  gsize length = 0;
  const guint8 *want = g_bytes_get_data (step->data, &length);

  while (self->buffer->len < length)
    {
      gssize n = read_more (self, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        return script_error (error, "the client hung up after %u of %" G_GSIZE_FORMAT
                             " expected bytes", self->buffer->len, length);
    }
  if (memcmp (self->buffer->data, want, length) != 0)
    {
      g_autofree char *got = printable (self->buffer->data, length);
      g_autofree char *wanted = printable (want, length);

      return script_error (error, "the client sent “%s” instead of “%s”", got, wanted);
    }
  g_byte_array_remove_range (self->buffer, 0, length);
  return TRUE;
}

static gboolean
run_expect_silence (BuzonTestFakeImapServer *self,
                    Step                    *step,
                    GError                 **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *shown = NULL;
  gssize n;

  if (!require_client (self, error))
    return FALSE;
  if (self->buffer->len == 0
      && !g_socket_condition_timed_wait (self->client, G_IO_IN, (gint64) step->ms * 1000,
                                         self->cancellable, &local))
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (self->buffer->len == 0)
    {
      n = read_more (self, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        return script_error (error, "the client hung up when it should have waited");
    }
  shown = printable (self->buffer->data, self->buffer->len);
  return script_error (error, "the client sent “%s” when it should have waited", shown);
}

static gboolean
run_expect_eof (BuzonTestFakeImapServer *self,
                GError                 **error)
{
  g_autofree char *shown = NULL;

  while (self->buffer->len == 0)
    {
      g_autoptr (GError) local = NULL;
      gssize n = read_more (self, &local);

      if (n == 0 || g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
          || g_error_matches (local, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
        return TRUE;
      if (n < 0)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  shown = printable (self->buffer->data, self->buffer->len);
  return script_error (error, "the client sent “%s” instead of hanging up", shown);
}

/* Waits until the server is freed or, when @until is not 0, until that
 * monotonic time. Returns FALSE, with @error set, when it is being freed. */
static gboolean
wait_unless_stopping (BuzonTestFakeImapServer *self,
                      gint64                   until,
                      GError                 **error)
{
  gboolean stopping;

  g_mutex_lock (&self->mutex);
  while (!self->stopping)
    {
      if (until == 0)
        g_cond_wait (&self->cond, &self->mutex);
      else if (!g_cond_wait_until (&self->cond, &self->mutex, until))
        break;
    }
  stopping = self->stopping;
  g_mutex_unlock (&self->mutex);
  if (stopping)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The server is stopping");
  return !stopping;
}

static void
hang_up (BuzonTestFakeImapServer *self)
{
  if (self->client != NULL)
    g_socket_close (self->client, NULL);
  g_clear_object (&self->client);
}

static void
mark_done (BuzonTestFakeImapServer *self,
           GError                  *error)
{
  g_mutex_lock (&self->mutex);
  self->done = TRUE;
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      Step *step = &g_array_index (self->steps, Step, self->current_step);

      self->error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "step %u (%s): %s",
                                 self->current_step + 1,
                                 step->pattern != NULL ? step->pattern : "-", error->message);
    }
  g_mutex_unlock (&self->mutex);
  if (self->context != NULL)
    g_main_context_wakeup (self->context);
}

static gboolean
run_expect_together (BuzonTestFakeImapServer *self,
                     Step                    *step,
                     GError                 **error)
{
  guint lines = 0;

  if (self->buffer->len == 0)
    {
      gssize n = read_more (self, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        return script_error (error, "the client hung up instead of sending %" G_GUINT64_FORMAT
                             " lines", step->length);
    }
  for (guint i = 0; i < self->buffer->len; i++)
    lines += self->buffer->data[i] == '\n';
  if (lines < step->length)
    {
      g_autofree char *shown = printable (self->buffer->data, self->buffer->len);

      return script_error (error, "the client wrote “%s”, not %" G_GUINT64_FORMAT " lines at once",
                           shown, step->length);
    }
  return TRUE;
}

static gboolean accept_client (BuzonTestFakeImapServer *self,
                               GError                 **error);

static gboolean
run_step (BuzonTestFakeImapServer *self,
          Step                    *step,
          GError                 **error)
{
  switch (step->kind)
    {
    case STEP_SEND:
      return run_send (self, step, error);
    case STEP_SEND_TO_EACH:
      return run_send_to_each (self, step, error);
    case STEP_SEND_FILLER:
      return run_send_filler (self, step, error);
    case STEP_EXPECT_LINE:
      return run_expect_line (self, step, error);
    case STEP_EXPECT_BYTES:
      return run_expect_bytes (self, step, error);
    case STEP_EXPECT_TOGETHER:
      return run_expect_together (self, step, error);
    case STEP_EXPECT_SILENCE:
      return run_expect_silence (self, step, error);
    case STEP_EXPECT_EOF:
      return run_expect_eof (self, error);
    case STEP_STALL:
      return FALSE; /* The script counts as played. */
    case STEP_CLOSE:
      hang_up (self);
      return TRUE;
    case STEP_ACCEPT:
      hang_up (self);
      g_byte_array_set_size (self->buffer, 0);
      self->logged_out = FALSE;
      return accept_client (self, error);
    case STEP_SLEEP:
      return wait_unless_stopping (self, g_get_monotonic_time () + (gint64) step->ms * 1000,
                                   error);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
accept_client (BuzonTestFakeImapServer *self,
               GError                 **error)
{
  self->client = g_socket_accept (self->listener, self->cancellable, error);
  if (self->client == NULL)
    return FALSE;
  g_mutex_lock (&self->mutex);
  self->clients++;
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

static gpointer
server_thread (gpointer user_data)
{
  BuzonTestFakeImapServer *self = user_data;
  g_autoptr (GError) error = NULL;

  accept_client (self, &error);
  for (guint i = 0; self->client != NULL && i < self->steps->len; i++)
    {
      g_mutex_lock (&self->mutex);
      self->current_step = i;
      g_mutex_unlock (&self->mutex);
      if (!run_step (self, &g_array_index (self->steps, Step, i), &error))
        break;
    }
  if (error != NULL)
    hang_up (self); /* The client must not wait for what will never come. */
  mark_done (self, error);

  /* The connection stays as the script left it until the test ends. */
  wait_unless_stopping (self, 0, NULL);
  hang_up (self);
  return NULL;
}

/* Starts playing the script for the first client that connects. */
void
buzon_test_fake_imap_server_start (BuzonTestFakeImapServer *self)
{
  g_assert_null (self->thread);
  self->context = g_main_context_ref_thread_default ();
  self->thread = g_thread_new ("fake-imap-server", server_thread, self);
}

guint16
buzon_test_fake_imap_server_get_port (BuzonTestFakeImapServer *self)
{
  return self->port;
}

/* An account URL for the server, such as "imap+plain://user@127.0.0.1:PORT". */
char *
buzon_test_fake_imap_server_get_url (BuzonTestFakeImapServer *self,
                                     const char              *scheme)
{
  return g_strdup_printf ("%s://user@127.0.0.1:%u", scheme, self->port);
}

/* How many connections the server has accepted so far. */
guint
buzon_test_fake_imap_server_get_clients (BuzonTestFakeImapServer *self)
{
  guint clients;

  g_mutex_lock (&self->mutex);
  clients = self->clients;
  g_mutex_unlock (&self->mutex);
  return clients;
}

gboolean
buzon_test_fake_imap_server_is_done (BuzonTestFakeImapServer *self)
{
  gboolean done;

  g_mutex_lock (&self->mutex);
  done = self->done;
  g_mutex_unlock (&self->mutex);
  return done;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE; /* It only wakes the loop to look at the clock. */
}

/**
 * buzon_test_fake_imap_server_finish:
 * @timeout_ms: how long to wait for the script to be played
 *
 * Iterates the main context the server was started from (the client's I/O
 * goes on meanwhile) until the script has been played to its end or to a
 * stall, or @timeout_ms passed.
 *
 * Returns: %TRUE when every step happened as written; else %FALSE with
 *   @error naming the step and what the client did instead.
 */
gboolean
buzon_test_fake_imap_server_finish (BuzonTestFakeImapServer *self,
                                    guint                    timeout_ms,
                                    GError                 **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autoptr (GSource) tick = g_timeout_source_new (20);
  GError *local = NULL;
  guint step;

  g_assert_nonnull (self->thread);
  g_source_set_callback (tick, tick_cb, NULL, NULL);
  g_source_attach (tick, self->context);
  while (!buzon_test_fake_imap_server_is_done (self) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (tick);

  g_mutex_lock (&self->mutex);
  step = self->current_step;
  if (self->error != NULL)
    local = g_error_copy (self->error);
  else if (!self->done)
    local = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                         "the script was still at step %u of %u after %u ms", step + 1,
                         self->steps->len, timeout_ms);
  g_mutex_unlock (&self->mutex);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

/* Everything the client sent so far, in order. */
GBytes *
buzon_test_fake_imap_server_get_received (BuzonTestFakeImapServer *self)
{
  GBytes *bytes;

  g_mutex_lock (&self->mutex);
  bytes = g_bytes_new (self->received->data, self->received->len);
  g_mutex_unlock (&self->mutex);
  return bytes;
}

guint64
buzon_test_fake_imap_server_get_filler_sent (BuzonTestFakeImapServer *self)
{
  guint64 sent;

  g_mutex_lock (&self->mutex);
  sent = self->filler_sent;
  g_mutex_unlock (&self->mutex);
  return sent;
}

/* Stops the server's thread wherever it is, hangs up and frees everything. */
void
buzon_test_fake_imap_server_free (BuzonTestFakeImapServer *self)
{
  if (self == NULL)
    return;

  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_cancellable_cancel (self->cancellable);
  if (self->thread != NULL)
    g_thread_join (self->thread);

  g_socket_close (self->listener, NULL);
  g_object_unref (self->listener);
  g_array_unref (self->steps);
  g_object_unref (self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_clear_error (&self->error);
  g_byte_array_unref (self->received);
  g_byte_array_unref (self->buffer);
  g_ptr_array_unref (self->tags);
  g_free (self);
}
