// BuzonImapSession's UID FETCH: each message decoded and handed on as it
// arrives, and the CHANGEDSINCE form for resync (RFC 7162).
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "imap-error.h"
#include "imap-session-private.h"

typedef struct
{
  BuzonImapSession *self;    /* Not owned: the task holds it. */
  GCancellable *cancellable; /* Not owned: the task holds it. */
  BuzonImapFetchFunc on_fetch;
  BuzonImapVanishedFunc on_vanished;
  gpointer callback_data;
  guint count;
  GError *error; /* The first FETCH or VANISHED that could not be read. */
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_error (&data->error);
  g_free (data);
}

static void
fetch_untagged (BuzonImapConnection     *connection,
                const BuzonImapResponse *response,
                gpointer                 user_data)
{
  FetchData *data = user_data;

  if (g_strcmp0 (response->keyword, "FETCH") == 0)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonImapFetch) fetch = buzon_imap_fetch_decode (response, &error);

      _buzon_imap_session_consume (data->self, response);
      if (fetch == NULL)
        {
          if (data->error == NULL)
            data->error = g_steal_pointer (&error);
          return;
        }
      data->count++;
      if (data->on_fetch != NULL && !g_cancellable_is_cancelled (data->cancellable))
        data->on_fetch (g_steal_pointer (&fetch), data->callback_data);
    }
  else if (g_strcmp0 (response->keyword, "VANISHED") == 0)
    {
      g_autoptr (GError) error = NULL;
      gboolean earlier = FALSE;
      g_autoptr (GArray) uids = _buzon_imap_session_read_vanished (response, &earlier, &error);

      /* Only VANISHED (EARLIER) answers the command; a plain VANISHED is an
       * expunge happening now, for the session's "vanished" signal. */
      if (!earlier && uids != NULL)
        return;
      _buzon_imap_session_consume (data->self, response);
      if (uids == NULL)
        {
          if (data->error == NULL)
            data->error = g_steal_pointer (&error);
          return;
        }
      if (data->on_vanished != NULL && !g_cancellable_is_cancelled (data->cancellable))
        data->on_vanished (uids, data->callback_data);
    }
}

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_int (task, data->count);
}

static void
fetch (BuzonImapSession      *self,
       const char            *uid_set,
       const char            *items,
       const char            *modifiers,
       BuzonImapFetchFunc     on_fetch,
       BuzonImapVanishedFunc  on_vanished,
       gpointer               callback_data,
       GTask                 *task)
{
  g_autoptr (BuzonImapCommand) command = NULL;
  FetchData *data;

  if (!_buzon_imap_session_check_state (self, task, STATE_BIT (BUZON_IMAP_SESSION_SELECTED)))
    return;
  if (!buzon_imap_uid_set_is_valid (uid_set))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("The set of messages to fetch is not valid"));
      return;
    }

  data = g_new0 (FetchData, 1);
  data->self = self;
  data->cancellable = g_task_get_cancellable (task);
  data->on_fetch = on_fetch;
  data->on_vanished = on_vanished;
  data->callback_data = callback_data;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  command = _buzon_imap_session_command_new (self, "UID FETCH");
  buzon_imap_command_add_raw (command, uid_set);
  buzon_imap_command_add_raw (command, items);
  if (modifiers != NULL)
    buzon_imap_command_add_raw (command, modifiers);
  buzon_imap_connection_command_async (self->connection, command, fetch_untagged, data,
                                       g_task_get_cancellable (task), fetch_done_cb,
                                       g_object_ref (task));
}

/**
 * buzon_imap_session_fetch_async:
 * @uid_set: the UIDs, as a sequence set ("1:*", "100:200,305")
 * @items: the FETCH items as IMAP syntax, such as "(UID FLAGS ENVELOPE)";
 *   written by the program, never user data
 * @on_fetch: (nullable) (scope call): each message, decoded, as soon as it
 *   arrives, before @callback; nothing is kept in between, so any number of
 *   messages costs the memory of one
 * @fetch_data: for @on_fetch
 * @cancellable: (nullable): cancelling before the command was sent keeps it
 *   from being sent; after, @on_fetch is not called again and the result is
 *   G_IO_ERROR_CANCELLED once the server has answered
 *
 * Runs in SELECTED. Sends UID FETCH. Get the result with
 * buzon_imap_session_fetch_finish(). A FETCH the decoder cannot read is
 * skipped and fails the result with BUZON_IMAP_ERROR_PARSE at the end.
 */
void
buzon_imap_session_fetch_async (BuzonImapSession    *self,
                                const char          *uid_set,
                                const char          *items,
                                BuzonImapFetchFunc   on_fetch,
                                gpointer             fetch_data,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (items != NULL && items[0] != '\0');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_fetch_async);
  fetch (self, uid_set, items, NULL, on_fetch, NULL, fetch_data, task);
}

/**
 * buzon_imap_session_fetch_changed_since_async:
 * @uid_set: the UIDs, as a sequence set, usually "1:*"
 * @items: the FETCH items as IMAP syntax, such as "(UID FLAGS)"; MODSEQ is
 *   always sent back
 * @modseq: the HIGHESTMODSEQ the cache is up to date with
 * @on_fetch: (nullable) (scope call): each message changed since @modseq
 * @on_vanished: (nullable) (scope call): with QRESYNC, the UIDs in @uid_set
 *   expunged since @modseq, as ranges
 * @callback_data: for @on_fetch and @on_vanished
 * @cancellable: (nullable): as for buzon_imap_session_fetch_async()
 *
 * Runs in SELECTED, with CONDSTORE or QRESYNC enabled (else it fails with
 * G_IO_ERROR_NOT_SUPPORTED). Sends UID FETCH with (CHANGEDSINCE modseq
 * VANISHED) where QRESYNC is enabled, (CHANGEDSINCE modseq) with CONDSTORE
 * alone: then expunges must be found another way. Finish with
 * buzon_imap_session_fetch_finish().
 */
void
buzon_imap_session_fetch_changed_since_async (BuzonImapSession      *self,
                                              const char            *uid_set,
                                              const char            *items,
                                              guint64                modseq,
                                              BuzonImapFetchFunc     on_fetch,
                                              BuzonImapVanishedFunc  on_vanished,
                                              gpointer               callback_data,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *modifiers = NULL;
  gboolean qresync;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (items != NULL && items[0] != '\0');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_fetch_changed_since_async);
  qresync = buzon_imap_session_get_qresync (self);
  if (self->state == BUZON_IMAP_SESSION_SELECTED && !buzon_imap_session_get_condstore (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                               _("The server cannot tell which messages changed"));
      return;
    }
  modifiers = g_strdup_printf ("(CHANGEDSINCE %" G_GUINT64_FORMAT "%s)", modseq,
                               qresync ? " VANISHED" : "");
  fetch (self, uid_set, items, modifiers, on_fetch, on_vanished, callback_data, task);
}

/**
 * buzon_imap_session_fetch_finish:
 * @count: (out) (optional): how many messages were handed to the callback
 *
 * Finishes buzon_imap_session_fetch_async() and
 * buzon_imap_session_fetch_changed_since_async().
 */
gboolean
buzon_imap_session_fetch_finish (BuzonImapSession *self,
                                 GAsyncResult     *result,
                                 guint            *count,
                                 GError          **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (count != NULL)
    *count = (guint) n;
  return TRUE;
}
