import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/env";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/server/db/client";
import { tenantDb, unscopedDb } from "@/server/db/tenant-scope";
import { verifyAuditChain } from "@/server/lib/audit";
import { consumeRateLimit, rateLimitPolicy } from "@/server/lib/rate-limit";
import { asOwnerWithoutAuditTrigger } from "@/test/audit-tamper";
import {
  bearerHeaders,
  callerFor,
  changePrincipalAsOwner,
  createTestApiKey,
  createTestCustomer,
  createTestSession,
  createTestTenant,
  createTestUser,
  principalChangesApplied,
  startRestServer,
  uniqueSuffix,
  type TRestServer,
  type TTestTenant,
} from "@/test/factories";

/**
 * The API kernel end to end: sessions and API keys lose access on the very next request, rate
 * limits answer 429 with headers, every error is one problem+json shape (never a 500), admin
 * changes leave a verifiable audit chain, and the tenant-scoped client cannot see across tenants.
 */

let server: TRestServer;
let tenant: TTestTenant;

beforeAll(async () => {
  server = await startRestServer();
  tenant = await createTestTenant();
});

afterAll(async () => {
  await server?.close();
});

interface TProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors: { path: string; message: string }[];
}

async function call(path: string, init: { method?: string; headers?: Headers; body?: unknown; rawBody?: string } = {}) {
  const headers = new Headers(init.headers);
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const response = await fetch(`${server.baseUrl}${path}`, { method: init.method ?? "GET", headers, body });
  const text = await response.text();
  // Never a 500, whatever the test sends.
  expect(response.status, `${init.method ?? "GET"} ${path}: ${text.slice(0, 300)}`).toBeLessThan(500);
  expect(response.headers.get("x-request-id")).toBeTruthy();
  return { response, text, json: text ? (JSON.parse(text) as unknown) : null };
}

/** Asserts the RFC 9457 shape and returns the problem. */
async function expectProblem(result: Awaited<ReturnType<typeof call>>, status: number): Promise<TProblem> {
  expect(result.response.status, result.text.slice(0, 300)).toBe(status);
  expect(result.response.headers.get("content-type")).toBe("application/problem+json");
  const problem = result.json as TProblem;
  expect(Object.keys(problem).sort()).toEqual(["code", "detail", "errors", "requestId", "status", "title", "type"]);
  expect(problem.status).toBe(status);
  expect(problem.requestId).toBe(result.response.headers.get("x-request-id"));
  expect(problem.type).toMatch(/^urn:driftline:problem:/);
  expect(problem.detail).not.toMatch(/at .+\.ts:\d+|prisma|SELECT /i);
  return problem;
}

