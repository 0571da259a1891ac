// BuzonScram: the client side of SCRAM-SHA-256 (RFC 5802, RFC 7677), a pure
// state machine shared by the IMAP and SMTP logins: no I/O.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The exchange, in the messages this object makes and takes (the protocols
// carry them in base64, which the callers add and remove):
//
//   client-first  "n,,n=USER,r=CNONCE"         buzon_scram_get_client_first()
//   server-first  "r=CNONCE SNONCE,s=SALT,i=N" buzon_scram_handle_server_first()
//   client-final  "c=biws,r=NONCE,p=PROOF"     (its result)
//   server-final  "v=SIGNATURE" or "e=ERROR"   buzon_scram_handle_server_final()
//
// No channel binding ("n,,": the -PLUS variant is not offered) and no
// authorization identity. The password never leaves: the proof shows the
// server we know it, the server's signature shows us that the server knows
// it too (or a key derived from it), which an impostor that merely accepts
// any login cannot. A server message that breaks the grammar, a nonce that
// is not ours plus more, fewer than 4096 iterations or a wrong signature
// end the exchange with an error, and the object refuses to go on.
//
// Passwords are prepared with SASLprep (RFC 4013), as RFC 5802 §2.2 asks:
// the non-ASCII spaces become spaces, the characters "commonly mapped to
// nothing" go, the result is NFKC-normalized, and control characters,
// private-use and non-character code points and the other prohibited
// characters make the password one that cannot be sent (the callers then
// say so). Two parts of RFC 3454 are not applied, for want of Unicode
// tables GLib does not have: the bidirectional rule (§6), and the check for
// code points unassigned in Unicode 3.2 (a "query" string may hold them).
// SASLprep leaves ASCII passwords as they are, and most others (text in
// NFC without compatibility characters); a password it changes may not work
// with a server that derives its keys from the unprepared password, as
// Dovecot 2.3 does, so the logins prefer PLAIN for such a password where the
// server offers it (see buzon_scram_saslprep()). User names are sent as they
// are (escaped as RFC 5802 says), since servers look them up byte for byte.
//
// The salted password and the keys are wiped when the object is freed.
// PBKDF2 runs where buzon_scram_handle_server_first() is called: a few
// milliseconds at 4096 iterations, proportionally more for a server that asks
// more (up to BUZON_SCRAM_MAX_ITERATIONS).

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/random.h>

#include "scram.h"

#define KEY_SIZE 32 /* SHA-256. */
#define CLIENT_NONCE_BYTES 24

typedef enum
{
  STATE_NEW,        /* Nothing was sent. */
  STATE_FIRST_SENT, /* The client-first message went out. */
  STATE_FINAL_SENT, /* The client-final message went out. */
  STATE_VERIFIED,   /* The server's signature is right. */
  STATE_FAILED,
} State;

struct _BuzonScram
{
  State state;
  char *saslname;          /* The user, "=" and "," escaped. */
  char *password;          /* Prepared with SASLprep; wiped. */
  char *client_nonce;
  char *client_first_bare; /* "n=USER,r=CNONCE": part of the AuthMessage. */
  guint8 server_signature[KEY_SIZE];
};

G_DEFINE_QUARK (buzon-scram-error-quark, buzon_scram_error)

/* RFC 3454 B.1: "commonly mapped to nothing". */
static gboolean
is_mapped_to_nothing (gunichar c)
{
  return c == 0x00AD || c == 0x034F || c == 0x1806 || (c >= 0x180B && c <= 0x180D)
         || (c >= 0x200B && c <= 0x200D) || c == 0x2060 || (c >= 0xFE00 && c <= 0xFE0F)
         || c == 0xFEFF;
}

/* RFC 3454 C.1.2: non-ASCII spaces (U+200B is in B.1 and already gone). */
static gboolean
is_non_ascii_space (gunichar c)
{
  return c == 0x00A0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F
         || c == 0x205F || c == 0x3000;
}

/* RFC 4013 §2.3: the tables of RFC 3454 that SASLprep prohibits (C.1.2, the
 * non-ASCII spaces, were mapped to spaces before). */
