// BuzonStore: one account's offline cache, an SQLite database written by
// one worker thread.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Every statement runs on the store's own thread, one job after another, so
// the main thread never waits for the disk and SQLite never sees two
// threads. A job is a GTask: the caller's callback runs in the caller's
// main context once the job returned its result. Writes that belong
// together run in one transaction, so that a crash at any instant leaves
// the database as it was before or after them (WAL, synchronous=FULL).
//
// The schema is built by numbered SQL files (migrations/NNNN-*.sql, compiled
// in as resources) applied in order, each in its own transaction, and
// recorded in PRAGMA user_version.

#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>

#include "engine.h"
#include "store-private.h"
#include "store-resources.h"

#define MIGRATIONS_PATH "/io/github/buzonmail/Buzon/store/migrations"

G_DEFINE_QUARK (buzon-store-error-quark, buzon_store_error)

typedef struct
{
  GTask *task; /* NULL: the worker stops. */
  BuzonStoreJobFunc func;
} Job;

struct _BuzonStore
{
  GObject parent_instance;

  char *path;
  GMainContext *context; /* Where signals are emitted. */
  GThread *worker;
  GAsyncQueue *jobs;
  gboolean closed;

  /* The worker's own: touched by no other thread. */
  sqlite3 *db;
  GHashTable *statements; /* SQL (by address) -> sqlite3_stmt, prepared once. */
  GHashTable *profile;    /* BUZON_DEBUG=sql: SQL text -> its Profile. */
  int log_pages;          /* In the write-ahead log after the last commit. */
  int checkpoint_pages;   /* The log's size that sets off a checkpoint. */
  gint64 checkpoint_time; /* How long the last commit's checkpoint took, in µs. */
};

G_DEFINE_FINAL_TYPE (BuzonStore, buzon_store, G_TYPE_OBJECT)

enum
{
  SIGNAL_FOLDER_CHANGED,
  SIGNAL_FOLDERS_CHANGED,
  SIGNAL_OUTBOX_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Errors. */

/* The error for a failed SQLite call, saying what the store was doing. */
GError *
_buzon_store_error (sqlite3    *db,
                    int         rc,
                    const char *doing)
{
  int code;
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  int system_errno = db != NULL ? sqlite3_system_errno (db) : 0;

  /* A write that failed for want of room is a full disk too, whatever
   * SQLite calls it (a failed write is an I/O error to it). */
  if ((rc & 0xff) == SQLITE_IOERR
      && (system_errno == ENOSPC || system_errno == EDQUOT || system_errno == EFBIG))
    rc = SQLITE_FULL;
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      code = BUZON_STORE_ERROR_FULL;
      /* Translators: %s is what the store was doing, such as “saving messages”. */
      return g_error_new (BUZON_STORE_ERROR, code, _("The disk is full while %s; nothing of it "
                                                     "was saved"), doing);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = BUZON_STORE_ERROR_CORRUPT;
      break;
    default:
      code = BUZON_STORE_ERROR_FAILED;
      break;
    }
  /* Translators: the first %s is what the store was doing, the second
   * SQLite's own words. */
  return g_error_new (BUZON_STORE_ERROR, code, _("The mail cache failed while %s: %s"), doing,
                      detail);
}

/* The store's trace: with "store" in BUZON_DEBUG, each commit (how long it
 * took, the pages in the write-ahead log after it, and the checkpoint that
 * copied the log into the database when it ran one) and, as the store
 * closes, the CPU time its thread used, on stderr. */
static gboolean
tracing (void)
{
  return buzon_engine_debugging (BUZON_DEBUG_STORE);
}

static void G_GNUC_PRINTF (1, 2)
trace (const char *format,
       ...)
{
  gint64 start = buzon_engine_trace_start ();
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("store %8.3f %s\n", (g_get_monotonic_time () - start) / 1e6, text);
}

/* The log is copied into the database (a passive checkpoint, which never
 * waits for readers) once it holds 16 MiB rather than SQLite's 1,000 pages:
 * a page that several batches of a sync rewrite in between is copied once,
 * and the copies (each with two fsyncs) are fewer. */
#define CHECKPOINT_BYTES (16 * 1024 * 1024)

