// BuzonAccountSync against scripted servers, for what Dovecot cannot be
// made to do: around INBOX (synced before the folder list is asked for),
// and around a resync's new mail and flag changes asked for behind the
// SELECT.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "account/credentials-command.h"
#include "engine.h"
#include "fake-session-helpers.h"
#include "store-test-helpers.h"
#include "sync/account-sync.h"

typedef struct
{
  Fixture store;
  BuzonTestFakeImapServer *server;
  BuzonAccount *account;
  BuzonCredentials *credentials;
} QuirksFixture;

static void
quirks_set_up (QuirksFixture *f,
               gconstpointer  data)
{
  fixture_set_up (&f->store, data);
  f->server = buzon_test_fake_imap_server_new ();
  f->credentials = BUZON_CREDENTIALS (buzon_command_credentials_new ("echo secreto"));
}

static void
quirks_tear_down (QuirksFixture *f,
                  gconstpointer  data)
{
  g_clear_object (&f->account);
  g_clear_object (&f->credentials);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  buzon_test_fake_imap_server_free (f->server);
  fixture_tear_down (&f->store, data);
}

/* Greeting and login; no ENABLE, no ID: the capabilities say neither. */
static void
script_login (QuirksFixture *f)
{
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE PLAIN %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [CAPABILITY IMAP4rev1 "
                                                    "LIST-EXTENDED LIST-STATUS] Logged in");
}

/* The same from a server with CONDSTORE, which the client enables. */
static void
script_login_condstore (QuirksFixture *f)
{
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE PLAIN %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK [CAPABILITY IMAP4rev1 ENABLE "
                                                    "CONDSTORE LIST-EXTENDED LIST-STATUS] "
                                                    "Logged in");
  buzon_test_fake_imap_server_expect_line (f->server, "b2 ENABLE CONDSTORE");
  buzon_test_fake_imap_server_send_line (f->server, "* ENABLED CONDSTORE");
  buzon_test_fake_imap_server_send_line (f->server, "b2 OK Enabled");
}

static void
script_logout (QuirksFixture *f)
{
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% LOGOUT");
  buzon_test_fake_imap_server_send_line (f->server, "* BYE Adiós");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK Logout completed");
}

static gboolean
run_pass (QuirksFixture          *f,
          BuzonAccountSyncResult *summary,
          GError                **error)
{
  g_autofree char *url_text = NULL;
  g_autoptr (BuzonServerUrl) imap = NULL;
  g_autoptr (BuzonServerUrl) smtp = NULL;
  g_autoptr (BuzonAccountSync) sync = NULL;
  g_autoptr (GAsyncResult) result = NULL;

  buzon_test_fake_imap_server_start (f->server);
  url_text = buzon_test_fake_imap_server_get_url (f->server, "imap+plain");
  imap = buzon_server_url_parse (url_text, NULL);
  smtp = buzon_server_url_parse ("smtp+plain://ana@127.0.0.1:1", NULL);
  f->account = buzon_account_new ("rara", NULL, "ana@example.test", imap, smtp);
  buzon_account_set_prefetch_days (f->account, 0);
  sync = buzon_account_sync_new (f->account, f->store.store, f->credentials);
  buzon_account_sync_run_async (sync, NULL, NULL, fake_server_result_cb, &result);
  return buzon_account_sync_run_finish (sync, fake_server_wait (f->server, &result), summary,
                                        error);
}

static void
assert_script_played (QuirksFixture *f)
{
  g_autoptr (GError) error = NULL;
  gboolean played = buzon_test_fake_imap_server_finish (f->server, 10 * 1000, &error);

  g_assert_no_error (error);
  g_assert_true (played);
}

/* A LIST without INBOX, while INBOX's first sync runs beside it: INBOX
 * stays in the cache, with its mail, rather than going with the list. */
