// Writing the JSON that `buzon-cli … --json` prints.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void buzon_cli_json_nullable_string (GString    *out,
                                     const char *text);
void buzon_cli_json_string (GString    *out,
                            const char *text);

G_END_DECLS
