// A message being written: its fields, text and attachments, built into RFC 5322 bytes.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The fields are kept as the user typed them, so that the composer can bind
// to them and show them back unchanged; they are parsed (by GMime) when the
// draft is validated or built. The text goes out as format=flowed UTF-8,
// 7bit when it is ASCII and otherwise quoted-printable or base64, whichever
// GMime finds shorter: 7-bit bytes pass every relay and every IMAP APPEND
// without depending on 8BITMIME, and the send queue can hand the same bytes
// to SMTP and to the Sent folder. Attachments are always base64, so their
// bytes come back exactly.

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "draft-private.h"
#include "mime-flowed.h"
#include "mime-text.h"

struct _BuzonDraft
{
  GObject parent_instance;

  char *from;
  char *to;
  char *cc;
  char *bcc;
  char *reply_to;
  char *subject;
  char *text;
  char *html;
  char *in_reply_to;
  char *references;
  char *message_id;
  GDateTime *date;
  gboolean request_receipt;
  GPtrArray *attachments; /* Of BuzonDraftAttachment. */
};

G_DEFINE_FINAL_TYPE (BuzonDraft, buzon_draft, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_FROM,
  PROP_TO,
  PROP_CC,
  PROP_BCC,
  PROP_REPLY_TO,
  PROP_SUBJECT,
  PROP_TEXT,
  PROP_HTML,
  PROP_IN_REPLY_TO,
  PROP_REFERENCES,
  PROP_MESSAGE_ID,
  PROP_DATE,
  PROP_REQUEST_RECEIPT,
  PROP_N_ATTACHMENTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
attachment_free (BuzonDraftAttachment *attachment)
{
  g_free (attachment->filename);
  g_free (attachment->mime_type);
  g_clear_pointer (&attachment->data, g_bytes_unref);
  g_free (attachment->content_id);
  g_free (attachment);
}

static void
buzon_draft_finalize (GObject *object)
{
  BuzonDraft *self = BUZON_DRAFT (object);

  g_free (self->from);
  g_free (self->to);
  g_free (self->cc);
  g_free (self->bcc);
  g_free (self->reply_to);
  g_free (self->subject);
  g_free (self->text);
  g_free (self->html);
  g_free (self->in_reply_to);
  g_free (self->references);
  g_free (self->message_id);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_ptr_array_unref (self->attachments);
  G_OBJECT_CLASS (buzon_draft_parent_class)->finalize (object);
}

/* The string properties, in the order of the enumeration. */
static char **
string_field (BuzonDraft *self,
              guint       prop_id)
{
  switch (prop_id)
    {
    case PROP_FROM: return &self->from;
    case PROP_TO: return &self->to;
    case PROP_CC: return &self->cc;
    case PROP_BCC: return &self->bcc;
    case PROP_REPLY_TO: return &self->reply_to;
    case PROP_SUBJECT: return &self->subject;
    case PROP_TEXT: return &self->text;
    case PROP_HTML: return &self->html;
    case PROP_IN_REPLY_TO: return &self->in_reply_to;
    case PROP_REFERENCES: return &self->references;
    case PROP_MESSAGE_ID: return &self->message_id;
    default: return NULL;
    }
}

static void
set_string (BuzonDraft *self,
            guint       prop_id,
            const char *value)
{
  char **field = string_field (self, prop_id);

  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
buzon_draft_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  BuzonDraft *self = BUZON_DRAFT (object);

  switch (prop_id)
    {
    case PROP_DATE:
      g_value_set_boxed (value, self->date);
      break;
    case PROP_REQUEST_RECEIPT:
      g_value_set_boolean (value, self->request_receipt);
      break;
    case PROP_N_ATTACHMENTS:
      g_value_set_uint (value, self->attachments->len);
      break;
    default:
      if (string_field (self, prop_id) != NULL)
        g_value_set_string (value, *string_field (self, prop_id));
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_draft_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  BuzonDraft *self = BUZON_DRAFT (object);

  switch (prop_id)
    {
    case PROP_DATE:
      buzon_draft_set_date (self, g_value_get_boxed (value));
      break;
    case PROP_REQUEST_RECEIPT:
      buzon_draft_set_request_receipt (self, g_value_get_boolean (value));
      break;
    case PROP_MESSAGE_ID:
      buzon_draft_set_message_id (self, g_value_get_string (value));
      break;
    default:
      if (string_field (self, prop_id) != NULL)
        set_string (self, prop_id, g_value_get_string (value));
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_draft_class_init (BuzonDraftClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  static const char *const names[] = {
    NULL, "from", "to", "cc", "bcc", "reply-to", "subject", "text", "html", "in-reply-to",
    "references", "message-id",
  };

  object_class->finalize = buzon_draft_finalize;
  object_class->get_property = buzon_draft_get_property;
  object_class->set_property = buzon_draft_set_property;

  for (guint i = PROP_FROM; i <= PROP_MESSAGE_ID; i++)
    properties[i] = g_param_spec_string (names[i], NULL, NULL, NULL, flags);
  properties[PROP_DATE] = g_param_spec_boxed ("date", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_REQUEST_RECEIPT] = g_param_spec_boolean ("request-receipt", NULL, NULL,
                                                           FALSE, flags);
  properties[PROP_N_ATTACHMENTS] = g_param_spec_uint ("n-attachments", NULL, NULL,
                                                      0, G_MAXUINT, 0,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
buzon_draft_init (BuzonDraft *self)
{
  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) attachment_free);
}

BuzonDraft *
buzon_draft_new (void)
{
  return g_object_new (BUZON_TYPE_DRAFT, NULL);
}

#define STRING_ACCESSORS(field, PROP)                                    \
  const char *buzon_draft_get_##field (BuzonDraft *self)                 \
  {                                                                      \
    g_return_val_if_fail (BUZON_IS_DRAFT (self), NULL);                  \
    return self->field;                                                  \
  }                                                                      \
  void buzon_draft_set_##field (BuzonDraft *self, const char *field)     \
  {                                                                      \
    g_return_if_fail (BUZON_IS_DRAFT (self));                            \
    set_string (self, PROP, field);                                      \
  }

STRING_ACCESSORS (from, PROP_FROM)
STRING_ACCESSORS (to, PROP_TO)
STRING_ACCESSORS (cc, PROP_CC)
STRING_ACCESSORS (bcc, PROP_BCC)
STRING_ACCESSORS (reply_to, PROP_REPLY_TO)
STRING_ACCESSORS (subject, PROP_SUBJECT)
STRING_ACCESSORS (text, PROP_TEXT)
STRING_ACCESSORS (html, PROP_HTML)
STRING_ACCESSORS (in_reply_to, PROP_IN_REPLY_TO)
STRING_ACCESSORS (references, PROP_REFERENCES)

const char *
buzon_draft_get_message_id (BuzonDraft *self)
{
  g_return_val_if_fail (BUZON_IS_DRAFT (self), NULL);
  return self->message_id;
}

/**
 * buzon_draft_set_message_id:
 * @message_id: (nullable): "id@domain", with or without its angle brackets;
 *   %NULL to have one made at the next build
 */
void
buzon_draft_set_message_id (BuzonDraft *self,
                            const char *message_id)
{
  g_autofree char *bare = NULL;

  g_return_if_fail (BUZON_IS_DRAFT (self));
  if (message_id != NULL)
    {
      const char *start = message_id;
      gsize length;

      /* Spaces go; a line break stays, for validation to refuse. */
      while (*start == ' ' || *start == '\t')
        start++;
      length = strlen (start);
      while (length > 0 && (start[length - 1] == ' ' || start[length - 1] == '\t'))
        length--;
      bare = g_strndup (start, length);
      if (bare[0] == '<' && g_str_has_suffix (bare, ">"))
        {
          char *inner = g_strndup (bare + 1, strlen (bare) - 2);
          g_free (bare);
          bare = inner;
        }
      if (bare[0] == '\0')
        g_clear_pointer (&bare, g_free);
    }
  set_string (self, PROP_MESSAGE_ID, bare);
}

/**
 * buzon_draft_get_date:
 *
 * Returns: (transfer none) (nullable): the date the message will carry,
 *   or %NULL for the time it is built
 */
GDateTime *
buzon_draft_get_date (BuzonDraft *self)
{
  g_return_val_if_fail (BUZON_IS_DRAFT (self), NULL);
  return self->date;
}

void
buzon_draft_set_date (BuzonDraft *self,
                      GDateTime  *date)
{
  g_return_if_fail (BUZON_IS_DRAFT (self));
  if (self->date == date)
    return;
  g_clear_pointer (&self->date, g_date_time_unref);
  self->date = date != NULL ? g_date_time_ref (date) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE]);
}

gboolean
buzon_draft_get_request_receipt (BuzonDraft *self)
{
  g_return_val_if_fail (BUZON_IS_DRAFT (self), FALSE);
  return self->request_receipt;
}

void
buzon_draft_set_request_receipt (BuzonDraft *self,
                                 gboolean    request_receipt)
{
  g_return_if_fail (BUZON_IS_DRAFT (self));
  request_receipt = !!request_receipt;
  if (self->request_receipt == request_receipt)
    return;
  self->request_receipt = request_receipt;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST_RECEIPT]);
}

