// buzon-cli imap-probe: what an IMAP server offers, in one command a user can
// paste into a bug report.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "account/credentials.h"
#include "account/server-url.h"
#include "cli-commands.h"
#include "cli-status.h"
#include "cli-credentials.h"
#include "cli-password.h"
#include "imap/imap-command.h"
#include "imap/imap-connection.h"
#include "imap/imap-error.h"
#include "imap/imap-mailbox.h"

typedef struct
{
  GMainLoop *loop;
  BuzonServerUrl *url;
  BuzonImapConnection *connection;
  char *password_command;
  int status;
  GPtrArray *mailboxes; /* BuzonImapMailbox, as LIST gave them. */
  GPtrArray *namespaces;
} Probe;

static void
print_capabilities (const char          *when,
                    BuzonImapConnection *connection)
{
  g_autofree char *joined = g_strjoinv (" ", (char **) buzon_imap_connection_get_capabilities (
                                                connection));

  g_print ("%s: %s\n", when, joined);
}

static void
finish (Probe        *probe,
        const GError *error)
{
  if (error != NULL)
    {
      const char *sha256 = probe->connection != NULL
                             ? buzon_imap_connection_get_certificate_sha256 (probe->connection)
                             : NULL;

      g_printerr ("buzon-cli: %s\n", error->message);
      if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) && sha256 != NULL)
        /* Translators: %s is a certificate fingerprint. */
        g_printerr (_("If you trust this certificate, add --trust-cert SHA256:%s\n"), sha256);
      probe->status = buzon_cli_exit_status_for (error);
    }
  if (probe->connection != NULL)
    buzon_imap_connection_close (probe->connection);
  g_main_loop_quit (probe->loop);
}

static void
logout_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Probe *probe = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  finish (probe, error);
}

/* The engine's reading of each LIST line: the same one sync will use. */
static void
list_untagged (BuzonImapConnection     *connection,
               const BuzonImapResponse *response,
               gpointer                 user_data)
{
  Probe *probe = user_data;
  BuzonImapMailbox *mailbox;

  if (g_strcmp0 (response->keyword, "LIST") != 0)
    return;
  mailbox = buzon_imap_mailbox_new_from_list (
    response, buzon_imap_connection_has_capability (connection, "UTF8=ACCEPT"), NULL);
  if (mailbox != NULL)
    g_ptr_array_add (probe->mailboxes, mailbox);
}

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Probe *probe = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (BuzonImapCommand) logout = buzon_imap_command_new ("LOGOUT");
  guint listed = 0;

  response = buzon_imap_connection_command_finish (probe->connection, result, &error);
  if (response == NULL)
    {
      finish (probe, error);
      return;
    }
  buzon_imap_mailbox_guess_special_use (probe->mailboxes);
  g_print ("%s\n", _("Special-use folders:"));
  for (guint i = 0; i < probe->mailboxes->len; i++)
    {
      const BuzonImapMailbox *mailbox = probe->mailboxes->pdata[i];
      /* Indexed by BuzonImapSpecialUse. */
      static const char *uses[] = { NULL,     "\\All",  "\\Archive", "\\Drafts",   "\\Flagged",
                                    "\\Junk", "\\Sent", "\\Trash",   "\\Important" };

      if (mailbox->special_use == BUZON_IMAP_SPECIAL_USE_NONE
          || mailbox->special_use >= G_N_ELEMENTS (uses))
        continue;
      listed++;
      g_print ("  %-10s %s%s\n", uses[mailbox->special_use], mailbox->name,
               mailbox->special_use_guessed ? _(" (guessed from the name)") : "");
    }
  if (listed == 0)
    g_print ("  %s\n", _("(none announced)"));
  buzon_imap_connection_command_async (probe->connection, logout, NULL, NULL, NULL,
                                       logout_done_cb, probe);
}

static void
send_list (Probe *probe)
{
  g_autoptr (BuzonImapCommand) list = buzon_imap_command_new ("LIST");

  buzon_imap_command_add_string (list, "", 0);
  buzon_imap_command_add_string (list, "*", 1);
  if (buzon_imap_connection_has_capability (probe->connection, "SPECIAL-USE")
      && buzon_imap_connection_has_capability (probe->connection, "LIST-EXTENDED"))
    buzon_imap_command_add_raw (list, "RETURN (SPECIAL-USE)");
  buzon_imap_connection_command_async (probe->connection, list, list_untagged, probe, NULL,
                                       list_done_cb, probe);
}

static void
namespace_untagged (BuzonImapConnection     *connection,
                    const BuzonImapResponse *response,
                    gpointer                 user_data)
{
  Probe *probe = user_data;
  const char *kinds[] = { N_("personal"), N_("other users"), N_("shared") };

  if (g_strcmp0 (response->keyword, "NAMESPACE") != 0)
    return;
  for (gsize k = 0; k < response->values->length && k < G_N_ELEMENTS (kinds); k++)
    {
      const BuzonImapValue *list = buzon_imap_value_get_item (response->values, k);

      for (gsize i = 0; list != NULL && list->kind == BUZON_IMAP_VALUE_LIST && i < list->length;
           i++)
        {
          const BuzonImapValue *entry = list->items[i];
          const char *prefix = buzon_imap_value_get_string (buzon_imap_value_get_item (entry, 0),
                                                            NULL);
          const char *separator = buzon_imap_value_get_string (
            buzon_imap_value_get_item (entry, 1), NULL);

          g_ptr_array_add (probe->namespaces,
                           g_strdup_printf ("%-12s prefix \"%s\" separator \"%s\"", _(kinds[k]),
                                            prefix != NULL ? prefix : "",
                                            separator != NULL ? separator : "NIL"));
        }
    }
}

