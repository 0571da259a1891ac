// Process-wide set-up of the engine: GMime's tables, once.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <gio/gio.h>
#include <gmime/gmime.h>

#include "engine.h"

/* The system's trusted certificates take tens of milliseconds to load, on
 * whichever thread first asks: a worker asks now, so that the first TLS
 * connection does not freeze the main loop for a frame or three. */
static GThread *warmup;

static gpointer
load_tls_database (gpointer data)
{
  GTlsBackend *backend = g_tls_backend_get_default ();
  g_autoptr (GTlsDatabase) database G_GNUC_UNUSED = g_tls_backend_get_default_database (backend);

  return NULL;
}

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
      /* GLib makes its C locale, for g_ascii_strtoull() and its kin, on the
       * first call, under a g_once: a second thread that calls at the same
       * time waits, and the wait may leave errno set, so that
       * g_ascii_string_to_unsigned() calls a good number ("0") bad. The
       * warm-up below parses numbers (GIO's module cache) while the caller
       * reads its accounts: the locale is made here, before there are two. */
      (void) g_ascii_strtoull ("0", NULL, 10);
      warmup = g_thread_new ("buzon-tls-warmup", load_tls_database, NULL);
      /* Traces count from here: from about the process's start. */
      if (buzon_engine_debugging (BUZON_DEBUG_IMAP | BUZON_DEBUG_STORE | BUZON_DEBUG_SQL))
        (void) buzon_engine_trace_start ();
      g_once_init_leave (&initialised, 1);
    }
}

/**
 * buzon_engine_shutdown:
 *
 * Waits for what buzon_engine_init() started in the background; a process
 * that is about to exit calls it, so that no thread is cut off halfway.
 */
void
buzon_engine_shutdown (void)
{
  if (warmup != NULL)
    g_thread_join (g_steal_pointer (&warmup));
}

/**
 * buzon_engine_debugging:
 * @flag: one trace
 *
 * Returns: whether the BUZON_DEBUG environment variable names @flag's trace
 * (read once, on the first call).
 */
gboolean
buzon_engine_debugging (BuzonDebugFlags flag)
{
  static gsize checked = 0;
  static guint flags = 0;

  if (g_once_init_enter (&checked))
    {
      static const GDebugKey keys[] = {
        { "imap", BUZON_DEBUG_IMAP },
        { "store", BUZON_DEBUG_STORE },
        { "sql", BUZON_DEBUG_SQL },
      };

      flags = g_parse_debug_string (g_getenv ("BUZON_DEBUG"), keys, G_N_ELEMENTS (keys));
      g_once_init_leave (&checked, 1);
    }
  return (flags & flag) != 0;
}

/**
 * buzon_engine_trace_start:
 *
 * Returns: the monotonic time (g_get_monotonic_time()) of the first call
 *   (buzon_engine_init() makes it when a trace is on), from which every
 *   trace counts its seconds, so that their lines can be read together
 */
gint64
buzon_engine_trace_start (void)
{
  static gsize set = 0;
  static gint64 start = 0;

  if (g_once_init_enter (&set))
    {
      start = g_get_monotonic_time ();
      g_once_init_leave (&set, 1);
    }
  return start;
}

const char *
buzon_engine_version (void)
{
  return PACKAGE_VERSION;
}
