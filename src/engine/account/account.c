// BuzonAccount: one mail account's identity and servers, as configured.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "account.h"

struct _BuzonAccount
{
  GObject parent_instance;

  char *id;
  char *display_name;
  char *address;
  BuzonServerUrl *imap;
  BuzonServerUrl *smtp;
  GStrv trusted_certificates; /* "sha256:<64 lower-case hex digits>" */
  char *password_command;     /* NULL: the passwords are in the keyring. */
  guint prefetch_days;        /* Bodies of mail newer than this are fetched at sync; 0: none. */
  guint undo_seconds;         /* A sent message waits this long for an Undo. */
  BuzonAccountCompression compression;
};

G_DEFINE_FINAL_TYPE (BuzonAccount, buzon_account, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (BuzonAccountCompression, buzon_account_compression,
                    G_DEFINE_ENUM_VALUE (BUZON_ACCOUNT_COMPRESSION_AUTO, "auto"),
                    G_DEFINE_ENUM_VALUE (BUZON_ACCOUNT_COMPRESSION_ON, "on"),
                    G_DEFINE_ENUM_VALUE (BUZON_ACCOUNT_COMPRESSION_OFF, "off"))

enum
{
  PROP_0,
  PROP_ID,
  PROP_DISPLAY_NAME,
  PROP_ADDRESS,
  PROP_IMAP_URL,
  PROP_SMTP_URL,
  PROP_TRUSTED_CERTIFICATES,
  PROP_PASSWORD_COMMAND,
  PROP_PREFETCH_DAYS,
  PROP_UNDO_SECONDS,
  PROP_COMPRESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
buzon_account_finalize (GObject *object)
{
  BuzonAccount *self = BUZON_ACCOUNT (object);

  g_free (self->id);
  g_free (self->display_name);
  g_free (self->address);
  g_clear_pointer (&self->imap, buzon_server_url_free);
  g_clear_pointer (&self->smtp, buzon_server_url_free);
  g_strfreev (self->trusted_certificates);
  g_free (self->password_command);

  G_OBJECT_CLASS (buzon_account_parent_class)->finalize (object);
}

static void
buzon_account_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BuzonAccount *self = BUZON_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_IMAP_URL:
      g_value_set_boxed (value, self->imap);
      break;
    case PROP_SMTP_URL:
      g_value_set_boxed (value, self->smtp);
      break;
    case PROP_TRUSTED_CERTIFICATES:
      g_value_set_boxed (value, self->trusted_certificates);
      break;
    case PROP_PASSWORD_COMMAND:
      g_value_set_string (value, self->password_command);
      break;
    case PROP_PREFETCH_DAYS:
      g_value_set_uint (value, self->prefetch_days);
      break;
    case PROP_UNDO_SECONDS:
      g_value_set_uint (value, self->undo_seconds);
      break;
    case PROP_COMPRESSION:
      g_value_set_enum (value, self->compression);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_account_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  BuzonAccount *self = BUZON_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_DISPLAY_NAME:
      self->display_name = g_value_dup_string (value);
      break;
    case PROP_ADDRESS:
      self->address = g_value_dup_string (value);
      break;
    case PROP_IMAP_URL:
      self->imap = g_value_dup_boxed (value);
      break;
    case PROP_SMTP_URL:
      self->smtp = g_value_dup_boxed (value);
      break;
    case PROP_TRUSTED_CERTIFICATES:
      buzon_account_set_trusted_certificates (self, g_value_get_boxed (value));
      break;
    case PROP_PASSWORD_COMMAND:
      buzon_account_set_password_command (self, g_value_get_string (value));
      break;
    case PROP_PREFETCH_DAYS:
      buzon_account_set_prefetch_days (self, g_value_get_uint (value));
      break;
    case PROP_UNDO_SECONDS:
      buzon_account_set_undo_seconds (self, g_value_get_uint (value));
      break;
    case PROP_COMPRESSION:
      buzon_account_set_compression (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_account_class_init (BuzonAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = buzon_account_finalize;
  object_class->get_property = buzon_account_get_property;
  object_class->set_property = buzon_account_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, construct);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL,
                                                       construct);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, construct);
  properties[PROP_IMAP_URL] = g_param_spec_boxed ("imap-url", NULL, NULL, BUZON_TYPE_SERVER_URL,
                                                  construct);
  properties[PROP_SMTP_URL] = g_param_spec_boxed ("smtp-url", NULL, NULL, BUZON_TYPE_SERVER_URL,
                                                  construct);
  properties[PROP_TRUSTED_CERTIFICATES] =
    g_param_spec_boxed ("trusted-certificates", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PASSWORD_COMMAND] =
    g_param_spec_string ("password-command", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BuzonAccount:prefetch-days:
   *
   * After each sync pass, the bodies of the messages that arrived in the
   * last this many days are downloaded (when the cache lacks them), so that
   * recent mail can be read and searched offline. 0 turns it off.
   */
  properties[PROP_PREFETCH_DAYS] =
    g_param_spec_uint ("prefetch-days", NULL, NULL, 0, BUZON_ACCOUNT_MAX_PREFETCH_DAYS,
                       BUZON_ACCOUNT_DEFAULT_PREFETCH_DAYS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BuzonAccount:undo-seconds:
   *
   * How long a sent message waits in the outbox before it goes, so that
   * the user can take it back; 0 sends at once.
   */
  properties[PROP_UNDO_SECONDS] =
    g_param_spec_uint ("undo-seconds", NULL, NULL, 0, BUZON_ACCOUNT_MAX_UNDO_SECONDS,
                       BUZON_ACCOUNT_DEFAULT_UNDO_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BuzonAccount:compression:
   *
   * Whether the IMAP connection is compressed (COMPRESS=DEFLATE, RFC 4978)
   * where the server offers it. Automatic: yes, but not to a server on this
   * computer (a local Dovecot, a bridge such as Proton's), where there is
   * no bandwidth to save and deflating costs both sides time.
   */
  properties[PROP_COMPRESSION] =
    g_param_spec_enum ("compression", NULL, NULL, BUZON_TYPE_ACCOUNT_COMPRESSION,
                       BUZON_ACCOUNT_COMPRESSION_AUTO,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
buzon_account_init (BuzonAccount *self)
{
  self->trusted_certificates = g_new0 (char *, 1);
  self->prefetch_days = BUZON_ACCOUNT_DEFAULT_PREFETCH_DAYS;
  self->undo_seconds = BUZON_ACCOUNT_DEFAULT_UNDO_SECONDS;
}

/**
 * buzon_account_id_is_valid:
 *
 * An account id names the account's cache folder and config group: ASCII
 * letters, digits, "-", "_" and ".", not starting with ".", at most 64 bytes.
 */
gboolean
buzon_account_id_is_valid (const char *id)
{
  gsize length;

  if (id == NULL || id[0] == '\0' || id[0] == '.')
    return FALSE;
  length = strlen (id);
  if (length > 64)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_' && id[i] != '.')
      return FALSE;
  return TRUE;
}

BuzonAccount *
buzon_account_new (const char           *id,
                   const char           *display_name,
                   const char           *address,
                   const BuzonServerUrl *imap,
                   const BuzonServerUrl *smtp)
{
  g_return_val_if_fail (buzon_account_id_is_valid (id), NULL);
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (imap != NULL && imap->protocol == BUZON_SERVER_PROTOCOL_IMAP, NULL);
  g_return_val_if_fail (smtp != NULL && smtp->protocol == BUZON_SERVER_PROTOCOL_SMTP, NULL);

  return g_object_new (BUZON_TYPE_ACCOUNT, "id", id, "display-name",
                       display_name != NULL ? display_name : "", "address", address,
                       "imap-url", imap, "smtp-url", smtp, NULL);
}

const char *
buzon_account_get_id (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->id;
}

/* The name to show: the configured one, else the address. */
const char *
buzon_account_get_display_name (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->display_name != NULL && self->display_name[0] != '\0' ? self->display_name
                                                                      : self->address;
}

const char *
buzon_account_get_address (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->address;
}

const BuzonServerUrl *
buzon_account_get_imap_url (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->imap;
}

const BuzonServerUrl *
buzon_account_get_smtp_url (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->smtp;
}

const char * const *
buzon_account_get_trusted_certificates (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return (const char * const *) self->trusted_certificates;
}

void
buzon_account_set_trusted_certificates (BuzonAccount       *self,
                                        const char * const *fingerprints)
{
  g_auto (GStrv) old = NULL;

  g_return_if_fail (BUZON_IS_ACCOUNT (self));

  if (fingerprints != NULL && self->trusted_certificates != NULL
      && g_strv_equal (fingerprints, (const char * const *) self->trusted_certificates))
    return;
  old = g_steal_pointer (&self->trusted_certificates);
  self->trusted_certificates = fingerprints != NULL ? g_strdupv ((char **) fingerprints)
                                                    : g_new0 (char *, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRUSTED_CERTIFICATES]);
}

/**
 * buzon_account_get_password_command:
 *
 * Returns: (nullable): the shell command that prints the account's password
 *   (see BuzonCommandCredentials), or %NULL when its passwords are in the
 *   keyring.
 */
const char *
buzon_account_get_password_command (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->password_command;
}

/* @command: (nullable): a shell command line; %NULL or "" for none. */
void
buzon_account_set_password_command (BuzonAccount *self,
                                    const char   *command)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));

  if (command != NULL && command[0] == '\0')
    command = NULL;
  if (g_strcmp0 (command, self->password_command) == 0)
    return;
  g_free (self->password_command);
  self->password_command = g_strdup (command);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD_COMMAND]);
}

