import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { createTestCustomer } from "@/test/factories";
import { seedReadSide } from "@/test/read-side-data";

/**
 * Every index on claim_lines costs every upload an index insertion per line (BENCHMARKS.md,
 * "Ingest"), so each must earn it: a query the product runs whose plan uses it. Below, the
 * queries that need an index, each as the service issues it (file named), and the index it is
 * listed for. The test fails when an index on claim_lines is used by none of them (add the
 * query that needs it, or drop the index) and when a listed query stops using its index.
 *
 * Plans are asked with `enable_seqscan = off`: at test scale (a few tens of thousands of lines)
 * reading the whole table is cheaper than any index, while in production one tenant is a small
 * part of millions of lines. Turning sequential scans off removes only that option; the choice
 * among indexes (and bitmap scans) is still the planner's, on real statistics (VACUUM ANALYZE
 * after seeding two tenants, several uploads and payers each).
 */

type TContext = { customerId: string; payerId: string; mappingId: string; uploadId: string; claimLineId: string; submitterClaimId: string };
type TListedQuery = { name: string; index: string; sql: string; params: (c: TContext) => unknown[] };

const CLAIM_COLUMNS =
  "id, submitter_claim_id, line_number, payer_id, cpt_code, cpt_group, units, service_date, decided_at, billed_amount, allowed_amount, outcome";

const QUERIES: TListedQuery[] = [
  {
    name: "one claim line by id (claims/read-claims.ts getClaim)",
    index: "claim_lines_pkey",
    sql: `SELECT ${CLAIM_COLUMNS} FROM claim_lines WHERE id = $1::uuid AND customer_id = $2::uuid LIMIT 1`,
    params: (c) => [c.claimLineId, c.customerId],
  },
  {
    name: "claims export, keyset pages by id (exports/export-writers.ts)",
    index: "claim_lines_pkey",
    sql: `SELECT ${CLAIM_COLUMNS} FROM claim_lines l WHERE l.customer_id = $1::uuid AND l.decided_at >= $2::date AND l.decided_at <= $3::date AND l.id > $4::uuid ORDER BY l.id LIMIT 1000`,
    params: (c) => [c.customerId, "2000-01-01", "2100-01-01", "00000000-0000-0000-0000-000000000000"],
  },
  {
    name: "the upload's upsert: conflict arbiter (ingestion/apply-claim-lines.ts)",
    index: "claim_lines_customer_claim_line_key",
    sql: `INSERT INTO claim_lines AS cl (customer_id, submitter_claim_id, line_number, payer_id, payer_mapping_id, cpt_code, cpt_group, service_date, submitted_at, decided_at, billed_amount, outcome)
          VALUES ($1::uuid, $2, 1, $3::uuid, $4::uuid, '99213', 'EM', current_date, current_date, current_date, 100, 'PAID')
          ON CONFLICT (customer_id, submitter_claim_id, line_number) DO UPDATE SET version = cl.version + 1`,
    params: (c) => [c.customerId, c.submitterClaimId, c.payerId, c.mappingId],
  },
  {
    name: "claims list filtered by submitter claim id (claims/read-claims.ts listClaims)",
    index: "claim_lines_customer_claim_line_key",
    sql: `SELECT ${CLAIM_COLUMNS} FROM claim_lines WHERE customer_id = $1::uuid AND submitter_claim_id = $2 ORDER BY decided_at DESC, id DESC LIMIT 51`,
    params: (c) => [c.customerId, c.submitterClaimId],
  },
  {
    name: "detection window aggregate (detection/query-cell-metrics.ts)",
    index: "claim_lines_customer_decided_idx",
    sql: `SELECT payer_id, cpt_group, decided_at >= $3::date AS cur, count(*), count(*) FILTER (WHERE outcome = 'DENIED'), sum(allowed_amount / units),
                 count(*) FILTER (WHERE denial_group IS NOT NULL AND denial_code IS NOT NULL), sum(decided_at - submitted_at), count(DISTINCT cpt_code)
          FROM claim_lines WHERE customer_id = $1::uuid AND decided_at >= $2::date AND decided_at <= $4::date GROUP BY 1, 2, 3`,
    params: (c) => [c.customerId, "2026-01-01", "2026-06-01", "2026-12-31"],
  },
  {
    name: "dashboard denial-rate trend (dashboard/get-dashboard.ts)",
    index: "claim_lines_customer_decided_idx",
    sql: `SELECT to_char(decided_at, 'YYYY-MM') AS month, count(*)::int, (count(*) FILTER (WHERE outcome = 'DENIED'))::int
          FROM claim_lines WHERE customer_id = $1::uuid AND decided_at >= $2::date GROUP BY 1`,
    params: (c) => [c.customerId, "2026-01-01"],
  },
  {
    name: "payer scorecard, every payer (payer-summary/get-payer-summary.ts)",
    index: "claim_lines_customer_decided_idx",
    sql: `SELECT payer_id, count(*), count(*) FILTER (WHERE outcome = 'DENIED'), sum(allowed_amount), percentile_cont(0.5) WITHIN GROUP (ORDER BY decided_at - submitted_at)
          FROM claim_lines WHERE customer_id = $1::uuid AND decided_at >= $2::date AND decided_at <= $3::date GROUP BY payer_id`,
    params: (c) => [c.customerId, "2026-01-01", "2026-12-31"],
  },
  {
    name: "claims list, default order -decidedAt (claims/read-claims.ts listClaims)",
    index: "claim_lines_customer_decided_idx",
    sql: `SELECT ${CLAIM_COLUMNS} FROM claim_lines WHERE customer_id = $1::uuid ORDER BY decided_at DESC, id DESC LIMIT 51`,
    params: (c) => [c.customerId],
  },
  {
    name: "claims list by page filtered by upload: its total (claims/read-claims.ts listClaims)",
    index: "claim_lines_customer_upload_idx",
    sql: `SELECT count(*) FROM claim_lines WHERE customer_id = $1::uuid AND upload_id = $2::uuid`,
    params: (c) => [c.customerId, c.uploadId],
  },
  {
    name: "lines that came in under a payer mapping (ingestion/payer-mappings.ts update and delete)",
    index: "claim_lines_customer_mapping_idx",
    sql: `SELECT count(*) FROM claim_lines WHERE customer_id = $1::uuid AND payer_mapping_id = $2::uuid`,
    params: (c) => [c.customerId, c.mappingId],
  },
];

