-- What replaying the queue of pending operations needs beyond 0001's table:
-- the UIDVALIDITY their UIDs belong to, the destination of a move or copy,
-- and a folder's operations found without reading the whole queue.
-- SPDX-License-Identifier: GPL-3.0-or-later

-- Kinds: "add-flags" and "remove-flags" (argument: the flags, space
-- separated), "move" and "copy" (destination_id), "delete", "expunge".
ALTER TABLE pending_operation ADD COLUMN uidvalidity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pending_operation ADD COLUMN destination_id INTEGER;
CREATE INDEX pending_operation_by_folder ON pending_operation (folder_id, id);