static void
test_list_without_inbox (QuirksFixture *f,
                         gconstpointer  data)
{
  static const char fetch[] =
    "* 1 FETCH (UID 1 FLAGS () INTERNALDATE \"05-Mar-2026 10:00:00 +0100\" RFC822.SIZE 120 "
    "ENVELOPE (\"Thu, 05 Mar 2026 10:00:00 +0100\" \"Hola\" ((\"Bea\" NIL \"bea\" "
    "\"example.org\")) NIL NIL ((NIL NIL \"ana\" \"example.test\")) NIL NIL NIL \"<1@x>\") "
    "BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 5 1 NIL NIL NIL "
    "NIL) BODY[HEADER.FIELDS (REFERENCES LIST-ID)] {2}\r\n\r\n)\r\n";
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  BuzonAccountSyncResult summary = { 0 };
  const BuzonStoreFolder *inbox;

  script_login (f);
  buzon_test_fake_imap_server_expect_line (f->server, "b2 SELECT INBOX");
  buzon_test_fake_imap_server_expect_line (f->server, "b3 UID SEARCH ALL");
  buzon_test_fake_imap_server_expect_line (f->server, "b4 LIST %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "* 1 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDVALIDITY 5] UIDs valid");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDNEXT 2] Predicted next UID");
  buzon_test_fake_imap_server_send_line (f->server, "b2 OK [READ-WRITE] Select completed");
  buzon_test_fake_imap_server_send_line (f->server, "* SEARCH 1");
  buzon_test_fake_imap_server_send_line (f->server, "b3 OK Search completed");
  buzon_test_fake_imap_server_send_line (f->server, "* LIST (\\HasNoChildren \\Sent) \"/\" Sent");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* STATUS Sent (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 9 "
                                         "UNSEEN 0)");
  buzon_test_fake_imap_server_send_line (f->server, "b4 OK List completed");
  buzon_test_fake_imap_server_expect_line (f->server, "b5 UID FETCH 1 %ANY%");
  buzon_test_fake_imap_server_send (f->server, fetch, strlen (fetch));
  buzon_test_fake_imap_server_send_line (f->server, "b5 OK Fetch completed");
  script_logout (f);

  g_assert_true (run_pass (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.added, ==, 1);
  g_assert_cmpuint (summary.folders, ==, 2);
  folders = list_folders (&f->store);
  inbox = folder_named (folders, "INBOX");
  g_assert_nonnull (inbox);
  g_assert_cmpuint (inbox->exists_count, ==, 1);
  g_assert_true (inbox->first_sync_done);
  g_assert_nonnull (folder_named (folders, "Sent"));
  assert_script_played (f);
}

/* SELECT INBOX refused, and the list says INBOX cannot be selected (a
 * server that keeps mail only in folders under it): the pass goes by the
 * list, and ends without an error. */
static void
test_inbox_refused (QuirksFixture *f,
                    gconstpointer  data)
{
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  BuzonAccountSyncResult summary = { 0 };

  script_login (f);
  buzon_test_fake_imap_server_expect_line (f->server, "b2 SELECT INBOX");
  buzon_test_fake_imap_server_expect_line (f->server, "b3 UID SEARCH ALL");
  buzon_test_fake_imap_server_expect_line (f->server, "b4 LIST %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "b2 NO [NONEXISTENT] No INBOX here");
  buzon_test_fake_imap_server_send_line (f->server, "b3 BAD No mailbox selected");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* LIST (\\Noselect \\HasChildren) \"/\" INBOX");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* LIST (\\HasNoChildren) \"/\" INBOX/Cosas");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* STATUS INBOX/Cosas (MESSAGES 0 UIDNEXT 1 "
                                         "UIDVALIDITY 3 UNSEEN 0)");
  buzon_test_fake_imap_server_send_line (f->server, "b4 OK List completed");
  script_logout (f);

  g_assert_true (run_pass (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.folders_failed, ==, 0);
  g_assert_cmpuint (summary.folders, ==, 1);
  folders = list_folders (&f->store);
  g_assert_true (folder_named (folders, "INBOX")->flags & BUZON_IMAP_MAILBOX_NOSELECT);
  g_assert_true (folder_named (folders, "INBOX/Cosas")->first_sync_done);
  assert_script_played (f);
}

/* A cache that synced INBOX (empty) and Cosas before: Cosas has UID 1
 * (\\Seen) under UIDVALIDITY 5, and @highestmodseq (0: none, as without
 * CONDSTORE). */
