// BuzonCommandCredentials: passwords from a shell command, its failures
// explained, slow commands killed, cancelled lookups stopped.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>

#include "account/account-error.h"
#include "account/credentials-command.h"

typedef struct
{
  char *dir;
  char *pid_file; /* Commands that start something write its pid here. */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("buzon-passcmd-XXXXXX", &error);
  g_assert_no_error (error);
  f->pid_file = g_build_filename (f->dir, "pid", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->pid_file);
  g_free (f->dir);
}

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

/* Looks up the IMAP password of the account "work" and waits for it. */
static char *
lookup (BuzonCredentials  *credentials,
        const char        *user,
        GCancellable      *cancellable,
        GError           **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_credentials_lookup_async (credentials, "work", BUZON_CREDENTIALS_PROTOCOL_IMAP,
                                  "mail.example.org", user, cancellable, got_result_cb, &result);
  /* The callback never runs inside the _async call. */
  g_assert_null (result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return buzon_credentials_lookup_finish (credentials, result, error);
}

static char *
lookup_with (const char  *command,
             guint        timeout,
             GError     **error)
{
  g_autoptr (BuzonCommandCredentials) credentials = buzon_command_credentials_new (command);
  char *password;

  if (timeout > 0)
    buzon_command_credentials_set_timeout (credentials, timeout);
  password = lookup (BUZON_CREDENTIALS (credentials), "bob", NULL, error);
  g_assert_finalize_object (g_steal_pointer (&credentials));
  return password;
}

/* Whether the process whose pid @pid_file holds has ended (a zombie that
 * nobody reaped counts: it runs no more). */
static gboolean
process_ended (const char *pid_file)
{
  g_autofree char *text = NULL;
  g_autofree char *stat_path = NULL;
  g_autofree char *stat = NULL;
  gint64 pid;

  g_assert_true (g_file_get_contents (pid_file, &text, NULL, NULL));
  pid = g_ascii_strtoll (text, NULL, 10);
  g_assert_cmpint (pid, >, 1);
  stat_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return TRUE;
  return strstr (stat, ") Z ") != NULL;
}

static void
wait_for_pid_file (const char *pid_file)
{
  g_autofree char *text = NULL;

  while (!g_file_get_contents (pid_file, &text, NULL, NULL) || strchr (text, '\n') == NULL)
    {
      g_clear_pointer (&text, g_free);
      g_usleep (10 * 1000);
    }
}

static void
test_first_line (void)
{
  g_autoptr (GError) error = NULL;
  g_auto (BuzonCredentialsSecret) password = NULL;

  password = lookup_with ("printf 'hunter2 ñ€\\nsecond line\\n'", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "hunter2 ñ€");
}

static void
test_line_ends (void)
{
  const struct
  {
    const char *command;
    const char *password;
  } cases[] = {
    { "echo s3cret", "s3cret" },                         /* The newline is not part of it. */
    { "printf 's3cret\\r\\n'", "s3cret" },               /* Nor a CRLF. */
    { "printf s3cret", "s3cret" },                       /* No line end at all. */
    { "printf '  spaced out  \\n'", "  spaced out  " }, /* Blanks are the password's. */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_auto (BuzonCredentialsSecret) password = lookup_with (cases[i].command, 0, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (password, ==, cases[i].password);
    }
}

static void
test_environment (void)
{
  g_autoptr (BuzonCommandCredentials) credentials = buzon_command_credentials_new (
    "printf '%s|%s|%s|%s\\n' \"$BUZON_ACCOUNT\" \"$BUZON_PROTOCOL\" \"$BUZON_HOST\" "
    "\"${BUZON_USER-unset}\"");
  g_autoptr (GError) error = NULL;
  g_auto (BuzonCredentialsSecret) password = NULL;
  g_auto (BuzonCredentialsSecret) without_user = NULL;

  /* One command can tell the servers of an account apart. */
  password = lookup (BUZON_CREDENTIALS (credentials), "bob", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "work|imap|mail.example.org|bob");

  /* No user: none is made up, nor inherited from Buzón's environment. */
  g_setenv ("BUZON_USER", "inherited", TRUE);
  without_user = lookup (BUZON_CREDENTIALS (credentials), NULL, NULL, &error);
  g_unsetenv ("BUZON_USER");
  g_assert_no_error (error);
  g_assert_cmpstr (without_user, ==, "work|imap|mail.example.org|unset");
  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
test_failure_quotes_error_output (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *password = NULL;

  password = lookup_with ("echo hunter2; echo 'gpg: decryption failed: No secret key' >&2; "
                          "echo 'second line' >&2; exit 2",
                          0, &error);
  g_assert_null (password);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND);
  g_assert_nonnull (strstr (error->message, "exit status 2"));
  g_assert_true (g_str_has_suffix (error->message, ": gpg: decryption failed: No secret key"));
  /* What it printed on its output may be a password: never shown. */
  g_assert_null (strstr (error->message, "hunter2"));
}

static void
test_failure_without_error_output (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *password = lookup_with ("exit 1", 0, &error);

  g_assert_null (password);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND);
  g_assert_nonnull (strstr (error->message, "exit status 1"));
  g_assert_false (g_str_has_suffix (error->message, ": "));
}

static void
test_missing_program (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *password = lookup_with ("buzon-no-such-program --show mail", 0, &error);

  /* The shell's own words say what is wrong. */
  g_assert_null (password);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND);
  g_assert_nonnull (strstr (error->message, "exit status 127"));
  g_assert_nonnull (strstr (error->message, "buzon-no-such-program"));
}

