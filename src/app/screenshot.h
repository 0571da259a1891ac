// Rendering a widget to a PNG file in-process, once it has been drawn.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void     buzon_screenshot_save_async  (GtkWidget           *widget,
                                       GFile               *file,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean buzon_screenshot_save_finish (GtkWidget           *widget,
                                       GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS
