// BuzonSecretCredentials: account passwords kept in the Secret Service
// (GNOME Keyring, KWallet) through libsecret.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "account/credentials.h"

G_BEGIN_DECLS

#define BUZON_TYPE_SECRET_CREDENTIALS (buzon_secret_credentials_get_type ())

G_DECLARE_FINAL_TYPE (BuzonSecretCredentials, buzon_secret_credentials, BUZON, SECRET_CREDENTIALS,
                      GObject)

BuzonSecretCredentials *buzon_secret_credentials_new (void);

G_END_DECLS
