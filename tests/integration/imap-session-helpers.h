// Helpers shared by the integration tests of BuzonImapSession: connecting to
// the fixture Dovecot, logging in, and running an operation to its end.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "imap/imap-command.h"
#include "imap/imap-connection.h"
#include "imap/imap-session.h"
#include "mail-servers.h"

/* What SELECT or FETCH handed to the callbacks. */
typedef struct
{
  GPtrArray *fetches; /* Of BuzonImapFetch. */
  GArray *vanished;   /* Of BuzonImapUidRange. */
  guint vanished_calls;
  GAsyncResult **done; /* The operation's result slot: still NULL while it streams. */
  guint early;         /* Callbacks that came before the result. */
} Changes;

GAsyncResult *wait_for (GAsyncResult **slot);
void store_result_cb (GObject *source,
                      GAsyncResult *result,
                      gpointer user_data);
void assert_finalized (gpointer object);
BuzonImapConnection *connect_to (BuzonTestMailServers *fixture,
                                 const char *user);
BuzonImapConnection *other_client (BuzonTestMailServers *fixture,
                                   const char *user);
void run_raw (BuzonImapConnection *connection,
              const char *name,
              const char *text);
void run_with_mailbox (BuzonImapConnection *connection,
                       const char *name,
                       const char *utf8_mailbox);
void append_to (BuzonImapConnection *connection,
                const char *mailbox,
                const char *subject);
gboolean login (BuzonImapSession *session,
                const char *user,
                const char *password,
                GError **error);
BuzonImapSession *logged_in (BuzonTestMailServers *fixture,
                             const char *user);
GPtrArray *list (BuzonImapSession *session,
                 GError **error);
void changes_init (Changes *changes);
void changes_clear (Changes *changes);
void on_fetch (BuzonImapFetch *fetch,
               gpointer user_data);
void on_vanished (const GArray *uids,
                  gpointer user_data);
BuzonImapSelected *select_mailbox (BuzonImapSession *session,
                                   const char *mailbox,
                                   BuzonImapSelectFlags flags,
                                   const BuzonImapQresync *qresync,
                                   Changes *changes,
                                   GError **error);
gboolean unselect (BuzonImapSession *session,
                   GError **error);
gboolean noop (BuzonImapSession *session,
               GError **error);
void logout (BuzonImapSession *session);
gboolean has_flag (const BuzonImapFetch *fetch,
                   const char *flag);
const BuzonImapMailbox *find_mailbox (GPtrArray *mailboxes,
                                      const char *name);
gboolean create_mailbox (BuzonImapSession *session,
                         const char *mailbox,
                         GError **error);
guint32 append_message (BuzonImapSession *session,
                        const char *mailbox,
                        const char *subject,
                        const char * const *flags,
                        GError **error);
gboolean fetch_into (BuzonImapSession *session,
                     const char *uid_set,
                     const char *items,
                     Changes *changes,
                     GError **error);
char *rawlog_sent (BuzonTestMailServers *fixture,
                   const char *user);
