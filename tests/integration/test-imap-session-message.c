// BuzonImapSession's commands that change messages, against the fixture
// Dovecot: UID STORE (and UNCHANGEDSINCE), UID COPY and UID MOVE with
// COPYUID, the MOVE fallback where the server lacks MOVE (and UIDPLUS),
// EXPUNGE and UID EXPUNGE, APPEND with APPENDUID, flags and date, APPENDLIMIT,
// UID SEARCH with and without ESEARCH, and IDLE with its renewal.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "imap/imap-error.h"
#include "imap-session-helpers.h"

static BuzonTestMailServers *servers;

static BuzonImapSession *
session_on (BuzonTestMailServers *fixture,
            const char           *mailbox,
            const char           *subjects[])
{
  g_autoptr (BuzonImapSession) session = logged_in (fixture, "alice");
  g_autoptr (BuzonImapSelected) selected = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (create_mailbox (session, mailbox, &error));
  g_assert_no_error (error);
  for (gsize i = 0; subjects != NULL && subjects[i] != NULL; i++)
    {
      g_assert_cmpuint (append_message (session, mailbox, subjects[i], NULL, &error), ==, i + 1);
      g_assert_no_error (error);
    }
  selected = select_mailbox (session, mailbox, BUZON_IMAP_SELECT_NONE, NULL, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&session);
}

