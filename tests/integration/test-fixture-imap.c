// The fixture Dovecot: IMAPS and STARTTLS logins, its capabilities, its
// special-use folders, refusals, and clean-up when its owner is killed.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>

#include "line-client.h"
#include "mail-servers.h"

static BuzonTestMailServers *servers;

static BuzonTestLineClient *
connect_imap (const char *host,
              gboolean    use_tls,
              GError    **error)
{
  const char *port_key = use_tls ? "IMAPS_PORT" : "IMAP_PORT";
  guint16 port = buzon_test_mail_servers_get_port (servers, port_key);
  g_autoptr (BuzonTestLineClient) client = NULL;
  g_autofree char *greeting = NULL;

  client = buzon_test_line_client_connect (host, port, use_tls,
                                           buzon_test_mail_servers_get_ca (servers), error);
  if (client == NULL)
    return NULL;
  greeting = buzon_test_line_client_read_line (client, error);
  if (greeting == NULL)
    return NULL;
  g_assert_true (g_str_has_prefix (greeting, "* OK"));
  return g_steal_pointer (&client);
}

static void
assert_login (BuzonTestLineClient *client,
              const char          *user)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *password = buzon_test_mail_servers_password (servers, user);
  g_autofree char *command = g_strdup_printf ("LOGIN %s %s", user, password);
  g_autofree char *reply = buzon_test_line_client_imap (client, command, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "OK"));
}

static char *
capabilities (BuzonTestLineClient *client)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) untagged = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *reply = buzon_test_line_client_imap (client, "CAPABILITY", untagged, &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "OK"));
  for (guint i = 0; i < untagged->len; i++)
    if (g_str_has_prefix (untagged->pdata[i], "CAPABILITY "))
      return g_strconcat (" ", (char *) untagged->pdata[i] + strlen ("CAPABILITY "), " ", NULL);
  g_assert_not_reached ();
}

static void
assert_has_capability (const char *caps,
                       const char *name)
{
  g_autofree char *needle = g_strconcat (" ", name, " ", NULL);

  if (strstr (caps, needle) == NULL)
    g_error ("capability %s missing from:%s", name, caps);
}

static void
logout (BuzonTestLineClient *client)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) untagged = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *reply = buzon_test_line_client_imap (client, "LOGOUT", untagged, &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "OK"));
  g_assert_cmpuint (untagged->len, >=, 1);
  g_assert_true (g_str_has_prefix (untagged->pdata[0], "BYE"));
}

static void
test_imaps_login (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestLineClient) client = connect_imap ("127.0.0.1", TRUE, &error);
  g_autoptr (GPtrArray) untagged = g_ptr_array_new_with_free_func (g_free);
  const char *wanted[] = { "IMAP4rev1", "CONDSTORE", "QRESYNC", "IDLE", "SPECIAL-USE", "MOVE",
                           "UIDPLUS", "COMPRESS=DEFLATE", "ENABLE", "LIST-STATUS", "ESEARCH" };
  const char *folders[] = { "\\Drafts) \"/\" Drafts", "\\Sent) \"/\" Sent",
                            "\\Trash) \"/\" Trash", "\\Junk) \"/\" Junk",
                            "\\Archive) \"/\" Archive" };
  g_autofree char *caps = NULL;
  g_autofree char *reply = NULL;

  g_assert_no_error (error);
  assert_login (client, "alice");
  caps = capabilities (client);
  for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
    assert_has_capability (caps, wanted[i]);

  reply = buzon_test_line_client_imap (client, "LIST \"\" \"*\" RETURN (SPECIAL-USE)", untagged,
                                       &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "OK"));
  for (guint f = 0; f < G_N_ELEMENTS (folders); f++)
    {
      gboolean found = FALSE;
      for (guint i = 0; i < untagged->len && !found; i++)
        found = g_str_has_prefix (untagged->pdata[i], "LIST ")
                && strstr (untagged->pdata[i], folders[f]) != NULL;
      if (!found)
        g_error ("special-use folder “%s” not listed", folders[f]);
    }
  logout (client);
}

static void
test_starttls_login (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestLineClient) client = connect_imap ("127.0.0.1", FALSE, &error);
  g_autofree char *before = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *after = NULL;

  g_assert_no_error (error);
  before = capabilities (client);
  assert_has_capability (before, "STARTTLS");
  reply = buzon_test_line_client_imap (client, "STARTTLS", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "OK"));
  buzon_test_line_client_starttls (client, buzon_test_mail_servers_get_ca (servers), &error);
  g_assert_no_error (error);

  /* After TLS the server no longer offers STARTTLS. */
  after = capabilities (client);
  g_assert_null (strstr (after, " STARTTLS "));
  assert_login (client, "bob");
  logout (client);
}

static void
test_every_user_logs_in (void)
{
  g_auto (GStrv) users = g_strsplit (buzon_test_mail_servers_get (servers, "USERS"), ",", -1);

  g_assert_cmpuint (g_strv_length (users), >=, 3);
  for (guint i = 0; users[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonTestLineClient) client = connect_imap ("127.0.0.1", TRUE, &error);

      g_assert_no_error (error);
      assert_login (client, users[i]);
      logout (client);
    }
}

