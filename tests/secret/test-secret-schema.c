// Buzón's Secret Service schema against a real, private gnome-keyring.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "secret-schema.h"

static void
test_store_lookup_clear (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *other = NULL;
  gboolean stored;
  gboolean cleared;

  stored = secret_password_store_sync (BUZON_SECRET_SCHEMA, SECRET_COLLECTION_DEFAULT,
                                       "Buzón: alice@mail.example.org (IMAP)", "hunter2 ñ€", NULL,
                                       &error,
                                       BUZON_SECRET_ATTRIBUTE_ACCOUNT, "work",
                                       BUZON_SECRET_ATTRIBUTE_PROTOCOL, "imap",
                                       BUZON_SECRET_ATTRIBUTE_HOST, "mail.example.org",
                                       BUZON_SECRET_ATTRIBUTE_USER, "alice",
                                       NULL);
  g_assert_no_error (error);
  g_assert_true (stored);

  found = secret_password_lookup_sync (BUZON_SECRET_SCHEMA, NULL, &error,
                                       BUZON_SECRET_ATTRIBUTE_ACCOUNT, "work",
                                       BUZON_SECRET_ATTRIBUTE_PROTOCOL, "imap",
                                       NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "hunter2 ñ€");

  /* Another protocol of the same account has a secret of its own. */
  other = secret_password_lookup_sync (BUZON_SECRET_SCHEMA, NULL, &error,
                                       BUZON_SECRET_ATTRIBUTE_ACCOUNT, "work",
                                       BUZON_SECRET_ATTRIBUTE_PROTOCOL, "smtp",
                                       NULL);
  g_assert_no_error (error);
  g_assert_null (other);

  /* Removing an account removes its secrets, found by the account id alone. */
  cleared = secret_password_clear_sync (BUZON_SECRET_SCHEMA, NULL, &error,
                                        BUZON_SECRET_ATTRIBUTE_ACCOUNT, "work", NULL);
  g_assert_no_error (error);
  g_assert_true (cleared);
  g_clear_pointer (&found, g_free);
  found = secret_password_lookup_sync (BUZON_SECRET_SCHEMA, NULL, &error,
                                       BUZON_SECRET_ATTRIBUTE_ACCOUNT, "work", NULL);
  g_assert_no_error (error);
  g_assert_null (found);
}

static void
test_keyring_is_private (void)
{
  /* with-keyring gives the test its own HOME; the user's keyring is never
   * opened. */
  g_assert_nonnull (strstr (g_get_home_dir (), "buzon-keyring-"));
  g_assert_nonnull (strstr (g_getenv ("XDG_DATA_HOME"), "buzon-keyring-"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secret/keyring-is-private", test_keyring_is_private);
  g_test_add_func ("/secret/store-lookup-clear", test_store_lookup_clear);

  status = g_test_run ();

  /* libsecret keeps its service proxy for the process; release it so that
   * the leak checker sees only our own allocations. */
  secret_service_disconnect ();
  return status;
}
