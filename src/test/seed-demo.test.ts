import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "@/server/lib/passwords";
import { CLAIM_LEVEL_GROUP, CPT_GROUP_CODES } from "@/server/services/ingestion/cpt-groups";
import { DEMO_PASSWORD, SUPERUSER_EMAIL, seedDemo, type TSeedSummary } from "../../prisma/seed/seed-demo";

/**
 * The demo seed against the real database: the insert succeeding proves every CHECK
 * constraint holds; plain SQL then shows the planted drifts and the stationary cells.
 */
const url = () => {
  const value = process.env.DATABASE_URL;
  if (!value) throw new Error("DATABASE_URL is not set (global setup)");
  return value;
};
const prefix = () => `t${randomBytes(4).toString("hex")}`;
const AS_OF = "2026-11-27";

let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: url() });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

async function scalar<T>(sql: string, params: unknown[]): Promise<T> {
  const { rows } = await client.query(sql, params);
  return Object.values(rows[0] ?? {})[0] as T;
}

describe("seedDemo, small", () => {
  let summary: TSeedSummary;
  const slugPrefix = prefix();
  beforeAll(async () => {
    summary = await seedDemo(url(), { tenants: 3, claims: 5_000, randomSeed: 7, slugPrefix, asOf: AS_OF });
  });

  it("inserts exactly the requested claim lines, split across the tenants", async () => {
    const ids = summary.tenants.map((t) => t.id);
    expect(summary.tenants.map((t) => t.slug)).toEqual([`${slugPrefix}-northwind-clinic`, `${slugPrefix}-lakeside-health`, `${slugPrefix}-summit-ortho`]);
    expect(Number(await scalar<string>("SELECT count(*) FROM claim_lines WHERE customer_id = ANY($1::uuid[])", [ids]))).toBe(5_000);
    expect(summary.totalClaims).toBe(5_000);
    for (const tenant of summary.tenants) {
      const n = Number(await scalar<string>("SELECT count(*) FROM claim_lines WHERE customer_id = $1", [tenant.id]));
      expect(n).toBe(tenant.claimCount);
      const upload = await client.query("SELECT format, status, row_count, applied_count FROM uploads WHERE customer_id = $1", [tenant.id]);
      expect(upload.rows).toEqual([{ format: "CSV", status: "APPLIED", row_count: n, applied_count: n }]);
      // Every line points at its upload, and its payer is the one its mapping names.
      expect(
        Number(
          await scalar<string>(
            `SELECT count(*) FROM claim_lines l JOIN payer_mappings m ON m.id = l.payer_mapping_id
             JOIN uploads u ON u.id = l.upload_id
             WHERE l.customer_id = $1 AND m.payer_id = l.payer_id AND m.customer_id = l.customer_id`,
            [tenant.id],
          ),
        ),
      ).toBe(n);
      expect(await scalar<number>("SELECT count(*)::int FROM customer_settings WHERE customer_id = $1", [tenant.id])).toBe(1);
    }
  });

  it("creates catalogue payers, mappings and one tenant-private payer per tenant", async () => {
    const catalogue = await client.query<{ name: string }>("SELECT name FROM payers WHERE customer_id IS NULL");
    expect(catalogue.rows.map((r) => r.name)).toEqual(expect.arrayContaining(["UnitedHealthcare", "Aetna", "Cigna", "Humana", "Medicare"]));
    const [northwind] = summary.tenants;
    const privatePayers = await client.query("SELECT name FROM payers WHERE customer_id = $1", [northwind?.id]);
    expect(privatePayers.rows).toHaveLength(1);
    const uhc = await client.query<{ normalized_name: string }>(
      `SELECT m.normalized_name FROM payer_mappings m JOIN payers p ON p.id = m.payer_id
       WHERE m.customer_id = $1 AND p.name = 'UnitedHealthcare'`,
      [northwind?.id],
    );
    expect(uhc.rows.length).toBeGreaterThanOrEqual(1);
    for (const row of uhc.rows) expect(row.normalized_name).toBe(row.normalized_name.toLowerCase().trim());
  });

  it("creates users for every role and the superuser, with the demo password", async () => {
    const slug = summary.tenants[0]?.slug as string;
    const members = await client.query<{ email: string; role: string }>(
      `SELECT u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
       JOIN customers c ON c.id = m.customer_id WHERE c.slug = $1 ORDER BY m.role`,
      [slug],
    );
    expect(members.rows).toEqual([
      { email: `viewer@${slug}.example`, role: "VIEWER" },
      { email: `analyst@${slug}.example`, role: "ANALYST" },
      { email: `admin@${slug}.example`, role: "ADMIN" },
    ]);
    const admin = await client.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE email = $1", [`admin@${slug}.example`]);
    expect(await verifyPassword(admin.rows[0]?.password_hash as string, DEMO_PASSWORD)).toBe(true);
    const superuser = await client.query<{ is_superuser: boolean }>("SELECT is_superuser FROM users WHERE email = $1", [SUPERUSER_EMAIL]);
    expect(superuser.rows[0]?.is_superuser).toBe(true);
    expect(summary.users.filter((u) => u.role !== "SUPERUSER")).toHaveLength(9);
  });

  it("skips tenants that exist (or refuses, on request)", async () => {
    const again = await seedDemo(url(), { tenants: 3, claims: 5_000, randomSeed: 7, slugPrefix, asOf: AS_OF });
    expect(again.tenants.every((t) => t.skipped)).toBe(true);
    expect(again.totalClaims).toBe(5_000);
    await expect(seedDemo(url(), { tenants: 1, claims: 10, randomSeed: 7, slugPrefix, asOf: AS_OF, onExisting: "error" })).rejects.toThrow(/exists already/);
  });

  it("uses only cpt_groups codes the application knows", async () => {
    const { rows } = await client.query<{ code: string }>("SELECT code FROM cpt_groups ORDER BY code");
    expect(rows.map((r) => r.code)).toEqual([...CPT_GROUP_CODES, CLAIM_LEVEL_GROUP].sort());
  });
});

