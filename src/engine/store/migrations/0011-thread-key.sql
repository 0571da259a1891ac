-- The threads' Message-IDs are looked up by a 64-bit key made from the ID
-- (buzon_message_id_key(), store.c) instead of by the ID's text: a table
-- whose rows are two integers is a third of the size of one that keeps
-- each ID (some 40 bytes), its lookups compare integers, and a first sync,
-- which adds a row for nearly every ID it meets in random order, dirties
-- fewer pages in each batch. Two IDs that share a key would join their
-- threads; of a million IDs, that happens with a chance of about 3 in 100
-- million.
-- SPDX-License-Identifier: GPL-3.0-or-later

CREATE TABLE thread_key (
  key INTEGER PRIMARY KEY,     -- buzon_message_id_key() of a Message-ID a message named,
  thread_id INTEGER NOT NULL   -- and the thread it is in (or was merged from: thread_alias).
);
INSERT OR IGNORE INTO thread_key
  SELECT buzon_message_id_key (message_id), thread_id FROM thread_member;
DROP TABLE thread_member;
