// BuzonCommandCredentials: passwords printed by a shell command.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Like mbsync's PassCmd, the command runs as `/bin/sh -c COMMAND` and the
// first line it prints is the password. It learns which password is wanted
// from its environment: BUZON_ACCOUNT, BUZON_PROTOCOL ("imap" or "smtp"),
// BUZON_HOST and BUZON_USER, so that one command can serve both servers of
// an account (`pass show "mail/$BUZON_PROTOCOL"`).
//
// The command runs in a session of its own, without a terminal and with
// /dev/null as its input: when it takes too long or the lookup is
// cancelled, the whole process group is killed, so nothing it started is
// left behind waiting on a prompt nobody sees. Programs that ask through
// the GPG agent or a graphical prompt work; programs that read the terminal
// themselves fail at once instead of hanging.
//
// The output is read whole (a password command prints little); its copy is
// wiped before it is freed, and only the first line is kept. This
// implementation cannot keep secrets: store and delete fail with
// G_IO_ERROR_NOT_SUPPORTED.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "account-error.h"
#include "credentials-command.h"

/* After killing a command that timed out, how long its output pipes may
 * stay open (held by a program that left its process group) before the
 * lookup gives up reading them. */
#define KILL_GRACE_MS 1000

struct _BuzonCommandCredentials
{
  GObject parent_instance;

  char *command;
  guint timeout; /* Seconds. */
};

static void credentials_iface_init (BuzonCredentialsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BuzonCommandCredentials, buzon_command_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BUZON_TYPE_CREDENTIALS,
                                                      credentials_iface_init))

enum
{
  PROP_0,
  PROP_COMMAND,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One run of the command. */
typedef struct
{
  GSubprocess *process;
  pid_t process_group;
  GCancellable *stop; /* Ends the reading of the output: cancelled, or killed and stuck. */
  GCancellable *cancellable;
  gulong cancelled_id;
  GSource *timeout_source;
  GSource *grace_source;
  guint timeout;
  gboolean timed_out;
} Lookup;

static void
stop_timers (Lookup *lookup)
{
  if (lookup->timeout_source != NULL)
    g_source_destroy (lookup->timeout_source);
  g_clear_pointer (&lookup->timeout_source, g_source_unref);
  if (lookup->grace_source != NULL)
    g_source_destroy (lookup->grace_source);
  g_clear_pointer (&lookup->grace_source, g_source_unref);
}

static void
lookup_free (Lookup *lookup)
{
  if (lookup->cancelled_id != 0)
    g_cancellable_disconnect (lookup->cancellable, lookup->cancelled_id);
  g_clear_object (&lookup->cancellable);
  stop_timers (lookup);
  g_clear_object (&lookup->process);
  g_clear_object (&lookup->stop);
  g_free (lookup);
}

/* The process group is the command's own (setsid() below), so its id
 * cannot be handed to another process while anything of the command lives;
 * once nothing does, there is nothing left to kill either. */
static void
kill_process_group (Lookup *lookup)
{
  if (lookup->process_group > 0)
    kill (-lookup->process_group, SIGKILL);
}

/* Runs in the child between fork and exec: only async-signal-safe calls. */
static void
child_setup (gpointer user_data)
{
  setsid ();
}

/* The first line of @bytes, without its line end; @bytes is wiped and freed. */
static char *
take_first_line (GBytes *bytes)
{
  gsize length = 0;
  guint8 *data = g_bytes_unref_to_data (bytes, &length);
  gsize line_length = 0;
  char *line;

  while (line_length < length && data[line_length] != '\n' && data[line_length] != '\0')
    line_length++;
  if (line_length > 0 && data[line_length - 1] == '\r')
    line_length--;
  /* Empty output comes back as NULL data. */
  if (data == NULL)
    return g_strdup ("");
  line = g_strndup ((const char *) data, line_length);
  explicit_bzero (data, length);
  g_free (data);
  return line;
}

/* The first line of what the command said on its error output, if anything:
 * the part of an error message that tells the user what went wrong. */
static char *
error_output_line (GBytes *stderr_bytes)
{
  gsize length = 0;
  const char *data = stderr_bytes != NULL ? g_bytes_get_data (stderr_bytes, &length) : NULL;
  gsize line_length = 0;
  g_autofree char *line = NULL;

  while (line_length < length && data[line_length] != '\n' && data[line_length] != '\r')
    line_length++;
  line = g_utf8_make_valid (data != NULL ? data : "", line_length);
  g_strstrip (line);
  if (line[0] == '\0')
    return NULL;
  return g_steal_pointer (&line);
}

/* Takes @message; appends the command's own words when it had any. */
static GError *
command_error (gint        code,
               char       *message,
               GBytes     *stderr_bytes)
{
  g_autofree char *owned = message;
  g_autofree char *said = error_output_line (stderr_bytes);

  if (said == NULL)
    return g_error_new_literal (BUZON_ACCOUNT_ERROR, code, owned);
  return g_error_new (BUZON_ACCOUNT_ERROR, code, "%s: %s", owned, said);
}

static char *
timeout_message (guint seconds)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: %u is a number of seconds. */
                                       "The password command did not finish within %u second",
                                       "The password command did not finish within %u seconds",
                                       seconds),
                          seconds);
}

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) stdout_bytes = NULL;
  g_autoptr (GBytes) stderr_bytes = NULL;
  g_autofree char *password = NULL;

  /* The caller may keep the result alive: no timer may fire after this. */
  stop_timers (lookup);
  if (!g_subprocess_communicate_finish (lookup->process, result, &stdout_bytes, &stderr_bytes,
                                        &error))
    {
      /* Cancelled, or its output still held open after the kill: whatever
       * is left of the command goes now. */
      kill_process_group (lookup);
      if (lookup->timed_out)
        g_task_return_error (task, command_error (BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND_TIMEOUT,
                                                  timeout_message (lookup->timeout), NULL));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (lookup->timed_out)
    {
      g_task_return_error (task, command_error (BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND_TIMEOUT,
                                                timeout_message (lookup->timeout),
                                                stderr_bytes));
      return;
    }
  if (g_subprocess_get_if_signaled (lookup->process))
    {
      /* Translators: %d is a signal number. */
      char *message = g_strdup_printf (_("The password command was killed by signal %d"),
                                       g_subprocess_get_term_sig (lookup->process));
      g_task_return_error (task, command_error (BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND, message,
                                                stderr_bytes));
      return;
    }
  if (g_subprocess_get_exit_status (lookup->process) != 0)
    {
      /* Translators: %d is the command's exit status, a number. */
      char *message = g_strdup_printf (_("The password command failed with exit status %d"),
                                       g_subprocess_get_exit_status (lookup->process));
      g_task_return_error (task, command_error (BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND, message,
                                                stderr_bytes));
      return;
    }

  password = stdout_bytes != NULL ? take_first_line (g_steal_pointer (&stdout_bytes))
                                  : g_strdup ("");
  if (password[0] == '\0')
    {
      g_task_return_error (task,
                           command_error (BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND,
                                          g_strdup (_("The password command printed no password")),
                                          stderr_bytes));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&password),
                         (GDestroyNotify) buzon_credentials_secret_free);
}

