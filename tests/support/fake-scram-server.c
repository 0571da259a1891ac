// The server side of SCRAM-SHA-256 for the scripted fake servers, written
// apart from the client's (src/engine/net/scram.c) so that the two check
// each other; RFC 7677's test vector checks both.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "fake-scram-server.h"

#include <string.h>

#define KEY_SIZE 32

struct _BuzonTestFakeScram
{
  GMutex mutex; /* The responders run on the fake server's thread. */
  char *user;
  char *password;
  guint iterations;
  char *prefix;
  char *final_prefix;      /* Before server-final, where not @prefix. */
  gboolean bad_signature;
  char *client_first;      /* As decoded, gs2 header included. */
  char *client_first_bare;
  char *server_first;
  char *nonce;
  gboolean proof_checked;  /* The client's proof was right. */
};

BuzonTestFakeScram *
buzon_test_fake_scram_new (const char *user,
                           const char *password,
                           guint       iterations,
                           const char *prefix)
{
  BuzonTestFakeScram *self = g_new0 (BuzonTestFakeScram, 1);

  g_mutex_init (&self->mutex);
  self->user = g_strdup (user);
  self->password = g_strdup (password);
  self->iterations = iterations;
  self->prefix = g_strdup (prefix);
  return self;
}

void
buzon_test_fake_scram_free (BuzonTestFakeScram *self)
{
  g_mutex_clear (&self->mutex);
  g_free (self->user);
  g_free (self->password);
  g_free (self->prefix);
  g_free (self->final_prefix);
  g_free (self->client_first);
  g_free (self->client_first_bare);
  g_free (self->server_first);
  g_free (self->nonce);
  g_free (self);
}

void
buzon_test_fake_scram_set_bad_signature (BuzonTestFakeScram *self)
{
  self->bad_signature = TRUE;
}

/* Server-final goes after @prefix instead, such as "235 2.7.0 " for the
 * SMTP servers that send it with their success reply. */
void
buzon_test_fake_scram_set_final_prefix (BuzonTestFakeScram *self,
                                        const char         *prefix)
{
  g_free (self->final_prefix);
  self->final_prefix = g_strdup (prefix);
}

static void
hmac (const guint8 *key,
      gsize         key_length,
      const char   *data,
      gsize         length,
      guint8       *out)
{
  g_autoptr (GHmac) h = g_hmac_new (G_CHECKSUM_SHA256, key, key_length);
  gsize size = KEY_SIZE;

  g_hmac_update (h, (const guchar *) data, length);
  g_hmac_get_digest (h, out, &size);
}

/* The message in the last word of @line, decoded. */
static char *
decode_last_word (const char *line)
{
  const char *space = strrchr (line, ' ');
  gsize length = 0;
  guchar *data = g_base64_decode (space != NULL ? space + 1 : line, &length);
  char *text = g_strndup ((const char *) data, length);

  g_free (data);
  return text;
}

static char *
answer (BuzonTestFakeScram *self,
        const char         *message,
        gboolean            final)
{
  g_autofree char *encoded = g_base64_encode ((const guchar *) message, strlen (message));

  return g_strconcat (final && self->final_prefix != NULL ? self->final_prefix : self->prefix,
                      encoded, NULL);
}

char *
buzon_test_fake_scram_first_cb (const char *line,
                                gpointer    user_data)
{
  BuzonTestFakeScram *self = user_data;
  g_autofree char *expected_start = g_strdup_printf ("n,,n=%s,r=", self->user);
  g_autofree char *message = NULL;

  g_mutex_lock (&self->mutex);
  self->client_first = decode_last_word (line);
  if (g_str_has_prefix (self->client_first, expected_start))
    {
      self->client_first_bare = g_strdup (self->client_first + 3);
      self->nonce = g_strconcat (self->client_first + strlen (expected_start), "fake+server/nonce",
                                 NULL);
    }
  else
    {
      self->client_first_bare = g_strdup ("?");
      self->nonce = g_strdup ("?");
    }
  self->server_first = g_strdup_printf ("r=%s,s=QSXCR+Q6sek8bf92,i=%u", self->nonce,
                                        self->iterations);
  message = answer (self, self->server_first, FALSE);
  g_mutex_unlock (&self->mutex);
  return g_steal_pointer (&message);
}

