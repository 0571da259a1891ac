// BuzonImapSession's commands that change messages: UID STORE (with
// UNCHANGEDSINCE), UID COPY, UID MOVE (or COPY, STORE and UID EXPUNGE where
// MOVE is missing), EXPUNGE and UID EXPUNGE, and APPEND.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Expunges these commands cause (MOVE, EXPUNGE) are not results of the
// command: they change the selected mailbox's sequence numbers, and every
// listener must hear of them in order. They arrive as the session's
// "expunged" and "vanished" signals, before the command's callback runs.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap-error.h"
#include "imap-session-private.h"

/* A COPYUID larger than this is not believed: it would cost more memory to
 * expand than any real copy (RFC 4315 sets are expanded UID by UID). */
#define MAX_COPYUID 10000000

void
buzon_imap_copy_uid_free (BuzonImapCopyUid *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->source, g_array_unref);
  g_clear_pointer (&self->destination, g_array_unref);
  g_free (self);
}

static gboolean
check_uid_set (GTask      *task,
               const char *uid_set)
{
  if (uid_set != NULL && buzon_imap_uid_set_is_valid (uid_set))
    return TRUE;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                           _("The set of messages is not valid"));
  return FALSE;
}

/* Dovecot answers OK to STORE in a read-only mailbox and changes nothing:
 * the caller would think it worked. Refuse before sending instead. */
static gboolean
check_writable (BuzonImapSession *self,
                GTask            *task)
{
  if (!self->selected_read_only)
    return TRUE;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_READ_ONLY, "%s",
                           _("The mailbox is open read-only"));
  return FALSE;
}

static gboolean
check_flags (GTask              *task,
             const char * const *flags)
{
  for (gsize i = 0; flags != NULL && flags[i] != NULL; i++)
    if (!buzon_imap_flag_is_valid (flags[i]) || g_str_equal (flags[i], "\\Recent"))
      {
        /* Translators: %s is a message flag or keyword as the user gave it. */
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                 _("“%s” cannot be stored as a flag"), flags[i]);
        return FALSE;
      }
  return TRUE;
}

static void
add_flag_list (BuzonImapCommand   *command,
               const char * const *flags)
{
  buzon_imap_command_begin_list (command);
  for (gsize i = 0; flags != NULL && flags[i] != NULL; i++)
    buzon_imap_command_add_atom (command, flags[i]);
  buzon_imap_command_end_list (command);
}

/* Expands a set into its UIDs, in the order the server wrote them. */
static GArray *
expand_uid_set (const BuzonImapValue *value)
{
  g_autoptr (GArray) ranges = NULL;
  g_autoptr (GArray) uids = NULL;
  const char *text;
  gsize length = 0;

  text = value != NULL && value->kind == BUZON_IMAP_VALUE_ATOM
           ? buzon_imap_value_get_string (value, &length) : NULL;
  if (text == NULL)
    return NULL;
  ranges = buzon_imap_uid_set_parse (text, length, NULL);
  if (ranges == NULL || buzon_imap_uid_set_count (ranges) > MAX_COPYUID)
    return NULL;
  uids = g_array_sized_new (FALSE, FALSE, sizeof (guint32),
                            (guint) buzon_imap_uid_set_count (ranges));
  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);

      for (guint64 uid = range->first; uid <= range->last; uid++)
        {
          guint32 value32 = (guint32) uid;
          g_array_append_val (uids, value32);
        }
    }
  return g_steal_pointer (&uids);
}

/* Reads "[COPYUID uidvalidity source-set destination-set]" (RFC 4315 §3),
 * or returns NULL when @response does not carry a well-formed one. */
static BuzonImapCopyUid *
read_copyuid (const BuzonImapResponse *response)
{
  g_autoptr (BuzonImapCopyUid) copyuid = NULL;
  guint64 uidvalidity = 0;

  if (response->code == NULL || !g_str_equal (response->code, "COPYUID")
      || response->code_args == NULL
      || !buzon_imap_value_get_number (buzon_imap_value_get_item (response->code_args, 0),
                                       &uidvalidity)
      || uidvalidity == 0 || uidvalidity > G_MAXUINT32)
    return NULL;
  copyuid = g_new0 (BuzonImapCopyUid, 1);
  copyuid->uidvalidity = (guint32) uidvalidity;
  copyuid->source = expand_uid_set (buzon_imap_value_get_item (response->code_args, 1));
  copyuid->destination = expand_uid_set (buzon_imap_value_get_item (response->code_args, 2));
  if (copyuid->source == NULL || copyuid->destination == NULL
      || copyuid->source->len != copyuid->destination->len)
    {
      g_debug ("COPYUID left out: its sets do not pair up");
      return NULL;
    }
  return g_steal_pointer (&copyuid);
}

