-- migrate:up
-- squawk-ignore-file require-concurrent-index-creation, require-concurrent-index-deletion, constraint-missing-not-valid
-- (The down section restores the previous single-column keys and validates them in the same
-- transaction, and drops the indexes without CONCURRENTLY: a rollback is an operator's offline
-- step. The up section adds every key NOT VALID; the next migration validates them.)
SET lock_timeout = '5s';
SET statement_timeout = '300s';
-- Tenant foreign keys become composite (SECURITY.md, "Cross-tenant references"). A foreign key
-- on `id` alone let one tenant's row point at another tenant's row: nothing but the application
-- kept, say, tenant A's alert event from naming tenant B's drift event. Every foreign key from a
-- tenant table to a tenant table now carries customer_id on both sides, (customer_id, x_id) ->
-- (customer_id, id), so the database itself refuses a cross-tenant reference.
--
-- The referenced tables get a UNIQUE (customer_id, id) index (id alone is already unique, so
-- this can never fail). They are built inside the transaction rather than CONCURRENTLY: dbmate
-- allows one statement per non-transactional file, and these tables are the small side of each
-- relation (tenants' uploads, mappings, runs, rules, endpoints, drift and alert events,
-- deliveries), never claim_lines. The new foreign keys are added NOT VALID here (no scan, new
-- writes are checked at once) and validated by the next migration in its own transaction, whose
-- SHARE UPDATE EXCLUSIVE lock does not block reads or writes while claim_lines is scanned.
--
-- ON DELETE SET NULL names its column (PostgreSQL 15): clearing customer_id too would break its
-- NOT NULL and the tenant of the row.
--
-- Not composite, each with its reason (src/server/db/tenant-foreign-keys.test.ts lists them):
-- payer_id on payer_mappings, claim_lines, drift_events and alert_rules references payers, whose
-- shared catalogue rows have customer_id NULL; a composite key cannot say "this tenant's or the
-- catalogue's". The trigger below checks exactly that instead.

