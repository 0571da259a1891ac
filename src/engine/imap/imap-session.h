// BuzonImapSession: the IMAP client state machine over one connection —
// login and what follows it (ENABLE, ID, COMPRESS), LIST, STATUS, SELECT
// with QRESYNC or CONDSTORE, streamed UID FETCH, and the mailbox changes the
// server reports between and during commands.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

#include "imap-connection.h"
#include "imap-fetch.h"
#include "imap-mailbox.h"
#include "imap-uid-set.h"

G_BEGIN_DECLS

/* RFC 3501 §3. Every operation states the states it runs in; in any other it
 * fails at once, without sending anything. */
typedef enum
{
  BUZON_IMAP_SESSION_NOT_AUTHENTICATED,
  BUZON_IMAP_SESSION_AUTHENTICATED,
  BUZON_IMAP_SESSION_SELECTED,
  BUZON_IMAP_SESSION_LOGOUT, /* Logged out or the connection closed: final. */
} BuzonImapSessionState;

GType buzon_imap_session_state_get_type (void) G_GNUC_CONST;
#define BUZON_TYPE_IMAP_SESSION_STATE (buzon_imap_session_state_get_type ())

typedef enum
{
  BUZON_IMAP_SELECT_NONE = 0,
  BUZON_IMAP_SELECT_READ_ONLY = 1 << 0, /* EXAMINE rather than SELECT. */
  BUZON_IMAP_SELECT_CONDSTORE = 1 << 1, /* Ask for HIGHESTMODSEQ where only CONDSTORE is on. */
} BuzonImapSelectFlags;

/* What the client remembers of a mailbox from last time (RFC 7162 §3.2.5). */
typedef struct
{
  guint32 uidvalidity;
  guint64 modseq;         /* The HIGHESTMODSEQ the cache is up to date with; at least 1. */
  const char *known_uids; /* Nullable: the UIDs the cache holds, as a set ("1:500,502"). */
} BuzonImapQresync;

/* What SELECT or EXAMINE reported about the mailbox. */
typedef struct
{
  guint32 exists;
  guint32 recent;
  guint32 uidvalidity;
  guint32 uidnext;       /* 0 when the server did not say. */
  guint32 unseen;        /* The first unseen message's sequence number; 0 when not sent. */
  guint64 highestmodseq; /* 0 without CONDSTORE, or with NOMODSEQ. */
  gboolean nomodseq;     /* The mailbox keeps no MODSEQs (RFC 7162 §3.1.2.2). */
  GStrv flags;           /* The flags the mailbox knows: "\\Seen", "$Forwarded"… */
  GStrv permanentflags;  /* The flags that can be stored for good; "\\*" left out. */
  gboolean can_create_keywords; /* PERMANENTFLAGS held "\\*". */
  gboolean read_only;    /* From [READ-ONLY] / [READ-WRITE]. */
  gboolean qresync;      /* The QRESYNC parameters were sent: changes came as callbacks. */
} BuzonImapSelected;

/* Receives one FETCH, decoded, as soon as it arrives. The callback owns
 * @fetch and frees it with buzon_imap_fetch_free(). */
typedef void (*BuzonImapFetchFunc) (BuzonImapFetch *fetch,
                                    gpointer        user_data);

/* Receives the UIDs of a VANISHED (EARLIER) response as ranges
 * (BuzonImapUidRange), borrowed for the call. */
typedef void (*BuzonImapVanishedFunc) (const GArray *uids,
                                       gpointer      user_data);

#define BUZON_TYPE_IMAP_SESSION (buzon_imap_session_get_type ())

G_DECLARE_FINAL_TYPE (BuzonImapSession, buzon_imap_session, BUZON, IMAP_SESSION, GObject)

BuzonImapSession     *buzon_imap_session_new                  (BuzonImapConnection *connection);
BuzonImapConnection  *buzon_imap_session_get_connection       (BuzonImapSession    *self);
BuzonImapSessionState buzon_imap_session_get_state            (BuzonImapSession    *self);
const char           *buzon_imap_session_get_selected_mailbox (BuzonImapSession    *self);
gboolean              buzon_imap_session_get_qresync          (BuzonImapSession    *self);
gboolean              buzon_imap_session_get_condstore        (BuzonImapSession    *self);
gboolean              buzon_imap_session_get_utf8             (BuzonImapSession    *self);

void     buzon_imap_session_login_async      (BuzonImapSession     *self,
                                              const char           *user,
                                              const char           *password,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_login_finish     (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);

void       buzon_imap_session_list_async     (BuzonImapSession     *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
GPtrArray *buzon_imap_session_list_finish    (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);

void     buzon_imap_session_status_async     (BuzonImapSession     *self,
                                              const char           *mailbox,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
BuzonImapMailboxStatus *buzon_imap_session_status_finish (BuzonImapSession  *self,
                                                          GAsyncResult      *result,
                                                          GError           **error);

void     buzon_imap_session_select_async     (BuzonImapSession       *self,
                                              const char             *mailbox,
                                              BuzonImapSelectFlags    flags,
                                              const BuzonImapQresync *qresync,
                                              BuzonImapFetchFunc      on_fetch,
                                              BuzonImapVanishedFunc   on_vanished,
                                              gpointer                callback_data,
                                              GCancellable           *cancellable,
                                              GAsyncReadyCallback     callback,
                                              gpointer                user_data);
BuzonImapSelected *buzon_imap_session_select_finish (BuzonImapSession  *self,
                                                     GAsyncResult      *result,
                                                     GError           **error);

void     buzon_imap_session_unselect_async   (BuzonImapSession     *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_unselect_finish  (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);

void     buzon_imap_session_fetch_async      (BuzonImapSession     *self,
                                              const char           *uid_set,
                                              const char           *items,
                                              BuzonImapFetchFunc    on_fetch,
                                              gpointer              fetch_data,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void     buzon_imap_session_fetch_changed_since_async (BuzonImapSession      *self,
                                                       const char            *uid_set,
                                                       const char            *items,
                                                       guint64                modseq,
                                                       BuzonImapFetchFunc     on_fetch,
                                                       BuzonImapVanishedFunc  on_vanished,
                                                       gpointer               callback_data,
                                                       GCancellable          *cancellable,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);
gboolean buzon_imap_session_fetch_finish     (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              guint                *count,
                                              GError              **error);

void     buzon_imap_session_noop_async       (BuzonImapSession     *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_noop_finish      (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);

void     buzon_imap_session_logout_async     (BuzonImapSession     *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_logout_finish    (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);

void buzon_imap_selected_free (BuzonImapSelected *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapSelected, buzon_imap_selected_free)

G_END_DECLS
