-- migrate:up
-- squawk-ignore-file ban-drop-column
-- (the down section drops the column its up section added)
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- CPT/HCPCS modifiers of a claim line (issue 17), so a fee schedule rate for a modifier (26, TC,
-- 50, ...) applies to the lines billed with it. Stored as the 835 SVC01 composite carries them:
-- up to four two-character modifiers, upper case, in billed order, joined by ':' ("26",
-- "25:59", "59:XU:LT:GA"); '' = none, so every existing line reads "no modifier".
-- ADD COLUMN with a constant default is metadata-only (PostgreSQL 11+): no table rewrite. The
-- CHECK goes in NOT VALID and is validated by 20261205010001, in a transaction of its own.
ALTER TABLE claim_lines
  ADD COLUMN modifier text NOT NULL DEFAULT '',
  ADD CONSTRAINT claim_lines_modifier_format CHECK (modifier ~ '^([0-9A-Z]{2}(:[0-9A-Z]{2}){0,3})?$') NOT VALID;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE claim_lines DROP CONSTRAINT claim_lines_modifier_format, DROP COLUMN modifier;
