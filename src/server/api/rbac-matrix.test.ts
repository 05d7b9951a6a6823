import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { stopQueue } from "@/server/jobs/queue";
import { resetRateLimit } from "@/server/lib/rate-limit";
import { createDetectionRun } from "@/server/services/detection/detection-runs";
import { createInvitation } from "@/server/services/users/manage-invitations";
import { issuePasswordReset } from "@/server/services/users/reset-passwords";
import { createTestDriftEvent, createTestEndpoint, createTestPayer, createTestRule } from "@/test/alerts-kit";
import {
  callerFor,
  createTestApiKey,
  createTestCustomer,
  createTestSession,
  createTestSuperuser,
  createTestTenant,
  createTestUser,
  startRestServer,
  uniqueSuffix,
  type TRestServer,
  type TTestRole,
  type TTestSession,
  type TTestTenant,
  type TTestUser,
} from "@/test/factories";
import { openApiDocument } from "./openapi";
import { appRouter } from "./root";
import { claimLineInput } from "@/test/claim-csv";

/**
 * The RBAC matrix: every procedure of `appRouter` and every REST operation of the OpenAPI
 * document, called by every kind of caller, against a DECLARED expectation. A procedure or REST
 * operation missing from the tables below fails the test, so nothing new ships unguarded.
 *
 * Callers: anonymous; VIEWER / ANALYST / ADMIN of tenant A by web session and by API key; the
 * ADMIN of tenant B (session and key) acting on A's objects; a superuser; a superuser switched
 * into A.
 *
 * Decisions (documented here because the matrix enforces them):
 * - A superuser who is nobody's member and has not switched has no tenant: every tenant
 *   procedure is 403 for them ("not a member of any customer"). Superuser procedures work.
 * - After the audited `customers.switch` into A, a superuser acts in A as its ADMIN (viaSwitch),
 *   so every tenant procedure is allowed, exactly as for A's ADMIN.
 * - API keys are never superusers: superuser procedures are 403 for every key.
 * - B's ADMIN is allowed the non-id procedures (they act on B, and the answer must never carry
 *   A's data) and gets 404 — not 403 — for an id of A's (a foreign id looks missing).
 * - `customers.switch` is tRPC-only (web sessions); it has no REST operation.
 * - REST operations served by route handlers (POST /uploads, GET /exports/{id}/download) are
 *   declared with how to call them; they need not be procedures.
 * - Test API keys are created by their tenant's ADMIN: alert feedback is credited to a person,
 *   so a key nobody created is refused there (403) by design.
 * - Tenant-wide budgets (runTrigger, bulk) are reset before each door's round of those calls;
 *   callers without the role spend none of them (trpc.ts checks the role first).
 *
 * Allowed means the call succeeds (inputs are valid, so 200 — not merely "not 401/403");
 * denied means 401 for anonymous, 403 for a role too low, 404 for another tenant's object.
 */

type TAccess = "public" | TTestRole | "superuser";

interface TFixture {
  a: TTestTenant;
  b: TTestTenant;
  superuser: TTestUser & { session: TTestSession };
  switched: TTestUser & { session: TTestSession };
  /** Read-only objects of tenant A that id-taking reads point at. */
  targets: {
    uploadId: string;
    claimId: string;
    runId: string;
    driftEventId: string;
    payerId: string;
    exportId: string;
    ruleId: string;
    alertId: string;
    endpointId: string;
    deliveryId: string;
  };
  /** A shared catalogue payer any tenant may map names to. */
  cataloguePayerId: string;
}

interface TCallerSpec {
  name: string;
  kind: "anonymous" | "member" | "key" | "foreign" | "superuser" | "switched";
  role?: TTestRole;
  headers: (fx: TFixture) => Headers;
}

interface TExpectation {
  access: TAccess;
  /** A valid input acting in tenant A; called once per call, so mutations get fresh targets. */
  input: (fx: TFixture, caller: TCallerSpec) => Promise<unknown> | unknown;
  /** The input names an object of tenant A by id: callers from another tenant get 404. */
  targetsObject?: boolean;
  /** After another tenant's refused call: the target is as it was. */
  untouched?: (input: unknown) => Promise<void>;
  /** Extra request headers (e.g. Idempotency-Key), fresh per call. */
  headers?: () => Record<string, string>;
  /** Runs once before each door's round of calls (e.g. resetting a tenant-wide budget). */
  prepare?: (fx: TFixture) => Promise<void>;
  /** When the outcome depends on who calls beyond rank (see the procedure's comment). */
  outcome?: (caller: TCallerSpec) => TOutcome;
}

const fresh = () => uniqueSuffix();

async function viewerOfA(fx: TFixture) {
  const user = await createTestUser({ customerId: fx.a.customer.id, role: "VIEWER" });
  return user.id;
}

const NO_MAIL = { smtpUrl: null, publicUrl: null };
const MATRIX_ACTOR = { userId: null, apiKeyId: null, label: "matrix", requestId: null, ip: null };

