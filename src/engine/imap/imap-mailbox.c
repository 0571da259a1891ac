// A mailbox as LIST and STATUS describe it, and what it is for: from
// SPECIAL-USE attributes, Gmail's XLIST attributes, or its name.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imap-error.h"
#include "imap-mailbox.h"
#include "imap-utf7.h"

typedef struct
{
  const char *attribute;
  BuzonImapMailboxFlags flags;
  BuzonImapSpecialUse special_use;
} Attribute;

static const Attribute attributes[] = {
  { "\\Noselect", BUZON_IMAP_MAILBOX_NOSELECT, BUZON_IMAP_SPECIAL_USE_NONE },
  { "\\NoInferiors", BUZON_IMAP_MAILBOX_NOINFERIORS, BUZON_IMAP_SPECIAL_USE_NONE },
  { "\\HasChildren", BUZON_IMAP_MAILBOX_HAS_CHILDREN, BUZON_IMAP_SPECIAL_USE_NONE },
  { "\\HasNoChildren", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN, BUZON_IMAP_SPECIAL_USE_NONE },
  { "\\Marked", BUZON_IMAP_MAILBOX_MARKED, BUZON_IMAP_SPECIAL_USE_NONE },
  { "\\Unmarked", BUZON_IMAP_MAILBOX_UNMARKED, BUZON_IMAP_SPECIAL_USE_NONE },
  { "\\Subscribed", BUZON_IMAP_MAILBOX_SUBSCRIBED, BUZON_IMAP_SPECIAL_USE_NONE },
  { "\\NonExistent", BUZON_IMAP_MAILBOX_NONEXISTENT | BUZON_IMAP_MAILBOX_NOSELECT,
    BUZON_IMAP_SPECIAL_USE_NONE },
  { "\\Remote", BUZON_IMAP_MAILBOX_REMOTE, BUZON_IMAP_SPECIAL_USE_NONE },
  /* SPECIAL-USE (RFC 6154, RFC 8457). */
  { "\\All", 0, BUZON_IMAP_SPECIAL_USE_ALL },
  { "\\Archive", 0, BUZON_IMAP_SPECIAL_USE_ARCHIVE },
  { "\\Drafts", 0, BUZON_IMAP_SPECIAL_USE_DRAFTS },
  { "\\Flagged", 0, BUZON_IMAP_SPECIAL_USE_FLAGGED },
  { "\\Junk", 0, BUZON_IMAP_SPECIAL_USE_JUNK },
  { "\\Sent", 0, BUZON_IMAP_SPECIAL_USE_SENT },
  { "\\Trash", 0, BUZON_IMAP_SPECIAL_USE_TRASH },
  { "\\Important", 0, BUZON_IMAP_SPECIAL_USE_IMPORTANT },
  /* Gmail's XLIST names for the same things. */
  { "\\AllMail", 0, BUZON_IMAP_SPECIAL_USE_ALL },
  { "\\Starred", 0, BUZON_IMAP_SPECIAL_USE_FLAGGED },
  { "\\Spam", 0, BUZON_IMAP_SPECIAL_USE_JUNK },
};

typedef struct
{
  const char *name;
  BuzonImapSpecialUse special_use;
} WellKnownName;

/* Names that servers and other clients give these mailboxes, compared
 * without regard to case; only a last resort, for servers without
 * SPECIAL-USE. */
