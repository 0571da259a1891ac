// BuzonStoreSummary: a message's row in the cache, decoded from FETCH.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// FETCH hands over the envelope raw, as the message has it: subjects and
// names in RFC 2047 encoded words, addresses in pieces, the threading
// headers References and List-ID in a header section. This turns that into
// what the message list shows and searches, and what threading needs. It
// runs on the store's thread, never the main one.

#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "store-summary.h"

void
buzon_store_summary_free (BuzonStoreSummary *self)
{
  if (self == NULL)
    return;
  g_free (self->keywords);
  g_free (self->subject);
  g_free (self->sender_name);
  g_free (self->sender_address);
  g_free (self->from_list);
  g_free (self->to_list);
  g_free (self->cc_list);
  g_free (self->bcc_list);
  g_free (self->reply_to);
  g_free (self->message_id);
  g_free (self->in_reply_to);
  g_strfreev (self->references);
  g_free (self->list_id);
  g_free (self->preview);
  g_free (self->thread_subject);
  g_free (self);
}

/* Flags. */

static const struct
{
  const char *name;
  BuzonStoreFlags flag;
} system_flags[] = {
  { "\\Seen", BUZON_STORE_FLAG_SEEN },
  { "\\Answered", BUZON_STORE_FLAG_ANSWERED },
  { "\\Flagged", BUZON_STORE_FLAG_FLAGGED },
  { "\\Deleted", BUZON_STORE_FLAG_DELETED },
  { "\\Draft", BUZON_STORE_FLAG_DRAFT },
};

/**
 * buzon_store_flags_from_imap:
 * @flags: (nullable): the flags FETCH reported
 * @keywords: (out) (optional): the others (\Recent left out), space
 *   separated, or %NULL when there are none
 */
BuzonStoreFlags
buzon_store_flags_from_imap (const char * const *flags,
                             char              **keywords)
{
  g_autoptr (GString) others = g_string_new (NULL);
  BuzonStoreFlags result = 0;

  for (gsize i = 0; flags != NULL && flags[i] != NULL; i++)
    {
      gboolean known = g_ascii_strcasecmp (flags[i], "\\Recent") == 0;

      for (gsize k = 0; k < G_N_ELEMENTS (system_flags) && !known; k++)
        if (g_ascii_strcasecmp (flags[i], system_flags[k].name) == 0)
          {
            result |= system_flags[k].flag;
            known = TRUE;
          }
      if (!known)
        {
          if (others->len > 0)
            g_string_append_c (others, ' ');
          g_string_append (others, flags[i]);
        }
    }
  if (keywords != NULL)
    *keywords = others->len > 0 ? g_string_free (g_steal_pointer (&others), FALSE) : NULL;
  return result;
}

/* The IMAP flags for @flags and @keywords, as STORE … FLAGS would set them. */
char **
buzon_store_flags_to_imap (BuzonStoreFlags flags,
                           const char     *keywords)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) words = g_strsplit (keywords != NULL ? keywords : "", " ", -1);

  for (gsize k = 0; k < G_N_ELEMENTS (system_flags); k++)
    if ((flags & system_flags[k].flag) != 0)
      g_strv_builder_add (builder, system_flags[k].name);
  for (gsize i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_strv_builder_add (builder, words[i]);
  return g_strv_builder_end (builder);
}

/* Threading helpers. */

/* @text case-folded as g_utf8_casefold() folds it, when it is ASCII and
 * Latin-1 letters (most subjects in western languages), written by hand:
 * GLib's folding looks every character up in its tables. NULL for any
 * other text, which GLib then folds. */
static char *
casefold_latin1 (const char *text)
{
  gsize length = strlen (text);
  /* "ß" (2 bytes) folds to "ss" and "µ" (2) to "μ" (2): never longer. */
  char *out = g_malloc (length + 1);
  char *o = out;

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p < 0x80)
        *o++ = g_ascii_tolower (*p);
      else if (*p == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf)
        {
          /* U+00C0 to U+00FF. */
          p++;
          if (*p == 0x9f)
            {
              *o++ = 's';
              *o++ = 's';
            }
          else
            {
              *o++ = (char) 0xc3;
              *o++ = (char) (*p <= 0x9e && *p != 0x97 ? *p + 0x20 : *p);
            }
        }
      else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0xbf)
        {
          /* U+0080 to U+00BF: only the micro sign folds, to a Greek mu. */
          p++;
          if (*p == 0xb5)
            {
              *o++ = (char) 0xce;
              *o++ = (char) 0xbc;
            }
          else
            {
              *o++ = (char) 0xc2;
              *o++ = (char) *p;
            }
        }
      else
        {
          g_free (out);
          return NULL;
        }
    }
  *o = '\0';
  return out;
}

