// buzon-cli send and outbox: a message put in the outbox (durable before
// anything goes out), the undo window waited for (Ctrl+C takes it back),
// then sent and saved in Sent; the outbox listed, retried and cancelled.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "cli-cache.h"
#include "cli-commands.h"
#include "cli-compose.h"
#include "cli-credentials.h"
#include "cli-json.h"
#include "cli-status.h"
#include "mime/mime-error.h"
#include "smtp/smtp-error.h"
#include "sync/send-queue.h"

/* What a run of the queue heard, for what to say at its end. */
typedef struct
{
  gint64 watched;      /* The message the command is about; 0: every one. */
  GError *failure;     /* Why the watched message (or the last one) failed. */
  gboolean started;    /* The watched message went on its way in this pass. */
  gboolean quiet_progress;
} Listener;

static void
progress_cb (BuzonSendQueue        *queue,
             gint64                 id,
             BuzonStoreOutboxState  state,
             Listener              *listener)
{
  if (listener->watched != 0 && id != listener->watched)
    return;
  listener->started = TRUE;
  switch (state)
    {
    case BUZON_STORE_OUTBOX_SENDING:
      /* Translators: %lld is a message's number in the outbox. */
      g_printerr (_("Sending message %lld…\n"), (long long) id);
      break;
    case BUZON_STORE_OUTBOX_ACCEPTED:
      g_printerr (_("The server took message %lld.\n"), (long long) id);
      break;
    case BUZON_STORE_OUTBOX_SAVING_SENT:
      g_printerr (_("Saving a copy of message %lld in Sent…\n"), (long long) id);
      break;
    case BUZON_STORE_OUTBOX_QUEUED:
    case BUZON_STORE_OUTBOX_COMMITTING:
    case BUZON_STORE_OUTBOX_FAILED:
    case BUZON_STORE_OUTBOX_UNCERTAIN:
    default:
      break;
    }
}

static void
failed_cb (BuzonSendQueue *queue,
           gint64          id,
           const GError   *error,
           Listener       *listener)
{
  if (listener->watched != 0 && id != listener->watched)
    return;
  g_clear_error (&listener->failure);
  listener->failure = g_error_copy (error);
  if (listener->watched == 0)
    g_printerr (_("Message %lld was not sent: %s\n"), (long long) id, error->message);
}

static int
status_for (const GError *error)
{
  if (error == NULL)
    return BUZON_CLI_EXIT_FAILED;
  if (error->domain == BUZON_SMTP_ERROR)
    switch (error->code)
      {
      case BUZON_SMTP_ERROR_CONNECTION:
      case BUZON_SMTP_ERROR_TIMEOUT:
        return BUZON_CLI_EXIT_CONNECT;
      case BUZON_SMTP_ERROR_NO_STARTTLS:
        return BUZON_CLI_EXIT_TLS;
      case BUZON_SMTP_ERROR_AUTH_UNAVAILABLE:
      case BUZON_SMTP_ERROR_AUTHENTICATION_FAILED:
        return BUZON_CLI_EXIT_AUTH;
      case BUZON_SMTP_ERROR_OUTCOME_UNKNOWN:
        return BUZON_CLI_EXIT_FAILED;
      default:
        return BUZON_CLI_EXIT_PROTOCOL;
      }
  return buzon_cli_exit_status_for (error);
}

/* Runs a pass of @queue; FALSE when another process sends (said on
 * stdout) or the pass failed (said on stderr, *status set). */
static gboolean
flush (BuzonSendQueue *queue,
       Listener       *listener,
       gint64          id,
       int            *status)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gulong handlers[2];

  handlers[0] = g_signal_connect (queue, "message-progress", G_CALLBACK (progress_cb), listener);
  handlers[1] = g_signal_connect (queue, "message-failed", G_CALLBACK (failed_cb), listener);
  buzon_send_queue_flush_async (queue, NULL, buzon_cli_result_cb, &result);
  buzon_send_queue_flush_finish (queue, buzon_cli_wait_for (&result), &error);
  g_signal_handler_disconnect (queue, handlers[0]);
  g_signal_handler_disconnect (queue, handlers[1]);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    {
      if (id != 0)
        /* Translators: %lld is a message's number in the outbox. */
        g_print (_("Message %lld is in the outbox: %s\n"), (long long) id, error->message);
      else
        g_print ("%s\n", error->message);
      *status = BUZON_CLI_EXIT_OK;
      return FALSE;
    }
  if (error != NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      *status = BUZON_CLI_EXIT_FAILED;
      return FALSE;
    }
  return TRUE;
}

