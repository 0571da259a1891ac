// Building a draft into a message: its MIME structure and bytes, and its envelope.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The text goes out as format=flowed UTF-8, 7bit when it is ASCII and
// otherwise quoted-printable or base64, whichever GMime finds shorter:
// 7-bit bytes pass every relay and every IMAP APPEND without depending on
// 8BITMIME, and the send queue can hand the same bytes to SMTP and to the
// Sent folder. Attachments are always base64, so their bytes come back
// exactly; a message/rfc822 attachment (a forward) is a message part, which
// RFC 2046 does not allow to be encoded.

#include "config.h"

#include <string.h>

#include "draft-private.h"
#include "mime-flowed.h"
#include "mime-text.h"

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static InternetAddressList *
parse_valid (const char *text)
{
  InternetAddressList *list = _buzon_draft_parse_addresses (text, NULL);

  return list != NULL ? list : internet_address_list_new ();
}

static const char *
domain_of (InternetAddressList *list)
{
  InternetAddress *address;
  const char *addr;

  if (internet_address_list_length (list) == 0)
    return NULL;
  address = internet_address_list_get_address (list, 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX (address))
    return NULL;
  addr = internet_address_mailbox_get_idn_addr (INTERNET_ADDRESS_MAILBOX (address));
  return addr != NULL && strrchr (addr, '@') != NULL ? strrchr (addr, '@') + 1 : NULL;
}

static gboolean
is_ascii (const char *text)
{
  for (; *text != '\0'; text++)
    if ((guchar) *text >= 0x80)
      return FALSE;
  return TRUE;
}

static gboolean
has_long_line (const char *text)
{
  const char *start = text;

  for (const char *p = text;; p++)
    if (*p == '\n' || *p == '\0')
      {
        if (p - start > 998 - 2)
          return TRUE;
        if (*p == '\0')
          return FALSE;
        start = p + 1;
      }
}

/* LF line ends, whatever the user's text had. */
static char *
unix_line_ends (const char *text)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    if (*p == '\r' && p[1] == '\n')
      continue;
    else
      g_string_append_c (out, *p);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static GMimeObject *
new_text_part (const char *subtype,
               const char *text,
               gboolean    flowed)
{
  g_autofree char *lf = unix_line_ends (text);
  g_autofree char *content = flowed ? buzon_mime_flowed_encode (lf) : g_strdup (lf);
  GMimeTextPart *part = g_mime_text_part_new_with_subtype (subtype);
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (content, strlen (content));
  GMimeDataWrapper *wrapper = g_mime_data_wrapper_new_with_stream (stream,
                                                                   GMIME_CONTENT_ENCODING_DEFAULT);

  /* Not g_mime_text_part_set_text(), which would pick ISO-8859-1 for text
   * that fits it: UTF-8 always, as every current client writes. */
  g_mime_part_set_content (GMIME_PART (part), wrapper);
  g_object_unref (wrapper);
  g_object_unref (stream);
  g_mime_text_part_set_charset (part, "utf-8");
  if (flowed)
    g_mime_object_set_content_type_parameter (GMIME_OBJECT (part), "format", "flowed");
  if (is_ascii (content) && !has_long_line (content))
    g_mime_part_set_content_encoding (GMIME_PART (part), GMIME_CONTENT_ENCODING_7BIT);
  else
    g_mime_part_set_content_encoding (GMIME_PART (part),
                                      g_mime_part_get_best_content_encoding (
                                        GMIME_PART (part), GMIME_ENCODING_CONSTRAINT_7BIT));
  return GMIME_OBJECT (part);
}

static GMimeObject *
new_attachment_part (BuzonDraftAttachment *attachment)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (attachment->data, &size);
  g_auto (GStrv) type = g_strsplit (attachment->mime_type, "/", 2);
  GMimeObject *object;

  if (g_str_equal (attachment->mime_type, "message/rfc822"))
    {
      g_autoptr (GError) error = NULL;
      GMimeMessage *inner = buzon_mime_parse_message (attachment->data, &error);

      if (inner != NULL)
        {
          object = GMIME_OBJECT (g_mime_message_part_new_with_message ("rfc822", inner));
          g_object_unref (inner);
          g_mime_object_set_disposition (object, attachment->is_inline ? "inline" : "attachment");
          if (attachment->filename != NULL)
            g_mime_object_set_content_disposition_parameter (object, "filename",
                                                             attachment->filename);
          return object;
        }
    }

  {
    GMimePart *part = g_mime_part_new_with_type (type[0], type[1]);
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer ((const char *) data, size);
    GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream (
      stream, GMIME_CONTENT_ENCODING_DEFAULT);

    g_mime_part_set_content (part, content);
    g_object_unref (content);
    g_object_unref (stream);
    g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
    object = GMIME_OBJECT (part);
    g_mime_object_set_disposition (object, attachment->is_inline ? "inline" : "attachment");
    if (attachment->filename != NULL)
      {
        GMimeParamList *params;
        GMimeParam *name;

        /* filename* in RFC 2231, as the standard has it; name= in RFC 2047
         * too, which is what Outlook reads (Thunderbird writes both so). */
        g_mime_part_set_filename (part, attachment->filename);
        params = g_mime_content_type_get_parameters (g_mime_object_get_content_type (object));
        name = g_mime_param_list_get_parameter (params, "name");
        if (name != NULL)
          g_mime_param_set_encoding_method (name, GMIME_PARAM_ENCODING_METHOD_RFC2047);
      }
    if (attachment->content_id != NULL)
      g_mime_object_set_content_id (object, attachment->content_id);
  }
  return object;
}

