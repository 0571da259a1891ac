// The store's outbox: adding, listing, reading one message with its
// bytes, changing a message's state only from the states a step allows,
// removing, and putting back in order what a crash left half done.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "store-outbox.h"
#include "store-private.h"

#define ITEM_COLUMNS                                                                               \
  "id, state, length(raw), sent_headers, sender, recipients, subject, message_id, flags, "         \
  "send_at, attempts, last_error, created_at, changed_at"

BuzonStoreOutboxItem *
buzon_store_outbox_item_new (void)
{
  return g_new0 (BuzonStoreOutboxItem, 1);
}

void
buzon_store_outbox_item_free (BuzonStoreOutboxItem *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->raw, g_bytes_unref);
  g_free (self->sent_headers);
  g_free (self->sender);
  g_strfreev (self->recipients);
  g_free (self->subject);
  g_free (self->message_id);
  g_free (self->last_error);
  g_free (self);
}

/**
 * buzon_store_outbox_state_to_string:
 *
 * Returns: the state's name as `buzon-cli outbox --json` writes it
 */
const char *
buzon_store_outbox_state_to_string (BuzonStoreOutboxState state)
{
  static const char *const names[] = {
    "queued", "sending", "committing", "accepted", "saving-sent", "failed", "uncertain",
  };

  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (names), "unknown");
  return names[state];
}

static char *
join_recipients (const char * const *recipients)
{
  return g_strjoinv ("\n", (char **) recipients);
}

static GStrv
split_recipients (const char *text)
{
  if (text == NULL || *text == '\0')
    return g_new0 (char *, 1);
  return g_strsplit (text, "\n", -1);
}

static BuzonStoreOutboxItem *
read_item (sqlite3_stmt *statement)
{
  BuzonStoreOutboxItem *item = buzon_store_outbox_item_new ();
  gint64 state = sqlite3_column_int64 (statement, 1);

  item->id = sqlite3_column_int64 (statement, 0);
  /* A state from a newer Buzón is shown as refused rather than sent. */
  item->state = state >= BUZON_STORE_OUTBOX_QUEUED && state <= BUZON_STORE_OUTBOX_UNCERTAIN
                  ? (BuzonStoreOutboxState) state
                  : BUZON_STORE_OUTBOX_FAILED;
  item->size = (gsize) sqlite3_column_int64 (statement, 2);
  item->sent_headers = g_strdup ((const char *) sqlite3_column_text (statement, 3));
  item->sender = g_strdup ((const char *) sqlite3_column_text (statement, 4));
  item->recipients = split_recipients ((const char *) sqlite3_column_text (statement, 5));
  item->subject = g_strdup ((const char *) sqlite3_column_text (statement, 6));
  item->message_id = g_strdup ((const char *) sqlite3_column_text (statement, 7));
  item->flags = (BuzonStoreOutboxFlags) sqlite3_column_int64 (statement, 8);
  item->send_at = sqlite3_column_int64 (statement, 9);
  item->attempts = (guint) sqlite3_column_int64 (statement, 10);
  item->last_error = g_strdup ((const char *) sqlite3_column_text (statement, 11));
  item->created_at = sqlite3_column_int64 (statement, 12);
  item->changed_at = sqlite3_column_int64 (statement, 13);
  return item;
}

static GError *
outbox_error (sqlite3 *db,
              int      rc)
{
  return _buzon_store_error (db, rc != SQLITE_OK ? rc : sqlite3_errcode (db),
                             _("saving the outbox"));
}

static GTask *
outbox_task (BuzonStore          *self,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  return task;
}

/* Adding. */

