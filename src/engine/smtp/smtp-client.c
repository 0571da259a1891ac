// BuzonSmtpClient: the connection, its I/O and timeouts, and the opening
// sequence: connect, TLS, greeting, EHLO, STARTTLS, EHLO again; and QUIT.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The client runs one operation at a time (BuzonSmtpOp). An operation is a
// chain of exchanges: bytes written (several commands at once where the
// server pipelines), then a number of replies read, then its next step.
// Every read and every write is bounded by the timeout: a server that says
// nothing, or takes nothing, fails the operation with
// BUZON_SMTP_ERROR_TIMEOUT and closes the connection. Any I/O error, and any
// reply that is not SMTP, closes the connection too; a refusal (4xx, 5xx)
// leaves it open for the next operation.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "net/tls-certificate.h"
#include "net/tls-client.h"
#include "smtp-client-private.h"
#include "smtp-error.h"

#define DEFAULT_TIMEOUT_SECONDS 60
#define READ_BUFFER_SIZE        (16 * 1024)
#define WRITE_CHUNK_SIZE        (64 * 1024)

G_DEFINE_FINAL_TYPE (BuzonSmtpClient, buzon_smtp_client, G_TYPE_OBJECT)

static void
buzon_smtp_client_finalize (GObject *object)
{
  BuzonSmtpClient *self = BUZON_SMTP_CLIENT (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->stream != NULL)
    g_io_stream_close (self->stream, NULL, NULL);
  g_clear_object (&self->stream);
  g_clear_object (&self->socket_connection);
  g_clear_object (&self->io_cancellable);
  g_clear_pointer (&self->parser, buzon_smtp_reply_parser_free);
  g_free (self->read_buffer);
  g_clear_pointer (&self->url, buzon_server_url_free);
  g_strfreev (self->trusted_certificates);
  g_clear_pointer (&self->capabilities, buzon_smtp_capabilities_free);
  g_free (self->greeting);
  g_free (self->certificate_sha256);
  if (self->commit_data_free != NULL)
    self->commit_data_free (self->commit_data);
  G_OBJECT_CLASS (buzon_smtp_client_parent_class)->finalize (object);
}

static void
buzon_smtp_client_class_init (BuzonSmtpClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = buzon_smtp_client_finalize;
}

static void
buzon_smtp_client_init (BuzonSmtpClient *self)
{
  self->parser = buzon_smtp_reply_parser_new (NULL);
  self->read_buffer = g_malloc (READ_BUFFER_SIZE);
  self->io_cancellable = g_cancellable_new ();
  self->capabilities = buzon_smtp_capabilities_new ();
  self->timeout_seconds = DEFAULT_TIMEOUT_SECONDS;
}

/**
 * buzon_smtp_client_new:
 * @url: a submissions://, submission:// or smtp+plain:// URL
 * @trusted_certificates: (nullable): "sha256:<hex>" fingerprints accepted
 *   besides what the system trusts (the account's TrustedCertificates)
 */
BuzonSmtpClient *
buzon_smtp_client_new (const BuzonServerUrl *url,
                       const char * const   *trusted_certificates)
{
  BuzonSmtpClient *self;

  g_return_val_if_fail (url != NULL && url->protocol == BUZON_SERVER_PROTOCOL_SMTP, NULL);
  self = g_object_new (BUZON_TYPE_SMTP_CLIENT, NULL);
  self->url = buzon_server_url_copy (url);
  self->trusted_certificates = trusted_certificates != NULL
                                 ? g_strdupv ((char **) trusted_certificates)
                                 : g_new0 (char *, 1);
  return self;
}

/* Seconds a read or a write may wait (60 by default); 0 waits for ever. */
void
buzon_smtp_client_set_timeout (BuzonSmtpClient *self,
                               guint            seconds)
{
  g_return_if_fail (BUZON_IS_SMTP_CLIENT (self));
  self->timeout_seconds = seconds;
}

/**
 * buzon_smtp_client_set_commit_func:
 * @func: (nullable): called by each send before the end of DATA
 *
 * Lets the caller write down, durably, that the server is about to have
 * the message, before it has it: a send queue killed between the two then
 * knows on restart that the message may have been delivered, and one
 * killed earlier knows it cannot have been.
 */
