// The error domain of the SMTP layer, and whether a retry can help.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BUZON_SMTP_ERROR (buzon_smtp_error_quark ())

/* Each error's message names the host and, where the server said something,
 * quotes its words. buzon_smtp_error_is_transient() says which are worth
 * retrying later. */
typedef enum
{
  BUZON_SMTP_ERROR_PARSE,          /* The server sent something that is not an SMTP reply. */
  BUZON_SMTP_ERROR_LIMIT,          /* A reply line or a reply went past its bound. */
  BUZON_SMTP_ERROR_NOT_SMTP,       /* The greeting is not an SMTP greeting, or refuses us. */
  BUZON_SMTP_ERROR_CONNECTION,     /* The connection failed, was cut or was closed: transient. */
  BUZON_SMTP_ERROR_TIMEOUT,        /* The server said nothing for too long: transient. */
  BUZON_SMTP_ERROR_NO_STARTTLS,    /* STARTTLS is required but the server does not offer it. */
  BUZON_SMTP_ERROR_AUTH_UNAVAILABLE, /* No login this client can do is offered (or allowed). */
  BUZON_SMTP_ERROR_AUTHENTICATION_FAILED, /* Wrong user name or password. */
  BUZON_SMTP_ERROR_TEMPORARY,      /* A 4xx reply: the server asks to try again later. */
  BUZON_SMTP_ERROR_REFUSED,        /* A 5xx reply: the server refuses, for good. */
  BUZON_SMTP_ERROR_MESSAGE_TOO_BIG, /* Larger than the server's SIZE (then nothing was sent). */
  BUZON_SMTP_ERROR_RECIPIENTS_REFUSED,  /* Every recipient refused, at least one for good. */
  BUZON_SMTP_ERROR_RECIPIENTS_DEFERRED, /* Every recipient refused, each with a 4xx. */
  BUZON_SMTP_ERROR_NOT_SUPPORTED,  /* The message needs SMTPUTF8 or 8BITMIME, not offered. */
  /* The connection was lost or timed out after the whole message was sent
   * and before the server's answer: it may have been delivered. Not
   * transient: sending it again may deliver it twice. */
  BUZON_SMTP_ERROR_OUTCOME_UNKNOWN,
  /* A SCRAM login where the server could not prove that it knows the
   * password (a wrong signature, a nonce not ours, no proof at all): it may
   * be an impostor. Not transient. */
  BUZON_SMTP_ERROR_SERVER_NOT_VERIFIED,
} BuzonSmtpError;

GQuark   buzon_smtp_error_quark        (void);
gboolean buzon_smtp_error_is_transient (const GError *error);

G_END_DECLS
