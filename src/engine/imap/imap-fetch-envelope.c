// Envelopes and their addresses: decoding the ENVELOPE item of a FETCH (and
// the envelope embedded in a message/rfc822 body part), and their functions.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "imap-fetch-private.h"

void
buzon_imap_address_free (BuzonImapAddress *self)
{
  /* The strings are in the same allocation. */
  g_free (self);
}

gboolean
buzon_imap_address_is_group_start (const BuzonImapAddress *self)
{
  return self->host == NULL && self->mailbox != NULL;
}

gboolean
buzon_imap_address_is_group_end (const BuzonImapAddress *self)
{
  return self->host == NULL && self->mailbox == NULL;
}

void
buzon_imap_envelope_free (BuzonImapEnvelope *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->from, g_ptr_array_unref);
  g_clear_pointer (&self->sender, g_ptr_array_unref);
  g_clear_pointer (&self->reply_to, g_ptr_array_unref);
  g_clear_pointer (&self->to, g_ptr_array_unref);
  g_clear_pointer (&self->cc, g_ptr_array_unref);
  g_clear_pointer (&self->bcc, g_ptr_array_unref);
  g_free (self);
}

static BuzonImapAddress *
parse_address (const BuzonImapValue *value)
{
  g_autoptr (BuzonImapAddress) address = NULL;
  BuzonImapFetchStrings strings;

  if (!_buzon_imap_fetch_is_list (value) || value->length != 4)
    return NULL;
  address = _buzon_imap_fetch_alloc_with_strings (sizeof *address,
                                                  _buzon_imap_fetch_strings_size (value),
                                                  &strings);
  if (!_buzon_imap_fetch_get_nstring (&strings, value->items[0], &address->name)
      || !_buzon_imap_fetch_get_nstring (&strings, value->items[1], &address->adl)
      || !_buzon_imap_fetch_get_nstring (&strings, value->items[2], &address->mailbox)
      || !_buzon_imap_fetch_get_nstring (&strings, value->items[3], &address->host))
    return NULL;
  return g_steal_pointer (&address);
}

/* NIL, or a list of addresses; an empty list is taken as NIL. */
static gboolean
parse_address_list (const BuzonImapValue *value,
                    GPtrArray           **out)
{
  g_autoptr (GPtrArray) addresses = NULL;

  *out = NULL;
  if (_buzon_imap_fetch_is_nil (value))
    return TRUE;
  if (!_buzon_imap_fetch_is_list (value))
    return FALSE;
  if (value->length == 0)
    return TRUE;
  addresses = g_ptr_array_new_full (value->length, (GDestroyNotify) buzon_imap_address_free);
  for (gsize i = 0; i < value->length; i++)
    {
      BuzonImapAddress *address = parse_address (value->items[i]);
      if (address == NULL)
        return FALSE;
      g_ptr_array_add (addresses, address);
    }
  *out = g_steal_pointer (&addresses);
  return TRUE;
}

/* RFC 3501 envelope: ten fields. Extra fields are ignored. */
BuzonImapEnvelope *
_buzon_imap_fetch_parse_envelope (const BuzonImapValue *value)
{
  g_autoptr (BuzonImapEnvelope) envelope = NULL;
  const BuzonImapValue *const *v;
  BuzonImapFetchStrings strings;

  if (!_buzon_imap_fetch_is_list (value) || value->length < 10)
    return NULL;
  envelope = _buzon_imap_fetch_alloc_with_strings (sizeof *envelope,
                                                   _buzon_imap_fetch_strings_size (value),
                                                   &strings);
  v = (const BuzonImapValue *const *) value->items;
  if (!_buzon_imap_fetch_get_nstring (&strings, v[0], &envelope->date)
      || !_buzon_imap_fetch_get_nstring (&strings, v[1], &envelope->subject)
      || !parse_address_list (v[2], &envelope->from)
      || !parse_address_list (v[3], &envelope->sender)
      || !parse_address_list (v[4], &envelope->reply_to)
      || !parse_address_list (v[5], &envelope->to) || !parse_address_list (v[6], &envelope->cc)
      || !parse_address_list (v[7], &envelope->bcc)
      || !_buzon_imap_fetch_get_nstring (&strings, v[8], &envelope->in_reply_to)
      || !_buzon_imap_fetch_get_nstring (&strings, v[9], &envelope->message_id))
    return NULL;
  return g_steal_pointer (&envelope);
}