void
buzon_smtp_client_set_commit_func (BuzonSmtpClient     *self,
                                   BuzonSmtpCommitFunc  func,
                                   gpointer             user_data,
                                   GDestroyNotify       user_data_free)
{
  g_return_if_fail (BUZON_IS_SMTP_CLIENT (self));

  if (self->commit_data_free != NULL)
    self->commit_data_free (self->commit_data);
  self->commit_func = func;
  self->commit_data = user_data;
  self->commit_data_free = user_data_free;
}

/* Closes the connection at once, without QUIT; an operation running fails. */
void
buzon_smtp_client_close (BuzonSmtpClient *self)
{
  g_return_if_fail (BUZON_IS_SMTP_CLIENT (self));
  self->closed = TRUE;
  g_cancellable_cancel (self->io_cancellable);
  /* The server sees the end at once; the descriptor goes with the object,
   * after whatever I/O was in flight has seen the cancel. */
  if (self->socket_connection != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (self->socket_connection), TRUE, TRUE,
                       NULL);
}

/* Operations. */

static void
op_cancelled_cb (GCancellable *cancellable,
                 gpointer      user_data)
{
  BuzonSmtpOp *op = user_data;

  buzon_smtp_client_close (op->client);
}

BuzonSmtpOp *
_buzon_smtp_op_new (BuzonSmtpClient     *client,
                    gpointer             source_tag,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  BuzonSmtpOp *op = g_new0 (BuzonSmtpOp, 1);

  op->client = g_object_ref (client);
  op->task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, source_tag);
  op->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_smtp_reply_free);
  if (client->op != NULL)
    return op; /* _buzon_smtp_op_check_ready() fails it. */
  client->op = op;
  if (cancellable != NULL)
    {
      op->cancellable = g_object_ref (cancellable);
      op->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (op_cancelled_cb), op,
                                                NULL);
    }
  return op;
}

/* Before the task returns (its callback may start the next operation). */
static void
op_detach (BuzonSmtpOp *op)
{
  if (op->client->op == op)
    op->client->op = NULL;
  if (op->cancellable != NULL)
    {
      g_cancellable_disconnect (op->cancellable, op->cancelled_id);
      op->cancelled_id = 0;
      g_clear_object (&op->cancellable);
    }
}

static void
op_free (BuzonSmtpOp *op)
{
  op_detach (op);
  if (op->out != NULL && op->out_sensitive)
    {
      gsize size;
      gpointer data = (gpointer) g_bytes_get_data (op->out, &size);
      memset (data, 0, size);
    }
  g_clear_pointer (&op->out, g_bytes_unref);
  g_ptr_array_unref (op->replies);
  if (op->data_free != NULL)
    op->data_free (op->data);
  g_object_unref (op->task);
  g_object_unref (op->client);
  g_free (op);
}

/* For operations that need an open, idle connection: fails @op and returns
 * FALSE when there is none. */
gboolean
_buzon_smtp_op_check_ready (BuzonSmtpOp *op)
{
  BuzonSmtpClient *self = op->client;

  if (self->op != op)
    {
      op_detach (op);
      g_task_return_new_error (op->task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Another operation is already running on this connection"));
      op_free (op);
      return FALSE;
    }
  if (!self->connected || self->closed)
    {
      /* Translators: %s is a host name. */
      _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_CONNECTION,
                                            _("The connection to %s is not open"),
                                            self->url->host),
                           FALSE);
      return FALSE;
    }
  return TRUE;
}

/* Ends @op with @error (taken); @close closes the connection first. */
void
_buzon_smtp_op_fail (BuzonSmtpOp *op,
                     GError      *error,
                     gboolean     close)
{
  BuzonSmtpClient *self = op->client;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (close)
    buzon_smtp_client_close (self);
  if (op->in_doubt && error->domain == BUZON_SMTP_ERROR
      && (error->code == BUZON_SMTP_ERROR_CONNECTION || error->code == BUZON_SMTP_ERROR_TIMEOUT))
    {
      GError *doubt;

      /* Translators: the first %s is a host name, the second what went wrong. */
      doubt = g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_OUTCOME_UNKNOWN,
                           _("%s was sent the whole message but did not confirm it, so it "
                             "may have been delivered: %s"),
                           self->url->host, error->message);
      g_clear_error (&error);
      error = doubt;
    }
  if (op->cancellable != NULL && g_cancellable_is_cancelled (op->cancellable)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
    }
  op_detach (op);
  g_task_return_error (op->task, error);
  op_free (op);
}

