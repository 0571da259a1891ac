// Getting a password in buzon-cli: from --password-command, or asked for.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "account/credentials-command.h"
#include "cli-credentials.h"
#include "cli-password.h"

/* The terminal as it was before echo was turned off for the password. */
static struct termios saved_terminal;

/* Ctrl+C at the prompt must not leave the terminal without echo. */
static void
restore_terminal_and_die (int signal_number)
{
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_terminal);
  signal (signal_number, SIG_DFL);
  raise (signal_number);
}

/**
 * buzon_cli_prompt_password:
 * @prompt: what to ask, shown on a terminal only
 * @allow_empty: whether an empty answer is one (else it is an error)
 *
 * Reads one line from standard input: on a terminal after showing @prompt,
 * with echo off; otherwise as it comes, so that scripts can pipe passwords
 * in, one per line.
 *
 * Returns: (transfer full): the password; the caller wipes and frees it
 *   with buzon_credentials_secret_free().
 */
char *
buzon_cli_prompt_password (const char  *prompt,
                           gboolean     allow_empty,
                           GError     **error)
{
  char line[1024];
  gboolean tty = isatty (STDIN_FILENO);
  struct sigaction restore = { 0 };
  struct sigaction old_int, old_term, old_hup;
  char *newline;
  char *password;

  if (tty)
    {
      struct termios quiet;

      tcgetattr (STDIN_FILENO, &saved_terminal);
      restore.sa_handler = restore_terminal_and_die;
      sigemptyset (&restore.sa_mask);
      sigaction (SIGINT, &restore, &old_int);
      sigaction (SIGTERM, &restore, &old_term);
      sigaction (SIGHUP, &restore, &old_hup);
      quiet = saved_terminal;
      quiet.c_lflag &= ~ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
      /* Asked only once echo is off: nothing typed after it shows. */
      g_printerr ("%s", prompt);
    }
  if (fgets (line, sizeof line, stdin) == NULL)
    line[0] = '\0';
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_terminal);
      sigaction (SIGINT, &old_int, NULL);
      sigaction (SIGTERM, &old_term, NULL);
      sigaction (SIGHUP, &old_hup, NULL);
      g_printerr ("\n");
    }
  newline = strpbrk (line, "\r\n");
  if (newline != NULL)
    *newline = '\0';
  if (line[0] == '\0' && !allow_empty)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("No password given"));
      return NULL;
    }
  password = g_strdup (line);
  explicit_bzero (line, sizeof line);
  return password;
}

/**
 * buzon_cli_read_password:
 * @command: (nullable): a shell command that prints the password, run as
 *   BuzonCommandCredentials runs it
 *
 * Returns: (transfer full): the password; the caller wipes and frees it
 *   with buzon_credentials_secret_free().
 */
char *
buzon_cli_read_password (const char           *command,
                         const BuzonServerUrl *url,
                         GError              **error)
{
  g_autofree char *prompt = NULL;

  if (command != NULL)
    {
      g_autoptr (BuzonCommandCredentials) credentials = buzon_command_credentials_new (command);

      /* No account: the command sees an empty BUZON_ACCOUNT. */
      return buzon_cli_credentials_lookup (BUZON_CREDENTIALS (credentials), "", url, error);
    }
  /* Translators: %s@%s is the user name and the host. */
  prompt = g_strdup_printf (_("Password for %s@%s: "), url->user, url->host);
  return buzon_cli_prompt_password (prompt, FALSE, error);
}
