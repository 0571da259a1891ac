// BuzonImapSession: the IMAP client state machine over one connection.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The session follows RFC 3501's states: NOT_AUTHENTICATED, then
// AUTHENTICATED once logged in, SELECTED while a mailbox is open, and LOGOUT
// at the end, whether the client logged out or the connection closed. Every
// operation checks the state before it sends anything, and the state changes
// only when the server has answered, so it always says what the server
// thinks. Commands are pipelined by the connection: an operation may be
// started while others are in flight.
//
// Responses that belong to a command (the FETCHes of a UID FETCH, what
// SELECT reports) go to that command. Everything else the server says about
// the selected mailbox — new mail, expunges, flag changes, between commands
// or during IDLE — becomes a signal of the session.
//
// This file holds the object, its state, login, NOOP, LOGOUT and the
// signals; imap-session-mailbox.c and imap-session-fetch.c hold the rest.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "imap-error.h"
#include "imap-session-private.h"
#include "imap-utf7.h"

G_DEFINE_ENUM_TYPE (BuzonImapSessionState, buzon_imap_session_state,
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SESSION_NOT_AUTHENTICATED, "not-authenticated"),
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SESSION_AUTHENTICATED, "authenticated"),
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SESSION_SELECTED, "selected"),
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SESSION_LOGOUT, "logout"))

G_DEFINE_FINAL_TYPE (BuzonImapSession, buzon_imap_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CONNECTION,
  PROP_COMPRESS,
  PROP_STATE,
  PROP_IDLE_REFRESH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_EXISTS_CHANGED,
  SIGNAL_EXPUNGED,
  SIGNAL_VANISHED,
  SIGNAL_FLAGS_CHANGED,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What the server tells about the selected mailbox unasked. */

static void
connection_untagged_cb (BuzonImapConnection     *connection,
                        const BuzonImapResponse *response,
                        gpointer                 user_data)
{
  BuzonImapSession *self = user_data;
  gboolean consumed = response == self->consumed;

  self->consumed = NULL;
  if (consumed || self->state != BUZON_IMAP_SESSION_SELECTED || response->keyword == NULL)
    return;

  if (g_str_equal (response->keyword, "EXISTS") && response->number >= 0
      && response->number <= G_MAXUINT32)
    g_signal_emit (self, signals[SIGNAL_EXISTS_CHANGED], 0, (guint) response->number);
  else if (g_str_equal (response->keyword, "EXPUNGE") && response->number > 0
           && response->number <= G_MAXUINT32)
    g_signal_emit (self, signals[SIGNAL_EXPUNGED], 0, (guint) response->number);
  else if (g_str_equal (response->keyword, "FETCH"))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonImapFetch) fetch = buzon_imap_fetch_decode (response, &error);

      /* Nobody asked for it, so there is nobody to fail: the next resync
       * picks the change up. */
      if (fetch == NULL)
        g_debug ("Unsolicited FETCH left out: %s", error->message);
      else
        g_signal_emit (self, signals[SIGNAL_FLAGS_CHANGED], 0, fetch);
    }
  else if (g_str_equal (response->keyword, "VANISHED"))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GArray) uids = _buzon_imap_session_read_vanished (response, NULL, &error);

      if (uids == NULL)
        g_debug ("Unsolicited VANISHED left out: %s", error->message);
      else
        g_signal_emit (self, signals[SIGNAL_VANISHED], 0, uids);
    }
}

static void
connection_closed_cb (BuzonImapConnection *connection,
                      const GError        *error,
                      gpointer             user_data)
{
  BuzonImapSession *self = user_data;
  g_autoptr (BuzonImapSession) hold G_GNUC_UNUSED = g_object_ref (self);

  _buzon_imap_session_set_state (self, BUZON_IMAP_SESSION_LOGOUT);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
}

/* The object. */