/* A new database's page, rather than SQLite's 4 KiB: a first sync writes a
 * quarter of the log frames and of the checkpoint's copies, each a system
 * call or two (100k messages: the store's thread used 5-17% less CPU time,
 * a quarter less system time, against 8 KiB 5% less; 32 KiB no better).
 * A database made before keeps its own size. */
#define PAGE_SIZE 16384

/* After every commit, in place of SQLite's own automatic checkpoint (which
 * does the same), so that the trace can show it. */
static int
wal_hook_cb (gpointer    user_data,
             sqlite3    *db,
             const char *name,
             int         pages)
{
  BuzonStore *self = user_data;

  self->log_pages = pages;
  self->checkpoint_time = 0;
  if (pages >= self->checkpoint_pages)
    {
      gint64 start = g_get_monotonic_time ();

      sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      self->checkpoint_time = g_get_monotonic_time () - start;
    }
  return SQLITE_OK;
}

/* With "sql" in BUZON_DEBUG, the time each statement took, added up by its
 * text (SQLite's own statements, FTS5's, count too) and printed, the
 * costliest first, as the store closes. */
typedef struct
{
  const char *sql;
  guint64 runs;
  gint64 nanoseconds;
} Profile;

static int
profile_cb (unsigned int type,
            gpointer     user_data,
            gpointer     statement,
            gpointer     elapsed)
{
  BuzonStore *self = user_data;
  const char *sql = sqlite3_sql (statement);
  Profile *profile;

  if (type != SQLITE_TRACE_PROFILE || sql == NULL)
    return 0;
  profile = g_hash_table_lookup (self->profile, sql);
  if (profile == NULL)
    {
      profile = g_new0 (Profile, 1);
      profile->sql = g_strdup (sql);
      g_hash_table_insert (self->profile, (gpointer) profile->sql, profile);
    }
  profile->runs++;
  profile->nanoseconds += *(sqlite3_int64 *) elapsed;
  return 0;
}

static void
profile_free (gpointer data)
{
  Profile *profile = data;

  g_free ((gpointer) profile->sql);
  g_free (profile);
}

static int
compare_profiles (gconstpointer a,
                  gconstpointer b)
{
  const Profile *first = *(Profile *const *) a;
  const Profile *second = *(Profile *const *) b;

  return (first->nanoseconds < second->nanoseconds) - (first->nanoseconds > second->nanoseconds);
}

static void
print_profile (GHashTable *table)
{
  g_autoptr (GPtrArray) profiles = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (profiles, value);
  g_ptr_array_sort (profiles, compare_profiles);
  for (guint i = 0; i < profiles->len && i < 20; i++)
    {
      const Profile *profile = profiles->pdata[i];
      g_autofree char *sql = g_strdup (profile->sql);

      g_strdelimit (sql, "\n\t", ' ');
      g_printerr ("sql %9.1f ms %8" G_GUINT64_FORMAT " runs %7.1f µs each  %.110s\n",
                  profile->nanoseconds / 1e6, profile->runs,
                  profile->nanoseconds / 1e3 / profile->runs, sql);
    }
}

static void
trace_cpu_time (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_THREAD, &usage) != 0)
    return;
  trace ("the store's thread used %.2f s of CPU time (%.2f s user, %.2f s system)",
         usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
             + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
         usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6);
}

gboolean
_buzon_store_exec (sqlite3    *db,
                   const char *sql,
                   GError    **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    return TRUE;
  g_propagate_error (error, _buzon_store_error (db, rc, _("setting up the cache")));
  return FALSE;
}

/* A prepared statement for @sql, reset and with its bindings cleared; the
 * store keeps it for the next time, found by the address of @sql: a string
 * that lives as long as the store (a literal), which spares hashing the
 * whole text at every call, some ten calls per message a sync stores. */
sqlite3_stmt *
_buzon_store_prepare (BuzonStore *self,
                      const char *sql,
                      GError    **error)
{
  sqlite3_stmt *statement = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (statement != NULL)
    {
      sqlite3_reset (statement);
      sqlite3_clear_bindings (statement);
      return statement;
    }
  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL);
  if (rc != SQLITE_OK)
    {
      g_propagate_error (error, _buzon_store_error (self->db, rc, _("reading the cache")));
      return NULL;
    }
  g_hash_table_insert (self->statements, (gpointer) sql, statement);
  return statement;
}