static gboolean
is_prohibited (gunichar c)
{
  return c < 0x20 || c == 0x7F                                      /* C.2.1 */
         || (c >= 0x80 && c <= 0x9F) || c == 0x06DD || c == 0x070F  /* C.2.2 */
         || c == 0x180E || c == 0x200C || c == 0x200D || c == 0x2028 || c == 0x2029
         || (c >= 0x2060 && c <= 0x2063) || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF
         || (c >= 0xFFF9 && c <= 0xFFFD) || (c >= 0x1D173 && c <= 0x1D17A) /* and C.6 */
         || (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xF0000 && c <= 0xFFFFD) /* C.3 */
         || (c >= 0x100000 && c <= 0x10FFFD)
         || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE          /* C.4 */
         || (c >= 0xD800 && c <= 0xDFFF)                                   /* C.5 */
         || (c >= 0x2FF0 && c <= 0x2FFB)                                   /* C.7 */
         || c == 0x0340 || c == 0x0341 || c == 0x200E || c == 0x200F       /* C.8 */
         || (c >= 0x202A && c <= 0x202E)
         || c == 0xE0001 || (c >= 0xE0020 && c <= 0xE007F);                /* C.9 */
}

static GError *
invalid_password (void)
{
  return g_error_new (BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_INVALID_CREDENTIALS,
                      _("The password contains characters that cannot be sent with "
                        "SCRAM-SHA-256"));
}

/**
 * buzon_scram_saslprep:
 * @text: a password, UTF-8
 *
 * Prepares @text with SASLprep (RFC 4013) as described at the top of this
 * file. A caller that finds the result differs from @text knows that the
 * server may not agree on the password.
 *
 * Returns: (transfer full): the prepared text, or %NULL with
 *   %BUZON_SCRAM_ERROR_INVALID_CREDENTIALS where @text is not UTF-8, is empty
 *   once prepared, or holds a prohibited character.
 */
char *
buzon_scram_saslprep (const char  *text,
                      GError     **error)
{
  g_autoptr (GString) mapped = NULL;
  char *normalized;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_propagate_error (error, invalid_password ());
      return NULL;
    }
  mapped = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_mapped_to_nothing (c))
        continue;
      g_string_append_unichar (mapped, is_non_ascii_space (c) ? ' ' : c);
    }
  normalized = g_utf8_normalize (mapped->str, mapped->len, G_NORMALIZE_NFKC);
  explicit_bzero (mapped->str, mapped->len);
  if (normalized == NULL || normalized[0] == '\0')
    {
      g_free (normalized);
      g_propagate_error (error, invalid_password ());
      return NULL;
    }
  for (const char *p = normalized; *p != '\0'; p = g_utf8_next_char (p))
    if (is_prohibited (g_utf8_get_char (p)))
      {
        explicit_bzero (normalized, strlen (normalized));
        g_free (normalized);
        g_propagate_error (error, invalid_password ());
        return NULL;
      }
  return normalized;
}

/**
 * buzon_scram_password_is_prepared:
 *
 * Returns: %TRUE where SASLprep leaves @password as it is (every ASCII
 *   password without control characters, most others): then any server,
 *   whether it prepares passwords or not, derives the same keys from it.
 */
gboolean
buzon_scram_password_is_prepared (const char *password)
{
  g_autofree char *prepared = buzon_scram_saslprep (password, NULL);
  gboolean same = prepared != NULL && g_str_equal (prepared, password);

  if (prepared != NULL)
    explicit_bzero (prepared, strlen (prepared));
  return same;
}

