// A private Dovecot + SMTP relay for one test program, started and stopped
// by tests/support/mail-servers.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _BuzonTestMailServers BuzonTestMailServers;

BuzonTestMailServers *buzon_test_mail_servers_start        (const char           *extra_args);
void                  buzon_test_mail_servers_stop         (BuzonTestMailServers *self);
const char           *buzon_test_mail_servers_get          (BuzonTestMailServers *self,
                                                            const char           *key);
guint16               buzon_test_mail_servers_get_port     (BuzonTestMailServers *self,
                                                            const char           *key);
char                 *buzon_test_mail_servers_password     (BuzonTestMailServers *self,
                                                            const char           *user);
GTlsDatabase         *buzon_test_mail_servers_get_ca       (BuzonTestMailServers *self);
void                  buzon_test_mail_servers_run          (BuzonTestMailServers *self,
                                                            const char           *command);

G_END_DECLS