char *
buzon_test_fake_scram_final_cb (const char *line,
                                gpointer    user_data)
{
  BuzonTestFakeScram *self = user_data;
  g_autofree char *client_final = decode_last_word (line);
  g_autofree char *without_proof = NULL;
  g_autofree char *auth_message = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *proof_base64 = NULL;
  g_autofree char *signature_base64 = NULL;
  g_autofree char *server_final = NULL;
  g_autofree guchar *salt = NULL;
  gsize salt_length = 0;
  guint8 salted[KEY_SIZE], u[KEY_SIZE], client_key[KEY_SIZE], stored_key[KEY_SIZE];
  guint8 signature[KEY_SIZE], proof[KEY_SIZE], server_key[KEY_SIZE];
  gsize size = KEY_SIZE;
  char *result;

  g_mutex_lock (&self->mutex);
  /* Hi(): PBKDF2-HMAC-SHA-256, one block. */
  salt = g_base64_decode ("QSXCR+Q6sek8bf92", &salt_length);
  {
    g_autofree char *block = g_malloc (salt_length + 4);

    memcpy (block, salt, salt_length);
    memcpy (block + salt_length, "\0\0\0\1", 4);
    hmac ((const guint8 *) self->password, strlen (self->password), block, salt_length + 4, u);
    memcpy (salted, u, KEY_SIZE);
    for (guint i = 1; i < self->iterations; i++)
      {
        hmac ((const guint8 *) self->password, strlen (self->password), (const char *) u,
              KEY_SIZE, u);
        for (guint j = 0; j < KEY_SIZE; j++)
          salted[j] ^= u[j];
      }
  }
  hmac (salted, KEY_SIZE, "Client Key", 10, client_key);
  {
    g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

    g_checksum_update (checksum, client_key, KEY_SIZE);
    g_checksum_get_digest (checksum, stored_key, &size);
  }
  without_proof = g_strdup_printf ("c=biws,r=%s", self->nonce);
  auth_message = g_strdup_printf ("%s,%s,%s", self->client_first_bare, self->server_first,
                                  without_proof);
  hmac (stored_key, KEY_SIZE, auth_message, strlen (auth_message), signature);
  for (guint i = 0; i < KEY_SIZE; i++)
    proof[i] = client_key[i] ^ signature[i];
  proof_base64 = g_base64_encode (proof, KEY_SIZE);
  expected = g_strconcat (without_proof, ",p=", proof_base64, NULL);
  if (!g_str_equal (client_final, expected))
    {
      result = answer (self, "e=invalid-proof", FALSE);
      g_mutex_unlock (&self->mutex);
      return result;
    }
  self->proof_checked = TRUE;
  hmac (salted, KEY_SIZE, "Server Key", 10, server_key);
  hmac (server_key, KEY_SIZE, auth_message, strlen (auth_message), signature);
  if (self->bad_signature)
    signature[0] ^= 1;
  signature_base64 = g_base64_encode (signature, KEY_SIZE);
  server_final = g_strconcat ("v=", signature_base64, NULL);
  result = answer (self, server_final, TRUE);
  g_mutex_unlock (&self->mutex);
  return result;
}

/* TRUE once a client-final message came with the right proof. */
gboolean
buzon_test_fake_scram_proof_checked (BuzonTestFakeScram *self)
{
  gboolean checked;

  g_mutex_lock (&self->mutex);
  checked = self->proof_checked;
  g_mutex_unlock (&self->mutex);
  return checked;
}

/* The client-first message as decoded, or NULL before it came. */
const char *
buzon_test_fake_scram_get_client_first (BuzonTestFakeScram *self)
{
  const char *first;

  g_mutex_lock (&self->mutex);
  first = self->client_first;
  g_mutex_unlock (&self->mutex);
  return first;
}
