-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Detection runs, drift events, alerts, webhooks and exports (PRODUCT.md §3–§6).
-- Lock order for every state transition: customers -> drift_events -> alert_rules ->
-- alert_events -> webhook_deliveries.

CREATE TYPE run_trigger AS ENUM ('SCHEDULED', 'MANUAL', 'UPLOAD', 'CLI');
CREATE TYPE job_status AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');
CREATE TYPE drift_type AS ENUM ('DENIAL_RATE', 'PAYMENT_AMOUNT', 'DECISION_TIME', 'DENIAL_REASON');
CREATE TYPE drift_status AS ENUM ('ACTIVE', 'RESOLVED');
CREATE TYPE drift_direction AS ENUM ('UP', 'DOWN');
CREATE TYPE alert_status AS ENUM ('PENDING', 'SENT', 'FAILED', 'ACKNOWLEDGED', 'RESOLVED');
CREATE TYPE feedback_verdict AS ENUM ('NOISE', 'REAL', 'NEEDS_FOLLOWUP');
CREATE TYPE delivery_status AS ENUM ('PENDING', 'DELIVERED', 'FAILED', 'DEAD');
CREATE TYPE export_kind AS ENUM ('PAYER_SCORECARD', 'DRIFT_EVENTS', 'ALERTS', 'CLAIMS');

CREATE TABLE detection_runs (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id      uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  trigger          run_trigger NOT NULL,
  status           job_status NOT NULL DEFAULT 'QUEUED',
  requested_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
  queued_at        timestamptz(3) NOT NULL DEFAULT now(),
  started_at       timestamptz(3),
  finished_at      timestamptz(3),
  baseline_start   date,
  baseline_end     date,
  current_start    date,
  current_end      date,
  cells_tested     integer NOT NULL DEFAULT 0,
  cells_skipped    integer NOT NULL DEFAULT 0,
  events_opened    integer NOT NULL DEFAULT 0,
  events_updated   integer NOT NULL DEFAULT 0,
  events_resolved  integer NOT NULL DEFAULT 0,
  summary          jsonb NOT NULL DEFAULT '{}',
  error            text,
  CONSTRAINT detection_runs_counts CHECK (
    cells_tested >= 0 AND cells_skipped >= 0 AND events_opened >= 0
    AND events_updated >= 0 AND events_resolved >= 0),
  CONSTRAINT detection_runs_timing CHECK (
    (started_at IS NULL OR started_at >= queued_at)
    AND (finished_at IS NULL OR (started_at IS NOT NULL AND finished_at >= started_at))),
  CONSTRAINT detection_runs_windows CHECK (
    num_nulls(baseline_start, baseline_end, current_start, current_end) IN (0, 4)
    AND (baseline_start IS NULL OR (baseline_start <= baseline_end AND baseline_end < current_start
    AND current_start <= current_end))),
  CONSTRAINT detection_runs_failure_reason CHECK (status <> 'FAILED' OR error IS NOT NULL)
);
CREATE INDEX detection_runs_customer_queued_idx ON detection_runs (customer_id, queued_at, id);
-- At most one queued or running run per tenant: a second trigger gets the one in progress.
CREATE UNIQUE INDEX detection_runs_one_in_progress ON detection_runs (customer_id)
  WHERE status IN ('QUEUED', 'RUNNING');

