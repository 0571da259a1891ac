// Benchmark: the first-sync header fetch over TLS, against its limit.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// One `UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE
// BODY.PEEK[HEADER.FIELDS (REFERENCES IN-REPLY-TO LIST-ID)])` through
// BuzonImapConnection, every FETCH decoded into a BuzonImapFetch, against a
// reader that only scans the same bytes for the tagged OK (the limit), in the
// same run, on the same server and mailbox, both with a warm server cache.
// The client's CPU time per pass shows its own cost apart from the server's
// (the two share the machine); the peak resident memory of each pass shows
// whether the FETCH streams.
//   bench-imap-fetch [MESSAGES] [ROUNDS]

#define _GNU_SOURCE /* memmem */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>

#include "bench-memory.h"
#include "imap/imap-command.h"
#include "imap/imap-connection.h"
#include "imap/imap-fetch.h"
#include "line-client.h"
#include "mail-servers.h"

#define FETCH_ITEMS                                                                                \
  "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE "                                   \
  "BODY.PEEK[HEADER.FIELDS (REFERENCES IN-REPLY-TO LIST-ID)])"

static BuzonTestMailServers *servers;

/* A mailbox of @count realistic messages: threads, non-ASCII, some with an
 * attachment, newest last. */
static char *
generate_mailbox (guint count)
{
  g_autoptr (GError) error = NULL;
  char *root = g_dir_make_tmp ("buzon-bench-XXXXXX", &error);
  g_autofree char *inbox = g_build_filename (root, "INBOX", NULL);
  GRand *rand = g_rand_new_with_seed (20261127);

  g_assert_no_error (error);
  g_chmod (root, 0755);
  g_mkdir (inbox, 0755);
  for (guint i = 1; i <= count; i++)
    {
      guint thread = g_rand_int_range (rand, 1, MAX (2, count / 4));
      gboolean attachment = g_rand_int_range (rand, 0, 5) == 0;
      g_autofree char *name = g_strdup_printf ("%s/%07u.eml", inbox, i);
      g_autoptr (GString) m = g_string_new (NULL);

      g_string_append_printf (m,
                              "From: =?UTF-8?Q?Mar=C3=ADa_Jos=C3=A9_N=C3=BA=C3=B1ez?= "
                              "<maria%u@example.org>\n"
                              "To: Ana <ana@example.test>, equipo@lists.example.org\n"
                              "Cc: Bob <bob@example.com>\n"
                              "Subject: =?UTF-8?Q?Re:_Reuni=C3=B3n_del_hilo_n=C2=BA_%u?=\n"
                              "Date: Fri, %02u Nov 2026 %02u:%02u:%02u +0100\n"
                              "Message-ID: <%u.msg@mail.example.org>\n"
                              "In-Reply-To: <%u.thread@mail.example.org>\n"
                              "References: <%u.thread@mail.example.org> <%u.msg@mail.example.org>\n"
                              "List-ID: <equipo.lists.example.org>\n"
                              "MIME-Version: 1.0\n",
                              i % 97, thread, 1 + i % 27, i % 24, i % 60, (i * 7) % 60, i, thread,
                              thread, i > 1 ? i - 1 : 1);
      if (attachment)
        g_string_append (m, "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
                            "Content-Type: text/plain; charset=utf-8; format=flowed\n"
                            "Content-Transfer-Encoding: 8bit\n\n");
      else
        g_string_append (m, "Content-Type: text/plain; charset=utf-8\n"
                            "Content-Transfer-Encoding: 8bit\n\n");
      for (guint l = 0; l < 12; l++)
        g_string_append (m, "Hola a todos: adjunto el acta de la reunión y los próximos pasos.\n");
      if (attachment)
        g_string_append (m, "--b\nContent-Type: application/pdf; name=\"acta.pdf\"\n"
                            "Content-Disposition: attachment; filename=\"acta.pdf\"\n"
                            "Content-Transfer-Encoding: base64\n\n"
                            "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBS\n"
                            "--b--\n");
      g_file_set_contents (name, m->str, m->len, &error);
      g_assert_no_error (error);
    }
  g_rand_free (rand);
  return root;
}

static void
remove_tree (const char *path)
{
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *command = g_strconcat ("rm -rf ", quoted, NULL);

  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
}

