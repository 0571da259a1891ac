// BuzonStoreBatch: one step of a folder's sync, applied in one transaction:
// messages added (with their threads and full-text entries), flags changed,
// UIDs expunged, the folder's sync state moved on.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The state goes in the same transaction as the changes it describes: a
// HIGHESTMODSEQ is never saved without the flag changes up to it, so a
// crash between batches costs a re-fetch, never a missed change.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imap/imap-uid-set.h"
#include "store-batch.h"
#include "store-private.h"
#include "store-summary.h"

struct _BuzonStoreBatch
{
  gint64 folder_id;
  gboolean reset;
  GPtrArray *fetches; /* Of BuzonImapFetch. */
  /* Of BuzonStoreSummary, one for each fetch: the message's row, for a
   * fetch with an ENVELOPE, else NULL. Decoded as the fetch is added, on
   * the sync's thread, so that the store's thread, a first sync's busiest,
   * only writes. */
  GPtrArray *summaries;
  GArray *removed;    /* Of BuzonImapUidRange. */
  BuzonStoreFolderState state;
  gint64 completed_operation; /* A pending operation this batch ends, or 0. */
};

BuzonStoreBatch *
buzon_store_batch_new (gint64 folder_id)
{
  BuzonStoreBatch *self = g_new0 (BuzonStoreBatch, 1);

  self->folder_id = folder_id;
  self->fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_fetch_free);
  self->summaries = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_store_summary_free);
  self->removed = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
  return self;
}

void
buzon_store_batch_free (BuzonStoreBatch *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->fetches);
  g_ptr_array_unref (self->summaries);
  g_array_unref (self->removed);
  g_free (self);
}

/* Empties the folder first: its UIDVALIDITY changed, so every cached UID
 * means nothing any more. */
void
buzon_store_batch_reset (BuzonStoreBatch *self)
{
  g_return_if_fail (self != NULL);
  self->reset = TRUE;
}

/* What a batch keeps of a fetch whose row was decoded: the UID, the flags
 * and the MODSEQ, which a message cached already may still have new. The
 * rest (envelope, structure, headers: most of the allocations) goes now, as
 * the sync handles each response, rather than all at once when the batch
 * is freed: a batch of thousands took the main loop tens of milliseconds
 * to free. */
static void
strip_decoded (BuzonImapFetch *fetch)
{
  g_clear_pointer (&fetch->envelope, buzon_imap_envelope_free);
  g_clear_pointer (&fetch->body, buzon_imap_body_part_free);
  g_clear_pointer (&fetch->internaldate, g_date_time_unref);
  g_clear_pointer (&fetch->preview, g_free);
  g_ptr_array_set_size (fetch->sections, 0);
  fetch->present &= BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_FLAGS | BUZON_IMAP_FETCH_MODSEQ;
}

/* A message new to the cache (its ENVELOPE was fetched), or only new flags
 * and MODSEQ for one it has. Takes @fetch. */
void
buzon_store_batch_add_fetch (BuzonStoreBatch *self,
                             BuzonImapFetch  *fetch)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (fetch != NULL);

  if (fetch->uid == 0)
    {
      /* Without its UID a FETCH cannot be stored; the next sync finds it. */
      buzon_imap_fetch_free (fetch);
      return;
    }
  g_ptr_array_add (self->fetches, fetch);
  if (fetch->envelope == NULL)
    {
      g_ptr_array_add (self->summaries, NULL);
      return;
    }
  g_ptr_array_add (self->summaries, buzon_store_summary_new_from_fetch (fetch));
  strip_decoded (fetch);
}

void
buzon_store_batch_remove_uids (BuzonStoreBatch *self,
                               const GArray    *ranges)
{
  g_return_if_fail (self != NULL);
  g_array_append_vals (self->removed, ranges->data, ranges->len);
}

void
buzon_store_batch_set_state (BuzonStoreBatch             *self,
                             const BuzonStoreFolderState *state)
{
  BuzonStoreStateFields fields;

  g_return_if_fail (self != NULL);
  fields = self->state.fields | state->fields;
  if (state->fields & BUZON_STORE_STATE_UIDVALIDITY)
    self->state.uidvalidity = state->uidvalidity;
  if (state->fields & BUZON_STORE_STATE_UIDNEXT)
    self->state.uidnext = state->uidnext;
  if (state->fields & BUZON_STORE_STATE_HIGHESTMODSEQ)
    self->state.highestmodseq = state->highestmodseq;
  if (state->fields & BUZON_STORE_STATE_EXISTS)
    self->state.exists_count = state->exists_count;
  if (state->fields & BUZON_STORE_STATE_UNSEEN)
    self->state.unseen_count = state->unseen_count;
  if (state->fields & BUZON_STORE_STATE_FIRST_SYNC_DONE)
    self->state.first_sync_done = state->first_sync_done;
  if (state->fields & BUZON_STORE_STATE_SYNCED_AT)
    self->state.synced_at = state->synced_at;
  self->state.fields = fields;
}