static void
test_killed_by_signal (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *password = lookup_with ("echo hunter2; kill -TERM $$", 0, &error);

  g_assert_null (password);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND);
  g_assert_nonnull (strstr (error->message, "signal 15"));
}

static void
test_empty_output (void)
{
  const char *commands[] = { "true", "printf '\\nsecond line\\n'", "printf '\\r\\n'" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *password = lookup_with (commands[i], 0, &error);

      g_assert_null (password);
      g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND);
      g_assert_nonnull (strstr (error->message, "no password"));
    }

  {
    g_autoptr (GError) error = NULL;
    g_autofree char *password = lookup_with ("echo 'The vault is locked' >&2", 0, &error);

    g_assert_null (password);
    g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND);
    g_assert_true (g_str_has_suffix (error->message, ": The vault is locked"));
  }
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *command = g_strdup_printf (
    "echo 'waiting for the smartcard' >&2; sleep 30 & echo $! > '%s'; wait", f->pid_file);
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  password = lookup_with (command, 1, &error);
  elapsed = g_get_monotonic_time () - start;

  g_assert_null (password);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "1 second"));
  g_assert_true (g_str_has_suffix (error->message, ": waiting for the smartcard"));
  g_assert_cmpint (elapsed, >=, 1 * G_USEC_PER_SEC);
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
  /* What the command started went with it. */
  for (guint i = 0; i < 100 && !process_ended (f->pid_file); i++)
    g_usleep (20 * 1000);
  g_assert_true (process_ended (f->pid_file));
}

/* A program that left the command's session keeps the output open after
 * the kill: the lookup still ends, shortly after the timeout. */
static void
test_timeout_output_held_open (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *command = g_strdup_printf (
    "setsid sh -c 'echo $$ > \"%s\"; exec sleep 30' & sleep 30", f->pid_file);
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;
  g_autofree char *pid_text = NULL;

  password = lookup_with (command, 1, &error);
  elapsed = g_get_monotonic_time () - start;

  g_assert_null (password);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND_TIMEOUT);
  g_assert_cmpint (elapsed, <, 6 * G_USEC_PER_SEC);

  /* The escaped sleep is this test's to stop. */
  wait_for_pid_file (f->pid_file);
  g_assert_true (g_file_get_contents (f->pid_file, &pid_text, NULL, NULL));
  g_assert_false (process_ended (f->pid_file));
  kill ((pid_t) g_ascii_strtoll (pid_text, NULL, 10), SIGKILL);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr (BuzonCommandCredentials) credentials = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *command = g_strdup_printf ("echo $$ > '%s'; sleep 30; echo too-late",
                                              f->pid_file);
  gint64 start;

  credentials = buzon_command_credentials_new (command);
  start = g_get_monotonic_time ();
  g_timeout_add (200, cancel_cb, cancellable);
  password = lookup (BUZON_CREDENTIALS (credentials), "bob", cancellable, &error);

  g_assert_null (password);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  /* Cancelling stopped the command. */
  wait_for_pid_file (f->pid_file);
  for (guint i = 0; i < 100 && !process_ended (f->pid_file); i++)
    g_usleep (20 * 1000);
  g_assert_true (process_ended (f->pid_file));
  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
