// The error domain of the IMAP layer.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "imap-error.h"

G_DEFINE_QUARK (buzon-imap-error-quark, buzon_imap_error)
