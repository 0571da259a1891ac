// A BuzonDraft built and submitted to the fixture's Dovecot: what arrives reads the same.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Alice writes to Bob, Bcc Carol, in Spanish, Greek, Japanese and emoji,
// with two attachments; the message goes through Dovecot's submission
// service and exim and comes back over IMAPS from Bob's Inbox, where its
// text, subject, names and attachment bytes are what Alice wrote, and Carol
// is nowhere in it; Carol's Inbox has it too.

#include "config.h"

#include <string.h>

#include "engine.h"
#include "line-client.h"
#include "mail-servers.h"
#include "mime/draft.h"
#include "mime/mime-text.h"
#include "test-smtp-helpers.h"

static BuzonTestMailServers *servers;

static char *
address (const char *user)
{
  return g_strdup_printf ("%s@%s", user, buzon_test_mail_servers_get (servers, "DOMAIN"));
}

/* The message with @message_id in @user's Inbox, as IMAP gives it (trace
 * headers and all), polled for up to @seconds; NULL when it did not come. */
static GBytes *
fetch_delivered (const char *user,
                 const char *message_id,
                 guint       seconds)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonTestLineClient) client = NULL;
  g_autofree char *password = buzon_test_mail_servers_password (servers, user);
  g_autofree char *login = g_strdup_printf ("LOGIN %s %s", user, password);
  g_autofree char *search = g_strdup_printf ("UID SEARCH HEADER Message-ID \"<%s>\"",
                                             message_id);
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  g_autofree char *uid = NULL;

  client = buzon_test_line_client_connect ("127.0.0.1",
                                           buzon_test_mail_servers_get_port (servers, "IMAPS_PORT"),
                                           TRUE, buzon_test_mail_servers_get_ca (servers), &error);
  g_assert_no_error (error);
  greeting = buzon_test_line_client_read_line (client, &error);
  g_assert_no_error (error);
  reply = buzon_test_line_client_imap (client, login, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "OK"));

  while (uid == NULL && g_get_monotonic_time () < deadline)
    {
      g_autoptr (GPtrArray) untagged = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *selected = buzon_test_line_client_imap (client, "EXAMINE INBOX", NULL,
                                                               &error);
      g_autofree char *found = NULL;

      g_assert_no_error (error);
      found = buzon_test_line_client_imap (client, search, untagged, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < untagged->len; i++)
        if (g_str_has_prefix (untagged->pdata[i], "SEARCH ")
            && strlen ((char *) untagged->pdata[i]) > strlen ("SEARCH "))
          uid = g_strdup ((char *) untagged->pdata[i] + strlen ("SEARCH "));
      if (uid == NULL)
        g_usleep (50 * 1000);
    }
  if (uid == NULL)
    return NULL;
  {
    g_autoptr (GPtrArray) untagged = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *fetch = g_strdup_printf ("UID FETCH %s BODY.PEEK[]", uid);
    g_autofree char *fetched = buzon_test_line_client_imap (client, fetch, untagged, &error);
    const char *line;
    const char *start;

    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (fetched, "OK"));
    g_assert_cmpuint (untagged->len, ==, 1);
    /* "N FETCH (UID n BODY[] {size}\n<literal>)": the literal alone. */
    line = untagged->pdata[0];
    start = strstr (line, "}\n");
    g_assert_nonnull (start);
    g_assert_true (g_str_has_suffix (line, ")"));
    return g_bytes_new (start + 2, strlen (start + 2) - 1);
  }
}

static GBytes *
part_bytes (GMimePart *part)
{
  GMimeStream *stream = g_mime_stream_mem_new ();
  GByteArray *array;

  g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (part), stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_unref (stream);
  return g_byte_array_free_to_bytes (array);
}