static void
add_job (BuzonStore *self,
         sqlite3    *db,
         GTask      *task)
{
  const BuzonStoreOutboxItem *item = g_task_get_task_data (task);
  g_autofree char *recipients = join_recipients ((const char * const *) item->recipients);
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3_stmt *statement;
  gsize size = 0;
  const void *raw = g_bytes_get_data (item->raw, &size);
  int rc = SQLITE_OK;

  statement = _buzon_store_prepare (self,
                                    "INSERT INTO outbox (raw, sent_headers, sender, recipients, "
                                    "subject, message_id, flags, state, send_at, created_at, "
                                    "changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                                    &error);
  if (statement == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sqlite3_bind_blob64 (statement, 1, raw != NULL ? raw : "", size, SQLITE_STATIC);
  sqlite3_bind_text (statement, 2, item->sent_headers, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 3, item->sender, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 4, recipients, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 5, item->subject, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 6, item->message_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 7, item->flags);
  sqlite3_bind_int64 (statement, 8, item->send_at);
  sqlite3_bind_int64 (statement, 9, now);
  sqlite3_bind_int64 (statement, 10, now);
  if (!_buzon_store_step (statement, &rc))
    {
      g_task_return_error (task, outbox_error (db, rc));
      return;
    }
  _buzon_store_emit_outbox_changed (self);
  g_task_return_int (task, sqlite3_last_insert_rowid (db));
}

static BuzonStoreOutboxItem *
copy_item (const BuzonStoreOutboxItem *item)
{
  BuzonStoreOutboxItem *copy = buzon_store_outbox_item_new ();

  *copy = *item;
  copy->raw = g_bytes_ref (item->raw);
  copy->sent_headers = g_strdup (item->sent_headers);
  copy->sender = g_strdup (item->sender);
  copy->recipients = g_strdupv (item->recipients);
  copy->subject = g_strdup (item->subject);
  copy->message_id = g_strdup (item->message_id);
  copy->last_error = g_strdup (item->last_error);
  return copy;
}

/**
 * buzon_store_add_outbox_async:
 * @item: the message (@raw, @sender, @recipients and @send_at at least);
 *   its id and state are ignored: it is added QUEUED
 *
 * Keeps the message in the outbox. The callback runs once the write is
 * durable (the store's synchronous = FULL): from then on the message
 * survives a crash or a power cut.
 */
void
buzon_store_add_outbox_async (BuzonStore                 *self,
                              const BuzonStoreOutboxItem *item,
                              GCancellable               *cancellable,
                              GAsyncReadyCallback         callback,
                              gpointer                    user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (item != NULL && item->raw != NULL && item->sender != NULL);
  g_return_if_fail (item->recipients != NULL && item->recipients[0] != NULL);

  task = outbox_task (self, buzon_store_add_outbox_async, cancellable, callback, user_data);
  g_task_set_task_data (task, copy_item (item), (GDestroyNotify) buzon_store_outbox_item_free);
  _buzon_store_run (self, task, add_job);
}

/**
 * buzon_store_add_outbox_finish:
 *
 * Returns: the message's outbox id, or 0 with @error
 */
gint64
buzon_store_add_outbox_finish (BuzonStore   *self,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return g_task_propagate_int (G_TASK (result), error);
}

/* Listing and reading. */

static void
list_job (BuzonStore *self,
          sqlite3    *db,
          GTask      *task)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (
    (GDestroyNotify) buzon_store_outbox_item_free);
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *statement;
  int rc;

  statement = _buzon_store_prepare (self,
                                    "SELECT " ITEM_COLUMNS " FROM outbox ORDER BY send_at, id",
                                    &error);
  if (statement == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    g_ptr_array_add (items, read_item (statement));
  if (rc != SQLITE_DONE)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("reading the outbox")));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&items), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * buzon_store_list_outbox_async:
 *
 * The outbox's messages without their bytes, the first to go first.
 */
void
buzon_store_list_outbox_async (BuzonStore          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));

  task = outbox_task (self, buzon_store_list_outbox_async, cancellable, callback, user_data);
  _buzon_store_run (self, task, list_job);
}

/**
 * buzon_store_list_outbox_finish:
 *
 * Returns: (transfer container) (element-type BuzonStoreOutboxItem): the
 *   messages, each with @raw %NULL
 */
