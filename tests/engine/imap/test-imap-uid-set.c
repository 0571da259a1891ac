// UID sets as ranges: normalising, subtracting (checked against a plain
// bitmap on random sets) and writing them back as a command sends them.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "imap/imap-uid-set.h"

static GArray *
ranges_of (const char *text)
{
  g_autoptr (GError) error = NULL;
  GArray *ranges = buzon_imap_uid_set_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return ranges;
}

static void
assert_set (const GArray *ranges,
            const char   *expected)
{
  g_autofree char *text = buzon_imap_uid_set_to_string (ranges);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_normalize (void)
{
  g_autoptr (GArray) ranges = ranges_of ("9,1:3,4,7:8,20:25,22:30,2");
  g_autoptr (GArray) empty = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));

  buzon_imap_uid_set_normalize (ranges);
  assert_set (ranges, "1:4,7:9,20:30");
  buzon_imap_uid_set_normalize (empty);
  g_assert_null (buzon_imap_uid_set_to_string (empty));
}

static void
test_subtract (void)
{
  struct
  {
    const char *a;
    const char *b;
    const char *expected;
  } cases[] = {
    { "1:10", "3:4,6", "1:2,5,7:10" },
    { "1:10", "1:10", NULL },
    { "1:10", "11:20", "1:10" },
    { "5:10,20:30", "1:6,25:100", "7:10,20:24" },
    { "1:4294967295", "2:4294967294", "1,4294967295" },
    { "3", "1:2,4:5", "3" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GArray) a = ranges_of (cases[i].a);
      g_autoptr (GArray) b = ranges_of (cases[i].b);
      g_autoptr (GArray) result = buzon_imap_uid_set_subtract (a, b);
      g_autofree char *text = buzon_imap_uid_set_to_string (result);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

/* Random sets of UIDs up to 200, against a bitmap. */
static void
test_subtract_random (void)
{
  GRand *rand = g_rand_new_with_seed (42);

  for (int round = 0; round < 500; round++)
    {
      gboolean in_a[201] = { FALSE };
      gboolean in_b[201] = { FALSE };
      g_autoptr (GArray) a = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
      g_autoptr (GArray) b = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
      g_autoptr (GArray) result = NULL;

      for (int n = g_rand_int_range (rand, 0, 8); n > 0; n--)
        {
          BuzonImapUidRange range;

          guint32 span = g_rand_int_range (rand, 0, 40);

          range.first = g_rand_int_range (rand, 1, 201);
          range.last = MIN (200, range.first + span);
          g_array_append_val (a, range);
          for (guint u = range.first; u <= range.last; u++)
            in_a[u] = TRUE;
        }
      for (int n = g_rand_int_range (rand, 0, 8); n > 0; n--)
        {
          BuzonImapUidRange range;

          guint32 span = g_rand_int_range (rand, 0, 40);

          range.first = g_rand_int_range (rand, 1, 201);
          range.last = MIN (200, range.first + span);
          g_array_append_val (b, range);
          for (guint u = range.first; u <= range.last; u++)
            in_b[u] = TRUE;
        }
      buzon_imap_uid_set_normalize (a);
      buzon_imap_uid_set_normalize (b);
      result = buzon_imap_uid_set_subtract (a, b);
      for (guint u = 1; u <= 200; u++)
        if (buzon_imap_uid_set_contains (result, u) != (in_a[u] && !in_b[u]))
          {
            g_autofree char *ta = buzon_imap_uid_set_to_string (a);
            g_autofree char *tb = buzon_imap_uid_set_to_string (b);
            g_autofree char *tr = buzon_imap_uid_set_to_string (result);

            g_error ("%s minus %s gave %s, wrong at %u", ta, tb, tr, u);
          }
      for (guint i = 1; i < result->len; i++)
        g_assert_cmpuint (g_array_index (result, BuzonImapUidRange, i).first, >,
                          g_array_index (result, BuzonImapUidRange, i - 1).last + 1);
    }
  g_rand_free (rand);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap-uid-set/normalize", test_normalize);
  g_test_add_func ("/imap-uid-set/subtract", test_subtract);
  g_test_add_func ("/imap-uid-set/subtract-random", test_subtract_random);

  return g_test_run ();
}
