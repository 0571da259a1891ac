// The error domain of the account subsystem.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "account-error.h"

G_DEFINE_QUARK (buzon-account-error-quark, buzon_account_error)