/* Attachments. */

static char *
guess_mime_type (const char *filename,
                 GBytes     *data)
{
  gsize size = 0;
  const guchar *bytes = g_bytes_get_data (data, &size);
  g_autofree char *content_type = g_content_type_guess (filename, bytes, size, NULL);
  g_autofree char *mime_type = content_type != NULL ? g_content_type_get_mime_type (content_type)
                                                    : NULL;

  if (mime_type == NULL || strchr (mime_type, '/') == NULL)
    return g_strdup ("application/octet-stream");
  return g_steal_pointer (&mime_type);
}

/**
 * buzon_draft_add_attachment:
 * @filename: the name the recipient sees (no folders)
 * @mime_type: (nullable): "image/png"; %NULL to guess from the name and bytes
 * @data: the bytes, which the draft keeps a reference to
 * @is_inline: an image the HTML shows (it goes in a multipart/related with
 *   the HTML; without HTML it is shown after the text)
 * @content_id: (nullable): what the HTML's "cid:" URL names, without angle brackets
 *
 * "message/rfc822" attaches @data as a message (as forwarding does).
 */
void
buzon_draft_add_attachment (BuzonDraft *self,
                            const char *filename,
                            const char *mime_type,
                            GBytes     *data,
                            gboolean    is_inline,
                            const char *content_id)
{
  BuzonDraftAttachment *attachment;

  g_return_if_fail (BUZON_IS_DRAFT (self));
  g_return_if_fail (data != NULL);

  attachment = g_new0 (BuzonDraftAttachment, 1);
  attachment->filename = g_strdup (filename);
  attachment->mime_type = mime_type != NULL ? g_ascii_strdown (mime_type, -1)
                                            : guess_mime_type (filename, data);
  attachment->data = g_bytes_ref (data);
  attachment->is_inline = is_inline;
  attachment->content_id = g_strdup (content_id);
  g_ptr_array_add (self->attachments, attachment);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ATTACHMENTS]);
}

