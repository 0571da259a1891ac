// A TLS client connection made on a worker thread.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// glib-networking loads the system's trusted certificates into every new
// client connection, whatever database checks the peer later: some 20 ms
// of CPU (65 million instructions here), which on the main thread froze the
// main loop at each connect. Made on a worker, the connection is handed to
// the caller's context, where its handshake and all its I/O run. It runs
// over the base read ahead (read-ahead-stream.c).

#include "config.h"

#include "read-ahead-stream.h"
#include "tls-client.h"

typedef struct
{
  GIOStream *base;
  char *host;
  guint16 port;
} Request;

static void
request_free (Request *request)
{
  g_object_unref (request->base);
  g_free (request->host);
  g_free (request);
}

static void
make_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr (GSocketConnectable) identity = g_network_address_new (request->host, request->port);
  GSocketConnection *socket = G_IS_SOCKET_CONNECTION (request->base)
                                ? G_SOCKET_CONNECTION (request->base)
                                : NULL;
  g_autoptr (GIOStream) base = socket != NULL ? buzon_read_ahead_stream_new (socket)
                                              : g_object_ref (request->base);
  GError *error = NULL;
  GIOStream *tls = g_tls_client_connection_new (base, identity, &error);

  if (tls == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tls, g_object_unref);
}

/**
 * buzon_tls_client_new_async:
 * @base: the connection to the server, which nothing may use until
 *   @callback runs
 * @host: (not nullable): the server's name, which its certificate must
 *   bear
 *
 * Makes a GTlsClientConnection over @base for @host:@port on a worker
 * thread; @callback runs in the caller's thread-default context.
 */
void
buzon_tls_client_new_async (GIOStream           *base,
                            const char          *host,
                            guint16              port,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  Request *request;

  g_return_if_fail (G_IS_IO_STREAM (base));
  g_return_if_fail (host != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_tls_client_new_async);
  request = g_new0 (Request, 1);
  request->base = g_object_ref (base);
  request->host = g_strdup (host);
  request->port = port;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  g_task_run_in_thread (task, make_in_thread);
}

/**
 * buzon_tls_client_new_finish:
 *
 * Returns: (transfer full): the GTlsClientConnection, not handshaken yet,
 *   or %NULL with @error
 */
GIOStream *
buzon_tls_client_new_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
