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
} BuzonImapError;

GQuark buzon_imap_error_quark (void);

G_END_DECLS
