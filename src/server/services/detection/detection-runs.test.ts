import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { stopQueue } from "@/server/jobs/queue";
import { startWorker, stopWorker } from "@/server/jobs/worker";
import { createTestCustomer } from "@/test/factories";
import { seedDemo, type TSeedSummary } from "../../../../prisma/seed/seed-demo";
import { createDetectionRun, DETECTION_JOBS, DETECTION_RUN_QUEUE, enqueueDetectionRun, executeDetectionRun } from "./detection-runs";

/** Run lifecycle: one run in progress per tenant, empty tenants, failures that change nothing. */
const AS_OF = "2026-03-02";

describe("detection runs", () => {
  let seeded: TSeedSummary;
  beforeAll(async () => {
    seeded = await seedDemo(process.env.DATABASE_URL!, { tenants: 1, claims: 120_000, randomSeed: 5, asOf: AS_OF, slugPrefix: `r${randomUUID().slice(0, 8)}` });
  }, 240_000);
  afterAll(async () => {
    await stopWorker();
    await stopQueue({ graceful: false });
  });

  it("a trigger while a run is in progress returns that run, even when triggers race", async () => {
    const customer = await createTestCustomer();
    const runs = await Promise.all(Array.from({ length: 8 }, () => enqueueDetectionRun(customer.id, { trigger: "MANUAL" })));
    expect(new Set(runs.map((r) => r.id)).size).toBe(1);
    expect(runs.filter((r) => r.created)).toHaveLength(1);
    expect(runs[0]!.status).toBe("QUEUED");
    expect(await db().detectionRun.count({ where: { customerId: customer.id } })).toBe(1);

    // While RUNNING too.
    await db().detectionRun.update({ where: { id: runs[0]!.id }, data: { status: "RUNNING", startedAt: new Date() } });
    const again = await enqueueDetectionRun(customer.id, { trigger: "UPLOAD" });
    expect(again).toMatchObject({ id: runs[0]!.id, status: "RUNNING", created: false });

    // Once it has finished, the next trigger starts a new run.
    await db().detectionRun.update({ where: { id: runs[0]!.id }, data: { status: "SUCCEEDED", finishedAt: new Date() } });
    const next = await enqueueDetectionRun(customer.id, { trigger: "MANUAL" });
    expect(next.created).toBe(true);
    expect(next.id).not.toBe(runs[0]!.id);
  });

  it("replaces a run abandoned in progress", async () => {
    const customer = await createTestCustomer();
    const { run } = await createDetectionRun(customer.id, "SCHEDULED");
    await db().detectionRun.update({ where: { id: run.id }, data: { queuedAt: new Date(Date.now() - 3 * 3600_000) } });
    const fresh = await createDetectionRun(customer.id, "MANUAL");
    expect(fresh.created).toBe(true);
    expect(await db().detectionRun.findUniqueOrThrow({ where: { id: run.id }, select: { status: true, error: true } })).toMatchObject({
      status: "FAILED",
      error: expect.stringContaining("abandoned"),
    });
  });

  it("a tenant without data gets a completed run that says so", async () => {
    const customer = await createTestCustomer();
    const { run } = await createDetectionRun(customer.id, "MANUAL");
    const done = await executeDetectionRun(run.id, { asOf: AS_OF });
    expect(done).toMatchObject({ status: "SUCCEEDED", cellsTested: 0, cellsSkipped: 0, eventsOpened: 0, error: null });
    expect(done!.summary).toMatchObject({ status: "NO_DATA" });
    expect(done!.startedAt!.getTime()).toBeLessThanOrEqual(done!.finishedAt!.getTime());
    expect(done!.currentEnd).toBe("2026-03-01");
  });

  it("a tenant with too little data gets a completed run that says so", async () => {
    const small = await seedDemo(process.env.DATABASE_URL!, {
      tenants: 1,
      claims: 400,
      randomSeed: 5,
      asOf: AS_OF,
      slugPrefix: `s${randomUUID().slice(0, 8)}`,
    });
    const { run } = await createDetectionRun(small.tenants[0]!.id, "MANUAL");
    const done = await executeDetectionRun(run.id, { asOf: AS_OF });
    expect(done).toMatchObject({ status: "SUCCEEDED", cellsTested: 0 });
    expect(done!.cellsSkipped).toBeGreaterThan(0);
    expect(done!.summary).toMatchObject({ status: "TOO_LITTLE_DATA" });
  });

  it("a failed run records why and changes nothing; a good run then records its counts", async () => {
    const customerId = seeded.tenants[0]!.id;
    const failing = async () => {
      throw new Error("alert evaluation exploded");
    };
    const first = await createDetectionRun(customerId, "MANUAL");
    const failed = await executeDetectionRun(first.run.id, { asOf: AS_OF, onChanged: failing });
    expect(failed).toMatchObject({ status: "FAILED", error: "alert evaluation exploded", eventsOpened: 0 });
    expect(failed!.finishedAt).not.toBeNull();
    expect(await db().driftEvent.count({ where: { customerId } })).toBe(0);

    const second = await createDetectionRun(customerId, "MANUAL");
    const succeeded = await executeDetectionRun(second.run.id, { asOf: AS_OF });
    expect(succeeded).toMatchObject({ status: "SUCCEEDED", eventsOpened: seeded.plantedDrifts.length, eventsResolved: 0 });
    expect(succeeded!.cellsTested).toBeGreaterThan(0);
    const before = await db().driftEvent.findMany({ where: { customerId }, orderBy: { id: "asc" } });
    expect(before.every((e) => e.firstRunId === second.run.id && e.lastRunId === second.run.id)).toBe(true);

    const third = await createDetectionRun(customerId, "MANUAL");
    expect((await executeDetectionRun(third.run.id, { asOf: AS_OF, onChanged: failing }))!.status).toBe("FAILED");
    expect(await db().driftEvent.findMany({ where: { customerId }, orderBy: { id: "asc" } })).toEqual(before);

    // The next day's run counts a second consecutive period.
    const fourth = await createDetectionRun(customerId, "SCHEDULED");
    const nextDay = await executeDetectionRun(fourth.run.id, { asOf: "2026-03-03" });
    expect(nextDay).toMatchObject({ status: "SUCCEEDED" });
    const periods = await db().driftEvent.findMany({
      where: { customerId, status: "ACTIVE", lastRunId: fourth.run.id, id: { in: before.map((e) => e.id) } },
      select: { consecutivePeriods: true },
    });
    expect(periods.length).toBeGreaterThan(0);
    expect(periods.every((p) => p.consecutivePeriods === 2)).toBe(true);
  });

  it("the worker executes a queued run from the job queue", async () => {
    await startWorker(DETECTION_JOBS.filter((job) => job.name === DETECTION_RUN_QUEUE));
    const customer = await createTestCustomer();
    const queued = await enqueueDetectionRun(customer.id, { trigger: "UPLOAD" });
    expect(queued).toMatchObject({ status: "QUEUED", created: true, trigger: "UPLOAD" });
    let status = "QUEUED";
    // Other test files leave queued runs of their own tenants behind; the worker serves those
    // first, so wait generously (a bound, not a timing assertion).
    for (let i = 0; i < 600 && (status === "QUEUED" || status === "RUNNING"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await db().detectionRun.findUniqueOrThrow({ where: { id: queued.id }, select: { status: true } })).status;
    }
    expect(status).toBe("SUCCEEDED");
  }, 180_000);
});