CREATE TABLE drift_events (
  id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id               uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  payer_id                  uuid NOT NULL REFERENCES payers (id) ON DELETE RESTRICT,
  cpt_group                 text NOT NULL REFERENCES cpt_groups (code) ON DELETE RESTRICT,
  drift_type                drift_type NOT NULL,
  status                    drift_status NOT NULL DEFAULT 'ACTIVE',
  -- For DENIAL_REASON: the CARC ("CO-50") whose share rose.
  denial_reason             text,
  baseline_value            double precision NOT NULL,
  current_value             double precision NOT NULL,
  delta                     double precision NOT NULL,
  delta_ci_low              double precision NOT NULL,
  delta_ci_high             double precision NOT NULL,
  p_value                   double precision NOT NULL,
  q_value                   double precision NOT NULL,
  severity                  double precision NOT NULL,
  direction                 drift_direction NOT NULL,
  estimated_revenue_impact  numeric(14, 2) NOT NULL DEFAULT 0,
  baseline_sample_size      integer NOT NULL,
  current_sample_size       integer NOT NULL,
  baseline_start            date NOT NULL,
  baseline_end              date NOT NULL,
  current_start             date NOT NULL,
  current_end               date NOT NULL,
  consecutive_periods       integer NOT NULL DEFAULT 1,
  first_detected_at         timestamptz(3) NOT NULL DEFAULT now(),
  last_detected_at          timestamptz(3) NOT NULL DEFAULT now(),
  resolved_at               timestamptz(3),
  first_run_id              uuid REFERENCES detection_runs (id) ON DELETE SET NULL,
  last_run_id               uuid REFERENCES detection_runs (id) ON DELETE SET NULL,
  created_at                timestamptz(3) NOT NULL DEFAULT now(),
  updated_at                timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT drift_events_probabilities CHECK (
    p_value BETWEEN 0 AND 1 AND q_value BETWEEN 0 AND 1 AND q_value >= p_value),
  CONSTRAINT drift_events_severity CHECK (severity BETWEEN 0 AND 1),
  CONSTRAINT drift_events_ci CHECK (delta_ci_low <= delta_ci_high),
  CONSTRAINT drift_events_samples CHECK (baseline_sample_size >= 0 AND current_sample_size >= 0),
  CONSTRAINT drift_events_windows CHECK (
    baseline_start <= baseline_end AND baseline_end < current_start AND current_start <= current_end),
  CONSTRAINT drift_events_periods CHECK (consecutive_periods >= 1),
  CONSTRAINT drift_events_detected_order CHECK (last_detected_at >= first_detected_at),
  CONSTRAINT drift_events_resolution CHECK ((status = 'RESOLVED') = (resolved_at IS NOT NULL)),
  CONSTRAINT drift_events_rate_values CHECK (
    drift_type NOT IN ('DENIAL_RATE', 'DENIAL_REASON')
    OR (baseline_value BETWEEN 0 AND 1 AND current_value BETWEEN 0 AND 1)),
  CONSTRAINT drift_events_reason_only_for_reason_type CHECK (
    (drift_type = 'DENIAL_REASON') = (denial_reason IS NOT NULL))
);
-- One active event per (tenant, payer, CPT group, type): the last line of defence for runs.
CREATE UNIQUE INDEX drift_events_one_active ON drift_events (customer_id, payer_id, cpt_group, drift_type)
  WHERE status = 'ACTIVE';
CREATE INDEX drift_events_customer_status_detected_idx ON drift_events (customer_id, status, last_detected_at, id);
CREATE INDEX drift_events_customer_detected_idx ON drift_events (customer_id, last_detected_at, id);

CREATE TABLE webhook_endpoints (
  id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id                 uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  url                         text NOT NULL,
  description                 text NOT NULL DEFAULT '',
  event_types                 text[] NOT NULL,
  enabled                     boolean NOT NULL DEFAULT true,
  disabled_reason             text,
  -- AES-256-GCM ciphertexts of whsec_ secrets; the previous one signs until it expires.
  secret_ciphertext           text NOT NULL,
  previous_secret_ciphertext  text,
  previous_secret_expires_at  timestamptz(3),
  created_at                  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at                  timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT webhook_endpoints_url_length CHECK (char_length(url) BETWEEN 8 AND 2048),
  CONSTRAINT webhook_endpoints_event_types CHECK (
    cardinality(event_types) >= 1 AND event_types <@ ARRAY['alert.created', 'alert.resolved',
    'drift.detected', 'drift.resolved', 'run.completed', 'webhook.test']::text[]),
  CONSTRAINT webhook_endpoints_previous_secret CHECK (
    (previous_secret_ciphertext IS NULL) = (previous_secret_expires_at IS NULL))
);
CREATE INDEX webhook_endpoints_customer_idx ON webhook_endpoints (customer_id, created_at, id);

