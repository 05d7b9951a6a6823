-- migrate:up
-- Phase 3 of the three-phase unique key (see 20261204060000): the index built concurrently
-- becomes the constraint without scanning the table. The old key (delivery_id, attempt_number)
-- stays for the release before this one; a later release drops it (contract).
SET lock_timeout = '5s';
SET statement_timeout = '120s';
ALTER TABLE webhook_delivery_attempts
  ADD CONSTRAINT webhook_delivery_attempts_tenant_number_key UNIQUE USING INDEX webhook_delivery_attempts_tenant_number_key;

-- migrate:down
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Drops the index with it (it belongs to the constraint); the previous down then finds none.
ALTER TABLE webhook_delivery_attempts DROP CONSTRAINT webhook_delivery_attempts_tenant_number_key;
