// BuzonSmtpClient: one SMTP submission connection over GIO: implicit TLS or
// required STARTTLS, certificate pinning, EHLO, AUTH, and sending messages
// with per-recipient results.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "account/server-url.h"
#include "smtp-capabilities.h"
#include "smtp-send-result.h"

G_BEGIN_DECLS

#define BUZON_TYPE_SMTP_CLIENT (buzon_smtp_client_get_type ())

G_DECLARE_FINAL_TYPE (BuzonSmtpClient, buzon_smtp_client, BUZON, SMTP_CLIENT, GObject)

typedef enum
{
  BUZON_SMTP_SEND_NONE           = 0,
  /* Send to nobody unless the server accepts every recipient: with one
   * refused, the transaction is reset and the send fails. */
  BUZON_SMTP_SEND_ALL_OR_NOTHING = 1 << 0,
  /* Ask for a delivery status notification (RFC 3461: the headers back, on
   * success or failure) where the server offers DSN; see dsn_requested. */
  BUZON_SMTP_SEND_REQUEST_DSN    = 1 << 1,
} BuzonSmtpSendFlags;

/* Called when a send has written the whole message but the ".\r\n" that
 * makes the server take it; the send waits until buzon_smtp_client_commit()
 * is called (from this function or later, but always once). */
typedef void (*BuzonSmtpCommitFunc) (BuzonSmtpClient *client,
                                     gpointer         user_data);

BuzonSmtpClient *buzon_smtp_client_new (const BuzonServerUrl *url,
                                        const char * const   *trusted_certificates);
void buzon_smtp_client_set_timeout (BuzonSmtpClient *self,
                                    guint            seconds);
void buzon_smtp_client_set_commit_func (BuzonSmtpClient     *self,
                                        BuzonSmtpCommitFunc  func,
                                        gpointer             user_data,
                                        GDestroyNotify       user_data_free);
void buzon_smtp_client_commit (BuzonSmtpClient *self,
                               GError          *error);
void buzon_smtp_client_connect_async (BuzonSmtpClient     *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean buzon_smtp_client_connect_finish (BuzonSmtpClient  *self,
                                           GAsyncResult     *result,
                                           GError          **error);
void buzon_smtp_client_login_async (BuzonSmtpClient     *self,
                                    const char          *user,
                                    const char          *password,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean buzon_smtp_client_login_finish (BuzonSmtpClient  *self,
                                         GAsyncResult     *result,
                                         GError          **error);
void buzon_smtp_client_login_oauth2_async (BuzonSmtpClient     *self,
                                           const char          *user,
                                           const char          *access_token,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean buzon_smtp_client_login_oauth2_finish (BuzonSmtpClient  *self,
                                                GAsyncResult     *result,
                                                GError          **error);
void buzon_smtp_client_send_async (BuzonSmtpClient     *self,
                                   const char          *from,
                                   const char * const  *recipients,
                                   GBytes              *message,
                                   BuzonSmtpSendFlags   flags,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
BuzonSmtpSendResult *buzon_smtp_client_send_finish (BuzonSmtpClient  *self,
                                                    GAsyncResult     *result,
                                                    GError          **error);
void buzon_smtp_client_quit_async (BuzonSmtpClient     *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
gboolean buzon_smtp_client_quit_finish (BuzonSmtpClient  *self,
                                        GAsyncResult     *result,
                                        GError          **error);
void buzon_smtp_client_close (BuzonSmtpClient *self);

const BuzonSmtpCapabilities *buzon_smtp_client_get_capabilities (BuzonSmtpClient *self);
const char *buzon_smtp_client_get_greeting (BuzonSmtpClient *self);
gboolean buzon_smtp_client_get_is_secure (BuzonSmtpClient *self);
gboolean buzon_smtp_client_get_is_closed (BuzonSmtpClient *self);
const char *buzon_smtp_client_get_certificate_sha256 (BuzonSmtpClient *self);
GTlsCertificateFlags buzon_smtp_client_get_certificate_errors (BuzonSmtpClient *self);
gboolean buzon_smtp_client_get_certificate_pinned (BuzonSmtpClient *self);

G_END_DECLS