/* The user as a "saslname" (RFC 5802 §5.1): "=" and "," escaped. */
static char *
escape_saslname (const char *user)
{
  GString *out = g_string_new (NULL);

  for (const char *p = user; *p != '\0'; p++)
    {
      if (*p == '=')
        g_string_append (out, "=3D");
      else if (*p == ',')
        g_string_append (out, "=2C");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* A nonce (RFC 5802 §5.1) is printable ASCII without ",". */
static gboolean
is_nonce (const char *text,
          gsize       length)
{
  if (length == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (text[i] < 0x21 || text[i] > 0x7E || text[i] == ',')
      return FALSE;
  return TRUE;
}

/**
 * buzon_scram_new:
 * @user: the user name, UTF-8 without control characters
 * @password: the password, prepared here with buzon_scram_saslprep()
 * @client_nonce: (nullable): the nonce to send, for tests; %NULL for 24
 *   random bytes from the kernel, in base64
 *
 * Returns: (transfer full): a new exchange, or %NULL with
 *   %BUZON_SCRAM_ERROR_INVALID_CREDENTIALS where the user name or password
 *   cannot be sent.
 */
BuzonScram *
buzon_scram_new (const char  *user,
                 const char  *password,
                 const char  *client_nonce,
                 GError     **error)
{
  g_autoptr (BuzonScram) self = NULL;

  g_return_val_if_fail (user != NULL && password != NULL, NULL);
  g_return_val_if_fail (client_nonce == NULL || is_nonce (client_nonce, strlen (client_nonce)),
                        NULL);

  if (user[0] == '\0' || !g_utf8_validate (user, -1, NULL))
    {
      g_set_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_INVALID_CREDENTIALS,
                   _("The user name cannot be sent with SCRAM-SHA-256"));
      return NULL;
    }
  for (const char *p = user; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7F)
      {
        g_set_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_INVALID_CREDENTIALS,
                     _("The user name cannot be sent with SCRAM-SHA-256"));
        return NULL;
      }

  self = g_new0 (BuzonScram, 1);
  self->password = buzon_scram_saslprep (password, error);
  if (self->password == NULL)
    return NULL;
  self->saslname = escape_saslname (user);
  if (client_nonce != NULL)
    self->client_nonce = g_strdup (client_nonce);
  else
    {
      guint8 random[CLIENT_NONCE_BYTES];
      gsize got = 0;

      /* getrandom() blocks only until the kernel's pool is first seeded, and
       * returns at most 256 bytes at once without interruption. */
      while (got < sizeof random)
        {
          ssize_t n = getrandom (random + got, sizeof random - got, 0);

          if (n > 0)
            got += (gsize) n;
          else if (errno != EINTR)
            g_error ("getrandom() failed: %s", g_strerror (errno));
        }
      self->client_nonce = g_base64_encode (random, sizeof random);
    }
  self->client_first_bare = g_strdup_printf ("n=%s,r=%s", self->saslname, self->client_nonce);
  return g_steal_pointer (&self);
}

void
buzon_scram_free (BuzonScram *self)
{
  if (self == NULL)
    return;
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_free (self->password);
  g_free (self->saslname);
  g_free (self->client_nonce);
  g_free (self->client_first_bare);
  explicit_bzero (self->server_signature, sizeof self->server_signature);
  g_free (self);
}

/**
 * buzon_scram_get_client_first:
 *
 * Returns: (transfer full): the client-first message, "n,,n=USER,r=NONCE",
 *   to send base64-encoded with the AUTHENTICATE or AUTH command. Only once.
 */
char *
buzon_scram_get_client_first (BuzonScram *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == STATE_NEW, NULL);

  self->state = STATE_FIRST_SENT;
  return g_strconcat ("n,,", self->client_first_bare, NULL);
}

static void
hmac (const guint8 *key,
      gsize         key_length,
      const void   *data,
      gsize         length,
      guint8        out[KEY_SIZE])
{
  g_autoptr (GHmac) h = g_hmac_new (G_CHECKSUM_SHA256, key, key_length);
  gsize size = KEY_SIZE;

  g_hmac_update (h, data, length);
  g_hmac_get_digest (h, out, &size);
}

