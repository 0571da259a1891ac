// BuzonSmtpCapabilities: what a server's EHLO reply says it can do.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <string.h>

#include "smtp-capabilities.h"

G_DEFINE_BOXED_TYPE (BuzonSmtpCapabilities, buzon_smtp_capabilities,
                     buzon_smtp_capabilities_copy, buzon_smtp_capabilities_free)

/* Nothing offered: what a HELO, or a server before its EHLO, gives. */
BuzonSmtpCapabilities *
buzon_smtp_capabilities_new (void)
{
  BuzonSmtpCapabilities *self = g_new0 (BuzonSmtpCapabilities, 1);

  self->auth_mechanisms = g_new0 (char *, 1);
  self->domain = g_strdup ("");
  return self;
}

static void
add_mechanisms (GPtrArray  *mechanisms,
                char      **words,
                guint       first)
{
  for (guint i = first; words[i] != NULL; i++)
    {
      g_autofree char *upper = g_ascii_strup (words[i], -1);
      gboolean known = upper[0] == '\0';

      for (guint j = 0; j < mechanisms->len && !known; j++)
        known = g_str_equal (mechanisms->pdata[j], upper);
      if (!known)
        g_ptr_array_add (mechanisms, g_steal_pointer (&upper));
    }
}

/**
 * buzon_smtp_capabilities_parse:
 * @ehlo: a 250 reply to EHLO
 *
 * Keywords are matched without regard to case; unknown ones are ignored,
 * as is a SIZE whose number is not one.
 */
BuzonSmtpCapabilities *
buzon_smtp_capabilities_parse (const BuzonSmtpReply *ehlo)
{
  BuzonSmtpCapabilities *self = buzon_smtp_capabilities_new ();
  g_autoptr (GPtrArray) mechanisms = g_ptr_array_new_with_free_func (g_free);
  static const struct
  {
    const char *keyword;
    BuzonSmtpExtensions extension;
  } keywords[] = {
    { "PIPELINING", BUZON_SMTP_EXTENSION_PIPELINING },
    { "SIZE", BUZON_SMTP_EXTENSION_SIZE },
    { "8BITMIME", BUZON_SMTP_EXTENSION_8BITMIME },
    { "SMTPUTF8", BUZON_SMTP_EXTENSION_SMTPUTF8 },
    { "ENHANCEDSTATUSCODES", BUZON_SMTP_EXTENSION_ENHANCEDSTATUSCODES },
    { "DSN", BUZON_SMTP_EXTENSION_DSN },
    { "STARTTLS", BUZON_SMTP_EXTENSION_STARTTLS },
    { "AUTH", BUZON_SMTP_EXTENSION_AUTH },
    { "CHUNKING", BUZON_SMTP_EXTENSION_CHUNKING },
  };

  if (ehlo->lines[0] != NULL)
    {
      g_auto (GStrv) words = g_strsplit (ehlo->lines[0], " ", 2);

      g_free (self->domain);
      self->domain = g_strdup (words[0] != NULL ? words[0] : "");
    }
  for (guint i = 1; ehlo->lines[0] != NULL && ehlo->lines[i] != NULL; i++)
    {
      g_auto (GStrv) words = g_strsplit (ehlo->lines[i], " ", -1);

      if (words[0] == NULL)
        continue;
      /* Old servers (and Outlook's clients' habits) say "AUTH=LOGIN PLAIN". */
      if (g_ascii_strncasecmp (words[0], "AUTH=", 5) == 0)
        {
          g_auto (GStrv) first = g_strsplit (words[0] + 5, " ", 1);

          self->extensions |= BUZON_SMTP_EXTENSION_AUTH;
          add_mechanisms (mechanisms, first, 0);
          add_mechanisms (mechanisms, words, 1);
          continue;
        }
      for (guint k = 0; k < G_N_ELEMENTS (keywords); k++)
        {
          if (g_ascii_strcasecmp (words[0], keywords[k].keyword) != 0)
            continue;
          self->extensions |= keywords[k].extension;
          if (keywords[k].extension == BUZON_SMTP_EXTENSION_AUTH)
            add_mechanisms (mechanisms, words, 1);
          else if (keywords[k].extension == BUZON_SMTP_EXTENSION_SIZE && words[1] != NULL)
            {
              guint64 size = 0;

              if (g_ascii_string_to_unsigned (words[1], 10, 0, G_MAXUINT64, &size, NULL))
                self->max_size = size;
            }
        }
    }
  g_ptr_array_add (mechanisms, NULL);
  g_strfreev (self->auth_mechanisms);
  self->auth_mechanisms = (GStrv) g_ptr_array_steal (mechanisms, NULL);
  return self;
}

BuzonSmtpCapabilities *
buzon_smtp_capabilities_copy (const BuzonSmtpCapabilities *self)
{
  BuzonSmtpCapabilities *copy = g_new0 (BuzonSmtpCapabilities, 1);

  *copy = *self;
  copy->auth_mechanisms = g_strdupv (self->auth_mechanisms);
  copy->domain = g_strdup (self->domain);
  return copy;
}

void
buzon_smtp_capabilities_free (BuzonSmtpCapabilities *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->auth_mechanisms);
  g_free (self->domain);
  g_free (self);
}

gboolean
buzon_smtp_capabilities_has_auth (const BuzonSmtpCapabilities *self,
                                  const char                  *mechanism)
{
  for (guint i = 0; self->auth_mechanisms[i] != NULL; i++)
    if (g_ascii_strcasecmp (self->auth_mechanisms[i], mechanism) == 0)
      return TRUE;
  return FALSE;
}
