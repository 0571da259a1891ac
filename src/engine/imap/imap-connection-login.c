// BuzonImapConnection, logging in: AUTHENTICATE PLAIN (with or without
// SASL-IR) or LOGIN, then the capabilities the server has after login.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap-connection-private.h"
#include "imap-error.h"

static void
login_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonImapConnection *self = BUZON_IMAP_CONNECTION (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (self, result, &error);
  if (response == NULL)
    {
      /* Servers older than RFC 5530 say NO without [AUTHENTICATIONFAILED]:
       * a NO to a login is a refused login all the same. */
      if (g_task_get_task_data (task) == NULL
          && g_error_matches (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO))
        error->code = BUZON_IMAP_ERROR_AUTHENTICATION_FAILED;
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Capabilities change with login; the OK usually carries the new ones,
   * else they are asked for (once: the task data marks that). */
  if (g_task_get_task_data (task) == NULL
      && (response->code == NULL || !g_str_equal (response->code, "CAPABILITY")))
    {
      g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("CAPABILITY");

      g_task_set_task_data (task, GINT_TO_POINTER (1), NULL);
      buzon_imap_connection_command_async (self, command, NULL, NULL,
                                           NULL, login_done_cb,
                                           g_steal_pointer (&task));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * buzon_imap_connection_login_async:
 *
 * Logs in with AUTHENTICATE PLAIN (in one round trip where SASL-IR is
 * offered) or, where PLAIN is not offered, LOGIN; then re-reads the
 * capabilities. Fails with BUZON_IMAP_ERROR_LOGIN_DISABLED where the server
 * forbids login over this connection, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED
 * for a wrong user name or password (quoting the server).
 */
void
buzon_imap_connection_login_async (BuzonImapConnection *self,
                                   const char          *user,
                                   const char          *password,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;

  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));
  g_return_if_fail (user != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_connection_login_async);
  /* A login on the wire cannot be taken back: the result is the server's
   * answer even if @cancellable fires meanwhile, so the caller knows the
   * state the server is in. */
  g_task_set_check_cancellable (task, FALSE);

  if (buzon_imap_connection_has_capability (self, "LOGINDISABLED"))
    {
      /* Translators: %s is a host name. */
      g_task_return_new_error (task, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_LOGIN_DISABLED,
                               _("%s does not allow logging in without TLS"), self->url->host);
      return;
    }

  if (buzon_imap_connection_has_capability (self, "AUTH=PLAIN"))
    {
      g_autoptr (GString) token = g_string_new (NULL);
      g_autofree char *encoded = NULL;

      g_string_append_c (token, '\0');
      g_string_append (token, user);
      g_string_append_c (token, '\0');
      g_string_append (token, password);
      encoded = g_base64_encode ((const guchar *) token->str, token->len);
      explicit_bzero (token->str, token->len);

      if (!buzon_imap_connection_has_capability (self, "SASL-IR"))
        {
          /* Two chunks: the command, then the response to the server's "+". */
          GPtrArray *chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
          char *tag = _buzon_imap_connection_next_tag (self);
          char *line = g_strdup_printf ("%s AUTHENTICATE PLAIN\r\n", tag);
          char *answer = g_strconcat (encoded, "\r\n", NULL);
          GTask *command_task;

          g_ptr_array_add (chunks, g_bytes_new_take (line, strlen (line)));
          g_ptr_array_add (chunks, g_bytes_new_take (answer, strlen (answer)));
          explicit_bzero (encoded, strlen (encoded));
          command_task = g_task_new (self, NULL, login_done_cb, g_steal_pointer (&task));
          g_task_set_source_tag (command_task, buzon_imap_connection_command_async);
          _buzon_imap_connection_enqueue (self, chunks, tag, command_task, NULL, NULL);
          _buzon_imap_connection_pump (self);
          return;
        }
      command = buzon_imap_command_new ("AUTHENTICATE");
      buzon_imap_command_add_atom (command, "PLAIN");
      buzon_imap_command_add_atom (command, encoded);
      explicit_bzero (encoded, strlen (encoded));
    }
  else
    {
      command = buzon_imap_command_new ("LOGIN");
      buzon_imap_command_add_astring (command, user, -1);
      buzon_imap_command_add_string (command, password, -1);
    }
  buzon_imap_connection_command_async (self, command, NULL, NULL, NULL, login_done_cb,
                                       g_steal_pointer (&task));
}

gboolean
buzon_imap_connection_login_finish (BuzonImapConnection *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

