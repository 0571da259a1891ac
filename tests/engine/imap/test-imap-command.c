// BuzonImapCommand: the exact bytes of real commands in each literal mode,
// chunks that end where the server must answer "+", compact sequence sets,
// and no user data that can break out of its argument.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "imap/imap-command.h"

typedef struct
{
  const char *data;
  gsize length;
} Chunk;

/* A chunk given as a string literal, which may hold NUL bytes. */
#define C(s) { s, sizeof s - 1 }

static void
assert_chunks (GPtrArray   *chunks,
               const Chunk *expected,
               guint        n_expected)
{
  g_assert_nonnull (chunks);
  for (guint i = 0; i < chunks->len && i < n_expected; i++)
    {
      gsize length = 0;
      const char *data = g_bytes_get_data (chunks->pdata[i], &length);

      g_assert_cmpmem (data, length, expected[i].data, expected[i].length);
    }
  g_assert_cmpuint (chunks->len, ==, n_expected);
}

static void
assert_serializes (BuzonImapCommand    *command,
                   const char          *tag,
                   BuzonImapLiteralMode mode,
                   const Chunk         *expected,
                   guint                n_expected)
{
  g_autoptr (GPtrArray) chunks = buzon_imap_command_serialize (command, tag, mode);

  assert_chunks (chunks, expected, n_expected);
}

static BuzonImapCommand *
login (const char *user,
       const char *password,
       gssize      password_length)
{
  BuzonImapCommand *command = buzon_imap_command_new ("LOGIN");

  buzon_imap_command_add_astring (command, user, -1);
  buzon_imap_command_add_string (command, password, password_length);
  return command;
}

static void
test_login_simple (void)
{
  g_autoptr (BuzonImapCommand) command = login ("alice", "alice-secret", -1);
  static const Chunk expected[] = { C ("a1 LOGIN alice \"alice-secret\"\r\n") };

  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_SYNC, expected, 1);
  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_PLUS, expected, 1);
  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_MINUS, expected, 1);
}

static void
test_login_quote_and_backslash (void)
{
  g_autoptr (BuzonImapCommand) command = login ("ana@example.test", "p\"a\\ss word", -1);
  static const Chunk expected[] = { C ("a1 LOGIN ana@example.test \"p\\\"a\\\\ss word\"\r\n") };

  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_SYNC, expected, 1);
  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_PLUS, expected, 1);
}

static void
test_login_crlf_injection (void)
{
  /* A password that would end the line and send a second command if it
   * were quoted naively. */
  g_autoptr (BuzonImapCommand) command = login ("alice", "x\r\na2 DELETE INBOX", -1);
  static const Chunk sync[] = {
    C ("a1 LOGIN alice {18}\r\n"),
    C ("x\r\na2 DELETE INBOX\r\n"),
  };
  static const Chunk plus[] = { C ("a1 LOGIN alice {18+}\r\nx\r\na2 DELETE INBOX\r\n") };

  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_SYNC, sync, G_N_ELEMENTS (sync));
  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_PLUS, plus, G_N_ELEMENTS (plus));
  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_MINUS, plus, G_N_ELEMENTS (plus));
}

