// Tests of BuzonDraft: the messages it builds, read back by the reader, and what it refuses.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "engine.h"
#include "mime/draft.h"
#include "mime/draft-private.h"
#include "mime/mime-text.h"

static BuzonDraft *
new_simple_draft (void)
{
  BuzonDraft *draft = buzon_draft_new ();

  buzon_draft_set_from (draft, "Ana García <ana@example.test>");
  buzon_draft_set_to (draft, "Bob <bob@example.test>");
  buzon_draft_set_subject (draft, "Hello");
  buzon_draft_set_text (draft, "Hi Bob,\n\nsee you.\n");
  return draft;
}

static GBytes *
build (BuzonDraft          *draft,
       BuzonDraftBuildFlags flags)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = buzon_draft_build (draft, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

  return g_strndup (data, size);
}

static GMimeMessage *
parse (GBytes *bytes)
{
  g_autoptr (GError) error = NULL;
  GMimeMessage *message = buzon_mime_parse_message (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

/* The header block, up to the first empty line. */
static char *
header_block (GBytes *bytes)
{
  g_autofree char *text = bytes_to_string (bytes);
  char *end = strstr (text, "\r\n\r\n");

  g_assert_nonnull (end);
  return g_strndup (text, end - text + 2);
}

/* What any relay accepts: 7-bit bytes, CRLF line ends only, lines of at most 998. */
static void
assert_transport_safe (GBytes *bytes)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  gsize line_start = 0;

  for (gsize i = 0; i < size; i++)
    {
      g_assert_cmpuint (data[i], <, 0x80);
      g_assert_cmpuint (data[i], !=, 0);
      if (data[i] == '\n')
        {
          g_assert_cmpuint (i, >, 0);
          g_assert_cmpuint (data[i - 1], ==, '\r');
          g_assert_cmpuint (i - 1 - line_start, <=, 998);
          line_start = i + 1;
        }
      else if (data[i] == '\r')
        {
          g_assert_cmpuint (i + 1, <, size);
          g_assert_cmpuint (data[i + 1], ==, '\n');
        }
    }
}

static GMimePart *
find_part_named (GMimeObject *object,
                 const char  *filename)
{
  if (GMIME_IS_MULTIPART (object))
    {
      for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (object)); i++)
        {
          GMimePart *found = find_part_named (g_mime_multipart_get_part (GMIME_MULTIPART (object),
                                                                         i), filename);
          if (found != NULL)
            return found;
        }
      return NULL;
    }
  if (GMIME_IS_PART (object) && g_strcmp0 (g_mime_part_get_filename (GMIME_PART (object)),
                                           filename) == 0)
    return GMIME_PART (object);
  return NULL;
}

static GBytes *
attachment_bytes (GMimeMessage *message,
                  const char   *filename)
{
  GMimePart *part = find_part_named (g_mime_message_get_mime_part (message), filename);
  GMimeStream *stream;
  GByteArray *array;

  g_assert_nonnull (part);
  stream = g_mime_stream_mem_new ();
  g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (part), stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_unref (stream);
  return g_byte_array_free_to_bytes (array);
}

static const char *
mailbox_name (InternetAddressList *list,
              int                  index)
{
  return internet_address_get_name (internet_address_list_get_address (list, index));
}

static const char *
mailbox_addr (InternetAddressList *list,
              int                  index)
{
  return internet_address_mailbox_get_addr (
    INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (list, index)));
}

