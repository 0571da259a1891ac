// Helpers for tests that log a BuzonImapSession in to a scripted fake
// server (tests/support/fake-imap-server.h).
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "fake-imap-server.h"
#include "imap/imap-session.h"

void              fake_server_result_cb (GObject                  *source,
                                         GAsyncResult             *result,
                                         gpointer                  user_data);
GAsyncResult     *fake_server_wait      (BuzonTestFakeImapServer  *server,
                                         GAsyncResult            **slot);
BuzonImapSession *fake_server_log_in    (BuzonTestFakeImapServer  *server);
