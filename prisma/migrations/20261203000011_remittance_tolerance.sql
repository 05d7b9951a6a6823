-- migrate:up
-- squawk-ignore-file ban-drop-not-null, ban-drop-column, adding-not-nullable-field, require-concurrent-index-creation, require-concurrent-index-deletion
-- Dropping NOT NULL on claim_lines.submitted_at and cpt_code is the point of this migration (no
-- client reads them as required: the API marks both nullable). payer_mappings is a small table, so
-- its new index is built in the transaction. The down section drops what the up section added.
-- New CHECKs go in NOT VALID and are validated by 20261203000012, in a transaction of its own.
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Real-world 835 remittances (issue 13): an 835 is the payer's document, so what cannot be used
-- is skipped with its reason and what is odd is warned about, instead of refusing the file.

-- The upload records both, bounded like `errors` (first 1,000), with exact counts.
ALTER TABLE uploads
  ADD COLUMN skipped_count  integer NOT NULL DEFAULT 0,
  ADD COLUMN warning_count  integer NOT NULL DEFAULT 0,
  ADD COLUMN skipped        jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN warnings       jsonb NOT NULL DEFAULT '[]',
  ADD CONSTRAINT uploads_issue_counts CHECK (skipped_count >= 0 AND warning_count >= 0) NOT VALID;

-- A claim adjudicated without service lines is stored as one claim-level line.
INSERT INTO cpt_groups (code, name, sort_order) VALUES
  ('CLAIM_LEVEL', 'Claim level (adjudicated without service lines)', 98);

-- Denied 835 lines legitimately carry 0 units.
ALTER TABLE claim_lines DROP CONSTRAINT claim_lines_units;
ALTER TABLE claim_lines ADD CONSTRAINT claim_lines_units CHECK (units >= 0) NOT VALID;
-- NULL submitted_at: the remittance's dates contradict each other (received or served after the
-- decision); the line counts for denial rates, its decision lag (decided_at - submitted_at,
-- then NULL) stays out of decision-time statistics. Both date CHECKs pass on NULL.
ALTER TABLE claim_lines ALTER COLUMN submitted_at DROP NOT NULL;
-- NULL cpt_code: a claim-level line, and only those.
ALTER TABLE claim_lines ALTER COLUMN cpt_code DROP NOT NULL;
ALTER TABLE claim_lines
  -- SVC06: the procedure as submitted when the payer adjudicated another code (a recode).
  ADD COLUMN submitted_cpt_code text,
  -- CLP08: facility type code (place of service / type of bill), kept on claim-level lines.
  ADD COLUMN facility_type text,
  ADD CONSTRAINT claim_lines_claim_level CHECK (cpt_code IS NOT NULL OR cpt_group = 'CLAIM_LEVEL') NOT VALID,
  ADD CONSTRAINT claim_lines_facility_type CHECK (facility_type IS NULL OR char_length(facility_type) BETWEEN 1 AND 2) NOT VALID;

-- The payer's own identifier (835 N1*PR N104 or REF*2U): a new spelling of a payer name that
-- carries a known identifier maps to the same payer.
ALTER TABLE payer_mappings ADD COLUMN payer_identifier text,
  ADD CONSTRAINT payer_mappings_identifier_length CHECK (payer_identifier IS NULL OR char_length(payer_identifier) BETWEEN 1 AND 80) NOT VALID;
CREATE INDEX payer_mappings_identifier_idx ON payer_mappings (customer_id, payer_identifier) WHERE payer_identifier IS NOT NULL;

-- migrate:down
SET lock_timeout = '5s';
DROP INDEX payer_mappings_identifier_idx;
ALTER TABLE payer_mappings DROP CONSTRAINT payer_mappings_identifier_length, DROP COLUMN payer_identifier;
-- Lines the old rules cannot hold go: claim-level lines, 0 units, contradictory dates.
DELETE FROM claim_lines WHERE cpt_code IS NULL OR units = 0 OR submitted_at IS NULL;
ALTER TABLE claim_lines DROP CONSTRAINT claim_lines_facility_type, DROP CONSTRAINT claim_lines_claim_level,
  DROP COLUMN facility_type, DROP COLUMN submitted_cpt_code;
ALTER TABLE claim_lines ALTER COLUMN cpt_code SET NOT NULL;
ALTER TABLE claim_lines ALTER COLUMN submitted_at SET NOT NULL;
ALTER TABLE claim_lines DROP CONSTRAINT claim_lines_units;
-- The lines that would break it were deleted above.
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE claim_lines ADD CONSTRAINT claim_lines_units CHECK (units > 0);
DELETE FROM cpt_groups WHERE code = 'CLAIM_LEVEL';
ALTER TABLE uploads DROP CONSTRAINT uploads_issue_counts,
  DROP COLUMN warnings, DROP COLUMN skipped, DROP COLUMN warning_count, DROP COLUMN skipped_count;
