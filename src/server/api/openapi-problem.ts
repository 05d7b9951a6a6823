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
