// BuzonSmtpSendResult: what happened to one message handed to a server:
// which recipients it accepted and which it refused, each with its reply.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib-object.h>

#include "smtp-reply.h"

G_BEGIN_DECLS

typedef struct
{
  char *address;
  gboolean accepted;     /* The server took the message for this recipient. */
  BuzonSmtpReply *reply; /* Its answer to RCPT TO. */
} BuzonSmtpRecipientResult;

typedef struct
{
  GPtrArray *recipients;       /* BuzonSmtpRecipientResult, in the order given. */
  BuzonSmtpReply *final_reply; /* The answer to the end of DATA. */
  gboolean dsn_requested;      /* A delivery notification was asked for (the server has DSN). */
} BuzonSmtpSendResult;

#define BUZON_TYPE_SMTP_SEND_RESULT (buzon_smtp_send_result_get_type ())

GType                buzon_smtp_send_result_get_type      (void) G_GNUC_CONST;
BuzonSmtpSendResult *buzon_smtp_send_result_new           (void);
BuzonSmtpSendResult *buzon_smtp_send_result_copy          (const BuzonSmtpSendResult *self);
void                 buzon_smtp_send_result_free          (BuzonSmtpSendResult       *self);
void                 buzon_smtp_send_result_add           (BuzonSmtpSendResult       *self,
                                                           const char                *address,
                                                           const BuzonSmtpReply      *reply);
guint                buzon_smtp_send_result_count_refused (const BuzonSmtpSendResult *self);
const BuzonSmtpRecipientResult *
                     buzon_smtp_send_result_lookup        (const BuzonSmtpSendResult *self,
                                                           const char                *address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonSmtpSendResult, buzon_smtp_send_result_free)

G_END_DECLS
