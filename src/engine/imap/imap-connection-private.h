// The inside of BuzonImapConnection, shared by its files: imap-connection.c
// (I/O, commands, IDLE, COMPRESS), imap-connection-open.c (connect, TLS,
// greeting, STARTTLS) and imap-connection-login.c (PLAIN, LOGIN, OAuth2).
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "imap-connection.h"
#include "imap-parser.h"

G_BEGIN_DECLS

#define READ_BUFFER_SIZE (64 * 1024)

typedef enum
{
  STATE_NEW,
  STATE_GREETING,
  STATE_OPEN,
  STATE_CLOSED,
} BuzonImapConnectionState;

typedef struct _Pending Pending;

/* Answers a SASL challenge: a "+" that arrives during AUTHENTICATE once every
 * prepared chunk was sent. @challenge is the text after "+", still base64.
 * Returns the line to send, CRLF included. It must be heap memory (not
 * g_bytes_new_static()): an AUTHENTICATE's bytes are wiped when it is done.
 * Returns NULL where the challenge breaks the protocol: that closes the
 * connection, as any "+" nothing was waiting for does. */
typedef GBytes *(*BuzonImapSaslFunc) (BuzonImapConnection *self,
                                      const char          *challenge,
                                      gpointer             user_data);

/* A command queued or in flight. */
struct _Pending
{
  char *tag;
  GPtrArray *chunks;        /* GBytes: the first is sent at once, each next after "+". */
  guint next_chunk;
  GTask *task;
  BuzonImapUntaggedFunc untagged;
  gpointer untagged_data;
  gboolean pause_reading;   /* STARTTLS: stop reading after the tagged reply. */
  gboolean expects_bye;     /* LOGOUT: the server's BYE is the expected answer. */
  gboolean close_once_written; /* buzon_imap_connection_logout_async()'s LOGOUT. */
  gboolean continued;       /* "+" arrived while the previous chunk was still being written. */
  gboolean idle;            /* IDLE: the last chunk, "DONE", waits for done_requested. */
  gboolean idling;          /* IDLE: the server said "+"; untagged data flows. */
  gboolean done_requested;  /* IDLE: end it as soon as possible. */
  gboolean barrier;         /* STARTTLS, COMPRESS: nothing may follow until it is answered. */
  gboolean is_enable;       /* ENABLE: its ENABLED response is believed. */
  char verb[12];            /* The command's name, upper case, after any "UID ". */
  gboolean sensitive;       /* LOGIN, AUTHENTICATE: wipe the bytes when done. */
  gulong cancelled_id;      /* IDLE: ends on cancel. */
  GCancellable *cancellable;
  /* AUTHENTICATE: answers challenges that come after the last chunk. While
   * it is set nothing else is written, since the server would read any line
   * that follows the command as a SASL response until it answers it. */
  BuzonImapSaslFunc sasl;
  gpointer sasl_data;
  GDestroyNotify sasl_data_free;
};

struct _BuzonImapConnection
{
  GObject parent_instance;

  BuzonServerUrl *url;
  GStrv trusted_certificates;

  BuzonImapConnectionState state;
  GSocketConnection *socket_connection;
  GIOStream *stream; /* The socket connection, or the TLS connection over it. */
  GInputStream *input;   /* What is read: the stream's, or a decompressor over it. */
  GOutputStream *output; /* What is written: the stream's, or a compressor over it. */
  gboolean compressed;
  BuzonImapParser *parser;
  guint8 *read_buffer; /* READ_BUFFER_SIZE bytes. */
  gboolean read_pending;
  GSource *resume_source; /* Dispatches the rest of a burst after the main loop ran. */
  gboolean reading_paused;
  GError *read_error; /* Met by drain_ready_input(): reported once what came before is. */
  GCancellable *io_cancellable;

  GQueue queue;       /* Pending, not yet written. */
  GQueue in_flight;   /* Pending, written (the first chunk at least). */
  Pending *writing;   /* Being written, or waiting for "+" to write more. */
  gboolean write_pending;
  GBytes *write_bytes; /* What is being written, kept alive until the write ends. */
  GSource *pump_source; /* Writes what was queued once the main loop runs. */
  guint next_tag;
  guint trace_id;      /* BUZON_DEBUG=imap: this connection's number in the trace, */
  guint trace_untagged; /* the untagged responses since the last tagged one, */
  gint64 trace_first_untagged; /* and when the first of them came. */

  GTask *open_task;
  GCancellable *open_cancellable; /* Closes the connection while opening; no longer after. */
  gulong open_cancelled_id;
  GStrv capabilities;
  GHashTable *enabled; /* Upper-case names the server confirmed with ENABLED. */
  char *greeting;
  gboolean preauthenticated;
  char *certificate_sha256;
  GTlsCertificateFlags certificate_errors;
  gboolean certificate_pinned;

  guint timeout_seconds;
  guint keepalive_seconds;
  gint64 last_activity;
  guint watchdog_id;
};

void _buzon_imap_connection_set_stream   (BuzonImapConnection  *self,
                                           GIOStream            *stream);
void _buzon_imap_connection_fail          (BuzonImapConnection  *self,
                                           const GError         *error);
void _buzon_imap_connection_start_reading (BuzonImapConnection  *self);
Pending *_buzon_imap_connection_queue     (BuzonImapConnection  *self,
                                           BuzonImapCommand     *command,
                                           BuzonImapUntaggedFunc untagged,
                                           gpointer              untagged_data,
                                           GTask                *task,
                                           gboolean              pause_reading);
void _buzon_imap_connection_open_step     (BuzonImapConnection  *self,
                                           GError               *error);
gboolean _buzon_imap_connection_watchdog  (gpointer              user_data);
void _buzon_imap_connection_forget_open_cancellable (BuzonImapConnection *self);
Pending *_buzon_imap_connection_enqueue  (BuzonImapConnection  *self,
                                          GPtrArray            *chunks,
                                          char                 *tag,
                                          GTask                *task,
                                          BuzonImapUntaggedFunc untagged,
                                          gpointer              untagged_data);
char *_buzon_imap_connection_next_tag    (BuzonImapConnection  *self);
void _buzon_imap_connection_pump         (BuzonImapConnection  *self);
void _buzon_imap_connection_pump_soon    (BuzonImapConnection  *self);
void _buzon_imap_connection_pending_free (Pending              *pending);
gboolean _buzon_imap_connection_tracing  (void);
void _buzon_imap_connection_trace        (BuzonImapConnection  *self,
                                          const char           *direction,
                                          const char           *data,
                                          gsize                 size);
void _buzon_imap_connection_write_next_chunk  (BuzonImapConnection *self);
void _buzon_imap_connection_request_idle_done (BuzonImapConnection *self);

G_END_DECLS
