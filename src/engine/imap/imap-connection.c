// BuzonImapConnection: one IMAP connection over GIO.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Everything runs on the thread-default main context of the thread that
// opened the connection. One read is always outstanding; the bytes go to a
// BuzonImapParser and each response is dispatched as soon as it is complete:
// a continuation request goes to the command that is sending a literal, a
// tagged response completes its command, an untagged one goes to the
// command in flight it answers (see recipient()) and to the "untagged"
// signal.
//
// Commands are pipelined: up to 16 are on the wire at once, and those queued
// in one turn of the main loop go out in one write (imap-connection-write.c).
// A command with synchronising literals is written in chunks; while it waits
// for the server's "+", nothing else is written.
//
// Certificates: the system's trust store decides; when it refuses a
// certificate, the certificate is accepted only if its SHA-256 fingerprint is
// one the account pinned. A STARTTLS connection never continues without TLS.
//
// After a transport error, a protocol error or BYE, the connection is
// closed: every command queued or in flight fails with that error and
// "closed" is emitted once.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "engine.h"
#include "imap-connection-private.h"
#include "imap-error-private.h"

#define DEFAULT_TIMEOUT_SECONDS 60
/* A burst of responses (pipelined fetches bring thousands at once) is
 * dispatched in slices of this many microseconds, the rest from an idle
 * callback: the main loop (a window's frames, timers) runs in between. */
#define DISPATCH_SLICE_US 8000

G_DEFINE_FINAL_TYPE (BuzonImapConnection, buzon_imap_connection, G_TYPE_OBJECT)

enum
{
  SIGNAL_UNTAGGED,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void process_responses (BuzonImapConnection *self);

/* The protocol trace: with "imap" in BUZON_DEBUG, each command's first line
 * as it goes out and each tagged reply as it comes in go to stderr, with
 * the connection's number and the time since the first line, so that one
 * can see the round trips a sync makes (untagged data, which would be
 * hundreds of thousands of lines, is left out; so are passwords). */
gboolean
_buzon_imap_connection_tracing (void)
{
  return buzon_engine_debugging (BUZON_DEBUG_IMAP);
}

void
_buzon_imap_connection_trace (BuzonImapConnection *self,
                              const char          *direction,
                              const char          *data,
                              gsize                size)
{
  static guint connections = 0;
  gint64 now = g_get_monotonic_time ();
  gint64 trace_start = buzon_engine_trace_start ();
  const char *end = memchr (data, '\n', size);
  gsize length = end != NULL ? (gsize) (end - data) : size;

  if (self->trace_id == 0)
    self->trace_id = ++connections;
  while (length > 0 && (data[length - 1] == '\r' || data[length - 1] == '\n'))
    length--;
  g_printerr ("imap %u %8.3f %s %.*s%s\n", self->trace_id, (now - trace_start) / 1e6, direction,
              (int) MIN (length, 200), data, length > 200 ? "…" : "");
}

void
_buzon_imap_connection_pending_free (Pending *pending)
{
  if (pending->cancelled_id != 0)
    g_cancellable_disconnect (pending->cancellable, pending->cancelled_id);
  g_clear_object (&pending->cancellable);
  if (pending->sensitive)
    for (guint i = 0; i < pending->chunks->len; i++)
      {
        gsize size = 0;
        gpointer data = (gpointer) g_bytes_get_data (g_ptr_array_index (pending->chunks, i), &size);
        explicit_bzero (data, size);
      }
  g_clear_object (&pending->task);
  if (pending->sasl_data_free != NULL)
    pending->sasl_data_free (pending->sasl_data);
  g_ptr_array_unref (pending->chunks);
  g_free (pending->tag);
  g_free (pending);
}

static void
buzon_imap_connection_dispose (GObject *object)
{
  BuzonImapConnection *self = BUZON_IMAP_CONNECTION (object);

  if (self->state != STATE_CLOSED)
    {
      g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                      _("The connection was closed"));
      _buzon_imap_connection_fail (self, error);
    }
  G_OBJECT_CLASS (buzon_imap_connection_parent_class)->dispose (object);
}

static void
buzon_imap_connection_finalize (GObject *object)
{
  BuzonImapConnection *self = BUZON_IMAP_CONNECTION (object);

  g_clear_pointer (&self->url, buzon_server_url_free);
  g_strfreev (self->trusted_certificates);
  g_clear_object (&self->socket_connection);
  g_clear_object (&self->stream);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_pointer (&self->parser, buzon_imap_parser_free);
  g_free (self->read_buffer);
  g_clear_error (&self->read_error);
  g_clear_object (&self->io_cancellable);
  g_clear_pointer (&self->write_bytes, g_bytes_unref);
  g_clear_pointer (&self->pump_source, g_source_unref);
  g_strfreev (self->capabilities);
  g_hash_table_unref (self->enabled);
  g_free (self->greeting);
  g_free (self->certificate_sha256);

  G_OBJECT_CLASS (buzon_imap_connection_parent_class)->finalize (object);
}