/* UID STORE. */

typedef struct
{
  BuzonImapSession *self;    /* Not owned: the task holds it. */
  GCancellable *cancellable; /* Not owned: the task holds it. */
  BuzonImapFetchFunc on_fetch;
  gpointer fetch_data;
} StoreData;

static void
store_untagged (BuzonImapConnection     *connection,
                const BuzonImapResponse *response,
                gpointer                 user_data)
{
  StoreData *data = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapFetch) fetch = NULL;

  if (g_strcmp0 (response->keyword, "FETCH") != 0)
    return;
  fetch = buzon_imap_fetch_decode (response, &error);
  if (fetch == NULL)
    {
      /* The store itself went through; the flags read back are a courtesy
       * the next resync makes up for. */
      g_debug ("FETCH after STORE left out: %s", error->message);
      return;
    }
  _buzon_imap_session_consume (data->self, response);
  if (data->on_fetch != NULL && !g_cancellable_is_cancelled (data->cancellable))
    data->on_fetch (g_steal_pointer (&fetch), data->fetch_data);
}

static void
store_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  GArray *modified = NULL;

  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* [MODIFIED set] (RFC 7162 §3.1.3): these failed the UNCHANGEDSINCE test. */
  if (response->code != NULL && g_str_equal (response->code, "MODIFIED"))
    {
      const BuzonImapValue *set = buzon_imap_value_get_item (response->code_args, 0);
      gsize length = 0;
      const char *text = set != NULL && set->kind == BUZON_IMAP_VALUE_ATOM
                           ? buzon_imap_value_get_string (set, &length) : NULL;

      modified = text != NULL ? buzon_imap_uid_set_parse (text, length, &error) : NULL;
      if (modified == NULL)
        {
          /* Some messages were left unchanged and we cannot tell which:
           * the caller must not think they all changed. */
          g_task_return_new_error (task, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE, "%s",
                                   _("The server did not say clearly which messages it left "
                                     "unchanged"));
          return;
        }
    }
  if (modified == NULL)
    modified = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
  g_task_return_pointer (task, modified, (GDestroyNotify) g_array_unref);
}

/**
 * buzon_imap_session_store_async:
 * @uid_set: the UIDs, as a sequence set
 * @action: add, remove or replace
 * @flags: (array zero-terminated=1) (nullable): system flags ("\\Seen") and
 *   keywords ("$Forwarded"); any of them invalid as an IMAP flag fails the
 *   call before anything is sent
 * @unchanged_since: 0, or a MODSEQ: only messages whose MODSEQ is not above
 *   it change (RFC 7162 UNCHANGEDSINCE); needs CONDSTORE
 * @on_fetch: (nullable) (scope call): each changed message's new FLAGS (and
 *   MODSEQ under CONDSTORE), as the server reports them
 * @fetch_data: for @on_fetch
 * @cancellable: (nullable): cancelling before the command was sent keeps it
 *   from being sent; after, the messages may have changed all the same
 *
 * Runs in SELECTED. Sends UID STORE. Adding or removing no flags succeeds at
 * once without sending anything.
 */
