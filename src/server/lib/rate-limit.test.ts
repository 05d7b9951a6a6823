import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  closeRateLimitStore,
  consumeRateLimit,
  parseRateLimitOverrides,
  rateLimitHeaders,
  rateLimitLeaseSize,
  rateLimitPolicy,
  rateLimitStoreCalls,
  resetRateLimit,
  type TRateLimitResult,
} from "./rate-limit";

// Read once, on first use, so it must be in place before the first consume of this file.
const OVERRIDES = {
  write: { points: 5, duration: 60 },
  runTrigger: { points: 7, duration: 3600 },
  signInAccount: { points: 3 },
};
process.env.RATE_LIMIT_OVERRIDES = JSON.stringify(OVERRIDES);

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../../..");

afterAll(async () => {
  await closeRateLimitStore();
});

const uniqueKey = (label: string) => `test:${label}:${randomUUID()}`;

describe("RATE_LIMIT_OVERRIDES", () => {
  it("merges overrides into the defaults", () => {
    expect(rateLimitPolicy("write")).toEqual({ points: 5, duration: 60 });
    expect(rateLimitPolicy("signInAccount")).toEqual({ points: 3, duration: 3600 });
    expect(rateLimitPolicy("signInAddress")).toEqual({ points: 20, duration: 900 });
    expect(rateLimitPolicy("read")).toEqual({ points: 600, duration: 60 });
    expect(parseRateLimitOverrides(undefined).runTrigger).toEqual({ points: 10, duration: 3600 });
  });

  it("refuses bad JSON, unknown kinds and bad numbers with a clear message", () => {
    expect(() => parseRateLimitOverrides("{nope")).toThrow(/RATE_LIMIT_OVERRIDES: not valid JSON/);
    expect(() => parseRateLimitOverrides('{"reads":{"points":1}}')).toThrow(/RATE_LIMIT_OVERRIDES: .*reads/);
    expect(() => parseRateLimitOverrides('{"read":{"points":0}}')).toThrow(/RATE_LIMIT_OVERRIDES: read\.points/);
    expect(() => parseRateLimitOverrides('{"read":{"duration":1.5}}')).toThrow(/read\.duration/);
  });
});

describe("consumeRateLimit", () => {
  it("allows exactly N of M concurrent consumes on one key", async () => {
    const key = uniqueKey("concurrent");
    const results = await Promise.all(Array.from({ length: 12 }, () => consumeRateLimit("write", key)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect(results.filter((r) => !r.allowed).every((r) => r.remaining === 0 && r.limit === 5)).toBe(true);
    expect(
      results
        .filter((r) => r.allowed)
        .map((r) => r.remaining)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4]);
    expect(results.every((r) => r.resetSeconds > 0 && r.resetSeconds <= 60)).toBe(true);
  });

  it("keeps keys and kinds independent", async () => {
    const a = uniqueKey("a");
    const b = uniqueKey("b");
    for (let i = 0; i < 5; i += 1) expect((await consumeRateLimit("write", a)).allowed).toBe(true);
    expect((await consumeRateLimit("write", a)).allowed).toBe(false);
    expect(await consumeRateLimit("write", b)).toMatchObject({ allowed: true, remaining: 4 });
    // Same key string, other kind: its own counter.
    expect(await consumeRateLimit("read", a)).toMatchObject({ allowed: true, limit: 600, remaining: 599 });
  });

  it("resetRateLimit clears one key's counter", async () => {
    const account = uniqueKey("account");
    for (let i = 0; i < 3; i += 1) await consumeRateLimit("signInAccount", account);
    expect((await consumeRateLimit("signInAccount", account)).allowed).toBe(false);
    await resetRateLimit("signInAccount", account);
    expect(await consumeRateLimit("signInAccount", account)).toMatchObject({ allowed: true, remaining: 2 });
  });

  it("holds across processes: two processes, 10 tries each, limit 7 -> 7 allowed", async () => {
    const key = uniqueKey("cross-process");
    const tsx = path.join(root, "node_modules/.bin/tsx");
    const fixture = path.join(root, "src/server/lib/rate-limit.fixture.ts");
    const spawnOne = () =>
      run(tsx, [fixture, "runTrigger", key, "10"], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL, RATE_LIMIT_OVERRIDES: JSON.stringify(OVERRIDES) },
        timeout: 60_000,
      });
    const outputs = await Promise.all([spawnOne(), spawnOne()]);
    const results = outputs.flatMap(({ stdout }) => JSON.parse(stdout.trim()) as TRateLimitResult[]);
    expect(results).toHaveLength(20);
    expect(results.filter((r) => r.allowed)).toHaveLength(7);
    expect(results.every((r) => r.limit === 7)).toBe(true);
    // And this process, sharing the store, is refused too.
    expect((await consumeRateLimit("runTrigger", key)).allowed).toBe(false);
  });
});

