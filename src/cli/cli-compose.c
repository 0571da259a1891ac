// buzon-cli's composing options, shared by send and draft: the command line
// read into a BuzonCliCompose, and that, with the text on stdin, made a
// BuzonDraft from the account's address.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "cli-compose.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <unistd.h>

void
buzon_cli_compose_clear (BuzonCliCompose *compose)
{
  g_clear_pointer (&compose->to, g_ptr_array_unref);
  g_clear_pointer (&compose->cc, g_ptr_array_unref);
  g_clear_pointer (&compose->bcc, g_ptr_array_unref);
  g_clear_pointer (&compose->attachments, g_ptr_array_unref);
}

static gboolean
is_one_of (const char        *option,
           const char *const *options)
{
  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    if (g_str_equal (option, options[i]))
      return TRUE;
  return FALSE;
}

/* Reads @argv (argv[0] being the command's name) into @compose: NAME, the
 * composing options that @options allow, and the valued options listed in
 * @own_options (NULL-terminated), each handed to @own_option_cb where it
 * stands, so that the first wrong argument is the one reported. On anything
 * but BUZON_CLI_COMPOSE_PARSED, *argument is the option or value at fault,
 * for the command to say so in its own words. NAME may still be missing. */
BuzonCliComposeParse
buzon_cli_compose_parse (BuzonCliCompose        *compose,
                         BuzonCliComposeOptions  options,
                         const char *const      *own_options,
                         BuzonCliOptionFunc      own_option_cb,
                         gpointer                user_data,
                         int                     argc,
                         char                  **argv,
                         const char            **argument)
{
  static const char *const fields[] = { "--to", "--cc", "--bcc", "--subject", "--attach", NULL };
  static const char *const extras[] = { "--html", "--reply-to", NULL };
  gboolean with_extras = (options & BUZON_CLI_COMPOSE_EXTRAS) != 0;

  compose->to = g_ptr_array_new ();
  compose->cc = g_ptr_array_new ();
  compose->bcc = g_ptr_array_new ();
  compose->attachments = g_ptr_array_new ();
  for (int i = 1; i < argc; i++)
    {
      const char *option = argv[i];
      const char *value;

      if (with_extras && g_str_equal (option, "--receipt"))
        {
          compose->receipt = TRUE;
          continue;
        }
      if (!is_one_of (option, fields) && !(with_extras && is_one_of (option, extras))
          && !is_one_of (option, own_options))
        {
          if (compose->name == NULL && option[0] != '-')
            {
              compose->name = option;
              continue;
            }
          *argument = option;
          return BUZON_CLI_COMPOSE_UNEXPECTED;
        }
      if (i + 1 >= argc)
        {
          *argument = option;
          return BUZON_CLI_COMPOSE_NO_VALUE;
        }
      value = argv[++i];
      if (g_str_equal (option, "--to"))
        g_ptr_array_add (compose->to, (gpointer) value);
      else if (g_str_equal (option, "--cc"))
        g_ptr_array_add (compose->cc, (gpointer) value);
      else if (g_str_equal (option, "--bcc"))
        g_ptr_array_add (compose->bcc, (gpointer) value);
      else if (g_str_equal (option, "--attach"))
        g_ptr_array_add (compose->attachments, (gpointer) value);
      else if (g_str_equal (option, "--subject"))
        compose->subject = value;
      else if (with_extras && g_str_equal (option, "--html"))
        compose->html = value;
      else if (with_extras && g_str_equal (option, "--reply-to"))
        compose->reply_to = value;
      else if (!own_option_cb (option, value, user_data))
        {
          *argument = value;
          return BUZON_CLI_COMPOSE_BAD_VALUE;
        }
    }
  return BUZON_CLI_COMPOSE_PARSED;
}

/* TRUE when no composing option was given (for the commands' forms that
 * take none, send --raw and draft --discard, which would drop them). */
gboolean
buzon_cli_compose_is_empty (const BuzonCliCompose *compose)
{
  return compose->to->len == 0 && compose->cc->len == 0 && compose->bcc->len == 0
         && compose->attachments->len == 0 && compose->subject == NULL && compose->html == NULL
         && compose->reply_to == NULL && !compose->receipt;
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

/* The addresses of one option, as a header's value. */
static char *
join (const GPtrArray *addresses)
{
  g_autoptr (GString) joined = g_string_new (NULL);

  for (guint i = 0; i < addresses->len; i++)
    {
      if (i > 0)
        g_string_append (joined, ", ");
      g_string_append (joined, addresses->pdata[i]);
    }
  return g_string_free (g_steal_pointer (&joined), FALSE);
}

/* The draft @compose and stdin give, from @account's name and address;
 * NULL when stdin, the HTML file or an attachment could not be read. */
BuzonDraft *
buzon_cli_compose_make_draft (const BuzonCliCompose  *compose,
                              BuzonAccount           *account,
                              GError                **error)
{
  g_autoptr (BuzonDraft) draft = buzon_draft_new ();
  g_autofree char *from_text = NULL;
  g_autofree char *to = join (compose->to);
  g_autofree char *cc = join (compose->cc);
  g_autofree char *bcc = join (compose->bcc);
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
  buzon_draft_set_subject (draft, compose->subject);
  buzon_draft_set_reply_to (draft, compose->reply_to);
  buzon_draft_set_text (draft, text);
  buzon_draft_set_request_receipt (draft, compose->receipt);
  if (compose->html != NULL)
    {
      g_autofree char *html = NULL;

      if (!g_file_get_contents (compose->html, &html, NULL, error))
        return NULL;
      buzon_draft_set_html (draft, html);
    }
  for (guint i = 0; i < compose->attachments->len; i++)
    {
      g_autoptr (GFile) file = g_file_new_for_commandline_arg (compose->attachments->pdata[i]);

      if (!buzon_draft_add_attachment_file (draft, file, error))
        return NULL;
    }
  return g_steal_pointer (&draft);
}
