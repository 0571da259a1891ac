// BuzonImapQuirks: one server's oddities, advertised and observed.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Sources are in ../shared/PROVIDERS.md. Two rules: gate on behaviour as
// well as on what is advertised (a server that advertises IDLE and then
// refuses it is remembered as one that cannot IDLE), and re-read everything
// after login, when servers tell the whole truth.
//
// Quirks the engine handles without asking here, listed so that the list
// is complete:
// - A CAPABILITY line ending in a space (iCloud): the parser takes it.
// - APPENDUID without UIDPLUS (Courier): APPEND reads APPENDUID whenever
//   the server sends it.
// - Gmail's LITERAL- instead of LITERAL+: the serializer follows whichever
//   is advertised.

#include "config.h"

#include "imap-error.h"
#include <gio/gio.h>

#include "imap-quirks.h"

G_DEFINE_ENUM_TYPE (BuzonImapServerKind, buzon_imap_server_kind,
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SERVER_UNKNOWN, "unknown"),
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SERVER_DOVECOT, "dovecot"),
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SERVER_GMAIL, "gmail"),
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SERVER_OFFICE365, "office365"),
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SERVER_YAHOO, "yahoo"),
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SERVER_ICLOUD, "icloud"),
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SERVER_CYRUS, "cyrus"),
                    G_DEFINE_ENUM_VALUE (BUZON_IMAP_SERVER_COURIER, "courier"))

struct _BuzonImapQuirks
{
  BuzonImapServerKind kind;
  gboolean has_idle;
  gboolean idle_refused;
  gboolean has_uidplus;
  gboolean appenduid_missing;
};

BuzonImapQuirks *
buzon_imap_quirks_new (void)
{
  return g_new0 (BuzonImapQuirks, 1);
}

void
buzon_imap_quirks_free (BuzonImapQuirks *self)
{
  g_free (self);
}

