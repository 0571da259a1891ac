// The cache side of pending operations: what each kind does to the cached
// messages, at once when queued and again over every batch a sync applies
// while it is still queued; and the provisional copies a move, a copy or an
// archive leaves in its destination until the server has it.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A sync may store the server's flags, or bring a message back, before the
// server has heard of an operation on it (the replay failed for now, or the
// operation was queued while the sync ran). So every batch a sync applies
// ends by applying the folder's queued operations again, in the same
// transaction: the user's intent wins until the server has it, and the
// server's state wins once the operation is done or refused.
//
// A message moved, copied or archived shows in its destination at once:
// queueing the operation copies its cached row, full-text entry and body
// there as a provisional row, keyed as migrations/0003-provisional-
// copies.sql says (a negative uid made of the operation's id and the
// source UID, and operation_id). Syncs of the destination leave it alone:
// they only ever name UIDs 1 and up. When the operation leaves the queue
// its provisional rows take the UIDs the server reported (COPYUID) or go:
// done without COPYUID, the destination's next sync brings the real
// messages; refused, the messages are back in their source and nowhere
// else.

#include "config.h"

#include <string.h>

#include "store-operation.h"
#include "store-private.h"
#include "store-summary.h"

static gboolean
contains_keyword (char       **words,
                  const char  *word)
{
  for (gsize i = 0; words[i] != NULL; i++)
    if (g_ascii_strcasecmp (words[i], word) == 0)
      return TRUE;
  return FALSE;
}

/* @current with @wanted added or taken out (keywords are not case
 * sensitive, RFC 3501 §2.3.2); NULL when none is left. */