static void
test_login_nul_and_8bit (void)
{
  g_autoptr (BuzonImapCommand) nul = login ("alice", "ab\0cd", 5);
  g_autoptr (BuzonImapCommand) latin = login ("alice", "contraseña", -1);
  g_autoptr (BuzonImapCommand) utf8 = buzon_imap_command_new ("LOGIN");
  static const Chunk nul_sync[] = { C ("a1 LOGIN alice {5}\r\n"), C ("ab\0cd\r\n") };
  static const Chunk latin_sync[] = { C ("a1 LOGIN alice {11}\r\n"), C ("contraseña\r\n") };
  static const Chunk latin_plus[] = { C ("a1 LOGIN alice {11+}\r\ncontraseña\r\n") };
  static const Chunk utf8_quoted[] = { C ("a1 LOGIN alice \"contraseña\"\r\n") };

  assert_serializes (nul, "a1", BUZON_IMAP_LITERAL_SYNC, nul_sync, G_N_ELEMENTS (nul_sync));
  assert_serializes (latin, "a1", BUZON_IMAP_LITERAL_SYNC, latin_sync,
                     G_N_ELEMENTS (latin_sync));
  assert_serializes (latin, "a1", BUZON_IMAP_LITERAL_PLUS, latin_plus,
                     G_N_ELEMENTS (latin_plus));
  assert_serializes (latin, "a1", BUZON_IMAP_LITERAL_MINUS, latin_plus,
                     G_N_ELEMENTS (latin_plus));

  /* With UTF8=ACCEPT, valid UTF-8 may be quoted; invalid UTF-8 may not. */
  buzon_imap_command_set_utf8 (utf8, TRUE);
  buzon_imap_command_add_astring (utf8, "alice", -1);
  buzon_imap_command_add_string (utf8, "contraseña", -1);
  assert_serializes (utf8, "a1", BUZON_IMAP_LITERAL_SYNC, utf8_quoted,
                     G_N_ELEMENTS (utf8_quoted));
  {
    g_autoptr (BuzonImapCommand) bad = buzon_imap_command_new ("LOGIN");
    static const Chunk expected[] = { C ("a1 LOGIN alice {4+}\r\nCaf\xe9\r\n") };

    buzon_imap_command_set_utf8 (bad, TRUE);
    buzon_imap_command_add_astring (bad, "alice", -1);
    buzon_imap_command_add_string (bad, "Caf\xe9", -1);
    assert_serializes (bad, "a1", BUZON_IMAP_LITERAL_PLUS, expected, G_N_ELEMENTS (expected));
  }
}

static void
test_login_both_literals (void)
{
  /* Two synchronising literals: three chunks, two waits for "+". */
  g_autoptr (BuzonImapCommand) command = login ("ana garcía", "tab\there", -1);
  static const Chunk sync[] = {
    C ("a1 LOGIN {11}\r\n"),
    C ("ana garcía {8}\r\n"),
    C ("tab\there\r\n"),
  };
  static const Chunk plus[] = { C ("a1 LOGIN {11+}\r\nana garcía {8+}\r\ntab\there\r\n") };

  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_SYNC, sync, G_N_ELEMENTS (sync));
  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_PLUS, plus, G_N_ELEMENTS (plus));
  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_MINUS, plus, G_N_ELEMENTS (plus));
}

static void
test_astring_forms (void)
{
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("X");
  static const Chunk expected[] = {
    C ("t X plain \"NIL\" \"nil\" \"\" \"a b\" \"50%\" \"a*\" \"(x)\" \"x]\" \"{3}\" \"\\\\\"\r\n"),
  };

  /* NIL would be read as no string; the others hold atom-specials. */
  for (const char *const *s = (const char *const[]) { "plain", "NIL", "nil", "", "a b", "50%",
                                                       "a*", "(x)", "x]", "{3}", "\\", NULL };
       *s != NULL; s++)
    buzon_imap_command_add_astring (command, *s, -1);
  assert_serializes (command, "t", BUZON_IMAP_LITERAL_SYNC, expected, 1);
}

static void
test_quoted_limit (void)
{
  g_autofree char *long_text = g_strnfill (1025, 'x');
  g_autoptr (BuzonImapCommand) at_limit = buzon_imap_command_new ("X");
  g_autoptr (BuzonImapCommand) over = buzon_imap_command_new ("X");
  g_autoptr (GPtrArray) chunks = NULL;
  gsize length = 0;
  const char *data;

  buzon_imap_command_add_string (at_limit, long_text, 1024);
  chunks = buzon_imap_command_serialize (at_limit, "t", BUZON_IMAP_LITERAL_SYNC);
  g_assert_cmpuint (chunks->len, ==, 1);
  g_assert_cmpuint (g_bytes_get_size (chunks->pdata[0]), ==, strlen ("t X \"\"\r\n") + 1024);
  g_clear_pointer (&chunks, g_ptr_array_unref);

  buzon_imap_command_add_string (over, long_text, -1);
  chunks = buzon_imap_command_serialize (over, "t", BUZON_IMAP_LITERAL_SYNC);
  g_assert_cmpuint (chunks->len, ==, 2);
  data = g_bytes_get_data (chunks->pdata[0], &length);
  g_assert_cmpmem (data, length, "t X {1025}\r\n", 12);
}