/* The limit: TLS, then nothing but a scan of the bytes for the tag. */
static double
raw_pass (guint64 *bytes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestLineClient) client = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *greeting = NULL;
  GInputStream *input;
  char buffer[65536 + 16];
  gsize carry = 0;
  gint64 start;
  const char *needle = "\r\nzz OK ";
  gsize keep = strlen (needle) - 1;

  client = buzon_test_line_client_connect ("127.0.0.1",
                                           buzon_test_mail_servers_get_port (servers, "IMAPS_PORT"),
                                           TRUE, buzon_test_mail_servers_get_ca (servers), &error);
  g_assert_no_error (error);
  greeting = buzon_test_line_client_read_line (client, &error);
  reply = buzon_test_line_client_imap (client, "LOGIN alice alice-secret", NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_free);
  reply = buzon_test_line_client_imap (client, "EXAMINE INBOX", NULL, &error);
  g_assert_no_error (error);

  *bytes = 0;
  start = g_get_monotonic_time ();
  buzon_test_line_client_send (client, "zz UID FETCH 1:* " FETCH_ITEMS, &error);
  g_assert_no_error (error);
  input = buzon_test_line_client_get_input (client);
  for (;;)
    {
      gssize n = g_input_stream_read (input, buffer + carry, 65536, NULL, &error);
      gsize total;

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      *bytes += n;
      total = carry + n;
      if (memmem (buffer, total, needle, strlen (needle)) != NULL)
        break;
      /* Keep the tail: the tag may straddle two reads. */
      if (total > keep)
        {
          memmove (buffer, buffer + total - keep, keep);
          carry = keep;
        }
      else
        carry = total;
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
count_cb (BuzonImapConnection     *connection,
          const BuzonImapResponse *response,
          gpointer                 user_data)
{
  guint *counted = user_data;

  if (g_strcmp0 (response->keyword, "FETCH") == 0)
    (*counted)++;
}

static void
decode_cb (BuzonImapConnection     *connection,
           const BuzonImapResponse *response,
           gpointer                 user_data)
{
  guint *decoded = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapFetch) fetch = NULL;

  if (g_strcmp0 (response->keyword, "FETCH") != 0)
    return;
  fetch = buzon_imap_fetch_decode (response, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fetch->envelope);
  g_assert_nonnull (fetch->body);
  (*decoded)++;
}

static double
buzon_pass (gboolean decode,
            guint   *decoded)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *url_text = g_strdup_printf (
    "imaps://alice@127.0.0.1:%u", buzon_test_mail_servers_get_port (servers, "IMAPS_PORT"));
  g_autoptr (BuzonServerUrl) url = buzon_server_url_parse (url_text, NULL);
  g_autofree char *pin = g_strconcat ("sha256:", buzon_test_mail_servers_get (servers,
                                                                              "CERT_SHA256"),
                                      NULL);
  const char *trusted[] = { pin, NULL };
  g_autoptr (BuzonImapConnection) connection = buzon_imap_connection_new (url, trusted);
  g_autoptr (GAsyncResult) opened = NULL;
  g_autoptr (GAsyncResult) logged_in = NULL;
  g_autoptr (GAsyncResult) examined = NULL;
  g_autoptr (GAsyncResult) fetched = NULL;
  g_autoptr (BuzonImapCommand) examine = buzon_imap_command_new ("EXAMINE");
  g_autoptr (BuzonImapCommand) fetch = buzon_imap_command_new ("UID FETCH");
  g_autoptr (BuzonImapResponse) response = NULL;
  gint64 start;
  double seconds;

  buzon_imap_connection_open_async (connection, NULL, store_result_cb, &opened);
  g_assert_true (buzon_imap_connection_open_finish (connection, wait_for (&opened), &error));
  buzon_imap_connection_login_async (connection, "alice", "alice-secret", NULL, store_result_cb,
                                     &logged_in);
  g_assert_true (buzon_imap_connection_login_finish (connection, wait_for (&logged_in), &error));
  buzon_imap_command_add_mailbox (examine, "INBOX");
  buzon_imap_connection_command_async (connection, examine, NULL, NULL, NULL, store_result_cb,
                                       &examined);
  response = buzon_imap_connection_command_finish (connection, wait_for (&examined), &error);
  g_assert_no_error (error);
  g_clear_pointer (&response, buzon_imap_response_free);

  *decoded = 0;
  buzon_imap_command_add_raw (fetch, "1:* " FETCH_ITEMS);
  start = g_get_monotonic_time ();
  buzon_imap_connection_command_async (connection, fetch, decode ? decode_cb : count_cb, decoded,
                                       NULL, store_result_cb, &fetched);
  response = buzon_imap_connection_command_finish (connection, wait_for (&fetched), &error);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (error);
  buzon_imap_connection_close (connection);
  return seconds;
}