test_cancelled_before (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("touch '%s'; echo pw", f->pid_file);
  g_autoptr (BuzonCommandCredentials) credentials = buzon_command_credentials_new (command);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *password = NULL;

  g_cancellable_cancel (cancellable);
  password = lookup (BUZON_CREDENTIALS (credentials), "bob", cancellable, &error);
  g_assert_null (password);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The command never ran. */
  g_assert_false (g_file_test (f->pid_file, G_FILE_TEST_EXISTS));
  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
test_store_and_delete_unsupported (void)
{
  g_autoptr (BuzonCommandCredentials) credentials = buzon_command_credentials_new ("echo pw");
  g_autoptr (GAsyncResult) stored = NULL;
  g_autoptr (GAsyncResult) deleted = NULL;
  g_autoptr (GError) error = NULL;

  buzon_credentials_store_async (BUZON_CREDENTIALS (credentials), "work", "imap",
                                 "mail.example.org", "bob", "new", NULL, got_result_cb, &stored);
  buzon_credentials_delete_async (BUZON_CREDENTIALS (credentials), "work", NULL, got_result_cb,
                                  &deleted);
  g_assert_null (stored);
  while (stored == NULL || deleted == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (buzon_credentials_store_finish (BUZON_CREDENTIALS (credentials), stored,
                                                  &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_false (buzon_credentials_delete_finish (BUZON_CREDENTIALS (credentials), deleted,
                                                   &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_object (&stored);
  g_clear_object (&deleted);
  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
test_properties (void)
{
  g_autoptr (BuzonCommandCredentials) credentials = buzon_command_credentials_new ("pass mail");
  guint timeout = 0;

  g_assert_cmpstr (buzon_command_credentials_get_command (credentials), ==, "pass mail");
  g_assert_cmpuint (buzon_command_credentials_get_timeout (credentials), ==, 30);
  buzon_command_credentials_set_timeout (credentials, 5);
  g_object_get (credentials, "timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 5);
  g_assert_true (BUZON_IS_CREDENTIALS (credentials));
  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
test_secret_free (void)
{
  /* NULL is accepted, as by g_free(); the rest is plain freeing, which the
   * leak checker watches. */
  buzon_credentials_secret_free (NULL);
  buzon_credentials_secret_free (g_strdup ("hunter2"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/credentials-command/first-line", test_first_line);
  g_test_add_func ("/credentials-command/line-ends", test_line_ends);
  g_test_add_func ("/credentials-command/environment", test_environment);
  g_test_add_func ("/credentials-command/failure-quotes-error-output",
                   test_failure_quotes_error_output);
  g_test_add_func ("/credentials-command/failure-without-error-output",
                   test_failure_without_error_output);
  g_test_add_func ("/credentials-command/missing-program", test_missing_program);
  g_test_add_func ("/credentials-command/killed-by-signal", test_killed_by_signal);
  g_test_add_func ("/credentials-command/empty-output", test_empty_output);
  g_test_add ("/credentials-command/timeout", Fixture, NULL, fixture_set_up, test_timeout,
              fixture_tear_down);
  g_test_add ("/credentials-command/timeout-output-held-open", Fixture, NULL, fixture_set_up,
              test_timeout_output_held_open, fixture_tear_down);
  g_test_add ("/credentials-command/cancel", Fixture, NULL, fixture_set_up, test_cancel,
              fixture_tear_down);
  g_test_add ("/credentials-command/cancelled-before", Fixture, NULL, fixture_set_up,
              test_cancelled_before, fixture_tear_down);
  g_test_add_func ("/credentials-command/store-and-delete-unsupported",
                   test_store_and_delete_unsupported);
  g_test_add_func ("/credentials-command/properties", test_properties);
  g_test_add_func ("/credentials-command/secret-free", test_secret_free);

  return g_test_run ();
}