/* The command was killed, yet its output is still open: something it
 * started has left its session. Stop waiting for it. */
static gboolean
grace_expired_cb (gpointer user_data)
{
  Lookup *lookup = user_data;

  g_cancellable_cancel (lookup->stop);
  return G_SOURCE_REMOVE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Lookup *lookup = g_task_get_task_data (task);

  lookup->timed_out = TRUE;
  kill_process_group (lookup);
  /* The output read so far, with the command's explanation on its error
   * output, arrives once the pipes close; that takes a moment. */
  lookup->grace_source = g_timeout_source_new (KILL_GRACE_MS);
  g_source_set_callback (lookup->grace_source, grace_expired_cb, lookup, NULL);
  g_source_attach (lookup->grace_source, g_task_get_context (task));
  return G_SOURCE_REMOVE;
}

/* May run on another thread: only cancels the reading, which the main
 * context then sees. */
static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
command_lookup_async (BuzonCredentials    *credentials,
                      const char          *account_id,
                      const char          *protocol,
                      const char          *host,
                      const char          *user,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  BuzonCommandCredentials *self = BUZON_COMMAND_CREDENTIALS (credentials);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  Lookup *lookup;

  g_task_set_source_tag (task, command_lookup_async);
  if (g_task_return_error_if_cancelled (task))
    return;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "BUZON_ACCOUNT", account_id, TRUE);
  g_subprocess_launcher_setenv (launcher, "BUZON_PROTOCOL", protocol, TRUE);
  g_subprocess_launcher_setenv (launcher, "BUZON_HOST", host, TRUE);
  if (user != NULL)
    g_subprocess_launcher_setenv (launcher, "BUZON_USER", user, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "BUZON_USER");
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  lookup = g_new0 (Lookup, 1);
  lookup->timeout = self->timeout;
  lookup->stop = g_cancellable_new ();
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  lookup->process = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", "-c", self->command,
                                                 NULL);
  if (lookup->process == NULL)
    {
      g_task_return_new_error (task, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND,
                               /* Translators: %s says why, e.g. "No such file or directory". */
                               _("Cannot run the password command: %s"), error->message);
      return;
    }
  /* After setsid() the command leads a process group of its own id. */
  lookup->process_group = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (lookup->process),
                                                   NULL, 10);

  if (cancellable != NULL)
    {
      lookup->cancellable = g_object_ref (cancellable);
      lookup->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                    g_object_ref (lookup->stop), g_object_unref);
    }
  lookup->timeout_source = g_timeout_source_new (lookup->timeout * 1000);
  g_source_set_callback (lookup->timeout_source, timeout_cb, task, NULL);
  g_source_attach (lookup->timeout_source, g_task_get_context (task));

  g_subprocess_communicate_async (lookup->process, NULL, lookup->stop, communicate_cb,
                                  g_steal_pointer (&task));
}

