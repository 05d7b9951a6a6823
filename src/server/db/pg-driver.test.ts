import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseUrl, tenantDatabaseUrl } from "@/env";
import { createPrismaClient, db } from "@/server/db/client";
import { createPool, driverRoundTrips, withTransactionPrelude } from "@/server/db/pg-driver";
import { tenantDb } from "@/server/db/tenant-scope";
import { createTestCustomer, type TTestCustomer } from "@/test/factories";

/**
 * The driver sends a transaction's prelude with its BEGIN (pg-driver.ts): the tenant-scoped
 * client relies on it for every model operation, so it must reach exactly the transaction it
 * was meant for, under concurrency too.
 */

const SETTING = "SELECT current_setting('app.customer_id', true) AS value";
const prelude = (value: string) => `SELECT set_config('app.customer_id', '${value}', true)`;

describe("withTransactionPrelude", () => {
  const pool = createPool({ connectionString: databaseUrl(), max: 1 });
  afterAll(() => pool.end());

  it("starts the first transaction of the call with the prelude, in BEGIN's round trip, and no other", async () => {
    const seen = await withTransactionPrelude(prelude("first"), async () => {
      const client = await pool.connect();
      try {
        const before = driverRoundTrips();
        await client.query("BEGIN");
        const first = (await client.query<{ value: string }>(SETTING)).rows[0]!.value;
        const roundTrips = driverRoundTrips() - before;
        await client.query("COMMIT");
        await client.query("BEGIN");
        const second = (await client.query<{ value: string }>(SETTING)).rows[0]!.value;
        await client.query("COMMIT");
        return { first, roundTrips, second };
      } finally {
        client.release();
      }
    });
    expect(seen.first).toBe("first");
    expect(seen.roundTrips, "BEGIN, the prelude and the first statement in one round trip").toBe(1);
    expect(seen.second, "a second transaction of the same call").toBe("");

    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      expect((await client.query<{ value: string }>(SETTING)).rows[0]!.value, "a transaction outside the call").toBe("");
      await client.query("COMMIT");
    } finally {
      client.release();
    }
  });

  it("goes out after SET TRANSACTION, which must precede every query of the transaction", async () => {
    const value = await withTransactionPrelude(prelude("serializable"), async () => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
        const row = (await client.query<{ value: string; isolation: string }>(`${SETTING}, current_setting('transaction_isolation') AS isolation`)).rows[0]!;
        await client.query("COMMIT");
        return row;
      } finally {
        client.release();
      }
    });
    expect(value).toEqual({ value: "serializable", isolation: "serializable" });
  });

  it("reaches a pool made by another copy of this module (the web role loads it twice)", async () => {
    // Next.js's bundle and the server's own module graph each load pg-driver.ts; the Prisma
    // clients are shared, so a prelude set through one copy must reach the other copy's driver.
    const other = (await import(/* @vite-ignore */ `./pg-driver.ts?copy=${Date.now()}`)) as typeof import("./pg-driver");
    expect(other.withTransactionPrelude).not.toBe(withTransactionPrelude);
    const otherPool = other.createPool({ connectionString: databaseUrl(), max: 1 });
    try {
      const seen = await withTransactionPrelude(prelude("set-here"), async () => {
        const client = await otherPool.connect();
        try {
          await client.query("BEGIN");
          const row = (await client.query<{ value: string }>(SETTING)).rows[0]!.value;
          await client.query("COMMIT");
          return row;
        } finally {
          client.release();
        }
      });
      expect(seen, "a prelude set through this copy, a pool made by the other").toBe("set-here");
    } finally {
      await otherPool.end();
    }
  });

  it("applies to statements with parameters too (the prelude goes just before them)", async () => {
    const value = await withTransactionPrelude(prelude("with-params"), async () => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const row = (await client.query<{ value: string; n: number }>(`${SETTING}, $1::int AS n`, [7])).rows[0]!;
        await client.query("COMMIT");
        return row;
      } finally {
        client.release();
      }
    });
    expect(value).toEqual({ value: "with-params", n: 7 });
  });
});

describe("tenant-scoped operations on one shared connection", () => {
  let a: TTestCustomer;
  let b: TTestCustomer;
  const base = createPrismaClient(tenantDatabaseUrl(), { max: 1 });

  beforeAll(async () => {
    a = await createTestCustomer();
    b = await createTestCustomer();
  });

  afterAll(async () => {
    await base.$disconnect();
    await db()
      .customer.deleteMany({ where: { id: { in: [a.id, b.id] } } })
      .catch(() => {});
  });

  it("each sees its own tenant when operations of two tenants interleave", async () => {
    // On the tenant login a missing or wrong tenant setting shows no row at all (row-level
    // security), so each answer being exactly its own customer proves its prelude was its own.
    const calls = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b));
    const answers = await Promise.all(calls.map((customer) => tenantDb(customer.id, base).customer.findMany({ select: { id: true } })));
    answers.forEach((rows, i) => expect(rows).toEqual([{ id: calls[i]!.id }]));
  });
});
