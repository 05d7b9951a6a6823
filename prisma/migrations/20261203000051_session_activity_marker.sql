-- migrate:up
-- Automatic logoff counts only what a person does (SECURITY.md, "Idle logoff"). The browser
-- writes a new activity marker (cookie `driftline-activity`) when the person types, clicks,
-- scrolls or touches; a request extends the idle clock only when its marker differs from the
-- last one the session saw. Background polls carry the same marker and extend nothing.
-- (The application writes at most 32 characters; see session-activity.ts.)
SET lock_timeout = '5s';
SET statement_timeout = '120s';
ALTER TABLE user_sessions ADD COLUMN last_activity_marker text;

-- migrate:down
SET lock_timeout = '5s';
-- squawk-ignore ban-drop-column
ALTER TABLE user_sessions DROP COLUMN last_activity_marker;
