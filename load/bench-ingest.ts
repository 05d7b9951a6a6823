/**
 * Ingestion benchmark: `npm run bench:ingest [-- --lines N]`.
 *
 * 1. Generates an N-line claims CSV (default 1,000,000) to a temporary file, streaming.
 * 2. Ingests it through the real service path: spool (SHA-256 + size check) -> streaming CSV
 *    parser and validation -> COPY into the staging table -> payer resolution -> one
 *    INSERT … ON CONFLICT into claim_lines, in one transaction.
 * 3. Loads the same file with a plain PostgreSQL `COPY … (FORMAT csv)` into a scratch table
 *    with the same column types and no indexes: the floor no loader for this schema reaches.
 * 4. Exports the rows the upload stored (already normalised: payer and mapping ids, CPT group,
 *    patient-account hash) and COPYs them into a scratch copy of `claim_lines` with all its
 *    indexes, CHECKs, foreign keys and triggers: the honest limit for this schema
 *    (`ratioToCopyIntoClaimLines`). The export is not timed.
 * Prints lines/s for each, the ratios, and the process's peak RSS (memory must stay flat in the
 * file size: compare `--lines 100000` with the default).
 *
 * Uses DATABASE_URL when set (a fresh database is created on that server and dropped after),
 * else an embedded PostgreSQL in a temporary directory.
 */
import { once } from "node:events";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const PAYERS = ["United Healthcare", "UHC", "Aetna", "Cigna", "Humana", "Blue Cross Blue Shield", "Medicare", "Medicaid", "Kaiser", "Anthem"];
const CODES = ["99213", "99214", "99215", "99203", "85025", "80053", "71046", "93000", "36415", "G0101", "J1100", "20610", "97110", "90471"];
const HEADER =
  "submitterClaimId,lineNumber,payerName,cptCode,units,serviceDate,submittedAt,decidedAt,paidAt,billedAmount,allowedAmount,paidAmount,outcome,denialReason,remarkCodes,payerClaimNumber,patientAccount";

function day(base: number, offset: number): string {
  return new Date(base + offset * 86_400_000).toISOString().slice(0, 10);
}

/** Deterministic rows that both the service and COPY accept (ISO dates, plain amounts). */
async function generateCsv(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${HEADER}\n`);
  const start = Date.UTC(2023, 0, 1);
  let chunk = "";
  for (let i = 0; i < lines; i += 1) {
    const claim = Math.floor(i / 3);
    const lineNumber = (i % 3) + 1;
    const service = start + (claim % 600) * 86_400_000;
    const billed = 80 + (i % 400);
    const denied = i % 9 === 0;
    const paid = denied ? 0 : Math.round(billed * 0.7);
    chunk +=
      `CLM-${claim},${lineNumber},${PAYERS[claim % PAYERS.length]},${CODES[i % CODES.length]},1,` +
      `${day(service, 0)},${day(service, 2)},${day(service, 20 + (i % 15))},${denied ? "" : day(service, 25 + (i % 15))},` +
      `${billed}.00,${denied ? "" : `${Math.round(billed * 0.8)}.00`},${paid}.00,${denied ? "DENIED" : "PAID"},` +
      `${denied ? "CO-50" : ""},${denied ? "N130" : ""},ICN-${claim},ACCT-${claim % 50_000}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

const SCRATCH_TABLE = `CREATE TABLE bench_copy_scratch (
  submitter_claim_id text, line_number integer, payer_name text, cpt_code text, units numeric(10,2),
  service_date date, submitted_at date, decided_at date, paid_at date, billed_amount numeric(12,2),
  allowed_amount numeric(12,2), paid_amount numeric(12,2), outcome claim_outcome, denial_reason text,
  remark_codes text, payer_claim_number text, patient_account text)`;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);

export interface TIngestBench {
  lines: number;
  serviceSeconds: number;
  copySeconds: number;
  linesPerSecond: number;
  copyLinesPerSecond: number;
  ratioToCopy: number;
  copyIntoClaimLinesSeconds: number;
  copyIntoClaimLinesPerSecond: number;
  ratioToCopyIntoClaimLines: number;
  peakRssBytes: number;
}

/**
 * The measurement itself, against the migrated database in DATABASE_URL (load/bench.ts calls it
 * in its own run; `main` below gives it a fresh database).
 */
