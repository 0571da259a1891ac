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
// The output is read whole (a password command prints little, so one
// buffer holds it, unmoved); that buffer is wiped before it is freed, and
// only the first line is kept. This
// implementation cannot keep secrets: store and delete fail with
// G_IO_ERROR_NOT_SUPPORTED.

#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib/gi18n-lib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
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

/* One run of the command. It ends when three things have: the reading of
 * its output, the reading of its error output, and its exit. */
typedef struct
{
  GPid pid; /* Also its process group's id, after setsid(). */
  gboolean exited;
  int wait_status;
  GMemoryOutputStream *output;
  GMemoryOutputStream *error_output;
  guint pending; /* How many of the three are still to come. */
  GError *read_error;
  GCancellable *stop; /* Ends the reading: cancelled, or killed yet still open. */
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

/* The output may hold the password, or the start of it: it is wiped. */
static void
wipe_and_unref (GMemoryOutputStream *stream)
{
  if (stream == NULL)
    return;
  if (g_memory_output_stream_get_data (stream) != NULL)
    explicit_bzero (g_memory_output_stream_get_data (stream),
                    g_memory_output_stream_get_size (stream));
  g_object_unref (stream);
}

static void
lookup_free (Lookup *lookup)
{
  if (lookup->cancelled_id != 0)
    g_cancellable_disconnect (lookup->cancellable, lookup->cancelled_id);
  g_clear_object (&lookup->cancellable);
  stop_timers (lookup);
  wipe_and_unref (lookup->output);
  wipe_and_unref (lookup->error_output);
  g_clear_error (&lookup->read_error);
  g_clear_object (&lookup->stop);
  g_free (lookup);
}

/* The process group is the command's own (setsid() below) and has the id
 * of its first process, which this lookup alone reaps: until then no other
 * process can be given that id. Afterwards the id stays taken while
 * anything the command started lives in its group, which is when killing
 * it still matters. */
static void
kill_process_group (Lookup *lookup)
{
  if (lookup->pid > 0)
    kill (-lookup->pid, SIGKILL);
}

/* Runs in the child between fork and exec: only async-signal-safe calls. */
static void
child_setup (gpointer user_data)
{
  setsid ();
}

/* The first line of what the command printed, without its line end. */
static char *
first_line (GMemoryOutputStream *stream)
{
  const char *data = g_memory_output_stream_get_data (stream);
  gsize length = g_memory_output_stream_get_data_size (stream);
  gsize line_length = 0;

  if (data == NULL)
    return g_strdup ("");
  while (line_length < length && data[line_length] != '\n' && data[line_length] != '\0')
    line_length++;
  if (line_length > 0 && data[line_length - 1] == '\r')
    line_length--;
  return g_strndup (data, line_length);
}

/* The first line of what the command said on its error output, if anything:
 * the part of an error message that tells the user what went wrong. */
static char *
error_output_line (GMemoryOutputStream *stream)
{
  const char *data = g_memory_output_stream_get_data (stream);
  gsize length = g_memory_output_stream_get_data_size (stream);
  gsize line_length = 0;
  g_autofree char *line = NULL;

  if (data == NULL)
    return NULL;
  while (line_length < length && data[line_length] != '\n' && data[line_length] != '\r')
    line_length++;
  line = g_utf8_make_valid (data, line_length);
  g_strstrip (line);
  if (line[0] == '\0')
    return NULL;
  return g_steal_pointer (&line);
}

/* Takes @message; appends the command's own words when it had any. */
static GError *
command_error (gint    code,
               char   *message,
               Lookup *lookup)
{
  g_autofree char *owned = message;
  g_autofree char *said = error_output_line (lookup->error_output);

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

/* All three parts are done: the command is gone and reaped. */
static void
finish_lookup (GTask  *task,
               Lookup *lookup)
{
  g_autofree char *password = NULL;

  if (lookup->timed_out)
    {
      g_task_return_error (task, command_error (BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND_TIMEOUT,
                                                timeout_message (lookup->timeout), lookup));
      return;
    }
  if (g_error_matches (lookup->read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&lookup->read_error));
      return;
    }
  if (lookup->read_error != NULL)
    {
      /* Translators: %s says why. */
      g_task_return_new_error (task, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND,
                               _("Cannot read what the password command printed: %s"),
                               lookup->read_error->message);
      return;
    }
  if (WIFSIGNALED (lookup->wait_status))
    {
      /* Translators: %d is a signal number. */
      char *message = g_strdup_printf (_("The password command was killed by signal %d"),
                                       WTERMSIG (lookup->wait_status));
      g_task_return_error (task,
                           command_error (BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND, message, lookup));
      return;
    }
  if (!WIFEXITED (lookup->wait_status) || WEXITSTATUS (lookup->wait_status) != 0)
    {
      /* Translators: %d is the command's exit status, a number. */
      char *message = g_strdup_printf (_("The password command failed with exit status %d"),
                                       WEXITSTATUS (lookup->wait_status));
      g_task_return_error (task,
                           command_error (BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND, message, lookup));
      return;
    }

  password = first_line (lookup->output);
  if (password[0] == '\0')
    {
      g_task_return_error (task,
                           command_error (BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND,
                                          g_strdup (_("The password command printed no password")),
                                          lookup));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&password),
                         (GDestroyNotify) buzon_credentials_secret_free);
}

