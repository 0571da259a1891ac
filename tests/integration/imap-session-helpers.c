// Helpers shared by the integration tests of BuzonImapSession.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "imap-session-helpers.h"

GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;
  *slot = g_object_ref (result);
}

/* Drops the last reference to @object and checks that it goes: pending I/O
 * callbacks may hold it for a few more main loop iterations. */
void
assert_finalized (gpointer object)
{
  gpointer weak = object;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (object), &weak);
  g_object_unref (object);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  if (weak != NULL)
    g_error ("%s was not finalized", G_OBJECT_TYPE_NAME (weak));
}

BuzonImapConnection *
connect_to (BuzonTestMailServers *fixture,
            const char           *user)
{
  /* BUZON_TEST_STARTTLS=1 runs the same test over STARTTLS (meson runs
   * the session tests both ways). */
  gboolean starttls = g_strcmp0 (g_getenv ("BUZON_TEST_STARTTLS"), "1") == 0;
  g_autofree char *url_text = g_strdup_printf ("%s://%s@127.0.0.1:%u",
                                               starttls ? "imap" : "imaps", user,
                                               buzon_test_mail_servers_get_port (
                                                 fixture, starttls ? "IMAP_PORT" : "IMAPS_PORT"));
  g_autoptr (BuzonServerUrl) url = buzon_server_url_parse (url_text, NULL);
  g_autofree char *pinned = g_strconcat ("sha256:",
                                         buzon_test_mail_servers_get (fixture, "CERT_SHA256"),
                                         NULL);
  const char *trusted[] = { pinned, NULL };
  g_autoptr (BuzonImapConnection) connection = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  connection = buzon_imap_connection_new (url, trusted);
  buzon_imap_connection_open_async (connection, NULL, store_result_cb, &result);
  g_assert_true (buzon_imap_connection_open_finish (connection, wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_true (buzon_imap_connection_get_is_secure (connection));
  return g_steal_pointer (&connection);
}

/* A plain connection, logged in, standing for another client. */
BuzonImapConnection *
other_client (BuzonTestMailServers *fixture,
              const char           *user)
{
  g_autoptr (BuzonImapConnection) connection = connect_to (fixture, user);
  g_autofree char *password = buzon_test_mail_servers_password (fixture, user);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_imap_connection_login_async (connection, user, password, NULL, store_result_cb, &result);
  g_assert_true (buzon_imap_connection_login_finish (connection, wait_for (&result), &error));
  g_assert_no_error (error);
  return g_steal_pointer (&connection);
}

/* Sends @text (program syntax) as a command and checks that it succeeds. */
void
run_raw (BuzonImapConnection *connection,
         const char          *name,
         const char          *text)
{
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new (name);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (GError) error = NULL;

  if (text != NULL)
    buzon_imap_command_add_raw (command, text);
  buzon_imap_connection_command_async (connection, command, NULL, NULL, NULL, store_result_cb,
                                       &result);
  response = buzon_imap_connection_command_finish (connection, wait_for (&result), &error);
  g_assert_no_error (error);
}

void
run_with_mailbox (BuzonImapConnection *connection,
                  const char          *name,
                  const char          *utf8_mailbox)
{
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new (name);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (GError) error = NULL;

  buzon_imap_command_add_mailbox (command, utf8_mailbox);
  buzon_imap_connection_command_async (connection, command, NULL, NULL, NULL, store_result_cb,
                                       &result);
  response = buzon_imap_connection_command_finish (connection, wait_for (&result), &error);
  g_assert_no_error (error);
}

void
append_to (BuzonImapConnection *connection,
           const char          *mailbox,
           const char          *subject)
{
  g_autoptr (BuzonImapCommand) append = buzon_imap_command_new ("APPEND");
  g_autofree char *message = g_strdup_printf ("From: alice@example.test\r\nSubject: %s\r\n"
                                              "Message-ID: <%s@example.test>\r\n\r\nHola\r\n",
                                              subject, subject);
  g_autoptr (GBytes) bytes = g_bytes_new (message, strlen (message));
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (GError) error = NULL;

  buzon_imap_command_add_mailbox (append, mailbox);
  buzon_imap_command_add_literal (append, bytes, FALSE);
  buzon_imap_connection_command_async (connection, append, NULL, NULL, NULL, store_result_cb,
                                       &result);
  response = buzon_imap_connection_command_finish (connection, wait_for (&result), &error);
  g_assert_no_error (error);
}

gboolean
login (BuzonImapSession *session,
       const char       *user,
       const char       *password,
       GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_login_async (session, user, password, NULL, store_result_cb, &result);
  return buzon_imap_session_login_finish (session, wait_for (&result), error);
}

BuzonImapSession *
logged_in (BuzonTestMailServers *fixture,
           const char           *user)
{
  g_autoptr (BuzonImapConnection) connection = connect_to (fixture, user);
  g_autoptr (BuzonImapSession) session = buzon_imap_session_new (connection);
  g_autofree char *password = buzon_test_mail_servers_password (fixture, user);
  g_autoptr (GError) error = NULL;

  g_assert_true (login (session, user, password, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&session);
}

GPtrArray *
list (BuzonImapSession *session,
      GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_list_async (session, NULL, store_result_cb, &result);
  return buzon_imap_session_list_finish (session, wait_for (&result), error);
}


void
changes_init (Changes *changes)
{
  changes->fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_fetch_free);
  changes->vanished = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
  changes->vanished_calls = 0;
  changes->done = NULL;
  changes->early = 0;
}

void
changes_clear (Changes *changes)
{
  g_clear_pointer (&changes->fetches, g_ptr_array_unref);
  g_clear_pointer (&changes->vanished, g_array_unref);
}

void
on_fetch (BuzonImapFetch *fetch,
          gpointer        user_data)
{
  Changes *changes = user_data;

  if (changes->done != NULL && *changes->done == NULL)
    changes->early++;
  g_ptr_array_add (changes->fetches, fetch);
}

void
on_vanished (const GArray *uids,
             gpointer      user_data)
{
  Changes *changes = user_data;

  changes->vanished_calls++;
  g_array_append_vals (changes->vanished, uids->data, uids->len);
}

BuzonImapSelected *
select_mailbox (BuzonImapSession       *session,
                const char             *mailbox,
                BuzonImapSelectFlags    flags,
                const BuzonImapQresync *qresync,
                Changes                *changes,
                GError                **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_select_async (session, mailbox, flags, qresync,
                                   changes != NULL ? on_fetch : NULL,
                                   changes != NULL ? on_vanished : NULL, changes, NULL,
                                   store_result_cb, &result);
  return buzon_imap_session_select_finish (session, wait_for (&result), error);
}

gboolean
unselect (BuzonImapSession *session,
          GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_unselect_async (session, NULL, store_result_cb, &result);
  return buzon_imap_session_unselect_finish (session, wait_for (&result), error);
}

gboolean
noop (BuzonImapSession *session,
      GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_noop_async (session, NULL, store_result_cb, &result);
  return buzon_imap_session_noop_finish (session, wait_for (&result), error);
}

void
logout (BuzonImapSession *session)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_imap_session_logout_async (session, NULL, store_result_cb, &result);
  g_assert_true (buzon_imap_session_logout_finish (session, wait_for (&result), &error));
  g_assert_no_error (error);
}

gboolean
has_flag (const BuzonImapFetch *fetch,
          const char           *flag)
{
  return fetch->flags != NULL && g_strv_contains ((const char * const *) fetch->flags, flag);
}

const BuzonImapMailbox *
find_mailbox (GPtrArray  *mailboxes,
              const char *name)
{
  for (guint i = 0; i < mailboxes->len; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (mailboxes, i);
      if (g_str_equal (mailbox->name, name))
        return mailbox;
    }
  return NULL;
}


gboolean
create_mailbox (BuzonImapSession *session,
                const char       *mailbox,
                GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_create_async (session, mailbox, NULL, NULL, store_result_cb, &result);
  return buzon_imap_session_create_finish (session, wait_for (&result), error);
}

/* APPENDs a small message with @subject; returns its UID (0 when the server
 * did not say) or 0 with @error. */
guint32
append_message (BuzonImapSession   *session,
                const char         *mailbox,
                const char         *subject,
                const char * const *flags,
                GError            **error)
{
  g_autofree char *text = g_strdup_printf ("From: Ana <ana@example.test>\r\n"
                                           "To: alice@example.test\r\n"
                                           "Subject: %s\r\nMessage-ID: <%s@example.test>\r\n"
                                           "\r\nHola, %s.\r\n",
                                           subject, subject, subject);
  g_autoptr (GBytes) message = g_bytes_new (text, strlen (text));
  g_autoptr (GAsyncResult) result = NULL;
  guint32 uid = 0;

  buzon_imap_session_append_async (session, mailbox, message, flags, NULL, NULL, store_result_cb,
                                   &result);
  if (!buzon_imap_session_append_finish (session, wait_for (&result), NULL, &uid, error))
    return 0;
  return uid;
}

/* UID FETCH @uid_set @items into @changes->fetches. */
gboolean
fetch_into (BuzonImapSession *session,
            const char       *uid_set,
            const char       *items,
            Changes          *changes,
            GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_fetch_async (session, uid_set, items, on_fetch, changes, NULL,
                                  store_result_cb, &result);
  return buzon_imap_session_fetch_finish (session, wait_for (&result), NULL, error);
}

static char *
read_rawlog (BuzonTestMailServers *fixture,
             const char           *user)
{
  g_autofree char *dir = g_build_filename (buzon_test_mail_servers_get (fixture, "DIR"), "mail",
                                           user, "rawlog", NULL);
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  g_autoptr (GString) sent = g_string_new (NULL);
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, ".in"))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_autofree char *contents = NULL;

        if (g_file_get_contents (path, &contents, NULL, NULL))
          g_string_append (sent, contents);
      }
  return g_string_free (g_steal_pointer (&sent), FALSE);
}

/* Everything the clients of @user sent Dovecot after login, from the
 * fixture's --rawlog transcripts, once Dovecot has stopped adding to them
 * (it writes from its own process, a moment after answering). */
char *
rawlog_sent (BuzonTestMailServers *fixture,
             const char           *user)
{
  char *last = read_rawlog (fixture, user);

  for (int i = 0; i < 50; i++)
    {
      g_autofree char *now = NULL;

      g_usleep (50 * 1000);
      now = read_rawlog (fixture, user);
      if (g_str_equal (now, last))
        break;
      g_free (last);
      last = g_steal_pointer (&now);
    }
  return last;
}