static gboolean
store (BuzonImapSession     *session,
       const char           *uid_set,
       BuzonImapStoreAction  action,
       const char * const   *flags,
       guint64               unchanged_since,
       Changes              *changes,
       GArray              **modified,
       GError              **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_store_async (session, uid_set, action, flags, unchanged_since,
                                  changes != NULL ? on_fetch : NULL, changes, NULL,
                                  store_result_cb, &result);
  return buzon_imap_session_store_finish (session, wait_for (&result), modified, error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The flags of each message in @uid_set, as "uid:flag flag;" in UID order,
 * each message's flags sorted, \Recent left out. */
static char *
flags_of (BuzonImapSession *session,
          const char       *uid_set)
{
  Changes changes;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  changes_init (&changes);
  g_assert_true (fetch_into (session, uid_set, "(UID FLAGS)", &changes, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < changes.fetches->len; i++)
    {
      const BuzonImapFetch *fetch = g_ptr_array_index (changes.fetches, i);
      g_autoptr (GPtrArray) sorted = g_ptr_array_new ();

      for (gsize f = 0; fetch->flags[f] != NULL; f++)
        if (!g_str_equal (fetch->flags[f], "\\Recent"))
          g_ptr_array_add (sorted, fetch->flags[f]);
      g_ptr_array_sort (sorted, compare_strings);
      g_string_append_printf (out, "%u:", fetch->uid);
      for (guint f = 0; f < sorted->len; f++)
        g_string_append_printf (out, "%s%s", f > 0 ? " " : "", (char *) sorted->pdata[f]);
      g_string_append_c (out, ';');
    }
  changes_clear (&changes);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean expunge (BuzonImapSession *session,
                         const char       *uid_set,
                         GError          **error);

/* STORE. */

static void
test_store (void)
{
  const char *subjects[] = { "uno", "dos", "tres", NULL };
  g_autoptr (BuzonImapSession) session = session_on (servers, "Store", subjects);
  g_autoptr (BuzonImapConnection) other = other_client (servers, "alice");
  const char *flagged[] = { "\\Flagged", "$Trabajo", NULL };
  const char *seen[] = { "\\Seen", NULL };
  g_autoptr (GArray) modified = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *flags = NULL;
  guint64 modseq_before = 0;
  Changes changes;

  /* Adding flags hands back each message's new flags and MODSEQ. */
  changes_init (&changes);
  g_assert_true (store (session, "1:2", BUZON_IMAP_STORE_ADD, flagged, 0, &changes, &modified,
                        &error));
  g_assert_no_error (error);
  g_assert_cmpuint (modified->len, ==, 0);
  g_clear_pointer (&modified, g_array_unref);
  g_assert_cmpuint (changes.fetches->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const BuzonImapFetch *fetch = g_ptr_array_index (changes.fetches, i);

      g_assert_true (has_flag (fetch, "\\Flagged"));
      g_assert_true (has_flag (fetch, "$Trabajo"));
      g_assert_cmpuint (fetch->modseq, >, 0);
      if (fetch->uid == 2)
        modseq_before = fetch->modseq;
    }
  changes_clear (&changes);
  g_assert_cmpuint (modseq_before, >, 0);

  /* Removing and replacing. */
  g_assert_true (store (session, "1", BUZON_IMAP_STORE_REMOVE, flagged, 0, NULL, NULL, &error));
  g_assert_true (store (session, "3", BUZON_IMAP_STORE_REPLACE, seen, 0, NULL, NULL, &error));
  g_assert_no_error (error);
  flags = flags_of (session, "1:3");
  g_assert_cmpstr (flags, ==, "1:;2:$Trabajo \\Flagged;3:\\Seen;");
  g_clear_pointer (&flags, g_free);

  /* UNCHANGEDSINCE: another client changes message 2 first, so only 3
   * changes and 2 comes back as MODIFIED. */
  changes_init (&changes);
  g_assert_true (fetch_into (session, "2:3", "(UID MODSEQ)", &changes, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < changes.fetches->len; i++)
    modseq_before = MAX (modseq_before,
                         ((BuzonImapFetch *) g_ptr_array_index (changes.fetches, i))->modseq);
  changes_clear (&changes);
  run_with_mailbox (other, "SELECT", "Store");
  run_raw (other, "UID STORE", "2 +FLAGS (\\Answered)");
  g_assert_true (store (session, "2:3", BUZON_IMAP_STORE_ADD, flagged, modseq_before, NULL,
                        &modified, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (modified->len, ==, 1);
  g_assert_cmpuint (g_array_index (modified, BuzonImapUidRange, 0).first, ==, 2);
  g_assert_cmpuint (g_array_index (modified, BuzonImapUidRange, 0).last, ==, 2);
  flags = flags_of (session, "2:3");
  g_assert_cmpstr (flags, ==, "2:$Trabajo \\Answered \\Flagged;3:$Trabajo \\Flagged \\Seen;");
  g_clear_pointer (&flags, g_free);

  /* Flags that are not atoms never reach the wire. */
  {
    const char *bad[] = { "dos palabras", NULL };
    const char *injected[] = { "$a)\r\nA1 LOGOUT", NULL };
    const char *recent[] = { "\\Recent", NULL };

    g_assert_false (store (session, "1", BUZON_IMAP_STORE_ADD, bad, 0, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (store (session, "1", BUZON_IMAP_STORE_ADD, injected, 0, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (store (session, "1", BUZON_IMAP_STORE_ADD, recent, 0, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (store (session, "1:x", BUZON_IMAP_STORE_ADD, seen, 0, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  /* A mailbox opened read-only: Dovecot would answer OK and change
   * nothing, so the session refuses itself, and says why. */
  {
    g_autoptr (BuzonImapSelected) selected = select_mailbox (session, "Store",
                                                             BUZON_IMAP_SELECT_READ_ONLY, NULL,
                                                             NULL, &error);
    g_assert_no_error (error);
    g_assert_false (store (session, "1", BUZON_IMAP_STORE_ADD, seen, 0, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
    g_clear_error (&error);
    g_assert_false (expunge (session, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
    g_clear_error (&error);
    g_assert_true (noop (session, &error));
    g_assert_no_error (error);
  }
  logout (session);
}

/* COPY, MOVE, EXPUNGE. */

static gboolean
copy_or_move (BuzonImapSession  *session,
              gboolean           move,
              const char        *uid_set,
              const char        *mailbox,
              BuzonImapCopyUid **copyuid,
              GError           **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  if (move)
    buzon_imap_session_move_async (session, uid_set, mailbox, NULL, store_result_cb, &result);
  else
    buzon_imap_session_copy_async (session, uid_set, mailbox, NULL, store_result_cb, &result);
  return buzon_imap_session_copy_finish (session, wait_for (&result), copyuid, error);
}

static gboolean
expunge (BuzonImapSession *session,
         const char       *uid_set,
         GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_expunge_async (session, uid_set, NULL, store_result_cb, &result);
  return buzon_imap_session_expunge_finish (session, wait_for (&result), error);
}

static void
vanished_cb (BuzonImapSession *session,
             const GArray     *uids,
             gpointer          user_data)
{
  GArray *all = user_data;
  g_array_append_vals (all, uids->data, uids->len);
}

static void
expunged_cb (BuzonImapSession *session,
             guint             seq,
             gpointer          user_data)
{
  guint *count = user_data;
  (*count)++;
}

static guint32
exists_in (BuzonImapSession *session,
           const char       *mailbox)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonImapMailboxStatus) status = NULL;
  g_autoptr (GError) error = NULL;

  buzon_imap_session_status_async (session, mailbox, NULL, store_result_cb, &result);
  status = buzon_imap_session_status_finish (session, wait_for (&result), &error);
  g_assert_no_error (error);
  return status->messages;
}

static void
assert_copyuid (const BuzonImapCopyUid *copyuid,
                const guint32          *source,
                const guint32          *destination,
                guint                   n)
{
  g_assert_nonnull (copyuid);
  g_assert_cmpuint (copyuid->uidvalidity, >, 0);
  g_assert_cmpuint (copyuid->source->len, ==, n);
  g_assert_cmpuint (copyuid->destination->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (g_array_index (copyuid->source, guint32, i), ==, source[i]);
      g_assert_cmpuint (g_array_index (copyuid->destination, guint32, i), ==, destination[i]);
    }
}

static void
test_copy_move_expunge (void)
{
  const char *subjects[] = { "a", "b", "c", "d", "e", NULL };
  g_autoptr (BuzonImapSession) session = session_on (servers, "Origen", subjects);
  g_autoptr (GArray) vanished = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
  g_autoptr (BuzonImapCopyUid) copyuid = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *sent = NULL;
  const char *deleted[] = { "\\Deleted", NULL };

  g_signal_connect (session, "vanished", G_CALLBACK (vanished_cb), vanished);
  g_assert_true (create_mailbox (session, "Destino", &error));

  /* COPY says where each message went. */
  g_assert_true (copy_or_move (session, FALSE, "1:2", "Destino", &copyuid, &error));
  g_assert_no_error (error);
  assert_copyuid (copyuid, (guint32[]) { 1, 2 }, (guint32[]) { 1, 2 }, 2);
  g_clear_pointer (&copyuid, buzon_imap_copy_uid_free);
  g_assert_cmpuint (exists_in (session, "Destino"), ==, 2);

  /* MOVE too, and the source loses the message (VANISHED under QRESYNC). */
  g_assert_true (copy_or_move (session, TRUE, "3", "Destino", &copyuid, &error));
  g_assert_no_error (error);
  assert_copyuid (copyuid, (guint32[]) { 3 }, (guint32[]) { 3 }, 1);
  g_clear_pointer (&copyuid, buzon_imap_copy_uid_free);
  g_assert_cmpuint (vanished->len, ==, 1);
  g_assert_cmpuint (g_array_index (vanished, BuzonImapUidRange, 0).first, ==, 3);
  g_assert_cmpuint (exists_in (session, "Destino"), ==, 3);

  /* A destination that does not exist: a clear error, nothing lost. */
  g_assert_false (copy_or_move (session, TRUE, "4", "Inexistente", &copyuid, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NONEXISTENT);
  g_assert_null (copyuid);
  g_clear_error (&error);
  g_assert_false (copy_or_move (session, FALSE, "4", "Inexistente", NULL, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NONEXISTENT);
  g_clear_error (&error);
  g_assert_cmpuint (exists_in (session, "Origen"), ==, 4);

  /* UID EXPUNGE removes only the messages named, though others are
   * \Deleted too; EXPUNGE then removes the rest. */
  g_assert_true (store (session, "4:5", BUZON_IMAP_STORE_ADD, deleted, 0, NULL, NULL, &error));
  g_array_set_size (vanished, 0);
  g_assert_true (expunge (session, "5", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vanished->len, ==, 1);
  g_assert_cmpuint (g_array_index (vanished, BuzonImapUidRange, 0).first, ==, 5);
  g_assert_cmpuint (exists_in (session, "Origen"), ==, 3);
  g_assert_true (expunge (session, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (exists_in (session, "Origen"), ==, 2);
  logout (session);
  /* Dovecot writes its transcript out when the session ends. */
  sent = rawlog_sent (servers, "alice");
  g_assert_nonnull (strstr (sent, " UID MOVE 3 Destino\r\n"));
}

/* A server without MOVE: COPY, STORE \Deleted, UID EXPUNGE; without UIDPLUS
 * as well, the originals stay, marked \Deleted. */
static void
test_move_fallback (void)
{
  const char *subjects[] = { "x", "y", "z", NULL };
  BuzonTestMailServers *fixture = buzon_test_mail_servers_start ("--rawlog --without MOVE");
  BuzonTestMailServers *bare = buzon_test_mail_servers_start ("--rawlog --without MOVE,UIDPLUS");
  g_autoptr (GError) error = NULL;

  {
    g_autoptr (BuzonImapSession) session = session_on (fixture, "Origen", subjects);
    g_autoptr (BuzonImapCopyUid) copyuid = NULL;
    guint expunged = 0;
    g_autoptr (GArray) vanished = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
    g_autofree char *sent = NULL;
    g_autofree char *flags = NULL;

    g_signal_connect (session, "vanished", G_CALLBACK (vanished_cb), vanished);
    g_signal_connect (session, "expunged", G_CALLBACK (expunged_cb), &expunged);
    g_assert_true (create_mailbox (session, "Destino", &error));
    /* Message 1 is \Deleted already and must survive the move of 2. */
    run_raw (buzon_imap_session_get_connection (session), "UID STORE", "1 +FLAGS (\\Deleted)");
    g_assert_true (copy_or_move (session, TRUE, "2", "Destino", &copyuid, &error));
    g_assert_no_error (error);
    assert_copyuid (copyuid, (guint32[]) { 2 }, (guint32[]) { 1 }, 1);
    g_assert_cmpuint (vanished->len + expunged, ==, 1);
    flags = flags_of (session, "1:*");
    g_assert_cmpstr (flags, ==, "1:\\Deleted;3:;");
    g_assert_cmpuint (exists_in (session, "Destino"), ==, 1);
    logout (session);
    sent = rawlog_sent (fixture, "alice");
    g_assert_null (strstr (sent, "MOVE"));
    g_assert_nonnull (strstr (sent, " UID COPY 2 Destino\r\n"));
    g_assert_nonnull (strstr (sent, " UID EXPUNGE 2\r\n"));
  }
  {
    g_autoptr (BuzonImapSession) session = session_on (bare, "Origen", subjects);
    g_autofree char *sent = NULL;
    g_autofree char *flags = NULL;

    g_assert_true (create_mailbox (session, "Destino", &error));
    g_assert_true (copy_or_move (session, TRUE, "2", "Destino", NULL, &error));
    g_assert_no_error (error);
    flags = flags_of (session, "1:*");
    g_assert_cmpstr (flags, ==, "1:;2:\\Deleted;3:;");
    g_assert_cmpuint (exists_in (session, "Destino"), ==, 1);
    /* UID EXPUNGE needs UIDPLUS. */
    g_assert_false (expunge (session, "2", &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
    g_clear_error (&error);
    logout (session);
    sent = rawlog_sent (bare, "alice");
    g_assert_null (strstr (sent, "EXPUNGE"));
    g_assert_null (strstr (sent, "MOVE"));
  }
  buzon_test_mail_servers_stop (fixture);
  buzon_test_mail_servers_stop (bare);
}

/* APPEND. */

static void
exists_changed_cb (BuzonImapSession *session,
                   guint             exists,
                   gpointer          user_data)
{
  guint *last = user_data;
  *last = exists;
}

static void
test_append (void)
{
  g_autoptr (BuzonImapSession) session = logged_in (servers, "alice");
  const char *text = "From: =?UTF-8?Q?Mar=C3=ADa?= <maria@example.test>\r\n"
                     "Subject: =?UTF-8?B?w5HDsW8=?=\r\nMessage-ID: <append@example.test>\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n"
                     "Content-Transfer-Encoding: 8bit\r\n"
                     "\r\nA\xc3\xb1o nuevo, \xe6\x96\xb0\xe5\xb9\xb4.\r\n";
  g_autoptr (GBytes) message = g_bytes_new_static (text, strlen (text));
  g_autoptr (GDateTime) date = g_date_time_new_from_iso8601 ("2026-03-05T07:08:09-05:30", NULL);
  const char *flags[] = { "\\Seen", "$Forwarded", NULL };
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapSelected) selected = NULL;
  guint32 uidvalidity = 0;
  guint32 uid = 0;
  guint exists = 0;
  Changes changes;

  g_assert_true (create_mailbox (session, "Enviados", &error));
  buzon_imap_session_append_async (session, "Enviados", message, flags, date, NULL,
                                   store_result_cb, &result);
  g_assert_true (buzon_imap_session_append_finish (session, wait_for (&result), &uidvalidity, &uid,
                                                   &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (uid, ==, 1);

  /* The message is there byte for byte, with its flags and date, under the
   * UID and UIDVALIDITY APPENDUID gave. */
  selected = select_mailbox (session, "Enviados", BUZON_IMAP_SELECT_NONE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (selected->uidvalidity, ==, uidvalidity);
  changes_init (&changes);
  g_assert_true (fetch_into (session, "1", "(UID FLAGS INTERNALDATE BODY.PEEK[])", &changes,
                             &error));
  g_assert_no_error (error);
  {
    const BuzonImapFetch *fetch = g_ptr_array_index (changes.fetches, 0);
    const BuzonImapFetchSection *section = g_ptr_array_index (fetch->sections, 0);

    g_assert_cmpuint (fetch->uid, ==, 1);
    g_assert_true (has_flag (fetch, "\\Seen"));
    g_assert_true (has_flag (fetch, "$Forwarded"));
    /* The instant; Dovecot's maildir keeps no zone. */
    g_assert_cmpint (g_date_time_to_unix (fetch->internaldate), ==, g_date_time_to_unix (date));
    g_assert_true (g_bytes_equal (section->data, message));
  }
  changes_clear (&changes);

  /* Appending to the selected mailbox tells of the new message. */
  g_signal_connect (session, "exists-changed", G_CALLBACK (exists_changed_cb), &exists);
  g_assert_cmpuint (append_message (session, "Enviados", "otro", NULL, &error), ==, 2);
  g_assert_no_error (error);
  if (exists == 0)
    g_assert_true (noop (session, &error));
  g_assert_cmpuint (exists, ==, 2);

  /* No such mailbox: the server's TRYCREATE is an error of its own. */
  g_assert_cmpuint (append_message (session, "Inexistente", "perdido", NULL, &error), ==, 0);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NONEXISTENT);
  g_clear_error (&error);

  /* NUL bytes go as literal8 where the server has BINARY. */
  {
    static const char with_nul[] = "Subject: nul\r\n\r\nuno\0dos\r\n";
    g_autoptr (GBytes) binary = g_bytes_new_static (with_nul, sizeof with_nul - 1);

    buzon_imap_session_append_async (session, "Enviados", binary, NULL, NULL, NULL,
                                     store_result_cb, &result);
    g_assert_true (buzon_imap_session_append_finish (session, wait_for (&result), NULL, &uid,
                                                     &error));
    g_assert_no_error (error);
    g_assert_cmpuint (uid, ==, 3);
    g_clear_object (&result);
  }
  logout (session);
}

/* APPENDLIMIT: too large a message is refused before a byte is sent. */
static void
test_append_limit (void)
{
  const char *options = "--rawlog --with APPENDLIMIT=1000";
  BuzonTestMailServers *fixture = buzon_test_mail_servers_start (options);
  g_autoptr (BuzonImapSession) session = logged_in (fixture, "alice");
  g_autoptr (GString) big = g_string_new ("Subject: grande\r\n\r\n");
  g_autoptr (GBytes) message = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *sent = NULL;

  g_assert_cmpuint (buzon_imap_session_get_append_limit (session), ==, 1000);
  while (big->len <= 1000)
    g_string_append (big, "Una línea más de texto.\r\n");
  message = g_bytes_new (big->str, big->len);
  buzon_imap_session_append_async (session, "INBOX", message, NULL, NULL, NULL, store_result_cb,
                                   &result);
  g_assert_false (buzon_imap_session_append_finish (session, wait_for (&result), NULL, NULL,
                                                    &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_TOO_BIG);
  g_assert_true (noop (session, NULL));
  logout (session);
  sent = rawlog_sent (fixture, "alice");
  g_assert_null (strstr (sent, "APPEND"));
  g_clear_object (&session);
  buzon_test_mail_servers_stop (fixture);
}

/* SEARCH. */

static GArray *
search (BuzonImapSession     *session,
        const char           *criteria,
        const char * const   *strings,
        BuzonImapSearchFlags  flags,
        GError              **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_search_async (session, criteria, strings, flags, NULL, store_result_cb,
                                   &result);
  return buzon_imap_session_search_finish (session, wait_for (&result), error);
}

static char *
ranges_to_string (const GArray *ranges)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);

      if (out->len > 0)
        g_string_append_c (out, ',');
      if (range->first == range->last)
        g_string_append_printf (out, "%u", range->first);
      else
        g_string_append_printf (out, "%u:%u", range->first, range->last);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
check_search (BuzonTestMailServers *fixture)
{
  const char *subjects[] = { "Reunión", "informe", "Reunión de equipo", "factura", "café",
                             "Reunión final", NULL };
  g_autoptr (BuzonImapSession) session = session_on (fixture, "Buscar", subjects);
  const char *seen[] = { "\\Seen", NULL };
  g_autoptr (GError) error = NULL;
  struct
  {
    const char *criteria;
    const char *strings[3];
    const char *expected;
  } cases[] = {
    { "ALL", { NULL }, "1:6" },
    { "SUBJECT ?", { "Reunión", NULL }, "1,3,6" },
    { "OR SUBJECT ? SUBJECT ?", { "factura", "café", NULL }, "4:5" },
    { "(SUBJECT ? NOT SUBJECT ?) UNSEEN", { "Reunión", "final", NULL }, "3" },
    { "SEEN", { NULL }, "1:2" },
    { "SUBJECT ?", { "\"una\" \\cita) (", NULL }, "" },
    { "SUBJECT ?", { "no existe", NULL }, "" },
  };
  g_autoptr (GArray) sequence = NULL;
  g_autofree char *sequence_text = NULL;

  g_assert_true (store (session, "1:2", BUZON_IMAP_STORE_ADD, seen, 0, NULL, NULL, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GArray) found = search (session, cases[i].criteria, cases[i].strings,
                                         BUZON_IMAP_SEARCH_NONE, &error);
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      text = ranges_to_string (found);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }

  /* Sequence numbers, not UIDs: after an expunge they differ. */
  run_raw (buzon_imap_session_get_connection (session), "UID STORE", "1 +FLAGS (\\Deleted)");
  g_assert_true (expunge (session, NULL, &error));
  sequence = search (session, "SUBJECT ?", (const char *[]) { "Reunión", NULL },
                     BUZON_IMAP_SEARCH_SEQUENCE, &error);
  g_assert_no_error (error);
  sequence_text = ranges_to_string (sequence);
  g_assert_cmpstr (sequence_text, ==, "2,5");

  /* Criteria that do not match their strings never reach the wire. */
  g_assert_null (search (session, "SUBJECT ? FROM ?", (const char *[]) { "x", NULL },
                         BUZON_IMAP_SEARCH_NONE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (search (session, "(SUBJECT ?", (const char *[]) { "x", NULL },
                         BUZON_IMAP_SEARCH_NONE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  logout (session);
}

static void
test_search (void)
{
  g_autofree char *sent = NULL;

  check_search (servers);
  sent = rawlog_sent (servers, "alice");
  g_assert_nonnull (strstr (sent, "UID SEARCH RETURN (ALL) CHARSET UTF-8 SUBJECT"));
}

static void
test_search_without_esearch (void)
{
  BuzonTestMailServers *fixture = buzon_test_mail_servers_start ("--rawlog --without ESEARCH");
  g_autofree char *sent = NULL;

  check_search (fixture);
  sent = rawlog_sent (fixture, "alice");
  g_assert_null (strstr (sent, "RETURN"));
  g_assert_nonnull (strstr (sent, "UID SEARCH CHARSET UTF-8 SUBJECT"));
  buzon_test_mail_servers_stop (fixture);
}

/* IDLE. */

typedef struct
{
  guint exists;
  GAsyncResult *result;
} IdleWatch;

static void
idle_exists_cb (BuzonImapSession *session,
                guint             exists,
                gpointer          user_data)
{
  IdleWatch *watch = user_data;
  watch->exists = exists;
}

static void
spin_until (gboolean (*done) (gpointer),
            gpointer data,
            guint    seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (2000), TRUE);
}

static gboolean
has_exists (gpointer data)
{
  return ((IdleWatch *) data)->exists > 0;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static guint
count_of (const char *haystack,
          const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_idle (void)
{
  const char *subjects[] = { "primero", NULL };
  g_autoptr (BuzonImapSession) session = session_on (servers, "Esperar", subjects);
  g_autoptr (BuzonImapConnection) other = other_client (servers, "bob");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *before = rawlog_sent (servers, "alice");
  g_autofree char *after = NULL;
  IdleWatch watch = { 0 };

  g_object_set (session, "idle-refresh", 1, NULL);
  g_signal_connect (session, "exists-changed", G_CALLBACK (idle_exists_cb), &watch);
  buzon_imap_session_idle_async (session, NULL, store_result_cb, &watch.result);

  /* Only one at a time. */
  buzon_imap_session_idle_async (session, NULL, store_result_cb, &second);
  g_assert_false (buzon_imap_session_idle_finish (session, wait_for (&second), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);

  /* Renewed every second: after 3.5 s, at least three IDLE commands. */
  spin_until (never, NULL, 3);
  g_assert_null (watch.result);

  /* A command in between ends IDLE, runs, and IDLE resumes. */
  g_assert_true (noop (session, &error));
  g_assert_no_error (error);
  g_assert_null (watch.result);

  /* Mail delivered by someone else arrives while idling. */
  {
    g_autofree char *password = NULL;
    g_autoptr (BuzonImapSession) alice_other = logged_in (servers, "alice");

    g_assert_cmpuint (append_message (alice_other, "Esperar", "nuevo", NULL, &error), ==, 2);
    g_assert_no_error (error);
    logout (alice_other);
  }
  spin_until (has_exists, &watch, 10);
  g_assert_cmpuint (watch.exists, ==, 2);

  buzon_imap_session_idle_stop (session);
  g_assert_true (buzon_imap_session_idle_finish (session, wait_for (&watch.result), &error));
  g_assert_no_error (error);
  g_clear_object (&watch.result);

  /* Cancelling ends it with CANCELLED once the server answered DONE; the
   * session works on. */
  buzon_imap_session_idle_async (session, cancellable, store_result_cb, &watch.result);
  spin_until (never, NULL, 1);
  g_cancellable_cancel (cancellable);
  g_assert_false (buzon_imap_session_idle_finish (session, wait_for (&watch.result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&watch.result);
  g_assert_true (noop (session, &error));
  g_assert_no_error (error);

  /* Stopped before it began: nothing waits. */
  buzon_imap_session_idle_async (session, NULL, store_result_cb, &watch.result);
  buzon_imap_session_idle_stop (session);
  g_assert_true (buzon_imap_session_idle_finish (session, wait_for (&watch.result), &error));
  g_assert_no_error (error);
  g_clear_object (&watch.result);
  g_assert_true (noop (session, &error));
  logout (session);
  after = rawlog_sent (servers, "alice");
  g_assert_cmpuint (count_of (after, " IDLE\r\n") - count_of (before, " IDLE\r\n"), >=, 3);
  g_assert_cmpuint (count_of (after, " IDLE\r\n"), ==, count_of (after, "DONE\r\n"));
}

/* Keepalive: a quiet connection sends NOOP, an idling one does not. */
static void
test_keepalive (void)
{
  g_autoptr (BuzonImapSession) session = logged_in (servers, "carol");
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *sent = NULL;

  buzon_imap_connection_set_keepalive (buzon_imap_session_get_connection (session), 1);
  g_object_set (session, "idle-refresh", 60, NULL);
  buzon_imap_session_idle_async (session, NULL, store_result_cb, &result);
  spin_until (never, NULL, 3);
  buzon_imap_session_idle_stop (session);
  g_assert_true (buzon_imap_session_idle_finish (session, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  /* LOGOUT marks the end of the idle part in the transcript. */
  buzon_imap_session_logout_async (session, NULL, store_result_cb, &result);
  g_assert_true (buzon_imap_session_logout_finish (session, wait_for (&result), &error));
  g_clear_object (&result);
  g_clear_object (&session);
  sent = rawlog_sent (servers, "carol");
  g_assert_cmpuint (count_of (sent, " NOOP\r\n"), ==, 0);
  g_assert_cmpuint (count_of (sent, " IDLE\r\n"), ==, 1);
  g_clear_pointer (&sent, g_free);

  session = logged_in (servers, "carol");
  buzon_imap_connection_set_keepalive (buzon_imap_session_get_connection (session), 1);
  spin_until (never, NULL, 3);
  logout (session);
  sent = rawlog_sent (servers, "carol");
  g_assert_cmpuint (count_of (sent, " NOOP\r\n"), >=, 1);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  servers = buzon_test_mail_servers_start ("--rawlog");

  g_test_add_func ("/imap-session/store", test_store);
  g_test_add_func ("/imap-session/copy-move-expunge", test_copy_move_expunge);
  g_test_add_func ("/imap-session/move-fallback", test_move_fallback);
  g_test_add_func ("/imap-session/append", test_append);
  g_test_add_func ("/imap-session/append-limit", test_append_limit);
  g_test_add_func ("/imap-session/search", test_search);
  g_test_add_func ("/imap-session/search-without-esearch", test_search_without_esearch);
  g_test_add_func ("/imap-session/idle", test_idle);
  g_test_add_func ("/imap-session/keepalive", test_keepalive);

  status = g_test_run ();
  buzon_test_mail_servers_stop (servers);
  return status;
}
