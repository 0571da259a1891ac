// BuzonSmtpClient, sending one message: MAIL FROM (SIZE, BODY=8BITMIME,
// SMTPUTF8), RCPT TO for each recipient (pipelined where the server offers
// PIPELINING, RFC 2920), DATA with CRLF line ends and dot-stuffing.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Nothing is sent for a message the server said is too big (SIZE, RFC
// 1870), or one that needs an extension the server lacks. Recipients the
// server refuses are reported one by one in the result while the message
// goes to the others; if it refuses them all the transaction is reset
// (RSET) and the send fails with every refusal quoted.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "smtp-client-private.h"
#include "smtp-error.h"

typedef struct
{
  char *from;
  GStrv recipients;
  GBytes *payload;    /* CRLF line ends, dot-stuffed, ".\r\n" at the end. */
  gsize size;         /* Of the message as sent, before dot-stuffing. */
  gboolean eight_bit;
  gboolean utf8;      /* An address is not ASCII. */
  BuzonSmtpSendFlags flags;
  BuzonSmtpSendResult *result;
  guint next_recipient;
  GError *error;      /* Returned once the RSET after it is answered. */
} SendData;

static void
send_data_free (gpointer data)
{
  SendData *send = data;

  g_free (send->from);
  g_strfreev (send->recipients);
  g_clear_pointer (&send->payload, g_bytes_unref);
  g_clear_pointer (&send->result, buzon_smtp_send_result_free);
  g_clear_error (&send->error);
  g_free (send);
}

/* The message with CRLF line ends (a bare CR or LF becomes one), a CRLF at
 * the end if it lacked one, each line that starts with "." given another
 * (RFC 5321 §4.5.2), and the ".\r\n" that ends DATA. */
static GBytes *
prepare_payload (GBytes   *message,
                 gsize    *size,
                 gboolean *eight_bit)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (message, &length);
  GByteArray *out = g_byte_array_sized_new ((guint) MIN (length + length / 64 + 8, G_MAXUINT));
  gboolean line_start = TRUE;
  gsize stuffed = 0;
  static const guint8 crlf[] = { '\r', '\n' };

  *eight_bit = FALSE;
  for (gsize i = 0; i < length; i++)
    {
      guint8 c = data[i];

      if (c == '\r' || c == '\n')
        {
          if (c == '\r' && i + 1 < length && data[i + 1] == '\n')
            i++;
          g_byte_array_append (out, crlf, 2);
          line_start = TRUE;
          continue;
        }
      if (line_start && c == '.')
        {
          g_byte_array_append (out, &c, 1);
          stuffed++;
        }
      if (c >= 0x80)
        *eight_bit = TRUE;
      g_byte_array_append (out, &c, 1);
      line_start = FALSE;
    }
  if (!line_start)
    g_byte_array_append (out, crlf, 2);
  *size = out->len - stuffed;
  g_byte_array_append (out, (const guint8 *) ".\r\n", 3);
  return g_byte_array_free_to_bytes (out);
}

/* Whether @address can go between <> in MAIL FROM or RCPT TO; sets @utf8
 * when it is not ASCII. */
static gboolean
address_is_valid (const char *address,
                  gboolean   *utf8)
{
  if (!g_utf8_validate (address, -1, NULL))
    return FALSE;
  for (const char *p = address; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c <= ' ' || c == 0x7f || c == '<' || c == '>')
        return FALSE;
      if (c >= 0x80)
        *utf8 = TRUE;
    }
  return TRUE;
}

static char *
describe_refusals (const BuzonSmtpSendResult *result)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < result->recipients->len; i++)
    {
      const BuzonSmtpRecipientResult *recipient = result->recipients->pdata[i];
      g_autofree char *words = NULL;

      if (recipient->accepted)
        continue;
      words = buzon_smtp_reply_to_string (recipient->reply);
      g_ptr_array_add (parts, g_strdup_printf ("%s (%s)", recipient->address, words));
    }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("; ", (char **) parts->pdata);
}

static void
reset_done (BuzonSmtpOp *op)
{
  SendData *send = op->data;

  _buzon_smtp_op_fail (op, g_steal_pointer (&send->error), FALSE);
}

/* Fails the send with @error (taken) once RSET ended the transaction. */
static void
reset_and_fail (BuzonSmtpOp *op,
                GError      *error)
{
  SendData *send = op->data;

  g_clear_error (&send->error);
  send->error = error;
  _buzon_smtp_op_command (op, reset_done, "RSET");
}

