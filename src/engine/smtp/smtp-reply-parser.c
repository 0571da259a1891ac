// A pure, resumable parser of SMTP server replies.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A reply is one or more lines "NNN-text" ending with "NNN text" (or a bare
// "NNN"), every line with the same code (RFC 5321 §4.2.1). The parser takes
// each line as soon as its LF arrives, checks it and keeps its text with the
// reply being read, so that what it buffers is at most one partial line plus
// the lines of one reply, both bounded. A line longer than the bound is an
// error as soon as that many bytes arrived without a line end, whatever the
// chunking. Lines ending in a bare LF are taken too (some servers send
// them); a CR anywhere else, or a NUL, is an error. After an error the parser
// stays failed: the connection it reads from cannot be trusted.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "smtp-error.h"
#include "smtp-reply-parser.h"

#define DEFAULT_MAX_LINE  4096
#define DEFAULT_MAX_LINES 512

struct _BuzonSmtpReplyParser
{
  BuzonSmtpReplyParserLimits limits;
  GByteArray *buffer;
  gsize start;         /* Where the first line not yet taken starts. */
  gsize scan;          /* Where the search for LF resumes. */
  guint code;          /* Of the reply being read; 0: none yet. */
  GPtrArray *lines;    /* Its lines' text, so far (char *). */
  gsize taken;         /* Bytes of those lines, for get_buffered(). */
  GError *error;       /* Sticky: set once, returned by every later call. */
};

/**
 * buzon_smtp_reply_parser_new:
 * @limits: (nullable): bounds to enforce; %NULL (or zeros) for the defaults:
 *   4096 bytes a line, 512 lines a reply
 */
BuzonSmtpReplyParser *
buzon_smtp_reply_parser_new (const BuzonSmtpReplyParserLimits *limits)
{
  BuzonSmtpReplyParser *self = g_new0 (BuzonSmtpReplyParser, 1);

  if (limits != NULL)
    self->limits = *limits;
  if (self->limits.max_line == 0)
    self->limits.max_line = DEFAULT_MAX_LINE;
  if (self->limits.max_lines == 0)
    self->limits.max_lines = DEFAULT_MAX_LINES;
  self->buffer = g_byte_array_new ();
  self->lines = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
buzon_smtp_reply_parser_free (BuzonSmtpReplyParser *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->buffer);
  g_ptr_array_unref (self->lines);
  g_clear_error (&self->error);
  g_free (self);
}

void
buzon_smtp_reply_parser_feed (BuzonSmtpReplyParser *self,
                              const char           *data,
                              gsize                 length)
{
  if (self->error != NULL || length == 0)
    return;
  /* Drop what was consumed before growing, so the buffer stays bounded. */
  if (self->start > 0 && self->start == self->buffer->len)
    {
      g_byte_array_set_size (self->buffer, 0);
      self->scan = 0;
      self->start = 0;
    }
  else if (self->start > 64 * 1024)
    {
      g_byte_array_remove_range (self->buffer, 0, self->start);
      self->scan -= self->start;
      self->start = 0;
    }
  g_byte_array_append (self->buffer, (const guint8 *) data, length);
}

/* Bytes fed and not yet returned in a reply: after a STARTTLS reply, any is
 * an attempt to inject commands into what follows the handshake. */
gsize
buzon_smtp_reply_parser_get_buffered (BuzonSmtpReplyParser *self)
{
  return self->buffer->len - self->start + self->taken;
}

G_GNUC_PRINTF (3, 4) static void
fail (BuzonSmtpReplyParser *self,
      int                   code,
      const char           *format,
      ...)
{
  va_list args;

  va_start (args, format);
  self->error = g_error_new_valist (BUZON_SMTP_ERROR, code, format, args);
  va_end (args);
}

/* A line's text as UTF-8, whatever the server's bytes were. */
static char *
line_text (const char *text,
           gsize       length)
{
  return g_utf8_make_valid (text, (gssize) length);
}

/* "D.D{1,3}.D{1,3}" then a space or the end: its length, or 0. */
static gsize
parse_enhanced (const char *text,
                gsize       length,
                guint       code_class,
                guint      *subject,
                guint      *detail)
{
  gsize i = 0;
  guint values[2] = { 0, 0 };

  if (length < 5 || text[0] != (char) ('0' + code_class) || text[1] != '.')
    return 0;
  i = 2;
  for (guint part = 0; part < 2; part++)
    {
      gsize digits = 0;

      while (i < length && g_ascii_isdigit (text[i]) && digits < 4)
        {
          values[part] = values[part] * 10 + (guint) (text[i] - '0');
          i++;
          digits++;
        }
      if (digits == 0 || digits > 3)
        return 0;
      if (part == 0)
        {
          if (i >= length || text[i] != '.')
            return 0;
          i++;
        }
    }
  if (i < length && text[i] != ' ')
    return 0;
  *subject = values[0];
  *detail = values[1];
  return i;
}

