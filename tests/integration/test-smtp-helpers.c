// Helpers of the SMTP client's tests: each of BuzonSmtpClient's operations
// run to its end on the test's main context.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "test-smtp-helpers.h"

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

BuzonSmtpClient *
buzon_test_smtp_client_new (const char *url,
                            const char *pinned_sha256)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonServerUrl) parsed = buzon_server_url_parse (url, &error);
  g_autofree char *pin = pinned_sha256 != NULL ? g_strconcat ("sha256:", pinned_sha256, NULL)
                                               : NULL;
  const char *trusted[] = { pin, NULL };

  g_assert_no_error (error);
  return buzon_smtp_client_new (parsed, trusted);
}

gboolean
buzon_test_smtp_connect (BuzonSmtpClient  *client,
                         GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_smtp_client_connect_async (client, NULL, got_result, &result);
  return buzon_smtp_client_connect_finish (client, wait_for (&result), error);
}

gboolean
buzon_test_smtp_login (BuzonSmtpClient  *client,
                       const char       *user,
                       const char       *password,
                       GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_smtp_client_login_async (client, user, password, NULL, got_result, &result);
  return buzon_smtp_client_login_finish (client, wait_for (&result), error);
}

gboolean
buzon_test_smtp_login_oauth2 (BuzonSmtpClient  *client,
                              const char       *user,
                              const char       *token,
                              GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_smtp_client_login_oauth2_async (client, user, token, NULL, got_result, &result);
  return buzon_smtp_client_login_oauth2_finish (client, wait_for (&result), error);
}

BuzonSmtpSendResult *
buzon_test_smtp_send (BuzonSmtpClient    *client,
                      const char         *from,
                      const char * const *recipients,
                      const char         *message,
                      BuzonSmtpSendFlags  flags,
                      GError            **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) bytes = g_bytes_new (message, strlen (message));

  buzon_smtp_client_send_async (client, from, recipients, bytes, flags, NULL, got_result,
                                &result);
  return buzon_smtp_client_send_finish (client, wait_for (&result), error);
}

gboolean
buzon_test_smtp_quit (BuzonSmtpClient  *client,
                      GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_smtp_client_quit_async (client, NULL, got_result, &result);
  return buzon_smtp_client_quit_finish (client, wait_for (&result), error);
}
