// BuzonAccountStore: reading, adding and removing accounts in accounts.conf
// without ever losing what the file holds.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "account/account-error.h"
#include "account/account-store.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("buzon-accounts-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "accounts.conf", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static const char sample[] =
  "# Buzón accounts\n"
  "[Account demo]\n"
  "Name=Ana García\n"
  "Email=ana@example.test\n"
  "IMAP=imaps://ana@127.0.0.1:31993\n"
  "SMTP=submissions://ana@127.0.0.1:31465\n"
  "TrustedCertificates=sha256:ABCDEF0123;\n"
  "FutureSetting=kept\n"
  "\n"
  "[Account broken]\n"
  "Email=broken@example.test\n"
  "IMAP=imap+plain://mail.example.org\n"
  "SMTP=submission://mail.example.org\n"
  "\n"
  "[Account work]\n"
  "Email=bob@example.org\n"
  "IMAP=imap://bob@mail.example.org\n"
  "SMTP=submission://bob@mail.example.org\n"
  "\n"
  "[Unrelated]\n"
  "Key=value\n";

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  guint *changes = user_data;

  (*changes)++;
}

static void
test_missing_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr (BuzonAccountStore) store = buzon_account_store_new (f->dir);
  g_autoptr (GError) error = NULL;

  g_assert_true (buzon_account_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_cmpuint (g_strv_length ((char **) buzon_account_store_get_problems (store)), ==, 0);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_load (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr (BuzonAccountStore) store = buzon_account_store_new (f->dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonAccount) demo = NULL;
  g_autoptr (BuzonAccount) work = NULL;
  const char * const *problems;
  guint changes = 0;

  g_assert_true (g_file_set_contents (f->path, sample, -1, NULL));
  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  g_assert_true (buzon_account_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (store)) == BUZON_TYPE_ACCOUNT);

  demo = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_cmpstr (buzon_account_get_id (demo), ==, "demo");
  g_assert_cmpstr (buzon_account_get_display_name (demo), ==, "Ana García");
  g_assert_cmpstr (buzon_account_get_address (demo), ==, "ana@example.test");
  g_assert_cmpuint (buzon_account_get_imap_url (demo)->port, ==, 31993);
  g_assert_cmpint (buzon_account_get_smtp_url (demo)->security, ==, BUZON_SERVER_SECURITY_TLS);
  g_assert_true (buzon_account_trusts_certificate (demo, "abcdef0123"));
  g_assert_false (buzon_account_trusts_certificate (demo, "abcdef0124"));

  /* Without a Name the address is what the user sees. */
  work = g_list_model_get_item (G_LIST_MODEL (store), 1);
  g_assert_cmpstr (buzon_account_get_display_name (work), ==, "bob@example.org");
  g_assert_true (buzon_account_store_lookup (store, "work") == work);
  g_assert_null (buzon_account_store_lookup (store, "broken"));

  /* The unreadable account is reported with its reason, not dropped silently. */
  problems = buzon_account_store_get_problems (store);
  g_assert_cmpuint (g_strv_length ((char **) problems), ==, 1);
  g_assert_nonnull (strstr (problems[0], "“broken”"));
  g_assert_nonnull (strstr (problems[0], "without TLS"));
}

static BuzonAccount *
new_account (const char *id)
{
  g_autoptr (BuzonServerUrl) imap = buzon_server_url_parse ("imaps://carol@mail.example.net", NULL);
  g_autoptr (BuzonServerUrl) smtp = buzon_server_url_parse ("submissions://mail.example.net",
                                                            NULL);

  return buzon_account_new (id, "Carol Ñúñez", "carol@example.net", imap, smtp);
}

