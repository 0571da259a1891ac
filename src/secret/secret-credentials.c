// BuzonSecretCredentials: account passwords kept in the Secret Service.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Each password is one item of the default collection (the login keyring)
// under the schema of secret-schema.c, with the attributes account,
// protocol, host and user, and a label a keyring browser such as Seahorse
// shows. A user the URL does not name is stored as an empty attribute, so
// that the item is still found by all four.
//
// libsecret hands out passwords in memory it wipes on
// secret_password_free(); the copy returned to the caller is wiped by
// buzon_credentials_secret_free().

#include "config.h"

#include <glib/gi18n-lib.h>

#include "account/account-error.h"
#include "secret-credentials.h"
#include "secret-schema.h"

struct _BuzonSecretCredentials
{
  GObject parent_instance;
};

static void credentials_iface_init (BuzonCredentialsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BuzonSecretCredentials, buzon_secret_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BUZON_TYPE_CREDENTIALS,
                                                      credentials_iface_init))

/* The server a lookup is for, to name it in the error when there is no
 * password. */
typedef struct
{
  char *host;
  char *user;
} Server;

static void
server_free (Server *server)
{
  g_free (server->host);
  g_free (server->user);
  g_free (server);
}

static GHashTable *
attributes_new (const char *account_id,
                const char *protocol,
                const char *host,
                const char *user)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  /* libsecret copies what it needs before the call returns: the table may
   * point at the caller's strings. */
  g_hash_table_insert (attributes, (char *) BUZON_SECRET_ATTRIBUTE_ACCOUNT, (char *) account_id);
  if (protocol != NULL)
    {
      g_hash_table_insert (attributes, (char *) BUZON_SECRET_ATTRIBUTE_PROTOCOL,
                           (char *) protocol);
      g_hash_table_insert (attributes, (char *) BUZON_SECRET_ATTRIBUTE_HOST, (char *) host);
      g_hash_table_insert (attributes, (char *) BUZON_SECRET_ATTRIBUTE_USER,
                           (char *) (user != NULL ? user : ""));
    }
  return attributes;
}

/* Cancelling passes through unchanged; anything else says it was the
 * keyring that failed. */
static void
return_keyring_error (GTask  *task,
                      GError *error)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* Translators: the reason, from the keyring, follows. */
    g_prefix_error (&error, _("The keyring could not be used: "));
  g_task_return_error (task, error);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Server *server = g_task_get_task_data (task);
  GError *error = NULL;
  char *found = secret_password_lookup_finish (result, &error);
  char *password;

  if (error != NULL)
    {
      return_keyring_error (task, error);
      return;
    }
  if (found == NULL)
    {
      if (server->user != NULL)
        g_task_return_new_error (task, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_NO_SECRET,
                                 /* Translators: a user name, then a host name. */
                                 _("The keyring holds no password for %s on %s"), server->user,
                                 server->host);
      else
        g_task_return_new_error (task, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_NO_SECRET,
                                 /* Translators: %s is a host name. */
                                 _("The keyring holds no password for %s"), server->host);
      return;
    }
  /* Our copy is g_malloc()ed, so that every secret the interface hands out
   * is freed the same way. */
  password = g_strdup (found);
  secret_password_free (found);
  g_task_return_pointer (task, password, (GDestroyNotify) buzon_credentials_secret_free);
}

static void
secret_lookup_async (BuzonCredentials    *credentials,
                     const char          *account_id,
                     const char          *protocol,
                     const char          *host,
                     const char          *user,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (credentials, cancellable, callback, user_data);
  g_autoptr (GHashTable) attributes = attributes_new (account_id, protocol, host, user);
  Server *server = g_new0 (Server, 1);

  g_task_set_source_tag (task, secret_lookup_async);
  server->host = g_strdup (host);
  server->user = g_strdup (user);
  g_task_set_task_data (task, server, (GDestroyNotify) server_free);

  secret_password_lookupv (BUZON_SECRET_SCHEMA, attributes, cancellable, lookup_cb,
                           g_steal_pointer (&task));
}

static char *
secret_lookup_finish (BuzonCredentials  *credentials,
                      GAsyncResult      *result,
                      GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, credentials), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    return_keyring_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
secret_store_async (BuzonCredentials    *credentials,
                    const char          *account_id,
                    const char          *protocol,
                    const char          *host,
                    const char          *user,
                    const char          *secret,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (credentials, cancellable, callback, user_data);
  g_autoptr (GHashTable) attributes = attributes_new (account_id, protocol, host, user);
  g_autofree char *upper = g_ascii_strup (protocol, -1);
  g_autofree char *label = NULL;

  g_task_set_source_tag (task, secret_store_async);
  if (user != NULL)
    /* Translators: the label of a password in the keyring, as Seahorse shows
     * it. The first %s is a user name, the second a host name, the third
     * IMAP or SMTP. */
    label = g_strdup_printf (_("Buzón password for %s on %s (%s)"), user, host, upper);
  else
    /* Translators: the label of a password in the keyring, as Seahorse shows
     * it. The first %s is a host name, the second IMAP or SMTP. */
    label = g_strdup_printf (_("Buzón password for %s (%s)"), host, upper);

  secret_password_storev (BUZON_SECRET_SCHEMA, attributes, SECRET_COLLECTION_DEFAULT, label,
                          secret, cancellable, store_cb, g_steal_pointer (&task));
}

static void
delete_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to delete: a success. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    return_keyring_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
secret_delete_async (BuzonCredentials    *credentials,
                     const char          *account_id,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (credentials, cancellable, callback, user_data);
  g_autoptr (GHashTable) attributes = attributes_new (account_id, NULL, NULL, NULL);

  g_task_set_source_tag (task, secret_delete_async);
  secret_password_clearv (BUZON_SECRET_SCHEMA, attributes, cancellable, delete_cb,
                          g_steal_pointer (&task));
}

static gboolean
secret_boolean_finish (BuzonCredentials  *credentials,
                       GAsyncResult      *result,
                       GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, credentials), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
credentials_iface_init (BuzonCredentialsInterface *iface)
{
  iface->lookup_async = secret_lookup_async;
  iface->lookup_finish = secret_lookup_finish;
  iface->store_async = secret_store_async;
  iface->store_finish = secret_boolean_finish;
  iface->delete_async = secret_delete_async;
  iface->delete_finish = secret_boolean_finish;
}

static void
buzon_secret_credentials_class_init (BuzonSecretCredentialsClass *klass)
{
}

static void
buzon_secret_credentials_init (BuzonSecretCredentials *self)
{
}

/**
 * buzon_secret_credentials_new:
 *
 * Returns: (transfer full): credentials kept in the user's default keyring.
 *   The Secret Service is reached on the session bus at the first operation.
 */
BuzonSecretCredentials *
buzon_secret_credentials_new (void)
{
  return g_object_new (BUZON_TYPE_SECRET_CREDENTIALS, NULL);
}
