import { createHash } from "node:crypto";
import pg from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { z } from "zod";
import { createPool } from "@/server/db/pg-driver";

/**
 * Rate limits shared by every instance (PRODUCT.md §7): counters live in the `rate_limits` table
 * through rate-limiter-flexible's Postgres store, whose INSERT … ON CONFLICT DO UPDATE … RETURNING
 * is atomic, so N processes together never let more than `points` through in a window. Windows
 * are fixed: the first hit opens a window of `duration` seconds; every hit in it, allowed or not,
 * counts.
 *
 * The high-volume classes (`read`, `write`) do not write the counter on every request: an
 * instance takes a *lease* of L points from the shared counter in one upsert (L = points/50,
 * between 1 and 50: 12 for the default read limit, 2 for write) and admits the next L requests
 * of that key locally, in memory, until the lease is spent or the window ends. Leased points are
 * counted in the shared store before any of them is admitted, so N instances together still never
 * admit more than `points` in a window (no over-admission). The cost is the other way: points
 * leased by one instance and not used there are not available to the others, so a caller whose
 * requests are spread over N instances may be refused up to (N - 1) x (L - 1) requests early
 * (rate-limit.test.ts measures both bounds with two processes). The other classes (runs, bulk,
 * uploads, sign-in, identity tokens) are small, so L = 1: one upsert per request, as before.
 *
 * The caller chooses the key (tenant, tenant+caller, account, address). Keys are stored as a
 * SHA-256 digest: sign-in keys carry e-mail addresses and IPs, which have no business sitting in
 * plain text in a counter table, and a digest keeps the primary key short whatever the caller
 * passes. (Unsalted, so it hides keys from casual reading, not from someone guessing them.)
 */

export const RATE_LIMIT_KINDS = [
  "read",
  "write",
  "runTrigger",
  "bulk",
  "upload",
  "signInPair",
  "signInAccount",
  "signInAddress",
  "signInKnownAddress",
  "identityToken",
] as const;

export type TRateLimitKind = (typeof RATE_LIMIT_KINDS)[number];

export interface TRateLimitPolicy {
  /** Requests allowed per window. */
  points: number;
  /** Window length in seconds. */
  duration: number;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;

export const DEFAULT_RATE_LIMITS: Readonly<Record<TRateLimitKind, TRateLimitPolicy>> = {
  /** Per tenant + caller. */
  read: { points: 600, duration: MINUTE },
  /** Per tenant + caller. */
  write: { points: 120, duration: MINUTE },
  /** Per tenant: detection runs are expensive. */
  runTrigger: { points: 10, duration: HOUR },
  /** Per tenant. */
  bulk: { points: 20, duration: HOUR },
  /** Per tenant. */
  upload: { points: 30, duration: HOUR },
  /**
   * Per account (normalised e-mail) *and* client address: password guessing against one account
   * from one place. Keyed by both so a guesser locks only their own address out, never the user
   * (SECURITY.md, "Sign-in lock-out"). Cleared by a successful sign-in from that address.
   */
  signInPair: { points: 5, duration: 15 * MINUTE },
  /**
   * Per account across all addresses: a distributed attack (many addresses, a few guesses each).
   * Past it, the account refuses only addresses it has never signed in from (signInKnownAddress),
   * so the attacker cannot lock the user out of their usual place.
   */
  signInAccount: { points: 50, duration: HOUR },
  /**
   * Per client address. Deliberately looser than the per-account 5 the spec names: a clinic's
   * whole billing team usually sits behind one NAT address, and a handful of typos on a Monday
   * morning must not lock everyone out. Each account still gets only 5 tries, so an attacker on
   * one address gets 20 guesses spread over at least 4 accounts per 15 minutes.
   */
  signInAddress: { points: 20, duration: 15 * MINUTE },
  /**
   * Not a limit: remembers for `duration` that an account signed in successfully from an
   * address (see markRateLimitKey / hasRateLimitKey).
   */
  signInKnownAddress: { points: 1, duration: 30 * 24 * HOUR },
  /**
   * Per client address (or signed-in user): the pages anyone may call with a token or an e-mail —
   * open or accept an invitation, ask for or complete a password reset.
   */
  identityToken: { points: 30, duration: 15 * MINUTE },
};

const ZPolicyOverride = z.strictObject({
  points: z.number().int().positive().optional(),
  duration: z.number().int().positive().optional(),
});

const ZOverrides = z.strictObject(
  Object.fromEntries(RATE_LIMIT_KINDS.map((kind) => [kind, ZPolicyOverride.optional()])) as Record<TRateLimitKind, z.ZodOptional<typeof ZPolicyOverride>>,
);

/**
 * Optional RATE_LIMIT_OVERRIDES, e.g. {"runTrigger":{"points":3,"duration":60}}: lets tests and
 * load runs use small or large limits. Read once, on first use.
 */
export function parseRateLimitOverrides(raw: string | undefined): Record<TRateLimitKind, TRateLimitPolicy> {
  if (raw === undefined || raw.trim() === "") return { ...DEFAULT_RATE_LIMITS };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('RATE_LIMIT_OVERRIDES: not valid JSON (expected e.g. {"runTrigger":{"points":3,"duration":60}})');
  }
  const parsed = ZOverrides.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new Error(`RATE_LIMIT_OVERRIDES: ${lines.join("; ")} (kinds: ${RATE_LIMIT_KINDS.join(", ")})`);
  }
  const policies = { ...DEFAULT_RATE_LIMITS };
  for (const kind of RATE_LIMIT_KINDS) policies[kind] = { ...policies[kind], ...parsed.data[kind] };
  return policies;
}

