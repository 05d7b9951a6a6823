import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type TDb } from "@/server/db/client";
import { createTestCustomer } from "@/test/factories";
import { createLogger } from "./logger";

/**
 * Database errors reach the log (every 500 is logged with its cause) without the row values
 * PostgreSQL puts in them: a real check violation, not-null violation and unique violation whose
 * rows hold a marker, raised through Prisma and through the pg driver, logged with the
 * application's logger options; the line keeps what an operator needs (SQLSTATE, constraint).
 *
 * The errors are raised as the table owner: PostgreSQL leaves the row out of errors for logins
 * under row-level security (the application's), so only a login outside it shows what the
 * scrubbing must remove — the logger cannot rely on which login raised an error.
 */

let client: pg.Client;
let owner: TDb;
let customerId: string;

beforeAll(async () => {
  const ownerUrl = process.env.MIGRATION_DATABASE_URL!;
  client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  owner = createPrismaClient(ownerUrl, { max: 1 });
  customerId = (await createTestCustomer()).id;
});

afterAll(async () => {
  await client?.end();
  await owner?.$disconnect();
});

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger(stream), lines };
}

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the statement to fail");
}

/** What pino's own serializer would have written: proves the error really carries the marker. */
function unscrubbed(error: unknown): string {
  return JSON.stringify(pino.stdSerializers.err(error as Error), (_key, value: unknown) =>
    value instanceof Error ? { ...value, message: value.message, stack: value.stack } : value,
  );
}

describe("database errors are logged without row values", () => {
  it("check violation through Prisma (Failing row contains …)", async () => {
    const marker = `PHI-${randomUUID()}`;
    const now = new Date();
    const error = await caught(() =>
      owner.detectionRun.create({ data: { customerId, trigger: "MANUAL", queuedAt: now, startedAt: new Date(now.getTime() - 3_600_000), error: marker } }),
    );
    expect(unscrubbed(error)).toContain(marker);
    const { logger, lines } = capture();
    logger.error({ requestId: "r-1", err: error }, "unhandled error");
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(marker);
    expect(lines[0]).toContain("23514");
  });

  it("check, not-null and unique violations through the pg driver (detail, where)", async () => {
    const marker = `PHI-${randomUUID()}`;
    const slug = `mk-${randomUUID().slice(0, 8)}`;
    await client.query("INSERT INTO customers (slug, name) VALUES ($1, $2)", [slug, marker]);
    const errors = [
      await caught(() =>
        client.query(
          "INSERT INTO detection_runs (customer_id, trigger, queued_at, started_at, error) VALUES ($1, 'MANUAL', now(), now() - interval '1 hour', $2)",
          [customerId, marker],
        ),
      ),
      await caught(() => client.query("INSERT INTO customers (slug, name) VALUES (NULL, $1)", [marker])),
      await caught(() => client.query("INSERT INTO customers (slug, name) VALUES ($1, 'x')", [slug])),
    ];
    const { logger, lines } = capture();
    for (const [index, error] of errors.entries()) {
      const secret = index === 2 ? slug : marker;
      expect(unscrubbed(error), `error ${index} carries the value`).toContain(secret);
      logger.error({ err: error }, "REST handler failed");
      expect(lines[index], `error ${index}`).not.toContain(secret);
      expect(lines[index]).toContain((error as { code: string }).code);
    }
    expect(lines[2]).toContain("customers_slug_key");
  });

  it("a cause chain (an application error wrapping the database error) is scrubbed too", async () => {
    const marker = `PHI-${randomUUID()}`;
    const cause = await caught(() => client.query("INSERT INTO customers (slug, name) VALUES (NULL, $1)", [marker]));
    const wrapped = new Error("saving the run failed", { cause });
    const { logger, lines } = capture();
    logger.error({ err: wrapped }, "unhandled error");
    expect(lines[0]).toContain("saving the run failed");
    expect(lines[0]).not.toContain(marker);
  });
});
