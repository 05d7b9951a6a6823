import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { TActor } from "@/server/lib/actor";
import { recordAuditOnConnection } from "@/server/lib/audit";
import { AppError } from "@/server/lib/errors";
import { logger } from "@/server/lib/logger";
import { ingestPool } from "./ingest-pool";
import { MAX_STORED_ROW_ERRORS, type TIngestionLimits } from "./ingestion-limits";
import type { TStagedLine } from "./parse/claim-line-input";
import type { TRowError } from "./parse/row-error";
import type { TX12ProviderAdjustment } from "./parse/x12-835-plb";
import { normalizePayerName } from "./normalize-payer-name";
import { recordProviderAdjustments } from "./provider-adjustments";
import { ensurePayerMappings, resolveStagedPayers } from "./resolve-staged-payers";
import {
  COPY_STAGE_SQL,
  CREATE_STAGE_KEYS_TABLE,
  CREATE_STAGE_TABLE,
  STAGE_KEYS_TABLE,
  STAGE_TABLE,
  StageRowFormatter,
  storableProblem,
} from "./stage-claim-lines";
import { findUploadRow, type TUploadRow, UPLOAD_ROW_COLUMNS } from "./upload-row";

/**
 * The one writer of claim lines. An upload is applied in ONE transaction or not at all
 * (PRODUCT.md §2): parsed lines stream through COPY into a temporary staging table; if any row
 * had an error the transaction rolls back and a REJECTED upload records the errors; otherwise
 * (X12 835 only: `skipped` and `warning` items are recorded on the upload and do not stop it;
 * a line the database could not hold is skipped there too, instead of refusing the file)
 * payer names are resolved, X12 reversals remove what they reverse, and one
 * INSERT … SELECT … ON CONFLICT DO UPDATE moves every line into claim_lines (a changed line gets
 * version + 1; an identical one is left alone). Nothing is ever written row by row, and nothing
 * is held in memory per row, so memory stays flat in the size of the upload.
 */

export type TIngestItem =
  | { kind: "line"; line: number; value: TStagedLine }
  | { kind: "error"; line: number; field: string; message: string }
  /** 835 only: a value left out with its reason; the rest still counts. */
  | { kind: "skipped"; line: number; field: string; message: string }
  /** 835 only: odd but usable. */
  | { kind: "warning"; line: number; field: string; message: string }
  /** 835 PLB: provider-level adjustments of one remittance, booked against its payer. */
  | { kind: "providerAdjustments"; line: number; payerName: string; payerIdentifier?: string; adjustments: TX12ProviderAdjustment[] }
  /** X12 CLP02 = 22: the claim's stored lines are replaced by this upload's (or removed). */
  | { kind: "reversal"; line: number; submitterClaimId: string };

export interface TUploadMeta {
  format: "CSV" | "X12_835" | "JSON";
  filename: string;
  sizeBytes: number;
  contentHash: string;
  idempotencyKey?: string | null;
  createdById: string | null;
  apiKeyId: string | null;
}

export interface TApplyResult {
  upload: TUploadRow;
  /** False when an upload with the same content (or idempotency key) already existed. */
  created: boolean;
  insertedCount: number;
  updatedCount: number;
  reversedCount: number;
  providerAdjustmentCount: number;
}

interface TTally {
  rows: number;
  lines: number;
  errorCount: number;
  errors: TRowError[];
  lastErrorLine: number;
  reversedClaims: Set<string>;
  skippedCount: number;
  skipped: TRowError[];
  warningCount: number;
  warnings: TRowError[];
  providerAdjustments: Extract<TIngestItem, { kind: "providerAdjustments" }>[];
  /** X12 835: a line the database could not hold is skipped, not an error. */
  tolerant: boolean;
}

function newTally(tolerant: boolean): TTally {
  return {
    rows: 0,
    lines: 0,
    errorCount: 0,
    errors: [],
    lastErrorLine: -1,
    reversedClaims: new Set(),
    skippedCount: 0,
    skipped: [],
    warningCount: 0,
    warnings: [],
    providerAdjustments: [],
    tolerant,
  };
}

const COPY_CHUNK_CHARS = 256 * 1024;
// Lines per batch: large enough that per-statement costs vanish, small enough that the one
// batch held in memory while the previous one is written stays a few MB. The first batch is
// smaller so the database starts writing early instead of waiting for a full batch.
const BATCH_LINES = 25_000;
const FIRST_BATCH_LINES = 5_000;