/* Strips the prefixes replies and forwards add ("Re:", "RE[2]:", "Fwd:",
 * "AW:", "SV:", "RV:", "[lista] ") and case-folds what is left, so that a
 * reply's subject finds its original's. */
char *
buzon_store_thread_subject (const char *subject,
                            gboolean   *is_reply)
{
  static const char *const prefixes[] = { "re", "fwd", "fw", "aw", "sv", "rv", "res", "enc",
                                          "tr", "wg", "vs", "antw" };
  const char *p = subject != NULL ? subject : "";
  gboolean reply = FALSE;
  gboolean stripped = TRUE;

  while (stripped)
    {
      stripped = FALSE;
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '[')
        {
          const char *end = strchr (p, ']');

          /* A list tag, only when something follows it. */
          if (end != NULL && end[1] != '\0')
            {
              p = end + 1;
              stripped = TRUE;
              continue;
            }
        }
      for (gsize i = 0; i < G_N_ELEMENTS (prefixes) && !stripped; i++)
        {
          gsize length;
          const char *after;

          /* Most subjects start with no prefix at all: one letter tells. */
          if (g_ascii_tolower (*p) != prefixes[i][0])
            continue;
          length = strlen (prefixes[i]);
          after = p + length;
          if (g_ascii_strncasecmp (p, prefixes[i], length) != 0)
            continue;
          if (*after == '[' || *after == '(')
            {
              /* "Re[2]:" and "Re(2):". */
              while (*after != '\0' && *after != ']' && *after != ')')
                after++;
              if (*after != '\0')
                after++;
            }
          while (*after == ' ')
            after++;
          if (*after == ':' || g_str_has_prefix (after, "\xef\xbc\x9a")) /* Also "：". */
            {
              p = after + (*after == ':' ? 1 : 3);
              stripped = reply = TRUE;
            }
        }
    }
  if (is_reply != NULL)
    *is_reply = reply;
  {
    g_autofree char *trimmed = g_strstrip (g_strdup (p));
    char *folded = casefold_latin1 (trimmed);

    return folded != NULL ? folded : g_utf8_casefold (trimmed, -1);
  }
}

/* Every "<id>" in @text, without the brackets, in order; duplicates left
 * out. Never NULL. */
GStrv
buzon_store_parse_message_ids (const char *text)
{
  /* Most fields hold one or a few IDs: a list compared in turn costs less
   * than a hash table, up to the longest References seen in practice. */
  GPtrArray *ids = g_ptr_array_new ();
  const char *p = text;

  while (p != NULL && (p = strchr (p, '<')) != NULL)
    {
      const char *end = strchr (p + 1, '>');
      g_autofree char *id = NULL;
      gboolean seen = FALSE;

      if (end == NULL)
        break;
      id = g_strndup (p + 1, end - p - 1);
      g_strstrip (id);
      for (guint i = 0; i < ids->len && !seen; i++)
        seen = strcmp (ids->pdata[i], id) == 0;
      if (id[0] != '\0' && strchr (id, '<') == NULL && !seen)
        g_ptr_array_add (ids, g_steal_pointer (&id));
      p = end + 1;
    }
  g_ptr_array_add (ids, NULL);
  return (GStrv) g_ptr_array_free (ids, FALSE);
}

/* The first "<id>" in @text, as buzon_store_parse_message_ids() would
 * list it first, or NULL: Message-ID and In-Reply-To want only that, and
 * no list of them. */
static char *
first_message_id (const char *text)
{
  const char *p = text;

  while (p != NULL && (p = strchr (p, '<')) != NULL)
    {
      const char *end = strchr (p + 1, '>');
      const char *first = p + 1;
      const char *last = end;

      if (end == NULL)
        return NULL;
      while (first < last && g_ascii_isspace (*first))
        first++;
      while (last > first && g_ascii_isspace (last[-1]))
        last--;
      if (first < last && memchr (first, '<', last - first) == NULL)
        return g_strndup (first, last - first);
      p = end + 1;
    }
  return NULL;
}

/* Dates. */

