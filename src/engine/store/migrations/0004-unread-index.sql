-- The unread messages of each folder, indexed by themselves, so that a
-- folder's unread count reads the index alone: counting them through the
-- message table cost a 100,000-message folder some 40 ms (one table lookup
-- per message for its flags) at every listing of the folders, several
-- times per sync. The list's query names the same condition, which is
-- what lets SQLite use this partial index.
-- SPDX-License-Identifier: GPL-3.0-or-later

CREATE INDEX IF NOT EXISTS message_unread ON message (folder_id) WHERE (flags & 1) = 0;
