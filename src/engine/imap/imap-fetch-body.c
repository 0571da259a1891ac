// Decoding BODY and BODYSTRUCTURE into a tree of BuzonImapBodyPart, and the
// functions that number, search and free that tree.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Within a body structure the decoder's rule (see imap-fetch.c: a malformed
// item is left out and the rest kept) holds one level down. Anything that
// decides the shape of the tree or a part's identity (type, subtype, the
// body fields, text lines, the embedded message of message/rfc822) must be
// right, or the whole BODYSTRUCTURE is left out: a guessed tree would give
// wrong part numbers, and the store can fall back to the raw message.
// Extension data (md5, disposition, language, location) is optional in the
// grammar, so a malformed field there is dropped with the fields after it, as
// if the server had not sent them, and the tree is kept. Upper-case names,
// missing and extra extension data are all legal and accepted silently.

#include "config.h"

#include <string.h>

#include "imap-fetch-private.h"

/* Real mail nests a handful of levels; the parser bounds list nesting too,
 * but its limit is configurable, so the decoder keeps its own. */
#define BODY_MAX_DEPTH 40

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
  if (_buzon_imap_fetch_is_nil (value))
    return TRUE;
  if (!_buzon_imap_fetch_is_list (value) || value->length % 2 != 0)
    return FALSE;
  for (gsize i = 0; i + 1 < value->length; i += 2)
    {
      char *name = _buzon_imap_fetch_copy_lower (NULL, value->items[i]);
      const char *text;
      gsize length;

      text = buzon_imap_value_get_string (value->items[i + 1], &length);
      if (name == NULL || text == NULL)
        {
          if (_buzon_imap_fetch_is_list (value->items[i])
              || _buzon_imap_fetch_is_list (value->items[i + 1]))
            {
              g_free (name);
              return FALSE;
            }
          _buzon_imap_fetch_warn (ctx->fetch,
                                  "%s part %s: a parameter with NIL for its %s was left out",
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
parse_extension (BodyContext           *ctx,
                 BuzonImapBodyPart     *part,
                 BuzonImapFetchStrings *strings,
                 const BuzonImapValue  *v,
                 gsize                  i)
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
          ok = _buzon_imap_fetch_get_nstring (strings, item, &part->md5);
          break;
        case PARAMS:
          ok = parse_params (ctx, item, &part->params);
          break;
        case DISPOSITION:
          if (_buzon_imap_fetch_is_nil (item))
            break;
          ok = _buzon_imap_fetch_is_list (item) && item->length >= 1
               && (part->disposition = _buzon_imap_fetch_copy_lower (strings, item->items[0]))
                  != NULL
               && (item->length < 2
                   || parse_params (ctx, item->items[1], &part->disposition_params));
          if (!ok)
            part->disposition = NULL; /* Its copy stays in the part's allocation. */
          break;
        case LANGUAGE:
          if (_buzon_imap_fetch_is_nil (item))
            break;
          if (_buzon_imap_fetch_is_list (item))
            ok = (part->language = _buzon_imap_fetch_get_string_list (item)) != NULL;
          else if (buzon_imap_value_get_string (item, NULL) != NULL)
            {
              part->language = g_new0 (char *, 2);
              part->language[0] = g_strndup (item->data, item->length);
            }
          else
            ok = FALSE;
          break;
        case LOCATION:
          ok = _buzon_imap_fetch_get_nstring (strings, item, &part->location);
          break;
        case DONE:
        default:
          g_assert_not_reached ();
        }
      if (!ok)
        {
          _buzon_imap_fetch_warn (ctx->fetch,
                                  "%s part %s: malformed %s; extension data from there on ignored",
                                  ctx->item, part_name (ctx), names[field]);
          return;
        }
    }
}

/* Whether @v is the body of a multipart: a list whose first item is a list
 * (the first part). */
static gboolean
is_multipart_body (const BuzonImapValue *v)
{
  return _buzon_imap_fetch_is_list (v) && v->length > 0 && _buzon_imap_fetch_is_list (v->items[0]);
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
parse_multipart (BodyContext           *ctx,
                 const BuzonImapValue  *v,
                 BuzonImapBodyPart     *part,
                 BuzonImapFetchStrings *strings,
                 guint                  depth)
{
  g_autoptr (BuzonImapBodyPart) owned = part;
  gsize i = 0;

  part->lines = -1;
  part->type = _buzon_imap_fetch_copy_string (strings, "multipart", strlen ("multipart"));
  part->children = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_body_part_free);
  for (; i < v->length && _buzon_imap_fetch_is_list (v->items[i]); i++)
    {
      gsize above = enter_part (ctx, i + 1);
      BuzonImapBodyPart *child = parse_body (ctx, v->items[i], part, i, depth + 1);

      g_string_truncate (ctx->path, above);
      if (child == NULL)
        return NULL;
      g_ptr_array_add (part->children, child);
    }
  part->subtype = _buzon_imap_fetch_copy_lower (strings, i < v->length ? v->items[i] : NULL);
  if (part->subtype == NULL)
    return reject (ctx, "multipart %s has no subtype", part_name (ctx));
  parse_extension (ctx, part, strings, v, i + 1);
  return g_steal_pointer (&owned);
}

