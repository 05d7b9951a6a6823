-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Alerts and webhooks (PRODUCT.md §4–§5), second part:
--  * the e-mail channel's outbox: one row per alert whose rule has e-mail recipients, written in
--    the alert's transaction and sent by the worker after commit (like webhook_deliveries);
--  * webhook replay bookkeeping: an admin replay gives a DEAD/FAILED delivery a fresh retry
--    budget while attempt numbers keep counting up (attempt rows are never rewritten), so the
--    budget is attempt_count - attempts_before_replay.

ALTER TABLE webhook_deliveries ADD COLUMN attempts_before_replay integer NOT NULL DEFAULT 0;

-- An alert's delivery status is derived from its deliveries after every attempt: without this
-- index each attempt scanned the whole outbox. webhook_deliveries ships in the same release
-- (20261127000003) and is empty when this runs, so a plain CREATE INDEX locks nothing of note.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX webhook_deliveries_alert_idx ON webhook_deliveries (alert_event_id) WHERE alert_event_id IS NOT NULL;

CREATE TABLE alert_email_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id      uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  alert_event_id   uuid NOT NULL REFERENCES alert_events (id) ON DELETE CASCADE,
  recipients       text[] NOT NULL,
  status           delivery_status NOT NULL DEFAULT 'PENDING',
  attempt_count    integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz(3) DEFAULT now(),
  last_error       text,
  sent_at          timestamptz(3),
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  updated_at       timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT alert_email_deliveries_alert_key UNIQUE (alert_event_id),
  CONSTRAINT alert_email_deliveries_recipients CHECK (cardinality(recipients) BETWEEN 1 AND 50),
  CONSTRAINT alert_email_deliveries_attempts CHECK (attempt_count >= 0),
  CONSTRAINT alert_email_deliveries_sent CHECK ((status = 'DELIVERED') = (sent_at IS NOT NULL)),
  CONSTRAINT alert_email_deliveries_error_length CHECK (last_error IS NULL OR char_length(last_error) <= 1024)
);
CREATE INDEX alert_email_deliveries_customer_idx ON alert_email_deliveries (customer_id, created_at, id);
CREATE INDEX alert_email_deliveries_due_idx ON alert_email_deliveries (next_attempt_at) WHERE status = 'PENDING';

-- migrate:down
DROP TABLE alert_email_deliveries;
-- squawk-ignore require-concurrent-index-deletion
DROP INDEX webhook_deliveries_alert_idx;
-- Rollback only: the code that reads the column is rolled back first.
-- squawk-ignore ban-drop-column
ALTER TABLE webhook_deliveries DROP COLUMN attempts_before_replay;
