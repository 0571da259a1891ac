// The header fields of a built message: addresses and subject RFC 2047 encoded and folded.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// These are written here rather than by GMime because GMime 3.2.13 (Debian
// 12, Ubuntu 24.04) writes a name like "Γιώργος Παπαδόπουλος" as two
// B-encoded words, the first ending in padding, and its own decoder then
// joins the two before decoding and drops the second half (GMime issue 133,
// fixed upstream after 3.2.13): every GMime-based reader, Buzón's included,
// would show "Γιώργος". Q-encoded words do not have the problem anywhere,
// so non-ASCII text goes out as Q words, split between whole characters.

#include "config.h"

#include <string.h>

#include "draft-private.h"

/* RFC 2047 §2: an encoded word is at most 75 characters. */
#define WORD_MAX 75
#define WORD_PREFIX "=?UTF-8?Q?"
/* RFC 5322 §2.1.1: lines should be at most 78 characters, CRLF excluded. */
#define FOLD_WIDTH 78

typedef struct
{
  GString *out;
  gsize line_start; /* Where the current line starts in out. */
} Folder;

/* Appends @token to the header, after a space, or on a new line when the
 * current one would grow past FOLD_WIDTH (a line holds one token at least). */
static void
fold_append (Folder     *folder,
             const char *token,
             gboolean    space_before)
{
  gsize line_length = folder->out->len - folder->line_start;
  gsize token_length = strlen (token);

  if (space_before && line_length + 1 + token_length > FOLD_WIDTH)
    {
      g_string_append (folder->out, "\r\n");
      folder->line_start = folder->out->len;
    }
  if (space_before)
    g_string_append_c (folder->out, ' ');
  g_string_append (folder->out, token);
}

static gboolean
is_ascii (const char *text)
{
  for (; *text != '\0'; text++)
    if ((guchar) *text >= 0x80)
      return FALSE;
  return TRUE;
}

/* Characters a Q word carries as they are, in a phrase or unstructured text
 * alike (RFC 2047 §5 (3), the stricter of the two). */
static gboolean
q_plain (char c)
{
  return g_ascii_isalnum (c) || strchr ("!*+-/", c) != NULL;
}

/* @text as Q-encoded words, each whole characters, each at most WORD_MAX. */
static GPtrArray *
q_words (const char *text)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) word = g_string_new (WORD_PREFIX);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      const char *next = g_utf8_next_char (p);
      char encoded[16 * 3 + 1] = "";

      for (const char *b = p; b < next; b++)
        {
          gsize at = strlen (encoded);

          if (*b == ' ')
            encoded[at] = '_', encoded[at + 1] = '\0';
          else if (q_plain (*b))
            encoded[at] = *b, encoded[at + 1] = '\0';
          else
            g_snprintf (encoded + at, sizeof encoded - at, "=%02X", (guchar) *b);
        }
      if (word->len + strlen (encoded) + 2 > WORD_MAX)
        {
          g_string_append (word, "?=");
          g_ptr_array_add (words, g_string_free (g_steal_pointer (&word), FALSE));
          word = g_string_new (WORD_PREFIX);
        }
      g_string_append (word, encoded);
    }
  g_string_append (word, "?=");
  g_ptr_array_add (words, g_string_free (g_steal_pointer (&word), FALSE));
  return words;
}

/* Unstructured text (the subject): as it is when ASCII, folded between
 * words; otherwise encoded words. */
/* A run of @limit characters or more without a space: a line that folding
 * cannot bring under RFC 5322's 998. */
static gboolean
has_long_word (const char *text,
               gsize       limit)
{
  gsize run = 0;

  for (; *text != '\0'; text++)
    if ((run = *text == ' ' ? 0 : run + 1) >= limit)
      return TRUE;
  return FALSE;
}

static void
append_text (Folder     *folder,
             const char *text)
{
  if (is_ascii (text) && strstr (text, "=?") == NULL && !has_long_word (text, 900))
    {
      g_auto (GStrv) words = g_strsplit (text, " ", -1);

      for (guint i = 0; words[i] != NULL; i++)
        fold_append (folder, words[i], i > 0);
      return;
    }
  {
    g_autoptr (GPtrArray) words = q_words (text);

    for (guint i = 0; i < words->len; i++)
      fold_append (folder, g_ptr_array_index (words, i), i > 0);
  }
}

