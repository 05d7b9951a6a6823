import { generateOpenApiDocument } from "trpc-to-openapi";
import { APP_ERROR_STATUS } from "@/server/lib/errors";
import { addRouteHandlerPaths } from "./openapi-route-handlers";
import { documentUploadRoutes } from "./openapi-uploads";
import { appRouter } from "./root";

/** The OpenAPI 3.1 document of the REST façade, generated from the same procedures. */
let cached: ReturnType<typeof generateOpenApiDocument> | undefined;

const PROBLEM_REF = "#/components/schemas/Problem";

/** RFC 9457 problem details, exactly as `problem()` in http.ts writes them. */
const PROBLEM_SCHEMA = {
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

const EXAMPLE_CODE: Record<string, string> = {
  "400": "BAD_REQUEST",
  "401": "UNAUTHORIZED",
  "403": "FORBIDDEN",
  "404": "NOT_FOUND",
  "409": "CONFLICT",
  "413": "PAYLOAD_TOO_LARGE",
  "429": "TOO_MANY_REQUESTS",
  "500": "INTERNAL",
};

type TResponses = Record<string, { description?: string; content?: unknown }>;
type TPathItem = Record<string, { responses?: TResponses } | undefined>;

/**
 * trpc-to-openapi documents errors as its own `{ message, code, issues }` JSON body; the REST
 * door answers application/problem+json instead (http.ts), so the document says that.
 */
function documentProblems(document: ReturnType<typeof generateOpenApiDocument>) {
  for (const pathItem of Object.values((document.paths ?? {}) as Record<string, TPathItem>)) {
    for (const operation of Object.values(pathItem)) {
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        if (Number(status) < 400) continue;
        const code = EXAMPLE_CODE[status] ?? "BAD_REQUEST";
        response.content = {
          "application/problem+json": {
            schema: { $ref: PROBLEM_REF },
            example: {
              type: `urn:driftline:problem:${code.toLowerCase().replace(/_/g, "-")}`,
              title: response.description ?? "Error",
              status: Number(status),
              detail: response.description ?? "Error",
              code,
              requestId: "5f0c6c1e-8d4a-4c47-9a55-0f1f2e3d4c5b",
              errors: status === "400" ? [{ path: "limit", message: "Too big: expected number to be <=100" }] : [],
            },
          },
        };
      }
    }
  }
  const schemas = (document.components?.schemas ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(schemas)) if (name.startsWith("error.")) delete schemas[name];
  document.components = { ...document.components, schemas: { ...schemas, Problem: PROBLEM_SCHEMA as never } };
  return document;
}

export function openApiDocument() {
  cached ??= addRouteHandlerPaths(documentProblems(
    generateOpenApiDocument(appRouter, {
      title: "Driftline REST API",
      description:
        "Payer drift detection for clinic billing teams. Authenticate with `Authorization: Bearer <api key>`. " +
        "Errors are application/problem+json with a stable `code`, the `requestId` and field `errors`.",
      version: "1.0.0",
      baseUrl: "/api/v1",
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "An API key created by a tenant ADMIN." } },
    }),
  ));
  // POST /uploads and its CSV template are route handlers of their own (idempotent to re-apply).
  return documentUploadRoutes(cached);
}