static void
test_untrusted_certificate_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestLineClient) client = NULL;

  /* Without the throwaway CA the system store cannot vouch for the server. */
  client = buzon_test_line_client_connect (
    "127.0.0.1", buzon_test_mail_servers_get_port (servers, "IMAPS_PORT"), TRUE, NULL, &error);
  g_assert_null (client);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

static void
test_wrong_password (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestLineClient) client = connect_imap ("127.0.0.1", TRUE, &error);
  g_autofree char *reply = NULL;

  g_assert_no_error (error);
  reply = buzon_test_line_client_imap (client, "LOGIN alice not-her-password", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "NO [AUTHENTICATIONFAILED]"));
}

static void
test_plaintext_refused_off_loopback (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestLineClient) client = NULL;
  g_autofree char *caps = NULL;
  g_autofree char *password = buzon_test_mail_servers_password (servers, "alice");
  g_autofree char *command = g_strdup_printf ("LOGIN alice %s", password);
  g_autofree char *reply = NULL;

  /* Dovecot trusts a client on its own address; from 127.0.0.1 to 127.0.0.2
   * it behaves as it would towards the network. */
  client = connect_imap (buzon_test_mail_servers_get (servers, "INSECURE_HOST"), FALSE, &error);
  g_assert_no_error (error);
  caps = capabilities (client);
  assert_has_capability (caps, "LOGINDISABLED");
  reply = buzon_test_line_client_imap (client, command, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "NO [PRIVACYREQUIRED]"));
}

static void
test_fallback_servers (void)
{
  const struct
  {
    const char *option;
    const char *absent[2];
    const char *present;
  } cases[] = {
    { "--no-qresync", { " QRESYNC ", NULL }, "CONDSTORE" },
    { "--no-condstore", { " QRESYNC ", " CONDSTORE " }, "IDLE" },
  };

  /* Servers without the fast-resync extensions, for the sync fallbacks. */
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      BuzonTestMailServers *saved = servers;
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonTestLineClient) client = NULL;
      g_autofree char *caps = NULL;

      servers = buzon_test_mail_servers_start (cases[c].option);
      client = connect_imap ("127.0.0.1", TRUE, &error);
      g_assert_no_error (error);
      assert_login (client, "alice");
      caps = capabilities (client);
      for (guint i = 0; i < G_N_ELEMENTS (cases[c].absent) && cases[c].absent[i] != NULL; i++)
        g_assert_null (strstr (caps, cases[c].absent[i]));
      assert_has_capability (caps, cases[c].present);
      logout (client);
      g_clear_pointer (&client, buzon_test_line_client_free);
      buzon_test_mail_servers_stop (servers);
      servers = saved;
    }
}

static gboolean
process_mentions (const char *text)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *entry;

  while ((entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", entry, "cmdline", NULL);
      g_autofree char *cmdline = NULL;
      gsize length = 0;

      if (!g_ascii_isdigit (entry[0]) || !g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_killed_owner_cleans_up (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("buzon-orphan-XXXXXX", &error);
  g_autofree char *script = g_build_filename (g_getenv ("BUZON_TEST_SUPPORT"), "mail-servers",
                                              NULL);
  g_autofree char *owner_pid = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *exim_conf = NULL;
  GPid owner;
  int status;
  gint64 deadline;

  g_assert_no_error (error);

  /* A stand-in for a test program that dies by SIGKILL mid-run. */
  {
    const char *argv[] = { "sleep", "600", NULL };
    g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                   NULL, NULL, &owner, &error);
    g_assert_no_error (error);
  }
  owner_pid = g_strdup_printf ("%d", owner);
  {
    const char *argv[] = { "python3", script, "start", dir, "--owner-pid", owner_pid, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  /* Dovecot's master and exim's daemon name their configuration files. */
  conf = g_build_filename (dir, "dovecot.conf", NULL);
  exim_conf = g_build_filename (dir, "exim", "exim.conf", NULL);
  g_assert_true (process_mentions (conf));
  g_assert_true (process_mentions (exim_conf));

  kill (owner, SIGKILL);
  waitpid (owner, NULL, 0);
  g_spawn_close_pid (owner);

  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while ((g_file_test (dir, G_FILE_TEST_EXISTS) || process_mentions (conf)
          || process_mentions (exim_conf))
         && g_get_monotonic_time () < deadline)
    g_usleep (100 * 1000);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_false (process_mentions (conf));
  g_assert_false (process_mentions (exim_conf));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  servers = buzon_test_mail_servers_start (NULL);

  g_test_add_func ("/fixture/imap/imaps-login", test_imaps_login);
  g_test_add_func ("/fixture/imap/starttls-login", test_starttls_login);
  g_test_add_func ("/fixture/imap/every-user-logs-in", test_every_user_logs_in);
  g_test_add_func ("/fixture/imap/untrusted-certificate-refused",
                   test_untrusted_certificate_refused);
  g_test_add_func ("/fixture/imap/wrong-password", test_wrong_password);
  g_test_add_func ("/fixture/imap/plaintext-refused-off-loopback",
                   test_plaintext_refused_off_loopback);
  g_test_add_func ("/fixture/imap/fallback-servers", test_fallback_servers);
  g_test_add_func ("/fixture/killed-owner-cleans-up", test_killed_owner_cleans_up);

  status = g_test_run ();
  buzon_test_mail_servers_stop (servers);
  return status;
}