static void
buzon_imap_connection_class_init (BuzonImapConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_imap_connection_dispose;
  object_class->finalize = buzon_imap_connection_finalize;

  /**
   * BuzonImapConnection::untagged:
   * @response: (type gpointer): the BuzonImapResponse, borrowed
   *
   * Every untagged response, as it arrives (EXISTS, EXPUNGE, FETCH, …).
   */
  signals[SIGNAL_UNTAGGED] = g_signal_new ("untagged", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           1, G_TYPE_POINTER);
  /**
   * BuzonImapConnection::closed:
   * @error: (type GLib.Error): why
   *
   * Emitted once, when the connection is closed for any reason.
   */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
buzon_imap_connection_init (BuzonImapConnection *self)
{
  self->parser = buzon_imap_parser_new (NULL);
  self->read_buffer = g_malloc (READ_BUFFER_SIZE);
  self->io_cancellable = g_cancellable_new ();
  self->capabilities = g_new0 (char *, 1);
  self->enabled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->timeout_seconds = DEFAULT_TIMEOUT_SECONDS;
  /* A quiet connection sends NOOP after this long: NAT boxes and firewalls
   * drop quiet connections after a few minutes, and servers may log clients
   * out after 30 (RFC 3501 §5.4). */
  self->keepalive_seconds = 5 * 60;
  g_queue_init (&self->queue);
  g_queue_init (&self->in_flight);
}

/**
 * buzon_imap_connection_new:
 * @url: an imaps://, imap:// (STARTTLS) or imap+plain:// (loopback) server
 * @trusted_certificates: (nullable): "sha256:<hex>" fingerprints of
 *   certificates to accept even when the system does not trust them
 */
BuzonImapConnection *
buzon_imap_connection_new (const BuzonServerUrl *url,
                           const char * const   *trusted_certificates)
{
  BuzonImapConnection *self;

  g_return_val_if_fail (url != NULL && url->protocol == BUZON_SERVER_PROTOCOL_IMAP, NULL);

  self = g_object_new (BUZON_TYPE_IMAP_CONNECTION, NULL);
  self->url = buzon_server_url_copy (url);
  self->trusted_certificates = trusted_certificates != NULL
                                 ? g_strdupv ((char **) trusted_certificates)
                                 : g_new0 (char *, 1);
  return self;
}

/* Seconds without a byte from the server, while a command waits, before the
 * connection is given up. 0 turns the watchdog off. */
void
buzon_imap_connection_set_timeout (BuzonImapConnection *self,
                                   guint                seconds)
{
  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));
  self->timeout_seconds = seconds;
}

/* Closing. */

static void
fail_pending (Pending      *pending,
              const GError *error)
{
  if (pending->task != NULL)
    g_task_return_error (pending->task, g_error_copy (error)); /* pending_free unrefs it. */
  _buzon_imap_connection_pending_free (pending);
}

void
_buzon_imap_connection_fail (BuzonImapConnection *self,
                             const GError        *error)
{
  /* Callbacks below may drop the last other reference. */
  g_autoptr (BuzonImapConnection) hold G_GNUC_UNUSED = g_object_ref (self);
  Pending *pending;

  if (self->state == STATE_CLOSED)
    return;
  self->state = STATE_CLOSED;
  g_cancellable_cancel (self->io_cancellable);
  if (self->resume_source != NULL)
    {
      g_source_destroy (self->resume_source);
      g_clear_pointer (&self->resume_source, g_source_unref);
    }
  if (self->pump_source != NULL)
    {
      g_source_destroy (self->pump_source);
      g_clear_pointer (&self->pump_source, g_source_unref);
    }
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  if (self->stream != NULL)
    g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  self->writing = NULL; /* It is in in_flight. */
  while ((pending = g_queue_pop_head (&self->in_flight)) != NULL)
    fail_pending (pending, error);
  while ((pending = g_queue_pop_head (&self->queue)) != NULL)
    fail_pending (pending, error);
  _buzon_imap_connection_forget_open_cancellable (self);
  if (self->open_task != NULL)
    {
      g_autoptr (GTask) task = g_steal_pointer (&self->open_task);
      g_task_return_error (task, g_error_copy (error));
    }

  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
}

/**
 * buzon_imap_connection_close:
 *
 * Closes the connection without LOGOUT; what is queued or in flight fails
 * with G_IO_ERROR_CLOSED. Safe to call more than once.
 */
void
buzon_imap_connection_close (BuzonImapConnection *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));

  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, _("The connection was closed"));
  _buzon_imap_connection_fail (self, error);
}

/* Whether the @size bytes at @data (not NUL-terminated) start with @prefix,
 * ignoring ASCII case. */
static gboolean
starts_with (const char *data,
             gsize       size,
             const char *prefix)
{
  gsize length = strlen (prefix);

  return size >= length && g_ascii_strncasecmp (data, prefix, length) == 0;
}

