import { generateOpenApiDocument } from "trpc-to-openapi";
import { addRouteHandlerPaths } from "./openapi-route-handlers";
import { documentFeeScheduleRoutes } from "./openapi-fee-schedules";
import { documentUploadRoutes } from "./openapi-uploads";
import { PROBLEM_REF, PROBLEM_SCHEMA } from "./openapi-problem";
import { appRouter } from "./root";
import type { TMeta } from "./trpc";

/** The OpenAPI 3.1 document of the REST façade, generated from the same procedures. */
let cached: ReturnType<typeof generateOpenApiDocument> | undefined;

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

/**
 * Bearer auth is the document's default (`security` at the root), so an operation added without
 * a word about security is documented as protected, never as open. trpc-to-openapi leaves
 * `security` out of a public procedure's operation, which would inherit that default: each
 * public one (`protect: false` in its meta) says `security: []`, no credentials, explicitly.
 */
function documentSecurity(document: ReturnType<typeof generateOpenApiDocument>) {
  const paths = (document.paths ?? {}) as Record<string, Record<string, { security?: unknown[] } | undefined>>;
  // At run time `_def.procedures` is flat ("health.check" -> procedure), as trpc-to-openapi reads it.
  for (const procedure of Object.values(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: TMeta } }>)) {
    const openapi = procedure._def.meta?.openapi;
    if (!openapi || openapi.protect !== false) continue;
    const operation = paths[openapi.path]?.[openapi.method.toLowerCase()];
    if (!operation) throw new Error(`public operation ${openapi.method} ${openapi.path} is not in the document`);
    operation.security = [];
  }
  document.security = [{ bearerAuth: [] }];
  return document;
}

export function openApiDocument() {
  cached ??= addRouteHandlerPaths(
    documentSecurity(
      documentProblems(
        generateOpenApiDocument(appRouter, {
          title: "Driftline REST API",
          description:
            "Payer drift detection for clinic billing teams. Authenticate with `Authorization: Bearer <api key>`. " +
            "Errors are application/problem+json with a stable `code`, the `requestId` and field `errors`.",
          version: "1.0.0",
          baseUrl: "/api/v1",
          securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "An API key created by a tenant ADMIN." } },
        }),
      ),
    ),
  );
  // POST /uploads and its CSV template are route handlers of their own (idempotent to re-apply).
  return documentFeeScheduleRoutes(documentUploadRoutes(cached));
}
