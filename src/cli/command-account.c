// buzon-cli account …: the configured accounts (list, remove; add is in
// command-account-add.c).
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "account/account-store.h"
#include "cli-commands.h"
#include "cli-credentials.h"
#include "cli-json.h"

/* The --json form is stable: fields are only ever added, and each is
 * listed in `buzon-cli --help`. */
static void
print_json (BuzonAccountStore *store)
{
  g_autoptr (GEnumClass) compress_names = g_type_class_ref (BUZON_TYPE_ACCOUNT_COMPRESSION);
  g_autoptr (GString) out = g_string_new ("[");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BuzonAccount) account = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *imap = buzon_server_url_to_string (buzon_account_get_imap_url (account));
      g_autofree char *smtp = buzon_server_url_to_string (buzon_account_get_smtp_url (account));
      const char * const *trusted = buzon_account_get_trusted_certificates (account);
      const char *password_command = buzon_account_get_password_command (account);

      g_string_append (out, i > 0 ? ",\n {" : "\n {");
      g_string_append (out, "\"id\": ");
      buzon_cli_json_string (out, buzon_account_get_id (account));
      g_string_append (out, ", \"name\": ");
      buzon_cli_json_string (out, buzon_account_get_display_name (account));
      g_string_append (out, ", \"address\": ");
      buzon_cli_json_string (out, buzon_account_get_address (account));
      g_string_append (out, ", \"imap\": ");
      buzon_cli_json_string (out, imap);
      g_string_append (out, ", \"smtp\": ");
      buzon_cli_json_string (out, smtp);
      g_string_append (out, ", \"trusted_certificates\": [");
      for (guint j = 0; trusted[j] != NULL; j++)
        {
          if (j > 0)
            g_string_append (out, ", ");
          buzon_cli_json_string (out, trusted[j]);
        }
      /* The command, never a password: null means the keyring holds them. */
      g_string_append (out, "], \"password_command\": ");
      if (password_command != NULL)
        buzon_cli_json_string (out, password_command);
      else
        g_string_append (out, "null");
      g_string_append_printf (out, ", \"prefetch_days\": %u, \"compress\": \"%s\"}",
                              buzon_account_get_prefetch_days (account),
                              g_enum_get_value (compress_names,
                                                buzon_account_get_compression (account))
                                ->value_nick);
    }
  g_string_append (out, n > 0 ? "\n]\n" : "]\n");
  fputs (out->str, stdout);
}

static void
print_table (BuzonAccountStore *store)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BuzonAccount) account = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *imap = buzon_server_url_to_string (buzon_account_get_imap_url (account));
      g_autofree char *smtp = buzon_server_url_to_string (buzon_account_get_smtp_url (account));

      g_print ("%s\t%s <%s>\t%s\t%s\t%s\n", buzon_account_get_id (account),
               buzon_account_get_display_name (account), buzon_account_get_address (account),
               imap, smtp,
               buzon_account_get_password_command (account) != NULL
                 ? _("password from a command")
                 : _("password in the keyring"));
    }
}

/* buzon-cli account list [--json] */
static int
account_list (int    argc,
              char **argv)
{
  g_autoptr (BuzonAccountStore) store = buzon_account_store_new (NULL);
  g_autoptr (GError) error = NULL;
  gboolean json = FALSE;
  const char * const *problems;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else
        {
          buzon_cli_account_usage (stderr);
          return BUZON_CLI_EXIT_USAGE;
        }
    }

  if (!buzon_account_store_load (store, &error))
    {
      g_printerr ("%s\n", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  /* Accounts that cannot be used are not hidden: they are reported. */
  problems = buzon_account_store_get_problems (store);
  for (guint i = 0; problems[i] != NULL; i++)
    g_printerr ("%s\n", problems[i]);

  if (json)
    print_json (store);
  else
    print_table (store);
  return problems[0] != NULL ? BUZON_CLI_EXIT_FAILED : BUZON_CLI_EXIT_OK;
}

/* Deletes @file and, if it is a folder, everything in it. Symbolic links
 * are removed, never followed: the tree removed is the one under @file. */
static gboolean
remove_tree (GFile   *file,
             GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                  G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL,
                                                  &local_error);

  if (info == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_autoptr (GFileEnumerator) children = g_file_enumerate_children (
        file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, error);
      GFile *child;

      if (children == NULL)
        return FALSE;
      while (TRUE)
        {
          if (!g_file_enumerator_iterate (children, NULL, &child, NULL, error))
            return FALSE;
          if (child == NULL)
            break;
          if (!remove_tree (child, error))
            return FALSE;
        }
    }
  return g_file_delete (file, NULL, error);
}