Pending *
_buzon_imap_connection_enqueue (BuzonImapConnection  *self,
                                GPtrArray            *chunks,
                                char                 *tag,
                                GTask                *task,
                                BuzonImapUntaggedFunc untagged,
                                gpointer              untagged_data)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->tag = tag;
  pending->chunks = chunks;
  pending->task = task;
  pending->untagged = untagged;
  pending->untagged_data = untagged_data;
  {
    gsize size = 0;
    const char *first = g_bytes_get_data (g_ptr_array_index (chunks, 0), &size);
    gsize tag_length = strlen (tag);

    /* Its name, which tells the responses only it can have asked for. */
    if (size > tag_length + 1)
      {
        const char *verb = first + tag_length + 1;
        gsize left = size - tag_length - 1;
        gsize n = 0;

        if (starts_with (verb, left, "UID "))
          {
            verb += 4;
            left -= 4;
          }
        while (n < left && n < sizeof pending->verb - 1 && g_ascii_isalpha (verb[n]))
          {
            pending->verb[n] = g_ascii_toupper (verb[n]);
            n++;
          }
      }
    /* Its bytes carry a password: wiped when the command is done. */
    pending->sensitive = size > tag_length
                         && (starts_with (first + tag_length, size - tag_length, " LOGIN ")
                             || starts_with (first + tag_length, size - tag_length,
                                             " AUTHENTICATE "));
  }
  if (self->state != STATE_OPEN)
    {
      /* Closed, or not open yet: nothing will ever send it. */
      g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                                      _("Not connected to the server"));
      fail_pending (pending, error);
      return NULL;
    }
  g_queue_push_tail (&self->queue, pending);
  return pending;
}

char *
_buzon_imap_connection_next_tag (BuzonImapConnection *self)
{
  return g_strdup_printf ("b%u", ++self->next_tag);
}

static BuzonImapLiteralMode
literal_mode (BuzonImapConnection *self)
{
  if (buzon_imap_connection_has_capability (self, "LITERAL+"))
    return BUZON_IMAP_LITERAL_PLUS;
  if (buzon_imap_connection_has_capability (self, "LITERAL-"))
    return BUZON_IMAP_LITERAL_MINUS;
  return BUZON_IMAP_LITERAL_SYNC;
}

/* Reading and dispatching. */

static void
set_capabilities_from (BuzonImapConnection *self,
                       const BuzonImapValue *list)
{
  GStrvBuilder *builder = g_strv_builder_new ();

  for (gsize i = 0; list != NULL && i < list->length; i++)
    {
      gsize length = 0;
      const char *name = buzon_imap_value_get_string (list->items[i], &length);
      if (name != NULL && length > 0)
        g_strv_builder_add (builder, name);
    }
  g_strfreev (self->capabilities);
  self->capabilities = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
}

static void
dispatch_continuation (BuzonImapConnection     *self,
                       const BuzonImapResponse *response)
{
  g_autoptr (GError) error = NULL;
  Pending *pending = self->writing;
  GBytes *answer;

  if (pending != NULL && pending->next_chunk < pending->chunks->len)
    {
      if (pending->idle)
        {
          /* "+ idling": wait for DONE to be asked for, unless it already was. */
          pending->idling = TRUE;
          if (pending->done_requested && !self->write_pending)
            _buzon_imap_connection_write_next_chunk (self);
        }
      else if (self->write_pending)
        pending->continued = TRUE; /* Write on as soon as the current chunk is out. */
      else
        _buzon_imap_connection_write_next_chunk (self);
      return;
    }
  /* After the last chunk of an AUTHENTICATE, "+" is a challenge, such as the
   * error report OAuth2 servers send before their NO; the mechanism answers
   * it. Nothing is written after an AUTHENTICATE until it is answered, so
   * only the newest command in flight can be one. */
  pending = g_queue_peek_tail (&self->in_flight);
  if (pending != NULL && pending->sasl != NULL && pending->next_chunk == pending->chunks->len
      && (answer = pending->sasl (self, response->text, pending->sasl_data)) != NULL)
    {
      g_ptr_array_add (pending->chunks, answer);
      self->writing = pending;
      if (self->write_pending)
        pending->continued = TRUE; /* The last chunk is still going out. */
      else
        _buzon_imap_connection_write_next_chunk (self);
      return;
    }
  error = g_error_new (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                       _("The server asked for more data when none was due: “%s”"),
                       response->text);
  _buzon_imap_connection_fail (self, error);
}