static void
buzon_imap_session_constructed (GObject *object)
{
  BuzonImapSession *self = BUZON_IMAP_SESSION (object);

  G_OBJECT_CLASS (buzon_imap_session_parent_class)->constructed (object);

  g_assert (self->connection != NULL);
  if (buzon_imap_connection_get_preauthenticated (self->connection))
    self->state = BUZON_IMAP_SESSION_AUTHENTICATED;
  buzon_imap_quirks_update (self->quirks, buzon_imap_connection_get_greeting (self->connection),
                            buzon_imap_connection_get_capabilities (self->connection));
  g_signal_connect_object (self->connection, "untagged", G_CALLBACK (connection_untagged_cb),
                           self, 0);
  g_signal_connect_object (self->connection, "closed", G_CALLBACK (connection_closed_cb), self,
                           0);
}

static void
buzon_imap_session_dispose (GObject *object)
{
  BuzonImapSession *self = BUZON_IMAP_SESSION (object);

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      /* The session owns its connection: an open connection keeps itself
       * alive through its pending read, so it must be closed, not dropped. */
      buzon_imap_connection_close (self->connection);
    }
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (buzon_imap_session_parent_class)->dispose (object);
}

static void
buzon_imap_session_finalize (GObject *object)
{
  BuzonImapSession *self = BUZON_IMAP_SESSION (object);

  g_free (self->selected_mailbox);
  buzon_imap_quirks_free (self->quirks);

  G_OBJECT_CLASS (buzon_imap_session_parent_class)->finalize (object);
}

static void
buzon_imap_session_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  BuzonImapSession *self = BUZON_IMAP_SESSION (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_COMPRESS:
      g_value_set_boolean (value, self->compress);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_IDLE_REFRESH:
      g_value_set_uint (value, self->idle_refresh);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_imap_session_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  BuzonImapSession *self = BUZON_IMAP_SESSION (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_COMPRESS:
      self->compress = g_value_get_boolean (value);
      break;
    case PROP_IDLE_REFRESH:
      self->idle_refresh = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_imap_session_class_init (BuzonImapSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = buzon_imap_session_constructed;
  object_class->dispose = buzon_imap_session_dispose;
  object_class->finalize = buzon_imap_session_finalize;
  object_class->get_property = buzon_imap_session_get_property;
  object_class->set_property = buzon_imap_session_set_property;

  /* The open connection the session speaks over; the session holds a
   * reference to it. */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, BUZON_TYPE_IMAP_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Whether login turns on COMPRESS=DEFLATE where the server offers it. */
  properties[PROP_COMPRESS] =
    g_param_spec_boolean ("compress", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Where the session is in RFC 3501's state diagram. */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, BUZON_TYPE_IMAP_SESSION_STATE,
                       BUZON_IMAP_SESSION_NOT_AUTHENTICATED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* How long one IDLE lasts before the session renews it, in seconds: under
   * RFC 2177's 29 minutes, with room for a slow network. It takes effect at
   * the next renewal. */
  properties[PROP_IDLE_REFRESH] =
    g_param_spec_uint ("idle-refresh", NULL, NULL, 1, 29 * 60, 25 * 60,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BuzonImapSession::exists-changed:
   * @exists: how many messages the selected mailbox now holds
   *
   * Unsolicited EXISTS while SELECTED: new mail, usually.
   */
  signals[SIGNAL_EXISTS_CHANGED] =
    g_signal_new ("exists-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /**
   * BuzonImapSession::expunged:
   * @seq: the sequence number of the message that is gone; the ones after
   *   it move down by one
   */
  signals[SIGNAL_EXPUNGED] =
    g_signal_new ("expunged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
  /**
   * BuzonImapSession::vanished:
   * @uids: (element-type BuzonImapUidRange): the UIDs expunged, borrowed
   *
   * Unsolicited VANISHED (QRESYNC replaces EXPUNGE with it).
   */
  signals[SIGNAL_VANISHED] =
    g_signal_new ("vanished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * BuzonImapSession::flags-changed:
   * @fetch: (type gpointer): the decoded BuzonImapFetch, borrowed
   *
   * Unsolicited FETCH while SELECTED: flags (and MODSEQ) changed by another
   * client.
   */
  signals[SIGNAL_FLAGS_CHANGED] =
    g_signal_new ("flags-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * BuzonImapSession::closed:
   * @error: (type GLib.Error): why, as the connection reported it
   *
   * The connection closed (after LOGOUT, or for any other reason); the state
   * is LOGOUT.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
buzon_imap_session_init (BuzonImapSession *self)
{
  self->compress = TRUE;
  self->state = BUZON_IMAP_SESSION_NOT_AUTHENTICATED;
  self->quirks = buzon_imap_quirks_new ();
  self->idle_refresh = 25 * 60;
}

/**
 * buzon_imap_session_new:
 * @connection: an open connection; the session takes a reference
 *
 * The session starts NOT_AUTHENTICATED, or AUTHENTICATED when the server
 * greeted with PREAUTH. Use g_object_new() with "compress" set to %FALSE to
 * keep login from turning compression on.
 */
BuzonImapSession *
buzon_imap_session_new (BuzonImapConnection *connection)
{
  g_return_val_if_fail (BUZON_IS_IMAP_CONNECTION (connection), NULL);

  return g_object_new (BUZON_TYPE_IMAP_SESSION, "connection", connection, NULL);
}

BuzonImapConnection *
buzon_imap_session_get_connection (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), NULL);
  return self->connection;
}

BuzonImapSessionState
buzon_imap_session_get_state (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), BUZON_IMAP_SESSION_LOGOUT);
  return self->state;
}

/* The raw name of the selected mailbox, or NULL when none is. */
const char *
buzon_imap_session_get_selected_mailbox (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), NULL);
  return self->selected_mailbox;
}

/* TRUE once the server enabled QRESYNC (RFC 7162), which implies CONDSTORE. */
gboolean
buzon_imap_session_get_qresync (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), FALSE);
  return buzon_imap_connection_is_enabled (self->connection, "QRESYNC");
}

/* TRUE once the server enabled CONDSTORE, alone or through QRESYNC. */
gboolean
buzon_imap_session_get_condstore (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), FALSE);
  return buzon_imap_connection_is_enabled (self->connection, "CONDSTORE")
         || buzon_imap_connection_is_enabled (self->connection, "QRESYNC");
}

