// BuzonSmtpCapabilities: what a server's EHLO reply says it can do (RFC 5321
// §4.1.1.1 and the extensions a submission client uses).
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib-object.h>

#include "smtp-reply.h"

G_BEGIN_DECLS

typedef enum
{
  BUZON_SMTP_EXTENSION_NONE                = 0,
  BUZON_SMTP_EXTENSION_PIPELINING          = 1 << 0, /* RFC 2920 */
  BUZON_SMTP_EXTENSION_SIZE                = 1 << 1, /* RFC 1870 */
  BUZON_SMTP_EXTENSION_8BITMIME            = 1 << 2, /* RFC 6152 */
  BUZON_SMTP_EXTENSION_SMTPUTF8            = 1 << 3, /* RFC 6531 */
  BUZON_SMTP_EXTENSION_ENHANCEDSTATUSCODES = 1 << 4, /* RFC 2034 */
  BUZON_SMTP_EXTENSION_DSN                 = 1 << 5, /* RFC 3461 */
  BUZON_SMTP_EXTENSION_STARTTLS            = 1 << 6, /* RFC 3207 */
  BUZON_SMTP_EXTENSION_AUTH                = 1 << 7, /* RFC 4954 */
  BUZON_SMTP_EXTENSION_CHUNKING            = 1 << 8, /* RFC 3030 */
} BuzonSmtpExtensions;

typedef struct
{
  BuzonSmtpExtensions extensions;
  guint64 max_size;      /* SIZE's number; 0 when the server names none. */
  GStrv auth_mechanisms; /* Upper case, as offered (AUTH and the old AUTH=). */
  char *domain;          /* The name the server gave on the first line. */
} BuzonSmtpCapabilities;

#define BUZON_TYPE_SMTP_CAPABILITIES (buzon_smtp_capabilities_get_type ())

GType                  buzon_smtp_capabilities_get_type  (void) G_GNUC_CONST;
BuzonSmtpCapabilities *buzon_smtp_capabilities_new       (void);
BuzonSmtpCapabilities *buzon_smtp_capabilities_parse     (const BuzonSmtpReply        *ehlo);
BuzonSmtpCapabilities *buzon_smtp_capabilities_copy      (const BuzonSmtpCapabilities *self);
void                   buzon_smtp_capabilities_free      (BuzonSmtpCapabilities       *self);
gboolean               buzon_smtp_capabilities_has_auth  (const BuzonSmtpCapabilities *self,
                                                          const char                  *mechanism);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonSmtpCapabilities, buzon_smtp_capabilities_free)

G_END_DECLS