CREATE TABLE alert_rules (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id         uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  name                text NOT NULL,
  enabled             boolean NOT NULL DEFAULT true,
  payer_id            uuid REFERENCES payers (id) ON DELETE RESTRICT,
  cpt_group           text REFERENCES cpt_groups (code) ON DELETE RESTRICT,
  drift_types         drift_type[] NOT NULL DEFAULT '{}',
  min_severity        double precision,
  min_abs_delta       double precision,
  min_revenue_impact  numeric(14, 2),
  max_q_value         double precision,
  notify_in_app       boolean NOT NULL DEFAULT true,
  email_recipients    text[] NOT NULL DEFAULT '{}',
  cooldown_minutes    integer NOT NULL DEFAULT 240,
  created_at          timestamptz(3) NOT NULL DEFAULT now(),
  updated_at          timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT alert_rules_customer_name_key UNIQUE (customer_id, name),
  CONSTRAINT alert_rules_name_length CHECK (char_length(name) BETWEEN 1 AND 120),
  CONSTRAINT alert_rules_min_severity CHECK (min_severity IS NULL OR min_severity BETWEEN 0 AND 1),
  CONSTRAINT alert_rules_min_abs_delta CHECK (min_abs_delta IS NULL OR min_abs_delta >= 0),
  CONSTRAINT alert_rules_min_revenue CHECK (min_revenue_impact IS NULL OR min_revenue_impact >= 0),
  CONSTRAINT alert_rules_max_q CHECK (max_q_value IS NULL OR max_q_value BETWEEN 0 AND 1),
  CONSTRAINT alert_rules_cooldown CHECK (cooldown_minutes BETWEEN 0 AND 43200)
);

-- Which webhook endpoints a rule notifies.
CREATE TABLE alert_rule_endpoints (
  customer_id  uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  rule_id      uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
  endpoint_id  uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  PRIMARY KEY (rule_id, endpoint_id)
);
CREATE INDEX alert_rule_endpoints_endpoint_idx ON alert_rule_endpoints (customer_id, endpoint_id);

CREATE TABLE alert_events (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id         uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  rule_id             uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
  drift_event_id      uuid NOT NULL REFERENCES drift_events (id) ON DELETE CASCADE,
  status              alert_status NOT NULL DEFAULT 'PENDING',
  suppressed          boolean NOT NULL DEFAULT false,
  suppression_reason  text,
  created_at          timestamptz(3) NOT NULL DEFAULT now(),
  updated_at          timestamptz(3) NOT NULL DEFAULT now(),
  acknowledged_at     timestamptz(3),
  acknowledged_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
  resolved_at         timestamptz(3),
  resolved_by_id      uuid REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT alert_events_rule_drift_key UNIQUE (rule_id, drift_event_id),
  CONSTRAINT alert_events_suppression CHECK (suppressed = (suppression_reason IS NOT NULL)),
  CONSTRAINT alert_events_ack CHECK (acknowledged_at IS NULL OR acknowledged_at >= created_at),
  CONSTRAINT alert_events_resolved CHECK ((status = 'RESOLVED') = (resolved_at IS NOT NULL))
);
CREATE INDEX alert_events_customer_created_idx ON alert_events (customer_id, created_at, id);
CREATE INDEX alert_events_customer_status_idx ON alert_events (customer_id, status, created_at, id);
CREATE INDEX alert_events_drift_idx ON alert_events (customer_id, drift_event_id);

CREATE TABLE alert_feedback (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id       uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  alert_event_id    uuid NOT NULL REFERENCES alert_events (id) ON DELETE CASCADE,
  user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  verdict           feedback_verdict NOT NULL,
  reason_codes      text[] NOT NULL DEFAULT '{}',
  recovered_amount  numeric(12, 2),
  recovered_on      date,
  notes             text,
  created_at        timestamptz(3) NOT NULL DEFAULT now(),
  updated_at        timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT alert_feedback_alert_user_key UNIQUE (alert_event_id, user_id),
  CONSTRAINT alert_feedback_recovered_amount CHECK (recovered_amount IS NULL OR recovered_amount >= 0),
  CONSTRAINT alert_feedback_notes_length CHECK (notes IS NULL OR char_length(notes) <= 4000)
);
CREATE INDEX alert_feedback_customer_created_idx ON alert_feedback (customer_id, created_at, id);