/* TRUE once the server enabled UTF8=ACCEPT: mailbox names are UTF-8. */
gboolean
buzon_imap_session_get_utf8 (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), FALSE);
  return self->utf8;
}

/* What is known of the server's oddities; kept up to date by login and by
 * what the session observes. Borrowed. */
BuzonImapQuirks *
buzon_imap_session_get_quirks (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), NULL);
  return self->quirks;
}

/* TRUE where the server has UID EXPUNGE and reports where copies and
 * appends went (UIDPLUS, RFC 4315; part of IMAP4rev2). */
gboolean
buzon_imap_session_get_uidplus (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), FALSE);
  return buzon_imap_connection_has_capability (self->connection, "UIDPLUS")
         || buzon_imap_connection_has_capability (self->connection, "IMAP4rev2");
}

/* The largest message the server accepts in APPEND (APPENDLIMIT=n, RFC
 * 7889), or 0 when it did not say. */
guint64
buzon_imap_session_get_append_limit (BuzonImapSession *self)
{
  const char * const *capabilities;

  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), 0);

  capabilities = buzon_imap_connection_get_capabilities (self->connection);
  for (gsize i = 0; capabilities != NULL && capabilities[i] != NULL; i++)
    if (g_ascii_strncasecmp (capabilities[i], "APPENDLIMIT=", 12) == 0)
      {
        guint64 limit = 0;

        if (g_ascii_string_to_unsigned (capabilities[i] + 12, 10, 1, G_MAXUINT64, &limit, NULL))
          return limit;
      }
  return 0;
}

/**
 * buzon_imap_session_encode_mailbox:
 * @utf8_name: a mailbox name as the user sees it, with the server's
 *   hierarchy delimiter between levels
 *
 * Returns: (transfer full): the raw name to give the session's commands:
 * INBOX in any case as "INBOX", others in modified UTF-7 unless UTF8=ACCEPT
 * is enabled.
 */
