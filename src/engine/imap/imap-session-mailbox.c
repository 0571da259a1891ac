// BuzonImapSession's mailbox commands: LIST (with LIST-EXTENDED,
// SPECIAL-USE and LIST-STATUS where offered), STATUS, SELECT or EXAMINE
// (with QRESYNC or CONDSTORE), and UNSELECT or CLOSE.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imap-error.h"
#include "imap-session-private.h"

#define AUTHENTICATED_OR_SELECTED                                                                  \
  (STATE_BIT (BUZON_IMAP_SESSION_AUTHENTICATED) | STATE_BIT (BUZON_IMAP_SESSION_SELECTED))

/* The STATUS items asked for, in LIST-STATUS and STATUS alike. */
static void
add_status_items (BuzonImapSession *self,
                  BuzonImapCommand *command)
{
  buzon_imap_command_begin_list (command);
  buzon_imap_command_add_atom (command, "MESSAGES");
  buzon_imap_command_add_atom (command, "UNSEEN");
  buzon_imap_command_add_atom (command, "UIDNEXT");
  buzon_imap_command_add_atom (command, "UIDVALIDITY");
  if (buzon_imap_connection_has_capability (self->connection, "CONDSTORE"))
    buzon_imap_command_add_atom (command, "HIGHESTMODSEQ");
  buzon_imap_command_end_list (command);
}

/* LIST. */

typedef struct
{
  BuzonImapSession *self; /* Not owned: the task holds it. */
  GPtrArray *mailboxes;   /* Of BuzonImapMailbox. */
  GHashTable *by_raw_name; /* Raw name -> BuzonImapMailbox in mailboxes. */
  GError *error;          /* The first entry that could not be read. */
} ListData;

static void
list_data_free (ListData *data)
{
  g_ptr_array_unref (data->mailboxes);
  g_hash_table_unref (data->by_raw_name);
  g_clear_error (&data->error);
  g_free (data);
}

static void
list_untagged (BuzonImapConnection     *connection,
               const BuzonImapResponse *response,
               gpointer                 user_data)
{
  ListData *data = user_data;

  if (g_strcmp0 (response->keyword, "LIST") == 0)
    {
      g_autoptr (GError) error = NULL;
      BuzonImapMailbox *mailbox = buzon_imap_mailbox_new_from_list (response, data->self->utf8,
                                                                    &error);

      _buzon_imap_session_consume (data->self, response);
      if (mailbox == NULL)
        {
          if (data->error == NULL)
            data->error = g_steal_pointer (&error);
          return;
        }
      /* A server may list a name twice (a LIST-EXTENDED quirk): keep the
       * last. The table's key is the mailbox's own name, so the old entry
       * leaves the table before the old mailbox is freed. */
      {
        BuzonImapMailbox *old = g_hash_table_lookup (data->by_raw_name, mailbox->raw_name);

        if (old != NULL)
          {
            g_hash_table_remove (data->by_raw_name, old->raw_name);
            g_ptr_array_remove (data->mailboxes, old);
          }
      }
      g_ptr_array_add (data->mailboxes, mailbox);
      g_hash_table_insert (data->by_raw_name, mailbox->raw_name, mailbox);
    }
  else if (g_strcmp0 (response->keyword, "STATUS") == 0)
    {
      gsize length = 0;
      const char *raw = buzon_imap_value_get_string (buzon_imap_value_get_item (response->values,
                                                                                0),
                                                     &length);
      g_autofree char *name = raw != NULL ? g_strndup (raw, length) : NULL;
      BuzonImapMailbox *mailbox = NULL;

      /* LIST's INBOX is "INBOX", whatever the case it came in. */
      if (name != NULL && g_ascii_strcasecmp (name, "INBOX") == 0)
        mailbox = g_hash_table_lookup (data->by_raw_name, "INBOX");
      else if (name != NULL)
        mailbox = g_hash_table_lookup (data->by_raw_name, name);

      _buzon_imap_session_consume (data->self, response);
      if (mailbox == NULL)
        return; /* LIST-STATUS sends STATUS after its LIST entry; anything else is noise. */
      g_clear_pointer (&mailbox->status, buzon_imap_mailbox_status_free);
      mailbox->status = buzon_imap_mailbox_status_new_from_values (
        buzon_imap_value_get_item (response->values, 1));
    }
}

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
      return;
    }
  buzon_imap_mailbox_guess_special_use (data->mailboxes);
  g_task_return_pointer (task, g_ptr_array_ref (data->mailboxes),
                         (GDestroyNotify) g_ptr_array_unref);
}

