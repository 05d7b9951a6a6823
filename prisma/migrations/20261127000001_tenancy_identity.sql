-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Tenancy, identity and the audit trail. Every tenant-owned table carries customer_id
-- (NOT NULL, foreign key, leading column of its indexes).

CREATE TYPE member_role AS ENUM ('VIEWER', 'ANALYST', 'ADMIN');

CREATE TABLE customers (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        text NOT NULL,
  name        text NOT NULL,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT customers_slug_key UNIQUE (slug),
  CONSTRAINT customers_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  CONSTRAINT customers_name_length CHECK (char_length(name) BETWEEN 1 AND 200)
);

-- Detection settings per tenant (PRODUCT.md §3 defaults).
CREATE TABLE customer_settings (
  customer_id             uuid PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
  baseline_days           integer NOT NULL DEFAULT 90,
  current_days            integer NOT NULL DEFAULT 14,
  min_sample              integer NOT NULL DEFAULT 30,
  fdr_q                   double precision NOT NULL DEFAULT 0.05,
  denial_rate_gate        double precision NOT NULL DEFAULT 0.05,
  payment_drop_gate       double precision NOT NULL DEFAULT 0.05,
  decision_time_gate_days double precision NOT NULL DEFAULT 3,
  reason_from_share       double precision NOT NULL DEFAULT 0.02,
  reason_to_share         double precision NOT NULL DEFAULT 0.10,
  reason_min_count        integer NOT NULL DEFAULT 5,
  updated_at              timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT customer_settings_baseline_days CHECK (baseline_days BETWEEN 14 AND 730),
  CONSTRAINT customer_settings_current_days CHECK (current_days BETWEEN 1 AND 180 AND current_days < baseline_days),
  CONSTRAINT customer_settings_min_sample CHECK (min_sample BETWEEN 5 AND 100000),
  CONSTRAINT customer_settings_fdr_q CHECK (fdr_q > 0 AND fdr_q <= 0.5),
  CONSTRAINT customer_settings_denial_rate_gate CHECK (denial_rate_gate > 0 AND denial_rate_gate <= 1),
  CONSTRAINT customer_settings_payment_drop_gate CHECK (payment_drop_gate > 0 AND payment_drop_gate <= 1),
  CONSTRAINT customer_settings_decision_time_gate CHECK (decision_time_gate_days > 0 AND decision_time_gate_days <= 365),
  CONSTRAINT customer_settings_reason_shares CHECK (
    reason_from_share >= 0 AND reason_to_share <= 1 AND reason_from_share < reason_to_share),
  CONSTRAINT customer_settings_reason_min_count CHECK (reason_min_count >= 1)
);

-- Emails are stored lower-cased so a plain unique key is case-insensitive.
CREATE TABLE users (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email            text NOT NULL,
  name             text NOT NULL DEFAULT '',
  password_hash    text NOT NULL,
  is_superuser     boolean NOT NULL DEFAULT false,
  disabled_at      timestamptz(3),
  last_sign_in_at  timestamptz(3),
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  updated_at       timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT users_email_key UNIQUE (email),
  CONSTRAINT users_email_lower CHECK (email = lower(email) AND email LIKE '%_@_%')
);

CREATE TABLE memberships (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id  uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role         member_role NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT memberships_customer_user_key UNIQUE (customer_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- Web sessions: the signed cookie names a row here, so idle timeout, absolute lifetime and
-- revocation are decided by the database on every request, not by token expiry.
CREATE TABLE user_sessions (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  active_customer_id uuid REFERENCES customers (id) ON DELETE SET NULL,
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  last_seen_at    timestamptz(3) NOT NULL DEFAULT now(),
  expires_at      timestamptz(3) NOT NULL,
  revoked_at      timestamptz(3),
  CONSTRAINT user_sessions_expiry CHECK (expires_at > created_at)
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id);

-- API keys: only a SHA-256 of the key is kept; the prefix identifies it in lists and logs.
CREATE TABLE api_keys (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id    uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  name           text NOT NULL,
  prefix         text NOT NULL,
  key_hash       text NOT NULL,
  role           member_role NOT NULL,
  created_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
  expires_at     timestamptz(3),
  revoked_at     timestamptz(3),
  last_used_at   timestamptz(3),
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT api_keys_prefix_key UNIQUE (prefix),
  CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
  CONSTRAINT api_keys_name_length CHECK (char_length(name) BETWEEN 1 AND 100)
);
CREATE INDEX api_keys_customer_idx ON api_keys (customer_id, created_at);

-- Append-only, hash-chained per tenant (customer_id NULL is the platform chain).
CREATE TABLE audit_events (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id      uuid REFERENCES customers (id) ON DELETE RESTRICT,
  seq              bigint NOT NULL,
  occurred_at      timestamptz(3) NOT NULL DEFAULT now(),
  actor_user_id    uuid REFERENCES users (id) ON DELETE RESTRICT,
  actor_api_key_id uuid REFERENCES api_keys (id) ON DELETE RESTRICT,
  actor_label      text NOT NULL,
  action           text NOT NULL,
  resource_type    text NOT NULL,
  resource_id      text,
  outcome          text NOT NULL DEFAULT 'SUCCESS',
  request_id       text,
  ip               text,
  details          jsonb NOT NULL DEFAULT '{}',
  prev_hash        text NOT NULL,
  hash             text NOT NULL,
  CONSTRAINT audit_events_chain_key UNIQUE NULLS NOT DISTINCT (customer_id, seq),
  CONSTRAINT audit_events_seq_positive CHECK (seq >= 1),
  CONSTRAINT audit_events_outcome CHECK (outcome IN ('SUCCESS', 'FAILURE'))
);
CREATE INDEX audit_events_customer_time_idx ON audit_events (customer_id, occurred_at, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_no_update_delete
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Shared store for rate-limiter-flexible (RateLimiterPostgres), so limits hold across instances.
CREATE TABLE rate_limits (
  key     text PRIMARY KEY,
  points  integer NOT NULL DEFAULT 0,
  expire  bigint
);

-- migrate:down
DROP TABLE rate_limits;
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE api_keys;
DROP TABLE user_sessions;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE customer_settings;
DROP TABLE customers;
DROP TYPE member_role;
