// BuzonImapConnection, logging in: AUTHENTICATE SCRAM-SHA-256 or PLAIN
// (with or without SASL-IR) or LOGIN with a password, OAUTHBEARER or
// XOAUTH2 with an OAuth2 access token, then the capabilities the server has
// after login.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// SCRAM-SHA-256 (RFC 7677) comes first where the server offers it: the
// password never goes out, and the server proves that it knows it before
// its OK is believed. PLAIN or LOGIN where SCRAM is not offered, or for a
// password SASLprep would change (see net/scram.c); never after a SCRAM
// login failed. An exchange the client cannot go on with is ended with "*",
// and the login fails with the client's reason, not the server's BAD.
//
// Every AUTHENTICATE goes through authenticate(): its bytes are built here,
// in buffers sized once and wiped when the command is done, rather than by
// BuzonImapCommand, whose growing buffers would leave copies of the secret
// behind. A "+" the server sends after the initial response is a challenge
// and goes to the mechanism's BuzonImapSaslFunc; no other command is written
// until the AUTHENTICATE is answered (see Pending in the private header).
//
// OAuth2 (RFC 7628; Google's and Microsoft's XOAUTH2): a server that refuses
// the token does not say NO at once. It first sends a challenge holding a
// base64 JSON error report, waits for the client's (dummy) answer, then says
// NO. The report's "status" is kept for the error the caller gets.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "imap-connection-private.h"
#include "imap-error.h"
#include "net/scram.h"

/* Longest OAuth2 error "status" quoted to the user. */
#define MAX_STATUS_LENGTH 64

typedef enum
{
  MECHANISM_PLAIN,
  MECHANISM_LOGIN, /* The LOGIN command, not a SASL mechanism. */
  MECHANISM_OAUTHBEARER,
  MECHANISM_XOAUTH2,
  MECHANISM_SCRAM_SHA_256,
} Mechanism;

typedef struct
{
  Mechanism mechanism;
  gboolean capabilities_asked; /* CAPABILITY was sent after the login. */
  guint challenges;            /* Challenges received. */
  gboolean cancelled;          /* "*" was sent to end the exchange. */
  char *status;                /* OAuth2: the "status" of the server's error report. */
  BuzonScram *scram;           /* SCRAM-SHA-256: the exchange. */
  GError *scram_error;         /* Why the client ended the SCRAM exchange with "*". */
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_free (data->status);
  g_clear_pointer (&data->scram, buzon_scram_free);
  g_clear_error (&data->scram_error);
  g_free (data);
}

/* Joins the NUL-terminated strings up to NULL into bytes allocated once, at
 * their exact size: unlike a growing GString or printf's scratch space, that
 * leaves no copy of a secret behind to be wiped. */
static GBytes *
join_bytes (const char *first,
            ...)
{
  va_list args;
  gsize length = 0;
  char *data;
  char *p;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    length += strlen (s);
  va_end (args);

  p = data = g_malloc (length + 1);
  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    {
      gsize size = strlen (s);
      memcpy (p, s, size);
      p += size;
    }
  va_end (args);
  *p = '\0';
  return g_bytes_new_take (data, length);
}

/* Base64 of the @length bytes at @data, which are then wiped. */
static char *
encode_and_wipe (char  *data,
                 gsize  length)
{
  char *encoded = g_base64_encode ((const guchar *) data, length);

  explicit_bzero (data, length);
  return encoded;
}

/* The error for a login the server refused, from the command's @error. */
static GError *
login_error (LoginData *data,
             GError    *error)
{
  GError *refused;

  /* Servers older than RFC 5530 say NO without [AUTHENTICATIONFAILED]: a NO
   * to a login is a refused login all the same. So is a BAD after a
   * challenge: the answer to a challenge we could not meet. */
  if (error->domain != BUZON_IMAP_ERROR
      || !(error->code == BUZON_IMAP_ERROR_NO
           || error->code == BUZON_IMAP_ERROR_AUTHENTICATION_FAILED
           || (error->code == BUZON_IMAP_ERROR_BAD && data->challenges > 0)))
    return error;
  if (data->status == NULL)
    {
      error->code = BUZON_IMAP_ERROR_AUTHENTICATION_FAILED;
      return error;
    }
  /* Translators: the first %s is the reason an OAuth2 server gave, such as
   * “invalid_token” or “400”; the second is a message quoting the server. */
  refused = g_error_new (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED,
                         _("The access token was refused (status “%s”). %s"), data->status,
                         error->message);
  g_error_free (error);
  return refused;
}

