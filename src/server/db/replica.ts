import { AsyncLocalStorage } from "node:async_hooks";
import { Counter, Gauge } from "prom-client";
import { env } from "@/env";
import type { PrismaClient } from "@/generated/prisma/client";
import { AppError } from "@/server/lib/errors";
import { logger } from "@/server/lib/logger";
import { metrics } from "@/server/lib/metrics";
import { createPrismaClient, tenantClient } from "./client";
import { tenantDb, type TTenantDb } from "./tenant-scope";

/**
 * Reads on a streaming replica (DEPLOYMENT.md, "Read replica"). DATABASE_REPLICA_URL is the
 * tenant login on the replica host; unset, every read goes to the primary as before.
 *
 * Which reads: a router wraps a read that may be served there (dashboard, scorecard, lists,
 * export generation) in `readFromReplica(customerId, read)`; the services read through
 * `tenantReadDb(customerId)`, which is the replica's tenant-scoped client inside such a wrapper
 * and the primary's everywhere else. Writes use `tenantDb` / `withTenantTransaction` and so never
 * reach the replica (a standby refuses them anyway). Tenant isolation is the same as on the
 * primary: the replica's client is a tenant login, and `tenantDb` runs every statement under
 * SET LOCAL ROLE driftline_app and app.customer_id, so the replicated RLS policies apply.
 *
 * Read-your-writes by comparing LSNs, per read: the primary's flushed WAL position is read
 * first (`pg_current_wal_flush_lsn()`, no table touched), and the replica serves the read only
 * if it has replayed up to it (waiting up to CATCH_UP_WAIT_MS for that). A write that finished before the read began, the caller's own
 * included, is therefore always visible, on whatever instance served either request, with no
 * state in process memory, cookies or tables. (A time window after a write would need that
 * state shared between web instances to be right.) The price is two tiny round trips per
 * routed read (more while waiting), and reads go to the primary while the replica is behind.
 *
 * Fallback, never an error: a replica that is unreachable, is not a standby, or lags by more
 * than REPLICA_MAX_LAG_SECONDS is skipped (and re-checked after RECHECK_MS); a read that fails
 * on the replica (connection lost, recovery conflict) runs again on the primary.
 *
 * Lag is 0 when the replica has replayed everything the primary had flushed, else the smaller of
 * two upper bounds of the age of the oldest WAL it has not replayed: the time since the last
 * transaction it replayed committed on the primary (alone, that overstates the lag of a replica
 * of an idle primary that has just been written to) and the time since this process last found
 * it caught up.
 */

export type TReplicaState = "not_configured" | "ok" | "lagging" | "unreachable" | "not_standby" | "unknown";
/** Why a read went where it went. */
export type TReadReason = "replica" | "behind" | "lagging" | "unreachable" | "not_standby" | "replica_error";

/** A replica found unusable is not asked again for this long; reads go to the primary meanwhile. */
export const RECHECK_MS = 1000;
/** A read waits at most this long for a replica a moment behind its fence, then reads the primary. */
export const CATCH_UP_WAIT_MS = 20;
const CATCH_UP_POLL_MS = 2;
/** A replica host that does not answer costs a read at most this long before the primary serves it. */
const CONNECT_TIMEOUT_MS = 2000;

interface THealth {
  state: TReplicaState;
  lagSeconds: number | null;
  checkedAt: number;
}

interface TInstruments {
  reads: Counter<"target" | "reason">;
}

interface THolder {
  health?: THealth;
  /** When this process last found the replica caught up (the start of that probe). */
  lastCaughtUpAt?: number;
  counts: { replica: number; primary: number };
  instruments?: TInstruments;
}

const shared = globalThis as unknown as { driftlineReplicaPrisma?: PrismaClient; driftlineReplica?: THolder };
const holder = (): THolder => (shared.driftlineReplica ??= { counts: { replica: 0, primary: 0 } });

const routed = new AsyncLocalStorage<{ customerId: string; client: PrismaClient }>();

export function replicaConfigured(): boolean {
  return Boolean(env().DATABASE_REPLICA_URL);
}

/** The replica's tenant-login client (kept where client.ts's disconnectDb finds it). */
function replicaClient(): PrismaClient {
  const url = env().DATABASE_REPLICA_URL;
  if (!url) throw new Error("DATABASE_REPLICA_URL is not set.");
  shared.driftlineReplicaPrisma ??= createPrismaClient(url, { connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  return shared.driftlineReplicaPrisma;
}

interface TProbe {
  state: TReplicaState;
  lagSeconds: number | null;
  /** The replica has replayed everything the primary had flushed when the probe began. */
  caughtUp: boolean;
}

type TReplayRow = { standby: boolean; caught_up: boolean | null; since_replay: number | null };

/**
 * How far the replica has replayed against `lsn`, asking again for up to `waitMs` while it is a
 * moment behind: every request writes something (rate-limit counters at least), so a replica a
 * millisecond behind the fence is the usual case, not the exception.
 */
async function replayState(lsn: string, waitMs: number): Promise<TReplayRow | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [row] = await replicaClient().$queryRaw<TReplayRow[]>`
      SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn AS caught_up,
        extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 AS since_replay`;
    if (!row?.standby || row.caught_up || Date.now() >= deadline) return row;
    await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
  }
}