/** A fresh open invitation of a tenant, with its token (no e-mail: the link comes back). */
async function invitationOf(customerId: string) {
  const created = await createInvitation(customerId, MATRIX_ACTOR, { email: `matrix-${fresh()}@example.test`, role: "VIEWER" }, NO_MAIL);
  return { id: created.id, token: created.link!.replace(/^.*#token=/, "") };
}

let spareCustomer: Promise<string> | undefined;
/** A tenant that is neither A nor B, for invitations anyone may open. */
function otherCustomer(): Promise<string> {
  spareCustomer ??= createTestCustomer().then((c) => c.id);
  return spareCustomer;
}

async function membershipRole(customerId: string, userId: string) {
  return (await db().membership.findFirst({ where: { customerId, userId }, select: { role: true } }))?.role ?? null;
}

const CODE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** A CPT-shaped code no other test uses (letters make collisions with real codes unlikely). */
const freshCode = () => Array.from({ length: 5 }, () => CODE_CHARS[Math.floor(Math.random() * CODE_CHARS.length)]).join("");

const claimLine = (submitterClaimId: string) => claimLineInput({ submitterClaimId, payerName: "Matrix Mutual" });

async function payerMappingOfA(fx: TFixture) {
  const mapping = await db().payerMapping.create({
    data: { customerId: fx.a.customer.id, rawName: `Matrix ${fresh()}`, normalizedName: `matrix ${fresh()}`, payerId: fx.targets.payerId },
    select: { id: true },
  });
  return mapping.id;
}

async function cptMappingOfA(fx: TFixture) {
  const mapping = await db().cptMapping.create({ data: { customerId: fx.a.customer.id, cptCode: freshCode(), groupCode: "OTHER" }, select: { id: true } });
  return mapping.id;
}

/** A PUBLIC address literal: the SSRF guard accepts it without DNS; nothing is ever sent to it here. */
const PUBLIC_WEBHOOK_URL = "https://93.184.216.34/driftline-matrix";

/** A fresh PENDING alert of A (its own payer and drift event), as detection would leave it. */
async function alertOfA(fx: TFixture) {
  const payer = await createTestPayer(fx.a.customer.id);
  const driftEventId = await createTestDriftEvent(fx.a.customer.id, { payerId: payer.id });
  const alert = await db().alertEvent.create({ data: { customerId: fx.a.customer.id, ruleId: fx.targets.ruleId, driftEventId }, select: { id: true } });
  return alert.id;
}

async function alertStatus(input: unknown) {
  return (await db().alertEvent.findUniqueOrThrow({ where: { id: (input as { id: string }).id }, select: { status: true } })).status;
}

async function endpointOfA(fx: TFixture) {
  return (await createTestEndpoint(fx.a.customer.id, PUBLIC_WEBHOOK_URL)).id;
}

async function deliveryOfA(fx: TFixture, status: "PENDING" | "DEAD") {
  const delivery = await db().webhookDelivery.create({
    data: {
      customerId: fx.a.customer.id,
      endpointId: fx.targets.endpointId,
      messageId: `msg_${randomUUID()}`,
      eventType: "webhook.test",
      payload: { type: "webhook.test" },
      status,
      attemptCount: status === "DEAD" ? 5 : 0,
    },
    select: { id: true },
  });
  return delivery.id;
}

/** procedure path -> minimum access and how to call it. */
const PROCEDURES: Record<string, TExpectation> = {
  "health.check": { access: "public", input: () => undefined },
  "customers.me": { access: "VIEWER", input: () => undefined },
  "customers.list": { access: "superuser", input: () => ({ limit: 5 }) },
  "customers.create": { access: "superuser", input: () => ({ slug: `matrix-${fresh()}`, name: "Matrix customer" }) },
  "customers.switch": {
    access: "superuser",
    // Each superuser keeps the state it started in: the switched one re-enters A, the other stays out.
    input: (fx, caller) => ({ customerId: caller.kind === "switched" ? fx.a.customer.id : null }),
  },
  "settings.get": { access: "VIEWER", input: () => undefined },
  "settings.update": { access: "ADMIN", input: () => ({ minSample: 30 }) },
  "users.list": { access: "ADMIN", input: () => ({ limit: 5 }) },
  "invitations.create": { access: "ADMIN", input: () => ({ email: `matrix-${fresh()}@example.test`, role: "VIEWER" }) },
  "invitations.list": { access: "ADMIN", input: () => ({ limit: 5 }) },
  "invitations.revoke": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: (await invitationOf(fx.a.customer.id)).id }),
    untouched: async (input) => {
      const { id } = input as { id: string };
      expect((await db().invitation.findUniqueOrThrow({ where: { id }, select: { revokedAt: true } })).revokedAt).toBeNull();
    },
  },
  // The invitee's and the password-reset pages: no caller needed, each call with a fresh token.
  "invitations.inspect": { access: "public", input: async () => ({ token: (await invitationOf(await otherCustomer())).token }) },
  "invitations.accept": {
    access: "public",
    // A person signed in can accept only an invitation for their own address (here: another
    // one, so 403); without a session (anonymous, or an API key, which is no person) the link
    // creates the new account with the password its holder chooses.
    outcome: (caller) => (caller.kind === "anonymous" || caller.name.includes("API key") ? "allowed" : 403),
    input: async () => ({ token: (await invitationOf(await otherCustomer())).token, password: "matrix-invitee-password" }),
  },
  "passwordResets.request": { access: "public", input: () => ({ email: `matrix-${fresh()}@example.test` }) },
  "passwordResets.complete": {
    access: "public",
    input: async () => {
      const issued = await issuePasswordReset(null, (await createTestUser()).email, NO_MAIL);
      return { token: issued.link!.replace(/^.*#token=/, ""), password: "matrix-new-password-1" };
    },
  },
  "accounts.setDisabled": { access: "superuser", input: async () => ({ email: (await createTestUser()).email, disabled: true }) },
  "accounts.issuePasswordReset": { access: "superuser", input: async () => ({ email: (await createTestUser()).email }) },
  "users.update": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: await viewerOfA(fx), role: "ANALYST" }),
    untouched: async (input) => {
      const { id } = input as { id: string };
      const membership = await db().membership.findFirst({ where: { userId: id }, select: { role: true } });
      expect(membership?.role).toBe("VIEWER");
    },
  },
  "users.remove": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: await viewerOfA(fx) }),
    untouched: async (input) => {
      const { id } = input as { id: string };
      expect(await db().membership.count({ where: { userId: id } })).toBe(1);
    },
  },
  "apiKeys.list": { access: "ADMIN", input: () => ({ limit: 5 }) },
  "apiKeys.create": { access: "ADMIN", input: () => ({ name: `matrix-${fresh()}`, role: "VIEWER" }) },
  "apiKeys.revoke": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: (await createTestApiKey(fx.a.customer.id, "VIEWER")).id }),
    untouched: async (input) => {
      const { id } = input as { id: string };
      expect((await db().apiKey.findUniqueOrThrow({ where: { id }, select: { revokedAt: true } })).revokedAt).toBeNull();
    },
  },
  "auditEvents.list": { access: "ADMIN", input: () => ({ limit: 5 }) },
  "uploads.list": { access: "VIEWER", input: () => ({ limit: 5 }) },
  "uploads.stats": { access: "VIEWER", input: () => undefined },
  "uploads.get": { access: "VIEWER", targetsObject: true, input: (fx) => ({ id: fx.targets.uploadId }) },
  "uploads.issues": { access: "VIEWER", targetsObject: true, input: (fx) => ({ id: fx.targets.uploadId, kind: "skipped" }) },
  "ingest.claims": {
    access: "ANALYST",
    headers: () => ({ "idempotency-key": `matrix-${randomUUID()}` }),
    input: () => ({ lines: [claimLine(`M-${fresh()}`)] }),
  },
  "claims.list": { access: "ANALYST", input: () => ({ limit: 5 }) },
  "claims.get": { access: "ANALYST", targetsObject: true, input: (fx) => ({ id: fx.targets.claimId }) },
  "payerMappings.list": { access: "VIEWER", input: () => ({ limit: 5 }) },
  "payerMappings.create": { access: "ADMIN", input: (fx) => ({ rawName: `Matrix ${fresh()}`, payerId: fx.cataloguePayerId }) },
  "payerMappings.update": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: await payerMappingOfA(fx), payerId: fx.cataloguePayerId }),
    untouched: async (input) => {
      const { id } = input as { id: string };
      expect((await db().payerMapping.findUniqueOrThrow({ where: { id }, select: { payerId: true } })).payerId).not.toBe(fx.cataloguePayerId);
    },
  },
  "payerMappings.delete": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: await payerMappingOfA(fx) }),
    untouched: async (input) => {
      expect(await db().payerMapping.count({ where: { id: (input as { id: string }).id } })).toBe(1);
    },
  },
  "cptMappings.list": { access: "VIEWER", input: () => ({ limit: 5 }) },
  "cptMappings.create": { access: "ADMIN", input: () => ({ cptCode: freshCode(), groupCode: "OTHER" }) },
  "cptMappings.update": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: await cptMappingOfA(fx), groupCode: "MEDICINE" }),
    untouched: async (input) => {
      const { id } = input as { id: string };
      expect((await db().cptMapping.findUniqueOrThrow({ where: { id }, select: { groupCode: true } })).groupCode).toBe("OTHER");
    },
  },
  "cptMappings.delete": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: await cptMappingOfA(fx) }),
    untouched: async (input) => {
      expect(await db().cptMapping.count({ where: { id: (input as { id: string }).id } })).toBe(1);
    },
  },
  "catalogues.payers": { access: "VIEWER", input: () => ({ limit: 100 }) },
  "catalogues.cptGroups": { access: "VIEWER", input: () => undefined },
  "reports.trigger": {
    access: "ANALYST",
    input: () => undefined,
    // Tenant-wide budget of 10 an hour; each door's round spends 5 of A's. (Callers without the
    // role spend none: the role is checked before the rate limit.)
    prepare: async (fx) => {
      await resetRateLimit("runTrigger", fx.a.customer.id);
      await resetRateLimit("runTrigger", fx.b.customer.id);
    },
  },
  "reports.list": { access: "VIEWER", input: () => ({ limit: 5 }) },
  "reports.get": { access: "VIEWER", targetsObject: true, input: (fx) => ({ id: fx.targets.runId }) },
  "driftEvents.list": { access: "VIEWER", input: () => ({ limit: 5 }) },
  "driftEvents.active": { access: "VIEWER", input: () => ({ limit: 5 }) },
  "driftEvents.get": { access: "VIEWER", targetsObject: true, input: (fx) => ({ id: fx.targets.driftEventId }) },
  "claims.payerSummary": { access: "VIEWER", input: () => ({ from: "2026-01-01", to: "2026-01-31" }) },
  "dashboard.get": { access: "VIEWER", input: () => undefined },
  "exports.create": { access: "ANALYST", input: () => ({ kind: "DRIFT_EVENTS", params: { status: "ACTIVE" } }) },
  "exports.get": { access: "ANALYST", targetsObject: true, input: (fx) => ({ id: fx.targets.exportId }) },
  "alertRules.list": { access: "VIEWER", input: () => ({ limit: 5 }) },
  "alertRules.get": { access: "VIEWER", targetsObject: true, input: (fx) => ({ id: fx.targets.ruleId }) },
  // A disabled rule: the matrix's other writes must not raise alerts through it.
  "alertRules.create": { access: "ADMIN", input: () => ({ name: `matrix-${fresh()}`, enabled: false }) },
  "alertRules.update": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: (await createTestRule(fx.a.customer.id)).id, minSeverity: 0.9 }),
    untouched: async (input) => {
      const { id } = input as { id: string };
      expect((await db().alertRule.findUniqueOrThrow({ where: { id }, select: { minSeverity: true } })).minSeverity).not.toBe(0.9);
    },
  },
  "alertRules.delete": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: (await createTestRule(fx.a.customer.id)).id }),
    untouched: async (input) => {
      expect(await db().alertRule.count({ where: { id: (input as { id: string }).id } })).toBe(1);
    },
  },
  "alerts.list": { access: "VIEWER", input: () => ({ limit: 5 }) },
  "alerts.active": { access: "VIEWER", input: () => ({ limit: 5 }) },
  "alerts.get": { access: "VIEWER", targetsObject: true, input: (fx) => ({ id: fx.targets.alertId }) },
  "alerts.feedback": {
    access: "ANALYST",
    targetsObject: true,
    input: async (fx) => ({ id: await alertOfA(fx), verdict: "REAL", reasonCodes: ["CONTRACT"], notes: "matrix" }),
    untouched: async (input) => {
      expect(await alertStatus(input)).toBe("PENDING");
      expect(await db().alertFeedback.count({ where: { alertEventId: (input as { id: string }).id } })).toBe(0);
    },
  },
  "alerts.acknowledge": {
    access: "ANALYST",
    targetsObject: true,
    input: async (fx) => ({ id: await alertOfA(fx) }),
    untouched: async (input) => expect(await alertStatus(input)).toBe("PENDING"),
  },
  "alerts.resolve": {
    access: "ANALYST",
    targetsObject: true,
    input: async (fx) => ({ id: await alertOfA(fx) }),
    untouched: async (input) => expect(await alertStatus(input)).toBe("PENDING"),
  },
  "alerts.bulkAcknowledge": {
    access: "ANALYST",
    // Not an id route: another tenant's call succeeds for its own tenant and skips A's ids.
    input: async (fx) => ({ ids: [await alertOfA(fx)] }),
    prepare: async (fx) => {
      await resetRateLimit("bulk", fx.a.customer.id);
      await resetRateLimit("bulk", fx.b.customer.id);
    },
  },
  "feeSchedules.list": { access: "VIEWER", input: () => ({ limit: 5 }) },
  "underpayments.list": { access: "ANALYST", input: () => ({ limit: 5 }) },
  "underpayments.summary": { access: "VIEWER", input: () => ({}) },
  "underpayments.bulkChange": {
    access: "ANALYST",
    // Not an id route: unknown ids are skipped, so every allowed caller succeeds.
    input: () => ({ ids: ["00000000-0000-4000-8000-00000000abcd"], status: "APPEALED" }),
    prepare: async (fx) => {
      await resetRateLimit("bulk", fx.a.customer.id);
      await resetRateLimit("bulk", fx.b.customer.id);
    },
  },
  "webhookEndpoints.list": { access: "ADMIN", input: () => ({ limit: 5 }) },
  "webhookEndpoints.get": { access: "ADMIN", targetsObject: true, input: (fx) => ({ id: fx.targets.endpointId }) },
  "webhookEndpoints.create": { access: "ADMIN", input: () => ({ url: PUBLIC_WEBHOOK_URL, eventTypes: ["alert.created"], enabled: false }) },
  "webhookEndpoints.update": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: await endpointOfA(fx), description: "changed by the matrix" }),
    untouched: async (input) => {
      const { id } = input as { id: string };
      expect((await db().webhookEndpoint.findUniqueOrThrow({ where: { id }, select: { description: true } })).description).not.toBe("changed by the matrix");
    },
  },
  "webhookEndpoints.delete": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: await endpointOfA(fx) }),
    untouched: async (input) => {
      expect(await db().webhookEndpoint.count({ where: { id: (input as { id: string }).id } })).toBe(1);
    },
  },
  "webhookEndpoints.rotateSecret": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: await endpointOfA(fx), graceHours: 24 }),
    untouched: async (input) => {
      const { id } = input as { id: string };
      expect((await db().webhookEndpoint.findUniqueOrThrow({ where: { id }, select: { previousSecretCiphertext: true } })).previousSecretCiphertext).toBeNull();
    },
  },
  "webhookEndpoints.test": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: await endpointOfA(fx) }),
    untouched: async (input) => {
      expect(await db().webhookDelivery.count({ where: { endpointId: (input as { id: string }).id } })).toBe(0);
    },
  },
  "webhookDeliveries.list": { access: "ADMIN", input: () => ({ limit: 5 }) },
  "webhookDeliveries.get": { access: "ADMIN", targetsObject: true, input: (fx) => ({ id: fx.targets.deliveryId }) },
  "webhookDeliveries.replay": {
    access: "ADMIN",
    targetsObject: true,
    input: async (fx) => ({ id: await deliveryOfA(fx, "DEAD") }),
    untouched: async (input) => {
      const { id } = input as { id: string };
      expect((await db().webhookDelivery.findUniqueOrThrow({ where: { id }, select: { status: true } })).status).toBe("DEAD");
    },
  },
};