static char *
command_lookup_finish (BuzonCredentials  *credentials,
                       GAsyncResult      *result,
                       GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, credentials), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
report_not_supported (BuzonCredentials    *credentials,
                      gpointer             source_tag,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_task_report_new_error (credentials, callback, user_data, source_tag, G_IO_ERROR,
                           G_IO_ERROR_NOT_SUPPORTED,
                           _("Passwords that come from a command cannot be changed by Buzón"));
}

static void
command_store_async (BuzonCredentials    *credentials,
                     const char          *account_id,
                     const char          *protocol,
                     const char          *host,
                     const char          *user,
                     const char          *secret,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  report_not_supported (credentials, command_store_async, callback, user_data);
}

static void
command_delete_async (BuzonCredentials    *credentials,
                      const char          *account_id,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  report_not_supported (credentials, command_delete_async, callback, user_data);
}

static gboolean
command_boolean_finish (BuzonCredentials  *credentials,
                        GAsyncResult      *result,
                        GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, credentials), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
credentials_iface_init (BuzonCredentialsInterface *iface)
{
  iface->lookup_async = command_lookup_async;
  iface->lookup_finish = command_lookup_finish;
  iface->store_async = command_store_async;
  iface->store_finish = command_boolean_finish;
  iface->delete_async = command_delete_async;
  iface->delete_finish = command_boolean_finish;
}

static void
buzon_command_credentials_finalize (GObject *object)
{
  BuzonCommandCredentials *self = BUZON_COMMAND_CREDENTIALS (object);

  g_free (self->command);

  G_OBJECT_CLASS (buzon_command_credentials_parent_class)->finalize (object);
}

static void
buzon_command_credentials_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  BuzonCommandCredentials *self = BUZON_COMMAND_CREDENTIALS (object);

  switch (prop_id)
    {
    case PROP_COMMAND:
      g_value_set_string (value, self->command);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_command_credentials_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  BuzonCommandCredentials *self = BUZON_COMMAND_CREDENTIALS (object);

  switch (prop_id)
    {
    case PROP_COMMAND:
      self->command = g_value_dup_string (value);
      break;
    case PROP_TIMEOUT:
      buzon_command_credentials_set_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_command_credentials_class_init (BuzonCommandCredentialsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_command_credentials_finalize;
  object_class->get_property = buzon_command_credentials_get_property;
  object_class->set_property = buzon_command_credentials_set_property;

  properties[PROP_COMMAND] =
    g_param_spec_string ("command", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, G_MAXUINT / 1000,
                       BUZON_COMMAND_CREDENTIALS_DEFAULT_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
buzon_command_credentials_init (BuzonCommandCredentials *self)
{
  self->timeout = BUZON_COMMAND_CREDENTIALS_DEFAULT_TIMEOUT;
}

/**
 * buzon_command_credentials_new:
 * @command: a shell command line whose first line of output is the password
 *
 * Returns: (transfer full): credentials that run @command for every lookup.
 */
BuzonCommandCredentials *
buzon_command_credentials_new (const char *command)
{
  g_return_val_if_fail (command != NULL && command[0] != '\0', NULL);

  return g_object_new (BUZON_TYPE_COMMAND_CREDENTIALS, "command", command, NULL);
}

const char *
buzon_command_credentials_get_command (BuzonCommandCredentials *self)
{
  g_return_val_if_fail (BUZON_IS_COMMAND_CREDENTIALS (self), NULL);
  return self->command;
}

guint
buzon_command_credentials_get_timeout (BuzonCommandCredentials *self)
{
  g_return_val_if_fail (BUZON_IS_COMMAND_CREDENTIALS (self), 0);
  return self->timeout;
}

/**
 * buzon_command_credentials_set_timeout:
 * @seconds: how long a lookup waits for the command, at least 1
 *
 * A command still running after @seconds is killed with everything it
 * started, and the lookup fails with
 * %BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND_TIMEOUT. Applies to lookups started
 * afterwards.
 */
void
buzon_command_credentials_set_timeout (BuzonCommandCredentials *self,
                                       guint                    seconds)
{
  g_return_if_fail (BUZON_IS_COMMAND_CREDENTIALS (self));
  g_return_if_fail (seconds > 0);

  if (self->timeout == seconds)
    return;
  self->timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}