/* Removes the secrets of @id; FALSE when the keyring could not be asked. */
static gboolean
remove_secrets (const char  *id,
                GError     **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (BuzonCredentials) keyring = buzon_cli_keyring_new (&local_error);
  gboolean removed;

  /* A buzon-cli without libsecret stored nothing there. */
  if (keyring == NULL)
    return TRUE;
  removed = buzon_cli_credentials_delete (keyring, id, error);
  buzon_cli_credentials_shutdown ();
  return removed;
}

/* buzon-cli account remove NAME */
static int
account_remove (int    argc,
                char **argv)
{
  g_autoptr (BuzonAccountStore) store = buzon_account_store_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) cache = NULL;
  BuzonAccount *account;
  const char *id;

  if (argc != 2 || argv[1][0] == '-')
    {
      buzon_cli_account_usage (stderr);
      return BUZON_CLI_EXIT_USAGE;
    }
  id = argv[1];

  if (!buzon_account_store_load (store, &error))
    {
      g_printerr ("%s\n", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  if (!buzon_account_store_contains (store, id))
    {
      /* Translators: %s is an account name. */
      g_printerr (_("There is no account named “%s”\n"), id);
      return BUZON_CLI_EXIT_FAILED;
    }
  account = buzon_account_store_lookup (store, id);

  /* The secrets go first: if the keyring cannot be reached, the account
   * stays, so that removing it again later leaves no password behind. An
   * account whose password comes from a command has nothing there unless
   * it once had, and the keyring's absence must not keep it. */
  if (!remove_secrets (id, &error))
    {
      if (account == NULL || buzon_account_get_password_command (account) == NULL)
        {
          /* Translators: %s is an account name; the reason follows. */
          g_printerr (_("The account “%s” was left in place: its passwords could not be "
                        "removed from the keyring: %s\n"),
                      id, error->message);
          return BUZON_CLI_EXIT_FAILED;
        }
      /* Translators: the reason follows. */
      g_printerr (_("Note: old passwords in the keyring, if any, were not removed: %s\n"),
                  error->message);
      g_clear_error (&error);
    }

  if (!buzon_account_store_remove (store, id, &error))
    {
      g_printerr ("%s\n", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  /* An id that could not be read may hold "/" or "..": no folder is
   * derived from it. */
  if (buzon_account_id_is_valid (id))
    {
      cache = g_file_new_build_filename (g_get_user_data_dir (), "buzon", id, NULL);
      if (!remove_tree (cache, &error))
        {
          g_autofree char *path = g_file_get_path (cache);
          /* Translators: the first %s is a folder, the second the reason. */
          g_printerr (_("The account was removed, but not its cached mail in %s: %s\n"), path,
                      error->message);
          return BUZON_CLI_EXIT_FAILED;
        }
    }
  return BUZON_CLI_EXIT_OK;
}

void
buzon_cli_account_usage (FILE *out)
{
  fprintf (out, "%s\n",
           _("Usage: buzon-cli account list [--json]\n"
             "       buzon-cli account add NAME --email ADDRESS --imap URL --smtp URL\n"
             "                 [--display-name \"FULL NAME\"] [--password-command CMD]\n"
             "                 [--trust-cert SHA256:HEX]… [--prefetch-days N]\n"
             "                 [--undo-seconds N] [--compress auto|on|off]\n"
             "       buzon-cli account remove NAME"));
}

int
buzon_cli_command_account (int    argc,
                           char **argv)
{
  if (argc == 3 && (g_str_equal (argv[2], "--help") || g_str_equal (argv[2], "-h")))
    {
      buzon_cli_account_usage (stdout);
      return BUZON_CLI_EXIT_OK;
    }
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return account_list (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "add"))
    return buzon_cli_command_account_add (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "remove"))
    return account_remove (argc - 1, argv + 1);
  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      buzon_cli_account_usage (stdout);
      return BUZON_CLI_EXIT_OK;
    }

  buzon_cli_account_usage (stderr);
  return BUZON_CLI_EXIT_USAGE;
}
