import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/server/db/client";
import { stopQueue } from "@/server/jobs/queue";
import { createDetectionRun } from "@/server/services/detection/detection-runs";
import { createTestDriftEvent, createTestEndpoint, createTestRule } from "@/test/alerts-kit";
import { claimLineInput } from "@/test/claim-csv";
import { callerFor, createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";

/**
 * What a client controls on a list, attacked. Crafted and misplaced cursors on every list a client pages through, over both doors (REST and
 * the tRPC door the web app uses): whatever a cursor decodes to — a sort value of the wrong type
 * (0, null, 1e308, Infinity, text, an array, an object), a bad id, garbage, the wrong number of
 * parts — or a real cursor replayed under another ordering, the answer is a 400 naming `cursor`,
 * never a 500 and never a page read with the value applied to another column. Page mode stops
 * at a documented depth (MAX_PAGE_DEPTH rows) with a 400 naming `page`. Claim search matches
 * `%`, `_` and `\` literally.
 */

// Hundreds of requests from one key: the answers must be about the cursor, not a 429.
vi.stubEnv("RATE_LIMIT_OVERRIDES", JSON.stringify({ read: { points: 1_000_000, duration: 60 } }));

let server: TRestServer;
let tenant: TTestTenant;

const LISTS = [
  { rest: "/drift-events", trpc: "driftEvents.list", orderings: ["-lastDetectedAt", "severity", "qValue", "firstDetectedAt"] },
  { rest: "/claims", trpc: "claims.list", orderings: ["-decidedAt", "serviceDate", "-createdAt"] },
  { rest: "/alerts", trpc: "alerts.list", orderings: ["-createdAt", "createdAt"] },
  { rest: "/reports", trpc: "reports.list", orderings: ["-queuedAt", "queuedAt"] },
  { rest: "/uploads", trpc: "uploads.list", orderings: ["-createdAt", "filename"] },
  { rest: "/audit-events", trpc: "auditEvents.list", orderings: ["-occurredAt", "occurredAt"] },
  { rest: "/webhook-deliveries", trpc: "webhookDeliveries.list", orderings: ["-createdAt", "createdAt"] },
] as const;

const ID = "8f14e45f-ceea-467a-9a3b-4f6b2c1d0e9a";
const b64 = (text: string) => Buffer.from(text).toString("base64url");
const cursorOf = (value: unknown) => b64(JSON.stringify(value));

/** The column type behind each ordering field above (timestamps unless named here). */
const NUMBER_FIELDS = ["severity", "qValue"];
const TEXT_FIELDS = ["filename"];

/** Shapes that must all be refused; `ordering` is the one the request uses. */
function craftedCursors(ordering: string): Record<string, string> {
  const field = ordering.replace(/^-/, "");
  const shapes: Record<string, string> = {
    // The format before cursors recorded their ordering: `[sortValue, id]`.
    "bare 0": cursorOf([0, ID]),
    "bare null": cursorOf([null, ID]),
    "bare 1e308": cursorOf([1e308, ID]),
    "bare text": cursorOf(["not a date", ID]),
    "bare date": cursorOf(["2026-01-01T00:00:00.000Z", ID]),
    "value 0": cursorOf([ordering, 0, ID]),
    "value null": cursorOf([ordering, null, ID]),
    "value 1e308": cursorOf([ordering, 1e308, ID]),
    "value Infinity (1e309)": b64(`[${JSON.stringify(ordering)},1e309,"${ID}"]`),
    "value text": cursorOf([ordering, "' OR 1=1 --", ID]),
    "value array": cursorOf([ordering, ["2026-01-01T00:00:00.000Z"], ID]),
    "value object": cursorOf([ordering, { gt: "" }, ID]),
    "value true": cursorOf([ordering, true, ID]),
    "value NUL text": cursorOf([ordering, "a\u0000b", ID]),
    "value impossible date": cursorOf([ordering, "2026-13-45T99:99:99.999Z", ID]),
    "id of dashes": cursorOf([ordering, "2026-01-01T00:00:00.000Z", "-".repeat(36)]),
    "id not a uuid": cursorOf([ordering, "2026-01-01T00:00:00.000Z", "not-a-uuid"]),
    "id a number": cursorOf([ordering, "2026-01-01T00:00:00.000Z", 7]),
    "ordering not text": cursorOf([7, "2026-01-01T00:00:00.000Z", ID]),
    "too few parts": cursorOf([ordering, ID]),
    "too many parts": cursorOf([ordering, "2026-01-01T00:00:00.000Z", ID, "extra"]),
    "an object": cursorOf({ ordering, sortValue: 0, id: ID }),
    "a number": cursorOf(1e308),
    null: cursorOf(null),
    "not JSON": b64("not json at all"),
    "not base64url": "!!!***%%%",
    "base64 with padding and +/": "WzAsIjhmMTRlNDVmLWNlZWEtNDY3YS05YTNiLTRmNmIyYzFkMGU5YSJd+/==",
    "empty JSON array": cursorOf([]),
    "value a date where a number belongs": cursorOf([ordering, "2026-01-01T00:00:00.000Z", ID]),
  };
  // Drop the shapes that are well-formed for this column type (a number for a number column...).
  const valid = NUMBER_FIELDS.includes(field)
    ? ["value 0", "value 1e308"]
    : TEXT_FIELDS.includes(field)
      ? ["value text", "value impossible date", "value a date where a number belongs"]
      : ["value a date where a number belongs"];
  for (const name of valid) delete shapes[name];
  return shapes;
}

interface TAnswer {
  status: number;
  contentType: string | null;
  body: Record<string, unknown>;
  text: string;
}

async function rest(path: string, query: Record<string, string>): Promise<TAnswer> {
  const response = await fetch(`${server.baseUrl}${path}?${new URLSearchParams(query)}`, { headers: tenant.keys.ADMIN.headers });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get("content-type"), body: JSON.parse(text) as Record<string, unknown>, text };
}

