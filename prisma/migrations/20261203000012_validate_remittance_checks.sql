-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '0';
-- Validates the CHECKs 20261203000011 added NOT VALID, in a transaction of its own: VALIDATE takes
-- SHARE UPDATE EXCLUSIVE, so reads and writes go on while claim_lines is scanned.
ALTER TABLE uploads VALIDATE CONSTRAINT uploads_issue_counts;
ALTER TABLE claim_lines VALIDATE CONSTRAINT claim_lines_units;
ALTER TABLE claim_lines VALIDATE CONSTRAINT claim_lines_claim_level;
ALTER TABLE claim_lines VALIDATE CONSTRAINT claim_lines_facility_type;
ALTER TABLE payer_mappings VALIDATE CONSTRAINT payer_mappings_identifier_length;

-- migrate:down
-- Nothing to undo: the constraints are dropped with the previous migration's down.
SELECT 1;