-- The outbox: written in the alert's transaction, sent by a worker after commit.
CREATE TABLE webhook_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id      uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  alert_event_id   uuid REFERENCES alert_events (id) ON DELETE CASCADE,
  -- The Standard Webhooks webhook-id: stable across every retry of this delivery.
  message_id       text NOT NULL,
  event_type       text NOT NULL,
  payload          jsonb NOT NULL,
  status           delivery_status NOT NULL DEFAULT 'PENDING',
  attempt_count    integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz(3) DEFAULT now(),
  last_attempt_at  timestamptz(3),
  delivered_at     timestamptz(3),
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  updated_at       timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_endpoint_alert_key UNIQUE (endpoint_id, alert_event_id),
  CONSTRAINT webhook_deliveries_message_key UNIQUE (message_id),
  CONSTRAINT webhook_deliveries_attempts CHECK (attempt_count >= 0),
  CONSTRAINT webhook_deliveries_delivered CHECK ((status = 'DELIVERED') = (delivered_at IS NOT NULL))
);
CREATE INDEX webhook_deliveries_customer_created_idx ON webhook_deliveries (customer_id, created_at, id);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';

CREATE TABLE webhook_delivery_attempts (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id       uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  delivery_id       uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt_number    integer NOT NULL,
  started_at        timestamptz(3) NOT NULL DEFAULT now(),
  duration_ms       integer NOT NULL,
  status_code       integer,
  error_kind        text,
  response_excerpt  text,
  CONSTRAINT webhook_delivery_attempts_number_key UNIQUE (delivery_id, attempt_number),
  CONSTRAINT webhook_delivery_attempts_number CHECK (attempt_number >= 1),
  CONSTRAINT webhook_delivery_attempts_duration CHECK (duration_ms >= 0),
  CONSTRAINT webhook_delivery_attempts_status CHECK (status_code IS NULL OR status_code BETWEEN 100 AND 599),
  CONSTRAINT webhook_delivery_attempts_excerpt CHECK (response_excerpt IS NULL OR octet_length(response_excerpt) <= 1024)
);
CREATE INDEX webhook_delivery_attempts_customer_idx ON webhook_delivery_attempts (customer_id, delivery_id);

CREATE TABLE exports (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id      uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  kind             export_kind NOT NULL,
  status           job_status NOT NULL DEFAULT 'QUEUED',
  params           jsonb NOT NULL DEFAULT '{}',
  progress         double precision NOT NULL DEFAULT 0,
  row_count        integer NOT NULL DEFAULT 0,
  contains_phi     boolean NOT NULL DEFAULT false,
  content          text,
  error            text,
  requested_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  started_at       timestamptz(3),
  finished_at      timestamptz(3),
  CONSTRAINT exports_progress CHECK (progress BETWEEN 0 AND 1),
  CONSTRAINT exports_row_count CHECK (row_count >= 0),
  CONSTRAINT exports_failure_reason CHECK (status <> 'FAILED' OR error IS NOT NULL)
);
CREATE INDEX exports_customer_created_idx ON exports (customer_id, created_at, id);

-- migrate:down
DROP TABLE exports;
DROP TABLE webhook_delivery_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE alert_feedback;
DROP TABLE alert_events;
DROP TABLE alert_rule_endpoints;
DROP TABLE alert_rules;
DROP TABLE webhook_endpoints;
DROP TABLE drift_events;
DROP TABLE detection_runs;
DROP TYPE export_kind;
DROP TYPE delivery_status;
DROP TYPE feedback_verdict;
DROP TYPE alert_status;
DROP TYPE drift_direction;
DROP TYPE drift_status;
DROP TYPE drift_type;
DROP TYPE job_status;
DROP TYPE run_trigger;