static void
login_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  BuzonImapConnection *self = BUZON_IMAP_CONNECTION (source);
  LoginData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapResponse) response = NULL;

  response = buzon_imap_connection_command_finish (self, result, &error);
  if (response == NULL && data->scram_error != NULL)
    {
      /* The server's answer to our "*": the reason is ours. */
      if (data->scram_error->code == BUZON_IMAP_ERROR_SERVER_NOT_VERIFIED)
        buzon_imap_connection_close (self);
      g_task_return_error (task, g_steal_pointer (&data->scram_error));
      return;
    }
  if (response == NULL)
    {
      if (!data->capabilities_asked)
        error = login_error (data, g_steal_pointer (&error));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->mechanism == MECHANISM_SCRAM_SHA_256 && !data->capabilities_asked
      && !buzon_scram_is_verified (data->scram))
    {
      /* An OK without the server's proof: logged in, perhaps, but to whom? */
      buzon_imap_connection_close (self);
      /* Translators: %s is a host name. */
      g_task_return_new_error (task, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_SERVER_NOT_VERIFIED,
                               _("%s said the login succeeded without proving that it knows "
                                 "the password: it may be an impostor"),
                               self->url->host);
      return;
    }
  /* Capabilities change with login; the OK usually carries the new ones,
   * else they are asked for, once. */
  if (!data->capabilities_asked
      && (response->code == NULL || !g_str_equal (response->code, "CAPABILITY")))
    {
      g_autoptr (BuzonImapCommand) command = buzon_imap_command_new ("CAPABILITY");

      data->capabilities_asked = TRUE;
      buzon_imap_connection_command_async (self, command, NULL, NULL,
                                           NULL, login_done_cb,
                                           g_steal_pointer (&task));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* The OAuth2 error report (RFC 7628 §3.2.2) is JSON, such as
 * {"status":"invalid_token","scope":"…"}; Gmail's status is "400". Only its
 * "status" member is read, by hand (the engine has no JSON parser): the first
 * "status" key, its value a string without escapes or a bare word. What the
 * server sent goes into a message shown to the user, so only printable ASCII
 * is kept, and not much of it. Returns NULL where there is no such member. */
static char *
status_from_challenge (const char *challenge)
{
  static const char key[] = "\"status\"";
  g_autofree char *json = NULL;
  gsize length = 0;
  const char *p;
  const char *start;
  gboolean quoted;

  json = (char *) g_base64_decode (challenge, &length);
  /* The decoded text may hold NULs: it ends at the first. */
  json = g_realloc (json, length + 1);
  json[length] = '\0';
  p = strstr (json, key);
  if (p == NULL)
    return NULL;
  p += strlen (key);
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
    p++;
  if (*p++ != ':')
    return NULL;
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
    p++;
  quoted = *p == '"';
  if (quoted)
    p++;
  start = p;
  if (quoted)
    while ((guchar) *p >= 0x20 && (guchar) *p < 0x7f && *p != '"' && *p != '\\')
      p++;
  else
    while (g_ascii_isalnum (*p) || *p == '_' || *p == '-' || *p == '.')
      p++;
  if (p == start || p - start > MAX_STATUS_LENGTH || (quoted && *p != '"'))
    return NULL;
  return g_strndup (start, p - start);
}

/* The BUZON_IMAP_ERROR for a SCRAM exchange that cannot go on. */
static GError *
scram_error_to_imap (BuzonImapConnection *self,
                     const GError        *error)
{
  int code;

  switch (error->code)
    {
    case BUZON_SCRAM_ERROR_NONCE:
    case BUZON_SCRAM_ERROR_SERVER_SIGNATURE:
    case BUZON_SCRAM_ERROR_ITERATIONS:
      code = BUZON_IMAP_ERROR_SERVER_NOT_VERIFIED;
      break;
    case BUZON_SCRAM_ERROR_SERVER_REFUSED:
    case BUZON_SCRAM_ERROR_INVALID_CREDENTIALS:
      code = BUZON_IMAP_ERROR_AUTHENTICATION_FAILED;
      break;
    case BUZON_SCRAM_ERROR_MALFORMED:
    case BUZON_SCRAM_ERROR_STATE:
    default:
      code = BUZON_IMAP_ERROR_PARSE;
      break;
    }
  /* Translators: the first %s is a host name, the second what went wrong. */
  return g_error_new (BUZON_IMAP_ERROR, code, _("Could not log in to %s: %s"), self->url->host,
                      error->message);
}

/* SCRAM-SHA-256's challenges: server-first, answered with client-final;
 * server-final, answered with an empty line once its signature is right.
 * Anything wrong is answered with "*", and the reason kept for the error. */
static GBytes *
answer_scram (BuzonImapConnection *self,
              LoginData           *data,
              guint                challenge_number,
              const char          *challenge)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *message = NULL;
  gsize length = 0;

  if (data->cancelled)
    return NULL; /* It challenges again after "*": it will not stop. */
  message = buzon_scram_decode_base64 (challenge, &length, &error);
  if (message != NULL && challenge_number == 0)
    {
      g_autofree char *final = buzon_scram_handle_server_first (data->scram,
                                                                (const char *) message, length,
                                                                &error);
      if (final != NULL)
        {
          g_autofree char *encoded = encode_and_wipe (final, strlen (final));
          GBytes *line = join_bytes (encoded, "\r\n", NULL);

          explicit_bzero (encoded, strlen (encoded));
          return line;
        }
    }
  else if (message != NULL && challenge_number == 1)
    {
      if (buzon_scram_handle_server_final (data->scram, (const char *) message, length, &error))
        return join_bytes ("\r\n", NULL);
    }
  else if (message != NULL)
    error = g_error_new (BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_STATE,
                         _("The server sent a SCRAM message out of order"));
  data->scram_error = scram_error_to_imap (self, error);
  data->cancelled = TRUE;
  return join_bytes ("*\r\n", NULL);
}

