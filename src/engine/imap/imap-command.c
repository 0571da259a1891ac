// A client command being built and its serialization into the bytes sent
// to the server, literals included (RFC 3501, RFC 7888, RFC 3516).
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Arguments are written into a line as they are added; a literal closes the
// text before it into a part. The literal mode is only known when the command
// is sent (it depends on the server's capabilities), so the literal headers
// "{n}" and "{n+}" and the split into chunks happen in
// buzon_imap_command_serialize(). Whatever comes from the user goes through
// add_string(), add_astring(), add_mailbox() or add_literal(), which quote it
// or send it as a literal: no bytes of it can end the command line early.
// The other adders take syntax written by the program and refuse CR, LF and
// anything else that does not belong there.

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap-command.h"
#include "imap-utf7.h"

/* Longest string sent quoted; longer ones go as literals. */
#define MAX_QUOTED 1024
/* LITERAL- (RFC 7888): the largest literal that may be non-synchronizing. */
#define LITERAL_MINUS_MAX 4096

typedef struct
{
  char *text; /* The line before the literal. */
  GBytes *literal;
  gboolean binary;
} Part;

struct _BuzonImapCommand
{
  char *name;
  GString *line;    /* What was added since the last literal. */
  GArray *parts;    /* Part: the text before each literal and the literal. */
  gboolean utf8;
  guint depth;      /* Lists opened and not yet closed. */
  gboolean at_open; /* The line ends with "(": no space before the next argument. */
  gboolean sensitive; /* Holds a password: wiped when freed. */
};

static void
clear_part (gpointer data)
{
  Part *part = data;

  g_free (part->text);
  g_bytes_unref (part->literal);
}

static gboolean
is_atom_char (guchar ch)
{
  return ch > 0x20 && ch < 0x7f && strchr ("(){%*\"\\]", ch) == NULL;
}

static gboolean
is_atom (const char *data,
         gsize       length)
{
  if (length == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!is_atom_char (data[i]))
      return FALSE;
  return TRUE;
}

/* Atoms separated by single spaces, as in "UID FETCH". */
static gboolean
is_command_name (const char *name)
{
  const char *word = name;

  for (const char *p = name;; p++)
    {
      if (*p == ' ' || *p == '\0')
        {
          if (!is_atom (word, p - word))
            return FALSE;
          if (*p == '\0')
            return TRUE;
          word = p + 1;
        }
    }
}

/**
 * buzon_imap_command_new:
 * @name: the command, one or more atoms separated by single spaces, such as
 *   "LOGIN" or "UID FETCH"
 *
 * Returns: (transfer full): a command with no arguments; free it with
 *   buzon_imap_command_free().
 */
BuzonImapCommand *
buzon_imap_command_new (const char *name)
{
  BuzonImapCommand *self;

  g_return_val_if_fail (name != NULL && is_command_name (name), NULL);

  self = g_new0 (BuzonImapCommand, 1);
  self->name = g_strdup (name);
  self->line = g_string_new (NULL);
  self->parts = g_array_new (FALSE, FALSE, sizeof (Part));
  g_array_set_clear_func (self->parts, clear_part);
  return self;
}

void
buzon_imap_command_free (BuzonImapCommand *self)
{
  if (self == NULL)
    return;
  if (self->sensitive)
    {
      explicit_bzero (self->line->str, self->line->allocated_len);
      for (guint i = 0; i < self->parts->len; i++)
        {
          Part *part = &g_array_index (self->parts, Part, i);
          gsize size = 0;
          gpointer data = part->literal != NULL
                            ? (gpointer) g_bytes_get_data (part->literal, &size) : NULL;

          if (part->text != NULL)
            explicit_bzero (part->text, strlen (part->text));
          if (data != NULL)
            explicit_bzero (data, size);
        }
    }
  g_free (self->name);
  g_string_free (self->line, TRUE);
  g_array_unref (self->parts);
  g_free (self);
}

/**
 * buzon_imap_command_set_sensitive:
 *
 * Marks a command that will hold a secret (LOGIN's password): its buffers
 * are wiped when it is freed. Call it before adding the secret, which must
 * be added with buzon_imap_command_add_string() or add_astring() (they copy
 * it); the line is made large enough up front that the secret is never
 * left behind in a buffer outgrown and freed unwiped.
 */