static void
test_headers (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *headers = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *text = NULL;
  GMimeContentType *type;

  buzon_draft_set_bcc (draft, "Secret <secret@example.test>");
  bytes = build (draft, BUZON_DRAFT_BUILD_NONE);
  assert_transport_safe (bytes);
  headers = header_block (bytes);
  /* ASCII stays readable; only the name that needs it is encoded. */
  g_assert_nonnull (strstr (headers, "\r\nSubject: Hello\r\n"));
  g_assert_nonnull (strstr (headers, "To: Bob <bob@example.test>\r\n"));
  g_assert_true (g_str_has_prefix (headers, "From: "));
  g_assert_nonnull (strstr (headers, "\r\nMIME-Version: 1.0\r\n"));
  g_assert_nonnull (strstr (headers, "\r\nDate: "));
  g_assert_nonnull (strstr (headers, "\r\nMessage-ID: <"));
  g_assert_null (strstr (headers, "Bcc"));
  g_assert_null (strstr (headers, "secret@example.test"));

  message = parse (bytes);
  g_assert_cmpstr (mailbox_name (g_mime_message_get_from (message), 0), ==, "Ana García");
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Hello");
  type = g_mime_object_get_content_type (g_mime_message_get_mime_part (message));
  g_assert_true (g_mime_content_type_is_type (type, "text", "plain"));
  g_assert_cmpstr (g_mime_content_type_get_parameter (type, "charset"), ==, "utf-8");
  g_assert_cmpstr (g_mime_content_type_get_parameter (type, "format"), ==, "flowed");
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (
                     g_mime_message_get_mime_part (message))), ==, GMIME_CONTENT_ENCODING_7BIT);
  text = buzon_mime_get_readable_text (message);
  g_assert_cmpstr (text, ==, "Hi Bob,\n\nsee you.\n");
}