/* Resets every statement a job left in the middle of its rows (one that
 * read a single row, say): a statement not reset keeps a read transaction
 * open, and with it a snapshot of the database that makes the next write
 * fail as "locked" once another connection (another buzon-cli, a reader
 * in a test) has written in between. Before a commit too: the checkpoint
 * that COMMIT runs when the write-ahead log has grown cannot copy anything
 * while this connection still reads, and the log then grows with every
 * batch (to 400 MB in a first sync of 100,000 messages, 6 times the cache,
 * all of it copied again when the store closes). */
static void
release_statements (sqlite3 *db)
{
  for (sqlite3_stmt *statement = db != NULL ? sqlite3_next_stmt (db, NULL) : NULL;
       statement != NULL; statement = sqlite3_next_stmt (db, statement))
    if (sqlite3_stmt_busy (statement))
      sqlite3_reset (statement);
}

gboolean
_buzon_store_begin (BuzonStore *self,
                    GError    **error)
{
  /* IMMEDIATE: take the write lock now, not halfway through. */
  int rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    return TRUE;
  g_propagate_error (error, _buzon_store_error (self->db, rc, _("starting to save")));
  return FALSE;
}

gboolean
_buzon_store_commit (BuzonStore *self,
                     GError    **error)
{
  gint64 start = tracing () ? g_get_monotonic_time () : 0;
  int rc;

  release_statements (self->db);
  rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
  if (start != 0 && rc == SQLITE_OK)
    {
      if (self->checkpoint_time > 0)
        trace ("commit %.1f ms, log %d pages, checkpoint %.1f ms",
               (g_get_monotonic_time () - start) / 1e3, self->log_pages,
               self->checkpoint_time / 1e3);
      else
        trace ("commit %.1f ms, log %d pages", (g_get_monotonic_time () - start) / 1e3,
               self->log_pages);
    }
  if (rc == SQLITE_OK)
    return TRUE;
  g_propagate_error (error, _buzon_store_error (self->db, rc, _("saving")));
  _buzon_store_rollback (self);
  return FALSE;
}

void
_buzon_store_rollback (BuzonStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Signals, emitted in the context the store was made in. */

/* Queues @func in @context, always: unlike g_main_context_invoke(), never
 * runs it right here, on the worker, when nobody owns @context. */
static void
defer_to (GMainContext  *context,
          GSourceFunc    func,
          gpointer       data,
          GDestroyNotify destroy)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[buzon-store] deferred");
  g_source_attach (source, context);
  g_source_unref (source);
}

typedef struct
{
  BuzonStore *self;
  gint64 folder_id; /* EMIT_FOLDERS: the folder list; EMIT_OUTBOX: the outbox. */
} Emission;

#define EMIT_FOLDERS -1
#define EMIT_OUTBOX  -2

static gboolean
emit_cb (gpointer user_data)
{
  Emission *emission = user_data;

  if (emission->folder_id == EMIT_OUTBOX)
    g_signal_emit (emission->self, signals[SIGNAL_OUTBOX_CHANGED], 0);
  else if (emission->folder_id == EMIT_FOLDERS)
    g_signal_emit (emission->self, signals[SIGNAL_FOLDERS_CHANGED], 0);
  else
    g_signal_emit (emission->self, signals[SIGNAL_FOLDER_CHANGED], 0, emission->folder_id);
  return G_SOURCE_REMOVE;
}

static void
emission_free (Emission *emission)
{
  g_object_unref (emission->self);
  g_free (emission);
}

/* Jobs announce their changes before they return their result, at the
 * task's priority: the announcement is heard first, and whoever has the
 * result knows every listener has heard of the change (a model has asked
 * for its new order; a test can count on it). */
static void
emit (BuzonStore *self,
      gint64      folder_id)
{
  Emission *emission = g_new0 (Emission, 1);
  GSource *source = g_idle_source_new ();

  emission->self = g_object_ref (self);
  emission->folder_id = folder_id;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emit_cb, emission, (GDestroyNotify) emission_free);
  g_source_set_static_name (source, "[buzon-store] changed");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

void
_buzon_store_emit_folder_changed (BuzonStore *self,
                                  gint64      folder_id)
{
  emit (self, folder_id);
}

void
_buzon_store_emit_folders_changed (BuzonStore *self)
{
  emit (self, EMIT_FOLDERS);
}