GPtrArray *
buzon_store_list_outbox_finish (BuzonStore   *self,
                                GAsyncResult *result,
                                GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_job (BuzonStore *self,
         sqlite3    *db,
         GTask      *task)
{
  gint64 id = *(gint64 *) g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  BuzonStoreOutboxItem *item;
  sqlite3_stmt *statement;
  int rc;

  statement = _buzon_store_prepare (self,
                                    "SELECT " ITEM_COLUMNS ", raw FROM outbox WHERE id = ?",
                                    &error);
  if (statement == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sqlite3_bind_int64 (statement, 1, id);
  rc = sqlite3_step (statement);
  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (statement);
      g_task_return_new_error (task, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                               _("Message %lld is not in the outbox"), (long long) id);
      return;
    }
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (statement);
      g_task_return_error (task, _buzon_store_error (db, rc, _("reading the outbox")));
      return;
    }
  item = read_item (statement);
  item->raw = g_bytes_new (sqlite3_column_blob (statement, 14),
                           (gsize) sqlite3_column_bytes (statement, 14));
  sqlite3_reset (statement);
  g_task_return_pointer (task, item, (GDestroyNotify) buzon_store_outbox_item_free);
}

static GTask *
id_task (BuzonStore          *self,
         gint64               id,
         gpointer             source_tag,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  GTask *task = outbox_task (self, source_tag, cancellable, callback, user_data);

  g_task_set_task_data (task, g_memdup2 (&id, sizeof id), g_free);
  return task;
}

/**
 * buzon_store_get_outbox_async:
 *
 * One outbox message with its bytes; %BUZON_STORE_ERROR_NOT_FOUND when it
 * left the outbox.
 */
void
buzon_store_get_outbox_async (BuzonStore          *self,
                              gint64               id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));

  task = id_task (self, id, buzon_store_get_outbox_async, cancellable, callback, user_data);
  _buzon_store_run (self, task, get_job);
}

