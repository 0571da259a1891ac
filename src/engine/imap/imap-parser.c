// A pure, resumable parser of IMAP server responses.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Parsing happens in two steps. Framing finds where a response ends: a line
// ending in "{n}" (or "~{n}", literal8) is followed by n bytes of literal and
// then more of the same response, so the framer scans for line ends and skips
// literals, keeping its position between calls. It never looks at a byte
// twice, which is what makes feeding one byte at a time as cheap as feeding
// a megabyte. Once a response is complete, the tokenizer walks it in one pass
// and builds the BuzonImapResponse. Bounds on line length, literal size and
// nesting depth are checked in the framer and the tokenizer, before memory is
// committed. After an error the parser stays failed: the connection it reads
// from cannot be trusted and must be closed.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap-error.h"
#include "imap-parser.h"
#include "imap-response-private.h"

struct _BuzonImapParser
{
  BuzonImapParserLimits limits;
  GByteArray *buffer;
  gsize start;          /* Where the current response starts in buffer. */
  gsize scan;           /* Where the framer resumes. */
  gsize line_start;     /* Start of the line being scanned, for the length bound. */
  guint64 literal_left; /* Bytes of literal still to skip before scanning resumes. */
  /* Items of the lists being read, reused between responses: pushed for
   * every value of every response, so kept by hand rather than in a
   * GPtrArray, whose add is a call and a size check of its own. */
  BuzonImapValue **stack;
  guint stack_len;
  guint stack_size;
  GError *error;        /* Sticky: set once, returned by every later call. */
};

static const BuzonImapParserLimits default_limits = {
  .max_line = 8 * 1024 * 1024,
  .max_literal = 64 * 1024 * 1024,
  .max_depth = 64,
  .max_response = 256 * 1024 * 1024,
};

/**
 * buzon_imap_parser_new:
 * @limits: (nullable): bounds to enforce; %NULL for the defaults (8 MiB lines,
 *   64 MiB literals, 64 levels of nesting)
 */
BuzonImapParser *
buzon_imap_parser_new (const BuzonImapParserLimits *limits)
{
  BuzonImapParser *self = g_new0 (BuzonImapParser, 1);

  self->limits = limits != NULL ? *limits : default_limits;
  if (self->limits.max_response == 0)
    self->limits.max_response = default_limits.max_response;
  self->buffer = g_byte_array_new ();
  return self;
}

void
buzon_imap_parser_free (BuzonImapParser *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->buffer);
  g_free (self->stack);
  g_clear_error (&self->error);
  g_free (self);
}

/* Bytes fed but not yet returned as responses. */
gsize
buzon_imap_parser_get_buffered (BuzonImapParser *self)
{
  return self->buffer->len - self->start;
}

/**
 * buzon_imap_parser_take_buffered:
 *
 * Takes the bytes fed after the last complete response, which must not be
 * parsed as IMAP: after COMPRESS they are deflated data. The parser starts
 * afresh. Call only between responses (right after one was returned).
 *
 * Returns: (transfer full): the bytes, possibly empty.
 */
GBytes *
buzon_imap_parser_take_buffered (BuzonImapParser *self)
{
  GBytes *rest = g_bytes_new (self->buffer->data + self->start,
                              self->buffer->len - self->start);

  g_byte_array_set_size (self->buffer, 0);
  self->start = self->scan = self->line_start = 0;
  self->literal_left = 0;
  return rest;
}

void
buzon_imap_parser_feed (BuzonImapParser *self,
                        const char      *data,
                        gsize            length)
{
  if (self->error != NULL || length == 0)
    return;

  /* Drop what earlier responses used before growing the buffer. */
  if (self->start > 0 && self->start >= self->buffer->len / 2)
    {
      g_byte_array_remove_range (self->buffer, 0, self->start);
      self->scan -= self->start;
      self->line_start -= self->start;
      self->start = 0;
    }
  g_byte_array_append (self->buffer, (const guint8 *) data, length);
}