static void
test_literal_minus_boundary (void)
{
  g_autofree char *text = g_strnfill (4097, '\n');
  g_autoptr (GBytes) small = g_bytes_new (text, 4096);
  g_autoptr (GBytes) large = g_bytes_new (text, 4097);
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("APPEND");
  g_autoptr (GPtrArray) minus = NULL;
  g_autoptr (GPtrArray) plus = NULL;
  g_autoptr (GPtrArray) sync = NULL;
  g_autoptr (GString) first = g_string_new ("a9 APPEND INBOX {4096+}\r\n");
  gsize length = 0;
  const char *data;

  buzon_imap_command_add_mailbox (command, "INBOX");
  buzon_imap_command_add_literal (command, small, FALSE);
  buzon_imap_command_add_literal (command, large, FALSE);

  /* LITERAL-: the 4096-byte literal goes at once, the 4097-byte one waits. */
  minus = buzon_imap_command_serialize (command, "a9", BUZON_IMAP_LITERAL_MINUS);
  g_assert_cmpuint (minus->len, ==, 2);
  g_string_append_len (first, text, 4096);
  g_string_append (first, " {4097}\r\n");
  data = g_bytes_get_data (minus->pdata[0], &length);
  g_assert_cmpmem (data, length, first->str, first->len);
  data = g_bytes_get_data (minus->pdata[1], &length);
  g_assert_cmpuint (length, ==, 4097 + 2);
  g_assert_cmpmem (data + 4097, 2, "\r\n", 2);

  plus = buzon_imap_command_serialize (command, "a9", BUZON_IMAP_LITERAL_PLUS);
  g_assert_cmpuint (plus->len, ==, 1);
  data = g_bytes_get_data (plus->pdata[0], &length);
  g_assert_nonnull (g_strstr_len (data, length, " {4097+}\r\n"));

  sync = buzon_imap_command_serialize (command, "a9", BUZON_IMAP_LITERAL_SYNC);
  g_assert_cmpuint (sync->len, ==, 3);
}

static void
test_uid_fetch (void)
{
  static const guint32 uids[] = { 9, 5, 1, 3, 2, 0, 8, 7, 3, 9 };
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("UID FETCH");
  static const Chunk expected[] = { C ("a2 UID FETCH 1:3,5,7:9 (UID FLAGS)\r\n") };

  buzon_imap_command_add_sequence_set (command, uids, G_N_ELEMENTS (uids));
  buzon_imap_command_add_raw (command, "(UID FLAGS)");
  assert_serializes (command, "a2", BUZON_IMAP_LITERAL_SYNC, expected, 1);
}

static void
test_sequence_set_forms (void)
{
  static const guint32 zeros[] = { 0, 0 };
  static const guint32 one[] = { 42 };
  static const guint32 top[] = { G_MAXUINT32, 1, G_MAXUINT32 - 1, 0, 2 };
  static const guint32 singles[] = { 10, 8, 6 };
  g_autofree char *s_one = buzon_imap_sequence_set_to_string (one, 1);
  g_autofree char *s_top = buzon_imap_sequence_set_to_string (top, G_N_ELEMENTS (top));
  g_autofree char *s_singles = buzon_imap_sequence_set_to_string (singles, 3);

  g_assert_null (buzon_imap_sequence_set_to_string (NULL, 0));
  g_assert_null (buzon_imap_sequence_set_to_string (zeros, G_N_ELEMENTS (zeros)));
  g_assert_cmpstr (s_one, ==, "42");
  g_assert_cmpstr (s_top, ==, "1:2,4294967294:4294967295");
  g_assert_cmpstr (s_singles, ==, "6,8,10");
}

/* 100,000 UIDs in runs of 1 to 20 with gaps, shuffled and with duplicates:
 * the set must hold one item per run and be built quickly. */
