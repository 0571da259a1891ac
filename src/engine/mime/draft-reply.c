// Drafts made from a message: a saved draft reopened, a reply, a forward.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "draft-private.h"
#include "mime-flowed.h"
#include "mime-text.h"

static GBytes *
part_bytes (GMimePart *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  GMimeStream *stream = g_mime_stream_mem_new ();
  GByteArray *array;

  if (content != NULL)
    g_mime_data_wrapper_write_to_stream (content, stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_unref (stream);
  return g_byte_array_free_to_bytes (array);
}

static gboolean
is_attachment (GMimeObject *object)
{
  const char *disposition = g_mime_object_get_disposition (object);

  return disposition != NULL && g_ascii_strcasecmp (disposition, "attachment") == 0;
}

/* Walks @object as the reader does (mime-text.c): the text parts of the
 * body are not attachments; everything else is, inline images included. */
static void
add_attachments (BuzonDraft  *self,
                 GMimeObject *object,
                 gboolean     in_alternative,
                 gboolean     in_related)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      gboolean alternative = g_mime_content_type_is_type (type, "multipart", "alternative");
      gboolean related = g_mime_content_type_is_type (type, "multipart", "related");

      for (int i = 0; i < g_mime_multipart_get_count (multipart); i++)
        add_attachments (self, g_mime_multipart_get_part (multipart, i), alternative, related);
      return;
    }
  if (GMIME_IS_PART (object))
    {
      gboolean text = GMIME_IS_TEXT_PART (object)
                      && (g_mime_content_type_is_type (type, "text", "plain")
                          || g_mime_content_type_is_type (type, "text", "html"));
      const char *disposition = g_mime_object_get_disposition (object);
      g_autofree char *mime_type = NULL;
      g_autoptr (GBytes) data = NULL;
      gboolean is_inline;

      if ((text || in_alternative) && !is_attachment (object))
        return;
      mime_type = g_mime_content_type_get_mime_type (type);
      data = part_bytes (GMIME_PART (object));
      is_inline = (disposition != NULL && g_ascii_strcasecmp (disposition, "inline") == 0)
                  || (in_related && !is_attachment (object));
      buzon_draft_add_attachment (self, g_mime_part_get_filename (GMIME_PART (object)), mime_type,
                                  data, is_inline, g_mime_object_get_content_id (object));
      return;
    }
  if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));
      const char *filename = g_mime_object_get_content_disposition_parameter (object, "filename");
      const char *subject = inner != NULL ? g_mime_message_get_subject (inner) : NULL;
      g_autofree char *named = NULL;
      g_autoptr (GBytes) data = NULL;

      if (inner == NULL)
        return;
      if (filename == NULL)
        filename = named = g_strconcat (subject != NULL ? subject : _("Message"), ".eml", NULL);
      data = _buzon_mime_message_to_bytes (inner);
      buzon_draft_add_attachment (self, filename, "message/rfc822", data, FALSE, NULL);
    }
}

/**
 * _buzon_draft_add_attachments_of:
 *
 * Attaches to @self every attachment of @message, with its bytes, name,
 * type, disposition and Content-ID.
 */
void
_buzon_draft_add_attachments_of (BuzonDraft   *self,
                                 GMimeMessage *message)
{
  GMimeObject *body = g_mime_message_get_mime_part (message);

  if (body != NULL)
    add_attachments (self, body, FALSE, FALSE);
}

static char *
addresses_text (InternetAddressList *list)
{
  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;
  return internet_address_list_to_string (list, NULL, FALSE);
}

/* The first text/plain or text/html part that is not an attachment. */
static GMimeTextPart *
find_text_part (GMimeObject *object,
                const char  *subtype)
{
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);

      for (int i = 0; i < g_mime_multipart_get_count (multipart); i++)
        {
          GMimeTextPart *found = find_text_part (g_mime_multipart_get_part (multipart, i),
                                                 subtype);

          if (found != NULL)
            return found;
        }
      return NULL;
    }
  if (GMIME_IS_TEXT_PART (object) && !is_attachment (object)
      && g_mime_content_type_is_type (g_mime_object_get_content_type (object), "text", subtype))
    return GMIME_TEXT_PART (object);
  return NULL;
}

