// BuzonImapParser: real servers' responses fed whole, byte by byte and at
// random split points must give the same responses; bad input and limits
// give errors, never a crash.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "imap/imap-error.h"
#include "imap/imap-parser.h"

typedef struct
{
  const char *name;
  const char *input;
  gsize length; /* 0: strlen (input). */
  const char *expected[16];
} Transcript;

/* Holds a NUL byte, so its length cannot come from strlen(). */
#define RAW_BYTES                                                                                  \
  "* 2 FETCH (BINARY[1] ~{5}\r\nab\0cd FLAGS ())\r\n"                                              \
  "* LIST () \"/\" \"a \\\"quoted\\\" \\\\ name\"\r\n"                                             \
  "* LIST () \"/\" \"Caf\xe9\"\r\n"                                                                \
  "* LIST () \"/\" {9}\r\nEnvi&AOk-\r\n"

static const Transcript transcripts[] = {
  { "dovecot_greeting_and_login",
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] "
    "Dovecot (Debian) ready.\r\n"
    "a1 OK [CAPABILITY IMAP4rev1 CONDSTORE QRESYNC MOVE SPECIAL-USE COMPRESS=DEFLATE] "
    "Logged in\r\n",
    0,
    { "* OK [CAPABILITY (IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN)] "
      "Dovecot (Debian) ready.",
      "a1 OK [CAPABILITY (IMAP4rev1 CONDSTORE QRESYNC MOVE SPECIAL-USE COMPRESS=DEFLATE)] "
      "Logged in" } },
  { "dovecot_select_qresync",
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n"
    "* 172 EXISTS\r\n"
    "* 0 RECENT\r\n"
    "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
    "* OK [UIDNEXT 4392] Predicted next UID\r\n"
    "* OK [HIGHESTMODSEQ 715194045007] Highest\r\n"
    "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n"
    "* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\r\n"
    "a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n",
    0,
    { "* FLAGS ((\\Answered \\Flagged \\Deleted \\Seen \\Draft))",
      "* OK [PERMANENTFLAGS ((\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*))] Flags "
      "permitted.",
      "* 172 EXISTS", "* 0 RECENT", "* OK [UIDVALIDITY (3857529045)] UIDs valid",
      "* OK [UIDNEXT (4392)] Predicted next UID", "* OK [HIGHESTMODSEQ (715194045007)] Highest",
      "* VANISHED ((EARLIER) 41,43:116,118,120:211,214:540)",
      "* 49 FETCH ((UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001)))",
      "a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs)." } },
  { "dovecot_fetch_envelope_bodystructure_literal",
    "* 1 FETCH (UID 4 RFC822.SIZE 1923 ENVELOPE (\"Fri, 27 Nov 2026 10:00:00 +0100\" "
    "\"=?UTF-8?Q?Caf=C3=A9?=\" ((\"Ana\" NIL \"ana\" \"example.test\")) NIL NIL "
    "((NIL NIL \"bob\" \"example.test\")) NIL NIL NIL \"<a@example.test>\") "
    "BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 12 1 "
    "NIL NIL NIL NIL)(\"application\" \"pdf\" (\"name\" \"f.pdf\") NIL NIL \"base64\" 880 NIL "
    "(\"attachment\" (\"filename\" \"f.pdf\")) NIL NIL) \"mixed\" (\"boundary\" \"b1\") NIL NIL "
    "NIL) "
    "BODY[HEADER.FIELDS (REFERENCES IN-REPLY-TO)] {26}\r\n"
    "In-Reply-To: <x@y>\r\n\r\n\r\n\r\n)\r\n"
    "a3 OK Fetch completed.\r\n",
    0,
    { "* 1 FETCH ((UID 4 RFC822.SIZE 1923 ENVELOPE (\"Fri, 27 Nov 2026 10:00:00 +0100\" "
      "\"=?UTF-8?Q?Caf=C3=A9?=\" ((\"Ana\" NIL \"ana\" \"example.test\")) NIL NIL "
      "((NIL NIL \"bob\" \"example.test\")) NIL NIL NIL \"<a@example.test>\") "
      "BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 12 "
      "1 "
      "NIL NIL NIL NIL) (\"application\" \"pdf\" (\"name\" \"f.pdf\") NIL NIL \"base64\" 880 NIL "
      "(\"attachment\" (\"filename\" \"f.pdf\")) NIL NIL) \"mixed\" (\"boundary\" \"b1\") NIL NIL "
      "NIL) "
      "BODY[HEADER.FIELDS (REFERENCES IN-REPLY-TO)] "
      "\"In-Reply-To: <x@y>\\x0d\\x0a\\x0d\\x0a\\x0d\\x0a\\x0d\\x0a\"))",
      "a3 OK Fetch completed." } },
  { "gmail_labels_and_list",
    "* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"\r\n"
    "* 3 FETCH (X-GM-MSGID 1278455344230334865 X-GM-THRID 1266894439832287888 "
    "X-GM-LABELS (\\Inbox \\Sent Important \"Muy importante\") UID 9)\r\n"
    "a4 OK Success\r\n",
    0,
    { "* LIST ((\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\")",
      "* 3 FETCH ((X-GM-MSGID 1278455344230334865 X-GM-THRID 1266894439832287888 "
      "X-GM-LABELS (\\Inbox \\Sent Important \"Muy importante\") UID 9))",
      "a4 OK Success" } },
  { "icloud_capability_trailing_space",
    "* CAPABILITY XAPPLEPUSHSERVICE IMAP4 IMAP4rev1 SASL-IR AUTH=ATOKEN AUTH=PLAIN \r\n",
    0,
    { "* CAPABILITY (XAPPLEPUSHSERVICE IMAP4 IMAP4rev1 SASL-IR AUTH=ATOKEN AUTH=PLAIN)" } },
  { "office365_greeting_and_bye",
    "* OK The Microsoft Exchange IMAP4 service is ready. "
    "[TQBOADIAUABSADAAMwBDAEEAMAAwADEANgAuAG4AYQBtAHAA]\r\n"
    "* BYE Connection is closed. 13\r\n",
    0,
    { "* OK The Microsoft Exchange IMAP4 service is ready. "
      "[TQBOADIAUABSADAAMwBDAEEAMAAwADEANgAuAG4AYQBtAHAA]",
      "* BYE Connection is closed. 13" } },
  { "rfc9051_esearch_status_namespace_id_enabled",
    "* ESEARCH (TAG \"a5\") UID MIN 1 COUNT 3 ALL 1:3\r\n"
    "* STATUS \"Sent Items\" (MESSAGES 2 UNSEEN 0 HIGHESTMODSEQ 7)\r\n"
    "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"
    "* ID (\"name\" \"Dovecot\")\r\n"
    "* ENABLED QRESYNC\r\n"
    "* SEARCH\r\n",
    0,
    { "* ESEARCH ((TAG \"a5\") UID MIN 1 COUNT 3 ALL 1:3)",
      "* STATUS (\"Sent Items\" (MESSAGES 2 UNSEEN 0 HIGHESTMODSEQ 7))",
      "* NAMESPACE (((\"\" \"/\")) NIL NIL)", "* ID ((\"name\" \"Dovecot\"))",
      "* ENABLED (QRESYNC)", "* SEARCH" } },
  { "continuations",
    "+ idling\r\n+\r\n+ dXNlcm5hbWU6\r\n",
    0,
    { "+ idling", "+ ", "+ dXNlcm5hbWU6" } },
  { "response_codes",
    "a6 OK [APPENDUID 38505 3955] APPEND completed\r\n"
    "a7 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n"
    "a8 NO [TRYCREATE] Mailbox doesn't exist: Nope\r\n"
    "a9 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
    "* OK [ALERT] System shutdown in 10 minutes\r\n"
    "* OK [CLOSED] Previous mailbox closed.\r\n"
    "b1 BAD [BADCHARSET (US-ASCII UTF-8)] Unsupported\r\n"
    "* NO [NOMODSEQ] No permanent modsequences\r\n",
    0,
    { "a6 OK [APPENDUID (38505 3955)] APPEND completed",
      "a7 OK [COPYUID (38505 304,319:320 3956:3958)] Done",
      "a8 NO [TRYCREATE] Mailbox doesn't exist: Nope",
      "a9 NO [AUTHENTICATIONFAILED] Authentication failed.",
      "* OK [ALERT] System shutdown in 10 minutes", "* OK [CLOSED] Previous mailbox closed.",
      "b1 BAD [BADCHARSET ((US-ASCII UTF-8))] Unsupported",
      "* NO [NOMODSEQ] No permanent modsequences" } },
  { "quoted_escapes_literal8_and_raw_bytes",
    RAW_BYTES,
    sizeof RAW_BYTES - 1,
    { "* 2 FETCH ((BINARY[1] \"ab\\x00cd\" FLAGS ()))",
      "* LIST (() \"/\" \"a \\\"quoted\\\" \\\\ name\")", "* LIST (() \"/\" \"Caf\\xe9\")",
      "* LIST (() \"/\" \"Envi&AOk-\")" } },
  { "bare_lf_line_ends",
    "* 5 EXISTS\n* 1 EXPUNGE\na1 OK done\n",
    0,
    { "* 5 EXISTS", "* 1 EXPUNGE", "a1 OK done" } },
};

