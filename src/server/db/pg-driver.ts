import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";

/**
 * The pg client under every pool of the application (Prisma's driver adapter and the
 * rate-limit store), doing two things at the driver edge:
 *
 * - Transaction control without parameters (`BEGIN`, `SET TRANSACTION ISOLATION LEVEL …`) is not
 *   sent on its own: it goes out in front of the next statement, in one simple-protocol round
 *   trip when that statement has no parameters either — as the tenant prelude
 *   (`SELECT set_config('role', …), set_config('app.customer_id', …)`, tenant-scope.ts) has not.
 *   So a tenant transaction opens with one round trip instead of two or three. A statement with
 *   parameters cannot share the simple protocol: the deferred text is sent just before it.
 * - A transaction begun inside `withTransactionPrelude(sql, fn)` gets `sql` (the tenant prelude)
 *   from here, sent with its BEGIN: the tenant-scoped client (tenant-scope.ts) then issues no
 *   statement of its own for it, which costs Prisma about as much CPU as the query it guards.
 *   Only the first transaction begun in that call gets it: a second one (on another client,
 *   say the platform login's) is begun as it would be anywhere else.
 * - Every round trip is counted (`driverRoundTrips`): tests count statements per request with it.
 */

let roundTrips = 0;

/** Round trips to PostgreSQL by this process's application pools so far. */
export function driverRoundTrips(): number {
  return roundTrips;
}

const DEFERRABLE = /^\s*(BEGIN|SET TRANSACTION ISOLATION LEVEL [A-Z ]+)\s*;?\s*$/i;
const BEGIN = /^\s*BEGIN\s*;?\s*$/i;

/**
 * The prelude of the transaction a `withTransactionPrelude` call begins, until it is taken. One
 * per process, on globalThis: the web role loads this module twice (Next.js's bundle for the tRPC
 * door, its own module graph for the REST door) while both share one set of Prisma clients, so
 * whichever copy made a pool's driver must see the prelude the other copy set.
 */
const holder = globalThis as unknown as { driftlineTransactionPreludes?: AsyncLocalStorage<{ sql: string | undefined }> };
holder.driftlineTransactionPreludes ??= new AsyncLocalStorage();
const preludes = holder.driftlineTransactionPreludes;

/**
 * Runs `fn` so that the first transaction it begins starts with `sql` in the same round trip as
 * BEGIN (after any SET TRANSACTION, which must precede every query of the transaction). `sql`
 * must be parameter-free and is the caller's to make safe.
 */
export function withTransactionPrelude<T>(sql: string, fn: () => Promise<T>): Promise<T> {
  return preludes.run({ sql }, fn);
}

type TQueryConfig = { text?: string; values?: unknown[]; name?: string; submit?: unknown; rowMode?: string };
type TResult = pg.QueryResult | pg.QueryResult[];

const EMPTY_RESULT = { command: "BEGIN", rowCount: 0, oid: 0, rows: [], fields: [] } as unknown as pg.QueryResult;

export class CountingClient extends pg.Client {
  private deferred: string[] = [];
  /** Goes out after `deferred`: SET TRANSACTION has to come before it. */
  private prelude: string | undefined;

  // pg's query() has many overloads; only the promise form without a callback is rewritten here.
  query(...args: unknown[]): never {
    const [config, values, callback] = args as [string | TQueryConfig, unknown, unknown];
    const superQuery = (...a: unknown[]) => (pg.Client.prototype.query as (...q: unknown[]) => unknown).apply(this, a);
    const object = typeof config === "object" && config !== null ? config : null;
    if (typeof values === "function" || typeof callback === "function" || object?.submit) {
      roundTrips += 1;
      return superQuery(...args) as never;
    }
    const text = typeof config === "string" ? config : object?.text;
    const params = (Array.isArray(values) ? values : object?.values) ?? [];
    const simple = typeof text === "string" && params.length === 0 && !object?.name;
    if (simple && DEFERRABLE.test(text)) {
      this.deferred.push(text.trim().replace(/;$/, ""));
      if (BEGIN.test(text)) {
        // Taken by this BEGIN, in the caller's context: no later transaction of that call gets it.
        const store = preludes.getStore();
        this.prelude = store?.sql;
        if (store) store.sql = undefined;
      }
      return Promise.resolve(EMPTY_RESULT) as never;
    }
    if (this.deferred.length === 0) {
      roundTrips += 1;
      return superQuery(...args) as never;
    }
    if (this.prelude !== undefined) this.deferred.push(this.prelude);
    const prefix = this.deferred.join("; ");
    this.deferred = [];
    this.prelude = undefined;
    roundTrips += 1;
    if (simple) {
      const combined = object ? { ...object, text: `${prefix}; ${text}` } : `${prefix}; ${text}`;
      return (superQuery(combined) as Promise<TResult>).then((result) => (Array.isArray(result) ? result[result.length - 1]! : result)) as never;
    }
    return (superQuery(prefix) as Promise<unknown>).then(() => {
      roundTrips += 1;
      return superQuery(...args);
    }) as never;
  }
}

/** A pool whose connections are CountingClients. */
export function createPool(config: pg.PoolConfig): pg.Pool {
  return new pg.Pool({ ...config, Client: CountingClient });
}
