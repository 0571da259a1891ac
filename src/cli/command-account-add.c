// buzon-cli account add: a new account in accounts.conf, its passwords in
// the keyring or a command that prints them.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Everything that can be checked is checked before anything is written:
// the name, the address, both URLs, the fingerprints, that the name is
// free. The passwords are kept before the account is saved, and removed
// again if saving fails, so that an account in the file always has them and
// a failed add leaves nothing behind.

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "account/account-store.h"
#include "cli-commands.h"
#include "cli-credentials.h"
#include "cli-password.h"

typedef struct
{
  const char *id;
  const char *email;
  const char *imap_text;
  const char *smtp_text;
  const char *display_name;
  const char *password_command;
  gint64 prefetch_days; /* -1: the default. */
  gint64 undo_seconds;  /* -1: the default. */
  BuzonAccountCompression compression;
  GPtrArray *trusted; /* "sha256:<lower-case hex>", NULL-terminated once parsed. */
  BuzonServerUrl *imap;
  BuzonServerUrl *smtp;
} AddRequest;

static void
add_request_clear (AddRequest *request)
{
  g_clear_pointer (&request->trusted, g_ptr_array_unref);
  g_clear_pointer (&request->imap, buzon_server_url_free);
  g_clear_pointer (&request->smtp, buzon_server_url_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AddRequest, add_request_clear)

/* "SHA256:" and 64 hex digits, as imap-probe prints them, in either case. */
static char *
parse_fingerprint (const char *value)
{
  g_autofree char *hex = NULL;

  if (g_ascii_strncasecmp (value, "sha256:", 7) != 0 || strlen (value) != 7 + 64)
    return NULL;
  hex = g_ascii_strdown (value + 7, -1);
  for (const char *p = hex; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return NULL;
  return g_strconcat ("sha256:", hex, NULL);
}

/* A cheap check that catches a swapped argument, not an RFC 5322 parser. */
static gboolean
looks_like_address (const char *address)
{
  const char *at = strrchr (address, '@');

  if (at == NULL || at == address || at[1] == '\0')
    return FALSE;
  for (const char *p = address; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || *p == '<' || *p == '>')
      return FALSE;
  return TRUE;
}

/* Reads the arguments; on a usage error prints why and returns FALSE. */
static gboolean
parse_arguments (AddRequest  *request,
                 int          argc,
                 char       **argv)
{
  static const char *const options[] = { "--email", "--imap", "--smtp", "--display-name",
                                          "--password-command", "--trust-cert",
                                          "--prefetch-days", "--undo-seconds", "--compress" };

  request->trusted = g_ptr_array_new_with_free_func (g_free);
  request->prefetch_days = -1;
  request->undo_seconds = -1;
  for (int i = 1; i < argc; i++)
    {
      const char *option = argv[i];
      const char *value;
      gboolean known = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (options); j++)
        known = known || g_str_equal (option, options[j]);
      if (!known)
        {
          if (request->id == NULL && option[0] != '-')
            {
              request->id = option;
              continue;
            }
          /* Translators: %s is what the user typed. */
          g_printerr (_("buzon-cli account add: unexpected “%s”\n"), option);
          return FALSE;
        }
      if (i + 1 >= argc)
        {
          /* Translators: %s is an option such as --email. */
          g_printerr (_("buzon-cli account add: %s needs a value\n"), option);
          return FALSE;
        }
      value = argv[++i];
      if (g_str_equal (option, "--email"))
        request->email = value;
      else if (g_str_equal (option, "--imap"))
        request->imap_text = value;
      else if (g_str_equal (option, "--smtp"))
        request->smtp_text = value;
      else if (g_str_equal (option, "--display-name"))
        request->display_name = value;
      else if (g_str_equal (option, "--password-command"))
        request->password_command = value;
      else if (g_str_equal (option, "--prefetch-days"))
        {
          guint64 days = 0;

          if (!g_ascii_string_to_unsigned (value, 10, 0, BUZON_ACCOUNT_MAX_PREFETCH_DAYS, &days,
                                           NULL))
            {
              /* Translators: %u is the largest number of days allowed. */
              g_printerr (_("--prefetch-days takes a number of days from 0 to %u\n"),
                          (guint) BUZON_ACCOUNT_MAX_PREFETCH_DAYS);
              return FALSE;
            }
          request->prefetch_days = (gint64) days;
        }
      else if (g_str_equal (option, "--compress"))
        {
          /* The values are BuzonAccountCompression's nicks. */
          g_autoptr (GEnumClass) names = g_type_class_ref (BUZON_TYPE_ACCOUNT_COMPRESSION);
          GEnumValue *compression = g_enum_get_value_by_nick (names, value);

          if (compression == NULL)
            {
              g_printerr (_("--compress takes auto, on or off\n"));
              return FALSE;
            }
          request->compression = compression->value;
        }
      else if (g_str_equal (option, "--undo-seconds"))
        {
          guint64 seconds = 0;

          if (!g_ascii_string_to_unsigned (value, 10, 0, BUZON_ACCOUNT_MAX_UNDO_SECONDS, &seconds,
                                           NULL))
            {
              /* Translators: %u is the largest number of seconds allowed. */
              g_printerr (_("--undo-seconds takes a number of seconds from 0 to %u\n"),
                          (guint) BUZON_ACCOUNT_MAX_UNDO_SECONDS);
              return FALSE;
            }
          request->undo_seconds = (gint64) seconds;
        }
      else
        {
          char *fingerprint = parse_fingerprint (value);

          if (fingerprint == NULL)
            {
              g_printerr (_("--trust-cert takes SHA256: and 64 hex digits, as imap-probe "
                            "prints them\n"));
              return FALSE;
            }
          g_ptr_array_add (request->trusted, fingerprint);
        }
    }
  g_ptr_array_add (request->trusted, NULL);

  if (request->id == NULL || request->email == NULL || request->imap_text == NULL
      || request->smtp_text == NULL)
    {
      buzon_cli_account_usage (stderr);
      return FALSE;
    }
  if (!buzon_account_id_is_valid (request->id))
    {
      /* Translators: %s is what the user typed as the account name. */
      g_printerr (_("“%s” cannot name an account: use ASCII letters, digits, “-”, “_” and “.”, "
                    "at most 64, not starting with “.”\n"),
                  request->id);
      return FALSE;
    }
  if (!looks_like_address (request->email))
    {
      /* Translators: %s is what the user typed as the mail address. */
      g_printerr (_("“%s” is not a mail address\n"), request->email);
      return FALSE;
    }
  if (request->password_command != NULL && request->password_command[0] == '\0')
    {
      g_printerr (_("--password-command needs a command\n"));
      return FALSE;
    }
  return TRUE;
}

/* Parses one of the two URLs; prints why it is not usable. */
static BuzonServerUrl *
parse_url (const char          *text,
           BuzonServerProtocol  protocol)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonServerUrl) url = buzon_server_url_parse (text, &error);

  if (url == NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return NULL;
    }
  if (url->protocol != protocol)
    {
      if (protocol == BUZON_SERVER_PROTOCOL_IMAP)
        g_printerr (_("--imap needs an imaps://, imap:// or imap+plain:// URL\n"));
      else
        g_printerr (_("--smtp needs a submissions://, submission:// or smtp+plain:// URL\n"));
      return NULL;
    }
  if (url->user == NULL)
    {
      /* Translators: %s is a URL. */
      g_printerr (_("“%s” names no user: write it as SCHEME://USER@HOST\n"), text);
      return NULL;
    }
  return g_steal_pointer (&url);
}

