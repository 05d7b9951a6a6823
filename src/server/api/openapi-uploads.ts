import { CSV_COLUMNS, csvTemplate } from "@/server/services/ingestion/parse/csv-columns";
import { PROBLEM_SCHEMA, problemResponse } from "./openapi-problem";

/**
 * POST /uploads is a route handler of its own (trpc-to-openapi cannot take multipart bodies), so it
 * is added to the generated document here. The public CSV template (GET /uploads/template.csv,
 * no credentials) is named in its description rather than listed as an operation.
 */

const ISSUE_ITEMS = {
  type: "object",
  properties: { line: { type: "integer" }, field: { type: "string" }, message: { type: "string" } },
  required: ["line", "field", "message"],
};

const UPLOAD_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    filename: { type: "string" },
    format: { type: "string", enum: ["CSV", "X12_835", "JSON"] },
    sizeBytes: { type: "integer" },
    contentHash: { type: "string", description: "SHA-256 (hex) of the file; unique per customer." },
    status: { type: "string", enum: ["PROCESSING", "APPLIED", "REJECTED"] },
    rowCount: { type: "integer" },
    appliedCount: { type: "integer", description: "Claim lines inserted or changed." },
    errorCount: { type: "integer" },
    errors: { type: "array", items: ISSUE_ITEMS },
    skippedCount: { type: "integer", description: "X12 835: parts of the file that could not be used and were left out (the rest was applied)." },
    warningCount: { type: "integer", description: "X12 835: odd but usable parts of the file, applied." },
    skipped: { type: "array", description: "The first 1,000 skipped items (all of them: GET /uploads/{id}/issues?kind=skipped).", items: ISSUE_ITEMS },
    warnings: { type: "array", description: "The first 1,000 warnings (all of them: GET /uploads/{id}/issues?kind=warning).", items: ISSUE_ITEMS },
    createdAt: { type: "string", format: "date-time" },
    completedAt: { type: ["string", "null"], format: "date-time" },
  },
  required: [
    "id",
    "filename",
    "format",
    "sizeBytes",
    "contentHash",
    "status",
    "rowCount",
    "appliedCount",
    "errorCount",
    "errors",
    "skippedCount",
    "warningCount",
    "skipped",
    "warnings",
    "createdAt",
    "completedAt",
  ],
};

const RESULT_SCHEMA = {
  type: "object",
  properties: {
    upload: UPLOAD_SCHEMA,
    replayed: { type: "boolean", description: "True when the same file was uploaded before: this is that upload, nothing was applied again." },
    insertedCount: { type: "integer" },
    updatedCount: { type: "integer", description: "Existing lines changed by this file (their version went up by one)." },
    reversedCount: { type: "integer", description: "Lines removed by X12 reversals (CLP02 = 22) without a correction." },
  },
  required: ["upload", "replayed"],
};

/**
 * The body of a rejected upload (400): the problem details every error has, plus the stored
 * REJECTED upload and `replayed`; each field error also names its `line` and `field`. Written
 * out in full (not `allOf` with Problem) so the nested `errors` entries have one schema.
 */
export const UPLOAD_REJECTED_REF = "#/components/schemas/UploadRejected";
const UPLOAD_REJECTED_SCHEMA = {
  type: "object",
  description: "A rejected upload: problem details, the REJECTED upload and its row errors. Nothing was applied.",
  properties: {
    ...PROBLEM_SCHEMA.properties,
    errors: {
      type: "array",
      description: "One entry per row error (the first 1,000), as in `upload.errors`.",
      items: {
        type: "object",
        properties: {
          ...PROBLEM_SCHEMA.properties.errors.items.properties,
          line: { type: "integer", description: "1-based CSV line or X12 segment number." },
          field: { type: "string", description: "The CSV column or the X12 element (e.g. `SVC03`)." },
        },
        required: [...PROBLEM_SCHEMA.properties.errors.items.required, "line", "field"],
      },
    },
    upload: UPLOAD_SCHEMA,
    replayed: { type: "boolean", description: "True when the same file was rejected before: this is that upload." },
  },
  required: [...PROBLEM_SCHEMA.required, "upload", "replayed"],
};

const example = {
  upload: {
    id: "0b8f7a52-3f7e-4d3b-9c55-2b1a0c9d8e7f",
    filename: "march.csv",
    format: "CSV",
    sizeBytes: 18342,
    contentHash: "9f2c…",
    status: "APPLIED",
    rowCount: 120,
    appliedCount: 120,
    errorCount: 0,
    errors: [],
    skippedCount: 0,
    warningCount: 0,
    skipped: [],
    warnings: [],
    createdAt: "2024-04-02T10:15:00.000Z",
    completedAt: "2024-04-02T10:15:01.000Z",
  },
  replayed: false,
  insertedCount: 120,
  updatedCount: 0,
  reversedCount: 0,
};

