// Helpers shared by the store's unit tests.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "imap/imap-fetch.h"
#include "imap/imap-response.h"
#include "store/store-batch.h"
#include "store/store-folder.h"
#include "store/store.h"

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
