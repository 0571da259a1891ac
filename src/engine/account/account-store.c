// BuzonAccountStore: the configured accounts, kept in a GKeyFile.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The file has one group per account, "[Account <id>]", with the keys Name,
// Email, IMAP, SMTP (server URLs, see server-url.c), TrustedCertificates
// (a list of "sha256:<hex>") and PasswordCommand (a shell command that
// prints the password; without it the passwords are in the keyring) and
// PrefetchDays (how many days of recent mail have their bodies downloaded
// at each sync; 0 for none; 14 when absent, or not a number), UndoSeconds
// and Compress (true or false: COMPRESS=DEFLATE for IMAP where offered;
// absent, automatic: not to a loopback server). The store keeps the whole
// key file it read and changes only the groups of the accounts it adds or
// removes, so keys it does not know (written by a newer Buzón, or by hand)
// and groups it could not read survive a save untouched.
// A group it cannot read is reported in buzon_account_store_get_problems(),
// never dropped.
//
// Saving writes a new file and renames it over the old one, after an fsync:
// a crash leaves either the old or the new file, never half of one. The file
// is small and local; reading and writing it happen on the calling thread.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "account-error.h"
#include "account-store.h"

#define GROUP_PREFIX "Account "

struct _BuzonAccountStore
{
  GObject parent_instance;

  char *path;
  GKeyFile *key_file;
  GPtrArray *accounts; /* BuzonAccount, in file order. */
  GPtrArray *problems;    /* char *, NULL-terminated. */
  GPtrArray *problem_ids; /* char *: the account id of each problem. */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BuzonAccountStore, buzon_account_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return BUZON_TYPE_ACCOUNT;
}

static guint
get_n_items (GListModel *model)
{
  return BUZON_ACCOUNT_STORE (model)->accounts->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  BuzonAccountStore *self = BUZON_ACCOUNT_STORE (model);

  if (position >= self->accounts->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->accounts, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
buzon_account_store_finalize (GObject *object)
{
  BuzonAccountStore *self = BUZON_ACCOUNT_STORE (object);

  g_free (self->path);
  g_key_file_unref (self->key_file);
  g_ptr_array_unref (self->accounts);
  g_ptr_array_unref (self->problems);
  g_ptr_array_unref (self->problem_ids);

  G_OBJECT_CLASS (buzon_account_store_parent_class)->finalize (object);
}

static void
buzon_account_store_class_init (BuzonAccountStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = buzon_account_store_finalize;
}

static void
buzon_account_store_init (BuzonAccountStore *self)
{
  self->key_file = g_key_file_new ();
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->problems = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->problems, NULL);
  self->problem_ids = g_ptr_array_new_with_free_func (g_free);
}

/**
 * buzon_account_store_new:
 * @config_dir: (nullable): the folder of accounts.conf; %NULL for
 *   `$XDG_CONFIG_HOME/buzon`
 *
 * Returns: (transfer full): an empty store; call buzon_account_store_load().
 */
BuzonAccountStore *
buzon_account_store_new (const char *config_dir)
{
  BuzonAccountStore *self = g_object_new (BUZON_TYPE_ACCOUNT_STORE, NULL);

  if (config_dir != NULL)
    self->path = g_build_filename (config_dir, "accounts.conf", NULL);
  else
    self->path = g_build_filename (g_get_user_config_dir (), "buzon", "accounts.conf", NULL);
  return self;
}

const char *
buzon_account_store_get_path (BuzonAccountStore *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT_STORE (self), NULL);
  return self->path;
}

/* Problems with groups that could not be read, one sentence each; empty when
 * every account was read. */
const char * const *
buzon_account_store_get_problems (BuzonAccountStore *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT_STORE (self), NULL);
  return (const char * const *) self->problems->pdata;
}

static void
add_problem (BuzonAccountStore *self,
             const char        *id,
             char              *problem)
{
  g_ptr_array_insert (self->problems, self->problems->len - 1, problem);
  g_ptr_array_add (self->problem_ids, g_strdup (id));
}