static const char *
skip_spaces (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Reads @digits (a range) decimal digits at *@p into *@value. */
static gboolean
read_number (const char **p,
             guint        min_digits,
             guint        max_digits,
             int         *value)
{
  guint n = 0;

  *value = 0;
  while (n < max_digits && g_ascii_isdigit ((*p)[n]))
    *value = *value * 10 + ((*p)[n++] - '0');
  *p += n;
  return n >= min_digits;
}

/* Days from 1970-01-01 to the given date of the proleptic Gregorian
 * calendar (Howard Hinnant's days_from_civil). */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  int era;
  int year_of_era;
  int day_of_year;
  int day_of_era;

  year -= month <= 2;
  era = (year >= 0 ? year : year - 399) / 400;
  year_of_era = year - era * 400;
  day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return (gint64) era * 146097 + day_of_era - 719468;
}

/* The Date header in the form RFC 5322 §3.3 prescribes ("Fri, 27 Nov 2026
 * 10:30:00 +0100", the weekday and the seconds optional, nothing after the
 * zone but a comment), as unix seconds; FALSE for anything else, which
 * GMime's lenient parser then reads. GMime costs some 7,000 instructions a
 * date, which a first sync of 100,000 messages pays on its one thread. */
static gboolean
parse_rfc5322_date (const char *text,
                    gint64     *unix_time)
{
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const char *p = skip_spaces (text);
  int day, month = 0, year, hour, minute, second = 0, zone;
  int sign;

  if (g_ascii_isalpha (p[0]))
    {
      /* The weekday, which says nothing the date does not. */
      while (g_ascii_isalpha (*p))
        p++;
      if (*p != ',')
        return FALSE;
      p = skip_spaces (p + 1);
    }
  if (!read_number (&p, 1, 2, &day) || *p != ' ')
    return FALSE;
  p = skip_spaces (p);
  for (int m = 0; m < 12 && month == 0; m++)
    if (g_ascii_strncasecmp (p, months + m * 3, 3) == 0)
      month = m + 1;
  if (month == 0 || p[3] != ' ')
    return FALSE;
  p = skip_spaces (p + 3);
  if (!read_number (&p, 4, 4, &year) || *p != ' ')
    return FALSE;
  p = skip_spaces (p);
  if (!read_number (&p, 2, 2, &hour) || *p++ != ':' || !read_number (&p, 2, 2, &minute))
    return FALSE;
  if (*p == ':' && (p++, !read_number (&p, 2, 2, &second)))
    return FALSE;
  if (*p != ' ')
    return FALSE;
  p = skip_spaces (p);
  if (*p != '+' && *p != '-')
    return FALSE;
  sign = *p++ == '-' ? -1 : 1;
  if (!read_number (&p, 4, 4, &zone))
    return FALSE;
  p = skip_spaces (p);
  if (*p != '\0' && *p != '(')
    return FALSE;
  /* What GDateTime would refuse, or a zone beyond any on Earth: left to
   * GMime, which decides. */
  if (year < 1900 || year > 9999 || day < 1
      || day > g_date_get_days_in_month ((GDateMonth) month, (GDateYear) year) || hour > 23
      || minute > 59 || second > 59 || zone / 100 > 14 || zone % 100 > 59)
    return FALSE;
  *unix_time = days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 + second
               - sign * ((zone / 100) * 3600 + (zone % 100) * 60);
  return TRUE;
}

/* The Date header as unix seconds; FALSE when it is no date. */
gboolean
buzon_store_parse_date (const char *text,
                        gint64     *unix_time)
{
  g_autoptr (GDateTime) date = NULL;

  g_return_val_if_fail (text != NULL, FALSE);

  if (parse_rfc5322_date (text, unix_time))
    return TRUE;
  date = g_mime_utils_header_decode_date (text);
  if (date == NULL)
    return FALSE;
  *unix_time = g_date_time_to_unix (date);
  return TRUE;
}

/* Header fields from a BODY[HEADER.FIELDS (…)] section. */

