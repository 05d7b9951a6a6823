import { randomUUID } from "node:crypto";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openApiDocument } from "@/server/api/openapi";
import { db } from "@/server/db/client";
import { stopQueue } from "@/server/jobs/queue";
import { createDetectionRun } from "@/server/services/detection/detection-runs";
import { createTestDriftEvent, createTestEndpoint, createTestRule } from "@/test/alerts-kit";
import { callerFor, createTestApiKey, createTestTenant, createTestUser, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";
import { claimLineInput } from "@/test/claim-csv";

/**
 * Property-based fuzzing of the REST façade. For EVERY operation of the OpenAPI
 * document, fast-check generates inputs from the operation's own schemas — valid ones and hostile
 * mutations of them (wrong types, missing and extra fields, huge / empty / unicode strings, SQL
 * and path-traversal text, negative and huge numbers, malformed and forged cursors (every list's
 * `cursor` mostly gets a crafted one: see craftedCursor), random ids
 * and tenant B's ids) — and sends them over real HTTP with tenant A's API keys of every role.
 * For every answer:
 *   - never a 5xx;
 *   - every error is application/problem+json whose requestId matches `x-request-id`;
 *   - nothing of tenant B (marker strings, ids) appears unless the request itself carried it;
 *   - a rejected mutating request changes no row count of A's or B's tenant tables, and no
 *     request of A's ever changes B's.
 * FUZZ_SEED fixes the seed (default 8008); FUZZ_RUNS sets the runs per operation (default 16).
 */

const SEED = Number(process.env.FUZZ_SEED ?? 8008);
const RUNS = Number(process.env.FUZZ_RUNS ?? 16);

// Thousands of request lines would drown the report; errors (unhandled ones) still print.
const previousLogLevel = vi.hoisted(() => {
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = "error";
  return previous;
});

// Fuzzing is a flood by design: lift the budgets so answers are about the input, not 429s.
vi.stubEnv(
  "RATE_LIMIT_OVERRIDES",
  JSON.stringify(Object.fromEntries(["read", "write", "runTrigger", "bulk", "upload"].map((kind) => [kind, { points: 1_000_000, duration: 60 }]))),
);

type TSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, TSchema>;
  required?: string[];
  items?: TSchema;
  anyOf?: TSchema[];
  oneOf?: TSchema[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
};

interface TParameter {
  name: string;
  in: "query" | "path" | "header";
  required?: boolean;
  schema: TSchema;
}

interface TOperation {
  key: string;
  method: string;
  path: string;
  parameters: TParameter[];
  bodySchema: TSchema | null;
  contentTypes: string[];
}

function operationsOfDocument(): TOperation[] {
  const operations: TOperation[] = [];
  const paths = (openApiDocument().paths ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const content = ((operation.requestBody as { content?: Record<string, { schema?: TSchema }> } | undefined)?.content ?? {}) as Record<
        string,
        { schema?: TSchema }
      >;
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters ?? []) as TParameter[],
        bodySchema: content["application/json"]?.schema ?? null,
        contentTypes: Object.keys(content),
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------------------------------------
// Fixture: tenant A (the callers) and tenant B (marked data that must never show up for A).

const MARK = `ZQXB${randomUUID().slice(0, 6).toUpperCase()}`;

interface TSide {
  tenant: TTestTenant;
  /** Object ids per REST resource (first path segment), for `{id}` and id-valued fields. */
  ids: Record<string, string[]>;
}

let a: TSide;
let b: TSide;
let server: TRestServer;
let counter: pg.Client;
let tenantTables: string[] = [];

const claimLine = (submitterClaimId: string, payerName: string, extra: Parameters<typeof claimLineInput>[0] = {}) =>
  claimLineInput({ submitterClaimId, payerName, ...extra });

/** Real objects of every kind in one tenant; `mark` goes into every free-text field. */
async function seedSide(mark: string): Promise<TSide> {
  const tenant = await createTestTenant();
  const customerId = tenant.customer.id;
  const ingestHeaders = new Headers([...tenant.keys.ANALYST.headers, ["idempotency-key", `fuzz-${randomUUID()}`]]);
  const ingested = await (
    await callerFor(ingestHeaders)
  ).ingest.claims({
    lines: [claimLine(`${mark}-CLM-1`, `${mark} Mutual`, { payerClaimNumber: `${mark}-PCN`, patientAccount: `${mark}-PAT` })],
  });
  const claim = await db().claimLine.findFirstOrThrow({ where: { uploadId: ingested.upload.id }, select: { id: true, payerId: true } });
  const driftEventId = await createTestDriftEvent(customerId, { payerId: claim.payerId });
  const rule = await createTestRule(customerId, { name: `${mark} rule` });
  await db().alertRule.update({ where: { id: rule.id }, data: { enabled: false } });
  const alert = await db().alertEvent.create({ data: { customerId, ruleId: rule.id, driftEventId }, select: { id: true } });
  const endpoint = await createTestEndpoint(customerId, "https://93.184.216.34/driftline-fuzz");
  await db().webhookEndpoint.update({ where: { id: endpoint.id }, data: { description: `${mark} endpoint`, enabled: false } });
  const delivery = await db().webhookDelivery.create({
    data: {
      customerId,
      endpointId: endpoint.id,
      messageId: `msg_${randomUUID()}`,
      eventType: "webhook.test",
      payload: { type: "webhook.test", mark },
      status: "DEAD",
      attemptCount: 5,
    },
    select: { id: true },
  });
  const exported = await db().export.create({
    data: {
      customerId,
      kind: "DRIFT_EVENTS",
      status: "SUCCEEDED",
      params: {},
      progress: 1,
      rowCount: 1,
      content: `payer\r\n${mark} Mutual\r\n`,
      startedAt: new Date(),
      finishedAt: new Date(),
    },
    select: { id: true },
  });
  const payerMapping = await db().payerMapping.create({
    data: { customerId, rawName: `${mark} raw`, normalizedName: `${mark.toLowerCase()} raw`, payerId: claim.payerId },
    select: { id: true },
  });
  const cptMapping = await db().cptMapping.create({
    data: { customerId, cptCode: `${mark.slice(-4, -3).replace(/[^A-Z]/, "Q")}${String(Math.floor(Math.random() * 9000) + 1000)}`, groupCode: "OTHER" },
    select: { id: true },
  });
  const member = await createTestUser({ customerId, role: "VIEWER", email: `${mark.toLowerCase()}-${randomUUID().slice(0, 6)}@example.test` });
  const spareKey = await createTestApiKey(customerId, "VIEWER", { name: `${mark} spare key` });
  // A run in progress: triggers return it and queue nothing (no worker writes behind our back).
  const run = await createDetectionRun(customerId, "MANUAL");
  return {
    tenant,
    ids: {
      uploads: [ingested.upload.id],
      claims: [claim.id],
      "drift-events": [driftEventId],
      "alert-rules": [rule.id],
      alerts: [alert.id],
      "webhook-endpoints": [endpoint.id],
      "webhook-deliveries": [delivery.id],
      exports: [exported.id],
      "payer-mappings": [payerMapping.id],
      "cpt-mappings": [cptMapping.id],
      users: [member.id],
      "api-keys": [spareKey.id],
      reports: [run.run.id],
      payers: [claim.payerId],
    },
  };
}

/** Everything of B's that must never reach A: ids of every object, member, key and the tenant. */
function secretsOf(side: TSide): string[] {
  return [
    MARK,
    MARK.toLowerCase(),
    side.tenant.customer.id,
    side.tenant.customer.slug,
    ...Object.values(side.ids).flat(),
    ...Object.values(side.tenant.members).flatMap((member) => [member.id, member.email]),
    ...Object.values(side.tenant.keys).flatMap((key) => [key.id, key.prefix]),
  ];
}

async function rowCounts(customerId: string): Promise<Record<string, number>> {
  const sql = tenantTables.map((table) => `SELECT '${table}' AS t, count(*)::int AS n FROM ${table} WHERE customer_id = $1`).join(" UNION ALL ");
  const { rows } = await counter.query<{ t: string; n: number }>(sql, [customerId]);
  return Object.fromEntries(rows.map((row) => [row.t, row.n]));
}

function diff(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys(before)
    .filter((table) => before[table] !== after[table])
    .map((table) => `${table} ${before[table]} -> ${after[table]}`);
}

/**
 * The one write a rejected request is meant to make (PRODUCT.md §2): a rejected upload or JSON
 * batch keeps its REJECTED upload record with the row errors, and that upload is audited. No
 * claim line is ever written.
 */
const RECORDS_REJECTIONS = new Set(["POST /uploads", "POST /ingest/claims"]);
async function documentedRejectionRecord(operation: TOperation, status: number, before: Record<string, number>, after: Record<string, number>, change: string) {
  if (!RECORDS_REJECTIONS.has(operation.key) || status !== 400 || before.claim_lines !== after.claim_lines) return false;
  const table = change.split(" ")[0];
  if (table === "audit_events") return after.audit_events! - before.audit_events! <= after.uploads! - before.uploads!;
  if (table !== "uploads" || after.uploads! - before.uploads! !== 1) return false;
  const { rows } = await counter.query<{ status: string }>("SELECT status::text FROM uploads WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 1", [
    a.tenant.customer.id,
  ]);
  return rows[0]?.status === "REJECTED";
}

// ---------------------------------------------------------------------------------------------
// Generators.

function allIds(side: TSide): string[] {
  return Object.values(side.ids).flat();
}

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * Cursors an attacker forges: base64url JSON of the cursor's own shape `[ordering, sortValue, id]`
 * (and the older `[sortValue, id]`, and other shapes) with sort values of every type — numbers
 * where a timestamp belongs, null, 1e308, Infinity, arrays, objects, NUL text — orderings of this
 * list and of others, and ids that are A's, B's, random or not ids at all.
 */
function craftedCursor(): fc.Arbitrary<string> {
  const ordering = fc.constantFrom(
    "-createdAt",
    "createdAt",
    "-lastDetectedAt",
    "severity",
    "-qValue",
    "-decidedAt",
    "serviceDate",
    "-occurredAt",
    "-queuedAt",
    "filename",
    "name",
    "-url",
    "x",
    "",
  );
  const sortValue = fc.oneof(
    fc.constantFrom<unknown>(
      0,
      -0,
      null,
      1e308,
      -1e308,
      5e-324,
      true,
      [],
      {},
      ["2026-01-01T00:00:00.000Z"],
      { gt: "" },
      "not a date",
      "a\u0000b",
      "2026-13-45T99:99:99.999Z",
    ),
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    fc.double(),
    fc.string({ maxLength: 40 }),
  );
  const id = fc.oneof(fc.constantFrom<unknown>(...allIds(a), ...allIds(b), "-".repeat(36), "not-a-uuid", 7, null), fc.uuid());
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(ordering, sortValue, id).map((parts) => cursorOf(parts)) },
    { weight: 2, arbitrary: fc.tuple(sortValue, id).map((parts) => cursorOf(parts)) },
    {
      weight: 1,
      arbitrary: fc.tuple(ordering, id).map(([order, one]) => Buffer.from(`[${JSON.stringify(order)},1e309,${JSON.stringify(one)}]`).toString("base64url")),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => cursorOf(value)) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }).map((text) => Buffer.from(text).toString("base64url")) },
  );
}

