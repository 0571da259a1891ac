// BuzonImapSession's mailbox management against the fixture Dovecot: CREATE
// (with non-ASCII names, and special use where the server cannot take it),
// RENAME with children, DELETE, SUBSCRIBE, UNSUBSCRIBE, the errors a user
// meets (exists already, no such mailbox), NAMESPACE, and what the quirks
// object makes of the server.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "imap/imap-error.h"
#include "imap-session-helpers.h"

static BuzonTestMailServers *servers;

static gboolean
delete_mailbox (BuzonImapSession *session,
                const char       *mailbox,
                GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_delete_async (session, mailbox, NULL, store_result_cb, &result);
  return buzon_imap_session_delete_finish (session, wait_for (&result), error);
}

static gboolean
rename_mailbox (BuzonImapSession *session,
                const char       *mailbox,
                const char       *new_name,
                GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_rename_async (session, mailbox, new_name, NULL, store_result_cb, &result);
  return buzon_imap_session_rename_finish (session, wait_for (&result), error);
}

static gboolean
subscribe (BuzonImapSession *session,
           const char       *mailbox,
           gboolean          on,
           GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  if (on)
    {
      buzon_imap_session_subscribe_async (session, mailbox, NULL, store_result_cb, &result);
      return buzon_imap_session_subscribe_finish (session, wait_for (&result), error);
    }
  buzon_imap_session_unsubscribe_async (session, mailbox, NULL, store_result_cb, &result);
  return buzon_imap_session_unsubscribe_finish (session, wait_for (&result), error);
}

/* The mailbox called @name (for people) in a fresh LIST, or NULL. */
static BuzonImapMailbox *
listed (BuzonImapSession *session,
        const char       *name)
{
  g_autoptr (GPtrArray) mailboxes = NULL;
  g_autoptr (GError) error = NULL;
  const BuzonImapMailbox *found;
  BuzonImapMailbox *copy;

  mailboxes = list (session, &error);
  g_assert_no_error (error);
  found = find_mailbox (mailboxes, name);
  if (found == NULL)
    return NULL;
  copy = g_new0 (BuzonImapMailbox, 1);
  copy->name = g_strdup (found->name);
  copy->raw_name = g_strdup (found->raw_name);
  copy->flags = found->flags;
  copy->special_use = found->special_use;
  return copy;
}