static void
test_sequence_set_large (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (100000);
  g_autoptr (GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GString) expected = g_string_new (NULL);
  g_autofree char *set = NULL;
  guint32 next = 1;
  gint64 start;
  gint64 elapsed;

  while (uids->len < 100000)
    {
      guint32 run = g_rand_int_range (rand, 1, 21);
      guint32 gap = g_rand_int_range (rand, 2, 50);

      if (expected->len > 0)
        g_string_append_c (expected, ',');
      if (run == 1)
        g_string_append_printf (expected, "%u", next);
      else
        g_string_append_printf (expected, "%u:%u", next, next + run - 1);
      for (guint32 i = 0; i < run; i++)
        {
          guint32 uid = next + i;

          g_array_append_val (uids, uid);
        }
      next += run + gap - 1;
    }
  /* Duplicates and a shuffle. */
  for (guint i = 0; i < 5000; i++)
    {
      guint32 uid = g_array_index (uids, guint32, g_rand_int_range (rand, 0, uids->len));
      g_array_append_val (uids, uid);
    }
  for (guint i = uids->len - 1; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1);
      guint32 tmp = g_array_index (uids, guint32, i);

      g_array_index (uids, guint32, i) = g_array_index (uids, guint32, j);
      g_array_index (uids, guint32, j) = tmp;
    }

  start = g_get_monotonic_time ();
  set = buzon_imap_sequence_set_to_string (&g_array_index (uids, guint32, 0), uids->len);
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpstr (set, ==, expected->str);
  g_test_message ("%u UIDs -> %zu bytes in %" G_GINT64_FORMAT " µs", uids->len, strlen (set),
                  elapsed);
  /* Far shorter than one number per UID. */
  g_assert_cmpuint (strlen (set), <, 100000 * 3);
}

typedef struct
{
  const char *name;
  const char *mailbox;
  gboolean utf8;
  const char *expected;
} Select;

static const Select selects[] = {
  { "inbox", "INBOX", FALSE, "a3 SELECT INBOX\r\n" },
  { "inbox_any_case", "inBox", FALSE, "a3 SELECT INBOX\r\n" },
  { "inbox_utf8", "inbox", TRUE, "a3 SELECT INBOX\r\n" },
  { "inbox_child_keeps_case", "inbox/Work", FALSE, "a3 SELECT inbox/Work\r\n" },
  { "space", "Sent Items", FALSE, "a3 SELECT \"Sent Items\"\r\n" },
  { "gmail", "[Gmail]/Sent Mail", FALSE, "a3 SELECT \"[Gmail]/Sent Mail\"\r\n" },
  { "chinese_utf7", "台北", FALSE, "a3 SELECT &U,BTFw-\r\n" },
  { "chinese_utf8", "台北", TRUE, "a3 SELECT \"台北\"\r\n" },
  { "german_utf7", "Entwürfe", FALSE, "a3 SELECT Entw&APw-rfe\r\n" },
  { "ampersand_utf7", "Niños & niñas", FALSE, "a3 SELECT \"Ni&APE-os &- ni&APE-as\"\r\n" },
  { "ampersand_utf8", "Niños & niñas", TRUE, "a3 SELECT \"Niños & niñas\"\r\n" },
  { "quotes", "My \"best\" \\ folder", FALSE, "a3 SELECT \"My \\\"best\\\" \\\\ folder\"\r\n" },
  { "wildcards", "50% off*", FALSE, "a3 SELECT \"50% off*\"\r\n" },
  { "nil", "NIL", FALSE, "a3 SELECT \"NIL\"\r\n" },
  { "control_utf7", "a\nb", FALSE, "a3 SELECT a&AAo-b\r\n" },
  { "control_utf8", "a\nb", TRUE, "a3 SELECT {3+}\r\na\nb\r\n" },
};

static void
test_select (gconstpointer data)
{
  const Select *s = data;
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("SELECT");
  const Chunk expected[] = { { s->expected, strlen (s->expected) } };

  buzon_imap_command_set_utf8 (command, s->utf8);
  buzon_imap_command_add_mailbox (command, s->mailbox);
  assert_serializes (command, "a3", BUZON_IMAP_LITERAL_PLUS, expected, 1);
}

