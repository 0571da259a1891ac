// The Secret Service schema under which Buzón keeps account passwords.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <libsecret/secret.h>

G_BEGIN_DECLS

/* Attribute names of BUZON_SECRET_SCHEMA. */
#define BUZON_SECRET_ATTRIBUTE_ACCOUNT  "account"
#define BUZON_SECRET_ATTRIBUTE_PROTOCOL "protocol"
#define BUZON_SECRET_ATTRIBUTE_HOST     "host"
#define BUZON_SECRET_ATTRIBUTE_USER     "user"

const SecretSchema *buzon_secret_schema_get (void) G_GNUC_CONST;

#define BUZON_SECRET_SCHEMA (buzon_secret_schema_get ())

G_END_DECLS
