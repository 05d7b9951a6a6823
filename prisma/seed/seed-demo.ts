/**
 * Loads the deterministic demo data set: the payer catalogue, demo tenants with settings,
 * payer mappings, users for every role, one upload each and their claim lines (COPY), with
 * the drifts of planted-drifts.ts. `npm run driftline -- seed` and first start-up call
 * `seedDemo`; `tsx prisma/seed/seed-demo.ts [--tenants N] [--claims M] [--random-seed S]` runs it
 * directly against DATABASE_URL. README.md in this folder describes the data.
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { hashPassword } from "../../src/server/lib/passwords";
import { openUnderpaymentsSql } from "../../src/server/services/underpayments/open-underpayments-sql";
import { CPT_CODES, PAYER_CATALOGUE, normalizePayerName } from "./catalogue";
import { DEFAULT_PATIENT_HASH_KEY, generateTenantClaimLines, isoDay, plantedDriftsFor, seedWindows, type TGenerateOptions } from "./generate-claims";
import { copyClaimLines, ensurePayerCatalogue } from "./load";
import { DEMO_CONTRACT_SHARE, type TPlantedDrift } from "./planted-drifts";
import { planTenants, type TTenantPlan } from "./tenants";

export { PLANTED_DRIFTS, type TPlantedDrift } from "./planted-drifts";
export { seedWindows } from "./generate-claims";

export const DEMO_PASSWORD = "driftline-demo";
export const SUPERUSER_EMAIL = "superuser@driftline.example";
export const DEMO_ROLES = ["ADMIN", "ANALYST", "VIEWER"] as const;

export interface TSeedDemoOptions {
  /** Number of tenants (default 5). The first three are northwind-clinic, lakeside-health, summit-ortho. */
  tenants?: number;
  /** Claim lines across all tenants (default 300,000), split by the Pareto rule in tenants.ts. */
  claims?: number;
  /** Same seed, same claim content (default 42). */
  randomSeed?: number;
  log?: (message: string) => void;
  /** Prepended to every slug ("t1" -> "t1-northwind-clinic") so parallel tests share a database. */
  slugPrefix?: string;
  /** The day the data is "as of" (YYYY-MM-DD or a Date; default today, UTC). Data ends the day before. */
  asOf?: string | Date;
  /** false generates the same data without any planted drift (the null data set). Default true. */
  plantDrifts?: boolean;
  /** A tenant whose slug exists already: "skip" it (default) or fail with an "error". */
  onExisting?: "skip" | "error";
  /** HMAC key for patient account numbers (default PATIENT_HASH_KEY or the development key). */
  patientHashKey?: string;
}

export type TSeedRole = (typeof DEMO_ROLES)[number] | "SUPERUSER";

export interface TSeedSummary {
  randomSeed: number;
  asOf: string;
  windows: ReturnType<typeof seedWindows>;
  tenants: Array<{ index: number; slug: string; name: string; id: string; claimCount: number; skipped: boolean }>;
  users: Array<{ email: string; role: TSeedRole; tenantSlug: string | null }>;
  /** Planted drifts with the tenant's real slug (prefix included) and its id. */
  plantedDrifts: Array<TPlantedDrift & { customerId: string }>;
  totalClaims: number;
  elapsedMs: number;
}

function resolveAsOf(asOf: string | Date | undefined): string {
  if (asOf === undefined) return isoDay(Math.floor(Date.now() / 86_400_000));
  if (asOf instanceof Date) return isoDay(Math.floor(asOf.getTime() / 86_400_000));
  seedWindows(asOf); // validates the format
  return asOf;
}

function nonNegativeInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

interface TTenantResult {
  id: string;
  claimCount: number;
  skipped: boolean;
  users: TSeedSummary["users"];
}

