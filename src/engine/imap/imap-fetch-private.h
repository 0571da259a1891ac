// The inside of the FETCH decoder, shared by its files: imap-fetch.c (the
// entry point, the items, flags, dates and sections, and the helpers below),
// imap-fetch-envelope.c (envelopes and addresses) and imap-fetch-body.c (BODY
// and BODYSTRUCTURE).
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <string.h>

#include "imap-fetch.h"

G_BEGIN_DECLS

/* Objects with their strings. An address, an envelope, a body part and a
 * section each hold a few short strings, and a first sync decodes hundreds of
 * thousands of them: one allocation per object instead of one per string
 * saves a quarter of the decoder's calls to malloc and free. The strings are
 * copied into the tail of the object's allocation, whose room was counted
 * beforehand from the values they come from. */
typedef struct
{
  char *next; /* Where the next string goes. */
  char *end;
} BuzonImapFetchStrings;

/* In imap-fetch.c: the helpers every file of the decoder uses. */
void                   _buzon_imap_fetch_warn               (BuzonImapFetch        *self,
                                                             const char            *format,
                                                             ...) G_GNUC_PRINTF (2, 3);
gsize                  _buzon_imap_fetch_strings_size       (const BuzonImapValue  *value);
char                  *_buzon_imap_fetch_copy_string        (BuzonImapFetchStrings *strings,
                                                             const char            *text,
                                                             gsize                  length);
char                  *_buzon_imap_fetch_copy_lower         (BuzonImapFetchStrings *strings,
                                                             const BuzonImapValue  *value);
GStrv                  _buzon_imap_fetch_get_string_list    (const BuzonImapValue  *value);

/* In imap-fetch-envelope.c. */
BuzonImapEnvelope     *_buzon_imap_fetch_parse_envelope     (const BuzonImapValue  *value);

/* In imap-fetch-body.c. */
gboolean               _buzon_imap_fetch_decode_body        (BuzonImapFetch        *self,
                                                             const char            *name,
                                                             const BuzonImapValue  *value,
                                                             gboolean               extended);

/* The decoder calls these four for nearly every value of every message, so
 * they are defined here, where the compiler can inline them: as calls into
 * imap-fetch.c they added about 3% to the instructions of a decode. */
static inline gboolean
_buzon_imap_fetch_is_nil (const BuzonImapValue *value)
{
  return value != NULL && value->kind == BUZON_IMAP_VALUE_NIL;
}

static inline gboolean
_buzon_imap_fetch_is_list (const BuzonImapValue *value)
{
  return value != NULL && value->kind == BUZON_IMAP_VALUE_LIST;
}

/* A zeroed object of @size bytes followed by room for @room bytes of
 * strings; free it with g_free(). */
static inline gpointer
_buzon_imap_fetch_alloc_with_strings (gsize                  size,
                                      gsize                  room,
                                      BuzonImapFetchStrings *strings)
{
  char *block = g_malloc (size + room);

  memset (block, 0, size);
  strings->next = block + size;
  strings->end = strings->next + room;
  return block;
}

/* An nstring (atoms accepted too): TRUE with *out NULL for NIL, TRUE with a
 * copy (see _buzon_imap_fetch_copy_string()) for a string, FALSE for a list
 * or a missing value. */
static inline gboolean
_buzon_imap_fetch_get_nstring (BuzonImapFetchStrings *strings,
                               const BuzonImapValue  *value,
                               char                 **out)
{
  const char *text;
  gsize length;

  *out = NULL;
  if (_buzon_imap_fetch_is_nil (value))
    return TRUE;
  text = buzon_imap_value_get_string (value, &length);
  if (text == NULL)
    return FALSE;
  *out = _buzon_imap_fetch_copy_string (strings, text, length);
  return TRUE;
}

G_END_DECLS