static char *
text_of (GMimeTextPart *part)
{
  GMimeContentType *type = g_mime_object_get_content_type (GMIME_OBJECT (part));
  const char *format = g_mime_content_type_get_parameter (type, "format");
  const char *delsp = g_mime_content_type_get_parameter (type, "delsp");
  g_autofree char *text = g_mime_text_part_get_text (part);
  g_autoptr (GString) lf = g_string_new (NULL);

  if (format != NULL && g_ascii_strcasecmp (format, "flowed") == 0)
    return buzon_mime_flowed_decode (text, delsp != NULL && g_ascii_strcasecmp (delsp, "yes") == 0);
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    if (!(*p == '\r' && p[1] == '\n'))
      g_string_append_c (lf, *p);
  return g_string_free (g_steal_pointer (&lf), FALSE);
}

/**
 * buzon_draft_new_from_message:
 * @message: a draft saved by buzon_draft_build() (or any message)
 *
 * Returns: (transfer full): a draft with @message's addresses (Bcc
 *   included), subject, identifiers, text (format=flowed undone), HTML and
 *   attachments, which builds into the same message; but not its date: a
 *   draft saved on Monday and sent on Friday is dated Friday
 */
BuzonDraft *
buzon_draft_new_from_message (GMimeMessage *message)
{
  BuzonDraft *self = buzon_draft_new ();
  GMimeObject *body = g_mime_message_get_mime_part (message);
  GMimeObject *object = GMIME_OBJECT (message);
  const struct
  {
    GMimeAddressType type;
    void (*set) (BuzonDraft *, const char *);
  } fields[] = {
    { GMIME_ADDRESS_TYPE_FROM, buzon_draft_set_from },
    { GMIME_ADDRESS_TYPE_TO, buzon_draft_set_to },
    { GMIME_ADDRESS_TYPE_CC, buzon_draft_set_cc },
    { GMIME_ADDRESS_TYPE_BCC, buzon_draft_set_bcc },
    { GMIME_ADDRESS_TYPE_REPLY_TO, buzon_draft_set_reply_to },
  };
  GMimeTextPart *part;

  g_return_val_if_fail (GMIME_IS_MESSAGE (message), NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *text = addresses_text (g_mime_message_get_addresses (message,
                                                                            fields[i].type));
      fields[i].set (self, text);
    }
  buzon_draft_set_subject (self, g_mime_message_get_subject (message));
  buzon_draft_set_in_reply_to (self, g_mime_object_get_header (object, "In-Reply-To"));
  buzon_draft_set_references (self, g_mime_object_get_header (object, "References"));
  buzon_draft_set_message_id (self, g_mime_message_get_message_id (message));
  if (body != NULL)
    {
      part = find_text_part (body, "plain");
      if (part != NULL)
        {
          g_autofree char *text = text_of (part);
          buzon_draft_set_text (self, text);
        }
      part = find_text_part (body, "html");
      if (part != NULL)
        {
          g_autofree char *html = text_of (part);
          buzon_draft_set_html (self, html);
        }
      _buzon_draft_add_attachments_of (self, message);
    }
  return self;
}

/* Replies. */

/* @subject without the reply prefixes mail clients stack: "Re:", "RE:",
 * "Aw:" (German), "Sv:" (Nordic), "Antw:" (Dutch), "Re[2]:" and the like. */
static const char *
strip_reply_prefixes (const char *subject)
{
  static const char *const prefixes[] = { "re", "aw", "sv", "antw", "ref", "rif", "res" };
  const char *p = subject != NULL ? subject : "";

  for (;;)
    {
      const char *rest = NULL;

      while (*p == ' ' || *p == '\t')
        p++;
      for (gsize i = 0; i < G_N_ELEMENTS (prefixes) && rest == NULL; i++)
        {
          gsize length = strlen (prefixes[i]);
          const char *q = p + length;

          if (g_ascii_strncasecmp (p, prefixes[i], length) != 0)
            continue;
          if (*q == '[')
            {
              while (g_ascii_isdigit (*++q))
                ;
              if (*q != ']')
                continue;
              q++;
            }
          if (*q == ':')
            rest = q + 1;
        }
      if (rest == NULL)
        return p;
      p = rest;
    }
}

static char *
formatted_date (GMimeMessage *message)
{
  GDateTime *date = g_mime_message_get_date (message);
  g_autoptr (GDateTime) local = date != NULL ? g_date_time_to_local (date) : NULL;

  /* Translators: the date in a reply's attribution and a forward's header block. */
  return local != NULL ? g_date_time_format (local, _("%a, %d %b %Y at %H:%M")) : g_strdup ("");
}

static char *
sender_name (GMimeMessage *message)
{
  InternetAddressList *from = g_mime_message_get_from (message);
  InternetAddress *address;
  const char *name;

  if (from == NULL || internet_address_list_length (from) == 0)
    return g_strdup (_("Someone"));
  address = internet_address_list_get_address (from, 0);
  name = internet_address_get_name (address);
  if (name != NULL && name[0] != '\0')
    return g_strdup (name);
  if (INTERNET_ADDRESS_IS_MAILBOX (address))
    return g_strdup (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)));
  return internet_address_to_string (address, NULL, FALSE);
}

