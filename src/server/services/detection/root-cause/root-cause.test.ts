import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { stopQueue } from "@/server/jobs/queue";
import { callerFor, createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";
import { computeWindows, dateOf } from "../compute-windows";
import { runDetection } from "../run-detection";

/**
 * Root cause end to end: claim lines planted with SQL in a real database, a real detection run
 * (aggregate, statistics, root-cause query, locked write), then the event read back through
 * tRPC and the REST door. Two cells of one tenant:
 *   - Atlas Health: CO-197 denials (with RARC N54) jump from 1 % to 24 % of lines on CHANGE,
 *     four days into the current window; CO-50 stays at 9 %.
 *   - Birch Mutual: the procedure mix shifts on CHANGE — 99215 (denied 40 % of the time, the
 *     other codes 5 %) goes from 10 % to 60 % of lines; denials cite five CARCs evenly.
 * Pseudo-random draws come from hashtext over the line's coordinates: the same lines every run.
 */

const AS_OF = "2026-11-27";
const WINDOWS = computeWindows(AS_OF, { baselineDays: 90, currentDays: 14 });
const CHANGE = "2026-11-17";
const PER_DAY = 30;
const DAY_MS = 86_400_000;
const daysBetween = (a: string, b: string) => Math.abs(dateOf(a).getTime() - dateOf(b).getTime()) / DAY_MS;

let server: TRestServer;
let tenant: TTestTenant;
const payers = {} as Record<"atlas" | "birch", string>;

async function plant(customerId: string) {
  const client = db();
  for (const [key, name] of [
    ["atlas", "Atlas Health"],
    ["birch", "Birch Mutual"],
  ] as const) {
    const payer = await client.payer.create({ data: { customerId, name }, select: { id: true } });
    payers[key] = payer.id;
    await client.payerMapping.create({ data: { customerId, rawName: name, normalizedName: name.toLowerCase(), payerId: payer.id } });
  }
  const [upload] = await client.$queryRaw<Array<{ id: string }>>`
    INSERT INTO uploads (customer_id, filename, format, size_bytes, content_hash, status, row_count, applied_count, completed_at)
    VALUES (${customerId}::uuid, 'root-cause.csv', 'CSV', 0, gen_random_uuid()::text, 'APPLIED', 0, 0, now()) RETURNING id`;
  // u(tag) = a uniform draw in [0, 1) per line and purpose.
  await client.$executeRaw`
    WITH days AS (
      SELECT d::date AS day FROM generate_series(${WINDOWS.baselineStart}::date, ${WINDOWS.currentEnd}::date, interval '1 day') d
    ),
    draws AS (
      SELECT m.payer_id, m.id AS mapping_id, p.name, days.day, i,
             (abs(hashtext(p.name || days.day || '-' || i || 'a')) % 10000) / 10000.0 AS u1,
             (abs(hashtext(p.name || days.day || '-' || i || 'b')) % 10000) / 10000.0 AS u2,
             (abs(hashtext(p.name || days.day || '-' || i || 'c')) % 10000) / 10000.0 AS u3,
             days.day >= ${CHANGE}::date AS changed
      FROM payer_mappings m JOIN payers p ON p.id = m.payer_id
      CROSS JOIN days CROSS JOIN generate_series(1, ${PER_DAY}::int) i
      WHERE m.customer_id = ${customerId}::uuid
    ),
    lines AS (
      SELECT *,
        CASE WHEN name = 'Atlas Health' THEN (ARRAY['99213', '99214', '99215'])[1 + i % 3]
             WHEN u2 < CASE WHEN changed THEN 0.6 ELSE 0.1 END THEN '99215'
             ELSE (ARRAY['99213', '99214'])[1 + i % 2] END AS cpt
      FROM draws
    ),
    outcomes AS (
      SELECT *,
        CASE WHEN name = 'Atlas Health' THEN
               CASE WHEN u1 < CASE WHEN changed THEN 0.24 ELSE 0.01 END THEN 'CO-197'
                    WHEN u1 < CASE WHEN changed THEN 0.33 ELSE 0.10 END THEN 'CO-50' END
             WHEN u3 < CASE WHEN cpt = '99215' THEN 0.4 ELSE 0.05 END THEN
               (ARRAY['CO-50', 'CO-16', 'CO-4', 'CO-11', 'CO-97'])[1 + floor(u1 * 5)::int]
        END AS carc
      FROM lines
    )
    INSERT INTO claim_lines (customer_id, upload_id, submitter_claim_id, line_number, payer_id, payer_mapping_id, cpt_code, cpt_group,
      service_date, submitted_at, decided_at, billed_amount, allowed_amount, paid_amount, outcome, denial_group, denial_code, remark_codes)
    SELECT ${customerId}::uuid, ${upload!.id}::uuid, 'RC-' || payer_id || '-' || day || '-' || i, 1, payer_id, mapping_id, cpt, 'EM',
      day - 14, day - 12, day, 200, CASE WHEN carc IS NULL THEN 100 END, CASE WHEN carc IS NULL THEN 100 ELSE 0 END,
      (CASE WHEN carc IS NULL THEN 'PAID' ELSE 'DENIED' END)::claim_outcome,
      split_part(carc, '-', 1), split_part(carc, '-', 2),
      CASE WHEN carc = 'CO-197' THEN ARRAY['N54'] ELSE ARRAY[]::text[] END
    FROM outcomes`;
}

async function eventOf(payerId: string) {
  const event = await db().driftEvent.findFirst({
    where: { customerId: tenant.customer.id, payerId, driftType: "DENIAL_RATE", status: "ACTIVE" },
    select: { id: true },
  });
  if (!event) throw new Error("no DENIAL_RATE event for the planted cell");
  return (await callerFor(tenant.keys.VIEWER.headers)).driftEvents.get({ id: event.id });
}

beforeAll(async () => {
  server = await startRestServer();
  tenant = await createTestTenant();
  await plant(tenant.customer.id);
  await runDetection(tenant.customer.id, { asOf: AS_OF });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await stopQueue({ graceful: false });
});

describe("root cause of a detected drift", () => {
  it("names the planted CARC first, with its RARC, and dates the change within three days", async () => {
    const event = await eventOf(payers.atlas);
    const cause = event.rootCause!;
    expect(cause).not.toBeNull();
    expect(cause.denialReasons.carcs[0]).toMatchObject({ group: "CO", code: "197", dominant: true });
    expect(cause.denialReasons.carcs[0]!.baselineShare).toBeLessThan(0.02);
    expect(cause.denialReasons.carcs[0]!.currentShare).toBeGreaterThan(0.15);
    expect(cause.denialReasons.rarcs[0]).toMatchObject({ code: "N54" });
    expect(cause.dominant).toMatchObject({ kind: "CARC", code: "CO-197" });
    // The detector's own numbers and the root cause's agree: they read the same lines.
    expect(cause.baselineValue).toBeCloseTo(event.baselineValue, 12);
    expect(cause.currentValue).toBeCloseTo(event.currentValue, 12);
    expect(cause.changeDate).not.toBeNull();
    expect(daysBetween(cause.changeDate!.date, CHANGE)).toBeLessThanOrEqual(3);
    expect(cause.changeDate!.low <= cause.changeDate!.date && cause.changeDate!.date <= cause.changeDate!.high).toBe(true);
    expect(cause.procedures.map((p) => p.cptCode).sort()).toEqual(["99213", "99214", "99215"]);
    expect(cause.procedures.some((p) => p.dominant)).toBe(false);
  });

  it("names the procedure behind a planted procedure-mix shift", async () => {
    const cause = (await eventOf(payers.birch)).rootCause!;
    expect(cause.procedures[0]).toMatchObject({ cptCode: "99215", dominant: true });
    expect(cause.procedures[0]!.mixEffect).toBeGreaterThan(cause.procedures[0]!.rateEffect);
    expect(cause.dominant).toMatchObject({ kind: "PROCEDURE", code: "99215" });
    expect(daysBetween(cause.changeDate!.date, CHANGE)).toBeLessThanOrEqual(3);
  });

  it("an event without one, or with one stored in an older shape, reads as null, not as a wrong answer", async () => {
    const { id } = await eventOf(payers.birch);
    const caller = await callerFor(tenant.keys.VIEWER.headers);
    await db().$executeRaw`UPDATE drift_events SET root_cause = '{"carcs": []}'::jsonb WHERE id = ${id}::uuid`;
    expect((await caller.driftEvents.get({ id })).rootCause).toBeNull();
    await db().$executeRaw`UPDATE drift_events SET root_cause = NULL WHERE id = ${id}::uuid`;
    expect((await caller.driftEvents.get({ id })).rootCause).toBeNull();
  });

  it("comes with the single event over REST, never with lists", async () => {
    const { id } = await eventOf(payers.atlas);
    const one = await fetch(`${server.baseUrl}/drift-events/${id}`, { headers: tenant.keys.VIEWER.headers });
    expect(one.status).toBe(200);
    const body = (await one.json()) as { rootCause: { dominant: { code: string } } | null };
    expect(body.rootCause?.dominant.code).toBe("CO-197");
    const list = await fetch(`${server.baseUrl}/drift-events?limit=50`, { headers: tenant.keys.VIEWER.headers });
    const page = (await list.json()) as { items: Array<Record<string, unknown>> };
    expect(page.items.length).toBeGreaterThan(0);
    for (const item of page.items) expect(item).not.toHaveProperty("rootCause");
  });
});
