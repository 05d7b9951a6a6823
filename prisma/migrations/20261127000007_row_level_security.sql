-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Row-level security as defence in depth (PRODUCT.md §1). The application's tenant
-- scoping (src/server/db/tenant-scope.ts) stays the first line; these policies are the second:
-- a connection acting as the non-superuser role `driftline_app`, with the tenant set per
-- transaction by `SELECT set_config('app.customer_id', <uuid>, true)`, sees and writes only that
-- tenant's rows, and with no tenant set sees none at all (never "all").
--
-- RLS is ENABLEd, not FORCEd: the table owner (the migration / platform role the app connects as
-- today, used by superuser and platform paths) is not subject to the policies, so nothing that
-- runs as the owner changes. `driftline_app` is NOLOGIN: a deployment connects as a login role
-- that is a member of it, or the owner connection does `SET LOCAL ROLE driftline_app` per
-- transaction. SECURITY.md says what remains to make every tenant request run that way.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driftline_app') THEN
    CREATE ROLE driftline_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO driftline_app;
GRANT SELECT ON customers, users, cpt_groups, payers TO driftline_app;
GRANT INSERT, UPDATE, DELETE ON payers TO driftline_app;
-- The audit log is append-only for the application (its trigger refuses UPDATE and DELETE too).
GRANT SELECT, INSERT ON audit_events TO driftline_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON customer_settings, memberships, api_keys, payer_mappings, cpt_mappings, uploads, claim_lines, detection_runs, drift_events, webhook_endpoints, alert_rules, alert_rule_endpoints, alert_events, alert_feedback, webhook_deliveries, webhook_delivery_attempts, exports, alert_email_deliveries TO driftline_app;

ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers TO driftline_app USING (id = nullif(current_setting('app.customer_id', true), '')::uuid);
-- Catalogue payers (customer_id NULL) are readable by every tenant, writable by none.
ALTER TABLE payers ENABLE ROW LEVEL SECURITY;
CREATE POLICY catalogue_read ON payers FOR SELECT TO driftline_app USING (customer_id IS NULL);
CREATE POLICY tenant_isolation ON payers TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
-- Every tenant-owned table: the tenant in scope only, for reads and writes alike.
ALTER TABLE customer_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customer_settings TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memberships TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE payer_mappings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON payer_mappings TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE cpt_mappings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON cpt_mappings TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE uploads ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON uploads TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE claim_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON claim_lines TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE detection_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON detection_runs TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE drift_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON drift_events TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE alert_rules ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON alert_rules TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE alert_rule_endpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON alert_rule_endpoints TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE alert_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON alert_events TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE alert_feedback ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON alert_feedback TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE webhook_delivery_attempts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_delivery_attempts TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE exports ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON exports TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
ALTER TABLE alert_email_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON alert_email_deliveries TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);

-- migrate:down
SET lock_timeout = '5s';
DROP POLICY tenant_isolation ON alert_email_deliveries;
ALTER TABLE alert_email_deliveries DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON exports;
ALTER TABLE exports DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON webhook_delivery_attempts;
ALTER TABLE webhook_delivery_attempts DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON webhook_deliveries;
ALTER TABLE webhook_deliveries DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON alert_feedback;
ALTER TABLE alert_feedback DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON alert_events;
ALTER TABLE alert_events DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON alert_rule_endpoints;
ALTER TABLE alert_rule_endpoints DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON alert_rules;
ALTER TABLE alert_rules DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON webhook_endpoints;
ALTER TABLE webhook_endpoints DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON drift_events;
ALTER TABLE drift_events DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON detection_runs;
ALTER TABLE detection_runs DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON claim_lines;
ALTER TABLE claim_lines DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON uploads;
ALTER TABLE uploads DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON cpt_mappings;
ALTER TABLE cpt_mappings DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON payer_mappings;
ALTER TABLE payer_mappings DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON audit_events;
ALTER TABLE audit_events DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON api_keys;
ALTER TABLE api_keys DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON memberships;
ALTER TABLE memberships DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON customer_settings;
ALTER TABLE customer_settings DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON payers;
DROP POLICY catalogue_read ON payers;
ALTER TABLE payers DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON customers;
ALTER TABLE customers DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM driftline_app;
REVOKE USAGE ON SCHEMA public FROM driftline_app;
-- The role is cluster-wide: it stays while another database (a test's, a replica's) still uses it.
DO $$
BEGIN
  DROP ROLE IF EXISTS driftline_app;
EXCEPTION WHEN dependent_objects_still_exist THEN
  RAISE NOTICE 'driftline_app is still used by another database; kept';
END
$$;