static void
test_append_literal8 (void)
{
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("APPEND");
  g_autoptr (GBytes) message = g_bytes_new_static ("Subject: x\r\n\r\n\0\xff", 16);
  static const Chunk sync[] = {
    C ("a4 APPEND \"Sent Items\" (\\Seen $Forwarded) \"27-Nov-2026 10:00:00 +0100\" ~{16}\r\n"),
    C ("Subject: x\r\n\r\n\0\xff\r\n"),
  };
  static const Chunk plus[] = {
    C ("a4 APPEND \"Sent Items\" (\\Seen $Forwarded) \"27-Nov-2026 10:00:00 +0100\" ~{16+}\r\n"
       "Subject: x\r\n\r\n\0\xff\r\n"),
  };

  buzon_imap_command_add_mailbox (command, "Sent Items");
  buzon_imap_command_begin_list (command);
  buzon_imap_command_add_atom (command, "\\Seen");
  buzon_imap_command_add_atom (command, "$Forwarded");
  buzon_imap_command_end_list (command);
  buzon_imap_command_add_string (command, "27-Nov-2026 10:00:00 +0100", -1);
  buzon_imap_command_add_literal (command, message, TRUE);
  assert_serializes (command, "a4", BUZON_IMAP_LITERAL_SYNC, sync, G_N_ELEMENTS (sync));
  assert_serializes (command, "a4", BUZON_IMAP_LITERAL_PLUS, plus, G_N_ELEMENTS (plus));
  assert_serializes (command, "a4", BUZON_IMAP_LITERAL_MINUS, plus, G_N_ELEMENTS (plus));
}

static void
test_empty_literal_waits (void)
{
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("APPEND");
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
  static const Chunk sync[] = { C ("a5 APPEND INBOX {0}\r\n"), C ("\r\n") };

  /* RFC 3501: even a zero-length literal waits for the continuation. */
  buzon_imap_command_add_mailbox (command, "INBOX");
  buzon_imap_command_add_literal (command, empty, FALSE);
  assert_serializes (command, "a5", BUZON_IMAP_LITERAL_SYNC, sync, G_N_ELEMENTS (sync));
}

static void
test_store_flags (void)
{
  static const guint32 uids[] = { 3, 1, 2, 10 };
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("UID STORE");
  static const Chunk expected[] = {
    C ("a6 UID STORE 1:3,10 +FLAGS.SILENT (\\Seen \\Flagged $Junk) (UNCHANGEDSINCE 12)\r\n"),
  };

  buzon_imap_command_add_sequence_set (command, uids, G_N_ELEMENTS (uids));
  buzon_imap_command_add_atom (command, "+FLAGS.SILENT");
  buzon_imap_command_begin_list (command);
  buzon_imap_command_add_atom (command, "\\Seen");
  buzon_imap_command_add_atom (command, "\\Flagged");
  buzon_imap_command_add_atom (command, "$Junk");
  buzon_imap_command_end_list (command);
  buzon_imap_command_begin_list (command);
  buzon_imap_command_add_atom (command, "UNCHANGEDSINCE");
  buzon_imap_command_add_number (command, 12);
  buzon_imap_command_end_list (command);
  assert_serializes (command, "a6", BUZON_IMAP_LITERAL_SYNC, expected, 1);
}

static void
test_empty_list_and_numbers (void)
{
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("X");
  static const Chunk expected[] = { C ("t X () 0 18446744073709551615 (\"\")\r\n") };

  buzon_imap_command_begin_list (command);
  buzon_imap_command_end_list (command);
  buzon_imap_command_add_number (command, 0);
  buzon_imap_command_add_number (command, G_MAXUINT64);
  buzon_imap_command_begin_list (command);
  buzon_imap_command_add_string (command, "", 0);
  buzon_imap_command_end_list (command);
  assert_serializes (command, "t", BUZON_IMAP_LITERAL_SYNC, expected, 1);
}

/* Reads back the argument after `prefix` in the serialized chunks, the way a
 * server frames a command: returns the argument's bytes and checks that line
 * ends occur only after literal headers and at the very end, and that chunks
 * end exactly after synchronising literal headers. */