char *
buzon_imap_session_encode_mailbox (BuzonImapSession *self,
                                   const char       *utf8_name)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), NULL);
  g_return_val_if_fail (utf8_name != NULL && g_utf8_validate (utf8_name, -1, NULL), NULL);

  if (g_ascii_strcasecmp (utf8_name, "INBOX") == 0)
    return g_strdup ("INBOX");
  if (self->utf8)
    return g_strdup (utf8_name);
  return buzon_imap_utf7_encode (utf8_name);
}

/* Shared by the session's files. */

void
_buzon_imap_session_set_state (BuzonImapSession     *self,
                               BuzonImapSessionState state)
{
  if (self->state == state || self->state == BUZON_IMAP_SESSION_LOGOUT)
    return;
  self->state = state;
  if (state != BUZON_IMAP_SESSION_SELECTED)
    {
      g_clear_pointer (&self->selected_mailbox, g_free);
      self->selected_read_only = FALSE;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Returns FALSE, with @task failed, unless the state is one of @allowed
 * (STATE_BIT()s). A command for the selected state may also follow a
 * SELECT still in flight (pipelined, RFC 3501 §5.5): the server runs it in
 * the mailbox being selected, or refuses it if that SELECT fails, as it
 * would for a command sent in the previous mailbox's place. */
gboolean
_buzon_imap_session_check_state (BuzonImapSession *self,
                                 GTask            *task,
                                 guint             allowed)
{
  const char *message;

  if ((allowed & STATE_BIT (self->state)) != 0)
    return TRUE;
  if ((allowed & STATE_BIT (BUZON_IMAP_SESSION_SELECTED)) != 0 && self->selecting > 0
      && self->state == BUZON_IMAP_SESSION_AUTHENTICATED)
    return TRUE;
  if (self->state == BUZON_IMAP_SESSION_LOGOUT)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("The session with the server has ended"));
      return FALSE;
    }
  if (self->state == BUZON_IMAP_SESSION_NOT_AUTHENTICATED)
    message = _("Not logged in to the server yet");
  else if ((allowed & STATE_BIT (BUZON_IMAP_SESSION_SELECTED)) != 0)
    message = _("No mailbox is open");
  else if ((allowed & STATE_BIT (BUZON_IMAP_SESSION_AUTHENTICATED)) != 0)
    message = _("A mailbox is still open");
  else
    message = _("Already logged in to the server");
  /* BAD is what a server answers to a command in the wrong state (RFC 3501). */
  g_task_return_new_error (task, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD, "%s", message);
  return FALSE;
}

/* A command whose mailbox names and strings follow UTF8=ACCEPT. */
BuzonImapCommand *
_buzon_imap_session_command_new (BuzonImapSession *self,
                                 const char       *name)
{
  BuzonImapCommand *command = buzon_imap_command_new (name);

  buzon_imap_command_set_utf8 (command, self->utf8);
  return command;
}

/* Called by a command's untagged handler for each response it delivers, so
 * that the session's signals leave it out. */
void
_buzon_imap_session_consume (BuzonImapSession        *self,
                             const BuzonImapResponse *response)
{
  self->consumed = response;
}

/* Reads "* VANISHED [(EARLIER)] uid-set" (RFC 7162 §3.2.10). */
GArray *
_buzon_imap_session_read_vanished (const BuzonImapResponse *response,
                                   gboolean                *earlier,
                                   GError                 **error)
{
  const BuzonImapValue *first = buzon_imap_value_get_item (response->values, 0);
  const BuzonImapValue *set = first;
  gboolean is_earlier = FALSE;
  const char *text;
  gsize length = 0;

  if (first != NULL && first->kind == BUZON_IMAP_VALUE_LIST)
    {
      is_earlier = buzon_imap_value_is_atom (buzon_imap_value_get_item (first, 0), "EARLIER");
      set = buzon_imap_value_get_item (response->values, 1);
    }
  if (earlier != NULL)
    *earlier = is_earlier;
  text = set != NULL && set->kind == BUZON_IMAP_VALUE_ATOM
           ? buzon_imap_value_get_string (set, &length) : NULL;
  return buzon_imap_uid_set_parse (text != NULL ? text : "", text != NULL ? length : 0, error);
}

