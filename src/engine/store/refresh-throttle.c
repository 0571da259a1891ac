// BuzonRefreshThrottle: when the models read the store again after it
// changed — one read in flight, and no more than one every interval.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// While sync lands batch after batch, the store says "changed" many times
// a second; a model that read again each time would keep the store's
// thread busy with the same query. A change during a read asks for one
// more read after it; a change soon after a read waits for the interval
// since that read started, and any number of changes meanwhile make one
// read. BuzonMessageModel and BuzonFolderModel embed one each.

#include "config.h"

#include "refresh-throttle-private.h"

void
_buzon_refresh_throttle_init (BuzonRefreshThrottle *self,
                              GObject              *owner,
                              BuzonRefreshStart     start,
                              guint                 interval_ms)
{
  *self = (BuzonRefreshThrottle) { 0 };
  self->owner = owner;
  self->start = start;
  self->interval_ms = interval_ms;
}

/* Reads now, whatever the interval: the first read, or the wait is over. */
void
_buzon_refresh_throttle_start (BuzonRefreshThrottle *self)
{
  self->reading = TRUE;
  self->started_at = g_get_monotonic_time ();
  self->start (self->owner);
}

/* The wait: the throttle, and a reference to its owner, which embeds it. */
typedef struct
{
  BuzonRefreshThrottle *throttle;
  GObject *owner;
} Wait;

static void
wait_free (gpointer data)
{
  Wait *wait = data;

  g_object_unref (wait->owner);
  g_free (wait);
}

static gboolean
waited_cb (gpointer user_data)
{
  Wait *wait = user_data;

  wait->throttle->source = 0;
  _buzon_refresh_throttle_start (wait->throttle);
  return G_SOURCE_REMOVE;
}

/* The store changed: a read now, after the one in flight, or once the
 * interval since the last one started has passed. */
void
_buzon_refresh_throttle_request (BuzonRefreshThrottle *self)
{
  gint64 wait_ms;
  Wait *wait;

  if (self->reading)
    {
      self->again = TRUE;
      return;
    }
  if (self->source != 0)
    return;
  wait_ms = (gint64) self->interval_ms - (g_get_monotonic_time () - self->started_at) / 1000;
  if (wait_ms <= 0)
    {
      _buzon_refresh_throttle_start (self);
      return;
    }
  wait = g_new (Wait, 1);
  wait->throttle = self;
  wait->owner = g_object_ref (self->owner);
  self->source = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) wait_ms, waited_cb, wait,
                                     wait_free);
}

/* The read ended; with @cancelled (its owner is going), nothing follows. */
void
_buzon_refresh_throttle_done (BuzonRefreshThrottle *self,
                              gboolean              cancelled)
{
  self->reading = FALSE;
  if (cancelled)
    {
      self->again = FALSE;
      return;
    }
  if (self->again)
    {
      self->again = FALSE;
      _buzon_refresh_throttle_request (self);
    }
}

/* Whether a read is in flight or waiting for the interval. */
gboolean
_buzon_refresh_throttle_is_busy (const BuzonRefreshThrottle *self)
{
  return self->reading || self->source != 0;
}
