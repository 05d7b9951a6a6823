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
 * - Every round trip is counted (`driverRoundTrips`): tests count statements per request with it.
 */

let roundTrips = 0;

/** Round trips to PostgreSQL by this process's application pools so far. */
export function driverRoundTrips(): number {
  return roundTrips;
}

const DEFERRABLE = /^\s*(BEGIN|SET TRANSACTION ISOLATION LEVEL [A-Z ]+)\s*;?\s*$/i;

type TQueryConfig = { text?: string; values?: unknown[]; name?: string; submit?: unknown; rowMode?: string };
type TResult = pg.QueryResult | pg.QueryResult[];

const EMPTY_RESULT = { command: "BEGIN", rowCount: 0, oid: 0, rows: [], fields: [] } as unknown as pg.QueryResult;

export class CountingClient extends pg.Client {
  private deferred: string[] = [];

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
      return Promise.resolve(EMPTY_RESULT) as never;
    }
    if (this.deferred.length === 0) {
      roundTrips += 1;
      return superQuery(...args) as never;
    }
    const prefix = this.deferred.join("; ");
    this.deferred = [];
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
