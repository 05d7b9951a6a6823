import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { principalCache } from "@/server/auth/principal-cache";
import { createTestApiKey, createTestCustomer, createTestSession, createTestTenant, createTestUser, startRestServer, type TRestServer } from "@/test/factories";

/**
 * Principal lookups are cached per process and dropped on every instance by LISTEN/NOTIFY. Two
 * web instances with their own pools and caches: this test process (A) and a child process (B,
 * principal-cache.fixture.ts). Changes are made by a third connection, the owner's.
 */

const root = path.resolve(import.meta.dirname, "../../..");
let a: TRestServer;
let b: { baseUrl: string; child: ChildProcess };

async function startInstanceB(): Promise<{ baseUrl: string; child: ChildProcess }> {
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "src/server/auth/principal-cache.fixture.ts")], {
    cwd: root,
    env: process.env,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`instance B exited (${code}) before it listened`)));
  });
  return { baseUrl: (JSON.parse(line) as { baseUrl: string }).baseUrl, child };
}

async function asOwner(sql: string, params: unknown[] = [], options: { withoutTriggers?: boolean } = {}): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
  await client.connect();
  try {
    await client.query("BEGIN");
    // Only to prove the cache is really in use: the same change with its notification suppressed.
    if (options.withoutTriggers) await client.query("SET LOCAL session_replication_role = replica");
    await client.query(sql, params);
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
}

async function status(baseUrl: string, headers: Headers): Promise<number> {
  const response = await fetch(`${baseUrl}/customers/me`, { headers });
  await response.arrayBuffer();
  return response.status;
}

/** Polls until `instance` answers `expected`; the bound is far below the cache's 30 s TTL. */
async function answersWithin(baseUrl: string, headers: Headers, expected: number, boundMs = 5000): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    if ((await status(baseUrl, headers)) === expected) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

beforeAll(async () => {
  a = await startRestServer();
  expect(await principalCache().whenListening()).toBe(true);
  b = await startInstanceB();
}, 120_000);

afterAll(async () => {
  b?.child.stdin?.end();
  await new Promise((resolve) => (b?.child.exitCode !== null ? resolve(null) : b.child.once("exit", resolve)));
  await a?.close();
});