static void
dispatch_tagged (BuzonImapConnection *self,
                 BuzonImapResponse   *response)
{
  Pending *pending = NULL;
  gboolean barrier_passed;

  for (GList *l = self->in_flight.head; l != NULL; l = l->next)
    if (g_str_equal (((Pending *) l->data)->tag, response->tag))
      {
        pending = l->data;
        g_queue_delete_link (&self->in_flight, l);
        break;
      }
  if (pending == NULL)
    {
      g_autoptr (GError) error = g_error_new (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                                              _("The server answered a command never sent (“%s”)"),
                                              response->tag);
      buzon_imap_response_free (response);
      _buzon_imap_connection_fail (self, error);
      return;
    }
  if (self->writing == pending)
    self->writing = NULL; /* Refused before all its literals were sent. */
  if (G_UNLIKELY (_buzon_imap_connection_tracing ()))
    {
      const char *status = response->status == BUZON_IMAP_STATUS_OK   ? "OK"
                           : response->status == BUZON_IMAP_STATUS_NO ? "NO"
                                                                      : "BAD";
      g_autofree char *line = g_strdup_printf ("%s %s %s", response->tag, status,
                                               response->text != NULL ? response->text : "");

      if (self->trace_untagged > 0)
        {
          gint64 since = self->trace_first_untagged - buzon_engine_trace_start ();
          g_autofree char *counted = g_strdup_printf ("%s [%u untagged since %.3f]", line,
                                                      self->trace_untagged, since / 1e6);

          g_free (g_steal_pointer (&line));
          line = g_steal_pointer (&counted);
        }
      self->trace_untagged = 0;

      _buzon_imap_connection_trace (self, "S:", line, strlen (line));
    }

  if (response->code != NULL && g_str_equal (response->code, "CAPABILITY"))
    set_capabilities_from (self, response->code_args);
  if (pending->pause_reading && response->status == BUZON_IMAP_STATUS_OK)
    self->reading_paused = TRUE;
  barrier_passed = pending->barrier && response->status == BUZON_IMAP_STATUS_OK;

  if (pending->task != NULL)
    g_task_return_pointer (pending->task, response, (GDestroyNotify) buzon_imap_response_free);
  else
    buzon_imap_response_free (response);
  _buzon_imap_connection_pending_free (pending);
  /* A slot in flight, or the writer, is free again; but after STARTTLS or
   * COMPRESS, the code that swaps the transport pumps, not this. */
  if (!barrier_passed)
    _buzon_imap_connection_pump (self);
}

/* Whether responses called @keyword come only when some command asks for
 * them: those asks_for() knows. */
static gboolean
asked_for_only (const char *keyword)
{
  switch (keyword[0])
    {
    case 'L':
      return g_str_equal (keyword, "LIST") || g_str_equal (keyword, "LSUB");
    case 'S':
      return g_str_equal (keyword, "STATUS") || g_str_equal (keyword, "SEARCH");
    case 'E':
      return g_str_equal (keyword, "ESEARCH");
    case 'N':
      return g_str_equal (keyword, "NAMESPACE");
    default:
      return FALSE;
    }
}

/* Whether @pending's command is one that asks for responses called
 * @keyword, which no server sends unasked. */
static gboolean
asks_for (const Pending *pending,
          const char    *keyword)
{
  const char *verb = pending->verb;

  if (g_str_equal (keyword, "LIST"))
    return g_str_equal (verb, "LIST");
  if (g_str_equal (keyword, "LSUB"))
    return g_str_equal (verb, "LSUB");
  if (g_str_equal (keyword, "STATUS")) /* Or LIST-STATUS (RFC 5819). */
    return g_str_equal (verb, "STATUS") || g_str_equal (verb, "LIST");
  if (g_str_equal (keyword, "SEARCH") || g_str_equal (keyword, "ESEARCH"))
    return g_str_equal (verb, "SEARCH") || g_str_equal (verb, "SORT");
  if (g_str_equal (keyword, "NAMESPACE"))
    return g_str_equal (verb, "NAMESPACE");
  return FALSE;
}

/* Whether the only untagged responses that answer @pending's command are
 * those asks_for() names: nothing else that arrives while it runs is its. */
static gboolean
asks_only_for_its_own (const Pending *pending)
{
  static const char *const verbs[] = { "LIST", "LSUB", "STATUS", "SEARCH", "SORT", "NAMESPACE" };

  for (gsize i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_str_equal (pending->verb, verbs[i]))
      return TRUE;
  return FALSE;
}

static gboolean
changes_mailbox (const Pending *pending)
{
  return g_str_equal (pending->verb, "SELECT") || g_str_equal (pending->verb, "EXAMINE")
         || g_str_equal (pending->verb, "UNSELECT") || g_str_equal (pending->verb, "CLOSE");
}

/* The command in flight an untagged response goes to: the oldest, which
 * is the one the server answers as long as it answers in order. A server
 * may run independent commands side by side, though (RFC 3501, 5.5;
 * Dovecot ends a LIST sent behind a long SEARCH before the SEARCH):
 * - an ESEARCH goes to the command its correlator names, and the other
 *   responses only some command asks for (LIST, STATUS, SEARCH, …) to the
 *   oldest command of that kind;
 * - anything else (FETCH, EXISTS, VANISHED, …) passes over the commands
 *   that take nothing but their own kind (a LIST, a SEARCH) to the oldest
 *   of the others: the UID FETCH behind a LIST gets its FETCHes even when
 *   the LIST is still running. Not beyond a SELECT (or EXAMINE, UNSELECT,
 *   CLOSE) that is not the oldest, though: what comes before it is about
 *   the mailbox it leaves, and goes to the oldest, that is, to the
 *   session's news. */