/* Says what became of message @id after a pass, and returns the status. */
static int
report (BuzonStore     *store,
        const char     *account_name,
        gint64          id,
        const Listener *listener)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonStoreOutboxItem) item = NULL;

  buzon_store_get_outbox_async (store, id, NULL, buzon_cli_result_cb, &result);
  item = buzon_store_get_outbox_finish (store, buzon_cli_wait_for (&result), &error);
  if (item == NULL)
    {
      if (!g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
        {
          g_printerr ("buzon-cli: %s\n", error->message);
          return BUZON_CLI_EXIT_FAILED;
        }
      if (!listener->started)
        {
          /* Cancelled from elsewhere (buzon-cli outbox --cancel) in time. */
          g_printerr (_("Taken back: message %lld was not sent.\n"), (long long) id);
          return BUZON_CLI_EXIT_FAILED;
        }
      g_print (_("Sent message %lld.\n"), (long long) id);
      return BUZON_CLI_EXIT_OK;
    }
  switch (item->state)
    {
    case BUZON_STORE_OUTBOX_ACCEPTED:
    case BUZON_STORE_OUTBOX_SAVING_SENT:
      g_print (_("Sent message %lld.\n"), (long long) id);
      if (item->last_error != NULL)
        g_printerr ("buzon-cli: %s\n", item->last_error);
      return BUZON_CLI_EXIT_OK;
    case BUZON_STORE_OUTBOX_QUEUED:
      /* Translators: the first %s is why, the second an account's name. */
      g_printerr (_("Message %lld was not sent yet: %s\nIt stays in the outbox "
                    "and is tried again later; buzon-cli outbox %s --retry %lld"
                    " tries now.\n"),
                  (long long) id, item->last_error != NULL ? item->last_error : "", account_name,
                  (long long) id);
      return status_for (listener->failure);
    case BUZON_STORE_OUTBOX_FAILED:
      if (item->flags & BUZON_STORE_OUTBOX_FLAG_SENT_SAVED)
        g_print (_("Sent message %lld, but not to everybody.\n"), (long long) id);
      g_printerr (_("Message %lld was refused: %s\nIt stays in the outbox.\n"),
                  (long long) id, item->last_error != NULL ? item->last_error : "");
      return listener->failure != NULL ? status_for (listener->failure)
                                       : BUZON_CLI_EXIT_PROTOCOL;
    case BUZON_STORE_OUTBOX_UNCERTAIN:
      g_printerr (_("Message %lld may or may not have been sent: %s\n"), (long long) id,
                  item->last_error != NULL ? item->last_error : "");
      return BUZON_CLI_EXIT_FAILED;
    case BUZON_STORE_OUTBOX_SENDING:
    case BUZON_STORE_OUTBOX_COMMITTING:
    default:
      g_printerr (_("Message %lld is being sent.\n"), (long long) id);
      return BUZON_CLI_EXIT_FAILED;
    }
}

/* Opening what a command needs. */

typedef struct
{
  BuzonAccountStore *accounts;
  BuzonAccount *account;
  BuzonStore *store;
  BuzonCredentials *credentials;
  BuzonSendQueue *queue;
} Outbox;

static void
outbox_clear (Outbox *outbox)
{
  g_clear_object (&outbox->queue);
  if (outbox->store != NULL)
    buzon_cli_close_store (outbox->store);
  g_clear_object (&outbox->store);
  g_clear_object (&outbox->credentials);
  g_clear_object (&outbox->account);
  g_clear_object (&outbox->accounts);
  buzon_cli_credentials_shutdown ();
}

static gboolean
outbox_open (Outbox     *outbox,
             const char *name)
{
  g_autoptr (GError) error = NULL;

  if ((outbox->accounts = buzon_cli_load_accounts ()) == NULL
      || (outbox->account = buzon_cli_find_account (outbox->accounts, name)) == NULL
      || (outbox->store = buzon_cli_open_store (outbox->account)) == NULL)
    return FALSE;
  outbox->credentials = buzon_cli_credentials_for (outbox->account, &error);
  if (outbox->credentials == NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return FALSE;
    }
  outbox->queue = buzon_send_queue_new (outbox->account, outbox->store, outbox->credentials);
  return TRUE;
}

/* buzon-cli send. */

typedef struct
{
  BuzonCliCompose compose;
  const char *raw;
  const char *at;
} SendRequest;

