// libFuzzer target for BuzonImapParser. Beyond "no crash, no leak, no
// undefined behaviour", it checks resumability: the same bytes fed whole and
// fed in chunks (sizes taken from the input) must give the same responses
// and the same error. Every FETCH it returns also goes through the typed
// decoder, which must take whatever the parser accepts.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <stdint.h>
#include <string.h>

#include "imap/imap-fetch.h"
#include "imap/imap-parser.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const BuzonImapParserLimits limits = {
  .max_line = 4096,
  .max_literal = 65536,
  .max_depth = 16,
};

static GString *
run (const uint8_t *data,
     size_t         size,
     guint          chunk_seed)
{
  g_autoptr (BuzonImapParser) parser = buzon_imap_parser_new (&limits);
  GString *out = g_string_new (NULL);
  size_t offset = 0;

  while (offset < size)
    {
      size_t chunk = chunk_seed == 0 ? size : 1 + (chunk_seed + offset * 7) % 13;
      BuzonImapResponse *response;
      GError *error = NULL;

      chunk = MIN (chunk, size - offset);
      buzon_imap_parser_feed (parser, (const char *) data + offset, chunk);
      offset += chunk;
      while ((response = buzon_imap_parser_next (parser, &error)) != NULL)
        {
          char *text = buzon_imap_response_to_string (response);
          g_string_append_printf (out, "%s\n", text);
          g_free (text);
          if (chunk_seed == 0 && g_strcmp0 (response->keyword, "FETCH") == 0)
            buzon_imap_fetch_free (buzon_imap_fetch_decode (response, NULL));
          buzon_imap_response_free (response);
        }
      if (error != NULL)
        {
          g_string_append_printf (out, "error %d\n", error->code);
          g_error_free (error);
          break;
        }
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
  /* An error ends reading at different points depending on chunking only
   * after the last complete response, so both transcripts must agree. */
  if (!g_string_equal (whole, chunked))
    {
      g_printerr ("whole:\n%s\nchunked:\n%s\n", whole->str, chunked->str);
      __builtin_trap ();
    }
  g_string_free (whole, TRUE);
  g_string_free (chunked, TRUE);
  return 0;
}
