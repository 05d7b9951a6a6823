import { generateOpenApiDocument } from "trpc-to-openapi";
import { appRouter } from "./root";

/** The OpenAPI 3.1 document of the REST façade, generated from the same procedures. */
let cached: ReturnType<typeof generateOpenApiDocument> | undefined;

export function openApiDocument() {
  cached ??= generateOpenApiDocument(appRouter, {
    title: "Driftline REST API",
    description:
      "Payer drift detection for clinic billing teams. Authenticate with `Authorization: Bearer <api key>`. " +
      "Errors are application/problem+json with a stable `code`, the `requestId` and field `errors`.",
    version: "1.0.0",
    baseUrl: "/api/v1",
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "An API key created by a tenant ADMIN." } },
  });
  return cached;
}