static void
test_international (void)
{
  struct
  {
    const char *name;
    const char *subject;
    const char *text;
  } cases[] = {
    { "José Martínez Ñúñez", "Reunión del año: ¿mañana?",
      "¡Hola! La canción de la niña está en el árbol, y el pingüino también. Nos vemos "
      "mañana en la reunión, que será larguísima como siempre.\n" },
    { "Γιώργος Παπαδόπουλος", "Καλημέρα από την Αθήνα",
      "Καλημέρα σας, η συνάντηση θα γίνει αύριο το πρωί στο γραφείο της εταιρείας μας.\n" },
    { "山田 太郎", "会議の議事録について（第三四半期）",
      "お疲れ様です。会議の議事録を添付しますので、ご確認のほどよろしくお願いいたします。"
      "明日までにご返信いただけると助かります。\n" },
    { "Zoë 🎉 Party", "🎉🎂 Birthday! 👩‍💻", "Party at 8 🍕🍺 — bring 🎁\n> quoted 😀 line\n" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BuzonDraft) draft = buzon_draft_new ();
      g_autofree char *from = g_strdup_printf ("%s <sender@example.test>", cases[i].name);
      g_autofree char *to = g_strdup_printf ("\"%s\" <to@example.test>, other@example.test",
                                             cases[i].name);
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (GMimeMessage) message = NULL;
      g_autofree char *headers = NULL;
      g_autofree char *text = NULL;

      buzon_draft_set_from (draft, from);
      buzon_draft_set_to (draft, to);
      buzon_draft_set_subject (draft, cases[i].subject);
      buzon_draft_set_text (draft, cases[i].text);
      bytes = build (draft, BUZON_DRAFT_BUILD_NONE);
      assert_transport_safe (bytes);
      headers = header_block (bytes);
      g_assert_nonnull (strstr (headers, "=?"));
      message = parse (bytes);
      g_assert_cmpstr (g_mime_message_get_subject (message), ==, cases[i].subject);
      g_assert_cmpstr (mailbox_name (g_mime_message_get_from (message), 0), ==, cases[i].name);
      g_assert_cmpstr (mailbox_name (g_mime_message_get_to (message), 0), ==, cases[i].name);
      g_assert_cmpstr (mailbox_addr (g_mime_message_get_to (message), 1), ==,
                       "other@example.test");
      text = buzon_mime_get_readable_text (message);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
notified_cb (GObject    *object,
             GParamSpec *pspec,
             gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* A subject with a 2,000-character word still makes lines a relay takes. */
static void
test_long_subject (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  g_autofree char *word = g_strnfill (2000, 'x');
  g_autofree char *subject = g_strconcat ("Long: ", word, " end", NULL);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;

  buzon_draft_set_subject (draft, subject);
  bytes = build (draft, BUZON_DRAFT_BUILD_NONE);
  assert_transport_safe (bytes);
  message = parse (bytes);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, subject);
}

static void
test_message_id_kept (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GBytes) second = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  guint notified = 0;

  g_signal_connect (draft, "notify::message-id", G_CALLBACK (notified_cb), &notified);
  g_assert_null (buzon_draft_get_message_id (draft));
  first = build (draft, BUZON_DRAFT_BUILD_NONE);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (g_str_has_suffix (buzon_draft_get_message_id (draft), "@example.test"));
  second = build (draft, BUZON_DRAFT_BUILD_NONE);
  message = parse (second);
  g_assert_cmpstr (g_mime_message_get_message_id (message), ==,
                   buzon_draft_get_message_id (draft));
  g_assert_cmpuint (notified, ==, 1);

  /* One set by the caller is kept, brackets or not. */
  buzon_draft_set_message_id (draft, "<given@example.test>");
  g_assert_cmpstr (buzon_draft_get_message_id (draft), ==, "given@example.test");
}

static void
test_date (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  g_autoptr (GDateTime) date = g_date_time_new_from_iso8601 ("2026-03-01T10:20:30+01:00", NULL);
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *headers = NULL;

  buzon_draft_set_date (draft, date);
  bytes = build (draft, BUZON_DRAFT_BUILD_NONE);
  headers = header_block (bytes);
  g_assert_nonnull (strstr (headers, "\r\nDate: Sun, 01 Mar 2026 10:20:30 +0100\r\n"));
}

static void
test_bcc (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  g_autoptr (GBytes) sent = NULL;
  g_autoptr (GBytes) saved = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *sent_text = NULL;
  g_autofree char *header = NULL;
  g_autofree char *sender = NULL;
  g_auto (GStrv) recipients = NULL;
  const char *expected[] = { "bob@example.test", "carol@example.test", "dave@example.test",
                             "ñoño@example.test", NULL };

  buzon_draft_set_cc (draft, "carol@example.test, BOB@example.test");
  buzon_draft_set_bcc (draft, "Dave Þór <dave@example.test>, Bob <bob@EXAMPLE.test>, "
                              "ñoño@example.test");
  sent = build (draft, BUZON_DRAFT_BUILD_NONE);
  sent_text = bytes_to_string (sent);
  g_assert_null (strstr (sent_text, "dave@example.test"));
  g_assert_null (strstr (sent_text, "Bcc:"));

  saved = build (draft, BUZON_DRAFT_BUILD_INCLUDE_BCC);
  message = parse (saved);
  g_assert_cmpint (internet_address_list_length (g_mime_message_get_bcc (message)), ==, 3);
  g_assert_cmpstr (mailbox_name (g_mime_message_get_bcc (message), 0), ==, "Dave Þór");

  header = buzon_draft_build_bcc_header (draft);
  g_assert_true (g_str_has_prefix (header, "Bcc: "));
  g_assert_true (g_str_has_suffix (header, "\r\n"));
  /* The name encoded; an internationalised address (RFC 6531) as it is. */
  g_assert_nonnull (strstr (header, "=?UTF-8?Q?Dave_=C3=9E=C3=B3r?= <dave@example.test>"));
  g_assert_nonnull (strstr (header, "ñoño@example.test"));

  /* The envelope: each once, whatever the case, in the order typed. */
  recipients = buzon_draft_dup_recipient_addresses (draft);
  g_assert_cmpstrv (recipients, expected);
  sender = buzon_draft_dup_sender_address (draft);
  g_assert_cmpstr (sender, ==, "ana@example.test");

  buzon_draft_set_bcc (draft, NULL);
  g_assert_null (buzon_draft_build_bcc_header (draft));
}

static void
test_html_alternative (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *text = NULL;
  GMimeObject *body;
  GMimeMultipart *alternative;

  buzon_draft_set_html (draft, "<p>Hi <b>Bob</b>, ¿qué tal?</p>");
  bytes = build (draft, BUZON_DRAFT_BUILD_NONE);
  assert_transport_safe (bytes);
  message = parse (bytes);
  body = g_mime_message_get_mime_part (message);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (body), "multipart",
                                              "alternative"));
  alternative = GMIME_MULTIPART (body);
  g_assert_cmpint (g_mime_multipart_get_count (alternative), ==, 2);
  /* Plain first, the richer last (RFC 2046 §5.1.4). */
  g_assert_true (g_mime_content_type_is_type (
    g_mime_object_get_content_type (g_mime_multipart_get_part (alternative, 0)), "text", "plain"));
  g_assert_true (g_mime_content_type_is_type (
    g_mime_object_get_content_type (g_mime_multipart_get_part (alternative, 1)), "text", "html"));
  {
    g_autofree char *html = g_mime_text_part_get_text (
      GMIME_TEXT_PART (g_mime_multipart_get_part (alternative, 1)));
    g_assert_cmpstr (html, ==, "<p>Hi <b>Bob</b>, ¿qué tal?</p>");
  }
  text = buzon_mime_get_readable_text (message);
  g_assert_cmpstr (text, ==, "Hi Bob,\n\nsee you.\n");
}

