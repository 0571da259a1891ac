// The store's outbox: mail the user sent, kept durably from the moment they
// press Send until the server took it and the copy is in Sent.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "store.h"

G_BEGIN_DECLS

/* Each state is written before the step it names begins, so that on
 * restart after a crash the state alone says whether the server can have
 * the message. */
typedef enum
{
  BUZON_STORE_OUTBOX_QUEUED,      /* Waits for send-at: the undo window, a later time, a retry. */
  BUZON_STORE_OUTBOX_SENDING,     /* Connecting, logging in, giving the envelope and the bytes;
                                   * the server cannot deliver it yet. */
  BUZON_STORE_OUTBOX_COMMITTING,  /* The end of DATA is going out: the server may take it. */
  BUZON_STORE_OUTBOX_ACCEPTED,    /* The server took it; the copy in Sent is next. */
  BUZON_STORE_OUTBOX_SAVING_SENT, /* APPEND to Sent under way: look for the copy before another. */
  BUZON_STORE_OUTBOX_FAILED,      /* Refused for good; last-error has the server's words. */
  BUZON_STORE_OUTBOX_UNCERTAIN,   /* Cut after the end of DATA: it may have been delivered. */
} BuzonStoreOutboxState;

#define BUZON_STORE_OUTBOX_STATE_MASK(state) (1u << (state))
#define BUZON_STORE_OUTBOX_ANY_STATE         0x7fu

typedef enum
{
  BUZON_STORE_OUTBOX_FLAG_NONE        = 0,
  BUZON_STORE_OUTBOX_FLAG_DSN         = 1 << 0, /* Ask the server for a delivery receipt. */
  BUZON_STORE_OUTBOX_FLAG_SENT_SAVED  = 1 << 1, /* The Sent copy is made (or not wanted). */
  BUZON_STORE_OUTBOX_FLAG_SEND_LATER  = 1 << 2, /* The user chose the time: not an undo window. */
  BUZON_STORE_OUTBOX_FLAG_REFUSED     = 1 << 3, /* The recipients left were refused for good. */
} BuzonStoreOutboxFlags;

typedef struct
{
  gint64 id;                   /* 0 until added. */
  BuzonStoreOutboxState state;
  GBytes *raw;                 /* The message as sent, no Bcc; NULL in a listing. */
  gsize size;                  /* Of @raw. */
  char *sent_headers;          /* Header lines put before @raw in the Sent copy; or NULL. */
  char *sender;                /* MAIL FROM. */
  GStrv recipients;            /* Who has yet to get it. */
  char *subject;               /* Decoded, for display; or NULL. */
  char *message_id;            /* Without <>; or NULL. */
  BuzonStoreOutboxFlags flags;
  gint64 send_at;              /* Unix time it may go at. */
  guint attempts;              /* Tries that failed. */
  char *last_error;            /* Why the last one failed, the server's words kept; or NULL. */
  gint64 created_at;
  gint64 changed_at;
} BuzonStoreOutboxItem;

/* A change of state, applied only when the message is in one of
 * @from_states (else BUZON_STORE_ERROR_STATE). */
typedef struct
{
  guint from_states;                /* BUZON_STORE_OUTBOX_STATE_MASK()s. */
  BuzonStoreOutboxState state;
  gint64 send_at;                   /* 0: unchanged. */
  const char *last_error;           /* NULL: cleared. */
  gboolean count_attempt;
  const char * const *recipients;   /* NULL: unchanged. */
  BuzonStoreOutboxFlags add_flags;
  BuzonStoreOutboxFlags remove_flags; /* Taken off before @add_flags are put on. */
} BuzonStoreOutboxChange;

BuzonStoreOutboxItem *buzon_store_outbox_item_new  (void);
void                  buzon_store_outbox_item_free (BuzonStoreOutboxItem *self);
const char           *buzon_store_outbox_state_to_string (BuzonStoreOutboxState state);

void       buzon_store_add_outbox_async        (BuzonStore                   *self,
                                                const BuzonStoreOutboxItem   *item,
                                                GCancellable                 *cancellable,
                                                GAsyncReadyCallback           callback,
                                                gpointer                      user_data);
gint64     buzon_store_add_outbox_finish       (BuzonStore                   *self,
                                                GAsyncResult                 *result,
                                                GError                      **error);
void       buzon_store_list_outbox_async       (BuzonStore                   *self,
                                                GCancellable                 *cancellable,
                                                GAsyncReadyCallback           callback,
                                                gpointer                      user_data);
GPtrArray *buzon_store_list_outbox_finish      (BuzonStore                   *self,
                                                GAsyncResult                 *result,
                                                GError                      **error);
void       buzon_store_get_outbox_async        (BuzonStore                   *self,
                                                gint64                        id,
                                                GCancellable                 *cancellable,
                                                GAsyncReadyCallback           callback,
                                                gpointer                      user_data);
BuzonStoreOutboxItem *buzon_store_get_outbox_finish (BuzonStore              *self,
                                                GAsyncResult                 *result,
                                                GError                      **error);
void       buzon_store_change_outbox_async     (BuzonStore                   *self,
                                                gint64                        id,
                                                const BuzonStoreOutboxChange *change,
                                                GCancellable                 *cancellable,
                                                GAsyncReadyCallback           callback,
                                                gpointer                      user_data);
gboolean   buzon_store_change_outbox_finish    (BuzonStore                   *self,
                                                GAsyncResult                 *result,
                                                GError                      **error);
void       buzon_store_remove_outbox_async     (BuzonStore                   *self,
                                                gint64                        id,
                                                guint                         from_states,
                                                GCancellable                 *cancellable,
                                                GAsyncReadyCallback           callback,
                                                gpointer                      user_data);
gboolean   buzon_store_remove_outbox_finish    (BuzonStore                   *self,
                                                GAsyncResult                 *result,
                                                GError                      **error);
void       buzon_store_recover_outbox_async    (BuzonStore                   *self,
                                                GCancellable                 *cancellable,
                                                GAsyncReadyCallback           callback,
                                                gpointer                      user_data);
guint      buzon_store_recover_outbox_finish   (BuzonStore                   *self,
                                                GAsyncResult                 *result,
                                                GError                      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonStoreOutboxItem, buzon_store_outbox_item_free)

G_END_DECLS
