// Decoding untagged FETCH responses into typed data.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Servers get FETCH wrong in the field: Exchange sends a string where a body
// disposition list belongs, GMX and Apple send "multipart" as a single part
// with a size, Office 365 sends parts without a type, SmarterMail negative
// sizes, mail.ru NIL parameter values. One bad item must not cost the user the
// whole message, so the decoder works item by item: a malformed item is left
// out (its bit stays clear in `present`) and a warning says why, and only a
// response that is not FETCH data at all, or whose UID is unusable, fails.
//
// Within a body structure the rule is the same one level down. Anything that
// decides the shape of the tree or a part's identity (type, subtype, the
// body fields, text lines, the embedded message of message/rfc822) must be
// right, or the whole BODYSTRUCTURE is left out: a guessed tree would give
// wrong part numbers, and the store can fall back to the raw message.
// Extension data (md5, disposition, language, location) is optional in the
// grammar, so a malformed field there is dropped with the fields after it, as
// if the server had not sent them, and the tree is kept. Upper-case names,
// missing and extra extension data are all legal and accepted silently.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap-error.h"
#include "imap-fetch.h"

/* Real mail nests a handful of levels; the parser bounds list nesting too,
 * but its limit is configurable, so the decoder keeps its own. */
#define BODY_MAX_DEPTH 40

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

void
buzon_imap_body_part_free (BuzonImapBodyPart *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->params, g_hash_table_unref);
  g_clear_pointer (&self->disposition_params, g_hash_table_unref);
  g_strfreev (self->language);
  g_clear_pointer (&self->children, g_ptr_array_unref);
  buzon_imap_envelope_free (self->envelope);
  buzon_imap_body_part_free (self->body);
  g_free (self);
}

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

gboolean
buzon_imap_body_part_is_multipart (const BuzonImapBodyPart *self)
{
  return self->children != NULL;
}

/**
 * buzon_imap_body_part_get_section:
 *
 * The IMAP part number of @self, for BODY[…] and BINARY[…]: "" for a
 * multipart at the top of a message, "1" for a message's only part, "2.1" for
 * the first part of a multipart that is the second part of its parent. The
 * multipart body of a message/rfc822 part has no number of its own and gets
 * the number of the message part (RFC 3501, 6.4.5).
 *
 * Returns: (transfer full): the part number
 */
char *
buzon_imap_body_part_get_section (const BuzonImapBodyPart *self)
{
  g_autofree char *above = NULL;

  if (self->parent == NULL)
    return g_strdup (buzon_imap_body_part_is_multipart (self) ? "" : "1");

  above = buzon_imap_body_part_get_section (self->parent);
  if (self->parent->body == self)
    {
      /* The body of an embedded message. */
      if (buzon_imap_body_part_is_multipart (self))
        return g_steal_pointer (&above);
      return g_strconcat (above, ".1", NULL);
    }
  if (above[0] == '\0')
    return g_strdup_printf ("%u", self->index + 1);
  return g_strdup_printf ("%s.%u", above, self->index + 1);
}

/* The part whose number is @section, searching @self and below. */
const BuzonImapBodyPart *
buzon_imap_body_part_find (const BuzonImapBodyPart *self,
                           const char              *section)
{
  g_autofree char *mine = buzon_imap_body_part_get_section (self);

  /* A multipart body of a message shares its number with the message part;
   * the message part is found first, which is what a fetch of that number
   * returns. */
  if (g_strcmp0 (mine, section) == 0)
    return self;
  if (self->children != NULL)
    for (guint i = 0; i < self->children->len; i++)
      {
        const BuzonImapBodyPart *found = buzon_imap_body_part_find (self->children->pdata[i],
                                                                    section);
        if (found != NULL)
          return found;
      }
  if (self->body != NULL)
    return buzon_imap_body_part_find (self->body, section);
  return NULL;
}

static const char *
lookup_param (GHashTable *params,
              const char *name)
{
  g_autofree char *lower = NULL;

  if (params == NULL)
    return NULL;
  lower = g_ascii_strdown (name, -1);
  return g_hash_table_lookup (params, lower);
}

