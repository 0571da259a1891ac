// buzon-cli's mail commands on the engine: `sync`, `folders`, `list` and
// `search`, over an account's cache.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// `sync` talks to the server and fills the cache; the others read only the
// cache, so they work offline and answer at once. Progress goes to stderr,
// results to stdout, in lines for people or, with --json, as documented in
// `buzon-cli --help`.

#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "config.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli-cache.h"
#include "cli-commands.h"
#include "cli-credentials.h"
#include "cli-json.h"
#include "cli-status.h"
#include "store/search-query.h"
#include "store/store-folder.h"
#include "store/store-message.h"
#include "mime/mime-text.h"
#include "store/store.h"
#include "sync/account-connect.h"
#include "sync/account-sync.h"
#include "sync/account-watch.h"
#include "sync/body-fetch.h"
#include "sync/body-prefetch.h"
#include "sync/server-search.h"

/* sync. */

typedef struct
{
  gboolean quiet;
  gboolean progress_line; /* A progress line is on stderr, not ended yet. */
} SyncOutput;

static void
end_progress_line (SyncOutput *output)
{
  if (output->progress_line)
    g_printerr ("\n");
  output->progress_line = FALSE;
}

static void
sync_progress_cb (BuzonAccountSync *sync,
                  const char       *folder,
                  guint             fetched,
                  guint             total,
                  gpointer          user_data)
{
  SyncOutput *output = user_data;

  if (output->quiet)
    return;
  /* Back to the start of the line: each report replaces the last. */
  g_printerr ("\r");
  /* Translators: %s is a folder; then messages fetched of how many. */
  g_printerr (_("%s: %u of %u messages"), folder, fetched, total);
  output->progress_line = TRUE;
}

static void
sync_bodies_progress_cb (BuzonAccountSync *sync,
                         const char       *folder,
                         guint             done,
                         guint             total,
                         gpointer          user_data)
{
  SyncOutput *output = user_data;

  if (output->quiet)
    return;
  g_printerr ("\r");
  /* Translators: %s is a folder; then bodies downloaded of how many. */
  g_printerr (_("%s: %u of %u bodies"), folder, done, total);
  output->progress_line = TRUE;
}

static void
sync_folder_finished_cb (BuzonAccountSync            *sync,
                         const char                  *folder,
                         const BuzonFolderSyncResult *summary,
                         const GError                *error,
                         gpointer                     user_data)
{
  SyncOutput *output = user_data;

  end_progress_line (output);
  if (error != NULL)
    g_printerr ("%s: %s\n", folder, error->message);
  else if (!output->quiet && summary->added + summary->updated + summary->removed > 0)
    /* Translators: a folder, then counts of messages new, changed and gone. */
    g_printerr (_("%s: %u new, %u changed, %u gone\n"), folder, summary->added, summary->updated,
                summary->removed);
}

/* With BUZON_BENCH set, sync reports the longest time the main loop did not
 * run (a GUI on the engine would have frozen that long): a 5 ms tick that
 * measures how late it comes; how much of that time the thread was ready
 * but waited for a CPU (the kernel's run-queue time, from schedstat: while
 * the store's thread or another process, such as a Dovecot on the same
 * machine, had the CPU); and the CPU time this thread used. */
typedef struct
{
  gint64 last;
  gint64 last_wait;
  gint64 longest;
  gint64 longest_wait;
} StallWatch;

/* Microseconds this thread has waited on a run queue, or -1. */
static gint64
run_queue_wait (void)
{
  char text[128] = "";
  guint64 on_cpu;
  guint64 waited;
  int fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return -1;
  n = read (fd, text, sizeof text - 1);
  close (fd);
  if (n <= 0 || sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &on_cpu, &waited) != 2)
    return -1;
  return waited / 1000;
}

static gboolean
stall_tick_cb (gpointer user_data)
{
  StallWatch *watch = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 wait = run_queue_wait ();

  if (watch->last > 0 && now - watch->last - 5000 > watch->longest)
    {
      watch->longest = now - watch->last - 5000;
      watch->longest_wait = wait >= 0 && watch->last_wait >= 0 ? wait - watch->last_wait : 0;
    }
  watch->last = now;
  watch->last_wait = wait;
  return G_SOURCE_CONTINUE;
}

/* For BUZON_BENCH: what the process wrote, the cache above all (its log
 * and checkpoints), from /proc/self/io; the store is closed by then. */
static void
report_bytes_written (void)
{
  g_autofree char *io = NULL;
  const char *wchar;

  if (!g_file_get_contents ("/proc/self/io", &io, NULL, NULL))
    return;
  wchar = strstr (io, "wchar: ");
  if (wchar != NULL)
    g_printerr ("bench: wrote %.1f MiB\n",
                g_ascii_strtod (wchar + strlen ("wchar: "), NULL) / (1024.0 * 1024.0));
}

