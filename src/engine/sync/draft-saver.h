// BuzonDraftSaver: a message being written kept in the account's Drafts
// folder, each save replacing the copy the save before it made.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "account/account.h"
#include "account/credentials.h"
#include "mime/draft.h"
#include "store/store.h"

G_BEGIN_DECLS

#define BUZON_TYPE_DRAFT_SAVER (buzon_draft_saver_get_type ())

G_DECLARE_FINAL_TYPE (BuzonDraftSaver, buzon_draft_saver, BUZON, DRAFT_SAVER, GObject)

BuzonDraftSaver *buzon_draft_saver_new             (BuzonAccount        *account,
                                                    BuzonStore          *store,
                                                    BuzonCredentials    *credentials,
                                                    BuzonDraft          *draft);
BuzonDraft      *buzon_draft_saver_get_draft       (BuzonDraftSaver     *self);
guint32          buzon_draft_saver_get_uid         (BuzonDraftSaver     *self);
void             buzon_draft_saver_set_uid         (BuzonDraftSaver     *self,
                                                    guint32              uid);
guint32          buzon_draft_saver_get_uidvalidity (BuzonDraftSaver     *self);
void             buzon_draft_saver_set_uidvalidity (BuzonDraftSaver     *self,
                                                    guint32              uidvalidity);
const char      *buzon_draft_saver_get_mailbox     (BuzonDraftSaver     *self);

void             buzon_draft_saver_save_async      (BuzonDraftSaver     *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean         buzon_draft_saver_save_finish     (BuzonDraftSaver     *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void             buzon_draft_saver_discard_async   (BuzonDraftSaver     *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean         buzon_draft_saver_discard_finish  (BuzonDraftSaver     *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