static Pending *
recipient (BuzonImapConnection     *self,
           const BuzonImapResponse *response)
{
  Pending *oldest = g_queue_peek_head (&self->in_flight);
  const BuzonImapValue *correlator = NULL;

  if (oldest == NULL || response->keyword == NULL || self->in_flight.length == 1)
    return oldest;
  /* ESEARCH names its command: "(TAG "b3")" (RFC 4731, 3.1). */
  if (g_str_equal (response->keyword, "ESEARCH"))
    correlator = buzon_imap_value_get_item (response->values, 0);
  if (correlator != NULL && correlator->kind == BUZON_IMAP_VALUE_LIST
      && buzon_imap_value_is_atom (buzon_imap_value_get_item (correlator, 0), "TAG"))
    {
      const char *tag = buzon_imap_value_get_string (buzon_imap_value_get_item (correlator, 1),
                                                     NULL);

      for (GList *l = self->in_flight.head; tag != NULL && l != NULL; l = l->next)
        if (g_str_equal (((Pending *) l->data)->tag, tag))
          return l->data;
    }
  /* A FETCH, the bulk of what comes, is none of those. */
  if (asked_for_only (response->keyword))
    for (GList *l = self->in_flight.head; l != NULL; l = l->next)
      if (asks_for (l->data, response->keyword))
        return l->data;
  for (GList *l = self->in_flight.head; l != NULL; l = l->next)
    {
      Pending *pending = l->data;

      if (asks_only_for_its_own (pending))
        continue;
      return pending == oldest || !changes_mailbox (pending) ? pending : oldest;
    }
  return oldest;
}

static void
dispatch_untagged (BuzonImapConnection *self,
                   BuzonImapResponse   *response)
{
  Pending *to = recipient (self, response);

  if (G_UNLIKELY (_buzon_imap_connection_tracing ()) && self->trace_untagged++ == 0)
    self->trace_first_untagged = g_get_monotonic_time ();
  /* Read before any callback: a callback may close the connection, which
   * frees every pending command. */
  gboolean bye_expected = to != NULL && to->expects_bye;
  gboolean enabling = to != NULL && to->is_enable;

  if (g_strcmp0 (response->keyword, "CAPABILITY") == 0)
    set_capabilities_from (self, response->values);
  else if (g_strcmp0 (response->keyword, "ENABLED") == 0 && enabling)
    /* Only as the answer to our ENABLE: anything else could be injected. */
    for (gsize i = 0; i < response->values->length; i++)
      {
        const char *name = buzon_imap_value_get_string (response->values->items[i], NULL);
        if (name != NULL)
          g_hash_table_add (self->enabled, g_ascii_strup (name, -1));
      }
  else if (response->code != NULL && g_str_equal (response->code, "CAPABILITY"))
    set_capabilities_from (self, response->code_args);

  /* Handlers get their command's responses even after it was cancelled:
   * they know, and otherwise the responses would look like news. */
  if (to != NULL && to->untagged != NULL)
    to->untagged (self, response, to->untagged_data);
  if (self->state != STATE_CLOSED)
    g_signal_emit (self, signals[SIGNAL_UNTAGGED], 0, response);

  if (response->status == BUZON_IMAP_STATUS_BYE && !bye_expected && self->state != STATE_CLOSED)
    {
      /* Translators: %s is the server's own words. */
      g_autoptr (GError) error = g_error_new (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BYE,
                                              _("The server closed the connection: %s"),
                                              response->text);
      _buzon_imap_connection_fail (self, error);
    }
  buzon_imap_response_free (response);
}

static void
dispatch_greeting (BuzonImapConnection *self,
                   BuzonImapResponse   *response)
{
  g_autoptr (BuzonImapResponse) owned G_GNUC_UNUSED = response;
  g_autoptr (GError) error = NULL;

  self->greeting = g_strdup (response->text);
  if (response->kind != BUZON_IMAP_RESPONSE_UNTAGGED
      || (response->status != BUZON_IMAP_STATUS_OK && response->status != BUZON_IMAP_STATUS_PREAUTH
          && response->status != BUZON_IMAP_STATUS_BYE))
    {
      /* Translators: %s is a host name. */
      error = g_error_new (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NOT_IMAP,
                           _("%s did not greet like an IMAP server"), self->url->host);
      _buzon_imap_connection_fail (self, error);
      return;
    }
  if (response->status == BUZON_IMAP_STATUS_BYE)
    {
      /* Translators: the first %s is a host name, the second the server's words. */
      error = g_error_new (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BYE,
                           _("%s refused the connection: %s"), self->url->host, response->text);
      _buzon_imap_connection_fail (self, error);
      return;
    }
  self->preauthenticated = response->status == BUZON_IMAP_STATUS_PREAUTH;
  if (response->code != NULL && g_str_equal (response->code, "CAPABILITY"))
    set_capabilities_from (self, response->code_args);
  self->state = STATE_OPEN;
  _buzon_imap_connection_open_step (self, NULL);
}