/** A REST operation served by a route handler of its own (no procedure behind it). */
interface TRouteHandlerExpectation extends Omit<TExpectation, "input"> {
  routeHandler: true;
  /** Statuses that mean the call was allowed and succeeded. */
  okStatuses: number[];
  request: (fx: TFixture, caller: TCallerSpec) => Promise<TRawRequest> | TRawRequest;
}

interface TRawRequest {
  pathParams?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
}

function claimCsv(submitterClaimId: string): string {
  const line = claimLine(submitterClaimId);
  return `${Object.keys(line).join(",")}\n${Object.values(line).join(",")}\n`;
}

/**
 * "METHOD /path" of the OpenAPI document -> the procedure it runs, or, for an operation served by
 * a route handler (`x-route-handler` in the document), how to call it and who may.
 */
const REST_OPERATIONS: Record<string, string | TRouteHandlerExpectation> = {
  "POST /uploads": {
    routeHandler: true,
    access: "ANALYST",
    okStatuses: [201],
    request: () => ({ body: claimCsv(`UP-${fresh()}`), headers: { "content-type": "text/csv" } }),
  },
  "POST /fee-schedules": {
    routeHandler: true,
    access: "ANALYST",
    okStatuses: [201],
    request: () => ({ body: `payerName,cptCode,rate,effectiveFrom\nRBAC Plan ${fresh()},99213,100.00,2026-01-01\n`, headers: { "content-type": "text/csv" } }),
  },
  "GET /fee-schedules": "feeSchedules.list",
  "GET /underpayments/export.csv": { routeHandler: true, access: "ANALYST", okStatuses: [200], request: () => ({}) },
  "GET /underpayments": "underpayments.list",
  "GET /underpayments/summary": "underpayments.summary",
  "POST /underpayments/bulk-status": "underpayments.bulkChange",
  "GET /health": "health.check",
  "GET /customers/me": "customers.me",
  "GET /customers": "customers.list",
  "POST /customers": "customers.create",
  "GET /settings": "settings.get",
  "PATCH /settings": "settings.update",
  "GET /users": "users.list",
  "POST /invitations": "invitations.create",
  "GET /invitations": "invitations.list",
  "DELETE /invitations/{id}": "invitations.revoke",
  "PATCH /users/{id}": "users.update",
  "DELETE /users/{id}": "users.remove",
  "GET /api-keys": "apiKeys.list",
  "POST /api-keys": "apiKeys.create",
  "DELETE /api-keys/{id}": "apiKeys.revoke",
  "GET /audit-events": "auditEvents.list",
  "GET /uploads": "uploads.list",
  "GET /uploads/stats": "uploads.stats",
  "GET /uploads/{id}": "uploads.get",
  "GET /uploads/{id}/issues": "uploads.issues",
  "POST /ingest/claims": "ingest.claims",
  "GET /claims": "claims.list",
  "GET /claims/{id}": "claims.get",
  "GET /payer-mappings": "payerMappings.list",
  "POST /payer-mappings": "payerMappings.create",
  "PATCH /payer-mappings/{id}": "payerMappings.update",
  "DELETE /payer-mappings/{id}": "payerMappings.delete",
  "GET /cpt-mappings": "cptMappings.list",
  "POST /cpt-mappings": "cptMappings.create",
  "PATCH /cpt-mappings/{id}": "cptMappings.update",
  "DELETE /cpt-mappings/{id}": "cptMappings.delete",
  "GET /payers": "catalogues.payers",
  "GET /cpt-groups": "catalogues.cptGroups",
  "POST /reports/trigger": "reports.trigger",
  "GET /reports": "reports.list",
  "GET /reports/{id}": "reports.get",
  "GET /drift-events": "driftEvents.list",
  "GET /drift-events/active": "driftEvents.active",
  "GET /drift-events/{id}": "driftEvents.get",
  "GET /claims/payer-summary": "claims.payerSummary",
  "GET /dashboard": "dashboard.get",
  "POST /exports": "exports.create",
  "GET /exports/{id}": "exports.get",
  "GET /alert-rules": "alertRules.list",
  "POST /alert-rules": "alertRules.create",
  "GET /alert-rules/{id}": "alertRules.get",
  "PATCH /alert-rules/{id}": "alertRules.update",
  "DELETE /alert-rules/{id}": "alertRules.delete",
  "GET /alerts": "alerts.list",
  "GET /alerts/active": "alerts.active",
  "GET /alerts/{id}": "alerts.get",
  "POST /alerts/{id}/feedback": "alerts.feedback",
  "POST /alerts/{id}/acknowledge": "alerts.acknowledge",
  "POST /alerts/{id}/resolve": "alerts.resolve",
  "POST /alerts/bulk-acknowledge": "alerts.bulkAcknowledge",
  "GET /webhook-endpoints": "webhookEndpoints.list",
  "POST /webhook-endpoints": "webhookEndpoints.create",
  "GET /webhook-endpoints/{id}": "webhookEndpoints.get",
  "PATCH /webhook-endpoints/{id}": "webhookEndpoints.update",
  "DELETE /webhook-endpoints/{id}": "webhookEndpoints.delete",
  "POST /webhook-endpoints/{id}/rotate-secret": "webhookEndpoints.rotateSecret",
  "POST /webhook-endpoints/{id}/test": "webhookEndpoints.test",
  "GET /webhook-deliveries": "webhookDeliveries.list",
  "GET /webhook-deliveries/{id}": "webhookDeliveries.get",
  "POST /webhook-deliveries/{id}/replay": "webhookDeliveries.replay",
  "GET /exports/{id}/download": {
    routeHandler: true,
    access: "ANALYST",
    targetsObject: true,
    okStatuses: [200],
    request: (fx) => ({ pathParams: { id: fx.targets.exportId } }),
  },
};

