import { z } from "zod";
import { tenantDb } from "@/server/db/tenant-scope";
import { AppError } from "@/server/lib/errors";
import { MAX_LIMIT } from "@/server/lib/pagination";
import { ZUploadRowError } from "./upload-row";

/**
 * One page of an upload's skipped items or warnings (GET /uploads/{id}/issues). The lists live
 * in the upload row as jsonb arrays (the first 1,000 of each); the page is cut in SQL with
 * jsonb_array_elements WITH ORDINALITY, so only the page travels, in file order as recorded.
 */

export const ISSUE_KINDS = ["skipped", "warning"] as const;
const DEFAULT_LIMIT = 50;

export const ZUploadIssuesInput = z.strictObject({
  id: z.uuid(),
  kind: z.enum(ISSUE_KINDS).describe("skipped: values left out with their reason; warning: odd but usable findings."),
  page: z.coerce.number().int().min(1).max(1_000).optional().describe("1-based page (default 1)."),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional().describe(`Items per page, 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT}).`),
});
export type TUploadIssuesInput = z.infer<typeof ZUploadIssuesInput>;

export const ZUploadIssues = z.object({
  kind: z.enum(ISSUE_KINDS),
  items: z.array(ZUploadRowError.extend({ position: z.number().int().describe("1-based position in the upload's list.") })),
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int().describe("Items listed on the upload (the first 1,000 found); pages run over these."),
  totalPages: z.number().int(),
  found: z.number().int().describe("How many were found in the file (skippedCount or warningCount); more than `total` when the list was cut at 1,000."),
});
export type TUploadIssues = z.infer<typeof ZUploadIssues>;

type TIssueRow = { found: number; listed: number; position: number | null; line: number | null; field: string | null; message: string | null };

export async function listUploadIssues(customerId: string, input: TUploadIssuesInput): Promise<TUploadIssues> {
  const page = input.page ?? 1;
  const limit = input.limit ?? DEFAULT_LIMIT;
  const skipped = input.kind === "skipped";
  const rows = await tenantDb(customerId).$queryRaw<TIssueRow[]>`
    SELECT u.found, jsonb_array_length(u.list) AS listed, e.position::int AS position,
      (e.value->>'line')::int AS line, e.value->>'field' AS field, e.value->>'message' AS message
    FROM (
      SELECT CASE WHEN ${skipped} THEN skipped ELSE warnings END AS list,
             CASE WHEN ${skipped} THEN skipped_count ELSE warning_count END AS found
      FROM uploads WHERE customer_id = ${customerId}::uuid AND id = ${input.id}::uuid
    ) u
    LEFT JOIN LATERAL (
      SELECT value, position FROM jsonb_array_elements(u.list) WITH ORDINALITY AS x (value, position)
      ORDER BY position OFFSET ${(page - 1) * limit}::int LIMIT ${limit}::int
    ) e ON true
    ORDER BY e.position`;
  const first = rows[0];
  if (!first) throw new AppError("NOT_FOUND", "No such upload.");
  const items = rows
    .filter((row) => row.position !== null)
    .map((row) => ({ position: row.position!, line: row.line ?? 0, field: row.field ?? "", message: row.message ?? "" }));
  return {
    kind: input.kind,
    items,
    page,
    limit,
    total: first.listed,
    totalPages: Math.ceil(first.listed / limit),
    found: first.found,
  };
}
