// buzon-cli's exit status for an engine error.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int buzon_cli_exit_status_for (const GError *error);

G_END_DECLS