static void
test_inline_image (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13 };
  g_autoptr (GBytes) image = g_bytes_new_static (png, sizeof png);
  g_autoptr (GBytes) pdf = g_bytes_new_static ("%PDF-1.4\n", 9);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (GPtrArray) attachments = NULL;
  g_autoptr (GBytes) image_back = NULL;
  GMimeObject *body;
  GMimeObject *related;
  BuzonMimeAttachment *first;

  buzon_draft_set_html (draft, "<p>Our logo: <img src=\"cid:logo@buzon\"></p>");
  buzon_draft_add_attachment (draft, "logo.png", NULL, image, TRUE, "logo@buzon");
  buzon_draft_add_attachment (draft, "doc.pdf", NULL, pdf, FALSE, NULL);
  bytes = build (draft, BUZON_DRAFT_BUILD_NONE);
  message = parse (bytes);
  /* mixed [ alternative [ plain, related [ html, image ] ], pdf ] */
  body = g_mime_message_get_mime_part (message);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (body), "multipart",
                                              "mixed"));
  related = g_mime_multipart_get_part (
    GMIME_MULTIPART (g_mime_multipart_get_part (GMIME_MULTIPART (body), 0)), 1);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (related),
                                              "multipart", "related"));
  g_assert_cmpstr (g_mime_object_get_content_id (
                     g_mime_multipart_get_part (GMIME_MULTIPART (related), 1)), ==, "logo@buzon");

  attachments = buzon_mime_list_attachments (message);
  g_assert_cmpuint (attachments->len, ==, 2);
  first = g_ptr_array_index (attachments, 0);
  g_assert_cmpstr (first->filename, ==, "logo.png");
  g_assert_cmpstr (first->mime_type, ==, "image/png");
  g_assert_true (first->inline_);
  g_assert_cmpstr (((BuzonMimeAttachment *) g_ptr_array_index (attachments, 1))->mime_type, ==,
                   "application/pdf");
  g_assert_false (((BuzonMimeAttachment *) g_ptr_array_index (attachments, 1))->inline_);
  image_back = attachment_bytes (message, "logo.png");
  g_assert_true (g_bytes_equal (image_back, image));
}

static void
test_attachments_round_trip (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  const char *names[] = { "Informe del año — versión final (ñandú).pdf", "Παρουσίαση.txt",
                          "報告書.csv", "plain.bin" };
  GBytes *datas[G_N_ELEMENTS (names)];
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (GPtrArray) attachments = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *text = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GByteArray *array = g_byte_array_new ();

      /* Every byte value, and text with bare LFs and CRs that must not change. */
      for (guint b = 0; b < 256 * (i + 1); b++)
        {
          guint8 byte = i == 1 ? "line\none\r\n\rtwo"[b % 15] : (guint8) (b * 7 + i);
          g_byte_array_append (array, &byte, 1);
        }
      datas[i] = g_byte_array_free_to_bytes (array);
      buzon_draft_add_attachment (draft, names[i], i == 3 ? "application/octet-stream" : NULL,
                                  datas[i], FALSE, NULL);
    }
  g_assert_cmpuint (buzon_draft_get_n_attachments (draft), ==, G_N_ELEMENTS (names));
  g_assert_cmpstr (buzon_draft_get_attachment (draft, 0)->mime_type, ==, "application/pdf");
  g_assert_cmpstr (buzon_draft_get_attachment (draft, 1)->mime_type, ==, "text/plain");
  g_assert_cmpstr (buzon_draft_get_attachment (draft, 2)->mime_type, ==, "text/csv");

  bytes = build (draft, BUZON_DRAFT_BUILD_NONE);
  assert_transport_safe (bytes);
  raw = bytes_to_string (bytes);
  /* RFC 2231 for the non-ASCII names; the ASCII one as it is. */
  g_assert_nonnull (strstr (raw, "filename*0*=UTF-8''Informe%20del%20a%C3%B1o"));
  g_assert_nonnull (strstr (raw, "name=\"=?UTF-8?"));
  g_assert_nonnull (strstr (raw, "filename=plain.bin"));
  g_assert_nonnull (strstr (raw, "name=plain.bin"));
  g_assert_nonnull (strstr (raw, "Content-Disposition: attachment"));

  message = parse (bytes);
  text = buzon_mime_get_readable_text (message);
  g_assert_cmpstr (text, ==, "Hi Bob,\n\nsee you.\n");
  attachments = buzon_mime_list_attachments (message);
  g_assert_cmpuint (attachments->len, ==, G_N_ELEMENTS (names));
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      BuzonMimeAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autoptr (GBytes) back = attachment_bytes (message, names[i]);

      g_assert_cmpstr (attachment->filename, ==, names[i]);
      g_assert_cmpuint (attachment->size, ==, g_bytes_get_size (datas[i]));
      g_assert_true (g_bytes_equal (back, datas[i]));
      g_bytes_unref (datas[i]);
    }

  buzon_draft_remove_attachment (draft, 0);
  g_assert_cmpuint (buzon_draft_get_n_attachments (draft), ==, G_N_ELEMENTS (names) - 1);
  g_assert_cmpstr (buzon_draft_get_attachment (draft, 0)->filename, ==, names[1]);
}

