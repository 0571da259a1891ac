// How the IMAP layer turns a server's NO or BAD into a GError.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "imap-error.h"
#include "imap-response.h"

G_BEGIN_DECLS

GError *_buzon_imap_error_from_status (const char              *host,
                                       const BuzonImapResponse *response);

G_END_DECLS
