// Tests of replies and forwards: recipients, subject, threading, quoting, attachments.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <string.h>

#include "engine.h"
#include "mime/draft.h"
#include "mime/draft-private.h"
#include "mime/mime-text.h"

/* A message as another client sends it: format=flowed with a soft break,
 * a Reply-To, a thread behind it and a PDF. */
static const char original_text[] =
  "From: =?utf-8?q?Jos=C3=A9_Mart=C3=ADnez?= <jose@example.test>\r\n"
  "To: Ana <ANA@example.test>, Bob <bob@example.test>\r\n"
  "Cc: carol@example.test, ana.garcia@work.example, Bob <BOB@example.test>\r\n"
  "Subject: Re: RE: Aw: Presupuesto =?utf-8?q?a=C3=B1o?=\r\n"
  "Date: Tue, 01 Dec 2026 10:20:00 +0000\r\n"
  "Message-ID: <orig@example.test>\r\n"
  "In-Reply-To: <parent@example.test>\r\n"
  "References: <root@example.test>\r\n <parent@example.test>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/mixed; boundary=b\r\n"
  "\r\n"
  "--b\r\n"
  "Content-Type: text/plain; charset=utf-8; format=flowed\r\n"
  "Content-Transfer-Encoding: 8bit\r\n"
  "\r\n"
  "Hola a todos, esta l\xc3\xadnea viene partida por el formato flowed y \r\n"
  "debe citarse entera.\r\n"
  "\r\n"
  "> Lo que dijo Bob antes.\r\n"
  "--b\r\n"
  "Content-Type: application/pdf; name=\"presupuesto.pdf\"\r\n"
  "Content-Disposition: attachment; filename*=UTF-8''presupuesto%20a%C3%B1o.pdf\r\n"
  "Content-Transfer-Encoding: base64\r\n"
  "\r\n"
  "JVBERi0xLjQKAAECAwQ=\r\n"
  "--b--\r\n";

static GMimeMessage *
parse_string (const char *text)
{
  g_autoptr (GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr (GError) error = NULL;
  GMimeMessage *message = buzon_mime_parse_message (bytes, &error);

  g_assert_no_error (error);
  return message;
}

static GMimeMessage *
build_and_parse (BuzonDraft *draft)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = buzon_draft_build (draft, BUZON_DRAFT_BUILD_NONE, &error);

  g_assert_no_error (error);
  return buzon_mime_parse_message (bytes, &error);
}

static const char *const own[] = { "ana@example.test", "Ana.Garcia@work.example", NULL };

static void
test_reply_sender (void)
{
  g_autoptr (GMimeMessage) original = parse_string (original_text);
  g_autoptr (BuzonDraft) reply = buzon_draft_new_reply (original, BUZON_DRAFT_REPLY_SENDER,
                                                        "Ana <ana@example.test>", own);
  g_autoptr (GMimeMessage) sent = NULL;
  g_autofree char *sent_text = NULL;
  const char *text;

  g_assert_cmpstr (buzon_draft_get_from (reply), ==, "Ana <ana@example.test>");
  g_assert_cmpstr (buzon_draft_get_to (reply), ==, "José Martínez <jose@example.test>");
  g_assert_null (buzon_draft_get_cc (reply));
  g_assert_cmpstr (buzon_draft_get_subject (reply), ==, "Re: Presupuesto año");
  g_assert_cmpstr (buzon_draft_get_in_reply_to (reply), ==, "<orig@example.test>");
  g_assert_cmpstr (buzon_draft_get_references (reply), ==,
                   "<root@example.test> <parent@example.test> <orig@example.test>");
  g_assert_cmpuint (buzon_draft_get_n_attachments (reply), ==, 0);

  /* An empty line for the cursor, the attribution, the text quoted (the
   * soft break undone first, so the line is quoted whole). */
  text = buzon_draft_get_text (reply);
  g_assert_true (g_str_has_prefix (text, "\n\nOn "));
  g_assert_nonnull (strstr (text, ", José Martínez wrote:\n"
                                  "> Hola a todos, esta línea viene partida por el formato flowed "
                                  "y debe citarse entera.\n"
                                  ">\n"
                                  ">> Lo que dijo Bob antes.\n"));
  g_assert_true (g_str_has_suffix (text, ">> Lo que dijo Bob antes.\n"));

  /* Sent, a reader sees the same quoting back. */
  sent = build_and_parse (reply);
  sent_text = buzon_mime_get_readable_text (sent);
  g_assert_cmpstr (sent_text, ==, text);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (sent), "In-Reply-To"), ==,
                   "<orig@example.test>");
}

