// BuzonFolderSync: brings one folder of the cache up to date with the
// server over a logged-in session, by the cheapest path the server allows.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "imap/imap-session.h"
#include "store/store-folder.h"
#include "store/store.h"

G_BEGIN_DECLS

/* How a run found out what changed. */
typedef enum
{
  BUZON_FOLDER_SYNC_FIRST,     /* Nothing cached yet, or a first sync left unfinished. */
  BUZON_FOLDER_SYNC_QRESYNC,   /* SELECT (QRESYNC …): changes and expunges in one answer. */
  BUZON_FOLDER_SYNC_CONDSTORE, /* FETCH … CHANGEDSINCE, then an expunge check. */
  BUZON_FOLDER_SYNC_FLAGS,     /* Every message's flags, compared. */
  BUZON_FOLDER_SYNC_UNCHANGED, /* STATUS said nothing changed: not even selected. */
} BuzonFolderSyncPath;

GType buzon_folder_sync_path_get_type (void) G_GNUC_CONST;
#define BUZON_TYPE_FOLDER_SYNC_PATH (buzon_folder_sync_path_get_type ())

typedef struct
{
  BuzonFolderSyncPath path;
  gboolean uidvalidity_changed;
  guint added;
  guint updated;
  guint removed;
} BuzonFolderSyncResult;

#define BUZON_TYPE_FOLDER_SYNC (buzon_folder_sync_get_type ())

G_DECLARE_FINAL_TYPE (BuzonFolderSync, buzon_folder_sync, BUZON, FOLDER_SYNC, GObject)

BuzonFolderSync *buzon_folder_sync_new        (BuzonImapSession       *session,
                                               BuzonStore             *store,
                                               const BuzonStoreFolder *folder);
void             buzon_folder_sync_run_async  (BuzonFolderSync        *self,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
gboolean         buzon_folder_sync_run_finish (BuzonFolderSync        *self,
                                               GAsyncResult           *result,
                                               BuzonFolderSyncResult  *summary,
                                               GError                **error);
void             buzon_folder_sync_set_status (BuzonFolderSync              *self,
                                               const BuzonImapMailboxStatus *status);
const char      *buzon_folder_sync_header_items (BuzonImapSession      *session);

G_END_DECLS