BuzonStoreOutboxItem *
buzon_store_get_outbox_finish (BuzonStore   *self,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Changing and removing. */

typedef struct
{
  gint64 id;
  BuzonStoreOutboxChange change;
  char *last_error;  /* Owned copies of the change's strings. */
  GStrv recipients;
} ChangeData;

static void
change_data_free (ChangeData *data)
{
  g_free (data->last_error);
  g_strfreev (data->recipients);
  g_free (data);
}

/* The state the message is in, or -1 when it is not in the outbox. */
static gint64
current_state (BuzonStore *self,
               gint64      id,
               int        *rc)
{
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *statement;
  gint64 state = -1;

  statement = _buzon_store_prepare (self, "SELECT state FROM outbox WHERE id = ?", &error);
  if (statement == NULL)
    {
      *rc = SQLITE_ERROR;
      return -2;
    }
  sqlite3_bind_int64 (statement, 1, id);
  *rc = sqlite3_step (statement);
  if (*rc == SQLITE_ROW)
    {
      state = sqlite3_column_int64 (statement, 0);
      *rc = SQLITE_OK;
    }
  else if (*rc == SQLITE_DONE)
    *rc = SQLITE_OK;
  sqlite3_reset (statement);
  return *rc == SQLITE_OK ? state : -2;
}

/* Returns the error for a message not in one of @from_states, or NULL. */
static GError *
check_state (gint64 id,
             gint64 state,
             guint  from_states)
{
  if (state < 0)
    return g_error_new (BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                        _("Message %lld is not in the outbox"), (long long) id);
  if ((BUZON_STORE_OUTBOX_STATE_MASK (state) & from_states) == 0)
    return g_error_new (BUZON_STORE_ERROR, BUZON_STORE_ERROR_STATE,
                        _("Message %lld is already %s"), (long long) id,
                        buzon_store_outbox_state_to_string ((BuzonStoreOutboxState) state));
  return NULL;
}

static gboolean
update_item (BuzonStore       *self,
             const ChangeData *data,
             int              *rc)
{
  const BuzonStoreOutboxChange *change = &data->change;
  g_autofree char *recipients = NULL;
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *statement;

  statement = _buzon_store_prepare (self,
                                    "UPDATE outbox SET state = ?, "
                                    "send_at = CASE WHEN ? > 0 THEN ? ELSE send_at END, "
                                    "last_error = ?, attempts = attempts + ?, "
                                    "recipients = coalesce(?, recipients), "
                                    "flags = (flags & ~?) | ?, "
                                    "changed_at = ? WHERE id = ?",
                                    &error);
  if (statement == NULL)
    {
      *rc = SQLITE_ERROR;
      return FALSE;
    }
  if (data->recipients != NULL)
    recipients = join_recipients ((const char * const *) data->recipients);
  sqlite3_bind_int64 (statement, 1, change->state);
  sqlite3_bind_int64 (statement, 2, change->send_at);
  sqlite3_bind_int64 (statement, 3, change->send_at);
  sqlite3_bind_text (statement, 4, data->last_error, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 5, change->count_attempt ? 1 : 0);
  sqlite3_bind_text (statement, 6, recipients, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 7, change->remove_flags);
  sqlite3_bind_int64 (statement, 8, change->add_flags);
  sqlite3_bind_int64 (statement, 9, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (statement, 10, data->id);
  return _buzon_store_step (statement, rc);
}

/* Checks the state and changes it (or removes the message, @change NULL)
 * in one transaction, so that two send queues or a send and an undo
 * cannot both win. */
static void
transition_job (BuzonStore *self,
                sqlite3    *db,
                GTask      *task,
                gboolean    remove)
{
  const ChangeData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gint64 state;
  int rc = SQLITE_OK;

  if (!_buzon_store_begin (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  state = current_state (self, data->id, &rc);
  if (state == -2)
    goto failed;
  error = check_state (data->id, state, data->change.from_states);
  if (error != NULL)
    {
      _buzon_store_rollback (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (remove)
    {
      sqlite3_stmt *statement = _buzon_store_prepare (self, "DELETE FROM outbox WHERE id = ?",
                                                      &error);

      if (statement == NULL)
        goto failed;
      sqlite3_bind_int64 (statement, 1, data->id);
      if (!_buzon_store_step (statement, &rc))
        goto failed;
    }
  else if (!update_item (self, data, &rc))
    goto failed;
  if (!_buzon_store_commit (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _buzon_store_emit_outbox_changed (self);
  g_task_return_boolean (task, TRUE);
  return;

failed:
  g_clear_error (&error);
  error = outbox_error (db, rc);
  _buzon_store_rollback (self);
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
change_job (BuzonStore *self,
            sqlite3    *db,
            GTask      *task)
{
  transition_job (self, db, task, FALSE);
}

static void
remove_job (BuzonStore *self,
            sqlite3    *db,
            GTask      *task)
{
  transition_job (self, db, task, TRUE);
}

/**
 * buzon_store_change_outbox_async:
 * @change: the new state and what goes with it; copied
 *
 * Moves the message to @change's state if it is in one of its
 * from-states; else fails with %BUZON_STORE_ERROR_STATE (or NOT_FOUND
 * when it left the outbox) and changes nothing. Durable when the callback
 * runs.
 */
void
buzon_store_change_outbox_async (BuzonStore                   *self,
                                 gint64                        id,
                                 const BuzonStoreOutboxChange *change,
                                 GCancellable                 *cancellable,
                                 GAsyncReadyCallback           callback,
                                 gpointer                      user_data)
{
  g_autoptr (GTask) task = NULL;
  ChangeData *data;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (change != NULL);

  task = outbox_task (self, buzon_store_change_outbox_async, cancellable, callback, user_data);
  data = g_new0 (ChangeData, 1);
  data->id = id;
  data->change = *change;
  data->last_error = g_strdup (change->last_error);
  data->recipients = g_strdupv ((char **) change->recipients);
  data->change.last_error = NULL;
  data->change.recipients = NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) change_data_free);
  _buzon_store_run (self, task, change_job);
}

gboolean
buzon_store_change_outbox_finish (BuzonStore   *self,
                                  GAsyncResult *result,
                                  GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_store_remove_outbox_async:
 * @from_states: the states it may be taken out in
 *
 * Takes the message out of the outbox if it is in one of @from_states
 * (an undo: QUEUED only; the end of a send: SAVING_SENT or ACCEPTED).
 */
void
buzon_store_remove_outbox_async (BuzonStore          *self,
                                 gint64               id,
                                 guint                from_states,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  ChangeData *data;

  g_return_if_fail (BUZON_IS_STORE (self));

  task = outbox_task (self, buzon_store_remove_outbox_async, cancellable, callback, user_data);
  data = g_new0 (ChangeData, 1);
  data->id = id;
  data->change.from_states = from_states;
  g_task_set_task_data (task, data, (GDestroyNotify) change_data_free);
  _buzon_store_run (self, task, remove_job);
}

gboolean
buzon_store_remove_outbox_finish (BuzonStore   *self,
                                  GAsyncResult *result,
                                  GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Recovery. */

static void
recover_job (BuzonStore *self,
             sqlite3    *db,
             GTask      *task)
{
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *requeue;
  sqlite3_stmt *uncertain;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint changed = 0;
  int rc = SQLITE_OK;

  if (!_buzon_store_begin (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Nothing the server could deliver had gone out: it may go again. */
  requeue = _buzon_store_prepare (self,
                                  "UPDATE outbox SET state = 0, changed_at = ? WHERE state = 1",
                                  &error);
  uncertain = _buzon_store_prepare (self,
                                    "UPDATE outbox SET state = 6, last_error = ?, "
                                    "changed_at = ? WHERE state = 2",
                                    &error);
  if (requeue == NULL || uncertain == NULL)
    {
      _buzon_store_rollback (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sqlite3_bind_int64 (requeue, 1, now);
  if (!_buzon_store_step (requeue, &rc))
    goto failed;
  changed += (guint) sqlite3_changes (db);
  sqlite3_bind_text (uncertain, 1,
                     _("Buzón stopped while the server was taking the message: it may have been "
                       "delivered. Look in the recipients' mail or your Sent folder, then send it "
                       "again or remove it."),
                     -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (uncertain, 2, now);
  if (!_buzon_store_step (uncertain, &rc))
    goto failed;
  changed += (guint) sqlite3_changes (db);
  if (!_buzon_store_commit (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (changed > 0)
    _buzon_store_emit_outbox_changed (self);
  g_task_return_int (task, changed);
  return;

failed:
  error = outbox_error (db, rc);
  _buzon_store_rollback (self);
  g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * buzon_store_recover_outbox_async:
 *
 * Puts right what a send queue that stopped mid-send left: a message
 * SENDING goes back to QUEUED (the server cannot have it), one COMMITTING
 * becomes UNCERTAIN (it may have). ACCEPTED and SAVING_SENT stay: the
 * send queue finishes them. Only a send queue that holds the outbox's
 * lock (so that no other is sending) may call this.
 */
void
buzon_store_recover_outbox_async (BuzonStore          *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));

  task = outbox_task (self, buzon_store_recover_outbox_async, cancellable, callback, user_data);
  _buzon_store_run (self, task, recover_job);
}

/**
 * buzon_store_recover_outbox_finish:
 *
 * Returns: how many messages changed state (0 with @error too)
 */
guint
buzon_store_recover_outbox_finish (BuzonStore   *self,
                                   GAsyncResult *result,
                                   GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return (guint) g_task_propagate_int (G_TASK (result), error);
}