/* 552 is "too big" wherever it comes (RFC 1870 §6). */
static GError *
send_error (BuzonSmtpOp          *op,
            const BuzonSmtpReply *reply)
{
  GError *error = _buzon_smtp_client_reply_error (op->client, reply);

  if (reply->code == 552 || (reply->has_enhanced && reply->enhanced_class == 5
                             && reply->enhanced_subject == 3 && reply->enhanced_detail == 4))
    error->code = BUZON_SMTP_ERROR_MESSAGE_TOO_BIG;
  return error;
}

static void
final_done (BuzonSmtpOp *op)
{
  SendData *send = op->data;
  BuzonSmtpReply *reply = op->replies->pdata[0];

  if (reply->code != 250)
    {
      _buzon_smtp_op_fail (op, send_error (op, reply), FALSE);
      return;
    }
  send->result->final_reply = buzon_smtp_reply_copy (reply);
  _buzon_smtp_op_return_pointer (op, g_steal_pointer (&send->result),
                                 (GDestroyNotify) buzon_smtp_send_result_free);
}

/* Writes @out (taken), the end of the message, and reads the answer, which
 * may take the server a while (RFC 5321 §4.5.3.2.6 suggests 10 minutes). */
static void
end_data (BuzonSmtpOp *op,
          GBytes      *out)
{
  op->out_final = TRUE;
  op->timeout_factor = 10;
  _buzon_smtp_op_exchange (op, out, 1, final_done);
}

static void
body_written (BuzonSmtpOp *op)
{
  BuzonSmtpClient *self = op->client;

  self->waiting_op = op;
  self->commit_func (self, self->commit_data);
}

/**
 * buzon_smtp_client_commit:
 * @error: (transfer full) (nullable): %NULL to end the message, so that
 *   the server takes it; else the send fails with @error and the
 *   connection is closed without ending it, so that the server drops it
 *
 * Answers the commit function (see buzon_smtp_client_set_commit_func()).
 */
void
buzon_smtp_client_commit (BuzonSmtpClient *self,
                          GError          *error)
{
  BuzonSmtpOp *op;

  g_return_if_fail (BUZON_IS_SMTP_CLIENT (self));
  g_return_if_fail (self->waiting_op != NULL);

  op = g_steal_pointer (&self->waiting_op);
  if (error != NULL)
    {
      _buzon_smtp_op_fail (op, error, TRUE);
      return;
    }
  end_data (op, g_bytes_new_static (".\r\n", 3));
}

static void
data_done (BuzonSmtpOp *op)
{
  SendData *send = op->data;
  BuzonSmtpReply *reply = op->replies->pdata[0];
  GBytes *body;
  gsize size;

  if (reply->code != 354)
    {
      reset_and_fail (op, send_error (op, reply));
      return;
    }
  if (op->client->commit_func == NULL)
    {
      end_data (op, g_steal_pointer (&send->payload));
      return;
    }
  /* Everything but the ".\r\n": the server cannot deliver it yet. */
  size = g_bytes_get_size (send->payload);
  body = g_bytes_new_from_bytes (send->payload, 0, size - 3);
  _buzon_smtp_op_exchange (op, body, 0, body_written);
}

/* Every recipient answered: DATA, or RSET when nobody (or, with
 * ALL_OR_NOTHING, not everybody) was accepted. */
static void
envelope_done (BuzonSmtpOp *op)
{
  SendData *send = op->data;
  BuzonSmtpClient *self = op->client;
  guint refused = buzon_smtp_send_result_count_refused (send->result);
  guint total = send->result->recipients->len;

  if (refused == total || (refused > 0 && (send->flags & BUZON_SMTP_SEND_ALL_OR_NOTHING)))
    {
      g_autofree char *why = describe_refusals (send->result);
      gboolean permanent = FALSE;
      int code;

      for (guint i = 0; i < total; i++)
        {
          const BuzonSmtpRecipientResult *recipient = send->result->recipients->pdata[i];
          if (!recipient->accepted && !buzon_smtp_reply_is_transient (recipient->reply))
            permanent = TRUE;
        }
      code = permanent ? BUZON_SMTP_ERROR_RECIPIENTS_REFUSED
                       : BUZON_SMTP_ERROR_RECIPIENTS_DEFERRED;
      if (refused == total)
        /* Translators: the first %s is a host name, the second a list of
         * addresses, each with the server's words. */
        reset_and_fail (op, g_error_new (BUZON_SMTP_ERROR, code,
                                         _("%s refused every recipient: %s"), self->url->host,
                                         why));
      else
        /* Translators: the first %s is a host name, the second a list of
         * addresses, each with the server's words. */
        reset_and_fail (op, g_error_new (BUZON_SMTP_ERROR, code,
                                         _("%s refused some recipients, so the message was not "
                                           "sent: %s"),
                                         self->url->host, why));
      return;
    }
  _buzon_smtp_op_command (op, data_done, "DATA");
}