static void
cache_cosas (QuirksFixture *f,
             guint64        highestmodseq)
{
  g_autoptr (GPtrArray) mailboxes = g_ptr_array_new_with_free_func (
    (GDestroyNotify) buzon_imap_mailbox_free);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  BuzonStoreFolderState state = { 0 };
  BuzonStoreBatch *batch;

  add_folder (&f->store, mailboxes, "INBOX");
  add_folder (&f->store, mailboxes, "Cosas");
  g_assert_true (save_folders (&f->store, mailboxes));
  folders = list_folders (&f->store);
  batch = buzon_store_batch_new (folder_named (folders, "INBOX")->id);
  state.fields = BUZON_STORE_STATE_UIDVALIDITY | BUZON_STORE_STATE_UIDNEXT
                 | BUZON_STORE_STATE_EXISTS | BUZON_STORE_STATE_FIRST_SYNC_DONE;
  state.uidvalidity = 9;
  state.uidnext = 1;
  state.first_sync_done = TRUE;
  buzon_store_batch_set_state (batch, &state);
  g_assert_true (apply (&f->store, batch, NULL, &error));
  g_assert_no_error (error);
  batch = buzon_store_batch_new (folder_named (folders, "Cosas")->id);
  buzon_store_batch_add_fetch (batch, message (1, "\\Seen", "Antiguo", "1@x", "NIL", ""));
  state.fields = BUZON_STORE_STATE_UIDVALIDITY | BUZON_STORE_STATE_UIDNEXT
                 | BUZON_STORE_STATE_HIGHESTMODSEQ | BUZON_STORE_STATE_EXISTS
                 | BUZON_STORE_STATE_FIRST_SYNC_DONE;
  state.uidvalidity = 5;
  state.uidnext = 2;
  state.highestmodseq = highestmodseq;
  state.exists_count = 1;
  state.first_sync_done = TRUE;
  buzon_store_batch_set_state (batch, &state);
  g_assert_true (apply (&f->store, batch, NULL, &error));
  g_assert_no_error (error);
}

/* The pass's first steps: INBOX, empty as cached, resynced first (no fetch
 * behind its SELECT: no STATUS yet), and the folder list, whose STATUS of
 * Cosas says @status (new mail came: UIDNEXT 3). */
static void
script_empty_inbox (QuirksFixture *f,
                    const char    *status,
                    guint          first_tag)
{
  g_autofree char *select = g_strdup_printf ("b%u SELECT INBOX%s", first_tag,
                                             first_tag > 2 ? " (CONDSTORE)" : "");
  g_autofree char *list = g_strdup_printf ("b%u LIST %%ANY%%", first_tag + 1);
  g_autofree char *selected = g_strdup_printf ("b%u OK [READ-WRITE] Select completed",
                                               first_tag);
  g_autofree char *listed = g_strdup_printf ("b%u OK List completed", first_tag + 1);
  g_autofree char *cosas = g_strdup_printf ("* STATUS Cosas (%s)", status);

  buzon_test_fake_imap_server_expect_line (f->server, select);
  buzon_test_fake_imap_server_expect_line (f->server, list);
  buzon_test_fake_imap_server_send_line (f->server, "* 0 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDVALIDITY 9] UIDs valid");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDNEXT 1] Predicted next UID");
  buzon_test_fake_imap_server_send_line (f->server, selected);
  buzon_test_fake_imap_server_send_line (f->server, "* LIST (\\HasNoChildren) \"/\" INBOX");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* STATUS INBOX (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 9 "
                                         "UNSEEN 0)");
  buzon_test_fake_imap_server_send_line (f->server, "* LIST (\\HasNoChildren) \"/\" Cosas");
  buzon_test_fake_imap_server_send_line (f->server, cosas);
  buzon_test_fake_imap_server_send_line (f->server, listed);
}

#define NEW_MAIL                                                                                  \
  "* %u FETCH (UID %u FLAGS () INTERNALDATE \"06-Mar-2026 10:00:00 +0100\" RFC822.SIZE 120 "     \
  "ENVELOPE (\"Fri, 06 Mar 2026 10:00:00 +0100\" \"Intruso\" ((\"Bea\" NIL \"bea\" "              \
  "\"example.org\")) NIL NIL ((NIL NIL \"ana\" \"example.test\")) NIL NIL NIL \"<%u@x>\") "      \
  "BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 5 1 NIL NIL NIL "  \
  "NIL) BODY[HEADER.FIELDS (REFERENCES LIST-ID)] {2}\r\n\r\n)\r\n"

