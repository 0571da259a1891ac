// BuzonSecretCredentials against a real, private gnome-keyring: store,
// lookup, replace, labels, missing secrets, removing an account's secrets.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "account/account-error.h"
#include "secret-credentials.h"
#include "secret-schema.h"

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  /* The callback never runs inside the _async call. */
  g_assert_null (*slot);
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store (BuzonCredentials *credentials,
       const char       *account_id,
       const char       *protocol,
       const char       *user,
       const char       *secret)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_credentials_store_async (credentials, account_id, protocol, "mail.example.org", user,
                                 secret, NULL, got_result_cb, &result);
  g_assert_true (buzon_credentials_store_finish (credentials, wait_for (&result), &error));
  g_assert_no_error (error);
}

static char *
lookup (BuzonCredentials  *credentials,
        const char        *account_id,
        const char        *protocol,
        const char        *user,
        GCancellable      *cancellable,
        GError           **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_credentials_lookup_async (credentials, account_id, protocol, "mail.example.org", user,
                                  cancellable, got_result_cb, &result);
  return buzon_credentials_lookup_finish (credentials, wait_for (&result), error);
}

static void
delete_account (BuzonCredentials *credentials,
                const char       *account_id)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_credentials_delete_async (credentials, account_id, NULL, got_result_cb, &result);
  g_assert_true (buzon_credentials_delete_finish (credentials, wait_for (&result), &error));
  g_assert_no_error (error);
}

/* The labels of the items the keyring holds for @account_id and @protocol,
 * as secret-tool, another Secret Service client, sees them. (libsecret's
 * own search leaks a proxy's subscription data when used synchronously.) */
static GPtrArray *
labels_of (const char *account_id,
           const char *protocol)
{
  const char *argv[] = { "secret-tool", "search", "--all", "xdg:schema",
                         "io.github.buzonmail.Buzon.Account", "account", account_id, "protocol",
                         protocol, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *labels = g_ptr_array_new_with_free_func (g_free);
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, &status, &error));
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "label = "))
      g_ptr_array_add (labels, g_strdup (lines[i] + strlen ("label = ")));
  return labels;
}

