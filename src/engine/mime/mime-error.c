// The error domain of message building: what a draft cannot be turned into mail for.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "mime-error.h"

G_DEFINE_QUARK (buzon-mime-error-quark, buzon_mime_error)