static void
one_part_done (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);

  g_assert (lookup->pending > 0);
  if (--lookup->pending > 0)
    return;
  /* The caller may keep the result alive: no timer may fire after this. */
  stop_timers (lookup);
  finish_lookup (task, lookup);
}

static void
splice_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0)
    {
      /* Cancelled, or the output is still held open after the kill:
       * whatever is left of the command goes now. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        kill_process_group (lookup);
      if (lookup->read_error == NULL)
        lookup->read_error = g_steal_pointer (&error);
    }
  one_part_done (task);
}

static void
child_exited_cb (GPid     pid,
                 int      wait_status,
                 gpointer user_data)
{
  GTask *task = user_data;
  Lookup *lookup = g_task_get_task_data (task);

  lookup->exited = TRUE;
  lookup->wait_status = wait_status;
  g_spawn_close_pid (pid);
  one_part_done (task);
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

static GMemoryOutputStream *
read_all_async (GTask *task,
                int    fd)
{
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr (GInputStream) input = g_unix_input_stream_new (fd, TRUE);
  GOutputStream *output = g_memory_output_stream_new_resizable ();

  g_output_stream_splice_async (output, input,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE
                                  | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, lookup->stop, splice_cb, g_object_ref (task));
  return G_MEMORY_OUTPUT_STREAM (output);
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
  const char *argv[] = { "/bin/sh", "-c", self->command, NULL };
  g_auto (GStrv) environment = g_get_environ ();
  g_autoptr (GError) error = NULL;
  GSource *child_watch;
  Lookup *lookup;
  int output_fd = -1;
  int error_fd = -1;

  g_task_set_source_tag (task, command_lookup_async);
  if (g_task_return_error_if_cancelled (task))
    return;

  environment = g_environ_setenv (environment, "BUZON_ACCOUNT", account_id, TRUE);
  environment = g_environ_setenv (environment, "BUZON_PROTOCOL", protocol, TRUE);
  environment = g_environ_setenv (environment, "BUZON_HOST", host, TRUE);
  if (user != NULL)
    environment = g_environ_setenv (environment, "BUZON_USER", user, TRUE);
  else
    environment = g_environ_unsetenv (environment, "BUZON_USER");

  lookup = g_new0 (Lookup, 1);
  lookup->timeout = self->timeout;
  lookup->stop = g_cancellable_new ();
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  /* The child is reaped by the watch below, not by GLib on its own, so
   * that its id stays this lookup's to kill until then. */
  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, (const char * const *) environment,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL
                                           | G_SPAWN_CLOEXEC_PIPES,
                                         child_setup, NULL, -1, -1, -1, NULL, NULL, 0,
                                         &lookup->pid, NULL, &output_fd, &error_fd, &error))
    {
      g_task_return_new_error (task, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND,
                               /* Translators: %s says why, e.g. "No such file or directory". */
                               _("Cannot run the password command: %s"), error->message);
      return;
    }

  lookup->pending = 3;
  lookup->output = read_all_async (task, output_fd);
  lookup->error_output = read_all_async (task, error_fd);
  child_watch = g_child_watch_source_new (lookup->pid);
  g_source_set_callback (child_watch, G_SOURCE_FUNC (child_exited_cb), g_object_ref (task),
                         g_object_unref);
  g_source_attach (child_watch, g_task_get_context (task));
  g_source_unref (child_watch);

  if (cancellable != NULL)
    {
      lookup->cancellable = g_object_ref (cancellable);
      lookup->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                    g_object_ref (lookup->stop), g_object_unref);
    }
  lookup->timeout_source = g_timeout_source_new (lookup->timeout * 1000);
  g_source_set_callback (lookup->timeout_source, timeout_cb, task, NULL);
  g_source_attach (lookup->timeout_source, g_task_get_context (task));
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
