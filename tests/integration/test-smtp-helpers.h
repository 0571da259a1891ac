// Helpers of the SMTP client's tests: each of BuzonSmtpClient's operations
// run to its end on the test's main context.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "smtp/smtp-client.h"

G_BEGIN_DECLS

BuzonSmtpClient     *buzon_test_smtp_client_new     (const char          *url,
                                                     const char          *pinned_sha256);
gboolean             buzon_test_smtp_connect        (BuzonSmtpClient     *client,
                                                     GError             **error);
gboolean             buzon_test_smtp_login          (BuzonSmtpClient     *client,
                                                     const char          *user,
                                                     const char          *password,
                                                     GError             **error);
gboolean             buzon_test_smtp_login_oauth2   (BuzonSmtpClient     *client,
                                                     const char          *user,
                                                     const char          *token,
                                                     GError             **error);
BuzonSmtpSendResult *buzon_test_smtp_send           (BuzonSmtpClient     *client,
                                                     const char          *from,
                                                     const char * const  *recipients,
                                                     const char          *message,
                                                     BuzonSmtpSendFlags   flags,
                                                     GError             **error);
gboolean             buzon_test_smtp_quit           (BuzonSmtpClient     *client,
                                                     GError             **error);

G_END_DECLS