static void
test_store_and_lookup (void)
{
  g_autoptr (BuzonSecretCredentials) credentials = buzon_secret_credentials_new ();
  BuzonCredentials *c = BUZON_CREDENTIALS (credentials);
  g_autoptr (GError) error = NULL;
  g_auto (BuzonCredentialsSecret) imap = NULL;
  g_auto (BuzonCredentialsSecret) smtp = NULL;
  g_auto (BuzonCredentialsSecret) replaced = NULL;
  g_autoptr (GPtrArray) labels = NULL;

  store (c, "work", BUZON_CREDENTIALS_PROTOCOL_IMAP, "bob", "imap ñ€ secret");
  store (c, "work", BUZON_CREDENTIALS_PROTOCOL_SMTP, "bob", "smtp secret");

  /* The two servers of one account keep passwords of their own. */
  imap = lookup (c, "work", BUZON_CREDENTIALS_PROTOCOL_IMAP, "bob", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imap, ==, "imap ñ€ secret");
  smtp = lookup (c, "work", BUZON_CREDENTIALS_PROTOCOL_SMTP, "bob", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtp, ==, "smtp secret");

  /* What a keyring browser shows. */
  labels = labels_of ("work", BUZON_CREDENTIALS_PROTOCOL_IMAP);
  g_assert_cmpuint (labels->len, ==, 1);
  g_assert_cmpstr (labels->pdata[0], ==, "Buzón password for bob on mail.example.org (IMAP)");
  g_clear_pointer (&labels, g_ptr_array_unref);

  /* Storing again replaces: one item, the new password. */
  store (c, "work", BUZON_CREDENTIALS_PROTOCOL_IMAP, "bob", "changed");
  replaced = lookup (c, "work", BUZON_CREDENTIALS_PROTOCOL_IMAP, "bob", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (replaced, ==, "changed");
  labels = labels_of ("work", BUZON_CREDENTIALS_PROTOCOL_IMAP);
  g_assert_cmpuint (labels->len, ==, 1);

  delete_account (c, "work");
  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
test_without_user (void)
{
  g_autoptr (BuzonSecretCredentials) credentials = buzon_secret_credentials_new ();
  BuzonCredentials *c = BUZON_CREDENTIALS (credentials);
  g_autoptr (GError) error = NULL;
  g_auto (BuzonCredentialsSecret) found = NULL;
  g_autofree char *with_user = NULL;
  g_autoptr (GPtrArray) labels = NULL;

  store (c, "nouser", BUZON_CREDENTIALS_PROTOCOL_SMTP, NULL, "anonymous-ish");
  found = lookup (c, "nouser", BUZON_CREDENTIALS_PROTOCOL_SMTP, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "anonymous-ish");
  labels = labels_of ("nouser", BUZON_CREDENTIALS_PROTOCOL_SMTP);
  g_assert_cmpuint (labels->len, ==, 1);
  g_assert_cmpstr (labels->pdata[0], ==, "Buzón password for mail.example.org (SMTP)");

  /* A user named later is another key: that password is not handed out. */
  with_user = lookup (c, "nouser", BUZON_CREDENTIALS_PROTOCOL_SMTP, "eve", NULL, &error);
  g_assert_null (with_user);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_NO_SECRET);

  delete_account (c, "nouser");
  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
test_missing (void)
{
  g_autoptr (BuzonSecretCredentials) credentials = buzon_secret_credentials_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *found = NULL;

  found = lookup (BUZON_CREDENTIALS (credentials), "nobody", BUZON_CREDENTIALS_PROTOCOL_IMAP,
                  "carol", NULL, &error);
  g_assert_null (found);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_NO_SECRET);
  g_assert_nonnull (strstr (error->message, "carol"));
  g_assert_nonnull (strstr (error->message, "mail.example.org"));
  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
test_delete_account (void)
{
  g_autoptr (BuzonSecretCredentials) credentials = buzon_secret_credentials_new ();
  BuzonCredentials *c = BUZON_CREDENTIALS (credentials);
  g_autoptr (GError) error = NULL;
  g_autofree char *imap = NULL;
  g_autofree char *smtp = NULL;
  g_auto (BuzonCredentialsSecret) other = NULL;

  store (c, "work", BUZON_CREDENTIALS_PROTOCOL_IMAP, "bob", "one");
  store (c, "work", BUZON_CREDENTIALS_PROTOCOL_SMTP, "robert", "two");
  store (c, "home", BUZON_CREDENTIALS_PROTOCOL_IMAP, "bob", "three");

  /* Every secret of the account goes, whatever its protocol and user. */
  delete_account (c, "work");
  imap = lookup (c, "work", BUZON_CREDENTIALS_PROTOCOL_IMAP, "bob", NULL, &error);
  g_assert_null (imap);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_NO_SECRET);
  g_clear_error (&error);
  smtp = lookup (c, "work", BUZON_CREDENTIALS_PROTOCOL_SMTP, "robert", NULL, &error);
  g_assert_null (smtp);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_NO_SECRET);
  g_clear_error (&error);

  /* Other accounts' secrets stay. */
  other = lookup (c, "home", BUZON_CREDENTIALS_PROTOCOL_IMAP, "bob", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (other, ==, "three");

  /* Nothing left to delete is a success. */
  delete_account (c, "work");
  delete_account (c, "home");
  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
test_cancelled (void)
{
  g_autoptr (BuzonSecretCredentials) credentials = buzon_secret_credentials_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *found = NULL;

  g_cancellable_cancel (cancellable);
  found = lookup (BUZON_CREDENTIALS (credentials), "work", BUZON_CREDENTIALS_PROTOCOL_IMAP,
                  "bob", cancellable, &error);
  g_assert_null (found);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_finalize_object (g_steal_pointer (&credentials));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secret-credentials/store-and-lookup", test_store_and_lookup);
  g_test_add_func ("/secret-credentials/without-user", test_without_user);
  g_test_add_func ("/secret-credentials/missing", test_missing);
  g_test_add_func ("/secret-credentials/delete-account", test_delete_account);
  g_test_add_func ("/secret-credentials/cancelled", test_cancelled);

  status = g_test_run ();

  /* libsecret keeps its service proxy for the process; release it, and let
   * its proxies release their signal subscriptions on this context, so that
   * the leak checker sees only our own allocations. */
  secret_service_disconnect ();
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return status;
}
