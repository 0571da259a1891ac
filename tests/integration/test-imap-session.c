// BuzonImapSession against the fixture Dovecot: login and what it enables,
// LIST with special uses and LIST-STATUS, non-ASCII names, SELECT with and
// without QRESYNC, streamed FETCH, CHANGEDSINCE, the state machine, the
// signals for changes made by another client, LOGOUT; and the CONDSTORE
// fallbacks against a Dovecot that does not offer QRESYNC.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "imap/imap-command.h"
#include "imap/imap-connection.h"
#include "imap/imap-error.h"
#include "imap/imap-parser.h"
#include "imap/imap-session.h"
#include "imap/imap-uid-set.h"
#include "imap-session-helpers.h"
#include "mail-servers.h"

static BuzonTestMailServers *servers;

/* Login. */

static void
state_notified_cb (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  GArray *states = user_data;
  BuzonImapSessionState state = buzon_imap_session_get_state (BUZON_IMAP_SESSION (object));

  g_array_append_val (states, state);
}

static void
test_login (void)
{
  BuzonImapConnection *connection = connect_to (servers, "alice");
  BuzonImapSession *session = buzon_imap_session_new (connection);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "alice");
  g_autoptr (GArray) states = g_array_new (FALSE, FALSE, sizeof (BuzonImapSessionState));
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (buzon_imap_session_get_state (session), ==,
                   BUZON_IMAP_SESSION_NOT_AUTHENTICATED);
  g_signal_connect (session, "notify::state", G_CALLBACK (state_notified_cb), states);

  /* A wrong password leaves the session where it was, ready to retry. */
  g_assert_false (login (session, "alice", "not-her-password", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==,
                   BUZON_IMAP_SESSION_NOT_AUTHENTICATED);
  g_assert_cmpuint (states->len, ==, 0);

  g_assert_true (login (session, "alice", password, &error));
  g_assert_no_error (error);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_AUTHENTICATED);
  g_assert_cmpuint (states->len, ==, 1);
  g_assert_cmpint (g_array_index (states, BuzonImapSessionState, 0), ==,
                   BUZON_IMAP_SESSION_AUTHENTICATED);

  /* What the server offers is enabled; QRESYNC brings CONDSTORE. */
  g_assert_true (buzon_imap_connection_is_enabled (connection, "QRESYNC"));
  g_assert_true (buzon_imap_connection_is_enabled (connection, "CONDSTORE"));
  g_assert_true (buzon_imap_session_get_qresync (session));
  g_assert_true (buzon_imap_session_get_condstore (session));
  g_assert_false (buzon_imap_session_get_utf8 (session)); /* Dovecot 2.3 has no UTF8=ACCEPT. */
  g_assert_true (buzon_imap_connection_get_is_compressed (connection));
  /* And the session works over the compressed stream. */
  g_assert_true (noop (session, &error));
  g_assert_no_error (error);

  logout (session);
  g_assert_cmpint (g_array_index (states, BuzonImapSessionState, states->len - 1), ==,
                   BUZON_IMAP_SESSION_LOGOUT);
  assert_finalized (session);
  assert_finalized (connection);
}

static void
test_login_without_compression (void)
{
  BuzonImapConnection *connection = connect_to (servers, "alice");
  BuzonImapSession *session = g_object_new (BUZON_TYPE_IMAP_SESSION, "connection", connection,
                                            "compress", FALSE, NULL);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "alice");
  g_autoptr (GError) error = NULL;

  g_assert_true (login (session, "alice", password, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_imap_connection_get_is_compressed (connection));
  g_assert_true (buzon_imap_session_get_qresync (session));
  logout (session);
  assert_finalized (session);
  assert_finalized (connection);
}

/* The state machine. */

