// libFuzzer target for BuzonScram: the server's two messages, split at the
// first newline, taken by an exchange that sent RFC 7677's client-first
// message. Beyond "no crash, no leak, no undefined behaviour", it checks that
// a server-first message is only taken with our nonce and a count within
// bounds, and that no server-final message but RFC 7677's own is verified.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <stdint.h>
#include <string.h>

#include "net/scram.h"

#define NONCE "rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_FIRST \
  "r=" NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define RFC_SIGNATURE "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  const char *newline = memchr (text, '\n', size);
  size_t first_length = newline != NULL ? (size_t) (newline - text) : size;
  const char *final = newline != NULL ? newline + 1 : NULL;
  size_t final_length = newline != NULL ? size - first_length - 1 : 0;
  BuzonScram *scram;
  char *first;
  char *client_final;
  const char *count;

  /* Each iteration costs an HMAC: counts above 10^5 would only make the
   * fuzzer slow (the bound itself is checked by test-scram). */
  count = g_strstr_len (text, first_length, ",i=");
  if (count != NULL && first_length - (size_t) (count - text) > 3 + 5
      && g_ascii_isdigit (count[3]) && g_ascii_isdigit (count[8]))
    return 0;

  scram = buzon_scram_new ("user", "pencil", NONCE, NULL);
  first = buzon_scram_get_client_first (scram);
  client_final = buzon_scram_handle_server_first (scram, text, first_length, NULL);
  if (client_final != NULL)
    {
      /* Taken: it starts with our nonce, and so does the client-final one. */
      if (first_length < 2 + strlen (NONCE) || memcmp (text, "r=" NONCE, 2 + strlen (NONCE)) != 0
          || !g_str_has_prefix (client_final, "c=biws,r=" NONCE))
        __builtin_trap ();
      if (final != NULL && buzon_scram_handle_server_final (scram, final, final_length, NULL))
        {
          /* Only RFC 7677's server-first and signature (and extensions after
           * them) are verified. */
          if (first_length < strlen (RFC_SERVER_FIRST)
              || memcmp (text, RFC_SERVER_FIRST, strlen (RFC_SERVER_FIRST)) != 0
              || final_length < strlen (RFC_SIGNATURE)
              || memcmp (final, RFC_SIGNATURE, strlen (RFC_SIGNATURE)) != 0
              || !buzon_scram_is_verified (scram))
            __builtin_trap ();
        }
      else if (buzon_scram_is_verified (scram))
        __builtin_trap ();
    }
  else if (buzon_scram_is_verified (scram))
    __builtin_trap ();
  g_free (client_final);
  g_free (first);
  buzon_scram_free (scram);
  return 0;
}
