// buzon-cli: the command-line face of the Buzón engine.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Exit codes (stable, documented in `buzon-cli --help`):
//   0  success
//   1  the operation failed
//   2  bad usage: unknown command or option, missing argument

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "account/server-url.h"
#include "cli-commands.h"
#include "engine.h"

#define EXIT_OK     BUZON_CLI_EXIT_OK
#define EXIT_FAILED BUZON_CLI_EXIT_FAILED
#define EXIT_USAGE  BUZON_CLI_EXIT_USAGE

typedef int (*CommandFunc) (int argc, char **argv);

typedef struct
{
  const char *name;
  const char *args;
  const char *summary;
  CommandFunc run;
} Command;

static int command_check_url (int argc, char **argv);

static const Command commands[] = {
  { "account", N_("list [--json]"),
    N_("List the configured accounts (with --json: id, name, address, imap, smtp, "
       "trusted_certificates, password_command: the command, or null when the passwords "
       "are in the keyring, prefetch_days, compress: auto, on or off)"),
    buzon_cli_command_account },
  { "account", N_("add NAME --email ADDRESS --imap URL --smtp URL [--display-name \"FULL NAME\"] "
                  "[--password-command CMD] [--trust-cert SHA256:HEX]… [--prefetch-days N] "
                  "[--undo-seconds N] [--compress auto|on|off]"),
    N_("Add an account (exit status 1 if NAME exists). Without --password-command, asks for "
       "the IMAP and the SMTP password (Enter reuses the IMAP one) and keeps them in the "
       "keyring. Every sync downloads the bodies of the mail of the last N days (14 unless "
       "given; 0: none), for reading and searching offline; a message sent waits "
       "--undo-seconds (5 unless given, at most 60; 0: none) for an Undo. --compress: "
       "whether IMAP is compressed where the server offers it (auto, the default: except "
       "on this machine's own addresses)"),
    buzon_cli_command_account },
  { "account", N_("remove NAME"),
    N_("Remove an account (exit status 1 if there is none), its passwords in the keyring "
       "and its cached mail"),
    buzon_cli_command_account },
  { "imap-probe", N_("URL [--password-command CMD] [--trust-cert SHA256:HEX]…"),
    N_("Connect to an IMAP server (imaps://USER@HOST, imap:// for STARTTLS) and print its "
       "certificate, capabilities, namespaces and special-use folders"),
    buzon_cli_command_imap_probe },
  { "sync", N_("[NAME] [--folder FOLDER] [--bodies] [--watch] [--quiet]"),
    N_("Bring the cache of one account (or of all) up to date with the server: progress on "
       "stderr, one summary line per account on stdout (folders, messages new, changed and "
       "gone, bodies downloaded). Each sync downloads the bodies of the account's recent mail "
       "(see --prefetch-days); --bodies downloads every body the cache lacks, newest first, "
       "but those of messages over 5 MB (fetched when opened); an interrupted run keeps what "
       "it downloaded. With --watch, keep it up to date until interrupted: the Inbox at once "
       "through IDLE, the other folders every five minutes. Each sync also sends the outbox's "
       "mail whose time has come (see send); with --watch, as it comes"),
    buzon_cli_command_sync },
  { "folders", N_("NAME [--json]"),
    N_("List an account's cached folders (with --json: name, raw_name, special_use, messages, "
       "unread, synced)"),
    buzon_cli_command_folders },
  { "list", N_("NAME FOLDER [--limit N] [--json]"),
    N_("List a folder's cached messages, newest first (with --json: uid, folder, folder_id, "
       "date, from {name, address}, subject, flags, thread_id, has_attachment, size, "
       "message_id, preview)"),
    buzon_cli_command_list },
  { "show", N_("NAME FOLDER UID [--raw]"),
    N_("Show a message: its headers, its readable text and its attachments (--raw: the "
       "message as the server sent it); downloads it into the cache if needed"),
    buzon_cli_command_show },
  { "search", N_("NAME QUERY [--folder FOLDER] [--online] [--limit N] [--json]"),
    N_("Search the cached mail: words, \"phrases\", from:, to:, cc:, subject:, "
       "has:attachment, is:unread, is:read, is:flagged, is:answered, before:, after:, on: "
       "(YYYY-MM-DD), -term, OR (output as for list; without --folder each line starts with "
       "the message's folder). --online also asks the server, which reads the bodies the "
       "cache does not have: in FOLDER or, without --folder, in every folder, one after the "
       "other (a folder that cannot be searched is named on stderr, and the others' answer "
       "stands)"),
    buzon_cli_command_search },
  { "flag", N_("NAME FOLDER UID…"), N_("Flag messages (\\Flagged)"), buzon_cli_command_operation },
  { "unflag", N_("NAME FOLDER UID…"), N_("Take the flag off messages"),
    buzon_cli_command_operation },
  { "read", N_("NAME FOLDER UID…"), N_("Mark messages as read (\\Seen)"),
    buzon_cli_command_operation },
  { "unread", N_("NAME FOLDER UID…"), N_("Mark messages as unread"), buzon_cli_command_operation },
  { "move", N_("NAME FOLDER UID… DEST"), N_("Move messages to the folder DEST"),
    buzon_cli_command_operation },
  { "copy", N_("NAME FOLDER UID… DEST"), N_("Copy messages to the folder DEST"),
    buzon_cli_command_operation },
  { "archive", N_("NAME FOLDER UID…"),
    N_("Move messages to the account's Archive (the folder the server marks \\Archive); "
       "status 1, and nothing changes, when the account has none"),
    buzon_cli_command_operation },
  { "delete", N_("NAME FOLDER UID…"),
    N_("Move messages to the Trash; those in the Trash already (or all, when the account has "
       "no Trash) are deleted for good"),
    buzon_cli_command_operation },
  { "expunge", N_("NAME FOLDER"),
    N_("Remove for good the folder's messages marked as deleted (\\Deleted)"),
    buzon_cli_command_operation },
  { "send", N_("NAME --to ADDRESS… [--cc ADDRESS]… [--bcc ADDRESS]… --subject TEXT "
               "[--attach FILE]… [--html FILE] [--reply-to ADDRESS] [--receipt] [--at TIME] "
               "< body.txt"),
    N_("Send a message: the text from stdin (UTF-8, sent as format=flowed), FILEs attached, "
       "an HTML version from --html; --receipt asks for a delivery notification. The message "
       "is kept in the outbox first, then waits the account's undo window (5 seconds unless "
       "set: Ctrl+C takes it back, status 1), is sent and saved in Sent. With --at (YYYY-MM-DD "
       "HH:MM, ISO 8601, or +N with s, m, h or d) it waits in the outbox until then and goes "
       "with the first sync (or outbox --send) after. What could not be sent stays in the "
       "outbox: retried later when the reason may pass (status 3 or 5), kept with the "
       "server's words when it refused (status 6)"),
    buzon_cli_command_send },
  { "send", N_("NAME --raw FILE.eml [--at TIME]"),
    N_("Send a message made elsewhere, as it is (From gives the sender; To, Cc and Bcc the "
       "recipients; Bcc is kept out of what is sent and only in the Sent copy)"),
    buzon_cli_command_send },
  { "outbox", N_("NAME [--json]"),
    N_("List the outbox (with --json: id, state (queued, sending, committing, accepted, "
       "saving-sent, failed, uncertain), send_at, created_at, subject, sender, recipients "
       "(those still to get it), attempts, last_error, size, send_later, receipt, "
       "sent_saved)"),
    buzon_cli_command_outbox },
  { "outbox", N_("NAME --send | --retry ID | --cancel ID"),
    N_("Send what is due now; try message ID again now (an uncertain one may then arrive "
       "twice); or take it out of the outbox unsent"),
    buzon_cli_command_outbox },
  { "draft", N_("NAME [--to ADDRESS]… [--cc ADDRESS]… [--bcc ADDRESS]… [--subject TEXT] "
                "[--attach FILE]… [--replace UID] < body.txt"),
    N_("Save a message in the account's Drafts folder (with \\Draft, the Bcc kept), its text "
       "from stdin, and print its UID there; --replace UID removes the copy saved before (one "
       "already gone is no error). Status 1 when the account has no Drafts folder"),
    buzon_cli_command_draft },
  { "draft", N_("NAME --discard UID"),
    N_("Remove a saved draft from Drafts (the message was sent, or is not wanted)"),
    buzon_cli_command_draft },
  { "check-url", N_("URL…"),
    N_("Check server addresses as an account would store them, and print their parts"),
    command_check_url },
};