describe("principal cache across two instances", () => {
  it("serves an API key from the cache, and a revocation reaches both instances through NOTIFY, not the TTL", async () => {
    const customer = await createTestCustomer();
    const key = await createTestApiKey(customer.id, "VIEWER");
    for (const instance of [a, b]) expect(await status(instance.baseUrl, key.headers)).toBe(200);

    // Revoked with the notification suppressed: both instances still answer from their caches.
    await asOwner("UPDATE api_keys SET revoked_at = now() WHERE id = $1", [key.id], { withoutTriggers: true });
    for (const instance of [a, b]) expect(await status(instance.baseUrl, key.headers)).toBe(200);
    // The notification alone (what the trigger sends) makes both refuse.
    await asOwner(`SELECT pg_notify('driftline_principals', $1)`, [`key:${key.id}`]);
    for (const instance of [a, b]) expect(await answersWithin(instance.baseUrl, key.headers, 401)).toBe(true);

    // An ordinary revocation (the trigger notifies) of another, cached key.
    const other = await createTestApiKey(customer.id, "VIEWER");
    for (const instance of [a, b]) expect(await status(instance.baseUrl, other.headers)).toBe(200);
    await asOwner("UPDATE api_keys SET revoked_at = now() WHERE id = $1", [other.id]);
    for (const instance of [a, b]) expect(await answersWithin(instance.baseUrl, other.headers, 401)).toBe(true);
  });

  it("disabling a user and removing a membership reach both instances' cached sessions", async () => {
    const customer = await createTestCustomer();
    const user = await createTestUser({ customerId: customer.id, role: "VIEWER" });
    const session = await createTestSession(user.id);
    for (const instance of [a, b]) expect(await status(instance.baseUrl, session.headers)).toBe(200);
    await asOwner("DELETE FROM memberships WHERE user_id = $1", [user.id]);
    for (const instance of [a, b]) expect(await answersWithin(instance.baseUrl, session.headers, 403)).toBe(true);
    await asOwner("UPDATE users SET disabled_at = now() WHERE id = $1", [user.id]);
    for (const instance of [a, b]) expect(await answersWithin(instance.baseUrl, session.headers, 401)).toBe(true);
  });

  it("writes lastUsedAt at most once a minute per key, whichever instance answers", async () => {
    const customer = await createTestCustomer();
    const key = await createTestApiKey(customer.id, "VIEWER");
    const client = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
    await client.connect();
    try {
      const lastUsed = async () => (await client.query<{ t: Date | null }>("SELECT last_used_at AS t FROM api_keys WHERE id = $1", [key.id])).rows[0]!.t;
      expect(await status(a.baseUrl, key.headers)).toBe(200);
      const first = await lastUsed();
      expect(first).not.toBeNull();
      for (let i = 0; i < 5; i += 1) for (const instance of [a, b]) expect(await status(instance.baseUrl, key.headers)).toBe(200);
      expect((await lastUsed())!.getTime()).toBe(first!.getTime());
    } finally {
      await client.end();
    }
  });

  it("the instance that commits a revocation refuses the key on its next request, however slowly the notification travels", async () => {
    const { key, removeCreator } = await cachedKeyOfALeavingMember();
    // A slow network between this instance and its listening connection: every chunk it
    // receives is handed on 300 ms late (in order).
    const restore = delayListenerInput(300);
    try {
      expect(await removeCreator()).toBe(200);
      expect(await status(a.baseUrl, key.headers)).toBe(401);
    } finally {
      await restore();
    }
  });

  it("a stalled invalidation channel does not hold a change's answer: it is dropped, and the key is refused all the same", async () => {
    const { key, removeCreator } = await cachedKeyOfALeavingMember();
    // The connection stays open but nothing arrives on it: the sync's answer never comes.
    const restore = delayListenerInput("until restored");
    try {
      expect(await removeCreator()).toBe(200);
      expect(principalCache().ready).toBe(false);
      expect(await status(a.baseUrl, key.headers)).toBe(401);
    } finally {
      await restore();
    }
    // A new channel is subscribed on a later request, and the cache is used again.
    const deadline = Date.now() + 10_000;
    while (!(await principalCache().whenListening()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(principalCache().ready).toBe(true);
  });
});

describe("sync", () => {
  it("applies every notification committed before it was called, 100 times in a row", async () => {
    const cache = principalCache();
    const owner = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
    await owner.connect();
    try {
      let stale = 0;
      for (let i = 0; i < 100; i += 1) {
        const tag = `key:sync-${i}`;
        cache.set(`entry-${i}`, "cached", [tag], cache.epoch);
        expect(cache.get(`entry-${i}`)).toBe("cached");
        await owner.query("SELECT pg_notify($1, $2)", ["driftline_principals", tag]);
        await cache.sync();
        if (cache.get(`entry-${i}`) !== undefined) stale += 1;
      }
      expect(stale).toBe(0);
    } finally {
      await owner.end();
    }
  });

  it("concurrent callers: each applies what was committed before its own call, with one round trip at a time on the connection", async () => {
    const cache = principalCache();
    const client = (cache as unknown as { client: pg.Client }).client;
    const query = client.query.bind(client) as (text: string) => Promise<unknown>;
    let outstanding = 0;
    let mostOutstanding = 0;
    let roundTrips = 0;
    // Observes the listening connection's queries (the driver's method, not the cache's code).
    (client as unknown as { query: (text: string) => Promise<unknown> }).query = async (text: string) => {
      roundTrips += 1;
      mostOutstanding = Math.max(mostOutstanding, (outstanding += 1));
      try {
        return await query(text);
      } finally {
        outstanding -= 1;
      }
    };
    const owners = new pg.Pool({ connectionString: process.env.MIGRATION_DATABASE_URL, max: 8 });
    // Answers arrive 40 ms after they are sent, so a caller that committed while a round trip was
    // on the wire would see its change missing if it were answered by that round trip.
    const restore = delayListenerInput(40);
    try {
      const callers = 60;
      const stale = await Promise.all(
        Array.from({ length: callers }, async (_, i) => {
          const tag = `key:concurrent-sync-${i}`;
          cache.set(`concurrent-${i}`, "cached", [tag], cache.epoch);
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 90));
          await owners.query("SELECT pg_notify($1, $2)", ["driftline_principals", tag]);
          await cache.sync();
          return cache.get(`concurrent-${i}`) !== undefined;
        }),
      );
      expect(stale.filter(Boolean)).toHaveLength(0);
      expect(mostOutstanding).toBe(1);
      expect(roundTrips).toBeLessThan(callers);
    } finally {
      await restore();
      await owners.end();
      delete (client as unknown as { query?: unknown }).query;
    }
  });
});

/**
 * An API key, cached by instance A, whose creator (an admin of its tenant) `removeCreator` removes
 * through A's REST door, revoking the key; it resolves to the removal's status.
 */
async function cachedKeyOfALeavingMember() {
  const tenant = await createTestTenant();
  const creator = await createTestUser({ customerId: tenant.customer.id, role: "ADMIN" });
  const key = await createTestApiKey(tenant.customer.id, "ANALYST", { createdById: creator.id });
  expect(await status(a.baseUrl, key.headers)).toBe(200);
  const removeCreator = async () => {
    const response = await fetch(`${a.baseUrl}/users/${creator.id}`, { method: "DELETE", headers: tenant.members.ADMIN.session.headers });
    await response.arrayBuffer();
    return response.status;
  };
  return { key, removeCreator };
}

/**
 * Delays the data this process's listening connection receives by `ms` (or holds it until the
 * returned function is called), keeping its order. The returned function puts the connection
 * back once no chunk is held any more.
 */
function delayListenerInput(ms: number | "until restored"): () => Promise<void> {
  const stream = (principalCache() as unknown as { client: { connection: { stream: NodeJS.EventEmitter } } }).client.connection.stream;
  const handlers = stream.listeners("data") as ((chunk: Buffer) => void)[];
  const deliver = (chunk: Buffer) => handlers.forEach((handler) => handler(chunk));
  const heldUntilRestored: Buffer[] = [];
  let held = 0;
  const delayed = (chunk: Buffer) => {
    if (ms === "until restored") {
      heldUntilRestored.push(chunk);
      return;
    }
    held += 1;
    setTimeout(() => {
      held -= 1;
      deliver(chunk);
    }, ms);
  };
  stream.removeAllListeners("data");
  stream.on("data", delayed);
  return async () => {
    while (held > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    stream.off("data", delayed);
    heldUntilRestored.splice(0).forEach(deliver);
    handlers.forEach((handler) => stream.on("data", handler));
  };
}
