// BuzonSmtpClient, logging in (RFC 4954): AUTH SCRAM-SHA-256, AUTH PLAIN
// (initial response) or AUTH LOGIN with a password; OAUTHBEARER (RFC 7628)
// or XOAUTH2 with an OAuth2 access token.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// SCRAM-SHA-256 (RFC 7677) comes first where the server offers it: the
// password never goes out, and the server proves that it knows it. PLAIN
// (or LOGIN) is used where SCRAM is not offered, or for a password that
// SASLprep would change while PLAIN is offered (see net/scram.c); never
// after a SCRAM login failed. A SCRAM exchange the client cannot go on with
// (a malformed message, a wrong server signature) is ended with "*" and
// fails with the client's reason, whatever the server answers to that.
//
// The bytes that carry a secret are built once at their exact size and
// wiped as soon as they are written. A server that refuses a token first
// sends a 334 challenge holding a JSON error report; the client answers it
// (RFC 7628 §3.2.3) and the server then says 535.

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "net/scram.h"
#include "smtp-client-private.h"
#include "smtp-error.h"

typedef enum
{
  MECHANISM_PLAIN,
  MECHANISM_LOGIN,
  MECHANISM_OAUTHBEARER,
  MECHANISM_XOAUTH2,
  MECHANISM_SCRAM_SHA_256,
} Mechanism;

typedef struct
{
  Mechanism mechanism;
  char *user;
  char *secret;
  BuzonScram *scram;
  GError *scram_error; /* Why the client ended the SCRAM exchange with "*". */
} LoginData;

static void
login_data_free (gpointer data)
{
  LoginData *login = data;

  g_free (login->user);
  if (login->secret != NULL)
    memset (login->secret, 0, strlen (login->secret));
  g_free (login->secret);
  g_clear_pointer (&login->scram, buzon_scram_free);
  g_clear_error (&login->scram_error);
  g_free (login);
}

/* "PREFIX base64(PARTS…)\r\n" in bytes allocated once, at their size. */
static GBytes *
encode_line (const char *prefix,
             gsize       n_parts,
             ...)
{
  va_list args;
  gsize length = 0;
  gsize prefix_length = strlen (prefix);
  guchar *raw;
  guchar *p;
  char *line;
  gsize encoded;
  int state = 0;
  int save = 0;

  va_start (args, n_parts);
  for (gsize i = 0; i < n_parts; i++)
    {
      const char *part = va_arg (args, const char *);
      length += va_arg (args, gsize);
      (void) part;
    }
  va_end (args);
  p = raw = g_malloc (length + 1);
  va_start (args, n_parts);
  for (gsize i = 0; i < n_parts; i++)
    {
      const char *part = va_arg (args, const char *);
      gsize size = va_arg (args, gsize);
      memcpy (p, part, size);
      p += size;
    }
  va_end (args);

  line = g_malloc (prefix_length + (length / 3 + 1) * 4 + 4 + 3);
  memcpy (line, prefix, prefix_length);
  encoded = g_base64_encode_step (raw, length, FALSE, line + prefix_length, &state, &save);
  encoded += g_base64_encode_close (FALSE, line + prefix_length + encoded, &state, &save);
  memcpy (line + prefix_length + encoded, "\r\n", 3);
  memset (raw, 0, length);
  g_free (raw);
  return g_bytes_new_take (line, prefix_length + encoded + 2);
}

static void
send_secret (BuzonSmtpOp     *op,
             GBytes          *line,
             BuzonSmtpOpStep  next)
{
  op->out_sensitive = TRUE;
  _buzon_smtp_op_exchange (op, line, 1, next);
}

static void
login_failed (BuzonSmtpOp          *op,
              const BuzonSmtpReply *reply)
{
  BuzonSmtpClient *self = op->client;
  g_autofree char *words = buzon_smtp_reply_to_string (reply);
  int code;

  /* 535 5.7.8: the credentials are wrong (RFC 4954 §6); 534 and 5.7.9: the
   * mechanism is too weak for this account; anything else in 5xx a refusal,
   * 4xx worth trying again. */
  if (reply->code == 535 || (reply->has_enhanced && reply->enhanced_class == 5
                             && reply->enhanced_subject == 7 && reply->enhanced_detail == 8))
    code = BUZON_SMTP_ERROR_AUTHENTICATION_FAILED;
  else if (buzon_smtp_reply_is_transient (reply))
    code = BUZON_SMTP_ERROR_TEMPORARY;
  else if (reply->code == 523 || reply->code == 534 || reply->code == 538)
    code = BUZON_SMTP_ERROR_AUTH_UNAVAILABLE;
  else
    code = BUZON_SMTP_ERROR_REFUSED;
  /* Translators: the first %s is a host name, the second the server's words. */
  _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, code, _("%s refused the login: %s"),
                                        self->url->host, words),
                       FALSE);
}

