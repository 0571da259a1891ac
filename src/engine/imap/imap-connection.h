// BuzonImapConnection: one IMAP connection over GIO — TLS or STARTTLS,
// certificate pinning, the greeting, login (password or OAuth2), and
// pipelined commands whose responses are delivered as they arrive.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "account/server-url.h"
#include "imap-command.h"
#include "imap-response.h"

G_BEGIN_DECLS

#define BUZON_TYPE_IMAP_CONNECTION (buzon_imap_connection_get_type ())

G_DECLARE_FINAL_TYPE (BuzonImapConnection, buzon_imap_connection, BUZON, IMAP_CONNECTION, GObject)

/* Receives each untagged response that answers the command it was given
 * to, as the connection tells them apart while several commands are in
 * flight: those only its kind of command asks for (a LIST's LIST and
 * STATUS, a SEARCH's ESEARCH), and the others (FETCH, EXISTS, …) while it
 * is the oldest in flight but for LISTs and SEARCHes ahead of it (see
 * recipient() in imap-connection.c). The response is only borrowed. */
typedef void (*BuzonImapUntaggedFunc) (BuzonImapConnection     *connection,
                                       const BuzonImapResponse *response,
                                       gpointer                 user_data);

BuzonImapConnection *buzon_imap_connection_new (const BuzonServerUrl *url,
                                                const char * const   *trusted_certificates);
void buzon_imap_connection_open_async (BuzonImapConnection *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean buzon_imap_connection_open_finish (BuzonImapConnection  *self,
                                            GAsyncResult         *result,
                                            GError              **error);
void buzon_imap_connection_login_async (BuzonImapConnection *self,
                                        const char          *user,
                                        const char          *password,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean buzon_imap_connection_login_finish (BuzonImapConnection  *self,
                                             GAsyncResult         *result,
                                             GError              **error);
void buzon_imap_connection_login_oauth2_async (BuzonImapConnection *self,
                                               const char          *user,
                                               const char          *access_token,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean buzon_imap_connection_login_oauth2_finish (BuzonImapConnection  *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void buzon_imap_connection_command_async (BuzonImapConnection   *self,
                                          BuzonImapCommand      *command,
                                          BuzonImapUntaggedFunc  untagged,
                                          gpointer               untagged_data,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
BuzonImapResponse *buzon_imap_connection_command_finish (BuzonImapConnection  *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void buzon_imap_connection_logout_async (BuzonImapConnection *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean buzon_imap_connection_logout_finish (BuzonImapConnection  *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void buzon_imap_connection_idle_async (BuzonImapConnection   *self,
                                       BuzonImapUntaggedFunc  untagged,
                                       gpointer               untagged_data,
                                       GCancellable          *cancellable,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data);
void buzon_imap_connection_idle_done (BuzonImapConnection *self);
gboolean buzon_imap_connection_get_idling (BuzonImapConnection *self);
gboolean buzon_imap_connection_is_enabled (BuzonImapConnection *self,
                                           const char          *extension);
void buzon_imap_connection_compress_async (BuzonImapConnection *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean buzon_imap_connection_compress_finish (BuzonImapConnection  *self,
                                                GAsyncResult         *result,
                                                GError              **error);
gboolean buzon_imap_connection_get_is_compressed (BuzonImapConnection *self);
void buzon_imap_connection_close (BuzonImapConnection *self);
gboolean buzon_imap_connection_has_capability (BuzonImapConnection *self,
                                               const char          *name);
const char * const *buzon_imap_connection_get_capabilities (BuzonImapConnection *self);
gboolean buzon_imap_connection_get_preauthenticated (BuzonImapConnection *self);
gboolean buzon_imap_connection_get_is_secure (BuzonImapConnection *self);
const char *buzon_imap_connection_get_certificate_sha256 (BuzonImapConnection *self);
GTlsCertificateFlags buzon_imap_connection_get_certificate_errors (BuzonImapConnection *self);
gboolean buzon_imap_connection_get_certificate_pinned (BuzonImapConnection *self);
const char *buzon_imap_connection_get_greeting (BuzonImapConnection *self);
void buzon_imap_connection_set_timeout (BuzonImapConnection *self,
                                        guint                seconds);
void buzon_imap_connection_set_keepalive (BuzonImapConnection *self,
                                          guint                seconds);

G_END_DECLS