/* The login's BuzonImapSaslFunc; @user_data is the login task. */
static GBytes *
answer_challenge_cb (BuzonImapConnection *self,
                     const char          *challenge,
                     gpointer             user_data)
{
  LoginData *data = g_task_get_task_data (G_TASK (user_data));
  guint challenge_number = data->challenges++;
  gboolean first = challenge_number == 0;

  if (data->mechanism == MECHANISM_SCRAM_SHA_256)
    return answer_scram (self, data, challenge_number, challenge);

  /* An OAuth2 server challenges once, to report why it refuses the token,
   * and then wants a dummy answer before it says NO: "\x01" for OAUTHBEARER
   * (RFC 7628 §3.2.3), an empty line for XOAUTH2. Anything else (PLAIN has
   * no challenges; a second one is not in either protocol) is answered by
   * cancelling the exchange with "*" (RFC 3501 §6.2.2): the server then says
   * BAD, and the login fails without taking the connection with it. A
   * server that challenges again after that is not going to stop. */
  if (first && (data->mechanism == MECHANISM_OAUTHBEARER
                || data->mechanism == MECHANISM_XOAUTH2))
    {
      data->status = status_from_challenge (challenge);
      return join_bytes (data->mechanism == MECHANISM_OAUTHBEARER ? "AQ==\r\n" : "\r\n", NULL);
    }
  if (data->cancelled)
    return NULL;
  data->cancelled = TRUE;
  return join_bytes ("*\r\n", NULL);
}

/* Sends AUTHENTICATE with @initial_response (base64; taken, wiped and
 * freed): in the command where the server offers SASL-IR (RFC 4959), else
 * after its first "+". Takes @task, whose data is a LoginData. */
static void
authenticate (BuzonImapConnection *self,
              const char          *mechanism,
              char                *initial_response,
              GTask               *task)
{
  GPtrArray *chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  char *tag = _buzon_imap_connection_next_tag (self);
  GTask *command_task;
  Pending *pending;

  if (buzon_imap_connection_has_capability (self, "SASL-IR"))
    g_ptr_array_add (chunks, join_bytes (tag, " AUTHENTICATE ", mechanism, " ", initial_response,
                                         "\r\n", NULL));
  else
    {
      g_ptr_array_add (chunks, join_bytes (tag, " AUTHENTICATE ", mechanism, "\r\n", NULL));
      g_ptr_array_add (chunks, join_bytes (initial_response, "\r\n", NULL));
    }
  explicit_bzero (initial_response, strlen (initial_response));
  g_free (initial_response);

  command_task = g_task_new (self, NULL, login_done_cb, task);
  g_task_set_source_tag (command_task, buzon_imap_connection_command_async);
  pending = _buzon_imap_connection_enqueue (self, chunks, tag, command_task, NULL, NULL);
  if (pending == NULL)
    return; /* Not connected: login_done_cb() passes the command's error on. */
  /* The pending command keeps the login task, where the handler keeps its
   * state, for as long as a challenge can come. */
  pending->sasl = answer_challenge_cb;
  pending->sasl_data = g_object_ref (task);
  pending->sasl_data_free = g_object_unref;
  _buzon_imap_connection_pump (self);
}