static void
test_reply_to_header (void)
{
  g_autofree char *with_reply_to = g_strconcat ("Reply-To: Lista <lista@example.test>\r\n",
                                                original_text, NULL);
  g_autoptr (GMimeMessage) original = parse_string (with_reply_to);
  g_autoptr (BuzonDraft) reply = buzon_draft_new_reply (original, BUZON_DRAFT_REPLY_SENDER,
                                                        "Ana <ana@example.test>", own);

  g_assert_cmpstr (buzon_draft_get_to (reply), ==, "Lista <lista@example.test>");
}

static void
test_reply_all (void)
{
  g_autoptr (GMimeMessage) original = parse_string (original_text);
  g_autoptr (BuzonDraft) reply = buzon_draft_new_reply (original, BUZON_DRAFT_REPLY_ALL,
                                                        "Ana <ana@example.test>", own);
  g_auto (GStrv) recipients = NULL;
  const char *expected[] = { "jose@example.test", "bob@example.test", "carol@example.test", NULL };

  g_assert_cmpstr (buzon_draft_get_to (reply), ==, "José Martínez <jose@example.test>");
  /* Without the user's own addresses (whatever their case) and Bob once. */
  g_assert_cmpstr (buzon_draft_get_cc (reply), ==, "Bob <bob@example.test>, carol@example.test");
  recipients = buzon_draft_dup_recipient_addresses (reply);
  g_assert_cmpstrv (recipients, expected);
}

static void
test_reply_subjects (void)
{
  const struct
  {
    const char *subject;
    const char *reply;
  } cases[] = {
    { "Hola", "Re: Hola" },
    { "Re: Hola", "Re: Hola" },
    { "RE: Re: re:Hola", "Re: Hola" },
    { "Aw: AW: Hola", "Re: Hola" },
    { "Re[2]: Hola", "Re: Hola" },
    { "Fwd: Hola", "Re: Fwd: Hola" },
    { "Recordatorio", "Re: Recordatorio" },
    { "", "Re: " },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("From: a@example.test\r\nSubject: %s\r\n"
                                               "Message-ID: <x@example.test>\r\n\r\nhi\r\n",
                                               cases[i].subject);
      g_autoptr (GMimeMessage) original = parse_string (text);
      g_autoptr (BuzonDraft) reply = buzon_draft_new_reply (original, BUZON_DRAFT_REPLY_SENDER,
                                                            "b@example.test", NULL);

      g_assert_cmpstr (buzon_draft_get_subject (reply), ==, cases[i].reply);
      /* With no References, the thread starts at the original. */
      g_assert_cmpstr (buzon_draft_get_references (reply), ==, "<x@example.test>");
    }
}

static void
test_forward_inline (void)
{
  g_autoptr (GMimeMessage) original = parse_string (original_text);
  g_autoptr (BuzonDraft) forward = buzon_draft_new_forward (original, BUZON_DRAFT_FORWARD_INLINE,
                                                            "Ana <ana@example.test>");
  const BuzonDraftAttachment *attachment;
  g_autoptr (GMimeMessage) sent = NULL;
  g_autoptr (GPtrArray) attachments = NULL;
  const char *text;

  g_assert_cmpstr (buzon_draft_get_subject (forward), ==, "Fwd: Re: RE: Aw: Presupuesto año");
  g_assert_null (buzon_draft_get_to (forward));
  g_assert_null (buzon_draft_get_in_reply_to (forward));
  text = buzon_draft_get_text (forward);
  g_assert_true (g_str_has_prefix (text, "\n\n-------- Forwarded message --------\n"));
  g_assert_nonnull (strstr (text, "\nFrom: José Martínez <jose@example.test>\n"));
  g_assert_nonnull (strstr (text, "\nDate: "));
  g_assert_nonnull (strstr (text, "\nSubject: Re: RE: Aw: Presupuesto año\n"));
  g_assert_nonnull (strstr (text, "\nTo: Ana <ANA@example.test>, Bob <bob@example.test>\n"));
  g_assert_nonnull (strstr (text, "\n\nHola a todos, esta línea viene partida por el formato "
                                  "flowed y debe citarse entera.\n\n> Lo que dijo Bob antes."));

  g_assert_cmpuint (buzon_draft_get_n_attachments (forward), ==, 1);
  attachment = buzon_draft_get_attachment (forward, 0);
  g_assert_cmpstr (attachment->filename, ==, "presupuesto año.pdf");
  g_assert_cmpstr (attachment->mime_type, ==, "application/pdf");
  g_assert_cmpmem (g_bytes_get_data (attachment->data, NULL), g_bytes_get_size (attachment->data),
                   "%PDF-1.4\n\0\1\2\3\4", 14);

  buzon_draft_set_to (forward, "dave@example.test");
  sent = build_and_parse (forward);
  attachments = buzon_mime_list_attachments (sent);
  g_assert_cmpuint (attachments->len, ==, 1);
  g_assert_cmpstr (((BuzonMimeAttachment *) g_ptr_array_index (attachments, 0))->filename, ==,
                   "presupuesto año.pdf");
  g_assert_cmpuint (((BuzonMimeAttachment *) g_ptr_array_index (attachments, 0))->size, ==, 14);
}

