// BuzonCredentials: where the engine gets an account's passwords from, and
// where it keeps them; implemented by a password command and by libsecret.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The protocol names a secret is kept under. */
#define BUZON_CREDENTIALS_PROTOCOL_IMAP "imap"
#define BUZON_CREDENTIALS_PROTOCOL_SMTP "smtp"

#define BUZON_TYPE_CREDENTIALS (buzon_credentials_get_type ())

G_DECLARE_INTERFACE (BuzonCredentials, buzon_credentials, BUZON, CREDENTIALS, GObject)

/**
 * BuzonCredentialsInterface:
 * @lookup_async: starts finding the secret of (@account_id, @protocol, @host,
 *   @user); @user may be %NULL.
 * @lookup_finish: returns a newly allocated secret the caller wipes and frees
 *   with buzon_credentials_secret_free(), or %NULL and an error.
 * @store_async: starts keeping a copy of @secret for those four, replacing
 *   any secret kept for them. Implementations copy @secret before returning.
 * @store_finish: %TRUE once the secret is kept.
 * @delete_async: starts removing every secret of @account_id.
 * @delete_finish: %TRUE once none is left, including when there was none.
 *
 * Implementations that cannot keep secrets report %G_IO_ERROR_NOT_SUPPORTED
 * from @store_async and @delete_async.
 */
struct _BuzonCredentialsInterface
{
  GTypeInterface parent_iface;

  void     (*lookup_async)  (BuzonCredentials     *self,
                             const char           *account_id,
                             const char           *protocol,
                             const char           *host,
                             const char           *user,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data);
  char    *(*lookup_finish) (BuzonCredentials     *self,
                             GAsyncResult         *result,
                             GError              **error);
  void     (*store_async)   (BuzonCredentials     *self,
                             const char           *account_id,
                             const char           *protocol,
                             const char           *host,
                             const char           *user,
                             const char           *secret,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data);
  gboolean (*store_finish)  (BuzonCredentials     *self,
                             GAsyncResult         *result,
                             GError              **error);
  void     (*delete_async)  (BuzonCredentials     *self,
                             const char           *account_id,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data);
  gboolean (*delete_finish) (BuzonCredentials     *self,
                             GAsyncResult         *result,
                             GError              **error);
};

void     buzon_credentials_lookup_async  (BuzonCredentials     *self,
                                          const char           *account_id,
                                          const char           *protocol,
                                          const char           *host,
                                          const char           *user,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
char    *buzon_credentials_lookup_finish (BuzonCredentials     *self,
                                          GAsyncResult         *result,
                                          GError              **error);
void     buzon_credentials_store_async   (BuzonCredentials     *self,
                                          const char           *account_id,
                                          const char           *protocol,
                                          const char           *host,
                                          const char           *user,
                                          const char           *secret,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean buzon_credentials_store_finish  (BuzonCredentials     *self,
                                          GAsyncResult         *result,
                                          GError              **error);
void     buzon_credentials_delete_async  (BuzonCredentials     *self,
                                          const char           *account_id,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean buzon_credentials_delete_finish (BuzonCredentials     *self,
                                          GAsyncResult         *result,
                                          GError              **error);

void     buzon_credentials_secret_free   (char                 *secret);

/* A secret string that is wiped and freed when it goes out of scope:
 * g_auto (BuzonCredentialsSecret) password = buzon_credentials_lookup_finish (…); */
typedef char *BuzonCredentialsSecret;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (BuzonCredentialsSecret, buzon_credentials_secret_free, NULL)

G_END_DECLS