/* @sha256_hex: the certificate's SHA-256, as hex digits in either case. */
gboolean
buzon_account_trusts_certificate (BuzonAccount *self,
                                  const char   *sha256_hex)
{
  g_autofree char *wanted = NULL;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (sha256_hex != NULL, FALSE);

  wanted = g_strconcat ("sha256:", sha256_hex, NULL);
  for (guint i = 0; self->trusted_certificates[i] != NULL; i++)
    if (g_ascii_strcasecmp (self->trusted_certificates[i], wanted) == 0)
      return TRUE;
  return FALSE;
}

/**
 * buzon_account_get_prefetch_days:
 *
 * Returns: how many days of recent mail have their bodies downloaded after
 *   each sync pass; 0 when none are
 */
guint
buzon_account_get_prefetch_days (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), 0);
  return self->prefetch_days;
}

void
buzon_account_set_prefetch_days (BuzonAccount *self,
                                 guint         days)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));

  days = MIN (days, BUZON_ACCOUNT_MAX_PREFETCH_DAYS);
  if (days == self->prefetch_days)
    return;
  self->prefetch_days = days;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREFETCH_DAYS]);
}

BuzonAccountCompression
buzon_account_get_compression (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), BUZON_ACCOUNT_COMPRESSION_AUTO);
  return self->compression;
}