static GPtrArray *
parse_in_chunks (const char *input,
                 gsize       length,
                 const gsize *splits,
                 guint        n_splits,
                 GError    **error)
{
  g_autoptr (BuzonImapParser) parser = buzon_imap_parser_new (NULL);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  gsize offset = 0;

  for (guint i = 0; i <= n_splits; i++)
    {
      gsize next = i < n_splits ? splits[i] : length;
      BuzonImapResponse *response;

      buzon_imap_parser_feed (parser, input + offset, next - offset);
      offset = next;
      while ((response = buzon_imap_parser_next (parser, error)) != NULL)
        {
          g_ptr_array_add (out, buzon_imap_response_to_string (response));
          buzon_imap_response_free (response);
        }
      if (error != NULL && *error != NULL)
        return NULL;
    }
  g_assert_cmpuint (buzon_imap_parser_get_buffered (parser), ==, 0);
  return g_steal_pointer (&out);
}

static void
assert_transcript (const Transcript *t,
                   GPtrArray        *got)
{
  guint expected = 0;

  while (expected < G_N_ELEMENTS (t->expected) && t->expected[expected] != NULL)
    expected++;
  for (guint i = 0; i < got->len && i < expected; i++)
    g_assert_cmpstr (got->pdata[i], ==, t->expected[i]);
  g_assert_cmpuint (got->len, ==, expected);
}

