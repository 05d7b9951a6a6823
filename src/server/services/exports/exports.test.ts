import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleExportDownload } from "@/server/api/export-download";
import { db } from "@/server/db/client";
import { stopQueue } from "@/server/jobs/queue";
import { startWorker, stopWorker } from "@/server/jobs/worker";
import { callerFor, createTestTenant, type TTestTenant } from "@/test/factories";
import { seedReadSide } from "@/test/read-side-data";
import { csvCell } from "./csv";
import { EXPORT_JOBS, runExport } from "./exports";

/**
 * Exports end to end on a real PostgreSQL and the real pg-boss queue: POST creates a QUEUED row
 * and a job; a worker generates the CSV with progress; the download handler streams it back
 * with the REST door's rules (ANALYST, 404 for another tenant, 409 before it is ready, PHI
 * downloads audited).
 */

let tenant: TTestTenant;
let other: TTestTenant;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  await seedReadSide(tenant.customer.id, { payers: 4, linesPerPayer: 150, driftEvents: 30, activeDriftEvents: 5 });
});

afterAll(async () => {
  await stopWorker().catch(() => {});
  await stopQueue({ graceful: false }).catch(() => {});
});

function download(id: string, headers: Headers) {
  return handleExportDownload(new Request(`http://local/api/v1/exports/${id}/download`, { headers }), id);
}

async function waitFor(id: string, caller: Awaited<ReturnType<typeof callerFor>>) {
  for (let i = 0; i < 100; i += 1) {
    const state = await caller.exports.get({ id });
    if (state.status === "SUCCEEDED" || state.status === "FAILED") return state;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("export did not finish");
}

describe("exports", () => {
  it("a worker on the queue generates the payer scorecard; the download streams the CSV", async () => {
    await startWorker(EXPORT_JOBS);
    const analyst = await callerFor(tenant.keys.ANALYST.headers);
    const created = await analyst.exports.create({ kind: "PAYER_SCORECARD", params: { ordering: "payer" } });
    expect(created).toMatchObject({ status: "QUEUED", progress: 0, downloadUrl: null, containsPhi: false });
    const done = await waitFor(created.id, analyst);
    expect(done).toMatchObject({ status: "SUCCEEDED", progress: 1, rowCount: 4, downloadUrl: `/api/v1/exports/${created.id}/download` });
    const response = await download(created.id, tenant.keys.ANALYST.headers);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename="driftline-payer-scorecard-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^payer,period_from,period_to,total_lines,paid,partial,denied,other,denial_rate_pct/);
    expect(lines).toHaveLength(5);
    expect(lines.slice(1).every((line) => line.startsWith("Test payer"))).toBe(true);
  });

  it("drift events and alerts: every row once, progress written, no audit (no PHI)", async () => {
    const analyst = await callerFor(tenant.members.ANALYST.session.headers);
    for (const [kind, expected] of [
      ["DRIFT_EVENTS", 30],
      ["ALERTS", 30],
    ] as const) {
      const created = await analyst.exports.create({ kind });
      await runExport(created.id); // idempotent with the worker: only a QUEUED row is taken
      const done = await waitFor(created.id, analyst);
      expect(done.rowCount).toBe(expected);
      const text = await (await download(created.id, tenant.members.ANALYST.session.headers)).text();
      const ids = text
        .trimEnd()
        .split("\r\n")
        .slice(1)
        .map((line) => line.split(",")[0]);
      expect(new Set(ids).size).toBe(expected);
    }
    const audits = await db().auditEvent.count({ where: { customerId: tenant.customer.id, action: { startsWith: "export." } } });
    expect(audits).toBe(0);
  });

  it("claim-line exports are PHI: creating and downloading them is audited", async () => {
    const analyst = await callerFor(tenant.keys.ANALYST.headers);
    const created = await analyst.exports.create({ kind: "CLAIMS", params: {} });
    expect(created.containsPhi).toBe(true);
    const done = await waitFor(created.id, analyst);
    expect(done.rowCount).toBeGreaterThan(0);
    const response = await download(created.id, tenant.keys.ANALYST.headers);
    expect(response.status).toBe(200);
    const rows = (await response.text()).trimEnd().split("\r\n");
    expect(rows.length - 1).toBe(done.rowCount);
    const audits = await db().auditEvent.findMany({
      where: { customerId: tenant.customer.id, resourceId: created.id },
      select: { action: true, actorApiKeyId: true },
    });
    expect(audits.map((a) => a.action).sort()).toEqual(["export.create", "export.download"]);
    expect(audits.every((a) => a.actorApiKeyId === tenant.keys.ANALYST.id)).toBe(true);
  });

  it("refuses: params of another kind (400), VIEWER (403), another tenant (404), not ready (409), anonymous (401)", async () => {
    const analyst = await callerFor(tenant.keys.ANALYST.headers);
    await expect(analyst.exports.create({ kind: "ALERTS", params: { driftType: "DENIAL_RATE" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect((await callerFor(tenant.keys.VIEWER.headers)).exports.create({ kind: "ALERTS" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const queued = await db().export.create({ data: { customerId: tenant.customer.id, kind: "ALERTS", status: "RUNNING" }, select: { id: true } });
    const notReady = await download(queued.id, tenant.keys.ANALYST.headers);
    expect(notReady.status).toBe(409);
    expect(notReady.headers.get("content-type")).toBe("application/problem+json");
    expect((await download(queued.id, tenant.keys.VIEWER.headers)).status).toBe(403);
    expect((await download(queued.id, other.keys.ADMIN.headers)).status).toBe(404);
    await expect((await callerFor(other.keys.ADMIN.headers)).exports.get({ id: queued.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await download(queued.id, new Headers())).status).toBe(401);
    const malformed = await download("not-a-uuid", tenant.keys.ANALYST.headers);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { errors: unknown[] }).errors).toEqual([{ path: "id", message: "Invalid UUID" }]);
  });

  it("CSV cells: quoting, and no formula injection", () => {
    expect(csvCell('He said "hi", twice')).toBe('"He said ""hi"", twice"');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("-12.50")).toBe("-12.50");
    expect(csvCell(-0.5)).toBe("-0.5");
    expect(csvCell(null)).toBe("");
  });
});