function addError(tally: TTally, error: TRowError) {
  tally.errorCount += 1;
  if (tally.errors.length < MAX_STORED_ROW_ERRORS) tally.errors.push(error);
}

function addSkipped(tally: TTally, item: TRowError) {
  tally.skippedCount += 1;
  if (tally.skipped.length < MAX_STORED_ROW_ERRORS) tally.skipped.push(item);
}

/**
 * Produces COPY text in batches of up to `batchLines` lines (each a list of large chunks); after
 * the first error it yields nothing more and only counts and collects errors.
 */
async function* copyBatches(items: AsyncIterable<TIngestItem>, tally: TTally, limits: TIngestionLimits, formatter: StageRowFormatter, batchLines: number) {
  let chunks: string[] = [];
  let chunk = "";
  let lines = 0;
  let limit = Math.min(batchLines, FIRST_BATCH_LINES);
  for await (const item of items) {
    if (item.kind === "reversal") {
      if (tally.reversedClaims.size >= limits.maxRows) throw tooManyRows(limits);
      tally.reversedClaims.add(item.submitterClaimId);
      continue;
    }
    if (item.kind === "warning") {
      tally.warningCount += 1;
      if (tally.warnings.length < MAX_STORED_ROW_ERRORS) tally.warnings.push({ line: item.line, field: item.field, message: item.message });
      continue;
    }
    if (item.kind === "skipped") {
      addSkipped(tally, { line: item.line, field: item.field, message: item.message });
      continue;
    }
    if (item.kind === "providerAdjustments") {
      tally.providerAdjustments.push(item);
      continue;
    }
    if (item.kind === "error") {
      // Several errors of one row arrive together; the row counts once.
      if (item.line !== tally.lastErrorLine) tally.rows += 1;
      tally.lastErrorLine = item.line;
      addError(tally, { line: item.line, field: item.field, message: item.message });
    } else {
      tally.rows += 1;
      const problem = storableProblem(item.value);
      if (problem && tally.tolerant) {
        addSkipped(tally, { line: item.line, field: problem.field, message: `${problem.message}; the line is skipped` });
      } else if (problem) {
        tally.lastErrorLine = item.line;
        addError(tally, { line: item.line, ...problem });
      } else if (tally.errorCount === 0) {
        tally.lines += 1;
        lines += 1;
        chunk += formatter.row(item.line, item.value);
        if (chunk.length >= COPY_CHUNK_CHARS) {
          chunks.push(chunk);
          chunk = "";
        }
        if (lines >= limit) {
          if (chunk !== "") chunks.push(chunk);
          yield chunks;
          chunks = [];
          chunk = "";
          lines = 0;
          limit = batchLines;
        }
      }
    }
    if (tally.rows > limits.maxRows) throw tooManyRows(limits);
  }
  if (tally.errorCount > 0) return;
  if (chunk !== "") chunks.push(chunk);
  if (chunks.length > 0) yield chunks;
}

function tooManyRows(limits: TIngestionLimits) {
  return new AppError("PAYLOAD_TOO_LARGE", `The upload has more than ${limits.maxRows} rows (UPLOAD_MAX_ROWS); split it into smaller files.`, {
    limit: "UPLOAD_MAX_ROWS",
    maxRows: limits.maxRows,
  });
}

const CHANGED_COLUMNS = [
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
  "submitted_cpt_code",
  "facility_type",
  "modifier",
];

const UPSERT_SQL = `
WITH written AS (
  INSERT INTO claim_lines AS cl (customer_id, upload_id, submitter_claim_id, line_number, ${CHANGED_COLUMNS.join(", ")})
  SELECT $1, $2, s.submitter_claim_id, s.line_number, s.payer_claim_number, pm.payer_id, pm.id, s.cpt_code,
         COALESCE(cm.group_code, s.default_group), s.units, s.service_date, s.submitted_at, s.decided_at, s.paid_at,
         s.billed_amount, s.allowed_amount, s.paid_amount, s.outcome, s.denial_group, s.denial_code, s.remark_codes,
         s.patient_account_hash, s.submitted_cpt_code, s.facility_type, s.modifier
  FROM ${STAGE_TABLE} s
  JOIN payer_mappings pm ON pm.customer_id = $1 AND pm.normalized_name = s.payer_key
  LEFT JOIN cpt_mappings cm ON cm.customer_id = $1 AND cm.cpt_code = s.cpt_code
  ON CONFLICT (customer_id, submitter_claim_id, line_number) DO UPDATE SET
    upload_id = EXCLUDED.upload_id,
    ${CHANGED_COLUMNS.map((column) => `${column} = EXCLUDED.${column}`).join(",\n    ")},
    version = cl.version + 1,
    updated_at = now()
  WHERE (${CHANGED_COLUMNS.map((column) => `cl.${column}`).join(", ")})
        IS DISTINCT FROM (${CHANGED_COLUMNS.map((column) => `EXCLUDED.${column}`).join(", ")})
  RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written`;

