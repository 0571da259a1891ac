// The error domain of the IMAP layer.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BUZON_IMAP_ERROR (buzon_imap_error_quark ())

typedef enum
{
  BUZON_IMAP_ERROR_PARSE,         /* The server sent something that is not IMAP. */
  BUZON_IMAP_ERROR_LIMIT,         /* A line, literal or nesting went past its bound. */
  BUZON_IMAP_ERROR_NO,            /* The server answered NO; the message quotes it. */
  BUZON_IMAP_ERROR_BAD,           /* The server answered BAD; the message quotes it. */
  BUZON_IMAP_ERROR_BYE,           /* The server said BYE and closed the connection. */
  BUZON_IMAP_ERROR_AUTHENTICATION_FAILED, /* Wrong user name or password. */
  BUZON_IMAP_ERROR_LOGIN_DISABLED,        /* The server refuses to log in without TLS. */
  BUZON_IMAP_ERROR_NO_STARTTLS,   /* STARTTLS is required but the server does not offer it. */
  BUZON_IMAP_ERROR_NOT_IMAP,      /* The greeting is not an IMAP greeting. */
  /* NO with a response code the caller can act on (RFC 3501, RFC 5530); each
   * is a refusal like BUZON_IMAP_ERROR_NO, and quotes the server the same way. */
  BUZON_IMAP_ERROR_NONEXISTENT,   /* [TRYCREATE] or [NONEXISTENT]: no such mailbox. */
  BUZON_IMAP_ERROR_ALREADY_EXISTS, /* [ALREADYEXISTS]: a mailbox of that name exists. */
  BUZON_IMAP_ERROR_OVER_QUOTA,    /* [OVERQUOTA]: the mailbox or account is full. */
  BUZON_IMAP_ERROR_TOO_BIG,       /* [LIMIT], or larger than APPENDLIMIT (then nothing was sent). */
  BUZON_IMAP_ERROR_UNAVAILABLE,   /* [UNAVAILABLE] or [INUSE]: try again later. */
  /* A SCRAM login where the server could not prove that it knows the
   * password (a wrong signature, a nonce not ours, no proof at all: it may
   * be an impostor), or asked for fewer iterations than RFC 7677 allows.
   * The connection is closed. */
  BUZON_IMAP_ERROR_SERVER_NOT_VERIFIED,
} BuzonImapError;

GQuark   buzon_imap_error_quark      (void);
gboolean buzon_imap_error_is_refusal (const GError *error);

G_END_DECLS