void
buzon_imap_command_set_sensitive (BuzonImapCommand *self)
{
  gsize length;

  g_return_if_fail (self != NULL);

  self->sensitive = TRUE;
  length = self->line->len;
  g_string_set_size (self->line, MAX (length, 2048));
  g_string_truncate (self->line, length);
}

/**
 * buzon_imap_command_set_utf8:
 * @utf8: whether the server accepted ENABLE UTF8=ACCEPT (RFC 6855)
 *
 * With UTF-8 on, strings in valid UTF-8 may be sent quoted and mailbox names
 * go in UTF-8 rather than modified UTF-7. It applies to the arguments added
 * after the call.
 */
void
buzon_imap_command_set_utf8 (BuzonImapCommand *self,
                             gboolean          utf8)
{
  g_return_if_fail (self != NULL);

  self->utf8 = !!utf8;
}

/* Starts a new argument: a space unless it is the first in a list. */
static void
separate (BuzonImapCommand *self)
{
  if (!self->at_open)
    g_string_append_c (self->line, ' ');
  self->at_open = FALSE;
}

/**
 * buzon_imap_flag_is_valid:
 * @flag: a system flag such as "\\Seen" or a keyword such as "$Label1"
 *
 * Whether @flag can be sent as a flag: an atom, optionally after one
 * backslash. Use it on flags that come from users or from other servers
 * before buzon_imap_command_add_atom().
 */
gboolean
buzon_imap_flag_is_valid (const char *flag)
{
  gsize length;

  if (flag == NULL)
    return FALSE;
  length = strlen (flag);
  if (flag[0] == '\\')
    return length > 1 && is_atom (flag + 1, length - 1);
  return is_atom (flag, length);
}

/**
 * buzon_imap_command_add_atom:
 * @atom: an atom such as "INBOX.Sent" or "$Forwarded", or a system flag such
 *   as "\\Seen"
 *
 * Programming errors, not user data: an empty @atom or one with characters
 * that atoms may not hold is refused with a critical warning.
 */
void
buzon_imap_command_add_atom (BuzonImapCommand *self,
                             const char       *atom)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (atom != NULL);
  g_return_if_fail (is_atom (atom[0] == '\\' ? atom + 1 : atom,
                             strlen (atom) - (atom[0] == '\\')));

  separate (self);
  g_string_append (self->line, atom);
}

/**
 * buzon_imap_command_add_raw:
 * @text: syntax written by the program, such as "(UID FLAGS)" or "1:*";
 *   printable ASCII only
 *
 * Never pass user data: @text goes into the command line unchanged. CR, LF
 * and other bytes outside printable ASCII are refused with a critical warning.
 */
void
buzon_imap_command_add_raw (BuzonImapCommand *self,
                            const char       *text)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (text != NULL && text[0] != '\0');
  for (const char *p = text; *p != '\0'; p++)
    g_return_if_fail (*p >= 0x20 && *p <= 0x7e);

  separate (self);
  g_string_append (self->line, text);
}

void
buzon_imap_command_add_number (BuzonImapCommand *self,
                               guint64           number)
{
  g_return_if_fail (self != NULL);

  separate (self);
  g_string_append_printf (self->line, "%" G_GUINT64_FORMAT, number);
}

static gboolean
can_quote (BuzonImapCommand *self,
           const char       *data,
           gsize             length)
{
  gboolean eight_bit = FALSE;

  if (length > MAX_QUOTED)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      guchar ch = data[i];

      if (ch >= 0x80)
        eight_bit = TRUE;
      else if (ch < 0x20 || ch == 0x7f)
        return FALSE;
    }
  return !eight_bit || (self->utf8 && g_utf8_validate_len (data, length, NULL));
}

static void
add_literal_bytes (BuzonImapCommand *self,
                   GBytes           *data,
                   gboolean          binary)
{
  Part part;

  separate (self);
  part.text = g_strndup (self->line->str, self->line->len);
  part.literal = g_bytes_ref (data);
  part.binary = !!binary;
  g_array_append_val (self->parts, part);
  g_string_truncate (self->line, 0);
}

/**
 * buzon_imap_command_add_string:
 * @data: the bytes of the string, such as a password or a search term
 * @length: bytes in @data, or -1 if it is NUL-terminated
 *
 * Sends @data quoted when it is short printable ASCII (or valid UTF-8, with
 * buzon_imap_command_set_utf8()), with '"' and '\\' escaped, and as a
 * literal otherwise: CR, LF, other control bytes and 8-bit bytes never reach
 * the command line. A literal may not carry NUL bytes (RFC 3501 CHAR8), so a
 * string holding one still reaches the server intact but the server is
 * expected to refuse it.
 */
