import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { seedDemo, type TSeedSummary } from "../../../../prisma/seed/seed-demo";
import { ZRootCause } from "./root-cause/root-cause-shape";
import { runDetection } from "./run-detection";

/**
 * Detection on the generated reference data (prisma/seed): every planted drift of adequate size
 * is found in its cell with its type and direction, and the same data without planted drifts
 * raises at most the configured false-discovery share of the tested cells.
 */
const AS_OF = "2026-03-02";
const CLAIMS = 160_000;

async function seed(plantDrifts: boolean): Promise<TSeedSummary> {
  return seedDemo(process.env.DATABASE_URL!, {
    tenants: 1,
    claims: CLAIMS,
    randomSeed: 7,
    asOf: AS_OF,
    plantDrifts,
    slugPrefix: `d${randomUUID().slice(0, 8)}`,
  });
}

async function activeEvents(customerId: string) {
  return db().driftEvent.findMany({
    where: { customerId, status: "ACTIVE" },
    select: {
      payerId: true,
      cptGroup: true,
      driftType: true,
      direction: true,
      denialReason: true,
      qValue: true,
      severity: true,
      currentStart: true,
      rootCause: true,
      payer: { select: { name: true } },
    },
  });
}

describe("detection on generated data", () => {
  let planted: TSeedSummary;
  let nulls: TSeedSummary;
  beforeAll(async () => {
    planted = await seed(true);
    nulls = await seed(false);
  }, 240_000);

  it("finds every planted drift with the right type, direction and cell", async () => {
    const tenant = planted.tenants[0]!;
    const outcome = await runDetection(tenant.id, { asOf: AS_OF });
    const events = await activeEvents(tenant.id);
    expect(planted.plantedDrifts.length).toBeGreaterThan(0);
    for (const drift of planted.plantedDrifts) {
      const match = events.find((e) => e.payer.name === drift.payerName && e.cptGroup === drift.cptGroup && e.driftType === drift.driftType);
      expect(match, `${drift.driftType} ${drift.payerName} ${drift.cptGroup}`).toBeDefined();
      expect(match!.direction).toBe(drift.direction);
      if (drift.denialReason) expect(match!.denialReason).toBe(drift.denialReason);
      // Root cause: the planted CARC shift is named, and every drift is dated near the start of
      // the current window, where the generator plants it.
      const cause = ZRootCause.parse(match!.rootCause);
      if (drift.denialReason) expect(cause.dominant, JSON.stringify(cause.denialReasons.carcs[0])).toMatchObject({ kind: "CARC", code: drift.denialReason });
      const planted = match!.currentStart.getTime();
      expect(cause.changeDate, drift.driftType).not.toBeNull();
      expect(Math.abs(Date.parse(cause.changeDate!.date) - planted) / 86_400_000, `${drift.driftType} ${cause.changeDate!.date}`).toBeLessThanOrEqual(3);
    }
    // Beyond the planted cells, at most the FDR share of what was flagged is false.
    const unplanted = events.filter((e) => !planted.plantedDrifts.some((d) => d.payerName === e.payer.name && d.cptGroup === e.cptGroup));
    expect(unplanted.length).toBeLessThanOrEqual(Math.max(1, Math.floor(0.05 * events.length)));
    expect(outcome.eventsOpened).toBe(events.length);
    expect(outcome.summary.status).toBe("OK");
  });

  it("flags at most the FDR share of cells on data without drift", async () => {
    const tenant = nulls.tenants[0]!;
    const outcome = await runDetection(tenant.id, { asOf: AS_OF });
    const events = await activeEvents(tenant.id);
    expect(outcome.cellsTested).toBeGreaterThanOrEqual(20);
    const flaggedCells = new Set(events.map((e) => `${e.payerId}|${e.cptGroup}`)).size;
    expect(flaggedCells / outcome.cellsTested).toBeLessThanOrEqual(0.05);
  });
});
