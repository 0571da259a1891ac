// BuzonWindow: the main window with its folder sidebar, message list and reader.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BUZON_TYPE_WINDOW (buzon_window_get_type ())

G_DECLARE_FINAL_TYPE (BuzonWindow, buzon_window, BUZON, WINDOW, AdwApplicationWindow)

BuzonWindow *buzon_window_new (AdwApplication *application);

G_END_DECLS
