-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Identity model (SECURITY.md, "Accounts and tenants"): accounts are global and belong to the
-- person. Nobody sets another person's password: people join a tenant by a single-use
-- invitation and choose their own password (or accept with the account they have), and a
-- forgotten password is replaced through a single-use reset token. Tokens are stored only as
-- SHA-256 hashes, like API keys.
CREATE TABLE invitations (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id    uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  email          text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
  role           member_role NOT NULL,
  token_hash     text NOT NULL,
  invited_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
  expires_at     timestamptz(3) NOT NULL,
  accepted_at    timestamptz(3),
  accepted_by_id uuid REFERENCES users (id) ON DELETE SET NULL,
  revoked_at     timestamptz(3),
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT invitations_token_hash_key UNIQUE (token_hash),
  CONSTRAINT invitations_used_once CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
CREATE INDEX invitations_customer_idx ON invitations (customer_id, created_at);
-- One open invitation per address and tenant: a new one replaces the old (the service revokes
-- it first); this index is the last defence when two admins invite at the same moment.
CREATE UNIQUE INDEX invitations_open_key ON invitations (customer_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL;

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations TO driftline_app USING (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid) WITH CHECK (customer_id = nullif(current_setting('app.customer_id', true), '')::uuid);
GRANT SELECT, INSERT ON invitations TO driftline_app;
GRANT UPDATE (accepted_at, accepted_by_id, revoked_at) ON invitations TO driftline_app;

-- Password resets are the platform's (run as the owner, never by tenant code): no grant at all.
CREATE TABLE password_reset_tokens (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash text NOT NULL,
  expires_at timestamptz(3) NOT NULL,
  used_at    timestamptz(3),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT password_reset_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id);

-- Finding 2 closed in the database as well: tenant code may no longer change any account
-- (disable, rename) — only create a new member's own account while accepting an invitation.
DROP POLICY app_update_member ON users;
REVOKE UPDATE (name, disabled_at, updated_at) ON users FROM driftline_app;

-- Keys whose creator no longer belongs to the key's tenant stop working (SECURITY.md): from now
-- on removal revokes them; this catches the ones left over from before.
UPDATE api_keys k SET revoked_at = now()
WHERE k.revoked_at IS NULL AND k.created_by_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = k.created_by_id AND m.customer_id = k.customer_id)
  AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = k.created_by_id AND u.is_superuser AND u.disabled_at IS NULL);

-- migrate:down
SET lock_timeout = '5s';
-- (Keys revoked on the way up stay revoked: un-revoking a credential is not a rollback's job.)
GRANT UPDATE (name, disabled_at, updated_at) ON users TO driftline_app;
CREATE POLICY app_update_member ON users FOR UPDATE TO driftline_app USING (true) WITH CHECK (true);
DROP TABLE password_reset_tokens;
REVOKE ALL ON invitations FROM driftline_app;
DROP TABLE invitations;