static void
test_large_attachment (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  gsize size = 8 * 1024 * 1024;
  guint32 *data = g_malloc (size);
  g_autoptr (GRand) rand = g_rand_new_with_seed (8);
  g_autoptr (GBytes) original = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (GBytes) back = NULL;
  gint64 start;

  for (gsize i = 0; i < size / 4; i++)
    data[i] = g_rand_int (rand);
  original = g_bytes_new_take (data, size);
  buzon_draft_add_attachment (draft, "big.bin", NULL, original, FALSE, NULL);
  start = g_get_monotonic_time ();
  bytes = build (draft, BUZON_DRAFT_BUILD_NONE);
  g_test_message ("8 MiB attachment built in %" G_GINT64_FORMAT " ms, %zu bytes",
                  (g_get_monotonic_time () - start) / 1000, g_bytes_get_size (bytes));
  assert_transport_safe (bytes);
  message = parse (bytes);
  back = attachment_bytes (message, "big.bin");
  g_assert_cmpuint (g_bytes_get_size (back), ==, size);
  g_assert_true (g_bytes_equal (back, original));
}

static void
test_many_recipients (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  g_autoptr (GString) to = g_string_new (NULL);
  g_autoptr (GString) cc = g_string_new (NULL);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_auto (GStrv) recipients = NULL;

  for (guint i = 0; i < 50; i++)
    {
      GString *field = i < 30 ? to : cc;

      if (field->len > 0)
        g_string_append (field, ", ");
      g_string_append_printf (field, "Persona Número %u <persona%u@example.test>", i, i);
    }
  buzon_draft_set_to (draft, to->str);
  buzon_draft_set_cc (draft, cc->str);
  bytes = build (draft, BUZON_DRAFT_BUILD_NONE);
  assert_transport_safe (bytes);
  message = parse (bytes);
  g_assert_cmpint (internet_address_list_length (g_mime_message_get_to (message)), ==, 30);
  g_assert_cmpint (internet_address_list_length (g_mime_message_get_cc (message)), ==, 20);
  g_assert_cmpstr (mailbox_name (g_mime_message_get_cc (message), 19), ==, "Persona Número 49");
  recipients = buzon_draft_dup_recipient_addresses (draft);
  g_assert_cmpuint (g_strv_length (recipients), ==, 50);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *expected = g_strdup_printf ("persona%u@example.test", i);
      g_assert_cmpstr (recipients[i], ==, expected);
    }
}

static void
assert_refused (BuzonDraft *draft,
                gint        code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) build_error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_assert_false (buzon_draft_validate (draft, TRUE, &error));
  g_assert_error (error, BUZON_MIME_ERROR, code);
  bytes = buzon_draft_build (draft, BUZON_DRAFT_BUILD_INCLUDE_BCC, &build_error);
  g_assert_null (bytes);
  g_assert_error (build_error, BUZON_MIME_ERROR, code);
}