/* Ends the pending operation @operation_id in the same transaction: the
 * batch holds what the server says of the messages the operation changed
 * in the cache, and that replaces what it did to them. The replay of the
 * queue uses it when the server refuses an operation, so that neither the
 * operation nor the server's state of its messages can be lost alone. */
void
buzon_store_batch_complete_operation (BuzonStoreBatch *self,
                                      gint64           operation_id)
{
  g_return_if_fail (self != NULL);
  self->completed_operation = operation_id;
}

/* How many changes the batch holds. */
guint
buzon_store_batch_get_size (BuzonStoreBatch *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->fetches->len + self->removed->len + (self->reset ? 1 : 0);
}

/* Moves what @other holds to the end of @self, so that both go in one
 * transaction, and frees @other; FALSE, with neither touched, when that
 * could change their outcome: @other is for another folder, or it removes
 * messages, resets the folder or ends an operation, all of which the
 * store does before adding messages (a message @self adds could then be
 * one @other removes). @other's state wins over @self's, as applying
 * them in turn would have it. */
gboolean
buzon_store_batch_append (BuzonStoreBatch *self,
                          BuzonStoreBatch *other)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (other != NULL, FALSE);

  if (other->folder_id != self->folder_id || other->removed->len > 0 || other->reset
      || other->completed_operation > 0)
    return FALSE;
  g_ptr_array_extend_and_steal (self->fetches, g_steal_pointer (&other->fetches));
  g_ptr_array_extend_and_steal (self->summaries, g_steal_pointer (&other->summaries));
  other->fetches = g_ptr_array_new ();
  other->summaries = g_ptr_array_new ();
  buzon_store_batch_set_state (self, &other->state);
  buzon_store_batch_free (other);
  return TRUE;
}

/* Applying. */

/* Steps @statement once; FALSE with *@rc set when SQLite failed. */
gboolean
_buzon_store_step (sqlite3_stmt *statement,
                   int          *rc)
{
  *rc = sqlite3_step (statement);
  if (*rc == SQLITE_DONE || *rc == SQLITE_ROW)
    {
      *rc = SQLITE_OK;
      return TRUE;
    }
  return FALSE;
}