static int
sync_account (BuzonAccount *account,
              const char   *folder,
              gboolean      bodies,
              gboolean      quiet)
{
  g_autoptr (GAsyncResult) opened = NULL;
  g_autoptr (BuzonStore) store = buzon_cli_start_store (account, &opened);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (BuzonCredentials) credentials = NULL;
  g_autoptr (BuzonAccountSync) sync = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BuzonAccountSyncResult summary = { 0 };
  SyncOutput output = { quiet, FALSE };
  StallWatch stall = { 0 };
  guint stall_id = 0;
  g_autofree char *max_size = g_format_size (BUZON_BODY_PREFETCH_MAX_SIZE);
  gboolean ok;

  credentials = buzon_cli_credentials_for (account, &error);
  if (credentials == NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      buzon_cli_close_store (store);
      return BUZON_CLI_EXIT_AUTH;
    }
  sync = buzon_account_sync_new (account, store, credentials);
  buzon_account_sync_set_fetch_bodies (sync, bodies);
  g_signal_connect (sync, "progress", G_CALLBACK (sync_progress_cb), &output);
  g_signal_connect (sync, "bodies-progress", G_CALLBACK (sync_bodies_progress_cb), &output);
  g_signal_connect (sync, "folder-finished", G_CALLBACK (sync_folder_finished_cb), &output);
  g_signal_connect (sync, "operation-dropped", G_CALLBACK (buzon_cli_operation_dropped_cb), NULL);
  if (g_getenv ("BUZON_BENCH") != NULL)
    stall_id = g_timeout_add (5, stall_tick_cb, &stall);
  /* The cache opens while the sync connects and logs in. */
  buzon_account_sync_run_async (sync, folder, cancellable, buzon_cli_result_cb, &result);
  if (!buzon_cli_store_opened (store, &opened))
    {
      g_cancellable_cancel (cancellable);
      buzon_account_sync_run_finish (sync, buzon_cli_wait_for (&result), &summary, NULL);
      if (stall_id != 0)
        g_source_remove (stall_id);
      buzon_cli_close_store (store);
      return BUZON_CLI_EXIT_FAILED;
    }
  ok = buzon_account_sync_run_finish (sync, buzon_cli_wait_for (&result), &summary, &error);
  end_progress_line (&output);
  /* Mail whose time came (sent later, or left by a failed try) goes too. */
  buzon_cli_send_due (account, store, credentials);
  if (stall_id != 0)
    {
      struct rusage usage;

      g_source_remove (stall_id);
      g_printerr ("bench: longest main-loop stall %" G_GINT64_FORMAT " ms, %" G_GINT64_FORMAT
                  " ms of it waiting for a CPU\n",
                  stall.longest / 1000, MIN (stall.longest_wait, stall.longest) / 1000);
      if (getrusage (RUSAGE_THREAD, &usage) == 0)
        g_printerr ("bench: main thread CPU %.2f s\n",
                    usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
                        + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6);
    }
  buzon_cli_close_store (store);
  if (stall_id != 0)
    report_bytes_written ();

  /* Translators: an account's name, then counts: folders, messages new,
   * changed and gone, and message bodies downloaded. */
  g_print (_("%s: %u folders, %u new, %u changed, %u gone, %u bodies\n"),
           buzon_account_get_id (account), summary.folders, summary.added, summary.updated,
           summary.removed, summary.bodies);
  if (summary.bodies_too_large > 0 && bodies && !quiet)
    /* Translators: an account's name, then how many messages are over
     * the size that sync downloads; %s is that size ("5.2 MB"). */
    g_printerr (_("%s: messages over %s left to download when opened: %u\n"),
                buzon_account_get_id (account), max_size, summary.bodies_too_large);
  if (summary.operations_replayed > 0 && !quiet)
    /* Translators: an account's name, then how many changes made here
     * reached the server. */
    g_printerr (_("%s: queued changes sent to the server: %u\n"), buzon_account_get_id (account),
                summary.operations_replayed);
  if (summary.operations_left > 0)
    /* Translators: an account's name, then how many changes wait. */
    g_printerr (_("%s: changes still queued for the next sync: %u\n"),
                buzon_account_get_id (account), summary.operations_left);
  if (!ok)
    {
      g_printerr ("buzon-cli: %s: %s\n", buzon_account_get_id (account), error->message);
      return buzon_cli_exit_status_for (error);
    }
  return BUZON_CLI_EXIT_OK;
}

/* sync --watch. */

typedef struct
{
  const char *name; /* The account's. */
  gboolean quiet;
} WatchOutput;

static void
watch_synced_cb (BuzonAccountWatch *watch,
                 const char        *folder,
                 gpointer           user_data)
{
  WatchOutput *output = user_data;

  if (output->quiet)
    return;
  if (folder != NULL)
    /* Translators: %s is a folder's name. */
    g_printerr (_("%s is up to date\n"), folder);
  else
    g_printerr ("%s", _("Every folder is up to date\n"));
}