static gboolean
has (const char * const *capabilities,
     const char         *name)
{
  for (gsize i = 0; capabilities != NULL && capabilities[i] != NULL; i++)
    if (g_ascii_strcasecmp (capabilities[i], name) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
says (const char *greeting,
      const char *words)
{
  return greeting != NULL && g_strstr_len (greeting, -1, words) != NULL;
}

/**
 * buzon_imap_quirks_update:
 * @greeting: (nullable): the text of the server's greeting
 * @capabilities: (array zero-terminated=1) (nullable): its capabilities,
 *   best those after login
 *
 * Works out which server this is from the extensions only it has, then from
 * its greeting. What was observed (a refused IDLE) is kept.
 */
void
buzon_imap_quirks_update (BuzonImapQuirks    *self,
                          const char         *greeting,
                          const char * const *capabilities)
{
  g_return_if_fail (self != NULL);

  if (has (capabilities, "X-GM-EXT-1"))
    self->kind = BUZON_IMAP_SERVER_GMAIL;
  else if (has (capabilities, "CLIENTACCESSRULES") || says (greeting, "Microsoft Exchange"))
    self->kind = BUZON_IMAP_SERVER_OFFICE365;
  else if (has (capabilities, "XYMHIGHESTMODSEQ") || has (capabilities, "X-MSG-EXT"))
    self->kind = BUZON_IMAP_SERVER_YAHOO;
  else if (has (capabilities, "XAPPLEPUSHSERVICE"))
    self->kind = BUZON_IMAP_SERVER_ICLOUD;
  else if (says (greeting, "Dovecot"))
    self->kind = BUZON_IMAP_SERVER_DOVECOT;
  else if (says (greeting, "Cyrus"))
    self->kind = BUZON_IMAP_SERVER_CYRUS;
  else if (says (greeting, "Courier"))
    self->kind = BUZON_IMAP_SERVER_COURIER;
  else
    self->kind = BUZON_IMAP_SERVER_UNKNOWN;
  self->has_idle = has (capabilities, "IDLE") || has (capabilities, "IMAP4rev2");
  self->has_uidplus = has (capabilities, "UIDPLUS") || has (capabilities, "IMAP4rev2");
}

BuzonImapServerKind
buzon_imap_quirks_get_server_kind (const BuzonImapQuirks *self)
{
  g_return_val_if_fail (self != NULL, BUZON_IMAP_SERVER_UNKNOWN);
  return self->kind;
}

/* TRUE where the server files submitted mail in Sent itself, so that an
 * APPEND to Sent would make a second copy: Gmail does, and so does Office
 * 365 (Geary's experience; Evolution skips Sent for Gmail for that reason). */
gboolean
buzon_imap_quirks_get_saves_sent (const BuzonImapQuirks *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->kind == BUZON_IMAP_SERVER_GMAIL || self->kind == BUZON_IMAP_SERVER_OFFICE365;
}

/* TRUE where mailboxes are labels over one store (Gmail): a message is in
 * several mailboxes under different UIDs, and deleting from a mailbox
 * removes a label; a true delete is a move to Trash. */
gboolean
buzon_imap_quirks_get_has_labels (const BuzonImapQuirks *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->kind == BUZON_IMAP_SERVER_GMAIL;
}

/* How many connections the client should open to this server at most:
 * below what each provider is known to allow (Gmail 15, Office 365 about
 * 20 before it throttles, Yahoo strict), leaving room for the user's other
 * devices. */
guint
buzon_imap_quirks_get_max_connections (const BuzonImapQuirks *self)
{
  g_return_val_if_fail (self != NULL, 1);
  switch (self->kind)
    {
    case BUZON_IMAP_SERVER_GMAIL:
      return 6;
    case BUZON_IMAP_SERVER_OFFICE365:
      return 5;
    case BUZON_IMAP_SERVER_YAHOO:
      return 3;
    case BUZON_IMAP_SERVER_UNKNOWN:
    case BUZON_IMAP_SERVER_DOVECOT:
    case BUZON_IMAP_SERVER_ICLOUD:
    case BUZON_IMAP_SERVER_CYRUS:
    case BUZON_IMAP_SERVER_COURIER:
    default:
      return 4;
    }
}

/* TRUE where IDLE is advertised and was never refused: where FALSE, poll
 * (Yahoo has no IDLE; some servers advertise it and answer NO). */
gboolean
buzon_imap_quirks_get_can_idle (const BuzonImapQuirks *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->has_idle && !self->idle_refused;
}

/* TRUE where APPEND and COPY can be trusted to say where messages went:
 * UIDPLUS is advertised and no APPEND came back without APPENDUID (UW's
 * server advertises UIDPLUS without sending it). Where FALSE, find a copied
 * or appended message by its Message-ID. */
gboolean
buzon_imap_quirks_get_appenduid_reliable (const BuzonImapQuirks *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->has_uidplus && !self->appenduid_missing;
}

/**
 * buzon_imap_quirks_is_transient_error:
 *
 * Whether @error, from a command, may go away if the same command is tried
 * again later on a fresh connection: a server too busy ([UNAVAILABLE],
 * [INUSE]), Office 365's "User is authenticated but not connected" (its
 * answer when it throttles), or the connection failing. Refusals that will
 * not change (NO, a missing mailbox, a wrong password) are not transient.
 */
gboolean
buzon_imap_quirks_is_transient_error (const BuzonImapQuirks *self,
                                      const GError          *error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (error == NULL)
    return FALSE;
  if (g_error_matches (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_UNAVAILABLE)
      || g_error_matches (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BYE))
    return TRUE;
  if (g_error_matches (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD)
      && self->kind == BUZON_IMAP_SERVER_OFFICE365
      && g_strstr_len (error->message, -1, "authenticated but not connected") != NULL)
    return TRUE;
  if (error->domain != G_IO_ERROR)
    return FALSE;
  switch (error->code)
    {
    case G_IO_ERROR_TIMED_OUT:
    case G_IO_ERROR_CLOSED:
    case G_IO_ERROR_CONNECTION_CLOSED:
    case G_IO_ERROR_NOT_CONNECTED:
    case G_IO_ERROR_NETWORK_UNREACHABLE:
    case G_IO_ERROR_HOST_UNREACHABLE:
    case G_IO_ERROR_CONNECTION_REFUSED:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The server answered IDLE with NO or BAD though it advertised it. */
void
buzon_imap_quirks_set_idle_refused (BuzonImapQuirks *self)
{
  g_return_if_fail (self != NULL);
  self->idle_refused = TRUE;
}

/* An APPEND succeeded without APPENDUID though UIDPLUS is advertised. */
void
buzon_imap_quirks_set_appenduid_missing (BuzonImapQuirks *self)
{
  g_return_if_fail (self != NULL);
  self->appenduid_missing = TRUE;
}