static void rcpt_done (BuzonSmtpOp *op);

static void
send_next_rcpt (BuzonSmtpOp *op)
{
  SendData *send = op->data;

  if (send->recipients[send->next_recipient] == NULL)
    {
      envelope_done (op);
      return;
    }
  _buzon_smtp_op_command (op, rcpt_done, "RCPT TO:<%s>%s", send->recipients[send->next_recipient],
                          send->result->dsn_requested ? " NOTIFY=SUCCESS,FAILURE" : "");
}

/* Without PIPELINING: one recipient's answer. */
static void
rcpt_done (BuzonSmtpOp *op)
{
  SendData *send = op->data;

  buzon_smtp_send_result_add (send->result, send->recipients[send->next_recipient],
                              op->replies->pdata[0]);
  send->next_recipient++;
  send_next_rcpt (op);
}

/* Returns FALSE (and resets the transaction) when MAIL FROM was refused. */
static gboolean
check_mail_reply (BuzonSmtpOp          *op,
                  const BuzonSmtpReply *reply)
{
  if (reply->code == 250)
    return TRUE;
  reset_and_fail (op, send_error (op, reply));
  return FALSE;
}

static void
mail_done (BuzonSmtpOp *op)
{
  if (!check_mail_reply (op, op->replies->pdata[0]))
    return;
  send_next_rcpt (op);
}

/* With PIPELINING: MAIL FROM's answer, then each recipient's. */
static void
envelope_pipelined_done (BuzonSmtpOp *op)
{
  SendData *send = op->data;

  if (!check_mail_reply (op, op->replies->pdata[0]))
    return;
  for (guint i = 1; i < op->replies->len; i++)
    buzon_smtp_send_result_add (send->result, send->recipients[i - 1], op->replies->pdata[i]);
  envelope_done (op);
}

/**
 * buzon_smtp_client_send_async:
 * @from: the envelope sender, an address without <>; "" for the null path
 * @recipients: the envelope recipients (To, Cc and Bcc), at least one
 * @message: the message, headers and body; line ends are made CRLF and
 *   lines starting with "." are stuffed here
 * @flags: %BUZON_SMTP_SEND_ALL_OR_NOTHING to send only if every recipient
 *   is accepted; %BUZON_SMTP_SEND_REQUEST_DSN to ask for a delivery
 *   notification where the server can send one
 *
 * Sends one message on a connection logged in (or not needing it). The
 * result says, recipient by recipient, which the server accepted and which
 * it refused and why; the message went to the accepted ones. Fails before
 * anything is sent with BUZON_SMTP_ERROR_MESSAGE_TOO_BIG for a message over
 * the server's SIZE, BUZON_SMTP_ERROR_NOT_SUPPORTED for 8-bit content
 * without 8BITMIME or an address that is not ASCII without SMTPUTF8; with
 * BUZON_SMTP_ERROR_RECIPIENTS_REFUSED (or _DEFERRED, each refusal a 4xx)
 * when no recipient was accepted; with _TEMPORARY or _REFUSED when the
 * server refuses the sender or the message; with
 * BUZON_SMTP_ERROR_OUTCOME_UNKNOWN when the connection was lost (or timed
 * out) after the whole message went out and before the server answered.
 */