const columns = CSV_COLUMNS.map((column) => `\`${column.name}\`${column.required ? " (required)" : ""}: ${column.description}`).join("; ");

export function documentUploadRoutes<T extends { paths?: Record<string, unknown>; components?: { schemas?: Record<string, unknown> } }>(document: T): T {
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
  document.paths = paths;
  document.components = { ...document.components, schemas: { ...document.components?.schemas, UploadRejected: UPLOAD_REJECTED_SCHEMA } };
  paths["/uploads"] = {
    ...paths["/uploads"],
    post: {
      operationId: "uploads-create",
      summary: "Upload a CSV or X12 835 file",
      description:
        "Send the file as multipart/form-data field `file`, or as the raw body with `Content-Type: text/csv` or `application/edi-x12` " +
        "(name it with `Content-Disposition: attachment; filename=…` or `X-Filename`). ANALYST role; `upload` rate limit. " +
        "The file is applied in one transaction. A CSV is all or nothing. An X12 835 (the payer's document) is refused whole only " +
        "when it cannot be read as an 835; otherwise what cannot be used is skipped and what is odd is warned about (`skipped`, " +
        "`warnings`, with their counts), and the rest is applied. 201: a new upload, applied. 200: the same file (same SHA-256) was " +
        "uploaded before; the existing upload is returned with `replayed: true` and nothing is applied again. 400: the file was " +
        "rejected (REJECTED upload in `upload`, row errors with `line` and `field` in `errors`); no claim line was written. " +
        "413: over UPLOAD_MAX_BYTES, UPLOAD_MAX_ROWS, X12_MAX_SEGMENTS or X12_MAX_ELEMENTS (the limit is named). An 835's format is detected from its ISA segment. " +
        `CSV columns (header names case-insensitive, snake_case accepted; template, no credentials needed: GET /api/v1/uploads/template.csv): ${columns}.`,
      tags: ["uploads"],
      "x-route-handler": true,
      security: [{ bearerAuth: [] }],
      requestBody: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: { type: "object", properties: { file: { type: "string", format: "binary" } }, required: ["file"] },
            encoding: { file: { contentType: "text/csv, application/edi-x12" } },
          },
          "text/csv": { schema: { type: "string" }, example: csvTemplate() },
          "application/edi-x12": { schema: { type: "string" } },
        },
      },
      responses: {
        "201": { description: "Applied: a new upload", content: { "application/json": { schema: RESULT_SCHEMA, example } } },
        "200": {
          description: "The same file was uploaded before: the existing upload",
          content: { "application/json": { schema: RESULT_SCHEMA, example: { ...example, replayed: true } } },
        },
        "400": {
          description:
            "Rejected: row errors, nothing applied. Besides the problem fields the body carries `upload` (the REJECTED upload) and `replayed`; each entry of `errors` also has `line` and `field`.",
          content: {
            "application/problem+json": {
              schema: { $ref: UPLOAD_REJECTED_REF },
              example: {
                type: "urn:driftline:problem:bad-request",
                title: "Bad Request",
                status: 400,
                detail: "The upload was rejected: 1 row error(s); nothing was applied. Fix the rows and upload the file again.",
                code: "BAD_REQUEST",
                requestId: "5f0c6c1e-8d4a-4c47-9a55-0f1f2e3d4c5b",
                errors: [{ path: "line 3: billedAmount", message: "negative amounts are not allowed", line: 3, field: "billedAmount" }],
                upload: {
                  ...example.upload,
                  status: "REJECTED",
                  rowCount: 120,
                  appliedCount: 0,
                  errorCount: 1,
                  errors: [{ line: 3, field: "billedAmount", message: "negative amounts are not allowed" }],
                },
                replayed: false,
              },
            },
          },
        },
        "401": problemResponse("Missing, unknown, revoked or expired credentials", 401, "UNAUTHORIZED"),
        "403": problemResponse("Role too low for this operation", 403, "FORBIDDEN"),
        "413": problemResponse("Larger than UPLOAD_MAX_BYTES or more rows than UPLOAD_MAX_ROWS", 413, "PAYLOAD_TOO_LARGE"),
        "415": problemResponse("Neither multipart/form-data nor a CSV or X12 body", 415, "UNSUPPORTED_MEDIA_TYPE"),
        "429": problemResponse("Rate limited (see Retry-After)", 429, "TOO_MANY_REQUESTS"),
        "500": problemResponse("Unexpected error (quote the requestId)", 500, "INTERNAL"),
      },
    },
  };
  return document;
}
