import pg from "pg";
import { logger } from "@/server/lib/logger";

/**
 * A short-lived, per-process cache of principal lookups (API key -> tenant and role, session ->
 * user and memberships), so a request does not pay those statements every time.
 *
 * Correctness rests on PostgreSQL LISTEN/NOTIFY, not on the TTL: the triggers of migration
 * 20261204010000 notify channel `driftline_principals` after every commit that revokes, expires,
 * disables or changes a key, a user, a membership or a session, and each process drops the
 * entries it names as the notification arrives (milliseconds after the commit; the two-process
 * test in principal-cache.test.ts bounds it at one second). The cache is used only while this
 * process's listening connection is up: before it has subscribed, and from the moment it drops
 * until it has subscribed again (with the cache emptied), every lookup goes to the database.
 * Entries also expire after PRINCIPAL_CACHE_TTL_MS whatever happens.
 */

export const PRINCIPAL_CACHE_TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;
export const PRINCIPAL_CHANNEL = "driftline_principals";
/** How long a change's answer waits for the invalidation channel (`sync`) before giving up on it. */
export const SYNC_TIMEOUT_MS = 1000;

interface TEntry<T> {
  value: T;
  expiresAt: number;
  /** Notification keys that drop this entry, e.g. "key:<id>", "user:<id>", "session:<id>". */
  tags: string[];
}

class PrincipalCache {
  private readonly entries = new Map<string, TEntry<unknown>>();
  private readonly byTag = new Map<string, Set<string>>();
  private client: pg.Client | null = null;
  private listening = false;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** `sync`'s round trip on the listening connection, and the one queued behind it. */
  private roundOnTheWire: Promise<void> | null = null;
  private nextRound: Promise<void> | null = null;

  /** Whether cached entries may be used: the invalidation channel is subscribed. */
  get ready(): boolean {
    this.ensureListening();
    return this.listening;
  }

