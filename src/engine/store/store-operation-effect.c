// The cache side of pending operations: what each kind does to the cached
// messages, at once when queued and again over every batch a sync applies
// while it is still queued.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A sync may store the server's flags, or bring a message back, before the
// server has heard of an operation on it (the replay failed for now, or the
// operation was queued while the sync ran). So every batch a sync applies
// ends by applying the folder's queued operations again, in the same
// transaction: the user's intent wins until the server has it, and the
// server's state wins once the operation is done or refused.

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
