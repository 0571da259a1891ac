// The certificate rules every mail connection follows: the system's trust,
// or a certificate the account pinned by its SHA-256 fingerprint.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char    *buzon_tls_certificate_sha256          (GTlsCertificate      *certificate);
gboolean buzon_tls_certificate_is_pinned       (const char           *sha256,
                                                const char * const   *trusted_certificates);
char    *buzon_tls_certificate_describe_errors (GTlsCertificateFlags  errors);
GError  *buzon_tls_certificate_untrusted_error (const char           *host,
                                                GTlsCertificateFlags  errors);

G_END_DECLS
