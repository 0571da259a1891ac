// BuzonAccount: one mail account's identity and servers, as configured.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib-object.h>

#include "server-url.h"

G_BEGIN_DECLS

/* Days of recent mail whose bodies a sync pass downloads, unless the
 * account says otherwise (accounts.conf: PrefetchDays). */
#define BUZON_ACCOUNT_DEFAULT_PREFETCH_DAYS 14
#define BUZON_ACCOUNT_MAX_PREFETCH_DAYS     36500

/* Seconds a sent message waits in the outbox, in which Undo takes it back
 * (accounts.conf: UndoSeconds; 0: none). */
#define BUZON_ACCOUNT_DEFAULT_UNDO_SECONDS 5
#define BUZON_ACCOUNT_MAX_UNDO_SECONDS     60

/* Whether the IMAP connection asks for COMPRESS=DEFLATE (accounts.conf:
 * Compress = true or false; without it, automatic). */
typedef enum
{
  BUZON_ACCOUNT_COMPRESSION_AUTO, /* Where the server offers it, but not on loopback. */
  BUZON_ACCOUNT_COMPRESSION_ON,   /* Where the server offers it. */
  BUZON_ACCOUNT_COMPRESSION_OFF,
} BuzonAccountCompression;

#define BUZON_TYPE_ACCOUNT_COMPRESSION (buzon_account_compression_get_type ())
GType buzon_account_compression_get_type (void) G_GNUC_CONST;

#define BUZON_TYPE_ACCOUNT (buzon_account_get_type ())

G_DECLARE_FINAL_TYPE (BuzonAccount, buzon_account, BUZON, ACCOUNT, GObject)

BuzonAccount         *buzon_account_new                      (const char           *id,
                                                              const char           *display_name,
                                                              const char           *address,
                                                              const BuzonServerUrl *imap,
                                                              const BuzonServerUrl *smtp);
const char           *buzon_account_get_id                   (BuzonAccount         *self);
const char           *buzon_account_get_display_name         (BuzonAccount         *self);
const char           *buzon_account_get_address              (BuzonAccount         *self);
const BuzonServerUrl *buzon_account_get_imap_url             (BuzonAccount         *self);
const BuzonServerUrl *buzon_account_get_smtp_url             (BuzonAccount         *self);
const char * const   *buzon_account_get_trusted_certificates (BuzonAccount         *self);
void                  buzon_account_set_trusted_certificates (BuzonAccount         *self,
                                                              const char * const   *fingerprints);
const char           *buzon_account_get_password_command     (BuzonAccount         *self);
void                  buzon_account_set_password_command     (BuzonAccount         *self,
                                                              const char           *command);
guint                 buzon_account_get_prefetch_days        (BuzonAccount         *self);
void                  buzon_account_set_prefetch_days        (BuzonAccount         *self,
                                                              guint                 days);
guint                 buzon_account_get_undo_seconds         (BuzonAccount         *self);
void                  buzon_account_set_undo_seconds         (BuzonAccount         *self,
                                                              guint                 seconds);
BuzonAccountCompression buzon_account_get_compression     (BuzonAccount         *self);
void                  buzon_account_set_compression          (BuzonAccount         *self,
                                                              BuzonAccountCompression compression);
gboolean              buzon_account_wants_compression        (BuzonAccount         *self);
gboolean              buzon_account_trusts_certificate       (BuzonAccount         *self,
                                                              const char           *sha256_hex);
gboolean              buzon_account_id_is_valid              (const char           *id);

G_END_DECLS
