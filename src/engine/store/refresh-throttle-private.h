// BuzonRefreshThrottle: when the models read the store again after it
// changed — one read in flight, and no more than one every interval.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Starts a read of @owner's; when it ends, its callback calls
 * _buzon_refresh_throttle_done(). */
typedef void (*BuzonRefreshStart) (gpointer owner);

/* Embedded in its owner, which it does not hold but while it waits. */
typedef struct
{
  GObject *owner;
  BuzonRefreshStart start;
  guint interval_ms;
  guint source;       /* The wait for the interval to pass; holds the owner. */
  gboolean reading;   /* A read is in flight. */
  gboolean again;     /* The store changed during it: another follows. */
  gint64 started_at;  /* Monotonic time the last read started. */
} BuzonRefreshThrottle;

void     _buzon_refresh_throttle_init    (BuzonRefreshThrottle *self,
                                          GObject              *owner,
                                          BuzonRefreshStart     start,
                                          guint                 interval_ms);
void     _buzon_refresh_throttle_start   (BuzonRefreshThrottle *self);
void     _buzon_refresh_throttle_request (BuzonRefreshThrottle *self);
void     _buzon_refresh_throttle_done    (BuzonRefreshThrottle *self,
                                          gboolean              cancelled);
gboolean _buzon_refresh_throttle_is_busy (const BuzonRefreshThrottle *self);

G_END_DECLS
