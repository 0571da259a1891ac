// What a person reads of a message: its readable text and its attachments.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The text is the text/plain alternative when there is one (format=flowed
// undone, RFC 3676), else the HTML one turned into plain text; parts of a
// multipart/mixed that are text and not attachments follow one another.
// This serves the command line, the full-text index and, later, the
// reader's plain view; the HTML view renders the HTML itself.

#include "config.h"

#include <string.h>

#include "mime-flowed.h"
#include "mime-text.h"

void
buzon_mime_attachment_free (BuzonMimeAttachment *self)
{
  if (self == NULL)
    return;
  g_free (self->filename);
  g_free (self->mime_type);
  g_free (self->part);
  g_free (self);
}

/**
 * buzon_mime_parse_message:
 * @raw: the message as the server sent it
 *
 * Returns: (transfer full): the message, or %NULL with a G_IO_ERROR_INVALID_DATA
 *   error when @raw is not one (GMime accepts almost anything that has a
 *   header, as a mail client must)
 */
GMimeMessage *
buzon_mime_parse_message (GBytes  *raw,
                          GError **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (raw, &size);
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;

  /* GMime 3.2 declares no autoptr cleanups. */
  stream = g_mime_stream_mem_new_with_buffer ((const char *) data, size);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  g_object_unref (stream);
  if (message == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "The message could not be read");
  return message;
}

/* HTML to text. */

static gboolean
tag_is (const char *tag,
        gsize       length,
        const char *name)
{
  return strlen (name) == length && g_ascii_strncasecmp (tag, name, length) == 0;
}

static void
append_space (GString *out)
{
  if (out->len > 0 && out->str[out->len - 1] != ' ' && out->str[out->len - 1] != '\n')
    g_string_append_c (out, ' ');
}

