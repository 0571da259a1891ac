-- The outbox as the send queue uses it. Every state a message passes
-- through on its way out is written down before the step it names, so
-- that a Buzón killed at any instant knows on restart whether the server
-- can have the message: see BuzonStoreOutboxState in store-outbox.h. No
-- earlier version wrote to the outbox, so the table is made anew.
-- SPDX-License-Identifier: GPL-3.0-or-later

DROP TABLE outbox;
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  raw BLOB NOT NULL,                 -- The bytes given to the server: no Bcc.
  sent_headers TEXT,                 -- Put before @raw in the Sent copy (Bcc).
  sender TEXT NOT NULL,              -- MAIL FROM.
  recipients TEXT NOT NULL,          -- RCPT TO, newline separated: who has yet to get it.
  subject TEXT,                      -- Decoded, for the outbox's list.
  message_id TEXT,                   -- Without <>, to find the Sent copy again.
  flags INTEGER NOT NULL DEFAULT 0,  -- BuzonStoreOutboxFlags.
  state INTEGER NOT NULL DEFAULT 0,  -- BuzonStoreOutboxState.
  send_at INTEGER NOT NULL,          -- Unix time: the end of the undo window, a later time, a retry.
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,                   -- The server's words, or why it did not go.
  created_at INTEGER NOT NULL,
  changed_at INTEGER NOT NULL
);
CREATE INDEX outbox_by_send_at ON outbox (state, send_at);