/** Text and values an attacker or a broken client sends. */
function hostileValue(): fc.Arbitrary<unknown> {
  const texts = fc.constantFrom(
    "",
    " ",
    "null",
    "'; DROP TABLE claim_lines; --",
    "' OR '1'='1",
    "1) UNION SELECT password_hash FROM users --",
    "%' OR customer_id IS NOT NULL --",
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "..\\..\\windows\\win.ini",
    "\u0000",
    "a\u0000b",
    "😀🔥💥",
    "ünïcödé ÅÄÖ 漢字 عربى",
    "\u202eevil\u202c",
    "\ud800",
    "<script>alert(1)</script>",
    "${jndi:ldap://127.0.0.1/x}",
    "{{7*7}}",
    "-1",
    "-0",
    "1e309",
    "NaN",
    "Infinity",
    "0x10",
    "9".repeat(400),
    "true",
    "[]",
    "{}",
    "%",
    "_",
    "\\",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "not-a-uuid",
    "!!!not-base64!!!",
    cursorOf(["x", "' OR 1=1 --"]),
    cursorOf({ sortValue: 1 }),
    cursorOf([null]),
    cursorOf([1e308, "00000000-0000-0000-0000-000000000000"]),
    Buffer.from("not json").toString("base64url"),
    "-createdAt",
    "-password_hash",
    "customer_id",
  );
  return fc.oneof(
    { weight: 5, arbitrary: texts },
    { weight: 1, arbitrary: fc.constantFrom(...allIds(b)) },
    { weight: 1, arbitrary: fc.constantFrom(...allIds(b)).map((id) => cursorOf(["2026-01-01T00:00:00.000Z", id])) },
    { weight: 1, arbitrary: fc.constantFrom(...allIds(b)).map((id) => cursorOf([0, id])) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
    { weight: 1, arbitrary: fc.constantFrom(2_000, 70_000).map((n) => "A".repeat(n)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(-1, 0, -2_147_483_649, 2_147_483_648, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e308, -1e308, 0.5, 1e-320),
    },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.constantFrom(null, true, false) },
    { weight: 1, arbitrary: fc.constantFrom([], [1, 2], {}, { $gt: "" }, { not: null }, [{}]) },
  );
}

function regexArb(pattern: string, fallback: fc.Arbitrary<string>): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(new RegExp(pattern, "u")).filter((text) => text.length <= 200);
  } catch {
    return fallback;
  }
}