void
_buzon_store_emit_outbox_changed (BuzonStore *self)
{
  emit (self, EMIT_OUTBOX);
}

/* The worker. */

static gboolean
unref_task_cb (gpointer task)
{
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static gpointer
worker_main (gpointer user_data)
{
  BuzonStore *self = user_data;

  for (;;)
    {
      Job *job = g_async_queue_pop (self->jobs);
      GTask *task = job->task;
      BuzonStoreJobFunc func = job->func;

      g_free (job);
      if (task == NULL)
        break;
      if (g_task_return_error_if_cancelled (task))
        ;
      else if (self->db == NULL && g_task_get_source_tag (task) != buzon_store_open_async)
        g_task_return_new_error (task, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CLOSED, "%s",
                                 _("The mail cache is not open"));
      else
        func (self, self->db, task);
      release_statements (self->db);
      /* A task holds the store: its last reference must not go here, where
       * disposing the store would wait for this very thread. */
      defer_to (self->context, unref_task_cb, task, NULL);
    }

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  if (self->profile != NULL)
    print_profile (self->profile);
  g_clear_pointer (&self->profile, g_hash_table_unref);
  if (tracing ())
    trace_cpu_time ();
  return NULL;
}

/* Queues @func to run on the worker with @task; takes a reference to @task. */
void
_buzon_store_run (BuzonStore       *self,
                  GTask            *task,
                  BuzonStoreJobFunc func)
{
  Job *job;

  if (self->closed)
    {
      g_task_return_new_error (task, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CLOSED, "%s",
                               _("The mail cache is closed"));
      return;
    }
  job = g_new0 (Job, 1);
  job->task = g_object_ref (task);
  job->func = func;
  g_async_queue_push (self->jobs, job);
}

/* Opening and migrations. */

static guint
migration_number (const char *name)
{
  guint64 number = 0;

  g_ascii_string_to_unsigned (name, 10, 1, G_MAXUINT, &number, NULL);
  return (guint) number;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The migrations are resources of the engine's static library: registered
 * once per process (each registration would add another copy to the list
 * GLib searches). */
static void
register_migrations (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      g_resources_register (buzon_store_get_resource ());
      g_once_init_leave (&registered, 1);
    }
}

/* The migrations' file names in order: "0001-initial.sql", … */
static GPtrArray *
list_migrations (void)
{
  g_auto (GStrv) names = g_resources_enumerate_children (MIGRATIONS_PATH,
                                                         G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  GPtrArray *sorted = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; names != NULL && names[i] != NULL; i++)
    if (g_str_has_suffix (names[i], ".sql") && strlen (names[i]) > 5)
      {
        char prefix[5] = { 0 };

        memcpy (prefix, names[i], 4);
        if (migration_number (prefix) > 0)
          g_ptr_array_add (sorted, g_strdup (names[i]));
      }
  g_ptr_array_sort (sorted, compare_names);
  return sorted;
}

/**
 * buzon_store_get_schema_version:
 *
 * Returns: the number of the newest migration this Buzón knows.
 */
guint
buzon_store_get_schema_version (void)
{
  g_autoptr (GPtrArray) migrations = NULL;
  char prefix[5] = { 0 };

  register_migrations ();
  migrations = list_migrations ();
  if (migrations->len == 0)
    return 0;
  memcpy (prefix, migrations->pdata[migrations->len - 1], 4);
  return migration_number (prefix);
}

/* The integer a pragma reads, or 0. */
static int
pragma_value (sqlite3    *db,
              const char *sql)
{
  sqlite3_stmt *statement = NULL;
  int value = 0;

  if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) == SQLITE_OK
      && sqlite3_step (statement) == SQLITE_ROW)
    value = sqlite3_column_int (statement, 0);
  sqlite3_finalize (statement);
  return value;
}

static guint
current_version (sqlite3 *db)
{
  return (guint) pragma_value (db, "PRAGMA user_version");
}