static gboolean
fail (BuzonImapParser *self,
      GError         **error,
      int              code,
      const char      *format,
      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (BuzonImapParser *self,
      GError         **error,
      int              code,
      const char      *format,
      ...)
{
  va_list args;

  va_start (args, format);
  self->error = g_error_new_valist (BUZON_IMAP_ERROR, code, format, args);
  va_end (args);
  g_propagate_error (error, g_error_copy (self->error));
  return FALSE;
}

static gboolean
fail_line_too_long (BuzonImapParser *self,
                    GError         **error)
{
  g_autofree char *limit = g_strdup_printf ("%" G_GSIZE_FORMAT, self->limits.max_line);

  /* Translators: %s is a number of bytes. */
  return fail (self, error, BUZON_IMAP_ERROR_LIMIT,
               _("The server sent a line longer than %s bytes"), limit);
}

/* If the line [line, end) (CRLF excluded) ends with a literal announcement,
 * stores its size. Accepts {n}, {n+} and ~{n}. */
static gboolean
line_announces_literal (const guint8 *line,
                        gsize         length,
                        guint64      *size)
{
  gsize i;
  guint64 n = 0;

  if (length < 3 || line[length - 1] != '}')
    return FALSE;
  i = length - 1;
  if (line[i - 1] == '+')
    i--;
  if (i == 0 || !g_ascii_isdigit (line[i - 1]))
    return FALSE;
  while (i > 0 && g_ascii_isdigit (line[i - 1]))
    i--;
  if (i == 0 || line[i - 1] != '{')
    return FALSE;
  for (gsize j = i; g_ascii_isdigit (line[j]); j++)
    {
      if (n > (G_MAXUINT64 - 9) / 10)
        return *size = G_MAXUINT64, TRUE;
      n = n * 10 + (line[j] - '0');
    }
  *size = n;
  return TRUE;
}

/* Advances the framer; returns TRUE when a whole response ends at
 * *response_end. */
static gboolean
frame (BuzonImapParser *self,
       gsize           *response_end,
       GError         **error)
{
  const guint8 *data = self->buffer->data;
  gsize len = self->buffer->len;

  for (;;)
    {
      const guint8 *lf;
      guint64 size;
      gsize line_length;

      if (self->literal_left > 0)
        {
          guint64 take = MIN (self->literal_left, (guint64) (len - self->scan));
          self->scan += take;
          self->literal_left -= take;
          if (self->literal_left > 0)
            return FALSE;
          self->line_start = self->scan;
        }

      lf = self->scan < len ? memchr (data + self->scan, '\n', len - self->scan) : NULL;
      if (lf == NULL)
        {
          self->scan = len;
          if (len - self->line_start > self->limits.max_line)
            return fail_line_too_long (self, error);
          return FALSE;
        }

      self->scan = (lf - data) + 1;
      line_length = (lf - data) - self->line_start;
      if (line_length > self->limits.max_line)
        return fail_line_too_long (self, error);
      if (line_length > 0 && data[self->line_start + line_length - 1] == '\r')
        line_length--;

      if (line_announces_literal (data + self->line_start, line_length, &size))
        {
          if (size > self->limits.max_literal)
            {
              g_autofree char *announced = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
              g_autofree char *limit = g_strdup_printf ("%" G_GSIZE_FORMAT,
                                                        self->limits.max_literal);
              /* Translators: both %s are numbers of bytes. */
              return fail (self, error, BUZON_IMAP_ERROR_LIMIT,
                           _("The server announced a literal of %s bytes, more than the limit "
                             "of %s"),
                           announced, limit);
            }
          /* Many literals in one response (a FETCH of many sections) are
           * bounded together too: the whole response is kept in memory. */
          if (size > self->limits.max_response
              || (self->scan - self->start) + size > self->limits.max_response)
            {
              g_autofree char *limit = g_strdup_printf ("%" G_GSIZE_FORMAT,
                                                        self->limits.max_response);
              /* Translators: %s is a number of bytes. */
              return fail (self, error, BUZON_IMAP_ERROR_LIMIT,
                           _("The server sent a response larger than %s bytes"), limit);
            }
          self->literal_left = size;
          self->line_start = self->scan;
          continue;
        }

      *response_end = self->scan;
      self->line_start = self->scan;
      return TRUE;
    }
}

/* The tokenizer: walks one complete response. */
typedef struct
{
  BuzonImapParser *parser;
  BuzonImapResponse *response;
  const guint8 *start;
  const guint8 *p;
  const guint8 *end; /* After the final LF. */
} Cursor;

static gboolean
at_line_end (Cursor *c)
{
  return c->p >= c->end || *c->p == '\r' || *c->p == '\n';
}

static void
skip_spaces (Cursor *c)
{
  while (c->p < c->end && *c->p == ' ')
    c->p++;
}

/* The bytes that end an atom, or need a look in one ('[' and '<' may
 * start a section or a partial suffix): controls, space, DEL, 8-bit, and
 * ( ) { " [ ] <. And those that end a run of plain text in a quoted string.
 * Tables, since every byte of a response goes past one of them. */
static const guint8 atom_special[256] = {
  [0x00 ... 0x20] = 1, [0x7f ... 0xff] = 1,
  ['('] = 1, [')'] = 1, ['{'] = 1, ['"'] = 1, ['['] = 1, [']'] = 1, ['<'] = 1,
};
static const guint8 quoted_special[256] = { ['"'] = 1, ['\\'] = 1, ['\r'] = 1, ['\n'] = 1 };

static gboolean
is_atom_char (guchar ch)
{
  return ch > 0x20 && ch != 0x7f && ch != '(' && ch != ')' && ch != '{' && ch != '"'
         && ch != '[' && ch != ']';
}

static BuzonImapValue *
new_value (Cursor            *c,
           BuzonImapValueKind kind)
{
  BuzonImapValue *value = _buzon_imap_response_alloc (c->response, sizeof (BuzonImapValue));

  memset (value, 0, sizeof *value);
  value->kind = kind;
  return value;
}

static BuzonImapValue *
new_text_value (Cursor            *c,
                BuzonImapValueKind kind,
                const guint8      *data,
                gsize              length)
{
  BuzonImapValue *value = new_value (c, kind);

  value->length = length;
  value->data = _buzon_imap_response_strndup (c->response, (const char *) data, length);
  return value;
}

static gboolean
syntax_error (Cursor     *c,
              GError    **error,
              const char *what)
{
  g_autofree char *offset = g_strdup_printf ("%" G_GSIZE_FORMAT, (gsize) (c->p - c->start));

  /* Translators: the first %s says what was wrong, the second is a byte offset. */
  return fail (c->parser, error, BUZON_IMAP_ERROR_PARSE,
               _("The server sent a malformed response: %s at byte %s"), what, offset);
}

/* An atom, possibly with a bracketed section and a partial suffix:
 * BODY[HEADER.FIELDS (SUBJECT)]<0>. Inside brackets anything but CR/LF goes. */
static BuzonImapValue *
read_atom (Cursor  *c,
           GError **error)
{
  const guint8 *start = c->p;

  while (c->p < c->end)
    {
      /* The plain run first, a byte at a time through the table. */
      while (c->p < c->end && !atom_special[*c->p])
        c->p++;
      if (c->p >= c->end)
        break;
      if (*c->p == '[')
        {
          while (c->p < c->end && *c->p != ']' && *c->p != '\r' && *c->p != '\n')
            c->p++;
          if (c->p >= c->end || *c->p != ']')
            return syntax_error (c, error, _("an unclosed “[”")), NULL;
          c->p++;
          continue;
        }
      if (*c->p == '<' && c->p > start && c->p[-1] == ']')
        {
          while (c->p < c->end && *c->p != '>' && *c->p != '\r' && *c->p != '\n')
            c->p++;
          if (c->p < c->end && *c->p == '>')
            c->p++;
          continue;
        }
      if (!is_atom_char (*c->p))
        break;
      c->p++;
    }
  if (c->p == start)
    return syntax_error (c, error, _("an unexpected character")), NULL;
  return new_text_value (c, BUZON_IMAP_VALUE_ATOM, start, c->p - start);
}

static BuzonImapValue *
read_quoted (Cursor  *c,
             GError **error)
{
  const guint8 *start = ++c->p; /* After the opening quote. */
  gboolean escapes = FALSE;
  BuzonImapValue *value;
  char *out;

  for (;;)
    {
      while (c->p < c->end && !quoted_special[*c->p])
        c->p++;
      if (c->p >= c->end || *c->p == '\r' || *c->p == '\n')
        return syntax_error (c, error, _("an unterminated quoted string")), NULL;
      if (*c->p == '"')
        break;
      if (*c->p == '\\' && c->p + 1 < c->end && (c->p[1] == '"' || c->p[1] == '\\'))
        {
          escapes = TRUE;
          c->p++;
        }
      c->p++;
    }
  if (!escapes)
    {
      value = new_text_value (c, BUZON_IMAP_VALUE_STRING, start, c->p - start);
      c->p++;
      return value;
    }

  value = new_value (c, BUZON_IMAP_VALUE_STRING);
  value->data = out = _buzon_imap_response_alloc (c->response, c->p - start + 1);
  for (const guint8 *q = start; q < c->p; q++)
    {
      if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
        q++;
      *out++ = *q;
    }
  *out = '\0';
  value->length = out - value->data;
  c->p++;
  return value;
}

static BuzonImapValue *
read_literal (Cursor  *c,
              GError **error)
{
  guint64 size = 0;
  BuzonImapValue *value;

  if (*c->p == '~')
    c->p++;
  c->p++; /* "{" */
  if (c->p >= c->end || !g_ascii_isdigit (*c->p))
    return syntax_error (c, error, _("a literal without a size")), NULL;
  while (c->p < c->end && g_ascii_isdigit (*c->p))
    {
      if (size > c->parser->limits.max_literal)
        break;
      size = size * 10 + (*c->p++ - '0');
    }
  if (c->p < c->end && *c->p == '+')
    c->p++;
  if (c->p >= c->end || *c->p != '}')
    return syntax_error (c, error, _("a malformed literal size")), NULL;
  c->p++;
  if (c->p < c->end && *c->p == '\r')
    c->p++;
  /* The framer checked the size and that the bytes are there. */
  if (c->p >= c->end || *c->p != '\n' || size > (guint64) (c->end - c->p - 1))
    return syntax_error (c, error, _("a literal that does not end its line")), NULL;
  c->p++;
  value = new_text_value (c, BUZON_IMAP_VALUE_STRING, c->p, size);
  value->literal = TRUE;
  c->p += size;
  return value;
}

static BuzonImapValue *read_list (Cursor *c, guint depth, char close, GError **error);

static BuzonImapValue *
read_value (Cursor  *c,
            guint    depth,
            GError **error)
{
  switch (*c->p)
    {
    case '(':
      c->p++;
      return read_list (c, depth + 1, ')', error);
    case '"':
      return read_quoted (c, error);
    case '{':
      return read_literal (c, error);
    case '~':
      if (c->p + 1 < c->end && c->p[1] == '{')
        return read_literal (c, error);
      return read_atom (c, error);
    default:
      {
        BuzonImapValue *value = read_atom (c, error);

        /* NIL in any case; OR-ing in 0x20 lowers these letters and turns
         * nothing else into them. */
        if (value != NULL && value->length == 3 && (value->data[0] | 0x20) == 'n'
            && (value->data[1] | 0x20) == 'i' && (value->data[2] | 0x20) == 'l')
          {
            value->kind = BUZON_IMAP_VALUE_NIL;
            value->data = NULL;
            value->length = 0;
          }
        return value;
      }
    }
}

/* Reads values until @close (or the line's end when @close is 0). */
static BuzonImapValue *
read_list (Cursor  *c,
           guint    depth,
           char     close,
           GError **error)
{
  BuzonImapParser *parser = c->parser;
  guint base = parser->stack_len;
  BuzonImapValue *list;

  if (depth > c->parser->limits.max_depth)
    return fail (c->parser, error, BUZON_IMAP_ERROR_LIMIT,
                 _("The server sent lists nested deeper than %u levels"),
                 c->parser->limits.max_depth),
           NULL;

  for (;;)
    {
      BuzonImapValue *value;

      skip_spaces (c);
      if (close != 0 && c->p < c->end && *c->p == close)
        {
          c->p++;
          break;
        }
      if (at_line_end (c))
        {
          if (close != 0)
            return syntax_error (c, error, _("an unclosed “(”")), NULL;
          break;
        }
      if (*c->p == ')' || *c->p == ']')
        return syntax_error (c, error, _("an unexpected closing bracket")), NULL;
      value = read_value (c, depth, error);
      if (value == NULL)
        return NULL;
      if (G_UNLIKELY (parser->stack_len == parser->stack_size))
        {
          parser->stack_size = MAX (64, parser->stack_size * 2);
          parser->stack = g_renew (BuzonImapValue *, parser->stack, parser->stack_size);
        }
      parser->stack[parser->stack_len++] = value;
    }

  list = new_value (c, BUZON_IMAP_VALUE_LIST);
  list->length = parser->stack_len - base;
  if (list->length > 0)
    {
      list->items = _buzon_imap_response_alloc (c->response,
                                                list->length * sizeof (BuzonImapValue *));
      memcpy (list->items, parser->stack + base, list->length * sizeof (BuzonImapValue *));
      parser->stack_len = base;
    }
  return list;
}

static char *
copy_upper (Cursor       *c,
            const guint8 *data,
            gsize         length)
{
  char *copy = _buzon_imap_response_strndup (c->response, (const char *) data, length);

  for (char *p = copy; *p != '\0'; p++)
    *p = g_ascii_toupper (*p);
  return copy;
}

/* The rest of the line as text; a line may not contain literals here. */
static char *
read_text (Cursor *c)
{
  const guint8 *start;

  skip_spaces (c);
  start = c->p;
  while (!at_line_end (c))
    c->p++;
  return _buzon_imap_response_strndup (c->response, (const char *) start, c->p - start);
}

static gboolean
parse_status_tail (Cursor             *c,
                   BuzonImapResponse  *response,
                   GError            **error)
{
  skip_spaces (c);
  if (c->p < c->end && *c->p == '[')
    {
      const guint8 *name;

      c->p++;
      name = c->p;
      while (c->p < c->end && is_atom_char (*c->p))
        c->p++;
      if (c->p == name)
        return syntax_error (c, error, _("an empty response code"));
      response->code = copy_upper (c, name, c->p - name);
      response->code_args = read_list (c, 1, ']', error);
      if (response->code_args == NULL)
        return FALSE;
      if (response->code_args->length == 0)
        response->code_args = NULL;
    }
  response->text = read_text (c);
  return TRUE;
}

static BuzonImapStatus
status_from_atom (const char *atom)
{
  static const struct
  {
    const char *name;
    BuzonImapStatus status;
  } statuses[] = {
    { "OK", BUZON_IMAP_STATUS_OK },           { "NO", BUZON_IMAP_STATUS_NO },
    { "BAD", BUZON_IMAP_STATUS_BAD },         { "PREAUTH", BUZON_IMAP_STATUS_PREAUTH },
    { "BYE", BUZON_IMAP_STATUS_BYE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (g_ascii_strcasecmp (atom, statuses[i].name) == 0)
      return statuses[i].status;
  return BUZON_IMAP_STATUS_NONE;
}

/* Reads an atom that names something (a status, a data keyword, a tag). */
static char *
read_word (Cursor *c)
{
  const guint8 *start;

  skip_spaces (c);
  start = c->p;
  while (c->p < c->end && is_atom_char (*c->p))
    c->p++;
  return c->p > start ? _buzon_imap_response_strndup (c->response, (const char *) start,
                                                      c->p - start)
                      : NULL;
}

static BuzonImapResponse *
tokenize (BuzonImapParser *self,
          const guint8    *data,
          gsize            length,
          GError         **error)
{
  g_autoptr (BuzonImapResponse) response = _buzon_imap_response_new ();
  Cursor c = { self, response, data, data, data + length };
  char *word;

  self->stack_len = 0;

  if (*c.p == '+')
    {
      c.p++;
      response->kind = BUZON_IMAP_RESPONSE_CONTINUATION;
      response->text = read_text (&c);
      return g_steal_pointer (&response);
    }

  if (*c.p == '*' && c.p + 1 < c.end && c.p[1] == ' ')
    {
      c.p++;
      response->kind = BUZON_IMAP_RESPONSE_UNTAGGED;
    }
  else
    {
      response->kind = BUZON_IMAP_RESPONSE_TAGGED;
      response->tag = read_word (&c);
      if (response->tag == NULL)
        return syntax_error (&c, error, _("a response without a tag")), NULL;
    }

  word = read_word (&c);
  if (word == NULL)
    return syntax_error (&c, error, _("a response without a status or data")), NULL;

  if (response->kind == BUZON_IMAP_RESPONSE_UNTAGGED && g_ascii_isdigit (word[0]))
    {
      guint64 number;
      if (!g_ascii_string_to_unsigned (word, 10, 0, G_MAXUINT32, &number, NULL))
        return syntax_error (&c, error, _("a message number out of range")), NULL;
      response->number = (gint64) number;
      word = read_word (&c);
      if (word == NULL)
        return syntax_error (&c, error, _("a message number without data")), NULL;
    }

  response->status = response->number < 0 ? status_from_atom (word) : BUZON_IMAP_STATUS_NONE;
  if (response->kind == BUZON_IMAP_RESPONSE_TAGGED
      && (response->status == BUZON_IMAP_STATUS_NONE
          || response->status == BUZON_IMAP_STATUS_PREAUTH
          || response->status == BUZON_IMAP_STATUS_BYE))
    return syntax_error (&c, error, _("a tagged response that is not OK, NO or BAD")), NULL;

  if (response->status != BUZON_IMAP_STATUS_NONE)
    {
      if (!parse_status_tail (&c, response, error))
        return NULL;
    }
  else
    {
      response->keyword = copy_upper (&c, (const guint8 *) word, strlen (word));
      response->values = read_list (&c, 0, 0, error);
      if (response->values == NULL)
        return NULL;
    }

  skip_spaces (&c);
  if (c.p < c.end && *c.p == '\r')
    c.p++;
  if (c.p >= c.end || *c.p != '\n' || c.p + 1 != c.end)
    return syntax_error (&c, error, _("trailing bytes after the response")), NULL;
  return g_steal_pointer (&response);
}

/**
 * buzon_imap_parser_next:
 * @error: a #BUZON_IMAP_ERROR when the bytes are not a valid response or
 *   exceed a limit
 *
 * Returns: (transfer full) (nullable): the next complete response, or %NULL
 *   with @error unset when more bytes are needed. After an error every call
 *   fails with the same error.
 */
BuzonImapResponse *
buzon_imap_parser_next (BuzonImapParser *self,
                        GError         **error)
{
  BuzonImapResponse *response;
  gsize end = 0;

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return NULL;
    }
  if (!frame (self, &end, error))
    return NULL;

  response = tokenize (self, self->buffer->data + self->start, end - self->start, error);
  self->start = end;
  return response;
}
