// A connection whose input is read ahead, for TLS to run over.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BUZON_TYPE_READ_AHEAD_STREAM (buzon_read_ahead_stream_get_type ())
G_DECLARE_FINAL_TYPE (BuzonReadAheadStream, buzon_read_ahead_stream, BUZON, READ_AHEAD_STREAM,
                      GTcpConnection)

GIOStream *buzon_read_ahead_stream_new (GSocketConnection *base);

G_END_DECLS
