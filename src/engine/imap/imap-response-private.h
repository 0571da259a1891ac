// Building responses: for the parser only.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <string.h>

#include "imap-response.h"

G_BEGIN_DECLS

BuzonImapResponse *_buzon_imap_response_new     (void);
gpointer           _buzon_imap_response_alloc   (BuzonImapResponse *self,
                                                 gsize              size);
char              *_buzon_imap_response_strndup (BuzonImapResponse *self,
                                                 const char        *data,
                                                 gsize              length);

G_END_DECLS