static void
send_request_clear (SendRequest *request)
{
  buzon_cli_compose_clear (&request->compose);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SendRequest, send_request_clear)

static void
send_usage (FILE *out)
{
  fprintf (out, "%s\n",
           _("Usage: buzon-cli send NAME --to ADDRESS… [--cc ADDRESS]… [--bcc ADDRESS]…\n"
             "                 --subject TEXT [--attach FILE]… [--html FILE] [--reply-to ADDRESS]\n"
             "                 [--receipt] [--at TIME] < body.txt\n"
             "       buzon-cli send NAME --raw FILE.eml [--at TIME]\n"
             "TIME is YYYY-MM-DD HH:MM (local time), an ISO 8601 time, or +N with s, m, h or d\n"
             "(+30m: in half an hour)."));
}

/* --raw FILE.eml or --at TIME. */
static gboolean
send_option_cb (const char *option,
                const char *value,
                gpointer    user_data)
{
  SendRequest *request = user_data;

  if (g_str_equal (option, "--raw"))
    request->raw = value;
  else
    request->at = value;
  return TRUE;
}

static gboolean
parse_send (SendRequest  *request,
            int           argc,
            char        **argv)
{
  static const char *const own[] = { "--raw", "--at", NULL };
  const BuzonCliCompose *compose = &request->compose;
  const char *argument = NULL;

  switch (buzon_cli_compose_parse (&request->compose, BUZON_CLI_COMPOSE_EXTRAS, own,
                                   send_option_cb, request, argc, argv, &argument))
    {
    case BUZON_CLI_COMPOSE_UNEXPECTED:
      g_printerr (_("buzon-cli send: unexpected “%s”\n"), argument);
      return FALSE;
    case BUZON_CLI_COMPOSE_NO_VALUE:
      g_printerr (_("buzon-cli send: %s needs a value\n"), argument);
      return FALSE;
    case BUZON_CLI_COMPOSE_BAD_VALUE:
    case BUZON_CLI_COMPOSE_PARSED:
    default:
      break;
    }
  if (compose->name == NULL)
    return FALSE;
  if (request->raw != NULL)
    return buzon_cli_compose_is_empty (compose);
  return compose->to->len + compose->cc->len + compose->bcc->len > 0 && compose->subject != NULL;
}

/* TIME as --at takes it; NULL when it is not one. */
static GDateTime *
parse_time (const char *text)
{
  g_autoptr (GTimeZone) local = g_time_zone_new_local ();
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *iso = NULL;
  char *end = NULL;

  if (text[0] == '+')
    {
      guint64 amount = g_ascii_strtoull (text + 1, &end, 10);
      guint64 unit = 0;

      if (end == text + 1 || end == NULL || amount > G_MAXINT32)
        return NULL;
      if (g_str_equal (end, "s"))
        unit = 1;
      else if (g_str_equal (end, "m"))
        unit = 60;
      else if (g_str_equal (end, "h"))
        unit = 3600;
      else if (g_str_equal (end, "d"))
        unit = 86400;
      else
        return NULL;
      return g_date_time_add_seconds (now, (gdouble) (amount * unit));
    }
  iso = g_strdup (text);
  if (strlen (iso) > 10 && iso[10] == ' ')
    iso[10] = 'T';
  /* "2026-12-03T09:00" lacks seconds, which GLib's parser wants. */
  if (strlen (iso) == 16)
    {
      g_autofree char *with_seconds = g_strconcat (iso, ":00", NULL);

      g_free (iso);
      iso = g_steal_pointer (&with_seconds);
    }
  return g_date_time_new_from_iso8601 (iso, local);
}

/* Waiting out the undo window. */

typedef struct
{
  gboolean interrupted;
  gboolean elapsed;
} Window;

static gboolean
window_interrupted_cb (gpointer user_data)
{
  Window *window = user_data;

  window->interrupted = TRUE;
  return G_SOURCE_CONTINUE;
}

