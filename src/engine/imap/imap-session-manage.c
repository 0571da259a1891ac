// BuzonImapSession's commands that manage mailboxes: CREATE (with a
// special use, RFC 6154), DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, and
// NAMESPACE (RFC 2342).
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "imap-error.h"
#include "imap-session-private.h"

/* Sends @name with the raw mailbox names @first and (nullable) @second, in
 * AUTHENTICATED or SELECTED. Takes @command when not NULL instead. */
static void
mailbox_command (BuzonImapSession *self,
                 const char       *name,
                 const char       *first,
                 const char       *second,
                 GCancellable     *cancellable,
                 gpointer          source_tag,
                 GAsyncReadyCallback callback,
                 gpointer          user_data,
                 BuzonImapCommand *owned_command)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (BuzonImapCommand) command = owned_command;

  g_task_set_source_tag (task, source_tag);
  if (!_buzon_imap_session_check_state (self, task,
                                        STATE_BIT (BUZON_IMAP_SESSION_AUTHENTICATED)
                                          | STATE_BIT (BUZON_IMAP_SESSION_SELECTED)))
    return;
  if (command == NULL)
    {
      command = _buzon_imap_session_command_new (self, name);
      buzon_imap_command_add_astring (command, first, -1);
      if (second != NULL)
        buzon_imap_command_add_astring (command, second, -1);
    }
  buzon_imap_connection_command_async (self->connection, command, NULL, NULL, cancellable,
                                       _buzon_imap_session_boolean_done_cb,
                                       g_steal_pointer (&task));
}

static gboolean
mailbox_command_finish (BuzonImapSession *self,
                        GAsyncResult     *result,
                        GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_imap_session_create_async:
 * @mailbox: the raw name of the new mailbox (see
 *   buzon_imap_session_encode_mailbox())
 * @special_use: (nullable): what it is for, such as "\\Archive" or "\\Sent";
 *   sent where the server offers CREATE-SPECIAL-USE, left out elsewhere
 * @cancellable: (nullable): cancelling before the command was sent keeps it
 *   from being sent; after, the mailbox may exist all the same
 *
 * Runs in AUTHENTICATED and SELECTED. A mailbox of that name that already
 * exists fails with BUZON_IMAP_ERROR_ALREADY_EXISTS where the server says
 * so (RFC 5530), else with BUZON_IMAP_ERROR_NO.
 */
void
buzon_imap_session_create_async (BuzonImapSession    *self,
                                 const char          *mailbox,
                                 const char          *special_use,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  BuzonImapCommand *command = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL && mailbox[0] != '\0');
  g_return_if_fail (special_use == NULL
                    || (special_use[0] == '\\' && buzon_imap_flag_is_valid (special_use)));

  if (special_use != NULL
      && buzon_imap_connection_has_capability (self->connection, "CREATE-SPECIAL-USE"))
    {
      command = _buzon_imap_session_command_new (self, "CREATE");
      buzon_imap_command_add_astring (command, mailbox, -1);
      buzon_imap_command_begin_list (command);
      buzon_imap_command_add_atom (command, "USE");
      buzon_imap_command_begin_list (command);
      buzon_imap_command_add_atom (command, special_use);
      buzon_imap_command_end_list (command);
      buzon_imap_command_end_list (command);
    }
  mailbox_command (self, "CREATE", mailbox, NULL, cancellable, buzon_imap_session_create_async,
                   callback, user_data, command);
}

gboolean
buzon_imap_session_create_finish (BuzonImapSession *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  return mailbox_command_finish (self, result, error);
}

/**
 * buzon_imap_session_delete_async:
 * @mailbox: the raw name of the mailbox
 *
 * Runs in AUTHENTICATED and SELECTED. Deletes the mailbox and every message
 * in it; its children, if any, stay (RFC 3501 §6.3.4). A mailbox that does
 * not exist fails with BUZON_IMAP_ERROR_NONEXISTENT where the server says so.
 */
void
buzon_imap_session_delete_async (BuzonImapSession    *self,
                                 const char          *mailbox,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL && mailbox[0] != '\0');

  mailbox_command (self, "DELETE", mailbox, NULL, cancellable, buzon_imap_session_delete_async,
                   callback, user_data, NULL);
}

