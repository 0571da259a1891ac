// Helpers shared by the store's unit tests.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "imap/imap-fetch.h"
#include "imap/imap-response.h"
#include "store/store-batch.h"
#include "store/store-folder.h"
#include "store/store.h"

/* SQL that undoes migrations 0009 to 0012 in a cache of today's schema, for
 * the tests of older caches: they make a cache, take it back, set an older
 * user_version and reopen it, and the migrations run again. A migration
 * added after 0012 adds its undoing here. */
#define UNDO_MIGRATIONS_9_TO_12                                                                   \
  "DELETE FROM message_fts_config WHERE k IN ('automerge', 'crisismerge');"                      \
  "DROP INDEX message_by_date_all;"                                                               \
  "DROP INDEX thread_subject_by_thread;"                                                          \
  "DROP INDEX message_flagged;"                                                                   \
  "DROP TABLE thread_alias; DROP TABLE thread_high;"                                              \
  "DROP TABLE thread_key;"                                                                        \
  "CREATE TABLE thread_member (message_id TEXT PRIMARY KEY, "                                     \
  "thread_id INTEGER NOT NULL) WITHOUT ROWID;"                                                    \
  "CREATE INDEX thread_member_by_thread ON thread_member (thread_id);"

typedef struct
{
  char *dir;
  char *path;
  BuzonStore *store;
} Fixture;

GAsyncResult      *wait_for          (GAsyncResult          **slot);
void               store_result_cb   (GObject                *source,
                                      GAsyncResult           *result,
                                      gpointer                user_data);
gboolean           open_store        (BuzonStore             *store,
                                      GError                **error);
void               fixture_set_up    (Fixture                *f,
                                      gconstpointer           data);
void               fixture_tear_down (Fixture                *f,
                                      gconstpointer           data);
void               remove_tree       (const char             *path);
BuzonImapResponse *parse             (const char             *text);
BuzonImapFetch    *fetch_from        (const char             *text);
BuzonImapFetch    *message           (guint32                 uid,
                                      const char             *flags,
                                      const char             *subject,
                                      const char             *message_id,
                                      const char             *in_reply_to,
                                      const char             *refs);
gint64             add_folder        (Fixture                *f,
                                      GPtrArray              *mailboxes,
                                      const char             *name);
gboolean           save_folders      (Fixture                *f,
                                      GPtrArray              *mailboxes);
GPtrArray         *list_folders      (Fixture                *f);
const BuzonStoreFolder *folder_named (GPtrArray              *folders,
                                      const char             *name);
void               three_folders     (Fixture                *f,
                                      gint64                  ids[3]);
gboolean           apply             (Fixture                *f,
                                      BuzonStoreBatch        *batch,
                                      BuzonStoreBatchResult  *counts,
                                      GError                **error);
char              *query             (Fixture                *f,
                                      const char             *sql);