static gboolean
window_elapsed_cb (gpointer user_data)
{
  Window *window = user_data;

  window->elapsed = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits until @send_at; TRUE when Ctrl+C (or SIGTERM) came first. */
static gboolean
wait_for_window (gint64 send_at)
{
  Window window = { FALSE, FALSE };
  gint64 wait_ms = send_at * 1000 - g_get_real_time () / 1000;
  guint sigint, sigterm, timer;

  if (wait_ms <= 0)
    return FALSE;
  sigint = g_unix_signal_add (SIGINT, window_interrupted_cb, &window);
  sigterm = g_unix_signal_add (SIGTERM, window_interrupted_cb, &window);
  timer = g_timeout_add ((guint) wait_ms, window_elapsed_cb, &window);
  while (!window.interrupted && !window.elapsed)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (!window.elapsed)
    g_source_remove (timer);
  return window.interrupted;
}

static int
undo (Outbox *outbox,
      gint64  id)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  buzon_send_queue_undo_async (outbox->queue, id, NULL, buzon_cli_result_cb, &result);
  if (buzon_send_queue_undo_finish (outbox->queue, buzon_cli_wait_for (&result), &error))
    {
      g_printerr (_("Taken back: message %lld was not sent.\n"), (long long) id);
      return BUZON_CLI_EXIT_FAILED;
    }
  g_printerr (_("Too late to take message %lld back: %s\n"), (long long) id,
              error->message);
  return BUZON_CLI_EXIT_FAILED;
}

static gint64
add_to_outbox (Outbox            *outbox,
               const SendRequest *request,
               GDateTime         *at)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id;

  if (request->raw != NULL)
    {
      g_autofree char *contents = NULL;
      g_autoptr (GBytes) raw = NULL;
      gsize length = 0;

      if (!g_file_get_contents (request->raw, &contents, &length, &error))
        {
          g_printerr ("buzon-cli: %s\n", error->message);
          return 0;
        }
      raw = g_bytes_new_take (g_steal_pointer (&contents), length);
      buzon_send_queue_add_raw_async (outbox->queue, raw, at, NULL, buzon_cli_result_cb, &result);
    }
  else
    {
      g_autoptr (BuzonDraft) draft = buzon_cli_compose_make_draft (&request->compose,
                                                                   outbox->account, &error);

      if (draft == NULL)
        {
          g_printerr ("buzon-cli: %s\n", error->message);
          return 0;
        }
      buzon_send_queue_add_draft_async (outbox->queue, draft, at, NULL, buzon_cli_result_cb,
                                        &result);
    }
  id = buzon_send_queue_add_finish (outbox->queue, buzon_cli_wait_for (&result), &error);
  if (id == 0)
    g_printerr ("buzon-cli: %s\n", error->message);
  return id;
}

/* buzon-cli send NAME …: see send_usage(). */
int
buzon_cli_command_send (int    argc,
                        char **argv)
{
  g_auto (SendRequest) request = { 0 };
  g_autoptr (GDateTime) at = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (BuzonStoreOutboxItem) item = NULL;
  Outbox outbox = { 0 };
  Listener listener = { 0 };
  int status = BUZON_CLI_EXIT_FAILED;
  gint64 id;

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
      {
        send_usage (stdout);
        return BUZON_CLI_EXIT_OK;
      }
  if (!parse_send (&request, argc, argv))
    {
      send_usage (stderr);
      return BUZON_CLI_EXIT_USAGE;
    }
  if (request.at != NULL && (at = parse_time (request.at)) == NULL)
    {
      g_printerr (_("buzon-cli send: “%s” is not a time --at takes\n"), request.at);
      send_usage (stderr);
      return BUZON_CLI_EXIT_USAGE;
    }
  if (!outbox_open (&outbox, request.compose.name)
      || (id = add_to_outbox (&outbox, &request, at)) == 0)
    {
      outbox_clear (&outbox);
      return BUZON_CLI_EXIT_FAILED;
    }
  if (at != NULL)
    {
      g_autofree char *when = g_date_time_format (at, "%Y-%m-%d %H:%M");

      /* Translators: %s is a date and time, the last %s an account's name. */
      g_print (_("Message %lld will be sent at %s, by the first buzon-cli sync "
                 "or Buzón that runs after then (buzon-cli outbox %s --cancel %lld"
                 " takes it back).\n"),
               (long long) id, when, request.compose.name, (long long) id);
      outbox_clear (&outbox);
      return BUZON_CLI_EXIT_OK;
    }
  buzon_store_get_outbox_async (outbox.store, id, NULL, buzon_cli_result_cb, &result);
  item = buzon_store_get_outbox_finish (outbox.store, buzon_cli_wait_for (&result), NULL);
  if (item != NULL && item->send_at > g_get_real_time () / G_USEC_PER_SEC)
    {
      guint seconds = (guint) (item->send_at - g_get_real_time () / G_USEC_PER_SEC);

      /* Translators: the first number is a message's in the outbox. */
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "Sending message %lld in %u second; Ctrl+C takes "
                               "it back.\n",
                               "Sending message %lld in %u seconds; Ctrl+C takes "
                               "it back.\n",
                               seconds),
                  (long long) id, seconds);
      if (wait_for_window (item->send_at))
        {
          status = undo (&outbox, id);
          outbox_clear (&outbox);
          return status;
        }
    }
  listener.watched = id;
  if (flush (outbox.queue, &listener, id, &status))
    status = report (outbox.store, request.compose.name, id, &listener);
  g_clear_error (&listener.failure);
  outbox_clear (&outbox);
  return status;
}