CREATE UNIQUE INDEX IF NOT EXISTS alert_events_customer_id_id_key ON alert_events (customer_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS alert_rules_customer_id_id_key ON alert_rules (customer_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_customer_id_id_key ON api_keys (customer_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS detection_runs_customer_id_id_key ON detection_runs (customer_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS drift_events_customer_id_id_key ON drift_events (customer_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS payer_mappings_customer_id_id_key ON payer_mappings (customer_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS uploads_customer_id_id_key ON uploads (customer_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS webhook_deliveries_customer_id_id_key ON webhook_deliveries (customer_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS webhook_endpoints_customer_id_id_key ON webhook_endpoints (customer_id, id);
-- One e-mail delivery per alert event: with the tenant in its key, as Prisma's one-to-one
-- relation over (customer_id, alert_event_id) requires.
CREATE UNIQUE INDEX IF NOT EXISTS alert_email_deliveries_customer_id_alert_event_id_key ON alert_email_deliveries (customer_id, alert_event_id);

ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_api_key_id_fkey;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_customer_id_actor_api_key_id_fkey FOREIGN KEY (customer_id, actor_api_key_id) REFERENCES api_keys (customer_id, id) ON DELETE RESTRICT NOT VALID;
ALTER TABLE uploads DROP CONSTRAINT uploads_api_key_id_fkey;
ALTER TABLE uploads ADD CONSTRAINT uploads_customer_id_api_key_id_fkey FOREIGN KEY (customer_id, api_key_id) REFERENCES api_keys (customer_id, id) ON DELETE SET NULL (api_key_id) NOT VALID;
ALTER TABLE claim_lines DROP CONSTRAINT claim_lines_upload_id_fkey;
ALTER TABLE claim_lines ADD CONSTRAINT claim_lines_customer_id_upload_id_fkey FOREIGN KEY (customer_id, upload_id) REFERENCES uploads (customer_id, id) ON DELETE SET NULL (upload_id) NOT VALID;
ALTER TABLE claim_lines DROP CONSTRAINT claim_lines_payer_mapping_id_fkey;
ALTER TABLE claim_lines ADD CONSTRAINT claim_lines_customer_id_payer_mapping_id_fkey FOREIGN KEY (customer_id, payer_mapping_id) REFERENCES payer_mappings (customer_id, id) ON DELETE RESTRICT NOT VALID;
ALTER TABLE drift_events DROP CONSTRAINT drift_events_first_run_id_fkey;
ALTER TABLE drift_events ADD CONSTRAINT drift_events_customer_id_first_run_id_fkey FOREIGN KEY (customer_id, first_run_id) REFERENCES detection_runs (customer_id, id) ON DELETE SET NULL (first_run_id) NOT VALID;
ALTER TABLE drift_events DROP CONSTRAINT drift_events_last_run_id_fkey;
ALTER TABLE drift_events ADD CONSTRAINT drift_events_customer_id_last_run_id_fkey FOREIGN KEY (customer_id, last_run_id) REFERENCES detection_runs (customer_id, id) ON DELETE SET NULL (last_run_id) NOT VALID;
ALTER TABLE alert_rule_endpoints DROP CONSTRAINT alert_rule_endpoints_rule_id_fkey;
ALTER TABLE alert_rule_endpoints ADD CONSTRAINT alert_rule_endpoints_customer_id_rule_id_fkey FOREIGN KEY (customer_id, rule_id) REFERENCES alert_rules (customer_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE alert_rule_endpoints DROP CONSTRAINT alert_rule_endpoints_endpoint_id_fkey;
ALTER TABLE alert_rule_endpoints ADD CONSTRAINT alert_rule_endpoints_customer_id_endpoint_id_fkey FOREIGN KEY (customer_id, endpoint_id) REFERENCES webhook_endpoints (customer_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE alert_events DROP CONSTRAINT alert_events_rule_id_fkey;
ALTER TABLE alert_events ADD CONSTRAINT alert_events_customer_id_rule_id_fkey FOREIGN KEY (customer_id, rule_id) REFERENCES alert_rules (customer_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE alert_events DROP CONSTRAINT alert_events_drift_event_id_fkey;
ALTER TABLE alert_events ADD CONSTRAINT alert_events_customer_id_drift_event_id_fkey FOREIGN KEY (customer_id, drift_event_id) REFERENCES drift_events (customer_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE alert_feedback DROP CONSTRAINT alert_feedback_alert_event_id_fkey;
ALTER TABLE alert_feedback ADD CONSTRAINT alert_feedback_customer_id_alert_event_id_fkey FOREIGN KEY (customer_id, alert_event_id) REFERENCES alert_events (customer_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_endpoint_id_fkey;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_customer_id_endpoint_id_fkey FOREIGN KEY (customer_id, endpoint_id) REFERENCES webhook_endpoints (customer_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_alert_event_id_fkey;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_customer_id_alert_event_id_fkey FOREIGN KEY (customer_id, alert_event_id) REFERENCES alert_events (customer_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE webhook_delivery_attempts DROP CONSTRAINT webhook_delivery_attempts_delivery_id_fkey;
ALTER TABLE webhook_delivery_attempts ADD CONSTRAINT webhook_delivery_attempts_customer_id_delivery_id_fkey FOREIGN KEY (customer_id, delivery_id) REFERENCES webhook_deliveries (customer_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE alert_email_deliveries DROP CONSTRAINT alert_email_deliveries_alert_event_id_fkey;
ALTER TABLE alert_email_deliveries ADD CONSTRAINT alert_email_deliveries_customer_id_alert_event_id_fkey FOREIGN KEY (customer_id, alert_event_id) REFERENCES alert_events (customer_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE provider_adjustments DROP CONSTRAINT provider_adjustments_upload_id_fkey;
ALTER TABLE provider_adjustments ADD CONSTRAINT provider_adjustments_customer_id_upload_id_fkey FOREIGN KEY (customer_id, upload_id) REFERENCES uploads (customer_id, id) ON DELETE CASCADE NOT VALID;

-- A payer reference is the row's own tenant's payer or a catalogue payer (customer_id NULL).
-- One statement-level check per insert or update (transition tables), not one lookup per row:
-- claim lines arrive in bulk. SECURITY DEFINER so the check sees every payer whatever the
-- caller's row-level security lets it read; it reads nothing else and returns nothing.
CREATE FUNCTION assert_same_tenant_payer() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.customer_id, n.payer_id INTO bad
  FROM new_rows n JOIN payers p ON p.id = n.payer_id
  WHERE p.customer_id IS NOT NULL AND p.customer_id IS DISTINCT FROM n.customer_id
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'payer % belongs to another tenant', bad.payer_id USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER payer_mappings_same_tenant_payer_insert AFTER INSERT ON payer_mappings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER payer_mappings_same_tenant_payer_update AFTER UPDATE ON payer_mappings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER claim_lines_same_tenant_payer_insert AFTER INSERT ON claim_lines REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER claim_lines_same_tenant_payer_update AFTER UPDATE ON claim_lines REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER drift_events_same_tenant_payer_insert AFTER INSERT ON drift_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER drift_events_same_tenant_payer_update AFTER UPDATE ON drift_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER alert_rules_same_tenant_payer_insert AFTER INSERT ON alert_rules REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER alert_rules_same_tenant_payer_update AFTER UPDATE ON alert_rules REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER provider_adjustments_same_tenant_payer_insert AFTER INSERT ON provider_adjustments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();
CREATE TRIGGER provider_adjustments_same_tenant_payer_update AFTER UPDATE ON provider_adjustments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assert_same_tenant_payer();

-- migrate:down
SET lock_timeout = '5s';
DROP TRIGGER provider_adjustments_same_tenant_payer_update ON provider_adjustments;
DROP TRIGGER provider_adjustments_same_tenant_payer_insert ON provider_adjustments;
DROP TRIGGER alert_rules_same_tenant_payer_update ON alert_rules;
DROP TRIGGER alert_rules_same_tenant_payer_insert ON alert_rules;
DROP TRIGGER drift_events_same_tenant_payer_update ON drift_events;
DROP TRIGGER drift_events_same_tenant_payer_insert ON drift_events;
DROP TRIGGER claim_lines_same_tenant_payer_update ON claim_lines;
DROP TRIGGER claim_lines_same_tenant_payer_insert ON claim_lines;
DROP TRIGGER payer_mappings_same_tenant_payer_update ON payer_mappings;
DROP TRIGGER payer_mappings_same_tenant_payer_insert ON payer_mappings;
DROP FUNCTION assert_same_tenant_payer();
ALTER TABLE provider_adjustments DROP CONSTRAINT provider_adjustments_customer_id_upload_id_fkey;
ALTER TABLE provider_adjustments ADD CONSTRAINT provider_adjustments_upload_id_fkey FOREIGN KEY (upload_id) REFERENCES uploads (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE provider_adjustments VALIDATE CONSTRAINT provider_adjustments_upload_id_fkey;
ALTER TABLE alert_email_deliveries DROP CONSTRAINT alert_email_deliveries_customer_id_alert_event_id_fkey;
ALTER TABLE alert_email_deliveries ADD CONSTRAINT alert_email_deliveries_alert_event_id_fkey FOREIGN KEY (alert_event_id) REFERENCES alert_events (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE alert_email_deliveries VALIDATE CONSTRAINT alert_email_deliveries_alert_event_id_fkey;
ALTER TABLE webhook_delivery_attempts DROP CONSTRAINT webhook_delivery_attempts_customer_id_delivery_id_fkey;
ALTER TABLE webhook_delivery_attempts ADD CONSTRAINT webhook_delivery_attempts_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE webhook_delivery_attempts VALIDATE CONSTRAINT webhook_delivery_attempts_delivery_id_fkey;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_customer_id_alert_event_id_fkey;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_alert_event_id_fkey FOREIGN KEY (alert_event_id) REFERENCES alert_events (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE webhook_deliveries VALIDATE CONSTRAINT webhook_deliveries_alert_event_id_fkey;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_customer_id_endpoint_id_fkey;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE webhook_deliveries VALIDATE CONSTRAINT webhook_deliveries_endpoint_id_fkey;
ALTER TABLE alert_feedback DROP CONSTRAINT alert_feedback_customer_id_alert_event_id_fkey;
ALTER TABLE alert_feedback ADD CONSTRAINT alert_feedback_alert_event_id_fkey FOREIGN KEY (alert_event_id) REFERENCES alert_events (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE alert_feedback VALIDATE CONSTRAINT alert_feedback_alert_event_id_fkey;
ALTER TABLE alert_events DROP CONSTRAINT alert_events_customer_id_drift_event_id_fkey;
ALTER TABLE alert_events ADD CONSTRAINT alert_events_drift_event_id_fkey FOREIGN KEY (drift_event_id) REFERENCES drift_events (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE alert_events VALIDATE CONSTRAINT alert_events_drift_event_id_fkey;
ALTER TABLE alert_events DROP CONSTRAINT alert_events_customer_id_rule_id_fkey;
ALTER TABLE alert_events ADD CONSTRAINT alert_events_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES alert_rules (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE alert_events VALIDATE CONSTRAINT alert_events_rule_id_fkey;
ALTER TABLE alert_rule_endpoints DROP CONSTRAINT alert_rule_endpoints_customer_id_endpoint_id_fkey;
ALTER TABLE alert_rule_endpoints ADD CONSTRAINT alert_rule_endpoints_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE alert_rule_endpoints VALIDATE CONSTRAINT alert_rule_endpoints_endpoint_id_fkey;
ALTER TABLE alert_rule_endpoints DROP CONSTRAINT alert_rule_endpoints_customer_id_rule_id_fkey;
ALTER TABLE alert_rule_endpoints ADD CONSTRAINT alert_rule_endpoints_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES alert_rules (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE alert_rule_endpoints VALIDATE CONSTRAINT alert_rule_endpoints_rule_id_fkey;
ALTER TABLE drift_events DROP CONSTRAINT drift_events_customer_id_last_run_id_fkey;
ALTER TABLE drift_events ADD CONSTRAINT drift_events_last_run_id_fkey FOREIGN KEY (last_run_id) REFERENCES detection_runs (id) ON DELETE SET NULL NOT VALID;
ALTER TABLE drift_events VALIDATE CONSTRAINT drift_events_last_run_id_fkey;
ALTER TABLE drift_events DROP CONSTRAINT drift_events_customer_id_first_run_id_fkey;
ALTER TABLE drift_events ADD CONSTRAINT drift_events_first_run_id_fkey FOREIGN KEY (first_run_id) REFERENCES detection_runs (id) ON DELETE SET NULL NOT VALID;
ALTER TABLE drift_events VALIDATE CONSTRAINT drift_events_first_run_id_fkey;
ALTER TABLE claim_lines DROP CONSTRAINT claim_lines_customer_id_payer_mapping_id_fkey;
ALTER TABLE claim_lines ADD CONSTRAINT claim_lines_payer_mapping_id_fkey FOREIGN KEY (payer_mapping_id) REFERENCES payer_mappings (id) ON DELETE RESTRICT NOT VALID;
ALTER TABLE claim_lines VALIDATE CONSTRAINT claim_lines_payer_mapping_id_fkey;
ALTER TABLE claim_lines DROP CONSTRAINT claim_lines_customer_id_upload_id_fkey;
ALTER TABLE claim_lines ADD CONSTRAINT claim_lines_upload_id_fkey FOREIGN KEY (upload_id) REFERENCES uploads (id) ON DELETE SET NULL NOT VALID;
ALTER TABLE claim_lines VALIDATE CONSTRAINT claim_lines_upload_id_fkey;
ALTER TABLE uploads DROP CONSTRAINT uploads_customer_id_api_key_id_fkey;
ALTER TABLE uploads ADD CONSTRAINT uploads_api_key_id_fkey FOREIGN KEY (api_key_id) REFERENCES api_keys (id) ON DELETE SET NULL NOT VALID;
ALTER TABLE uploads VALIDATE CONSTRAINT uploads_api_key_id_fkey;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_customer_id_actor_api_key_id_fkey;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_api_key_id_fkey FOREIGN KEY (actor_api_key_id) REFERENCES api_keys (id) ON DELETE RESTRICT NOT VALID;
ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_actor_api_key_id_fkey;
DROP INDEX alert_email_deliveries_customer_id_alert_event_id_key;
DROP INDEX webhook_endpoints_customer_id_id_key;
DROP INDEX webhook_deliveries_customer_id_id_key;
DROP INDEX uploads_customer_id_id_key;
DROP INDEX payer_mappings_customer_id_id_key;
DROP INDEX drift_events_customer_id_id_key;
DROP INDEX detection_runs_customer_id_id_key;
DROP INDEX api_keys_customer_id_id_key;
DROP INDEX alert_rules_customer_id_id_key;
DROP INDEX alert_events_customer_id_id_key;
