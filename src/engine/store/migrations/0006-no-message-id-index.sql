-- The index of messages by Message-ID goes: no query reads it (a thread
-- is found through thread_member, which maps every Message-ID a message
-- names to its thread, and a thread's messages through message_by_thread;
-- a provisional copy is found among its folder's negative UIDs), while a
-- first sync paid for it on every message: a random insert into an index
-- of text keys, the dearest of the message table's, and the pages it
-- dirtied rewritten at every commit (some 40% of the message table's
-- index work for 100,000 messages).
-- SPDX-License-Identifier: GPL-3.0-or-later

DROP INDEX IF EXISTS message_by_message_id;