void
_buzon_smtp_op_return_boolean (BuzonSmtpOp *op)
{
  op_detach (op);
  g_task_return_boolean (op->task, TRUE);
  op_free (op);
}

void
_buzon_smtp_op_return_pointer (BuzonSmtpOp    *op,
                               gpointer        result,
                               GDestroyNotify  result_free)
{
  op_detach (op);
  g_task_return_pointer (op->task, result, result_free);
  op_free (op);
}

/* The error for a refusal: 4xx temporary, 5xx for good, quoting the server. */
GError *
_buzon_smtp_client_reply_error (BuzonSmtpClient      *self,
                                const BuzonSmtpReply *reply)
{
  g_autofree char *words = buzon_smtp_reply_to_string (reply);

  /* Translators: the first %s is a host name, the second the server's own words. */
  return g_error_new (BUZON_SMTP_ERROR,
                      buzon_smtp_reply_is_transient (reply) ? BUZON_SMTP_ERROR_TEMPORARY
                                                            : BUZON_SMTP_ERROR_REFUSED,
                      _("%s says: %s"), self->url->host, words);
}

/* I/O. */

static gboolean
timer_cb (gpointer user_data)
{
  BuzonSmtpClient *self = user_data;

  self->timer_id = 0;
  self->timed_out = TRUE;
  g_cancellable_cancel (self->io_cancellable);
  return G_SOURCE_REMOVE;
}

/* The current exchange's timeout: the client's, or a multiple of it for
 * the answer to the end of DATA. */
static guint
current_timeout (BuzonSmtpClient *self)
{
  if (self->op != NULL && self->op->timeout_factor > 1)
    return self->timeout_seconds * self->op->timeout_factor;
  return self->timeout_seconds;
}

static void
start_timer (BuzonSmtpClient *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->timeout_seconds > 0)
    self->timer_id = g_timeout_add_seconds (current_timeout (self), timer_cb, self);
}

/* The error an I/O failure becomes: a timeout, the user's cancel, or a
 * lost connection, each naming the host. */
static GError *
io_error (BuzonSmtpOp  *op,
          const GError *error)
{
  BuzonSmtpClient *self = op->client;

  if (self->timed_out)
    /* Translators: %s is a host name, %u a number of seconds. */
    return g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_TIMEOUT,
                        _("%s did not answer within %u seconds"), self->url->host,
                        current_timeout (self));
  if (op->cancellable != NULL && g_cancellable_is_cancelled (op->cancellable))
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
  if (error == NULL)
    {
      if (buzon_smtp_reply_parser_get_buffered (self->parser) > 0)
        /* Translators: %s is a host name. */
        return g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_CONNECTION,
                            _("%s closed the connection in the middle of a reply"),
                            self->url->host);
      /* Translators: %s is a host name. */
      return g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_CONNECTION,
                          _("%s closed the connection"), self->url->host);
    }
  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    return g_error_copy (error);
  /* Translators: the first %s is a host name, the second the reason. */
  return g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_CONNECTION,
                      _("Lost the connection to %s: %s"), self->url->host, error->message);
}

static void read_replies (BuzonSmtpOp *op);

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  BuzonSmtpOp *op = user_data;
  BuzonSmtpClient *self = op->client;
  g_autoptr (GError) error = NULL;
  gssize read;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  read = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (read <= 0)
    {
      _buzon_smtp_op_fail (op, io_error (op, error), TRUE);
      return;
    }
  buzon_smtp_reply_parser_feed (self->parser, (const char *) self->read_buffer, (gsize) read);
  read_replies (op);
}