interface TStore {
  pool: pg.Pool;
  limiters: Map<TRateLimitKind, RateLimiterPostgres>;
}

let policies: Record<TRateLimitKind, TRateLimitPolicy> | undefined;
/**
 * The store and the leases are per process, on globalThis: the web role loads this module twice
 * (the Next.js bundle for the tRPC door and route handlers, the server's own module graph for the
 * REST door, src/cli/serve-rest.ts), and one process must hold one lease per key.
 */
const shared = globalThis as unknown as {
  driftlineRateLimits?: { store: TStore | undefined; leases: Map<string, TLease>; refills: Map<string, Promise<TRateLimitResult | null>> };
};

/** The policy in force for a kind (defaults merged with RATE_LIMIT_OVERRIDES). */
export function rateLimitPolicy(kind: TRateLimitKind): TRateLimitPolicy {
  if (!RATE_LIMIT_KINDS.includes(kind)) throw new Error(`Unknown rate-limit kind: ${String(kind)}`);
  policies ??= parseRateLimitOverrides(process.env.RATE_LIMIT_OVERRIDES);
  return { ...policies[kind] };
}

function getStore(): TStore {
  const current = shared.driftlineRateLimits!;
  if (current.store) return current.store;
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("Rate limits need DATABASE_URL (the counters live in PostgreSQL)");
  // A small pool of its own: a counter upsert is one short statement, and keeping it off the
  // Prisma pool means a busy API cannot starve its own rate limiting.
  const pool = createPool({ connectionString: url, max: 4, idleTimeoutMillis: 30_000 });
  // An idle connection dropped by the server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  current.store = { pool, limiters: new Map() };
  return current.store;
}

function limiterFor(kind: TRateLimitKind): { limiter: RateLimiterPostgres; policy: TRateLimitPolicy } {
  const policy = rateLimitPolicy(kind);
  const current = getStore();
  let limiter = current.limiters.get(kind);
  if (!limiter) {
    limiter = new RateLimiterPostgres({
      storeClient: current.pool,
      storeType: "pool",
      tableName: "rate_limits",
      // The migration owns the table; the library must not try to create it.
      tableCreated: true,
      // Every limiter's sweep deletes all expired rows of the shared table, so one sweeper
      // (every 5 minutes, per process) is enough.
      clearExpiredByTimeout: current.limiters.size === 0,
      keyPrefix: `rl:${kind}`,
      points: policy.points,
      duration: policy.duration,
    });
    current.limiters.set(kind, limiter);
  }
  return { limiter, policy };
}

function storedKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("base64url");
}

export interface TRateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends and the counter starts afresh. */
  resetSeconds: number;
  /** Hits counted in this window, this one included: `limit + 1` is the window's first refusal. */
  consumed: number;
}

function toResult(res: RateLimiterRes, allowed: boolean, policy: TRateLimitPolicy): TRateLimitResult {
  return {
    allowed,
    limit: policy.points,
    remaining: allowed ? Math.max(0, policy.points - res.consumedPoints) : 0,
    resetSeconds: Math.max(0, Math.ceil(res.msBeforeNext / 1000)),
    consumed: res.consumedPoints,
  };
}

/** Classes served from leases (see the top of this file); the others write every request. */
const LEASED_KINDS: ReadonlySet<TRateLimitKind> = new Set<TRateLimitKind>(["read", "write"]);
/** A lease is at most 1/LEASE_FRACTION of the limit, and at most MAX_LEASE points. */
const LEASE_FRACTION = 50;
const MAX_LEASE = 50;
/** Keys with a live lease kept per process; an evicted lease only wastes its unused points. */
const MAX_LEASES = 10_000;

/** Points of `kind` one store upsert leases to this instance (1: no lease, one upsert per request). */
export function rateLimitLeaseSize(kind: TRateLimitKind): number {
  const { points } = rateLimitPolicy(kind);
  return LEASED_KINDS.has(kind) ? Math.max(1, Math.min(MAX_LEASE, Math.floor(points / LEASE_FRACTION))) : 1;
}

interface TLease {
  /** Leased points not yet admitted here. */
  left: number;
  /** The shared counter as of the lease, counting only points that were granted. */
  counted: number;
  resetAt: number;
}

