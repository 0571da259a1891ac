// BuzonStore's threads: replies joined across folders, by subject as a last
// resort, merges (also chains of them, and one in the middle of a batch),
// thread numbers never given twice, and the keys of migration 0011.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <sqlite3.h>

#include "engine.h"
#include "imap/imap-uid-set.h"
#include "store-test-helpers.h"
#include "store/store-batch.h"
#include "store/store.h"

static gint64
thread_of (Fixture    *f,
           const char *message_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT thread_id FROM message WHERE message_id = '%s'",
                                          message_id);
  g_autofree char *value = query (f, sql);

  g_assert_cmpstr (value, !=, "");
  return g_ascii_strtoll (value, NULL, 10);
}

static void
test_threads (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonStoreBatch *batch;
  gint64 ids[3];

  three_folders (f, ids);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Plan", "a@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (2, "", "Re: Plan", "b@x", "\"<a@x>\"", "<a@x>"));
  buzon_store_batch_add_fetch (batch, message (3, "", "Otra cosa", "d@x", "NIL", ""));
  /* A reply by subject alone, with no IDs (as some clients send). */
  buzon_store_batch_add_fetch (batch, message (4, "", "RE: otra COSA", "e@x", "NIL", ""));
  /* A reply to a message not cached yet: its own thread for now. */
  buzon_store_batch_add_fetch (batch, message (5, "", "Re: Viaje", "g@x", "\"<f@x>\"", "<f@x>"));
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_no_error (error);

  /* The user's reply in Sent joins its thread across folders. */
  batch = buzon_store_batch_new (ids[1]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Re: Plan", "c@x", "\"<b@x>\"",
                                               "<a@x> <b@x>"));
  /* The message the reply of 5 answered, arriving later. */
  buzon_store_batch_add_fetch (batch, message (2, "", "Viaje", "f@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));

  g_assert_cmpint (thread_of (f, "a@x"), ==, thread_of (f, "b@x"));
  g_assert_cmpint (thread_of (f, "a@x"), ==, thread_of (f, "c@x"));
  g_assert_cmpint (thread_of (f, "d@x"), ==, thread_of (f, "e@x"));
  g_assert_cmpint (thread_of (f, "d@x"), !=, thread_of (f, "a@x"));
  g_assert_cmpint (thread_of (f, "f@x"), ==, thread_of (f, "g@x"));

  /* A message that names both threads merges them, everywhere. */
  batch = buzon_store_batch_new (ids[2]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Resumen", "h@x", "NIL", "<c@x> <d@x>"));
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_cmpint (thread_of (f, "a@x"), ==, thread_of (f, "d@x"));
  g_assert_cmpint (thread_of (f, "e@x"), ==, thread_of (f, "h@x"));
  g_assert_cmpint (thread_of (f, "f@x"), !=, thread_of (f, "h@x"));
  {
    g_autofree char *threads = query (f, "SELECT count(DISTINCT thread_id) FROM message");
    g_assert_cmpstr (threads, ==, "2");
  }

  /* A late reply to a message of the thread merged away finds the thread
   * it went into. */
  batch = buzon_store_batch_new (ids[2]);
  buzon_store_batch_add_fetch (batch, message (2, "", "Re: Otra cosa", "i@x", "\"<e@x>\"",
                                               "<d@x> <e@x>"));
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_cmpint (thread_of (f, "i@x"), ==, thread_of (f, "a@x"));

  /* Merges one after another: p's thread goes into q's, then both into
   * f's; a message that names only an ID of q's finds f's thread. */
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (10, "", "Uno", "p@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (11, "", "Dos", "q@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (12, "", "Tres", "r@x", "NIL", "<p@x> <q@x>"));
  g_assert_true (apply (f, batch, NULL, &error));
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (13, "", "Cuatro", "s@x", "NIL", "<g@x> <p@x>"));
  g_assert_true (apply (f, batch, NULL, &error));
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (14, "", "Cinco", "t@x", "NIL", "<q@x>"));
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_cmpint (thread_of (f, "t@x"), ==, thread_of (f, "f@x"));
  g_assert_cmpint (thread_of (f, "q@x"), ==, thread_of (f, "f@x"));
  g_assert_cmpint (thread_of (f, "p@x"), ==, thread_of (f, "g@x"));
  g_assert_cmpint (thread_of (f, "t@x"), !=, thread_of (f, "a@x"));
  {
    g_autofree char *threads = query (f, "SELECT count(DISTINCT thread_id) FROM message");
    g_assert_cmpstr (threads, ==, "2");
  }

  /* The newest message goes, and the next takes its row id: not its
   * thread, which a late reply to the one gone would find. */
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (20, "", "Suelto", "u@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));
  {
    gint64 gone = thread_of (f, "u@x");
    BuzonImapUidRange range = { 20, 20 };
    g_autoptr (GArray) removed = g_array_new (FALSE, FALSE, sizeof range);

    g_array_append_val (removed, range);
    batch = buzon_store_batch_new (ids[0]);
    buzon_store_batch_remove_uids (batch, removed);
    g_assert_true (apply (f, batch, NULL, &error));
    batch = buzon_store_batch_new (ids[0]);
    buzon_store_batch_add_fetch (batch, message (21, "", "Nuevo", "v@x", "NIL", ""));
    buzon_store_batch_add_fetch (batch, message (22, "", "Re: Suelto", "w@x", "\"<u@x>\"",
                                                 "<u@x>"));
    g_assert_true (apply (f, batch, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (thread_of (f, "v@x"), !=, gone);
    g_assert_cmpint (thread_of (f, "w@x"), ==, gone);
    g_assert_cmpint (thread_of (f, "v@x"), !=, thread_of (f, "w@x"));
  }
}

/* A merge and, later in the same batch, a message that names only an ID of
 * the thread merged away: it finds the thread that thread went into, though
 * the cache had no merged thread when the batch began. */
static void
test_threads_merge_in_batch (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonStoreBatch *batch;
  gint64 ids[3];

  three_folders (f, ids);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Uno", "k1@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (2, "", "Dos", "k2@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (3, "", "Tres", "k3@x", "NIL", "<k1@x> <k2@x>"));
  buzon_store_batch_add_fetch (batch, message (4, "", "Cuatro", "k4@x", "NIL", "<k2@x>"));
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (thread_of (f, "k4@x"), ==, thread_of (f, "k1@x"));
  g_assert_cmpint (thread_of (f, "k2@x"), ==, thread_of (f, "k1@x"));
  {
    g_autofree char *threads = query (f, "SELECT count(DISTINCT thread_id) FROM message");
    g_assert_cmpstr (threads, ==, "1");
  }
}

/* Schema 11: a cache of schema 10, whose threads' Message-IDs were kept as
 * text in thread_member, keeps every one of them, keyed; a late reply to a
 * message cached before the migration still finds its thread. */
static void
test_migration_thread_key (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonStoreBatch *batch;
  gint64 ids[3];
  sqlite3 *db = NULL;

  three_folders (f, ids);
  batch = buzon_store_batch_new (ids[0]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Plan", "a@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (2, "", "Otra cosa", "d@x", "NIL", ""));
  /* A reply whose parent is not cached: its ID is known only to the thread
   * table. */
  buzon_store_batch_add_fetch (batch, message (3, "", "Re: Viaje", "g@x", "\"<f@x>\"", "<f@x>"));
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_no_error (error);

  buzon_store_close (f->store);
  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP TABLE thread_key;"
                                 "CREATE TABLE thread_member (message_id TEXT PRIMARY KEY, "
                                 "thread_id INTEGER NOT NULL) WITHOUT ROWID;"
                                 "CREATE INDEX thread_member_by_thread "
                                 "ON thread_member (thread_id);"
                                 "INSERT INTO thread_member SELECT message_id, thread_id "
                                 "FROM message;"
                                 "INSERT INTO thread_member SELECT in_reply_to, thread_id "
                                 "FROM message WHERE in_reply_to IS NOT NULL;"
                                 "PRAGMA user_version = 10",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  f->store = buzon_store_new (f->path);
  g_assert_true (open_store (f->store, &error));
  g_assert_no_error (error);
  {
    g_autofree char *keys = query (f, "SELECT count(*) FROM thread_key");
    g_autofree char *old = query (f, "SELECT count(*) FROM sqlite_master "
                                     "WHERE name LIKE 'thread_member%'");

    g_assert_cmpstr (keys, ==, "4");
    g_assert_cmpstr (old, ==, "0");
  }
  batch = buzon_store_batch_new (ids[1]);
  buzon_store_batch_add_fetch (batch, message (1, "", "Re: Plan", "b@x", "\"<a@x>\"", "<a@x>"));
  buzon_store_batch_add_fetch (batch, message (2, "", "Viaje", "f@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (3, "", "Nuevo", "h@x", "NIL", ""));
  g_assert_true (apply (f, batch, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (thread_of (f, "b@x"), ==, thread_of (f, "a@x"));
  g_assert_cmpint (thread_of (f, "f@x"), ==, thread_of (f, "g@x"));
  g_assert_cmpint (thread_of (f, "h@x"), !=, thread_of (f, "a@x"));
  g_assert_cmpint (thread_of (f, "h@x"), !=, thread_of (f, "d@x"));
  g_assert_cmpint (thread_of (f, "h@x"), !=, thread_of (f, "g@x"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

#define ADD(path, func) \
  g_test_add ("/store/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("threads", test_threads);
  ADD ("threads-merge-in-batch", test_threads_merge_in_batch);
  ADD ("migration-thread-key", test_migration_thread_key);
#undef ADD

  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