static void
test_add_and_remove_keep_the_rest (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr (BuzonAccountStore) store = buzon_account_store_new (f->dir);
  g_autoptr (BuzonAccountStore) again = buzon_account_store_new (f->dir);
  g_autoptr (BuzonAccount) carol = new_account ("carol");
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  const char *fingerprints[] = { "sha256:00ff", NULL };
  GStatBuf st;

  g_assert_true (g_file_set_contents (f->path, sample, -1, NULL));
  g_assert_true (buzon_account_store_load (store, &error));

  buzon_account_set_trusted_certificates (carol, fingerprints);
  g_assert_true (buzon_account_store_add (store, carol, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);

  /* The file is private to the user. */
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* What the store did not write survives: comments, unknown keys and
   * groups, and the group it could not read. */
  g_assert_true (g_file_get_contents (f->path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "# Buzón accounts"));
  g_assert_nonnull (strstr (contents, "FutureSetting=kept"));
  g_assert_nonnull (strstr (contents, "[Unrelated]"));
  g_assert_nonnull (strstr (contents, "IMAP=imap+plain://mail.example.org"));

  g_assert_true (buzon_account_store_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 3);
  {
    BuzonAccount *read = buzon_account_store_lookup (again, "carol");
    g_autofree char *imap = buzon_server_url_to_string (buzon_account_get_imap_url (read));

    g_assert_cmpstr (buzon_account_get_display_name (read), ==, "Carol Ñúñez");
    g_assert_cmpstr (imap, ==, "imaps://carol@mail.example.net:993");
    g_assert_true (buzon_account_trusts_certificate (read, "00FF"));
  }

  /* The same id twice is refused and changes nothing. */
  {
    g_autoptr (BuzonAccount) twin = new_account ("carol");
    g_assert_false (buzon_account_store_add (store, twin, &error));
    g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_EXISTS);
    g_clear_error (&error);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);
  }

  /* Removing works for readable and unreadable accounts alike. */
  g_assert_true (buzon_account_store_remove (store, "demo", &error));
  g_assert_no_error (error);
  g_assert_true (buzon_account_store_remove (store, "broken", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length ((char **) buzon_account_store_get_problems (store)), ==, 0);
  g_assert_false (buzon_account_store_remove (store, "demo", &error));
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (buzon_account_store_load (again, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);
  g_assert_null (buzon_account_store_lookup (again, "demo"));
  g_assert_nonnull (buzon_account_store_lookup (again, "work"));
  g_assert_cmpuint (g_strv_length ((char **) buzon_account_store_get_problems (again)), ==, 0);
}

static void
notified_cb (GObject    *object,
             GParamSpec *pspec,
             gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

/* PasswordCommand is read, written back, and absent when there is none;
 * contains() sees unreadable groups too. */
static void
test_password_command (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr (BuzonAccountStore) store = buzon_account_store_new (f->dir);
  g_autoptr (BuzonAccountStore) again = buzon_account_store_new (f->dir);
  g_autoptr (BuzonAccount) carol = new_account ("carol");
  g_autoptr (BuzonAccount) dave = new_account ("dave");
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *from_property = NULL;
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  guint notified = 0;

  g_assert_true (g_file_set_contents (f->path, sample, -1, NULL));
  g_assert_true (buzon_account_store_load (store, &error));
  g_assert_true (buzon_account_store_contains (store, "demo"));
  g_assert_true (buzon_account_store_contains (store, "broken"));
  g_assert_false (buzon_account_store_contains (store, "carol"));

  g_assert_null (buzon_account_get_password_command (carol));
  g_signal_connect (carol, "notify::password-command", G_CALLBACK (notified_cb), &notified);
  buzon_account_set_password_command (carol, "pass show \"mail/$BUZON_PROTOCOL\" # ñ");
  buzon_account_set_password_command (carol, "pass show \"mail/$BUZON_PROTOCOL\" # ñ");
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (carol, "password-command", &from_property, NULL);
  g_assert_cmpstr (from_property, ==, "pass show \"mail/$BUZON_PROTOCOL\" # ñ");
  /* An empty command is no command. */
  buzon_account_set_password_command (dave, "");
  g_assert_null (buzon_account_get_password_command (dave));

  g_assert_true (buzon_account_store_add (store, carol, &error));
  g_assert_true (buzon_account_store_add (store, dave, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_account_store_contains (store, "carol"));
  g_assert_true (g_file_get_contents (f->path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "PasswordCommand=pass show"));
  g_assert_true (g_key_file_load_from_data (key_file, contents, -1, G_KEY_FILE_NONE, NULL));
  g_assert_false (g_key_file_has_key (key_file, "Account dave", "PasswordCommand", NULL));

  g_assert_true (buzon_account_store_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (buzon_account_get_password_command (buzon_account_store_lookup (again, "carol")),
                   ==, "pass show \"mail/$BUZON_PROTOCOL\" # ñ");
  g_assert_null (buzon_account_get_password_command (buzon_account_store_lookup (again, "dave")));
  g_assert_null (buzon_account_get_password_command (buzon_account_store_lookup (again, "demo")));
  /* Keys the store does not know survive next to it. */
  g_assert_nonnull (strstr (contents, "FutureSetting=kept"));
}

/* PrefetchDays: 14 when absent or not a number, 0 turns it off, written
 * only when not the default, and read back. */
static void
test_prefetch_days (Fixture       *f,
                    gconstpointer  data)
{
  static const char conf[] =
    "[Account none]\nEmail=a@example.test\nIMAP=imaps://a@h\nSMTP=submissions://a@h\n"
    "PrefetchDays=0\n"
    "[Account month]\nEmail=b@example.test\nIMAP=imaps://b@h\nSMTP=submissions://b@h\n"
    "PrefetchDays= 30\n"
    "[Account odd]\nEmail=c@example.test\nIMAP=imaps://c@h\nSMTP=submissions://c@h\n"
    "PrefetchDays=many\n"
    "[Account plain]\nEmail=d@example.test\nIMAP=imaps://d@h\nSMTP=submissions://d@h\n";
  g_autoptr (BuzonAccountStore) store = buzon_account_store_new (f->dir);
  g_autoptr (BuzonAccountStore) again = buzon_account_store_new (f->dir);
  g_autoptr (BuzonAccount) carol = new_account ("carol");
  g_autoptr (BuzonAccount) dave = new_account ("dave");
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *odd = NULL;
  guint days = 0;

  g_assert_true (g_file_set_contents (f->path, conf, -1, NULL));
  g_assert_true (buzon_account_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_account_get_prefetch_days (buzon_account_store_lookup (store, "none")),
                    ==, 0);
  g_assert_cmpuint (buzon_account_get_prefetch_days (buzon_account_store_lookup (store, "month")),
                    ==, 30);
  g_assert_cmpuint (buzon_account_get_prefetch_days (buzon_account_store_lookup (store, "odd")),
                    ==, BUZON_ACCOUNT_DEFAULT_PREFETCH_DAYS);
  g_assert_cmpuint (buzon_account_get_prefetch_days (buzon_account_store_lookup (store, "plain")),
                    ==, 14);

  buzon_account_set_prefetch_days (carol, 3);
  g_object_get (carol, "prefetch-days", &days, NULL);
  g_assert_cmpuint (days, ==, 3);
  g_assert_true (buzon_account_store_add (store, carol, &error));
  g_assert_true (buzon_account_store_add (store, dave, &error));
  g_assert_no_error (error);
  g_assert_true (g_key_file_load_from_file (key_file, f->path, G_KEY_FILE_NONE, NULL));
  g_assert_cmpint (g_key_file_get_integer (key_file, "Account carol", "PrefetchDays", NULL), ==, 3);
  g_assert_false (g_key_file_has_key (key_file, "Account dave", "PrefetchDays", NULL));
  /* What the store could not read stays as it was. */
  odd = g_key_file_get_value (key_file, "Account odd", "PrefetchDays", NULL);
  g_assert_cmpstr (odd, ==, "many");

  g_assert_true (buzon_account_store_load (again, &error));
  g_assert_cmpuint (buzon_account_get_prefetch_days (buzon_account_store_lookup (again, "carol")),
                    ==, 3);
  g_assert_cmpuint (buzon_account_get_prefetch_days (buzon_account_store_lookup (again, "dave")),
                    ==, 14);
}

/* Compress: absent (or not a boolean) is automatic, which compresses
 * except to a loopback server; true and false say so for any server;
 * written only when not automatic, and read back. */
static void
test_compression (Fixture       *f,
                  gconstpointer  data)
{
  static const char conf[] =
    "[Account remote]\nEmail=a@example.test\nIMAP=imaps://a@h\nSMTP=submissions://a@h\n"
    "[Account local]\nEmail=b@example.test\nIMAP=imaps://b@127.0.0.1:1993\n"
    "SMTP=submissions://b@h\n"
    "[Account bridge]\nEmail=c@example.test\nIMAP=imap+plain://c@localhost:1143\n"
    "SMTP=submissions://c@h\n"
    "[Account forced]\nEmail=d@example.test\nIMAP=imaps://d@[::1]\nSMTP=submissions://d@h\n"
    "Compress=true\n"
    "[Account never]\nEmail=e@example.test\nIMAP=imaps://e@h\nSMTP=submissions://e@h\n"
    "Compress=false\n"
    "[Account odd]\nEmail=f@example.test\nIMAP=imaps://f@h\nSMTP=submissions://f@h\n"
    "Compress=sometimes\n";
  const struct
  {
    const char *id;
    BuzonAccountCompression setting;
    gboolean wanted;
  } expected[] = {
    { "remote", BUZON_ACCOUNT_COMPRESSION_AUTO, TRUE },
    { "local", BUZON_ACCOUNT_COMPRESSION_AUTO, FALSE },
    { "bridge", BUZON_ACCOUNT_COMPRESSION_AUTO, FALSE },
    { "forced", BUZON_ACCOUNT_COMPRESSION_ON, TRUE },
    { "never", BUZON_ACCOUNT_COMPRESSION_OFF, FALSE },
    { "odd", BUZON_ACCOUNT_COMPRESSION_AUTO, TRUE },
  };
  g_autoptr (BuzonAccountStore) store = buzon_account_store_new (f->dir);
  g_autoptr (BuzonAccountStore) again = buzon_account_store_new (f->dir);
  g_autoptr (BuzonAccount) carol = new_account ("carol");
  g_autoptr (BuzonAccount) dave = new_account ("dave");
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *odd = NULL;
  BuzonAccountCompression compression = BUZON_ACCOUNT_COMPRESSION_AUTO;

  g_assert_true (g_file_set_contents (f->path, conf, -1, NULL));
  g_assert_true (buzon_account_store_load (store, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      BuzonAccount *account = buzon_account_store_lookup (store, expected[i].id);

      g_assert_nonnull (account);
      g_assert_cmpint (buzon_account_get_compression (account), ==, expected[i].setting);
      g_assert_cmpint (buzon_account_wants_compression (account), ==, expected[i].wanted);
    }

  buzon_account_set_compression (carol, BUZON_ACCOUNT_COMPRESSION_OFF);
  g_object_get (carol, "compression", &compression, NULL);
  g_assert_cmpint (compression, ==, BUZON_ACCOUNT_COMPRESSION_OFF);
  g_assert_false (buzon_account_wants_compression (carol));
  g_assert_true (buzon_account_wants_compression (dave));
  g_assert_true (buzon_account_store_add (store, carol, &error));
  g_assert_true (buzon_account_store_add (store, dave, &error));
  g_assert_no_error (error);
  g_assert_true (g_key_file_load_from_file (key_file, f->path, G_KEY_FILE_NONE, NULL));
  g_assert_false (g_key_file_get_boolean (key_file, "Account carol", "Compress", &error));
  g_assert_no_error (error);
  g_assert_false (g_key_file_has_key (key_file, "Account dave", "Compress", NULL));
  odd = g_key_file_get_value (key_file, "Account odd", "Compress", NULL);
  g_assert_cmpstr (odd, ==, "sometimes");

  g_assert_true (buzon_account_store_load (again, &error));
  g_assert_cmpint (buzon_account_get_compression (buzon_account_store_lookup (again, "carol")),
                   ==, BUZON_ACCOUNT_COMPRESSION_OFF);
  g_assert_cmpint (buzon_account_get_compression (buzon_account_store_lookup (again, "dave")),
                   ==, BUZON_ACCOUNT_COMPRESSION_AUTO);
}

static void
test_unwritable_changes_nothing (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr (BuzonAccountStore) store = NULL;
  g_autoptr (BuzonAccount) carol = new_account ("carol");
  g_autoptr (GError) error = NULL;
  g_autofree char *blocker = g_build_filename (f->dir, "not-a-dir", NULL);
  g_autofree char *inside = g_build_filename (blocker, "buzon", NULL);

  /* The config folder cannot be created: a file stands where it should be. */
  g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
  store = buzon_account_store_new (inside);
  g_assert_false (buzon_account_store_add (store, carol, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_null (buzon_account_store_lookup (store, "carol"));
  g_unlink (blocker);
}

static void
test_garbage_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr (BuzonAccountStore) store = buzon_account_store_new (f->dir);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;

  g_assert_true (g_file_set_contents (f->path, "this is\n\x01not a key file\n", -1, NULL));
  g_assert_false (buzon_account_store_load (store, &error));
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, f->path));
  /* Reading never writes: the user's file is as it was. */
  g_assert_true (g_file_get_contents (f->path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "this is\n\x01not a key file\n");
}

static void
test_ids (void)
{
  g_assert_true (buzon_account_id_is_valid ("demo"));
  g_assert_true (buzon_account_id_is_valid ("work-2.old_one"));
  g_assert_false (buzon_account_id_is_valid (""));
  g_assert_false (buzon_account_id_is_valid (".hidden"));
  g_assert_false (buzon_account_id_is_valid ("a/b"));
  g_assert_false (buzon_account_id_is_valid ("with space"));
  g_assert_false (buzon_account_id_is_valid ("ñ"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/account-store/ids", test_ids);
  g_test_add ("/account-store/missing-file", Fixture, NULL, fixture_set_up, test_missing_file,
              fixture_tear_down);
  g_test_add ("/account-store/load", Fixture, NULL, fixture_set_up, test_load, fixture_tear_down);
  g_test_add ("/account-store/add-and-remove-keep-the-rest", Fixture, NULL, fixture_set_up,
              test_add_and_remove_keep_the_rest, fixture_tear_down);
  g_test_add ("/account-store/password-command", Fixture, NULL, fixture_set_up,
              test_password_command, fixture_tear_down);
  g_test_add ("/account-store/prefetch-days", Fixture, NULL, fixture_set_up, test_prefetch_days,
              fixture_tear_down);
  g_test_add ("/account-store/compression", Fixture, NULL, fixture_set_up, test_compression,
              fixture_tear_down);
  g_test_add ("/account-store/unwritable-changes-nothing", Fixture, NULL, fixture_set_up,
              test_unwritable_changes_nothing, fixture_tear_down);
  g_test_add ("/account-store/garbage-file", Fixture, NULL, fixture_set_up, test_garbage_file,
              fixture_tear_down);

  return g_test_run ();
}