static void
watch_problem_cb (BuzonAccountWatch *watch,
                  const GError      *error,
                  gpointer           user_data)
{
  WatchOutput *output = user_data;
  BuzonAccountWatchState state = buzon_account_watch_get_state (watch);

  /* The state's line says it already, with the error. */
  if (!output->quiet
      && (state == BUZON_ACCOUNT_WATCH_WAITING || state == BUZON_ACCOUNT_WATCH_OFFLINE))
    return;
  /* Translators: %s says what went wrong; the watch tries again. */
  g_printerr (_("buzon-cli: %s (trying again)\n"), error->message);
}

/* One line on stderr for each change of what the watch does. */
static void
watch_state_notified_cb (BuzonAccountWatch *watch,
                         GParamSpec        *pspec,
                         gpointer           user_data)
{
  WatchOutput *output = user_data;
  const GError *error = buzon_account_watch_get_error (watch);
  gint64 wait;

  if (output->quiet)
    return;
  switch (buzon_account_watch_get_state (watch))
    {
    case BUZON_ACCOUNT_WATCH_STOPPED:
      /* Translators: %s is an account's name. */
      g_printerr (_("%s: stopped\n"), output->name);
      break;
    case BUZON_ACCOUNT_WATCH_CONNECTING:
      /* Translators: %s is an account's name. */
      g_printerr (_("%s: connecting\n"), output->name);
      break;
    case BUZON_ACCOUNT_WATCH_SYNCING:
      /* Translators: %s is an account's name. */
      g_printerr (_("%s: syncing\n"), output->name);
      break;
    case BUZON_ACCOUNT_WATCH_IDLE:
      /* Translators: %s is an account's name. */
      g_printerr (_("%s: up to date, waiting for news\n"), output->name);
      break;
    case BUZON_ACCOUNT_WATCH_WAITING:
      wait = buzon_account_watch_get_retry_at (watch) - g_get_real_time () / G_USEC_PER_SEC;
      wait = MAX (wait, 0);
      /* Translators: the first %s is an account's name, %d a number of
       * seconds ("s" their symbol), the last %s what went wrong. */
      g_printerr (_("%s: waiting to retry in %d s: %s\n"), output->name, (int) wait,
                  error != NULL ? error->message : "");
      break;
    case BUZON_ACCOUNT_WATCH_OFFLINE:
      /* Translators: %s is an account's name. */
      g_printerr (_("%s: offline, waiting for the network\n"), output->name);
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
stop_watch_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static int
watch_account (BuzonAccount *account,
               gboolean      quiet)
{
  g_autoptr (BuzonStore) store = buzon_cli_open_store (account);
  g_autoptr (BuzonCredentials) credentials = NULL;
  g_autoptr (BuzonAccountWatch) watch = NULL;
  g_autoptr (BuzonSendQueue) queue = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  const char *interval = g_getenv ("BUZON_POLL_INTERVAL");
  WatchOutput output = { buzon_account_get_id (account), quiet };
  guint sigint;
  guint sigterm;
  gboolean ok;

  if (store == NULL)
    return BUZON_CLI_EXIT_FAILED;
  credentials = buzon_cli_credentials_for (account, &error);
  if (credentials == NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      buzon_cli_close_store (store);
      return BUZON_CLI_EXIT_AUTH;
    }
  watch = buzon_account_watch_new (account, store, credentials);
  /* For tests: a shorter interval between full passes, in seconds. */
  if (interval != NULL)
    g_object_set (watch, "poll-interval", (guint) g_ascii_strtoull (interval, NULL, 10), NULL);
  g_signal_connect (watch, "synced", G_CALLBACK (watch_synced_cb), &output);
  g_signal_connect (watch, "problem", G_CALLBACK (watch_problem_cb), &output);
  g_signal_connect (watch, "notify::state", G_CALLBACK (watch_state_notified_cb), &output);
  sigint = g_unix_signal_add (SIGINT, stop_watch_cb, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, stop_watch_cb, cancellable);
  queue = buzon_cli_start_sending (account, store, credentials);
  buzon_account_watch_run_async (watch, cancellable, buzon_cli_result_cb, &result);
  ok = buzon_account_watch_run_finish (watch, buzon_cli_wait_for (&result), &error);
  buzon_send_queue_stop (queue);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  buzon_cli_close_store (store);
  if (!ok)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return buzon_cli_exit_status_for (error);
    }
  return BUZON_CLI_EXIT_OK;
}

int
buzon_cli_command_sync (int    argc,
                        char **argv)
{
  g_autoptr (BuzonAccountStore) accounts = NULL;
  const char *name = NULL;
  const char *folder = NULL;
  gboolean quiet = FALSE;
  gboolean watch = FALSE;
  gboolean bodies = FALSE;
  int status = BUZON_CLI_EXIT_OK;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--folder") && i + 1 < argc)
        folder = argv[++i];
      else if (g_str_equal (argv[i], "--quiet"))
        quiet = TRUE;
      else if (g_str_equal (argv[i], "--watch"))
        watch = TRUE;
      else if (g_str_equal (argv[i], "--bodies"))
        bodies = TRUE;
      else if (argv[i][0] != '-' && name == NULL)
        name = argv[i];
      else
        {
          g_printerr ("%s", _("Usage: buzon-cli sync [NAME] [--folder FOLDER] [--bodies] "
                              "[--watch] [--quiet]\n"));
          return BUZON_CLI_EXIT_USAGE;
        }
    }
  if (bodies && watch)
    {
      g_printerr ("%s", _("buzon-cli sync: --bodies and --watch do not go together\n"));
      return BUZON_CLI_EXIT_USAGE;
    }
  if ((folder != NULL || watch) && name == NULL)
    {
      g_printerr ("%s", _("buzon-cli sync: --folder and --watch need an account's NAME\n"));
      return BUZON_CLI_EXIT_USAGE;
    }
  accounts = buzon_cli_load_accounts ();
  if (accounts == NULL)
    return BUZON_CLI_EXIT_FAILED;
  if (name != NULL)
    {
      g_autoptr (BuzonAccount) account = buzon_cli_find_account (accounts, name);

      if (account == NULL)
        return BUZON_CLI_EXIT_FAILED;
      status = watch ? watch_account (account, quiet)
                     : sync_account (account, folder, bodies, quiet);
    }
  else
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (accounts)); i++)
      {
        g_autoptr (BuzonAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), i);
        int account_status = sync_account (account, NULL, bodies, quiet);

        /* Every account is tried; the status is the first failure's. */
        if (status == BUZON_CLI_EXIT_OK)
          status = account_status;
      }
  buzon_cli_credentials_shutdown ();
  return status;
}

