// The error domain of the SMTP layer, and whether a retry can help.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <gio/gio.h>

#include "smtp-error.h"

G_DEFINE_QUARK (buzon-smtp-error-quark, buzon_smtp_error)

/**
 * buzon_smtp_error_is_transient:
 *
 * Returns: %TRUE where trying the same thing again later can succeed: a 4xx
 *   reply, a timeout, a lost or refused connection; %FALSE for a 5xx
 *   reply, a failed login, a certificate that is not trusted, a message
 *   too big, a server that breaks the protocol, a cancelled operation, and
 *   a message whose fate is unknown (%BUZON_SMTP_ERROR_OUTCOME_UNKNOWN).
 */
gboolean
buzon_smtp_error_is_transient (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (error->domain == G_IO_ERROR)
    return error->code != G_IO_ERROR_CANCELLED;
  if (error->domain == G_RESOLVER_ERROR)
    return TRUE;
  if (error->domain != BUZON_SMTP_ERROR)
    return FALSE; /* G_TLS_ERROR among others: a retry meets the same certificate. */
  switch ((BuzonSmtpError) error->code)
    {
    case BUZON_SMTP_ERROR_CONNECTION:
    case BUZON_SMTP_ERROR_TIMEOUT:
    case BUZON_SMTP_ERROR_TEMPORARY:
    case BUZON_SMTP_ERROR_RECIPIENTS_DEFERRED:
      return TRUE;
    case BUZON_SMTP_ERROR_PARSE:
    case BUZON_SMTP_ERROR_LIMIT:
    case BUZON_SMTP_ERROR_NOT_SMTP:
    case BUZON_SMTP_ERROR_NO_STARTTLS:
    case BUZON_SMTP_ERROR_AUTH_UNAVAILABLE:
    case BUZON_SMTP_ERROR_AUTHENTICATION_FAILED:
    case BUZON_SMTP_ERROR_REFUSED:
    case BUZON_SMTP_ERROR_MESSAGE_TOO_BIG:
    case BUZON_SMTP_ERROR_RECIPIENTS_REFUSED:
    case BUZON_SMTP_ERROR_NOT_SUPPORTED:
    case BUZON_SMTP_ERROR_OUTCOME_UNKNOWN:
    case BUZON_SMTP_ERROR_SERVER_NOT_VERIFIED:
    default:
      return FALSE;
    }
}
