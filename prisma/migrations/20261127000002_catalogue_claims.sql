-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Payers, CPT groups, uploads and claim lines (PRODUCT.md §2).

CREATE TYPE upload_format AS ENUM ('CSV', 'X12_835', 'JSON');
CREATE TYPE upload_status AS ENUM ('PROCESSING', 'APPLIED', 'REJECTED');
CREATE TYPE claim_outcome AS ENUM ('PAID', 'DENIED', 'PARTIAL', 'OTHER');

-- customer_id NULL: a catalogue payer managed by superusers. Otherwise a tenant's own raw payer,
-- created when an unmapped payer name arrives, until an admin maps the name to a catalogue payer.
CREATE TABLE payers (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id  uuid REFERENCES customers (id) ON DELETE CASCADE,
  name         text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT payers_customer_name_key UNIQUE NULLS NOT DISTINCT (customer_id, name),
  CONSTRAINT payers_name_length CHECK (char_length(name) BETWEEN 1 AND 200)
);

-- Raw payer name (normalised: lower case, single spaces) -> payer, per tenant.
CREATE TABLE payer_mappings (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id      uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  raw_name         text NOT NULL,
  normalized_name  text NOT NULL,
  payer_id         uuid NOT NULL REFERENCES payers (id) ON DELETE RESTRICT,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  updated_at       timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT payer_mappings_customer_name_key UNIQUE (customer_id, normalized_name),
  CONSTRAINT payer_mappings_raw_name_length CHECK (char_length(raw_name) BETWEEN 1 AND 200)
);
CREATE INDEX payer_mappings_payer_idx ON payer_mappings (customer_id, payer_id);

-- Groups only: code ranges live in code (CPT descriptions are copyrighted; ranges are not).
CREATE TABLE cpt_groups (
  code        text PRIMARY KEY,
  name        text NOT NULL,
  sort_order  integer NOT NULL
);
INSERT INTO cpt_groups (code, name, sort_order) VALUES
  ('EM', 'Evaluation and Management', 1),
  ('ANESTHESIA', 'Anesthesia', 2),
  ('SURGERY', 'Surgery', 3),
  ('RADIOLOGY', 'Radiology', 4),
  ('PATHOLOGY_LAB', 'Pathology and Laboratory', 5),
  ('MEDICINE', 'Medicine', 6),
  ('CATEGORY_II', 'CPT Category II (performance measures)', 7),
  ('CATEGORY_III', 'CPT Category III (emerging technology)', 8),
  ('HCPCS_A', 'HCPCS A: transport, medical and surgical supplies', 10),
  ('HCPCS_B', 'HCPCS B: enteral and parenteral therapy', 11),
  ('HCPCS_C', 'HCPCS C: outpatient PPS', 12),
  ('HCPCS_E', 'HCPCS E: durable medical equipment', 13),
  ('HCPCS_G', 'HCPCS G: procedures and professional services', 14),
  ('HCPCS_H', 'HCPCS H: behavioral health', 15),
  ('HCPCS_J', 'HCPCS J: drugs administered other than orally', 16),
  ('HCPCS_K', 'HCPCS K: temporary DME codes', 17),
  ('HCPCS_L', 'HCPCS L: orthotics and prosthetics', 18),
  ('HCPCS_M', 'HCPCS M: medical services and quality measures', 19),
  ('HCPCS_P', 'HCPCS P: pathology and laboratory', 20),
  ('HCPCS_Q', 'HCPCS Q: temporary codes', 21),
  ('HCPCS_R', 'HCPCS R: diagnostic radiology', 22),
  ('HCPCS_S', 'HCPCS S: temporary national codes (non-Medicare)', 23),
  ('HCPCS_T', 'HCPCS T: state Medicaid agency codes', 24),
  ('HCPCS_U', 'HCPCS U: coronavirus lab tests', 25),
  ('HCPCS_V', 'HCPCS V: vision and hearing', 26),
  ('OTHER', 'Other or unrecognised codes', 99);

CREATE TABLE cpt_mappings (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id  uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  cpt_code     text NOT NULL,
  group_code   text NOT NULL REFERENCES cpt_groups (code) ON DELETE RESTRICT,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT cpt_mappings_customer_code_key UNIQUE (customer_id, cpt_code),
  CONSTRAINT cpt_mappings_code_format CHECK (cpt_code ~ '^[0-9A-Z]{5}$')
);