void
buzon_imap_command_add_string (BuzonImapCommand *self,
                               const char       *data,
                               gssize            length)
{
  gsize size;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || length == 0);

  size = length < 0 ? strlen (data) : (gsize) length;
  if (can_quote (self, data, size))
    {
      separate (self);
      g_string_append_c (self->line, '"');
      for (gsize i = 0; i < size; i++)
        {
          if (data[i] == '"' || data[i] == '\\')
            g_string_append_c (self->line, '\\');
          g_string_append_c (self->line, data[i]);
        }
      g_string_append_c (self->line, '"');
    }
  else
    {
      g_autoptr (GBytes) bytes = g_bytes_new (data, size);

      add_literal_bytes (self, bytes, FALSE);
    }
}

/**
 * buzon_imap_command_add_astring:
 * @data: the bytes of the string, such as a user name
 * @length: bytes in @data, or -1 if it is NUL-terminated
 *
 * Sends @data as an atom when it is one (and is not "NIL", which the server
 * would read as no string), and as buzon_imap_command_add_string() does
 * otherwise.
 */
void
buzon_imap_command_add_astring (BuzonImapCommand *self,
                                const char       *data,
                                gssize            length)
{
  gsize size;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || length == 0);

  size = length < 0 ? strlen (data) : (gsize) length;
  if (is_atom (data, size) && !(size == 3 && g_ascii_strncasecmp (data, "NIL", 3) == 0))
    {
      separate (self);
      g_string_append_len (self->line, data, size);
    }
  else
    buzon_imap_command_add_string (self, data, size);
}

/**
 * buzon_imap_command_add_mailbox:
 * @utf8_name: a mailbox name in valid UTF-8
 *
 * Sends INBOX, in any case, as "INBOX". Other names are encoded in modified
 * UTF-7, unless buzon_imap_command_set_utf8() turned UTF-8 on, and sent as
 * buzon_imap_command_add_astring() does.
 */
void
buzon_imap_command_add_mailbox (BuzonImapCommand *self,
                                const char       *utf8_name)
{
  g_autofree char *encoded = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (utf8_name != NULL && g_utf8_validate (utf8_name, -1, NULL));

  if (g_ascii_strcasecmp (utf8_name, "INBOX") == 0)
    {
      separate (self);
      g_string_append (self->line, "INBOX");
      return;
    }
  encoded = self->utf8 ? g_strdup (utf8_name) : buzon_imap_utf7_encode (utf8_name);
  buzon_imap_command_add_astring (self, encoded, -1);
}

static int
compare_uids (const void *a,
              const void *b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

/**
 * buzon_imap_sequence_set_to_string:
 * @uids: (array length=n): UIDs or sequence numbers in any order; duplicates
 *   and zeroes are ignored
 * @n: the number of @uids
 *
 * Returns: (transfer full) (nullable): the shortest sequence set of ranges
 *   and single numbers, in ascending order, such as "1:3,5,7:9"; %NULL when
 *   @uids holds no number other than zero.
 */
char *
buzon_imap_sequence_set_to_string (const guint32 *uids,
                                   gsize          n)
{
  g_autofree guint32 *sorted = NULL;
  GString *out;
  gsize i = 0;

  g_return_val_if_fail (uids != NULL || n == 0, NULL);

  if (n == 0)
    return NULL;
  sorted = g_memdup2 (uids, n * sizeof *uids);
  qsort (sorted, n, sizeof *sorted, compare_uids);
  while (i < n && sorted[i] == 0)
    i++;
  if (i == n)
    return NULL;

  out = g_string_new (NULL);
  while (i < n)
    {
      guint32 first = sorted[i];
      guint32 last = first;

      for (i++; i < n && (guint64) sorted[i] <= (guint64) last + 1; i++)
        last = sorted[i];
      if (out->len > 0)
        g_string_append_c (out, ',');
      if (first == last)
        g_string_append_printf (out, "%u", first);
      else
        g_string_append_printf (out, "%u:%u", first, last);
    }
  return g_string_free (out, FALSE);
}

/**
 * buzon_imap_command_add_sequence_set:
 * @uids: (array length=n): UIDs or sequence numbers, as for
 *   buzon_imap_sequence_set_to_string()
 * @n: the number of @uids
 *
 * There is no empty sequence set in IMAP: callers must not build a command
 * for no messages, and @uids without a number other than zero is refused with
 * a critical warning.
 */
void
buzon_imap_command_add_sequence_set (BuzonImapCommand *self,
                                     const guint32    *uids,
                                     gsize             n)
{
  g_autofree char *set = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (uids != NULL && n > 0);

  set = buzon_imap_sequence_set_to_string (uids, n);
  g_return_if_fail (set != NULL);
  separate (self);
  g_string_append (self->line, set);
}

/**
 * buzon_imap_command_add_literal:
 * @data: the bytes to send, such as a message for APPEND; the command takes
 *   a reference
 * @binary: %TRUE for a literal8 ("~{n}", RFC 3516), which may hold NUL bytes
 *   and is only allowed where the server announced BINARY
 */
void
buzon_imap_command_add_literal (BuzonImapCommand *self,
                                GBytes           *data,
                                gboolean          binary)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL);

  add_literal_bytes (self, data, binary);
}

