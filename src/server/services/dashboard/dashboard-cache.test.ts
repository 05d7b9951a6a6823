import { describe, expect, it } from "vitest";
import { VersionedCache } from "./dashboard-cache";

/**
 * Single flight per key: never two computations of one tenant's dashboard at once, and a burst
 * of reads over moving versions costs at most the running computation plus one follow-up.
 * While one runs, other requests get the last computed value (within a bound) instead of waiting.
 */

/** A computation the test finishes by hand, recording how many run at once. */
function gate() {
  let active = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const compute = (label: string) => async () => {
    active += 1;
    peak = Math.max(peak, active);
    await new Promise<void>((resolve) => releases.push(resolve));
    active -= 1;
    return label;
  };
  const releaseNext = async () => {
    while (releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
    releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { compute, releaseNext, peak: () => peak };
}

describe("VersionedCache single flight", () => {
  it("concurrent requests for one version share one computation", async () => {
    const cache = new VersionedCache<string>();
    const g = gate();
    const answers = Array.from({ length: 20 }, () => cache.getOrCompute("tenant", "v1", g.compute("v1")));
    await g.releaseNext();
    expect(await Promise.all(answers)).toEqual(Array(20).fill("v1"));
    expect(cache.computations).toBe(1);
    // Then a hit.
    expect(await cache.getOrCompute("tenant", "v1", g.compute("again"))).toBe("v1");
    expect(cache.computations).toBe(1);
  });

  it("newer versions while one runs join one follow-up; never two at once", async () => {
    const cache = new VersionedCache<string>();
    const g = gate();
    const first = cache.getOrCompute("tenant", "v1", g.compute("computed for v1"));
    const later = ["v2", "v3", "v4", "v3", "v5"].map((version) => cache.getOrCompute("tenant", version, g.compute(`computed for ${version}`)));
    await g.releaseNext();
    expect(await first).toBe("computed for v1");
    await g.releaseNext();
    const answers = await Promise.all(later);
    // The follow-up is the first joiner's computation, started after every joiner read its version.
    expect(new Set(answers)).toEqual(new Set(["computed for v2"]));
    expect(cache.computations).toBe(2);
    expect(g.peak()).toBe(1);
    // Labelled with the newest version that joined: a read of v5 is now a hit.
    expect(await cache.getOrCompute("tenant", "v5", g.compute("unused"))).toBe("computed for v2");
    expect(cache.computations).toBe(2);
  });

  it("a follow-up is told the newest version that joined, not its first joiner's", async () => {
    const cache = new VersionedCache<string>();
    const g = gate();
    const first = cache.getOrCompute("tenant", "v1", g.compute("v1"));
    const seen: string[] = [];
    const joiner = (version: string) =>
      cache.getOrCompute("tenant", version, (computing) => {
        seen.push(computing);
        return Promise.resolve(`for ${computing}`);
      });
    const later = ["v2", "v3"].map(joiner);
    await g.releaseNext();
    await first;
    expect(await Promise.all(later)).toEqual(["for v3", "for v3"]);
    expect(seen).toEqual(["v3"]);
  });

  it("other tenants are not held up, and a failure is not cached", async () => {
    const cache = new VersionedCache<string>();
    const g = gate();
    const slow = cache.getOrCompute("a", "v1", g.compute("a"));
    expect(await cache.getOrCompute("b", "v1", async () => "b")).toBe("b");
    await g.releaseNext();
    expect(await slow).toBe("a");
    await expect(cache.getOrCompute("c", "v1", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await cache.getOrCompute("c", "v1", async () => "c")).toBe("c");
  });

  it("while a computation runs, other requests get the last computed value; the one that started it waits", async () => {
    const cache = new VersionedCache<string>();
    const g = gate();
    const v1 = cache.getOrCompute("tenant", "v1", g.compute("computed for v1"));
    await g.releaseNext();
    expect(await v1).toBe("computed for v1");

    // A write moved the version: the first reader starts the recomputation and waits for it.
    let fresh: string | undefined;
    const starter = cache.getOrCompute("tenant", "v2", g.compute("computed for v2")).then((value) => (fresh = value));
    // Readers of v2, and of a newer v3, meanwhile: the last value at once, no second computation.
    expect(await cache.getOrCompute("tenant", "v2", g.compute("unused"))).toBe("computed for v1");
    expect(await cache.getOrCompute("tenant", "v3", g.compute("computed for v3"))).toBe("computed for v1");
    expect(fresh).toBeUndefined();
    expect(cache.staleAnswers).toBe(2);
    await g.releaseNext();
    await starter;
    expect(fresh).toBe("computed for v2");
    // The v3 reader's follow-up still runs, alone, and its value is served from then on.
    await g.releaseNext();
    expect(g.peak()).toBe(1);
    expect(await cache.getOrCompute("tenant", "v3", g.compute("unused"))).toBe("computed for v3");
    expect(cache.computations).toBe(3);
  });

  it("a last value older than the bound is not served: the request waits for the running computation", async () => {
    const cache = new VersionedCache<string>(30_000, 500, 0);
    const g = gate();
    const v1 = cache.getOrCompute("tenant", "v1", g.compute("computed for v1"));
    await g.releaseNext();
    await v1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const starter = cache.getOrCompute("tenant", "v2", g.compute("computed for v2"));
    const waiting = cache.getOrCompute("tenant", "v2", g.compute("unused"));
    await g.releaseNext();
    expect(await Promise.all([starter, waiting])).toEqual(["computed for v2", "computed for v2"]);
    expect(cache.staleAnswers).toBe(0);
  });
});
