-- The first schema of an account's cache. Applied by BuzonStore when
-- PRAGMA user_version is below 1; never edited once released: later changes
-- go into new numbered files.
-- SPDX-License-Identifier: GPL-3.0-or-later

-- A mailbox on the server, as LIST and the last sync left it.
CREATE TABLE folder (
  id INTEGER PRIMARY KEY,
  raw_name TEXT NOT NULL UNIQUE,     -- As the server names it: what commands send back.
  name TEXT NOT NULL,                -- UTF-8, for people.
  delimiter TEXT,                    -- The hierarchy delimiter, NULL for a flat name.
  flags INTEGER NOT NULL DEFAULT 0,  -- BuzonImapMailboxFlags.
  special_use INTEGER NOT NULL DEFAULT 0, -- BuzonImapSpecialUse.
  uidvalidity INTEGER NOT NULL DEFAULT 0,
  uidnext INTEGER NOT NULL DEFAULT 0,
  highestmodseq INTEGER NOT NULL DEFAULT 0, -- What the cached flags are up to date with.
  exists_count INTEGER NOT NULL DEFAULT 0,  -- Messages on the server at the last sync.
  unseen_count INTEGER NOT NULL DEFAULT 0,
  first_sync_done INTEGER NOT NULL DEFAULT 0, -- Every message the server had is cached.
  synced_at INTEGER NOT NULL DEFAULT 0       -- Unix time of the last complete sync.
);

-- A message's summary: enough for the message list, threads and search
-- without its body.
CREATE TABLE message (
  id INTEGER PRIMARY KEY,
  folder_id INTEGER NOT NULL REFERENCES folder (id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL DEFAULT 0,
  flags INTEGER NOT NULL DEFAULT 0,  -- SEEN 1, ANSWERED 2, FLAGGED 4, DELETED 8, DRAFT 16.
  keywords TEXT,                     -- Other flags ("$Forwarded $Label1"), space separated.
  internaldate INTEGER NOT NULL DEFAULT 0,
  date INTEGER NOT NULL DEFAULT 0,   -- The Date header, else INTERNALDATE; unix seconds.
  size INTEGER NOT NULL DEFAULT 0,
  subject TEXT,
  sender_name TEXT,
  sender_address TEXT,
  from_list TEXT,                    -- Decoded address lists, RFC 5322 form.
  to_list TEXT,
  cc_list TEXT,
  bcc_list TEXT,
  reply_to TEXT,
  message_id TEXT,                   -- Without the angle brackets.
  in_reply_to TEXT,
  references_list TEXT,              -- Message-IDs, space separated, oldest first.
  list_id TEXT,
  thread_id INTEGER NOT NULL DEFAULT 0,
  has_attachment INTEGER NOT NULL DEFAULT 0,
  bodystructure BLOB,                -- BuzonImapBodyPart as a serialised GVariant.
  preview TEXT,
  UNIQUE (folder_id, uid)
);
CREATE INDEX message_by_date ON message (folder_id, date DESC, id DESC);
CREATE INDEX message_by_message_id ON message (message_id);
CREATE INDEX message_by_thread ON message (thread_id, date);

-- Threads: every Message-ID a message names (its own, In-Reply-To and
-- References) points to the thread it belongs to, so that a new message
-- finds its thread in one lookup per ID, and a message that joins two
-- threads merges them.
CREATE TABLE thread_member (
  message_id TEXT PRIMARY KEY,
  thread_id INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX thread_member_by_thread ON thread_member (thread_id);

-- Threads by normalised subject, for messages that name no other (a last
-- resort, as in JWZ's algorithm).
CREATE TABLE thread_subject (
  subject TEXT PRIMARY KEY,
  thread_id INTEGER NOT NULL,
  date INTEGER NOT NULL
) WITHOUT ROWID;

-- Cached bodies: the whole message as the server sent it.
CREATE TABLE body (
  message_id INTEGER PRIMARY KEY REFERENCES message (id) ON DELETE CASCADE,
  raw BLOB NOT NULL,
  fetched_at INTEGER NOT NULL
);

-- The full-text index; rowid is message.id. Accents and case do not matter.
CREATE VIRTUAL TABLE message_fts USING fts5 (
  subject, sender, recipients, body,
  tokenize = 'unicode61 remove_diacritics 2'
);

-- Operations made offline, replayed in order when the server is reachable.
CREATE TABLE pending_operation (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,                -- "flag", "move", "copy", "expunge"...
  folder_id INTEGER NOT NULL,
  uids TEXT NOT NULL,                -- A sequence set.
  argument TEXT,                     -- Flags to add or remove, the destination...
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);

-- Mail waiting to be sent.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  raw BLOB NOT NULL,
  sender TEXT NOT NULL,
  recipients TEXT NOT NULL,          -- Envelope recipients, space separated.
  send_at INTEGER NOT NULL,          -- Unix time; the undo window or send-later.
  state TEXT NOT NULL DEFAULT 'queued',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL
);
