import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Ready for a distributed engine (DEPLOYMENT.md, "Beyond one PostgreSQL primary"): Citus, and
 * engines like it, distribute a table on one column and can only enforce a primary or unique key
 * that contains it, and only route a tenant's rows to one node when every key leads with it. So
 * every tenant table (a table with a customer_id column) has its primary key and every unique
 * key lead with customer_id, unless it is listed below with its reason. A new tenant table
 * needs no entry: give it PRIMARY KEY (customer_id, id), or a surrogate id plus
 * UNIQUE (customer_id, id), and lead its other unique keys with customer_id.
 */

const SURROGATE_WITH_TENANT_KEY =
  "primary key on the surrogate id; the unique (customer_id, id) beside it (the composite foreign keys' target) becomes the primary key when the table is distributed";
const SURROGATE =
  "primary key on the surrogate id; a unique (customer_id, id) is built (three-phase, as 20261204060000/01) and becomes the primary key when the table is distributed";
const GLOBAL_LOOKUP =
  "looked up before the tenant is known (a bearer key, a link's token): the table stays on the coordinator as a local table, or the lookup moves to a reference table mapping the hash to customer_id";
const CHILD_KEY =
  "a child row's key under its parent; superseded by a key that leads with customer_id (same columns) when the table is distributed — the old one stays while a release uses it in ON CONFLICT";

/**
 * Keys of tenant tables that do not lead with customer_id, each with its reason. The test fails
 * on a key missing from this list and on an entry whose key no longer exists, so the list stays
 * the exact remaining work (DEPLOYMENT.md, "Beyond one PostgreSQL primary").
 */
const EXCEPTIONS: Record<string, string> = {
  "alert_email_deliveries.alert_email_deliveries_pkey": SURROGATE,
  "alert_email_deliveries.alert_email_deliveries_alert_key": CHILD_KEY,
  "alert_events.alert_events_pkey": SURROGATE_WITH_TENANT_KEY,
  "alert_events.alert_events_rule_drift_key": CHILD_KEY,
  "alert_feedback.alert_feedback_pkey": SURROGATE,
  "alert_feedback.alert_feedback_alert_user_key": CHILD_KEY,
  "alert_rule_endpoints.alert_rule_endpoints_pkey": CHILD_KEY,
  "alert_rules.alert_rules_pkey": SURROGATE_WITH_TENANT_KEY,
  "api_keys.api_keys_pkey": SURROGATE_WITH_TENANT_KEY,
  "api_keys.api_keys_key_hash_key": GLOBAL_LOOKUP,
  "api_keys.api_keys_prefix_key": GLOBAL_LOOKUP,
  "audit_events.audit_events_pkey": SURROGATE,
  "claim_lines.claim_lines_pkey": SURROGATE,
  "cpt_mappings.cpt_mappings_pkey": SURROGATE,
  "detection_runs.detection_runs_pkey": SURROGATE_WITH_TENANT_KEY,
  "drift_events.drift_events_pkey": SURROGATE_WITH_TENANT_KEY,
  "exports.exports_pkey": SURROGATE,
  "fee_schedule_rates.fee_schedule_rates_pkey": SURROGATE_WITH_TENANT_KEY,
  "fee_schedules.fee_schedules_pkey": SURROGATE_WITH_TENANT_KEY,
  "invitations.invitations_pkey": SURROGATE,
  "invitations.invitations_token_hash_key": GLOBAL_LOOKUP,
  "memberships.memberships_pkey": SURROGATE,
  "payer_mappings.payer_mappings_pkey": SURROGATE_WITH_TENANT_KEY,
  "payers.payers_pkey":
    "payers hold the shared catalogue (customer_id NULL) and tenants' own payers: the catalogue becomes a reference table and tenant payers a distributed one, each keyed on its own",
  "provider_adjustments.provider_adjustments_pkey": SURROGATE,
  "underpayments.underpayments_pkey": SURROGATE_WITH_TENANT_KEY,
  "uploads.uploads_pkey": SURROGATE_WITH_TENANT_KEY,
  "webhook_deliveries.webhook_deliveries_pkey": SURROGATE_WITH_TENANT_KEY,
  "webhook_deliveries.webhook_deliveries_endpoint_alert_key": CHILD_KEY,
  "webhook_deliveries.webhook_deliveries_message_key":
    "the message id is derived from (type, endpoint, subject) and is unique across tenants by construction; becomes (customer_id, message_id) with the same pattern",
  "webhook_delivery_attempts.webhook_delivery_attempts_pkey": SURROGATE,
  "webhook_delivery_attempts.webhook_delivery_attempts_number_key": CHILD_KEY,
  "webhook_endpoints.webhook_endpoints_pkey": SURROGATE_WITH_TENANT_KEY,
};

let owner: pg.Client;
beforeAll(async () => {
  owner = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
  await owner.connect();
});
afterAll(async () => {
  await owner.end();
});

describe("distribution keys", () => {
  it("every primary and unique key of a tenant table leads with customer_id", async () => {
    const { rows } = await owner.query<{ table_name: string; key_name: string; columns: string[]; kind: string; predicate: string | null }>(`
      WITH tenant_tables AS (
        SELECT c.oid, c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'customer_id' AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p')
      )
      SELECT t.relname AS table_name, i.indexrelid::regclass::text AS key_name,
             CASE WHEN i.indisprimary THEN 'primary' ELSE 'unique' END AS kind,
             pg_get_expr(i.indpred, i.indrelid) AS predicate,
             array(SELECT coalesce(a.attname, '(expression)') FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                   LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
      FROM tenant_tables t JOIN pg_index i ON i.indrelid = t.oid
      WHERE i.indisunique
      ORDER BY 1, 2`);
    const offending = rows.filter((row) => row.columns[0] !== "customer_id").map((row) => `${row.table_name}.${row.key_name}`);
    expect(offending.filter((key) => !(key in EXCEPTIONS))).toEqual([]);
    // No stale entries: each exception is still a key that does not lead with customer_id.
    expect(Object.keys(EXCEPTIONS).filter((key) => !offending.includes(key))).toEqual([]);
    // Where the primary key is the surrogate id alone, the reason says how it becomes (customer_id, id): check the claim.
    const tenantKeyed = new Set(rows.filter((row) => row.columns.join(",") === "customer_id,id").map((row) => row.table_name));
    for (const [key, reason] of Object.entries(EXCEPTIONS)) {
      if (reason === SURROGATE_WITH_TENANT_KEY) expect(tenantKeyed.has(key.split(".")[0]!), key).toBe(true);
      if (reason === SURROGATE) expect(tenantKeyed.has(key.split(".")[0]!), key).toBe(false);
    }
  });
});
