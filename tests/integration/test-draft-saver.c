// BuzonDraftSaver against the fixture Dovecot: overlapping saves, discard, reopening, copies gone.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Saves asked for while one runs are answered by one more save of the
// draft as it is by then, and Drafts ends with exactly one copy, the last
// version, with \Draft and \Seen and the Message-ID of the first; a discard
// throws away the saves still waiting and leaves no copy; a reopened draft
// replaces its own copy and keeps its Message-ID; a copy another client
// deleted, a message of another folder era with the same UID, a session
// the server dropped and a server without UIDPLUS are each handled as a
// user would want.

#include "config.h"

#include <string.h>

#include "account/credentials-command.h"
#include "engine.h"
#include "imap-session-helpers.h"
#include "sync/draft-saver.h"

typedef struct
{
  BuzonTestMailServers *servers;
  BuzonAccount *account;
  BuzonCredentials *credentials;
  guint uid_notifications;
} Fixture;

static void
set_up_with (Fixture    *f,
             const char *options)
{
  g_autofree char *imap_text = NULL;
  g_autofree char *pinned = NULL;
  g_autoptr (BuzonServerUrl) imap = NULL;
  g_autoptr (BuzonServerUrl) smtp = buzon_server_url_parse ("submissions://alice@127.0.0.1:1",
                                                            NULL);
  const char *trusted[2] = { NULL, NULL };

  f->servers = buzon_test_mail_servers_start (options);
  imap_text = g_strdup_printf ("imaps://alice@127.0.0.1:%u",
                               buzon_test_mail_servers_get_port (f->servers, "IMAPS_PORT"));
  imap = buzon_server_url_parse (imap_text, NULL);
  pinned = g_strconcat ("sha256:", buzon_test_mail_servers_get (f->servers, "CERT_SHA256"),
                        NULL);
  trusted[0] = pinned;
  f->account = buzon_account_new ("borradores", "Alicia", "alice@example.test", imap, smtp);
  buzon_account_set_trusted_certificates (f->account, trusted);
  f->credentials =
    BUZON_CREDENTIALS (buzon_command_credentials_new ("printf '%s\\n' alice-secret"));
}

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  set_up_with (f, data != NULL ? data : "");
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->credentials);
  g_clear_object (&f->account);
  buzon_test_mail_servers_stop (f->servers);
}

static void
uid_notified_cb (BuzonDraftSaver *saver,
                 GParamSpec      *pspec,
                 Fixture         *f)
{
  f->uid_notifications++;
}

static BuzonDraft *
new_draft (const char *subject)
{
  BuzonDraft *draft = buzon_draft_new ();

  buzon_draft_set_from (draft, "Alicia <alice@example.test>");
  buzon_draft_set_to (draft, "Bob <bob@example.test>");
  buzon_draft_set_bcc (draft, "carol@example.test");
  buzon_draft_set_subject (draft, subject);
  buzon_draft_set_text (draft, "Hola, Bob.\n");
  return draft;
}

static BuzonDraftSaver *
new_saver (Fixture    *f,
           BuzonDraft *draft)
{
  BuzonDraftSaver *saver = buzon_draft_saver_new (f->account, NULL, f->credentials, draft);

  g_signal_connect (saver, "notify::uid", G_CALLBACK (uid_notified_cb), f);
  return saver;
}

static gboolean
save (BuzonDraftSaver *saver,
      GError         **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_draft_saver_save_async (saver, NULL, store_result_cb, &result);
  return buzon_draft_saver_save_finish (saver, wait_for (&result), error);
}

static gboolean
discard (BuzonDraftSaver *saver,
         GError         **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_draft_saver_discard_async (saver, NULL, store_result_cb, &result);
  return buzon_draft_saver_discard_finish (saver, wait_for (&result), error);
}

/* What Drafts holds, as another client sees it: BuzonImapFetch with UID,
 * FLAGS and BODY[], by UID. */
static GPtrArray *
drafts (Fixture *f,
        guint32 *uidvalidity)
{
  g_autoptr (BuzonImapSession) session = logged_in (f->servers, "alice");
  g_autoptr (BuzonImapSelected) selected = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *fetches;
  Changes changes;

  changes_init (&changes);
  selected = select_mailbox (session, "Drafts", BUZON_IMAP_SELECT_READ_ONLY, NULL, NULL, &error);
  g_assert_no_error (error);
  if (uidvalidity != NULL)
    *uidvalidity = selected->uidvalidity;
  if (selected->exists > 0)
    {
      g_assert_true (fetch_into (session, "1:*", "(UID FLAGS BODY.PEEK[])", &changes, &error));
      g_assert_no_error (error);
    }
  logout (session);
  fetches = g_steal_pointer (&changes.fetches);
  changes_clear (&changes);
  return fetches;
}

