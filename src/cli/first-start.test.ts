import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "@/env";
import { migrateUp } from "@/server/db/migrations";
import { seedDemo } from "../../prisma/seed/seed-demo";
import { firstStart } from "./seed-if-empty";

/**
 * Finding 3: `DRIFTLINE_MODE=production` on an empty database seeded the demo accounts, whose
 * password the README publishes (a superuser among them). Production now starts empty, refuses
 * demo data, and tells the operator how to create the first admin.
 */

const PRODUCTION = {
  DRIFTLINE_MODE: "production",
  AUTH_SECRET: "a".repeat(40),
  PATIENT_HASH_KEY: "b".repeat(40),
  WEBHOOK_SECRET_KEY: "c".repeat(40),
  METRICS_TOKEN: "d".repeat(40),
};

const admin = () => {
  const value = process.env.TEST_ADMIN_DATABASE_URL;
  if (!value) throw new Error("TEST_ADMIN_DATABASE_URL is not set (global setup)");
  return value;
};
const name = `driftline_first_start_${randomBytes(4).toString("hex")}`;
let url: string;

beforeAll(async () => {
  const client = new pg.Client({ connectionString: admin() });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const target = new URL(admin());
  target.pathname = `/${name}`;
  url = target.toString();
  await migrateUp(url);
});

afterAll(async () => {
  const client = new pg.Client({ connectionString: admin() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.end();
});

async function count(table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe("production mode never creates accounts with a known password", () => {
  it("demo data is off by default in production, and SEED_DEMO_DATA=true is refused there", () => {
    expect(parseEnv(PRODUCTION).SEED_DEMO_DATA).toBe(false);
    expect(() => parseEnv({ ...PRODUCTION, SEED_DEMO_DATA: "true" })).toThrow(EnvError);
    expect(() => parseEnv({ ...PRODUCTION, SEED_DEMO_DATA: "true" })).toThrow(/SEED_DEMO_DATA/);
    // Development keeps the demo by default (a fresh clone shows something on first start).
    expect(parseEnv({}).SEED_DEMO_DATA).toBe(true);
  });

  it("first start in production on an empty database creates no account and says how to create the first admin", async () => {
    const lines: string[] = [];
    const seeded = await firstStart(url, parseEnv(PRODUCTION), (line) => lines.push(line));
    expect(seeded).toEqual([]);
    expect(await count("users")).toBe(0);
    expect(await count("customers")).toBe(0);
    const told = lines.join("\n");
    expect(told).toMatch(/create-user/);
    expect(told).toMatch(/--superuser/);
    expect(told).not.toMatch(/--password /);
  });

  it("the demo seed itself refuses to run in production mode (the CLI `seed` path too)", async () => {
    const before = process.env.DRIFTLINE_MODE;
    process.env.DRIFTLINE_MODE = "production";
    try {
      await expect(seedDemo(url, { tenants: 1, claims: 1000 })).rejects.toThrow(/production/);
    } finally {
      if (before === undefined) delete process.env.DRIFTLINE_MODE;
      else process.env.DRIFTLINE_MODE = before;
    }
    expect(await count("users")).toBe(0);
  });
});
