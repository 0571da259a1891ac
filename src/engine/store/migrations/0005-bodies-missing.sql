-- Which messages lack a cached body, kept on the message itself, so that
-- a prefetch of the last days' mail reads only those: asking the body
-- table about every message of a 100,000-message folder cost each sync
-- pass a tenth of a second, bodies fetched or not. Triggers keep the
-- column right whatever code stores or drops a body.
-- SPDX-License-Identifier: GPL-3.0-or-later

ALTER TABLE message ADD COLUMN has_body INTEGER NOT NULL DEFAULT 0;
UPDATE message SET has_body = 1 WHERE id IN (SELECT message_id FROM body);
CREATE INDEX message_without_body ON message (folder_id, internaldate) WHERE has_body = 0;
CREATE TRIGGER body_added AFTER INSERT ON body
BEGIN
  UPDATE message SET has_body = 1 WHERE id = NEW.message_id;
END;
CREATE TRIGGER body_removed AFTER DELETE ON body
BEGIN
  UPDATE message SET has_body = 0 WHERE id = OLD.message_id;
END;