static void
test_transcript (gconstpointer data)
{
  const Transcript *t = data;
  gsize length = t->length > 0 ? t->length : strlen (t->input);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) whole = NULL;
  g_autoptr (GPtrArray) bytewise = NULL;
  g_autofree gsize *every = g_new (gsize, length);
  g_autoptr (GRand) rand = g_rand_new_with_seed (g_str_hash (t->name));

  /* Whole. */
  whole = parse_in_chunks (t->input, length, NULL, 0, &error);
  g_assert_no_error (error);
  assert_transcript (t, whole);

  /* One byte at a time. */
  for (gsize i = 0; i + 1 < length; i++)
    every[i] = i + 1;
  bytewise = parse_in_chunks (t->input, length, every, length - 1, &error);
  g_assert_no_error (error);
  assert_transcript (t, bytewise);

  /* Random split points, many times. */
  for (guint round = 0; round < 200; round++)
    {
      gsize splits[8];
      guint n = g_rand_int_range (rand, 1, G_N_ELEMENTS (splits) + 1);
      g_autoptr (GPtrArray) got = NULL;

      for (guint i = 0; i < n; i++)
        splits[i] = g_rand_int_range (rand, 0, length + 1);
      for (guint i = 1; i < n; i++) /* Sort: insertion sort on a handful. */
        for (guint j = i; j > 0 && splits[j - 1] > splits[j]; j--)
          {
            gsize tmp = splits[j];
            splits[j] = splits[j - 1];
            splits[j - 1] = tmp;
          }
      got = parse_in_chunks (t->input, length, splits, n, &error);
      g_assert_no_error (error);
      assert_transcript (t, got);
    }
}