/* folders. */

static const char *
special_use_name (BuzonImapSpecialUse use)
{
  switch (use)
    {
    case BUZON_IMAP_SPECIAL_USE_ALL:
      return "all";
    case BUZON_IMAP_SPECIAL_USE_ARCHIVE:
      return "archive";
    case BUZON_IMAP_SPECIAL_USE_DRAFTS:
      return "drafts";
    case BUZON_IMAP_SPECIAL_USE_FLAGGED:
      return "flagged";
    case BUZON_IMAP_SPECIAL_USE_JUNK:
      return "junk";
    case BUZON_IMAP_SPECIAL_USE_SENT:
      return "sent";
    case BUZON_IMAP_SPECIAL_USE_TRASH:
      return "trash";
    case BUZON_IMAP_SPECIAL_USE_IMPORTANT:
      return "important";
    case BUZON_IMAP_SPECIAL_USE_NONE:
    default:
      return NULL;
    }
}

int
buzon_cli_command_folders (int    argc,
                           char **argv)
{
  g_autoptr (BuzonAccountStore) accounts = NULL;
  g_autoptr (BuzonAccount) account = NULL;
  g_autoptr (BuzonStore) store = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) json = g_string_new ("[");
  gboolean as_json = argc == 3 && g_str_equal (argv[2], "--json");

  if (argc < 2 || argv[1][0] == '-' || (argc == 3 && !as_json) || argc > 3)
    {
      g_printerr ("%s", _("Usage: buzon-cli folders NAME [--json]\n"));
      return BUZON_CLI_EXIT_USAGE;
    }
  if ((accounts = buzon_cli_load_accounts ()) == NULL
      || (account = buzon_cli_find_account (accounts, argv[1])) == NULL
      || (store = buzon_cli_open_store (account)) == NULL)
    return BUZON_CLI_EXIT_FAILED;
  buzon_store_list_folders_async (store, NULL, buzon_cli_result_cb, &result);
  folders = buzon_store_list_folders_finish (store, buzon_cli_wait_for (&result), &error);
  buzon_cli_close_store (store);
  if (folders == NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  for (guint i = 0; i < folders->len; i++)
    {
      const BuzonStoreFolder *folder = folders->pdata[i];
      const char *use = special_use_name (folder->special_use);

      if (!as_json)
        {
          /* Translators: a folder's messages in the cache, and how many unread. */
          g_print (_("%-30s %-8s %6u messages, %u unread\n"), folder->name, use != NULL ? use : "",
                   folder->cached_count, folder->cached_unseen);
          continue;
        }
      g_string_append (json, i > 0 ? ",\n  {" : "\n  {");
      g_string_append (json, "\"name\": ");
      buzon_cli_json_string (json, folder->name);
      g_string_append (json, ", \"raw_name\": ");
      buzon_cli_json_string (json, folder->raw_name);
      g_string_append (json, ", \"special_use\": ");
      buzon_cli_json_nullable_string (json, use);
      g_string_append_printf (json, ", \"messages\": %u, \"unread\": %u, \"synced\": %s}",
                              folder->cached_count, folder->cached_unseen,
                              folder->first_sync_done ? "true" : "false");
    }
  if (as_json)
    g_print ("%s\n]\n", json->str);
  return BUZON_CLI_EXIT_OK;
}

