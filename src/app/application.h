// BuzonApplication: the GUI's GApplication, its app-wide actions and windows.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <adwaita.h>

#include "account/account-store.h"

G_BEGIN_DECLS

#define BUZON_TYPE_APPLICATION (buzon_application_get_type ())

G_DECLARE_FINAL_TYPE (BuzonApplication, buzon_application, BUZON, APPLICATION, AdwApplication)

BuzonApplication   *buzon_application_new                  (void);
int                 buzon_application_get_exit_status      (BuzonApplication *self);
BuzonAccountStore  *buzon_application_get_accounts         (BuzonApplication *self);
const char * const *buzon_application_get_account_problems (BuzonApplication *self);

G_END_DECLS