/* New messages, UIDs 2 to 1 + @count, as an answer to the fetch behind
 * the SELECT. */
static char *
new_mail (guint count)
{
  GString *out = g_string_new (NULL);

  for (guint uid = 2; uid < 2 + count; uid++)
    g_string_append_printf (out, NEW_MAIL, uid, uid, uid);
  return g_string_free (out, FALSE);
}

/* STATUS says Cosas has new mail; its SELECT is refused, and the fetches
 * sent behind it (the new mail; without CONDSTORE, the flags) answered all
 * the same (a server that kept some other mailbox selected): what they
 * bring is not Cosas's, and nothing of it reaches the cache, not even a
 * whole batch's worth (500, which would go to the store as it filled),
 * nor the flags (UID 1 stays \Seen). */
static void
test_early_fetch_after_refused_select (QuirksFixture *f,
                                       gconstpointer  data)
{
  g_autofree char *mail = new_mail (500);
  g_autoptr (GError) error = NULL;
  BuzonAccountSyncResult summary = { 0 };

  cache_cosas (f, 0);
  script_login (f);
  script_empty_inbox (f, "MESSAGES 2 UIDNEXT 3 UIDVALIDITY 5 UNSEEN 1", 2);
  buzon_test_fake_imap_server_expect_line (f->server, "b4 SELECT Cosas");
  buzon_test_fake_imap_server_expect_line (f->server, "b5 UID FETCH 2:501 %ANY%");
  buzon_test_fake_imap_server_expect_line (f->server, "b6 UID FETCH 1:1 (UID FLAGS)");
  buzon_test_fake_imap_server_send_line (f->server, "b4 NO [NONEXISTENT] No Cosas here");
  buzon_test_fake_imap_server_send (f->server, mail, strlen (mail));
  buzon_test_fake_imap_server_send_line (f->server, "b5 OK Fetch completed");
  buzon_test_fake_imap_server_send_line (f->server, "* 1 FETCH (UID 1 FLAGS ())");
  buzon_test_fake_imap_server_send_line (f->server, "b6 OK Fetch completed");
  script_logout (f);

  run_pass (f, &summary, &error);
  g_clear_error (&error);
  g_assert_cmpuint (summary.added, ==, 0);
  {
    g_autofree char *intruder = query (&f->store, "SELECT count(*) FROM message WHERE uid > 1");
    g_autofree char *seen = query (&f->store, "SELECT flags FROM message WHERE uid = 1");

    g_assert_cmpstr (intruder, ==, "0");
    g_assert_cmpstr (seen, ==, "1");
  }
  assert_script_played (f);
}

/* STATUS says Cosas has new mail, and its SELECT a new UIDVALIDITY (the
 * STATUS was read just before the change) with the folder empty: the cache
 * starts again under it, and what the fetch behind the SELECT brings,
 * asked for by the old UIDs, is dropped (here the server even contradicts
 * its EXISTS). */
static void
test_early_fetch_new_uidvalidity (QuirksFixture *f,
                                  gconstpointer  data)
{
  g_autofree char *mail = new_mail (1);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  BuzonAccountSyncResult summary = { 0 };
  const BuzonStoreFolder *cosas;

  cache_cosas (f, 0);
  script_login (f);
  script_empty_inbox (f, "MESSAGES 2 UIDNEXT 3 UIDVALIDITY 5 UNSEEN 1", 2);
  buzon_test_fake_imap_server_expect_line (f->server, "b4 SELECT Cosas");
  buzon_test_fake_imap_server_expect_line (f->server, "b5 UID FETCH 2:501 %ANY%");
  buzon_test_fake_imap_server_expect_line (f->server, "b6 UID FETCH 1:1 (UID FLAGS)");
  buzon_test_fake_imap_server_send_line (f->server, "* 0 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDVALIDITY 6] UIDs valid");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDNEXT 3] Predicted next UID");
  buzon_test_fake_imap_server_send_line (f->server, "b4 OK [READ-WRITE] Select completed");
  buzon_test_fake_imap_server_send (f->server, mail, strlen (mail));
  buzon_test_fake_imap_server_send_line (f->server, "b5 OK Fetch completed");
  buzon_test_fake_imap_server_send_line (f->server, "b6 OK Fetch completed");
  script_logout (f);

  g_assert_true (run_pass (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.added, ==, 0);
  g_assert_cmpuint (summary.removed, ==, 1);
  folders = list_folders (&f->store);
  cosas = folder_named (folders, "Cosas");
  g_assert_cmpuint (cosas->uidvalidity, ==, 6);
  g_assert_cmpuint (cosas->cached_count, ==, 0);
  g_assert_true (cosas->first_sync_done);
  assert_script_played (f);
}

