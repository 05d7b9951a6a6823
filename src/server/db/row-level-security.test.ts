import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { createTestDriftEvent, createTestPayer, createTestRule } from "@/test/alerts-kit";
import { callerFor, createTestTenant, type TTestTenant } from "@/test/factories";
import { claimLineInput } from "@/test/claim-csv";

/**
 * Row-level security (migration 20261127000007), proven in RAW SQL: a connection acting
 * as `driftline_app` with `app.customer_id` set per transaction sees only that tenant's rows of
 * every tenant table, none at all with no tenant set, and cannot write into another tenant.
 * Also measures what the policies cost on the payer-summary aggregate and a claim-list page.
 */

let client: pg.Client;
let a: TTestTenant;
let b: TTestTenant;
let tenantTables: string[];

async function asApp<T>(customerId: string | null, fn: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    await client.query("SET LOCAL ROLE driftline_app");
    if (customerId) await client.query("SELECT set_config('app.customer_id', $1, true)", [customerId]);
    return await fn();
  } finally {
    await client.query("ROLLBACK");
  }
}

async function countsBy(table: string): Promise<Record<string, number>> {
  const { rows } = await client.query<{ customer_id: string | null; n: number }>(`SELECT customer_id::text, count(*)::int AS n FROM ${table} GROUP BY 1`);
  return Object.fromEntries(rows.map((row) => [row.customer_id ?? "null", row.n]));
}

function claimLines(prefix: string, count: number) {
  return Array.from({ length: count }, (_, i) =>
    claimLineInput({
      submitterClaimId: `${prefix}-${i}`,
      payerName: `RLS Mutual ${i % 3}`,
      serviceDate: "2026-09-01",
      submittedAt: "2026-09-02",
      decidedAt: "2026-09-20",
      paidAt: undefined,
      ...(i % 5 === 0 ? { paidAmount: "0.00", outcome: "DENIED" as const, denialReason: "CO-97" } : {}),
    }),
  );
}

async function seed(tenant: TTestTenant) {
  const ingest = await callerFor(new Headers([...tenant.keys.ANALYST.headers, ["idempotency-key", `rls-${randomUUID()}`]]));
  await ingest.ingest.claims({ lines: claimLines(`RLS-${randomUUID().slice(0, 6)}`, 20) });
  const payer = await createTestPayer(tenant.customer.id);
  const driftEventId = await createTestDriftEvent(tenant.customer.id, { payerId: payer.id });
  const rule = await createTestRule(tenant.customer.id);
  await db().alertEvent.create({ data: { customerId: tenant.customer.id, ruleId: rule.id, driftEventId } });
}