static GMimeMessage *
parse (const BuzonImapFetch *fetch)
{
  const BuzonImapFetchSection *section = buzon_imap_fetch_get_section (fetch, FALSE, "");
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;
  gsize size;
  const char *data;

  /* GMime 3.2 declares no g_autoptr cleanups. */
  g_assert_nonnull (section);
  data = g_bytes_get_data (section->data, &size);
  stream = g_mime_stream_mem_new_with_buffer (data, size);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  g_object_unref (stream);
  g_assert_nonnull (message);
  return message;
}

/* Removes @uid from alice's Drafts, as another device would. */
static void
delete_elsewhere (Fixture *f,
                  guint32  uid)
{
  g_autoptr (BuzonImapSession) session = logged_in (f->servers, "alice");
  g_autoptr (BuzonImapSelected) selected = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GAsyncResult) expunged = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *set = g_strdup_printf ("%u", uid);
  static const char *const deleted[] = { "\\Deleted", NULL };

  selected = select_mailbox (session, "Drafts", BUZON_IMAP_SELECT_NONE, NULL, NULL, &error);
  g_assert_no_error (error);
  buzon_imap_session_store_async (session, set, BUZON_IMAP_STORE_ADD, deleted, 0, NULL, NULL,
                                  NULL, store_result_cb, &result);
  g_assert_true (buzon_imap_session_store_finish (session, wait_for (&result), NULL, &error));
  buzon_imap_session_expunge_async (session, set, NULL, store_result_cb, &expunged);
  g_assert_true (buzon_imap_session_expunge_finish (session, wait_for (&expunged), &error));
  g_assert_no_error (error);
  logout (session);
}

static void
test_overlapping_saves (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr (BuzonDraft) draft = new_draft ("Versión 1");
  g_autoptr (BuzonDraftSaver) saver = new_saver (f, draft);
  GAsyncResult *results[3] = { NULL, NULL, NULL };
  g_autoptr (GPtrArray) copies = NULL;
  GMimeMessage *message = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *message_id = NULL;
  const BuzonImapFetch *copy;
  guint32 uidvalidity = 0;
  guint32 first_uid;

  /* The composer saves as the user types: three saves, the second and
   * third asked for while the first is on its way. */
  buzon_draft_saver_save_async (saver, NULL, store_result_cb, &results[0]);
  buzon_draft_set_subject (draft, "Versión 2");
  buzon_draft_saver_save_async (saver, NULL, store_result_cb, &results[1]);
  buzon_draft_set_subject (draft, "Versión 3");
  buzon_draft_set_text (draft, "Hola, Bob. Última versión.\n");
  buzon_draft_saver_save_async (saver, NULL, store_result_cb, &results[2]);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_assert_true (buzon_draft_saver_save_finish (saver, wait_for (&results[i]), &error));
      g_assert_no_error (error);
      g_clear_object (&results[i]);
    }
  message_id = g_strdup (buzon_draft_get_message_id (draft));

  copies = drafts (f, &uidvalidity);
  g_assert_cmpuint (copies->len, ==, 1);
  copy = copies->pdata[0];
  g_assert_cmpuint (copy->uid, ==, buzon_draft_saver_get_uid (saver));
  g_assert_cmpuint (uidvalidity, ==, buzon_draft_saver_get_uidvalidity (saver));
  g_assert_true (has_flag (copy, "\\Draft"));
  g_assert_true (has_flag (copy, "\\Seen"));
  message = parse (copy);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Versión 3");
  g_assert_cmpstr (g_mime_message_get_message_id (message), ==, message_id);
  g_assert_nonnull (strstr (g_mime_object_get_header (GMIME_OBJECT (message), "Bcc"),
                            "carol@example.test"));
  /* Two APPENDs, not three: the waiting saves were one. */
  g_assert_cmpuint (f->uid_notifications, ==, 2);
  first_uid = copy->uid - 1;
  g_assert_cmpuint (first_uid, >, 0);

  /* A save after the others replaces the last copy again. */
  g_assert_true (save (saver, &error));
  g_assert_no_error (error);
  g_clear_pointer (&copies, g_ptr_array_unref);
  copies = drafts (f, NULL);
  g_assert_cmpuint (copies->len, ==, 1);
  g_assert_cmpuint (((BuzonImapFetch *) copies->pdata[0])->uid, ==,
                    buzon_draft_saver_get_uid (saver));
  g_clear_object (&message);
  message = parse (copies->pdata[0]);
  g_assert_cmpstr (g_mime_message_get_message_id (message), ==, message_id);

  g_clear_object (&message);
  g_clear_object (&draft);
  g_assert_finalize_object (g_steal_pointer (&saver));
}