/* text/plain, or multipart/alternative of it and the HTML (in a
 * multipart/related with the inline images the HTML shows). */
static GMimeObject *
new_body (BuzonDraft *self)
{
  GMimeObject *text = new_text_part ("plain", self->text, TRUE);
  GMimeMultipart *alternative;
  GMimeObject *html;
  GMimeMultipart *related = NULL;

  if (self->html == NULL)
    return text;
  alternative = g_mime_multipart_new_with_subtype ("alternative");
  g_mime_multipart_add (alternative, text);
  g_object_unref (text);
  html = new_text_part ("html", self->html, FALSE);
  for (guint i = 0; i < self->attachments->len; i++)
    {
      BuzonDraftAttachment *attachment = g_ptr_array_index (self->attachments, i);
      GMimeObject *image;

      if (!attachment->is_inline)
        continue;
      if (related == NULL)
        {
          related = g_mime_multipart_new_with_subtype ("related");
          g_mime_multipart_add (related, html);
          g_object_unref (html);
          html = GMIME_OBJECT (related);
        }
      image = new_attachment_part (attachment);
      g_mime_multipart_add (related, image);
      g_object_unref (image);
    }
  g_mime_multipart_add (alternative, html);
  g_object_unref (html);
  return GMIME_OBJECT (alternative);
}

static GMimeFormatOptions *
new_format_options (void)
{
  GMimeFormatOptions *options = g_mime_format_options_new ();

  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_format_options_set_param_encoding_method (options, GMIME_PARAM_ENCODING_METHOD_RFC2231);
  return options;
}

/**
 * _buzon_mime_message_to_bytes:
 *
 * Returns: (transfer full): @message written with CRLF line ends
 */