/* The unfolded value of header @name in @headers, or NULL. */
static char *
header_value (GBytes     *headers,
              const char *name)
{
  gsize size = 0;
  const char *data = headers != NULL ? g_bytes_get_data (headers, &size) : NULL;
  const char *end = data + size;
  gsize name_length = strlen (name);

  for (const char *line = data; line != NULL && line < end;)
    {
      const char *next = memchr (line, '\n', end - line);
      const char *line_end = next != NULL ? next : end;

      if ((gsize) (line_end - line) > name_length && line[name_length] == ':'
          && g_ascii_strncasecmp (line, name, name_length) == 0)
        {
          g_autoptr (GString) value = g_string_new_len (line + name_length + 1,
                                                        line_end - line - name_length - 1);

          /* Continuation lines start with white space. */
          while (next != NULL && next + 1 < end && (next[1] == ' ' || next[1] == '\t'))
            {
              const char *start = next + 1;

              next = memchr (start, '\n', end - start);
              g_string_append_len (value, start, (next != NULL ? next : end) - start);
            }
          /* Not g_strdelimit(), which looks each byte up with strchr(). */
          for (char *p = value->str; *p != '\0'; p++)
            if (*p == '\r' || *p == '\n' || *p == '\t')
              *p = ' ';
          return g_strstrip (g_string_free (g_steal_pointer (&value), FALSE));
        }
      line = next != NULL ? next + 1 : NULL;
    }
  return NULL;
}

static GBytes *
header_fields_section (const BuzonImapFetch *fetch)
{
  for (guint i = 0; fetch->sections != NULL && i < fetch->sections->len; i++)
    {
      const BuzonImapFetchSection *section = g_ptr_array_index (fetch->sections, i);

      if (g_ascii_strncasecmp (section->section, "HEADER.FIELDS", 13) == 0 && section->data != NULL)
        return section->data;
    }
  return NULL;
}

/* Encoded words. */

/* Whether the @length bytes at @word hold "=?", the start of an encoded
 * word inside a longer word, which GMime decodes there too. */