static void
assert_refused (GAsyncResult **slot,
                gboolean (*finish) (BuzonImapSession *, GAsyncResult *, GError **),
                BuzonImapSession *session,
                GQuark            domain,
                int               code)
{
  g_autoptr (GError) error = NULL;

  /* Refused at once: the result is there without waiting for the server. */
  for (guint i = 0; i < 5 && *slot == NULL; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (*slot);
  g_assert_false (finish (session, *slot, &error));
  g_assert_error (error, domain, code);
  g_clear_object (slot);
}

static gboolean
fetch_finish (BuzonImapSession *session,
              GAsyncResult     *result,
              GError          **error)
{
  return buzon_imap_session_fetch_finish (session, result, NULL, error);
}

static gboolean
select_finish (BuzonImapSession *session,
               GAsyncResult     *result,
               GError          **error)
{
  g_autoptr (BuzonImapSelected) selected = buzon_imap_session_select_finish (session, result,
                                                                             error);
  return selected != NULL;
}

static gboolean
list_finish (BuzonImapSession *session,
             GAsyncResult     *result,
             GError          **error)
{
  g_autoptr (GPtrArray) mailboxes = buzon_imap_session_list_finish (session, result, error);
  return mailboxes != NULL;
}

static gboolean
status_finish (BuzonImapSession *session,
               GAsyncResult     *result,
               GError          **error)
{
  g_autoptr (BuzonImapMailboxStatus) status = buzon_imap_session_status_finish (session, result,
                                                                                error);
  return status != NULL;
}

static void
test_wrong_state (void)
{
  BuzonImapConnection *connection = connect_to (servers, "bob");
  BuzonImapSession *session = buzon_imap_session_new (connection);
  g_autofree char *password = buzon_test_mail_servers_password (servers, "bob");
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;

  /* Not logged in: only login, NOOP and LOGOUT. */
  buzon_imap_session_list_async (session, NULL, store_result_cb, &result);
  assert_refused (&result, list_finish, session, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD);
  buzon_imap_session_status_async (session, "INBOX", NULL, store_result_cb, &result);
  assert_refused (&result, status_finish, session, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD);
  buzon_imap_session_select_async (session, "INBOX", BUZON_IMAP_SELECT_NONE, NULL, NULL, NULL,
                                   NULL, NULL, store_result_cb, &result);
  assert_refused (&result, select_finish, session, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD);
  buzon_imap_session_fetch_async (session, "1:*", "(UID)", NULL, NULL, NULL, store_result_cb,
                                  &result);
  assert_refused (&result, fetch_finish, session, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD);
  g_assert_true (noop (session, &error));
  g_assert_no_error (error);

  /* Logged in, nothing selected: no FETCH, no UNSELECT, no second login. */
  g_assert_true (login (session, "bob", password, &error));
  g_assert_no_error (error);
  buzon_imap_session_fetch_async (session, "1:*", "(UID)", NULL, NULL, NULL, store_result_cb,
                                  &result);
  assert_refused (&result, fetch_finish, session, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD);
  buzon_imap_session_fetch_changed_since_async (session, "1:*", "(UID)", 1, NULL, NULL, NULL,
                                                NULL, store_result_cb, &result);
  assert_refused (&result, fetch_finish, session, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD);
  buzon_imap_session_unselect_async (session, NULL, store_result_cb, &result);
  assert_refused (&result, buzon_imap_session_unselect_finish, session, BUZON_IMAP_ERROR,
                  BUZON_IMAP_ERROR_BAD);
  buzon_imap_session_login_async (session, "bob", password, NULL, store_result_cb, &result);
  assert_refused (&result, buzon_imap_session_login_finish, session, BUZON_IMAP_ERROR,
                  BUZON_IMAP_ERROR_BAD);

  /* Selected: a bad set of UIDs never reaches the server. */
  {
    g_autoptr (BuzonImapSelected) selected = select_mailbox (session, "INBOX",
                                                             BUZON_IMAP_SELECT_NONE, NULL, NULL,
                                                             &error);
    g_assert_no_error (error);
    buzon_imap_session_fetch_async (session, "1:*) (FLAGS", "(UID)", NULL, NULL, NULL,
                                    store_result_cb, &result);
    assert_refused (&result, fetch_finish, session, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }

  /* A mailbox that does not exist: refused by the server, and then nothing
   * is selected (RFC 3501 §6.3.1). */
  {
    g_autoptr (BuzonImapSelected) selected = select_mailbox (session, "No such mailbox",
                                                             BUZON_IMAP_SELECT_NONE, NULL, NULL,
                                                             &error);
    g_assert_null (selected);
    g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO);
    g_clear_error (&error);
    g_assert_cmpint (buzon_imap_session_get_state (session), ==,
                     BUZON_IMAP_SESSION_AUTHENTICATED);
    g_assert_null (buzon_imap_session_get_selected_mailbox (session));
  }

  /* Logged out: everything fails as not connected; LOGOUT again is fine. */
  logout (session);
  buzon_imap_session_noop_async (session, NULL, store_result_cb, &result);
  assert_refused (&result, buzon_imap_session_noop_finish, session, G_IO_ERROR,
                  G_IO_ERROR_NOT_CONNECTED);
  buzon_imap_session_list_async (session, NULL, store_result_cb, &result);
  assert_refused (&result, list_finish, session, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  logout (session);
  assert_finalized (session);
  assert_finalized (connection);
}

/* A command for the selected state may follow a SELECT still in flight:
 * the server runs it in that mailbox, or refuses it when the SELECT fails. */
static void
test_pipelined_after_select (void)
{
  BuzonImapSession *session = logged_in (servers, "carol");
  g_autoptr (BuzonImapConnection) other = other_client (servers, "carol");
  GAsyncResult *selected_result = NULL;
  GAsyncResult *searched_result = NULL;
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;

  run_with_mailbox (other, "CREATE", "Pipelined");
  append_to (other, "Pipelined", "pipelined-1");
  append_to (other, "Pipelined", "pipelined-2");
  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_AUTHENTICATED);

  /* Both sent at once, from the authenticated state. */
  buzon_imap_session_select_async (session, "Pipelined", BUZON_IMAP_SELECT_NONE, NULL, NULL, NULL,
                                   NULL, NULL, store_result_cb, &selected_result);
  buzon_imap_session_search_async (session, "ALL", NULL, BUZON_IMAP_SEARCH_NONE, NULL,
                                   store_result_cb, &searched_result);
  {
    g_autoptr (BuzonImapSelected) selected
      = buzon_imap_session_select_finish (session, wait_for (&selected_result), &error);
    g_autoptr (GArray) uids = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (selected->exists, ==, 2);
    uids = buzon_imap_session_search_finish (session, wait_for (&searched_result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (buzon_imap_uid_set_count (uids), ==, 2);
    g_clear_object (&selected_result);
    g_clear_object (&searched_result);
  }
  g_assert_true (unselect (session, &error));
  g_assert_no_error (error);

  /* The SELECT refused: the search behind it is refused by the server, and
   * nothing is selected after. */
  buzon_imap_session_select_async (session, "No such mailbox", BUZON_IMAP_SELECT_NONE, NULL,
                                   NULL, NULL, NULL, NULL, store_result_cb, &selected_result);
  buzon_imap_session_search_async (session, "ALL", NULL, BUZON_IMAP_SEARCH_NONE, NULL,
                                   store_result_cb, &searched_result);
  g_assert_null (buzon_imap_session_select_finish (session, wait_for (&selected_result), &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO);
  g_clear_error (&error);
  g_assert_null (buzon_imap_session_search_finish (session, wait_for (&searched_result), &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD);
  g_clear_error (&error);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_AUTHENTICATED);
  g_clear_object (&selected_result);
  g_clear_object (&searched_result);

  /* With no SELECT in flight, the session refuses it itself. */
  buzon_imap_session_search_async (session, "ALL", NULL, BUZON_IMAP_SEARCH_NONE, NULL,
                                   store_result_cb, &result);
  g_assert_null (buzon_imap_session_search_finish (session, wait_for (&result), &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD);
  g_clear_error (&error);
  g_clear_object (&result);

  run_with_mailbox (other, "DELETE", "Pipelined");
  logout (session);
  assert_finalized (session);
}

/* LIST. */

static void
test_list (void)
{
  /* Carol's account is left to this test: the five special-use folders the
   * fixture makes, and INBOX. */
  BuzonImapSession *session = logged_in (servers, "carol");
  BuzonImapConnection *connection = g_object_ref (buzon_imap_session_get_connection (session));
  g_autoptr (GPtrArray) mailboxes = NULL;
  g_autoptr (GError) error = NULL;
  const struct
  {
    const char *name;
    BuzonImapSpecialUse special_use;
  } expected[] = {
    { "INBOX", BUZON_IMAP_SPECIAL_USE_NONE },     { "Drafts", BUZON_IMAP_SPECIAL_USE_DRAFTS },
    { "Sent", BUZON_IMAP_SPECIAL_USE_SENT },      { "Trash", BUZON_IMAP_SPECIAL_USE_TRASH },
    { "Junk", BUZON_IMAP_SPECIAL_USE_JUNK },      { "Archive", BUZON_IMAP_SPECIAL_USE_ARCHIVE },
  };
  const BuzonImapMailbox *mailbox;

  g_assert_true (buzon_imap_connection_has_capability (connection, "LIST-STATUS"));
  append_to (connection, "INBOX", "listed");
  mailboxes = list (session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mailboxes->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      mailbox = find_mailbox (mailboxes, expected[i].name);
      if (mailbox == NULL)
        g_error ("%s is not listed", expected[i].name);
      g_assert_cmpstr (mailbox->raw_name, ==, expected[i].name);
      g_assert_cmpint (mailbox->special_use, ==, expected[i].special_use);
      g_assert_false (mailbox->special_use_guessed);
      g_assert_cmpuint (mailbox->delimiter, ==, '/');
      g_assert_true (mailbox->flags & BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN);
      g_assert_false (mailbox->flags & BUZON_IMAP_MAILBOX_NOSELECT);
      /* LIST-STATUS: the counters came with the list, HIGHESTMODSEQ too. */
      g_assert_nonnull (mailbox->status);
      g_assert_cmpint (mailbox->status->present, ==,
                       BUZON_IMAP_MAILBOX_STATUS_MESSAGES | BUZON_IMAP_MAILBOX_STATUS_UNSEEN
                         | BUZON_IMAP_MAILBOX_STATUS_UIDNEXT
                         | BUZON_IMAP_MAILBOX_STATUS_UIDVALIDITY
                         | BUZON_IMAP_MAILBOX_STATUS_HIGHESTMODSEQ);
      g_assert_cmpuint (mailbox->status->uidvalidity, >, 0);
      if (i > 0)
        g_assert_true (mailbox->flags & BUZON_IMAP_MAILBOX_SUBSCRIBED);
    }
  mailbox = find_mailbox (mailboxes, "INBOX");
  g_assert_cmpuint (mailbox->status->messages, ==, 1);
  g_assert_cmpuint (mailbox->status->unseen, ==, 1);
  g_assert_cmpuint (mailbox->status->uidnext, ==, 2);
  g_clear_pointer (&mailboxes, g_ptr_array_unref);

  /* A non-ASCII name, created by another client: listed in UTF-8, and its
   * raw (modified UTF-7) name is what commands use. */
  run_with_mailbox (connection, "CREATE", "Facturas/Año 2024 ✓");
  mailboxes = list (session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mailboxes->len, ==, G_N_ELEMENTS (expected) + 2);
  mailbox = find_mailbox (mailboxes, "Facturas/Año 2024 ✓");
  g_assert_nonnull (mailbox);
  g_assert_cmpstr (mailbox->raw_name, ==, "Facturas/A&APE-o 2024 &JxM-");
  g_assert_cmpint (mailbox->special_use, ==, BUZON_IMAP_SPECIAL_USE_NONE);
  g_assert_true (mailbox->flags & BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN);
  mailbox = find_mailbox (mailboxes, "Facturas");
  g_assert_nonnull (mailbox);
  g_assert_true (mailbox->flags & BUZON_IMAP_MAILBOX_HAS_CHILDREN);

  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (BuzonImapMailboxStatus) status = NULL;

    mailbox = find_mailbox (mailboxes, "Facturas/Año 2024 ✓");
    buzon_imap_session_status_async (session, mailbox->raw_name, NULL, store_result_cb,
                                     &result);
    status = buzon_imap_session_status_finish (session, wait_for (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (status->messages, ==, 0);
    g_assert_cmpuint (status->uidnext, ==, 1);
    g_assert_true (status->present & BUZON_IMAP_MAILBOX_STATUS_HIGHESTMODSEQ);
  }

  logout (session);
  assert_finalized (session);
  assert_finalized (connection);
}

/* SELECT, with and without QRESYNC. */

static void
test_select_and_qresync (void)
{
  BuzonImapSession *session = logged_in (servers, "alice");
  g_autoptr (BuzonImapConnection) other = other_client (servers, "alice");
  g_autoptr (BuzonImapSelected) first = NULL;
  g_autoptr (BuzonImapSelected) again = NULL;
  g_autoptr (BuzonImapSelected) examined = NULL;
  g_autoptr (GError) error = NULL;
  BuzonImapQresync known = { 0 };
  Changes changes;
  const BuzonImapFetch *fetch;

  changes_init (&changes);
  run_with_mailbox (other, "CREATE", "Resync");
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *subject = g_strdup_printf ("resync-%u", i);
      append_to (other, "Resync", subject);
    }

  /* Plain SELECT: what the mailbox holds, and no changes to report. */
  first = select_mailbox (session, "Resync", BUZON_IMAP_SELECT_NONE, NULL, &changes, &error);
  g_assert_no_error (error);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_SELECTED);
  g_assert_cmpstr (buzon_imap_session_get_selected_mailbox (session), ==, "Resync");
  g_assert_cmpuint (first->exists, ==, 5);
  g_assert_cmpuint (first->uidnext, ==, 6);
  g_assert_cmpuint (first->uidvalidity, >, 0);
  g_assert_cmpuint (first->highestmodseq, >, 0);
  g_assert_false (first->nomodseq);
  g_assert_false (first->read_only);
  g_assert_false (first->qresync);
  g_assert_cmpuint (first->unseen, ==, 1);
  g_assert_true (g_strv_contains ((const char * const *) first->flags, "\\Seen"));
  g_assert_true (g_strv_contains ((const char * const *) first->permanentflags, "\\Deleted"));
  g_assert_true (first->can_create_keywords);
  g_assert_cmpuint (changes.fetches->len, ==, 0);
  g_assert_true (unselect (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_AUTHENTICATED);

  /* Another client flags message 2, expunges 4 and 5 and adds a sixth. */
  run_with_mailbox (other, "SELECT", "Resync");
  run_raw (other, "UID STORE", "2 +FLAGS (\\Flagged)");
  run_raw (other, "UID STORE", "4:5 +FLAGS (\\Deleted)");
  run_raw (other, "EXPUNGE", NULL);
  append_to (other, "Resync", "resync-6");

  /* QRESYNC from before: exactly those changes, among the UIDs the cache
   * knows (1:5), the expunges as ranges. */
  known.uidvalidity = first->uidvalidity;
  known.modseq = first->highestmodseq;
  known.known_uids = "1:5";
  again = select_mailbox (session, "Resync", BUZON_IMAP_SELECT_NONE, &known, &changes, &error);
  g_assert_no_error (error);
  g_assert_true (again->qresync);
  g_assert_cmpuint (again->uidvalidity, ==, first->uidvalidity);
  g_assert_cmpuint (again->exists, ==, 4);
  g_assert_cmpuint (again->uidnext, ==, 7);
  g_assert_cmpuint (again->highestmodseq, >, first->highestmodseq);
  g_assert_cmpuint (changes.fetches->len, ==, 1);
  fetch = g_ptr_array_index (changes.fetches, 0);
  g_assert_cmpuint (fetch->uid, ==, 2);
  g_assert_true (has_flag (fetch, "\\Flagged"));
  g_assert_true (fetch->present & BUZON_IMAP_FETCH_MODSEQ);
  g_assert_cmpuint (fetch->modseq, >, first->highestmodseq);
  g_assert_cmpuint (buzon_imap_uid_set_count (changes.vanished), ==, 2);
  g_assert_true (buzon_imap_uid_set_contains (changes.vanished, 4));
  g_assert_true (buzon_imap_uid_set_contains (changes.vanished, 5));

  /* CHANGEDSINCE with VANISHED gives the same news in a selected mailbox,
   * the new message included now that no known UIDs limit it. */
  changes_clear (&changes);
  changes_init (&changes);
  {
    g_autoptr (GAsyncResult) result = NULL;
    guint count = 0;

    buzon_imap_session_fetch_changed_since_async (session, "1:*", "(UID FLAGS)",
                                                  first->highestmodseq, on_fetch, on_vanished,
                                                  &changes, NULL, store_result_cb, &result);
    g_assert_true (buzon_imap_session_fetch_finish (session, wait_for (&result), &count,
                                                    &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count, ==, 2);
    g_assert_cmpuint (((BuzonImapFetch *) g_ptr_array_index (changes.fetches, 0))->uid, ==, 2);
    g_assert_cmpuint (((BuzonImapFetch *) g_ptr_array_index (changes.fetches, 1))->uid, ==, 6);
    g_assert_cmpuint (buzon_imap_uid_set_count (changes.vanished), ==, 2);
    g_assert_true (buzon_imap_uid_set_contains (changes.vanished, 4));
  }

  /* EXAMINE: read-only, and selecting from SELECTED stays SELECTED. */
  changes_clear (&changes);
  changes_init (&changes);
  known.modseq = again->highestmodseq;
  examined = select_mailbox (session, "Resync", BUZON_IMAP_SELECT_READ_ONLY, &known, &changes,
                             &error);
  g_assert_no_error (error);
  g_assert_true (examined->read_only);
  g_assert_cmpuint (examined->exists, ==, 4);
  g_assert_cmpuint (examined->uidvalidity, ==, first->uidvalidity);
  g_assert_cmpuint (examined->highestmodseq, ==, again->highestmodseq);
  g_assert_cmpuint (changes.fetches->len, ==, 0);
  g_assert_cmpuint (changes.vanished->len, ==, 0);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_SELECTED);

  /* A different UIDVALIDITY: the server reports no changes to apply, and the
   * caller sees the new UIDVALIDITY. */
  known.uidvalidity = first->uidvalidity + 1;
  {
    g_autoptr (BuzonImapSelected) stale = select_mailbox (session, "Resync",
                                                          BUZON_IMAP_SELECT_NONE, &known,
                                                          &changes, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (stale->uidvalidity, !=, known.uidvalidity);
    g_assert_cmpuint (changes.fetches->len, ==, 0);
  }

  changes_clear (&changes);
  logout (session);
  assert_finalized (session);
}

/* FETCH, streamed. */

typedef struct
{
  guint count;
  guint32 last_uid;
  GAsyncResult **done;
  guint early;
} Stream;

static void
stream_fetch (BuzonImapFetch *fetch,
              gpointer        user_data)
{
  g_autoptr (BuzonImapFetch) owned = fetch;
  Stream *stream = user_data;
  g_autofree char *subject = NULL;

  /* One by one, in order, each complete, before the command ends. */
  g_assert_true (fetch->present & BUZON_IMAP_FETCH_ENVELOPE);
  g_assert_true (fetch->present & BUZON_IMAP_FETCH_UID);
  g_assert_cmpuint (fetch->uid, >, stream->last_uid);
  stream->count++;
  subject = g_strdup_printf ("stream-%u", stream->count);
  g_assert_cmpstr (fetch->envelope->subject, ==, subject);
  stream->last_uid = fetch->uid;
  if (*stream->done == NULL)
    stream->early++;
}

typedef struct
{
  GCancellable *cancellable;
  guint calls;
} Cancelling;

static void
cancel_fetch (BuzonImapFetch *fetch,
              gpointer        user_data)
{
  Cancelling *cancelling = user_data;

  buzon_imap_fetch_free (fetch);
  cancelling->calls++;
  g_cancellable_cancel (cancelling->cancellable);
}

static void
test_fetch_streams (void)
{
  BuzonImapSession *session = logged_in (servers, "alice");
  g_autoptr (BuzonImapConnection) other = other_client (servers, "alice");
  g_autoptr (BuzonImapSelected) selected = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  Stream stream = { 0, 0, &result, 0 };
  guint count = 0;
  const guint n = 40;

  run_with_mailbox (other, "CREATE", "Stream");
  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *subject = g_strdup_printf ("stream-%u", i);
      append_to (other, "Stream", subject);
    }
  selected = select_mailbox (session, "Stream", BUZON_IMAP_SELECT_READ_ONLY, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (selected->exists, ==, n);

  buzon_imap_session_fetch_async (session, "1:*", "(UID FLAGS ENVELOPE BODYSTRUCTURE)",
                                  stream_fetch, &stream, NULL, store_result_cb, &result);
  g_assert_true (buzon_imap_session_fetch_finish (session, wait_for (&result), &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, n);
  g_assert_cmpuint (stream.count, ==, n);
  g_assert_cmpuint (stream.early, ==, n);

  /* A set that matches nothing is not an error. */
  g_clear_object (&result);
  buzon_imap_session_fetch_async (session, "1000:2000", "(UID)", stream_fetch, &stream, NULL,
                                  store_result_cb, &result);
  g_assert_true (buzon_imap_session_fetch_finish (session, wait_for (&result), &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 0);
  g_clear_object (&result);

  /* Cancelled from the callback: no more callbacks, the result says so, and
   * the session goes on. */
  {
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    Cancelling cancelling = { cancellable, 0 };

    buzon_imap_session_fetch_async (session, "1:*", "(UID ENVELOPE)", cancel_fetch, &cancelling,
                                    cancellable, store_result_cb, &result);
    g_assert_false (buzon_imap_session_fetch_finish (session, wait_for (&result), &count,
                                                     &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_cmpuint (cancelling.calls, ==, 1);
    g_clear_object (&result); /* It holds the session. */
    g_assert_true (noop (session, &error));
    g_assert_no_error (error);
    g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_SELECTED);
  }

  logout (session);
  assert_finalized (session);
}

/* Changes pushed by another client. */

typedef struct
{
  guint exists;
  guint exists_signals;
  guint expunged;
  GArray *vanished;
  GPtrArray *flag_uids; /* Of GUINT_TO_POINTER (uid). */
  gboolean closed;
  GError *closed_error;
} Seen;

static void
exists_changed_cb (BuzonImapSession *session,
                   guint             exists,
                   gpointer          user_data)
{
  Seen *seen = user_data;

  seen->exists = exists;
  seen->exists_signals++;
}

static void
expunged_cb (BuzonImapSession *session,
             guint             seq,
             gpointer          user_data)
{
  Seen *seen = user_data;
  seen->expunged++;
}

static void
vanished_cb (BuzonImapSession *session,
             GArray           *uids,
             gpointer          user_data)
{
  Seen *seen = user_data;
  g_array_append_vals (seen->vanished, uids->data, uids->len);
}

static void
flags_changed_cb (BuzonImapSession *session,
                  BuzonImapFetch   *fetch,
                  gpointer          user_data)
{
  Seen *seen = user_data;

  g_assert_true (has_flag (fetch, "\\Answered"));
  g_ptr_array_add (seen->flag_uids, GUINT_TO_POINTER (fetch->uid));
}

static void
closed_cb (BuzonImapSession *session,
           const GError     *error,
           gpointer          user_data)
{
  Seen *seen = user_data;

  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_LOGOUT);
  seen->closed = TRUE;
  g_clear_error (&seen->closed_error);
  seen->closed_error = g_error_copy (error);
}

static void
test_signals (void)
{
  BuzonImapSession *session = logged_in (servers, "bob");
  g_autoptr (BuzonImapConnection) other = other_client (servers, "bob");
  g_autoptr (BuzonImapSelected) selected = NULL;
  g_autoptr (GError) error = NULL;
  Seen seen = { 0 };

  seen.vanished = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
  seen.flag_uids = g_ptr_array_new ();
  run_with_mailbox (other, "CREATE", "Pushed");
  append_to (other, "Pushed", "pushed-1");
  append_to (other, "Pushed", "pushed-2");
  g_signal_connect (session, "exists-changed", G_CALLBACK (exists_changed_cb), &seen);
  g_signal_connect (session, "expunged", G_CALLBACK (expunged_cb), &seen);
  g_signal_connect (session, "vanished", G_CALLBACK (vanished_cb), &seen);
  g_signal_connect (session, "flags-changed", G_CALLBACK (flags_changed_cb), &seen);
  g_signal_connect (session, "closed", G_CALLBACK (closed_cb), &seen);

  /* SELECT's own EXISTS is its result, not a change. */
  selected = select_mailbox (session, "Pushed", BUZON_IMAP_SELECT_NONE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (selected->exists, ==, 2);
  g_assert_cmpuint (seen.exists_signals, ==, 0);

  /* New mail from another session is reported at the next NOOP. */
  append_to (other, "Pushed", "pushed-3");
  g_assert_true (noop (session, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen.exists_signals, ==, 1);
  g_assert_cmpuint (seen.exists, ==, 3);

  /* A flag set elsewhere, then an expunge: with QRESYNC on, the expunge
   * comes as VANISHED. */
  run_with_mailbox (other, "SELECT", "Pushed");
  run_raw (other, "UID STORE", "3 +FLAGS (\\Answered)");
  g_assert_true (noop (session, &error));
  g_assert_cmpuint (seen.flag_uids->len, ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_ptr_array_index (seen.flag_uids, 0)), ==, 3);
  run_raw (other, "UID STORE", "1 +FLAGS (\\Deleted)");
  run_raw (other, "EXPUNGE", NULL);
  g_assert_true (noop (session, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen.expunged, ==, 0);
  g_assert_cmpuint (buzon_imap_uid_set_count (seen.vanished), ==, 1);
  g_assert_true (buzon_imap_uid_set_contains (seen.vanished, 1));

  /* Nothing is reported outside SELECTED. */
  g_assert_true (unselect (session, &error));
  append_to (other, "Pushed", "pushed-4");
  g_assert_true (noop (session, &error));
  g_assert_cmpuint (seen.exists_signals, ==, 1);

  /* LOGOUT: the state, then "closed". */
  g_assert_false (seen.closed);
  logout (session);
  g_assert_true (seen.closed);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_LOGOUT);

  g_clear_error (&seen.closed_error);
  g_array_unref (seen.vanished);
  g_ptr_array_unref (seen.flag_uids);
  assert_finalized (session);
}

static void
test_connection_lost (void)
{
  BuzonImapSession *session = logged_in (servers, "bob");
  BuzonImapConnection *connection = g_object_ref (buzon_imap_session_get_connection (session));
  g_autoptr (BuzonImapSelected) selected = NULL;
  g_autoptr (GError) error = NULL;
  Seen seen = { 0 };

  g_signal_connect (session, "closed", G_CALLBACK (closed_cb), &seen);
  selected = select_mailbox (session, "INBOX", BUZON_IMAP_SELECT_NONE, NULL, NULL, &error);
  g_assert_no_error (error);

  /* However the connection ends, the session says so. */
  buzon_imap_connection_close (connection);
  g_assert_true (seen.closed);
  g_assert_error (seen.closed_error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_LOGOUT);
  g_assert_null (buzon_imap_session_get_selected_mailbox (session));
  g_assert_false (noop (session, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);

  g_clear_error (&seen.closed_error);
  assert_finalized (session);
  assert_finalized (connection);
}

/* A server without QRESYNC: the CONDSTORE forms. */

static void
test_condstore_only (void)
{
  BuzonTestMailServers *condstore = buzon_test_mail_servers_start ("--no-qresync");
  BuzonImapSession *session = logged_in (condstore, "alice");
  BuzonImapConnection *connection = g_object_ref (buzon_imap_session_get_connection (session));
  g_autoptr (BuzonImapConnection) other = other_client (condstore, "alice");
  g_autoptr (BuzonImapSelected) first = NULL;
  g_autoptr (BuzonImapSelected) again = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BuzonImapQresync known = { 0 };
  Changes changes;
  guint count = 0;

  g_assert_false (buzon_imap_connection_has_capability (connection, "QRESYNC"));
  g_assert_true (buzon_imap_connection_is_enabled (connection, "CONDSTORE"));
  g_assert_false (buzon_imap_connection_is_enabled (connection, "QRESYNC"));
  g_assert_false (buzon_imap_session_get_qresync (session));
  g_assert_true (buzon_imap_session_get_condstore (session));

  changes_init (&changes);
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *subject = g_strdup_printf ("condstore-%u", i);
      append_to (other, "INBOX", subject);
    }
  first = select_mailbox (session, "INBOX", BUZON_IMAP_SELECT_CONDSTORE, NULL, &changes, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->exists, ==, 3);
  g_assert_cmpuint (first->highestmodseq, >, 0);

  run_with_mailbox (other, "SELECT", "INBOX");
  run_raw (other, "UID STORE", "2 +FLAGS (\\Seen)");
  run_raw (other, "UID STORE", "3 +FLAGS (\\Deleted)");
  run_raw (other, "EXPUNGE", NULL);

  /* QRESYNC parameters are not sent where QRESYNC is off: no callbacks,
   * and the result says so. */
  known.uidvalidity = first->uidvalidity;
  known.modseq = first->highestmodseq;
  again = select_mailbox (session, "INBOX", BUZON_IMAP_SELECT_CONDSTORE, &known, &changes,
                          &error);
  g_assert_no_error (error);
  g_assert_false (again->qresync);
  g_assert_cmpuint (again->exists, ==, 2);
  g_assert_cmpuint (again->highestmodseq, >, first->highestmodseq);
  g_assert_cmpuint (changes.fetches->len, ==, 0);
  g_assert_cmpuint (changes.vanished_calls, ==, 0);

  /* CHANGEDSINCE without VANISHED: the flag change only. */
  buzon_imap_session_fetch_changed_since_async (session, "1:*", "(UID FLAGS)",
                                                first->highestmodseq, on_fetch, on_vanished,
                                                &changes, NULL, store_result_cb, &result);
  g_assert_true (buzon_imap_session_fetch_finish (session, wait_for (&result), &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 1);
  g_assert_cmpuint (((BuzonImapFetch *) g_ptr_array_index (changes.fetches, 0))->uid, ==, 2);
  g_assert_true (has_flag (g_ptr_array_index (changes.fetches, 0), "\\Seen"));
  g_assert_cmpuint (changes.vanished_calls, ==, 0);
  g_clear_object (&result);

  changes_clear (&changes);
  logout (session);
  assert_finalized (session);
  assert_finalized (connection);
  g_clear_object (&other);
  buzon_test_mail_servers_stop (condstore);
}

/* OAuth2 against Dovecot's oauth2 passdb: a refused token leaves the
 * session ready for a fresh one, which then sets it up like a password. */
static void
test_login_oauth2 (void)
{
  BuzonTestMailServers *fixture = buzon_test_mail_servers_start ("--oauth2");
  g_autoptr (BuzonImapConnection) connection = connect_to (fixture, "alice");
  g_autoptr (BuzonImapSession) session = buzon_imap_session_new (connection);
  g_autofree char *token = g_strconcat ("alice",
                                        buzon_test_mail_servers_get (fixture,
                                                                     "OAUTH2_TOKEN_SUFFIX"),
                                        NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_imap_session_login_oauth2_async (session, "alice", "caducado", NULL, store_result_cb,
                                         &result);
  g_assert_false (buzon_imap_session_login_finish (session, wait_for (&result), &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==,
                   BUZON_IMAP_SESSION_NOT_AUTHENTICATED);
  g_clear_error (&error);
  g_clear_object (&result);

  buzon_imap_session_login_oauth2_async (session, "alice", token, NULL, store_result_cb, &result);
  g_assert_true (buzon_imap_session_login_finish (session, wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (buzon_imap_session_get_state (session), ==, BUZON_IMAP_SESSION_AUTHENTICATED);
  g_assert_true (buzon_imap_session_get_qresync (session));
  g_assert_true (noop (session, &error));
  g_assert_no_error (error);
  logout (session);
  g_clear_object (&session);
  g_clear_object (&connection);
  buzon_test_mail_servers_stop (fixture);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  servers = buzon_test_mail_servers_start (NULL);

  g_test_add_func ("/imap-session/login", test_login);
  g_test_add_func ("/imap-session/login-without-compression", test_login_without_compression);
  g_test_add_func ("/imap-session/login-oauth2", test_login_oauth2);
  g_test_add_func ("/imap-session/wrong-state", test_wrong_state);
  g_test_add_func ("/imap-session/pipelined-after-select", test_pipelined_after_select);
  g_test_add_func ("/imap-session/list", test_list);
  g_test_add_func ("/imap-session/select-and-qresync", test_select_and_qresync);
  g_test_add_func ("/imap-session/fetch-streams", test_fetch_streams);
  g_test_add_func ("/imap-session/signals", test_signals);
  g_test_add_func ("/imap-session/connection-lost", test_connection_lost);
  g_test_add_func ("/imap-session/condstore-only", test_condstore_only);

  status = g_test_run ();
  buzon_test_mail_servers_stop (servers);
  return status;
}
