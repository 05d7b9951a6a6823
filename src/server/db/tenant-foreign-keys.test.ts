import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TENANT_ROLE } from "@/server/db/app-logins";
import { claimLineInput } from "@/test/claim-csv";
import { callerFor, createTestTenant, type TTestTenant } from "@/test/factories";

/**
 * Composite tenant foreign keys (migrations 20261203000091/92). A key on `id` alone let one
 * tenant's row reference another tenant's row — and foreign-key checks ignore row-level
 * security, so even the tenant role could link its alert rule to another tenant's webhook
 * endpoint. Every foreign key between tenant tables now carries customer_id on both sides; the
 * one kind that cannot (payers, whose catalogue rows have no tenant) is checked by a trigger.
 */

/** Foreign keys between tenant tables that are not composite, each with its reason. */
const NOT_COMPOSITE: Record<string, string> = {
  "payer_mappings(payer_id) -> payers": "catalogue payers are shared (customer_id NULL); trigger assert_same_tenant_payer checks own-or-catalogue",
  "claim_lines(payer_id) -> payers": "catalogue payers are shared (customer_id NULL); trigger assert_same_tenant_payer checks own-or-catalogue",
  "drift_events(payer_id) -> payers": "catalogue payers are shared (customer_id NULL); trigger assert_same_tenant_payer checks own-or-catalogue",
  "alert_rules(payer_id) -> payers": "catalogue payers are shared (customer_id NULL); trigger assert_same_tenant_payer checks own-or-catalogue",
  "provider_adjustments(payer_id) -> payers": "catalogue payers are shared (customer_id NULL); trigger assert_same_tenant_payer checks own-or-catalogue",
  "fee_schedule_rates(payer_id) -> payers": "catalogue payers are shared (customer_id NULL); trigger assert_same_tenant_payer checks own-or-catalogue",
  "underpayments(payer_id) -> payers": "catalogue payers are shared (customer_id NULL); trigger assert_same_tenant_payer checks own-or-catalogue",
};

const clients: pg.Client[] = [];
async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

let owner: pg.Client;
let platform: pg.Client;
let tenant: pg.Client;
let a: TTestTenant;
let b: TTestTenant;
const ids = {} as Record<"ruleA" | "endpointA" | "endpointB" | "payerA" | "payerB" | "catalogue", string>;

async function one<T extends pg.QueryResultRow>(client: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  return (await client.query<T>(sql, params)).rows[0]!;
}

/** Runs `sql` on the tenant login in tenant `customerId`'s scope, as a tenant request would. */
async function asTenant(customerId: string, sql: string, params: unknown[]): Promise<void> {
  await tenant.query("BEGIN");
  try {
    await tenant.query("SELECT set_config('role', $1, true), set_config('app.customer_id', $2, true)", [TENANT_ROLE, customerId]);
    await tenant.query(sql, params);
    await tenant.query("COMMIT");
  } catch (error) {
    await tenant.query("ROLLBACK");
    throw error;
  }
}

beforeAll(async () => {
  [a, b] = await Promise.all([createTestTenant(), createTestTenant()]);
  owner = await connect(process.env.MIGRATION_DATABASE_URL!);
  platform = await connect(process.env.DATABASE_URL!);
  tenant = await connect(process.env.DATABASE_TENANT_URL!);
  const endpoint = (customerId: string) =>
    one<{ id: string }>(
      platform,
      "INSERT INTO webhook_endpoints (customer_id, url, event_types, secret_ciphertext) VALUES ($1, 'https://hooks.example.test/x', ARRAY['alert.created'], 'x') RETURNING id::text AS id",
      [customerId],
    );
  const payer = (customerId: string | null) =>
    one<{ id: string }>(platform, "INSERT INTO payers (customer_id, name) VALUES ($1, $2) RETURNING id::text AS id", [customerId, `FK payer ${randomUUID()}`]);
  ids.endpointA = (await endpoint(a.customer.id)).id;
  ids.endpointB = (await endpoint(b.customer.id)).id;
  ids.ruleA = (
    await one<{ id: string }>(platform, "INSERT INTO alert_rules (customer_id, name) VALUES ($1, $2) RETURNING id::text AS id", [
      a.customer.id,
      `fk-${randomUUID()}`,
    ])
  ).id;
  ids.payerA = (await payer(a.customer.id)).id;
  ids.payerB = (await payer(b.customer.id)).id;
  ids.catalogue = (await payer(null)).id;
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.end().catch(() => {})));
});

