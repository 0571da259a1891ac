// The inside of BuzonSendQueue, shared by its files: send-queue.c (the
// object, adding, undoing, scheduling), send-queue-pass.c (a pass over the
// outbox: picking, claiming and sending each message) and send-queue-sent.c
// (the copy in Sent).
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "imap/imap-session.h"
#include "send-queue.h"
#include "smtp/smtp-client.h"

G_BEGIN_DECLS

#define BUZON_SEND_QUEUE_DEFAULT_RETRY_INTERVAL 60   /* Seconds before the first retry; doubles … */
#define BUZON_SEND_QUEUE_MAX_RETRY_INTERVAL     3600 /* … up to an hour. */
#define BUZON_SEND_QUEUE_POLL_INTERVAL          60   /* Another process may add to the outbox. */

#define STATE(s) BUZON_STORE_OUTBOX_STATE_MASK (BUZON_STORE_OUTBOX_##s)

struct _BuzonSendQueue
{
  GObject parent_instance;

  BuzonAccount *account;
  BuzonStore *store;
  BuzonCredentials *credentials;
  guint retry_interval;

  int lock_fd;             /* -1 until the first pass took the lock. */
  gboolean recovered;      /* What an earlier run left half done was put right. */
  GPtrArray *pass_tasks;   /* The callers of the pass running; NULL when none runs. */
  GPtrArray *next_tasks;   /* Those who asked while it ran: another pass follows. */
  GCancellable *cancellable;

  gboolean started;        /* Sends by itself, as messages fall due. */
  gulong outbox_changed_id;
  guint timer_id;
};

enum
{
  SIGNAL_MESSAGE_SENT,
  SIGNAL_MESSAGE_FAILED,
  SIGNAL_MESSAGE_PROGRESS,
  N_SIGNALS
};

extern guint _buzon_send_queue_signals[N_SIGNALS];

/* One pass over the outbox. */
typedef struct
{
  BuzonSendQueue *self;
  GHashTable *tried;            /* Ids handled in this pass, not handled twice. */
  gint64 item_id;               /* The message being handled. */
  BuzonStoreOutboxItem *item;   /* The message on its way, with its bytes. */
  BuzonStoreOutboxState state;  /* Its state as this pass found it. */
  BuzonSmtpClient *smtp;
  GError *smtp_error;           /* Why the server could not be reached, for the others. */
  BuzonImapSession *imap;
  GError *imap_error;
  char *sent_mailbox;           /* Raw name of Sent; NULL when there is none. */
  gboolean sent_looked_up;
  gboolean committed;           /* The end of DATA may have gone out. */
  GStrv remaining;              /* Recipients the server did not take. */
  gboolean refused_for_good;
  char *report;
} Pass;

gint64 _buzon_send_queue_now           (void);
gint64 _buzon_send_queue_retry_at      (BuzonSendQueue        *self,
                                        guint                  attempts);
void   _buzon_send_queue_run_pass      (BuzonSendQueue        *self);
void   _buzon_send_queue_pass_finished (BuzonSendQueue        *self,
                                        const GError          *error);

/* Steps of a pass, its task's data a Pass. */
void   _buzon_send_pass_progress       (Pass                  *pass,
                                        BuzonStoreOutboxState  state);
void   _buzon_send_pass_item_done      (Pass                  *pass);
void   _buzon_send_pass_next_item      (GTask                 *task);
void   _buzon_send_pass_change_then_next (GTask                        *task,
                                          const BuzonStoreOutboxChange *change);
void   _buzon_send_pass_save_sent      (GTask                 *task);
void   _buzon_send_pass_finish_item    (GTask                 *task,
                                        BuzonStoreOutboxFlags  add_flags);

G_END_DECLS
