import type { TPayerSummary } from "@/server/services/payer-summary/payer-summary-shape";
import type { TDashboard } from "./dashboard-shape";

/**
 * A small per-process cache keyed by (customer, data version). Correctness never depends on it:
 * the version is read from the database on every request, so a change made through any
 * instance is a miss everywhere. The TTL bounds reuse of an unchanged version (figures that
 * move without a version change, such as "this month", stay at most TTL old); the size cap
 * bounds memory.
 *
 * Single flight per key: at most one computation of a key runs at a time in a process. Requests
 * for the version being computed share it. A request that read a newer version while one runs
 * does not start a second: it joins one follow-up computation that starts when the running one
 * ends, shared by every request that arrives meanwhile. So a burst of writes and reads on one
 * tenant costs at most two computations in a row, never N at once. `compute` is told the version
 * it computes for: a follow-up's is the newest that joined, not the one its first joiner read.
 *
 * Stale while computing: the request that starts a computation waits for it, so an answer after a
 * quiet spell is always as new as the version its request read. A request that arrives while a
 * computation runs gets the last computed value at once, when there is one computed within
 * `maxStaleMs`, instead of queueing behind the computation (a busy tenant uploads every few
 * seconds, and each upload would otherwise hold every dashboard request for a recomputation).
 * Such an answer is one computation behind at most; the dashboard says when it was computed.
 */
export const DASHBOARD_CACHE_TTL_MS = 30_000;
/** The oldest value served while a newer one is computed. */
export const MAX_STALE_MS = 30_000;
const MAX_ENTRIES = 500;

interface TRun<T> {
  version: string;
  value: Promise<T>;
}

interface TQueued<T> {
  /** The newest version read by a request that joined; the snapshot is at least as new. */
  version: string;
  compute: (version: string) => Promise<T>;
  value: Promise<T>;
  settle: (run: Promise<T>) => void;
}

interface TSlot<T> {
  done?: TRun<T> & { computedAt: number };
  running?: TRun<T>;
  queued?: TQueued<T>;
}

export class VersionedCache<T> {
  private readonly slots = new Map<string, TSlot<T>>();
  /** Computations started, and answers served from the last value while one ran: for tests and metrics. */
  computations = 0;
  staleAnswers = 0;

  constructor(
    private readonly ttlMs = DASHBOARD_CACHE_TTL_MS,
    private readonly maxEntries = MAX_ENTRIES,
    private readonly maxStaleMs = MAX_STALE_MS,
  ) {}

  getOrCompute(key: string, version: string, compute: (version: string) => Promise<T>): Promise<T> {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = {};
      this.slots.set(key, slot);
      if (this.slots.size > this.maxEntries) this.slots.delete(this.slots.keys().next().value as string);
    }
    const { done, running, queued } = slot;
    if (done && done.version === version && Date.now() - done.computedAt < this.ttlMs) return done.value;
    if (!running) return this.start(slot, version, compute);
    if (running.version === version) return this.staleOr(done, running.value);
    if (queued) {
      queued.version = version;
      return this.staleOr(done, queued.value);
    }
    let settle: (run: Promise<T>) => void = () => {};
    const value = new Promise<T>((resolve, reject) => {
      settle = (run) => run.then(resolve, reject);
    });
    // Nobody may wait for the follow-up; a failure of it is still not cached.
    value.catch(() => {});
    slot.queued = { version, compute, value, settle };
    return this.staleOr(done, value);
  }

  /** The last computed value while a computation runs, when it is recent enough; else `fresh`. */
  private staleOr(done: TSlot<T>["done"], fresh: Promise<T>): Promise<T> {
    if (!done || Date.now() - done.computedAt > this.maxStaleMs) return fresh;
    this.staleAnswers += 1;
    return done.value;
  }

  private start(slot: TSlot<T>, version: string, compute: (version: string) => Promise<T>): Promise<T> {
    this.computations += 1;
    const startedAt = Date.now();
    const value = compute(version);
    slot.running = { version, value };
    const finish = () => {
      if (slot.running?.value === value) slot.running = undefined;
      const next = slot.queued;
      slot.queued = undefined;
      if (next) next.settle(this.start(slot, next.version, next.compute));
    };
    // A failed computation is not cached.
    value.then(() => {
      slot.done = { version, value, computedAt: startedAt };
      finish();
    }, finish);
    return value;
  }

  clear(): void {
    this.slots.clear();
  }
}

/** What the dashboard reads from claim_lines: the line count and the decided / denied lines by month. */
export interface TClaimFigures {
  claimLines: number;
  trend: Array<{ month: string; decided: number; denied: number }>;
}

/**
 * The dashboard, plus its claim-line figures under their own version (the tenant's uploads: claim
 * lines change only through uploads). Those two aggregates are the dashboard's whole cost on a
 * large tenant; alerts, drift events and runs move far more often (every acknowledge) and are
 * cheap to read again, so a new alert version recomputes the cheap part only.
 */
class DashboardCache extends VersionedCache<TDashboard> {
  readonly claimFigures = new VersionedCache<TClaimFigures>();

  override clear(): void {
    super.clear();
    this.claimFigures.clear();
  }
}

/**
 * One pair per process, on globalThis: the web role loads this module twice (in the Next.js
 * bundle for the tRPC door, and in the server's own module graph for the REST door, serve-rest.ts),
 * and both doors must share one single flight per tenant.
 */
const holder = globalThis as unknown as { driftlineDashboardCaches?: { dashboard: DashboardCache; payerSummary: VersionedCache<TPayerSummary> } };
holder.driftlineDashboardCaches ??= { dashboard: new DashboardCache(), payerSummary: new VersionedCache<TPayerSummary>() };

export const dashboardCache = holder.driftlineDashboardCaches.dashboard;
/** Scorecards by (customer, period, ordering, limit): claim lines only change through uploads. */
export const payerSummaryCache = holder.driftlineDashboardCaches.payerSummary;
