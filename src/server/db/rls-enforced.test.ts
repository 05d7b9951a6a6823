import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma, rowLevelSecurity, tenantDb, unscopedDb, withTenantTransaction } from "@/server/db/tenant-scope";
import { callerFor, createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";
import { claimLineInput } from "@/test/claim-csv";

/**
 * Row-level security ENFORCED for the application's requests (migration 20261127000008,
 * tenant-scope.ts): the tenant-scoped client and `withTenantTransaction` run every statement as
 * `driftline_app` with `app.customer_id` set to the tenant, so the policies of migration
 * 20261127000007 hold even where the Prisma filter does not reach (raw SQL), and nothing of it
 * leaks into the owner's pooled connections. Also measures the cost on a REST list request.
 */

let owner: pg.Client;
let server: TRestServer;
let a: TTestTenant;
let b: TTestTenant;

function claimLines(prefix: string, count: number) {
  return Array.from({ length: count }, (_, i) =>
    claimLineInput({
      submitterClaimId: `${prefix}-${i}`,
      payerName: `Enforced Mutual ${i % 3}`,
      serviceDate: "2026-09-01",
      submittedAt: "2026-09-02",
      decidedAt: "2026-09-20",
      paidAt: undefined,
    }),
  );
}

async function seed(tenant: TTestTenant, count: number) {
  const ingest = await callerFor(new Headers([...tenant.keys.ANALYST.headers, ["idempotency-key", `rls-enforced-${randomUUID()}`]]));
  await ingest.ingest.claims({ lines: claimLines(`RLS-E-${randomUUID().slice(0, 6)}`, count) });
}

const ownerCount = async (sql: string, params: unknown[]) => (await owner.query<{ n: number }>(sql, params)).rows[0]!.n;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestTenant(), createTestTenant()]);
  await Promise.all([seed(a, 12), seed(b, 12)]);
  owner = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
  await owner.connect();
  server = await startRestServer();
});

afterAll(async () => {
  rowLevelSecurity.enabled = true;
  await server?.close();
  await owner?.end();
});