static void
test_typed_access (void)
{
  static const char input[] = "* 49 FETCH (UID 117 RFC822.SIZE 1923 BODY[] {3}\r\nhi\0 FLAGS "
                              "NIL)\r\n";
  g_autoptr (BuzonImapParser) parser = buzon_imap_parser_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  const BuzonImapValue *items;
  guint64 number = 0;
  gsize length = 0;
  const char *body;

  buzon_imap_parser_feed (parser, input, sizeof input - 1);
  response = buzon_imap_parser_next (parser, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  g_assert_cmpint (response->kind, ==, BUZON_IMAP_RESPONSE_UNTAGGED);
  g_assert_cmpint (response->status, ==, BUZON_IMAP_STATUS_NONE);
  g_assert_cmpint (response->number, ==, 49);
  g_assert_cmpstr (response->keyword, ==, "FETCH");
  items = buzon_imap_value_get_item (response->values, 0);
  g_assert_cmpuint (items->length, ==, 8);
  g_assert_true (buzon_imap_value_is_atom (buzon_imap_value_get_item (items, 0), "uid"));
  g_assert_true (buzon_imap_value_get_number (buzon_imap_value_get_item (items, 1), &number));
  g_assert_cmpuint (number, ==, 117);
  g_assert_false (buzon_imap_value_get_number (buzon_imap_value_get_item (items, 2), &number));
  body = buzon_imap_value_get_string (buzon_imap_value_get_item (items, 5), &length);
  g_assert_cmpuint (length, ==, 3);
  g_assert_cmpmem (body, 3, "hi\0", 3);
  g_assert_true (buzon_imap_value_get_item (items, 5)->literal);
  g_assert_cmpint (buzon_imap_value_get_item (items, 7)->kind, ==, BUZON_IMAP_VALUE_NIL);
  g_assert_null (buzon_imap_value_get_string (buzon_imap_value_get_item (items, 7), NULL));
  g_assert_null (buzon_imap_value_get_item (items, 8));
}

/* Numbers are whole atoms of digits up to G_MAXINT64, which a signed
 * SQLite column can hold: anything else is not a number. */
static void
test_numbers (void)
{
  static const char input[] = "* 1 FETCH (0 007 9223372036854775807 9223372036854775808 "
                              "99999999999999999999999 12a -1 \"12\" NIL ())\r\n";
  static const struct
  {
    gboolean ok;
    guint64 number;
  } expected[] = {
    { TRUE, 0 },  { TRUE, 7 },   { TRUE, G_MAXINT64 }, { FALSE, 0 }, { FALSE, 0 },
    { FALSE, 0 }, { FALSE, 0 },  { FALSE, 0 },         { FALSE, 0 }, { FALSE, 0 },
  };
  g_autoptr (BuzonImapParser) parser = buzon_imap_parser_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  const BuzonImapValue *items;

  buzon_imap_parser_feed (parser, input, sizeof input - 1);
  response = buzon_imap_parser_next (parser, &error);
  g_assert_no_error (error);
  items = buzon_imap_value_get_item (response->values, 0);
  g_assert_cmpuint (items->length, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      guint64 number = 4242;

      g_assert_cmpint (buzon_imap_value_get_number (items->items[i], &number), ==,
                       expected[i].ok);
      /* A failure leaves the number alone. */
      g_assert_cmpuint (number, ==, expected[i].ok ? expected[i].number : 4242);
    }
  g_assert_false (buzon_imap_value_get_number (NULL, NULL));
}

typedef struct
{
  const char *name;
  const char *input;
  BuzonImapParserLimits limits;
  int code;
} Bad;

static const Bad bad[] = {
  { "unterminated_quote", "* LIST () \"/\" \"INBOX\r\n", { 0 }, BUZON_IMAP_ERROR_PARSE },
  { "unclosed_list", "* 1 FETCH (UID 1\r\n", { 0 }, BUZON_IMAP_ERROR_PARSE },
  { "stray_close", "* 1 FETCH UID 1)\r\n", { 0 }, BUZON_IMAP_ERROR_PARSE },
  { "tagged_preauth", "a1 PREAUTH hi\r\n", { 0 }, BUZON_IMAP_ERROR_PARSE },
  { "tagged_data", "a1 FETCH (UID 1)\r\n", { 0 }, BUZON_IMAP_ERROR_PARSE },
  { "empty_line", "\r\n", { 0 }, BUZON_IMAP_ERROR_PARSE },
  { "number_too_big", "* 99999999999 EXISTS\r\n", { 0 }, BUZON_IMAP_ERROR_PARSE },
  { "number_without_data", "* 12\r\n", { 0 }, BUZON_IMAP_ERROR_PARSE },
  { "unclosed_section", "* 1 FETCH (BODY[HEADER {3}\r\nabc)\r\n", { 0 }, BUZON_IMAP_ERROR_PARSE },
  { "long_line", "* OK 0123456789012345678901234567890123456789\r\n",
    { .max_line = 32, .max_literal = 1024, .max_depth = 8 }, BUZON_IMAP_ERROR_LIMIT },
  { "long_line_unfinished", "* OK 0123456789012345678901234567890123456789",
    { .max_line = 32, .max_literal = 1024, .max_depth = 8 }, BUZON_IMAP_ERROR_LIMIT },
  { "big_literal", "* 1 FETCH (BODY[] {104857600}\r\n",
    { .max_line = 1024, .max_literal = 1024 * 1024, .max_depth = 8 }, BUZON_IMAP_ERROR_LIMIT },
  { "huge_literal_size", "* 1 FETCH (BODY[] {99999999999999999999999}\r\n",
    { .max_line = 1024, .max_literal = 1024 * 1024, .max_depth = 8 }, BUZON_IMAP_ERROR_LIMIT },
  { "many_literals", "* 1 FETCH (BODY[1] {600}\r\n",
    { .max_line = 1024, .max_literal = 1024, .max_depth = 8, .max_response = 500 },
    BUZON_IMAP_ERROR_LIMIT },
  { "deep_nesting", "* 1 FETCH ((((((((((1))))))))))\r\n",
    { .max_line = 1024, .max_literal = 1024, .max_depth = 8 }, BUZON_IMAP_ERROR_LIMIT },
};

static void
test_bad (gconstpointer data)
{
  const Bad *b = data;
  const BuzonImapParserLimits *limits = b->limits.max_line > 0 ? &b->limits : NULL;
  g_autoptr (BuzonImapParser) parser = buzon_imap_parser_new (limits);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) again = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (BuzonImapResponse) after = NULL;

  buzon_imap_parser_feed (parser, b->input, strlen (b->input));
  response = buzon_imap_parser_next (parser, &error);
  g_assert_null (response);
  g_assert_error (error, BUZON_IMAP_ERROR, b->code);
  g_test_message ("%s: %s", b->name, error->message);

  /* The error sticks: a connection that sent garbage is not read further. */
  buzon_imap_parser_feed (parser, "* 1 EXISTS\r\n", 12);
  after = buzon_imap_parser_next (parser, &again);
  g_assert_null (after);
  g_assert_error (again, BUZON_IMAP_ERROR, b->code);
}