static char *
edit_keywords (const char *current,
               char      **wanted,
               gboolean    add)
{
  g_auto (GStrv) words = g_strsplit (current != NULL ? current : "", " ", -1);
  g_autoptr (GString) out = g_string_new (NULL);

  for (gsize i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0' && (add || !contains_keyword (wanted, words[i])))
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", words[i]);
  for (gsize i = 0; add && wanted[i] != NULL; i++)
    if (wanted[i][0] != '\0' && !contains_keyword (words, wanted[i]))
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", wanted[i]);
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static gboolean
change_keywords (BuzonStore              *self,
                 gint64                   folder_id,
                 const BuzonImapUidRange *range,
                 const char              *keywords,
                 gboolean                 add,
                 guint                   *changed,
                 int                     *rc)
{
  g_auto (GStrv) wanted = g_strsplit (keywords, " ", -1);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *statement;

  statement = _buzon_store_prepare (self,
                                    "SELECT id, keywords FROM message WHERE folder_id = ?1 "
                                    "AND uid BETWEEN ?2 AND ?3",
                                    NULL);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, folder_id);
  sqlite3_bind_int64 (statement, 2, range->first);
  sqlite3_bind_int64 (statement, 3, range->last);
  /* Read first, written after: the rows are not changed under the cursor. */
  while ((*rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      const char *current = (const char *) sqlite3_column_text (statement, 1);
      char *edited = edit_keywords (current, wanted, add);
      gint64 id = sqlite3_column_int64 (statement, 0);

      if (g_strcmp0 (current, edited) == 0)
        {
          g_free (edited);
          continue;
        }
      g_array_append_val (ids, id);
      g_ptr_array_add (values, edited);
    }
  if (*rc != SQLITE_DONE)
    return FALSE;
  *rc = SQLITE_OK;
  statement = _buzon_store_prepare (self, "UPDATE message SET keywords = ? WHERE id = ?", NULL);
  for (guint i = 0; statement != NULL && i < ids->len; i++)
    {
      sqlite3_reset (statement);
      if (values->pdata[i] != NULL)
        sqlite3_bind_text (statement, 1, values->pdata[i], -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (statement, 1);
      sqlite3_bind_int64 (statement, 2, g_array_index (ids, gint64, i));
      if (!_buzon_store_step (statement, rc))
        return FALSE;
      (*changed)++;
    }
  return statement != NULL;
}

static gboolean
change_flags (BuzonStore              *self,
              gint64                   folder_id,
              const BuzonImapUidRange *range,
              const char * const      *flags,
              gboolean                 add,
              guint                   *changed,
              int                     *rc)
{
  g_autofree char *keywords = NULL;
  BuzonStoreFlags bits = buzon_store_flags_from_imap (flags, &keywords);

  if (bits != 0)
    {
      sqlite3_stmt *statement = _buzon_store_prepare (
        self,
        "UPDATE message SET flags = CASE WHEN ?4 THEN flags | ?5 ELSE flags & ~?5 END "
        "WHERE folder_id = ?1 AND uid BETWEEN ?2 AND ?3 "
        "AND flags <> CASE WHEN ?4 THEN flags | ?5 ELSE flags & ~?5 END",
        NULL);

      if (statement == NULL)
        return FALSE;
      sqlite3_bind_int64 (statement, 1, folder_id);
      sqlite3_bind_int64 (statement, 2, range->first);
      sqlite3_bind_int64 (statement, 3, range->last);
      sqlite3_bind_int (statement, 4, add);
      sqlite3_bind_int64 (statement, 5, bits);
      if (!_buzon_store_step (statement, rc))
        return FALSE;
      *changed += sqlite3_changes (sqlite3_db_handle (statement));
    }
  if (keywords != NULL)
    return change_keywords (self, folder_id, range, keywords, add, changed, rc);
  return TRUE;
}

/* Does to the cached messages what @kind does on the server; counts the
 * messages it changed or removed in @changed. On the worker, inside a
 * transaction. */
gboolean
_buzon_store_apply_operation (BuzonStore              *self,
                              BuzonStoreOperationKind  kind,
                              gint64                   folder_id,
                              const GArray            *ranges,
                              const char * const      *flags,
                              guint                   *changed,
                              int                     *rc)
{
  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);
      gboolean ok = TRUE;

      switch (kind)
        {
        case BUZON_STORE_OPERATION_ADD_FLAGS:
        case BUZON_STORE_OPERATION_REMOVE_FLAGS:
          ok = change_flags (self, folder_id, range, flags,
                             kind == BUZON_STORE_OPERATION_ADD_FLAGS, changed, rc);
          break;
        case BUZON_STORE_OPERATION_MOVE:
        case BUZON_STORE_OPERATION_ARCHIVE:
        case BUZON_STORE_OPERATION_DELETE:
        case BUZON_STORE_OPERATION_EXPUNGE:
          ok = _buzon_store_remove_messages (self, folder_id, range,
                                             kind == BUZON_STORE_OPERATION_EXPUNGE, changed, rc);
          break;
        case BUZON_STORE_OPERATION_COPY:
        default:
          break;
        }
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

gboolean
_buzon_store_reapply_operations (BuzonStore *self,
                                 gint64      folder_id,
                                 int        *rc)
{
  g_autoptr (GPtrArray) kinds = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) arguments = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *statement;

  /* Only those made under the UIDVALIDITY the folder has now: under
   * another their UIDs name other messages. */
  statement = _buzon_store_prepare (self,
                                    "SELECT o.kind, o.uids, o.argument FROM pending_operation o "
                                    "JOIN folder f ON f.id = o.folder_id AND f.uidvalidity = "
                                    "o.uidvalidity WHERE o.folder_id = ? ORDER BY o.id",
                                    NULL);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, folder_id);
  while ((*rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      g_ptr_array_add (kinds, g_strdup ((const char *) sqlite3_column_text (statement, 0)));
      g_ptr_array_add (uids, g_strdup ((const char *) sqlite3_column_text (statement, 1)));
      g_ptr_array_add (arguments, g_strdup ((const char *) sqlite3_column_text (statement, 2)));
    }
  if (*rc != SQLITE_DONE)
    return FALSE;
  *rc = SQLITE_OK;
  for (guint i = 0; i < kinds->len; i++)
    {
      g_autoptr (GArray) ranges = NULL;
      g_auto (GStrv) flags = NULL;
      BuzonStoreOperationKind kind;
      guint changed = 0;

      if (!_buzon_store_operation_kind_from_name (kinds->pdata[i], &kind)
          || uids->pdata[i] == NULL
          || (ranges = buzon_imap_uid_set_parse (uids->pdata[i], strlen (uids->pdata[i]), NULL))
               == NULL)
        continue;
      flags = g_strsplit (arguments->pdata[i] != NULL ? arguments->pdata[i] : "", " ", -1);
      if (!_buzon_store_apply_operation (self, kind, folder_id, ranges,
                                         (const char * const *) flags, &changed, rc))
        return FALSE;
    }
  return TRUE;
}

/* Provisional copies. */

/* The uid of the provisional row for the message @uid of an operation's
 * source: below every real UID, one per operation and message. */
#define PROVISIONAL_UID_SQL "-(?2 * 4294967296 + s.uid)"

/* Copies the cached messages of @folder_id within @ranges into
 * @destination_id as provisional rows of @operation_id, with their
 * full-text entries and bodies; counts the rows made in @copied. On the
 * worker, inside the transaction that queues the operation, before its
 * effect takes them out of their folder. */
gboolean
_buzon_store_copy_provisionally (BuzonStore   *self,
                                 gint64        folder_id,
                                 const GArray *ranges,
                                 gint64        destination_id,
                                 gint64        operation_id,
                                 guint        *copied,
                                 int          *rc)
{
  const char *const statements[] = {
    "INSERT INTO message (folder_id, uid, modseq, flags, keywords, internaldate, date, size, "
    "subject, sender_name, sender_address, from_list, to_list, cc_list, bcc_list, reply_to, "
    "message_id, in_reply_to, references_list, list_id, thread_id, has_attachment, "
    "bodystructure, preview, operation_id) "
    "SELECT ?1, " PROVISIONAL_UID_SQL ", 0, s.flags, s.keywords, s.internaldate, s.date, "
    "s.size, s.subject, s.sender_name, s.sender_address, s.from_list, s.to_list, s.cc_list, "
    "s.bcc_list, s.reply_to, s.message_id, s.in_reply_to, s.references_list, s.list_id, "
    "s.thread_id, s.has_attachment, s.bodystructure, s.preview, ?2 FROM message s "
    "WHERE s.folder_id = ?3 AND s.uid BETWEEN ?4 AND ?5 "
    "ON CONFLICT (folder_id, uid) DO NOTHING",
    "INSERT INTO message_fts (rowid, subject, sender, recipients, body) "
    "SELECT d.id, t.subject, t.sender, t.recipients, t.body FROM message s "
    "JOIN message_fts t ON t.rowid = s.id "
    "JOIN message d ON d.folder_id = ?1 AND d.uid = " PROVISIONAL_UID_SQL " "
    "WHERE s.folder_id = ?3 AND s.uid BETWEEN ?4 AND ?5",
    "INSERT INTO body (message_id, raw, fetched_at) SELECT d.id, b.raw, b.fetched_at "
    "FROM message s JOIN body b ON b.message_id = s.id "
    "JOIN message d ON d.folder_id = ?1 AND d.uid = " PROVISIONAL_UID_SQL " "
    "WHERE s.folder_id = ?3 AND s.uid BETWEEN ?4 AND ?5",
  };

  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);

      for (gsize j = 0; j < G_N_ELEMENTS (statements); j++)
        {
          sqlite3_stmt *statement = _buzon_store_prepare (self, statements[j], NULL);

          if (statement == NULL)
            return FALSE;
          sqlite3_bind_int64 (statement, 1, destination_id);
          sqlite3_bind_int64 (statement, 2, operation_id);
          sqlite3_bind_int64 (statement, 3, folder_id);
          sqlite3_bind_int64 (statement, 4, range->first);
          sqlite3_bind_int64 (statement, 5, range->last);
          if (!_buzon_store_step (statement, rc))
            return FALSE;
          if (j == 0)
            *copied += sqlite3_changes (sqlite3_db_handle (statement));
        }
    }
  return TRUE;
}

