// BuzonCredentials: where the engine gets an account's passwords from, and
// where it keeps them.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A secret belongs to one server of one account: (account id, protocol,
// host, user), protocol being "imap" or "smtp". The IMAP and SMTP passwords
// of an account may differ, and all of an account's secrets go when the
// account goes, so the account id is part of the key.
//
// Every operation follows the same contract, spelled out once here:
// - Strings passed in are copied before the _async call returns; the caller
//   may free them at once. Nothing is written to the caller's memory.
// - The callback fires exactly once, never from inside the _async call, on
//   the thread-default main context of the thread that made the call.
// - Cancelling @cancellable makes the operation end soon with
//   %G_IO_ERROR_CANCELLED, even when it had already produced its result; an
//   implementation that runs a program stops it. A store that is cancelled
//   may or may not have kept the secret.
// - Secrets are plain NUL-terminated strings; the one lookup returns is the
//   caller's, to be wiped and freed with buzon_credentials_secret_free() (or
//   held in a g_auto (BuzonCredentialsSecret)) so that it does not linger in
//   freed memory.

#include "config.h"

#include <string.h>

#include "credentials.h"

G_DEFINE_INTERFACE (BuzonCredentials, buzon_credentials, G_TYPE_OBJECT)

static void
buzon_credentials_default_init (BuzonCredentialsInterface *iface)
{
}

/**
 * buzon_credentials_lookup_async:
 * @account_id: the account's id
 * @protocol: %BUZON_CREDENTIALS_PROTOCOL_IMAP or %BUZON_CREDENTIALS_PROTOCOL_SMTP
 * @host: the server's host name, as in the account's URL
 * @user: (nullable): the user name, as in the account's URL
 *
 * Starts finding the password for that server. When none is kept, the
 * operation fails with %BUZON_ACCOUNT_ERROR_NO_SECRET.
 */
void
buzon_credentials_lookup_async (BuzonCredentials    *self,
                                const char          *account_id,
                                const char          *protocol,
                                const char          *host,
                                const char          *user,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_CREDENTIALS (self));
  g_return_if_fail (account_id != NULL);
  g_return_if_fail (protocol != NULL);
  g_return_if_fail (host != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  BUZON_CREDENTIALS_GET_IFACE (self)->lookup_async (self, account_id, protocol, host, user,
                                                    cancellable, callback, user_data);
}

/**
 * buzon_credentials_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the password, which the caller wipes
 *   and frees with buzon_credentials_secret_free(); %NULL with @error set
 *   when there is none or it could not be had.
 */
char *
buzon_credentials_lookup_finish (BuzonCredentials  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (BUZON_IS_CREDENTIALS (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return BUZON_CREDENTIALS_GET_IFACE (self)->lookup_finish (self, result, error);
}

/**
 * buzon_credentials_store_async:
 * @user: (nullable): the user name, as in the account's URL
 * @secret: the password; copied before this returns
 *
 * Starts keeping @secret for that server, replacing the one kept before.
 * Implementations that cannot keep secrets fail with
 * %G_IO_ERROR_NOT_SUPPORTED.
 */
void
buzon_credentials_store_async (BuzonCredentials    *self,
                               const char          *account_id,
                               const char          *protocol,
                               const char          *host,
                               const char          *user,
                               const char          *secret,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_CREDENTIALS (self));
  g_return_if_fail (account_id != NULL);
  g_return_if_fail (protocol != NULL);
  g_return_if_fail (host != NULL);
  g_return_if_fail (secret != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  BUZON_CREDENTIALS_GET_IFACE (self)->store_async (self, account_id, protocol, host, user, secret,
                                                   cancellable, callback, user_data);
}

gboolean
buzon_credentials_store_finish (BuzonCredentials  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (BUZON_IS_CREDENTIALS (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return BUZON_CREDENTIALS_GET_IFACE (self)->store_finish (self, result, error);
}

/**
 * buzon_credentials_delete_async:
 *
 * Starts removing every secret of @account_id, whatever its protocol, host
 * and user: what is left when an account is removed. Finding none is a
 * success. Implementations that cannot keep secrets fail with
 * %G_IO_ERROR_NOT_SUPPORTED.
 */
void
buzon_credentials_delete_async (BuzonCredentials    *self,
                                const char          *account_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_CREDENTIALS (self));
  g_return_if_fail (account_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  BUZON_CREDENTIALS_GET_IFACE (self)->delete_async (self, account_id, cancellable, callback,
                                                    user_data);
}

gboolean
buzon_credentials_delete_finish (BuzonCredentials  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (BUZON_IS_CREDENTIALS (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return BUZON_CREDENTIALS_GET_IFACE (self)->delete_finish (self, result, error);
}

/**
 * buzon_credentials_secret_free:
 * @secret: (nullable) (transfer full): a secret from buzon_credentials_lookup_finish()
 *
 * Overwrites @secret with zeros, in a way the compiler may not optimise
 * away, and frees it.
 */
void
buzon_credentials_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}
