// Process-wide set-up of the engine: call once before using any engine type.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What BUZON_DEBUG asks to trace on stderr ("imap", "store", "sql", "all";
 * "help" lists them). */
typedef enum
{
  BUZON_DEBUG_IMAP = 1 << 0,
  BUZON_DEBUG_STORE = 1 << 1,
  BUZON_DEBUG_SQL = 1 << 2,
} BuzonDebugFlags;

gboolean     buzon_engine_debugging   (BuzonDebugFlags flag);
gint64       buzon_engine_trace_start (void);
void         buzon_engine_init     (void);
void         buzon_engine_shutdown (void);
const char  *buzon_engine_version  (void);

G_END_DECLS