/**
 * buzon_imap_session_list_async:
 * @cancellable: (nullable): cancelling before LIST was sent keeps it from
 *   being sent; after, the answer is read and dropped
 *
 * Runs in AUTHENTICATED and SELECTED. Lists every mailbox. Where the server
 * offers LIST-EXTENDED it asks for subscription, children and (with
 * SPECIAL-USE) special-use attributes in the same command, and with
 * LIST-STATUS each mailbox's counters (with CONDSTORE, HIGHESTMODSEQ too);
 * else it sends a plain LIST. Special uses no attribute gives are guessed
 * from well-known names.
 */
void
buzon_imap_session_list_async (BuzonImapSession    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;
  ListData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_list_async);
  if (!_buzon_imap_session_check_state (self, task, AUTHENTICATED_OR_SELECTED))
    return;

  data = g_new0 (ListData, 1);
  data->self = self;
  data->mailboxes = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_mailbox_free);
  data->by_raw_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);

  command = _buzon_imap_session_command_new (self, "LIST");
  buzon_imap_command_add_raw (command, "\"\" \"*\"");
  if (buzon_imap_connection_has_capability (self->connection, "LIST-EXTENDED"))
    {
      buzon_imap_command_add_atom (command, "RETURN");
      buzon_imap_command_begin_list (command);
      buzon_imap_command_add_atom (command, "SUBSCRIBED");
      buzon_imap_command_add_atom (command, "CHILDREN");
      if (buzon_imap_connection_has_capability (self->connection, "SPECIAL-USE"))
        buzon_imap_command_add_atom (command, "SPECIAL-USE");
      if (buzon_imap_connection_has_capability (self->connection, "LIST-STATUS"))
        {
          buzon_imap_command_add_atom (command, "STATUS");
          add_status_items (self, command);
        }
      buzon_imap_command_end_list (command);
    }
  buzon_imap_connection_command_async (self->connection, command, list_untagged, data,
                                       cancellable, list_done_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_list_finish:
 *
 * Returns: (transfer container) (element-type BuzonImapMailbox): the
 *   mailboxes in the server's order, or %NULL with @error.
 */
GPtrArray *
buzon_imap_session_list_finish (BuzonImapSession *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* STATUS. */

typedef struct
{
  BuzonImapSession *self; /* Not owned: the task holds it. */
  char *mailbox;
  BuzonImapMailboxStatus *status;
} StatusData;

static void
status_data_free (StatusData *data)
{
  g_free (data->mailbox);
  g_clear_pointer (&data->status, buzon_imap_mailbox_status_free);
  g_free (data);
}

static void
status_untagged (BuzonImapConnection     *connection,
                 const BuzonImapResponse *response,
                 gpointer                 user_data)
{
  StatusData *data = user_data;
  gsize length = 0;
  const char *raw;

  if (g_strcmp0 (response->keyword, "STATUS") != 0)
    return;
  raw = buzon_imap_value_get_string (buzon_imap_value_get_item (response->values, 0), &length);
  _buzon_imap_session_consume (data->self, response);
  /* The name comes back byte for byte; only INBOX may change case. */
  if (raw == NULL || length != strlen (data->mailbox)
      || (memcmp (raw, data->mailbox, length) != 0
          && !(g_ascii_strcasecmp (data->mailbox, "INBOX") == 0
               && g_ascii_strncasecmp (raw, "INBOX", length) == 0)))
    return;
  g_clear_pointer (&data->status, buzon_imap_mailbox_status_free);
  data->status = buzon_imap_mailbox_status_new_from_values (
    buzon_imap_value_get_item (response->values, 1));
}

static void
status_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  StatusData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->status == NULL)
    {
      g_task_return_new_error (task, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE, "%s",
                               _("The server did not report the mailbox’s status"));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&data->status),
                         (GDestroyNotify) buzon_imap_mailbox_status_free);
}

/**
 * buzon_imap_session_status_async:
 * @mailbox: the raw name of the mailbox, as BuzonImapMailbox.raw_name holds it
 * @cancellable: (nullable): cancelling before STATUS was sent keeps it from
 *   being sent; after, the answer is read and dropped
 *
 * Runs in AUTHENTICATED and SELECTED. Asks for the counters of a mailbox:
 * MESSAGES, UNSEEN, UIDNEXT, UIDVALIDITY and, with CONDSTORE, HIGHESTMODSEQ.
 */
