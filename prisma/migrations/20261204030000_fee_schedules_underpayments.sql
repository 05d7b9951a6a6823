-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Contracted fee schedules, expected payment per claim line, the underpayment worklist and its
-- recovery ledger (README "Underpayment against contract").
--
-- * fee_schedules: one row per accepted CSV upload of rates. `version` numbers a tenant's uploads
--   1, 2, 3, … (taken under a per-tenant advisory lock): where a newer upload's dates overlap an
--   older one's for the same payer, code and modifier, the newer rate applies there. Older rows
--   are never deleted — they are marked superseded and stay listed as history.
-- * fee_schedule_rates: the uploaded rows (payer through payer mapping, like claim lines).
-- * fee_schedule_effective_rates (view): the rates as they apply, one non-overlapping date segment
--   per (payer, code, modifier) with the winning rate. Expected payment of a line is
--   rate × units on its service date; detection and the worklist both read it from here.
-- * underpayments: one row per claim line allowed below expected beyond the tolerance, with its
--   worklist status and assignee, and the recovery ledger (recovered_amount, recovered_at) that a
--   later 835 correction raising the allowed amount fills in.

ALTER TYPE drift_type ADD VALUE IF NOT EXISTS 'UNDERPAYMENT' AFTER 'DENIAL_REASON';
CREATE TYPE underpayment_status AS ENUM ('OPEN', 'APPEALED', 'RECOVERED', 'WRITTEN_OFF');

CREATE TABLE fee_schedules (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id    uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  version        integer NOT NULL,
  filename       text NOT NULL,
  row_count      integer NOT NULL,
  created_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT fee_schedules_customer_version_key UNIQUE (customer_id, version),
  CONSTRAINT fee_schedules_customer_id_id_key UNIQUE (customer_id, id),
  CONSTRAINT fee_schedules_version CHECK (version >= 1),
  CONSTRAINT fee_schedules_row_count CHECK (row_count >= 1),
  CONSTRAINT fee_schedules_filename_length CHECK (char_length(filename) BETWEEN 1 AND 255)
);