const CALLERS: TCallerSpec[] = [
  { name: "anonymous", kind: "anonymous", headers: () => new Headers() },
  ...(["VIEWER", "ANALYST", "ADMIN"] as const).flatMap((role): TCallerSpec[] => [
    { name: `A ${role} (session)`, kind: "member", role, headers: (fx) => fx.a.members[role].session.headers },
    { name: `A ${role} (API key)`, kind: "key", role, headers: (fx) => fx.a.keys[role].headers },
  ]),
  { name: "B ADMIN (session)", kind: "foreign", role: "ADMIN", headers: (fx) => fx.b.members.ADMIN.session.headers },
  { name: "B ADMIN (API key)", kind: "foreign", role: "ADMIN", headers: (fx) => fx.b.keys.ADMIN.headers },
  { name: "superuser (no tenant)", kind: "superuser", headers: (fx) => fx.superuser.session.headers },
  { name: "superuser (switched into A)", kind: "switched", headers: (fx) => fx.switched.session.headers },
];

const RANK: Record<TTestRole, number> = { VIEWER: 1, ANALYST: 2, ADMIN: 3 };

type TOutcome = "allowed" | 401 | 403 | 404;

function expectedOutcome(expectation: Pick<TExpectation, "access" | "targetsObject" | "outcome">, caller: TCallerSpec): TOutcome {
  const { access } = expectation;
  if (expectation.outcome) return expectation.outcome(caller);
  if (access === "public") return "allowed";
  if (caller.kind === "anonymous") return 401;
  if (access === "superuser") return caller.kind === "superuser" || caller.kind === "switched" ? "allowed" : 403;
  switch (caller.kind) {
    case "member":
    case "key":
      return RANK[caller.role!] >= RANK[access] ? "allowed" : 403;
    case "foreign":
      if (RANK[caller.role!] < RANK[access]) return 403;
      return expectation.targetsObject ? 404 : "allowed";
    case "superuser":
      return 403;
    case "switched":
      return "allowed";
  }
}

