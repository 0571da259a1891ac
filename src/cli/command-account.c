// buzon-cli account …: the configured accounts.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "account/account-store.h"
#include "cli-commands.h"
#include "cli-json.h"

static void
print_json (BuzonAccountStore *store)
{
  g_autoptr (GString) out = g_string_new ("[");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BuzonAccount) account = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *imap = buzon_server_url_to_string (buzon_account_get_imap_url (account));
      g_autofree char *smtp = buzon_server_url_to_string (buzon_account_get_smtp_url (account));
      const char * const *trusted = buzon_account_get_trusted_certificates (account);

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
      g_string_append (out, "]}");
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

      g_print ("%s\t%s <%s>\t%s\t%s\n", buzon_account_get_id (account),
               buzon_account_get_display_name (account), buzon_account_get_address (account),
               imap, smtp);
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
          g_printerr (_("Usage: buzon-cli account list [--json]\n"));
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

int
buzon_cli_command_account (int    argc,
                           char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return account_list (argc - 1, argv + 1);

  g_printerr (_("Usage: buzon-cli account list [--json]\n"));
  return BUZON_CLI_EXIT_USAGE;
}
