-- migrate:up transaction:false
-- squawk-ignore-file ban-concurrent-index-creation-in-transaction, require-statement-timeout, require-lock-timeout
-- dbmate runs this file outside a transaction (transaction:false), and it holds exactly one
-- statement: PostgreSQL runs several statements sent together in an implicit transaction block,
-- where CREATE INDEX CONCURRENTLY is refused. (So no SET lock_timeout here: CONCURRENTLY takes
-- only a SHARE UPDATE EXCLUSIVE lock, which never blocks reads or writes.)
--
-- The dashboard's "active drift events", "revenue at risk" and "top drifting payers" read only
-- active events: a small partial covering index answers all three with an index-only scan.
CREATE INDEX CONCURRENTLY IF NOT EXISTS drift_events_customer_active_payer_idx
  ON drift_events (customer_id, payer_id)
  INCLUDE (estimated_revenue_impact, severity, drift_type)
  WHERE status = 'ACTIVE';

-- migrate:down transaction:false
-- squawk-ignore-file ban-concurrent-index-creation-in-transaction, require-statement-timeout, require-lock-timeout
DROP INDEX CONCURRENTLY IF EXISTS drift_events_customer_active_payer_idx;
