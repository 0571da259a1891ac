// BuzonSidebar: the accounts, or an empty state that says what to do.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BUZON_TYPE_SIDEBAR (buzon_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (BuzonSidebar, buzon_sidebar, BUZON, SIDEBAR, GtkWidget)

void buzon_sidebar_set_accounts (BuzonSidebar       *self,
                                 GListModel         *accounts);
void buzon_sidebar_set_problems (BuzonSidebar       *self,
                                 const char * const *problems);

G_END_DECLS