static void
read_replies (BuzonSmtpOp *op)
{
  BuzonSmtpClient *self = op->client;

  while (op->replies->len < op->wanted)
    {
      g_autoptr (GError) error = NULL;
      BuzonSmtpReply *reply = buzon_smtp_reply_parser_next (self->parser, &error);

      if (error != NULL)
        {
          /* Translators: the first %s is a host name, the second what is wrong. */
          _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, error->code,
                                                _("%s broke the protocol: %s"), self->url->host,
                                                error->message),
                               TRUE);
          return;
        }
      if (reply == NULL)
        break;
      g_ptr_array_add (op->replies, reply);
    }
  if (op->replies->len == op->wanted)
    {
      op->next (op);
      return;
    }
  if (self->closed)
    {
      _buzon_smtp_op_fail (op, io_error (op, NULL), TRUE);
      return;
    }
  self->timed_out = FALSE;
  start_timer (self);
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream), self->read_buffer,
                             READ_BUFFER_SIZE, G_PRIORITY_DEFAULT, self->io_cancellable, read_cb,
                             op);
}

static void write_out (BuzonSmtpOp *op);

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  BuzonSmtpOp *op = user_data;
  g_autoptr (GError) error = NULL;
  gssize written;

  g_clear_handle_id (&op->client->timer_id, g_source_remove);
  written = g_output_stream_write_finish (G_OUTPUT_STREAM (source), result, &error);
  if (written < 0)
    {
      _buzon_smtp_op_fail (op, io_error (op, error), TRUE);
      return;
    }
  op->out_offset += (gsize) written;
  write_out (op);
}

static void
write_out (BuzonSmtpOp *op)
{
  BuzonSmtpClient *self = op->client;
  gsize size;
  const guint8 *data = g_bytes_get_data (op->out, &size);

  if (op->out_offset == size)
    {
      if (op->out_sensitive)
        memset ((gpointer) data, 0, size);
      g_clear_pointer (&op->out, g_bytes_unref);
      op->out_sensitive = FALSE;
      read_replies (op);
      return;
    }
  if (op->out_final && size - op->out_offset <= WRITE_CHUNK_SIZE)
    op->in_doubt = TRUE;
  self->timed_out = FALSE;
  start_timer (self);
  g_output_stream_write_async (g_io_stream_get_output_stream (self->stream),
                               data + op->out_offset, MIN (size - op->out_offset,
                                                           WRITE_CHUNK_SIZE),
                               G_PRIORITY_DEFAULT, self->io_cancellable, write_cb, op);
}

/**
 * _buzon_smtp_op_exchange:
 * @out: (transfer full) (nullable): bytes to write first, CRLFs included
 * @replies: how many replies to read then (they replace op->replies)
 * @next: what to do with them
 */
void
_buzon_smtp_op_exchange (BuzonSmtpOp     *op,
                         GBytes          *out,
                         guint            replies,
                         BuzonSmtpOpStep  next)
{
  g_ptr_array_set_size (op->replies, 0);
  op->wanted = replies;
  op->next = next;
  if (op->client->closed)
    {
      if (out != NULL && op->out_sensitive)
        {
          gsize size;
          memset ((gpointer) g_bytes_get_data (out, &size), 0, g_bytes_get_size (out));
          (void) size;
        }
      g_clear_pointer (&out, g_bytes_unref);
      _buzon_smtp_op_fail (op, io_error (op, NULL), TRUE);
      return;
    }
  if (out == NULL)
    {
      read_replies (op);
      return;
    }
  g_clear_pointer (&op->out, g_bytes_unref);
  op->out = out;
  op->out_offset = 0;
  write_out (op);
}

/* One command, CRLF added, and its reply. */
void
_buzon_smtp_op_command (BuzonSmtpOp     *op,
                        BuzonSmtpOpStep  next,
                        const char      *format,
                        ...)
{
  va_list args;
  GString *line = g_string_new (NULL);

  va_start (args, format);
  g_string_append_vprintf (line, format, args);
  va_end (args);
  g_string_append (line, "\r\n");
  _buzon_smtp_op_exchange (op, g_string_free_to_bytes (line), 1, next);
}

/* Opening. */

enum
{
  OPEN_GREETING,
  OPEN_EHLO,
  OPEN_HELO,
  OPEN_STARTTLS,
  OPEN_EHLO_AFTER_TLS,
};