static BuzonAccount *
account_from_group (BuzonAccountStore *self,
                    const char        *group,
                    GError           **error)
{
  const char *id = group + strlen (GROUP_PREFIX);
  g_autofree char *name = NULL;
  g_autofree char *email = NULL;
  g_autofree char *imap_text = NULL;
  g_autofree char *smtp_text = NULL;
  g_auto (GStrv) trusted = NULL;
  g_autofree char *password_command = NULL;
  g_autofree char *prefetch_text = NULL;
  g_autofree char *undo_text = NULL;
  guint64 undo_seconds = 0;
  g_autoptr (GError) compress_error = NULL;
  gboolean compress;
  guint64 prefetch_days = 0;
  g_autoptr (BuzonServerUrl) imap = NULL;
  g_autoptr (BuzonServerUrl) smtp = NULL;
  BuzonAccount *account;

  if (!buzon_account_id_is_valid (id))
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID_CONFIG,
                   _("“%s” is not a valid account id"), id);
      return NULL;
    }
  name = g_key_file_get_string (self->key_file, group, "Name", NULL);
  if ((email = g_key_file_get_string (self->key_file, group, "Email", error)) == NULL
      || (imap_text = g_key_file_get_string (self->key_file, group, "IMAP", error)) == NULL
      || (smtp_text = g_key_file_get_string (self->key_file, group, "SMTP", error)) == NULL)
    return NULL;
  if ((imap = buzon_server_url_parse (imap_text, error)) == NULL
      || (smtp = buzon_server_url_parse (smtp_text, error)) == NULL)
    return NULL;
  if (imap->protocol != BUZON_SERVER_PROTOCOL_IMAP || smtp->protocol != BUZON_SERVER_PROTOCOL_SMTP)
    {
      g_set_error_literal (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID_CONFIG,
                           _("IMAP must name an IMAP server and SMTP a submission server"));
      return NULL;
    }
  trusted = g_key_file_get_string_list (self->key_file, group, "TrustedCertificates", NULL, NULL);
  password_command = g_key_file_get_string (self->key_file, group, "PasswordCommand", NULL);
  prefetch_text = g_key_file_get_value (self->key_file, group, "PrefetchDays", NULL);
  undo_text = g_key_file_get_value (self->key_file, group, "UndoSeconds", NULL);
  compress = g_key_file_get_boolean (self->key_file, group, "Compress", &compress_error);

  account = buzon_account_new (id, name, email, imap, smtp);
  /* A value that is not a number leaves the default: the account still
   * works, and the key stays in the file as it was. */
  if (prefetch_text != NULL
      && g_ascii_string_to_unsigned (g_strstrip (prefetch_text), 10, 0,
                                     BUZON_ACCOUNT_MAX_PREFETCH_DAYS, &prefetch_days, NULL))
    buzon_account_set_prefetch_days (account, (guint) prefetch_days);
  if (undo_text != NULL
      && g_ascii_string_to_unsigned (g_strstrip (undo_text), 10, 0,
                                     BUZON_ACCOUNT_MAX_UNDO_SECONDS, &undo_seconds, NULL))
    buzon_account_set_undo_seconds (account, (guint) undo_seconds);
  /* Absent, or not a boolean: automatic. */
  if (compress_error == NULL)
    buzon_account_set_compression (account, compress ? BUZON_ACCOUNT_COMPRESSION_ON
                                                     : BUZON_ACCOUNT_COMPRESSION_OFF);
  if (trusted != NULL)
    buzon_account_set_trusted_certificates (account, (const char * const *) trusted);
  buzon_account_set_password_command (account, password_command);
  return account;
}

/**
 * buzon_account_store_load:
 *
 * (Re)reads accounts.conf. A missing file means no accounts. An account whose
 * group cannot be read is left out of the model and described in
 * buzon_account_store_get_problems(); it stays in the file.
 *
 * Returns: %FALSE with @error set when the file exists but cannot be read or
 *   is not a key file at all; the store is then unchanged.
 */
