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
} BuzonImapError;

GQuark buzon_imap_error_quark (void);

G_END_DECLS