static BuzonSmtpReply *
build_reply (BuzonSmtpReplyParser *self)
{
  BuzonSmtpReply *reply = g_new0 (BuzonSmtpReply, 1);
  char *first = self->lines->pdata[0];
  gsize length;

  reply->code = self->code;
  length = parse_enhanced (first, strlen (first), self->code / 100, &reply->enhanced_subject,
                           &reply->enhanced_detail);
  if (length > 0)
    {
      g_autofree char *prefix = g_strndup (first, length);

      reply->has_enhanced = TRUE;
      reply->enhanced_class = self->code / 100;
      /* With ENHANCEDSTATUSCODES every line starts with the code (RFC 2034). */
      for (guint i = 0; i < self->lines->len; i++)
        {
          char *line = self->lines->pdata[i];

          gsize skip;

          if (!g_str_has_prefix (line, prefix) || (line[length] != '\0' && line[length] != ' '))
            continue;
          skip = length + (line[length] == ' ' ? 1 : 0);
          memmove (line, line + skip, strlen (line + skip) + 1);
        }
    }
  g_ptr_array_add (self->lines, NULL);
  reply->lines = (GStrv) g_ptr_array_steal (self->lines, NULL);
  g_ptr_array_set_free_func (self->lines, g_free);
  self->code = 0;
  self->taken = 0;
  return reply;
}

/* Takes one complete line, @length bytes without its line end. Returns TRUE
 * when it was the last of its reply. */
static gboolean
take_line (BuzonSmtpReplyParser *self,
           const char           *line,
           gsize                 length,
           gsize                 consumed)
{
  guint code;

  if (length > self->limits.max_line)
    {
      fail (self, BUZON_SMTP_ERROR_LIMIT, _("A reply line is longer than %u bytes"),
            (guint) MIN (self->limits.max_line, G_MAXUINT));
      return FALSE;
    }
  if (memchr (line, '\r', length) != NULL || memchr (line, '\0', length) != NULL)
    {
      fail (self, BUZON_SMTP_ERROR_PARSE, _("A reply line holds a bare CR or a NUL byte"));
      return FALSE;
    }
  if (length < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5'
      || !g_ascii_isdigit (line[2]) || (length > 3 && line[3] != ' ' && line[3] != '-'))
    {
      g_autofree char *shown = line_text (line, MIN (length, 40));

      /* Translators: %s is the start of what the server sent. */
      fail (self, BUZON_SMTP_ERROR_PARSE, _("Not an SMTP reply: “%s”"), shown);
      return FALSE;
    }
  code = (guint) (line[0] - '0') * 100 + (guint) (line[1] - '0') * 10 + (guint) (line[2] - '0');
  if (self->code != 0 && code != self->code)
    {
      fail (self, BUZON_SMTP_ERROR_PARSE,
            _("A multi-line reply changed its code from %u to %u"), self->code, code);
      return FALSE;
    }
  if (self->lines->len >= self->limits.max_lines)
    {
      fail (self, BUZON_SMTP_ERROR_LIMIT, _("A reply has more than %u lines"),
            self->limits.max_lines);
      return FALSE;
    }
  self->code = code;
  self->taken += consumed;
  g_ptr_array_add (self->lines, length > 4 ? line_text (line + 4, length - 4) : g_strdup (""));
  return length == 3 || line[3] == ' ';
}

/**
 * buzon_smtp_reply_parser_next:
 *
 * Returns: (transfer full) (nullable): the next complete reply, or %NULL
 *   when more bytes are needed or (with @error set) the input is not SMTP or
 *   went past a bound; after an error every call fails the same way.
 */
BuzonSmtpReply *
buzon_smtp_reply_parser_next (BuzonSmtpReplyParser  *self,
                              GError               **error)
{
  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return NULL;
    }
  for (;;)
    {
      const char *data = (const char *) self->buffer->data;
      const char *lf = NULL;
      gsize available = self->buffer->len - self->scan;
      gsize line_length;
      gboolean last;

      if (available > 0)
        lf = memchr (data + self->scan, '\n', available);
      if (lf == NULL)
        {
          self->scan = self->buffer->len;
          /* Content plus a CR still waiting for its LF. */
          if (self->buffer->len - self->start > self->limits.max_line + 1)
            {
              fail (self, BUZON_SMTP_ERROR_LIMIT, _("A reply line is longer than %u bytes"),
                    (guint) MIN (self->limits.max_line, G_MAXUINT));
              g_propagate_error (error, g_error_copy (self->error));
            }
          return NULL;
        }
      line_length = (gsize) (lf - (data + self->start));
      if (line_length > 0 && data[self->start + line_length - 1] == '\r')
        line_length--;
      last = take_line (self, data + self->start, line_length,
                        (gsize) (lf - (data + self->start)) + 1);
      if (self->error != NULL)
        {
          g_propagate_error (error, g_error_copy (self->error));
          return NULL;
        }
      self->start = (gsize) (lf - data) + 1;
      self->scan = self->start;
      if (last)
        return build_reply (self);
    }
}