void
buzon_imap_session_store_async (BuzonImapSession     *self,
                                const char           *uid_set,
                                BuzonImapStoreAction  action,
                                const char * const   *flags,
                                guint64               unchanged_since,
                                BuzonImapFetchFunc    on_fetch,
                                gpointer              fetch_data,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  static const char *const items[] = { "+FLAGS", "-FLAGS", "FLAGS" };
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;
  StoreData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (action <= BUZON_IMAP_STORE_REPLACE);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_store_async);
  if (!_buzon_imap_session_check_state (self, task, STATE_BIT (BUZON_IMAP_SESSION_SELECTED))
      || !check_writable (self, task) || !check_uid_set (task, uid_set)
      || !check_flags (task, flags))
    return;
  if (unchanged_since > 0 && !buzon_imap_session_get_condstore (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                               _("The server cannot change messages only if they are unchanged"));
      return;
    }
  if (action != BUZON_IMAP_STORE_REPLACE && (flags == NULL || flags[0] == NULL))
    {
      g_task_return_pointer (task, g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange)),
                             (GDestroyNotify) g_array_unref);
      return;
    }

  data = g_new0 (StoreData, 1);
  data->self = self;
  data->cancellable = cancellable;
  data->on_fetch = on_fetch;
  data->fetch_data = fetch_data;
  g_task_set_task_data (task, data, g_free);

  command = _buzon_imap_session_command_new (self, "UID STORE");
  buzon_imap_command_add_raw (command, uid_set);
  if (unchanged_since > 0)
    {
      g_autofree char *modifier = g_strdup_printf ("(UNCHANGEDSINCE %" G_GUINT64_FORMAT ")",
                                                   unchanged_since);
      buzon_imap_command_add_raw (command, modifier);
    }
  buzon_imap_command_add_atom (command, items[action]);
  add_flag_list (command, flags);
  buzon_imap_connection_command_async (self->connection, command, store_untagged, data,
                                       cancellable, store_done_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_store_finish:
 * @modified: (out) (optional) (transfer full) (element-type BuzonImapUidRange):
 *   the UIDs left unchanged because their MODSEQ was above @unchanged_since,
 *   as ranges; empty when all changed
 */
gboolean
buzon_imap_session_store_finish (BuzonImapSession  *self,
                                 GAsyncResult      *result,
                                 GArray           **modified,
                                 GError           **error)
{
  g_autoptr (GArray) ranges = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  ranges = g_task_propagate_pointer (G_TASK (result), error);
  if (ranges == NULL)
    return FALSE;
  if (modified != NULL)
    *modified = g_steal_pointer (&ranges);
  return TRUE;
}

/* UID COPY and UID MOVE. */

typedef enum
{
  MOVE_NONE, /* COPY: one command. */
  MOVE_UID_MOVE,
  MOVE_COPYING, /* No MOVE: COPY, then STORE \Deleted, then UID EXPUNGE. */
  MOVE_DELETING,
  MOVE_EXPUNGING,
} MoveStep;

typedef struct
{
  BuzonImapSession *self; /* Not owned: the task holds it. */
  char *uid_set;
  MoveStep step;
  BuzonImapCopyUid *copyuid;
} CopyData;

static void
copy_data_free (CopyData *data)
{
  g_free (data->uid_set);
  buzon_imap_copy_uid_free (data->copyuid);
  g_free (data);
}

static void
copy_untagged (BuzonImapConnection     *connection,
               const BuzonImapResponse *response,
               gpointer                 user_data)
{
  CopyData *data = user_data;
  BuzonImapCopyUid *copyuid;

  /* MOVE reports COPYUID in an untagged OK before the expunges (RFC 6851
   * §4.3); the expunges themselves stay the session's signals. */
  if (response->status != BUZON_IMAP_STATUS_OK || data->copyuid != NULL)
    return;
  copyuid = read_copyuid (response);
  if (copyuid != NULL)
    {
      _buzon_imap_session_consume (data->self, response);
      data->copyuid = copyuid;
    }
}

static void copy_step (GTask *task);

static void
copy_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  CopyData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL)
    {
      if (data->step == MOVE_DELETING || data->step == MOVE_EXPUNGING)
        /* Translators: followed by the reason, in the server's words. */
        g_prefix_error (&error, _("The messages were copied but not removed from where they "
                                  "were: "));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->copyuid == NULL)
    data->copyuid = read_copyuid (response);

  if (data->step == MOVE_COPYING)
    data->step = MOVE_DELETING;
  else if (data->step == MOVE_DELETING && buzon_imap_session_get_uidplus (data->self))
    data->step = MOVE_EXPUNGING;
  else
    {
      g_task_return_pointer (task, g_steal_pointer (&data->copyuid),
                             (GDestroyNotify) buzon_imap_copy_uid_free);
      return;
    }
  copy_step (g_steal_pointer (&task));
}

