// buzon-cli draft: a message saved in the account's Drafts folder (its UID
// printed), replacing an earlier copy; or a saved copy thrown away.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <unistd.h>

#include "cli-cache.h"
#include "cli-commands.h"
#include "cli-credentials.h"
#include "cli-status.h"
#include "imap/imap-error.h"
#include "sync/draft-saver.h"

typedef struct
{
  const char *name;
  GPtrArray *to;
  GPtrArray *cc;
  GPtrArray *bcc;
  GPtrArray *attachments;
  const char *subject;
  guint32 replace;
  guint32 discard;
} DraftRequest;

static void
draft_request_clear (DraftRequest *request)
{
  g_clear_pointer (&request->to, g_ptr_array_unref);
  g_clear_pointer (&request->cc, g_ptr_array_unref);
  g_clear_pointer (&request->bcc, g_ptr_array_unref);
  g_clear_pointer (&request->attachments, g_ptr_array_unref);
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

static gboolean
parse_uid (const char *text,
           guint32    *uid)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, NULL))
    return FALSE;
  *uid = (guint32) value;
  return TRUE;
}

static gboolean
parse_draft (DraftRequest  *request,
             int            argc,
             char         **argv)
{
  static const char *const valued[] = { "--to", "--cc", "--bcc", "--subject", "--attach",
                                        "--replace", "--discard" };

  request->to = g_ptr_array_new ();
  request->cc = g_ptr_array_new ();
  request->bcc = g_ptr_array_new ();
  request->attachments = g_ptr_array_new ();
  for (int i = 1; i < argc; i++)
    {
      const char *option = argv[i];
      const char *value;
      gboolean known = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (valued); j++)
        known = known || g_str_equal (option, valued[j]);
      if (!known)
        {
          if (request->name == NULL && option[0] != '-')
            {
              request->name = option;
              continue;
            }
          g_printerr (_("buzon-cli draft: unexpected “%s”\n"), option);
          return FALSE;
        }
      if (i + 1 >= argc)
        {
          g_printerr (_("buzon-cli draft: %s needs a value\n"), option);
          return FALSE;
        }
      value = argv[++i];
      if (g_str_equal (option, "--to"))
        g_ptr_array_add (request->to, (gpointer) value);
      else if (g_str_equal (option, "--cc"))
        g_ptr_array_add (request->cc, (gpointer) value);
      else if (g_str_equal (option, "--bcc"))
        g_ptr_array_add (request->bcc, (gpointer) value);
      else if (g_str_equal (option, "--attach"))
        g_ptr_array_add (request->attachments, (gpointer) value);
      else if (g_str_equal (option, "--subject"))
        request->subject = value;
      else if (!parse_uid (value, g_str_equal (option, "--replace") ? &request->replace
                                                                     : &request->discard))
        {
          g_printerr (_("buzon-cli draft: “%s” is not a UID\n"), value);
          return FALSE;
        }
    }
  if (request->name == NULL)
    return FALSE;
  /* --discard takes nothing else. */
  return request->discard == 0
         || (request->to->len == 0 && request->cc->len == 0 && request->bcc->len == 0
             && request->attachments->len == 0 && request->subject == NULL
             && request->replace == 0);
}

static char *
read_text (GError **error)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char buffer[8192];
  size_t got;

  if (isatty (STDIN_FILENO))
    g_printerr ("%s\n", _("Type the message, then Ctrl+D on a line of its own."));
  while ((got = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    g_string_append_len (text, buffer, (gssize) got);
  if (ferror (stdin))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Could not read the message’s text from standard input"));
      return NULL;
    }
  if (!g_utf8_validate (text->str, (gssize) text->len, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The message’s text is not UTF-8"));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
join (GPtrArray *addresses)
{
  g_ptr_array_add (addresses, NULL);
  return g_strjoinv (", ", (char **) addresses->pdata);
}

/* The draft as the options and stdin give it. */
static BuzonDraft *
make_draft (DraftRequest *request,
            BuzonAccount *account,
            GError      **error)
{
  g_autoptr (BuzonDraft) draft = buzon_draft_new ();
  g_autofree char *from_text = NULL;
  g_autofree char *to = join (request->to);
  g_autofree char *cc = join (request->cc);
  g_autofree char *bcc = join (request->bcc);
  g_autofree char *text = NULL;
  InternetAddress *from;

  from = internet_address_mailbox_new (buzon_account_get_display_name (account),
                                       buzon_account_get_address (account));
  from_text = internet_address_to_string (from, NULL, FALSE);
  g_object_unref (from);
  if ((text = read_text (error)) == NULL)
    return NULL;
  buzon_draft_set_from (draft, from_text);
  buzon_draft_set_to (draft, to);
  buzon_draft_set_cc (draft, cc);
  buzon_draft_set_bcc (draft, bcc);
  buzon_draft_set_subject (draft, request->subject);
  buzon_draft_set_text (draft, text);
  for (guint i = 0; i < request->attachments->len; i++)
    {
      g_autoptr (GFile) file = g_file_new_for_commandline_arg (request->attachments->pdata[i]);

      if (!buzon_draft_add_attachment_file (draft, file, error))
        return NULL;
    }
  return g_steal_pointer (&draft);
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
  else if ((draft = make_draft (request, account, &error)) == NULL)
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
      && (account = buzon_cli_find_account (accounts, request.name)) != NULL
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