/* Hi() of RFC 5802 §2.2: PBKDF2-HMAC-SHA-256 with one block of output. */
static void
salted_password (const char   *password,
                 const guint8 *salt,
                 gsize         salt_length,
                 guint         iterations,
                 guint8        out[KEY_SIZE])
{
  g_autoptr (GHmac) keyed = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) password,
                                        strlen (password));
  static const guint8 block_one[4] = { 0, 0, 0, 1 };
  guint8 u[KEY_SIZE];

  {
    g_autoptr (GHmac) h = g_hmac_copy (keyed);
    gsize size = KEY_SIZE;

    g_hmac_update (h, salt, salt_length);
    g_hmac_update (h, block_one, sizeof block_one);
    g_hmac_get_digest (h, u, &size);
  }
  memcpy (out, u, KEY_SIZE);
  for (guint i = 1; i < iterations; i++)
    {
      g_autoptr (GHmac) h = g_hmac_copy (keyed);
      gsize size = KEY_SIZE;

      g_hmac_update (h, u, KEY_SIZE);
      g_hmac_get_digest (h, u, &size);
      for (guint j = 0; j < KEY_SIZE; j++)
        out[j] ^= u[j];
    }
  explicit_bzero (u, sizeof u);
}

static char *
fail (BuzonScram *self,
      GError    **error,
      GError     *failure)
{
  self->state = STATE_FAILED;
  g_propagate_error (error, failure);
  return NULL;
}

static GError *
malformed (const char *which)
{
  /* Translators: %s is “server-first” or “server-final”, the names of the
   * messages in RFC 5802. */
  return g_error_new (BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_MALFORMED,
                      _("The server’s SCRAM %s message is malformed"), which);
}

/**
 * buzon_scram_decode_base64:
 * @text: base64 as a server sent it, NUL-terminated
 *
 * Decodes @text strictly, unlike g_base64_decode(): only the base64
 * alphabet, whole groups of four, "=" only as padding at the end.
 *
 * Returns: (transfer full): the bytes, NUL-terminated (not counted in
 *   @length), or %NULL with %BUZON_SCRAM_ERROR_MALFORMED.
 */
