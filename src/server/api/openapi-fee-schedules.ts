import { FEE_SCHEDULE_COLUMNS } from "@/server/services/fee-schedules/parse-fee-schedule-csv";
import { PROBLEM_REF, problemResponse } from "./openapi-problem";

/**
 * POST /fee-schedules is a route handler of its own (multipart), added to the generated document
 * here; GET /fee-schedules is the list procedure.
 */

const RESULT_SCHEMA = {
  type: "object",
  properties: {
    feeSchedule: {
      type: "object",
      properties: {
        id: { type: "string", format: "uuid" },
        version: { type: "integer", description: "1, 2, 3, … per customer in upload order; the higher version wins where dates overlap." },
        filename: { type: "string" },
        rowCount: { type: "integer" },
        createdAt: { type: "string", format: "date-time" },
      },
      required: ["id", "version", "filename", "rowCount", "createdAt"],
    },
    supersededCount: { type: "integer", description: "Earlier rates whose dates this upload overlaps (now SUPERSEDED, still listed)." },
    underpaymentsFound: { type: "integer", description: "Claim lines newly found underpaid against the uploaded rates." },
  },
  required: ["feeSchedule", "supersededCount", "underpaymentsFound"],
};

const columns = FEE_SCHEDULE_COLUMNS.map((column) => `\`${column.name}\`${column.required ? " (required)" : ""}: ${column.description}`).join("; ");
const csvExample =
  "payerName,cptCode,modifier,rate,effectiveFrom,effectiveTo\r\nAetna,99213,,112.50,2026-01-01,\r\nAetna,99214,25,165.00,2026-01-01,2026-12-31\r\n";

export function documentFeeScheduleRoutes<T extends { paths?: Record<string, unknown> }>(document: T): T {
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
  document.paths = paths;
  paths["/fee-schedules"] = {
    ...paths["/fee-schedules"],
    post: {
      operationId: "fee-schedules-upload",
      summary: "Upload a fee schedule CSV",
      description:
        "Contracted rates per unit, per payer and CPT/HCPCS code (optionally with a modifier), with effective dates. Send multipart/form-data field `file` " +
        "(or the raw body as `text/csv`). ANALYST role; `upload` rate limit. Payer names go through payer mapping like claim uploads. All or nothing: " +
        "400 lists every row error with `line` and `field`, and nothing is written. Where a rate overlaps the dates of an earlier upload's rate for the same " +
        "payer, code and modifier, the new one applies there and the earlier one is kept as SUPERSEDED history. Expected payment of a claim line is rate × units " +
        "on its service date; the underpayment worklist (GET /underpayments) is refreshed for the uploaded codes. " +
        `Columns (header names case-insensitive, snake_case accepted): ${columns}.`,
      tags: ["fee-schedules"],
      "x-route-handler": true,
      security: [{ bearerAuth: [] }],
      requestBody: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: { type: "object", properties: { file: { type: "string", format: "binary" } }, required: ["file"] },
            encoding: { file: { contentType: "text/csv" } },
          },
          "text/csv": { schema: { type: "string" }, example: csvExample },
        },
      },
      responses: {
        "201": {
          description: "Applied",
          content: {
            "application/json": {
              schema: RESULT_SCHEMA,
              example: {
                feeSchedule: {
                  id: "0b8f7a52-3f7e-4d3b-9c55-2b1a0c9d8e7f",
                  version: 2,
                  filename: "aetna-2026.csv",
                  rowCount: 2,
                  createdAt: "2026-01-05T10:15:00.000Z",
                },
                supersededCount: 1,
                underpaymentsFound: 14,
              },
            },
          },
        },
        "400": {
          description: "Rejected: row errors (each with `line` and `field`), nothing written",
          content: {
            "application/problem+json": {
              schema: { $ref: PROBLEM_REF },
              example: {
                type: "urn:driftline:problem:bad-request",
                title: "Bad Request",
                status: 400,
                detail: "The fee schedule was rejected: 1 row error(s); nothing was written. Fix the rows and upload the file again.",
                code: "BAD_REQUEST",
                requestId: "5f0c6c1e-8d4a-4c47-9a55-0f1f2e3d4c5b",
                errors: [{ path: "line 3: rate", message: "negative amounts are not allowed" }],
              },
            },
          },
        },
        "401": problemResponse("Missing, unknown, revoked or expired credentials", 401, "UNAUTHORIZED"),
        "403": problemResponse("Role too low for this operation", 403, "FORBIDDEN"),
        "413": problemResponse("Larger than UPLOAD_MAX_BYTES", 413, "PAYLOAD_TOO_LARGE"),
        "415": problemResponse("Neither multipart/form-data nor text/csv", 415, "UNSUPPORTED_MEDIA_TYPE"),
        "429": problemResponse("Rate limited (see Retry-After)", 429, "TOO_MANY_REQUESTS"),
        "500": problemResponse("Unexpected error (quote the requestId)", 500, "INTERNAL"),
      },
    },
  };
  return document;
}