/** Values of tenant A a caller from B must never see. */
function secretsOfA(fx: TFixture): string[] {
  return [
    fx.a.customer.id,
    fx.a.customer.slug,
    ...Object.values(fx.a.members).flatMap((m) => [m.id, m.email]),
    ...Object.values(fx.a.keys).flatMap((k) => [k.id, k.prefix]),
    // Ids, not the payer's name: B may well have a payer of the same name of its own.
    fx.targets.uploadId,
    fx.targets.claimId,
    fx.targets.runId,
    fx.targets.driftEventId,
    fx.targets.payerId,
    fx.targets.exportId,
    fx.targets.ruleId,
    fx.targets.alertId,
    fx.targets.endpointId,
    fx.targets.deliveryId,
  ];
}

function leaks(fx: TFixture, payload: unknown, input: unknown): string[] {
  const text = JSON.stringify(payload ?? null);
  // The caller's own input (an id of A's it was given) may be echoed; nothing else of A's may.
  const given = JSON.stringify(input ?? null);
  return secretsOfA(fx).filter((secret) => text.includes(secret) && !given.includes(secret));
}

function procedureEntries(): [string, { _def: { type: string; meta?: { openapi?: { method: string; path: string } } } }][] {
  return Object.entries(
    appRouter._def.procedures as unknown as Record<string, { _def: { type: string; meta?: { openapi?: { method: string; path: string } } } }>,
  );
}