/* The BUZON_SMTP_ERROR for a SCRAM exchange that cannot go on. */
static GError *
scram_error_to_smtp (BuzonSmtpClient *self,
                     const GError    *error)
{
  int code;

  switch (error->code)
    {
    case BUZON_SCRAM_ERROR_NONCE:
    case BUZON_SCRAM_ERROR_SERVER_SIGNATURE:
      code = BUZON_SMTP_ERROR_SERVER_NOT_VERIFIED;
      break;
    case BUZON_SCRAM_ERROR_SERVER_REFUSED:
      code = BUZON_SMTP_ERROR_AUTHENTICATION_FAILED;
      break;
    case BUZON_SCRAM_ERROR_INVALID_CREDENTIALS:
    case BUZON_SCRAM_ERROR_ITERATIONS:
      code = BUZON_SMTP_ERROR_AUTH_UNAVAILABLE;
      break;
    case BUZON_SCRAM_ERROR_MALFORMED:
    case BUZON_SCRAM_ERROR_STATE:
    default:
      code = BUZON_SMTP_ERROR_PARSE;
      break;
    }
  /* Translators: the first %s is a host name, the second what went wrong. */
  return g_error_new (BUZON_SMTP_ERROR, code, _("Could not log in to %s: %s"), self->url->host,
                      error->message);
}

static void login_step (BuzonSmtpOp *op);

/* SCRAM-SHA-256: the 334s carry server-first, then server-final; the 235
 * counts only once the server's signature was checked. */
static void
scram_step (BuzonSmtpOp          *op,
            const BuzonSmtpReply *reply)
{
  BuzonSmtpClient *self = op->client;
  LoginData *login = op->data;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *message = NULL;
  gsize length = 0;

  if (login->scram_error != NULL)
    {
      GError *reason = g_steal_pointer (&login->scram_error);

      /* The answer to our "*". A server that challenges again will not stop;
       * one that could not prove it knows the password is not to be sent
       * anything more: both connections are closed. */
      _buzon_smtp_op_fail (op, reason,
                           reply->code == 334
                             || reason->code == BUZON_SMTP_ERROR_SERVER_NOT_VERIFIED);
      return;
    }
  if (reply->code == 235)
    {
      g_autofree guint8 *final = NULL;

      /* Some servers send server-final with the 235 rather than in a 334
       * of its own (as "additional data with success"): checked the same. */
      if (!buzon_scram_is_verified (login->scram) && op->step == 1)
        final = buzon_scram_decode_base64 (reply->lines[0], &length, NULL);
      if (final != NULL)
        buzon_scram_handle_server_final (login->scram, (const char *) final, length, NULL);
      if (buzon_scram_is_verified (login->scram))
        _buzon_smtp_op_return_boolean (op);
      else
        /* Translators: %s is a host name. */
        _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR,
                                              BUZON_SMTP_ERROR_SERVER_NOT_VERIFIED,
                                              _("%s said the login succeeded without proving "
                                                "that it knows the password: it may be an "
                                                "impostor"),
                                              self->url->host),
                             TRUE);
      return;
    }
  if (reply->code != 334)
    {
      login_failed (op, reply);
      return;
    }
  op->step++;
  message = buzon_scram_decode_base64 (reply->lines[0], &length, &error);
  if (message != NULL && op->step == 1)
    {
      g_autofree char *final = buzon_scram_handle_server_first (login->scram,
                                                                (const char *) message, length,
                                                                &error);
      if (final != NULL)
        {
          send_secret (op, encode_line ("", 1, final, strlen (final)), login_step);
          explicit_bzero (final, strlen (final));
          return;
        }
    }
  else if (message != NULL && op->step == 2)
    {
      if (buzon_scram_handle_server_final (login->scram, (const char *) message, length,
                                           &error))
        {
          /* Nothing more to say: an empty response (RFC 4954 §4). */
          _buzon_smtp_op_command (op, login_step, "%s", "");
          return;
        }
    }
  else if (message != NULL)
    error = g_error_new (BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_STATE,
                         _("The server sent a SCRAM message out of order"));
  login->scram_error = scram_error_to_smtp (self, error);
  _buzon_smtp_op_command (op, login_step, "*");
}