export async function benchIngest(LINES: number, log: (message: string) => void = console.log): Promise<TIngestBench> {
  const work = mkdtempSync(path.join(tmpdir(), "driftline-bench-"));
  const csv = path.join(work, "claims.csv");
  try {
    let started = performance.now();
    await generateCsv(csv, LINES);
    const sizeBytes = statSync(csv).size;
    log(`generated ${LINES.toLocaleString("en-US")} lines (${(sizeBytes / 1e6).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // The plain-COPY baseline needs a scratch table, which only the owner may create.
    const client = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL ?? process.env.DATABASE_URL });
    await client.connect();
    const newCustomer = async (suffix: string) =>
      (
        await client.query<{ id: string }>(`INSERT INTO customers (slug, name) VALUES ('bench-ingest-' || $1, 'Benchmark') RETURNING id::text`, [
          `${process.pid}-${Date.now()}${suffix}`,
        ])
      ).rows[0]!.id;
    const customerId = await newCustomer("");

    const { spoolUpload } = await import("../src/server/services/ingestion/spool-upload");
    const { ingestUploadFile } = await import("../src/server/services/ingestion/ingest-upload-file");
    const limits = { maxBytes: sizeBytes + 1, maxRows: LINES + 1 };
    const actor = { userId: null, apiKeyId: null, label: "system:bench", requestId: null, ip: null };

    // A running server has its connection pools open and its job queue started: one small
    // upload for another tenant first, so the timed one measures the upload, not a cold process.
    const warmCsv = path.join(work, "warm-up.csv");
    await generateCsv(warmCsv, 300);
    const warmSpooled = await spoolUpload(createReadStream(warmCsv), limits.maxBytes);
    await ingestUploadFile(await newCustomer("-warm-up"), actor, { ...warmSpooled, filename: "warm-up.csv", declaredType: "text/csv" }, limits);
    await warmSpooled.remove();
    peakRss = process.memoryUsage.rss();
    started = performance.now();
    const spooled = await spoolUpload(createReadStream(csv, { highWaterMark: 1 << 20 }), limits.maxBytes);
    const result = await ingestUploadFile(customerId, actor, { ...spooled, filename: "bench.csv", declaredType: "text/csv" }, limits);
    await spooled.remove();
    const serviceSeconds = (performance.now() - started) / 1000;
    const servicePeak = Math.max(peakRss, process.memoryUsage.rss());
    if (result.upload.status !== "APPLIED") throw new Error(`bench upload was ${result.upload.status}: ${JSON.stringify(result.upload.errors.slice(0, 3))}`);

    const scratch = `bench_copy_scratch_${process.pid}`;
    await client.query(SCRATCH_TABLE.replace("bench_copy_scratch", scratch));
    started = performance.now();
    await pipeline(createReadStream(csv, { highWaterMark: 1 << 20 }), client.query(copyFrom(`COPY ${scratch} FROM STDIN WITH (FORMAT csv, HEADER true)`)));
    const copySeconds = (performance.now() - started) / 1000;
    const copied = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${scratch}`);
    await client.query(`DROP TABLE ${scratch}`);

    const stored = path.join(work, "claim-lines.copy");
    const intoClaimLines = await copyIntoClaimLinesCopy(client, customerId, stored);
    await client.end();

    const serviceRate = LINES / serviceSeconds;
    const copyRate = copied.rows[0]!.n / copySeconds;
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
    log(
      `service ingest : ${result.upload.applied_count.toLocaleString("en-US")} lines applied in ${serviceSeconds.toFixed(2)} s = ${Math.round(serviceRate).toLocaleString("en-US")} lines/s`,
    );
    log(
      `plain COPY     : ${copied.rows[0]!.n.toLocaleString("en-US")} lines in ${copySeconds.toFixed(2)} s = ${Math.round(copyRate).toLocaleString("en-US")} lines/s`,
    );
    log(`ratio          : ${(serviceRate / copyRate).toFixed(2)} of COPY's rate`);
    const schemaRate = intoClaimLines.lines / intoClaimLines.seconds;
    log(
      `COPY into a copy of claim_lines: ${intoClaimLines.lines.toLocaleString("en-US")} normalised lines in ${intoClaimLines.seconds.toFixed(2)} s = ${Math.round(schemaRate).toLocaleString("en-US")} lines/s`,
    );
    log(`ratio          : ${(serviceRate / schemaRate).toFixed(2)} of that (goal >= 0.80)`);
    log(`peak RSS       : ${mb(servicePeak)} during the service ingest; ${mb(process.resourceUsage().maxRSS * 1024)} for the whole process`);
    return {
      lines: LINES,
      serviceSeconds,
      copySeconds,
      linesPerSecond: serviceRate,
      copyLinesPerSecond: copyRate,
      ratioToCopy: serviceRate / copyRate,
      copyIntoClaimLinesSeconds: intoClaimLines.seconds,
      copyIntoClaimLinesPerSecond: schemaRate,
      ratioToCopyIntoClaimLines: serviceRate / schemaRate,
      peakRssBytes: servicePeak,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * COPY of the lines the upload stored, as stored, into `claim_lines_bench_<pid>`: a copy of
 * `claim_lines` with its defaults, CHECKs and indexes (LIKE … INCLUDING ALL), its foreign keys
 * and its triggers recreated from the catalogue, so whatever the schema gains or loses is
 * measured on both sides. The export (through the platform login, as the writer reads) is not
 * timed; the scratch table starts empty, as `claim_lines` did before the upload.
 */
async function copyIntoClaimLinesCopy(owner: pg.Client, customerId: string, file: string): Promise<{ lines: number; seconds: number }> {
  const reader = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await reader.connect();
  try {
    await reader.query("SELECT set_config('app.customer_id', $1, false)", [customerId]);
    await pipeline(reader.query(copyTo(`COPY (SELECT * FROM claim_lines WHERE customer_id = '${customerId}') TO STDOUT`)), createWriteStream(file));
  } finally {
    await reader.end();
  }
  const scratch = `claim_lines_bench_${process.pid}`;
  await owner.query(`CREATE TABLE ${scratch} (LIKE claim_lines INCLUDING ALL)`);
  try {
    const keys = await owner.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'claim_lines'::regclass AND contype = 'f' ORDER BY conname`,
    );
    for (const [index, key] of keys.rows.entries()) await owner.query(`ALTER TABLE ${scratch} ADD CONSTRAINT ${scratch}_fk${index} ${key.def}`);
    const triggers = await owner.query<{ def: string }>(
      `SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = 'claim_lines'::regclass AND NOT tgisinternal ORDER BY tgname`,
    );
    for (const trigger of triggers.rows) {
      await owner.query(trigger.def.replace(/^CREATE TRIGGER (\w+)/, `CREATE TRIGGER $1_bench`).replace(/ ON (public\.)?claim_lines /, ` ON ${scratch} `));
    }
    const started = performance.now();
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), owner.query(copyFrom(`COPY ${scratch} FROM STDIN`)));
    const seconds = (performance.now() - started) / 1000;
    const copied = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${scratch}`);
    return { lines: copied.rows[0]!.n, seconds };
  } finally {
    await owner.query(`DROP TABLE ${scratch}`);
  }
}

async function main() {
  const LINES = Number(argValue("--lines") ?? 1_000_000);
  if (!Number.isInteger(LINES) || LINES < 1) throw new Error("--lines must be a positive integer");
  let stopDatabase = async () => {};
  let adminUrl = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL;
  if (!adminUrl) {
    const { openEmbeddedDatabase } = await import("../src/server/db/embedded-postgres");
    const dataDir = mkdtempSync(path.join(tmpdir(), "driftline-bench-pg-"));
    const handle = await openEmbeddedDatabase({ dataDir, attach: false });
    adminUrl = handle.url;
    stopDatabase = async () => {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const database = `driftline_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  process.env.DATABASE_URL = url.toString();

  let dropLogins: ((adminUrl: string) => Promise<void>) | undefined;
  try {
    const { migrateUp } = await import("../src/server/db/migrations");
    await migrateUp(process.env.DATABASE_URL);
    const { useThrowawayLogins } = await import("./throwaway-database");
    dropLogins = await useThrowawayLogins(url.toString());
    await benchIngest(LINES);
  } finally {
    const { closeIngestPool } = await import("../src/server/services/ingestion/ingest-pool");
    const { disconnectDb } = await import("../src/server/db/client");
    const { closeRateLimitStore } = await import("../src/server/lib/rate-limit");
    const { stopQueue } = await import("../src/server/jobs/queue");
    // The applied upload queued a detection run on the job queue: stop it before the database goes.
    await stopQueue({ graceful: false }).catch(() => {});
    await Promise.allSettled([closeIngestPool(), disconnectDb(), closeRateLimitStore()]);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
    await admin.end();
    await dropLogins?.(adminUrl).catch(() => {});
    await stopDatabase();
    clearInterval(sampler);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  sampler.unref();
}