static void
bind_text (sqlite3_stmt *statement,
           int           index,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (statement, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (statement, index);
}

/* The thread of a new message (JWZ's idea, kept in tables): any thread
 * that holds one of the IDs it names; several are merged into the oldest;
 * none, and a reply's subject may still find its thread; else a new one,
 * numbered after the message's own row. Found in two halves, so that the
 * row is inserted once with its thread: find_thread() reads what is known
 * (and returns 0 for a new thread), join_thread() writes what the message
 * adds, once its row is in. */
typedef struct
{
  GPtrArray *ids;         /* The IDs the message names, once each; not owned. */
  GPtrArray *unknown;     /* … those no thread holds yet. */
  GArray *threads;        /* The threads found, of gint64. */
  gboolean merged;        /* join_thread() merged threads: there are aliases now. */
} ThreadLookup;

static void
thread_lookup_clear (ThreadLookup *lookup)
{
  g_clear_pointer (&lookup->ids, g_ptr_array_unref);
  g_clear_pointer (&lookup->unknown, g_ptr_array_unref);
  g_clear_pointer (&lookup->threads, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ThreadLookup, thread_lookup_clear)

static void
add_id (GPtrArray  *ids,
        const char *id)
{
  /* References usually end with the In-Reply-To: each ID is looked up and
   * written once. */
  for (guint i = 0; i < ids->len; i++)
    if (strcmp (ids->pdata[i], id) == 0)
      return;
  g_ptr_array_add (ids, (gpointer) id);
}

static gint64
find_thread (BuzonStore              *self,
             const BuzonStoreSummary *summary,
             gboolean                 aliases,
             ThreadLookup            *lookup)
{
  sqlite3_stmt *statement;
  gint64 thread = 0;
  guint named = g_strv_length (summary->references) + (summary->in_reply_to != NULL)
                + (summary->message_id != NULL);

  lookup->ids = g_ptr_array_new ();
  lookup->unknown = g_ptr_array_new ();
  lookup->threads = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (gsize i = 0; summary->references[i] != NULL; i++)
    add_id (lookup->ids, summary->references[i]);
  if (summary->in_reply_to != NULL)
    add_id (lookup->ids, summary->in_reply_to);
  if (summary->message_id != NULL)
    add_id (lookup->ids, summary->message_id);

  /* A thread merged into another since the ID was met is followed there
   * (the second lookup is spared while no thread was ever merged). */
  if (aliases)
    statement = _buzon_store_prepare (self,
                                      "SELECT coalesce (a.merged_into, m.thread_id) "
                                      "FROM thread_key m "
                                      "LEFT JOIN thread_alias a ON a.thread_id = m.thread_id "
                                      "WHERE m.key = ?",
                                      NULL);
  else
    statement = _buzon_store_prepare (self, "SELECT thread_id FROM thread_key WHERE key = ?",
                                      NULL);
  for (guint i = 0; statement != NULL && i < lookup->ids->len; i++)
    {
      sqlite3_reset (statement);
      sqlite3_bind_int64 (statement, 1, _buzon_store_message_id_key (lookup->ids->pdata[i]));
      if (sqlite3_step (statement) == SQLITE_ROW)
        {
          gint64 found = sqlite3_column_int64 (statement, 0);
          gboolean known = FALSE;

          for (guint t = 0; t < lookup->threads->len && !known; t++)
            known = g_array_index (lookup->threads, gint64, t) == found;
          if (!known)
            g_array_append_val (lookup->threads, found);
        }
      else
        g_ptr_array_add (lookup->unknown, lookup->ids->pdata[i]);
    }
  for (guint t = 0; t < lookup->threads->len; t++)
    if (thread == 0 || g_array_index (lookup->threads, gint64, t) < thread)
      thread = g_array_index (lookup->threads, gint64, t);

  if (thread == 0 && named <= 1 && summary->is_reply
      && summary->thread_subject[0] != '\0')
    {
      statement = _buzon_store_prepare (self,
                                        "SELECT thread_id FROM thread_subject WHERE subject = ?",
                                        NULL);
      if (statement != NULL)
        {
          sqlite3_bind_text (statement, 1, summary->thread_subject, -1, SQLITE_STATIC);
          if (sqlite3_step (statement) == SQLITE_ROW)
            thread = sqlite3_column_int64 (statement, 0);
        }
    }
  return thread;
}

static gboolean
join_thread (BuzonStore              *self,
             gint64                   thread,
             const BuzonStoreSummary *summary,
             ThreadLookup            *lookup,
             int                     *rc)
{
  sqlite3_stmt *statement;

  /* Merge: a message that names two threads' messages joins them. */
  for (guint t = 0; t < lookup->threads->len && *rc == SQLITE_OK; t++)
    {
      gint64 other = g_array_index (lookup->threads, gint64, t);
      /* The merged thread's messages and subjects are renamed; its
       * Message-IDs in thread_key stay, and point here through the
       * alias (as do those of threads merged into it before). */
      const char *const merges[] = {
        "UPDATE message SET thread_id = ?1 WHERE thread_id = ?2",
        "UPDATE thread_subject SET thread_id = ?1 WHERE thread_id = ?2",
        "UPDATE thread_alias SET merged_into = ?1 WHERE merged_into = ?2",
        "INSERT OR REPLACE INTO thread_alias VALUES (?2, ?1)",
      };

      if (other == thread)
        continue;
      for (gsize m = 0; m < G_N_ELEMENTS (merges) && *rc == SQLITE_OK; m++)
        {
          statement = _buzon_store_prepare (self, merges[m], NULL);
          if (statement == NULL)
            return FALSE;
          sqlite3_bind_int64 (statement, 1, thread);
          sqlite3_bind_int64 (statement, 2, other);
          _buzon_store_step (statement, rc);
        }
      lookup->merged = TRUE;
    }

  /* The IDs found are in the thread already, or were just merged into it. */
  statement = _buzon_store_prepare (self, "INSERT OR IGNORE INTO thread_key VALUES (?, ?)",
                                    NULL);
  for (guint i = 0; statement != NULL && i < lookup->unknown->len && *rc == SQLITE_OK; i++)
    {
      sqlite3_reset (statement);
      sqlite3_bind_int64 (statement, 1, _buzon_store_message_id_key (lookup->unknown->pdata[i]));
      sqlite3_bind_int64 (statement, 2, thread);
      _buzon_store_step (statement, rc);
    }
  if (statement == NULL)
    return FALSE;
  if (!summary->is_reply && summary->thread_subject[0] != '\0' && *rc == SQLITE_OK)
    {
      statement = _buzon_store_prepare (self,
                                        "INSERT INTO thread_subject VALUES (?1, ?2, ?3) "
                                        "ON CONFLICT (subject) DO UPDATE SET thread_id = ?2, "
                                        "date = ?3 WHERE ?3 > date",
                                        NULL);
      if (statement == NULL)
        return FALSE;
      sqlite3_bind_text (statement, 1, summary->thread_subject, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (statement, 2, thread);
      sqlite3_bind_int64 (statement, 3, summary->date);
      _buzon_store_step (statement, rc);
    }
  return *rc == SQLITE_OK;
}

/* Takes out of @folder_id one provisional copy (a queued move's, copy's or
 * archive's) of the message whose Message-ID is @message_id: the server has
 * the real one, which a sync just brought, though the replay has not heard
 * so yet (its answer was lost, or another client made the same move); its
 * operation, still queued, will find nothing to rename. */
static gboolean
supersede_provisional (BuzonStore *self,
                       gint64      folder_id,
                       const char *message_id,
                       int        *rc)
{
  const char *const statements[] = {
    "DELETE FROM message_fts WHERE rowid = (SELECT id FROM message WHERE folder_id = ?1 "
    "AND uid < 0 AND message_id = ?2 ORDER BY id LIMIT 1)",
    "DELETE FROM message WHERE id = (SELECT id FROM message WHERE folder_id = ?1 "
    "AND uid < 0 AND message_id = ?2 ORDER BY id LIMIT 1)",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      sqlite3_stmt *statement = _buzon_store_prepare (self, statements[i], NULL);

      if (statement == NULL)
        return FALSE;
      sqlite3_bind_int64 (statement, 1, folder_id);
      sqlite3_bind_text (statement, 2, message_id, -1, SQLITE_STATIC);
      if (!_buzon_store_step (statement, rc))
        return FALSE;
    }
  return TRUE;
}

/* Whether @folder_id holds provisional copies, which new messages may
 * supersede. */
static gboolean
has_provisional (BuzonStore *self,
                 gint64      folder_id)
{
  sqlite3_stmt *statement = _buzon_store_prepare (self,
                                                  "SELECT 1 FROM message WHERE folder_id = ? "
                                                  "AND uid < 0 LIMIT 1",
                                                  NULL);
  gboolean found;

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, folder_id);
  found = sqlite3_step (statement) == SQLITE_ROW;
  sqlite3_reset (statement);
  return found;
}

/* A message new to the cache: its row, its thread, its full-text entry;
 * with @provisional, a provisional copy of it in the folder goes.
 * *@aliases says whether any thread was ever merged (set here when this
 * message merges two).
 * *@next_id is the id the next new row takes: the batch's job reads the
 * largest once and counts on from there, this being the only writer. */
static gboolean
insert_message (BuzonStore              *self,
                sqlite3                 *db,
                gint64                   folder_id,
                const BuzonStoreSummary *summary,
                gboolean                 provisional,
                gboolean                *aliases,
                gint64                  *next_id,
                gboolean                *added,
                int                     *rc)
{
  g_autofree char *references = g_strjoinv (" ", summary->references);
  g_autofree char *sender = NULL;
  g_autofree char *recipients = NULL;
  g_auto (ThreadLookup) lookup = { 0 };
  sqlite3_stmt *statement;
  gint64 row_id;
  gint64 thread;

  /* The row's id is chosen here, as SQLite would (one above the largest,
   * this being the only writer), so that a new thread, numbered after it,
   * is in the row from the start rather than written by a second UPDATE. */
  row_id = *next_id;
  thread = find_thread (self, summary, *aliases, &lookup);
  if (thread == 0)
    thread = row_id;

  statement = _buzon_store_prepare (
    self,
    "INSERT INTO message (folder_id, uid, modseq, flags, keywords, internaldate, date, size, "
    "subject, sender_name, sender_address, from_list, to_list, cc_list, bcc_list, reply_to, "
    "message_id, in_reply_to, references_list, list_id, has_attachment, preview, id, "
    "thread_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
    "?19, ?20, ?21, ?22, ?23, ?24) ON CONFLICT (folder_id, uid) DO NOTHING",
    NULL);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, folder_id);
  sqlite3_bind_int64 (statement, 2, summary->uid);
  sqlite3_bind_int64 (statement, 3, (sqlite3_int64) summary->modseq);
  sqlite3_bind_int64 (statement, 4, summary->flags);
  bind_text (statement, 5, summary->keywords);
  sqlite3_bind_int64 (statement, 6, summary->internaldate);
  sqlite3_bind_int64 (statement, 7, summary->date);
  sqlite3_bind_int64 (statement, 8, (sqlite3_int64) summary->size);
  bind_text (statement, 9, summary->subject);
  bind_text (statement, 10, summary->sender_name);
  bind_text (statement, 11, summary->sender_address);
  bind_text (statement, 12, summary->from_list);
  bind_text (statement, 13, summary->to_list);
  bind_text (statement, 14, summary->cc_list);
  bind_text (statement, 15, summary->bcc_list);
  bind_text (statement, 16, summary->reply_to);
  bind_text (statement, 17, summary->message_id);
  bind_text (statement, 18, summary->in_reply_to);
  bind_text (statement, 19, references[0] != '\0' ? references : NULL);
  bind_text (statement, 20, summary->list_id);
  sqlite3_bind_int (statement, 21, summary->has_attachment);
  bind_text (statement, 22, summary->preview);
  sqlite3_bind_int64 (statement, 23, row_id);
  sqlite3_bind_int64 (statement, 24, thread);
  if (!_buzon_store_step (statement, rc))
    return FALSE;
  /* Already cached (a resumed first sync fetched it again): nothing new. */
  if (sqlite3_changes (db) == 0)
    {
      *added = FALSE;
      return TRUE;
    }
  *added = TRUE;
  (*next_id)++;
  if (provisional && summary->message_id != NULL
      && !supersede_provisional (self, folder_id, summary->message_id, rc))
    return FALSE;
  if (!join_thread (self, thread, summary, &lookup, rc))
    return FALSE;
  *aliases = *aliases || lookup.merged;

  /* The sender's name heads From already, as a rule: indexed once, not
   * twice (each word is a token more to write). */
  if (summary->sender_name == NULL
      || (summary->from_list != NULL && strstr (summary->from_list, summary->sender_name) != NULL))
    sender = g_strdup (summary->from_list != NULL ? summary->from_list : "");
  else
    sender = g_strjoin (" ", summary->sender_name,
                        summary->from_list != NULL ? summary->from_list : "", NULL);
  recipients = g_strjoin (" ", summary->to_list != NULL ? summary->to_list : "",
                          summary->cc_list != NULL ? summary->cc_list : "",
                          summary->bcc_list != NULL ? summary->bcc_list : "", NULL);
  statement = _buzon_store_prepare (self,
                                    "INSERT INTO message_fts (rowid, subject, sender, recipients, "
                                    "body) VALUES (?, ?, ?, ?, NULL)",
                                    NULL);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, row_id);
  bind_text (statement, 2, summary->subject);
  sqlite3_bind_text (statement, 3, sender, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 4, recipients, -1, SQLITE_STATIC);
  return _buzon_store_step (statement, rc);
}

