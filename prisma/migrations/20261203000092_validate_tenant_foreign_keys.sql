-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '0';
-- Validates the composite tenant foreign keys that migration 20261203000091 added NOT VALID, in
-- a transaction of its own: VALIDATE takes SHARE UPDATE EXCLUSIVE on the referencing table, so
-- reads and writes go on while claim_lines and the other tables are scanned. (No time limit on
-- the scan: a large claim_lines may take minutes; the lock it holds blocks no one.)
ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_customer_id_actor_api_key_id_fkey;
ALTER TABLE uploads VALIDATE CONSTRAINT uploads_customer_id_api_key_id_fkey;
ALTER TABLE claim_lines VALIDATE CONSTRAINT claim_lines_customer_id_upload_id_fkey;
ALTER TABLE provider_adjustments VALIDATE CONSTRAINT provider_adjustments_customer_id_upload_id_fkey;
ALTER TABLE claim_lines VALIDATE CONSTRAINT claim_lines_customer_id_payer_mapping_id_fkey;
ALTER TABLE drift_events VALIDATE CONSTRAINT drift_events_customer_id_first_run_id_fkey;
ALTER TABLE drift_events VALIDATE CONSTRAINT drift_events_customer_id_last_run_id_fkey;
ALTER TABLE alert_rule_endpoints VALIDATE CONSTRAINT alert_rule_endpoints_customer_id_rule_id_fkey;
ALTER TABLE alert_rule_endpoints VALIDATE CONSTRAINT alert_rule_endpoints_customer_id_endpoint_id_fkey;
ALTER TABLE alert_events VALIDATE CONSTRAINT alert_events_customer_id_rule_id_fkey;
ALTER TABLE alert_events VALIDATE CONSTRAINT alert_events_customer_id_drift_event_id_fkey;
ALTER TABLE alert_feedback VALIDATE CONSTRAINT alert_feedback_customer_id_alert_event_id_fkey;
ALTER TABLE webhook_deliveries VALIDATE CONSTRAINT webhook_deliveries_customer_id_endpoint_id_fkey;
ALTER TABLE webhook_deliveries VALIDATE CONSTRAINT webhook_deliveries_customer_id_alert_event_id_fkey;
ALTER TABLE webhook_delivery_attempts VALIDATE CONSTRAINT webhook_delivery_attempts_customer_id_delivery_id_fkey;
ALTER TABLE alert_email_deliveries VALIDATE CONSTRAINT alert_email_deliveries_customer_id_alert_event_id_fkey;

-- migrate:down
-- Nothing to undo: a validated constraint is dropped with the previous migration's down.
SELECT 1;