static void
test_forward_subject_not_stacked (void)
{
  g_autoptr (GMimeMessage) original = parse_string ("From: a@example.test\r\nSubject: Fwd: Hola\r\n"
                                                    "\r\nhi\r\n");
  g_autoptr (BuzonDraft) forward = buzon_draft_new_forward (original, BUZON_DRAFT_FORWARD_INLINE,
                                                            "b@example.test");

  g_assert_cmpstr (buzon_draft_get_subject (forward), ==, "Fwd: Hola");
}

static void
test_forward_attachment (void)
{
  g_autoptr (GMimeMessage) original = parse_string (original_text);
  g_autoptr (BuzonDraft) forward = buzon_draft_new_forward (original,
                                                            BUZON_DRAFT_FORWARD_ATTACHMENT,
                                                            "Ana <ana@example.test>");
  g_autoptr (GMimeMessage) sent = NULL;
  g_autoptr (GPtrArray) attachments = NULL;
  GMimeObject *body;
  GMimeObject *part;
  GMimeMessage *inner;
  g_autofree char *inner_text = NULL;

  g_assert_cmpuint (buzon_draft_get_n_attachments (forward), ==, 1);
  g_assert_cmpstr (buzon_draft_get_attachment (forward, 0)->mime_type, ==, "message/rfc822");
  buzon_draft_set_to (forward, "dave@example.test");
  sent = build_and_parse (forward);
  body = g_mime_message_get_mime_part (sent);
  g_assert_true (GMIME_IS_MULTIPART (body));
  part = g_mime_multipart_get_part (GMIME_MULTIPART (body), 1);
  g_assert_true (GMIME_IS_MESSAGE_PART (part));
  /* message/rfc822 is never base64 (RFC 2046 §5.2.1). */
  g_assert_null (g_mime_object_get_header (part, "Content-Transfer-Encoding"));
  inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part));
  g_assert_cmpstr (g_mime_message_get_subject (inner), ==, "Re: RE: Aw: Presupuesto año");
  g_assert_cmpstr (g_mime_message_get_message_id (inner), ==, "orig@example.test");
  inner_text = buzon_mime_get_readable_text (inner);
  g_assert_true (g_str_has_prefix (inner_text, "Hola a todos, esta línea viene partida"));
  attachments = buzon_mime_list_attachments (sent);
  g_assert_cmpuint (attachments->len, ==, 1);
  g_assert_cmpstr (((BuzonMimeAttachment *) g_ptr_array_index (attachments, 0))->mime_type, ==,
                   "message/rfc822");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();
  /* The attribution and the forward's labels are checked in English. */
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_add_func ("/draft-reply/sender", test_reply_sender);
  g_test_add_func ("/draft-reply/reply-to", test_reply_to_header);
  g_test_add_func ("/draft-reply/all", test_reply_all);
  g_test_add_func ("/draft-reply/subjects", test_reply_subjects);
  g_test_add_func ("/draft-reply/forward-inline", test_forward_inline);
  g_test_add_func ("/draft-reply/forward-subject", test_forward_subject_not_stacked);
  g_test_add_func ("/draft-reply/forward-attachment", test_forward_attachment);
  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
