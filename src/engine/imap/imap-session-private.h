// The inside of BuzonImapSession, shared by its files: imap-session.c (the
// object, its state, login, NOOP, LOGOUT and the unsolicited changes),
// imap-session-mailbox.c (LIST, STATUS, SELECT, UNSELECT) and
// imap-session-fetch.c (UID FETCH).
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "imap-quirks.h"
#include "imap-session.h"

G_BEGIN_DECLS

/* A set of BuzonImapSessionState values, for _buzon_imap_session_check_state(). */
#define STATE_BIT(state) (1u << (state))

struct _BuzonImapSession
{
  GObject parent_instance;

  BuzonImapConnection *connection;
  gboolean compress;
  BuzonImapSessionState state;
  gboolean logging_in;
  gboolean set_up;         /* Login (or set-up after PREAUTH) completed. */
  gboolean utf8;           /* UTF8=ACCEPT is enabled: mailbox names go in UTF-8. */
  char *selected_mailbox;  /* Raw name, while SELECTED. */
  gboolean selected_read_only;
  guint selecting;         /* SELECT and EXAMINE commands in flight. */

  BuzonImapQuirks *quirks;
  guint idle_refresh;      /* Seconds between IDLE and a fresh IDLE. */
  GTask *idle_task;        /* Not owned: buzon_imap_session_idle_async() while it runs. */

  /* The untagged response that the oldest command's own handler just took:
   * the connection calls that handler before it emits "untagged", so the
   * session's signals leave out what a command already delivered. */
  const BuzonImapResponse *consumed;
};

gboolean          _buzon_imap_session_check_state   (BuzonImapSession        *self,
                                                     GTask                   *task,
                                                     guint                    allowed);
void              _buzon_imap_session_set_state     (BuzonImapSession        *self,
                                                     BuzonImapSessionState    state);
BuzonImapCommand *_buzon_imap_session_command_new   (BuzonImapSession        *self,
                                                     const char              *name);
void              _buzon_imap_session_consume       (BuzonImapSession        *self,
                                                     const BuzonImapResponse *response);
GArray           *_buzon_imap_session_read_vanished (const BuzonImapResponse *response,
                                                     gboolean                *earlier,
                                                     GError                 **error);

void              _buzon_imap_session_boolean_done_cb (GObject             *source,
                                                       GAsyncResult        *result,
                                                       gpointer             user_data);

G_END_DECLS