guint8 *
buzon_scram_decode_base64 (const char  *text,
                           gsize       *length,
                           GError     **error)
{
  gsize n = strlen (text);
  gsize padding = 0;
  guint8 *data;
  gsize decoded;
  gint state = 0;
  guint save = 0;

  if (n % 4 != 0)
    goto bad;
  while (padding < 2 && padding < n && text[n - 1 - padding] == '=')
    padding++;
  for (gsize i = 0; i < n - padding; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/')
      goto bad;
  data = g_malloc (n / 4 * 3 + 3);
  decoded = g_base64_decode_step (text, n, data, &state, &save);
  data[decoded] = '\0';
  *length = decoded;
  return data;

bad:
  g_set_error (error, BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_MALFORMED,
               _("The server’s SCRAM message is not valid base64"));
  return NULL;
}

/* The value of the attribute "@name=" at @p (which must start with it), up
 * to the next "," or the end, where @p is left. */
static gboolean
take_attribute (const char **p,
                const char  *end,
                char         name,
                const char **value,
                gsize       *value_length)
{
  const char *comma;

  if (end - *p < 2 || (*p)[0] != name || (*p)[1] != '=')
    return FALSE;
  *value = *p + 2;
  comma = memchr (*value, ',', end - *value);
  *value_length = (comma != NULL ? comma : end) - *value;
  *p = *value + *value_length;
  return TRUE;
}

/* Moves @p past the "," before the next attribute; FALSE at the end. */
static gboolean
next_attribute (const char **p,
                const char  *end)
{
  if (*p == end || **p != ',')
    return FALSE;
  (*p)++;
  return TRUE;
}

/* Extensions (RFC 5802 §5.1: "attr-val" with a letter name) may follow the
 * attributes SCRAM defines; none is known, so each is checked and skipped.
 * @p is at the end of the last known attribute. */
static gboolean
only_extensions (const char *p,
                 const char *end)
{
  while (next_attribute (&p, end))
    {
      const char *value;
      gsize length;

      if (p == end || !g_ascii_isalpha (*p) || !take_attribute (&p, end, *p, &value, &length))
        return FALSE;
    }
  return p == end;
}

/**
 * buzon_scram_handle_server_first:
 * @message: the server-first message, decoded from base64
 * @length: its length in bytes
 *
 * Checks @message and computes the proof of the password.
 *
 * Returns: (transfer full): the client-final message, to send base64-encoded;
 *   %NULL with %BUZON_SCRAM_ERROR_MALFORMED, %BUZON_SCRAM_ERROR_NONCE or
 *   %BUZON_SCRAM_ERROR_ITERATIONS, and the exchange cannot go on.
 */
char *
buzon_scram_handle_server_first (BuzonScram  *self,
                                 const char  *message,
                                 gsize        length,
                                 GError     **error)
{
  const char *p = message;
  const char *end = message + length;
  const char *nonce, *salt_text, *iterations_text;
  gsize nonce_length, salt_length, iterations_length, client_nonce_length;
  g_autofree char *salt_base64 = NULL;
  g_autofree guint8 *salt = NULL;
  g_autofree char *without_proof = NULL;
  g_autofree char *auth_message = NULL;
  g_autofree char *proof_base64 = NULL;
  g_autoptr (GError) local_error = NULL;
  guint64 iterations = 0;
  guint8 salted[KEY_SIZE], client_key[KEY_SIZE], stored_key[KEY_SIZE];
  guint8 client_signature[KEY_SIZE], server_key[KEY_SIZE], proof[KEY_SIZE];
  gsize size = KEY_SIZE;
  GChecksum *checksum;
  char *client_final;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->state != STATE_FIRST_SENT)
    return fail (self, error, g_error_new (BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_STATE,
                                           _("The server sent a SCRAM message out of order")));
  /* "m=" (a mandatory extension) comes before "r=": none is known, so it
   * fails here as malformed, as RFC 5802 §5.1 asks. */
  if (memchr (message, '\0', length) != NULL
      || !take_attribute (&p, end, 'r', &nonce, &nonce_length) || !next_attribute (&p, end)
      || !take_attribute (&p, end, 's', &salt_text, &salt_length) || !next_attribute (&p, end)
      || !take_attribute (&p, end, 'i', &iterations_text, &iterations_length)
      || !only_extensions (p, end) || !is_nonce (nonce, nonce_length) || salt_length == 0
      || iterations_length == 0 || iterations_length > 10)
    return fail (self, error, malformed ("server-first"));
  for (gsize i = 0; i < iterations_length; i++)
    {
      if (!g_ascii_isdigit (iterations_text[i]) || (i == 0 && iterations_text[i] == '0'))
        return fail (self, error, malformed ("server-first"));
      iterations = iterations * 10 + (guint64) (iterations_text[i] - '0');
    }
  salt_base64 = g_strndup (salt_text, salt_length);
  salt = buzon_scram_decode_base64 (salt_base64, &salt_length, &local_error);
  if (salt == NULL || salt_length == 0)
    return fail (self, error, malformed ("server-first"));

  /* The server's nonce is ours with its own part after it (RFC 5802 §5.1):
   * anything else is a replay or a server that was not listening. */
  client_nonce_length = strlen (self->client_nonce);
  if (nonce_length <= client_nonce_length
      || memcmp (nonce, self->client_nonce, client_nonce_length) != 0)
    return fail (self, error,
                 g_error_new (BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_NONCE,
                              _("The server answered a SCRAM login with a nonce that is not "
                                "the one this client sent; it may not be the server it claims "
                                "to be")));
  if (iterations < BUZON_SCRAM_MIN_ITERATIONS || iterations > BUZON_SCRAM_MAX_ITERATIONS)
    /* Translators: %u is a number, such as 1000; 4096 is the least RFC 7677
     * allows. */
    return fail (self, error,
                 g_error_new (BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_ITERATIONS,
                              _("The server asked for a SCRAM login with %u iterations, "
                                "outside the safe range of 4096 to 1000000"),
                              (guint) MIN (iterations, G_MAXUINT)));

  /* RFC 5802 §3. */
  salted_password (self->password, salt, salt_length, (guint) iterations, salted);
  hmac (salted, KEY_SIZE, "Client Key", strlen ("Client Key"), client_key);
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, client_key, KEY_SIZE);
  g_checksum_get_digest (checksum, stored_key, &size);
  g_checksum_free (checksum);
  without_proof = g_strdup_printf ("c=biws,r=%.*s", (int) nonce_length, nonce);
  auth_message = g_strdup_printf ("%s,%.*s,%s", self->client_first_bare, (int) length, message,
                                  without_proof);
  hmac (stored_key, KEY_SIZE, auth_message, strlen (auth_message), client_signature);
  for (guint i = 0; i < KEY_SIZE; i++)
    proof[i] = client_key[i] ^ client_signature[i];
  hmac (salted, KEY_SIZE, "Server Key", strlen ("Server Key"), server_key);
  hmac (server_key, KEY_SIZE, auth_message, strlen (auth_message), self->server_signature);
  proof_base64 = g_base64_encode (proof, KEY_SIZE);
  client_final = g_strconcat (without_proof, ",p=", proof_base64, NULL);

  explicit_bzero (salted, sizeof salted);
  explicit_bzero (client_key, sizeof client_key);
  explicit_bzero (stored_key, sizeof stored_key);
  explicit_bzero (server_key, sizeof server_key);
  self->state = STATE_FINAL_SENT;
  return client_final;
}

