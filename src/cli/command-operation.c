// buzon-cli's changes to messages: `flag`, `unflag`, `read`, `unread`,
// `move`, `copy`, `archive`, `delete` and `expunge`, local first.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A change is made to the cache and queued for the server in one step, so
// it holds offline; then the queue is sent right away. When the server
// cannot be reached the change stays queued for the next `buzon-cli sync`
// and the command still succeeds: what the user asked for is done and will
// reach the server. Only a change the server refused (the cache then shows
// the server's state) fails, with the status of a refused command. Moved,
// copied and archived messages are listed in their destination at once
// (with UID 0 until the server has given them theirs).

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "cli-cache.h"
#include "cli-commands.h"
#include "cli-credentials.h"
#include "imap/imap-uid-set.h"
#include "store/store-operation.h"
#include "sync/account-sync.h"

typedef struct
{
  const char *name;
  BuzonStoreOperationKind kind;
  const char *flag; /* For the flag kinds. */
  gboolean destination;
  gboolean uids;    /* Takes UIDs; expunge does not: it covers the folder. */
} Change;

static const Change changes[] = {
  { "flag", BUZON_STORE_OPERATION_ADD_FLAGS, "\\Flagged", FALSE, TRUE },
  { "unflag", BUZON_STORE_OPERATION_REMOVE_FLAGS, "\\Flagged", FALSE, TRUE },
  { "read", BUZON_STORE_OPERATION_ADD_FLAGS, "\\Seen", FALSE, TRUE },
  { "unread", BUZON_STORE_OPERATION_REMOVE_FLAGS, "\\Seen", FALSE, TRUE },
  { "move", BUZON_STORE_OPERATION_MOVE, NULL, TRUE, TRUE },
  { "copy", BUZON_STORE_OPERATION_COPY, NULL, TRUE, TRUE },
  { "archive", BUZON_STORE_OPERATION_ARCHIVE, NULL, FALSE, TRUE },
  { "delete", BUZON_STORE_OPERATION_DELETE, NULL, FALSE, TRUE },
  { "expunge", BUZON_STORE_OPERATION_EXPUNGE, NULL, FALSE, FALSE },
};

/* What expunge covers: every cached message of the folder marked
 * \Deleted. */
#define ALL_UIDS "1:4294967295"

static void
print_usage (const Change *change,
             FILE         *out)
{
  if (!change->uids)
    {
      /* Translators: %s is the command: expunge. */
      fprintf (out, _("Usage: buzon-cli %s NAME FOLDER\n"), change->name);
      fprintf (out, "%s\n", _("Removes for good the folder's messages marked as deleted."));
      return;
    }
  if (change->destination)
    /* Translators: %s is the command: move or copy. */
    fprintf (out, _("Usage: buzon-cli %s NAME FOLDER UID… DEST\n"), change->name);
  else
    /* Translators: %s is the command: flag, read, archive, delete… */
    fprintf (out, _("Usage: buzon-cli %s NAME FOLDER UID…\n"), change->name);
  fprintf (out, "%s\n", _("UIDs are numbers or sets such as 3:7,9."));
}

/* The UIDs the arguments name, as one set; NULL when one is not a UID or a
 * set of them. */
static char *
join_uids (char **args,
           int    count)
{
  g_autoptr (GString) set = g_string_new (NULL);

  for (int i = 0; i < count; i++)
    {
      if (strchr (args[i], '*') != NULL || !buzon_imap_uid_set_is_valid (args[i]))
        return NULL;
      g_string_append_printf (set, "%s%s", set->len > 0 ? "," : "", args[i]);
    }
  return g_string_free (g_steal_pointer (&set), FALSE);
}

typedef struct
{
  gint64 id;        /* The change this command queued. */
  gboolean refused; /* … and the server refused it. */
} Replay;

/* BuzonAccountSync::operation-dropped: says so on stderr. @user_data is
 * the Replay of the change this command made, or NULL. */
void
buzon_cli_operation_dropped_cb (BuzonAccountSync          *sync,
                                const BuzonStoreOperation *operation,
                                const GError              *error,
                                gpointer                   user_data)
{
  Replay *replay = user_data;

  if (replay != NULL && operation->id == replay->id)
    {
      replay->refused = TRUE;
      /* Translators: %s is the server's reason. */
      g_printerr (_("buzon-cli: the server refused the change, and the cache shows the messages "
                    "as the server has them: %s\n"),
                  error->message);
    }
  else
    /* Translators: %s is the server's reason. */
    g_printerr (_("buzon-cli: the server refused an earlier queued change, and the cache shows "
                  "the messages as the server has them: %s\n"),
                error->message);
}

static void
print_queued (const char *reason)
{
  if (reason != NULL)
    g_printerr ("buzon-cli: %s\n", reason);
  g_printerr ("%s\n", _("The change is made in the cache and queued; it will be sent to the "
                        "server at the next “buzon-cli sync”."));
}

