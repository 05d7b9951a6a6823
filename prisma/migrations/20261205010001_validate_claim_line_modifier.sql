-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '0';
-- Validates the CHECK 20261205010000 added NOT VALID, in a transaction of its own: VALIDATE takes
-- SHARE UPDATE EXCLUSIVE, so reads and writes go on while claim_lines is scanned.
ALTER TABLE claim_lines VALIDATE CONSTRAINT claim_lines_modifier_format;

-- migrate:down
-- Nothing to undo: the constraint is dropped with the previous migration's down.
SELECT 1;