static gboolean
migrate (sqlite3 *db,
         GError **error)
{
  g_autoptr (GPtrArray) migrations = list_migrations ();
  guint newest = buzon_store_get_schema_version ();

  if (current_version (db) > newest)
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_TOO_NEW,
                   _("The mail cache was written by a newer version of Buzón"));
      return FALSE;
    }
  for (guint i = 0; i < migrations->len; i++)
    {
      const char *name = migrations->pdata[i];
      char prefix[5] = { 0 };
      g_autofree char *path = g_build_path ("/", MIGRATIONS_PATH, name, NULL);
      g_autoptr (GBytes) sql = NULL;
      g_autofree char *text = NULL;
      g_autofree char *set_version = NULL;
      guint number;

      memcpy (prefix, name, 4);
      number = migration_number (prefix);
      sql = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (sql == NULL)
        return FALSE;
      text = g_strndup (g_bytes_get_data (sql, NULL), g_bytes_get_size (sql));
      set_version = g_strdup_printf ("PRAGMA user_version = %u", number);
      /* One migration, one transaction: a crash leaves it undone, and it
       * runs again next time. The version is read again once the write
       * lock is held: another process opening the same cache may have
       * applied it meanwhile. */
      if (!_buzon_store_exec (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (current_version (db) >= number)
        {
          if (!_buzon_store_exec (db, "COMMIT", error))
            return FALSE;
          continue;
        }
      if (!_buzon_store_exec (db, text, error) || !_buzon_store_exec (db, set_version, error)
          || !_buzon_store_exec (db, "COMMIT", error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }
  return TRUE;
}

/* 64-bit FNV-1a over the Message-ID's bytes, then SplitMix64's finalizer,
 * which spreads FNV's weak low bits: two of a million IDs share a key with
 * a chance of about 3 in 100 million, and then two threads join, as a
 * References header naming the other's message would join them. */
gint64
_buzon_store_message_id_key (const char *message_id)
{
  guint64 hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  for (const guchar *p = (const guchar *) message_id; *p != '\0'; p++)
    {
      hash ^= *p;
      hash *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  hash ^= hash >> 30;
  hash *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  hash ^= hash >> 27;
  hash *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  hash ^= hash >> 31;
  return (gint64) hash;
}

static void
message_id_key_function (sqlite3_context *context,
                         int              argc,
                         sqlite3_value  **argv)
{
  const unsigned char *id = sqlite3_value_text (argv[0]);

  if (id == NULL)
    sqlite3_result_null (context);
  else
    sqlite3_result_int64 (context, _buzon_store_message_id_key ((const char *) id));
}

static void
open_job (BuzonStore *self,
          sqlite3    *unused,
          GTask      *task)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (self->path);
  sqlite3 *db = NULL;
  int rc;

  if (self->db != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      /* Translators: the first %s is a folder, the second why it failed. */
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Cannot create the mail cache folder %s: %s"), dir,
                               g_strerror (saved_errno));
      return;
    }
  /* NOMUTEX: only the worker thread ever touches this connection. */
  rc = sqlite3_open_v2 (self->path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("opening the cache")));
      sqlite3_close_v2 (db);
      return;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 5000);
  /* For migration 0011, which keys the threads' Message-IDs. */
  sqlite3_create_function_v2 (db, "buzon_message_id_key", 1,
                              SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                              message_id_key_function, NULL, NULL, NULL);
  /* WAL: readers never block the writer; FULL: a committed transaction
   * survives a power cut, which the outbox's promise needs. */
  /* Before WAL, which fixes it; a no-op on a database that has pages. */
  if (!_buzon_store_exec (db, "PRAGMA page_size = " G_STRINGIFY (PAGE_SIZE), &error)
      || !_buzon_store_exec (db, "PRAGMA journal_mode = WAL", &error)
      || !_buzon_store_exec (db, "PRAGMA synchronous = FULL", &error)
      || !_buzon_store_exec (db, "PRAGMA foreign_keys = ON", &error)
      /* 32 MiB of page cache: a first sync's indexes (message, threads,
       * full text) stay in memory instead of being read back. */
      || !_buzon_store_exec (db, "PRAGMA cache_size = -32768", &error)
      || !migrate (db, &error))
    {
      sqlite3_close_v2 (db);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->checkpoint_pages = CHECKPOINT_BYTES / MAX (pragma_value (db, "PRAGMA page_size"), 512);
  sqlite3_wal_hook (db, wal_hook_cb, self);
  if (buzon_engine_debugging (BUZON_DEBUG_SQL))
    {
      self->profile = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, profile_free);
      sqlite3_trace_v2 (db, SQLITE_TRACE_PROFILE, profile_cb, self);
    }
  self->db = db;
  g_task_return_boolean (task, TRUE);
}

