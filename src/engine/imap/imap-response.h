// A server response as the IMAP parser delivers it: its kind, tag, status,
// response code and the values that follow.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  BUZON_IMAP_VALUE_ATOM,   /* Includes numbers, flags (\Seen) and BODY[...]<n> items. */
  BUZON_IMAP_VALUE_STRING, /* A quoted string or a literal; may hold any bytes. */
  BUZON_IMAP_VALUE_NIL,
  BUZON_IMAP_VALUE_LIST,
} BuzonImapValueKind;

typedef struct _BuzonImapValue BuzonImapValue;

struct _BuzonImapValue
{
  BuzonImapValueKind kind;
  gboolean literal; /* A STRING that came as a literal ({n} or ~{n}). */
  gsize length;     /* Bytes in data (ATOM, STRING), or items (LIST). */
  union
  {
    char *data;              /* ATOM, STRING: NUL-terminated, may contain NULs. */
    BuzonImapValue **items;  /* LIST. */
  };
};

typedef enum
{
  BUZON_IMAP_RESPONSE_TAGGED,
  BUZON_IMAP_RESPONSE_UNTAGGED,
  BUZON_IMAP_RESPONSE_CONTINUATION,
} BuzonImapResponseKind;

typedef enum
{
  BUZON_IMAP_STATUS_NONE, /* Untagged data such as FETCH or LIST: no status. */
  BUZON_IMAP_STATUS_OK,
  BUZON_IMAP_STATUS_NO,
  BUZON_IMAP_STATUS_BAD,
  BUZON_IMAP_STATUS_PREAUTH,
  BUZON_IMAP_STATUS_BYE,
} BuzonImapStatus;

typedef struct _BuzonImapArena BuzonImapArena;

/* Values, strings and lists of a response all live in its arena and are
 * freed with it: a response is a few allocations, not one per token. */
typedef struct
{
  BuzonImapResponseKind kind;
  char *tag;              /* TAGGED only. */
  BuzonImapStatus status; /* Status responses (tagged, and untagged OK/NO/BAD/PREAUTH/BYE). */
  char *code;             /* Response code name, upper case ("UIDVALIDITY"), or NULL. */
  BuzonImapValue *code_args; /* A LIST of the code's arguments, or NULL. */
  char *text;             /* Human-readable text of a status or continuation response. */
  gint64 number;          /* "* 23 EXISTS": 23; -1 when the data has no number. */
  char *keyword;          /* Untagged data name, upper case: "FETCH", "LIST", "CAPABILITY". */
  BuzonImapValue *values; /* A LIST of what follows the keyword (untagged data). */
  BuzonImapArena *arena;  /* Private. */
} BuzonImapResponse;

void                  buzon_imap_response_free     (BuzonImapResponse    *self);
char                 *buzon_imap_response_to_string (const BuzonImapResponse *self);

gboolean              buzon_imap_value_is_atom     (const BuzonImapValue *value,
                                                    const char           *atom);
gboolean              buzon_imap_value_get_number  (const BuzonImapValue *value,
                                                    guint64              *number);
const char           *buzon_imap_value_get_string  (const BuzonImapValue *value,
                                                    gsize                *length);
const BuzonImapValue *buzon_imap_value_get_item    (const BuzonImapValue *value,
                                                    gsize                 index);
void                  buzon_imap_value_append_to   (const BuzonImapValue *value,
                                                    GString              *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapResponse, buzon_imap_response_free)

G_END_DECLS