/* Sends the command of the current step; takes the reference to @task. */
static void
copy_step (GTask *task)
{
  CopyData *data = g_task_get_task_data (task);
  BuzonImapSession *self = data->self;
  g_autoptr (BuzonImapCommand) command = NULL;
  const char *mailbox = g_object_get_data (G_OBJECT (task), "mailbox");

  switch (data->step)
    {
    case MOVE_NONE:
    case MOVE_COPYING:
    case MOVE_UID_MOVE:
      command = _buzon_imap_session_command_new (self, data->step == MOVE_UID_MOVE ? "UID MOVE"
                                                                                   : "UID COPY");
      buzon_imap_command_add_raw (command, data->uid_set);
      buzon_imap_command_add_astring (command, mailbox, -1);
      break;
    case MOVE_DELETING:
      command = _buzon_imap_session_command_new (self, "UID STORE");
      buzon_imap_command_add_raw (command, data->uid_set);
      buzon_imap_command_add_raw (command, "+FLAGS.SILENT (\\Deleted)");
      break;
    case MOVE_EXPUNGING:
    default:
      command = _buzon_imap_session_command_new (self, "UID EXPUNGE");
      buzon_imap_command_add_raw (command, data->uid_set);
      break;
    }
  /* Once the copy is made, the rest runs whatever the cancellable says: a
   * move stopped halfway would leave the messages in both mailboxes. */
  buzon_imap_connection_command_async (self->connection, command, copy_untagged, data,
                                       data->step <= MOVE_COPYING ? g_task_get_cancellable (task)
                                                                  : NULL,
                                       copy_done_cb, task);
}

static void
copy_or_move (BuzonImapSession *self,
              const char       *uid_set,
              const char       *mailbox,
              gboolean          move,
              GTask            *task)
{
  CopyData *data;

  if (!_buzon_imap_session_check_state (self, task, STATE_BIT (BUZON_IMAP_SESSION_SELECTED))
      || (move && !check_writable (self, task)) || !check_uid_set (task, uid_set))
    return;
  data = g_new0 (CopyData, 1);
  data->self = self;
  data->uid_set = g_strdup (uid_set);
  if (!move)
    data->step = MOVE_NONE;
  else if (buzon_imap_connection_has_capability (self->connection, "MOVE"))
    data->step = MOVE_UID_MOVE;
  else
    data->step = MOVE_COPYING;
  g_task_set_task_data (task, data, (GDestroyNotify) copy_data_free);
  g_object_set_data_full (G_OBJECT (task), "mailbox", g_strdup (mailbox), g_free);
  copy_step (g_object_ref (task));
}

/**
 * buzon_imap_session_copy_async:
 * @uid_set: the UIDs, as a sequence set
 * @mailbox: the raw name of the destination
 * @cancellable: (nullable): cancelling before the command was sent keeps it
 *   from being sent; after, the copy may have been made all the same
 *
 * Runs in SELECTED. Sends UID COPY. A destination that does not exist fails
 * with BUZON_IMAP_ERROR_NONEXISTENT. Finish with
 * buzon_imap_session_copy_finish().
 */
void
buzon_imap_session_copy_async (BuzonImapSession    *self,
                               const char          *uid_set,
                               const char          *mailbox,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL && mailbox[0] != '\0');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_copy_async);
  copy_or_move (self, uid_set, mailbox, FALSE, task);
}

/**
 * buzon_imap_session_move_async:
 * @uid_set: the UIDs, as a sequence set
 * @mailbox: the raw name of the destination
 * @cancellable: (nullable): cancelling before the copy was made keeps the
 *   move from happening; after, the move runs to its end
 *
 * Runs in SELECTED. Sends UID MOVE (RFC 6851) where the server offers it;
 * else UID COPY, then UID STORE +FLAGS.SILENT (\Deleted), then, with UIDPLUS,
 * UID EXPUNGE of those messages only. Without UIDPLUS the originals stay in
 * the mailbox marked \Deleted: a plain EXPUNGE would also remove messages
 * that someone else marked \Deleted and meant to keep for now. The messages
 * leaving the selected mailbox arrive as "expunged" or "vanished" before
 * @callback runs. Finish with buzon_imap_session_copy_finish().
 */