/**
 * buzon_scram_handle_server_final:
 * @message: the server-final message, decoded from base64
 * @length: its length in bytes
 *
 * Checks the server's signature, in constant time.
 *
 * Returns: %TRUE where the server proved that it knows the password; %FALSE
 *   with %BUZON_SCRAM_ERROR_SERVER_SIGNATURE where it did not,
 *   %BUZON_SCRAM_ERROR_SERVER_REFUSED where it sent an error ("e=", the
 *   server's word quoted), %BUZON_SCRAM_ERROR_MALFORMED or
 *   %BUZON_SCRAM_ERROR_STATE.
 */
gboolean
buzon_scram_handle_server_final (BuzonScram  *self,
                                 const char  *message,
                                 gsize        length,
                                 GError     **error)
{
  const char *p = message;
  const char *end = message + length;
  const char *value;
  gsize value_length;
  g_autofree char *text = NULL;
  g_autofree guint8 *signature = NULL;
  gsize signature_length = 0;
  guint8 difference = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->state != STATE_FINAL_SENT)
    {
      fail (self, error, g_error_new (BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_STATE,
                                      _("The server sent a SCRAM message out of order")));
      return FALSE;
    }
  if (memchr (message, '\0', length) != NULL)
    {
      fail (self, error, malformed ("server-final"));
      return FALSE;
    }
  if (take_attribute (&p, end, 'e', &value, &value_length))
    {
      g_autofree char *word = g_strndup (value, MIN (value_length, 64));

      /* What the server sent goes into a message for the user: printable
       * ASCII only. */
      for (char *c = word; *c != '\0'; c++)
        if (*c < 0x20 || *c > 0x7E)
          *c = '?';
      /* Translators: %s is the server's reason, such as “invalid-proof”. */
      fail (self, error, g_error_new (BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_SERVER_REFUSED,
                                      _("The server refused the SCRAM login (“%s”)"), word));
      return FALSE;
    }
  if (!take_attribute (&p, end, 'v', &value, &value_length) || !only_extensions (p, end))
    {
      fail (self, error, malformed ("server-final"));
      return FALSE;
    }
  text = g_strndup (value, value_length);
  signature = buzon_scram_decode_base64 (text, &signature_length, NULL);
  if (signature == NULL || signature_length != KEY_SIZE)
    {
      fail (self, error, malformed ("server-final"));
      return FALSE;
    }
  for (guint i = 0; i < KEY_SIZE; i++)
    difference |= signature[i] ^ self->server_signature[i];
  if (difference != 0)
    {
      fail (self, error,
            g_error_new (BUZON_SCRAM_ERROR, BUZON_SCRAM_ERROR_SERVER_SIGNATURE,
                         _("The server could not prove that it knows the password: it may "
                           "be an impostor")));
      return FALSE;
    }
  self->state = STATE_VERIFIED;
  return TRUE;
}

/* TRUE once the server's signature was checked and right: only then may a
 * caller believe the server's word that the login succeeded. */
gboolean
buzon_scram_is_verified (BuzonScram *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->state == STATE_VERIFIED;
}