/* Login: LOGIN or AUTHENTICATE, then ENABLE, ID and COMPRESS together:
 * one round trip, not two. COMPRESS goes last, and nothing after it until
 * its answer (RFC 4978 §3); the answers to the others come before its OK,
 * uncompressed. ID's answer changes nothing, so nothing waits for it: where
 * ID is all there is to send (Office 365, Yahoo), the session is ready as
 * soon as it is queued, and the first command goes out beside it. */

typedef struct
{
  guint outstanding; /* ENABLE and COMPRESS in flight. */
  GError *error;     /* The first failure of those that is not a refusal. */
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_clear_error (&data->error);
  g_free (data);
}

static void
login_return (GTask  *task,
              GError *error)
{
  BuzonImapSession *self = g_task_get_source_object (task);

  self->logging_in = FALSE;
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  self->set_up = TRUE;
  /* Servers tell the whole truth about themselves only after login. */
  buzon_imap_quirks_update (self->quirks, buzon_imap_connection_get_greeting (self->connection),
                            buzon_imap_connection_get_capabilities (self->connection));
  _buzon_imap_session_set_state (self, BUZON_IMAP_SESSION_AUTHENTICATED);
  g_task_return_boolean (task, TRUE);
}

/* Once ENABLE and COMPRESS are both answered: done. Takes the
 * reference to @owned_task. */
static void
set_up_step_done (GTask *owned_task)
{
  g_autoptr (GTask) task = owned_task;
  BuzonImapSession *self = g_task_get_source_object (task);
  LoginData *data = g_task_get_task_data (task);

  if (--data->outstanding > 0)
    return;
  if (data->error != NULL)
    {
      login_return (task, g_steal_pointer (&data->error));
      return;
    }
  self->utf8 = buzon_imap_connection_is_enabled (self->connection, "UTF8=ACCEPT");
  login_return (task, NULL);
}

static void
compress_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  LoginData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  /* A server that refuses leaves the connection as it was: go on without. */
  if (!buzon_imap_connection_compress_finish (BUZON_IMAP_CONNECTION (source), result, &error)
      && !buzon_imap_error_is_refusal (error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED) && data->error == NULL)
    data->error = g_steal_pointer (&error);
  set_up_step_done (task);
}

static void
id_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (BuzonImapResponse) response = NULL;
  g_autoptr (GError) error = NULL;

  /* Refused or not, the session goes on. A connection lost here tells
   * "closed" too (the session's state becomes LOGOUT), and what is queued
   * behind fails with the error that closed it; a command asked for later
   * fails as not connected. The answers come in order, ID's before those of what was
   * sent behind it, so its "* ID" reaches it as the oldest in flight. */
  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (error != NULL)
    g_debug ("ID ended with: %s", error->message);
}

static void
setup_step_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  LoginData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  /* A refused ENABLE leaves the extensions off: it does not fail the
   * login. */
  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL && !buzon_imap_error_is_refusal (error) && data->error == NULL)
    data->error = g_steal_pointer (&error);
  set_up_step_done (task);
}

/* What follows authentication. It never passes the caller's cancellable on:
 * the server has already accepted the password, and the state must not lose
 * track of what it did. */