static void
test_discard (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr (BuzonDraft) draft = new_draft ("Para tirar");
  g_autoptr (BuzonDraftSaver) saver = new_saver (f, draft);
  g_autoptr (GAsyncResult) saved = NULL;
  g_autoptr (GAsyncResult) waiting = NULL;
  g_autoptr (GAsyncResult) discarded = NULL;
  g_autoptr (GPtrArray) copies = NULL;
  g_autoptr (GError) error = NULL;

  /* Never saved: nothing to remove, and nothing is asked of the server. */
  g_assert_true (discard (saver, &error));
  g_assert_no_error (error);

  /* The user sends while a save runs and another waits. */
  buzon_draft_saver_save_async (saver, NULL, store_result_cb, &saved);
  buzon_draft_saver_save_async (saver, NULL, store_result_cb, &waiting);
  buzon_draft_saver_discard_async (saver, NULL, store_result_cb, &discarded);
  g_assert_true (buzon_draft_saver_save_finish (saver, wait_for (&saved), &error));
  g_assert_no_error (error);
  g_assert_false (buzon_draft_saver_save_finish (saver, wait_for (&waiting), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (buzon_draft_saver_discard_finish (saver, wait_for (&discarded), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_draft_saver_get_uid (saver), ==, 0);
  g_assert_cmpuint (buzon_draft_saver_get_uidvalidity (saver), ==, 0);
  copies = drafts (f, NULL);
  g_assert_cmpuint (copies->len, ==, 0);

  /* The results hold the saver. */
  g_clear_object (&saved);
  g_clear_object (&waiting);
  g_clear_object (&discarded);
  g_clear_object (&draft);
  g_assert_finalize_object (g_steal_pointer (&saver));
}

static void
test_reopened (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr (BuzonDraft) draft = new_draft ("Empezado el lunes");
  g_autoptr (BuzonDraftSaver) saver = new_saver (f, draft);
  g_autoptr (BuzonDraft) reopened = NULL;
  g_autoptr (BuzonDraftSaver) again = NULL;
  g_autoptr (GPtrArray) copies = NULL;
  GMimeMessage *message = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *message_id = NULL;
  guint32 old_uid;

  g_assert_true (save (saver, &error));
  g_assert_no_error (error);
  old_uid = buzon_draft_saver_get_uid (saver);
  message_id = g_strdup (buzon_draft_get_message_id (draft));
  copies = drafts (f, NULL);
  g_assert_cmpuint (copies->len, ==, 1);
  message = parse (copies->pdata[0]);

  /* Reopened later (another run of Buzón): the composer sets the copy. */
  reopened = buzon_draft_new_from_message (message);
  g_assert_cmpstr (buzon_draft_get_subject (reopened), ==, "Empezado el lunes");
  g_assert_cmpstr (buzon_draft_get_bcc (reopened), !=, NULL);
  buzon_draft_set_subject (reopened, "Terminado el viernes");
  again = new_saver (f, reopened);
  g_object_set (again, "uid", old_uid, "uidvalidity", buzon_draft_saver_get_uidvalidity (saver),
                NULL);
  g_assert_true (save (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_draft_saver_get_uid (again), !=, old_uid);

  g_clear_pointer (&copies, g_ptr_array_unref);
  g_clear_object (&message);
  copies = drafts (f, NULL);
  g_assert_cmpuint (copies->len, ==, 1);
  g_assert_cmpuint (((BuzonImapFetch *) copies->pdata[0])->uid, ==,
                    buzon_draft_saver_get_uid (again));
  message = parse (copies->pdata[0]);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Terminado el viernes");
  g_assert_cmpstr (g_mime_message_get_message_id (message), ==, message_id);

  g_clear_object (&message);
  g_clear_object (&draft);
  g_clear_object (&reopened);
  g_assert_finalize_object (g_steal_pointer (&saver));
  g_assert_finalize_object (g_steal_pointer (&again));
}

static void
test_gone (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr (BuzonDraft) draft = new_draft ("Borrado en el móvil");
  g_autoptr (BuzonDraftSaver) saver = new_saver (f, draft);
  g_autoptr (GPtrArray) copies = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (save (saver, &error));
  g_assert_no_error (error);
  delete_elsewhere (f, buzon_draft_saver_get_uid (saver));

  /* The copy to replace is gone: the save is no less a save. */
  g_assert_true (save (saver, &error));
  g_assert_no_error (error);
  copies = drafts (f, NULL);
  g_assert_cmpuint (copies->len, ==, 1);
  g_assert_cmpuint (((BuzonImapFetch *) copies->pdata[0])->uid, ==,
                    buzon_draft_saver_get_uid (saver));

  delete_elsewhere (f, buzon_draft_saver_get_uid (saver));
  g_assert_true (discard (saver, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_draft_saver_get_uid (saver), ==, 0);

  g_clear_object (&draft);
  g_assert_finalize_object (g_steal_pointer (&saver));
}

static void
test_other_uidvalidity (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr (BuzonImapSession) session = logged_in (f->servers, "alice");
  g_autoptr (BuzonDraft) draft = new_draft ("De otra época");
  g_autoptr (BuzonDraftSaver) saver = new_saver (f, draft);
  g_autoptr (GPtrArray) copies = NULL;
  g_autoptr (GError) error = NULL;
  guint32 uidvalidity = 0;
  guint32 theirs;

  /* A message the user keeps in Drafts has the UID the saver remembers,
   * but from a folder of another UIDVALIDITY: it is not the saver's copy. */
  theirs = append_message (session, "Drafts", "suyo", NULL, &error);
  g_assert_no_error (error);
  logout (session);
  g_clear_pointer (&copies, g_ptr_array_unref);
  copies = drafts (f, &uidvalidity);
  g_object_set (saver, "uid", theirs, "uidvalidity", uidvalidity + 1, NULL);
  g_assert_true (save (saver, &error));
  g_assert_no_error (error);

  g_clear_pointer (&copies, g_ptr_array_unref);
  copies = drafts (f, NULL);
  g_assert_cmpuint (copies->len, ==, 2);
  g_assert_cmpuint (((BuzonImapFetch *) copies->pdata[0])->uid, ==, theirs);
  g_assert_cmpuint (buzon_draft_saver_get_uidvalidity (saver), ==, uidvalidity);

  g_clear_object (&draft);
  g_assert_finalize_object (g_steal_pointer (&saver));
}

static void
test_session_dropped (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr (BuzonDraft) draft = new_draft ("Tras un corte");
  g_autoptr (BuzonDraftSaver) saver = new_saver (f, draft);
  g_autoptr (GPtrArray) copies = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (save (saver, &error));
  g_assert_no_error (error);
  /* Dovecot restarted between two saves: the kept session is dead. */
  buzon_test_mail_servers_run (f->servers, "stop-imap");
  buzon_test_mail_servers_run (f->servers, "start-imap");
  buzon_draft_set_subject (draft, "Tras un corte, otra vez");
  g_assert_true (save (saver, &error));
  g_assert_no_error (error);
  copies = drafts (f, NULL);
  g_assert_cmpuint (copies->len, ==, 1);
  g_assert_cmpuint (((BuzonImapFetch *) copies->pdata[0])->uid, ==,
                    buzon_draft_saver_get_uid (saver));

  g_clear_object (&draft);
  g_assert_finalize_object (g_steal_pointer (&saver));
}

static void
test_without_uidplus (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr (BuzonDraft) draft = new_draft ("Sin UIDPLUS");
  g_autoptr (BuzonDraftSaver) saver = new_saver (f, draft);
  g_autoptr (GPtrArray) copies = NULL;
  g_autoptr (GError) error = NULL;
  const BuzonImapFetch *old;
  const BuzonImapFetch *current;

  g_assert_true (save (saver, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_draft_saver_get_uid (saver), !=, 0);
  g_assert_true (save (saver, &error));
  g_assert_no_error (error);

  /* No UID EXPUNGE: the old copy stays, marked \Deleted, for the next
   * EXPUNGE; the user's other deleted messages are not expunged for it. */
  copies = drafts (f, NULL);
  g_assert_cmpuint (copies->len, ==, 2);
  old = copies->pdata[0];
  current = copies->pdata[1];
  g_assert_true (has_flag (old, "\\Deleted"));
  g_assert_false (has_flag (current, "\\Deleted"));
  g_assert_cmpuint (current->uid, ==, buzon_draft_saver_get_uid (saver));

  g_clear_object (&draft);
  g_assert_finalize_object (g_steal_pointer (&saver));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

  g_test_add ("/draft-saver/overlapping-saves", Fixture, NULL, set_up, test_overlapping_saves,
              tear_down);
  g_test_add ("/draft-saver/discard", Fixture, NULL, set_up, test_discard, tear_down);
  g_test_add ("/draft-saver/reopened", Fixture, NULL, set_up, test_reopened, tear_down);
  g_test_add ("/draft-saver/copy-gone", Fixture, NULL, set_up, test_gone, tear_down);
  g_test_add ("/draft-saver/other-uidvalidity", Fixture, NULL, set_up, test_other_uidvalidity,
              tear_down);
  g_test_add ("/draft-saver/session-dropped", Fixture, NULL, set_up, test_session_dropped,
              tear_down);
  g_test_add ("/draft-saver/without-uidplus", Fixture, "--without UIDPLUS", set_up,
              test_without_uidplus, tear_down);
  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