/* TLS hands over one record (16 KiB at most) per read: during a big FETCH,
 * a trip through the main loop for each would cost more than the parsing.
 * So what is already there is read at once, without blocking, up to a
 * bound that keeps the main loop turning. Not while STARTTLS or COMPRESS is
 * in flight: the bytes after their answer belong to the new transport. */
static void
drain_ready_input (BuzonImapConnection *self)
{
  GPollableInputStream *pollable;

  if (!G_IS_POLLABLE_INPUT_STREAM (self->input))
    return;
  pollable = G_POLLABLE_INPUT_STREAM (self->input);
  if (!g_pollable_input_stream_can_poll (pollable))
    return;
  for (GList *l = self->in_flight.head; l != NULL; l = l->next)
    if (((Pending *) l->data)->barrier)
      return;
  for (guint i = 0; i < 32; i++)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (pollable, self->read_buffer,
                                                           READ_BUFFER_SIZE, NULL, &error);

      /* Nothing more now, or the end: the next read_async() says which. An
       * error is kept for after the responses before it: reading again
       * would not repeat it (after a connection cut mid-record, TLS only
       * says its session is no longer valid). */
      if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        self->read_error = g_steal_pointer (&error);
      if (n <= 0)
        return;
      buzon_imap_parser_feed (self->parser, (const char *) self->read_buffer, n);
    }
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (BuzonImapConnection) self = user_data;
  g_autoptr (GError) error = NULL;
  gssize n;

  self->read_pending = FALSE;
  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (self->state == STATE_CLOSED)
    return;
  if (n < 0)
    {
      _buzon_imap_connection_fail (self, error);
      return;
    }
  if (n == 0)
    {
      /* Translators: %s is a host name. */
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           _("%s closed the connection"), self->url->host);
      _buzon_imap_connection_fail (self, error);
      return;
    }

  self->last_activity = g_get_monotonic_time ();
  buzon_imap_parser_feed (self->parser, (const char *) self->read_buffer, n);
  drain_ready_input (self);
  process_responses (self);
}

static gboolean
resume_cb (gpointer user_data)
{
  BuzonImapConnection *self = user_data;

  g_clear_pointer (&self->resume_source, g_source_unref);
  process_responses (self);
  return G_SOURCE_REMOVE;
}

/* Below the default priority: whatever else is ready (a frame, a timer,
 * the store's answers) goes first. */