static gboolean
accept_certificate_cb (GTlsConnection       *tls,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  BuzonSmtpClient *self = user_data;

  g_free (self->certificate_sha256);
  self->certificate_sha256 = buzon_tls_certificate_sha256 (certificate);
  self->certificate_errors = errors;
  self->certificate_pinned = buzon_tls_certificate_is_pinned (
    self->certificate_sha256, (const char * const *) self->trusted_certificates);
  return self->certificate_pinned;
}

static void open_step (BuzonSmtpOp *op);

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  BuzonSmtpOp *op = user_data;
  BuzonSmtpClient *self = op->client;
  g_autoptr (GError) error = NULL;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE)
          && self->certificate_sha256 != NULL)
        _buzon_smtp_op_fail (op, buzon_tls_certificate_untrusted_error (
                                   self->url->host, self->certificate_errors),
                             TRUE);
      else
        _buzon_smtp_op_fail (op, io_error (op, error), TRUE);
      return;
    }
  if (self->certificate_sha256 == NULL)
    {
      GTlsCertificate *peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (source));
      if (peer != NULL)
        self->certificate_sha256 = buzon_tls_certificate_sha256 (peer);
    }
  self->secure = TRUE;
  if (op->step == OPEN_STARTTLS)
    {
      /* What was said before TLS is forgotten (RFC 3207 §4.2). */
      op->step = OPEN_EHLO_AFTER_TLS;
      g_clear_pointer (&self->capabilities, buzon_smtp_capabilities_free);
      self->capabilities = buzon_smtp_capabilities_new ();
      _buzon_smtp_op_command (op, open_step, "EHLO %s", (const char *) op->data);
      return;
    }
  _buzon_smtp_op_exchange (op, NULL, 1, open_step);
}

static void
tls_made_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  BuzonSmtpOp *op = user_data;
  BuzonSmtpClient *self = op->client;
  g_autoptr (GError) error = NULL;
  GIOStream *tls = buzon_tls_client_new_finish (result, &error);

  if (tls == NULL)
    {
      g_clear_handle_id (&self->timer_id, g_source_remove);
      /* Cancelled, or timed out; else GIO has no TLS (glib-networking). */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _buzon_smtp_op_fail (op, io_error (op, error), TRUE);
      else
        _buzon_smtp_op_fail (op, g_steal_pointer (&error), TRUE);
      return;
    }
  g_signal_connect_object (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), self,
                           0);
  g_clear_object (&self->stream);
  self->stream = tls;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    self->io_cancellable, handshake_cb, op);
}

/* The connection is made on a worker (see net/tls-client.c); the timeout
 * covers that and the handshake. */
static void
start_tls (BuzonSmtpOp *op)
{
  BuzonSmtpClient *self = op->client;

  self->timed_out = FALSE;
  start_timer (self);
  buzon_tls_client_new_async (G_IO_STREAM (self->socket_connection), self->url->host,
                              self->url->port, self->io_cancellable, tls_made_cb, op);
}

/* The name this client gives in EHLO: the address literal of its end of
 * the connection (RFC 5321 §4.1.3), which tells the server nothing new. */
static char *
ehlo_name (BuzonSmtpClient *self)
{
  g_autoptr (GSocketAddress) local = NULL;
  g_autofree char *address = NULL;
  GInetAddress *inet;

  local = g_socket_connection_get_local_address (self->socket_connection, NULL);
  if (local == NULL || !G_IS_INET_SOCKET_ADDRESS (local))
    return g_strdup ("[127.0.0.1]");
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  address = g_inet_address_to_string (inet);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[IPv6:%s]", address);
  return g_strdup_printf ("[%s]", address);
}

static void
open_done (BuzonSmtpOp *op)
{
  op->client->connected = TRUE;
  _buzon_smtp_op_return_boolean (op);
}