/**
 * buzon_draft_add_attachment_file:
 *
 * Reads @file whole, synchronously (for the command line; the composer
 * reads asynchronously and calls buzon_draft_add_attachment()), and
 * attaches it under its display name.
 *
 * Returns: %FALSE with %BUZON_MIME_ERROR_ATTACHMENT when it cannot be read
 */
gboolean
buzon_draft_add_attachment_file (BuzonDraft *self,
                                 GFile      *file,
                                 GError    **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GBytes) data = NULL;
  g_autofree char *parse_name = NULL;
  char *contents = NULL;
  gsize size = 0;

  g_return_val_if_fail (BUZON_IS_DRAFT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  parse_name = g_file_get_parse_name (file);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME, G_FILE_QUERY_INFO_NONE,
                            NULL, &local_error);
  if (info == NULL || !g_file_load_contents (file, NULL, &contents, &size, NULL, &local_error))
    {
      g_set_error (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_ATTACHMENT,
                   _("The file “%s” cannot be attached: %s"), parse_name, local_error->message);
      return FALSE;
    }
  data = g_bytes_new_take (contents, size);
  buzon_draft_add_attachment (self, g_file_info_get_display_name (info), NULL, data, FALSE, NULL);
  return TRUE;
}

guint
buzon_draft_get_n_attachments (BuzonDraft *self)
{
  g_return_val_if_fail (BUZON_IS_DRAFT (self), 0);
  return self->attachments->len;
}