type TPlanNode = { "Index Name"?: string; "Conflict Arbiter Indexes"?: string[]; Plans?: TPlanNode[] };

function indexesOf(node: TPlanNode, into = new Set<string>()): Set<string> {
  if (node["Index Name"]) into.add(node["Index Name"]);
  for (const name of node["Conflict Arbiter Indexes"] ?? []) into.add(name);
  for (const child of node.Plans ?? []) indexesOf(child, into);
  return into;
}

async function asOwner<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe("every index on claim_lines is used by a query that needs it", () => {
  const plans = new Map<string, Set<string>>();
  let indexes: string[] = [];

  beforeAll(async () => {
    const context: Partial<TContext> = {};
    for (const [tenant, probed] of [
      [0, true],
      [1, false],
    ] as const) {
      const customer = await createTestCustomer({ slug: `claim-indexes-${tenant}-${Date.now()}` });
      // Four uploads of two payers each: 12,000 lines a tenant, spread over 200 days.
      for (let upload = 0; upload < 4; upload += 1) {
        const seeded = await seedReadSide(customer.id, { payers: 2, linesPerPayer: 1_500 });
        if (probed && upload === 0) Object.assign(context, { customerId: customer.id, uploadId: seeded.uploadId, payerId: seeded.payerIds[0] });
      }
    }
    const [line] = await db().$queryRaw<{ id: string; submitter_claim_id: string; payer_mapping_id: string }[]>`
      SELECT id::text, submitter_claim_id, payer_mapping_id::text FROM claim_lines WHERE customer_id = ${context.customerId}::uuid AND payer_id = ${context.payerId}::uuid LIMIT 1`;
    Object.assign(context, { claimLineId: line!.id, submitterClaimId: line!.submitter_claim_id, mappingId: line!.payer_mapping_id });
    await asOwner(async (client) => {
      await client.query("VACUUM (ANALYZE) claim_lines");
      indexes = (
        await client.query<{ name: string }>("SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = 'claim_lines'::regclass ORDER BY 1")
      ).rows.map((row) => row.name);
    });
    for (const query of QUERIES) {
      const rows = await db().$transaction(async (tx) => {
        await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
        return tx.$queryRawUnsafe<{ "QUERY PLAN": [{ Plan: TPlanNode }] }[]>(`EXPLAIN (FORMAT JSON) ${query.sql}`, ...query.params(context as TContext));
      });
      plans.set(query.name, indexesOf(rows[0]!["QUERY PLAN"][0].Plan));
    }
  }, 120_000);

  it("lists every index on claim_lines against at least one query", () => {
    expect(indexes.length).toBeGreaterThan(0);
    const listed = new Set(QUERIES.map((query) => query.index));
    expect(
      indexes.filter((index) => !listed.has(index)),
      "indexes no listed query needs",
    ).toEqual([]);
  });

  it("no index is unused by every listed query", () => {
    const used = new Set([...plans.values()].flatMap((set) => [...set]));
    expect(
      indexes.filter((index) => !used.has(index)),
      "indexes no plan uses",
    ).toEqual([]);
  });

  it.each(QUERIES.map((query) => [query.name, query.index] as const))("%s uses %s", (name, index) => {
    expect([...plans.get(name)!]).toContain(index);
  });
});