/* list and search. */

static void
append_flags_json (GString                 *json,
                   const BuzonStoreMessage *message)
{
  g_auto (GStrv) flags = buzon_store_flags_to_imap (message->flags, message->keywords);

  g_string_append_c (json, '[');
  for (gsize i = 0; flags[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (json, ", ");
      buzon_cli_json_string (json, flags[i]);
    }
  g_string_append_c (json, ']');
}

/* Prints @messages; @folders maps folder ids to names (for JSON's
 * "folder"), and @show_folder puts the folder in the lines for people too. */
static void
print_messages (GPtrArray  *messages,
                GHashTable *folders,
                gboolean    show_folder,
                gboolean    as_json)
{
  g_autoptr (GString) json = g_string_new ("[");

  for (guint i = 0; i < messages->len; i++)
    {
      const BuzonStoreMessage *message = messages->pdata[i];
      g_autoptr (GDateTime) date = g_date_time_new_from_unix_local (message->date);
      g_autofree char *when = date != NULL ? g_date_time_format (date, "%Y-%m-%d %H:%M") : NULL;
      g_autofree char *iso = date != NULL ? g_date_time_format_iso8601 (date) : NULL;
      const char *from = message->sender_name != NULL ? message->sender_name
                                                      : message->sender_address;
      const char *folder = g_hash_table_lookup (folders, &message->folder_id);

      if (!as_json)
        {
          if (show_folder)
            g_print ("%-15s ", folder != NULL ? folder : "");
          g_print ("%7u  %s  %c%c%c  %-24.24s  %s\n", message->uid, when != NULL ? when : "",
                   (message->flags & BUZON_STORE_FLAG_SEEN) ? ' ' : 'N',
                   (message->flags & BUZON_STORE_FLAG_FLAGGED) ? '*' : ' ',
                   message->has_attachment ? '@' : ' ', from != NULL ? from : "",
                   message->subject != NULL ? message->subject : "");
          continue;
        }
      g_string_append (json, i > 0 ? ",\n  {" : "\n  {");
      g_string_append_printf (json, "\"uid\": %u, \"folder\": ", message->uid);
      buzon_cli_json_nullable_string (json, folder);
      g_string_append_printf (json, ", \"folder_id\": %" G_GINT64_FORMAT ", \"date\": ",
                              message->folder_id);
      buzon_cli_json_nullable_string (json, iso);
      g_string_append (json, ", \"from\": {\"name\": ");
      buzon_cli_json_nullable_string (json, message->sender_name);
      g_string_append (json, ", \"address\": ");
      buzon_cli_json_nullable_string (json, message->sender_address);
      g_string_append (json, "}, \"subject\": ");
      buzon_cli_json_nullable_string (json, message->subject);
      g_string_append (json, ", \"flags\": ");
      append_flags_json (json, message);
      g_string_append_printf (json, ", \"thread_id\": %" G_GINT64_FORMAT
                                    ", \"has_attachment\": %s, \"size\": %" G_GUINT64_FORMAT
                                    ", \"message_id\": ",
                              message->thread_id, message->has_attachment ? "true" : "false",
                              message->size);
      buzon_cli_json_nullable_string (json, message->message_id);
      g_string_append (json, ", \"preview\": ");
      buzon_cli_json_nullable_string (json, message->preview);
      g_string_append_c (json, '}');
    }
  if (as_json)
    g_print ("%s\n]\n", json->str);
}

/* The cache's folders by id (gint64 *) -> name, for print_messages(). */
static GHashTable *
folder_names (BuzonStore *store,
              GPtrArray **folders_out)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  GHashTable *names = g_hash_table_new (g_int64_hash, g_int64_equal);

  buzon_store_list_folders_async (store, NULL, buzon_cli_result_cb, &result);
  folders = buzon_store_list_folders_finish (store, buzon_cli_wait_for (&result), NULL);
  if (folders == NULL)
    folders = g_ptr_array_new ();
  for (guint i = 0; i < folders->len; i++)
    {
      BuzonStoreFolder *folder = folders->pdata[i];

      g_hash_table_insert (names, &folder->id, folder->name);
    }
  /* The names point into the folders: the caller keeps them. */
  *folders_out = g_steal_pointer (&folders);
  return names;
}

/* Reads --limit N and --json among @argv[@first…]; the others go to
 * @positional. FALSE on a bad option. */