static const WellKnownName well_known_names[] = {
  { "Sent", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Sent Items", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Sent Messages", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Sent Mail", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Gesendet", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Gesendete Elemente", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Gesendete Objekte", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Enviados", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Elementos enviados", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Envoyés", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Éléments envoyés", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Posta inviata", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Inviati", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Verzonden items", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Drafts", BUZON_IMAP_SPECIAL_USE_DRAFTS },
  { "Draft", BUZON_IMAP_SPECIAL_USE_DRAFTS },
  { "Borradores", BUZON_IMAP_SPECIAL_USE_DRAFTS },
  { "Entwürfe", BUZON_IMAP_SPECIAL_USE_DRAFTS },
  { "Brouillons", BUZON_IMAP_SPECIAL_USE_DRAFTS },
  { "Bozze", BUZON_IMAP_SPECIAL_USE_DRAFTS },
  { "Concepten", BUZON_IMAP_SPECIAL_USE_DRAFTS },
  { "Rascunhos", BUZON_IMAP_SPECIAL_USE_DRAFTS },
  { "Trash", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Deleted Items", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Deleted Messages", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Bin", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Papelera", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Elementos eliminados", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Papierkorb", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Gelöschte Elemente", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Corbeille", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Cestino", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Prullenbak", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Lixeira", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Junk", BUZON_IMAP_SPECIAL_USE_JUNK },
  { "Junk E-mail", BUZON_IMAP_SPECIAL_USE_JUNK },
  { "Junk Email", BUZON_IMAP_SPECIAL_USE_JUNK },
  { "Spam", BUZON_IMAP_SPECIAL_USE_JUNK },
  { "Bulk Mail", BUZON_IMAP_SPECIAL_USE_JUNK },
  { "Correo no deseado", BUZON_IMAP_SPECIAL_USE_JUNK },
  { "Indésirables", BUZON_IMAP_SPECIAL_USE_JUNK },
  { "Archive", BUZON_IMAP_SPECIAL_USE_ARCHIVE },
  { "Archives", BUZON_IMAP_SPECIAL_USE_ARCHIVE },
  { "Archivo", BUZON_IMAP_SPECIAL_USE_ARCHIVE },
  { "Archiv", BUZON_IMAP_SPECIAL_USE_ARCHIVE },
  { "Archivio", BUZON_IMAP_SPECIAL_USE_ARCHIVE },
  { "Archief", BUZON_IMAP_SPECIAL_USE_ARCHIVE },
};

/* Gmail's own folders, under "[Gmail]/" (or "[Google Mail]/" in some
 * countries), for when its attributes are missing. */
static const WellKnownName gmail_names[] = {
  { "All Mail", BUZON_IMAP_SPECIAL_USE_ALL },
  { "Starred", BUZON_IMAP_SPECIAL_USE_FLAGGED },
  { "Important", BUZON_IMAP_SPECIAL_USE_IMPORTANT },
  { "Sent Mail", BUZON_IMAP_SPECIAL_USE_SENT },
  { "Drafts", BUZON_IMAP_SPECIAL_USE_DRAFTS },
  { "Spam", BUZON_IMAP_SPECIAL_USE_JUNK },
  { "Trash", BUZON_IMAP_SPECIAL_USE_TRASH },
  { "Bin", BUZON_IMAP_SPECIAL_USE_TRASH },
};

static GError *
malformed (void)
{
  return g_error_new_literal (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                              _("The server sent a malformed mailbox list"));
}

static void
read_attributes (BuzonImapMailbox     *self,
                 const BuzonImapValue *list)
{
  for (gsize i = 0; i < list->length; i++)
    {
      const char *attribute = buzon_imap_value_get_string (list->items[i], NULL);

      if (attribute == NULL)
        continue;
      for (gsize j = 0; j < G_N_ELEMENTS (attributes); j++)
        if (g_ascii_strcasecmp (attribute, attributes[j].attribute) == 0)
          {
            self->flags |= attributes[j].flags;
            if (attributes[j].special_use != BUZON_IMAP_SPECIAL_USE_NONE
                && self->special_use == BUZON_IMAP_SPECIAL_USE_NONE)
              self->special_use = attributes[j].special_use;
            break;
          }
    }
}

/**
 * buzon_imap_mailbox_new_from_list:
 * @response: an untagged LIST (or XLIST, LSUB) response
 * @utf8: whether UTF8=ACCEPT is enabled, so that names come in UTF-8
 *
 * Reads the name, delimiter and attributes. The special use is only what the
 * attributes say; buzon_imap_mailbox_guess_special_use() adds guesses from
 * names once the whole list is known.
 *
 * Returns: (transfer full): the mailbox, or %NULL with a
 *   BUZON_IMAP_ERROR_PARSE error when the response is not a LIST entry.
 */