gboolean
buzon_account_store_load (BuzonAccountStore  *self,
                          GError            **error)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) groups = NULL;
  guint removed;

  g_return_val_if_fail (BUZON_IS_ACCOUNT_STORE (self), FALSE);

  if (!g_key_file_load_from_file (key_file, self->path,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          /* Translators: the first %s is a file name, the second the reason. */
          g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID_CONFIG,
                       _("Cannot read the accounts in %s: %s"), self->path, local_error->message);
          return FALSE;
        }
      g_clear_pointer (&key_file, g_key_file_unref);
      key_file = g_key_file_new ();
    }

  g_key_file_unref (self->key_file);
  self->key_file = g_steal_pointer (&key_file);
  g_ptr_array_set_size (self->problems, 0);
  g_ptr_array_add (self->problems, NULL);
  g_ptr_array_set_size (self->problem_ids, 0);
  removed = self->accounts->len;
  g_ptr_array_set_size (self->accounts, 0);

  groups = g_key_file_get_groups (self->key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autoptr (GError) group_error = NULL;
      BuzonAccount *account;

      if (!g_str_has_prefix (groups[i], GROUP_PREFIX))
        continue;
      account = account_from_group (self, groups[i], &group_error);
      if (account == NULL)
        /* Translators: the first %s is a config group name, the second the reason. */
        add_problem (self, groups[i] + strlen (GROUP_PREFIX),
                     g_strdup_printf (_("The account “%s” cannot be used: %s"),
                                      groups[i] + strlen (GROUP_PREFIX), group_error->message));
      else if (buzon_account_store_lookup (self, buzon_account_get_id (account)) != NULL)
        g_object_unref (account); /* GKeyFile merges duplicate groups; cannot happen. */
      else
        g_ptr_array_add (self->accounts, account);
    }

  if (removed > 0 || self->accounts->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->accounts->len);
  return TRUE;
}

/* Returns: (transfer none) (nullable): the account with @id. */
BuzonAccount *
buzon_account_store_lookup (BuzonAccountStore *self,
                            const char        *id)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT_STORE (self), NULL);

  for (guint i = 0; i < self->accounts->len; i++)
    if (g_str_equal (buzon_account_get_id (g_ptr_array_index (self->accounts, i)), id))
      return g_ptr_array_index (self->accounts, i);
  return NULL;
}

/* Whether accounts.conf has a group for @id, even one that could not be
 * read: what buzon_account_store_add() refuses and _remove() removes. */