void
buzon_imap_session_move_async (BuzonImapSession    *self,
                               const char          *uid_set,
                               const char          *mailbox,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL && mailbox[0] != '\0');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_move_async);
  copy_or_move (self, uid_set, mailbox, TRUE, task);
}

/**
 * buzon_imap_session_copy_finish:
 * @copyuid: (out) (optional) (transfer full) (nullable): where each message
 *   went, when the server said (COPYUID, RFC 4315); %NULL when it did not
 *
 * Finishes buzon_imap_session_copy_async() and buzon_imap_session_move_async().
 */
gboolean
buzon_imap_session_copy_finish (BuzonImapSession  *self,
                                GAsyncResult      *result,
                                BuzonImapCopyUid **copyuid,
                                GError           **error)
{
  g_autoptr (BuzonImapCopyUid) value = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  value = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (copyuid != NULL)
    *copyuid = g_steal_pointer (&value);
  return TRUE;
}

/* EXPUNGE and UID EXPUNGE. */

/**
 * buzon_imap_session_expunge_async:
 * @uid_set: (nullable): only these UIDs (UID EXPUNGE, which needs UIDPLUS or
 *   IMAP4rev2); %NULL for every message marked \Deleted
 * @cancellable: (nullable): cancelling before the command was sent keeps it
 *   from being sent; after, only the result changes
 *
 * Runs in SELECTED. The messages removed arrive as "expunged" (or
 * "vanished" under QRESYNC) before @callback runs.
 */
void
buzon_imap_session_expunge_async (BuzonImapSession    *self,
                                  const char          *uid_set,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_expunge_async);
  if (!_buzon_imap_session_check_state (self, task, STATE_BIT (BUZON_IMAP_SESSION_SELECTED))
      || !check_writable (self, task))
    return;
  if (uid_set == NULL)
    command = _buzon_imap_session_command_new (self, "EXPUNGE");
  else
    {
      if (!check_uid_set (task, uid_set))
        return;
      if (!buzon_imap_session_get_uidplus (self))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                                   _("The server cannot remove only some of the deleted "
                                     "messages"));
          return;
        }
      command = _buzon_imap_session_command_new (self, "UID EXPUNGE");
      buzon_imap_command_add_raw (command, uid_set);
    }
  buzon_imap_connection_command_async (self->connection, command, NULL, NULL, cancellable,
                                       _buzon_imap_session_boolean_done_cb,
                                       g_steal_pointer (&task));
}

gboolean
buzon_imap_session_expunge_finish (BuzonImapSession *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* APPEND. */

typedef struct
{
  guint32 uidvalidity;
  guint32 uid;
} AppendUid;

static void
append_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;
  BuzonImapSession *self;
  AppendUid *appenduid;
  guint64 uidvalidity = 0;
  guint64 uid = 0;

  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Read whenever it is there: some servers send APPENDUID without
   * advertising UIDPLUS (Courier). A single UID is all one APPEND makes. */
  appenduid = g_new0 (AppendUid, 1);
  self = g_task_get_source_object (task);
  if (response->code != NULL && g_str_equal (response->code, "APPENDUID")
      && buzon_imap_value_get_number (buzon_imap_value_get_item (response->code_args, 0),
                                      &uidvalidity)
      && buzon_imap_value_get_number (buzon_imap_value_get_item (response->code_args, 1), &uid)
      && uidvalidity > 0 && uidvalidity <= G_MAXUINT32 && uid > 0 && uid <= G_MAXUINT32)
    {
      appenduid->uidvalidity = (guint32) uidvalidity;
      appenduid->uid = (guint32) uid;
    }
  else if (buzon_imap_session_get_uidplus (self))
    buzon_imap_quirks_set_appenduid_missing (self->quirks);
  g_task_return_pointer (task, appenduid, g_free);
}

/* INTERNALDATE's form, "27-Nov-2026 09:05:00 +0100" (RFC 3501 date-time);
 * month names are never localised. */
static char *
format_date_time (GDateTime *date)
{
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  GTimeSpan offset = g_date_time_get_utc_offset (date) / G_TIME_SPAN_MINUTE;
  GTimeSpan magnitude = ABS (offset);

  return g_strdup_printf ("%02d-%s-%04d %02d:%02d:%02d %c%02d%02d",
                          g_date_time_get_day_of_month (date),
                          months[g_date_time_get_month (date) - 1], g_date_time_get_year (date),
                          g_date_time_get_hour (date), g_date_time_get_minute (date),
                          g_date_time_get_second (date), offset < 0 ? '-' : '+',
                          (int) (magnitude / 60), (int) (magnitude % 60));
}

