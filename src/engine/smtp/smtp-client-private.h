// The inside of BuzonSmtpClient, shared by its files: smtp-client.c (I/O,
// timeouts, connect, TLS, EHLO, STARTTLS, QUIT), smtp-client-login.c (AUTH)
// and smtp-client-send.c (MAIL, RCPT, DATA).
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "smtp-client.h"
#include "smtp-reply-parser.h"

G_BEGIN_DECLS

typedef struct _BuzonSmtpOp BuzonSmtpOp;

/* Runs when an exchange (bytes written, replies read) is complete; the
 * replies are in op->replies. */
typedef void (*BuzonSmtpOpStep) (BuzonSmtpOp *op);

/* One operation of the client (connect, login, send, quit): only one at a
 * time. It owns its task and, while it runs, a reference to the client. */
struct _BuzonSmtpOp
{
  BuzonSmtpClient *client;
  GTask *task;
  GCancellable *cancellable; /* The caller's; cancelling it closes the connection. */
  gulong cancelled_id;
  GPtrArray *replies;        /* BuzonSmtpReply, of the current exchange. */
  guint wanted;              /* Replies the current exchange waits for. */
  BuzonSmtpOpStep next;
  GBytes *out;               /* Being written. */
  gsize out_offset;
  gboolean out_sensitive;    /* Wipe @out once written: it holds a password. */
  gboolean out_final;        /* @out ends a message: once its end is written, a lost
                              * connection leaves the outcome unknown. */
  gboolean in_doubt;         /* The server may have the whole message. */
  guint timeout_factor;      /* The client's timeout times this, for this exchange; 0: 1. */
  guint step;                /* Where the operation is, its own numbering. */
  gpointer data;             /* The operation's own state. */
  GDestroyNotify data_free;
};

struct _BuzonSmtpClient
{
  GObject parent_instance;

  BuzonServerUrl *url;
  GStrv trusted_certificates;

  GSocketConnection *socket_connection;
  GIOStream *stream; /* The socket connection, or the TLS connection over it. */
  BuzonSmtpReplyParser *parser;
  guint8 *read_buffer;
  GCancellable *io_cancellable; /* Cancelled when the connection is closed. */
  gboolean connected;    /* The greeting and EHLO went well. */
  gboolean closed;
  gboolean secure;       /* TLS is up. */
  BuzonSmtpOp *op;       /* The operation running, if any. */

  BuzonSmtpCapabilities *capabilities;
  char *greeting;
  char *certificate_sha256;
  GTlsCertificateFlags certificate_errors;
  gboolean certificate_pinned;

  guint timeout_seconds;
  guint timer_id;
  BuzonSmtpCommitFunc commit_func; /* Asked before the end of DATA goes out. */
  gpointer commit_data;
  GDestroyNotify commit_data_free;
  BuzonSmtpOp *waiting_op;         /* A send waiting for buzon_smtp_client_commit(). */
  gboolean timed_out;
};

BuzonSmtpOp *_buzon_smtp_op_new        (BuzonSmtpClient     *client,
                                        gpointer             source_tag,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean     _buzon_smtp_op_check_ready (BuzonSmtpOp        *op);
void         _buzon_smtp_op_exchange   (BuzonSmtpOp         *op,
                                        GBytes              *out,
                                        guint                replies,
                                        BuzonSmtpOpStep      next);
void         _buzon_smtp_op_command    (BuzonSmtpOp         *op,
                                        BuzonSmtpOpStep      next,
                                        const char          *format,
                                        ...) G_GNUC_PRINTF (3, 4);
void         _buzon_smtp_op_fail       (BuzonSmtpOp         *op,
                                        GError              *error,
                                        gboolean             close);
void         _buzon_smtp_op_return_boolean (BuzonSmtpOp     *op);
void         _buzon_smtp_op_return_pointer (BuzonSmtpOp     *op,
                                            gpointer         result,
                                            GDestroyNotify   result_free);
GError      *_buzon_smtp_client_reply_error (BuzonSmtpClient      *self,
                                             const BuzonSmtpReply *reply);

G_END_DECLS
