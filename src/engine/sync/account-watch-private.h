// BuzonAccountWatch's hooks for tests: a network monitor of their own, and
// a loopback server treated as remote, so that OFFLINE can be exercised.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "account-watch.h"

G_BEGIN_DECLS

void _buzon_account_watch_set_network_monitor (BuzonAccountWatch *self,
                                               GNetworkMonitor   *monitor,
                                               gboolean           loopback_needs_network);

G_END_DECLS