/* Opens a parenthesised list: the arguments added until
 * buzon_imap_command_end_list() go inside it. */
void
buzon_imap_command_begin_list (BuzonImapCommand *self)
{
  g_return_if_fail (self != NULL);

  separate (self);
  g_string_append_c (self->line, '(');
  self->depth++;
  self->at_open = TRUE;
}

void
buzon_imap_command_end_list (BuzonImapCommand *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->depth > 0);

  g_string_append_c (self->line, ')');
  self->depth--;
  self->at_open = FALSE;
}

static gboolean
is_tag (const char *tag)
{
  return tag != NULL && is_atom (tag, strlen (tag)) && strchr (tag, '+') == NULL;
}

static void
append_string (GByteArray *chunk,
               const char *text)
{
  g_byte_array_append (chunk, (const guint8 *) text, strlen (text));
}

/**
 * buzon_imap_command_serialize:
 * @tag: the command's tag, an atom without "+", such as "a12"
 * @mode: how literals are sent, after the server's capabilities
 *
 * The command can be serialized again, with another tag or mode, to resend
 * it. Every list opened must have been closed.
 *
 * Returns: (transfer full) (element-type GBytes): the bytes to send, in
 *   chunks. Send the first at once; each further one only after the server
 *   answers the one before with a continuation request ("+"). The last chunk
 *   ends with CRLF. With %BUZON_IMAP_LITERAL_PLUS there is always one chunk.
 */
GPtrArray *
buzon_imap_command_serialize (BuzonImapCommand    *self,
                              const char          *tag,
                              BuzonImapLiteralMode mode)
{
  g_autoptr (GPtrArray) chunks = NULL;
  GByteArray *chunk;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (is_tag (tag), NULL);
  g_return_val_if_fail (mode == BUZON_IMAP_LITERAL_SYNC || mode == BUZON_IMAP_LITERAL_PLUS
                          || mode == BUZON_IMAP_LITERAL_MINUS,
                        NULL);
  g_return_val_if_fail (self->depth == 0, NULL);

  chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  chunk = g_byte_array_new ();
  append_string (chunk, tag);
  append_string (chunk, " ");
  append_string (chunk, self->name);

  for (guint i = 0; i < self->parts->len; i++)
    {
      const Part *part = &g_array_index (self->parts, Part, i);
      gsize size = 0;
      gconstpointer data = g_bytes_get_data (part->literal, &size);
      gboolean sync = mode == BUZON_IMAP_LITERAL_SYNC
                      || (mode == BUZON_IMAP_LITERAL_MINUS && size > LITERAL_MINUS_MAX);
      g_autofree char *header = g_strdup_printf ("%s{%" G_GSIZE_FORMAT "%s}\r\n",
                                                 part->binary ? "~" : "", size,
                                                 sync ? "" : "+");

      append_string (chunk, part->text);
      append_string (chunk, header);
      if (sync)
        {
          g_ptr_array_add (chunks, g_byte_array_free_to_bytes (chunk));
          chunk = g_byte_array_sized_new (size + self->line->len + 2);
        }
      if (size > 0)
        g_byte_array_append (chunk, data, size);
    }

  g_byte_array_append (chunk, (const guint8 *) self->line->str, self->line->len);
  append_string (chunk, "\r\n");
  g_ptr_array_add (chunks, g_byte_array_free_to_bytes (chunk));
  return g_steal_pointer (&chunks);
}