static void
append_entity (GString    *out,
               const char *entity,
               gsize       length)
{
  static const struct
  {
    const char *name;
    const char *text;
  } named[] = {
    { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
    { "ndash", "–" }, { "mdash", "—" }, { "hellip", "…" },
    { "laquo", "«" }, { "raquo", "»" }, { "euro", "€" }, { "copy", "©" },
  };

  if (length == 4 && strncmp (entity, "nbsp", 4) == 0)
    {
      /* For reading and searching, a space like the others. */
      append_space (out);
      return;
    }
  if (length > 1 && entity[0] == '#')
    {
      gboolean hex = entity[1] == 'x' || entity[1] == 'X';
      g_autofree char *digits = g_strndup (entity + (hex ? 2 : 1), length - (hex ? 2 : 1));
      guint64 code = 0;

      if (g_ascii_string_to_unsigned (digits, hex ? 16 : 10, 1, 0x10FFFF, &code, NULL)
          && g_unichar_validate ((gunichar) code))
        {
          g_string_append_unichar (out, (gunichar) code);
          return;
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS (named); i++)
    if (strlen (named[i].name) == length && strncmp (entity, named[i].name, length) == 0)
      {
        g_string_append (out, named[i].text);
        return;
      }
  /* Unknown: left as it was written. */
  g_string_append_c (out, '&');
  g_string_append_len (out, entity, length);
  g_string_append_c (out, ';');
}


static void
append_newlines (GString *out,
                 guint    wanted)
{
  guint have = 0;

  while (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  for (gsize i = out->len; i > 0 && out->str[i - 1] == '\n' && have < wanted; i--)
    have++;
  if (out->len == 0)
    return;
  for (; have < wanted; have++)
    g_string_append_c (out, '\n');
}

/**
 * buzon_mime_html_to_text:
 *
 * Plain text for HTML: no script, style or head; paragraphs and line
 * breaks kept, white space collapsed, entities decoded, list items marked.
 * Not a renderer: what a terminal and a search index need.
 */
char *
buzon_mime_html_to_text (const char *html)
{
  g_autoptr (GString) out = g_string_new (NULL);
  const char *p = html;
  const char *skip_until = NULL; /* Inside script or style: the closing tag. */

  while (p != NULL && *p != '\0')
    {
      if (*p == '<')
        {
          const char *end = strchr (p, '>');
          const char *name;
          gsize length = 0;
          gboolean closing;

          if (end == NULL)
            break;
          if (g_str_has_prefix (p, "<!--"))
            {
              const char *comment_end = strstr (p, "-->");
              p = comment_end != NULL ? comment_end + 3 : end + 1;
              continue;
            }
          closing = p[1] == '/';
          name = p + (closing ? 2 : 1);
          while (g_ascii_isalnum (name[length]))
            length++;
          if (skip_until != NULL)
            {
              if (closing && tag_is (name, length, skip_until))
                skip_until = NULL;
              p = end + 1;
              continue;
            }
          if (!closing && (tag_is (name, length, "script") || tag_is (name, length, "style")
                           || tag_is (name, length, "head") || tag_is (name, length, "title")))
            skip_until = tag_is (name, length, "script")  ? "script"
                         : tag_is (name, length, "style") ? "style"
                         : tag_is (name, length, "head")  ? "head"
                                                          : "title";
          else if (tag_is (name, length, "br"))
            append_newlines (out, 1);
          else if (tag_is (name, length, "p") || tag_is (name, length, "h1")
                   || tag_is (name, length, "h2") || tag_is (name, length, "h3")
                   || tag_is (name, length, "h4") || tag_is (name, length, "blockquote")
                   || tag_is (name, length, "table") || tag_is (name, length, "ul")
                   || tag_is (name, length, "ol"))
            append_newlines (out, 2);
          else if (tag_is (name, length, "div") || tag_is (name, length, "tr")
                   || tag_is (name, length, "h5") || tag_is (name, length, "h6"))
            append_newlines (out, 1);
          else if (tag_is (name, length, "li") && !closing)
            {
              append_newlines (out, 1);
              g_string_append (out, "• ");
            }
          else if (tag_is (name, length, "td") || tag_is (name, length, "th"))
            append_space (out);
          p = end + 1;
          continue;
        }
      if (skip_until != NULL)
        {
          p++;
          continue;
        }
      if (*p == '&')
        {
          const char *semi = strchr (p, ';');

          if (semi != NULL && semi - p <= 10)
            {
              append_entity (out, p + 1, semi - p - 1);
              p = semi + 1;
              continue;
            }
        }
      if (g_ascii_isspace (*p))
        append_space (out);
      else
        g_string_append_c (out, *p);
      p++;
    }
  append_newlines (out, 0);
  while (out->len > 0 && (out->str[out->len - 1] == '\n' || out->str[out->len - 1] == ' '))
    g_string_truncate (out, out->len - 1);
  return g_utf8_make_valid (out->str, out->len);
}

/* Text parts. */

static char *
text_of (GMimeTextPart *part)
{
  GMimeContentType *type = g_mime_object_get_content_type (GMIME_OBJECT (part));
  g_autofree char *text = g_mime_text_part_get_text (part);
  const char *format = g_mime_content_type_get_parameter (type, "format");
  const char *delsp = g_mime_content_type_get_parameter (type, "delsp");

  if (text == NULL)
    return g_strdup ("");
  if (g_mime_content_type_is_type (type, "text", "html"))
    return buzon_mime_html_to_text (text);
  if (format != NULL && g_ascii_strcasecmp (format, "flowed") == 0)
    return buzon_mime_flowed_decode (text, delsp != NULL && g_ascii_strcasecmp (delsp, "yes") == 0);
  return g_steal_pointer (&text);
}

static gboolean
is_attachment (GMimeObject *object)
{
  const char *disposition = g_mime_object_get_disposition (object);

  return disposition != NULL && g_ascii_strcasecmp (disposition, "attachment") == 0;
}

/* Appends the readable text of @object, choosing among alternatives. */
static void
collect_text (GMimeObject *object,
              GString     *out)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int count = g_mime_multipart_get_count (multipart);

      if (g_mime_content_type_is_type (type, "multipart", "alternative"))
        {
          GMimeObject *chosen = NULL;

          /* Plain text first; else the last (richest) that is text. */
          for (int i = 0; i < count && chosen == NULL; i++)
            {
              GMimeObject *child = g_mime_multipart_get_part (multipart, i);

              if (g_mime_content_type_is_type (g_mime_object_get_content_type (child), "text",
                                               "plain"))
                chosen = child;
            }
          for (int i = count - 1; i >= 0 && chosen == NULL; i--)
            {
              GMimeObject *child = g_mime_multipart_get_part (multipart, i);

              if (GMIME_IS_MULTIPART (child) || GMIME_IS_TEXT_PART (child))
                chosen = child;
            }
          if (chosen != NULL)
            collect_text (chosen, out);
          return;
        }
      for (int i = 0; i < count; i++)
        collect_text (g_mime_multipart_get_part (multipart, i), out);
      return;
    }
  if (GMIME_IS_TEXT_PART (object) && !is_attachment (object)
      && (g_mime_content_type_is_type (type, "text", "plain")
          || g_mime_content_type_is_type (type, "text", "html")))
    {
      g_autofree char *text = text_of (GMIME_TEXT_PART (object));

      if (out->len > 0 && out->str[out->len - 1] != '\n')
        g_string_append_c (out, '\n');
      if (out->len > 0)
        g_string_append_c (out, '\n');
      g_string_append (out, text);
    }
}

/**
 * buzon_mime_get_readable_text:
 *
 * Returns: (transfer full): the message's text for reading, UTF-8; empty
 *   when it has none (an attachment alone)
 */
char *
buzon_mime_get_readable_text (GMimeMessage *message)
{
  GMimeObject *body = g_mime_message_get_mime_part (message);
  g_autoptr (GString) out = g_string_new (NULL);

  if (body != NULL)
    collect_text (body, out);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Attachments. */

static gsize
decoded_size (GMimePart *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  GMimeStream *sink;
  gssize written;

  if (content == NULL)
    return 0;
  sink = g_mime_stream_null_new ();
  written = g_mime_data_wrapper_write_to_stream (content, sink);
  g_object_unref (sink);
  return written > 0 ? (gsize) written : 0;
}

static void
collect_attachments (GMimeObject *object,
                     const char  *section,
                     gboolean     in_alternative,
                     gboolean     in_related,
                     GPtrArray   *out)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      gboolean alternative = g_mime_content_type_is_type (type, "multipart", "alternative");
      gboolean related = g_mime_content_type_is_type (type, "multipart", "related");

      for (int i = 0; i < g_mime_multipart_get_count (multipart); i++)
        {
          g_autofree char *child = section[0] != '\0'
                                     ? g_strdup_printf ("%s.%d", section, i + 1)
                                     : g_strdup_printf ("%d", i + 1);

          collect_attachments (g_mime_multipart_get_part (multipart, i), child,
                               alternative, related, out);
        }
      return;
    }
  if (GMIME_IS_PART (object))
    {
      gboolean text = GMIME_IS_TEXT_PART (object)
                      && (g_mime_content_type_is_type (type, "text", "plain")
                          || g_mime_content_type_is_type (type, "text", "html"));
      const char *disposition = g_mime_object_get_disposition (object);
      BuzonMimeAttachment *attachment;

      /* The text alternatives are the body, not attachments. */
      if (text && !is_attachment (object))
        return;
      if (in_alternative && !is_attachment (object))
        return;
      attachment = g_new0 (BuzonMimeAttachment, 1);
      attachment->filename = g_strdup (g_mime_part_get_filename (GMIME_PART (object)));
      {
        g_autofree char *mime_type = g_mime_content_type_get_mime_type (type);
        attachment->mime_type = g_ascii_strdown (mime_type, -1);
      }
      attachment->part = g_strdup (section[0] != '\0' ? section : "1");
      attachment->size = decoded_size (GMIME_PART (object));
      attachment->inline_ = (disposition != NULL && g_ascii_strcasecmp (disposition, "inline") == 0)
                            || (in_related && !is_attachment (object));
      g_ptr_array_add (out, attachment);
      return;
    }
  if (GMIME_IS_MESSAGE_PART (object))
    {
      /* A forwarded message is one attachment, named after its subject. */
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));
      BuzonMimeAttachment *attachment = g_new0 (BuzonMimeAttachment, 1);
      const char *subject = inner != NULL ? g_mime_message_get_subject (inner) : NULL;

      attachment->filename = subject != NULL ? g_strconcat (subject, ".eml", NULL) : NULL;
      attachment->mime_type = g_strdup ("message/rfc822");
      attachment->part = g_strdup (section[0] != '\0' ? section : "1");
      if (inner != NULL)
        {
          GMimeStream *sink = g_mime_stream_null_new ();
          gssize written = g_mime_object_write_to_stream (GMIME_OBJECT (inner), NULL, sink);

          attachment->size = written > 0 ? (gsize) written : 0;
          g_object_unref (sink);
        }
      g_ptr_array_add (out, attachment);
    }
}

/**
 * buzon_mime_list_attachments:
 *
 * Returns: (transfer container) (element-type BuzonMimeAttachment): the
 *   files the message carries, in order, inline images included (marked)
 */
GPtrArray *
buzon_mime_list_attachments (GMimeMessage *message)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_mime_attachment_free);
  GMimeObject *body = g_mime_message_get_mime_part (message);

  if (body != NULL)
    collect_attachments (body, "", FALSE, FALSE, out);
  return out;
}
