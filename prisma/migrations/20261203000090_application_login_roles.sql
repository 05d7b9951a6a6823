-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Role separation (SECURITY.md, "Database roles"). Until now the web tier and the workers logged
-- in as the table owner and switched to `driftline_app` with SET LOCAL ROLE: an injected
-- `RESET ROLE` gave back the owner, to whom RLS does not apply and who may disable the audit
-- trigger and rewrite the chain. From here on only migrations log in as the owner. The
-- application logs in as two roles, neither of them owner, superuser or BYPASSRLS:
--
-- * a tenant login, a member of `driftline_app` only (migration 20261127000007): every tenant
--   request's statements; after a RESET ROLE it is still bound by the tenant policies;
-- * a platform login, a member of `driftline_platform` (created here): the paths that must work
--   across tenants — sign-in and request authentication, superuser pages, workers and sweeps,
--   ingestion's bulk load, rate limits, the job queue, metrics. It reads and writes every tenant
--   through the explicit `platform_all` policies below, but it cannot alter the schema, cannot
--   UPDATE, DELETE or TRUNCATE audit_events, and owns nothing in `public`.
--
-- Both group roles are NOLOGIN; start-up (embedded database) or the operator (DEPLOYMENT.md)
-- creates the LOGIN roles that are members of them. Tables from migrations merged before this
-- one are covered by the loops below; a later tenant table needs its own grants and policy
-- (src/server/db/database-roles.test.ts names any table that has none).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driftline_platform') THEN
    CREATE ROLE driftline_platform NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO driftline_platform;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO driftline_platform;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO driftline_platform;
-- The audit log is append-only for every application login (its trigger refuses UPDATE and
-- DELETE too, and only the owner could disable that trigger).
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM driftline_platform;
-- Readiness and start-up check which migrations are applied; only the owner applies them.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM driftline_platform;
-- The migration (owner) login may act as the platform role to hand it pg-boss's schema
-- (src/server/jobs/install-queue-schema.ts).
GRANT driftline_platform TO CURRENT_USER;

-- Every table under row-level security gets the platform's explicit all-tenants policy.
DO $$
DECLARE
  t regclass;
BEGIN
  FOR t IN
    SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relrowsecurity
    ORDER BY c.relname
  LOOP
    EXECUTE format('CREATE POLICY platform_all ON %s TO driftline_platform USING (true) WITH CHECK (true)', t);
  END LOOP;
END
$$;

-- migrate:down
SET lock_timeout = '5s';
DO $$
DECLARE
  t regclass;
BEGIN
  FOR t IN
    SELECT p.polrelid::regclass FROM pg_policy p WHERE p.polname = 'platform_all'
  LOOP
    EXECUTE format('DROP POLICY platform_all ON %s', t);
  END LOOP;
END
$$;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM driftline_platform;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM driftline_platform;
REVOKE USAGE ON SCHEMA public FROM driftline_platform;
-- pg-boss's objects go back to the migration login (start-up handed them to the platform role);
-- the role is cluster-wide and stays while another database still uses it.
DO $$
DECLARE
  item record;
BEGIN
  FOR item IN
    SELECT format('ALTER %s %s OWNER TO %I', CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass, current_user) AS sql
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'pgboss' AND c.relkind IN ('r', 'p', 'S')
    UNION ALL
    SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, current_user)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'pgboss'
    UNION ALL
    SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, current_user)
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'pgboss' AND t.typtype = 'e'
    UNION ALL
    SELECT format('ALTER SCHEMA pgboss OWNER TO %I', current_user) FROM pg_namespace WHERE nspname = 'pgboss'
  LOOP
    EXECUTE item.sql;
  END LOOP;
END
$$;
REVOKE driftline_platform FROM CURRENT_USER;
DO $$
BEGIN
  DROP ROLE IF EXISTS driftline_platform;
EXCEPTION WHEN dependent_objects_still_exist THEN
  RAISE NOTICE 'driftline_platform is still used by another database; kept';
END
$$;