/* New flags (and MODSEQ) for a cached message; a message whose flags are
 * what the cache has is not written, nor counted. */
static gboolean
update_flags (BuzonStore           *self,
              gint64                folder_id,
              const BuzonImapFetch *fetch,
              gboolean             *updated,
              int                  *rc)
{
  g_autofree char *keywords = NULL;
  BuzonStoreFlags flags = buzon_store_flags_from_imap ((const char * const *) fetch->flags,
                                                       &keywords);
  gboolean has_flags = (fetch->present & BUZON_IMAP_FETCH_FLAGS) != 0;
  gboolean has_modseq = (fetch->present & BUZON_IMAP_FETCH_MODSEQ) != 0;
  sqlite3_stmt *statement;

  *updated = FALSE;
  if (!has_flags && !has_modseq)
    return TRUE;
  statement = _buzon_store_prepare (self,
                                    "UPDATE message SET "
                                    "flags = CASE WHEN ?1 THEN ?2 ELSE flags END, "
                                    "keywords = CASE WHEN ?1 THEN ?3 ELSE keywords END, "
                                    "modseq = CASE WHEN ?4 THEN ?5 ELSE modseq END "
                                    "WHERE folder_id = ?6 AND uid = ?7 AND ("
                                    "(?1 AND (flags IS NOT ?2 OR keywords IS NOT ?3)) "
                                    "OR (?4 AND modseq IS NOT ?5))",
                                    NULL);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int (statement, 1, has_flags);
  sqlite3_bind_int64 (statement, 2, flags);
  bind_text (statement, 3, keywords);
  sqlite3_bind_int (statement, 4, has_modseq);
  sqlite3_bind_int64 (statement, 5, (sqlite3_int64) fetch->modseq);
  sqlite3_bind_int64 (statement, 6, folder_id);
  sqlite3_bind_int64 (statement, 7, fetch->uid);
  if (!_buzon_store_step (statement, rc))
    return FALSE;
  *updated = sqlite3_changes (sqlite3_db_handle (statement)) > 0;
  return TRUE;
}

