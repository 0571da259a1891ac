// The error domain of message building: what a draft cannot be turned into mail for.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BUZON_MIME_ERROR (buzon_mime_error_quark ())

/* Each error's message is meant for the user: it names the field and, for a
 * bad address, quotes what was typed. None is transient: the draft has to
 * change before it can be built. */
typedef enum
{
  BUZON_MIME_ERROR_HEADER_INJECTION, /* A CR or LF in a field the user gave. */
  BUZON_MIME_ERROR_INVALID_ADDRESS,  /* An address that does not parse; the message quotes it. */
  BUZON_MIME_ERROR_NO_RECIPIENTS,    /* Sending with no To, Cc or Bcc. */
  BUZON_MIME_ERROR_NO_SENDER,        /* No From. */
  BUZON_MIME_ERROR_ATTACHMENT,       /* An attachment that cannot be read, or badly named. */
  BUZON_MIME_ERROR_PARSE,            /* Bytes that are not a message. */
} BuzonMimeError;

GQuark buzon_mime_error_quark (void);

G_END_DECLS
