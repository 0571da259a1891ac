// The Secret Service schema under which Buzón keeps account passwords.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// One secret per account and protocol: the IMAP and SMTP passwords of an
// account may differ, and an account's secrets are found and removed together
// by its id. The host and user are stored so that a keyring browser such as
// Seahorse shows what a secret is for.

#include "secret-schema.h"

const SecretSchema *
buzon_secret_schema_get (void)
{
  static const SecretSchema schema = {
    "io.github.buzonmail.Buzon.Account",
    SECRET_SCHEMA_NONE,
    {
      { BUZON_SECRET_ATTRIBUTE_ACCOUNT, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { BUZON_SECRET_ATTRIBUTE_PROTOCOL, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { BUZON_SECRET_ATTRIBUTE_HOST, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { BUZON_SECRET_ATTRIBUTE_USER, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}