void
buzon_smtp_client_send_async (BuzonSmtpClient     *self,
                              const char          *from,
                              const char * const  *recipients,
                              GBytes              *message,
                              BuzonSmtpSendFlags   flags,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  BuzonSmtpOp *op;
  SendData *send;
  const BuzonSmtpCapabilities *capabilities;
  g_autoptr (GString) envelope = NULL;

  g_return_if_fail (BUZON_IS_SMTP_CLIENT (self));
  g_return_if_fail (from != NULL && recipients != NULL && message != NULL);

  op = _buzon_smtp_op_new (self, buzon_smtp_client_send_async, cancellable, callback,
                           user_data);
  if (!_buzon_smtp_op_check_ready (op))
    return;
  capabilities = self->capabilities;
  send = g_new0 (SendData, 1);
  op->data = send;
  op->data_free = send_data_free;
  send->from = g_strdup (from);
  send->recipients = g_strdupv ((char **) recipients);
  send->flags = flags;
  send->result = buzon_smtp_send_result_new ();

  if (recipients[0] == NULL)
    {
      _buzon_smtp_op_fail (op, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                    _("A message needs at least one "
                                                      "recipient")),
                           FALSE);
      return;
    }
  for (guint i = 0; i <= g_strv_length (send->recipients); i++)
    {
      const char *address = i == 0 ? from : recipients[i - 1];

      if ((i > 0 && address[0] == '\0') || !address_is_valid (address, &send->utf8))
        {
          /* Translators: %s is an e-mail address. */
          _buzon_smtp_op_fail (op, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                _("“%s” is not an address mail can be sent "
                                                  "to"),
                                                address),
                               FALSE);
          return;
        }
    }

  send->payload = prepare_payload (message, &send->size, &send->eight_bit);
  if ((capabilities->extensions & BUZON_SMTP_EXTENSION_SIZE) && capabilities->max_size > 0
      && send->size > capabilities->max_size)
    {
      g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) send->size);
      g_autofree char *limit = g_strdup_printf ("%" G_GUINT64_FORMAT, capabilities->max_size);

      /* Translators: the first %s is a host name, the others numbers of bytes. */
      _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_MESSAGE_TOO_BIG,
                                            _("The message is too big for %s: %s bytes, and it "
                                              "takes at most %s"),
                                            self->url->host, size, limit),
                           FALSE);
      return;
    }
  if (send->utf8 && !(capabilities->extensions & BUZON_SMTP_EXTENSION_SMTPUTF8))
    {
      /* Translators: %s is a host name. */
      _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_NOT_SUPPORTED,
                                            _("%s cannot take addresses that are not ASCII "
                                              "(no SMTPUTF8)"),
                                            self->url->host),
                           FALSE);
      return;
    }
  if (send->eight_bit && !(capabilities->extensions & BUZON_SMTP_EXTENSION_8BITMIME)
      && !send->utf8)
    {
      /* Translators: %s is a host name. */
      _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_NOT_SUPPORTED,
                                            _("%s cannot take 8-bit messages (no 8BITMIME)"),
                                            self->url->host),
                           FALSE);
      return;
    }

  envelope = g_string_new (NULL);
  g_string_append_printf (envelope, "MAIL FROM:<%s>", from);
  if (capabilities->extensions & BUZON_SMTP_EXTENSION_SIZE)
    g_string_append_printf (envelope, " SIZE=%" G_GSIZE_FORMAT, send->size);
  if (send->eight_bit && (capabilities->extensions & BUZON_SMTP_EXTENSION_8BITMIME))
    g_string_append (envelope, " BODY=8BITMIME");
  if (send->utf8)
    g_string_append (envelope, " SMTPUTF8");
  if ((flags & BUZON_SMTP_SEND_REQUEST_DSN)
      && (capabilities->extensions & BUZON_SMTP_EXTENSION_DSN))
    {
      send->result->dsn_requested = TRUE;
      g_string_append (envelope, " RET=HDRS");
    }
  g_string_append (envelope, "\r\n");
  if (!(capabilities->extensions & BUZON_SMTP_EXTENSION_PIPELINING))
    {
      _buzon_smtp_op_exchange (op, g_string_free_to_bytes (g_steal_pointer (&envelope)), 1,
                               mail_done);
      return;
    }
  for (guint i = 0; recipients[i] != NULL; i++)
    g_string_append_printf (envelope, "RCPT TO:<%s>%s\r\n", recipients[i],
                            send->result->dsn_requested ? " NOTIFY=SUCCESS,FAILURE" : "");
  _buzon_smtp_op_exchange (op, g_string_free_to_bytes (g_steal_pointer (&envelope)),
                           1 + g_strv_length (send->recipients), envelope_pipelined_done);
}

BuzonSmtpSendResult *
buzon_smtp_client_send_finish (BuzonSmtpClient  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