static void
set_up (GTask *task)
{
  BuzonImapSession *self = g_task_get_source_object (task);
  BuzonImapConnection *connection = self->connection;
  LoginData *data = g_task_get_task_data (task);
  g_autoptr (BuzonImapCommand) enable = buzon_imap_command_new ("ENABLE");
  gboolean enabling = FALSE;

  if (buzon_imap_connection_has_capability (connection, "ENABLE"))
    {
      /* QRESYNC implies CONDSTORE (RFC 7162 §3.2.3); naming both is harmless
       * and clearer in the ENABLED answer. */
      if (buzon_imap_connection_has_capability (connection, "CONDSTORE")
          || buzon_imap_connection_has_capability (connection, "QRESYNC"))
        {
          buzon_imap_command_add_atom (enable, "CONDSTORE");
          enabling = TRUE;
        }
      if (buzon_imap_connection_has_capability (connection, "QRESYNC"))
        buzon_imap_command_add_atom (enable, "QRESYNC");
      if (buzon_imap_connection_has_capability (connection, "UTF8=ACCEPT"))
        {
          buzon_imap_command_add_atom (enable, "UTF8=ACCEPT");
          enabling = TRUE;
        }
    }
  if (enabling)
    {
      data->outstanding++;
      buzon_imap_connection_command_async (connection, enable, NULL, NULL, NULL,
                                           setup_step_done_cb, g_object_ref (task));
    }
  if (buzon_imap_connection_has_capability (connection, "ID"))
    {
      g_autoptr (BuzonImapCommand) id = buzon_imap_command_new ("ID");

      buzon_imap_command_begin_list (id);
      buzon_imap_command_add_string (id, "name", -1);
      /* ASCII, so that it goes quoted: a literal in ID is legal but some
       * servers' ID parsers are not ready for one. */
      buzon_imap_command_add_string (id, "Buzon", -1);
      buzon_imap_command_add_string (id, "version", -1);
      buzon_imap_command_add_string (id, PACKAGE_VERSION, -1);
      buzon_imap_command_end_list (id);
      buzon_imap_connection_command_async (connection, id, NULL, NULL, NULL, id_done_cb, NULL);
    }
  if (self->compress && buzon_imap_connection_has_capability (connection, "COMPRESS=DEFLATE")
      && !buzon_imap_connection_get_is_compressed (connection))
    {
      data->outstanding++;
      buzon_imap_connection_compress_async (connection, NULL, compress_done_cb,
                                            g_object_ref (task));
    }
  /* One more, dropped here, so that the last answer ends the setup even
   * when all of them come back before this returns. */
  data->outstanding++;
  set_up_step_done (g_object_ref (task));
}

static void
login_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if (g_async_result_is_tagged (result, buzon_imap_connection_login_oauth2_async))
    ok = buzon_imap_connection_login_oauth2_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  else
    ok = buzon_imap_connection_login_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (!ok)
    {
      login_return (task, g_steal_pointer (&error));
      return;
    }
  set_up (task);
}