describe("web sessions lose access on the next request", () => {
  async function memberSession() {
    const user = await createTestUser({ customerId: tenant.customer.id, role: "VIEWER" });
    const session = await createTestSession(user.id);
    const ok = await call("/customers/me", { headers: session.headers });
    expect(ok.response.status).toBe(200);
    return { user, session };
  }

  it(`idle past SESSION_IDLE_MINUTES (${env().SESSION_IDLE_MINUTES} min) -> 401 and the session row is revoked`, async () => {
    const { session } = await memberSession();
    await changePrincipalAsOwner("UPDATE user_sessions SET last_seen_at = now() - make_interval(mins => $2::int + 1) WHERE id = $1", [
      session.sessionId,
      Math.ceil(env().SESSION_IDLE_MINUTES),
    ]);
    const problem = await expectProblem(await call("/customers/me", { headers: session.headers }), 401);
    expect(problem.code).toBe("UNAUTHORIZED");
    expect(problem.detail).toMatch(/session has ended/i);
    const row = await db().userSession.findUniqueOrThrow({ where: { id: session.sessionId }, select: { revokedAt: true } });
    expect(row.revokedAt).not.toBeNull();
    // Coming back within the idle window does not revive it.
    await changePrincipalAsOwner("UPDATE user_sessions SET last_seen_at = now() WHERE id = $1", [session.sessionId]);
    await expectProblem(await call("/customers/me", { headers: session.headers }), 401);
  });

  it("a person's request within the idle window moves last_seen_at forward (background polls: idle-logoff.test.ts)", async () => {
    const { session } = await memberSession();
    await changePrincipalAsOwner("UPDATE user_sessions SET last_seen_at = now() - interval '1 minute' WHERE id = $1", [session.sessionId]);
    const before = await db().userSession.findUniqueOrThrow({ where: { id: session.sessionId }, select: { lastSeenAt: true } });
    const active = new Headers({ cookie: `${session.headers.get("cookie")}; driftline-activity=k${Date.now().toString(36)}` });
    expect((await call("/customers/me", { headers: active })).response.status).toBe(200);
    const after = await db().userSession.findUniqueOrThrow({ where: { id: session.sessionId }, select: { lastSeenAt: true } });
    expect(after.lastSeenAt.getTime()).toBeGreaterThan(before.lastSeenAt.getTime());
  });

  it("past its absolute lifetime (expires_at) -> 401", async () => {
    const { session } = await memberSession();
    // Not idle (seen just now), only old: created 13 hours ago with a 12-hour lifetime.
    await changePrincipalAsOwner(
      "UPDATE user_sessions SET created_at = now() - interval '13 hours', expires_at = now() - interval '1 hour', last_seen_at = now() WHERE id = $1",
      [session.sessionId],
    );
    const problem = await expectProblem(await call("/customers/me", { headers: session.headers }), 401);
    expect(problem.detail).toMatch(/session has ended/i);
  });

  it("a disabled user -> 401 on the next request (tRPC too)", async () => {
    const { user, session } = await memberSession();
    await db().user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    await principalChangesApplied();
    await expectProblem(await call("/customers/me", { headers: session.headers }), 401);
    await expect((await callerFor(session.headers)).customers.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("a forged or garbled session cookie -> 401, not 500", async () => {
    const headers = new Headers({ cookie: "next-auth.session-token=not-a-jwt" });
    const problem = await expectProblem(await call("/customers/me", { headers }), 401);
    expect(problem.detail).toMatch(/invalid session/i);
  });

  it("a removed membership: the user no longer acts in that tenant (403), and other tenants' membership is what remains", async () => {
    const { user, session } = await memberSession();
    const other = await createTestCustomer();
    const removed = await call(`/users/${user.id}`, { method: "DELETE", headers: tenant.keys.ADMIN.headers });
    expect(removed.response.status).toBe(200);
    const problem = await expectProblem(await call("/customers/me", { headers: session.headers }), 403);
    expect(problem.code).toBe("FORBIDDEN");

    // Member of another tenant too: the next request acts there, never in the one they left.
    await db().membership.create({ data: { customerId: other.id, userId: user.id, role: "VIEWER" } });
    await principalChangesApplied();
    const me = await call("/customers/me", { headers: session.headers });
    expect((me.json as { customer: { id: string } }).customer.id).toBe(other.id);
  });

  it("a role change takes effect on the next request", async () => {
    const { user, session } = await memberSession();
    await expectProblem(await call("/users", { headers: session.headers }), 403);
    const changed = await call(`/users/${user.id}`, { method: "PATCH", headers: tenant.keys.ADMIN.headers, body: { role: "ADMIN" } });
    expect(changed.response.status).toBe(200);
    expect((await call("/users", { headers: session.headers })).response.status).toBe(200);
  });
});

describe("API keys", () => {
  it("a revoked key -> 401 saying so", async () => {
    const key = await createTestApiKey(tenant.customer.id, "VIEWER");
    expect((await call("/customers/me", { headers: key.headers })).response.status).toBe(200);
    expect((await call(`/api-keys/${key.id}`, { method: "DELETE", headers: tenant.keys.ADMIN.headers })).response.status).toBe(200);
    const problem = await expectProblem(await call("/customers/me", { headers: key.headers }), 401);
    expect(problem.detail).toBe("This API key has been revoked.");
  });

  it("an expired key -> 401 saying so", async () => {
    const key = await createTestApiKey(tenant.customer.id, "VIEWER");
    await db().apiKey.update({ where: { id: key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const problem = await expectProblem(await call("/customers/me", { headers: key.headers }), 401);
    expect(problem.detail).toBe("This API key has expired.");
  });

  it("unknown, malformed and non-Bearer credentials -> 401 with a clear detail", async () => {
    const unknown = `dl_${"a".repeat(8)}_${"b".repeat(32)}`;
    expect((await expectProblem(await call("/customers/me", { headers: bearerHeaders(unknown) }), 401)).detail).toBe("Unknown API key.");
    expect((await expectProblem(await call("/customers/me", { headers: bearerHeaders("nope") }), 401)).detail).toBe("Malformed API key.");
    const basic = new Headers({ authorization: "Basic dXNlcjpwYXNz" });
    expect((await expectProblem(await call("/customers/me", { headers: basic }), 401)).detail).toMatch(/Bearer/);
    expect((await expectProblem(await call("/customers/me"), 401)).detail).toMatch(/sign in|API key/i);
  });

  it("sets lastUsedAt on use", async () => {
    const key = await createTestApiKey(tenant.customer.id, "ANALYST");
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toBeNull();
    const started = Date.now();
    expect((await call("/settings", { headers: key.headers })).response.status).toBe(200);
    const used = (await db().apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt;
    expect(used).not.toBeNull();
    expect(used!.getTime()).toBeGreaterThanOrEqual(started - 1000);
  });

  it("the plaintext key is shown once: the create answer has it, lists and the database do not", async () => {
    const created = await call("/api-keys", { method: "POST", headers: tenant.keys.ADMIN.headers, body: { name: `once-${uniqueSuffix()}`, role: "VIEWER" } });
    const { key, id } = created.json as { key: string; id: string };
    expect(key).toMatch(/^dl_/);
    const list = await call("/api-keys?limit=100", { headers: tenant.keys.ADMIN.headers });
    expect(list.text).not.toContain(key);
    expect(list.text).not.toMatch(/keyHash|key_hash/);
    const row = await db().apiKey.findUniqueOrThrow({ where: { id } });
    expect(row.keyHash).not.toContain(key);
    expect((await call("/customers/me", { headers: bearerHeaders(key) })).response.status).toBe(200);
  });
});

describe("rate limits", () => {
  it("an exhausted write budget -> 429 with Retry-After and RateLimit-* headers, and nothing written", async () => {
    const own = await createTestTenant();
    const key = own.keys.ADMIN;
    // The kernel's scope for read/write: `${customerId}:${userId ?? apiKeyId ?? ip}` (trpc.ts).
    const scope = `${own.customer.id}:${key.id}`;
    const { points } = rateLimitPolicy("write");
    for (let used = 0; used <= points; used += 10) {
      const results = await Promise.all(Array.from({ length: 10 }, () => consumeRateLimit("write", scope)));
      if (results.some((r) => !r.allowed)) break;
    }
    const before = await db().apiKey.count({ where: { customerId: own.customer.id } });
    const result = await call("/api-keys", { method: "POST", headers: key.headers, body: { name: "over the limit", role: "VIEWER" } });
    const problem = await expectProblem(result, 429);
    expect(problem.code).toBe("TOO_MANY_REQUESTS");
    const headers = result.response.headers;
    expect(Number(headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(headers.get("ratelimit-limit")).toBe(String(points));
    expect(headers.get("ratelimit-remaining")).toBe("0");
    expect(Number(headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(0);
    expect(await db().apiKey.count({ where: { customerId: own.customer.id } })).toBe(before);

    // Another caller of the same tenant has its own budget; reads are a separate class.
    expect(
      (await call("/api-keys", { method: "POST", headers: own.members.ADMIN.session.headers, body: { name: "other caller", role: "VIEWER" } })).response.status,
    ).toBe(200);
    expect((await call("/settings", { headers: key.headers })).response.status).toBe(200);
  });

  it("a caller without the role spends none of the tenant-wide budget (role checked before the rate limit)", async () => {
    const own = await createTestTenant();
    const { points } = rateLimitPolicy("runTrigger");
    for (let i = 0; i < points + 2; i += 1) {
      const refused = await call("/reports/trigger", { method: "POST", headers: own.keys.VIEWER.headers, body: {} });
      await expectProblem(refused, 403);
      expect(refused.response.headers.get("ratelimit-limit")).toBeNull();
    }
    expect(await consumeRateLimit("runTrigger", own.customer.id)).toMatchObject({ allowed: true, remaining: points - 1 });
  });

  it("allowed answers carry RateLimit-* headers too", async () => {
    const result = await call("/settings", { headers: tenant.keys.VIEWER.headers });
    expect(result.response.status).toBe(200);
    expect(result.response.headers.get("ratelimit-limit")).toBe(String(rateLimitPolicy("read").points));
    expect(Number(result.response.headers.get("ratelimit-remaining"))).toBeGreaterThanOrEqual(0);
    expect(result.response.headers.get("retry-after")).toBeNull();
  });
});

describe("one error shape, never a 500", () => {
  it("malformed JSON -> 400 problem", async () => {
    const problem = await expectProblem(await call("/api-keys", { method: "POST", headers: tenant.keys.ADMIN.headers, rawBody: '{"name": "x",' }), 400);
    expect(problem.code).toBe("BAD_REQUEST");
    expect(problem.detail).toMatch(/not valid JSON/);
  });

  it("wrong types -> 400 with field paths", async () => {
    const problem = await expectProblem(
      await call("/api-keys", { method: "POST", headers: tenant.keys.ADMIN.headers, body: { name: 42, role: "OWNER", expiresAt: "soon" } }),
      400,
    );
    expect(problem.errors.map((e) => e.path).sort()).toEqual(["expiresAt", "name", "role"]);
    const settings = await expectProblem(
      await call("/settings", { method: "PATCH", headers: tenant.keys.ADMIN.headers, body: { minSample: "many", fdrQ: 2 } }),
      400,
    );
    expect(settings.errors.map((e) => e.path).sort()).toEqual(["fdrQ", "minSample"]);
  });

  it("unknown fields (customerId, role, createdById) smuggled into writes -> 400 and nothing written", async () => {
    const own = await createTestTenant();
    const other = await createTestCustomer();
    const name = `smuggled-${uniqueSuffix()}`;
    const keysBefore = await db().apiKey.count({ where: { customerId: { in: [own.customer.id, other.id] } } });
    for (const extra of [{ customerId: other.id }, { createdById: own.members.ADMIN.id }, { keyHash: "x" }]) {
      const problem = await expectProblem(
        await call("/api-keys", { method: "POST", headers: own.keys.ADMIN.headers, body: { name, role: "VIEWER", ...extra } }),
        400,
      );
      expect(problem.errors[0]?.message).toContain(Object.keys(extra)[0]);
    }
    expect(await db().apiKey.count({ where: { customerId: { in: [own.customer.id, other.id] } } })).toBe(keysBefore);
    expect(await db().apiKey.count({ where: { name } })).toBe(0);

    const settingsBefore = await db().customerSettings.findUniqueOrThrow({ where: { customerId: own.customer.id } });
    for (const extra of [{ customerId: other.id }, { role: "ADMIN" }, { updatedAt: "2020-01-01T00:00:00Z" }]) {
      const problem = await expectProblem(
        await call("/settings", { method: "PATCH", headers: own.keys.ADMIN.headers, body: { minSample: 99, ...extra } }),
        400,
      );
      expect(problem.errors[0]?.message).toContain(Object.keys(extra)[0]);
    }
    expect(await db().customerSettings.findUniqueOrThrow({ where: { customerId: own.customer.id } })).toEqual(settingsBefore);
    expect((await db().customerSettings.findUniqueOrThrow({ where: { customerId: other.id } })).minSample).not.toBe(99);
    expect(await db().auditEvent.count({ where: { customerId: own.customer.id, action: { in: ["settings.update", "api_key.create"] } } })).toBe(0);
  });

  it("an oversized body (> 1 MiB) -> 413 problem", async () => {
    const problem = await expectProblem(
      await call("/api-keys", { method: "POST", headers: tenant.keys.ADMIN.headers, body: { name: "x".repeat(1024 * 1024 + 1), role: "VIEWER" } }),
      413,
    );
    expect(problem.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("a non-JSON content type -> 415 problem with a matching code", async () => {
    const headers = new Headers(tenant.keys.ADMIN.headers);
    headers.set("content-type", "text/plain");
    const problem = await expectProblem(await call("/api-keys", { method: "POST", headers, rawBody: "name=x" }), 415);
    expect(problem.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("malformed cursor -> 400 naming cursor; limit > 100 or < 1 -> 400 naming limit", async () => {
    const headers = tenant.keys.ADMIN.headers;
    for (const cursor of [
      "garbage",
      Buffer.from("[1,2,3]").toString("base64url"),
      Buffer.from('["x","not-a-uuid"]').toString("base64url"),
      Buffer.from('["not a date","00000000-0000-4000-8000-000000000000"]').toString("base64url"),
    ]) {
      for (const path of ["/users", "/api-keys", "/audit-events"]) {
        const problem = await expectProblem(await call(`${path}?cursor=${encodeURIComponent(cursor)}`, { headers }), 400);
        expect(problem.errors.map((e) => e.path)).toEqual(["cursor"]);
      }
    }
    for (const limit of ["101", "0", "-1", "ten"]) {
      const problem = await expectProblem(await call(`/users?limit=${limit}`, { headers }), 400);
      expect(problem.errors.map((e) => e.path)).toEqual(["limit"]);
    }
    const both = await expectProblem(await call("/users?page=1&cursor=abc", { headers }), 400);
    expect(both.errors.map((e) => e.path)).toEqual(["cursor"]);
    const ordering = await expectProblem(await call("/users?ordering=passwordHash", { headers }), 400);
    expect(ordering.errors.map((e) => e.path)).toEqual(["ordering"]);
  });

  it("a cursor from a previous page walks the list without repeats", async () => {
    const own = await createTestTenant();
    for (let i = 0; i < 4; i += 1) await createTestUser({ customerId: own.customer.id, role: "VIEWER" });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call(`/users?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { headers: own.keys.ADMIN.headers });
      const body = page.json as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it("SQL-ish, LIKE-wildcard and unicode search strings -> 200, matched literally", async () => {
    const searches = ["'; DROP TABLE users; --", "' OR '1'='1", "%", "_", "\\", "100%_off\\", "Ünïcödé ß 漢字 🚀", "\u202Eevil", "a".repeat(200)];
    // A fresh tenant: no audit rows yet (action names contain "_"), no key names with wildcards.
    const own = await createTestTenant();
    const paths = ["/users", "/api-keys", "/audit-events"];
    for (const search of searches) {
      for (const path of paths) {
        const result = await call(`${path}?search=${encodeURIComponent(search)}`, { headers: own.keys.ADMIN.headers });
        expect(result.response.status, `${path} search ${JSON.stringify(search)}`).toBe(200);
        // A wildcard is a character, not "anything": nothing of this tenant contains these.
        expect((result.json as { items: unknown[] }).items, `${path} search ${JSON.stringify(search)}`).toEqual([]);
      }
    }
    // And a literal match finds exactly the row that contains it.
    const weird = await createTestApiKey(own.customer.id, "VIEWER", { name: "100%_off\\ 漢字" });
    for (const search of ["%", "_", "\\", "100%_off\\", "漢字"]) {
      const result = await call(`/api-keys?search=${encodeURIComponent(search)}`, { headers: own.keys.ADMIN.headers });
      expect(
        (result.json as { items: { id: string }[] }).items.map((i) => i.id),
        JSON.stringify(search),
      ).toEqual([weird.id]);
    }
  });

  it("a NUL character in input -> 400, never a 500", async () => {
    const search = await expectProblem(await call(`/users?search=${encodeURIComponent("a\u0000b")}`, { headers: tenant.keys.ADMIN.headers }), 400);
    expect(search.code).toBe("BAD_REQUEST");
    await expectProblem(await call("/api-keys", { method: "POST", headers: tenant.keys.ADMIN.headers, body: { name: "nul\u0000name", role: "VIEWER" } }), 400);
  });

  it("search longer than 200 characters -> 400 naming search", async () => {
    const problem = await expectProblem(await call(`/users?search=${"a".repeat(201)}`, { headers: tenant.keys.ADMIN.headers }), 400);
    expect(problem.errors.map((e) => e.path)).toEqual(["search"]);
  });

  it("unknown route -> 404 problem; a wrong method on a known path -> 4xx problem", async () => {
    const problem = await expectProblem(await call("/no-such-thing", { headers: tenant.keys.ADMIN.headers }), 404);
    expect(problem.code).toBe("NOT_FOUND");
    await expectProblem(await call("/no-such-thing"), 404);
    const wrongMethod = await call("/settings", { method: "PUT", headers: tenant.keys.ADMIN.headers, body: {} });
    expect([404, 405]).toContain(wrongMethod.response.status);
    await expectProblem(wrongMethod, wrongMethod.response.status);
  });

  it("a missing object and a malformed id -> 404 and 400 problems", async () => {
    await expectProblem(await call(`/api-keys/${randomUUID()}`, { method: "DELETE", headers: tenant.keys.ADMIN.headers }), 404);
    const malformed = await expectProblem(await call("/api-keys/not-a-uuid", { method: "DELETE", headers: tenant.keys.ADMIN.headers }), 400);
    expect(malformed.errors.map((e) => e.path)).toEqual(["id"]);
  });

  it("a conflict -> 409 problem (inviting an existing member again)", async () => {
    const member = tenant.members.VIEWER;
    const problem = await expectProblem(
      await call("/invitations", { method: "POST", headers: tenant.keys.ADMIN.headers, body: { email: member.email, role: "ADMIN" } }),
      409,
    );
    expect(problem.code).toBe("CONFLICT");
  });

  it("x-request-id is taken from the caller when well-formed, replaced when not", async () => {
    const given = `trace-${randomUUID()}`;
    const echoed = await call("/settings", { headers: new Headers([...tenant.keys.VIEWER.headers, ["x-request-id", given]]) });
    expect(echoed.response.headers.get("x-request-id")).toBe(given);
    const problem = await call("/users", { headers: new Headers([...tenant.keys.VIEWER.headers, ["x-request-id", given]]) });
    expect((problem.json as TProblem).requestId).toBe(given);
    const replaced = await call("/settings", { headers: new Headers([...tenant.keys.VIEWER.headers, ["x-request-id", "bad id with spaces"]]) });
    expect(replaced.response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("tRPC errors carry the same code, requestId and field errors", async () => {
    const response = await fetch(`${server.origin}/api/trpc/apiKeys.create`, {
      method: "POST",
      headers: new Headers([...tenant.keys.ADMIN.headers, ["content-type", "application/json"]]),
      body: JSON.stringify({ json: { name: 1, role: "VIEWER", customerId: "x" } }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { json: { data: { code: string; requestId: string; errors: { path: string }[] } } } };
    expect(body.error.json.data.code).toBe("BAD_REQUEST");
    expect(body.error.json.data.requestId).toBe(response.headers.get("x-request-id"));
    expect(body.error.json.data.errors.map((e) => e.path).sort()).toEqual(["(body)", "name"]);
  });
});

describe("audit of admin changes", () => {
  const tampered: string[] = [];

  afterAll(async () => {
    // Tampered chains go, so a whole-database verify elsewhere sees only sound chains.
    if (tampered.length > 0) await asOwnerWithoutAuditTrigger([["DELETE FROM audit_events WHERE customer_id = ANY($1::uuid[])", [tampered]]]);
  });

  it("settings, API key and member changes write audit rows; the chain verifies; tampering is detected", async () => {
    const own = await createTestTenant();
    const admin = own.members.ADMIN;
    const headers = admin.session.headers;
    const requestIds: Record<string, string> = {};
    const track = async (action: string, result: Promise<Awaited<ReturnType<typeof call>>>) => {
      const done = await result;
      expect(done.response.status, done.text).toBe(200);
      requestIds[action] = done.response.headers.get("x-request-id")!;
      return done.json;
    };

    await track("settings.update", call("/settings", { method: "PATCH", headers, body: { minSample: 40 } }));
    const key = (await track("api_key.create", call("/api-keys", { method: "POST", headers, body: { name: "audited", role: "ANALYST" } }))) as {
      id: string;
      key: string;
    };
    await track("api_key.revoke", call(`/api-keys/${key.id}`, { method: "DELETE", headers }));
    const invitee = await createTestUser();
    await track("invitation.create", call("/invitations", { method: "POST", headers, body: { email: invitee.email, role: "VIEWER" } }));
    // The invitee's acceptance is audited under the invitee (identity-takeover.test.ts); here the
    // membership it makes is set up directly, so every row below is the admin's.
    await db().membership.create({ data: { customerId: own.customer.id, userId: invitee.id, role: "VIEWER" } });
    await track("user.update", call(`/users/${invitee.id}`, { method: "PATCH", headers, body: { role: "ANALYST" } }));
    await track("user.remove", call(`/users/${invitee.id}`, { method: "DELETE", headers }));

    const rows = await db().auditEvent.findMany({ where: { customerId: own.customer.id }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.action)).toEqual(["settings.update", "api_key.create", "api_key.revoke", "invitation.create", "user.update", "user.remove"]);
    for (const row of rows) {
      expect(row.actorUserId).toBe(admin.id);
      expect(row.actorLabel).toBe(admin.email);
      expect(row.requestId).toBe(requestIds[row.action]);
      expect(row.ip).toBe("127.0.0.1");
    }
    expect(rows.find((r) => r.action === "api_key.create")?.resourceId).toBe(key.id);
    expect(JSON.stringify(rows, (_, value: unknown) => (typeof value === "bigint" ? String(value) : value))).not.toContain(key.key);
    expect(rows.find((r) => r.action === "user.update")?.details).toMatchObject({ role: "ANALYST" });

    // The admin sees them through the API, newest first, filterable.
    const listed = await call(`/audit-events?action=invitation.create`, { headers });
    expect((listed.json as { items: { action: string }[] }).items.map((i) => i.action)).toEqual(["invitation.create"]);

    expect(await verifyAuditChain(db(), own.customer.id)).toEqual({ ok: true, checked: 6, problems: [] });

    tampered.push(own.customer.id);
    await asOwnerWithoutAuditTrigger([
      [`UPDATE audit_events SET details = '{"changed":["minSample","fdrQ"]}'::jsonb WHERE customer_id = $1 AND seq = 1`, [own.customer.id]],
    ]);
    const verdict = await verifyAuditChain(db(), own.customer.id);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([expect.objectContaining({ seq: 1, kind: "hash_mismatch" })]);
  });

  it("an API key's changes are audited under its prefix", async () => {
    const own = await createTestTenant();
    const result = await call("/settings", { method: "PATCH", headers: own.keys.ADMIN.headers, body: { currentDays: 21 } });
    expect(result.response.status).toBe(200);
    const row = await db().auditEvent.findFirstOrThrow({ where: { customerId: own.customer.id, action: "settings.update" } });
    expect(row).toMatchObject({ actorApiKeyId: own.keys.ADMIN.id, actorLabel: own.keys.ADMIN.prefix, actorUserId: null });
    expect(await verifyAuditChain(db(), own.customer.id)).toMatchObject({ ok: true });
  });

  it("the application cannot update or delete audit rows", async () => {
    const own = await createTestTenant();
    await call("/settings", { method: "PATCH", headers: own.keys.ADMIN.headers, body: { minSample: 41 } });
    await expect(db().auditEvent.updateMany({ where: { customerId: own.customer.id }, data: { action: "x" } })).rejects.toThrow();
    await expect(db().auditEvent.deleteMany({ where: { customerId: own.customer.id } })).rejects.toThrow();
  });
});

describe("tenant scoping by construction", () => {
  let a: TTestTenant;
  let b: TTestTenant;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestTenant(), createTestTenant()]);
    // Audit rows in both tenants.
    await (await callerFor(a.keys.ADMIN.headers)).settings.update({ minSample: 31 });
    await (await callerFor(b.keys.ADMIN.headers)).settings.update({ minSample: 32 });
  });

  function delegate(client: unknown, model: string) {
    const name = model.charAt(0).toLowerCase() + model.slice(1);
    return (client as Record<string, { findMany: (args: object) => Promise<unknown[]>; count: (args?: object) => Promise<number> }>)[name]!;
  }

  it("tenantDb(null) returns nothing for any model", async () => {
    const scoped = tenantDb(null);
    const platform: string[] = [];
    const unclassified: string[] = [];
    for (const model of Object.values(Prisma.ModelName)) {
      try {
        expect(await delegate(scoped, model).findMany({ take: 5 }), model).toEqual([]);
        expect(await delegate(scoped, model).count(), model).toBe(0);
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        if (/is platform data/.test(error.message)) platform.push(model);
        else if (/not classified for tenant scoping/.test(error.message)) unclassified.push(model);
        else throw error;
      }
    }
    // A new model must be classified in tenant-scope.ts before tenant code can touch it.
    expect(unclassified, "models not classified in tenant-scope.ts").toEqual([]);
    // Platform tables are not tenant data and not reachable through a scoped client at all.
    expect(platform.sort()).toEqual(["PasswordResetToken", "RateLimit", "WorkerHeartbeat"]);
    // Not vacuous: these models do have rows.
    for (const model of ["Customer", "User", "UserSession", "Membership", "ApiKey", "AuditEvent", "CustomerSettings", "CptGroup"]) {
      expect(await delegate(unscopedDb(), model).count(), model).toBeGreaterThan(0);
    }
  });

  it("tenantDb(A) never returns B's rows", async () => {
    const scoped = tenantDb(a.customer.id);
    const bKeyIds = Object.values(b.keys).map((k) => k.id);
    const bUserIds = Object.values(b.members).map((m) => m.id);

    const keys = await scoped.apiKey.findMany({ select: { id: true, customerId: true } });
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(keys.every((k) => k.customerId === a.customer.id)).toBe(true);
    expect(await scoped.apiKey.findUnique({ where: { id: bKeyIds[0]! } })).toBeNull();
    expect(await scoped.apiKey.findFirst({ where: { id: { in: bKeyIds } } })).toBeNull();
    expect(await scoped.apiKey.count({ where: { customerId: b.customer.id } })).toBe(0);

    const memberships = await scoped.membership.findMany({ select: { customerId: true, userId: true } });
    expect(memberships.map((m) => m.customerId)).toEqual(memberships.map(() => a.customer.id));
    expect(memberships.some((m) => bUserIds.includes(m.userId))).toBe(false);

    const events = await scoped.auditEvent.findMany({ select: { customerId: true } });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.customerId === a.customer.id)).toBe(true);
    expect(await scoped.auditEvent.findFirst({ where: { customerId: b.customer.id } })).toBeNull();

    expect(await scoped.customerSettings.findUnique({ where: { customerId: b.customer.id } })).toBeNull();
    expect((await scoped.customer.findMany({ select: { id: true } })).map((c) => c.id)).toEqual([a.customer.id]);
    expect(await scoped.user.findUnique({ where: { id: bUserIds[0]! } })).toBeNull();
    expect((await scoped.user.findMany({ select: { id: true } })).map((u) => u.id).sort()).toEqual(
      Object.values(a.members)
        .map((m) => m.id)
        .sort(),
    );
    expect(await scoped.userSession.count({ where: { userId: { in: bUserIds } } })).toBe(0);
  });

  it("tenantDb(A) cannot change or delete B's rows", async () => {
    const scoped = tenantDb(a.customer.id);
    const bKey = b.keys.VIEWER;
    await expect(scoped.apiKey.update({ where: { id: bKey.id }, data: { revokedAt: new Date() } })).rejects.toThrow();
    expect(await scoped.apiKey.updateMany({ where: { id: bKey.id }, data: { revokedAt: new Date() } })).toEqual({ count: 0 });
    expect(await scoped.apiKey.deleteMany({ where: { id: bKey.id } })).toEqual({ count: 0 });
    expect(await scoped.membership.deleteMany({ where: { userId: b.members.VIEWER.id } })).toEqual({ count: 0 });
    await expect(scoped.user.update({ where: { id: b.members.VIEWER.id }, data: { name: "hijacked" } })).rejects.toThrow();
    const row = await db().apiKey.findUniqueOrThrow({ where: { id: bKey.id } });
    expect(row.revokedAt).toBeNull();
    expect((await db().user.findUniqueOrThrow({ where: { id: b.members.VIEWER.id } })).name).not.toBe("hijacked");
  });

  it("a create through tenantDb(A) is stamped with A even when customerId B is passed; updates cannot move a row", async () => {
    const scoped = tenantDb(a.customer.id);
    const created = await scoped.apiKey.create({
      data: { customerId: b.customer.id, name: "stamped", prefix: `dl_${uniqueSuffix()}`, keyHash: randomUUID(), role: "ADMIN" },
      select: { id: true, customerId: true },
    });
    expect(created.customerId).toBe(a.customer.id);
    await scoped.apiKey.update({ where: { id: created.id }, data: { customerId: b.customer.id, name: "moved?" } });
    const row = await db().apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ customerId: a.customer.id, name: "moved?" });
    await expect(scoped.customer.create({ data: { slug: `nope-${uniqueSuffix()}`, name: "nope" } })).rejects.toThrow(/cannot be created/);
    await expect(tenantDb(null).user.create({ data: { email: `nope-${randomUUID()}@example.test`, passwordHash: "x" } })).rejects.toThrow(/cannot be created/);
  });

  it("a foreign id is a 404 through the API for every id-taking admin operation", async () => {
    const bAdmin = b.keys.ADMIN.headers;
    await expectProblem(await call(`/api-keys/${a.keys.VIEWER.id}`, { method: "DELETE", headers: bAdmin }), 404);
    await expectProblem(await call(`/users/${a.members.VIEWER.id}`, { method: "PATCH", headers: bAdmin, body: { role: "ADMIN" } }), 404);
    await expectProblem(await call(`/users/${a.members.VIEWER.id}`, { method: "DELETE", headers: bAdmin }), 404);
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: a.keys.VIEWER.id } })).revokedAt).toBeNull();
    expect((await db().membership.findFirstOrThrow({ where: { userId: a.members.VIEWER.id } })).role).toBe("VIEWER");
  });
});
