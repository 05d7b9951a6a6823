-- migrate:up transaction:false
-- A unique key that leads with customer_id for webhook_delivery_attempts, so the table can be
-- distributed on customer_id (DEPLOYMENT.md, "Beyond one PostgreSQL primary"): a distributed
-- engine enforces only keys that contain the distribution column. Recording an attempt names the
-- new key in its ON CONFLICT (record-delivery-attempt.ts).
--
-- The three-phase unique key of DEPLOYMENT.md ("Upgrades: expand and contract"), with the
-- application serving traffic throughout (src/test/rolling-upgrade.test.ts runs it under load):
--   1. this file: build the unique index CONCURRENTLY — writes go on meanwhile. It must be the
--      file's only statement: PostgreSQL runs several statements sent at once as one
--      transaction, where CONCURRENTLY is refused (hence no SET lock_timeout here either).
--   2. backfill: nothing to fill here — every column of the key is NOT NULL and set, and the old
--      key (delivery_id, attempt_number) already rules out duplicates; for a key on a new column,
--      a batched backfill job runs between this file and the next.
--   3. 20261204060001: attach the index as the constraint (USING INDEX: no table scan, a brief
--      lock). PostgreSQL has no NOT VALID for UNIQUE: the concurrent build is what checks the rows.
-- A build that fails leaves an INVALID index: DROP INDEX CONCURRENTLY it, then migrate again.
-- squawk-ignore require-lock-timeout, require-statement-timeout, ban-concurrent-index-creation-in-transaction
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS webhook_delivery_attempts_tenant_number_key
  ON webhook_delivery_attempts (customer_id, delivery_id, attempt_number);

-- migrate:down transaction:false
-- squawk-ignore require-lock-timeout, require-statement-timeout, ban-concurrent-index-creation-in-transaction
DROP INDEX CONCURRENTLY IF EXISTS webhook_delivery_attempts_tenant_number_key;