static void
test_partial_needs_more (void)
{
  g_autoptr (BuzonImapParser) parser = buzon_imap_parser_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) none = NULL;
  g_autoptr (BuzonImapResponse) done = NULL;
  const char *head = "* 1 FETCH (BODY[] {10}\r\n01234";

  /* Inside a literal that contains what looks like a line end, the parser
   * waits for the literal's last byte. */
  buzon_imap_parser_feed (parser, head, strlen (head));
  none = buzon_imap_parser_next (parser, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  buzon_imap_parser_feed (parser, "\r\n789)\r\n", 8);
  done = buzon_imap_parser_next (parser, &error);
  g_assert_no_error (error);
  g_assert_nonnull (done);
  {
    g_autofree char *text = buzon_imap_response_to_string (done);
    g_assert_cmpstr (text, ==, "* 1 FETCH ((BODY[] \"01234\\x0d\\x0a789\"))");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (transcripts); i++)
    {
      g_autofree char *path = g_strdup_printf ("/imap-parser/transcript/%s", transcripts[i].name);
      g_test_add_data_func (path, &transcripts[i], test_transcript);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/imap-parser/bad/%s", bad[i].name);
      g_test_add_data_func (path, &bad[i], test_bad);
    }
  g_test_add_func ("/imap-parser/typed-access", test_typed_access);
  g_test_add_func ("/imap-parser/numbers", test_numbers);
  g_test_add_func ("/imap-parser/partial-needs-more", test_partial_needs_more);

  return g_test_run ();
}
