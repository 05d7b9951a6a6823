-- migrate:up
-- A drift event's root cause (denial reasons, procedures, the day the change began), computed by
-- the detection run that opened or last updated it, for that run's windows, and kept with it:
-- the windows are fixed, so the answer is too, and reading one event costs no claim-line scan.
-- NULL for events detected before root causes existed (their next detection fills it in).
SET lock_timeout = '5s';
SET statement_timeout = '120s';
ALTER TABLE drift_events ADD COLUMN root_cause jsonb;

-- migrate:down
SET lock_timeout = '5s';
-- squawk-ignore ban-drop-column
ALTER TABLE drift_events DROP COLUMN root_cause;