static GBytes *
read_back_argument (GPtrArray           *chunks,
                    const char          *prefix,
                    BuzonImapLiteralMode mode)
{
  g_autoptr (GByteArray) all = g_byte_array_new ();
  g_autoptr (GArray) ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize prefix_length = strlen (prefix);
  const char *p;
  const char *end;

  for (guint i = 0; i < chunks->len; i++)
    {
      gsize length = 0;
      const guint8 *data = g_bytes_get_data (chunks->pdata[i], &length);
      gsize chunk_end;

      g_byte_array_append (all, data, length);
      chunk_end = all->len;
      g_array_append_val (ends, chunk_end);
    }
  p = (const char *) all->data;
  end = p + all->len;
  g_assert_cmpuint (all->len, >=, prefix_length + 2);
  g_assert_cmpmem (p, prefix_length, prefix, prefix_length);
  p += prefix_length;
  g_assert_cmpmem (end - 2, 2, "\r\n", 2);

  if (*p == '"')
    {
      GByteArray *out = g_byte_array_new ();

      for (p++; *p != '"'; p++)
        {
          g_assert_true (p < end - 2);
          g_assert_true (*p != '\r' && *p != '\n' && *p != '\0');
          if (*p == '\\')
            {
              p++;
              g_assert_true (*p == '"' || *p == '\\');
            }
          g_byte_array_append (out, (const guint8 *) p, 1);
        }
      g_assert_true (p + 3 == end); /* The closing quote, then CRLF. */
      g_assert_cmpuint (chunks->len, ==, 1);
      return g_byte_array_free_to_bytes (out);
    }
  else
    {
      guint64 size;
      char *after = NULL;
      gboolean sync;
      gsize data_start;

      g_assert_cmpint (*p, ==, '{');
      size = g_ascii_strtoull (p + 1, &after, 10);
      sync = *after != '+';
      if (!sync)
        after++;
      g_assert_cmpmem (after, 3, "}\r\n", 3);
      data_start = after + 3 - (const char *) all->data;
      g_assert_true (sync == (mode == BUZON_IMAP_LITERAL_SYNC
                              || (mode == BUZON_IMAP_LITERAL_MINUS && size > 4096)));
      g_assert_cmpuint (data_start + size + 2, ==, all->len);
      g_assert_cmpuint (chunks->len, ==, sync ? 2 : 1);
      if (sync)
        g_assert_cmpuint (g_array_index (ends, gsize, 0), ==, data_start);
      return g_bytes_new (all->data + data_start, size);
    }
}

/* Random passwords full of CR, LF, NUL, quotes, backslashes and 8-bit bytes
 * come back byte for byte as the one argument they were meant to be. */
static void
test_random_strings_stay_one_argument (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (3501);
  static const char nasty[] = "\r\n\"\\{}()* %&+~AZaz09\xe9\xc3\xa9\xff";

  for (guint round = 0; round < 3000; round++)
    {
      gsize length = g_rand_int_range (rand, 0, round % 10 == 0 ? 5000 : 40);
      g_autofree char *password = g_malloc (length + 1);
      g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("LOGIN");

      for (gsize i = 0; i < length; i++)
        password[i] = g_rand_int_range (rand, 0, 4) == 0
                        ? (char) g_rand_int_range (rand, 0, 256)
                        : nasty[g_rand_int_range (rand, 0, sizeof nasty)]; /* NUL too. */
      password[length] = '\0';
      buzon_imap_command_set_utf8 (command, g_rand_boolean (rand));
      buzon_imap_command_add_astring (command, "alice", -1);
      buzon_imap_command_add_string (command, password, length);

      for (BuzonImapLiteralMode mode = BUZON_IMAP_LITERAL_SYNC; mode <= BUZON_IMAP_LITERAL_MINUS;
           mode++)
        {
          g_autoptr (GPtrArray) chunks = buzon_imap_command_serialize (command, "a1", mode);
          g_autoptr (GBytes) back = read_back_argument (chunks, "a1 LOGIN alice ", mode);
          gsize back_length = 0;
          gconstpointer back_data = g_bytes_get_data (back, &back_length);

          g_assert_cmpmem (back_data, back_length, password, length);
        }
    }
}