static gboolean
parse_list_options (int        argc,
                    char     **argv,
                    GPtrArray *positional,
                    guint     *limit,
                    gboolean  *as_json,
                    const char **folder)
{
  for (int i = 1; i < argc; i++)
    {
      guint64 value = 0;

      if (g_str_equal (argv[i], "--json"))
        *as_json = TRUE;
      else if (g_str_equal (argv[i], "--limit") && i + 1 < argc
               && g_ascii_string_to_unsigned (argv[i + 1], 10, 1, G_MAXUINT, &value, NULL))
        {
          *limit = (guint) value;
          i++;
        }
      else if (folder != NULL && g_str_equal (argv[i], "--folder") && i + 1 < argc)
        *folder = argv[++i];
      else if (argv[i][0] == '-' && argv[i][1] == '-')
        return FALSE;
      else
        g_ptr_array_add (positional, argv[i]);
    }
  return TRUE;
}

int
buzon_cli_command_list (int    argc,
                        char **argv)
{
  g_autoptr (GPtrArray) positional = g_ptr_array_new ();
  g_autoptr (BuzonAccountStore) accounts = NULL;
  g_autoptr (BuzonAccount) account = NULL;
  g_autoptr (BuzonStore) store = NULL;
  g_autoptr (BuzonStoreFolder) folder = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) messages = NULL;
  g_autoptr (GHashTable) names = NULL;
  g_autoptr (GError) error = NULL;
  gboolean as_json = FALSE;
  guint limit = 50;

  if (!parse_list_options (argc, argv, positional, &limit, &as_json, NULL) || positional->len != 2)
    {
      g_printerr ("%s", _("Usage: buzon-cli list NAME FOLDER [--limit N] [--json]\n"));
      return BUZON_CLI_EXIT_USAGE;
    }
  if ((accounts = buzon_cli_load_accounts ()) == NULL
      || (account = buzon_cli_find_account (accounts, positional->pdata[0])) == NULL
      || (store = buzon_cli_open_store (account)) == NULL)
    return BUZON_CLI_EXIT_FAILED;
  folder = buzon_cli_find_folder (store, positional->pdata[1]);
  if (folder == NULL)
    {
      buzon_cli_close_store (store);
      return BUZON_CLI_EXIT_FAILED;
    }
  buzon_store_list_messages_async (store, folder->id, 0, limit, NULL, buzon_cli_result_cb, &result);
  messages = buzon_store_list_messages_finish (store, buzon_cli_wait_for (&result), &error);
  buzon_cli_close_store (store);
  if (messages == NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  names = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_hash_table_insert (names, &folder->id, folder->name);
  print_messages (messages, names, FALSE, as_json);
  return BUZON_CLI_EXIT_OK;
}

/* Adds to @messages what the server found that they lack, in @folder or,
 * when it is NULL, in every folder (saying on stderr which could not be
 * searched); FALSE with @error when the server could not be asked. */
static gboolean
add_server_matches (BuzonAccount     *account,
                    BuzonStore       *store,
                    BuzonStoreFolder *folder,
                    BuzonSearchQuery *query,
                    guint             limit,
                    GPtrArray        *messages,
                    GError          **error)
{
  g_autoptr (BuzonCredentials) credentials = buzon_cli_credentials_for (account, error);
  g_autoptr (BuzonImapSession) session = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GHashTable) known = g_hash_table_new (g_int64_hash, g_int64_equal);

  if (credentials == NULL)
    return FALSE;
  buzon_account_connect_async (account, credentials, NULL, buzon_cli_result_cb, &result);
  session = buzon_account_connect_finish (buzon_cli_wait_for (&result), error);
  if (session == NULL)
    return FALSE;
  g_clear_object (&result);
  if (folder != NULL)
    {
      buzon_server_search_async (session, store, folder, query, limit, NULL, buzon_cli_result_cb,
                                 &result);
      found = buzon_server_search_finish (buzon_cli_wait_for (&result), error);
    }
  else
    {
      g_autoptr (GPtrArray) failures = NULL;

      buzon_server_search_all_async (session, store, query, limit, NULL, buzon_cli_result_cb,
                                     &result);
      found = buzon_server_search_all_finish (buzon_cli_wait_for (&result), &failures, error);
      /* A folder that could not be searched leaves the others' answer. */
      for (guint i = 0; i < failures->len; i++)
        g_printerr ("buzon-cli: %s\n", ((GError *) failures->pdata[i])->message);
    }
  g_clear_object (&result);
  buzon_imap_session_logout_async (session, NULL, buzon_cli_result_cb, &result);
  buzon_imap_session_logout_finish (session, buzon_cli_wait_for (&result), NULL);
  if (found == NULL)
    return FALSE;
  for (guint i = 0; i < messages->len; i++)
    g_hash_table_add (known, &((BuzonStoreMessage *) messages->pdata[i])->id);
  for (guint i = 0; i < found->len; i++)
    if (!g_hash_table_contains (known, &((BuzonStoreMessage *) found->pdata[i])->id))
      g_ptr_array_add (messages, g_steal_pointer (&found->pdata[i]));
  g_ptr_array_sort (messages, buzon_store_message_compare_newest_first);
  if (messages->len > limit)
    g_ptr_array_set_size (messages, limit);
  return TRUE;
}

