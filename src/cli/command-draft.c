// buzon-cli draft: a message saved in the account's Drafts folder (its UID
// printed), replacing an earlier copy; or a saved copy thrown away.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "cli-cache.h"
#include "cli-commands.h"
#include "cli-compose.h"
#include "cli-credentials.h"
#include "cli-status.h"
#include "imap/imap-error.h"
#include "sync/draft-saver.h"

typedef struct
{
  BuzonCliCompose compose;
  guint32 replace;
  guint32 discard;
} DraftRequest;

static void
draft_request_clear (DraftRequest *request)
{
  buzon_cli_compose_clear (&request->compose);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DraftRequest, draft_request_clear)

static void
draft_usage (FILE *out)
{
  fprintf (out, "%s\n",
           _("Usage: buzon-cli draft NAME [--to ADDRESS]… [--cc ADDRESS]… [--bcc ADDRESS]…\n"
             "                  [--subject TEXT] [--attach FILE]… [--replace UID] < body.txt\n"
             "       buzon-cli draft NAME --discard UID"));
}

/* --replace UID or --discard UID. */
static gboolean
uid_option_cb (const char *option,
               const char *text,
               gpointer    user_data)
{
  DraftRequest *request = user_data;
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, NULL))
    return FALSE;
  if (g_str_equal (option, "--replace"))
    request->replace = (guint32) value;
  else
    request->discard = (guint32) value;
  return TRUE;
}

static gboolean
parse_draft (DraftRequest  *request,
             int            argc,
             char         **argv)
{
  static const char *const own[] = { "--replace", "--discard", NULL };
  const char *argument = NULL;

  switch (buzon_cli_compose_parse (&request->compose, BUZON_CLI_COMPOSE_FIELDS, own,
                                   uid_option_cb, request, argc, argv, &argument))
    {
    case BUZON_CLI_COMPOSE_UNEXPECTED:
      g_printerr (_("buzon-cli draft: unexpected “%s”\n"), argument);
      return FALSE;
    case BUZON_CLI_COMPOSE_NO_VALUE:
      g_printerr (_("buzon-cli draft: %s needs a value\n"), argument);
      return FALSE;
    case BUZON_CLI_COMPOSE_BAD_VALUE:
      g_printerr (_("buzon-cli draft: “%s” is not a UID\n"), argument);
      return FALSE;
    case BUZON_CLI_COMPOSE_PARSED:
    default:
      break;
    }
  if (request->compose.name == NULL)
    return FALSE;
  /* --discard takes nothing else. */
  return request->discard == 0
         || (buzon_cli_compose_is_empty (&request->compose) && request->replace == 0);
}

static int
status_for (const GError *error)
{
  /* No Drafts folder is the account's state, not a refusal. */
  if (g_error_matches (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NONEXISTENT))
    return BUZON_CLI_EXIT_FAILED;
  return buzon_cli_exit_status_for (error);
}

static int
run (DraftRequest     *request,
     BuzonAccount     *account,
     BuzonStore       *store,
     BuzonCredentials *credentials)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonDraft) draft = NULL;
  g_autoptr (BuzonDraftSaver) saver = NULL;

  if (request->discard != 0)
    draft = buzon_draft_new ();
  else if ((draft = buzon_cli_compose_make_draft (&request->compose, account, &error)) == NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  saver = buzon_draft_saver_new (account, store, credentials, draft);
  if (request->discard != 0)
    {
      buzon_draft_saver_set_uid (saver, request->discard);
      buzon_draft_saver_discard_async (saver, NULL, buzon_cli_result_cb, &result);
      if (!buzon_draft_saver_discard_finish (saver, buzon_cli_wait_for (&result), &error))
        {
          g_printerr ("buzon-cli: %s\n", error->message);
          return status_for (error);
        }
      /* Translators: %u is the draft's UID in the Drafts folder. */
      g_print (_("Removed draft %u from Drafts.\n"), request->discard);
      return BUZON_CLI_EXIT_OK;
    }
  buzon_draft_saver_set_uid (saver, request->replace);
  buzon_draft_saver_save_async (saver, NULL, buzon_cli_result_cb, &result);
  if (!buzon_draft_saver_save_finish (saver, buzon_cli_wait_for (&result), &error))
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return status_for (error);
    }
  g_print ("%u\n", buzon_draft_saver_get_uid (saver));
  return BUZON_CLI_EXIT_OK;
}

/* buzon-cli draft NAME …: see draft_usage(). */
int
buzon_cli_command_draft (int    argc,
                         char **argv)
{
  g_auto (DraftRequest) request = { 0 };
  g_autoptr (BuzonAccountStore) accounts = NULL;
  g_autoptr (BuzonAccount) account = NULL;
  g_autoptr (BuzonStore) store = NULL;
  g_autoptr (BuzonCredentials) credentials = NULL;
  g_autoptr (GError) error = NULL;
  int status = BUZON_CLI_EXIT_FAILED;

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
      {
        draft_usage (stdout);
        return BUZON_CLI_EXIT_OK;
      }
  if (!parse_draft (&request, argc, argv))
    {
      draft_usage (stderr);
      return BUZON_CLI_EXIT_USAGE;
    }
  if ((accounts = buzon_cli_load_accounts ()) != NULL
      && (account = buzon_cli_find_account (accounts, request.compose.name)) != NULL
      && (store = buzon_cli_open_store (account)) != NULL)
    {
      credentials = buzon_cli_credentials_for (account, &error);
      if (credentials == NULL)
        g_printerr ("buzon-cli: %s\n", error->message);
      else
        status = run (&request, account, store, credentials);
    }
  if (store != NULL)
    buzon_cli_close_store (store);
  g_clear_object (&credentials);
  buzon_cli_credentials_shutdown ();
  return status;
}