/* A server with CONDSTORE whose Cosas keeps no MODSEQs (NOMODSEQ), and
 * refuses the MODSEQ that the fetch behind the SELECT asked for: the new
 * mail is asked for again after the SELECT, without MODSEQ, and cached.
 * With @data, the refusal comes 300 ms after the SELECT's answer, and the
 * next fetches wait for it: an untagged FETCH goes to the oldest fetch in
 * flight, and what they brought must not reach the one being dropped. */
static void
test_early_fetch_nomodseq (QuirksFixture *f,
                           gconstpointer  data)
{
  gboolean refused_last = data != NULL;
  g_autofree char *mail = new_mail (1);
  g_autoptr (GError) error = NULL;
  BuzonAccountSyncResult summary = { 0 };

  cache_cosas (f, 0);
  script_login_condstore (f);
  script_empty_inbox (f, "MESSAGES 2 UIDNEXT 3 UIDVALIDITY 5 UNSEEN 1 HIGHESTMODSEQ 7", 3);
  buzon_test_fake_imap_server_expect_line (f->server, "b5 SELECT Cosas (CONDSTORE)");
  buzon_test_fake_imap_server_expect_line (f->server, "b6 UID FETCH 2:501 (%ANY% MODSEQ %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "* 2 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDVALIDITY 5] UIDs valid");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDNEXT 3] Predicted next UID");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [NOMODSEQ] No MODSEQs here");
  buzon_test_fake_imap_server_send_line (f->server, "b5 OK [READ-WRITE] Select completed");
  if (refused_last)
    buzon_test_fake_imap_server_expect_silence (f->server, 300);
  buzon_test_fake_imap_server_send_line (f->server, "b6 BAD This mailbox has no MODSEQs");
  /* The flags diff, and the new mail again, without MODSEQ. */
  buzon_test_fake_imap_server_expect_line (f->server, "b7 UID FETCH 1:1 (UID FLAGS)");
  buzon_test_fake_imap_server_expect_line (f->server,
                                           "b8 UID FETCH 2:* (UID FLAGS INTERNALDATE RFC822.SIZE "
                                           "ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS "
                                           "(REFERENCES LIST-ID)])");
  buzon_test_fake_imap_server_send_line (f->server, "* 1 FETCH (UID 1 FLAGS (\\Seen))");
  buzon_test_fake_imap_server_send_line (f->server, "b7 OK Fetch completed");
  buzon_test_fake_imap_server_send (f->server, mail, strlen (mail));
  buzon_test_fake_imap_server_send_line (f->server, "b8 OK Fetch completed");
  script_logout (f);

  g_assert_true (run_pass (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.added, ==, 1);
  {
    g_autofree char *uids = query (&f->store, "SELECT m.uid FROM message m JOIN folder f "
                                              "ON f.id = m.folder_id WHERE f.name = 'Cosas' "
                                              "ORDER BY m.uid");

    g_assert_cmpstr (uids, ==, "1,2");
  }
  assert_script_played (f);
}

/* Cosas's flags as cached ("" when the message is not). */
static char *
cosas_flags (QuirksFixture *f)
{
  return query (&f->store, "SELECT m.flags FROM message m JOIN folder f ON f.id = m.folder_id "
                           "WHERE f.name = 'Cosas' AND m.uid = 1");
}