gboolean
buzon_account_store_contains (BuzonAccountStore *self,
                              const char        *id)
{
  g_autofree char *group = NULL;

  g_return_val_if_fail (BUZON_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  group = g_strconcat (GROUP_PREFIX, id, NULL);
  return g_key_file_has_group (self->key_file, group);
}

static gboolean
save (BuzonAccountStore  *self,
      GError            **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *data = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize length = 0;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  data = g_key_file_to_data (self->key_file, &length, NULL);
  if (!g_file_set_contents_full (self->path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Cannot save the accounts: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
write_group (GKeyFile     *key_file,
             BuzonAccount *account)
{
  g_autofree char *group = g_strconcat (GROUP_PREFIX, buzon_account_get_id (account), NULL);
  g_autofree char *imap = buzon_server_url_to_string (buzon_account_get_imap_url (account));
  g_autofree char *smtp = buzon_server_url_to_string (buzon_account_get_smtp_url (account));
  const char * const *trusted = buzon_account_get_trusted_certificates (account);
  const char *name = buzon_account_get_display_name (account);
  const char *password_command = buzon_account_get_password_command (account);

  if (g_strcmp0 (name, buzon_account_get_address (account)) != 0)
    g_key_file_set_string (key_file, group, "Name", name);
  g_key_file_set_string (key_file, group, "Email", buzon_account_get_address (account));
  g_key_file_set_string (key_file, group, "IMAP", imap);
  g_key_file_set_string (key_file, group, "SMTP", smtp);
  if (trusted[0] != NULL)
    g_key_file_set_string_list (key_file, group, "TrustedCertificates", trusted,
                                g_strv_length ((char **) trusted));
  if (password_command != NULL)
    g_key_file_set_string (key_file, group, "PasswordCommand", password_command);
  if (buzon_account_get_prefetch_days (account) != BUZON_ACCOUNT_DEFAULT_PREFETCH_DAYS)
    g_key_file_set_uint64 (key_file, group, "PrefetchDays",
                           buzon_account_get_prefetch_days (account));
  if (buzon_account_get_undo_seconds (account) != BUZON_ACCOUNT_DEFAULT_UNDO_SECONDS)
    g_key_file_set_uint64 (key_file, group, "UndoSeconds",
                           buzon_account_get_undo_seconds (account));
  if (buzon_account_get_compression (account) != BUZON_ACCOUNT_COMPRESSION_AUTO)
    g_key_file_set_boolean (key_file, group, "Compress",
                            buzon_account_get_compression (account)
                              == BUZON_ACCOUNT_COMPRESSION_ON);
}

/**
 * buzon_account_store_add:
 *
 * Adds @account and saves the file. On failure nothing changes, in memory
 * or on disk.
 */
gboolean
buzon_account_store_add (BuzonAccountStore  *self,
                         BuzonAccount       *account,
                         GError            **error)
{
  g_autofree char *group = NULL;
  g_autofree char *before = NULL;
  gsize before_length = 0;

  g_return_val_if_fail (BUZON_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);

  group = g_strconcat (GROUP_PREFIX, buzon_account_get_id (account), NULL);
  if (g_key_file_has_group (self->key_file, group))
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_EXISTS,
                   _("An account named “%s” exists already"), buzon_account_get_id (account));
      return FALSE;
    }

  before = g_key_file_to_data (self->key_file, &before_length, NULL);
  write_group (self->key_file, account);
  if (!save (self, error))
    {
      g_key_file_load_from_data (self->key_file, before, before_length,
                                 G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, NULL);
      return FALSE;
    }
  g_ptr_array_add (self->accounts, g_object_ref (account));
  g_list_model_items_changed (G_LIST_MODEL (self), self->accounts->len - 1, 0, 1);
  return TRUE;
}

/**
 * buzon_account_store_remove:
 *
 * Removes the account's group, even one that could not be read, and saves
 * the file. Its cache and secrets are the caller's to remove.
 */
gboolean
buzon_account_store_remove (BuzonAccountStore  *self,
                            const char         *id,
                            GError            **error)
{
  g_autofree char *group = NULL;
  g_autofree char *before = NULL;
  gsize before_length = 0;

  g_return_val_if_fail (BUZON_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  group = g_strconcat (GROUP_PREFIX, id, NULL);
  if (!g_key_file_has_group (self->key_file, group))
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account named “%s”"), id);
      return FALSE;
    }

  before = g_key_file_to_data (self->key_file, &before_length, NULL);
  g_key_file_remove_group (self->key_file, group, NULL);
  if (!save (self, error))
    {
      g_key_file_load_from_data (self->key_file, before, before_length,
                                 G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, NULL);
      return FALSE;
    }

  for (guint i = 0; i < self->accounts->len; i++)
    if (g_str_equal (buzon_account_get_id (g_ptr_array_index (self->accounts, i)), id))
      {
        g_ptr_array_remove_index (self->accounts, i);
        g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
        break;
      }
  for (guint i = 0; i < self->problem_ids->len; i++)
    if (g_str_equal (g_ptr_array_index (self->problem_ids, i), id))
      {
        g_ptr_array_remove_index (self->problems, i);
        g_ptr_array_remove_index (self->problem_ids, i);
        break;
      }
  return TRUE;
}
