import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { principalCache } from "./principal-cache";

/**
 * A lookup that raced a notification must not put the old answer back, but only a notification
 * for what it read counts: in a busy process other principals' revocations arrive all the time,
 * and they must not stop this one from being cached.
 */

const cache = principalCache();

beforeAll(async () => {
  expect(await cache.whenListening()).toBe(true);
});

afterAll(() => cache.clear());

describe("principal cache, a lookup racing notifications", () => {
  it("caches the answer when only other principals changed during the lookup", () => {
    const since = cache.epoch;
    cache.invalidate("key:someone-else");
    cache.invalidate("user:someone-else");
    cache.set("race:a", { role: "VIEWER" }, ["key:a"], since);
    expect(cache.get("race:a")).toEqual({ role: "VIEWER" });
  });

  it("drops the answer when its own principal changed during the lookup", () => {
    const since = cache.epoch;
    cache.invalidate("user:b");
    cache.set("race:b", { role: "ADMIN" }, ["session:b", "user:b"], since);
    expect(cache.get("race:b")).toBeUndefined();
  });

  it("drops the answer when the cache was emptied during the lookup", () => {
    const since = cache.epoch;
    cache.clear();
    cache.set("race:c", { role: "ANALYST" }, ["key:c"], since);
    expect(cache.get("race:c")).toBeUndefined();
  });

  it("a notification drops the entries it names, and only those", () => {
    cache.set("race:d", 1, ["key:d"], cache.epoch);
    cache.set("race:e", 2, ["key:e"], cache.epoch);
    cache.invalidate("key:d");
    expect([cache.get("race:d"), cache.get("race:e")]).toEqual([undefined, 2]);
  });
});
