// BuzonImapMailbox from other servers' LIST lines (special use, guesses,
// flags) and BuzonImapUidRange sets, without a server.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "imap/imap-error.h"
#include "imap/imap-mailbox.h"
#include "imap/imap-parser.h"
#include "imap/imap-uid-set.h"

static const BuzonImapMailbox *
find_mailbox (GPtrArray  *mailboxes,
              const char *name)
{
  for (guint i = 0; i < mailboxes->len; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (mailboxes, i);
      if (g_str_equal (mailbox->name, name))
        return mailbox;
    }
  return NULL;
}

/* Special uses from LIST lines of other servers, through the real parser. */
static GPtrArray *
parse_list (const char *lines)
{
  g_autoptr (BuzonImapParser) parser = buzon_imap_parser_new (NULL);
  GPtrArray *mailboxes = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_mailbox_free);
  BuzonImapResponse *response;
  g_autoptr (GError) error = NULL;

  buzon_imap_parser_feed (parser, lines, strlen (lines));
  while ((response = buzon_imap_parser_next (parser, &error)) != NULL)
    {
      g_autoptr (BuzonImapResponse) owned G_GNUC_UNUSED = response;
      BuzonImapMailbox *mailbox = buzon_imap_mailbox_new_from_list (response, FALSE, &error);

      g_assert_no_error (error);
      g_ptr_array_add (mailboxes, mailbox);
    }
  g_assert_no_error (error);
  buzon_imap_mailbox_guess_special_use (mailboxes);
  return mailboxes;
}

static void
test_special_use_quirks (void)
{
  g_autoptr (GPtrArray) gmail = parse_list (
    "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n"
    "* LIST (\\HasChildren \\Noselect) \"/\" \"[Gmail]\"\r\n"
    "* LIST (\\AllMail \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"\r\n"
    "* LIST (\\HasNoChildren \\Spam) \"/\" \"[Gmail]/Spam\"\r\n"
    "* LIST (\\HasNoChildren \\Starred) \"/\" \"[Gmail]/Starred\"\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"[Gmail]/Sent Mail\"\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"[Gmail]/Bin\"\r\n");
  g_autoptr (GPtrArray) courier = parse_list (
    "* LIST (\\HasChildren) \".\" \"inbox\"\r\n"
    "* LIST (\\HasNoChildren) \".\" \"INBOX.Sent Items\"\r\n"
    "* LIST (\\HasNoChildren) \".\" \"INBOX.Papelera\"\r\n"
    "* LIST (\\HasNoChildren) \".\" \"INBOX.Archivo.2019\"\r\n"
    "* LIST (\\HasNoChildren) \".\" \"Borradores\"\r\n"
    "* LIST (\\HasNoChildren \\Sent) \".\" \"Enviados\"\r\n"
    "* LIST (\\NonExistent) NIL \"Spam\"\r\n");
  const BuzonImapMailbox *mailbox;

  /* XLIST attributes count as attributes; names under [Gmail] are guessed. */
  mailbox = find_mailbox (gmail, "[Gmail]/All Mail");
  g_assert_cmpint (mailbox->special_use, ==, BUZON_IMAP_SPECIAL_USE_ALL);
  g_assert_false (mailbox->special_use_guessed);
  g_assert_cmpint (find_mailbox (gmail, "[Gmail]/Spam")->special_use, ==,
                   BUZON_IMAP_SPECIAL_USE_JUNK);
  g_assert_cmpint (find_mailbox (gmail, "[Gmail]/Starred")->special_use, ==,
                   BUZON_IMAP_SPECIAL_USE_FLAGGED);
  mailbox = find_mailbox (gmail, "[Gmail]/Sent Mail");
  g_assert_cmpint (mailbox->special_use, ==, BUZON_IMAP_SPECIAL_USE_SENT);
  g_assert_true (mailbox->special_use_guessed);
  g_assert_cmpint (find_mailbox (gmail, "[Gmail]/Bin")->special_use, ==,
                   BUZON_IMAP_SPECIAL_USE_TRASH);
  g_assert_true (find_mailbox (gmail, "[Gmail]")->flags & BUZON_IMAP_MAILBOX_NOSELECT);

  /* INBOX in any case is "INBOX", for people and for commands (RFC 3501,
   * 5.1); names under it are guessed, deeper ones are not, and an
   * attribute elsewhere beats a guess. */
  mailbox = find_mailbox (courier, "INBOX");
  g_assert_nonnull (mailbox);
  g_assert_cmpstr (mailbox->raw_name, ==, "INBOX");
  g_assert_cmpint (find_mailbox (courier, "INBOX.Papelera")->special_use, ==,
                   BUZON_IMAP_SPECIAL_USE_TRASH);
  g_assert_cmpint (find_mailbox (courier, "INBOX.Archivo.2019")->special_use, ==,
                   BUZON_IMAP_SPECIAL_USE_NONE);
  mailbox = find_mailbox (courier, "Borradores");
  g_assert_cmpint (mailbox->special_use, ==, BUZON_IMAP_SPECIAL_USE_DRAFTS);
  g_assert_true (mailbox->special_use_guessed);
  g_assert_cmpint (find_mailbox (courier, "INBOX.Sent Items")->special_use, ==,
                   BUZON_IMAP_SPECIAL_USE_NONE);
  g_assert_false (find_mailbox (courier, "Enviados")->special_use_guessed);
  mailbox = find_mailbox (courier, "Spam");
  g_assert_cmpint (mailbox->special_use, ==, BUZON_IMAP_SPECIAL_USE_NONE);
  g_assert_cmpuint (mailbox->delimiter, ==, 0);
  g_assert_cmpint (mailbox->flags, ==,
                   BUZON_IMAP_MAILBOX_NONEXISTENT | BUZON_IMAP_MAILBOX_NOSELECT);
}

static void
test_uid_set_ranges (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) all = buzon_imap_uid_set_parse ("1:4294967295", 12, &error);
  g_autoptr (GArray) some = buzon_imap_uid_set_parse ("41,43:116,120:118", 17, &error);
  g_autoptr (GArray) bad = NULL;

  g_assert_no_error (error);
  /* Ranges, not expanded lists. */
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpuint (buzon_imap_uid_set_count (all), ==, G_MAXUINT32);
  g_assert_true (buzon_imap_uid_set_contains (all, G_MAXUINT32));
  g_assert_cmpuint (some->len, ==, 3);
  g_assert_cmpuint (g_array_index (some, BuzonImapUidRange, 2).first, ==, 118);
  g_assert_cmpuint (buzon_imap_uid_set_count (some), ==, 1 + 74 + 3);
  g_assert_false (buzon_imap_uid_set_contains (some, 42));

  bad = buzon_imap_uid_set_parse ("1:*", 3, &error);
  g_assert_null (bad);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE);
  g_clear_error (&error);
  bad = buzon_imap_uid_set_parse ("0,4294967296", 12, &error);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE);
  g_assert_true (buzon_imap_uid_set_is_valid ("1:*"));
  g_assert_false (buzon_imap_uid_set_is_valid ("1:5,"));
  g_assert_false (buzon_imap_uid_set_is_valid ("1 FLAGS"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap-mailbox/special-use-quirks", test_special_use_quirks);
  g_test_add_func ("/imap-mailbox/uid-set-ranges", test_uid_set_ranges);

  return g_test_run ();
}