describe("row-level security enforced for tenant requests", () => {
  it("a REST claim-list request of tenant A reads claim_lines as driftline_app with app.customer_id = A", async () => {
    // A probe on A's rows only: a RESTRICTIVE policy (always true) whose function records the
    // role and tenant setting the reading statement runs with. It applies TO driftline_app, so
    // a read as the owner would record nothing at all.
    const probe = `rls_probe_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await owner.query("SET lock_timeout = '10s'");
    await owner.query(`CREATE TABLE ${probe} (role text NOT NULL, tenant text)`);
    await owner.query(
      `CREATE FUNCTION ${probe}(role text, tenant text) RETURNS boolean LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
       AS $$ INSERT INTO ${probe} VALUES (role, tenant); SELECT true $$`,
    );
    await owner.query(
      `CREATE POLICY ${probe} ON claim_lines AS RESTRICTIVE FOR SELECT TO driftline_app
       USING (customer_id <> '${a.customer.id}'::uuid OR ${probe}(current_user::text, current_setting('app.customer_id', true)))`,
    );
    try {
      const response = await fetch(`${server.baseUrl}/claims?limit=50`, { headers: a.keys.ANALYST.headers });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: Array<{ id: string }> };
      expect(body.items).toHaveLength(12);
      const { rows } = await owner.query<{ role: string; tenant: string | null; n: number }>(
        `SELECT role, tenant, count(*)::int AS n FROM ${probe} GROUP BY 1, 2`,
      );
      expect(rows.map(({ role, tenant }) => ({ role, tenant }))).toEqual([{ role: "driftline_app", tenant: a.customer.id }]);
      expect(rows[0]!.n).toBeGreaterThanOrEqual(12);
    } finally {
      await owner.query(`DROP POLICY ${probe} ON claim_lines`);
      await owner.query(`DROP FUNCTION ${probe}(text, text)`);
      await owner.query(`DROP TABLE ${probe}`);
    }
  });

  it("raw SQL through tenantDb(A) asking for B's rows gets none: the policy is the only barrier there", async () => {
    const scoped = tenantDb(a.customer.id);
    const [who] = await scoped.$queryRaw<
      Array<{ role: string; tenant: string }>
    >`SELECT current_user::text AS role, current_setting('app.customer_id', true) AS tenant`;
    expect(who).toEqual({ role: "driftline_app", tenant: a.customer.id });
    const bLines = Prisma.sql`SELECT count(*)::int AS n FROM claim_lines WHERE customer_id = ${b.customer.id}::uuid`;
    expect(await ownerCount("SELECT count(*)::int AS n FROM claim_lines WHERE customer_id = $1", [b.customer.id])).toBe(12);
    expect((await scoped.$queryRaw<Array<{ n: number }>>(bLines))[0]!.n).toBe(0);
    expect((await scoped.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM customers`)[0]!.n).toBe(1);
    // The Prisma filter and the policy agree: A's own rows are all there.
    expect(await scoped.claimLine.count()).toBe(12);
    // No tenant in scope: nothing at all, even by raw SQL.
    expect((await tenantDb(null).$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM claim_lines`)[0]!.n).toBe(0);
    // A raw write into B is refused by the policy's WITH CHECK.
    await expect(scoped.$executeRaw`INSERT INTO alert_rules (customer_id, name) VALUES (${b.customer.id}::uuid, 'smuggled')`).rejects.toThrow(
      /row-level security/,
    );
  });

  it("withTenantTransaction runs as driftline_app for A from its first statement, and nothing outlives it", async () => {
    const inside = await withTenantTransaction(a.customer.id, async (tx) => {
      const [who] = await tx.$queryRaw<
        Array<{ role: string; tenant: string }>
      >`SELECT current_user::text AS role, current_setting('app.customer_id', true) AS tenant`;
      const [bRows] = await tx.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM claim_lines WHERE customer_id = ${b.customer.id}::uuid`;
      const mine = await tx.claimLine.count();
      return { who, bRows: bRows!.n, mine };
    });
    expect(inside).toEqual({ who: { role: "driftline_app", tenant: a.customer.id }, bRows: 0, mine: 12 });
    await expect(
      withTenantTransaction(a.customer.id, (tx) => tx.$executeRaw`UPDATE alert_rules SET name = 'moved' WHERE customer_id = ${b.customer.id}::uuid`),
    ).resolves.toBe(0);
    // The owner's pooled connections come back as the owner, with no tenant: more checks than
    // the pool has connections, interleaved with scoped work.
    for (let i = 0; i < 24; i += 1) {
      const [scopedWho, ownerWho] = await Promise.all([
        tenantDb(b.customer.id).$queryRaw<Array<{ role: string }>>`SELECT current_user::text AS role`,
        unscopedDb().$queryRaw<
          Array<{ role: string; tenant: string | null }>
        >`SELECT current_user::text AS role, current_setting('app.customer_id', true) AS tenant`,
      ]);
      expect(scopedWho[0]!.role).toBe("driftline_app");
      expect(ownerWho[0]!.role).not.toBe("driftline_app");
      expect(ownerWho[0]!.tenant ?? "").toBe("");
    }
  });

  it("costs little on a REST claim-list request (measured, same run, with and without)", async () => {
    const big = await createTestTenant();
    await seed(big, 3);
    await owner.query(
      `INSERT INTO claim_lines (customer_id, upload_id, submitter_claim_id, line_number, payer_id, payer_mapping_id, cpt_code, cpt_group, service_date,
         submitted_at, decided_at, billed_amount, allowed_amount, paid_amount, outcome)
       SELECT c.customer_id, c.upload_id, 'RLS-E-BIG-' || g, 1, c.payer_id, c.payer_mapping_id, c.cpt_code, c.cpt_group, c.service_date - (g % 60),
         c.submitted_at - (g % 60), c.decided_at - (g % 60), 120, 100, 80, 'PAID'::claim_outcome
       FROM generate_series(1, 5000) g, (SELECT * FROM claim_lines WHERE customer_id = $1 LIMIT 1) c`,
      [big.customer.id],
    );
    const request = async () => {
      const started = performance.now();
      const response = await fetch(`${server.baseUrl}/claims?limit=50`, { headers: big.keys.ANALYST.headers });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      return performance.now() - started;
    };
    const samples = { on: [] as number[], off: [] as number[] };
    try {
      for (let i = 0; i < 5; i += 1) {
        rowLevelSecurity.enabled = i % 2 === 0;
        await request(); // warm both paths
      }
      // Alternate so neither path gets the warmer cache or a quieter moment.
      for (let i = 0; i < 60; i += 1) {
        const on = i % 2 === 0;
        rowLevelSecurity.enabled = on;
        (on ? samples.on : samples.off).push(await request());
      }
    } finally {
      rowLevelSecurity.enabled = true;
    }
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
    const on = median(samples.on);
    const off = median(samples.off);
    console.log(
      `RLS enforced, REST GET /claims?limit=50 (5 003-line tenant, median of 30 each): ${off.toFixed(2)} ms without, ${on.toFixed(2)} ms with ` +
        `(+${(on - off).toFixed(2)} ms, ${((on / off - 1) * 100).toFixed(0)} %)`,
    );
    // Generous bound: a batch transaction and one set_config round trip per statement.
    expect(on).toBeLessThan(off * 2 + 20);
  });
});