/* A CONDSTORE cache of Cosas at HIGHESTMODSEQ 7, and a pass whose STATUS
 * says it is at 9 with nothing new or gone: Cosas's SELECT, the
 * CHANGEDSINCE expected right behind it, before the SELECT's answer, which
 * says @modseq_line besides. */
static void
script_early_changes (QuirksFixture *f,
                      const char    *modseq_line)
{
  cache_cosas (f, 7);
  script_login_condstore (f);
  script_empty_inbox (f, "MESSAGES 1 UIDNEXT 2 UIDVALIDITY 5 UNSEEN 1 HIGHESTMODSEQ 9", 3);
  buzon_test_fake_imap_server_expect_line (f->server, "b5 SELECT Cosas (CONDSTORE)");
  buzon_test_fake_imap_server_expect_line (f->server,
                                           "b6 UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 7)");
  buzon_test_fake_imap_server_send_line (f->server, "* 1 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDVALIDITY 5] UIDs valid");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDNEXT 2] Predicted next UID");
  buzon_test_fake_imap_server_send_line (f->server, modseq_line);
  buzon_test_fake_imap_server_send_line (f->server, "b5 OK [READ-WRITE] Select completed");
}

/* CONDSTORE without QRESYNC, as Gmail: STATUS says Cosas's HIGHESTMODSEQ
 * moved (7 to 9) and nothing came or went. The CHANGEDSINCE goes right
 * behind the SELECT, before its answer; nothing is asked for after it
 * (the counts agree), and the flag change is cached. */