static void
test_send_international_with_attachments (void)
{
  g_autofree char *alice = address ("alice");
  g_autofree char *bob = address ("bob");
  g_autofree char *carol = address ("carol");
  g_autofree char *from = g_strdup_printf ("Alicia Muñoz <%s>", alice);
  g_autofree char *to = g_strdup_printf ("Βασίλης «Bob» Παπαδόπουλος <%s>", bob);
  g_autofree char *bcc = g_strdup_printf ("Carol 山田 <%s>", carol);
  const char *subject = "Presupuesto del año — Καλημέρα — 会議の議事録 🎉";
  const char *text = "Hola Bob:\n\n"
                     "Te mando el presupuesto del año y la lista de asistentes, que es bastante "
                     "más larga de lo que esperábamos para la reunión del jueves.\n"
                     "Καλημέρα! 会議の議事録を添付します。🎉\n"
                     "From here on, a line that old mail software would mangle.\n"
                     "> and a quoted one\n\n"
                     "-- \nAlicia\n";
  static const guint8 pdf[] = { '%', 'P', 'D', 'F', '-', '1', '.', '4', '\n', 0, 1, 2, 0xff, 0xfe,
                                '\r', '\n', '.', '\r', '\n', 0x80, 0x00 };
  g_autoptr (GBytes) pdf_bytes = g_bytes_new_static (pdf, sizeof pdf);
  g_autoptr (GBytes) csv_bytes = g_bytes_new_static ("nombre;año\r\nÁngel;1990\nZoë;2001\n", 36);
  const char *pdf_name = "Presupuesto año 2027 — versión final.pdf";
  const char *csv_name = "asistentes.csv";
  g_autoptr (BuzonDraft) draft = buzon_draft_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) message = NULL;
  g_autofree char *sender = NULL;
  g_auto (GStrv) recipients = NULL;
  g_autofree char *message_text = NULL;
  g_autoptr (BuzonSmtpClient) client = NULL;
  g_autofree char *url = NULL;
  g_autofree char *password = buzon_test_mail_servers_password (servers, "alice");
  g_autoptr (BuzonSmtpSendResult) result = NULL;
  g_autoptr (GBytes) delivered = NULL;
  g_autoptr (GBytes) carols = NULL;
  g_autofree char *delivered_text = NULL;
  GMimeMessage *parsed;
  g_autofree char *readable = NULL;
  g_autoptr (GPtrArray) attachments = NULL;
  const char *names[] = { pdf_name, csv_name };
  GBytes *datas[] = { pdf_bytes, csv_bytes };

  buzon_draft_set_from (draft, from);
  buzon_draft_set_to (draft, to);
  buzon_draft_set_bcc (draft, bcc);
  buzon_draft_set_subject (draft, subject);
  buzon_draft_set_text (draft, text);
  buzon_draft_add_attachment (draft, pdf_name, NULL, pdf_bytes, FALSE, NULL);
  buzon_draft_add_attachment (draft, csv_name, NULL, csv_bytes, FALSE, NULL);
  message = buzon_draft_build (draft, BUZON_DRAFT_BUILD_NONE, &error);
  g_assert_no_error (error);
  sender = buzon_draft_dup_sender_address (draft);
  recipients = buzon_draft_dup_recipient_addresses (draft);
  g_assert_cmpstr (sender, ==, alice);
  g_assert_cmpuint (g_strv_length (recipients), ==, 2);

  url = g_strdup_printf ("submission://alice@127.0.0.1:%u",
                         buzon_test_mail_servers_get_port (servers, "SUBMISSION_PORT"));
  client = buzon_test_smtp_client_new (url, buzon_test_mail_servers_get (servers, "CERT_SHA256"));
  g_assert_true (buzon_test_smtp_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_smtp_login (client, "alice", password, &error));
  g_assert_no_error (error);
  /* The built message is 7-bit text: no NUL for the helper's C string. */
  message_text = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  g_assert_cmpuint (strlen (message_text), ==, g_bytes_get_size (message));
  result = buzon_test_smtp_send (client, sender, (const char * const *) recipients, message_text,
                                 BUZON_SMTP_SEND_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_smtp_send_result_count_refused (result), ==, 0);
  g_assert_true (buzon_test_smtp_quit (client, &error));
  g_assert_no_error (error);

  delivered = fetch_delivered ("bob", buzon_draft_get_message_id (draft), 20);
  if (delivered == NULL)
    g_error ("<%s> did not reach Bob's Inbox within 20 s", buzon_draft_get_message_id (draft));
  delivered_text = g_strndup (g_bytes_get_data (delivered, NULL), g_bytes_get_size (delivered));
  /* Bcc: not a trace of it in what Bob got. */
  g_assert_null (strstr (delivered_text, "Bcc"));
  g_assert_null (strstr (delivered_text, carol));
  g_assert_null (strstr (delivered_text, "Carol"));
  g_assert_true (g_str_has_suffix (delivered_text, message_text));

  parsed = buzon_mime_parse_message (delivered, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_mime_message_get_subject (parsed), ==, subject);
  g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (
                     g_mime_message_get_to (parsed), 0)), ==, "Βασίλης «Bob» Παπαδόπουλος");
  g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (
                     g_mime_message_get_from (parsed), 0)), ==, "Alicia Muñoz");
  readable = buzon_mime_get_readable_text (parsed);
  g_assert_cmpstr (readable, ==, text);
  attachments = buzon_mime_list_attachments (parsed);
  g_assert_cmpuint (attachments->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      BuzonMimeAttachment *attachment = g_ptr_array_index (attachments, i);
      GMimeObject *part = g_mime_multipart_get_part (
        GMIME_MULTIPART (g_mime_message_get_mime_part (parsed)), (int) i + 1);
      g_autoptr (GBytes) back = part_bytes (GMIME_PART (part));

      g_assert_cmpstr (attachment->filename, ==, names[i]);
      g_assert_true (g_bytes_equal (back, datas[i]));
    }
  g_assert_cmpstr (((BuzonMimeAttachment *) g_ptr_array_index (attachments, 0))->mime_type, ==,
                   "application/pdf");
  g_object_unref (parsed);

  /* Carol got it, from the envelope alone. */
  carols = fetch_delivered ("carol", buzon_draft_get_message_id (draft), 20);
  g_assert_nonnull (carols);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

  servers = buzon_test_mail_servers_start (NULL);
  g_test_add_func ("/draft-send/international-with-attachments",
                   test_send_international_with_attachments);
  status = g_test_run ();
  buzon_test_mail_servers_stop (servers);
  buzon_engine_shutdown ();
  return status;
}