/** An arbitrary for values the schema accepts (or nearly: formats are not all exact). */
function fromSchema(schema: TSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.anyOf ?? schema.oneOf) return fc.oneof(...(schema.anyOf ?? schema.oneOf)!.map((one) => fromSchema(one, depth)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (type.length > 1) return fc.oneof(...type.map((one) => fromSchema({ ...schema, type: one }, depth)));
  switch (type[0]) {
    case "string": {
      if (schema.format === "uuid") return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...allIds(a)) }, { weight: 1, arbitrary: fc.uuid() });
      if (schema.format === "date")
        return fc.date({ min: new Date("2020-01-01"), max: new Date("2030-12-31"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (schema.format === "date-time")
        return fc.date({ min: new Date("2020-01-01"), max: new Date("2030-12-31"), noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.format === "email") return fc.stringMatching(/^[a-z]{1,10}$/).map((local) => `fuzz-${local}@example.test`);
      if (schema.format === "uri")
        return fc.constantFrom("https://93.184.216.34/hook", "https://example.com/hook", "http://127.0.0.1/x", "https://169.254.169.254/latest/meta-data");
      const min = schema.minLength ?? 0;
      const plain = fc.string({ minLength: min, maxLength: Math.max(min, Math.min(schema.maxLength ?? 40, 40)) });
      return schema.pattern ? regexArb(schema.pattern, plain) : plain;
    }
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
    case "number":
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000, noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      if (depth > 3 || !schema.items) return fc.constant([]);
      const min = schema.minItems ?? 0;
      return fc.array(fromSchema(schema.items, depth + 1), { minLength: min, maxLength: Math.max(min, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case "object": {
      if (depth > 3) return fc.constant({});
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, fromSchema(sub, depth + 1)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) });
    }
    default:
      return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean());
  }
}

/** A valid body, mutated (or not) the ways a hostile or broken client would. */
function bodyArb(schema: TSchema): fc.Arbitrary<{ kind: string; value: unknown }> {
  const valid = fromSchema(schema);
  const properties = Object.keys(schema.properties ?? {});
  const required = schema.required ?? [];
  const mutations: fc.Arbitrary<{ kind: string; value: unknown }>[] = [
    valid.map((value) => ({ kind: "valid", value })),
    valid.map((value) => ({ kind: "valid", value })),
    fc
      .tuple(valid, fc.string({ minLength: 1, maxLength: 12 }), hostileValue())
      .map(([value, name, junk]) => ({ kind: "extra field", value: { ...(value as object), [`x_${name}`]: junk } })),
    hostileValue().map((value) => ({ kind: "whole body replaced", value })),
  ];
  if (properties.length > 0) {
    mutations.push(
      fc
        .tuple(valid, fc.constantFrom(...properties), hostileValue())
        .map(([value, name, junk]) => ({ kind: `field ${name} hostile`, value: { ...(value as object), [name]: junk } })),
    );
  }
  if (required.length > 0) {
    mutations.push(
      fc.tuple(valid, fc.constantFrom(...required)).map(([value, name]) => {
        const copy = { ...(value as Record<string, unknown>) };
        delete copy[name];
        return { kind: `missing ${name}`, value: copy };
      }),
    );
  }
  return fc.oneof(...mutations);
}

interface TCase {
  role: "VIEWER" | "ANALYST" | "ADMIN" | "anonymous" | "garbage";
  pathId: string;
  query: Record<string, unknown>;
  body: { kind: string; value: unknown } | null;
  rawBody: "json" | "malformed" | "huge" | "wrong-type";
  idempotencyKey: string | null;
  requestId: string | null;
}

function resourceOf(path: string): string {
  return path.split("/")[1] ?? "";
}

function caseArb(operation: TOperation): fc.Arbitrary<TCase> {
  const resource = resourceOf(operation.path);
  const ownIds = a.ids[resource] ?? allIds(a);
  const foreignIds = b.ids[resource] ?? allIds(b);
  const pathId = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ownIds) },
    { weight: 3, arbitrary: fc.constantFrom(...foreignIds) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: hostileValue().map((value) => (typeof value === "string" && value !== "" ? value : String(JSON.stringify(value)))) },
  );
  const queryParams = operation.parameters.filter((parameter) => parameter.in === "query");
  const query = fc.record(
    Object.fromEntries(
      queryParams.map((parameter) => [
        parameter.name,
        parameter.name === "cursor"
          ? fc.oneof(
              { weight: 1, arbitrary: fromSchema(parameter.schema) },
              { weight: 4, arbitrary: craftedCursor() },
              { weight: 1, arbitrary: hostileValue() },
            )
          : fc.oneof({ weight: 3, arbitrary: fromSchema(parameter.schema) }, { weight: 1, arbitrary: hostileValue() }),
      ]),
    ),
    { requiredKeys: [] },
  );
  const withExtra = fc
    .tuple(query, fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), hostileValue()), { freq: 4 }))
    .map(([values, extra]) => (extra ? { ...values, [`x${extra[0]}`]: extra[1] } : values));
  // With every query parameter drawn at once, nearly every case is refused for some other
  // parameter before the cursor is read; a quarter of a list's cases send a forged cursor alone.
  const listQuery = queryParams.some((parameter) => parameter.name === "cursor")
    ? fc.oneof({ weight: 3, arbitrary: withExtra }, { weight: 1, arbitrary: craftedCursor().map((cursor) => ({ cursor })) })
    : withExtra;
  const sendsBody = operation.method !== "GET" && operation.method !== "DELETE";
  return fc.record({
    role: fc.constantFrom<TCase["role"]>("VIEWER", "ANALYST", "ADMIN", "ADMIN", "ANALYST", "anonymous", "garbage"),
    pathId,
    query: listQuery,
    body: sendsBody ? bodyArb(operation.bodySchema ?? { type: "object", properties: {} }).map((body) => body as TCase["body"]) : fc.constant(null),
    rawBody: fc.constantFrom<TCase["rawBody"]>("json", "json", "json", "json", "json", "json", "malformed", "huge", "wrong-type"),
    idempotencyKey: fc.oneof(fc.constant(null), fc.uuid(), fc.constantFrom("", " ", "x".repeat(300), "'; --", "caf\u00e9")),
    requestId: fc.oneof(fc.constant(null), fc.constantFrom("short", "well-formed-request-id-123", "<script>", "x".repeat(200))),
  });
}