/* buzon-cli outbox. */

static void
outbox_usage (FILE *out)
{
  fprintf (out, "%s\n",
           _("Usage: buzon-cli outbox NAME [--json]\n"
             "       buzon-cli outbox NAME --send\n"
             "       buzon-cli outbox NAME --retry ID\n"
             "       buzon-cli outbox NAME --cancel ID"));
}

static char *
format_time (gint64 unix_time,
             gboolean iso)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  return g_date_time_format (time, iso ? "%FT%T%:z" : "%Y-%m-%d %H:%M");
}

static void
print_json (GPtrArray *items)
{
  g_autoptr (GString) out = g_string_new ("[");

  for (guint i = 0; i < items->len; i++)
    {
      const BuzonStoreOutboxItem *item = items->pdata[i];
      g_autofree char *send_at = format_time (item->send_at, TRUE);
      g_autofree char *created_at = format_time (item->created_at, TRUE);

      g_string_append_printf (out, "%s\n  {\"id\": %" G_GINT64_FORMAT ", \"state\": ",
                              i > 0 ? "," : "", item->id);
      buzon_cli_json_string (out, buzon_store_outbox_state_to_string (item->state));
      g_string_append (out, ", \"send_at\": ");
      buzon_cli_json_string (out, send_at);
      g_string_append (out, ", \"created_at\": ");
      buzon_cli_json_string (out, created_at);
      g_string_append (out, ", \"subject\": ");
      buzon_cli_json_nullable_string (out, item->subject);
      g_string_append (out, ", \"sender\": ");
      buzon_cli_json_string (out, item->sender);
      g_string_append (out, ", \"recipients\": [");
      for (guint j = 0; item->recipients[j] != NULL; j++)
        {
          if (j > 0)
            g_string_append (out, ", ");
          buzon_cli_json_string (out, item->recipients[j]);
        }
      g_string_append_printf (out, "], \"attempts\": %u, \"last_error\": ", item->attempts);
      buzon_cli_json_nullable_string (out, item->last_error);
      g_string_append_printf (out, ", \"size\": %" G_GSIZE_FORMAT ", \"send_later\": %s, "
                              "\"receipt\": %s, \"sent_saved\": %s}",
                              item->size,
                              item->flags & BUZON_STORE_OUTBOX_FLAG_SEND_LATER ? "true" : "false",
                              item->flags & BUZON_STORE_OUTBOX_FLAG_DSN ? "true" : "false",
                              item->flags & BUZON_STORE_OUTBOX_FLAG_SENT_SAVED ? "true"
                                                                               : "false");
    }
  g_string_append (out, items->len > 0 ? "\n]\n" : "]\n");
  fputs (out->str, stdout);
}

static void
print_list (GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    {
      const BuzonStoreOutboxItem *item = items->pdata[i];
      g_autofree char *when = format_time (item->send_at, FALSE);
      g_autofree char *to = g_strjoinv (", ", item->recipients);

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\n", item->id,
               buzon_store_outbox_state_to_string (item->state), when, to,
               item->subject != NULL ? item->subject : "");
      if (item->last_error != NULL)
        g_print ("\t%s\n", item->last_error);
    }
}

static int
list_outbox (Outbox  *outbox,
             gboolean json)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;

  buzon_store_list_outbox_async (outbox->store, NULL, buzon_cli_result_cb, &result);
  items = buzon_store_list_outbox_finish (outbox->store, buzon_cli_wait_for (&result), &error);
  if (items == NULL)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  if (json)
    print_json (items);
  else
    print_list (items);
  return BUZON_CLI_EXIT_OK;
}