describe("seedDemo, planted drifts visible with plain SQL", () => {
  // Northwind alone with 240,000 lines: the same lines the default 5-tenant, 300,000-line demo gives it.
  let summary: TSeedSummary;
  let customerId: string;
  beforeAll(async () => {
    summary = await seedDemo(url(), { tenants: 1, claims: 240_000, randomSeed: 42, slugPrefix: prefix(), asOf: AS_OF });
    customerId = summary.tenants[0]?.id as string;
  }, 120_000);

  const windowed = (select: string) => `
    WITH w AS (
      SELECT l.*, p.name AS payer,
        CASE WHEN l.decided_at >= $2::date THEN 'current' ELSE 'baseline' END AS win
      FROM claim_lines l JOIN payers p ON p.id = l.payer_id
      WHERE l.customer_id = $1 AND l.decided_at BETWEEN $3::date AND $4::date
        AND p.name = $5 AND l.cpt_group = $6
    ) ${select}`;
  const params = (payer: string, group: string) => [
    customerId,
    summary.windows.currentStart,
    summary.windows.baselineStart,
    summary.windows.currentEnd,
    payer,
    group,
  ];

  async function denialRates(payer: string, group: string) {
    const { rows } = await client.query<{ win: string; n: number; rate: number }>(
      windowed(`SELECT win, count(*)::int AS n, avg((outcome = 'DENIED')::int)::float AS rate FROM w GROUP BY win`),
      params(payer, group),
    );
    return Object.fromEntries(rows.map((r) => [r.win, r])) as unknown as Record<"baseline" | "current", { n: number; rate: number }>;
  }

  async function medianLag(payer: string, group: string) {
    const { rows } = await client.query<{ win: string; median: number }>(
      windowed(`SELECT win, percentile_cont(0.5) WITHIN GROUP (ORDER BY decided_at - submitted_at)::float AS median FROM w GROUP BY win`),
      params(payer, group),
    );
    return Object.fromEntries(rows.map((r) => [r.win, r.median])) as Record<"baseline" | "current", number>;
  }

  // Allowed per unit against the baseline median of the same code, median per window.
  async function paymentRatio(payer: string, group: string) {
    const { rows } = await client.query<{ win: string; ratio: number }>(
      windowed(`, base AS (
          SELECT cpt_code, percentile_cont(0.5) WITHIN GROUP (ORDER BY allowed_amount / units) AS m
          FROM w WHERE win = 'baseline' AND allowed_amount IS NOT NULL GROUP BY cpt_code)
        SELECT win, percentile_cont(0.5) WITHIN GROUP (ORDER BY (allowed_amount / units) / base.m)::float AS ratio
        FROM w JOIN base USING (cpt_code) WHERE allowed_amount IS NOT NULL GROUP BY win`),
      params(payer, group),
    );
    return Object.fromEntries(rows.map((r) => [r.win, r.ratio])) as Record<"baseline" | "current", number>;
  }

  it("reports the planted drifts with the tenant's real slug", () => {
    expect(summary.plantedDrifts.map((d) => d.driftType).sort()).toEqual(["DECISION_TIME", "DENIAL_RATE", "DENIAL_REASON", "PAYMENT_AMOUNT", "UNDERPAYMENT"]);
    for (const drift of summary.plantedDrifts) expect(drift.tenantSlug).toBe(summary.tenants[0]?.slug);
  });

  it("DENIAL_RATE: Aetna x EM from ~8 % to ~20 %, with >= 200 lines per window", async () => {
    const r = await denialRates("Aetna", "EM");
    expect(r.current.n).toBeGreaterThanOrEqual(200);
    expect(r.baseline.rate).toBeGreaterThan(0.06);
    expect(r.baseline.rate).toBeLessThan(0.1);
    expect(r.current.rate - r.baseline.rate).toBeGreaterThan(0.08);
    expect(r.current.rate - r.baseline.rate).toBeLessThan(0.16);
  });

  it("PAYMENT_AMOUNT: UnitedHealthcare x PATHOLOGY_LAB allowed per unit about -15 %", async () => {
    expect((await denialRates("UnitedHealthcare", "PATHOLOGY_LAB")).current.n).toBeGreaterThanOrEqual(200);
    const r = await paymentRatio("UnitedHealthcare", "PATHOLOGY_LAB");
    expect(r.baseline).toBeCloseTo(1, 1);
    expect(r.current).toBeGreaterThan(0.81);
    expect(r.current).toBeLessThan(0.89);
  });

  it("DECISION_TIME: Cigna x RADIOLOGY median decision lag about +10 days", async () => {
    expect((await denialRates("Cigna", "RADIOLOGY")).current.n).toBeGreaterThanOrEqual(200);
    const r = await medianLag("Cigna", "RADIOLOGY");
    expect(r.current - r.baseline).toBeGreaterThanOrEqual(8);
    expect(r.current - r.baseline).toBeLessThanOrEqual(12);
  });

  it("DENIAL_REASON: Humana x MEDICINE CO-197 from ~0 % to ~30 % of denials, >= 5 of them", async () => {
    expect((await denialRates("Humana", "MEDICINE")).current.n).toBeGreaterThanOrEqual(200);
    const { rows } = await client.query<{ win: string; denials: number; co197: number }>(
      windowed(`SELECT win, count(*)::int AS denials,
          count(*) FILTER (WHERE denial_group = 'CO' AND denial_code = '197')::int AS co197
        FROM w WHERE outcome = 'DENIED' GROUP BY win`),
      params("Humana", "MEDICINE"),
    );
    const byWin = Object.fromEntries(rows.map((r) => [r.win, r]));
    expect(byWin.baseline?.co197).toBe(0);
    expect(byWin.current?.co197).toBeGreaterThanOrEqual(5);
    const share = (byWin.current?.co197 ?? 0) / (byWin.current?.denials ?? 1);
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.5);
  });

  it("an unplanted cell (UnitedHealthcare x EM) stays put on every metric", async () => {
    const rates = await denialRates("UnitedHealthcare", "EM");
    expect(rates.current.n).toBeGreaterThanOrEqual(200);
    expect(Math.abs(rates.current.rate - rates.baseline.rate)).toBeLessThan(0.04);
    const lag = await medianLag("UnitedHealthcare", "EM");
    expect(Math.abs(lag.current - lag.baseline)).toBeLessThanOrEqual(1);
    const ratio = await paymentRatio("UnitedHealthcare", "EM");
    expect(Math.abs(ratio.current - 1)).toBeLessThan(0.02);
  });
});
