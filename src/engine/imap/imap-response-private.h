// Building responses: for the parser only.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <string.h>

#include "imap-response.h"

G_BEGIN_DECLS

/* A response's arena: chunks that its values, strings and lists are cut
 * from, newest first. */
struct _BuzonImapArena
{
  BuzonImapArena *next;
  gsize used;
  gsize size;
  char data[];
};

BuzonImapResponse *_buzon_imap_response_new         (void);
gpointer           _buzon_imap_response_alloc_chunk (BuzonImapResponse *self,
                                                     gsize              size);
char              *_buzon_imap_response_strndup     (BuzonImapResponse *self,
                                                     const char        *data,
                                                     gsize              length);

/* @size bytes of the response's arena, 8-aligned, freed with it. Inline:
 * the parser asks for a hundred pieces for each message a header fetch
 * brings, and nearly all fit in the current chunk. */
static inline gpointer
_buzon_imap_response_alloc (BuzonImapResponse *self,
                            gsize              size)
{
  BuzonImapArena *chunk = self->arena;
  gpointer result;

  size = (size + 7) & ~(gsize) 7;
  if (G_UNLIKELY (chunk == NULL || chunk->size - chunk->used < size))
    return _buzon_imap_response_alloc_chunk (self, size);
  result = chunk->data + chunk->used;
  chunk->used += size;
  return result;
}

G_END_DECLS