static int
change_one (Outbox     *outbox,
            const char *name,
            gboolean    retry,
            gint64      id)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  Listener listener = { 0 };
  gboolean done;
  int status = BUZON_CLI_EXIT_FAILED;

  if (retry)
    {
      buzon_send_queue_retry_async (outbox->queue, id, NULL, buzon_cli_result_cb, &result);
      done = buzon_send_queue_retry_finish (outbox->queue, buzon_cli_wait_for (&result), &error);
    }
  else
    {
      buzon_send_queue_cancel_async (outbox->queue, id, NULL, buzon_cli_result_cb, &result);
      done = buzon_send_queue_cancel_finish (outbox->queue, buzon_cli_wait_for (&result), &error);
    }
  if (!done)
    {
      g_printerr ("buzon-cli: %s\n", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  if (!retry)
    {
      g_print (_("Removed message %lld from the outbox.\n"), (long long) id);
      return BUZON_CLI_EXIT_OK;
    }
  listener.watched = id;
  if (flush (outbox->queue, &listener, id, &status))
    status = report (outbox->store, name, id, &listener);
  g_clear_error (&listener.failure);
  return status;
}

/* buzon-cli outbox NAME [--json] | --send | --retry ID | --cancel ID */
int
buzon_cli_command_outbox (int    argc,
                          char **argv)
{
  Outbox outbox = { 0 };
  const char *name = NULL;
  const char *action = NULL;
  guint64 id = 0;
  gboolean json = FALSE;
  int status = BUZON_CLI_EXIT_USAGE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          outbox_usage (stdout);
          return BUZON_CLI_EXIT_OK;
        }
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--send") && action == NULL)
        action = argv[i];
      else if ((g_str_equal (argv[i], "--retry") || g_str_equal (argv[i], "--cancel"))
               && action == NULL && i + 1 < argc
               && g_ascii_string_to_unsigned (argv[i + 1], 10, 1, G_MAXINT64, &id, NULL))
        action = argv[i++];
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        name = action = "";
    }
  if (name == NULL || (action != NULL && (json || action[0] == '\0')))
    {
      outbox_usage (stderr);
      return BUZON_CLI_EXIT_USAGE;
    }
  if (!outbox_open (&outbox, name))
    {
      outbox_clear (&outbox);
      return BUZON_CLI_EXIT_FAILED;
    }
  if (action == NULL)
    status = list_outbox (&outbox, json);
  else if (g_str_equal (action, "--send"))
    {
      Listener listener = { 0 };

      if (flush (outbox.queue, &listener, 0, &status))
        status = listener.failure != NULL ? status_for (listener.failure) : BUZON_CLI_EXIT_OK;
      g_clear_error (&listener.failure);
    }
  else
    status = change_one (&outbox, name, g_str_equal (action, "--retry"), (gint64) id);
  outbox_clear (&outbox);
  return status;
}

/* For buzon-cli sync. */

static void
sent_line_cb (BuzonSendQueue *queue,
              gint64          id,
              gpointer        user_data)
{
  g_printerr (_("Sent message %lld.\n"), (long long) id);
}

static void
failed_line_cb (BuzonSendQueue *queue,
                gint64          id,
                const GError   *error,
                gpointer        user_data)
{
  g_printerr (_("Message %lld was not sent: %s\n"), (long long) id, error->message);
}

/* Sends what the outbox of @account has due, saying on stderr what went
 * and what did not; what is not sent stays in the outbox. */
void
buzon_cli_send_due (BuzonAccount     *account,
                    BuzonStore       *store,
                    BuzonCredentials *credentials)
{
  g_autoptr (BuzonSendQueue) queue = buzon_send_queue_new (account, store, credentials);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  g_signal_connect (queue, "message-sent", G_CALLBACK (sent_line_cb), NULL);
  g_signal_connect (queue, "message-failed", G_CALLBACK (failed_line_cb), NULL);
  buzon_send_queue_flush_async (queue, NULL, buzon_cli_result_cb, &result);
  if (!buzon_send_queue_flush_finish (queue, buzon_cli_wait_for (&result), &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    g_printerr ("buzon-cli: %s: %s\n", buzon_account_get_id (account), error->message);
}

/* A send queue that sends @account's mail as it falls due, until freed
 * (for buzon-cli sync --watch). */
BuzonSendQueue *
buzon_cli_start_sending (BuzonAccount     *account,
                         BuzonStore       *store,
                         BuzonCredentials *credentials)
{
  BuzonSendQueue *queue = buzon_send_queue_new (account, store, credentials);

  g_signal_connect (queue, "message-sent", G_CALLBACK (sent_line_cb), NULL);
  g_signal_connect (queue, "message-failed", G_CALLBACK (failed_line_cb), NULL);
  buzon_send_queue_start (queue);
  return queue;
}
