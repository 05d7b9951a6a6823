-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Provider-level adjustments of X12 835 remittances (PLB segments): money a payer takes back
-- (WO overpayment recovery, 72 refund, FB forwarding balance, …) or adds (L6 interest, …) at
-- provider level, outside any claim. One row per PLB adjustment pair of an applied upload.
-- `amount` keeps the PLB's sign: positive reduces the payment, negative increases it.
-- `remittance_date` is when the money moved (BPR16, else DTM*405, else the fiscal period date):
-- PLB02 is usually a fiscal year end, so the scorecard groups by this date instead.
CREATE TABLE provider_adjustments (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id          uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  -- The remittance that brought it: an adjustment has no meaning without its upload.
  upload_id            uuid NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
  payer_id             uuid NOT NULL REFERENCES payers (id) ON DELETE RESTRICT,
  line_number          integer NOT NULL,
  provider_identifier  text NOT NULL,
  fiscal_period_date   date NOT NULL,
  remittance_date      date NOT NULL,
  reason_code          text NOT NULL,
  reference            text,
  amount               numeric(12, 2) NOT NULL,
  created_at           timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT provider_adjustments_line_number CHECK (line_number >= 1),
  CONSTRAINT provider_adjustments_provider_identifier CHECK (char_length(provider_identifier) BETWEEN 1 AND 50),
  CONSTRAINT provider_adjustments_reason_code CHECK (reason_code ~ '^[A-Z0-9]{2}$'),
  CONSTRAINT provider_adjustments_reference CHECK (reference IS NULL OR char_length(reference) BETWEEN 1 AND 50)
);
-- Covering index for the payer scorecard's recoupments and interest: an index-only scan by
-- tenant and remittance date.
CREATE INDEX provider_adjustments_customer_remitted_idx ON provider_adjustments (customer_id, remittance_date)
  INCLUDE (payer_id, reason_code, amount);
CREATE INDEX provider_adjustments_upload_idx ON provider_adjustments (upload_id);
CREATE INDEX provider_adjustments_payer_idx ON provider_adjustments (payer_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON provider_adjustments TO driftline_app;
ALTER TABLE provider_adjustments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON provider_adjustments TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);

-- migrate:down
SET lock_timeout = '5s';
DROP POLICY tenant_isolation ON provider_adjustments;
REVOKE ALL ON provider_adjustments FROM driftline_app;
DROP TABLE provider_adjustments;
