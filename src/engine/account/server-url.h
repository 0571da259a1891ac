// A mail server address as an account stores it: imaps://user@host:port and kin.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  BUZON_SERVER_PROTOCOL_IMAP,
  BUZON_SERVER_PROTOCOL_SMTP,
} BuzonServerProtocol;

typedef enum
{
  BUZON_SERVER_SECURITY_TLS,      /* TLS from the first byte (imaps, submissions). */
  BUZON_SERVER_SECURITY_STARTTLS, /* STARTTLS, required: never falls back to plaintext. */
  BUZON_SERVER_SECURITY_PLAIN,    /* No TLS at all; accepted for loopback hosts only. */
} BuzonServerSecurity;

typedef struct
{
  BuzonServerProtocol protocol;
  BuzonServerSecurity security;
  char *host;   /* Without brackets for IPv6 literals. */
  guint16 port; /* Never 0: the scheme's default port when the URL has none. */
  char *user;   /* Percent-decoded; NULL when the URL names no user. */
} BuzonServerUrl;

#define BUZON_TYPE_SERVER_URL (buzon_server_url_get_type ())

GType           buzon_server_url_get_type     (void) G_GNUC_CONST;
BuzonServerUrl *buzon_server_url_parse        (const char           *url,
                                               GError              **error);
BuzonServerUrl *buzon_server_url_copy         (const BuzonServerUrl *self);
void            buzon_server_url_free         (BuzonServerUrl       *self);
char           *buzon_server_url_to_string    (const BuzonServerUrl *self);
gboolean        buzon_server_url_is_loopback  (const BuzonServerUrl *self);
const char     *buzon_server_url_get_scheme   (const BuzonServerUrl *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonServerUrl, buzon_server_url_free)

G_END_DECLS
