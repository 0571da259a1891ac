// Process-wide set-up of the engine: call once before using any engine type.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void         buzon_engine_init     (void);
void         buzon_engine_shutdown (void);
const char  *buzon_engine_version  (void);

G_END_DECLS