function restOperationsOfDocument(): { key: string; method: string; path: string; routeHandler: boolean }[] {
  const operations: { key: string; method: string; path: string; routeHandler: boolean }[] = [];
  for (const [path, item] of Object.entries((openApiDocument().paths ?? {}) as Record<string, Record<string, Record<string, unknown>>>)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      operations.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, routeHandler: operation["x-route-handler"] === true });
    }
  }
  return operations;
}

let fx: TFixture;
let server: TRestServer;

beforeAll(async () => {
  server = await startRestServer();
  const [a, b] = await Promise.all([createTestTenant(), createTestTenant()]);
  const superuser = await createTestSuperuser();
  const switchedUser = await createTestSuperuser();
  const switchedSession = await createTestSession(switchedUser.id);
  // The real, audited switch — not a row written behind the kernel's back.
  await (await callerFor(switchedSession.headers)).customers.switch({ customerId: a.customer.id });
  // A run in progress in each tenant: triggers return it (created: false) and queue no job.
  const [runA] = await Promise.all([createDetectionRun(a.customer.id, "MANUAL"), createDetectionRun(b.customer.id, "MANUAL")]);
  // One real ingested claim line (and its upload and tenant-private payer) in A.
  const ingestHeaders = new Headers([...a.keys.ANALYST.headers, ["idempotency-key", `matrix-setup-${randomUUID()}`]]);
  const ingested = await (await callerFor(ingestHeaders)).ingest.claims({ lines: [claimLine(`SETUP-${fresh()}`)] });
  const claim = await db().claimLine.findFirstOrThrow({ where: { uploadId: ingested.upload.id }, select: { id: true, payerId: true } });
  const payer = await db().payer.findUniqueOrThrow({ where: { id: claim.payerId }, select: { id: true, customerId: true } });
  expect(payer.customerId).toBe(a.customer.id);
  const driftEvent = await db().driftEvent.create({
    data: {
      customerId: a.customer.id,
      payerId: payer.id,
      cptGroup: "EM",
      driftType: "DENIAL_RATE",
      baselineValue: 0.1,
      currentValue: 0.2,
      delta: 0.1,
      deltaCiLow: 0.05,
      deltaCiHigh: 0.15,
      pValue: 0.001,
      qValue: 0.002,
      severity: 0.7,
      direction: "UP",
      baselineSampleSize: 400,
      currentSampleSize: 100,
      baselineStart: new Date("2025-10-01"),
      baselineEnd: new Date("2025-12-31"),
      currentStart: new Date("2026-01-01"),
      currentEnd: new Date("2026-01-14"),
    },
    select: { id: true },
  });
  // A finished export of A (downloadable); its CSV is tiny and holds no PHI.
  const finishedExport = await db().export.create({
    data: {
      customerId: a.customer.id,
      kind: "DRIFT_EVENTS",
      status: "SUCCEEDED",
      params: {},
      progress: 1,
      rowCount: 1,
      content: "payer,cpt_group\r\nMatrix Mutual,EM\r\n",
      startedAt: new Date(),
      finishedAt: new Date(),
    },
    select: { id: true },
  });
  // Alerting objects of A: a disabled rule (so nothing else raises alerts through it), one alert,
  // an endpoint and a delivery of it.
  const rule = await db().alertRule.create({ data: { customerId: a.customer.id, name: `matrix-target-${fresh()}`, enabled: false }, select: { id: true } });
  const endpoint = await createTestEndpoint(a.customer.id, PUBLIC_WEBHOOK_URL);
  const cataloguePayer = await db().payer.create({ data: { customerId: null, name: `Matrix Catalogue ${randomUUID()}` }, select: { id: true } });
  fx = {
    a,
    b,
    superuser: { ...superuser, session: await createTestSession(superuser.id) },
    switched: { ...switchedUser, session: switchedSession },
    targets: {
      uploadId: ingested.upload.id,
      claimId: claim.id,
      runId: runA.run.id,
      driftEventId: driftEvent.id,
      payerId: payer.id,
      exportId: finishedExport.id,
      ruleId: rule.id,
      alertId: "",
      endpointId: endpoint.id,
      deliveryId: "",
    },
    cataloguePayerId: cataloguePayer.id,
  };
  fx.targets.alertId = await alertOfA(fx);
  fx.targets.deliveryId = await deliveryOfA(fx, "PENDING");
});