static void
resume_later (BuzonImapConnection *self)
{
  if (self->resume_source != NULL)
    return;
  self->resume_source = g_idle_source_new ();
  g_source_set_priority (self->resume_source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (self->resume_source, resume_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (self->resume_source, "[buzon-imap] dispatch");
  g_source_attach (self->resume_source, g_main_context_get_thread_default ());
}

/* Dispatches the complete responses the parser holds, then reads on; or,
 * after a slice of time, leaves the rest for resume_cb(). */
static void
process_responses (BuzonImapConnection *self)
{
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + DISPATCH_SLICE_US;

  /* Called again while a slice is due: that slice does it. */
  if (self->resume_source != NULL)
    return;
  while (self->state != STATE_CLOSED && !self->reading_paused)
    {
      BuzonImapResponse *response;

      if (g_get_monotonic_time () >= deadline)
        {
          /* Nothing is read meanwhile: what is buffered comes first. */
          resume_later (self);
          return;
        }
      response = buzon_imap_parser_next (self->parser, &error);

      if (response == NULL)
        {
          if (error != NULL && self->state == STATE_GREETING)
            {
              /* Translators: %s is a host name. */
              g_autoptr (GError) not_imap = g_error_new (BUZON_IMAP_ERROR,
                                                         BUZON_IMAP_ERROR_NOT_IMAP,
                                                         _("%s did not greet like an IMAP server"),
                                                         self->url->host);
              _buzon_imap_connection_fail (self, not_imap);
            }
          else if (error != NULL)
            _buzon_imap_connection_fail (self, error);
          break;
        }
      if (self->state == STATE_GREETING)
        dispatch_greeting (self, response);
      else if (response->kind == BUZON_IMAP_RESPONSE_CONTINUATION)
        {
          dispatch_continuation (self, response);
          buzon_imap_response_free (response);
        }
      else if (response->kind == BUZON_IMAP_RESPONSE_TAGGED)
        dispatch_tagged (self, response);
      else
        dispatch_untagged (self, response);
    }
  if (self->state != STATE_CLOSED && !self->reading_paused)
    _buzon_imap_connection_start_reading (self);
}

void
_buzon_imap_connection_start_reading (BuzonImapConnection *self)
{
  if (self->read_pending || self->state == STATE_CLOSED)
    return;
  if (self->read_error != NULL)
    {
      g_autoptr (GError) error = g_steal_pointer (&self->read_error);

      _buzon_imap_connection_fail (self, error);
      return;
    }
  self->read_pending = TRUE;
  g_input_stream_read_async (self->input, self->read_buffer,
                             READ_BUFFER_SIZE, G_PRIORITY_DEFAULT, self->io_cancellable,
                             read_done_cb, g_object_ref (self));
}

/* Commands. */

/* Returns the command queued, or NULL when it could not be (its task then
 * has its error). */
Pending *
_buzon_imap_connection_queue (BuzonImapConnection  *self,
                              BuzonImapCommand     *command,
                              BuzonImapUntaggedFunc untagged,
                              gpointer              untagged_data,
                              GTask                *task,
                              gboolean              pause_reading)
{
  char *tag = _buzon_imap_connection_next_tag (self);
  GPtrArray *chunks = buzon_imap_command_serialize (command, tag, literal_mode (self));
  Pending *pending;
  gsize size = 0;
  const char *first = g_bytes_get_data (g_ptr_array_index (chunks, 0), &size);
  g_autofree char *logout = g_strdup_printf ("%s LOGOUT\r\n", tag);
  g_autofree char *enable = g_strdup_printf ("%s ENABLE ", tag);

  pending = _buzon_imap_connection_enqueue (self, chunks, tag, task, untagged, untagged_data);
  if (pending == NULL)
    return NULL;
  pending->pause_reading = pause_reading;
  pending->barrier = pause_reading;
  pending->expects_bye = size == strlen (logout) && g_ascii_strncasecmp (first, logout, size) == 0;
  pending->is_enable = starts_with (first, size, enable);

  _buzon_imap_connection_pump_soon (self);
  return pending;
}

/**
 * buzon_imap_connection_command_async:
 * @command: the command; it is serialized at once and may be freed after
 *   this call returns
 * @untagged: (nullable): receives the untagged responses that answer this
 *   command, one by one, as they arrive: e.g. each FETCH of a UID FETCH, or
 *   LIST's each LIST (see recipient() for how they are told apart)
 * @cancellable: (nullable): cancelling before the command was written takes
 *   it out of the queue; a command already on the wire completes, as
 *   cancelled, when the server answers it (the connection's timeout bounds
 *   that wait); @untagged keeps getting its responses until then
 *
 * Sends @command when its turn comes. @callback gets the tagged response: an
 * OK as a BuzonImapResponse, a NO or BAD as a BUZON_IMAP_ERROR quoting the
 * server, a closed connection as the error that closed it.
 */
void
buzon_imap_connection_command_async (BuzonImapConnection  *self,
                                     BuzonImapCommand     *command,
                                     BuzonImapUntaggedFunc untagged,
                                     gpointer              untagged_data,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));
  g_return_if_fail (command != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_connection_command_async);
  if (self->state == STATE_CLOSED || self->state == STATE_NEW)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("Not connected to the server"));
      return;
    }
  _buzon_imap_connection_queue (self, command, untagged, untagged_data, g_steal_pointer (&task),
                                FALSE);
}

/**
 * buzon_imap_connection_command_finish:
 *
 * Returns: (transfer full): the tagged OK response, or %NULL with @error.
 */
BuzonImapResponse *
buzon_imap_connection_command_finish (BuzonImapConnection *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  BuzonImapResponse *response;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  response = g_task_propagate_pointer (G_TASK (result), error);
  if (response != NULL && response->status != BUZON_IMAP_STATUS_OK)
    {
      g_propagate_error (error, _buzon_imap_error_from_status (self->url->host, response));
      g_clear_pointer (&response, buzon_imap_response_free);
    }
  return response;
}

/* The open's cancellable must not close the connection once it is open. */
void
_buzon_imap_connection_forget_open_cancellable (BuzonImapConnection *self)
{
  if (self->open_cancelled_id != 0)
    g_signal_handler_disconnect (self->open_cancellable, self->open_cancelled_id);
  self->open_cancelled_id = 0;
  g_clear_object (&self->open_cancellable);
}

/* Takes @stream (the socket or TLS connection) as the transport. */
void
_buzon_imap_connection_set_stream (BuzonImapConnection *self,
                                   GIOStream           *stream)
{
  g_set_object (&self->stream, stream);
  g_set_object (&self->input, g_io_stream_get_input_stream (stream));
  g_set_object (&self->output, g_io_stream_get_output_stream (stream));
}

/* COMPRESS=DEFLATE (RFC 4978). */