/* Sends the queue now; the status the command ends with. */
static int
send_queue (BuzonAccount *account,
            BuzonStore   *store,
            gint64        id)
{
  g_autoptr (BuzonCredentials) credentials = NULL;
  g_autoptr (BuzonAccountSync) sync = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BuzonAccountSyncResult summary = { 0 };
  Replay replay = { id, FALSE };

  credentials = buzon_cli_credentials_for (account, &error);
  if (credentials == NULL)
    {
      print_queued (error->message);
      return BUZON_CLI_EXIT_OK;
    }
  sync = buzon_account_sync_new (account, store, credentials);
  g_signal_connect (sync, "operation-dropped", G_CALLBACK (buzon_cli_operation_dropped_cb),
                    &replay);
  buzon_account_sync_replay_async (sync, NULL, buzon_cli_result_cb, &result);
  if (!buzon_account_sync_run_finish (sync, buzon_cli_wait_for (&result), &summary, &error))
    {
      print_queued (error->message);
      return BUZON_CLI_EXIT_OK;
    }
  if (replay.refused)
    return BUZON_CLI_EXIT_PROTOCOL;
  if (summary.operations_left > 0)
    print_queued (_("The server is busy"));
  return BUZON_CLI_EXIT_OK;
}

/* Queues the change; the status the command ends with. */
static int
make_change (const Change *change,
             BuzonAccount *account,
             BuzonStore   *store,
             const char   *folder_name,
             const char   *uids,
             const char   *destination_name)
{
  g_autoptr (BuzonStoreFolder) folder = NULL;
  g_autoptr (BuzonStoreFolder) destination = NULL;
  g_autoptr (BuzonStoreOperation) operation = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id;

  if ((folder = buzon_cli_find_folder (store, folder_name)) == NULL
      || (destination_name != NULL
          && (destination = buzon_cli_find_folder (store, destination_name)) == NULL))
    return BUZON_CLI_EXIT_FAILED;
  operation = buzon_store_operation_new (change->kind, folder->id, uids);
  if (change->flag != NULL)
    {
      const char *flags[] = { change->flag, NULL };

      operation->flags = g_strdupv ((char **) flags);
    }
  if (destination != NULL)
    operation->destination_id = destination->id;
  buzon_store_queue_operation_async (store, operation, NULL, buzon_cli_result_cb, &result);
  id = buzon_store_queue_operation_finish (store, buzon_cli_wait_for (&result), NULL, &error);
  if (id == 0 && change->kind == BUZON_STORE_OPERATION_EXPUNGE
      && g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
    {
      /* Translators: %s is a folder's name. */
      g_printerr (_("buzon-cli: nothing to expunge: no message in %s is marked as deleted\n"),
                  folder->name);
      return BUZON_CLI_EXIT_OK;
    }
  if (id == 0)
    {
      /* Translators: the first %s is a folder's name, the second why. */
      g_printerr (_("buzon-cli: %s: %s\n"), folder->name, error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  return send_queue (account, store, id);
}

/**
 * buzon_cli_command_operation:
 *
 * `flag|unflag|read|unread|archive|delete NAME FOLDER UID…`,
 * `move|copy NAME FOLDER UID… DEST` and `expunge NAME FOLDER`; @argv[0]
 * says which.
 */
int
buzon_cli_command_operation (int    argc,
                             char **argv)
{
  g_autoptr (BuzonAccountStore) accounts = NULL;
  g_autoptr (BuzonAccount) account = NULL;
  g_autoptr (BuzonStore) store = NULL;
  g_autofree char *uids = NULL;
  const Change *change = NULL;
  int uid_count;
  int status;

  for (gsize i = 0; i < G_N_ELEMENTS (changes) && change == NULL; i++)
    if (g_str_equal (argv[0], changes[i].name))
      change = &changes[i];
  g_return_val_if_fail (change != NULL, BUZON_CLI_EXIT_USAGE);

  uid_count = change->uids ? argc - 3 - (change->destination ? 1 : 0) : 0;
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          print_usage (change, stdout);
          return BUZON_CLI_EXIT_OK;
        }
      if (argv[i][0] == '-')
        uid_count = 0;
    }
  if (!change->uids && argc == 3 && argv[1][0] != '-' && argv[2][0] != '-')
    uids = g_strdup (ALL_UIDS);
  else if (!change->uids || uid_count < 1 || (uids = join_uids (argv + 3, uid_count)) == NULL)
    {
      print_usage (change, stderr);
      return BUZON_CLI_EXIT_USAGE;
    }
  if ((accounts = buzon_cli_load_accounts ()) == NULL
      || (account = buzon_cli_find_account (accounts, argv[1])) == NULL
      || (store = buzon_cli_open_store (account)) == NULL)
    return BUZON_CLI_EXIT_FAILED;
  status = make_change (change, account, store, argv[2], uids,
                        change->destination ? argv[argc - 1] : NULL);
  buzon_cli_close_store (store);
  buzon_cli_credentials_shutdown ();
  return status;
}