/* Gives the provisional rows of @operation_id the UIDs the server gave
 * their copies: @source_uids->data[i] (a UID in the operation's source)
 * became @destination_uids->data[i] in a destination whose UIDVALIDITY is
 * @uidvalidity. Only when that is the UIDVALIDITY the cache has for the
 * destination, and its first sync is done (a first sync skips the UIDs
 * cached, and would keep the flags copied from the source; its resyncs
 * fetch the flags of messages new to them), and only where the cache does
 * not hold that UID already (a sync brought it first): the rest are left
 * for
 * _buzon_store_drop_provisional(). *@folder_id is the destination when a
 * row took its UID, else 0. On the worker, inside a transaction. */
gboolean
_buzon_store_resolve_provisional (BuzonStore   *self,
                                  gint64        operation_id,
                                  guint32       uidvalidity,
                                  const GArray *source_uids,
                                  const GArray *destination_uids,
                                  gint64       *folder_id,
                                  int          *rc)
{
  sqlite3_stmt *statement;
  gint64 destination_id;

  *folder_id = 0;
  statement = _buzon_store_prepare (self,
                                    "SELECT f.id FROM pending_operation o JOIN folder f "
                                    "ON f.id = o.destination_id WHERE o.id = ? "
                                    "AND f.uidvalidity = ? AND f.uidvalidity <> 0 "
                                    "AND f.first_sync_done",
                                    NULL);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, operation_id);
  sqlite3_bind_int64 (statement, 2, uidvalidity);
  if ((*rc = sqlite3_step (statement)) != SQLITE_ROW)
    {
      if (*rc != SQLITE_DONE)
        return FALSE;
      *rc = SQLITE_OK;
      return TRUE;
    }
  *rc = SQLITE_OK;
  destination_id = sqlite3_column_int64 (statement, 0);
  sqlite3_reset (statement);
  statement = _buzon_store_prepare (self,
                                    "UPDATE OR IGNORE message SET uid = ?1, operation_id = NULL "
                                    "WHERE folder_id = ?3 AND uid = -(?2 * 4294967296 + ?4)",
                                    NULL);
  for (guint i = 0; statement != NULL && i < source_uids->len && i < destination_uids->len; i++)
    {
      guint32 uid = g_array_index (destination_uids, guint32, i);

      if (uid == 0)
        continue;
      sqlite3_reset (statement);
      sqlite3_bind_int64 (statement, 1, uid);
      sqlite3_bind_int64 (statement, 2, operation_id);
      sqlite3_bind_int64 (statement, 3, destination_id);
      sqlite3_bind_int64 (statement, 4, g_array_index (source_uids, guint32, i));
      if (!_buzon_store_step (statement, rc))
        return FALSE;
      if (sqlite3_changes (sqlite3_db_handle (statement)) > 0)
        *folder_id = destination_id;
    }
  return statement != NULL;
}

