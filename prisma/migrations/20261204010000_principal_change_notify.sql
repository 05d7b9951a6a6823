-- migrate:up
-- Principal lookups (API key -> tenant and role; session -> user and memberships) are cached
-- for a few seconds in each web process (src/server/auth/principal-cache.ts). Every change that
-- can take access away or change it — a key revoked, expired, deleted or given another role; a
-- user disabled or made (or unmade) superuser; a membership added, changed or removed; a session
-- revoked, shortened or switched to another tenant — notifies channel driftline_principals after
-- commit, and every process drops its copy. Usage bookkeeping (last_used_at, last_seen_at moving
-- forward) does not notify; last_seen_at moved back (an operator ending idle sessions) does.
SET lock_timeout = '5s';
SET statement_timeout = '60s';
CREATE FUNCTION notify_principal_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  row_data record;
BEGIN
  IF TG_OP = 'DELETE' THEN row_data := OLD; ELSE row_data := NEW; END IF;
  IF TG_TABLE_NAME = 'api_keys' THEN
    PERFORM pg_notify('driftline_principals', 'key:' || row_data.id::text);
  ELSIF TG_TABLE_NAME = 'users' THEN
    PERFORM pg_notify('driftline_principals', 'user:' || row_data.id::text);
  ELSIF TG_TABLE_NAME = 'memberships' THEN
    PERFORM pg_notify('driftline_principals', 'user:' || row_data.user_id::text);
    IF TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id THEN
      PERFORM pg_notify('driftline_principals', 'user:' || OLD.user_id::text);
    END IF;
  ELSIF TG_TABLE_NAME = 'user_sessions' THEN
    PERFORM pg_notify('driftline_principals', 'session:' || row_data.id::text);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_notify_principal_change
  AFTER UPDATE ON api_keys FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
        OR OLD.role IS DISTINCT FROM NEW.role OR OLD.customer_id IS DISTINCT FROM NEW.customer_id
        OR OLD.key_hash IS DISTINCT FROM NEW.key_hash OR OLD.prefix IS DISTINCT FROM NEW.prefix)
  EXECUTE FUNCTION notify_principal_change();
CREATE TRIGGER api_keys_notify_principal_delete
  AFTER DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION notify_principal_change();

CREATE TRIGGER users_notify_principal_change
  AFTER UPDATE ON users FOR EACH ROW
  WHEN (OLD.disabled_at IS DISTINCT FROM NEW.disabled_at OR OLD.is_superuser IS DISTINCT FROM NEW.is_superuser
        OR OLD.email IS DISTINCT FROM NEW.email)
  EXECUTE FUNCTION notify_principal_change();
CREATE TRIGGER users_notify_principal_delete
  AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION notify_principal_change();

CREATE TRIGGER memberships_notify_principal_change
  AFTER INSERT OR UPDATE OR DELETE ON memberships FOR EACH ROW EXECUTE FUNCTION notify_principal_change();

CREATE TRIGGER user_sessions_notify_principal_change
  AFTER UPDATE ON user_sessions FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
        OR OLD.active_customer_id IS DISTINCT FROM NEW.active_customer_id OR OLD.user_id IS DISTINCT FROM NEW.user_id
        OR NEW.last_seen_at < OLD.last_seen_at)
  EXECUTE FUNCTION notify_principal_change();
CREATE TRIGGER user_sessions_notify_principal_delete
  AFTER DELETE ON user_sessions FOR EACH ROW EXECUTE FUNCTION notify_principal_change();

-- migrate:down
SET lock_timeout = '5s';
DROP TRIGGER user_sessions_notify_principal_delete ON user_sessions;
DROP TRIGGER user_sessions_notify_principal_change ON user_sessions;
DROP TRIGGER memberships_notify_principal_change ON memberships;
DROP TRIGGER users_notify_principal_delete ON users;
DROP TRIGGER users_notify_principal_change ON users;
DROP TRIGGER api_keys_notify_principal_delete ON api_keys;
DROP TRIGGER api_keys_notify_principal_change ON api_keys;
DROP FUNCTION notify_principal_change();