  get<T>(key: string): T | undefined {
    if (!this.ready) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.drop(key);
      return undefined;
    }
    return entry.value as T;
  }

  /**
   * Stores `value` under `key` unless a notification for one of `tags` arrived since `since`
   * (the epoch read before the lookup started): a lookup racing a revocation must not put the
   * old answer back.
   */
  set<T>(key: string, value: T, tags: string[], since: number): void {
    if (!this.listening || this.changedSince(tags, since)) return;
    this.drop(key);
    this.entries.set(key, { value, expiresAt: Date.now() + PRINCIPAL_CACHE_TTL_MS, tags });
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    if (this.entries.size > MAX_ENTRIES) this.drop(this.entries.keys().next().value as string);
  }

  /** Bumped by every invalidation; see `set`. */
  epoch = 0;
  /**
   * The epoch of the last full clear, and of each tag's last invalidation (the most recent
   * MAX_ENTRIES tags; `forgottenThrough` is the newest epoch among those forgotten).
   */
  private clearedAt = 0;
  private forgottenThrough = 0;
  private readonly invalidatedAt = new Map<string, number>();

  /**
   * Whether a lookup that started at epoch `since` may have read what a later notification for
   * one of `tags` (or a full clear) changed. Per tag, so that other keys' revocations, frequent
   * in a busy multi-tenant process, do not stop this entry from being cached.
   */
  private changedSince(tags: readonly string[], since: number): boolean {
    if (since === this.epoch) return false;
    if (this.clearedAt > since || this.forgottenThrough > since) return true;
    return tags.some((tag) => (this.invalidatedAt.get(tag) ?? 0) > since);
  }

  drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }

  invalidate(tag: string): void {
    this.epoch += 1;
    this.invalidatedAt.delete(tag);
    this.invalidatedAt.set(tag, this.epoch);
    if (this.invalidatedAt.size > MAX_ENTRIES) {
      const [oldest, epoch] = this.invalidatedAt.entries().next().value as [string, number];
      this.invalidatedAt.delete(oldest);
      this.forgottenThrough = epoch;
    }
    for (const key of [...(this.byTag.get(tag) ?? [])]) this.drop(key);
  }

  clear(): void {
    this.epoch += 1;
    this.clearedAt = this.epoch;
    this.invalidatedAt.clear();
    this.entries.clear();
    this.byTag.clear();
  }

  /** Stops using `which` as the invalidation channel (if it still is) and empties the cache. */
  private dropChannel(which: pg.Client, error?: unknown): void {
    if (this.client !== which) return;
    this.client = null;
    this.listening = false;
    this.clear();
    if (error) logger.warn({ err: error }, "principal cache: invalidation channel lost; lookups go to the database until it is back");
    which.end().catch(() => {});
    if (!this.closed) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
      }, 1000);
      this.retryTimer.unref();
    }
  }

  private ensureListening(): void {
    if (this.listening || this.connecting || this.retryTimer || this.closed) return;
    const url = process.env.DATABASE_URL;
    if (!url) return;
    const client = new pg.Client({ connectionString: url });
    const lost = (error?: unknown) => this.dropChannel(client, error);
    this.client = client;
    client.on("error", lost);
    client.on("end", () => lost());
    client.on("notification", (message) => {
      if (message.channel === PRINCIPAL_CHANNEL && message.payload) this.invalidate(message.payload);
    });
    this.connecting = client
      .connect()
      .then(async () => {
        // The listening connection must not keep a finished script or test worker alive.
        (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
        await client.query(`LISTEN ${PRINCIPAL_CHANNEL}`);
        if (this.client === client) {
          this.clear();
          this.listening = true;
        }
      })
      .catch((error: unknown) => lost(error))
      .finally(() => {
        this.connecting = null;
      });
  }

  /**
   * Resolves once every notification committed before the call has been applied here: a round
   * trip on the listening connection. The committing backend signals the listeners before its
   * COMMIT returns, and a signalled backend sends its pending notifications before it answers the
   * next query, so they arrive (in order) ahead of this answer. A change made by this process is
   * thereby in force for its very next request, however slow the notification is; other
   * processes see it when their notification arrives.
   *
   * Concurrent callers share round trips, one on the connection at a time: a round trip already
   * sent may have been answered before the caller's commit, so the caller waits for the next one,
   * which every caller arriving meanwhile shares.
   */
  sync(): Promise<void> {
    if (this.nextRound) return this.nextRound;
    if (this.roundOnTheWire) {
      this.nextRound = this.roundOnTheWire.then(() => {
        this.nextRound = null;
        return this.sendRound();
      });
      return this.nextRound;
    }
    return this.sendRound();
  }

  private sendRound(): Promise<void> {
    const client = this.client;
    // Not subscribed (or dropped meanwhile, which emptied the cache): nothing to wait for.
    if (!this.listening || !client) return Promise.resolve();
    const round = this.roundTrip(client).finally(() => {
      if (this.roundOnTheWire === round) this.roundOnTheWire = null;
    });
    this.roundOnTheWire = round;
    return round;
  }

  private async roundTrip(client: pg.Client): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const answered = client.query("SELECT 1").then(
      () => true,
      () => false,
    );
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SYNC_TIMEOUT_MS)));
    const ok = await Promise.race([answered, timedOut]);
    clearTimeout(timer);
    // A channel that fails or stalls cannot vouch for the cache: drop it (and the cache with it),
    // so lookups go to the database until it is subscribed again. A stalled connection must not
    // hold every change's answer either.
    if (!ok) this.dropChannel(client, new Error(`no answer on the invalidation channel within ${SYNC_TIMEOUT_MS} ms`));
  }

  /** Waits until the channel is subscribed (tests, and the web process at start-up). */
  async whenListening(): Promise<boolean> {
    this.ensureListening();
    await this.connecting;
    return this.listening;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    this.listening = false;
    this.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await client?.end().catch(() => {});
  }
}

const holder = globalThis as unknown as { driftlinePrincipalCache?: PrincipalCache };

export function principalCache(): PrincipalCache {
  holder.driftlinePrincipalCache ??= new PrincipalCache();
  return holder.driftlinePrincipalCache;
}

/** Closes the listening connection (graceful shutdown); the next lookup opens a new one. */
export async function closePrincipalCache(): Promise<void> {
  const cache = holder.driftlinePrincipalCache;
  holder.driftlinePrincipalCache = undefined;
  await cache?.close();
}