/** One fence: the primary's flushed LSN, then how far the replica has replayed. */
async function probe(waitMs = 0): Promise<TProbe> {
  const startedAt = Date.now();
  const [fence] = await tenantClient().$queryRaw<{ lsn: string }[]>`SELECT pg_current_wal_flush_lsn()::text AS lsn`;
  let result: TProbe;
  try {
    const row = await replayState(fence!.lsn, waitMs);
    if (!row?.standby) {
      result = { state: "not_standby", lagSeconds: null, caughtUp: false };
    } else {
      const caughtUp = row.caught_up === true;
      if (caughtUp) holder().lastCaughtUpAt = startedAt;
      // Two upper bounds of the age of the oldest WAL not yet replayed; the smaller is the lag.
      const sinceCaughtUp = holder().lastCaughtUpAt === undefined ? Infinity : (Date.now() - holder().lastCaughtUpAt!) / 1000;
      const bound = Math.min(row.since_replay ?? Infinity, sinceCaughtUp);
      const lagSeconds = caughtUp ? 0 : Number.isFinite(bound) ? Math.max(0, bound) : null;
      const lagging = lagSeconds === null || lagSeconds > env().REPLICA_MAX_LAG_SECONDS;
      result = { state: lagging ? "lagging" : "ok", lagSeconds, caughtUp };
    }
  } catch (error) {
    if (holder().health?.state !== "unreachable") logger.warn({ err: error }, "the read replica is unreachable; reading the primary");
    result = { state: "unreachable", lagSeconds: null, caughtUp: false };
  }
  holder().health = { state: result.state, lagSeconds: result.lagSeconds, checkedAt: Date.now() };
  return result;
}

async function chooseTarget(): Promise<TReadReason> {
  const known = holder().health;
  if (known && known.state !== "ok" && known.state !== "unknown" && Date.now() - known.checkedAt < RECHECK_MS) {
    return known.state as TReadReason;
  }
  const result = await probe(CATCH_UP_WAIT_MS);
  if (result.state !== "ok") return result.state as TReadReason;
  return result.caughtUp ? "replica" : "behind";
}

function instruments(): TInstruments {
  const state = holder();
  if (state.instruments) return state.instruments;
  const registers = [metrics().registry];
  const reads = new Counter({
    name: "driftline_replica_reads_total",
    help: "Replica-eligible reads of this process, by where they were served (replica, primary) and why (replica, behind, lagging, unreachable, not_standby, replica_error).",
    labelNames: ["target", "reason"],
    registers,
  });
  new Gauge({
    name: "driftline_replica_lag_seconds",
    help: "Replay lag of the read replica, measured at scrape time (0 when it has replayed all the primary flushed; -1 when unreachable or not configured).",
    registers,
    async collect() {
      const report = await replicaReport();
      this.set(report.lagSeconds ?? -1);
    },
  });
  new Gauge({
    name: "driftline_replica_read_share",
    help: "Share of this process's replica-eligible reads served by the replica since start (0 before any).",
    registers,
    collect() {
      this.set(readShare() ?? 0);
    },
  });
  state.instruments = { reads };
  return state.instruments;
}

/** Registers the replica instruments so /api/metrics shows them before the first read. */
export function registerReplicaMetrics(): void {
  if (replicaConfigured()) instruments();
}

function countRead(reason: TReadReason): void {
  const target = reason === "replica" ? "replica" : "primary";
  holder().counts[target] += 1;
  instruments().reads.inc({ target, reason });
}

function readShare(): number | null {
  const { replica, primary } = holder().counts;
  return replica + primary === 0 ? null : replica / (replica + primary);
}

/**
 * Runs `read` against the replica when it is usable and caught up, else against the primary.
 * `read` must only read, through `tenantReadDb(customerId)`; it may run twice (replica, then
 * primary) when the replica fails under it.
 */
export async function readFromReplica<T>(customerId: string, read: () => Promise<T>): Promise<T> {
  if (!replicaConfigured()) return read();
  const reason = await chooseTarget();
  if (reason !== "replica") {
    countRead(reason);
    return read();
  }
  try {
    const result = await routed.run({ customerId, client: replicaClient() }, read);
    countRead("replica");
    return result;
  } catch (error) {
    // Our own refusals (not found, bad input) are answers, not replica failures.
    if (error instanceof AppError) throw error;
    logger.warn({ err: error }, "a read on the replica failed; reading the primary");
    holder().health = { state: "unknown", lagSeconds: null, checkedAt: Date.now() };
    countRead("replica_error");
    return read();
  }
}

/** The tenant-scoped client for a read: the replica's inside `readFromReplica`, else the primary's. */
export function tenantReadDb(customerId: string): TTenantDb {
  const target = routed.getStore();
  return target && target.customerId === customerId ? tenantDb(customerId, target.client) : tenantDb(customerId);
}

export interface TReplicaReport {
  status: TReplicaState;
  /** Seconds behind the primary (0 when caught up); null when unknown. */
  lagSeconds: number | null;
  maxLagSeconds: number;
  /** Replica-eligible reads of this process since start, and the share the replica served. */
  reads: { replica: number; primary: number; replicaShare: number | null };
}

/** For /api/ready and /api/metrics: measured now. Never throws; a replica never makes Driftline unready. */
export async function replicaReport(): Promise<TReplicaReport> {
  const maxLagSeconds = env().REPLICA_MAX_LAG_SECONDS;
  const reads = { ...holder().counts, replicaShare: readShare() };
  if (!replicaConfigured()) return { status: "not_configured", lagSeconds: null, maxLagSeconds, reads };
  const result = await probe().catch(() => null);
  return { status: result?.state ?? "unknown", lagSeconds: result?.lagSeconds ?? null, maxLagSeconds, reads };
}