static void
open_step (BuzonSmtpOp *op)
{
  BuzonSmtpClient *self = op->client;
  BuzonSmtpReply *reply = op->replies->pdata[0];

  switch (op->step)
    {
    case OPEN_GREETING:
      g_free (self->greeting);
      self->greeting = buzon_smtp_reply_to_string (reply);
      if (reply->code != 220)
        {
          /* Translators: the first %s is a host name, the second its greeting. */
          _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_NOT_SMTP,
                                                _("%s does not take mail: %s"), self->url->host,
                                                self->greeting),
                               TRUE);
          return;
        }
      op->step = OPEN_EHLO;
      _buzon_smtp_op_command (op, open_step, "EHLO %s", (const char *) op->data);
      return;

    case OPEN_EHLO:
    case OPEN_EHLO_AFTER_TLS:
      if (reply->code != 250)
        {
          /* HELO only where nothing needs an extension: plaintext, loopback. */
          if (op->step == OPEN_EHLO && self->url->security == BUZON_SERVER_SECURITY_PLAIN
              && !buzon_smtp_reply_is_transient (reply))
            {
              op->step = OPEN_HELO;
              _buzon_smtp_op_command (op, open_step, "HELO %s", (const char *) op->data);
              return;
            }
          _buzon_smtp_op_fail (op, _buzon_smtp_client_reply_error (self, reply), TRUE);
          return;
        }
      g_clear_pointer (&self->capabilities, buzon_smtp_capabilities_free);
      self->capabilities = buzon_smtp_capabilities_parse (reply);
      if (op->step == OPEN_EHLO && self->url->security == BUZON_SERVER_SECURITY_STARTTLS)
        {
          if (!(self->capabilities->extensions & BUZON_SMTP_EXTENSION_STARTTLS))
            {
              /* Translators: %s is a host name. */
              _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR,
                                                    BUZON_SMTP_ERROR_NO_STARTTLS,
                                                    _("%s does not offer STARTTLS; refusing to "
                                                      "go on without TLS"),
                                                    self->url->host),
                                   TRUE);
              return;
            }
          op->step = OPEN_STARTTLS;
          _buzon_smtp_op_command (op, open_step, "STARTTLS");
          return;
        }
      open_done (op);
      return;

    case OPEN_HELO:
      if (reply->code != 250)
        {
          _buzon_smtp_op_fail (op, _buzon_smtp_client_reply_error (self, reply), TRUE);
          return;
        }
      g_clear_pointer (&self->capabilities, buzon_smtp_capabilities_free);
      self->capabilities = buzon_smtp_capabilities_new ();
      open_done (op);
      return;

    case OPEN_STARTTLS:
      if (reply->code != 220)
        {
          g_autofree char *words = buzon_smtp_reply_to_string (reply);

          /* Translators: the first %s is a host name, the second the server's words. */
          _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_NO_STARTTLS,
                                                _("%s refused to start TLS: %s"),
                                                self->url->host, words),
                               TRUE);
          return;
        }
      /* Anything sent after the reply and before the handshake could be an
       * attacker's injection (CVE-2011-0411): refuse it. */
      if (buzon_smtp_reply_parser_get_buffered (self->parser) > 0)
        {
          _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_PARSE,
                                                _("%s sent data before TLS started; refusing "
                                                  "it"),
                                                self->url->host),
                               TRUE);
          return;
        }
      start_tls (op);
      return;

    default:
      g_assert_not_reached ();
    }
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  BuzonSmtpOp *op = user_data;
  BuzonSmtpClient *self = op->client;
  g_autoptr (GError) error = NULL;
  GSocketConnection *connection;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      if (self->timed_out || (op->cancellable != NULL
                              && g_cancellable_is_cancelled (op->cancellable)))
        {
          _buzon_smtp_op_fail (op, io_error (op, error), TRUE);
          return;
        }
      /* Translators: %s:%u is a host and port, the last %s the reason. */
      _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_CONNECTION,
                                            _("Cannot connect to %s:%u: %s"), self->url->host,
                                            self->url->port, error->message),
                           TRUE);
      return;
    }
  self->socket_connection = connection;
  self->stream = g_object_ref (G_IO_STREAM (connection));
  op->data = ehlo_name (self);
  op->data_free = g_free;
  op->step = OPEN_GREETING;
  if (self->url->security == BUZON_SERVER_SECURITY_TLS)
    start_tls (op);
  else
    _buzon_smtp_op_exchange (op, NULL, 1, open_step);
}