static void
test_early_changes (QuirksFixture *f,
                    gconstpointer  data)
{
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *flags = NULL;
  BuzonAccountSyncResult summary = { 0 };

  script_early_changes (f, "* OK [HIGHESTMODSEQ 9] Highest");
  buzon_test_fake_imap_server_send_line (f->server, "* 1 FETCH (UID 1 FLAGS () MODSEQ (9))");
  buzon_test_fake_imap_server_send_line (f->server, "b6 OK Fetch completed");
  script_logout (f);

  g_assert_true (run_pass (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.added, ==, 0);
  g_assert_cmpuint (summary.removed, ==, 0);
  flags = cosas_flags (f);
  g_assert_cmpstr (flags, ==, "0");
  folders = list_folders (&f->store);
  g_assert_cmpuint (folder_named (folders, "Cosas")->highestmodseq, ==, 9);
  assert_script_played (f);
}

/* The same, but Cosas keeps no MODSEQs now (NOMODSEQ): what the
 * CHANGEDSINCE brings is dropped, whether the server answers it anyway
 * (here with a flag that is not so) or, with @data, refuses it, and the
 * flags are diffed after the SELECT. */
static void
test_early_changes_nomodseq (QuirksFixture *f,
                             gconstpointer  data)
{
  gboolean refused = data != NULL;
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *flags = NULL;
  BuzonAccountSyncResult summary = { 0 };

  script_early_changes (f, "* OK [NOMODSEQ] No MODSEQs here");
  if (refused)
    {
      /* Late: the diff waits for it (see test_early_fetch_nomodseq()). */
      buzon_test_fake_imap_server_expect_silence (f->server, 300);
      buzon_test_fake_imap_server_send_line (f->server, "b6 BAD This mailbox has no MODSEQs");
    }
  else
    {
      buzon_test_fake_imap_server_send_line (f->server,
                                             "* 1 FETCH (UID 1 FLAGS (\\Flagged) MODSEQ (9))");
      buzon_test_fake_imap_server_send_line (f->server, "b6 OK Fetch completed");
    }
  buzon_test_fake_imap_server_expect_line (f->server, "b7 UID FETCH 1:1 (UID FLAGS)");
  buzon_test_fake_imap_server_send_line (f->server, "* 1 FETCH (UID 1 FLAGS ())");
  buzon_test_fake_imap_server_send_line (f->server, "b7 OK Fetch completed");
  script_logout (f);

  g_assert_true (run_pass (f, &summary, &error));
  g_assert_no_error (error);
  flags = cosas_flags (f);
  g_assert_cmpstr (flags, ==, "0");
  {
    /* As cached: had the answer been kept, its MODSEQ would be (the diff
     * has none). */
    g_autofree char *modseq = query (&f->store, "SELECT m.modseq FROM message m JOIN folder f "
                                                "ON f.id = m.folder_id WHERE f.name = 'Cosas'");

    g_assert_cmpstr (modseq, ==, "10");
  }
  folders = list_folders (&f->store);
  g_assert_cmpuint (folder_named (folders, "Cosas")->highestmodseq, ==, 0);
  assert_script_played (f);
}

/* STATUS says new mail came and the HIGHESTMODSEQ moved, so both early
 * fetches go behind the SELECT; its answer has a new UIDVALIDITY: both
 * answers are dropped (they name the old UIDs), and the first sync under
 * the new UIDVALIDITY starts once both ended, the second 300 ms after the
 * first. */
static void
test_early_both_new_uidvalidity (QuirksFixture *f,
                                 gconstpointer  data)
{
  g_autofree char *mail = new_mail (1);
  g_autofree char *fresh = g_strdup_printf (NEW_MAIL, 1, 3, 3);
  g_autofree char *uids = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  BuzonAccountSyncResult summary = { 0 };
  const BuzonStoreFolder *cosas;

  cache_cosas (f, 7);
  script_login_condstore (f);
  script_empty_inbox (f, "MESSAGES 2 UIDNEXT 3 UIDVALIDITY 5 UNSEEN 1 HIGHESTMODSEQ 9", 3);
  buzon_test_fake_imap_server_expect_line (f->server, "b5 SELECT Cosas (CONDSTORE)");
  buzon_test_fake_imap_server_expect_line (f->server, "b6 UID FETCH 2:501 %ANY%");
  buzon_test_fake_imap_server_expect_line (f->server,
                                           "b7 UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 7)");
  buzon_test_fake_imap_server_send_line (f->server, "* 1 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDVALIDITY 6] UIDs valid");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDNEXT 3] Predicted next UID");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [HIGHESTMODSEQ 12] Highest");
  buzon_test_fake_imap_server_send_line (f->server, "b5 OK [READ-WRITE] Select completed");
  buzon_test_fake_imap_server_send (f->server, mail, strlen (mail));
  buzon_test_fake_imap_server_send_line (f->server, "b6 OK Fetch completed");
  /* The first sync under the new UIDVALIDITY waits for both to end. */
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  buzon_test_fake_imap_server_send_line (f->server, "* 1 FETCH (UID 1 FLAGS () MODSEQ (9))");
  buzon_test_fake_imap_server_send_line (f->server, "b7 OK Fetch completed");
  buzon_test_fake_imap_server_expect_line (f->server, "b8 UID SEARCH ALL");
  buzon_test_fake_imap_server_send_line (f->server, "* SEARCH 3");
  buzon_test_fake_imap_server_send_line (f->server, "b8 OK Search completed");
  buzon_test_fake_imap_server_expect_line (f->server, "b9 UID FETCH 3 %ANY%");
  buzon_test_fake_imap_server_send (f->server, fresh, strlen (fresh));
  buzon_test_fake_imap_server_send_line (f->server, "b9 OK Fetch completed");
  script_logout (f);

  g_assert_true (run_pass (f, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.added, ==, 1);
  g_assert_cmpuint (summary.removed, ==, 1);
  uids = query (&f->store, "SELECT m.uid FROM message m JOIN folder f "
                           "ON f.id = m.folder_id WHERE f.name = 'Cosas'");
  g_assert_cmpstr (uids, ==, "3");
  folders = list_folders (&f->store);
  cosas = folder_named (folders, "Cosas");
  g_assert_cmpuint (cosas->uidvalidity, ==, 6);
  g_assert_cmpuint (cosas->highestmodseq, ==, 12);
  assert_script_played (f);
}

/* No CONDSTORE and no LIST-STATUS (Office 365): Cosas's FLAGS diff goes
 * right behind its SELECT, before its answer, and is kept under the same
 * UIDVALIDITY. With @data, the SELECT says a new UIDVALIDITY, the folder
 * empty: the diff is dropped (it lists an old UID, flagged), and the cache
 * starts again. */
