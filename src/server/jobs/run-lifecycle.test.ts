import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { stopQueue } from "@/server/jobs/queue";
import { WORKER_JOBS } from "@/server/jobs/worker";
import { enqueueDetectionRun } from "@/server/services/detection/detection-runs";
import { EXPORT_RUN } from "@/server/services/exports/exports";
import { callerFor, createTestTenant, type TTestTenant } from "@/test/factories";

/**
 * Nothing stuck: every kind of background run (detection runs, exports) ends FAILED rather than
 * waiting forever when its job could not be sent, or its worker died, on a real PostgreSQL and
 * the real pg-boss queue. A failing send is produced in the database itself: a trigger on the
 * queue's job table refuses the jobs of this test's tenant (other test files share the queue).
 */
let tenant: TTestTenant;
const owner = () => new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);

beforeAll(async () => {
  tenant = await createTestTenant();
});

afterAll(async () => {
  await stopQueue({ graceful: false }).catch(() => {});
});

async function refuseJobsOf(customerId: string, work: () => Promise<void>): Promise<void> {
  const client = owner();
  await client.connect();
  const name = `refuse_jobs_${customerId.replace(/-/g, "")}`;
  try {
    await client.query(`
      CREATE FUNCTION pgboss.${name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
      DECLARE
        target text := coalesce(NEW.data->>'id', NEW.data->>'exportId', NEW.data->>'runId');
      BEGIN
        IF target IS NOT NULL AND (
          EXISTS (SELECT 1 FROM public.exports WHERE id::text = target AND customer_id = '${customerId}')
          OR EXISTS (SELECT 1 FROM public.detection_runs WHERE id::text = target AND customer_id = '${customerId}')
        ) THEN
          RAISE EXCEPTION 'job table unavailable (test)';
        END IF;
        RETURN NEW;
      END $$`);
    await client.query(`CREATE TRIGGER ${name} BEFORE INSERT ON pgboss.job FOR EACH ROW EXECUTE FUNCTION pgboss.${name}()`);
    await work();
  } finally {
    await client.query(`DROP TRIGGER IF EXISTS ${name} ON pgboss.job`);
    await client.query(`DROP FUNCTION IF EXISTS pgboss.${name}()`);
    await client.end();
  }
}

describe("background run lifecycle", () => {
  it("an export or a detection run whose job cannot be sent is FAILED, not left QUEUED", async () => {
    const analyst = await callerFor(tenant.keys.ANALYST.headers);
    // Warm the queue (and create the queues' partitions) before the refusal is installed.
    const warm = await analyst.exports.create({ kind: "ALERTS" });
    expect(warm.status).toBe("QUEUED");
    await refuseJobsOf(tenant.customer.id, async () => {
      await expect(analyst.exports.create({ kind: "DRIFT_EVENTS" })).rejects.toThrow();
      await expect(enqueueDetectionRun(tenant.customer.id, { trigger: "MANUAL" })).rejects.toThrow(/job table unavailable/);
    });
    const exports = await db().export.findMany({ where: { customerId: tenant.customer.id, kind: "DRIFT_EVENTS" }, select: { status: true, error: true } });
    expect(exports).toEqual([{ status: "FAILED", error: "The export could not be generated; try again." }]);
    const runs = await db().detectionRun.findMany({ where: { customerId: tenant.customer.id }, select: { status: true, error: true } });
    expect(runs).toEqual([{ status: "FAILED", error: expect.stringContaining("could not queue the job") }]);
    // The tenant is not blocked: the next trigger starts a run.
    expect(await enqueueDetectionRun(tenant.customer.id, { trigger: "MANUAL" })).toMatchObject({ created: true, status: "QUEUED" });
  });

  it("the worker's sweep fails exports and runs left QUEUED or RUNNING past their limit, and nothing fresh", async () => {
    const { customer } = await createTestTenant();
    const customerId = customer.id;
    const make = (status: "QUEUED" | "RUNNING", minutes: number) =>
      db().export.create({
        data: { customerId, kind: "ALERTS", status, createdAt: ago(minutes), startedAt: status === "RUNNING" ? ago(minutes) : null },
        select: { id: true },
      });
    const crashed = await make("RUNNING", EXPORT_RUN.staleAfterMinutes + 5);
    const lost = await make("QUEUED", EXPORT_RUN.staleAfterMinutes + 5);
    const fresh = await make("RUNNING", 1);
    const run = await db().detectionRun.create({
      data: { customerId, trigger: "SCHEDULED", status: "RUNNING", queuedAt: ago(24 * 60), startedAt: ago(24 * 60) },
      select: { id: true },
    });

    const sweep = WORKER_JOBS.find((job) => job.name === "run-sweep");
    expect(sweep?.cron).toBeTruthy();
    await sweep!.handler([]);

    const status = async (id: string) => (await db().export.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;
    expect(await status(crashed.id)).toBe("FAILED");
    expect(await status(lost.id)).toBe("FAILED");
    expect(await status(fresh.id)).toBe("RUNNING");
    const swept = await db().detectionRun.findUniqueOrThrow({ where: { id: run.id }, select: { status: true, error: true, finishedAt: true } });
    expect(swept).toMatchObject({ status: "FAILED", error: expect.stringContaining("abandoned: still RUNNING") });
    expect(swept.finishedAt).not.toBeNull();
  });

  it("a worker that outlives the sweep cannot turn a FAILED export back into SUCCEEDED", async () => {
    const { customer } = await createTestTenant();
    const row = await db().export.create({ data: { customerId: customer.id, kind: "ALERTS" }, select: { id: true } });
    const claimed = await EXPORT_RUN.claim(row.id, undefined);
    expect(claimed).not.toBeNull();
    expect(await EXPORT_RUN.claim(row.id, undefined)).toBeNull();
    await EXPORT_RUN.fail(row.id, new Error("abandoned"));
    await expect(EXPORT_RUN.execute(claimed!, undefined)).rejects.toThrow(/no longer RUNNING/);
    expect(await db().export.findUniqueOrThrow({ where: { id: row.id }, select: { status: true, content: true } })).toEqual({
      status: "FAILED",
      content: null,
    });
  });
});
