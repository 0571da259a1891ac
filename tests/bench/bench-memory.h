// Resident memory of the benchmark process, for the tables: a FETCH must
// stream, so its peak must not grow with the number of messages.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* Starts a new peak from the current resident size (Linux 4.0 and later).
 * FALSE when the kernel does not allow it: the peak is then the process's. */
static inline gboolean
bench_reset_peak_rss (void)
{
  FILE *file = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (file == NULL)
    return FALSE;
  ok = fputs ("5", file) >= 0;
  return fclose (file) == 0 && ok;
}

/* A field of /proc/self/status in KiB: "VmHWM" (the peak) or "VmRSS"; 0 where
 * /proc does not have it. */
static inline guint64
bench_get_status_kib (const char *field)
{
  g_autofree char *status = NULL;
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, key);
  return line != NULL ? g_ascii_strtoull (line + strlen (key), NULL, 10) : 0;
}