gboolean
buzon_imap_session_delete_finish (BuzonImapSession *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  return mailbox_command_finish (self, result, error);
}

/**
 * buzon_imap_session_rename_async:
 * @mailbox: the raw name of the mailbox
 * @new_name: its new raw name
 *
 * Runs in AUTHENTICATED and SELECTED. Its children move with it. Renaming
 * INBOX moves its messages into a new mailbox and leaves INBOX empty (RFC
 * 3501 §6.3.5).
 */
void
buzon_imap_session_rename_async (BuzonImapSession    *self,
                                 const char          *mailbox,
                                 const char          *new_name,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL && mailbox[0] != '\0');
  g_return_if_fail (new_name != NULL && new_name[0] != '\0');

  mailbox_command (self, "RENAME", mailbox, new_name, cancellable,
                   buzon_imap_session_rename_async, callback, user_data, NULL);
}

gboolean
buzon_imap_session_rename_finish (BuzonImapSession *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  return mailbox_command_finish (self, result, error);
}

/**
 * buzon_imap_session_subscribe_async:
 * @mailbox: the raw name of the mailbox
 *
 * Runs in AUTHENTICATED and SELECTED. Adds the mailbox to the ones the user
 * follows (LSUB, LIST (SUBSCRIBED)).
 */
void
buzon_imap_session_subscribe_async (BuzonImapSession    *self,
                                    const char          *mailbox,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL && mailbox[0] != '\0');

  mailbox_command (self, "SUBSCRIBE", mailbox, NULL, cancellable,
                   buzon_imap_session_subscribe_async, callback, user_data, NULL);
}

gboolean
buzon_imap_session_subscribe_finish (BuzonImapSession *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  return mailbox_command_finish (self, result, error);
}

/**
 * buzon_imap_session_unsubscribe_async:
 * @mailbox: the raw name of the mailbox
 *
 * Runs in AUTHENTICATED and SELECTED. The mailbox and its messages stay.
 */
void
buzon_imap_session_unsubscribe_async (BuzonImapSession    *self,
                                      const char          *mailbox,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL && mailbox[0] != '\0');

  mailbox_command (self, "UNSUBSCRIBE", mailbox, NULL, cancellable,
                   buzon_imap_session_unsubscribe_async, callback, user_data, NULL);
}

gboolean
buzon_imap_session_unsubscribe_finish (BuzonImapSession *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  return mailbox_command_finish (self, result, error);
}

/* NAMESPACE. */

static void
namespace_free (BuzonImapNamespace *self)
{
  g_free (self->prefix);
  g_free (self);
}

void
buzon_imap_namespaces_free (BuzonImapNamespaces *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->personal);
  g_ptr_array_unref (self->other_users);
  g_ptr_array_unref (self->shared);
  g_free (self);
}

typedef struct
{
  BuzonImapNamespaces *namespaces; /* Stolen by the result. */
} NamespaceData;

static void
namespace_data_free (NamespaceData *data)
{
  buzon_imap_namespaces_free (data->namespaces);
  g_free (data);
}

static NamespaceData *
namespace_data_new (void)
{
  NamespaceData *data = g_new0 (NamespaceData, 1);

  data->namespaces = g_new0 (BuzonImapNamespaces, 1);
  data->namespaces->personal = g_ptr_array_new_with_free_func ((GDestroyNotify) namespace_free);
  data->namespaces->other_users = g_ptr_array_new_with_free_func ((GDestroyNotify) namespace_free);
  data->namespaces->shared = g_ptr_array_new_with_free_func ((GDestroyNotify) namespace_free);
  return data;
}

/* Adds "(prefix delimiter [extensions])" to @into; FALSE when malformed. */
static gboolean
read_namespace (const BuzonImapValue *entry,
                GPtrArray            *into)
{
  const BuzonImapValue *prefix = buzon_imap_value_get_item (entry, 0);
  const BuzonImapValue *delimiter = buzon_imap_value_get_item (entry, 1);
  BuzonImapNamespace *namespace;
  gsize length = 0;
  const char *text;

  if (entry == NULL || entry->kind != BUZON_IMAP_VALUE_LIST || prefix == NULL
      || prefix->kind != BUZON_IMAP_VALUE_STRING || delimiter == NULL)
    return FALSE;
  text = buzon_imap_value_get_string (delimiter, &length);
  if (delimiter->kind != BUZON_IMAP_VALUE_NIL && (text == NULL || length != 1))
    return FALSE;
  namespace = g_new0 (BuzonImapNamespace, 1);
  namespace->prefix = g_strndup (prefix->data, prefix->length);
  namespace->delimiter = delimiter->kind == BUZON_IMAP_VALUE_NIL ? '\0' : text[0];
  g_ptr_array_add (into, namespace);
  return TRUE;
}

