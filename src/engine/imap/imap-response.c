// Server responses and the values inside them.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "imap-response-private.h"

/* Chunks grow with the response: small responses take one small block, a
 * FETCH with a literal takes one block the literal's size. */
#define ARENA_MIN_CHUNK 4096

/* The slow half of _buzon_imap_response_alloc(): a new chunk, twice the
 * last one's size (up to a MiB), or as large as @size needs. */
gpointer
_buzon_imap_response_alloc_chunk (BuzonImapResponse *self,
                                  gsize              size)
{
  BuzonImapArena *chunk = self->arena;
  gsize want = MAX (size, chunk != NULL ? MIN (chunk->size * 2, 1024 * 1024) : ARENA_MIN_CHUNK);

  chunk = g_malloc (sizeof (BuzonImapArena) + want);
  chunk->size = want;
  chunk->used = size;
  chunk->next = self->arena;
  self->arena = chunk;
  return chunk->data;
}

char *
_buzon_imap_response_strndup (BuzonImapResponse *self,
                              const char        *data,
                              gsize              length)
{
  char *copy = _buzon_imap_response_alloc (self, length + 1);

  memcpy (copy, data, length);
  copy[length] = '\0';
  return copy;
}

BuzonImapResponse *
_buzon_imap_response_new (void)
{
  BuzonImapResponse *self = g_new0 (BuzonImapResponse, 1);

  self->number = -1;
  return self;
}

void
buzon_imap_response_free (BuzonImapResponse *self)
{
  if (self == NULL)
    return;
  while (self->arena != NULL)
    {
      BuzonImapArena *next = self->arena->next;
      g_free (self->arena);
      self->arena = next;
    }
  g_free (self);
}

/* Case-insensitive, as IMAP atoms are. */
gboolean
buzon_imap_value_is_atom (const BuzonImapValue *value,
                          const char           *atom)
{
  return value != NULL && value->kind == BUZON_IMAP_VALUE_ATOM
         && g_ascii_strcasecmp (value->data, atom) == 0;
}

/* A number (RFC 3501 number / number64): digits only, no sign, fits 63 bits. */
gboolean
buzon_imap_value_get_number (const BuzonImapValue *value,
                             guint64              *number)
{
  guint64 n = 0;

  if (value == NULL || value->kind != BUZON_IMAP_VALUE_ATOM || value->length == 0)
    return FALSE;
  /* By hand: a first sync reads several numbers per message, and
   * g_ascii_string_to_unsigned() costs more than the rest of this. */
  for (gsize i = 0; i < value->length; i++)
    {
      guint digit;

      if (!g_ascii_isdigit (value->data[i]))
        return FALSE;
      digit = value->data[i] - '0';
      if (n > (G_MAXINT64 - digit) / 10)
        return FALSE;
      n = n * 10 + digit;
    }
  *number = n;
  return TRUE;
}

/**
 * buzon_imap_value_get_string:
 *
 * Returns: the bytes of a STRING or ATOM (an astring), or %NULL for NIL, a
 *   list or a missing value. Strings may contain NUL bytes: use @length.
 */
const char *
buzon_imap_value_get_string (const BuzonImapValue *value,
                             gsize                *length)
{
  if (value == NULL || (value->kind != BUZON_IMAP_VALUE_STRING
                        && value->kind != BUZON_IMAP_VALUE_ATOM))
    return NULL;
  if (length != NULL)
    *length = value->length;
  return value->data;
}

const BuzonImapValue *
buzon_imap_value_get_item (const BuzonImapValue *value,
                           gsize                 index)
{
  if (value == NULL || value->kind != BUZON_IMAP_VALUE_LIST || index >= value->length)
    return NULL;
  return value->items[index];
}

/* Writes @value in a canonical IMAP-like form: strings quoted, with bytes
 * outside printable ASCII escaped as \xNN so that the result is one line. */
void
buzon_imap_value_append_to (const BuzonImapValue *value,
                            GString              *out)
{
  switch (value->kind)
    {
    case BUZON_IMAP_VALUE_ATOM:
      g_string_append_len (out, value->data, value->length);
      break;
    case BUZON_IMAP_VALUE_NIL:
      g_string_append (out, "NIL");
      break;
    case BUZON_IMAP_VALUE_STRING:
      g_string_append_c (out, '"');
      for (gsize i = 0; i < value->length; i++)
        {
          guchar c = value->data[i];
          if (c == '"' || c == '\\')
            g_string_append_printf (out, "\\%c", c);
          else if (c < 0x20 || c >= 0x7f)
            g_string_append_printf (out, "\\x%02x", c);
          else
            g_string_append_c (out, c);
        }
      g_string_append_c (out, '"');
      break;
    case BUZON_IMAP_VALUE_LIST:
      g_string_append_c (out, '(');
      for (gsize i = 0; i < value->length; i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          buzon_imap_value_append_to (value->items[i], out);
        }
      g_string_append_c (out, ')');
      break;
    default:
      g_assert_not_reached ();
    }
}

static const char *
status_name (BuzonImapStatus status)
{
  static const char *names[] = { "", "OK", "NO", "BAD", "PREAUTH", "BYE" };
  return names[status];
}

/* A canonical one-line form, for tests and debug logs. */
char *
buzon_imap_response_to_string (const BuzonImapResponse *self)
{
  GString *out = g_string_new (NULL);

  switch (self->kind)
    {
    case BUZON_IMAP_RESPONSE_CONTINUATION:
      g_string_append_printf (out, "+ %s", self->text);
      return g_string_free (out, FALSE);
    case BUZON_IMAP_RESPONSE_TAGGED:
      g_string_append (out, self->tag);
      break;
    case BUZON_IMAP_RESPONSE_UNTAGGED:
      g_string_append_c (out, '*');
      break;
    default:
      g_assert_not_reached ();
    }

  if (self->status != BUZON_IMAP_STATUS_NONE)
    {
      g_string_append_printf (out, " %s", status_name (self->status));
      if (self->code != NULL)
        {
          g_string_append_printf (out, " [%s", self->code);
          if (self->code_args != NULL)
            {
              g_string_append_c (out, ' ');
              buzon_imap_value_append_to (self->code_args, out);
            }
          g_string_append_c (out, ']');
        }
      g_string_append_printf (out, " %s", self->text);
      return g_string_free (out, FALSE);
    }

  if (self->number >= 0)
    g_string_append_printf (out, " %" G_GINT64_FORMAT, self->number);
  g_string_append_printf (out, " %s", self->keyword);
  if (self->values != NULL && self->values->length > 0)
    {
      g_string_append_c (out, ' ');
      buzon_imap_value_append_to (self->values, out);
    }
  return g_string_free (out, FALSE);
}