/* The object. */

static void
buzon_store_dispose (GObject *object)
{
  BuzonStore *self = BUZON_STORE (object);

  buzon_store_close (self);

  G_OBJECT_CLASS (buzon_store_parent_class)->dispose (object);
}

static void
buzon_store_finalize (GObject *object)
{
  BuzonStore *self = BUZON_STORE (object);

  g_async_queue_unref (self->jobs);
  g_main_context_unref (self->context);
  g_free (self->path);

  G_OBJECT_CLASS (buzon_store_parent_class)->finalize (object);
}

static void
buzon_store_class_init (BuzonStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_store_dispose;
  object_class->finalize = buzon_store_finalize;

  /**
   * BuzonStore::folder-changed:
   * @folder_id: the folder whose messages changed
   *
   * A write changed what a folder holds (messages added, removed, flags).
   * Emitted in the main context the store was made in, before the
   * operation's own callback.
   */
  signals[SIGNAL_FOLDER_CHANGED] =
    g_signal_new ("folder-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * BuzonStore::folders-changed:
   *
   * The folder list changed, or a folder's counts did.
   */
  signals[SIGNAL_FOLDERS_CHANGED] =
    g_signal_new ("folders-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /**
   * BuzonStore::outbox-changed:
   *
   * A message joined or left the outbox, or changed state, by this
   * store's hand (another process's changes are not heard).
   */
  signals[SIGNAL_OUTBOX_CHANGED] =
    g_signal_new ("outbox-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
buzon_store_init (BuzonStore *self)
{
  self->jobs = g_async_queue_new ();
  self->context = g_main_context_ref_thread_default ();
  self->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            (GDestroyNotify) sqlite3_finalize);
}

/* SQLite's process-wide settings, made before its first use (afterwards
 * sqlite3_config() refuses, harmlessly). Without the memory statistics,
 * which nothing reads, each of its allocations and frees no longer takes a
 * global mutex: some 3% of a first sync's time on the store's thread. */
static void
configure_sqlite (void)
{
  static gsize configured = 0;

  if (g_once_init_enter (&configured))
    {
      sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
      g_once_init_leave (&configured, 1);
    }
}

/**
 * buzon_store_new:
 * @path: the database file; its folder is made when missing
 *
 * Starts the store's worker thread; nothing touches the disk until
 * buzon_store_open_async().
 */
BuzonStore *
buzon_store_new (const char *path)
{
  BuzonStore *self;

  g_return_val_if_fail (path != NULL, NULL);

  configure_sqlite ();
  register_migrations ();
  self = g_object_new (BUZON_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->worker = g_thread_new ("buzon-store", worker_main, self);
  return self;
}

const char *
buzon_store_get_path (BuzonStore *self)
{
  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  return self->path;
}

/**
 * buzon_store_open_async:
 *
 * Opens (or creates) the database and brings its schema up to date. A
 * database written by a newer Buzón fails with BUZON_STORE_ERROR_TOO_NEW
 * and is left untouched; a damaged one with BUZON_STORE_ERROR_CORRUPT.
 */
void
buzon_store_open_async (BuzonStore          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_open_async);
  _buzon_store_run (self, task, open_job);
}

gboolean
buzon_store_open_finish (BuzonStore   *self,
                         GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_store_close:
 *
 * Runs the jobs already queued, then closes the database and stops the
 * worker; later operations fail with BUZON_STORE_ERROR_CLOSED. It waits for
 * the queued jobs: call it when the account goes away or at exit. Their
 * callbacks still run, in the main context, after it returns.
 */
void
buzon_store_close (BuzonStore *self)
{
  g_return_if_fail (BUZON_IS_STORE (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  g_async_queue_push (self->jobs, g_new0 (Job, 1));
  g_thread_join (g_steal_pointer (&self->worker));
}

/**
 * buzon_store_path_for_account:
 *
 * Returns: (transfer full): where the cache of the account @account_id
 * lives: $XDG_DATA_HOME/buzon/ACCOUNT/cache.db.
 */
char *
buzon_store_path_for_account (const char *account_id)
{
  g_return_val_if_fail (account_id != NULL, NULL);
  return g_build_filename (g_get_user_data_dir (), "buzon", account_id, "cache.db", NULL);
}
