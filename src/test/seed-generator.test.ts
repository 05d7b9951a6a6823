import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cptGroupFor, isCptGroupCode } from "@/server/services/ingestion/cpt-groups";
import { catalogueGroups, PAYER_CATALOGUE } from "../../prisma/seed/catalogue";
import {
  DEFAULT_PATIENT_HASH_KEY,
  generateClaimLines,
  generateTenantClaimLines,
  seedWindows,
  serializeClaimLine,
  type TGenerateOptions,
} from "../../prisma/seed/generate-claims";
import { formatCents } from "../../prisma/seed/load";
import { PLANTED_DRIFTS } from "../../prisma/seed/planted-drifts";
import { Random, WeightedTable, allocateLargestRemainder, topShare } from "../../prisma/seed/random";
import { paretoAllocation, planTenants } from "../../prisma/seed/tenants";

const AS_OF = "2026-11-27";
const options = (overrides: Partial<TGenerateOptions> = {}): TGenerateOptions => ({
  randomSeed: 42,
  asOf: AS_OF,
  plantDrifts: true,
  patientHashKey: DEFAULT_PATIENT_HASH_KEY,
  ...overrides,
});

function contentHash(seed: number, claims: number, tenants = 3): string {
  const hash = createHash("sha256");
  const plans = planTenants({ tenants, claims, randomSeed: seed });
  for (const { tenant, line } of generateClaimLines(plans, options({ randomSeed: seed }))) {
    hash.update(`${tenant.slug}\t${serializeClaimLine(line)}\n`);
  }
  return hash.digest("hex");
}

