-- migrate:up transaction:false
-- squawk-ignore-file ban-concurrent-index-creation-in-transaction, require-statement-timeout, require-lock-timeout
-- One statement, outside a transaction (see 20261127000005_dashboard_read_indexes.sql for why).
--
-- The two covering decided_at indexes overlapped: claim_lines_customer_decided_idx (customer_id,
-- decided_at) INCLUDEs every column claim_lines_customer_payer_decided_idx carried (payer_id,
-- outcome, allowed_amount, submitted_at). The scorecard, the dashboard trend and detection all
-- read one tenant's decision-date range across every payer, which the first index answers with
-- an index-only scan; only the smaller size of the second made the planner prefer it. Every
-- uploaded line paid one more index insertion for it. Dropped, so one covering index serves them
-- all (src/server/db/claim-lines-indexes.test.ts lists the queries behind each index).
-- CONCURRENTLY: no lock that blocks reads or writes of claim_lines.
DROP INDEX CONCURRENTLY IF EXISTS claim_lines_customer_payer_decided_idx;

-- migrate:down transaction:false
-- squawk-ignore-file ban-concurrent-index-creation-in-transaction, require-statement-timeout, require-lock-timeout
CREATE INDEX CONCURRENTLY IF NOT EXISTS claim_lines_customer_payer_decided_idx ON claim_lines (customer_id, payer_id, decided_at)
  INCLUDE (outcome, allowed_amount, submitted_at);