/** One tenant, in one transaction: either all of it is there afterwards, or none. */
async function seedTenant(
  client: pg.Client,
  plan: TTenantPlan,
  catalogueIds: ReadonlyMap<string, string>,
  generate: TGenerateOptions,
  onExisting: "skip" | "error",
): Promise<TTenantResult> {
  await client.query("BEGIN");
  try {
    const inserted = await client.query<{ id: string }>("INSERT INTO customers (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING RETURNING id", [
      plan.slug,
      plan.name,
    ]);
    const customerId = inserted.rows[0]?.id;
    if (!customerId) {
      await client.query("ROLLBACK");
      if (onExisting === "error") throw new Error(`tenant "${plan.slug}" exists already`);
      const { rows } = await client.query<{ id: string; n: string }>(
        "SELECT c.id, (SELECT count(*) FROM claim_lines l WHERE l.customer_id = c.id)::text AS n FROM customers c WHERE c.slug = $1",
        [plan.slug],
      );
      return { id: rows[0]?.id ?? "", claimCount: Number(rows[0]?.n ?? 0), skipped: true, users: [] };
    }
    await client.query("INSERT INTO customer_settings (customer_id) VALUES ($1)", [customerId]);

    // The unmapped raw name becomes a tenant-private payer, as ingestion does for unknown names.
    const privatePayer = await client.query<{ id: string }>("INSERT INTO payers (customer_id, name) VALUES ($1, $2) RETURNING id", [
      customerId,
      plan.unmappedPayerName,
    ]);
    const payerIds = new Map(catalogueIds);
    payerIds.set(plan.unmappedPayerName, privatePayer.rows[0]?.id as string);

    // One mapping per distinct normalised raw name the tenant's files use.
    const mappings = new Map<string, { raw: string; payerId: string }>();
    for (const payer of PAYER_CATALOGUE) {
      if (!(plan.profile.payerMix[payer.name] ?? 0)) continue;
      for (const raw of plan.rawAliases[payer.name] ?? []) {
        const normalized = normalizePayerName(raw);
        if (!mappings.has(normalized)) mappings.set(normalized, { raw, payerId: catalogueIds.get(payer.name) as string });
      }
    }
    mappings.set(normalizePayerName(plan.unmappedPayerName), { raw: plan.unmappedPayerName, payerId: payerIds.get(plan.unmappedPayerName) as string });
    const entries = [...mappings.entries()];
    const mapped = await client.query<{ id: string; normalized_name: string }>(
      `INSERT INTO payer_mappings (customer_id, raw_name, normalized_name, payer_id)
       SELECT $1, raw, norm, payer FROM unnest($2::text[], $3::text[], $4::uuid[]) AS t(raw, norm, payer)
       RETURNING id, normalized_name`,
      [customerId, entries.map(([, m]) => m.raw), entries.map(([n]) => n), entries.map(([, m]) => m.payerId)],
    );
    const mappingIds = new Map(mapped.rows.map((row) => [row.normalized_name, row.id]));

    // Demo users, one per role. A user that exists already (same email) keeps its password.
    const users: TSeedSummary["users"] = [];
    let adminId: string | null = null;
    for (const role of DEMO_ROLES) {
      const email = `${role.toLowerCase()}@${plan.slug}.example`;
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO UPDATE SET updated_at = users.updated_at RETURNING id`,
        [email, `${plan.name} ${role.charAt(0)}${role.slice(1).toLowerCase()}`, await hashPassword(DEMO_PASSWORD)],
      );
      const userId = rows[0]?.id as string;
      if (role === "ADMIN") adminId = userId;
      await client.query("INSERT INTO memberships (customer_id, user_id, role) VALUES ($1, $2, $3::member_role) ON CONFLICT DO NOTHING", [
        customerId,
        userId,
        role,
      ]);
      users.push({ email, role, tenantSlug: plan.slug });
    }

    const upload = await client.query<{ id: string }>(
      `INSERT INTO uploads (customer_id, filename, format, size_bytes, content_hash, status, created_by_id)
       VALUES ($1, $2, 'CSV', 0, $3, 'PROCESSING', $4) RETURNING id`,
      [customerId, `demo-claims-${plan.baseSlug}.csv`, `pending-${randomUUID()}`, adminId],
    );
    const uploadId = upload.rows[0]?.id as string;
    const copied = await copyClaimLines(client, generateTenantClaimLines(plan, generate), {
      customerId,
      uploadId,
      payerIds,
      mappingIds,
    });
    await client.query(
      `UPDATE uploads SET size_bytes = $2, content_hash = $3, row_count = $4, applied_count = $4,
         status = 'APPLIED', completed_at = now() WHERE id = $1`,
      [uploadId, copied.contentBytes, copied.contentHash, copied.rowCount],
    );
    await seedFeeSchedule(client, plan, generate.asOf, customerId, adminId, mappings, mappingIds);
    await client.query("COMMIT");
    return { id: customerId, claimCount: copied.rowCount, skipped: false, users };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/**
 * The tenant's contracted fee schedule for its catalogue payers' E/M codes (version 1,
 * effective two years before asOf, open-ended) at DEMO_CONTRACT_SHARE of what the payer typically
 * allows, and the underpayment worklist those lines open (a few per cent of lines, plus the
 * planted UNDERPAYMENT drift's), so a newcomer sees both pages filled on first open.
 */
async function seedFeeSchedule(
  client: pg.Client,
  plan: TTenantPlan,
  asOf: string,
  customerId: string,
  adminId: string | null,
  mappings: ReadonlyMap<string, { raw: string; payerId: string }>,
  mappingIds: ReadonlyMap<string, string>,
): Promise<void> {
  const rows: { payerId: string; mappingId: string; code: string; rate: string }[] = [];
  for (const payer of PAYER_CATALOGUE) {
    if (!(plan.profile.payerMix[payer.name] ?? 0)) continue;
    const mapping = [...mappings.entries()].find(([, m]) => m.raw === (plan.rawAliases[payer.name] ?? [payer.name])[0]);
    const mappingId = mapping ? mappingIds.get(mapping[0]) : undefined;
    if (!mapping || !mappingId) continue;
    for (const code of CPT_CODES.EM) {
      rows.push({
        payerId: mapping[1].payerId,
        mappingId,
        code: code.code,
        rate: (code.typicalAllowed * payer.allowedFactor * DEMO_CONTRACT_SHARE).toFixed(2),
      });
    }
  }
  if (rows.length === 0) return;
  const from = isoDay(Math.round(Date.parse(`${asOf}T00:00:00Z`) / 86_400_000) - 730);
  const schedule = await client.query<{ id: string }>(
    `INSERT INTO fee_schedules (customer_id, version, filename, row_count, created_by_id) VALUES ($1, 1, $2, $3, $4) RETURNING id`,
    [customerId, `contracts-${plan.baseSlug}.csv`, rows.length, adminId],
  );
  await client.query(
    `INSERT INTO fee_schedule_rates (customer_id, fee_schedule_id, schedule_version, line_number, payer_id, payer_mapping_id, cpt_code, rate, effective_from)
     SELECT $1, $2, 1, n + 1, payer_id, mapping_id, code, rate, $7::date
     FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::numeric[]) WITH ORDINALITY AS t(payer_id, mapping_id, code, rate, n)`,
    [customerId, schedule.rows[0]?.id, rows.map((r) => r.payerId), rows.map((r) => r.mappingId), rows.map((r) => r.code), rows.map((r) => r.rate), from],
  );
  // Right after COPY the planner has no statistics for the new lines: a nested loop over them
  // would take minutes, a hash join takes a second.
  await client.query("SET LOCAL enable_nestloop = off");
  const open = openUnderpaymentsSql(customerId);
  await client.query(open.text, open.values as unknown[]);
  await client.query("SET LOCAL enable_nestloop = on");
}

export async function seedDemo(databaseUrl: string, options: TSeedDemoOptions = {}): Promise<TSeedSummary> {
  // The demo accounts share DEMO_PASSWORD, which the README publishes: never in production.
  if (process.env.DRIFTLINE_MODE === "production") {
    throw new Error("The demo data set is refused in production (its accounts share a published password).");
  }
  const started = performance.now();
  const tenants = nonNegativeInt("tenants", options.tenants ?? 5, 1);
  const claims = nonNegativeInt("claims", options.claims ?? 300_000, 0);
  const randomSeed = nonNegativeInt("randomSeed", options.randomSeed ?? 42, 0);
  const asOf = resolveAsOf(options.asOf);
  const plantDrifts = options.plantDrifts ?? true;
  const log = options.log ?? (() => {});
  const plans = planTenants({ tenants, claims, randomSeed, slugPrefix: options.slugPrefix });
  const generate: TGenerateOptions = {
    randomSeed,
    asOf,
    plantDrifts,
    patientHashKey: options.patientHashKey ?? process.env.PATIENT_HASH_KEY ?? DEFAULT_PATIENT_HASH_KEY,
  };

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const summary: TSeedSummary = {
    randomSeed,
    asOf,
    windows: seedWindows(asOf),
    tenants: [],
    users: [],
    plantedDrifts: [],
    totalClaims: 0,
    elapsedMs: 0,
  };
  try {
    // Large tenants take longer than a migration-style statement timeout allows.
    await client.query("SET statement_timeout = 0");
    const catalogueIds = await ensurePayerCatalogue(client);

    await client.query(
      `INSERT INTO users (email, name, password_hash, is_superuser) VALUES ($1, 'Driftline Superuser', $2, true)
       ON CONFLICT (email) DO NOTHING`,
      [SUPERUSER_EMAIL, await hashPassword(DEMO_PASSWORD)],
    );
    summary.users.push({ email: SUPERUSER_EMAIL, role: "SUPERUSER", tenantSlug: null });

    for (const plan of plans) {
      const tenantStart = performance.now();
      const result = await seedTenant(client, plan, catalogueIds, generate, options.onExisting ?? "skip");
      summary.tenants.push({ index: plan.index, slug: plan.slug, name: plan.name, id: result.id, claimCount: result.claimCount, skipped: result.skipped });
      summary.users.push(...result.users);
      summary.totalClaims += result.claimCount;
      if (!result.skipped) {
        summary.plantedDrifts.push(...plantedDriftsFor(plan, plantDrifts).map((drift) => ({ ...drift, tenantSlug: plan.slug, customerId: result.id })));
      }
      log(
        result.skipped
          ? `seed: ${plan.slug} exists already, skipped`
          : `seed: ${plan.slug}: ${result.claimCount.toLocaleString("en-US")} claim lines in ${Math.round(performance.now() - tenantStart)} ms`,
      );
    }
  } finally {
    await client.end();
  }
  summary.elapsedMs = Math.round(performance.now() - started);
  log(`seed: ${summary.totalClaims.toLocaleString("en-US")} claim lines in ${summary.tenants.length} tenants, ${summary.elapsedMs} ms`);
  return summary;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenants: { type: "string" },
      claims: { type: "string" },
      "random-seed": { type: "string" },
      "slug-prefix": { type: "string" },
      "as-of": { type: "string" },
      "no-drifts": { type: "boolean" },
    },
  });
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  const summary = await seedDemo(url, {
    tenants: values.tenants ? Number(values.tenants) : undefined,
    claims: values.claims ? Number(values.claims) : undefined,
    randomSeed: values["random-seed"] ? Number(values["random-seed"]) : undefined,
    slugPrefix: values["slug-prefix"],
    asOf: values["as-of"],
    plantDrifts: !values["no-drifts"],
    log: (message) => console.error(message),
  });
  console.log(JSON.stringify(summary, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