-- One upload per file content per tenant; a JSON batch is an upload too, keyed by its
-- Idempotency-Key, so replays return the first answer.
CREATE TABLE uploads (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id      uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  filename         text NOT NULL,
  format           upload_format NOT NULL,
  size_bytes       bigint NOT NULL,
  content_hash     text NOT NULL,
  idempotency_key  text,
  status           upload_status NOT NULL DEFAULT 'PROCESSING',
  row_count        integer NOT NULL DEFAULT 0,
  applied_count    integer NOT NULL DEFAULT 0,
  error_count      integer NOT NULL DEFAULT 0,
  errors           jsonb NOT NULL DEFAULT '[]',
  created_by_id    uuid REFERENCES users (id) ON DELETE SET NULL,
  api_key_id       uuid REFERENCES api_keys (id) ON DELETE SET NULL,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  completed_at     timestamptz(3),
  CONSTRAINT uploads_customer_hash_key UNIQUE (customer_id, content_hash),
  CONSTRAINT uploads_customer_idempotency_key UNIQUE (customer_id, idempotency_key),
  CONSTRAINT uploads_counts CHECK (
    size_bytes >= 0 AND row_count >= 0 AND applied_count >= 0 AND error_count >= 0
    AND applied_count <= row_count),
  CONSTRAINT uploads_rejected_applies_nothing CHECK (status <> 'REJECTED' OR applied_count = 0)
);
CREATE INDEX uploads_customer_created_idx ON uploads (customer_id, created_at, id);

CREATE TABLE claim_lines (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id           uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  upload_id             uuid REFERENCES uploads (id) ON DELETE SET NULL,
  submitter_claim_id    text NOT NULL,
  line_number           integer NOT NULL,
  payer_claim_number    text,
  payer_id              uuid NOT NULL REFERENCES payers (id) ON DELETE RESTRICT,
  -- The mapping that produced payer_id: re-mapping a raw name re-points its lines.
  payer_mapping_id      uuid NOT NULL REFERENCES payer_mappings (id) ON DELETE RESTRICT,
  cpt_code              text NOT NULL,
  cpt_group             text NOT NULL REFERENCES cpt_groups (code) ON DELETE RESTRICT,
  units                 numeric(10, 2) NOT NULL DEFAULT 1,
  service_date          date NOT NULL,
  submitted_at          date NOT NULL,
  decided_at            date NOT NULL,
  paid_at               date,
  billed_amount         numeric(12, 2) NOT NULL,
  allowed_amount        numeric(12, 2),
  paid_amount           numeric(12, 2),
  outcome               claim_outcome NOT NULL,
  denial_group          text,
  denial_code           text,
  remark_codes          text[] NOT NULL DEFAULT '{}',
  patient_account_hash  text,
  -- Incremented on every correction or reversal, so history stays countable.
  version               integer NOT NULL DEFAULT 1,
  created_at            timestamptz(3) NOT NULL DEFAULT now(),
  updated_at            timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT claim_lines_customer_claim_line_key UNIQUE (customer_id, submitter_claim_id, line_number),
  CONSTRAINT claim_lines_line_number CHECK (line_number >= 1),
  CONSTRAINT claim_lines_units CHECK (units > 0),
  CONSTRAINT claim_lines_amounts_nonnegative CHECK (
    billed_amount >= 0 AND (allowed_amount IS NULL OR allowed_amount >= 0)
    AND (paid_amount IS NULL OR paid_amount >= 0)),
  CONSTRAINT claim_lines_paid_within_billed CHECK (paid_amount IS NULL OR paid_amount <= billed_amount),
  CONSTRAINT claim_lines_decision_after_submission CHECK (decided_at >= submitted_at),
  CONSTRAINT claim_lines_payment_after_submission CHECK (paid_at IS NULL OR paid_at >= submitted_at),
  CONSTRAINT claim_lines_denial_reason_pair CHECK ((denial_group IS NULL) = (denial_code IS NULL)),
  CONSTRAINT claim_lines_denial_group CHECK (denial_group IN ('CO', 'PR', 'OA', 'PI', 'CR')),
  CONSTRAINT claim_lines_version CHECK (version >= 1)
);
-- Covering index for detection windows, the dashboard trend and totals: an index-only scan by
-- tenant and decision date.
CREATE INDEX claim_lines_customer_decided_idx ON claim_lines (customer_id, decided_at)
  INCLUDE (payer_id, cpt_group, cpt_code, outcome, units, allowed_amount, submitted_at, denial_group, denial_code);
-- Covering index for the payer scorecard.
CREATE INDEX claim_lines_customer_payer_decided_idx ON claim_lines (customer_id, payer_id, decided_at)
  INCLUDE (outcome, allowed_amount, submitted_at);
CREATE INDEX claim_lines_customer_upload_idx ON claim_lines (customer_id, upload_id);
CREATE INDEX claim_lines_customer_mapping_idx ON claim_lines (customer_id, payer_mapping_id);

-- migrate:down
DROP TABLE claim_lines;
DROP TABLE uploads;
DROP TABLE cpt_mappings;
DROP TABLE cpt_groups;
DROP TABLE payer_mappings;
DROP TABLE payers;
DROP TYPE claim_outcome;
DROP TYPE upload_status;
DROP TYPE upload_format;
