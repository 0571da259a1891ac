// BuzonStore: one account's offline cache, an SQLite database written by
// one worker thread.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BUZON_STORE_ERROR (buzon_store_error_quark ())

typedef enum
{
  BUZON_STORE_ERROR_FAILED,  /* SQLite failed; the message says how. */
  BUZON_STORE_ERROR_CORRUPT, /* The database file is damaged or not a database. */
  BUZON_STORE_ERROR_FULL,    /* The disk is full: nothing of the failed write was kept. */
  BUZON_STORE_ERROR_TOO_NEW, /* Written by a newer Buzón, whose schema this one cannot read. */
  BUZON_STORE_ERROR_CLOSED,  /* The store was closed or never opened. */
  BUZON_STORE_ERROR_NOT_FOUND, /* No such folder or message. */
  BUZON_STORE_ERROR_NO_ARCHIVE, /* An archive, and the account has no \Archive folder. */
  BUZON_STORE_ERROR_STATE,      /* An outbox message is past the step asked for (undo too late). */
} BuzonStoreError;

GQuark buzon_store_error_quark (void);

#define BUZON_TYPE_STORE (buzon_store_get_type ())

G_DECLARE_FINAL_TYPE (BuzonStore, buzon_store, BUZON, STORE, GObject)

BuzonStore *buzon_store_new                (const char           *path);
const char *buzon_store_get_path           (BuzonStore           *self);
void        buzon_store_open_async         (BuzonStore           *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean    buzon_store_open_finish        (BuzonStore           *self,
                                            GAsyncResult         *result,
                                            GError              **error);
void        buzon_store_close              (BuzonStore           *self);
guint       buzon_store_get_schema_version (void);
char       *buzon_store_path_for_account   (const char           *account_id);

G_END_DECLS
