import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { createPrismaClient, db } from "@/server/db/client";
import { isUniqueViolation } from "@/server/db/prisma-errors";
import { seedDemo, type TSeedSummary } from "../../../../prisma/seed/seed-demo";
import { runDetection, type TRunOutcome } from "./run-detection";

/**
 * Correct by construction under concurrency (PRODUCT.md §3): 16 detection passes for one tenant,
 * started at once on 16 separate connection pools (bypassing the one-run-in-progress guard, so
 * they really race), end with exactly the events one pass produces on identical data — no
 * duplicate, no lost update, no unhandled deadlock. And the partial unique index rejects a
 * duplicate ACTIVE event written directly, as if the locks had been forgotten.
 */
const AS_OF = "2026-03-02";
const PASSES = 16;

async function seedTenant(): Promise<TSeedSummary> {
  return seedDemo(process.env.DATABASE_URL!, { tenants: 1, claims: 120_000, randomSeed: 11, asOf: AS_OF, slugPrefix: `c${randomUUID().slice(0, 8)}` });
}

async function snapshot(customerId: string) {
  const rows = await db().driftEvent.findMany({
    where: { customerId },
    select: {
      status: true,
      cptGroup: true,
      driftType: true,
      denialReason: true,
      direction: true,
      baselineValue: true,
      currentValue: true,
      delta: true,
      pValue: true,
      qValue: true,
      severity: true,
      estimatedRevenueImpact: true,
      consecutivePeriods: true,
      baselineSampleSize: true,
      currentSampleSize: true,
      payer: { select: { name: true, customerId: true } },
    },
  });
  return rows
    .map(({ payer, estimatedRevenueImpact, ...rest }) => ({
      ...rest,
      payer: payer.customerId ? "(private)" : payer.name,
      estimatedRevenueImpact: estimatedRevenueImpact.toFixed(2),
    }))
    .sort((x, y) => `${x.payer}|${x.cptGroup}|${x.driftType}`.localeCompare(`${y.payer}|${y.cptGroup}|${y.driftType}`));
}

describe("concurrent detection passes for one tenant", () => {
  let raced: TSeedSummary;
  let reference: TSeedSummary;
  const clients: PrismaClient[] = [];
  beforeAll(async () => {
    [raced, reference] = [await seedTenant(), await seedTenant()];
    for (let i = 0; i < PASSES; i++) clients.push(createPrismaClient(process.env.DATABASE_URL!, { max: 2 }));
  }, 240_000);
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.$disconnect()));
  });

  it("16 racing passes end with exactly the events of one pass", async () => {
    const racedId = raced.tenants[0]!.id;
    // An ACTIVE event in a cell every pass tests and none finds: exactly one pass resolves it.
    const aetna = await db().payer.findFirstOrThrow({ where: { name: "Aetna", customerId: null }, select: { id: true } });
    const stale = await db().driftEvent.create({
      data: {
        customerId: racedId,
        payerId: aetna.id,
        cptGroup: "EM",
        driftType: "DECISION_TIME",
        baselineValue: 10,
        currentValue: 20,
        delta: 10,
        deltaCiLow: 8,
        deltaCiHigh: 12,
        pValue: 0.001,
        qValue: 0.01,
        severity: 0.9,
        direction: "UP",
        baselineSampleSize: 100,
        currentSampleSize: 50,
        baselineStart: new Date("2025-11-01"),
        baselineEnd: new Date("2026-01-29"),
        currentStart: new Date("2026-01-30"),
        currentEnd: new Date("2026-02-12"),
      },
      select: { id: true },
    });

    const results = await Promise.allSettled(clients.map((client) => runDetection(racedId, { asOf: AS_OF, client })));
    const failures = results.filter((r) => r.status === "rejected");
    expect(failures, String((failures[0] as PromiseRejectedResult | undefined)?.reason)).toHaveLength(0);
    const outcomes = results.map((r) => (r as PromiseFulfilledResult<TRunOutcome>).value);

    await runDetection(reference.tenants[0]!.id, { asOf: AS_OF });
    const expected = await snapshot(reference.tenants[0]!.id);
    const actual = (await snapshot(racedId)).filter((row) => !(row.payer === "Aetna" && row.cptGroup === "EM" && row.driftType === "DECISION_TIME"));
    expect(expected.length).toBeGreaterThanOrEqual(4);
    expect(actual).toEqual(expected);

    // Opened once in all, resolved once in all, every other pass an update.
    expect(outcomes.reduce((sum, o) => sum + o.eventsOpened, 0)).toBe(expected.length);
    expect(outcomes.reduce((sum, o) => sum + o.eventsResolved, 0)).toBe(1);
    expect(outcomes.reduce((sum, o) => sum + o.eventsUpdated, 0)).toBe(expected.length * (PASSES - 1));
    expect(await db().driftEvent.findUniqueOrThrow({ where: { id: stale.id }, select: { status: true } })).toEqual({ status: "RESOLVED" });
    expect(await db().driftEvent.count({ where: { customerId: racedId, status: "ACTIVE" } })).toBe(expected.length);
  });

  it("the partial unique index rejects a second ACTIVE event for the same cell and type", async () => {
    const customerId = reference.tenants[0]!.id;
    const existing = await db().driftEvent.findFirstOrThrow({ where: { customerId, status: "ACTIVE" } });
    const { id: _id, createdAt: _c, updatedAt: _u, rootCause: _r, estimatedRevenueImpact, ...copy } = existing;
    const duplicate = db().driftEvent.create({ data: { ...copy, estimatedRevenueImpact } });
    await expect(duplicate).rejects.toSatisfy(isUniqueViolation);
    // Raw SQL too, bypassing the client entirely.
    const raw = db().$executeRaw`
      INSERT INTO drift_events (customer_id, payer_id, cpt_group, drift_type, denial_reason, baseline_value, current_value, delta,
        delta_ci_low, delta_ci_high, p_value, q_value, severity, direction, baseline_sample_size, current_sample_size,
        baseline_start, baseline_end, current_start, current_end)
      SELECT customer_id, payer_id, cpt_group, drift_type, denial_reason, baseline_value, current_value, delta, delta_ci_low,
        delta_ci_high, p_value, q_value, severity, direction, baseline_sample_size, current_sample_size, baseline_start,
        baseline_end, current_start, current_end
      FROM drift_events WHERE id = ${existing.id}::uuid`;
    await expect(raw).rejects.toSatisfy(isUniqueViolation);
    // History is not constrained: a RESOLVED copy is fine.
    await db().driftEvent.create({ data: { ...copy, estimatedRevenueImpact, status: "RESOLVED", resolvedAt: new Date() } });
  });
});