shared.driftlineRateLimits ??= { store: undefined, leases: new Map(), refills: new Map() };
const { leases, refills } = shared.driftlineRateLimits;
let storeCalls = 0;

/** Store round trips by consumeRateLimit in this process (tests show the leases save them). */
export function rateLimitStoreCalls(): number {
  return storeCalls;
}

async function consumeFromStore(limiter: RateLimiterPostgres, stored: string, points: number): Promise<{ res: RateLimiterRes; refused: boolean }> {
  storeCalls += 1;
  try {
    return { res: await limiter.consume(stored, points), refused: false };
  } catch (error) {
    if (error instanceof RateLimiterRes) return { res: error, refused: true };
    throw error;
  }
}

function takeFromLease(id: string, policy: TRateLimitPolicy): TRateLimitResult | null {
  const lease = leases.get(id);
  const now = Date.now();
  if (!lease || lease.left <= 0 || lease.resetAt <= now) return null;
  lease.left -= 1;
  return {
    allowed: true,
    limit: policy.points,
    remaining: Math.max(0, policy.points - lease.counted + lease.left),
    resetSeconds: Math.max(0, Math.ceil((lease.resetAt - now) / 1000)),
    consumed: lease.counted - lease.left,
  };
}

/** One upsert for up to `size` points; null when some were granted (now in the lease), else the refusal. */
async function refillLease(id: string, limiter: RateLimiterPostgres, stored: string, size: number, policy: TRateLimitPolicy): Promise<TRateLimitResult | null> {
  const { res } = await consumeFromStore(limiter, stored, size);
  const before = res.consumedPoints - size;
  const granted = Math.min(size, Math.max(0, policy.points - before));
  if (granted === 0) return toResult(res, false, policy);
  leases.delete(id);
  leases.set(id, { left: granted, counted: before + granted, resetAt: Date.now() + res.msBeforeNext });
  if (leases.size > MAX_LEASES) leases.delete(leases.keys().next().value as string);
  return null;
}

/**
 * Counts one request against `key` in the `kind` window. A refusal is a result, not an error;
 * a store failure (database down) throws, and the caller decides whether to fail closed.
 */
export async function consumeRateLimit(kind: TRateLimitKind, key: string): Promise<TRateLimitResult> {
  const { limiter, policy } = limiterFor(kind);
  const stored = storedKey(key);
  const size = rateLimitLeaseSize(kind);
  if (size === 1) {
    const { res, refused } = await consumeFromStore(limiter, stored, 1);
    return toResult(res, !refused, policy);
  }
  const id = `${kind}:${stored}`;
  for (;;) {
    const local = takeFromLease(id, policy);
    if (local) return local;
    // One refill per key at a time: a burst of one caller's requests shares one upsert.
    let refill = refills.get(id);
    if (!refill) {
      refill = refillLease(id, limiter, stored, size, policy).finally(() => refills.delete(id));
      refills.set(id, refill);
    }
    const refusal = await refill;
    if (refusal) return { ...refusal };
  }
}

/** The IETF RateLimit-* headers for a result, plus Retry-After on a refusal. */
export function rateLimitHeaders(result: TRateLimitResult): Record<string, string> {
  const headers: Record<string, string> = {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(result.remaining),
    "RateLimit-Reset": String(result.resetSeconds),
  };
  if (!result.allowed) headers["Retry-After"] = String(Math.max(1, result.resetSeconds));
  return headers;
}

/**
 * Forgets the counter for `key`. Meant for one case: after a successful sign-in, clear that
 * account's signInAccount counter, so a user who mistyped four times and then got it right is
 * not one typo away from a 15-minute lock-out. That is safe because only someone who knows the
 * password can trigger it (sign-in must consume *before* checking the password, so parallel
 * guesses are counted). Never reset signInAddress on success: one valid account would then let
 * an address launder unlimited guesses against other accounts.
 */
export async function resetRateLimit(kind: TRateLimitKind, key: string): Promise<void> {
  const { limiter } = limiterFor(kind);
  leases.delete(`${kind}:${storedKey(key)}`);
  await limiter.delete(storedKey(key));
}

/** Remembers `key` under `kind` for the kind's `duration` (e.g. a known sign-in address). */
export async function markRateLimitKey(kind: TRateLimitKind, key: string): Promise<void> {
  const { limiter, policy } = limiterFor(kind);
  await limiter.set(storedKey(key), 1, policy.duration);
}

/** Whether `key` was marked under `kind` within the kind's `duration`. */
export async function hasRateLimitKey(kind: TRateLimitKind, key: string): Promise<boolean> {
  const { limiter } = limiterFor(kind);
  return (await limiter.get(storedKey(key))) !== null;
}

/** Closes the store's pool (graceful shutdown, scripts, tests); the next call opens a new one. */
export async function closeRateLimitStore(): Promise<void> {
  const state = shared.driftlineRateLimits!;
  const current = state.store;
  state.store = undefined;
  leases.clear();
  await current?.pool.end();
}