async function trpc(procedure: string, input: Record<string, string>): Promise<TAnswer> {
  const url = `${server.origin}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const response = await fetch(url, { headers: tenant.keys.ADMIN.headers });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get("content-type"), body: JSON.parse(text) as Record<string, unknown>, text };
}

function expectCursorProblem(answer: TAnswer, where: string) {
  expect(answer.status, `${where}: ${answer.text.slice(0, 300)}`).toBe(400);
  expect(answer.contentType, where).toBe("application/problem+json");
  expect(answer.body.code, where).toBe("BAD_REQUEST");
  expect(
    (answer.body.errors as { path: string }[]).map((error) => error.path),
    where,
  ).toEqual(["cursor"]);
}

function expectTrpcCursorError(answer: TAnswer, where: string) {
  expect(answer.status, `${where}: ${answer.text.slice(0, 300)}`).toBe(400);
  const error = (answer.body.error as { json: { data: { code: string; errors: { path: string }[] } } }).json;
  expect(error.data.code, where).toBe("BAD_REQUEST");
  expect(
    error.data.errors.map((one) => one.path),
    where,
  ).toEqual(["cursor"]);
}

beforeAll(async () => {
  server = await startRestServer();
  tenant = await createTestTenant();
  const customerId = tenant.customer.id;
  // Two of everything, so each list has a real next page (and so a real cursor) at limit=1.
  for (const n of [1, 2]) {
    const headers = new Headers([...tenant.keys.ANALYST.headers, ["idempotency-key", `cursor-${randomUUID()}`]]);
    await (await callerFor(headers)).ingest.claims({ lines: [claimLineInput({ submitterClaimId: `CUR-${n}-${randomUUID().slice(0, 6)}` })] });
  }
  const payer = await db().payer.findFirstOrThrow({ where: { customerId }, select: { id: true } });
  const rule = await createTestRule(customerId);
  const endpoint = await createTestEndpoint(customerId, "https://93.184.216.34/cursor-test");
  for (const severity of [0.4, 0.8]) {
    const driftEventId = await createTestDriftEvent(customerId, {
      payerId: payer.id,
      severity,
      qValue: severity / 100,
      driftType: severity > 0.5 ? "DENIAL_RATE" : "PAYMENT_AMOUNT",
    });
    await db().alertEvent.create({ data: { customerId, ruleId: rule.id, driftEventId } });
    await db().webhookDelivery.create({
      data: {
        customerId,
        endpointId: endpoint.id,
        messageId: `msg_${randomUUID()}`,
        eventType: "webhook.test",
        payload: { type: "webhook.test" },
        status: "DEAD",
        attemptCount: 5,
      },
    });
  }
  const done = new Date(Date.now() - 60_000);
  await db().detectionRun.create({ data: { customerId, trigger: "MANUAL", status: "SUCCEEDED", queuedAt: done, startedAt: done, finishedAt: done } });
  await createDetectionRun(customerId, "MANUAL");
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  await stopQueue({ graceful: false });
});

describe("crafted cursors are a 400 naming `cursor` on every list, on both doors", () => {
  for (const list of LISTS) {
    it(`${list.rest} (REST) and ${list.trpc} (tRPC)`, async () => {
      for (const ordering of list.orderings) {
        for (const [shape, cursor] of Object.entries(craftedCursors(ordering))) {
          const where = `${list.rest} ordering=${ordering} cursor ${shape}`;
          expectCursorProblem(await rest(list.rest, { ordering, cursor, limit: "1" }), where);
          expectTrpcCursorError(await trpc(list.trpc, { ordering, cursor }), `tRPC ${where}`);
        }
      }
    });
  }
});

describe("a cursor carries its ordering", () => {
  for (const list of LISTS) {
    it(`${list.rest}: a real cursor walks on under its own ordering and is a 400 under any other`, async () => {
      for (const made of list.orderings) {
        const first = await rest(list.rest, { ordering: made, limit: "1" });
        expect(first.status, first.text.slice(0, 300)).toBe(200);
        const cursor = first.body.nextCursor as string;
        expect(cursor, `${list.rest} ${made} has a second page`).toEqual(expect.any(String));
        const next = await rest(list.rest, { ordering: made, limit: "1", cursor });
        expect(next.status, next.text.slice(0, 300)).toBe(200);
        expect((next.body.items as { id: string }[])[0]?.id).not.toBe((first.body.items as { id: string }[])[0]?.id);
        for (const other of list.orderings.filter((ordering) => ordering !== made)) {
          const misused = await rest(list.rest, { ordering: other, limit: "1", cursor });
          expectCursorProblem(misused, `${list.rest} cursor of ${made} used under ${other}`);
          expect((misused.body.errors as { message: string }[])[0]?.message).toContain(`"${made}"`);
          expectTrpcCursorError(await trpc(list.trpc, { ordering: other, cursor }), `tRPC ${list.trpc} cursor of ${made} under ${other}`);
        }
      }
    });
  }

  it("the dashboard's severity-ordered drift list and the explorer's default ordering do not share cursors", async () => {
    const caller = await callerFor(tenant.keys.ADMIN.headers);
    const bySeverity = await caller.driftEvents.active({ limit: 1 });
    expect(bySeverity.nextCursor).toEqual(expect.any(String));
    await expect(caller.driftEvents.list({ limit: 1, cursor: bySeverity.nextCursor! })).rejects.toMatchObject({ message: expect.stringContaining("cursor") });
  });
});

// The depth SECURITY.md and the OpenAPI description of `page` promise.
const MAX_PAGE_DEPTH = 10_000;

describe("page mode stops at a documented depth", () => {
  for (const list of LISTS) {
    it(`${list.rest}: page × pageSize beyond ${MAX_PAGE_DEPTH} rows is a 400 naming page, on both doors`, async () => {
      const deepest = await rest(list.rest, { page: String(MAX_PAGE_DEPTH / 50), pageSize: "50" });
      expect(deepest.status, deepest.text.slice(0, 300)).toBe(200);
      expect(deepest.body.items).toEqual([]);
      for (const query of <Record<string, string>[]>[
        { page: "1000000" },
        { page: String(MAX_PAGE_DEPTH / 50 + 1), pageSize: "50" },
        { page: String(MAX_PAGE_DEPTH / 100 + 1), pageSize: "100" },
        { page: String(MAX_PAGE_DEPTH + 1), pageSize: "1" },
      ]) {
        for (const answer of [await rest(list.rest, query), await trpc(list.trpc, { ...query })]) {
          const where = `${list.rest} ${JSON.stringify(query)}`;
          expect(answer.status, `${where}: ${answer.text.slice(0, 300)}`).toBe(400);
          const errors =
            answer.contentType === "application/problem+json"
              ? answer.body.errors
              : (answer.body.error as { json: { data: { errors: unknown } } }).json.data.errors;
          expect(
            (errors as { path: string }[]).map((error) => error.path),
            where,
          ).toEqual(["page"]);
        }
      }
    });
  }
});

describe("claim search matches %, _ and \\ literally", () => {
  it("a search for 50% finds 50%OFF and not 50XOFF; _ is an underscore; \\ is a backslash", async () => {
    const prefix = `LK${randomUUID().slice(0, 6).toUpperCase()}`;
    const ids = [`${prefix}-50%OFF`, `${prefix}-50XOFF`, `${prefix}_A`, `${prefix}xA`, `${prefix}\\B`, `${prefix}yB`];
    const headers = new Headers([...tenant.keys.ANALYST.headers, ["idempotency-key", `like-${randomUUID()}`]]);
    await (await callerFor(headers)).ingest.claims({ lines: ids.map((submitterClaimId) => claimLineInput({ submitterClaimId })) });
    const found = async (search: string) => {
      const answer = await rest("/claims", { search, limit: "100" });
      expect(answer.status, answer.text.slice(0, 300)).toBe(200);
      return (answer.body.items as { submitterClaimId: string }[]).map((item) => item.submitterClaimId).sort();
    };
    expect(await found(prefix)).toEqual([...ids].sort());
    expect(await found(`${prefix}-50%`)).toEqual([`${prefix}-50%OFF`]);
    expect(await found(`${prefix}_`)).toEqual([`${prefix}_A`]);
    expect(await found(`${prefix}\\`)).toEqual([`${prefix}\\B`]);
    expect(await found(`${prefix}%`)).toEqual([]);
  });
});