/* What a reader achieved over the rounds. */
typedef struct
{
  const char *name;
  double seconds;   /* The best wall time. */
  double cpu;       /* The least CPU time this process used in a pass. */
  guint64 peak_kib; /* The most this process held during a pass. */
} Result;

typedef enum
{
  READER_RAW,
  READER_PARSE,
  READER_DECODE,
} Reader;

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* One pass of @reader; FALSE when the kernel would not reset the peak
 * resident size, which then is the process's. */
static gboolean
measure (Reader   reader,
         Result  *result,
         guint    messages,
         guint64 *bytes)
{
  gboolean peak_reset = bench_reset_peak_rss ();
  double cpu = cpu_seconds ();
  guint decoded = 0;
  double seconds;

  if (reader == READER_RAW)
    seconds = raw_pass (bytes);
  else
    {
      seconds = buzon_pass (reader == READER_DECODE, &decoded);
      g_assert_cmpuint (decoded, ==, messages);
    }
  result->cpu = MIN (result->cpu, cpu_seconds () - cpu);
  result->seconds = MIN (result->seconds, seconds);
  result->peak_kib = MAX (result->peak_kib, bench_get_status_kib ("VmHWM"));
  return peak_reset;
}

int
main (int    argc,
      char **argv)
{
  guint messages = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  guint rounds = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 3;
  g_autofree char *mailbox = NULL;
  g_autofree char *extra = NULL;
  Result results[] = {
    [READER_RAW] = { "limit: TLS read, scan for the tagged OK", G_MAXDOUBLE, G_MAXDOUBLE, 0 },
    [READER_PARSE] = { "BuzonImapConnection, responses parsed", G_MAXDOUBLE, G_MAXDOUBLE, 0 },
    [READER_DECODE] = { "BuzonImapConnection + BuzonImapFetch decode", G_MAXDOUBLE, G_MAXDOUBLE,
                        0 },
  };
  /* Decoding goes before parsing alone, as it always did. */
  static const Reader order[] = { READER_RAW, READER_DECODE, READER_PARSE };
  gboolean peak_per_pass = TRUE;
  guint64 bytes = 0;
  gint64 generated;

  if (g_getenv ("BUZON_TEST_SUPPORT") == NULL)
    g_setenv ("BUZON_TEST_SUPPORT", BUZON_TEST_SUPPORT_DIR, TRUE);

  generated = g_get_monotonic_time ();
  mailbox = generate_mailbox (messages);
  extra = g_strdup_printf ("--maildir-from %s --maildir-user alice", mailbox);
  servers = buzon_test_mail_servers_start (extra);
  g_printerr ("mailbox of %u messages ready in %.1f s\n", messages,
              (g_get_monotonic_time () - generated) / 1e6);

  /* Warm Dovecot's index and cache, so both readers meet the same server. */
  raw_pass (&bytes);
  for (guint round = 0; round < rounds; round++)
    for (guint i = 0; i < G_N_ELEMENTS (order); i++)
      peak_per_pass &= measure (order[i], &results[order[i]], messages, &bytes);

  g_print ("First-sync header FETCH over TLS from Dovecot: %u messages, %.1f MB, best of %u\n\n",
           messages, bytes / 1e6, rounds);
  g_print ("| %-44s | %8s | %8s | %12s | %8s | %13s |\n", "reader", "seconds", "MB/s",
           "vs the limit", "CPU s", "peak RSS, MiB");
  g_print ("|%s|%s|%s|%s|%s|%s|\n", "----------------------------------------------",
           "----------", "----------", "--------------", "----------", "---------------");
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      const Result *r = &results[i];
      g_print ("| %-44s | %8.3f | %8.1f | %11.2fx | %8.3f | %13.1f |\n", r->name, r->seconds,
               bytes / 1e6 / r->seconds, r->seconds / results[READER_RAW].seconds, r->cpu,
               r->peak_kib / 1024.0);
    }
  g_print ("\ntarget: <= 1.2x the limit (issue 3)\n");
  g_print ("CPU s: the least user and system time this process spent in a pass (the server's\n"
           "is not counted); peak RSS: the most it held during a pass%s\n",
           peak_per_pass ? "" : " (the kernel refused to reset the peak: whole process)");

  buzon_test_mail_servers_stop (servers);
  remove_tree (mailbox);
  return 0;
}