void
buzon_imap_session_status_async (BuzonImapSession    *self,
                                 const char          *mailbox,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;
  StatusData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL && mailbox[0] != '\0');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_status_async);
  if (!_buzon_imap_session_check_state (self, task, AUTHENTICATED_OR_SELECTED))
    return;

  data = g_new0 (StatusData, 1);
  data->self = self;
  data->mailbox = g_strdup (mailbox);
  g_task_set_task_data (task, data, (GDestroyNotify) status_data_free);

  command = _buzon_imap_session_command_new (self, "STATUS");
  buzon_imap_command_add_astring (command, mailbox, -1);
  add_status_items (self, command);
  buzon_imap_connection_command_async (self->connection, command, status_untagged, data,
                                       cancellable, status_done_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_status_finish:
 *
 * Returns: (transfer full): the counters the server sent (see present), or
 *   %NULL with @error.
 */
BuzonImapMailboxStatus *
buzon_imap_session_status_finish (BuzonImapSession *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* SELECT and EXAMINE. */

void
buzon_imap_selected_free (BuzonImapSelected *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->flags);
  g_strfreev (self->permanentflags);
  g_free (self);
}

typedef struct
{
  BuzonImapSession *self; /* Not owned: the task holds it. */
  char *mailbox;
  gboolean read_only;
  GCancellable *cancellable; /* Not owned: the task holds it. */
  BuzonImapFetchFunc on_fetch;
  BuzonImapVanishedFunc on_vanished;
  gpointer callback_data;
  gboolean wait_closed;      /* What comes before [CLOSED] is the old mailbox's. */
  BuzonImapSelected *selected;
  GError *error;             /* The first FETCH or VANISHED that could not be read. */
} SelectData;

static void
select_data_free (SelectData *data)
{
  g_free (data->mailbox);
  g_clear_pointer (&data->selected, buzon_imap_selected_free);
  g_clear_error (&data->error);
  g_free (data);
}

static GStrv
read_flags (const BuzonImapValue *list,
            gboolean             *has_star)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (gsize i = 0; list != NULL && list->kind == BUZON_IMAP_VALUE_LIST && i < list->length; i++)
    {
      const char *flag = buzon_imap_value_get_string (list->items[i], NULL);

      if (flag == NULL)
        continue;
      if (g_str_equal (flag, "\\*"))
        {
          if (has_star != NULL)
            *has_star = TRUE;
          continue;
        }
      g_strv_builder_add (builder, flag);
    }
  return g_strv_builder_end (builder);
}

static guint64
code_number (const BuzonImapResponse *response)
{
  guint64 number = 0;

  buzon_imap_value_get_number (buzon_imap_value_get_item (response->code_args, 0), &number);
  return number;
}

static void
select_status (SelectData              *data,
               const BuzonImapResponse *response)
{
  BuzonImapSelected *selected = data->selected;
  const char *code = response->code;

  if (response->status != BUZON_IMAP_STATUS_OK || code == NULL)
    return;
  if (g_str_equal (code, "UIDVALIDITY"))
    selected->uidvalidity = (guint32) MIN (code_number (response), G_MAXUINT32);
  else if (g_str_equal (code, "UIDNEXT"))
    selected->uidnext = (guint32) MIN (code_number (response), G_MAXUINT32);
  else if (g_str_equal (code, "UNSEEN"))
    selected->unseen = (guint32) MIN (code_number (response), G_MAXUINT32);
  else if (g_str_equal (code, "HIGHESTMODSEQ"))
    selected->highestmodseq = code_number (response);
  else if (g_str_equal (code, "NOMODSEQ"))
    {
      selected->nomodseq = TRUE;
      selected->highestmodseq = 0;
    }
  else if (g_str_equal (code, "PERMANENTFLAGS"))
    {
      g_strfreev (selected->permanentflags);
      selected->can_create_keywords = FALSE;
      selected->permanentflags = read_flags (buzon_imap_value_get_item (response->code_args, 0),
                                             &selected->can_create_keywords);
    }
}