describe("seeded randomness", () => {
  it("repeats a named stream exactly and separates streams", () => {
    const a = new Random(7, "x");
    const b = new Random(7, "x");
    const c = new Random(7, "y");
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it("samples weights in proportion and allocates exact totals", () => {
    const rng = new Random(1);
    const table = new WeightedTable([
      ["a", 1],
      ["b", 3],
      ["zero", 0],
    ] as const);
    let b = 0;
    for (let i = 0; i < 20_000; i++) if (table.sample(rng) === "b") b++;
    expect(b / 20_000).toBeGreaterThan(0.73);
    expect(b / 20_000).toBeLessThan(0.77);
    expect(table.items).not.toContain("zero");
    expect(allocateLargestRemainder(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(allocateLargestRemainder(0, [1, 2])).toEqual([0, 0]);
  });

  it("formats cents without floating-point error", () => {
    expect(formatCents(1005)).toBe("10.05");
    expect(formatCents(7)).toBe("0.07");
    expect(formatCents(123456789)).toBe("1234567.89");
  });
});

describe("Pareto allocation of claim volume across tenants", () => {
  it.each([10, 12, 20, 37, 50])("with %i tenants the top 20 %% hold 75–85 %% and totals are exact", (tenants) => {
    const claims = 1_000_003;
    const counts = paretoAllocation(claims, tenants);
    expect(counts.reduce((a, c) => a + c, 0)).toBe(claims);
    const share = topShare(counts, Math.ceil(tenants * 0.2));
    expect(share).toBeGreaterThanOrEqual(0.75);
    expect(share).toBeLessThanOrEqual(0.85);
    // Sorted by rank, biggest first.
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
  });

  it("gives the default five tenants 80 % / 20 % and handles small totals", () => {
    const counts = paretoAllocation(300_000, 5);
    expect(counts[0]).toBe(240_000);
    expect(counts.reduce((a, c) => a + c, 0)).toBe(300_000);
    expect(paretoAllocation(7, 3).reduce((a, c) => a + c, 0)).toBe(7);
    expect(paretoAllocation(100, 1)).toEqual([100]);
  });

  it("names the first three tenants for the demo and prefixes slugs on request", () => {
    const plans = planTenants({ tenants: 5, claims: 1_000, randomSeed: 42, slugPrefix: "t9" });
    expect(plans.map((p) => p.baseSlug)).toEqual(["northwind-clinic", "lakeside-health", "summit-ortho", "demo-clinic-4", "demo-clinic-5"]);
    expect(plans[0]?.slug).toBe("t9-northwind-clinic");
    expect(() => planTenants({ tenants: 1, claims: 1, randomSeed: 1, slugPrefix: "Bad Prefix" })).toThrow(/not valid/);
  });
});

describe("claim-line generator", () => {
  it("is deterministic: same seed, same content; another seed, other content", () => {
    const first = contentHash(42, 6_000);
    expect(contentHash(42, 6_000)).toBe(first);
    expect(contentHash(43, 6_000)).not.toBe(first);
  });

  it("yields exactly the planned count per tenant", () => {
    const plans = planTenants({ tenants: 4, claims: 9_999, randomSeed: 5 });
    for (const plan of plans) {
      let n = 0;
      for (const _line of generateTenantClaimLines(plan, options({ randomSeed: 5 }))) n++;
      expect(n).toBe(plan.claimCount);
    }
  });

  it("keeps every domain rule the database checks, and a few more", () => {
    const windows = seedWindows(AS_OF);
    const plans = planTenants({ tenants: 5, claims: 30_000, randomSeed: 42 });
    const keys = new Set<string>();
    const known = new Set([...PAYER_CATALOGUE.map((p) => p.name), ...plans.map((p) => p.unmappedPayerName)]);
    const violations: string[] = [];
    // Plain checks collected, not one expect per field: 30,000 lines stay fast.
    for (const { tenant, line } of generateClaimLines(plans, options())) {
      const key = `${tenant.slug}|${line.submitterClaimId}|${line.lineNumber}`;
      const fail = (rule: string) => violations.push(`${key}: ${rule}`);
      if (keys.has(key)) fail("duplicate (claim id, line number)");
      keys.add(key);
      if (!known.has(line.payerName)) fail("unknown payer");
      if (line.lineNumber < 1) fail("line number < 1");
      if (!(line.units > 0)) fail("units <= 0");
      if (!/^[0-9A-Z]{5}$/.test(line.cptCode)) fail("code format");
      if (cptGroupFor(line.cptCode) !== line.cptGroup) fail("cpt group");
      if (!(line.serviceDate <= line.submittedAt && line.submittedAt <= line.decidedAt)) fail("date order");
      if (!(line.decidedAt >= windows.dataStart && line.decidedAt <= windows.dataEnd)) fail("decided outside data range");
      if (line.paidAt !== null && !(line.paidAt >= line.decidedAt && line.paidAt <= windows.dataEnd)) fail("paid date");
      if (line.billedCents < 0 || line.paidCents < 0 || line.paidCents > line.billedCents) fail("paid within billed");
      if (line.allowedCents !== null && !(line.allowedCents >= line.paidCents && line.allowedCents <= line.billedCents)) {
        fail("allowed between paid and billed");
      }
      if ((line.denialGroup === null) !== (line.denialCode === null)) fail("denial pair");
      if (line.denialGroup !== null && !["CO", "PR", "OA", "PI", "CR"].includes(line.denialGroup)) fail("denial group");
      if (!/^[0-9a-f]{64}$/.test(line.patientAccountHash)) fail("patient hash");
      const ok = {
        DENIED: line.paidCents === 0 && line.denialCode !== null && line.paidAt === null && line.allowedCents === null,
        PARTIAL: line.paidCents > 0 && line.paidCents < (line.allowedCents ?? 0) && line.denialGroup === "PR",
        PAID: line.paidCents > 0 && line.paidCents === line.allowedCents && line.denialCode === null,
        OTHER: line.paidCents === 0 && line.denialGroup === "PR" && line.paidAt === null,
      }[line.outcome];
      if (!ok) fail(`outcome ${line.outcome} inconsistent with amounts or reason`);
    }
    expect(violations.slice(0, 10)).toEqual([]);
    expect(keys.size).toBe(30_000);
  });

  it("groups every catalogue code where cptGroupFor puts it", () => {
    for (const { code, group } of catalogueGroups()) {
      expect(isCptGroupCode(group)).toBe(true);
      expect(cptGroupFor(code), code).toBe(group);
    }
  });

  it("with plantDrifts false changes only the planted cells' current-window lines", () => {
    const [plan] = planTenants({ tenants: 1, claims: 40_000, randomSeed: 42 });
    if (!plan) throw new Error("no plan");
    const { currentStart } = seedWindows(AS_OF);
    const planted = new Set(PLANTED_DRIFTS.map((d) => `${d.payerName}|${d.cptGroup}`));
    const withDrifts = generateTenantClaimLines(plan, options());
    let differing = 0;
    for (const line of generateTenantClaimLines(plan, options({ plantDrifts: false }))) {
      const other = withDrifts.next().value;
      if (!other) throw new Error("streams differ in length");
      // The decision-time drift moves submission dates, so compare by claim content.
      if (serializeClaimLine(line) === serializeClaimLine(other)) continue;
      differing++;
      expect(planted.has(`${line.payerName}|${line.cptGroup}`)).toBe(true);
      expect(line.decidedAt >= currentStart).toBe(true);
      expect(other.submitterClaimId).toBe(line.submitterClaimId);
    }
    expect(withDrifts.next().done).toBe(true);
    expect(differing).toBeGreaterThan(0);
  });
});