/**
 * buzon_draft_get_attachment:
 *
 * Returns: (transfer none): attachment @index, in the order they were added
 */
const BuzonDraftAttachment *
buzon_draft_get_attachment (BuzonDraft *self,
                            guint       index)
{
  g_return_val_if_fail (BUZON_IS_DRAFT (self), NULL);
  g_return_val_if_fail (index < self->attachments->len, NULL);
  return g_ptr_array_index (self->attachments, index);
}

void
buzon_draft_remove_attachment (BuzonDraft *self,
                               guint       index)
{
  g_return_if_fail (BUZON_IS_DRAFT (self));
  g_return_if_fail (index < self->attachments->len);
  g_ptr_array_remove_index (self->attachments, index);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ATTACHMENTS]);
}

/* Validation. */

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

static gboolean
has_line_break (const char *text)
{
  return text != NULL && strpbrk (text, "\r\n") != NULL;
}

/* An addr-spec a server can deliver to: local@domain, nothing around it. */
static gboolean
is_valid_addr_spec (const char *addr)
{
  const char *at = addr != NULL ? strrchr (addr, '@') : NULL;

  if (at == NULL || at == addr || at[1] == '\0' || !g_utf8_validate (addr, -1, NULL))
    return FALSE;
  for (const char *p = addr; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p) || strchr ("<>(),;:\\[]", *p) != NULL)
      {
        /* A quoted local part may hold these; GMime keeps its quotes. */
        if (addr[0] == '"' && p < at)
          continue;
        return FALSE;
      }
  for (const char *p = at + 1; *p != '\0'; p++)
    if (*p == '"' || *p == '@')
      return FALSE;
  return at[1] != '.' && !g_str_has_suffix (at, ".");
}

static gboolean
check_mailboxes (InternetAddressList *list,
                 const char         **bad)
{
  for (int i = 0; i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_GROUP (address))
        {
          if (!check_mailboxes (internet_address_group_get_members (
                                  INTERNET_ADDRESS_GROUP (address)), bad))
            return FALSE;
        }
      else if (!is_valid_addr_spec (internet_address_mailbox_get_addr (
                 INTERNET_ADDRESS_MAILBOX (address))))
        {
          *bad = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
          return FALSE;
        }
    }
  return TRUE;
}

/* The addresses of @text, or an empty list when it is blank. */
static InternetAddressList *
parse_addresses (const char *text,
                 GError    **error)
{
  InternetAddressList *list;
  const char *bad = NULL;

  if (is_blank (text))
    return internet_address_list_new ();
  list = internet_address_list_parse (g_mime_parser_options_get_default (), text);
  if (list == NULL || internet_address_list_length (list) == 0 || !check_mailboxes (list, &bad))
    {
      g_autofree char *quoted = g_strstrip (g_strdup (bad != NULL && bad[0] != '\0' ? bad : text));

      g_set_error (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_INVALID_ADDRESS,
                   _("“%s” is not a valid email address"), quoted);
      g_clear_object (&list);
      return NULL;
    }
  return list;
}

