// BuzonSmtpReply: one SMTP server reply and the words an error quotes.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "smtp-reply.h"

G_DEFINE_BOXED_TYPE (BuzonSmtpReply, buzon_smtp_reply, buzon_smtp_reply_copy,
                     buzon_smtp_reply_free)

BuzonSmtpReply *
buzon_smtp_reply_copy (const BuzonSmtpReply *self)
{
  BuzonSmtpReply *copy = g_new (BuzonSmtpReply, 1);

  *copy = *self;
  copy->lines = g_strdupv (self->lines);
  return copy;
}

void
buzon_smtp_reply_free (BuzonSmtpReply *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->lines);
  g_free (self);
}

/* A 2xx or 3xx reply: what was asked for was done, or may go on. */
gboolean
buzon_smtp_reply_is_positive (const BuzonSmtpReply *self)
{
  return self->code >= 200 && self->code < 400;
}

/* A 4xx reply: refused for now, worth trying again later. */
gboolean
buzon_smtp_reply_is_transient (const BuzonSmtpReply *self)
{
  return self->code >= 400 && self->code < 500;
}

/* "5.1.1", or NULL when the reply has no enhanced status code. */
char *
buzon_smtp_reply_dup_enhanced (const BuzonSmtpReply *self)
{
  if (!self->has_enhanced)
    return NULL;
  return g_strdup_printf ("%u.%u.%u", self->enhanced_class, self->enhanced_subject,
                          self->enhanced_detail);
}

/**
 * buzon_smtp_reply_to_string:
 *
 * Returns: the reply as the server's words to quote: "550 5.1.1 No such
 *   user", the lines of a multi-line reply joined by spaces.
 */
char *
buzon_smtp_reply_to_string (const BuzonSmtpReply *self)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%u", self->code);
  if (self->has_enhanced)
    g_string_append_printf (out, " %u.%u.%u", self->enhanced_class, self->enhanced_subject,
                            self->enhanced_detail);
  for (guint i = 0; self->lines[i] != NULL; i++)
    if (self->lines[i][0] != '\0')
      g_string_append_printf (out, " %s", self->lines[i]);
  return g_string_free (out, FALSE);
}