/* Removes the cached messages of @folder_id whose UIDs are in @range, with
 * their full-text entries (and, by cascade, their bodies); only those marked
 * \Deleted when @only_deleted. */
gboolean
_buzon_store_remove_messages (BuzonStore              *self,
                              gint64                   folder_id,
                              const BuzonImapUidRange *range,
                              gboolean                 only_deleted,
                              guint                   *removed,
                              int                     *rc)
{
  const char *const statements[] = {
    "DELETE FROM message_fts WHERE rowid IN (SELECT id FROM message WHERE folder_id = ?1 "
    "AND uid BETWEEN ?2 AND ?3 AND (?4 = 0 OR (flags & 8) <> 0))",
    "DELETE FROM message WHERE folder_id = ?1 AND uid BETWEEN ?2 AND ?3 "
    "AND (?4 = 0 OR (flags & 8) <> 0)",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      sqlite3_stmt *statement = _buzon_store_prepare (self, statements[i], NULL);

      if (statement == NULL)
        return FALSE;
      sqlite3_bind_int64 (statement, 1, folder_id);
      sqlite3_bind_int64 (statement, 2, range->first);
      sqlite3_bind_int64 (statement, 3, range->last);
      sqlite3_bind_int (statement, 4, only_deleted);
      if (!_buzon_store_step (statement, rc))
        return FALSE;
      if (i == 1 && removed != NULL)
        *removed += sqlite3_changes (sqlite3_db_handle (statement));
    }
  return TRUE;
}