afterAll(async () => {
  await server?.close();
  await stopQueue({ graceful: false });
});

describe("RBAC matrix: declarations", () => {
  it("declares an expectation for every procedure of appRouter", () => {
    const procedures = procedureEntries().map(([path]) => path);
    expect(
      procedures.filter((path) => !(path in PROCEDURES)),
      "procedures without a declared expectation",
    ).toEqual([]);
    expect(
      Object.keys(PROCEDURES).filter((path) => !procedures.includes(path)),
      "stale declarations",
    ).toEqual([]);
  });

  it("declares every REST operation of the OpenAPI document, with the procedure it runs", () => {
    const operations = restOperationsOfDocument();
    expect(
      operations.filter((op) => !(op.key in REST_OPERATIONS)).map((op) => op.key),
      "REST operations without a declaration",
    ).toEqual([]);
    // Route handlers the document does not list yet are still called below; procedures must be in it.
    const stale = Object.entries(REST_OPERATIONS).filter(([key, declaration]) => typeof declaration === "string" && !operations.some((op) => op.key === key));
    expect(
      stale.map(([key]) => key),
      "stale REST declarations",
    ).toEqual([]);
    const actual = Object.fromEntries(
      procedureEntries()
        .filter(([, procedure]) => procedure._def.meta?.openapi)
        .map(([path, procedure]) => [`${procedure._def.meta!.openapi!.method} ${procedure._def.meta!.openapi!.path}`, path]),
    );
    const declaredProcedures = Object.fromEntries(Object.entries(REST_OPERATIONS).filter(([, declaration]) => typeof declaration === "string"));
    expect(actual).toEqual(declaredProcedures);
    const misdeclared = operations.filter((op) => op.routeHandler && typeof REST_OPERATIONS[op.key] === "string").map((op) => op.key);
    expect(misdeclared, "route-handler operations declared as procedures").toEqual([]);
  });
});

