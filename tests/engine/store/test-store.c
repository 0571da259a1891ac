// BuzonStore: opening, migrations, a database from a newer Buzón or not a
// database at all, folders, batches of messages (added once, flags, MODSEQ,
// expunges, UIDVALIDITY resets, all or nothing), and the summaries decoded
// from FETCH. Threads are in test-store-threads.c.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <signal.h>
#include <sys/resource.h>
#include <sqlite3.h>
#include <string.h>

#include "engine.h"
#include "imap/imap-mailbox.h"
#include "imap/imap-parser.h"
#include "imap/imap-uid-set.h"
#include "store-test-helpers.h"
#include "store/store-batch.h"
#include "store/store-body.h"
#include "store/store-folder.h"
#include "store/store-message.h"
#include "store/store-summary.h"
#include "store/store.h"

/* Opening. */

static void
test_open (Fixture      *f,
           gconstpointer data)
{
  g_autofree char *version = query (f, "PRAGMA user_version");
  g_autofree char *journal = query (f, "PRAGMA journal_mode");
  g_autofree char *page_size = query (f, "PRAGMA page_size");
  g_autofree char *expected = g_strdup_printf ("%u", buzon_store_get_schema_version ());
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (buzon_store_get_schema_version (), >=, 1);
  g_assert_cmpstr (version, ==, expected);
  g_assert_cmpstr (journal, ==, "wal");
  g_assert_cmpstr (page_size, ==, "16384");
  /* The full-text index merges 16 segments at a time (0012). */
  {
    g_autofree char *merge = query (f, "SELECT group_concat (k || '=' || v, ' ') FROM "
                                       "(SELECT k, v FROM message_fts_config "
                                       "WHERE k LIKE '%merge' ORDER BY k)");

    g_assert_cmpstr (merge, ==, "automerge=16 crisismerge=64");
  }

  /* Opening again does nothing more. */
  g_assert_true (open_store (f->store, &error));
  g_assert_no_error (error);

  /* Reopened by another store: the schema is there already. */
  buzon_store_close (f->store);
  g_clear_object (&f->store);
  f->store = buzon_store_new (f->path);
  g_assert_true (open_store (f->store, &error));
  g_assert_no_error (error);

  /* After closing, operations fail cleanly. */
  buzon_store_close (f->store);
  {
    g_autoptr (GAsyncResult) result = NULL;

    buzon_store_list_folders_async (f->store, NULL, store_result_cb, &result);
    g_assert_null (buzon_store_list_folders_finish (f->store, wait_for (&result), &error));
    g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CLOSED);
  }
}

/* A cache made before Buzón chose 16 KiB pages keeps its 4 KiB ones (only
 * a VACUUM could change them) and works as a new one does. */