describe("leases for the high-volume classes (read, write)", () => {
  it("one store upsert per lease, not per request, with exact RateLimit-Remaining in one process", async () => {
    const key = uniqueKey("lease");
    const size = rateLimitLeaseSize("read");
    expect(size).toBe(12); // 600 / 50
    const before = rateLimitStoreCalls();
    const remaining: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const result = await consumeRateLimit("read", key);
      expect(result.allowed).toBe(true);
      remaining.push(result.remaining);
    }
    expect(rateLimitStoreCalls() - before).toBe(60 / size);
    expect(remaining).toEqual(Array.from({ length: 60 }, (_, i) => 600 - 1 - i));
    // Small limits are not leased: one upsert per request, as the sign-in limits need.
    expect(rateLimitLeaseSize("write")).toBe(1);
    expect(rateLimitLeaseSize("signInPair")).toBe(1);
    expect(rateLimitLeaseSize("upload")).toBe(1);
  });

  it("a concurrent burst of one key shares a refill", async () => {
    const key = uniqueKey("lease-burst");
    const before = rateLimitStoreCalls();
    const results = await Promise.all(Array.from({ length: 24 }, () => consumeRateLimit("read", key)));
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(rateLimitStoreCalls() - before).toBe(2);
  });

  it("two processes never over-admit, and under-admit by at most (N - 1) x (L - 1)", async () => {
    // Limit 250 per window: lease L = 5. 2 x 200 tries at once on one key.
    const points = 250;
    const size = 5;
    const key = uniqueKey("lease-cross-process");
    const tsx = path.join(root, "node_modules/.bin/tsx");
    const fixture = path.join(root, "src/server/lib/rate-limit.fixture.ts");
    const spawnOne = () =>
      run(tsx, [fixture, "read", key, "200"], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL, RATE_LIMIT_OVERRIDES: JSON.stringify({ read: { points, duration: 600 } }) },
        timeout: 60_000,
      });
    const outputs = await Promise.all([spawnOne(), spawnOne()]);
    const results = outputs.flatMap(({ stdout }) => JSON.parse(stdout.trim()) as TRateLimitResult[]);
    expect(results).toHaveLength(400);
    const admitted = results.filter((r) => r.allowed).length;
    expect(admitted).toBeLessThanOrEqual(points);
    expect(admitted).toBeGreaterThanOrEqual(points - (2 - 1) * (size - 1));
    expect(results.every((r) => r.limit === points)).toBe(true);
  });
});

describe("rate-limit headers", () => {
  it("gives RateLimit-* headers, and Retry-After only on a refusal", async () => {
    const key = uniqueKey("headers");
    const first = await consumeRateLimit("write", key);
    const headers = rateLimitHeaders(first);
    expect(headers).toEqual({
      "RateLimit-Limit": "5",
      "RateLimit-Remaining": "4",
      "RateLimit-Reset": String(first.resetSeconds),
    });
    expect(Number(headers["RateLimit-Reset"])).toBeGreaterThan(55);
    expect(Number(headers["RateLimit-Reset"])).toBeLessThanOrEqual(60);

    expect(rateLimitHeaders({ allowed: false, limit: 5, remaining: 0, resetSeconds: 42, consumed: 6 })).toEqual({
      "RateLimit-Limit": "5",
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": "42",
      "Retry-After": "42",
    });
    expect(rateLimitHeaders({ allowed: false, limit: 5, remaining: 0, resetSeconds: 0, consumed: 6 })["Retry-After"]).toBe("1");
  });
});
