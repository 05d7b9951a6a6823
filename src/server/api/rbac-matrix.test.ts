import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import {
  callerFor,
  createTestApiKey,
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
}

const fresh = () => uniqueSuffix();

async function viewerOfA(fx: TFixture) {
  const user = await createTestUser({ customerId: fx.a.customer.id, role: "VIEWER" });
  return user.id;
}

async function membershipRole(customerId: string, userId: string) {
  return (await db().membership.findFirst({ where: { customerId, userId }, select: { role: true } }))?.role ?? null;
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
  "users.invite": {
    access: "ADMIN",
    // An existing account joins the tenant (no password needed).
    input: async () => ({ email: (await createTestUser()).email, role: "VIEWER" }),
  },
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
};

/** "METHOD /path" of the OpenAPI document -> the procedure it runs. */
const REST_OPERATIONS: Record<string, string> = {
  "GET /health": "health.check",
  "GET /customers/me": "customers.me",
  "GET /customers": "customers.list",
  "POST /customers": "customers.create",
  "GET /settings": "settings.get",
  "PATCH /settings": "settings.update",
  "GET /users": "users.list",
  "POST /users": "users.invite",
  "PATCH /users/{id}": "users.update",
  "DELETE /users/{id}": "users.remove",
  "GET /api-keys": "apiKeys.list",
  "POST /api-keys": "apiKeys.create",
  "DELETE /api-keys/{id}": "apiKeys.revoke",
  "GET /audit-events": "auditEvents.list",
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

function expectedOutcome(expectation: TExpectation, caller: TCallerSpec): TOutcome {
  const { access } = expectation;
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
  ];
}

function leaks(fx: TFixture, payload: unknown, input: unknown): string[] {
  const text = JSON.stringify(payload ?? null);
  // The caller's own input (an id of A's it was given) may be echoed; nothing else of A's may.
  const given = JSON.stringify(input ?? null);
  return secretsOfA(fx).filter((secret) => text.includes(secret) && !given.includes(secret));
}

function procedureEntries(): [string, { _def: { type: string; meta?: { openapi?: { method: string; path: string } } } }][] {
  return Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string; meta?: { openapi?: { method: string; path: string } } } }>);
}

function restOperationsOfDocument(): { key: string; method: string; path: string }[] {
  const operations: { key: string; method: string; path: string }[] = [];
  for (const [path, item] of Object.entries(openApiDocument().paths ?? {})) {
    for (const method of Object.keys(item ?? {})) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      operations.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path });
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
  fx = {
    a,
    b,
    superuser: { ...superuser, session: await createTestSession(superuser.id) },
    switched: { ...switchedUser, session: switchedSession },
  };
});

afterAll(async () => {
  await server?.close();
});

describe("RBAC matrix: declarations", () => {
  it("declares an expectation for every procedure of appRouter", () => {
    const procedures = procedureEntries().map(([path]) => path);
    expect(procedures.filter((path) => !(path in PROCEDURES)), "procedures without a declared expectation").toEqual([]);
    expect(Object.keys(PROCEDURES).filter((path) => !procedures.includes(path)), "stale declarations").toEqual([]);
  });

  it("declares every REST operation of the OpenAPI document, with the procedure it runs", () => {
    const operations = restOperationsOfDocument();
    expect(operations.filter((op) => !(op.key in REST_OPERATIONS)).map((op) => op.key), "REST operations without a declaration").toEqual([]);
    expect(Object.keys(REST_OPERATIONS).filter((key) => !operations.some((op) => op.key === key)), "stale REST declarations").toEqual([]);
    const actual = Object.fromEntries(
      procedureEntries()
        .filter(([, procedure]) => procedure._def.meta?.openapi)
        .map(([path, procedure]) => [`${procedure._def.meta!.openapi!.method} ${procedure._def.meta!.openapi!.path}`, path]),
    );
    expect(actual).toEqual(REST_OPERATIONS);
  });
});

describe("RBAC matrix: calls", () => {
  it("tRPC: every procedure x every caller gets exactly its declared access", async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const [path, expectation] of Object.entries(PROCEDURES)) {
      const segments = path.split(".");
      await Promise.all(
        CALLERS.map(async (caller) => {
          cells += 1;
          const want = expectedOutcome(expectation, caller);
          const input = await expectation.input(fx, caller);
          const trpc = await callerFor(caller.headers(fx));
          const procedure = segments.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], trpc) as (input: unknown) => Promise<unknown>;
          let got: TOutcome | string;
          let payload: unknown;
          try {
            payload = await procedure(input);
            got = "allowed";
          } catch (error) {
            payload = error instanceof Error ? error.message : error;
            got = error instanceof TRPCError ? (getHTTPStatusCodeFromError(error) as TOutcome) : `non-tRPC error ${String(error)}`;
            if (typeof got === "number" && ![401, 403, 404].includes(got)) got = `${got} ${(error as Error).message}`;
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

  it("REST: every operation x every caller gets its declared status and problem+json errors", async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const [operation, procedurePath] of Object.entries(REST_OPERATIONS)) {
      const expectation = PROCEDURES[procedurePath]!;
      const [method, template] = operation.split(" ") as [string, string];
      await Promise.all(
        CALLERS.map(async (caller) => {
          cells += 1;
          const want = expectedOutcome(expectation, caller);
          const input = ((await expectation.input(fx, caller)) ?? {}) as Record<string, unknown>;
          const rest = { ...input };
          const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
            const value = String(rest[name]);
            delete rest[name];
            return encodeURIComponent(value);
          });
          const headers = new Headers(caller.headers(fx));
          let url = `${server.baseUrl}${path}`;
          let body: string | undefined;
          if (method === "GET" || method === "DELETE") {
            const query = new URLSearchParams(Object.entries(rest).map(([k, v]) => [k, String(v)]));
            if (query.size > 0) url += `?${query}`;
          } else {
            headers.set("content-type", "application/json");
            body = JSON.stringify(rest);
          }
          const response = await fetch(url, { method, headers, body });
          const text = await response.text();
          const where = `${operation} as ${caller.name}`;
          const got: TOutcome | number = response.status === 200 ? "allowed" : response.status;
          if (got !== want) failures.push(`${where}: expected ${want}, got ${response.status} ${text.slice(0, 200)}`);
          const requestId = response.headers.get("x-request-id");
          if (!requestId) failures.push(`${where}: no x-request-id header`);
          if (response.status >= 400) {
            if (response.headers.get("content-type") !== "application/problem+json") failures.push(`${where}: error is ${response.headers.get("content-type")}`);
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
    expect(users.items.map((u) => u.id).sort()).toEqual(
      expect.arrayContaining(Object.values(fx.b.members).map((m) => m.id)),
    );
    expect(users.items.some((u) => Object.values(fx.a.members).some((m) => m.id === u.id))).toBe(false);
  });

  it("an anonymous tRPC error says why (401) and a role failure names the role (403)", async () => {
    await expect((await callerFor()).users.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect((await callerFor(fx.a.keys.VIEWER.headers)).users.list({})).rejects.toThrow(/ADMIN/);
    await expect(membershipRole(fx.a.customer.id, fx.a.members.ADMIN.id)).resolves.toBe("ADMIN");
  });
});
