import { APP_ERROR_STATUS } from "@/server/lib/errors";

export const PROBLEM_REF = "#/components/schemas/Problem";

/** RFC 9457 problem details, exactly as `problem()` in http.ts writes them. */
export const PROBLEM_SCHEMA = {
  type: "object",
  description: "An error (RFC 9457 problem details). `code` is stable and meant for programs; `detail` for people.",
  properties: {
    type: { type: "string", description: "URI naming the problem type.", examples: ["urn:driftline:problem:bad-request"] },
    title: { type: "string", description: "Short summary of the HTTP status." },
    status: { type: "integer", description: "The HTTP status code." },
    detail: { type: "string", description: "What went wrong, for people." },
    code: {
      type: "string",
      enum: [...Object.keys(APP_ERROR_STATUS), "UNSUPPORTED_MEDIA_TYPE"],
      description: "Stable machine-readable code.",
    },
    requestId: { type: "string", description: "Also in the `x-request-id` header; quote it when reporting a problem." },
    errors: {
      type: "array",
      description: "Field errors of a validation failure (empty otherwise).",
      items: {
        type: "object",
        properties: {
          path: { type: "string", description: "Dotted path of the field, e.g. `limit` or `lines.0.cptCode`." },
          message: { type: "string" },
        },
        required: ["path", "message"],
      },
    },
  },
  required: ["type", "title", "status", "detail", "code", "requestId", "errors"],
} as const;

/** An OpenAPI response of a problem (RFC 9457) with an example, for the hand-written route-handler operations. */
export const problemResponse = (description: string, status: number, code: string) => ({
  description,
  content: {
    "application/problem+json": {
      schema: { $ref: PROBLEM_REF },
      example: {
        type: `urn:driftline:problem:${code.toLowerCase().replace(/_/g, "-")}`,
        title: description,
        status,
        detail: description,
        code,
        requestId: "5f0c6c1e-8d4a-4c47-9a55-0f1f2e3d4c5b",
        errors: [],
      },
    },
  },
});
