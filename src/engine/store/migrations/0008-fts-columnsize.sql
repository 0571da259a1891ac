-- The full-text index without its per-column sizes (FTS5's columnsize=0):
-- they serve ranking alone (bm25), which no query asks for (a search
-- lists its matches by date), while a first sync paid for them on every
-- message: a row more in message_fts_docsize, some 5% of the store's
-- work for each new message. The index is built again from its own
-- content, every row and body it held, under the same name.
-- SPDX-License-Identifier: GPL-3.0-or-later

CREATE VIRTUAL TABLE message_fts_new USING fts5 (
  subject, sender, recipients, body,
  tokenize = 'unicode61 remove_diacritics 2',
  columnsize = 0
);
INSERT INTO message_fts_new (rowid, subject, sender, recipients, body)
  SELECT rowid, subject, sender, recipients, body FROM message_fts;
DROP TABLE message_fts;
ALTER TABLE message_fts_new RENAME TO message_fts;
