import type { TPayerSummary } from "@/server/services/payer-summary/payer-summary-shape";
import type { TDashboard } from "./dashboard-shape";

/**
 * A small per-process cache keyed by (customer, data version). Correctness never depends on it:
 * the version is read from the database on every request, so a change made through any
 * instance is a miss everywhere. The TTL bounds reuse of an unchanged version (figures that
 * move without a version change, such as "this month", stay at most TTL old); the size cap
 * bounds memory. Concurrent misses for one key share one computation.
 */
export const DASHBOARD_CACHE_TTL_MS = 30_000;
const MAX_ENTRIES = 500;

interface TEntry<T> {
  version: string;
  expiresAt: number;
  value: Promise<T>;
}

export class VersionedCache<T> {
  private readonly entries = new Map<string, TEntry<T>>();

  constructor(
    private readonly ttlMs = DASHBOARD_CACHE_TTL_MS,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  getOrCompute(key: string, version: string, compute: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.version === version && hit.expiresAt > now) return hit.value;
    const value = compute();
    // A failed computation is not cached.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    this.entries.delete(key);
    this.entries.set(key, { version, expiresAt: now + this.ttlMs, value });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

export const dashboardCache = new VersionedCache<TDashboard>();
/** Scorecards by (customer, period, ordering, limit): claim lines only change through uploads. */
export const payerSummaryCache = new VersionedCache<TPayerSummary>();