describe("RBAC matrix: calls", () => {
  it("tRPC: every procedure x every caller gets exactly its declared access", { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const [path, expectation] of Object.entries(PROCEDURES)) {
      const segments = path.split(".");
      await expectation.prepare?.(fx);
      await Promise.all(
        CALLERS.map(async (caller) => {
          cells += 1;
          const want = expectedOutcome(expectation, caller);
          const input = await expectation.input(fx, caller);
          const trpc = await callerFor(new Headers([...caller.headers(fx), ...Object.entries(expectation.headers?.() ?? {})]));
          const procedure = segments.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], trpc) as (input: unknown) => Promise<unknown>;
          let got: TOutcome | string;
          let payload: unknown;
          try {
            payload = await procedure(input);
            got = "allowed";
          } catch (error) {
            payload = error instanceof Error ? error.message : error;
            got = error instanceof TRPCError ? (getHTTPStatusCodeFromError(error) as TOutcome) : `non-tRPC error ${String(error)}`;
            if (typeof got === "number" && ![401, 403, 404].includes(got)) {
              // An INTERNAL AppError keeps the original error as its cause (errors.ts): show it.
              let root: unknown = error;
              while (root instanceof Error && root.cause) root = root.cause;
              got = `${got} ${(error as Error).message} (cause: ${root instanceof Error ? root.message.slice(0, 300) : String(root)})`;
            }
          }
          if (got !== want) failures.push(`${path} as ${caller.name}: expected ${want}, got ${got}`);
          if (caller.kind === "foreign") {
            const leaked = leaks(fx, payload, input);
            if (leaked.length > 0) failures.push(`${path} as ${caller.name}: answer carries A's data ${leaked.join(", ")}`);
            if (want === 404 && expectation.untouched) await expectation.untouched(input);
          }
        }),
      );
    }
    console.log(`RBAC matrix (tRPC): ${Object.keys(PROCEDURES).length} procedures x ${CALLERS.length} callers = ${cells} calls`);
    expect(failures).toEqual([]);
  });

  it("REST: every operation x every caller gets its declared status and problem+json errors", { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const [operation, declaration] of Object.entries(REST_OPERATIONS)) {
      const expectation = typeof declaration === "string" ? PROCEDURES[declaration]! : declaration;
      const okStatuses = typeof declaration === "string" ? [200] : declaration.okStatuses;
      const [method, template] = operation.split(" ") as [string, string];
      await expectation.prepare?.(fx);
      await Promise.all(
        CALLERS.map(async (caller) => {
          cells += 1;
          const want = expectedOutcome(expectation, caller);
          const headers = new Headers([...caller.headers(fx), ...Object.entries(expectation.headers?.() ?? {})]);
          let input: unknown;
          let url: string;
          let body: string | undefined;
          if (typeof declaration === "string") {
            const values = ((await PROCEDURES[declaration]!.input(fx, caller)) ?? {}) as Record<string, unknown>;
            input = values;
            const rest = { ...values };
            const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
              const value = String(rest[name]);
              delete rest[name];
              return encodeURIComponent(value);
            });
            url = `${server.baseUrl}${path}`;
            if (method === "GET" || method === "DELETE") {
              const query = new URLSearchParams(Object.entries(rest).map(([k, v]) => [k, String(v)]));
              if (query.size > 0) url += `?${query}`;
            } else {
              headers.set("content-type", "application/json");
              body = JSON.stringify(rest);
            }
          } else {
            const raw = await declaration.request(fx, caller);
            input = raw;
            url = `${server.baseUrl}${template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(raw.pathParams?.[name] ?? ""))}`;
            for (const [name, value] of Object.entries(raw.headers ?? {})) headers.set(name, value);
            body = raw.body;
          }
          const response = await fetch(url, { method, headers, body });
          const text = await response.text();
          const where = `${operation} as ${caller.name}`;
          const got: TOutcome | number = okStatuses.includes(response.status) ? "allowed" : response.status;
          if (got !== want) failures.push(`${where}: expected ${want}, got ${response.status} ${text.slice(0, 200)}`);
          const requestId = response.headers.get("x-request-id");
          if (!requestId) failures.push(`${where}: no x-request-id header`);
          if (response.status >= 400) {
            if (response.headers.get("content-type") !== "application/problem+json")
              failures.push(`${where}: error is ${response.headers.get("content-type")}`);
            const problem = JSON.parse(text) as Record<string, unknown>;
            const keys = ["type", "title", "status", "detail", "code", "requestId", "errors"];
            const missing = keys.filter((key) => !(key in problem));
            if (missing.length > 0) failures.push(`${where}: problem lacks ${missing.join(", ")}`);
            if (problem.status !== response.status) failures.push(`${where}: problem.status ${String(problem.status)} != ${response.status}`);
            if (problem.requestId !== requestId) failures.push(`${where}: problem.requestId differs from x-request-id`);
            const code = { 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND" }[response.status as 401 | 403 | 404];
            if (code && problem.code !== code) failures.push(`${where}: code ${String(problem.code)} for ${response.status}`);
            if (!Array.isArray(problem.errors)) failures.push(`${where}: errors is not an array`);
          }
          if (caller.kind === "foreign") {
            const leaked = leaks(fx, text, input);
            if (leaked.length > 0) failures.push(`${where}: answer carries A's data ${leaked.join(", ")}`);
            if (want === 404 && expectation.untouched) await expectation.untouched(input);
          }
        }),
      );
    }
    console.log(`RBAC matrix (REST): ${Object.keys(REST_OPERATIONS).length} operations x ${CALLERS.length} callers = ${cells} calls`);
    expect(failures).toEqual([]);
  });

  it("a superuser's switch is audited in the platform chain and A's chain", async () => {
    const events = await db().auditEvent.findMany({
      where: { actorUserId: fx.switched.id, action: "tenant.switch" },
      select: { customerId: true },
    });
    expect(events.map((e) => e.customerId)).toEqual(expect.arrayContaining([null, fx.a.customer.id]));
  });

  it("the switched superuser acts in A as ADMIN via the switch; the other has no tenant", async () => {
    const me = await (await callerFor(fx.switched.session.headers)).customers.me();
    expect(me).toMatchObject({ customer: { id: fx.a.customer.id }, role: "ADMIN", viaSwitch: true, caller: { isSuperuser: true } });
    await expect((await callerFor(fx.superuser.session.headers)).customers.me()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("B's members act in B: customers.me and lists name B only", async () => {
    const me = await (await callerFor(fx.b.members.ADMIN.session.headers)).customers.me();
    expect(me.customer.id).toBe(fx.b.customer.id);
    const users = await (await callerFor(fx.b.keys.ADMIN.headers)).users.list({ limit: 100 });
    expect(users.items.map((u) => u.id).sort()).toEqual(expect.arrayContaining(Object.values(fx.b.members).map((m) => m.id)));
    expect(users.items.some((u) => Object.values(fx.a.members).some((m) => m.id === u.id))).toBe(false);
  });

  it("an anonymous tRPC error says why (401) and a role failure names the role (403)", async () => {
    await expect((await callerFor()).users.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect((await callerFor(fx.a.keys.VIEWER.headers)).users.list({})).rejects.toThrow(/ADMIN/);
    await expect(membershipRole(fx.a.customer.id, fx.a.members.ADMIN.id)).resolves.toBe("ADMIN");
  });
});
