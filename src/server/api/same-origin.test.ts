import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { testLine, toCsv } from "@/test/claim-csv";
import { createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";

/**
 * Cross-site request forgery: a cookie-authenticated mutation must come from our own pages. A
 * browser sends the session cookie (SameSite=Lax) with a cross-site form POST — text/plain or
 * multipart need no preflight — so both doors (tRPC, REST, the upload route) refuse an unsafe
 * method whose Origin is foreign or whose Sec-Fetch-Site says cross-site/same-site: 403
 * problem+json, nothing written. API-key callers are not affected (a browser cannot attach the
 * key cross-site), nor are requests without Origin (not a browser).
 */

let server: TRestServer;
let tenant: TTestTenant;
const EVIL = "https://evil.example";

beforeAll(async () => {
  server = await startRestServer();
  tenant = await createTestTenant();
});

afterAll(async () => {
  await server?.close();
});

function cookie(role: "ADMIN" | "ANALYST" = "ADMIN"): Record<string, string> {
  return { cookie: tenant.members[role].session.headers.get("cookie") ?? "" };
}

async function keyCount(name: string): Promise<number> {
  return db().apiKey.count({ where: { customerId: tenant.customer.id, name } });
}

async function expectRefused(response: Response): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(403);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = JSON.parse(text) as { code: string; detail: string; status: number };
  expect(problem).toMatchObject({ status: 403, code: "FORBIDDEN" });
  expect(problem.detail).toMatch(/cross-site/i);
}

function restCreateKey(headers: Record<string, string>, name: string, contentType = "application/json"): Promise<Response> {
  return fetch(`${server.baseUrl}/api-keys`, {
    method: "POST",
    headers: { "content-type": contentType, ...headers },
    body: JSON.stringify({ name, role: "VIEWER" }),
  });
}

function trpcCreateKey(headers: Record<string, string>, name: string): Promise<Response> {
  return fetch(`${server.origin}/api/trpc/apiKeys.create`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ json: { name, role: "VIEWER" } }),
  });
}

describe("REST door", () => {
  it("a cookie-authenticated POST with a foreign Origin is refused and writes nothing", async () => {
    const name = `csrf-${randomUUID()}`;
    await expectRefused(await restCreateKey({ ...cookie(), origin: EVIL }, name));
    await expectRefused(await restCreateKey({ ...cookie(), "sec-fetch-site": "cross-site" }, name));
    // A form post (text/plain needs no preflight): refused before its body is even looked at.
    await expectRefused(await restCreateKey({ ...cookie(), origin: EVIL }, name, "text/plain"));
    await expectRefused(await restCreateKey({ ...cookie(), origin: "null" }, name));
    expect(await keyCount(name)).toBe(0);
  });

  it("same-origin works, and so does an API key without (or with any) Origin", async () => {
    const sameOrigin = `same-${randomUUID()}`;
    const created = await restCreateKey({ ...cookie(), origin: server.origin, "sec-fetch-site": "same-origin" }, sameOrigin);
    expect(created.status, await created.text()).toBe(200);
    const withKey = `key-${randomUUID()}`;
    const byKey = await restCreateKey({ authorization: `Bearer ${tenant.keys.ADMIN.key}` }, withKey);
    expect(byKey.status, await byKey.text()).toBe(200);
    const byKeyForeign = await restCreateKey({ authorization: `Bearer ${tenant.keys.ADMIN.key}`, origin: EVIL }, `${withKey}-2`);
    expect(byKeyForeign.status, await byKeyForeign.text()).toBe(200);
    expect(await keyCount(sameOrigin)).toBe(1);
    expect(await keyCount(withKey)).toBe(1);
  });

  it("reads are not affected (GET with a foreign Origin)", async () => {
    const response = await fetch(`${server.baseUrl}/customers/me`, { headers: { ...cookie(), origin: EVIL, "sec-fetch-site": "cross-site" } });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });
});

describe("tRPC door", () => {
  it("a cookie-authenticated mutation with a foreign Origin is refused; same-origin works", async () => {
    const name = `trpc-${randomUUID()}`;
    await expectRefused(await trpcCreateKey({ ...cookie(), origin: EVIL }, name));
    await expectRefused(await trpcCreateKey({ ...cookie(), "sec-fetch-site": "same-site" }, name));
    expect(await keyCount(name)).toBe(0);
    const ok = await trpcCreateKey({ ...cookie(), origin: server.origin, "sec-fetch-site": "same-origin" }, name);
    expect(ok.status, await ok.text()).toBe(200);
    expect(await keyCount(name)).toBe(1);
  });
});

describe("upload route", () => {
  it("a cross-site text/plain or multipart upload with the session cookie is refused and stores nothing", async () => {
    const csv = toCsv([testLine()]);
    const before = await db().upload.count({ where: { customerId: tenant.customer.id } });
    const plain = await fetch(`${server.baseUrl}/uploads`, {
      method: "POST",
      headers: { ...cookie("ANALYST"), origin: EVIL, "content-type": "text/plain" },
      body: csv,
    });
    await expectRefused(plain);
    const form = new FormData();
    form.append("file", new Blob([csv], { type: "text/csv" }), "claims.csv");
    const multipart = await fetch(`${server.baseUrl}/uploads`, {
      method: "POST",
      headers: { ...cookie("ANALYST"), "sec-fetch-site": "cross-site" },
      body: form,
    });
    await expectRefused(multipart);
    expect(await db().upload.count({ where: { customerId: tenant.customer.id } })).toBe(before);
  });
});