/* Removes what is left of the provisional rows of @operation_id, with their
 * full-text entries and (by cascade) bodies; *@folder_id is the folder they
 * were in, or 0 when there were none. On the worker, inside a
 * transaction. */
gboolean
_buzon_store_drop_provisional (BuzonStore *self,
                               gint64      operation_id,
                               gint64     *folder_id,
                               int        *rc)
{
  const char *const statements[] = {
    "DELETE FROM message_fts WHERE rowid IN (SELECT id FROM message WHERE operation_id = ?1)",
    "DELETE FROM message WHERE operation_id = ?1",
  };
  sqlite3_stmt *statement;

  *folder_id = 0;
  statement = _buzon_store_prepare (self,
                                    "SELECT folder_id FROM message WHERE operation_id = ? LIMIT 1",
                                    NULL);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, operation_id);
  if ((*rc = sqlite3_step (statement)) == SQLITE_ROW)
    *folder_id = sqlite3_column_int64 (statement, 0);
  else if (*rc != SQLITE_DONE)
    return FALSE;
  *rc = SQLITE_OK;
  sqlite3_reset (statement);
  if (*folder_id == 0)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      statement = _buzon_store_prepare (self, statements[i], NULL);
      if (statement == NULL)
        return FALSE;
      sqlite3_bind_int64 (statement, 1, operation_id);
      if (!_buzon_store_step (statement, rc))
        return FALSE;
    }
  return TRUE;
}
