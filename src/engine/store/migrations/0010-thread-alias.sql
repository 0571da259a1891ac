-- A merge of two threads no longer renames the merged thread's Message-IDs
-- in thread_member: it records that the thread went into the other, and a
-- lookup follows that. Renaming needed an index of thread_member by
-- thread, and a first sync paid for it on every Message-ID it met (some
-- 120,000 for 100,000 messages): a random insert into a B-tree as large as
-- thread_member itself, its pages rewritten at every commit, while merges
-- are rare (a message that links two threads already cached). That was a
-- ninth of a first sync's time.
--
-- And a new thread's number is never one used before. A thread is
-- numbered after the message that starts it, the message's row id is one
-- above the largest, and thread_member keeps the Message-IDs of messages
-- long gone: once the newest message was deleted, the next one took its
-- row id and thread number, and a late reply to the deleted message joined
-- it. thread_high keeps the largest number given, as AUTOINCREMENT would.
-- SPDX-License-Identifier: GPL-3.0-or-later

DROP INDEX IF EXISTS thread_member_by_thread;
CREATE TABLE thread_alias (
  thread_id INTEGER PRIMARY KEY, -- A thread merged into another,
  merged_into INTEGER NOT NULL   -- and the one it is part of now (never an alias itself).
);
CREATE TABLE thread_high (
  last_id INTEGER NOT NULL       -- One row: the largest thread number given so far.
);
INSERT INTO thread_high
  SELECT max ((SELECT coalesce (max (id), 0) FROM message),
              (SELECT coalesce (max (thread_id), 0) FROM thread_member),
              (SELECT coalesce (max (thread_id), 0) FROM thread_subject));