static gboolean
save_state (BuzonStore                  *self,
            gint64                       folder_id,
            const BuzonStoreFolderState *state,
            int                         *rc)
{
  sqlite3_stmt *statement;

  if (state->fields == 0)
    return TRUE;
  statement = _buzon_store_prepare (
    self,
    "UPDATE folder SET "
    "uidvalidity = CASE WHEN ?2 & 1 THEN ?3 ELSE uidvalidity END, "
    "uidnext = CASE WHEN ?2 & 2 THEN ?4 ELSE uidnext END, "
    "highestmodseq = CASE WHEN ?2 & 4 THEN ?5 ELSE highestmodseq END, "
    "exists_count = CASE WHEN ?2 & 8 THEN ?6 ELSE exists_count END, "
    "unseen_count = CASE WHEN ?2 & 64 THEN ?7 ELSE unseen_count END, "
    "first_sync_done = CASE WHEN ?2 & 16 THEN ?8 ELSE first_sync_done END, "
    "synced_at = CASE WHEN ?2 & 32 THEN ?9 ELSE synced_at END "
    "WHERE id = ?1",
    NULL);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, folder_id);
  sqlite3_bind_int64 (statement, 2, state->fields);
  sqlite3_bind_int64 (statement, 3, state->uidvalidity);
  sqlite3_bind_int64 (statement, 4, state->uidnext);
  sqlite3_bind_int64 (statement, 5, (sqlite3_int64) state->highestmodseq);
  sqlite3_bind_int64 (statement, 6, state->exists_count);
  sqlite3_bind_int64 (statement, 7, state->unseen_count);
  sqlite3_bind_int (statement, 8, state->first_sync_done);
  sqlite3_bind_int64 (statement, 9, state->synced_at);
  return _buzon_store_step (statement, rc);
}

static gboolean
folder_exists (BuzonStore *self,
               gint64      folder_id)
{
  sqlite3_stmt *statement = _buzon_store_prepare (self, "SELECT 1 FROM folder WHERE id = ?",
                                                  NULL);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, folder_id);
  return sqlite3_step (statement) == SQLITE_ROW;
}

/* Whether any thread was ever merged into another (see find_thread()). */
static gboolean
any_alias (BuzonStore *self)
{
  sqlite3_stmt *statement = _buzon_store_prepare (self,
                                                  "SELECT EXISTS (SELECT 1 FROM thread_alias)",
                                                  NULL);

  /* Unknown: the lookup that follows aliases is right either way. */
  if (statement == NULL || sqlite3_step (statement) != SQLITE_ROW)
    return TRUE;
  return sqlite3_column_int (statement, 0) != 0;
}

/* The largest message id or thread number before a batch: the rows it
 * adds, and the threads they start, come after (a thread number is never
 * given twice, though the message that had it may be gone: see migration
 * 0010). */
static gboolean
largest_message_id (BuzonStore *self,
                    gint64     *id)
{
  sqlite3_stmt *statement = _buzon_store_prepare (self,
                                                  "SELECT max ((SELECT coalesce (max (id), 0) "
                                                  "FROM message), (SELECT last_id "
                                                  "FROM thread_high))",
                                                  NULL);

  if (statement == NULL || sqlite3_step (statement) != SQLITE_ROW)
    return FALSE;
  *id = sqlite3_column_int64 (statement, 0);
  sqlite3_reset (statement);
  return TRUE;
}

static gboolean
save_largest_id (BuzonStore *self,
                 gint64      id,
                 int        *rc)
{
  sqlite3_stmt *statement = _buzon_store_prepare (self,
                                                  "UPDATE thread_high SET last_id = ?1 "
                                                  "WHERE last_id < ?1",
                                                  NULL);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, id);
  return _buzon_store_step (statement, rc);
}

/* Threads span folders: a new message that joined a thread (a reply in
 * Sent to mail in the Inbox, maybe joining two of its threads) changes
 * that thread's rows in the other folders, which hear of it too. Read
 * after the commit from the batch's new rows alone, by id (CROSS JOIN and
 * the unary + keep SQLite from walking the folder's index instead: 9 ms a
 * batch in a 100k folder, against 0.1 ms); one that began a thread of its
 * own (thread_id = id) needs no lookup, and the others one each in the
 * by-thread index. */
