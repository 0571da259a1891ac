// Decoding untagged FETCH responses into typed data: the entry point, the
// items, flags, dates and body sections, and the helpers the decoder's other
// files share. Envelopes are decoded in imap-fetch-envelope.c, body
// structures in imap-fetch-body.c.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Servers get FETCH wrong in the field: Exchange sends a string where a body
// disposition list belongs, GMX and Apple send "multipart" as a single part
// with a size, Office 365 sends parts without a type, SmarterMail negative
// sizes, mail.ru NIL parameter values. One bad item must not cost the user the
// whole message, so the decoder works item by item: a malformed item is left
// out (its bit stays clear in `present`) and a warning says why, and only a
// response that is not FETCH data at all, or whose UID is unusable, fails.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap-error.h"
#include "imap-fetch-private.h"

void
buzon_imap_fetch_section_free (BuzonImapFetchSection *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->data, g_bytes_unref);
  g_free (self);
}

void
buzon_imap_fetch_free (BuzonImapFetch *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->flags);
  g_clear_pointer (&self->internaldate, g_date_time_unref);
  buzon_imap_envelope_free (self->envelope);
  buzon_imap_body_part_free (self->body);
  g_ptr_array_unref (self->sections);
  g_strfreev (self->x_gm_labels);
  g_free (self->emailid);
  g_free (self->threadid);
  g_free (self->preview);
  g_ptr_array_unref (self->warnings);
  g_free (self);
}

/* The first section fetched as @section (compared without regard to case),
 * or NULL. */
const BuzonImapFetchSection *
buzon_imap_fetch_get_section (const BuzonImapFetch *self,
                              gboolean              binary,
                              const char           *section)
{
  for (guint i = 0; i < self->sections->len; i++)
    {
      const BuzonImapFetchSection *s = self->sections->pdata[i];
      if (!s->binary == !binary && g_ascii_strcasecmp (s->section, section) == 0)
        return s;
    }
  return NULL;
}

/* Decoding. The helpers below serve imap-fetch-envelope.c and
 * imap-fetch-body.c too; the smallest are inline in imap-fetch-private.h. */

