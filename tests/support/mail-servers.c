// Starts tests/support/mail-servers for the calling test program.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The servers live in a fresh temporary folder. The script's watchdog stops
// them and removes the folder if this process dies without calling
// buzon_test_mail_servers_stop(), even when it is killed.

#include "mail-servers.h"

#include <glib/gstdio.h>
#include <unistd.h>

struct _BuzonTestMailServers
{
  char *dir;
  GHashTable *env;
  GTlsDatabase *ca;
};

static const char *
script_path (void)
{
  const char *support = g_getenv ("BUZON_TEST_SUPPORT");

  if (support == NULL)
    g_error ("BUZON_TEST_SUPPORT is not set; run the tests through meson");
  return support;
}

/**
 * buzon_test_mail_servers_start:
 * @extra_args: (nullable): more options for `mail-servers start`, such as
 *   "--no-qresync", split on spaces
 *
 * Starts the servers and waits until every one has greeted. Aborts the test
 * program with the script's output if they cannot start.
 */
BuzonTestMailServers *
buzon_test_mail_servers_start (const char *extra_args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto (GStrv) lines = NULL;
  BuzonTestMailServers *self;
  int status;

  self = g_new0 (BuzonTestMailServers, 1);
  self->dir = g_dir_make_tmp ("buzon-servers-XXXXXX", &error);
  g_assert_no_error (error);
  self->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_ptr_array_add (argv, g_strdup ("python3"));
  g_ptr_array_add (argv, g_build_filename (script_path (), "mail-servers", NULL));
  g_ptr_array_add (argv, g_strdup ("start"));
  g_ptr_array_add (argv, g_strdup (self->dir));
  g_ptr_array_add (argv, g_strdup ("--owner-pid"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", (int) getpid ()));
  if (extra_args != NULL)
    {
      g_auto (GStrv) extra = g_strsplit (extra_args, " ", -1);
      for (guint i = 0; extra[i] != NULL; i++)
        if (*extra[i] != '\0')
          g_ptr_array_add (argv, g_strdup (extra[i]));
    }
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      /* The script stopped whatever it had started; remove its folder too. */
      g_autofree char *script = g_build_filename (script_path (), "mail-servers", NULL);
      const char *stop_argv[] = { "python3", script, "stop", self->dir, "--remove", NULL };

      g_spawn_sync (NULL, (char **) stop_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                    NULL, NULL);
      g_error ("mail-servers did not start:\n%s%s", out, err);
    }

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');
      if (eq != NULL)
        g_hash_table_insert (self->env, g_strndup (lines[i], eq - lines[i]), g_strdup (eq + 1));
    }

  self->ca = g_tls_file_database_new (buzon_test_mail_servers_get (self, "CA_FILE"), &error);
  g_assert_no_error (error);
  return self;
}

void
buzon_test_mail_servers_stop (BuzonTestMailServers *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *script = NULL;
  int status;

  if (self == NULL)
    return;

  script = g_build_filename (script_path (), "mail-servers", NULL);
  {
    const char *argv[] = { "python3", script, "stop", self->dir, "--remove", NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_false (g_file_test (self->dir, G_FILE_TEST_EXISTS));

  g_clear_object (&self->ca);
  g_hash_table_unref (self->env);
  g_free (self->dir);
  g_free (self);
}

/**
 * buzon_test_mail_servers_run:
 * @command: "stop-imap" or "start-imap"
 *
 * Runs `mail-servers COMMAND DIR` and waits for it: Dovecot goes down
 * (the IMAP ports refuse connections) or comes back on the same ports.
 */
void
buzon_test_mail_servers_run (BuzonTestMailServers *self,
                             const char           *command)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *script = g_build_filename (script_path (), "mail-servers", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "python3", script, command, self->dir, NULL };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("mail-servers %s failed:\n%s%s", command, out, err);
}

/* @key is the variable's name without the BUZON_TEST_ prefix, e.g. "IMAPS_PORT". */
const char *
buzon_test_mail_servers_get (BuzonTestMailServers *self,
                             const char           *key)
{
  g_autofree char *full = g_strconcat ("BUZON_TEST_", key, NULL);
  const char *value = g_hash_table_lookup (self->env, full);

  if (value == NULL)
    g_error ("mail-servers did not report %s", full);
  return value;
}

guint16
buzon_test_mail_servers_get_port (BuzonTestMailServers *self,
                                  const char           *key)
{
  guint64 port = 0;

  g_assert_true (g_ascii_string_to_unsigned (buzon_test_mail_servers_get (self, key), 10, 1,
                                             G_MAXUINT16, &port, NULL));
  return (guint16) port;
}

char *
buzon_test_mail_servers_password (BuzonTestMailServers *self,
                                  const char           *user)
{
  return g_strconcat (user, buzon_test_mail_servers_get (self, "PASSWORD_SUFFIX"), NULL);
}

/* The throwaway CA that signed the servers' certificate. */
GTlsDatabase *
buzon_test_mail_servers_get_ca (BuzonTestMailServers *self)
{
  return self->ca;
}