static void
test_header_injection (void)
{
  void (*setters[]) (BuzonDraft *, const char *) = {
    buzon_draft_set_from, buzon_draft_set_to, buzon_draft_set_cc, buzon_draft_set_bcc,
    buzon_draft_set_reply_to, buzon_draft_set_subject, buzon_draft_set_in_reply_to,
    buzon_draft_set_references, buzon_draft_set_message_id,
  };
  const char *values[] = {
    "Ana <ana@example.test>\r\nBcc: victim@example.test",
    "bob@example.test\nBcc: victim@example.test",
    "Bob\r <bob@example.test>",
    "bob@example.test\r\n",
    "\"Bob\nX-Evil: 1\" <bob@example.test>",
    "Hello\r\nContent-Type: text/html",
    "<a@example.test>\n",
    "<a@example.test>\r\n <b@example.test>",
    "id@example.test\rX: y",
  };
  g_autoptr (GBytes) data = g_bytes_new_static ("x", 1);

  for (gsize i = 0; i < G_N_ELEMENTS (setters); i++)
    for (gsize v = 0; v < G_N_ELEMENTS (values); v++)
      {
        g_autoptr (BuzonDraft) draft = new_simple_draft ();

        setters[i] (draft, values[v]);
        assert_refused (draft, BUZON_MIME_ERROR_HEADER_INJECTION);
      }

  /* Attachment names, types and Content-IDs are header fields too. */
  {
    g_autoptr (BuzonDraft) draft = new_simple_draft ();
    buzon_draft_add_attachment (draft, "a.txt\r\nContent-Type: text/html", "text/plain", data,
                                FALSE, NULL);
    assert_refused (draft, BUZON_MIME_ERROR_HEADER_INJECTION);
  }
  {
    g_autoptr (BuzonDraft) draft = new_simple_draft ();
    buzon_draft_add_attachment (draft, "a.txt", "text/plain\nX-Evil: 1", data, FALSE, NULL);
    assert_refused (draft, BUZON_MIME_ERROR_HEADER_INJECTION);
  }
  {
    g_autoptr (BuzonDraft) draft = new_simple_draft ();
    buzon_draft_add_attachment (draft, "a.png", "image/png", data, TRUE, "cid\r\nX: 1");
    assert_refused (draft, BUZON_MIME_ERROR_HEADER_INJECTION);
  }
  /* The text is not a header: line breaks there are the point. */
  {
    g_autoptr (BuzonDraft) draft = new_simple_draft ();
    g_autoptr (GError) error = NULL;
    buzon_draft_set_text (draft, "one\r\ntwo\n\nBcc: not-a-header@example.test\n");
    g_assert_true (buzon_draft_validate (draft, TRUE, &error));
    g_assert_no_error (error);
  }
}

static void
test_validate (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  g_autoptr (GError) error = NULL;
  const char *bad[] = { "not an address", "bob@", "@example.test", "bob@@example.test",
                        "Bob <bob at example.test>", "bob@example.test, carol", "<>" };

  g_assert_true (buzon_draft_validate (draft, TRUE, &error));
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_clear_error (&error);
      buzon_draft_set_to (draft, bad[i]);
      g_assert_false (buzon_draft_validate (draft, FALSE, &error));
      g_assert_error (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_INVALID_ADDRESS);
      g_test_message ("%s: %s", bad[i], error->message);
    }
  /* The message quotes what was wrong. */
  g_clear_error (&error);
  buzon_draft_set_to (draft, "bob@example.test, carol");
  g_assert_false (buzon_draft_validate (draft, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "carol"));

  /* A draft being saved needs no recipient; one being sent does. */
  g_clear_error (&error);
  buzon_draft_set_to (draft, "  ");
  g_assert_true (buzon_draft_validate (draft, FALSE, &error));
  g_assert_false (buzon_draft_validate (draft, TRUE, &error));
  g_assert_error (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_NO_RECIPIENTS);
  g_clear_error (&error);
  buzon_draft_set_bcc (draft, "hidden@example.test");
  g_assert_true (buzon_draft_validate (draft, TRUE, &error));

  buzon_draft_set_from (draft, NULL);
  g_assert_false (buzon_draft_validate (draft, FALSE, &error));
  g_assert_error (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_NO_SENDER);
  g_clear_error (&error);
  buzon_draft_set_from (draft, "ana@example.test, eve@example.test");
  g_assert_false (buzon_draft_validate (draft, FALSE, &error));
  g_assert_error (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_INVALID_ADDRESS);
  g_clear_error (&error);

  /* What people do type. */
  buzon_draft_set_from (draft, "\"García, Ana\" <ana@example.test>");
  buzon_draft_set_to (draft, "Team: a@example.test, b@example.test;, d@ñandú.example");
  g_assert_true (buzon_draft_validate (draft, TRUE, &error));
  g_assert_no_error (error);
}