static guint
count_mailboxes (InternetAddressList *list)
{
  guint count = 0;

  for (int i = 0; i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_GROUP (address))
        count += count_mailboxes (internet_address_group_get_members (
          INTERNET_ADDRESS_GROUP (address)));
      else
        count++;
    }
  return count;
}

/**
 * buzon_draft_validate:
 * @for_sending: also require a recipient (a draft being saved needs none)
 *
 * Checks what the user gave: no line break in any header field (subject,
 * addresses, identifiers, attachment names), every address parses, there is
 * one sender and, for sending, a recipient.
 *
 * Returns: %FALSE with a %BUZON_MIME_ERROR the user can act on
 */
gboolean
buzon_draft_validate (BuzonDraft *self,
                      gboolean    for_sending,
                      GError    **error)
{
  const struct
  {
    const char *label;
    const char *value;
  } fields[] = {
    { N_("From"), self->from }, { N_("To"), self->to }, { N_("Cc"), self->cc },
    { N_("Bcc"), self->bcc }, { N_("Reply-To"), self->reply_to }, { N_("Subject"), self->subject },
    { N_("In-Reply-To"), self->in_reply_to }, { N_("References"), self->references },
    { N_("Message-ID"), self->message_id },
  };
  const char *address_fields[] = { self->to, self->cc, self->bcc, self->reply_to };
  g_autoptr (InternetAddressList) from = NULL;
  guint n_recipients = 0;

  g_return_val_if_fail (BUZON_IS_DRAFT (self), FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (has_line_break (fields[i].value))
      {
        g_set_error (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_HEADER_INJECTION,
                     _("The %s field contains a line break, which a header cannot hold"),
                     _(fields[i].label));
        return FALSE;
      }
  for (guint i = 0; i < self->attachments->len; i++)
    {
      BuzonDraftAttachment *attachment = g_ptr_array_index (self->attachments, i);

      if (has_line_break (attachment->filename) || has_line_break (attachment->mime_type)
          || has_line_break (attachment->content_id))
        {
          g_autofree char *shown = g_strescape (attachment->filename != NULL
                                                  ? attachment->filename : "", NULL);

          g_set_error (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_HEADER_INJECTION,
                       _("The name of the attachment “%s” contains a line break"), shown);
          return FALSE;
        }
      if (strchr (attachment->mime_type, '/') == NULL || strpbrk (attachment->mime_type, " ;\"")
          != NULL)
        {
          g_set_error (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_ATTACHMENT,
                       _("The attachment “%s” has an invalid type “%s”"),
                       attachment->filename != NULL ? attachment->filename : "",
                       attachment->mime_type);
          return FALSE;
        }
    }

  if (is_blank (self->from))
    {
      g_set_error_literal (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_NO_SENDER,
                           _("The message has no sender"));
      return FALSE;
    }
  from = parse_addresses (self->from, error);
  if (from == NULL)
    return FALSE;
  if (count_mailboxes (from) != 1)
    {
      g_set_error (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_INVALID_ADDRESS,
                   _("“%s” is not a valid email address"), self->from);
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (address_fields); i++)
    {
      g_autoptr (InternetAddressList) list = parse_addresses (address_fields[i], error);

      if (list == NULL)
        return FALSE;
      if (i < 3)
        n_recipients += count_mailboxes (list);
    }
  if (for_sending && n_recipients == 0)
    {
      g_set_error_literal (error, BUZON_MIME_ERROR, BUZON_MIME_ERROR_NO_RECIPIENTS,
                           _("The message has no recipients"));
      return FALSE;
    }
  return TRUE;
}

/* Building. */

static InternetAddressList *
parse_valid (const char *text)
{
  InternetAddressList *list = parse_addresses (text, NULL);

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
      g_mime_part_set_filename (part, attachment->filename);
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