static void
emit_thread_folders (BuzonStore *self,
                     gint64      folder_id,
                     gint64      largest_before)
{
  sqlite3_stmt *statement = _buzon_store_prepare (
    self,
    "SELECT DISTINCT other.folder_id FROM message AS new "
    "CROSS JOIN message AS other ON other.thread_id = new.thread_id "
    "WHERE new.id > ?2 AND +new.folder_id = ?1 AND new.thread_id != new.id "
    "AND other.folder_id != ?1",
    NULL);

  sqlite3_stmt *elsewhere = _buzon_store_prepare (
    self,
    "SELECT EXISTS (SELECT 1 FROM message WHERE folder_id < ?1) "
    "OR EXISTS (SELECT 1 FROM message WHERE folder_id > ?1)",
    NULL);
  gboolean others;

  if (statement == NULL || elsewhere == NULL)
    return;
  /* No other folder holds mail (the Inbox, which a new account's first
   * sync takes first): two index seeks instead of a lookup per new row. */
  sqlite3_bind_int64 (elsewhere, 1, folder_id);
  others = sqlite3_step (elsewhere) == SQLITE_ROW && sqlite3_column_int (elsewhere, 0) != 0;
  sqlite3_reset (elsewhere);
  if (!others)
    return;
  sqlite3_bind_int64 (statement, 1, folder_id);
  sqlite3_bind_int64 (statement, 2, largest_before);
  while (sqlite3_step (statement) == SQLITE_ROW)
    _buzon_store_emit_folder_changed (self, sqlite3_column_int64 (statement, 0));
  sqlite3_reset (statement);
}