void
buzon_account_set_compression (BuzonAccount           *self,
                               BuzonAccountCompression compression)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  g_return_if_fail (compression <= BUZON_ACCOUNT_COMPRESSION_OFF);

  if (compression == self->compression)
    return;
  self->compression = compression;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPRESSION]);
}

/**
 * buzon_account_wants_compression:
 *
 * Returns: whether an IMAP connection of the account asks for COMPRESS
 *   where offered: #BuzonAccount:compression, automatic deciding by the
 *   server's address
 */
gboolean
buzon_account_wants_compression (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), FALSE);

  switch (self->compression)
    {
    case BUZON_ACCOUNT_COMPRESSION_ON:
      return TRUE;
    case BUZON_ACCOUNT_COMPRESSION_OFF:
      return FALSE;
    case BUZON_ACCOUNT_COMPRESSION_AUTO:
    default:
      return !buzon_server_url_is_loopback (self->imap);
    }
}

/**
 * buzon_account_get_undo_seconds:
 *
 * Returns: how many seconds a sent message waits for an Undo
 */
guint
buzon_account_get_undo_seconds (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), 0);
  return self->undo_seconds;
}

void
buzon_account_set_undo_seconds (BuzonAccount *self,
                                guint         seconds)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));

  seconds = MIN (seconds, BUZON_ACCOUNT_MAX_UNDO_SECONDS);
  if (seconds == self->undo_seconds)
    return;
  self->undo_seconds = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNDO_SECONDS]);
}