static GTask *
login_task_new (BuzonImapConnection *self,
                Mechanism            mechanism,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data,
                gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  LoginData *data = g_new0 (LoginData, 1);

  data->mechanism = mechanism;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);
  /* A login on the wire cannot be taken back: the result is the server's
   * answer even if @cancellable fires meanwhile, so the caller knows the
   * state the server is in. */
  g_task_set_check_cancellable (task, FALSE);
  return task;
}

/* Fails @task where the server forbids logging in over this connection, as
 * servers say before TLS. LOGINDISABLED (RFC 3501) names only LOGIN, but a
 * server that refuses a password in plaintext should not be sent one in
 * another form, nor a token. */
static gboolean
login_disabled (BuzonImapConnection *self,
                GTask               *task)
{
  if (!buzon_imap_connection_has_capability (self, "LOGINDISABLED"))
    return FALSE;
  /* Translators: %s is a host name. */
  g_task_return_new_error (task, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_LOGIN_DISABLED,
                           _("%s does not allow logging in without TLS"), self->url->host);
  return TRUE;
}

/**
 * buzon_imap_connection_login_async:
 *
 * Logs in with AUTHENTICATE SCRAM-SHA-256 where the server offers it, else
 * AUTHENTICATE PLAIN (in one round trip where SASL-IR is offered) or, where
 * PLAIN is not offered, LOGIN (see the top of this file); then re-reads the
 * capabilities. Fails with BUZON_IMAP_ERROR_LOGIN_DISABLED where the server
 * forbids login over this connection, BUZON_IMAP_ERROR_AUTHENTICATION_FAILED
 * for a wrong user name or password (quoting the server);
 * BUZON_IMAP_ERROR_SERVER_NOT_VERIFIED, the connection closed, where a SCRAM
 * server could not prove that it knows the password, and
 * BUZON_IMAP_ERROR_PARSE where it broke SCRAM's grammar.
 */
void
buzon_imap_connection_login_async (BuzonImapConnection *self,
                                   const char          *user,
                                   const char          *password,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (BuzonImapCommand) command = NULL;
  g_autoptr (BuzonScram) scram = NULL;
  gboolean plain;

  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));
  g_return_if_fail (user != NULL && password != NULL);

  /* SCRAM where offered, unless the password or user name cannot be sent
   * with it as they are: LOGIN or PLAIN take them. */
  if (buzon_imap_connection_has_capability (self, "AUTH=SCRAM-SHA-256")
      && buzon_scram_password_is_prepared (password))
    scram = buzon_scram_new (user, password, NULL, NULL);
  plain = buzon_imap_connection_has_capability (self, "AUTH=PLAIN");
  task = login_task_new (self,
                         scram != NULL ? MECHANISM_SCRAM_SHA_256
                                       : plain ? MECHANISM_PLAIN : MECHANISM_LOGIN,
                         cancellable, callback, user_data, buzon_imap_connection_login_async);
  if (login_disabled (self, task))
    return;

  if (scram != NULL)
    {
      LoginData *data = g_task_get_task_data (task);
      char *first = buzon_scram_get_client_first (scram);

      data->scram = g_steal_pointer (&scram);
      authenticate (self, "SCRAM-SHA-256", encode_and_wipe (first, strlen (first)),
                    g_steal_pointer (&task));
      g_free (first);
      return;
    }

  if (plain)
    {
      gsize user_length = strlen (user);
      gsize password_length = strlen (password);
      gsize length = 1 + user_length + 1 + password_length;
      g_autofree char *token = g_malloc (length);

      /* "\0user\0password" (RFC 4616). */
      token[0] = '\0';
      memcpy (token + 1, user, user_length);
      token[1 + user_length] = '\0';
      memcpy (token + 2 + user_length, password, password_length);
      authenticate (self, "PLAIN", encode_and_wipe (token, length), g_steal_pointer (&task));
      return;
    }
  command = buzon_imap_command_new ("LOGIN");
  buzon_imap_command_set_sensitive (command);
  buzon_imap_command_add_astring (command, user, -1);
  buzon_imap_command_add_string (command, password, -1);
  buzon_imap_connection_command_async (self, command, NULL, NULL, NULL, login_done_cb,
                                       g_steal_pointer (&task));
}