function queryValue(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
}

/**
 * A path segment as a client library would encode it: a lone surrogate becomes U+FFFD (as the
 * WHATWG URL encoder does). Malformed percent-escapes in the path never reach the application:
 * Next.js's router answers them with its own 400 before any route handler runs.
 */
function encodeSegment(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"));
}

function buildRequest(operation: TOperation, testCase: TCase): { url: string; init: RequestInit; sent: string } {
  // Node's HTTP server (as under `next start`) refuses request lines over 16 KB with a bare 431
  // before any application code runs; ids and query values stay under that.
  let path = operation.path.replace(/\{(\w+)\}/g, () => encodeSegment(testCase.pathId.slice(0, 2000)));
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(testCase.query)) search.set(name, queryValue(value).slice(0, 2000));
  if ([...search].length > 0) path += `?${search}`;
  const headers = new Headers();
  if (testCase.role === "garbage") headers.set("authorization", "Bearer dl_live_garbage' OR 1=1 --");
  else if (testCase.role !== "anonymous") headers.set("authorization", `Bearer ${a.tenant.keys[testCase.role].key}`);
  if (testCase.idempotencyKey !== null) headers.set("idempotency-key", testCase.idempotencyKey);
  if (testCase.requestId !== null) headers.set("x-request-id", testCase.requestId);
  let body: string | undefined;
  if (testCase.body) {
    const isUpload = operation.bodySchema === null && operation.contentTypes.length > 0;
    if (testCase.rawBody === "huge") body = JSON.stringify({ lines: [], pad: "A".repeat(1024 * 1024 + 10) });
    else if (testCase.rawBody === "malformed") body = '{"lines": [ {"submitterClaimId": "x",, }';
    else if (isUpload) {
      const csvHead = "submitterClaimId,lineNumber,payerName,cptCode,units,serviceDate,submittedAt,decidedAt,billedAmount,outcome\n";
      body = `${csvHead}${queryValue(testCase.body.value).replace(/\n/g, " ")},1,Fuzz Payer,99213,1,2026-01-05,2026-01-06,2026-01-20,120.00,PAID\n`;
    } else body = JSON.stringify(testCase.body.value) ?? "null";
    const isJson = !isUpload;
    const contentType =
      testCase.rawBody === "wrong-type"
        ? "text/plain"
        : isJson
          ? "application/json"
          : (operation.contentTypes.find((type) => type === "text/csv") ?? "text/csv");
    headers.set("content-type", contentType);
  }
  return { url: `${server.baseUrl}${path}`, init: { method: operation.method, headers, body }, sent: `${path} ${body?.slice(0, 100_000) ?? ""}` };
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  server = await startRestServer();
  [a, b] = await Promise.all([seedSide(`FUZZA${randomUUID().slice(0, 4)}`), seedSide(MARK)]);
  counter = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await counter.connect();
  const { rows } = await counter.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'customer_id'
       AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE')
     ORDER BY table_name`,
  );
  // Delivery attempts are written by webhook workers of other test files that share this
  // database; they are not a consequence of the request under test.
  tenantTables = rows.map((row) => row.table_name).filter((table) => table !== "webhook_delivery_attempts");
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  if (previousLogLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = previousLogLevel;
  await counter?.end();
  await server?.close();
  await stopQueue({ graceful: false });
});

describe("REST façade fuzzing (fast-check)", () => {
  it("covers every operation of the OpenAPI document", () => {
    expect(operationsOfDocument().length).toBeGreaterThan(50);
    expect(tenantTables).toEqual(expect.arrayContaining(["claim_lines", "audit_events", "uploads", "alert_events"]));
  });

  it(`never 5xx, always problem+json, never B's data, no write on rejection (seed ${SEED}, ${RUNS} runs per operation)`, { timeout: 600_000 }, async () => {
    const failures: string[] = [];
    const secrets = secretsOf(b);
    let cases = 0;
    const statuses: Record<string, number> = {};
    const operations = operationsOfDocument();
    for (const [index, operation] of operations.entries()) {
      const before = failures.length;
      await fc
        .assert(
          fc.asyncProperty(caseArb(operation), async (testCase) => {
            cases += 1;
            const { url, init, sent } = buildRequest(operation, testCase);
            const mutating = operation.method !== "GET";
            const [beforeA, beforeB] = mutating ? await Promise.all([rowCounts(a.tenant.customer.id), rowCounts(b.tenant.customer.id)]) : [null, null];
            const response = await fetch(url, init);
            const text = await response.text();
            statuses[response.status] = (statuses[response.status] ?? 0) + 1;
            const where = `${operation.key} [${testCase.role}, ${testCase.body?.kind ?? "no body"}, ${testCase.rawBody}] ${sent.slice(0, 300)}`;
            const problems: string[] = [];
            if (response.status >= 500) problems.push(`${response.status}: ${text.slice(0, 300)}`);
            const requestId = response.headers.get("x-request-id");
            if (!requestId) problems.push("no x-request-id");
            if (response.status >= 400) {
              const type = response.headers.get("content-type");
              if (type !== "application/problem+json") problems.push(`error ${response.status} as ${type}: ${text.slice(0, 200)}`);
              else {
                const body = JSON.parse(text) as Record<string, unknown>;
                if (!body.requestId || body.requestId !== requestId) problems.push(`problem requestId ${String(body.requestId)} vs header ${requestId}`);
                if (body.status !== response.status) problems.push(`problem.status ${String(body.status)}`);
                if (typeof body.code !== "string" || !Array.isArray(body.errors)) problems.push("problem without code/errors");
                if (/\bat .+:\d+:\d+\)?/.test(text) || /prisma|SELECT |node_modules/i.test(String(body.detail)))
                  problems.push(`internals in problem: ${text.slice(0, 200)}`);
              }
            }
            const leaked = secrets.filter((secret) => text.includes(secret) && !sent.includes(secret) && !decodeURIComponent(sent).includes(secret));
            if (leaked.length > 0) problems.push(`answer carries B's data: ${leaked.join(", ")}: ${text.slice(0, 300)}`);
            if (mutating) {
              const [afterA, afterB] = await Promise.all([rowCounts(a.tenant.customer.id), rowCounts(b.tenant.customer.id)]);
              const changedB = diff(beforeB!, afterB);
              if (changedB.length > 0) problems.push(`B's rows changed: ${changedB.join(", ")}`);
              if (response.status >= 400) {
                const changedA: string[] = [];
                for (const change of diff(beforeA!, afterA)) {
                  if (!(await documentedRejectionRecord(operation, response.status, beforeA!, afterA, change))) changedA.push(change);
                }
                if (changedA.length > 0) problems.push(`rejected (${response.status}) but A's rows changed: ${changedA.join(", ")}`);
              }
            }
            if (problems.length > 0) {
              failures.push(`${where}\n    ${problems.join("\n    ")}`);
              return false;
            }
            return true;
          }),
          { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
        )
        .catch((error: unknown) => {
          // A failing case was recorded above; anything else (generator trouble) is a failure too.
          if (failures.length === before) failures.push(`${operation.key}: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}`);
        });
    }
    console.log(`REST fuzz: ${cases} cases over ${operations.length} operations (seed ${SEED}, ${RUNS} runs each); statuses ${JSON.stringify(statuses)}`);
    expect(failures).toEqual([]);
  });
});