static BuzonImapBodyPart *
parse_single (BodyContext           *ctx,
              const BuzonImapValue  *v,
              BuzonImapBodyPart     *part,
              BuzonImapFetchStrings *strings,
              guint                  depth)
{
  g_autoptr (BuzonImapBodyPart) owned = part;
  gsize next = 7;

  part->lines = -1;
  part->type = _buzon_imap_fetch_copy_lower (strings, v->items[0]);
  if (part->type == NULL)
    return reject (ctx, "part %s has no media type", part_name (ctx));
  part->subtype = _buzon_imap_fetch_copy_lower (strings, v->length > 1 ? v->items[1] : NULL);
  if (part->subtype == NULL)
    return reject (ctx, "part %s (%s) has no subtype", part_name (ctx), part->type);
  if (v->length < 7)
    return reject (ctx, "part %s (%s/%s) has %" G_GSIZE_FORMAT " fields, fewer than 7",
                   part_name (ctx), part->type, part->subtype, v->length);
  if (strcmp (part->type, "multipart") == 0)
    return reject (ctx, "part %s is a multipart without parts", part_name (ctx));
  if (!parse_params (ctx, v->items[2], &part->params))
    return reject (ctx, "part %s has malformed parameters", part_name (ctx));
  if (!_buzon_imap_fetch_get_nstring (strings, v->items[3], &part->id)
      || !_buzon_imap_fetch_get_nstring (strings, v->items[4], &part->description))
    return reject (ctx, "part %s has a malformed id or description", part_name (ctx));
  part->encoding = _buzon_imap_fetch_copy_lower (strings, v->items[5]);
  if (part->encoding == NULL && !_buzon_imap_fetch_is_nil (v->items[5]))
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
      part->envelope = _buzon_imap_fetch_parse_envelope (v->items[7]);
      if (part->envelope == NULL)
        return reject (ctx, "message part %s has a malformed envelope", part_name (ctx));
      body = v->items[8];
      /* The embedded body is numbered under this part: a multipart takes
       * this part's number, a single part gets ".1". */
      above = ctx->path->len;
      if (!is_multipart_body (body))
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
  BuzonImapFetchStrings strings;

  if (depth > BODY_MAX_DEPTH)
    return reject (ctx, "parts nested deeper than %u levels", BODY_MAX_DEPTH);
  if (!_buzon_imap_fetch_is_list (v) || v->length == 0)
    return reject (ctx, "part %s is not a list", part_name (ctx));

  multipart = _buzon_imap_fetch_is_list (v->items[0]);
  part = _buzon_imap_fetch_alloc_with_strings (sizeof *part,
                                               _buzon_imap_fetch_strings_size (v)
                                                 + (multipart ? sizeof "multipart" : 0),
                                               &strings);
  part->parent = parent;
  part->index = index;
  if (multipart)
    return parse_multipart (ctx, v, part, &strings, depth);
  return parse_single (ctx, v, part, &strings, depth);
}

/* Decodes the BODY or BODYSTRUCTURE item @name into @self->body. A malformed
 * structure is left out with a warning, so this always returns TRUE: the
 * caller has nothing to add. */
gboolean
_buzon_imap_fetch_decode_body (BuzonImapFetch       *self,
                               const char           *name,
                               const BuzonImapValue *value,
                               gboolean              extended)
{
  g_autoptr (GString) path = g_string_new (is_multipart_body (value) ? "" : "1");
  BodyContext ctx = { self, extended ? "BODYSTRUCTURE" : "BODY", path, NULL };
  BuzonImapBodyPart *body = parse_body (&ctx, value, NULL, 0, 0);

  if (body == NULL)
    {
      _buzon_imap_fetch_warn (self, "%s left out: %s", name, ctx.why);
      g_free (ctx.why);
      return TRUE; /* Already warned. */
    }
  buzon_imap_body_part_free (self->body);
  self->body = body;
  self->present &= ~(BUZON_IMAP_FETCH_BODY | BUZON_IMAP_FETCH_BODYSTRUCTURE);
  self->present |= extended ? BUZON_IMAP_FETCH_BODYSTRUCTURE : BUZON_IMAP_FETCH_BODY;
  return TRUE;
}