static void
test_early_flags (QuirksFixture *f,
                  gconstpointer  data)
{
  gboolean reset = data != NULL;
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *count = NULL;
  BuzonAccountSyncResult summary = { 0 };

  cache_cosas (f, 0);
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE PLAIN %ANY%");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "%TAG% OK [CAPABILITY IMAP4rev1 UIDPLUS] Logged in");
  buzon_test_fake_imap_server_expect_line (f->server, "b2 SELECT INBOX");
  buzon_test_fake_imap_server_expect_line (f->server, "b3 LIST \"\" \"*\"");
  buzon_test_fake_imap_server_send_line (f->server, "* 0 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDVALIDITY 9] UIDs valid");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDNEXT 1] Predicted next UID");
  buzon_test_fake_imap_server_send_line (f->server, "b2 OK [READ-WRITE] Select completed");
  buzon_test_fake_imap_server_send_line (f->server, "* LIST (\\HasNoChildren) \"/\" INBOX");
  buzon_test_fake_imap_server_send_line (f->server, "* LIST (\\HasNoChildren) \"/\" Cosas");
  buzon_test_fake_imap_server_send_line (f->server, "b3 OK List completed");
  buzon_test_fake_imap_server_expect_line (f->server, "b4 SELECT Cosas");
  buzon_test_fake_imap_server_expect_line (f->server, "b5 UID FETCH 1:1 (UID FLAGS)");
  buzon_test_fake_imap_server_send_line (f->server, reset ? "* 0 EXISTS" : "* 1 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, reset ? "* OK [UIDVALIDITY 6] UIDs valid"
                                                          : "* OK [UIDVALIDITY 5] UIDs valid");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDNEXT 2] Predicted next UID");
  buzon_test_fake_imap_server_send_line (f->server, "b4 OK [READ-WRITE] Select completed");
  buzon_test_fake_imap_server_send_line (f->server, reset ? "* 1 FETCH (UID 1 FLAGS (\\Flagged))"
                                                          : "* 1 FETCH (UID 1 FLAGS ())");
  buzon_test_fake_imap_server_send_line (f->server, "b5 OK Fetch completed");
  script_logout (f);

  g_assert_true (run_pass (f, &summary, &error));
  g_assert_no_error (error);
  folders = list_folders (&f->store);
  if (reset)
    {
      count = query (&f->store, "SELECT count(*) FROM message m JOIN folder f "
                                "ON f.id = m.folder_id WHERE f.name = 'Cosas'");
      g_assert_cmpstr (count, ==, "0");
      g_assert_cmpuint (folder_named (folders, "Cosas")->uidvalidity, ==, 6);
    }
  else
    {
      count = cosas_flags (f);
      g_assert_cmpstr (count, ==, "0");
      g_assert_cmpuint (summary.updated, ==, 1);
    }
  assert_script_played (f);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

#define ADD(path, func)                                                                          \
  g_test_add ("/account-sync-quirks/" path, QuirksFixture, NULL, quirks_set_up, func,           \
              quirks_tear_down)
  ADD ("list-without-inbox", test_list_without_inbox);
  ADD ("inbox-refused", test_inbox_refused);
  ADD ("early-fetch-after-refused-select", test_early_fetch_after_refused_select);
  ADD ("early-fetch-new-uidvalidity", test_early_fetch_new_uidvalidity);
  ADD ("early-fetch-nomodseq", test_early_fetch_nomodseq);
  g_test_add ("/account-sync-quirks/early-fetch-nomodseq-refused-last", QuirksFixture, "last",
              quirks_set_up, test_early_fetch_nomodseq, quirks_tear_down);
  ADD ("early-changes", test_early_changes);
  ADD ("early-changes-nomodseq", test_early_changes_nomodseq);
  g_test_add ("/account-sync-quirks/early-changes-nomodseq-refused", QuirksFixture, "refused",
              quirks_set_up, test_early_changes_nomodseq, quirks_tear_down);
  ADD ("early-both-new-uidvalidity", test_early_both_new_uidvalidity);
  ADD ("early-flags", test_early_flags);
  g_test_add ("/account-sync-quirks/early-flags-new-uidvalidity", QuirksFixture, "reset",
              quirks_set_up, test_early_flags, quirks_tear_down);
#undef ADD

  status = g_test_run ();
  buzon_engine_shutdown ();
  return status;
}
