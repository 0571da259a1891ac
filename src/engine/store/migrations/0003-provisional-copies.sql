-- Provisional copies: a message moved, copied or archived shows in its
-- destination at once, before the server has been told, as a copy of its
-- cached row (and body) that stands for the operation.
-- SPDX-License-Identifier: GPL-3.0-or-later

-- The pending operation a provisional row stands for; NULL for the
-- messages the server has. Such a row has no UID yet: its uid is
-- -(operation_id * 2^32 + the message's UID in the source folder), below
-- every real UID (1 to 2^32 - 1), so that neither a sync of the
-- destination (which removes, lists and compares UIDs 1 and up only) nor
-- UNIQUE (folder_id, uid) ever confuses it with a message of the server's,
-- and two operations on one message make two rows. When the operation
-- leaves the queue the row either takes the UID the server gave the copy
-- (COPYUID) or goes, and the destination's next sync brings the real one.
ALTER TABLE message ADD COLUMN operation_id INTEGER;
CREATE INDEX message_by_operation ON message (operation_id) WHERE operation_id IS NOT NULL;