/**
 * buzon_imap_session_append_async:
 * @mailbox: the raw name of the mailbox to add the message to
 * @message: the whole message, RFC 5322 bytes with CRLF line ends
 * @flags: (array zero-terminated=1) (nullable): the flags to give it, such as
 *   "\\Seen" for a sent message or "\\Draft" for a draft
 * @internal_date: (nullable): its INTERNALDATE; %NULL lets the server use now
 * @cancellable: (nullable): cancelling before the command was sent keeps it
 *   from being sent; after, the message may have been added all the same
 *
 * Runs in AUTHENTICATED and SELECTED. Sends APPEND with the message as a
 * literal (literal8 under BINARY when it holds NUL bytes; without BINARY
 * such a message fails with G_IO_ERROR_INVALID_DATA). A message larger than
 * the server's APPENDLIMIT fails with BUZON_IMAP_ERROR_TOO_BIG before
 * anything is sent; a mailbox that does not exist with
 * BUZON_IMAP_ERROR_NONEXISTENT. Appending to the selected mailbox also
 * emits "exists-changed".
 */
void
buzon_imap_session_append_async (BuzonImapSession    *self,
                                 const char          *mailbox,
                                 GBytes              *message,
                                 const char * const  *flags,
                                 GDateTime           *internal_date,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;
  gsize size;
  const char *data;
  guint64 limit;
  gboolean binary;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL && mailbox[0] != '\0');
  g_return_if_fail (message != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_append_async);
  if (!_buzon_imap_session_check_state (self, task,
                                        STATE_BIT (BUZON_IMAP_SESSION_AUTHENTICATED)
                                          | STATE_BIT (BUZON_IMAP_SESSION_SELECTED))
      || !check_flags (task, flags))
    return;

  data = g_bytes_get_data (message, &size);
  limit = buzon_imap_session_get_append_limit (self);
  if (limit > 0 && size > limit)
    {
      g_autofree char *size_text = g_format_size (size);
      g_autofree char *limit_text = g_format_size (limit);

      /* Translators: the first %s is a size such as “40.2 MB”, the second
       * the largest size the server accepts. */
      g_task_return_new_error (task, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_TOO_BIG,
                               _("The message is too large for the server (%s; it accepts up "
                                 "to %s)"), size_text, limit_text);
      return;
    }
  binary = size > 0 && memchr (data, '\0', size) != NULL;
  if (binary && !buzon_imap_connection_has_capability (self->connection, "BINARY"))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                               _("The message holds NUL bytes, which the server cannot store"));
      return;
    }

  command = _buzon_imap_session_command_new (self, "APPEND");
  buzon_imap_command_add_astring (command, mailbox, -1);
  if (flags != NULL && flags[0] != NULL)
    add_flag_list (command, flags);
  if (internal_date != NULL)
    {
      g_autofree char *date = format_date_time (internal_date);
      buzon_imap_command_add_string (command, date, -1);
    }
  buzon_imap_command_add_literal (command, message, binary);
  buzon_imap_connection_command_async (self->connection, command, NULL, NULL, cancellable,
                                       append_done_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_append_finish:
 * @uidvalidity: (out) (optional): the mailbox's UIDVALIDITY, or 0 when the
 *   server did not say (no APPENDUID)
 * @uid: (out) (optional): the new message's UID, or 0 when the server did
 *   not say
 */
gboolean
buzon_imap_session_append_finish (BuzonImapSession *self,
                                  GAsyncResult     *result,
                                  guint32          *uidvalidity,
                                  guint32          *uid,
                                  GError          **error)
{
  g_autofree AppendUid *appenduid = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  appenduid = g_task_propagate_pointer (G_TASK (result), error);
  if (appenduid == NULL)
    return FALSE;
  if (uidvalidity != NULL)
    *uidvalidity = appenduid->uidvalidity;
  if (uid != NULL)
    *uid = appenduid->uid;
  return TRUE;
}
