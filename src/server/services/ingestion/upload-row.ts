import type pg from "pg";
import { z } from "zod";
import type { TRowError } from "./parse/row-error";

/** The Upload resource (API.md) and how the writer's raw SQL reads it. */

export const ZUploadRowError = z.object({
  line: z.number().int(),
  field: z.string(),
  message: z.string(),
});

export const ZUpload = z.object({
  id: z.uuid(),
  filename: z.string(),
  format: z.enum(["CSV", "X12_835", "JSON"]),
  sizeBytes: z.number().int(),
  contentHash: z.string().describe("SHA-256 of the file (hex); unique per customer: the same file twice is one upload."),
  status: z.enum(["PROCESSING", "APPLIED", "REJECTED"]),
  rowCount: z.number().int().describe("Data rows read (claim lines and rows with errors)."),
  appliedCount: z.number().int().describe("Claim lines inserted or changed; lines identical to the stored version are not rewritten."),
  errorCount: z.number().int().describe("Row errors found; at most the first 1,000 are listed in `errors`."),
  errors: z.array(ZUploadRowError).describe("Row errors (first 1,000). On a REJECTED upload they say why nothing was applied."),
  skippedCount: z
    .number()
    .int()
    .describe(
      "X12 835 only: values that could not be used and were left out (a service line with a revenue or non-procedure code, an unreadable amount or date, an unknown adjustment group, ...). The rest of the claim and the file still count; the status stays APPLIED. At most the first 1,000 are listed in `skipped`.",
    ),
  skipped: z.array(ZUploadRowError).describe("The first 1,000 skipped items: segment number in the file (`line`), segment/field, and the reason."),
  warningCount: z
    .number()
    .int()
    .describe(
      "X12 835 only: odd but usable findings (envelope counts or control numbers that disagree, a version other than 005010X221A1, no ISA/GS envelope, dates out of order whose decision time is left out of statistics, unknown segments, a claim replaced by a later copy). At most the first 1,000 are listed in `warnings`.",
    ),
  warnings: z.array(ZUploadRowError).describe("The first 1,000 warnings: segment number, segment/field, and what was found."),
  createdAt: z.date(),
  completedAt: z.date().nullable(),
});
export type TUpload = z.infer<typeof ZUpload>;

export interface TUploadRow {
  id: string;
  filename: string;
  format: TUpload["format"];
  size_bytes: string;
  content_hash: string;
  idempotency_key: string | null;
  status: TUpload["status"];
  row_count: number;
  applied_count: number;
  error_count: number;
  errors: TRowError[];
  skipped_count: number;
  warning_count: number;
  skipped: TRowError[];
  warnings: TRowError[];
  created_at: Date;
  completed_at: Date | null;
}

export const UPLOAD_ROW_COLUMNS =
  "id::text, filename, format::text, size_bytes::text, content_hash, idempotency_key, status::text, row_count, applied_count, error_count, errors, skipped_count, warning_count, skipped, warnings, created_at, completed_at";

export function toUpload(row: TUploadRow): TUpload {
  return {
    id: row.id,
    filename: row.filename,
    format: row.format,
    sizeBytes: Number(row.size_bytes),
    contentHash: row.content_hash,
    status: row.status,
    rowCount: row.row_count,
    appliedCount: row.applied_count,
    errorCount: row.error_count,
    errors: row.errors,
    skippedCount: row.skipped_count,
    skipped: row.skipped,
    warningCount: row.warning_count,
    warnings: row.warnings,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

/** The upload with this idempotency key (preferred) or content hash, within the tenant. */
export async function findUploadRow(
  client: pg.ClientBase,
  customerId: string,
  key: { contentHash: string; idempotencyKey: string | null },
): Promise<TUploadRow | undefined> {
  const result = await client.query<TUploadRow>(
    `SELECT ${UPLOAD_ROW_COLUMNS} FROM uploads
     WHERE customer_id = $1 AND (content_hash = $2 OR idempotency_key = $3)
     ORDER BY (idempotency_key IS NOT DISTINCT FROM $3) DESC LIMIT 1`,
    [customerId, key.contentHash, key.idempotencyKey],
  );
  return result.rows[0];
}
