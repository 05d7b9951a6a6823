import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_TYPES, exampleClientTypes } from "@/cli/generate-example-client-types";
import { db } from "@/server/db/client";
import { stopQueue } from "@/server/jobs/queue";
import { startWorker, stopWorker } from "@/server/jobs/worker";
import { DETECTION_JOBS, DETECTION_RUN_QUEUE } from "@/server/services/detection/detection-runs";
import { createTestRule } from "@/test/alerts-kit";
import { createTestApiKey, startRestServer, type TRestServer } from "@/test/factories";
import { runWholeJob } from "../../../examples/typescript-client/whole-job";
import { seedDemo } from "../../../prisma/seed/seed-demo";

/**
 * The example REST client (examples/typescript-client) against a real server: its types are
 * generated from the document the server publishes, and it does a billing integration's whole
 * job with them. Every step's answer is checked against the database, so the document (and so
 * the types) match what the API does. `npm run typecheck` compiles the example against the
 * checked-in types; the first test proves those are the served document's.
 */

const FIXTURE = new URL("../services/ingestion/parse/fixtures/x12/outcomes.835", import.meta.url);
let server: TRestServer;

beforeAll(async () => {
  server = await startRestServer();
});

afterAll(async () => {
  await server?.close();
  await stopWorker();
  await stopQueue({ graceful: false });
});

describe("examples/typescript-client", () => {
  it("its checked-in types are those openapi-typescript generates from the served document", async () => {
    const served = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as object;
    const checkedIn = await readFile(EXAMPLE_CLIENT_TYPES, "utf8");
    // On failure: npm run generate:example-client, and commit the result.
    expect(
      checkedIn === (await exampleClientTypes(served)),
      "examples/typescript-client/driftline-api.d.ts is out of date: run npm run generate:example-client",
    ).toBe(true);
  }, 120_000);

  it("uploads an 835, runs detection, lists drift events, acknowledges an alert and pages through claim lines", async () => {
    // A tenant with three months of history and planted drifts, ending yesterday (the run's
    // windows end today), a rule that raises in-app alerts, and the worker that executes runs.
    const seeded = await seedDemo(process.env.DATABASE_URL!, {
      tenants: 1,
      claims: 60_000,
      randomSeed: 11,
      plantDrifts: true,
      slugPrefix: `xc${randomUUID().slice(0, 8)}`,
    });
    const customerId = seeded.tenants[0]!.id;
    await createTestRule(customerId, { name: "every drift" });
    const key = await createTestApiKey(customerId, "ANALYST");
    await startWorker(DETECTION_JOBS.filter((job) => job.name === DETECTION_RUN_QUEUE));

    const log: string[] = [];
    // Other test files may leave queued runs of their own tenants for this worker: a generous bound.
    const result = await runWholeJob({
      baseUrl: server.baseUrl,
      apiKey: key.key,
      x12: await readFile(FIXTURE, "utf8"),
      filename: "outcomes.835",
      pageSize: 3,
      pollIntervalMs: 250,
      timeoutMs: 240_000,
      log: (line) => log.push(line),
    });

    const upload = await db().upload.findUniqueOrThrow({ where: { id: result.upload.id }, select: { customerId: true, status: true, format: true } });
    expect(upload).toEqual({ customerId, status: "APPLIED", format: "X12_835" });
    expect(result.upload).toMatchObject({ status: "APPLIED", replayed: false, insertedCount: 8 });

    const run = await db().detectionRun.findUniqueOrThrow({ where: { id: result.run.id }, select: { customerId: true, status: true, eventsOpened: true } });
    expect(run).toEqual({ customerId, status: "SUCCEEDED", eventsOpened: result.run.eventsOpened });
    expect(result.run.status).toBe("SUCCEEDED");

    const active = await db().driftEvent.findMany({ where: { customerId, status: "ACTIVE" }, select: { id: true } });
    expect(active.length).toBeGreaterThan(0);
    expect(result.activeDriftEvents.map((event) => event.id).sort()).toEqual(active.map((event) => event.id).sort());
    // Most severe first, as documented.
    const severities = result.activeDriftEvents.map((event) => event.severity);
    expect(severities).toEqual([...severities].sort((a, b) => b - a));

    expect(result.acknowledgedAlert).not.toBeNull();
    const alert = await db().alertEvent.findUniqueOrThrow({
      where: { id: result.acknowledgedAlert!.id },
      select: { customerId: true, status: true, acknowledgedAt: true },
    });
    expect(alert).toMatchObject({ customerId, status: "ACKNOWLEDGED" });
    expect(alert.acknowledgedAt).not.toBeNull();

    // 8 lines, 3 a page: 3 pages, each line once.
    const lines = await db().claimLine.findMany({ where: { customerId, uploadId: result.upload.id }, select: { id: true } });
    expect(lines).toHaveLength(8);
    expect(result.claimPages).toBe(3);
    expect(result.claimLines.map((line) => line.id).sort()).toEqual(lines.map((line) => line.id).sort());
    expect(log.length).toBeGreaterThanOrEqual(6);
  }, 300_000);
});
