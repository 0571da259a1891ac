// BuzonSmtpReply: one SMTP server reply (RFC 5321 §4.2), single- or
// multi-line, with its RFC 3463 enhanced status code when it has one.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct
{
  guint code;             /* 200 to 559: the three digits. */
  gboolean has_enhanced;  /* The first line started with class.subject.detail. */
  guint enhanced_class;   /* 2, 4 or 5: always the code's first digit. */
  guint enhanced_subject; /* 0 to 999. */
  guint enhanced_detail;  /* 0 to 999. */
  GStrv lines;            /* Each line's text, without code, separator or enhanced code;
                           * valid UTF-8 (anything else replaced); at least one, maybe "". */
} BuzonSmtpReply;

#define BUZON_TYPE_SMTP_REPLY (buzon_smtp_reply_get_type ())

GType           buzon_smtp_reply_get_type       (void) G_GNUC_CONST;
BuzonSmtpReply *buzon_smtp_reply_copy           (const BuzonSmtpReply *self);
void            buzon_smtp_reply_free           (BuzonSmtpReply       *self);
gboolean        buzon_smtp_reply_is_positive    (const BuzonSmtpReply *self);
gboolean        buzon_smtp_reply_is_transient   (const BuzonSmtpReply *self);
char           *buzon_smtp_reply_dup_enhanced   (const BuzonSmtpReply *self);
char           *buzon_smtp_reply_to_string      (const BuzonSmtpReply *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonSmtpReply, buzon_smtp_reply_free)

G_END_DECLS