static void
select_untagged (BuzonImapConnection     *connection,
                 const BuzonImapResponse *response,
                 gpointer                 user_data)
{
  SelectData *data = user_data;
  BuzonImapSelected *selected = data->selected;
  const char *keyword = response->keyword;
  gboolean callbacks = !g_cancellable_is_cancelled (data->cancellable);

  if (data->wait_closed)
    {
      /* QRESYNC (RFC 7162 §3.2.11): until [CLOSED], the previous mailbox
       * is still selected. Its news go to the session's signals; anything
       * else collected so far is dropped at [CLOSED], and kept if a server
       * never sends it. */
      if (g_strcmp0 (response->code, "CLOSED") == 0)
        {
          gboolean qresync = selected->qresync;

          data->wait_closed = FALSE;
          _buzon_imap_session_consume (data->self, response);
          g_strfreev (selected->flags);
          g_strfreev (selected->permanentflags);
          memset (selected, 0, sizeof *selected);
          selected->qresync = qresync;
          return;
        }
      if (g_strcmp0 (keyword, "FETCH") == 0 || g_strcmp0 (keyword, "VANISHED") == 0
          || g_strcmp0 (keyword, "EXPUNGE") == 0)
        return;
    }
  _buzon_imap_session_consume (data->self, response);
  if (keyword == NULL)
    select_status (data, response);
  else if (g_str_equal (keyword, "EXISTS"))
    selected->exists = (guint32) CLAMP (response->number, 0, G_MAXUINT32);
  else if (g_str_equal (keyword, "RECENT"))
    selected->recent = (guint32) CLAMP (response->number, 0, G_MAXUINT32);
  else if (g_str_equal (keyword, "FLAGS"))
    {
      g_strfreev (selected->flags);
      selected->flags = read_flags (buzon_imap_value_get_item (response->values, 0), NULL);
    }
  else if (g_str_equal (keyword, "FETCH"))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonImapFetch) fetch = buzon_imap_fetch_decode (response, &error);

      if (fetch == NULL && data->error == NULL)
        data->error = g_steal_pointer (&error);
      else if (fetch != NULL && callbacks && data->on_fetch != NULL)
        data->on_fetch (g_steal_pointer (&fetch), data->callback_data);
    }
  else if (g_str_equal (keyword, "VANISHED"))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GArray) uids = _buzon_imap_session_read_vanished (response, NULL, &error);

      if (uids == NULL && data->error == NULL)
        data->error = g_steal_pointer (&error);
      else if (uids != NULL && callbacks && data->on_vanished != NULL)
        data->on_vanished (uids, data->callback_data);
    }
}

static void
select_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  SelectData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  self->selecting--;
  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL)
    {
      /* A refused SELECT leaves no mailbox selected (RFC 3501 §6.3.1). */
      if (g_error_matches (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO))
        _buzon_imap_session_set_state (self, BUZON_IMAP_SESSION_AUTHENTICATED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_strcmp0 (response->code, "READ-ONLY") == 0)
    data->selected->read_only = TRUE;
  else if (g_strcmp0 (response->code, "READ-WRITE") == 0)
    data->selected->read_only = FALSE;
  else
    data->selected->read_only = data->read_only;
  if (data->selected->flags == NULL)
    data->selected->flags = g_new0 (char *, 1);
  if (data->selected->permanentflags == NULL)
    data->selected->permanentflags = g_new0 (char *, 1);

  /* The server did select it, whatever else went wrong. */
  _buzon_imap_session_set_state (self, BUZON_IMAP_SESSION_SELECTED);
  if (self->state == BUZON_IMAP_SESSION_SELECTED)
    {
      g_free (self->selected_mailbox);
      self->selected_mailbox = g_steal_pointer (&data->mailbox);
      self->selected_read_only = data->selected->read_only;
    }
  if (data->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&data->selected),
                         (GDestroyNotify) buzon_imap_selected_free);
}

/**
 * buzon_imap_session_select_async:
 * @mailbox: the raw name of the mailbox, as BuzonImapMailbox.raw_name holds it
 * @flags: READ_ONLY to EXAMINE it; CONDSTORE to ask for MODSEQs where
 *   CONDSTORE is offered but QRESYNC is not enabled (with QRESYNC enabled
 *   they come anyway)
 * @qresync: (nullable): what the cache knows of the mailbox; used only when
 *   QRESYNC is enabled (see BuzonImapSelected.qresync), and then the
 *   changes since arrive through @on_fetch and @on_vanished
 * @on_fetch: (nullable) (scope call): each changed message (flags and
 *   MODSEQ), as it arrives, before @callback
 * @on_vanished: (nullable) (scope call): the UIDs expunged since, as ranges,
 *   as they arrive, before @callback
 * @callback_data: for @on_fetch and @on_vanished
 * @cancellable: (nullable): cancelling stops the callbacks at once and fails
 *   the result; the command itself runs to its end, so that the state stays
 *   true to the server's
 *
 * Runs in AUTHENTICATED and SELECTED (selecting another mailbox closes the
 * current one, without expunging). The state is SELECTED when @callback
 * runs, or AUTHENTICATED if the server refused (a refused SELECT leaves no
 * mailbox selected). A FETCH or VANISHED the decoder cannot read fails the
 * result with BUZON_IMAP_ERROR_PARSE, though the mailbox stays selected.
 */