/* A Content-Type parameter, by name in any case; NULL when absent. */
const char *
buzon_imap_body_part_get_param (const BuzonImapBodyPart *self,
                                const char              *name)
{
  return lookup_param (self->params, name);
}

/* A Content-Disposition parameter, by name in any case; NULL when absent. */
const char *
buzon_imap_body_part_get_disposition_param (const BuzonImapBodyPart *self,
                                            const char              *name)
{
  return lookup_param (self->disposition_params, name);
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

/* Decoding. */

static void
warn (BuzonImapFetch *self,
      const char     *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
warn (BuzonImapFetch *self,
      const char     *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (self->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

static gboolean
is_nil (const BuzonImapValue *value)
{
  return value != NULL && value->kind == BUZON_IMAP_VALUE_NIL;
}

static gboolean
is_list (const BuzonImapValue *value)
{
  return value != NULL && value->kind == BUZON_IMAP_VALUE_LIST;
}

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
} Strings;

/* Room for a copy of every string among @value's items, and of the first
 * item of each list among them (a body disposition's name). */
static gsize
strings_size (const BuzonImapValue *value)
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

/* A zeroed object of @size bytes followed by room for @room bytes of
 * strings; free it with g_free(). */
static gpointer
alloc_with_strings (gsize    size,
                    gsize    room,
                    Strings *strings)
{
  char *block = g_malloc (size + room);

  memset (block, 0, size);
  strings->next = block + size;
  strings->end = strings->next + room;
  return block;
}

/* A NUL-terminated copy of @length bytes of @text: in @strings, or in an
 * allocation of its own when @strings is NULL. */
static char *
copy_string (Strings    *strings,
             const char *text,
             gsize       length)
{
  char *copy;

  if (strings == NULL)
    return g_strndup (text, length);
  /* Running out would mean strings_size() missed a value. */
  g_assert (length < (gsize) (strings->end - strings->next));
  copy = strings->next;
  memcpy (copy, text, length);
  copy[length] = '\0';
  strings->next += length + 1;
  return copy;
}

/* An nstring (atoms accepted too): TRUE with *out NULL for NIL, TRUE with a
 * copy (see copy_string()) for a string, FALSE for a list or a missing
 * value. */
static gboolean
get_nstring (Strings              *strings,
             const BuzonImapValue *value,
             char                **out)
{
  const char *text;
  gsize length;

  *out = NULL;
  if (is_nil (value))
    return TRUE;
  text = buzon_imap_value_get_string (value, &length);
  if (text == NULL)
    return FALSE;
  *out = copy_string (strings, text, length);
  return TRUE;
}

/* A lower-case copy (see copy_string()) of a string or atom; NULL for
 * anything else. */
static char *
copy_lower (Strings              *strings,
            const BuzonImapValue *value)
{
  const char *text;
  gsize length;
  char *copy;

  text = buzon_imap_value_get_string (value, &length);
  if (text == NULL)
    return NULL;
  copy = copy_string (strings, text, length);
  for (char *p = copy; *p != '\0'; p++)
    if (g_ascii_isupper (*p))
      *p += 'a' - 'A';
  return copy;
}

/* A list of strings (flags, labels, languages) as a GStrv; NULL if an item is
 * not a string. */
static GStrv
get_string_list (const BuzonImapValue *value)
{
  GStrv list;

  if (!is_list (value))
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

static BuzonImapAddress *
parse_address (const BuzonImapValue *value)
{
  g_autoptr (BuzonImapAddress) address = NULL;
  Strings strings;

  if (!is_list (value) || value->length != 4)
    return NULL;
  address = alloc_with_strings (sizeof *address, strings_size (value), &strings);
  if (!get_nstring (&strings, value->items[0], &address->name)
      || !get_nstring (&strings, value->items[1], &address->adl)
      || !get_nstring (&strings, value->items[2], &address->mailbox)
      || !get_nstring (&strings, value->items[3], &address->host))
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
  if (is_nil (value))
    return TRUE;
  if (!is_list (value))
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
static BuzonImapEnvelope *
parse_envelope (const BuzonImapValue *value)
{
  g_autoptr (BuzonImapEnvelope) envelope = NULL;
  const BuzonImapValue *const *v;
  Strings strings;

  if (!is_list (value) || value->length < 10)
    return NULL;
  envelope = alloc_with_strings (sizeof *envelope, strings_size (value), &strings);
  v = (const BuzonImapValue *const *) value->items;
  if (!get_nstring (&strings, v[0], &envelope->date)
      || !get_nstring (&strings, v[1], &envelope->subject)
      || !parse_address_list (v[2], &envelope->from)
      || !parse_address_list (v[3], &envelope->sender)
      || !parse_address_list (v[4], &envelope->reply_to)
      || !parse_address_list (v[5], &envelope->to) || !parse_address_list (v[6], &envelope->cc)
      || !parse_address_list (v[7], &envelope->bcc)
      || !get_nstring (&strings, v[8], &envelope->in_reply_to)
      || !get_nstring (&strings, v[9], &envelope->message_id))
    return NULL;
  return g_steal_pointer (&envelope);
}

/* Body structures. */

typedef struct
{
  BuzonImapFetch *fetch;
  const char *item; /* "BODYSTRUCTURE" or "BODY", for warnings. */
  GString *path;    /* The number of the part being read, for warnings. */
  char *why;        /* Why the structure was rejected. */
} BodyContext;

static BuzonImapBodyPart *
reject (BodyContext *ctx,
        const char  *format,
        ...) G_GNUC_PRINTF (2, 3);

static BuzonImapBodyPart *
reject (BodyContext *ctx,
        const char  *format,
        ...)
{
  va_list args;

  if (ctx->why == NULL)
    {
      va_start (args, format);
      ctx->why = g_strdup_vprintf (format, args);
      va_end (args);
    }
  return NULL;
}

/* The part being read, for warnings. */
static const char *
part_name (BodyContext *ctx)
{
  return ctx->path->len > 0 ? ctx->path->str : "(top)";
}

/* Makes ctx->path the number of child @number of the part being read ("2"
 * at the top, "2.1" below) and returns the length to truncate it back to.
 * Numbers are written by hand because this runs for every part of every
 * message, and printf would cost more than the rest of the part. */
static gsize
enter_part (BodyContext *ctx,
            gsize        number)
{
  gsize above = ctx->path->len;
  char digits[20];
  guint n = 0;

  if (above > 0)
    g_string_append_c (ctx->path, '.');
  do
    digits[n++] = '0' + number % 10;
  while ((number /= 10) > 0);
  while (n > 0)
    g_string_append_c (ctx->path, digits[--n]);
  return above;
}

/* A parameter list: NIL, or name/value pairs. A NIL name or value (mail.ru
 * sends boundary NIL) drops that pair with a warning. */
static gboolean
parse_params (BodyContext          *ctx,
              const BuzonImapValue *value,
              GHashTable          **out)
{
  g_autoptr (GHashTable) params = NULL;

  *out = NULL;
  if (is_nil (value))
    return TRUE;
  if (!is_list (value) || value->length % 2 != 0)
    return FALSE;
  for (gsize i = 0; i + 1 < value->length; i += 2)
    {
      char *name = copy_lower (NULL, value->items[i]);
      const char *text;
      gsize length;

      text = buzon_imap_value_get_string (value->items[i + 1], &length);
      if (name == NULL || text == NULL)
        {
          if (is_list (value->items[i]) || is_list (value->items[i + 1]))
            {
              g_free (name);
              return FALSE;
            }
          warn (ctx->fetch, "%s part %s: a parameter with NIL for its %s was left out",
                ctx->item, part_name (ctx), name == NULL ? "name" : "value");
          g_free (name);
          continue;
        }
      if (params == NULL)
        params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      /* The first of duplicate names wins, as in MIME parsers. */
      if (g_hash_table_contains (params, name))
        g_free (name);
      else
        g_hash_table_insert (params, name, g_strndup (text, length));
    }
  *out = g_steal_pointer (&params);
  return TRUE;
}

/* Extension data from @v->items[@i] on: for a single part md5, disposition,
 * language, location; for a multipart parameters, disposition, language,
 * location. Anything after is a future extension and ignored. */
static void
parse_extension (BodyContext          *ctx,
                 BuzonImapBodyPart    *part,
                 Strings              *strings,
                 const BuzonImapValue *v,
                 gsize                 i)
{
  enum { MD5, PARAMS, DISPOSITION, LANGUAGE, LOCATION, DONE } field;
  static const char *names[] = { "md5", "parameters", "disposition", "language", "location" };

  field = buzon_imap_body_part_is_multipart (part) ? PARAMS : MD5;
  for (; i < v->length && field != DONE; i++, field = field == MD5 ? DISPOSITION : field + 1)
    {
      const BuzonImapValue *item = v->items[i];
      gboolean ok = TRUE;

      switch (field)
        {
        case MD5:
          ok = get_nstring (strings, item, &part->md5);
          break;
        case PARAMS:
          ok = parse_params (ctx, item, &part->params);
          break;
        case DISPOSITION:
          if (is_nil (item))
            break;
          ok = is_list (item) && item->length >= 1
               && (part->disposition = copy_lower (strings, item->items[0])) != NULL
               && (item->length < 2
                   || parse_params (ctx, item->items[1], &part->disposition_params));
          if (!ok)
            part->disposition = NULL; /* Its copy stays in the part's allocation. */
          break;
        case LANGUAGE:
          if (is_nil (item))
            break;
          if (is_list (item))
            ok = (part->language = get_string_list (item)) != NULL;
          else if (buzon_imap_value_get_string (item, NULL) != NULL)
            {
              part->language = g_new0 (char *, 2);
              part->language[0] = g_strndup (item->data, item->length);
            }
          else
            ok = FALSE;
          break;
        case LOCATION:
          ok = get_nstring (strings, item, &part->location);
          break;
        case DONE:
        default:
          g_assert_not_reached ();
        }
      if (!ok)
        {
          warn (ctx->fetch, "%s part %s: malformed %s; extension data from there on ignored",
                ctx->item, part_name (ctx), names[field]);
          return;
        }
    }
}

static BuzonImapBodyPart *parse_body (BodyContext          *ctx,
                                      const BuzonImapValue *v,
                                      BuzonImapBodyPart    *parent,
                                      guint                 index,
                                      guint                 depth);

static gboolean
get_size (const BuzonImapValue *value,
          guint64              *out)
{
  return buzon_imap_value_get_number (value, out);
}

static BuzonImapBodyPart *
parse_multipart (BodyContext          *ctx,
                 const BuzonImapValue *v,
                 BuzonImapBodyPart    *part,
                 Strings              *strings,
                 guint                 depth)
{
  g_autoptr (BuzonImapBodyPart) owned = part;
  gsize i = 0;

  part->lines = -1;
  part->type = copy_string (strings, "multipart", strlen ("multipart"));
  part->children = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_body_part_free);
  for (; i < v->length && is_list (v->items[i]); i++)
    {
      gsize above = enter_part (ctx, i + 1);
      BuzonImapBodyPart *child = parse_body (ctx, v->items[i], part, i, depth + 1);

      g_string_truncate (ctx->path, above);
      if (child == NULL)
        return NULL;
      g_ptr_array_add (part->children, child);
    }
  part->subtype = copy_lower (strings, i < v->length ? v->items[i] : NULL);
  if (part->subtype == NULL)
    return reject (ctx, "multipart %s has no subtype", part_name (ctx));
  parse_extension (ctx, part, strings, v, i + 1);
  return g_steal_pointer (&owned);
}

static BuzonImapBodyPart *
parse_single (BodyContext          *ctx,
              const BuzonImapValue *v,
              BuzonImapBodyPart    *part,
              Strings              *strings,
              guint                 depth)
{
  g_autoptr (BuzonImapBodyPart) owned = part;
  gsize next = 7;

  part->lines = -1;
  part->type = copy_lower (strings, v->items[0]);
  if (part->type == NULL)
    return reject (ctx, "part %s has no media type", part_name (ctx));
  part->subtype = copy_lower (strings, v->length > 1 ? v->items[1] : NULL);
  if (part->subtype == NULL)
    return reject (ctx, "part %s (%s) has no subtype", part_name (ctx), part->type);
  if (v->length < 7)
    return reject (ctx, "part %s (%s/%s) has %" G_GSIZE_FORMAT " fields, fewer than 7",
                   part_name (ctx), part->type, part->subtype, v->length);
  if (strcmp (part->type, "multipart") == 0)
    return reject (ctx, "part %s is a multipart without parts", part_name (ctx));
  if (!parse_params (ctx, v->items[2], &part->params))
    return reject (ctx, "part %s has malformed parameters", part_name (ctx));
  if (!get_nstring (strings, v->items[3], &part->id)
      || !get_nstring (strings, v->items[4], &part->description))
    return reject (ctx, "part %s has a malformed id or description", part_name (ctx));
  part->encoding = copy_lower (strings, v->items[5]);
  if (part->encoding == NULL && !is_nil (v->items[5]))
    return reject (ctx, "part %s has a malformed encoding", part_name (ctx));
  if (!get_size (v->items[6], &part->size))
    return reject (ctx, "part %s has a size that is not a number", part_name (ctx));

  if (strcmp (part->type, "message") == 0
      && (strcmp (part->subtype, "rfc822") == 0 || strcmp (part->subtype, "global") == 0))
    {
      const BuzonImapValue *body;
      guint64 lines;
      gsize above;

      if (v->length < 10)
        return reject (ctx, "message part %s lacks its envelope, body or lines",
                       part_name (ctx));
      part->envelope = parse_envelope (v->items[7]);
      if (part->envelope == NULL)
        return reject (ctx, "message part %s has a malformed envelope", part_name (ctx));
      body = v->items[8];
      /* The embedded body is numbered under this part: a multipart takes
       * this part's number, a single part gets ".1". */
      above = ctx->path->len;
      if (!(is_list (body) && body->length > 0 && is_list (body->items[0])))
        enter_part (ctx, 1);
      part->body = parse_body (ctx, body, part, 0, depth + 1);
      g_string_truncate (ctx->path, above);
      if (part->body == NULL)
        return NULL;
      if (!get_size (v->items[9], &lines))
        return reject (ctx, "message part %s has a line count that is not a number",
                       part_name (ctx));
      part->lines = (gint64) lines;
      next = 10;
    }
  else if (strcmp (part->type, "text") == 0)
    {
      guint64 lines;

      if (v->length < 8 || !get_size (v->items[7], &lines))
        return reject (ctx, "text part %s lacks a line count", part_name (ctx));
      part->lines = (gint64) lines;
      next = 8;
    }

  parse_extension (ctx, part, strings, v, next);
  return g_steal_pointer (&owned);
}

static BuzonImapBodyPart *
parse_body (BodyContext          *ctx,
            const BuzonImapValue *v,
            BuzonImapBodyPart    *parent,
            guint                 index,
            guint                 depth)
{
  gboolean multipart;
  BuzonImapBodyPart *part;
  Strings strings;

  if (depth > BODY_MAX_DEPTH)
    return reject (ctx, "parts nested deeper than %u levels", BODY_MAX_DEPTH);
  if (!is_list (v) || v->length == 0)
    return reject (ctx, "part %s is not a list", part_name (ctx));

  multipart = is_list (v->items[0]);
  part = alloc_with_strings (sizeof *part,
                             strings_size (v) + (multipart ? sizeof "multipart" : 0), &strings);
  part->parent = parent;
  part->index = index;
  if (multipart)
    return parse_multipart (ctx, v, part, &strings, depth);
  return parse_single (ctx, v, part, &strings, depth);
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
  Strings strings;

  /* The section text is part of @name, or shorter than it. */
  section = alloc_with_strings (sizeof *section, strlen (name) + 1, &strings);
  section->origin = -1;
  if (open != NULL)
    {
      if (close == NULL || close < open)
        return FALSE;
      section->binary = g_ascii_strncasecmp (name, "BINARY[", 7) == 0;
      section->section = copy_string (&strings, open + 1, close - open - 1);
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
    section->section = copy_string (&strings, "", 0);
  else if (g_ascii_strcasecmp (name, "RFC822.HEADER") == 0)
    section->section = copy_string (&strings, "HEADER", strlen ("HEADER"));
  else
    section->section = copy_string (&strings, "TEXT", strlen ("TEXT"));

  if (!is_nil (value))
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

static gboolean
decode_body (BuzonImapFetch       *self,
             const char           *name,
             const BuzonImapValue *value,
             gboolean              extended)
{
  gboolean multipart = is_list (value) && value->length > 0 && is_list (value->items[0]);
  g_autoptr (GString) path = g_string_new (multipart ? "" : "1");
  BodyContext ctx = { self, extended ? "BODYSTRUCTURE" : "BODY", path, NULL };
  BuzonImapBodyPart *body = parse_body (&ctx, value, NULL, 0, 0);

  if (body == NULL)
    {
      warn (self, "%s left out: %s", name, ctx.why);
      g_free (ctx.why);
      return TRUE; /* Already warned. */
    }
  buzon_imap_body_part_free (self->body);
  self->body = body;
  self->present &= ~(BUZON_IMAP_FETCH_BODY | BUZON_IMAP_FETCH_BODYSTRUCTURE);
  self->present |= extended ? BUZON_IMAP_FETCH_BODYSTRUCTURE : BUZON_IMAP_FETCH_BODY;
  return TRUE;
}

/* A list holding one value, as in MODSEQ (n) and EMAILID (id); a bare value
 * is accepted too. */
static const BuzonImapValue *
unwrap (const BuzonImapValue *value)
{
  if (is_list (value))
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

/* Which item @name is, in any case. Every item of every message comes
 * through here, so a name is compared in full only with the names that
 * start with its letter. */
static Item
lookup_item (const char *name)
{
  static const struct
  {
    const char *name;
    Item item;
  } items[] = {
    { "UID", ITEM_UID },
    { "FLAGS", ITEM_FLAGS },
    { "INTERNALDATE", ITEM_INTERNALDATE },
    { "RFC822.SIZE", ITEM_RFC822_SIZE },
    { "MODSEQ", ITEM_MODSEQ },
    { "ENVELOPE", ITEM_ENVELOPE },
    { "BODY", ITEM_BODY },
    { "BODYSTRUCTURE", ITEM_BODYSTRUCTURE },
    { "RFC822", ITEM_SECTION },
    { "RFC822.HEADER", ITEM_SECTION },
    { "RFC822.TEXT", ITEM_SECTION },
    { "X-GM-MSGID", ITEM_X_GM_MSGID },
    { "X-GM-THRID", ITEM_X_GM_THRID },
    { "X-GM-LABELS", ITEM_X_GM_LABELS },
    { "EMAILID", ITEM_EMAILID },
    { "THREADID", ITEM_THREADID },
    { "PREVIEW", ITEM_PREVIEW },
    { "SNIPPET", ITEM_PREVIEW },
  };
  char first = g_ascii_toupper (name[0]);

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    if (items[i].name[0] == first && g_ascii_strcasecmp (name, items[i].name) == 0)
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
      self->flags = get_string_list (value);
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
        BuzonImapEnvelope *envelope = parse_envelope (value);
        if (envelope == NULL)
          return FALSE;
        buzon_imap_envelope_free (self->envelope);
        self->envelope = envelope;
        self->present |= BUZON_IMAP_FETCH_ENVELOPE;
      }
      break;
    case ITEM_BODY:
    case ITEM_BODYSTRUCTURE:
      return decode_body (self, name, value, item == ITEM_BODYSTRUCTURE);
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
      self->x_gm_labels = get_string_list (value);
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
      if (!is_nil (value) && !get_nstring (NULL, unwrap (value), &self->threadid))
        return FALSE;
      self->present |= BUZON_IMAP_FETCH_THREADID;
      break;
    case ITEM_PREVIEW:
      /* RFC 8970 sends an nstring; the drafts Dovecot implemented as
       * SNIPPET sent (FUZZY "text"). */
      if (is_list (value) && value->length == 2)
        value = value->items[1];
      g_clear_pointer (&self->preview, g_free);
      if (!get_nstring (NULL, value, &self->preview))
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
  if (!is_list (items) || response->values->length != 1)
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
          warn (self, "FETCH item %" G_GSIZE_FORMAT " has no name; the rest was ignored",
                i / 2 + 1);
          break;
        }
      name = items->items[i]->data;
      item = lookup_item (name);
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
          warn (self, "%s has no value", name);
          break;
        }
      if (!decode_item (self, item, name, value))
        warn (self, "%s left out: malformed value", name);
    }
  return g_steal_pointer (&self);
}