CREATE TABLE fee_schedule_rates (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id       uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  fee_schedule_id   uuid NOT NULL,
  -- The schedule's version, copied here so the effective-rate view orders without a join.
  schedule_version  integer NOT NULL,
  line_number       integer NOT NULL,
  payer_id          uuid NOT NULL REFERENCES payers (id) ON DELETE RESTRICT,
  -- The mapping the CSV's payer name went through: re-mapping the name re-points its rates.
  payer_mapping_id  uuid NOT NULL,
  cpt_code          text NOT NULL,
  -- '' when the rate applies to the code without a modifier.
  modifier          text NOT NULL DEFAULT '',
  rate              numeric(12, 2) NOT NULL,
  effective_from    date NOT NULL,
  -- NULL: open-ended.
  effective_to      date,
  superseded_by_id  uuid,
  superseded_at     timestamptz(3),
  created_at        timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT fee_schedule_rates_customer_id_id_key UNIQUE (customer_id, id),
  CONSTRAINT fee_schedule_rates_schedule_line_key UNIQUE (customer_id, fee_schedule_id, line_number),
  CONSTRAINT fee_schedule_rates_customer_id_fee_schedule_id_fkey FOREIGN KEY (customer_id, fee_schedule_id) REFERENCES fee_schedules (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT fee_schedule_rates_customer_id_payer_mapping_id_fkey FOREIGN KEY (customer_id, payer_mapping_id) REFERENCES payer_mappings (customer_id, id) ON DELETE RESTRICT,
  CONSTRAINT fee_schedule_rates_customer_id_superseded_by_id_fkey FOREIGN KEY (customer_id, superseded_by_id) REFERENCES fee_schedules (customer_id, id) ON DELETE SET NULL (superseded_by_id),
  CONSTRAINT fee_schedule_rates_line_number CHECK (line_number >= 1),
  CONSTRAINT fee_schedule_rates_code_format CHECK (cpt_code ~ '^[0-9A-Z]{5}$'),
  CONSTRAINT fee_schedule_rates_modifier_format CHECK (modifier = '' OR modifier ~ '^[0-9A-Z]{2}$'),
  CONSTRAINT fee_schedule_rates_rate CHECK (rate >= 0),
  CONSTRAINT fee_schedule_rates_dates CHECK (effective_to IS NULL OR effective_to >= effective_from)
);
CREATE INDEX fee_schedule_rates_lookup_idx ON fee_schedule_rates (customer_id, payer_id, cpt_code, modifier, effective_from);
CREATE INDEX fee_schedule_rates_customer_created_idx ON fee_schedule_rates (customer_id, created_at, id);
CREATE INDEX fee_schedule_rates_mapping_idx ON fee_schedule_rates (customer_id, payer_mapping_id);

-- Each (payer, code, modifier) timeline is cut at every rate's start and day after its end; each
-- piece takes the rate of the newest schedule covering it. security_invoker: the caller's
-- row-level security applies to the tables underneath.
CREATE VIEW fee_schedule_effective_rates WITH (security_invoker = true) AS
WITH bounds AS (
  SELECT customer_id, payer_id, cpt_code, modifier, effective_from AS d FROM fee_schedule_rates
  UNION
  SELECT customer_id, payer_id, cpt_code, modifier, effective_to + 1 FROM fee_schedule_rates WHERE effective_to IS NOT NULL
),
segments AS (
  SELECT customer_id, payer_id, cpt_code, modifier, d AS valid_from,
         coalesce(lead(d) OVER (PARTITION BY customer_id, payer_id, cpt_code, modifier ORDER BY d), 'infinity'::date) AS valid_until
  FROM bounds
)
SELECT DISTINCT ON (s.customer_id, s.payer_id, s.cpt_code, s.modifier, s.valid_from)
       s.customer_id, s.payer_id, s.cpt_code, s.modifier,
       s.valid_from,
       -- exclusive
       s.valid_until,
       r.id AS rate_id, r.fee_schedule_id, r.rate
FROM segments s
JOIN fee_schedule_rates r
  ON r.customer_id = s.customer_id AND r.payer_id = s.payer_id AND r.cpt_code = s.cpt_code AND r.modifier = s.modifier
 AND r.effective_from <= s.valid_from AND (r.effective_to IS NULL OR r.effective_to >= s.valid_from)
ORDER BY s.customer_id, s.payer_id, s.cpt_code, s.modifier, s.valid_from, r.schedule_version DESC;

CREATE TABLE underpayments (
  id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id              uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  submitter_claim_id       text NOT NULL,
  line_number              integer NOT NULL,
  payer_id                 uuid NOT NULL REFERENCES payers (id) ON DELETE RESTRICT,
  cpt_code                 text NOT NULL,
  cpt_group                text NOT NULL REFERENCES cpt_groups (code) ON DELETE RESTRICT,
  service_date             date NOT NULL,
  units                    numeric(10, 2) NOT NULL,
  fee_schedule_rate_id     uuid NOT NULL,
  expected_amount          numeric(12, 2) NOT NULL,
  -- As first found underpaid; allowed_amount follows corrections.
  original_allowed_amount  numeric(12, 2) NOT NULL,
  allowed_amount           numeric(12, 2) NOT NULL,
  paid_amount              numeric(12, 2),
  -- expected_amount - allowed_amount, kept with them.
  variance                 numeric(12, 2) NOT NULL,
  status                   underpayment_status NOT NULL DEFAULT 'OPEN',
  assignee_id              uuid REFERENCES users (id) ON DELETE SET NULL,
  -- Recovery ledger: allowed_amount - original_allowed_amount once a correction raised it.
  recovered_amount         numeric(12, 2) NOT NULL DEFAULT 0,
  recovered_at             date,
  status_changed_at        timestamptz(3),
  status_changed_by_id     uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at               timestamptz(3) NOT NULL DEFAULT now(),
  updated_at               timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT underpayments_customer_line_key UNIQUE (customer_id, submitter_claim_id, line_number),
  CONSTRAINT underpayments_customer_id_id_key UNIQUE (customer_id, id),
  -- The claim line's own unique key, with the tenant: a reversal that removes the line removes this.
  CONSTRAINT underpayments_customer_id_claim_line_fkey FOREIGN KEY (customer_id, submitter_claim_id, line_number) REFERENCES claim_lines (customer_id, submitter_claim_id, line_number) ON DELETE CASCADE,
  CONSTRAINT underpayments_customer_id_fee_schedule_rate_id_fkey FOREIGN KEY (customer_id, fee_schedule_rate_id) REFERENCES fee_schedule_rates (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT underpayments_amounts CHECK (expected_amount >= 0 AND original_allowed_amount >= 0 AND allowed_amount >= 0 AND recovered_amount >= 0),
  CONSTRAINT underpayments_recovery CHECK (status <> 'RECOVERED' OR recovered_at IS NOT NULL)
);
CREATE INDEX underpayments_customer_service_idx ON underpayments (customer_id, service_date, id);
CREATE INDEX underpayments_customer_status_idx ON underpayments (customer_id, status, service_date, id);
CREATE INDEX underpayments_customer_recovered_idx ON underpayments (customer_id, recovered_at);
CREATE INDEX underpayments_rate_idx ON underpayments (customer_id, fee_schedule_rate_id);

-- UNDERPAYMENT events keep the mean variance per line of both windows next to the shares.
ALTER TABLE drift_events ADD COLUMN baseline_mean_variance numeric(12, 2);
ALTER TABLE drift_events ADD COLUMN current_mean_variance numeric(12, 2);

-- A payer reference is the row's own tenant's payer or a catalogue payer (migration 20261203000091).
CREATE TRIGGER fee_schedule_rates_same_tenant_payer_insert AFTER INSERT ON fee_schedule_rates REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER fee_schedule_rates_same_tenant_payer_update AFTER UPDATE ON fee_schedule_rates REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER underpayments_same_tenant_payer_insert AFTER INSERT ON underpayments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER underpayments_same_tenant_payer_update AFTER UPDATE ON underpayments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();

-- Row-level security as every tenant table (migrations 20261127000007/08, 20261203000090).
GRANT SELECT, INSERT, UPDATE, DELETE ON fee_schedules, fee_schedule_rates, underpayments TO driftline_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON fee_schedules, fee_schedule_rates, underpayments TO driftline_platform;
GRANT SELECT ON fee_schedule_effective_rates TO driftline_app, driftline_platform;
ALTER TABLE fee_schedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE fee_schedule_rates ENABLE ROW LEVEL SECURITY;
ALTER TABLE underpayments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON fee_schedules TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
CREATE POLICY tenant_isolation ON fee_schedule_rates TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
CREATE POLICY tenant_isolation ON underpayments TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
CREATE POLICY platform_all ON fee_schedules TO driftline_platform USING (true) WITH CHECK (true);
CREATE POLICY platform_all ON fee_schedule_rates TO driftline_platform USING (true) WITH CHECK (true);
CREATE POLICY platform_all ON underpayments TO driftline_platform USING (true) WITH CHECK (true);

-- migrate:down
SET lock_timeout = '5s';
-- squawk-ignore ban-drop-column
ALTER TABLE drift_events DROP COLUMN current_mean_variance;
-- squawk-ignore ban-drop-column
ALTER TABLE drift_events DROP COLUMN baseline_mean_variance;
DROP TABLE underpayments;
DROP VIEW fee_schedule_effective_rates;
DROP TABLE fee_schedule_rates;
DROP TABLE fee_schedules;
DROP TYPE underpayment_status;
-- PostgreSQL cannot drop an enum value: UNDERPAYMENT events go, the label stays (harmless).
DELETE FROM drift_events WHERE drift_type::text = 'UNDERPAYMENT';