/* Asks for both passwords and keeps them; FALSE with @error when either is
 * missing or the keyring refused. Nothing is left in the keyring then. */
static gboolean
store_passwords (const AddRequest  *request,
                 GError           **error)
{
  g_autoptr (BuzonCredentials) keyring = buzon_cli_keyring_new (error);
  g_auto (BuzonCredentialsSecret) imap_password = NULL;
  g_auto (BuzonCredentialsSecret) smtp_password = NULL;
  g_autofree char *imap_prompt = NULL;
  g_autofree char *smtp_prompt = NULL;
  gboolean stored;

  if (keyring == NULL)
    return FALSE;

  /* Translators: %s@%s is the user name and the host. */
  imap_prompt = g_strdup_printf (_("IMAP password for %s@%s: "), request->imap->user,
                                 request->imap->host);
  imap_password = buzon_cli_prompt_password (imap_prompt, FALSE, error);
  if (imap_password == NULL)
    return FALSE;
  /* Translators: %s@%s is the user name and the host. */
  smtp_prompt = g_strdup_printf (_("SMTP password for %s@%s (Enter to use the IMAP password): "),
                                 request->smtp->user, request->smtp->host);
  smtp_password = buzon_cli_prompt_password (smtp_prompt, TRUE, error);
  if (smtp_password == NULL)
    return FALSE;

  stored = buzon_cli_credentials_store (keyring, request->id, request->imap, imap_password, error)
           && buzon_cli_credentials_store (keyring, request->id, request->smtp,
                                           smtp_password[0] != '\0' ? smtp_password
                                                                    : imap_password,
                                           error);
  if (!stored)
    buzon_cli_credentials_delete (keyring, request->id, NULL);
  return stored;
}