gboolean
buzon_imap_connection_login_finish (BuzonImapConnection *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                          == buzon_imap_connection_login_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Whether @text can go into a SASL message: "\x01" separates its fields,
 * and no other control character has a place in a user name or token. */
static gboolean
is_sasl_safe (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* The user as a gs2 "saslname" (RFC 5801): "," and "=" escaped. */
static char *
escape_saslname (const char *user)
{
  GString *out = g_string_new (NULL);

  for (const char *p = user; *p != '\0'; p++)
    {
      if (*p == ',')
        g_string_append (out, "=2C");
      else if (*p == '=')
        g_string_append (out, "=3D");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/**
 * buzon_imap_connection_login_oauth2_async:
 * @user: the account's user name, usually its address
 * @access_token: a valid OAuth2 access token for @user; it is wiped from
 *   this function's copies once sent, and never logged
 * @cancellable: (nullable): as for buzon_imap_connection_login_async(), a
 *   login already sent completes with the server's answer
 *
 * Logs in with an OAuth2 bearer token: OAUTHBEARER (RFC 7628) where the
 * server offers it, else XOAUTH2 (Gmail, Office 365, Yahoo); in one round
 * trip where SASL-IR is offered. Then re-reads the capabilities.
 *
 * Fails with G_IO_ERROR_NOT_SUPPORTED, without sending anything, where the
 * server offers neither mechanism; BUZON_IMAP_ERROR_LOGIN_DISABLED where it
 * forbids login over this connection; BUZON_IMAP_ERROR_AUTHENTICATION_FAILED
 * where it refuses the token, with the status it gave (such as
 * “invalid_token”) and its own words. The connection stays open after a
 * refusal. G_IO_ERROR_INVALID_ARGUMENT where @user or @access_token holds
 * control characters.
 */
void
buzon_imap_connection_login_oauth2_async (BuzonImapConnection *self,
                                          const char          *user,
                                          const char          *access_token,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *saslname = NULL;
  g_autofree char *port = NULL;
  g_autoptr (GBytes) message = NULL;
  gsize length = 0;
  char *data;
  Mechanism mechanism;

  g_return_if_fail (BUZON_IS_IMAP_CONNECTION (self));
  g_return_if_fail (user != NULL && access_token != NULL);

  mechanism = buzon_imap_connection_has_capability (self, "AUTH=OAUTHBEARER")
                ? MECHANISM_OAUTHBEARER : MECHANISM_XOAUTH2;
  task = login_task_new (self, mechanism, cancellable, callback, user_data,
                         buzon_imap_connection_login_oauth2_async);
  if (self->state != STATE_OPEN)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("Not connected to the server"));
      return;
    }
  if (login_disabled (self, task))
    return;
  if (mechanism == MECHANISM_XOAUTH2
      && !buzon_imap_connection_has_capability (self, "AUTH=XOAUTH2"))
    {
      /* Translators: %s is a host name. */
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("%s does not accept OAuth2 sign-in (neither OAUTHBEARER nor "
                                 "XOAUTH2 is offered)"), self->url->host);
      return;
    }
  if (!is_sasl_safe (user) || !is_sasl_safe (access_token))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The user name or access token contains characters that cannot "
                                 "be sent"));
      return;
    }

  if (mechanism == MECHANISM_OAUTHBEARER)
    {
      /* The gs2 header names the user; host and port let the server check
       * that the token was meant for it (RFC 7628 §3.1). */
      saslname = escape_saslname (user);
      port = g_strdup_printf ("%u", self->url->port);
      message = join_bytes ("n,a=", saslname, ",\001host=", self->url->host, "\001port=", port,
                            "\001auth=Bearer ", access_token, "\001\001", NULL);
    }
  else
    message = join_bytes ("user=", user, "\001auth=Bearer ", access_token, "\001\001", NULL);

  /* The bytes are ours (join_bytes() made them) and about to be wiped. */
  data = (char *) g_bytes_get_data (message, &length);
  authenticate (self, mechanism == MECHANISM_OAUTHBEARER ? "OAUTHBEARER" : "XOAUTH2",
                encode_and_wipe (data, length), g_steal_pointer (&task));
}

gboolean
buzon_imap_connection_login_oauth2_finish (BuzonImapConnection *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                          == buzon_imap_connection_login_oauth2_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
