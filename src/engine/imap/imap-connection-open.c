// BuzonImapConnection, opening: connect, TLS with certificate pinning, the
// greeting, the capabilities and STARTTLS.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "imap-connection-private.h"
#include "imap-error.h"
#include "net/tls-certificate.h"
#include "net/tls-client.h"

static gboolean
accept_certificate_cb (GTlsConnection       *tls,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  BuzonImapConnection *self = user_data;

  g_free (self->certificate_sha256);
  self->certificate_sha256 = buzon_tls_certificate_sha256 (certificate);
  self->certificate_errors = errors;
  if (!buzon_tls_certificate_is_pinned (self->certificate_sha256,
                                        (const char * const *) self->trusted_certificates))
    return FALSE;
  self->certificate_pinned = TRUE;
  return TRUE;
}

static void
handshake_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (BuzonImapConnection) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE)
          && self->certificate_sha256 != NULL)
        {
          _buzon_imap_connection_open_step (
            self, buzon_tls_certificate_untrusted_error (self->url->host,
                                                         self->certificate_errors));
          return;
        }
      _buzon_imap_connection_open_step (self, g_steal_pointer (&error));
      return;
    }
  if (self->certificate_sha256 == NULL)
    {
      GTlsCertificate *peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (source));
      if (peer != NULL)
        self->certificate_sha256 = buzon_tls_certificate_sha256 (peer);
    }
  _buzon_imap_connection_open_step (self, NULL);
}

static void
tls_made_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (BuzonImapConnection) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOStream) tls = buzon_tls_client_new_finish (result, &error);

  if (tls == NULL)
    {
      _buzon_imap_connection_open_step (self, g_steal_pointer (&error));
      return;
    }
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), self);
  _buzon_imap_connection_set_stream (self, tls);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (self->open_task), handshake_done_cb,
                                    g_object_ref (self));
}

/* The connection is made on a worker (see net/tls-client.c). */
static void
start_tls (BuzonImapConnection *self)
{
  buzon_tls_client_new_async (G_IO_STREAM (self->socket_connection), self->url->host,
                              self->url->port, g_task_get_cancellable (self->open_task),
                              tls_made_cb, g_object_ref (self));
}

typedef enum
{
  OPEN_CONNECTING,
  OPEN_TLS,
  OPEN_GREETING,
  OPEN_CAPABILITY,
  OPEN_STARTTLS,
  OPEN_STARTTLS_HANDSHAKE,
  OPEN_CAPABILITY_AFTER_TLS,
  OPEN_DONE,
} OpenStep;

static void
internal_command_done_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr (BuzonImapConnection) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (self, result, &error);
  _buzon_imap_connection_open_step (self, g_steal_pointer (&error));
}

static void
send_internal (BuzonImapConnection *self,
               const char          *name,
               gboolean             pause_reading)
{
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new (name);
  GTask *task = g_task_new (self, NULL, internal_command_done_cb, g_object_ref (self));

  g_task_set_source_tag (task, buzon_imap_connection_command_async);
  _buzon_imap_connection_queue (self, command, NULL, NULL, task, pause_reading);
}