static void
apply_batch (BuzonStore *self,
             sqlite3    *db,
             GTask      *task)
{
  BuzonStoreBatch *batch = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  BuzonStoreBatchResult *counts = g_new0 (BuzonStoreBatchResult, 1);
  gint64 provisional_folder = 0;
  gint64 next_id = 0;
  gint64 largest_before = 0;
  gboolean provisional;
  gboolean aliases;
  gboolean ok = TRUE;
  int rc = SQLITE_OK;

  if (!_buzon_store_begin (self, &error))
    {
      g_free (counts);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!folder_exists (self, batch->folder_id))
    {
      _buzon_store_rollback (self);
      g_free (counts);
      g_task_return_new_error (task, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND, "%s",
                               _("The folder is not in the mail cache any more"));
      return;
    }
  if (batch->completed_operation > 0)
    ok = _buzon_store_delete_operation (self, batch->completed_operation, &provisional_folder,
                                        &rc);
  if (ok && batch->reset)
    {
      BuzonImapUidRange all = { 1, G_MAXUINT32 };
      ok = _buzon_store_remove_messages (self, batch->folder_id, &all, FALSE, &counts->removed,
                                         &rc);
    }
  for (guint i = 0; ok && i < batch->removed->len; i++)
    ok = _buzon_store_remove_messages (self, batch->folder_id,
                                       &g_array_index (batch->removed, BuzonImapUidRange, i),
                                       FALSE, &counts->removed, &rc);
  provisional = ok && batch->fetches->len > 0 && has_provisional (self, batch->folder_id);
  aliases = ok && batch->fetches->len > 0 && any_alias (self);
  if (ok && batch->fetches->len > 0)
    ok = largest_message_id (self, &largest_before);
  next_id = largest_before + 1;
  for (guint i = 0; ok && i < batch->fetches->len; i++)
    {
      const BuzonImapFetch *fetch = g_ptr_array_index (batch->fetches, i);
      const BuzonStoreSummary *summary = g_ptr_array_index (batch->summaries, i);
      gboolean changed = FALSE;

      if (summary != NULL)
        {
          ok = insert_message (self, db, batch->folder_id, summary, provisional, &aliases, &next_id,
                               &changed, &rc);
          if (ok && changed)
            counts->added++;
          else if (ok)
            {
              /* Cached already: its flags may still be news. */
              ok = update_flags (self, batch->folder_id, fetch, &changed, &rc);
              counts->updated += changed;
            }
        }
      else
        {
          ok = update_flags (self, batch->folder_id, fetch, &changed, &rc);
          counts->updated += changed;
        }
    }
  if (ok && next_id > largest_before + 1)
    ok = save_largest_id (self, next_id - 1, &rc);
  if (ok)
    ok = save_state (self, batch->folder_id, &batch->state, &rc);
  /* What the server said must not undo what the user did and the server
   * has not heard of yet: the queue's changes go on top again. */
  if (ok && batch->fetches->len > 0)
    ok = _buzon_store_reapply_operations (self, batch->folder_id, &rc);
  if (!ok)
    {
      error = _buzon_store_error (db, rc != SQLITE_OK ? rc : sqlite3_errcode (db),
                                  _("saving messages"));
      _buzon_store_rollback (self);
      g_free (counts);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!_buzon_store_commit (self, &error))
    {
      g_free (counts);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  {
    /* Decided before the result goes: from then on it belongs to the
     * caller's thread. */
    gboolean messages_changed = counts->added + counts->updated + counts->removed > 0;
    gboolean folder_changed = batch->state.fields != 0 || counts->added + counts->removed > 0;
    gint64 folder_id = batch->folder_id;

    if (messages_changed)
      _buzon_store_emit_folder_changed (self, folder_id);
    if (counts->added > 0)
      emit_thread_folders (self, folder_id, largest_before);
    /* The completed operation's provisional copies went from there. */
    if (provisional_folder > 0 && provisional_folder != folder_id)
      _buzon_store_emit_folder_changed (self, provisional_folder);
    if (folder_changed || provisional_folder > 0)
      _buzon_store_emit_folders_changed (self);
    g_task_return_pointer (task, counts, g_free);
  }
}

/* A sync's batch is committed without waiting for the disk (synchronous =
 * NORMAL in WAL): a crash of the process loses nothing, a power cut at
 * worst the last batches, which the next sync fetches again (the folder's
 * state went with them, all or nothing), while a first sync of 100,000
 * messages waited for over a hundred fsyncs, each as slow as the disk is
 * busy. Everything else (the outbox, the queue of operations, and a batch
 * that ends an operation) keeps the store's synchronous = FULL, whose
 * fsync makes the earlier batches durable too. */
static void
apply_job (BuzonStore *self,
           sqlite3    *db,
           GTask      *task)
{
  BuzonStoreBatch *batch = g_task_get_task_data (task);
  gboolean relaxed = batch->completed_operation == 0;

  if (relaxed)
    relaxed = _buzon_store_exec (db, "PRAGMA synchronous = NORMAL", NULL);
  apply_batch (self, db, task);
  if (relaxed)
    _buzon_store_exec (db, "PRAGMA synchronous = FULL", NULL);
  /* Its rows are freed here, not on the main thread with the task. */
  g_ptr_array_set_size (batch->fetches, 0);
  g_ptr_array_set_size (batch->summaries, 0);
}

/**
 * buzon_store_apply_async:
 * @batch: (transfer full): the changes; the store takes it
 *
 * Applies the batch in one transaction: all of it or, on failure (a full
 * disk, say), none of it. On success emits "folder-changed" when messages
 * changed and "folders-changed" when counts or state did, before @callback.
 */
void
buzon_store_apply_async (BuzonStore          *self,
                         BuzonStoreBatch     *batch,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (batch != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_apply_async);
  g_task_set_task_data (task, batch, (GDestroyNotify) buzon_store_batch_free);
  _buzon_store_run (self, task, apply_job);
}

/**
 * buzon_store_apply_finish:
 * @counts: (out caller-allocates) (optional): what the batch did
 */
gboolean
buzon_store_apply_finish (BuzonStore             *self,
                          GAsyncResult           *result,
                          BuzonStoreBatchResult  *counts,
                          GError                **error)
{
  g_autofree BuzonStoreBatchResult *value = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  value = g_task_propagate_pointer (G_TASK (result), error);
  if (value == NULL)
    return FALSE;
  if (counts != NULL)
    *counts = *value;
  return TRUE;
}

/* The UIDs cached for a folder. */

static void
list_uids_job (BuzonStore *self,
               sqlite3    *db,
               GTask      *task)
{
  gint64 folder_id = *(gint64 *) g_task_get_task_data (task);
  g_autoptr (GArray) ranges = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *statement;
  int rc;

  statement = _buzon_store_prepare (self,
                                    "SELECT uid FROM message WHERE folder_id = ? AND uid > 0 "
                                    "ORDER BY uid",
                                    &error);
  if (statement == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sqlite3_bind_int64 (statement, 1, folder_id);
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      guint32 uid = (guint32) sqlite3_column_int64 (statement, 0);
      BuzonImapUidRange *last = ranges->len > 0
                                  ? &g_array_index (ranges, BuzonImapUidRange, ranges->len - 1)
                                  : NULL;

      if (last != NULL && last->last + 1 == uid)
        last->last = uid;
      else
        {
          BuzonImapUidRange range = { uid, uid };
          g_array_append_val (ranges, range);
        }
    }
  if (rc != SQLITE_DONE)
    {
      g_task_return_error (task, _buzon_store_error (db, rc, _("reading the cache")));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&ranges), (GDestroyNotify) g_array_unref);
}

/**
 * buzon_store_list_uids_async:
 *
 * The UIDs the cache holds for a folder, as ascending ranges: what a
 * resumed first sync skips, what QRESYNC's known-uids names. Provisional
 * copies, which have no UID yet, are not among them.
 */
void
buzon_store_list_uids_async (BuzonStore          *self,
                             gint64               folder_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_store_list_uids_async);
  g_task_set_task_data (task, g_memdup2 (&folder_id, sizeof folder_id), g_free);
  _buzon_store_run (self, task, list_uids_job);
}

/**
 * buzon_store_list_uids_finish:
 *
 * Returns: (transfer full) (element-type BuzonImapUidRange): the ranges
 */
GArray *
buzon_store_list_uids_finish (BuzonStore   *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