/* @text with "> " before each line (">" before one already quoted, so
 * that ">> " reads as two levels, and alone on an empty one). */
static void
append_quoted (GString    *out,
               const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n_lines = g_strv_length (lines);

  while (n_lines > 0 && lines[n_lines - 1][0] == '\0')
    n_lines--;
  for (guint i = 0; i < n_lines; i++)
    {
      const char *line = lines[i];

      if (line[0] == '\0')
        g_string_append (out, ">\n");
      else if (line[0] == '>')
        g_string_append_printf (out, ">%s\n", line);
      else
        g_string_append_printf (out, "> %s\n", line);
    }
}

static gboolean
is_own (const char         *addr,
        const char * const *own_addresses)
{
  for (gsize i = 0; own_addresses != NULL && own_addresses[i] != NULL; i++)
    if (addr != NULL && g_ascii_strcasecmp (addr, own_addresses[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Adds the mailboxes of @from to @to but those in @seen (by address, without
 * case) and the user's own, marking them seen. */
static void
add_mailboxes (InternetAddressList *to,
               InternetAddressList *from,
               const char * const  *own_addresses,
               GHashTable          *seen)
{
  for (int i = 0; from != NULL && i < internet_address_list_length (from); i++)
    {
      InternetAddress *address = internet_address_list_get_address (from, i);
      const char *addr;

      if (INTERNET_ADDRESS_IS_GROUP (address))
        {
          add_mailboxes (to, internet_address_group_get_members (INTERNET_ADDRESS_GROUP (address)),
                         own_addresses, seen);
          continue;
        }
      addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      if (addr == NULL || is_own (addr, own_addresses)
          || !g_hash_table_add (seen, g_ascii_strdown (addr, -1)))
        continue;
      internet_address_list_add (to, address);
    }
}

static char *
references_for_reply (GMimeMessage *original)
{
  const char *references = g_mime_object_get_header (GMIME_OBJECT (original), "References");
  const char *in_reply_to = g_mime_object_get_header (GMIME_OBJECT (original), "In-Reply-To");
  const char *message_id = g_mime_message_get_message_id (original);
  const char *thread = references != NULL ? references : in_reply_to;
  GMimeReferences *ids = thread != NULL ? g_mime_references_parse (NULL, thread) : NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  for (int i = 0; ids != NULL && i < g_mime_references_length (ids); i++)
    g_string_append_printf (out, "%s<%s>", out->len > 0 ? " " : "",
                            g_mime_references_get_message_id (ids, i));
  if (ids != NULL)
    g_mime_references_free (ids);
  if (message_id != NULL)
    g_string_append_printf (out, "%s<%s>", out->len > 0 ? " " : "", message_id);
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

/**
 * buzon_draft_new_reply:
 * @original: the message replied to
 * @from: the user's identity, "Name <address>"
 * @own_addresses: (nullable) (array zero-terminated=1): the user's addresses,
 *   left out of a reply to all
 *
 * Returns: (transfer full): a reply to the Reply-To (else the From) of
 *   @original, and for %BUZON_DRAFT_REPLY_ALL to its To and Cc too, each
 *   once; "Re: " once before the subject; threaded by In-Reply-To and
 *   References; the text an empty line for the user, an attribution and
 *   the original's text quoted
 */
BuzonDraft *
buzon_draft_new_reply (GMimeMessage        *original,
                       BuzonDraftReplyKind  kind,
                       const char          *from,
                       const char * const  *own_addresses)
{
  BuzonDraft *self = buzon_draft_new ();
  InternetAddressList *reply_to = g_mime_message_get_reply_to (original);
  g_autoptr (InternetAddressList) to = internet_address_list_new ();
  g_autoptr (InternetAddressList) cc = internet_address_list_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *message_id = g_mime_message_get_message_id (original);
  g_autofree char *subject = g_strconcat ("Re: ",
                                          strip_reply_prefixes (
                                            g_mime_message_get_subject (original)), NULL);
  g_autofree char *references = references_for_reply (original);
  g_autofree char *to_text = NULL;
  g_autofree char *cc_text = NULL;
  g_autofree char *date = formatted_date (original);
  g_autofree char *name = sender_name (original);
  g_autofree char *text = buzon_mime_get_readable_text (original);
  g_autoptr (GString) body = g_string_new ("\n\n");

  g_return_val_if_fail (GMIME_IS_MESSAGE (original), NULL);

  if (reply_to == NULL || internet_address_list_length (reply_to) == 0)
    reply_to = g_mime_message_get_from (original);
  /* To the sender even when it is the user (a reply to one's own mail). */
  add_mailboxes (to, reply_to, NULL, seen);
  if (kind == BUZON_DRAFT_REPLY_ALL)
    {
      add_mailboxes (cc, g_mime_message_get_to (original), own_addresses, seen);
      add_mailboxes (cc, g_mime_message_get_cc (original), own_addresses, seen);
    }
  to_text = addresses_text (to);
  cc_text = addresses_text (cc);

  buzon_draft_set_from (self, from);
  buzon_draft_set_to (self, to_text);
  buzon_draft_set_cc (self, cc_text);
  buzon_draft_set_subject (self, subject);
  if (message_id != NULL)
    {
      g_autofree char *id = g_strdup_printf ("<%s>", message_id);
      buzon_draft_set_in_reply_to (self, id);
    }
  buzon_draft_set_references (self, references);

  /* Translators: a reply's attribution line: the date, then who wrote. */
  g_string_append_printf (body, _("On %s, %s wrote:"), date, name);
  g_string_append_c (body, '\n');
  append_quoted (body, text);
  buzon_draft_set_text (self, body->str);
  return self;
}

/* Forwards. */

static char *
strip_forward_prefix (const char *subject)
{
  const char *p = subject != NULL ? subject : "";

  if (g_ascii_strncasecmp (p, "Fwd:", 4) == 0)
    p += 4;
  else if (g_ascii_strncasecmp (p, "Fw:", 3) == 0)
    p += 3;
  while (*p == ' ')
    p++;
  return g_strconcat ("Fwd: ", p, NULL);
}

static void
append_field (GString    *out,
              const char *label,
              const char *value)
{
  if (value != NULL && value[0] != '\0')
    g_string_append_printf (out, "%s %s\n", label, value);
}

/**
 * buzon_draft_new_forward:
 * @from: the user's identity, "Name <address>"
 *
 * Returns: (transfer full): for %BUZON_DRAFT_FORWARD_INLINE, a draft whose
 *   text is a "Forwarded message" block (From, Date, Subject, To) and the
 *   original's text, with its attachments attached again; for
 *   %BUZON_DRAFT_FORWARD_ATTACHMENT, the original whole as message/rfc822.
 *   "Fwd: " before the subject, and no recipients yet.
 */
BuzonDraft *
buzon_draft_new_forward (GMimeMessage          *original,
                         BuzonDraftForwardKind  kind,
                         const char            *from)
{
  BuzonDraft *self = buzon_draft_new ();
  const char *original_subject = g_mime_message_get_subject (original);
  g_autofree char *subject = strip_forward_prefix (original_subject);

  g_return_val_if_fail (GMIME_IS_MESSAGE (original), NULL);

  buzon_draft_set_from (self, from);
  buzon_draft_set_subject (self, subject);
  if (kind == BUZON_DRAFT_FORWARD_INLINE)
    {
      g_autoptr (GString) body = g_string_new ("\n\n");
      g_autofree char *original_from = addresses_text (g_mime_message_get_from (original));
      g_autofree char *original_to = addresses_text (g_mime_message_get_to (original));
      g_autofree char *original_cc = addresses_text (g_mime_message_get_cc (original));
      g_autofree char *date = formatted_date (original);
      g_autofree char *text = buzon_mime_get_readable_text (original);

      g_string_append_printf (body, "-------- %s --------\n", _("Forwarded message"));
      append_field (body, _("From:"), original_from);
      append_field (body, _("Date:"), date);
      append_field (body, _("Subject:"), original_subject);
      append_field (body, _("To:"), original_to);
      append_field (body, _("Cc:"), original_cc);
      g_string_append_c (body, '\n');
      g_string_append (body, text);
      if (body->len > 0 && body->str[body->len - 1] != '\n')
        g_string_append_c (body, '\n');
      buzon_draft_set_text (self, body->str);
      _buzon_draft_add_attachments_of (self, original);
    }
  else
    {
      g_autoptr (GBytes) data = _buzon_mime_message_to_bytes (original);
      g_autofree char *filename = g_strconcat (original_subject != NULL && original_subject[0]
                                                 ? original_subject : _("Message"),
                                               ".eml", NULL);

      buzon_draft_set_text (self, "");
      buzon_draft_add_attachment (self, filename, "message/rfc822", data, FALSE, NULL);
    }
  return self;
}