/* The open sequence, one step per call; @error (taken) ends it. */
void
_buzon_imap_connection_open_step (BuzonImapConnection *self,
                                  GError              *error)
{
  g_autoptr (GError) owned = error;
  OpenStep *step;

  if (self->open_task == NULL)
    return; /* Already failed and reported. */
  step = g_task_get_task_data (self->open_task);
  if (owned != NULL)
    {
      _buzon_imap_connection_fail (self, owned);
      return;
    }

  switch (*step)
    {
    case OPEN_CONNECTING:
      if (self->url->security == BUZON_SERVER_SECURITY_TLS)
        {
          *step = OPEN_TLS;
          start_tls (self);
          return;
        }
      G_GNUC_FALLTHROUGH;
    case OPEN_TLS:
      *step = OPEN_GREETING;
      self->state = STATE_GREETING;
      _buzon_imap_connection_start_reading (self);
      return;

    case OPEN_GREETING:
      if (self->capabilities[0] == NULL)
        {
          *step = OPEN_CAPABILITY;
          send_internal (self, "CAPABILITY", FALSE);
          return;
        }
      G_GNUC_FALLTHROUGH;
    case OPEN_CAPABILITY:
      if (self->url->security == BUZON_SERVER_SECURITY_STARTTLS)
        {
          if (self->preauthenticated)
            {
              /* A PREAUTH greeting leaves no way to start TLS (RFC 3501 §6.2.1). */
              owned = g_error_new (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO_STARTTLS,
                                   _("%s logged in before TLS could start; refusing to go on "
                                     "without TLS"),
                                   self->url->host);
              _buzon_imap_connection_fail (self, owned);
              return;
            }
          if (!buzon_imap_connection_has_capability (self, "STARTTLS"))
            {
              /* Translators: %s is a host name. */
              owned = g_error_new (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO_STARTTLS,
                                   _("%s does not offer STARTTLS; refusing to go on without "
                                     "TLS"),
                                   self->url->host);
              _buzon_imap_connection_fail (self, owned);
              return;
            }
          *step = OPEN_STARTTLS;
          send_internal (self, "STARTTLS", TRUE);
          return;
        }
      break;

    case OPEN_STARTTLS:
      /* Anything the server sent after its OK and before the handshake could
       * be an attacker's injection (CVE-2011-0411-style): refuse it. */
      if (buzon_imap_parser_get_buffered (self->parser) > 0)
        {
          owned = g_error_new (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                               _("%s sent data before TLS started; refusing it"),
                               self->url->host);
          _buzon_imap_connection_fail (self, owned);
          return;
        }
      *step = OPEN_STARTTLS_HANDSHAKE;
      /* What was said before TLS is forgotten (RFC 3501 §6.2.1). */
      g_strfreev (self->capabilities);
      self->capabilities = g_new0 (char *, 1);
      g_hash_table_remove_all (self->enabled);
      start_tls (self);
      return;

    case OPEN_STARTTLS_HANDSHAKE:
      self->reading_paused = FALSE;
      _buzon_imap_connection_start_reading (self);
      *step = OPEN_CAPABILITY_AFTER_TLS;
      send_internal (self, "CAPABILITY", FALSE);
      return;

    case OPEN_CAPABILITY_AFTER_TLS:
    case OPEN_DONE:
    default:
      break;
    }

  *step = OPEN_DONE;
  if (self->socket_connection != NULL)
    g_socket_set_timeout (g_socket_connection_get_socket (self->socket_connection), 0);
  _buzon_imap_connection_forget_open_cancellable (self);
  {
    g_autoptr (GTask) task = g_steal_pointer (&self->open_task);
    g_task_return_boolean (task, TRUE);
  }
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (BuzonImapConnection) self = user_data;
  g_autoptr (GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *port = g_strdup_printf ("%u", self->url->port);
          g_autoptr (GError) described = NULL;

          /* Translators: %s:%s is a host and port, the last %s the reason. */
          described = g_error_new (error->domain, error->code, _("Cannot connect to %s:%s: %s"),
                                   self->url->host, port, error->message);
          _buzon_imap_connection_open_step (self, g_steal_pointer (&described));
          return;
        }
      _buzon_imap_connection_open_step (self, g_steal_pointer (&error));
      return;
    }
  self->socket_connection = connection;
  _buzon_imap_connection_set_stream (self, G_IO_STREAM (connection));
  _buzon_imap_connection_open_step (self, NULL);
}

/**
 * buzon_imap_connection_open_async:
 *
 * Connects, sets up TLS as the URL says, reads the greeting and the
 * capabilities (after STARTTLS, the ones sent over TLS). @callback fires once
 * the connection is ready for login (or is already logged in, see
 * buzon_imap_connection_get_preauthenticated()), or failed: a certificate
 * neither trusted nor pinned (G_TLS_ERROR_BAD_CERTIFICATE naming the host
 * and the problem; the fingerprint is then available), no STARTTLS, a
 * greeting that is not IMAP, BYE, a timeout. Cancelling closes the
 * connection. Call once.
 */
void
buzon_imap_connection_open_async (BuzonImapConnection *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr (GSocketClient) client = NULL;
  OpenStep *step;

  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));
  g_return_if_fail (self->state == STATE_NEW && self->open_task == NULL);

  self->open_task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->open_task, buzon_imap_connection_open_async);
  step = g_new0 (OpenStep, 1);
  *step = OPEN_CONNECTING;
  g_task_set_task_data (self->open_task, step, g_free);
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                      _("Operation was cancelled"));
      _buzon_imap_connection_fail (self, error);
      return;
    }
  if (cancellable != NULL)
    {
      self->open_cancellable = g_object_ref (cancellable);
      self->open_cancelled_id = g_signal_connect_object (cancellable, "cancelled",
                                                         G_CALLBACK (buzon_imap_connection_close),
                                                         self, G_CONNECT_SWAPPED);
    }

  self->last_activity = g_get_monotonic_time ();
  self->watchdog_id = g_timeout_add_seconds (1, _buzon_imap_connection_watchdog, self);
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, self->timeout_seconds);
  g_socket_client_connect_to_host_async (client, self->url->host, self->url->port,
                                         self->io_cancellable, connected_cb,
                                         g_object_ref (self));
}

gboolean
buzon_imap_connection_open_finish (BuzonImapConnection *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