static void
test_attachment_file (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-draft-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "Presupuesto año.txt", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFile) missing = g_file_new_for_path ("/nonexistent/nothing.pdf");
  const BuzonDraftAttachment *attachment;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, "uno,dos\n", -1, &error));
  g_assert_true (buzon_draft_add_attachment_file (draft, file, &error));
  g_assert_no_error (error);
  attachment = buzon_draft_get_attachment (draft, 0);
  g_assert_cmpstr (attachment->filename, ==, "Presupuesto año.txt");
  g_assert_cmpstr (attachment->mime_type, ==, "text/plain");
  g_assert_cmpmem (g_bytes_get_data (attachment->data, NULL), g_bytes_get_size (attachment->data),
                   "uno,dos\n", 8);

  g_assert_false (buzon_draft_add_attachment_file (draft, missing, &error));
  g_assert_error (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_ATTACHMENT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/nothing.pdf"));
  g_assert_cmpuint (buzon_draft_get_n_attachments (draft), ==, 1);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_reopen (void)
{
  g_autoptr (BuzonDraft) draft = new_simple_draft ();
  g_autoptr (GDateTime) date = g_date_time_new_from_iso8601 ("2026-05-04T09:00:00Z", NULL);
  g_autoptr (GBytes) pdf = g_bytes_new_static ("%PDF-1.4\nbinary\x01\x02", 17);
  g_autoptr (GBytes) png = g_bytes_new_static ("\x89PNG\r\n\x1a\n", 8);
  g_autoptr (GBytes) saved = NULL;
  g_autoptr (GBytes) again = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (GMimeMessage) message_again = NULL;
  g_autoptr (BuzonDraft) reopened = NULL;
  g_autofree char *text_again = NULL;

  buzon_draft_set_to (draft, "Bob <bob@example.test>, \"Doe, Jane\" <jane@example.test>");
  buzon_draft_set_cc (draft, "Κώστας <kostas@example.test>");
  buzon_draft_set_bcc (draft, "secret@example.test");
  buzon_draft_set_reply_to (draft, "lists@example.test");
  buzon_draft_set_subject (draft, "Borrador — ¿listo? 🎉");
  buzon_draft_set_text (draft, "Una línea muy larga que el formato flowed tendrá que partir en dos "
                               "o más líneas al guardarla.\n> citado\n\n-- \nAna\n");
  buzon_draft_set_html (draft, "<p>Una línea <img src=\"cid:i@x\"></p>");
  buzon_draft_set_in_reply_to (draft, "<orig@example.test>");
  buzon_draft_set_references (draft, "<root@example.test> <orig@example.test>");
  buzon_draft_set_date (draft, date);
  buzon_draft_add_attachment (draft, "Presupuesto año.pdf", NULL, pdf, FALSE, NULL);
  buzon_draft_add_attachment (draft, "i.png", "image/png", png, TRUE, "i@x");
  saved = build (draft, BUZON_DRAFT_BUILD_INCLUDE_BCC);
  message = parse (saved);
  reopened = buzon_draft_new_from_message (message);

  g_assert_cmpstr (buzon_draft_get_from (reopened), ==, "Ana García <ana@example.test>");
  g_assert_cmpstr (buzon_draft_get_to (reopened), ==,
                   "Bob <bob@example.test>, \"Doe, Jane\" <jane@example.test>");
  g_assert_cmpstr (buzon_draft_get_cc (reopened), ==, "Κώστας <kostas@example.test>");
  g_assert_cmpstr (buzon_draft_get_bcc (reopened), ==, "secret@example.test");
  g_assert_cmpstr (buzon_draft_get_reply_to (reopened), ==, "lists@example.test");
  g_assert_cmpstr (buzon_draft_get_subject (reopened), ==, buzon_draft_get_subject (draft));
  g_assert_cmpstr (buzon_draft_get_text (reopened), ==, buzon_draft_get_text (draft));
  g_assert_cmpstr (buzon_draft_get_html (reopened), ==, buzon_draft_get_html (draft));
  g_assert_cmpstr (buzon_draft_get_in_reply_to (reopened), ==, "<orig@example.test>");
  g_assert_cmpstr (buzon_draft_get_references (reopened), ==,
                   "<root@example.test> <orig@example.test>");
  g_assert_cmpstr (buzon_draft_get_message_id (reopened), ==, buzon_draft_get_message_id (draft));
  /* Dated when it is built again, not when it was saved. */
  g_assert_null (buzon_draft_get_date (reopened));
  g_assert_cmpuint (buzon_draft_get_n_attachments (reopened), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const BuzonDraftAttachment *a = buzon_draft_get_attachment (draft, i);
      /* The inline image comes first in the message, with the HTML it is in. */
      const BuzonDraftAttachment *b = buzon_draft_get_attachment (reopened, 1 - i);

      g_assert_cmpstr (a->filename, ==, b->filename);
      g_assert_cmpstr (a->mime_type, ==, b->mime_type);
      g_assert_true (g_bytes_equal (a->data, b->data));
      g_assert_cmpint (a->is_inline, ==, b->is_inline);
      g_assert_cmpstr (a->content_id, ==, b->content_id);
    }

  /* Saved again, it is the same message. */
  again = build (reopened, BUZON_DRAFT_BUILD_INCLUDE_BCC);
  message_again = parse (again);
  g_assert_cmpstr (g_mime_message_get_message_id (message_again), ==,
                   g_mime_message_get_message_id (message));
  text_again = buzon_mime_get_readable_text (message_again);
  g_assert_cmpstr (text_again, ==, buzon_draft_get_text (draft));
}

static void
test_properties (void)
{
  g_autoptr (BuzonDraft) draft = buzon_draft_new ();
  const char *names[] = { "from", "to", "cc", "bcc", "reply-to", "subject", "text", "html",
                          "in-reply-to", "references", "message-id" };
  g_autoptr (GBytes) data = g_bytes_new_static ("x", 1);
  guint notified = 0;
  guint n_attachments = 0;
  gboolean receipt = FALSE;

  g_signal_connect (draft, "notify", G_CALLBACK (notified_cb), &notified);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *value = NULL;

      g_object_set (draft, names[i], "v@example.test", NULL);
      g_object_set (draft, names[i], "v@example.test", NULL); /* No change, no notify. */
      g_object_get (draft, names[i], &value, NULL);
      g_assert_cmpstr (value, ==, "v@example.test");
    }
  g_assert_cmpuint (notified, ==, G_N_ELEMENTS (names));
  g_object_set (draft, "request-receipt", TRUE, NULL);
  g_object_get (draft, "request-receipt", &receipt, NULL);
  g_assert_true (receipt);
  g_assert_true (buzon_draft_get_request_receipt (draft));
  buzon_draft_add_attachment (draft, "x.txt", NULL, data, FALSE, NULL);
  g_object_get (draft, "n-attachments", &n_attachments, NULL);
  g_assert_cmpuint (n_attachments, ==, 1);
  g_assert_cmpuint (notified, ==, G_N_ELEMENTS (names) + 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();
  g_test_add_func ("/draft/headers", test_headers);
  g_test_add_func ("/draft/international", test_international);
  g_test_add_func ("/draft/long-subject", test_long_subject);
  g_test_add_func ("/draft/message-id-kept", test_message_id_kept);
  g_test_add_func ("/draft/date", test_date);
  g_test_add_func ("/draft/bcc", test_bcc);
  g_test_add_func ("/draft/html-alternative", test_html_alternative);
  g_test_add_func ("/draft/inline-image", test_inline_image);
  g_test_add_func ("/draft/attachments-round-trip", test_attachments_round_trip);
  g_test_add_func ("/draft/large-attachment", test_large_attachment);
  g_test_add_func ("/draft/many-recipients", test_many_recipients);
  g_test_add_func ("/draft/header-injection", test_header_injection);
  g_test_add_func ("/draft/validate", test_validate);
  g_test_add_func ("/draft/attachment-file", test_attachment_file);
  g_test_add_func ("/draft/reopen", test_reopen);
  g_test_add_func ("/draft/properties", test_properties);
  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
