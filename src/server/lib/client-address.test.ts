import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "@/env";
import { markClientIpFromSocket } from "@/server/api/metrics-endpoint";
import { db } from "@/server/db/client";
import { clientAddress, parseTrustedProxies } from "@/server/lib/client-address";
import { startRestServer, type TRestServer } from "@/test/factories";

/**
 * The client address behind a reverse proxy (TRUSTED_PROXIES): X-Forwarded-For is believed only
 * from a listed proxy, so behind the proxy each client has its own sign-in bucket and loopback-
 * only metrics stay private, while a direct caller cannot choose its own address.
 */

// Small per-address bucket so the tests reach it quickly; per account stays as shipped.
process.env.RATE_LIMIT_OVERRIDES = JSON.stringify({ signInAddress: { points: 3, duration: 900 } });

const KEY = "a-metrics-token-of-sufficient-length";

describe("clientAddress", () => {
  const proxies = parseTrustedProxies("10.0.0.5, 10.1.0.0/16, fd00::/8");

  it("without trusted proxies, or from an untrusted peer, is the socket's peer", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", null)).toBe("203.0.113.9");
    expect(clientAddress("203.0.113.9", "198.51.100.1", proxies)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:203.0.113.9", "127.0.0.1", proxies)).toBe("203.0.113.9");
  });

  it("from a trusted proxy, is the right-most forwarded address that is not a trusted proxy", () => {
    expect(clientAddress("10.0.0.5", "198.51.100.1", proxies)).toBe("198.51.100.1");
    expect(clientAddress("::ffff:10.0.0.5", "198.51.100.1", proxies)).toBe("198.51.100.1");
    // The client's own claim (left) is not believed; the hop the trusted proxies saw is.
    expect(clientAddress("10.0.0.5", "127.0.0.1, 198.51.100.1, 10.1.2.3", proxies)).toBe("198.51.100.1");
    expect(clientAddress("fd00::1", ["198.51.100.2", "fd00::2"], proxies)).toBe("198.51.100.2");
    // A malformed hop ends the walk at the last proxy that vouched for it.
    expect(clientAddress("10.0.0.5", "evil, 10.1.0.9", proxies)).toBe("10.1.0.9");
    // No header: the proxy itself is the client.
    expect(clientAddress("10.0.0.5", undefined, proxies)).toBe("10.0.0.5");
  });

  it("TRUSTED_PROXIES is validated at start-up; production requires METRICS_TOKEN", () => {
    expect(() => parseEnv({ TRUSTED_PROXIES: "10.0.0.5, not-an-ip" })).toThrow(/TRUSTED_PROXIES: "not-an-ip" is not an IP address/);
    expect(() => parseEnv({ TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow(EnvError);
    expect(parseEnv({ TRUSTED_PROXIES: "10.0.0.0/8,::1" }).TRUSTED_PROXIES).toBe("10.0.0.0/8,::1");
    const production = { DRIFTLINE_MODE: "production", AUTH_SECRET: KEY, PATIENT_HASH_KEY: KEY, WEBHOOK_SECRET_KEY: KEY };
    expect(() => parseEnv(production)).toThrow(/METRICS_TOKEN: must be set in production/);
    expect(parseEnv({ ...production, METRICS_TOKEN: KEY }).METRICS_TOKEN).toBe(KEY);
  });
});

describe("over HTTP", () => {
  let behindProxy: TRestServer;
  let direct: TRestServer;

  beforeAll(async () => {
    behindProxy = await startRestServer({ trustedProxies: "127.0.0.1" });
    direct = await startRestServer();
  });

  afterAll(async () => {
    await behindProxy?.close();
    await direct?.close();
  });

  async function signIn(server: TRestServer, forwardedFor: string | null, email = `nobody-${randomUUID()}@example.test`): Promise<number> {
    const headers = new Headers({ "content-type": "application/x-www-form-urlencoded" });
    if (forwardedFor) headers.set("x-forwarded-for", forwardedFor);
    const response = await fetch(`${server.origin}/api/auth/callback/credentials`, {
      method: "POST",
      headers,
      body: new URLSearchParams({ email, password: "wrong-password" }).toString(),
    });
    await response.arrayBuffer();
    return response.status;
  }

  function testNetAddress(): string {
    return `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
  }

  it("behind a trusted proxy, two forwarded clients get separate per-address buckets", async () => {
    const first = testNetAddress();
    const second = first.replace(/\d+$/, (last) => String((Number(last) % 250) + 1));
    for (let attempt = 0; attempt < 3; attempt += 1) expect(await signIn(behindProxy, first)).toBe(401);
    expect(await signIn(behindProxy, first)).toBe(429);
    // Another clinic behind the same proxy is not refused because of the first one.
    expect(await signIn(behindProxy, second)).toBe(401);
  });

  it("an untrusted peer's X-Forwarded-For is ignored: a new forged address each time does not escape the limit", async () => {
    const email = `nobody-${randomUUID()}@example.test`;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) statuses.push(await signIn(direct, testNetAddress(), email));
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses[3]).toBe(429);
    // The audit trail names the socket's address, not the caller's claim.
    const rows = await db().auditEvent.findMany({ where: { actorLabel: email }, select: { ip: true } });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.ip).toBe("127.0.0.1");
  });

  it("/api/metrics through the proxy is not public; the proxy host itself (loopback) still is", async () => {
    markClientIpFromSocket();
    const viaProxy = await fetch(`${behindProxy.origin}/api/metrics`, { headers: { "x-forwarded-for": "203.0.113.77" } });
    expect(viaProxy.status).toBe(403);
    await viaProxy.arrayBuffer();
    const local = await fetch(`${behindProxy.origin}/api/metrics`);
    expect(local.status).toBe(200);
    await local.arrayBuffer();
  });
});
