// Parses and prints the server URLs an account keeps for IMAP and SMTP.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The scheme carries both the protocol and the transport security, so that a
// configuration file can never say "STARTTLS if available":
//
//   imaps://       IMAP over TLS, port 993
//   imap://        IMAP with STARTTLS required, port 143
//   imap+plain://  IMAP without TLS, loopback hosts only, port 143
//   submissions:// SMTP submission over TLS, port 465
//   submission://  SMTP submission with STARTTLS required, port 587
//   smtp+plain://  SMTP without TLS, loopback hosts only, port 25

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "account-error.h"
#include "server-url.h"

typedef struct
{
  const char *scheme;
  BuzonServerProtocol protocol;
  BuzonServerSecurity security;
  guint16 default_port;
} SchemeInfo;

static const SchemeInfo schemes[] = {
  { "imaps", BUZON_SERVER_PROTOCOL_IMAP, BUZON_SERVER_SECURITY_TLS, 993 },
  { "imap", BUZON_SERVER_PROTOCOL_IMAP, BUZON_SERVER_SECURITY_STARTTLS, 143 },
  { "imap+plain", BUZON_SERVER_PROTOCOL_IMAP, BUZON_SERVER_SECURITY_PLAIN, 143 },
  { "submissions", BUZON_SERVER_PROTOCOL_SMTP, BUZON_SERVER_SECURITY_TLS, 465 },
  { "submission", BUZON_SERVER_PROTOCOL_SMTP, BUZON_SERVER_SECURITY_STARTTLS, 587 },
  { "smtp+plain", BUZON_SERVER_PROTOCOL_SMTP, BUZON_SERVER_SECURITY_PLAIN, 25 },
};

G_DEFINE_BOXED_TYPE (BuzonServerUrl, buzon_server_url, buzon_server_url_copy, buzon_server_url_free)

static const SchemeInfo *
find_scheme (const char *scheme)
{
  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (g_ascii_strcasecmp (schemes[i].scheme, scheme) == 0)
      return &schemes[i];
  return NULL;
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr (GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* A DNS name (internationalised names allowed) or an IP literal. */
static gboolean
host_is_valid (const char *host)
{
  g_autofree char *ascii = NULL;

  if (g_hostname_is_ip_address (host))
    return TRUE;
  ascii = g_hostname_to_ascii (host);
  if (ascii == NULL || *ascii == '\0' || *ascii == '.' || *ascii == '-' || strlen (ascii) > 253)
    return FALSE;
  for (const char *p = ascii; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static gpointer
invalid (GError     **error,
         const char  *url,
         const char  *why)
{
  /* Translators: the first %s is a server URL, the second why it is wrong. */
  g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID_URL,
               _("Invalid server address “%s”: %s"), url, why);
  return NULL;
}

/**
 * buzon_server_url_parse:
 * @url: a URL such as `imaps://alice@mail.example.org`
 * @error: return location for a #BUZON_ACCOUNT_ERROR
 *
 * Returns: (transfer full): the parsed URL, or %NULL with @error set when the
 *   URL is malformed, has an unknown scheme, a path, query or fragment, or asks
 *   for plaintext to a host that is not on this machine.
 */
BuzonServerUrl *
buzon_server_url_parse (const char  *url,
                        GError     **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (BuzonServerUrl) self = NULL;
  const SchemeInfo *info;
  const char *host;
  const char *path;
  int port;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, &local_error);
  if (uri == NULL)
    return invalid (error, url, local_error->message);

  info = find_scheme (g_uri_get_scheme (uri));
  if (info == NULL)
    return invalid (error, url,
                    _("the scheme must be imaps, imap, imap+plain, submissions, submission "
                      "or smtp+plain"));

  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    return invalid (error, url, _("it names no host"));
  if (!host_is_valid (host))
    return invalid (error, url, _("the host name is not valid"));

  path = g_uri_get_path (uri);
  if ((*path != '\0' && g_strcmp0 (path, "/") != 0) || g_uri_get_query (uri) != NULL
      || g_uri_get_fragment (uri) != NULL)
    return invalid (error, url, _("a server address has no path, query or fragment"));

  if (g_uri_get_password (uri) != NULL)
    return invalid (error, url, _("passwords do not belong in a server address"));

  port = g_uri_get_port (uri);
  if (port == 0 || port > G_MAXUINT16)
    return invalid (error, url, _("the port must be between 1 and 65535"));

  self = g_new0 (BuzonServerUrl, 1);
  self->protocol = info->protocol;
  self->security = info->security;
  self->host = g_ascii_strdown (host, -1);
  self->port = port > 0 ? (guint16) port : info->default_port;
  if (g_uri_get_user (uri) != NULL && *g_uri_get_user (uri) != '\0')
    self->user = g_strdup (g_uri_get_user (uri));

  if (self->security == BUZON_SERVER_SECURITY_PLAIN && !buzon_server_url_is_loopback (self))
    {
      /* Translators: %s is a server URL. */
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INSECURE,
                   _("Refusing “%s”: a connection without TLS is allowed only to this computer. "
                     "Use imaps:// or submissions:// (TLS), or imap:// or submission:// "
                     "(STARTTLS)."),
                   url);
      return NULL;
    }

  return g_steal_pointer (&self);
}

BuzonServerUrl *
buzon_server_url_copy (const BuzonServerUrl *self)
{
  BuzonServerUrl *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (BuzonServerUrl, 1);
  *copy = *self;
  copy->host = g_strdup (self->host);
  copy->user = g_strdup (self->user);
  return copy;
}

void
buzon_server_url_free (BuzonServerUrl *self)
{
  if (self == NULL)
    return;
  g_free (self->host);
  g_free (self->user);
  g_free (self);
}

const char *
buzon_server_url_get_scheme (const BuzonServerUrl *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (schemes[i].protocol == self->protocol && schemes[i].security == self->security)
      return schemes[i].scheme;
  g_return_val_if_reached (NULL);
}

/**
 * buzon_server_url_to_string:
 *
 * Returns: (transfer full): the URL in canonical form, which
 *   buzon_server_url_parse() reads back to an equal value. The port is always
 *   written, so a changed default never moves an account to another port.
 */
char *
buzon_server_url_to_string (const BuzonServerUrl *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  /* g_uri_join() brackets IPv6 literals and percent-encodes the user. */
  return g_uri_join (G_URI_FLAGS_NONE, buzon_server_url_get_scheme (self), self->user,
                     self->host, self->port, "", NULL, NULL);
}

gboolean
buzon_server_url_is_loopback (const BuzonServerUrl *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return host_is_loopback (self->host);
}