BuzonImapMailbox *
buzon_imap_mailbox_new_from_list (const BuzonImapResponse *response,
                                  gboolean                 utf8,
                                  GError                 **error)
{
  g_autoptr (BuzonImapMailbox) self = NULL;
  const BuzonImapValue *list = buzon_imap_value_get_item (response->values, 0);
  const BuzonImapValue *delimiter = buzon_imap_value_get_item (response->values, 1);
  const char *raw;
  gsize length = 0;

  raw = buzon_imap_value_get_string (buzon_imap_value_get_item (response->values, 2), &length);
  if (list == NULL || list->kind != BUZON_IMAP_VALUE_LIST || delimiter == NULL
      || (delimiter->kind != BUZON_IMAP_VALUE_NIL && delimiter->kind != BUZON_IMAP_VALUE_STRING)
      || raw == NULL || length == 0 || memchr (raw, '\0', length) != NULL)
    {
      g_propagate_error (error, malformed ());
      return NULL;
    }

  self = g_new0 (BuzonImapMailbox, 1);
  self->raw_name = g_strndup (raw, length);
  /* INBOX in any case is INBOX (RFC 3501, 5.1), and goes back as such: the
   * cache knows it by that name, even before any LIST. */
  if (g_ascii_strcasecmp (self->raw_name, "INBOX") == 0)
    {
      g_free (self->raw_name);
      self->raw_name = g_strdup ("INBOX");
      self->name = g_strdup ("INBOX");
    }
  else
    self->name = buzon_imap_mailbox_decode (raw, length, utf8);
  if (delimiter->kind == BUZON_IMAP_VALUE_STRING && delimiter->length > 0)
    {
      gunichar c = g_utf8_get_char_validated (delimiter->data, delimiter->length);
      self->delimiter = c < (gunichar) -2 ? c : (guchar) delimiter->data[0];
    }
  read_attributes (self, list);
  return g_steal_pointer (&self);
}

void
buzon_imap_mailbox_free (BuzonImapMailbox *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->raw_name);
  g_clear_pointer (&self->status, buzon_imap_mailbox_status_free);
  g_free (self);
}

static BuzonImapSpecialUse
lookup (const WellKnownName *names,
        gsize                n,
        const char          *name)
{
  g_autofree char *folded = g_utf8_casefold (name, -1);

  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *known = g_utf8_casefold (names[i].name, -1);
      if (g_str_equal (folded, known))
        return names[i].special_use;
    }
  return BUZON_IMAP_SPECIAL_USE_NONE;
}

/* What a mailbox without attributes is probably for, from its name: at the
 * top, under INBOX (Courier and Cyrus put everything there), or among
 * Gmail's own folders. Deeper names ("Archive/2019") are never guessed. */
static BuzonImapSpecialUse
guess_from_name (const BuzonImapMailbox *mailbox)
{
  const char *name = mailbox->name;
  const char *prefixes[] = { "INBOX", "[Gmail]", "[Google Mail]" };
  char delimiter[8] = { 0 };

  if (mailbox->delimiter != 0)
    g_unichar_to_utf8 (mailbox->delimiter, delimiter);
  for (gsize i = 0; delimiter[0] != '\0' && i < G_N_ELEMENTS (prefixes); i++)
    {
      gsize length = strlen (prefixes[i]);

      if (g_ascii_strncasecmp (name, prefixes[i], length) == 0
          && g_str_has_prefix (name + length, delimiter))
        {
          const char *rest = name + length + strlen (delimiter);

          if (strstr (rest, delimiter) != NULL)
            return BUZON_IMAP_SPECIAL_USE_NONE;
          if (i > 0)
            return lookup (gmail_names, G_N_ELEMENTS (gmail_names), rest);
          return lookup (well_known_names, G_N_ELEMENTS (well_known_names), rest);
        }
    }
  if (delimiter[0] != '\0' && strstr (name, delimiter) != NULL)
    return BUZON_IMAP_SPECIAL_USE_NONE;
  return lookup (well_known_names, G_N_ELEMENTS (well_known_names), name);
}

