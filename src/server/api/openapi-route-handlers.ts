/**
 * REST operations served by dedicated route handlers rather than procedures (trpc-to-openapi
 * cannot answer files), added to the generated document so callers see one API. Each carries
 * `x-route-handler: true` so checks that map operations to procedures can tell them apart.
 */

const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

export const ROUTE_HANDLER_PATHS = {
  "/exports/{id}/download": {
    get: {
      operationId: "exports-download",
      summary: "Download an export",
      description:
        "The CSV of an export that has SUCCEEDED, streamed (`text/csv`, RFC 4180, CRLF line ends; text cells that a spreadsheet would run as a formula start with an apostrophe). " +
        "ANALYST and up. Downloading a claim-line export (PHI) is audited. 409 while the export is still QUEUED or RUNNING, or if it FAILED.",
      tags: ["exports"],
      "x-route-handler": true,
      security: [{ bearerAuth: [] }],
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" }, description: "The export's id." }],
      responses: {
        "200": {
          description: "The CSV file.",
          headers: { "x-row-count": { schema: { type: "integer" }, description: "Data rows in the file (the header row not counted)." } },
          content: { "text/csv": { schema: { type: "string" }, example: "payer,period_from,period_to,total_lines\r\nAetna,2026-08-30,2026-11-27,3120\r\n" } },
        },
        "400": problemResponse("The id is not a UUID"),
        "401": problemResponse("Missing, unknown, revoked or expired credentials"),
        "403": problemResponse("Role too low for this operation"),
        "404": problemResponse("No such export"),
        "409": problemResponse("The export has not succeeded (yet)"),
        "429": problemResponse("Rate limited (see Retry-After)"),
        "500": problemResponse("Unexpected error (quote the requestId)"),
      },
    },
  },
  "/underpayments/export.csv": {
    get: {
      operationId: "underpayments-export",
      summary: "Download the underpayment worklist as CSV",
      description:
        "The rows of GET /underpayments (same filters as query parameters: payerId, cptCode, cptGroup, status, assigneeId, serviceFrom, serviceTo), " +
        "newest service date first, at most 100,000 rows, as `text/csv` (RFC 4180, CRLF line ends; formula-like text cells start with an apostrophe). ANALYST and up; audited.",
      tags: ["underpayments"],
      "x-route-handler": true,
      security: [{ bearerAuth: [] }],
      responses: {
        "200": {
          description: "The CSV file.",
          headers: { "x-row-count": { schema: { type: "integer" }, description: "Data rows in the file (the header row not counted)." } },
          content: {
            "text/csv": {
              schema: { type: "string" },
              example:
                "submitter_claim_id,line_number,payer,cpt_code,cpt_group,service_date,units,rate,expected_amount,allowed_amount,paid_amount,variance,status,assignee,recovered_amount,recovered_at\r\nCLM-00012345,1,Medicare,99213,EM,2026-02-20,1.00,81.00,81.00,68.85,55.08,12.15,OPEN,,0.00,\r\n",
            },
          },
        },
        "400": problemResponse("A filter is invalid"),
        "401": problemResponse("Missing, unknown, revoked or expired credentials"),
        "403": problemResponse("Role too low for this operation"),
        "429": problemResponse("Rate limited (see Retry-After)"),
        "500": problemResponse("Unexpected error (quote the requestId)"),
      },
    },
  },
} as const;

type TDocument = { paths?: Record<string, unknown> };

export function addRouteHandlerPaths<T extends TDocument>(document: T): T {
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
  for (const [path, operations] of Object.entries(ROUTE_HANDLER_PATHS)) paths[path] = { ...paths[path], ...operations };
  document.paths = paths;
  return document;
}