static void
login_step (BuzonSmtpOp *op)
{
  LoginData *login = op->data;
  BuzonSmtpReply *reply = op->replies->pdata[0];

  if (login->mechanism == MECHANISM_SCRAM_SHA_256)
    {
      scram_step (op, reply);
      return;
    }
  if (reply->code == 235)
    {
      _buzon_smtp_op_return_boolean (op);
      return;
    }
  if (reply->code != 334)
    {
      login_failed (op, reply);
      return;
    }
  op->step++;
  switch (login->mechanism)
    {
    case MECHANISM_LOGIN:
      /* The server asks for the user name, then the password. */
      if (op->step == 1)
        send_secret (op, encode_line ("", 1, login->user, strlen (login->user)), login_step);
      else if (op->step == 2)
        send_secret (op, encode_line ("", 1, login->secret, strlen (login->secret)), login_step);
      else
        _buzon_smtp_op_command (op, login_step, "*");
      return;

    case MECHANISM_OAUTHBEARER:
    case MECHANISM_XOAUTH2:
      /* The error report: answer it, and the server says 535. */
      if (op->step == 1)
        {
          if (login->mechanism == MECHANISM_OAUTHBEARER)
            _buzon_smtp_op_command (op, login_step, "AQ==");
          else
            _buzon_smtp_op_command (op, login_step, "%s", "");
          return;
        }
      _buzon_smtp_op_command (op, login_step, "*");
      return;

    case MECHANISM_PLAIN:
    default:
      /* The initial response was sent: a challenge now is a broken server. */
      _buzon_smtp_op_command (op, login_step, "*");
      return;
    }
}

static void
start_login (BuzonSmtpClient     *self,
             Mechanism            mechanism,
             const char          *user,
             const char          *secret,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  BuzonSmtpOp *op = _buzon_smtp_op_new (self, source_tag, cancellable, callback, user_data);
  const BuzonSmtpCapabilities *capabilities = self->capabilities;
  LoginData *login;
  g_autofree char *offered = NULL;
  static const char *names[] = { "PLAIN", "LOGIN", "OAUTHBEARER", "XOAUTH2", "SCRAM-SHA-256" };
  gsize user_length = strlen (user);
  gsize secret_length = strlen (secret);

  if (!_buzon_smtp_op_check_ready (op))
    return;
  if (mechanism == MECHANISM_PLAIN
      && buzon_smtp_capabilities_has_auth (capabilities, "SCRAM-SHA-256")
      && (buzon_scram_password_is_prepared (secret)
          || (!buzon_smtp_capabilities_has_auth (capabilities, "PLAIN")
              && !buzon_smtp_capabilities_has_auth (capabilities, "LOGIN"))))
    mechanism = MECHANISM_SCRAM_SHA_256;
  if (mechanism == MECHANISM_PLAIN && !buzon_smtp_capabilities_has_auth (capabilities, "PLAIN")
      && buzon_smtp_capabilities_has_auth (capabilities, "LOGIN"))
    mechanism = MECHANISM_LOGIN;
  if (mechanism == MECHANISM_OAUTHBEARER
      && !buzon_smtp_capabilities_has_auth (capabilities, "OAUTHBEARER")
      && buzon_smtp_capabilities_has_auth (capabilities, "XOAUTH2"))
    mechanism = MECHANISM_XOAUTH2;
  if (!buzon_smtp_capabilities_has_auth (capabilities, names[mechanism]))
    {
      offered = g_strjoinv (" ", capabilities->auth_mechanisms);
      if (!self->secure && offered[0] == '\0')
        /* Translators: %s is a host name. */
        _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_AUTH_UNAVAILABLE,
                                              _("%s does not allow logging in without TLS"),
                                              self->url->host),
                             FALSE);
      else if (offered[0] == '\0')
        /* Translators: %s is a host name. */
        _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_AUTH_UNAVAILABLE,
                                              _("%s offers no way to log in"), self->url->host),
                             FALSE);
      else
        /* Translators: the first %s is a host name, the second a list of mechanisms. */
        _buzon_smtp_op_fail (op, g_error_new (BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_AUTH_UNAVAILABLE,
                                              _("%s offers no way to log in that this client "
                                                "has (it offers: %s)"),
                                              self->url->host, offered),
                             FALSE);
      return;
    }

  login = g_new0 (LoginData, 1);
  login->mechanism = mechanism;
  login->user = g_strdup (user);
  login->secret = g_strdup (secret);
  op->data = login;
  op->data_free = login_data_free;
  switch (mechanism)
    {
    case MECHANISM_PLAIN:
      send_secret (op, encode_line ("AUTH PLAIN ", 4, "", (gsize) 1, user, user_length,
                                    "", (gsize) 1, secret, secret_length),
                   login_step);
      return;
    case MECHANISM_LOGIN:
      _buzon_smtp_op_command (op, login_step, "AUTH LOGIN");
      return;
    case MECHANISM_OAUTHBEARER:
      {
        g_autofree char *port = g_strdup_printf ("%u", self->url->port);
        g_autoptr (GString) saslname = g_string_new (user);
        g_autofree char *head = NULL;

        /* The gs2 header's authzid escapes "=" and "," (RFC 5801 §4). */
        g_string_replace (saslname, "=", "=3D", 0);
        g_string_replace (saslname, ",", "=2C", 0);
        head = g_strdup_printf ("n,a=%s,\001host=%s\001port=%s\001auth=Bearer ",
                                saslname->str, self->url->host, port);

        send_secret (op, encode_line ("AUTH OAUTHBEARER ", 3, head, strlen (head), secret,
                                      secret_length, "\001\001", (gsize) 2),
                     login_step);
        return;
      }
    case MECHANISM_SCRAM_SHA_256:
      {
        g_autoptr (GError) error = NULL;
        g_autofree char *first = NULL;

        login->scram = buzon_scram_new (user, secret, NULL, &error);
        if (login->scram == NULL)
          {
            _buzon_smtp_op_fail (op, scram_error_to_smtp (self, error), FALSE);
            return;
          }
        first = buzon_scram_get_client_first (login->scram);
        send_secret (op, encode_line ("AUTH SCRAM-SHA-256 ", 1, first, strlen (first)),
                     login_step);
        return;
      }
    case MECHANISM_XOAUTH2:
    default:
      send_secret (op, encode_line ("AUTH XOAUTH2 ", 5, "user=", (gsize) 5, user, user_length,
                                    "\001auth=Bearer ", (gsize) 13, secret, secret_length,
                                    "\001\001", (gsize) 2),
                   login_step);
      return;
    }
}