/* A display name: an atom sequence, a quoted string, or encoded words. */
static void
append_phrase (Folder     *folder,
               const char *name,
               gboolean    space_before)
{
  gboolean needs_quotes = FALSE;

  if (!is_ascii (name))
    {
      g_autoptr (GPtrArray) words = q_words (name);

      for (guint i = 0; i < words->len; i++)
        fold_append (folder, g_ptr_array_index (words, i), space_before || i > 0);
      return;
    }
  for (const char *p = name; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || strchr ("!#$%&'*+-/=?^_`{|}~ ", *p) != NULL))
      needs_quotes = TRUE;
  if (needs_quotes || g_str_has_prefix (name, "=?"))
    {
      g_autoptr (GString) quoted = g_string_new ("\"");

      for (const char *p = name; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (quoted, '\\');
          g_string_append_c (quoted, *p);
        }
      g_string_append_c (quoted, '"');
      fold_append (folder, quoted->str, space_before);
      return;
    }
  {
    g_auto (GStrv) words = g_strsplit (name, " ", -1);
    gboolean first = TRUE;

    for (guint i = 0; words[i] != NULL; i++)
      if (words[i][0] != '\0')
        {
          fold_append (folder, words[i], space_before || !first);
          first = FALSE;
        }
  }
}

static void
append_addresses (Folder              *folder,
                  InternetAddressList *list,
                  gboolean             space_before)
{
  int count = internet_address_list_length (list);

  for (int i = 0; i < count; i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);
      const char *name = internet_address_get_name (address);
      gboolean named = name != NULL && name[0] != '\0';
      const char *separator = i + 1 < count ? "," : "";
      g_autofree char *token = NULL;

      if (INTERNET_ADDRESS_IS_GROUP (address))
        {
          if (named)
            append_phrase (folder, name, space_before || i > 0);
          else
            fold_append (folder, "undisclosed-recipients", space_before || i > 0);
          g_string_append_c (folder->out, ':');
          append_addresses (folder, internet_address_group_get_members (
                              INTERNET_ADDRESS_GROUP (address)), TRUE);
          g_string_append_printf (folder->out, ";%s", separator);
          continue;
        }
      if (named)
        append_phrase (folder, name, space_before || i > 0);
      token = g_strdup_printf (named ? "<%s>%s" : "%s%s",
                               internet_address_mailbox_get_idn_addr (
                                 INTERNET_ADDRESS_MAILBOX (address)),
                               separator);
      fold_append (folder, token, space_before || i > 0 || named);
    }
}

/**
 * _buzon_draft_append_address_header:
 *
 * Appends "@name: the addresses\r\n" to @out, folded, names encoded where
 * they need it; nothing when @list is empty.
 */
void
_buzon_draft_append_address_header (GString             *out,
                                    const char          *name,
                                    InternetAddressList *list)
{
  Folder folder = { out, out->len };

  if (list == NULL || internet_address_list_length (list) == 0)
    return;
  g_string_append_printf (out, "%s:", name);
  append_addresses (&folder, list, TRUE);
  g_string_append (out, "\r\n");
}

/**
 * _buzon_draft_append_text_header:
 *
 * Appends "@name: @value\r\n" to @out, @value unstructured text (encoded
 * when it is not ASCII) or, with @ids, message identifiers (folded between
 * them, never encoded).
 */
void
_buzon_draft_append_text_header (GString    *out,
                                 const char *name,
                                 const char *value,
                                 gboolean    ids)
{
  Folder folder = { out, out->len };

  g_string_append_printf (out, "%s:", name);
  if (ids)
    {
      g_auto (GStrv) words = g_strsplit_set (value, " \t", -1);

      for (guint i = 0; words[i] != NULL; i++)
        if (words[i][0] != '\0')
          fold_append (&folder, words[i], TRUE);
    }
  else if (value[0] != '\0')
    {
      g_string_append_c (out, ' ');
      append_text (&folder, value);
    }
  g_string_append (out, "\r\n");
}