static void
compress_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonImapConnection *self = BUZON_IMAP_CONNECTION (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (GZlibDecompressor) decompressor = NULL;
  g_autoptr (GZlibCompressor) compressor = NULL;
  GInputStream *input;
  GOutputStream *output;

  response = buzon_imap_connection_command_finish (self, result, &error);
  if (response == NULL)
    {
      self->reading_paused = FALSE;
      if (self->state != STATE_CLOSED)
        _buzon_imap_connection_start_reading (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW);
  compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, -1);

  /* What came in the same read as the OK is already deflated: inflate it
   * with the same decompressor before the stream takes over. */
  {
    g_autoptr (GBytes) rest = buzon_imap_parser_take_buffered (self->parser);
    gsize left = 0;
    const guint8 *in = g_bytes_get_data (rest, &left);

    while (left > 0)
      {
        guint8 out[16384];
        gsize used = 0, made = 0;

        if (g_converter_convert (G_CONVERTER (decompressor), in, left, out, sizeof out,
                                 G_CONVERTER_NO_FLAGS, &used, &made, &error)
            == G_CONVERTER_ERROR)
          {
            _buzon_imap_connection_fail (self, error);
            g_task_return_error (task, g_steal_pointer (&error));
            return;
          }
        buzon_imap_parser_feed (self->parser, (const char *) out, made);
        in += used;
        left -= used;
      }
  }
  input = g_converter_input_stream_new (self->input, G_CONVERTER (decompressor));
  output = g_converter_output_stream_new (self->output, G_CONVERTER (compressor));
  g_object_unref (self->input);
  g_object_unref (self->output);
  self->input = input;
  self->output = output;
  self->compressed = TRUE;
  self->reading_paused = FALSE;
  process_responses (self);
  _buzon_imap_connection_pump (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * buzon_imap_connection_compress_async:
 *
 * Turns on COMPRESS=DEFLATE: from the server's OK on, both directions are
 * deflated. Nothing else is sent between COMPRESS and its answer. Fails
 * where the server does not offer it or refuses (the connection stays
 * usable, uncompressed).
 */
void
buzon_imap_connection_compress_async (BuzonImapConnection *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;
  GTask *command_task;

  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_connection_compress_async);
  /* Once COMPRESS is sent, the outcome is the server's answer: both sides
   * must agree on it, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);
  if (self->compressed || !buzon_imap_connection_has_capability (self, "COMPRESS=DEFLATE"))
    {
      /* Translators: %s is a host name. */
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("%s does not offer compression"), self->url->host);
      return;
    }
  command = buzon_imap_command_new ("COMPRESS");
  buzon_imap_command_add_atom (command, "DEFLATE");
  command_task = g_task_new (self, NULL, compress_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (command_task, buzon_imap_connection_command_async);
  _buzon_imap_connection_queue (self, command, NULL, NULL, command_task, TRUE);
}

gboolean
buzon_imap_connection_compress_finish (BuzonImapConnection *self,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* TRUE once COMPRESS=DEFLATE is on. */
gboolean
buzon_imap_connection_get_is_compressed (BuzonImapConnection *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (self), FALSE);
  return self->compressed;
}

/* TRUE once the server confirmed ENABLE for @extension (e.g. "QRESYNC"). */
gboolean
buzon_imap_connection_is_enabled (BuzonImapConnection *self,
                                  const char          *extension)
{
  g_autofree char *upper = NULL;

  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (self), FALSE);
  upper = g_ascii_strup (extension, -1);
  return g_hash_table_contains (self->enabled, upper);
}

/* Properties. */

gboolean
buzon_imap_connection_has_capability (BuzonImapConnection *self,
                                      const char          *name)
{
  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (self), FALSE);

  for (guint i = 0; self->capabilities[i] != NULL; i++)
    if (g_ascii_strcasecmp (self->capabilities[i], name) == 0)
      return TRUE;
  return FALSE;
}

const char * const *
buzon_imap_connection_get_capabilities (BuzonImapConnection *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (self), NULL);
  return (const char * const *) self->capabilities;
}

gboolean
buzon_imap_connection_get_preauthenticated (BuzonImapConnection *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (self), FALSE);
  return self->preauthenticated;
}

/* TRUE when the connection runs over TLS. */
gboolean
buzon_imap_connection_get_is_secure (BuzonImapConnection *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (self), FALSE);
  return self->stream != NULL && G_IS_TLS_CONNECTION (self->stream);
}

/* The server certificate's SHA-256, lower-case hex, once TLS was tried. */
const char *
buzon_imap_connection_get_certificate_sha256 (BuzonImapConnection *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (self), NULL);
  return self->certificate_sha256;
}

/* Why the system did not trust the certificate; 0 when it did. */
GTlsCertificateFlags
buzon_imap_connection_get_certificate_errors (BuzonImapConnection *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (self), 0);
  return self->certificate_errors;
}

/* TRUE when the certificate was accepted only because it is pinned. */
gboolean
buzon_imap_connection_get_certificate_pinned (BuzonImapConnection *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (self), FALSE);
  return self->certificate_pinned;
}

const char *
buzon_imap_connection_get_greeting (BuzonImapConnection *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (self), NULL);
  return self->greeting;
}