static void
test_reserialize (void)
{
  g_autoptr (BuzonImapCommand) command = login ("alice", "x\ny", -1);
  static const Chunk first[] = { C ("a1 LOGIN alice {3}\r\n"), C ("x\ny\r\n") };
  static const Chunk again[] = { C ("b22 LOGIN alice {3+}\r\nx\ny\r\n") };

  /* A command can be sent again, with another tag and after a capability
   * change. */
  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_SYNC, first, G_N_ELEMENTS (first));
  assert_serializes (command, "b22", BUZON_IMAP_LITERAL_PLUS, again, G_N_ELEMENTS (again));
}

static void
test_programming_errors (void)
{
  g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("NOOP");
  static const Chunk expected[] = { C ("a1 NOOP\r\n") };
  GPtrArray *chunks;

  /* Syntax from the program that could break the line is refused and leaves
   * the command as it was. */
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  buzon_imap_command_add_atom (command, "a b");
  g_test_assert_expected_messages ();
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  buzon_imap_command_add_atom (command, "\"x\"");
  g_test_assert_expected_messages ();
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  buzon_imap_command_add_raw (command, "(FLAGS)\r\na2 LOGOUT");
  g_test_assert_expected_messages ();
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  buzon_imap_command_add_sequence_set (command, (const guint32[]) { 0 }, 1);
  g_test_assert_expected_messages ();
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  buzon_imap_command_add_mailbox (command, "Caf\xe9");
  g_test_assert_expected_messages ();
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  chunks = buzon_imap_command_serialize (command, "a+1", BUZON_IMAP_LITERAL_SYNC);
  g_test_assert_expected_messages ();
  g_assert_null (chunks);
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (buzon_imap_command_new ("UID\r\nFETCH"));
  g_test_assert_expected_messages ();

  assert_serializes (command, "a1", BUZON_IMAP_LITERAL_SYNC, expected, 1);

  /* A list left open. */
  buzon_imap_command_begin_list (command);
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  chunks = buzon_imap_command_serialize (command, "a1", BUZON_IMAP_LITERAL_SYNC);
  g_test_assert_expected_messages ();
  g_assert_null (chunks);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap-command/login/simple", test_login_simple);
  g_test_add_func ("/imap-command/login/quote-and-backslash", test_login_quote_and_backslash);
  g_test_add_func ("/imap-command/login/crlf-injection", test_login_crlf_injection);
  g_test_add_func ("/imap-command/login/nul-and-8bit", test_login_nul_and_8bit);
  g_test_add_func ("/imap-command/login/both-literals", test_login_both_literals);
  g_test_add_func ("/imap-command/astring-forms", test_astring_forms);
  g_test_add_func ("/imap-command/quoted-limit", test_quoted_limit);
  g_test_add_func ("/imap-command/literal-minus-boundary", test_literal_minus_boundary);
  g_test_add_func ("/imap-command/uid-fetch", test_uid_fetch);
  g_test_add_func ("/imap-command/sequence-set/forms", test_sequence_set_forms);
  g_test_add_func ("/imap-command/sequence-set/large", test_sequence_set_large);
  for (guint i = 0; i < G_N_ELEMENTS (selects); i++)
    {
      g_autofree char *path = g_strdup_printf ("/imap-command/select/%s", selects[i].name);
      g_test_add_data_func (path, &selects[i], test_select);
    }
  g_test_add_func ("/imap-command/append-literal8", test_append_literal8);
  g_test_add_func ("/imap-command/empty-literal-waits", test_empty_literal_waits);
  g_test_add_func ("/imap-command/store-flags", test_store_flags);
  g_test_add_func ("/imap-command/empty-list-and-numbers", test_empty_list_and_numbers);
  g_test_add_func ("/imap-command/random-strings-stay-one-argument",
                   test_random_strings_stay_one_argument);
  g_test_add_func ("/imap-command/reserialize", test_reserialize);
  g_test_add_func ("/imap-command/programming-errors", test_programming_errors);

  return g_test_run ();
}
