// BuzonSmtpSendResult: which recipients a server accepted a message for and
// which it refused, each with its reply.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "smtp-send-result.h"

G_DEFINE_BOXED_TYPE (BuzonSmtpSendResult, buzon_smtp_send_result, buzon_smtp_send_result_copy,
                     buzon_smtp_send_result_free)

static void
recipient_free (gpointer data)
{
  BuzonSmtpRecipientResult *recipient = data;

  g_free (recipient->address);
  buzon_smtp_reply_free (recipient->reply);
  g_free (recipient);
}

BuzonSmtpSendResult *
buzon_smtp_send_result_new (void)
{
  BuzonSmtpSendResult *self = g_new0 (BuzonSmtpSendResult, 1);

  self->recipients = g_ptr_array_new_with_free_func (recipient_free);
  return self;
}

/* Records @address's answer to RCPT TO: accepted when it is positive. */
void
buzon_smtp_send_result_add (BuzonSmtpSendResult  *self,
                            const char           *address,
                            const BuzonSmtpReply *reply)
{
  BuzonSmtpRecipientResult *recipient = g_new0 (BuzonSmtpRecipientResult, 1);

  recipient->address = g_strdup (address);
  recipient->accepted = buzon_smtp_reply_is_positive (reply);
  recipient->reply = buzon_smtp_reply_copy (reply);
  g_ptr_array_add (self->recipients, recipient);
}

BuzonSmtpSendResult *
buzon_smtp_send_result_copy (const BuzonSmtpSendResult *self)
{
  BuzonSmtpSendResult *copy = buzon_smtp_send_result_new ();

  for (guint i = 0; i < self->recipients->len; i++)
    {
      const BuzonSmtpRecipientResult *recipient = self->recipients->pdata[i];
      buzon_smtp_send_result_add (copy, recipient->address, recipient->reply);
    }
  if (self->final_reply != NULL)
    copy->final_reply = buzon_smtp_reply_copy (self->final_reply);
  copy->dsn_requested = self->dsn_requested;
  return copy;
}

void
buzon_smtp_send_result_free (BuzonSmtpSendResult *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->recipients);
  buzon_smtp_reply_free (self->final_reply);
  g_free (self);
}

guint
buzon_smtp_send_result_count_refused (const BuzonSmtpSendResult *self)
{
  guint refused = 0;

  for (guint i = 0; i < self->recipients->len; i++)
    if (!((BuzonSmtpRecipientResult *) self->recipients->pdata[i])->accepted)
      refused++;
  return refused;
}

/* The recipient of that address (compared without regard to ASCII case). */
const BuzonSmtpRecipientResult *
buzon_smtp_send_result_lookup (const BuzonSmtpSendResult *self,
                               const char                *address)
{
  for (guint i = 0; i < self->recipients->len; i++)
    {
      const BuzonSmtpRecipientResult *recipient = self->recipients->pdata[i];
      if (g_ascii_strcasecmp (recipient->address, address) == 0)
        return recipient;
    }
  return NULL;
}
