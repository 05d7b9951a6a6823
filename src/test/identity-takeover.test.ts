import { encode } from "next-auth/jwt";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/env";
import { db } from "@/server/db/client";
import { signInWithPassword } from "@/server/services/auth/sign-in";
import {
  createTestSession,
  createTestSuperuser,
  createTestTenant,
  createTestUser,
  sessionHeaders,
  startRestServer,
  uniqueSuffix,
  type TRestServer,
  type TTestTenant,
} from "@/test/factories";

/**
 * The identity findings of the outside review, replayed over HTTP against the real route
 * handlers (REST for the admins, the web app's tRPC door for the invitee) and the real sign-in
 * service behind the sign-in form:
 *  1. cross-tenant takeover through an account pre-registered with a password A chose;
 *  2. a tenant admin disabling a superuser;
 *  and the follow-ups: an API key outliving its creator's membership, invitations revealing
 *  which e-mails have accounts.
 */

let server: TRestServer;
let a: TTestTenant;
let b: TTestTenant;

beforeAll(async () => {
  server = await startRestServer();
  [a, b] = [await createTestTenant(), await createTestTenant()];
});

afterAll(async () => {
  await server?.close();
});

async function rest(path: string, init: { method?: string; headers?: Headers; body?: unknown } = {}) {
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  expect(response.status, `${init.method ?? "GET"} ${path}: ${text.slice(0, 300)}`).toBeLessThan(500);
  return { status: response.status, json: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

/** A web-app call through /api/trpc (superjson envelope), as the pages make it. */
async function trpc(procedure: string, input: unknown, headers: Headers = new Headers()) {
  const withType = new Headers(headers);
  withType.set("content-type", "application/json");
  const response = await fetch(`${server.origin}/api/trpc/${procedure}`, { method: "POST", headers: withType, body: JSON.stringify({ json: input }) });
  const body = (await response.json()) as { result?: { data: { json: unknown } }; error?: { json: { message: string; data: { code: string } } } };
  expect(response.status, `${procedure}: ${JSON.stringify(body).slice(0, 300)}`).toBeLessThan(500);
  return { status: response.status, data: body.result?.data.json as Record<string, unknown> | undefined, error: body.error?.json };
}

/** What the sign-in form does: the real sign-in service, then the signed session cookie. */
async function signIn(email: string, password: string): Promise<Headers | null> {
  const result = await signInWithPassword({ email, password, ip: "127.0.0.9" });
  if (!result) return null;
  return sessionHeaders(await encode({ token: { sid: result.sessionId }, secret: env().AUTH_SECRET }));
}

function tokenOf(invitation: Record<string, unknown>): string {
  expect(invitation.delivery).toBe("LINK");
  const link = String(invitation.link);
  const token = new URL(link, "http://x").hash.replace(/^#token=/, "");
  expect(token).toMatch(/^dli_/);
  return token;
}

describe("finding 1: cross-tenant takeover through a pre-registered account", () => {
  it("no admin sets another person's password; A's password never opens B; jane's own reset ends A's hold", async () => {
    const jane = `jane-${uniqueSuffix()}@victim.example`;
    const passwordA = "password-chosen-by-A-admin";
    const adminA = a.members.ADMIN.session.headers;
    const adminB = b.members.ADMIN.session.headers;

    // The old first step — A's admin creates jane's account with a password A chose — is gone.
    const old = await rest("/users", { method: "POST", headers: adminA, body: { email: jane, role: "VIEWER", password: passwordA } });
    expect([400, 404, 405]).toContain(old.status);
    expect(await db().user.findUnique({ where: { email: jane } })).toBeNull();

    // A invites jane. Without SMTP the link is shown once to A's admin — the worst case: A's
    // admin opens it and chooses jane's password themselves.
    const invitedByA = await rest("/invitations", { method: "POST", headers: adminA, body: { email: jane, role: "VIEWER" } });
    expect(invitedByA.status).toBe(200);
    const accepted = await trpc("invitations.accept", { token: tokenOf(invitedByA.json), password: passwordA });
    expect(accepted.status).toBe(200);
    const janeId = String(accepted.data?.userId);

    // B invites jane; B's admin cannot set a password either (unknown field).
    const withPassword = await rest("/invitations", { method: "POST", headers: adminB, body: { email: jane, role: "ANALYST", password: "B-password-123456" } });
    expect(withPassword.status).toBe(400);
    const invitedByB = await rest("/invitations", { method: "POST", headers: adminB, body: { email: jane, role: "ANALYST" } });
    expect(invitedByB.status).toBe(200);

    // A removes jane from A.
    expect((await rest(`/users/${janeId}`, { method: "DELETE", headers: adminA })).status).toBe(200);

    // A's password signs in to jane's account, but it opens no tenant: B's invitation is not a
    // membership until someone holding B's link and signed in as jane accepts it.
    const heldByA = await signIn(jane, passwordA);
    expect(heldByA).not.toBeNull();
    const me = await rest("/customers/me", { headers: heldByA! });
    expect(me.status).toBe(403);
    expect((await rest("/claims", { headers: heldByA! })).status).toBe(403);
    expect(await db().membership.count({ where: { userId: janeId } })).toBe(0);
    // A's spent link opens nothing any more.
    expect((await trpc("invitations.accept", { token: tokenOf(invitedByA.json) }, heldByA!)).status).toBe(404);

    // The real jane gets B's link. Her account exists, so the link alone cannot set a password.
    const tokenB = tokenOf(invitedByB.json);
    const overwrite = await trpc("invitations.accept", { token: tokenB, password: "janes-own-password-1" });
    expect(overwrite.status).toBe(409);
    expect(await signIn(jane, "janes-own-password-1")).toBeNull();

    // She resets her password by single-use token (no SMTP here: a superuser issues it, shown once).
    const superuser = await createTestSuperuser();
    const su = await createTestSession(superuser.id);
    const issued = await trpc("accounts.issuePasswordReset", { email: jane }, su.headers);
    expect(issued.status).toBe(200);
    const resetToken = new URL(String(issued.data?.link), "http://x").hash.replace(/^#token=/, "");
    expect((await trpc("passwordResets.complete", { token: resetToken, password: "janes-own-password-1" })).status).toBe(200);
    // Single use.
    expect((await trpc("passwordResets.complete", { token: resetToken, password: "another-password-12" })).status).toBe(404);

    // A's password and A's open session are finished.
    expect((await rest("/customers/me", { headers: heldByA! })).status).toBe(401);
    expect(await signIn(jane, passwordA)).toBeNull();

    // Jane signs in with her own password and accepts B.
    const janeSession = await signIn(jane, "janes-own-password-1");
    const joined = await trpc("invitations.accept", { token: tokenB }, janeSession!);
    expect(joined.status).toBe(200);
    const inB = await rest("/customers/me", { headers: janeSession! });
    expect(inB.status).toBe(200);
    expect((inB.json.customer as { id: string }).id).toBe(b.customer.id);
    expect(inB.json.role).toBe("ANALYST");
  });

  it("an invitation link is for its own address: another signed-in account cannot accept it", async () => {
    const invited = await rest("/invitations", {
      method: "POST",
      headers: a.members.ADMIN.session.headers,
      body: { email: `x-${uniqueSuffix()}@example.test`, role: "ADMIN" },
    });
    const other = await signIn((await createTestUser({ password: "other-account-password" })).email, "other-account-password");
    const result = await trpc("invitations.accept", { token: tokenOf(invited.json) }, other!);
    expect(result.status).toBe(403);
    expect(await db().membership.count({ where: { customerId: a.customer.id, role: "ADMIN" } })).toBe(1);
  });
});

describe("finding 2: a tenant admin cannot disable a superuser (or any account)", () => {
  it("inviting the superuser's address makes no membership; PATCH {disabled} is refused; the superuser still signs in", async () => {
    const superuser = await createTestUser({ superuser: true, password: "superuser-password-1" });
    const adminA = a.members.ADMIN.session.headers;
    expect((await rest("/invitations", { method: "POST", headers: adminA, body: { email: superuser.email, role: "VIEWER" } })).status).toBe(200);
    expect(await db().membership.count({ where: { userId: superuser.id } })).toBe(0);
    expect((await rest(`/users/${superuser.id}`, { method: "PATCH", headers: adminA, body: { disabled: true } })).status).toBe(400);
    // Even a member of the tenant (here the superuser joined it) cannot be disabled by its admin.
    await db().membership.create({ data: { customerId: a.customer.id, userId: superuser.id, role: "VIEWER" } });
    expect((await rest(`/users/${superuser.id}`, { method: "PATCH", headers: adminA, body: { disabled: true } })).status).toBe(400);
    expect((await db().user.findUniqueOrThrow({ where: { id: superuser.id } })).disabledAt).toBeNull();
    expect(await signIn(superuser.email, "superuser-password-1")).not.toBeNull();
  });

  it("the database refuses it too: the tenant role cannot update any account", async () => {
    const victim = await createTestUser({ customerId: a.customer.id, role: "VIEWER" });
    // The application's tenant login (a member of driftline_app), scoped to A.
    const client = new pg.Client({ connectionString: process.env.DATABASE_TENANT_URL });
    await client.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT set_config('app.customer_id', $1, true)", [a.customer.id]);
      await expect(client.query("UPDATE users SET disabled_at = now() WHERE id = $1", [victim.id])).rejects.toThrow(/permission denied/);
      await client.query("ROLLBACK");
    } finally {
      await client.end();
    }
  });
});

describe("API keys of a removed member", () => {
  it("stop working when their creator leaves the tenant (revoked, audited)", async () => {
    const own = await createTestTenant();
    const creator = await createTestUser({ customerId: own.customer.id, role: "ADMIN" });
    const creatorSession = await createTestSession(creator.id);
    const created = await rest("/api-keys", { method: "POST", headers: creatorSession.headers, body: { name: "pipeline", role: "ANALYST" } });
    const key = new Headers({ authorization: `Bearer ${String(created.json.key)}` });
    expect((await rest("/customers/me", { headers: key })).status).toBe(200);
    expect((await rest(`/users/${creator.id}`, { method: "DELETE", headers: own.members.ADMIN.session.headers })).status).toBe(200);
    const refused = await rest("/customers/me", { headers: key });
    expect(refused.status).toBe(401);
    expect(String(refused.json.detail)).toMatch(/revoked/);
    const removal = await db().auditEvent.findFirstOrThrow({ where: { customerId: own.customer.id, action: "user.remove" } });
    expect(removal.details).toMatchObject({ revokedApiKeys: 1 });
    // Keys made by the members who stay keep working.
    expect((await rest("/customers/me", { headers: own.keys.ANALYST.headers })).status).toBe(200);
  });
});

describe("invitations do not reveal which e-mails have accounts", () => {
  it("inviting an address with an account and one without gives the same answer and the same audit row", async () => {
    const own = await createTestTenant();
    const headers = own.members.ADMIN.session.headers;
    const existing = await createTestUser({ customerId: b.customer.id, role: "VIEWER" });
    const fresh = `new-${uniqueSuffix()}@example.test`;
    const one = await rest("/invitations", { method: "POST", headers, body: { email: existing.email, role: "VIEWER" } });
    const two = await rest("/invitations", { method: "POST", headers, body: { email: fresh, role: "VIEWER" } });
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(Object.keys(one.json).sort()).toEqual(Object.keys(two.json).sort());
    for (const field of ["status", "delivery", "role"]) expect(one.json[field]).toEqual(two.json[field]);
    const audits = await db().auditEvent.findMany({ where: { customerId: own.customer.id, action: "invitation.create" }, orderBy: { seq: "asc" } });
    expect(audits).toHaveLength(2);
    expect(Object.keys(audits[0]!.details as object).sort()).toEqual(Object.keys(audits[1]!.details as object).sort());
    expect(JSON.stringify(audits[0]!.details)).not.toMatch(/newAccount|exists/i);
    // The list of invitations says nothing about accounts either.
    const list = await rest("/invitations", { headers });
    expect(JSON.stringify(list.json)).not.toMatch(/newAccount|hasAccount|userId/);
  });

  it("a password reset request answers the same for a known and an unknown address", async () => {
    const known = await createTestUser({ password: "known-account-password" });
    const first = await trpc("passwordResets.request", { email: known.email });
    const second = await trpc("passwordResets.request", { email: `nobody-${uniqueSuffix()}@example.test` });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.data).toEqual(second.data);
  });
});
