// BuzonScram: the client side of SCRAM-SHA-256 (RFC 5802, RFC 7677), a pure
// state machine shared by the IMAP and SMTP logins: no I/O.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BUZON_SCRAM_ERROR (buzon_scram_error_quark ())

/* Why an exchange cannot go on. The IMAP and SMTP logins turn each into an
 * error of their own domain; the messages are meant for the user. */
typedef enum
{
  BUZON_SCRAM_ERROR_INVALID_CREDENTIALS, /* The user name or password cannot be sent. */
  BUZON_SCRAM_ERROR_MALFORMED,       /* A server message that is not what SCRAM says. */
  BUZON_SCRAM_ERROR_NONCE,           /* The server's nonce does not start with ours. */
  BUZON_SCRAM_ERROR_ITERATIONS,      /* Fewer than 4096 iterations, or absurdly many. */
  BUZON_SCRAM_ERROR_SERVER_SIGNATURE, /* The server did not prove it knows the password. */
  BUZON_SCRAM_ERROR_SERVER_REFUSED,  /* The server-final message is an error ("e="). */
  BUZON_SCRAM_ERROR_STATE,           /* A message out of order, or after a failure. */
} BuzonScramError;

/* Fewest PBKDF2 iterations accepted (RFC 7677 §4), and most: a hostile
 * server must not make the client compute for minutes. */
#define BUZON_SCRAM_MIN_ITERATIONS 4096
#define BUZON_SCRAM_MAX_ITERATIONS 1000000

typedef struct _BuzonScram BuzonScram;

GQuark      buzon_scram_error_quark           (void);

char       *buzon_scram_saslprep              (const char  *text,
                                               GError     **error);
gboolean    buzon_scram_password_is_prepared  (const char  *password);

BuzonScram *buzon_scram_new                   (const char  *user,
                                               const char  *password,
                                               const char  *client_nonce,
                                               GError     **error);
void        buzon_scram_free                  (BuzonScram  *self);

char       *buzon_scram_get_client_first      (BuzonScram  *self);
char       *buzon_scram_handle_server_first   (BuzonScram  *self,
                                               const char  *message,
                                               gsize        length,
                                               GError     **error);
gboolean    buzon_scram_handle_server_final   (BuzonScram  *self,
                                               const char  *message,
                                               gsize        length,
                                               GError     **error);
gboolean    buzon_scram_is_verified           (BuzonScram  *self);

guint8     *buzon_scram_decode_base64         (const char  *text,
                                               gsize       *length,
                                               GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonScram, buzon_scram_free)

G_END_DECLS
