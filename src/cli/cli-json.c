// Writing the JSON that `buzon-cli … --json` prints.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "cli-json.h"

/* Appends @text as a JSON string. Invalid UTF-8 (a mail header can hold
 * anything) becomes U+FFFD, so the output is always valid JSON. */
void
buzon_cli_json_string (GString    *out,
                       const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);

  g_string_append_c (out, '"');
  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = *p;
      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
        }
    }
  g_string_append_c (out, '"');
}

/* As buzon_cli_json_string(), with null for a missing @text. */
void
buzon_cli_json_nullable_string (GString    *out,
                                const char *text)
{
  if (text == NULL)
    g_string_append (out, "null");
  else
    buzon_cli_json_string (out, text);
}
