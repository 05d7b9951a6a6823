-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Row-level security enforced for tenant requests (SECURITY.md, "Row-level security"). The
-- tenant-scoped client (src/server/db/tenant-scope.ts) runs every statement in a transaction that
-- first does `set_config('role', 'driftline_app', true)` (= SET LOCAL ROLE) and
-- `set_config('app.customer_id', <tenant>, true)`. The connection's own login (the owner that
-- runs migrations) must be a member of `driftline_app` to switch to it; a superuser already can.
GRANT driftline_app TO CURRENT_USER;
-- What tenant requests do beyond migration 20261127000007's grants:
-- * lock their customer row (SELECT … FOR UPDATE needs UPDATE on a column; the policy keeps
--   it to the tenant's own row);
-- * create a new member's account and disable it. `users` spans tenants, so it has no tenant
--   policy (the scoped client filters it by membership), but the role can neither create a
--   superuser nor change who is one, a password or an e-mail (column grants).
GRANT UPDATE (updated_at) ON customers TO driftline_app;
GRANT INSERT ON users TO driftline_app;
GRANT UPDATE (name, disabled_at, updated_at) ON users TO driftline_app;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_read ON users FOR SELECT TO driftline_app USING (true);
CREATE POLICY app_create_member ON users FOR INSERT TO driftline_app WITH CHECK (NOT is_superuser);
CREATE POLICY app_update_member ON users FOR UPDATE TO driftline_app USING (true) WITH CHECK (true);
-- Sessions: readable (never writable) for the tenant's own members only — `memberships` is
-- itself under the tenant policy, so the subquery sees the tenant in scope alone.
GRANT SELECT ON user_sessions TO driftline_app;
ALTER TABLE user_sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_members ON user_sessions FOR SELECT TO driftline_app USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = user_sessions.user_id));

-- migrate:down
SET lock_timeout = '5s';
DROP POLICY tenant_members ON user_sessions;
ALTER TABLE user_sessions DISABLE ROW LEVEL SECURITY;
REVOKE SELECT ON user_sessions FROM driftline_app;
DROP POLICY app_update_member ON users;
DROP POLICY app_create_member ON users;
DROP POLICY app_read ON users;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
REVOKE UPDATE (name, disabled_at, updated_at) ON users FROM driftline_app;
REVOKE INSERT ON users FROM driftline_app;
REVOKE UPDATE (updated_at) ON customers FROM driftline_app;
REVOKE driftline_app FROM CURRENT_USER;