/**
 * buzon_smtp_client_connect_async:
 *
 * Connects, sets up TLS as the URL says (submissions://: from the first
 * byte; submission://: STARTTLS, required, never a fallback to plaintext;
 * smtp+plain://: none, loopback only), reads the greeting and says EHLO
 * (HELO only where EHLO is refused on plaintext loopback), again after
 * STARTTLS. Fails with G_TLS_ERROR_BAD_CERTIFICATE (the fingerprint then
 * available) for a certificate neither trusted nor pinned,
 * BUZON_SMTP_ERROR_NO_STARTTLS, _NOT_SMTP, _CONNECTION, _TIMEOUT. Cancelling
 * closes the connection. Call once.
 */
void
buzon_smtp_client_connect_async (BuzonSmtpClient     *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr (GSocketClient) client = NULL;
  BuzonSmtpOp *op;

  g_return_if_fail (BUZON_IS_SMTP_CLIENT (self));
  g_return_if_fail (self->socket_connection == NULL && self->op == NULL);

  op = _buzon_smtp_op_new (self, buzon_smtp_client_connect_async, cancellable, callback,
                           user_data);
  if (self->url->security == BUZON_SERVER_SECURITY_PLAIN
      && !buzon_server_url_is_loopback (self->url))
    {
      /* Translators: %s is a host name. */
      _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_NO_STARTTLS,
                                            _("Refusing to send mail to %s without TLS"),
                                            self->url->host),
                           TRUE);
      return;
    }
  client = g_socket_client_new ();
  self->timed_out = FALSE;
  start_timer (self);
  g_socket_client_connect_to_host_async (client, self->url->host, self->url->port,
                                         self->io_cancellable, connected_cb, op);
}

gboolean
buzon_smtp_client_connect_finish (BuzonSmtpClient  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Quitting. */

static void
quit_done (BuzonSmtpOp *op)
{
  buzon_smtp_client_close (op->client);
  _buzon_smtp_op_return_boolean (op);
}

/**
 * buzon_smtp_client_quit_async:
 *
 * Says QUIT, waits for the server's goodbye and closes the connection; a
 * server that closes it first is fine too.
 */
void
buzon_smtp_client_quit_async (BuzonSmtpClient     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  BuzonSmtpOp *op;

  g_return_if_fail (BUZON_IS_SMTP_CLIENT (self));
  op = _buzon_smtp_op_new (self, buzon_smtp_client_quit_async, cancellable, callback,
                           user_data);
  if (!_buzon_smtp_op_check_ready (op))
    return;
  _buzon_smtp_op_command (op, quit_done, "QUIT");
}

gboolean
buzon_smtp_client_quit_finish (BuzonSmtpClient  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Accessors. */

/* What the last EHLO offered (nothing before connecting, or after HELO). */
const BuzonSmtpCapabilities *
buzon_smtp_client_get_capabilities (BuzonSmtpClient *self)
{
  g_return_val_if_fail (BUZON_IS_SMTP_CLIENT (self), NULL);
  return self->capabilities;
}

const char *
buzon_smtp_client_get_greeting (BuzonSmtpClient *self)
{
  g_return_val_if_fail (BUZON_IS_SMTP_CLIENT (self), NULL);
  return self->greeting;
}

gboolean
buzon_smtp_client_get_is_secure (BuzonSmtpClient *self)
{
  g_return_val_if_fail (BUZON_IS_SMTP_CLIENT (self), FALSE);
  return self->secure;
}

gboolean
buzon_smtp_client_get_is_closed (BuzonSmtpClient *self)
{
  g_return_val_if_fail (BUZON_IS_SMTP_CLIENT (self), TRUE);
  return self->closed;
}

const char *
buzon_smtp_client_get_certificate_sha256 (BuzonSmtpClient *self)
{
  g_return_val_if_fail (BUZON_IS_SMTP_CLIENT (self), NULL);
  return self->certificate_sha256;
}

GTlsCertificateFlags
buzon_smtp_client_get_certificate_errors (BuzonSmtpClient *self)
{
  g_return_val_if_fail (BUZON_IS_SMTP_CLIENT (self), 0);
  return self->certificate_errors;
}

gboolean
buzon_smtp_client_get_certificate_pinned (BuzonSmtpClient *self)
{
  g_return_val_if_fail (BUZON_IS_SMTP_CLIENT (self), FALSE);
  return self->certificate_pinned;
}
