// buzon-cli's blocking use of an account's cache: the accounts, the store,
// a folder by name, the credentials.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "account/credentials-command.h"
#include "cli-cache.h"
#include "cli-credentials.h"

void
buzon_cli_result_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

GAsyncResult *
buzon_cli_wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* Returns: (transfer full) (nullable): the account called @name, or NULL
 * with a message on stderr. */
BuzonAccount *
buzon_cli_find_account (BuzonAccountStore *accounts,
                        const char        *name)
{
  BuzonAccount *account = buzon_account_store_lookup (accounts, name);

  if (account == NULL)
    {
      /* Translators: %s is an account's name. */
      g_printerr (_("buzon-cli: there is no account called “%s”\n"), name);
      return NULL;
    }
  return g_object_ref (account);
}

BuzonAccountStore *
buzon_cli_load_accounts (void)
{
  g_autoptr (BuzonAccountStore) accounts = buzon_account_store_new (NULL);
  g_autoptr (GError) error = NULL;

  if (!buzon_account_store_load (accounts, &error))
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return NULL;
    }
  return g_steal_pointer (&accounts);
}

/* The account's cache, its opening started: finish it with
 * buzon_cli_store_opened(). The store runs its jobs in the order they
 * came, so whatever is asked of it meanwhile waits for the opening (and
 * fails if the opening did); a sync connects and logs in meanwhile. */
BuzonStore *
buzon_cli_start_store (BuzonAccount  *account,
                       GAsyncResult **opened)
{
  g_autofree char *path = buzon_store_path_for_account (buzon_account_get_id (account));
  BuzonStore *store = buzon_store_new (path);

  buzon_store_open_async (store, NULL, buzon_cli_result_cb, opened);
  return store;
}

/* Waits for the opening buzon_cli_start_store() started; FALSE with a
 * message on stderr. */
gboolean
buzon_cli_store_opened (BuzonStore    *store,
                        GAsyncResult **opened)
{
  g_autoptr (GError) error = NULL;

  if (!buzon_store_open_finish (store, buzon_cli_wait_for (opened), &error))
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

/* The account's cache, open; NULL with a message on stderr. */
BuzonStore *
buzon_cli_open_store (BuzonAccount *account)
{
  g_autoptr (GAsyncResult) opened = NULL;
  g_autoptr (BuzonStore) store = buzon_cli_start_store (account, &opened);

  if (!buzon_cli_store_opened (store, &opened))
    return NULL;
  return g_steal_pointer (&store);
}

void
buzon_cli_close_store (BuzonStore *store)
{
  buzon_store_close (store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The folder called @name (for people, or raw), or NULL with a message. */
BuzonStoreFolder *
buzon_cli_find_folder (BuzonStore *store,
                       const char *name)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  buzon_store_list_folders_async (store, NULL, buzon_cli_result_cb, &result);
  folders = buzon_store_list_folders_finish (store, buzon_cli_wait_for (&result), &error);
  if (folders == NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return NULL;
    }
  for (guint i = 0; i < folders->len; i++)
    {
      BuzonStoreFolder *folder = folders->pdata[i];

      if (g_str_equal (folder->name, name) || g_str_equal (folder->raw_name, name))
        return buzon_store_folder_copy (folder);
    }
  /* Translators: %s is a folder's name. */
  g_printerr (_("buzon-cli: there is no folder called “%s” in the cache; run buzon-cli sync "
                "first\n"), name);
  return NULL;
}

BuzonCredentials *
buzon_cli_credentials_for (BuzonAccount *account,
                           GError      **error)
{
  const char *command = buzon_account_get_password_command (account);

  if (command != NULL)
    return BUZON_CREDENTIALS (buzon_command_credentials_new (command));
  return buzon_cli_keyring_new (error);
}
