// The error domain of the IMAP layer, and how a server's NO or BAD becomes
// one of its errors.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n-lib.h>

#include "imap-error-private.h"

G_DEFINE_QUARK (buzon-imap-error-quark, buzon_imap_error)

/* TRUE for the server's NO or BAD, whatever its response code: the command
 * was refused and the connection is still good. */
gboolean
buzon_imap_error_is_refusal (const GError *error)
{
  if (error == NULL || error->domain != BUZON_IMAP_ERROR)
    return FALSE;
  switch ((BuzonImapError) error->code)
    {
    case BUZON_IMAP_ERROR_NO:
    case BUZON_IMAP_ERROR_BAD:
    case BUZON_IMAP_ERROR_NONEXISTENT:
    case BUZON_IMAP_ERROR_ALREADY_EXISTS:
    case BUZON_IMAP_ERROR_OVER_QUOTA:
    case BUZON_IMAP_ERROR_TOO_BIG:
    case BUZON_IMAP_ERROR_UNAVAILABLE:
      return TRUE;
    case BUZON_IMAP_ERROR_PARSE:
    case BUZON_IMAP_ERROR_LIMIT:
    case BUZON_IMAP_ERROR_BYE:
    case BUZON_IMAP_ERROR_AUTHENTICATION_FAILED:
    case BUZON_IMAP_ERROR_LOGIN_DISABLED:
    case BUZON_IMAP_ERROR_NO_STARTTLS:
    case BUZON_IMAP_ERROR_NOT_IMAP:
    case BUZON_IMAP_ERROR_SERVER_NOT_VERIFIED:
    default:
      return FALSE;
    }
}

/* The error for a tagged NO or BAD: its code from the response code where
 * the caller can act on it, its message the server's own words. */
GError *
_buzon_imap_error_from_status (const char              *host,
                               const BuzonImapResponse *response)
{
  const char *code = response->code != NULL ? response->code : "";
  int error_code;

  if (response->status == BUZON_IMAP_STATUS_BAD)
    error_code = BUZON_IMAP_ERROR_BAD;
  else if (g_str_equal (code, "AUTHENTICATIONFAILED"))
    error_code = BUZON_IMAP_ERROR_AUTHENTICATION_FAILED;
  else if (g_str_equal (code, "TRYCREATE") || g_str_equal (code, "NONEXISTENT"))
    error_code = BUZON_IMAP_ERROR_NONEXISTENT;
  else if (g_str_equal (code, "ALREADYEXISTS"))
    error_code = BUZON_IMAP_ERROR_ALREADY_EXISTS;
  else if (g_str_equal (code, "OVERQUOTA"))
    error_code = BUZON_IMAP_ERROR_OVER_QUOTA;
  else if (g_str_equal (code, "LIMIT"))
    error_code = BUZON_IMAP_ERROR_TOO_BIG;
  else if (g_str_equal (code, "UNAVAILABLE") || g_str_equal (code, "INUSE"))
    error_code = BUZON_IMAP_ERROR_UNAVAILABLE;
  else
    error_code = BUZON_IMAP_ERROR_NO;

  /* Translators: the first %s is a host name, the second the server's own words. */
  return g_error_new (BUZON_IMAP_ERROR, error_code, _("%s says: %s"), host,
                      response->text != NULL && response->text[0] != '\0'
                        ? response->text
                        : (response->status == BUZON_IMAP_STATUS_NO ? "NO" : "BAD"));
}
