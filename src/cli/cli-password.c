// Getting a password in buzon-cli: from --password-command, or asked for.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "cli-password.h"

/* Runs @command with sh -c, like mbsync's PassCmd: the first line it prints
 * is the password. */
static char *
run_password_command (const char  *command,
                      GError     **error)
{
  const char *argv[] = { "/bin/sh", "-c", command, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  char *newline;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                     &status, error))
    return NULL;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_strchomp (err);
      /* Translators: %s is what the command printed on its error output. */
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   _("The password command failed: %s"), err[0] != '\0' ? err : command);
      return NULL;
    }
  newline = strpbrk (out, "\r\n");
  if (newline != NULL)
    {
      /* Only the first line is the password; wipe whatever followed it. */
      explicit_bzero (newline, strlen (newline));
    }
  if (out[0] == '\0')
    {
      g_set_error_literal (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                           _("The password command printed no password"));
      return NULL;
    }
  return g_steal_pointer (&out);
}

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

static char *
ask (const BuzonServerUrl  *url,
     GError               **error)
{
  char line[1024];
  gboolean tty = isatty (STDIN_FILENO);
  struct sigaction restore = { 0 };
  struct sigaction old_int, old_term, old_hup;
  char *newline;

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
      /* Translators: %s@%s is the user name and the host. */
      g_printerr (_("Password for %s@%s: "), url->user, url->host);
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
  if (line[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("No password given"));
      return NULL;
    }
  {
    char *password = g_strdup (line);
    explicit_bzero (line, sizeof line);
    return password;
  }
}

/**
 * buzon_cli_read_password:
 * @command: (nullable): a shell command that prints the password
 *
 * Returns: (transfer full): the password; the caller wipes and frees it.
 */
char *
buzon_cli_read_password (const char           *command,
                         const BuzonServerUrl *url,
                         GError              **error)
{
  if (command != NULL)
    return run_password_command (command, error);
  return ask (url, error);
}