/**
 * buzon_smtp_client_login_async:
 *
 * Logs in with AUTH SCRAM-SHA-256 where the server offers it, else AUTH
 * PLAIN, or AUTH LOGIN where the server offers only that (see the top of
 * this file). Fails with BUZON_SMTP_ERROR_AUTHENTICATION_FAILED for a wrong
 * user name or password, BUZON_SMTP_ERROR_AUTH_UNAVAILABLE when none is
 * offered (as before TLS: then nothing is sent), the server's words quoted;
 * BUZON_SMTP_ERROR_SERVER_NOT_VERIFIED (the connection closed) where a SCRAM
 * server could not prove that it knows the password, BUZON_SMTP_ERROR_PARSE
 * where it broke the SCRAM grammar.
 */
void
buzon_smtp_client_login_async (BuzonSmtpClient     *self,
                               const char          *user,
                               const char          *password,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_SMTP_CLIENT (self));
  g_return_if_fail (user != NULL && password != NULL);
  start_login (self, MECHANISM_PLAIN, user, password, buzon_smtp_client_login_async,
               cancellable, callback, user_data);
}

gboolean
buzon_smtp_client_login_finish (BuzonSmtpClient  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_smtp_client_login_oauth2_async:
 *
 * Logs in with an OAuth2 access token: OAUTHBEARER, or XOAUTH2 where the
 * server offers only that. A refused token fails with
 * BUZON_SMTP_ERROR_AUTHENTICATION_FAILED.
 */
void
buzon_smtp_client_login_oauth2_async (BuzonSmtpClient     *self,
                                      const char          *user,
                                      const char          *access_token,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_SMTP_CLIENT (self));
  g_return_if_fail (user != NULL && access_token != NULL);
  start_login (self, MECHANISM_OAUTHBEARER, user, access_token,
               buzon_smtp_client_login_oauth2_async, cancellable, callback, user_data);
}

gboolean
buzon_smtp_client_login_oauth2_finish (BuzonSmtpClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