static void
namespace_untagged (BuzonImapConnection     *connection,
                    const BuzonImapResponse *response,
                    gpointer                 user_data)
{
  GTask *task = user_data;
  NamespaceData *data = g_task_get_task_data (task);
  BuzonImapNamespaces *namespaces = data->namespaces;
  BuzonImapSession *self = g_task_get_source_object (task);

  if (g_strcmp0 (response->keyword, "NAMESPACE") == 0)
    {
      GPtrArray *kinds[] = { namespaces->personal, namespaces->other_users, namespaces->shared };

      _buzon_imap_session_consume (self, response);
      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        {
          const BuzonImapValue *list = buzon_imap_value_get_item (response->values, k);

          g_ptr_array_set_size (kinds[k], 0);
          for (gsize i = 0; list != NULL && list->kind == BUZON_IMAP_VALUE_LIST && i < list->length;
               i++)
            if (!read_namespace (list->items[i], kinds[k]))
              g_debug ("A malformed namespace left out");
        }
    }
  else if (g_strcmp0 (response->keyword, "LIST") == 0 && namespaces->personal->len == 0)
    {
      /* The answer to LIST "" "": the delimiter, and nothing else. */
      const BuzonImapValue *delimiter = buzon_imap_value_get_item (response->values, 1);
      gsize length = 0;
      const char *text = buzon_imap_value_get_string (delimiter, &length);
      BuzonImapNamespace *namespace = g_new0 (BuzonImapNamespace, 1);

      _buzon_imap_session_consume (self, response);
      namespace->prefix = g_strdup ("");
      namespace->delimiter = text != NULL && length == 1 ? text[0] : '\0';
      g_ptr_array_add (namespaces->personal, namespace);
    }
}

static void
namespace_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  NamespaceData *data = g_task_get_task_data (task);

  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&data->namespaces),
                         (GDestroyNotify) buzon_imap_namespaces_free);
}

/**
 * buzon_imap_session_namespace_async:
 * @cancellable: (nullable): cancelling before the command was sent keeps it
 *   from being sent; after, only the result changes
 *
 * Runs in AUTHENTICATED and SELECTED. Asks where the user's own mailboxes,
 * other users' and shared ones live (NAMESPACE). A server without NAMESPACE
 * is asked for its hierarchy delimiter instead (LIST "" ""), and the result
 * is one personal namespace with an empty prefix.
 */
void
buzon_imap_session_namespace_async (BuzonImapSession    *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_namespace_async);
  if (!_buzon_imap_session_check_state (self, task,
                                        STATE_BIT (BUZON_IMAP_SESSION_AUTHENTICATED)
                                          | STATE_BIT (BUZON_IMAP_SESSION_SELECTED)))
    return;
  g_task_set_task_data (task, namespace_data_new (), (GDestroyNotify) namespace_data_free);
  if (buzon_imap_connection_has_capability (self->connection, "NAMESPACE")
      || buzon_imap_connection_has_capability (self->connection, "IMAP4rev2"))
    command = _buzon_imap_session_command_new (self, "NAMESPACE");
  else
    {
      command = _buzon_imap_session_command_new (self, "LIST");
      buzon_imap_command_add_string (command, "", 0);
      buzon_imap_command_add_string (command, "", 0);
    }
  /* The task is the untagged handler's data: it lives until the command's
   * callback, which comes after the last untagged response. */
  buzon_imap_connection_command_async (self->connection, command, namespace_untagged, task,
                                       cancellable, namespace_done_cb, g_object_ref (task));
}

/**
 * buzon_imap_session_namespace_finish:
 *
 * Returns: (transfer full): the namespaces, or %NULL with @error
 */
BuzonImapNamespaces *
buzon_imap_session_namespace_finish (BuzonImapSession *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
