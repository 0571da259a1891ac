// BuzonImapSession's IDLE (RFC 2177): waiting for news as long as the
// caller wants, renewed before servers drop it, out of the way of commands.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// One IDLE command may not last more than 29 minutes: servers may log the
// client out after 30 minutes of inactivity, and NAT boxes forget quiet
// connections. So the session ends each IDLE after "idle-refresh" seconds
// and starts another. Commands never wait behind IDLE either: the
// connection ends it (DONE) as soon as one is queued, and the session
// starts IDLE again after it. News arrives as the session's signals.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "imap-error.h"
#include "imap-session-private.h"

typedef struct
{
  guint refresh_id;
  gboolean stop;
  /* Ends the IDLE in progress, or drops one still queued behind other
   * commands: cancelled by buzon_imap_session_idle_stop() and by the
   * caller's cancellable. */
  GCancellable *stop_cancellable;
  GCancellable *cancellable; /* The caller's, or NULL. */
  gulong cancelled_id;
} IdleData;

static void
idle_data_free (IdleData *data)
{
  g_clear_handle_id (&data->refresh_id, g_source_remove);
  if (data->cancellable != NULL)
    g_cancellable_disconnect (data->cancellable, data->cancelled_id);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->stop_cancellable);
  g_free (data);
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     GCancellable *stop_cancellable)
{
  g_cancellable_cancel (stop_cancellable);
}

static void idle_cycle (GTask *task);

static gboolean
refresh_cb (gpointer user_data)
{
  GTask *task = user_data;
  IdleData *data = g_task_get_task_data (task);
  BuzonImapSession *self = g_task_get_source_object (task);

  /* An IDLE still queued behind other commands has not started: look
   * again shortly rather than let it run unrenewed. */
  if (!buzon_imap_connection_get_idling (self->connection))
    {
      data->refresh_id = g_timeout_add_seconds (1, refresh_cb, task);
      return G_SOURCE_REMOVE;
    }
  /* Ending this IDLE makes its callback start the next one. */
  data->refresh_id = 0;
  buzon_imap_connection_idle_done (self->connection);
  return G_SOURCE_REMOVE;
}

static void
idle_return (GTask  *task,
             GError *error)
{
  BuzonImapSession *self = g_task_get_source_object (task);

  if (self->idle_task == task)
    self->idle_task = NULL;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
idle_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  IdleData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  g_clear_handle_id (&data->refresh_id, g_source_remove);
  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  /* Stopped or cancelled before the IDLE went out: it was never sent. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_clear_error (&error);
  if (error != NULL)
    {
      /* Advertised and refused: remembered, so that the engine polls this
       * server from now on instead of asking again. */
      if (buzon_imap_error_is_refusal (error))
        buzon_imap_quirks_set_idle_refused (self->quirks);
      idle_return (task, g_steal_pointer (&error));
      return;
    }
  if (g_cancellable_is_cancelled (data->cancellable))
    {
      idle_return (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                              _("Operation was cancelled")));
      return;
    }
  if (data->stop)
    {
      idle_return (task, NULL);
      return;
    }
  if (self->state != BUZON_IMAP_SESSION_AUTHENTICATED && self->state != BUZON_IMAP_SESSION_SELECTED)
    {
      /* A command in between logged out. */
      idle_return (task, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s",
                                      _("The session with the server has ended")));
      return;
    }
  idle_cycle (g_steal_pointer (&task));
}

/* Starts one IDLE command; takes the reference to @task. */
static void
idle_cycle (GTask *task)
{
  BuzonImapSession *self = g_task_get_source_object (task);
  IdleData *data = g_task_get_task_data (task);

  data->refresh_id = g_timeout_add_seconds (MAX (self->idle_refresh, 1), refresh_cb, task);
  buzon_imap_connection_idle_async (self->connection, NULL, NULL, data->stop_cancellable,
                                    idle_done_cb, task);
}

/**
 * buzon_imap_session_idle_async:
 * @cancellable: (nullable): cancelling ends IDLE; the result is then
 *   G_IO_ERROR_CANCELLED
 *
 * Runs in AUTHENTICATED and SELECTED, where the server offers IDLE (else
 * G_IO_ERROR_NOT_SUPPORTED, also once the server refused IDLE before).
 * Waits for news until buzon_imap_session_idle_stop(), the cancellable, or
 * a failure: new mail, expunges and flag changes arrive meanwhile as the
 * session's signals. Each IDLE lasts at most "idle-refresh" seconds; other
 * operations may run meanwhile, and IDLE resumes after them. A server that
 * refuses IDLE fails it with BUZON_IMAP_ERROR_NO or BAD. Only one IDLE runs
 * at a time: a second fails with G_IO_ERROR_PENDING.
 */
void
buzon_imap_session_idle_async (BuzonImapSession    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  IdleData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_idle_async);
  if (!_buzon_imap_session_check_state (self, task,
                                        STATE_BIT (BUZON_IMAP_SESSION_AUTHENTICATED)
                                          | STATE_BIT (BUZON_IMAP_SESSION_SELECTED)))
    return;
  if (!buzon_imap_quirks_get_can_idle (self->quirks))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                               _("The server cannot tell about new mail as it arrives"));
      return;
    }
  if (self->idle_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s",
                               _("Already waiting for news from the server"));
      return;
    }
  data = g_new0 (IdleData, 1);
  data->stop_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->cancellable = g_object_ref (cancellable);
      data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                  data->stop_cancellable, NULL);
    }
  /* The result says cancelled only once the server has answered DONE, so
   * the next command never races the end of IDLE. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) idle_data_free);
  self->idle_task = task;
  idle_cycle (g_steal_pointer (&task));
}

gboolean
buzon_imap_session_idle_finish (BuzonImapSession *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Ends buzon_imap_session_idle_async() successfully, once the server has
 * answered DONE; does nothing when no IDLE runs. */
void
buzon_imap_session_idle_stop (BuzonImapSession *self)
{
  IdleData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  if (self->idle_task == NULL)
    return;
  data = g_task_get_task_data (self->idle_task);
  data->stop = TRUE;
  g_cancellable_cancel (data->stop_cancellable);
}
