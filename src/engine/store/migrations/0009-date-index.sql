-- Search across every folder lists its matches newest first and stops at a
-- page: an index on the date alone lets it walk the messages in that order
-- and stop there, instead of looking up and sorting every match (100,000
-- of them for a common word in a large mailbox). It takes the place of the
-- index of messages without a body, which only the prefetch of recent
-- bodies read: that one finds recent mail through the folder's date index
-- now, and a first sync, which caches no bodies, still pays for one index
-- per message, not two. And the subjects that thread replies without
-- references get an index by thread, which a merge of two threads renames:
-- it scanned the whole table for each merge. Flagged mail, few messages
-- that a "Flagged" view lists newest first, gets a partial index in that
-- order, which costs a first sync nothing for the rest.
-- SPDX-License-Identifier: GPL-3.0-or-later

DROP INDEX IF EXISTS message_without_body;
CREATE INDEX message_by_date_all ON message (date DESC, id DESC);
CREATE INDEX thread_subject_by_thread ON thread_subject (thread_id);
CREATE INDEX message_flagged ON message (date DESC, id DESC) WHERE (flags & 4) != 0;