/**
 * buzon_imap_mailbox_guess_special_use:
 * @mailboxes: (element-type BuzonImapMailbox): a whole LIST result
 *
 * For each special use that no mailbox claims by attribute, marks the first
 * selectable mailbox whose name is a well-known one for it ("Sent Items",
 * "Papelera", "[Gmail]/Spam"…), with special_use_guessed set.
 */
void
buzon_imap_mailbox_guess_special_use (GPtrArray *mailboxes)
{
  guint claimed = 0;

  g_return_if_fail (mailboxes != NULL);

  for (guint i = 0; i < mailboxes->len; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (mailboxes, i);
      claimed |= 1u << mailbox->special_use;
    }
  for (guint i = 0; i < mailboxes->len; i++)
    {
      BuzonImapMailbox *mailbox = g_ptr_array_index (mailboxes, i);
      BuzonImapSpecialUse guess;

      if (mailbox->special_use != BUZON_IMAP_SPECIAL_USE_NONE
          || (mailbox->flags & BUZON_IMAP_MAILBOX_NOSELECT) != 0)
        continue;
      guess = guess_from_name (mailbox);
      if (guess == BUZON_IMAP_SPECIAL_USE_NONE || (claimed & (1u << guess)) != 0)
        continue;
      mailbox->special_use = guess;
      mailbox->special_use_guessed = TRUE;
      claimed |= 1u << guess;
    }
}

/**
 * buzon_imap_mailbox_status_new_from_values:
 * @items: the list of a STATUS response: (MESSAGES 3 UNSEEN 1 …)
 *
 * Unknown items are skipped; a counter that is not a number is left out of
 * present.
 *
 * Returns: (transfer full): the counters, or %NULL when @items is not a list.
 */
BuzonImapMailboxStatus *
buzon_imap_mailbox_status_new_from_values (const BuzonImapValue *items)
{
  BuzonImapMailboxStatus *self;

  if (items == NULL || items->kind != BUZON_IMAP_VALUE_LIST)
    return NULL;

  self = g_new0 (BuzonImapMailboxStatus, 1);
  for (gsize i = 0; i + 1 < items->length; i += 2)
    {
      const char *name = buzon_imap_value_get_string (items->items[i], NULL);
      guint64 value = 0;

      if (name == NULL || !buzon_imap_value_get_number (items->items[i + 1], &value))
        continue;
      if (g_ascii_strcasecmp (name, "HIGHESTMODSEQ") == 0)
        {
          self->highestmodseq = value;
          self->present |= BUZON_IMAP_MAILBOX_STATUS_HIGHESTMODSEQ;
          continue;
        }
      if (value > G_MAXUINT32)
        continue;
      if (g_ascii_strcasecmp (name, "MESSAGES") == 0)
        {
          self->messages = (guint32) value;
          self->present |= BUZON_IMAP_MAILBOX_STATUS_MESSAGES;
        }
      else if (g_ascii_strcasecmp (name, "UNSEEN") == 0)
        {
          self->unseen = (guint32) value;
          self->present |= BUZON_IMAP_MAILBOX_STATUS_UNSEEN;
        }
      else if (g_ascii_strcasecmp (name, "UIDNEXT") == 0)
        {
          self->uidnext = (guint32) value;
          self->present |= BUZON_IMAP_MAILBOX_STATUS_UIDNEXT;
        }
      else if (g_ascii_strcasecmp (name, "UIDVALIDITY") == 0)
        {
          self->uidvalidity = (guint32) value;
          self->present |= BUZON_IMAP_MAILBOX_STATUS_UIDVALIDITY;
        }
    }
  return self;
}

void
buzon_imap_mailbox_status_free (BuzonImapMailboxStatus *self)
{
  g_free (self);
}