/* The cache's answer to @query. With BUZON_BENCH set, it reports how long
 * the store took, the first time (pages read from disk or the OS's cache)
 * and again at once (what a window that keeps the store open sees as its
 * user types): the query's own cost, without the process's start. */
static GPtrArray *
search_store (BuzonStore        *store,
              BuzonStoreFolder  *folder,
              BuzonSearchQuery  *query,
              guint              limit,
              GError           **error)
{
  gboolean bench = g_getenv ("BUZON_BENCH") != NULL;
  gint64 times[2] = { 0 };
  GPtrArray *messages = NULL;

  for (guint run = 0; run < (bench ? 2 : 1); run++)
    {
      g_autoptr (GAsyncResult) result = NULL;
      gint64 start = g_get_monotonic_time ();

      g_clear_pointer (&messages, g_ptr_array_unref);
      buzon_store_search_async (store, folder != NULL ? folder->id : 0, query, limit, NULL,
                                buzon_cli_result_cb, &result);
      messages = buzon_store_search_finish (store, buzon_cli_wait_for (&result), error);
      times[run] = g_get_monotonic_time () - start;
      if (messages == NULL)
        return NULL;
    }
  if (bench)
    g_printerr ("bench: search %.1f ms, again %.1f ms\n", times[0] / 1000.0, times[1] / 1000.0);
  return messages;
}

int
buzon_cli_command_search (int    argc,
                          char **argv)
{
  g_autoptr (GPtrArray) positional = g_ptr_array_new ();
  g_autoptr (BuzonAccountStore) accounts = NULL;
  g_autoptr (BuzonAccount) account = NULL;
  g_autoptr (BuzonStore) store = NULL;
  g_autoptr (BuzonStoreFolder) folder = NULL;
  g_autoptr (BuzonSearchQuery) query = NULL;
  g_autoptr (GPtrArray) messages = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GHashTable) names = NULL;
  g_autoptr (GError) error = NULL;
  const char *folder_name = NULL;
  gboolean as_json = FALSE;
  gboolean online = FALSE;
  guint limit = 50;

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--online"))
      {
        online = TRUE;
        memmove (argv + i, argv + i + 1, (argc - i - 1) * sizeof *argv);
        argc--;
        break;
      }
  if (!parse_list_options (argc, argv, positional, &limit, &as_json, &folder_name)
      || positional->len != 2)
    {
      g_printerr ("%s", _("Usage: buzon-cli search NAME QUERY [--folder FOLDER] [--online] "
                          "[--limit N] [--json]\n"));
      return BUZON_CLI_EXIT_USAGE;
    }
  query = buzon_search_query_parse (positional->pdata[1], NULL, &error);
  if (query == NULL)
    {
      g_printerr ("buzon-cli search: %s\n", error->message);
      return BUZON_CLI_EXIT_USAGE;
    }
  if ((accounts = buzon_cli_load_accounts ()) == NULL
      || (account = buzon_cli_find_account (accounts, positional->pdata[0])) == NULL
      || (store = buzon_cli_open_store (account)) == NULL)
    return BUZON_CLI_EXIT_FAILED;
  if (folder_name != NULL && (folder = buzon_cli_find_folder (store, folder_name)) == NULL)
    {
      buzon_cli_close_store (store);
      return BUZON_CLI_EXIT_FAILED;
    }
  messages = search_store (store, folder, query, limit, &error);
  names = folder_names (store, &folders);
  if (messages != NULL && online
      && !add_server_matches (account, store, folder, query, limit, messages, &error))
    {
      /* The cache's answer still stands; the server's is missing. */
      print_messages (messages, names, folder == NULL, as_json);
      buzon_cli_close_store (store);
      buzon_cli_credentials_shutdown ();
      g_printerr ("buzon-cli: %s\n", error->message);
      return buzon_cli_exit_status_for (error);
    }
  buzon_cli_close_store (store);
  buzon_cli_credentials_shutdown ();
  if (messages == NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  print_messages (messages, names, folder == NULL, as_json);
  return BUZON_CLI_EXIT_OK;
}

/* show. */

static void
print_header (GMimeMessage *message,
              const char   *label,
              GMimeAddressType type)
{
  InternetAddressList *list = g_mime_message_get_addresses (message, type);
  g_autofree char *text = NULL;

  if (list == NULL || internet_address_list_length (list) == 0)
    return;
  text = internet_address_list_to_string (list, NULL, FALSE);
  g_print ("%s %s\n", label, text);
}

/* The body of @folder's message @uid: from the cache, else from the
 * server (logging in), kept in the cache. */