GBytes *
_buzon_mime_message_to_bytes (GMimeMessage *message)
{
  GMimeFormatOptions *options = new_format_options ();
  GMimeStream *stream = g_mime_stream_mem_new ();
  GByteArray *array;

  g_mime_object_write_to_stream (GMIME_OBJECT (message), options, stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_unref (stream);
  g_mime_format_options_free (options);
  return g_byte_array_free_to_bytes (array);
}

/**
 * buzon_draft_build:
 * @flags: %BUZON_DRAFT_BUILD_INCLUDE_BCC keeps the Bcc header (for the
 *   Drafts folder; never for sending)
 *
 * Validates the draft (for sending unless @flags has
 * %BUZON_DRAFT_BUILD_INCLUDE_BCC), gives it a Message-ID the first time,
 * which it keeps, and writes the message.
 *
 * Returns: (transfer full): the message, CRLF line ends, 7-bit clean; or
 *   %NULL with the error of buzon_draft_validate()
 */
GBytes *
buzon_draft_build (BuzonDraft          *self,
                   BuzonDraftBuildFlags flags,
                   GError             **error)
{
  g_autoptr (InternetAddressList) from = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *date = NULL;
  g_autofree char *message_id = NULL;
  GMimeFormatOptions *options;
  GMimeStream *stream;
  GByteArray *array;
  GString *out;
  GMimeObject *body;
  GMimeMultipart *mixed = NULL;
  const struct
  {
    const char *name;
    const char *value;
  } addresses[] = {
    { "To", self->to }, { "Cc", self->cc },
    { "Bcc", (flags & BUZON_DRAFT_BUILD_INCLUDE_BCC) ? self->bcc : NULL },
    { "Reply-To", self->reply_to },
  };

  g_return_val_if_fail (BUZON_IS_DRAFT (self), NULL);

  if (!buzon_draft_validate (self, (flags & BUZON_DRAFT_BUILD_INCLUDE_BCC) == 0, error))
    return NULL;

  from = parse_valid (self->from);
  if (self->message_id == NULL)
    {
      const char *domain = domain_of (from);
      g_autofree char *id = g_mime_utils_generate_message_id (domain != NULL ? domain
                                                                             : "buzon.invalid");
      buzon_draft_set_message_id (self, id);
    }

  /* The message's own header fields, written here (draft-headers.c says
   * why); the body's, and the body, by GMime. */
  out = g_string_new (NULL);
  _buzon_draft_append_address_header (out, "From", from);
  for (gsize i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      g_autoptr (InternetAddressList) list = parse_valid (addresses[i].value);
      _buzon_draft_append_address_header (out, addresses[i].name, list);
    }
  _buzon_draft_append_text_header (out, "Subject", self->subject != NULL ? self->subject : "",
                                   FALSE);
  if (self->date == NULL)
    now = g_date_time_new_now_local ();
  date = g_mime_utils_header_format_date (self->date != NULL ? self->date : now);
  g_string_append_printf (out, "Date: %s\r\n", date);
  message_id = g_strdup_printf ("<%s>", self->message_id);
  _buzon_draft_append_text_header (out, "Message-ID", message_id, TRUE);
  if (!is_blank (self->in_reply_to))
    _buzon_draft_append_text_header (out, "In-Reply-To", self->in_reply_to, TRUE);
  if (!is_blank (self->references))
    _buzon_draft_append_text_header (out, "References", self->references, TRUE);
  g_string_append (out, "MIME-Version: 1.0\r\n");
  g_string_append (out, "User-Agent: Buzon/" PACKAGE_VERSION "\r\n");

  body = new_body (self);
  for (guint i = 0; i < self->attachments->len; i++)
    {
      BuzonDraftAttachment *attachment = g_ptr_array_index (self->attachments, i);
      GMimeObject *part;

      /* Inline images went into the HTML's multipart/related. */
      if (attachment->is_inline && self->html != NULL)
        continue;
      if (mixed == NULL)
        {
          mixed = g_mime_multipart_new_with_subtype ("mixed");
          g_mime_multipart_add (mixed, body);
          g_object_unref (body);
          body = GMIME_OBJECT (mixed);
        }
      part = new_attachment_part (attachment);
      g_mime_multipart_add (mixed, part);
      g_object_unref (part);
    }

  options = new_format_options ();
  array = g_byte_array_sized_new (out->len + 4096);
  g_byte_array_append (array, (const guint8 *) out->str, out->len);
  g_string_free (out, TRUE);
  stream = g_mime_stream_mem_new_with_byte_array (array);
  g_mime_stream_seek (stream, 0, GMIME_STREAM_SEEK_END);
  g_mime_object_write_to_stream (body, options, stream);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_unref (stream);
  g_object_unref (body);
  g_mime_format_options_free (options);
  return g_byte_array_free_to_bytes (array);
}

/* Envelope. */

static void
collect_addr_specs (InternetAddressList *list,
                    GPtrArray           *out,
                    GHashTable          *seen)
{
  for (int i = 0; i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);
      const char *addr;
      char *key;

      if (INTERNET_ADDRESS_IS_GROUP (address))
        {
          collect_addr_specs (internet_address_group_get_members (INTERNET_ADDRESS_GROUP (address)),
                              out, seen);
          continue;
        }
      addr = internet_address_mailbox_get_idn_addr (INTERNET_ADDRESS_MAILBOX (address));
      if (addr == NULL || addr[0] == '\0')
        continue;
      key = g_utf8_casefold (addr, -1);
      if (!g_hash_table_add (seen, key))
        continue;
      g_ptr_array_add (out, g_strdup (addr));
    }
}

/**
 * buzon_draft_dup_sender_address:
 *
 * Returns: (transfer full) (nullable): the From's addr-spec ("ana@example.com",
 *   the domain in its ASCII form), for MAIL FROM; %NULL when there is none
 */
char *
buzon_draft_dup_sender_address (BuzonDraft *self)
{
  g_autoptr (InternetAddressList) from = NULL;
  g_autoptr (GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_return_val_if_fail (BUZON_IS_DRAFT (self), NULL);
  from = parse_valid (self->from);
  collect_addr_specs (from, addresses, seen);
  return addresses->len > 0 ? g_strdup (g_ptr_array_index (addresses, 0)) : NULL;
}

/**
 * buzon_draft_dup_recipient_addresses:
 *
 * Returns: (transfer full): the addr-specs of To, Cc and Bcc, in that order,
 *   each once (compared without case), for RCPT TO
 */
GStrv
buzon_draft_dup_recipient_addresses (BuzonDraft *self)
{
  GPtrArray *addresses = g_ptr_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *fields[] = { self->to, self->cc, self->bcc };

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autoptr (InternetAddressList) list = parse_valid (fields[i]);

      collect_addr_specs (list, addresses, seen);
    }
  g_ptr_array_add (addresses, NULL);
  return (GStrv) g_ptr_array_free (addresses, FALSE);
}

/**
 * buzon_draft_build_bcc_header:
 *
 * Returns: (transfer full) (nullable): "Bcc: ...\r\n", names RFC 2047
 *   encoded where they need it and folded, for the copy in Sent; %NULL
 *   when the draft has no Bcc
 */
char *
buzon_draft_build_bcc_header (BuzonDraft *self)
{
  g_autoptr (InternetAddressList) bcc = NULL;
  GString *out;

  g_return_val_if_fail (BUZON_IS_DRAFT (self), NULL);
  bcc = parse_valid (self->bcc);
  if (internet_address_list_length (bcc) == 0)
    return NULL;
  out = g_string_new (NULL);
  _buzon_draft_append_address_header (out, "Bcc", bcc);
  return g_string_free (out, FALSE);
}
