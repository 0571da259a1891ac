// libFuzzer target for BuzonSmtpReplyParser. Beyond "no crash, no leak, no
// undefined behaviour", it checks resumability: the same bytes fed whole and
// fed in chunks (sizes taken from the input) must give the same replies and
// the same error, and what the parser holds stays within its bounds.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <stdint.h>
#include <string.h>

#include "smtp/smtp-reply-parser.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const BuzonSmtpReplyParserLimits limits = {
  .max_line = 512,
  .max_lines = 16,
};

static GString *
run (const uint8_t *data,
     size_t         size,
     guint          chunk_seed)
{
  g_autoptr (BuzonSmtpReplyParser) parser = buzon_smtp_reply_parser_new (&limits);
  GString *out = g_string_new (NULL);
  size_t offset = 0;

  while (offset < size)
    {
      size_t chunk = chunk_seed == 0 ? size : 1 + (chunk_seed + offset * 7) % 13;
      BuzonSmtpReply *reply;
      GError *error = NULL;

      chunk = MIN (chunk, size - offset);
      buzon_smtp_reply_parser_feed (parser, (const char *) data + offset, chunk);
      offset += chunk;
      while ((reply = buzon_smtp_reply_parser_next (parser, &error)) != NULL)
        {
          char *text = buzon_smtp_reply_to_string (reply);
          char *enhanced = buzon_smtp_reply_dup_enhanced (reply);

          if (reply->code < 200 || reply->code > 559 || reply->lines[0] == NULL
              || g_strv_length (reply->lines) > limits.max_lines
              || (reply->has_enhanced && reply->enhanced_class != reply->code / 100))
            __builtin_trap ();
          for (guint i = 0; reply->lines[i] != NULL; i++)
            if (!g_utf8_validate (reply->lines[i], -1, NULL))
              __builtin_trap ();
          g_string_append_printf (out, "%s|%s|%u\n", text, enhanced != NULL ? enhanced : "",
                                  g_strv_length (reply->lines));
          g_free (enhanced);
          g_free (text);
          buzon_smtp_reply_free (reply);
        }
      if (error != NULL)
        {
          g_string_append_printf (out, "error %d\n", error->code);
          g_error_free (error);
          break;
        }
      /* One partial line (and its CR) beyond the lines of one reply, at most. */
      if (buzon_smtp_reply_parser_get_buffered (parser)
          > (limits.max_line + 2) * (limits.max_lines + 1) + chunk)
        __builtin_trap ();
    }
  return out;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GString *whole;
  GString *chunked;

  if (size == 0)
    return 0;
  whole = run (data + 1, size - 1, 0);
  chunked = run (data + 1, size - 1, data[0]);
  if (!g_string_equal (whole, chunked))
    {
      g_printerr ("whole:\n%s\nchunked:\n%s\n", whole->str, chunked->str);
      __builtin_trap ();
    }
  g_string_free (whole, TRUE);
  g_string_free (chunked, TRUE);
  return 0;
}