describe("tenant foreign keys are composite with customer_id", () => {
  it("every foreign key from a tenant table to a tenant table pairs customer_id with customer_id (exceptions named with their reason)", async () => {
    const { rows } = await owner.query<{ table: string; columns: string[]; ref: string; refColumns: string[] }>(`
      SELECT con.conrelid::regclass::text AS table, con.confrelid::regclass::text AS ref,
        ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
        ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i) AS "refColumns"
      FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
      WHERE con.contype = 'f' AND n.nspname = 'public'
        AND EXISTS (SELECT 1 FROM pg_attribute x WHERE x.attrelid = con.conrelid AND x.attname = 'customer_id' AND NOT x.attisdropped)
        AND EXISTS (SELECT 1 FROM pg_attribute x WHERE x.attrelid = con.confrelid AND x.attname = 'customer_id' AND NOT x.attisdropped)
      ORDER BY 1, 2, 3`);
    expect(rows.length).toBeGreaterThanOrEqual(15);
    const broken: string[] = [];
    const seenExceptions = new Set<string>();
    for (const fk of rows) {
      const label = `${fk.table}(${fk.columns.filter((c) => c !== "customer_id").join(", ")}) -> ${fk.ref}`;
      const at = fk.columns.indexOf("customer_id");
      if (at !== -1 && fk.refColumns[at] === "customer_id" && fk.columns.length > 1) continue;
      if (NOT_COMPOSITE[label]) {
        seenExceptions.add(label);
        continue;
      }
      broken.push(`${fk.table}(${fk.columns.join(", ")}) -> ${fk.ref}(${fk.refColumns.join(", ")}) is not composite with customer_id`);
    }
    expect(broken).toEqual([]);
    // An exception whose key is gone (or became composite) is removed from the list.
    expect([...seenExceptions].sort()).toEqual(Object.keys(NOT_COMPOSITE).sort());
    // Each payer exception is covered by the own-or-catalogue trigger, on insert and update.
    for (const label of Object.keys(NOT_COMPOSITE)) {
      const table = label.split("(")[0]!;
      const { rows: triggers } = await owner.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
         WHERE t.tgrelid = $1::regclass AND p.proname = 'assert_same_tenant_payer' AND t.tgenabled <> 'D'`,
        [table],
      );
      expect(triggers[0]!.n, table).toBe(2);
    }
  });

  it("the tenant role cannot link its rule to another tenant's endpoint (RLS alone allowed it: key checks ignore policies)", async () => {
    const link = "INSERT INTO alert_rule_endpoints (customer_id, rule_id, endpoint_id) VALUES ($1, $2, $3)";
    await expect(asTenant(a.customer.id, link, [a.customer.id, ids.ruleA, ids.endpointB])).rejects.toMatchObject({ code: "23503" });
    await asTenant(a.customer.id, link, [a.customer.id, ids.ruleA, ids.endpointA]);
    // Moving an existing link to B's endpoint is refused too.
    await expect(
      asTenant(a.customer.id, "UPDATE alert_rule_endpoints SET endpoint_id = $2 WHERE rule_id = $1", [ids.ruleA, ids.endpointB]),
    ).rejects.toMatchObject({ code: "23503" });
  });

  it("the platform login, which sees every tenant, cannot make a cross-tenant reference either", async () => {
    await expect(
      platform.query("INSERT INTO alert_rule_endpoints (customer_id, rule_id, endpoint_id) VALUES ($1, $2, $3)", [a.customer.id, ids.ruleA, ids.endpointB]),
    ).rejects.toMatchObject({ code: "23503" });
    // Nor claim B's endpoint for A's rule by naming B as the row's tenant: then the rule is foreign.
    await expect(
      platform.query("INSERT INTO alert_rule_endpoints (customer_id, rule_id, endpoint_id) VALUES ($1, $2, $3)", [b.customer.id, ids.ruleA, ids.endpointB]),
    ).rejects.toMatchObject({ code: "23503" });
  });

  it("a payer reference is the tenant's own payer or a catalogue payer, never another tenant's", async () => {
    const mapping = "INSERT INTO payer_mappings (customer_id, raw_name, normalized_name, payer_id) VALUES ($1, $2, $2, $3)";
    const name = () => `fk mapping ${randomUUID()}`;
    await expect(asTenant(a.customer.id, mapping, [a.customer.id, name(), ids.payerB])).rejects.toMatchObject({ code: "23503" });
    await expect(platform.query(mapping, [a.customer.id, name(), ids.payerB])).rejects.toThrow(/belongs to another tenant/);
    await asTenant(a.customer.id, mapping, [a.customer.id, name(), ids.payerA]);
    await asTenant(a.customer.id, mapping, [a.customer.id, name(), ids.catalogue]);
    await expect(platform.query("UPDATE payer_mappings SET payer_id = $2 WHERE customer_id = $1", [a.customer.id, ids.payerB])).rejects.toMatchObject({
      code: "23503",
    });
  });

  it("deleting an upload clears its claim lines' upload_id and keeps their tenant (SET NULL names its column)", async () => {
    const ingest = await callerFor(new Headers([...a.keys.ANALYST.headers, ["idempotency-key", `fk-${randomUUID()}`]]));
    const lines = Array.from({ length: 3 }, (_, i) => claimLineInput({ submitterClaimId: `FK-${randomUUID().slice(0, 8)}-${i}` }));
    const uploadId = (await ingest.ingest.claims({ lines })).upload.id;
    await platform.query("DELETE FROM uploads WHERE id = $1", [uploadId]);
    const after = await one<{ n: number; tenants: string[] }>(
      owner,
      "SELECT count(*)::int AS n, array_agg(DISTINCT customer_id::text) AS tenants FROM claim_lines WHERE submitter_claim_id = ANY($1) AND upload_id IS NULL",
      [lines.map((line) => line.submitterClaimId)],
    );
    expect(after).toEqual({ n: 3, tenants: [a.customer.id] });
  });
});