static GBytes *
fetch_body (BuzonAccount     *account,
            BuzonStore       *store,
            BuzonStoreFolder *folder,
            guint32           uid,
            GError          **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (BuzonCredentials) credentials = NULL;
  g_autoptr (BuzonImapSession) session = NULL;
  GBytes *raw;

  buzon_body_fetch_async (NULL, store, folder, uid, NULL, buzon_cli_result_cb, &result);
  raw = buzon_body_fetch_finish (buzon_cli_wait_for (&result), &local_error);
  if (raw != NULL)
    return raw;
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  credentials = buzon_cli_credentials_for (account, error);
  if (credentials == NULL)
    return NULL;
  g_clear_object (&result);
  buzon_account_connect_async (account, credentials, NULL, buzon_cli_result_cb, &result);
  session = buzon_account_connect_finish (buzon_cli_wait_for (&result), error);
  if (session == NULL)
    return NULL;
  g_clear_object (&result);
  buzon_body_fetch_async (session, store, folder, uid, NULL, buzon_cli_result_cb, &result);
  raw = buzon_body_fetch_finish (buzon_cli_wait_for (&result), error);
  g_clear_object (&result);
  buzon_imap_session_logout_async (session, NULL, buzon_cli_result_cb, &result);
  buzon_imap_session_logout_finish (session, buzon_cli_wait_for (&result), NULL);
  return raw;
}

int
buzon_cli_command_show (int    argc,
                        char **argv)
{
  g_autoptr (GPtrArray) positional = g_ptr_array_new ();
  g_autoptr (BuzonAccountStore) accounts = NULL;
  g_autoptr (BuzonAccount) account = NULL;
  g_autoptr (BuzonStore) store = NULL;
  g_autoptr (BuzonStoreFolder) folder = NULL;
  g_autoptr (GBytes) raw = NULL;
  g_autoptr (GError) error = NULL;
  gboolean as_raw = FALSE;
  guint64 uid = 0;

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--raw"))
      as_raw = TRUE;
    else
      g_ptr_array_add (positional, argv[i]);
  if (positional->len != 3
      || !g_ascii_string_to_unsigned (positional->pdata[2], 10, 1, G_MAXUINT32, &uid, NULL))
    {
      g_printerr ("%s", _("Usage: buzon-cli show NAME FOLDER UID [--raw]\n"));
      return BUZON_CLI_EXIT_USAGE;
    }
  if ((accounts = buzon_cli_load_accounts ()) == NULL
      || (account = buzon_cli_find_account (accounts, positional->pdata[0])) == NULL
      || (store = buzon_cli_open_store (account)) == NULL)
    return BUZON_CLI_EXIT_FAILED;
  folder = buzon_cli_find_folder (store, positional->pdata[1]);
  raw = folder != NULL ? fetch_body (account, store, folder, (guint32) uid, &error) : NULL;
  buzon_cli_close_store (store);
  buzon_cli_credentials_shutdown ();
  if (folder == NULL)
    return BUZON_CLI_EXIT_FAILED;
  if (raw == NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND)
               ? BUZON_CLI_EXIT_FAILED
               : buzon_cli_exit_status_for (error);
    }
  if (as_raw)
    {
      gsize size = 0;
      const char *data = g_bytes_get_data (raw, &size);

      fwrite (data, 1, size, stdout);
      return BUZON_CLI_EXIT_OK;
    }
  {
    GMimeMessage *message = buzon_mime_parse_message (raw, &error);
    g_autofree char *text = NULL;
    g_autoptr (GPtrArray) attachments = NULL;
    GDateTime *date;

    if (message == NULL)
      {
        g_printerr ("buzon-cli: %s\n", error->message);
        return BUZON_CLI_EXIT_FAILED;
      }
    /* Translators: the labels of a message's headers, as `show` prints them. */
    print_header (message, _("From:"), GMIME_ADDRESS_TYPE_FROM);
    print_header (message, _("To:"), GMIME_ADDRESS_TYPE_TO);
    print_header (message, _("Cc:"), GMIME_ADDRESS_TYPE_CC);
    date = g_mime_message_get_date (message);
    if (date != NULL)
      {
        g_autofree char *when = g_date_time_format (date, "%Y-%m-%d %H:%M %z");
        g_print ("%s %s\n", _("Date:"), when);
      }
    g_print ("%s %s\n\n", _("Subject:"),
             g_mime_message_get_subject (message) != NULL ? g_mime_message_get_subject (message)
                                                          : "");
    text = buzon_mime_get_readable_text (message);
    g_print ("%s\n", text);
    attachments = buzon_mime_list_attachments (message);
    if (attachments->len > 0)
      g_print ("\n%s\n", _("Attachments:"));
    for (guint i = 0; i < attachments->len; i++)
      {
        const BuzonMimeAttachment *attachment = attachments->pdata[i];
        g_autofree char *size = g_format_size (attachment->size);

        g_print ("  %s  (%s, %s%s)\n",
                 attachment->filename != NULL ? attachment->filename : _("(unnamed)"),
                 attachment->mime_type, size, attachment->inline_ ? _(", inline") : "");
      }
    g_object_unref (message);
  }
  return BUZON_CLI_EXIT_OK;
}