static void
forget_passwords (const char *id)
{
  g_autoptr (BuzonCredentials) keyring = buzon_cli_keyring_new (NULL);

  if (keyring != NULL)
    buzon_cli_credentials_delete (keyring, id, NULL);
}

/* buzon-cli account add NAME --email ADDR --imap URL --smtp URL
 *   [--display-name NAME] [--password-command CMD] [--trust-cert SHA256:HEX]…
 *   [--prefetch-days N] [--undo-seconds N] [--compress auto|on|off] */
int
buzon_cli_command_account_add (int    argc,
                               char **argv)
{
  g_auto (AddRequest) request = { 0 };
  g_autoptr (BuzonAccountStore) store = buzon_account_store_new (NULL);
  g_autoptr (BuzonAccount) account = NULL;
  g_autoptr (GError) error = NULL;
  gboolean in_keyring;
  int status = BUZON_CLI_EXIT_OK;

  if (!parse_arguments (&request, argc, argv))
    return BUZON_CLI_EXIT_USAGE;
  if ((request.imap = parse_url (request.imap_text, BUZON_SERVER_PROTOCOL_IMAP)) == NULL
      || (request.smtp = parse_url (request.smtp_text, BUZON_SERVER_PROTOCOL_SMTP)) == NULL)
    return BUZON_CLI_EXIT_USAGE;

  if (!buzon_account_store_load (store, &error))
    {
      g_printerr ("%s\n", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  /* Checked before the passwords are asked for, so nobody types them in
   * vain; the store checks again when it saves. */
  if (buzon_account_store_contains (store, request.id))
    {
      /* Translators: %s is an account name. */
      g_printerr (_("An account named “%s” exists already\n"), request.id);
      return BUZON_CLI_EXIT_FAILED;
    }

  account = buzon_account_new (request.id, request.display_name, request.email, request.imap,
                               request.smtp);
  buzon_account_set_trusted_certificates (account, (const char * const *) request.trusted->pdata);
  buzon_account_set_password_command (account, request.password_command);
  if (request.prefetch_days >= 0)
    buzon_account_set_prefetch_days (account, (guint) request.prefetch_days);
  if (request.undo_seconds >= 0)
    buzon_account_set_undo_seconds (account, (guint) request.undo_seconds);
  buzon_account_set_compression (account, request.compression);

  in_keyring = request.password_command == NULL;
  if (in_keyring && !store_passwords (&request, &error))
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      status = BUZON_CLI_EXIT_FAILED;
    }
  else if (!buzon_account_store_add (store, account, &error))
    {
      g_printerr ("%s\n", error->message);
      if (in_keyring)
        forget_passwords (request.id);
      status = BUZON_CLI_EXIT_FAILED;
    }
  if (in_keyring)
    buzon_cli_credentials_shutdown ();
  return status;
}