static void
test_create_rename_delete (void)
{
  g_autoptr (BuzonImapSession) session = logged_in (servers, "alice");
  g_autofree char *raw = buzon_imap_session_encode_mailbox (session, "Año 2026/Facturas €");
  g_autofree char *parent = buzon_imap_session_encode_mailbox (session, "Año 2026");
  g_autofree char *renamed = buzon_imap_session_encode_mailbox (session, "Cuentas ✓");
  g_autofree char *inbox = buzon_imap_session_encode_mailbox (session, "inbox");
  g_autoptr (BuzonImapMailbox) child = NULL;
  g_autoptr (GError) error = NULL;

  /* Dovecot 2.3 has no UTF8=ACCEPT: names go in modified UTF-7. */
  g_assert_cmpstr (raw, ==, "A&APE-o 2026/Facturas &IKw-");
  g_assert_cmpstr (inbox, ==, "INBOX");

  /* Creating a child creates its parent; the names round-trip. */
  g_assert_true (create_mailbox (session, raw, &error));
  g_assert_no_error (error);
  child = listed (session, "Año 2026/Facturas €");
  g_assert_nonnull (child);
  g_assert_cmpstr (child->raw_name, ==, raw);
  g_clear_pointer (&child, buzon_imap_mailbox_free);

  /* Again: it exists, and the error says so. */
  g_assert_false (create_mailbox (session, raw, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_ALREADY_EXISTS);
  g_assert_true (buzon_imap_error_is_refusal (error));
  g_clear_error (&error);

  /* A special use the server cannot set is left out, not an error. */
  {
    g_autoptr (GAsyncResult) result = NULL;

    buzon_imap_session_create_async (session, "Archivo", "\\Archive", NULL, store_result_cb,
                                     &result);
    g_assert_true (buzon_imap_session_create_finish (session, wait_for (&result), &error));
    g_assert_no_error (error);
    g_autoptr (BuzonImapMailbox) archive = listed (session, "Archivo");

    g_assert_nonnull (archive);
  }

  /* Renaming the parent takes the child along. */
  g_assert_true (rename_mailbox (session, parent, renamed, &error));
  g_assert_no_error (error);
  child = listed (session, "Cuentas ✓/Facturas €");
  g_assert_nonnull (child);
  g_clear_pointer (&child, buzon_imap_mailbox_free);
  child = listed (session, "Año 2026/Facturas €");
  g_assert_null (child);

  /* Renaming or deleting what does not exist: a clear error. */
  g_assert_false (rename_mailbox (session, parent, "Otra", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NONEXISTENT);
  g_clear_error (&error);
  g_assert_false (delete_mailbox (session, "No existe", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NONEXISTENT);
  g_clear_error (&error);

  /* A parent with a child is refused (Dovecot), and nothing is lost; the
   * child goes, and its implicit parent with it. */
  {
    g_autofree char *raw_child = buzon_imap_session_encode_mailbox (session,
                                                                    "Cuentas ✓/Facturas €");

    g_assert_false (delete_mailbox (session, renamed, &error));
    g_assert_true (buzon_imap_error_is_refusal (error));
    g_clear_error (&error);
    child = listed (session, "Cuentas ✓/Facturas €");
    g_assert_nonnull (child);
    g_clear_pointer (&child, buzon_imap_mailbox_free);
    g_assert_true (delete_mailbox (session, raw_child, &error));
    g_assert_no_error (error);
    child = listed (session, "Cuentas ✓");
    g_assert_null (child);
  }

  /* Operations on mailboxes need a login. */
  {
    g_autoptr (BuzonImapConnection) connection = connect_to (servers, "alice");
    g_autoptr (BuzonImapSession) fresh = buzon_imap_session_new (connection);

    g_assert_false (create_mailbox (fresh, "Nada", &error));
    g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD);
    g_clear_error (&error);
  }
  logout (session);
  /* Dovecot writes its transcript out when the session ends. */
  {
    g_autofree char *sent = rawlog_sent (servers, "alice");
    g_assert_nonnull (strstr (sent, " CREATE Archivo\r\n"));
  }
}

static void
test_subscribe (void)
{
  g_autoptr (BuzonImapSession) session = logged_in (servers, "alice");
  g_autoptr (BuzonImapMailbox) mailbox = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (create_mailbox (session, "Listas", &error));
  mailbox = listed (session, "Listas");
  g_assert_false (mailbox->flags & BUZON_IMAP_MAILBOX_SUBSCRIBED);
  g_clear_pointer (&mailbox, buzon_imap_mailbox_free);

  g_assert_true (subscribe (session, "Listas", TRUE, &error));
  g_assert_no_error (error);
  mailbox = listed (session, "Listas");
  g_assert_true (mailbox->flags & BUZON_IMAP_MAILBOX_SUBSCRIBED);
  g_clear_pointer (&mailbox, buzon_imap_mailbox_free);

  g_assert_true (subscribe (session, "Listas", FALSE, &error));
  g_assert_no_error (error);
  mailbox = listed (session, "Listas");
  g_assert_false (mailbox->flags & BUZON_IMAP_MAILBOX_SUBSCRIBED);
  logout (session);
}

static BuzonImapNamespaces *
namespaces_of (BuzonImapSession *session)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BuzonImapNamespaces *namespaces;

  buzon_imap_session_namespace_async (session, NULL, store_result_cb, &result);
  namespaces = buzon_imap_session_namespace_finish (session, wait_for (&result), &error);
  g_assert_no_error (error);
  return namespaces;
}

static void
test_namespace (void)
{
  g_autoptr (BuzonImapSession) session = logged_in (servers, "alice");
  g_autoptr (BuzonImapNamespaces) namespaces = namespaces_of (session);
  const BuzonImapNamespace *personal;

  /* The fixture: one personal namespace, "" with "/". */
  g_assert_cmpuint (namespaces->personal->len, ==, 1);
  personal = g_ptr_array_index (namespaces->personal, 0);
  g_assert_cmpstr (personal->prefix, ==, "");
  g_assert_cmpint (personal->delimiter, ==, '/');
  g_assert_cmpuint (namespaces->other_users->len, ==, 0);
  g_assert_cmpuint (namespaces->shared->len, ==, 0);
  logout (session);
}

/* Without NAMESPACE, the delimiter comes from LIST "" "". */
static void
test_namespace_fallback (void)
{
  BuzonTestMailServers *fixture = buzon_test_mail_servers_start ("--rawlog --without NAMESPACE");
  g_autoptr (BuzonImapSession) session = logged_in (fixture, "alice");
  g_autoptr (BuzonImapNamespaces) namespaces = namespaces_of (session);
  const BuzonImapNamespace *personal;
  g_autofree char *sent = NULL;

  g_assert_cmpuint (namespaces->personal->len, ==, 1);
  personal = g_ptr_array_index (namespaces->personal, 0);
  g_assert_cmpstr (personal->prefix, ==, "");
  g_assert_cmpint (personal->delimiter, ==, '/');
  logout (session);
  sent = rawlog_sent (fixture, "alice");
  g_assert_null (strstr (sent, "NAMESPACE"));
  g_assert_nonnull (strstr (sent, " LIST \"\" \"\"\r\n"));
  g_clear_object (&session);
  buzon_test_mail_servers_stop (fixture);
}

/* What the session's quirks object makes of the fixture. */
static void
test_quirks (void)
{
  g_autoptr (BuzonImapSession) session = logged_in (servers, "alice");
  BuzonImapQuirks *quirks = buzon_imap_session_get_quirks (session);

  /* The fixture's greeting hides the name "Dovecot". */
  g_assert_cmpint (buzon_imap_quirks_get_server_kind (quirks), ==, BUZON_IMAP_SERVER_UNKNOWN);
  g_assert_true (buzon_imap_quirks_get_can_idle (quirks));
  g_assert_true (buzon_imap_quirks_get_appenduid_reliable (quirks));
  g_assert_false (buzon_imap_quirks_get_saves_sent (quirks));
  g_assert_cmpuint (buzon_imap_quirks_get_max_connections (quirks), >=, 2);
  logout (session);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  servers = buzon_test_mail_servers_start ("--rawlog");

  g_test_add_func ("/imap-session/create-rename-delete", test_create_rename_delete);
  g_test_add_func ("/imap-session/subscribe", test_subscribe);
  g_test_add_func ("/imap-session/namespace", test_namespace);
  g_test_add_func ("/imap-session/namespace-fallback", test_namespace_fallback);
  g_test_add_func ("/imap-session/quirks", test_quirks);

  status = g_test_run ();
  buzon_test_mail_servers_stop (servers);
  return status;
}