static gboolean
strstr_len_has_encoded_word (const char *word,
                             gsize       length)
{
  for (gsize i = 0; i + 1 < length; i++)
    if (word[i] == '=' && word[i + 1] == '?')
      return TRUE;
  return FALSE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static int
base64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Appends the bytes of the encoded word @word (@length bytes, "=?…?="), in
 * UTF-8 or US-ASCII, Q or B encoded; FALSE for any other word, or one that
 * is not exactly well formed, which GMime then decodes. *@padded says
 * whether it was B with padding: GMime decodes the B words that follow one
 * another as one stream, which such padding ends. */
static gboolean
append_encoded_word (GString    *out,
                     const char *word,
                     gsize       length,
                     gboolean   *padded)
{
  const char *end = word + length - 2; /* The closing "?=". */
  const char *charset = word + 2;
  const char *p = memchr (charset, '?', end - charset);
  gboolean ascii;
  char encoding;

  if (p == NULL || p + 3 > end || p[2] != '?')
    return FALSE;
  if ((gsize) (p - charset) == 5 && g_ascii_strncasecmp (charset, "utf-8", 5) == 0)
    ascii = FALSE;
  else if ((gsize) (p - charset) == 8 && g_ascii_strncasecmp (charset, "us-ascii", 8) == 0)
    ascii = TRUE;
  else
    return FALSE;
  encoding = g_ascii_toupper (p[1]);
  p += 3;
  *padded = encoding == 'B' && end > p && end[-1] == '=';
  if (memchr (p, '?', end - p) != NULL)
    return FALSE;
  if (encoding == 'Q')
    {
      for (; p < end; p++)
        {
          int byte = (guchar) *p;

          if (*p == '_')
            byte = ' ';
          else if (*p == '=')
            {
              int high = p + 2 < end ? hex_value (p[1]) : -1;
              int low = high >= 0 ? hex_value (p[2]) : -1;

              if (low < 0)
                return FALSE;
              byte = high * 16 + low;
              p += 2;
            }
          if (byte < 0x20 || byte == 0x7f || (ascii && byte > 0x7f))
            return FALSE;
          g_string_append_c (out, (char) byte);
        }
      return TRUE;
    }
  if (encoding != 'B' || (end - p) % 4 != 0)
    return FALSE;
  for (; p < end; p += 4)
    {
      int v[4];
      int bytes = 3;

      for (int i = 0; i < 4; i++)
        {
          v[i] = base64_value (p[i]);
          if (v[i] < 0)
            {
              /* Padding, only at the very end: "xx==" or "xxx=". */
              if (p[i] != '=' || p + 4 != end || i < 2 || (i == 2 && p[3] != '='))
                return FALSE;
              v[i] = 0;
              bytes = MIN (bytes, i - 1);
            }
        }
      {
        int triple = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
        guchar decoded[3] = { triple >> 16, (triple >> 8) & 0xff, triple & 0xff };

        for (int i = 0; i < bytes; i++)
          {
            if (decoded[i] < 0x20 || decoded[i] == 0x7f || (ascii && decoded[i] > 0x7f))
              return FALSE;
            g_string_append_c (out, (char) decoded[i]);
          }
      }
    }
  return TRUE;
}

/* RFC 2047 text in its usual form decoded by hand: printable ASCII, words
 * apart by spaces, each encoded word a whole word in UTF-8 or US-ASCII, the
 * white space between two encoded words dropped, the result valid UTF-8
 * without control characters. NULL for anything else, which GMime decodes:
 * its tokenizer, charset lookups and conversions cost more than the rest
 * of a message's summary. */
static char *
decode_usual_encoded_words (const char *raw)
{
  g_autoptr (GString) out = g_string_sized_new (strlen (raw));
  const char *p = raw;
  gboolean after_encoded = FALSE;
  gboolean padded = FALSE;

  while (*p != '\0')
    {
      const char *space = p;
      const char *word;
      gboolean encoded;

      while (*p == ' ' || *p == '\t')
        p++;
      word = p;
      while (*p != '\0' && *p != ' ' && *p != '\t')
        {
          if (*p < 0x20 || *p >= 0x7f)
            return NULL;
          p++;
        }
      if (word == p)
        {
          /* Trailing white space stays, as GMime leaves it. */
          g_string_append_len (out, space, p - space);
          break;
        }
      encoded = p - word >= 8 && word[0] == '=' && word[1] == '?' && p[-2] == '?'
                && p[-1] == '=';
      if (!encoded && strstr_len_has_encoded_word (word, p - word))
        return NULL;
      if (!(encoded && after_encoded))
        g_string_append_len (out, space, word - space);
      if (encoded)
        {
          if ((after_encoded && padded) || !append_encoded_word (out, word, p - word, &padded))
            return NULL;
        }
      else
        g_string_append_len (out, word, p - word);
      after_encoded = encoded;
    }
  if (!g_utf8_validate_len (out->str, out->len, NULL))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * buzon_store_decode_header_text:
 * @raw: (nullable): a header's text, RFC 2047 encoded words and all
 *
 * Returns: (nullable): the text decoded, as GMime decodes it
 */
char *
buzon_store_decode_header_text (const char *raw)
{
  const char *p;
  char *decoded;

  if (raw == NULL)
    return NULL;
  /* Printable ASCII without an encoded word decodes to itself: most names
   * and many subjects, spared GMime's tokenizing and charset checks. */
  for (p = raw; *p >= 0x20 && *p < 0x7f; p++)
    if (p[0] == '=' && p[1] == '?')
      break;
  if (*p == '\0')
    return g_strdup (raw);
  decoded = decode_usual_encoded_words (raw);
  if (decoded != NULL)
    return decoded;
  return g_mime_utils_header_decode_text (NULL, raw);
}

/* Addresses. */

static char *
address_of (const BuzonImapAddress *address)
{
  if (address->mailbox == NULL || address->host == NULL)
    return NULL;
  return g_strconcat (address->mailbox, "@", address->host, NULL);
}

/* Appends "Name <addr>", quoting the name where RFC 5322 wants it. */
static void
append_mailbox (GString    *out,
                const char *name,
                const char *address)
{
  gboolean quote = FALSE;

  if (out->len > 0)
    g_string_append (out, ", ");
  if (name == NULL || name[0] == '\0')
    {
      g_string_append (out, address);
      return;
    }
  for (const char *p = name; *p != '\0' && !quote; p++)
    quote = strchr ("()<>[]:;@\\,.\"", *p) != NULL;
  if (quote)
    {
      g_string_append_c (out, '"');
      for (const char *p = name; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, name);
  g_string_append (out, " <");
  g_string_append (out, address);
  g_string_append_c (out, '>');
}

/* The decoded list in RFC 5322 form, or NULL when empty. Written by hand:
 * GMime's address objects (a GObject each, and IDN conversion of every
 * domain) cost more than the rest of a message's summary. A name equal to
 * @known_raw is @known_decoded, not decoded again (the sender's, which
 * heads From). */
static char *
address_list (GPtrArray  *addresses,
              const char *known_raw,
              const char *known_decoded)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      const BuzonImapAddress *address = g_ptr_array_index (addresses, i);
      g_autofree char *addr = address_of (address);
      g_autofree char *name = NULL;

      /* Group markers carry no address. */
      if (addr == NULL)
        continue;
      if (known_raw != NULL && g_strcmp0 (address->name, known_raw) == 0)
        {
          append_mailbox (out, known_decoded, addr);
          continue;
        }
      name = buzon_store_decode_header_text (address->name);
      append_mailbox (out, name, addr);
    }
  if (out->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Whether two address lists name the same addresses: Reply-To is most
 * often From again (servers fill in a missing one so). */
static gboolean
same_addresses (GPtrArray *a,
                GPtrArray *b)
{
  if (a == NULL || b == NULL || a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const BuzonImapAddress *x = g_ptr_array_index (a, i);
      const BuzonImapAddress *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->name, y->name) != 0 || g_strcmp0 (x->mailbox, y->mailbox) != 0
          || g_strcmp0 (x->host, y->host) != 0)
        return FALSE;
    }
  return TRUE;
}

/* Attachments. */

static gboolean
has_attachment (const BuzonImapBodyPart *part,
                gboolean                 in_related)
{
  if (part == NULL)
    return FALSE;
  if (part->children != NULL)
    {
      gboolean related = g_strcmp0 (part->subtype, "related") == 0;

      for (guint i = 0; i < part->children->len; i++)
        if (has_attachment (g_ptr_array_index (part->children, i), related))
          return TRUE;
      return FALSE;
    }
  if (g_strcmp0 (part->disposition, "attachment") == 0)
    return TRUE;
  if (g_strcmp0 (part->disposition, "inline") == 0 || in_related)
    return FALSE;
  /* A PDF or a forwarded message with no disposition is still a file the
   * user will look for; text and the multipart alternatives are not. */
  return g_strcmp0 (part->type, "text") != 0;
}

/**
 * buzon_store_summary_new_from_fetch:
 *
 * Decodes what a header FETCH returned (UID FLAGS INTERNALDATE RFC822.SIZE
 * ENVELOPE BODYSTRUCTURE and the REFERENCES/LIST-ID header fields; any of
 * them may be missing).
 */
BuzonStoreSummary *
buzon_store_summary_new_from_fetch (const BuzonImapFetch *fetch)
{
  BuzonStoreSummary *self = g_new0 (BuzonStoreSummary, 1);
  const BuzonImapEnvelope *envelope = fetch->envelope;
  GBytes *headers = header_fields_section (fetch);
  g_autofree char *references = header_value (headers, "References");
  g_autofree char *list_id = header_value (headers, "List-ID");

  self->uid = fetch->uid;
  self->modseq = fetch->modseq;
  self->flags = buzon_store_flags_from_imap ((const char * const *) fetch->flags, &self->keywords);
  self->internaldate = fetch->internaldate != NULL ? g_date_time_to_unix (fetch->internaldate) : 0;
  self->size = fetch->rfc822_size;
  self->date = self->internaldate;
  self->preview = g_strdup (fetch->preview);
  self->has_attachment = has_attachment (fetch->body, FALSE);

  if (envelope != NULL)
    {
      const BuzonImapAddress *first = envelope->from != NULL && envelope->from->len > 0
                                        ? g_ptr_array_index (envelope->from, 0) : NULL;

      if (envelope->date != NULL)
        buzon_store_parse_date (envelope->date, &self->date);
      self->subject = buzon_store_decode_header_text (envelope->subject);
      if (first != NULL)
        {
          self->sender_name = buzon_store_decode_header_text (first->name);
          self->sender_address = address_of (first);
          if (self->sender_name != NULL && self->sender_name[0] == '\0')
            g_clear_pointer (&self->sender_name, g_free);
        }
      self->from_list = address_list (envelope->from, first != NULL ? first->name : NULL,
                                      self->sender_name);
      self->to_list = address_list (envelope->to, NULL, NULL);
      self->cc_list = address_list (envelope->cc, NULL, NULL);
      self->bcc_list = address_list (envelope->bcc, NULL, NULL);
      if (same_addresses (envelope->reply_to, envelope->from))
        self->reply_to = g_strdup (self->from_list);
      else
        self->reply_to = address_list (envelope->reply_to, NULL, NULL);
      self->message_id = first_message_id (envelope->message_id);
      self->in_reply_to = first_message_id (envelope->in_reply_to);
    }
  self->references = buzon_store_parse_message_ids (references);
  if (list_id != NULL)
    {
      g_auto (GStrv) ids = buzon_store_parse_message_ids (list_id);
      self->list_id = g_strdup (ids[0] != NULL ? ids[0] : list_id);
    }
  self->thread_subject = buzon_store_thread_subject (self->subject, &self->is_reply);
  return self;
}