/* Adds a line to @self->warnings. */
void
_buzon_imap_fetch_warn (BuzonImapFetch *self,
                        const char     *format,
                        ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (self->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Room for a copy of every string among @value's items, and of the first
 * item of each list among them (a body disposition's name). */
gsize
_buzon_imap_fetch_strings_size (const BuzonImapValue *value)
{
  gsize size = 0;

  for (gsize i = 0; i < value->length; i++)
    {
      const BuzonImapValue *item = value->items[i];

      if (item->kind == BUZON_IMAP_VALUE_LIST && item->length > 0)
        item = item->items[0];
      if (item->kind == BUZON_IMAP_VALUE_ATOM || item->kind == BUZON_IMAP_VALUE_STRING)
        size += item->length + 1;
    }
  return size;
}

/* A NUL-terminated copy of @length bytes of @text: in @strings, or in an
 * allocation of its own when @strings is NULL. */
char *
_buzon_imap_fetch_copy_string (BuzonImapFetchStrings *strings,
                               const char            *text,
                               gsize                  length)
{
  char *copy;

  if (strings == NULL)
    return g_strndup (text, length);
  /* Running out would mean _buzon_imap_fetch_strings_size() missed a value. */
  g_assert (length < (gsize) (strings->end - strings->next));
  copy = strings->next;
  memcpy (copy, text, length);
  copy[length] = '\0';
  strings->next += length + 1;
  return copy;
}

/* A lower-case copy (see _buzon_imap_fetch_copy_string()) of a string or
 * atom; NULL for anything else. */
char *
_buzon_imap_fetch_copy_lower (BuzonImapFetchStrings *strings,
                              const BuzonImapValue  *value)
{
  const char *text;
  gsize length;
  char *copy;

  text = buzon_imap_value_get_string (value, &length);
  if (text == NULL)
    return NULL;
  copy = _buzon_imap_fetch_copy_string (strings, text, length);
  for (char *p = copy; *p != '\0'; p++)
    if (g_ascii_isupper (*p))
      *p += 'a' - 'A';
  return copy;
}

/* A list of strings (flags, labels, languages) as a GStrv; NULL if an item is
 * not a string. */
GStrv
_buzon_imap_fetch_get_string_list (const BuzonImapValue *value)
{
  GStrv list;

  if (!_buzon_imap_fetch_is_list (value))
    return NULL;
  list = g_new0 (char *, value->length + 1);
  for (gsize i = 0; i < value->length; i++)
    {
      const char *text;
      gsize length;

      text = buzon_imap_value_get_string (value->items[i], &length);
      if (text == NULL)
        {
          g_strfreev (list);
          return NULL;
        }
      list[i] = g_strndup (text, length);
    }
  return list;
}

/* Dates. */

/* A time zone for @offset seconds east of UTC. GLib parses a zone's
 * identifier whenever one is made, and forgets the zone when the last date
 * using it is freed: without this cache every INTERNALDATE of a first sync
 * would build its zone again. Real offsets are whole quarter hours, and each
 * is made once and kept for the life of the process. */
static GTimeZone *
ref_zone (int offset)
{
  static GTimeZone *zones[2 * 24 * 4 + 1];
  GTimeZone *zone;
  guint slot;

  if (offset % (15 * 60) != 0 || ABS (offset) > 24 * 3600)
    return g_time_zone_new_offset (offset);
  slot = offset / (15 * 60) + 24 * 4;
  zone = g_atomic_pointer_get (&zones[slot]);
  if (zone == NULL)
    {
      zone = g_time_zone_new_offset (offset);
      /* Another thread may have made it meanwhile; keep one. */
      if (!g_atomic_pointer_compare_and_exchange (&zones[slot], NULL, zone))
        {
          g_time_zone_unref (zone);
          zone = g_atomic_pointer_get (&zones[slot]);
        }
    }
  return g_time_zone_ref (zone);
}

/* "17-Jul-1996 02:44:25 -0700"; the day may be " 7", "7" or "07". */
static GDateTime *
parse_internaldate (const char *text)
{
  static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
  g_autoptr (GTimeZone) zone = NULL;
  const char *p = text;
  int day = 0, month = 0, year = 0, hour, minute, second, offset, sign;

  if (text == NULL)
    return NULL;
  while (*p == ' ')
    p++;
  for (int n = 0; n < 2 && g_ascii_isdigit (*p); n++)
    day = day * 10 + (*p++ - '0');
  if (day == 0 || *p++ != '-')
    return NULL;
  for (int m = 0; m < 12 && month == 0; m++)
    if (g_ascii_strncasecmp (p, months + m * 3, 3) == 0)
      month = m + 1;
  if (month == 0 || p[3] != '-')
    return NULL;
  p += 4;
  for (int n = 0; n < 4; n++, p++)
    {
      if (!g_ascii_isdigit (*p))
        return NULL;
      year = year * 10 + (*p - '0');
    }
  /* " hh:mm:ss +zzzz" */
  if (strlen (p) < 15 || p[0] != ' ' || p[3] != ':' || p[6] != ':' || p[9] != ' '
      || (p[10] != '+' && p[10] != '-'))
    return NULL;
  for (int k = 1; k < 15; k++)
    if (k != 3 && k != 6 && k != 9 && k != 10 && !g_ascii_isdigit (p[k]))
      return NULL;
  hour = (p[1] - '0') * 10 + (p[2] - '0');
  minute = (p[4] - '0') * 10 + (p[5] - '0');
  second = (p[7] - '0') * 10 + (p[8] - '0');
  sign = p[10] == '-' ? -1 : 1;
  offset = ((p[11] - '0') * 10 + (p[12] - '0')) * 3600 + ((p[13] - '0') * 10 + (p[14] - '0')) * 60;
  if (p[15] != '\0' || offset > 24 * 3600)
    return NULL;
  zone = ref_zone (sign * offset);
  /* g_date_time_new() checks the ranges (day 31 of February and so on). */
  return g_date_time_new (zone, year, month, day, hour, minute, second);
}

/* The items. */

static gboolean
decode_section (BuzonImapFetch       *self,
                const char           *name,
                const BuzonImapValue *value)
{
  g_autoptr (BuzonImapFetchSection) section = NULL;
  const char *open = strchr (name, '[');
  const char *close = strrchr (name, ']');
  const char *data;
  gsize length = 0;
  BuzonImapFetchStrings strings;

  /* The section text is part of @name, or shorter than it. */
  section = _buzon_imap_fetch_alloc_with_strings (sizeof *section, strlen (name) + 1, &strings);
  section->origin = -1;
  if (open != NULL)
    {
      if (close == NULL || close < open)
        return FALSE;
      section->binary = g_ascii_strncasecmp (name, "BINARY[", 7) == 0;
      section->section = _buzon_imap_fetch_copy_string (&strings, open + 1, close - open - 1);
      if (close[1] == '<')
        {
          const char *end = strchr (close, '>');
          g_autofree char *digits = NULL;
          guint64 origin;

          if (end == NULL || end[1] != '\0')
            return FALSE;
          digits = g_strndup (close + 2, end - close - 2);
          if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT64, &origin, NULL))
            return FALSE;
          section->origin = (gint64) origin;
        }
      else if (close[1] != '\0')
        return FALSE;
    }
  else if (g_ascii_strcasecmp (name, "RFC822") == 0)
    section->section = _buzon_imap_fetch_copy_string (&strings, "", 0);
  else if (g_ascii_strcasecmp (name, "RFC822.HEADER") == 0)
    section->section = _buzon_imap_fetch_copy_string (&strings, "HEADER", strlen ("HEADER"));
  else
    section->section = _buzon_imap_fetch_copy_string (&strings, "TEXT", strlen ("TEXT"));

  if (!_buzon_imap_fetch_is_nil (value))
    {
      data = buzon_imap_value_get_string (value, &length);
      if (data == NULL)
        return FALSE;
      section->data = g_bytes_new (data, length);
    }
  g_ptr_array_add (self->sections, g_steal_pointer (&section));
  self->present |= BUZON_IMAP_FETCH_SECTIONS;
  return TRUE;
}

/* A list holding one value, as in MODSEQ (n) and EMAILID (id); a bare value
 * is accepted too. */
static const BuzonImapValue *
unwrap (const BuzonImapValue *value)
{
  if (_buzon_imap_fetch_is_list (value))
    return value->length == 1 ? value->items[0] : NULL;
  return value;
}

typedef enum
{
  ITEM_OTHER,
  ITEM_UID,
  ITEM_FLAGS,
  ITEM_INTERNALDATE,
  ITEM_RFC822_SIZE,
  ITEM_MODSEQ,
  ITEM_ENVELOPE,
  ITEM_BODY,
  ITEM_BODYSTRUCTURE,
  ITEM_SECTION,
  ITEM_X_GM_MSGID,
  ITEM_X_GM_THRID,
  ITEM_X_GM_LABELS,
  ITEM_EMAILID,
  ITEM_THREADID,
  ITEM_PREVIEW,
} Item;

/* Which item @name (@length bytes) is, in any case. Every item of every
 * message comes through here, so a name is compared in full only with the
 * names of its length that start with its letter. */
static Item
lookup_item (const char *name,
             gsize       length)
{
#define ITEM(name, item) { name, sizeof name - 1, item }
  static const struct
  {
    const char *name;
    gsize length;
    Item item;
  } items[] = {
    ITEM ("UID", ITEM_UID),
    ITEM ("FLAGS", ITEM_FLAGS),
    ITEM ("INTERNALDATE", ITEM_INTERNALDATE),
    ITEM ("RFC822.SIZE", ITEM_RFC822_SIZE),
    ITEM ("MODSEQ", ITEM_MODSEQ),
    ITEM ("ENVELOPE", ITEM_ENVELOPE),
    ITEM ("BODY", ITEM_BODY),
    ITEM ("BODYSTRUCTURE", ITEM_BODYSTRUCTURE),
    ITEM ("RFC822", ITEM_SECTION),
    ITEM ("RFC822.HEADER", ITEM_SECTION),
    ITEM ("RFC822.TEXT", ITEM_SECTION),
    ITEM ("X-GM-MSGID", ITEM_X_GM_MSGID),
    ITEM ("X-GM-THRID", ITEM_X_GM_THRID),
    ITEM ("X-GM-LABELS", ITEM_X_GM_LABELS),
    ITEM ("EMAILID", ITEM_EMAILID),
    ITEM ("THREADID", ITEM_THREADID),
    ITEM ("PREVIEW", ITEM_PREVIEW),
    ITEM ("SNIPPET", ITEM_PREVIEW),
  };
#undef ITEM
  char first = g_ascii_toupper (name[0]);

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    if (items[i].length == length && items[i].name[0] == first
        && (memcmp (name, items[i].name, length) == 0 /* As servers send them. */
            || g_ascii_strncasecmp (name, items[i].name, length) == 0))
      return items[i].item;
  if (g_ascii_strncasecmp (name, "BODY[", 5) == 0 || g_ascii_strncasecmp (name, "BINARY[", 7) == 0)
    return ITEM_SECTION;
  return ITEM_OTHER;
}

/* Decodes one item other than UID; FALSE when it is malformed. */
static gboolean
decode_item (BuzonImapFetch       *self,
             Item                  item,
             const char           *name,
             const BuzonImapValue *value)
{
  const char *text;
  gsize length;

  switch (item)
    {
    case ITEM_FLAGS:
      g_strfreev (self->flags);
      self->flags = _buzon_imap_fetch_get_string_list (value);
      if (self->flags == NULL)
        return FALSE;
      self->present |= BUZON_IMAP_FETCH_FLAGS;
      break;
    case ITEM_INTERNALDATE:
      g_clear_pointer (&self->internaldate, g_date_time_unref);
      self->internaldate = parse_internaldate (buzon_imap_value_get_string (value, NULL));
      if (self->internaldate == NULL)
        return FALSE;
      self->present |= BUZON_IMAP_FETCH_INTERNALDATE;
      break;
    case ITEM_RFC822_SIZE:
      if (!buzon_imap_value_get_number (value, &self->rfc822_size))
        return FALSE;
      self->present |= BUZON_IMAP_FETCH_RFC822_SIZE;
      break;
    case ITEM_MODSEQ:
      if (!buzon_imap_value_get_number (unwrap (value), &self->modseq))
        return FALSE;
      self->present |= BUZON_IMAP_FETCH_MODSEQ;
      break;
    case ITEM_ENVELOPE:
      {
        BuzonImapEnvelope *envelope = _buzon_imap_fetch_parse_envelope (value);
        if (envelope == NULL)
          return FALSE;
        buzon_imap_envelope_free (self->envelope);
        self->envelope = envelope;
        self->present |= BUZON_IMAP_FETCH_ENVELOPE;
      }
      break;
    case ITEM_BODY:
    case ITEM_BODYSTRUCTURE:
      return _buzon_imap_fetch_decode_body (self, name, value, item == ITEM_BODYSTRUCTURE);
    case ITEM_SECTION:
      return decode_section (self, name, value);
    case ITEM_X_GM_MSGID:
      if (!buzon_imap_value_get_number (value, &self->x_gm_msgid))
        return FALSE;
      self->present |= BUZON_IMAP_FETCH_X_GM_MSGID;
      break;
    case ITEM_X_GM_THRID:
      if (!buzon_imap_value_get_number (value, &self->x_gm_thrid))
        return FALSE;
      self->present |= BUZON_IMAP_FETCH_X_GM_THRID;
      break;
    case ITEM_X_GM_LABELS:
      g_strfreev (self->x_gm_labels);
      self->x_gm_labels = _buzon_imap_fetch_get_string_list (value);
      if (self->x_gm_labels == NULL)
        return FALSE;
      self->present |= BUZON_IMAP_FETCH_X_GM_LABELS;
      break;
    case ITEM_EMAILID:
      text = buzon_imap_value_get_string (unwrap (value), &length);
      if (text == NULL)
        return FALSE;
      g_free (self->emailid);
      self->emailid = g_strndup (text, length);
      self->present |= BUZON_IMAP_FETCH_EMAILID;
      break;
    case ITEM_THREADID:
      g_clear_pointer (&self->threadid, g_free);
      if (!_buzon_imap_fetch_is_nil (value)
          && !_buzon_imap_fetch_get_nstring (NULL, unwrap (value), &self->threadid))
        return FALSE;
      self->present |= BUZON_IMAP_FETCH_THREADID;
      break;
    case ITEM_PREVIEW:
      /* RFC 8970 sends an nstring; the drafts Dovecot implemented as
       * SNIPPET sent (FUZZY "text"). */
      if (_buzon_imap_fetch_is_list (value) && value->length == 2)
        value = value->items[1];
      g_clear_pointer (&self->preview, g_free);
      if (!_buzon_imap_fetch_get_nstring (NULL, value, &self->preview))
        return FALSE;
      self->present |= BUZON_IMAP_FETCH_PREVIEW;
      break;
    case ITEM_OTHER:
      /* BINARY.SIZE, SAVEDATE and extensions we do not know are skipped
       * with their value. */
      break;
    case ITEM_UID:
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static gboolean
fail (GError    **error,
      const char *message)
{
  g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE, message);
  return FALSE;
}

/**
 * buzon_imap_fetch_decode:
 * @response: an untagged FETCH response
 * @error: %BUZON_IMAP_ERROR_PARSE when @response is not FETCH data, or its
 *   UID item has no usable value
 *
 * Decodes every item of @response. Malformed items are left out of
 * #BuzonImapFetch.present and described in #BuzonImapFetch.warnings; unknown
 * items are skipped. A FETCH without UID is valid (flag updates the server
 * sends on its own) and decodes with %BUZON_IMAP_FETCH_UID unset.
 *
 * Returns: (transfer full) (nullable): the decoded data, which owns copies of
 *   everything and outlives @response
 */
BuzonImapFetch *
buzon_imap_fetch_decode (const BuzonImapResponse *response,
                         GError                 **error)
{
  g_autoptr (BuzonImapFetch) self = NULL;
  const BuzonImapValue *items;

  if (response->kind != BUZON_IMAP_RESPONSE_UNTAGGED || g_strcmp0 (response->keyword, "FETCH") != 0
      || response->number < 1 || response->number > G_MAXUINT32)
    return fail (error, _("The server sent a response that is not FETCH data")), NULL;
  items = buzon_imap_value_get_item (response->values, 0);
  if (!_buzon_imap_fetch_is_list (items) || response->values->length != 1)
    return fail (error, _("The server sent FETCH data that is not a list of items")), NULL;

  self = g_new0 (BuzonImapFetch, 1);
  self->seq = (guint32) response->number;
  self->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_fetch_section_free);
  self->warnings = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < items->length; i += 2)
    {
      const BuzonImapValue *value = i + 1 < items->length ? items->items[i + 1] : NULL;
      const char *name;
      Item item;

      if (items->items[i]->kind != BUZON_IMAP_VALUE_ATOM)
        {
          /* Without a name the pairing of names and values is lost. */
          _buzon_imap_fetch_warn (
            self, "FETCH item %" G_GSIZE_FORMAT " has no name; the rest was ignored", i / 2 + 1);
          break;
        }
      name = items->items[i]->data;
      item = lookup_item (name, items->items[i]->length);
      if (item == ITEM_UID)
        {
          guint64 uid;
          if (!buzon_imap_value_get_number (value, &uid) || uid == 0 || uid > G_MAXUINT32)
            return fail (error, _("The server sent FETCH data with an invalid UID")), NULL;
          self->uid = (guint32) uid;
          self->present |= BUZON_IMAP_FETCH_UID;
          continue;
        }
      if (value == NULL)
        {
          _buzon_imap_fetch_warn (self, "%s has no value", name);
          break;
        }
      if (!decode_item (self, item, name, value))
        _buzon_imap_fetch_warn (self, "%s left out: malformed value", name);
    }
  return g_steal_pointer (&self);
}
