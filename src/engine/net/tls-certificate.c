// The certificate rules every mail connection follows: the system's trust,
// or a certificate the account pinned by its SHA-256 fingerprint.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A connection accepts what GIO's TLS backend verifies against the system's
// authorities; in its "accept-certificate" handler it accepts, besides, a
// certificate whose fingerprint the account lists in TrustedCertificates
// ("sha256:<hex>", any case). Anything else fails the handshake with
// G_TLS_ERROR_BAD_CERTIFICATE, described for the user, and the connection
// keeps the fingerprint so that the user can be asked to pin it.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tls-certificate.h"

/* The lower-case hex SHA-256 of the certificate's DER, or NULL. */
char *
buzon_tls_certificate_sha256 (GTlsCertificate *certificate)
{
  g_autoptr (GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

/* Whether @trusted_certificates ("sha256:<hex>" each) lists @sha256. */
gboolean
buzon_tls_certificate_is_pinned (const char         *sha256,
                                 const char * const *trusted_certificates)
{
  g_autofree char *wanted = NULL;

  if (sha256 == NULL || trusted_certificates == NULL)
    return FALSE;
  wanted = g_strconcat ("sha256:", sha256, NULL);
  for (guint i = 0; trusted_certificates[i] != NULL; i++)
    if (g_ascii_strcasecmp (trusted_certificates[i], wanted) == 0)
      return TRUE;
  return FALSE;
}

/* What is wrong with a certificate, in words, "; " between reasons. */
char *
buzon_tls_certificate_describe_errors (GTlsCertificateFlags errors)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new ();

  if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_ptr_array_add (parts, (gpointer) _("it is not signed by a known authority"));
  if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    g_ptr_array_add (parts, (gpointer) _("it is for another host name"));
  if (errors & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_ptr_array_add (parts, (gpointer) _("it is not valid yet"));
  if (errors & G_TLS_CERTIFICATE_EXPIRED)
    g_ptr_array_add (parts, (gpointer) _("it has expired"));
  if (errors & G_TLS_CERTIFICATE_REVOKED)
    g_ptr_array_add (parts, (gpointer) _("it has been revoked"));
  if (errors & G_TLS_CERTIFICATE_INSECURE)
    g_ptr_array_add (parts, (gpointer) _("it uses insecure cryptography"));
  if (parts->len == 0)
    g_ptr_array_add (parts, (gpointer) _("it could not be verified"));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("; ", (char **) parts->pdata);
}

/* The G_TLS_ERROR_BAD_CERTIFICATE a handshake's failure becomes. */
GError *
buzon_tls_certificate_untrusted_error (const char           *host,
                                       GTlsCertificateFlags  errors)
{
  g_autofree char *why = buzon_tls_certificate_describe_errors (errors);

  /* Translators: the first %s is a host name, the second a list of reasons. */
  return g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                      _("The certificate of %s is not trusted: %s"), host, why);
}
