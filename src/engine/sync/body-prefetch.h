// BuzonBodyPrefetch: downloads the bodies the cache lacks for one folder,
// newest first, in pipelined batches, each kept in one transaction.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "imap/imap-session.h"
#include "store/store-folder.h"
#include "store/store.h"

G_BEGIN_DECLS

/* Messages larger than this (RFC822.SIZE) are not downloaded ahead of
 * time, unless "max-size" says otherwise: they are fetched when opened. */
#define BUZON_BODY_PREFETCH_MAX_SIZE G_GUINT64_CONSTANT (5000000) /* 5 MB */

typedef struct
{
  guint fetched;   /* Bodies downloaded and kept. */
  guint too_large; /* Left out: over "max-size". */
  guint gone;      /* Asked for, but the server does not have them any more. */
} BuzonBodyPrefetchResult;

#define BUZON_TYPE_BODY_PREFETCH (buzon_body_prefetch_get_type ())

G_DECLARE_FINAL_TYPE (BuzonBodyPrefetch, buzon_body_prefetch, BUZON, BODY_PREFETCH, GObject)

BuzonBodyPrefetch *buzon_body_prefetch_new        (BuzonImapSession        *session,
                                                   BuzonStore              *store,
                                                   const BuzonStoreFolder  *folder);
void               buzon_body_prefetch_run_async  (BuzonBodyPrefetch       *self,
                                                   GCancellable            *cancellable,
                                                   GAsyncReadyCallback      callback,
                                                   gpointer                 user_data);
gboolean           buzon_body_prefetch_run_finish (BuzonBodyPrefetch       *self,
                                                   GAsyncResult            *result,
                                                   BuzonBodyPrefetchResult *summary,
                                                   GError                 **error);

G_END_DECLS