static void
namespace_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Probe *probe = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (probe->connection, result, &error);
  if (response == NULL)
    {
      finish (probe, error);
      return;
    }
  g_print ("%s\n", _("Namespaces:"));
  for (guint i = 0; i < probe->namespaces->len; i++)
    g_print ("  %s\n", (char *) probe->namespaces->pdata[i]);
  send_list (probe);
}

static void after_login (Probe *probe);

static void
login_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Probe *probe = user_data;
  g_autoptr (GError) error = NULL;

  if (!buzon_imap_connection_login_finish (probe->connection, result, &error))
    {
      finish (probe, error);
      return;
    }
  after_login (probe);
}

/* Logged in, by password or by a PREAUTH greeting. */
static void
after_login (Probe *probe)
{
  print_capabilities (_("Capabilities after login"), probe->connection);
  if (buzon_imap_connection_has_capability (probe->connection, "NAMESPACE"))
    {
      g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("NAMESPACE");
      buzon_imap_connection_command_async (probe->connection, command, namespace_untagged, probe,
                                           NULL, namespace_done_cb, probe);
    }
  else
    send_list (probe);
}

static void
open_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Probe *probe = user_data;
  g_autoptr (GError) error = NULL;
  g_auto (BuzonCredentialsSecret) password = NULL;
  const char *sha256;

  if (!buzon_imap_connection_open_finish (probe->connection, result, &error))
    {
      finish (probe, error);
      return;
    }

  sha256 = buzon_imap_connection_get_certificate_sha256 (probe->connection);
  if (sha256 != NULL)
    g_print (_("Certificate SHA-256: %s (%s)\n"), sha256,
             buzon_imap_connection_get_certificate_pinned (probe->connection)
               ? _("pinned by --trust-cert")
               : _("trusted by the system"));
  else
    g_print ("%s\n", _("No TLS: plaintext to this computer"));
  g_print (_("Greeting: %s\n"), buzon_imap_connection_get_greeting (probe->connection));
  print_capabilities (_("Capabilities before login"), probe->connection);

  if (buzon_imap_connection_get_preauthenticated (probe->connection))
    {
      after_login (probe);
      return;
    }
  if (probe->url->user == NULL)
    {
      g_autoptr (GError) usage = g_error_new_literal (
        G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        _("The URL names no user: use imaps://USER@HOST to log in"));
      finish (probe, usage);
      probe->status = BUZON_CLI_EXIT_USAGE;
      return;
    }
  password = buzon_cli_read_password (probe->password_command, probe->url, &error);
  if (password == NULL)
    {
      finish (probe, error);
      probe->status = BUZON_CLI_EXIT_FAILED;
      return;
    }
  buzon_imap_connection_login_async (probe->connection, probe->url->user, password, NULL,
                                     login_done_cb, probe);
}

/* buzon-cli imap-probe URL [--password-command CMD] [--trust-cert SHA256:HEX]… */
int
buzon_cli_command_imap_probe (int    argc,
                              char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) trusted = g_ptr_array_new_with_free_func (g_free);
  Probe probe = { 0 };
  const char *url_text = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--password-command") && i + 1 < argc)
        probe.password_command = argv[++i];
      else if (g_str_equal (argv[i], "--trust-cert") && i + 1 < argc)
        {
          const char *value = argv[++i];
          if (g_ascii_strncasecmp (value, "sha256:", 7) != 0 || strlen (value) != 7 + 64)
            {
              g_printerr (_("--trust-cert takes SHA256: and 64 hex digits, as imap-probe "
                            "prints them\n"));
              return BUZON_CLI_EXIT_USAGE;
            }
          g_ptr_array_add (trusted, g_strconcat ("sha256:", value + 7, NULL));
        }
      else if (url_text == NULL && argv[i][0] != '-')
        url_text = argv[i];
      else
        {
          /* Translators: %s is what the user typed. */
          g_printerr (_("buzon-cli imap-probe: unexpected “%s”\n"), argv[i]);
          return BUZON_CLI_EXIT_USAGE;
        }
    }
  if (url_text == NULL)
    {
      g_printerr (_("Usage: buzon-cli imap-probe imaps://USER@HOST[:PORT] [--password-command "
                    "CMD] [--trust-cert SHA256:HEX]\n"));
      return BUZON_CLI_EXIT_USAGE;
    }
  probe.url = buzon_server_url_parse (url_text, &error);
  if (probe.url == NULL || probe.url->protocol != BUZON_SERVER_PROTOCOL_IMAP)
    {
      g_printerr ("buzon-cli: %s\n",
                  error != NULL ? error->message : _("imap-probe needs an imaps://, imap:// or "
                                                     "imap+plain:// URL"));
      g_clear_pointer (&probe.url, buzon_server_url_free);
      return BUZON_CLI_EXIT_USAGE;
    }
  g_ptr_array_add (trusted, NULL);

  {
    g_autofree char *canonical = buzon_server_url_to_string (probe.url);
    g_print (_("Probing %s\n"), canonical);
  }
  probe.loop = g_main_loop_new (NULL, FALSE);
  probe.mailboxes = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_mailbox_free);
  probe.namespaces = g_ptr_array_new_with_free_func (g_free);
  probe.connection = buzon_imap_connection_new (probe.url,
                                                (const char * const *) trusted->pdata);
  buzon_imap_connection_open_async (probe.connection, NULL, open_done_cb, &probe);
  g_main_loop_run (probe.loop);
  /* Let the callbacks of what the close failed run, so nothing leaks. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  buzon_cli_credentials_shutdown ();
  g_clear_object (&probe.connection);
  g_main_loop_unref (probe.loop);
  g_ptr_array_unref (probe.mailboxes);
  g_ptr_array_unref (probe.namespaces);
  buzon_server_url_free (probe.url);
  return probe.status;
}