// The lines of reversed claims that this upload does not bring again: a reversal without a
// correction removes the claim; corrected lines are updated by the upsert (version + 1).
// Runs after every batch is upserted; the lines it keeps are exactly the ones it would have kept
// before them (those this upload brings), so the order does not change what is removed.
const REVERSE_SQL = `
DELETE FROM claim_lines cl
WHERE cl.customer_id = $1 AND cl.submitter_claim_id = ANY($2::text[])
  AND NOT EXISTS (SELECT 1 FROM ${STAGE_KEYS_TABLE} s WHERE s.submitter_claim_id = cl.submitter_claim_id AND s.line_number = cl.line_number)`;

const STAGE_KEYS_SQL = `INSERT INTO ${STAGE_KEYS_TABLE} (seq, submitter_claim_id, line_number) SELECT seq, submitter_claim_id, line_number FROM ${STAGE_TABLE}`;

const DUPLICATES_SQL = `
SELECT submitter_claim_id, line_number, min(seq) AS first_seq, (array_agg(seq ORDER BY seq))[2] AS second_seq
FROM ${STAGE_KEYS_TABLE} GROUP BY submitter_claim_id, line_number HAVING count(*) > 1
ORDER BY 4 LIMIT ${MAX_STORED_ROW_ERRORS}`;

function sqlState(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : undefined;
}

async function insertUploadRow(client: pg.ClientBase, customerId: string, meta: TUploadMeta, status: "PROCESSING" | "REJECTED", tally?: TTally) {
  const result = await client.query<TUploadRow>(
    `INSERT INTO uploads (customer_id, filename, format, size_bytes, content_hash, idempotency_key, status, row_count, error_count, errors,
                          created_by_id, api_key_id, completed_at, skipped_count, skipped, warning_count, warnings)
     VALUES ($1, $2, $3::upload_format, $4, $5, $6, $7::upload_status, $8, $9, $10::jsonb, $11, $12, CASE WHEN $7::text = 'REJECTED' THEN now() END,
             $13, $14::jsonb, $15, $16::jsonb)
     ON CONFLICT DO NOTHING
     RETURNING ${UPLOAD_ROW_COLUMNS}`,
    [
      customerId,
      meta.filename,
      meta.format,
      meta.sizeBytes,
      meta.contentHash,
      meta.idempotencyKey ?? null,
      status,
      tally?.rows ?? 0,
      tally?.errorCount ?? 0,
      JSON.stringify(tally?.errors ?? []),
      meta.createdById,
      meta.apiKeyId,
      tally?.skippedCount ?? 0,
      JSON.stringify(tally?.skipped ?? []),
      tally?.warningCount ?? 0,
      JSON.stringify(tally?.warnings ?? []),
    ],
  );
  return result.rows[0];
}

async function existing(client: pg.ClientBase, customerId: string, meta: TUploadMeta): Promise<TApplyResult> {
  const upload = await findUploadRow(client, customerId, { contentHash: meta.contentHash, idempotencyKey: meta.idempotencyKey ?? null });
  if (!upload) throw new AppError("CONFLICT", "A concurrent upload of the same content did not finish; retry.");
  return { upload, created: false, insertedCount: 0, updatedCount: 0, reversedCount: 0, providerAdjustmentCount: 0 };
}

/**
 * Applies one upload. Throws AppError PAYLOAD_TOO_LARGE past `limits.maxRows` (nothing stored);
 * returns the existing upload when the content hash or idempotency key was seen before.
 *
 * Lines are staged and upserted in batches inside the one transaction: while the database
 * writes batch n, the parser reads batch n + 1 (one pg connection, so one statement at a time,
 * but JavaScript parsing and PostgreSQL inserting overlap). A rejected upload still rolls
 * everything back; duplicates and reversals are checked against the keys of all batches.
 */
