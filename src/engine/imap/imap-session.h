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
#include "imap-quirks.h"
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

/* What UID STORE does with the flags it is given. */
typedef enum
{
  BUZON_IMAP_STORE_ADD,     /* +FLAGS */
  BUZON_IMAP_STORE_REMOVE,  /* -FLAGS */
  BUZON_IMAP_STORE_REPLACE, /* FLAGS: the message ends with exactly these. */
} BuzonImapStoreAction;

/* Where COPY or MOVE put each message (COPYUID, RFC 4315): source->data[i]
 * became destination->data[i] in a mailbox whose UIDVALIDITY is
 * @uidvalidity. Both arrays hold guint32 UIDs and have the same length. */
typedef struct
{
  guint32 uidvalidity;
  GArray *source;
  GArray *destination;
} BuzonImapCopyUid;

typedef enum
{
  BUZON_IMAP_SEARCH_NONE = 0,
  BUZON_IMAP_SEARCH_SEQUENCE = 1 << 0, /* SEARCH: sequence numbers, not UIDs. */
} BuzonImapSearchFlags;

/* A namespace (RFC 2342): mailboxes whose raw names start with @prefix, with
 * @delimiter between levels ('\0' for a flat namespace). */
typedef struct
{
  char *prefix;
  char delimiter;
} BuzonImapNamespace;

/* The three kinds of namespace, each a GPtrArray of BuzonImapNamespace
 * (possibly empty, never NULL). */
typedef struct
{
  GPtrArray *personal;
  GPtrArray *other_users;
  GPtrArray *shared;
} BuzonImapNamespaces;

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
BuzonImapQuirks      *buzon_imap_session_get_quirks           (BuzonImapSession    *self);
gboolean              buzon_imap_session_get_uidplus          (BuzonImapSession    *self);
guint64               buzon_imap_session_get_append_limit     (BuzonImapSession    *self);
char                 *buzon_imap_session_encode_mailbox       (BuzonImapSession    *self,
                                                               const char          *utf8_name);

void     buzon_imap_session_login_async      (BuzonImapSession     *self,
                                              const char           *user,
                                              const char           *password,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void     buzon_imap_session_login_oauth2_async (BuzonImapSession    *self,
                                               const char          *user,
                                               const char          *access_token,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
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

/* Changing messages (imap-session-message.c). */

void     buzon_imap_session_store_async      (BuzonImapSession     *self,
                                              const char           *uid_set,
                                              BuzonImapStoreAction  action,
                                              const char * const   *flags,
                                              guint64               unchanged_since,
                                              BuzonImapFetchFunc    on_fetch,
                                              gpointer              fetch_data,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_store_finish     (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GArray              **modified,
                                              GError              **error);

void     buzon_imap_session_copy_async       (BuzonImapSession     *self,
                                              const char           *uid_set,
                                              const char           *mailbox,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void     buzon_imap_session_move_async       (BuzonImapSession     *self,
                                              const char           *uid_set,
                                              const char           *mailbox,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_copy_finish      (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              BuzonImapCopyUid    **copyuid,
                                              GError              **error);

void     buzon_imap_session_expunge_async    (BuzonImapSession     *self,
                                              const char           *uid_set,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_expunge_finish   (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);

void     buzon_imap_session_append_async     (BuzonImapSession     *self,
                                              const char           *mailbox,
                                              GBytes               *message,
                                              const char * const   *flags,
                                              GDateTime            *internal_date,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_append_finish    (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              guint32              *uidvalidity,
                                              guint32              *uid,
                                              GError              **error);

/* Managing mailboxes (imap-session-manage.c). */

void     buzon_imap_session_create_async     (BuzonImapSession     *self,
                                              const char           *mailbox,
                                              const char           *special_use,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_create_finish    (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void     buzon_imap_session_delete_async     (BuzonImapSession     *self,
                                              const char           *mailbox,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_delete_finish    (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void     buzon_imap_session_rename_async     (BuzonImapSession     *self,
                                              const char           *mailbox,
                                              const char           *new_name,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_rename_finish    (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void     buzon_imap_session_subscribe_async  (BuzonImapSession     *self,
                                              const char           *mailbox,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_subscribe_finish (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void     buzon_imap_session_unsubscribe_async  (BuzonImapSession     *self,
                                                const char           *mailbox,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean buzon_imap_session_unsubscribe_finish (BuzonImapSession     *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void     buzon_imap_session_namespace_async  (BuzonImapSession     *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
BuzonImapNamespaces *buzon_imap_session_namespace_finish (BuzonImapSession  *self,
                                                          GAsyncResult      *result,
                                                          GError           **error);

/* Searching (imap-session-search.c). */

void     buzon_imap_session_search_async     (BuzonImapSession     *self,
                                              const char           *criteria,
                                              const char * const   *strings,
                                              BuzonImapSearchFlags  flags,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
GArray  *buzon_imap_session_search_finish    (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);

/* Waiting for news (imap-session-idle.c). */

void     buzon_imap_session_idle_async       (BuzonImapSession     *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean buzon_imap_session_idle_finish      (BuzonImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void     buzon_imap_session_idle_stop        (BuzonImapSession     *self);

void buzon_imap_selected_free   (BuzonImapSelected   *self);
void buzon_imap_copy_uid_free   (BuzonImapCopyUid    *self);
void buzon_imap_namespaces_free (BuzonImapNamespaces *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapSelected, buzon_imap_selected_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapCopyUid, buzon_imap_copy_uid_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapNamespaces, buzon_imap_namespaces_free)

G_END_DECLS
