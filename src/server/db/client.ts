import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { databaseUrl } from "@/env";

/**
 * The one Prisma client of a process, created on first use because start-up decides
 * DATABASE_URL (embedded or configured) before anything touches the database. Kept on
 * globalThis so Next.js development reloads do not open a new pool each time.
 */
const holder = globalThis as unknown as { driftlinePrisma?: PrismaClient };

export function createPrismaClient(url = databaseUrl(), options: { max?: number; logQueries?: boolean } = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max: options.max ?? 10 });
  // logQueries: emit a "query" event per SQL statement (tests count statements with $on("query")).
  if (options.logQueries) return new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] }) as unknown as PrismaClient;
  return new PrismaClient({ adapter });
}

export function db(): PrismaClient {
  holder.driftlinePrisma ??= createPrismaClient();
  return holder.driftlinePrisma;
}

export async function disconnectDb(): Promise<void> {
  const client = holder.driftlinePrisma;
  holder.driftlinePrisma = undefined;
  await client?.$disconnect();
}

export type TDb = PrismaClient;
export type TTx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