export async function applyClaimLines(
  customerId: string,
  meta: TUploadMeta,
  items: AsyncIterable<TIngestItem>,
  limits: TIngestionLimits,
  options: { patientHashKey?: string; batchLines?: number; actor?: TActor } = {},
): Promise<TApplyResult> {
  const client = await ingestPool().connect();
  let broken = false;
  const started = performance.now();
  const timings: Record<string, number> = {};
  const lap = (name: string) => (timings[name] = Math.round(performance.now() - started));
  let pending: Promise<void> | undefined;
  try {
    await client.query("BEGIN");
    // Inserted first, so an identical upload running concurrently waits on the unique index.
    const upload = await insertUploadRow(client, customerId, meta, "PROCESSING");
    if (!upload) {
      await client.query("ROLLBACK");
      return await existing(client, customerId, meta);
    }
    await client.query(CREATE_STAGE_TABLE);
    await client.query(CREATE_STAGE_KEYS_TABLE);
    const tally = newTally(meta.format === "X12_835");
    const written = { inserted: 0, updated: 0 };
    let batches = 0;
    let duplicated = false;

    const applyBatch = async () => {
      await client.query(STAGE_KEYS_SQL);
      // Once a batch had a duplicate the upload is rejected: only the keys matter from then on.
      if (duplicated) return;
      await resolveStagedPayers(client, customerId);
      await client.query("SAVEPOINT upsert");
      try {
        const row = (await client.query<{ inserted: number; updated: number }>(UPSERT_SQL, [customerId, upload.id])).rows[0];
        written.inserted += row?.inserted ?? 0;
        written.updated += row?.updated ?? 0;
        await client.query("RELEASE SAVEPOINT upsert");
      } catch (error) {
        // 21000: two rows of this batch share (submitter claim id, line number).
        if (sqlState(error) !== "21000") throw error;
        await client.query("ROLLBACK TO SAVEPOINT upsert");
        duplicated = true;
      }
    };

    const formatter = new StageRowFormatter(options.patientHashKey);
    // Where the time goes (logged): waiting for the previous batch's upsert, and COPY itself.
    let waitMs = 0;
    let copyMs = 0;
    for await (const batch of copyBatches(items, tally, limits, formatter, options.batchLines ?? BATCH_LINES)) {
      const waitStarted = performance.now();
      if (pending) await pending;
      if (batches > 0) await client.query(`TRUNCATE ${STAGE_TABLE}`);
      const copyStarted = performance.now();
      await pipeline(Readable.from(batch), client.query(copyFrom(COPY_STAGE_SQL)));
      copyMs += performance.now() - copyStarted;
      waitMs += copyStarted - waitStarted;
      batches += 1;
      // Not awaited here: the next batch is parsed while this one is written.
      pending = applyBatch();
      pending.catch(() => {});
    }
    const waitStarted = performance.now();
    if (pending) await pending;
    pending = undefined;
    waitMs += performance.now() - waitStarted;
    timings.waitingForDb = Math.round(waitMs);
    timings.copying = Math.round(copyMs);

    lap("staged");
    if (tally.errorCount === 0 && tally.lines === 0 && tally.reversedClaims.size === 0 && tally.providerAdjustments.length === 0) {
      const why = tally.skippedCount > 0 ? `: every claim in it was skipped (${tally.skippedCount} skipped items say why)` : "";
      addError(tally, { line: 1, field: "file", message: `the upload has no claim lines${why}` });
    }
    if (tally.errorCount > 0) return await reject(client, customerId, meta, tally, options.actor);

    // One batch with no 21000 has no duplicates; otherwise look across all staged keys.
    if (duplicated || batches > 1) {
      const duplicates = await client.query<{ submitter_claim_id: string; line_number: number; first_seq: number; second_seq: number }>(DUPLICATES_SQL);
      for (const row of duplicates.rows) {
        addError(tally, {
          line: row.second_seq,
          field: "lineNumber",
          message: `line ${row.line_number} of this claim also appears on line ${row.first_seq}; each (submitterClaimId, lineNumber) may appear once`,
        });
      }
      if (tally.errorCount > 0) return await reject(client, customerId, meta, tally, options.actor);
    }
    lap("checked");
    let reversedCount = 0;
    if (tally.reversedClaims.size > 0) {
      reversedCount = (await client.query(REVERSE_SQL, [customerId, [...tally.reversedClaims]])).rowCount ?? 0;
    }
    const providerAdjustmentCount = await applyProviderAdjustments(client, customerId, upload.id, tally);
    tally.skipped.sort((a, b) => a.line - b.line);
    tally.warnings.sort((a, b) => a.line - b.line);
    const applied = written.inserted + written.updated;
    const final = await client.query<TUploadRow>(
      `UPDATE uploads SET status = 'APPLIED', row_count = $3, applied_count = $4, completed_at = now(),
              skipped_count = $5, skipped = $6::jsonb, warning_count = $7, warnings = $8::jsonb
       WHERE customer_id = $1 AND id = $2 RETURNING ${UPLOAD_ROW_COLUMNS}`,
      [customerId, upload.id, tally.rows, applied, tally.skippedCount, JSON.stringify(tally.skipped), tally.warningCount, JSON.stringify(tally.warnings)],
    );
    // In the upload's own transaction: an applied upload always has its audit row, and a failed
    // audit write applies nothing. Last, because the chain's lock is held until COMMIT.
    if (options.actor) await auditUpload(client, customerId, options.actor, final.rows[0]!, reversedCount);
    await client.query("COMMIT");
    lap("committed");
    // Ids, counts and timings only: never claim contents.
    logger.info(
      { customerId, uploadId: upload.id, rows: tally.rows, inserted: written.inserted, updated: written.updated, reversedCount, batches, ms: timings },
      "upload applied",
    );
    return { upload: final.rows[0]!, created: true, insertedCount: written.inserted, updatedCount: written.updated, reversedCount, providerAdjustmentCount };
  } catch (error) {
    // A batch still being written must finish (or fail) before the connection rolls back.
    await pending?.catch(() => {});
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Nothing of the upload is kept but its REJECTED record with the row errors (and its audit row). */
async function reject(client: pg.ClientBase, customerId: string, meta: TUploadMeta, tally: TTally, actor: TActor | undefined): Promise<TApplyResult> {
  await client.query("ROLLBACK");
  tally.errors.sort((a, b) => a.line - b.line);
  await client.query("BEGIN");
  const upload = await insertUploadRow(client, customerId, meta, "REJECTED", tally);
  if (!upload) {
    await client.query("ROLLBACK");
    return existing(client, customerId, meta);
  }
  if (actor) await auditUpload(client, customerId, actor, upload, 0);
  await client.query("COMMIT");
  return { upload, created: true, insertedCount: 0, updatedCount: 0, reversedCount: 0, providerAdjustmentCount: 0 };
}

/** The upload's audit row: ids and counts only, never claim contents. */
function auditUpload(client: pg.ClientBase, customerId: string, actor: TActor, upload: TUploadRow, reversedCount: number) {
  return recordAuditOnConnection(client, {
    customerId,
    actor: { userId: actor.userId, apiKeyId: actor.apiKeyId, label: actor.label },
    action: "upload.create",
    resourceType: "upload",
    resourceId: upload.id,
    requestId: actor.requestId,
    ip: actor.ip,
    details: {
      format: upload.format,
      status: upload.status,
      rowCount: upload.row_count,
      appliedCount: upload.applied_count,
      errorCount: upload.error_count,
      reversedCount,
    },
  });
}

/**
 * PLB adjustments, inside the upload's transaction: each remittance's payer is resolved the
 * way its claim lines' payer is (payer_mappings by normalised name, created when new).
 */
async function applyProviderAdjustments(client: pg.ClientBase, customerId: string, uploadId: string, tally: TTally): Promise<number> {
  if (tally.providerAdjustments.length === 0) return 0;
  const names = new Map<string, { key: string; raw: string; identifier?: string }>();
  for (const item of tally.providerAdjustments) {
    const key = normalizePayerName(item.payerName);
    if (!names.has(key)) names.set(key, { key, raw: item.payerName, identifier: item.payerIdentifier });
  }
  await ensurePayerMappings(client, customerId, [...names.values()]);
  const mapped = await client.query<{ normalized_name: string; payer_id: string }>(
    `SELECT normalized_name, payer_id::text FROM payer_mappings WHERE customer_id = $1 AND normalized_name = ANY($2::text[])`,
    [customerId, [...names.keys()]],
  );
  const payerOf = new Map(mapped.rows.map((row) => [row.normalized_name, row.payer_id]));
  let written = 0;
  for (const item of tally.providerAdjustments) {
    const payerId = payerOf.get(normalizePayerName(item.payerName));
    if (payerId) written += await recordProviderAdjustments(client, customerId, uploadId, payerId, item.adjustments);
  }
  return written;
}