static void
test_old_page_size (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (GPtrArray) mailboxes = g_ptr_array_new_with_free_func (
    (GDestroyNotify) buzon_imap_mailbox_free);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *page_size = NULL;
  g_autofree char *version = NULL;
  g_autofree char *expected = g_strdup_printf ("%u", buzon_store_get_schema_version ());
  g_autofree char *account_dir = g_path_get_dirname (f->path);
  sqlite3 *db = NULL;

  buzon_store_close (f->store);
  g_clear_object (&f->store);
  remove_tree (f->dir);
  g_assert_cmpint (g_mkdir_with_parents (account_dir, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL;"
                                     "CREATE TABLE made_before (a); DROP TABLE made_before",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  f->store = buzon_store_new (f->path);
  g_assert_true (open_store (f->store, &error));
  g_assert_no_error (error);
  page_size = query (f, "PRAGMA page_size");
  version = query (f, "PRAGMA user_version");
  g_assert_cmpstr (page_size, ==, "4096");
  g_assert_cmpstr (version, ==, expected);
  add_folder (f, mailboxes, "INBOX");
  g_assert_true (save_folders (f, mailboxes));
  folders = list_folders (f);
  g_assert_cmpuint (folders->len, ==, 1);
}

static void
test_too_new (Fixture      *f,
              gconstpointer data)
{
  sqlite3 *db = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *version = NULL;

  buzon_store_close (f->store);
  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 999", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);

  f->store = buzon_store_new (f->path);
  g_assert_false (open_store (f->store, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_TOO_NEW);
  /* Left as it was, for the newer Buzón. */
  version = query (f, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "999");
}

static void
test_not_a_database (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  char garbage[8192];

  buzon_store_close (f->store);
  g_clear_object (&f->store);
  memset (garbage, 'x', sizeof garbage);
  g_assert_true (g_file_set_contents (f->path, garbage, sizeof garbage, NULL));
  {
    g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
    g_unlink (wal);
  }

  f->store = buzon_store_new (f->path);
  g_assert_false (open_store (f->store, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CORRUPT);
}

/* Folders. */

static void
folders_changed_cb (BuzonStore *store,
                    gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_folders (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (GPtrArray) mailboxes = g_ptr_array_new_with_free_func (
    (GDestroyNotify) buzon_imap_mailbox_free);
  g_autoptr (GPtrArray) folders = NULL;
  gint64 ids[3];
  guint changes = 0;

  g_signal_connect (f->store, "folders-changed", G_CALLBACK (folders_changed_cb), &changes);
  three_folders (f, ids);
  g_assert_cmpuint (changes, ==, 1);

  /* A message in Archivo, then Archivo goes from the server: it goes from
   * the cache with its message and its full-text entry. */
  {
    BuzonStoreBatch *batch = buzon_store_batch_new (ids[2]);
    g_autoptr (GError) error = NULL;
    g_autofree char *fts = NULL;

    buzon_store_batch_add_fetch (batch, message (1, "", "Archivado", "a@x", "NIL", ""));
    g_assert_true (apply (f, batch, NULL, &error));
    g_assert_no_error (error);
    fts = query (f, "SELECT count(*) FROM message_fts");
    g_assert_cmpstr (fts, ==, "1");
  }
  add_folder (f, mailboxes, "INBOX");
  add_folder (f, mailboxes, "Sent");
  add_folder (f, mailboxes, "Año 2026");
  g_assert_true (save_folders (f, mailboxes));
  folders = list_folders (f);
  g_assert_cmpuint (folders->len, ==, 3);
  /* INBOX first, then by name; ids kept for the folders that stayed. */
  g_assert_cmpstr (((BuzonStoreFolder *) folders->pdata[0])->name, ==, "INBOX");
  g_assert_cmpint (((BuzonStoreFolder *) folders->pdata[0])->id, ==, ids[0]);
  g_assert_nonnull (folder_named (folders, "Año 2026"));
  g_assert_null (folder_named (folders, "Archivo"));
  {
    g_autofree char *messages = query (f, "SELECT count(*) FROM message");
    g_autofree char *fts = query (f, "SELECT count(*) FROM message_fts");

    g_assert_cmpstr (messages, ==, "0");
    g_assert_cmpstr (fts, ==, "0");
  }
}

/* Batches. */

static void
test_batch (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  BuzonStoreBatchResult counts;
  BuzonStoreBatch *batch;
  gint64 ids[3];

  three_folders (f, ids);

  /* New messages, with the folder's state, in one batch. */
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (1, "\\Seen", "Uno", "1@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (2, "\\Flagged $Trabajo", "Dos", "2@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (3, "", "Tres", "3@x", "NIL", ""));
  buzon_store_batch_set_state (batch, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_UIDVALIDITY
                                                  | BUZON_STORE_STATE_UIDNEXT
                                                  | BUZON_STORE_STATE_HIGHESTMODSEQ,
                                        .uidvalidity = 77, .uidnext = 4, .highestmodseq = 30 });
  g_assert_true (apply (f, batch, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.added, ==, 3);

  /* The same messages again (a resumed first sync): nothing doubles. */
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (2, "\\Flagged $Trabajo", "Dos", "2@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (3, "", "Tres", "3@x", "NIL", ""));
  g_assert_true (apply (f, batch, &counts, &error));
  g_assert_cmpuint (counts.added, ==, 0);
  {
    g_autofree char *uids = query (f, "SELECT uid FROM message ORDER BY uid");
    g_autofree char *flags = query (f, "SELECT flags || ':' || coalesce (keywords, '') "
                                       "FROM message ORDER BY uid");
    g_autofree char *state = query (f, "SELECT uidvalidity || '/' || uidnext || '/' || "
                                       "highestmodseq FROM folder WHERE raw_name = 'INBOX'");

    g_assert_cmpstr (uids, ==, "1,2,3");
    g_assert_cmpstr (flags, ==, "1:,4:$Trabajo,0:");
    g_assert_cmpstr (state, ==, "77/4/30");
  }

  /* Flags only (a CHANGEDSINCE answer) and an expunge. */
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, fetch_from ("* 3 FETCH (UID 3 FLAGS (\\Seen \\Answered) "
                                                  "MODSEQ (41))\r\n"));
  {
    BuzonImapUidRange range = { 1, 1 };
    g_autoptr (GArray) removed = g_array_new (FALSE, FALSE, sizeof range);

    g_array_append_val (removed, range);
    buzon_store_batch_remove_uids (batch, removed);
  }
  g_assert_true (apply (f, batch, &counts, &error));
  g_assert_cmpuint (counts.updated, ==, 1);
  g_assert_cmpuint (counts.removed, ==, 1);
  folders = list_folders (f);
  g_assert_cmpuint (folder_named (folders, "INBOX")->cached_count, ==, 2);
  g_assert_cmpuint (folder_named (folders, "INBOX")->cached_unseen, ==, 1);
  /* The states alone, as a sync lists them: the same, without the counts. */
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GPtrArray) states = NULL;
    const BuzonStoreFolder *state;
    const BuzonStoreFolder *full = folder_named (folders, "INBOX");

    buzon_store_list_folder_states_async (f->store, NULL, store_result_cb, &result);
    states = buzon_store_list_folders_finish (f->store, wait_for (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (states->len, ==, folders->len);
    state = folder_named (states, "INBOX");
    g_assert_cmpint (state->id, ==, full->id);
    g_assert_cmpuint (state->uidvalidity, ==, full->uidvalidity);
    g_assert_cmpuint (state->highestmodseq, ==, full->highestmodseq);
    g_assert_cmpuint (state->exists_count, ==, full->exists_count);
    g_assert_cmpuint (state->cached_count, ==, 0);
    g_assert_cmpuint (state->cached_unseen, ==, 0);
  }
  {
    g_autofree char *row = query (f, "SELECT flags || '/' || modseq FROM message WHERE uid = 3");
    g_autofree char *fts = query (f, "SELECT count(*) FROM message_fts");

    g_assert_cmpstr (row, ==, "3/41");
    g_assert_cmpstr (fts, ==, "2");
  }

  /* A batch for a folder that went: an error, and nothing of it kept. */
  batch = buzon_store_batch_new (ids[2] + 100);
  buzon_store_batch_add_fetch (batch, message (9, "", "Nueve", "9@x", "NIL", ""));
  g_assert_false (apply (f, batch, NULL, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* UIDVALIDITY changed: the folder is emptied and refilled. */
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_reset (batch);
  buzon_store_batch_add_fetch (batch, message (1, "", "Nuevo uno", "n1@x", "NIL", ""));
  buzon_store_batch_set_state (batch, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_UIDVALIDITY,
                                        .uidvalidity = 78 });
  g_assert_true (apply (f, batch, &counts, &error));
  g_assert_cmpuint (counts.removed, ==, 2);
  g_assert_cmpuint (counts.added, ==, 1);
  {
    g_autofree char *subjects = query (f, "SELECT subject FROM message");
    g_autofree char *fts = query (f, "SELECT count(*) FROM message_fts");

    g_assert_cmpstr (subjects, ==, "Nuevo uno");
    g_assert_cmpstr (fts, ==, "1");
  }

  /* The cached UIDs, as ranges. */
  batch = buzon_store_batch_new (ids[0]);
  for (guint uid = 5; uid <= 8; uid++)
    buzon_store_batch_add_fetch (batch, message (uid, "", "x", "y@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (20, "", "x", "y@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GArray) ranges = NULL;

    buzon_store_list_uids_async (f->store, ids[0], NULL, store_result_cb, &result);
    ranges = buzon_store_list_uids_finish (f->store, wait_for (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ranges->len, ==, 3);
    g_assert_cmpuint (g_array_index (ranges, BuzonImapUidRange, 1).first, ==, 5);
    g_assert_cmpuint (g_array_index (ranges, BuzonImapUidRange, 1).last, ==, 8);
  }
}

/* Batches appended to one another (what a sync does while the store is
 * busy): one transaction with all their messages and the last state;
 * refused where the order of the changes would matter. */
static void
test_batch_append (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonStoreBatchResult counts;
  BuzonStoreBatch *batch;
  BuzonStoreBatch *other;
  gint64 ids[3];

  three_folders (f, ids);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Uno", "1@x", "NIL", ""));
  buzon_store_batch_set_state (batch, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_UIDVALIDITY
                                                  | BUZON_STORE_STATE_UIDNEXT,
                                        .uidvalidity = 5, .uidnext = 2 });
  other = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (other, message (2, "\\Seen", "Dos", "2@x", "NIL", ""));
  buzon_store_batch_add_fetch (other, message (3, "", "Tres", "3@x", "NIL", ""));
  buzon_store_batch_set_state (other, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_UIDNEXT,
                                        .uidnext = 4 });
  g_assert_true (buzon_store_batch_append (batch, other));
  g_assert_cmpuint (buzon_store_batch_get_size (batch), ==, 3);

  /* Another folder's, or one that removes messages: not appended, and
   * still whole. */
  other = buzon_store_batch_new (ids[1]);
  buzon_store_batch_add_fetch (other, message (1, "", "Otro", "o@x", "NIL", ""));
  g_assert_false (buzon_store_batch_append (batch, other));
  g_assert_cmpuint (buzon_store_batch_get_size (other), ==, 1);
  buzon_store_batch_free (other);
  other = buzon_store_batch_new (ids[0]);
  buzon_store_batch_reset (other);
  g_assert_false (buzon_store_batch_append (batch, other));
  buzon_store_batch_free (other);

  g_assert_true (apply (f, batch, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.added, ==, 3);
  {
    g_autofree char *subjects = query (f, "SELECT subject FROM message ORDER BY uid");
    g_autofree char *state = query (f, "SELECT uidvalidity || '/' || uidnext FROM folder "
                                       "WHERE raw_name = 'INBOX'");
    g_autofree char *fts = query (f, "SELECT count(*) FROM message_fts");

    g_assert_cmpstr (subjects, ==, "Uno,Dos,Tres");
    g_assert_cmpstr (state, ==, "5/4");
    g_assert_cmpstr (fts, ==, "3");
  }

  /* An expunge after new mail goes in a batch of its own, after them. */
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (4, "", "Cuatro", "4@x", "NIL", ""));
  other = buzon_store_batch_new (ids[0]);
  {
    BuzonImapUidRange range = { 4, 4 };
    g_autoptr (GArray) removed = g_array_new (FALSE, FALSE, sizeof range);

    g_array_append_val (removed, range);
    buzon_store_batch_remove_uids (other, removed);
  }
  g_assert_false (buzon_store_batch_append (batch, other));
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_true (apply (f, other, &counts, &error));
  g_assert_cmpuint (counts.removed, ==, 1);
}

/* Dates: the usual form read by hand, the rest by GMime, and either way
 * what GMime alone read before. */
static void
test_dates (Fixture      *f,
            gconstpointer data)
{
  const char *const dates[] = {
    "Fri, 27 Nov 2026 10:30:00 +0100",
    "27 Nov 2026 10:30:00 +0100",
    "Fri,  7 Nov 2026 23:59 -0830",
    "Mon, 29 Feb 2028 00:00:01 +0000 (UTC)",
    "Tue, 31 Dec 1999 23:59:59 -0000",
    "Thu, 1 Jan 1970 00:00:00 +1400",
    "fri, 27 nov 2026 10:30:00 +0100",
    /* Left to GMime. */
    "Fri, 27 Nov 2026 10:30:00 GMT",
    "Fri, 27 Nov 26 10:30:00 +0100",
    "Fri, 27 Nov 2026 10:30:00 CET",
    "2026-11-27T10:30:00Z",
    "Fri, 31 Feb 2026 10:30:00 +0100",
    "Fri, 27 Nov 2026 25:30:00 +0100",
    "Fri, 27 Nov 2026 10:30:60 +0100",
    "Fri 27 Nov 2026 10:30:00 +0100",
    "27 Nov 2026",
    "no date",
    "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autoptr (GDateTime) expected = g_mime_utils_header_decode_date (dates[i]);
      gint64 parsed = -1;
      gboolean ok = buzon_store_parse_date (dates[i], &parsed);

      g_test_message ("%s", dates[i]);
      g_assert_cmpint (ok, ==, expected != NULL);
      if (expected != NULL)
        g_assert_cmpint (parsed, ==, g_date_time_to_unix (expected));
    }
  {
    gint64 parsed = 0;

    g_assert_true (buzon_store_parse_date ("Fri, 27 Nov 2026 10:30:00 +0100", &parsed));
    g_assert_cmpint (parsed, ==, 1795771800);
  }
}

/* Encoded words: the usual ones decoded by hand, the rest by GMime, and
 * either way exactly what GMime alone decodes, over hand-picked texts and
 * thousands put together at random from the pieces that trip decoders. */
static void
test_header_text (Fixture      *f,
                  gconstpointer data)
{
  const char *const texts[] = {
    "=?UTF-8?Q?Re:_Reuni=C3=B3n_n=C2=BA_12?=",
    "=?utf-8?q?Mar=c3=ada?= <maria@example.org>",
    "=?UTF-8?B?wqFIb2xhIQ==?=",
    "=?UTF-8?B?SG9sYQ==?= =?UTF-8?B?IHF1w6k=?=",
    "=?UTF-8?Q?a?= b =?UTF-8?Q?c?=",
    "=?UTF-8?Q?a?=  \t =?UTF-8?Q?b?=",
    "Re: =?UTF-8?Q?caf=C3=A9?= ma\xc3\xb1" "ana",
    "=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=",
    "=?UTF-8?Q?=C3?=",
    "=?ISO-8859-1?Q?Jos=E9?=",
    "=?US-ASCII?Q?plain?=",
    "=?UTF-8*es?Q?hola?=",
    "x=?UTF-8?Q?a?=",
    "=?UTF-8?Q?a?=y",
    "=?UTF-8?Q?a?==?UTF-8?Q?b?=",
    "=?UTF-8?Q?a=0Ab?=",
    "=?UTF-8?B?SG9sYQ?=",
    "=?UTF-8?B?SG9sYQ=?=",
    "=?UTF-8?X?abc?=",
    "=?UTF-8?Q?abc",
    "=?UTF-8?Q?" "?=",
    "=?UTF-8?Q?a_b?= ",
    " leading =?UTF-8?Q?x?=",
    "tab\there",
    "",
  };
  const char *const pieces[] = {
    "=?UTF-8?Q?", "=?utf-8?b?", "=?us-ascii?Q?", "=?ISO-8859-1?Q?", "?=", "_", "=C3=B3",
    "=C3", "=A9", "=3F", "=5F", "=00", "=", "?", " ", "  ", "\t", "a", "Re:", "w7M=", "SG9s",
    "YQ==", "8J+Ygw==", "\xc3\xb1", "\xff", "<x@y>", "\n",
  };
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261202);

  for (gsize i = 0; i < G_N_ELEMENTS (texts) + 20000; i++)
    {
      g_autofree char *random = NULL;
      const char *text = i < G_N_ELEMENTS (texts) ? texts[i] : NULL;
      g_autofree char *expected = NULL;
      g_autofree char *decoded = NULL;

      if (text == NULL)
        {
          g_autoptr (GString) built = g_string_new (NULL);
          int count = g_rand_int_range (rand, 1, 12);

          for (int k = 0; k < count; k++)
            g_string_append (built, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
          text = random = g_string_free (g_steal_pointer (&built), FALSE);
        }
      expected = g_mime_utils_header_decode_text (NULL, text);
      decoded = buzon_store_decode_header_text (text);
      if (g_strcmp0 (decoded, expected) != 0)
        g_error ("“%s” decoded to “%s”, GMime says “%s”", text, decoded, expected);
    }
  g_assert_null (buzon_store_decode_header_text (NULL));
  {
    g_autofree char *subject = buzon_store_decode_header_text (texts[0]);

    g_assert_cmpstr (subject, ==, "Re: Reunión nº 12");
  }
}

/* Thread subjects fold case as g_utf8_casefold() does, Latin-1 by hand
 * and the rest by GLib, over random UTF-8 texts of ASCII, Latin-1 and
 * others. */
static void
test_subject_fold (Fixture      *f,
                   gconstpointer data)
{
  const char *const pieces[] = {
    "a", "Z", " ", "1", ":", "\xc3\x80", "\xc3\x89", "\xc3\x97", "\xc3\x9e", "\xc3\x9f",
    "\xc3\xa9", "\xc3\xbf", "\xc2\xb5", "\xc2\xba", "\xc2\xa0", "\xce\xa9", "\xc4\xb0",
    "\xe1\xba\x9e", "\x7f",
  };
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261202);

  for (guint i = 0; i < 5000; i++)
    {
      g_autoptr (GString) text = g_string_new ("x");
      g_autofree char *expected = NULL;
      g_autofree char *folded = NULL;
      gboolean reply = TRUE;
      int count = g_rand_int_range (rand, 0, 10);

      for (int k = 0; k < count; k++)
        g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      expected = g_utf8_casefold (g_strstrip (text->str), -1);
      folded = buzon_store_thread_subject (text->str, &reply);
      g_assert_false (reply);
      g_assert_cmpstr (folded, ==, expected);
    }
  {
    g_autofree char *folded = buzon_store_thread_subject ("Re: [Equipo] CAFÉ Straße", NULL);

    g_assert_cmpstr (folded, ==, "café strasse");
  }
}

/* What a summary holds. */
static void
test_summary (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (BuzonImapFetch) fetch = message (7, "\\Seen \\Recent $Label1",
                                              "=?UTF-8?B?UmU6IMOxb8Oxbw==?=", "m7@example.org",
                                              "\"<m6@example.org>\"",
                                              "<m5@example.org>\r\n <m6@example.org>");
  g_autoptr (BuzonStoreSummary) summary = buzon_store_summary_new_from_fetch (fetch);
  g_auto (GStrv) imap_flags = buzon_store_flags_to_imap (summary->flags, summary->keywords);
  g_autofree char *joined = g_strjoinv (" ", imap_flags);

  g_assert_cmpuint (summary->uid, ==, 7);
  g_assert_cmpuint (summary->modseq, ==, 70);
  g_assert_cmpint (summary->flags, ==, BUZON_STORE_FLAG_SEEN);
  g_assert_cmpstr (summary->keywords, ==, "$Label1");
  g_assert_cmpstr (joined, ==, "\\Seen $Label1");
  g_assert_cmpstr (summary->subject, ==, "Re: ñoño");
  g_assert_cmpstr (summary->thread_subject, ==, "ñoño");
  g_assert_true (summary->is_reply);
  g_assert_cmpstr (summary->sender_name, ==, "María Núñez");
  g_assert_cmpstr (summary->sender_address, ==, "maria@example.org");
  g_assert_cmpstr (summary->to_list, ==, "ana@example.test, Bob <bob@example.com>");
  g_assert_cmpstr (summary->message_id, ==, "m7@example.org");
  g_assert_cmpstr (summary->in_reply_to, ==, "m6@example.org");
  {
    /* The first ID that is one: empty and nested brackets skipped. */
    g_autoptr (BuzonImapFetch) odd = message (8, "", "x", "m8@example.org",
                                              "\"< > <a<b> < c@d > <e@f>\"", "");
    g_autoptr (BuzonStoreSummary) odd_summary = buzon_store_summary_new_from_fetch (odd);

    g_assert_cmpstr (odd_summary->in_reply_to, ==, "c@d");
  }
  g_assert_cmpuint (g_strv_length (summary->references), ==, 2);
  g_assert_cmpstr (summary->references[0], ==, "m5@example.org");
  g_assert_cmpstr (summary->list_id, ==, "equipo.example.org");
  g_assert_true (summary->has_attachment);
  /* The Date header, not INTERNALDATE. */
  g_assert_cmpint (summary->date, ==, 1772701620);

  {
    /* Names with commas or quotes are quoted, as RFC 5322 wants them. */
    g_autoptr (BuzonImapFetch) quoted = fetch_from (
      "* 1 FETCH (UID 9 ENVELOPE (NIL \"x\" ((\"=?UTF-8?Q?P=C3=A9rez,_Luis?=\" NIL \"luis\" "
      "\"example.org\")) NIL NIL ((\"Ana \\\"la jefa\\\"\" NIL \"ana\" \"example.test\")"
      "(NIL NIL \"bob\" \"example.com\")) NIL NIL NIL NIL))\r\n");
    g_autoptr (BuzonStoreSummary) names = buzon_store_summary_new_from_fetch (quoted);

    g_assert_cmpstr (names->from_list, ==, "\"Pérez, Luis\" <luis@example.org>");
    g_assert_cmpstr (names->to_list, ==, "\"Ana \\\"la jefa\\\"\" <ana@example.test>, "
                                         "bob@example.com");
    g_assert_cmpstr (names->sender_name, ==, "Pérez, Luis");
  }
  {
    struct
    {
      const char *subject;
      const char *expected;
      gboolean reply;
    } subjects[] = {
      { "Re: Re: Hola", "hola", TRUE },
      { "RE[2]: Hola", "hola", TRUE },
      { "[equipo] Fwd: Informe", "informe", TRUE },
      { "AW: SV: Møde", "møde", TRUE },
      { "Réunion", "réunion", FALSE },
      { "Re:", "", TRUE },
      { "[solo]", "[solo]", FALSE },
      { "Recuerdo", "recuerdo", FALSE },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (subjects); i++)
      {
        gboolean reply = FALSE;
        g_autofree char *normal = buzon_store_thread_subject (subjects[i].subject, &reply);

        g_assert_cmpstr (normal, ==, subjects[i].expected);
        g_assert_cmpint (reply, ==, subjects[i].reply);
      }
  }
}

/* Full text: accents and case do not matter. */
static void
test_full_text (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonStoreBatch *batch;
  gint64 ids[3];

  three_folders (f, ids);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Reunión del café", "a@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (2, "", "Otra", "b@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));
  {
    g_autofree char *cafe = query (f, "SELECT m.uid FROM message m WHERE m.id IN (SELECT rowid "
                                      "FROM message_fts WHERE message_fts MATCH 'cafe')");
    g_autofree char *nunez = query (f, "SELECT count(*) FROM message_fts WHERE message_fts "
                                       "MATCH 'sender : nunez'");

    g_assert_cmpstr (cafe, ==, "1");
    g_assert_cmpstr (nunez, ==, "2");
  }
}

/* Listing a page, newest first; searching with the query language. */
static void
test_list_and_search (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) page = NULL;
  BuzonStoreBatch *batch;
  gint64 ids[3];

  three_folders (f, ids);
  batch = buzon_store_batch_new (ids[0]);
  /* message() dates them by UID: the higher, the newer. */
  buzon_store_batch_add_fetch (batch, message (1, "\\Seen", "Factura de marzo", "a@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (2, "", "Reunión", "b@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (3, "\\Flagged", "Café el viernes", "c@x", "NIL",
                                               ""));
  g_assert_true (apply (f, batch, NULL, &error));
  batch = buzon_store_batch_new (ids[1]);
  buzon_store_batch_add_fetch (batch, message (1, "\\Seen", "Re: Reunión", "d@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));

  buzon_store_list_messages_async (f->store, ids[0], 1, 5, NULL, store_result_cb, &result);
  page = buzon_store_list_messages_finish (f->store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (((BuzonStoreMessage *) page->pdata[0])->subject, ==, "Reunión");
  g_assert_cmpstr (((BuzonStoreMessage *) page->pdata[1])->subject, ==, "Factura de marzo");
  g_assert_cmpstr (((BuzonStoreMessage *) page->pdata[0])->sender_name, ==, "María Núñez");
  g_clear_pointer (&page, g_ptr_array_unref);

  {
    struct
    {
      const char *query;
      gint64 folder;
      const char *expected;
    } cases[] = {
      { "reunion", 0, "Reunión|Re: Reunión" },
      { "reunion", 1, "Reunión" },
      { "is:unread", 1, "Café el viernes|Reunión" },
      { "is:flagged cafe", 0, "Café el viernes" },
      { "from:nunez -subject:\"re\"", 0, "Café el viernes|Reunión|Factura de marzo" },
      { "has:attachment factura", 0, "Factura de marzo" },
      { "nada de esto", 0, "" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr (BuzonSearchQuery) search = buzon_search_query_parse (cases[i].query, NULL,
                                                                        &error);
        g_autoptr (GPtrArray) found = NULL;
        g_autoptr (GString) subjects = g_string_new (NULL);

        g_assert_no_error (error);
        g_clear_object (&result);
        buzon_store_search_async (f->store, cases[i].folder ? ids[0] : 0, search, 50, NULL,
                                  store_result_cb, &result);
        found = buzon_store_search_finish (f->store, wait_for (&result), &error);
        g_assert_no_error (error);
        for (guint m = 0; m < found->len; m++)
          g_string_append_printf (subjects, "%s%s", m > 0 ? "|" : "",
                                  ((BuzonStoreMessage *) found->pdata[m])->subject);
        g_assert_cmpstr (subjects->str, ==, cases[i].expected);
      }
  }
}

/* Bodies: not cached, then kept and indexed; gone with their message. */
static void
test_bodies (Fixture      *f,
             gconstpointer data)
{
  static const char text[] = "Subject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                             "<p>Mucha <b>berenjena</b></p>\r\n";
  g_autoptr (GBytes) raw = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonStoreBody) body = NULL;
  g_autoptr (GError) error = NULL;
  BuzonStoreBatch *batch;
  gint64 ids[3];

  three_folders (f, ids);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (4, "", "Cena", "a@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));

  buzon_store_get_body_async (f->store, ids[0], 4, NULL, store_result_cb, &result);
  body = buzon_store_get_body_finish (f->store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_null (body->raw);
  g_clear_object (&result);

  buzon_store_save_body_async (f->store, body->message_id, raw, NULL, store_result_cb, &result);
  g_assert_true (buzon_store_save_body_finish (f->store, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_clear_pointer (&body, buzon_store_body_free);
  buzon_store_get_body_async (f->store, ids[0], 4, NULL, store_result_cb, &result);
  body = buzon_store_get_body_finish (f->store, wait_for (&result), &error);
  g_assert_true (g_bytes_equal (body->raw, raw));
  g_clear_object (&result);
  {
    g_autofree char *found = query (f, "SELECT count(*) FROM message_fts WHERE message_fts "
                                       "MATCH 'body : berenjena'");
    g_autofree char *tags = query (f, "SELECT count(*) FROM message_fts WHERE message_fts "
                                      "MATCH 'body : b'");

    g_assert_cmpstr (found, ==, "1");
    g_assert_cmpstr (tags, ==, "0");
  }

  /* An unknown UID, and a message that left the cache. */
  buzon_store_get_body_async (f->store, ids[0], 5, NULL, store_result_cb, &result);
  g_assert_null (buzon_store_get_body_finish (f->store, wait_for (&result), &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&result);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_reset (batch);
  g_assert_true (apply (f, batch, NULL, &error));
  {
    g_autofree char *bodies = query (f, "SELECT count(*) FROM body");
    g_assert_cmpstr (bodies, ==, "0");
  }
  buzon_store_save_body_async (f->store, body->message_id, raw, NULL, store_result_cb, &result);
  g_assert_false (buzon_store_save_body_finish (f->store, wait_for (&result), &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
}

static char *
missing_bodies (Fixture *f,
                gint64   folder_id,
                gint64   since)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) missing = NULL;
  GString *out = g_string_new (NULL);
  guint too_large = 0;

  buzon_store_list_missing_bodies_async (f->store, folder_id, since, G_MAXUINT64, NULL,
                                         store_result_cb, &result);
  missing = buzon_store_list_missing_bodies_finish (f->store, wait_for (&result), &too_large,
                                                    &error);
  g_assert_no_error (error);
  for (guint i = 0; i < missing->len; i++)
    g_string_append_printf (out, "%s%u", i > 0 ? "," : "",
                            g_array_index (missing, BuzonStoreMissingBody, i).uid);
  return g_string_free (out, FALSE);
}

/* The messages a prefetch downloads: those without a body, newest first,
 * recent ones only when asked; the list follows bodies stored and
 * dropped, and a cache from before the list had its column learns which
 * bodies it holds. */
static void
test_missing_bodies (Fixture      *f,
                     gconstpointer data)
{
  static const char text[] = "Subject: x\r\n\r\nhola\r\n";
  g_autoptr (GBytes) raw = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr (GError) error = NULL;
  BuzonStoreBatch *batch;
  gint64 ids[3];
  sqlite3 *db = NULL;

  three_folders (f, ids);
  batch = buzon_store_batch_new (ids[0]);
  for (guint32 uid = 1; uid <= 5; uid++)
    buzon_store_batch_add_fetch (batch, message (uid, "", "Cena", "a@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *all = missing_bodies (f, ids[0], 0);
    /* The helper's message N is dated 5 March 2026, 09:0N UTC (its Date;
     * it arrived at 09:00). */
    g_autofree char *before = missing_bodies (f, ids[0], 1772701200 + 60);
    g_autofree char *since_third = missing_bodies (f, ids[0], 1772701200 + 3 * 60);
    g_autofree char *after = missing_bodies (f, ids[0], 1772701200 + 5 * 60 + 1);

    g_assert_cmpstr (all, ==, "5,4,3,2,1");
    g_assert_cmpstr (before, ==, "5,4,3,2,1");
    g_assert_cmpstr (since_third, ==, "5,4,3");
    g_assert_cmpstr (after, ==, "");
  }
  for (guint32 uid = 2; uid <= 4; uid += 2)
    {
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (BuzonStoreBody) body = NULL;

      buzon_store_get_body_async (f->store, ids[0], uid, NULL, store_result_cb, &result);
      body = buzon_store_get_body_finish (f->store, wait_for (&result), &error);
      g_assert_no_error (error);
      g_clear_object (&result);
      buzon_store_save_body_async (f->store, body->message_id, raw, NULL, store_result_cb,
                                   &result);
      g_assert_true (buzon_store_save_body_finish (f->store, wait_for (&result), &error));
      g_assert_no_error (error);
    }
  {
    g_autofree char *left = missing_bodies (f, ids[0], 0);

    g_assert_cmpstr (left, ==, "5,3,1");
  }
  /* A body dropped is missing again. */
  {
    g_autofree char *again = NULL;

    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "DELETE FROM body WHERE message_id = "
                                       "(SELECT id FROM message WHERE uid = 4)",
                                   NULL, NULL, NULL),
                     ==, SQLITE_OK);
    sqlite3_close (db);
    again = missing_bodies (f, ids[0], 0);
    g_assert_cmpstr (again, ==, "5,4,3,1");
  }

  /* A cache of schema 4: bodies, and no column saying so. */
  buzon_store_close (f->store);
  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER body_added; DROP TRIGGER body_removed;"
                                     UNDO_MIGRATIONS_9_TO_12
                                     "ALTER TABLE message DROP COLUMN has_body;"
                                     "PRAGMA user_version = 4",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  f->store = buzon_store_new (f->path);
  g_assert_true (open_store (f->store, &error));
  g_assert_no_error (error);
  {
    g_autofree char *migrated = missing_bodies (f, ids[0], 0);
    /* Migration 0010 starts thread numbers above every one given. */
    g_autofree char *high = query (f, "SELECT last_id FROM thread_high");
    g_autofree char *largest = query (f, "SELECT max (max (id), max (thread_id)) FROM message");

    g_assert_cmpstr (migrated, ==, "5,4,3,1");
    g_assert_cmpstr (high, !=, "0");
    g_assert_cmpstr (high, ==, largest);
  }
}

/* Schema 8: a cache of schema 7, whose full-text index kept per-column
 * sizes, keeps every entry, body text included, once migrated; the index
 * is whole and goes on working (new rows, removals, a body saved). */
static void
test_migration_fts_columnsize (Fixture      *f,
                               gconstpointer data)
{
  static const char text[] = "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                             "Traigo berenjenas.\r\n";
  g_autoptr (GBytes) raw = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonStoreBody) body = NULL;
  g_autoptr (GError) error = NULL;
  BuzonStoreBatch *batch;
  sqlite3 *db;
  gint64 ids[3];

  three_folders (f, ids);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Reunión del café", "a@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (2, "", "Otra", "b@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (3, "", "Cena", "c@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));
  buzon_store_get_body_async (f->store, ids[0], 3, NULL, store_result_cb, &result);
  body = buzon_store_get_body_finish (f->store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  buzon_store_save_body_async (f->store, body->message_id, raw, NULL, store_result_cb, &result);
  g_assert_true (buzon_store_save_body_finish (f->store, wait_for (&result), &error));
  g_clear_object (&result);

  /* The index as schema 7 had it, with the same entries. */
  buzon_store_close (f->store);
  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE VIRTUAL TABLE old_fts USING fts5 (subject, sender, "
                                 "recipients, body, tokenize = 'unicode61 remove_diacritics 2');"
                                 "INSERT INTO old_fts (rowid, subject, sender, recipients, body) "
                                 "SELECT rowid, subject, sender, recipients, body FROM message_fts;"
                                 "DROP TABLE message_fts;"
                                 "ALTER TABLE old_fts RENAME TO message_fts;"
                                 UNDO_MIGRATIONS_9_TO_12
                                 "PRAGMA user_version = 7",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  {
    g_autofree char *sizes = query (f, "SELECT count(*) FROM sqlite_master "
                                       "WHERE name = 'message_fts_docsize'");
    g_assert_cmpstr (sizes, ==, "1");
  }

  f->store = buzon_store_new (f->path);
  g_assert_true (open_store (f->store, &error));
  g_assert_no_error (error);
  {
    g_autofree char *version = query (f, "PRAGMA user_version");
    g_autofree char *expected = g_strdup_printf ("%u", buzon_store_get_schema_version ());
    g_autofree char *sizes = query (f, "SELECT count(*) FROM sqlite_master "
                                       "WHERE name = 'message_fts_docsize'");
    g_autofree char *cafe = query (f, "SELECT m.uid FROM message m WHERE m.id IN (SELECT rowid "
                                      "FROM message_fts WHERE message_fts MATCH 'cafe')");
    g_autofree char *nunez = query (f, "SELECT count(*) FROM message_fts WHERE message_fts "
                                       "MATCH 'sender : nunez'");
    g_autofree char *berenjenas = query (f, "SELECT m.uid FROM message m WHERE m.id IN (SELECT "
                                            "rowid FROM message_fts WHERE message_fts MATCH "
                                            "'body : berenjenas')");
    g_autofree char *merge = query (f, "SELECT v FROM message_fts_config "
                                       "WHERE k = 'automerge'");

    g_assert_cmpstr (version, ==, expected);
    g_assert_cmpstr (sizes, ==, "0");
    /* 0012 reached the index 0008 built again. */
    g_assert_cmpstr (merge, ==, "16");
    g_assert_cmpstr (cafe, ==, "1");
    g_assert_cmpstr (nunez, ==, "3");
    g_assert_cmpstr (berenjenas, ==, "3");
  }

  /* It goes on: a new message found, a removed one gone, the index whole. */
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (4, "", "Café otra vez", "d@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));
  batch = buzon_store_batch_new (ids[0]);
  {
    g_autoptr (GArray) removed = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
    BuzonImapUidRange range = { 1, 1 };

    g_array_append_val (removed, range);
    buzon_store_batch_remove_uids (batch, removed);
  }
  g_assert_true (apply (f, batch, NULL, &error));
  {
    g_autofree char *cafe = query (f, "SELECT m.uid FROM message m WHERE m.id IN (SELECT rowid "
                                      "FROM message_fts WHERE message_fts MATCH 'cafe')");
    g_autofree char *entries = query (f, "SELECT count(*) FROM message_fts");

    g_assert_cmpstr (cafe, ==, "4");
    g_assert_cmpstr (entries, ==, "3");
  }
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO message_fts (message_fts, rank) "
                                     "VALUES ('integrity-check', 1)",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
}

static gint64
file_size (const char *path)
{
  GStatBuf buf;

  return g_stat (path, &buf) == 0 ? (gint64) buf.st_size : -1;
}

/* The write-ahead log is copied into the database as batches land, so it
 * stays small while the store is open. A statement that a batch left
 * reading (one that looked up a single row, say) kept a read transaction
 * open through COMMIT, and with it every checkpoint from copying a page:
 * the log then grew with each batch, to six times the cache's size in a
 * first sync of 100,000 messages. */
static void
test_log_bounded (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  const guint batches = 30, per_batch = 500;
  BuzonStoreBatchResult counts;
  gint64 ids[3];

  three_folders (f, ids);
  for (guint b = 0; b < batches; b++)
    {
      BuzonStoreBatch *batch = buzon_store_batch_new (ids[0]);

      /* Newest first, as a first sync fetches; each message replies to one
       * not seen yet, so that the thread tables grow in random order. */
      for (guint i = 0; i < per_batch; i++)
        {
          guint32 uid = (batches - b) * per_batch - i;
          g_autofree char *id = g_strdup_printf ("%08x.%u@x", uid * 2654435761u, uid);
          g_autofree char *parent = g_strdup_printf ("<%08x.p@x>", uid * 2246822519u);
          g_autofree char *subject = g_strdup_printf ("Re: informe %u del proyecto", uid % 997);

          buzon_store_batch_add_fetch (batch, message (uid, "", subject, id, "NIL", parent));
        }
      g_assert_true (apply (f, batch, &counts, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (counts.added, ==, per_batch);
    }

  /* The store is still open: the messages are in the database file, and
   * the log holds about what SQLite copies at once (4,000 pages of 4 KiB)
   * and a batch, not every page that every batch wrote. */
  g_test_message ("database %" G_GINT64_FORMAT " bytes, log %" G_GINT64_FORMAT " bytes",
                  file_size (f->path), file_size (wal));
  g_assert_cmpint (file_size (f->path), >, 2 * 1024 * 1024);
  g_assert_cmpint (file_size (wal), <, 24 * 1024 * 1024);
}

/* A full disk: the batch that does not fit fails with a clear error,
 * nothing of it is kept, what was there before stays, and the store works
 * on once there is room again. The disk is made "full" by a file size
 * limit, which SQLite reports as an I/O error (ENOSPC itself becomes
 * BUZON_STORE_ERROR_FULL). */
static void
test_disk_full (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  struct rlimit saved;
  struct rlimit tight;
  GStatBuf before;
  BuzonStoreBatch *batch;
  gint64 ids[3];

  three_folders (f, ids);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Antes", "antes@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));

  /* Past the WAL's current size, writes fail as on a full disk. */
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  {
    g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);

    g_assert_cmpint (g_stat (wal, &before), ==, 0);
  }
  signal (SIGXFSZ, SIG_IGN);
  tight = saved;
  tight.rlim_cur = (rlim_t) before.st_size + 4096;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &tight), ==, 0);

  batch = buzon_store_batch_new (ids[0]);
  for (guint uid = 2; uid < 2000; uid++)
    buzon_store_batch_add_fetch (batch, message (uid, "", "Mucho texto para llenar el disco",
                                                 "lleno@x", "NIL", ""));
  g_assert_false (apply (f, batch, NULL, &error));
  g_assert_true (g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FULL)
                 || g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED));
  g_assert_nonnull (strstr (error->message, "saving"));
  g_clear_error (&error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);

  {
    g_autofree char *subjects = query (f, "SELECT subject FROM message");
    g_assert_cmpstr (subjects, ==, "Antes");
  }
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (2, "", "Después", "despues@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *count = query (f, "SELECT count(*) FROM message");
    g_assert_cmpstr (count, ==, "2");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

#define ADD(path, func) \
  g_test_add ("/store/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("open", test_open);
  ADD ("old-page-size", test_old_page_size);
  ADD ("too-new", test_too_new);
  ADD ("not-a-database", test_not_a_database);
  ADD ("folders", test_folders);
  ADD ("batch", test_batch);
  ADD ("batch-append", test_batch_append);
  ADD ("summary", test_summary);
  ADD ("dates", test_dates);
  ADD ("header-text", test_header_text);
  ADD ("subject-fold", test_subject_fold);
  ADD ("migration-fts-columnsize", test_migration_fts_columnsize);
  ADD ("full-text", test_full_text);
  ADD ("list-and-search", test_list_and_search);
  ADD ("bodies", test_bodies);
  ADD ("missing-bodies", test_missing_bodies);
  ADD ("log-bounded", test_log_bounded);
  ADD ("disk-full", test_disk_full);
#undef ADD

  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