/* Both logins: by password, or by OAuth2 access token. */
static void
login (BuzonImapSession    *self,
       const char          *user,
       const char          *secret,
       gboolean             oauth2,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data,
       gpointer             source_tag)
{
  g_autoptr (GTask) task = NULL;
  gboolean preauthenticated;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_new0 (LoginData, 1), (GDestroyNotify) login_data_free);

  preauthenticated = self->state == BUZON_IMAP_SESSION_AUTHENTICATED && !self->set_up;
  if (self->logging_in)
    {
      g_task_return_new_error (task, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD,
                               "%s", _("Already logging in to the server"));
      return;
    }
  if (!preauthenticated
      && !_buzon_imap_session_check_state (self, task,
                                           STATE_BIT (BUZON_IMAP_SESSION_NOT_AUTHENTICATED)))
    return;
  self->logging_in = TRUE;
  if (preauthenticated)
    {
      set_up (task);
      return;
    }
  if (oauth2)
    buzon_imap_connection_login_oauth2_async (self->connection, user, secret, cancellable,
                                              login_done_cb, g_steal_pointer (&task));
  else
    buzon_imap_connection_login_async (self->connection, user, secret, cancellable,
                                       login_done_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_login_async:
 * @user: the user name
 * @password: the password; not kept
 * @cancellable: (nullable): cancelling while the password is being checked
 *   abandons the login; once the server has accepted it, the session still
 *   finishes setting up and only the result reports the cancellation (the
 *   state then says AUTHENTICATED)
 *
 * Runs in NOT_AUTHENTICATED (or AUTHENTICATED after a PREAUTH greeting, to
 * set up only). Logs in with buzon_imap_connection_login_async(), then
 * enables what the server offers of CONDSTORE, QRESYNC and UTF8=ACCEPT,
 * tells the server who the client is (ID, whose answer is not waited
 * for; a refused ID or ENABLE never fails the login) and, where the
 * "compress" property allows and the server offers it, turns on
 * COMPRESS=DEFLATE. The state becomes AUTHENTICATED when ENABLE and
 * COMPRESS are answered, just before @callback runs. A wrong password
 * fails with BUZON_IMAP_ERROR_AUTHENTICATION_FAILED.
 */
void
buzon_imap_session_login_async (BuzonImapSession    *self,
                                const char          *user,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (user != NULL && password != NULL);

  login (self, user, password, FALSE, cancellable, callback, user_data,
         buzon_imap_session_login_async);
}

/**
 * buzon_imap_session_login_oauth2_async:
 * @user: the user name (the account's address, for the big providers)
 * @access_token: a current OAuth2 access token; not kept
 *
 * As buzon_imap_session_login_async(), with OAUTHBEARER or XOAUTH2 (see
 * buzon_imap_connection_login_oauth2_async()). A token the server refuses
 * (expired, say) fails with BUZON_IMAP_ERROR_AUTHENTICATION_FAILED: get a
 * fresh one and log in again on this session. Finish with
 * buzon_imap_session_login_finish().
 */
void
buzon_imap_session_login_oauth2_async (BuzonImapSession    *self,
                                       const char          *user,
                                       const char          *access_token,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (user != NULL && access_token != NULL);

  login (self, user, access_token, TRUE, cancellable, callback, user_data,
         buzon_imap_session_login_oauth2_async);
}

gboolean
buzon_imap_session_login_finish (BuzonImapSession *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* NOOP. */

/* A command's callback for operations whose result is only success or
 * failure: the task (the user data) gets TRUE or the command's error. */
void
_buzon_imap_session_boolean_done_cb (GObject      *source,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (BUZON_IMAP_CONNECTION (source), result, &error);
  if (response == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * buzon_imap_session_noop_async:
 * @cancellable: (nullable): cancelling before NOOP was sent keeps it from
 *   being sent; after, it only changes the result
 *
 * Runs in any state but LOGOUT. Asks the server for what changed: EXISTS,
 * EXPUNGE, FETCH and VANISHED arrive as the session's signals, before
 * @callback runs.
 */
void
buzon_imap_session_noop_async (BuzonImapSession    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_noop_async);
  if (!_buzon_imap_session_check_state (self, task,
                                        STATE_BIT (BUZON_IMAP_SESSION_NOT_AUTHENTICATED)
                                          | STATE_BIT (BUZON_IMAP_SESSION_AUTHENTICATED)
                                          | STATE_BIT (BUZON_IMAP_SESSION_SELECTED)))
    return;
  command = buzon_imap_command_new ("NOOP");
  buzon_imap_connection_command_async (self->connection, command, NULL, NULL, cancellable,
                                       _buzon_imap_session_boolean_done_cb,
                                       g_steal_pointer (&task));
}

gboolean
buzon_imap_session_noop_finish (BuzonImapSession *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* LOGOUT. */

static void
logout_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);

  /* The connection is closed ("closed" set the state already); it fails
   * only when cancelled, and the session's own task reports that. */
  buzon_imap_connection_logout_finish (BUZON_IMAP_CONNECTION (source), result, NULL);
  _buzon_imap_session_set_state (self, BUZON_IMAP_SESSION_LOGOUT);
  g_task_return_boolean (task, TRUE);
}

/**
 * buzon_imap_session_logout_async:
 * @cancellable: (nullable): only changes the result: the session logs out
 *   and closes the connection all the same
 *
 * Runs in any state; in LOGOUT it does nothing and succeeds. Sends LOGOUT
 * and closes the connection (see buzon_imap_connection_logout_async(): at
 * once when nothing else is on the wire, else at the server's answer); the
 * state is LOGOUT and "closed" has been emitted when @callback runs. It
 * fails only when cancelled.
 */
void
buzon_imap_session_logout_async (BuzonImapSession    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_imap_session_logout_async);
  if (self->state == BUZON_IMAP_SESSION_LOGOUT)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  buzon_imap_connection_logout_async (self->connection, NULL, logout_done_cb,
                                      g_steal_pointer (&task));
}

gboolean
buzon_imap_session_logout_finish (BuzonImapSession *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
