/**
 * Bulk loading for the demo data: PostgreSQL COPY (text format) through pg-copy-streams, fed
 * straight from the claim-line generator in chunks, so memory stays flat at any volume.
 * Uses `pg` directly: the seed must work before the Prisma client is generated.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { PAYER_CATALOGUE, normalizePayerName } from "./catalogue";
import { serializeClaimLine, type TGeneratedClaimLine } from "./generate-claims";

type TQueryable = Pick<pg.ClientBase, "query">;

/** Inserts the catalogue payers (customer_id NULL) that are missing; returns name -> id. */
export async function ensurePayerCatalogue(client: TQueryable): Promise<Map<string, string>> {
  const names = PAYER_CATALOGUE.map((p) => p.name);
  // Several seeds may share a database (parallel tests): ON CONFLICT makes this idempotent.
  await client.query(
    `INSERT INTO payers (customer_id, name)
     SELECT NULL, name FROM unnest($1::text[]) AS t(name)
     ON CONFLICT ON CONSTRAINT payers_customer_name_key DO NOTHING`,
    [names],
  );
  const { rows } = await client.query<{ id: string; name: string }>("SELECT id, name FROM payers WHERE customer_id IS NULL AND name = ANY($1::text[])", [
    names,
  ]);
  return new Map(rows.map((row) => [row.name, row.id]));
}

export interface TCopyIds {
  customerId: string;
  uploadId: string;
  /** Payer name (catalogue or tenant-private) -> payers.id. */
  payerIds: ReadonlyMap<string, string>;
  /** Normalised raw payer name -> payer_mappings.id. */
  mappingIds: ReadonlyMap<string, string>;
}

export interface TCopyResult {
  rowCount: number;
  /** Bytes and SHA-256 of the lines' content (serializeClaimLine, one per line). */
  contentBytes: number;
  contentHash: string;
}

export const CLAIM_LINE_COPY_COLUMNS = [
  "customer_id",
  "upload_id",
  "submitter_claim_id",
  "line_number",
  "payer_claim_number",
  "payer_id",
  "payer_mapping_id",
  "cpt_code",
  "cpt_group",
  "units",
  "service_date",
  "submitted_at",
  "decided_at",
  "paid_at",
  "billed_amount",
  "allowed_amount",
  "paid_amount",
  "outcome",
  "denial_group",
  "denial_code",
  "remark_codes",
  "patient_account_hash",
] as const;

const NULL = "\\N";

/** Cents -> "1234.05" without floating-point rounding. */
export function formatCents(cents: number): string {
  if (!Number.isInteger(cents) || cents < 0) throw new Error(`not a non-negative amount in cents: ${cents}`);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

// COPY text format: tab separated, \N for NULL. Generated values never contain tabs, newlines
// or backslashes (codes, dates, numbers, hex), so no escaping is needed; this guard keeps it so.
const SAFE = /^[^\t\n\r\\]*$/;
function text(value: string): string {
  if (!SAFE.test(value)) throw new Error(`value not safe for COPY text format: ${JSON.stringify(value)}`);
  return value;
}

function copyRow(line: TGeneratedClaimLine, ids: TCopyIds): string {
  const payerId = ids.payerIds.get(line.payerName);
  const mappingId = ids.mappingIds.get(normalizePayerName(line.rawPayerName));
  if (!payerId || !mappingId) throw new Error(`no payer or mapping for raw payer name "${line.rawPayerName}"`);
  return [
    ids.customerId,
    ids.uploadId,
    text(line.submitterClaimId),
    String(line.lineNumber),
    text(line.payerClaimNumber),
    payerId,
    mappingId,
    text(line.cptCode),
    line.cptGroup,
    String(line.units),
    line.serviceDate,
    line.submittedAt,
    line.decidedAt,
    line.paidAt ?? NULL,
    formatCents(line.billedCents),
    line.allowedCents === null ? NULL : formatCents(line.allowedCents),
    formatCents(line.paidCents),
    line.outcome,
    line.denialGroup ?? NULL,
    line.denialCode ?? NULL,
    `{${line.remarkCodes.map(text).join(",")}}`,
    line.patientAccountHash,
  ].join("\t");
}

const SEED_STAGE = "seed_claim_lines_stage";

/**
 * Streams `lines` into claim_lines with one COPY (through a temporary table) on `client` (run it inside the caller's
 * transaction). Backpressure is respected: the generator is pulled only as fast as the server
 * takes rows.
 */
export async function copyClaimLines(client: pg.ClientBase, lines: Iterable<TGeneratedClaimLine>, ids: TCopyIds, chunkSize = 2_000): Promise<TCopyResult> {
  const hash = createHash("sha256");
  let rowCount = 0;
  let contentBytes = 0;
  function* chunks(): Generator<string> {
    let buffer: string[] = [];
    for (const line of lines) {
      const content = `${serializeClaimLine(line)}\n`;
      hash.update(content);
      contentBytes += Buffer.byteLength(content);
      rowCount++;
      buffer.push(copyRow(line, ids));
      if (buffer.length >= chunkSize) {
        yield `${buffer.join("\n")}\n`;
        buffer = [];
      }
    }
    if (buffer.length > 0) yield `${buffer.join("\n")}\n`;
  }
  // PostgreSQL refuses COPY FROM into a table under row-level security for a role it applies to,
  // and the seed runs as the application's platform login (never the owner): COPY into a
  // temporary table, then one INSERT … SELECT, which the policies and constraints check.
  const columns = CLAIM_LINE_COPY_COLUMNS.join(", ");
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${SEED_STAGE} (LIKE claim_lines INCLUDING DEFAULTS)`);
  await client.query(`TRUNCATE ${SEED_STAGE}`);
  const copy = client.query(copyFrom(`COPY ${SEED_STAGE} (${columns}) FROM STDIN WITH (FORMAT text)`));
  await pipeline(Readable.from(chunks(), { objectMode: false }), copy);
  if (copy.rowCount !== rowCount) throw new Error(`COPY stored ${copy.rowCount} rows, expected ${rowCount}`);
  const inserted = await client.query(`INSERT INTO claim_lines (${columns}) SELECT ${columns} FROM ${SEED_STAGE}`);
  if (inserted.rowCount !== rowCount) throw new Error(`INSERT stored ${inserted.rowCount} rows, expected ${rowCount}`);
  await client.query(`DROP TABLE ${SEED_STAGE}`);
  return { rowCount, contentBytes, contentHash: hash.digest("hex") };
}
