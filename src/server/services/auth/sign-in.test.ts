import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { metrics } from "@/server/lib/metrics";
import { createTestCustomer, createTestUser, startRestServer, type TRestServer } from "@/test/factories";

/**
 * Password sign-in under attack, over HTTP (POST /api/auth/callback/credentials, behind a trusted
 * proxy so each test chooses its clients' addresses):
 * - a guesser cannot keep a legitimate user out: lock-outs are per account *and* address, and a
 *   distributed attack on one account refuses only addresses the account has never signed in from;
 * - refused (rate-limited) attempts do not each write an audit row: the first refusal of a window
 *   is audited, the rest are counted in driftline_sign_in_refused_total.
 */

// Shipped per-pair (5) and per-address (20) limits; a small account-wide limit to reach quickly.
process.env.RATE_LIMIT_OVERRIDES = JSON.stringify({ signInAccount: { points: 12, duration: 900 } });

const PASSWORD = "correct horse battery staple";
let server: TRestServer;
let customerId: string;

beforeAll(async () => {
  server = await startRestServer({ trustedProxies: "127.0.0.1" });
  customerId = (await createTestCustomer()).id;
});

afterAll(async () => {
  await server?.close();
});

let nextOctet = 1;
/** A fresh documentation address (RFC 5737) per call: tests do not share address buckets. */
function address(): string {
  const n = nextOctet++;
  return `203.0.${113 + Math.floor(n / 250)}.${n % 250}`;
}

async function signIn(email: string, password: string, from: string): Promise<number> {
  const response = await fetch(`${server.origin}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": from },
    body: new URLSearchParams({ email, password }).toString(),
  });
  await response.arrayBuffer();
  return response.status;
}

async function victim() {
  return createTestUser({ customerId, role: "VIEWER", password: PASSWORD, email: `victim-${randomUUID()}@example.test` });
}

async function refusedCount(): Promise<number> {
  const metric = await metrics()
    .registry.getSingleMetricAsString("driftline_sign_in_refused_total")
    .catch(() => "");
  return [...metric.matchAll(/^driftline_sign_in_refused_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe("lock-out cannot be used to keep a user out", () => {
  it("an attacker's guesses lock the attacker's address, not the account: the user signs in from theirs", async () => {
    const user = await victim();
    const attacker = address();
    const statuses: number[] = [];
    for (let guess = 0; guess < 7; guess += 1) statuses.push(await signIn(user.email, `guess-${guess}`, attacker));
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Even the right password is refused from the locked address…
    expect(await signIn(user.email, PASSWORD, attacker)).toBe(429);
    // …but the user, from their own address, is let in at once.
    expect(await signIn(user.email, PASSWORD, address())).toBe(200);
  });

  it("a distributed attack locks out unknown addresses only; the user's known address still signs in", async () => {
    const user = await victim();
    const home = address();
    expect(await signIn(user.email, PASSWORD, home)).toBe(200);
    // Guesses from many addresses, two each: every address far below its own limits. With the
    // user's own sign-in they make 12 attempts on the account, its limit in this file.
    for (let bot = 0; bot < 5; bot += 1) {
      const from = address();
      for (let guess = 0; guess < 2; guess += 1) expect(await signIn(user.email, `bot-${bot}-${guess}`, from)).toBe(401);
    }
    expect(await signIn(user.email, "guess-12", address())).toBe(401);
    expect(await signIn(user.email, "guess-13", address())).toBe(429);
    // A new address is refused even with the right password while the account is under attack…
    expect(await signIn(user.email, PASSWORD, address())).toBe(429);
    // …the address the user signed in from before is not.
    expect(await signIn(user.email, PASSWORD, home)).toBe(200);
  });

  it("a success clears that address's failures for the account (a few typos are not a lock-out)", async () => {
    const user = await victim();
    const from = address();
    for (let typo = 0; typo < 4; typo += 1) expect(await signIn(user.email, `typo-${typo}`, from)).toBe(401);
    expect(await signIn(user.email, PASSWORD, from)).toBe(200);
    for (let typo = 0; typo < 4; typo += 1) expect(await signIn(user.email, `typo-again-${typo}`, from)).toBe(401);
    expect(await signIn(user.email, PASSWORD, from)).toBe(200);
  });
});

describe("refused attempts do not flood the audit trail", () => {
  it("past the limit, one audit row marks the lock-out and the rest are counted in a metric", async () => {
    const email = `flood-${randomUUID()}@example.test`;
    const from = address();
    const before = await refusedCount();
    for (let attempt = 0; attempt < 5; attempt += 1) expect(await signIn(email, "wrong", from)).toBe(401);
    for (let attempt = 0; attempt < 15; attempt += 1) expect(await signIn(email, "wrong", from)).toBe(429);
    const rows = await db().auditEvent.findMany({ where: { actorLabel: email }, select: { action: true, details: true } });
    const failures = rows.filter((row) => row.action === "auth.sign_in_failed");
    const refusals = rows.filter((row) => row.action === "auth.sign_in_rate_limited");
    // Every attempt that was checked is audited; the 15 refusals leave one row per limit that
    // started refusing (this address for this account at the 6th, the account-wide one at the
    // 13th: 12 in this file), not 15.
    expect(failures).toHaveLength(5);
    expect(refusals.flatMap((row) => (row.details as { limits: string[] }).limits).sort()).toEqual(["account", "pair"]);
    expect(await refusedCount()).toBeGreaterThanOrEqual(before + 15);
  });
});