static const char *
security_name (BuzonServerSecurity security)
{
  switch (security)
    {
    case BUZON_SERVER_SECURITY_TLS:
      return "tls";
    case BUZON_SERVER_SECURITY_STARTTLS:
      return "starttls";
    case BUZON_SERVER_SECURITY_PLAIN:
      return "plain";
    default:
      g_return_val_if_reached ("unknown");
    }
}

static int
command_check_url (int    argc,
                   char **argv)
{
  int status = EXIT_OK;

  if (argc < 2)
    {
      g_printerr (_("Usage: buzon-cli check-url URL…\n"));
      return EXIT_USAGE;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonServerUrl) url = buzon_server_url_parse (argv[i], &error);
      g_autofree char *canonical = NULL;

      if (url == NULL)
        {
          g_printerr ("%s\n", error->message);
          status = EXIT_FAILED;
          continue;
        }
      canonical = buzon_server_url_to_string (url);
      g_print ("%s\tprotocol=%s security=%s host=%s port=%u user=%s\n", canonical,
               url->protocol == BUZON_SERVER_PROTOCOL_IMAP ? "imap" : "smtp",
               security_name (url->security), url->host, url->port,
               url->user != NULL ? url->user : "");
    }
  return status;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: buzon-cli [--version] [--help] COMMAND [ARGUMENT…]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %s %s\n      %s\n", commands[i].name, _(commands[i].args),
             _(commands[i].summary));
  fprintf (out, "\n%s\n",
           _("flag, unflag, read, unread, move, copy, archive and delete take UIDs as numbers or "
             "sets such as 3:7,9, of messages in the cache. They (and expunge) change the cache "
             "at once, queue the change and send the queue to the server; when it cannot be "
             "sent now (the server cannot be reached, say, which stderr tells) the change stays "
             "queued for the next sync, and the exit status is still 0. Moved, copied and "
             "archived messages are listed in their destination at once, with UID 0 until the "
             "server has given them theirs. An unknown account, folder or UID is status 1; a "
             "change the server refused is status 6, and the cache then shows the server's "
             "state."));
  fprintf (out, "\n%s\n  0  %s\n  1  %s\n  2  %s\n  3  %s\n  4  %s\n  5  %s\n  6  %s\n",
           _("Exit status:"), _("success"), _("the operation failed"), _("bad usage"),
           _("cannot connect to the server"), _("TLS failed or the certificate is not trusted"),
           _("the server refused the user name or password"),
           _("the server broke the protocol or refused a command"));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("buzon-cli %s\n", buzon_engine_version ());
      return EXIT_OK;
    }

  buzon_engine_init ();
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        int status = commands[i].run (argc - 1, argv + 1);

        /* GLib's idle worker threads (name lookups, GTask) would linger
         * until exit; ending them first lets the process end quietly,
         * and lets LeakSanitizer look at a process with one thread. */
        g_thread_pool_set_max_unused_threads (0);
        g_thread_pool_stop_unused_threads ();
        buzon_engine_shutdown ();
        return status;
      }

  /* Translators: %s is what the user typed as the command name. */
  g_printerr (_("buzon-cli: unknown command “%s”. Try “buzon-cli --help”.\n"), argv[1]);
  buzon_engine_shutdown ();
  return EXIT_USAGE;
}