beforeAll(async () => {
  [a, b] = await Promise.all([createTestTenant(), createTestTenant()]);
  await Promise.all([seed(a), seed(b)]);
  client = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
  await client.connect();
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute att ON att.attrelid = c.oid AND att.attname = 'customer_id' AND NOT att.attisdropped
     WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`,
  );
  tenantTables = rows.map((row) => row.table_name);
});

afterAll(async () => {
  await client?.end();
});

describe("row-level security (driftline_app)", () => {
  it("is enabled with a policy on every table that has customer_id, and on customers", async () => {
    const { rows } = await client.query<{ relname: string; rls: boolean; policies: number }>(
      `SELECT c.relname, c.relrowsecurity AS rls, (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
       FROM pg_class c WHERE c.relname = ANY($1::text[])`,
      [[...tenantTables, "customers"]],
    );
    expect(rows.filter((row) => !row.rls || row.policies === 0).map((row) => row.relname)).toEqual([]);
    expect(rows).toHaveLength(tenantTables.length + 1);
    const role = await client.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'driftline_app'",
    );
    expect(role.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
  });

  it("scoped to tenant A, a connection sees none of B's rows in any tenant table, and all of A's", async () => {
    const owner: Record<string, Record<string, number>> = {};
    for (const table of tenantTables) owner[table] = await countsBy(table);
    const seen = await asApp(a.customer.id, async () => {
      const result: Record<string, Record<string, number>> = {};
      for (const table of tenantTables) result[table] = await countsBy(table);
      return result;
    });
    for (const table of tenantTables) {
      const visible = seen[table]!;
      // Only A's rows (and, for payers, the shared catalogue): never B's, never another tenant's.
      expect(
        Object.keys(visible).filter((key) => key !== a.customer.id && !(table === "payers" && key === "null")),
        table,
      ).toEqual([]);
      expect(visible[a.customer.id] ?? 0, table).toBe(owner[table]![a.customer.id] ?? 0);
    }
    expect(seen.claim_lines![a.customer.id]).toBe(20);
    expect(owner.claim_lines![b.customer.id]).toBe(20);
    const customers = await asApp(a.customer.id, async () => (await client.query<{ id: string }>("SELECT id::text FROM customers")).rows.map((row) => row.id));
    expect(customers).toEqual([a.customer.id]);
  });

  it("asking for B's rows by id while scoped to A returns nothing", async () => {
    const { rows: bClaims } = await client.query<{ id: string }>("SELECT id::text FROM claim_lines WHERE customer_id = $1", [b.customer.id]);
    const found = await asApp(
      a.customer.id,
      async () => (await client.query("SELECT * FROM claim_lines WHERE id = ANY($1::uuid[])", [bClaims.map((row) => row.id)])).rowCount,
    );
    expect(found).toBe(0);
    const updated = await asApp(
      a.customer.id,
      async () => (await client.query("UPDATE claim_lines SET units = 2 WHERE customer_id = $1", [b.customer.id])).rowCount,
    );
    expect(updated).toBe(0);
    const deleted = await asApp(a.customer.id, async () => (await client.query("DELETE FROM alert_rules WHERE customer_id = $1", [b.customer.id])).rowCount);
    expect(deleted).toBe(0);
  });

  it("with no tenant set, a connection sees no row of any tenant table at all", async () => {
    const seen = await asApp(null, async () => {
      const result: Record<string, number> = {};
      for (const table of tenantTables) {
        result[table] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE customer_id IS NOT NULL`)).rows[0]!.n;
      }
      result.customers = (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM customers")).rows[0]!.n;
      return result;
    });
    expect(Object.entries(seen).filter(([, n]) => n > 0)).toEqual([]);
    // An empty setting (what a pooled connection may carry over) is "no tenant", not an error.
    await client.query("BEGIN");
    try {
      await client.query("SET LOCAL ROLE driftline_app");
      await client.query("SELECT set_config('app.customer_id', '', true)");
      expect((await client.query("SELECT 1 FROM claim_lines")).rowCount).toBe(0);
    } finally {
      await client.query("ROLLBACK");
    }
  });

  it("scoped to A, writing a row for B is refused (WITH CHECK)", async () => {
    await expect(
      asApp(a.customer.id, () => client.query("INSERT INTO alert_rules (customer_id, name) VALUES ($1, 'smuggled')", [b.customer.id])),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asApp(a.customer.id, () => client.query("UPDATE alert_rules SET customer_id = $1 WHERE customer_id = $2", [b.customer.id, a.customer.id])),
    ).rejects.toThrow(/row-level security/);
  });

  it("the setting is per transaction: it does not outlive COMMIT on a pooled connection", async () => {
    await client.query("BEGIN");
    await client.query("SELECT set_config('app.customer_id', $1, true)", [a.customer.id]);
    await client.query("COMMIT");
    const { rows } = await client.query<{ value: string | null }>("SELECT current_setting('app.customer_id', true) AS value");
    expect(rows[0]!.value ?? "").toBe("");
  });

  it("driftline_app cannot update or delete the audit log", async () => {
    await expect(asApp(a.customer.id, () => client.query("UPDATE audit_events SET action = 'x' WHERE customer_id = $1", [a.customer.id]))).rejects.toThrow(
      /permission denied/,
    );
    await expect(asApp(a.customer.id, () => client.query("DELETE FROM audit_events WHERE customer_id = $1", [a.customer.id]))).rejects.toThrow(
      /permission denied/,
    );
  });

  it("costs little on the payer summary aggregate and a claim-list page (measured, same run)", async () => {
    // A tenant big enough for the plan to matter: 20 000 claim lines written in one statement.
    const big = await createTestTenant();
    const ingest = await callerFor(new Headers([...big.keys.ANALYST.headers, ["idempotency-key", `rls-big-${randomUUID()}`]]));
    await ingest.ingest.claims({ lines: claimLines("RLS-BIG-SEED", 3) });
    await client.query(
      `INSERT INTO claim_lines (customer_id, upload_id, submitter_claim_id, line_number, payer_id, payer_mapping_id, cpt_code, cpt_group, service_date,
         submitted_at, decided_at, billed_amount, allowed_amount, paid_amount, outcome)
       SELECT c.customer_id, c.upload_id, 'RLS-BIG-' || g, 1, c.payer_id, c.payer_mapping_id, c.cpt_code, c.cpt_group, c.service_date - (g % 60),
         c.submitted_at - (g % 60), c.decided_at - (g % 60), 120, 100, CASE WHEN g % 7 = 0 THEN 0 ELSE 80 END,
         (CASE WHEN g % 7 = 0 THEN 'DENIED' ELSE 'PAID' END)::claim_outcome
       FROM generate_series(1, 20000) g, (SELECT * FROM claim_lines WHERE customer_id = $1 LIMIT 1) c`,
      [big.customer.id],
    );
    await client.query("ANALYZE claim_lines");
    const summary = `SELECT payer_id, count(*) AS total, count(*) FILTER (WHERE outcome = 'DENIED') AS denied, avg(allowed_amount) AS avg_allowed,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY decided_at - submitted_at) AS median_days
      FROM claim_lines WHERE customer_id = $1 AND decided_at >= $2::date GROUP BY payer_id`;
    const list = "SELECT id, submitter_claim_id, outcome, billed_amount FROM claim_lines WHERE customer_id = $1 ORDER BY created_at DESC, id DESC LIMIT 51";
    const time = async (sql: string, params: unknown[], rls: boolean) => {
      const samples: number[] = [];
      for (let i = 0; i < 25; i += 1) {
        await client.query("BEGIN");
        if (rls) {
          await client.query("SET LOCAL ROLE driftline_app");
          await client.query("SELECT set_config('app.customer_id', $1, true)", [big.customer.id]);
        }
        const started = performance.now();
        await client.query(sql, params);
        samples.push(performance.now() - started);
        await client.query("ROLLBACK");
      }
      samples.sort((x, y) => x - y);
      return samples[Math.floor(samples.length / 2)]!;
    };
    const params = [big.customer.id, "2026-01-01"];
    // Warm both paths, then alternate so neither gets the warmer cache.
    await time(summary, params, false);
    await time(summary, params, true);
    const summaryOwner = await time(summary, params, false);
    const summaryRls = await time(summary, params, true);
    const listOwner = await time(list, [big.customer.id], false);
    const listRls = await time(list, [big.customer.id], true);
    const same = await asApp(big.customer.id, async () => (await client.query(summary, params)).rows);
    expect(same.reduce((n, row: { total: string }) => n + Number(row.total), 0)).toBe(20003);
    console.log(
      `RLS cost (median of 25, 20 003 claim lines): payer summary ${summaryOwner.toFixed(2)} ms without, ${summaryRls.toFixed(2)} ms with RLS; ` +
        `claim list page ${listOwner.toFixed(2)} ms without, ${listRls.toFixed(2)} ms with RLS`,
    );
    // Generous bound: the policy adds one indexed equality the query already has.
    expect(summaryRls).toBeLessThan(summaryOwner * 2 + 5);
  });
});
