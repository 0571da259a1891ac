// Process-wide set-up of the engine: GMime's tables, once.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <gmime/gmime.h>

#include "engine.h"

/**
 * buzon_engine_init:
 *
 * Initialises the libraries the engine stands on. Safe to call more than
 * once and from any thread; only the first call does work.
 */
void
buzon_engine_init (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      g_mime_init ();
      g_once_init_leave (&initialised, 1);
    }
}

const char *
buzon_engine_version (void)
{
  return PACKAGE_VERSION;
}
