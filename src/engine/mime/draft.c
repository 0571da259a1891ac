// A message being written: its fields, text and attachments, built into RFC 5322 bytes.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The fields are kept as the user typed them, so that the composer can bind
// to them and show them back unchanged; they are parsed (by GMime) when the
// draft is validated or built (draft-build.c).

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "draft-private.h"

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

/**
 * _buzon_draft_parse_addresses:
 *
 * Returns: (transfer full): the addresses of @text (an empty list when it is
 *   blank), or %NULL with %BUZON_MIME_ERROR_INVALID_ADDRESS quoting the bad one
 */
InternetAddressList *
_buzon_draft_parse_addresses (const char *text,
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
  from = _buzon_draft_parse_addresses (self->from, error);
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
      g_autoptr (InternetAddressList) list = _buzon_draft_parse_addresses (address_fields[i],
                                                                            error);

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
