// Parse throughput of BuzonImapParser on a generated first-sync FETCH
// response (100k messages' envelopes, bodystructures and threading headers).
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Measured against the limit for any parser: one memchr() pass that finds the
// line ends, in the same run on the same bytes. A third pass also decodes
// every FETCH into a BuzonImapFetch, which is what a first sync pays.
//   bench-imap-parser [MESSAGES] [CHUNK-BYTES]

#include <string.h>

#include "bench-memory.h"
#include "imap/imap-fetch.h"
#include "imap/imap-parser.h"

static GString *
generate (guint messages)
{
  GString *out = g_string_sized_new (messages * 1100);
  GRand *rand = g_rand_new_with_seed (20261127);

  for (guint i = 1; i <= messages; i++)
    {
      g_autofree char *references = g_strdup_printf (
        "References: <%u.thread@mail.example.org> <%u.parent@mail.example.org>\r\n"
        "In-Reply-To: <%u.parent@mail.example.org>\r\n"
        "List-ID: <dev.lists.example.org>\r\n\r\n",
        g_rand_int (rand), g_rand_int (rand), g_rand_int (rand));
      gboolean multipart = g_rand_boolean (rand);

      g_string_append_printf (
        out,
        "* %u FETCH (UID %u FLAGS (\\Seen%s) INTERNALDATE \"%02u-Nov-2026 %02u:%02u:%02u +0100\" "
        "RFC822.SIZE %u MODSEQ (%u) ENVELOPE (\"Fri, %02u Nov 2026 %02u:%02u:%02u +0100\" "
        "\"=?UTF-8?Q?Re:_Reuni=C3=B3n_del_proyecto_n=C2=BA_%u?=\" "
        "((\"Ana Garc\\\"ia\" NIL \"ana\" \"example.test\")) ((\"Ana\" NIL \"ana\" "
        "\"example.test\")) "
        "((NIL NIL \"ana\" \"example.test\")) ((\"Bob\" NIL \"bob\" \"example.org\")"
        "(NIL NIL \"list\" \"lists.example.org\")) NIL NIL \"<%u.parent@mail.example.org>\" "
        "\"<%u.%u@mail.example.org>\") ",
        i, i, g_rand_int_range (rand, 0, 4) == 0 ? " \\Flagged" : "", 1 + i % 28, i % 24,
        i % 60, i % 60, 2000 + g_rand_int_range (rand, 0, 80000), 1000 + i, 1 + i % 28, i % 24,
        i % 60, i % 60, i, g_rand_int (rand), i, g_rand_int (rand));
      if (multipart)
        g_string_append (
          out,
          "BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"utf-8\" \"format\" \"flowed\") NIL "
          "NIL "
          "\"quoted-printable\" 1423 31 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"utf-8\") "
          "NIL NIL \"quoted-printable\" 5210 88 NIL NIL NIL NIL) \"alternative\" (\"boundary\" "
          "\"=_b1\") NIL NIL NIL)(\"application\" \"pdf\" (\"name\" \"informe.pdf\") NIL NIL "
          "\"base64\" 48200 NIL (\"attachment\" (\"filename\" \"informe.pdf\")) NIL NIL) \"mixed\" "
          "(\"boundary\" \"=_b0\") NIL NIL NIL) ");
      else
        g_string_append (out, "BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL "
                              "\"7bit\" 812 19 NIL NIL NIL NIL) ");
      g_string_append_printf (out,
                              "BODY[HEADER.FIELDS (REFERENCES IN-REPLY-TO LIST-ID)] "
                              "{%zu}\r\n%s)\r\n",
                              strlen (references), references);
    }
  g_string_append (out, "a1 OK Fetch completed (0.123 + 0.000 secs).\r\n");
  g_rand_free (rand);
  return out;
}

static double
limit_pass (const GString *data,
            gsize          chunk,
            guint         *lines)
{
  gint64 start = g_get_monotonic_time ();

  *lines = 0;
  for (gsize offset = 0; offset < data->len; offset += chunk)
    {
      const char *p = data->str + offset;
      const char *end = data->str + MIN (offset + chunk, data->len);
      while ((p = memchr (p, '\n', end - p)) != NULL)
        {
          (*lines)++;
          p++;
        }
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
parser_pass (const GString *data,
             gsize          chunk,
             gboolean       decode,
             guint         *responses)
{
  g_autoptr (BuzonImapParser) parser = buzon_imap_parser_new (NULL);
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  *responses = 0;
  for (gsize offset = 0; offset < data->len; offset += chunk)
    {
      BuzonImapResponse *response;

      buzon_imap_parser_feed (parser, data->str + offset, MIN (chunk, data->len - offset));
      while ((response = buzon_imap_parser_next (parser, &error)) != NULL)
        {
          (*responses)++;
          if (decode && response->kind == BUZON_IMAP_RESPONSE_UNTAGGED)
            {
              BuzonImapFetch *fetch = buzon_imap_fetch_decode (response, &error);
              if (fetch == NULL || fetch->envelope == NULL || fetch->body == NULL)
                g_error ("FETCH %u did not decode", *responses);
              buzon_imap_fetch_free (fetch);
            }
          buzon_imap_response_free (response);
        }
      if (error != NULL)
        g_error ("%s", error->message);
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

int
main (int    argc,
      char **argv)
{
  guint messages = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  gsize chunk = argc > 2 ? (gsize) g_ascii_strtoull (argv[2], NULL, 10) : 16384;
  g_autoptr (GString) data = NULL;
  double best_limit = G_MAXDOUBLE, best_parser = G_MAXDOUBLE, best_decode = G_MAXDOUBLE;
  guint lines = 0, responses = 0;
  double mb;

  data = generate (messages);
  mb = data->len / 1e6;
  for (guint round = 0; round < 5; round++)
    {
      best_limit = MIN (best_limit, limit_pass (data, chunk, &lines));
      best_parser = MIN (best_parser, parser_pass (data, chunk, FALSE, &responses));
      g_assert_cmpuint (responses, ==, messages + 1);
      best_decode = MIN (best_decode, parser_pass (data, chunk, TRUE, &responses));
      g_assert_cmpuint (responses, ==, messages + 1);
    }

  g_print ("IMAP parser throughput: %u messages, %.1f MB, fed in %zu-byte chunks, best of 5\n\n",
           messages, mb, chunk);
  g_print ("| %-34s | %9s | %9s | %12s |\n", "pass", "seconds", "MB/s", "vs the limit");
  g_print ("|%s|%s|%s|%s|\n", "------------------------------------", "-----------",
           "-----------", "--------------");
  g_print ("| %-34s | %9.3f | %9.0f | %12s |\n", "limit: memchr for line ends", best_limit,
           mb / best_limit, "1.00x");
  g_print ("| %-34s | %9.3f | %9.0f | %11.2fx |\n", "BuzonImapParser: whole responses", best_parser,
           mb / best_parser, best_parser / best_limit);
  g_print ("| %-34s | %9.3f | %9.0f | %11.2fx |\n", "... and BuzonImapFetch decode", best_decode,
           mb / best_decode, best_decode / best_limit);
  g_print ("\ndecode alone: %.2f us per message\n",
           (best_decode - best_parser) * 1e6 / messages);
  g_print ("\ntarget: >= 200 MB/s on one core (issue 3)\n");
  g_print ("peak RSS: %.1f MiB, of which the generated response is %.1f MiB\n",
           bench_get_status_kib ("VmHWM") / 1024.0, data->len / 1048576.0);
  return 0;
}
