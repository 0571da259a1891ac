// buzon-cli's blocking use of the engine's credentials.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The engine's credentials are asynchronous; a command line has nothing
// else to do meanwhile. Each call runs the operation on a main context of
// these calls' own, pushed for the current thread, so that it can be called
// from inside another operation's callback (imap-probe asks for the
// password once the connection is open) without dispatching that
// operation's sources re-entrantly. It is one context for the whole run,
// not one per call: D-Bus proxies that libsecret makes in it release their
// signal subscriptions through it, which buzon_cli_credentials_shutdown() lets
// happen.

#include "config.h"

#include <glib/gi18n.h>

#ifdef HAVE_LIBSECRET
#include <libsecret/secret.h>

#include "secret-credentials.h"
#endif

#include "cli-credentials.h"

const char *
buzon_cli_protocol_name (const BuzonServerUrl *url)
{
  return url->protocol == BUZON_SERVER_PROTOCOL_IMAP ? BUZON_CREDENTIALS_PROTOCOL_IMAP
                                                     : BUZON_CREDENTIALS_PROTOCOL_SMTP;
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GMainContext *credentials_context;

static GMainContext *
begin (void)
{
  if (credentials_context == NULL)
    credentials_context = g_main_context_new ();
  g_main_context_push_thread_default (credentials_context);
  return credentials_context;
}

static void
wait_for (GMainContext  *context,
          GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
}

/* Returns: (transfer full): the secret; wipe and free it with
 * buzon_credentials_secret_free(). */
char *
buzon_cli_credentials_lookup (BuzonCredentials      *credentials,
                              const char            *account_id,
                              const BuzonServerUrl  *url,
                              GError               **error)
{
  GMainContext *context = begin ();
  g_autoptr (GAsyncResult) result = NULL;

  buzon_credentials_lookup_async (credentials, account_id, buzon_cli_protocol_name (url),
                                  url->host, url->user, NULL, done_cb, &result);
  wait_for (context, &result);
  return buzon_credentials_lookup_finish (credentials, result, error);
}

gboolean
buzon_cli_credentials_store (BuzonCredentials      *credentials,
                             const char            *account_id,
                             const BuzonServerUrl  *url,
                             const char            *secret,
                             GError               **error)
{
  GMainContext *context = begin ();
  g_autoptr (GAsyncResult) result = NULL;

  buzon_credentials_store_async (credentials, account_id, buzon_cli_protocol_name (url),
                                 url->host, url->user, secret, NULL, done_cb, &result);
  wait_for (context, &result);
  return buzon_credentials_store_finish (credentials, result, error);
}

gboolean
buzon_cli_credentials_delete (BuzonCredentials  *credentials,
                              const char        *account_id,
                              GError           **error)
{
  GMainContext *context = begin ();
  g_autoptr (GAsyncResult) result = NULL;

  buzon_credentials_delete_async (credentials, account_id, NULL, done_cb, &result);
  wait_for (context, &result);
  return buzon_credentials_delete_finish (credentials, result, error);
}

/**
 * buzon_cli_keyring_new:
 *
 * Returns: (transfer full) (nullable): the Secret Service credentials, or
 *   %NULL with @error set when buzon-cli was built without libsecret.
 */
BuzonCredentials *
buzon_cli_keyring_new (GError **error)
{
#ifdef HAVE_LIBSECRET
  return BUZON_CREDENTIALS (buzon_secret_credentials_new ());
#else
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("This buzon-cli was built without keyring support (libsecret): "
                         "use --password-command"));
  return NULL;
#endif
}

/* Called once no more credentials are needed: lets go of the Secret Service
 * connection libsecret keeps for the process and of what its proxies and
 * finished operations left to release, so that the leak checker sees only
 * what Buzón itself allocated. */
void
buzon_cli_credentials_shutdown (void)
{
#ifdef HAVE_LIBSECRET
  secret_service_disconnect ();
#endif
  if (credentials_context != NULL)
    {
      while (g_main_context_iteration (credentials_context, FALSE))
        ;
      g_clear_pointer (&credentials_context, g_main_context_unref);
    }
}