void
buzon_imap_session_select_async (BuzonImapSession       *self,
                                 const char             *mailbox,
                                 BuzonImapSelectFlags    flags,
                                 const BuzonImapQresync *qresync,
                                 BuzonImapFetchFunc      on_fetch,
                                 BuzonImapVanishedFunc   on_vanished,
                                 gpointer                callback_data,
                                 GCancellable           *cancellable,
                                 GAsyncReadyCallback     callback,
                                 gpointer                user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;
  SelectData *data;
  gboolean read_only = (flags & BUZON_IMAP_SELECT_READ_ONLY) != 0;
  gboolean use_qresync;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL && mailbox[0] != '\0');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_select_async);
  if (!_buzon_imap_session_check_state (self, task, AUTHENTICATED_OR_SELECTED))
    return;

  use_qresync = qresync != NULL && buzon_imap_session_get_qresync (self);
  if (use_qresync && (qresync->uidvalidity == 0 || qresync->modseq == 0
                      || (qresync->known_uids != NULL
                          && !buzon_imap_uid_set_is_valid (qresync->known_uids))))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("The mailbox’s saved state is not valid"));
      return;
    }

  data = g_new0 (SelectData, 1);
  data->self = self;
  data->mailbox = g_strdup (mailbox);
  data->read_only = read_only;
  data->cancellable = cancellable;
  data->on_fetch = on_fetch;
  data->on_vanished = on_vanished;
  data->callback_data = callback_data;
  data->wait_closed = self->state == BUZON_IMAP_SESSION_SELECTED
                      && buzon_imap_session_get_qresync (self);
  data->selected = g_new0 (BuzonImapSelected, 1);
  data->selected->qresync = use_qresync;
  g_task_set_task_data (task, data, (GDestroyNotify) select_data_free);

  command = _buzon_imap_session_command_new (self, read_only ? "EXAMINE" : "SELECT");
  buzon_imap_command_add_astring (command, mailbox, -1);
  if (use_qresync)
    {
      buzon_imap_command_begin_list (command);
      buzon_imap_command_add_atom (command, "QRESYNC");
      buzon_imap_command_begin_list (command);
      buzon_imap_command_add_number (command, qresync->uidvalidity);
      buzon_imap_command_add_number (command, qresync->modseq);
      if (qresync->known_uids != NULL)
        buzon_imap_command_add_raw (command, qresync->known_uids);
      buzon_imap_command_end_list (command);
      buzon_imap_command_end_list (command);
    }
  else if ((flags & BUZON_IMAP_SELECT_CONDSTORE) != 0 && !buzon_imap_session_get_qresync (self)
           && buzon_imap_connection_has_capability (self->connection, "CONDSTORE"))
    buzon_imap_command_add_raw (command, "(CONDSTORE)");
  /* Not cancellable below: the state must follow the server's answer. */
  self->selecting++;
  buzon_imap_connection_command_async (self->connection, command, select_untagged, data, NULL,
                                       select_done_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_select_finish:
 *
 * Returns: (transfer full): what the server said of the mailbox, or %NULL
 *   with @error.
 */
BuzonImapSelected *
buzon_imap_session_select_finish (BuzonImapSession *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* UNSELECT and CLOSE. */

static void
unselect_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _buzon_imap_session_set_state (self, BUZON_IMAP_SESSION_AUTHENTICATED);
  g_task_return_boolean (task, TRUE);
}

/**
 * buzon_imap_session_unselect_async:
 * @cancellable: (nullable): only changes the result: the command runs to its
 *   end so that the state stays true to the server's
 *
 * Runs in SELECTED; the state is AUTHENTICATED when @callback runs. Sends
 * UNSELECT (RFC 3691) where offered. Elsewhere it must send CLOSE, the only
 * other way back to AUTHENTICATED, and CLOSE expunges the messages marked
 * \Deleted in a mailbox selected read-write: callers that must not expunge
 * should select read-only (EXAMINE) on servers without UNSELECT, or select
 * another mailbox instead of unselecting.
 */
void
buzon_imap_session_unselect_async (BuzonImapSession    *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;
  gboolean unselect;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_unselect_async);
  if (!_buzon_imap_session_check_state (self, task, STATE_BIT (BUZON_IMAP_SESSION_SELECTED)))
    return;

  unselect = buzon_imap_connection_has_capability (self->connection, "UNSELECT");
  command = buzon_imap_command_new (unselect ? "UNSELECT" : "CLOSE");
  buzon_imap_connection_command_async (self->connection, command, NULL, NULL, NULL,
                                       unselect_done_cb, g_steal_pointer (&task));
}

gboolean
buzon_imap_session_unselect_finish (BuzonImapSession *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
